"""The ``simteam`` command: a Hydra 1.3 app over ``simteam/conf/config.yaml`` (the only module importing Hydra).

Hydra composes the config from ``conf/`` and the command line. The keys of
:class:`simteam.config.SimConfig` are converted with :func:`simteam.config.from_dict`,
which rejects unknown keys and out-of-range values, before anything runs; every
other top-level key (``task``, ``baseline``, ``output``, ``scenario``, ``sensitivity``,
``calibration``, ``validation`` ...) is an "app" key handed to the task as a plain dict.

Tasks are looked up by name in :data:`TASKS` (``"module:function"``, imported lazily) and
called as ``run_task(cfg: SimConfig, app: dict, outdir: pathlib.Path) -> None``.

Bad input (a wrong type, a value out of range, an unknown key, an unknown group option,
a shock past the horizon, a missing file) prints ``error: <message>`` to stderr and
exits with status 2, without a traceback and without leaving outputs behind.

Examples::

    simteam                                            # the default study
    simteam leadership=coaching market=sudden_stop replications=500
    simteam -m leadership=coaching,command_and_control crisis=hold_steady,cut_and_push
    simteam -m experiment=leadership_recession hydra/launcher=joblib
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hydra
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.config_store import ConfigStore
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, ListConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from ..fmt import PERCENT_METRICS, fmt_metric, fmt_number
from ..config import ConfigError, SimConfig, did_you_mean, from_dict, load_section, param, to_dict

__all__ = [
    "APP_KEYS",
    "CONF_DIR",
    "SIM_KEYS",
    "TASKS",
    "ValidateCallback",
    "expand_sweep",
    "job_name",
    "main",
    "resolve_task",
    "run_study",
    "split_config",
    "validate_jobs",
]

log = logging.getLogger("simteam")

#: Folder of the Hydra configs (``conf/`` next to the package; ``SIMTEAM_CONF_DIR`` overrides it).
CONF_DIR = Path(os.environ.get("SIMTEAM_CONF_DIR") or Path(__file__).resolve().parent.parent / "conf")

#: Top-level keys that belong to :class:`simteam.config.SimConfig`.
SIM_KEYS = tuple(f.name for f in dataclasses.fields(SimConfig))

#: Task name -> "module:function", resolved lazily so that missing optional modules only
#: matter when their task is asked for.
TASKS: dict[str, str] = {
    "run": "simteam.cli:run_study",
    "plan": "simteam.planning:run_task",
    "sensitivity": "simteam.research.sensitivity:run_task",
    "calibrate": "simteam.research.calibration:run_task",
    "validate": "simteam.research.validation:run_task",
}

#: Top-level keys that are not SimConfig fields but mean something to a task (any other key is rejected,
#: with a "did you mean": ``+replication=2`` must not run the default 200 replications).
APP_KEYS = ("task", "baseline", "output", "scenario", "sensitivity", "calibration", "validation",
            "sensitivity_replications", "uncertainty")

_TIMESERIES = ("parquet", "csv", "both", "none")

#: Files the run task writes into its folder (checked before the run starts).
RUN_FILES = ("config.yaml", "timeseries.parquet", "timeseries.csv", "describe.csv", "revenue.png",
             "morale_trust.png", "headcount.png", "run.json", "summary.csv", "uncertainty.csv")


@dataclass
class OutputSettings:
    """The ``output:`` section of the run task (see ``simteam/conf/config.yaml``)."""

    timeseries: str = param("parquet", doc="weekly table format", choices=_TIMESERIES)
    figures: bool = param(True, doc="write PNG figures")
    progress: str | bool = param("auto", doc="progress bar: auto (on a terminal, single runs), true or false")
    summary: bool = param(True, doc="print the summary table")
_MAIN_METRICS = ("revenue", "turnover_annual", "quota_share", "top20_revenue_share", "morale_final",
                 "trust_final", "recovery_weeks")


# ----------------------------------------------------------------------------------------------
# Config store: structured schema, validating sweeper, job-name resolver
# ----------------------------------------------------------------------------------------------
def _schema() -> dict:
    """The root schema: untyped root (app keys may be added) with typed SimConfig sections."""
    proto = SimConfig()
    node: dict[str, Any] = {}
    for f in dataclasses.fields(SimConfig):
        value = getattr(proto, f.name)
        if dataclasses.is_dataclass(value):
            node[f.name] = type(value)
        elif f.name == "events":
            node[f.name] = OmegaConf.structured(SimConfig).events
        else:
            node[f.name] = value
    return node


def job_name(num: Any, override_dirname: Any, max_len: int = 120) -> str:
    """Readable sweep sub-folder name: ``<job number>_<overrides>``, safe as one path component.

    Example:
        >>> job_name(3, "crisis=cut_and_push,leadership=coaching")
        '3_crisis=cut_and_push,leadership=coaching'
    """
    text = re.sub(r"[^A-Za-z0-9=,._+@-]+", "_", str(override_dirname or "")).strip("_")
    name = f"{num}_{text}" if text else str(num)
    return name[:max_len]


def preset(kind: str, name: str, key: str) -> Any:
    """Resolver ``${simteam_preset:style,<name>,<behaviour>}`` / ``${simteam_preset:market,<name>,<field>}``.

    Leadership styles and market shocks are defined once, in :data:`simteam.leadership.STYLES` and
    :data:`simteam.market.PRESETS`; the files in ``simteam/conf/leadership`` and ``simteam/conf/market`` point at them.
    Shock fields a preset does not set take the :class:`simteam.config.Shock` default.
    """
    from ..config import Shock
    from ..leadership import STYLES
    from ..market import PRESETS

    table = {"style": STYLES, "market": PRESETS}.get(kind)
    if table is None or name not in table:
        raise ConfigError(f"simteam_preset: unknown {kind} preset {name!r}")
    if key in table[name]:
        return table[name][key]
    if kind == "market" and hasattr(Shock(), key):
        return getattr(Shock(), key)
    raise ConfigError(f"simteam_preset: {kind} preset {name!r} has no value {key!r}")


def register_configs() -> None:
    """Register the schema and the ``simteam_jobname`` and ``simteam_preset`` resolvers (idempotent)."""
    cs = ConfigStore.instance()
    cs.store(name="simteam_schema", node=_schema())
    if not OmegaConf.has_resolver("simteam_jobname"):
        OmegaConf.register_new_resolver("simteam_jobname", job_name)
    if not OmegaConf.has_resolver("simteam_preset"):
        OmegaConf.register_new_resolver("simteam_preset", preset)


# ----------------------------------------------------------------------------------------------
# Config conversion and task lookup
# ----------------------------------------------------------------------------------------------
def _plain(cfg: DictConfig) -> dict:
    """The config without the ``hydra`` node as plain, resolved containers."""
    data: dict[str, Any] = {}
    for key in cfg:
        if key == "hydra":
            continue
        node = cfg._get_node(key)
        try:
            if isinstance(node, (DictConfig, ListConfig)):
                data[str(key)] = OmegaConf.to_container(node, resolve=True, throw_on_missing=True)
            else:
                data[str(key)] = cfg[key]
        except OmegaConfBaseException as ex:
            where = getattr(ex, "full_key", None) or key
            raise ConfigError(f"{where}: {_first_line(ex)}") from None
    return data


def split_config(cfg: DictConfig | dict) -> tuple[SimConfig, dict]:
    """Split a composed config into a validated :class:`SimConfig` and the plain dict of app keys.

    Raises:
        ConfigError: naming the offending field (unknown key, wrong type, out of range,
            an unresolvable interpolation).
    """
    data = _plain(cfg) if isinstance(cfg, DictConfig) else {k: v for k, v in dict(cfg).items() if k != "hydra"}
    sim = from_dict({k: data.pop(k) for k in SIM_KEYS if k in data})
    for k in data:
        if k not in APP_KEYS and not str(k).startswith("_"):
            hint = did_you_mean(str(k), [*SIM_KEYS, *APP_KEYS])
            raise ConfigError(f"{k}: unknown key{hint or '.'} Allowed top-level keys: "
                              f"{', '.join([*SIM_KEYS, *APP_KEYS])}")
    return sim, data


def resolve_task(name: Any) -> Callable:
    """The task function registered as ``name`` in :data:`TASKS`.

    Raises:
        ConfigError: for an unknown task, or one whose module is not available yet.
    """
    if not isinstance(name, str) or name not in TASKS:
        raise ConfigError(f"task: {name!r} is unknown; choose one of {', '.join(TASKS)}")
    module, func = TASKS[name].split(":")
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as ex:
        if ex.name and (module == ex.name or module.startswith(ex.name + ".")):
            raise ConfigError(f"task: {name!r} needs the module {module}, which this version of simteam "
                              f"does not include yet") from None
        raise ConfigError(f"task: {name!r} needs the package {ex.name!r}, which is not installed "
                          f"(pip install 'simteam[all]')") from None
    fn = getattr(mod, func, None)
    if fn is None:
        raise ConfigError(f"task: {name!r}: {module} has no function {func}()")
    return fn


# ----------------------------------------------------------------------------------------------
# The default study
# ----------------------------------------------------------------------------------------------
def _fmt(metric: str, x: float) -> str:
    if metric in PERCENT_METRICS:
        return fmt_metric(metric, x)
    return fmt_number(x, 0 if metric in ("revenue", "deals", "revenue_per_seat_year")
                      else 3 if metric.endswith("_final") else 1)


def format_summary(desc, header: str = "") -> str:
    """A short readable table of ``Results.describe()``: mean and 95% interval per metric."""
    from ..results import SUMMARY_COLUMNS

    lines = [header] if header else []
    lines.append(f"  {'metric':<22}{'mean':>10}   95% interval")
    for row in desc.itertuples(index=False):
        lo, hi = _fmt(row.metric, row.ci_low), _fmt(row.metric, row.ci_high)
        unit = " (k$)" if row.metric == "revenue" else ""
        note = f"  n={row.n}" if row.metric == "recovery_weeks" else ""
        lines.append(f"  {row.metric + unit:<22}{_fmt(row.metric, row.mean):>10}   [{lo}, {hi}]{note}")
    if "recovery_weeks" in set(desc.metric):
        lines.append(f"  (recovery_weeks: {SUMMARY_COLUMNS['recovery_weeks']})")
    return "\n".join(lines)


def _figures(res, out) -> None:
    """Main series with quantile bands, morale and trust, headcount and quits (from Results.reduce())."""
    from ..plotting import new_figure

    red = res.reduce()
    w = red["week"].to_numpy()

    def band(ax, name, label, color=None):
        line, = ax.plot(w, red[f"{name}_q50"], lw=1.6, color=color, label=f"{label} (median)")
        ax.fill_between(w, red[f"{name}_q10"], red[f"{name}_q90"], color=line.get_color(), alpha=0.25, lw=0,
                        label=f"{label} 10-90%")

    import numpy as np
    import pandas as pd

    fig = new_figure(figsize=(7, 3.6))
    ax = fig.subplots()
    rev = pd.DataFrame(res.series["revenue"]).rolling(13, min_periods=1).mean().to_numpy()
    lo, med, hi = np.nanquantile(rev, [0.1, 0.5, 0.9], axis=1)
    ax.plot(w, med, lw=1.6, label="13-week mean revenue (median)")
    ax.fill_between(w, lo, hi, alpha=0.25, lw=0, label="10-90% of replications")
    ax.plot(w, red["revenue_q50"], lw=0.6, color="0.4", label="weekly revenue (median)")
    if "crisis_mean" in red and red["crisis_mean"].max() > 0:
        ax2 = ax.twinx()
        ax2.plot(w, red["crisis_mean"], color="tab:red", lw=1, alpha=0.7)
        ax2.set_ylabel("share of demand lost to shocks", color="tab:red")
    ax.set(xlabel="week", ylabel="weekly revenue (k$)", title=f"Revenue, {res.n} replications")
    ax.legend(loc="lower left", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    out.write("png", fig, "revenue.png")

    fig = new_figure(figsize=(7, 3.6))
    ax = fig.subplots()
    band(ax, "morale", "morale", "tab:blue")
    band(ax, "trust", "trust", "tab:green")
    ax.set(xlabel="week", ylabel="mean over reps", title="Morale and trust in the leader", ylim=(0, 1))
    ax.legend(loc="lower left", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    out.write("png", fig, "morale_trust.png")

    fig = new_figure(figsize=(7, 3.6))
    ax = fig.subplots()
    ax.plot(w, red["headcount_mean"], color="tab:purple", lw=1.6, label="headcount (mean)")
    ax.fill_between(w, red["headcount_q10"], red["headcount_q90"], color="tab:purple", alpha=0.15, lw=0,
                    label="headcount 10-90%")
    seats = res.config.team.n_teams * res.config.team.team_size
    ax.set(xlabel="week", ylabel="filled seats", title=f"Headcount ({seats} seats) and quits",
           ylim=(max(0.0, float(red["headcount_q10"].min()) - 1), seats + 0.5))
    ax.grid(alpha=0.3)
    ax2 = ax.twinx()
    cum = res.series["quits"].cumsum(axis=0).mean(axis=1)
    ax2.plot(w, cum, color="tab:orange", lw=1.2, label="cumulative quits (mean)")
    ax2.set_ylabel("cumulative quits", color="tab:orange")
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    out.write("png", fig, "headcount.png")


def format_uncertainty(split, unc) -> str:
    """The luck vs assumptions lines of a run with parameter uncertainty (``uncertainty=<table>``)."""
    r0 = split.iloc[0]
    lines = [f"how sure: {int(r0.K)} parameter draws ({len(unc.ranges)} uncertain parameters, table "
             f"{unc.name or 'given'}) x {int(r0.R)} replications; 95% ranges",
             f"  {'metric':<18} {'mean':>10}  {'luck alone':>23}  {'effect sizes':>23}  {'share from effect sizes':>23}"]
    for _, r in split.iterrows():
        lines.append(f"  {r.metric:<18} {_fmt(r.metric, r['mean']):>10}  "
                     f"{_fmt(r.metric, r.luck_lo) + ' - ' + _fmt(r.metric, r.luck_hi):>23}  "
                     f"{_fmt(r.metric, r.assumptions_lo) + ' - ' + _fmt(r.metric, r.assumptions_hi):>23}  "
                     f"{fmt_number(r.share_assumptions, 0, percent=True):>23}")
    return "\n".join(lines)


def run_study(cfg: SimConfig, app: dict, outdir: Path) -> None:
    """The default task: run ``cfg.replications`` replications and write the run folder.

    Writes ``config.yaml`` (clean resolved config), ``summary.csv`` (one row per replication),
    ``timeseries.parquet``/``.csv`` (one row per replication and week), ``describe.csv``
    (means with 95% intervals), PNG figures and ``run.json`` (version, git commit, seeds,
    command line), all atomically; ``summary.csv`` is moved into place last.
    """
    from ..io import Staged, run_metadata
    from ..sim import run

    if app.get("scenario"):
        print("note: a scenario is only used by the planning task; add experiment=plan to compare its "
              "alternatives (running the plain study now)", file=sys.stderr)
    opts = to_dict(load_section(OutputSettings, app.get("output"), "output"))
    ts_fmt = opts["timeseries"]
    progress = opts["progress"]
    if progress not in ("auto", True, False):
        raise ConfigError(f"output.progress: {progress!r} is not allowed; choose auto, true or false")
    info = app.get("_hydra") or {}
    if progress == "auto":
        progress = info.get("mode", "RUN") == "RUN" and sys.stderr.isatty()
    check_outputs(outdir, RUN_FILES)

    t0 = time.perf_counter()
    unc = app.get("uncertainty") or None  # uncertainty=evidence: K parameter draws x R replications
    if isinstance(unc, dict) and "name" not in unc:
        unc = {**unc, "name": (info.get("choices") or {}).get("uncertainty") or ""}
    res = run(cfg, progress=bool(progress), uncertainty=unc)
    elapsed = time.perf_counter() - t0
    desc = res.describe()
    split = res.uncertainty_summary() if unc else None

    with Staged(outdir) as out:
        app_clean = {k: v for k, v in app.items() if not k.startswith("_")}
        out.write("yaml", {**to_dict(cfg), **app_clean}, "config.yaml")
        if ts_fmt in ("parquet", "both"):
            out.write("parquet", res.timeseries, "timeseries.parquet")
        if ts_fmt in ("csv", "both"):
            out.write("csv", res.timeseries, "timeseries.csv")
        out.write("csv", desc, "describe.csv")
        if split is not None:
            out.write("csv", split, "uncertainty.csv")
        if opts.get("figures", True):
            _figures(res, out)
        meta = run_metadata(
            task=app.get("task", "run"), seed=cfg.seed, replications=cfg.replications,
            seeds=[int(cfg.seed), int(cfg.seed + cfg.replications - 1)], weeks=cfg.weeks,
            overrides=info.get("overrides", []), choices=info.get("choices", {}), job=info.get("job"),
            elapsed_s=round(elapsed, 3), manifest="manifest.json")
        out.write("json", meta, "run.json")
        out.write("csv", res.summary, "summary.csv")
        out.commit(last=("summary.csv",), manifest=True)

    if opts.get("summary", True):
        ch = info.get("choices", {})
        seats, teams = cfg.team.n_teams * cfg.team.team_size, cfg.team.n_teams
        if cfg.team.roster:  # the roster decides the seats and teams, not team.team_size/n_teams
            from ..roster import load_roster

            ros = load_roster(cfg.team.roster)
            seats, teams = len(ros.team_index), len(ros.team_names) or 1
        team = f"{seats} reps ({teams} team{'s' * (teams > 1)})"
        head = (f"simteam: {cfg.replications} replications x {cfg.weeks} weeks, {team}, "
                f"market={ch.get('market', '?')}, leadership={cfg.leadership.style}, "
                f"crisis={cfg.crisis.strategy}, change={ch.get('change', '?')}  [{elapsed:.1f} s]")
        if info.get("mode") == "MULTIRUN":
            m, lo, hi = res.mean_ci("revenue")
            print(f"[job {info.get('job')}] revenue {fmt_number(m, 0)} [{fmt_number(lo, 0)}, {fmt_number(hi, 0)}] k$  "
                  f"-> {outdir}")
        else:
            print(format_summary(desc, head))
            if split is not None:
                print(format_uncertainty(split, res.uncertainty))
            print(f"outputs: {outdir}")


# ----------------------------------------------------------------------------------------------
# The Hydra task function
# ----------------------------------------------------------------------------------------------
def _hydra_info() -> dict:
    hc = HydraConfig.get()
    return {
        "mode": "MULTIRUN" if hc.mode == RunMode.MULTIRUN else "RUN",
        "overrides": [str(o) for o in OmegaConf.to_container(hc.overrides.task, resolve=False)],  # as typed
        "choices": {k: v for k, v in OmegaConf.to_container(hc.runtime.choices).items()
                    if not k.startswith("hydra/")},
        "job": f"{hc.job.num}" if hc.mode == RunMode.MULTIRUN else hc.job.name,
        "output_dir": hc.runtime.output_dir,
        # the folders configs come from, in Hydra's search order (the package's conf/, then hydra.searchpath)
        "config_dirs": [str(src.path) for src in hc.runtime.config_sources if src.schema == "file"],
    }


def _cleanup_failed_run(outdir: Path, job_name_: str) -> None:
    """Remove what Hydra wrote for a single run that failed before producing anything."""
    hydra_dir = outdir / ".hydra"
    for name in ("config.yaml", "hydra.yaml", "overrides.yaml"):
        (hydra_dir / name).unlink(missing_ok=True)
    (outdir / f"{job_name_}.log").unlink(missing_ok=True)
    for d in (hydra_dir, outdir, outdir.parent, outdir.parent.parent):
        try:
            d.rmdir()  # only removes empty folders
        except OSError:
            break


def check_outputs(outdir: Path, names) -> None:
    """Before a run: the folder is a writable folder and no folder stands where a result file goes.

    Raises:
        ConfigError: naming the path and what is in the way (nothing has been written).
    """
    from ..io import check_writable

    check_writable(outdir, names)


_FAILED: list[BaseException] = []
_SWEEP: dict[str, Any] = {}


def _bad_input(ex: BaseException) -> bool:
    from ..errors import is_user_error

    return is_user_error(ex)


def _task(cfg: DictConfig) -> None:
    """The ``@hydra.main`` task: validate, dispatch, clean up on failure."""
    info = _hydra_info()
    outdir = Path(info["output_dir"])
    try:
        sim, app = split_config(cfg)
        fn = resolve_task(app.get("task", "run"))
        if info["mode"] == "RUN" and app.get("baseline") not in (None, ""):
            raise ConfigError(f"baseline: {app['baseline']!r} names the baseline jobs of a sweep (-m); a single run "
                              f"has nothing to compare; sweep with -m (e.g. -m leadership=balanced,coaching "
                              f"baseline=leadership=balanced) or drop baseline")
        app["_hydra"] = info
        fn(sim, app, outdir)
    except BaseException as ex:
        if info["mode"] == "RUN":
            if not any(p.name not in (".hydra", f"{HydraConfig.get().job.name}.log") for p in outdir.iterdir()):
                _cleanup_failed_run(outdir, HydraConfig.get().job.name)
            if _bad_input(ex):
                # reported by main() as one line; returning keeps Hydra from printing its own notice
                _FAILED.append(ex)
                return
        else:
            from ..errors import message
            from ..io import write_text

            write_text(f"{type(ex).__name__}: {ex}\n", outdir / "error.txt")
            if _bad_input(ex):  # the other jobs go on; main() reports the first bad job in one line
                _FAILED.append(ConfigError(f"{message(ex)} (sweep job #{info['job']}; see {outdir / 'error.txt'})"))
                return
        raise


# ----------------------------------------------------------------------------------------------
# Sweep validation (a Hydra callback: every job's config is checked before the first job runs)
# ----------------------------------------------------------------------------------------------
class SweepConfigError(BaseException):
    """A sweep job's config is invalid. A BaseException so that Hydra's callback runner, which turns
    ``Exception`` into warnings, lets it reach :func:`main`."""


def expand_sweep(config: DictConfig) -> list[list[str]] | None:
    """The job override lists Hydra's basic sweeper will launch, in job-number order (None for other sweepers)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    if OmegaConf.select(config, "hydra.sweeper._target_") != "hydra._internal.core_plugins.basic_sweeper.BasicSweeper":
        return None
    params = OmegaConf.select(config, "hydra.sweeper.params") or {}
    task = OmegaConf.to_container(config.hydra.overrides.task, resolve=False)  # as typed: ${...} unresolved
    args = [f"{k}={v}" for k, v in params.items()] + [str(o) for o in task]
    parsed = OverridesParser.create().parse_overrides(args)
    return [list(job) for job in BasicSweeper.split_arguments(parsed, None)[0]]


