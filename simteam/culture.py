"""Culture: spread of toxic behaviour (SIS), the leader acting on it, and cohesion (submodel C).

* SIS spread    P(infect_i) = 1 - exp(-beta (1 - d g) (0.5 + tol) sum_j A_ij x_j)
* recovery      P(reform_i) = 1 - exp(-(delta + r_reform (1 - tol)))
* removal       P(remove_i) = 1 - exp(-r_remove (1 - tol))   (the rep is dismissed)
* cohesion      kappa <- kappa + r_k (kappa_0 + c_cel R share_won - kappa)
* climate       Gamma_T <- Gamma_T + r (x_T - Gamma_T),  r = r_build if x_T > Gamma_T else r_decay
                (x_T: the team's toxic share); every non-toxic member of team T: morale target - c_m d Gamma_T,
                stress target + c_s d Gamma_T, cohesion target - c_k d Gamma_T (d = 1 - gamma_D comm), and an SIS hazard
                c_x (0.5 + tol) Gamma_T beyond graph ties (Housman & Minor 2015: peers leave or turn toxic)

With only ``spread_rate`` (beta) and ``recovery_rate`` (delta) active, behaviour spread
is the discrete-time SIS model whose outbreak dies out when beta/delta < 1/lambda_max(A)
(Wang et al. 2003; Pastor-Satorras & Vespignani 2001).

This module declares the parameters (:class:`CultureConfig`), the compiled passes
(:func:`toxic_step`: climate, spread, reform and removal; :func:`cohesion_step`) and the mechanism object
:class:`Culture`
(``on_vacate``: a leaver's toxicity; ``on_hire``: a new rep's cohesion and toxicity).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .leaders import effective, team_array
from .mechanism import Mechanism
from .numerics import flag_record, jit, unit, walk_active_toxic
from .params import param
from .streams import rowvec

__all__ = ["CultureConfig", "Culture", "step", "cohesion_step", "toxic_step", "TOXIC_FLAGS"]


# ------------------------------------------------------------------------------------------------
# parameters (declared here, assembled by simteam.config.SimConfig)
# ------------------------------------------------------------------------------------------------
@dataclass
class CultureConfig:
    """Toxic behaviour, its spread, and cohesion."""

    toxic_morale: float = param(0.3, 0.0, 2.0, doc="morale target lost per unit share of toxic neighbours")
    toxic_trust: float = param(0.15, 0.0, 2.0, doc="trust target lost per unit share of toxic neighbours")
    toxic_stress: float = param(0.2, 0.0, 2.0, doc="stress target per unit share of toxic neighbours")
    spread_rate: float = param(0.02, 0.0, 5.0, unit="1/week", doc="SIS infection hazard per toxic neighbour (beta)")
    recovery_rate: float = param(0.02, 0.0, 5.0, unit="1/week", doc="SIS natural recovery hazard (delta)")
    toxic_hire_prob: float = param(0.02, 0.0, 1.0, doc="probability a new hire is toxic")
    toxic_star_skill: float = param(0.85, 0.0, 1.0, doc="skill of a hired toxic star")
    cohesion_base: float = param(0.5, 0.0, 1.0, doc="cohesion target with no celebration")
    cohesion_rate: float = param(0.05, 0.0, 1.0, unit="1/week", doc="relaxation rate of cohesion")
    celebration_cohesion: float = param(0.3, 0.0, 1.0, doc="cohesion target gain from celebrating wins (x recognition)")
    recognition_event_morale: float = param(0.1, 0.0, 1.0, doc="one-off morale boost of a recognition event")
    climate_build: float = param(0.2, 0.0, 1.0, unit="1/week", doc="rate the team's toxic climate rises toward "
                                 "the team's toxic share", source="assumption")
    climate_decay: float = param(0.01, 0.0, 1.0, unit="1/week", doc="rate the toxic climate fades once the "
                                 "toxic share falls (the harm outlasts the toxic member)",
                                 source="assumption; Housman & Minor (2015): the harm outlasts the toxic worker")
    climate_morale: float = param(0.8, 0.0, 5.0, doc="morale target every non-toxic member loses per unit toxic "
                                  "climate", source="assumption sized to Housman & Minor (2015)")
    climate_stress: float = param(0.8, 0.0, 5.0, doc="stress target every non-toxic member gains per unit toxic "
                                  "climate", source="assumption sized to Housman & Minor (2015)")
    climate_cohesion: float = param(0.8, 0.0, 5.0, doc="cohesion target lost per unit toxic climate",
                                    source="assumption (Felps, Mitchell & Byington 2006)")
    climate_spread: float = param(0.0, 0.0, 5.0, unit="1/week", doc="hazard a non-toxic member turns toxic "
                                  "per unit toxic climate (x (0.5 + tolerance)), beyond graph ties (0: spread "
                                  "over ties only)", source="assumption; Housman & Minor (2015): peers more "
                                  "likely to turn toxic")


# ------------------------------------------------------------------------------------------------
# compiled passes
# ------------------------------------------------------------------------------------------------
@jit
def cohesion_step(t_ptr, t_idx, team_of, active, wins_week, base, celebrate, rate, cohesion, team_scratch):
    """kappa += rate (clip(base + celebrate x share of the team that won, 0, 1) - kappa); ``celebrate``
    is ``celebration_cohesion x recognition`` (0 x share without recognition)."""
    B, N = active.shape
    T = t_ptr.shape[0] - 1
    for b in range(B):
        for t in range(T):
            sw = 0.0
            sa = 0.0
            for m in range(t_ptr[t], t_ptr[t + 1]):
                i = t_idx[m]
                a = active[b, i]
                w = 1.0 if (a and wins_week[b, i] > 0) else 0.0
                af = 1.0 if a else 0.0
                if m == t_ptr[t]:
                    sw, sa = w, af
                else:
                    sw, sa = sw + w, sa + af
            team_scratch[0, t] = sw
            team_scratch[1, t] = sa
        for i in range(N):
            t = team_of[i]
            share = team_scratch[0, t] / max(team_scratch[1, t], 1.0)
            target = base[b] + celebrate[b, min(t, celebrate.shape[1] - 1)] * share
            cohesion[b, i] = cohesion[b, i] + rate[b] * (min(max(target, 0.0), 1.0) - cohesion[b, i])


@jit
def toxic_step(t_ptr, t_idx, team_of, complete, a_ptr, a_idx, a_val, flags,
               climate, build, decay, damp, dm_rate, ds_rate, dk_rate, beta, cx, p_rec, p_rem,
               active, toxic, leaving, morale, stress, cohesion, key_infect, key_recover, key_remove, base,
               team_scratch, infect):
    """One week of the toxic climate, SIS spread, recovery and removal, row by row (see :func:`step`).

    ``flags``: a one-record array with :data:`TOXIC_FLAGS`. Per row: each team's climate follows its toxic
    share (``build`` / ``decay`` per row) and harms its filled non-toxic members (``d*_rate`` x climate x
    ``damp``); a filled non-toxic seat with toxic peers (or climate) turns toxic at hazard ``beta`` x toxic
    peers [+ ``cx`` x climate] (stream ``toxic_infect``); a toxic seat reforms with probability ``p_rec``
    (``toxic_recover``), else is removed (marked ``leaving``) with ``p_rem`` (``toxic_remove``). Every draw and
    test reads the toxicity at the start of the week; infections apply last. Per-team terms are ``(B, T')``
    arrays read at ``min(t, T' - 1)``; ``team_scratch`` (2, T) and ``infect`` (N,) are work arrays.
    """
    fl = flags[0]
    use_climate, use_spread, use_action = fl.climate, fl.spread, fl.action
    f_morale, f_stress, f_cohesion = fl.morale, fl.stress, fl.cohesion
    B, N = active.shape
    T = t_ptr.shape[0] - 1
    for b in range(B):
        any_tox = False
        for i in range(N):
            if toxic[b, i] and active[b, i]:
                any_tox = True
                break
        any_climate = False
        if use_climate:
            for t in range(T):
                if climate[b, t] != 0.0:
                    any_climate = True
                    break
        if not any_tox and not any_climate:
            continue  # no toxic rep and no climate left in this row: nothing changes
        # the team toxic climate and its harm to the filled non-toxic members
        if use_climate:
            for t in range(T):
                nx = 0.0
                na = 0.0
                for m in range(t_ptr[t], t_ptr[t + 1]):
                    i = t_idx[m]
                    if active[b, i]:
                        na += 1.0
                        if toxic[b, i]:
                            nx += 1.0
                share = nx / max(na, 1.0)
                g = climate[b, t]
                rate = build[b] if share > g else decay[b]
                climate[b, t] = g + rate * (share - g)
            for i in range(N):
                t = team_of[i]
                g = climate[b, t]
                if active[b, i] and not toxic[b, i] and g > 0.0:
                    gr = g * damp[b, min(t, damp.shape[1] - 1)]
                    if f_morale:
                        morale[b, i] = min(max(morale[b, i] - dm_rate[b] * gr, 0.0), 1.0)
                    if f_stress:
                        stress[b, i] = min(max(stress[b, i] + ds_rate[b] * gr, 0.0), 1.0)
                    if f_cohesion:
                        cohesion[b, i] = min(max(cohesion[b, i] - dk_rate[b] * gr, 0.0), 1.0)
        # SIS infection (over graph ties, and through the climate)
        for i in range(N):
            infect[i] = False
        if use_spread:
            if complete:
                for t in range(T):
                    sx = 0.0
                    for m in range(t_ptr[t], t_ptr[t + 1]):
                        i = t_idx[m]
                        xf = 1.0 if (toxic[b, i] and active[b, i]) else 0.0
                        sx = xf if m == t_ptr[t] else sx + xf
                    team_scratch[0, t] = sx
            for i in range(N):
                if not active[b, i] or toxic[b, i]:
                    continue
                t = team_of[i]
                if complete:
                    pressure = team_scratch[0, t]  # the seat itself is not toxic
                else:
                    _sa, pressure = walk_active_toxic(i, b, active, toxic, a_ptr, a_idx, a_val)
                g = climate[b, t] if use_climate else 0.0
                if pressure > 0.0 or g > 0.0:
                    hz = beta[b, min(t, beta.shape[1] - 1)] * pressure
                    if use_climate:
                        hz = hz + cx[b, min(t, cx.shape[1] - 1)] * g
                    infect[i] = unit(key_infect[b], base, i) < -math.expm1(-hz)
        # the toxic reps: reform, else removal by the leader
        for i in range(N):
            if toxic[b, i] and active[b, i]:
                if unit(key_recover[b], base, i) < p_rec[b]:
                    toxic[b, i] = False
                elif use_action and unit(key_remove[b], base, i) < p_rem[b]:
                    leaving[b, i] = True
        for i in range(N):
            if infect[i]:
                toxic[b, i] = True


#: Switches of :func:`toxic_step`.
TOXIC_FLAGS = ("climate", "spread", "action", "morale", "stress", "cohesion")


def step(e, t: int) -> None:
    """Team toxic climate, SIS spread, the leader acting on toxic reps (reform or dismissal: marked
    ``leaving``), cohesion: the per-row terms formed here, by name, then :func:`toxic_step` and
    :func:`cohesion_step`."""
    s, C, L, sw, P = e.s, e.p.culture, effective(e), e.sw, e.p.people
    st = e.structure
    act = s.active
    tol = L.toxic_tolerance
    B = e.B
    if s.toxic.any() or e.climate.any():  # else nothing below can change (rows without either are skipped too)
        rv = lambda v: rowvec(v, B)  # noqa: E731
        rec_h = (C.recovery_rate if sw.toxic_spread else 0.0) + (L.toxic_reform_rate * (1.0 - tol)
                                                                  if sw.toxic_action else 0.0)
        flags = flag_record(TOXIC_FLAGS, {"climate": sw.toxic_climate, "spread": sw.toxic_spread,
                                          "action": sw.toxic_action, "morale": sw.morale_drivers,
                                          "stress": sw.stress, "cohesion": sw.cohesion})
        toxic_step(st.members_ptr, st.members, st.team_of_i, st.complete, st.adj_ptr, st.adj_idx, st.adj_val, flags,
                   e.climate, rv(C.climate_build), rv(C.climate_decay),
                   team_array(1.0 - L.communication_damping * L.communication, B),  # as the neighbour harm (7.4)
                   rv(P.morale_rate) * rv(C.climate_morale), rv(P.stress_rate) * rv(C.climate_stress),
                   rv(C.cohesion_rate) * rv(C.climate_cohesion),
                   team_array(C.spread_rate * (1.0 - L.communication_damping * L.communication) * (0.5 + tol), B),
                   team_array(C.climate_spread * (0.5 + tol), B),
                   -np.expm1(-rv(rec_h)), -np.expm1(-rv(L.toxic_removal_rate * (1.0 - tol))),
                   act, s.toxic, s.leaving, s.morale, s.stress, s.cohesion,
                   e.rng.key("toxic_infect"), e.rng.key("toxic_recover"), e.rng.key("toxic_remove"),
                   e.rng.week_base(t), e.scratch("culture_teams", (2, st.n_teams)),
                   e.scratch("culture_infect", (e.N,), dtype=np.bool_))
    if sw.cohesion:
        celebrate = C.celebration_cohesion * L.recognition if sw.recognition else 0.0
        cohesion_step(st.members_ptr, st.members, st.team_of_i, act, s.wins_week,
                              rowvec(C.cohesion_base, e.B), team_array(celebrate, e.B), rowvec(C.cohesion_rate, e.B),
                              s.cohesion, e.scratch("culture_teams", (2, st.n_teams)))


class Culture(Mechanism):
    """Submodel C (the mechanism object the engine calls)."""

    name = "culture"

    def init(self, e) -> None:
        e.climate = np.zeros((e.B, e.structure.n_teams))  # the team toxic climate Gamma (B, T)

    def step(self, e, t: int) -> None:
        step(e, t)

    def on_vacate(self, e, rows, cols) -> None:
        e.s.toxic[rows, cols] = False

    def on_hire(self, e, rows, cols) -> None:
        s, C, B = e.s, e.p.culture, e.B
        s.cohesion[rows, cols] = rowvec(C.cohesion_base * (0.6 if e.sw.cohesion else 1.0), B)[rows]
        toxic = e.hire_spec.toxic if e.hire_spec is not None else None
        if toxic is None:
            s.toxic[rows, cols] = (e.rng.at("hire_toxic", e.week, rows, cols) < rowvec(C.toxic_hire_prob, B)[rows]
                                   if e.sw.toxicity else False)
        else:
            s.toxic[rows, cols] = toxic
