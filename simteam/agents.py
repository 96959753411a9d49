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

__all__ = ["Rep", "Leader"]


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

    Behaviours are read from the config; team aggregates from the engine.
    """

    def __init__(self, model, team: int):
        super().__init__(model)
        self.team = int(team)

    @property
    def behaviours(self) -> dict[str, float]:
        from .leadership import _B
        L = self.model.engine.p.leadership
        return {b: float(np.asarray(getattr(L, b)).ravel()[0]) for b in _B}

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
