"""The workshop dashboard: a Mesa SolaraViz app over :class:`simteam.model.SalesTeamModel`.

Run it with ``simteam-dashboard`` (see :mod:`simteam.workshop.dashboard`) or ``solara run simteam.workshop.app``.

Layout: Mesa's :func:`~mesa.visualization.SolaraViz` provides the app bar and the sidebar
controls (play, step, reset, play interval); its ``model_params`` carry one fixed parameter,
``settings``, a per-session reactive :class:`Settings` that the scenario card in the
sidebar edits (demo, seed, market, leadership style and one slider per behaviour, crisis
strategy, side-by-side). Mesa's Reset builds a new :class:`DashboardModel` from those
settings. The main area shows the KPI strip, the intervention buttons, the team network
and the live charts, all re-drawn on Mesa's ``update_counter``.

Side by side, :class:`DashboardModel` also runs a twin :class:`SalesTeamModel` with side B's
leadership on the same seed (common random numbers): both step together and every
intervention hits both, so only the leadership differs.

Example:
    >>> from simteam.workshop.app import DashboardModel, Settings
    >>> m = DashboardModel(Settings(seed="7", compare=True))
    >>> for _ in range(3):
    ...     m.step()
    >>> m.week, m.twin.week
    (3, 3)
"""

from __future__ import annotations

import dataclasses
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import numpy as np
import solara
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update, update_counter

from .demos import DEMOS, KINDS, DemoSide
from ..leadership import _B as BEHAVIOURS
from ..leadership import STRATEGIES, STYLES
from ..market import PRESETS
from ..fmt import fmt_number
from ..io import write_figure
from ..plotting import png_bytes
from ..model import SalesTeamModel, coerce_seed

__all__ = [
    "INTERVENTION_LABELS",
    "MARKETS",
    "DashboardModel",
    "Page",
    "Settings",
    "Side",
    "TeamModel",
    "charts_figure",
    "export_dir",
    "export_png",
    "network_figure",
    "run_script",
    "settings_for_demo",
    "settings_problem",
]

MARKETS = ("stable", *PRESETS)
INTERVENTION_LABELS = {
    "crisis": "Trigger crisis", "toxic_hire": "Hire toxic star", "recognition_event": "Recognition event",
    "rollout": "Start tool rollout", "regroup": "Regroup team",
}
_MARK_SHORT = {"crisis": "crisis", "toxic_hire": "toxic hire", "recognition_event": "recognition",
               "rollout": "rollout", "regroup": "regroup"}
COLORS = {"a": "#1f5fa8", "b": "#d9741c"}


# ------------------------------------------------------------------------------------------------
# Settings (what the scenario card edits)
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Side:
    """One leadership side: label, style preset, behaviour values, crisis strategy, other overrides."""

    label: str = "A"
    style: str = "balanced"
    behaviours: dict = field(default_factory=lambda: dict(STYLES["balanced"]))
    crisis: str = "hold_steady"
    overrides: dict = field(default_factory=dict)

    @classmethod
    def from_style(cls, style: str, label: str = "A", crisis: str = "hold_steady", **overrides) -> Side:
        """A side with the behaviour values of a style preset (dotted ``leadership__*`` overrides win)."""
        if style not in STYLES:
            raise ValueError(f"style: {style!r} is unknown; choose one of {', '.join(STYLES)}")
        beh = dict(STYLES[style])
        rest = {}
        for k, v in overrides.items():
            b = k.removeprefix("leadership__")
            if k.startswith("leadership__") and b in beh:
                beh[b] = float(v)
            else:
                rest[k] = v
        return cls(label=label, style=style, behaviours=beh, crisis=crisis, overrides=rest)

    def kwargs(self) -> dict:
        """Keyword arguments for :class:`SalesTeamModel` (style, crisis, behaviours, overrides)."""
        kw = {"style": self.style, "crisis": self.crisis}
        kw.update({f"leadership__{b}": float(v) for b, v in self.behaviours.items()})
        kw.update(self.overrides)
        return kw

    def describe(self) -> str:
        """Short text: style and the behaviours that differ from it."""
        base = STYLES.get(self.style, {})
        diff = [f"{b} {v:.2f}" for b, v in self.behaviours.items() if abs(base.get(b, v) - v) > 1e-9]
        txt = f"{self.style}" + (f" ({', '.join(diff)})" if diff else "")
        return txt + f", crisis: {self.crisis}"


