"""simteam vs an idiomatic per-agent Mesa implementation of the same model: the benchmark of issue 5.

Prints one Markdown table: agent-steps per second for simteam and for the Mesa baseline
(``benchmarks/mesa_baseline.py``) and their ratio, each the median of ``--repeats`` repeats run
interleaved (simteam, Mesa, simteam, Mesa, ...) in this one process, for

1. the sweep workload: 256 Latin-hypercube points over 5 leadership parameters x 20 replications x
   520 weeks on a 12-rep team (5,120 runs), total wall time, both engines on ``--processes`` processes.
   The Mesa sweep would take the better part of an hour, so it is timed on a sample of runs spread over
   the points (``--mesa-sweep-runs``, split over the same processes) and scaled to 5,120 runs (marked
   "scaled" in the table);
2. single runs at N = 1,000, 10,000 and 100,000 reps (organisations of 10-rep teams); the run phase
   is timed (building the organisation is reported apart); the Mesa model runs fewer weeks at large N;
3. bytes per agent at N = 1,000,000 (tracemalloc peak while building and stepping; the state arrays
   alone), and the share of run time spent recording the weekly team series;
4. a 1,000,000-rep organisation for 52 weeks (simteam only, build + run).

Usage::

    python benchmarks/run.py            # the full table (about 15-20 minutes on 2 cores)
    python benchmarks/run.py --quick    # a short version (smaller sizes, 3 repeats; about 2 minutes)
    python benchmarks/run.py --only sweep,scale --repeats 5 --json results.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import simteam
from simteam.engine import Engine

# Mesa (about 0.9 s to import) is imported where a Mesa model is built: the sweep's worker processes
# import this script again, and they should not pay for Mesa when they run simteam.

SWEEP_PARAMS = ("leadership.inspiration", "leadership.recognition", "leadership.coaching",
                "leadership.accountability", "leadership.fairness")
WORKLOADS = ("sweep", "scale", "memory", "million")
TARGETS = {"sweep_time": 10.0, "sweep_ratio": 25.0, 1_000: 20.0, 10_000: 40.0, 100_000: 60.0,
           "bytes": 400.0, "record": 0.10, "million": 30.0}


def _mesa():
    from benchmarks.mesa_baseline import MesaSalesModel
    return MesaSalesModel


def _median(xs):
    return statistics.median(xs)


def _cpu() -> float:
    """CPU seconds of this process and its finished children (worker processes)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def lhs_points(n_points: int, seed: int = 2026) -> dict[str, np.ndarray]:
    """Latin-hypercube points over the five leadership behaviours, each in [0, 1]."""
    from scipy.stats import qmc
    x = qmc.LatinHypercube(d=len(SWEEP_PARAMS), seed=seed).random(n_points)
    return {k: x[:, i] for i, k in enumerate(SWEEP_PARAMS)}


