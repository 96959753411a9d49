"""A game for the room: tables of participants each lead their own sales team, quarter by quarter.

As NetLogo's HubNet does for classrooms, one server holds the game (:class:`Game`) and every table
plays from its own browser (:mod:`simteam.workshop.room_ui`). The facilitator starts a game; each
table joins with a team name; every simulated quarter (13 weeks) the run pauses and each table

* spends its leader's weekly **time budget** on the five time activities of :mod:`simteam.leaders`
  (coaching, feedback and recognition per rep; communication and data work per team). The budget is
  the leader's flexible hours: ``hours_week x (1 - admin_share - selling_share)`` (31 h of a 50-hour
  week with the defaults of :class:`simteam.leaders.LeadersConfig`); a plan over the budget is
  rejected. Hours become behaviour levels as in :mod:`simteam.leaders`: ``b = 1 - exp(-hours / (h_k
  reps))`` (per-rep activities; per team without ``reps``), capped at ``max_intensity``, recomputed
  every week from the current headcount; while a crisis lasts it takes ``crisis_hours`` and a
  rollout ``rollout_hours`` for ``rollout_weeks``, and when the plan no longer fits every activity
  gets the same share of its hours (the rule of :mod:`simteam.leaders`);
* sets two stances that cost no hours: pressure on targets (``accountability``) and coaching on
  strengths or weaknesses (``coaching_focus``);
* may take one-off actions: hire now (open seats are filled at once; interviews take
  :data:`ACTION_HOURS` for the quarter), an awards night (``recognition_event``), roll out the CRM
  tool (once; it takes ``rollout_hours`` for ``rollout_weeks``), and, once the facilitator has
  announced a crisis, a response (a crisis strategy of :mod:`simteam.leadership`; the leader then acts
  as soon as the data shows the crisis: ``decision_speed`` 1).

The facilitator may inject a crisis (every team's demand falls) or a quota raise between quarters,
runs the next quarter when every table is ready (or forces it) and closes with a debrief.

**Common random numbers.** Every table runs its own one-row :class:`simteam.engine.Engine` built from
the same config and the same seed. Each random decision of the engine has its own named stream keyed
by seed and week (:mod:`simteam.streams`), so all teams face the same market, the same candidates and
the same luck, and differ only through their decisions: two tables with identical decisions get
identical numbers. (One row per table rather than one batched engine: a rollout acts on the structure
every row of a batch shares, a crisis strategy is one per engine, and the engine keeps its event log,
the debrief's key moments, only for one-row runs. A quarter for four tables takes well under a
second.)

The game state is saved as JSON (:meth:`Game.to_json`): settings, tables, every quarter's decisions
and the injections. :meth:`Game.from_json` rebuilds it by replaying from week 0 (the engine is
deterministic), so a loaded game continues exactly where it was saved.

Example:
    >>> from simteam.workshop.room import Game, RoomSettings, Plan
    >>> g = Game(RoomSettings(seed=3, quarters=2))
    >>> code = g.join("Lions"); code2 = g.join("Tigers")
    >>> g.start()
    >>> g.submit("Lions", Plan(hours={"coaching": 12.0, "data_orientation": 7.0}), ready=True)  # 31 h: the budget
    >>> g.submit("Tigers", Plan(), ready=True)
    >>> g.run_quarter()
    >>> g.week, g.quarter
    (13, 2)
"""

from __future__ import annotations

import dataclasses
import json
import math
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..leaders import TIME_ACTIVITIES, LeadersConfig
from ..leadership import STRATEGIES

__all__ = ["ACTIONS", "ACTION_HOURS", "ACTION_TEXT", "ACTIVITIES", "ACTIVITY_TEXT", "FILE_FORMAT", "INJECTIONS",
           "RESPONSES", "RESPONSE_TEXT", "WEEKS_PER_QUARTER", "Game", "GameError", "Plan", "RoomSettings", "Table",
           "budget_hours", "default_hours", "hours_to_levels"]

FILE_FORMAT = "simteam-room/1"
WEEKS_PER_QUARTER = 13

#: The time activities of :mod:`simteam.leaders`: behaviour -> per rep?
ACTIVITIES: dict[str, bool] = dict(TIME_ACTIVITIES)
ACTIVITY_TEXT = {
    "coaching": ("Coaching", "one-to-one coaching; hours are shared by all reps"),
    "feedback": ("Feedback", "constructive feedback on deals and calls; shared by all reps"),
    "recognition": ("Recognition", "noticing and celebrating wins; shared by all reps"),
    "communication": ("Communication", "explaining goals and values to the whole team"),
    "data_orientation": ("Data work", "pipeline data: better lead allocation, crises seen sooner"),
}
_HOURS_FIELD = {"coaching": "coaching_hours", "feedback": "feedback_hours", "recognition": "recognition_hours",
                "communication": "communication_hours", "data_orientation": "data_hours"}
