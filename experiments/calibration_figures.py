"""Calibration figures of the default 12-rep team against the published target bands (docs/model.md).

Usage::

    python experiments/calibration_figures.py                          # 500 replications -> outputs/calibration/
    python experiments/calibration_figures.py --replications 100 --seed 3
    python experiments/calibration_figures.py --figures docs/img/model  # also copy the PNGs for docs/model.md

Runs the default configuration twice on the same seeds (common random numbers): in a stable
market, and in the default study (the ``recession`` preset shaped after 2008-09, balanced
leadership, ``hold_steady`` crisis response). For each it prints, as Markdown, the mean of
every calibration figure with its 95% interval and the 10th-90th percentile across
replications, next to the target band of the shared ``calibration-targets.md``
(turnover 25-40%/yr; 45-65% of rep-years at quota; top-20% revenue share 35-60%; new hires
~90% productive within 3-6 months). The new-hire ramp is measured two ways: the model's
productivity factor, and the revenue of reps hired during the run by weeks in the seat,
relative to reps with a year or more in the seat (which also carries the empty starting
pipeline and the skill gap at hire). Writes ``calibration.csv``, ``calibration.md`` and the
figures ``calibration_bands.png``, ``new_hire_ramp.png``, ``default_study.png``, atomically.
"""

from __future__ import annotations

import argparse
import io
import os
import pathlib
import shutil
import sys
import tempfile
import time

import numpy as np
import pandas as pd

import simteam
from simteam.engine import Engine

ROOT = pathlib.Path(__file__).resolve().parents[1]

#: figure -> (low, high, unit label, source) from calibration-targets.md.
TARGETS = {
    "turnover_annual": (0.25, 0.40, "annual rep turnover (exits / mean headcount)",
                        "The Bridge Group SDR metrics reports (34% 2015, 30% 2017)"),
    "quota_share": (0.45, 0.65, "share of rep-years at or above quota",
                    "CSO Insights sales performance studies (~57-60%)"),
    "top20_revenue_share": (0.35, 0.60, "revenue share of the top 20% of reps",
                            "Xactly (secondary): 40-60%"),
}
RAMP_BAND = (13, 26)  # weeks: 3-6 months; Bridge Group (~3 months, SDRs), Xactly (4-6+ months, AEs)
TENURE_BAND = (78, 156)  # weeks: 1.5-3 years; Xactly (weak)
MAX_TENURE = 52


def run_study(cfg: simteam.SimConfig, seeds: np.ndarray) -> dict:
    """Run one batch week by week, keeping per-seat tenure, revenue and productivity for the ramp."""
    e = Engine(cfg, seeds=seeds)
    T, B, N = cfg.weeks, e.B, e.N
    tenure = np.zeros((T, B, N))
    revenue = np.zeros((T, B, N))
    active = np.zeros((T, B, N), dtype=bool)
    hired_in_run = np.zeros((B, N), dtype=bool)
    in_run = np.zeros((T, B, N), dtype=bool)
    for t in range(T):
        before = e.s.active.copy()
        ten_before = e.s.tenure.copy()
        e.step()
        # a seat whose tenure restarted this week holds a new hire
        hired_in_run |= e.s.active & ((~before) | (e.s.tenure < ten_before))
        # quantities of the week's selling step are those of the rep in the seat *during* the week
        tenure[t] = ten_before
        revenue[t] = e.s.revenue_week
        active[t] = before  # the seat was filled when the week's selling happened
        in_run[t] = hired_in_run & before
    for m in e.mechanisms:  # what Engine.run does after the last week (the year accounting of turnover)
        getattr(m, "finalize", lambda _e: None)(e)
    summary = simteam.results.summarise(e)
    summary.insert(0, "seed", seeds)
    return {"engine": e, "summary": summary, "tenure": tenure, "revenue": revenue,
            "active": active, "in_run": in_run}


def ramp_curves(d: dict, ramp_weeks: float) -> pd.DataFrame:
    """Mean weekly revenue of reps hired in the run by weeks in the seat, relative to reps with 52+ weeks."""
    ten, rev, act, new = d["tenure"], d["revenue"], d["active"], d["in_run"]
    veteran = act & (ten >= 52)
    ref = rev[veteran].mean()
    rows = []
    for k in range(MAX_TENURE + 1):
        m = act & new & (ten == k)
        rows.append({"weeks_in_seat": k, "n": int(m.sum()),
                     "revenue_rel": rev[m].mean() / ref if m.any() else np.nan,
                     "productivity_factor": 1.0 - np.exp(-k / ramp_weeks) if ramp_weeks > 0 else 1.0})
    df = pd.DataFrame(rows)
    # 4-week centred moving average of the noisy weekly revenue ratio
    df["revenue_rel_smooth"] = df["revenue_rel"].rolling(4, center=True, min_periods=2).mean()
    # the same curve relative to the hires' own level 40-52 weeks in (isolates the ramp from the
    # skill gap at hire and from the survivors' selection among the veterans)
    plateau = df.loc[df["weeks_in_seat"] >= 40, "revenue_rel"].mean()
    df["revenue_own_smooth"] = df["revenue_rel_smooth"] / plateau
    return df


