"""The workshop demos' checkpoints, on each demo's own seed, played by the dashboard's model.

At a checkpoint play pauses and the facilitator tells the room what to look at. These tests check
what the room sees there: the checkpoint is where its rule puts it (an event's week + an offset),
every event the guide discusses at it has happened (and "before any response" means before), the
differences the guide names show in the numbers strip with the stated sign, and the demo's own
"watch for" statements hold on the screen's numbers and lines.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from simteam.workshop.app import DashboardModel, narrate, settings_for_demo
from simteam.workshop.demos import DEMOS, checkpoint_report, event_weeks

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "workshop.md"


def _play(name: str):
    """Step the dashboard's model of a demo to its end; keep it and the checkpoint report."""
    m = DashboardModel(settings_for_demo(name))

    def weeks():
        while m.week < m.engine.weeks:
            m.step()
            yield m.week, [m, m.twin]

    return m, checkpoint_report(name, weeks())


@pytest.fixture(scope="module")
def runs():
    return {name: _play(name) for name in DEMOS}


def _sound(runs, name: str) -> dict[int, dict]:
    """Every checkpoint of ``name`` is where its rule puts it and shows what the guide says; by week."""
    _, report = runs[name]
    assert [r["week"] for r in report] == list(DEMOS[name].pause_weeks)
    for r in report:
        assert r["problems"] == [], f"{name}, checkpoint at week {r['week']}: {r['problems']}"
    return {r["week"]: r for r in report}


def _checked(runs, name: str):
    """The played demo ``name`` (its model and its Demo), after checking every checkpoint is sound."""
    _sound(runs, name)
    return runs[name][0], DEMOS[name]


def _at(m, key: str, week: int) -> float:
    """A series' value on screen at ``week`` (weeks done)."""
    return float(m.series(key)[week - 1])


def _shown(x: float, digits: int = 2) -> float:
    return round(x, digits)


def test_toxic_star_checkpoint(runs):
    m, d = _checked(runs, "toxic_star")
    (cp,) = d.checkpoints
    hire = d.script[0].week
    count = {k: side.series("toxic_share") * side.series("headcount") for k, side in zip("ab", m.sides)}
    # the hire arrives on both sides (a cross in each network) ...
    assert round(count["a"][hire]) == round(count["b"][hire]) == 1
    # ... in A the behaviour spreads to neighbours: more crosses than B ever has, before the checkpoint
    assert count["a"][:cp.week].max() > count["b"][:cp.week].max()
    # at the checkpoint B's team is clean, A still has a toxic rep
    assert _at(m.twin, "toxic_share", cp.week) == 0 < _at(m, "toxic_share", cp.week)
    # trust moves less than morale
    dm = _at(m.twin, "morale", cp.week) - _at(m, "morale", cp.week)
    dt = _at(m.twin, "trust", cp.week) - _at(m, "trust", cp.week)
    assert abs(dt) < abs(dm)


def test_crisis_checkpoints(runs):
    m, d = _checked(runs, "crisis")
    quiet, response = d.checkpoints
    # before any response the two teams are identical, number for number, while demand has dropped
    for key in ("revenue", "morale", "trust", "headcount", "quits", "skill", "stress"):
        np.testing.assert_array_equal(m.series(key)[:quiet.week], m.twin.series(key)[:quiet.week], err_msg=key)
    crisis = d.script[0].week
    assert _at(m, "demand", quiet.week) < 0.85 * _at(m, "demand", crisis)
    assert _at(m, "demand", quiet.week) < m.series("demand").min() + 0.05  # "demand near its low"
    # the guide: "here both act at week 32"; What happened quotes A's layoff with its trust drop
    ev = event_weeks(m.sides)
    assert ev["crisis_response:a"] == ev["crisis_response:b"] == response.week - 1 == 32
    log = [txt for wk, txt in narrate(m) if wk < response.week]
    assert "Week 32: A laid off 1 rep; trust fell 0.47 -> 0.33" in log
    # the end: B's revenue ahead through the recovery, A short of people under the freeze (10 of 12)
    a, b = m.kpis(), m.twin.kpis()
    assert b["revenue_13w"] > a["revenue_13w"] and (a["headcount"], b["headcount"]) == (10, 12)


