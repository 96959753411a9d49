"""Reproduce the figures of docs/cli.md and docs/comparisons.md through the real command line.

1. ``simteam`` (the default study) into ``outputs/docs/default``; its PNGs are copied to
   ``docs/figures/cli_<name>.png``.
2. ``simteam -m experiment=leadership_recession`` into ``outputs/docs/leadership_recession``; the
   sweep is collected and compared against ``leadership=balanced`` (the experiment's baseline) by the
   on_multirun_end callback; the report's figures are copied to ``docs/figures/compare_<name>.png``.
3. ``simteam -m experiment=crisis_responses`` likewise (baseline ``crisis=none``), figures
   ``docs/figures/crisis_<name>.png``.

    python experiments/cli_figures.py [--launcher joblib]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIG = ROOT / "docs" / "figures"
OUT = ROOT / "outputs" / "docs"


def simteam(*args: str) -> None:
    """Run ``python -m simteam`` with ``args`` from the repository root, echoing its output."""
    cmd = [sys.executable, "-m", "simteam", *args]
    print("$", "simteam", " ".join(args), flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True)


def copy(src_dir: Path, pattern: str, prefix: str) -> None:
    """Copy the PNGs matching ``pattern`` into docs/figures with a prefix."""
    FIG.mkdir(parents=True, exist_ok=True)
    for p in sorted(src_dir.glob(pattern)):
        shutil.copyfile(p, FIG / f"{prefix}{p.name}")
        print("  figure:", (FIG / f"{prefix}{p.name}").relative_to(ROOT))


def main() -> None:
    """Run the three studies and copy their figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--launcher", default="basic", help="basic (default) or joblib")
    args = ap.parse_args()
    launcher = [] if args.launcher == "basic" else [f"hydra/launcher={args.launcher}"]

    simteam(f"hydra.run.dir={OUT / 'default'}")
    copy(OUT / "default", "*.png", "cli_")

    sweep = OUT / "leadership_recession"
    shutil.rmtree(sweep, ignore_errors=True)
    simteam("-m", "experiment=leadership_recession", "output.figures=false", f"hydra.sweep.dir={sweep}", *launcher)
    copy(sweep, "diff_*.png", "compare_")

    sweep = OUT / "crisis_responses"
    shutil.rmtree(sweep, ignore_errors=True)
    simteam("-m", "experiment=crisis_responses", "output.figures=false", f"hydra.sweep.dir={sweep}", *launcher)
    copy(sweep, "diff_*.png", "crisis_")


if __name__ == "__main__":
    main()
