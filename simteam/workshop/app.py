"""The workshop dashboard: a Solara app over :class:`simteam.model.SalesTeamModel`.

Run it with ``simteam-dashboard`` (see :mod:`simteam.workshop.dashboard`) or ``solara run simteam.workshop.app``.

Layout: the sidebar holds the scenario card (demo, seed, market, weeks, organisation (one team
or a region of five), leaders as agents, each leader's style, crisis strategy and behaviour
sliders, with leaders as agents in a region the style of each team's manager, side by side) and
the workshop file (save / load).
The main area shows a play bar (the week in large type, play / pause, step, a quarter,
reset, speed, presenter and dark mode), the KPI table (A, B and B - A), the team network,
the live charts, the intervention buttons, a plain-language log of what happened, the
"was it luck?" check on 200 worlds and, for a canned demo, the facilitator panel.

Play runs :func:`play` in a background thread: it steps the model at the chosen speed,
redraws only every few weeks (as often as the redraw time allows at that speed; the
network less often), checks for pause every week, stops at the demo's checkpoints and
always draws the week it stopped at. A redraw of the charts updates the lines of the
existing figure and re-renders only them over a cached background (:class:`FastPng`).

With leaders as agents (``mechanisms.leaders``, :mod:`simteam.leaders`) the network draws each
team's manager by style (an interim as such), the KPI table adds leader stress and managers on
interim, and "A's manager leaves" fires the ``leader_leaves`` event on one side only.

Side by side, :class:`DashboardModel` also runs a twin :class:`SalesTeamModel` with side B's
leadership on the same seed (common random numbers): both step together and every
intervention hits both, so only the leadership differs.

Example:
    >>> from simteam.workshop.app import DashboardModel, Settings
    >>> m = DashboardModel(Settings(seed="7", compare=True))
    >>> for _ in range(3):
    ...     m.step()
    >>> m.week, m.twin.week
    (3, 3)
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import numpy as np
import solara
import solara.lab
from solara.alias import rw
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .demos import DEMOS, KINDS, DemoSide, Intervention
from ..leadership import _B as BEHAVIOURS
from ..leadership import STRATEGIES, STYLES
from ..market import PRESETS
from ..fmt import fmt_number
from ..io import write_bytes
from ..model import SalesTeamModel, coerce_seed

__all__ = [
    "BEHAVIOUR_TEXT",
    "BUTTON_KINDS",
    "INTERVENTION_LABELS",
    "MARKETS",
    "SPEEDS",
    "DashboardModel",
    "LuckResult",
    "Page",
    "Settings",
    "Side",
    "TeamModel",
    "WorkshopFileError",
    "charts_figure",
    "export_dir",
    "export_png",
    "hires_image",
    "FastPng",
    "load_workshop",
    "luck_check",
    "narrate",
    "network_figure",
    "play",
    "run_script",
    "settings_for_demo",
    "settings_problem",
    "workshop_json",
]

MARKETS = ("stable", *PRESETS)
#: Intervention buttons, in order: the demos' kinds and a quota raise.
BUTTON_KINDS = (*KINDS, "quota_change")
#: Interventions on one side only (the "Manager leaves" button); leaders as agents.
SIDE_KINDS = ("leader_leaves",)
QUOTA_RAISE = 1.10
#: Organisations the scenario card offers: label and the dotted ``team`` overrides (conf/team/*.yaml).
ORGS = {"team": ("One team of 12 reps", {}),
        "region": ("Region: 5 teams of 10 reps, head of sales",
                   {"team__n_teams": 5, "team__team_size": 10, "team__graph": "small_world", "team__k_neighbors": 4,
                    "team__rewire_p": 0.1, "team__cross_ties": 1.0, "team__head_of_sales": True})}
#: The "mixed region" leader styles (conf/leaders/mixed_region.yaml), cycled over the teams.
MIXED_REGION = ("coaching", "command_and_control", "command_and_control")
#: Marker and colour of a leader of each named style on the network view (interim: hollow, dashed).
STYLE_LOOK = {"balanced": ("s", "#4a4a9a"), "coaching": ("D", "#1b9e77"), "command_and_control": ("^", "#c0392b"),
              "laissez_faire": ("v", "#8c8c8c"), "servant": ("p", "#8e44ad"), "data_driven": ("h", "#2c7bb6"),
              "transformational": ("*", "#e6a700")}
STYLE_NAMES = {"balanced": "balanced", "coaching": "coaching", "command_and_control": "command & control",
               "laissez_faire": "laissez-faire", "servant": "servant", "data_driven": "data-driven",
               "transformational": "transformational"}
INTERVENTION_LABELS = {
    "crisis": "Trigger crisis", "toxic_hire": "Hire toxic star", "recognition_event": "Recognition event",
    "rollout": "Start tool rollout", "regroup": "Regroup team", "quota_change": "Raise quota 10%",
}
INTERVENTION_TIPS = {
    "crisis": "Demand falls by 25% over 4 weeks, stays down 13 weeks and recovers over 39 weeks.",
    "toxic_hire": "The weakest rep is replaced by a highly skilled rep who behaves toxically.",
    "recognition_event": "An awards night: a one-off lift in morale and stronger ties.",
    "rollout": "Start the scenario's change initiative (the new tool) now.",
    "regroup": "Reorganise: the team graph is rewired; trust and cohesion drop.",
    "quota_change": "Every rep's quota goes up by 10% from next week.",
    "leader_leaves": "The chosen side's manager leaves from the next week: an interim covers, trust starts afresh, "
                     "and a successor (a promoted rep or an outside hire) follows.",
}
_MARK_SHORT = {"crisis": "crisis", "toxic_hire": "toxic hire", "recognition_event": "recognition",
               "rollout": "rollout", "regroup": "regroup", "quota_change": "quota +10%", "hire": "hire",
               "lose_top_performer": "top rep leaves", "leader_leaves": "manager leaves"}
COLORS = {"a": "#1f5fa8", "b": "#d9741c"}
DARK_COLORS = {"a": "#6fa8ff", "b": "#ffa552"}

#: Plain name and tooltip of each leader behaviour slider.
BEHAVIOUR_TEXT = {
    "inspiration": ("Inspiration", "Energises the team with a shared purpose: builds trust and morale."),
    "recognition": ("Recognition", "Celebrates wins and rewards top performers: lifts morale."),
    "feedback": ("Feedback", "Constructive feedback: skills grow faster, morale rises a little."),
    "coaching": ("Coaching time", "Share of the leader's time spent coaching reps."),
    "coaching_focus": ("Coaching on strengths", "0 = fix weaknesses, 1 = build on each rep's strengths."),
    "communication": ("Communication", "Explains goals and values: more effort, toxic harm is damped."),
    "accountability": ("Accountability", "Pressure on targets: more effort, but more stress."),
    "fairness": ("Fairness", "Fair and respectful treatment: more trust, fewer resignations."),
    "data_orientation": ("Data orientation", "1 = assigns leads from data, 0 = from guesses."),
    "decision_speed": ("Decision speed", "1 = reacts to a market shock at once, 0 = after half a year."),
    "toxic_tolerance": ("Tolerates toxic behaviour", "1 = ignores toxic behaviour, 0 = acts on it at once."),
    "learning_support": ("Learning support", "Time and budget for learning: faster skill growth, peer learning."),
}
STRATEGY_TEXT = {
    "none": "no response", "hold_steady": "hold steady (reassure, keep course)",
    "cut_and_push": "cut and push (layoffs, quota up, freeze)", "pivot": "pivot to resilient segments",
    "wait_and_see": "wait and see (hiring freeze)",
}
#: Play speeds (simulated weeks per second).
SPEEDS = {"1 week/s": 1.0, "2 weeks/s": 2.0, "4 weeks/s": 4.0, "8 weeks/s": 8.0, "fastest": math.inf}
DEFAULT_SPEED = "4 weeks/s"
#: At the fastest speed the charts are redrawn every quarter.
FASTEST_EVERY = 13
#: While playing, the network is redrawn at most every this many weeks (always when paused).
NETWORK_EVERY = 8
#: ... and at most every this many seconds (at the fastest speed a frame comes every quarter).
NETWORK_SECONDS = 2.5


# ------------------------------------------------------------------------------------------------
# Settings (what the scenario card edits)
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Side:
    """One leadership side: label, style preset, behaviour values, crisis strategy, other overrides."""

    label: str = "A"
    style: str = "balanced"
    behaviours: dict = field(default_factory=lambda: dict(STYLES["balanced"]))
    crisis: str = "hold_steady"
    overrides: dict = field(default_factory=dict)
    #: With leaders as agents: the style of each team's leader (``leaders.styles``, cycled over the
    #: teams); empty: every leader has this side's style and behaviour values.
    team_styles: tuple = ()

    @classmethod
    def from_style(cls, style: str, label: str = "A", crisis: str = "hold_steady", **overrides) -> Side:
        """A side with the behaviour values of a style preset (dotted ``leadership__*`` overrides win)."""
        if style not in STYLES:
            raise ValueError(f"style: {style!r} is unknown; choose one of {', '.join(STYLES)}")
        beh = dict(STYLES[style])
        rest = {}
        for k, v in overrides.items():
            b = k.removeprefix("leadership__")
            if k.startswith("leadership__") and b in beh:
                beh[b] = float(v)
            else:
                rest[k] = v
        return cls(label=label, style=style, behaviours=beh, crisis=crisis, overrides=rest)

    def leader_styles(self, n_teams: int) -> list[str]:
        """The style of each team's leader (``team_styles`` cycled, or this side's style)."""
        styles = self.team_styles or (self.style,)
        return [styles[t % len(styles)] for t in range(n_teams)]

    def kwargs(self) -> dict:
        """Keyword arguments for :class:`SalesTeamModel` (style, crisis, behaviours, overrides)."""
        kw = {"style": self.style, "crisis": self.crisis}
        kw.update({f"leadership__{b}": float(v) for b, v in self.behaviours.items()})
        kw.update(self.overrides)
        return kw

    def describe(self) -> str:
        """Short text: style and the behaviours that differ from it."""
        base = STYLES.get(self.style, {})
        diff = [f"{b} {v:.2f}" for b, v in self.behaviours.items() if abs(base.get(b, v) - v) > 1e-9]
        txt = f"{self.style}" + (f" ({', '.join(diff)})" if diff else "")
        if self.team_styles:
            txt += ", team leaders: " + "/".join(STYLE_NAMES.get(x, x) for x in self.team_styles)
        return txt + f", crisis: {self.crisis}"


@dataclass(frozen=True)
class Settings:
    """Everything needed to build a dashboard run."""

    seed: str = "1"
    weeks: int = 104
    market: str = "stable"
    a: Side = field(default_factory=lambda: Side(label="A"))
    compare: bool = False
    b: Side = field(default_factory=lambda: Side.from_style("coaching", label="B"))
    shared: dict = field(default_factory=dict)
    script: tuple = ()
    demo: str = ""
    #: ``team`` or ``region`` (:data:`ORGS`).
    org: str = "team"
    #: Leaders as agents (``mechanisms.leaders``): own time budget, stress, exits and successors.
    leaders: bool = False

    @property
    def n_teams(self) -> int:
        return int(ORGS.get(self.org, ORGS["team"])[1].get("team__n_teams", 1))

    def side_kwargs(self, side: Side) -> dict:
        """Everything :class:`SalesTeamModel` needs for one side but the seed."""
        if self.org not in ORGS:
            raise ValueError(f"org: {self.org!r} is unknown; choose one of {', '.join(ORGS)}")
        kw = dict(weeks=self.weeks, market=self.market, **self.shared, **ORGS[self.org][1], **side.kwargs())
        if self.leaders:
            kw["mechanisms__leaders"] = True
            if side.team_styles:
                kw["leaders__styles"] = list(side.team_styles)
        elif side.team_styles:
            raise ValueError("team_styles: a style per team needs leaders as agents; tick 'Leaders as agents'")
        return kw


def settings_problem(s: Settings) -> str | None:
    """Why ``s`` cannot build a run (the config error, naming the field), or None if it can."""
    from ..sim import configure

    try:
        coerce_seed(s.seed)
        for side in [s.a, s.b] if s.compare else [s.a]:
            configure(**s.side_kwargs(side))
    except (ValueError, KeyError) as exc:
        return str(exc).strip("'\"")
    for iv in s.script:
        if iv.week >= s.weeks:
            return f"weeks: the demo's script needs at least {iv.week + 1} weeks, got {s.weeks}"
        if iv.kind in SIDE_KINDS and not s.leaders:
            return f"leaders: the script's {iv.kind} needs leaders as agents; tick 'Leaders as agents'"
    return None


def _side_from_demo(s: DemoSide) -> Side:
    return Side.from_style(s.style, label=s.label, crisis=s.crisis, **s.overrides)


def settings_for_demo(name: str) -> Settings:
    """Dashboard settings of a canned demo (side by side on, script loaded)."""
    if name not in DEMOS:
        raise KeyError(f"demo: {name!r} is unknown; choose one of {', '.join(DEMOS)}")
    d = DEMOS[name]
    return Settings(seed=str(d.seed), weeks=d.weeks, market=d.market, a=_side_from_demo(d.a), compare=True,
                    b=_side_from_demo(d.b), shared=dict(d.shared), script=tuple(d.script), demo=name)


# ------------------------------------------------------------------------------------------------
# Models
# ------------------------------------------------------------------------------------------------
class TeamModel(SalesTeamModel):
    """A :class:`SalesTeamModel` that also keeps a recent-revenue average per seat (node sizes).

    Args:
        label: Name shown on the charts.
        ema_weeks: Time constant of the per-seat revenue average.
        **kwargs: As for :class:`SalesTeamModel`.
    """

    def __init__(self, *, label: str = "A", ema_weeks: float = 8.0, **kwargs):
        super().__init__(**kwargs)
        self.label = label
        self._alpha = 1.0 / max(ema_weeks, 1.0)
        self.revenue_ema = np.zeros(self.engine.N)
        #: ``team_trust[w]``: each team's mean trust in its leader after ``w`` weeks (``w = 0``: the start)
        self.team_trust = [self._team_trust()]

    @property
    def leader_agents(self):
        """The leaders-as-agents mechanism (:class:`simteam.leaders.Leaders`), or None when off."""
        return getattr(self.engine, "leaders", None)

    def _team_trust(self) -> np.ndarray:
        e = self.engine
        team, act = e.structure.team_of, e.s.active[0].astype(float)
        T = e.structure.n_teams
        n = np.bincount(team, weights=act, minlength=T)
        return np.bincount(team, weights=e.s.trust[0] * act, minlength=T) / np.maximum(n, 1.0)

    def leader_styles(self) -> list[str]:
        """The named style of each team's leader (``leaders.styles`` cycled, else the run's style)."""
        T = self.engine.structure.n_teams
        styles = list(self.config.leaders.styles) if self.leader_agents is not None else []
        if not styles:
            styles = [self.config.leadership.style if self.config.leadership.style in STYLES else "balanced"]
        return [styles[t % len(styles)] for t in range(T)]

    def kpis(self) -> dict[str, float]:
        """As :meth:`SalesTeamModel.kpis`; with leaders as agents also leader stress and interim posts."""
        k = super().kpis()
        lead = self.leader_agents
        if lead is not None and self.engine.week > 0:
            k["leader_stress"] = float(lead.stress[0].mean())
            k["leaders_interim"] = float(lead.vacant[0].sum())
        return k

    def step(self) -> None:
        """Advance one week and update the per-seat revenue average."""
        done = self.engine.week >= self.engine.weeks
        super().step()
        if not done:
            s = self.engine.s
            self.revenue_ema = np.where(s.active[0], (1 - self._alpha) * self.revenue_ema
                                        + self._alpha * s.revenue_week[0], 0.0)
            self.team_trust.append(self._team_trust())

    @property
    def initiative_names(self) -> list[str]:
        """Names of the configured change initiatives (the rollout button needs one)."""
        return [i.name for i in self.config.change.initiatives]

    def intervene(self, kind: str, value: float = 0.0, name: str = "") -> None:
        """As :meth:`SalesTeamModel.intervene`; ``rollout`` without a name starts the first initiative."""
        if kind == "rollout" and not name:
            if not self.initiative_names:
                raise ValueError("rollout: no change initiative is configured; load the tool rollout demo")
            name = self.initiative_names[0]
        super().intervene(kind, value, name)


class DashboardModel(TeamModel):
    """The dashboard's model: side A, plus side B's twin on the same seed in side-by-side mode.

    ``step`` fires the scripted interventions due this week, then steps both sides;
    ``intervene`` applies an intervention to both and records it in ``interventions``
    (``manual`` holds the ones not from the script: what a saved workshop replays). A lock
    keeps the play thread and the buttons from touching the engine at the same time.

    Args:
        settings: A :class:`Settings` or a reactive holding one.
        seed: Optional seed (int or text, e.g. from a text box) overriding ``settings.seed``.
    """

    def __init__(self, settings: Settings | None = None, seed=None):
        s = settings.value if (settings is not None and not isinstance(settings, Settings)
                               and hasattr(settings, "value")) else settings
        s = s if s is not None else Settings()
        if not isinstance(s, Settings):
            raise TypeError(f"settings: expected Settings, got {type(s).__name__}")
        seed_value = coerce_seed(s.seed if seed is None else seed)
        super().__init__(label=s.a.label, seed=seed_value, **s.side_kwargs(s.a))
        self.settings = s
        self.lock = threading.RLock()
        self.script = tuple(s.script)
        self.interventions: list[Intervention] = []
        self.manual: list[Intervention] = []
        self.twin = TeamModel(label=s.b.label, seed=seed_value, **s.side_kwargs(s.b)) if s.compare else None

    @property
    def sides(self) -> list[TeamModel]:
        """The models on screen: A, and B when side by side."""
        return [self] if self.twin is None else [self, self.twin]

    def step(self) -> None:
        """Fire this week's scripted interventions, then advance both sides one week."""
        with self.lock:
            if self.engine.week >= self.engine.weeks:
                self.running = False
                return
            for iv in self.script:
                if iv.week == self.engine.week:
                    self._apply(iv.kind, iv.value, iv.name, iv.side)
            super().step()
            if self.twin is not None:
                self.twin.step()

    def intervene(self, kind: str, value: float = 0.0, name: str = "", side: str = "") -> None:
        """Apply an intervention now (marked on the charts at the current week).

        ``side`` ``""`` hits every side (the usual), ``"a"`` or ``"b"`` one side only (e.g.
        ``leader_leaves``: that side's manager of team ``value`` leaves; -1: every team).
        """
        with self.lock:
            self._apply(kind, value, name, side)
            self.manual.append(self.interventions[-1])

    def side(self, key: str) -> TeamModel:
        """Side ``"a"`` (this model) or ``"b"`` (the twin)."""
        if key == "a":
            return self
        if key == "b" and self.twin is not None:
            return self.twin
        raise ValueError(f"side: expected 'a'{' or ' + repr('b') if self.twin is not None else ''}"
                         f" (or empty: every side), got {key!r}")

    def _apply(self, kind: str, value: float, name: str, side: str = "") -> None:
        if kind not in KINDS and kind not in ("quota_change", "hire", "lose_top_performer", *SIDE_KINDS):
            raise ValueError(f"intervention: {kind!r} is unknown; choose one of {', '.join((*BUTTON_KINDS, *SIDE_KINDS))}")
        if self.engine.week >= self.engine.weeks:
            raise ValueError(f"{kind}: the run is over (week {self.engine.week}); press Reset")
        targets = self.sides if not side else [self.side(side)]
        if kind in SIDE_KINDS:
            if self.leader_agents is None:
                raise ValueError(f"{kind}: needs leaders as agents; tick 'Leaders as agents' and press Reset")
            T = self.engine.structure.n_teams
            if value != int(value) or not -1 <= value < T:
                raise ValueError(f"{kind}: team {value:g} does not exist; allowed: 0 to {T - 1}, or -1 for every team")
        for m in targets:
            (TeamModel.intervene if m is self else type(m).intervene)(m, kind, value, name)
        self.interventions.append(Intervention(self.engine.week, kind, float(value), name, side))

    def chart_marks(self) -> list[tuple[int, str]]:
        """``(week, label)`` of each intervention for the charts (``"A: manager leaves"`` for one side)."""
        out = []
        for iv in self.interventions:
            label = _MARK_SHORT.get(iv.kind, iv.kind)
            if iv.side:
                label = f"{iv.side.upper()}: {label}"
            out.append((iv.week, label))
        return out


