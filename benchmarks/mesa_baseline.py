"""An idiomatic per-agent Mesa 3.5 implementation of simteam's model: the benchmark baseline and an oracle.

This is how a typical Mesa user would write the model: every rep is a :class:`mesa.Agent` with its own
``step()`` doing its week in plain Python, activated in random order with
``model.agents_by_type[Rep].shuffle_do("step")``; leaders are agents too (they hand out the week's leads and
fill vacancies); neighbours come from the networkx team graph; random numbers come from the model's
``self.random`` (Python ``random.Random``) and ``self.model.rng`` (numpy ``Generator``) seeded by Mesa; a
:class:`mesa.DataCollector` records the weekly team series.

It implements the SAME equations as simteam's engine (``simteam/market.py``, ``selling.py``, ``people.py``,
``culture.py``, ``leadership.py``; see ``docs/model.md``) for the mechanisms the default configuration uses:

* market: trend, seasonality, AR(1) log-noise, scheduled shocks (demand, lead flow, win rate);
* leadership: crisis detection and the ``none``, ``hold_steady`` and ``wait_and_see`` responses after the
  decision lag;
* effort; selling (noisy strength-based allocation inside the team, capacity, selection gain, pipeline,
  Poisson wins, log-normal deal values);
* people: recognition, stress, morale (drivers, mood noise, contagion), trust, skill (practice, feedback,
  coaching on weaknesses, peer learning, strengths coaching), attainment pace;
* culture: harm from toxic neighbours, the team toxic climate, SIS spread, reform and removal, cohesion;
* segment allocation (switch ``segment_allocation``): the leader's segment forecasts and hours shares;
* turnover: quits, vacancies with a hiring lag, hires (toxic with a small probability), tenure and ramp;
* year-end accounting for ``quota_share`` and ``top20_revenue_share``;
* with their switches on, leaders as agents (per-team profiles, time budget, stress, exits, succession by
  promotion or outside hire) and the head of sales (pressure, hiring freeze and quota push relayed by the
  leaders), leader by leader (``_leaders_step``, ``_head_step``).

It omits (and refuses configurations that need): change initiatives (Bass adoption, J-curve, mandates,
resistance), regrouping, timed events, the ``cut_and_push`` and ``pivot`` crisis responses, random shocks,

rosters and edge-list graphs.

**Asynchronous vs synchronous updating.** simteam updates every rep from the same start-of-phase state
(synchronous, phase by phase: all efforts, then all selling, then all morale ...). Here each rep runs its
whole week when its turn comes in a random order, so whatever it reads from a neighbour or teammate is that
agent's state either before or after the neighbour's own step this week (asynchronous, Gauss-Seidel style).
This touches morale contagion (a neighbour's morale is last week's value or this week's final value, where
simteam uses this week's pre-contagion value), peer learning (neighbour skill), SIS spread (a neighbour may
have become toxic or reformed earlier in the same week) and cohesion (a teammate's "won this week" may
still be last week's). Team-level inputs that a leader computes before the reps move (allocation of leads,
the team's skill gaps for coaching, whether the team has a toxic member) are the same in both. The
equivalence test (``tests/test_baseline_equivalence.py``) shows the summary metrics agree statistically
despite these differences; random numbers differ (the baseline draws from Mesa's generators, not simteam's
counter-based streams), so the agreement is statistical, never per replication.

Example:
    >>> import simteam
    >>> from benchmarks.mesa_baseline import run_baseline
    >>> summary = run_baseline(simteam.configure(weeks=52), replications=2, seed=0)
    >>> len(summary)
    2
"""

from __future__ import annotations

import math
import statistics
from concurrent.futures import ProcessPoolExecutor

import mesa
import networkx as nx
import numpy as np
import pandas as pd

from simteam.config import ConfigError, SimConfig
from simteam.leaders import BEHAVIOURS, TIME_ACTIVITIES
from simteam.leadership import STYLES
from simteam.network import build_structure
from simteam.people import initial_targets
from simteam.results import recovery

__all__ = ["TEAM_SERIES", "Leader", "MesaSalesModel", "Rep", "check_supported", "run_baseline"]

_NORMAL = statistics.NormalDist()
SUPPORTED_STRATEGIES = ("none", "hold_steady", "wait_and_see")

#: Weekly team series the DataCollector records (same names and meaning as simteam's series).
TEAM_SERIES = ("revenue", "deals", "pipeline", "headcount", "hires", "quits", "exits_other", "morale",
               "morale_sd", "trust", "skill", "stress", "effort", "attainment", "toxic_share", "demand")


def check_supported(cfg: SimConfig) -> None:
    """Raise :class:`ConfigError` naming the first feature the baseline does not implement."""
    if cfg.change.initiatives:
        raise ConfigError("change.initiatives: the Mesa baseline does not implement change initiatives")
    if cfg.change.regroup_weeks:
        raise ConfigError("change.regroup_weeks: the Mesa baseline does not implement regrouping")
    if cfg.events:
        raise ConfigError("events: the Mesa baseline does not implement timed events")
    if cfg.mechanisms.crisis_response and cfg.crisis.strategy not in SUPPORTED_STRATEGIES:
        raise ConfigError(f"crisis.strategy: the Mesa baseline supports {', '.join(SUPPORTED_STRATEGIES)}, "
                          f"got {cfg.crisis.strategy!r}")
    if cfg.mechanisms.shocks and cfg.market.random_shock_rate > 0:
        raise ConfigError("market.random_shock_rate: the Mesa baseline does not implement random shocks")
    if cfg.team.roster or cfg.team.graph == "edgelist":
        raise ConfigError("team.graph: the Mesa baseline needs a generated graph (no roster or edge list)")


def _shock_intensity(sh, t: int) -> float:
    """Intensity in [0, 1] of one shock at week t (same shape rules as simteam.market.shock_path)."""
    a = t - sh.start_week
    if a < 0:
        return 0.0
    dec = max(sh.decline_weeks, 0)
    if dec <= 0:
        h = 1.0
    elif sh.shape == "linear":
        h = min(max((a + 1) / dec, 0.0), 1.0)
    else:
        h = min(max((1 - math.exp(-3 * (a + 1) / dec)) / (1 - math.exp(-3)), 0.0), 1.0)
    if not sh.permanent:
        r = a - dec - sh.trough_weeks
        if r > 0:
            if sh.recovery_weeks > 0:
                if sh.shape == "linear":
                    fall = min(max(1 - r / sh.recovery_weeks, 0.0), 1.0)
                else:
                    fall = math.exp(-3 * r / sh.recovery_weeks) if r < 3 * sh.recovery_weeks else 0.0
            else:
                fall = 0.0
            h *= fall
    return h


def _clip01(x: float) -> float:
    return 0.0 if x < 0.0 else min(x, 1.0)


def _c(b: float) -> float:
    return 2.0 * b - 1.0


