"""Scenario discovery: in which futures does the chosen option lose to the runner-up?

The idea of the Patient Rule Induction Method (PRIM; Friedman & Fisher 1999), as the EMA Workbench uses it for
scenario discovery (Bryant & Lempert 2010): over the simulated futures, each with its own draw of the uncertain
assumptions (the ranges of the scenario, the uncertain events: whether and when they happen), find a *box* -- a
few limits on those inputs -- inside which the futures of interest (here: the chosen option earns less than the
runner-up on the same future) are concentrated.

Peeling (:func:`prim`): start from the box holding every future; at each step, try to cut, on every input, the
lowest or the highest ``alpha`` share of the futures still in the box (for an input with few distinct values,
such as "the event happens", one value at a time), and keep the cut that leaves the highest share of losing
futures in the box; stop when the box holds fewer than ``min_mass`` of all futures or no cut raises that share.
Every box of the way is kept (the peeling trajectory) with its

* **coverage**: share of all losing futures that lie in the box;
* **density**: share of the futures in the box that are losing ones;
* **mass**: share of all futures in the box.

The box reported is the densest one whose coverage is at least ``min_coverage``; limits that hardly matter
(dropping one lowers the density by less than ``prune``, or the limit trims less than ``trim`` of the futures
the box would hold without it) are dropped, so the rule reads short. This is plain numpy, no dependency; the EMA Workbench (``ema_workbench.analysis.prim``) offers the full
method (pasting, bootstrapped boxes, categorical inputs).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..fmt import fmt_number

__all__ = ["Box", "PrimResult", "prim", "futures_inputs", "discover", "discovery_text"]


def _pct(x) -> str:
    """A share in whole percent (simteam.fmt)."""
    return fmt_number(x, 0, percent=True)


@dataclass
class Box:
    """Limits per input (``None``: not limited on that side) and the box's statistics."""

    limits: dict[str, tuple[float | None, float | None]]
    coverage: float
    density: float
    mass: float

    def contains(self, X: pd.DataFrame) -> np.ndarray:
        inside = np.ones(len(X), dtype=bool)
        for c, (lo, hi) in self.limits.items():
            x = X[c].to_numpy(dtype=float)
            if lo is not None:
                inside &= x >= lo
            if hi is not None:
                inside &= x <= hi
        return inside


@dataclass
class PrimResult:
    """The peeling trajectory and the chosen box."""

    trajectory: list[Box]
    box: Box
    base_rate: float
    n: int
    n_cases: int
    table: pd.DataFrame = field(default_factory=pd.DataFrame)