def run_script(settings: Settings, weeks: int | None = None) -> DashboardModel:
    """Build a :class:`DashboardModel` and step it ``weeks`` weeks (default: to the end)."""
    m = DashboardModel(settings)
    for _ in range(m.engine.weeks if weeks is None else weeks):
        m.step()
    return m


# ------------------------------------------------------------------------------------------------
# Play loop
# ------------------------------------------------------------------------------------------------
def redraw_every(speed: float, draw_seconds: float) -> int:
    """Weeks between redraws while playing at ``speed`` weeks/s when one redraw takes ``draw_seconds``.

    Every week when the redraw fits in the week's time; otherwise as often as keeps redraws
    to about 80% of the time; a quarter at the fastest speed.
    """
    if not math.isfinite(speed):
        return FASTEST_EVERY
    return max(1, math.ceil(speed * draw_seconds * 1.25))


def play(model: DashboardModel, speed, *, stop_at=(), cancel: threading.Event | None = None,
         on_frame=None, on_week=None, week_every: float = 0.2, clock=time.monotonic) -> str:
    """Step ``model`` at ``speed`` weeks per second until the end, a checkpoint or ``cancel``.

    Args:
        model: The model to advance.
        speed: Weeks per second (``math.inf``: as fast as possible), or a function returning
            it (read every week, so a speed change takes effect while playing).
        stop_at: Weeks at which to stop (the screen then reads "Week N").
        cancel: Set it to pause; checked every week and during the pacing waits.
        on_frame: Called to redraw the charts; called every few weeks (see :func:`redraw_every`,
            timed on the calls themselves; at least every 2 seconds of play) and always once at
            the week where play stops.
        on_week: Called after a week that is not a frame (cheap updates: the week counter), at
            most every ``week_every`` seconds (at 1-4 weeks/s: every week).
        week_every: Least time between two ``on_week`` calls.
        clock: Time source (seconds).

    Returns:
        Why play stopped: ``"end"``, ``"checkpoint"`` or ``"paused"``.
    """
    cancel = cancel if cancel is not None else threading.Event()
    on_frame = on_frame or (lambda: None)
    on_week = on_week or (lambda: None)
    get_speed = speed if callable(speed) else (lambda: speed)
    end = model.engine.weeks
    stops = {int(w) for w in stop_at if int(w) > model.week}
    t0, w0, v0 = clock(), model.week, get_speed()
    drawn, draw_s = model.week, 0.0
    told = -math.inf
    reason = "end"
    while True:
        if cancel.is_set():
            reason = "paused"
            break
        if model.week >= end:
            break
        model.step()
        w = model.week
        if w in stops:
            reason = "checkpoint"
            break
        if w >= end:
            break
        v = get_speed()
        if v != v0:  # a new speed: pace from here
            t0, w0, v0 = clock(), w - 1, v
        if math.isfinite(v):
            wait = t0 + (w - w0) / v - clock()
            if wait > 0 and cancel.wait(wait):
                reason = "paused"
                break
        every = redraw_every(v, draw_s)
        if math.isfinite(v):
            every = min(every, max(1, math.ceil(2 * v)))
        if w - drawn >= every:
            t = clock()
            on_frame()
            draw_s, drawn, told = clock() - t, w, clock()
        elif clock() - told >= week_every:
            on_week()
            told = clock()
    on_frame()
    return reason