class Rep(mesa.Agent):
    """A sales rep sitting in seat ``seat`` of team ``team``; does its whole week in :meth:`step`."""

    def __init__(self, model: MesaSalesModel, seat: int, team: int, *, tenure: float, potential: float,
                 skill: float, morale: float, trust: float, toxic: bool):
        super().__init__(model)
        c = model.cfg
        self.seat, self.team = seat, team
        self.potential, self.skill, self.morale, self.trust = potential, skill, morale, trust
        self.potential0 = potential  # innate potential (grown potential decays back to it)
        self.log_strength = [c.team.strength_sd * self.random.gauss(0.0, 1.0) for _ in model.segments]
        self.strength0 = list(self.log_strength)  # innate strengths (coaching decays back to them)
        self.stress = c.people.stress_base
        self.effort = 0.0
        self.cohesion = c.culture.cohesion_base
        self.toxic = toxic
        self.tenure = tenure
        self.ramp = model.ramp_of(tenure)
        self.pace = 1.0
        self.pipeline = [0.0] * len(model.segments)
        self.pipeline_value = [0.0] * len(model.segments)
        self.offered = [0.0] * len(model.segments)
        self.revenue_week = 0.0
        self.wins_week = 0
        self.taken = 0.0
        self.revenue_year = 0.0
        self.quota_year = 0.0
        self.weeks_year = 0
        self.leaving = False

    # ------------------------------------------------------------------------------------------
    def peers(self) -> list[Rep]:
        """Reps in the seats next to mine on the team graph (vacant seats skipped)."""
        m = self.model
        return [r for j in m.graph.neighbors(self.seat) if isinstance(j, int) and (r := m.seat_rep[j]) is not None]

    def step(self) -> None:
        """One week of this rep: effort, selling, people dynamics, culture, then the quit decision."""
        m = self.model
        c = m.cfg
        sw = c.mechanisms
        L, P, S, C = m.behaviours(self.team), c.people, c.selling, c.culture
        acc = L.accountability + m.mods.get("accountability", 0.0)
        # effort
        if sw.effort:
            self.effort = _clip01(P.effort_base + P.effort_morale * (self.morale - 0.5)
                                  + P.effort_trust * (self.trust - 0.5) + L.communication_effort * L.communication
                                  + L.accountability_effort * acc - P.effort_stress * max(self.stress - 0.5, 0.0))
        else:
            self.effort = 0.5
        self.sell()
        peers = self.peers()
        n_peers = len(peers)
        # toxic harm from neighbours
        if sw.toxicity:
            exposure = sum(1 for r in peers if r.toxic) / max(n_peers, 1)
            harm = exposure * (1.0 - L.communication_damping * L.communication)
            team_tox = m.leaders[self.team].team_toxic
        else:
            harm, team_tox = 0.0, False
        rec = (L.recognition * (L.recognition_morale * (self.wins_week > 0) + L.recognition_top * (self.pace >= 1.0))
               if sw.recognition else 0.0)
        if sw.stress:
            target = (P.stress_base + L.accountability_stress * acc + P.crisis_stress * m.crisis
                      + C.toxic_stress * harm - m.mods.get("stress_relief", 0.0)
                      + 0.2 * max(m.quota_factor - 1.0, 0.0) * (self.pace < 1.0))
            if sw.role_ambiguity:  # unclear roles under a passive leader (docs/model.md 7.4)
                target += L.ambiguity_stress * max(0.0, 1.0 - L.communication - acc)
            self.stress += P.stress_rate * (_clip01(target) - self.stress)
        mo = self.morale
        if sw.morale_drivers:
            target = (P.morale_base + P.success_weight * math.tanh(self.pace - 1.0)
                      + L.inspiration_morale * _c(L.inspiration) + rec + L.feedback_morale * _c(L.feedback)
                      + L.coaching_morale * L.coaching * L.coaching_focus - P.stress_weight * self.stress
                      - C.toxic_morale * harm + m.mods.get("morale", 0.0))
            mo += P.morale_rate * (_clip01(target) - mo)
        if sw.mood_noise and P.mood_sd:
            mo += P.mood_sd * self.random.gauss(0.0, 1.0)
        mo = _clip01(mo)
        if sw.contagion and P.contagion and n_peers:
            w = min(max(P.contagion * (2.0 * self.cohesion if sw.cohesion else 1.0), 0.0), 1.0)
            mo = (1.0 - w) * mo + w * sum(r.morale for r in peers) / n_peers
        self.morale = mo
        if sw.trust_dynamics:
            target = (P.trust_base + L.inspiration_trust * _c(L.inspiration) + L.fairness_trust * _c(L.fairness)
                      - 0.1 * L.accountability * (1.0 - L.inspiration) - C.toxic_trust * harm
                      - L.toxic_trust * L.toxic_tolerance * team_tox + m.mods.get("trust", 0.0))
            self.trust += P.trust_rate * (_clip01(target) - self.trust)
        if sw.skill_growth:
            self.grow_skill(peers)
        q = S.quota * m.quota_factor * max(self.ramp, 0.05)
        pace_now = self.revenue_week * 52.0 / q if q > 0 else 1.0
        self.pace += (pace_now - self.pace) / S.attainment_window
        self.quota_year += S.quota * m.quota_factor * self.ramp / 52.0
        self.weeks_year += 1
        self.culture(peers)
        self.decide_to_stay()

    def sell(self) -> None:
        """Take leads up to capacity, work the pipeline, win deals."""
        m = self.model
        c = m.cfg
        if not c.mechanisms.selling:
            self.revenue_week, self.wins_week, self.taken = 0.0, 0, 0.0
            return
        S = c.selling
        ec = S.effort_capacity
        cap = S.capacity * (1.0 - 0.5 * ec + ec * self.effort) * self.ramp
        o_total = sum(self.offered)
        if c.mechanisms.segment_allocation:  # hours committed per segment, spare hours on the leftovers
            share = m.leaders[self.team].capacity_share
            worked = [min(o, cap * h) for o, h in zip(self.offered, share)]
            left = [o - w for o, w in zip(self.offered, worked)]
            rem = sum(left)
            extra = min(rem, max(cap - sum(worked), 0.0) * c.allocation.unplanned_efficiency)
            if extra > 0:
                worked = [w + extra * lf / rem for w, lf in zip(worked, left)]
            x = sum(worked)
        else:
            x = min(o_total, cap)
            worked = [x * o / o_total if o_total > 0 else 0.0 for o in self.offered]
        f = x / o_total if o_total > 0 else 1.0
        sq = S.value_sd
        noise = m.team_noise_sd(self.team)
        if sq and f < 1.0:
            rho = sq / math.sqrt(sq * sq + noise * noise)
            ff = max(f, 1e-9)
            Q = _NORMAL.cdf(rho * sq - _NORMAL.inv_cdf(1.0 - ff)) / ff
        else:
            Q = 1.0
        self.taken = x
        base = (S.skill_logit * (self.skill - 0.5) + S.morale_logit * (self.morale - 0.5)
                + S.effort_logit * (self.effort - 0.5) + m.win_shift)
        lam = exp_value = 0.0
        for k, seg in enumerate(m.segments):
            p = 1.0 / (1.0 + math.exp(-(m.win_logit[k] + base + S.strength_logit * self.log_strength[k])))
            h = m.hazard[k]
            lam += self.pipeline[k] * h * p
            exp_value += self.pipeline_value[k] * h * p
            xs = worked[k]
            self.pipeline[k] = self.pipeline[k] * (1.0 - h) + xs
            self.pipeline_value[k] = self.pipeline_value[k] * (1.0 - h) + xs * seg.deal_size * Q
        wins = int(m.rng.poisson(lam)) if lam > 0 else 0
        rev = 0.0
        if wins:
            s2 = math.log1p(m.cv2 / wins)
            rev = wins * (exp_value / lam) * math.exp(math.sqrt(s2) * self.random.gauss(0.0, 1.0) - 0.5 * s2)
        self.wins_week, self.revenue_week = wins, rev
        self.revenue_year += rev
        m.seat_revenue_year[self.seat] += rev

    def grow_skill(self, peers: list[Rep]) -> None:
        """Practice, feedback, coaching on weaknesses, peer learning and strengths coaching."""
        m = self.model
        c = m.cfg
        L, P = m.behaviours(self.team), c.people
        if c.mechanisms.potential_growth:  # potential grows with the learning drive, decays without practice
            pr = min(self.taken / max(c.selling.capacity, 1e-9), 1.0)
            drive = P.potential_growth * (L.learning_support + L.feedback + L.coaching * (1.0 - L.coaching_focus))
            self.potential = _clip01(self.potential + drive * (1.0 - self.potential)
                                     - P.potential_decay * (1.0 - pr) * (self.potential - self.potential0))
        gap = max(self.potential - self.skill, 0.0)
        practice = P.practice_rate * (1.0 + L.learning_skill * _c(L.learning_support) * 0.5)
        practice *= self.taken / max(c.selling.capacity, 1e-9)
        team_weak = m.leaders[self.team].team_weakness
        weak_w = (1.0 - self.skill) / team_weak if team_weak > 0 else 0.0
        coach = L.coaching_skill * L.coaching * (1.0 - L.coaching_focus) * weak_w
        self.skill += (practice + L.feedback_skill * L.feedback + coach) * gap
        if c.mechanisms.peer_learning and peers:
            nbr_skill = sum(r.skill for r in peers) / len(peers)
            room = max(self.potential - self.skill, 0.0)  # peers lift a rep up to its potential, no further
            self.skill += (L.peer_learning_rate * L.learning_support * 2.0 * self.cohesion
                           * min(max(nbr_skill - self.skill, 0.0), room))
        self.skill = _clip01(self.skill)
        g = L.coaching_strength * L.coaching * L.coaching_focus
        if g:
            # coached strength decays toward the innate level unless practised, then the best one grows
            keep = 1.0 - L.strength_decay * (1.0 - L.strength_practice * min(self.taken / max(c.selling.capacity, 1e-9), 1.0))
            self.log_strength = [s0 + keep * (ls - s0) for ls, s0 in zip(self.log_strength, self.strength0)]
            best = max(range(len(self.log_strength)), key=self.log_strength.__getitem__)
            self.log_strength[best] = min(self.log_strength[best] + g, math.log(3.0))

    def culture(self, peers: list[Rep]) -> None:
        """Toxic behaviour: catch it from neighbours, reform, or be removed by the leader; cohesion."""
        m = self.model
        c = m.cfg
        sw, C, L = c.mechanisms, c.culture, m.behaviours(self.team)
        tol = L.toxic_tolerance
        climate = m.leaders[self.team].climate if sw.toxic_climate else 0.0
        if climate > 0 and not self.toxic:  # the team toxic climate harms every non-toxic member
            P = c.people
            g = climate * (1.0 - L.communication_damping * L.communication)
            if sw.morale_drivers:
                self.morale = _clip01(self.morale - P.morale_rate * C.climate_morale * g)
            if sw.stress:
                self.stress = _clip01(self.stress + P.stress_rate * C.climate_stress * g)
            if sw.cohesion:
                self.cohesion = _clip01(self.cohesion - C.cohesion_rate * C.climate_cohesion * g)
        if self.toxic:
            rec_h = (C.recovery_rate if sw.toxic_spread else 0.0) + (L.toxic_reform_rate * (1.0 - tol)
                                                                      if sw.toxic_action else 0.0)
            if self.random.random() < -math.expm1(-rec_h):
                self.toxic = False
            elif sw.toxic_action and self.random.random() < -math.expm1(-L.toxic_removal_rate * (1.0 - tol)):
                self.leaving = True
        elif sw.toxic_spread:
            pressure = sum(1 for r in peers if r.toxic)
            if pressure or climate > 0:
                beta = C.spread_rate * (1.0 - L.communication_damping * L.communication) * (0.5 + tol)
                hz = beta * pressure + C.climate_spread * (0.5 + tol) * climate
                if self.random.random() < -math.expm1(-hz):
                    self.toxic = True
        if sw.cohesion:
            team = m.leaders[self.team].members()
            share = sum(1 for r in team if r.wins_week > 0) / max(len(team), 1)
            target = C.cohesion_base + (C.celebration_cohesion * L.recognition * share if sw.recognition else 0.0)
            self.cohesion += C.cohesion_rate * (_clip01(target) - self.cohesion)

    def decide_to_stay(self) -> None:
        """The weekly quit hazard; leave (or be removed) now, else one more week of tenure."""
        m = self.model
        c = m.cfg
        P, L = c.people, m.behaviours(self.team)
        quit_ = False
        if c.mechanisms.attrition:
            logh = (P.quit_morale * (0.6 - self.morale) + P.quit_trust * (0.5 - self.trust)
                    + P.quit_attainment * (1.0 - min(self.pace, 2.0)) * (self.tenure >= 13)
                    + P.quit_stress * self.stress - P.quit_cohesion * (self.cohesion - 0.5)
                    - L.fairness_quit * _c(L.fairness) * 0.5
                    + (P.quit_outside * (m.outside - 1.0) if c.mechanisms.outside_option else 0.0))
            quit_ = self.random.random() < -math.expm1(-P.quit_base * math.exp(logh))
        if quit_ or self.leaving:
            m.leaders[self.team].vacate(self, quit_)
            return
        self.tenure += 1
        self.ramp = m.ramp_of(self.tenure)


