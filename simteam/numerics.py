"""Shared compiled numerics (numba): random numbers, normal quantiles, Poisson, graph walks, the jit decorators.

No model equations live here: each mechanism's compiled kernel sits in its own module
(:mod:`simteam.selling`, :mod:`simteam.effort`, :mod:`simteam.people`, :mod:`simteam.turnover`,
:mod:`simteam.culture`; recording in :mod:`simteam.engine`) and calls these helpers.

Rules every kernel keeps:

* **Per-row independence.** A batch row reads only its own state and its own parameter
  values (per-row parameters arrive as one record per row, see :func:`row_params`), so a
  batch of R rows equals R single runs bit for bit.
* **Parameters by name.** Per-row parameters reach a kernel as a numpy structured array with
  one record per batch row whose field names are the equation's term names (``r.stress_head``);
  switches as a one-record structured array of booleans (:func:`flag_record`). Never by position.
* **Fixed summation order.** Team and segment sums add members in seat order, starting
  from the first member; the order does not depend on the batch size or the machine.
* **Counter-based random numbers.** A draw is ``f(row key, week, position)`` (see
  :mod:`simteam.streams`), computed where it is used; skipping a draw changes nothing.
* **The same special functions.** ``ndtri`` is the Cephes algorithm scipy uses (same
  coefficients and operation order: equal to ``scipy.special.ndtri`` bit for bit, tested);
  so is ``ndtr`` (through Cephes ``erf`` / ``erfc``); ``exp``,
  ``log``, ``log1p`` and ``expm1`` are the C library's. Noise draws inside the kernels (estimate
  noise, mood, deal value) use :func:`normal_fast` (Acklam, relative error < 1.2e-9, tested), the
  same on every machine.
"""

from __future__ import annotations

import functools
import math
import sys
import threading

import numpy as np

__all__ = ["jit", "inline", "mix64", "unit", "ndtri", "normal_fast", "ndtr", "draw", "draw_at", "poisson_inverse",
           "walk_active_toxic", "walk_morale_skill", "row_params", "flag_record", "WEEK_STRIDE",
           "kernels_ready", "make_ready", "registered_kernels"]


# ------------------------------------------------------------------------------------------------
# the jit decorators: numba is imported when a kernel is first used, not when simteam is imported
# ------------------------------------------------------------------------------------------------
# Importing numba takes 0.3-0.75 s, and every mechanism module (whose config dataclass the
# configuration needs) defines kernels. So ``@jit``/``@inline`` first only record the function
# (a :class:`LazyKernel`); the first call of any kernel (or a look at a dispatcher attribute such
# as ``.signatures``) imports numba, makes the numba dispatchers of every kernel recorded so far and
# rebinds the module names (``selling.selling_step``, ``kernels.ndtri``, ...) to them, so compiled
# kernels see each other as dispatchers and the engine's calls go straight to numba. Kernels
# decorated after that are numba dispatchers at once. The numerics are untouched.
#
# Compiled code is cached next to each module (__pycache__, or under NUMBA_CACHE_DIR), so a new
# process loads it instead of compiling (``python -m simteam.warmup`` fills the cache at set-up).
# ``error_model="numpy"``: a division by zero gives inf/nan as in numpy instead of a Python
# exception check on every division (every divisor here is guarded, as it was in the numpy code).
_JIT_OPTIONS = {"cache": True, "error_model": "numpy"}
#: For the small named pieces of a kernel (submodels): inlined into the caller at compile time.
_INLINE_OPTIONS = {"inline": "always", "cache": True, "error_model": "numpy"}

_KERNELS: list[LazyKernel] = []
_LOCK = threading.RLock()
_READY = False


class LazyKernel:
    """A kernel whose numba dispatcher is made on first use (see the comment above :func:`jit`).

    Calls and attribute look-ups (``.signatures``, ``.stats``, ...) go to the dispatcher; names
    bound in simteam's modules are replaced by the dispatcher itself when it is made.
    """

    def __init__(self, fn, options: dict):
        functools.update_wrapper(self, fn)
        self.py_func = fn
        self.options = options
        self.dispatcher = None

    def __call__(self, *args, **kwargs):
        return _dispatcher_of(self)(*args, **kwargs)

    def __getattr__(self, name):
        if name.startswith(("_", "pytest")):  # private names and tools' probes do not import numba
            raise AttributeError(name)
        return getattr(_dispatcher_of(self), name)

    def __repr__(self) -> str:
        state = "ready" if self.dispatcher is not None else "not imported yet"
        return f"<simteam kernel {self.__module__}.{self.__qualname__} ({state})>"


