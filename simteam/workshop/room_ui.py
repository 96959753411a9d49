"""The room game in the browser: a Solara page for the tables and the facilitator (:mod:`.room`).

Started by ``python -m simteam.workshop --room`` (see :mod:`simteam.workshop.__main__`). Solara
serves every browser from this one process: the game is one server-side :class:`~.room.Game`
(:func:`game`, thread-safe); each browser keeps only who it is (its table's name, or the
facilitator's key in the address: ``/?facilitator=KEY``) and redraws when the game's ``version``
changes (:func:`use_version`). Charts are drawn once per state of the game and shared by all browsers.

* **A table** (a laptop): join with a team name; each quarter, plan the leader's hours within the
  weekly budget, set pressure and coaching focus, take actions, respond to a crisis, press Ready;
  see the team's numbers and the leaderboard.
* **The facilitator** (the projector): the address tables open, who is ready, run the quarter (or
  force it), inject a crisis or a quota raise, the leaderboard and charts in large type, the debrief
  (ranks on revenue, turnover and morale, standings after each quarter, each team's key moments),
  save and load the game.
"""

from __future__ import annotations

import dataclasses
import io
import os
import threading
import time
from urllib.parse import parse_qs

import numpy as np
import solara
from matplotlib.figure import Figure

from ..fmt import fmt_number
from .room import (ACTION_HOURS, ACTION_TEXT, ACTIVITIES, ACTIVITY_TEXT, INJECTIONS, RESPONSE_TEXT, RESPONSES,
                   WEEKS_PER_QUARTER, Game, GameError, Plan, RoomSettings, budget_hours, hours_to_levels)

__all__ = ["Page", "game", "facilitator_key", "chart_png", "DEBRIEF_QUESTIONS"]

_LOCK = threading.Lock()
_GAME: list[Game] = []

#: Questions for the debrief (docs/workshop.md, game mode).
DEBRIEF_QUESTIONS = (
    "Which decision moved your team's revenue most, and when did you first see it?",
    "Where did your hours go, and what did the cap stop you from doing?",
    "How did you respond to the crisis, and what did the people numbers do afterwards?",
    "Two teams with the same plan got exactly the same numbers: what does that say about the gaps you see?",
    "What would you do differently in your real team on Monday?",
)


def game() -> Game:
    """The one game of this server (built on first use from the ``SIMTEAM_ROOM_*`` environment)."""
    with _LOCK:
        if not _GAME:
            env = os.environ
            g = Game(RoomSettings(seed=int(env.get("SIMTEAM_ROOM_SEED", "1")),
                                  quarters=int(env.get("SIMTEAM_ROOM_QUARTERS", "6")),
                                  market=env.get("SIMTEAM_ROOM_MARKET", "stable")),
                     week_seconds=float(env.get("SIMTEAM_ROOM_WEEK_SECONDS", "0.25")))
            path = env.get("SIMTEAM_ROOM_LOAD")
            if path:
                with open(path, encoding="utf-8") as f:
                    g.load(f.read())
            _GAME.append(g)
        return _GAME[0]


def facilitator_key() -> str:
    return os.environ.get("SIMTEAM_ROOM_KEY", "")


def _autosave(g: Game) -> None:
    folder = os.environ.get("SIMTEAM_ROOM_SAVE_DIR")
    if folder and g.phase != "running":
        try:
            g.save(os.path.join(folder, f"room_game_week{g.week:03d}.json"))
        except (OSError, GameError):
            pass


def use_version(g: Game) -> int:
    """The game's version, re-rendering this browser's page whenever it changes."""
    version, set_version = solara.use_state(g.version)

    def watch(cancel: threading.Event):
        seen = g.version
        set_version(seen)
        while not cancel.is_set():
            new = g.wait(seen, timeout=0.5)
            if new != seen:
                seen = new
                set_version(new)
                time.sleep(0.05)  # at most ~20 redraws a second, whatever the pace of the run

    solara.use_thread(watch, dependencies=[id(g)], intrusive_cancel=False)
    return version


