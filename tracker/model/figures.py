"""County figures as the store hands them to the progress engine: the month a target's figures are read for, and
the frame's shape (one row per target and county: the actual and whether the county reported).

Both sides need these and neither owns the other: the store (SQL) fills the frame, the engine (pure) judges it.
"""
from __future__ import annotations

import pandas as pd

from tracker.model.periods import month_index
from tracker.model.plan import Target


def effective_month(target: Target, as_of: str) -> str | None:
    """The month at which the target is judged: the as-of month, clamped to the period's end; None before it."""
    if month_index(as_of) < month_index(target.period.start):
        return None
    return min(as_of, target.period.end, key=month_index)


def no_figures() -> pd.DataFrame:
    """The county-figures frame with no rows, typed as a full one: what the engine gets before any return."""
    return pd.DataFrame({"target": pd.Series(dtype="str"), "region": pd.Series(dtype="str"),
                         "actual": pd.Series(dtype="float64"), "reported": pd.Series(dtype="bool")})