def _set_path(data: dict, path: str, value: Any, delete: bool = False) -> None:
    """Set (or delete) a dotted path such as ``events.0.probability`` in nested dicts and lists."""
    parts = path.split(".")
    node: Any = data
    for part in parts[:-1]:
        if isinstance(node, list):
            node = node[int(part)]
        else:
            node = node.setdefault(part, {})
    last = parts[-1]
    if isinstance(node, list):
        if delete:
            node.pop(int(last))
        else:
            node[int(last)] = value
    elif delete:
        node.pop(last, None)
    else:
        node[last] = value


def validate_jobs(config_name: str, jobs: list[list[str]]) -> None:
    """Validate every job's config: compose once per combination of config-group choices with Hydra,
    then apply each job's value overrides and convert with :func:`simteam.config.from_dict`.

    Raises:
        SweepConfigError: naming the field and the first job whose config is invalid.
    """
    import copy

    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.core.override_parser.types import OverrideType

    from hydra.errors import HydraException

    parser = OverridesParser.create()
    cache: dict[tuple, dict] = {}
    for i, overrides in enumerate(jobs):
        try:
            parsed = parser.parse_overrides(overrides)
            groups, values = [], []
            for o in parsed:
                key = o.key_or_group
                value = o.value() if o.type != OverrideType.DEL else None
                is_group = "/" in key or ("." not in key and (CONF_DIR / key).is_dir())
                if is_group or (isinstance(value, str) and "${" in value) or isinstance(value, (dict, list)):
                    groups.append(o.input_line)
                else:
                    values.append(o)
            ck = tuple(groups)
            if ck not in cache:
                cache[ck] = _plain(hydra.compose(config_name=config_name, overrides=list(groups)))
            data = copy.deepcopy(cache[ck])
            for o in values:
                _set_path(data, o.key_or_group, o.value() if o.type != OverrideType.DEL else None,
                          delete=o.type == OverrideType.DEL)
            split_config(data)
        except ConfigError as ex:
            raise SweepConfigError(f"{ex} (sweep job #{i}: {' '.join(overrides)})") from None
        except (HydraException, OmegaConfBaseException) as ex:  # else Hydra would turn it into a warning
            raise SweepConfigError(f"{_hydra_message(ex)} (sweep job #{i}: {' '.join(overrides)})") from None