def first_at(x: pd.Series, level: float) -> float:
    """First index (weeks in seat) at which ``x`` reaches ``level``, else NaN."""
    hit = np.flatnonzero(x.to_numpy() >= level)
    return float(hit[0]) if hit.size else float("nan")


def figures_table(study: str, d: dict, ramp: pd.DataFrame, ramp_weeks: float) -> pd.DataFrame:
    s = d["summary"]
    rows = []
    for col, (lo, hi, label, src) in TARGETS.items():
        x = s[col].dropna().to_numpy()
        m = x.mean()
        h = 1.96 * x.std(ddof=1) / np.sqrt(x.size)
        rows.append({"study": study, "figure": label, "target": f"{lo:.0%} - {hi:.0%}", "mean": f"{m:.1%}",
                     "95% CI": f"{m - h:.1%} - {m + h:.1%}",
                     "P10 - P90": f"{np.quantile(x, 0.1):.1%} - {np.quantile(x, 0.9):.1%}",
                     "inside": "yes" if lo <= m <= hi else "NO", "source": src})
    t90 = ramp_weeks * np.log(10.0)
    rows.append({"study": study, "figure": "new hire at 90% productivity factor (1 - e^(-tenure/ramp_weeks))",
                 "target": "13 - 26 weeks", "mean": f"{t90:.1f} weeks ({t90 * 12 / 52:.1f} months)",
                 "95% CI": "exact", "P10 - P90": "-",
                 "inside": "yes" if RAMP_BAND[0] <= t90 <= RAMP_BAND[1] else "NO",
                 "source": "Bridge Group (~3 months, SDRs); Xactly (4-6+ months, AEs)"})
    w = first_at(ramp["revenue_rel_smooth"], 0.9)
    rows.append({"study": study, "figure": "new hire at 90% of a veteran's revenue (measured, 4-week mean)",
                 "target": "13 - 26 weeks",
                 "mean": f"{w:.0f} weeks ({w * 12 / 52:.1f} months)" if not np.isnan(w) else "not within 52 weeks",
                 "95% CI": "-", "P10 - P90": "-",
                 "inside": "yes" if not np.isnan(w) and RAMP_BAND[0] <= w <= RAMP_BAND[1] else "NO",
                 "source": "as above; includes the empty starting pipeline and the skill gap at hire"})
    w = first_at(ramp["revenue_own_smooth"], 0.9)
    rows.append({"study": study, "figure": "new hire at 90% of its own revenue 40-52 weeks in (measured)",
                 "target": "13 - 26 weeks",
                 "mean": f"{w:.0f} weeks ({w * 12 / 52:.1f} months)" if not np.isnan(w) else "not within 52 weeks",
                 "95% CI": "-", "P10 - P90": "-",
                 "inside": "yes" if not np.isnan(w) and RAMP_BAND[0] <= w <= RAMP_BAND[1] else "NO",
                 "source": "as above; pipeline fill and ramp only"})
    e = d["engine"]
    ten = e.s.tenure[e.s.active]
    mt = ten.mean()
    rows.append({"study": study, "figure": "mean tenure of the reps in their seat at the end",
                 "target": "78 - 156 weeks (weak)", "mean": f"{mt:.0f} weeks ({mt / 52:.1f} years)",
                 "95% CI": "-", "P10 - P90": f"{np.quantile(ten, 0.1):.0f} - {np.quantile(ten, 0.9):.0f} weeks",
                 "inside": "yes" if TENURE_BAND[0] <= mt <= TENURE_BAND[1] else "NO",
                 "source": "Xactly (weak)"})
    return pd.DataFrame(rows)


