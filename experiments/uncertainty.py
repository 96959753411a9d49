"""How sure: coaching vs command-and-control with the effect sizes drawn from the evidence ranges.

Usage::

    python experiments/uncertainty.py                      # K = 16 draws x R = 25 replications -> outputs/uncertainty/
    python experiments/uncertainty.py --draws 32 --replications 50 --figures docs/img

Prints the table of docs/uncertainty.md ("Measured"): per outcome and style, and for the paired difference,
the mean, the 95% range from luck alone, the 95% range from not knowing the effect sizes and the share of
the variance from the effect sizes; writes ``uncertainty.csv`` and ``uncertainty_draws.png`` (each draw's
expected difference with its luck range).
"""

from __future__ import annotations

import argparse
import pathlib
import shutil
import sys
import time

import numpy as np
import pandas as pd

import simteam
from simteam.io import write_csv, write_figure
from simteam.plotting import new_figure
from simteam.uncertainty import compare

ROOT = pathlib.Path(__file__).resolve().parents[1]
COLUMNS = ("revenue", "turnover_annual", "quota_share", "morale_final")
PCT = {"turnover_annual", "quota_share"}


def _f(metric: str, x: float, diff: bool = False) -> str:
    if metric in PCT:
        return f"{x * 100:+.1f} pp" if diff else f"{x * 100:.1f}%"
    if metric == "revenue":
        return f"{x:+,.0f}" if diff else f"{x:,.0f}"
    return f"{x:+.3f}" if diff else f"{x:.3f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=16)
    ap.add_argument("--replications", type=int, default=25)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--table", default="evidence", help="range table (simteam/conf/uncertainty/) or a YAML path")
    ap.add_argument("--out", default=str(ROOT / "outputs" / "uncertainty"))
    ap.add_argument("--figures", default=None, help="also copy the figure into this folder (e.g. docs/img)")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    runs = {}
    try:
        for style in ("coaching", "command_and_control"):
            runs[style] = simteam.run(simteam.configure(style=style, market="stable", weeks=104),
                                      replications=a.replications, seed=a.seed, uncertainty=a.table, draws=a.draws)
    except simteam.ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    rows = []
    for style, res in runs.items():
        rows += [dict(r, style=style) for r in res.uncertainty_summary(COLUMNS).to_dict("records")]
    diff = compare(runs["coaching"], runs["command_and_control"], COLUMNS)
    rows += [dict(r, style="command_and_control - coaching") for r in diff.to_dict("records")]
    tab = pd.DataFrame(rows)
    elapsed = time.perf_counter() - t0
    print(f"simteam {simteam.__version__}: {a.draws} parameter draws x {a.replications} replications "
          f"({a.table} table), default team, stable market, 104 weeks, seed {a.seed}; {elapsed:.0f} s\n")
    print("| outcome | style | mean | luck alone | effect sizes | share of variance from the effect sizes |")
    print("|---|---|---|---|---|---|")
    for _, r in tab.iterrows():
        d = " - " in r["style"]
        print(f"| {r.metric} | {r['style']} | {_f(r.metric, r['mean'], d)} | {_f(r.metric, r.luck_lo, d)} to "
              f"{_f(r.metric, r.luck_hi, d)} | {_f(r.metric, r.assumptions_lo, d)} to {_f(r.metric, r.assumptions_hi, d)} "
              f"| {r.share_assumptions * 100:.0f}% |")
    print("\nshare of parameter draws in which command-and-control does better (expected difference > 0):",
          ", ".join(f"{m} {p:.0%}" for m, p in zip(diff.metric, diff.p_better_draws)))
    out = pathlib.Path(a.out)
    paths = [write_csv(tab, out / "uncertainty.csv")]
    # each draw's expected difference in annual turnover, with its luck range
    m = "turnover_annual"
    A, B = runs["coaching"].summary, runs["command_and_control"].summary
    d = (B[m] - A[m]).to_numpy(dtype=float).reshape(a.draws, -1)
    fig = new_figure(figsize=(6.5, 4))
    ax = fig.add_subplot()
    k = np.arange(a.draws)
    order = np.argsort(np.nanmean(d, axis=1))
    lo, hi = np.nanquantile(d[order], [0.1, 0.9], axis=1)
    ax.vlines(k, lo * 100, hi * 100, color="tab:blue", alpha=0.4, lw=3, label="luck: 10-90% of the futures")
    ax.plot(k, np.nanmean(d[order], axis=1) * 100, "o", color="tab:blue", label="expected difference of the draw")
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xlabel("parameter draw (sorted by its expected difference)")
    ax.set_ylabel("annual turnover: command-and-control - coaching (pp)")
    ax.set_title("Luck within a draw vs the spread between effect-size draws")
    ax.legend(fontsize=8)
    paths.append(write_figure(fig, out / "uncertainty_draws.png", bbox_inches="tight"))
    print(f"\nwrote {', '.join(p.name for p in paths)} to {out}")
    if a.figures:
        dest = pathlib.Path(a.figures)
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(paths[-1], dest / paths[-1].name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
