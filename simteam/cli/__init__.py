"""The command-line applications: the Hydra app ``simteam`` (:mod:`.app`), the sweep collector
``simteam-collect`` (:mod:`.collect`) and the paired comparison report ``simteam-compare`` (:mod:`.compare`).

This sub-package is the only place that imports Hydra; the core (``simteam``) never imports it.
The names below are imported from :mod:`.app` on first use, so that :func:`main` can answer a bad
value on the command line before Hydra is imported (:mod:`.precheck`, start-up in docs/performance.md).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

__all__ = ["CONF_DIR", "SIM_KEYS", "TASKS", "ValidateCallback", "expand_sweep", "job_name", "main",
           "register_configs", "resolve_task", "run_study", "split_config", "validate_jobs"]


def main(argv: list[str] | None = None) -> None:
    """Console entry point ``simteam`` (also ``python -m simteam``): :func:`simteam.cli.app.main`, after
    :func:`simteam.cli.precheck.precheck` has answered a plainly bad value without importing Hydra
    (``error: <field>: ...``, exit status 2, as the full path would)."""
    from .precheck import precheck

    msg = precheck(sys.argv[1:] if argv is None else argv)
    if msg is not None:
        print(f"error: {msg}", file=sys.stderr)
        sys.exit(2)
    from .app import main as app_main

    app_main(argv)


def __getattr__(name: str) -> Any:
    if name in __all__:
        value = getattr(importlib.import_module(".app", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'simteam.cli' has no attribute {name!r}")
