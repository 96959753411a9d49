"""People: initial reps, recognition, stress, morale, trust and skill (submodels P2-P5).

The initial team starts at the equilibrium of its own equations (:func:`initial_targets`,
:func:`expected_pace`); skill potential grows with the learning environment and decays without
practice (:func:`potential_update`); coached strengths decay back to the innate strengths
(:func:`strength_growth`); quota growth is stress only for reps behind pace (:func:`stress_update`).

All equations are in docs/model.md. Inspiration, feedback, fairness and learning support
enter morale and trust targets centred as ``2 b - 1`` (0.5 is neutral); recognition,
coaching, communication and accountability enter as levels (0 = none), and the base
levels are calibrated at the default behaviours. The weekly update is one compiled pass per
batch row (:func:`people_step`), built from small functions named after the submodels
(:func:`stress_update`, :func:`morale_target`, :func:`trust_update`, :func:`skill_growth`,
:func:`pace_update`, ...); its per-row terms arrive by name (:data:`PEOPLE_TERMS`).
Effort (P1) is :mod:`simteam.effort`; quits, hires, tenure and ramp (P6-P7) are
:mod:`simteam.turnover`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .mechanism import Mechanism
from .leaders import effective, team_params
from .numerics import flag_record, inline, jit, normal_fast, unit, walk_active_toxic, walk_morale_skill
from .params import param
from .streams import rowvec

__all__ = ["PeopleConfig", "People", "initialise", "step", "people_step", "PEOPLE_TERMS", "PEOPLE_FLAGS"]


# ------------------------------------------------------------------------------------------------
# parameters (declared here, assembled by simteam.config.SimConfig)
# ------------------------------------------------------------------------------------------------
@dataclass
class PeopleConfig:
    """Morale, trust, stress, skill growth, quits and hires."""

    contagion: float = param(0.2, 0.0, 1.0, doc="DeGroot weight on neighbours' morale per week")
    morale_rate: float = param(0.1, 0.0, 1.0, unit="1/week", doc="relaxation rate of morale to its target")
    morale_base: float = param(0.6, 0.0, 1.0, doc="morale target with neutral drivers",
                               source="0.55 before issue 15, raised by the morale the default leader's recognition "
                               "and coaching lost when their effect sizes were fitted, so the default team's morale "
                               "level (and new hires' honeymoon above it) stays where it was")
    success_weight: float = param(0.2, 0.0, 2.0, doc="morale gain from attainment pace (tanh(pace-1))")
    stress_weight: float = param(0.25, 0.0, 2.0, doc="morale loss per unit stress")
    mood_sd: float = param(0.02, 0.0, 0.5, doc="sd of weekly idiosyncratic morale noise")
    trust_rate: float = param(0.05, 0.0, 1.0, unit="1/week", doc="relaxation rate of trust")
    trust_base: float = param(0.5, 0.0, 1.0, doc="trust target with neutral leadership")
    stress_rate: float = param(0.15, 0.0, 1.0, unit="1/week", doc="relaxation rate of stress")
    stress_base: float = param(0.2, 0.0, 1.0, doc="stress target with no pressure")
    crisis_stress: float = param(0.4, 0.0, 2.0, doc="stress per unit of demand lost in a crisis")
    effort_base: float = param(0.56, 0.0, 1.0, doc="effort with neutral drivers",
                               source="fitted (issue 15) jointly with the style contrasts; docs/calibration.md "
                               "section 4")
    effort_morale: float = param(0.5, 0.0, 2.0, doc="effort per unit morale above 0.5")
    effort_trust: float = param(0.2, 0.0, 2.0, doc="effort per unit trust above 0.5")
    effort_stress: float = param(0.4, 0.0, 2.0, doc="effort lost per unit stress above 0.5 (burnout)")
    practice_rate: float = param(0.01, 0.0, 1.0, unit="1/week", doc="skill growth toward potential from practice")
    ramp_weeks: float = param(8.0, 0.0, 104.0, unit="weeks", doc="new-hire ramp time constant (90% at 2.3x)",
                              source="Bridge Group/Xactly: 3-6 months")
    new_hire_skill_gap: float = param(0.1, 0.0, 1.0, doc="skill below potential at hire")
    potential_growth: float = param(0.0005, 0.0, 0.1, unit="1/week", doc="growth of skill potential per unit "
                                    "learning drive (learning support + feedback + weakness coaching), x (1 - potential)",
                                    source="assumption (issue 13; deliberate practice: Ericsson et al. 1993)")
    potential_decay: float = param(0.02, 0.0, 1.0, unit="1/week", doc="decay of grown potential back to the innate "
                                   "level per unit of missing practice (1 - worked/capacity)",
                                   source="assumption (skill decay without use: Arthur et al. 1998)")
    quit_base: float = param(0.0038, 0.0, 1.0, unit="1/week", doc="baseline weekly quit hazard",
                             source="fitted (issue 15): 25-40% annual turnover, jointly with the style contrasts")
    quit_morale: float = param(3.0, 0.0, 20.0, doc="log-hazard per unit morale below 0.6",
                               source="assumption, not identified by the targets; a hazard ratio of 1.16 per SD of "
                               "morale, below the 1.25-1.55 of r = -.1 to -.2 (docs/calibration.md section 4)")
    quit_trust: float = param(1.5, 0.0, 20.0, doc="log-hazard per unit trust below 0.5",
                              source="assumption (half the morale slope), not identified by the targets")
    quit_attainment: float = param(1.0, 0.0, 10.0, doc="log-hazard per unit attainment pace below 1")
    quit_stress: float = param(1.0, 0.0, 10.0, doc="log-hazard per unit stress")
    quit_cohesion: float = param(1.0, 0.0, 10.0, doc="log-hazard reduction per unit cohesion above 0.5")
    quit_outside: float = param(2.5, 0.0, 20.0, doc="log-hazard per unit of the outside job market above "
                                "normal (it falls with economy-wide demand shocks)",
                                source="BLS JOLTS: quits rate fell ~40% in 2008-09; mapped to the recession "
                                "preset's ~21% demand loss")
    outside_weeks: float = param(13.0, 1.0, 104.0, unit="weeks", doc="EMA window of the outside job market "
                                 "(how fast jobs dry up after demand)", source="assumption")
    hire_lag_weeks: int = param(6, 0, 104, unit="weeks", doc="time to hire: weeks a search takes once it is worked",
                                source="assumption; sales time-to-fill surveys put it at 5-10 weeks")
    recruiting_capacity: int = param(2, 1, 10_000, doc="searches a team's leader works at once (oldest "
                                     "vacancies first); others wait", source="assumption (issue 13)")
    pipeline_handover: float = param(0.5, 0.0, 1.0, doc="share of a leaver's open pipeline kept in the seat "
                                     "for the successor (the rest is lost)")
    new_hire_morale: float = param(0.6, 0.0, 1.0, doc="mean morale of a new hire (honeymoon: a little above "
                                   "the incumbents' equilibrium)",
                                   source="Boswell, Boudreau & Tichy (2005) honeymoon effect; size an assumption")
    new_hire_morale_sd: float = param(0.1, 0.0, 0.5, doc="sd of a new hire's morale (normal, clipped to [0, 1])",
                                      source="assumption (as the initial morale spread)")
    new_hire_trust: float = param(0.55, 0.0, 1.0, doc="trust of a new hire")

#: Per-row terms of the people kernel (one record per batch row, read by name).
PEOPLE_TERMS = ("damp", "recognition", "recognition_morale", "recognition_top",
                "stress_head", "toxic_stress", "stress_relief", "quota_stress", "stress_rate",
                "morale_base", "success_weight", "inspiration_term", "feedback_term", "coaching_term",
                "stress_weight", "toxic_morale", "resistance_morale", "morale_mod", "morale_rate", "mood_sd",
                "contagion", "trust_head", "toxic_trust", "tolerated_trust", "trust_mod", "trust_rate",
                "practice", "capacity0", "feedback_skill", "coach_skill", "peer", "strength_growth", "strength_decay",
                "strength_practice", "potential_drive", "potential_decay", "quota_now", "attainment_window")
#: Switches of the people kernel (the mechanism switches it reads, plus whether the week's worked
#: opportunities are known and whether strengths coaching is on at all).
PEOPLE_FLAGS = ("toxicity", "recognition", "stress", "morale_drivers", "mood_noise", "contagion", "cohesion",
                "trust_dynamics", "skill_growth", "peer_learning", "worked_known", "strength_coaching", "potential_growth")


def _c(b):
    """Centre a behaviour in [0, 1] to [-1, 1]."""
    return 2.0 * b - 1.0


def role_ambiguity_stress(L, acc):
    """Stress-target term of unclear roles (switch role_ambiguity, docs/model.md 7.4):
    ``ambiguity_stress x max(0, 1 - communication - accountability)``; ``acc`` the accountability in force.

    >>> from types import SimpleNamespace as NS
    >>> float(role_ambiguity_stress(NS(ambiguity_stress=0.3, communication=0.25), 0.25))
    0.15
    """
    return L.ambiguity_stress * np.maximum(0.0, 1.0 - L.communication - acc)


def initial_targets(P, L, segments, capacity, ambiguity: bool = False):
    """The equilibrium (morale, trust, stress) means a team starts from (``team.initial_state = equilibrium``).

    Each is the target of its equation (docs/model.md 7.4) at the start of a run, with no toxic peers, no
    resistance, no crisis and pace 1: stress psi* = clip(psi_0 + g_A acc [+ g_amb max(0, 1 - comm - acc) with
    ``ambiguity``, the switch role_ambiguity]); trust tau* = the trust target;
    morale m* = clip(base + leader terms + expected recognition - w_psi psi*), where a rep is recognised for a
    win with probability 1 - exp(-Lambda), Lambda = min(c0, sum lambda_s) sum_s (lambda_s / sum lambda) w_s the
    expected closes of a ramped rep at the base win rates, and on pace with probability 1/2. ``P``, ``L``:
    the people and leadership parameters (scalars or per-row arrays).
    """
    lam = np.array([sg.lead_rate for sg in segments], dtype=float)
    win = np.array([sg.win_rate for sg in segments], dtype=float)
    tot = max(float(lam.sum()), 1e-12)
    closes = np.minimum(capacity, tot) * float(np.sum(lam / tot * win))
    p_win = 1.0 - np.exp(-closes)
    head = P.stress_base + L.accountability_stress * L.accountability
    if ambiguity:  # switch role_ambiguity
        head = head + role_ambiguity_stress(L, L.accountability)
    stress = np.clip(head, 0.0, 1.0)
    trust = np.clip(P.trust_base + L.inspiration_trust * _c(L.inspiration) + L.fairness_trust * _c(L.fairness)
                    - 0.1 * L.accountability * (1.0 - L.inspiration), 0.0, 1.0)
    rec = L.recognition * (L.recognition_morale * p_win + L.recognition_top * 0.5)
    morale = np.clip(P.morale_base + L.inspiration_morale * _c(L.inspiration) + rec
                     + L.feedback_morale * _c(L.feedback) + L.coaching_morale * L.coaching * L.coaching_focus
                     - P.stress_weight * stress, 0.0, 1.0)
    return morale, trust, stress


def initialise(e) -> None:
    """The initial reps: state from distributions (streams ``init_*``) or from a roster (:meth:`People.init`)."""
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
    if tc.initial_state == "equilibrium":
        m0, tr0, st0 = initial_targets(P, e.p.leadership, cfg.market.segments, e.p.selling.capacity,
                                         ambiguity=e.sw.role_ambiguity)
    else:
        m0, tr0, st0 = tc.morale_mean, tc.trust_mean, P.stress_base
    s.morale[:] = np.clip(m0 + tc.morale_sd * rng.normal("init_morale", 0, (N,)), 0, 1)
    s.trust[:] = np.clip(tr0 + tc.trust_sd * rng.normal("init_trust", 0, (N,)), 0, 1)
    s.stress[:] = st0
    s.cohesion[:] = C.cohesion_base
    s.pace[:] = 1.0
    if tc.initial_toxic:
        # first seat of the first teams (deterministic, so strategies compare on the same culture)
        firsts = np.flatnonzero(np.r_[True, np.diff(e.structure.team_of) != 0])
        seats = firsts[: tc.initial_toxic] if tc.initial_toxic <= firsts.size else np.arange(tc.initial_toxic)
        s.toxic[:, seats] = True
    if e.roster is not None:
        e.roster.apply(e)
    s.strength0[:] = s.log_strength  # the innate strengths coaching builds on (and decays back to)
    s.potential0[:] = s.potential  # the innate potential learning builds on (and decays back to)


# ------------------------------------------------------------------------------------------------
# the compiled kernel, one small function per submodel of docs/model.md (P2-P5)
# ------------------------------------------------------------------------------------------------
@inline
def recognition_term(r, won, top):
    """P2 recognition: R (r_m [won a deal] + r_t [on pace])."""
    return r.recognition * (r.recognition_morale * won + r.recognition_top * top)


@inline
def stress_update(r, st, harm, res, pace):
    """P3 stress: sigma += r_s (clip(head + toxic harm + 0.3 rho - relief + quota pressure [pace < 1]) - sigma):
    a raised quota weighs only on a rep whose attainment does not keep up with it."""
    behind = 1.0 if pace < 1.0 else 0.0
    target = r.stress_head + r.toxic_stress * harm + 0.3 * res - r.stress_relief + r.quota_stress * behind
    return st + r.stress_rate * (min(max(target, 0.0), 1.0) - st)


@inline
def morale_target(r, tanh_pace, rec, st, harm, res):
    """P4 morale target: base + success + leader terms + recognition - stress - toxic harm - resistance."""
    return (r.morale_base + r.success_weight * tanh_pace + r.inspiration_term + rec + r.feedback_term
            + r.coaching_term - r.stress_weight * st - r.toxic_morale * harm - r.resistance_morale * res
            + r.morale_mod)


@inline
def trust_update(r, tr, harm, team_tox, res):
    """P5 trust: tau += r_t (clip(head - toxic harm - tolerated toxicity - 0.2 rho + mod) - tau)."""
    target = r.trust_head - r.toxic_trust * harm - r.tolerated_trust * team_tox - 0.2 * res + r.trust_mod
    return tr + r.trust_rate * (min(max(target, 0.0), 1.0) - tr)


@inline
def potential_update(r, pot, pot0, taken, worked_known):
    """P5 potential: kbar += g D (1 - kbar) - d (1 - min(worked / c0, 1)) (kbar - kbar0): grows with the
    learning drive with diminishing returns, decays back to the innate level without practice."""
    pr = min(taken / r.capacity0, 1.0) if worked_known else 1.0
    new = pot + r.potential_drive * (1.0 - pot) - r.potential_decay * (1.0 - pr) * (pot - pot0)
    return min(max(new, 0.0), 1.0)


@inline
def skill_growth(r, sk, potential, taken, worked_known, weak_share, af):
    """P5 skill: k += (practice x worked + feedback + coaching x weakness weight) (potential - k)_+."""
    gap = max(potential - sk, 0.0)
    pr = r.practice * (taken / r.capacity0) if worked_known else r.practice * 1.0
    weak_w = (1.0 - sk) * af / max(weak_share, 1e-12) if weak_share > 0 else 0.0
    return sk + (pr + r.feedback_skill + r.coach_skill * weak_w) * gap


@inline
def strength_growth(r, b, i, log_strength, strength0, practice, log3):
    """Strengths coaching: coached strength decays toward the innate level at d (1 - phi min(practice, 1)),
    then the rep's best segment strength grows by g, capped at ln 3."""
    S = log_strength.shape[2]
    keep = 1.0 - r.strength_decay * (1.0 - r.strength_practice * min(practice, 1.0))
    for s in range(S):
        log_strength[b, i, s] = strength0[b, i, s] + keep * (log_strength[b, i, s] - strength0[b, i, s])
    best = 0
    for s in range(1, S):
        if log_strength[b, i, s] > log_strength[b, i, best]:
            best = s
    log_strength[b, i, best] = min(log_strength[b, i, best] + r.strength_growth, log3)


