"""Scenario planning: run every alternative of a scenario on the same seeds and write a decision report.

Entry points:

* :func:`plan` — plain Python: ``plan("simteam/conf/scenario/example_rollout.yaml", "out/")``;
* :func:`run_task` — the Hydra app's dispatch for ``task: plan``
  (``simteam experiment=plan scenario=example_rollout``);
* ``python -m simteam.planning simteam/conf/scenario/example_rollout.yaml --out DIR`` — the same without Hydra.

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
from ..roster import Roster, load_roster
from .scenario import (
    RANK_BY,
    Scenario,
    alternative_actions,
    compile_alternative,
    describe_alternative,
    event_policies,
    load_scenario,
    resolve_path,
)

__all__ = [
    "RESULT_COLUMNS",
    "SENSITIVITY",
    "AltRun",
    "PlanResult",
    "SeatTracker",
    "analyse",
    "main",
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
                     names: list[str] | None = None) -> dict[str, AltRun]:
    """Run every alternative on the same seeds (common random numbers).

    Args:
        sc: A validated scenario.
        base: Defaults for what the scenario leaves open.
        replications: Replications per alternative (default: scenario, else base config).
        seed: Base seed (default: scenario, else base config).
        roster: The loaded roster (default: loaded from the scenario).
        tweak: Optional function ``dict -> dict`` applied to every compiled config's dict
            (sensitivity analysis).
        names: Alternatives to run (default: all, ``status_quo`` first).
    """
    out: dict[str, AltRun] = {}
    if roster is None:
        roster = scenario_roster(sc, base)
    for name in names or sc.names:
        cfg = compile_alternative(sc, name, base)
        d = to_dict(cfg)
        if replications is not None:
            d["replications"] = int(replications)
        if seed is not None:
            d["seed"] = int(seed)
        if tweak is not None:
            d = tweak(d)
        cfg = from_dict(d)
        seeds = cfg.seed + np.arange(cfg.replications, dtype=np.int64)
        tracker = SeatTracker()
        e = Engine(cfg, seeds=seeds, roster=roster, policies=event_policies(sc) + [tracker])
        tracker.start(e)
        e.run()
        res = Results(cfg, seeds, _with_ids(summarise(e), seeds), e.series,
                      replication=np.arange(seeds.size))
        out[name] = AltRun(name, cfg, res, tracker.left.copy(), tracker.left_week.copy(), tracker.original.copy())
    return out


def _with_ids(summary: pd.DataFrame, seeds: np.ndarray) -> pd.DataFrame:
    summary.insert(0, "seed", seeds)
    summary.insert(0, "replication", np.arange(seeds.size))
    return summary


def scenario_roster(sc: Scenario, base: SimConfig | None = None) -> Roster | None:
    """Load the scenario's roster (with its team list and scales), or the base config's, or None."""
    path = sc.team.get("roster") or (base.team.roster if base is not None else "")
    if not path:
        return None
    t = sc.team
    return load_roster(resolve_path(path, sc), teams=t.get("teams"), survey_scale=t.get("survey_scale", (1, 5)),
                       skill_scale=t.get("skill_scale", (1, 5)))


# ----------------------------------------------------------------------------------------------
# Analysis
# ----------------------------------------------------------------------------------------------
#: One-at-a-time sensitivity: key -> (label, low, high, applies(sc), tweak(d, factor) or None for events)
SENSITIVITY: dict[str, tuple[str, float, float]] = {
    "adoption_speed": ("how fast reps take up the change (Bass p and q)", 0.5, 2.0),
    "dip_depth": ("depth of the productivity dip after adopting", 0.5, 1.5),
    "resistance": ("how strongly forced change breeds resistance", 0.0, 2.0),
    "quit_rate": ("baseline quit rate of reps", 0.5, 1.5),
    "event_chance": ("chance of the uncertain events (none / all happen)", 0.0, 1.0),
}


def _tweak_for(key: str, factor: float):
    def inits(d, fields, hi):
        for ini in d["change"]["initiatives"]:
            for f in fields:
                ini[f] = float(min(ini[f] * factor, hi))
        return d

    if key == "adoption_speed":
        return lambda d: inits(d, ("p", "q"), 10.0)
    if key == "dip_depth":
        return lambda d: inits(d, ("dip",), 0.95)
    if key == "resistance":
        return lambda d: inits(d, ("resistance_gain",), 5.0)
    if key == "quit_rate":
        def q(d):
            d["people"]["quit_base"] = float(min(d["people"]["quit_base"] * factor, 1.0))
            return d
        return q
    return None


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
        row: dict[str, Any] = {"alternative": name,
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
    for name, run in runs.items():
        with np.errstate(invalid="ignore"):
            p = run.left.sum(axis=0) / np.maximum(run.original.sum(axis=0), 1)
        risk[f"leave_{name}"] = np.where(run.original.any(axis=0), p, np.nan)
    risk = risk[first.original.any(axis=0)].reset_index(drop=True)
    leave_cols = [c for c in risk if c.startswith("leave_")]
    risk["leave_max"] = risk[leave_cols].max(axis=1)
    risk = risk.sort_values("leave_max", ascending=False).reset_index(drop=True)
    return table, weekly, risk


def sensitivity(sc: Scenario, base: SimConfig | None, replications: int, seed: int,
                roster: Roster | None) -> pd.DataFrame:
    """One-at-a-time sensitivity of the ranking to key assumptions (low and high settings)."""
    rows = []
    has_change = any(a.get("action") in ("rollout", "new_approach") for n in sc.names
                     for a in alternative_actions(sc, n))
    for key, (label, lo, hi) in SENSITIVITY.items():
        if key in ("adoption_speed", "dip_depth", "resistance") and not has_change:
            continue
        if key == "event_chance" and not sc.events:
            continue
        for setting, factor in (("low", lo), ("high", hi)):
            if key == "event_chance":
                sc2 = dataclasses.replace(sc, events=[dict(ev, probability=float(factor)) for ev in sc.events])
                runs = run_alternatives(sc2, base, replications, seed, roster=roster)
            else:
                runs = run_alternatives(sc, base, replications, seed, roster=roster, tweak=_tweak_for(key, factor))
            b = _metric(runs[sc.baseline], sc.rank_by)
            gains = {n: float(np.mean(_metric(r, sc.rank_by) - b)) for n, r in runs.items()}
            higher = RANK_BY[sc.rank_by]
            best = max(gains, key=lambda n: gains[n] if higher else -gains[n])
            row = {"assumption": key, "label": label, "setting": setting, "factor": factor, "best": best,
                   "replications": replications}
            row.update({f"gain_{n}": g for n, g in gains.items()})
            rows.append(row)
    return pd.DataFrame(rows)


def _fmt_k(x: float) -> str:
    return fmt_number(x, 0, unit="k$")


def _fmt_signed_k(x: float) -> str:
    return fmt_number(x, 0, signed=True, unit="k$")


def write_summary(sc: Scenario, table: pd.DataFrame, risk: pd.DataFrame, sens: pd.DataFrame,
                  runs: dict[str, AltRun]) -> list[str]:
    """The plain-language summary, one paragraph per item."""
    out = []
    rb = sc.rank_by
    higher = RANK_BY[rb]
    weeks = next(iter(runs.values())).config.weeks
    R = int(table["replications"].iloc[0])
    best = table.iloc[0]
    bname = best["alternative"]
    base_name = sc.baseline
    metric_word = {"revenue": "expected revenue", "morale_final": "final morale", "trust_final": "final trust",
                   "quits": "expected quits (fewer is better)"}[rb]
    out.append(f"Ranked by {metric_word} over {weeks} weeks, across {R} simulated futures per alternative "
               f"(all alternatives on the same futures). Best: {bname} — {describe_alternative(sc, bname)}")
    if bname != base_name:
        lo, hi = best["diff_revenue_lo"], best["diff_revenue_hi"]
        sure = ("the 95% interval excludes zero, so the gain is clear" if lo > 0 else
                "the 95% interval includes zero: it may not beat the baseline")
        if hi < 0:
            sure = "the 95% interval is below zero: it loses revenue against the baseline"
        out.append(f"{bname} brings {_fmt_k(best['revenue_mean'])} (P10 {_fmt_k(best['revenue_p10'])}, "
                   f"P90 {_fmt_k(best['revenue_p90'])}), {_fmt_signed_k(best['diff_revenue_mean'])} "
                   f"({fmt_number(best['diff_revenue_pct'], 1, percent=True, signed=True)}) against {base_name}, 95% interval "
                   f"{_fmt_signed_k(lo)} to {_fmt_signed_k(hi)}; {sure}. It earns more than {base_name} "
                   f"in {fmt_number(best['beats_baseline_share'], 0, percent=True)} of the futures.")
    else:
        out.append(f"No alternative beats {base_name} on {metric_word}.")
    if len(table) > 1:
        second = table.iloc[1]
        a = _metric(runs[second["alternative"]], rb)
        b = _metric(runs[bname], rb)
        d = paired_difference(a, b)
        share = float(np.mean(b > a)) if higher else float(np.mean(b < a))
        ties = float(np.mean(b == a))
        tie_txt = f" and as well in {fmt_number(ties, 0, percent=True)}" if ties >= 0.05 else ""
        unit = "k$" if rb == "revenue" else ""
        nd = 0 if unit else 3
        clear = (d["lo"] > 0 if higher else d["hi"] < 0)
        verdict = ("The ranking of the top two is clear at this number of replications." if clear else
                   "The top two are too close to call: the interval includes zero. More replications, or a "
                   "look at the other columns (dip, quits, morale), should decide.")
        out.append(f"How sure: {bname} against the runner-up {second['alternative']}: difference "
                   f"{fmt_number(d['mean'], nd, signed=True, unit=unit)} (95% interval "
                   f"{fmt_number(d['lo'], nd, signed=True)} to {fmt_number(d['hi'], nd, signed=True, unit=unit)}); "
                   f"{bname} does better in {fmt_number(share, 0, percent=True)} of the futures{tie_txt}. "
                   f"{verdict}")
    dips = table[table["dip_depth"] > 0.005]
    if len(dips):
        parts = [f"{r.alternative}: down to {fmt_number(r.dip_depth, 0, percent=True)} below {base_name} for "
                 f"{fmt_number(r.dip_weeks, 0)} weeks"
                 for r in dips.itertuples()]
        out.append("Productivity dip (mean productivity: new-hire ramp x J-curve of the change, against "
                   + base_name + "): "
                   + "; ".join(parts) + ".")
    q = table.set_index("alternative")
    quits = "; ".join(f"{n}: {fmt_number(q.loc[n, 'quits_mean'], 1)}" for n in q.index)
    out.append(f"Expected quits over the horizon: {quits}.")
    if len(risk):
        top = risk.head(3)
        who = ", ".join(f"{r.rep_id}" + (f" ({r.name})" if "name" in risk and isinstance(r.name, str) and r.name
                                          else "") + f" {fmt_number(r.leave_max, 0, percent=True)}" for r in top.itertuples())
        out.append(f"Most at risk of leaving (highest probability under any alternative): {who}.")
    if len(sens):
        unit = "k$" if rb == "revenue" else ""
        nd = 0 if unit else 3
        summ = []
        for key, g in sens.groupby("assumption", sort=False):
            flips = set(g["best"]) != {bname}
            swings = {c[5:]: float(g[c].max() - g[c].min()) for c in g if c.startswith("gain_")
                      and c != f"gain_{base_name}"}
            most = max(swings, key=swings.get) if swings else bname
            summ.append((flips, swings.get(most, 0.0), key, g, most))
        summ.sort(key=lambda x: (not x[0], -x[1]))
        flips = [x for x in summ if x[0]]
        lead = summ[0]
        label, most, g = lead[3]["label"].iloc[0], lead[4], lead[3]
        gs = g.set_index("setting")[f"gain_{most}"]
        txt = (f"Which assumptions drive it: of the assumptions tested one at a time, the comparison moves most "
               f"with {label}: the gain of {most} over {base_name} is {fmt_number(gs['low'], nd, signed=True, unit=unit)} when it is set "
               f"low and {fmt_number(gs['high'], nd, signed=True, unit=unit)} when set high.")
        if len(summ) > 1:
            nxt = summ[1]
            txt += f" Next: {nxt[3]['label'].iloc[0]} (swing {fmt_number(nxt[1], nd, unit=unit)} for {nxt[4]})."
        if flips:
            txt += (" The best choice changes under: " + "; ".join(
                f"{x[3]['label'].iloc[0]} ({', '.join(f'{r.setting}: {r.best}' for r in x[3].itertuples())})"
                for x in flips) + ".")
        else:
            txt += f" {bname} stays the best choice under every tested setting."
        out.append(txt)
    out.append("These are model results, not forecasts: they show how the plan plays out under the model's "
               "assumptions (docs/model.md) and your roster, and are most useful for comparing alternatives.")
    return out


# ----------------------------------------------------------------------------------------------
# Entry points
# ----------------------------------------------------------------------------------------------
def plan(scenario: str | os.PathLike | dict | Scenario, outdir: str | os.PathLike, replications: int | None = None,
         seed: int | None = None, base: SimConfig | None = None, run_sensitivity: bool | None = None,
         sensitivity_replications: int | None = None, echo=None, figures: bool = True) -> PlanResult:
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
    roster = scenario_roster(sc, base)
    say(f"scenario {sc.name!r}: {len(sc.names)} alternatives ({', '.join(sc.names)})"
        + (f"; roster {roster.path} with {roster.n} seats" if roster is not None else ""))
    runs = run_alternatives(sc, base, replications, seed, roster=roster)
    R = next(iter(runs.values())).results.n
    s0 = int(next(iter(runs.values())).results.seeds[0])
    say(f"ran {len(runs)} alternatives x {R} replications on seeds {s0}..{s0 + R - 1}")
    table, weekly, risk = analyse(sc, runs, roster)
    do_sens = sc.sensitivity if run_sensitivity is None else run_sensitivity
    sens = pd.DataFrame()
    if do_sens:
        rs = sensitivity_replications or max(20, R // 4)
        sens = sensitivity(sc, base, rs, s0, roster)
        say(f"sensitivity: {sens['assumption'].nunique() if len(sens) else 0} assumptions x 2 settings "
            f"x {len(runs)} alternatives x {rs} replications")
    text = write_summary(sc, table, risk, sens, runs)
    res = PlanResult(sc, runs, table, weekly, risk, sens, text, outdir=str(outdir))
    from .report import write_report
    res.files = write_report(res, str(outdir), figures=figures)
    res.seconds = time.perf_counter() - t0
    say(f"report: {res.files['report']} ({res.seconds:.1f} s)")
    return res


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
    conf_dir = str(Path(__file__).resolve().parents[1] / "conf" / "scenario")
    if isinstance(scen, (str, os.PathLike)):
        sc = load_scenario(scen)
    else:
        choice = ((app.get("_hydra") or {}).get("choices") or {}).get("scenario")
        sc = load_scenario(scen, base_dir=conf_dir, source=f"simteam/conf/scenario/{choice}.yaml" if choice else "section")
    res = plan(sc, outdir, base=cfg, sensitivity_replications=app.get("sensitivity_replications"), echo=print)
    print_summary(res)
    return res


def main(argv: list[str] | None = None) -> int:
    """``python -m simteam.planning SCENARIO.yaml --out DIR [--replications R] [--seed S]``."""
    from ..errors import OneLineParser

    ap = OneLineParser(prog="python -m simteam.planning",
                                 description="Run a scenario's alternatives on the same seeds and write a "
                                             "decision report (report.html, figures, results.csv).")
    ap.add_argument("scenario", help="scenario YAML file (e.g. simteam/conf/scenario/example_rollout.yaml)")
    ap.add_argument("--out", default=None, help="output folder (default: outputs/plan-<scenario name>)")
    ap.add_argument("--replications", type=int, default=None, help="replications per alternative")
    ap.add_argument("--seed", type=int, default=None, help="base seed")
    ap.add_argument("--no-sensitivity", action="store_true", help="skip the sensitivity analysis")
    args = ap.parse_args(argv)
    try:
        if args.replications is not None and args.replications < 2:
            raise ConfigError(f"--replications: {args.replications} is too small; allowed: 2 or more")
        if args.seed is not None and args.seed < 0:
            raise ConfigError(f"--seed: {args.seed} is not allowed; allowed: a whole number >= 0")
        from ..errors import terminate_as_interrupt

        sc = load_scenario(args.scenario)
        out = args.out or os.path.join("outputs", f"plan-{Path(args.scenario).stem}")
        with terminate_as_interrupt():  # SIGTERM like Ctrl+C: no half-written report
            res = plan(sc, out, replications=args.replications, seed=args.seed,
                       run_sensitivity=False if args.no_sensitivity else None, echo=print)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # one route for user errors (simteam.errors): one line, exit 2
        from ..errors import debug, is_user_error, message

        if debug() or not is_user_error(e):
            raise
        print(f"error: {message(e)}", file=sys.stderr)
        return 2
    print_summary(res)
    return 0


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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
