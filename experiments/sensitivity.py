"""Reproduce docs/sensitivity.md: the default leadership study and the Ishigami check.

Usage::

    python experiments/sensitivity.py                 # default study -> outputs/sensitivity/, figures -> docs/img/
    python experiments/sensitivity.py --quick         # small design (a smoke run)

The default study is the one in ``simteam/conf/experiment/sensitivity.yaml`` on the Hydra app's
default study (12-rep team, 104 weeks, recession, balanced leadership), so
``simteam experiment=sensitivity`` computes the same indices.
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
from simteam.research.sensitivity import (
    ISHIGAMI_INDICES,
    Parameter,
    format_tables,
    ishigami,
    run_study,
    sobol_analysis,
    write_csv,
    write_study,
)

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "outputs" / "sensitivity"), help="output folder")
    ap.add_argument("--img", default=str(ROOT / "docs" / "img"), help="where to copy the figures")
    ap.add_argument("--quick", action="store_true", help="small design for a smoke run")
    ap.add_argument("--processes", type=int, default=1)
    a = ap.parse_args(argv)
    out = pathlib.Path(a.out)

    # 1. Ishigami through the same code path (analytic evaluation function)
    params = [Parameter(f"x{i}", -np.pi, np.pi) for i in (1, 2, 3)]
    table, _, _ = sobol_analysis(params, ishigami, n=1024, seed=1)
    table["S1_exact"] = ISHIGAMI_INDICES["S1"]
    table["ST_exact"] = ISHIGAMI_INDICES["ST"]
    write_csv(table, out / "ishigami.csv")
    print("Ishigami (a=7, b=0.1), Sobol with n=1024 (5120 evaluations):")
    print(table.drop(columns="outcome").round(3).to_string(index=False))

    # 2. The default leadership study
    section = yaml.safe_load((ROOT / "simteam" / "conf" / "experiment" / "sensitivity.yaml").read_text())["sensitivity"]
    section["processes"] = a.processes
    if a.quick:
        section.update(replications=2, morris={"trajectories": 4, "levels": 4}, sobol={"n": 8, "second_order": False})
    cfg = simteam.configure(market="recession", weeks=104)
    t0 = time.perf_counter()
    tables = run_study(cfg, section)
    dt = time.perf_counter() - t0
    rows = sum(len(t) for k, t in tables.items() if k.endswith("_samples")) * section["replications"]
    print(f"\nDefault study: 12-rep team, 104 weeks, recession; {rows} simulated runs in {dt:.0f} s")
    print(format_tables(tables))
    paths = write_study(tables, out)
    img = pathlib.Path(a.img)
    if not a.quick:
        img.mkdir(parents=True, exist_ok=True)
        for p in paths:
            if p.suffix == ".png":
                shutil.copyfile(p, img / f"sensitivity_{p.name}")
    print(f"\nwrote {len(paths) + 1} files to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
