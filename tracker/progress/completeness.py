"""Reporting completeness and timeliness (报送情况): which counties reported for a month, on time or late.

A county is expected to report for a month when a target in force that month covers it (``expected_counties``:
in 2024 only the key-assistance counties have a target of the 2023 plan, and after the plan's last target ends
nobody is expected). It has reported when a counted submission carries any figure of it for that month; it was on
time when the first such submission arrived by the deadline (by default the 10th of the following month, end of
day, Beijing time, from targets/progress.yaml). Before the deadline a county that has not reported is pending,
not missing. Pure functions over the arrivals the store reads (``load_completeness`` reads them).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

import pandas as pd

from tracker.model.periods import add_months
from tracker.model.plan import Plan
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


def expected_counties(plan: Plan, scopes: Mapping[str, Iterable[str]], tree: RegionTree, month: str) -> set[str]:
    """The counties some target in force in ``month`` covers (a target without a scope covers every county)."""
    everywhere = {c.code for c in tree.level("county")}
    found: set[str] = set()
    for target in plan.targets_due(month):
        found |= set(scopes[target.id]) if target.id in scopes else everywhere
    return found


def county_states(arrivals: pd.DataFrame, tree: RegionTree, months: Iterable[str], rule: Deadline,
                  now: datetime, expected: Mapping[str, set[str]] | None = None) -> pd.DataFrame:
    """One row per expected county and month: region, prefecture, period, state (on_time | late | missing |
    pending), arrived (first arrival or None). ``expected``: month → counties due (every county when None)."""
    first = {(r, p): _aware(a) for r, p, a in arrivals[["region", "period", "first_at"]].itertuples(index=False)}
    rows = []
    for month in months:
        due = deadline_of(month, rule)
        for county in tree.level("county"):
            if expected is not None and county.code not in expected.get(month, ()):
                continue
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

    def overdue(self, month: str) -> pd.DataFrame:
        """Counties still without a return for ``month`` after its deadline (the ones a reminder names)."""
        frame = self.states[(self.states["period"] == month) & (self.states["state"] == "missing")]
        return frame.sort_values(["prefecture", "region"])

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


def summarise(states: pd.DataFrame, months: Iterable[str] | None = None) -> Completeness:
    """Counts and rates per prefecture and month and per month; a month in ``months`` with nobody expected has a
    province row of zeros and no rate (nothing was due)."""
    if states.empty:
        counts = pd.DataFrame(columns=["prefecture", "period", *STATES])
    else:
        counts = (states.assign(n=1).pivot_table(index=["prefecture", "period"], columns="state", values="n",
                                                 aggfunc="sum", fill_value=0)
                  .reindex(columns=list(STATES), fill_value=0).reset_index())
    counts["expected"] = counts[list(STATES)].sum(axis=1)
    by_prefecture = _rates(counts)
    province = counts.groupby("period")[[*STATES, "expected"]].sum()
    if months is not None:
        province = province.reindex(list(months), fill_value=0)
    province = province.rename_axis("period").reset_index()
    province = _rates(province.astype({c: "int64" for c in [*STATES, "expected"]}))
    province.loc[province["expected"] == 0, ["reporting_rate", "on_time_rate"]] = None
    return Completeness(states, by_prefecture, province)


def completeness(arrivals: pd.DataFrame, tree: RegionTree, months: Iterable[str], rule: Deadline,
                 now: datetime | None = None, expected: Mapping[str, set[str]] | None = None) -> Completeness:
    now = now or datetime.now(timezone.utc)
    months = list(months)
    return summarise(county_states(arrivals, tree, months, rule, now, expected), months)


def load_completeness(engine, plan: Plan, tree: RegionTree, scopes: Mapping[str, Iterable[str]],
                      months: Iterable[str], rule: Deadline, now: datetime | None = None) -> Completeness:
    """``completeness`` of ``months`` from the database: the arrivals the store reads, and the counties due."""
    from tracker import store

    months = list(months)
    arrivals = store.report_arrivals(engine, plan.id, months[0], months[-1])
    expected = {m: expected_counties(plan, scopes, tree, m) for m in months}
    return completeness(arrivals, tree, months, rule, now, expected)


def recent_months(as_of: str, n: int = 12) -> list[str]:
    return [add_months(as_of, -i) for i in range(n - 1, -1, -1)]

