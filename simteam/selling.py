"""Selling: allocation of opportunities to reps, pipeline, wins and revenue (submodel S).

Per week, for rep i and segment s (docs/model.md):

* capacity          c_i = c0 (1 - e_c/2 + e_c e_i) pi_i
* allocation        a_is = act_i exp(beta phi (ln str_is + sigma_n eps_is)) / sum_team(...)
* coverage          n_T = filled seats + v (seats - filled seats),  v = vacant_lead_coverage
* offered           O_is = lambda_s D_s n_T a_is  (+ pivot prospecting in slack, at most the
                    rep's share lambda_s (D0_s - D_s) n_T a_is of the demand the shocks displaced)
* taken             x_i = min(O_i, c_i), selected fraction f_i = x_i / O_i; with segment allocation (submodel A)
                    x_is = min(O_is, c_i h_s (1 - delta)) in the hours the leader committed to segment s, plus
                    spare committed hours on the other segments' leftovers at the unplanned efficiency u
* selection gain    Q_i = Phi(rho sigma_q - Phi^-1(1 - f_i)) / f_i,  rho = sigma_q / sqrt(sigma_q^2 + sigma_n^2)
* pipeline          P_is <- P_is (1 - h_s) + x_is,  V_is <- V_is (1 - h_s) + x_is v_s Q_i
* wins              W_i ~ Poisson(sum_s h_s P_is p_is),  revenue = W_i * mean value * lognormal noise
* win probability   logit p_is = logit w_s + b_k (k_i - 0.5) + b_str ln str_is + b_m (m_i - 0.5)
                                 + b_e (e_i - 0.5) + ln J_i + market shift   (J_i: J-curve factor)

``sigma_n = estimate_noise * (1 - data_orientation)``: the leader's estimates of where
value lies. The selection gain is the exact mean of a log-normal value conditional on
being in the top ``f`` of a correlated noisy ranking, so data orientation pays exactly
when reps have more opportunities than capacity.

This module declares the parameters (:class:`SellingConfig`), the compiled kernel
(:func:`selling_step`, built from :func:`allocation_weight`, :func:`capacity`,
:func:`win_probability`, :func:`selection_gain_1`, :func:`deal_revenue`; per-row terms by name,
:data:`SELLING_TERMS`) and the mechanism object :class:`Selling` (``start``: the initial pipeline at
its steady state; ``on_vacate``: the pipeline handover).
"""

from __future__ import annotations

from dataclasses import dataclass

import math

import numpy as np

from .mechanism import Mechanism
from .network import rowsum
from .leaders import effective, team_params
from .numerics import flag_record, inline, jit, ndtr, ndtri, normal_fast, poisson_inverse, unit
from .params import param
from .streams import rowvec

__all__ = ["SellingConfig", "Selling", "selection_gain", "selling_step", "SELLING_TERMS", "SELLING_FLAGS"]


# ------------------------------------------------------------------------------------------------
# parameters (declared here, assembled by simteam.config.SimConfig)
# ------------------------------------------------------------------------------------------------
@dataclass
class SellingConfig:
    """Capacity, allocation and conversion."""

    capacity: float = param(2.4, 0.0, 1000.0, unit="opps/week", doc="opportunities a fully ramped rep can open")
    effort_capacity: float = param(1.0, 0.0, 2.0, doc="how much effort scales capacity: c0*(1-e_c/2+e_c*e)")
    skill_logit: float = param(2.0, 0.0, 10.0, doc="logit win-rate gain per unit skill above 0.5")
    strength_logit: float = param(1.0, 0.0, 5.0, doc="logit gain per unit log segment strength")
    morale_logit: float = param(0.8, 0.0, 5.0, doc="logit gain per unit morale above 0.5")
    effort_logit: float = param(0.8, 0.0, 5.0, doc="logit gain per unit effort above 0.5")
    value_sd: float = param(0.6, 0.0, 3.0, doc="log-sd of opportunity values (what selection can find)")
    estimate_noise: float = param(1.2, 0.0, 5.0, doc="log-sd of the leader's value estimates at zero data orientation")
    strength_allocation: float = param(1.0, 0.0, 10.0, doc="how sharply leads follow estimated strengths (x focus)")
    quota: float = param(640.0, 1.0, 1e12, unit="k$/year", doc="annual quota per rep (at least 1 k$)",
                         source="calibrated: 45-65% of rep-years at quota")
    attainment_window: float = param(13.0, 1.0, 104.0, unit="weeks", doc="EMA window of attainment pace")
    quota_growth: float = param(0.03, -0.5, 1.0, doc="annual quota increase set at each year end (tracks demand)")
    vacant_lead_coverage: float = param(0.0, 0.0, 1.0, doc="share of a vacant seat's lead flow its teammates "
                                        "still receive (0: an empty territory's leads go unworked)",
                                        source="assumption (issue 13: lead coverage tied to filled seats)")