@inline
def pace_update(r, b, i, a, af, revenue_week, ramp, pace, quota_year, weeks_year):
    """Attainment pace (moving average of annualised revenue / ramped quota) and the year's quota."""
    quota_now = r.quota_now
    q = quota_now * max(ramp[b, i], 0.05)
    pace_now = revenue_week[b, i] * 52.0 / max(q, 1e-300) if q > 0 else 1.0
    if a:
        pace[b, i] = pace[b, i] + (pace_now - pace[b, i]) / r.attainment_window
        quota_year[b, i] = quota_year[b, i] + quota_now * ramp[b, i] / 52.0
    else:
        pace[b, i] = pace[b, i] + 0.0
        quota_year[b, i] = quota_year[b, i] + 0.0
    weeks_year[b, i] = weeks_year[b, i] + af


@inline
def contagion_update(r, m, nm, na, cohesion, use_cohesion):
    """P4 DeGroot contagion: m <- (1 - w) m + w (mean morale of filled peers), w = c (2 kappa)."""
    w = r.contagion * (2.0 * cohesion) if use_cohesion else r.contagion * 1.0
    w = min(max(w, 0.0), 1.0) * (1.0 if na > 0 else 0.0)
    nbr_mean = nm / max(na, 1e-300)
    return (1.0 - w) * m + w * nbr_mean