@dataclass(frozen=True)
class Settings:
    """Everything needed to build a dashboard run."""

    seed: str = "1"
    weeks: int = 104
    market: str = "stable"
    a: Side = field(default_factory=lambda: Side(label="A"))
    compare: bool = False
    b: Side = field(default_factory=lambda: Side.from_style("coaching", label="B"))
    shared: dict = field(default_factory=dict)
    script: tuple = ()
    demo: str = ""


def settings_problem(s: Settings) -> str | None:
    """Why ``s`` cannot build a run (the config error, naming the field), or None if it can."""
    from ..sim import configure

    try:
        coerce_seed(s.seed)
        for side in [s.a, s.b] if s.compare else [s.a]:
            configure(weeks=s.weeks, market=s.market, **s.shared, **side.kwargs())
    except (ValueError, KeyError) as exc:
        return str(exc).strip("'\"")
    for iv in s.script:
        if iv.week >= s.weeks:
            return f"weeks: the demo's script needs at least {iv.week + 1} weeks, got {s.weeks}"
    return None


def _side_from_demo(s: DemoSide) -> Side:
    return Side.from_style(s.style, label=s.label, crisis=s.crisis, **s.overrides)


def settings_for_demo(name: str) -> Settings:
    """Dashboard settings of a canned demo (side by side on, script loaded)."""
    if name not in DEMOS:
        raise KeyError(f"demo: {name!r} is unknown; choose one of {', '.join(DEMOS)}")
    d = DEMOS[name]
    return Settings(seed=str(d.seed), weeks=d.weeks, market=d.market, a=_side_from_demo(d.a), compare=True,
                    b=_side_from_demo(d.b), shared=dict(d.shared), script=tuple(d.script), demo=name)


# ------------------------------------------------------------------------------------------------
# Models
# ------------------------------------------------------------------------------------------------
class TeamModel(SalesTeamModel):
    """A :class:`SalesTeamModel` that also keeps a recent-revenue average per seat (node sizes).

    Args:
        label: Name shown on the charts.
        ema_weeks: Time constant of the per-seat revenue average.
        **kwargs: As for :class:`SalesTeamModel`.
    """

    def __init__(self, *, label: str = "A", ema_weeks: float = 8.0, **kwargs):
        super().__init__(**kwargs)
        self.label = label
        self._alpha = 1.0 / max(ema_weeks, 1.0)
        self.revenue_ema = np.zeros(self.engine.N)

    def step(self) -> None:
        """Advance one week and update the per-seat revenue average."""
        done = self.engine.week >= self.engine.weeks
        super().step()
        if not done:
            s = self.engine.s
            self.revenue_ema = np.where(s.active[0], (1 - self._alpha) * self.revenue_ema
                                        + self._alpha * s.revenue_week[0], 0.0)

    @property
    def initiative_names(self) -> list[str]:
        """Names of the configured change initiatives (the rollout button needs one)."""
        return [i.name for i in self.config.change.initiatives]

    def intervene(self, kind: str, value: float = 0.0, name: str = "") -> None:
        """As :meth:`SalesTeamModel.intervene`; ``rollout`` without a name starts the first initiative."""
        if kind == "rollout" and not name:
            if not self.initiative_names:
                raise ValueError("rollout: no change initiative is configured; load the tool rollout demo")
            name = self.initiative_names[0]
        super().intervene(kind, value, name)


