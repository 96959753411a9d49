"""In-process tests of the workshop dashboard (solara.render, no browser) and its model."""

from __future__ import annotations

import dataclasses

import ipyvuetify as v
import ipywidgets as widgets
import numpy as np
import pytest
import solara

from simteam.workshop import dashboard
from simteam.workshop.app import (
    DashboardModel,
    Page,
    Settings,
    Side,
    charts_figure,
    export_png,
    network_figure,
    run_script,
    settings_for_demo,
    settings_problem,
)
from simteam.workshop.demos import DEMOS, KINDS, model_kwargs
from simteam.leadership import STYLES
from simteam.model import SalesTeamModel


# ------------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------------
@pytest.fixture
def page():
    _box, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    yield rc
    rc.close()


def _text(rc, cls: str) -> str:
    found = rc.find(v.Html, class_=cls).widgets
    assert found, f"no element with class {cls}"
    return "".join(str(c) for c in found[0].children)


def _button(rc, label: str):
    found = [b for b in rc.find(v.Btn).widgets if b.children and b.children[-1] == label]
    assert len(found) == 1, f"expected one {label!r} button, got {len(found)}"
    return found[0]


def _images(rc) -> list[bytes]:
    return [bytes(w.value) for w in rc.find(widgets.Image).widgets]


def _markdown(rc) -> str:
    """The line that says what is running (title, seed, market, sides, script)."""
    return _text(rc, "run-title") + _text(rc, "run-info")


def _set(rc, widget_cls, label: str, value):
    w = rc.find(widget_cls, label=label).widget
    w.v_model = value
    return w


# ------------------------------------------------------------------------------------------------
# page and controls
# ------------------------------------------------------------------------------------------------
def test_page_shows_controls_network_charts_and_kpis(page):
    labels = {b.children[-1] for b in page.find(v.Btn).widgets}
    for label in ("Reset", "Step", "▶", "Trigger crisis", "Hire toxic star", "Recognition event",
                  "Start tool rollout", "Regroup team", "Save PNG", "Download charts PNG"):
        assert label in labels
    # no initiative configured by default: the rollout button is disabled, the others are not
    assert _button(page, "Start tool rollout").disabled is True
    assert _button(page, "Trigger crisis").disabled is False
    imgs = _images(page)
    assert len(imgs) == 2 and all(i[:8] == b"\x89PNG\r\n\x1a\n" for i in imgs)
    assert _text(page, "kpi-week-a") == "week 0"
    assert page.find(v.Html, class_="kpi-week-b").widgets == []  # not side by side
    # one slider per behaviour for side A
    sliders = {w.label for w in page.find(v.Slider).widgets}
    assert {f"A {b}" for b in STYLES["balanced"]} <= sliders


def test_step_advances_kpis_and_redraws_charts(page):
    before = _images(page)
    _button(page, "Step").click()
    assert _text(page, "kpi-week-a") == "week 1"
    assert _text(page, "kpi-headcount-a") == "12"
    assert _text(page, "kpi-revenue_total-a").endswith("k$")
    after = _images(page)
    assert after[0] != before[0] and after[1] != before[1]


def test_crisis_button_marks_the_event_and_changes_the_run(page):
    _button(page, "Step").click()
    _button(page, "Trigger crisis").click()
    assert _text(page, "intervention-msg") == "Trigger crisis at week 1: takes effect from the next step"
    _button(page, "Step").click()
    # the page runs exactly what the model does with the crisis at week 1 ...
    c = run_script(Settings(seed="1"), weeks=1)
    c.intervene("crisis")
    c.step()
    assert c.marks == [(1, "crisis")]
    assert _text(page, "kpi-revenue_total-a") == f"{c.kpis()['revenue_total']:,.0f} k$"
    # ... and the crisis cuts demand from that week on (same seed without it: no cut)
    m = run_script(Settings(seed="1"), weeks=2)
    assert c.series("demand")[1] < m.series("demand")[1]
    assert c.series("demand")[0] == m.series("demand")[0]


@pytest.mark.slow  # several Resets, each redraws both figures
def test_seed_field_accepts_text_and_reset_uses_it(page):
    _set(page, v.TextField, "Seed (whole number)", " 42 ")
    assert page.find(v.Alert).widgets  # "press Reset" warning: settings differ from the run
    _button(page, "Reset").click()
    assert "seed 42" in _markdown(page)
    _button(page, "Step").click()
    expected = run_script(Settings(seed="42"), weeks=1).kpis()["revenue_total"]
    assert _text(page, "kpi-revenue_total-a") == f"{expected:,.0f} k$"
    # bad text: a clear error on the field, the last good seed stays, Reset still works
    _set(page, v.TextField, "Seed (whole number)", "abc")
    field = page.find(v.TextField, label="Seed (whole number)").widget
    assert field.error is True and field.messages == ["seed: expected a whole number, got 'abc'"]
    _button(page, "Reset").click()
    assert "seed 42" in _markdown(page)
    assert _text(page, "kpi-week-a") == "week 0"


