"""Collect every job of a Hydra sweep into one tidy table.

A sweep folder (``outputs/multirun/<date>/<time>/``) holds one sub-folder per job with
Hydra's ``.hydra/overrides.yaml`` and, when the job finished, its ``summary.csv``.
:func:`collect` joins them into ``results.parquet`` and ``results.csv``: one row per
job x replication, with the job's overridden parameters as columns. Jobs that failed
(a folder without ``summary.csv``) or never started (planned in ``sweep_jobs.json`` by
the ``simteam`` sweeper but without a folder) are listed in ``failures.csv`` and
printed; the finished ones are kept.

Two ways to run it:

* automatically, as the ``on_multirun_end`` Hydra callback
  :class:`simteam.cli.callbacks.CollectCallback`
  (configured in ``simteam/conf/config.yaml``; Hydra skips it when a job fails), and
* by hand: ``simteam-collect outputs/multirun/2026-11-27/16-40-00``.

This module does not import Hydra.
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..io import write_csv, write_json, write_parquet

__all__ = ["JOB_COLUMNS", "Collected", "collect", "main", "parse_overrides"]

#: Columns added in front of every row: the job number and its folder name.
JOB_COLUMNS = ("job", "job_dir")
_SKIP_DIRS = {".submitit", ".hydra"}


def _load_yaml(path: Path) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def _value(text: str) -> Any:
    """Parse an override value like YAML would (numbers, booleans, null), else keep the text."""
    import yaml

    try:
        v = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return v if isinstance(v, (int, float, bool, str)) or v is None else text


def parse_overrides(overrides: list[str]) -> dict[str, Any]:
    """``["leadership=coaching", "+team.size=3", "weeks=52"]`` -> ``{"leadership": "coaching", ...}``.

    Deletions (``~key``) are skipped; ``+``/``++`` prefixes are dropped.

    Example:
        >>> parse_overrides(["leadership=coaching", "weeks=52", "++output.figures=false"])
        {'leadership': 'coaching', 'weeks': 52, 'output.figures': False}
    """
    out: dict[str, Any] = {}
    for o in overrides:
        o = str(o)
        if o.startswith("~") or "=" not in o:
            continue
        key, _, value = o.partition("=")
        out[key.lstrip("+")] = _value(value)
    return out


@dataclass
class Collected:
    """What :func:`collect` found.

    Attributes:
        results: One row per finished job x replication.
        failures: One row per failed or missing job (``status`` is ``failed`` or ``missing``).
        params: Names of the parameter columns (the swept/overridden keys).
        n_jobs: Jobs found or planned.
        n_ok: Jobs with a ``summary.csv``.
    """

    results: pd.DataFrame
    failures: pd.DataFrame
    params: list[str] = field(default_factory=list)
    n_jobs: int = 0
    n_ok: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every planned job finished and verified, and the sweep's own files are intact."""
        return not len(self.failures) and not self.problems

    def report(self) -> str:
        """A short human-readable account."""
        reps = len(self.results)
        lines = [(f"collected {self.n_ok} of {self.n_jobs} jobs: {reps} rows (job x replication); "
                  f"parameters: {', '.join(self.params) or '-'}")]
        for p in self.problems:
            lines.append(f"sweep incomplete: {p}")
        if len(self.failures):
            lines.append(f"{len(self.failures)} job(s) without results:")
            for r in self.failures.itertuples(index=False):
                lines.append(f"  #{r.job} {r.status}: {r.overrides}  {r.error}")
        return "\n".join(lines)


def _job_num(d: Path) -> int | None:
    m = re.match(r"^(\d+)(_|$)", d.name)
    if m:
        return int(m.group(1))
    hy = d / ".hydra" / "hydra.yaml"
    if hy.exists():
        try:
            return int(_load_yaml(hy)["hydra"]["job"]["num"])
        except (KeyError, TypeError, ValueError, OSError):
            return None
    return None


def _job_dirs(sweep: Path) -> list[Path]:
    dirs = []
    for h in sweep.rglob(".hydra"):
        if h.is_dir() and not (set(h.relative_to(sweep).parts[:-1]) & _SKIP_DIRS) and h.parent != sweep:
            dirs.append(h.parent)
    return dirs