# ------------------------------------------------------------------------------------------------
# What happened, in words
# ------------------------------------------------------------------------------------------------
def _n(k: int, one: str, many: str) -> str:
    return f"{k} {one if k == 1 else many}"


def _teams_of(detail: str) -> list[int] | None:
    """The teams in a leader event logged by :mod:`simteam.leaders` ("0,2"), or None (the log line of the event)."""
    parts = detail.split(",")
    return [int(x) for x in parts] if detail and all(x.isdigit() for x in parts) else None


def _manager(who: str, team: int, T: int) -> str:
    return f"{who}'s manager" + (f" of team {team + 1}" if T > 1 else "")


def _trust_change(m: TeamModel, wk: int, team: int) -> str:
    """"; trust 0.52 -> 0.41": the team's trust before week ``wk`` and after it (once that week is done)."""
    if team < 0:
        tt = [np.mean(x) for x in m.team_trust]
    else:
        tt = [x[team] for x in m.team_trust]
    if wk + 1 < len(tt):
        return f"; trust {tt[wk]:.2f} -> {tt[wk + 1]:.2f}"
    return ""


def _side_events(m: TeamModel, key: str, manual_leaves=()) -> list[tuple[int, int, str]]:
    """(week, order, text) of one side's own events (not the interventions shared by both sides).

    ``manual_leaves``: ``(week, team)`` of the manager departures clicked on this side (told with
    the intervention, not again here).
    """
    e = m.engine
    who = key.upper()
    T = e.structure.n_teams
    clicked = {(w, tm) for w, tm in manual_leaves}
    clicked_all = {w for w, tm in manual_leaves if tm < 0}
    trust = e.series["trust"][:, 0]
    head = e.series["headcount"][:, 0]
    by_week: dict[tuple[int, str], list[str]] = {}
    for wk, kind, detail in e.event_log:
        by_week.setdefault((wk, kind), []).append(detail)
    out = []
    for (wk, kind), details in by_week.items():
        count = sum(len([x for x in d.split(",") if x]) for d in details)
        if kind == "layoff":
            txt = f"{who} laid off {_n(count, 'rep', 'reps')}"
            if 1 <= wk < e.week:
                txt += f"; trust fell {trust[wk - 1]:.2f} -> {trust[wk]:.2f}"
            out.append((wk, 1, txt))
        elif kind == "crisis_response":
            out.append((wk, 0, f"{who} responds to the crisis: {STRATEGY_TEXT.get(details[0], details[0])}"))
        elif kind == "quit":
            txt = f"{who}: {_n(count, 'rep quits', 'reps quit')}"
            if wk < e.week:
                txt += f" ({int(head[wk])} left)"
            out.append((wk, 3, txt))
        elif kind == "exit" and (wk, "layoff") not in by_week and (wk, "promote") not in by_week:
            out.append((wk, 2, f"{who}: the leader lets {_n(count, 'rep', 'reps')} go"))
        elif kind == "hire":
            out.append((wk, 4, f"{who} hires {_n(count, 'rep', 'reps')}"))
        elif kind == "mandate":
            out.append((wk, 1, f"{who} makes the {details[0]} tool mandatory for everyone"))
        elif kind in ("leader_leaves", "promote", "hire_leader"):
            teams = sorted({tm for d in details for tm in (_teams_of(d) or [])})
            for tm in teams:
                if kind == "leader_leaves":
                    if (wk, tm) in clicked or wk in clicked_all:
                        continue
                    out.append((wk, 2, f"{_manager(who, tm, T)} leaves (an interim covers)"
                                + _trust_change(m, wk, tm)))
                elif kind == "promote":
                    out.append((wk, 2, f"{who} promotes its top rep to manager" + (f" of team {tm + 1}" if T > 1 else "")
                                + _trust_change(m, wk, tm)))
                else:
                    out.append((wk, 2, f"{who} hires an outside manager" + (f" for team {tm + 1}" if T > 1 else "")
                                + _trust_change(m, wk, tm)))
    return out


def _intervention_text(iv: Intervention) -> str:
    if iv.kind == "crisis":
        return f"crisis: demand falls by {fmt_number(iv.value or 0.25, 0, percent=True)}"
    if iv.kind == "toxic_hire":
        return "a toxic star is hired"
    if iv.kind == "recognition_event":
        return "awards night"
    if iv.kind == "rollout":
        return f"the {iv.name or 'tool'} rollout starts"
    if iv.kind == "regroup":
        return "the team is regrouped"
    if iv.kind == "quota_change":
        return f"quota x{iv.value or 1.0:.2f}"
    return _MARK_SHORT.get(iv.kind, iv.kind)


def narrate(model: DashboardModel) -> list[tuple[int, str]]:
    """What happened so far, in plain words, oldest first: ``[(week, "Week 27: A laid off 2 reps; ...")]``.

    Interventions (they hit both sides) come first in their week, then each side's layoffs,
    crisis responses, mandates, exits, quits and hires. Weeks are chart weeks (where the
    markers are drawn).
    """
    with model.lock:
        items = []
        for iv in model.interventions:
            if iv.kind == "leader_leaves":
                for key in ([iv.side] if iv.side else ["a", "b"][:len(model.sides)]):
                    m, team = model.side(key), int(iv.value)
                    T = m.engine.structure.n_teams
                    who = (f"all of {key.upper()}'s managers leave" if team < 0 and T > 1
                           else f"{_manager(key.upper(), max(team, 0), T)} leaves")
                    items.append((iv.week, -1, who + _trust_change(m, iv.week, team)))
                continue
            items.append((iv.week, -1, ("both teams: " if model.twin is not None else "") + _intervention_text(iv)))
        for m, key in zip(model.sides, ("a", "b")):
            manual = [(iv.week, int(iv.value)) for iv in model.interventions
                      if iv.kind == "leader_leaves" and iv.side in ("", key)]
            items += _side_events(m, key, manual)
    items.sort(key=lambda x: (x[0], x[1]))
    return [(wk, f"Week {wk}: {txt}") for wk, _, txt in items]


# ------------------------------------------------------------------------------------------------
# Was it luck? The same comparison on many worlds
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LuckResult:
    """B - A over ``n`` worlds (seeds ``first_seed`` ...), paired by seed."""

    n: int
    first_seed: int
    share_b_better: float
    revenue_a: float
    revenue_diff: float
    revenue_lo: float
    revenue_hi: float
    quits_diff: float
    seconds: float
    revenue_by_seed: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def pct(self) -> tuple[float, float, float]:
        """Mean revenue difference and its 95% interval, in % of A's mean revenue."""
        return tuple(100 * x / self.revenue_a for x in (self.revenue_diff, self.revenue_lo, self.revenue_hi))

    def text(self) -> str:
        """``B better in 94% of 200 worlds, by +9.1% revenue [95% CI +8.0% to +10.2%]; ...``."""
        d, lo, hi = self.pct
        better = "B better" if d >= 0 else "B worse"
        return (f"{better} in {100 * self.share_b_better:.0f}% of {self.n} worlds, by {d:+.1f}% revenue "
                f"[95% CI {lo:+.1f}% to {hi:+.1f}%]; quits B - A: {self.quits_diff:+.1f} per team")


def _batch_config(s: Settings, side: Side, interventions, key: str = "a"):
    from ..sim import configure

    events = [{"kind": i.kind, "week": int(i.week), "value": float(i.value), "name": i.name} for i in interventions
              if getattr(i, "side", "") in ("", key)]
    return configure(**s.side_kwargs(side), events=events)


def luck_check(settings: Settings, interventions=None, worlds: int = 200, first_seed: int = 1) -> LuckResult:
    """Run A and B on ``worlds`` seeds on the batched engine and compare them pair by pair.

    Args:
        settings: The dashboard settings (side by side).
        interventions: What was fired (default: the settings' script); each hits both sides
            at its week, as on screen.
        worlds: Number of seeds.
        first_seed: Seeds are ``first_seed .. first_seed + worlds - 1``.
    """
    from .. import paired_difference, run

    if not settings.compare:
        raise ValueError("was it luck: turn on side by side (B on the same seed) first")
    ivs = list(settings.script if interventions is None else interventions)
    t = time.perf_counter()
    res = {k: run(_batch_config(settings, side, ivs, k), replications=worlds, seed=first_seed).summary
           for k, side in (("a", settings.a), ("b", settings.b))}
    ra, rb = res["a"]["revenue"].to_numpy(), res["b"]["revenue"].to_numpy()
    pd_ = paired_difference(ra, rb)
    qd = paired_difference(res["a"]["quits"].to_numpy(), res["b"]["quits"].to_numpy())
    seeds = res["a"]["seed"].to_numpy()
    return LuckResult(n=worlds, first_seed=first_seed, share_b_better=float(np.mean(rb > ra)),
                      revenue_a=float(np.mean(ra)), revenue_diff=pd_["mean"], revenue_lo=pd_["lo"],
                      revenue_hi=pd_["hi"], quits_diff=qd["mean"], seconds=time.perf_counter() - t,
                      revenue_by_seed={int(sd): (float(a), float(b)) for sd, a, b in zip(seeds, ra, rb)})


# ------------------------------------------------------------------------------------------------
# Workshop file (save / load)
# ------------------------------------------------------------------------------------------------
class WorkshopFileError(ValueError):
    """A workshop file that cannot be loaded; the message is one line naming the field."""


FILE_FORMAT = "simteam-workshop/1"


def workshop_json(model: DashboardModel) -> str:
    """The workshop state as JSON: settings (with seed), the week reached, the manual interventions."""
    s = model.settings
    with model.lock:
        data = {
            "format": FILE_FORMAT,
            "settings": {"seed": s.seed, "weeks": s.weeks, "market": s.market, "compare": s.compare,
                         "demo": s.demo, "shared": s.shared, "org": s.org, "leaders": s.leaders,
                         "script": [dataclasses.asdict(i) for i in s.script],
                         "a": dataclasses.asdict(s.a), "b": dataclasses.asdict(s.b)},
            "week": model.week,
            "interventions": [dataclasses.asdict(i) for i in model.manual],
        }
    return json.dumps(data, indent=1)


def _need(d, key, kind, where):
    if not isinstance(d, dict) or key not in d:
        raise WorkshopFileError(f"{where}{key}: missing")
    v = d[key]
    ok = isinstance(v, kind) and not (kind in (int, float, (int, float)) and isinstance(v, bool))
    if not ok:
        names = kind.__name__ if isinstance(kind, type) else "number"
        raise WorkshopFileError(f"{where}{key}: expected {names}, got {type(v).__name__}")
    return v