class Leader(mesa.Agent):
    """A front-line leader: hands out the week's leads to the team and fills vacancies."""

    def __init__(self, model: MesaSalesModel, team: int, seats: list[int]):
        super().__init__(model)
        self.team = team
        self.seats = seats
        self.vacancies: dict[int, list] = {}  # seat -> [weeks left, week opened, pipeline, values]
        self.team_toxic = False
        self.team_weakness = 0.0
        self.climate = 0.0  # the team toxic climate (culture.climate_*)
        lead = [sg.lead_rate for sg in model.cfg.market.segments]
        self.hours = [v / sum(lead) for v in lead]  # hours shares by segment (allocation.*)
        self.dip = 0.0
        self.capacity_share = list(self.hours)

    def members(self) -> list[Rep]:
        return [r for s in self.seats if (r := self.model.seat_rep[s]) is not None]

    def plan(self) -> None:
        """Allocate leads by estimated strengths; note the team's skill gaps and toxic members."""
        m = self.model
        c = m.cfg
        team = self.members()
        self.team_toxic = any(r.toxic for r in team)
        if c.mechanisms.toxic_climate:  # follows the toxic share: rises fast, fades slowly
            share = sum(1 for r in team if r.toxic) / max(len(team), 1)
            rate = c.culture.climate_build if share > self.climate else c.culture.climate_decay
            self.climate += rate * (share - self.climate)
        self.team_weakness = sum(1.0 - r.skill for r in team) / max(len(team), 1)
        if c.mechanisms.segment_allocation:
            self.review()
        beta = c.selling.strength_allocation * c.leadership.coaching_focus
        noise_sd = m.team_noise_sd(self.team)
        noisy = c.mechanisms.allocation_noise and noise_sd > 0
        weights = []
        for r in team:
            weights.append([math.exp(beta * (ls + (noise_sd * self.random.gauss(0.0, 1.0) if noisy else 0.0)))
                            for ls in r.log_strength])
        for k in range(len(m.segments)):
            total = sum(w[k] for w in weights)
            # lead coverage: the filled seats, plus the covered share of the vacant seats' territories
            cover = len(team) + c.selling.vacant_lead_coverage * (len(self.seats) - len(team))
            per_w = m.lead[k] * m.D[k] * cover / total if total > 0 else 0.0
            for r, w in zip(team, weights):
                r.offered[k] = w[k] * per_w

    def review(self) -> None:
        """Every ``review_weeks``: forecast each segment's demand, plan the hours (best value first), move them."""
        m = self.model
        c = m.cfg
        A, mc = c.allocation, c.market
        K = A.review_weeks
        if m.week % K == 0:
            guess = []
            for k, seg in enumerate(m.segments):
                keep = 0.0
                for j in range(K):
                    wk = min(m.week + j, c.weeks - 1)
                    drop = _clip01(sum(_shock_intensity(sh, wk) * sh.depth for sh in mc.shocks
                                       if sh.kind == "demand")) if c.mechanisms.shocks else 0.0
                    v = 1.0 - drop * (1.0 - seg.resilience)
                    if c.mechanisms.market_noise:
                        v *= math.exp(mc.noise_ar ** j * m.z[k])
                    keep += v
                sd = A.forecast_noise * (1.0 - c.leadership.data_orientation)
                guess.append(seg.lead_rate * keep / K * math.exp(sd * self.random.gauss(0.0, 1.0)))
            value = [seg.deal_size / (1.0 + math.exp(-(m.win_logit[k] + m.win_shift)))
                     for k, seg in enumerate(m.segments)]
            need = [g / max(c.selling.capacity, 1e-12) for g in guess]
            plan = [0.0] * len(need)
            free = 1.0
            for k in sorted(range(len(need)), key=lambda k: -value[k]):
                plan[k] = min(max(free, 0.0), need[k])
                free -= need[k]
            left = 1.0 - sum(plan)
            total = sum(need)
            plan = [p + left * (n / total if total > 0 else 1.0 / len(need)) for p, n in zip(plan, need)]
            new = [h + A.response * (p - h) for h, p in zip(self.hours, plan)]
            moved = 0.5 * sum(abs(a - b) for a, b in zip(new, self.hours))
            self.dip = min(self.dip + A.move_cost * moved, 0.95)
            self.hours = new
        self.capacity_share = [h * (1.0 - self.dip) for h in self.hours]
        self.dip *= math.exp(-1.0 / A.relearn_weeks)

    def vacate(self, rep: Rep, quit_: bool) -> None:
        """A rep leaves: count the rep-year, free the seat, open a vacancy."""
        m = self.model
        m.close_rep_year(rep)
        if quit_:
            m.week_quits += 1
        else:
            m.week_exits += 1
        m.seat_rep[rep.seat] = None
        if m.cfg.mechanisms.hiring:
            keep = m.cfg.people.pipeline_handover  # the open deals the leaver leaves behind, for the next rep
            self.vacancies[rep.seat] = [round(m.cfg.people.hire_lag_weeks), m.week,
                                        [p * keep for p in rep.pipeline], [v * keep for v in rep.pipeline_value]]
        rep.remove()

    def staff(self) -> None:
        """The oldest ``recruiting_capacity`` vacancies count down unless hiring is frozen; fill those that reach 0.

        A vacancy opened this week starts counting next week (a lag of 0 fills it at once). The open
        deals left in the seat age while it is empty (no one works them) and pass to the new rep.
        """
        m = self.model
        slots = round(m.cfg.people.recruiting_capacity)  # searches the leader works at once, oldest first
        for seat in sorted(self.vacancies, key=lambda k: (self.vacancies[k][1], k)):
            vac = self.vacancies[seat]
            worked = not (m.hiring_frozen or getattr(self, "frozen", False)) and slots > 0
            slots -= worked
            if vac[1] != m.week:
                vac[2] = [p * (1.0 - h) for p, h in zip(vac[2], m.hazard)]
                vac[3] = [v * (1.0 - h) for v, h in zip(vac[3], m.hazard)]
                if worked and vac[0] > 0:
                    vac[0] -= 1
            if vac[0] == 0 and worked:
                del self.vacancies[seat]
                m.hire(seat, self.team, vac[2], vac[3])