#: Per-row terms of the selling kernel (one record per batch row, read by name).
SELLING_TERMS = ("pivot_dip", "capacity", "effort_capacity", "noise_sd", "allocation_beta", "value_sd", "rho",
                 "skill_logit", "strength_logit", "morale_logit", "effort_logit", "pivot", "win_shift", "value_cv2",
                 "vacant_coverage", "unplanned")
#: Switches of the selling kernel: J-curve factor, estimate noise, selection gain, pivot prospecting,
#: hours committed per segment (submodel A).
SELLING_FLAGS = ("change", "estimate_noise", "selection_gain", "pivot", "hours")


# ------------------------------------------------------------------------------------------------
# the compiled kernel, one small function per equation of docs/model.md (S)
# ------------------------------------------------------------------------------------------------
@inline
def selection_gain_1(f, shift):
    """E[value | in the top f of a ranking] / E[value] for log-normal values, ``shift = rho sigma``:
    Phi(shift - Phi^-1(1 - f)) / f, exactly 1 where nothing can be ranked (f = 1 or shift = 0)."""
    fc = min(max(f, 1e-9), 1.0)
    if fc >= 1.0 or shift == 0.0:
        return 1.0
    return ndtr(shift - ndtri(1.0 - fc)) / fc


@jit
def selection_gains(f, shift, out):
    """:func:`selection_gain_1` over arrays (``shift`` broadcast by the caller)."""
    for i in range(f.size):
        out.flat[i] = selection_gain_1(f.flat[i], shift.flat[i])


@inline
def allocation_weight(r, log_strength, key, base, j, use_noise, a):
    """exp(beta (ln str_is + sigma_n eps_is)) for a filled seat (0 for a vacant one)."""
    if a == 0.0:  # a vacant seat: no draw (counter-based numbers: skipping one changes no other)
        return 0.0
    sc = log_strength
    if use_noise:
        sc = sc + r.noise_sd * normal_fast(unit(key, base, j))
    return math.exp(r.allocation_beta * sc) * a


@inline
def capacity(r, productivity, effort, a):
    """c_i = c0 (1 - e_c/2 + e_c e_i) pi_i (1 - pivot dip)."""
    prod = productivity * (1.0 - r.pivot_dip)
    ec = r.effort_capacity
    return r.capacity * (1.0 - 0.5 * ec + ec * effort) * prod * a


@inline
def win_probability(r, win_logit, skill, log_strength, morale, effort, use_change, cf):
    """logit p = logit w_s + shift + b_k (k - .5) + b_str ln str + b_m (m - .5) + b_e (e - .5) [+ ln J]."""
    lg = (win_logit + r.win_shift + r.skill_logit * (skill - 0.5)
          + r.strength_logit * log_strength + r.morale_logit * (morale - 0.5)
          + r.effort_logit * (effort - 0.5))
    if use_change:
        lg = lg + cf
    return 1.0 / (1.0 + math.exp(-lg))


