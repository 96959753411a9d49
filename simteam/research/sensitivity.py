"""Global sensitivity analysis with SALib: Morris screening and Sobol indices.

The user names parameters (dotted paths of numeric :class:`simteam.config.SimConfig`
fields) with bounds, and one or more outcomes (columns of
:data:`simteam.results.SUMMARY_COLUMNS`). SALib draws the design; every design point is
evaluated by a pluggable *evaluation function* ``evaluate(X) -> Y`` that maps a
``(P, D)`` array of points to a ``(P,)`` or ``(P, K)`` array of outcomes. For the model,
:class:`SimEvaluator` runs all ``P`` points x ``R`` replications as ONE batch through
:func:`simteam.run_points` (points are a batch dimension and share the seeds ``seed + r``,
i.e. common random numbers) and averages each outcome over the replications of a point.
The same analysis code runs an analytic function such as :func:`ishigami`, which is how
the tests check it against known indices.

Example:
    >>> from simteam.research.sensitivity import Parameter, sobol_analysis, ishigami
    >>> import numpy as np
    >>> ps = [Parameter(f"x{i}", -np.pi, np.pi) for i in (1, 2, 3)]
    >>> table, X, Y = sobol_analysis(ps, ishigami, n=1024, seed=1)
    >>> round(float(table.loc[table.parameter == "x1", "S1"].iloc[0]), 1)
    0.3
"""

from __future__ import annotations

import copy
import dataclasses
import pathlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..config import ConfigError, SimConfig, did_you_mean, get_path, iter_params, load_section, param, sub, to_dict
from ..io import write_csv, write_figure
from ..plotting import new_figure
from ..results import SUMMARY_COLUMNS

__all__ = [
    "DEFAULTS",
    "DEFAULT_PARAMETERS",
    "ISHIGAMI_INDICES",
    "MorrisSettings",
    "Parameter",
    "SensitivitySettings",
    "SobolSettings",
    "SimEvaluator",
    "format_tables",
    "ishigami",
    "morris_analysis",
    "parse_outcomes",
    "parse_parameters",
    "plot_morris",
    "plot_sobol",
    "replication_noise",
    "run_study",
    "run_task",
    "salib_problem",
    "sobol_analysis",
    "write_study",
]

#: Paths that describe the structure of a batch and cannot vary across its rows.
STRUCTURAL_PREFIXES = ("team.",)
STRUCTURAL_PATHS = ("seed", "replications", "weeks")

#: The default study: the twelve leader behaviours over their whole documented range [0, 1].
DEFAULT_PARAMETERS = {f"leadership.{b}": [0.0, 1.0] for b in (
    "inspiration", "recognition", "feedback", "coaching", "coaching_focus", "communication",
    "accountability", "fairness", "data_orientation", "decision_speed", "toxic_tolerance", "learning_support")}

def _mapping(default: dict, doc: str):
    """A dataclass field holding a mapping (parameter bounds), checked by :func:`parse_parameters`."""
    return field(default_factory=lambda: copy.deepcopy(default), metadata={"doc": doc})


@dataclass
class MorrisSettings:
    """``sensitivity.morris``: the Morris design."""

    trajectories: int = param(20, 2, 100_000, doc="r: the design has r (D + 1) points")
    levels: int = param(4, 2, 1000, doc="levels of the grid of each parameter")


@dataclass
class SobolSettings:
    """``sensitivity.sobol``: the Saltelli design."""

    n: int = param(256, 2, 2**24, doc="base sample (a power of 2): n (D + 2) points without second order")
    second_order: bool = param(False, doc="also estimate second-order indices (n (2D + 2) points)")


@dataclass
class SensitivitySettings:
    """The ``sensitivity:`` section (see ``simteam/conf/experiment/sensitivity.yaml``)."""

    method: str = param("both", doc="which analysis to run", choices=("morris", "sobol", "both"))
    outcome: str | list = param("revenue", doc="one or more columns of simteam.SUMMARY_COLUMNS")
    parameters: dict = _mapping(DEFAULT_PARAMETERS, "dotted SimConfig paths with bounds [lo, hi]")
    replications: int = param(8, 1, 10_000_000, doc="replications per point (seeds shared by every point)")
    seed: int = param(0, 0, 2**62, doc="base seed of the replications and of the design")
    morris: MorrisSettings = sub(MorrisSettings)
    sobol: SobolSettings = sub(SobolSettings)
    conf_level: float = param(0.95, 0.0, 1.0, doc="confidence level of the intervals (strictly between 0 and 1)")
    resamples: int = param(1000, 10, 10_000_000, doc="bootstrap resamples for the confidence intervals")
    processes: int = param(1, 1, 1024, doc="worker processes for the batch")


