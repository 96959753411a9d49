"""A sweep point is the single run: for every numeric parameter, and with every kind of event.

``run_points`` passes swept values to the engine as (B, 1) arrays (``engine.batch_params``);
``run`` passes the config's scalars. Both must give the same model, bit for bit, and a row
must not depend on the other rows of its batch (no reads of the base config where the
per-row value belongs, no reductions whose order depends on the batch size).
"""

import pathlib
import random

import numpy as np
import pytest

import simteam
from simteam.config import get_path, iter_params
from simteam.events import KINDS
from simteam.results import SUMMARY_COLUMNS
from simteam.planning.scenario import EVENT_KINDS, WindowEvent

REPS = 2
WEEKS = 52
#: Crisis parameters act only under their strategy; every other parameter runs under ``GROUP_OF[None]``.
STRATEGY_OF = {"reassure_trust": "hold_steady", "reassure_stress": "hold_steady",
               "quota_raise": "cut_and_push", "layoff_share": "cut_and_push", "push_accountability": "cut_and_push",
               "layoff_trust": "cut_and_push", "layoff_morale": "cut_and_push", "pivot_share": "pivot",
               "pivot_dip": "pivot", "pivot_dip_weeks": "pivot"}
STRUCTURAL = ("seed", "weeks", "replications")


def _base(strategy: str = "hold_steady"):
    """Small, with every mechanism busy: a shock, random shocks, a rollout, a regroup, toxic reps, events."""
    return simteam.configure(
        weeks=WEEKS, market="sudden_stop", crisis=strategy, team__team_size=6, team__n_teams=2,
        team__initial_toxic=1, market__random_shock_rate=2.0, market__competitor_pressure=0.1,
        leadership__decision_speed=0.8, mechanisms__segment_allocation=True,
        change={"initiatives": [{"name": "crm", "start_week": 4, "mandate_week": 20}], "regroup_weeks": [30]},
        events=[{"kind": "toxic_hire", "week": 8}, {"kind": "recognition_event", "week": 12},
                {"kind": "lose_top_performer", "week": 16}])


