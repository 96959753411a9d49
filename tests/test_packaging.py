"""A plain (non-editable) install runs: the wheel carries the Hydra configs and `simteam` works from it."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _uv() -> list[str] | None:
    if shutil.which("uv"):
        return ["uv"]
    for py in ("python3", sys.executable):
        if subprocess.run([py, "-m", "uv", "--version"], capture_output=True).returncode == 0:
            return [py, "-m", "uv"]
    return None


@pytest.mark.slow
def test_the_wheel_ships_the_configs_and_runs_outside_the_source_tree(tmp_path):
    uv = _uv()
    if uv is None:
        pytest.skip("uv is not installed (make setup installs it)")
    src = tmp_path / "src"  # build from a copy, so the build leaves nothing in the work tree
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".venv", ".git", "outputs", "*.egg-info", "__pycache__",
                                                             "build", "dist", ".pytest_cache"))
    r = subprocess.run([*uv, "build", "--wheel", "--out-dir", str(tmp_path / "dist"), str(src)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("simteam-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    confs = {str(p.relative_to(ROOT)) for p in (ROOT / "simteam" / "conf").rglob("*.yaml")}
    assert confs and confs <= names, sorted(confs - names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    # the app from the unpacked wheel, in a folder that is not the source tree: it finds its configs (composes
    # the default study and an experiment overlay) and answers a bad value with its one-line error. (A full
    # run would first compile the numba kernels of this fresh copy: a minute of CI for no packaging fact.)
    run_dir = tmp_path / "elsewhere"
    run_dir.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    r = subprocess.run([sys.executable, "-m", "simteam", "experiment=crisis_responses", "--cfg", "job"], cwd=run_dir,
                       env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "crisis" in r.stdout and "team_size" in r.stdout
    r = subprocess.run([sys.executable, "-m", "simteam", "team.team_size=-3"], cwd=run_dir, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 2 and r.stderr.strip().splitlines() == [r.stderr.strip()], r.stderr[-2000:]
    assert "team.team_size" in r.stderr and "Traceback" not in r.stderr
    assert not list(run_dir.rglob("summary.csv"))
    r = subprocess.run([sys.executable, "-c", "import simteam; print(simteam.__file__)"], cwd=run_dir, env=env,
                       capture_output=True, text=True)
    assert r.stdout.strip().startswith(str(site))