def _iv(d, where) -> Intervention:
    side = _need(d, "side", str, where) if isinstance(d, dict) and "side" in d else ""
    if side not in ("", "a", "b"):
        raise WorkshopFileError(f"{where}side: expected 'a', 'b' or '' (both sides), got {side!r}")
    return Intervention(week=_need(d, "week", int, where), kind=_need(d, "kind", str, where),
                        value=float(_need(d, "value", (int, float), where)), name=_need(d, "name", str, where),
                        side=side)


def _side(d, where) -> Side:
    beh = _need(d, "behaviours", dict, where)
    for b, v in beh.items():
        if b not in BEHAVIOURS:
            raise WorkshopFileError(f"{where}behaviours.{b}: unknown behaviour; allowed: {', '.join(BEHAVIOURS)}")
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
            raise WorkshopFileError(f"{where}behaviours.{b}: expected a number from 0 to 1, got {v!r}")
    style = _need(d, "style", str, where)
    if style not in STYLES:
        raise WorkshopFileError(f"{where}style: {style!r} is unknown; allowed: {', '.join(STYLES)}")
    crisis = _need(d, "crisis", str, where)
    if crisis not in STRATEGIES:
        raise WorkshopFileError(f"{where}crisis: {crisis!r} is unknown; allowed: {', '.join(STRATEGIES)}")
    team_styles = _need(d, "team_styles", list, where) if "team_styles" in d else []
    for i, ts in enumerate(team_styles):
        if ts not in STYLES:
            raise WorkshopFileError(f"{where}team_styles[{i}]: {ts!r} is unknown; allowed: {', '.join(STYLES)}")
    return Side(label=_need(d, "label", str, where), style=style,
                behaviours={**STYLES[style], **{b: float(v) for b, v in beh.items()}}, crisis=crisis,
                overrides=_need(d, "overrides", dict, where), team_styles=tuple(team_styles))