@inline
def peer_learning(r, sk, nsk, na, potential, cohesion):
    """P5 peer learning: k += l_p kappa min((peer mean skill - k)_+, (potential - k)_+)."""
    nbr_skill = nsk / max(na, 1e-300)
    room = max(potential - sk, 0.0)
    lift = min(max(nbr_skill - sk, 0.0), room) * (1.0 if na > 0 else 0.0)
    return sk + r.peer * cohesion * lift


@inline
def team_exposure_sums(b, t_ptr, t_idx, active, toxic, skill, t_act, t_tox, t_weak):
    """Per team, in seat order: filled seats, toxic filled seats, weakness (1 - skill) x filled."""
    for t in range(t_ptr.shape[0] - 1):
        sa = 0.0
        sx = 0.0
        sw = 0.0
        for m in range(t_ptr[t], t_ptr[t + 1]):
            i = t_idx[m]
            af = 1.0 if active[b, i] else 0.0
            xf = 1.0 if (toxic[b, i] and active[b, i]) else 0.0
            wk = (1.0 - skill[b, i]) * af
            if m == t_ptr[t]:
                sa, sx, sw = af, xf, wk
            else:
                sa, sx, sw = sa + af, sx + xf, sw + wk
        t_act[t] = sa
        t_tox[t] = sx
        t_weak[t] = sw


