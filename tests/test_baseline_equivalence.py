"""The oracle test: the idiomatic Mesa baseline (benchmarks/mesa_baseline.py) and simteam's batched engine
implement the same model, so their summary metrics agree statistically.

The two share no random numbers (Mesa's generators vs simteam's counter-based streams) and update
differently (the baseline's reps act one after another in random order, asynchronously; simteam updates
all reps at once, phase by phase), so agreement is checked on means: for every metric, the 99.9%
confidence interval of the difference of means (Welch) must contain zero, i.e. |z| < 3.29. A power check
shows the same criterion rejects a model that differs by a realistic amount (a 50% higher quit rate).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simteam
from simteam.config import ConfigError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.mesa_baseline import MesaSalesModel, run_baseline

METRICS = ("revenue", "turnover_annual", "quota_share", "top20_revenue_share", "morale_final", "trust_final",
           "skill_final", "stress_final", "hires")
Z_CRIT = 3.29  # two-sided 99.9%


def _z_scores(a: pd.DataFrame, b: pd.DataFrame, metrics=METRICS) -> dict[str, float]:
    out = {}
    for m in metrics:
        x, y = a[m].dropna().to_numpy(float), b[m].dropna().to_numpy(float)
        se = np.sqrt(x.var(ddof=1) / x.size + y.var(ddof=1) / y.size)
        out[m] = float((x.mean() - y.mean()) / se) if se > 0 else (0.0 if x.mean() == y.mean() else np.inf)
    return out


def _assert_agree(base: pd.DataFrame, cfg, sim_reps: int = 1000, metrics=METRICS) -> dict[str, float]:
    sim = simteam.run(cfg, replications=sim_reps, seed=0).summary
    z = _z_scores(base, sim, metrics)
    bad = {m: round(v, 2) for m, v in z.items() if not abs(v) < Z_CRIT}
    assert not bad, f"baseline and simteam disagree (z-scores): {bad}; all: {z}"
    return z


def _baseline(cfg, replications: int = 200) -> pd.DataFrame:
    return run_baseline(cfg, replications=replications, seed=10_000, processes=2)


@pytest.fixture(scope="module")
def default_cfg():
    return simteam.configure(weeks=40)


@pytest.fixture(scope="module")
def default_baseline(default_cfg):
    return _baseline(default_cfg)


def test_default_team_agrees(default_cfg, default_baseline):
    """Default 12-rep team, 40 weeks, stable market: 200 Mesa runs vs 1,000 simteam runs."""
    _assert_agree(default_baseline, default_cfg)


@pytest.mark.slow
def test_recession_toxic_command_and_control_agrees():
    """A recession with the hold-steady response, a command-and-control leader and a toxic rep."""
    cfg = simteam.configure(style="command_and_control", market="recession", weeks=40, team__initial_toxic=1)
    _assert_agree(_baseline(cfg), cfg, metrics=METRICS + ("toxic_final", "drawdown"))


@pytest.mark.slow
def test_laissez_faire_with_unclear_roles_agrees():
    """A passive leader (communication + accountability 0.5): the role-ambiguity stress is in both models,
    from the first week's equilibrium on."""
    cfg = simteam.configure(style="laissez_faire", weeks=40)
    base = _baseline(cfg)
    _assert_agree(base, cfg)
    # the power check of this case: the baseline with the term disagrees with simteam without it
    off = simteam.configure(cfg, mechanisms__role_ambiguity=False)
    assert abs(_z_scores(base, simteam.run(off, replications=1000, seed=0).summary)["stress_final"]) > Z_CRIT


@pytest.mark.slow
def test_two_teams_sudden_stop_agrees():
    """Two teams with cross-team ties, a sudden stop and wait-and-see, two years."""
    cfg = simteam.configure(style="coaching", market="sudden_stop", crisis="wait_and_see", weeks=104,
                            team__n_teams=2, team__team_size=8)
    _assert_agree(_baseline(cfg), cfg, metrics=METRICS + ("drawdown", "recovery_weeks"))


def test_criterion_detects_a_different_model(default_baseline):
    """Power check: the same criterion flags simteam with a 50% higher baseline quit hazard."""
    other = simteam.run(simteam.configure(weeks=40, people__quit_base=0.006), replications=1000, seed=0).summary
    z = _z_scores(default_baseline, other, ("turnover_annual", "hires"))
    assert z["turnover_annual"] < -Z_CRIT and z["hires"] < -Z_CRIT, z


def test_same_seed_same_baseline_run():
    """The baseline is reproducible: Mesa's seeded generators give the same run twice."""
    cfg = simteam.configure(weeks=20)
    a = MesaSalesModel(cfg, seed=5).run().summary()
    b = MesaSalesModel(cfg, seed=5).run().summary()
    c = MesaSalesModel(cfg, seed=6).run().summary()
    assert pd.Series(a).equals(pd.Series(b))  # NaN-aware (no shock: recovery_weeks is NaN)
    assert a["revenue"] != c["revenue"]


def test_datacollector_records_team_series():
    """The Mesa DataCollector holds one row per week with the team series, consistent with the agents."""
    m = MesaSalesModel(simteam.configure(weeks=10), seed=1).run()
    df = m.datacollector.get_model_vars_dataframe()
    assert len(df) == 10
    assert {"revenue", "headcount", "morale", "trust", "quits", "hires"} <= set(df.columns)
    assert df["headcount"].iloc[-1] == len(m.reps)
    assert df["morale"].iloc[-1] == pytest.approx(np.mean([r.morale for r in m.reps]))


@pytest.mark.parametrize("dotted, field", [
    ({"crisis": "cut_and_push", "market": "recession"}, "crisis.strategy"),
    ({"change__regroup_weeks": [10]}, "change.regroup_weeks"),
    ({"market__random_shock_rate": 1.0}, "market.random_shock_rate"),
])
def test_unsupported_features_are_refused(dotted, field):
    cfg = simteam.configure(weeks=20, **dotted)
    with pytest.raises(ConfigError, match=field.replace(".", r"\.")):
        MesaSalesModel(cfg, seed=0)


LEADER_METRICS = ("leader_stress", "coaching_hours_per_rep", "leader_exits", "leader_vacant_share")


@pytest.mark.slow
def test_leaders_as_agents_with_mixed_styles_and_a_head_of_sales_agrees():
    """Leaders as agents with mixed styles (time budget, stress, exits, succession) and the head of sales
    (pressure, freeze relayed by the leaders, quota push) in a recession: 3 teams of 8, one year."""
    cfg = simteam.configure(market="recession", weeks=52, team__n_teams=3, team__team_size=8,
                            mechanisms__leaders=True, mechanisms__head_of_sales=True,
                            leaders__styles=["coaching", "command_and_control", "command_and_control"],
                            leaders__exit_base=0.01, leaders__behaviour_sd=0.05)
    base = _baseline(cfg)
    assert base.leader_exits.mean() > 0.3 and base.leader_promotions.sum() > 0  # succession is exercised
    _assert_agree(base, cfg, metrics=METRICS + LEADER_METRICS)


@pytest.mark.slow
def test_segment_allocation_recession_agrees():
    """Segment forecasts and capacity moves (guesses: data orientation 0.2) in a recession, two years."""
    cfg = simteam.configure(market="recession", weeks=104, mechanisms__segment_allocation=True,
                            leadership__data_orientation=0.2)
    _assert_agree(_baseline(cfg), cfg, metrics=METRICS + ("drawdown",))
