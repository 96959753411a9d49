"""The one number formatter of simteam: tables, reports, the console and the workshop.

:func:`fmt_number` turns a value into display text with thousands separators, an optional
sign (for differences), percent scaling and a unit. A value that rounds to zero is shown
without a sign (never ``-0`` or ``+0.0``), and a missing value (None, NaN, empty text) is
shown as ``-``. :func:`fmt_metric` applies the house style of one summary column
(shares as percent, money without decimals, ...).

Example:
    >>> fmt_number(1234567.8, 0)
    '1,234,568'
    >>> fmt_number(-0.004, 2)
    '0.00'
    >>> fmt_number(12.34, 0, signed=True, unit="k$")
    '+12 k$'
    >>> fmt_number(0.125, 1, percent=True)
    '12.5%'
    >>> fmt_number(float("nan"))
    '-'
    >>> fmt_metric("turnover_annual", 0.0123, signed=True)
    '+1.2 pp'
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["MISSING", "PERCENT_METRICS", "fmt_metric", "fmt_number"]

#: Display text of a missing value.
MISSING = "-"

#: Summary columns that are shares and are shown as percent (differences in percentage points).
PERCENT_METRICS = ("turnover_annual", "quota_share", "top20_revenue_share", "quit_rate_annual", "drawdown")


def _auto_digits(v: float) -> int:
    a = abs(v)
    if a >= 100:
        return 0
    return 3 if a < 10 else 1


def fmt_number(x: Any, digits: int | None = None, *, percent: bool = False, signed: bool = False,
               unit: str = "", sep: bool = True) -> str:
    """Display text of a number.

    Args:
        x: The value (int, float, numpy scalar, None or text).
        digits: Decimals; None picks them from the size (0 from 100 up, 1 from 10, else 3).
        percent: Multiply by 100 and append ``%`` (unless ``unit`` is given, e.g. ``"pp"``).
        signed: Always show the sign (differences); a value that rounds to zero has none.
        unit: Appended after a space (``%`` directly).
        sep: Thousands separators.

    Returns:
        The text; ``-`` for None, NaN or empty text, ``inf``/``-inf`` for infinities.
    """
    if x is None or (isinstance(x, str) and not x.strip()):
        return MISSING
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(v):
        return MISSING
    if percent:
        v *= 100.0
        unit = unit or "%"
    if math.isinf(v):
        text = "inf" if v > 0 else "-inf"
        text = "+inf" if signed and v > 0 else text
    else:
        d = _auto_digits(v) if digits is None else max(int(digits), 0)
        text = format(v, f"{'+' if signed else ''}{',' if sep else ''}.{d}f")
        if float(text.replace(",", "")) == 0.0:  # no "-0", "+0.00"
            text = format(0.0, f".{d}f")
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def fmt_metric(metric: str, x: Any, *, signed: bool = False, digits: int | None = None) -> str:
    """Display text of a value of summary column ``metric``: shares in percent (differences in pp)."""
    if metric in PERCENT_METRICS:
        return fmt_number(x, 1 if digits is None else digits, percent=True, signed=signed,
                          unit="pp" if signed else "")
    return fmt_number(x, digits, signed=signed)