@inline
def team_morale_skill_sums(b, t_ptr, t_idx, active, morale, skill, t_m, t_sk):
    """Per team, in seat order: the filled seats' morale and skill sums (complete graphs)."""
    for t in range(t_ptr.shape[0] - 1):
        sm = 0.0
        ss = 0.0
        for m in range(t_ptr[t], t_ptr[t + 1]):
            i = t_idx[m]
            af = 1.0 if active[b, i] else 0.0
            if m == t_ptr[t]:
                sm, ss = morale[b, i] * af, skill[b, i] * af
            else:
                sm, ss = sm + morale[b, i] * af, ss + skill[b, i] * af
        t_m[t] = sm
        t_sk[t] = ss


@jit
def people_step(t_ptr, t_idx, team_of, complete, a_ptr, a_idx, a_val, params, flags, log3,
                active, toxic, wins_week, pace, tanh_pace, stress, morale, trust, skill, potential, potential0,
                cohesion,
                resistance, ramp, revenue_week, taken, log_strength, strength0, quota_year, weeks_year,
                key_mood, base, scratch, team_scratch):
    """Recognition, stress, morale (drivers, mood, DeGroot contagion), trust, skill, pace for every row.

    ``params``: one record per row and team with the fields :data:`PEOPLE_TERMS`; ``flags``: a one-record
    array with the fields :data:`PEOPLE_FLAGS`. ``tanh_pace`` is ``tanh(pace - 1)`` (numpy's tanh,
    computed by the caller); once a row's first pass has read it, the row holds the new morale of the
    second pass (so it is overwritten). ``scratch`` (2, N) and ``team_scratch`` (5, T) are work arrays kept
    by the engine between weeks, reused row by row.
    """
    fl = flags[0]
    f_tox, f_rec, f_stress, f_drivers, f_mood, f_contagion = (fl.toxicity, fl.recognition, fl.stress,
                                                              fl.morale_drivers, fl.mood_noise, fl.contagion)
    f_cohesion, f_trust, f_skill, f_peer, f_worked, f_strength = (fl.cohesion, fl.trust_dynamics, fl.skill_growth,
                                                                  fl.peer_learning, fl.worked_known,
                                                                  fl.strength_coaching)
    f_potential = fl.potential_growth
    B, N = active.shape
    nbr_act, sk_new = scratch[0], scratch[1]
    t_act, t_tox, t_weak, t_m, t_sk = (team_scratch[0], team_scratch[1], team_scratch[2], team_scratch[3],
                                       team_scratch[4])
    for b in range(B):
        tm = params.shape[1] - 1
        mood_sd = params[b, 0].mood_sd
        team_exposure_sums(b, t_ptr, t_idx, active, toxic, skill, t_act, t_tox, t_weak)
        # pass 1: everything that reads only the seat itself and start-of-week neighbours
        for i in range(N):
            t = team_of[i]
            r = params[b, min(t, tm)]
            a = active[b, i]
            af_i = 1.0 if a else 0.0
            if complete:
                na = t_act[t] - af_i
                ntox = t_tox[t] - (1.0 if (toxic[b, i] and a) else 0.0)
            else:
                na, ntox = walk_active_toxic(i, b, active, toxic, a_ptr, a_idx, a_val)
            nbr_act[i] = na
            harm = 0.0
            team_tox = 0.0
            if f_tox:
                harm = ntox / max(na, 1.0) * r.damp
                team_tox = 1.0 if t_tox[t] > 0 else 0.0
            rec = 0.0
            if f_rec:
                won = 1.0 if wins_week[b, i] > 0 else 0.0
                top = 1.0 if pace[b, i] >= 1.0 else 0.0
                rec = recognition_term(r, won, top)
            res = resistance[b, i]
            st = stress[b, i]
            if f_stress:
                st = stress_update(r, st, harm, res, pace[b, i])
                stress[b, i] = st
            m = morale[b, i]
            if f_drivers:
                target = morale_target(r, tanh_pace[b, i], rec, st, harm, res)
                m = m + r.morale_rate * (min(max(target, 0.0), 1.0) - m)
            if f_mood:
                m = m + mood_sd * normal_fast(unit(key_mood[b], base, i))
            m = min(max(m, 0.0), 1.0)
            morale[b, i] = m
            if f_trust:
                trust[b, i] = trust_update(r, trust[b, i], harm, team_tox, res)
            if f_skill:
                if f_potential and a:
                    potential[b, i] = potential_update(r, potential[b, i], potential0[b, i], taken[b, i], f_worked)
                tw = t_weak[t] / max(t_act[t], 1.0)
                skill[b, i] = skill_growth(r, skill[b, i], potential[b, i], taken[b, i], f_worked, tw, af_i)
                if f_strength and a:
                    prac = taken[b, i] / r.capacity0 if f_worked else 1.0
                    strength_growth(r, b, i, log_strength, strength0, prac, log3)
            pace_update(r, b, i, a, af_i, revenue_week, ramp, pace, quota_year, weeks_year)
        # pass 2: DeGroot contagion and peer learning read the neighbours' pass-1 values
        if f_contagion or (f_skill and f_peer):
            m_new = tanh_pace[b]  # read only by pass 1: from here on this row is work space
            if complete:
                team_morale_skill_sums(b, t_ptr, t_idx, active, morale, skill, t_m, t_sk)
            for i in range(N):
                t = team_of[i]
                r = params[b, min(t, tm)]
                na = nbr_act[i]
                if complete:
                    af_i = 1.0 if active[b, i] else 0.0
                    nm, nsk = t_m[t] - morale[b, i] * af_i, t_sk[t] - skill[b, i] * af_i
                else:
                    nm, nsk = walk_morale_skill(i, b, active, morale, skill, a_ptr, a_idx, a_val)
                m_new[i] = morale[b, i]
                if f_contagion and active[b, i]:
                    m_new[i] = contagion_update(r, morale[b, i], nm, na, cohesion[b, i], f_cohesion)
                sk_new[i] = skill[b, i]
                if f_skill and f_peer:
                    sk_new[i] = peer_learning(r, skill[b, i], nsk, na, potential[b, i], cohesion[b, i])
            for i in range(N):
                morale[b, i] = m_new[i]
                skill[b, i] = sk_new[i]
        if f_skill:
            for i in range(N):
                skill[b, i] = min(max(skill[b, i], 0.0), 1.0)


