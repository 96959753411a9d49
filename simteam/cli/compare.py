"""Comparison report from a sweep: paired differences against a named baseline.

Every job of a simteam sweep runs the same seeds (``seed + r`` for replication ``r``),
so two jobs are paired replication by replication (common random numbers). For each
job and each outcome, the report gives the mean difference ``job - baseline`` over the
shared seeds with a 95% t interval (:func:`simteam.results.paired_difference`), and, for
contrast, the Welch interval that treats the two sets of runs as independent.

The baseline is named by one or more ``key=value`` pairs (``leadership=balanced``,
``crisis=none``, ``events.0.probability=0.0``). Each job is paired with the job that
has the same values for every other swept parameter and the baseline's values for
the baseline keys; in a 2 x 2 sweep of leadership x crisis with baseline
``leadership=balanced``, coaching under ``cut_and_push`` is compared with balanced
under ``cut_and_push``.

Command: ``simteam-compare SWEEP_DIR --baseline leadership=balanced`` (without
``--baseline``, the sweep config's ``baseline`` key is used) writes ``report.md``,
``report.html``, ``comparison.csv`` and one PNG per outcome into the sweep folder.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .collect import JOB_COLUMNS, collect, parse_overrides
from ..config import ConfigError
from ..fmt import MISSING, fmt_metric, fmt_number
from ..io import Staged, render_template
from ..results import SUMMARY_COLUMNS, paired_difference

__all__ = ["DEFAULT_METRICS", "Report", "compare", "main", "parse_baseline", "report"]

#: Outcomes compared by default.
DEFAULT_METRICS = ("revenue", "turnover_annual", "quota_share", "morale_final", "trust_final", "recovery_weeks")


def parse_baseline(spec: str | dict) -> dict[str, Any]:
    """``"leadership=balanced,crisis=none"`` -> ``{"leadership": "balanced", "crisis": "none"}``.

    Raises:
        ConfigError: when a part is not of the form ``key=value``.
    """
    if isinstance(spec, dict):
        return dict(spec)
    parts = [p.strip() for p in str(spec).replace(" ", ",").split(",") if p.strip()]
    bad = [p for p in parts if "=" not in p]
    if not parts or bad:
        raise ConfigError(f"baseline: expected key=value pairs such as leadership=balanced, got {spec!r}")
    return parse_overrides(parts)


def _same(a: Any, b: Any) -> bool:
    na = a is None or (isinstance(a, float) and math.isnan(a))
    nb = b is None or (isinstance(b, float) and math.isnan(b))
    if na or nb:
        return na and nb
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    return str(a) == str(b)


def _params(results: pd.DataFrame, sweep: Path | None) -> list[str]:
    if sweep is not None and (sweep / "collect.json").exists():
        return list(json.loads((sweep / "collect.json").read_text(encoding="utf-8"))["params"])
    known = set(JOB_COLUMNS) | set(SUMMARY_COLUMNS) | {"replication", "seed"}
    return [c for c in results.columns if c not in known]


def _label(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items()) or "(all)"


def compare(results: pd.DataFrame, baseline: str | dict, metrics=DEFAULT_METRICS, params: list[str] | None = None,
            confidence: float = 0.95) -> pd.DataFrame:
    """Paired differences of every job against its baseline job.

    Args:
        results: The collector's table (one row per job x replication).
        baseline: ``key=value`` pairs naming the baseline (see module docs).
        metrics: Summary columns to compare.
        params: Parameter columns (default: every column that is not a job or summary column).
        confidence: Level of the intervals.

    Returns:
        One row per (job, metric): ``job``, ``label`` (the job's parameters that differ from its
        baseline), ``metric``, ``n`` (pairs), ``baseline_mean``, ``mean`` (the job's), ``diff``,
        ``lo``, ``hi`` (paired interval), ``unpaired_lo``, ``unpaired_hi`` (Welch), ``p_value`` and
        ``width_ratio`` (paired / unpaired interval width).

    Raises:
        ConfigError: when a baseline key is not a swept parameter, no job matches the baseline,
            or a metric is unknown.
    """
    base = parse_baseline(baseline)
    params = list(params) if params is not None else _params(results, None)
    missing = [k for k in base if k not in params]
    if missing:
        raise ConfigError(f"baseline: {', '.join(missing)} is not a parameter of this sweep; "
                          f"swept parameters: {', '.join(params) or 'none'}")
    unknown = [m for m in metrics if m not in results.columns]
    if unknown:
        raise ConfigError(f"metrics: unknown column(s) {', '.join(unknown)}; choose from "
                          f"{', '.join(c for c in SUMMARY_COLUMNS if c in results.columns)}")
    jobs = {}
    key = ["seed", "draw"] if "draw" in results.columns else "seed"  # uncertainty=: pairs on seed and draw
    for job, g in results.groupby("job", sort=True):
        first = g.iloc[0]
        jobs[int(job)] = ({k: first[k] for k in params}, g.set_index(key))
    base_jobs = [j for j, (p, _) in jobs.items() if all(_same(p[k], v) for k, v in base.items())]
    if not base_jobs:
        raise ConfigError(f"baseline: no finished job has {_label(base)}")
    varying = [k for k in params if len({str(p[k]) for p, _ in jobs.values()}) > 1]
    rows = []
    for j, (p, g) in jobs.items():
        if j in base_jobs:
            continue
        want = {**p, **base}
        ref = [b for b in base_jobs if all(_same(jobs[b][0][k], want[k]) for k in params)]
        if not ref:
            continue
        bp, bg = jobs[ref[0]]
        seeds = g.index.intersection(bg.index)
        diffs = {k: v for k, v in p.items() if not _same(v, bp[k])}
        for m in metrics:
            a = bg.loc[seeds, m].to_numpy(dtype=float)
            b = g.loc[seeds, m].to_numpy(dtype=float)
            d = paired_difference(a, b, confidence)
            ok = ~(np.isnan(a) | np.isnan(b))
            width = d["hi"] - d["lo"]
            uwidth = d["unpaired_hi"] - d["unpaired_lo"]
            rows.append({
                "job": j, "baseline_job": ref[0], "label": _label(diffs), "context": _label(
                    {k: v for k, v in p.items() if k in varying and k not in base and k not in diffs}),
                "metric": m, "n": d["n"], "baseline_mean": float(np.mean(a[ok])) if ok.any() else np.nan,
                "mean": float(np.mean(b[ok])) if ok.any() else np.nan, "diff": d["mean"], "lo": d["lo"],
                "hi": d["hi"], "unpaired_lo": d["unpaired_lo"], "unpaired_hi": d["unpaired_hi"],
                "p_value": d["p_value"], "width_ratio": width / uwidth if uwidth and uwidth > 0 else np.nan,
            })
    if not rows:
        raise ConfigError(f"baseline: no job could be paired with a baseline job ({_label(base)}); "
                          f"the sweep needs the baseline value in each combination of the other parameters")
    return pd.DataFrame(rows)


def table(cmp: pd.DataFrame) -> pd.DataFrame:
    """The comparison as a readable table (formatted strings)."""
    rows = []
    for r in cmp.itertuples(index=False):
        rows.append({
            "alternative": r.label + (f" [{r.context}]" if r.context != "(all)" else ""),
            "metric": r.metric, "n": r.n, "baseline": fmt_metric(r.metric, r.baseline_mean),
            "alternative mean": fmt_metric(r.metric, r.mean), "difference": fmt_metric(r.metric, r.diff, signed=True),
            "95% CI (paired)": f"[{fmt_metric(r.metric, r.lo, signed=True)}, {fmt_metric(r.metric, r.hi, signed=True)}]",
            "95% CI (unpaired)": f"[{fmt_metric(r.metric, r.unpaired_lo, signed=True)}, {fmt_metric(r.metric, r.unpaired_hi, signed=True)}]",
            "width paired/unpaired": fmt_number(r.width_ratio, 2),
            "p (paired t)": MISSING if math.isnan(r.p_value) else f"{r.p_value:.2g}",
        })
    return pd.DataFrame(rows)


def _md_table(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    out = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in df.itertuples(index=False):
        out.append("| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |")
    return "\n".join(out)


def _figure(cmp: pd.DataFrame, metric: str):
    from ..plotting import new_figure

    d = cmp[cmp.metric == metric].reset_index(drop=True)
    labels = [r.label + (f"\n[{r.context}]" if r.context != "(all)" else "") for r in d.itertuples()]
    fig = new_figure(figsize=(7, 0.9 + 0.55 * len(d)))
    ax = fig.subplots()
    y = np.arange(len(d))[::-1]
    ax.hlines(y - 0.12, d.unpaired_lo, d.unpaired_hi, color="0.6", lw=2, label="95% CI, unpaired (Welch)")
    ax.hlines(y + 0.12, d.lo, d.hi, color="tab:blue", lw=4, label="95% CI, paired on seeds (CRN)")
    ax.plot(d["diff"], y + 0.12, "o", color="tab:blue")
    ax.axvline(0, color="k", lw=0.8)
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel(f"difference in {metric} vs baseline")
    ax.legend(fontsize=7, loc="best")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


@dataclass
class Report:
    """Paths and table of a written comparison report."""

    comparison: pd.DataFrame
    markdown: Path
    html: Path
    figures: list[Path] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)


def report(sweep_dir: str | Path, baseline: str | dict | None = None, metrics=DEFAULT_METRICS,
           outdir: str | Path | None = None) -> Report:
    """Write ``report.md``, ``report.html``, ``comparison.csv`` and ``diff_<metric>.png`` for a sweep.

    Args:
        sweep_dir: The sweep folder (collected first when ``results.parquet`` is missing).
        baseline: ``key=value`` pairs; default: the ``baseline`` key of the sweep's ``multirun.yaml``.
        metrics: Outcomes to compare.
        outdir: Where to write (default: ``sweep_dir``).

    Raises:
        ConfigError: for a bad or missing baseline or metric; FileNotFoundError for a missing folder.
    """
    sweep = Path(sweep_dir)
    if not sweep.is_dir():
        raise FileNotFoundError(f"sweep folder {str(sweep)!r} does not exist")
    if baseline is not None:
        parse_baseline(baseline)  # a malformed baseline is reported before any work
    if baseline is None:
        baseline = _config_baseline(sweep)
        if not baseline:
            raise ConfigError("baseline: none given; pass --baseline key=value (e.g. leadership=balanced) "
                              "or set baseline in the sweep config")
    # always collected again: every job is verified against its manifest (a damaged job is left out and
    # reported; results.parquet alone could hold a job that was damaged since)
    col = collect(sweep, write=not (sweep / "results.parquet").exists())
    results = col.results
    incomplete = col
    if results.empty:
        raise ConfigError(f"{sweep}: no finished job to compare (see failures.csv)")
    params = _params(results, sweep)
    cmp = compare(results, baseline, metrics, params)
    tab = table(cmp)
    out_dir = Path(outdir) if outdir is not None else sweep
    base_label = _label(parse_baseline(baseline))
    n_jobs = results["job"].nunique()
    intro = (f"Sweep `{sweep}`: {n_jobs} finished jobs, swept parameters: {', '.join(params)}.\n"
             f"Baseline: **{base_label}**. Each row is an alternative minus its baseline, paired on the same seeds "
             f"(common random numbers), with a 95% t interval; the unpaired (Welch) interval of the same "
             f"difference is shown for contrast, and `width paired/unpaired` is the ratio of their widths.")
    missing = [*incomplete.problems, *(f"job #{r.job} {r.status}: {r.error}"
                                       for r in incomplete.failures.itertuples(index=False))]
    if missing:
        intro += (f"\n**Incomplete sweep**: {len(missing)} job(s) or files are failed, missing or damaged and are "
                  f"left out: " + "; ".join(missing[:20]) + (f"; ... and {len(missing) - 20} more" if len(missing) > 20 else ""))
    figs = []
    with Staged(out_dir) as out:
        out.write("csv", cmp, "comparison.csv")
        for m in metrics:
            if cmp[cmp.metric == m]["n"].max() >= 2:
                figs.append(out.write("png", _figure(cmp, m), f"diff_{m}.png"))
        md = ["# Comparison report", "", intro, "", _md_table(tab), ""]
        md += [f"![{p.stem}]({p.name})" for p in figs]
        out.write("text", "\n".join(md) + "\n", "report.md")
        page = render_template("simteam.cli", "comparison.html", intro=intro.replace("**", ""),
                               columns=list(tab.columns), table=[[str(v) for v in row] for row in tab.itertuples(index=False)],
                               figures=[{"src": p.name, "alt": p.stem} for p in figs])
        out.write("text", page, "report.html")
        out.commit(last=("report.html",))
    return Report(cmp, out_dir / "report.md", out_dir / "report.html", figs, incomplete=missing)


def _config_baseline(sweep: Path) -> str | None:
    f = sweep / "multirun.yaml"
    if not f.exists():
        return None
    import yaml

    data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
    b = data.get("baseline")
    return str(b) if b else None


def main(argv: list[str] | None = None) -> None:
    """``simteam-compare SWEEP_DIR [--baseline key=value] [--metrics a,b]``: write the comparison report."""
    from ..errors import OneLineParser, one_line_errors

    ap = OneLineParser(prog="simteam-compare", description=main.__doc__.splitlines()[0])
    ap.add_argument("sweep_dir", help="folder of a multirun, e.g. outputs/multirun/2026-11-27/16-40-00")
    ap.add_argument("--baseline", "-b", default=None,
                    help="key=value pairs naming the baseline job(s), e.g. leadership=balanced "
                         "(default: the sweep config's baseline key)")
    ap.add_argument("--metrics", "-m", default=",".join(DEFAULT_METRICS),
                    help=f"comma-separated outcomes (default: {','.join(DEFAULT_METRICS)})")
    ap.add_argument("--out", default=None, help="output folder (default: the sweep folder)")
    ap.add_argument("--debug", action="store_true", help="show the traceback of an error")
    args = ap.parse_args(argv)
    with one_line_errors("simteam-compare", args.debug):
        rep = report(args.sweep_dir, args.baseline, tuple(m for m in args.metrics.split(",") if m), args.out)
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.max_colwidth", 60):
        print(table(rep.comparison).to_string(index=False))
    print(f"wrote {rep.markdown}, {rep.html.name}, comparison.csv and {len(rep.figures)} figures")
    if rep.incomplete:
        print(f"error: incomplete sweep, left out of the comparison: {'; '.join(rep.incomplete[:20])}"
              + (f"; ... and {len(rep.incomplete) - 20} more" if len(rep.incomplete) > 20 else ""), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