class DashboardModel(TeamModel):
    """The dashboard's model: side A, plus side B's twin on the same seed in side-by-side mode.

    ``step`` fires the scripted interventions due this week, then steps both sides;
    ``intervene`` applies an intervention to both. A lock keeps the play thread and the
    buttons from touching the engine at the same time.

    Args:
        settings: A :class:`Settings` or a reactive holding one (Mesa passes the fixed
            ``settings`` model parameter on Reset).
        seed: Optional seed (int or text, e.g. from a text box) overriding ``settings.seed``.
    """

    def __init__(self, settings: Settings | None = None, seed=None):
        s = settings.value if (settings is not None and not isinstance(settings, Settings)
                               and hasattr(settings, "value")) else settings
        s = s if s is not None else Settings()
        if not isinstance(s, Settings):
            raise TypeError(f"settings: expected Settings, got {type(s).__name__}")
        seed_value = coerce_seed(s.seed if seed is None else seed)
        common = dict(seed=seed_value, weeks=s.weeks, market=s.market, **s.shared)
        super().__init__(label=s.a.label, **common, **s.a.kwargs())
        self.settings = s
        self.lock = threading.RLock()
        self.script = tuple(s.script)
        self.twin = TeamModel(label=s.b.label, **common, **s.b.kwargs()) if s.compare else None

    @property
    def sides(self) -> list[TeamModel]:
        """The models on screen: A, and B when side by side."""
        return [self] if self.twin is None else [self, self.twin]

    def step(self) -> None:
        """Fire this week's scripted interventions, then advance both sides one week."""
        with self.lock:
            if self.engine.week >= self.engine.weeks:
                self.running = False
                return
            for iv in self.script:
                if iv.week == self.engine.week:
                    self.intervene(iv.kind, iv.value, iv.name)
            super().step()
            if self.twin is not None:
                self.twin.step()

    def intervene(self, kind: str, value: float = 0.0, name: str = "") -> None:
        """Apply an intervention now to every side (marked on the charts at the current week)."""
        if kind not in KINDS and kind not in ("quota_change", "hire", "lose_top_performer"):
            raise ValueError(f"intervention: {kind!r} is unknown; choose one of {', '.join(KINDS)}")
        with self.lock:
            if self.engine.week >= self.engine.weeks:
                raise ValueError(f"{kind}: the run is over (week {self.engine.week}); press Reset")
            TeamModel.intervene(self, kind, value, name)
            if self.twin is not None:
                self.twin.intervene(kind, value, name)


def run_script(settings: Settings, weeks: int | None = None) -> DashboardModel:
    """Build a :class:`DashboardModel` and step it ``weeks`` weeks (default: to the end)."""
    m = DashboardModel(settings)
    for _ in range(m.engine.weeks if weeks is None else weeks):
        m.step()
    return m


# ------------------------------------------------------------------------------------------------
# Figures
# ------------------------------------------------------------------------------------------------
def _series(m: TeamModel, name: str) -> np.ndarray:
    return np.asarray(m.series(name), dtype=float)


def _rolling(x: np.ndarray, k: int = 4) -> np.ndarray:
    if x.size == 0:
        return x
    c = np.cumsum(np.insert(np.nan_to_num(x), 0, 0.0))
    n = np.minimum(np.arange(1, x.size + 1), k)
    return (c[1:] - c[np.maximum(np.arange(1, x.size + 1) - k, 0)]) / n


