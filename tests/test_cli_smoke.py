"""The real command end to end: a single run, a 2x2 sweep, the collector and the comparison report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from simteam import SUMMARY_COLUMNS
from simteam.cli.collect import collect, parse_overrides
from simteam.cli.collect import main as collect_main
from simteam.cli.compare import compare, parse_baseline, report
from simteam.cli.compare import main as compare_main
from simteam.config import ConfigError
from simteam.io import Staged, git_info, write_csv
from simteam.results import paired_difference


def _simteam(*args, cwd):
    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    return subprocess.run([sys.executable, "-m", "simteam", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=600, check=False)


@pytest.mark.slow  # the real command in a new interpreter
def test_single_run_writes_the_run_folder(tmp_path):
    run = tmp_path / "run"
    r = _simteam("replications=12", "weeks=52", "seed=5", f"hydra.run.dir={run}", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "revenue (k$)" in r.stdout and "95% interval" in r.stdout and "turnover_annual" in r.stdout
    summ = pd.read_csv(run / "summary.csv")
    assert len(summ) == 12 and list(summ.seed) == list(range(5, 17))
    assert set(SUMMARY_COLUMNS) <= set(summ.columns)
    ts = pd.read_parquet(run / "timeseries.parquet")
    assert len(ts) == 12 * 52 and {"replication", "seed", "week", "revenue", "morale", "headcount"} <= set(ts.columns)
    cfg = yaml.safe_load((run / "config.yaml").read_text())
    assert cfg["weeks"] == 52 and cfg["replications"] == 12 and cfg["task"] == "run"
    assert cfg["market"]["shocks"][0]["kind"] == "demand"
    meta = json.loads((run / "run.json").read_text())
    assert meta["git_commit"] == git_info()["commit"] and meta["simteam_version"]
    assert meta["seeds"] == [5, 16] and "replications=12" in meta["command"]
    for png in ("revenue.png", "morale_trust.png", "headcount.png"):
        assert (run / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (run / ".hydra" / "config.yaml").exists()
    assert not [p for p in run.rglob("*") if ".tmp-" in p.name]
    desc = pd.read_csv(run / "describe.csv").set_index("metric")
    assert desc.loc["revenue", "mean"] == pytest.approx(summ.revenue.mean())


@pytest.mark.slow  # the real command in a new interpreter
def test_two_by_two_sweep_collect_and_compare(tmp_path, capsys):
    sweep = tmp_path / "sweep"
    r = _simteam("-m", "leadership=coaching,command_and_control", "crisis=hold_steady,cut_and_push",
                 "replications=8", "weeks=52", "output.figures=false", f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in sweep.iterdir() if (p / ".hydra").is_dir())
    assert names == ["0_crisis=hold_steady,leadership=coaching,replications=8,weeks=52",
                     "1_crisis=cut_and_push,leadership=coaching,replications=8,weeks=52",
                     "2_crisis=hold_steady,leadership=command_and_control,replications=8,weeks=52",
                     "3_crisis=cut_and_push,leadership=command_and_control,replications=8,weeks=52"]
    # the on_multirun_end callback collected the sweep
    res = pd.read_parquet(sweep / "results.parquet")
    assert len(res) == 4 * 8 and (sweep / "results.csv").exists()
    assert pd.read_csv(sweep / "failures.csv").empty
    assert res.groupby(["leadership", "crisis"]).size().to_dict() == {
        ("coaching", "cut_and_push"): 8, ("coaching", "hold_steady"): 8,
        ("command_and_control", "cut_and_push"): 8, ("command_and_control", "hold_steady"): 8}
    for job, g in res.groupby("job"):
        assert list(g.seed) == list(range(8))
    assert "collected 4 of 4 jobs" in r.stdout

    compare_main([str(sweep), "--baseline", "leadership=coaching"])
    assert "leadership=command_and_control" in capsys.readouterr().out
    cmp = pd.read_csv(sweep / "comparison.csv")
    assert set(cmp.label) == {"leadership=command_and_control"} and set(cmp.context) == {"crisis=hold_steady",
                                                                                       "crisis=cut_and_push"}
    # the numbers are the paired differences of the collected table, matched on crisis and seed
    row = cmp[(cmp.metric == "revenue") & (cmp.context == "crisis=cut_and_push")].iloc[0]
    a = res[(res.leadership == "coaching") & (res.crisis == "cut_and_push")].sort_values("seed").revenue
    b = res[(res.leadership == "command_and_control") & (res.crisis == "cut_and_push")].sort_values("seed").revenue
    d = paired_difference(a.to_numpy(), b.to_numpy())
    assert row["diff"] == pytest.approx(d["mean"]) and row["lo"] == pytest.approx(d["lo"])
    assert row["n"] == 8
    assert (sweep / "report.md").read_text().count("leadership=command_and_control") >= 6
    assert "<table" in (sweep / "report.html").read_text()
    assert (sweep / "diff_revenue.png").exists()


def _fake_sweep(root: Path, n: int = 4, reps: int = 5) -> Path:
    """A sweep folder as Hydra writes it, jobs with summary.csv files."""
    root.mkdir()
    jobs = []
    rng = np.random.default_rng(0)
    base = rng.normal(100, 10, reps)
    for j in range(n):
        ov = [f"leadership={'balanced' if j % 2 == 0 else 'coaching'}", f"crisis={'a' if j < 2 else 'b'}"]
        jobs.append({"num": j, "overrides": ov})
        d = root / f"{j}_{','.join(ov)}"
        (d / ".hydra").mkdir(parents=True)
        (d / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(ov))
        effect = 5.0 if j % 2 else 0.0
        write_csv(pd.DataFrame({"replication": range(reps), "seed": range(reps),
                                "revenue": base + effect + rng.normal(0, 1, reps),
                                "morale_final": np.linspace(0.5, 0.6, reps)}), d / "summary.csv")
    (root / "sweep_jobs.json").write_text(json.dumps({"jobs": jobs + [{"num": n, "overrides": ["leadership=x"]}]}))
    return root


def test_collector_lists_failed_and_missing_jobs(tmp_path, capsys):
    sweep = _fake_sweep(tmp_path / "sw")
    failed = next(sweep.glob("1_*"))
    (failed / "summary.csv").unlink()
    (failed / "error.txt").write_text("ValueError: boom\n")
    res = collect(sweep)
    assert res.n_jobs == 5 and res.n_ok == 3 and len(res.results) == 15
    f = res.failures.set_index("job")
    assert f.loc[1, "status"] == "failed" and "boom" in f.loc[1, "error"]
    assert f.loc[4, "status"] == "missing" and f.loc[4, "overrides"] == "leadership=x"
    assert sorted(res.results.job.unique()) == [0, 2, 3]
    assert pd.read_csv(sweep / "failures.csv").shape[0] == 2
    assert len(pd.read_parquet(sweep / "results.parquet")) == 15
    with pytest.raises(SystemExit) as ei:
        collect_main([str(sweep)])
    out, err = capsys.readouterr()
    assert ei.value.code == 1 and "#1 failed" in out and "#4 missing" in out
    with pytest.raises(SystemExit) as ei:
        collect_main([str(tmp_path / "nope")])
    out, err = capsys.readouterr()
    assert ei.value.code == 2 and err.startswith("error: sweep folder") and "Traceback" not in err


def test_compare_pairs_on_seeds_and_matches_other_params(tmp_path):
    sweep = _fake_sweep(tmp_path / "sw")
    res = collect(sweep)
    cmp = compare(res.results, "leadership=balanced", metrics=("revenue",), params=res.params)
    assert list(cmp.context) == ["crisis=a", "crisis=b"] and list(cmp.baseline_job) == [0, 2]
    # a common seed effect cancels in the paired interval, not in the unpaired one
    assert (cmp.hi - cmp.lo < 0.3 * (cmp.unpaired_hi - cmp.unpaired_lo)).all()
    assert ((cmp.lo < 5) & (cmp.hi > 5) | (abs(cmp["diff"] - 5) < 2)).all()
    rep = report(sweep, "leadership=balanced", metrics=("revenue", "morale_final"))
    assert rep.markdown.exists() and rep.html.exists() and len(rep.figures) == 2
    with pytest.raises(ConfigError, match="baseline: team is not a parameter of this sweep"):
        compare(res.results, "team=x", params=res.params)
    with pytest.raises(ConfigError, match="no finished job has leadership=nobody"):
        compare(res.results, "leadership=nobody", metrics=("revenue",), params=res.params)
    with pytest.raises(ConfigError, match="baseline: expected key=value"):
        parse_baseline("balanced")


def test_parse_overrides():
    assert parse_overrides(["a=1", "+b.c=x", "++d=0.5", "~e", "f=true", "g=null"]) == \
        {"a": 1, "b.c": "x", "d": 0.5, "f": True, "g": None}


def test_staged_outputs_are_atomic(tmp_path):
    with Staged(tmp_path) as out:
        out.write("csv", pd.DataFrame({"a": [1]}), "summary.csv")
        out.write("text", "x", "b.txt")
        assert not (tmp_path / "summary.csv").exists()  # nothing under the final name before commit
    assert list(tmp_path.iterdir()) == []  # leaving the block without commit removes the temporary files
    with Staged(tmp_path) as out:
        out.write("text", "x", "b.txt")
        out.commit()
    assert (tmp_path / "b.txt").read_text() == "x"
