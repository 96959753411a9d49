"""simteam: an agent-based simulation of sales-team dynamics and leadership.

Quick start::

    import simteam
    res = simteam.run(simteam.configure(style="coaching", market="recession"), replications=50, seed=1)
    res.summary.describe()
"""

from .config import ConfigError, SimConfig, from_dict, to_dict, validate
from .engine import SERIES, Engine
from .leadership import STRATEGIES, STYLES
from .market import PRESETS
from .mechanism import Mechanism, OrgState
from .results import SUMMARY_COLUMNS, Results, paired_difference
from .sim import configure, default_config, run, run_points

__version__ = "0.1.0"

__all__ = [
    "ConfigError", "SimConfig", "from_dict", "to_dict", "validate", "Engine", "Mechanism", "OrgState", "SERIES", "STYLES", "STRATEGIES",
    "PRESETS", "Results", "SUMMARY_COLUMNS", "paired_difference", "configure", "default_config", "run",
    "run_points", "__version__",
]
