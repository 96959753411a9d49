"""Imported once by the fork server that starts the worker processes of a run (see :func:`simteam.sim._mp_context`).

The fork server imports this module before it forks any worker, so every worker starts with simteam,
numpy and pandas imported and the compiled kernels of a default run already loaded from numba's cache
(about half a second per worker otherwise, paid again by every run that starts workers). A two-week run of
the default configuration with one toxic rep is what loads them; its numbers are thrown away.
"""

from __future__ import annotations

from .sim import configure, run

try:
    run(configure(weeks=2, team__initial_toxic=1), replications=1, seed=0)  # a toxic rep: the culture kernel too
except Exception:  # pragma: no cover - a worker then loads the kernels itself, and reports any error there
    pass