def load_workshop(text: str | bytes) -> DashboardModel:
    """Rebuild a saved workshop: the settings, then the run replayed to the saved week with its interventions.

    Raises:
        WorkshopFileError: one line naming the field that is wrong and what is allowed.
    """
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise WorkshopFileError(f"workshop file: not a JSON file ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FILE_FORMAT:
        raise WorkshopFileError(f"workshop file: format: expected {FILE_FORMAT!r} (a file saved by this dashboard)")
    sd = _need(data, "settings", dict, "")
    seed = _need(sd, "seed", str, "settings.")
    try:
        coerce_seed(seed)
    except ValueError as exc:
        raise WorkshopFileError(f"settings.{exc}") from None
    market = _need(sd, "market", str, "settings.")
    if market not in MARKETS:
        raise WorkshopFileError(f"settings.market: {market!r} is unknown; allowed: {', '.join(MARKETS)}")
    demo = _need(sd, "demo", str, "settings.")
    if demo and demo not in DEMOS:
        raise WorkshopFileError(f"settings.demo: {demo!r} is unknown; allowed: {', '.join(DEMOS)} or empty")
    script = tuple(_iv(i, f"settings.script[{k}].") for k, i in enumerate(_need(sd, "script", list, "settings.")))
    org = _need(sd, "org", str, "settings.") if "org" in sd else "team"
    if org not in ORGS:
        raise WorkshopFileError(f"settings.org: {org!r} is unknown; allowed: {', '.join(ORGS)}")
    s = Settings(seed=seed, weeks=_need(sd, "weeks", int, "settings."), market=market,
                 a=_side(_need(sd, "a", dict, "settings."), "settings.a."),
                 compare=_need(sd, "compare", bool, "settings."),
                 b=_side(_need(sd, "b", dict, "settings."), "settings.b."),
                 shared=_need(sd, "shared", dict, "settings."), script=script, demo=demo, org=org,
                 leaders=_need(sd, "leaders", bool, "settings.") if "leaders" in sd else False)
    problem = settings_problem(s)
    if problem:
        raise WorkshopFileError(f"settings: {problem}")
    week = _need(data, "week", int, "")
    if not 0 <= week <= s.weeks:
        raise WorkshopFileError(f"week: expected a whole number from 0 to {s.weeks}, got {week}")
    ivs = [_iv(i, f"interventions[{k}].") for k, i in enumerate(_need(data, "interventions", list, ""))]
    for k, iv in enumerate(ivs):
        if iv.kind not in (*BUTTON_KINDS, *SIDE_KINDS):
            raise WorkshopFileError(f"interventions[{k}].kind: {iv.kind!r} is unknown; allowed: "
                                    f"{', '.join((*BUTTON_KINDS, *SIDE_KINDS))}")
        if not 0 <= iv.week <= week:
            raise WorkshopFileError(f"interventions[{k}].week: expected 0 to {week} (the saved week), got {iv.week}")
    m = DashboardModel(s)
    try:
        for w in range(week + 1):
            for iv in ivs:
                if iv.week == w:
                    m.intervene(iv.kind, iv.value, iv.name, iv.side)
            if w < week:
                m.step()
    except ValueError as exc:
        raise WorkshopFileError(f"interventions: {exc}") from None
    return m


# ------------------------------------------------------------------------------------------------
# Figures
# ------------------------------------------------------------------------------------------------
def _series(m: TeamModel, name: str) -> np.ndarray:
    return np.asarray(m.series(name), dtype=float)


def _rolling(x: np.ndarray, k: int = 4) -> np.ndarray:
    if x.size == 0:
        return x
    c = np.cumsum(np.insert(np.nan_to_num(x), 0, 0.0))
    n = np.minimum(np.arange(1, x.size + 1), k)
    return (c[1:] - c[np.maximum(np.arange(1, x.size + 1) - k, 0)]) / n


@dataclass(frozen=True)
class _Look:
    """Colours and font scale of a figure (light or dark; normal or presenter)."""

    dark: bool = False
    scale: float = 1.0

    @property
    def bg(self):
        return "#1e1e1e" if self.dark else "white"

    @property
    def fg(self):
        return "#e8e8e8" if self.dark else "#222222"

    @property
    def grid(self):
        return "#555555" if self.dark else "#cccccc"

    @property
    def mark(self):
        return "#ff6b6b" if self.dark else "#b22222"

    def color(self, key):
        return (DARK_COLORS if self.dark else COLORS)[key]

    def fs(self, size):
        return size * self.scale


def _marks(ax, marks, look: _Look) -> None:
    """Interventions ``(week, label)`` as labelled red dashed lines."""
    seen = set()
    for week, label in marks:
        ax.axvline(week, color=look.mark, lw=1.0, ls="--", alpha=0.8)
        if (week, label) not in seen:
            seen.add((week, label))
            ax.annotate(label, xy=(week, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(2, -2), textcoords="offset points", rotation=90, va="top", ha="left",
                        fontsize=look.fs(7), color=look.mark)


def _figure(fig: Figure | None, figsize, dpi=80) -> Figure:
    """A new figure, or ``fig`` cleared and resized (re-using it keeps matplotlib's text-size cache)."""
    if fig is None:
        return Figure(figsize=figsize, dpi=dpi)
    fig.clear()
    if tuple(fig.get_size_inches()) != tuple(figsize):
        fig.set_size_inches(figsize)
    if fig.dpi != dpi:
        fig.set_dpi(dpi)
    return fig


def _style_axes(ax, look: _Look) -> None:
    ax.set_facecolor(look.bg)
    ax.tick_params(labelsize=look.fs(8), colors=look.fg)
    ax.grid(alpha=0.3, color=look.grid)
    for sp in ax.spines.values():
        sp.set_color(look.grid)


def charts_figure(model: DashboardModel, figsize=(10.0, 6.4), fig: Figure | None = None, *, dark: bool = False,
                  scale: float = 1.0, dpi: int = 80) -> Figure:
    """The live charts: revenue, morale and trust, headcount and quits, adoption and productivity.

    Side B (side by side) is drawn dashed in orange; interventions are red dashed lines,
    labelled on every chart; the revenue chart also shows the market's demand index (grey,
    right axis), so a crisis is visible where it happens even before revenue follows. ``dark``
    draws on a dark background, ``scale`` enlarges all text (presenter mode).

    Pass ``fig`` to redraw into an existing figure. A figure this function drew for the same
    model, look and interventions is updated in place: only the lines' data, the demand band,
    the y-limits and the title change (no new axes, ticks or texts; about a third of the time
    of a full redraw).
    """
    look = _Look(dark, scale)
    marks = model.chart_marks()
    key = (id(model), len(model.sides), bool(model.engine.K), dark, float(scale), float(dpi),
           tuple(float(x) for x in figsize), tuple(marks))
    state = getattr(fig, "_simteam_charts", None) if fig is not None else None
    if state is not None and state["key"] == key:
        _update_charts(model, state)
        return fig
    fig = _figure(fig, figsize, dpi)
    fig.set_facecolor(look.bg)
    axes = fig.subplots(2, 2, sharex=True)
    (ax_rev, ax_mt), (ax_hc, ax_ad) = axes
    weeks = model.engine.weeks
    sides = list(zip(model.sides, ("a", "b")))
    lw = 1.8 * max(1.0, scale * 0.85)
    lines = []  # (line, model, series of the model)

    def plot(ax, m, fn, **kw):
        y = fn(m)
        (ln,) = ax.plot(np.arange(y.size), y, **kw)
        lines.append((ln, m, fn))

    cum_quits = lambda m: np.cumsum(np.nan_to_num(_series(m, "quits")))  # noqa: E731
    for m, key_ in sides:
        c, ls = look.color(key_), "-" if key_ == "a" else "--"
        plot(ax_rev, m, lambda m: _series(m, "revenue"), color=c, lw=0.6, alpha=0.35)
        plot(ax_rev, m, lambda m: _rolling(_series(m, "revenue")), color=c, lw=lw, ls=ls)
        plot(ax_mt, m, lambda m: _series(m, "morale"), color=c, lw=lw, ls=ls)
        plot(ax_mt, m, lambda m: _series(m, "trust"), color=c, lw=lw * 0.65, ls=ls, alpha=0.55)
        plot(ax_hc, m, lambda m: _series(m, "headcount"), color=c, lw=lw, ls=ls)
        plot(ax_hc, m, cum_quits, color=c, lw=lw * 0.65, ls=":")
        if m.engine.K:
            plot(ax_ad, m, lambda m: _series(m, "adoption"), color=c, lw=lw, ls=ls)
        plot(ax_ad, m, lambda m: _series(m, "productivity"), color=c, lw=lw * 0.65, ls=ls, alpha=0.55)
    # the market: demand index of side A's world (B's is the same), on its own axis
    ax_dem = ax_rev.twinx()
    plot(ax_dem, model, lambda m: _series(m, "demand"), color=look.fg, lw=0.8, alpha=0.45)
    ax_dem.set_ylim(0.5, 1.3)
    ax_dem.tick_params(labelsize=look.fs(7), colors=look.fg)
    ax_dem.set_ylabel("market demand", fontsize=look.fs(7), color=look.fg, alpha=0.7)
    for sp in ax_dem.spines.values():
        sp.set_visible(False)
    ax_rev.set_zorder(ax_dem.get_zorder() + 1)
    ax_rev.patch.set_visible(False)
    titles = {ax_rev: "Weekly revenue (k$; thick: 4-week average)", ax_mt: "Morale (thick), trust in leader (thin)",
              ax_hc: "Headcount (solid), quits so far (dotted)",
              ax_ad: "Tool adoption (thick), productivity (thin)"}
    for ax, t in titles.items():
        ax.set_title(t, fontsize=look.fs(9), color=look.fg)
    ax_mt.set_ylim(0, 1)
    ax_ad.set_ylim(0, 1.3)
    for ax in axes.ravel():
        ax.set_xlim(0, weeks)
        _style_axes(ax, look)
        _marks(ax, marks, look)
    ax_rev.patch.set_visible(False)
    ax_dem.set_facecolor(look.bg)
    for ax in axes[1]:
        ax.set_xlabel("week", fontsize=look.fs(8), color=look.fg)
    handles = [Line2D([], [], color=look.color(k), ls="-" if k == "a" else "--", lw=1.8, label=m.label)
               for m, k in sides]
    handles.append(Line2D([], [], color=look.mark, ls="--", lw=1.0, label="intervention"))
    handles.append(Line2D([], [], color=look.fg, lw=0.8, alpha=0.45, label="market demand (right axis, top left)"))
    leg = fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=look.fs(8), frameon=False)
    for t in leg.get_texts():
        t.set_color(look.fg)
    title = fig.suptitle("", fontsize=look.fs(10), color=look.fg)
    bottom = 0.14 if scale <= 1 else 0.17
    fig.subplots_adjust(left=0.06 * max(1, scale * 0.9), right=0.98, top=0.88 if scale > 1 else 0.9, bottom=bottom,
                        wspace=0.24 if scale <= 1 else 0.26, hspace=0.26 if scale <= 1 else 0.34)
    state = {"key": key, "lines": lines, "title": title, "dem": ax_dem, "fill": None, "color": look.fg,
             "autoscale": {ax_rev: [ln for ln, _, _ in lines if ln.axes is ax_rev],
                           ax_hc: [ln for ln, _, _ in lines if ln.axes is ax_hc]}}
    fig._simteam_charts = state
    _update_charts(model, state)
    return fig


def _nice_top(v: float) -> float:
    """The y-axis top for data up to ``v``: a round number at least 20% above it (so it changes rarely)."""
    if not np.isfinite(v) or v <= 0:
        return 1.0
    e = 10.0 ** math.floor(math.log10(v))
    for k in (1, 2, 3, 4, 6, 8, 10, 12):
        if k * e >= v * 1.2:
            return k * e
    return 12 * e


def _update_charts(model: DashboardModel, state: dict) -> None:
    """Put this week's data into the lines of a figure drawn by :func:`charts_figure`.

    Revenue and headcount run from 0 to a round top that only moves when the data outgrow it.
    """
    for ln, m, fn in state["lines"]:
        y = fn(m)
        ln.set_data(np.arange(y.size), y)
    if state["fill"] is not None:
        state["fill"].remove()
    dem = _series(model, "demand")
    state["fill"] = state["dem"].fill_between(np.arange(dem.size), dem, 0.5, color=state["color"], alpha=0.08, lw=0,
                                              step="mid")
    for ax, lns in state["autoscale"].items():
        top = max([float(np.nanmax(ln.get_ydata())) for ln in lns if len(ln.get_ydata())] or [0.0])
        lim = (0.0, _nice_top(top))
        if ax.get_ylim() != lim:
            ax.set_ylim(*lim)
    state["title"].set_text(f"Week {model.week} of {model.engine.weeks} (seed {model.seed_value})")


class FastPng:
    """PNG images of a figure drawn by :func:`charts_figure`, re-rendering only what moves.

    The first image, and any after the axes' limits or the figure's look changed, is a full
    render; the still parts (axes, ticks, titles, legend, markers) are kept as a background and
    later images draw only the lines, the demand band and the title on top of it (blitting),
    then encode the pixels with fast PNG compression. The pixels are those of a full render.
    """

    def __init__(self, fig: Figure):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.fig = fig
        FigureCanvasAgg(fig)
        self._bg = None
        self._bg_key = None
        self.full_renders = 0

    def _moving(self) -> list:
        """What is drawn over the background, in matplotlib's order: in each axes (by zorder) every
        artist from the data lines' zorder up (lines, markers, labels, spines), then the title."""
        st = self.fig._simteam_charts
        out = []
        for ax in sorted(self.fig.axes, key=lambda a: a.get_zorder()):
            still = {ax.patch, ax.title, ax._left_title, ax._right_title}  # titles lie above the plot area
            out += [c for c in sorted(ax.get_children(), key=lambda c: c.get_zorder())
                    if c.get_zorder() >= 2 and c not in still and c.get_visible()]
        return out + [st["title"]]

    def png(self) -> bytes:
        """The figure as PNG bytes (at its own dpi)."""
        from PIL import Image

        fig, canvas = self.fig, self.fig.canvas
        st = fig._simteam_charts
        key = (st["key"], tuple(ax.get_ylim() for ax in fig.axes), tuple(fig.get_size_inches()), fig.dpi,
               id(st))
        moving = self._moving()
        if key != self._bg_key or self._bg is None:
            for a in moving:
                a.set_animated(True)
            canvas.draw()
            self._bg = canvas.copy_from_bbox(fig.bbox)
            self._bg_key = key
            self.full_renders += 1
        else:
            for a in moving:
                a.set_animated(True)  # the new demand band
        canvas.restore_region(self._bg)
        renderer = canvas.get_renderer()
        for a in moving:
            a.draw(renderer)
        buf = io.BytesIO()
        Image.fromarray(np.asarray(canvas.buffer_rgba())).save(buf, format="png", compress_level=1)
        return buf.getvalue()


def network_figure(models: list[TeamModel], figsize=None, fig: Figure | None = None, *, dark: bool = False,
                   scale: float = 1.0, dpi: int = 80, horizontal: bool = False) -> Figure:
    """The team network of each model with its fixed, seeded layout.

    Reps are coloured by morale (red low, green high) and sized by recent revenue; toxic
    reps carry a black cross, open seats are hollow grey circles. Each team's leader is drawn
    with the marker and colour of its named style (:data:`STYLE_LOOK`, with a legend); a leader
    post covered by an interim (leaders as agents: the manager left, the successor has not
    arrived) is hollow with a dashed edge and labelled "interim"; the head of sales is a black
    plus. Pass ``fig`` to redraw into an existing figure; ``horizontal`` puts the teams side by side.
    """
    look = _Look(dark, scale)
    n = len(models)
    figsize = figsize or ((4.2 * n + 0.8, 4.2) if horizontal else (5.0, 3.9 * n + 0.3))
    fig = _figure(fig, figsize, dpi)
    fig.set_facecolor(look.bg)
    axes = np.atleast_1d(fig.subplots(1, n) if horizontal else fig.subplots(n, 1))
    cmap = matplotlib.colormaps["RdYlGn"]
    edge = "#dddddd" if dark else "#333333"
    sc = None
    styles_used: set = set()
    for ax, m in zip(axes, models):
        ax.set_facecolor(look.bg)
        g, pos, s = m.graph, m.layout, m.engine.s
        peer, lead = [], []
        for u, v, d in g.edges(data=True):
            (peer if d.get("kind") == "peer" else lead).append((pos[u], pos[v]))
        ax.add_collection(LineCollection(peer, colors="#999999", linewidths=0.5, alpha=0.5, zorder=1))
        ax.add_collection(LineCollection(lead, colors="#888888" if dark else "#444444", linewidths=0.8, alpha=0.5,
                                         zorder=1))
        seats = [nd for nd, d in g.nodes(data=True) if d.get("kind") == "rep"]
        seat_idx = np.array([int(nd) for nd in seats], dtype=int)
        xy = np.array([pos[nd] for nd in seats])
        active = s.active[0, seat_idx]
        morale = s.morale[0, seat_idx]
        rev = m.revenue_ema[seat_idx]
        ref = max(float(np.percentile(rev[active], 90)) if active.any() else 0.0, 1e-9)
        size = 40 + 260 * np.clip(rev / ref, 0, 1.5)
        if (~active).any():
            ax.scatter(xy[~active, 0], xy[~active, 1], s=60, facecolors="none", edgecolors="#aaaaaa", zorder=2)
        sc = ax.scatter(xy[active, 0], xy[active, 1], s=size[active], c=morale[active], cmap=cmap, vmin=0, vmax=1,
                        edgecolors=edge, linewidths=0.6, zorder=3)
        tox = active & s.toxic[0, seat_idx]
        if tox.any():
            ax.scatter(xy[tox, 0], xy[tox, 1], s=90, marker="x", c="white" if dark else "black", linewidths=2.0,
                       zorder=4)
        styles_used |= _draw_leaders(ax, m, look)
        ax.set_title(f"{m.label}\nweek {m.week}, {int(active.sum())} reps, {int(tox.sum())} toxic",
                     fontsize=look.fs(9), color=look.fg)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        for sp in ax.spines.values():
            sp.set_visible(False)
        ax.margins(0.12)
    if sc is not None:
        cb = fig.colorbar(sc, ax=list(axes), shrink=0.6, pad=0.02)
        cb.set_label("morale", fontsize=look.fs(8), color=look.fg)
        cb.ax.tick_params(labelsize=look.fs(7), colors=look.fg)
    _leader_legend(fig, styles_used, look)
    fig.text(0.01, 0.01, "circle: rep (size: recent revenue)   x: toxic   hollow circle: open seat",
             fontsize=look.fs(7), color="#aaaaaa" if dark else "#555555")
    return fig


def _draw_leaders(ax, m: TeamModel, look: _Look) -> set:
    """Each team's leader at the team's centre, by style; interim posts hollow and dashed. Returns what was drawn."""
    g, pos = m.graph, m.layout
    lead = m.leader_agents
    styles = m.leader_styles()
    vacant = lead.vacant[0] if lead is not None else np.zeros(len(styles), dtype=bool)
    used = set()
    T = len(styles)
    for t, style in enumerate(styles):
        node = f"L{t}"
        if node not in pos:
            continue
        x, y = pos[node]
        marker, color = STYLE_LOOK.get(style, ("s", "#444444"))
        size = 230 if T == 1 else 150
        if vacant[t]:
            ax.scatter([x], [y], s=size, marker=marker, facecolors="none", edgecolors=color, linewidths=1.6,
                       linestyle="--", zorder=5)
            ax.annotate("interim", (x, y), xytext=(0, -11 if T > 1 else -14), textcoords="offset points",
                        ha="center", va="top", fontsize=look.fs(7), color=look.fg, zorder=6)
            used.add("interim")
        else:
            ax.scatter([x], [y], s=size, marker=marker, c=color, edgecolors=look.fg, linewidths=0.6, zorder=5)
        if T > 1:  # the team's number, as the event log and the "Manager leaves" choice name it
            ax.annotate(str(t + 1), (x, y), xytext=(0, 8), textcoords="offset points", ha="center", va="bottom",
                        fontsize=look.fs(7), fontweight="bold", color=look.fg, zorder=6)
        used.add(style)
    if "HoS" in g:
        x, y = pos["HoS"]
        ax.scatter([x], [y], s=160, marker="P", c=look.fg, zorder=5)
        used.add("head_of_sales")
    return used


def _leader_legend(fig: Figure, used: set, look: _Look) -> None:
    """Legend of the leader markers drawn (styles in :data:`STYLE_LOOK` order, then interim, head of sales)."""
    handles = []
    for style, (marker, color) in STYLE_LOOK.items():
        if style in used:
            handles.append(Line2D([], [], ls="", marker=marker, markersize=8, markerfacecolor=color,
                                  markeredgecolor=look.fg, markeredgewidth=0.5,
                                  label=f"leader: {STYLE_NAMES[style]}"))
    if "interim" in used:
        handles.append(Line2D([], [], ls="", marker="s", markersize=8, markerfacecolor="none", markeredgecolor=look.fg,
                              label="interim (manager left)"))
    if "head_of_sales" in used:
        handles.append(Line2D([], [], ls="", marker="P", markersize=8, color=look.fg, label="head of sales"))
    if handles:
        leg = fig.legend(handles=handles, loc="upper left", fontsize=look.fs(7), frameon=False, ncol=1,
                         handletextpad=0.3, borderaxespad=0.2)
        leg.set_gid("leader-legend")
        for txt in leg.get_texts():
            txt.set_color(look.fg)


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight", facecolor=fig.get_facecolor())
    return buf.getvalue()


#: Resolution of the high-resolution downloads.
HIRES_DPI = 300
CHARTS_SIZE = (10.0, 6.4)


def hires_image(model: DashboardModel, what: str = "charts", *, dpi: int = HIRES_DPI, fmt: str = "png",
                dark: bool = False) -> bytes:
    """The current charts (``what="charts"``) or network (``"network"``) as a high-resolution image.

    PNG at ``dpi`` dots per inch (the charts at 300 dpi: 3000 x 1920 pixels; the size is exactly the
    figure's inches times ``dpi``, no trimming) or SVG (``fmt="svg"``, scalable). Rendered on the
    server from the run's data, so it works offline.
    """
    if what not in ("charts", "network"):
        raise ValueError(f"what: expected 'charts' or 'network', got {what!r}")
    if fmt not in ("png", "svg"):
        raise ValueError(f"fmt: expected 'png' or 'svg', got {fmt!r}")
    with model.lock:
        if what == "charts":
            fig = charts_figure(model, figsize=CHARTS_SIZE, dark=dark, dpi=dpi)
        else:
            fig = network_figure(model.sides, dark=dark, dpi=dpi, horizontal=model.twin is not None)
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=dpi, facecolor=fig.get_facecolor())
    return buf.getvalue()


