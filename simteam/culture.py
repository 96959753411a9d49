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
(:func:`toxic_pressure`, :func:`cohesion_step`) and the mechanism object :class:`Culture`
(``on_vacate``: a leaver's toxicity; ``on_hire``: a new rep's cohesion and toxicity).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .leaders import effective, team_array
from .mechanism import Mechanism
from .numerics import jit, walk_active_toxic
from .params import param
from .streams import rowvec

__all__ = ["CultureConfig", "Culture", "step", "cohesion_step", "toxic_pressure"]


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
def toxic_pressure(t_ptr, t_idx, team_of, complete, a_ptr, a_idx, a_val, active, toxic, team_scratch, out):
    """``out[b, i]`` = number of seat i's peers who are filled and toxic (the SIS pressure)."""
    B, N = active.shape
    for b in range(B):
        if complete:
            for t in range(t_ptr.shape[0] - 1):
                sx = 0.0
                for m in range(t_ptr[t], t_ptr[t + 1]):
                    i = t_idx[m]
                    xf = 1.0 if (toxic[b, i] and active[b, i]) else 0.0
                    sx = xf if m == t_ptr[t] else sx + xf
                team_scratch[t] = sx
            for i in range(N):
                out[b, i] = team_scratch[team_of[i]] - (1.0 if (toxic[b, i] and active[b, i]) else 0.0)
        else:
            for i in range(N):
                sa, sx = walk_active_toxic(i, b, active, toxic, a_ptr, a_idx, a_val)
                out[b, i] = sx


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


def team_counts(st, mask: np.ndarray) -> np.ndarray:
    """Filled-and-marked seats per team ``(B, T)``: integer counts (exact in any order, so batch invariant)."""
    ptr = st.members_ptr
    sizes = np.diff(ptr)
    if ptr[-1] == 0:
        return np.zeros((mask.shape[0], sizes.size))
    x = mask[:, st.members].astype(np.int64)
    out = np.add.reduceat(x, np.minimum(ptr[:-1], ptr[-1] - 1), axis=1)
    return np.where(sizes[None, :] > 0, out, 0).astype(np.float64)


def climate_step(e, tox: np.ndarray) -> np.ndarray:
    """Update the team toxic climate ``e.climate`` ``(B, T)`` from this week's toxic shares and apply its harm to
    the non-toxic members' morale, stress and cohesion (as a shift of each target: ``x += rate (-c Gamma d)``,
    ``d = 1 - gamma_D comm`` the leader's communication damping, as for the neighbour harm).
    Returns the climate per seat ``(B, N)`` (the SIS term reads it), or None when there is none."""
    s, C, P, st = e.s, e.p.culture, e.p.people, e.structure
    B = e.B
    if not e.climate.any() and not tox.any():  # no toxic rep and no climate left: nothing to do
        return None
    n_tox = team_counts(st, tox)
    n_act = team_counts(st, s.active)
    share = n_tox / np.maximum(n_act, 1.0)
    g = e.climate
    rate = np.where(share > g, rowvec(C.climate_build, B)[:, None], rowvec(C.climate_decay, B)[:, None])
    g += rate * (share - g)
    seat = g[:, st.team_of]  # (B, N)
    peer = s.active & ~tox & (seat > 0)
    if peer.any():
        r, c = np.nonzero(peer)
        L = effective(e)
        damp = team_array(1.0 - L.communication_damping * L.communication, B)  # as the neighbour harm (7.4)
        gr = seat[r, c] * damp[r, np.minimum(st.team_of[c], damp.shape[1] - 1)]
        if e.sw.morale_drivers:
            dm = (rowvec(P.morale_rate, B) * rowvec(C.climate_morale, B))[r] * gr
            s.morale[r, c] = np.clip(s.morale[r, c] - dm, 0.0, 1.0)
        if e.sw.stress:
            ds = (rowvec(P.stress_rate, B) * rowvec(C.climate_stress, B))[r] * gr
            s.stress[r, c] = np.clip(s.stress[r, c] + ds, 0.0, 1.0)
        if e.sw.cohesion:
            dk = (rowvec(C.cohesion_rate, B) * rowvec(C.climate_cohesion, B))[r] * gr
            s.cohesion[r, c] = np.clip(s.cohesion[r, c] - dk, 0.0, 1.0)
    return seat


def step(e, t: int) -> None:
    """SIS spread, the leader acting on toxic reps (reform or dismissal: marked ``leaving``), cohesion."""
    s, C, L, sw = e.s, e.p.culture, effective(e), e.sw
    st = e.structure
    act = s.active
    tox = s.toxic & act
    tol = L.toxic_tolerance
    B = e.B
    climate = climate_step(e, tox) if sw.toxic_climate else None
    # draws only where they can matter (a pure function of their coordinates, so this changes nothing):
    # infection where a susceptible rep has toxic peers, recovery and removal where a rep is toxic
    infect = None
    clim = climate is not None and (climate > 0).any()
    if sw.toxic_spread and (tox.any() or clim):
        beta = team_array(C.spread_rate * (1.0 - L.communication_damping * L.communication) * (0.5 + tol), B)
        pressure = np.empty((B, e.N))
        toxic_pressure(st.members_ptr, st.members, st.team_of_i, st.complete, st.adj_ptr, st.adj_idx,
                               st.adj_val, act, s.toxic, e.scratch("culture_teams", (2, st.n_teams))[0], pressure)
        reach = pressure > 0
        if clim:
            reach = reach | (climate > 0)
        rows, cols = np.nonzero(act & ~s.toxic & reach)
        tcol = st.team_of[cols]
        beta_rc = beta[rows, np.minimum(tcol, beta.shape[1] - 1)]  # the seat's team (leaders as agents)
        hz = beta_rc * pressure[rows, cols]
        if clim:  # the team climate: peers turn toxic beyond graph ties
            cx = team_array(C.climate_spread * (0.5 + tol), B)
            hz = hz + cx[rows, np.minimum(tcol, cx.shape[1] - 1)] * climate[rows, cols]
        hit = e.rng.at("toxic_infect", t, rows, cols) < -np.expm1(-hz)
        infect = (rows[hit], cols[hit])
    if tox.any():
        rec_h = (C.recovery_rate if sw.toxic_spread else 0.0) + (L.toxic_reform_rate * (1.0 - tol)
                                                                  if sw.toxic_action else 0.0)
        rows, cols = np.nonzero(tox)
        p_rec = -np.expm1(-rowvec(rec_h, B))
        recover = e.rng.at("toxic_recover", t, rows, cols) < p_rec[rows]
        if sw.toxic_action:
            p_rem = -np.expm1(-rowvec(L.toxic_removal_rate * (1.0 - tol), B))
            remove = ~recover & (e.rng.at("toxic_remove", t, rows, cols) < p_rem[rows])
            s.leaving[rows[remove], cols[remove]] = True
        s.toxic[rows[recover], cols[recover]] = False
    if infect is not None:
        s.toxic[infect] = True
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