class MesaSalesModel(mesa.Model):
    """One replication of simteam's model, agent by agent.

    Args:
        cfg: A validated :class:`SimConfig` (see :func:`check_supported` for what is covered).
        seed: Seed of Mesa's generators (``self.random`` and ``self.rng``).
    """

    def __init__(self, cfg: SimConfig, seed: int = 0):
        check_supported(cfg)
        super().__init__(rng=seed)
        self.cfg = c = cfg
        t = c.team
        team_of = np.repeat(np.arange(t.n_teams), t.team_size)
        self.graph: nx.Graph = build_structure(team_of, t.graph, k_neighbors=t.k_neighbors, rewire_p=t.rewire_p,
                                               p_within=t.p_within, cross_ties=t.cross_ties, seed=t.graph_seed,
                                               head_of_sales=t.head_of_sales).to_networkx()
        self.n_seats = team_of.size
        self.segments = c.market.segments
        self.lead = [s.lead_rate for s in self.segments]
        self.hazard = [1.0 / s.cycle_weeks for s in self.segments]
        self.win_logit = [math.log(s.win_rate / (1 - s.win_rate)) for s in self.segments]
        vw = [s.lead_rate * s.deal_size for s in self.segments]
        self.value_weight = [v / sum(vw) for v in vw]
        self.cv2 = sum(s.deal_cv ** 2 * w for s, w in zip(self.segments, self.value_weight))
        self.noise_sd = (c.selling.estimate_noise * (1.0 - c.leadership.data_orientation)
                         if c.mechanisms.allocation_noise else 0.0)
        self.week = 0
        self.z = [0.0] * len(self.segments)
        self.D = [1.0] * len(self.segments)
        self.win_shift = 0.0
        self.demand = 1.0
        self.crisis = 0.0
        self.outside = 1.0  # the outside job market (1 = normal)
        self.mods: dict[str, float] = {}
        self.quota_factor = 1.0
        self.hiring_frozen = False
        self.crisis_active = self.responding = False
        self.crisis_onset = -1
        self.crisis_peak = 0.0
        self.crisis_history: list[float] = []  # true crisis levels of the last signal_lag weeks
        self.crisis_estimate = 0.0  # the leader's assessed crisis level
        self.first_onset = min((s.start_week for s in c.market.shocks), default=-1) if c.mechanisms.shocks else -1
        self.counters = dict.fromkeys(("rep_years", "at_quota", "top20_sum", "top20_n", "quits", "exits_other",
                                       "hires"), 0.0)
        self.week_quits = self.week_exits = self.week_hires = 0
        self.seat_revenue_year = [0.0] * self.n_seats
        self.seat_rep: list[Rep | None] = [None] * self.n_seats
        self.leaders: dict[int, Leader] = {}
        for team in range(t.n_teams):
            self.leaders[team] = Leader(self, team, [int(s) for s in np.flatnonzero(team_of == team)])
        firsts = [self.leaders[k].seats[0] for k in range(t.n_teams)]
        toxic_seats = set(firsts[: t.initial_toxic] if t.initial_toxic <= len(firsts) else range(t.initial_toxic))
        P = c.people
        L = c.leadership
        equilibrium = t.initial_state == "equilibrium"
        if equilibrium:  # the targets of the morale, trust and stress equations at the start
            m0, tr0, st0 = (float(v) for v in initial_targets(P, L, self.segments, c.selling.capacity,
                                                                      ambiguity=c.mechanisms.role_ambiguity))
        else:
            m0, tr0, st0 = t.morale_mean, t.trust_mean, P.stress_base
        for seat in range(self.n_seats):
            pot = min(max(t.skill_mean + t.skill_sd * self.random.gauss(0.0, 1.0), 0.02), 1.0)
            tenure = math.floor(-t.tenure_mean_weeks * math.log(1.0 - self.random.random()))
            gap = P.new_hire_skill_gap * math.exp(-tenure / max(P.ramp_weeks * 4, 1e-9))
            rep = Rep(self, seat, int(team_of[seat]), tenure=tenure, potential=pot, skill=_clip01(pot - gap),
                      morale=_clip01(m0 + t.morale_sd * self.random.gauss(0.0, 1.0)),
                      trust=_clip01(tr0 + t.trust_sd * self.random.gauss(0.0, 1.0)),
                      toxic=seat in toxic_seats)
            rep.stress = st0
            # steady-state pipeline for the starting team (as simteam)
            x = min(c.selling.capacity * rep.ramp, sum(self.lead))
            for k, seg in enumerate(self.segments):
                rep.pipeline[k] = x * self.lead[k] / sum(self.lead) / self.hazard[k]
                rep.pipeline_value[k] = rep.pipeline[k] * seg.deal_size
            if equilibrium:  # pace at the expected attainment; morale with the matching success term
                S = c.selling
                eff = _clip01(P.effort_base + P.effort_morale * (rep.morale - 0.5) + P.effort_trust * (rep.trust - 0.5)
                              + L.communication_effort * L.communication + L.accountability_effort * L.accountability
                              - P.effort_stress * max(rep.stress - 0.5, 0.0))
                weekly = 0.0
                for k in range(len(self.segments)):
                    lg = (self.win_logit[k] + S.skill_logit * (rep.skill - 0.5) + S.strength_logit * rep.log_strength[k]
                          + S.morale_logit * (rep.morale - 0.5) + S.effort_logit * (eff - 0.5))
                    weekly += self.hazard[k] * rep.pipeline_value[k] / (1.0 + math.exp(-lg))
                quota = S.quota * max(rep.ramp, 0.05)
                rep.pace = 52.0 * weekly / quota if quota > 0 else 1.0
                rep.morale = _clip01(rep.morale + P.success_weight * math.tanh(rep.pace - 1.0))
            self.seat_rep[seat] = rep
        reporters = {name: getattr(self, "_report_" + name) for name in TEAM_SERIES}
        self.datacollector = mesa.DataCollector(model_reporters=reporters)
        self.head = _leaders_init(self) if c.mechanisms.leaders else None  # leaders as agents (LA), head of sales (HS)

    # -- helpers ---------------------------------------------------------------------------------
    @property
    def reps(self) -> list[Rep]:
        return list(self.agents_by_type[Rep]) if Rep in self.agents_by_type else []

    def behaviours(self, team: int):
        """The leader behaviours a rep of ``team`` reads: its leader's effective ones with leaders as agents."""
        return self.leaders[team].view if self.cfg.mechanisms.leaders else self.cfg.leadership

    def team_noise_sd(self, team: int) -> float:
        """The sd of the leader's strength estimates in ``team`` (falls with the leader's data orientation)."""
        c = self.cfg
        if not c.mechanisms.leaders or not c.mechanisms.allocation_noise:
            return self.noise_sd
        return c.selling.estimate_noise * (1.0 - self.leaders[team].eff["data_orientation"])

    def ramp_of(self, tenure: float) -> float:
        rw = self.cfg.people.ramp_weeks
        if not self.cfg.mechanisms.ramp or rw <= 0:
            return 1.0
        return 1.0 - math.exp(-tenure / rw)

    def hire(self, seat: int, team: int, pipeline: list[float], pipeline_value: list[float]) -> None:
        c = self.cfg
        t, P = c.team, c.people
        pot = min(max(t.skill_mean + t.skill_sd * self.random.gauss(0.0, 1.0), 0.02), 1.0)
        toxic = c.mechanisms.toxicity and self.random.random() < c.culture.toxic_hire_prob
        rep = Rep(self, seat, team, tenure=1.0, potential=pot, skill=_clip01(pot - P.new_hire_skill_gap),
                  morale=_clip01(P.new_hire_morale + P.new_hire_morale_sd * self.random.gauss(0.0, 1.0)),
                  trust=P.new_hire_trust, toxic=toxic)
        rep.cohesion = c.culture.cohesion_base * (0.6 if c.mechanisms.cohesion else 1.0)
        rep.pipeline, rep.pipeline_value = list(pipeline), list(pipeline_value)
        self.seat_rep[seat] = rep
        self.week_hires += 1

    def close_rep_year(self, rep: Rep) -> None:
        if rep.weeks_year >= 13:
            self.counters["rep_years"] += 1
            self.counters["at_quota"] += rep.revenue_year >= rep.quota_year

    # -- the week -------------------------------------------------------------------------------
    def market_step(self, t: int) -> None:
        c = self.cfg
        mc, sw = c.market, c.mechanisms
        mult = 1.0
        if sw.trend:
            mult *= (1.0 + mc.trend_annual) ** (t / 52.0)
        if sw.seasonality:
            mult *= 1.0 + mc.season_amplitude * math.cos(2 * math.pi * (t - mc.season_peak_week) / 52.0)
        drops = {"demand": 0.0, "lead_flow": 0.0, "win_rate": 0.0}
        if sw.shocks:
            for sh in mc.shocks:
                drops[sh.kind] += _shock_intensity(sh, t) * sh.depth
        drop, lead_drop = _clip01(drops["demand"]), _clip01(drops["lead_flow"])
        crisis_value = 0.0
        for k, seg in enumerate(self.segments):
            m_k = mult
            if sw.market_noise:
                sd, ar = mc.noise_sd, mc.noise_ar
                eps = self.random.gauss(0.0, 1.0)
                self.z[k] = sd * eps if t == 0 else ar * self.z[k] + sd * math.sqrt(1 - ar * ar) * eps
                m_k *= math.exp(self.z[k] - 0.5 * sd * sd)
            drop_s = drop * (1.0 - seg.resilience)
            crisis_value += drop_s * self.value_weight[k]
            self.D[k] = m_k * (1.0 - drop_s) * (1.0 - lead_drop)
        self.win_shift = -4.0 * drops["win_rate"] - mc.competitor_pressure
        self.demand = sum(d * w for d, w in zip(self.D, self.value_weight))
        lost = crisis_value + lead_drop * (1 - crisis_value)
        if drops["win_rate"] > 0:  # a win-rate shock loses the value of the deals no longer won
            kept = sum(w * (1 + math.exp(-x)) / (1 + math.exp(-(x - 4.0 * drops["win_rate"])))
                       for w, x in zip(self.value_weight, self.win_logit))
            lost += (1 - lost) * (1 - kept)
        self.crisis = lost
        # the outside job market: EMA of the economy-wide demand (demand shocks only)
        self.outside += (1.0 - crisis_value - self.outside) / c.people.outside_weeks

    def assess(self) -> float:
        """The crisis level the leader believes: an EMA of a lagged, noisy signal (true level with the switch off)."""
        c = self.cfg
        L = c.leadership
        if not c.mechanisms.crisis_signal:
            return self.crisis
        self.crisis_history.append(self.crisis)
        lag = round(L.signal_lag)
        old = self.crisis_history[-1 - lag] if len(self.crisis_history) > lag else 0.0
        if len(self.crisis_history) > lag + 1:
            del self.crisis_history[0]
        obs = old + L.signal_noise * (1.0 - L.data_orientation) * self.random.gauss(0.0, 1.0)
        self.crisis_estimate += (obs - self.crisis_estimate) / L.signal_window
        return self.crisis_estimate

    def leadership_step(self, t: int) -> None:
        self.mods = {}
        self.hiring_frozen = False
        level = self.assess()
        starting = not self.crisis_active and level > 0.03
        ending = self.crisis_active and level < 0.01
        if starting:
            self.crisis_onset = t
        self.crisis_active = (self.crisis_active or starting) and not ending
        self.crisis_peak = level if starting else (max(self.crisis_peak, level) if self.crisis_active else 0.0)
        c = self.cfg
        if not c.mechanisms.crisis_response:
            return
        if self.responding and not self.crisis_active:
            self.responding = False
        lag = round(c.leadership.max_decision_lag * (1.0 - c.leadership.decision_speed))
        if self.crisis_active and not self.responding and t >= self.crisis_onset + lag:
            self.responding = True
        if self.responding:
            if c.crisis.strategy == "hold_steady":
                fade = min(max(level / max(self.crisis_peak, 1e-12), 0.0), 1.0)  # ends with the crisis
                self.mods["trust"] = c.crisis.reassure_trust * fade
                self.mods["stress_relief"] = c.crisis.reassure_stress * fade
            elif c.crisis.strategy == "wait_and_see":
                self.hiring_frozen = True

    def step(self) -> None:
        """One week: market, leadership, leaders plan, reps act (random order), leaders hire, record."""
        t = self.week
        self.week_quits = self.week_exits = self.week_hires = 0
        self.market_step(t)
        self.leadership_step(t)
        if self.cfg.mechanisms.leaders:
            _leaders_step(self, t)
        self.agents_by_type[Leader].shuffle_do("plan")
        self.agents_by_type[Rep].shuffle_do("step")
        self.agents_by_type[Leader].shuffle_do("staff")
        self.counters["quits"] += self.week_quits
        self.counters["exits_other"] += self.week_exits
        self.counters["hires"] += self.week_hires
        self.datacollector.collect(self)
        if (t + 1) % 52 == 0:
            self.close_year()
        self.week += 1

    def close_year(self, final: bool = False) -> None:
        for rep in self.reps:
            self.close_rep_year(rep)
            rep.revenue_year = rep.quota_year = 0.0
            rep.weeks_year = 0
        total = sum(self.seat_revenue_year)
        k = max(math.ceil(0.2 * self.n_seats), 1)
        if total > 0:
            self.counters["top20_sum"] += sum(sorted(self.seat_revenue_year)[-k:]) / total
            self.counters["top20_n"] += 1
        self.seat_revenue_year = [0.0] * self.n_seats
        if not final:
            self.quota_factor *= 1.0 + self.cfg.selling.quota_growth  # next year's quota

    def run(self) -> MesaSalesModel:
        for _ in range(self.cfg.weeks):
            self.step()
        if self.cfg.weeks % 52 >= 26:
            self.close_year(final=True)
        return self

    # -- DataCollector reporters (one weekly value each) ------------------------------------------
    def _mean(self, attr: str) -> float:
        reps = self.reps
        return sum(getattr(r, attr) for r in reps) / max(len(reps), 1)

    def _report_revenue(self, m=None) -> float:
        return sum(r.revenue_week for r in self.reps)

    def _report_deals(self, m=None) -> float:
        return float(sum(r.wins_week for r in self.reps))

    def _report_pipeline(self, m=None) -> float:
        return (sum(sum(r.pipeline) for r in self.reps)
                + sum(sum(v[2]) for ld in self.leaders.values() for v in ld.vacancies.values()))

    def _report_headcount(self, m=None) -> float:
        return float(len(self.reps))

    def _report_hires(self, m=None) -> float:
        return float(self.week_hires)

    def _report_quits(self, m=None) -> float:
        return float(self.week_quits)

    def _report_exits_other(self, m=None) -> float:
        return float(self.week_exits)

    def _report_morale(self, m=None) -> float:
        return self._mean("morale")

    def _report_morale_sd(self, m=None) -> float:
        values = [r.morale for r in self.reps]
        if not values:
            return 0.0
        mean = sum(values) / len(values)
        return math.sqrt(max(sum(v * v for v in values) / len(values) - mean * mean, 0.0))

    def _report_trust(self, m=None) -> float:
        return self._mean("trust")

    def _report_skill(self, m=None) -> float:
        return self._mean("skill")

    def _report_stress(self, m=None) -> float:
        return self._mean("stress")

    def _report_effort(self, m=None) -> float:
        return self._mean("effort")

    def _report_attainment(self, m=None) -> float:
        return self._mean("pace")

    def _report_toxic_share(self, m=None) -> float:
        return self._mean("toxic")

    def _report_demand(self, m=None) -> float:
        return self.demand

    # -- summary ----------------------------------------------------------------------------------
    def summary(self) -> dict[str, float]:
        """Summary outcomes with simteam's definitions (``simteam.results.SUMMARY_COLUMNS``)."""
        df = self.datacollector.get_model_vars_dataframe()
        c = self.counters
        years = self.cfg.weeks / 52.0
        head = float(df["headcount"].mean())
        rev = df["revenue"].to_numpy(dtype=float)
        trend = self.cfg.market.trend_annual if self.cfg.mechanisms.trend else 0.0
        dd, rec, _ = recovery(rev[:, None], np.array([self.first_onset]), trend_annual=trend)
        return {
            "revenue": float(rev.sum()),
            "revenue_per_seat_year": float(rev.sum()) / (self.n_seats * years),
            "deals": float(df["deals"].sum()),
            "turnover_annual": (c["quits"] + c["exits_other"]) / max(head, 1e-9) / years,
            "quit_rate_annual": c["quits"] / max(head, 1e-9) / years,
            "quota_share": c["at_quota"] / c["rep_years"] if c["rep_years"] else math.nan,
            "top20_revenue_share": c["top20_sum"] / c["top20_n"] if c["top20_n"] else math.nan,
            "morale_final": float(df["morale"].iloc[-1]),
            "trust_final": float(df["trust"].iloc[-1]),
            "skill_final": float(df["skill"].iloc[-1]),
            "stress_final": float(df["stress"].iloc[-1]),
            "toxic_final": float(df["toxic_share"].iloc[-1]),
            "headcount_final": float(df["headcount"].iloc[-1]),
            "hires": c["hires"],
            "quits": c["quits"],
            "exits_other": c["exits_other"],
            "drawdown": float(dd[0]),
            "recovery_weeks": float(rec[0]),
            **_leaders_summary(self),
        }


