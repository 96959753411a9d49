"""Common random numbers: a counter-based random stream per named decision.

Every random number in simteam is a pure function of
``(replication seed, decision name, week, seat, sub-index)``: a SplitMix64 hash of
those coordinates. Nothing is "advanced", so

* the same seed gives bit-identical results in any process, launcher or batch size;
* a batch of R replications equals R single runs with seeds ``seed + r``;
* two strategies on the same seed see the same market path and every draw that the
  strategy does not change (common random numbers): a rep's quit draw in week 40
  is the same number whatever happened to the others, and whether or not another
  mechanism drew numbers before it.

The generator is the SplitMix64 finaliser (Steele, Lea & Flood 2014) applied to a
Weyl-sequence counter keyed by a per-(seed, decision) key, itself hashed twice.
It passes BigCrush when used this way (Steele et al.; Vigna's notes on SplitMix).
"""

from __future__ import annotations

import zlib

import numpy as np

from . import numerics

__all__ = ["Streams", "decision_key", "mix64", "rowvec"]

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)


_NO_MASK = np.zeros((1, 1), dtype=bool)


def rowvec(v, B: int) -> np.ndarray:
    """A scalar or per-row ``(B, 1)`` parameter as a contiguous ``(B,)`` float64 array (kernel argument)."""
    return np.array(np.broadcast_to(np.asarray(v, dtype=np.float64).reshape(-1), (B,)))  # a writable copy


def mix64(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """SplitMix64 finaliser on a uint64 array.

    Writes into ``out`` (which may be ``z`` itself) when given, else into a new array;
    one scratch array, no other temporaries (this runs on every random number).
    """
    if out is None:
        out = np.empty_like(z)
    tmp = np.right_shift(z, _S30)
    np.bitwise_xor(z, tmp, out=out)
    np.multiply(out, _M1, out=out)
    np.right_shift(out, _S27, out=tmp)
    np.bitwise_xor(out, tmp, out=out)
    np.multiply(out, _M2, out=out)
    np.right_shift(out, _S31, out=tmp)
    np.bitwise_xor(out, tmp, out=out)
    return out


def decision_key(name: str) -> np.uint64:
    """A stable 64-bit code for a decision name (independent of Python's hash seed)."""
    c = zlib.crc32(name.encode()) | (zlib.adler32(name.encode()) << 32)
    return mix64(np.array([c], dtype=np.uint64))[0]


class Streams:
    """Random numbers for a batch of replications, one stream per decision.

    Args:
        seeds: One seed per batch row (replication or parameter point x replication).

    Every method takes the decision ``name``, the ``week`` and the ``shape`` of the
    per-row block (e.g. ``(n_seats,)``); it returns an array ``(B, *shape)`` whose
    row ``b`` depends only on ``seeds[b]``, ``name``, ``week`` and the position in
    the block.
    """

    def __init__(self, seeds: np.ndarray):
        seeds = np.asarray(seeds, dtype=np.uint64).reshape(-1)
        self.seeds = seeds
        self._row_keys = mix64(mix64(seeds + _GAMMA) ^ np.uint64(0x5DEECE66D))
        self._keys: dict[str, np.ndarray] = {}

    @property
    def batch(self) -> int:
        return self.seeds.shape[0]

    def key(self, name: str) -> np.ndarray:
        """The per-row keys ``(B,)`` of a decision's stream (for compiled kernels)."""
        k = self._keys.get(name)
        if k is None:
            k = np.ascontiguousarray(mix64(self._row_keys ^ decision_key(name)))
            self._keys[name] = k
        return k

    @staticmethod
    def week_base(week: int) -> np.uint64:
        """The counter offset of a week (2**32 numbers per week per decision)."""
        return np.uint64(week) * np.uint64(0x100000000)

    def _draw(self, name: str, week: int, shape: tuple[int, ...], normal: bool, where, fill: float,
              out: np.ndarray | None = None) -> np.ndarray:
        n = 1
        for d in shape:
            n *= int(d)
        B = self.batch
        if out is None:
            out = np.empty((B,) + tuple(shape))
        elif out.shape != (B,) + tuple(shape) or out.dtype != np.float64 or not out.flags.c_contiguous:
            raise ValueError(f"out: needs a C-contiguous float64 array of shape {(B,) + tuple(shape)}")
        result = out
        out = out.reshape(B, n)
        if where is None:
            mask, use = _NO_MASK, False
        else:
            mask = np.ascontiguousarray(np.broadcast_to(np.asarray(where, dtype=bool), (B,) + tuple(shape)).reshape(B, n))
            use = True
        numerics.draw(self.key(name), self.week_base(week), n, normal, mask, use, fill, out)
        return result

    def uniform(self, name: str, week: int, shape: tuple[int, ...] = (), where=None) -> np.ndarray:
        """Uniform numbers in the open interval (0, 1).

        ``where`` (a boolean array broadcastable to ``(B, *shape)``) computes only the
        selected positions and fills the others with 0.5. A selected position gets
        exactly the number it gets without ``where``: every number is a pure function
        of its coordinates, so skipping the others changes nothing (a speed-up for
        draws only a few seats need, such as hires).
        """
        return self._draw(name, week, shape, False, where, 0.5)

    def normal(self, name: str, week: int, shape: tuple[int, ...] = (), where=None,
               out: np.ndarray | None = None) -> np.ndarray:
        """Standard normal numbers (inverse CDF of :meth:`uniform`); ``where`` as there (others 0).

        ``out`` (``(B, *shape)`` float64, C-contiguous) receives the numbers instead of a new array.
        """
        return self._draw(name, week, shape, True, where, 0.0, out)

    def at(self, name: str, week: int, rows: np.ndarray, cols: np.ndarray, normal: bool = False) -> np.ndarray:
        """Numbers at positions ``(rows[q], cols[q])`` only: the same values :meth:`uniform` (or
        :meth:`normal`) gives there with a ``(n,)`` block, ``cols`` being flat positions in the block."""
        rows = np.ascontiguousarray(rows, dtype=np.int64)
        out = np.empty(rows.size)
        numerics.draw_at(self.key(name), self.week_base(week), rows, np.ascontiguousarray(cols, dtype=np.int64),
                        normal, out)
        return out

    def poisson(self, name: str, week: int, lam: np.ndarray) -> np.ndarray:
        """Poisson counts with mean ``lam`` (shape ``(B, ...)``), by inversion.

        Inversion keeps one uniform per count, so a rep's count moves monotonically
        with its rate (a coupling that makes paired comparisons sharper). Rates above
        60 use the normal approximation with continuity correction.
        """
        lam = np.asarray(lam, dtype=np.float64)
        u = self.uniform(name, week, lam.shape[1:])
        return poisson_inverse(u, lam)


def poisson_inverse(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Poisson quantile function evaluated at ``u`` (vectorised inversion)."""
    lam = np.broadcast_to(lam, u.shape)
    big = lam > 60.0
    lam_s = np.where(big, 0.0, lam)
    p = np.exp(-lam_s)
    cdf = p.copy()
    k = np.zeros(u.shape, dtype=np.float64)
    todo = u > cdf
    i = 0
    while todo.any() and i < 200:
        i += 1
        p *= lam_s / i
        cdf += p
        k += todo
        todo &= (u > cdf) & (p > 1e-300)
    if big.any():
        from scipy.special import ndtri  # imported where used (scipy.special costs ~0.4 s at start-up)

        approx = np.floor(lam + np.sqrt(lam) * ndtri(u) + 0.5)
        k = np.where(big, np.maximum(approx, 0.0), k)
    return k
