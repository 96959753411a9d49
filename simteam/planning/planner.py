"""Scenario planning: run every alternative of a scenario on the same seeds and write a decision report.

Entry points:

* :func:`plan` — plain Python: ``plan("simteam/conf/scenario/example_rollout.yaml", "out/")``;
* :func:`run_task` — the Hydra app's dispatch for ``task: plan``
  (``simteam experiment=plan scenario=example_rollout``);
* ``python -m simteam.planning simteam/conf/scenario/example_rollout.yaml --out DIR`` — the same without Hydra
  (:func:`simteam.planning.cli.main`; ``--check`` only validates, see :mod:`.checks`).

Method. Every alternative (``status_quo`` first) is compiled to a :class:`simteam.config.SimConfig`
(:func:`simteam.planning.scenario.compile_alternative`) and run as one batch of ``R`` replications on seeds
``seed .. seed + R - 1``. Replication ``r`` of every alternative uses the same seed, so all
alternatives meet the same market path, the same uncertain events and every random draw that
their differences do not change (common random numbers); differences against the baseline are
then paired per replication (:func:`simteam.results.paired_difference`), which narrows their
intervals. A small one-at-a-time sensitivity analysis reruns all alternatives with key
assumptions set low and high and reports whether the ranking holds.

Outputs in the folder: ``report.html`` (self-contained: inline CSS, figures as base64 PNG),
the same figures as ``fig_*.png``, ``results.csv`` (one row per alternative: the numbers of the
report's ranked table), ``weekly.csv`` (mean paths per alternative and week), ``at_risk.csv``
(per-rep probability of leaving per alternative), ``sensitivity.csv`` and ``scenario.yaml``
(the validated scenario and each alternative's resolved config).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config import ConfigError, SimConfig, from_dict, to_dict
from ..engine import Engine
from ..fmt import fmt_number
from ..results import Results, paired_difference, summarise
from ..roster import Roster
from .assumptions import _the, confidence_word, fmt_assumption
from .checks import check, scenario_history, scenario_roster  # noqa: F401  (their home is .checks)
from .money import roi_text
from .scenario import (
    RANK_BY,
    Scenario,
    compile_alternative,
    describe_alternative,
    alternative_policies,
    load_scenario,
    promoted_reps,
    removed_reps,
)

__all__ = [
    "RESULT_COLUMNS",
    "AltRun",
    "PlanResult",
    "SeatTracker",
    "analyse",
    "plan",
    "run_alternatives",
    "run_task",
]

#: Columns of results.csv (one row per alternative) -> meaning.
RESULT_COLUMNS = {
    "alternative": "name of the alternative (status_quo: the plan's baseline)",
    "rank": "rank by the scenario's rank_by metric (1 = best)",
    "description": "the alternative's description",
    "revenue_mean": "expected total revenue over the horizon (k$), mean over replications",
    "revenue_p10 / _p50 / _p90": "10th, 50th and 90th percentile of total revenue across replications",
    "diff_<x>_mean / _lo / _hi": "paired difference against the baseline (x = revenue, quits, morale, trust: "
                                 "final values) with its 95% t interval",
    "diff_revenue_pct": "revenue difference as a share of the baseline's expected revenue",
    "beats_baseline_share": "share of replications in which the alternative earns more than the baseline",
    "dip_depth": "largest shortfall of mean productivity against the baseline, as a share of the baseline's",
    "dip_weeks": "weeks in which mean productivity is more than 1% below the baseline's",
    "dip_trough_week": "week of the largest shortfall (-1: none)",
    "adoption_final": "share of reps using the change in the last week (empty: no change)",
    "adoption_50pct_week": "first week at which half of the reps use the change",
    "morale_final / trust_final": "mean morale / trust in the last week (0-1)",
    "morale_final_survey / trust_final_survey": "the same on the roster's survey scale (e.g. 1-5)",
    "label": "the alternative's plain label (label: in the scenario)",
    "morale_low": "lowest weekly mean morale",
    "quits_mean": "expected voluntary quits over the horizon",
    "exits_other_mean": "expected other exits (layoffs, dismissals, a top performer leaving)",
    "leave_share_mean": "share of today's reps who leave within the horizon (mean over reps and replications)",
    "replications / seed": "replications per alternative and the first seed",
}


# ----------------------------------------------------------------------------------------------
# Running
# ----------------------------------------------------------------------------------------------
class SeatTracker:
    """Policy recording, per batch row and seat, whether the rep who held the seat at the start left.

    Applied at phase ``start`` (week 0: remember who is there) and ``end`` of each week: a
    starting rep has left once the seat is empty or its tenure no longer counts up from the
    start (the seat was refilled). ``left`` is (B, N) bool, ``left_week`` the week (-1: stayed).
    """

    phase = "end"
    name = "seat_tracker"

    def __init__(self):
        self.original: np.ndarray | None = None
        self.tenure0: np.ndarray | None = None
        self.left: np.ndarray | None = None
        self.left_week: np.ndarray | None = None

    def start(self, e) -> None:
        self.original = e.s.active.copy()
        self.tenure0 = e.s.tenure.copy()
        self.left = np.zeros_like(self.original)
        self.left_week = np.full(self.original.shape, -1, dtype=np.int32)

    def apply(self, e, week: int) -> None:
        if self.original is None:  # pragma: no cover - started by run_alternatives
            self.start(e)
        s = e.s
        stayed = s.active & (np.abs(s.tenure - (self.tenure0 + week + 1)) < 0.5)
        gone = self.original & ~self.left & ~stayed
        if gone.any():
            self.left |= gone
            self.left_week[gone] = week


@dataclass
class AltRun:
    """One alternative's run: its config, results and per-seat departures."""

    name: str
    config: SimConfig
    results: Results
    left: np.ndarray
    left_week: np.ndarray
    original: np.ndarray