# ------------------------------------------------------------------------------------------------
# Leaders as agents (simteam/leaders.py, submodel LA) and the head of sales (simteam/headofsales.py, HS),
# leader by leader in plain Python
# ------------------------------------------------------------------------------------------------
_HOURS = {"coaching": "coaching_hours", "feedback": "feedback_hours", "recognition": "recognition_hours",
          "communication": "communication_hours", "data_orientation": "data_hours"}


class _View:
    """The leadership parameters with the leader's effective behaviours in place of the configured ones."""

    def __init__(self, base, eff: dict):
        self._base, self._eff = base, eff

    def __getattr__(self, name):
        eff = self.__dict__["_eff"]
        return eff[name] if name in eff else getattr(self.__dict__["_base"], name)


class _Head:
    """The head of sales' state (pressure, freeze, quota push)."""

    def __init__(self):
        self.pressure, self.freeze, self.push = 0.0, False, False


def _leaders_init(m: MesaSalesModel) -> _Head | None:
    c = m.cfg
    P, L = c.leaders, c.leadership
    for ld in m.leaders.values():
        style = STYLES[P.styles[ld.team % len(P.styles)]] if P.styles else None
        ld.base = {b: (style[b] if style else getattr(L, b)) for b in BEHAVIOURS}
        if P.behaviour_sd:
            ld.base = {b: _clip01(v + P.behaviour_sd * m.random.gauss(0.0, 1.0)) for b, v in ld.base.items()}
        ld.profile = dict(ld.base)
        ld.stress = P.stress_base
        ld.tenure = math.floor(-P.tenure_mean_weeks * math.log(1.0 - m.random.random()))
        ld.coaching_skill = _clip01(P.skill_mean + P.skill_sd * m.random.gauss(0.0, 1.0))
        ld.vacant, ld.countdown, ld.promote_next = False, -1, False
        ld.departed_trust = 0.0
        ld.relay_freeze = ld.relay_pressure = 0.0
        ld.frozen = False
        ld.eff = dict(ld.profile)
        ld.view = _View(L, ld.eff)
        ld.exits = ld.promotions = ld.hires = 0
        _team_state(ld)
        _budget(m, ld)
    return _Head() if c.mechanisms.head_of_sales else None


