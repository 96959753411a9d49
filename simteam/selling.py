"""Selling: allocation of opportunities to reps, pipeline, wins and revenue (submodel S).

Per week, for rep i and segment s (docs/model.md):

* capacity          c_i = c0 (1 - e_c/2 + e_c e_i) pi_i
* allocation        a_is = act_i exp(beta phi (ln str_is + sigma_n eps_is)) / sum_team(...)
* offered           O_is = lambda_s D_s n_team a_is  (+ pivot prospecting in slack)
* taken             x_i = min(O_i, c_i), selected fraction f_i = x_i / O_i
* selection gain    Q_i = Phi(rho sigma_q - Phi^-1(1 - f_i)) / f_i,  rho = sigma_q / sqrt(sigma_q^2 + sigma_n^2)
* pipeline          P_is <- P_is (1 - h_s) + x_is,  V_is <- V_is (1 - h_s) + x_is v_s Q_i
* wins              W_i ~ Poisson(sum_s h_s P_is p_is),  revenue = W_i * mean value * lognormal noise
* win probability   logit p_is = logit w_s + b_k (k_i - 0.5) + b_str ln str_is + b_m (m_i - 0.5)
                                 + b_e (e_i - 0.5) + ln J_i + market shift   (J_i: J-curve factor)

``sigma_n = estimate_noise * (1 - data_orientation)``: the leader's estimates of where
value lies. The selection gain is the exact mean of a log-normal value conditional on
being in the top ``f`` of a correlated noisy ranking, so data orientation pays exactly
when reps have more opportunities than capacity.
"""

from __future__ import annotations

import numpy as np
from . import kernels
from .network import rowsum
from .streams import rowvec

__all__ = ["Selling", "selection_gain"]


def selection_gain(f: np.ndarray, rho: np.ndarray, sigma: float) -> np.ndarray:
    """E[value | in top f of a ranking with correlation rho] / E[value], log-normal values.

    The engine's own function (:func:`simteam.kernels.selection_gain`), over arrays; exactly 1
    where nothing can be ranked.
    """
    f, shift = np.broadcast_arrays(np.asarray(f, dtype=np.float64), np.asarray(rho * sigma, dtype=np.float64))
    f, shift = np.ascontiguousarray(f), np.ascontiguousarray(shift)
    out = np.empty_like(f)
    kernels.selection_gains(f, shift, out)
    return out


class Selling:
    """Opportunity flow and conversion for a batch."""

    def __init__(self, engine):
        self.e = engine

    def step(self, t: int) -> None:
        e, s, p, sw = self.e, self.e.s, self.e.p, self.e.sw
        mk = e.market
        st = e.structure
        if not sw.selling:
            s.revenue_week[:] = 0.0
            s.wins_week[:] = 0.0
            return
        L, sp = p.leadership, p.selling
        B, N, S = e.B, e.N, e.S
        noise_sd = sp.estimate_noise * (1.0 - L.data_orientation) if sw.allocation_noise else 0.0
        use_noise = bool(sw.allocation_noise and np.any(noise_sd))
        sq = sp.value_sd
        den = np.sqrt(sq * sq + noise_sd * noise_sd)
        rho = np.where(den > 0, sq / np.where(den > 0, den, 1.0), 1.0)  # no value spread: nothing to rank
        pivot = e.mods.get("pivot")
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
        kernels.selling_step(
            st.members_ptr, st.members, st.team_sizes_f,
            s.active, s.effort, s.productivity, s.skill, s.morale, e.change_factor, bool(e.K),
            s.log_strength, s.pipeline, s.pipeline_value,
            rowvec(e.mods.get("pivot_dip", 0.0), B), rowvec(sp.capacity, B), rowvec(sp.effort_capacity, B),
            rowvec(noise_sd, B), rowvec(sp.strength_allocation * L.coaching_focus, B), use_noise,
            rowvec(sq, B), rowvec(rho, B), bool(np.any(sq)),
            rowvec(sp.skill_logit, B), rowvec(sp.strength_logit, B), rowvec(sp.morale_logit, B),
            rowvec(sp.effort_logit, B), rowvec(pivot if pivot is not None else 0.0, B), pivot is not None,
            np.array(mix, dtype=np.float64),
            mk.lead, np.array(mk.D, dtype=np.float64), mk.win_logit, rowvec(mk.win_shift, B),
            mk.hazard, mk.size, float((mk.cv ** 2) @ mk.value_weight),
            rng.key("estimate"), rng.key("wins"), rng.key("deal_value"), base,
            self.taken, s.wins_week, s.revenue_week, s.revenue_year,
            s.seat_revenue_year, s.revenue_total)
