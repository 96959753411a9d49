"""Effort: engagement from morale, trust, stress, goals and accountability (submodel P1).

    e_i = clip(e0 + a_m (m_i - .5) + a_t (tau_i - .5) + a_c g + a_a A - a_s max(sigma_i - .5, 0), 0, 1)

with g the leader's communication of goals and A accountability (plus the crisis response's
push, :attr:`simteam.engine.OrgState.accountability`). Switch ``effort`` off: everyone at 0.5.
"""

from __future__ import annotations

import numpy as np

from .mechanism import Mechanism
from .leaders import effective, team_params
from .numerics import inline, jit

__all__ = ["Effort", "effort_step", "EFFORT_TERMS"]

#: Per-row terms of the effort equation (one record per batch row, read by name).
EFFORT_TERMS = ("effort_base", "effort_morale", "effort_trust", "communication_term", "accountability_term",
                "effort_stress")


@inline
def effort_level(r, morale, trust, stress):
    """e = clip(e0 + a_m (m - .5) + a_t (tau - .5) + a_c g + a_a A - a_s max(sigma - .5, 0), 0, 1)."""
    x = (r.effort_base + r.effort_morale * (morale - 0.5) + r.effort_trust * (trust - 0.5) + r.communication_term
         + r.accountability_term - r.effort_stress * max(stress - 0.5, 0.0))
    return min(max(x, 0.0), 1.0)


@jit
def effort_step(params, team_of, morale, trust, stress, out):
    """Effort of every seat; ``params`` has one record per row and team with the fields :data:`EFFORT_TERMS`."""
    B, N = morale.shape
    tm = params.shape[1] - 1
    for b in range(B):
        for i in range(N):
            r = params[b, min(team_of[i], tm)]
            out[b, i] = effort_level(r, morale[b, i], trust[b, i], stress[b, i])


class Effort(Mechanism):
    """P1 effort (the mechanism object the engine calls; see :class:`simteam.engine.Mechanism`)."""

    name = "effort"

    def step(self, e, t: int) -> None:
        s, P, L = e.s, e.p.people, effective(e)
        if not e.sw.effort:
            s.effort = np.full_like(s.morale, 0.5)
            return
        acc = L.accountability + e.org.accountability
        terms = {"effort_base": P.effort_base, "effort_morale": P.effort_morale, "effort_trust": P.effort_trust,
                 "communication_term": L.communication_effort * L.communication,
                 "accountability_term": L.accountability_effort * acc, "effort_stress": P.effort_stress}
        if s.effort.shape != s.morale.shape or not s.effort.flags.writeable:
            s.effort = np.empty_like(s.morale)
        effort_step(team_params(EFFORT_TERMS, terms, e.B), e.structure.team_of_i, s.morale, s.trust, s.stress, s.effort)
