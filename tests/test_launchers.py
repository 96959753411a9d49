"""Sweeps through the joblib, Ray and submitit launchers (slow: real processes and a real local Ray head).

The Ray tests start their own Ray head on the loopback interface (``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``
keeps Ray from swapping 127.0.0.1 for the machine's network address) and stop it by its process group.
The scale-out test (issue 8) runs 200 tiny jobs through Ray and checks that the collector gathers all of
them; submitit_local starts a new interpreter per job, so its bounded-concurrency test runs 12 tiny jobs in
batches of 4 (the same code path as 200, at a tenth of the cost).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.slow

RAY = Path(sys.executable).with_name("ray")
TINY = ["weeks=4", "replications=1", "market=stable", "output.figures=false", "output.timeseries=none",
        "output.summary=false"]
LOOPBACK_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}


def _env(**extra):
    # every submitit job is a new interpreter: let them reuse compiled bytecode instead of recompiling
    env = {k: v for k, v in os.environ.items() if k not in ("HYDRA_FULL_ERROR", "PYTHONDONTWRITEBYTECODE")}
    env.update(LOOPBACK_ENV)
    env.update(extra)
    return env


def _simteam(*args, cwd, timeout=900):
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "simteam", *args], cwd=cwd, capture_output=True, text=True,
                       env=_env(), timeout=timeout, check=False)
    r.elapsed = time.perf_counter() - t0
    print(f"simteam {' '.join(args[:4])} ...: {r.elapsed:.1f} s")
    return r


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _job_summaries(sweep: Path) -> dict[str, bytes]:
    return {p.parent.name: p.read_bytes() for p in sorted(sweep.glob("*/summary.csv"))}


def test_same_job_same_summary_under_basic_and_joblib(tmp_path):
    args = ["-m", "leadership=coaching,command_and_control", "replications=6", "weeks=52", "output.figures=false"]
    basic = _simteam(*args, f"hydra.sweep.dir={tmp_path / 'basic'}", cwd=tmp_path)
    assert basic.returncode == 0, basic.stderr
    jl = _simteam(*args, "hydra/launcher=joblib", "hydra.launcher.n_jobs=2", f"hydra.sweep.dir={tmp_path / 'joblib'}",
                  cwd=tmp_path)
    assert jl.returncode == 0, jl.stderr
    a, b = _job_summaries(tmp_path / "basic"), _job_summaries(tmp_path / "joblib")
    assert len(a) == 2 and a == b
    assert len(pd.read_parquet(tmp_path / "joblib" / "results.parquet")) == 12


@pytest.fixture(scope="module")
def ray_head(tmp_path_factory):
    """A Ray head on 127.0.0.1 with 2 CPUs, started for these tests and stopped by its process group."""
    if not RAY.exists():
        pytest.skip("ray is not installed (pip install 'simteam[launchers]')")
    port = _free_port()
    log = tmp_path_factory.mktemp("ray") / "head.log"
    cmd = [str(RAY), "start", "--head", "--block", "--node-ip-address=127.0.0.1", f"--port={port}",
           "--num-cpus=2", "--include-dashboard=false", "--disable-usage-stats",
           f"--ray-client-server-port={_free_port()}", f"--dashboard-agent-listen-port={_free_port()}"]
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=_env(), start_new_session=True)
    address = f"127.0.0.1:{port}"
    try:
        deadline = time.time() + 180
        while True:
            if proc.poll() is not None:
                pytest.fail(f"ray start exited: {log.read_text()[-2000:]}")
            r = subprocess.run([str(RAY), "status", f"--address={address}"], capture_output=True, text=True,
                               env=_env(), timeout=120, check=False)
            if r.returncode == 0:
                break
            if time.time() > deadline:
                pytest.fail(f"the Ray head did not come up: {log.read_text()[-2000:]}")
            time.sleep(2)
        yield address
    finally:
        # the head takes over 20 s to shut down on SIGTERM; its processes are all in this group: 3 s, then SIGKILL
        for sig, wait in ((signal.SIGTERM, 3), (signal.SIGKILL, 10)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait)
                time.sleep(1)
            except subprocess.TimeoutExpired:
                continue
        try:  # stragglers in the group (workers) after the head exited
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _ray_args(address):
    return ["hydra/launcher=ray_cluster", f"hydra.launcher.ray.init.address={address}"]


def test_ray_sweep_on_local_head(ray_head, tmp_path):
    sweep = tmp_path / "ray"
    r = _simteam("-m", *_ray_args(ray_head), "leadership=coaching,servant", "crisis=hold_steady,pivot",
                 "replications=5", "weeks=52", "output.figures=false", f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert f"Connecting to existing Ray cluster at address: {ray_head}" in r.stderr + r.stdout
    res = pd.read_parquet(sweep / "results.parquet")
    assert len(res) == 20 and set(res.leadership) == {"coaching", "servant"}
    # the same job run by the basic launcher gives the same summary, byte for byte
    basic = _simteam("-m", "leadership=coaching", "crisis=pivot", "replications=5", "weeks=52",
                     "output.figures=false", f"hydra.sweep.dir={tmp_path / 'basic'}", cwd=tmp_path)
    assert basic.returncode == 0, basic.stderr
    (ray_job,) = sweep.glob("*crisis=pivot,leadership=coaching*")
    (basic_job,) = (tmp_path / "basic").glob("0_*")
    assert (ray_job / "summary.csv").read_bytes() == (basic_job / "summary.csv").read_bytes()


def test_ray_200_jobs_collected(ray_head, tmp_path):
    sweep = tmp_path / "ray200"
    r = _simteam("-m", *_ray_args(ray_head), "seed=range(0,200)", *TINY, f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    res = pd.read_parquet(sweep / "results.parquet")
    assert len(res) == 200 and sorted(res["config.seed"]) == list(range(200))
    assert res.seed.tolist() == res["config.seed"].tolist()  # replication 0 of job k runs on seed k
    assert pd.read_csv(sweep / "failures.csv").empty


def test_submitit_local_small_sweep(tmp_path):
    sweep = tmp_path / "sub"
    r = _simteam("-m", "hydra/launcher=submitit_local", "leadership=coaching,servant", "replications=4",
                 "weeks=26", "output.figures=false", f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert len(pd.read_parquet(sweep / "results.parquet")) == 8
    assert (sweep / ".submitit").is_dir()


def test_submitit_local_jobs_bounded(tmp_path):
    """submitit_local starts every job of a batch at once: the sweeper's max_batch_size bounds concurrency."""
    sweep = tmp_path / "sub12"
    r = _simteam("-m", "hydra/launcher=local_bounded", "hydra.sweeper.max_batch_size=4", "seed=range(0,12)", *TINY,
                 f"hydra.sweep.dir={sweep}", cwd=tmp_path, timeout=1800)
    assert r.returncode == 0, r.stderr[-3000:]
    res = pd.read_parquet(sweep / "results.parquet")
    assert len(res) == 12 and sorted(res["config.seed"]) == list(range(12))
    assert pd.read_csv(sweep / "failures.csv").empty
    shutil.rmtree(sweep / ".submitit", ignore_errors=True)
