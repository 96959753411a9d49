"""Parameter uncertainty, propagated: how much of an outcome's spread is luck and how much is not knowing
the effect sizes.

A table of ranges (:class:`Uncertainty`, read from ``simteam/conf/uncertainty/<name>.yaml`` or a dict)
gives each uncertain parameter a distribution. :func:`simteam.run` with ``uncertainty=`` runs a
two-level design: ``K`` parameter draws x ``R`` luck replications, as one batch through
:func:`simteam.sim.run_points` (a draw is a sweep point):

* draw ``k`` of parameter ``p`` is the inverse distribution function of the uniform number of the
  stream ``uncertainty:<p>`` of seed ``seed + k`` (:class:`simteam.streams.Streams`): it depends only on
  the seed, ``k`` and the parameter's name, never on the strategy, the batch size, the chunking or the
  other parameters in the table;
* replication ``r`` of every draw runs on seed ``seed + r`` (the luck), so the design is *crossed*: every
  draw sees the same R futures, and two strategies run with the same seed share both the draws and the
  futures (common random numbers on both levels).

:func:`decompose` splits the variance of an outcome (or of a paired difference between two strategies,
:func:`compare`) with the two-way random-effects ANOVA of the K x R table ``y[k, r] = m + a_k + b_r + e_kr``
(Searle, Casella & McCulloch 1992, ch. 4): the *luck* part is the mean within-draw variance
(``var(b) + var(e)``), the *assumption* part is the variance of the expected outcome across draws,
``var(a)``, estimated without the luck noise that the K draw means still carry:
``var_k(mean_k) - MS_E / R`` with the interaction mean square ``MS_E``. This is the ANOVA estimator of
O'Hagan, Stevenson & Madan (2007) for nested probabilistic sensitivity analysis, in its crossed form: with
common random numbers across draws the luck main effect cancels from the draw means and only the
interaction has to be subtracted (see also Zouaoui & Wilson 2003; Ankenman & Nelson 2012). With ranges of
zero width every draw is the plain run, bit for bit.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .config import ConfigError, SimConfig, did_you_mean, field_at, get_path

__all__ = ["DISTS", "Range", "Uncertainty", "available", "compare", "decompose", "load_uncertainty",
           "summary_table"]

#: Distributions and the fields each takes (besides ``dist``, ``relative``, ``source``).
DISTS = {"uniform": ("low", "high"), "triangular": ("low", "mode", "high"), "loguniform": ("low", "high"),
         "normal": ("mean", "sd", "low", "high"), "fixed": ("value",)}
_FIELDS = ("dist", "low", "high", "mode", "mean", "sd", "value", "relative", "source", "label")
CONF_DIR = Path(__file__).resolve().parent / "conf" / "uncertainty"


def available() -> list[str]:
    """Names of the packaged range tables (``simteam/conf/uncertainty/*.yaml``)."""
    return sorted(p.stem for p in CONF_DIR.glob("*.yaml"))


def _num(where: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not math.isfinite(v):
        raise ConfigError(f"{where}: expected a finite number, got {v!r}")
    return float(v)


@dataclass(frozen=True)
class Range:
    """The distribution of one uncertain parameter.

    ``relative``: the numbers are multiples of the configuration's own value of the parameter.
    """

    param: str
    dist: str = "uniform"
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = None
    value: float | None = None
    relative: bool = False
    source: str = "assumption"
    label: str = ""

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Values (in the range's own units: multiples when ``relative``) at uniform numbers ``u``."""
        u = np.asarray(u, dtype=float)
        lo, hi = self.low, self.high
        if self.dist == "fixed":
            return np.full(u.shape, self.value)
        if self.dist == "uniform":
            return lo + u * (hi - lo)
        if self.dist == "loguniform":
            return np.exp(np.log(lo) + u * (np.log(hi) - np.log(lo))) if hi > lo else np.full(u.shape, lo)
        if self.dist == "triangular":
            if hi == lo:
                return np.full(u.shape, lo)
            c = (self.mode - lo) / (hi - lo)
            return np.where(u < c, lo + np.sqrt(u * (hi - lo) * (self.mode - lo)),
                            hi - np.sqrt((1 - u) * (hi - lo) * (hi - self.mode)))
        # normal, truncated to [low, high] when given
        if self.sd == 0:
            return np.full(u.shape, self.mean)
        from scipy import stats

        a = stats.norm.cdf((lo - self.mean) / self.sd) if lo is not None else 0.0
        b = stats.norm.cdf((hi - self.mean) / self.sd) if hi is not None else 1.0
        return self.mean + self.sd * stats.norm.ppf(a + u * (b - a))

    def bounds(self) -> tuple[float, float]:
        """The smallest and largest value a draw can take (in the range's own units)."""
        if self.dist == "fixed":
            return self.value, self.value
        if self.dist == "normal":
            lo = self.low if self.low is not None else self.mean - 8 * self.sd
            hi = self.high if self.high is not None else self.mean + 8 * self.sd
            return lo, hi
        return self.low, self.high

    def describe(self) -> str:
        """The range in a few words, e.g. ``uniform 0.5-1.5 x value``."""
        x = " x value" if self.relative else ""
        if self.dist == "fixed":
            return f"fixed {self.value:g}{x}"
        if self.dist == "normal":
            t = f" in [{self.low if self.low is not None else '-inf'}, {self.high if self.high is not None else 'inf'}]"
            return f"normal mean {self.mean:g} sd {self.sd:g}{t}{x}"
        if self.dist == "triangular":
            return f"triangular {self.low:g}-{self.mode:g}-{self.high:g}{x}"
        return f"{self.dist} {self.low:g}-{self.high:g}{x}"


def _check_range(name: str, spec: Any, cfg: SimConfig) -> Range:
    where = f"uncertainty.ranges.{name}"
    _param_field(where, name, cfg)
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}: expected a mapping with dist and its numbers (e.g. {{dist: uniform, low: 0.5, "
                          f"high: 1.5, relative: true}}), got {spec!r}"[:300])
    for k in spec:
        if k not in _FIELDS:
            raise ConfigError(f"{where}.{k}: unknown field{did_you_mean(str(k), _FIELDS) or '.'} "
                              f"Allowed: {', '.join(_FIELDS)}")
    dist = spec.get("dist", "uniform")
    if dist not in DISTS:
        raise ConfigError(f"{where}.dist: {dist!r} is not a distribution; choose one of {', '.join(DISTS)}")
    need = {"uniform": ("low", "high"), "triangular": ("low", "mode", "high"), "loguniform": ("low", "high"),
            "normal": ("mean", "sd"), "fixed": ("value",)}[dist]
    for k in need:
        if spec.get(k) is None:
            raise ConfigError(f"{where}.{k}: missing; a {dist} range needs {', '.join(need)}")
    for k in spec:
        if k in ("low", "high", "mode", "mean", "sd", "value") and spec[k] is not None and k not in DISTS[dist]:
            raise ConfigError(f"{where}.{k}: not a field of a {dist} range; it takes {', '.join(DISTS[dist])}")
    vals = {k: (_num(f"{where}.{k}", spec[k]) if spec.get(k) is not None else None)
            for k in ("low", "high", "mode", "mean", "sd", "value")}
    lo, hi = vals["low"], vals["high"]
    if lo is not None and hi is not None and lo > hi:
        raise ConfigError(f"{where}.low: {lo:g} is above high {hi:g}; allowed: low <= high")
    if dist == "triangular" and not lo <= vals["mode"] <= hi:
        raise ConfigError(f"{where}.mode: {vals['mode']:g} is outside [low, high] = [{lo:g}, {hi:g}]")
    if dist == "loguniform" and lo <= 0:
        raise ConfigError(f"{where}.low: {lo:g} is not allowed for loguniform; allowed: low > 0")
    if dist == "normal":
        if vals["sd"] < 0:
            raise ConfigError(f"{where}.sd: {vals['sd']:g} is negative; allowed: sd >= 0")
        if lo is not None and hi is not None and vals["sd"] > 0 and lo == hi:
            raise ConfigError(f"{where}.low: equals high; a truncated normal needs low < high (or sd: 0)")
    rel = spec.get("relative", False)
    if not isinstance(rel, bool):
        raise ConfigError(f"{where}.relative: expected true or false, got {rel!r}")
    src = spec.get("source", "assumption")
    if not isinstance(src, str) or not src.strip():
        raise ConfigError(f"{where}.source: expected text (a reference, or 'assumption'), got {src!r}")
    r = Range(param=name, dist=dist, relative=rel, source=" ".join(src.split()), label=str(spec.get("label", "")),
              **vals)
    return r


def _param_field(where: str, path: str, cfg: SimConfig):
    """The dataclass field of a parameter that can vary per batch row; ConfigError naming it otherwise."""
    if not isinstance(path, str) or not path:
        raise ConfigError(f"uncertainty.ranges: parameter names are dotted paths (text), got {path!r}")
    f = field_at(cfg, path, where, end=".")
    if str(f.type) != "float" or path.split(".")[0] == "team":
        raise ConfigError(f"{where}: not an uncertain-able parameter; allowed: numeric (float) model "
                          f"parameters outside team.* (whole numbers and the team structure are the same "
                          f"in every row of a batch)")
    return f


@dataclass(frozen=True)
class Uncertainty:
    """A table of parameter ranges and the number of parameter draws."""

    ranges: tuple[Range, ...]
    draws: int = 16
    name: str = ""

    @property
    def params(self) -> list[str]:
        return [r.param for r in self.ranges]

    def values(self, cfg: SimConfig, seed: int, draws: int | None = None) -> dict[str, np.ndarray]:
        """The parameter values of draws ``0..K-1``: path -> (K,) array.

        Draw ``k`` of parameter ``p`` comes from the uniform number of stream ``uncertainty:<p>`` of
        seed ``seed + k`` (a pure function of the seed, k and the name), mapped through the range's
        inverse distribution function; a relative range multiplies the configuration's value.

        Raises:
            ConfigError: when a draw would fall outside the parameter's allowed range.
        """
        from .streams import Streams

        K = int(self.draws if draws is None else draws)
        rng = Streams(int(seed) + np.arange(K, dtype=np.int64))
        out = {}
        for r in self.ranges:
            base = float(get_path(cfg, r.param))
            f = _param_field(f"uncertainty.ranges.{r.param}", r.param, cfg)
            lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
            b_lo, b_hi = (base * x for x in r.bounds()) if r.relative else r.bounds()
            b_lo, b_hi = min(b_lo, b_hi), max(b_lo, b_hi)
            if (lo is not None and b_lo < lo) or (hi is not None and b_hi > hi):
                raise ConfigError(f"uncertainty.ranges.{r.param}: {r.describe()} reaches {b_lo:g}-{b_hi:g}"
                                  f"{f' (value {base:g})' if r.relative else ''}, outside the parameter's "
                                  f"allowed {lo}-{hi}")
            u = rng.uniform(f"uncertainty:{r.param}", 0, ())
            v = r.ppf(u)
            out[r.param] = base * v if r.relative else v
        return out

    def table(self) -> "Any":
        """The ranges as a table: parameter, distribution, range, relative, source."""
        import pandas as pd

        return pd.DataFrame([{"parameter": r.param, "dist": r.dist, "range": r.describe(), "relative": r.relative,
                              "source": r.source} for r in self.ranges])


def load_uncertainty(spec: Any, cfg: SimConfig | None = None, draws: int | None = None) -> Uncertainty:
    """An :class:`Uncertainty` from a packaged name (``"evidence"``), a YAML path, a dict or an Uncertainty.

    A dict has ``ranges`` (parameter -> {dist, low, high, ...}) and optional ``draws``; a dict without
    ``ranges`` is read as the ranges themselves. ``draws`` overrides the table's number of draws.

    Raises:
        ConfigError: one line naming the field (unknown parameter, low > high, bad distribution, ...).
    """
    cfg = cfg if cfg is not None else SimConfig()
    name = ""
    if isinstance(spec, Uncertainty):
        u = spec
        if draws is not None:
            u = dataclasses.replace(u, draws=_draws(draws))
        for r in u.ranges:
            _param_field(f"uncertainty.ranges.{r.param}", r.param, cfg)
        return u
    if isinstance(spec, (str, os.PathLike)):
        p = Path(spec)
        if isinstance(spec, str) and (CONF_DIR / f"{spec}.yaml").is_file() and not p.is_file():
            p = CONF_DIR / f"{spec}.yaml"
        if not p.is_file():
            raise ConfigError(f"uncertainty: {str(spec)!r} is neither a packaged table ({', '.join(available())}) "
                              f"nor a YAML file")
        import yaml

        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as ex:
            raise ConfigError(f"uncertainty: cannot read {str(p)!r}: {' '.join(str(ex).split())[:200]}") from None
        name = p.stem
        spec = data
    if not isinstance(spec, dict):
        raise ConfigError(f"uncertainty: expected a table name ({', '.join(available())}), a YAML path or a mapping "
                          f"with ranges:, got {type(spec).__name__}")
    spec = dict(spec)
    if "ranges" not in spec:
        spec = {"ranges": spec}
    for k in spec:
        if k not in ("ranges", "draws", "name"):
            raise ConfigError(f"uncertainty.{k}: unknown field{did_you_mean(str(k), ('ranges', 'draws')) or '.'} "
                              f"Allowed: ranges, draws")
    ranges = spec["ranges"]
    if not isinstance(ranges, dict) or not ranges:
        raise ConfigError(f"uncertainty.ranges: expected a mapping parameter -> range with at least one entry, "
                          f"got {ranges!r}"[:200])
    rs = tuple(_check_range(k, v, cfg) for k, v in _flatten(ranges).items())
    K = _draws(draws if draws is not None else spec.get("draws", 16))
    return Uncertainty(rs, K, str(spec.get("name") or name))


def _flatten(ranges: dict, prefix: str = "") -> dict:
    """``{people: {quit_morale: {...}}}`` and ``{"people.quit_morale": {...}}`` alike -> dotted path -> spec.

    A mapping is a range when it has a field of a range (``dist``, ``low``, ``high``, ...), else a section;
    the nested form lets the command line override one number (``uncertainty.ranges.people.quit_morale.low=0.4``).
    """
    out = {}
    for k, v in ranges.items():
        path = f"{prefix}{k}"
        if isinstance(v, dict) and v and not any(f in v for f in _FIELDS):
            out.update(_flatten(v, path + "."))
        else:
            out[path] = v
    return out


def _draws(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 1 <= v <= 100_000:
        raise ConfigError(f"uncertainty.draws: expected a whole number from 1 to 100000, got {v!r}")
    return int(v)


# ----------------------------------------------------------------------------------------------
# Analysis: luck vs assumptions
# ----------------------------------------------------------------------------------------------
def _table(res, column: str) -> np.ndarray:
    """The K x R table of a summary column of a run with uncertainty (replications with NaN in any draw dropped)."""
    s = res.summary
    if "draw" not in s.columns:
        raise ValueError("this run has no parameter draws: run with uncertainty=... (simteam.run)")
    K = int(s["draw"].max()) + 1
    y = s[column].to_numpy(dtype=float).reshape(K, -1)
    return y[:, ~np.isnan(y).any(axis=0)]


def decompose(y: np.ndarray, confidence: float = 0.95) -> dict[str, float]:
    """Luck vs assumption variance of a K draws x R replications table ``y[k, r]`` (crossed design).

    Returns:
        ``mean`` with ``lo``/``hi`` (interval of the mean over draws and luck), ``var_luck`` (mean
        within-draw variance), ``var_assumptions`` (variance of the expected outcome across draws, the
        luck noise of the draw means removed), ``share_assumptions`` (of their sum), ``luck_lo``/``luck_hi``
        (central ``confidence`` range of one future's outcome from luck alone: each draw's quantiles over its
        R futures, averaged over the draws),
        ``assumptions_lo``/``assumptions_hi`` (range of the expected outcome over the parameter draws, the
        draw means shrunk by the share of their spread that is not luck), ``total_lo``/``total_hi``
        (range of all K x R outcomes), ``K``, ``R``.
    """
    from scipy import stats

    y = np.asarray(y, dtype=float)
    K, R = y.shape
    m = float(y.mean()) if y.size else float("nan")
    out = {"mean": m, "K": int(K), "R": int(R)}
    q = ((1 - confidence) / 2, (1 + confidence) / 2)
    nan = float("nan")
    if K < 1 or R < 2:
        out.update(lo=nan, hi=nan, var_luck=nan, var_assumptions=nan, share_assumptions=nan, luck_lo=nan,
                   luck_hi=nan, assumptions_lo=nan, assumptions_hi=nan, total_lo=nan, total_hi=nan)
        return out
    dm = y.mean(axis=1)                                   # draw means: expected outcome per draw (+ luck noise)
    rm = y.mean(axis=0)                                   # replication means (luck shared by all draws)
    within = y - dm[:, None]
    var_luck = float((within ** 2).sum() / (K * (R - 1)))
    if K >= 2:
        resid = within - (rm - m)[None, :]
        ms_e = float((resid ** 2).sum() / ((K - 1) * (R - 1)))
        var_dm = float(dm.var(ddof=1))
        var_a = max(0.0, var_dm - ms_e / R)
        ms_a, ms_b = R * var_dm, K * float(rm.var(ddof=1))
        var_mean = max((ms_a + ms_b - ms_e) / (K * R), 0.0)
        # Satterthwaite degrees of freedom of that combination of mean squares
        den = ms_a ** 2 / (K - 1) + ms_b ** 2 / (R - 1) + ms_e ** 2 / ((K - 1) * (R - 1))
        dof = (ms_a + ms_b - ms_e) ** 2 / den if den > 0 else K * R - 1
        shrink = math.sqrt(var_a / var_dm) if var_dm > 0 else 0.0
        a_lo, a_hi = (m + shrink * (np.quantile(dm, q) - m)).tolist()
    else:
        var_a, var_mean, dof = 0.0, var_luck / R, R - 1
        a_lo = a_hi = m
    tq = float(stats.t.ppf(q[1], max(dof, 1.0)))
    half = tq * math.sqrt(var_mean)
    l_lo, l_hi = np.quantile(y, q, axis=1).mean(axis=1).tolist()  # each draw's luck range, averaged over draws
    t_lo, t_hi = np.quantile(y, q).tolist()
    tot = var_a + var_luck
    out.update(lo=m - half, hi=m + half, var_luck=var_luck, var_assumptions=var_a,
               share_assumptions=(var_a / tot if tot > 0 else 0.0), luck_lo=l_lo, luck_hi=l_hi,
               assumptions_lo=a_lo, assumptions_hi=a_hi, total_lo=t_lo, total_hi=t_hi)
    return out


def summary_table(res, columns=("revenue", "turnover_annual", "quota_share", "morale_final"),
                  confidence: float = 0.95):
    """One row per outcome of a run with uncertainty: mean, interval, luck vs assumption ranges and shares."""
    import pandas as pd

    return pd.DataFrame([{"metric": c, **decompose(_table(res, c), confidence)} for c in columns])


def compare(a, b, columns=("revenue", "turnover_annual", "quota_share", "morale_final"),
            confidence: float = 0.95):
    """Paired differences ``b - a`` of two runs with the same uncertainty, seed and sizes, split into luck and
    assumptions (:func:`decompose` of the K x R table of differences).

    Extra columns: ``p_better_draws`` (share of parameter draws whose expected difference is above zero) and
    ``p_better_futures`` (share of all K x R futures with a difference above zero).
    """
    import pandas as pd

    for k in ("draw", "seed"):
        if k not in a.summary or k not in b.summary:
            raise ValueError("compare: both runs need parameter draws (simteam.run(..., uncertainty=...))")
    if not (np.array_equal(a.summary["draw"], b.summary["draw"]) and np.array_equal(a.seeds, b.seeds)):
        raise ValueError("compare: the two runs are not paired; run both with the same seed, replications and draws")
    pa = {k: a.summary[k].to_numpy() for k in a.points if k not in ("point", "draw")}
    pb = {k: b.summary[k].to_numpy() for k in b.points if k not in ("point", "draw")}
    shared = [k for k in pa if k in pb and np.array_equal(pa[k], pb[k])]
    rows = []
    for c in columns:
        K = int(a.summary["draw"].max()) + 1
        d = (b.summary[c].to_numpy(dtype=float) - a.summary[c].to_numpy(dtype=float)).reshape(K, -1)
        d = d[:, ~np.isnan(d).any(axis=0)]
        row = {"metric": c, **decompose(d, confidence)}
        row["p_better_draws"] = float(np.mean(d.mean(axis=1) > 0)) if d.size else float("nan")
        row["p_better_futures"] = float(np.mean(d > 0)) if d.size else float("nan")
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs["shared_draws"] = shared
    return out