#: Default settings of the ``sensitivity:`` section, as plain data.
DEFAULTS: dict[str, Any] = to_dict(SensitivitySettings())


# ----------------------------------------------------------------------------------------------
# Parameters, outcomes and the evaluation functions
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Parameter:
    """One uncertain input: a dotted path with bounds.

    Attributes:
        path: Dotted path of a numeric SimConfig field (or any name for analytic functions).
        lo: Lower bound.
        hi: Upper bound.
        integer: Round sampled values to whole numbers (integer fields).
    """

    path: str
    lo: float
    hi: float
    integer: bool = False


def _numeric_fields() -> dict[str, dataclasses.Field]:
    out = {}
    for path, f in iter_params():
        typ = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
        if typ in ("int", "float"):
            out[path] = (f, typ)
    return out


def _bounds(path: str, value: Any, section: str) -> tuple[float, float]:
    if isinstance(value, dict):
        if set(value) - {"lo", "hi"} or not {"lo", "hi"} <= set(value):
            raise ConfigError(f"{section}.parameters.{path}: expected [lo, hi] or {{lo: .., hi: ..}}, got {value!r}")
        value = [value["lo"], value["hi"]]
    if (not isinstance(value, (list, tuple)) or len(value) != 2
            or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in value)):
        raise ConfigError(f"{section}.parameters.{path}: expected bounds [lo, hi] (two numbers), got {value!r}")
    lo, hi = float(value[0]), float(value[1])
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ConfigError(f"{section}.parameters.{path}: bounds must be finite numbers, got {value!r}")
    if lo >= hi:
        raise ConfigError(f"{section}.parameters.{path}: lower bound {lo:g} must be below upper bound {hi:g}")
    return lo, hi


def _flatten(spec: dict, prefix: str = ""):
    """``{leadership: {coaching: [0, 1]}}`` and ``{leadership.coaching: [0, 1]}`` alike."""
    for k, v in spec.items():
        path = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, dict) and not ({"lo", "hi"} & set(v)):
            yield from _flatten(v, path)
        else:
            yield path, v


def parse_parameters(spec: Any, section: str = "sensitivity", allow_structural: bool = False) -> list[Parameter]:
    """Check a parameter specification against the SimConfig field metadata.

    Args:
        spec: A mapping ``{path: [lo, hi]}`` (or ``{path: {lo: .., hi: ..}}``; paths may also be
            nested mappings such as ``{leadership: {coaching: [0, 1]}}``), or a list of
            ``{path: .., lo: .., hi: ..}`` / ``{path: .., bounds: [lo, hi]}``.
        section: Name of the settings section, used in error messages.
        allow_structural: Accept ``team.*`` fields (only for one-batch-per-point runs).

    Raises:
        ConfigError: For an unknown or non-numeric path, bounds that are not two numbers,
            ``lo >= hi`` or bounds outside the field's documented range.
    """
    if isinstance(spec, (list, tuple)):
        items = []
        for i, it in enumerate(spec):
            if not isinstance(it, dict) or "path" not in it:
                raise ConfigError(f"{section}.parameters[{i}]: expected {{path: .., lo: .., hi: ..}}, got {it!r}")
            b = it["bounds"] if "bounds" in it else {k: it[k] for k in ("lo", "hi") if k in it}
            items.append((str(it["path"]), b))
    elif isinstance(spec, dict):
        items = list(_flatten(spec))
    else:
        raise ConfigError(f"{section}.parameters: expected a mapping of dotted paths to [lo, hi], got {spec!r}")
    if not items:
        raise ConfigError(f"{section}.parameters: name at least one parameter with bounds")
    fields = _numeric_fields()
    out, seen = [], set()
    for path, b in items:
        if path in seen:
            raise ConfigError(f"{section}.parameters.{path}: listed twice")
        seen.add(path)
        if path not in fields:
            hint = did_you_mean(path, fields)
            raise ConfigError(f"{section}.parameters.{path}: unknown parameter: not a numeric SimConfig field{hint}")
        if path in STRUCTURAL_PATHS or (not allow_structural and path.startswith(STRUCTURAL_PREFIXES)):
            raise ConfigError(f"{section}.parameters.{path}: structural parameters (team.*, weeks, seed, "
                              f"replications) cannot vary across the points of one batch")
        f, typ = fields[path]
        lo, hi = _bounds(path, b, section)
        flo, fhi = f.metadata.get("lo"), f.metadata.get("hi")
        if (flo is not None and lo < flo) or (fhi is not None and hi > fhi):
            raise ConfigError(f"{section}.parameters.{path}: bounds [{lo:g}, {hi:g}] are outside the documented "
                              f"range [{flo}, {fhi}] ({f.metadata.get('doc', '')})")
        out.append(Parameter(path, lo, hi, integer=(typ == "int")))
    return out


