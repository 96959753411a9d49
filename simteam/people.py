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
    tc = cfg.team  # structural: the same for every row
    P, C = e.p.people, e.p.culture  # per row: scalars, or (B, 1) arrays in a sweep
    N, S = e.N, e.S
    pot = np.clip(tc.skill_mean + tc.skill_sd * rng.normal("init_potential", 0, (N,)), 0.02, 1.0)
    s.potential[:] = pot
    tenure = -tc.tenure_mean_weeks * np.log(rng.uniform("init_tenure", 0, (N,)))
    s.tenure[:] = np.floor(tenure)
    gap = P.new_hire_skill_gap * np.exp(-s.tenure / np.maximum(np.multiply(P.ramp_weeks, 4), 1e-9))
    s.skill[:] = np.clip(pot - gap, 0.0, 1.0)
    rng.normal("init_strength", 0, (N, S), out=s.log_strength)  # in place: a million reps x 3 segments
    np.multiply(s.log_strength, tc.strength_sd, out=s.log_strength)
    s.morale[:] = np.clip(tc.morale_mean + tc.morale_sd * rng.normal("init_morale", 0, (N,)), 0, 1)
    s.trust[:] = np.clip(tc.trust_mean + tc.trust_sd * rng.normal("init_trust", 0, (N,)), 0, 1)
    s.stress[:] = P.stress_base
    s.cohesion[:] = C.cohesion_base
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
    people_cap = e.p.selling.capacity * s.ramp
    lead_share = mk.lead / mk.lead.sum()
    demand = mk.lead.sum()
    # written in place: at a million reps each (B, N, S) temporary is 24 bytes per rep
    np.multiply(np.minimum(people_cap, demand)[:, :, None], lead_share[None, None, :], out=s.pipeline)
    np.divide(s.pipeline, mk.hazard[None, None, :], out=s.pipeline)
    np.multiply(s.pipeline, mk.size[None, None, :], out=s.pipeline_value)


def _update_ramp(e, grow: bool = False) -> None:
    """Ramp-up and productivity from tenure (after adding this week's tenure if ``grow``)."""
    s = e.s
    if getattr(s, "ramp", None) is None or s.ramp.shape != s.tenure.shape:
        s.ramp, s.productivity = np.empty_like(s.tenure), np.empty_like(s.tenure)
    kernels.tenure_and_ramp(s.active, grow, s.tenure, rowvec(e.p.people.ramp_weeks, e.B), e.sw.ramp,
                            np.ascontiguousarray(e.change_factor, dtype=np.float64), s.ramp, s.productivity)


def effort(e, t: int) -> None:
    """P1 effort: e = clip(e0 + a_m (m-.5) + a_t (tau-.5) + a_c g + a_a A - a_s max(sigma-.5, 0))."""
    s, P, L = e.s, e.p.people, e.p.leadership
    if not e.sw.effort:
        s.effort = np.full_like(s.morale, 0.5)
        return
    acc = L.accountability + e.mods.get("accountability", 0.0)
    B = e.B
    rp = np.stack([rowvec(v, B) for v in (P.effort_base, P.effort_morale, P.effort_trust,
                                         L.communication_effort * L.communication, L.accountability_effort * acc,
                                         P.effort_stress)], axis=1)
    if s.effort.shape != s.morale.shape or not s.effort.flags.writeable:
        s.effort = np.empty_like(s.morale)
    kernels.effort_step(rp, s.morale, s.trust, s.stress, s.effort)


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
    tanh_pace = e.scratch("tanh_pace", (B, e.N))
    np.tanh(np.subtract(s.pace, 1.0, out=tanh_pace), out=tanh_pace)
    kernels.people_step(st.members_ptr, st.members, st.team_of_i, st.complete, st.adj_ptr, st.adj_idx, st.adj_val,
                        rp, flags, float(np.log(3.0)), s.active, s.toxic, s.wins_week, s.pace, tanh_pace,
                        s.stress, s.morale, s.trust, s.skill, s.potential, s.cohesion, s.resistance, s.ramp,
                        s.revenue_week, worked if worked is not None else s.revenue_week, s.log_strength,
                        s.quota_year, s.weeks_year, e.rng.key("mood"), e.rng.week_base(t),
                        e.scratch("people", (3, e.N)), e.scratch("people_teams", (5, st.n_teams)))


