"""Decision report v2: assumptions (ranges drawn per future, break-even), actions on named reps, team pilots,
money, imports people really have, --check."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from simteam.config import ConfigError
from simteam.engine import Engine
from simteam.events import fire
from simteam.planning.assumptions import break_even, confidence_word, draw_values, list_assumptions
from simteam.planning.money import money_table, roi_note, roi_text
from simteam.planning.planner import analyse, check, paired_gap, run_alternatives, scenario_roster
from simteam.planning.scenario import load_scenario
from simteam.roster import read_roster_text

ROOT = Path(__file__).resolve().parents[1]
ROSTER = str(ROOT / "examples" / "roster.csv")


def scen(**extra) -> dict:
    d = {"name": "v2", "weeks": 40, "replications": 4, "seed": 11,
         "team": {"roster": ROSTER}, "market": {"outlook": "stable"},
         "timeline": [{"id": "crm", "action": "rollout", "week": 5, "mandate_week": 6, "training": 0.2}],
         "alternatives": {"big_bang": {"label": "Big bang", "actions": {"crm": {}}}},
         "status_quo": {"label": "Do nothing"}, "sensitivity": False}
    d.update(extra)
    return d


def test_confidence_words_never_call_57_percent_clear():
    assert confidence_word(0.57, 10.0) != "clear"
    assert confidence_word(0.57) == "too close to call"
    assert confidence_word(0.95, 1.0) == "clear"
    assert confidence_word(0.95, -1.0) != "clear"    # interval includes zero
    assert confidence_word(0.8) == "likely"


@pytest.mark.slow  # over 2 s: CI runs it; the fast suite stays under 2 minutes
def test_break_even_equals_the_crossing_found_by_a_direct_scan():
    sc = load_scenario(scen())
    roster = scenario_roster(sc)
    gap = lambda x: paired_gap(sc, "big_bang", "status_quo", "crm.gain", x, None, 4, 11, roster)  # noqa: E731
    r = break_even(gap, 0.0, 0.8, max_iter=9)
    assert r["status"] == "crossing" and r["increasing"]
    grid = np.linspace(0.0, 0.8, 9)
    f = np.array([gap(x) for x in grid])
    assert f[0] < 0 < f[-1]
    i = int(np.flatnonzero((f[:-1] <= 0) & (f[1:] > 0))[0])
    scan = grid[i] - f[i] * (grid[i + 1] - grid[i]) / (f[i + 1] - f[i])
    assert abs(r["value"] - scan) <= (grid[1] - grid[0]) / 2
    assert grid[i] <= r["value"] <= grid[i + 1]
    # at the break-even value the two options earn (almost) the same
    assert abs(gap(r["value"])) < 0.1 * (f[-1] - f[0])


def test_break_even_without_a_sign_change():
    assert break_even(lambda x: 1.0, 0, 1)["status"] == "above"
    assert break_even(lambda x: -1.0, 0, 1)["status"] == "below"


def test_ranges_are_drawn_per_replication_and_shared_by_alternatives():
    d = scen()
    d["timeline"][0]["gain"] = {"low": 0.03, "high": 0.12, "source": "vendor's claim"}
    d["events"] = [{"id": "rival", "kind": "competitor_entry", "probability": "40%", "week": 10,
                    "depth": {"low": 0.1, "mode": 0.2, "high": 0.5}}]
    sc = load_scenario(d)
    assert sc.events[0]["probability"] == 0.4
    ass = {a["key"]: a for a in list_assumptions(sc, scenario_roster(sc))}
    g = ass["crm.gain"]
    assert g["drawn"] and g["source"] == "vendor's claim" and g["value"] == pytest.approx(0.075)
    assert ass["crm.dip"]["source"].startswith("model default") and not ass["crm.dip"]["drawn"]
    assert ass["rival.depth"]["dist"] == "triangular" and ass["rival.depth"]["value"] == 0.2
    seeds = np.arange(11, 211)
    v = draw_values(list(ass.values()), seeds)
    assert ((v["crm.gain"] >= 0.03) & (v["crm.gain"] <= 0.12)).all() and np.ptp(v["crm.gain"]) > 0.05
    assert ((v["rival.depth"] >= 0.1) & (v["rival.depth"] <= 0.5)).all()
    np.testing.assert_array_equal(draw_values(list(ass.values()), seeds[:5])["crm.gain"], v["crm.gain"][:5])
    # the draw changes the runs (luck-only run differs), the baseline sees the same competitor draw
    drawn = run_alternatives(sc)
    central = run_alternatives(sc, draw=False)
    assert not np.array_equal(drawn["big_bang"].results.summary["revenue"], central["big_bang"].results.summary["revenue"])
    np.testing.assert_array_equal(drawn["status_quo"].results.series["demand"],
                                  drawn["big_bang"].results.series["demand"])


def test_fire_dismiss_vacates_one_seat_as_an_exit():
    sc = load_scenario(scen())
    cfg = __import__("simteam.planning.scenario", fromlist=["x"]).compile_alternative(sc, "status_quo")
    e = Engine(cfg, roster=scenario_roster(sc))
    assert e.s.active[:, 3].all()
    fire(e, "dismiss", 3.0)
    assert not e.s.active[:, 3].any()
    assert (e.counters["exits_other"] == 1).all() and (e.counters["quits"] == 0).all()
    with pytest.raises(ValueError, match="seat 99"):
        fire(e, "dismiss", 99.0)


def test_dismiss_replace_and_the_at_risk_table():
    d = scen()
    d["alternatives"]["let_go"] = {"add": [{"id": "go", "action": "dismiss", "week": 3, "rep": "R02"}]}
    d["alternatives"]["swap"] = {"add": [{"id": "sw", "action": "replace", "week": 3, "rep": "R01", "skill": 2}]}
    sc = load_scenario(d)
    roster = scenario_roster(sc)
    runs = run_alternatives(sc)
    seat2, seat1 = roster.ids.index("R02"), roster.ids.index("R01")
    assert runs["let_go"].left[:, seat2].all() and (runs["let_go"].left_week[:, seat2] == 3).all()
    assert runs["swap"].left[:, seat1].all()
    _, _, risk = analyse(sc, runs, roster)
    r = risk.set_index("rep_id")
    assert np.isnan(r.loc["R02", "leave_let_go"]) and "let go" in r.loc["R02", "removed_in"]
    assert np.isnan(r.loc["R01", "leave_swap"])
    assert not np.isnan(r.loc["R02", "leave_status_quo"])


def test_unknown_rep_and_team_are_reported_by_check():
    d = scen()
    d["alternatives"]["a"] = {"add": [{"id": "go", "action": "dismiss", "week": 3, "rep": "R99"}]}
    d["alternatives"]["b"] = {"add": [{"id": "mv", "action": "move", "week": 3, "rep": "R01", "to_team": "west"}]}
    with pytest.raises(ConfigError) as ei:
        check(load_scenario(d))
    msg = str(ei.value)
    assert "2 problems" in msg and "'R99' is not in the roster" in msg and "'west' is not a team" in msg


def test_pilot_in_one_team_exposes_only_that_team():
    d = scen()
    d["timeline"][0].update(mandate_week=-1, teams=["south"], p=0.5, q=0.5)
    sc = load_scenario(d)
    roster = scenario_roster(sc)
    runs = run_alternatives(sc, names=["big_bang"])
    from simteam.planning.scenario import alternative_policies, compile_alternative
    cfg = compile_alternative(sc, "big_bang")
    pols = alternative_policies(sc, "big_bang", roster)
    e = Engine(cfg, seeds=np.arange(3), roster=roster, policies=pols)
    for _ in range(20):
        e.step()
    south = np.array([roster.team_names[i] == "south" for i in roster.team_index])
    assert e.s.adopted[:, ~south, 0].sum() == 0 and e.s.adopted[:, south, 0].sum() > 0
    assert runs["big_bang"].results.n == 4


def test_move_changes_the_team():
    d = scen()
    d["alternatives"]["mv"] = {"add": [{"id": "mv", "action": "move", "week": 2, "rep": "R01", "to_team": "south"}]}
    sc = load_scenario(d)
    roster = scenario_roster(sc)
    from simteam.planning.scenario import alternative_policies, compile_alternative
    e = Engine(compile_alternative(sc, "mv"), seeds=np.arange(2), roster=roster,
               policies=alternative_policies(sc, "mv", roster))
    for _ in range(4):
        e.step()
    assert e.structure.team_of[roster.ids.index("R01")] == roster.team_names.index("south")


def test_money_costs_net_value_and_payback():
    d = scen(money={"currency": "EUR", "margin": 0.5, "severance": 40, "recruiting_cost": 10})
    d["timeline"][0]["cost"] = {"one_off": 100, "monthly": 5}
    sc = load_scenario(d)
    assert sc.currency == "k EUR"
    runs = run_alternatives(sc)
    m = money_table(sc, runs).set_index("alternative")
    hires = {n: r.results.series["hires"].sum(axis=0) for n, r in runs.items()}
    expect = 100 + 5 * (40 - 5) * 12 / 52 + 10 * (hires["big_bang"] - hires["status_quo"]).mean()
    assert m.loc["big_bang", "extra_cost_mean"] == pytest.approx(expect)
    dr = runs["big_bang"].results.summary["revenue"].to_numpy() - runs["status_quo"].results.summary["revenue"].to_numpy()
    assert m.loc["big_bang", "net_value_mean"] == pytest.approx(0.5 * dr.mean() - expect)
    assert m.loc["big_bang", "payback_month_p10"] <= m.loc["big_bang", "payback_month_p90"]


def test_roi_only_for_a_real_extra_cost():
    # an option that costs (almost) nothing more than the baseline: a ratio to its extra cost (a few refill hires
    # more or less) would read thousands of percent; the report says n/a instead, with the reason
    d = scen(money={"currency": "EUR", "margin": 0.5, "recruiting_cost": 0.001})
    sc = load_scenario(d)
    runs = run_alternatives(sc)
    m = money_table(sc, runs).set_index("alternative")
    assert np.isnan(m.loc["big_bang", "roi_p50"]) and m.loc["big_bang", "roi_note"] == "no extra cost"
    assert roi_text(m.loc["big_bang"]) == "ROI n/a: no extra cost"
    from types import SimpleNamespace

    from simteam.planning.report import MONEY_COLUMNS, _money
    cells = _money(SimpleNamespace(money=m.reset_index(), scenario=sc))["rows"][0]["cells"]
    assert cells[[c for c, _, _ in MONEY_COLUMNS].index("roi_p50")] == "n/a: no extra cost"
    # the same option with a real cost has its ROI
    d["timeline"][0]["cost"] = {"one_off": 100}
    sc = load_scenario(d)
    m = money_table(sc, run_alternatives(sc)).set_index("alternative")
    r = m.loc["big_bang"]
    assert r["roi_note"] == "" and np.isfinite(r["roi_p50"]) and roi_text(r).endswith("(median)")
    # the rule itself: tiny, mixed-sign or negative extra costs give no ROI
    base_margin = 10_000.0
    assert roi_note(np.full(50, 100.0), base_margin) == ""
    assert roi_note(np.full(50, 0.5), base_margin) == "no extra cost"            # 0.005% of the margin
    assert roi_note(np.r_[np.full(30, 200.0), np.full(20, -50.0)], base_margin) == "no extra cost"
    assert roi_note(np.full(50, -80.0), base_margin) == "costs less than the baseline"


def test_scenario_money_sets_quota_and_deal_size():
    from simteam.planning.scenario import compile_alternative
    # deal_size_is: opportunity -- the lead-weighted average opportunity is the scenario's value as it is (the
    # default, won, calibrates it in plan(): tests/test_scenario_dealsize.py)
    sc = load_scenario(scen(money={"quota": 900, "deal_size": 30, "deal_size_is": "opportunity"}))
    cfg = compile_alternative(sc, "status_quo")
    w = np.array([s.lead_rate for s in cfg.market.segments])
    assert cfg.selling.quota == 900
    assert np.dot(w, [s.deal_size for s in cfg.market.segments]) / w.sum() == pytest.approx(30)


def test_scenario_validation_of_new_fields():
    d = scen()
    d["timeline"][0]["gain"] = {"low": 0.2, "high": 0.1}
    d["timeline"].append({"id": "x", "action": "dismiss", "week": 3})
    d["alternatives"]["big_bang"]["costs"] = {"one_of": 3}
    d["assumptions"] = {"harm": {"param": "culture.toxic_moral", "low": 0.1, "high": 0.5}}
    d["team"]["columns"] = {"Hire Date": "start_dat"}
    with pytest.raises(ConfigError) as ei:
        load_scenario(d)
    msg = str(ei.value)
    for part in ("timeline[0].gain: high (0.1) must be above low (0.2)", "timeline[1].rep: required field",
                 "costs.one_of: unknown field; did you mean", "assumptions.harm.param",
                 "team.columns.Hire Date: 'start_dat' is not a roster column; did you mean"):
        assert part in msg, part


EXPORT = """Owner ID;Full Name;Region;Role;Hire Date;Attainment;Engagement
R1;Ana;north;AE;2020-01-15;132%;4,5
R2;Ben;north;AE;15.06.2023;0,97;3,8
R3;Cy;south;SDR;2024/03/01;81 %;2,9
"""


def test_roster_semicolons_decimal_commas_percent_dates_and_mapping():
    cols = {"Owner ID": "rep_id", "Full Name": "name", "Region": "team", "Role": "ignore",
            "Hire Date": "start_date", "Attainment": "attainment_last_year", "Engagement": "engagement"}
    r = read_roster_text(EXPORT, columns=cols, as_of="2025-01-15")
    assert r.ids == ["R1", "R2", "R3"] and r.team_names == ["north", "south"]
    np.testing.assert_allclose(r.values["attainment_last_year"], [1.32, 0.97, 0.81])
    np.testing.assert_allclose(r.values["engagement"], [4.5, 3.8, 2.9])
    np.testing.assert_allclose(r.values["tenure_weeks"], [261, 83, 46])
    assert "tenure_weeks" in r.columns and "start_date" not in r.columns


def test_roster_problems_are_all_reported_with_the_fix():
    with pytest.raises(ConfigError) as ei:
        read_roster_text(EXPORT)
    msg = str(ei.value)
    assert "8 problems" in msg
    assert "column Role: unknown column" in msg and "team.columns" in msg
    bad = "rep_id,attainment_last_year,start_date\nR1,\"1,2\",2020-13-01\n"
    with pytest.raises(ConfigError) as ei:
        read_roster_text(bad, as_of="2025-01-01")
    msg = str(ei.value)
    assert "write 1.2" in msg and "not a date; write 2023-04-01" in msg
    with pytest.raises(ConfigError, match="team.as_of"):
        read_roster_text("rep_id,start_date\nR1,2020-01-01\n")


def test_check_mode_is_fast_and_reports_problems(tmp_path):
    import yaml
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(scen()))
    t0 = time.perf_counter()
    check(load_scenario(str(p)))          # the check itself, without the package import
    assert time.perf_counter() - t0 < 3.0
    r = subprocess.run([sys.executable, "-m", "simteam.planning", str(p), "--check"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("ok:") and "Big bang" in r.stdout
    d = scen()
    d["alternatives"]["a"] = {"add": [{"id": "go", "action": "dismiss", "week": 3, "rep": "R99"}]}
    p.write_text(yaml.safe_dump(d))
    r = subprocess.run([sys.executable, "-m", "simteam.planning", str(p), "--check"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 2 and "R99" in r.stderr and "Traceback" not in r.stderr


REGION = ROOT / "simteam" / "conf" / "scenario" / "region_crm.yaml"


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    """The shipped realistic case, shortened: 52 weeks, 6 futures, 3 per sensitivity run."""
    import yaml

    from simteam.planning import plan
    d = yaml.safe_load(REGION.read_text())
    d.update(weeks=52, replications=6)
    d["team"]["roster"] = str(ROOT / "examples" / "region_roster.csv")
    d["events"][0]["window"] = [20, 40]
    out = tmp_path_factory.mktemp("region")
    return plan(d, out, sensitivity_replications=3), out


@pytest.mark.slow
def test_region_case_report_shows_assumptions_break_even_money_and_all_reps(region):
    import pandas as pd
    res, out = region
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Executive summary" in page and "@page{size:A4" in page
    assert "lasting productivity gain of crm" in page and "vendor claims 12%; peers report 3-5%" in page
    assert "drawn in each future" in page
    assert "harm a toxic rep does to colleagues&#39; morale" in page     # the scenario's own assumption
    assert "culture.toxic_morale" in page                              # shown among the settings you changed
    assert "Pilot in north first" in page and "pilot_north</td>" not in page
    money = pd.read_csv(out / "money.csv")
    assert {"net_value_p10", "net_value_p50", "net_value_p90", "payback_month_p50", "roi_p50"} <= set(money)
    assert "k EUR" in page
    risk = pd.read_csv(out / "at_risk.csv")
    assert len(risk) == 27 and page.count("<tr><td class='l'>R") >= 27
    victor = risk.set_index("rep_id").loc["R23"]
    assert np.isnan(victor["leave_pilot_and_replace_victor"]) and "let go by the plan" in page
    sens = pd.read_csv(out / "sensitivity.csv")
    assert sens["swing"].is_monotonic_decreasing or sens["flips"].any()
    assert res.break_even and any("What would it take" in p or "whatever" in p for p in res.summary_text)
    assert " clear" not in " ".join(p for p in res.summary_text if "%" in p and "60%" in p)
    assert "-0 " not in page and "-0<" not in page
    # the team's history: fitted, shown against the actual months, the fitted values used as assumptions
    assert res.history_fit is not None and res.history_fit.history.n == 18
    assert "id='history'" in page and "id='history-table'" in page and (out / "history_fit.csv").exists()
    assert any(a["source"].startswith("fitted to your history") for a in res.assumptions)
    # where the chosen option loses to the runner-up (scenario discovery)
    assert any(p.startswith("When would the choice go wrong") for p in res.summary_text)


@pytest.mark.slow
@pytest.mark.browser
def test_region_report_in_chromium_one_page_summary(region, tmp_path):
    chromium = "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    pw = pytest.importorskip("playwright.sync_api")
    res, out = region
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto((out / "report.html").as_uri())
            page.wait_for_load_state("load")
            assert page.locator("#executive li").count() >= 3
            assert page.locator("#assumption-table tbody tr").count() >= 8
            assert page.locator("#money-table tbody tr").count() == 3
            assert page.locator("table#risk tbody tr").count() == 27
            page.emulate_media(media="print")
            page.set_viewport_size({"width": int((210 - 28) / 25.4 * 96), "height": 1000})  # A4 text width
            # the executive summary fits one A4 page (297 mm - 2 x 14 mm margins at 96 dpi)
            h = page.evaluate("document.querySelector('#executive').getBoundingClientRect().height")
            print("executive summary height (px):", h)
            assert h <= (297 - 28) / 25.4 * 96
            pdf = page.pdf(format="A4", print_background=True)
            (tmp_path / "report.pdf").write_bytes(pdf)
        finally:
            browser.close()
    assert pdf[:5] == b"%PDF-" and len(pdf) > 20_000
