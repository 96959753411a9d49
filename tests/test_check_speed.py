"""``python -m simteam.planning SCENARIO --check`` loads only what validation needs (issue 16, item 7).

Import time is most of what ``--check`` costs, so the check path must not pull in the report, the analysis,
matplotlib, scipy.stats (through the roster) or pandas (through the history reader). The engine and pandas
that ``import simteam`` itself loads are the package's business (``simteam/__init__.py``), not checked here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from simteam.config import ConfigError
from simteam.planning.history import read_history_text

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("simteam.planning.planner", "simteam.planning.report", "simteam.planning.assumptions",
         "simteam.planning.discovery", "simteam.planning.money", "matplotlib", "scipy.stats", "scipy.optimize")


def test_check_path_imports_no_report_no_analysis_no_scipy_stats():
    code = ("import sys\nfrom simteam.planning.cli import main\n"
            "rc = main(['simteam/conf/scenario/region_crm.yaml', '--check'])\n"
            f"print('LOADED', rc, [m for m in {HEAVY!r} if m in sys.modules])\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("LOADED"))
    assert line == "LOADED 0 []", line + r.stderr


def test_history_is_validated_without_building_tables():
    rows = ["2025-01;95%;0", "2025-02;101%;1", "2025-03;99%;0", "2025-04;97%;0", "2025-05;93%;0", "2025-06;105%;1"]
    text = "period;attainment;quits;headcount\n" + "".join(r + ";9\n" for r in rows)
    assert read_history_text(text, validate_only=True) is None
    assert len(read_history_text(text).table) == 6
    with pytest.raises(ConfigError, match="row 3, column attainment"):
        read_history_text(text.replace("101%", "abc"), validate_only=True)
    bare = "period;attainment;quits\n" + "".join(r + "\n" for r in rows)
    for only in (True, False):  # quits without a head count (and no roster): the same error either way
        with pytest.raises(ConfigError, match="row 2, column headcount: missing value"):
            read_history_text(bare, validate_only=only)