@inline
def deal_revenue(wins, exp_value, lam, cv2, key, base, i):
    """Revenue of ``wins`` deals: wins x mean value x log-normal noise (no deal, no draw)."""
    if wins > 0:
        mean_value = exp_value / max(lam, 1e-300) if lam > 0 else 0.0
        s2 = math.log1p(cv2 / max(wins, 1.0))
        z = normal_fast(unit(key, base, i))
        return wins * mean_value * math.exp(math.sqrt(s2) * z - 0.5 * s2)
    return 0.0


@jit
def selling_step(t_ptr, t_idx, team_size, params, flags,
                 active, effort, productivity, skill, morale, change_factor,
                 log_strength, pipeline, pipeline_value, mix,
                 lead, hours, D, displaced, win_logit, hazard, size,
                 key_estimate, key_wins, key_value, base,
                 out_taken, wins_out, rev_out, revenue_year, seat_revenue_year, revenue_total):
    """One week of selling for every row and team (see :meth:`Selling.step`).

    ``params``: one record per row and team with the fields :data:`SELLING_TERMS`; ``flags``: a one-record
    array with the fields :data:`SELLING_FLAGS`. Teams are given as CSR member lists (``t_ptr``,
    ``t_idx``: the seats of team ``t`` in seat order). Writes the opportunities taken, wins and
    revenue, and updates the pipeline and the revenue accumulators in place.
    """
    fl = flags[0]
    use_change, use_noise, use_gain, use_pivot = fl.change, fl.estimate_noise, fl.selection_gain, fl.pivot
    use_hours = fl.hours
    B = active.shape[0]
    S = lead.shape[0]
    T = t_ptr.shape[0] - 1
    maxm = 0
    for t in range(T):
        maxm = max(maxm, t_ptr[t + 1] - t_ptr[t])
    w = np.empty((maxm, S))
    tw = np.empty(S)
    per = np.empty(S)
    off = np.empty(S)
    left = np.empty(S)
    tm = params.shape[1] - 1
    tc = hours.shape[1] - 1
    for b in range(B):
        kb_est = key_estimate[b]
        kb_win = key_wins[b]
        kb_val = key_value[b]
        for t in range(T):
            r = params[b, min(t, tm)]
            m0 = t_ptr[t]
            m1 = t_ptr[t + 1]
            # allocation weights and their team sums (seat order); filled seats
            filled = 0.0
            for m in range(m0, m1):
                i = t_idx[m]
                a = 1.0 if active[b, i] else 0.0
                filled += a
                for s in range(S):
                    wv = allocation_weight(r, log_strength[b, i, s], kb_est, base, i * S + s, use_noise, a)
                    w[m - m0, s] = wv
                    if m == m0:
                        tw[s] = wv
                    else:
                        tw[s] += wv
            # lead coverage: filled seats, plus the covered share of the vacant seats' territories
            seats = filled + r.vacant_coverage * (team_size[t] - filled)
            for s in range(S):
                per[s] = lead[s] * D[b, s] * seats / max(tw[s], 1e-300) if tw[s] > 0 else 0.0
            for m in range(m0, m1):
                i = t_idx[m]
                a = 1.0 if active[b, i] else 0.0
                cap = capacity(r, productivity[b, i], effort[b, i], a)
                o_total = 0.0
                for s in range(S):
                    off[s] = w[m - m0, s] * per[s]
                    o_total = off[s] if s == 0 else o_total + off[s]
                if use_pivot:  # pivot prospecting in spare capacity, bounded by displaced demand
                    slack = max(cap - o_total, 0.0)
                    ps = r.pivot * slack
                    extra_sum = 0.0
                    for s in range(S):
                        pool = w[m - m0, s] * lead[s] * displaced[b, s] * seats / max(tw[s], 1e-300) \
                            if tw[s] > 0 else 0.0
                        ex = min(ps * mix[b, s], max(pool, 0.0))
                        off[s] = off[s] + ex
                        extra_sum = ex if s == 0 else extra_sum + ex
                    o_total = o_total + extra_sum
                if use_hours:  # hours committed per segment (submodel A): x_is = min(O_is, c_i h_s)
                    x = 0.0
                    rem = 0.0
                    for s in range(S):
                        xs = min(off[s], cap * hours[b, min(t, tc), s])
                        x = xs if s == 0 else x + xs
                        left[s] = off[s] - xs  # opportunities left unworked in the segment
                        rem = left[s] if s == 0 else rem + left[s]
                        off[s] = xs  # the mix worked below is the mix taken
                    # spare committed hours work the other segments' leftovers at the unplanned efficiency u
                    extra = min(rem, max(cap - x, 0.0) * r.unplanned)
                    if extra > 0.0:
                        for s in range(S):
                            off[s] = off[s] + extra * left[s] / rem
                        x = x + extra
                    o_x = x
                else:
                    x = min(o_total, cap)
                    o_x = o_total
                f = x / max(o_total, 1e-300) if o_total > 0 else 1.0
                Q = selection_gain_1(f, r.rho * r.value_sd) if use_gain else 1.0
                # win probability at close, expected wins and value, then the pipeline moves on
                cf = math.log(max(change_factor[b, i], 1e-6)) if (use_change and a > 0.0) else 0.0
                lam = 0.0
                exp_value = 0.0
                for s in range(S):
                    # a vacant seat wins nothing (lam x 0 below): its win odds are not computed
                    pw = win_probability(r, win_logit[s], skill[b, i], log_strength[b, i, s], morale[b, i],
                                         effort[b, i], use_change, cf) if a > 0.0 else 0.0
                    h = hazard[s]
                    c_s = pipeline[b, i, s] * h * pw
                    v_s = pipeline_value[b, i, s] * h * pw
                    lam = c_s if s == 0 else lam + c_s
                    exp_value = v_s if s == 0 else exp_value + v_s
                    share = off[s] / max(o_x, 1e-300) if o_x > 0 else 0.0
                    x_s = x * share
                    pipeline[b, i, s] = pipeline[b, i, s] * (1.0 - h) + x_s
                    pipeline_value[b, i, s] = pipeline_value[b, i, s] * (1.0 - h) + x_s * size[s] * Q
                lam = lam * a
                wins = poisson_inverse(unit(kb_win, base, i), lam)
                rev = deal_revenue(wins, exp_value, lam, r.value_cv2, kb_val, base, i)
                out_taken[b, i] = x
                wins_out[b, i] = wins
                rev_out[b, i] = rev
                revenue_year[b, i] += rev
                seat_revenue_year[b, i] += rev
                revenue_total[b, i] += rev