#: One-off actions a table may take in a decision round.
ACTIONS = ("hire", "recognise", "rollout")
ACTION_TEXT = {
    "hire": "Hire now: fill every open seat at once",
    "recognise": "Awards night: a one-off lift in morale",
    "rollout": "Roll out the CRM tool (once): a dip, then a lasting gain",
}
#: Leader hours per week, during the quarter, that an action takes (assumptions; the rollout's hours
#: are ``leaders.rollout_hours`` for ``leaders.rollout_weeks``).
ACTION_HOURS = {"hire": 3.0, "recognise": 1.0}
#: Crisis responses a table may choose (the strategies of :mod:`simteam.leadership`).
RESPONSES = tuple(k for k in STRATEGIES if k != "none")
RESPONSE_TEXT = {"hold_steady": "Hold steady: reassure, keep course", "cut_and_push":
                 "Cut and push: lay off 15%, quota +15%, hiring freeze", "pivot": "Pivot to resilient segments",
                 "wait_and_see": "Wait and see: freeze hiring"}
#: What the facilitator may inject between quarters: kind -> (event kind, value, label).
INJECTIONS = {"crisis": ("crisis", 0.3, "Crisis: demand falls by 30%"),
              "quota": ("quota_change", 1.10, "Quota raised by 10%")}
#: The CRM tool every game can roll out (the rollout demo's initiative, started only by the action).
TOOL = {"name": "crm", "kind": "tool", "start_week": -1, "dip": 0.35, "gain": 0.15}
NAME_MAX = 24


class GameError(ValueError):
    """A request the game cannot take; the message is one line naming the field and what is allowed."""


def _leaders() -> LeadersConfig:
    return LeadersConfig()


def budget_hours(lc: LeadersConfig | None = None) -> float:
    """The leader's flexible hours per week: the week minus administration and own selling."""
    lc = lc or _leaders()
    return lc.hours_week * (1.0 - lc.admin_share - lc.selling_share)


def hours_to_levels(hours: dict, reps: float, lc: LeadersConfig | None = None, share: float = 1.0) -> dict:
    """Behaviour levels bought by ``hours`` per week (x ``share``) with ``reps`` reps (:mod:`simteam.leaders`)."""
    lc = lc or _leaders()
    out = {}
    for b, per_rep in ACTIVITIES.items():
        h0 = getattr(lc, _HOURS_FIELD[b]) * (max(reps, 1.0) if per_rep else 1.0)
        out[b] = min(-math.expm1(-share * float(hours.get(b, 0.0)) / h0), lc.max_intensity)
    return out


def default_hours(reps: int = 12, lc: LeadersConfig | None = None) -> dict:
    """The hours that buy the ``balanced`` style's levels with ``reps`` reps, to the half hour."""
    from ..leadership import STYLES

    lc = lc or _leaders()
    out = {}
    for b, per_rep in ACTIVITIES.items():
        h0 = getattr(lc, _HOURS_FIELD[b]) * (reps if per_rep else 1.0)
        out[b] = round(2 * -h0 * math.log1p(-STYLES["balanced"][b])) / 2
    return out


@dataclass(frozen=True)
class Plan:
    """A table's decisions for one quarter.

    Attributes:
        hours: Leader hours per week on each activity of :data:`ACTIVITIES` (missing: the default).
        accountability: Pressure on targets, 0-1 (effort up, stress up).
        coaching_focus: 0 = fix weaknesses, 1 = build on strengths.
        actions: One-off actions this quarter (:data:`ACTIONS`).
        response: Crisis response chosen this quarter (:data:`RESPONSES`), or "" (none chosen now).
    """

    hours: dict = field(default_factory=dict)
    accountability: float = 0.5
    coaching_focus: float = 0.5
    actions: tuple = ()
    response: str = ""

    def full_hours(self) -> dict:
        base = default_hours()
        return {b: float(self.hours.get(b, base[b])) for b in ACTIVITIES}

    def planned(self) -> float:
        return float(sum(self.full_hours().values()))

    def to_dict(self) -> dict:
        return {"hours": self.full_hours(), "accountability": self.accountability,
                "coaching_focus": self.coaching_focus, "actions": list(self.actions), "response": self.response}

    def describe(self) -> str:
        h = self.full_hours()
        parts = [f"{ACTIVITY_TEXT[b][0].lower()} {h[b]:g} h" for b in ACTIVITIES]
        txt = ", ".join(parts) + f"; pressure {self.accountability:.1f}, strengths focus {self.coaching_focus:.1f}"
        if self.actions:
            txt += "; " + ", ".join({"hire": "hired", "recognise": "awards night", "rollout": "rolled out the tool"}[a]
                                    for a in self.actions)
        if self.response:
            txt += f"; crisis response: {RESPONSE_TEXT[self.response].split(':')[0].lower()}"
        return txt


