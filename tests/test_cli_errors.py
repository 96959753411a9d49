"""Bad input: a one-line ``error:`` naming the field, exit status 2, no traceback, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from simteam.cli import app as cli

CASES = [
    # (overrides, text the message must contain)
    (["weeks=abc"], "weeks: expected a whole number"),                                   # wrong type (from_dict)
    (["team.team_size=abc"], "team.team_size"),                                          # wrong type (schema)
    (["team.team_size=-3"], "team.team_size: -3 is out of range"),                       # out of range
    (["team.rewire_p=1.5"], "team.rewire_p: 1.5 is out of range; allowed: a number in [0.0, 1.0]"),  # probability
    (["events=[{kind: crisis, week: 5, probability: 1.5}]"], "events[0].probability: 1.5 is out of range"),
    (["+team.sise=3"], "team.sise: unknown key"),                                        # unknown key with +
    (["team.sise=3"], "team.sise: unknown key; did you mean team.team_size?"),              # unknown key without +
    (["+colour=blue", "+team.colour=red"], "team.colour: unknown key"),
    (["leadership=bossy"], "leadership=bossy: unknown option; available: balanced, coaching"),  # group option
    (["weeks=10"], "market.shocks[0].start_week: 13 is past the horizon"),               # shock past horizon
    (["market.shocks.0.start_week=200"], "market.shocks[0].start_week: 200 is past the horizon"),
    (["task=dance"], "task: 'dance' is unknown; choose one of run"),
    (["output.timeseries=xlsx"], "output.timeseries: 'xlsx' is not allowed"),
    (["+output.figuers=false"], "output.figuers: unknown key; did you mean output.figures?"),   # settings section
    (["experiment=sensitivity", "+sensitivity.replicatons=2"],
     "sensitivity.replicatons: unknown key; did you mean sensitivity.replications?"),
    (["team.roster=/nonexistent/roster.csv"], "team.roster"),
    (["crisis.strategy=panic"], "crisis.strategy: 'panic' is not allowed; choose one of none, hold_steady"),
]


def _run(argv, monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as ei:
        cli.main(argv + [f"hydra.run.dir={tmp_path / 'run'}", f"hydra.sweep.dir={tmp_path / 'sweep'}"])
    out, err = capsys.readouterr()
    return ei.value.code, out, err


@pytest.mark.parametrize(("argv", "expected"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_bad_input(argv, expected, monkeypatch, tmp_path, capsys):
    code, out, err = _run(argv, monkeypatch, tmp_path, capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and expected in lines[0], lines[0]
    assert "Traceback" not in err + out
    assert not list(tmp_path.rglob("summary.csv"))
    assert not (tmp_path / "run").exists()  # nothing half-written: the run folder is removed


def test_bad_sweep_job_is_rejected_before_any_job_runs(monkeypatch, tmp_path, capsys):
    code, _out, err = _run(["-m", "weeks=52,10", "replications=2"], monkeypatch, tmp_path, capsys)
    assert code == 2
    msg = err.strip().splitlines()[-1]
    assert msg.startswith("error: market.shocks[0].start_week: 13 is past the horizon")
    assert "sweep job #1: weeks=10" in msg
    assert not (tmp_path / "sweep").exists()


@pytest.mark.slow  # a new interpreter; test_bad_input checks the same in-process
def test_bad_input_subprocess(tmp_path):
    """The real command: exit status 2 and one line on stderr."""
    argv, expected = ["+team.sise=3"], "error: team.sise: unknown key"
    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    r = subprocess.run([sys.executable, "-m", "simteam", *argv, f"hydra.run.dir={tmp_path / 'run'}"],
                       cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300,
                       check=False)
    assert r.returncode == 2
    assert r.stderr.strip().startswith(expected) and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert not list(tmp_path.rglob("summary.csv"))


def test_user_can_still_ask_for_full_errors(monkeypatch, tmp_path):
    monkeypatch.setenv("HYDRA_FULL_ERROR", "1")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(cli.ConfigError, match="team.team_size"):
        cli.main(["team.team_size=-3", f"hydra.run.dir={tmp_path / 'run'}"])
    assert os.environ["HYDRA_FULL_ERROR"] == "1"
