"""The validation command's checks at reduced sizes (they must pass), and the harness itself."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import simteam
from simteam.config import ConfigError
from simteam.research.validation import SIZES, check_bass, check_sis, only, run_validation, to_markdown

ROOT = pathlib.Path(__file__).resolve().parents[1]


#: Targets that the model does not meet yet: none. The named-style rows of issue 15 pass since the style
#: calibration was merged; the manager's share of time on information (Rapp et al. 2020 ~26%) passes since
#: `leaders.data_hours` is derived from that share (0.26 x 50 h / ln 2, simteam/leaders.py).
KNOWN_OPEN: tuple[str, ...] = ()


@pytest.mark.slow  # experiments/validate.py in a new interpreter; the checks below run in-process
def test_validation_command_passes_at_ci_size(tmp_path):
    out = tmp_path / "val"
    proc = subprocess.run([sys.executable, str(ROOT / "experiments" / "validate.py"), "--size", "ci", "--out", str(out)],
                          capture_output=True, text=True, timeout=600, cwd=ROOT, check=False)
    table = pd.read_csv(out / "validation.csv")
    failed = table[table.status == "FAIL"]
    assert proc.returncode == (1 if len(failed) else 0), proc.stdout + proc.stderr
    assert list(table.columns[:5]) == ["check", "expected", "measured", "tolerance", "status"]
    assert all(c.startswith(KNOWN_OPEN) for c in failed.check), failed[["check", "measured"]].to_string()
    checks = " ".join(table.check)
    for word in ("DeGroot", "Bass F(t)", "peak", "Rogers", "SIS below", "SIS above", "turnover_annual",
                 "quota_share", "top20_revenue_share", "ramp"):
        assert word in checks
    md = (out / "validation.md").read_text()
    assert md.count("| PASS |") == int((table.status == "PASS").sum())
    assert f"passed, {len(failed)} failed" in proc.stdout
    assert {"validation_bass.png", "validation_sis.png", "validation_degroot.png"} <= {p.name for p in out.iterdir()}


def test_sis_check_fails_when_the_upper_rate_is_below_threshold():
    s = dict(SIZES["ci"]["sis"], above=0.5, weeks=150, replications=4)
    rows, data = check_sis(s)
    above = next(r for r in rows if "persists" in r.check)
    below = next(r for r in rows if "dies out" in r.check)
    assert above.status == "FAIL" and below.status == "PASS"
    assert data["lambda"] > 1.0  # lambda_max of the peer graph


def test_bass_check_measures_against_the_closed_form():
    rows, data = check_bass(dict(SIZES["ci"]["bass"], replications=4, weeks=30))
    assert data["t_star"] == pytest.approx(np.log(0.38 / 0.03) / 0.41)
    assert data["F"][0] == pytest.approx(simteam.change.bass_F(1, 0.03, 0.38))
    assert rows[0].status == "PASS"
    cat_m, cat_e = data["categories"]
    assert cat_m.sum() == pytest.approx(1) and cat_e.sum() == pytest.approx(1)


def test_only_switches_and_bad_settings():
    sw = only("contagion")
    assert sw["contagion"] and not any(v for k, v in sw.items() if k != "contagion")
    with pytest.raises(ConfigError, match="mechanisms.contagon: unknown switch; did you mean mechanisms.contagion?"):
        only("contagon")
    with pytest.raises(ConfigError, match="validation.checks: 'bas' is unknown"):
        run_validation(None, {"checks": ["bas"]})
    with pytest.raises(ConfigError, match="validation.bass.team_size: 500 is too small"):
        run_validation(None, {"bass": {"team_size": 500}})
    with pytest.raises(ConfigError, match=r"^validation\.sis\.belov: unknown key; did you mean validation\.sis\.below\?"):
        run_validation(None, {"sis": {"belov": 0.1}})
    with pytest.raises(ConfigError, match=r"^validation\.chekcs: unknown key; did you mean validation\.checks\?"):
        run_validation(None, {"chekcs": ["ramp"]})
    with pytest.raises(ConfigError, match=r"^validation\.size: 'huge' is not allowed; choose one of full, ci"):
        run_validation(None, {"size": "huge"})
    with pytest.raises(ConfigError, match="validation.sis.beta: unknown key"):
        run_validation(None, {"sis": {"beta": 0.1}})


def test_markdown_report_lists_sources():
    table, _ = run_validation(None, {"size": "ci", "checks": ["ramp"]})
    md = to_markdown(table)
    assert "| PASS | new-hire ramp" in md and "Bridge Group" in md