def step(e, t: int) -> None:
    """P2-P5: recognition, stress, morale (drivers, then DeGroot contagion), trust, skill.

    One compiled pass per row (:func:`people_step`); the per-row terms are formed here, by name,
    with the same operations as the equations in docs/model.md.
    """
    s, P, L, C, sw = e.s, e.p.people, effective(e), e.p.culture, e.sw
    st = e.structure
    B = e.B
    org = e.org
    acc = L.accountability + org.accountability
    worked = getattr(e.selling, "taken", None)
    g = L.coaching_strength * L.coaching * L.coaching_focus
    stress_head = P.stress_base + L.accountability_stress * acc + P.crisis_stress * e.market.crisis[:, None]
    if sw.role_ambiguity:  # unclear roles under passive leadership (docs/model.md 7.4)
        stress_head = stress_head + role_ambiguity_stress(L, acc)
    terms = {
        "damp": 1.0 - L.communication_damping * L.communication,
        "recognition": L.recognition, "recognition_morale": L.recognition_morale,
        "recognition_top": L.recognition_top,
        "stress_head": stress_head,
        "toxic_stress": C.toxic_stress, "stress_relief": org.stress_relief,
        "quota_stress": 0.2 * np.maximum(org.quota_factor - 1.0, 0.0), "stress_rate": P.stress_rate,
        "morale_base": P.morale_base, "success_weight": P.success_weight,
        "inspiration_term": L.inspiration_morale * _c(L.inspiration), "feedback_term": L.feedback_morale * _c(L.feedback),
        "coaching_term": L.coaching_morale * L.coaching * L.coaching_focus, "stress_weight": P.stress_weight,
        "toxic_morale": C.toxic_morale, "resistance_morale": e.p.change.resistance_morale,
        "morale_mod": org.morale, "morale_rate": P.morale_rate, "mood_sd": P.mood_sd,
        "contagion": P.contagion,
        "trust_head": (P.trust_base + L.inspiration_trust * _c(L.inspiration) + L.fairness_trust * _c(L.fairness)
                       - 0.1 * L.accountability * (1.0 - L.inspiration)),
        "toxic_trust": C.toxic_trust, "tolerated_trust": L.toxic_trust * L.toxic_tolerance,
        "trust_mod": org.trust, "trust_rate": P.trust_rate,
        "practice": P.practice_rate * (1.0 + L.learning_skill * _c(L.learning_support) * 0.5),
        "capacity0": np.maximum(e.p.selling.capacity, 1e-9),  # per row: a row never depends on other rows
        "feedback_skill": L.feedback_skill * L.feedback,
        "coach_skill": L.coaching_skill * L.coaching * (1.0 - L.coaching_focus),
        "peer": L.peer_learning_rate * L.learning_support * 2.0, "strength_growth": g,
        "strength_decay": L.strength_decay, "strength_practice": L.strength_practice,
        "potential_drive": P.potential_growth * (L.learning_support + L.feedback
                                                 + L.coaching * (1.0 - L.coaching_focus)),
        "potential_decay": P.potential_decay,
        "quota_now": e.p.selling.quota * org.quota_factor, "attainment_window": e.p.selling.attainment_window,
    }
    flags = flag_record(PEOPLE_FLAGS, {
        "toxicity": sw.toxicity, "recognition": sw.recognition, "stress": sw.stress,
        "morale_drivers": sw.morale_drivers, "mood_noise": bool(sw.mood_noise and np.any(P.mood_sd)),
        "contagion": bool(sw.contagion and np.any(P.contagion)), "cohesion": sw.cohesion,
        "trust_dynamics": sw.trust_dynamics, "skill_growth": sw.skill_growth, "peer_learning": sw.peer_learning,
        "worked_known": worked is not None, "strength_coaching": bool(np.any(g)),
        "potential_growth": sw.potential_growth})
    tanh_pace = e.scratch("tanh_pace", (B, e.N))
    np.tanh(np.subtract(s.pace, 1.0, out=tanh_pace), out=tanh_pace)
    people_step(st.members_ptr, st.members, st.team_of_i, st.complete, st.adj_ptr, st.adj_idx, st.adj_val,
                team_params(PEOPLE_TERMS, terms, B), flags, float(np.log(3.0)), s.active, s.toxic, s.wins_week,
                s.pace, tanh_pace, s.stress, s.morale, s.trust, s.skill, s.potential, s.potential0, s.cohesion,
                s.resistance,
                s.ramp, s.revenue_week, worked if worked is not None else s.revenue_week, s.log_strength, s.strength0,
                s.quota_year, s.weeks_year, e.rng.key("mood"), e.rng.week_base(t),
                e.scratch("people", (2, e.N)), e.scratch("people_teams", (5, st.n_teams)))