class ValidateCallback:
    """Hydra callback: before a multirun starts, validate every job's config (:func:`validate_jobs`) and
    record the planned jobs in ``<sweep dir>/sweep_jobs.json`` (the collector lists planned jobs that never ran)."""

    def __getattr__(self, name: str):
        if name.startswith("on_"):
            return lambda *a, **k: None
        raise AttributeError(name)

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        from ..io import write_json

        n_jobs = OmegaConf.select(config, "hydra.launcher.n_jobs", default=None)
        if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0):
            raise SweepConfigError(f"hydra.launcher.n_jobs: {n_jobs!r} is not allowed; give the number of jobs run "
                                   f"at once (1 or more), or -1 for one per core")
        try:
            jobs = expand_sweep(config)
        except OmegaConfBaseException as ex:  # else Hydra would turn it into a warning and run the jobs
            raise SweepConfigError(f"{getattr(ex, 'full_key', None) or 'sweep'}: {_first_line(ex)}") from None
        if jobs is None:
            return
        validate_jobs(config.hydra.job.config_name, jobs)
        _SWEEP["dir"] = Path(str(config.hydra.sweep.dir))
        write_json({"jobs": [{"num": i, "overrides": o} for i, o in enumerate(jobs)]},
                   Path(str(config.hydra.sweep.dir)) / "sweep_jobs.json")