def _verify_job(d: Path) -> list[str]:
    """Problems of a finished job's files: checked against its ``manifest.json`` when it has one; a job
    written without a manifest (an older simteam) gets the checks the files allow (full rows, row count)."""
    from ..io import MANIFEST, verify_manifest

    if (d / MANIFEST).exists():
        return verify_manifest(d)
    summ = d / "summary.csv"
    try:
        text = summ.read_bytes().decode("utf-8")
    except UnicodeDecodeError as ex:
        return [f"{summ}: not UTF-8 text (byte {ex.start}); the file is damaged"]
    except OSError as ex:
        return [f"{summ}: unreadable ({ex.strerror})"]
    import csv
    import io as _io

    rows = list(csv.reader(_io.StringIO(text)))
    if not rows:
        return [f"{summ}: empty"]
    width = len(rows[0])
    for i, r in enumerate(rows[1:], start=2):
        if len(r) != width:
            return [f"{summ}: line {i} has {len(r)} of {width} fields (cut off or damaged)"]
    if not text.endswith("\n"):
        return [f"{summ}: the last line is not complete (cut off)"]
    run_json = d / "run.json"
    if run_json.exists():
        try:
            meta = json.loads(run_json.read_text(encoding="utf-8"))
            reps = meta.get("replications")
        except (ValueError, AttributeError):
            return [f"{run_json}: damaged (not valid JSON)"]
        if meta.get("manifest"):  # written by a simteam that writes manifests: its absence means unfinished
            return [f"{d / meta['manifest']}: missing (the job did not finish writing its results)"]
        if isinstance(reps, int) and reps != len(rows) - 1:
            return [f"{summ}: {len(rows) - 1} rows, expected {reps} replications (cut off)"]
    return []


def _column(values: list[Any]) -> list[Any]:
    """Keep a column numeric when every value is a number, else make it text (parquet needs one type)."""
    vals = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
        return values
    if all(isinstance(v, bool) for v in vals):
        return values
    return [None if v is None else str(v) for v in values]


