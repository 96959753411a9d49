"""The plain Python API: build a config, run a batch, get tidy results. No Hydra needed.

Example:
    >>> import simteam
    >>> cfg = simteam.configure(style="coaching", market="recession", weeks=52)
    >>> res = simteam.run(cfg, replications=4, seed=1)
    >>> sorted(res.summary.columns)[:3]
    ['adoption_final', 'crisis_onset', 'deals']
"""

from __future__ import annotations

import copy
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable

import numpy as np

from .config import ConfigError, SimConfig, Shock, from_dict, replace_path, to_dict, validate
from .engine import Engine, series_names
from .leadership import STYLES
from .market import PRESETS
from .results import Results, summarise

__all__ = ["run", "configure", "default_config", "run_points", "check_memory", "available_memory"]

_BROKEN_POOL = ("processes: a worker process died before finishing (a script using processes > 1 must start "
                "its work under `if __name__ == \"__main__\":`, see docs/cli.md; or the machine ran out of "
                "memory); run with processes=1 to see the cause")


def default_config(**overrides: Any) -> SimConfig:
    """The default configuration, with optional dotted overrides (``leadership__coaching=0.8``
    or a dict passed to :func:`configure`)."""
    cfg = SimConfig()
    for k, v in overrides.items():
        cfg = replace_path(cfg, k.replace("__", "."), v)
    return validate(cfg)


def configure(base: SimConfig | dict | None = None, *, style: str | None = None, market: str | None = None,
              crisis: str | None = None, **dotted: Any) -> SimConfig:
    """Build a validated config from presets and dotted overrides.

    Args:
        base: Starting config (default: :class:`SimConfig` defaults) or a nested dict.
        style: A leadership style name from :data:`simteam.leadership.STYLES`.
        market: ``stable`` or a shock preset from :data:`simteam.market.PRESETS`.
        crisis: A crisis-response strategy name.
        **dotted: Other values by dotted path with ``__`` for dots, e.g. ``team__team_size=8``
            or ``weeks=52``.
    """
    if base is None:
        d: dict = {}
    elif isinstance(base, SimConfig):
        d = to_dict(base)
    elif isinstance(base, dict):
        d = copy.deepcopy(base)
    elif isinstance(base, (str, os.PathLike)):
        d = _read_config_file(base)
    else:
        raise ConfigError(f"config: expected a SimConfig, a dict or the path of a YAML file, "
                          f"got {type(base).__name__} {base!r}"[:300])
    cfg = from_dict(d)
    d = to_dict(cfg)
    if style is not None:
        if style not in STYLES:
            raise ConfigError(f"style: {style!r} is unknown; choose one of {', '.join(STYLES)}")
        d["leadership"].update(STYLES[style])
        d["leadership"]["style"] = style
    if market is not None:
        if market == "stable":
            d["market"]["shocks"] = []
        elif market in PRESETS:
            d["market"]["shocks"] = [dict(to_dict(Shock()), **PRESETS[market])]
        else:
            raise ConfigError(f"market: {market!r} is unknown; choose stable or one of {', '.join(PRESETS)}")
    if crisis is not None:
        d["crisis"]["strategy"] = crisis
    d = to_dict(from_dict(d))
    for k, v in dotted.items():  # set them all, then validate once: cross-field rules see the final config
        _set_dotted(d, k.replace("__", "."), v)
    return from_dict(d)


def _set_dotted(d: dict, path: str, value: Any) -> None:
    from .config import did_you_mean

    node = d
    parts = path.split(".")
    for i, part in enumerate(parts):
        if not isinstance(node, dict) or part not in node:
            prefix = ".".join(parts[:i])
            names = list(node) if isinstance(node, dict) else []
            raise ConfigError(f"{path}: unknown parameter{did_you_mean(part, names, prefix) or ''}")
        if i == len(parts) - 1:
            node[part] = copy.deepcopy(value)
        else:
            node = node[part]