def expected_pace(e) -> np.ndarray:
    """Each seat's expected attainment pace at the start (B, N): 52 x the expected weekly revenue of its
    steady-state pipeline at its initial win probabilities (effort from the effort equation), over its
    ramped quota. The attainment pace starts here under ``team.initial_state = equilibrium``."""
    if e.N > _PACE_BLOCK:  # in blocks of seats: the same numbers, without (B, N, S) temporaries at a million reps
        return np.concatenate([_expected_pace(e, slice(j, j + _PACE_BLOCK)) for j in range(0, e.N, _PACE_BLOCK)],
                              axis=1)
    return _expected_pace(e, slice(None))


#: Seats per block in :func:`expected_pace` (elementwise arithmetic: blocks do not change the numbers).
_PACE_BLOCK = 65_536


def _expected_pace(e, j: slice) -> np.ndarray:
    """:func:`expected_pace` for the seats ``j``."""
    from types import SimpleNamespace

    st, P, L, sp = e.s, e.p.people, e.p.leadership, e.p.selling
    s = SimpleNamespace(**{k: getattr(st, k)[:, j] for k in ("morale", "trust", "stress", "skill", "log_strength",
                                                              "pipeline_value", "ramp")})
    mk = e.market
    effort = np.clip(P.effort_base + P.effort_morale * (s.morale - 0.5) + P.effort_trust * (s.trust - 0.5)
                     + L.communication_effort * L.communication + L.accountability_effort * L.accountability
                     - P.effort_stress * np.maximum(s.stress - 0.5, 0.0), 0.0, 1.0)
    def per_seg(v):  # a per-row parameter ((B, 1) in a sweep) against (B, N, S) arrays
        return v[..., None] if np.ndim(v) == 2 else v

    logit = (mk.win_logit[None, None, :] + per_seg(sp.skill_logit) * (s.skill - 0.5)[:, :, None]
             + per_seg(sp.strength_logit) * s.log_strength + per_seg(sp.morale_logit) * (s.morale - 0.5)[:, :, None]
             + per_seg(sp.effort_logit) * (effort - 0.5)[:, :, None])
    pw = 1.0 / (1.0 + np.exp(-logit))
    weekly = np.sum(mk.hazard[None, None, :] * s.pipeline_value * pw, axis=2)
    quota = sp.quota * np.maximum(s.ramp, 0.05)
    return np.where(quota > 0, 52.0 * weekly / np.where(quota > 0, quota, 1.0), 1.0)


