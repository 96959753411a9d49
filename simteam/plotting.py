"""Figures: weekly series with quantile bands (matplotlib's object API, headless-safe).

Library code never touches pyplot's global state or the backend: figures are
:class:`matplotlib.figure.Figure` objects drawn on an Agg canvas (:func:`new_figure`), which
need no closing and work in threads, servers and notebooks alike. Save them with
:func:`simteam.io.write_figure`, or :func:`png_bytes` for an in-memory PNG.
"""

from __future__ import annotations

import numpy as np

__all__ = ["plot_bands", "new_figure", "png_bytes", "LABELS"]

LABELS = {
    "revenue": "Weekly revenue (k$)", "morale": "Morale", "trust": "Trust in leader",
    "headcount": "Headcount", "adoption": "Adoption share", "skill": "Skill", "stress": "Stress",
    "quits": "Quits per week", "toxic_share": "Toxic share", "attainment": "Attainment pace",
}


def new_figure(figsize: tuple[float, float] = (6.4, 4.8), **kwargs):
    """A :class:`matplotlib.figure.Figure` on an Agg canvas (no pyplot, no backend switch)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, **kwargs)
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig, dpi: int = 120, bbox_inches: str | None = "tight") -> bytes:
    """The figure as PNG bytes (for embedding in HTML or serving)."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches=bbox_inches)
    return buf.getvalue()


def plot_bands(results, series=("revenue", "morale", "trust", "headcount"), ax=None, label=None, color=None):
    """Median and 10-90% band across replications for each series; returns the figure."""
    series = [s for s in series if not np.all(np.isnan(results.series[s]))]
    if ax is None:
        fig = new_figure(figsize=(3.6 * len(series), 3.0))
        axes = fig.subplots(1, len(series), squeeze=False)[0]
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
