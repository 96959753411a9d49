"""Turnover: quits, other exits, hiring, tenure, ramp-up and year accounting (submodels P6-P7).

* quit hazard   lambda_i = h0 exp(b_m (.6 - m_i) + b_tau (.5 - tau_i) + b_a (1 - min(alpha_i, 2)) [a_i >= 13]
                             + b_psi psi_i - b_kappa (kappa_i - .5) - gamma_fq fair / 2 + b_rho rho_i
                             + b_o (J_t - 1))
* outside jobs  J_t <- J_t + (1 - lost_t - J_t) / w_o: EMA of the economy-wide demand (demand shocks only)
* a filled seat quits with probability 1 - exp(-lambda_i) [stream ``quit``]
* other exits   seats marked ``leaving`` this week (layoffs, dismissals) that did not quit
* hiring        each team works at most ``people.recruiting_capacity`` vacancies at once, oldest first (seat
                order breaks ties); a worked vacancy counts down from ``people.hire_lag_weeks`` (unless
                frozen) and is refilled at 0; the others wait
* ramp          r_i = 1 - exp(-tenure_i / ramp_weeks); productivity = r_i x J-curve factor

Every seat leaves through :meth:`simteam.engine.Engine.vacate` and every new rep arrives through
:meth:`simteam.engine.Engine.hire` (which call each mechanism's ``on_vacate`` / ``on_hire``); this
module's part of those is the vacancy, the rep-year accounting, tenure and the year accumulators.
"""

from __future__ import annotations

import math

import numpy as np

from .mechanism import Mechanism
from .network import rowsum
from .leaders import effective, team_params
from .numerics import inline, jit, unit
from .streams import rowvec

__all__ = ["Turnover", "quit_draws", "tenure_and_ramp", "QUIT_TERMS", "close_year", "update_ramp"]

#: Per-row terms of the quit hazard (one record per batch row, read by name).
QUIT_TERMS = ("quit_base", "quit_morale", "quit_trust", "quit_attainment", "quit_stress", "quit_cohesion",
              "fairness_term", "resistance_quit", "outside_term")


def _c(b):
    """Centre a behaviour in [0, 1] to [-1, 1]."""
    return 2.0 * b - 1.0


@inline
def quit_hazard(r, morale, trust, pace, tenure, stress, cohesion, resistance):
    """P6 weekly quit hazard of a filled seat."""
    settled = 1.0 if tenure >= 13 else 0.0
    logh = (r.quit_morale * (0.6 - morale) + r.quit_trust * (0.5 - trust)
            + r.quit_attainment * (1.0 - min(pace, 2.0)) * settled
            + r.quit_stress * stress - r.quit_cohesion * (cohesion - 0.5) - r.fairness_term
            + r.resistance_quit * resistance + r.outside_term)
    return r.quit_base * math.exp(logh)


@jit
def quit_draws(params, team_of, active, morale, trust, pace, tenure, stress, cohesion, resistance, key_quit, base,
               out):
    """Voluntary quits: ``out[b, i] = active and u < 1 - exp(-hazard)``; ``params`` has the fields
    :data:`QUIT_TERMS` (one record per row and team)."""
    B, N = active.shape
    tm = params.shape[1] - 1
    for b in range(B):
        kb = key_quit[b]
        for i in range(N):
            if not active[b, i]:
                out[b, i] = False
                continue
            r = params[b, min(team_of[i], tm)]
            hazard = quit_hazard(r, morale[b, i], trust[b, i], pace[b, i], tenure[b, i], stress[b, i],
                                 cohesion[b, i], resistance[b, i])
            out[b, i] = unit(kb, base, i) < -math.expm1(-hazard)


@inline
def ramp_factor(tenure, rw, rwc, use_ramp):
    """P7 ramp-up: 1 - exp(-tenure / ramp_weeks) (1 without ramp-up or at 0 weeks)."""
    return (1.0 - math.exp(-tenure / rwc) if rw > 0 else 1.0) * 1.0 if use_ramp else 1.0


@jit
def tenure_and_ramp(active, grow, tenure, ramp_weeks, use_ramp, use_change, change_factor, ramp, productivity):
    """Tenure grows for filled seats (if ``grow``); ramp from tenure; productivity = ramp x change factor
    (``use_change``; without initiatives the factor is 1 and ``change_factor`` is not read)."""
    B, N = active.shape
    for b in range(B):
        rw = ramp_weeks[b]
        rwc = max(rw, 1e-9)
        for i in range(N):
            if grow and active[b, i]:
                tenure[b, i] = tenure[b, i] + 1.0
            r = ramp_factor(tenure[b, i], rw, rwc, use_ramp)
            ramp[b, i] = r
            productivity[b, i] = r * change_factor[b, i] if use_change else r


@jit
def recruiting_slots(t_ptr, t_idx, pending, vacated_week, capacity, out):
    """``out[b, i]``: vacancy ``i`` is among the ``capacity[b]`` oldest pending vacancies of its team
    (vacated week, then seat order); the searches the team's leader works this week."""
    B = pending.shape[0]
    for b in range(B):
        cap = capacity[b]
        for t in range(t_ptr.shape[0] - 1):
            for m in range(t_ptr[t], t_ptr[t + 1]):
                out[b, t_idx[m]] = False
            for _k in range(cap):
                best = -1
                for m in range(t_ptr[t], t_ptr[t + 1]):
                    i = t_idx[m]
                    if pending[b, i] and not out[b, i]:
                        if best < 0 or vacated_week[b, i] < vacated_week[b, best] or \
                                (vacated_week[b, i] == vacated_week[b, best] and i < best):
                            best = i
                if best < 0:
                    break
                out[b, best] = True