def parse_outcomes(spec: Any, section: str = "sensitivity") -> list[str]:
    """Outcome column names (one name or a list), checked against SUMMARY_COLUMNS."""
    names = [spec] if isinstance(spec, str) else list(spec) if isinstance(spec, (list, tuple)) else None
    if not names:
        raise ConfigError(f"{section}.outcome: expected a summary column name or a list of them, got {spec!r}")
    for n in names:
        if n not in SUMMARY_COLUMNS:
            raise ConfigError(f"{section}.outcome: {n!r} is not a summary column; choose from "
                              f"{', '.join(SUMMARY_COLUMNS)}")
    return [str(n) for n in names]


def salib_problem(params: Sequence[Parameter]) -> dict:
    """The SALib problem dict for ``params``."""
    return {"num_vars": len(params), "names": [p.path for p in params], "bounds": [[p.lo, p.hi] for p in params]}


#: Exact Ishigami indices for a = 7, b = 0.1 (Ishigami & Homma 1990; Saltelli et al. 2008).
ISHIGAMI_INDICES = {"S1": (0.3139, 0.4424, 0.0), "ST": (0.5576, 0.4424, 0.2437)}


def ishigami(X: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """Ishigami function f = sin x1 + a sin^2 x2 + b x3^4 sin x1 on [-pi, pi]^3."""
    X = np.atleast_2d(X)
    return np.sin(X[:, 0]) + a * np.sin(X[:, 1]) ** 2 + b * X[:, 2] ** 4 * np.sin(X[:, 0])


class SimEvaluator:
    """Evaluate model outcomes at many parameter points in one batched run.

    Args:
        cfg: The base configuration.
        params: The varied parameters (their order is the column order of X).
        outcomes: Summary columns to return.
        replications: Replications per point (common to all points: seeds ``seed + r``).
        seed: Base seed.
        processes: Worker processes for :func:`simteam.run_points`.

    Calling it with a ``(P, D)`` array returns a ``(P, K)`` array of per-point means over the
    replications. The per-replication table of every call is kept in ``self.runs``.
    """

    def __init__(self, cfg: SimConfig, params: Sequence[Parameter], outcomes: Sequence[str],
                 replications: int = 8, seed: int = 0, processes: int = 1):
        self.cfg, self.params, self.outcomes = cfg, list(params), list(outcomes)
        self.replications, self.seed, self.processes = int(replications), int(seed), int(processes)
        self.runs: list[pd.DataFrame] = []

    def points(self, X: np.ndarray) -> dict[str, np.ndarray]:
        """The ``{path: values}`` dict for run_points (integer fields rounded)."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        return {p.path: (np.rint(X[:, j]) if p.integer else X[:, j]) for j, p in enumerate(self.params)}

    def run(self, X: np.ndarray) -> pd.DataFrame:
        """The per-replication summary table of all points (``point`` column indexes rows of X)."""
        from ..sim import run_points

        res = run_points(self.cfg, self.points(X), replications=self.replications, seed=self.seed,
                         processes=self.processes)
        self.runs.append(res.summary)
        return res.summary

    def __call__(self, X: np.ndarray) -> np.ndarray:
        summary = self.run(X)
        means = summary.groupby("point")[self.outcomes].mean()
        return means.to_numpy(dtype=float)


def _as_matrix(Y: np.ndarray, n: int) -> np.ndarray:
    Y = np.asarray(Y, dtype=float)
    if Y.ndim == 1:
        Y = Y[:, None]
    if Y.shape[0] != n:
        raise ValueError(f"the evaluation function returned {Y.shape[0]} rows for {n} points")
    return Y


def morris_analysis(params: Sequence[Parameter], evaluate: Callable[[np.ndarray], np.ndarray],
                    outcomes: Sequence[str] = ("y",), trajectories: int = 20, levels: int = 4, seed: int = 0,
                    conf_level: float = 0.95, resamples: int = 1000):
    """Morris elementary-effects screening (SALib).

    Returns:
        ``(table, X, Y)``: a table with one row per outcome x parameter (``mu``, ``mu_star``,
        ``mu_star_conf``, ``sigma``; mu* and sigma in the outcome's units per full range),
        the design ``X`` (P, D) and outcomes ``Y`` (P, K).
    """
    from SALib.analyze import morris as morris_a
    from SALib.sample import morris as morris_s

    prob = salib_problem(params)
    X = morris_s.sample(prob, int(trajectories), num_levels=int(levels), seed=int(seed))
    Y = _as_matrix(evaluate(X), X.shape[0])
    rows = []
    for k, name in enumerate(outcomes):
        _require_finite(Y[:, k], name)
        r = morris_a.analyze(prob, X, Y[:, k], conf_level=conf_level, num_resamples=int(resamples),
                             num_levels=int(levels), seed=int(seed))
        for j, p in enumerate(params):
            rows.append({"outcome": name, "parameter": p.path, "mu": float(r["mu"][j]),
                         "mu_star": float(r["mu_star"][j]), "mu_star_conf": float(r["mu_star_conf"][j]),
                         "sigma": float(r["sigma"][j])})
    return pd.DataFrame(rows), X, Y


def _require_finite(y: np.ndarray, name: str) -> None:
    """Reject an outcome that is missing (NaN) at some design points."""
    if not np.all(np.isfinite(y)):
        raise ConfigError(f"sensitivity.outcome: {name!r} is missing at some design points (e.g. "
                          f"recovery_weeks without a shock, or a shock never recovered from); choose another "
                          f"outcome")


def sobol_analysis(params: Sequence[Parameter], evaluate: Callable[[np.ndarray], np.ndarray],
                   outcomes: Sequence[str] = ("y",), n: int = 256, second_order: bool = False, seed: int = 0,
                   conf_level: float = 0.95, resamples: int = 1000):
    """Sobol first-order and total indices with Saltelli sampling (SALib).

    Args:
        n: Base sample size (a power of 2); the design has ``n (D + 2)`` points, or
            ``n (2 D + 2)`` with second-order indices.

    Returns:
        ``(table, X, Y)`` with ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (half-widths of the
        bootstrap confidence intervals) per outcome x parameter.
    """
    from SALib.analyze import sobol as sobol_a
    from SALib.sample import sobol as sobol_s

    prob = salib_problem(params)
    X = sobol_s.sample(prob, int(n), calc_second_order=bool(second_order), seed=int(seed))
    Y = _as_matrix(evaluate(X), X.shape[0])
    rows = []
    for k, name in enumerate(outcomes):
        _require_finite(Y[:, k], name)
        # SALib's Sobol analysis reads seed 0 as "no seed" (`if seed:`) and then draws its bootstrap
        # unseeded, so the intervals changed from run to run; its seed is shifted by one to stay fixed
        r = sobol_a.analyze(prob, Y[:, k], calc_second_order=bool(second_order), conf_level=conf_level,
                            num_resamples=int(resamples), seed=int(seed) + 1)
        for j, p in enumerate(params):
            rows.append({"outcome": name, "parameter": p.path, "S1": float(r["S1"][j]),
                         "S1_conf": float(r["S1_conf"][j]), "ST": float(r["ST"][j]),
                         "ST_conf": float(r["ST_conf"][j])})
    return pd.DataFrame(rows), X, Y


def replication_noise(runs: pd.DataFrame, outcomes: Sequence[str], method: str = "") -> pd.DataFrame:
    """How much of the spread of the per-point means is replication noise.

    Points share seeds (common random numbers), so each outcome is decomposed as
    ``y[p, r] = mu[p] + c[r] + e[p, r]``: the seed effect ``c`` shifts every point alike and
    cancels in the indices; only the interaction ``e`` blurs differences between points.
    Columns: the variance of the per-point means over the design, the standard error of a
    point mean without pairing (``se_unpaired``) and net of the shared seed effect
    (``se_crn``), and ``noise_share = se_crn^2 / var_point_means``.
    """
    rows = []
    for name in outcomes:
        y = runs.pivot_table(index="point", columns="replication", values=name, aggfunc="first")
        y = y.to_numpy(dtype=float)
        P, R = y.shape
        means = y.mean(axis=1)
        total = float(means.var(ddof=1)) if P > 1 else np.nan
        se_unp = float(np.sqrt(np.mean(y.var(axis=1, ddof=1) / R))) if R > 1 else np.nan
        resid = y - means[:, None] - y.mean(axis=0)[None, :] + y.mean()
        var_e = float((resid ** 2).sum() / max((P - 1) * (R - 1), 1))
        se_crn = float(np.sqrt(var_e / R)) if R > 1 else np.nan
        rows.append({"method": method, "outcome": name, "points": int(P), "replications": int(R),
                     "var_point_means": total, "se_unpaired": se_unp, "se_crn": se_crn,
                     "noise_share": se_crn ** 2 / total if total and total > 0 else np.nan})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------------
# Plots
# ----------------------------------------------------------------------------------------------
def _short(path: str) -> str:
    return path.split(".")[-1]


def plot_morris(table: pd.DataFrame, outcome: str, title: str = ""):
    """Morris mu*-sigma scatter with mu* confidence bars for one outcome (a matplotlib figure)."""
    t = table[table.outcome == outcome]
    fig = new_figure(figsize=(6.4, 4.8))
    ax = fig.subplots()
    ax.errorbar(t.mu_star, t.sigma, xerr=t.mu_star_conf, fmt="o", ms=5, capsize=3, color="tab:blue")
    for _, r in t.iterrows():
        ax.annotate(_short(r.parameter), (r.mu_star, r.sigma), textcoords="offset points", xytext=(4, 4), fontsize=8)
    lim = max(float(t.mu_star.max() + t.mu_star_conf.max()), float(t.sigma.max()), 1e-12) * 1.1
    ax.plot([0, lim], [0, lim], ls=":", color="grey", lw=1, label="sigma = mu*")
    ax.set_xlim(0, lim)
    ax.set_ylim(0, lim)
    ax.set_xlabel(f"mu* (mean |elementary effect| on {outcome})")
    ax.set_ylabel("sigma (spread of elementary effects)")
    ax.set_title(title or f"Morris screening: {outcome}")
    ax.legend(loc="upper left", fontsize=8)
    return fig


def plot_sobol(table: pd.DataFrame, outcome: str, title: str = ""):
    """Sobol S1 and ST bars with confidence intervals for one outcome (a matplotlib figure)."""
    t = table[table.outcome == outcome].sort_values("ST", ascending=False)
    x = np.arange(len(t))
    fig = new_figure(figsize=(max(6.4, 0.55 * len(t) + 2), 4.8))
    ax = fig.subplots()
    ax.bar(x - 0.2, t.S1, 0.4, yerr=t.S1_conf, capsize=3, label="S1 (first order)", color="tab:blue")
    ax.bar(x + 0.2, t.ST, 0.4, yerr=t.ST_conf, capsize=3, label="ST (total)", color="tab:orange")
    ax.set_xticks(x, [_short(p) for p in t.parameter], rotation=45, ha="right")
    ax.axhline(0, color="black", lw=0.8)
    ax.set_ylabel("Sobol index")
    ax.set_title(title or f"Sobol indices: {outcome}")
    ax.legend(fontsize=8)
    return fig


# ----------------------------------------------------------------------------------------------
# The study and the Hydra task
# ----------------------------------------------------------------------------------------------
def _settings(section: dict | None) -> dict:
    s = load_section(SensitivitySettings, section, "sensitivity")
    n = s.sobol.n
    if n & (n - 1):
        raise ConfigError(f"sensitivity.sobol.n: {n} must be a power of 2 (e.g. 64, 256, 1024)")
    if not 0 < s.conf_level < 1:
        raise ConfigError(f"sensitivity.conf_level: expected a number in (0, 1), got {s.conf_level!r}")
    return to_dict(s)


def run_study(cfg: SimConfig, section: dict | None = None,
              evaluate: Callable[[np.ndarray], np.ndarray] | None = None) -> dict[str, pd.DataFrame]:
    """Run the configured Morris and/or Sobol study.

    Args:
        cfg: Base configuration.
        section: The ``sensitivity:`` settings (defaults in :data:`DEFAULTS`).
        evaluate: Optional evaluation function replacing the model (same code path);
            then ``outcome`` only names its output columns.

    Returns:
        Tables by name: ``morris``, ``sobol``, ``noise`` and the design/outcome tables
        ``morris_samples`` and ``sobol_samples`` (as available).
    """
    s = _settings(section)
    if evaluate is None:
        params = parse_parameters(s["parameters"])
        outcomes = parse_outcomes(s["outcome"])
        for p in params:
            get_path(cfg, p.path)
    else:
        if not isinstance(s["parameters"], dict) or not s["parameters"]:
            raise ConfigError("sensitivity.parameters: expected a mapping of names to [lo, hi]")
        params = [Parameter(str(k), *_bounds(str(k), v, "sensitivity")) for k, v in s["parameters"].items()]
        outcomes = [s["outcome"]] if isinstance(s["outcome"], str) else list(s["outcome"])
    out: dict[str, pd.DataFrame] = {}
    noise = []
    common = {"seed": s["seed"], "conf_level": float(s["conf_level"]), "resamples": s["resamples"]}
    for method in ("morris", "sobol") if s["method"] == "both" else (s["method"],):
        ev = evaluate or SimEvaluator(cfg, params, outcomes, s["replications"], s["seed"], s["processes"])
        if method == "morris":
            table, X, Y = morris_analysis(params, ev, outcomes, trajectories=s["morris"]["trajectories"],
                                          levels=s["morris"]["levels"], **common)
        else:
            table, X, Y = sobol_analysis(params, ev, outcomes, n=s["sobol"]["n"],
                                         second_order=s["sobol"]["second_order"], **common)
        out[method] = table
        samples = pd.DataFrame(X, columns=[p.path for p in params])
        for k, name in enumerate(outcomes):
            samples[name] = Y[:, k]
        out[f"{method}_samples"] = samples
        if isinstance(ev, SimEvaluator):
            noise.append(replication_noise(ev.runs[-1], outcomes, method))
    if noise:
        out["noise"] = pd.concat(noise, ignore_index=True)
    return out


def write_study(tables: dict[str, pd.DataFrame], outdir: pathlib.Path, title: str = "") -> list[pathlib.Path]:
    """Write the study's tables (CSV) and plots (PNG) into ``outdir``; returns the paths."""
    outdir = pathlib.Path(outdir)
    paths = [write_csv(t, outdir / f"{name}.csv") for name, t in tables.items()]
    for method, plot in (("morris", plot_morris), ("sobol", plot_sobol)):
        if method in tables:
            for outcome in tables[method].outcome.unique():
                fig = plot(tables[method], outcome, title=f"{title}{method.title()}: {outcome}" if title else "")
                paths.append(write_figure(fig, outdir / f"{method}_{outcome}.png", bbox_inches="tight"))
    return paths


def format_tables(tables: dict[str, pd.DataFrame]) -> str:
    """A plain-text rendering of the index tables, ranked by importance."""
    parts = []
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.precision", 3):
        if "morris" in tables:
            for o, t in tables["morris"].groupby("outcome", sort=False):
                parts.append(f"Morris screening, outcome {o}:\n"
                             + t.sort_values("mu_star", ascending=False).drop(columns="outcome").to_string(index=False))
        if "sobol" in tables:
            for o, t in tables["sobol"].groupby("outcome", sort=False):
                parts.append(f"Sobol indices, outcome {o}:\n"
                             + t.sort_values("ST", ascending=False).drop(columns="outcome").to_string(index=False))
        if "noise" in tables:
            parts.append("Replication noise:\n" + tables["noise"].to_string(index=False))
    return "\n\n".join(parts)


def run_task(cfg: SimConfig, app: dict, outdir: pathlib.Path) -> None:
    """Hydra task ``sensitivity``: run the study in ``app['sensitivity']`` and write tables and plots.

    Raises:
        ConfigError: For bad settings (unknown parameter path, bounds outside the documented
            range or ``lo >= hi``, unknown outcome column, unknown setting).
    """
    section = (app or {}).get("sensitivity")
    tables = run_study(cfg, section)
    paths = write_study(tables, pathlib.Path(outdir))
    print(format_tables(tables))
    print(f"\nwrote {len(paths)} files to {outdir}")
