"""Figures: weekly series with quantile bands (matplotlib, headless-safe)."""

from __future__ import annotations

import numpy as np

__all__ = ["plot_bands", "LABELS"]

LABELS = {
    "revenue": "Weekly revenue (k$)", "morale": "Morale", "trust": "Trust in leader",
    "headcount": "Headcount", "adoption": "Adoption share", "skill": "Skill", "stress": "Stress",
    "quits": "Quits per week", "toxic_share": "Toxic share", "attainment": "Attainment pace",
}


def plot_bands(results, series=("revenue", "morale", "trust", "headcount"), ax=None, label=None, color=None):
    """Median and 10-90% band across replications for each series; returns the figure."""
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
        try:
            matplotlib.use("Agg")
        except Exception:  # pragma: no cover
            pass
    import matplotlib.pyplot as plt

    series = [s for s in series if not np.all(np.isnan(results.series[s]))]
    if ax is None:
        fig, axes = plt.subplots(1, len(series), figsize=(3.6 * len(series), 3.0), squeeze=False)
        axes = axes[0]
    else:
        axes = np.atleast_1d(ax)
        fig = axes[0].figure
    weeks = np.arange(results.series[series[0]].shape[0])
    for a, name in zip(axes, series):
        v = results.series[name]
        lo, med, hi = np.nanquantile(v, [0.1, 0.5, 0.9], axis=1)
        line, = a.plot(weeks, med, lw=1.6, label=label, color=color)
        a.fill_between(weeks, lo, hi, alpha=0.25, color=line.get_color(), lw=0)
        a.set_title(LABELS.get(name, name), fontsize=10)
        a.set_xlabel("week")
        a.grid(alpha=0.3)
    fig.tight_layout()
    return fig