def collect(sweep_dir: str | Path, write: bool = True) -> Collected:
    """Gather every job of the sweep in ``sweep_dir``.

    Args:
        sweep_dir: The sweep folder (the one holding ``multirun.yaml``).
        write: Write ``results.parquet``, ``results.csv``, ``failures.csv`` and ``collect.json``
            into ``sweep_dir`` (atomically).

    Raises:
        FileNotFoundError: when ``sweep_dir`` does not exist or holds no job at all.
    """
    sweep = Path(sweep_dir)
    if not sweep.is_dir():
        raise FileNotFoundError(f"sweep folder {str(sweep)!r} does not exist")
    planned: dict[int, list[str]] = {}
    problems: list[str] = []  # of the sweep as a whole
    plan_file = sweep / "sweep_jobs.json"
    if plan_file.exists():
        try:
            for j in json.loads(plan_file.read_text(encoding="utf-8")).get("jobs", []):
                planned[int(j["num"])] = list(j["overrides"])
        except (ValueError, KeyError, TypeError, AttributeError) as ex:
            from ..errors import message

            problems.append(f"{plan_file}: damaged ({message(ex)}); jobs that never started cannot be listed")
    failed_file = sweep / "FAILED.txt"
    if failed_file.exists():
        problems.append(f"{failed_file}: {failed_file.read_text(encoding='utf-8', errors='replace').strip()}")
    found: dict[int, Path] = {}
    unnumbered = []
    for d in _job_dirs(sweep):
        n = _job_num(d)
        if n is None:
            unnumbered.append(d)
        else:
            found[n] = d
    for d in sorted(unnumbered):
        n = max([*found, *planned, -1]) + 1
        found[n] = d
    if not found and not planned:
        raise FileNotFoundError(f"{sweep}: no sweep jobs found (no sub-folder with .hydra/); "
                                f"pass the folder of a multirun (outputs/multirun/<date>/<time>)")

    frames, failures, overrides_of = [], [], {}
    for n in sorted(set(found) | set(planned)):
        d = found.get(n)
        ov = planned.get(n)
        if d is not None and (d / ".hydra" / "overrides.yaml").exists():
            try:
                ov = [str(x) for x in (_load_yaml(d / ".hydra" / "overrides.yaml") or [])]
            except Exception:  # a damaged overrides file: keep the planned overrides, the job is checked below
                ov = ov or []
        ov = ov or []
        overrides_of[n] = ov
        if d is None:
            failures.append({"job": n, "job_dir": "", "status": "missing", "overrides": " ".join(ov),
                             "error": "the job never started (no folder)"})
            continue
        summ = d / "summary.csv"
        if not summ.exists():
            err_file = d / "error.txt"
            err = err_file.read_text(encoding="utf-8").strip().splitlines()[0] if err_file.exists() else \
                "no summary.csv (the job failed or is still running)"
            failures.append({"job": n, "job_dir": d.name, "status": "failed", "overrides": " ".join(ov),
                             "error": err})
            continue
        damage = _verify_job(d)
        df = None
        if not damage:
            try:
                df = pd.read_csv(summ)
            except (ValueError, UnicodeDecodeError, OSError, pd.errors.ParserError) as ex:
                from ..errors import message

                damage = [f"{summ}: unreadable ({message(ex)})"]
        if damage:
            failures.append({"job": n, "job_dir": d.name, "status": "damaged", "overrides": " ".join(ov),
                             "error": "; ".join(damage)})
            continue
        df.insert(0, "job_dir", str(d.relative_to(sweep)))
        df.insert(0, "job", n)
        frames.append((n, df))

    parsed = {n: parse_overrides(ov) for n, ov in overrides_of.items()}
    params: list[str] = []
    for p in parsed.values():
        for k in p:
            if k not in params:
                params.append(k)
    summary_cols = set().union(*(set(df.columns) for _, df in frames)) if frames else set()
    names = {k: (f"config.{k}" if k in summary_cols or k in JOB_COLUMNS else k) for k in params}

    if frames:
        results = pd.concat([df for _, df in frames], ignore_index=True)
        job_of_row = results["job"].to_numpy()
        for i, k in enumerate(params):
            col = _column([parsed[int(j)].get(k) for j in job_of_row])
            results.insert(2 + i, names[k], col)
    else:
        results = pd.DataFrame(columns=[*JOB_COLUMNS, *names.values()])
    fail_df = pd.DataFrame(failures, columns=["job", "job_dir", "status", "overrides", "error"])
    out = Collected(results=results, failures=fail_df, params=list(names.values()),
                    n_jobs=len(set(found) | set(planned)), n_ok=len(frames), problems=problems)
    if write:
        write_parquet(results, sweep / "results.parquet")
        write_csv(results, sweep / "results.csv")
        write_csv(fail_df, sweep / "failures.csv")
        write_json({"params": out.params, "n_jobs": out.n_jobs, "n_ok": out.n_ok,
                    "n_failed": int((fail_df.status == "failed").sum()),
                    "n_missing": int((fail_df.status == "missing").sum()),
                    "n_damaged": int((fail_df.status == "damaged").sum()), "problems": problems,
                    "complete": out.complete, "rows": len(results)},
                   sweep / "collect.json")
    return out


def main(argv: list[str] | None = None) -> None:
    """``simteam-collect SWEEP_DIR``: write results.parquet/.csv and failures.csv; list failed jobs.

    Exit status: 0 when every job finished and its files match the manifest it wrote, 1 when some
    failed, are missing or damaged (the intact ones are still collected), 2 on bad input.
    """
    from ..errors import OneLineParser, one_line_errors

    ap = OneLineParser(prog="simteam-collect", description=main.__doc__.splitlines()[0])
    ap.add_argument("sweep_dir", help="folder of a multirun, e.g. outputs/multirun/2026-11-27/16-40-00")
    ap.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    ap.add_argument("--debug", action="store_true", help="show the traceback of an error")
    args = ap.parse_args(argv)
    with one_line_errors("simteam-collect", args.debug):
        res = collect(args.sweep_dir)
    if not args.quiet:
        print(res.report())
        print(f"wrote {Path(args.sweep_dir) / 'results.parquet'}, results.csv, failures.csv")
    elif not res.complete:
        print(res.report(), file=sys.stderr)
    sys.exit(0 if res.complete else 1)


if __name__ == "__main__":  # pragma: no cover
    main()
