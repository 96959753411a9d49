"""The room game's logic without a browser (simteam.workshop.room): joining, the time budget, ready and
advance, common random numbers, save and load."""

from __future__ import annotations

import json
import math
import threading

import numpy as np
import pytest

from simteam.workshop.room import (ACTIVITIES, Game, GameError, Plan, RoomSettings, budget_hours, default_hours,
                                   hours_to_levels)

SERIES = ("revenue", "headcount", "quits", "exits_other", "morale", "trust", "skill", "stress", "adoption")


def _game(*names, quarters=3, seed=4) -> Game:
    g = Game(RoomSettings(seed=seed, quarters=quarters))
    for n in names:
        g.join(n)
    return g


def _ready_all(g: Game, plans: dict | None = None) -> None:
    for n in g.tables:
        g.submit(n, (plans or {}).get(n, Plan()), ready=True)


#: Data work below the default plan's (the balanced leader's 13 h, Rapp et al. 2020's share): leaves hours for
#: more of the other activities and for actions within the 31-hour budget.
LEAN_DATA = {"data_orientation": 5.5}


def _same(g1, n1, g2, n2) -> bool:
    return all(np.array_equal(g1.series(n1, k), g2.series(n2, k), equal_nan=True) for k in SERIES)


def test_join_rejects_a_duplicate_name_with_a_clear_message_and_rejoins_with_the_code():
    g = _game()
    code = g.join("Lions")
    with pytest.raises(GameError, match=r"^team name: 'Lions' is taken; choose another name"):
        g.join("  lions ")
    with pytest.raises(GameError, match="team name: type a name"):
        g.join("   ")
    with pytest.raises(GameError, match="team name: 30 characters; allowed: 1 to 24"):
        g.join("x" * 30)
    assert g.join("LIONS", code) == code  # the same table comes back from another browser
    assert list(g.tables) == ["Lions"]
    g.join("Tigers")
    assert list(g.tables) == ["Lions", "Tigers"]


def test_a_plan_over_the_weekly_time_budget_is_rejected():
    g = _game("Lions")
    assert budget_hours() == pytest.approx(31.0)  # 50 h minus 15% admin and 23% own selling (simteam.leaders)
    assert sum(default_hours().values()) <= 31.0
    with pytest.raises(GameError, match=r"^hours: 42 h/week planned .*the budget is 31 h/week .*take 11 h off$"):
        g.submit("Lions", Plan(hours={"coaching": 20.0}))
    # actions take hours too: the rollout 6 h/week, hiring 3 h/week
    with pytest.raises(GameError, match=r"activities 34 h \+ actions 9 h"):
        g.submit("Lions", Plan(hours={"coaching": 12.0}, actions=("rollout", "hire")))
    with pytest.raises(GameError, match=r"^hours.coaching: expected hours per week from 0 to 31, got -1"):
        g.submit("Lions", Plan(hours={"coaching": -1.0}))
    with pytest.raises(GameError, match=r"^actions: 'fire' is unknown; allowed: hire, recognise, rollout"):
        g.submit("Lions", Plan(actions=("fire",)))
    with pytest.raises(GameError, match="response: there is no crisis to respond to"):
        g.submit("Lions", Plan(response="pivot"))
    g.submit("Lions", Plan(hours={"coaching": 10.0, **LEAN_DATA}, actions=("rollout",)), ready=True)
    g.run_quarter()
    # the rollout still takes its hours in the next quarter, and it happens once
    assert g.budget("Lions") == pytest.approx(25.0)
    with pytest.raises(GameError, match="the budget is 25 h/week .*6 h for the running rollout"):
        g.submit("Lions", Plan(hours={"coaching": 12.0}))
    with pytest.raises(GameError, match="actions.rollout: the tool was rolled out at week 0; once per game"):
        g.submit("Lions", Plan(hours={"coaching": 1.0}, actions=("rollout",)))


