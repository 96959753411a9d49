"""The decision report of :mod:`simteam.planning`: figures (PNG) and one self-contained HTML page.

The page has no external resources (inline CSS, figures embedded as base64 PNG), so it can
be mailed or opened offline. Every number of the ranked table carries its exact value in a
``data-value`` attribute (``data-alt`` and ``data-metric`` name the row of ``results.csv``
and its column), which the tests compare with ``results.csv``.
"""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import pandas as pd

from ..fmt import fmt_number
from ..io import Staged, render_template, write_bytes
from ..plotting import new_figure, png_bytes
from .scenario import LEADER_ACTIONS, alternative_actions, describe_alternative, dump_resolved, leader_action_text
from .assumptions import fmt_assumption

__all__ = ["TABLE_COLUMNS", "fmt_value", "make_figures", "write_report"]

#: Columns of the ranked table: (results.csv column, header, format kind).
TABLE_COLUMNS = [
    ("revenue_mean", "Expected revenue (k$)", "k"),
    ("revenue_p10", "P10 (k$)", "k"),
    ("revenue_p50", "P50 (k$)", "k"),
    ("revenue_p90", "P90 (k$)", "k"),
    ("diff_revenue_mean", "vs baseline (k$)", "sk"),
    ("diff_revenue_lo", "95% low", "sk"),
    ("diff_revenue_hi", "95% high", "sk"),
    ("beats_baseline_share", "Wins vs baseline", "pct"),
    ("dip_depth", "Dip depth", "pct"),
    ("dip_weeks", "Dip weeks", "int"),
    ("adoption_final", "Adoption at end", "pct"),
    ("morale_final_survey", "Morale at end (survey scale)", "f2"),
    ("trust_final_survey", "Trust at end (survey scale)", "f2"),
    ("quits_mean", "Quits (mean)", "f1"),
]

#: Format kind of a table column -> keyword arguments of :func:`simteam.fmt.fmt_number`.
_KINDS = {"k": {"digits": 0}, "sk": {"digits": 0, "signed": True}, "pct": {"digits": 0, "percent": True},
          "month": {"digits": 0},
          "int": {"digits": 0}, "f1": {"digits": 1}, "f2": {"digits": 2}}


def fmt_value(x, kind: str) -> str:
    """Display text of a table value of format ``kind`` (see :data:`TABLE_COLUMNS`)."""
    return fmt_number(x, **_KINDS[kind])


def _colors(names):
    import matplotlib

    cmap = matplotlib.colormaps["tab10"]
    out = {}
    i = 0
    for n in names:
        if n == "status_quo":
            out[n] = "#7f7f7f"
        else:
            out[n] = cmap(i if i != 7 else 9)
            i += 1
    return out


def _roll(x: np.ndarray, w: int = 13) -> np.ndarray:
    c = np.cumsum(np.r_[0.0, x])
    out = np.full(x.size, np.nan)
    for t in range(x.size):
        a = max(0, t - w + 1)
        out[t] = (c[t + 1] - c[a]) / (t + 1 - a)
    return out


