"""The validation command: analytic checks and calibration bands, printed and saved.

Usage::

    python experiments/validate.py                    # full sizes -> outputs/validation/
    python experiments/validate.py --size ci          # the reduced sizes the test suite uses
    python experiments/validate.py --figures docs/img # also copy the figures for docs/validation.md

Writes ``validation.csv`` and ``validation.md`` (expected, measured, tolerance, status per
check) and PNG figures; exits with status 1 when any check fails. ``simteam
experiment=validate`` runs the same checks through the Hydra app.
"""

from __future__ import annotations

import argparse
import pathlib
import shutil
import sys
import time

import simteam
from simteam.validation import failing, format_table, plot_figures, run_validation, write_report

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=("full", "ci"), default="full", help="run sizes (default: full)")
    ap.add_argument("--out", default=str(ROOT / "outputs" / "validation"), help="output folder")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--figures", default=None, help="also copy the figures into this folder (e.g. docs/img)")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    try:
        table, data = run_validation(simteam.SimConfig(), {"size": a.size, "seed": a.seed})
    except simteam.ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    out = pathlib.Path(a.out)
    paths = write_report(table, out) + plot_figures(data, out)
    print(f"simteam {simteam.__version__} validation ({a.size} sizes, seed {a.seed}), "
          f"{time.perf_counter() - t0:.0f} s\n")
    print(format_table(table))
    print(f"\nwrote {', '.join(p.name for p in paths)} to {out}")
    if a.figures:
        dest = pathlib.Path(a.figures)
        dest.mkdir(parents=True, exist_ok=True)
        for p in paths:
            if p.suffix == ".png":
                shutil.copyfile(p, dest / p.name)
    return 1 if len(failing(table)) else 0


if __name__ == "__main__":
    sys.exit(main())