def run_alternatives(sc: Scenario, base: SimConfig | None = None, replications: int | None = None,
                     seed: int | None = None, roster: Roster | None = None, tweak=None,
                     names: list[str] | None = None, values: dict | None = None, draw: bool = True) -> dict[str, AltRun]:
    """Run every alternative on the same seeds (common random numbers).

    Args:
        sc: A validated scenario.
        base: Defaults for what the scenario leaves open.
        replications: Replications per alternative (default: scenario, else base config).
        seed: Base seed (default: scenario, else base config).
        roster: The loaded roster (default: loaded from the scenario).
        tweak: Optional function ``dict -> dict`` applied to every compiled config's dict.
        names: Alternatives to run (default: all, ``status_quo`` first).
        values: Assumptions set to one value in every replication (key -> number; see
            :func:`simteam.planning.assumptions.list_assumptions`), e.g. ``{"crm.gain": 0.03}``.
        draw: Draw the assumptions given as a range once per replication (False: central values).
    """
    from .assumptions import apply_to_engine, config_tweak, draw_values, engine_overrides, list_assumptions
    out: dict[str, AltRun] = {}
    if roster is None:
        roster = scenario_roster(sc, base)
    assumptions = list_assumptions(sc, roster)
    values = dict(values or {})
    probs = {k[:-len(".probability")]: float(v) for k, v in values.items() if k.endswith(".probability")}
    if probs:
        sc = _with_probabilities(sc, probs)
    for name in names or sc.names:
        cfg = compile_alternative(sc, name, base)
        d = to_dict(cfg)
        if replications is not None:
            d["replications"] = int(replications)
        if seed is not None:
            d["seed"] = int(seed)
        if tweak is not None:
            d = tweak(d)
        ct = config_tweak(assumptions, values)
        if ct is not None:
            d = ct(d)
        cfg = from_dict(d)
        seeds = cfg.seed + np.arange(cfg.replications, dtype=np.int64)
        vals = dict(draw_values(assumptions, seeds)) if draw else {}
        vals.update({k: v for k, v in values.items() if not k.endswith(".probability")})
        tracker = SeatTracker()
        pols = alternative_policies(sc, name, roster)
        e = Engine(cfg, seeds=seeds, roster=roster, policies=pols + [tracker],
                   overrides=engine_overrides(assumptions, vals, seeds.size) or None)
        apply_to_engine(e, assumptions, vals, pols)
        tracker.start(e)
        e.run()
        res = Results(cfg, seeds, _with_ids(summarise(e), seeds), e.series,
                      replication=np.arange(seeds.size))
        out[name] = AltRun(name, cfg, res, tracker.left.copy(), tracker.left_week.copy(), tracker.original.copy())
    return out


def _with_probabilities(sc: Scenario, probs: dict[str, float]) -> Scenario:
    def fix(evs):
        return [dict(ev, probability=probs[ev["id"]]) if ev["id"] in probs else ev for ev in evs]
    alts = {n: dict(a, events=fix(a.get("events", []))) for n, a in sc.alternatives.items()}
    return dataclasses.replace(sc, events=fix(sc.events), alternatives=alts)


def _with_ids(summary: pd.DataFrame, seeds: np.ndarray) -> pd.DataFrame:
    summary.insert(0, "seed", seeds)
    summary.insert(0, "replication", np.arange(seeds.size))
    return summary


# ----------------------------------------------------------------------------------------------
# Analysis
# ----------------------------------------------------------------------------------------------
def _metric(run: AltRun, rank_by: str) -> np.ndarray:
    return run.results.summary[rank_by].to_numpy(dtype=float)


def _dip(prod: np.ndarray, base: np.ndarray) -> tuple[float, float, int]:
    """Depth (share of baseline productivity), length (weeks > 1% below) and trough week of the mean gap."""
    b = np.nanmean(base, axis=1)
    gap = (np.nanmean(prod, axis=1) - b) / np.maximum(b, 1e-12)
    depth = float(max(0.0, -np.nanmin(gap)))
    return depth, float(np.sum(gap < -0.01)), int(np.nanargmin(gap)) if depth > 0 else -1


