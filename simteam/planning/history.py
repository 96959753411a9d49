"""My team's history: the last 12-24 months as a CSV, and the status-quo baseline fitted to it.

The file (referenced from a scenario as ``history: my_history.csv``) has one row per period, or per
period and team:

============ =========================================================================================
column       meaning, allowed values
============ =========================================================================================
period       the month (``2025-01``, ``01/2025``, ``01.2025`` or a date in it, ``2025-01-31``) or the
             quarter (``2025-Q1``, ``Q1 2025``); all rows monthly or all quarterly, without gaps (required)
team         team name (optional; then every team needs every period, and the roster must know the team)
attainment   revenue / quota of the period, as a share (1.05) or a percentage (105%), 0 to 5
wins         deals won in the period (0 or more)
quits        voluntary quits in the period (0 or more)
hires        reps hired in the period (0 or more; shown, not fitted)
headcount    reps in the team in the period (above 0; default: the roster's head count)
============ =========================================================================================

At least one of ``attainment``, ``wins`` and ``quits`` is needed. The reader follows the roster's
rules (:mod:`simteam.roster`): ``,``, ``;`` or tab separators, decimal commas with ``;`` or tab,
``%``, rows numbered as a spreadsheet shows them, and *every* problem reported at once, by row and
column, with the fix.

The fit (:func:`fit_history`). Teams are added up per period (attainment weighted by head count).
Per period ``p`` the history gives three rates: quits per rep-year (``quits / headcount x periods
per year``), wins per rep-month and attainment. The model's status quo -- today's roster, the
scenario's market, leadership and money, without the planned actions and without the uncertain
events -- runs for as many weeks as the history covers; its weekly series are cut into the same
periods and give the same rates. The targets are the history's mean rates over the periods, each
with the standard error of a mean over periods (sd / sqrt(n)). Parameters, chosen by the columns
present: ``people.quit_base`` (the weekly quit hazard) from the quits, ``selling.capacity`` (the
opportunities a ramped rep works per week, i.e. the team's selling rate) from wins and attainment.
They are fitted by the simulated method of moments of :func:`simteam.research.calibration.calibrate`
(common random numbers: the same seeds at every candidate; efficient weighting; a Nelder-Mead search,
a Jacobian by central differences and the sandwich interval, the J test when a moment is left over).

Fitted against actual: at the fit, the per-period rates of every replication give a mean and a 90%
band (P5-P95) per period. The fit is flagged when, for any fitted rate, the actual value lies outside
the band in more than a third of the periods, or a parameter ends at a bound of its search box.
The comparison is about rates (is this team's turnover and selling pace one the model produces?),
not a replay of the exact past: the simulation starts from today's roster.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..config import ConfigError, SimConfig, did_you_mean

if TYPE_CHECKING:  # pandas is imported where a table is built: checking a history file (--check) does not need it
    import pandas as pd
from ..fmt import fmt_number
from ..roster import decimal_comma_hint, detect_delimiter, number_cell, read_sheet_text
from .deals import past_config

__all__ = ["HISTORY_COLUMNS", "History", "HistoryFit", "fit_history", "history_config", "load_history",
           "read_history_text", "series_rates", "with_history_fit",
           "history_from_series", "METRICS"]


def _pct(x) -> str:
    """A share in whole percent (simteam.fmt)."""
    return fmt_number(x, 0, percent=True)


#: Columns of a history file -> (kind, low, high, meaning).
HISTORY_COLUMNS = {
    "period": ("period", None, None, "month (2025-01) or quarter (2025-Q1)"),
    "team": ("text", None, None, "team name"),
    "attainment": ("number", 0.0, 5.0, "revenue / quota of the period"),
    "wins": ("number", 0.0, 1e7, "deals won in the period"),
    "quits": ("number", 0.0, 1e6, "voluntary quits in the period"),
    "hires": ("number", 0.0, 1e6, "reps hired in the period"),
    "headcount": ("number", 1e-9, 1e6, "reps in the team in the period"),
}
#: Rates compared per period -> (history column, plain label, fitted parameter, its search box).
METRICS = {
    "quit_rate": ("quits", "quits per rep and year", "people.quit_base", (0.0003, 0.02)),
    "wins_rate": ("wins", "wins per rep and month", "selling.capacity", (0.4, 8.0)),
    "attainment": ("attainment", "attainment (revenue / quota)", "selling.capacity", (0.4, 8.0)),
}

_MONTH = [re.compile(r"^(\d{4})-(\d{1,2})$"), re.compile(r"^(\d{4})/(\d{1,2})$")]
_MONTH_REV = [re.compile(r"^(\d{1,2})[/.](\d{4})$")]
_DATE = [re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")]
_QUARTER = [re.compile(r"^(\d{4})\s*[-/ ]?\s*Q([1-4])$", re.I), re.compile(r"^Q([1-4])\s*[-/ ]?\s*(\d{4})$", re.I)]


def _g(x: float) -> str:
    return fmt_number(x, 0) if abs(x) >= 1000 else f"{x:g}"


def parse_period(v: str) -> tuple[str, int] | None:
    """``("month", year*12 + month-1)`` or ``("quarter", year*4 + q-1)``; None when not a period."""
    v = v.strip()
    for rx in _QUARTER:
        m = rx.match(v)
        if m:
            a, b = m.groups()
            year, q = (int(a), int(b)) if rx is _QUARTER[0] else (int(b), int(a))
            return "quarter", year * 4 + q - 1
    for rx in _MONTH:
        m = rx.match(v)
        if m and 1 <= int(m.group(2)) <= 12:
            return "month", int(m.group(1)) * 12 + int(m.group(2)) - 1
    for rx in _MONTH_REV:
        m = rx.match(v)
        if m and 1 <= int(m.group(1)) <= 12:
            return "month", int(m.group(2)) * 12 + int(m.group(1)) - 1
    m = _DATE[0].match(v)
    if m and 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3)) <= 31:
        return "month", int(m.group(1)) * 12 + int(m.group(2)) - 1
    m = _DATE[1].match(v)
    if m and 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(1)) <= 31:
        return "month", int(m.group(3)) * 12 + int(m.group(2)) - 1
    return None


def period_label(freq: str, k: int) -> str:
    """``2025-01`` or ``2025-Q1``."""
    return f"{k // 12}-{k % 12 + 1:02d}" if freq == "month" else f"{k // 4}-Q{k % 4 + 1}"


@dataclass
class History:
    """A validated history: per-period totals over the teams (``table``) and the rows as read (``rows``)."""

    freq: str                      # "month" or "quarter"
    table: pd.DataFrame            # period, attainment, wins, quits, hires, headcount (NaN: not given)
    rows: pd.DataFrame
    columns: list[str]
    teams: list[str] = field(default_factory=list)
    path: str = ""

    @property
    def n(self) -> int:
        """Number of periods."""
        return len(self.table)

    @property
    def per_year(self) -> int:
        """Periods per year (12 or 4)."""
        return 12 if self.freq == "month" else 4

    @property
    def weeks(self) -> int:
        """Weeks the history covers."""
        return int(round(self.n * 52.0 / self.per_year))

    def rates(self) -> dict[str, np.ndarray]:
        """Per-period rates of the metrics the file gives (see :data:`METRICS`)."""
        t = self.table
        out = {}
        head = t["headcount"].to_numpy(dtype=float)
        if "quits" in self.columns:
            out["quit_rate"] = t["quits"].to_numpy(dtype=float) / head * self.per_year
        if "wins" in self.columns:
            out["wins_rate"] = t["wins"].to_numpy(dtype=float) / head / (12 / self.per_year)
        if "attainment" in self.columns:
            out["attainment"] = t["attainment"].to_numpy(dtype=float)
        return out


def load_history(path: str, roster=None, validate_only: bool = False) -> History | None:
    """Read and validate a history CSV (see the module docstring).

    Args:
        path: CSV file (UTF-8; a byte-order mark is accepted).
        roster: The scenario's roster: its teams are the allowed team names and its head count the default.
        validate_only: Only check the file (every problem at once) and return None; no table is built.

    Raises:
        ConfigError: Listing every problem by row and column (nothing is loaded).
    """
    text = read_sheet_text(path, "history")
    return read_history_text(text, source=str(path), roster=roster, validate_only=validate_only)


def read_history_text(text: str, source: str = "(text)", roster=None, validate_only: bool = False) -> History | None:
    """Validate history CSV text (see :func:`load_history`)."""
    problems: list[str] = []
    delim = detect_delimiter(text)
    rows = list(csv.reader(io.StringIO(text), delimiter=delim))
    numbered = [(i + 1, r) for i, r in enumerate(rows) if any(c.strip() for c in r)]
    if not numbered:
        raise ConfigError(f"history {source}: the file is empty; it needs a header row with period and at least "
                          f"one of attainment, wins, quits")
    hline, header = numbered[0]
    header = [h.strip() for h in header]
    seen: dict[str, int] = {}
    for j, h in enumerate(header):
        if not h:
            problems.append(f"row {hline}, column {j + 1}: empty column name")
        elif h in seen:
            problems.append(f"row {hline}, column {h}: the column appears twice")
        elif h not in HISTORY_COLUMNS:
            problems.append(f"row {hline}, column {h}: unknown column{did_you_mean(h, HISTORY_COLUMNS) or '.'} "
                            f"Allowed: {', '.join(HISTORY_COLUMNS)} (rename the header in your file)")
        else:
            seen[h] = j
    if "period" not in seen:
        problems.append(f"row {hline}, column period: required column is missing (the month, 2025-01, or the "
                        f"quarter, 2025-Q1)")
    if not {"attainment", "wins", "quits"} & set(seen):
        problems.append(f"row {hline}: give at least one of the columns attainment, wins, quits")
    data = numbered[1:]
    if not data:
        problems.append(f"row {hline + 1}: the history has no rows (only a header)")
    team_names = list(roster.team_names) if roster is not None and "team" in getattr(roster, "columns", []) else None
    recs = []
    freqs: dict[str, int] = {}
    first_key: dict[tuple, int] = {}
    for line, rec in data:
        if len([c for c in rec[len(header):] if c.strip()]):
            problems.append(f"row {line}: {len(rec)} cells but the header has {len(header)} columns")
        cell = {h: (rec[j].strip() if j < len(rec) else "") for h, j in seen.items()}
        r: dict = {"row": line}
        for c in seen:
            kind, lo, hi, meaning = HISTORY_COLUMNS[c]
            v = cell[c]
            where = f"row {line}, column {c}"
            if kind == "period":
                p = parse_period(v) if v else None
                if p is None:
                    problems.append(f"{where}: {v!r} is not a month or a quarter; write 2025-01 (a month) or "
                                    f"2025-Q1 (a quarter)" if v else f"{where}: missing value; write 2025-01 or 2025-Q1")
                else:
                    freqs.setdefault(p[0], line)
                    r["freq"], r["k"] = p
            elif kind == "text":
                if not v:
                    problems.append(f"{where}: missing value; give the team's name")
                elif team_names is not None and v not in team_names:
                    problems.append(f"{where}: unknown team {v!r}{did_you_mean(v, team_names) or ''} (the roster's "
                                    f"teams: {', '.join(team_names)})")
                r["team"] = v
            else:
                if not v:
                    if c == "headcount" or c == "hires":
                        r[c] = np.nan
                        continue
                    problems.append(f"{where}: missing value; give {meaning} ({_g(lo)} to {_g(hi)})")
                    continue
                raw = v
                x = number_cell(v, delim, percent=c == "attainment")
                if x is None:
                    hint = decimal_comma_hint(raw)
                    if not hint and raw.endswith("%"):
                        hint = " (a % is read in attainment only; write a count here)"
                    problems.append(f"{where}: expected a number ({meaning}, {_g(lo)} to {_g(hi)}), got {raw!r}{hint}")
                    continue
                if not math.isfinite(x) or x < lo or x > hi:
                    hint = " (write 1.05 or 105% for 105%)" if c == "attainment" and x > hi else ""
                    problems.append(f"{where}: {raw} is out of range; allowed: {_g(lo)} to {_g(hi)} ({meaning}){hint}")
                    continue
                r[c] = x
        if "k" in r:
            key = (r.get("team", ""), r["freq"], r["k"])
            if key in first_key:
                problems.append(f"row {line}, column period: {period_label(r['freq'], r['k'])}"
                                + (f" of team {r['team']}" if r.get("team") else "")
                                + f" appears twice (first in row {first_key[key]})")
            else:
                first_key[key] = line
        recs.append(r)
    if len(freqs) > 1:
        problems.append(f"row {freqs['quarter']}, column period: months (from row {freqs['month']}) and quarters "
                        f"mixed; give every row as a month (2025-01) or every row as a quarter (2025-Q1)")
    freq = next(iter(freqs), "month")
    ok = [r for r in recs if "k" in r and r["freq"] == freq]
    teams = list(dict.fromkeys(r.get("team", "") for r in ok))
    if ok and len(freqs) == 1:
        ks = sorted({r["k"] for r in ok})
        full = list(range(ks[0], ks[-1] + 1))
        missing = [k for k in full if k not in ks]
        if missing:
            problems.append(f"column period: {', '.join(period_label(freq, k) for k in missing[:6])}"
                            f"{' ...' if len(missing) > 6 else ''} missing; the periods must follow each other "
                            f"without gaps (add the rows, with 0 where nothing happened)")
        n_min = 6 if freq == "month" else 4
        if len(full) < n_min:
            problems.append(f"column period: {len(full)} {freq}s are too few to fit; give at least {n_min} "
                            f"(12-24 months is best)")
        if "team" in seen:
            for t in teams:
                if team_names is not None and t not in team_names:
                    continue  # reported above
                have = {r["k"] for r in ok if r.get("team", "") == t}
                lack = [k for k in full if k not in have and k in ks]
                if lack:
                    problems.append(f"column team: team {t!r} has no row for {', '.join(period_label(freq, k) for k in lack[:6])}"
                                    f"{' ...' if len(lack) > 6 else ''}; every team needs every period")
    if problems:
        raise ConfigError(f"history {source}: {len(problems)} problem{'s' if len(problems) > 1 else ''} found, "
                          f"nothing was loaded:\n" + "\n".join("  - " + p for p in problems))
    if roster is None and ("quits" in seen or "wins" in seen):
        lacking = [r["row"] for r in ok if np.isnan(r.get("headcount", np.nan))]
        if lacking:
            raise ConfigError(f"history {source}: row {lacking[0]}, column headcount: missing value; give the "
                              f"head count of the period (or a roster in the scenario to take it from)")
    if validate_only:
        return None
    import pandas as pd

    df = pd.DataFrame(ok)
    cols = [c for c in ("attainment", "wins", "quits", "hires", "headcount") if c in seen]
    for c in ("attainment", "wins", "quits", "hires", "headcount"):
        if c not in df:
            df[c] = np.nan
    # default head count: the roster's (per team when the roster has teams), else 1 per row is meaningless
    if df["headcount"].isna().any():
        if roster is None:  # (no wins or quits: checked above)
            df["headcount"] = df["headcount"].fillna(1.0)
        else:
            active = ~roster.open_seats
            if "team" in df and team_names is not None:
                size = {t: float(np.sum(active & (roster.team_index == i))) for i, t in enumerate(team_names)}
                df["headcount"] = df["headcount"].fillna(df["team"].map(size))
            else:
                df["headcount"] = df["headcount"].fillna(float(active.sum()))
    df["w"] = df["headcount"]
    agg = []
    for k, g in df.groupby("k", sort=True):
        row = {"period": period_label(freq, int(k)), "headcount": float(g["headcount"].sum())}
        for c in ("wins", "quits", "hires"):
            row[c] = float(g[c].sum()) if c in seen else np.nan
        row["attainment"] = (float(np.average(g["attainment"], weights=g["w"])) if "attainment" in seen
                             else np.nan)
        agg.append(row)
    table = pd.DataFrame(agg)[["period", "attainment", "wins", "quits", "hires", "headcount"]]
    rows_df = df.drop(columns=["w", "freq"]).assign(period=[period_label(freq, int(k)) for k in df["k"]])
    return History(freq=freq, table=table, rows=rows_df.drop(columns=["k"]), columns=cols,
                   teams=[t for t in teams if t], path=str(source))


# ----------------------------------------------------------------------------------------------
# simulated per-period rates
# ----------------------------------------------------------------------------------------------
def _period_index(weeks: int, n: int, per_year: int) -> np.ndarray:
    return np.minimum(np.floor(np.arange(weeks) * per_year / 52.0).astype(int), n - 1)


def series_rates(series: dict, n: int, per_year: int, quota: float) -> dict[str, np.ndarray]:
    """Per-period rates (n, B) of weekly series (T, B): quits per rep-year, wins per rep-month, attainment."""
    T = series["revenue"].shape[0]
    idx = _period_index(T, n, per_year)
    B = series["revenue"].shape[1]

    def per(x, how="sum"):
        out = np.zeros((n, B))
        np.add.at(out, idx, np.nan_to_num(x))
        if how == "mean":
            out /= np.bincount(idx, minlength=n)[:, None]
        return out

    wk = np.bincount(idx, minlength=n).astype(float)[:, None]
    head = np.maximum(per(series["headcount"], "mean"), 1e-9)
    qf = per(series["quota_factor"], "mean") if "quota_factor" in series else 1.0
    return {"quit_rate": per(series["quits"]) / head * 52.0 / wk,
            "wins_rate": per(series["deals"]) / head / (wk * 12.0 / 52.0),
            "attainment": per(series["revenue"]) / (head * quota * qf * wk / 52.0),
            "hires": per(series["hires"]), "headcount": head}


#: The status quo for the past: no planned changes, no events or shocks, ``weeks`` long (its home is .deals,
#: which calibrates the deal sizes on the same baseline).
history_config = past_config


def _simulator_class():
    from ..research.calibration import MomentSimulator

    class HistorySimulator(MomentSimulator):
        """Moments = mean over the history's periods of the per-period rates, with today's roster."""

        def __init__(self, cfg, params, moments, replications, seed, roster, n, per_year, won_deal=None):
            super().__init__(cfg, params, moments, replications, seed)
            self.roster, self.n, self.per_year = roster, int(n), int(per_year)
            self.won_deal = won_deal

        def period_rates(self, theta: np.ndarray) -> dict[str, np.ndarray]:
            from ..engine import Engine
            theta = np.atleast_2d(np.asarray(theta, dtype=float))
            P = theta.shape[0]
            self.evaluations += P
            seeds = np.tile(self.seed + np.arange(self.R, dtype=np.int64), P)
            ov = {p.path: np.repeat(theta[:, j], self.R) for j, p in enumerate(self.params)}
            e = Engine(self.cfg, seeds=seeds, overrides=ov, roster=self.roster)
            e.run()
            r = series_rates(e.series, self.n, self.per_year, float(self.cfg.selling.quota))
            if self.won_deal is not None:
                # money.deal_size is the average won deal: at each candidate, the deal sizes that give it (the
                # candidate's revenue per won deal over its futures, to first order; the exact factor at the fit
                # is found by runs, see fit_history) -- revenue and attainment scale with them
                from .deals import revenue_per_won_deal
                for p in range(P):
                    cols = slice(p * self.R, (p + 1) * self.R)
                    r["attainment"][:, cols] *= self.won_deal / revenue_per_won_deal(e.series, cols)
            return r

        def replicate_moments(self, theta: np.ndarray) -> np.ndarray:
            theta = np.atleast_2d(np.asarray(theta, dtype=float))
            r = self.period_rates(theta)
            m = np.stack([r[k].mean(axis=0) for k in self.moments], axis=1)  # (P*R, M)
            return m.reshape(theta.shape[0], self.R, len(self.moments))

    return HistorySimulator


@dataclass
class HistoryFit:
    """The fitted baseline against the history."""

    history: History
    params: pd.DataFrame           # parameter, label, estimate, ci_low, ci_high, default, lo, hi
    moments: pd.DataFrame          # metric, label, actual, fitted (True: a target of the fit), fitted_mean, outside_share
    periods: pd.DataFrame          # period, metric, actual, mean, p05, p95, outside
    outside_share: dict[str, float]
    warnings: list[str]
    fits: bool
    j_stat: float = float("nan")
    j_pvalue: float = float("nan")
    seconds: float = 0.0
    replications: int = 0
    evaluations: int = 0
    deal_match: object = None     # simteam.planning.deals.WonDealMatch when money.deal_size is the average won deal
    won_deal: dict = field(default_factory=dict)  # revenue per won deal: history, model (the fitted baseline's bands)

    @property
    def estimate(self) -> dict[str, float]:
        return dict(zip(self.params["parameter"], self.params["estimate"]))


PARAM_LABELS = {"people.quit_base": "weekly quit hazard of a rep (people.quit_base)",
                "selling.capacity": "opportunities a ramped rep works per week (selling.capacity)"}


def fit_history(cfg: SimConfig, history: History, roster=None, *, replications: int = 12, seed: int = 0,
                maxiter: int = 5, popsize: int = 5, polish_maxfev: int = 0, band: float = 0.9,
                band_replications: int = 100,
                outside_limit: float = 1 / 3, won_deal: float | None = None) -> HistoryFit:
    """Fit the status quo's quit hazard and selling rate to the history (see the module docstring).

    Args:
        cfg: The status quo's config (its planned changes, events and shocks are dropped for the past).
        history: The validated history.
        roster: Today's roster (the simulation's starting team).
        replications: Replications per candidate (common random numbers: seeds ``seed ..``).
        seed: First seed.
        maxiter: Generations of the differential evolution (each one batch of ``popsize x parameters`` points).
        popsize: Population per parameter.
        polish_maxfev: Evaluations of the Nelder-Mead polish (0: none).
        band: Width of the simulated band per period (0.9: P5-P95).
        band_replications: Replications of the run at the fit that gives the bands.
        outside_limit: Share of periods outside the band above which the fit is flagged.
        won_deal: The average won deal (``money.deal_size`` with ``deal_size_is: won``): the segments' deal sizes
            are scaled so that the baseline's revenue per won deal equals it -- before the fit (at the model's
            defaults), at every candidate (the revenue scaled by the candidate's own ratio) and after it (runs at
            the fitted values, :func:`simteam.planning.deals.match_won_deal`); ``deal_match`` of the result
            holds the factor and the steps, and the fitted baseline's bands are run with it.
    """
    import time

    import pandas as pd

    from ..research.calibration import Target, calibrate
    from ..research.sensitivity import Parameter

    t0 = time.perf_counter()
    hcfg = history_config(cfg, history.weeks)
    rates = history.rates()
    shown = [m for m in METRICS if m in rates]
    # fitted: quits -> quit hazard; attainment (else wins) -> selling rate; wins stay a check when both are given
    metrics = [m for m in shown if not (m == "wins_rate" and "attainment" in rates)]
    targets = []
    for m in metrics:
        x = rates[m]
        se = float(np.std(x, ddof=1) / np.sqrt(x.size)) if x.size > 1 else 0.0
        targets.append(Target(m, float(np.mean(x)), se))
    paths = list(dict.fromkeys(METRICS[m][2] for m in metrics))
    boxes = {p: next(METRICS[m][3] for m in metrics if METRICS[m][2] == p) for p in paths}
    if "quit_rate" in metrics:
        # the quit hazard's box around the history's rate (about 45 weekly hazards make the annual rate in the
        # model, the rest of the hazard coming from morale, stress and attainment): a narrow box converges fast
        q0 = max(float(np.mean(rates["quit_rate"])), 0.02) / 45.0
        lo, hi = METRICS["quit_rate"][3]
        boxes["people.quit_base"] = (max(lo, q0 / 4), min(hi, q0 * 4))
    params = [Parameter(p, *boxes[p]) for p in paths]
    defaults = {"people.quit_base": float(hcfg.people.quit_base), "selling.capacity": float(hcfg.selling.capacity)}
    start = [min(max(defaults[p.path], p.lo), p.hi) for p in params]
    Sim = _simulator_class()
    deal_match = None
    if won_deal is not None:
        from .deals import REPLICATIONS, match_won_deal, scale_deal_sizes
        cal_seeds = seed + np.arange(REPLICATIONS, dtype=np.int64)
        deal_match = match_won_deal(hcfg, float(won_deal), roster, seeds=cal_seeds)  # at the model's defaults
        hcfg = scale_deal_sizes(hcfg, deal_match.factor)
    sim = Sim(hcfg, params, metrics, replications, seed, roster, history.n, history.per_year, won_deal=won_deal)
    # a history is ONE future: the sampling error of its mean rate is the spread of that mean across simulated
    # futures (which holds the market's autocorrelated noise, shared by all periods), not sd / sqrt(periods)
    pilot = sim.replicate_moments(np.array([start]))[0]
    with np.errstate(invalid="ignore"):
        sd_futures = np.nanstd(pilot, axis=0, ddof=1)
    for t, s_f in zip(targets, sd_futures):
        if np.isfinite(s_f):
            t.se = float(max(t.se, s_f))
    # differential evolution: each generation's population runs as one batch (one engine), which is
    # what keeps the fit to a few seconds; a short polish refines the best point
    res = calibrate(hcfg, params, targets, replications=replications, seed=seed, method="differential_evolution",
                    maxiter=maxiter, popsize=popsize, polish=polish_maxfev > 0, polish_maxfev=max(polish_maxfev, 1),
                    weighting="efficient", jacobian_step=0.04, profile_points=0, start=start, simulator=sim)
    theta = res.params["estimate"].to_numpy(dtype=float)
    if won_deal is not None:
        # the exact factor at the fitted values (the candidates' scaling is first-order: revenue feeds back on
        # attainment, morale and quits); the bands below are run with it
        at_fit = match_won_deal(hcfg, float(won_deal), roster, seeds=cal_seeds,
                                overrides={p.path: np.full(cal_seeds.size, theta[j]) for j, p in enumerate(params)})
        hcfg = scale_deal_sizes(hcfg, at_fit.factor)
        f0 = deal_match.factor
        deal_match = dataclasses.replace(
            at_fit, factor=f0 * at_fit.factor,
            steps=[(f, m, "model defaults") for f, m, _ in deal_match.steps]
            + [(f0 * f, m, "fitted values") for f, m, _ in at_fit.steps],
            seconds=deal_match.seconds + at_fit.seconds)
    band_sim = Sim(hcfg, params, metrics, band_replications, seed, roster, history.n, history.per_year)
    r = band_sim.period_rates(theta[None, :])
    q = (1 - band) / 2
    rows, outside = [], {}
    for m in list(shown) + (["hires"] if "hires" in history.columns else []):
        actual = rates[m] if m in rates else history.table["hires"].to_numpy(dtype=float)
        sim_m = r[m]
        lo_b, hi_b = np.quantile(sim_m, [q, 1 - q], axis=1)
        out = (actual < lo_b - 1e-12) | (actual > hi_b + 1e-12)
        if m in shown:
            outside[m] = float(np.mean(out))
        for i, per in enumerate(history.table["period"]):
            rows.append({"period": per, "metric": m, "actual": float(actual[i]), "mean": float(sim_m[i].mean()),
                         "p05": float(lo_b[i]), "p95": float(hi_b[i]), "outside": bool(out[i])})
    periods = pd.DataFrame(rows)
    label = {m: METRICS[m][1] for m in METRICS} | {"hires": "hires"}
    warnings = []
    for m, s in outside.items():
        if s > outside_limit:
            txt = (f"The baseline does not fit your {label[m]}: the actual value lies outside the simulated "
                   f"{_pct(band)} band in {_pct(s)} of the {history.n} {history.freq}s. Read the results with care: the "
                   f"model does not reproduce this part of your team's history.")
            if m == "wins_rate" and "attainment" in rates:
                quota = float(hcfg.selling.quota)
                yours = float(np.mean(rates["attainment"]) * quota / 12 / max(np.mean(rates["wins_rate"]), 1e-9))
                model = float(np.mean(r["attainment"]) * quota / 12 / max(np.mean(r["wins_rate"]), 1e-9))
                if deal_match is not None:
                    if abs(model / max(yours, 1e-9) - 1.0) > 0.05:
                        txt += (f" Revenue per won deal: {yours:.3g} in your history, {model:.3g} in the model "
                                f"(calibrated to money.deal_size, {won_deal:.3g}); if your history is right, "
                                f"set money.deal_size to its value.")
                else:
                    txt += (f" Revenue per won deal: {yours:.3g} in your history, {model:.3g} in the model; check "
                            f"money.deal_size (the model's won deals are larger than its average lead when reps "
                            f"pick the best opportunities; with money.deal_size_is: won, the default, the "
                            f"model's won deals are calibrated to money.deal_size).")
            warnings.append(txt)
    mt = res.moments
    for i, p in res.params.iterrows():
        if p["at_bound"]:
            warnings.append(f"The fitted {PARAM_LABELS.get(p['parameter'], p['parameter'])} ends at the edge of "
                            f"its search box ({p['lo']:g} to {p['hi']:g}): the model cannot reach your history's "
                            f"level with it.")
    ptab = pd.DataFrame({"parameter": res.params["parameter"],
                         "label": [PARAM_LABELS.get(p, p) for p in res.params["parameter"]],
                         "estimate": res.params["estimate"], "ci_low": res.params["ci_low"],
                         "ci_high": res.params["ci_high"], "default": [defaults[p] for p in res.params["parameter"]],
                         "lo": res.params["lo"], "hi": res.params["hi"]})
    fitted_mean = {m: float(np.mean(r[m])) for m in shown}
    fitted_mean.update(dict(zip(mt["moment"], mt["simulated"])))
    mtab = pd.DataFrame({"metric": shown, "label": [label[m] for m in shown],
                         "actual": [float(np.mean(rates[m])) for m in shown],
                         "fitted": [m in metrics for m in shown], "fitted_mean": [fitted_mean[m] for m in shown],
                         "outside_share": [outside[m] for m in shown]})
    won = {}
    if "attainment" in rates and "wins_rate" in rates:
        quota = float(hcfg.selling.quota)
        won = {"history": float(np.mean(rates["attainment"]) * quota / 12 / max(np.mean(rates["wins_rate"]), 1e-9)),
               "model": float(np.mean(r["attainment"]) * quota / 12 / max(np.mean(r["wins_rate"]), 1e-9))}
    return HistoryFit(history=history, params=ptab, moments=mtab, periods=periods, outside_share=outside,
                      warnings=warnings, fits=not warnings, j_stat=res.j_stat, j_pvalue=res.j_pvalue,
                      seconds=time.perf_counter() - t0, replications=replications, evaluations=sim.evaluations,
                      deal_match=deal_match, won_deal=won)


#: Plain labels of the fitted parameters as assumptions of the report.
ASSUMPTION_LABELS = {"people.quit_base": "how often reps quit (weekly quit hazard)",
                     "selling.capacity": "selling pace (opportunities a ramped rep works per week)"}


def with_history_fit(sc, fit: HistoryFit):
    """The scenario with the fitted values as fixed assumptions (so every alternative runs with them and the
    report lists them with their source; the sensitivity tests their 95% interval); a parameter the
    scenario's ``assumptions:`` already sets is kept."""
    import dataclasses
    import os
    mine = {a["param"] for a in sc.assumptions.values()}
    add = {}
    for p in fit.params.itertuples():
        if p.parameter in mine:
            continue
        add[p.parameter] = {"param": p.parameter, "value": float(p.estimate), "dist": "fixed", "low": None,
                            "high": None, "mode": None, "integer": False,
                            "label": ASSUMPTION_LABELS.get(p.parameter, p.parameter),
                            # the sensitivity tests the fit's own 95% interval (within the search box)
                            "_rng": ("abs", float(max(p.ci_low, p.lo)), float(min(p.ci_high, p.hi)))
                            if np.isfinite(p.ci_low) and np.isfinite(p.ci_high) and p.ci_high > p.ci_low
                            else ("x", 0.5, 1.5),
                            "source": f"fitted to your history ({os.path.basename(fit.history.path)}; model default "
                                      f"{p.default:.4g})"}
    return dataclasses.replace(sc, assumptions={**add, **sc.assumptions})


def history_from_series(series: dict, n: int, freq: str, quota: float, column: int = 0,
                        teams: bool = False) -> str:
    """A history CSV (text) from one replication's weekly series: what the model itself would have recorded.

    Used to check the fit (a history simulated at known parameters must be recovered) and to build examples.
    """
    per_year = 12 if freq == "month" else 4
    T = series["revenue"].shape[0]
    idx = _period_index(T, n, per_year)
    b = column
    rows = ["period,attainment,wins,quits,hires,headcount"]
    for k in range(n):
        w = idx == k
        head = float(np.mean(series["headcount"][w, b]))
        qf = float(np.mean(series["quota_factor"][w, b]))
        att = float(np.sum(series["revenue"][w, b])) / (head * quota * qf * w.sum() / 52.0)
        rows.append(f"{period_label(freq, 2024 * per_year + k)},{att:.4f},{int(np.sum(series['deals'][w, b]))},"
                    f"{int(np.sum(series['quits'][w, b]))},{int(np.sum(series['hires'][w, b]))},{head:.2f}")
    return "\n".join(rows) + "\n"
