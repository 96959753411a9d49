"""Compatibility names for the compiled kernels, which now live with their mechanisms.

Shared numerics (random numbers, normal quantiles, Poisson, graph walks) are in
:mod:`simteam.numerics`; each mechanism's kernel is in its own module: :mod:`simteam.selling`
(``selling_step``, ``selection_gain_1``), :mod:`simteam.effort` (``effort_step``),
:mod:`simteam.people` (``people_step``), :mod:`simteam.turnover` (``quit_draws``,
``tenure_and_ramp``), :mod:`simteam.culture` (``toxic_step``, ``cohesion_step``) and
:mod:`simteam.engine` (``record_week``). This module only re-exports them.
"""

from __future__ import annotations

from .culture import cohesion_step, toxic_step
from .effort import effort_step
from .engine import RECORD_SERIES, record_week
from .numerics import WEEK_STRIDE, draw, draw_at, mix64, ndtr, ndtri, normal_fast, poisson_inverse, unit
from .people import people_step
from .selling import selection_gain_1 as selection_gain
from .selling import selection_gains, selling_step
from .turnover import quit_draws, tenure_and_ramp

__all__ = ["mix64", "unit", "ndtri", "normal_fast", "ndtr", "draw", "draw_at", "poisson_inverse", "WEEK_STRIDE",
           "selection_gain", "selection_gains", "selling_step", "effort_step", "people_step", "quit_draws",
           "tenure_and_ramp", "cohesion_step", "toxic_step", "record_week", "RECORD_SERIES"]
