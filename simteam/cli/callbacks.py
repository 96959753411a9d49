"""Hydra callbacks of the ``simteam`` app that gather a finished sweep (duck-typed: no Hydra import here).

:class:`CollectCallback` joins the jobs (:func:`simteam.cli.collect.collect`) and, when the sweep names a
``baseline``, writes the paired comparison (:func:`simteam.cli.compare.report`). It lives apart from both
so that neither of them imports the other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["CollectCallback"]


class CollectCallback:
    """Hydra callback (duck-typed; this module does not import Hydra): collect the sweep when it ends.

    When the sweep config sets ``baseline``, a comparison report is written as well
    (:func:`simteam.cli.compare.report`). Hydra skips ``on_multirun_end`` when a job fails:
    run ``simteam-collect <sweep dir>`` then.
    """

    def on_run_start(self, config: Any, **kwargs: Any) -> None:
        pass

    def on_run_end(self, config: Any, **kwargs: Any) -> None:
        pass

    def on_multirun_start(self, config: Any, **kwargs: Any) -> None:
        pass

    def on_job_start(self, config: Any, **kwargs: Any) -> None:
        pass

    def on_job_end(self, config: Any, job_return: Any = None, **kwargs: Any) -> None:
        pass

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        """Collect the sweep folder; compare against ``baseline`` when the config names one."""
        from .collect import collect  # imported here: Hydra makes this callback for every run (pandas)
        from .compare import report

        sweep = Path(str(config.hydra.sweep.dir))
        res = collect(sweep)
        print(res.report())
        print(f"wrote {sweep / 'results.parquet'} and results.csv")
        baseline = config.get("baseline") if hasattr(config, "get") else None
        if baseline and res.n_ok:
            rep = report(sweep, str(baseline))
            print(f"comparison vs {baseline}: {rep.html}")