def export_dir() -> Path:
    """Folder for exported PNGs: ``$SIMTEAM_EXPORT_DIR`` or ``./simteam-exports``."""
    return Path(os.environ.get("SIMTEAM_EXPORT_DIR") or "simteam-exports")


def export_png(model: DashboardModel, folder: str | Path | None = None, *, dark: bool = False) -> list[Path]:
    """Save the current charts and network as PNGs for slides (150 dpi); returns the files written.

    Files are named ``simteam_<demo or style>_seed<seed>_week<week>_{charts,network}.png``
    and written atomically.
    """
    folder = Path(folder) if folder is not None else export_dir()
    with model.lock:
        tag = model.settings.demo or model.settings.a.style
        stem = f"simteam_{tag}_seed{model.seed_value}_week{model.week:03d}"
        figs = {"charts": charts_figure(model, dark=dark), "network": network_figure(model.sides, dark=dark)}
        out = []
        for kind, fig in figs.items():
            p = folder / f"{stem}_{kind}.png"
            write_bytes(_png(fig), p)
            out.append(p)
    return out


# ------------------------------------------------------------------------------------------------
# Components
# ------------------------------------------------------------------------------------------------
_KINDS = {"k$": (0, False, "k$"), "int": (0, False, ""), "pct": (0, True, ""), "num": (2, False, "")}


def _fmt(v: float, kind: str) -> str:
    digits, percent, unit = _KINDS.get(kind, _KINDS["num"])
    return fmt_number(v, digits, percent=percent, unit=unit)


def _fmt_diff(a: float, b: float, kind: str) -> str:
    """B - A, signed, no "-0"; revenue also relative to A, shares in percentage points."""
    digits, percent, _ = _KINDS.get(kind, _KINDS["num"])
    if a is None or b is None or np.isnan(a) or np.isnan(b):
        return fmt_number(None)
    d = b - a
    text = fmt_number(d, digits, percent=percent, signed=True, unit="pts" if percent else "")
    if kind == "k$" and a:
        text += f" ({fmt_number(d / a, 0, percent=True, signed=True)})"
    return text


KPI_FIELDS = (("revenue_13w", "Revenue, last 13 weeks", "k$"), ("revenue_total", "Revenue, total", "k$"),
              ("morale", "Morale (0-1)", "num"), ("trust", "Trust in leader (0-1)", "num"),
              ("leader_stress", "Leader stress (0-1)", "num"), ("leaders_interim", "Managers on interim", "int"),
              ("headcount", "Headcount", "int"), ("quits", "Quits so far", "int"), ("adoption", "Tool adoption", "pct"),
              ("toxic", "Toxic share", "pct"))


class Ui:
    """The per-session state of the page (reactive values; one per browser tab)."""

    def __init__(self, settings: Settings | None = None):
        s = settings or Settings()
        self.settings = solara.reactive(s)
        self.model = solara.reactive(DashboardModel(s))
        self.frame = solara.reactive(0)
        self.tick = solara.reactive(0)
        self.playing = solara.reactive(False)
        self.speed = solara.reactive(DEFAULT_SPEED)
        self.checkpoints = solara.reactive(True)
        self.presenter = solara.reactive(False)
        self.dark = solara.reactive(False)
        self.message = solara.reactive("")
        self.luck = solara.reactive(None)
        self.luck_request = solara.reactive(0)
        self.file_error = solara.reactive("")
        self.last_play: dict = {}
        self._seq = 0
        self._shown = 0
        self._cond = threading.Condition()

    def redraw(self, cancel: threading.Event | None = None) -> None:
        """Redraw everything (charts and network included); see :meth:`_publish`."""
        self._publish(self.frame, cancel)

    def update(self, cancel: threading.Event | None = None) -> None:
        """Update the cheap parts only: week counter, KPIs, event log."""
        self._publish(self.tick, cancel)

    def _publish(self, var, cancel) -> None:
        """Set ``var`` to a new number; from the play thread (``cancel`` given), wait until it is on screen.

        Solara renders a change in the thread that holds the render lock: if another thread is
        rendering (a button click), it renders our change too, and again, as long as changes come
        in during its passes. A play thread that does not wait would keep that thread rendering
        (the click never returns; a pause is not seen). So the play thread waits until the page
        has drawn its change, then leaves a short gap.
        """
        with self._cond:
            self._seq += 1
            n = self._seq
        var.set(n)
        if cancel is not None:
            with self._cond:
                self._cond.wait_for(lambda: self._shown >= n or cancel.is_set(), timeout=5.0)
            time.sleep(0.01)

    def shown(self, n: int) -> None:
        """The page has drawn update ``n`` (called from an effect of the play bar)."""
        with self._cond:
            self._shown = max(self._shown, n)
            self._cond.notify_all()

    def replace_model(self, model: DashboardModel, message: str = "") -> None:
        """A new run: stop play, clear messages and the luck check, draw it."""
        self.playing.set(False)
        self.model.set(model)
        self.message.set(message)
        self.luck.set(None)
        self.redraw()

    def reset(self) -> None:
        self.replace_model(DashboardModel(self.settings.value))

    def load_file(self, name: str, data: bytes | str) -> None:
        """Load a saved workshop file: the run replaces the current one, or ``file_error`` says why not."""
        try:
            m = load_workshop(data)
        except WorkshopFileError as exc:
            self.file_error.set(str(exc))
            return
        self.file_error.set("")
        self.settings.set(m.settings)
        self.replace_model(m, f"Loaded {name}: week {m.week}, {len(m.manual)} interventions replayed.")

    def stops(self) -> tuple[int, ...]:
        s = self.model.value.settings
        return DEMOS[s.demo].pause_weeks if (s.demo and self.checkpoints.value) else ()


@solara.component
def PlayLoop(ui: Ui):
    """Runs :func:`play` in a thread while ``ui.playing`` is on (renders nothing)."""
    playing = ui.playing.value
    model = ui.model.value

    def loop(cancel: threading.Event):
        if not playing:
            return
        t, w = time.perf_counter(), model.week
        frames = [0]

        def frame():
            frames[0] += 1
            ui.redraw(cancel)

        try:
            reason = play(model, lambda: SPEEDS.get(ui.speed.value, 4.0), stop_at=ui.stops(), cancel=cancel,
                          on_frame=frame, on_week=lambda: ui.update(cancel))
        except Exception as exc:  # shown on the page, play stops
            reason = "error"
            ui.message.set(f"play stopped: {exc}")
        ui.last_play.update(weeks=model.week - w, seconds=time.perf_counter() - t, frames=frames[0], reason=reason)
        if cancel.is_set() or ui.model.value is not model:
            return
        ui.playing.set(False)  # first: when the message shows, the button already reads "Play"
        if reason == "checkpoint":
            d = DEMOS.get(model.settings.demo)
            ask = f" Ask the room: {d.question}" if d and d.question else ""
            ui.message.set(f"Paused at week {model.week}, the guide's checkpoint.{ask}")
        elif reason == "end":
            ui.message.set(f"The run is over (week {model.week}). Reset to start again.")

    solara.use_thread(loop, dependencies=[playing, id(model)], intrusive_cancel=False)


@solara.component
def PlayBar(ui: Ui):
    """The week in large type, play / pause, step, a quarter, reset, speed, presenter and dark mode."""
    seq = max(ui.frame.value, ui.tick.value)  # redraw with every frame and every week
    solara.use_effect(lambda: ui.shown(seq), [seq])
    m = ui.model.value
    playing = ui.playing.value
    over = m.week >= m.engine.weeks

    def toggle():
        if ui.playing.value:
            ui.playing.set(False)
            ui.message.set("")
        elif not over:
            ui.message.set("")
            ui.playing.set(True)

    def step(n):
        def go():
            with m.lock:
                for _ in range(n):
                    m.step()
            ui.redraw()
        return go

    with solara.Row(gap="10px", style={"align-items": "center", "flex-wrap": "wrap"}, classes=["play-bar"]):
        with solara.Div(classes=["week-box"]):
            solara.Text(f"Week {m.week}", classes=["week-counter"])
            solara.Text(f" of {m.engine.weeks}", classes=["week-of"])
        solara.Button("❚❚ Pause" if playing else "▶ Play", on_click=toggle, disabled=over and not playing,
                      color="primary", classes=["btn-play"])
        solara.Button("Step", on_click=step(1), disabled=playing or over, outlined=True, classes=["btn-step"])
        solara.Button("+13 weeks", on_click=step(13), disabled=playing or over, outlined=True,
                      classes=["btn-quarter"])
        solara.Button("Reset", on_click=ui.reset, outlined=True, color="error", classes=["btn-reset"])
        with solara.Div(style={"width": "150px"}):
            solara.Select("Speed", values=list(SPEEDS), value=ui.speed, classes=["select-speed"], dense=True)
        if m.settings.demo and DEMOS[m.settings.demo].checkpoints:
            weeks = ", ".join(str(w) for w in DEMOS[m.settings.demo].pause_weeks)
            solara.Checkbox(label=f"Pause at week {weeks}", value=ui.checkpoints)
        solara.Switch(label="Presenter", value=ui.presenter, classes=["sw-presenter"])
        solara.Switch(label="Dark", value=ui.dark, classes=["sw-dark"])