# ------------------------------------------------------------------------------------------------
# Charts (one PNG per state of the game, shared by every browser)
# ------------------------------------------------------------------------------------------------
_PNG: dict = {}
_LAST: dict = {}
PALETTE = ("#1f5fa8", "#d9741c", "#2a9d4b", "#b83280", "#7b5ea7", "#8c6d31", "#17a2b8", "#e63946", "#555555",
           "#c9a227", "#4361ee", "#2b9348")


def chart_png(g: Game, team: str = "", width: float = 9.0, height: float = 3.4) -> bytes:
    """Cumulative revenue and morale of every team (``team`` drawn thick; the others thin)."""
    with g.lock:
        shape = (team, width, height)
        if g.phase == "running" and shape in _LAST:  # redrawn when the quarter is done, not every week
            return _LAST[shape]
        key = (tuple((n, t.engine.week) for n, t in g.tables.items()), tuple(g.injections), *shape)
        if key in _PNG:
            return _PNG[key]
        data = {n: (np.cumsum(g.series(n, "revenue")), g.series(n, "morale")) for n in g.tables}
        injections = list(g.injections)
        weeks = g.weeks
    fig = Figure(figsize=(width, height), dpi=90)
    axes = fig.subplots(1, 2)
    for i, (n, (rev, mor)) in enumerate(data.items()):
        c = PALETTE[i % len(PALETTE)]
        lw = 3.2 if (not team or n == team) else 1.2
        alpha = 1.0 if (not team or n == team) else 0.55
        wk = np.arange(1, rev.size + 1)
        axes[0].plot(wk, rev / 1000.0, color=c, lw=lw, alpha=alpha, label=n)
        axes[1].plot(wk, mor, color=c, lw=lw, alpha=alpha, label=n)
    axes[0].set_ylim(bottom=0)
    axes[1].set_ylim(0, 1)
    for ax, title in zip(axes, ("Revenue so far (M$)", "Morale (0-1)")):
        ax.set_title(title, fontsize=17)
        ax.set_xlim(0, weeks)
        ax.set_xticks(range(0, weeks + 1, WEEKS_PER_QUARTER))
        ax.set_xticklabels([f"Q{q}" if q else "0" for q in range(weeks // WEEKS_PER_QUARTER + 1)], fontsize=14)
        ax.tick_params(labelsize=14)
        ax.grid(alpha=0.3)
        for w, k in injections:
            ax.axvline(w, color="#c0392b", ls="--", lw=1.5)
            ax.annotate(INJECTIONS[k][2].split(":")[0], (w, 1.0), xycoords=("data", "axes fraction"), fontsize=11,
                        color="#c0392b", ha="left", va="top")
    if data:
        axes[0].legend(fontsize=12, loc="upper left", frameon=False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    png = buf.getvalue()
    with g.lock:
        if len(_PNG) > 64:
            _PNG.clear()
        _PNG[key] = _LAST[shape] = png
    return png


# ------------------------------------------------------------------------------------------------
# Pieces
# ------------------------------------------------------------------------------------------------
def _money(v: float) -> str:
    return fmt_number(v, 0, unit="k$")


def _status(g: Game) -> str:
    if g.phase == "lobby":
        return "Tables are joining"
    if g.phase == "deciding":
        return f"Quarter {g.quarter} of {g.settings.quarters}: decide, then press Ready"
    if g.phase == "running":
        return f"Quarter {g.quarter} of {g.settings.quarters} is running"
    return "The game is over: debrief"


@solara.component
def Leaderboard(g: Game, version: int, week: int | None = None, me: str = ""):
    rows = g.leaderboard(week)
    cols = ("#", "Team", "Revenue", "Last quarter", "Turnover / year", "Morale", "Trust", "Reps")
    with solara.Div(classes=["leaderboard"]):
        with solara.Div(style={"display": "grid", "grid-template-columns": f"auto 1.6fr repeat({len(cols) - 2}, 1fr)",
                               "column-gap": "16px", "row-gap": "2px", "align-items": "baseline"}):
            for c in cols:
                solara.Text(c, classes=["lb-head"])
            for r in rows:
                mine = ["lb-me"] if r["team"] == me else []
                cells = (str(r["rank"]), r["team"], _money(r["revenue"]), _money(r["revenue_q"]),
                         fmt_number(r["turnover"], 0, percent=True), f"{r['morale']:.2f}", f"{r['trust']:.2f}",
                         str(r["headcount"]))
                for j, c in enumerate(cells):
                    solara.Text(c, classes=["lb-cell", f"lb-col{j}", *mine])
        if not rows:
            solara.Text("No table has joined yet.", classes=["lb-empty"])


@solara.component
def ReadyChips(g: Game, version: int):
    with solara.Row(gap="8px", style={"flex-wrap": "wrap"}, classes=["ready-chips"]):
        for n, t in list(g.tables.items()):
            txt = f"{n} ✓" if t.ready else f"{n} …"
            solara.Text(txt, classes=["chip", "chip-ready" if t.ready else "chip-waiting"])


@solara.component
def Header(g: Game, version: int, who: str):
    with solara.Row(gap="18px", style={"align-items": "baseline", "flex-wrap": "wrap"}, classes=["room-header"]):
        solara.Text(who, classes=["room-who"])
        solara.Text(f"Week {g.week}", classes=["week-counter"])
        solara.Text(f"of {g.weeks} · Quarter {min(g.quarter, g.settings.quarters)} of {g.settings.quarters}",
                    classes=["week-of"])
        solara.Text(_status(g), classes=["room-status"])


# ------------------------------------------------------------------------------------------------
# A table's view
# ------------------------------------------------------------------------------------------------
@solara.component
def JoinForm(g: Game, me):
    name = solara.use_reactive("")
    code = solara.use_reactive("")
    error = solara.use_reactive("")

    def join():
        try:
            g.join(name.value, code.value)
        except GameError as exc:
            error.set(str(exc))
            return
        error.set("")
        me.set(g.clean_name(name.value))

    with solara.Card("Join the game", classes=["join-card"]):
        solara.Text("Type your table's team name and press Join. To come back from another browser, type the "
                    "same name and the code your table was shown.", classes=["join-help"])
        solara.InputText("Team name", value=name, continuous_update=True, classes=["input-team"])
        solara.InputText("Rejoin code (only to come back)", value=code, continuous_update=True,
                         classes=["input-code"])
        solara.Button("Join", on_click=join, color="primary", classes=["btn-join"])
        if error.value:
            solara.Error(error.value, classes=["join-error"])
    if g.tables:
        solara.Text("Tables in the game: " + ", ".join(g.tables), classes=["room-tables"])


@solara.component
def PlanForm(g: Game, version: int, name: str):
    t = g.tables.get(name)
    draft = solara.use_reactive(t.draft if t is not None else Plan())
    error = solara.use_reactive("")

    def fresh():  # a new quarter (or a loaded game): start from the game's plan, actions cleared
        if t is not None:
            draft.set(t.draft)

    solara.use_effect(fresh, [g.quarter, id(t)])
    if t is None:
        return
    p = draft.value
    editable = g.phase in ("lobby", "deciding") and not t.ready
    hours = p.full_hours()
    lc = t.engine.p.leaders
    reps = int(t.engine.s.active[0].sum())
    levels = hours_to_levels(hours, reps, lc)
    budget = g.budget(name)
    extra = sum(ACTION_HOURS.get(a, 0.0) for a in p.actions) + (lc.rollout_hours if "rollout" in p.actions else 0.0)
    total = p.planned() + extra

    def set_hours(b):
        def f(v):
            draft.set(dataclasses.replace(draft.value, hours={**draft.value.full_hours(), b: float(v or 0.0)}))
        return f

    def set_field(k):
        return lambda v: draft.set(dataclasses.replace(draft.value, **{k: v}))

    def toggle(a):
        def f(on):
            acts = tuple(x for x in draft.value.actions if x != a) + ((a,) if on else ())
            draft.set(dataclasses.replace(draft.value, actions=acts))
        return f

    def ready():
        try:
            g.submit(name, draft.value, ready=True)
        except GameError as exc:
            error.set(str(exc))
            return
        error.set("")

    def unready():
        try:
            g.set_ready(name, False)
        except GameError as exc:
            error.set(str(exc))

    with solara.Card(f"Your plan for quarter {g.quarter}", classes=["plan-card"]):
        solara.Text(f"Leader hours per week on each activity ({reps} reps now). The budget is {budget:g} h/week "
                    f"(a {lc.hours_week:g} h week minus admin and own selling"
                    + (", minus the rollout" if budget < budget_hours(lc) - 1e-9 else "") + ").",
                    classes=["plan-help"])
        with solara.Div(style={"display": "grid", "grid-template-columns": "minmax(150px, 1fr) 1fr",
                               "column-gap": "12px", "row-gap": "4px", "align-items": "center"}):
            for b in ACTIVITIES:
                label, tip = ACTIVITY_TEXT[b]
                with solara.Tooltip(tip):
                    solara.InputFloat(f"{label} (h/week)", value=hours[b], on_value=set_hours(b), disabled=not editable,
                                      classes=[f"input-hours-{b}"])
                solara.Text(f"→ level {levels[b]:.2f}", classes=[f"level-{b}", "level"])
        over = total > budget + 1e-9
        solara.Text(f"Planned {total:g} h of {budget:g} h per week" + (" — over the budget" if over else ""),
                    classes=["plan-total", "plan-over" if over else "plan-ok"])
        with solara.Div(classes=["slider-pressure"]):
            solara.SliderFloat(f"Pressure on targets: {p.accountability:.1f} (effort up, stress up)",
                               value=p.accountability, min=0.0, max=1.0, step=0.1,
                               on_value=set_field("accountability"), disabled=not editable)
        with solara.Div(classes=["slider-focus"]):
            solara.SliderFloat(f"Coaching focus: {p.coaching_focus:.1f} (0 fix weaknesses, 1 build strengths)",
                               value=p.coaching_focus, min=0.0, max=1.0, step=0.1,
                               on_value=set_field("coaching_focus"), disabled=not editable)
        solara.Text("Actions this quarter", classes=["panel-title"])
        for a in ("hire", "recognise", "rollout"):
            cost = lc.rollout_hours if a == "rollout" else ACTION_HOURS[a]
            done = a == "rollout" and t.rollout_week >= 0
            label = ACTION_TEXT[a] + (f" (done at week {t.rollout_week})" if done else f" ({cost:g} h/week)")
            with solara.Div(classes=[f"cb-{a}"]):
                solara.Checkbox(label=label, value=a in p.actions, on_value=toggle(a), disabled=not editable or done)
        if any(k == "crisis" for _, k in g.injections):
            if t.response:
                solara.Text(f"Crisis response: {RESPONSE_TEXT[t.response]} (since week {t.response_week})",
                            classes=["response-set"])
            else:
                by_text = {RESPONSE_TEXT[r]: r for r in RESPONSES}
                solara.Select("Respond to the crisis (once; the leader acts as soon as the data shows it)",
                              values=["(not yet)", *by_text],
                              value=RESPONSE_TEXT.get(p.response, "(not yet)"),
                              on_value=lambda v: set_field("response")(by_text.get(v, "")), disabled=not editable,
                              classes=["select-response"])
        if error.value:
            solara.Error(error.value, classes=["plan-error"])
        if t.ready:
            waiting = g.waiting_for
            solara.Text("Ready ✓ " + (f"— waiting for {', '.join(waiting)}" if waiting else "— waiting for the "
                                      "facilitator to run the quarter"), classes=["ready-msg"])
            if g.phase in ("lobby", "deciding"):
                solara.Button("Change plan", on_click=unready, outlined=True, classes=["btn-unready"])
        elif g.phase in ("lobby", "deciding"):
            solara.Button("Ready: lock in this plan", on_click=ready, color="primary", classes=["btn-ready"])


@solara.component
def TableView(g: Game, version: int, me):
    name = me.value
    t = g.tables.get(name)
    if t is None:
        Header(g, version, "simteam room game")
        if name:
            solara.Warning(f"{name} is no longer in the game (a new game was loaded): join again.")
        JoinForm(g, me)
        return
    Header(g, version, name)
    solara.Text(f"Your rejoin code: {t.code}", classes=["rejoin-code"])
    if g.message:
        solara.Text(g.message, classes=["room-message"])
    with solara.Row(gap="16px", style={"align-items": "flex-start", "flex-wrap": "wrap"}):
        with solara.Column(style={"flex": "1 1 420px", "max-width": "640px"}):
            if g.phase == "over":
                solara.Success("The game is over. Look at the projector for the debrief.")
                with solara.Card("Your key moments"):
                    for _, txt in g.key_moments(name):
                        solara.Text(txt, classes=["moment"])
            else:
                PlanForm(g, version, name)
        with solara.Column(style={"flex": "1 1 420px", "min-width": "0"}):
            r = g.results(name)
            with solara.Card("Your team", classes=["my-kpis"]):
                solara.Text(f"Revenue so far {_money(r['revenue'])} · last quarter {_money(r['revenue_q'])} · "
                            f"reps {r['headcount']} · quits {r['quits']} · morale {r['morale']:.2f} · "
                            f"trust {r['trust']:.2f}", classes=["my-line"])
            solara.Image(chart_png(g, name, width=8.0, height=3.0), classes=["chart"])
            Leaderboard(g, version, me=name)


# ------------------------------------------------------------------------------------------------
# The facilitator's view
# ------------------------------------------------------------------------------------------------
@solara.component
def Debrief(g: Game, version: int):
    after = solara.use_reactive(g.quarter if g.phase != "over" else g.settings.quarters)
    team = solara.use_reactive("")
    done = g.week // WEEKS_PER_QUARTER
    with solara.Div(classes=["debrief"]):
        solara.Text("Debrief", classes=["debrief-title"])
        rows = g.leaderboard()
        with solara.Row(gap="40px", style={"flex-wrap": "wrap"}):
            for key, title, fmt, high in (("revenue", "Revenue", _money, True),
                                          ("turnover", "Turnover (lowest first)",
                                           lambda v: fmt_number(v, 0, percent=True), False),
                                          ("morale", "Morale", lambda v: f"{v:.2f}", True)):
                with solara.Column(gap="0px", classes=[f"rank-{key}"]):
                    solara.Text(title, classes=["panel-title"])
                    for r in sorted(rows, key=lambda r: r[f"rank_{key}"]):
                        solara.Text(f"{r[f'rank_{key}']}. {r['team']}: {fmt(r[key])}", classes=["rank-line"])
        if done:
            quarters = [str(q) for q in range(1, done + 1)]
            q = str(min(max(int(after.value), 1), done))
            solara.Select("Replay: standings after quarter", values=quarters, value=q,
                          on_value=lambda v: after.set(int(v)), classes=["select-after"])
            Leaderboard(g, version, week=WEEKS_PER_QUARTER * int(q))
        if g.tables:
            names = list(g.tables)
            pick = team.value if team.value in names else names[0]
            solara.Select("Key moments of", values=names, value=pick, on_value=team.set, classes=["select-team"])
            with solara.Div(classes=["moments"]):
                for _, txt in g.key_moments(pick):
                    solara.Text(txt, classes=["moment"])
        solara.Text("Ask the room", classes=["panel-title"])
        for qn in DEBRIEF_QUESTIONS:
            solara.Text("• " + qn, classes=["question"])


@solara.component
def FacilitatorView(g: Game, version: int):
    info = solara.use_reactive("")
    show_debrief = solara.use_reactive(False)
    url = os.environ.get("SIMTEAM_ROOM_URL", "")

    def act(f, *args):
        def go():
            try:
                f(*args)
                info.set("")
            except GameError as exc:
                info.set(str(exc))
        return go

    def run(force):
        def go():
            try:
                th = g.start_quarter(force)
                info.set("")
            except GameError as exc:
                info.set(str(exc))
                return

            def after():
                th.join()
                _autosave(g)
            threading.Thread(target=after, daemon=True).start()
        return go

    def load(data):
        try:
            g.load(data["data"])
            info.set("")
        except GameError as exc:
            info.set(str(exc))

    def save_bytes():
        try:
            return g.to_json().encode()
        except GameError as exc:
            info.set(str(exc))
            return b""

    with solara.Div(classes=["room-facilitator"]):
        Header(g, version, "Facilitator")
        if url:
            solara.Text(f"Tables join at {url}", classes=["join-url"])
        with solara.Row(gap="8px", style={"flex-wrap": "wrap", "align-items": "center"}, classes=["fac-buttons"]):
            deciding = g.phase in ("lobby", "deciding")
            if g.phase == "lobby":
                solara.Button("Start the game", on_click=act(g.start), color="primary", disabled=not g.tables,
                              classes=["btn-start"])
            solara.Button(f"Run quarter {g.quarter}", on_click=run(False), color="primary",
                          disabled=not (g.phase == "deciding" and g.tables and not g.waiting_for),
                          classes=["btn-run"])
            solara.Button("Force the run", on_click=run(True), outlined=True,
                          disabled=not (deciding and g.tables), classes=["btn-force"])
            crisis_done = any(k == "crisis" for _, k in g.injections)
            solara.Button(INJECTIONS["crisis"][2], on_click=act(g.inject, "crisis"), outlined=True, color="error",
                          disabled=not deciding or crisis_done, classes=["btn-inject-crisis"])
            solara.Button(INJECTIONS["quota"][2], on_click=act(g.inject, "quota"), outlined=True, color="error",
                          disabled=not deciding, classes=["btn-inject-quota"])
            if g.phase != "over":
                solara.Switch(label="Debrief", value=show_debrief, classes=["sw-debrief"])
        if g.phase != "over":
            ReadyChips(g, version)
        for msg, cls in ((g.message, "room-message"), (g.error, "room-error"), (info.value, "fac-info")):
            if msg:
                solara.Text(msg, classes=[cls])
        if g.phase == "over" or show_debrief.value:
            Debrief(g, version)
        with solara.Row(gap="16px", style={"align-items": "flex-start", "flex-wrap": "wrap"}):
            with solara.Column(style={"flex": "1 1 560px", "min-width": "0"}):
                Leaderboard(g, version)
            with solara.Column(style={"flex": "1 1 560px", "min-width": "0"}):
                solara.Image(chart_png(g), classes=["chart"])
        with solara.Details("Game file: save or load"):
            with solara.Row(gap="12px", style={"align-items": "center", "flex-wrap": "wrap"}):
                solara.FileDownload(save_bytes, filename=f"simteam_room_week{g.week:03d}.json",
                                    label="Save game (JSON)")
                solara.FileDrop(label="Drop a saved game here to load it", on_file=load, lazy=False)


CSS = """
.room-header { margin-bottom: 4px; }
.room-who { font-size: 1.8em; font-weight: 700; }
.week-counter { font-size: 2.4em; font-weight: 700; line-height: 1.1; }
.week-of, .room-status { font-size: 1.2em; opacity: 0.85; }
.room-message, .fac-info, .room-error, .ready-msg, .rejoin-code, .join-url, .plan-total { display: block; }
.room-error, .plan-over { color: #c0392b; font-weight: 600; }
.join-url { font-size: 1.6em; font-weight: 600; }
.chip { padding: 2px 10px; border-radius: 12px; border: 1px solid #999; font-weight: 600; }
.chip-ready { background: #d4edda; }
.chip-waiting { background: #fff3cd; }
.lb-head { font-weight: 700; border-bottom: 1px solid #999; }
.lb-cell { white-space: nowrap; }
.lb-col1 { font-weight: 600; }
.lb-me { background: #fff3cd; }
.level { opacity: 0.75; }
.panel-title { font-weight: 700; display: block; margin-top: 6px; }
.moment, .question, .rank-line { display: block; }
.chart img, img.chart { max-width: 100%; height: auto; }
.room-facilitator { font-size: max(16px, 1.45vw); padding: 6px 12px; }
.room-facilitator .week-counter { font-size: max(2.6em, 6vh); }
.room-facilitator .debrief-title { font-size: 1.6em; font-weight: 700; display: block; }
.room-facilitator .v-btn { font-size: max(14px, 1.05vw) !important; }
"""


@solara.component
def Page():
    """The room game: the facilitator's view with ``?facilitator=KEY`` in the address, else a table's."""
    g = game()
    version = use_version(g)
    router = solara.use_router()
    key = parse_qs(router.search or "").get("facilitator", [""])[0]
    me = solara.use_reactive("")
    solara.Title("simteam room game")
    solara.Style(CSS)
    with solara.Column(gap="8px", style={"padding": "8px 14px"}, classes=["room-page"]):
        if key:
            if key == facilitator_key():
                FacilitatorView(g, version)
                return
            solara.Error("facilitator: the key in the address is wrong; use the facilitator address printed "
                         "when the game started")
        TableView(g, version, me)
