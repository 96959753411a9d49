"""People: initial state, effort, morale, trust, stress, skill, quits, hires (submodels P1-P7).

All equations are in docs/model.md. Inspiration, feedback, fairness and learning support
enter morale and trust targets centred as ``2 b - 1`` (0.5 is neutral); recognition,
coaching, communication and accountability enter as levels (0 = none), and the base
levels are calibrated at the default behaviours. Every update is a whole-array
operation over the (B, N) state.
"""

from __future__ import annotations

import numpy as np

from . import kernels
from .network import rowsum
from .streams import rowvec

__all__ = ["initialise", "effort", "step", "turnover", "close_year", "hire"]


def _c(b):
    """Centre a behaviour in [0, 1] to [-1, 1]."""
    return 2.0 * b - 1.0


def initialise(e) -> None:
    """Initial state from distributions (streams ``init_*``) or from a roster."""
    s, cfg, rng = e.s, e.cfg, e.rng
    tc = cfg.team
    N, S = e.N, e.S
    pot = np.clip(tc.skill_mean + tc.skill_sd * rng.normal("init_potential", 0, (N,)), 0.02, 1.0)
    s.potential[:] = pot
    tenure = -tc.tenure_mean_weeks * np.log(rng.uniform("init_tenure", 0, (N,)))
    s.tenure[:] = np.floor(tenure)
    gap = cfg.people.new_hire_skill_gap * np.exp(-s.tenure / max(cfg.people.ramp_weeks * 4, 1e-9))
    s.skill[:] = np.clip(pot - gap, 0.0, 1.0)
    s.log_strength[:] = tc.strength_sd * rng.normal("init_strength", 0, (N, S))
    s.morale[:] = np.clip(tc.morale_mean + tc.morale_sd * rng.normal("init_morale", 0, (N,)), 0, 1)
    s.trust[:] = np.clip(tc.trust_mean + tc.trust_sd * rng.normal("init_trust", 0, (N,)), 0, 1)
    s.stress[:] = cfg.people.stress_base
    s.cohesion[:] = cfg.culture.cohesion_base
    s.pace[:] = 1.0
    if tc.initial_toxic:
        # first seat of the first teams (deterministic, so strategies compare on the same culture)
        firsts = np.flatnonzero(np.r_[True, np.diff(e.structure.team_of) != 0])
        seats = firsts[: tc.initial_toxic] if tc.initial_toxic <= firsts.size else np.arange(tc.initial_toxic)
        s.toxic[:, seats] = True
    if e.roster is not None:
        e.roster.apply(e)
    _update_ramp(e)
    # start the pipeline at its steady state for the initial reps (no warm-up transient)
    mk = e.market
    mk.D = np.ones((e.B, S))
    people_cap = cfg.selling.capacity * s.ramp
    lead_share = mk.lead / mk.lead.sum()
    demand = mk.lead.sum()
    x = np.minimum(people_cap, demand)[:, :, None] * lead_share[None, None, :]
    s.pipeline[:] = x / mk.hazard[None, None, :]
    s.pipeline_value[:] = s.pipeline * mk.size[None, None, :]


def _update_ramp(e) -> None:
    s, P = e.s, e.p.people
    if e.sw.ramp:
        rw = np.maximum(P.ramp_weeks, 1e-9)
        s.ramp = np.where(np.asarray(P.ramp_weeks) > 0, 1.0 - np.exp(-s.tenure / rw), 1.0) * np.ones_like(s.tenure)
    else:
        s.ramp = np.ones_like(s.tenure)
    s.productivity = s.ramp * e.change_factor


def effort(e, t: int) -> None:
    """P1 effort: e = clip(e0 + a_m (m-.5) + a_t (tau-.5) + a_c g + a_a A - a_s max(sigma-.5, 0))."""
    s, P, L = e.s, e.p.people, e.p.leadership
    if not e.sw.effort:
        s.effort = np.full_like(s.morale, 0.5)
        return
    acc = L.accountability + e.mods.get("accountability", 0.0)
    x = (P.effort_base + P.effort_morale * (s.morale - 0.5) + P.effort_trust * (s.trust - 0.5)
         + L.communication_effort * L.communication + L.accountability_effort * acc
         - P.effort_stress * np.maximum(s.stress - 0.5, 0.0))
    s.effort = np.clip(x, 0.0, 1.0)


