"""Start-up (issue 19): what ``import simteam`` and a bad input load, without timing anything.

The figures are measured by ``benchmarks/startup.py`` (docs/performance.md, start-up); these tests
guard what makes them small: the heavy libraries are imported only by the commands that need them,
a bad command-line value is answered before Hydra is imported, and that early answer is the one the
full Hydra path gives.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from simteam.cli import app as cli
from simteam.cli.precheck import precheck

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("numba", "pandas", "matplotlib", "scipy", "networkx", "hydra", "mesa")


def _loaded_after(code: str) -> list[str]:
    """The heavy modules loaded by ``code`` in a new interpreter (its last output line)."""
    probe = f"{code}\nimport sys\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    return eval(out.stdout.strip().splitlines()[-1])


def test_import_simteam_loads_no_heavy_library():
    assert _loaded_after("import simteam; simteam.__all__") == []


def test_configuring_and_validating_loads_no_heavy_library():
    code = ("import simteam\n"
            "cfg = simteam.configure(style='coaching', market='recession', weeks=30)\n"
            "simteam.validate(cfg); simteam.from_dict({'team': {'team_size': 5}})\n"
            "try:\n    simteam.from_dict({'team': {'team_size': -3}})\nexcept simteam.ConfigError:\n    pass\n"
            "simteam.Engine, simteam.Results, simteam.STYLES, simteam.PRESETS")
    assert _loaded_after(code) == []


def test_a_bad_configuration_is_refused_before_the_engine_loads_numba_or_pandas():
    code = ("import simteam\n"
            "for call in (lambda: simteam.run({'team': {'team_size': -3}}, replications=2),\n"
            "             lambda: simteam.run_points(simteam.configure(weeks=20), {'leadership.coaching': [0.2, 7.0]})):\n"
            "    try:\n        call()\n    except simteam.ConfigError:\n        pass\n"
            "    else:\n        raise AssertionError('accepted')\n")
    assert _loaded_after(code) == []


def test_the_public_names_are_all_there():
    import simteam

    for name in simteam.__all__:
        assert getattr(simteam, name) is not None, name
    assert set(simteam.__all__) <= set(dir(simteam))
    with pytest.raises(AttributeError):
        simteam.no_such_name  # noqa: B018


def test_a_run_imports_numba_and_rebinds_the_kernels():
    code = ("import simteam, simteam.selling as s, simteam.kernels as k, simteam.numerics as n\n"
            "assert not n.kernels_ready() and type(s.selling_step).__name__ == 'LazyKernel'\n"
            "simteam.run(simteam.configure(weeks=5), replications=1, seed=1)\n"
            "assert n.kernels_ready()\n"
            "for f in (s.selling_step, k.selling_step, k.ndtri, n.unit):\n"
            "    assert type(f).__module__.startswith('numba'), f\n"
            "import matplotlib  # only to end the list below with it; a run itself does not plot\n")
    loaded = _loaded_after(code)
    assert "numba" in loaded and "pandas" in loaded and "hydra" not in loaded and "mesa" not in loaded


def test_a_bad_command_line_value_is_answered_before_hydra_is_imported():
    code = ("import sys\nfrom simteam.cli import main\nsys.argv = ['simteam', 'team.team_size=-3']\n"
            "try:\n    main()\nexcept SystemExit as ex:\n    assert ex.code == 2, ex.code\n")
    assert _loaded_after(code) == []


# the early answer equals the full path's: cases it answers, and cases it must leave to Hydra
ANSWERED = [
    ["team.team_size=-3"],
    ["team.rewire_p=1.5"],                          # a decimal field
    ["team.tenure_mean_weeks=-1"],                  # a whole number in a decimal field: -1.0, as OmegaConf makes it
    ["crisis.strategy=panic"],                      # a word that is not one of the choices
    ["team.team_size=-3", "replications=0"],        # two bad values: the one validate() checks first
]
LEFT_TO_HYDRA = [
    ["team.team_size=5"],                           # valid: runs
    ["team.team_size=2.5"], ["team.team_size=abc"], ["team.team_size=1_000"], ["team.graph=true"],
    ["weeks=10"],                                   # a cross-field rule (a shock past the horizon)
    ["-m", "team.team_size=-3"], ["market=recession", "team.team_size=-3"], ["+team.team_size=-3"],
    ["team.team_size=-3", "team.team_size=5"], ["team.sise=-3"], ["team.team_size=-3", "output.figures=false"],
]


def _full_path_message(argv, monkeypatch, tmp_path, capsys) -> str:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as ei:
        cli.main(argv)  # the Hydra app itself (no pre-check)
    assert ei.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: "), err
    return err[0][len("error: "):]


@pytest.mark.parametrize("argv", ANSWERED, ids=" ".join)
def test_the_early_answer_is_the_full_paths_answer(argv, monkeypatch, tmp_path, capsys):
    early = precheck(argv)
    assert early is not None
    assert early == _full_path_message(argv, monkeypatch, tmp_path, capsys)


@pytest.mark.parametrize("argv", LEFT_TO_HYDRA, ids=" ".join)
def test_the_early_check_leaves_other_input_to_hydra(argv):
    assert precheck(argv) is None


def test_the_early_check_steps_aside_for_other_configs_and_tracebacks(monkeypatch):
    monkeypatch.setenv("SIMTEAM_CONF_DIR", str(ROOT / "simteam" / "conf"))
    assert precheck(["team.team_size=-3"]) is None
    monkeypatch.delenv("SIMTEAM_CONF_DIR")
    monkeypatch.setenv("HYDRA_FULL_ERROR", "1")
    assert precheck(["team.team_size=-3"]) is None


def test_the_entry_point_prints_the_early_answer(capsys):
    from simteam.cli import main

    with pytest.raises(SystemExit) as ei:
        main(["team.team_size=-3"])
    assert ei.value.code == 2
    assert capsys.readouterr().err == ("error: team.team_size: -3 is out of range; allowed: a number in "
                                       "[1, 10000] (reps per team (seats))\n")


@pytest.mark.slow  # compiles every kernel into an empty cache (15-60 s)
def test_after_the_warm_up_a_first_run_compiles_nothing(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    warm = subprocess.run([sys.executable, "-m", "simteam.warmup"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=1200)
    assert warm.returncode == 0, warm.stderr
    assert "warning" not in warm.stderr, warm.stderr  # every kernel reached, one compiled version each
    assert " 0 compiled now" not in warm.stdout  # it did compile, into the empty cache
    # a real first run (the command line, another process): numba loads, it does not compile or save
    run = subprocess.run([sys.executable, "-m", "simteam", "replications=3", "weeks=30", "output.figures=false",
                          f"hydra.run.dir={tmp_path / 'run'}"], cwd=tmp_path, capture_output=True, text=True,
                         env={**env, "NUMBA_DEBUG_CACHE": "1"}, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "[cache] data loaded" in run.stdout + run.stderr
    assert "[cache] data saved" not in run.stdout + run.stderr
    check = subprocess.run([sys.executable, "-m", "simteam.warmup", "--check", "--quiet"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=600)
    assert check.returncode == 0, check.stderr


def test_cached_kernels_of_changed_sources_are_removed(tmp_path):
    """numba checks a cached kernel against its own file only; a change in any kernel module (a helper
    inlined from numerics.py) must clear the cache of all of them, once."""
    from types import SimpleNamespace

    from simteam.numerics import kernel_sources, refresh_cache

    assert {"numerics.py", "selling.py", "people.py", "engine.py"} <= {Path(f).name for f in kernel_sources()}
    assert "config.py" not in {Path(f).name for f in kernel_sources()}

    src = tmp_path / "src"
    src.mkdir()
    (src / "numerics.py").write_text("x = 1\n")
    (src / "selling.py").write_text("y = 2\n")
    cache = tmp_path / "cache"
    cache.mkdir()
    names = ["selling.selling_step-138.py312.nbi", "selling.selling_step-138.py312.1.nbc",
             "numerics.draw-220.py312.nbi", "other.f-1.py312.nbi", "selling.cpython-312.pyc"]
    for n in names:
        (cache / n).write_text("")
    disp = [SimpleNamespace(stats=SimpleNamespace(cache_path=str(cache)))]
    files = [str(src / "numerics.py"), str(src / "selling.py")]
    assert sorted(refresh_cache(disp, files)) == sorted(names[:3])  # no stamp yet: not to be trusted
    assert sorted(p.name for p in cache.iterdir()) == sorted(names[3:] + ["simteam-kernel-sources.txt"])
    (cache / names[0]).write_text("")
    assert refresh_cache(disp, files) == []  # same sources: the cache is kept
    (src / "numerics.py").write_text("x = 2\n")  # a helper changed in another file
    assert refresh_cache(disp, files) == [names[0]]
    assert refresh_cache(disp, files) == []
