"""``money.deal_size`` as the average WON deal: the model's opportunity values calibrated to it.

A sales director enters the average deal size their CRM reports: the average of the deals they *won*.
In the model that is not the average opportunity (the market segments' ``deal_size``): reps work the
best opportunities they can find (the selection gain of :mod:`simteam.selling`, larger the fewer of
the available opportunities a rep can work) and the segments win at different rates, so the won deals
average more than the opportunities when reps can work few of theirs, and less when they work most of
them and the small deals win more often. Feeding the CRM's number in as the average opportunity made the
model's won deals about a fifth too large (the history check of the region example: 33.4 k EUR in the
model against 27 in the team's history).

With ``money.deal_size_is: won`` (the default) the segments' deal sizes are scaled by one factor (they
keep their proportions) until the baseline's revenue per won deal equals ``money.deal_size``:

* the *baseline* is the status quo as it runs in the past (:func:`past_config`, also the history fit's:
  no planned change, no uncertain event, no shock), from today's roster, over :data:`WEEKS` weeks (the last
  twelve months a CRM's average covers; the history's weeks when the scenario has a history, where the
  fit does this itself, see :func:`simteam.planning.history.fit_history`);
* on :data:`REPLICATIONS` futures with the scenario's first seeds (common random numbers: every step sees
  the same futures, so the steps are deterministic and compare fairly);
* each step multiplies the factor by ``deal_size / measured`` (revenue per won deal = total revenue /
  deals won over all futures and weeks) and runs again, until the measured value is within
  :data:`TOLERANCE` of ``deal_size``. Scaling every deal size leaves which opportunities a rep picks
  unchanged; it moves the revenue per won deal only through the feedback of revenue on attainment,
  morale, effort and quits, so one rescaling lands within a few tenths of a percent and the second run
  confirms it (measured on the region examples: 0.01% to 0.2% off after one step; two runs, four with a
  history: at the model's defaults before the fit and at the fitted values after it).

``money.deal_size_is: opportunity`` keeps the earlier meaning (the lead-weighted average opportunity)
without a calibration. The calibrated average opportunity is stored in the scenario's money as
``opportunity_size`` (:func:`with_opportunity_size`), which :func:`simteam.planning.scenario.compile_alternative`
uses for every alternative.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np

from ..config import SimConfig, from_dict, to_dict
# DEAL_SIZE_IS: the allowed values of money.deal_size_is (the first is the default)
from .scenario import DEAL_SIZE_IS, lead_weighted_mean  # noqa: F401

__all__ = ["DEAL_SIZE_IS", "MAX_STEPS", "REPLICATIONS", "TOLERANCE", "WEEKS", "WonDealMatch", "calibrate_scenario",
           "match_won_deal", "mean_opportunity", "needs_calibration", "past_config", "revenue_per_won_deal",
           "scale_deal_sizes", "with_opportunity_size"]

#: Relative tolerance of the match.
TOLERANCE = 0.01
#: Futures of the calibration runs.
REPLICATIONS = 100
#: Weeks of the calibration runs without a history (the last twelve months).
WEEKS = 52
#: Most calibration steps (runs); the closest one is kept when none is within the tolerance.
MAX_STEPS = 6


@dataclass
class WonDealMatch:
    """Result of :func:`match_won_deal`."""

    factor: float                  #: scale of every segment's deal size (1 = as compiled)
    won_deal: float                #: the target (money.deal_size)
    measured: float                #: revenue per won deal at ``factor``
    opportunity_size: float        #: the lead-weighted average opportunity at ``factor``
    steps: list = field(default_factory=list)  #: (factor, measured, stage) per run
    seconds: float = 0.0

    @property
    def converged(self) -> bool:
        return abs(self.measured / self.won_deal - 1.0) <= TOLERANCE


def needs_calibration(money: dict) -> bool:
    """True when ``money.deal_size`` is the average won deal and the opportunities are not calibrated yet."""
    return (money.get("deal_size") is not None and (money.get("deal_size_is") or "won") == "won"
            and money.get("opportunity_size") is None)


def revenue_per_won_deal(series: dict, columns: slice | np.ndarray | None = None) -> float:
    """Total revenue / deals won of weekly series (T, B), over all weeks and the given columns."""
    rev, deals = series["revenue"], series["deals"]
    if columns is not None:
        rev, deals = rev[:, columns], deals[:, columns]
    return float(np.nansum(rev) / max(float(np.nansum(deals)), 1e-9))


def mean_opportunity(cfg: SimConfig) -> float:
    """The segments' average deal size weighted by lead flow (what ``opportunity`` means)."""
    return lead_weighted_mean(cfg.market.segments, "deal_size")