# --------------------------------------------------------------------------------------------
# 1. the sweep
# --------------------------------------------------------------------------------------------
def bench_sweep(n_points: int, reps: int, weeks: int, processes: int, mesa_runs: int, repeats: int,
                log) -> dict:
    cfg = simteam.configure(weeks=weeks)
    points = lhs_points(n_points)
    runs = n_points * reps
    steps = runs * weeks * cfg.team.team_size
    # Mesa sample: runs spread over the points (point p, replication r), same configuration rules
    pick = np.linspace(0, runs - 1, min(mesa_runs, runs)).astype(int)
    sample = [(int(i // reps), int(i % reps)) for i in pick]
    sim_t, mesa_t, sim_c, mesa_c = [], [], [], []
    for rep in range(repeats):
        t, c = time.perf_counter(), _cpu()
        res = simteam.run_points(cfg, points, replications=reps, seed=0, processes=processes)
        sim_t.append(time.perf_counter() - t)
        sim_c.append(_cpu() - c)
        assert len(res.summary) == runs
        t, c = time.perf_counter(), _cpu()
        _mesa_sweep_sample(cfg, points, sample, processes)
        per_run = (time.perf_counter() - t) / len(sample)
        mesa_t.append(per_run * runs)
        mesa_c.append((_cpu() - c) / len(sample) * runs)
        log(f"  sweep repeat {rep + 1}/{repeats}: simteam {sim_t[-1]:.1f} s, Mesa {per_run:.3f} s/run "
            f"-> {mesa_t[-1]:.0f} s scaled")
    s, m = _median(sim_t), _median(mesa_t)
    return {"runs": runs, "weeks": weeks, "agent_steps": steps, "simteam_s": s, "mesa_s": m,
            "simteam_rate": steps / s, "mesa_rate": steps / m, "ratio": m / s, "mesa_sample_runs": len(sample),
            "simteam_all": sim_t, "mesa_all": mesa_t, "processes": processes,
            "simteam_cpu_s": _median(sim_c), "mesa_cpu_s": _median(mesa_c)}


def _mesa_point_runs(cfg, points, sample):
    from simteam.config import replace_path
    out = []
    for p, r in sample:
        c = cfg
        for k, v in points.items():
            c = replace_path(c, k, float(v[p]))
        out.append(_mesa()(c, seed=r).run().summary())
    return out


def _mesa_sweep_sample(cfg, points, sample, processes):
    if processes <= 1:
        return _mesa_point_runs(cfg, points, sample)
    from concurrent.futures import ProcessPoolExecutor
    chunks = [sample[i::processes] for i in range(processes)]
    with ProcessPoolExecutor(max_workers=processes) as ex:
        return [row for part in ex.map(_mesa_point_runs, [cfg] * processes, [points] * processes, chunks)
                for row in part]


# --------------------------------------------------------------------------------------------
# 2. single runs at N reps
# --------------------------------------------------------------------------------------------
def org_config(n: int, weeks: int):
    return simteam.configure(weeks=weeks, team__n_teams=n // 10, team__team_size=10)


def bench_scale(n: int, sim_weeks: int, mesa_weeks: int, repeats: int, log) -> dict:
    sim_t, mesa_t, sim_build, mesa_build, sim_c, mesa_c = [], [], [], [], [], []
    for rep in range(repeats):
        cfg = org_config(n, sim_weeks)
        t = time.perf_counter()
        e = Engine(cfg, seeds=np.array([rep]))
        sim_build.append(time.perf_counter() - t)
        t, c = time.perf_counter(), _cpu()
        e.run()
        sim_t.append(time.perf_counter() - t)
        sim_c.append(_cpu() - c)
        del e
        mcfg = org_config(n, mesa_weeks)
        t = time.perf_counter()
        m = _mesa()(mcfg, seed=rep)
        mesa_build.append(time.perf_counter() - t)
        t, c = time.perf_counter(), _cpu()
        m.run()
        mesa_t.append(time.perf_counter() - t)
        mesa_c.append(_cpu() - c)
        del m
        log(f"  N={n:,} repeat {rep + 1}/{repeats}: simteam {sim_t[-1]:.2f} s / {sim_weeks} wk, "
            f"Mesa {mesa_t[-1]:.2f} s / {mesa_weeks} wk")
    sr = n * sim_weeks / _median(sim_t)
    mr = n * mesa_weeks / _median(mesa_t)
    return {"n": n, "simteam_weeks": sim_weeks, "mesa_weeks": mesa_weeks, "simteam_rate": sr, "mesa_rate": mr,
            "ratio": sr / mr, "simteam_build_s": _median(sim_build), "mesa_build_s": _median(mesa_build),
            "simteam_all": sim_t, "mesa_all": mesa_t,
            "simteam_cpu_rate": n * sim_weeks / _median(sim_c), "mesa_cpu_rate": n * mesa_weeks / _median(mesa_c)}


# --------------------------------------------------------------------------------------------
# 3. memory and recording share
# --------------------------------------------------------------------------------------------
def bench_memory(n: int, weeks: int, mesa_n: int, log) -> dict:
    cfg = org_config(n, weeks)
    tracemalloc.start()
    e = Engine(cfg, seeds=np.array([0]))
    e.run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    state = e.s.nbytes() / n
    del e
    log(f"  memory N={n:,}: peak {peak / n:.0f} B/agent, state arrays {state:.0f} B/agent")
    mcfg = org_config(mesa_n, 1)
    tracemalloc.start()
    m = _mesa()(mcfg, seed=0)
    m.step()
    _, mpeak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del m
    log(f"  Mesa memory N={mesa_n:,}: peak {mpeak / mesa_n:.0f} B/agent")
    return {"n": n, "peak_bytes_per_agent": peak / n, "state_bytes_per_agent": state, "mesa_n": mesa_n,
            "mesa_peak_bytes_per_agent": mpeak / mesa_n}


def record_share(cfg, seeds, overrides=None, repeats: int = 3) -> float:
    """Share of step time spent in ``Engine._record`` (weekly series and year-end accounting)."""
    shares = []
    for _ in range(repeats):
        e = Engine(cfg, seeds=seeds, overrides=overrides)
        spent = [0.0]
        inner = e._record

        def timed(t, inner=inner, spent=spent):
            t0 = time.perf_counter()
            inner(t)
            spent[0] += time.perf_counter() - t0

        e._record = timed
        t = time.perf_counter()
        while e.week < e.weeks:
            e.step()
        shares.append(spent[0] / (time.perf_counter() - t))
    return _median(shares)


# --------------------------------------------------------------------------------------------
# 4. one million reps
# --------------------------------------------------------------------------------------------
def bench_million(n: int, weeks: int, repeats: int, log) -> dict:
    total, build, cpu = [], [], []
    for rep in range(repeats):
        t, c = time.perf_counter(), _cpu()
        e = Engine(org_config(n, weeks), seeds=np.array([rep]))
        build.append(time.perf_counter() - t)
        e.run()
        total.append(time.perf_counter() - t)
        cpu.append(_cpu() - c)
        del e
        log(f"  N={n:,} x {weeks} weeks repeat {rep + 1}/{repeats}: {total[-1]:.1f} s (build {build[-1]:.1f} s)")
    return {"n": n, "weeks": weeks, "total_s": _median(total), "build_s": _median(build),
            "rate": n * weeks / _median(total), "all": total, "cpu_s": _median(cpu)}


# --------------------------------------------------------------------------------------------
def _fmt_rate(x: float) -> str:
    return f"{x / 1e6:.2f} M" if x >= 1e6 else f"{x / 1e3:.1f} k"


def _ok(flag: bool) -> str:
    return "yes" if flag else "**no**"


def table(r: dict, quick: bool) -> str:
    rows = ["| workload | simteam | Mesa baseline | ratio | target | met |", "|---|---|---|---|---|---|"]
    if "sweep" in r:
        s = r["sweep"]
        full = s["runs"] == 5120 and s["weeks"] == 520
        rows.append(f"| sweep: {s['runs']:,} runs x {s['weeks']} wk, 12 reps, {s['processes']} proc "
                    f"(agent-steps/s) | {_fmt_rate(s['simteam_rate'])} | {_fmt_rate(s['mesa_rate'])} (scaled from "
                    f"{s['mesa_sample_runs']} runs) | {s['ratio']:.0f}x | >= 25x | {_ok(s['ratio'] >= 25)} |")
        rows.append(f"| sweep: total wall time | {s['simteam_s']:.1f} s | {s['mesa_s']:.0f} s (scaled) | | "
                    f"<= 10 s{'' if full else ' (full size only)'} | "
                    f"{_ok(s['simteam_s'] <= 10) if full else 'n/a'} |")
    for key in sorted(k for k in r if k.startswith("scale_")):
        s = r[key]
        tgt = TARGETS.get(s["n"])
        rows.append(f"| single run N = {s['n']:,} (agent-steps/s; simteam {s['simteam_weeks']} wk, Mesa "
                    f"{s['mesa_weeks']} wk) | {_fmt_rate(s['simteam_rate'])} | {_fmt_rate(s['mesa_rate'])} | "
                    f"{s['ratio']:.0f}x | {f'>= {tgt:.0f}x' if tgt else '-'} | "
                    f"{_ok(s['ratio'] >= tgt) if tgt else '-'} |")
    if "memory" in r:
        m = r["memory"]
        rows.append(f"| memory at N = {m['n']:,}: peak while running (tracemalloc) | "
                    f"{m['peak_bytes_per_agent']:.0f} B/agent | {m['mesa_peak_bytes_per_agent']:.0f} B/agent "
                    f"(at N = {m['mesa_n']:,}) | | <= 400 B | "
                    f"{_ok(m['peak_bytes_per_agent'] <= 400) if m['n'] >= 1_000_000 else 'n/a'} |")
        rows.append(f"| memory at N = {m['n']:,}: state arrays only | {m['state_bytes_per_agent']:.0f} B/agent "
                    f"| | | | |")
    for key, label in (("record_sweep", "sweep batch (5,120 x 12 reps)"), ("record_org", "one organisation")):
        if key in r:
            rec = r[key]
            rows.append(f"| recording the weekly series, {label}: share of run time | "
                        f"{100 * rec['share']:.1f}% | | | <= 10% | {_ok(rec['share'] <= 0.10)} |")
    if "million" in r:
        m = r["million"]
        full = m["n"] >= 1_000_000 and m["weeks"] >= 52
        rows.append(f"| N = {m['n']:,} x {m['weeks']} weeks, build + run | {m['total_s']:.1f} s "
                    f"({_fmt_rate(m['rate'])} agent-steps/s) | - | | <= 30 s | "
                    f"{_ok(m['total_s'] <= 30) if full else 'n/a'} |")
    head = "quick version (reduced sizes)" if quick else "full version"
    cpu = ["| workload | simteam | Mesa baseline | ratio |", "|---|---|---|---|"]
    # (no CPU row for the sweep: simteam's workers are forked by a fork server, so their CPU time is not
    # counted among this process's children)
    for key in sorted(k for k in r if k.startswith("scale_")):
        s = r[key]
        cpu.append(f"| single run N = {s['n']:,}: agent-steps per CPU second | {_fmt_rate(s['simteam_cpu_rate'])} | "
                   f"{_fmt_rate(s['mesa_cpu_rate'])} | {s['simteam_cpu_rate'] / s['mesa_cpu_rate']:.0f}x |")
    if "million" in r:
        m = r["million"]
        cpu.append(f"| N = {m['n']:,} x {m['weeks']} weeks: CPU seconds | {m['cpu_s']:.1f} s | - | |")
    return (f"simteam benchmark, {head} (wall clock, medians)\n\n" + "\n".join(rows)
            + "\n\nThe same runs in CPU time (robust to other load on the machine):\n\n" + "\n".join(cpu))


def machine() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            model = next(line.split(":", 1)[1].strip() for line in fh if "model name" in line)
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    return (f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}, "
            f"simteam {simteam.__version__}; load average at the end {load[0]:.2f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="short version: smaller sizes, 3 repeats")
    ap.add_argument("--repeats", type=int, default=None, help="interleaved repeats per figure (default 5; quick 3)")
    ap.add_argument("--processes", type=int, default=2, help="processes for the sweep, both engines (default 2)")
    ap.add_argument("--mesa-sweep-runs", type=int, default=None,
                    help="Mesa runs timed per sweep repeat, scaled to the full sweep (default 20; quick 8)")
    ap.add_argument("--only", default=",".join(WORKLOADS),
                    help=f"comma-separated workloads to run, from {', '.join(WORKLOADS)} (default all)")
    ap.add_argument("--json", default="", help="also write the raw figures to this JSON file")
    ap.add_argument("--quiet", action="store_true", help="print only the table")
    ap.add_argument("--from-json", default="", help="print the table of an earlier run saved with --json")
    a = ap.parse_args(argv)
    if a.from_json:
        try:
            with open(a.from_json) as fh:
                r = json.load(fh)
        except (OSError, ValueError) as e:
            ap.error(f"--from-json: cannot read {a.from_json!r}: {e}")
        print(table(r, r.get("quick", False)))
        print(f"\nmachine: {r['machine']}\ncommand: {r['command']}; elapsed {r['elapsed_s']:.0f} s")
        return 0
    only = [w.strip() for w in a.only.split(",") if w.strip()]
    bad = [w for w in only if w not in WORKLOADS]
    if bad:
        ap.error(f"--only: unknown workload {bad[0]!r}; choose from {', '.join(WORKLOADS)}")
    repeats = a.repeats if a.repeats is not None else (3 if a.quick else 5)
    if repeats < 1:
        ap.error(f"--repeats: expected a whole number >= 1, got {repeats}")
    if a.processes < 1:
        ap.error(f"--processes: expected a whole number >= 1, got {a.processes}")
    mesa_runs = a.mesa_sweep_runs if a.mesa_sweep_runs is not None else (8 if a.quick else 20)
    if mesa_runs < 1:
        ap.error(f"--mesa-sweep-runs: expected a whole number >= 1, got {mesa_runs}")
    os.environ.setdefault("SIMTEAM_NO_PROGRESS", "1")

    def log(msg: str) -> None:
        if not a.quiet:
            print(msg, file=sys.stderr, flush=True)

    r: dict = {}
    t0 = time.perf_counter()
    if "sweep" in only:
        log("1. sweep workload")
        if a.quick:
            r["sweep"] = bench_sweep(16, 20, 52, a.processes, mesa_runs, repeats, log)
        else:
            r["sweep"] = bench_sweep(256, 20, 520, a.processes, mesa_runs, repeats, log)
    if "scale" in only:
        log("2. single runs at N reps")
        sizes = ((1_000, 52, 26), (10_000, 26, 4)) if a.quick else \
            ((1_000, 52, 52), (10_000, 52, 8), (100_000, 13, 1))
        for n, sw, mw in sizes:
            r[f"scale_{n:07d}"] = bench_scale(n, sw, mw, repeats, log)
    if "memory" in only:
        log("3. memory and recording")
        r["memory"] = bench_memory(100_000 if a.quick else 1_000_000, 2, 10_000 if a.quick else 100_000, log)
        wk = 26 if a.quick else 52
        pts = lhs_points(256)
        r["record_sweep"] = {"share": record_share(
            simteam.configure(weeks=wk), np.tile(np.arange(20), 256),
            {k: np.repeat(v, 20) for k, v in pts.items()}, repeats=min(repeats, 3))}
        r["record_org"] = {"share": record_share(org_config(100_000, 4 if a.quick else 8), np.array([0]),
                                                 repeats=min(repeats, 3))}
        log(f"  recording share: sweep batch {100 * r['record_sweep']['share']:.1f}%, "
            f"organisation {100 * r['record_org']['share']:.1f}%")
    if "million" in only:
        log("4. one million reps")
        if a.quick:
            r["million"] = bench_million(100_000, 52, 1, log)
        else:
            r["million"] = bench_million(1_000_000, 52, 1, log)  # one repeat: 1-3 minutes each
    r["quick"] = a.quick
    r["machine"] = machine()
    r["elapsed_s"] = time.perf_counter() - t0
    r["command"] = "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    print(table(r, a.quick))
    print(f"\nmachine: {r['machine']}\ncommand: {r['command']}; elapsed {r['elapsed_s']:.0f} s")
    if a.json:
        tmp = a.json + ".tmp"
        with open(tmp, "w") as fh:
            json.dump(r, fh, indent=1, default=float)
        os.replace(tmp, a.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
