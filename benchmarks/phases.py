"""Where a week's time goes: per-phase shares of the engine's run time, and unit costs.

    python benchmarks/phases.py                 # sweep batch (5,120 x 12 seats) and 1,000,000 reps
    python benchmarks/phases.py --only sweep --weeks 104

Each phase function called by ``Engine.step`` is wrapped with a timer (wall clock of one process;
the wrapping adds well under 1%). The unit costs time the compiled ``ndtri`` and ``exp`` against
scipy's and numpy's own loops on ten million numbers, and a first-touch against a warm copy of
800 MB (the cost of page faults on this machine).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import simteam  # noqa: E402
from simteam.engine import Engine  # noqa: E402

def timed_run(engine: Engine) -> tuple[float, dict[str, float]]:
    """Run ``engine``, timing each mechanism's weekly ``step`` (by its name, in step order), the events and
    the recording of the weekly series; the wrappers sit on the engine's own mechanism objects."""
    spent: dict[str, float] = {}

    def timed(f, label):
        def wrapper(*a, **k):
            t = time.perf_counter()
            try:
                return f(*a, **k)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - t
        return wrapper

    for m in engine.mechanisms:
        m.step = timed(m.step, m.name)
    engine._record = timed(engine._record, "record")
    t = time.perf_counter()
    engine.run()
    return time.perf_counter() - t, spent


def unit_costs() -> list[str]:
    import numba
    from scipy.special import ndtri as scipy_ndtri

    from simteam import kernels

    @numba.njit
    def nd(u, out):
        for i in range(u.size):
            out[i] = kernels.ndtri(u[i])

    @numba.njit
    def ex(x, out):
        for i in range(x.size):
            out[i] = np.exp(x[i])

    rng = np.random.default_rng(0)
    u = rng.random(10_000_000)
    out = np.empty_like(u)

    def best(f, reps=3):
        f()
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            f()
            times.append(time.perf_counter() - t)
        return min(times) / u.size * 1e9

    lines = [f"ndtri: compiled {best(lambda: nd(u, out)):.1f} ns, scipy loop {best(lambda: scipy_ndtri(u, out=out)):.1f} ns",
             f"exp:   compiled {best(lambda: ex(u, out)):.1f} ns, numpy loop {best(lambda: np.exp(u, out=out)):.1f} ns"]
    a = np.ones(100_000_000)
    t = time.perf_counter()
    b = a.copy()
    first = 0.8 / (time.perf_counter() - t)
    t = time.perf_counter()
    np.copyto(b, a)
    warm = 0.8 / (time.perf_counter() - t)
    lines.append(f"copy of 800 MB: into fresh memory {first:.1f} GB/s, into used memory {warm:.1f} GB/s")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", default=["sweep", "million", "units"], choices=["sweep", "million", "units"])
    ap.add_argument("--weeks", type=int, default=52, help="weeks of the sweep batch (default 52)")
    args = ap.parse_args(argv)
    rows = []
    if "sweep" in args.only:
        from run import lhs_points
        pts, R = lhs_points(256), 20
        e = Engine(simteam.configure(weeks=args.weeks), seeds=np.tile(np.arange(R), 256),
                   overrides={k: np.repeat(v, R) for k, v in pts.items()})
        rows.append((f"sweep batch (B = {e.B:,}, N = {e.N}; {args.weeks} weeks)",) + timed_run(e))
    if "million" in args.only:
        e = Engine(simteam.configure(weeks=4, team__n_teams=100_000, team__team_size=10), seeds=np.array([0]))
        rows.append(("one organisation (N = 1,000,000; 4 weeks)",) + timed_run(e))
    for label, total, spent in rows:
        print(f"{label}: {total:.2f} s")
        for name, s in sorted(spent.items(), key=lambda kv: -kv[1]):
            print(f"  {name:<11} {100 * s / total:5.1f}%")
    if "units" in args.only:
        print("unit costs per number:")
        for line in unit_costs():
            print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