@solara.component
def KpiTable(ui: Ui):
    """Headline numbers: one column per side and, side by side, B - A."""
    ui.frame.value  # noqa: B018
    ui.tick.value  # noqa: B018 - and with every week
    model = ui.model.value
    with model.lock:
        ks = [m.kpis() for m in model.sides]
    cols = len(ks) + (1 if len(ks) == 2 else 0)
    with solara.Div(classes=["kpi-table"], style={"display": "grid", "grid-template-columns": f"auto repeat({cols}, 1fr)",
                                                  "column-gap": "14px", "row-gap": "2px", "align-items": "baseline"}):
        solara.Text("")
        for m, key in zip(model.sides, ("a", "b")):
            solara.Text(key.upper(), classes=[f"kpi-head-{key}"],
                        style={"color": (DARK_COLORS if ui.dark.value else COLORS)[key], "font-weight": "bold"})
        if len(ks) == 2:
            solara.Text("B − A", classes=["kpi-head-diff"], style={"font-weight": "bold"})
        for fld, label, kind in KPI_FIELDS:
            if all(np.isnan(k.get(fld, np.nan)) for k in ks) and (fld in ("adoption", "leader_stress",
                                                                          "leaders_interim") or ui.presenter.value):
                continue  # no tool (no leaders as agents) in this run: no adoption (leader) row
            solara.Text(label, classes=["kpi-label"], style={"opacity": "0.8", "font-size": "0.85em"})
            for k, key in zip(ks, ("a", "b")):
                solara.Text(_fmt(k.get(fld, float("nan")), kind), classes=[f"kpi-{fld}-{key}"],
                            style={"text-align": "right", "font-weight": "500"})
            if len(ks) == 2:
                a, b = ks[0].get(fld, float("nan")), ks[1].get(fld, float("nan"))
                solara.Text(_fmt_diff(a, b, kind), classes=[f"kpi-{fld}-diff"],
                            style={"text-align": "right", "font-weight": "bold"})


@solara.component
def Interventions(ui: Ui):
    """Buttons that apply an intervention now (to both sides) and mark it on every chart."""
    ui.frame.value  # noqa: B018
    model = ui.model.value
    over = model.week >= model.engine.weeks

    def make(kind):
        def click():
            try:
                value = QUOTA_RAISE if kind == "quota_change" else 0.0
                model.intervene(kind, value)
                ui.message.set(f"{INTERVENTION_LABELS[kind]} at week {model.week}: takes effect from the next week")
            except ValueError as exc:
                ui.message.set(str(exc))
            ui.redraw()
        return click

    with solara.Row(gap="6px", style={"flex-wrap": "wrap", "align-items": "center"}, classes=["interventions"]):
        solara.Text("Intervene now:", style={"font-weight": "bold"})
        for kind in BUTTON_KINDS:
            disabled = over or (kind == "rollout" and not model.initiative_names)
            with solara.Tooltip(INTERVENTION_TIPS[kind]):
                solara.Button(INTERVENTION_LABELS[kind], on_click=make(kind), disabled=disabled, outlined=True,
                              color="error" if kind in ("crisis", "toxic_hire") else "primary",
                              classes=[f"btn-{kind}"])
        if model.leader_agents is not None:
            ManagerLeaves(ui)


@solara.component
def ManagerLeaves(ui: Ui):
    """'Manager leaves' on one side (leaders as agents): that side's manager of the chosen team leaves."""
    ui.frame.value  # noqa: B018
    model = ui.model.value
    over = model.week >= model.engine.weeks
    T = model.engine.structure.n_teams
    team = solara.use_reactive("team 1")
    names = [f"team {t + 1}" for t in range(T)] + ["every team"]

    def leave(key):
        def click():
            value = -1 if (T > 1 and team.value == "every team") else (names.index(team.value) if T > 1 else 0)
            try:
                model.intervene("leader_leaves", value, side=key)
                who = (f"All of {key.upper()}'s managers leave" if value < 0 else
                       f"{_manager(key.upper(), value, T)} leaves")
                ui.message.set(f"{who} at week {model.week}: from the next week an interim covers")
            except ValueError as exc:
                ui.message.set(str(exc))
            ui.redraw()
        return click

    with solara.Row(gap="6px", style={"flex-wrap": "nowrap", "align-items": "center"}, classes=["manager-leaves"]):
        if T > 1:
            with solara.Div(style={"width": "110px"}):
                solara.Select("Team", values=names, value=team, dense=True, classes=["select-leave-team"])
        for m, key in zip(model.sides, ("a", "b")):
            with solara.Tooltip(INTERVENTION_TIPS["leader_leaves"]):
                solara.Button(f"{key.upper()}'s manager leaves", on_click=leave(key), disabled=over, outlined=True,
                              color="error", classes=[f"btn-leader_leaves-{key}"])


@solara.component
def Message(ui: Ui):
    if ui.message.value:
        solara.Text(ui.message.value, classes=["intervention-msg"])


