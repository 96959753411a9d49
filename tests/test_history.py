"""My team's history: the tolerant reader, the baseline fitted to a history (recovery of known parameters from a
history the model itself produced), the warning on a history it cannot produce, and the report's section."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simteam.config import ConfigError
from simteam.engine import Engine
from simteam.planning.history import (METRICS, fit_history, history_config, history_from_series, load_history,
                                      read_history_text)
from simteam.planning.planner import check, plan, scenario_history, scenario_roster
from simteam.planning.scenario import compile_alternative, load_scenario

ROOT = Path(__file__).resolve().parents[1]
ROSTER = str(ROOT / "examples" / "roster.csv")


def scen(**extra) -> dict:
    d = {"name": "hist", "weeks": 30, "replications": 4, "seed": 5, "team": {"roster": ROSTER},
         "market": {"outlook": "stable"},
         "timeline": [{"id": "crm", "action": "rollout", "week": 5, "training": 0.2}],
         "alternatives": {"crm": {"actions": {"crm": {}}}}, "sensitivity": False}
    d.update(extra)
    return d


def test_reader_semicolons_decimal_commas_percent_quarters_and_teams():
    h = read_history_text("period;team;attainment;wins;quits;hires;headcount\n"
                          "2025-Q1;north;95%;30;1;0;10\n2025-Q1;south;1,05;20;0;1;5\n"
                          "Q2 2025;north;80%;28;0;1;9,5\nQ2 2025;south;110%;22;1;0;5\n"
                          "2025-Q3;north;90%;25;0;0;10\n2025-Q3;south;100%;21;0;0;5\n"
                          "2025-Q4;north;100%;30;2;1;10\n2025-Q4;south;100%;19;0;2;5\n")
    assert h.freq == "quarter" and h.n == 4 and h.teams == ["north", "south"] and h.per_year == 4
    t = h.table
    assert list(t["period"]) == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert t["wins"].iloc[0] == 50 and t["quits"].iloc[0] == 1 and t["headcount"].iloc[1] == 14.5
    # attainment weighted by head count
    assert t["attainment"].iloc[0] == pytest.approx((0.95 * 10 + 1.05 * 5) / 15)
    r = h.rates()
    assert r["quit_rate"][0] == pytest.approx(1 / 15 * 4)          # quits per rep-year
    assert r["wins_rate"][0] == pytest.approx(50 / 15 / 3)         # wins per rep-month
    # months in every spelling, and a date in the month
    h = read_history_text("period,quits,headcount\n2025-11,1,20\n12/2025,0,20\n01.2026,0,20\n2026-02-28,1,20\n"
                          "2026/3,0,20\n2026-04,0,20\n")
    assert h.freq == "month" and list(h.table["period"])[-1] == "2026-04" and h.weeks == 26


def test_reader_reports_every_problem_by_row_and_column_with_the_fix():
    with pytest.raises(ConfigError) as e:
        read_history_text("period,wins,quits,attainmnt,Region\n"
                          "2025-01,10,1,0.9,x\n2025-13,1,0,0.9,x\n2025-02,3,1%,2,x\n2025-02,4,0,1,x\n"
                          "2025-Q2,\"1,5\",0,1,x\n2025-05,5,-1,1,x\n2025-06,,0,1,x\n")
    msg = str(e.value)
    for part in ("row 1, column attainmnt: unknown column; did you mean attainment? Allowed: period, team, attainment",
                 "column Region: unknown column",
                 "row 3, column period: '2025-13' is not a month or a quarter; write 2025-01 (a month) or 2025-Q1",
                 "row 4, column quits: expected a number",
                 "a % is read in attainment only",
                 "row 5, column period: 2025-02 appears twice (first in row 4)",
                 "row 6, column wins: expected a number", "write 1.5: a decimal point",
                 "months (from row 2) and quarters mixed",
                 "row 7, column quits: -1 is out of range; allowed: 0 to 1,000,000",
                 "row 8, column wins: missing value"):
        assert part in msg, part
    assert msg.startswith("history (text): 9 problems found, nothing was loaded:") and msg.count("\n  - ") == 9
    with pytest.raises(ConfigError, match=r"2025-03, 2025-04 missing; the periods must follow each other"):
        read_history_text("period,attainment\n2025-01,1\n2025-02,1\n2025-05,1\n2025-06,1\n2025-07,1\n2025-08,1\n")
    with pytest.raises(ConfigError, match=r"column attainment: 150 is out of range.*write 1.05 or 105% for 105%"):
        read_history_text("period,attainment\n" + "".join(f"2025-{m:02d},150\n" for m in range(1, 7)))
    with pytest.raises(ConfigError, match=r"3 months are too few to fit; give at least 6"):
        read_history_text("period,attainment\n2025-01,1\n2025-02,1\n2025-03,1\n")
    with pytest.raises(ConfigError, match=r"give at least one of the columns attainment, wins, quits"):
        read_history_text("period,hires\n2025-01,1\n")


def test_unknown_team_and_the_scenario_field_are_checked(tmp_path):
    p = tmp_path / "h.csv"
    p.write_text("period;team;quits\n" + "".join(f"2025-{m:02d};nord;0\n" for m in range(1, 7)), encoding="utf-8")
    sc = load_scenario(scen(history=str(p)))
    with pytest.raises(ConfigError, match=r"row 2, column team: unknown team 'nord'; did you mean north\? \(the roster's teams: north, south\)"):
        check(sc)
    with pytest.raises(ConfigError, match=r"scenario.history: expected the path of a history CSV"):
        load_scenario(scen(history=3))
    with pytest.raises(ConfigError, match=r"history: cannot read"):
        check(load_scenario(scen(history=str(tmp_path / "missing.csv"))))


def _model_history(sc, roster, months: int, quit_base: float, capacity: float, seed: int) -> str:
    """A history the model itself produced: one future of the status quo at known parameters."""
    cfg = history_config(compile_alternative(sc, "status_quo"), round(months * 52 / 12))
    e = Engine(cfg, seeds=np.array([seed]), roster=roster,
               overrides={"people.quit_base": np.array([quit_base]), "selling.capacity": np.array([capacity])})
    e.run()
    return history_from_series(e.series, months, "month", cfg.selling.quota)


@pytest.fixture(scope="module")
def small():
    sc = load_scenario(scen())
    return sc, scenario_roster(sc)


@pytest.mark.slow  # over 2 s: CI runs it; the fast suite stays under 2 minutes
def test_the_fit_recovers_known_parameters_from_a_history_the_model_produced(small):
    sc, roster = small
    truth = {"people.quit_base": 0.007, "selling.capacity": 1.2}
    h = read_history_text(_model_history(sc, roster, 24, truth["people.quit_base"], truth["selling.capacity"], 901),
                          roster=roster)
    fit = fit_history(compile_alternative(sc, "status_quo"), h, roster, seed=0)
    for p in fit.params.itertuples():
        assert p.ci_low <= truth[p.parameter] <= p.ci_high, (p.parameter, p.estimate, p.ci_low, p.ci_high)
    cap = fit.params.set_index("parameter").loc["selling.capacity"]
    # informative, not a blanket interval: well inside the search box (0.4 to 8 opportunities per week). The
    # width is set by how much ONE future's mean attainment varies (the market's autocorrelated noise, shared by
    # all months), not by the number of months: measured on synthetic histories of seeds 901, 1, 2, 3 the 95%
    # interval is 1.06-1.46 wide with 24 or 36 months alike (before the calibration of #15: 1.09-1.15; the bound
    # used to be the true 1.2, which this seed passed at 1.09 by luck and now misses at 1.26). Every interval
    # held the truth. A quarter of the box is 1.9: a fit that learnt nothing from attainment would fail it.
    box = METRICS["attainment"][3]
    assert cap.ci_high - cap.ci_low < (box[1] - box[0]) / 4, (cap.ci_low, cap.ci_high)
    # the default (2.4 opportunities per week) is far outside the fitted interval: the fit moved it
    assert not cap.ci_low <= 2.4 <= cap.ci_high
    assert fit.fits and not fit.warnings, fit.warnings
    assert set(fit.outside_share) == {"quit_rate", "wins_rate", "attainment"}
    assert fit.seconds < 60


@pytest.mark.slow  # over 2 s: CI runs it; the fast suite stays under 2 minutes
def test_the_fit_with_money_deal_size_as_the_average_won_deal(small):
    """money.deal_size (the average won deal) is matched at the fitted values, and the fit still recovers the
    selling pace of a history the model produced with that won deal."""
    from simteam.planning.deals import revenue_per_won_deal
    sc, roster = small
    truth = {"people.quit_base": 0.007, "selling.capacity": 1.2}
    text = _model_history(sc, roster, 24, truth["people.quit_base"], truth["selling.capacity"], 901)
    cfg = history_config(compile_alternative(sc, "status_quo"), round(24 * 52 / 12))
    e = Engine(cfg, seeds=np.array([901]), roster=roster,
               overrides={k: np.array([v]) for k, v in truth.items()})
    e.run()
    won = revenue_per_won_deal(e.series)          # the history's own average won deal
    fit = fit_history(compile_alternative(sc, "status_quo"), read_history_text(text, roster=roster), roster, seed=0,
                      won_deal=won)
    m = fit.deal_match
    assert m is not None and m.converged and abs(m.measured / won - 1) <= 0.01, m.steps
    assert [s[2] for s in m.steps][-1] == "fitted values"
    # the fitted baseline's bands (100 other futures) win deals of the same size, within 2%
    assert fit.won_deal["model"] == pytest.approx(won, rel=0.02)
    assert fit.won_deal["history"] == pytest.approx(won, rel=0.02)   # the same quantity from the monthly table
    cap = fit.params.set_index("parameter").loc["selling.capacity"]
    assert cap.ci_low <= truth["selling.capacity"] <= cap.ci_high, (cap.estimate, cap.ci_low, cap.ci_high)
    assert fit.fits, fit.warnings


def test_the_warning_fires_on_a_history_the_model_cannot_produce(small):
    sc, roster = small
    # attainment jumping between 30% and 250% every other month: the mean is ordinary, the months are not
    text = "period,attainment,quits,headcount\n" + "".join(
        f"2025-{m:02d},{0.3 if m % 2 else 2.5},{m % 3 == 0:d},12\n" for m in range(1, 13))
    fit = fit_history(compile_alternative(sc, "status_quo"), read_history_text(text, roster=roster), roster, seed=0)
    assert not fit.fits
    assert fit.outside_share["attainment"] > 1 / 3
    assert any("does not fit your attainment" in w for w in fit.warnings)


@pytest.mark.slow
def test_the_report_shows_the_history_fit(tmp_path, small):
    sc0, roster = small
    p = tmp_path / "history.csv"
    p.write_text(_model_history(sc0, roster, 12, 0.006, 1.8, 77).replace(",", ";"), encoding="utf-8")
    res = plan(scen(history=str(p)), tmp_path / "out", replications=6)
    assert res.history_fit is not None and res.history_fit.history.n == 12
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "id='history'" in html and "id='fig_history'" in html and "id='history-table'" in html
    assert (tmp_path / "out" / "history_fit.csv").exists()
    assert any(t.startswith("Your team's history (12 months") for t in res.summary_text)
    # the fitted values hold in every alternative and are listed as assumptions with their source
    est = res.history_fit.estimate
    for run in res.runs.values():
        assert run.config.people.quit_base == pytest.approx(est["people.quit_base"])
        assert run.config.selling.capacity == pytest.approx(est["selling.capacity"])
    srcs = [a["source"] for a in res.assumptions if a["key"] == "people.quit_base"]
    assert srcs and srcs[0].startswith("fitted to your history (history.csv")


def test_region_history_example_loads():
    sc = load_scenario(ROOT / "simteam" / "conf" / "scenario" / "region_crm.yaml")
    h = scenario_history(sc, scenario_roster(sc))
    assert h.n == 18 and h.freq == "month" and h.teams == ["north", "south", "west"]
    assert load_history(str(ROOT / "examples" / "region_history.csv")).n == 18
