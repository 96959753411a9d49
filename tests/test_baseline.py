"""The stored baseline (tests/baseline.yaml): the outputs of six small configurations have not moved.

A change of numerics is allowed only on purpose: run ``python -m simteam.baseline --update``
and put the reason in the commit message (see :mod:`simteam.baseline`).
"""

import sys

import pytest

from simteam import baseline


def test_outputs_match_the_stored_baseline():
    stored = baseline.load(baseline.DEFAULT_PATH)
    changes = baseline.compare(stored, baseline.compute())
    if changes:
        pytest.fail("the simulation's outputs moved from tests/baseline.yaml:\n\n"
                    + baseline.format_changes(changes, stored.get("platform"))
                    + "\n\nIf the change is intended, rewrite the baseline deliberately with\n"
                      "    python -m simteam.baseline --update\n"
                      "and commit it with the code change, giving the reason in the commit message.",
                    pytrace=False)


def test_the_baseline_covers_six_cases_and_detects_a_change(tmp_path):
    stored = baseline.load(baseline.DEFAULT_PATH)
    assert set(stored["cases"]) == set(baseline.CASES) and len(baseline.CASES) == 6
    moved = {k: dict(v, figures=dict(v["figures"])) for k, v in stored["cases"].items()}
    moved["default"]["figures"]["revenue"] *= 1 + 1e-15
    moved["default"]["sha256"] = "0" * 64
    changes = baseline.compare(stored, moved)
    assert [(c[0], c[1]) for c in changes] == [("default", "revenue"), ("default", "sha256")]
    table = baseline.format_changes(changes)
    assert "revenue" in table and "sha256" in table


def test_the_baseline_module_imports_only_the_core():
    import ast
    tree = ast.parse(open(baseline.__file__).read())
    mods = {(n.module or "") if isinstance(n, ast.ImportFrom) else a.name
            for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
    assert mods <= {"__future__", "argparse", "hashlib", "platform", "sys", "pathlib", "typing", "numpy", "numba",
                    "yaml", "sim", "io"}, mods


@pytest.mark.slow  # a fresh interpreter: ~5 s
def test_the_baseline_command_loads_no_application():
    # no Hydra and no application module behind the baseline command
    import subprocess
    code = ("import sys, simteam.baseline; bad = [m for m in sys.modules if m.split('.')[0] in ('hydra', 'omegaconf')"
            " or m in ('simteam.cli', 'simteam.planning', 'simteam.app', 'simteam.sensitivity', 'simteam.workshop',"
            " 'simteam.research', 'simteam.dashboard', 'simteam.report_html')]; print(bad); assert not bad")
    subprocess.run([sys.executable, "-c", code], check=True)
