"""Scenario files: validation naming every field, pure compilation, actions and events in the weeks given."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from simteam.config import ConfigError, from_dict, to_dict
from simteam.engine import Engine
from simteam.planning.scenario import alternative_actions, compile_all, compile_alternative, event_policies, load_scenario

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "simteam" / "conf" / "scenario" / "example_rollout.yaml"


def small(**extra) -> dict:
    d = {
        "name": "test", "weeks": 40, "replications": 6, "seed": 5,
        "team": {"size": 8},
        "market": {"outlook": "stable"},
        "timeline": [
            {"id": "crm", "action": "rollout", "week": 10, "p": 0.5, "q": 0.5},
            {"id": "pods", "action": "regroup", "week": 15},
            {"id": "quota", "action": "quota_change", "week": 20, "factor": 1.2},
        ],
        "alternatives": {
            "phased": {"actions": {"crm": {"pilot_share": 0.25, "pilot_weeks": 4, "training": 0.8}}},
            "big_bang": {"actions": {"crm": {"mandate_week": 12}}, "remove": ["pods"]},
        },
        "sensitivity": False,
    }
    d.update(extra)
    return d


def test_example_loads_and_compiles():
    sc = load_scenario(EXAMPLE)
    assert sc.names == ["status_quo", "phased_with_training", "big_bang_mandate", "phased_no_pods"]
    cfgs = compile_all(sc)
    sq = cfgs["status_quo"]
    assert sq.change.initiatives == [] and sq.change.regroup_weeks == []
    assert [(e.kind, e.week) for e in sq.events] == [("hire", 8), ("quota_change", 52)]  # status_quo.keep
    bb = cfgs["big_bang_mandate"].change.initiatives[0]
    assert (bb.name, bb.start_week, bb.mandate_week, bb.training) == ("crm", 13, 14, 0.1)
    ph = cfgs["phased_with_training"].change.initiatives[0]
    assert (ph.pilot_share, ph.pilot_weeks, ph.training, ph.support) == (0.25, 8, 0.9, 0.8)
    assert cfgs["phased_no_pods"].change.regroup_weeks == []
    assert cfgs["phased_with_training"].change.regroup_weeks == [30]
    assert Path(sq.team.roster).is_file() and sq.team.roster.endswith("examples/roster.csv")
    assert sq.leadership.style == "coaching" and sq.seed == 2026 and sq.replications == 200
    # both uncertain events have windows: policies, identical for every alternative
    assert [p.ev["id"] for p in event_policies(sc)] == ["recession", "top_rep_leaves"]


def test_compile_is_pure():
    sc = load_scenario(small())
    before = copy.deepcopy(sc.raw)
    a = to_dict(compile_alternative(sc, "phased"))
    b = to_dict(compile_alternative(sc, "phased"))
    assert a == b
    assert sc.raw == before
    assert to_dict(compile_alternative(sc, "big_bang")) != a


def test_unknown_alternative():
    sc = load_scenario(small())
    with pytest.raises(ConfigError, match="'nope' is unknown; choose one of status_quo, phased, big_bang"):
        compile_alternative(sc, "nope")


def test_validation_lists_every_problem_with_its_field():
    d = small()
    d["wekes"] = 3
    d["timeline"][0]["week"] = 50                       # past the 40-week horizon
    d["timeline"][1]["action"] = "reorg"                 # unknown action
    d["timeline"].append({"id": "crm", "action": "hire", "week": 3})  # duplicate id
    d["timeline"].append({"id": "nb", "action": "new_approach", "week": 20, "mandate_week": 5, "training": 1.5})
    d["events"] = [{"id": "rec", "kind": "recession", "probability": 1.5, "window": [30, 20]},
                   {"id": "x", "kind": "meteor", "week": 3},
                   {"id": "y", "kind": "crisis", "week": 3, "window": [1, 2]}]
    d["alternatives"]["phased"]["actions"]["ghost"] = {"training": 1}
    d["alternatives"]["big_bang"]["leadership"] = {"style": "tyrant"}
    d["alternatives"]["big_bang"]["actions"]["crm"]["training"] = 2
    d["status_quo"] = {"keep": ["nothing"]}
    d["rank_by"] = "happiness"
    with pytest.raises(ConfigError) as ei:
        load_scenario(d)
    msg = str(ei.value)
    expected = [
        "scenario.wekes: unknown field; did you mean weeks?",
        "scenario.timeline[0].week: 50 is past the horizon; allowed: 0 to 39",
        "scenario.timeline[1].action: 'reorg' is unknown; choose one of rollout, new_approach",
        "scenario.timeline[3].id: 'crm' is used twice",
        "scenario.timeline[4].training: 1.5 is out of range; allowed: 0.0 to 1.0",
        "scenario.timeline[4].mandate_week: 5 is before the rollout week 20",
        "scenario.events[0].probability: 1.5 is out of range",
        "scenario.events[0].window: last week 20 is before first week 30",
        "scenario.events[1].kind: 'meteor' is unknown",
        "scenario.events[2]: give either week (a fixed week) or window",
        "scenario.alternatives.phased.actions.ghost: names no timeline action",
        "scenario.alternatives.big_bang.leadership.style: 'tyrant' is unknown",
        "scenario.alternatives.big_bang.actions.crm.training: 2 is out of range; allowed: 0.0 to 1.0",
        "scenario.status_quo.keep[0]: 'nothing' names no timeline action",
        "scenario.rank_by: 'happiness' is not allowed",
    ]
    for e in expected:
        assert e in msg, e
    assert msg.splitlines()[0] == f"scenario mapping: {len(expected)} problems:"


def test_needs_alternatives_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="scenario.alternatives: expected at least one named alternative"):
        load_scenario({"timeline": []})
    p = tmp_path / "bad.yaml"
    p.write_text("name: [unclosed\n")
    with pytest.raises(ConfigError, match=r"bad.yaml: line \d+: not valid YAML"):
        load_scenario(p)
    with pytest.raises(ConfigError, match="status_quo is the built-in baseline"):
        load_scenario(small(alternatives={"status_quo": {}}))


def test_alternative_combination_errors_name_the_alternative():
    # a `set` of an unknown parameter is reported with the alternative's path
    d = small()
    d["alternatives"]["phased"]["set"] = {"people.quit_bse": 0.01}
    sc = load_scenario(d)
    with pytest.raises(ConfigError, match=r"scenario.alternatives.phased: people.quit_bse: unknown parameter"):
        compile_alternative(sc, "phased")


def test_hydra_node_is_accepted():
    from omegaconf import OmegaConf

    sc = load_scenario(OmegaConf.create(small()))
    assert sc.names == ["status_quo", "phased", "big_bang"]


def _run(cfg, policies=(), reps=None):
    e = Engine(cfg, seeds=cfg.seed + np.arange(reps or cfg.replications), policies=list(policies))
    e.run()
    return e


def test_actions_take_effect_in_the_weeks_given():
    sc = load_scenario(small())
    no_quits = {"mechanisms": {"attrition": False}}
    cfg = from_dict(no_quits, base=compile_alternative(sc, "big_bang"))
    e = _run(cfg)
    adoption = e.series["adoption"]
    assert np.all(adoption[:10] == 0)                 # nothing before the rollout week
    assert np.all(adoption[10] > 0)                   # adoption starts in week 10 (p = 0.5)
    assert np.all(adoption[12] == 1)                  # mandate in week 12: everyone
    qf = e.series["quota_factor"]
    assert np.all(qf[:20] == 1.0) and np.all(qf[20:] == 1.2)
    assert e.regroups == 0                            # big_bang removes the regroup
    # phased: pilot share only until week 14, regroup in week 15
    cfg = from_dict(no_quits, base=compile_alternative(sc, "phased"))
    e = Engine(cfg, seeds=np.arange(4))
    for _ in range(14):                                  # weeks 0..13
        e.step()
    assert e.s.exposed[:, :, 0].sum(axis=1).tolist() == [2] * 4   # ceil(0.25 * 8) pilot reps
    e.step()                                             # week 14: the 4-week pilot is over
    assert e.s.exposed[:, :, 0].all()
    assert e.regroups == 0
    e.step()                                             # week 15: regroup
    assert e.regroups == 1


def test_hire_fills_open_seats_in_its_week(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("rep_id,status\nA,active\nB,active\nC,open\nD,open\n")
    d = small(team={"roster": str(roster), "graph": "complete"},
              timeline=[{"id": "grow", "action": "hire", "week": 7, "count": 2}],
              alternatives={"grow": {}})
    sc = load_scenario(d)
    cfg = from_dict({"people": {"quit_base": 0.0}, "mechanisms": {"attrition": False}},
                    base=compile_alternative(sc, "grow"))
    e = _run(cfg)
    head = e.series["headcount"]
    assert np.all(head[:7] == 2) and np.all(head[7:] == 4)
    e0 = _run(from_dict({"mechanisms": {"attrition": False}}, base=compile_alternative(sc, "status_quo")))
    assert np.all(e0.series["headcount"] == 2)        # open seats stay open without the hire


def test_window_event_week_is_drawn_per_replication_and_shared_by_alternatives():
    d = small(events=[{"id": "star", "kind": "lose_top_performer", "probability": 1.0, "window": [5, 25]}],
              replications=40)
    sc = load_scenario(d)
    weeks = {}
    for name in ("status_quo", "big_bang"):
        cfg = from_dict({"culture": {"toxic_hire_prob": 0.0}, "crisis": {"strategy": "none"},
                         "mechanisms": {"attrition": False}}, base=compile_alternative(sc, name))
        pols = event_policies(sc)
        e = _run(cfg, pols)
        summary_exits = e.counters["exits_other"]
        assert np.all(summary_exits == 1)             # happens exactly once in every replication
        w = np.argmax(e.series["headcount"] < 8, axis=0)  # the week a seat first empties
        assert w.min() >= 5 and w.max() <= 25
        np.testing.assert_array_equal(w, pols[0].week)
        weeks[name] = w
    assert len(set(weeks["status_quo"].tolist())) > 5    # drawn anew per replication
    np.testing.assert_array_equal(weeks["status_quo"], weeks["big_bang"])


def test_event_probability_and_certain_market_events():
    d = small(events=[{"id": "rec", "kind": "recession", "probability": 0.5, "week": 12},
                      {"id": "comp", "kind": "competitor_entry", "probability": 1.0, "week": 30},
                      {"id": "slump", "kind": "crisis", "probability": 0.5, "week": 8, "depth": 0.3}],
              replications=30)
    sc = load_scenario(d)
    cfg = compile_alternative(sc, "phased")
    # a certain market event is a shock preset in the config; a fixed-week crisis an Event with its probability
    assert [(s.kind, s.start_week, s.permanent) for s in cfg.market.shocks] == [("win_rate", 30, True)]
    assert [(e.kind, e.week, e.value, e.probability) for e in cfg.events][:1] == [("crisis", 8, 0.3, 0.5)]
    onsets = {}
    for name in ("status_quo", "phased"):
        pols = event_policies(sc)
        assert [p.ev["id"] for p in pols] == ["rec"]
        e = _run(compile_alternative(sc, name), pols)
        onsets[name] = e.market.first_onset.copy()
        hit = pols[0].happens
        assert 0 < hit.sum() < hit.size
    np.testing.assert_array_equal(onsets["status_quo"], onsets["phased"])
    assert set(np.unique(onsets["phased"])) <= {8, 12, 30}


def test_alternative_actions_lists():
    sc = load_scenario(small(status_quo={"keep": ["quota"]}))
    assert [a["id"] for a in alternative_actions(sc, "status_quo")] == ["quota"]
    bb = alternative_actions(sc, "big_bang")
    assert [a["id"] for a in bb] == ["crm", "quota"] and bb[0]["mandate_week"] == 12


def test_edge_list_by_rep_id():
    d = small(team={"roster": str(ROOT / "examples" / "roster.csv"), "edges": str(ROOT / "examples" / "edges.csv")})
    sc = load_scenario(d)
    cfg = compile_alternative(sc, "phased")
    assert cfg.team.graph == "edgelist" and cfg.team.edgelist.endswith("examples/edges.csv")
    from simteam.roster import load_roster

    e = Engine(cfg, seeds=np.arange(2), roster=load_roster(cfg.team.roster))
    g = e.structure.to_networkx()
    # R01 (seat 0) is tied to R02, R03, R05 and R09 (seats 1, 2, 4, 8) in the file
    assert {1, 2, 4, 8} <= set(g.neighbors(0))
    bad = small(team={"roster": str(ROOT / "examples" / "roster.csv"), "edges": str(ROOT / "examples" / "roster.csv")})
    with pytest.raises(ConfigError, match="needs columns source,target"):
        Engine(compile_alternative(load_scenario(bad), "phased"), seeds=np.arange(1))


@pytest.mark.parametrize("kind", ["competitor_entry", "lead_loss"])
def test_uncertain_market_events_hit_only_after_their_week(kind):
    base = small(replications=20, events=[])
    hit = small(replications=20, events=[{"id": "ev", "kind": kind, "probability": 1.0, "window": [12, 12]}])
    cfg = compile_alternative(load_scenario(base), "status_quo")
    e0 = _run(cfg)
    sc = load_scenario(hit)
    assert compile_alternative(sc, "status_quo").market.shocks == []   # a window event is a policy, not a shock
    pols = event_policies(sc)
    e1 = _run(cfg, pols)
    r0, r1 = e0.series["revenue"], e1.series["revenue"]
    np.testing.assert_array_equal(r0[:12], r1[:12])                   # same futures until the event
    assert r1[20:].sum() < 0.97 * r0[20:].sum()                        # then less revenue


def test_a_shipped_scenario_finds_its_example_files_from_any_folder(tmp_path, monkeypatch):
    # simteam/conf/scenario/region_crm.yaml names examples/region_roster.csv: found in the checkout holding the
    # package, whatever folder the command runs from
    from simteam.planning.scenario import resolve_path
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PWD", str(tmp_path))
    sc = load_scenario(str(ROOT / "simteam" / "conf" / "scenario" / "region_crm.yaml"))
    assert resolve_path(sc.team["roster"], sc) == str(ROOT / "examples" / "region_roster.csv")
