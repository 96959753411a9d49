"""Mesa agents as thin views over one row of the column store.

A :class:`Rep` stores only its seat index; each attribute reads and writes that seat
of the engine's arrays (batch row 0), so the agents never hold state of their own and
the weekly work stays whole-array. Use them for inspection, custom rules and drawing.

Example:
    >>> from simteam.model import SalesTeamModel
    >>> m = SalesTeamModel(seed=3)
    >>> rep = m.reps[0]
    >>> 0.0 <= rep.morale <= 1.0
    True
"""

from __future__ import annotations

import numpy as np
from mesa.discrete_space import CellAgent

from .state import REP_FIELDS

__all__ = ["Rep", "Leader", "HeadOfSales"]


class _Column:
    """Descriptor: attribute ``name`` of a Rep is ``engine.s.<name>[0, seat]``."""

    def __init__(self, name: str, doc: str):
        self.name = name
        self.__doc__ = doc

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        v = getattr(obj.model.engine.s, self.name)[0, obj.seat]
        return v.item() if isinstance(v, np.generic) else v

    def __set__(self, obj, value):
        getattr(obj.model.engine.s, self.name)[0, obj.seat] = value


class Rep(CellAgent):
    """A sales rep: a view of seat ``seat`` of the engine's state.

    Attributes are the columns of :data:`simteam.state.REP_FIELDS` (morale, trust, skill,
    stress, effort, toxic, tenure, pace, revenue_week ...); setting one writes the array.
    """

    def __init__(self, model, seat: int):
        super().__init__(model)
        self.seat = int(seat)

    @property
    def team(self) -> int:
        return int(self.model.engine.structure.team_of[self.seat])

    @property
    def adopted(self) -> list[bool]:
        """Adoption flag per change initiative."""
        return [bool(x) for x in self.model.engine.s.adopted[0, self.seat]]

    @property
    def strengths(self) -> dict[str, float]:
        """Strength multiplier per market segment."""
        names = [s.name for s in self.model.engine.cfg.market.segments]
        return dict(zip(names, np.exp(self.model.engine.s.log_strength[0, self.seat]).round(3).tolist()))

    def __repr__(self) -> str:
        return f"Rep(seat={self.seat}, team={self.team}, morale={self.morale:.2f}, trust={self.trust:.2f})"


for _name, _doc in REP_FIELDS.items():
    setattr(Rep, _name, _Column(_name, _doc))


class Leader(CellAgent):
    """A front-line leader of team ``team`` (or the head of sales, ``team = -1``).

    Behaviours are read from the config, or, with leaders as agents (``mechanisms.leaders``),
    from the leader's own effective behaviours this week; the leader's state (``style``, ``hours``,
    ``hours_used``, ``stress``, ``tenure``, ``trust``, ``coaching_skill``, ``vacant``) is a view of
    :class:`simteam.leaders.Leaders` (batch row 0; None for the head of sales or without leaders as
    agents). Team aggregates come from the engine.
    """

    def __init__(self, model, team: int):
        super().__init__(model)
        self.team = int(team)

    @property
    def behaviours(self) -> dict[str, float]:
        from .leadership import _B
        L = self.model.engine.p.leadership
        out = {b: float(np.asarray(getattr(L, b)).ravel()[0]) for b in _B}
        lead = self._agent_state()
        if lead is not None:
            from .leaders import BEHAVIOURS
            out.update({b: float(lead.eff[0, self.team, k]) for k, b in enumerate(BEHAVIOURS)})
        return out

    def _agent_state(self):
        lead = getattr(self.model.engine, "leaders", None)
        return lead if (lead is not None and self.team >= 0) else None

    def _value(self, name: str):
        lead = self._agent_state()
        return None if lead is None else getattr(lead, name)[0, self.team].item()

    @property
    def style(self) -> str | None:
        """The configured style of this team's leader (``leaders.styles``), or None."""
        styles = self.model.engine.cfg.leaders.styles
        return styles[self.team % len(styles)] if (styles and self._agent_state() is not None) else None

    stress = property(lambda self: self._value("stress"), doc="leader stress in [0, 1]")
    tenure = property(lambda self: self._value("tenure"), doc="weeks in the post")
    trust = property(lambda self: self._value("trust"), doc="trust earned: the team's mean trust in the leader")
    coaching_skill = property(lambda self: self._value("coaching_skill"), doc="skill as a coach in [0, 1]")
    vacant = property(lambda self: self._value("vacant"), doc="the post is vacant (an interim covers)")

    @property
    def hours(self) -> dict[str, float] | None:
        """This week's hours per activity (coaching ... data_orientation, admin, selling, crisis, rollout, slack)."""
        lead = self._agent_state()
        return None if lead is None else {k: float(v[0, self.team]) for k, v in lead.hours.items()}

    @property
    def hours_used(self) -> float | None:
        """Hours of the week used (everything but slack)."""
        h = self.hours
        return None if h is None else sum(v for k, v in h.items() if k != "slack")

    def _members(self) -> np.ndarray:
        e = self.model.engine
        m = e.s.active[0].copy()
        if self.team >= 0:
            m &= e.structure.team_of == self.team
        return m

    @property
    def team_morale(self) -> float:
        m = self._members()
        return float(self.model.engine.s.morale[0, m].mean()) if m.any() else float("nan")

    @property
    def team_trust(self) -> float:
        m = self._members()
        return float(self.model.engine.s.trust[0, m].mean()) if m.any() else float("nan")

    @property
    def team_revenue_week(self) -> float:
        return float(self.model.engine.s.revenue_week[0, self._members()].sum())

    def __repr__(self) -> str:
        return f"Leader(team={self.team})"


class HeadOfSales(Leader):
    """The head of sales (the ``HoS`` node above the team leaders, ``team = -1``).

    With the head of sales as an agent (``mechanisms.head_of_sales``) its state is a view of
    :class:`simteam.headofsales.HeadOfSales` (batch row 0): ``pressure``, ``freeze`` (a hiring
    freeze is ordered), ``push`` (a quota push is in force), and per team the leaders' ``relay``
    of the directives and whether each team has ``frozen`` its hiring; all None without it.
    """

    def __init__(self, model):
        super().__init__(model, -1)

    def _hos(self):
        return getattr(self.model.engine, "head_of_sales", None)

    def _row(self, name: str):
        h = self._hos()
        return None if h is None else getattr(h, name)[0, 0].item()

    pressure = property(lambda self: self._row("pressure"), doc="pressure from results against plan and crises")
    freeze = property(lambda self: self._row("freeze"), doc="a hiring freeze is ordered")
    push = property(lambda self: self._row("push"), doc="a quota push is in force")

    @property
    def frozen(self) -> dict[int, bool] | None:
        """Per team: its leader has implemented the freeze (the team does not hire)."""
        h = self._hos()
        return None if h is None else {t: bool(v) for t, v in enumerate(h.frozen[0])}

    @property
    def relay(self) -> dict[int, dict[str, float]] | None:
        """Per team: how far its leader has implemented the freeze and the pressure (0-1)."""
        h = self._hos()
        return None if h is None else {t: {"freeze": float(h.relay_freeze[0, t]),
                                           "pressure": float(h.relay_pressure[0, t])} for t in range(h.T)}

    def __repr__(self) -> str:
        return f"HeadOfSales(pressure={self.pressure})"