def test_hours_buy_behaviour_levels_as_the_leaders_time_budget_does():
    # simteam.leaders: hours needed for level b are -h_k ln(1 - b) (x reps for per-rep activities)
    lv = hours_to_levels({"coaching": 12.0, "communication": 4.0}, reps=12)
    assert lv["coaching"] == pytest.approx(1 - math.exp(-1.0))
    assert lv["communication"] == pytest.approx(1 - math.exp(-1.0))
    assert hours_to_levels({"coaching": 12.0}, reps=6)["coaching"] == pytest.approx(1 - math.exp(-2.0))
    assert hours_to_levels({"coaching": 999.0}, reps=1)["coaching"] == pytest.approx(0.95)  # max_intensity
    # the default plan is the balanced style, to the half hour
    d = hours_to_levels(default_hours(), reps=12)
    assert d["coaching"] == pytest.approx(0.4, abs=0.02) and d["feedback"] == pytest.approx(0.5, abs=0.02)
    assert set(d) == set(ACTIVITIES)


def test_the_quarter_runs_when_all_tables_are_ready_or_when_forced():
    g = _game("Lions", "Tigers", quarters=2)
    g.start()
    g.submit("Lions", Plan(), ready=True)
    with pytest.raises(GameError, match=r"^run: waiting for Tigers \(or force the run\)$"):
        g.run_quarter()
    assert g.week == 0
    g.submit("Tigers", Plan(hours={"coaching": 9.0}), ready=True)
    v = g.version
    g.run_quarter()
    assert (g.week, g.quarter, g.phase) == (13, 2, "deciding")
    assert g.version >= v + 13  # every week is announced to the browsers
    assert g.waiting_for == ["Lions", "Tigers"]  # ready again is needed for the next quarter
    with pytest.raises(GameError, match="waiting for Lions, Tigers"):
        g.run_quarter()
    g.submit("Lions", Plan(hours={"coaching": 2.0}), ready=False)
    g.run_quarter(force=True)  # not ready: each keeps the plan submitted last (Lions' draft, Tigers' last)
    assert (g.week, g.phase) == (26, "over")
    assert g.tables["Lions"].plans[1].full_hours()["coaching"] == 2.0
    assert g.tables["Tigers"].plans[1].full_hours()["coaching"] == 9.0
    with pytest.raises(GameError, match="run: not now"):
        g.run_quarter(force=True)
    with pytest.raises(GameError, match="plan: the game is over"):
        g.submit("Lions", Plan())


def test_identical_decisions_give_identical_results_common_random_numbers():
    plan = Plan(hours={"coaching": 12.0, "recognition": 4.0, **LEAN_DATA}, accountability=0.3, actions=("recognise",))
    other = Plan(hours={"coaching": 2.0}, accountability=0.9)
    g = _game("Lions", "Tigers", "Bears", quarters=3)
    g.start()
    _ready_all(g, {"Lions": plan, "Tigers": plan, "Bears": other})
    g.run_quarter()
    g.inject("crisis")
    _ready_all(g, {"Lions": Plan(response="cut_and_push"), "Tigers": Plan(response="cut_and_push"),
                   "Bears": Plan(response="hold_steady")})
    g.run_quarter()
    _ready_all(g)
    g.run_quarter()
    assert _same(g, "Lions", g, "Tigers")
    assert g.tables["Lions"].engine.event_log == g.tables["Tigers"].engine.event_log
    assert not _same(g, "Lions", g, "Bears")  # decisions do matter
    board = {r["team"]: r for r in g.leaderboard()}
    assert board["Lions"]["revenue"] == board["Tigers"]["revenue"]
    assert board["Lions"]["rank_revenue"] == board["Tigers"]["rank_revenue"]
    # the same decisions in a different room (other tables, other join order) give the same numbers
    h = _game("Solo", quarters=3)
    h.start()
    _ready_all(h, {"Solo": plan})
    h.run_quarter()
    h.inject("crisis")
    _ready_all(h, {"Solo": Plan(response="cut_and_push")})
    h.run_quarter()
    _ready_all(h)
    h.run_quarter()
    assert _same(g, "Lions", h, "Solo")


def test_crisis_response_needs_a_crisis_and_cannot_be_changed_once_chosen():
    g = _game("Lions", quarters=3)
    g.start()
    g.inject("crisis")
    with pytest.raises(GameError, match="inject: a crisis has already been injected"):
        g.inject("crisis")
    g.submit("Lions", Plan(response="cut_and_push"), ready=True)
    g.run_quarter()
    with pytest.raises(GameError, match=r"response: Lions already responds \(cut_and_push\) since week 0"):
        g.submit("Lions", Plan(response="pivot"))
    kinds = [k for _, k, _ in g.tables["Lions"].engine.event_log]
    assert "crisis_response" in kinds and "layoff" in kinds
    moments = " | ".join(t for _, t in g.key_moments("Lions"))
    assert "everyone: crisis: demand falls by 30%" in moments and "laid off" in moments