def _team_state(ld: Leader) -> None:
    team = ld.members()
    ld.n = len(team)
    ld.trust = sum(r.trust for r in team) / ld.n if team else 0.0
    ld.pace = sum(min(r.pace, 2.0) for r in team) / ld.n if team else 1.0


def _budget(m: MesaSalesModel, ld: Leader) -> None:
    """Hours demanded and given per activity; the leader's effective behaviours of the week."""
    P = m.cfg.leaders
    flexible = P.hours_week * (1.0 - P.admin_share - P.selling_share)
    crisis_h = min(P.crisis_hours * m.crisis_active, max(flexible, 0.0))
    avail = max(flexible - crisis_h, 0.0) * (P.interim_hours if ld.vacant else 1.0)
    need_level = {b: -math.log1p(-min(ld.profile[b], P.max_intensity)) for b, _ in TIME_ACTIVITIES}
    need = {b: need_level[b] * getattr(P, _HOURS[b]) * (ld.n if per_rep else 1.0) for b, per_rep in TIME_ACTIVITIES}
    demand = sum(need.values())
    share = avail / demand if demand > avail else 1.0
    ld.overload = min(demand / avail if avail > 0 else (10.0 if demand > 0 else 0.0), 10.0)
    ld.coaching_per_rep = need["coaching"] * share / max(ld.n, 1)
    eff = dict(ld.profile)
    for b, _ in TIME_ACTIVITIES:
        eff[b] = -math.expm1(-need_level[b] * share)  # 1 - (1 - b)^share: diminishing returns of hours
    for b in ("coaching", "feedback"):
        eff[b] = _clip01(eff[b] * (0.5 + ld.coaching_skill))
    strain = P.stress_behaviour * max(ld.stress - P.stress_base, 0.0)
    for b in ("inspiration", "fairness"):
        eff[b] *= 1.0 - min(strain, 1.0)
    if ld.vacant:  # an interim: halfway to neutral
        for b in ("inspiration", "accountability", "fairness"):
            eff[b] = 0.5 + P.interim_presence * (eff[b] - 0.5)
    ld.eff.clear()
    ld.eff.update(eff)