def _marks(ax, marks, top: bool) -> None:
    seen = set()
    for week, kind in marks:
        ax.axvline(week, color="#b22222", lw=1.0, ls="--", alpha=0.8)
        if top and (week, kind) not in seen:
            seen.add((week, kind))
            ax.annotate(_MARK_SHORT.get(kind, kind), xy=(week, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(2, -2), textcoords="offset points", rotation=90, va="top", ha="left",
                        fontsize=7, color="#b22222")


def _figure(fig: Figure | None, figsize) -> Figure:
    """A new figure, or ``fig`` cleared and resized (re-using it keeps matplotlib's text-size cache)."""
    if fig is None:
        return Figure(figsize=figsize, dpi=80)
    fig.clear()
    if tuple(fig.get_size_inches()) != tuple(figsize):
        fig.set_size_inches(figsize)
    return fig


def charts_figure(model: DashboardModel, figsize=(10.0, 6.4), fig: Figure | None = None) -> Figure:
    """The live charts: revenue, morale and trust, headcount and quits, adoption and productivity.

    Side B (side by side) is drawn dashed in orange; interventions are red dashed lines.
    Pass ``fig`` to redraw into an existing figure.
    """
    fig = _figure(fig, figsize)
    axes = fig.subplots(2, 2, sharex=True)
    (ax_rev, ax_mt), (ax_hc, ax_ad) = axes
    weeks = model.engine.weeks
    sides = list(zip(model.sides, ("a", "b")))
    for m, key in sides:
        c, ls = COLORS[key], "-" if key == "a" else "--"
        rev = _series(m, "revenue")
        x = np.arange(rev.size)
        ax_rev.plot(x, rev, color=c, lw=0.6, alpha=0.35)
        ax_rev.plot(x, _rolling(rev), color=c, lw=1.8, ls=ls)
        ax_mt.plot(x, _series(m, "morale"), color=c, lw=1.8, ls=ls)
        ax_mt.plot(x, _series(m, "trust"), color=c, lw=1.2, ls=ls, alpha=0.55)
        ax_hc.plot(x, _series(m, "headcount"), color=c, lw=1.8, ls=ls)
        ax_hc.plot(x, np.cumsum(np.nan_to_num(_series(m, "quits"))), color=c, lw=1.2, ls=":")
        if m.engine.K:
            ax_ad.plot(x, _series(m, "adoption"), color=c, lw=1.8, ls=ls)
        ax_ad.plot(x, _series(m, "productivity"), color=c, lw=1.2, ls=ls, alpha=0.55)
    ax_rev.set_title("Weekly revenue (k$; thick: 4-week average)", fontsize=9)
    ax_mt.set_title("Morale (thick) and trust in leader (thin)", fontsize=9)
    ax_hc.set_title("Headcount (solid) and cumulative quits (dotted)", fontsize=9)
    ax_ad.set_title("Tool adoption share (thick) and productivity (thin)", fontsize=9)
    ax_mt.set_ylim(0, 1)
    ax_ad.set_ylim(0, 1.3)
    for ax in axes.ravel():
        ax.set_xlim(0, weeks)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
        _marks(ax, list(model.marks), top=ax is ax_rev)
    for ax in axes[1]:
        ax.set_xlabel("week", fontsize=8)
    handles = [Line2D([], [], color=COLORS[k], ls="-" if k == "a" else "--", lw=1.8, label=m.label)
               for m, k in sides]
    handles.append(Line2D([], [], color="#b22222", ls="--", lw=1.0, label="intervention"))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8, frameon=False)
    fig.suptitle(f"Week {model.week} of {weeks} (seed {model.seed_value})", fontsize=10)
    fig.subplots_adjust(left=0.06, right=0.98, top=0.9, bottom=0.14, wspace=0.14, hspace=0.22)
    return fig


def network_figure(models: list[TeamModel], figsize=None, fig: Figure | None = None) -> Figure:
    """The team network of each model with its fixed, seeded layout.

    Reps are coloured by morale (red low, green high) and sized by recent revenue; toxic
    reps carry a black cross, leaders are dark squares, open seats are hollow grey circles.
    Pass ``fig`` to redraw into an existing figure.
    """
    n = len(models)
    figsize = figsize or (5.0, 3.9 * n + 0.3)
    fig = _figure(fig, figsize)
    axes = np.atleast_1d(fig.subplots(n, 1))
    cmap = matplotlib.colormaps["RdYlGn"]
    sc = None
    for ax, m in zip(axes, models):
        g, pos, s = m.graph, m.layout, m.engine.s
        peer, lead = [], []
        for u, v, d in g.edges(data=True):
            (peer if d.get("kind") == "peer" else lead).append((pos[u], pos[v]))
        ax.add_collection(LineCollection(peer, colors="#999999", linewidths=0.5, alpha=0.5, zorder=1))
        ax.add_collection(LineCollection(lead, colors="#444444", linewidths=0.8, alpha=0.5, zorder=1))
        seats = [nd for nd, d in g.nodes(data=True) if d.get("kind") == "rep"]
        seat_idx = np.array([int(nd) for nd in seats], dtype=int)
        xy = np.array([pos[nd] for nd in seats])
        active = s.active[0, seat_idx]
        morale = s.morale[0, seat_idx]
        rev = m.revenue_ema[seat_idx]
        ref = max(float(np.percentile(rev[active], 90)) if active.any() else 0.0, 1e-9)
        size = 40 + 260 * np.clip(rev / ref, 0, 1.5)
        if (~active).any():
            ax.scatter(xy[~active, 0], xy[~active, 1], s=60, facecolors="none", edgecolors="#aaaaaa", zorder=2)
        sc = ax.scatter(xy[active, 0], xy[active, 1], s=size[active], c=morale[active], cmap=cmap, vmin=0, vmax=1,
                        edgecolors="#333333", linewidths=0.6, zorder=3)
        tox = active & s.toxic[0, seat_idx]
        if tox.any():
            ax.scatter(xy[tox, 0], xy[tox, 1], s=90, marker="x", c="black", linewidths=2.0, zorder=4)
        leaders = [nd for nd, d in g.nodes(data=True) if d.get("kind") in ("leader", "head_of_sales")]
        if leaders:
            lxy = np.array([pos[nd] for nd in leaders])
            ax.scatter(lxy[:, 0], lxy[:, 1], s=180, marker="s", c="#222244", zorder=4)
        ax.set_title(f"{m.label}\nweek {m.week}, {int(active.sum())} reps, {int(tox.sum())} toxic", fontsize=9)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        for sp in ax.spines.values():
            sp.set_visible(False)
        ax.margins(0.12)
    if sc is not None:
        cb = fig.colorbar(sc, ax=list(axes), shrink=0.6, pad=0.02)
        cb.set_label("morale", fontsize=8)
        cb.ax.tick_params(labelsize=7)
    fig.text(0.01, 0.01, "size: recent revenue   x: toxic   square: leader   hollow: open seat", fontsize=7,
             color="#555555")
    return fig


