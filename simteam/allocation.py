"""Segment forecasts and capacity moves: the leader directs the team's selling hours (submodel A).

Every ``review_weeks`` weeks the leader of each team forecasts each segment's demand over the coming review
period and commits the team's selling hours (shares ``h_s`` of each rep's capacity) to the segments, best
value per hour first, up to the demand forecast there (docs/model.md, 7.10):

* demand ahead     E_s(t) = lambda_s mean_{k<K} [1 - (1 - r_s) d(t+k)] exp(phi^k z_s(t))   (opportunities per
  seat per week: the shock path as it will unfold, the log-noise decaying toward 0; common factors such as
  trend and season cancel in the plan and are left out)
* forecast         E^_s = E_s exp(sigma_f (1 - d_data) eps_s),  eps_s ~ N(0, 1) from the stream
  ``segment_forecast`` (the same draws for every data orientation: common random numbers)
* value per hour   v_s = p_s(shift) size_s, the expected value of a worked opportunity (known to the leader)
* plan             segments by v_s, best first: h^_s = min(E^_s / c0, 1 - sum of the better segments' h^);
  hours left when the forecast demand is below capacity are spread in proportion to E^_s
* move             h <- h + eta (h^ - h); move cost delta <- delta + c_move (1/2) sum_s |h_new - h_old|,
  then delta <- delta exp(-1/T_relearn) each week (relearning accounts and products)
* selling          rep i works x_is = min(O_is, c_i h_s (1 - delta)) of the O_is opportunities it is offered
  in segment s, and its spare committed hours work the leftovers of the other segments at the unplanned
  efficiency u (min(leftover, u x spare hours), in proportion to the leftovers): committed hours never create
  demand, and hours committed to a dry segment are partly lost.

A guess (low data orientation) commits too many hours to a segment whose demand fell (hours wasted) or too
few to one that still has demand (opportunities lost); data pays when segments diverge (a recession that
hits them unevenly) and by putting scarce hours on the most valuable segment when reps have more
opportunities than time.

This module declares the parameters (:class:`AllocationConfig`) and the mechanism object
:class:`Allocation`; the selling kernel reads ``e.allocation.capacity_share`` ``(B, T, S)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .leaders import effective, team_array
from .mechanism import Mechanism
from .params import param
from .streams import rowvec

__all__ = ["AllocationConfig", "Allocation", "demand_ahead", "plan_hours"]


@dataclass
class AllocationConfig:
    """Segment forecasts and capacity moves (switch ``mechanisms.segment_allocation``)."""

    review_weeks: int = param(13, 1, 520, unit="weeks", doc="weeks between the leader's segment reviews "
                              "(also the forecast horizon)", source="assumption: a quarterly business review")
    forecast_noise: float = param(0.4, 0.0, 5.0, doc="log-sd of the segment demand forecast error at zero data "
                                  "orientation (x (1 - data_orientation))",
                                  source="assumption (guesses vs data, issue 13)")
    response: float = param(1.0, 0.0, 1.0, doc="share of the gap to the planned hours mix closed at a review",
                            source="assumption")
    move_cost: float = param(0.3, 0.0, 1.0, doc="capacity lost per unit share of hours moved, at the move",
                             source="assumption (switching dip while reps relearn accounts)")
    unplanned_efficiency: float = param(0.5, 0.0, 1.0, doc="opportunities a spare committed hour works in a "
                                        "segment it was not committed to, relative to a planned hour (1: "
                                        "hours follow demand freely, 0: hours in a dry segment are lost)",
                                        source="assumption")
    relearn_weeks: float = param(8.0, 0.1, 520.0, unit="weeks", doc="mean time the move cost takes to fade",
                                 source="assumption")


def demand_ahead(e, t: int, horizon: int) -> np.ndarray:
    """Expected opportunities per seat per week ``E_s`` ``(B, S)`` of each segment over weeks ``t .. t+horizon-1``.

    Demand shocks follow their path as it will unfold (scheduled and event shocks; a random shock held at its
    current depth); the log-noise decays by ``phi^k`` toward 0. Factors common to every segment (trend, season,
    lead-flow shocks) are left out: they do not change the plan.
    """
    mk, mc = e.market, e.p.market
    B = e.B
    W = mk.demand_drop.size
    k = np.arange(horizon)
    wk = np.minimum(t + k, W - 1)
    sched = np.broadcast_to(mk.demand_drop[wk][None, :], (B, horizon)).copy()
    for mask, path in mk.extra_shocks:
        sched += np.where(mask[:, None], path[wk][None, :], 0.0)
    drop = np.clip(mk.drop[:, :1] + sched - sched[:, :1], 0.0, 1.0)  # (B, K): now, plus the known path ahead
    keep = 1.0 - drop[:, :, None] * (1.0 - mk.resilience)[None, None, :]  # (B, K, S)
    if e.sw.market_noise:
        ar = np.broadcast_to(np.asarray(mc.noise_ar, dtype=float).reshape(-1), (B,))
        decay = ar[:, None] ** k[None, :]  # (B, K)
        keep = keep * np.exp(decay[:, :, None] * mk.z[:, None, :])
    return mk.lead[None, :] * keep.mean(axis=1)


def plan_hours(demand: np.ndarray, value: np.ndarray, capacity) -> np.ndarray:
    """Hours shares ``(..., S)``: segments by ``value`` (best first) filled up to ``demand / capacity``; hours
    left over are spread in proportion to ``demand``. ``demand`` ``(..., S)``, ``value`` broadcast to it."""
    value = np.broadcast_to(value, demand.shape)
    need = demand / np.maximum(capacity, 1e-12)
    order = np.argsort(-value, axis=-1, kind="stable")
    need_o = np.take_along_axis(need, order, axis=-1)
    before = np.cumsum(need_o, axis=-1) - need_o
    h_o = np.clip(1.0 - before, 0.0, need_o)
    total = need_o.sum(axis=-1, keepdims=True)
    left = 1.0 - h_o.sum(axis=-1, keepdims=True)
    h_o = h_o + left * np.where(total > 0, need_o / np.where(total > 0, total, 1.0), 1.0 / need_o.shape[-1])
    h = np.empty_like(h_o)
    np.put_along_axis(h, order, h_o, axis=-1)
    return h


class Allocation(Mechanism):
    """Submodel A: segment forecasts and the team's hours shares (the mechanism object the engine calls).

    State: ``hours`` ``(B, T, S)`` the team's hours shares (at the start: the shares of the segments' lead
    flow, the mix reps work without a plan), ``dip`` ``(B, T)`` the move cost still being paid,
    ``capacity_share`` ``(B, T, S)`` = ``hours (1 - dip)``, what the selling kernel reads.
    """

    name = "allocation"

    def init(self, e) -> None:
        mk = e.market
        B, S, T = e.B, mk.lead.size, e.structure.n_teams
        self.on = bool(e.sw.segment_allocation)
        h0 = mk.lead / mk.lead.sum() if mk.lead.sum() > 0 else np.full(S, 1.0 / S)
        self.hours = np.broadcast_to(h0, (B, T if self.on else 1, S)).copy()
        self.dip = np.zeros((B, T))
        self.moves = np.zeros((B, T))  # hours share moved over the run
        self.capacity_share = self.hours.copy()
        e.allocation = self

    def step(self, e, t: int) -> None:
        if not self.on:
            return
        ap, mk = e.p.allocation, e.market
        B, T, S = self.hours.shape
        K = np.broadcast_to(np.asarray(ap.review_weeks).reshape(-1), (B,)).astype(np.int64)  # per row in a sweep
        review = (t % K) == 0
        if review.any():
            E = np.ones((B, S))
            for k in np.unique(K[review]):  # the horizon is the review period
                rows = review & (K == k)
                E[rows] = demand_ahead(e, t, int(k))[rows]
            d = np.clip(team_array(effective(e).data_orientation, B), 0.0, 1.0)  # (B, 1) or (B, T)
            sd = np.broadcast_to(rowvec(ap.forecast_noise, B)[:, None] * (1.0 - d), (B, T))
            eps = e.rng.normal("segment_forecast", t, (T, S))  # (B, T, S): the same draws for any data orientation
            guess = E[:, None, :] * np.exp(sd[:, :, None] * eps)
            value = mk.size / (1.0 + np.exp(-(mk.win_logit[None, :] + mk.win_shift)))  # (B, S)
            plan = plan_hours(guess, value[:, None, :], rowvec(e.p.selling.capacity, B)[:, None, None])
            new = self.hours + rowvec(ap.response, B)[:, None, None] * (plan - self.hours)
            new = np.where(review[:, None, None], new, self.hours)
            moved = 0.5 * np.abs(new - self.hours).sum(axis=-1)
            self.dip = np.minimum(self.dip + rowvec(ap.move_cost, B)[:, None] * moved, 0.95)
            self.hours = new
            self.moves += moved
        self.capacity_share = np.ascontiguousarray(self.hours * (1.0 - self.dip)[:, :, None])
        self.dip = self.dip * np.exp(-1.0 / rowvec(ap.relearn_weeks, B))[:, None]

    def summary(self, e) -> dict[str, np.ndarray]:
        if not self.on:
            return {}
        return {"hours_moved": self.moves.mean(axis=1)}