def to_markdown(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, r in df.iterrows():
        lines.append("| " + " | ".join(str(r[c]) for c in cols) + " |")
    return "\n".join(lines)


def _atomic_bytes(path: pathlib.Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _savefig(fig, path: pathlib.Path) -> None:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    _atomic_bytes(path, buf.getvalue())


def plot(studies: dict, ramps: dict, out: pathlib.Path) -> list[pathlib.Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    # 1. distributions of the three figures across replications, with the target bands
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2))
    for ax, (col, (lo, hi, label, _)) in zip(axes, TARGETS.items()):
        for name, d in studies.items():
            x = d["summary"][col].dropna()
            ax.hist(x, bins=30, alpha=0.55, label=f"{name} (mean {x.mean():.0%})", density=True)
        ax.axvspan(lo, hi, color="green", alpha=0.12, label="target band")
        ax.set_title(label, fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle("Default 12-rep team: calibration figures across replications", fontsize=10)
    fig.tight_layout()
    p = out / "calibration_bands.png"
    _savefig(fig, p)
    plt.close(fig)
    paths.append(p)
    # 2. the new-hire ramp
    fig, ax = plt.subplots(figsize=(6, 3.4))
    r = ramps["stable"]
    ax.plot(r["weeks_in_seat"], r["productivity_factor"], label="productivity factor 1 - e^(-t/ramp_weeks)")
    ax.plot(r["weeks_in_seat"], r["revenue_rel"], ".", alpha=0.4, color="C1")
    ax.plot(r["weeks_in_seat"], r["revenue_rel_smooth"], color="C1", label="revenue / veterans' revenue (measured)")
    ax.plot(r["weeks_in_seat"], r["revenue_own_smooth"], color="C2", ls="-.",
            label="revenue / own level at 40-52 weeks (measured)")
    ax.axvspan(*RAMP_BAND, color="green", alpha=0.12, label="3-6 months")
    ax.axhline(0.9, color="grey", lw=0.8, ls="--")
    ax.set_xlabel("weeks in the seat")
    ax.set_ylim(0, 1.25)
    ax.set_title("New-hire ramp (stable market)", fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    p = out / "new_hire_ramp.png"
    _savefig(fig, p)
    plt.close(fig)
    paths.append(p)
    # 3. the default study against the stable market (same seeds)
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2))
    for name, d in studies.items():
        ser = d["engine"].series
        for ax, key, title in zip(axes, ("revenue", "headcount", "morale"),
                                  ("weekly revenue (k$)", "headcount", "mean morale")):
            v = ser[key]
            lo, med, hi = np.nanquantile(v, [0.1, 0.5, 0.9], axis=1)
            ln, = ax.plot(med, label=name)
            ax.fill_between(np.arange(v.shape[0]), lo, hi, alpha=0.2, color=ln.get_color(), lw=0)
            ax.set_title(title, fontsize=9)
            ax.set_xlabel("week")
    axes[0].legend(fontsize=7)
    fig.suptitle("Stable market vs the default study (recession preset), median and 10-90% band", fontsize=10)
    fig.tight_layout()
    p = out / "default_study.png"
    _savefig(fig, p)
    plt.close(fig)
    paths.append(p)
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=500, help="replications per study (default 500)")
    ap.add_argument("--seed", type=int, default=1, help="base seed (default 1)")
    ap.add_argument("--weeks", type=int, default=104, help="horizon in weeks (default 104)")
    ap.add_argument("--out", default=str(ROOT / "outputs" / "calibration"), help="output folder")
    ap.add_argument("--figures", default=None, help="also copy the PNG figures into this folder")
    a = ap.parse_args(argv)
    if a.replications < 2:
        print("error: --replications: expected a whole number >= 2", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    try:
        cfgs = {"stable": simteam.configure(market="stable", weeks=a.weeks),
                "recession": simteam.configure(market="recession", weeks=a.weeks)}
    except simteam.ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    seeds = a.seed + np.arange(a.replications)
    studies, ramps, tables = {}, {}, []
    for name, cfg in cfgs.items():
        d = run_study(cfg, seeds)
        studies[name] = d
        ramps[name] = ramp_curves(d, cfg.people.ramp_weeks)
        tables.append(figures_table(name, d, ramps[name], cfg.people.ramp_weeks))
    table = pd.concat(tables, ignore_index=True)
    rec = studies["recession"]["summary"]
    extra = pd.DataFrame([{
        "study": "recession", "revenue vs stable (paired)": f"{(rec['revenue'] / studies['stable']['summary']['revenue'] - 1).mean():+.1%}",
        "drawdown": f"{rec['drawdown'].mean():.1%}",
        "recovered within horizon": f"{rec['recovered'].mean():.0%}",
        "recovery_weeks (median of recovered)": f"{rec['recovery_weeks'].median():.0f}",
    }])
    out = pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    md = to_markdown(table.drop(columns=["source"]))
    head = (f"simteam {simteam.__version__} calibration: default 12-rep team, {a.replications} replications, "
            f"seeds {a.seed}..{a.seed + a.replications - 1}, {a.weeks} weeks")
    text = f"{head}\n\n{md}\n\n{to_markdown(extra)}\n"
    _atomic_bytes(out / "calibration.md", text.encode())
    _atomic_bytes(out / "calibration.csv", table.to_csv(index=False).encode())
    _atomic_bytes(out / "new_hire_ramp.csv", ramps["stable"].to_csv(index=False).encode())
    paths = plot(studies, ramps, out)
    print(text)
    print(f"wrote calibration.md, calibration.csv, new_hire_ramp.csv, {', '.join(p.name for p in paths)} to {out} "
          f"({time.perf_counter() - t0:.0f} s)")
    if a.figures:
        dest = pathlib.Path(a.figures)
        dest.mkdir(parents=True, exist_ok=True)
        for p in paths:
            shutil.copyfile(p, dest / p.name)
        print(f"copied the figures to {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
