"""money.deal_size is the average WON deal (as a CRM reports it): the planner calibrates the segments' opportunity
values so that the simulated baseline's revenue per won deal matches it; ``deal_size_is: opportunity`` opts out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from simteam.config import ConfigError
from simteam.planning.deals import (calibrate_scenario, mean_opportunity, needs_calibration,
                                    revenue_per_won_deal)
from simteam.planning.planner import plan, run_alternatives, scenario_roster
from simteam.planning.scenario import compile_alternative, load_scenario

ROOT = Path(__file__).resolve().parents[1]
ROSTER = str(ROOT / "examples" / "roster.csv")


def scen(**money) -> dict:
    return {"name": "deals", "weeks": 40, "replications": 4, "seed": 11, "team": {"roster": ROSTER},
            "market": {"outlook": "stable"},
            "timeline": [{"id": "crm", "action": "rollout", "week": 5, "training": 0.2}],
            "alternatives": {"crm": {"actions": {"crm": {}}}}, "sensitivity": False,
            "money": {"quota": 700, "deal_size": 30, **money}}


def _baseline_won_deal(sc, roster, replications=200) -> float:
    """Revenue per won deal of the status quo as the report runs it (central assumptions, the scenario's seeds)."""
    runs = run_alternatives(sc, None, replications, sc.seed, roster=roster, names=["status_quo"], draw=False)
    return revenue_per_won_deal(runs["status_quo"].results.series)


@pytest.fixture(scope="module")
def calibrated():
    sc = load_scenario(scen())
    roster = scenario_roster(sc)
    sc_cal, m = calibrate_scenario(sc, None, roster)
    return sc, sc_cal, m, roster


def test_the_baseline_wins_deals_of_money_deal_size(calibrated):
    sc, sc_cal, m, roster = calibrated
    assert needs_calibration(sc.money) and not needs_calibration(sc_cal.money)
    assert m.converged and abs(m.measured / 30 - 1) <= 0.01
    # the baseline as the report runs it (200 futures, its default) wins deals of 30 on average
    won = _baseline_won_deal(sc_cal, roster)
    assert won == pytest.approx(30, rel=0.015)
    # every alternative compiles with the calibrated opportunities (the segments keep their proportions)
    cfgs = [compile_alternative(sc_cal, n) for n in sc_cal.names]
    for c in cfgs:
        assert mean_opportunity(c) == pytest.approx(m.opportunity_size)
        assert [s.deal_size for s in c.market.segments] == [s.deal_size for s in cfgs[0].market.segments]
    # directional: read as the average opportunity (the earlier meaning), the won deals miss 30 by more than 3%
    sc_opp = load_scenario(scen(deal_size_is="opportunity"))
    assert not needs_calibration(sc_opp.money)
    assert mean_opportunity(compile_alternative(sc_opp, "status_quo")) == pytest.approx(30)
    won_opp = _baseline_won_deal(sc_opp, roster)
    assert abs(won_opp / 30 - 1) > 0.03, won_opp
    assert m.opportunity_size == pytest.approx(30 * 30 / won_opp, rel=0.02)


def test_the_calibration_is_deterministic_and_short(calibrated):
    sc, sc_cal, m, roster = calibrated
    again, m2 = calibrate_scenario(sc, None, roster)
    assert again.money["opportunity_size"] == sc_cal.money["opportunity_size"]
    assert m2.steps == m.steps
    # scaling every deal size leaves the choice of opportunities alone: one correcting step is enough
    assert len(m.steps) <= 3, m.steps


def test_plan_calibrates_and_says_so(tmp_path):
    lines = []
    res = plan(scen(), tmp_path / "out", replications=4, figures=False, echo=lines.append)
    opp = res.scenario.money["opportunity_size"]
    assert any(t.startswith("won deals: money.deal_size 30 is the average won deal") for t in lines), lines
    for run in res.runs.values():
        assert mean_opportunity(run.config) == pytest.approx(opp)
    assert any(t.startswith("Deal size: money.deal_size (30 k$) is the average won deal") for t in res.summary_text)


def test_deal_size_is_bad_value_names_the_field_and_the_allowed_values(tmp_path):
    import yaml
    with pytest.raises(ConfigError) as ei:
        load_scenario(scen(deal_size_is="average"))
    assert "scenario.money.deal_size_is: 'average' is not allowed; allowed: won, opportunity" in str(ei.value)
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(scen(deal_size_is="averge")))
    r = subprocess.run([sys.executable, "-m", "simteam.planning", str(p), "--check"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "scenario.money.deal_size_is: 'averge' is not allowed; allowed: won, opportunity" in r.stderr
