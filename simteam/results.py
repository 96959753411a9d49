"""Tidy result tables: one summary row per replication, a long weekly table, optional per-rep panel.

:class:`Results` holds the raw arrays and builds pandas tables on demand:

* ``summary``: one row per batch row (replication, or point x replication) with the
  run's seed, swept parameters and summary outcomes (:data:`SUMMARY_COLUMNS`);
* ``timeseries``: one row per batch row and week with every weekly series;
* ``panel``: one row per batch row, week and seat (only with ``panel=True``);
* ``reduce()``: median and quantile bands per week (Starsim's ``MultiSim.reduce``);
* ``paired(other)``: paired differences on the same seeds with 95% intervals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._lazy import lazy_module

pd = lazy_module("pandas")  # imported when a table is built

__all__ = ["Results", "SUMMARY_COLUMNS", "summarise", "recovery", "paired_difference"]

#: Summary outcomes per replication (name -> meaning).
SUMMARY_COLUMNS = {
    "revenue": "total revenue over the horizon (k$)",
    "revenue_per_seat_year": "revenue per seat per year (k$)",
    "deals": "deals won",
    "turnover_annual": "exits (quits, layoffs, dismissals) per year / mean headcount",
    "quit_rate_annual": "voluntary quits per year / mean headcount",
    "quota_share": "share of rep-years (13+ weeks) at or above their prorated, ramped quota",
    "top20_revenue_share": "share of annual revenue won by the top 20% of seats (mean over years)",
    "morale_final": "mean morale in the last week",
    "trust_final": "mean trust in the last week",
    "skill_final": "mean skill in the last week",
    "stress_final": "mean stress in the last week",
    "adoption_final": "share of reps who adopted (mean over initiatives; empty if none)",
    "toxic_final": "share of reps showing toxic behaviour in the last week",
    "headcount_final": "filled seats in the last week",
    "hires": "reps hired",
    "quits": "voluntary quits",
    "exits_other": "layoffs and dismissals",
    "crisis_onset": "week the first shock began (empty if none)",
    "drawdown": "largest fall of 13-week mean revenue below its pre-shock level",
    "recovery_weeks": "weeks after the shock onset until 13-week mean revenue is back, for good, to 95% of its "
                      "pre-shock level carried forward at the market trend (empty: no shock, or not recovered)",
    "recovered": "revenue recovered within the horizon (empty if no shock)",
}


def _rolling_mean(x: np.ndarray, w: int) -> np.ndarray:
    """Trailing mean over ``w`` weeks along axis 0 of (T, B); NaN until w weeks exist."""
    c = np.cumsum(np.vstack([np.zeros((1, x.shape[1])), x]), axis=0)
    out = np.full_like(x, np.nan, dtype=float)
    out[w - 1:] = (c[w:] - c[:-w]) / w
    return out


def recovery(revenue: np.ndarray, onset: np.ndarray, window: int = 13, threshold: float = 0.95,
             trend_annual: float | np.ndarray = 0.0):
    """Drawdown and recovery weeks per column of a (T, B) revenue array.

    The pre-shock level is the mean weekly revenue over the ``window`` weeks before the
    onset, carried forward at the market's exogenous trend ``trend_annual`` (a scalar, or one
    value per column as in a sweep), so that ordinary market growth does not count as
    recovery. Revenue is the trailing ``window``-week mean. Recovery is the first week after its lowest point from which it
    stays at or above ``threshold`` x pre-shock level for ``window`` weeks (or to the end
    of the run), counted from the onset (0 if it never fell below; NaN if not back).
    """
    T, B = revenue.shape
    roll = _rolling_mean(revenue, window)
    drawdown = np.full(B, np.nan)
    rec = np.full(B, np.nan)
    recovered = np.full(B, np.nan)
    trend = np.broadcast_to(np.asarray(trend_annual, dtype=float).reshape(-1), (B,))
    for b in np.flatnonzero(onset >= window):
        o = int(onset[b])
        pre = revenue[o - window:o, b].mean()
        if pre <= 0:
            continue
        growth = (1.0 + trend[b]) ** (np.arange(T - o) / 52.0)
        after = roll[o:, b] / (pre * growth)
        valid = ~np.isnan(after)
        if not valid.any():
            continue
        drawdown[b] = max(0.0, 1.0 - np.nanmin(after))
        if np.nanmin(after) >= threshold:
            rec[b] = 0.0
            recovered[b] = 1.0
            continue
        trough = int(np.nanargmin(after))
        ok = after >= threshold
        found = np.nan
        for i in np.flatnonzero(ok & (np.arange(after.size) > trough)):
            span = ok[i:i + window]
            if span.size >= min(4, window) and span.all():  # sustained for a quarter (or to the end)
                found = float(i)
                break
        rec[b] = found
        recovered[b] = 0.0 if np.isnan(found) else 1.0
    return drawdown, rec, recovered


def _total_over_weeks(x: np.ndarray) -> np.ndarray:
    """Sum of a (weeks, B) array over weeks, added in week order for every column.

    numpy's ``sum(axis=0)`` adds a (T, 1) column pairwise but a (T, B) array row by row, so a single
    run's total could differ in the last digit from its row in a batch; a cumulative sum is always
    sequential, whatever B, the chunk or the process.
    """
    x = np.asarray(x, dtype=float)
    if x.shape[0] == 0:
        return np.zeros(x.shape[1:])
    return np.cumsum(x, axis=0)[-1]


def _mean_over_weeks(x: np.ndarray) -> np.ndarray:
    """Mean over weeks of a (weeks, B) array ignoring NaN, in week order (see :func:`_total_over_weeks`)."""
    x = np.asarray(x, dtype=float)
    ok = ~np.isnan(x)
    n = _total_over_weeks(ok.astype(float))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, _total_over_weeks(np.where(ok, x, 0.0)) / np.maximum(n, 1), np.nan)


def summarise(engine) -> pd.DataFrame:
    """Summary table of a finished :class:`simteam.engine.Engine`."""
    e = engine
    ser = e.series
    c = e.counters
    W = e.weeks
    years = W / 52.0
    head = _mean_over_weeks(ser["headcount"])
    exits = c["quits"] + c["exits_other"]
    onset = e.market.first_onset
    trend = e.p.market.trend_annual if e.sw.trend else 0.0  # per row in a sweep
    dd, rec, recovered = recovery(ser["revenue"], onset, trend_annual=trend)
    rep_years = c["rep_years"]
    adoption = ser["adoption"][-1] if e.K else np.full(e.B, np.nan)
    # every reduction over weeks runs in week order (see _total_over_weeks): batch = single runs, bit for bit
    revenue = _total_over_weeks(ser["revenue"])
    out = {
        "revenue": revenue,
        "revenue_per_seat_year": revenue / (e.N * years),
        "deals": _total_over_weeks(ser["deals"]),
        # a rate per mean headcount: undefined (NaN) when on average less than half a seat was filled
        "turnover_annual": np.where(head >= 0.5, exits / np.maximum(head, 0.5) / years, np.nan),
        "quit_rate_annual": np.where(head >= 0.5, c["quits"] / np.maximum(head, 0.5) / years, np.nan),
        "quota_share": np.where(rep_years > 0, c["at_quota"] / np.maximum(rep_years, 1), np.nan),
        "top20_revenue_share": np.where(c["top20_n"] > 0, c["top20_sum"] / np.maximum(c["top20_n"], 1), np.nan),
        "morale_final": ser["morale"][-1],
        "trust_final": ser["trust"][-1],
        "skill_final": ser["skill"][-1],
        "stress_final": ser["stress"][-1],
        "adoption_final": adoption,
        "toxic_final": ser["toxic_share"][-1],
        "headcount_final": ser["headcount"][-1],
        "hires": c["hires"],
        "quits": c["quits"],
        "exits_other": c["exits_other"],
        "crisis_onset": np.where(onset >= 0, onset, np.nan),
        "drawdown": dd,
        "recovery_weeks": rec,
        "recovered": recovered,
    }
    for m in getattr(e, "mechanisms", ()):  # columns of extra mechanisms
        for k, v in (m.summary(e) if hasattr(m, "summary") else {}).items():
            if k in out:
                raise ValueError(f"mechanism {m.name!r}: summary column {k!r} is taken")
            out[k] = np.asarray(v, dtype=float).reshape(e.B)
    return pd.DataFrame(out)


def paired_difference(a: np.ndarray, b: np.ndarray, confidence: float = 0.95) -> dict[str, float]:
    """Mean of ``b - a`` over pairs, with a t interval; also the unpaired (Welch) interval.

    Returns:
        dict with ``mean``, ``lo``, ``hi``, ``sd``, ``n``, ``p_value`` (paired t test) and
        ``unpaired_lo``/``unpaired_hi`` (Welch interval of the same difference of means).
    """
    from scipy import stats  # imported where used: saves ~1 s in every launcher job process

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b = a[ok], b[ok]
    d = b - a
    n = d.size
    out = {"mean": float(d.mean()) if n else np.nan, "n": int(n)}
    if n < 2:
        out.update(lo=np.nan, hi=np.nan, sd=np.nan, p_value=np.nan, unpaired_lo=np.nan, unpaired_hi=np.nan)
        return out
    sd = float(d.std(ddof=1))
    tq = stats.t.ppf(0.5 + confidence / 2, n - 1)
    half = tq * sd / np.sqrt(n)
    p = float(stats.ttest_rel(b, a).pvalue) if sd > 0 else (0.0 if out["mean"] != 0 else 1.0)
    va, vb = a.var(ddof=1) / n, b.var(ddof=1) / n
    se_u = np.sqrt(va + vb)
    dof = (va + vb) ** 2 / (va ** 2 / (n - 1) + vb ** 2 / (n - 1)) if se_u > 0 else n - 1
    tq_u = stats.t.ppf(0.5 + confidence / 2, dof)
    out.update(lo=out["mean"] - half, hi=out["mean"] + half, sd=sd, p_value=p,
               unpaired_lo=out["mean"] - tq_u * se_u, unpaired_hi=out["mean"] + tq_u * se_u)
    return out


@dataclass
class Results:
    """What a run returns.

    Attributes:
        config: The :class:`simteam.config.SimConfig` that was run.
        seeds: (B,) seed of each batch row.
        summary: One row per batch row (see :data:`SUMMARY_COLUMNS`).
        series: Weekly series, name -> (weeks, B) array.
        points: Swept parameters, name -> (B,) values (empty for a plain run).
        panel_arrays: Per-seat weekly arrays when run with ``panel=True``.
        events: (week, kind, detail) of events in a single-row run.
    """

    config: Any
    seeds: np.ndarray
    summary: pd.DataFrame
    series: dict[str, np.ndarray]
    points: dict[str, np.ndarray] = field(default_factory=dict)
    panel_arrays: dict[str, np.ndarray] | None = None
    events: list = field(default_factory=list)
    replication: np.ndarray | None = None
    uncertainty: Any = None  #: the :class:`simteam.uncertainty.Uncertainty` of a run with parameter draws

    @property
    def n(self) -> int:
        return int(self.seeds.size)

    @property
    def timeseries(self) -> pd.DataFrame:
        """Long table: one row per batch row and week."""
        T, B = next(iter(self.series.values())).shape
        cols = {"replication": np.tile(self._rep(), T), "seed": np.tile(self.seeds, T),
                "week": np.repeat(np.arange(T), B)}
        for k, v in self.points.items():
            cols[k] = np.tile(v, T)
        for k, v in self.series.items():
            cols[k] = v.reshape(-1)
        return pd.DataFrame(cols)

    def _rep(self) -> np.ndarray:
        return self.replication if self.replication is not None else np.arange(self.n)

    @property
    def panel(self) -> pd.DataFrame:
        """Long per-seat table (run with ``panel=True``)."""
        if self.panel_arrays is None:
            raise ValueError("no per-rep panel was recorded: run with panel=True")
        T, B, N = next(iter(self.panel_arrays.values())).shape
        cols = {"replication": np.repeat(np.tile(self._rep(), T), N), "seed": np.repeat(np.tile(self.seeds, T), N),
                "week": np.repeat(np.arange(T), B * N), "seat": np.tile(np.arange(N), T * B)}
        for k, v in self.panel_arrays.items():
            cols[k] = v.reshape(-1)
        return pd.DataFrame(cols)

    def reduce(self, quantiles=(0.1, 0.5, 0.9)) -> pd.DataFrame:
        """Weekly quantiles across batch rows: columns ``<series>_q10``, ``_q50``, ``_q90`` and ``_mean``."""
        out = {"week": np.arange(next(iter(self.series.values())).shape[0])}
        for k, v in self.series.items():
            if np.all(np.isnan(v)):
                continue
            qs = np.nanquantile(v, quantiles, axis=1)
            for q, row in zip(quantiles, qs):
                out[f"{k}_q{int(round(q * 100))}"] = row
            out[f"{k}_mean"] = np.nanmean(v, axis=1)
        return pd.DataFrame(out)

    def mean_ci(self, column: str, confidence: float = 0.95) -> tuple[float, float, float]:
        """Mean of a summary column with a t interval."""
        from scipy import stats

        x = self.summary[column].to_numpy(dtype=float)
        x = x[~np.isnan(x)]
        if x.size < 2:
            return (float(x.mean()) if x.size else np.nan, np.nan, np.nan)
        m, se = x.mean(), x.std(ddof=1) / np.sqrt(x.size)
        h = stats.t.ppf(0.5 + confidence / 2, x.size - 1) * se
        return float(m), float(m - h), float(m + h)

    def describe(self, columns=("revenue", "turnover_annual", "quota_share", "top20_revenue_share",
                                "morale_final", "trust_final", "recovery_weeks")) -> pd.DataFrame:
        """Mean and 95% interval of the main outcomes."""
        rows = []
        for c in columns:
            m, lo, hi = self.mean_ci(c)
            rows.append({"metric": c, "mean": m, "ci_low": lo, "ci_high": hi,
                         "n": int(self.summary[c].notna().sum())})
        return pd.DataFrame(rows)

    def paired(self, other: "Results", columns=("revenue", "turnover_annual", "morale_final",
                                                 "trust_final")) -> pd.DataFrame:
        """Paired differences ``other - self`` on matching seeds (and sweep points or parameter draws), with
        95% intervals (for luck and assumptions separately see :func:`simteam.uncertainty.compare`)."""
        keys = ["seed"] + [k for k in ("point", "draw") if k in self.summary and k in other.summary]
        a = self.summary.assign(seed=self.seeds).set_index(keys)
        b = other.summary.assign(seed=other.seeds).set_index(keys)
        common = a.index.intersection(b.index)
        if common.empty:
            raise ValueError("the two results share no seeds: run both with the same seed and replications")
        rows = []
        for c in columns:
            d = paired_difference(a.loc[common, c].to_numpy(), b.loc[common, c].to_numpy())
            rows.append({"metric": c, **d})
        return pd.DataFrame(rows)

    def uncertainty_summary(self, columns=("revenue", "turnover_annual", "quota_share", "morale_final"),
                            confidence: float = 0.95) -> pd.DataFrame:
        """Luck vs assumptions for a run with ``uncertainty=`` (see :func:`simteam.uncertainty.summary_table`)."""
        from .uncertainty import summary_table
        return summary_table(self, columns, confidence)

    def plot(self, series=("revenue", "morale", "trust", "headcount"), ax=None):
        """Median and 10-90% band of some weekly series (returns the matplotlib figure)."""
        from .plotting import plot_bands
        return plot_bands(self, series, ax=ax)