def _reset_trust(m: MesaSalesModel, ld: Leader, old: float, extra: float) -> None:
    P = m.cfg.leaders
    start = _clip01(P.successor_trust - P.departure_affect * (old - 0.5) + extra)
    for r in ld.members():
        r.trust = start


def _leave(m: MesaSalesModel, ld: Leader) -> None:
    if ld.vacant:
        return
    P = m.cfg.leaders
    ld.promote_next = m.random.random() < P.promote_share
    ld.vacant = True
    ld.countdown = round(P.promote_weeks if ld.promote_next else P.hire_weeks)
    ld.departed_trust = ld.trust
    _reset_trust(m, ld, ld.departed_trust, 0.0)  # the interim is a new leader too
    ld.exits += 1


def _arrive(m: MesaSalesModel, ld: Leader, skill: float, extra_trust: float) -> None:
    P = m.cfg.leaders
    old = ld.departed_trust if ld.vacant else ld.trust
    ld.vacant, ld.countdown, ld.tenure, ld.stress = False, -1, 0.0, P.stress_base
    ld.coaching_skill = skill
    ld.profile = dict(ld.base)
    _reset_trust(m, ld, old, extra_trust)
    _team_state(ld)


def _promote(m: MesaSalesModel, ld: Leader) -> None:
    """The team's top rep by pace (first in seat order) becomes its leader; the seat is left (an exit)."""
    P = m.cfg.leaders
    team = ld.members()
    if not team:
        _hire_leader(m, ld)
        return
    top = max(team, key=lambda r: (r.pace, -r.seat))
    rel = max(top.pace, 1e-3) / max(ld.pace, 1e-3)
    skill = _clip01(P.skill_mean - P.peter_slope * math.log2(max(rel, 0.25)) + P.skill_sd * m.random.gauss(0.0, 1.0))
    ld.vacate(top, False)
    _leave(m, ld)
    _arrive(m, ld, skill, P.insider_trust)
    ld.promotions += 1


