"""Timed events and interventions as small policy objects applied at fixed phases.

A policy has a ``phase`` (``start``, ``leadership`` or ``end`` of the week) and an
``apply(engine, week)`` method. Config events (:class:`simteam.config.Event`) and
regroup weeks become policies; the dashboard and scenario timelines call
:func:`fire` to apply one now. Users may pass their own policy objects to
:func:`simteam.run` (Covasim-style interventions).

Event kinds:

* ``crisis``: a demand shock starting now (``value`` = depth, default 0.25).
* ``toxic_hire``: a toxic star takes an open seat, or the seat of the rep with the lowest pace.
* ``recognition_event``: morale m += b (1 - m), cohesion up.
* ``rollout``: start the change initiative ``name`` now.
* ``regroup``: regroup the organisation (rewire the graph, reset trust and ties).
* ``quota_change``: multiply the quota by ``value``.
* ``hire``: fill up to ``value`` open seats now.
* ``lose_top_performer``: the rep with the highest pace leaves.
* ``dismiss``: the rep in seat ``int(value)`` is let go (counted as another exit, not a quit).
* ``leader_leaves``: the leader of team ``value`` (-1: every team) leaves; an interim covers until the
  successor arrives (leaders as agents, :mod:`simteam.leaders`).
* ``promote``: a rep of team ``value`` (the highest pace, or seat ``name`` of the team) becomes its leader.
* ``hire_leader``: an outside leader of style ``name`` (empty: the team's) takes team ``value``.

Seats are left and filled through the engine's one path (:meth:`simteam.engine.Engine.vacate`,
:meth:`simteam.engine.Engine.hire`), so an event's leaver follows the same rules as a quit
(pipeline handover, a vacancy that starts counting down the next week).
"""

from __future__ import annotations

import numpy as np

from . import change, leaders
from .config import VALUE_RANGE, check_event  # noqa: F401  (one check for configured and fired events)

__all__ = ["Policy", "EventPolicy", "RegroupPolicy", "fire", "build_policies", "check_event", "KINDS",
           "VALUE_RANGE"]

KINDS = ("crisis", "toxic_hire", "recognition_event", "rollout", "regroup", "quota_change", "hire",
         "lose_top_performer", "dismiss", "leader_leaves", "promote", "hire_leader")

#: Kinds that act on the structure every batch row shares (the peer graph, the initiatives).
STRUCTURAL = ("rollout", "regroup")


class Policy:
    """Base class: something applied to the engine at a fixed phase of the week."""

    phase = "start"
    name = "policy"

    def apply(self, engine, week: int) -> None:  # pragma: no cover - interface
        raise NotImplementedError


def _one_seat(score: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One-hot (B, N) mask of the seat with the lowest score in each selected row."""
    idx = np.argmin(score, axis=1)
    mask = np.zeros(score.shape, dtype=bool)
    mask[np.arange(score.shape[0]), idx] = True
    return mask & rows[:, None]


def fire(e, kind: str, value: float = 0.0, name: str = "", rows: np.ndarray | None = None) -> None:
    """Apply one event to the engine now, in the rows given (default: all)."""
    t = e.week
    s = e.s
    rows = np.ones(e.B, dtype=bool) if rows is None else rows
    if not rows.any():
        return
    if kind in STRUCTURAL and not rows.all():
        from .params import ConfigError

        raise ConfigError(f"{kind}: acts on the team structure every batch row shares, so it cannot happen in "
                          f"some rows only; allowed: probability 1.0")
    if kind == "crisis":
        e.market.add_shock(t, depth=value or 0.25, mask=rows, decline_weeks=4, trough_weeks=13,
                           recovery_weeks=39)
    elif kind == "toxic_hire":
        score = np.where(s.active, s.pace, -np.inf)
        seat = _one_seat(score, rows)
        e.vacate(seat, "exit")
        e.hire(seat, potential=e.p.culture.toxic_star_skill, toxic=True)
    elif kind == "recognition_event":
        b = e.p.culture.recognition_event_morale
        r = rows[:, None] & s.active
        s.morale = np.where(r, s.morale + b * (1.0 - s.morale), s.morale)
        if e.sw.cohesion:
            s.cohesion = np.where(r, np.minimum(s.cohesion + 0.1, 1.0), s.cohesion)
    elif kind == "rollout":
        names = [i.name for i in e.cfg.change.initiatives]
        if not name:  # the first initiative not started yet
            name = next((n for k, n in enumerate(names) if not e.initiative_started[k]), names[0] if names else "")
        if name not in names:
            raise ValueError(f"rollout: no initiative named {name!r}; configured: {names}")
        k = names.index(name)
        if not e.initiative_started[k]:
            change.start(e, k, t)
    elif kind == "regroup":
        e.regroup()
    elif kind == "quota_change":
        org = e.org
        org.quota_factor = np.where(rows[:, None], org.quota_factor * (value or 1.0), org.quota_factor)
    elif kind == "hire":
        open_seats = (~s.active) & rows[:, None]
        n = int(value) if value else e.N
        rank = np.cumsum(open_seats, axis=1)
        e.hire(open_seats & (rank <= n))
    elif kind == "lose_top_performer":
        score = np.where(s.active, -s.pace, np.inf)
        e.vacate(_one_seat(score, rows), "exit")
    elif kind == "dismiss":
        seat = int(value)
        if not 0 <= seat < e.N:
            raise ValueError(f"dismiss: seat {seat} does not exist; allowed: 0 to {e.N - 1}")
        mask = np.zeros((e.B, e.N), dtype=bool)
        mask[:, seat] = rows
        e.vacate(mask, "exit")
    elif kind == "leader_leaves":
        leaders.leader_leaves(e, rows, value)
    elif kind == "promote":
        leaders.promote(e, rows, value, name)
    elif kind == "hire_leader":
        leaders.hire_leader(e, rows, value, name)
    else:
        raise ValueError(f"unknown event kind {kind!r}; choose one of {', '.join(KINDS)}")
    if e.B == 1:
        e.log(kind, name or (str(value) if value else ""))


class EventPolicy(Policy):
    """A config event: fires at its week, in the rows where its probability draw succeeds."""

    phase = "start"

    def __init__(self, index: int, kind: str, week: int, value: float = 0.0, name: str = "",
                 probability: float = 1.0):
        self.index, self.kind, self.week, self.value, self.name_, self.probability = \
            index, kind, week, value, name, probability
        self.name = kind

    def apply(self, e, week: int) -> None:
        if week != self.week:
            return
        if self.probability >= 1.0:
            rows = np.ones(e.B, dtype=bool)
        else:
            rows = e.rng.uniform(f"event:{self.index}", 0, (1,))[:, 0] < self.probability
        fire(e, self.kind, self.value, self.name_, rows)


class RegroupPolicy(Policy):
    """Regroup the organisation at the given weeks."""

    phase = "start"
    name = "regroup"

    def __init__(self, weeks):
        self.weeks = set(int(w) for w in weeks)

    def apply(self, e, week: int) -> None:
        if week in self.weeks:
            e.regroup()


def build_policies(e) -> list[Policy]:
    """Policies from the config: events and regroup weeks."""
    pols: list[Policy] = [EventPolicy(i, ev.kind, ev.week, ev.value, ev.name, ev.probability)
                          for i, ev in enumerate(e.cfg.events)]
    if e.cfg.change.regroup_weeks:
        pols.append(RegroupPolicy(e.cfg.change.regroup_weeks))
    return pols
