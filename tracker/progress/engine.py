"""The progress engine: where each target stands, for every region, at an as-of month.

Pure functions over plain data (a plan, the region tree, a frame of reported county values, allocations), so that
every rule here is tested by hand-computed examples without a database or a browser. The rules:

- A county's actual at month M depends on how the target adds up over months (``aggregation.months``):
  ``latest`` takes the value reported for M itself (a month-end level, or a year-to-date figure), never a sum;
  ``sum`` adds the monthly figures from the start of the period to M; ``sum_of_years`` adds, for each closed year
  of a multi-year target, that year's last year-to-date figure, and for the current year the figure for M.
- A county that did not report for M contributes nothing for M to ``latest`` targets: actuals are sums of what was
  reported, and ``reported`` / ``expected_reporters`` say how complete they are. Nothing is carried forward.
- Regions add up counties → prefecture → province, over the counties in the target's scope only.
- Past the end of the period the engine judges at the end month; before its start nothing is expected.
- Expected-by-now is the target itself for levels, and linear (or the YAML's monthly profile) for flows.
- A prefecture or county without an allocated target gets its actual and share of the province, no status.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from tracker.model.figures import effective_month, no_figures
from tracker.model.periods import add_months, month_index, year_of
from tracker.model.plan import Plan, Target
from tracker.model.regions import RegionTree
from tracker.model.status import Thresholds

VALUE_COLUMNS = ["target", "region", "period", "value"]
ALLOCATION_COLUMNS = ["target", "region", "value"]

ROW_COLUMNS = [
    "target", "region", "region_name", "level", "parent", "actual", "target_value", "expected", "completion",
    "pace", "status", "unit", "comparator", "kind", "reported", "expected_reporters", "projection", "share",
    "as_of", "month", "period_start", "period_end",
]


@dataclass(frozen=True)
class Judgement:
    completion: float | None
    pace: float | None
    status: str


def expected_fraction(target: Target, as_of: str) -> float:
    """Share of the target that should be reached by the end of ``as_of``."""
    month = effective_month(target, as_of)
    if month is None:
        return 0.0
    if target.kind == "level":
        return 1.0
    elapsed = month_index(month) - month_index(target.period.start) + 1
    if target.profile is not None:
        return sum(target.profile[:elapsed]) / sum(target.profile)
    return elapsed / len(target.period.months())


def judge(
    actual: float | None,
    target_value: float | None,
    expected: float | None,
    target: Target,
    as_of: str,
    thresholds: Thresholds,
) -> Judgement:
    """Completion, pace and status of one figure against its target.

    For ``around`` targets the lower edge of the tolerance band is what must be reached; a figure above the band
    counts as met, since overshooting an employment level is not a shortfall (a decision recorded in the YAML).
    """
    if actual is None or (isinstance(actual, float) and math.isnan(actual)):
        return Judgement(None, None, "no_data")
    if target_value is None or (isinstance(target_value, float) and math.isnan(target_value)):
        return Judgement(None, None, "no_target")
    completion = actual / target_value if target_value else None
    tolerance = target.tolerance or 0.0
    period_over = month_index(as_of) >= month_index(target.period.end)
    if target.comparator == "at_most":
        if actual > target_value:
            return Judgement(completion, None, "behind")
        return Judgement(completion, None, "completed" if period_over else "on_track")
    pace = actual / expected if expected else None
    if actual >= target_value * (1 - tolerance):
        return Judgement(completion, pace, "completed")
    if period_over:
        return Judgement(completion, pace, "behind")
    # Thresholds apply to pace against the band's lower edge, so an "around" target is not flagged while inside it.
    against_floor = actual / (expected * (1 - tolerance)) if expected else None
    if against_floor is None or against_floor >= thresholds.on_track_pace:
        return Judgement(completion, pace, "on_track")
    if against_floor >= thresholds.at_risk_pace:
        return Judgement(completion, pace, "at_risk")
    return Judgement(completion, pace, "behind")


def county_actuals(target: Target, values: pd.DataFrame, as_of: str) -> tuple[pd.Series, set[str]]:
    """Each county's actual at ``as_of`` and the set of counties that reported for the judged month.

    ``values`` holds this target's current county values (columns region, period, value).
    """
    month = effective_month(target, as_of)
    if month is None or values.empty:
        return pd.Series(dtype="float64"), set()
    in_period = values[(values["period"] >= target.period.start) & (values["period"] <= month)]
    at_month = in_period[in_period["period"] == month]
    reported = set(at_month["region"])
    how = target.aggregation.months
    if how == "latest":
        actual = at_month.groupby("region")["value"].sum()
    elif how == "sum":
        actual = in_period.groupby("region")["value"].sum()
    else:  # sum_of_years: closed years give their last year-to-date figure, the current year its figure for month
        current_year = year_of(month)
        years = in_period["period"].str.slice(0, 4).astype(int)
        past = in_period[years < current_year].sort_values("period")
        past_totals = past.groupby([past["region"], past["period"].str.slice(0, 4)])["value"].last()
        actual = past_totals.groupby(level=0).sum().add(at_month.groupby("region")["value"].sum(), fill_value=0)
    return actual.astype("float64"), reported


def _none(value: object) -> float | None:
    if value is None:
        return None
    value = float(value)  # type: ignore[arg-type]
    return None if math.isnan(value) else value


def county_figures(plan: Plan, values: pd.DataFrame, as_of: str) -> pd.DataFrame:
    """Every county's actual at ``as_of`` for every target of ``plan``: columns target, region, actual, reported.

    One row per (target, county) that has a figure counting towards the actual; ``reported`` says whether the
    county reported for the judged month. The store computes the same frame in SQL (``store.county_figures``), so
    that the app never has to hold every value in memory.
    """
    by_target = {t: frame for t, frame in values.groupby("target")} if not values.empty else {}
    parts = []
    for target in plan.targets:
        frame = by_target.get(target.id)
        if frame is None:
            continue
        actual, reported = county_actuals(target, frame, as_of)
        if actual.empty:
            continue
        parts.append(pd.DataFrame({"target": target.id, "region": actual.index.astype(str),
                                   "actual": actual.to_numpy(dtype="float64"),
                                   "reported": actual.index.isin(list(reported))}))
    if not parts:
        return no_figures()
    return pd.concat(parts, ignore_index=True)


def compute_progress(
    plan: Plan,
    tree: RegionTree,
    values: pd.DataFrame,
    as_of: str,
    thresholds: Thresholds,
    allocations: pd.DataFrame | None = None,
    scopes: Mapping[str, Iterable[str]] | None = None,
    levels: Iterable[str] = ("province", "prefecture", "county"),
) -> pd.DataFrame:
    """Progress of every target of ``plan`` for every region at the requested levels, one row each.

    ``values``: current county values (target, region, period, value). ``allocations``: current allocated targets
    for prefectures or counties (target, region, value). ``scopes``: target id → county codes it applies to; a
    target absent from it applies to every county.
    """
    return progress_table(plan, tree, county_figures(plan, values, as_of), as_of, thresholds, allocations, scopes,
                          levels)


def progress_table(
    plan: Plan,
    tree: RegionTree,
    figures: pd.DataFrame,
    as_of: str,
    thresholds: Thresholds,
    allocations: pd.DataFrame | None = None,
    scopes: Mapping[str, Iterable[str]] | None = None,
    levels: Iterable[str] = ("province", "prefecture", "county"),
) -> pd.DataFrame:
    """``compute_progress`` from the counties' actuals (``county_figures``' frame) rather than from every value."""
    levels = tuple(levels)
    scopes = scopes or {}
    allocated: dict[tuple[str, str], float] = {}
    if allocations is not None and not allocations.empty:
        allocated = {(t, r): float(v) for t, r, v in allocations[ALLOCATION_COLUMNS].itertuples(index=False)}
    by_target: dict[str, tuple[dict[str, float], set[str]]] = {}
    if not figures.empty:
        for target_id, frame in figures.groupby("target", sort=False):
            regions = frame["region"].tolist()
            by_target[str(target_id)] = (dict(zip(regions, frame["actual"].tolist())),
                                         {r for r, done in zip(regions, frame["reported"].tolist()) if done})
    counties_all = tree.level("county")
    all_counties = [r.code for r in counties_all]
    prefecture_of = {r.code: r.parent_code for r in counties_all}
    counties_of: dict[str, list[str]] = {}
    for code in all_counties:
        counties_of.setdefault(prefecture_of[code], []).append(code)
    everywhere = set(all_counties)
    prefectures = tree.level("prefecture")
    names = {r.code: r.name for r in tree.regions}
    province = tree.province.code
    columns: dict[str, list] = {c: [] for c in ROW_COLUMNS}
    for target in plan.targets:
        in_scope = set(scopes[target.id]) if target.id in scopes else everywhere
        actual, reported = by_target.get(target.id, ({}, set()))
        actual = {c: v for c, v in actual.items() if c in in_scope}
        reported = reported & in_scope
        fraction = expected_fraction(target, as_of)
        judged = effective_month(target, as_of)
        month = judged or as_of
        # (code, level, parent, actual, reported, expected reporters, allocated target) for each row of the target
        entries: list[tuple] = []
        province_total = _total(actual.values())
        if "province" in levels:
            entries.append((province, "province", None, province_total, len(reported), len(in_scope),
                            target.value))
        if "prefecture" in levels:
            for prefecture in prefectures:
                counties = [c for c in counties_of.get(prefecture.code, ()) if c in in_scope]
                if not counties:
                    continue
                entries.append((prefecture.code, "prefecture", province,
                                _total(actual[c] for c in counties if c in actual),
                                sum(1 for c in counties if c in reported), len(counties),
                                allocated.get((target.id, prefecture.code))))
        if "county" in levels:
            for code in all_counties:
                if code not in in_scope:
                    continue
                entries.append((code, "county", prefecture_of[code], _none(actual.get(code)), int(code in reported),
                                1, allocated.get((target.id, code))))
        for code, level, parent, value, n_reported, n_expected, target_value in entries:
            expected = target_value * fraction if target_value is not None else None
            verdict = judge(value, target_value, expected, target, month, thresholds)
            if value is None:
                projection = None
            elif target.kind == "level" or fraction >= 1:
                projection = value
            else:
                projection = value / fraction if fraction > 0 else None
            columns["region"].append(code)
            columns["region_name"].append(names[code])
            columns["level"].append(level)
            columns["parent"].append(parent)
            columns["actual"].append(value)
            columns["target_value"].append(target_value)
            columns["expected"].append(expected)
            columns["completion"].append(verdict.completion)
            columns["pace"].append(verdict.pace)
            columns["status"].append(verdict.status)
            columns["reported"].append(n_reported)
            columns["expected_reporters"].append(n_expected)
            columns["projection"].append(projection)
            columns["share"].append((value / province_total) if value is not None and province_total else None)
        n = len(entries)
        for key, constant in (("target", target.id), ("unit", target.unit), ("comparator", target.comparator),
                              ("kind", target.kind), ("as_of", as_of), ("month", judged),
                              ("period_start", target.period.start), ("period_end", target.period.end)):
            columns[key].extend([constant] * n)
    return pd.DataFrame(columns, columns=ROW_COLUMNS)


def _total(values: Iterable[float]) -> float | None:
    """The sum of the figures present, None when there is none (pandas' ``sum(min_count=1)``)."""
    total, seen = 0.0, False
    for value in values:
        if value is None or value != value:
            continue
        total += value
        seen = True
    return total if seen else None


def trajectory(
    target: Target,
    values: pd.DataFrame,
    months: Iterable[str],
    scope: Iterable[str] | None = None,
    target_value: float | None = None,
    until: str | None = None,
) -> pd.DataFrame:
    """Actual against expected, month by month, for one target summed over ``scope`` (all counties if None).

    Feeds the target's line chart; ``values`` holds this target's current county values. Months after ``until``
    (the as-of month) carry the expected path only, so the chart shows the whole period ahead.
    """
    if scope is not None:
        values = values[values["region"].isin(set(scope))]
    goal = target.value if target_value is None else target_value
    out = []
    for month in months:
        if until is not None and month_index(month) > month_index(until):
            out.append({"period": month, "actual": None, "reported": 0,
                        "expected": goal * expected_fraction(target, month)})
            continue
        actual, reported = county_actuals(target, values, month)
        out.append({
            "period": month,
            "actual": _none(actual.sum(min_count=1)) if not actual.empty else None,
            "expected": goal * expected_fraction(target, month),
            "reported": len(reported),
        })
    return pd.DataFrame(out, columns=["period", "actual", "expected", "reported"])


def trend(
    target: Target,
    values: pd.DataFrame,
    as_of: str,
    scope: Iterable[str] | None = None,
    recent: int = 3,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The month-by-month story of one target, and where it is heading.

    Returns (history, projection). history: period, actual, expected, increment (the month's own contribution:
    the change of a cumulative figure, or of a level), previous_year (the same month a year earlier, when there
    are figures for it). projection: period, projected, low, high for the months after ``as_of`` to the end of the
    period, from the run rate of the last ``recent`` months — the band spans their slowest and fastest month.
    """
    if scope is not None:
        values = values[values["region"].isin(set(scope))]
    months = target.period.months()
    history = trajectory(target, values, months, None, until=as_of)
    # numeric first: with no figure at all the column holds only None, which cannot be differenced
    history["increment"] = pd.to_numeric(history["actual"]).diff()
    first = history.index[0]
    if target.kind != "level" and history.loc[first, "actual"] is not None:
        history.loc[first, "increment"] = history.loc[first, "actual"]
    previous = []
    for month in months:
        earlier = add_months(month, -12)
        if month_index(earlier) >= month_index(target.period.start):
            row = history[history["period"] == earlier]
            previous.append(row["actual"].iloc[0] if not row.empty else None)
        else:  # before the period: the same kind of figure summed over counties, if reported
            at = values[values["period"] == earlier]
            previous.append(float(at["value"].sum()) if not at.empty and target.aggregation.months == "latest"
                            else None)
    history["previous_year"] = previous
    observed = history.dropna(subset=["actual"])
    future = [m for m in months if month_index(m) > month_index(as_of)]
    projection = pd.DataFrame(columns=["period", "projected", "low", "high"])
    if observed.empty or not future:
        return history, projection
    last = float(observed["actual"].iloc[-1])
    steps = observed["increment"].dropna().astype(float).tail(recent)
    if target.kind == "level":
        swing = float(steps.abs().max()) if not steps.empty else 0.0
        rows = [{"period": m, "projected": last, "low": last - swing, "high": last + swing} for m in future]
    else:
        rate = float(steps.mean()) if not steps.empty else 0.0
        slow, fast = (float(steps.min()), float(steps.max())) if not steps.empty else (0.0, 0.0)
        rows = [{"period": m, "projected": last + rate * (i + 1), "low": last + max(slow, 0.0) * (i + 1),
                 "high": last + fast * (i + 1)} for i, m in enumerate(future)]
    return history, pd.DataFrame(rows, columns=["period", "projected", "low", "high"])
