"""Calibration by the simulated method of moments (SMM).

Fit chosen parameters ``theta`` (dotted paths of numeric SimConfig fields, with bounds)
so that the model's mean summary statistics ``m(theta)`` match target moments ``t``:

    theta_hat = argmin_theta  g(theta)' W g(theta),   g(theta) = m(theta) - t,

where ``m(theta)`` is the mean over ``R`` replications on the FIXED seeds
``seed .. seed + R - 1`` (common random numbers across evaluations, so the objective is
a deterministic function of theta and differences between candidates are not blurred
by fresh noise), and ``W`` is the inverse variance of ``g``, built from the covariance
``Omega`` of the simulated per-replication moments at the starting point:

* ``efficient`` (default): ``W = (Sigma_targets + Omega / R)^-1``, the efficient SMM
  weighting when the targets carry their own sampling error (band widths, CRM sample
  sizes); with exact targets (se = 0) it reduces to ``simulated``;
* ``simulated``: ``W = (Omega / R)^-1``, the simulated moments' variance only;
* ``diagonal``: the diagonal of the efficient matrix; ``identity``: ``W = I``.

Targets are the midpoints of the published bands of ``calibration-targets.md`` by
default (``targets: bands``; the band is read as a 95% interval, so its half-width / 2 is
the target's standard error), or the user's numbers: a mapping, a YAML file, or a CSV
(long: ``moment,value[,se]``; or wide: one column per moment, one row per observation,
e.g. team-years of a CRM export, giving mean and standard error).

Uncertainty of theta_hat is the SMM sandwich with the Jacobian ``G = dm/dtheta`` taken by
central differences on the same seeds:

    Var(theta_hat) = H G' W S W G H,   H = (G' W G)^-1,   S = Sigma_targets + Omega / R,

i.e. the targets' own sampling error plus the simulation error of ``m`` (Gourieroux &
Monfort 1996; McFadden 1989). With more moments than parameters the J statistic
``g' S^-1 g`` is reported against chi^2(M - D).

The optimiser works in the unit cube of the bounds: ``differential_evolution`` (default;
each generation's population runs as ONE batch through :func:`simteam.run_points`),
optionally polished by Nelder-Mead, or ``nelder_mead`` alone.
"""

from __future__ import annotations

import pathlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..config import ConfigError, SimConfig, get_path, load_section, param, replace_path, to_dict
from ..results import SUMMARY_COLUMNS
from ..io import write_csv, write_figure, write_text
from ..plotting import new_figure
from .sensitivity import Parameter, parse_parameters

__all__ = [
    "BANDS",
    "CalibrationSettings",
    "DEFAULTS",
    "CalibrationResult",
    "MomentSimulator",
    "StyleMomentSimulator",
    "STYLE_MOMENTS",
    "EFFECT_SCALES",
    "Target",
    "identification",
    "calibrate",
    "format_result",
    "load_targets",
    "plot_check",
    "run_task",
]

#: Published target bands (calibration-targets.md): moment -> (low, high).
BANDS = {"turnover_annual": (0.25, 0.40), "quota_share": (0.45, 0.65), "top20_revenue_share": (0.35, 0.60)}

#: Weighting matrices: inverse variance of g with the targets' error (efficient) or without it
#: (simulated), its diagonal (diagonal; variances of both), or none (identity).
WEIGHTINGS = ("efficient", "simulated", "diagonal", "identity")

@dataclass
class CalibrationSettings:
    """The ``calibration:`` section (see ``simteam/conf/experiment/calibrate.yaml``)."""

    parameters: dict = field(default_factory=lambda: {"people": {"quit_base": [0.001, 0.012]},
                                                      "selling": {"quota": [300.0, 1200.0]}},
                             metadata={"doc": "dotted SimConfig paths with bounds [lo, hi]"})
    targets: str | dict | list = param("bands", doc="'bands', a YAML or CSV file of target moments, or a mapping")
    replications: int = param(48, 2, 10_000_000, doc="replications per evaluation (common random numbers)")
    seed: int = param(0, 0, 2**62, doc="base seed")
    method: str = param("differential_evolution", doc="optimiser",
                        choices=("differential_evolution", "nelder_mead"))
    maxiter: int = param(12, 1, 100_000, doc="optimiser iterations")
    popsize: int = param(6, 2, 10_000, doc="differential evolution: population per parameter")
    polish: bool = param(True, doc="polish the optimum with a local search")
    polish_maxfev: int = param(40, 1, 1_000_000, doc="evaluations of the polishing search")
    weighting: str = param("efficient", doc="weighting matrix of the moments", choices=WEIGHTINGS)
    jacobian_step: float = param(0.05, 0.0, 0.5, doc="relative step of the Jacobian (above 0)")
    profile_points: int = param(11, 0, 10_000, doc="points of each objective profile (0: none)")
    processes: int = param(1, 1, 1024, doc="worker processes for the batch")


