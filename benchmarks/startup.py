"""Start-up figures (issue 19): import, the answer to a bad input, and the first run before/after the warm-up.

Every figure is a new interpreter started from the project folder, timed from outside: wall time
and CPU time (user + system, of the child process). On a busy machine the wall time grows with the
other work while the CPU time stays near what an idle machine shows as wall time; the table gives
the median wall and median CPU time of ``--repeats`` runs.

Usage::

    python benchmarks/startup.py                # import and bad-input figures (about a minute)
    python benchmarks/startup.py --first-run    # also: first run with an empty numba cache, the warm-up,
                                                # and the first run after it (fresh NUMBA_CACHE_DIR; 1-3 min)
    python benchmarks/startup.py --json startup.json
    python benchmarks/startup.py --project /tmp/before   # the same figures for another checkout (e.g. an
                                                         # older commit exported with `git archive`)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

BAD_SCENARIO = """name: start-up benchmark
team:
  size: -3
alternatives:
  as_is:
    description: nothing changes
"""


def _time(cmd: list[str], env: dict | None = None, cwd: Path | None = None, expect: int | None = None) -> tuple[float, float]:
    """(wall s, CPU s) of one command; checks its exit status when ``expect`` is given."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd or ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if expect is not None and out.returncode != expect:
        raise SystemExit(f"{' '.join(cmd)}: exit {out.returncode}, expected {expect}\n{out.stderr[-2000:]}")
    return wall, cpu


def _median(cmd, repeats, **kw) -> dict:
    runs = [_time(cmd, **kw) for _ in range(repeats)]
    return {"wall_s": statistics.median(r[0] for r in runs), "cpu_s": statistics.median(r[1] for r in runs),
            "wall_min_s": min(r[0] for r in runs)}


def startup_figures(repeats: int, tmp: Path) -> list[dict]:
    """The import and bad-input rows."""
    scen = tmp / "bad_scenario.yaml"
    scen.write_text(BAD_SCENARIO)
    runs = tmp / "runs"
    rows = [
        ("python itself", [PY, "-c", "pass"], 0, "the floor of every command"),
        ("import numpy", [PY, "-c", "import numpy"], 0, "needed by the configuration"),
        ("import simteam", [PY, "-c", "import simteam"], 0, "target < 1 s"),
        ("configure + validate", [PY, "-c", "import simteam; simteam.validate(simteam.configure(weeks=52))"], 0,
         "no numba, pandas, scipy"),
        ("import hydra (alone)", [PY, "-c", "import hydra, omegaconf; from hydra.core.config_store import ConfigStore"],
         0, "Hydra's own import cost"),
        ("simteam team.team_size=-3", [PY, "-m", "simteam", "team.team_size=-3"], 2,
         "answered before Hydra (target < 1.5 s)"),
        ("same, through Hydra", [PY, "-m", "simteam", "team.team_size=-3", f"hydra.run.dir={runs}"], 2,
         "a hydra.* argument: compose + full validation"),
        ("simteam leadership=bossy", [PY, "-m", "simteam", "leadership=bossy"], 2, "a bad group option (Hydra)"),
        ("planning <scenario> --check (bad field)", [PY, "-m", "simteam.planning", str(scen), "--check"], 2,
         "team.size: -3"),
        ("simteam-dashboard --port 0", [PY, "-c", "import sys; from simteam.workshop.dashboard import main; "
                                            "sys.exit(main(['--port', '0']))"], 2, "argparse error"),
    ]
    out = []
    for name, cmd, code, note in rows:
        _time(cmd)  # once to warm the file cache (.pyc files, shared libraries)
        fig = _median(cmd, repeats, expect=code)
        out.append({"figure": name, "command": " ".join(c if c != PY else "python" for c in cmd), "note": note, **fig})
        print(f"  {name:<42} wall {fig['wall_s']:5.2f} s   cpu {fig['cpu_s']:5.2f} s", flush=True)
    return out


def first_run_figures(tmp: Path) -> list[dict]:
    """The default study with an empty numba cache, again, the warm-up into an empty cache, the study after it."""
    study = [PY, "-m", "simteam", "output.summary=false", "output.figures=false"]
    cold, warm = tmp / "cache_cold", tmp / "cache_warm"
    rows = [
        ("first run, empty cache (before)", study + [f"hydra.run.dir={tmp / 'r1'}"], cold),
        ("second run, same cache", study + [f"hydra.run.dir={tmp / 'r2'}"], cold),
        ("warm-up into an empty cache (set-up)", [PY, "-m", "simteam.warmup", "--quiet"], warm),
        ("first run after the warm-up (after)", study + [f"hydra.run.dir={tmp / 'r3'}"], warm),
        ("warm-up --check after it (loads only)", [PY, "-m", "simteam.warmup", "--check", "--quiet"], warm),
    ]
    out = []
    for name, cmd, cache in rows:
        wall, cpu = _time(cmd, env={"NUMBA_CACHE_DIR": str(cache)}, expect=0)
        out.append({"figure": name, "command": " ".join(c if c != PY else "python" for c in cmd),
                    "numba_cache": cache.name, "wall_s": wall, "cpu_s": cpu})
        print(f"  {name:<42} wall {wall:6.1f} s   cpu {cpu:6.1f} s", flush=True)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5, help="runs per import/bad-input figure (median)")
    ap.add_argument("--first-run", action="store_true", help="also time the first run before/after the warm-up")
    ap.add_argument("--json", help="write the figures to this file")
    ap.add_argument("--project", help="time the simteam of this folder instead of this checkout")
    args = ap.parse_args(argv)
    global ROOT
    if args.project:
        ROOT = Path(args.project).resolve()
    tmp = Path(tempfile.mkdtemp(prefix="simteam-startup-"))
    try:
        load = os.getloadavg()[0]
        print(f"start-up figures of {ROOT} ({os.cpu_count()} cores, load average {load:.1f}; median of {args.repeats})",
              flush=True)
        result = {"cores": os.cpu_count(), "load_average": load, "startup": startup_figures(args.repeats, tmp)}
        if args.first_run:
            print("first run (the default study: 200 replications x 104 weeks)", flush=True)
            result["first_run"] = first_run_figures(tmp)
        result["load_average_end"] = os.getloadavg()[0]
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=1))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