def turnover(e, t: int) -> None:
    """P6-P7: voluntary quits from the hazard, other exits, hiring into vacancies, tenure and ramp."""
    s, P, L, sw = e.s, e.p.people, e.p.leadership, e.sw
    B = e.B
    act = s.active
    quits = np.zeros_like(act)
    if sw.attrition:
        terms = {"quit_base": P.quit_base, "quit_morale": P.quit_morale, "quit_trust": P.quit_trust,
                 "quit_attainment": P.quit_attainment, "quit_stress": P.quit_stress,
                 "quit_cohesion": P.quit_cohesion, "fairness_term": L.fairness_quit * _c(L.fairness) * 0.5,
                 "resistance_quit": e.p.change.resistance_quit}
        rp = np.stack([rowvec(terms[k], B) for k in kernels.QUIT_PARAMS], axis=1)
        kernels.quit_draws(rp, act, s.morale, s.trust, s.pace, s.tenure, s.stress, s.cohesion, s.resistance,
                           e.rng.key("quit"), e.rng.week_base(t), quits)
    # hiring first: seats vacated in earlier weeks count down and are filled when they reach 0
    hired = np.zeros_like(act)
    if sw.hiring:
        pending = (~s.active) & (s.vacancy >= 0)
        if pending.any():
            ticking = pending & ~e.hiring_frozen
            rows, cols = np.nonzero(ticking & (s.vacancy > 0))
            s.vacancy[rows, cols] -= 1
            hired = ticking & (s.vacancy == 0)
    if s.leaving.any():  # layoffs and dismissals set by policies and culture this week
        other = s.leaving & act & ~quits
        leave = quits | other
    else:
        other, leave = None, quits
    n_quits = quits.sum(axis=1)
    n_other = other.sum(axis=1) if other is not None else np.zeros(B, dtype=n_quits.dtype)
    e.series["quits"][t] += n_quits
    e.series["exits_other"][t] += n_other
    e.counters["quits"] += n_quits
    e.counters["exits_other"] += n_other
    if leave.any():
        _close_rep_years(e, leave)
        rows, cols = np.nonzero(leave)
        s.active[rows, cols] = False
        h = rowvec(P.pipeline_handover, B)[rows][:, None]
        s.pipeline[rows, cols] *= h
        s.pipeline_value[rows, cols] *= h
        s.toxic[rows, cols] = False
        s.resistance[rows, cols] = 0.0
        s.adopted[rows, cols] = False
        s.adopt_age[rows, cols] = 0.0
        s.vacancy[rows, cols] = np.rint(rowvec(P.hire_lag_weeks, B)[rows]).astype(np.int32) if sw.hiring else -1
        for name, kind in (("quit", quits), ("exit", other)):
            if kind is not None and kind.any() and e.B == 1:
                e.log(name, ",".join(str(i) for i in np.flatnonzero(kind[0])))
        if sw.hiring:
            # a lag of 0 refills a seat in the week it was left
            hired = hired | (leave & (s.vacancy == 0) & ~e.hiring_frozen)
    if hired.any():
        hire(e, t, hired, count=False)
    n_hired = hired.sum(axis=1)
    e.series["hires"][t] += n_hired
    e.counters["hires"] += n_hired
    _update_ramp(e, grow=True)


def hire(e, t: int, mask: np.ndarray, skill: float | None = None, toxic: bool | None = None,
         count: bool = True) -> None:
    """Fill the seats in ``mask`` with new reps (draws from the ``hire_*`` streams).

    Only the filled seats are drawn and written. ``count`` adds them to the week's hires
    (turnover counts its own refills).
    """
    s, P, tc, C = e.s, e.p.people, e.cfg.team, e.p.culture
    B, S = e.B, e.S
    mask = np.broadcast_to(np.asarray(mask, dtype=bool), (B, e.N))
    rows, cols = np.nonzero(mask)
    row_of = lambda v: rowvec(v, B)[rows]  # noqa: E731  (a per-row parameter at each filled seat)
    if rows.size:
        if skill is None:
            pot = np.clip(tc.skill_mean + tc.skill_sd * e.rng.at("hire_potential", t, rows, cols, normal=True), 0.02, 1.0)
        else:
            pot = row_of(skill)
        s.potential[rows, cols] = pot
        s.skill[rows, cols] = np.clip(pot - row_of(P.new_hire_skill_gap), 0.0, 1.0)
        js = (cols[:, None] * S + np.arange(S)[None, :]).reshape(-1)
        ls = tc.strength_sd * e.rng.at("hire_strength", t, np.repeat(rows, S), js, normal=True)
        s.log_strength[rows, cols] = ls.reshape(-1, S)
        s.morale[rows, cols] = row_of(P.new_hire_morale)
        s.trust[rows, cols] = row_of(P.new_hire_trust)
        s.stress[rows, cols] = row_of(P.stress_base)
        s.cohesion[rows, cols] = row_of(C.cohesion_base * (0.6 if e.sw.cohesion else 1.0))
        s.resistance[rows, cols] = 0.0
        s.pace[rows, cols] = 1.0
        s.tenure[rows, cols] = 0.0
        for arr in (s.revenue_year, s.quota_year, s.weeks_year):
            arr[rows, cols] = 0.0
        if toxic is None:
            s.toxic[rows, cols] = (e.rng.at("hire_toxic", t, rows, cols) < row_of(C.toxic_hire_prob)
                                   if e.sw.toxicity else False)
        else:
            s.toxic[rows, cols] = toxic
        s.active[rows, cols] = True
        s.vacancy[rows, cols] = -1
        s.exposed[rows, cols] = e.initiative_open[None, :] if e.K else False
    if count:
        e.series["hires"][t] += mask.sum(axis=1)
        e.counters["hires"] += mask.sum(axis=1)
    if e.B == 1 and rows.size:
        e.log("hire", ",".join(str(i) for i in cols))


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