def step(e, t: int) -> None:
    """P2-P5: recognition, stress, morale (drivers, then DeGroot contagion), trust, skill.

    One compiled pass per row (:func:`simteam.kernels.people_step`); the per-row parameter
    terms are formed here with the same operations as the equations in docs/model.md.
    """
    s, P, L, C, sw = e.s, e.p.people, e.p.leadership, e.p.culture, e.sw
    st = e.structure
    B = e.B
    mods = e.mods
    acc = L.accountability + mods.get("accountability", 0.0)
    worked = getattr(e.selling, "taken", None)
    g = L.coaching_strength * L.coaching * L.coaching_focus
    terms = {
        "damp": 1.0 - L.communication_damping * L.communication,
        "recognition": L.recognition, "recognition_morale": L.recognition_morale,
        "recognition_top": L.recognition_top,
        "stress_head": P.stress_base + L.accountability_stress * acc + P.crisis_stress * e.market.crisis[:, None],
        "toxic_stress": C.toxic_stress, "stress_relief": mods.get("stress_relief", 0.0),
        "quota_stress": 0.2 * np.maximum(e.quota_factor - 1.0, 0.0), "stress_rate": P.stress_rate,
        "morale_base": P.morale_base, "success_weight": P.success_weight,
        "inspiration_term": L.inspiration_morale * _c(L.inspiration), "feedback_term": L.feedback_morale * _c(L.feedback),
        "coaching_term": L.coaching_morale * L.coaching * L.coaching_focus, "stress_weight": P.stress_weight,
        "toxic_morale": C.toxic_morale, "resistance_morale": e.p.change.resistance_morale,
        "morale_mod": mods.get("morale", 0.0), "morale_rate": P.morale_rate, "mood_sd": P.mood_sd,
        "contagion": P.contagion,
        "trust_head": (P.trust_base + L.inspiration_trust * _c(L.inspiration) + L.fairness_trust * _c(L.fairness)
                       - 0.1 * L.accountability * (1.0 - L.inspiration)),
        "toxic_trust": C.toxic_trust, "tolerated_trust": L.toxic_trust * L.toxic_tolerance,
        "trust_mod": mods.get("trust", 0.0), "trust_rate": P.trust_rate,
        "practice": P.practice_rate * (1.0 + L.learning_skill * _c(L.learning_support) * 0.5),
        "capacity0": np.maximum(e.p.selling.capacity, 1e-9),  # per row: a row never depends on other rows
        "feedback_skill": L.feedback_skill * L.feedback,
        "coach_skill": L.coaching_skill * L.coaching * (1.0 - L.coaching_focus),
        "peer": L.peer_learning_rate * L.learning_support * 2.0, "strength_growth": g,
        "quota_now": e.p.selling.quota * e.quota_factor, "attainment_window": e.p.selling.attainment_window,
    }
    rp = np.stack([rowvec(terms[k], B) for k in kernels.PEOPLE_PARAMS], axis=1)
    flags = np.array([sw.toxicity, sw.recognition, sw.stress, sw.morale_drivers,
                      bool(sw.mood_noise and np.any(P.mood_sd)), bool(sw.contagion and np.any(P.contagion)),
                      sw.cohesion, sw.trust_dynamics, sw.skill_growth, sw.peer_learning, worked is not None,
                      bool(np.any(g))], dtype=np.bool_)
    kernels.people_step(st.members_ptr, st.members, st.team_of_i, st.complete, st.adj_ptr, st.adj_idx, st.adj_val,
                        rp, flags, float(np.log(3.0)), s.active, s.toxic, s.wins_week, s.pace, np.tanh(s.pace - 1.0),
                        s.stress, s.morale, s.trust, s.skill, s.potential, s.cohesion, s.resistance, s.ramp,
                        s.revenue_week, worked if worked is not None else s.revenue_week, s.log_strength,
                        s.quota_year, s.weeks_year, e.rng.key("mood"), e.rng.week_base(t))


def turnover(e, t: int) -> None:
    """P6-P7: voluntary quits from the hazard, other exits, hiring into vacancies, tenure and ramp."""
    s, P, L, sw = e.s, e.p.people, e.p.leadership, e.sw
    act = s.active
    quits = np.zeros_like(act)
    if sw.attrition:
        logh = (P.quit_morale * (0.6 - s.morale) + P.quit_trust * (0.5 - s.trust)
                + P.quit_attainment * (1.0 - np.minimum(s.pace, 2.0)) * (s.tenure >= 13)
                + P.quit_stress * s.stress - P.quit_cohesion * (s.cohesion - 0.5)
                - L.fairness_quit * _c(L.fairness) * 0.5 + e.p.change.resistance_quit * s.resistance)
        hazard = P.quit_base * np.exp(logh)
        quits = act & (e.rng.uniform("quit", t, (e.N,)) < -np.expm1(-hazard))
    # hiring first: seats vacated in earlier weeks count down and are filled when they reach 0
    hired = np.zeros_like(act)
    if sw.hiring:
        pending = (~s.active) & (s.vacancy >= 0)
        ticking = pending & ~e.hiring_frozen
        s.vacancy = np.where(ticking & (s.vacancy > 0), s.vacancy - 1, s.vacancy)
        hired = ticking & (s.vacancy == 0)
    other = s.leaving & act & ~quits
    leave = quits | other
    e.series["quits"][t] += quits.sum(axis=1)
    e.series["exits_other"][t] += other.sum(axis=1)
    e.counters["quits"] += quits.sum(axis=1)
    e.counters["exits_other"] += other.sum(axis=1)
    if leave.any():
        _close_rep_years(e, leave)
        s.active &= ~leave
        keep = np.where(leave, P.pipeline_handover, 1.0)[:, :, None]
        s.pipeline *= keep
        s.pipeline_value *= keep
        s.toxic &= ~leave
        s.resistance[leave] = 0.0
        s.adopted[leave] = False
        s.adopt_age[leave] = 0.0
        lag = np.rint(np.broadcast_to(P.hire_lag_weeks, (e.B, 1))).astype(np.int32) if sw.hiring else -1
        s.vacancy = np.where(leave, lag, s.vacancy).astype(np.int32)
        for name, kind in (("quit", quits), ("exit", other)):
            if kind.any() and e.B == 1:
                e.log(name, ",".join(str(i) for i in np.flatnonzero(kind[0])))
    if sw.hiring:
        # a lag of 0 refills a seat in the week it was left
        hired = hired | (leave & (s.vacancy == 0) & ~e.hiring_frozen)
        if hired.any():
            hire(e, t, hired, count=False)
    e.series["hires"][t] += hired.sum(axis=1)
    e.counters["hires"] += hired.sum(axis=1)
    s.tenure += s.active
    _update_ramp(e)


