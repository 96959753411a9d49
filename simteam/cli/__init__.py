"""The command-line applications: the Hydra app ``simteam`` (:mod:`.app`), the sweep collector
``simteam-collect`` (:mod:`.collect`) and the paired comparison report ``simteam-compare`` (:mod:`.compare`).

This sub-package is the only place that imports Hydra; the core (``simteam``) never imports it.
"""

from .app import (CONF_DIR, SIM_KEYS, TASKS, ValidateCallback, expand_sweep, job_name, main, register_configs,
                  resolve_task, run_study, split_config, validate_jobs)

__all__ = ["CONF_DIR", "SIM_KEYS", "TASKS", "ValidateCallback", "expand_sweep", "job_name", "main",
           "register_configs", "resolve_task", "run_study", "split_config", "validate_jobs"]