def _png(fig: Figure) -> bytes:
    return png_bytes(fig, dpi=150, bbox_inches="tight")


def export_dir() -> Path:
    """Folder for exported PNGs: ``$SIMTEAM_EXPORT_DIR`` or ``./simteam-exports``."""
    return Path(os.environ.get("SIMTEAM_EXPORT_DIR") or "simteam-exports")


def export_png(model: DashboardModel, folder: str | Path | None = None) -> list[Path]:
    """Save the current charts and network as PNGs for slides; returns the files written.

    Files are named ``simteam_<demo or style>_seed<seed>_week<week>_{charts,network}.png``
    and written atomically.
    """
    folder = Path(folder) if folder is not None else export_dir()
    with model.lock:
        tag = model.settings.demo or model.settings.a.style
        stem = f"simteam_{tag}_seed{model.seed_value}_week{model.week:03d}"
        figs = {"charts": charts_figure(model), "network": network_figure(model.sides)}
        out = []
        for kind, fig in figs.items():
            p = folder / f"{stem}_{kind}.png"
            write_figure(fig, p, dpi=150, bbox_inches="tight")
            out.append(p)
    return out


# ------------------------------------------------------------------------------------------------
# Components
# ------------------------------------------------------------------------------------------------
def _fmt(v: float, kind: str) -> str:
    if kind == "k$":
        return fmt_number(v, 0, unit="k$")
    if kind in ("int", "pct"):
        return fmt_number(v, 0, percent=kind == "pct")
    return fmt_number(v, 2)


KPI_FIELDS = (("revenue_13w", "Revenue, last 13 wk", "k$"), ("revenue_total", "Revenue, total", "k$"),
              ("morale", "Morale", "num"), ("trust", "Trust", "num"), ("headcount", "Headcount", "int"),
              ("quits", "Quits", "int"), ("adoption", "Adoption", "pct"), ("toxic", "Toxic share", "pct"))


@solara.component
def KpiStrip(model: DashboardModel):
    """One row of headline numbers (``model.kpis()``) per side."""
    update_counter.get()
    for m, key in zip(model.sides, ("a", "b")):
        k = m.kpis()
        with solara.Row(gap="4px", style={"flex-wrap": "wrap", "align-items": "stretch"},
                        classes=[f"kpi-strip-{key}"]):
            with solara.Div(style={"width": "150px", "align-self": "center"}):
                solara.Text(m.label, style={"font-weight": "bold", "color": COLORS[key], "display": "block",
                                            "font-size": "0.9em"})
                solara.Text(f"week {k.get('week', 0)}", classes=[f"kpi-week-{key}"], style={"display": "block"})
            for fld, label, kind in KPI_FIELDS:
                with solara.Card(margin=0, style={"padding": "2px 8px", "min-width": "96px"}):
                    solara.Text(label, style={"font-size": "0.75em", "color": "#666", "display": "block"})
                    solara.Text(_fmt(k.get(fld, float("nan")), kind),
                                style={"font-size": "1.2em", "display": "block", "font-weight": "500"},
                                classes=[f"kpi-{fld}-{key}"])