# ----------------------------------------------------------------------------------------------
# Entry point
# ----------------------------------------------------------------------------------------------
def _first_line(ex: BaseException) -> str:
    text = str(ex).strip()
    return text.splitlines()[0] if text else type(ex).__name__


def _hydra_message(ex: BaseException) -> str:
    """One readable line from a Hydra/OmegaConf error (with the choices when a group option is unknown)."""
    text = str(ex).strip()
    if getattr(ex, "override", None) is not None and getattr(ex, "message", None):
        return f"{ex.override}: {ex.message.strip().splitlines()[0]} (quote values holding = or spaces: key='a=b')"
    m = re.search(r"Could not find '([^']+)'", text)
    if m and "Available options" in text:
        opt = m.group(1)
        group, _, name = opt.rpartition("/")
        first = opt.split("/", 1)[0]
        if first != "hydra" and (CONF_DIR / first).is_dir():  # an option that is a path: scenario=/my/file.yaml
            group, name = first, opt.split("/", 1)[1]
        choices = []
        for ln in text.split("Available options", 1)[1].splitlines()[1:]:
            if not ln.strip():
                if choices:
                    break
                continue
            if not ln.startswith(("\t", " ")) or ":" in ln:
                break
            choices.append(ln.strip())
        msg = f"{group}={name}: unknown option; available: {', '.join(choices)}"
        if "/" in name or name.endswith((".yaml", ".yml")):
            msg += (f"; an option is a name, not a file: put the file in a folder DIR/{group}/, add "
                    f"hydra.searchpath=[file://DIR] and give {group}=<its name without .yaml>")
            if group == "scenario":
                msg += "; or run a scenario file with python -m simteam.planning FILE"
        return msg
    cause = ex.__cause__
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if type(cause).__name__ in ("ConfigKeyError", "ConfigAttributeError") and getattr(cause, "full_key", None):
        over = re.search(r"Could not override '([^']+)'", text)
        otype = getattr(cause, "object_type", None)
        if over and otype is not None and dataclasses.is_dataclass(otype) and "." not in str(cause.full_key):
            names = [f.name for f in dataclasses.fields(otype)]
            key = str(cause.full_key)
            return (f"{over.group(1)}: {key}: unknown key{did_you_mean(key, names) or '.'} Allowed keys of "
                    f"{otype.__name__}: {', '.join(names)}")
        msg = _unknown_key(str(cause.full_key))
        if over and msg.endswith(": unknown key"):  # a free-form section (a scenario): the file lacks the key
            msg += f"; the file does not set it: to add it, write +{over.group(1)}=VALUE"
        return msg
    if cause is not None and isinstance(cause, OmegaConfBaseException):
        key = getattr(cause, "full_key", None)
        first = _first_line(cause)
        where = lines[0].replace("Error merging override ", "") if lines else ""
        return f"{key or where}: {first}" + (f" (override {where})" if where and key else "")
    key = getattr(ex, "full_key", None)
    if key:
        return f"{key}: {lines[0] if lines else type(ex).__name__}"
    return " ".join(ln for ln in lines if not ln.startswith("Set the environment variable HYDRA_FULL_ERROR"))