def scale_deal_sizes(cfg: SimConfig, factor: float) -> SimConfig:
    """``cfg`` with every segment's deal size multiplied by ``factor``."""
    if factor == 1.0:
        return cfg
    d = to_dict(cfg)
    for sg in d["market"]["segments"]:
        sg["deal_size"] = float(sg["deal_size"]) * float(factor)
    return from_dict(d)


def match_won_deal(cfg: SimConfig, won_deal: float, roster=None, *, seeds: np.ndarray,
                   overrides: dict | None = None, tolerance: float = TOLERANCE,
                   max_steps: int = MAX_STEPS) -> WonDealMatch:
    """The factor on every segment's deal size that makes ``cfg``'s revenue per won deal equal ``won_deal``.

    Args:
        cfg: The baseline to run (as it is: the caller strips events, shocks and changes).
        won_deal: The target average won deal (thousands of the currency).
        roster: Today's roster (the simulation's starting team).
        seeds: Seeds of the futures (the same in every step).
        overrides: Engine overrides per row (e.g. fitted parameters), as :class:`simteam.engine.Engine` takes them.
        tolerance: Relative tolerance.
        max_steps: Most runs; the closest measured factor is kept when none is within the tolerance.
    """
    from ..engine import Engine

    t0 = time.perf_counter()
    seeds = np.asarray(seeds, dtype=np.int64)
    factor, steps = 1.0, []
    for _ in range(max(int(max_steps), 1)):
        e = Engine(scale_deal_sizes(cfg, factor), seeds=seeds, overrides=overrides, roster=roster)
        e.run()
        measured = revenue_per_won_deal(e.series)
        steps.append((factor, measured, "baseline"))
        if abs(measured / won_deal - 1.0) <= tolerance or not np.isfinite(measured) or measured <= 0:
            break
        factor *= won_deal / measured
    best_f, best_m, _ = min(steps, key=lambda s: abs(s[1] / won_deal - 1.0) if np.isfinite(s[1]) else np.inf)
    return WonDealMatch(factor=float(best_f), won_deal=float(won_deal), measured=float(best_m),
                        opportunity_size=mean_opportunity(scale_deal_sizes(cfg, best_f)), steps=steps,
                        seconds=time.perf_counter() - t0)


def past_config(cfg: SimConfig, weeks: int) -> SimConfig:
    """The status quo for the past: no planned changes, no events or shocks, ``weeks`` long."""
    d = to_dict(cfg)
    d["weeks"] = int(weeks)
    d["events"] = []
    d["market"]["shocks"] = []
    d["change"]["initiatives"] = []
    return from_dict(d)


def with_opportunity_size(sc, opportunity_size: float):
    """The scenario with its average opportunity set (every alternative compiles with it)."""
    return dataclasses.replace(sc, money={**sc.money, "opportunity_size": float(opportunity_size)})


def calibrate_scenario(sc, base: SimConfig | None = None, roster=None, seed: int | None = None,
                       weeks: int = WEEKS, replications: int = REPLICATIONS) -> tuple[object, WonDealMatch | None]:
    """The scenario with its opportunities calibrated to ``money.deal_size`` as the average won deal.

    Returns the scenario unchanged and ``None`` when there is nothing to calibrate (no ``deal_size``,
    ``deal_size_is: opportunity``, or already calibrated). The baseline is the status quo as in the past
    (:func:`past_config`) over ``min(weeks, horizon)`` weeks.
    """
    if not needs_calibration(sc.money):
        return sc, None
    from .scenario import compile_alternative

    cfg = compile_alternative(sc, "status_quo", base)
    s0 = int(seed if seed is not None else (sc.seed if sc.seed is not None else cfg.seed))
    hcfg = past_config(cfg, min(int(weeks), int(cfg.weeks)))
    m = match_won_deal(hcfg, float(sc.money["deal_size"]), roster,
                       seeds=s0 + np.arange(int(replications), dtype=np.int64))
    return with_opportunity_size(sc, m.opportunity_size), m
