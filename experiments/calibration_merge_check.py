"""Does the joint fit of docs/calibration.md section 4 still describe the merged model?

The fit's five moments (32 replications, seed 0, as in the fit) and the named-style table (200 replications,
seeds 1..200) at the fitted parameters: the merged model as it is (toxic climate of issue 13 and role ambiguity
both on, the defaults), without role ambiguity, and without either (the model the fit ran on).

    python experiments/calibration_merge_check.py
"""

from __future__ import annotations

import pathlib
import sys
import time

import numpy as np

import simteam
from simteam.research.calibration import StyleMomentSimulator

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from calibrate_v2 import PARAMS, TARGETS, fmt_styles, style_table  # noqa: E402

#: the estimates of the fit table in docs/calibration.md section 4
THETA = [0.003765, 0.5655, 0.9699, 0.9721]


def main() -> int:
    t0 = time.perf_counter()
    moments = [t[0] for t in TARGETS]
    for climate, ambiguity in ((True, True), (True, False), (False, False)):
        cfg = simteam.configure(market="stable", mechanisms={"toxic_climate": climate, "role_ambiguity": ambiguity})
        print(f"\n== toxic_climate {climate}, role_ambiguity {ambiguity}\n")
        print(fmt_styles(style_table(cfg, THETA, 200, 1)))
        sim = StyleMomentSimulator(cfg, PARAMS, moments, 32, 0)
        m = sim.mean_moments(np.array([THETA]))[0]
        print("fit moments (32 replications, seed 0): " + ", ".join(f"{k} {v:.4f}" for k, v in zip(moments, m)))
        s = simteam.run(cfg, replications=200, seed=1).summary
        print(f"default team, 200 replications: toxic share at the end {s.toxic_final.mean():.4f}, "
              f"turnover {s.turnover_annual.mean():.4f}")
    print(f"\n{time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