@dataclass
class PlanResult:
    """Everything the report shows."""

    scenario: Scenario
    runs: dict[str, AltRun]
    table: pd.DataFrame
    weekly: pd.DataFrame
    at_risk: pd.DataFrame
    sensitivity: pd.DataFrame
    summary_text: list[str]
    outdir: str = ""
    assumptions: list[dict] = field(default_factory=list)
    money: pd.DataFrame = field(default_factory=pd.DataFrame)
    break_even: list[dict] = field(default_factory=list)
    luck: dict = field(default_factory=dict)
    executive: dict = field(default_factory=dict)
    overrides: list[str] = field(default_factory=list)
    survey_scale: tuple = (0.0, 1.0)
    history_fit: Any = None
    discovery: Any = None
    files: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def analyse(sc: Scenario, runs: dict[str, AltRun], roster: Roster | None) -> tuple[pd.DataFrame, pd.DataFrame,
                                                                                   pd.DataFrame]:
    """The ranked table, weekly paths and the at-risk table of a set of runs."""
    base = runs[sc.baseline]
    higher = RANK_BY[sc.rank_by]
    rows = []
    for name, run in runs.items():
        s = run.results.summary
        rev = s["revenue"].to_numpy(dtype=float)
        row: dict[str, Any] = {"alternative": name, "label": sc.label(name),
                               "description": describe_alternative(sc, name)}
        row["revenue_mean"] = float(rev.mean())
        for q in (10, 50, 90):
            row[f"revenue_p{q}"] = float(np.quantile(rev, q / 100))
        for col, key in (("revenue", "revenue"), ("quits", "quits"), ("morale_final", "morale"),
                         ("trust_final", "trust")):
            d = paired_difference(base.results.summary[col].to_numpy(dtype=float), s[col].to_numpy(dtype=float))
            row[f"diff_{key}_mean"] = d["mean"] if name != sc.baseline else 0.0
            row[f"diff_{key}_lo"] = d["lo"] if name != sc.baseline else 0.0
            row[f"diff_{key}_hi"] = d["hi"] if name != sc.baseline else 0.0
        row["diff_revenue_pct"] = row["diff_revenue_mean"] / row["revenue_mean"] if name == sc.baseline else \
            row["diff_revenue_mean"] / float(base.results.summary["revenue"].mean())
        row["beats_baseline_share"] = (float(np.mean(rev > base.results.summary["revenue"].to_numpy()))
                                       if name != sc.baseline else np.nan)
        depth, length, trough = _dip(run.results.series["productivity"], base.results.series["productivity"])
        row["dip_depth"] = depth
        row["dip_weeks"] = length
        row["dip_trough_week"] = trough
        adopt_all = run.results.series["adoption"]
        has_adopt = not np.all(np.isnan(adopt_all))
        adopt = np.nanmean(adopt_all, axis=1) if has_adopt else np.full(adopt_all.shape[0], np.nan)
        row["adoption_final"] = float(adopt[-1]) if has_adopt else np.nan
        with np.errstate(invalid="ignore"):
            reach = np.flatnonzero(adopt >= 0.5) if has_adopt else np.array([])
        row["adoption_50pct_week"] = float(reach[0]) if reach.size else np.nan
        row["morale_final"] = float(s["morale_final"].mean())
        row["trust_final"] = float(s["trust_final"].mean())
        lo_s, hi_s = roster.survey_scale if roster is not None else (0.0, 1.0)
        row["morale_final_survey"] = lo_s + row["morale_final"] * (hi_s - lo_s)
        row["trust_final_survey"] = lo_s + row["trust_final"] * (hi_s - lo_s)
        row["morale_low"] = float(np.nanmin(np.nanmean(run.results.series["morale"], axis=1)))
        row["quits_mean"] = float(s["quits"].mean())
        row["exits_other_mean"] = float(s["exits_other"].mean())
        orig = run.original
        row["leave_share_mean"] = float(run.left[orig].mean()) if orig.any() else np.nan
        row["replications"] = int(run.results.n)
        row["seed"] = int(run.results.seeds[0])
        rows.append(row)
    table = pd.DataFrame(rows)
    key = {"revenue": "revenue_mean", "quits": "quits_mean"}.get(sc.rank_by, sc.rank_by)
    order = table[key].rank(ascending=not higher, method="first").astype(int)
    table.insert(1, "rank", order)
    table = table.sort_values("rank").reset_index(drop=True)
    # weekly paths
    wrows = []
    for name, run in runs.items():
        ser = run.results.series
        T = ser["revenue"].shape[0]
        wk = {"alternative": [name] * T, "week": np.arange(T)}
        for k in ("revenue", "productivity", "adoption", "morale", "trust", "headcount", "demand", "quota_factor"):
            v = ser[k]
            wk[f"{k}_mean"] = np.nanmean(v, axis=1) if not np.all(np.isnan(v)) else np.full(T, np.nan)
        for k in ("revenue", "morale", "trust"):
            wk[f"{k}_p10"], wk[f"{k}_p90"] = np.nanquantile(ser[k], [0.1, 0.9], axis=1)
        wrows.append(pd.DataFrame(wk))
    weekly = pd.concat(wrows, ignore_index=True)
    # at risk
    first = next(iter(runs.values()))
    N = first.left.shape[1]
    ids = roster.ids if roster is not None else [f"seat {i}" for i in range(N)]
    risk = pd.DataFrame({"seat": np.arange(N), "rep_id": ids})
    if roster is not None:
        risk["team"] = [roster.team_names[i] for i in roster.team_index]
        if "name" in roster.text:
            risk["name"] = roster.text["name"]
        for c in ("attainment_last_year", "engagement", "morale", "trust"):
            if c in roster.values:
                risk[c] = roster.values[c]
    removed_by: dict = {}
    promoted_by: dict = {}
    for name, run in runs.items():
        with np.errstate(invalid="ignore"):
            p = run.left.sum(axis=0) / np.maximum(run.original.sum(axis=0), 1)
        p = np.where(run.original.any(axis=0), p, np.nan)
        # a rep the alternative lets go on purpose is not "at risk" in it
        # nor is a rep it promotes to manager (the rep leaves the sales seat, not the company)
        gone = [ids.index(r) for r in removed_reps(sc, name) if r in ids]
        p[gone] = np.nan
        for i in gone:
            removed_by.setdefault(i, []).append(sc.label(name))
        for r in promoted_reps(sc, name):
            if r in ids:
                promoted_by.setdefault(ids.index(r), []).append(sc.label(name))
        risk[f"leave_{name}"] = p
    risk["removed_in"] = ["; ".join(removed_by.get(i, [])) for i in range(N)]
    risk["promoted_in"] = ["; ".join(promoted_by.get(i, [])) for i in range(N)]
    risk = risk[first.original.any(axis=0)].reset_index(drop=True)
    leave_cols = [c for c in risk if c.startswith("leave_")]
    risk["leave_max"] = risk[leave_cols].max(axis=1).fillna(0.0)
    risk = risk.sort_values("leave_max", ascending=False).reset_index(drop=True)
    return table, weekly, risk