class People(Mechanism):
    """P2-P5 and the initial reps (the mechanism object the engine calls)."""

    name = "people"

    def init(self, e) -> None:
        initialise(e)

    def start(self, e) -> None:
        """At equilibrium: each rep's pace starts at its expected attainment (the pipeline is known now), and
        morale takes the matching success term of its target."""
        if e.cfg.team.initial_state != "equilibrium" or e.roster is not None:
            return  # a roster's team starts from its own data (attainment, engagement)
        s = e.s
        pace0 = expected_pace(e)
        s.pace[:] = np.where(s.active, pace0, 1.0)
        s.morale[:] = np.clip(s.morale + e.p.people.success_weight * np.tanh(s.pace - 1.0), 0.0, 1.0)

    def step(self, e, t: int) -> None:
        step(e, t)

    def on_hire(self, e, rows, cols) -> None:
        """A new rep: potential [``hire_potential``], skill, strengths [``hire_strength``], morale [``hire_morale``],
        trust, stress, pace."""
        s, P, tc = e.s, e.p.people, e.cfg.team
        B, S, t = e.B, e.S, e.week
        row_of = lambda v: rowvec(v, B)[rows]  # noqa: E731  (a per-row parameter at each filled seat)
        spec = e.hire_spec
        if spec is None or spec.potential is None:
            pot = np.clip(tc.skill_mean + tc.skill_sd * e.rng.at("hire_potential", t, rows, cols, normal=True), 0.02, 1.0)
        else:
            pot = row_of(spec.potential)  # per row in a sweep
        s.potential[rows, cols] = pot
        s.potential0[rows, cols] = pot
        s.skill[rows, cols] = np.clip(pot - row_of(P.new_hire_skill_gap), 0.0, 1.0)
        js = (cols[:, None] * S + np.arange(S)[None, :]).reshape(-1)
        ls = tc.strength_sd * e.rng.at("hire_strength", t, np.repeat(rows, S), js, normal=True)
        s.log_strength[rows, cols] = ls.reshape(-1, S)
        s.strength0[rows, cols] = ls.reshape(-1, S)
        z = e.rng.at("hire_morale", t, rows, cols, normal=True)
        s.morale[rows, cols] = np.clip(row_of(P.new_hire_morale) + row_of(P.new_hire_morale_sd) * z, 0.0, 1.0)
        s.trust[rows, cols] = row_of(P.new_hire_trust)
        s.stress[rows, cols] = row_of(P.stress_base)
        s.pace[rows, cols] = 1.0
