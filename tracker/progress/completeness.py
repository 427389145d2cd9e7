"""Reporting completeness and timeliness (报送情况): which counties reported for a month, on time or late.

A county has reported for a month when a counted submission carries any figure of it for that month; it was on
time when the first such submission arrived by the deadline (by default the 10th of the following month, end of
day, Beijing time, from targets/progress.yaml). Before the deadline a county that has not reported is pending,
not missing. Pure functions over the arrivals the store reads.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

import pandas as pd

from tracker.model.periods import add_months
from tracker.model.regions import RegionTree
from tracker.model.status import Deadline

STATES = ("on_time", "late", "missing", "pending")


def deadline_of(month: str, rule: Deadline) -> datetime:
    """The moment returns for ``month`` are due, as an aware datetime."""
    following = add_months(month, 1)
    local = datetime(int(following[:4]), int(following[5:]), rule.deadline_day, tzinfo=ZoneInfo(rule.timezone))
    return datetime.combine(local.date(), time(23, 59, 59), tzinfo=local.tzinfo)


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def county_states(arrivals: pd.DataFrame, tree: RegionTree, months: Iterable[str], rule: Deadline,
                  now: datetime) -> pd.DataFrame:
    """One row per county and month: region, prefecture, period, state (on_time | late | missing | pending),
    arrived (first arrival or None)."""
    first = {(r, p): _aware(a) for r, p, a in arrivals[["region", "period", "first_at"]].itertuples(index=False)}
    rows = []
    for month in months:
        due = deadline_of(month, rule)
        for county in tree.level("county"):
            arrived = first.get((county.code, month))
            if arrived is not None:
                state = "on_time" if arrived <= due else "late"
            else:
                state = "missing" if now > due else "pending"
            rows.append({"region": county.code, "prefecture": county.parent_code, "period": month, "state": state,
                         "arrived": arrived})
    return pd.DataFrame(rows, columns=["region", "prefecture", "period", "state", "arrived"])


@dataclass(frozen=True)
class Completeness:
    states: pd.DataFrame      # county × month
    by_prefecture: pd.DataFrame  # prefecture × month: expected, reported, on_time, late, missing, pending, rates
    province: pd.DataFrame    # month: the same, for the province

    def missing(self, month: str) -> pd.DataFrame:
        """Counties without a return for ``month`` (missing or still pending)."""
        frame = self.states[(self.states["period"] == month) & self.states["state"].isin(["missing", "pending"])]
        return frame.sort_values(["prefecture", "region"])


def _rates(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["reported"] = frame["on_time"] + frame["late"]
    frame["reporting_rate"] = frame["reported"] / frame["expected"]
    frame["on_time_rate"] = frame["on_time"] / frame["expected"]
    return frame


def summarise(states: pd.DataFrame) -> Completeness:
    counts = (states.assign(n=1).pivot_table(index=["prefecture", "period"], columns="state", values="n",
                                             aggfunc="sum", fill_value=0)
              .reindex(columns=list(STATES), fill_value=0).reset_index())
    counts["expected"] = counts[list(STATES)].sum(axis=1)
    by_prefecture = _rates(counts)
    province = _rates(counts.groupby("period")[[*STATES, "expected"]].sum().reset_index())
    return Completeness(states, by_prefecture, province)


def completeness(arrivals: pd.DataFrame, tree: RegionTree, months: Iterable[str], rule: Deadline,
                 now: datetime | None = None) -> Completeness:
    now = now or datetime.now(timezone.utc)
    return summarise(county_states(arrivals, tree, list(months), rule, now))


def recent_months(as_of: str, n: int = 12) -> list[str]:
    return [add_months(as_of, -i) for i in range(n - 1, -1, -1)]