def _hire_leader(m: MesaSalesModel, ld: Leader) -> None:
    P = m.cfg.leaders
    skill = _clip01(P.skill_mean + P.skill_sd * m.random.gauss(0.0, 1.0))
    _leave(m, ld)
    _arrive(m, ld, skill, 0.0)
    ld.hires += 1


def _leaders_step(m: MesaSalesModel, t: int) -> None:
    """Every leader's week (as simteam.leaders.Leaders.step), then the head of sales' (as HeadOfSales.step)."""
    P = m.cfg.leaders
    leaders = [m.leaders[k] for k in sorted(m.leaders)]
    for ld in leaders:
        _team_state(ld)
    for ld in leaders:  # succession: the successor arrives when the countdown has run out
        if ld.vacant:
            if ld.countdown <= 0:
                (_promote if ld.promote_next else _hire_leader)(m, ld)
            else:
                ld.countdown -= 1
    for ld in leaders:  # leaders' own exits
        h = P.exit_base * math.exp(P.exit_stress * (ld.stress - P.stress_base)
                                   + P.exit_results * max(1.0 - ld.pace, 0.0))
        if not ld.vacant and m.random.random() < -math.expm1(-h):
            _leave(m, ld)
    for ld in leaders:
        _team_state(ld)
        _budget(m, ld)
        target = (P.stress_base + P.stress_overload * max(ld.overload - 1.0, 0.0)
                  + P.stress_results * max(1.0 - ld.pace, 0.0)
                  + P.stress_pressure * (max(m.quota_factor - 1.0, 0.0) + m.crisis_active))
        ld.stress = P.stress_base if ld.vacant else ld.stress + P.stress_rate * (_clip01(target) - ld.stress)
        ld.tenure += not ld.vacant
    T = len(leaders)
    sums = m.__dict__.setdefault("leader_sums", dict.fromkeys(("stress", "coaching_per_rep", "vacant", "weeks"), 0.0))
    sums["stress"] += sum(ld.stress for ld in leaders) / T
    sums["coaching_per_rep"] += sum(ld.coaching_per_rep for ld in leaders) / T
    sums["vacant"] += sum(ld.vacant for ld in leaders) / T
    sums["weeks"] += 1
    if m.head is not None:
        _head_step(m, leaders)


def _head_step(m: MesaSalesModel, leaders: list[Leader]) -> None:
    H, hd = m.cfg.head_of_sales, m.head
    n = sum(ld.n for ld in leaders)
    pace = sum(ld.pace * ld.n for ld in leaders) / n if n > 0 else 1.0
    target = _clip01(H.pressure_results * max(H.plan_pace - pace, 0.0) + H.pressure_crisis * m.crisis_active)
    hd.pressure += H.pressure_rate * (target - hd.pressure)
    hd.freeze = hd.pressure >= (0.5 * H.freeze_at if hd.freeze else H.freeze_at)
    if not hd.push and hd.pressure >= H.push_at:
        hd.push = True
        m.quota_factor *= 1.0 + H.quota_push
    elif hd.push and hd.pressure < 0.5 * H.push_at:
        hd.push = False
        m.quota_factor /= 1.0 + H.quota_push
    exempt = set(sorted(range(len(leaders)), key=lambda k: -leaders[k].pace)[:math.floor(H.exempt_share * len(leaders))])
    for k, ld in enumerate(leaders):  # each leader relays the directives: delay and fidelity
        q = min(ld.eff["communication"] + ld.trust, 1.0)
        rate = min(H.relay_rate * q, 1.0)
        ld.relay_freeze += rate * (q * hd.freeze - ld.relay_freeze)
        ld.relay_pressure += rate * (q * hd.pressure - ld.relay_pressure)
        ld.frozen = ld.relay_freeze > 0.5 and k not in exempt
        passed = (H.push_accountability * ld.relay_pressure
                  * (1.0 + H.stress_amplify * max(ld.stress - m.cfg.leaders.stress_base, 0.0)))
        ld.eff["accountability"] = _clip01(ld.eff["accountability"] + passed)


def _leaders_summary(m: MesaSalesModel) -> dict[str, float]:
    """The leader columns of simteam's summary (leaders as agents), else none."""
    if not m.cfg.mechanisms.leaders:
        return {}
    s = m.__dict__.get("leader_sums") or dict.fromkeys(("stress", "coaching_per_rep", "vacant", "weeks"), 0.0)
    w = max(s["weeks"], 1)
    lds = m.leaders.values()
    return {"leader_exits": float(sum(ld.exits for ld in lds)), "leader_promotions": float(sum(ld.promotions for ld in lds)),
            "leader_hires": float(sum(ld.hires for ld in lds)), "leader_vacant_share": s["vacant"] / w,
            "leader_stress": s["stress"] / w, "coaching_hours_per_rep": s["coaching_per_rep"] / w}


def _run_seeds(cfg: SimConfig, seeds: list[int]) -> list[dict]:
    rows = []
    for s in seeds:
        rows.append({"seed": s, **MesaSalesModel(cfg, seed=s).run().summary()})
    return rows


def run_baseline(cfg: SimConfig, replications: int, seed: int = 0, processes: int = 1) -> pd.DataFrame:
    """Run ``replications`` Mesa models on seeds ``seed + r``; one summary row each.

    Args:
        cfg: Configuration (``cfg.weeks`` is the horizon).
        replications: Number of models to run.
        seed: Base seed.
        processes: Worker processes (the replications are split evenly).
    """
    check_supported(cfg)
    seeds = [seed + r for r in range(replications)]
    if processes > 1 and replications > 1:
        chunks = [seeds[i::processes] for i in range(processes)]
        with ProcessPoolExecutor(max_workers=processes) as ex:
            rows = [row for part in ex.map(_run_seeds, [cfg] * processes, chunks) for row in part]
        rows.sort(key=lambda r: r["seed"])
    else:
        rows = _run_seeds(cfg, seeds)
    return pd.DataFrame(rows)
