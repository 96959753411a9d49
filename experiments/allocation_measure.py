"""docs/model.md §7.15, "Measured": revenue with segment allocation on minus off at the same data orientation
(100 paired replications, seeds 1..100, 156 weeks), in the stable market and the recession preset.

    python experiments/allocation_measure.py
"""

from __future__ import annotations

import sys
import time

import simteam


def main() -> int:
    t0 = time.perf_counter()
    for market in ("stable", "recession"):
        out = []
        for data in (0.0, 0.5, 1.0):
            kw = dict(weeks=156, market=market, leadership={"data_orientation": data})
            off = simteam.run(simteam.configure(**kw), replications=100, seed=1).summary.revenue.to_numpy()
            on = simteam.run(simteam.configure(mechanisms={"segment_allocation": True}, **kw),
                             replications=100, seed=1).summary.revenue.to_numpy()
            d = simteam.paired_difference(off, on)
            m = off.mean()
            out.append(f"data {data}: {100 * (on.mean() / m - 1):+.1f}% [{100 * d['lo'] / m:+.1f}, "
                       f"{100 * d['hi'] / m:+.1f}]")
        print(market, "; ".join(out))
    print(f"{time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