def test_rollout_checkpoint(runs):
    m, d = _checked(runs, "rollout")
    (cp,) = d.checkpoints
    go_live = d.script[0].week
    mandate = event_weeks(m.sides)["mandate:a"]
    # adoption jumps to (almost) everyone in A once the mandate is in force; B's climbs: half the team by week 25
    assert _at(m, "adoption", mandate + 1) >= 0.9
    assert _shown(_at(m.twin, "adoption", cp.week)) == 0.5
    # A's dip is deeper than B's and hits at once (within two weeks of the mandate); both after go-live
    prod_a, prod_b = m.series("productivity"), m.twin.series("productivity")
    assert prod_a[go_live:cp.week].min() < prod_b[go_live:cp.week].min()
    assert go_live <= int(np.argmin(prod_a[:cp.week])) <= mandate + 2


def test_recognition_checkpoint(runs):
    m, d = _checked(runs, "recognition")
    (cp,) = d.checkpoints
    event = d.script[0].week
    ma, mb = m.series("morale"), m.twin.series("morale")
    # B's morale sits above A's from the first weeks and stays there (to the checkpoint)
    assert (mb[:cp.week] > ma[:cp.week]).all()
    # the awards night lifts A by more than the habit's gap ...
    before, after = _at(m, "morale", event), _at(m, "morale", event + 1)
    assert after - before > _at(m.twin, "morale", event) - before
    # ... and by the checkpoint A has given back about a third of the lift, visibly on the strip
    now = _at(m, "morale", cp.week)
    assert _shown(now) < _shown(after)
    assert 0.25 <= (after - now) / (after - before) <= 0.45
    # later, good sales weeks lift both lines again (a 597 k$ week 30 raises the attainment pace)
    assert _at(m, "attainment", 30) > _at(m, "attainment", 29) + 0.2
    assert _at(m, "morale", 33) > after and _at(m.twin, "morale", 33) > _at(m.twin, "morale", event + 1)
    # in this world both lose the same number of people
    assert m.kpis()["quits"] == m.twin.kpis()["quits"]


def test_guide_names_the_checkpoint_weeks():
    """The guide's "Play pauses at week N" for each demo is the demo's first checkpoint, and names every other."""
    text = " ".join(GUIDE.read_text().split())
    for d in DEMOS.values():
        section = text.split(f". {d.title}", 1)[1].split("##", 1)[0]
        first, *rest = d.pause_weeks
        assert f"Play pauses at week {first}" in section, d.key
        for w in rest:
            assert f"again at week {w}" in section, d.key
        assert re.findall(r"Play pauses at week (\d+)", section) == [str(first)], d.key


def test_recognition_surprise_is_sales_not_the_awards_night(runs):
    """The guide's numbers for the surprise after the checkpoint: good sales lift morale while the event's lift fades."""
    import dataclasses

    m, _ = runs["recognition"]
    event = DEMOS["recognition"].script[0].week
    assert round(_at(m, "revenue", 30)) == 597
    pace = m.series("attainment")
    assert round(float(pace[28]), 1) == 1.0
    assert (round(float(pace[29:41].min()), 1), round(float(pace[29:41].max()), 1)) == (1.2, 1.4)  # weeks 30-41
    assert (_shown(_at(m, "morale", 33)), _shown(_at(m, "morale", 35))) == (0.57, 0.56)
    # the same world without the awards night: the event's own lift, right after it and later
    m0 = DashboardModel(dataclasses.replace(settings_for_demo("recognition"), script=()))
    for _ in range(40):
        m0.step()
    lift = [_at(m, "morale", w) - _at(m0, "morale", w) for w in (event + 1, 35, 40)]
    assert [_shown(x) for x in lift] == [0.04, 0.02, 0.01]


def test_command_prints_each_checkpoint_with_its_rule(capsys):
    from simteam.workshop.demos import main

    assert main(["--seeds", "5", "crisis"]) == 0
    out = capsys.readouterr().out
    assert "checkpoint week 25: crisis at week 13 + 12; revenue_13w B-A +0 (B=A)," in out
    assert ("checkpoint week 33: crisis_response:a at week 32 + 1; trust B-A +0.14 (B>A), morale B-A +0.09 (B>A), "
            "headcount B-A +1 (B>A); holds on the seed") in out