def _dispatcher_of(kernel: LazyKernel):
    if kernel.dispatcher is None:
        make_ready()
    return kernel.dispatcher


def _decorator(options: dict):
    def deco(fn=None, **extra):
        if fn is None:  # @jit(...) with extra numba options
            return lambda f: deco(f, **extra)
        opts = {**options, **extra}
        with _LOCK:
            kernel = LazyKernel(fn, opts)
            _KERNELS.append(kernel)
            if _READY:  # numba is there already: the dispatcher itself
                import numba

                kernel.dispatcher = numba.njit(**opts)(fn)
                return kernel.dispatcher
            return kernel

    return deco


def make_ready() -> None:
    """Import numba and make the dispatcher of every kernel defined so far (nothing is compiled yet:
    numba compiles, or loads from its cache, per argument types at the first call).

    Called by the first use of any kernel; safe to call again.
    """
    global _READY
    if _READY:
        return
    with _LOCK:
        if _READY:
            return
        import numba

        for k in _KERNELS:
            k.dispatcher = numba.njit(**k.options)(k.py_func)
        # rebind every name that holds a kernel: in simteam's modules and in the modules defining kernels
        spaces = {id(k.py_func.__globals__): k.py_func.__globals__ for k in _KERNELS}
        for name, mod in list(sys.modules.items()):
            if name == "simteam" or name.startswith("simteam."):
                d = getattr(mod, "__dict__", None)
                if isinstance(d, dict):
                    spaces[id(d)] = d
        for d in spaces.values():
            for name, value in list(d.items()):
                if type(value) is LazyKernel:
                    d[name] = value.dispatcher
        try:
            refresh_cache([k.dispatcher for k in _KERNELS], kernel_sources())
        except OSError:  # a read-only cache folder: numba itself then compiles in memory
            pass
        _READY = True


_STAMP = "simteam-kernel-sources.txt"


def kernel_sources() -> list[str]:
    """The package's modules that define kernels (a line starting ``@jit`` or ``@inline``), whether
    imported or not, so every process computes the same digest in :func:`refresh_cache`."""
    import re
    from pathlib import Path

    deco = re.compile(r"^@_?(?:jit|inline)\b", re.M)
    return sorted(str(f) for f in Path(__file__).resolve().parent.glob("*.py") if deco.search(f.read_text()))


def refresh_cache(dispatchers, files) -> list[str]:
    """Delete cached kernels compiled from other versions of the kernel modules; the removed file names.

    numba checks a cached kernel against its own source file only ("cache invalidation fails to
    recognize changes in symbols defined in a different file", numba's notes on caching), while the
    kernels here inline helpers from other modules (``numerics.unit``, ``numerics.ndtri`` ...): after
    an edit of :mod:`simteam.numerics`, ``selling_step`` would be loaded from the cache with the old
    helper inlined. So a digest of every kernel module's source is kept next to the cache
    (``simteam-kernel-sources.txt``); when it differs, the cache files of those modules are removed
    and numba compiles them again (``python -m simteam.warmup`` does it at set-up).
    """
    import hashlib
    from pathlib import Path

    files = sorted(set(files))
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.encode() + b"\0" + Path(f).read_bytes() + b"\0")
    text = digest.hexdigest() + "\n"
    stems = {Path(f).stem for f in files}
    removed = []
    for folder in sorted({str(d.stats.cache_path) for d in dispatchers if getattr(d, "stats", None)}):
        stamp = Path(folder) / _STAMP
        Path(folder).mkdir(parents=True, exist_ok=True)
        if stamp.is_file() and stamp.read_text() == text:
            continue
        for entry in Path(folder).iterdir():
            stem = entry.name.split(".", 1)[0]
            if stem in stems and entry.suffix in (".nbi", ".nbc"):
                entry.unlink(missing_ok=True)
                removed.append(entry.name)
        from .io import write_text  # the one atomic writer (stdlib imports only)

        write_text(text, stamp)
    return removed


def kernels_ready() -> bool:
    """Whether numba has been imported and the kernels' dispatchers exist (see :func:`make_ready`)."""
    return _READY


