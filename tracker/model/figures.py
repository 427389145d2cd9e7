"""County figures as the store hands them to the progress engine: the month a target is judged at, the months its
figures are read for (its *segments*), and the frame's shape.

A target's actual at a month is read from one or more segment months. Most targets have one: the judged month
itself (a month-end level, a year-to-date flow, or the sum of monthly figures up to it). A multi-year cumulative
target reported year-to-date (``sum_of_years``) has one per year: each closed year's December figure, and the
current year's figure for the judged month. A county counts for a segment only if it reported for that very month:
a closed year whose December is missing is not filled from November (that would be carrying a figure forward,
which the tracker never does silently; the engine may show it as an *estimate*, labelled as such).

Both sides need these and neither owns the other: the store (SQL) fills the frame, the engine (pure) judges it; the
engine says what of the history an incomplete region needs (``HistoryNeed``), the store reads just that.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tracker.model.periods import month_index, months_between, year_of
from tracker.model.plan import Target

#: The county-figures frame: one row per target, county and segment month the county has a figure for.
FIGURE_COLUMNS = ["target", "region", "segment", "actual", "reported"]


def effective_month(target: Target, as_of: str) -> str | None:
    """The month at which the target is judged: the as-of month, clamped to the period's end; None before it."""
    if month_index(as_of) < month_index(target.period.start):
        return None
    return min(as_of, target.period.end, key=month_index)


def segments(target: Target, month: str) -> list[str]:
    """The months a target's actual at the judged ``month`` is read from, oldest first."""
    if target.aggregation.months != "sum_of_years":
        return [month]
    closed = range(year_of(target.period.start), year_of(month))
    return [f"{year:04d}-12" for year in closed] + [month]


def segment_shares(target: Target, month: str) -> dict[str, float]:
    """Each segment's share of what should have been reached by ``month`` (by the months it spans, or the
    target's monthly profile): the weights with which the coverage of each segment adds up to the target's."""
    parts = segments(target, month)
    if len(parts) == 1:
        return {month: 1.0}
    period = target.period.months()
    weights = list(target.profile) if target.profile is not None else [1.0] * len(period)
    weight_of = dict(zip(period, weights))
    spans: dict[str, float] = {}
    start = target.period.start
    for part in parts:
        spans[part] = sum(weight_of.get(m, 0.0) for m in months_between(start, part))
        start = f"{year_of(part) + 1:04d}-01"
    total = sum(spans.values())
    return {part: (span / total if total else 1.0 / len(parts)) for part, span in spans.items()}


def no_figures() -> pd.DataFrame:
    """The county-figures frame with no rows, typed as a full one: what the engine gets before any return."""
    return pd.DataFrame({"target": pd.Series(dtype="str"), "region": pd.Series(dtype="str"),
                         "segment": pd.Series(dtype="str"), "actual": pd.Series(dtype="float64"),
                         "reported": pd.Series(dtype="bool")})


@dataclass(frozen=True)
class HistoryNeed:
    """What the coverage of one target's incomplete regions reads from the counties' history (the engine's): every
    month up to the as-of month of ``counties``, the counties of each prefecture with a county missing (their
    weights, and a missing county's last figure for its estimate); and, for the province, the last month before
    each of ``segments`` in which all of ``scope`` (the counties in the target's scope) reported."""
    counties: frozenset[str]
    scope: tuple[str, ...]
    scoped: bool                  # the target has a scope of its own (else ``scope`` is every county)
    segments: tuple[str, ...]