def _read_config_file(path) -> dict:
    """The nested dict of a YAML config file given as ``config=``/``base=`` (a path, not a preset name)."""
    from pathlib import Path

    import yaml

    p = Path(path)
    if not p.is_file():
        hint = ""
        if str(path) in PRESETS or str(path) == "stable":
            hint = f" (for the market preset write market={str(path)!r})"
        elif str(path) in STYLES:
            hint = f" (for the leadership style write style={str(path)!r})"
        raise ConfigError(f"config: {str(path)!r} is not a file; pass a SimConfig, a dict or the path of a "
                          f"YAML config file{hint}")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as ex:
        raise ConfigError(f"config: cannot read {str(p)!r}: {' '.join(str(ex).split())[:200]}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config: {str(p)!r} must hold a mapping of settings, got {type(data).__name__}")
    return data


def _as_config(config) -> SimConfig:
    if config is None:
        return SimConfig()
    if isinstance(config, SimConfig):
        return validate(config)
    if isinstance(config, dict):
        return from_dict(config)
    if isinstance(config, (str, os.PathLike)):
        return from_dict(_read_config_file(config))
    raise ConfigError(f"config: expected a SimConfig, a dict or the path of a YAML file, "
                      f"got {type(config).__name__}")


def _whole(name: str, value, lo: int, hi: int | None = None, allow_none: bool = False):
    """Check an integer argument of the API: one line naming it and what is allowed."""
    if value is None and allow_none:
        return None
    allowed = f"a whole number >= {lo}" if hi is None else f"a whole number from {lo} to {hi}"
    if allow_none:
        allowed += " or None"
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ConfigError(f"{name}: expected {allowed}, got {value!r}")
    if value < lo or (hi is not None and value > hi):
        raise ConfigError(f"{name}: {value!r} is out of range; allowed: {allowed}")
    return int(value)


def _check_policies(policies):
    if policies is None:
        return None
    if not isinstance(policies, (list, tuple)):
        raise ConfigError(f"policies: expected a list of policy objects (see simteam.events.Policy), "
                          f"got {type(policies).__name__}")
    for i, pol in enumerate(policies):
        if not callable(getattr(pol, "apply", None)) or not isinstance(getattr(pol, "phase", None), str):
            raise ConfigError(f"policies[{i}]: {pol!r} is not a policy; allowed: objects with a phase "
                              f"('start', 'leadership', 'end' or a mechanism's name) and an apply(engine, week) "
                              f"method (see simteam.events.Policy)"[:400])
    return list(policies)


def _check_roster(roster):
    """A loaded roster, or a path to one (loaded here)."""
    if roster is None:
        return None
    if isinstance(roster, (str, os.PathLike)):
        from .roster import load_roster

        return load_roster(str(roster))
    if not hasattr(roster, "team_index"):
        raise ConfigError(f"roster: expected a Roster (simteam.roster.load_roster) or the path of a roster CSV, "
                          f"got {type(roster).__name__}")
    return roster


#: Bytes of engine state per seat and batch row (measured: ~300 B with the graph; kept generous).
STATE_BYTES_PER_SEAT = 400