def registered_kernels() -> list[tuple[str, object, bool]]:
    """``(module.name, dispatcher, inlined)`` of every kernel defined with :func:`jit` / :func:`inline`."""
    make_ready()
    return [(f"{k.__module__}.{k.__qualname__}", k.dispatcher, k.options.get("inline") == "always")
            for k in _KERNELS]


#: ``@jit``: a compiled kernel (numba ``njit`` with ``cache=True, error_model="numpy"``), made on first use.
jit = _decorator(_JIT_OPTIONS)
#: ``@inline``: a small named piece of a kernel (a submodel), inlined into the caller at compile time.
inline = _decorator(_INLINE_OPTIONS)
_jit, _inline = jit, inline


def row_params(names: tuple[str, ...], terms: dict, B: int) -> np.ndarray:
    """One record per batch row with a float64 field per name: ``terms[name]`` (scalar or (B, 1)) per row.

    The dtype is built from ``names`` alone, so every call with the same names gives the same
    numba type (one compiled version of the kernel).
    """
    rec = np.empty(B, dtype=np.dtype([(n, np.float64) for n in names]))
    for n in names:
        rec[n] = np.broadcast_to(np.asarray(terms[n], dtype=np.float64).reshape(-1), (B,))
    return rec


def flag_record(names: tuple[str, ...], values: dict) -> np.ndarray:
    """A one-record structured array of booleans (a kernel's switches, read by name: ``flags[0].stress``)."""
    rec = np.zeros(1, dtype=np.dtype([(n, np.bool_) for n in names]))
    for n in names:
        rec[n] = bool(values[n])
    return rec

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53
WEEK_STRIDE = np.uint64(0x100000000)  # 2**32 numbers per week per decision