@pytest.mark.slow  # several Resets, each redraws both figures
def test_style_preset_sets_the_sliders_and_a_slider_overrides_it(page):
    _set(page, v.Select, "A: leadership style", "coaching")
    assert page.find(v.Slider, label="A recognition").widget.v_model == STYLES["coaching"]["recognition"]
    assert page.find(v.Slider, label="A toxic_tolerance").widget.v_model == STYLES["coaching"]["toxic_tolerance"]
    _set(page, v.Slider, "A recognition", 0.3)
    _button(page, "Reset").click()
    assert "A: coaching (recognition 0.30), crisis: hold_steady" in _markdown(page)
    _button(page, "Step").click()
    side = Side.from_style("coaching", leadership__recognition=0.3)
    expected = run_script(Settings(a=side), weeks=1).kpis()["revenue_total"]
    assert _text(page, "kpi-revenue_total-a") == f"{expected:,.0f} k$"


@pytest.mark.slow  # several Resets, each redraws both figures
def test_market_and_crisis_strategy_selects_reach_the_model(page):
    _set(page, v.Select, "Market", "sudden_stop")
    _set(page, v.Select, "A: crisis strategy", "cut_and_push")
    _button(page, "Reset").click()
    assert "market: sudden_stop" in _markdown(page)
    assert "crisis: cut_and_push" in _markdown(page)


@pytest.mark.slow  # several Resets, each redraws both figures
def test_demo_loads_side_by_side_with_its_script(page):
    _set(page, v.Select, "Workshop demo", "The tool rollout J-curve")
    assert page.find(v.TextField, label="Seed (whole number)").widget.v_model == str(DEMOS["rollout"].seed)
    _button(page, "Reset").click()
    md = _markdown(page)
    assert "The tool rollout J-curve" in md and "Start tool rollout at week 13" in md
    assert _text(page, "kpi-week-b") == "week 0"
    assert _button(page, "Start tool rollout").disabled is False
    _button(page, "Start tool rollout").click()  # the facilitator may start it before the script does
    _button(page, "Step").click()
    assert _text(page, "kpi-week-a") == "week 1" and _text(page, "kpi-week-b") == "week 1"
    assert _text(page, "kpi-adoption-a") != "–"


@pytest.mark.slow  # several Resets, each redraws both figures
def test_settings_that_cannot_run_are_refused_with_the_reason(page):
    _set(page, v.Select, "Workshop demo", "The tool rollout J-curve")
    _set(page, v.Slider, "Weeks", 13)
    alert = page.find(v.Alert, class_="settings-problem").widget
    assert alert.children == ["change.initiatives[0].start_week: 13 is past the horizon; allowed: 0 to 12"]
    assert settings_problem(settings_for_demo("rollout")) is None
    assert settings_problem(dataclasses.replace(settings_for_demo("recognition"), weeks=26)) == \
        "weeks: the demo's script needs at least 27 weeks, got 26"


def test_side_by_side_toggle_adds_side_b(page):
    _set(page, v.Checkbox, "Side by side: B on the same seed", True)
    assert page.find(v.Select, label="B: leadership style").widget.v_model == "coaching"
    _button(page, "Reset").click()
    _button(page, "Step").click()
    assert _text(page, "kpi-week-b") == "week 1"
    assert len(_images(page)) == 2  # one network figure with both teams, one chart figure with both runs


def test_save_png_writes_png_files(page, tmp_path, monkeypatch):
    monkeypatch.setenv("SIMTEAM_EXPORT_DIR", str(tmp_path / "slides"))
    _button(page, "Step").click()
    _button(page, "Save PNG").click()
    files = sorted((tmp_path / "slides").iterdir())
    assert [f.name for f in files] == ["simteam_balanced_seed1_week001_charts.png",
                                       "simteam_balanced_seed1_week001_network.png"]
    assert all(f.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f.stat().st_size > 10_000 for f in files)
    assert _text(page, "saved-msg").startswith("saved ")