@solara.component
def ExportButtons(ui: Ui):
    """Save the current charts as PNG into the export folder, or download them."""
    ui.frame.value  # noqa: B018
    model = ui.model.value
    saved = solara.use_reactive("")

    def save():
        try:
            paths = export_png(model, dark=ui.dark.value)
            saved.set("saved " + ", ".join(str(p) for p in paths))
        except OSError as exc:
            saved.set(f"could not save PNG: {exc}")

    with solara.Row(gap="6px", style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button("Save PNG", icon_name="mdi-content-save", on_click=save, outlined=True,
                      classes=["btn-save-png"])
        solara.FileDownload(lambda: _png(charts_figure(model, dark=ui.dark.value)),
                            filename=f"simteam_week{model.week:03d}_charts.png", label="Download charts PNG")
        stem = f"simteam_{model.settings.demo or model.settings.a.style}_seed{model.seed_value}_week{model.week:03d}"
        for what in ("charts", "network"):
            with solara.Div(classes=[f"dl-hires-{what}"]):
                solara.FileDownload(lambda what=what: hires_image(model, what, dark=ui.dark.value),
                                    filename=f"{stem}_{what}_{HIRES_DPI}dpi.png",
                                    label=f"High-res {what} ({HIRES_DPI} dpi PNG)")
        with solara.Div(classes=["dl-svg-charts"]):
            solara.FileDownload(lambda: hires_image(model, "charts", fmt="svg", dark=ui.dark.value),
                                filename=f"{stem}_charts.svg", label="Charts as SVG")
        if saved.value:
            solara.Text(saved.value, style={"font-size": "0.8em"}, classes=["saved-msg"])


def _look_args(ui: Ui) -> dict:
    return dict(dark=ui.dark.value, scale=1.45 if ui.presenter.value else 1.0, dpi=100 if ui.presenter.value else 80)


@solara.component
def NetworkView(ui: Ui):
    """The team network(s): redrawn when paused; while playing at most every NETWORK_EVERY weeks and
    NETWORK_SECONDS seconds (and always at the last week)."""
    frame = ui.frame.value
    model = ui.model.value
    look = _look_args(ui)
    fig = solara.use_memo(lambda: Figure(dpi=80), [])
    drawn_week = solara.use_ref(-1)
    drawn_key = solara.use_ref(None)
    drawn_at = solara.use_ref(-math.inf)
    key = (id(model), tuple(sorted(look.items())), len(model.interventions))
    week = model.week
    due = (not ui.playing.value or drawn_key.current != key or week >= model.engine.weeks
           or (abs(week - drawn_week.current) >= NETWORK_EVERY and time.monotonic() - drawn_at.current >= NETWORK_SECONDS))

    def draw():
        if due:
            with model.lock:
                network_figure(model.sides, fig=fig, horizontal=model.twin is not None, **look)
            drawn_week.current, drawn_key.current, drawn_at.current = week, key, time.monotonic()
        return drawn_week.current, drawn_key.current

    drawn = solara.use_memo(draw, [frame, key, ui.playing.value])
    with solara.Div(classes=["network-view"]):
        solara.FigureMatplotlib(fig, format="png", dependencies=[drawn], dpi=look["dpi"],
                                pil_kwargs={"compress_level": 1})


@solara.component
def Charts(ui: Ui):
    """The live charts, redrawn every frame."""
    frame = ui.frame.value
    model = ui.model.value
    look = _look_args(ui)
    fig = solara.use_memo(lambda: Figure(dpi=80), [])
    fast = solara.use_memo(lambda: FastPng(fig), [])
    key = (id(model), tuple(sorted(look.items())), len(model.interventions), model.week)

    def draw():
        with model.lock:
            charts_figure(model, fig=fig, **look)
            return fast.png()

    png = solara.use_memo(draw, [frame, key])
    with solara.Div(classes=["charts-view"]):
        rw.Image(value=png, format="png")


@solara.component
def EventLog(ui: Ui, lines: int = 8):
    """What just happened, in plain words (newest first)."""
    ui.frame.value  # noqa: B018
    ui.tick.value  # noqa: B018 - and with every week
    items = narrate(ui.model.value)
    with solara.Div(classes=["event-log"]):
        solara.Text("What happened", classes=["panel-title"])
        if not items:
            solara.Text("Nothing yet: press ▶ Play.", classes=["event-line"])
        for _, txt in reversed(items[-lines:]):
            solara.Text(txt, classes=["event-line"])


@solara.component
def LuckPanel(ui: Ui):
    """'Was it luck?': the same comparison on 200 worlds, in the background."""
    model = ui.model.value
    request = ui.luck_request.value

    def compute():
        if not request:
            return
        ivs = [*model.settings.script, *model.manual]  # the demo's script and the clicks so far
        try:
            res = luck_check(model.settings, ivs)
        except Exception as exc:  # shown, never raised into the page
            ui.luck.set(f"could not run the check: {exc}")
            return
        if ui.model.value is model:
            ui.luck.set(res)

    job = solara.use_thread(compute, dependencies=[request, id(model)], intrusive_cancel=False)
    busy = bool(request) and job.state in (solara.ResultState.STARTING, solara.ResultState.RUNNING,
                                           solara.ResultState.WAITING)
    with solara.Div(classes=["luck-panel"]):
        solara.Text("Was it luck?", classes=["panel-title"])
        if model.twin is None:
            solara.Text("Turn on side by side to compare two leaders on the same worlds.", classes=["luck-hint"])
            return
        solara.Button("Run this comparison on 200 worlds", on_click=lambda: ui.luck_request.set(request + 1),
                      disabled=busy, outlined=True, classes=["btn-luck"])
        if busy:
            solara.Text("Running A and B on 200 worlds (the same seeds for both, with the script and your interventions)…",
                        classes=["luck-busy"])
        res = ui.luck.value
        if isinstance(res, LuckResult):
            solara.Text(res.text(), classes=["luck-result"])
            solara.Text(f"Seeds {res.first_seed}-{res.first_seed + res.n - 1}, paired: each world is run under both "
                        f"leaders; {res.seconds:.1f} s on the batched engine.", classes=["luck-note"])
        elif isinstance(res, str):
            solara.Text(res, classes=["luck-result"])


@solara.component
def FacilitatorPanel(ui: Ui):
    """For a canned demo: watch for, ask the room, the point, the evidence."""
    s = ui.model.value.settings
    if not s.demo:
        return
    d = DEMOS[s.demo]
    with solara.Details(f"Facilitator notes: {d.title}", expand=not ui.presenter.value):
        with solara.Div(classes=["facilitator"]):
            for title, text in (("Watch for", d.watch_for), ("Ask the room", f"{d.question} Then: {d.follow_up}"),
                                ("The point", d.point), ("The evidence", d.evidence)):
                solara.Text(title, classes=["panel-title"])
                solara.Text(text, classes=[f"fac-{title.split()[-1].lower()}"])
            if d.checkpoints:
                stops = "; at week ".join(f"{c.week} ({c.why})" for c in d.checkpoints)
                solara.Text(f"Play pauses by itself at week {stops}.", classes=["facilitator-text"])


@solara.component
def Dashboard(ui: Ui):
    """Main area: play bar, what is running, KPIs, network, charts, interventions, log, luck, notes."""
    m = ui.model.value
    s = m.settings
    presenter = ui.presenter.value
    classes = ["simteam-dashboard", "presenter" if presenter else "normal", "dark" if ui.dark.value else "light"]
    with solara.Column(gap="6px", style={"padding": "6px 10px"}, classes=classes):
        PlayBar(ui)
        title = DEMOS[s.demo].title if s.demo else "Custom scenario"
        line = f"seed {m.seed_value} · market: {s.market} · A: {s.a.describe()}"
        if s.compare:
            line += f" · B: {s.b.describe()} (same seed: only the settings of A and B differ)"
        if s.script:
            line += " · script: " + ", ".join(f"{INTERVENTION_LABELS[i.kind]} at week {i.week}" for i in s.script)
        with solara.Div(classes=["run-line"]):
            solara.Text(title + ("" if presenter else " · "), style={"font-weight": "bold"}, classes=["run-title"])
            solara.Text(line, classes=["run-info"])
        if ui.settings.value != s and not presenter:
            solara.Warning("Settings changed: press Reset to start a new run with them.", dense=True)
        Message(ui)
        Interventions(ui)
        with solara.Row(gap="12px", classes=["main-row"], style={"align-items": "flex-start", "flex-wrap": "nowrap"}):
            with solara.Column(gap="6px", classes=["left-col"]):
                KpiTable(ui)
                NetworkView(ui)
            with solara.Column(gap="6px", classes=["right-col"]):
                Charts(ui)
        with solara.Row(gap="24px", style={"align-items": "flex-start", "flex-wrap": "wrap"}, classes=["lower-row"]):
            EventLog(ui)
            LuckPanel(ui)
        FacilitatorPanel(ui)
        if not presenter:
            ExportButtons(ui)


def _slider_row(side_key: str, side: Side, on_side):
    for b in BEHAVIOURS:
        def change(v, b=b):
            on_side(dataclasses.replace(side, behaviours={**side.behaviours, b: float(v)}))
        name, tip = BEHAVIOUR_TEXT[b]
        with solara.Tooltip(tip):
            solara.SliderFloat(f"{side_key.upper()} {name}: {side.behaviours[b]:.2f}", value=float(side.behaviours[b]),
                               min=0.0, max=1.0, step=0.05, on_value=change, thumb_label=True)


@solara.component
def SideControls(side_key: str, side: Side, on_side, n_teams: int = 1, leaders: bool = False):
    """Style preset, crisis strategy, one slider per behaviour and (leaders as agents, several teams)
    the style of each team's leader, for one side."""
    def set_style(name):
        new = Side.from_style(name, label=_label_for(side_key, name), crisis=side.crisis, **side.overrides)
        on_side(dataclasses.replace(new, team_styles=side.team_styles))

    by_text = {v: k for k, v in STRATEGY_TEXT.items()}
    solara.Select(f"{side_key.upper()}: leadership style", values=list(STYLES), value=side.style, on_value=set_style,
                  classes=[f"select-style-{side_key}"])
    solara.Select(f"{side_key.upper()}: response to a crisis", values=list(by_text),
                  value=STRATEGY_TEXT[side.crisis],
                  on_value=lambda v: on_side(dataclasses.replace(side, crisis=by_text[v])),
                  classes=[f"select-crisis-{side_key}"])
    with solara.Details(f"{side_key.upper()}: behaviours (0 = never, 1 = always)"):
        _slider_row(side_key, side, on_side)
    if leaders and n_teams > 1:
        TeamLeaderStyles(side_key, side, on_side, n_teams)


@solara.component
def TeamLeaderStyles(side_key: str, side: Side, on_side, n_teams: int):
    """The style of each team's leader (leaders as agents): one picker per team, or the mixed region."""
    current = side.leader_styles(n_teams)

    def set_team(t):
        def go(name):
            styles = list(current)
            styles[t] = name
            on_side(dataclasses.replace(side, team_styles=tuple(styles)))
        return go

    with solara.Details(f"{side_key.upper()}: leader of each team"
                        + (" (mixed)" if len(set(current)) > 1 else f" (all {STYLE_NAMES[current[0]]})")):
        with solara.Row(gap="4px", style={"flex-wrap": "wrap"}):
            solara.Button("Mixed region", outlined=True, small=True,
                          on_click=lambda: on_side(dataclasses.replace(side, team_styles=MIXED_REGION)),
                          classes=[f"btn-mixed-{side_key}"])
            solara.Button(f"All {STYLE_NAMES[side.style]}", outlined=True, small=True,
                          on_click=lambda: on_side(dataclasses.replace(side, team_styles=())),
                          classes=[f"btn-same-{side_key}"])
        for t in range(n_teams):
            solara.Select(f"{side_key.upper()}: team {t + 1} leader", values=list(STYLES), value=current[t],
                          on_value=set_team(t), dense=True, classes=[f"select-team-style-{side_key}-{t}"])


def _no_team_styles(side: Side, leaders: bool) -> Side:
    return side if leaders else dataclasses.replace(side, team_styles=())


def _label_for(side_key: str, style: str) -> str:
    return f"{side_key.upper()}: {style}"


@solara.component
def ScenarioCard(ui: Ui):
    """Sidebar card: demo, seed, market, weeks, side A and (side by side) side B. Reset applies."""
    settings = ui.settings
    s = settings.value
    seed_text = solara.use_reactive(s.seed)
    seed_error = solara.use_reactive("")
    problem = solara.use_reactive("")

    def apply(new: Settings) -> None:
        msg = settings_problem(new)
        problem.set(msg or "")
        if not msg:
            settings.set(new)

    by_title = {d.title: k for k, d in DEMOS.items()}

    def load_demo(title):
        if title not in by_title:
            apply(dataclasses.replace(settings.value, demo="", script=()))
            return
        new = settings_for_demo(by_title[title])
        seed_text.set(new.seed)
        seed_error.set("")
        apply(new)

    def set_seed(text):
        seed_text.set(text)
        try:
            value = coerce_seed(text)
        except ValueError as exc:
            seed_error.set(str(exc))
            return
        seed_error.set("")
        apply(dataclasses.replace(settings.value, seed=str(value)))

    def set_a(side):
        apply(dataclasses.replace(settings.value, a=side, demo=""))

    def set_b(side):
        apply(dataclasses.replace(settings.value, b=side, demo=""))

    with solara.Card("Scenario (press Reset to apply)"):
        solara.Select("Workshop demo", values=["(none)", *by_title], value=DEMOS[s.demo].title if s.demo else "(none)",
                      on_value=load_demo, classes=["select-demo"])
        if problem.value:
            solara.Error(problem.value, dense=True, classes=["settings-problem"])
        solara.InputText("Seed (whole number)", value=seed_text.value, on_value=set_seed, continuous_update=True,
                         error=seed_error.value or False, classes=["input-seed"])
        solara.Select("Market", values=list(MARKETS), value=s.market,
                      on_value=lambda v: apply(dataclasses.replace(settings.value, market=v)),
                      classes=["select-market"])
        with solara.Tooltip("How long the run lasts (52 weeks = one year)"):
            solara.SliderInt(f"Weeks to simulate: {s.weeks}", value=s.weeks, min=13, max=208, step=13,
                             on_value=lambda v: apply(dataclasses.replace(settings.value, weeks=int(v))),
                             thumb_label=True)
        by_org = {label: k for k, (label, _) in ORGS.items()}
        solara.Select("Organisation", values=list(by_org), value=ORGS[s.org][0],
                      on_value=lambda v: apply(dataclasses.replace(settings.value, org=by_org[v], demo="")),
                      classes=["select-org"])
        with solara.Tooltip("Each team's manager has a weekly time budget, stress and can leave; an interim covers "
                            "until a successor (a promoted rep or an outside hire) arrives."):
            solara.Checkbox(label="Leaders as agents (can leave)", value=s.leaders,
                            on_value=lambda v: apply(dataclasses.replace(settings.value, leaders=bool(v), demo="",
                                                                         a=_no_team_styles(settings.value.a, v),
                                                                         b=_no_team_styles(settings.value.b, v))))
        SideControls("a", s.a, set_a, s.n_teams, s.leaders)
        solara.Checkbox(label="Side by side: B on the same seed",
                        value=s.compare, on_value=lambda v: apply(dataclasses.replace(settings.value,
                                                                                             compare=bool(v))))
        if s.compare:
            SideControls("b", s.b, set_b, s.n_teams, s.leaders)


@solara.component
def WorkshopFile(ui: Ui):
    """Save the workshop state (settings, seed, week, interventions) to a JSON file, or load one."""
    ui.frame.value  # noqa: B018
    model = ui.model.value

    with solara.Card("Workshop file"):
        solara.FileDownload(lambda: workshop_json(model).encode(), filename=f"simteam_workshop_week{model.week:03d}.json",
                            label="Save workshop (JSON)")
        solara.FileDrop(label="Drop a saved workshop file here to load it",
                        on_file=lambda info: ui.load_file(info.get("name", "the workshop file"), info["data"]),
                        lazy=False)
        if ui.file_error.value:
            solara.Error(ui.file_error.value, dense=True, classes=["file-error"])


CSS = """
.week-counter { font-size: 2.4em; font-weight: 700; line-height: 1.1; }
.week-of { font-size: 1.2em; opacity: 0.75; }
.kpi-table span { font-size: 1.0em; white-space: nowrap; }
.panel-title { font-weight: 700; display: block; margin-top: 4px; }
.event-line, .facilitator-text, .fac-for, .fac-room, .fac-point, .fac-evidence, .luck-note, .luck-hint, .luck-busy { display: block; font-size: 0.9em; }
.luck-result { display: block; font-size: 1.15em; font-weight: 600; }
.intervention-msg { display: block; font-size: 0.95em; font-weight: 500; }
.event-log { min-width: 340px; max-width: 560px; }
.luck-panel { min-width: 340px; max-width: 620px; }
.left-col { flex: 0 0 auto; width: max(36%, 450px); }
.right-col { flex: 1 1 auto; min-width: 0; }
.charts-view img, .network-view img { max-width: 100%; height: auto; }
.presenter .week-counter { font-size: max(3.2em, 7vh); }
.presenter .kpi-table span { font-size: max(1.2em, 2.3vh); }
.presenter .run-info { display: none; }
.presenter .charts-view img { width: 100%; height: auto; max-height: calc(100vh - 190px); object-fit: contain; }
.presenter .network-view img { max-height: max(160px, calc(100vh - 500px)); width: auto; max-width: 100%; }
.presenter .event-line, .presenter .luck-result { font-size: max(1.1em, 2vh); }
"""


@solara.component
def Page():
    """The dashboard page (one per browser session)."""
    ui = solara.use_memo(Ui, [])
    dark = ui.dark.value

    def set_theme():
        solara.lab.theme.dark = dark

    solara.use_effect(set_theme, [dark])
    solara.Title("simteam workshop")
    solara.Style(CSS)
    PlayLoop(ui)
    if not ui.presenter.value:
        with solara.Sidebar():
            ScenarioCard(ui)
            WorkshopFile(ui)
    Dashboard(ui)