# ------------------------------------------------------------------------------------------------
# random numbers
# ------------------------------------------------------------------------------------------------
@_inline
def mix64(z):
    """SplitMix64 finaliser of one uint64."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@_inline
def unit(key, base, j):
    """The uniform number in (0, 1) at position ``j`` of a decision's stream in one week.

    ``key`` is the row's key for the decision, ``base = week * 2**32``.
    """
    c = mix64((np.uint64(j) + base) * _GAMMA)
    z = mix64(key ^ c)
    return (np.float64(z >> _S11) + 0.5) * _TO_UNIT


# Cephes ndtri (inverse of the standard normal CDF) and ndtr, as in scipy.special
_EXPM2 = 0.13533528323661269189  # exp(-2)
_S2PI = 2.50662827463100050242E0


# The Cephes polynomials written out (Horner's rule: the same operations as polevl / p1evl, with
# the coefficients as constants, which the compiler schedules better than a loop over an array).
@_inline
def _p0(x):  # ndtri, central: numerator
    return ((((-59.96335010141079 * x + 98.00107541859997) * x + -56.67628574690703) * x + 13.931260938727968) * x + -1.2391658386738125)


@_inline
def _q0(x):  # ndtri, central: denominator
    return ((((((((x + 1.9544885833814176) * x + 4.676279128988815) * x + 86.36024213908905) * x + -225.46268785411937) * x + 200.26021238006066) * x + -82.03722561683334) * x + 15.90562251262117) * x + -1.1833162112133)


@_inline
def _p1(x):  # ndtri, tail x < 8: numerator
    return ((((((((4.0554489230596245 * x + 31.525109459989388) * x + 57.16281922464213) * x + 44.08050738932008) * x + 14.684956192885803) * x + 2.1866330685079025) * x + -0.1402560791713545) * x + -0.03504246268278482) * x + -0.0008574567851546854)


@_inline
def _q1(x):  # ndtri, tail x < 8: denominator
    return ((((((((x + 15.779988325646675) * x + 45.39076351288792) * x + 41.3172038254672) * x + 15.04253856929075) * x + 2.504649462083094) * x + -0.14218292285478779) * x + -0.03808064076915783) * x + -0.0009332594808954574)


@_inline
def _p2(x):  # ndtri, far tail: numerator
    return ((((((((3.2377489177694603 * x + 6.915228890689842) * x + 3.9388102529247444) * x + 1.3330346081580755) * x + 0.20148538954917908) * x + 0.012371663481782003) * x + 0.00030158155350823543) * x + 2.6580697468673755e-06) * x + 6.239745391849833e-09)


@_inline
def _q2(x):  # ndtri, far tail: denominator
    return ((((((((x + 6.02427039364742) * x + 3.6798356385616087) * x + 1.3770209948908132) * x + 0.21623699359449663) * x + 0.013420400608854318) * x + 0.00032801446468212774) * x + 2.8924786474538068e-06) * x + 6.790194080099813e-09)


@_inline
def _np(x):  # erfc, 1 <= x < 8: numerator
    return ((((((((2.461969814735305e-10 * x + 0.5641895648310689) * x + 7.463210564422699) * x + 48.63719709856814) * x + 196.5208329560771) * x + 526.4451949954773) * x + 934.5285271719576) * x + 1027.5518868951572) * x + 557.5353353693994)


@_inline
def _nq(x):  # erfc, 1 <= x < 8: denominator
    return ((((((((x + 13.228195115474499) * x + 86.70721408859897) * x + 354.9377788878199) * x + 975.7085017432055) * x + 1823.9091668790973) * x + 2246.3376081871097) * x + 1656.6630919416134) * x + 557.5353408177277)


@_inline
def _nr(x):  # erfc, x >= 8: numerator
    return (((((0.5641895835477551 * x + 1.275366707599781) * x + 5.019050422511805) * x + 6.160210979930536) * x + 7.4097426995044895) * x + 2.9788666537210022)


@_inline
def _ns(x):  # erfc, x >= 8: denominator
    return ((((((x + 2.2605286322011726) * x + 9.396035249380015) * x + 12.048953980809666) * x + 17.08144507475659) * x + 9.608968090632859) * x + 3.369076451000815)


@_inline
def _nt(x):  # erf, |x| < 1: numerator
    return ((((9.604973739870516 * x + 90.02601972038427) * x + 2232.005345946843) * x + 7003.325141128051) * x + 55592.30130103949)


@_inline
def _nu(x):  # erf, |x| < 1: denominator
    return (((((x + 33.56171416475031) * x + 521.3579497801527) * x + 4594.323829709801) * x + 22629.000061389095) * x + 49267.39426086359)


@_inline
def ndtri(y0):
    """Inverse standard normal CDF (Cephes, as scipy.special.ndtri)."""
    if y0 <= 0.0 or y0 >= 1.0:
        if y0 == 0.0:
            return -np.inf
        if y0 == 1.0:
            return np.inf
        return np.nan
    negate = True
    y = y0
    if y > 1.0 - _EXPM2:
        y = 1.0 - y
        negate = False
    if y > _EXPM2:
        y = y - 0.5
        y2 = y * y
        x = y + y * (y2 * _p0(y2) / _q0(y2))
        return x * _S2PI
    x = math.sqrt(-2.0 * math.log(y))
    x0 = x - math.log(x) / x
    z = 1.0 / x
    if x < 8.0:
        x1 = z * _p1(z) / _q1(z)
    else:
        x1 = z * _p2(z) / _q2(z)
    x = x0 - x1
    return -x if negate else x


# Acklam's rational approximation of the inverse normal CDF (relative error below 1.2e-9 over (0, 1);
# P. J. Acklam, "An algorithm for computing the inverse normal cumulative distribution function", an
# unpublished web note from the early 2000s; the coefficients as widely reproduced, and the error bound
# checked here against scipy by tests/test_kernels.py). One rational function covers 95% of draws (Cephes' central branch: 73%),
# and each tail needs one log and one square root (Cephes: two logs).
_A0, _A1, _A2 = -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02
_A3, _A4, _A5 = 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00
_B0, _B1, _B2 = -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02
_B3, _B4 = 6.680131188771972e+01, -1.328068155288572e+01
_C0, _C1, _C2 = -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00
_C3, _C4, _C5 = -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00
_D0, _D1, _D2, _D3 = 7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00
_P_LOW = 0.02425


@_inline
def normal_fast(p):
    """Standard normal quantile at ``p`` in (0, 1) for noise draws (Acklam; |relative error| < 1.2e-9).

    About 2.7x cheaper than :func:`ndtri` on this machine (6 against 16 ns). Used where a draw is
    noise and its last bits do not matter (the leader's estimate noise, the weekly mood, deal-value
    noise); :func:`ndtri` (Cephes, equal to scipy) stays for the selection gain and the Poisson
    approximation and for :func:`draw` / :func:`draw_at`.
    """
    if p < _P_LOW:
        q = math.sqrt(-2.0 * math.log(p))
        return (((((_C0 * q + _C1) * q + _C2) * q + _C3) * q + _C4) * q + _C5) / \
            ((((_D0 * q + _D1) * q + _D2) * q + _D3) * q + 1.0)
    if p > 1.0 - _P_LOW:
        q = math.sqrt(-2.0 * math.log1p(-p))
        return -(((((_C0 * q + _C1) * q + _C2) * q + _C3) * q + _C4) * q + _C5) / \
            ((((_D0 * q + _D1) * q + _D2) * q + _D3) * q + 1.0)
    q = p - 0.5
    r = q * q
    return (((((_A0 * r + _A1) * r + _A2) * r + _A3) * r + _A4) * r + _A5) * q / \
        (((((_B0 * r + _B1) * r + _B2) * r + _B3) * r + _B4) * r + 1.0)


_MAXLOG = 7.09782712893383996843E2
_SQRT1_2 = 0.70710678118654752440


@_jit
def _erfc_pos(a):
    """erfc(a) for a >= 1 (the only branch ndtr needs)."""
    z = -a * a
    if z < -_MAXLOG:
        return 0.0
    z = math.exp(z)
    if a < 8.0:
        p = _np(a)
        q = _nq(a)
    else:
        p = _nr(a)
        q = _ns(a)
    return (z * p) / q


@_jit
def _erf_small(x):
    """erf(x) for |x| < 1."""
    if x < 0.0:
        return -_erf_small(-x)
    z = x * x
    return x * _nt(z) / _nu(z)


@_jit
def ndtr(a):
    """Standard normal CDF (Cephes, as scipy.special.ndtr)."""
    if math.isnan(a):
        return a
    x = a * _SQRT1_2
    z = abs(x)
    if z < 1.0:
        return 0.5 + 0.5 * _erf_small(x)
    y = 0.5 * _erfc_pos(z)
    return 1.0 - y if x > 0 else y


@_jit
def draw(keys, base, n, normal, mask, use_mask, fill, out):
    """Fill ``out`` (B, n) with uniform (``normal=False``) or standard normal numbers.

    With ``use_mask``, ``mask`` (B, n) selects the positions to compute; the others get ``fill``.
    """
    B = keys.shape[0]
    for b in range(B):
        k = keys[b]
        for j in range(n):
            if not use_mask or mask[b, j]:
                u = unit(k, base, j)
                out[b, j] = ndtri(u) if normal else u
            else:
                out[b, j] = fill


@_inline
def poisson_inverse(u, lam):
    """Poisson quantile at ``u`` (inversion; normal approximation above 60), as streams.poisson_inverse."""
    if lam > 60.0:
        approx = math.floor(lam + math.sqrt(lam) * ndtri(u) + 0.5)
        return max(approx, 0.0)
    p = math.exp(-lam)
    cdf = p
    k = 0.0
    i = 0
    todo = u > cdf
    while todo and i < 200:
        i += 1
        p *= lam / i
        cdf += p
        k += 1.0
        todo = (u > cdf) and (p > 1e-300)
    return k



@_jit
def draw_at(keys, base, rows, js, normal, out):
    """Uniform or normal numbers at positions ``(rows[q], js[q])`` of a decision's stream in one week."""
    for q in range(rows.shape[0]):
        u = unit(keys[rows[q]], base, js[q])
        out[q] = ndtri(u) if normal else u


# ------------------------------------------------------------------------------------------------
# graph sums
# ------------------------------------------------------------------------------------------------
@_inline
def walk_active_toxic(i, b, active, toxic, a_ptr, a_idx, a_val):
    """Seat i's filled peers and toxic filled peers, summed in CSR order (vacant seats add exactly 0)."""
    sa = 0.0
    sx = 0.0
    for jj in range(a_ptr[i], a_ptr[i + 1]):
        j = a_idx[jj]
        if active[b, j]:
            sa += a_val[jj] * 1.0
            sx += a_val[jj] * (1.0 if toxic[b, j] else 0.0)
    return sa, sx


@_inline
def walk_morale_skill(i, b, active, morale, skill, a_ptr, a_idx, a_val):
    """Sums of the filled peers' morale and skill in CSR order (vacant seats add exactly 0)."""
    sm = 0.0
    ss = 0.0
    for jj in range(a_ptr[i], a_ptr[i + 1]):
        j = a_idx[jj]
        if active[b, j]:
            sm += a_val[jj] * (morale[b, j] * 1.0)
            ss += a_val[jj] * (skill[b, j] * 1.0)
    return sm, ss

