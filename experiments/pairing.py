"""Why simteam pairs runs on the same seeds: paired vs unpaired 95% intervals of a difference.

Runs two leadership styles under the recession market (the default study) for R replications
(a) on the same seeds 0..R-1 (common random numbers, what every simteam sweep does) and
(b) on disjoint seeds (the baseline on seeds 100000.., as if the two had been run separately),
and prints, for several R, the 95% interval of the difference in mean revenue, turnover and
morale: paired t interval for (a), Welch interval for (b). Writes docs/figures/pairing_ci.png
and docs/figures/pairing_ci.csv.

    python experiments/pairing.py            # the figure and table in docs/comparisons.md
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import simteam
from simteam.io import write_csv, write_png
from simteam.results import paired_difference

OUT = Path(__file__).resolve().parent.parent / "docs" / "figures"
METRICS = ("revenue", "turnover_annual", "morale_final")


def main(sizes=(25, 50, 100, 200), base="balanced", alt="coaching", market="recession") -> pd.DataFrame:
    """Run the comparison and return one row per (R, metric) with both intervals."""
    n_max = max(sizes)
    cfg_a = simteam.configure(style=base, market=market)
    cfg_b = simteam.configure(style=alt, market=market)
    a_same = simteam.run(cfg_a, replications=n_max, seed=0).summary
    b_same = simteam.run(cfg_b, replications=n_max, seed=0).summary
    a_other = simteam.run(cfg_a, replications=n_max, seed=100_000).summary
    rows = []
    for n in sizes:
        for m in METRICS:
            p = paired_difference(a_same[m].to_numpy()[:n], b_same[m].to_numpy()[:n])
            u = paired_difference(a_other[m].to_numpy()[:n], b_same[m].to_numpy()[:n])  # Welch part is used
            rows.append({"replications": n, "metric": m, "diff_paired": p["mean"], "lo_paired": p["lo"],
                         "hi_paired": p["hi"], "diff_unpaired": float(b_same[m][:n].mean() - a_other[m][:n].mean()),
                         "lo_unpaired": u["unpaired_lo"], "hi_unpaired": u["unpaired_hi"],
                         "width_ratio": (p["hi"] - p["lo"]) / (u["unpaired_hi"] - u["unpaired_lo"]),
                         "corr_same_seeds": float(np.corrcoef(a_same[m][:n], b_same[m][:n])[0, 1])})
    df = pd.DataFrame(rows)
    fig, axes = plt.subplots(1, len(METRICS), figsize=(4 * len(METRICS), 3.4))
    for ax, m in zip(axes, METRICS):
        d = df[df.metric == m]
        x = np.arange(len(d))
        ax.errorbar(x - 0.1, d.diff_paired, yerr=[d.diff_paired - d.lo_paired, d.hi_paired - d.diff_paired],
                    fmt="o", capsize=3, label="paired (same seeds)")
        ax.errorbar(x + 0.1, d.diff_unpaired, yerr=[d.diff_unpaired - d.lo_unpaired, d.hi_unpaired - d.diff_unpaired],
                    fmt="s", capsize=3, color="0.5", label="unpaired (other seeds)")
        ax.set_xticks(x, [str(n) for n in d.replications])
        ax.set_xlabel("replications per style")
        ax.set_title(f"{alt} - {base}: {m}", fontsize=9)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.suptitle(f"95% intervals of a difference, market={market}", fontsize=10)
    fig.tight_layout()
    write_png(fig, OUT / "pairing_ci.png")
    write_csv(df, OUT / "pairing_ci.csv")
    return df


if __name__ == "__main__":
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.float_format", "{:.4g}".format):
        print(main().to_string(index=False))
    sys.exit(0)