def _value(default, lo, hi, is_int: bool):
    """A value inside [lo, hi] that differs from the default."""
    lo = -np.inf if lo is None else lo
    hi = np.inf if hi is None else hi
    if is_int:
        for v in (default // 2, default + 3, default - 1, default + 1):
            if v != default and lo <= v <= hi:
                return int(v)
    for v in (default * 1.5, default * 0.5, lo + 0.3 * (min(hi, lo + 10) - lo)):
        if v != default and lo <= v <= hi:
            return float(v)
    raise AssertionError("no value")  # pragma: no cover


def sweepable(at_lower_bound: bool = False):
    """(path, value) for every numeric, non-structural parameter (value: inside the range, or its lower bound)."""
    base = _base()
    out = []
    for path, f in iter_params():
        if path.startswith(("team.", "mechanisms.")) or path in STRUCTURAL:
            continue
        d = get_path(base, path)
        if isinstance(d, bool) or not isinstance(d, (int, float)):
            continue
        lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
        if at_lower_bound:
            if lo is not None and lo != d:
                out.append((path, lo))
            continue
        out.append((path, _value(d, lo, hi, "int" in str(f.type))))
    return out


def _assert_rows_equal(batch, rows, single, what):
    for c in SUMMARY_COLUMNS:
        np.testing.assert_array_equal(batch.summary[c].to_numpy()[rows], single.summary[c].to_numpy(),
                                      err_msg=f"{what}: summary {c}")
    for k in single.series:
        np.testing.assert_array_equal(batch.series[k][:, rows], single.series[k], err_msg=f"{what}: series {k}")


def _check_params(params):
    """One run_points call per crisis strategy, every parameter a column; point i moves parameter i only."""
    groups: dict[str, list] = {}
    for path, v in params:
        groups.setdefault(STRATEGY_OF.get(path.split(".")[-1], "hold_steady"), []).append((path, v))
    for strategy, ps in groups.items():
        base = _base(strategy)
        defaults = {p: get_path(base, p) for p, _ in ps}
        points = {p: [v if j == i else defaults[p] for j, (_, v) in enumerate(ps)] for i, (p, _) in enumerate(ps)}
        sweep = simteam.run_points(base, points, replications=REPS, seed=3)
        for i, (p, v) in enumerate(ps):
            single = simteam.run(simteam.configure(base, **{p.replace(".", "__"): v}), replications=REPS, seed=3)
            assert not np.isnan(single.summary["revenue"]).any()
            _assert_rows_equal(sweep, slice(i * REPS, (i + 1) * REPS), single, f"{p}={v} ({strategy})")


def test_every_section_has_sweepable_parameters():
    sections = {p.split(".")[0] for p, _ in sweepable()}
    assert sections == {"market", "selling", "allocation", "people", "leadership", "crisis", "leaders",
                        "head_of_sales", "change", "culture"}


def test_a_sweep_point_equals_the_single_run_sample():
    # a seeded sample with at least two parameters of every section, and every parameter the
    # old code read from the base config (people.initialise, results.recovery, events, pivot)
    params = sweepable()
    must = {"selling.capacity", "people.new_hire_skill_gap", "people.ramp_weeks", "people.stress_base",
            "culture.cohesion_base", "market.trend_annual", "crisis.pivot_dip_weeks", "culture.toxic_star_skill"}
    rnd = random.Random(12)
    by_section: dict[str, list] = {}
    for p, v in params:
        by_section.setdefault(p.split(".")[0], []).append((p, v))
    sample = [pv for pv in params if pv[0] in must]
    for sec, ps in sorted(by_section.items()):
        sample += rnd.sample([pv for pv in ps if pv[0] not in must], 2)
    _check_params(sample)


@pytest.mark.slow  # ~25 s of CPU; the sample above covers every section in the fast suite
@pytest.mark.filterwarnings("ignore::pandas.errors.PerformanceWarning")  # run_points inserts ~100 columns
def test_a_sweep_point_equals_the_single_run_for_every_parameter():
    _check_params(sweepable())
    # at the lower bound (mostly 0: a term switched off) in a batch whose other rows have it on
    _check_params(sweepable(at_lower_bound=True))


# ------------------------------------------------------------------------------------------------
# batch invariance with every kind of event, policy and scenario event
# ------------------------------------------------------------------------------------------------
def _batch_equals_singles(cfg, policies=lambda: None, seed=40, n=3, roster=None):
    batch = simteam.run(cfg, replications=n, seed=seed, policies=policies(), roster=roster)
    for r in range(n):
        single = simteam.run(cfg, replications=1, seed=seed + r, policies=policies(), roster=roster)
        _assert_rows_equal(batch, slice(r, r + 1), single, f"row {r}")
    return batch


@pytest.mark.parametrize("kind", KINDS)
def test_batch_equals_single_runs_with_every_event_kind(kind):
    extra = {"name": "crm"} if kind == "rollout" else {}
    value = {"crisis": 0.3, "quota_change": 1.2, "hire": 2.0}.get(kind, 0.0)
    leaders = kind in ("leader_leaves", "promote", "hire_leader")  # leaders as agents (docs/model.md §7.14)
    cfg = simteam.configure(
        weeks=40, team__team_size=6, team__n_teams=2, mechanisms__leaders=leaders,
        change={"initiatives": [{"name": "crm", "start_week": -1}]},
        events=[{"kind": "lose_top_performer", "week": 3}, {"kind": kind, "week": 10, "value": value, **extra}])
    _batch_equals_singles(cfg)
    if kind not in ("regroup", "rollout"):  # those act on the shared structure: every row or none
        cfg = simteam.configure(cfg, events=[{"kind": kind, "week": 10, "value": value, "probability": 0.5, **extra}])
        _batch_equals_singles(cfg, n=4)


@pytest.mark.parametrize("strategy", ["none", "hold_steady", "cut_and_push", "pivot", "wait_and_see"])
def test_batch_equals_single_runs_with_every_crisis_strategy(strategy):
    cfg = simteam.configure(weeks=52, market="recession", crisis=strategy, team__team_size=6, team__n_teams=2,
                            market__random_shock_rate=3.0)
    _batch_equals_singles(cfg)


def test_batch_equals_single_runs_with_a_user_policy():
    from simteam.events import Policy, fire

    class Boost(Policy):
        phase = "end"

        def apply(self, e, week):
            if week == 5:
                fire(e, "recognition_event", rows=e.rng.uniform("boost", 0, (1,))[:, 0] < 0.5)

    _batch_equals_singles(simteam.configure(weeks=20, team__team_size=6), policies=lambda: [Boost()], n=4)


@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_batch_equals_single_runs_with_every_scenario_event(kind):
    ev = {"id": f"ev_{kind}", "kind": kind, "window": [5, 20], "probability": 0.7, "depth": None}
    if kind == "crisis":
        ev["depth"] = 0.3
    cfg = simteam.configure(weeks=40, team__team_size=6, team__n_teams=2)
    _batch_equals_singles(cfg, policies=lambda: [WindowEvent(dict(ev))], n=4)


def test_batch_equals_single_runs_with_every_scenario_action():
    from simteam.planning.scenario import ACTIONS, alternative_policies, compile_alternative, load_scenario

    from simteam.planning.planner import scenario_roster

    timeline = [{"id": "a_" + k, "action": k, "week": 6 + 2 * i} for i, k in enumerate(ACTIONS)]
    reps = iter(["R02", "R05", "R11"])
    for a in timeline:
        if a["action"] == "hire":
            a["count"] = 2
        if a["action"] == "quota_change":
            a["factor"] = 1.1
        if a["action"] in ("dismiss", "replace", "move"):  # actions on a named rep of the roster
            a["rep"] = next(reps)
        if a["action"] == "move":
            a["to_team"] = "south"
        if a["action"] == "promote":  # leader actions (leaders as agents: on for the whole scenario)
            a.update(rep="R03", team="south")
        if a["action"] in ("leader_leaves", "hire_leader"):
            a["team"] = "north"
    roster = str(pathlib.Path(__file__).resolve().parents[1] / "examples" / "roster.csv")
    sc = load_scenario({"name": "all actions", "weeks": 40, "team": {"roster": roster},
                        "timeline": timeline,
                        "events": [{"id": "r", "kind": "recession", "window": [5, 15], "probability": 0.5},
                                   {"id": "l", "kind": "lead_loss", "window": [5, 15], "probability": 0.7}],
                        "status_quo": {"keep": [a["id"] for a in timeline]},
                        "alternatives": {"same": {"description": "as the status quo"}}})
    cfg = compile_alternative(sc, "status_quo")
    cfg = simteam.configure(cfg, weeks=40)
    roster_ = scenario_roster(sc)
    _batch_equals_singles(cfg, policies=lambda: alternative_policies(sc, "status_quo", roster_), n=4, roster=roster_)