def available_memory() -> int | None:
    """Bytes of memory this machine can still give (``MemAvailable`` of /proc/meminfo, else sysconf), or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def _gib(n: float) -> str:
    return f"{n / 2**30:.1f} GiB"


def check_memory(cfg: SimConfig, rows: int, chunk_rows: int, processes: int, panel: bool, n_series: int,
                 free: int | None = None) -> None:
    """Refuse, before anything is allocated, a run that cannot fit in memory.

    The weekly series of every batch row are kept (and turned into a table), each chunk in work holds
    the state of its seats, and a panel keeps every seat's weekly state.

    Raises:
        ConfigError: ``this needs ~X GiB; this machine has Y GiB free; ...`` naming what to change.
    """
    free = available_memory() if free is None else free
    if free is None:
        return
    N = cfg.team.n_teams * cfg.team.team_size
    # the series, their concatenation and the long table; the summary rows, their concatenation and copies
    series = 3.0 * cfg.weeks * rows * n_series * 8 + 3.0 * rows * 40 * 8
    state = float(STATE_BYTES_PER_SEAT) * N * chunk_rows * max(1, processes)
    panel_b = 8.0 * cfg.weeks * rows * N * 8 if panel else 0.0
    need = series + state + panel_b
    if need <= 0.9 * free:
        return
    if STATE_BYTES_PER_SEAT * N > 0.9 * free:
        what = "team.team_size x team.n_teams: one replication alone does not fit; use fewer seats"
    elif state >= max(series, panel_b):
        what = "chunk_rows: use a smaller chunk_rows (rows simulated at once) or fewer processes"
    elif panel_b >= series:
        what = "panel: record no per-seat panel, or use fewer replications or weeks"
    else:
        what = ("replications x weeks: the weekly series of every replication are kept; use fewer "
                "replications or weeks (or split the study into several runs with different seeds)")
    raise ConfigError(f"{what.split(':')[0]}: this needs ~{_gib(need)}; this machine has {_gib(free)} free;"
                      f"{what.split(':', 1)[1]}")


def _run_chunk(cfg: SimConfig, seeds: np.ndarray, overrides: dict | None, panel: bool, policies, roster,
               progress: Callable | None = None, series_to: tuple | None = None, mechanisms=None) -> tuple:
    """Run one chunk of batch rows.

    ``series_to = (path, B, first_row, names)`` records the weekly series straight into columns
    ``first_row:`` of the parent's memory-mapped ``(series, weeks, B)`` array instead of returning them
    (a worker process then sends back only the small summary table, not hundreds of MB through a pipe,
    and nothing is copied); ``series_to`` may also be a dict of ``(weeks, rows)`` arrays to record into.
    """
    out = None
    if isinstance(series_to, tuple):
        path, B, first, names = series_to
        out = np.memmap(path, dtype=np.float64, mode="r+", shape=(len(names), cfg.weeks, B))
        buffers = {k: out[j, :, first:first + seeds.size] for j, k in enumerate(names)}
    else:
        buffers = series_to
    e = Engine(cfg, seeds=seeds, overrides=overrides, record_panel=panel, policies=policies, roster=roster,
               mechanisms=mechanisms, series_out=buffers)
    e.run(progress=progress)
    summary = summarise(e)
    if out is not None:
        out.flush()
        e.series = None
        del buffers, out
    return summary, (e.series if series_to is None else None), (e.panel if panel else None), e.event_log


def run(config: SimConfig | dict | None = None, replications: int | None = None, seed: int | None = None,
        *, weeks: int | None = None, panel: bool = False, policies: list | None = None, roster=None,
        processes: int = 1, chunk_rows: int | None = None, progress: bool | Callable = False,
        mechanisms: list | None = None, uncertainty: Any = None, draws: int | None = None) -> Results:
    """Run ``replications`` replications of one configuration as one batch.

    Replication ``r`` uses seed ``seed + r``: a batch equals the single runs with those
    seeds, bit for bit, and two configurations run with the same seed are paired
    (common random numbers).

    Args:
        config: A :class:`SimConfig`, a nested dict, or None for the defaults.
        replications: Overrides ``config.replications``.
        seed: Overrides ``config.seed``.
        weeks: Overrides ``config.weeks``.
        panel: Also record per-seat weekly state (``Results.panel``).
        policies: Extra policy objects (see :mod:`simteam.events`).
        roster: A loaded :class:`simteam.roster.Roster` (else ``config.team.roster``).
        processes: Split the batch over this many worker processes.
        chunk_rows: Rows per batch chunk (bounds memory for very large runs).
        progress: True for a progress bar, or a callable ``f(weeks_done)``.
        mechanisms: Extra mechanisms (objects following :class:`simteam.mechanism.Mechanism`), each
            run at the place its ``after="<built-in name>"`` (or ``before=``) gives, e.g.
            ``after="people"``. Every engine (batch chunk, worker process) works on its own copy.
        uncertainty: Parameter uncertainty (:mod:`simteam.uncertainty`): a packaged table name such as
            ``"evidence"``, a YAML path, a dict of ranges or an :class:`~simteam.uncertainty.Uncertainty`.
            The run becomes ``draws`` parameter draws x ``replications`` luck replications (draw ``k``
            from the streams of seed ``seed + k``; replication ``r`` of every draw on seed ``seed + r``);
            the summary gets a ``draw`` column and one column per uncertain parameter, and
            ``Results.uncertainty_summary()`` / :func:`simteam.uncertainty.compare` split the spread
            into luck and assumptions.
        draws: Number of parameter draws (default: the table's ``draws``); only with ``uncertainty``.

    Returns:
        :class:`Results` with ``summary``, ``timeseries``, ``reduce()`` and ``paired()``.
    """
    cfg = _as_config(config)
    processes = _whole("processes", processes, 1, 4096)
    chunk_rows = _whole("chunk_rows", chunk_rows, 1, allow_none=True)
    policies = _check_policies(policies)
    roster = _check_roster(roster)
    d = {}
    if replications is not None:
        d["replications"] = replications
    if seed is not None:
        d["seed"] = seed
    if weeks is not None:
        d["weeks"] = weeks
    if d:
        cfg = from_dict(d, base=cfg)
    if uncertainty is not None:
        return _run_uncertain(cfg, uncertainty, draws, panel=panel, policies=policies, roster=roster,
                              processes=processes, chunk_rows=chunk_rows, progress=progress, mechanisms=mechanisms)
    if draws is not None:
        raise ConfigError("draws: the number of parameter draws needs uncertainty= (e.g. uncertainty='evidence')")
    seeds = cfg.seed + np.arange(cfg.replications, dtype=np.int64)
    return _run_rows(cfg, seeds, None, panel=panel, policies=policies, roster=roster, processes=processes,
                     chunk_rows=chunk_rows, progress=progress, replication=np.arange(cfg.replications),
                     mechanisms=mechanisms)


def _run_uncertain(cfg, uncertainty, draws, **kw) -> Results:
    """K parameter draws x R replications as one batch (a draw is a sweep point; see :mod:`simteam.uncertainty`)."""
    from .uncertainty import load_uncertainty

    unc = load_uncertainty(uncertainty, cfg, draws)
    K, R = unc.draws, cfg.replications
    vals = unc.values(cfg, cfg.seed, K)
    seeds = np.tile(cfg.seed + np.arange(R, dtype=np.int64), K)
    overrides = {k: np.repeat(v, R) for k, v in vals.items()}
    res = _run_rows(cfg, seeds, overrides, replication=np.tile(np.arange(R), K), **kw)
    draw = np.repeat(np.arange(K), R)
    res.points = {"draw": draw, **overrides}
    res.uncertainty = unc
    res.summary.insert(0, "draw", draw)
    for i, (k, v) in enumerate(overrides.items()):
        res.summary.insert(1 + i, k, v)
    return res


def run_points(config: SimConfig | dict | None, points: dict[str, Any], replications: int | None = None,
               seed: int | None = None, *, processes: int = 1, chunk_rows: int | None = None,
               progress: bool | Callable = False, policies: list | None = None,
               mechanisms: list | None = None) -> Results:
    """Run many parameter points x replications as one batch (sweeps, sensitivity analysis).

    Args:
        config: Base configuration.
        points: Dotted parameter path -> sequence of P values (all of equal length).
            Every point runs ``replications`` replications on seeds ``seed + r``, so points
            are paired with each other on the same seeds (common random numbers).
        replications: Replications per point (default ``config.replications``).
        mechanisms: Extra mechanisms, as in :func:`run`.

    Returns:
        :class:`Results` whose summary has a ``point`` column and one column per parameter.
    """
    cfg = _as_config(config)
    processes = _whole("processes", processes, 1, 4096)
    chunk_rows = _whole("chunk_rows", chunk_rows, 1, allow_none=True)
    policies = _check_policies(policies)
    if replications is not None or seed is not None:
        cfg = from_dict({k: v for k, v in (("replications", replications), ("seed", seed)) if v is not None},
                        base=cfg)
    if not isinstance(points, dict) or not points:
        raise ConfigError("points: expected a dict of dotted parameter path -> list of values, "
                          "e.g. {'leadership.coaching': [0.2, 0.8]}")
    vals = {}
    for k, v in points.items():
        _ftype(cfg, k)  # names the unknown field
        arr = np.asarray(v, dtype=object).reshape(-1)
        for x in arr:
            if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
                raise ConfigError(f"points[{k!r}]: expected numbers, got {x!r}")
        vals[k] = arr.astype(float)
        if vals[k].size == 0:
            raise ConfigError(f"points[{k!r}]: no values; give at least one")
        if not np.all(np.isfinite(vals[k])):
            raise ConfigError(f"points[{k!r}]: expected finite numbers, got {vals[k][~np.isfinite(vals[k])][0]!r}")
    sizes = {v.size for v in vals.values()}
    if len(sizes) != 1:
        raise ConfigError(f"points: every parameter needs the same number of values, got {dict((k, v.size) for k, v in vals.items())}")
    P = sizes.pop()
    # validate every value against its field's range
    for k, v in vals.items():
        is_int = "int" in _ftype(cfg, k)
        if is_int and not np.all(v == np.rint(v)):
            raise ConfigError(f"{k}: expected whole numbers, got {v[v != np.rint(v)][0]!r}")
        for x in (v.min(), v.max()):  # ranges are intervals: the extremes decide
            replace_path(cfg, k, int(x) if is_int else float(x))
    R = cfg.replications
    seeds = np.tile(cfg.seed + np.arange(R, dtype=np.int64), P)
    overrides = {k: np.repeat(v, R) for k, v in vals.items()}
    res = _run_rows(cfg, seeds, overrides, panel=False, policies=policies, roster=None, processes=processes,
                    chunk_rows=chunk_rows, progress=progress, replication=np.tile(np.arange(R), P),
                    mechanisms=mechanisms)
    point = np.repeat(np.arange(P), R)
    res.points = {"point": point, **overrides}
    res.summary.insert(0, "point", point)
    for i, (k, v) in enumerate(overrides.items()):
        res.summary.insert(1 + i, k, v)
    return res


def _ftype(cfg, path: str) -> str:
    """The type of the numeric field at ``path``; ConfigError (with a did-you-mean) for anything else."""
    from .config import field_at

    if not isinstance(path, str):
        raise ConfigError(f"points: parameter names are dotted paths (text), got {path!r}")
    typ = str(field_at(cfg, path, f"points[{path!r}]").type)
    if typ not in ("int", "float") or path in ("seed", "replications", "weeks"):
        raise ConfigError(f"points[{path!r}]: not a sweepable number; allowed: numeric model parameters "
                          f"(seed, replications and weeks are set for the whole batch)")
    return typ


def _run_rows(cfg, seeds, overrides, *, panel, policies, roster, processes, chunk_rows, progress,
              replication, mechanisms=None) -> Results:
    B = seeds.size
    if chunk_rows is None:
        # keep a chunk's state near 200 MB
        n = cfg.team.n_teams * cfg.team.team_size
        chunk_rows = max(1, min(B, int(2e6 // max(n, 1))))
    chunk_rows = min(chunk_rows, B)
    if processes > 1:
        chunk_rows = min(chunk_rows, -(-B // processes))
    check_memory(cfg, B, chunk_rows, min(processes, -(-B // chunk_rows)), panel,
                 len(list(series_names(mechanisms, cfg, roster))))
    bounds = [(i, min(i + chunk_rows, B)) for i in range(0, B, chunk_rows)]
    bar = _progress_bar(progress, total=cfg.weeks * len(bounds))
    parts = []
    try:
        if processes > 1 and len(bounds) > 1:
            names = list(series_names(mechanisms, cfg, roster))
            shared = _SharedSeries(cfg.weeks, B, names)
            with shared, ProcessPoolExecutor(max_workers=processes, mp_context=_mp_context()) as ex:
                futs = [ex.submit(_run_chunk, cfg, seeds[a:b], _slice(overrides, a, b), panel, policies, roster,
                                  series_to=(shared.path, B, a, names), mechanisms=mechanisms)
                        for a, b in bounds]
                try:
                    for fut in futs:
                        parts.append(_result(fut))
                        if bar:
                            bar(cfg.weeks)
                except BrokenProcessPool:
                    raise ConfigError(_BROKEN_POOL) from None
                series = shared.read()
        elif len(bounds) > 1:  # chunks record into column slices of the whole batch's series (no concatenation)
            series = {k: np.empty((cfg.weeks, B)) for k in series_names(mechanisms, cfg, roster)}
            for a, b in bounds:
                parts.append(_run_chunk(cfg, seeds[a:b], _slice(overrides, a, b), panel, policies, roster,
                                        progress=bar, series_to={k: v[:, a:b] for k, v in series.items()},
                                        mechanisms=mechanisms))
        else:
            parts.append(_run_chunk(cfg, seeds, overrides, panel, policies, roster, progress=bar,
                                    mechanisms=mechanisms))
            series = parts[0][1]
    finally:
        if bar and hasattr(bar, "close"):
            bar.close()
    import pandas as pd  # imported when the table is built (see docs/performance.md, start-up)

    summary = pd.concat([p[0] for p in parts], ignore_index=True) if len(parts) > 1 else parts[0][0]
    panel_arrays = ({k: np.concatenate([p[2][k] for p in parts], axis=1) for k in parts[0][2]}
                    if panel else None)
    summary.insert(0, "seed", seeds)
    summary.insert(0, "replication", replication)
    return Results(cfg, seeds, summary, series, panel_arrays=panel_arrays, events=parts[0][3] if B == 1 else [],
                   replication=replication)


def _result(fut):
    """A worker's result, looking for a swallowed interrupt (simteam.errors.INTERRUPTED) four times a second."""
    from concurrent.futures import TimeoutError as _Timeout

    from .errors import raise_if_interrupted

    while True:
        try:
            return fut.result(timeout=0.25)
        except _Timeout:
            raise_if_interrupted()


class _SharedSeries:
    """A temporary memory-mapped ``(series, weeks, B)`` float64 array that worker processes fill.

    Lives in /dev/shm when there is one (RAM), else in the temporary directory; removed on exit.
    """

    def __init__(self, weeks: int, B: int, names: list[str]):
        import tempfile
        shm = "/dev/shm"
        fd, self.path = tempfile.mkstemp(prefix="simteam-series-", suffix=".f64",
                                         dir=shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None)
        os.close(fd)
        self.names = names
        self.shape = (len(names), weeks, B)
        np.memmap(self.path, dtype=np.float64, mode="w+", shape=self.shape).flush()

    def read(self) -> dict[str, np.ndarray]:
        """The series as plain arrays on the shared memory itself (no copy): the mapping outlives the file,
        which is removed on exit, and is released with the last array that uses it."""
        mm = np.memmap(self.path, dtype=np.float64, mode="r+", shape=self.shape)
        return {k: mm[j].view(np.ndarray) for j, k in enumerate(self.names)}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            os.remove(self.path)
        except OSError:
            pass
        return False


def _mp_context():
    """Worker start method: a fork server that has imported simteam once, else spawn.

    Spawned workers each import simteam, numpy, scipy and pandas again (seconds per worker, which
    dominated short sweeps); forking from a single-threaded server that preloaded them costs
    milliseconds and avoids forking this (possibly multi-threaded) process. The server also loads the
    compiled kernels once (:mod:`simteam._forkserver`), so no worker loads them again.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["simteam.sim", "simteam._forkserver"])
        return ctx
    return multiprocessing.get_context("spawn")


def _slice(overrides, a, b):
    return None if overrides is None else {k: v[a:b] for k, v in overrides.items()}


class _Bar:
    def __init__(self, total):
        from tqdm.auto import tqdm
        self.t = tqdm(total=total, unit="wk", desc="simteam", leave=False, mininterval=0.5,
                      disable=os.environ.get("SIMTEAM_NO_PROGRESS") == "1")

    def __call__(self, n):
        self.t.update(n)

    def close(self):
        self.t.close()


def _progress_bar(progress, total):
    if progress is True:
        return _Bar(total)
    if callable(progress):
        return progress
    return None