def test_save_and_load_round_trip_continues_identically(tmp_path):
    g = _game("Lions", "Tigers", quarters=3)
    g.start()
    _ready_all(g, {"Lions": Plan(hours={"coaching": 10.0, **LEAN_DATA}, actions=("rollout",)),
                   "Tigers": Plan(hours=LEAN_DATA, actions=("hire", "recognise"))})
    g.run_quarter()
    g.inject("crisis")
    g.join("Late")  # joins in quarter 2: quarter 1 replayed with the default plan
    _ready_all(g, {"Lions": Plan(hours=LEAN_DATA, response="pivot")})  # the rollout still takes 6 h
    g.submit("Tigers", Plan(hours={"feedback": 8.0, **LEAN_DATA}), ready=False)  # a draft not yet ready is saved too
    path = g.save(tmp_path / "game.json")
    h = Game.from_json(path.read_text())
    assert (h.week, h.quarter, h.phase, h.injections) == (g.week, g.quarter, g.phase, g.injections)
    assert list(h.tables) == list(g.tables)
    assert h.tables["Tigers"].draft == g.tables["Tigers"].draft and not h.tables["Tigers"].ready
    assert h.tables["Lions"].code == g.tables["Lions"].code
    for n in g.tables:
        assert _same(g, n, h, n), n
    assert json.loads(h.to_json()) == json.loads(g.to_json())
    # both continue the same way
    for game in (g, h):
        game.submit("Tigers", Plan(hours={"feedback": 8.0, **LEAN_DATA}), ready=True)
        game.run_quarter()
    for n in g.tables:
        assert _same(g, n, h, n), n
    assert g.leaderboard() == h.leaderboard()
    assert g.key_moments("Lions") == h.key_moments("Lions")


def test_a_bad_game_file_is_refused_in_one_line_and_leaves_the_game_alone():
    g = _game("Lions")
    good = json.loads(g.to_json())
    for text, msg in [("{nope", "game file: not a JSON file"),
                      (json.dumps({"format": "x"}), "game file: format: expected 'simteam-room/1'"),
                      (json.dumps({**good, "phase": "running"}), "game file: phase: 'running'; allowed"),
                      (json.dumps({**good, "settings": {**good["settings"], "quarters": 0}}),
                       "quarters: expected a whole number from 1 to 16, got 0"),
                      (json.dumps({**good, "tables": [{**good["tables"][0], "draft": {
                          **good["tables"][0]["draft"], "hours": {"coaching": 40}}}]}),
                       r"game file: tables\['Lions'\].draft: hours.coaching: expected hours per week from 0 to 31")]:
        with pytest.raises(GameError, match=msg) as exc:
            g.load(text)
        assert "\n" not in str(exc.value)
    assert list(g.tables) == ["Lions"] and g.phase == "lobby"


def test_browsers_are_woken_when_the_game_changes():
    g = _game()
    seen = g.version
    got = []
    th = threading.Thread(target=lambda: got.append(g.wait(seen, timeout=10)))
    th.start()
    g.join("Lions")
    th.join(timeout=10)
    assert got and got[0] > seen


def test_the_room_launcher_refuses_bad_options_in_one_line(capsys):
    from simteam.workshop.__main__ import main

    assert main(["--room", "--quarters", "0", "--port", "1"]) == 2
    assert capsys.readouterr().err.strip() == ("simteam-workshop: error: --quarters: expected a whole number from 1 "
                                               "to 16, got 0")
    assert main(["--room", "--load", "/nonexistent/game.json"]) == 2
    assert "--load: cannot read" in capsys.readouterr().err


def test_a_second_click_on_run_is_refused_while_the_quarter_runs():
    g = Game(RoomSettings(seed=2, quarters=3), week_seconds=0.05)
    g.join("Lions")
    g.start()
    g.submit("Lions", Plan(), ready=True)
    th = g.start_quarter()
    with pytest.raises(GameError, match=r"^run: not now \(the game is running\)$"):
        g.start_quarter(force=True)
    with pytest.raises(GameError, match="the quarter is running"):
        g.submit("Lions", Plan())
    th.join(timeout=30)
    assert (g.week, g.quarter, g.phase) == (13, 2, "deciding")