def selection_gain(f: np.ndarray, rho: np.ndarray, sigma: float) -> np.ndarray:
    """E[value | in top f of a ranking with correlation rho] / E[value], log-normal values.

    The engine's own function (:func:`selection_gain_1`, compiled), over arrays; exactly 1
    where nothing can be ranked.
    """
    f, shift = np.broadcast_arrays(np.asarray(f, dtype=np.float64), np.asarray(rho * sigma, dtype=np.float64))
    f, shift = np.ascontiguousarray(f), np.ascontiguousarray(shift)
    out = np.empty_like(f)
    selection_gains(f, shift, out)
    return out


class Selling(Mechanism):
    """Opportunity flow and conversion for a batch (submodel S; the mechanism object the engine calls)."""

    name = "selling"

    def init(self, e) -> None:
        self.taken = None  # opportunities worked this week (B, N), known after the first step
        e.selling = self

    def start(self, e) -> None:
        """The pipeline at its steady state for the initial reps (no warm-up transient)."""
        s, _cfg = e.s, e.cfg
        mk = e.market
        people_cap = e.p.selling.capacity * s.ramp  # per row in a sweep
        lead_share = mk.lead / mk.lead.sum()
        demand = mk.lead.sum()
        # written in place: at a million reps each (B, N, S) temporary is 24 bytes per rep
        np.multiply(np.minimum(people_cap, demand)[:, :, None], lead_share[None, None, :], out=s.pipeline)
        np.divide(s.pipeline, mk.hazard[None, None, :], out=s.pipeline)
        np.multiply(s.pipeline, mk.size[None, None, :], out=s.pipeline_value)

    def on_vacate(self, e, rows, cols) -> None:
        """A leaving rep's successor keeps the share ``people.pipeline_handover`` of the open pipeline."""
        s = e.s
        h = rowvec(e.p.people.pipeline_handover, e.B)[rows][:, None]
        s.pipeline[rows, cols] *= h
        s.pipeline_value[rows, cols] *= h

    def step(self, e, t: int) -> None:
        s, p, sw = e.s, e.p, e.sw
        mk = e.market
        st = e.structure
        if not sw.selling:
            s.revenue_week[:] = 0.0
            s.wins_week[:] = 0.0
            return
        L, sp = effective(e), p.selling
        B, N, S = e.B, e.N, e.S
        noise_sd = sp.estimate_noise * (1.0 - L.data_orientation) if sw.allocation_noise else 0.0
        use_noise = bool(sw.allocation_noise and np.any(noise_sd))
        sq = sp.value_sd
        den = np.sqrt(sq * sq + noise_sd * noise_sd)
        rho = np.where(den > 0, sq / np.where(den > 0, den, 1.0), 1.0)  # no value spread: nothing to rank
        org = e.org
        pivot = org.pivot if np.any(org.pivot) else None
        org_pivot_dip = org.pivot_dip
        if pivot is not None:
            mix = mk.resilience[None, :] * mk.D
            mix = mix / np.maximum(rowsum(mix, keepdims=True), 1e-12)
        else:
            mix = np.zeros((B, S))
        rng = e.rng
        base = rng.week_base(t)
        # outputs are written in place into arrays kept between weeks (fresh large arrays cost page faults)
        self.taken = e.scratch("taken", (B, N))  # opportunities worked (people: practice)
        if s.wins_week.shape != (B, N) or not s.wins_week.flags.writeable:
            s.wins_week = np.empty((B, N))
        if s.revenue_week.shape != (B, N) or not s.revenue_week.flags.writeable:
            s.revenue_week = np.empty((B, N))
        terms = {"pivot_dip": org_pivot_dip, "capacity": sp.capacity, "effort_capacity": sp.effort_capacity,
                 "noise_sd": noise_sd, "allocation_beta": sp.strength_allocation * L.coaching_focus,
                 "value_sd": sq, "rho": rho, "skill_logit": sp.skill_logit, "strength_logit": sp.strength_logit,
                 "morale_logit": sp.morale_logit, "effort_logit": sp.effort_logit,
                 "pivot": pivot if pivot is not None else 0.0, "win_shift": mk.win_shift,
                 "value_cv2": float((mk.cv ** 2) @ mk.value_weight), "vacant_coverage": sp.vacant_lead_coverage,
                 "unplanned": e.p.allocation.unplanned_efficiency}
        flags = flag_record(SELLING_FLAGS, {"change": bool(e.K), "estimate_noise": use_noise,
                                            "selection_gain": bool(np.any(sq)), "pivot": pivot is not None,
                                            "hours": e.allocation.on})
        selling_step(
            st.members_ptr, st.members, st.team_sizes_f, team_params(SELLING_TERMS, terms, B), flags,
            s.active, s.effort, s.productivity, s.skill, s.morale, e.change_factor,
            s.log_strength, s.pipeline, s.pipeline_value, np.array(mix, dtype=np.float64),
            mk.lead, e.allocation.capacity_share, np.array(mk.D, dtype=np.float64), np.array(mk.displaced, dtype=np.float64), mk.win_logit, mk.hazard, mk.size,
            rng.key("estimate"), rng.key("wins"), rng.key("deal_value"), base,
            self.taken, s.wins_week, s.revenue_week, s.revenue_year,
            s.seat_revenue_year, s.revenue_total)