def _stats(inside: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    n_in = inside.sum()
    cov = float((y & inside).sum() / max(y.sum(), 1))
    dens = float((y & inside).sum() / n_in) if n_in else 0.0
    return cov, dens, float(n_in / y.size)


def prim(X: pd.DataFrame, y: np.ndarray, alpha: float = 0.05, min_mass: float = 0.05, min_coverage: float = 0.5,
         prune: float = 0.01, trim: float = 0.1) -> PrimResult:
    """PRIM peeling of the box of ``X`` (rows: futures, columns: inputs) where ``y`` (bool) is concentrated."""
    y = np.asarray(y, dtype=bool)
    n = y.size
    cols = list(X.columns)
    A = X.to_numpy(dtype=float)
    inside = np.ones(n, dtype=bool)
    limits: dict[str, list] = {c: [None, None] for c in cols}

    def box_now() -> Box:
        cov, dens, mass = _stats(inside, y)
        return Box({c: tuple(v) for c, v in limits.items() if v != [None, None]}, cov, dens, mass)

    traj = [box_now()]
    while inside.mean() > min_mass:
        best = None
        cur_d = traj[-1].density
        for j, c in enumerate(cols):
            x = A[inside, j]
            vals = np.unique(x)
            if vals.size < 2:
                continue
            k = max(1, int(np.ceil(alpha * x.size)))
            xs = np.sort(x)
            # cut the lowest share: new lower limit = the smallest value above the k-th lowest
            lo_new = vals[np.searchsorted(vals, xs[k - 1], side="right")] if xs[k - 1] < vals[-1] else None
            hi_new = vals[np.searchsorted(vals, xs[-k], side="left") - 1] if xs[-k] > vals[0] else None
            for side, v in (("lo", lo_new), ("hi", hi_new)):
                if v is None:
                    continue
                keep = inside & ((A[:, j] >= v) if side == "lo" else (A[:, j] <= v))
                if keep.sum() < max(2, min_mass * n * 0.5) or keep.sum() == inside.sum():
                    continue
                d = float((y & keep).sum() / keep.sum())
                if best is None or d > best[0]:
                    best = (d, j, side, v, keep)
        if best is None or best[0] <= cur_d + 1e-12:
            break
        d, j, side, v, keep = best
        inside = keep
        limits[cols[j]][0 if side == "lo" else 1] = float(v)
        traj.append(box_now())
    ok = [b for b in traj if b.coverage >= min_coverage] or traj[:1]
    box = max(ok, key=lambda b: (b.density, -b.mass))
    # drop limits that hardly matter (each side of each input on its own)
    lim = dict(box.limits)
    changed = True
    while changed and lim:
        changed = False
        for c in sorted(lim):
            for side in (0, 1):
                if lim[c][side] is None:
                    continue
                rest = (None, lim[c][1]) if side == 0 else (lim[c][0], None)
                trial = {k: v for k, v in lim.items() if k != c}
                if rest != (None, None):
                    trial[c] = rest
                cov, dens, mass = _stats(Box(trial, 0, 0, 0).contains(X), y)
                # drop it when the density hardly falls, or when the limit itself only trims a sliver
                if dens >= box.density - prune or mass - box.mass < trim * mass:
                    lim = trial
                    box = Box(lim, cov, dens, mass)
                    changed = True
                    break
            if changed:
                break
    tab = pd.DataFrame([{"step": i, "coverage": b.coverage, "density": b.density, "mass": b.mass,
                         "limits": "; ".join(f"{c} in [{'' if lo is None else f'{lo:.4g}'}, "
                                             f"{'' if hi is None else f'{hi:.4g}'}]" for c, (lo, hi) in b.limits.items())}
                        for i, b in enumerate(traj)])
    return PrimResult(traj, box, float(y.mean()) if n else 0.0, n, int(y.sum()), tab)


def futures_inputs(sc, assumptions: list[dict], seeds: np.ndarray) -> tuple[pd.DataFrame, dict]:
    """The uncertain inputs of each future (one row per seed): every assumption drawn from a range, and for each
    uncertain event whether it happens and its week, drawn exactly as the runs draw them (same streams).
    Returns the table and, per column, its plain label and format."""
    from ..streams import Streams
    from .assumptions import draw_values
    seeds = np.asarray(seeds, dtype=np.int64)
    vals = draw_values(assumptions, seeds)
    cols, meta = {}, {}
    for a in assumptions:
        if a.get("drawn") and a["key"] in vals:
            cols[a["key"]] = np.asarray(vals[a["key"]], dtype=float)
            meta[a["key"]] = {"label": a["label"], "fmt": a["fmt"], "kind": "range"}
    rng = Streams(seeds)
    events = list(sc.events) + [ev for n in sc.alternatives for ev in sc.alternatives[n].get("events", [])]
    for ev in events:
        if "window" not in ev and ev.get("probability", 1.0) >= 1.0:
            continue
        u = rng.uniform(f"scenario_event:{ev['id']}", 0, (2,))
        a, b = ev["window"] if "window" in ev else (ev["week"], ev["week"])
        happens = u[:, 0] < ev["probability"]
        if 0 < ev["probability"] < 1:
            cols[f"{ev['id']}.happens"] = happens.astype(float)
            meta[f"{ev['id']}.happens"] = {"label": ev["id"], "fmt": "event", "kind": "happens"}
        if b > a:
            week = a + np.minimum(np.floor(u[:, 1] * (b - a + 1)), b - a)
            # the week only matters when the event happens: the others sit after the window (never)
            cols[f"{ev['id']}.week"] = np.where(happens, week, b + 1).astype(float)
            meta[f"{ev['id']}.week"] = {"label": ev["id"], "fmt": "week", "kind": "week",
                                        "window": (a, b)}
    return pd.DataFrame(cols, index=np.arange(seeds.size)), meta


def discover(sc, runs: dict, table: pd.DataFrame, assumptions: list[dict], **kw) -> dict | None:
    """PRIM over the main runs' futures: where does the best option lose to the runner-up? None when there are
    no uncertain inputs or fewer than 5 losing futures."""
    from .scenario import RANK_BY
    if len(table) < 2:
        return None
    a, b = table.iloc[0]["alternative"], table.iloc[1]["alternative"]
    seeds = runs[a].results.seeds
    X, meta = futures_inputs(sc, assumptions, seeds)
    if X.shape[1] == 0:
        return None
    ma = runs[a].results.summary[sc.rank_by].to_numpy(dtype=float)
    mb = runs[b].results.summary[sc.rank_by].to_numpy(dtype=float)
    loses = ma < mb if RANK_BY[sc.rank_by] else ma > mb
    out = {"a": a, "b": b, "n": int(loses.size), "n_lose": int(loses.sum()), "meta": meta, "result": None}
    if loses.sum() < 5 or loses.all():
        return out
    out["result"] = prim(X, loses, **kw)
    return out


def _condition(col: str, lo, hi, meta: dict) -> str:
    from .assumptions import _the, fmt_assumption
    m = meta[col]
    if m["kind"] == "happens":
        return f"{m['label']} happens" if lo is not None and lo > 0.5 else f"{m['label']} does not happen"
    if m["kind"] == "week":
        a, b = m["window"]
        if hi is not None and hi <= b:
            return f"{m['label']} comes by week {hi:.0f}" if lo is None else \
                f"{m['label']} comes in weeks {lo:.0f} to {hi:.0f}"
        return f"{m['label']} comes after week {lo - 1:.0f} or not at all"
    f = lambda v: fmt_assumption(v, m["fmt"])  # noqa: E731
    if lo is not None and hi is not None:
        return f"{_the(m['label'])} is between {f(lo)} and {f(hi)}"
    if lo is not None:
        return f"{_the(m['label'])} is at least {f(lo)}"
    return f"{_the(m['label'])} is at most {f(hi)}"


def discovery_text(sc, d: dict | None) -> str | None:
    """One sentence: "<best> loses to <runner-up> when ... (covers x% of the futures in which it loses, ...)"."""
    if d is None:
        return None
    A, B = sc.label(d["a"]), sc.label(d["b"])
    if d["result"] is None:
        if d["n_lose"] == d["n"]:
            return None
        return (f"When would the choice go wrong: {A} loses to {B} in only {d['n_lose']} of {d['n']} futures, too few "
                f"to find a pattern in the assumptions.")
    r = d["result"]
    bx = r.box
    if not bx.limits or bx.density < r.base_rate + 0.1:
        return (f"When would the choice go wrong: {A} loses to {B} in {_pct(r.base_rate)} of the futures, with no "
                f"simple pattern in the uncertain assumptions and events (luck decides, not an assumption).")
    conds = " and ".join(_condition(c, lo, hi, d["meta"]) for c, (lo, hi) in bx.limits.items())
    return (f"When would the choice go wrong: {A} loses to {B} when {conds} (this covers {_pct(bx.coverage)} of the "
            f"futures in which it loses; {_pct(bx.density)} of the futures like this are losing ones, against "
            f"{_pct(r.base_rate)} of all futures).")