def sensitivity(sc: Scenario, base: SimConfig | None, replications: int, seed: int,
                roster: Roster | None, decision: tuple[str, str] | None = None) -> pd.DataFrame:
    """Each assumption set to the low and the high end of its test range (one at a time), all alternatives rerun.

    Rows: assumption key, plain label, setting (low/high), the value, each alternative's mean gain over the
    baseline and the best. ``swing`` (on every row of an assumption) is how much the assumption moves the
    margin between the two alternatives of ``decision`` (default: the baseline and the first alternative);
    rows come ranked by it, the assumptions that flip the best choice first.
    """
    from .assumptions import list_assumptions
    rows = []
    higher = RANK_BY[sc.rank_by]
    a_name, b_name = decision or (sc.names[1], sc.baseline)
    for a in list_assumptions(sc, roster):
        if a.get("test") is None:
            continue
        grp = []
        for setting, x in zip(("low", "high"), a["test"]):
            runs = run_alternatives(sc, base, replications, seed, roster=roster, values={a["key"]: x}, draw=False)
            b = _metric(runs[sc.baseline], sc.rank_by)
            gains = {n: float(np.mean(_metric(r, sc.rank_by) - b)) for n, r in runs.items()}
            best = max(gains, key=lambda n: gains[n] if higher else -gains[n])
            row = {"assumption": a["key"], "label": a["label"], "setting": setting, "value": float(x),
                   "fmt": a["fmt"], "best": best, "replications": replications,
                   "margin": gains[a_name] - gains[b_name]}
            row.update({f"gain_{n}": g for n, g in gains.items()})
            grp.append(row)
        swing = abs(grp[1]["margin"] - grp[0]["margin"])
        flips = len({r["best"] for r in grp}) > 1
        for r in grp:
            r["swing"], r["flips"] = swing, flips
        rows += grp
    df = pd.DataFrame(rows)
    if len(df):
        order = df.groupby("assumption", sort=False).agg(flips=("flips", "first"), swing=("swing", "first"))
        order = order.sort_values(["flips", "swing"], ascending=[False, False])
        df["order"] = df["assumption"].map({k: i for i, k in enumerate(order.index)})
        df = df.sort_values(["order", "setting"], ascending=[True, False], kind="stable").drop(columns="order")
        df = df.reset_index(drop=True)
    return df


def paired_gap(sc: Scenario, a: str, b: str, key: str, x: float, base: SimConfig | None, replications: int,
               seed: int, roster: Roster | None) -> float:
    """Mean paired difference of the ranking metric, ``a`` minus ``b``, with assumption ``key`` set to ``x``."""
    runs = run_alternatives(sc, base, replications, seed, roster=roster, values={key: x}, draw=False,
                            names=list(dict.fromkeys([a, b])))
    sign = 1.0 if RANK_BY[sc.rank_by] else -1.0
    return sign * float(np.mean(_metric(runs[a], sc.rank_by) - _metric(runs[b], sc.rank_by)))


def break_even_lines(sc: Scenario, sens: pd.DataFrame, table: pd.DataFrame, base, replications: int, seed: int,
                     roster, top: int = 2) -> list[dict]:
    """The "what would it take" values: for the assumptions that move the decision most, the value at which the
    best alternative and its runner-up (and the baseline) earn the same, by bisection on paired runs."""
    from .assumptions import break_even
    if not len(sens) or len(table) < 2:
        return []
    best = table.iloc[0]["alternative"]
    others = [table.iloc[1]["alternative"]]
    if sc.baseline not in (best, others[0]):
        others.append(sc.baseline)
    out = []
    for key in list(dict.fromkeys(sens["assumption"]))[:top]:
        g = sens[sens["assumption"] == key].set_index("setting")
        lo, hi = float(g.loc["low", "value"]), float(g.loc["high", "value"])
        for other in others:
            sign = 1.0 if RANK_BY[sc.rank_by] else -1.0
            f_lo = sign * (g.loc["low", f"gain_{best}"] - g.loc["low", f"gain_{other}"])
            f_hi = sign * (g.loc["high", f"gain_{best}"] - g.loc["high", f"gain_{other}"])
            r = break_even(lambda x, o=other: paired_gap(sc, best, o, key, x, base, replications, seed, roster),
                           lo, hi, f_lo=f_lo, f_hi=f_hi, max_iter=7)
            r.update(assumption=key, label=g["label"].iloc[0], fmt=g["fmt"].iloc[0], a=best, b=other, low=lo, high=hi)
            out.append(r)
    return out


def break_even_text(sc: Scenario, r: dict) -> str:
    """One line: "A beats B only if <assumption> exceeds x" (or: whatever its value in the tested range)."""
    A, B = sc.label(r["a"]), sc.label(r["b"])
    rng = f"{fmt_assumption(r['low'], r['fmt'])} to {fmt_assumption(r['high'], r['fmt'])}"
    if r["status"] == "above":
        return f"{A} beats {B} whatever {_the(r['label'])} in the tested range ({rng})."
    if r["status"] == "below":
        return f"{A} does not beat {B} anywhere in the tested range of {_the(r['label'])} ({rng})."
    word = "exceeds" if r["increasing"] else "stays below"
    return (f"What would it take: {A} beats {B} only if {_the(r['label'])} {word} "
            f"{fmt_assumption(r['value'], r['fmt'])} (tested {rng}).")


