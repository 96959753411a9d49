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
from scipy.special import expit, ndtr, ndtri

from .network import rowsum

__all__ = ["Selling", "selection_gain"]


def selection_gain(f: np.ndarray, rho: np.ndarray, sigma: float) -> np.ndarray:
    """E[value | in top f of a ranking with correlation rho] / E[value], log-normal values."""
    f = np.clip(f, 1e-9, 1.0)
    c = ndtri(1.0 - f)
    shift = rho * sigma
    g = ndtr(shift - c) / f
    return np.where((f >= 1.0) | (shift == 0.0), 1.0, g)  # exactly 1 where nothing can be ranked


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
        act = s.active
        # productivity: ramp x J-curve x re-skilling dip (people/change fill s.productivity)
        prod = s.productivity * (1.0 - e.mods.get("pivot_dip", 0.0))
        ec = sp.effort_capacity
        cap = sp.capacity * (1.0 - 0.5 * ec + ec * s.effort) * prod * act
        # allocation of segment leads inside each team
        noise_sd = sp.estimate_noise * (1.0 - L.data_orientation) if sw.allocation_noise else 0.0
        beta = sp.strength_allocation * L.coaching_focus
        score = s.log_strength
        if sw.allocation_noise and np.any(noise_sd):
            eps = e.rng.normal("estimate", t, (e.N, e.S))
            score = score + _col(noise_sd) * eps
        w = np.exp(_col(beta) * score) * act[:, :, None]
        B, N, S = w.shape
        team_w = st.team_sum(w.transpose(0, 2, 1).reshape(B * S, N)).reshape(B, S, -1)  # (B, S, T)
        seats = st.team_sizes[None, None, :].astype(float)
        per_w = np.where(team_w > 0, mk.lead[None, :, None] * mk.D[:, :, None] * seats / np.maximum(team_w, 1e-300),
                         0.0)  # (B, S, T)
        offered = w * st.to_seats(per_w.reshape(B * S, -1)).reshape(B, S, N).transpose(0, 2, 1)
        o_total = offered.sum(axis=2)
        pivot = e.mods.get("pivot")
        if pivot is not None:
            slack = np.maximum(cap - o_total, 0.0)
            mix = mk.resilience[None, :] * mk.D
            mix = mix / np.maximum(rowsum(mix, keepdims=True), 1e-12)
            extra = (pivot * slack)[:, :, None] * mix[:, None, :]
            offered = offered + extra
            o_total = o_total + extra.sum(axis=2)
        x = np.minimum(o_total, cap)
        f = np.where(o_total > 0, x / np.maximum(o_total, 1e-300), 1.0)
        sq = sp.value_sd
        den = np.sqrt(sq * sq + noise_sd * noise_sd)
        rho = np.where(den > 0, sq / np.where(den > 0, den, 1.0), 1.0)  # no value spread: nothing to rank
        Q = selection_gain(f, _as2(rho), sq) if np.any(sq) else np.ones_like(f)
        share = np.where(o_total[:, :, None] > 0, offered / np.maximum(o_total[:, :, None], 1e-300), 0.0)
        x_s = x[:, :, None] * share
        # win probability at close, for the pipeline's segment mix
        logit = (mk.win_logit[None, None, :] + mk.win_shift[:, :, None]
                 + _col(sp.skill_logit) * (s.skill - 0.5)[:, :, None]
                 + _col(sp.strength_logit) * s.log_strength
                 + _col(sp.morale_logit) * (s.morale - 0.5)[:, :, None]
                 + _col(sp.effort_logit) * (s.effort - 0.5)[:, :, None])
        if e.K:  # a new tool or approach changes how well deals are worked: J-curve on the win odds too
            logit = logit + np.log(np.maximum(e.change_factor, 1e-6))[:, :, None]
        pwin = expit(logit)
        h = mk.hazard[None, None, :]
        closing = s.pipeline * h
        lam = (closing * pwin).sum(axis=2)
        exp_value = (s.pipeline_value * h * pwin).sum(axis=2)
        s.pipeline *= (1.0 - h)
        s.pipeline += x_s
        s.pipeline_value *= (1.0 - h)
        s.pipeline_value += x_s * mk.size[None, None, :] * Q[:, :, None]
        wins = e.rng.poisson("wins", t, lam * act)
        mean_value = np.where(lam > 0, exp_value / np.maximum(lam, 1e-300), 0.0)
        cv2 = (mk.cv ** 2) @ mk.value_weight
        s2 = np.log1p(cv2 / np.maximum(wins, 1.0))
        z = e.rng.normal("deal_value", t, (e.N,))
        rev = wins * mean_value * np.exp(np.sqrt(s2) * z - 0.5 * s2)
        s.wins_week = wins
        s.revenue_week = rev
        s.revenue_year += rev
        s.seat_revenue_year += rev
        s.revenue_total += rev
        self.offered = o_total
        self.taken = x
        self.capacity = cap


def _col(v):
    """A scalar or (B, 1) parameter as something that broadcasts against (B, N, S)."""
    v = np.asarray(v, dtype=float)
    return v[:, :, None] if v.ndim == 2 else v


def _as2(v):
    v = np.asarray(v, dtype=float)
    return v if v.ndim == 2 else v.reshape(1, 1)
