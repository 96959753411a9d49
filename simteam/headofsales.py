"""The head of sales as an agent: organisation-level policy that reaches the teams through their leaders.

Submodel HS of docs/model.md §7.14 (switch ``mechanisms.head_of_sales``, which needs
``mechanisms.leaders``; parameters :class:`HeadOfSalesConfig`, section ``head_of_sales:``). The
head of sales of batch row ``b`` has

* **state**: ``pressure`` in [0, 1], the head's own pressure from results against plan and from a
  crisis (an EMA: ``pressure += pressure_rate (target - pressure)`` with ``target = clip(
  pressure_results max(plan_pace - pace, 0) + pressure_crisis [crisis], 0, 1)``, ``pace`` the
  organisation's attainment pace, headcount-weighted over the teams); ``freeze`` (a hiring freeze
  is ordered); ``push`` (a quota push is in force);
* **decisions** (policy), taken every week from that state:

  - *hiring freeze*: ordered when ``pressure >= freeze_at``, lifted when it falls below
    ``freeze_at / 2`` (hysteresis); *allocation of hiring across teams*: the best ``exempt_share``
    of the teams by pace keep hiring during a freeze;
  - *quota*: when ``pressure >= push_at`` the quota is raised by ``quota_push`` (the organisation's
    quota, in force at once: it is contractual), taken back when the pressure falls below
    ``push_at / 2``;
  - *crisis response*: the head's pressure rises with the crisis (``pressure_crisis``), so a
    downturn brings the freeze and the push; the pressure itself is passed down as
    accountability (below);

* **transmission through the leaders** (the decisions reach the reps only through their team's
  leader): each team's leader carries a ``relay`` of each directive (freeze, pressure) that moves
  toward ``q_t x directive`` at the weekly rate ``relay_rate x q_t``, with ``q_t = min(1,
  communication_t + trust_t)`` the leader's effective communication this week plus the reps' trust
  in the leader (both in [0, 1]): a low-trust, poorly communicating leader implements a directive
  later (delay) and weaker (fidelity). A team stops hiring when its freeze relay passes 0.5; the
  pressure relay is passed down as extra accountability ``push_accountability x relay x (1 +
  stress_amplify (stress_t - stress_base))``: a stressed leader passes more pressure down.

No random draws (no stream). Decisions are per batch row, transmission per row and team (arrays
``(B, 1)`` and ``(B, T)``); a batch row never reads another row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .mechanism import Mechanism
from .params import param

__all__ = ["HeadOfSalesConfig", "HeadOfSales", "validate_section"]


@dataclass
class HeadOfSalesConfig:
    """The head of sales (used when ``mechanisms.head_of_sales`` is true): pressure, policy, transmission."""

    plan_pace: float = param(1.0, 0.5, 1.5, doc="attainment pace the plan expects (1 = on track to quota)",
                             source="assumption (plans are set at quota)")
    pressure_rate: float = param(0.15, 0.01, 1.0, unit="1/week", doc="rate at which the head's pressure follows "
                                 "its target (results are reviewed weekly, judged over ~2 months)",
                                 source="assumption")
    pressure_results: float = param(4.0, 0.0, 50.0, doc="pressure per unit of organisation pace below the plan",
                                    source="assumption (10% behind plan: pressure 0.4)")
    pressure_crisis: float = param(0.6, 0.0, 1.0, doc="pressure while a crisis is recognised (the crisis response)",
                                   source="assumption")
    freeze_at: float = param(0.5, 0.0, 1.01, doc="pressure at which the head orders a hiring freeze (lifted below "
                             "half of it); above 1: never", source="assumption")
    exempt_share: float = param(0.0, 0.0, 1.0, doc="share of the teams (the best by pace) allowed to keep hiring "
                                "during a freeze: the head's allocation of headcount", source="assumption")
    push_at: float = param(0.7, 0.0, 1.01, doc="pressure at which the head raises the quota (taken back below half "
                           "of it); above 1: never", source="assumption")
    quota_push: float = param(0.05, 0.0, 1.0, doc="fractional quota raise of a push", source="assumption")
    push_accountability: float = param(0.3, 0.0, 1.0, doc="extra accountability per unit relayed pressure "
                                       "(what the leaders pass down)", source="assumption")
    relay_rate: float = param(0.25, 0.01, 1.0, unit="1/week", doc="weekly rate at which a leader with q_t = 1 "
                              "implements a directive (q_t = communication + trust, at most 1)",
                              source="assumption (a directive reaches a well-connected team in 2-3 weeks)")
    stress_amplify: float = param(1.0, 0.0, 10.0, doc="extra share of the pressure a leader passes down per unit "
                                  "of leader stress above its base", source="assumption; direction as in trickle-down "
                                  "findings (Mawritz et al. 2012: managers' hostile behaviour goes with their "
                                  "supervisors')")


def validate_section(cfg) -> None:
    """The cross-field rule of ``head_of_sales:`` (called by :func:`simteam.config.validate`)."""
    from .params import ConfigError

    if cfg.mechanisms.head_of_sales and not cfg.mechanisms.leaders:
        raise ConfigError("mechanisms.head_of_sales: the head of sales reaches the teams through their leaders; "
                          "allowed: true only with mechanisms.leaders: true")


def _col(v, B: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(v, dtype=np.float64).reshape(-1, 1), (B, 1))


class HeadOfSales(Mechanism):
    """Submodel HS: the head of sales' pressure and policy, relayed to the teams by their leaders.

    State per batch row ``(B, 1)``: ``pressure``, ``freeze`` (ordered), ``push`` (quota push in
    force); per row and team ``(B, T)``: ``relay_freeze``, ``relay_pressure`` (how far each
    team's leader has implemented the directive), ``frozen`` (the team has stopped hiring),
    ``passed`` (extra accountability passed down this week).
    """

    name = "head_of_sales"
    after = "leaders"
    series = {"hos_pressure": "head of sales' pressure from results against plan and crises (0-1)",
              "hos_freeze": "the head of sales has ordered a hiring freeze (0/1)",
              "hos_frozen_teams": "share of teams whose leader has implemented the freeze",
              "hos_passed_pressure": "mean extra accountability the leaders pass down"}

    def init(self, e) -> None:
        e.head_of_sales = self
        B = e.B
        self.T = T = e.structure.n_teams
        self.pressure = np.zeros((B, 1))
        self.freeze = np.zeros((B, 1), dtype=bool)
        self.push = np.zeros((B, 1), dtype=bool)
        self.relay_freeze = np.zeros((B, T))
        self.relay_pressure = np.zeros((B, T))
        self.frozen = np.zeros((B, T), dtype=bool)
        self.passed = np.zeros((B, T))
        self.counts = {k: np.zeros(B) for k in ("freeze_weeks", "pushes", "frozen_team_weeks")}
        self.sums = {k: np.zeros(B) for k in ("pressure", "passed")}
        self.weeks_done = 0

    def step(self, e, t: int) -> None:
        lead = e.leaders
        P, B = e.p.head_of_sales, e.B
        org = e.org
        # the head's view of results: the organisation's pace (headcount-weighted over teams)
        n = lead.n
        pace = np.where(n.sum(axis=1, keepdims=True) > 0,
                        (lead.pace * n).sum(axis=1, keepdims=True) / np.maximum(n.sum(axis=1, keepdims=True), 1.0),
                        1.0)
        target = np.clip(_col(P.pressure_results, B) * np.maximum(_col(P.plan_pace, B) - pace, 0.0)
                         + _col(P.pressure_crisis, B) * org.crisis.active[:, None], 0.0, 1.0)
        self.pressure = self.pressure + _col(P.pressure_rate, B) * (target - self.pressure)
        # policy: hiring freeze and quota push, each with hysteresis
        fa, pa = _col(P.freeze_at, B), _col(P.push_at, B)
        self.freeze = np.where(self.freeze, self.pressure >= 0.5 * fa, self.pressure >= fa)
        start = ~self.push & (self.pressure >= pa)
        stop = self.push & (self.pressure < 0.5 * pa)
        if start.any() or stop.any():
            f = 1.0 + _col(P.quota_push, B)
            org.quota_factor = np.where(start, org.quota_factor * f, np.where(stop, org.quota_factor / f,
                                                                               org.quota_factor))
            self.push = (self.push | start) & ~stop
            self.counts["pushes"] += start[:, 0]
            if B == 1 and start[0, 0]:
                e.log("hos_quota_push", f"{float(_col(P.quota_push, B)[0, 0]):g}")
        # transmission through the leaders: delay and fidelity from communication and trust
        comm = lead.eff[:, :, _COMM]
        q = np.minimum(comm + lead.trust, 1.0)
        rate = np.minimum(_col(P.relay_rate, B) * q, 1.0)
        self.relay_freeze += rate * (q * self.freeze - self.relay_freeze)
        self.relay_pressure += rate * (q * self.pressure - self.relay_pressure)
        frozen = self.relay_freeze > 0.5
        ex = _col(P.exempt_share, B)
        if np.any(ex > 0) and frozen.any():
            # the best exempt_share of the teams by pace (ties: lower team index) keep hiring
            order = np.argsort(-lead.pace, axis=1, kind="stable")
            rank = np.argsort(order, axis=1, kind="stable")
            frozen &= rank >= np.floor(ex * self.T)
        was = self.frozen
        self.frozen = frozen
        if B == 1 and (frozen[0] != was[0]).any():
            e.log("hos_freeze", ",".join(str(i) for i in np.flatnonzero(frozen[0])))
        org.hiring_frozen = org.hiring_frozen | frozen[:, e.structure.team_of]
        # a stressed leader passes more pressure down (as accountability this week)
        Lp = e.p.leaders
        amp = 1.0 + _col(P.stress_amplify, B) * np.maximum(lead.stress - _col(Lp.stress_base, B), 0.0)
        self.passed = _col(P.push_accountability, B) * self.relay_pressure * amp
        if np.any(self.passed):
            lead.eff[:, :, _ACC] = np.clip(lead.eff[:, :, _ACC] + self.passed, 0.0, 1.0)
            lead.refresh_view(e)
        # bookkeeping
        self.counts["freeze_weeks"] += self.freeze[:, 0]
        self.counts["frozen_team_weeks"] += frozen.mean(axis=1)
        self.sums["pressure"] += self.pressure[:, 0]
        self.sums["passed"] += self.passed.mean(axis=1)
        self.weeks_done += 1
        ser = e.series
        ser["hos_pressure"][t] = self.pressure[:, 0]
        ser["hos_freeze"][t] = self.freeze[:, 0]
        ser["hos_frozen_teams"][t] = frozen.mean(axis=1)
        ser["hos_passed_pressure"][t] = self.passed.mean(axis=1)

    def summary(self, e) -> dict[str, np.ndarray]:
        w = max(self.weeks_done, 1)
        return {"hos_pressure": self.sums["pressure"] / w, "hos_freeze_share": self.counts["freeze_weeks"] / w,
                "hos_frozen_team_share": self.counts["frozen_team_weeks"] / w,
                "hos_quota_pushes": self.counts["pushes"], "hos_passed_pressure": self.sums["passed"] / w}


def _k(name: str) -> int:
    from .leaders import BEHAVIOURS
    return BEHAVIOURS.index(name)


_COMM = _k("communication")
_ACC = _k("accountability")