def hire(e, t: int, mask: np.ndarray, skill: float | None = None, toxic: bool | None = None,
         count: bool = True) -> None:
    """Fill the seats in ``mask`` with new reps (draws from the ``hire_*`` streams).

    ``count`` adds them to the week's hires (turnover counts its own refills).
    """
    s, P, tc, C = e.s, e.p.people, e.cfg.team, e.p.culture
    pot = np.clip(tc.skill_mean + tc.skill_sd * e.rng.normal("hire_potential", t, (e.N,), where=mask), 0.02, 1.0)
    if skill is not None:
        pot = np.full_like(pot, skill)
    s.potential = np.where(mask, pot, s.potential)
    s.skill = np.where(mask, np.clip(pot - P.new_hire_skill_gap, 0.0, 1.0), s.skill)
    ls = tc.strength_sd * e.rng.normal("hire_strength", t, (e.N, e.S), where=mask[:, :, None])
    s.log_strength = np.where(mask[:, :, None], ls, s.log_strength)
    s.morale = np.where(mask, P.new_hire_morale, s.morale)
    s.trust = np.where(mask, P.new_hire_trust, s.trust)
    s.stress = np.where(mask, P.stress_base, s.stress)
    s.cohesion = np.where(mask, C.cohesion_base * (0.6 if e.sw.cohesion else 1.0), s.cohesion)
    s.resistance = np.where(mask, 0.0, s.resistance)
    s.pace = np.where(mask, 1.0, s.pace)
    s.tenure = np.where(mask, 0.0, s.tenure)
    for arr in (s.revenue_year, s.quota_year, s.weeks_year):
        arr[mask] = 0.0
    if toxic is None:
        tox = e.rng.uniform("hire_toxic", t, (e.N,), where=mask) < C.toxic_hire_prob if e.sw.toxicity else False
    else:
        tox = toxic
    s.toxic = np.where(mask, tox, s.toxic)
    if count:
        e.series["hires"][t] += mask.sum(axis=1)
        e.counters["hires"] += mask.sum(axis=1)
    s.active = s.active | mask
    s.vacancy = np.where(mask, -1, s.vacancy)
    s.exposed[mask] = e.initiative_open[None, :].repeat(mask.sum(), 0) if e.K else False
    if e.B == 1 and mask.any():
        e.log("hire", ",".join(str(i) for i in np.flatnonzero(mask[0])))


def _close_rep_years(e, mask: np.ndarray) -> None:
    """Count the rep-years of reps in ``mask`` (13+ weeks in the year) and whether they made quota."""
    s = e.s
    counted = mask & (s.weeks_year >= 13)
    e.counters["rep_years"] += counted.sum(axis=1)
    e.counters["at_quota"] += (counted & (s.revenue_year >= s.quota_year)).sum(axis=1)


def close_year(e, final: bool = False) -> None:
    """Year-end accounting: rep-years at quota and the top-20% revenue share of seats."""
    s = e.s
    weeks_in_year = e.week % 52 + 1 if not final else e.weeks % 52
    if final and weeks_in_year < 26:
        return
    _close_rep_years(e, s.active)
    seat_rev = s.seat_revenue_year
    total = rowsum(seat_rev)
    k = max(int(np.ceil(0.2 * e.N)), 1)
    top = rowsum(np.sort(seat_rev, axis=1)[:, -k:]) if e.N > 1 else total
    ok = total > 0
    e.counters["top20_sum"] += np.where(ok, top / np.where(ok, total, 1.0), 0.0)
    e.counters["top20_n"] += ok
    for arr in (s.revenue_year, s.quota_year, s.weeks_year, s.seat_revenue_year):
        arr[:] = 0.0
    if not final:
        e.quota_factor = e.quota_factor * (1.0 + e.p.selling.quota_growth)  # next year's quota
