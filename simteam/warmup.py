"""Compile every compiled kernel once, at set-up, so that a user's first run does not.

``python -m simteam.warmup`` (also ``simteam-warm-up``, and the last step of ``make setup``) runs a
few tiny studies that reach every compiled kernel with the argument types real runs use, so numba
compiles each kernel once and writes it to its cache. Later processes (the first ``simteam`` run,
the dashboard's first page, every worker process of a sweep) load the machine code from the cache
instead of compiling for 15-30 s.

numba keeps one compiled version per argument-type signature: a kernel called with float32
instead of float64 arrays, or with an int where a float was seen, is compiled again. The kernels
get one set of types in every configuration (``tests/test_kernels.py`` checks each keeps a single
compiled version), and this module reports a kernel that its cases never reach.

Where the cache lives: numba writes ``<module>.<function>-<line>.py312.nbi/.nbc`` files into the
``__pycache__`` folder next to each module (``simteam/__pycache__``), or, when that folder is not
writable (a read-only install), into a per-user folder (``~/.cache/numba`` style); the environment
variable ``NUMBA_CACHE_DIR`` moves it anywhere. An entry is used while the module's source file is
unchanged (numba compares its modification time and size) and on the same CPU type; editing
a module recompiles its kernels on the next run (``python -m simteam.warmup`` again fills the cache).

``python -m simteam.warmup --check`` runs the same cases and exits with status 1 if any kernel had
to be compiled in this process: after a warm-up, that is the "first run does not compile" test.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

__all__ = ["CASES", "warm_up", "kernel_report", "cache_dirs", "main"]

_MIXED_LEADERS = {"styles": ["coaching", "command_and_control", "servant"], "behaviour_sd": 0.1, "exit_base": 0.02}

#: The tiny studies run by the warm-up: (what it covers, configure() arguments). Together they reach every
#: compiled kernel the engine calls: selling, effort, people, turnover, culture, recording, the random-number
#: draws (block and at positions) and the selection-gain table, on each kind of graph.
CASES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("default study (small-world graph)", {}),
    ("recession, crisis strategy, several complete teams with toxic reps",
     {"market": "recession", "crisis": "pivot",
      "team": {"graph": "complete", "n_teams": 3, "team_size": 5, "initial_toxic": 1}}),
    ("a change initiative (tool roll-out, adoption over the graph)",
     {"change": {"initiatives": [{"name": "crm", "kind": "tool", "start_week": 3}]}}),
    ("leaders as agents with mixed styles",
     {"market": "recession", "team": {"n_teams": 3, "team_size": 5, "initial_toxic": 2},
      "mechanisms": {"leaders": True}, "leaders": _MIXED_LEADERS}),
)


def warm_up(weeks: int = 30, verbose: bool = False) -> float:
    """Run :data:`CASES` (2 and 1 replications each, ``weeks`` weeks) and one parameter sweep; seconds taken.

    The numbers are thrown away: the point is that numba compiles (or loads from its cache) every
    kernel with the types real runs use.
    """
    from .sim import configure, run, run_points

    t0 = time.perf_counter()
    for what, kwargs in CASES:
        cfg = configure(weeks=weeks, **kwargs)
        run(cfg, replications=2, seed=1, processes=1)
        run(cfg, replications=1, seed=1, processes=1)
        if verbose:
            print(f"  {time.perf_counter() - t0:6.1f} s  {what}", flush=True)
    run_points(configure(weeks=weeks), {"leadership.coaching": [0.2, 0.8]}, replications=2, processes=1)
    if verbose:
        print(f"  {time.perf_counter() - t0:6.1f} s  a parameter sweep (run_points)", flush=True)
    import numpy as np

    from .selling import selection_gain

    selection_gain(np.array([0.2, 0.5]), np.array([0.3, 0.6]), 0.5)  # the helper the docs' figures use (1-d)
    return time.perf_counter() - t0


def kernel_report() -> list[dict[str, Any]]:
    """One row per compiled kernel: name, compiled versions, loaded from the cache / compiled in this process.

    Inlined pieces (``@inline``) are compiled into their callers and are not listed.
    """
    from .numerics import registered_kernels

    rows = []
    for name, disp, inlined in registered_kernels():
        if inlined:
            continue
        stats = getattr(disp, "stats", None)
        rows.append({"kernel": name, "versions": len(disp.signatures),
                     "loaded": sum(stats.cache_hits.values()) if stats else 0,
                     "compiled": sum(stats.cache_misses.values()) if stats else 0,
                     "cache": getattr(stats, "cache_path", None)})
    return rows


def cache_dirs() -> list[str]:
    """The folders numba's cache files of simteam's kernels go to (see the module docstring)."""
    return sorted({r["cache"] for r in kernel_report() if r["cache"]})


def main(argv: list[str] | None = None) -> None:
    """``python -m simteam.warmup [--check] [--quiet]``: compile and cache every kernel (see the module docstring)."""
    ap = argparse.ArgumentParser(prog="python -m simteam.warmup",
                                 description="Compile and cache simteam's compiled kernels (run once after install).")
    ap.add_argument("--check", action="store_true",
                    help="fail (status 1) if a kernel had to be compiled, i.e. the cache was not used")
    ap.add_argument("--quiet", action="store_true", help="print only problems")
    args = ap.parse_args(argv)
    if not args.quiet:
        print("simteam warm-up: compiling the kernels (or loading them from numba's cache) ...", flush=True)
    seconds = warm_up(verbose=not args.quiet)
    rows = kernel_report()
    # a kernel called only from other kernels gets a compiled version of its own only when they are
    # compiled (loaded from the cache, it is part of their machine code): judge reach on an empty cache
    fresh = any(r["compiled"] for r in rows) and not any(r["loaded"] for r in rows)
    unreached = [r["kernel"] for r in rows if r["versions"] == 0] if fresh else []
    several = [f"{r['kernel']} ({r['versions']})" for r in rows if r["versions"] > 1]
    compiled = [r["kernel"] for r in rows if r["compiled"]]
    loaded = sum(1 for r in rows if r["loaded"])
    if not args.quiet:
        print(f"simteam warm-up: {len(rows)} kernels, {len(compiled)} compiled now, {loaded} loaded from the cache, "
              f"{seconds:.1f} s; cache: {', '.join(cache_dirs()) or '?'}")
    if unreached:
        print(f"warning: the warm-up reaches no call of {', '.join(unreached)} (compiled on first use instead)",
              file=sys.stderr)
    if several:
        print(f"warning: kernels compiled for more than one set of argument types: {', '.join(several)}",
              file=sys.stderr)
    if args.check and compiled:
        print(f"error: compiled in this process (the cache was not used): {', '.join(compiled)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
