"""Collection rules for the whole project (tests/ and the package's docstring examples)."""

import importlib.util
import os

os.environ.setdefault("SIMTEAM_NO_PROGRESS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

# simteam/workshop/app.py imports solara and (through mesa.visualization) altair, the `dashboard` extra, at
# module level: without them it cannot be imported, so its doctest is not collected. Every other module of
# the package imports without the extras (the research extra, SALib, is imported inside the functions).
collect_ignore = []
if any(importlib.util.find_spec(m) is None for m in ("solara", "altair")):
    collect_ignore += ["simteam/workshop/app.py", "simteam/workshop/room_ui.py"]

# The fast suite compiles every module and rewrites every test module's asserts in each of its two workers;
# with PYTHONDONTWRITEBYTECODE set (as in some containers) nothing of that is cached, which cost about 15 s of
# a 2-minute suite. The tests cache their bytecode (in the __pycache__ folders git ignores) whatever the shell says.
import sys  # noqa: E402

sys.dont_write_bytecode = False
