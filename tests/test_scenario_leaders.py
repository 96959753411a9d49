"""Leaders in scenario files (issue 14 item 5, issue 16 item 3): per-team leaders, and the actions promote,
leader_leaves and hire_leader inside one option; and the gain range as the only uncertainty on a tool's gain."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from simteam import change
from simteam.config import ConfigError
from simteam.engine import Engine
from simteam.leaders import BEHAVIOURS
from simteam.leadership import STYLES
from simteam.planning.assumptions import apply_to_engine, draw_values, list_assumptions
from simteam.planning.planner import analyse, check, run_alternatives, scenario_roster
from simteam.planning.report import _action_text, _risk
from simteam.planning.scenario import (alternative_policies, compile_alternative, describe_alternative,
                                       load_scenario)

ROOT = Path(__file__).resolve().parents[1]
ROSTER = str(ROOT / "examples" / "roster.csv")   # teams north (R01-R08), south (R09-R16), ...


def scen(**extra) -> dict:
    d = {"name": "leaders", "weeks": 30, "replications": 4, "seed": 5, "team": {"roster": ROSTER},
         "market": {"outlook": "stable"},
         "timeline": [{"id": "south_leaves", "action": "leader_leaves", "team": "south", "week": 6}],
         "status_quo": {"keep": ["south_leaves"], "label": "Let succession run"},
         "alternatives": {
             "promote_ana": {"label": "Promote Ana to lead south",
                             "add": [{"id": "up", "action": "promote", "rep": "R01", "team": "south", "week": 6}]},
             "outside": {"label": "Hire an outside coach",
                         "add": [{"id": "hire", "action": "hire_leader", "team": "south", "style": "coaching",
                                  "week": 6, "weeks_to_hire": 8}]}},
         "sensitivity": False}
    d.update(extra)
    return d


def _engine(sc, name, roster, B=None):
    cfg = compile_alternative(sc, name)
    seeds = cfg.seed + np.arange(B or cfg.replications, dtype=np.int64)
    pols = alternative_policies(sc, name, roster)
    return Engine(cfg, seeds=seeds, roster=roster, policies=pols), pols


def test_leader_actions_turn_leaders_on_in_every_option_and_describe_the_change():
    sc = load_scenario(scen())
    for n in sc.names:
        assert compile_alternative(sc, n).mechanisms.leaders  # the same model in all options: a fair comparison
    assert not compile_alternative(load_scenario(scen(timeline=[], status_quo={}, alternatives={"a": {}})),
                                   "a").mechanisms.leaders
    txt = describe_alternative(sc, "promote_ana")
    assert "Leader changes" in txt and "promote R01 to manager of the south team" in txt
    assert "manager of the south team leaves" in describe_alternative(sc, "status_quo")
    assert "coaching-style outside manager" in describe_alternative(sc, "outside")
    hire = next(a for a in sc.alternatives["outside"]["add"])
    assert "arrives 8 weeks later" in _action_text(hire)


def test_promoted_rep_leaves_the_seat_is_never_at_risk_and_the_seat_stays_in_its_team():
    sc = load_scenario(scen())
    roster = scenario_roster(sc)
    runs = run_alternatives(sc, roster=roster)
    seat = roster.ids.index("R01")
    run = runs["promote_ana"]
    assert (run.left_week[:, seat] == 6).all()                       # promoted at week 6 in every future
    assert (run.results.summary["leader_promotions"] >= 1).all()
    assert (runs["status_quo"].left_week[:, seat] != 6).all()
    _, _, risk = analyse(sc, runs, roster)
    r = risk.set_index("rep_id")
    assert np.isnan(r.loc["R01", "leave_promote_ana"]) and r.loc["R01", "promoted_in"] == "Promote Ana to lead south"
    assert not np.isnan(r.loc["R01", "leave_status_quo"])
    page = _risk(risk, {n: sc.label(n) for n in sc.names})
    row = next(x for x in page["rows"] if x["rep_id"] == "R01")
    assert "promoted to manager" in [c["text"] for c in row["leave"]]
    # promoted across teams: the engine's structure is untouched afterwards (the open seat stays in north)
    e, _ = _engine(sc, "promote_ana", roster, B=2)
    team_of = e.structure.team_of.copy()
    for _ in range(8):
        e.step()
    assert (e.structure.team_of == team_of).all()
    assert e.leaders.counts["leader_promotions"].tolist() == [1.0, 1.0]
    assert not e.s.active[:, seat].any() or e.s.tenure[:, seat].max() < 3   # the seat was left (maybe refilled)


def test_promote_with_a_style_sets_the_new_managers_profile():
    d = scen(leaders={"teams": {"south": "command_and_control"}})
    d["alternatives"]["promote_ana"]["add"][0]["style"] = "coaching"
    sc = load_scenario(d)
    roster = scenario_roster(sc)
    assert "leading in a coaching style" in describe_alternative(sc, "promote_ana")
    south, k = roster.team_names.index("south"), BEHAVIOURS.index("inspiration")
    e, _ = _engine(sc, "promote_ana", roster, B=2)
    for _ in range(6):
        e.step()
    assert np.allclose(e.leaders.base[:, south, k], STYLES["command_and_control"]["inspiration"])
    e.step()  # week 6: promoted
    assert np.allclose(e.leaders.base[:, south, k], STYLES["coaching"]["inspiration"])
    assert np.allclose(e.leaders.profile[:, south, k], STYLES["coaching"]["inspiration"])


def test_hire_leader_waits_for_the_outside_hire_instead_of_the_automatic_succession():
    # promote_share 1: without the planned hire the vacated post would be filled from the team after 2 weeks
    d = scen(leaders={"promote_share": 1.0})
    sc = load_scenario(d)
    roster = scenario_roster(sc)
    runs = run_alternatives(sc, roster=roster)
    out, sq = runs["outside"].results.summary, runs["status_quo"].results.summary
    south = roster.team_names.index("south")
    assert (sq["leader_promotions"] >= 1).all()
    assert (out["leader_hires"] >= 1).all()
    e, _ = _engine(sc, "outside", roster, B=2)
    for _ in range(7):
        e.step()
    assert e.leaders.vacant[:, south].all()                          # the interim covers during the search
    assert e.leaders.counts["leader_promotions"].tolist() == [0.0, 0.0]
    for _ in range(8):
        e.step()
    assert not e.leaders.vacant[:, south].any()                      # arrived at week 6 + 8
    k = BEHAVIOURS.index("inspiration")
    assert np.allclose(e.leaders.base[:, south, k], STYLES["coaching"]["inspiration"])


def test_per_team_leaders_set_each_team_profile():
    d = scen(leaders={"teams": {"north": {"style": "command_and_control", "coaching": 0.2}}})
    sc = load_scenario(d)
    roster = scenario_roster(sc)
    e, _ = _engine(sc, "status_quo", roster, B=2)
    e.step()
    n, s = roster.team_names.index("north"), roster.team_names.index("south")
    k = BEHAVIOURS.index("inspiration")
    assert np.allclose(e.leaders.base[:, n, k], STYLES["command_and_control"]["inspiration"])
    assert np.allclose(e.leaders.base[:, n, BEHAVIOURS.index("coaching")], 0.2)
    assert np.allclose(e.leaders.base[:, s, k], STYLES["balanced"]["inspiration"])  # not named: leadership values
    assert (e.leaders.eff[:, n, k] < e.leaders.eff[:, s, k]).all()


def test_leader_assumptions_are_listed():
    sc = load_scenario(scen(leaders={"teams": {"north": "coaching"}}))
    keys = {a["key"]: a for a in list_assumptions(sc, scenario_roster(sc))}
    assert "leaders.peter_slope" in keys and keys["leaders.peter_slope"]["test"] is not None
    assert "Benson" in keys["leaders.peter_slope"]["source"]
    assert "log2" in keys["leaders.promoted_skill"]["value"]
    assert keys["leaders.hire_weeks"]["value"] == 13 and keys["leaders.hire_weeks"]["test"] == (6.0, 26.0)
    assert keys["leaders.teams"]["value"].startswith("north: coaching")
    sc2 = load_scenario(scen(timeline=[], status_quo={}, alternatives={"a": {}}))
    assert not any(k.startswith("leaders.") for k in (a["key"] for a in list_assumptions(sc2)))


@pytest.mark.parametrize("change_, where, words", [
    ({"rep": "R99"}, "add[0].rep", "'R99' is not in the roster"),
    ({"team": "sout"}, "add[0].team", "did you mean south"),
])
def test_bad_rep_or_team_is_one_line_per_field_in_check(change_, where, words):
    d = scen()
    d["alternatives"]["promote_ana"]["add"][0].update(change_)
    with pytest.raises(ConfigError) as ei:
        check(load_scenario(d))
    line = next(ln for ln in str(ei.value).splitlines() if words in ln)
    assert "scenario action 'up'" in line and ("rep" in line if "rep" in where else ".team" in line)


def test_bad_style_week_and_leader_team_in_the_file():
    d = scen(leaders={"teams": {"north": "coachin", "wst": "coaching"}})
    d["alternatives"]["outside"]["add"][0]["style"] = "coachng"
    d["alternatives"]["promote_ana"]["add"][0]["week"] = 30
    d["timeline"][0].pop("team")
    with pytest.raises(ConfigError) as ei:
        load_scenario(d)
    msg = str(ei.value)
    assert "scenario.leaders.teams.north.style: 'coachin' is not a leadership style; did you mean coaching?" in msg
    assert "alternatives.outside.add[0].style: 'coachng' is not a leadership style; did you mean coaching?" in msg
    assert "alternatives.promote_ana.add[0].week: 30 is past the horizon; allowed: 0 to 29" in msg
    assert "timeline[0].team: required field is missing" in msg
    d = scen(leaders={"teams": {"suoth": "coaching"}})
    with pytest.raises(ConfigError, match=r"scenario.leaders.teams.suoth: 'suoth' is not a team of the roster; "
                                          r"did you mean south\?"):
        check(load_scenario(d))


def test_check_mode_reports_leader_problems_with_exit_2(tmp_path):
    import yaml
    d = scen()
    d["alternatives"]["promote_ana"]["add"][0]["rep"] = "R99"
    d["alternatives"]["outside"]["add"][0]["style"] = "coachng"
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(d))
    r = subprocess.run([sys.executable, "-m", "simteam.planning", str(p), "--check"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "did you mean coaching" in r.stderr
    d["alternatives"]["outside"]["add"][0]["style"] = "coaching"
    p.write_text(yaml.safe_dump(d))
    r = subprocess.run([sys.executable, "-m", "simteam.planning", str(p), "--check"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "'R99' is not in the roster" in r.stderr


# ---- no double-counted luck: a stated gain range is the only uncertainty on the gain ----------------------
def _gains(gain, draw: bool):
    d = {"name": "g", "weeks": 20, "replications": 16, "seed": 9, "team": {"roster": ROSTER},
         "timeline": [{"id": "crm", "action": "rollout", "week": 2, "gain": gain}],
         "alternatives": {"crm": {}}, "sensitivity": False}
    sc = load_scenario(d)
    roster = scenario_roster(sc)
    assumptions = list_assumptions(sc, roster)
    e, pols = _engine(sc, "crm", roster)
    vals = draw_values(assumptions, e.seeds) if draw else {}
    apply_to_engine(e, assumptions, vals, pols)
    return change.tool_gain(e, e.p.change.initiatives[0], 0)[:, 0], vals, assumptions


def test_a_stated_gain_range_is_not_widened_by_the_model_gain_noise():
    g, vals, assumptions = _gains({"low": 0.03, "high": 0.12}, draw=True)
    assert np.array_equal(g, vals["crm.gain"])                      # exactly the drawn values: nothing on top
    assert g.min() >= 0.03 and g.max() <= 0.12
    luck, _, _ = _gains({"low": 0.03, "high": 0.12}, draw=False)
    wide, _, _ = _gains({"low": 0.0, "high": 0.15}, draw=False)
    assert np.allclose(luck, 0.075) and np.array_equal(luck, wide)  # luck-only: the gain is the central value
    ent = next(a for a in assumptions if a["key"] == "crm.gain")
    assert "only uncertainty" in ent["note"]
    # a single gain keeps the model's per-future noise (said so in the assumption), unless gain_sd says otherwise
    g1, _, a1 = _gains(0.075, draw=True)
    assert g1.std() > 0.03 and "sd 10.0%" in next(a for a in a1 if a["key"] == "crm.gain")["note"]
    with pytest.raises(ConfigError, match="gain_sd: give a range for gain or gain_sd"):
        load_scenario({"timeline": [{"id": "crm", "action": "rollout", "week": 2, "gain": {"low": 0.0, "high": 0.1},
                                     "gain_sd": 0.05}], "alternatives": {"crm": {}}})


def test_the_shipped_leader_example_checks_and_runs():
    import yaml
    conf = ROOT / "simteam" / "conf" / "scenario"
    d = yaml.safe_load((conf / "region_leader.yaml").read_text())
    d.update(weeks=26, replications=3, sensitivity=False)
    sc = load_scenario(d, base_dir=str(conf))
    roster = check(sc)
    runs = run_alternatives(sc, roster=roster)
    table, _, risk = analyse(sc, runs, roster)
    r = risk.set_index("rep_id")
    assert np.isnan(r.loc["R13", "leave_promote_mo"]) and np.isnan(r.loc["R03", "leave_promote_chloe"])
    assert table.set_index("alternative").loc["outside_coach", "description"].count("Leader changes") == 1
    assert (runs["outside_coach"].results.summary["leader_hires"] >= 1).all()


def test_without_a_roster_teams_are_numbered():
    d = {"name": "synthetic", "weeks": 20, "replications": 2, "seed": 1, "team": {"size": 5, "teams_count": 2},
         "leaders": {"teams": {1: "coaching"}},
         "alternatives": {"go": {"add": [{"id": "l", "action": "leader_leaves", "team": 0, "week": 3}]}},
         "sensitivity": False}
    sc = load_scenario(d)
    assert check(sc) is None
    runs = run_alternatives(sc)
    assert (runs["go"].results.summary["leader_exits"] >= 1).all()
    d["alternatives"]["go"]["add"][0]["team"] = 2
    with pytest.raises(ConfigError, match="'2' is not a team; without a roster teams are numbered 0 to 1"):
        check(load_scenario(d))