@solara.component
def Interventions(model: DashboardModel):
    """Buttons that apply an intervention now (to both sides) and mark it on the charts."""
    update_counter.get()
    message = solara.use_reactive("")
    over = model.week >= model.engine.weeks

    def make(kind):
        def click():
            try:
                model.intervene(kind)
                message.set(f"{INTERVENTION_LABELS[kind]} at week {model.week}: takes effect from the next step")
            except ValueError as exc:
                message.set(str(exc))
            force_update()
        return click

    with solara.Row(gap="6px", style={"flex-wrap": "wrap", "align-items": "center"}):
        solara.Text("Interventions:", style={"font-weight": "bold"})
        for kind in KINDS:
            disabled = over or (kind == "rollout" and not model.initiative_names)
            solara.Button(INTERVENTION_LABELS[kind], on_click=make(kind), disabled=disabled, outlined=True,
                          color="error" if kind in ("crisis", "toxic_hire") else "primary",
                          classes=[f"btn-{kind}"])
        ExportButtons(model)
    if message.value:
        solara.Text(message.value, style={"color": "#555", "font-size": "0.85em"}, classes=["intervention-msg"])


@solara.component
def ExportButtons(model: DashboardModel):
    """Save the current charts as PNG into the export folder, or download them."""
    saved = solara.use_reactive("")

    def save():
        try:
            paths = export_png(model)
            saved.set("saved " + ", ".join(str(p) for p in paths))
        except OSError as exc:
            saved.set(f"could not save PNG: {exc}")

    with solara.Row(gap="6px", style={"align-items": "center"}):
        solara.Button("Save PNG", icon_name="mdi-content-save", on_click=save, outlined=True,
                      classes=["btn-save-png"])
        solara.FileDownload(lambda: _png(charts_figure(model)), filename=f"simteam_week{model.week:03d}_charts.png",
                            label="Download charts PNG")
        if saved.value:
            solara.Text(saved.value, style={"font-size": "0.8em", "color": "#555"}, classes=["saved-msg"])


@solara.component
def NetworkView(model: DashboardModel):
    """The team network(s), redrawn every update."""
    counter = update_counter.get()
    fig = solara.use_memo(lambda: Figure(dpi=80), [])

    def draw():
        with model.lock:
            network_figure(model.sides, fig=fig)
        return counter

    drawn = solara.use_memo(draw, [counter, id(model)])
    solara.FigureMatplotlib(fig, format="png", dependencies=[drawn, id(model)])


@solara.component
def Charts(model: DashboardModel):
    """The live charts, redrawn every update."""
    counter = update_counter.get()
    fig = solara.use_memo(lambda: Figure(dpi=80), [])

    def draw():
        with model.lock:
            charts_figure(model, fig=fig)
        return counter

    drawn = solara.use_memo(draw, [counter, id(model), len(model.marks)])
    solara.FigureMatplotlib(fig, format="png", dependencies=[drawn, id(model), len(model.marks)])


@solara.component
def Dashboard(model: solara.Reactive, settings: solara.Reactive):
    """Main area: what is running, KPI strip, interventions, network and charts."""
    update_counter.get()
    m = model.value
    s = m.settings
    with solara.Column(gap="8px", style={"padding": "8px"}, classes=["simteam-dashboard"]):
        title = DEMOS[s.demo].title if s.demo else "Custom scenario"
        line = f"seed {m.seed_value} · market: {s.market} · A: {s.a.describe()}"
        if s.compare:
            line += f" · B: {s.b.describe()} (same seed: only the settings of A and B differ)"
        if s.script:
            line += " · script: " + ", ".join(f"{INTERVENTION_LABELS[i.kind]} at week {i.week}" for i in s.script)
        with solara.Div():
            solara.Text(title + " · ", style={"font-weight": "bold"}, classes=["run-title"])
            solara.Text(line, classes=["run-info"])
        if settings.value != s:
            solara.Warning("Settings changed: press Reset to start a new run with them.", dense=True)
        KpiStrip(m)
        Interventions(m)
        with solara.Columns([2, 5] if s.compare else [2, 3]):
            NetworkView(m)
            Charts(m)


def _slider_row(side_key: str, side: Side, on_side):
    for b in BEHAVIOURS:
        def change(v, b=b):
            on_side(dataclasses.replace(side, behaviours={**side.behaviours, b: float(v)}))
        solara.SliderFloat(f"{side_key.upper()} {b}", value=float(side.behaviours[b]), min=0.0, max=1.0, step=0.05,
                           on_value=change, thumb_label=True)