def make_figures(res) -> dict[str, bytes]:
    """The report's figures as PNG bytes, by file name."""
    sc, runs, table, weekly = res.scenario, res.runs, res.table, res.weekly
    names = list(runs)
    col = _colors(names)
    figs: dict[str, bytes] = {}
    action_weeks = sorted({(a["week"], a["id"]) for n in names for a in _actions(sc, n)})

    def save(fig, name):
        figs[name] = png_bytes(fig, dpi=110, bbox_inches="tight")

    def mark(ax):
        for w, aid in action_weeks:
            ax.axvline(w, color="#bbbbbb", lw=0.8, ls=":")
            ax.text(w, 1.0, f" {aid}", transform=ax.get_xaxis_transform(), fontsize=7, color="#777777",
                    va="top", rotation=90)

    # 1. total revenue distribution
    fig = new_figure(figsize=(9, 0.7 + 0.6 * len(names)))
    ax = fig.subplots()
    order = list(table["alternative"])[::-1]
    data = [runs[n].results.summary["revenue"].to_numpy() / 1000 for n in order]
    horiz = {"orientation": "horizontal"} if _mpl_at_least(3, 10) else {"vert": False}
    bp = ax.boxplot(data, whis=(10, 90), showfliers=False, patch_artist=True, widths=0.55, **horiz)
    for patch, n in zip(bp["boxes"], order):
        patch.set_facecolor(col[n])
        patch.set_alpha(0.55)
    for i, n in enumerate(order):
        m = table.set_index("alternative").loc[n, "revenue_mean"] / 1000
        ax.plot(m, i + 1, "D", color="black", ms=5)
    ax.set_yticks(range(1, len(order) + 1), [sc.label(n) for n in order])
    ax.set_xlabel(f"total revenue over the horizon (M{sc.currency[1:].strip() or '$'}): box = P25-P75, "
                  "whiskers = P10-P90, line = P50, diamond = mean")
    ax.grid(axis="x", alpha=0.3)
    save(fig, "fig_revenue.png")
    # 2. weekly revenue paths
    fig = new_figure(figsize=(9, 3.8))
    ax = fig.subplots()
    for n in names:
        w = weekly[weekly["alternative"] == n]
        ax.plot(w["week"], _roll(w["revenue_mean"].to_numpy()), color=col[n], label=sc.label(n), lw=1.8)
    mark(ax)
    ax.set_xlabel("week")
    ax.set_ylabel(f"weekly revenue ({sc.currency}), 13-week mean")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    save(fig, "fig_revenue_weekly.png")
    # 3. productivity and adoption
    fig = new_figure(figsize=(11, 3.8))
    axes = fig.subplots(1, 2)
    for n in names:
        w = weekly[weekly["alternative"] == n]
        axes[0].plot(w["week"], w["productivity_mean"], color=col[n], label=sc.label(n), lw=1.6)
        if not w["adoption_mean"].isna().all():
            axes[1].plot(w["week"], w["adoption_mean"] * 100, color=col[n], label=sc.label(n), lw=1.6)
    axes[0].set_ylabel("mean productivity factor (ramp x J-curve)")
    axes[1].set_ylabel("reps using the change (%)")
    for ax in axes:
        mark(ax)
        ax.set_xlabel("week")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    save(fig, "fig_productivity_adoption.png")
    # 4. morale and trust
    fig = new_figure(figsize=(11, 3.8))
    axes = fig.subplots(1, 2)
    for n in names:
        w = weekly[weekly["alternative"] == n]
        for ax, k in zip(axes, ("morale", "trust")):
            ax.plot(w["week"], w[f"{k}_mean"], color=col[n], label=sc.label(n), lw=1.6)
            ax.fill_between(w["week"], w[f"{k}_p10"], w[f"{k}_p90"], color=col[n], alpha=0.08)
    axes[0].set_ylabel("mean morale (0-1), band = P10-P90")
    axes[1].set_ylabel("mean trust in the leader (0-1)")
    for ax in axes:
        mark(ax)
        ax.set_xlabel("week")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    save(fig, "fig_morale_trust.png")
    # 5. paired differences against the baseline
    others = [n for n in table["alternative"] if n != sc.baseline]
    if others:
        fig = new_figure(figsize=(11, 0.9 + 0.55 * len(others)))
        axes = fig.subplots(1, 2)
        t = table.set_index("alternative")
        for ax, k, lab in ((axes[0], "revenue", f"revenue difference ({sc.currency})"), (axes[1], "quits", "quits difference")):
            for i, n in enumerate(others[::-1]):
                m, lo, hi = t.loc[n, f"diff_{k}_mean"], t.loc[n, f"diff_{k}_lo"], t.loc[n, f"diff_{k}_hi"]
                ax.errorbar(m, i, xerr=[[m - lo], [hi - m]], fmt="o", color=col[n], capsize=4)
            ax.axvline(0, color="black", lw=0.8)
            ax.set_yticks(range(len(others)), [sc.label(n) for n in others[::-1]])
            ax.set_xlabel(f"{lab} vs {sc.label(sc.baseline)}\nmean and 95% interval (paired)")
            ax.grid(axis="x", alpha=0.3)
        axes[1].set_yticklabels([])
        save(fig, "fig_difference.png")
    # 6. who is at risk
    risk = res.at_risk.head(12)
    if len(risk):
        fig = new_figure(figsize=(9, 0.8 + 0.35 * len(risk)))
        ax = fig.subplots()
        h = 0.8 / len(names)
        for j, n in enumerate(names):
            ax.barh(np.arange(len(risk))[::-1] + (j - (len(names) - 1) / 2) * h, risk[f"leave_{n}"] * 100,
                    height=h, color=col[n], label=sc.label(n))
        ax.set_yticks(np.arange(len(risk))[::-1], risk["rep_id"])
        ax.set_xlabel("probability the rep leaves within the horizon (%)")
        ax.legend(fontsize=8)
        ax.grid(axis="x", alpha=0.3)
        save(fig, "fig_at_risk.png")
    # 7. sensitivity: every alternative's gain over the baseline, each assumption low and high
    sens = res.sensitivity
    alts = [n for n in table["alternative"] if n != sc.baseline and f"gain_{n}" in sens]
    if len(sens) and alts:
        keys = list(dict.fromkeys(sens["assumption"]))
        fig = new_figure(figsize=(9, 1.0 + 0.32 * len(keys) * len(alts)))
        ax = fig.subplots()
        h = 0.7 / len(alts)
        for i, k in enumerate(keys[::-1]):
            g = sens[sens["assumption"] == k].set_index("setting")
            for j, n in enumerate(alts):
                y = i + (j - (len(alts) - 1) / 2) * h
                lo_v, hi_v = g.loc["low", f"gain_{n}"], g.loc["high", f"gain_{n}"]
                ax.plot([lo_v, hi_v], [y, y], color=col[n], lw=2, alpha=0.7, label=sc.label(n) if i == 0 else None)
                ax.plot(lo_v, y, "o", color=col[n], ms=5)
                ax.plot(hi_v, y, "s", color=col[n], ms=5)
        ax.axvline(0, color="black", lw=0.8)
        labels = [sens[sens["assumption"] == k]["label"].iloc[0] for k in keys[::-1]]
        ax.set_yticks(range(len(keys)), labels, fontsize=8)
        unit = sc.currency if sc.rank_by == "revenue" else sc.rank_by
        ax.set_xlabel(f"gain over {sc.baseline} ({unit}); circle = assumption set low, square = set high")
        ax.legend(fontsize=8)
        ax.grid(axis="x", alpha=0.3)
        save(fig, "fig_sensitivity.png")
    # 8. the baseline fitted to the team's history
    h = getattr(res, "history_fit", None)
    if h is not None:
        from .history import METRICS
        mets = list(h.outside_share)
        fig = new_figure(figsize=(9, 2.9))
        axes = fig.subplots(1, len(mets), squeeze=False)[0]
        per = h.history.table["period"].tolist()
        x = np.arange(len(per))
        step = max(1, len(per) // 6)
        for ax, m in zip(axes, mets):
            d = h.periods[h.periods["metric"] == m]
            ax.fill_between(x, d["p05"], d["p95"], color="tab:blue", alpha=0.18, label="model: 90% band")
            ax.plot(x, d["mean"], color="tab:blue", lw=1.2, label="model: mean")
            out = d["outside"].to_numpy()
            ax.plot(x[~out], d["actual"].to_numpy()[~out], "o", color="black", ms=3.5, label="actual")
            if out.any():
                ax.plot(x[out], d["actual"].to_numpy()[out], "x", color="tab:red", ms=6, mew=1.5,
                        label="actual, outside the band")
            ax.set_title(METRICS[m][1], fontsize=9)
            ax.set_xticks(x[::step], per[::step], fontsize=7, rotation=30)
            ax.tick_params(axis="y", labelsize=7)
            ax.grid(alpha=0.3)
        # one legend below the panels (inside a panel it hides the months)
        handles, labels = {}, {}
        for ax in axes:
            for hd, lb in zip(*ax.get_legend_handles_labels()):
                handles.setdefault(lb, hd)
        fig.legend(list(handles.values()), list(handles), loc="lower center", ncol=len(handles), fontsize=7,
                   frameon=False)
        fig.tight_layout(rect=(0, 0.08, 1, 1))
        save(fig, "fig_history.png")
    return figs


def _mpl_at_least(major: int, minor: int) -> bool:
    import matplotlib

    parts = matplotlib.__version__.split(".")
    return (int(parts[0]), int(parts[1])) >= (major, minor)


def _actions(sc, name):
    return alternative_actions(sc, name)


def _action_text(a: dict) -> str:
    kind = a["action"]
    if kind in ("rollout", "new_approach"):
        bits = []
        for k, lab in (("training", "training"), ("pilot_share", "pilot share"), ("pilot_weeks", "pilot weeks"),
                       ("support", "support")):
            if a.get(k) is not None:
                bits.append(f"{lab} {a[k]:g}")
        mw = a.get("mandate_week")
        bits.append(f"mandate week {mw}" if mw not in (None, -1) else "no mandate")
        return f"{'new tool' if kind == 'rollout' else 'new selling approach'}: " + ", ".join(bits)
    if kind == "hire":
        return f"hire into up to {a.get('count', 1)} open seat(s)"
    if kind == "quota_change":
        return f"quota x {a['factor']:g}"
    if kind == "regroup":
        return "regroup the teams (new peer ties, trust partly reset)"
    if kind in LEADER_ACTIONS:
        return leader_action_text(a)
    return kind.replace("_", " ")


def _event_text(ev: dict) -> str:
    when = f"week {ev['week']}" if "week" in ev else f"some week in {ev['window'][0]}-{ev['window'][1]}"
    return f"{ev['kind'].replace('_', ' ')}: {fmt_number(ev['probability'], 0, percent=True)} chance, {when}"


def write_report(res, outdir: str, figures: bool = True, pdf: bool = True) -> dict[str, str]:
    """Write report.html, summary.html (the one-page executive summary), the PNG figures and the CSV tables into
    ``outdir`` (atomically), then summary.pdf with headless Chromium when it is installed (``pdf``; without it,
    ``files["pdf_note"]`` says why). Returns the paths by name."""
    files: dict[str, str] = {}

    def put(kind: str, obj, name: str) -> None:
        files[name.rsplit(".", 1)[0] if name != "report.html" else "report"] = str(out.write(kind, obj, name))

    with Staged(outdir) as out:
        put("csv", res.table, "results.csv")
        put("csv", res.weekly, "weekly.csv")
        put("csv", res.at_risk, "at_risk.csv")
        put("csv", res.sensitivity, "sensitivity.csv")
        put("csv", res.money, "money.csv")
        disc = getattr(res, "discovery", None)
        if disc is not None and disc.get("result") is not None:
            put("csv", disc["result"].table, "discovery.csv")
        if getattr(res, "history_fit", None) is not None:
            put("csv", res.history_fit.periods, "history_fit.csv")
        put("csv", pd.DataFrame([{k: v for k, v in a.items() if k != "target"} for a in res.assumptions]),
            "assumptions.csv")
        put("text", dump_resolved(res.scenario, {n: run.config for n, run in res.runs.items()}), "scenario.yaml")
        figs = make_figures(res) if figures else {}
        for name, data in figs.items():
            put("bytes", data, name)
        html = render_html(res, figs)
        put("text", summary_html(html), "summary.html")
        put("text", html, "report.html")
        out.commit(last=("report.html",))
    if pdf:
        path, note = print_pdf(files["summary"], str(Path(outdir) / "summary.pdf"), paper=res.scenario.paper)
        if path:
            files["summary_pdf"] = path
        else:
            files["pdf_note"] = note
    return files


#: Chromium, and the flags of its headless launch (those of tests/test_browser.py).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def summary_html(html: str) -> str:
    """The one-page executive summary as a page of its own: the report's head and styles, its title, and the
    executive summary section."""
    head, body = html.split("<main>", 1)
    start = body.index("<section class='exec' id='executive'>")
    end = body.index("</section>", start) + len("</section>")
    title = body[:body.index("<p class='meta'>")] if "<p class='meta'>" in body[:start] else body[:start]
    # the page holds the summary alone, a little smaller than in the report so that it fits one page, with no
    # page break after it (a blank second page otherwise)
    head = head.replace("</head>", "<style>@media print{.exec{break-after:auto;font-size:9.5pt}h1{font-size:15pt;margin:0 0 4px}}</style></head>", 1)
    return head + "<main>" + title + body[start:end] + "</main></body></html>\n"


def print_pdf(html_path: str, pdf_path: str, paper: str = "A4", chromium: str = CHROMIUM,
              timeout: float = 120.0) -> tuple[str | None, str]:
    """Print an HTML file to PDF with headless Chromium. Returns (path, "") or (None, a one-line note why not)."""
    import shutil
    import subprocess
    import tempfile

    # the default path, else a chromium on the PATH; a path given explicitly is used as given
    exe = chromium if Path(chromium).exists() else (shutil.which("chromium") if chromium == CHROMIUM else None)
    if not exe:
        return None, f"PDF skipped: {chromium} not found (install Debian's chromium to get summary.pdf)"
    with tempfile.TemporaryDirectory(prefix="simteam-chromium-") as prof:
        # Chromium prints into its own scratch profile folder; the PDF reaches pdf_path atomically (simteam.io)
        scratch = Path(prof) / "print.pdf"
        cmd = [exe, "--headless", *CHROMIUM_ARGS, f"--user-data-dir={prof}", "--no-pdf-header-footer",
               f"--print-to-pdf={scratch}", Path(html_path).resolve().as_uri()]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as e:
            return None, f"PDF skipped: headless Chromium failed ({type(e).__name__})"
        data = scratch.read_bytes() if scratch.exists() else b""
        if r.returncode != 0 or data[:5] != b"%PDF-":
            last = (r.stderr or r.stdout or "").strip().splitlines()[-1:] or ["no output"]
            return None, f"PDF skipped: headless Chromium did not print ({last[0][:120]})"
        p = write_bytes(data, pdf_path)
    return str(p), ""


#: Captions of the report's figures, in page order.
CAPTIONS = {
    "fig_revenue.png": "Total revenue per alternative across the simulated futures.",
    "fig_revenue_weekly.png": "Weekly revenue (13-week mean, averaged over futures). Dotted lines: planned actions.",
    "fig_productivity_adoption.png": "Left: mean productivity (ramp-up x J-curve of the change). Right: share "
                                     "of reps using the change, by week.",
    "fig_morale_trust.png": "Morale and trust paths: mean and the P10-P90 band across futures.",
    "fig_difference.png": "Paired difference against the baseline on the same futures, with 95% intervals: "
                          "revenue (left) and quits (right).",
    "fig_at_risk.png": "Reps most at risk of leaving: share of futures in which the rep leaves.",
    "fig_sensitivity.png": "Sensitivity: each alternative's gain over the baseline when one assumption is set "
                           "low (circle) or high (square).",
}
#: Caption of the history figure (shown in its own section).
HISTORY_CAPTION = ("Your team's history (dots; red crosses: outside the band) against the baseline fitted to it: "
                   "the model's mean and its 90% band per period, from today's roster.")


def _history(res, figs: dict[str, bytes]) -> dict | None:
    h = getattr(res, "history_fit", None)
    if h is None:
        return None
    H = h.history

    def f(x, m):
        return fmt_number(x, 0, percent=True) if m == "attainment" else fmt_number(x, 2)

    def fp(x):
        return fmt_number(x, 4 if abs(x) < 0.1 else 2)
    return {
        "n": H.n, "freq": H.freq, "first": H.table["period"].iloc[0], "last": H.table["period"].iloc[-1],
        "fits": h.fits, "warnings": list(h.warnings), "replications": h.replications,
        "params": [{"label": p.label, "estimate": fp(p.estimate), "ci": f"{fp(max(p.ci_low, 0.0))} to {fp(p.ci_high)}",
                    "default": fp(p.default)} for p in h.params.itertuples()],
        "moments": [{"label": r.label, "actual": f(r.actual, r.metric), "fitted": f(r.fitted_mean, r.metric),
                     "outside": fmt_number(r.outside_share, 0, percent=True)} for r in h.moments.itertuples()],
        "j": (f"J = {h.j_stat:.2f}, p = {h.j_pvalue:.2f}" if np.isfinite(h.j_pvalue) else ""),
        "caption": HISTORY_CAPTION,
        "png64": base64.b64encode(figs["fig_history.png"]).decode() if "fig_history.png" in figs else "",
    }


def _ranked(table: pd.DataFrame) -> list[dict]:
    rows = []
    for i, row in table.iterrows():
        cells = []
        for c, _, kind in TABLE_COLUMNS:
            v = row[c]
            cells.append({"metric": c, "value": "nan" if pd.isna(v) else repr(float(v)),
                          "text": fmt_value(None if pd.isna(v) else float(v), kind)})
        rows.append({"best": i == 0, "alt": row["alternative"], "label": row.get("label", row["alternative"]),
                     "rank": int(row["rank"]),
                     "description": str(row["description"]), "cells": cells})
    return rows


def _risk(risk: pd.DataFrame, labels: dict) -> dict | None:
    if not len(risk):
        return None
    leave_cols = [c for c in risk if c.startswith("leave_") and c != "leave_max"]
    info = [c for c in ("team", "name", "attainment_last_year", "engagement", "morale", "trust") if c in risk]
    avg = float(np.nanmean(risk[leave_cols].to_numpy()))
    rows = []
    for r in risk.itertuples(index=False):  # every rep: no silent truncation (the page shows them all)
        d = r._asdict()
        rows.append({
            "rep_id": str(d["rep_id"]),
            "info": ["" if pd.isna(d[c]) else str(d[c] if isinstance(d[c], str) else f"{d[c]:g}") for c in info],
            "leave": [{"hot": bool(not pd.isna(d[c]) and d[c] >= 1.5 * avg and d[c] >= 0.2),
                       "text": _removed_text(d, labels.get(c[6:], c[6:])) if pd.isna(d[c]) and d.get("removed_in")
                       else fmt_number(d[c], 0, percent=True)} for c in leave_cols]})
    return {"info": info, "alternatives": [labels.get(c[6:], c[6:]) for c in leave_cols], "rows": rows,
            "n": len(rows)}


def _removed_text(d: dict, label: str) -> str:
    """What the plan does with a rep it takes out of the sales seat (shown instead of a chance of leaving)."""
    if label in str(d.get("promoted_in") or "").split("; "):
        return "promoted to manager"
    return "let go by the plan"


def _sensitivity(sens: pd.DataFrame, sc) -> dict | None:
    if not len(sens):
        return None
    gcols = [c for c in sens if c.startswith("gain_") and c != f"gain_{sc.baseline}"]
    money = sc.rank_by == "revenue"
    rows = []
    for r in sens.itertuples(index=False):
        d = r._asdict()
        rows.append({"label": d["label"], "setting": d["setting"], "factor": fmt_assumption(d["value"], d["fmt"]),
                     "best": sc.label(d["best"]),
                     "gains": [fmt_number(d[c], 0, signed=True, unit=sc.currency) if money else
                               fmt_number(d[c], 3, signed=True) for c in gcols]})
    return {"replications": int(sens["replications"].iloc[0]), "alternatives": [sc.label(c[5:]) for c in gcols],
            "rows": rows}


def _assumptions(res) -> list[dict]:
    out = []
    for a in res.assumptions:
        if a["fmt"] == "text":
            val = str(a["value"])
        elif a.get("drawn"):
            val = (f"{fmt_assumption(a['low'], a['fmt'])} to {fmt_assumption(a['high'], a['fmt'])}"
                   + (f", most likely {fmt_assumption(a['mode'], a['fmt'])}" if a.get("mode") is not None else "")
                   + " (drawn in each future)")
        else:
            val = fmt_assumption(a["value"], a["fmt"])
        test = (f"{fmt_assumption(a['test'][0], a['fmt'])} to {fmt_assumption(a['test'][1], a['fmt'])}"
                if a.get("test") else "not varied")
        if a.get("note"):
            val += f"; {a['note']}"
        out.append({"label": a["label"], "value": val, "source": a["source"], "test": test, "key": a["key"]})
    return out


#: Money table columns: (money.csv column, header, format kind).
MONEY_COLUMNS = [("extra_cost_mean", "Extra cost", "k"), ("net_value_mean", "Net value (mean)", "sk"),
                 ("net_value_p10", "P10", "sk"), ("net_value_p50", "P50", "sk"), ("net_value_p90", "P90", "sk"),
                 ("roi_p50", "ROI (median)", "pct"), ("payback_month_p10", "Payback month P10", "month"),
                 ("payback_month_p50", "P50", "month"), ("payback_month_p90", "P90", "month"),
                 ("net_positive_share", "Futures with net gain", "pct")]


def _money(res) -> dict | None:
    m = res.money
    sc = res.scenario
    if m is None or not len(m) or not sc.money:
        return None
    rows = []
    for r in m.itertuples(index=False):
        d = r._asdict()
        if d["alternative"] == sc.baseline:
            continue
        cells = []
        for c, _, kind in MONEY_COLUMNS:
            v = d[c]
            if c == "roi_p50" and pd.isna(v):
                t = f"n/a: {d.get('roi_note') or 'no extra cost'}"
            elif kind == "month":
                t = "-" if pd.isna(v) else ("after the horizon" if not np.isfinite(v) else fmt_number(v, 0))
            else:
                t = fmt_value(None if pd.isna(v) else float(v), kind)
            cells.append(t)
        rows.append({"label": sc.label(d["alternative"]), "cells": cells})
    return {"headers": [h for _, h, _ in MONEY_COLUMNS], "rows": rows, "currency": sc.currency,
            "margin": fmt_number(sc.money.get("margin", 1.0), 0, percent=True)}


def render_html(res, figs: dict[str, bytes]) -> str:
    """The report page (a string of self-contained HTML), from ``templates/report.html``."""
    import simteam

    sc, table = res.scenario, res.table
    first = next(iter(res.runs.values()))
    return render_template(
        "simteam.planning", "report.html",
        name=sc.name, description=sc.description, n_alternatives=len(res.runs), R=first.results.n,
        weeks=first.config.weeks, s0=int(first.results.seeds[0]), baseline=sc.baseline, rank_by=sc.rank_by,
        summary=list(res.summary_text), headers=[h for _, h, _ in TABLE_COLUMNS], ranked=_ranked(table),
        alternatives=[{"name": sc.label(n), "what": describe_alternative(sc, n),
                       "timeline": [{"week": a["week"], "id": a["id"], "text": _action_text(a)} for a in _actions(sc, n)]}
                      for n in res.runs],
        events=[{"id": ev["id"], "text": _event_text(ev)} for ev in sc.events],
        figures=[{"id": name[:-4], "caption": cap, "png64": base64.b64encode(figs[name]).decode()}
                 for name, cap in CAPTIONS.items() if name in figs],
        risk=_risk(res.at_risk, {n: sc.label(n) for n in res.runs}), sens=_sensitivity(res.sensitivity, sc),
        version=simteam.__version__, source=sc.source, assumptions=_assumptions(res), money=_money(res),
        executive=res.executive, overrides=list(res.overrides), paper=sc.paper, currency=sc.currency,
        baseline_label=sc.label(sc.baseline), survey_scale="-".join(f"{x:g}" for x in res.survey_scale),
        break_even=[r for r in res.executive.get("lines", []) if r.startswith("What would it take")],
        history=_history(res, figs),
        discovery=[t for t in res.summary_text if t.startswith("When would the choice go wrong")])