def test_save_png_reports_an_unwritable_folder(page, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("SIMTEAM_EXPORT_DIR", str(blocker / "sub"))
    _button(page, "Save PNG").click()
    assert _text(page, "saved-msg").startswith("could not save PNG:")


# ------------------------------------------------------------------------------------------------
# model behind the page
# ------------------------------------------------------------------------------------------------
def test_mesa_reset_path_rebuilds_from_the_settings_reactive():
    settings = solara.reactive(Settings(seed="7", weeks=20))
    model_parameters = {"settings": settings}  # what Mesa's ModelCreator keeps from model_params
    m = DashboardModel(**model_parameters)  # what Mesa's Reset does
    assert m.seed_value == 7 and m.engine.weeks == 20
    settings.value = dataclasses.replace(settings.value, seed="8")
    assert DashboardModel(settings=settings).seed_value == 8
    assert DashboardModel(Settings(seed="7"), seed=" 9 ").seed_value == 9


def test_same_leadership_on_both_sides_gives_identical_runs():
    s = Settings(seed="4", weeks=30, compare=True, b=Side.from_style("balanced", label="B"))
    m = DashboardModel(s)
    for wk in range(30):
        if wk == 5:
            m.intervene("toxic_hire")
        m.step()
    for name in ("revenue", "morale", "trust", "headcount", "quits"):
        np.testing.assert_array_equal(m.series(name), m.twin.series(name))
    assert m.marks == m.twin.marks == [(5, "toxic_hire")]


def test_different_leadership_on_the_same_seed_differs_only_by_leadership():
    s = Settings(seed="4", weeks=30, compare=True, b=Side.from_style("coaching", label="B"))
    m = run_script(s)
    alone = SalesTeamModel(seed=4, weeks=30, style="coaching")
    for _ in range(30):
        alone.step()
    np.testing.assert_array_equal(m.twin.series("revenue"), alone.series("revenue"))
    assert not np.array_equal(m.series("revenue"), m.twin.series("revenue"))


def test_interventions_mark_the_charts_and_reject_bad_kinds():
    m = DashboardModel(Settings(seed="2", weeks=10))
    m.step()
    for kind in ("crisis", "toxic_hire", "recognition_event", "regroup"):
        m.intervene(kind)
    assert m.marks == [(1, "crisis"), (1, "toxic_hire"), (1, "recognition_event"), (1, "regroup")]
    with pytest.raises(ValueError, match="rollout: no change initiative is configured"):
        m.intervene("rollout")
    with pytest.raises(ValueError, match="intervention: 'fire_everyone' is unknown; choose one of crisis"):
        m.intervene("fire_everyone")
    for _ in range(20):
        m.step()
    assert m.week == 10 and m.running is False
    with pytest.raises(ValueError, match=r"crisis: the run is over \(week 10\); press Reset"):
        m.intervene("crisis")


def test_bad_seed_text_is_a_clear_error():
    with pytest.raises(ValueError, match="seed: expected a whole number, got 'x1'"):
        DashboardModel(Settings(seed="x1"))


def test_figures_draw_marks_toxic_reps_and_both_sides(tmp_path):
    m = run_script(settings_for_demo("toxic_star"), weeks=12)
    fig = charts_figure(m)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["toxic hire"]
    assert [line.get_label() for line in fig.legends[0].get_lines()] == \
        ["A: tolerates it", "B: acts on it", "intervention"]
    net = network_figure(m.sides)
    title_a = f"A: tolerates it\nweek 12, {int(m.engine.s.active[0].sum())} reps, {int(m.engine.s.toxic[0].sum())} toxic"
    title_b = (f"B: acts on it\nweek 12, {int(m.twin.engine.s.active[0].sum())} reps, "
               f"{int(m.twin.engine.s.toxic[0].sum())} toxic")
    assert [a.get_title() for a in net.axes[:2]] == [title_a, title_b]
    paths = export_png(m, tmp_path)
    assert [p.name for p in paths] == ["simteam_toxic_star_seed5_week012_charts.png",
                                       "simteam_toxic_star_seed5_week012_network.png"]
    assert not list(tmp_path.glob(".*.tmp"))


# ------------------------------------------------------------------------------------------------
# demos: what the facilitator guide claims, on the demo seed
# ------------------------------------------------------------------------------------------------
def test_demos_are_complete_and_unknown_names_are_clear():
    assert set(DEMOS) == {"toxic_star", "crisis", "rollout", "recognition"}
    for d in DEMOS.values():
        assert d.question and d.point and d.script
        assert all(i.kind in KINDS and 0 <= i.week < d.weeks for i in d.script)
    with pytest.raises(KeyError, match="demo: 'nope' is unknown; choose one of toxic_star, crisis"):
        settings_for_demo("nope")
    with pytest.raises(ValueError, match="side: expected 'a' or 'b', got 'c'"):
        model_kwargs("crisis", "c")


@pytest.fixture(scope="module")
def demo_runs():
    return {name: run_script(settings_for_demo(name)) for name in DEMOS}


def test_demo_scripts_fire_and_are_marked(demo_runs):
    for name, m in demo_runs.items():
        assert m.marks == [(i.week, i.kind) for i in DEMOS[name].script]
        assert m.twin.marks == m.marks


def test_toxic_star_demo(demo_runs):
    m = demo_runs["toxic_star"]
    a, b = m.kpis(), m.twin.kpis()
    assert b["revenue_total"] > a["revenue_total"] and b["quits"] < a["quits"]
    assert m.series("toxic_share").max() > m.twin.series("toxic_share").max()
    assert np.nanmean(m.twin.series("trust")[8:]) > np.nanmean(m.series("trust")[8:])


def test_crisis_demo(demo_runs):
    m = demo_runs["crisis"]
    a, b = m.kpis(), m.twin.kpis()
    assert b["revenue_total"] > a["revenue_total"] and b["quits"] < a["quits"]
    assert m.engine.counters["exits_other"].sum() >= 1 and m.twin.engine.counters["exits_other"].sum() == 0
    assert np.nanmean(m.twin.series("trust")[13:]) > np.nanmean(m.series("trust")[13:])


def test_rollout_demo_shows_a_j_curve(demo_runs):
    m = demo_runs["rollout"]
    for side in m.sides:
        prod = side.series("productivity")
        assert prod[14:30].min() < prod[:13].min()  # the dip after the rollout
        assert prod[-10:].mean() > prod[:13].mean()  # the lasting gain
        assert side.series("adoption")[-1] > 0.9
    # the mandated big bang dips deeper than the trained rollout
    assert m.series("productivity")[13:30].min() < m.twin.series("productivity")[13:30].min()
    assert m.twin.kpis()["revenue_total"] > m.kpis()["revenue_total"]


def test_recognition_demo(demo_runs):
    m = demo_runs["recognition"]
    a, b = m.kpis(), m.twin.kpis()
    assert b["quits"] < a["quits"] and b["revenue_total"] > a["revenue_total"]
    assert np.nanmean(m.twin.series("morale")) > np.nanmean(m.series("morale"))
    morale = m.series("morale")
    assert morale[26] > morale[25]  # the awards night lifts A's morale ...
    assert morale[40] < morale[26]  # ... for a while


# ------------------------------------------------------------------------------------------------
# the command
# ------------------------------------------------------------------------------------------------
@pytest.fixture
def fake_solara(monkeypatch):
    calls = []
    import solara.__main__ as sm

    monkeypatch.setattr(sm.cli, "main", lambda **kw: calls.append(kw))
    for k in ("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "SIMTEAM_EXPORT_DIR"):
        monkeypatch.delenv(k, raising=False)
    return calls


def test_dashboard_serves_loopback_offline_by_default(fake_solara, tmp_path, capsys):
    import os

    port = _free_port()
    assert dashboard.main(["--port", str(port), "--export-dir", str(tmp_path / "png")]) == 0
    args = fake_solara[0]["args"]
    assert args[:6] == ["run", "simteam.workshop.app", "--host", "127.0.0.1", "--port", str(port)]
    assert "--no-check-version" in args and "--production" in args
    assert os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert os.environ["SIMTEAM_EXPORT_DIR"] == str((tmp_path / "png").resolve())
    out = capsys.readouterr()
    assert f"open http://127.0.0.1:{port} in a browser" in out.out
    assert "WARNING" not in out.err


def test_dashboard_room_flag_warns(fake_solara, tmp_path, capsys):
    port = _free_port()
    assert dashboard.main(["--room", "--port", str(port), "--export-dir", str(tmp_path)]) == 0
    assert fake_solara[0]["args"][2:4] == ["--host", "0.0.0.0"]
    assert capsys.readouterr().err.startswith(f"WARNING: serving on 0.0.0.0:{port}: anyone on this network")


def test_dashboard_bad_input_is_one_clear_line(fake_solara, tmp_path, capsys):
    with pytest.raises(SystemExit) as ex:
        dashboard.main(["--port", "http"])
    assert ex.value.code == 2
    assert "argument --port: expected a whole number from 1 to 65535, got 'http'" in capsys.readouterr().err
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        assert dashboard.main(["--port", str(busy), "--export-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"simteam-dashboard: error: --port: cannot listen on 127.0.0.1:{busy}")
    assert "\n" not in err and "Traceback" not in err
    blocker = tmp_path / "f"
    blocker.write_text("x")
    assert dashboard.main(["--export-dir", str(blocker / "sub")]) == 2
    assert capsys.readouterr().err.startswith("simteam-dashboard: error: --export-dir: cannot create")
    assert fake_solara == []


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