def history_text(sc: Scenario, h) -> str:
    """One paragraph: the fitted baseline against the team's history, and the warning when it does not fit."""
    H = h.history
    parts = []
    for r in h.moments.itertuples():
        nd = 2 if r.metric != "attainment" else 0
        pct = r.metric == "attainment"
        parts.append(f"{r.label} {fmt_number(r.actual, nd, percent=pct)} actual, "
                     f"{fmt_number(r.fitted_mean, nd, percent=pct)} fitted "
                     f"(outside the simulated 90% band in {fmt_number(r.outside_share, 0, percent=True)} of the "
                     f"{H.freq}s)")
    fitted = "; ".join(f"{p.label} {fmt_number(p.estimate, 4 if p.estimate < 0.1 else 2)} (95% interval "
                       f"{fmt_number(max(p.ci_low, 0.0), 4 if p.estimate < 0.1 else 2)} to "
                       f"{fmt_number(p.ci_high, 4 if p.estimate < 0.1 else 2)}; model default "
                       f"{fmt_number(p.default, 4 if p.default < 0.1 else 2)})" for p in h.params.itertuples())
    txt = (f"Your team's history ({H.n} {H.freq}s, {H.table['period'].iloc[0]} to {H.table['period'].iloc[-1]}): "
           f"the baseline fitted to it has {fitted}. " + "; ".join(parts) + ". ")
    txt += ("It fits: the history is one the model produces." if h.fits else "Warning: " + " ".join(h.warnings))
    return txt


def _share(runs: dict, a: str, b: str, rb: str) -> float:
    x, y = _metric(runs[a], rb), _metric(runs[b], rb)
    return float(np.mean(x > y)) if RANK_BY[rb] else float(np.mean(x < y))