@solara.component
def SideControls(side_key: str, side: Side, on_side):
    """Style preset, crisis strategy and one slider per behaviour for one side."""
    def set_style(name):
        on_side(Side.from_style(name, label=_label_for(side_key, name), crisis=side.crisis, **side.overrides))

    solara.Select(f"{side_key.upper()}: leadership style", values=list(STYLES), value=side.style, on_value=set_style,
                  classes=[f"select-style-{side_key}"])
    solara.Select(f"{side_key.upper()}: crisis strategy", values=list(STRATEGIES), value=side.crisis,
                  on_value=lambda v: on_side(dataclasses.replace(side, crisis=v)),
                  classes=[f"select-crisis-{side_key}"])
    with solara.Details(f"{side_key.upper()}: behaviours (sliders)"):
        _slider_row(side_key, side, on_side)


def _label_for(side_key: str, style: str) -> str:
    return f"{side_key.upper()}: {style}"


@solara.component
def ScenarioCard(settings: solara.Reactive):
    """Sidebar card: demo, seed, market, weeks, side A and (side by side) side B. Reset applies."""
    s = settings.value
    seed_text = solara.use_reactive(s.seed)
    seed_error = solara.use_reactive("")
    problem = solara.use_reactive("")

    def apply(new: Settings) -> None:
        msg = settings_problem(new)
        problem.set(msg or "")
        if not msg:
            settings.set(new)

    by_title = {d.title: k for k, d in DEMOS.items()}

    def load_demo(title):
        if title not in by_title:
            apply(dataclasses.replace(settings.value, demo="", script=()))
            return
        new = settings_for_demo(by_title[title])
        seed_text.set(new.seed)
        seed_error.set("")
        apply(new)

    def set_seed(text):
        seed_text.set(text)
        try:
            value = coerce_seed(text)
        except ValueError as exc:
            seed_error.set(str(exc))
            return
        seed_error.set("")
        apply(dataclasses.replace(settings.value, seed=str(value)))

    def set_a(side):
        apply(dataclasses.replace(settings.value, a=side, demo=""))

    def set_b(side):
        apply(dataclasses.replace(settings.value, b=side, demo=""))

    with solara.Card("Scenario (press Reset to apply)"):
        solara.Select("Workshop demo", values=["(none)", *by_title], value=DEMOS[s.demo].title if s.demo else "(none)",
                      on_value=load_demo, classes=["select-demo"])
        if problem.value:
            solara.Error(problem.value, dense=True, classes=["settings-problem"])
        if s.demo:
            d = DEMOS[s.demo]
            solara.Text(f"Ask: {d.question}", style={"font-size": "0.85em", "font-style": "italic"})
        solara.InputText("Seed (whole number)", value=seed_text.value, on_value=set_seed, continuous_update=True,
                         error=seed_error.value or False, classes=["input-seed"])
        solara.Select("Market", values=list(MARKETS), value=s.market,
                      on_value=lambda v: apply(dataclasses.replace(settings.value, market=v)),
                      classes=["select-market"])
        solara.SliderInt("Weeks", value=s.weeks, min=13, max=208, step=13,
                         on_value=lambda v: apply(dataclasses.replace(settings.value, weeks=int(v))))
        SideControls("a", s.a, set_a)
        solara.Checkbox(label="Side by side: B on the same seed",
                        value=s.compare, on_value=lambda v: apply(dataclasses.replace(settings.value,
                                                                                             compare=bool(v))))
        if s.compare:
            SideControls("b", s.b, set_b)
        if s.shared or s.a.overrides or s.b.overrides:
            extra = {**s.shared, **{f"A {k}": v for k, v in s.a.overrides.items()},
                     **{f"B {k}": v for k, v in s.b.overrides.items()}}
            solara.Text("Demo extras: " + "; ".join(f"{k}={v}" for k, v in extra.items()),
                        style={"font-size": "0.75em", "color": "#666"})


@solara.component
def Page():
    """The dashboard page (one per browser session)."""
    settings = solara.use_reactive(Settings())
    initial = solara.use_memo(lambda: DashboardModel(settings), [])
    model = solara.use_reactive(initial)
    SolaraViz(model, components=[], model_params={"settings": settings}, name="simteam workshop dashboard",
              play_interval=150)
    with solara.Sidebar():
        ScenarioCard(settings)
    Dashboard(model, settings)

