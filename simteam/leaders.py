"""Leaders as agents: each team's leader has a behaviour profile, a weekly time budget, state and a successor.

Submodel LA of docs/model.md (switch ``mechanisms.leaders``, parameters :class:`LeadersConfig`,
section ``leaders:``). When the switch is off nothing here runs and every mechanism reads the
organisation-wide behaviours of ``leadership:`` as before (the stored baseline does not move).
When it is on, the leader of team ``t`` in batch row ``b`` has

* a **profile**: the twelve behaviours of :mod:`simteam.leadership`, from the team's named style
  (``leaders.styles``, cycled over the teams) or the ``leadership:`` values, plus a per-leader
  deviation (``leaders.behaviour_sd``, stream ``leader_style``): a distribution across the
  organisation;
* a **time budget** (hours per week): admin and own selling come first (Rapp et al. 2020), crises
  and rollouts take their hours, and the rest is split over coaching, feedback, recognition (per
  rep) and communication, data work (per team). Intending behaviour ``b`` on activity ``k`` needs
  ``q_k(b) = -h_k ln(1 - min(b, b_max))`` hours (per rep or per team); when the demand exceeds the
  hours available every activity gets the same share ``s = min(1, available / demand)`` of what it
  needs, and the behaviour achieved is ``1 - exp(-s q_k / h_k) = 1 - (1 - b)^s``: diminishing
  returns of hours, fewer hours per rep in larger teams, and no way to turn every behaviour up;
* **state** per leader: hours used, stress, tenure, trust earned from the reps (their mean trust),
  skill as a coach (scales coaching and feedback), whether the post is vacant;
* **turnover and succession**: a weekly exit hazard from stress, results and organisational
  pressure (stream ``leader_exit``); a vacancy is covered by an interim (fewer hours, behaviours
  halfway to neutral) and filled after ``promote_weeks`` by promoting the team's top rep (share
  ``promote_share``, stream ``leader_succession``; the rep's seat is vacated, so the team loses
  that rep's sales) or after ``hire_weeks`` by an outside hire. A promoted rep's coaching skill
  falls with the rep's relative sales (the Peter Principle evidence of Benson, Li & Shue 2019);
  reps' trust in the new leader starts from ``successor_trust`` minus their affective reaction to
  the departure (Ballinger, Schoorman & Lehman 2009) and is then earned through the usual trust
  dynamics.

Weekly series (:func:`leader_series`): leader stress, coaching hours per rep, trust earned, tenure
and the vacancy flag, as means over the teams and, for 2 to :data:`SERIES_TEAMS` teams, per team
(``leader_stress_t0`` ...). The head of sales (:mod:`simteam.headofsales`, switch
``mechanisms.head_of_sales``) runs right after this mechanism and reaches the teams through it.

The mechanisms read the result through :func:`effective`: the ``leadership`` parameters with the
eight behaviours :data:`BEHAVIOURS` replaced by ``(B, T)`` arrays, one value per team; their kernels
receive one parameter record per batch row and team (:func:`team_params`) and look up the record
of each seat's team.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .leadership import STYLES
from .mechanism import Mechanism
from .params import param

__all__ = ["LeadersConfig", "Leaders", "BEHAVIOURS", "TIME_ACTIVITIES", "SERIES_TEAMS", "leader_series", "effective",
           "team_params", "team_array",
           "validate_section", "leader_leaves", "promote", "hire_leader"]

#: The behaviours that differ by team when leaders are agents (what the mechanisms read per team).
BEHAVIOURS = ("coaching", "feedback", "recognition", "communication", "inspiration", "accountability", "fairness",
              "data_orientation")
#: Activities that draw on the time budget: (behaviour, per rep?)
TIME_ACTIVITIES = (("coaching", True), ("feedback", True), ("recognition", True), ("communication", False),
                   ("data_orientation", False))
_NTIME = len(TIME_ACTIVITIES)
_K = {b: k for k, b in enumerate(BEHAVIOURS)}


#: Rapp, Petersen, Hughes & Ogilvie (2020): first-line sales managers spend ~26% of their time managing
#: information. The data work behind allocation is that share of the default 50-hour week (``hours_week``)
#: for the balanced (median) leader, whose intended data orientation 0.5 needs ``h ln(1 / (1 - 0.5)) = h ln 2``
#: hours (the time budget below), so ``h = 0.26 x 50 / ln 2 = 18.76`` h per team for 63% of the full effect
#: (that mapping to the effect is an assumption).
_HOURS_WEEK = 50.0
_RAPP_INFORMATION_SHARE = 0.26
_DATA_HOURS = round(_RAPP_INFORMATION_SHARE * _HOURS_WEEK / float(np.log(2.0)), 2)

# ------------------------------------------------------------------------------------------------
# parameters (declared here, assembled by simteam.config.SimConfig as the section ``leaders:``)
# ------------------------------------------------------------------------------------------------
@dataclass
class LeadersConfig:
    """Leaders as agents (used when ``mechanisms.leaders`` is true): styles, time budget, stress, succession."""

    styles: list[str] = param([], doc="style of each team's leader (names of leadership styles), cycled over the "
                              "teams; empty: every leader has the leadership: values")
    behaviour_sd: float = param(0.0, 0.0, 0.5, doc="sd of each leader's own deviation from its style, per behaviour",
                                source="assumption")
    hours_week: float = param(_HOURS_WEEK, 10.0, 100.0, unit="h/week", doc="a first-line sales manager's working week",
                              source="assumption (salaried managers' 45-55 h)")
    admin_share: float = param(0.15, 0.0, 0.9, doc="share of the week on administration",
                               source="Rapp, Petersen, Hughes & Ogilvie (2020): admin ~15%")
    selling_share: float = param(0.23, 0.0, 0.9, doc="share of the week on own customer work",
                                 source="Rapp et al. (2020): customer interaction ~23%; Alexander Group: 16-23%")
    coaching_hours: float = param(1.0, 0.01, 20.0, unit="h/rep/week",
                                  doc="coaching hours per rep that give 63% of the full effect (h_k)",
                                  source="assumption, sized so a balanced 12-rep team spends ~12 h/week on people "
                                         "(Rapp et al. 2020: managing people ~32% of the week)")
    feedback_hours: float = param(0.5, 0.01, 20.0, unit="h/rep/week", doc="the same for feedback",
                                  source="assumption (see coaching_hours)")
    recognition_hours: float = param(0.25, 0.01, 20.0, unit="h/rep/week", doc="the same for recognition",
                                     source="assumption (see coaching_hours)")
    communication_hours: float = param(4.0, 0.01, 100.0, unit="h/team/week",
                                       doc="the same for communication of goals (per team)",
                                       source="assumption")
    data_hours: float = param(_DATA_HOURS, 0.01, 100.0, unit="h/team/week",
                              doc="the same for data work behind allocation (per team)",
                              source="Rapp et al. (2020): managing information ~26% of the week, so the balanced "
                                     "(median) leader, data_orientation 0.5, works 0.26 x 50 h = 13 h on data: "
                                     "h = 13 h / ln 2; that these hours buy 63% of the full effect of data "
                                     "orientation (the mapping to the effect) is an assumption")
    max_intensity: float = param(0.95, 0.5, 0.999, doc="highest behaviour level any number of hours can buy (b_max)",
                                 source="assumption")
    crisis_hours: float = param(8.0, 0.0, 100.0, unit="h/week", doc="leader hours a crisis takes while it lasts",
                                source="assumption; Alexander Group: managers sold more in the recession")
    rollout_hours: float = param(6.0, 0.0, 100.0, unit="h/week", doc="leader hours a change rollout takes",
                                 source="assumption")
    rollout_weeks: int = param(26, 0, 520, unit="weeks", doc="weeks after a rollout starts during which it takes hours",
                               source="assumption")
    stress_base: float = param(0.2, 0.0, 1.0, doc="leader stress with no overload or pressure", source="assumption")
    stress_rate: float = param(0.1, 0.0, 1.0, unit="1/week", doc="relaxation rate of leader stress",
                               source="assumption")
    stress_overload: float = param(0.5, 0.0, 5.0, doc="stress per unit of demanded hours above the available ones "
                                   "(demand / available - 1)", source="assumption")
    stress_results: float = param(0.3, 0.0, 5.0, doc="stress per unit of team attainment pace below 1",
                                  source="assumption")
    stress_pressure: float = param(0.3, 0.0, 5.0, doc="stress per unit of quota raise and while a crisis lasts",
                                   source="assumption")
    stress_behaviour: float = param(0.5, 0.0, 2.0, doc="share of inspiration and fairness lost per unit stress above "
                                    "the base", source="assumption (strain erodes supportive leadership)")
    exit_base: float = param(0.004, 0.0, 1.0, unit="1/week", doc="weekly exit hazard of a leader at base stress "
                             "(~19% a year: quits and moves)", source="assumption (first-line manager turnover)")
    exit_stress: float = param(3.0, 0.0, 20.0, doc="log-hazard per unit leader stress above the base",
                               source="assumption")
    exit_results: float = param(1.0, 0.0, 20.0, doc="log-hazard per unit team pace below 1", source="assumption")
    promote_share: float = param(0.5, 0.0, 1.0, doc="share of vacancies filled by promoting the team's top rep",
                                 source="assumption; Benson, Li & Shue (2019): top sellers are the likeliest promoted")
    promote_weeks: int = param(2, 0, 104, unit="weeks", doc="interim before a promotion from the team",
                               source="assumption")
    hire_weeks: int = param(13, 0, 104, unit="weeks", doc="time to hire an outside leader (interim meanwhile)",
                            source="assumption (manager searches take about a quarter)")
    interim_hours: float = param(0.4, 0.0, 1.0, doc="share of a leader's flexible hours the interim cover gives",
                                 source="assumption")
    interim_presence: float = param(0.5, 0.0, 1.0, doc="interim: inspiration, accountability and fairness move this "
                                    "share of the way from neutral (0.5) to the team's profile", source="assumption")
    successor_trust: float = param(0.45, 0.0, 1.0, doc="reps' trust in a new leader (before the reaction to the "
                                   "departure)", source="assumption, below the 0.5 neutral: trust is earned")
    departure_affect: float = param(0.3, 0.0, 2.0, doc="trust in the new leader lost per unit of trust in the "
                                    "departed one above 0.5", source="Ballinger, Schoorman & Lehman (2009): affective "
                                    "reactions to the departure shape trust in the successor")
    insider_trust: float = param(0.05, 0.0, 1.0, doc="extra initial trust in a leader promoted from the team (history)",
                                 source="Ballinger et al. (2009): with history, the successor's ability counts")
    skill_mean: float = param(0.5, 0.0, 1.0, doc="mean coaching skill of initial and outside-hired leaders "
                              "(0.5: coaching and feedback as intended)", source="assumption")
    skill_sd: float = param(0.15, 0.0, 0.5, doc="sd of leaders' coaching skill", source="assumption")
    peter_slope: float = param(0.1, 0.0, 1.0, doc="coaching skill lost per doubling of the promoted rep's pace "
                               "relative to the team", source="Benson, Li & Shue (2019, QJE): a doubling of pre-"
                               "promotion sales goes with ~7.5% lower sales of the new manager's reps; the size "
                               "here is an assumption")
    tenure_mean_weeks: float = param(150.0, 0.0, 2000.0, unit="weeks", doc="mean initial leader tenure (exponential)",
                                     source="assumption")


def validate_section(cfg) -> None:
    """The cross-field rules of ``leaders:`` and the leader events (called by :func:`simteam.config.validate`)."""
    from .params import ConfigError

    for i, name in enumerate(cfg.leaders.styles):
        if name not in STYLES:
            raise ConfigError(f"leaders.styles[{i}]: {name!r} is not a leadership style; choose one of "
                              f"{', '.join(STYLES)}")
    for i, ev in enumerate(cfg.events):
        if ev.kind not in ("leader_leaves", "promote", "hire_leader"):
            continue
        if not cfg.mechanisms.leaders:
            raise ConfigError(f"events[{i}].kind: {ev.kind} needs leaders as agents; set mechanisms.leaders: true")
        n = cfg.team.n_teams
        if ev.value != int(ev.value) or not -1 <= ev.value < n:
            raise ConfigError(f"events[{i}].value: the team of a {ev.kind} event; allowed: 0 to {n - 1}, or -1 for "
                              f"every team")
        if ev.kind == "hire_leader" and ev.name and ev.name not in STYLES:
            raise ConfigError(f"events[{i}].name: {ev.name!r} is not a leadership style; choose one of "
                              f"{', '.join(STYLES)} (or empty: the team's configured style)")
        if ev.kind == "promote" and ev.name and not ev.name.isdigit():
            raise ConfigError(f"events[{i}].name: the rep to promote as a seat number inside the team (0, 1, ...), "
                              f"or empty for the rep with the highest pace; got {ev.name!r}")


# ------------------------------------------------------------------------------------------------
# the hook the other mechanisms use
# ------------------------------------------------------------------------------------------------
class _Effective:
    """The ``leadership`` parameters with the behaviours of :data:`BEHAVIOURS` as ``(B, T)`` arrays."""

    def __init__(self, base, values: dict[str, np.ndarray]):
        self._base = base
        self.__dict__.update(values)

    def __getattr__(self, name):
        return getattr(self._base, name)


def effective(e):
    """The leader behaviours the mechanisms read this week.

    Without leaders as agents: ``e.p.leadership`` itself (scalars, or ``(B, 1)`` arrays in a sweep).
    With them: the same object with each behaviour of :data:`BEHAVIOURS` a ``(B, T)`` array (team
    ``t``'s effective value), so every term formed from them is per row and team.
    """
    lead = getattr(e, "leaders", None)
    if lead is None:
        return e.p.leadership
    return lead.view


def team_params(names: tuple[str, ...], terms: dict, B: int) -> np.ndarray:
    """One record per batch row and team ``(B, T)`` with a float64 field per name.

    ``terms[name]`` is a scalar, a ``(B, 1)`` per-row value or a ``(B, T)`` per-team value; ``T``
    is the widest of them (1 without leaders as agents, so the kernels read ``params[b, 0]``).
    A kernel reads the record of seat ``i`` as ``params[b, min(team_of[i], params.shape[1] - 1)]``.
    """
    T = 1
    for n in names:
        v = terms[n]
        if np.ndim(v) == 2:
            T = max(T, np.shape(v)[1])
    rec = np.empty((B, T), dtype=np.dtype([(n, np.float64) for n in names]))
    for n in names:
        v = np.asarray(terms[n], dtype=np.float64)
        if v.ndim < 2:
            v = v.reshape(-1, 1) if v.ndim == 1 else v.reshape(1, 1)
        rec[n] = v  # numpy broadcasts the (1, 1), (B, 1) or (B, T) value (no broadcast_to view per field)
    return rec


def team_array(v, B: int) -> np.ndarray:
    """A scalar, ``(B, 1)`` or ``(B, T)`` term as a contiguous float64 ``(B, T')`` array (``T'`` = 1 or T).

    The per-team twin of :func:`simteam.streams.rowvec`: team ``t`` of row ``b`` reads
    ``a[b, min(t, a.shape[1] - 1)]``.
    """
    v = np.asarray(v, dtype=np.float64)
    if v.ndim < 2:
        v = v.reshape(-1, 1) if v.ndim == 1 else v.reshape(1, 1)
    return np.array(np.broadcast_to(v, (B, v.shape[1])))  # a writable C copy: one numba type


# ------------------------------------------------------------------------------------------------
# the mechanism
# ------------------------------------------------------------------------------------------------
class Leaders(Mechanism):
    """Submodel LA: leaders with profiles, a time budget, stress, tenure, trust, coaching skill and succession.

    State per batch row and team, ``(B, T)``: ``profile`` (B, T, 8) the intended behaviours;
    ``base`` the configured profile (what a successor brings); ``stress``, ``tenure``, ``trust``
    (the reps' mean trust), ``coaching_skill``, ``vacant``, ``countdown`` (weeks until the successor
    arrives), ``promote_next`` (the vacancy is filled from inside); ``hours`` (activity -> (B, T)
    hours this week: the five time activities, ``admin``, ``selling``, ``crisis``, ``rollout``,
    ``slack``); ``eff`` (B, T, 8) the effective behaviours; ``coaching_per_rep`` hours.
    """

    name = "leaders"
    after = "leadership"

    def __init__(self, n_teams: int = 1):
        self.series = leader_series(n_teams)

    # -- lifecycle --------------------------------------------------------------------------------
    def init(self, e) -> None:
        e.leaders = self
        B, T = e.B, e.structure.n_teams
        self.T = T
        P = e.p.leaders
        L = e.p.leadership
        base = np.empty((B, T, len(BEHAVIOURS)))
        styles = e.cfg.leaders.styles
        for k, b in enumerate(BEHAVIOURS):
            if styles:
                base[:, :, k] = np.array([STYLES[styles[t % len(styles)]][b] for t in range(T)])[None, :]
            else:
                base[:, :, k] = np.broadcast_to(np.asarray(getattr(L, b), dtype=float).reshape(-1, 1), (B, 1))
        if np.any(P.behaviour_sd):
            z = e.rng.normal("leader_style", 0, (T * len(BEHAVIOURS),)).reshape(B, T, len(BEHAVIOURS))
            base = np.clip(base + _col(P.behaviour_sd, B)[:, :, None] * z, 0.0, 1.0)
        self.base = base
        self.profile = base.copy()
        self.stress = np.broadcast_to(_col(P.stress_base, B), (B, T)).copy()
        self.tenure = np.floor(-_col(P.tenure_mean_weeks, B) * np.log(e.rng.uniform("leader_init", 0, (T,))))
        z = e.rng.normal("leader_init_skill", 0, (T,))
        self.coaching_skill = np.clip(_col(P.skill_mean, B) + _col(P.skill_sd, B) * z, 0.0, 1.0)
        self.vacant = np.zeros((B, T), dtype=bool)
        self.countdown = np.full((B, T), -1, dtype=np.int64)
        self.promote_next = np.zeros((B, T), dtype=bool)
        self.trust = np.zeros((B, T))
        self.eff = self.profile.copy()
        self.hours = {}
        self.coaching_per_rep = np.zeros((B, T))
        self.counts = {k: np.zeros(B) for k in ("leader_exits", "leader_promotions", "leader_hires", "vacant_weeks")}
        self.sums = {k: np.zeros(B) for k in ("stress", "coaching_per_rep", "overload")}
        self.weeks_done = 0
        self._set_view(e)

    def start(self, e) -> None:
        self._team_state(e)
        self._budget(e)

    def step(self, e, t: int) -> None:
        self._team_state(e)  # this week's team state for every row before any succession (batch invariance)
        self._succession(e, t)
        self._exits(e, t)
        self._team_state(e)
        self._budget(e)
        # stress relaxes to its target; tenure grows
        P = e.p.leaders
        B = e.B
        target = (_col(P.stress_base, B) + _col(P.stress_overload, B) * np.maximum(self.overload - 1.0, 0.0)
                  + _col(P.stress_results, B) * np.maximum(1.0 - self.pace, 0.0)
                  + _col(P.stress_pressure, B) * (np.maximum(e.org.quota_factor - 1.0, 0.0)
                                                  + e.org.crisis.active[:, None]))
        self.stress += _col(P.stress_rate, B) * (np.clip(target, 0.0, 1.0) - self.stress)
        self.stress = np.where(self.vacant, _col(P.stress_base, B), self.stress)
        self.tenure += ~self.vacant
        n = self.T
        self.counts["vacant_weeks"] += self.vacant.sum(axis=1) / n
        self.sums["stress"] += self.stress.mean(axis=1)
        self.sums["coaching_per_rep"] += self.coaching_per_rep.mean(axis=1)
        self.sums["overload"] += self.overload.mean(axis=1)
        self.weeks_done += 1
        self._record(e, t)

    def _record(self, e, t: int) -> None:
        """The weekly leader series (:func:`leader_series`): organisation means and, for small organisations,
        one series per team."""
        ser = e.series
        values = {"leader_stress": self.stress, "leader_coaching_per_rep": self.coaching_per_rep,
                  "leader_trust": self.trust, "leader_tenure": self.tenure, "leader_vacant": self.vacant}
        per_team = self.T > 1 and self.T <= SERIES_TEAMS
        for k, v in values.items():
            v = v.astype(np.float64)
            ser[k][t] = v.mean(axis=1)
            if per_team:
                for j in range(self.T):  # per team (at most SERIES_TEAMS), never per agent
                    ser[f"{k}_t{j}"][t] = v[:, j]

    def summary(self, e) -> dict[str, np.ndarray]:
        w = max(self.weeks_done, 1)
        return {"leader_exits": self.counts["leader_exits"], "leader_promotions": self.counts["leader_promotions"],
                "leader_hires": self.counts["leader_hires"], "leader_vacant_share": self.counts["vacant_weeks"] / w,
                "leader_stress": self.sums["stress"] / w, "leader_overload": self.sums["overload"] / w,
                "coaching_hours_per_rep": self.sums["coaching_per_rep"] / w}

    # -- the pieces ---------------------------------------------------------------------------------
    def team_sum(self, e, x: np.ndarray) -> np.ndarray:
        """Per team, in seat order: the sum of ``x`` (B, N) -> (B, T) (a row never reads another row)."""
        st = e.structure
        return np.add.reduceat(x[:, st.members], st.members_ptr[:-1], axis=1)

    def _team_state(self, e) -> None:
        s = e.s
        act = s.active.astype(float)
        self.n = self.team_sum(e, act)
        nn = np.maximum(self.n, 1.0)
        self.trust = self.team_sum(e, s.trust * act) / nn
        self.pace = np.where(self.n > 0, self.team_sum(e, np.minimum(s.pace, 2.0) * act) / nn, 1.0)

    def _budget(self, e) -> None:
        """Hours demanded and given per activity, and the effective behaviours of the week."""
        P, B = e.p.leaders, e.B
        prof = self.profile
        cap = _col(P.max_intensity, B)[:, :, None]
        hw = _col(P.hours_week, B)
        flexible = hw * (1.0 - _col(P.admin_share, B) - _col(P.selling_share, B))
        crisis = _col(P.crisis_hours, B) * e.org.crisis.active[:, None]
        rollout = _col(P.rollout_hours, B) * self._rollout_active(e)
        crisis_h = np.minimum(crisis, np.maximum(flexible, 0.0))
        rollout_h = np.minimum(rollout, np.maximum(flexible - crisis_h, 0.0))
        avail = np.maximum(flexible - crisis_h - rollout_h, 0.0) * np.ones((B, self.T))
        avail = np.where(self.vacant, avail * _col(P.interim_hours, B), avail)
        h0 = np.stack([_col(getattr(P, f"{_HOURS[b]}"), B) for b, _ in TIME_ACTIVITIES], axis=2)  # (B, 1, 5)
        need_level = -np.log1p(-np.minimum(prof[:, :, [_K[b] for b, _ in TIME_ACTIVITIES]], cap))  # q / h0
        reps = np.stack([self.n if per_rep else np.ones_like(self.n) for _, per_rep in TIME_ACTIVITIES], axis=2)
        need = need_level * h0 * reps  # hours per activity (B, T, 5)
        demand = need.sum(axis=2)
        share = np.where(demand > avail, avail / np.where(demand > 0, demand, 1.0), 1.0)
        given = need * share[:, :, None]
        self.overload = np.where(avail > 0, demand / np.where(avail > 0, avail, 1.0), np.where(demand > 0, 10.0, 0.0))
        self.overload = np.minimum(self.overload, 10.0)
        self.demand = demand
        self.hours = {b: given[:, :, j] for j, (b, _) in enumerate(TIME_ACTIVITIES)}
        self.hours.update(admin=np.broadcast_to(hw * _col(P.admin_share, B), (B, self.T)).copy(),
                          selling=np.broadcast_to(hw * _col(P.selling_share, B), (B, self.T)).copy(),
                          crisis=np.broadcast_to(crisis_h, (B, self.T)).copy(),
                          rollout=np.broadcast_to(rollout_h, (B, self.T)).copy())
        self.hours["slack"] = hw - sum(self.hours[k] for k in self.hours)
        self.coaching_per_rep = self.hours["coaching"] / np.maximum(self.n, 1.0)
        # achieved levels: 1 - exp(-hours given / h0) = 1 - (1 - b)^share  (diminishing returns)
        eff = prof.copy()
        achieved = -np.expm1(-need_level * share[:, :, None])
        for j, (b, _) in enumerate(TIME_ACTIVITIES):
            eff[:, :, _K[b]] = achieved[:, :, j]
        skill = 0.5 + self.coaching_skill
        for b in ("coaching", "feedback"):
            eff[:, :, _K[b]] = np.clip(eff[:, :, _K[b]] * skill, 0.0, 1.0)
        strain = _col(P.stress_behaviour, B) * np.maximum(self.stress - _col(P.stress_base, B), 0.0)
        for b in ("inspiration", "fairness"):
            eff[:, :, _K[b]] = eff[:, :, _K[b]] * (1.0 - np.minimum(strain, 1.0))
        presence = _col(P.interim_presence, B)[:, :, None]
        interim = 0.5 + presence * (eff - 0.5)
        for b in ("inspiration", "accountability", "fairness"):
            k = _K[b]
            eff[:, :, k] = np.where(self.vacant, interim[:, :, k], eff[:, :, k])
        self.eff = eff
        self._set_view(e)

    def _rollout_active(self, e) -> np.ndarray:
        started = getattr(e, "initiative_started", None)
        if started is None or not len(started):
            return np.zeros((e.B, 1))
        wk = e.week - e.initiative_start_week  # (K,)
        on = started & (wk >= 0) & (wk < _col(e.p.leaders.rollout_weeks, e.B))  # (B, K): per row in a sweep
        return on.any(axis=1, keepdims=True).astype(float)

    def refresh_view(self, e) -> None:
        """Publish ``eff`` to the other mechanisms again after changing it (the head of sales passes pressure down)."""
        self._set_view(e)

    def _set_view(self, e) -> None:
        self.view = _Effective(e.p.leadership, {b: self.eff[:, :, k] for k, b in enumerate(BEHAVIOURS)})

    def behaviour(self, e, name: str) -> np.ndarray:
        """The effective behaviour ``name`` at every seat (B, N): the value of the seat's team."""
        return self.eff[:, :, _K[name]][:, e.structure.team_of]

    # -- turnover and succession -------------------------------------------------------------------
    def _exits(self, e, t: int) -> None:
        P, B = e.p.leaders, e.B
        logh = (_col(P.exit_stress, B) * (self.stress - _col(P.stress_base, B))
                + _col(P.exit_results, B) * np.maximum(1.0 - self.pace, 0.0))
        h = _col(P.exit_base, B) * np.exp(logh)
        u = e.rng.uniform("leader_exit", t, (self.T,))
        self.leave(e, ~self.vacant & (u < -np.expm1(-h)))

    def leave(self, e, mask: np.ndarray) -> None:
        """The leaders in ``mask`` (B, T) leave now: an interim covers, the successor is chosen."""
        mask = mask & ~self.vacant
        if not mask.any():
            return
        P, B = e.p.leaders, e.B
        u = e.rng.uniform("leader_succession", e.week, (self.T,))
        inside = u < _col(P.promote_share, B)
        self.vacant |= mask
        self.promote_next = np.where(mask, inside, self.promote_next)
        wait = np.where(inside, np.rint(_col(P.promote_weeks, B)), np.rint(_col(P.hire_weeks, B))).astype(np.int64)
        self.countdown = np.where(mask, wait, self.countdown)
        self.departed_trust = np.where(mask, self.trust, getattr(self, "departed_trust", self.trust))
        self._reset_trust(e, mask, self.departed_trust, 0.0)  # the interim is a new leader too
        self.counts["leader_exits"] += mask.sum(axis=1)
        if e.B == 1:
            e.log("leader_leaves", ",".join(str(i) for i in np.flatnonzero(mask[0])))

    def _succession(self, e, t: int) -> None:
        if not self.vacant.any():
            return
        due = self.vacant & (self.countdown <= 0)
        self.countdown = np.where(self.vacant & ~due, self.countdown - 1, self.countdown)
        if not due.any():
            return
        self.promote(e, due & self.promote_next)
        self.hire(e, due & ~self.promote_next)

    def _arrive(self, e, mask: np.ndarray, skill: np.ndarray, profile: np.ndarray, extra_trust) -> None:
        """New leaders take the teams in ``mask``: state reset, reps' trust starts afresh."""
        P, B = e.p.leaders, e.B
        old = np.where(self.vacant, getattr(self, "departed_trust", self.trust), self.trust)
        self.vacant &= ~mask
        self.countdown = np.where(mask, -1, self.countdown)
        self.tenure = np.where(mask, 0.0, self.tenure)
        self.stress = np.where(mask, _col(P.stress_base, B), self.stress)
        self.coaching_skill = np.where(mask, skill, self.coaching_skill)
        self.profile = np.where(mask[:, :, None], profile, self.profile)
        self._reset_trust(e, mask, old, extra_trust)
        self._team_state(e)

    def _reset_trust(self, e, mask: np.ndarray, old: np.ndarray, extra_trust) -> None:
        """Reps' trust in a new leader (interim or successor) of the teams in ``mask``.

        Ballinger, Schoorman & Lehman (2009): trust in the successor starts from a level set by the
        affective reaction to the departure: ``successor_trust - departure_affect (old - 0.5)
        [+ insider_trust]``, with ``old`` the team's trust in the departed leader.
        """
        P, B, s = e.p.leaders, e.B, e.s
        start = (_col(P.successor_trust, B) - _col(P.departure_affect, B) * (old - 0.5)
                 + _col(extra_trust, B))
        team = e.structure.team_of
        seat_mask = mask[:, team] & s.active
        s.trust = np.where(seat_mask, np.clip(start[:, team], 0.0, 1.0), s.trust)

    def promote(self, e, mask: np.ndarray, seat: int | None = None) -> None:
        """Fill the leader posts in ``mask`` (B, T) by promoting a rep of the team now.

        The rep with the highest pace (or the ``seat``-th seat of the team) leaves the seat
        (``Engine.vacate``, an ``exit``: the team loses the rep's sales until the seat is refilled);
        the new leader's coaching skill falls with the rep's pace relative to the team (Peter slope).
        A team without a filled seat gets an outside hire instead.
        """
        if not mask.any():
            return
        s, P, B = e.s, e.p.leaders, e.B
        st = e.structure
        team = st.team_of
        mem, ptr = st.members, st.members_ptr
        team_m = team[mem]  # the team of each position of the member list (teams in order, seats in order)
        cand = s.active & mask[:, team]
        if seat is not None:
            cand[:, mem[np.arange(mem.size) - ptr[team_m] != seat]] = False
        # per team, the first seat (in seat order) with the highest pace among the candidates
        sc = np.where(cand, s.pace, -np.inf)[:, mem]
        top = np.maximum.reduceat(sc, ptr[:-1], axis=1)
        is_top = (sc == top[:, team_m]) & np.isfinite(sc)
        cs = np.cumsum(is_top, axis=1)
        before = np.concatenate([np.zeros((B, 1), dtype=cs.dtype), cs[:, :-1]], axis=1)[:, ptr[:-1]]
        chosen = np.zeros_like(cand)
        chosen[:, mem] = is_top & (cs - before[:, team_m] == 1)
        has = self.team_sum(e, chosen.astype(float)) > 0
        prom = mask & has
        if prom.any():
            rel = np.ones((B, self.T))
            pace_rep = self.team_sum(e, np.where(chosen, s.pace, 0.0))
            rel = np.where(prom, np.maximum(pace_rep, 1e-3) / np.maximum(self.pace, 1e-3), rel)
            z = e.rng.normal("leader_promote_skill", e.week, (self.T,))
            skill = np.clip(_col(P.skill_mean, B) - _col(P.peter_slope, B) * np.log2(np.maximum(rel, 0.25))
                            + _col(P.skill_sd, B) * z, 0.0, 1.0)
            e.vacate(chosen & prom[:, team], "exit")
            self.leave(e, prom)  # a promotion replaces a sitting leader at once
            self._arrive(e, prom, skill, self.base, P.insider_trust)
            self.counts["leader_promotions"] += prom.sum(axis=1)
            if e.B == 1:
                e.log("promote", ",".join(str(i) for i in np.flatnonzero(prom[0])))
        if (mask & ~has).any():
            self.hire(e, mask & ~has)

    def hire(self, e, mask: np.ndarray, style: str = "") -> None:
        """Fill the leader posts in ``mask`` (B, T) with outside hires now (profile: ``style`` or the team's)."""
        if not mask.any():
            return
        P, B = e.p.leaders, e.B
        z = e.rng.normal("leader_hire_skill", e.week, (self.T,))
        skill = np.clip(_col(P.skill_mean, B) + _col(P.skill_sd, B) * z, 0.0, 1.0)
        profile = self.base
        if style:
            profile = self.base.copy()
            for k, b in enumerate(BEHAVIOURS):
                profile[:, :, k] = STYLES[style][b]
            self.base = np.where(mask[:, :, None], profile, self.base)
        self.leave(e, mask)
        self._arrive(e, mask, skill, profile, 0.0)
        self.counts["leader_hires"] += mask.sum(axis=1)
        if e.B == 1:
            e.log("hire_leader", ",".join(str(i) for i in np.flatnonzero(mask[0])))


#: Organisations of at most this many teams also get one weekly leader series per team (``<name>_t<team>``).
SERIES_TEAMS = 12
_LEADER_SERIES = {"leader_stress": "leader stress (0-1)",
                  "leader_coaching_per_rep": "leader coaching hours per rep in the week",
                  "leader_trust": "trust earned: the team's mean trust in its leader",
                  "leader_tenure": "weeks the leader has been in the post",
                  "leader_vacant": "the post is vacant (an interim covers): 1, else 0"}


def leader_series(n_teams: int) -> dict[str, str]:
    """The weekly series of leaders as agents: the mean over the teams of each of :data:`_LEADER_SERIES`
    and, for 2 to :data:`SERIES_TEAMS` teams, the value of each team (``leader_stress_t0`` ...)."""
    out = {k: f"{doc}, mean over the teams" for k, doc in _LEADER_SERIES.items()}
    if 1 < n_teams <= SERIES_TEAMS:
        for k, doc in _LEADER_SERIES.items():
            for j in range(n_teams):
                out[f"{k}_t{j}"] = f"{doc}, team {j}"
    return out


_HOURS = {"coaching": "coaching_hours", "feedback": "feedback_hours", "recognition": "recognition_hours",
          "communication": "communication_hours", "data_orientation": "data_hours"}


def _col(v, B: int) -> np.ndarray:
    """A scalar or per-row ``(B, 1)`` parameter as a ``(B, 1)`` array."""
    return np.broadcast_to(np.asarray(v, dtype=np.float64).reshape(-1, 1), (B, 1))


# ------------------------------------------------------------------------------------------------
# events (simteam.events.fire calls these)
# ------------------------------------------------------------------------------------------------
def _teams(e, rows: np.ndarray, value: float) -> np.ndarray:
    lead = _mechanism(e)
    team = int(value)
    mask = np.zeros((e.B, lead.T), dtype=bool)
    if team < 0:
        mask[:] = True
    elif team < lead.T:
        mask[:, team] = True
    else:
        raise ValueError(f"team {team}: the organisation has teams 0 to {lead.T - 1}")
    return mask & rows[:, None]


def _mechanism(e) -> Leaders:
    lead = getattr(e, "leaders", None)
    if lead is None:
        raise ValueError("leader events need leaders as agents: set mechanisms.leaders: true")
    return lead


def leader_leaves(e, rows: np.ndarray, team: float = 0.0) -> None:
    """Event ``leader_leaves``: the leader of ``team`` (-1: every team) leaves now; succession as usual."""
    _mechanism(e).leave(e, _teams(e, rows, team))


def promote(e, rows: np.ndarray, team: float = 0.0, seat: str = "") -> None:
    """Event ``promote``: a rep of ``team`` (the top by pace, or seat ``seat`` of the team) becomes its leader now."""
    _mechanism(e).promote(e, _teams(e, rows, team), int(seat) if seat else None)


def hire_leader(e, rows: np.ndarray, team: float = 0.0, style: str = "") -> None:
    """Event ``hire_leader``: an outside leader of ``style`` (empty: the team's) takes ``team`` now."""
    if style and style not in STYLES:
        raise ValueError(f"hire_leader: {style!r} is not a leadership style; choose one of {', '.join(STYLES)}")
    _mechanism(e).hire(e, _teams(e, rows, team), style)