def write_summary(sc: Scenario, table: pd.DataFrame, risk: pd.DataFrame, sens: pd.DataFrame,
                  runs: dict[str, AltRun], luck: dict | None = None, be: list[dict] | None = None,
                  money: pd.DataFrame | None = None, history=None,
                  discovery: str | None = None) -> tuple[list[str], dict]:
    """The plain-language summary (one paragraph per item) and the one-page executive summary's parts."""
    out = []
    rb = sc.rank_by
    higher = RANK_BY[rb]
    cur = sc.currency
    fk = lambda x: fmt_number(x, 0, unit=cur)  # noqa: E731
    fsk = lambda x: fmt_number(x, 0, signed=True, unit=cur)  # noqa: E731
    weeks = next(iter(runs.values())).config.weeks
    R = int(table["replications"].iloc[0])
    best = table.iloc[0]
    bname = best["alternative"]
    L = sc.label
    base_name = sc.baseline
    metric_word = {"revenue": "expected revenue", "morale_final": "final morale", "trust_final": "final trust",
                   "quits": "expected quits (fewer is better)"}[rb]
    drawn = bool(luck)
    model = bool(getattr(sc, "model_uncertainty", ""))
    what = "your assumption ranges and the model's effect sizes" if model else "your assumption ranges"
    out.append(f"Ranked by {metric_word} over {weeks} weeks, across {R} simulated futures per alternative "
               f"(all alternatives on the same futures"
               + ((f"; {what} ({sc.model_uncertainty} table) drawn anew in each future" if model else
                   "; the assumptions given as ranges drawn anew in each future") if drawn else "")
               + f"). Best: {L(bname)} — {describe_alternative(sc, bname)}")
    exec_: dict = {"best": L(bname), "best_name": bname, "lines": [], "risks": []}
    if bname != base_name:
        lo, hi = best["diff_revenue_lo"], best["diff_revenue_hi"]
        share = float(best["beats_baseline_share"])
        word = confidence_word(share, lo)
        txt = (f"{L(bname)} brings {fk(best['revenue_mean'])} (P10 {fk(best['revenue_p10'])}, "
               f"P90 {fk(best['revenue_p90'])}), {fsk(best['diff_revenue_mean'])} "
               f"({fmt_number(best['diff_revenue_pct'], 1, percent=True, signed=True)}) against {L(base_name)}, "
               f"95% interval {fsk(lo)} to {fsk(hi)}. It earns more than {L(base_name)} in "
               f"{fmt_number(share, 0, percent=True)} of the futures: {word}.")
        if drawn and (bname, base_name) in luck:
            sl = luck[(bname, base_name)]
            txt += (f" By luck alone (every assumption at its central value) it wins in "
                    f"{fmt_number(sl, 0, percent=True)} of the futures; with {what} drawn too, in "
                    f"{fmt_number(share, 0, percent=True)}"
                    + (" — the uncertainty in the assumptions, more than luck, decides." if sl - share >= 0.1
                       else "."))
        out.append(txt)
        exec_["lines"].append(txt)
    else:
        out.append(f"No alternative beats {L(base_name)} on {metric_word}.")
        exec_["lines"].append(out[-1])
    if len(table) > 1:
        second = table.iloc[1]
        sname = second["alternative"]
        a = _metric(runs[sname], rb)
        b = _metric(runs[bname], rb)
        d = paired_difference(a, b)
        share = _share(runs, bname, sname, rb)
        ties = float(np.mean(b == a))
        tie_txt = f" and as well in {fmt_number(ties, 0, percent=True)}" if ties >= 0.05 else ""
        unit = cur if rb == "revenue" else ""
        nd = 0 if unit else 3
        word = confidence_word(share, d["lo"] if higher else -d["hi"])
        verdict = {"clear": "The ranking of the top two is clear.",
                   "likely": "The top one is likely, not certain, to do better.",
                   "a lean, not a sure thing": "The top one leans ahead, no more: weigh the other columns (dip, "
                                               "quits, morale, money) and the assumptions below.",
                   }.get(word, "The top two are too close to call: look at the other columns (dip, quits, morale, "
                               "money) and at the assumptions below.")
        txt = (f"How sure: {L(bname)} against the runner-up {L(sname)}: difference "
               f"{fmt_number(d['mean'], nd, signed=True, unit=unit)} (95% interval "
               f"{fmt_number(d['lo'], nd, signed=True)} to {fmt_number(d['hi'], nd, signed=True, unit=unit)}); "
               f"{L(bname)} does better in {fmt_number(share, 0, percent=True)} of the futures{tie_txt}: {word}. "
               f"{verdict}")
        if drawn and (bname, sname) in luck:
            sl = luck[(bname, sname)]
            txt += (f" By luck alone (assumptions at their central values): {fmt_number(sl, 0, percent=True)} "
                    f"({confidence_word(sl)})"
                    + (f"; the rest of the doubt comes from not knowing {what}, not from luck."
                       if sl > share + 0.05 else "."))
        out.append(txt)
        exec_["lines"].append(txt)
    for r in be or []:
        out.append(break_even_text(sc, r))
        exec_["lines"].append(out[-1])
    if money is not None and len(money) and sc.money:
        m = money.set_index("alternative")
        parts = []
        for n in table["alternative"]:
            if n == base_name:
                continue
            r = m.loc[n]
            pay = r["payback_month_p50"]
            pay_t = "not within the horizon" if not np.isfinite(pay) else f"month {fmt_number(pay, 0)}"
            parts.append(f"{L(n)}: net value {fsk(r['net_value_mean'])} (P10 {fsk(r['net_value_p10'])}, P50 "
                         f"{fsk(r['net_value_p50'])}, P90 {fsk(r['net_value_p90'])}), extra cost "
                         f"{fk(r['extra_cost_mean'])}, {roi_text(r)}, "
                         f"payback {pay_t} (median)")
        out.append(f"Money against {L(base_name)} (margin {fmt_number(sc.money.get('margin', 1.0), 0, percent=True)} "
                   f"of revenue, costs as in the scenario): " + "; ".join(parts) + ".")
        exec_["lines"].append(out[-1])
    if sc.money.get("opportunity_size") is not None and sc.money.get("deal_size") is not None:
        out.append(f"Deal size: money.deal_size ({sc.money['deal_size']:.3g} {sc.currency}) is the average won deal; "
                   f"the model's opportunities average {sc.money['opportunity_size']:.3g} {sc.currency}, set so that "
                   f"the baseline's won deals average {sc.money['deal_size']:.3g} {sc.currency} (reps work the best "
                   f"opportunities they find; money.deal_size_is: opportunity reads it as the average opportunity).")
    dips = table[table["dip_depth"] > 0.005]
    if len(dips):
        parts = [f"{L(r.alternative)}: down to {fmt_number(r.dip_depth, 0, percent=True)} below {L(base_name)} for "
                 f"{fmt_number(r.dip_weeks, 0)} weeks" for r in dips.itertuples()]
        out.append("Productivity dip (mean productivity: new-hire ramp x J-curve of the change, against "
                   + L(base_name) + "): " + "; ".join(parts) + ".")
    q = table.set_index("alternative")
    out.append("Expected quits over the horizon: "
               + "; ".join(f"{L(n)}: {fmt_number(q.loc[n, 'quits_mean'], 1)}" for n in q.index) + ".")
    if len(risk):
        top = risk.head(3)
        who = ", ".join(f"{r.rep_id}" + (f" ({r.name})" if "name" in risk and isinstance(r.name, str) and r.name
                                          else "") + f" {fmt_number(r.leave_max, 0, percent=True)}" for r in top.itertuples())
        out.append(f"Most at risk of leaving (highest probability under any alternative; reps an alternative "
                   f"lets go on purpose are not counted in it): {who}.")
    # top three risks of the chosen alternative
    risks = []
    if len(sens):
        for key, g in sens.groupby("assumption", sort=False):
            if g["flips"].iloc[0]:
                risks.append(f"The choice depends on {_the(g['label'].iloc[0])}: "
                             + ", ".join(f"set {r.setting} ({fmt_assumption(r.value, r.fmt)}) the best is "
                                         f"{L(r.best)}" for r in g.itertuples()) + ".")
    if bname in q.index and q.loc[bname, "dip_depth"] > 0.02:
        risks.append(f"A productivity dip of {fmt_number(q.loc[bname, 'dip_depth'], 0, percent=True)} for about "
                     f"{fmt_number(q.loc[bname, 'dip_weeks'], 0)} weeks after the change.")
    if bname in q.index and base_name in q.index and q.loc[bname, "quits_mean"] > q.loc[base_name, "quits_mean"] + 0.2:
        risks.append(f"More quits: {fmt_number(q.loc[bname, 'quits_mean'], 1)} against "
                     f"{fmt_number(q.loc[base_name, 'quits_mean'], 1)} in {L(base_name)}.")
    if len(table) > 1 and _share(runs, bname, table.iloc[1]["alternative"], rb) < 0.75:
        risks.append(f"{L(bname)} is not far ahead of {L(table.iloc[1]['alternative'])}: in "
                     f"{fmt_number(1 - _share(runs, bname, table.iloc[1]['alternative'], rb), 0, percent=True)} of the "
                     f"futures the runner-up does at least as well.")
    if len(risk):
        r0 = risk.iloc[0]
        risks.append(f"Losing {r0['rep_id']}" + (f" ({r0['name']})" if isinstance(r0.get("name"), str) and r0.get("name")
                                                 else "") + f": leaves in up to {fmt_number(r0['leave_max'], 0, percent=True)} "
                     "of the futures.")
    exec_["risks"] = risks[:3]
    if len(sens):
        unit = cur if rb == "revenue" else ""
        nd = 0 if unit else 3
        keys = list(dict.fromkeys(sens["assumption"]))
        g = sens[sens["assumption"] == keys[0]]
        txt = (f"Which assumptions drive it (each set to the ends of its range, one at a time): most of all "
               f"{_the(g['label'].iloc[0])} (swing of the margin between the top two {fmt_number(g['swing'].iloc[0], nd, unit=unit)})")
        if len(keys) > 1:
            g2 = sens[sens["assumption"] == keys[1]]
            txt += f", then {_the(g2['label'].iloc[0])} ({fmt_number(g2['swing'].iloc[0], nd, unit=unit)})"
        flips = [k for k in keys if sens[sens["assumption"] == k]["flips"].iloc[0]]
        txt += (f". The best choice changes with: {', '.join(sens[sens['assumption'] == k]['label'].iloc[0] for k in flips)}."
                if flips else f". {L(bname)} stays the best choice at every tested setting.")
        out.append(txt)
    if discovery:
        out.append(discovery)
        if "loses to" in discovery and " when " in discovery:
            exec_["risks"] = ([discovery.split(": ", 1)[1]] + exec_["risks"])[:3]
    if history is not None:
        out.append(history_text(sc, history))
        if not history.fits:
            exec_["risks"] = ([history.warnings[0]] + exec_["risks"])[:3]
    out.append("These are model results, not forecasts: they show how the plan plays out under the model's "
               "assumptions (listed in the report, with their sources) and your roster, and are most useful for "
               "comparing alternatives.")
    return out, exec_


