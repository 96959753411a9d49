"""Reproduce docs/calibration.md: fit the default team to the published bands, and a recovery check.

Usage::

    python experiments/calibrate.py            # both studies -> outputs/calibration/, figures -> docs/img/
    python experiments/calibrate.py --quick    # small budgets (a smoke run)

1. **Bands**: the settings of ``simteam/conf/experiment/calibrate.yaml`` (people.quit_base and
   selling.quota fitted to the midpoints of the turnover, quota-attainment and top-20%
   share bands) on the default 12-rep team in a stable market; the same fit as
   ``simteam experiment=calibrate``.
2. **Recovery**: "observed" moments simulated with known values (quit_base 0.0055, quota
   820) on seeds the fit never uses; the fit must find them again.
"""

from __future__ import annotations

import argparse
import pathlib
import shutil
import sys
import time

import numpy as np
import yaml

import simteam
from simteam.research.calibration import Target, calibrate, format_result, load_targets, write_result
from simteam.config import replace_path
from simteam.research.sensitivity import parse_parameters

ROOT = pathlib.Path(__file__).resolve().parents[1]
MOMENTS = ("turnover_annual", "quota_share", "top20_revenue_share")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "outputs" / "calibration"))
    ap.add_argument("--img", default=str(ROOT / "docs" / "img"))
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args(argv)
    out = pathlib.Path(a.out)
    s = yaml.safe_load((ROOT / "simteam" / "conf" / "experiment" / "calibrate.yaml").read_text())["calibration"]
    if a.quick:
        s.update(replications=8, maxiter=2, popsize=3, polish=False, profile_points=3)
    kw = {k: s[k] for k in ("replications", "seed", "method", "maxiter", "popsize", "polish", "polish_maxfev",
                            "weighting", "jacobian_step", "profile_points", "processes")}
    params = parse_parameters(s["parameters"], section="calibration", allow_structural=True)

    # 1. the published bands, default 12-rep team, two years, stable market
    cfg = simteam.configure(market="stable")
    t0 = time.perf_counter()
    r = calibrate(cfg, params, load_targets(s["targets"]), **kw)
    print(f"== 1. Fit to the published bands (12-rep team, {cfg.weeks} weeks, stable market; "
          f"{time.perf_counter() - t0:.0f} s)\n")
    print(format_result(r))
    paths = write_result(r, out / "bands")

    # 2. recovery of known parameters from simulated data
    truth = {"people.quit_base": 0.0055, "selling.quota": 820.0}
    c = cfg
    for k, v in truth.items():
        c = replace_path(c, k, v)
    n_obs = 100 if a.quick else 1000
    data = simteam.run(c, replications=n_obs, seed=1_000_000).summary
    targets = [Target(m, float(data[m].mean()), float(data[m].std(ddof=1) / np.sqrt(n_obs))) for m in MOMENTS]
    t0 = time.perf_counter()
    r2 = calibrate(cfg, params, targets, **kw)
    print(f"\n== 2. Recovery: data = {n_obs} team-runs simulated with {truth} on seeds 1000000+ "
          f"({time.perf_counter() - t0:.0f} s)\n")
    print(format_result(r2))
    p = r2.params.set_index("parameter")
    for k, v in truth.items():
        print(f"  {k}: true {v:g}, fitted {p.loc[k, 'estimate']:.4g} +- {p.loc[k, 'se']:.2g} "
              f"(error {(p.loc[k, 'estimate'] - v) / p.loc[k, 'se']:+.2f} se)")
    paths += write_result(r2, out / "recovery")
    if not a.quick:
        img = pathlib.Path(a.img)
        img.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out / "bands" / "calibration_check.png", img / "calibration_check_bands.png")
        shutil.copyfile(out / "recovery" / "calibration_check.png", img / "calibration_check_recovery.png")
    print(f"\nwrote {len(paths)} files to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