#: Default settings of the ``calibration:`` section, as plain data.
DEFAULTS: dict[str, Any] = to_dict(CalibrationSettings())


@dataclass
class Target:
    """A target moment.

    Attributes:
        moment: Summary column name.
        value: Target value.
        se: Standard error of the target (0: treated as exact).
        band: Optional (low, high) band the fit should land in.
    """

    moment: str
    value: float
    se: float = 0.0
    band: tuple[float, float] | None = None


def _num(x: Any, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not np.isfinite(float(x)):
        raise ConfigError(f"{name}: expected a finite number, got {x!r}")
    return float(x)


def _check_moment(m: str, where: str) -> None:
    if m not in SUMMARY_COLUMNS:
        raise ConfigError(f"{where}: {m!r} is not a summary column; choose from {', '.join(SUMMARY_COLUMNS)}")


def _from_mapping(d: dict, where: str) -> list[Target]:
    out = []
    for m, v in d.items():
        m = str(m)
        _check_moment(m, f"{where}.{m}")
        if isinstance(v, (list, tuple)):
            if len(v) != 2:
                raise ConfigError(f"{where}.{m}: a band needs [low, high], got {v!r}")
            lo, hi = _num(v[0], f"{where}.{m}[0]"), _num(v[1], f"{where}.{m}[1]")
            if lo >= hi:
                raise ConfigError(f"{where}.{m}: band low {lo:g} must be below high {hi:g}")
            out.append(Target(m, (lo + hi) / 2, (hi - lo) / 4, (lo, hi)))
        elif isinstance(v, dict):
            bad = set(v) - {"value", "se"}
            if bad or "value" not in v:
                raise ConfigError(f"{where}.{m}: expected {{value: .., se: ..}}, got {v!r}")
            se = _num(v.get("se", 0.0), f"{where}.{m}.se")
            if se < 0:
                raise ConfigError(f"{where}.{m}.se: must be >= 0, got {se:g}")
            out.append(Target(m, _num(v["value"], f"{where}.{m}.value"), se))
        else:
            out.append(Target(m, _num(v, f"{where}.{m}")))
    if not out:
        raise ConfigError(f"{where}: name at least one target moment")
    return out


def load_targets(spec: Any, where: str = "calibration.targets") -> list[Target]:
    """Targets from ``"bands"``, a mapping, or a YAML/CSV file path.

    Mapping values: a number (exact target), ``{value, se}``, or a band ``[low, high]``
    (midpoint, se = width / 4). CSV: long ``moment,value[,se]`` or wide (one column per
    moment, one row per observation: mean and standard error of the mean).

    Raises:
        ConfigError: For unknown moments, unreadable files or malformed values.
    """
    if spec is None or spec == "bands":
        return [Target(m, (lo + hi) / 2, (hi - lo) / 4, (lo, hi)) for m, (lo, hi) in BANDS.items()]
    if isinstance(spec, dict):
        return _from_mapping(spec, where)
    if not isinstance(spec, str):
        raise ConfigError(f"{where}: expected 'bands', a mapping of moments or a YAML/CSV path, got {spec!r}")
    path = pathlib.Path(spec)
    if not path.is_file():
        raise ConfigError(f"{where}: file {spec!r} not found (expected 'bands' or a YAML/CSV path)")
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as e:
            raise ConfigError(f"{where}: {spec} is not valid YAML: {str(e).splitlines()[0]}") from None
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: {spec} must hold a mapping of moment: value")
        return _from_mapping(data, f"{where} ({path.name})")
    if path.suffix.lower() == ".csv":
        try:
            df = pd.read_csv(path)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
            raise ConfigError(f"{where}: cannot read {spec}: {str(e).splitlines()[0]}") from None
        if {"moment", "value"} <= set(df.columns):
            out = []
            for i, r in df.iterrows():
                m = str(r["moment"])
                _check_moment(m, f"{where} ({path.name}) row {i + 2} column moment")
                v = _num(r["value"], f"{where} ({path.name}) row {i + 2} column value")
                se = _num(r["se"], f"{where} ({path.name}) row {i + 2} column se") if "se" in df.columns else 0.0
                out.append(Target(m, v, se))
            return out
        cols = [c for c in df.columns if c in SUMMARY_COLUMNS]
        if not cols:
            raise ConfigError(f"{where}: {spec} needs columns moment,value[,se] or columns named after summary "
                              f"outcomes ({', '.join(BANDS)}, ...); found {list(df.columns)}")
        out = []
        for c in cols:
            x = pd.to_numeric(df[c], errors="coerce")
            bad = x.isna() & df[c].notna()
            if bad.any():
                raise ConfigError(f"{where}: {spec} row {int(np.flatnonzero(bad)[0]) + 2} column {c}: "
                                  f"expected a number, got {df[c][bad].iloc[0]!r}")
            x = x.dropna().to_numpy(dtype=float)
            se = float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else 0.0
            out.append(Target(c, float(x.mean()), se))
        return out
    raise ConfigError(f"{where}: {spec!r} must be a .yaml, .yml or .csv file")


class MomentSimulator:
    """Mean moments at many parameter points, on fixed seeds (common random numbers).

    Batchable parameters run every call's points as one batch through
    :func:`simteam.run_points`; structural ones (``team.*``) run one batch per point.
    """

    def __init__(self, cfg: SimConfig, params: Sequence[Parameter], moments: Sequence[str], replications: int,
                 seed: int, processes: int = 1):
        self.cfg, self.params, self.moments = cfg, list(params), list(moments)
        self.R, self.seed, self.processes = int(replications), int(seed), int(processes)
        self.structural = any(p.path.startswith("team.") for p in self.params)
        self.history: list[dict] = []
        self.evaluations = 0

    def theta(self, u: np.ndarray) -> np.ndarray:
        """Map unit-cube points (P, D) to parameter values (integer fields rounded)."""
        lo = np.array([p.lo for p in self.params])
        hi = np.array([p.hi for p in self.params])
        th = lo + np.clip(np.atleast_2d(u), 0.0, 1.0) * (hi - lo)
        for j, p in enumerate(self.params):
            if p.integer:
                th[:, j] = np.rint(th[:, j])
        return th

    def replicate_moments(self, theta: np.ndarray) -> np.ndarray:
        """Per-replication moments, shape (P, R, M)."""
        from ..sim import run, run_points

        theta = np.atleast_2d(np.asarray(theta, dtype=float))
        P = theta.shape[0]
        self.evaluations += P
        if not self.structural:
            pts = {p.path: theta[:, j] for j, p in enumerate(self.params)}
            s = run_points(self.cfg, pts, replications=self.R, seed=self.seed, processes=self.processes).summary
            s = s.sort_values(["point", "replication"])
            return s[self.moments].to_numpy(dtype=float).reshape(P, self.R, len(self.moments))
        out = np.empty((P, self.R, len(self.moments)))
        for i in range(P):
            c = self.cfg
            for j, p in enumerate(self.params):
                c = replace_path(c, p.path, int(theta[i, j]) if p.integer else float(theta[i, j]))
            s = run(c, replications=self.R, seed=self.seed, processes=self.processes).summary
            out[i] = s[self.moments].to_numpy(dtype=float)
        return out

    def mean_moments(self, theta: np.ndarray) -> np.ndarray:
        """Mean over replications, shape (P, M) (NaN-aware)."""
        x = self.replicate_moments(theta)
        with np.errstate(invalid="ignore"):
            return np.nanmean(x, axis=1)


#: Moments of :class:`StyleMomentSimulator`: the default team's three band moments and two contrasts
#: between the named leadership styles (worst / best mean annual turnover; best / worst mean revenue).
STYLE_MOMENTS = ("turnover_annual", "quota_share", "top20_revenue_share", "style_turnover_ratio",
                 "style_revenue_ratio")

#: Groups of effect sizes a joint calibration scales together (pseudo-parameters ``scale.<group>``): each
#: multiplies the config's current values of its fields. ``attitude``: the leader behaviours' effects on the
#: morale and trust targets and the direct fairness term of the quit hazard; ``performance``: their
#: effects on effort and skill growth; ``quit``: the quit hazard's sensitivity to morale and trust.
EFFECT_SCALES = {
    "attitude": ("leadership.inspiration_morale", "leadership.inspiration_trust", "leadership.recognition_morale",
                 "leadership.recognition_top", "leadership.feedback_morale", "leadership.coaching_morale",
                 "leadership.fairness_trust", "leadership.toxic_trust", "leadership.fairness_quit"),
    "performance": ("leadership.communication_effort", "leadership.accountability_effort",
                    "leadership.feedback_skill", "leadership.coaching_skill", "leadership.coaching_strength",
                    "leadership.learning_skill"),
    "quit": ("people.quit_morale", "people.quit_trust"),
}


class StyleMomentSimulator(MomentSimulator):
    """Moments of the default team and of every named leadership style, in one batch per call.

    Each parameter point runs the base config (the default team) and each named style of
    :data:`simteam.leadership.STYLES` (``transformational`` is an alias of ``coaching`` and is left out) on the
    same seeds. Parameters are dotted SimConfig paths or ``scale.<group>`` (:data:`EFFECT_SCALES`), a
    multiplier of a group of effect sizes. Moments: :data:`STYLE_MOMENTS` (or any summary column of the
    default team). The style contrasts are ratios of means over replications; their per-replication values
    are the delta-method linearisation ``R + (a_r - R b_r) / mean(b)`` (``R = mean(a) / mean(b)``, ``a`` and
    ``b`` the worst and best style by mean), whose mean is exactly ``R`` and whose covariance is the
    ratio's first-order covariance, so the SMM weighting and sandwich apply unchanged.
    """

    def __init__(self, cfg: SimConfig, params: Sequence[Parameter], moments: Sequence[str] = STYLE_MOMENTS,
                 replications: int = 32, seed: int = 0, processes: int = 1, styles: Sequence[str] | None = None):
        from ..leadership import STYLES

        super().__init__(cfg, params, moments, replications, seed, processes)
        if self.structural:
            raise ConfigError("calibration.parameters: team.* fields cannot be fitted jointly with the styles; "
                              "fit them with the plain band calibration")
        self.styles = list(styles) if styles is not None else [n for n in STYLES if n != "transformational"]
        unknown = [n for n in self.styles if n not in STYLES]
        if unknown:
            raise ConfigError(f"calibration.styles: {unknown[0]!r} is unknown; choose from {', '.join(STYLES)}")
        self._styles = STYLES
        for p in self.params:
            if p.path.startswith("scale.") and p.path[6:] not in EFFECT_SCALES:
                raise ConfigError(f"calibration.parameters: {p.path!r} is not a scale; choose scale."
                                  f"{', scale.'.join(EFFECT_SCALES)}")
        for m in self.moments:
            if m not in STYLE_MOMENTS and m not in SUMMARY_COLUMNS:
                raise ConfigError(f"calibration.targets: {m!r} is neither a style contrast "
                                  f"({', '.join(STYLE_MOMENTS[3:])}) nor a summary column")

    def points(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        """The run_points overrides for parameter points ``theta`` (P, D): per point, the default team then
        each style (P x (1 + K) points)."""
        theta = np.atleast_2d(np.asarray(theta, dtype=float))
        K1 = 1 + len(self.styles)
        pts: dict[str, np.ndarray] = {}
        for j, p in enumerate(self.params):
            if p.path.startswith("scale."):
                for path in EFFECT_SCALES[p.path[6:]]:
                    base = float(get_path(self.cfg, path))
                    pts[path] = pts.get(path, np.full(theta.shape[0], base)) * theta[:, j]
            else:
                pts[p.path] = theta[:, j].copy()
        pts = {k: np.repeat(v, K1) for k, v in pts.items()}
        beh = [k for k in self._styles["balanced"]]
        for b in beh:
            vals = [float(get_path(self.cfg, f"leadership.{b}"))] + [self._styles[n][b] for n in self.styles]
            pts[f"leadership.{b}"] = np.tile(vals, theta.shape[0])
        return pts

    def style_means(self, theta: np.ndarray, columns: Sequence[str] = ("turnover_annual", "quota_share",
                                                                         "revenue")) -> pd.DataFrame:
        """Mean outcomes of the default team and of each style at parameter point(s) ``theta``."""
        s = self._summary(theta)
        names = ["default", *self.styles]
        K1 = len(names)
        out = s.groupby("point")[list(columns)].mean().reset_index()
        out.insert(0, "style", [names[i % K1] for i in out.point])
        out.insert(0, "parameter_point", out.point // K1)
        return out.drop(columns="point")

    def _summary(self, theta: np.ndarray) -> pd.DataFrame:
        from ..sim import run_points

        theta = np.atleast_2d(np.asarray(theta, dtype=float))
        self.evaluations += theta.shape[0]
        s = run_points(self.cfg, self.points(theta), replications=self.R, seed=self.seed,
                       processes=self.processes).summary
        return s.sort_values(["point", "replication"])

    def replicate_moments(self, theta: np.ndarray) -> np.ndarray:
        """Per-replication moments, shape (P, R, M) (style contrasts linearised, see the class doc)."""
        theta = np.atleast_2d(np.asarray(theta, dtype=float))
        P, R, K1 = theta.shape[0], self.R, 1 + len(self.styles)
        s = self._summary(theta)
        out = np.empty((P, R, len(self.moments)))

        def arr(col):
            return s[col].to_numpy(dtype=float).reshape(P, K1, R)

        for i, m in enumerate(self.moments):
            if m == "style_turnover_ratio" or m == "style_revenue_ratio":
                x = arr("turnover_annual" if m == "style_turnover_ratio" else "revenue")[:, 1:, :]  # (P, K, R)
                mean = np.nanmean(x, axis=2)
                hi = np.take_along_axis(x, np.argmax(mean, axis=1)[:, None, None], axis=1)[:, 0, :]
                lo = np.take_along_axis(x, np.argmin(mean, axis=1)[:, None, None], axis=1)[:, 0, :]
                a, b = np.nanmean(hi, axis=1, keepdims=True), np.nanmean(lo, axis=1, keepdims=True)
                b = np.where(b > 0, b, np.nan)
                ratio = a / b
                out[:, :, i] = ratio + (hi - ratio * lo) / b
            else:
                out[:, :, i] = arr(m)[:, 0, :]
        return out


def identification(G: np.ndarray, params: Sequence[str], moments: Sequence[str], moment_se: np.ndarray,
                   param_scale: np.ndarray, tol: float = 1e-3) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Local identification of parameters by moments from the Jacobian ``G = dm/dtheta`` (M, D).

    The Jacobian is standardised, ``G_s = diag(1/se) G diag(scale)``: each entry is how many standard errors of
    the moment a change of the parameter by ``scale`` (e.g. its plausible range) moves it. A parameter is
    identified when its column of ``G_s`` is not (nearly) a combination of the others: the singular values of
    ``G_s`` (columns normalised) show rank and condition; the parameter's share in the right singular vector of
    the smallest singular value shows which parameters are confounded.

    Returns:
        (standardised Jacobian table, per-parameter table, summary dict with rank, condition number and
        singular values).
    """
    G = np.asarray(G, dtype=float)
    Gs = G / np.asarray(moment_se, dtype=float)[:, None] * np.asarray(param_scale, dtype=float)[None, :]
    jt = pd.DataFrame(Gs, index=list(moments), columns=list(params))
    norms = np.linalg.norm(Gs, axis=0)
    Gn = Gs / np.where(norms > 0, norms, 1.0)
    sv_n = np.linalg.svd(Gn, compute_uv=False)
    _, sv, vt = np.linalg.svd(Gs, full_matrices=False)
    rank = int(np.sum(sv_n > tol * max(sv_n[0], 1e-300)))
    cond = float(sv_n[0] / sv_n[-1]) if sv_n[-1] > 0 else float("inf")
    weak = np.abs(vt[-1])
    # the moment each parameter moves most (in standard errors), and the share of its column the others cannot
    # reproduce (1 - R^2 of a regression on them: 0 = confounded, 1 = orthogonal)
    rows = []
    for j, p in enumerate(params):
        col = Gn[:, j]
        others = np.delete(Gn, j, axis=1)
        if others.shape[1]:
            beta, *_ = np.linalg.lstsq(others, col, rcond=None)
            unique = float(np.sum((col - others @ beta) ** 2) / max(np.sum(col ** 2), 1e-300))
        else:
            unique = 1.0
        k = int(np.argmax(np.abs(Gs[:, j])))
        rows.append({"parameter": p, "pinned_by": moments[k], "max_|dm|/se": float(np.abs(Gs[k, j])),
                     "unique_share": unique, "weak_direction": float(weak[j])})
    pt = pd.DataFrame(rows)
    return jt, pt, {"rank": rank, "parameters": len(params), "condition": cond,
                    "singular_values": sv_n.tolist()}


@dataclass
class CalibrationResult:
    """What :func:`calibrate` returns (tables ready to write)."""

    params: pd.DataFrame
    moments: pd.DataFrame
    objective: float
    j_stat: float
    j_df: int
    j_pvalue: float
    weighting: np.ndarray
    history: pd.DataFrame
    profile: pd.DataFrame
    replicates: np.ndarray  # (R, M) per-replication moments at the fit
    evaluations: int
    method: str
    notes: list[str] = field(default_factory=list)

    @property
    def estimate(self) -> dict[str, float]:
        """Fitted values by parameter path."""
        return dict(zip(self.params.parameter, self.params.estimate))


def _weighting(omega: np.ndarray, target_var: np.ndarray, replications: int, kind: str) -> np.ndarray:
    """W from the variance of g = simulated mean moments - targets (see the module docstring)."""
    M = omega.shape[0]
    if kind == "identity":
        return np.eye(M)
    V = omega / replications
    if kind == "efficient":
        V = V + np.diag(target_var)
    var = np.clip(np.diag(V), 1e-15, None)
    if kind == "diagonal":
        return np.diag(1.0 / (var + np.asarray(target_var)))
    # invert the covariance with a small ridge relative to the variances
    return np.linalg.pinv(V + 1e-6 * np.diag(var))


def _cov(x: np.ndarray) -> np.ndarray:
    """Covariance of (R, M) replicate moments (pairwise-complete)."""
    df = pd.DataFrame(x)
    c = df.cov().to_numpy()
    return np.nan_to_num(c, nan=0.0)


def calibrate(cfg: SimConfig, params: Sequence[Parameter], targets: Sequence[Target], *, replications: int = 48,
              seed: int = 0, method: str = "differential_evolution", maxiter: int = 12, popsize: int = 6,
              polish: bool = True, polish_maxfev: int = 40, weighting: str = "efficient", jacobian_step: float = 0.05,
              profile_points: int = 11, processes: int = 1, start: Sequence[float] | None = None,
              opt_seed: int = 1, simulator: MomentSimulator | None = None) -> CalibrationResult:
    """Fit ``params`` to ``targets`` by the simulated method of moments.

    Args:
        cfg: Base configuration (all other parameters stay at its values).
        params: Parameters with bounds (the search box).
        targets: Target moments.
        replications: Replications per evaluation, on seeds ``seed + r`` (fixed: CRN).
        seed: First seed.
        method: ``differential_evolution`` or ``nelder_mead``.
        maxiter: Generations (DE) or iterations (Nelder-Mead).
        popsize: DE population multiplier (population = popsize x D).
        polish: Polish the DE optimum with Nelder-Mead.
        polish_maxfev: Evaluations allowed for the polish.
        weighting: ``efficient``, ``simulated``, ``diagonal`` or ``identity`` (see the module docstring).
        jacobian_step: Central-difference step as a share of each parameter's range.
        profile_points: Points per parameter in the objective profiles (0: none).
        processes: Worker processes for the batches.
        start: Starting values (default: the middle of the bounds).
        opt_seed: Seed of the optimiser's own randomness (DE population).
        simulator: A :class:`MomentSimulator` (or subclass) to use instead of the default one, e.g. one
            that runs a roster and computes moments of its own from the weekly series; its ``moments``
            must be the targets' moments in order.
    """
    params, targets = list(params), list(targets)
    D, M = len(params), len(targets)
    if D > M:
        raise ConfigError(f"calibration.parameters: {D} parameters cannot be identified from {M} target moments; "
                          f"fit at most {M} parameters or add targets")
    if method not in ("differential_evolution", "nelder_mead"):
        raise ConfigError(f"calibration.method: {method!r} is not allowed; choose differential_evolution or "
                          f"nelder_mead")
    if weighting not in WEIGHTINGS:
        raise ConfigError(f"calibration.weighting: {weighting!r} is not allowed; choose {', '.join(WEIGHTINGS)}")
    moments = [t.moment for t in targets]
    tvec = np.array([t.value for t in targets])
    sim = simulator if simulator is not None else MomentSimulator(cfg, params, moments, replications, seed,
                                                                  processes)
    if list(sim.moments) != moments:
        raise ConfigError(f"calibration: the simulator's moments {sim.moments} differ from the targets' {moments}")
    lo = np.array([p.lo for p in params])
    hi = np.array([p.hi for p in params])
    if start is None:
        u0 = np.full(D, 0.5)
    else:
        u0 = (np.asarray(start, dtype=float) - lo) / (hi - lo)
        if np.any((u0 < 0) | (u0 > 1)):
            raise ConfigError("calibration.start: starting values must lie inside the parameter bounds")
    # first stage: the weighting matrix from the simulated moments' covariance at the start
    rep0 = sim.replicate_moments(sim.theta(u0))[0]
    omega0 = _cov(rep0)
    W = _weighting(omega0, np.array([t.se ** 2 for t in targets]), replications, weighting)
    notes: list[str] = []
    history: list[tuple] = []

    def objective(u: np.ndarray) -> np.ndarray:
        U = np.atleast_2d(u)
        th = sim.theta(U)
        m = sim.mean_moments(th)
        g = m - tvec
        bad = ~np.isfinite(g).all(axis=1)
        g = np.nan_to_num(g, nan=1.0)
        J = np.einsum("pi,ij,pj->p", g, W, g)
        J[bad] = np.inf
        for k in range(th.shape[0]):
            history.append((*th[k], *m[k], J[k]))
        return J

    if method == "differential_evolution":
        res = optimize.differential_evolution(
            lambda x: objective(x.T), bounds=[(0.0, 1.0)] * D, vectorized=True, updating="deferred",
            popsize=int(popsize), maxiter=int(maxiter), seed=int(opt_seed), polish=False, init="sobol", tol=1e-6,
            x0=u0)
        u_best = res.x
        if polish:
            nm = optimize.minimize(lambda x: objective(x)[0], u_best, method="Nelder-Mead",
                                   bounds=[(0.0, 1.0)] * D,
                                   options={"maxfev": int(polish_maxfev), "xatol": 1e-3, "fatol": 1e-6,
                                            "initial_simplex": _simplex(u_best, 0.05)})
            if nm.fun <= res.fun:
                u_best = nm.x
    else:
        nm = optimize.minimize(lambda x: objective(x)[0], u0, method="Nelder-Mead", bounds=[(0.0, 1.0)] * D,
                               options={"maxiter": int(maxiter), "maxfev": int(maxiter) * (D + 1) * 2,
                                        "xatol": 1e-3, "fatol": 1e-6, "initial_simplex": _simplex(u0, 0.25)})
        u_best = nm.x
    theta_hat = sim.theta(u_best)[0]
    # moments, covariance and Jacobian at the fit, in one batch on the same seeds
    h = jacobian_step * (hi - lo)
    up = np.minimum(theta_hat + h, hi)
    dn = np.maximum(theta_hat - h, lo)
    pts = [theta_hat]
    for j in range(D):
        a, b = theta_hat.copy(), theta_hat.copy()
        a[j], b[j] = up[j], dn[j]
        pts += [a, b]
    reps = sim.replicate_moments(np.array(pts))
    with np.errstate(invalid="ignore"):
        means = np.nanmean(reps, axis=1)
    rep_hat = reps[0]
    m_hat = means[0]
    G = np.empty((M, D))
    for j in range(D):
        G[:, j] = (means[1 + 2 * j] - means[2 + 2 * j]) / max(up[j] - dn[j], 1e-300)
    omega = _cov(rep_hat)
    n_ok = np.sum(np.isfinite(rep_hat), axis=0).clip(min=1)
    sim_se = np.sqrt(np.diag(omega) / n_ok)
    S = np.diag([t.se ** 2 for t in targets]) + omega / replications
    GWG = G.T @ W @ G
    if np.linalg.matrix_rank(GWG) < D:
        notes.append("the Jacobian is rank deficient: some parameters do not move the targeted moments "
                     "within the step; their standard errors are not identified")
        cov = np.full((D, D), np.nan)
    else:
        H = np.linalg.inv(GWG)
        cov = H @ G.T @ W @ S @ W @ G @ H
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    z = stats.norm.ppf(0.975)
    g = m_hat - tvec
    J = float(g @ W @ g)
    dof = M - D
    try:
        j_stat = float(g @ np.linalg.solve(S, g))
    except np.linalg.LinAlgError:
        j_stat = float("nan")
    j_p = float(stats.chi2.sf(j_stat, dof)) if dof > 0 and np.isfinite(j_stat) else float("nan")
    at_bound = (np.isclose(theta_hat, lo, rtol=0, atol=1e-3 * (hi - lo))
                | np.isclose(theta_hat, hi, rtol=0, atol=1e-3 * (hi - lo)))
    for j in np.flatnonzero(at_bound):
        notes.append(f"{params[j].path} is at a bound of its search box: widen the bounds")
    ptab = pd.DataFrame({
        "parameter": [p.path for p in params], "estimate": theta_hat, "se": se,
        "ci_low": theta_hat - z * se, "ci_high": theta_hat + z * se, "lo": lo, "hi": hi,
        "start": sim.theta(u0)[0], "at_bound": at_bound})
    total_se = np.sqrt(np.array([t.se ** 2 for t in targets]) + sim_se ** 2)
    mtab = pd.DataFrame({
        "moment": moments, "target": tvec, "target_se": [t.se for t in targets],
        "band_low": [t.band[0] if t.band else np.nan for t in targets],
        "band_high": [t.band[1] if t.band else np.nan for t in targets],
        "simulated": m_hat, "simulated_se": sim_se, "difference": g,
        "z": np.where(total_se > 0, g / np.where(total_se > 0, total_se, 1), np.nan),
        "in_band": [bool(t.band[0] <= v <= t.band[1]) if t.band else None for t, v in zip(targets, m_hat)],
        "weight": np.diag(W)})
    for j, p in enumerate(params):
        mtab[f"d/d {p.path}"] = G[:, j]
    hist = pd.DataFrame(history, columns=[p.path for p in params] + [f"sim_{m}" for m in moments] + ["objective"])
    hist.insert(0, "evaluation", np.arange(len(hist)))
    profile = _profile(sim, theta_hat, params, tvec, W, profile_points) if profile_points else pd.DataFrame()
    return CalibrationResult(ptab, mtab, J, j_stat, dof, j_p, W, hist, profile, rep_hat, sim.evaluations,
                             method, notes)


def _simplex(u: np.ndarray, step: float) -> np.ndarray:
    D = u.size
    pts = [u.copy()]
    for j in range(D):
        v = u.copy()
        v[j] = v[j] + step if v[j] + step <= 1 else v[j] - step
        pts.append(v)
    return np.array(pts)


def _profile(sim: MomentSimulator, theta_hat, params, tvec, W, k: int) -> pd.DataFrame:
    """Objective along each parameter through the fit, others held at the fit (one batch)."""
    rows, pts = [], []
    for j, p in enumerate(params):
        for x in np.linspace(p.lo, p.hi, int(k)):
            th = theta_hat.copy()
            th[j] = x
            pts.append(th)
            rows.append((p.path, x))
    m = sim.mean_moments(np.array(pts))
    g = np.nan_to_num(m - tvec, nan=1.0)
    J = np.einsum("pi,ij,pj->p", g, W, g)
    df = pd.DataFrame(rows, columns=["parameter", "value"])
    df["objective"] = J
    for i, name in enumerate(sim.moments):
        df[f"sim_{name}"] = m[:, i]
    return df


def plot_check(result: CalibrationResult, title: str = "Calibration check"):
    """Targets (bands, +-2 se) against the fitted model's moments, and objective profiles."""
    mt = result.moments
    D = len(result.params)
    fig = new_figure(figsize=(5.0 + 3.6 * D, 4.2))
    axes = fig.subplots(1, 1 + D, squeeze=False)
    ax = axes[0, 0]
    x = np.arange(len(mt))
    reps = result.replicates
    parts = ax.violinplot([r[np.isfinite(r)] for r in reps.T], positions=x, widths=0.7, showextrema=False)
    for b in parts["bodies"]:
        b.set_alpha(0.25)
    for i, r in mt.iterrows():
        if np.isfinite(r.band_low):
            ax.fill_between([i - 0.38, i + 0.38], r.band_low, r.band_high, color="tab:green", alpha=0.2,
                            label="target band" if i == 0 else None)
        ax.errorbar(i - 0.12, r.target, yerr=2 * r.target_se, fmt="s", color="tab:green", capsize=4,
                    label="target +- 2 se" if i == 0 else None)
        ax.errorbar(i + 0.12, r.simulated, yerr=2 * r.simulated_se, fmt="o", color="tab:blue", capsize=4,
                    label="fitted model mean +- 2 se" if i == 0 else None)
    ax.set_xticks(x, mt.moment, rotation=15)
    ax.set_ylabel("value (violins: replications at the fit)")
    ax.set_title(title)
    ax.legend(fontsize=7, loc="best")
    for j, (_, p) in enumerate(result.params.iterrows()):
        a = axes[0, 1 + j]
        pr = result.profile[result.profile.parameter == p.parameter] if not result.profile.empty else None
        if pr is not None and len(pr):
            a.plot(pr.value, pr.objective, "o-", ms=3)
        a.axvline(p.estimate, color="tab:red", lw=1, label="estimate")
        if np.isfinite(p.se):
            a.axvspan(p.ci_low, p.ci_high, color="tab:red", alpha=0.12, label="95% CI")
        a.set_yscale("log")
        a.set_xlabel(p.parameter)
        a.set_ylabel("objective g'Wg")
        a.legend(fontsize=7)
    fig.tight_layout()
    return fig


def format_result(r: CalibrationResult) -> str:
    """Plain-text report of a fit."""
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.precision", 4):
        ptxt = r.params.drop(columns=["at_bound"]).to_string(index=False)
        cols = ["moment", "target", "target_se", "simulated", "simulated_se", "difference", "z", "in_band"]
        mtxt = r.moments[cols].to_string(index=False)
    lines = [f"SMM fit ({r.method}, {r.evaluations} parameter points evaluated): objective g'Wg = {r.objective:.4g}",
             "", "Fitted parameters (95% CI from the sandwich: targets' se + simulation noise):", ptxt, "",
             "Moments at the fit:", mtxt]
    if r.j_df > 0:
        lines += ["", (f"J test of the {r.j_df} over-identifying restriction(s): J = {r.j_stat:.3f}, "
                      f"p = {r.j_pvalue:.3f}")]
    lines += [f"note: {n}" for n in r.notes]
    return "\n".join(lines)


def _settings(section: dict | None) -> dict:
    s = load_section(CalibrationSettings, section, "calibration")
    if not s.jacobian_step > 0:
        raise ConfigError(f"calibration.jacobian_step: expected a number in (0, 0.5], got {s.jacobian_step!r}")
    return to_dict(s)


def write_result(r: CalibrationResult, outdir: pathlib.Path) -> list[pathlib.Path]:
    """Write the fit's tables, a report, the fitted overrides and the check plot."""
    import yaml

    outdir = pathlib.Path(outdir)
    paths = [write_csv(r.params, outdir / "calibration_params.csv"),
             write_csv(r.moments, outdir / "calibration_moments.csv"),
             write_csv(r.history, outdir / "calibration_history.csv")]
    if not r.profile.empty:
        paths.append(write_csv(r.profile, outdir / "calibration_profile.csv"))
    fitted = {p: (int(v) if float(v).is_integer() and p.endswith("weeks") else float(v)) for p, v in r.estimate.items()}
    paths.append(write_text(yaml.safe_dump(fitted, sort_keys=False), outdir / "fitted_overrides.yaml"))
    paths.append(write_text(format_result(r) + "\n", outdir / "calibration.txt"))
    paths.append(write_figure(plot_check(r), outdir / "calibration_check.png", bbox_inches="tight"))
    return paths


def run_task(cfg: SimConfig, app: dict, outdir: pathlib.Path) -> None:
    """Hydra task ``calibrate``: fit ``app['calibration']`` and write the report.

    Raises:
        ConfigError: For bad settings (unknown parameter path, bounds outside the documented
            range or ``lo >= hi``, unknown target moment, unreadable target file).
    """
    s = _settings((app or {}).get("calibration"))
    params = parse_parameters(s["parameters"], section="calibration", allow_structural=True)
    for p in params:
        get_path(cfg, p.path)
    targets = load_targets(s["targets"])
    r = calibrate(cfg, params, targets, replications=s["replications"], seed=s["seed"], method=s["method"],
                  maxiter=s["maxiter"], popsize=s["popsize"], polish=s["polish"], polish_maxfev=s["polish_maxfev"],
                  weighting=s["weighting"], jacobian_step=float(s["jacobian_step"]),
                  profile_points=s["profile_points"], processes=s["processes"])
    paths = write_result(r, pathlib.Path(outdir))
    print(format_result(r))
    print(f"\nwrote {len(paths)} files to {outdir}")
