"""Money of a plan: costs per alternative, net value against the baseline, ROI and payback.

Amounts are in thousands of the scenario's currency (``money.currency``; revenue in the model
is in the same unit). Costs per replication and week:

* each action's ``cost``: ``one_off`` in its week, ``monthly`` from its week to the horizon,
  ``training_hours`` x the reps in their seats that week x ``money.hourly_cost`` in its week,
  ``per_rep_monthly`` (a licence) x the reps in their seats each week;
* an alternative's ``costs``: ``one_off`` in week 0 and ``monthly`` from week 0;
* recruiting: ``money.recruiting_cost`` per hire the run makes (every hire, planned or a refill);
* severance: ``money.severance`` per rep dismissed or replaced by the plan.

The ramp of new hires and the deals lost during a dip are not costs here: they are already in
the simulated revenue. Net value of an alternative = ``margin`` x (its revenue - the baseline's)
- (its costs - the baseline's), per replication (paired); ROI = net value / extra cost; payback
month = the first month from which the cumulative net value stays at or above zero.

ROI is a ratio to the extra cost, so it only means something when the alternative really costs
more: it is given (``roi_p50``) only when the extra cost is positive in at least
:data:`ROI_MIN_POSITIVE_SHARE` of the futures and its mean is at least :data:`ROI_MIN_EXTRA_SHARE`
of the baseline's margin over the horizon. Otherwise ``roi_p50`` is NaN and ``roi_note`` says why
("no extra cost", "costs less than the baseline"): an extra cost that is zero, negative or only the
noise of a few refill hires more or less would make the ratio absurd (thousands of percent).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..fmt import fmt_number
from .scenario import Scenario, alternative_actions

__all__ = ["ROI_MIN_EXTRA_SHARE", "ROI_MIN_POSITIVE_SHARE", "WEEKS_PER_MONTH", "money_table", "roi_note",
           "roi_text", "weekly_costs"]

WEEKS_PER_MONTH = 52.0 / 12.0
#: ROI only when the mean extra cost is at least this share of the baseline's margin over the horizon.
ROI_MIN_EXTRA_SHARE = 0.002
#: ... and the extra cost is positive in at least this share of the futures.
ROI_MIN_POSITIVE_SHARE = 0.9


def weekly_costs(sc: Scenario, name: str, series: dict) -> np.ndarray:
    """(T, B) costs of alternative ``name`` per week and replication."""
    heads = np.nan_to_num(series["headcount"])
    T, B = heads.shape
    m = sc.money
    cost = np.zeros((T, B))
    monthly_w = 1.0 / WEEKS_PER_MONTH
    for a in alternative_actions(sc, name):
        c = a.get("cost") or {}
        w = int(a["week"])
        cost[w] += c.get("one_off", 0.0)
        cost[w:] += c.get("monthly", 0.0) * monthly_w
        cost[w] += c.get("training_hours", 0.0) * heads[w] * m.get("hourly_cost", 0.0)
        cost[w:] += c.get("per_rep_monthly", 0.0) * monthly_w * heads[w:]
        if a["action"] in ("dismiss", "replace"):
            cost[w] += m.get("severance", 0.0)
    if name != "status_quo":
        c = sc.alternatives[name].get("costs") or {}
        cost[0] += c.get("one_off", 0.0)
        cost += c.get("monthly", 0.0) * monthly_w
        cost += c.get("per_rep_monthly", 0.0) * monthly_w * heads
        cost[0] += c.get("training_hours", 0.0) * heads[0] * m.get("hourly_cost", 0.0)
    cost += m.get("recruiting_cost", 0.0) * np.nan_to_num(series["hires"])
    return cost


def _payback_month(cum: np.ndarray) -> np.ndarray:
    """(B,) first month from which the cumulative (T, B) path stays >= 0 (inf: not within the horizon)."""
    T, B = cum.shape
    neg = cum < 0
    last_neg = np.where(neg.any(axis=0), T - 1 - np.argmax(neg[::-1], axis=0), -1)
    week = last_neg + 1
    out = np.where(week >= T, np.inf, np.ceil((week + 1) / WEEKS_PER_MONTH))
    return np.where(cum[-1] < 0, np.inf, out)


def roi_note(extra: np.ndarray, base_margin: float) -> str:
    """Why no ROI is given for per-future extra costs ``extra`` ("" when it is): see the module docstring."""
    mean = float(np.mean(extra))
    if mean < 0 and np.mean(extra < 0) >= ROI_MIN_POSITIVE_SHARE:
        return "costs less than the baseline"
    if mean < ROI_MIN_EXTRA_SHARE * abs(base_margin) or np.mean(extra > 0) < ROI_MIN_POSITIVE_SHARE:
        return "no extra cost"
    return ""


def roi_text(row) -> str:
    """ "ROI 35% (median)" or "ROI n/a: no extra cost" for a row of :func:`money_table`."""
    note = row.get("roi_note", "")
    roi = row["roi_p50"]
    if note or roi is None or not math.isfinite(roi):
        return f"ROI n/a: {note or 'no extra cost'}"
    return f"ROI {fmt_number(roi, 0, percent=True)} (median)"


def money_table(sc: Scenario, runs: dict) -> pd.DataFrame:
    """One row per alternative: costs, net value, ROI and payback with P10/P50/P90 (against the baseline)."""
    margin = sc.money.get("margin", 1.0)
    base = runs[sc.baseline]
    bser = base.results.series
    bcost = weekly_costs(sc, sc.baseline, bser)
    brev = np.nan_to_num(bser["revenue"])
    base_margin = float(margin * brev.sum(axis=0).mean())
    rows = []
    for name, run in runs.items():
        ser = run.results.series
        cost = weekly_costs(sc, name, ser)
        rev = np.nan_to_num(ser["revenue"])
        net_w = margin * (rev - brev) - (cost - bcost)
        net = net_w.sum(axis=0)
        extra = (cost - bcost).sum(axis=0)
        row = {"alternative": name, "cost_mean": float(cost.sum(axis=0).mean()),
               "extra_cost_mean": float(extra.mean()), "net_value_mean": float(net.mean())}
        for q in (10, 50, 90):
            row[f"net_value_p{q}"] = float(np.quantile(net, q / 100))
        note = roi_note(extra, base_margin) if name != sc.baseline else "baseline"
        with np.errstate(divide="ignore", invalid="ignore"):
            roi = np.where(extra > 0, net / extra, np.nan)
        row["roi_p50"] = float(np.nanquantile(roi, 0.5)) if not note and np.isfinite(roi).any() else np.nan
        row["roi_note"] = note
        pay = _payback_month(np.cumsum(net_w, axis=0)) if name != sc.baseline else np.full(net.size, np.nan)
        for q in (10, 50, 90):
            row[f"payback_month_p{q}"] = (float(np.quantile(pay, q / 100, method="inverted_cdf"))
                                          if name != sc.baseline else np.nan)
        row["net_positive_share"] = float(np.mean(net > 0)) if name != sc.baseline else np.nan
        rows.append(row)
    return pd.DataFrame(rows)