# ----------------------------------------------------------------------------------------------
# Entry points
# ----------------------------------------------------------------------------------------------
def plan(scenario: str | os.PathLike | dict | Scenario, outdir: str | os.PathLike, replications: int | None = None,
         seed: int | None = None, base: SimConfig | None = None, run_sensitivity: bool | None = None,
         sensitivity_replications: int | None = None, echo=None, figures: bool = True,
         extra_overrides: list[str] | None = None, pdf: bool = False) -> PlanResult:
    """Run a scenario and write the decision report into ``outdir``.

    Args:
        scenario: YAML path, mapping or :class:`Scenario`.
        outdir: Output folder (created).
        replications: Replications per alternative (default: scenario, else base, else 200).
        seed: Base seed (default: scenario, else base).
        base: Defaults for everything the scenario leaves open (default :class:`SimConfig`).
        run_sensitivity: Override the scenario's ``sensitivity`` flag.
        sensitivity_replications: Replications per sensitivity run (default max(20, R // 4)).
        echo: Optional callable for progress lines (e.g. ``print``).
        figures: Draw the figures (PNG files and in the page); False writes the tables and a page without them.
        pdf: Also print the one-page executive summary to summary.pdf with headless Chromium (skipped with a
            one-line note when Chromium is not installed). The command line and the Hydra task do.

    Returns:
        :class:`PlanResult` with the tables and the written file paths.
    """
    t0 = time.perf_counter()
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    say = echo or (lambda *_: None)
    if base is None:
        base = SimConfig()
        if sc.replications is None and replications is None:
            replications = 200
    roster = check(sc, base)
    say(f"scenario {sc.name!r}: {len(sc.names)} alternatives ({', '.join(sc.names)})"
        + (f"; roster {roster.path} with {roster.n} seats" if roster is not None else ""))
    hfit = None
    from .deals import calibrate_scenario, needs_calibration, with_opportunity_size
    s_fit = int(seed if seed is not None else (sc.seed if sc.seed is not None else base.seed))
    if sc.history:
        # the baseline fitted to the team's history; the fitted values then hold in every alternative (and
        # money.deal_size, the average won deal, is matched at the fitted values)
        from .history import fit_history, with_history_fit
        won = float(sc.money["deal_size"]) if needs_calibration(sc.money) else None
        hfit = fit_history(compile_alternative(sc, "status_quo", base), scenario_history(sc, roster), roster,
                           seed=s_fit, won_deal=won)
        sc = with_history_fit(sc, hfit)
        deal_match = hfit.deal_match
        if deal_match is not None:
            sc = with_opportunity_size(sc, deal_match.opportunity_size)
        say(f"history fit: {hfit.history.n} {hfit.history.freq}s, {hfit.evaluations} parameter points, "
            f"{hfit.seconds:.1f} s; " + ", ".join(f"{k} = {v:.4g}" for k, v in hfit.estimate.items())
            + ("" if hfit.fits else " - it does NOT fit (see the report)"))
    else:
        sc, deal_match = calibrate_scenario(sc, base, roster, seed=s_fit)
    if deal_match is not None:
        say(f"won deals: money.deal_size {deal_match.won_deal:g} is the average won deal; the baseline's revenue per "
            f"won deal is {deal_match.measured:.4g} with an average opportunity of {deal_match.opportunity_size:.4g} "
            f"({len(deal_match.steps)} calibration runs, {deal_match.seconds:.1f} s)")
    from .assumptions import list_assumptions
    from .money import money_table
    assumptions = list_assumptions(sc, roster)
    runs = run_alternatives(sc, base, replications, seed, roster=roster)
    R = next(iter(runs.values())).results.n
    s0 = int(next(iter(runs.values())).results.seeds[0])
    say(f"ran {len(runs)} alternatives x {R} replications on seeds {s0}..{s0 + R - 1}")
    table, weekly, risk = analyse(sc, runs, roster)
    order = list(table["alternative"])
    luck: dict = {}
    if any(a.get("drawn") for a in assumptions):
        pairs = [(order[0], o) for o in dict.fromkeys(order[1:2] + [sc.baseline]) if o != order[0]]
        luck_runs = run_alternatives(sc, base, replications, seed, roster=roster, draw=False,
                                     names=list(dict.fromkeys([order[0]] + [o for _, o in pairs])))
        luck = {(a, b): _share(luck_runs, a, b, sc.rank_by) for a, b in pairs}
        say(f"luck-only run (assumptions at their central values) for {', '.join(luck_runs)}")
    do_sens = sc.sensitivity if run_sensitivity is None else run_sensitivity
    sens = pd.DataFrame()
    be: list[dict] = []
    if do_sens:
        rs = sensitivity_replications or max(20, R // 4)
        decision = (order[0], order[1]) if len(order) > 1 else None
        sens = sensitivity(sc, base, rs, s0, roster, decision=decision)
        say(f"sensitivity: {sens['assumption'].nunique() if len(sens) else 0} assumptions x 2 settings "
            f"x {len(runs)} alternatives x {rs} replications")
        be = break_even_lines(sc, sens, table, base, rs, s0, roster)
    money = money_table(sc, runs)
    from .discovery import discover, discovery_text
    disc = discover(sc, runs, table, assumptions)
    text, executive = write_summary(sc, table, risk, sens, runs, luck=luck, be=be, money=money, history=hfit,
                                    discovery=discovery_text(sc, disc))
    overrides = [f"{sc.label(n)}: {k} = {v}" for n in sc.alternatives for k, v in sc.alternatives[n]["set"].items()]
    overrides += [f"{a['label']}: {a['param']} = {a['value']:g} ({a['source']})" if a["dist"] == "fixed" else
                  f"{a['label']}: {a['param']} drawn from {a['low']:g} to {a['high']:g} ({a['source']})"
                  for a in sc.assumptions.values()]
    overrides += list(extra_overrides or [])
    res = PlanResult(sc, runs, table, weekly, risk, sens, text, outdir=str(outdir), assumptions=assumptions,
                     money=money, break_even=be, luck=luck, executive=executive, overrides=overrides,
                     survey_scale=tuple(roster.survey_scale) if roster is not None else (0.0, 1.0),
                     history_fit=hfit, discovery=disc)
    from .report import write_report
    res.files = write_report(res, str(outdir), figures=figures, pdf=pdf)
    res.seconds = time.perf_counter() - t0
    say(f"report: {res.files['report']} ({res.seconds:.1f} s)")
    if pdf:
        say(f"one-page summary: {res.files['summary_pdf']}" if "summary_pdf" in res.files else res.files["pdf_note"])
    return res


_PACKAGE_SCENARIOS = Path(__file__).resolve().parents[1] / "conf" / "scenario"


def _scenario_file(choice: str | None, config_dirs: list[str] | None) -> Path | None:
    """The file Hydra composed ``scenario=<choice>`` from: the first ``<dir>/scenario/<choice>.yaml`` in its
    search order (the package's conf/, then ``hydra.searchpath``); None for no choice."""
    if not choice:
        return None
    for d in list(config_dirs or []) + [str(_PACKAGE_SCENARIOS.parent)]:
        f = Path(d) / "scenario" / f"{choice}.yaml"
        if f.is_file():
            return f
    return None


def run_task(cfg: SimConfig, app: dict, outdir: str | os.PathLike) -> PlanResult:
    """Dispatch for the Hydra app (``task: plan``).

    Args:
        cfg: The composed base config (``team``, ``market``, ``leadership`` ... groups and
            top-level ``seed``, ``replications``, ``weeks``); the scenario overrides what it sets.
        app: Non-SimConfig keys of the composed config; ``app["scenario"]`` is the scenario
            section (``simteam/conf/scenario/<name>.yaml``). Optional ``app["sensitivity_replications"]``.
        outdir: The run folder.

    Raises:
        ConfigError: When there is no scenario or it is invalid (message names the field).
    """
    scen = app.get("scenario") if isinstance(app, dict) else None
    if scen is None:
        raise ConfigError("scenario: task=plan needs a scenario; choose one with scenario=<name> "
                          "(files in simteam/conf/scenario/, e.g. scenario=example_rollout)")
    if isinstance(scen, (str, os.PathLike)):
        sc = load_scenario(scen)
    else:
        hyd = app.get("_hydra") or {}
        choice = (hyd.get("choices") or {}).get("scenario")
        path = _scenario_file(choice, hyd.get("config_dirs"))
        # relative paths in the scenario (a roster, a history) are read next to its file
        sc = load_scenario(scen, base_dir=str(path.parent) if path else str(_PACKAGE_SCENARIOS),
                           source=str(path) if path else "section")
    res = plan(sc, outdir, base=cfg, sensitivity_replications=app.get("sensitivity_replications"), echo=print,
               pdf=True)
    print_summary(res)
    return res


def print_summary(res: PlanResult, file=None) -> None:
    """Print the plain-language summary and the ranked table."""
    out = file or sys.stdout
    print(file=out)
    for p in res.summary_text:
        print("- " + p, file=out)
    cols = ["rank", "alternative", "revenue_mean", "revenue_p10", "revenue_p90", "diff_revenue_mean",
            "diff_revenue_lo", "diff_revenue_hi", "dip_depth", "dip_weeks", "quits_mean"]
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.float_format",
                           lambda x: fmt_number(x, 3 if abs(x) < 10 else 0)):
        print(file=out)
        print(res.table[cols].to_string(index=False), file=out)