def _unknown_key(path: str) -> str:
    """``team.sise: unknown key; did you mean team.team_size? ...`` for a key the schema does not have."""
    parts = path.split(".")
    obj: Any = SimConfig()
    for part in parts[:-1]:
        if isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        elif dataclasses.is_dataclass(obj) and hasattr(obj, part):
            obj = getattr(obj, part)
        else:
            return f"{path}: unknown key"
    if not dataclasses.is_dataclass(obj):
        return f"{path}: unknown key"
    names = [f.name for f in dataclasses.fields(obj)]
    hint = did_you_mean(parts[-1], names, prefix=".".join(parts[:-1])) or "."
    return f"{path}: unknown key{hint} Allowed keys: {', '.join(names)}"


def _mark_sweep(status: str) -> None:
    """A sweep that stopped early says so: ``<sweep dir>/FAILED.txt`` (the collector reports it)."""
    d = _SWEEP.get("dir")
    if d is None or not Path(d).is_dir():
        return
    from ..io import write_text

    try:
        write_text(f"the sweep {status}\n", Path(d) / "FAILED.txt")
    except OSError:
        pass


register_configs()
_hydra_main = hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name="config")(_task)


def main(argv: list[str] | None = None) -> None:
    """Console entry point ``simteam`` (also ``python -m simteam``).

    Args:
        argv: Command-line arguments (default: ``sys.argv[1:]``).

    Exits with status 2 and a one-line ``error: ...`` on bad input, 1 on a failed job
    that was not bad input, 0 on success.
    """
    from hydra.errors import HydraException

    from ..errors import is_user_error, message, terminate_as_interrupt

    user_full_error = os.environ.get("HYDRA_FULL_ERROR") == "1" or os.environ.get("SIMTEAM_DEBUG") == "1"
    os.environ["HYDRA_FULL_ERROR"] = "1"  # let errors reach us instead of Hydra's stack printer
    old_argv = sys.argv
    if argv is not None:
        sys.argv = [old_argv[0] if old_argv else "simteam", *argv]
    _FAILED.clear()
    _SWEEP.clear()
    try:
        with terminate_as_interrupt():
            _hydra_main()
        if _FAILED:
            raise _FAILED.pop()
    except SweepConfigError as ex:
        print(f"error: {ex}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        _mark_sweep("interrupted")
        print("error: interrupted", file=sys.stderr)
        sys.exit(130)
    except SystemExit:
        raise
    except BaseException as ex:
        if user_full_error:
            raise
        if isinstance(ex, (HydraException, OmegaConfBaseException)) and not isinstance(ex, ConfigError):
            cause = ex.__cause__ or ex.__context__
            msg = message(cause) if cause is not None and is_user_error(cause) and not isinstance(
                cause, (HydraException, OmegaConfBaseException)) else _hydra_message(ex)
            code = 2
        elif is_user_error(ex):
            msg, code = message(ex), 2
        else:
            msg = (f"internal error: {type(ex).__name__}: {message(ex)} (a bug in simteam: please report it; "
                   f"HYDRA_FULL_ERROR=1 shows the traceback)")
            code = 1
        if msg.startswith("Config group override must be a string or a list"):
            nulls = [a.split("=", 1)[0].lstrip("+~") for a in sys.argv[1:] if a.endswith("=null")]
            msg = (f"{nulls[0] + '=null' if nulls else 'a config group'}: a config group needs an option name, "
                   f"not null (to drop a group write ~group)")
        _mark_sweep(f"failed: {msg}")
        print(f"error: {msg}", file=sys.stderr)
        sys.exit(code)
    finally:
        sys.argv = old_argv
        if not user_full_error:
            os.environ.pop("HYDRA_FULL_ERROR", None)