@dataclass(frozen=True)
class RoomSettings:
    """A game: seed, number of quarters, market."""

    seed: int = 1
    quarters: int = 6
    market: str = "stable"

    def check(self) -> None:
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise GameError(f"seed: expected a whole number >= 0, got {self.seed!r}")
        if isinstance(self.quarters, bool) or not isinstance(self.quarters, int) or not 1 <= self.quarters <= 16:
            raise GameError(f"quarters: expected a whole number from 1 to 16, got {self.quarters!r}")
        from ..market import PRESETS

        if self.market not in ("stable", *PRESETS):
            raise GameError(f"market: {self.market!r} is unknown; allowed: stable, {', '.join(PRESETS)}")


@dataclass
class Table:
    """One table: its team name, rejoin code, engine, the plan per quarter and whether it is ready."""

    name: str
    code: str
    engine: object
    plans: list = field(default_factory=list)  # the plan of each quarter run so far
    draft: Plan = field(default_factory=Plan)  # the plan for the coming quarter
    ready: bool = False
    joined_quarter: int = 1
    levels: list = field(default_factory=list)  # (week, {behaviour: level}, share) actually applied
    rollout_week: int = -1
    response: str = ""
    response_week: int = -1


class Game:
    """The shared game state (one per server; thread-safe: every method holds the lock).

    Phases: ``lobby`` (tables join), ``deciding`` (the quarter's decisions), ``running`` (a quarter is
    simulated), ``over`` (the debrief). ``version`` grows with every change; :meth:`wait` blocks until
    it does (how each browser learns that it should redraw).
    """

    def __init__(self, settings: RoomSettings | None = None, *, week_seconds: float = 0.0):
        self.settings = settings or RoomSettings()
        self.settings.check()
        self.week_seconds = float(week_seconds)
        self.lock = threading.RLock()
        self._cond = threading.Condition(self.lock)
        self.version = 0
        self._reset()

    def _reset(self) -> None:
        self.tables: dict[str, Table] = {}
        self.phase = "lobby"
        self.quarter = 1
        self.week = 0
        self.injections: list[tuple[int, str]] = []  # (week, key of INJECTIONS)
        self.message = ""
        self.error = ""
        self._cfg = None

    # -- notification -------------------------------------------------------------------------------
    def _changed(self) -> None:
        self.version += 1
        self._cond.notify_all()

    def wait(self, seen: int, timeout: float = 1.0) -> int:
        """Block until ``version`` differs from ``seen`` (or ``timeout`` seconds); returns ``version``."""
        with self._cond:
            self._cond.wait_for(lambda: self.version != seen, timeout=timeout)
            return self.version

    # -- the model ----------------------------------------------------------------------------------
    @property
    def weeks(self) -> int:
        return WEEKS_PER_QUARTER * self.settings.quarters

    def config(self):
        """A fresh config of the game's organisation (one per table: the engine keeps it)."""
        from ..sim import configure

        return configure(weeks=self.weeks, market=self.settings.market, change__initiatives=[dict(TOOL)])

    def _engine(self):
        from ..engine import Engine

        return Engine(self.config(), seeds=np.array([self.settings.seed]))

    # -- joining ------------------------------------------------------------------------------------
    @staticmethod
    def clean_name(name) -> str:
        if not isinstance(name, str):
            raise GameError(f"team name: expected text, got {type(name).__name__}")
        name = " ".join(name.split())
        if not name:
            raise GameError("team name: type a name for your table (1 to 24 characters)")
        if len(name) > NAME_MAX:
            raise GameError(f"team name: {len(name)} characters; allowed: 1 to {NAME_MAX}")
        return name

    def _find(self, name: str) -> Table | None:
        key = name.casefold()
        return next((t for n, t in self.tables.items() if n.casefold() == key), None)

    def join(self, name: str, code: str = "") -> str:
        """Add a table called ``name``; returns its rejoin code. With the code of an existing table: rejoin.

        A table joining after quarter 1 has run gets the default plan for the quarters it missed
        (replayed from week 0, so it faces the same market and luck as everyone else).
        """
        name = self.clean_name(name)
        with self.lock:
            old = self._find(name)
            if old is not None:
                if code and secrets.compare_digest(code.strip(), old.code):
                    return old.code
                raise GameError(f"team name: {old.name!r} is taken; choose another name "
                                f"(or rejoin with that table's code)")
            if self.phase == "running":
                raise GameError("join: a quarter is running; join again in a few seconds")
            if self.phase == "over":
                raise GameError("join: the game is over")
            t = Table(name=name, code=f"{secrets.randbelow(10_000):04d}", engine=self._engine(),
                      joined_quarter=self.quarter)
            for q in range(1, self.quarter):  # late: the quarters missed, with the default plan
                self._apply_injections(t, WEEKS_PER_QUARTER * (q - 1))
                t.plans.append(Plan())
                self._run_table(t, Plan(), q)
            if self.quarter > 1:
                self._apply_injections(t, self.week)
            self.tables[name] = t
            self.message = f"{name} joined"
            self._changed()
            return t.code

    def leave(self, name: str) -> None:
        """Remove a table (lobby only)."""
        with self.lock:
            t = self._table(name)
            if self.phase != "lobby":
                raise GameError("leave: tables can leave only before the game starts")
            del self.tables[t.name]
            self._changed()

    def _table(self, name: str) -> Table:
        t = self._find(str(name))
        if t is None:
            raise GameError(f"team: {name!r} has not joined; tables: {', '.join(self.tables) or 'none yet'}")
        return t

    def start(self) -> None:
        """Close the lobby: the first decision round begins."""
        with self.lock:
            if self.phase != "lobby":
                raise GameError(f"start: the game has already started (quarter {self.quarter})")
            if not self.tables:
                raise GameError("start: no table has joined yet")
            self.phase = "deciding"
            self.message = "Quarter 1: set your plan and press Ready"
            self._changed()

    # -- decisions ----------------------------------------------------------------------------------
    def budget(self, name: str) -> float:
        """Hours per week the table can plan this quarter (the rollout's hours are taken first)."""
        with self.lock:
            t = self._table(name)
            lc = t.engine.p.leaders
            free = budget_hours(lc)
            if t.rollout_week >= 0 and self.week - t.rollout_week < lc.rollout_weeks:
                free -= lc.rollout_hours
            return free

    def check_plan(self, name: str, plan: Plan) -> Plan:
        """``plan`` if the table may play it now, else a :class:`GameError` naming the field."""
        if not isinstance(plan, Plan):
            raise GameError(f"plan: expected a Plan, got {type(plan).__name__}")
        with self.lock:
            t = self._table(name)
            lc = t.engine.p.leaders
            free = budget_hours(lc)
            for b, h in plan.hours.items():
                if b not in ACTIVITIES:
                    raise GameError(f"hours.{b}: unknown activity; allowed: {', '.join(ACTIVITIES)}")
                if isinstance(h, bool) or not isinstance(h, (int, float)) or not 0 <= h <= free:
                    raise GameError(f"hours.{b}: expected hours per week from 0 to {free:g}, got {h!r}")
            for k in ("accountability", "coaching_focus"):
                v = getattr(plan, k)
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
                    raise GameError(f"{k}: expected a number from 0 to 1, got {v!r}")
            for a in plan.actions:
                if a not in ACTIONS:
                    raise GameError(f"actions: {a!r} is unknown; allowed: {', '.join(ACTIONS)}")
            if len(set(plan.actions)) != len(plan.actions):
                raise GameError("actions: each action at most once a quarter")
            if "rollout" in plan.actions and t.rollout_week >= 0:
                raise GameError(f"actions.rollout: the tool was rolled out at week {t.rollout_week}; once per game")
            if plan.response:
                if plan.response not in RESPONSES:
                    raise GameError(f"response: {plan.response!r} is unknown; allowed: {', '.join(RESPONSES)}")
                if not any(k == "crisis" for _, k in self.injections):
                    raise GameError("response: there is no crisis to respond to (the facilitator announces one)")
                if t.response and t.response != plan.response:
                    raise GameError(f"response: {t.name} already responds ({t.response}) since week "
                                    f"{t.response_week}; a response cannot be changed")
            avail = self.budget(t.name)
            extra = sum(ACTION_HOURS.get(a, 0.0) for a in plan.actions)
            if "rollout" in plan.actions:
                extra += lc.rollout_hours
            total = plan.planned() + extra
            if total > avail + 1e-9:
                parts = [f"{lc.hours_week:g} h week - {100 * lc.admin_share:.0f}% admin - "
                         f"{100 * lc.selling_share:.0f}% own selling"]
                if avail < free - 1e-9:
                    parts.append(f"{lc.rollout_hours:g} h for the running rollout")
                raise GameError(f"hours: {total:g} h/week planned (activities {plan.planned():g} h"
                                + (f" + actions {extra:g} h" if extra else "")
                                + f"); the budget is {avail:g} h/week ({' - '.join(parts)}); "
                                  f"take {total - avail:g} h off")
            return dataclasses.replace(plan, hours=plan.full_hours(), actions=tuple(plan.actions),
                                       accountability=float(plan.accountability),
                                       coaching_focus=float(plan.coaching_focus))

    def submit(self, name: str, plan: Plan, ready: bool = True) -> None:
        """Set the table's plan for the coming quarter (checked) and whether it is ready."""
        with self.lock:
            t = self._table(name)
            if self.phase == "running":
                raise GameError("plan: the quarter is running; wait for the next decision round")
            if self.phase == "over":
                raise GameError("plan: the game is over")
            t.draft = self.check_plan(t.name, plan)
            t.ready = bool(ready)
            self._changed()

    def set_ready(self, name: str, ready: bool) -> None:
        with self.lock:
            t = self._table(name)
            if self.phase not in ("lobby", "deciding"):
                raise GameError(f"ready: not now (the game is {self.phase})")
            t.ready = bool(ready)
            self._changed()

    @property
    def waiting_for(self) -> list[str]:
        with self.lock:
            return [n for n, t in self.tables.items() if not t.ready]

    # -- the facilitator ----------------------------------------------------------------------------
    def inject(self, key: str) -> None:
        """Inject an event (:data:`INJECTIONS`) into every team now; it takes effect from the next week."""
        with self.lock:
            if key not in INJECTIONS:
                raise GameError(f"inject: {key!r} is unknown; allowed: {', '.join(INJECTIONS)}")
            if self.phase not in ("lobby", "deciding"):
                raise GameError(f"inject: only between quarters (the game is {self.phase})")
            if key == "crisis" and any(k == "crisis" for _, k in self.injections):
                raise GameError("inject: a crisis has already been injected in this game")
            self.injections.append((self.week, key))
            for t in self.tables.values():
                self._fire_injection(t, key)
            self.message = f"Week {self.week}: {INJECTIONS[key][2]}"
            self._changed()

    def _fire_injection(self, t: Table, key: str) -> None:
        from ..events import fire

        kind, value, _ = INJECTIONS[key]
        fire(t.engine, kind, value)

    def _apply_injections(self, t: Table, week: int) -> None:
        for w, key in self.injections:
            if w == week:
                self._fire_injection(t, key)

    def run_quarter(self, force: bool = False) -> None:
        """Simulate the next 13 weeks for every table (all must be ready, unless ``force``).

        A table that is not ready keeps the plan it submitted last (without new actions). The week
        counter and ``version`` move every week; with ``week_seconds`` the run is paced for the room.
        """
        self._simulate(self._begin_run(force))

    def start_quarter(self, force: bool = False) -> threading.Thread:
        """:meth:`run_quarter` in a background thread: checked and begun now (a second click is refused),
        simulated in the thread (an error lands in ``error``)."""
        plans = self._begin_run(force)

        def go():
            try:
                self._simulate(plans)
            except Exception:  # noqa: BLE001 - recorded in error by _simulate
                pass

        th = threading.Thread(target=go, daemon=True, name="simteam-room-quarter")
        th.start()
        return th

    def _begin_run(self, force: bool) -> dict:
        with self.lock:
            if self.phase == "lobby" and self.tables:
                self.phase = "deciding"
            if self.phase != "deciding":
                raise GameError(f"run: not now (the game is {self.phase})")
            if not self.tables:
                raise GameError("run: no table has joined yet")
            waiting = self.waiting_for
            if waiting and not force:
                raise GameError(f"run: waiting for {', '.join(waiting)} (or force the run)")
            plans = {}
            for n, t in self.tables.items():
                p = t.draft if t.ready else dataclasses.replace(t.draft, actions=(), response="")
                plans[n] = p
                t.plans.append(p)
                self._begin_quarter(t, p, self.quarter)
            self.phase = "running"
            self.error = ""
            self.message = (f"Quarter {self.quarter} running" +
                            (f" (forced: {', '.join(waiting)} kept their plan)" if waiting else ""))
            self._changed()
            return plans

    def _simulate(self, plans: dict) -> None:
        try:
            for _ in range(WEEKS_PER_QUARTER):
                t0 = time.monotonic()
                with self.lock:
                    for n, t in self.tables.items():
                        self._step(t, plans[n])
                    self.week += 1
                    self._changed()
                if self.week_seconds > 0:
                    time.sleep(max(0.0, self.week_seconds - (time.monotonic() - t0)))
        except Exception as exc:  # the room sees it; save the game and reload it to go on
            with self.lock:
                self.error = f"run: {exc} (week {self.week}; load the last saved game to go on)"
                self._changed()
            raise
        with self.lock:
            for t in self.tables.values():
                t.ready = False
                t.draft = dataclasses.replace(t.draft, actions=(), response="")
            if self.quarter >= self.settings.quarters:
                self.phase = "over"
                self.message = "The game is over: debrief"
            else:
                self.quarter += 1
                self.phase = "deciding"
                self.message = f"Quarter {self.quarter}: set your plan and press Ready"
            self._changed()

    # -- one table's weeks --------------------------------------------------------------------------
    def _begin_quarter(self, t: Table, plan: Plan, quarter: int) -> None:
        """The plan's one-off actions, at the first week of the quarter."""
        from ..events import fire

        e = t.engine
        for a in plan.actions:
            if a == "hire":
                fire(e, "hire", 0.0)
            elif a == "recognise":
                fire(e, "recognition_event", 0.0)
            elif a == "rollout":
                fire(e, "rollout", 0.0, TOOL["name"])
                t.rollout_week = e.week
        if plan.response and not t.response:
            t.response, t.response_week = plan.response, e.week
            e.cfg.crisis.strategy = plan.response  # the leadership phase reads the strategy from the config
            e.p.crisis.strategy = plan.response
            e.p.leadership.decision_speed = 1.0  # decided: act as soon as the data shows the crisis

    def _step(self, t: Table, plan: Plan) -> None:
        """One week of one table: the plan's hours become behaviour levels (time budget), then the engine steps."""
        e = t.engine
        lc = e.p.leaders
        avail = budget_hours(lc)
        if bool(e.org.crisis.active[0]):
            avail -= lc.crisis_hours
        if t.rollout_week >= 0 and e.week - t.rollout_week < lc.rollout_weeks:
            avail -= lc.rollout_hours
        avail -= sum(ACTION_HOURS.get(a, 0.0) for a in plan.actions)
        need = plan.planned()
        share = 1.0 if need <= avail else max(avail, 0.0) / need
        reps = float(e.s.active[0].sum())
        levels = hours_to_levels(plan.full_hours(), reps, lc, share)
        L = e.p.leadership
        for b, v in levels.items():
            setattr(L, b, float(v))
        L.accountability = float(plan.accountability)
        L.coaching_focus = float(plan.coaching_focus)
        t.levels.append((e.week, levels, share))
        e.step()

    def _run_table(self, t: Table, plan: Plan, quarter: int) -> None:
        self._begin_quarter(t, plan, quarter)
        for _ in range(WEEKS_PER_QUARTER):
            self._step(t, plan)

    # -- results ------------------------------------------------------------------------------------
    def results(self, name: str, week: int | None = None) -> dict:
        """Headline numbers of a table after ``week`` weeks (default: now)."""
        with self.lock:
            t = self._table(name)
            e = t.engine
            w = e.week if week is None else min(int(week), e.week)
            ser = e.series
            if w == 0:
                return {"team": t.name, "week": 0, "revenue": 0.0, "revenue_q": 0.0, "turnover": 0.0, "quits": 0,
                        "leavers": 0, "morale": float(e.s.morale[0][e.s.active[0]].mean()),
                        "trust": float(e.s.trust[0][e.s.active[0]].mean()), "headcount": int(e.s.active[0].sum())}
            head = ser["headcount"][:w, 0]
            leavers = float(np.sum(ser["quits"][:w, 0]) + np.sum(ser["exits_other"][:w, 0]))
            return {
                "team": t.name, "week": w,
                "revenue": float(np.sum(ser["revenue"][:w, 0])),
                "revenue_q": float(np.sum(ser["revenue"][max(0, w - WEEKS_PER_QUARTER):w, 0])),
                "turnover": leavers / max(float(np.mean(head)), 1.0) * 52.0 / w,
                "quits": int(np.sum(ser["quits"][:w, 0])), "leavers": int(leavers),
                "morale": float(ser["morale"][w - 1, 0]), "trust": float(ser["trust"][w - 1, 0]),
                "headcount": int(ser["headcount"][w - 1, 0]),
            }

    def leaderboard(self, week: int | None = None) -> list[dict]:
        """Every table's results with ranks on revenue (high), turnover (low) and morale (high); ``rank``
        orders by the sum of the three (ties: revenue)."""
        with self.lock:
            rows = [self.results(n, week) for n in self.tables]
        for key, high in (("revenue", True), ("turnover", False), ("morale", True)):
            order = sorted(rows, key=lambda r: -r[key] if high else r[key])
            for r in rows:  # equal values share a rank
                r[f"rank_{key}"] = 1 + sum(1 for o in order if (o[key] > r[key] if high else o[key] < r[key]))
        rows.sort(key=lambda r: (r["rank_revenue"] + r["rank_turnover"] + r["rank_morale"], -r["revenue"]))
        for i, r in enumerate(rows):
            r["rank"] = i + 1
        return rows

    def series(self, name: str, key: str) -> np.ndarray:
        with self.lock:
            e = self._table(name).engine
            return np.array(e.series[key][: e.week, 0])

    def key_moments(self, name: str) -> list[tuple[int, str]]:
        """The table's story for the debrief, oldest first: plans, injections, crisis response, layoffs,
        quits and hires per quarter, the tool, the lowest morale."""
        with self.lock:
            t = self._table(name)
            e = t.engine
            out: list[tuple[int, int, str]] = []
            prev = None
            for q, p in enumerate(t.plans, start=1):
                w = WEEKS_PER_QUARTER * (q - 1)
                txt = p.describe()
                late = " (default: joined later)" if q < t.joined_quarter else ""
                if prev is None or p != prev or p.actions:
                    out.append((w, 1, f"Q{q} plan{late}: {txt}"))
                prev = p
            for w, key in self.injections:
                out.append((w, 0, f"everyone: {INJECTIONS[key][2].lower()}"))
            squeezed = [(w, s) for w, _, s in t.levels if s < 0.999]
            if squeezed:
                w0, s0 = squeezed[0]
                out.append((w0, 2, f"the plan no longer fits the week: every activity gets {100 * s0:.0f}% "
                                   f"of its hours"))
            quits: dict[int, int] = {}
            hires: dict[int, int] = {}
            for wk, kind, detail in e.event_log:
                n = len([x for x in detail.split(",") if x])
                if kind == "quit":
                    quits[wk // WEEKS_PER_QUARTER] = quits.get(wk // WEEKS_PER_QUARTER, 0) + n
                elif kind == "hire":
                    hires[wk // WEEKS_PER_QUARTER] = hires.get(wk // WEEKS_PER_QUARTER, 0) + n
                elif kind == "layoff":
                    out.append((wk, 3, f"{n} rep{'s' if n != 1 else ''} laid off"))
                elif kind == "crisis_response":
                    out.append((wk, 2, f"the leader responds to the crisis: {RESPONSE_TEXT.get(detail, detail)}"))
                elif kind == "mandate":
                    out.append((wk, 3, f"the {detail} tool made mandatory"))
            for q in sorted(set(quits) | set(hires)):
                a, b = WEEKS_PER_QUARTER * q, min(WEEKS_PER_QUARTER * (q + 1), e.week) - 1
                bits = []
                if quits.get(q):
                    bits.append(f"{quits[q]} rep{'s' if quits[q] > 1 else ''} quit")
                if hires.get(q):
                    bits.append(f"{hires[q]} hired")
                out.append((b, 4, f"weeks {a}-{b}: " + ", ".join(bits)))
            if e.week:
                m = e.series["morale"][: e.week, 0]
                lo = int(np.argmin(m))
                out.append((lo, 5, f"lowest morale: {m[lo]:.2f}"))
            out.sort(key=lambda x: (x[0], x[1]))
            return [(w, f"Week {w}: {txt}") for w, _, txt in out]

    # -- save / load --------------------------------------------------------------------------------
    def to_json(self) -> str:
        """The game as JSON: settings, tables (join order) with each quarter's plan, injections, phase."""
        with self.lock:
            if self.phase == "running":
                raise GameError("save: a quarter is running; save when it has finished")
            data = {
                "format": FILE_FORMAT,
                "settings": dataclasses.asdict(self.settings),
                "phase": self.phase, "quarter": self.quarter, "week": self.week,
                "injections": [[w, k] for w, k in self.injections],
                "tables": [{"name": t.name, "code": t.code, "joined_quarter": t.joined_quarter,
                            "ready": t.ready, "plans": [p.to_dict() for p in t.plans], "draft": t.draft.to_dict()}
                           for t in self.tables.values()],
            }
        return json.dumps(data, indent=1)

    def save(self, path) -> Path:
        from ..io import write_text

        return write_text(self.to_json(), Path(path))

    @classmethod
    def from_json(cls, text, *, week_seconds: float = 0.0) -> Game:
        """Rebuild a saved game by replaying it from week 0 (bit-identical to the saved one)."""
        g = cls(week_seconds=week_seconds)
        g.load(text)
        return g

    def load(self, text) -> None:
        """Replace this game by a saved one (see :meth:`from_json`); a bad file leaves it untouched."""
        try:
            data = json.loads(text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise GameError(f"game file: not a JSON file ({exc})") from None
        if not isinstance(data, dict) or data.get("format") != FILE_FORMAT:
            raise GameError(f"game file: format: expected {FILE_FORMAT!r} (a file saved by the room game)")
        try:
            st = data["settings"]
            settings = RoomSettings(seed=st["seed"], quarters=st["quarters"], market=st["market"])
            settings.check()
            phase, quarter = data["phase"], data["quarter"]
            if phase not in ("lobby", "deciding", "over"):
                raise GameError(f"game file: phase: {phase!r}; allowed: lobby, deciding, over")
            inj = [(int(w), str(k)) for w, k in data["injections"]]
            for w, k in inj:
                if k not in INJECTIONS:
                    raise GameError(f"game file: injections: {k!r}; allowed: {', '.join(INJECTIONS)}")
            tables = data["tables"]
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, GameError):
                raise
            raise GameError(f"game file: {exc.__class__.__name__}: {exc} (a field is missing or of the wrong kind)") \
                from None
        new = Game(settings, week_seconds=self.week_seconds)
        done = quarter - 1 if phase != "over" else settings.quarters
        new.injections = inj
        for td in tables:
            plans = [_plan(p, f"tables[{td.get('name')!r}].plans") for p in td["plans"]]
            if len(plans) != done:
                raise GameError(f"game file: tables[{td.get('name')!r}].plans: expected {done} quarters, "
                                f"got {len(plans)}")
            t = Table(name=new.clean_name(td["name"]), code=str(td["code"]), engine=new._engine(),
                      joined_quarter=int(td["joined_quarter"]))
            if new._find(t.name) is not None:
                raise GameError(f"game file: tables: {t.name!r} appears twice")
            new.tables[t.name] = t
            for q, p in enumerate(plans, start=1):
                new.week = WEEKS_PER_QUARTER * (q - 1)
                new._apply_injections(t, new.week)
                try:
                    new.check_plan(t.name, p)
                except GameError as exc:
                    raise GameError(f"game file: tables[{t.name!r}].plans[{q - 1}]: {exc}") from None
                t.plans.append(p)
                new._run_table(t, p, q)
            new.week = WEEKS_PER_QUARTER * done
            if phase != "over":
                new._apply_injections(t, new.week)
            t.draft = _plan(td["draft"], f"tables[{t.name!r}].draft")
            try:
                new.check_plan(t.name, t.draft)
            except GameError as exc:
                raise GameError(f"game file: tables[{t.name!r}].draft: {exc}") from None
            t.ready = bool(td["ready"])
        with self.lock:
            self.settings = new.settings
            self.tables = new.tables
            self.injections = new.injections
            self.phase = phase
            self.quarter = int(quarter)
            self.week = WEEKS_PER_QUARTER * done
            self.error = ""
            self.message = f"Loaded a saved game: quarter {self.quarter}, week {self.week}, {len(self.tables)} tables"
            self._changed()


def _plan(d, where: str) -> Plan:
    if not isinstance(d, dict):
        raise GameError(f"game file: {where}: expected an object")
    try:
        hours = {str(k): float(v) for k, v in d["hours"].items()}
        return Plan(hours=hours, accountability=float(d["accountability"]),
                    coaching_focus=float(d["coaching_focus"]), actions=tuple(str(a) for a in d["actions"]),
                    response=str(d["response"]))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise GameError(f"game file: {where}: {exc} (a field is missing or of the wrong kind)") from None
