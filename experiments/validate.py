"""The validation command: analytic checks and calibration bands, printed and saved.

Usage::

    python experiments/validate.py                    # full sizes -> outputs/validation/
    python experiments/validate.py --size ci          # the reduced sizes the test suite uses
    python experiments/validate.py --scan --figures docs/img   # + SIS threshold scan; figures for the docs

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

import numpy as np

import simteam
from simteam.io import write_csv, write_figure
from simteam.plotting import new_figure
from simteam.research.validation import failing, format_table, plot_figures, run_validation, sis_scan, write_report

ROOT = pathlib.Path(__file__).resolve().parents[1]


def plot_scan(scan, path):
    """Prevalence against the infection rate in units of the epidemic threshold."""
    fig = new_figure(figsize=(5.5, 4))
    ax = fig.add_subplot()
    ax.plot(scan.ratio, scan.prevalence_late * 100, "o-", label="simulated (mean over 2nd half)")
    ax.plot(scan.ratio, scan.nimfa * 100, "--", color="grey", label="mean-field (NIMFA) bound")
    ax.axvline(1.0, ls=":", color="black", label="threshold beta'/delta' = 1/lambda_max")
    ax.set_xlabel("beta'/delta' x lambda_max")
    ax.set_ylabel("% of reps toxic")
    ax.set_title("SIS threshold of toxic-behaviour spread")
    ax.legend(fontsize=8)
    return write_figure(fig, path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=("full", "ci"), default="full", help="run sizes (default: full)")
    ap.add_argument("--out", default=str(ROOT / "outputs" / "validation"), help="output folder")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scan", action="store_true", help="also scan the SIS infection rate across the threshold")
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
    if a.scan:
        scan = sis_scan(data["settings"]["sis"], np.r_[0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0],
                        seed=a.seed)
        print("\nSIS threshold scan (ratio = beta'/delta' x lambda_max; 1 = epidemic threshold):")
        print(scan.round(4).to_string(index=False))
        paths.append(write_csv(scan, out / "sis_scan.csv"))
        paths.append(plot_scan(scan, out / "validation_sis_scan.png"))
    if a.figures:
        dest = pathlib.Path(a.figures)
        dest.mkdir(parents=True, exist_ok=True)
        for p in paths:
            if p.suffix == ".png":
                shutil.copyfile(p, dest / p.name)
    return 1 if len(failing(table)) else 0


if __name__ == "__main__":
    sys.exit(main())
