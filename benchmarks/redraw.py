"""Dashboard redraw figures (issue 17): the charts drawn from scratch against the charts updated in place.

The workshop dashboard updates its charts' lines in an existing figure and re-renders only what moved over a
saved background (:class:`simteam.workshop.app.FastPng`); this prints both times on the crisis demo at week 30,
the best of ``--repeats`` runs each. (A benchmark, not a test: speed is shown with printed figures.)

Usage::

    python benchmarks/redraw.py [--repeats 5] [--week 30]
"""

from __future__ import annotations

import argparse
import io
import time


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--week", type=int, default=30)
    args = p.parse_args(argv)

    from matplotlib.figure import Figure

    from simteam.workshop.app import DashboardModel, FastPng, charts_figure, settings_for_demo

    m = DashboardModel(settings_for_demo("crisis"))
    for _ in range(args.week):
        m.step()
    fig = Figure(dpi=80)
    fast = FastPng(fig)
    charts_figure(m, fig=fig)
    fast.png()

    def full():
        charts_figure(m).savefig(io.BytesIO(), format="png", dpi=80)

    def in_place():
        charts_figure(m, fig=fig)
        fast.png()

    best = {}
    for _ in range(args.repeats):
        for name, f in (("full redraw", full), ("in place", in_place)):
            t = time.perf_counter()
            f()
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - t)
    for name, t in best.items():
        print(f"charts, crisis demo week {args.week}: {name:12s} {1000 * t:7.0f} ms (best of {args.repeats})")
    print(f"speed-up: {best['full redraw'] / best['in place']:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
