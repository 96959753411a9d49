"""simteam: an agent-based simulation of sales-team dynamics and leadership.

Quick start::

    import simteam
    res = simteam.run(simteam.configure(style="coaching", market="recession"), replications=50, seed=1)
    res.summary.describe()

The public names below are imported on first use (PEP 562), so ``import simteam`` is quick and a
configuration is checked without loading numba, pandas, scipy or matplotlib; the compiled kernels
are loaded when an engine first runs (see the start-up section of docs/performance.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> the module (relative to simteam) that defines it
_EXPORTS: dict[str, str] = {
    "ConfigError": ".config", "SimConfig": ".config", "from_dict": ".config", "to_dict": ".config",
    "validate": ".config",
    "SERIES": ".engine", "Engine": ".engine",
    "STRATEGIES": ".leadership", "STYLES": ".leadership",
    "PRESETS": ".market",
    "Mechanism": ".mechanism", "OrgState": ".mechanism",
    "SUMMARY_COLUMNS": ".results", "Results": ".results", "paired_difference": ".results",
    "configure": ".sim", "default_config": ".sim", "run": ".sim", "run_points": ".sim",
}

__all__ = [
    "ConfigError", "SimConfig", "from_dict", "to_dict", "validate", "Engine", "Mechanism", "OrgState", "SERIES", "STYLES", "STRATEGIES",
    "PRESETS", "Results", "SUMMARY_COLUMNS", "paired_difference", "configure", "default_config", "run",
    "run_points", "__version__",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'simteam' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later look-ups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # for type checkers and IDEs: the same names, imported eagerly
    from .config import ConfigError, SimConfig, from_dict, to_dict, validate
    from .engine import SERIES, Engine
    from .leadership import STRATEGIES, STYLES
    from .market import PRESETS
    from .mechanism import Mechanism, OrgState
    from .results import SUMMARY_COLUMNS, Results, paired_difference
    from .sim import configure, default_config, run, run_points