def update_ramp(e, grow: bool = False) -> None:
    """Ramp-up and productivity from tenure (after adding this week's tenure if ``grow``)."""
    s = e.s
    if getattr(s, "ramp", None) is None or s.ramp.shape != s.tenure.shape:
        s.ramp, s.productivity = np.empty_like(s.tenure), np.empty_like(s.tenure)
    tenure_and_ramp(s.active, grow, s.tenure, rowvec(e.p.people.ramp_weeks, e.B), e.sw.ramp, bool(e.K),
                    np.ascontiguousarray(e.change_factor, dtype=np.float64), s.ramp, s.productivity)


def close_rep_years(e, mask: np.ndarray) -> None:
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
    close_rep_years(e, s.active)
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
        e.org.quota_factor = e.org.quota_factor * (1.0 + e.p.selling.quota_growth)  # next year's quota


class Turnover(Mechanism):
    """P6-P7: quits, other exits, hiring into vacancies, tenure and ramp; year accounting."""

    name = "turnover"

    def init(self, e) -> None:
        # the week each seat was last vacated: a seat vacated this week starts its count at the lag
        self.vacated_week = np.full((e.B, e.N), -1, dtype=np.int32)
        update_ramp(e)
        self.outside = np.ones((e.B, 1))  # the outside job market J_t (1 = normal)

    def step(self, e, t: int) -> None:
        s, P, L, sw = e.s, e.p.people, effective(e), e.sw
        act = s.active
        quits = e.scratch("quits", act.shape, dtype=np.bool_)
        quits.fill(False)
        self.outside = self.outside + (e.market.labour[:, None] - self.outside) / P.outside_weeks
        if sw.attrition:
            terms = {"quit_base": P.quit_base, "quit_morale": P.quit_morale, "quit_trust": P.quit_trust,
                     "quit_attainment": P.quit_attainment, "quit_stress": P.quit_stress,
                     "quit_cohesion": P.quit_cohesion, "fairness_term": L.fairness_quit * _c(L.fairness) * 0.5,
                     "resistance_quit": e.p.change.resistance_quit,
                     "outside_term": P.quit_outside * (self.outside - 1.0) if sw.outside_option else 0.0}
            quit_draws(team_params(QUIT_TERMS, terms, e.B), e.structure.team_of_i, act, s.morale, s.trust, s.pace, s.tenure, s.stress,
                       s.cohesion, s.resistance, e.rng.key("quit"), e.rng.week_base(t), quits)
        # hiring first: the searches worked this week (capacity per team, oldest first) count down and
        # are filled when they reach 0
        hired = np.zeros_like(act)
        frozen = e.org.hiring_frozen
        if sw.hiring:
            pending = (~s.active) & (s.vacancy >= 0)
            if pending.any():
                ticking = self._worked(e, pending) & ~frozen & (self.vacated_week != t)
                rows, cols = np.nonzero(ticking & (s.vacancy > 0))
                s.vacancy[rows, cols] -= 1
                hired = ticking & (s.vacancy == 0)
        # layoffs and dismissals marked by policies and culture this week, unless the rep quit
        other = s.leaving & act & ~quits if s.leaving.any() else None
        leave = quits | other if other is not None else quits
        e.vacate(quits, "quit")
        if other is not None:
            e.vacate(other, "exit")
        if sw.hiring and leave.any():
            # a lag of 0 refills a seat in the week it was left, if a search slot is free
            worked = self._worked(e, (~s.active) & (s.vacancy >= 0))
            hired = hired | (leave & (s.vacancy == 0) & ~frozen & worked)
        e.hire(hired, count=True)
        update_ramp(e, grow=True)

    def _worked(self, e, pending: np.ndarray) -> np.ndarray:
        """The vacancies the teams work on this week (:func:`recruiting_slots`)."""
        cap = np.broadcast_to(np.rint(rowvec(e.p.people.recruiting_capacity, e.B)).astype(np.int64), (e.B,))
        out = np.zeros_like(pending)
        st = e.structure
        recruiting_slots(st.members_ptr, st.members, pending, self.vacated_week, np.ascontiguousarray(cap), out)
        return out

    def on_vacate(self, e, rows, cols) -> None:
        """Close the leaver's rep-year (13+ weeks in the year; at quota or not) and open a vacancy."""
        s = e.s
        counted = s.weeks_year[rows, cols] >= 13
        at_quota = counted & (s.revenue_year[rows, cols] >= s.quota_year[rows, cols])
        e.counters["rep_years"] += np.bincount(rows[counted], minlength=e.B)
        e.counters["at_quota"] += np.bincount(rows[at_quota], minlength=e.B)
        s.vacancy[rows, cols] = (np.rint(rowvec(e.p.people.hire_lag_weeks, e.B)[rows]).astype(np.int32)
                                 if e.sw.hiring else -1)
        self.vacated_week[rows, cols] = e.week

    def on_hire(self, e, rows, cols) -> None:
        s = e.s
        s.tenure[rows, cols] = 0.0
        for arr in (s.revenue_year, s.quota_year, s.weeks_year):
            arr[rows, cols] = 0.0
        s.vacancy[rows, cols] = -1

    def finalize(self, e) -> None:
        close_year(e, final=True)
