"""The progress engine: where each target stands, for every region, at an as-of month.

Pure functions over plain data (a plan, the region tree, a frame of reported county figures, allocations, the
history of county values), so that every rule here is tested by hand-computed examples without a database or a
browser. The rules (README, "进度如何计算" and "缺报时如何判断", says the same to users):

- A target is judged at the as-of month, or at the end of its period once that is past (``judged_month``); before
  its period starts nothing is due and it is 未开始 (``not_started``).
- A county's actual depends on how the target adds up over months (``aggregation.months``): ``latest`` takes the
  figure reported for the judged month itself (a month-end level, or a year-to-date figure), never a sum; ``sum``
  adds the monthly figures from the start of the period; ``sum_of_years`` adds each closed year's December figure
  and the current year's figure for the judged month (model/figures.py: the *segments*).
- Nothing is carried forward: a county that did not report for a segment month contributes nothing to it, and a
  closed year without its December figure contributes nothing for that year. Actuals are sums of what was reported.
- Regions add up counties → prefecture → province, over the counties in the target's scope only.
- **Missing data** (缺报). A region's status is judged on comparable coverage: the reporting counties' actual against
  what those same counties should have reached. ``coverage`` is their share of the region, weighted by the counties'
  allocated targets when every county has one, else by the counties' figures in the last month in which all of
  them reported (the latest such month not after the segment), else by their number; a multi-year target adds up
  its segments' coverages by their share of the period. Pace is then actual / (expected-by-now × coverage). Below
  ``thresholds.min_coverage`` (targets/progress.yaml) the status is 数据不全 (``incomplete``), never 滞后; where no
  county reported at all it is 未报送 (``no_data``). ``estimate`` adds, for each county missing, its last figure of
  the same year — shown as 估算 with the counties named, never mixed into ``actual``.
- Expected-by-now is the target itself for levels, and linear (or the YAML's monthly profile) for flows and
  cumulative targets; for an ``around`` target it is the lower edge of its tolerance band, the level that must be
  reached, so that pace and thresholds read the same for every target. Counted in persons (人次, 个…) it is rounded
  up to a whole one.
- Statuses: a target whose actual has reached it is 已完成 (``completed``) at the end of its period; before the end a
  level (a stock that must hold until the end) is 达标 (``attained``), and a flow or cumulative target, whose persons
  trained stay trained, is 提前完成 (``completed_early``). Otherwise the pace decides: 正常 / 预警 / 滞后 by the
  thresholds; at the end of the period a target not reached is 滞后, or 数据不全 while counties are missing and the
  reporting ones have reached their share. ``at_most`` targets are met while at or under their value.
- A prefecture or county without an allocated target gets its actual and share of the province, no status
  (``no_target``).
- A target relative to a baseline (``增长9%``, ``翻一番``) whose baseline the plan states is an ordinary target of the
  worked-out value. One whose baseline comes from the returns gives every region its own target: its baseline
  month's figure moved by the change; a region with a county missing from the baseline has none yet (数据不全).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import chain, compress

import numpy as np
import pandas as pd

from tracker.model.figures import FIGURE_COLUMNS, HistoryNeed, effective_month, no_figures, segment_shares, segments
from tracker.model.periods import add_months, month_index, year_of
from tracker.model.plan import Plan, Target
from tracker.model.regions import RegionTree
from tracker.model.status import Thresholds
from tracker.model.units import WHOLE_UNITS

VALUE_COLUMNS = ["target", "region", "period", "value"]
ALLOCATION_COLUMNS = ["target", "region", "value"]

ROW_COLUMNS = [
    "target", "region", "region_name", "level", "parent", "actual", "target_value", "expected", "completion",
    "pace", "status", "unit", "comparator", "kind", "reported", "expected_reporters", "projection", "share",
    "coverage", "coverage_basis", "estimate", "estimated", "target_basis", "as_of", "month", "period_start",
    "period_end",
]
#: Statuses of a target that has reached its value.
MET = ("completed", "completed_early", "attained")
#: Below the target when its period ended (a cap exceeded at the end is 滞后 like any month: ``behind``).
NOT_MET = "not_met"


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


def expected_value(target: Target, target_value, fraction: float):
    """Where ``target_value`` (a number, or an array of them with NaN for none) should be by now: its lower edge's
    ``fraction``, rounded up to a whole person (or person-time, unit…) for units that count whole things, so that
    the figure shown is the one that must be met."""
    if target_value is None:
        return None
    expected = floor_of(target, target_value) * fraction
    if target.unit not in WHOLE_UNITS:
        return expected
    rounded = np.ceil(expected - 1e-9)
    return rounded if isinstance(rounded, np.ndarray) else float(rounded)


def floor_of(target: Target, value):
    """What must be reached of ``value``: the lower edge of the band for ``around``, the value itself otherwise."""
    return value * (1 - (target.tolerance or 0.0)) if target.comparator == "around" else value


def judge(
    actual: float | None,
    target_value: float | None,
    expected: float | None,
    target: Target,
    as_of: str,
    thresholds: Thresholds,
    coverage: float = 1.0,
) -> Judgement:
    """Completion, pace and status of one figure against its target: ``judge_all`` for one row, so that the rules
    are written once."""
    completion, pace, status = judge_all(*(np.array([np.nan if v is None else v], dtype="float64")
                                           for v in (actual, target_value, expected, coverage)),
                                         target, effective_month(target, as_of) and as_of, thresholds)
    return Judgement(_none(completion[0]), _none(pace[0]), str(status[0]))


def judge_all(
    actual: np.ndarray,
    target_value: np.ndarray,
    expected: np.ndarray,
    coverage: np.ndarray,
    target: Target,
    month: str | None,
    thresholds: Thresholds,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Completion, pace and status of many figures of one target, judged at ``month`` (None: not started), the
    rules of the module's docstring. Arrays of floats, NaN for none; the table judges a target's 3,000 regions at
    once (row by row it was most of the national table's time).

    ``expected`` is the expected-by-now of each whole region (for ``around`` targets the lower edge's),
    ``coverage`` the share of the region whose figures ``actual`` holds. For ``around`` targets a figure above the
    band counts as met: overshooting an employment level is not a shortfall (a decision recorded in the YAML).
    """
    n = len(actual)
    completion, pace = np.full(n, np.nan), np.full(n, np.nan)
    status = np.full(n, "not_started", dtype=object)
    if month is None:
        return completion, pace, status
    nan = np.isnan
    with np.errstate(divide="ignore", invalid="ignore"):
        no_data = nan(actual)
        no_target = ~no_data & nan(target_value)
        status[no_data] = "no_data"
        status[no_target] = "no_target"
        live = ~no_data & ~no_target
        completion = np.where(live & (target_value != 0), actual / target_value, np.nan)
        period_over = month_index(month) >= month_index(target.period.end)
        partial = coverage < 1 - 1e-9
        thin = partial & (coverage < thresholds.min_coverage)
        left = live.copy()

        def settle(where: np.ndarray, verdict: str, paced: bool = False) -> None:
            """Give the rows still open among ``where`` their status (and their pace, when it is shown)."""
            chosen = left & where
            status[chosen] = verdict
            if paced:
                pace[chosen] = paces[chosen]
            left[chosen] = False

        if target.comparator == "at_most":
            settle(actual > target_value, "behind")
            settle(partial & (period_over | thin), "incomplete")
            settle(partial & (actual / coverage > target_value), "at_risk")
            settle(left, "completed" if period_over else "on_track")
            return completion, pace, status
        comparable = expected * coverage
        paces = np.where(~nan(comparable) & (comparable != 0), actual / comparable, np.nan)
        met = "completed" if period_over else ("attained" if target.kind == "level" else "completed_early")
        settle(actual >= floor_of(target, target_value), met, paced=True)
        settle(thin, "incomplete")
        if period_over:
            # a deadline passed below the target is 未完成, not 滞后: 滞后 says it lags and may still catch up
            settle(partial & (np.nan_to_num(paces, nan=0.0) >= 1), "incomplete", paced=True)
            settle(left, "not_met", paced=True)
            return completion, pace, status
        settle(nan(paces) | (paces >= thresholds.on_track_pace), "on_track", paced=True)
        settle(paces >= thresholds.at_risk_pace, "at_risk", paced=True)
        settle(left, "behind", paced=True)
    return completion, pace, status


def county_segments(target: Target, values: pd.DataFrame, as_of: str) -> pd.DataFrame:
    """Each county's figure for each segment month of ``target`` at ``as_of`` (columns region, segment, actual,
    reported): the frame the store computes in SQL, from this target's current county values (region, period,
    value). ``reported`` says whether the county has a figure for the segment month itself (for ``sum`` targets
    a county silent in the judged month still carries its earlier months)."""
    empty = pd.DataFrame({"region": pd.Series(dtype="str"), "segment": pd.Series(dtype="str"),
                          "actual": pd.Series(dtype="float64"), "reported": pd.Series(dtype="bool")})
    month = effective_month(target, as_of)
    if month is None or values.empty:
        return empty
    how = target.aggregation.months
    if how == "sum":
        in_period = values[(values["period"] >= target.period.start) & (values["period"] <= month)]
        if in_period.empty:
            return empty
        grouped = in_period.groupby("region")
        actual = grouped["value"].sum()
        reported = grouped["period"].agg(lambda p: bool((p == month).any()))
        return pd.DataFrame({"region": actual.index.astype(str), "segment": month,
                             "actual": actual.to_numpy(dtype="float64"), "reported": reported.to_numpy(dtype=bool)})
    at = values[values["period"].isin(segments(target, month))]
    if at.empty:
        return empty
    summed = at.groupby(["region", "period"], as_index=False)["value"].sum()
    return pd.DataFrame({"region": summed["region"].astype(str), "segment": summed["period"].astype(str),
                         "actual": summed["value"].to_numpy(dtype="float64"), "reported": True})


def county_actuals(target: Target, values: pd.DataFrame, as_of: str) -> tuple[pd.Series, set[str]]:
    """Each county's actual at ``as_of`` (its segments added) and the counties that reported for the judged month."""
    parts = county_segments(target, values, as_of)
    if parts.empty:
        return pd.Series(dtype="float64"), set()
    month = effective_month(target, as_of)
    now = parts[(parts["segment"] == month) & parts["reported"]]
    return parts.groupby("region")["actual"].sum().astype("float64"), set(now["region"])


def _none(value: object) -> float | None:
    if value is None:
        return None
    value = float(value)  # type: ignore[arg-type]
    return None if math.isnan(value) else value


def county_figures(plan: Plan, values: pd.DataFrame, as_of: str) -> pd.DataFrame:
    """Every county's figures at ``as_of`` for every target of ``plan`` (``model.figures.FIGURE_COLUMNS``): a row
    per target, county and segment month with a figure. The store computes the same frame in SQL
    (``store.county_figures``), so that the app never has to hold every value in memory."""
    by_target = {t: frame for t, frame in values.groupby("target")} if not values.empty else {}
    parts = []
    for target in plan.targets:
        frame = by_target.get(target.id)
        if frame is None:
            continue
        found = county_segments(target, frame, as_of)
        if not found.empty:
            parts.append(found.assign(target=target.id)[FIGURE_COLUMNS])
    if not parts:
        return no_figures()
    return pd.concat(parts, ignore_index=True)


def baseline_targets(plan: Plan) -> list[Target]:
    """Relative targets whose baseline comes from the returns (no value stated in the plan)."""
    return [t for t in plan.targets if t.relative is not None and t.relative.baseline.value is None]


def needs_history(plan: Plan, tree: RegionTree, figures: pd.DataFrame, as_of: str,
                  scopes: Mapping[str, Iterable[str]] | None = None) -> dict[str, HistoryNeed]:
    """The targets for which some county in scope has no figure for a segment month, and what of the history
    their coverage needs (a complete month reads nothing more). At national scale nearly every target has a county
    missing: reading all their history was 5 million values, 2.5 GB and 20 s for one snapshot."""
    scopes = scopes or {}
    counties = [r.code for r in tree.level("county")]
    prefecture_of = {r.code: r.parent_code for r in tree.level("county")}
    reported = figures[figures["reported"]] if not figures.empty else figures
    wanted: dict[str, HistoryNeed] = {}
    for target in plan.targets:
        month = effective_month(target, as_of)
        if month is None:
            continue
        scoped = target.id in scopes
        in_scope = set(scopes[target.id]) if scoped else set(counties)
        mine = reported[reported["target"] == target.id]
        parts = segments(target, month)
        missing: set[str] = set()
        for segment in parts:
            missing |= in_scope - set(mine.loc[mine["segment"] == segment, "region"])
        if missing:
            gaps = {prefecture_of.get(c) for c in missing}
            wanted[target.id] = HistoryNeed(
                frozenset(c for c in in_scope if prefecture_of.get(c) in gaps or c in missing),
                tuple(c for c in counties if c in in_scope) if not scoped else tuple(sorted(in_scope)),
                scoped, tuple(parts))
    return wanted


class _History:
    """One target's current county values as a month × county table, for coverage weights and estimates."""

    def __init__(self, values: pd.DataFrame | None):
        if values is None or values.empty:
            self.table = pd.DataFrame()
        else:
            self.table = values.pivot_table(index="period", columns="region", values="value", aggfunc="sum")
            self.table = self.table.sort_index()

    def weights(self, counties: list[str], segment: str) -> tuple[dict[str, float], str] | None:
        """The counties' figures in the last month not after ``segment`` in which all of them reported (with a
        positive total), and that month; None when there is no such month."""
        table = self.table
        if table.empty or any(c not in table.columns for c in counties):
            return None
        block = table.loc[table.index <= segment, counties]
        complete = block.notna().all(axis=1).to_numpy() & (block.fillna(0).sum(axis=1).to_numpy() > 0)
        if not complete.any():
            return None
        at = int(np.flatnonzero(complete)[-1])
        row = block.iloc[at]
        return {c: float(row[c]) for c in counties}, str(block.index[at])

    def last_of_year(self, county: str, segment: str, start: str) -> float | None:
        """A county's last figure from the start of the segment's year (or of the period) up to the segment month."""
        table = self.table
        if table.empty or county not in table.columns:
            return None
        first = max(f"{year_of(segment):04d}-01", start)
        column = table.loc[(table.index >= first) & (table.index <= segment), county].dropna()
        return float(column.iloc[-1]) if not column.empty else None


@dataclass(frozen=True)
class _Coverage:
    share: float
    basis: str            # complete | allocation | month:YYYY-MM | count | none
    estimate: float | None
    estimated: tuple[str, ...]


def _coverage(target: Target, counties: list[str], reported: Mapping[str, set[str]], shares: Mapping[str, float],
              actual: float | None, allocated: Mapping[tuple[str, str], float], history: _History) -> _Coverage:
    """The share of the region ``counties`` whose figures are in, and an estimate of the whole (model docstring)."""
    total, bases, extra, estimated = 0.0, [], 0.0, []
    for segment, share in shares.items():
        missing = [c for c in counties if c not in reported.get(segment, ())]
        if not missing:
            total += share
            continue
        if len(counties) == 1:
            part, basis = 0.0, "count"
        elif all((target.id, c) in allocated for c in counties) and sum(
                allocated[(target.id, c)] for c in counties) > 0:
            weights = {c: allocated[(target.id, c)] for c in counties}
            part, basis = 1 - sum(weights[c] for c in missing) / sum(weights.values()), "allocation"
        elif (found := history.weights(counties, segment)) is not None:
            weights, month = found
            part, basis = 1 - sum(weights[c] for c in missing) / sum(weights.values()), f"month:{month}"
        else:
            part, basis = 1 - len(missing) / len(counties), "count"
        total += share * part
        bases.append(basis)
        for county in missing:
            guess = history.last_of_year(county, segment, target.period.start)
            if guess is not None:
                extra += guess
                estimated.append(county)
    basis = "complete" if not bases else bases[-1]
    estimate = (actual or 0.0) + extra if estimated else None
    return _Coverage(total, basis, estimate, tuple(dict.fromkeys(estimated)))


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
                          levels, history=values)


def progress_table(
    plan: Plan,
    tree: RegionTree,
    figures: pd.DataFrame,
    as_of: str,
    thresholds: Thresholds,
    allocations: pd.DataFrame | None = None,
    scopes: Mapping[str, Iterable[str]] | None = None,
    levels: Iterable[str] = ("province", "prefecture", "county"),
    history: pd.DataFrame | None = None,
    baselines: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``compute_progress`` from the counties' figures (``county_figures``' frame) rather than from every value.

    ``history``: current county values (target, region, period, value) of the targets ``needs_history`` names, up
    to the as-of month (what it says each needs, or all of them); without it, the coverage of an incomplete region
    is weighted by the number of counties and no estimate is made. ``baselines``: the county figures (target, region, value) of each relative target whose
    baseline comes from the returns, at its baseline month (``baseline_targets``): each region's target is its own
    baseline moved by the change (``target_basis`` ``baseline``), and a region with a county missing from the
    baseline has no target yet (``baseline_missing``: 数据不全).
    """
    levels = tuple(levels)
    scopes = scopes or {}
    allocated: dict[tuple[str, str], float] = {}
    if allocations is not None and not allocations.empty:
        allocated = {(t, r): float(v) for t, r, v in allocations[ALLOCATION_COLUMNS].itertuples(index=False)}
    by_target: dict[str, tuple[dict[str, float], dict[str, set[str]]]] = {}
    if not figures.empty:
        for target_id, frame in figures.groupby("target", sort=False):
            regions, done = frame["region"].tolist(), frame["reported"].tolist()
            segments_of = frame["segment"].unique().tolist()
            reported: dict[str, set[str]] = {}
            if len(segments_of) == 1:  # one segment: a row per county, nothing to add up
                actual = dict(zip(regions, frame["actual"].tolist()))
                reported[segments_of[0]] = set(compress(regions, done))
            else:
                actual = {}
                for region, value in zip(regions, frame["actual"].tolist()):
                    actual[region] = actual.get(region, 0.0) + value
                for region, segment, reporting in zip(regions, frame["segment"].tolist(), done):
                    if reporting:
                        reported.setdefault(segment, set()).add(region)
            by_target[str(target_id)] = (actual, reported)
    histories = {str(t): frame for t, frame in history.groupby("target")} \
        if history is not None and not history.empty else {}
    base_of: dict[str, dict[str, float]] = {}
    if baselines is not None and not baselines.empty:
        for target_id, region, value in baselines[["target", "region", "value"]].itertuples(index=False):
            base_of.setdefault(str(target_id), {})[str(region)] = float(value)
    rows = _Rows(tree, levels)
    parts = []
    for target in plan.targets:
        actual, reported = by_target.get(target.id, ({}, {}))
        regions = rows.of(frozenset(scopes[target.id]) if target.id in scopes else None)
        parts.append(_target_rows(target, regions, actual, reported, as_of, thresholds, allocated,
                                  base_of.get(target.id), _History(histories.get(target.id))))
    return _table(parts)


@dataclass(frozen=True)
class _Regions:
    """The rows of a target's table for one scope, in order: the province, its prefectures, its counties."""
    codes: list[str]
    names: list[str]
    levels: list[str]
    parents: list[str | None]
    scope: set[str]                 # the counties the target applies to
    counties: list[list[str]]       # the counties in scope that each row adds up
    n_counties: np.ndarray          # len of each
    county_rows: slice              # where the county rows are (each adds up itself)


class _Rows:
    """The regions of the table for each scope, worked out once per scope (most targets share one: everywhere)."""

    def __init__(self, tree: RegionTree, levels: tuple[str, ...]):
        self.tree, self.levels = tree, levels
        counties = tree.level("county")
        self.all_counties = [r.code for r in counties]
        self.prefecture_of = {r.code: r.parent_code for r in counties}
        self.counties_of: dict[str, list[str]] = {}
        for code in self.all_counties:
            self.counties_of.setdefault(self.prefecture_of[code], []).append(code)
        self.names = {r.code: r.name for r in tree.regions}
        self._kept: dict[frozenset[str] | None, _Regions] = {}

    def of(self, scope: frozenset[str] | None) -> _Regions:
        if scope not in self._kept:
            self._kept[scope] = self._build(scope)
        return self._kept[scope]

    def _build(self, scope: frozenset[str] | None) -> _Regions:
        def within(codes: Iterable[str]) -> list[str]:
            return list(codes) if scope is None else [c for c in codes if c in scope]

        province = self.tree.province.code
        entries: list[tuple[str, str, str | None, list[str]]] = []
        scoped = within(self.all_counties)
        if "province" in self.levels:
            entries.append((province, "province", None, scoped))
        if "prefecture" in self.levels:
            for prefecture in self.tree.level("prefecture"):
                counties = within(self.counties_of.get(prefecture.code, ()))
                if counties:
                    entries.append((prefecture.code, "prefecture", province, counties))
        first = len(entries)
        if "county" in self.levels:
            entries.extend((code, "county", self.prefecture_of[code], [code]) for code in scoped)
        codes = [e[0] for e in entries]
        return _Regions(codes, [self.names[c] for c in codes], [e[1] for e in entries], [e[2] for e in entries],
                        set(self.all_counties) if scope is None else set(scope), [e[3] for e in entries],
                        np.array([len(e[3]) for e in entries], dtype="int64"), slice(first, len(entries)))


def _target_rows(target: Target, regions: _Regions, actual: Mapping[str, float], reported: Mapping[str, set[str]],
                 as_of: str, thresholds: Thresholds, allocated: Mapping[tuple[str, str], float],
                 base: Mapping[str, float] | None, history: _History) -> dict[str, object]:
    """One target's rows of the table, column by column (``ROW_COLUMNS``; floats NaN for none)."""
    n, counted = len(regions.codes), regions.county_rows
    fraction = expected_fraction(target, as_of)
    judged = effective_month(target, as_of)
    shares = segment_shares(target, judged) if judged else {}
    now = reported.get(judged, set()) if judged else set()
    actual = {c: v for c, v in actual.items() if c in regions.scope}
    province_total = _total(actual.values())
    above = regions.counties[:counted.start]     # the province and prefecture rows, each adding up counties
    county_codes = regions.codes[counted]
    values = np.array([province_total if level == "province" else _total(actual[c] for c in counties if c in actual)
                       for level, counties in zip(regions.levels, above)]
                      + [actual.get(code, np.nan) for code in county_codes], dtype="float64")
    # the target each row is judged against, and where it comes from
    if target.relative is not None and target.relative.baseline.value is None:
        goals, bases = [], []
        for counties in regions.counties:
            if base is not None and all(c in base for c in counties):
                goal = target.relative.apply(sum(base[c] for c in counties))
                goals.append(float(math.ceil(goal - 1e-9)) if target.unit in WHOLE_UNITS else goal)  # 36.3 → 37
                bases.append("baseline")
            else:
                goals.append(np.nan)
                bases.append("baseline_missing")
    else:
        mine = {region: value for (t, region), value in allocated.items() if t == target.id}
        goals = [target.value if level == "province" else mine.get(code, np.nan)
                 for code, level in zip(regions.codes, regions.levels)]
        bases = ["plan" if level == "province" else ("allocation" if code in mine else "none")
                 for code, level in zip(regions.codes, regions.levels)]
    goal = np.array([np.nan if g is None else g for g in goals], dtype="float64")
    # coverage: a region all of whose counties reported every segment is complete, with no estimate (said once per
    # target); only the others are worked out region by region (``_coverage``)
    coverage, basis = np.zeros(n), ["none"] * n
    estimate, estimated = np.full(n, np.nan), [()] * n
    if judged is not None:
        sets = [reported.get(segment, set()) for segment in shares]
        everywhere = set.intersection(*sets) if sets else None
        full = 0.0
        for share in shares.values():
            full += share
        coverage[:], basis = full, ["complete"] * n
        whole = [everywhere is None or all(c in everywhere for c in counties) for counties in above]
        whole += [everywhere is None or code in everywhere for code in county_codes]
        for i in (i for i, done in enumerate(whole) if not done):
            counties = regions.counties[i]
            cover = _coverage(target, counties, reported, shares, _none(values[i]), allocated, history)
            coverage[i], basis[i], estimated[i] = cover.share, cover.basis, cover.estimated
            if cover.estimate is not None:
                estimate[i] = cover.estimate
    expected = expected_value(target, goal, fraction)
    completion, pace, status = judge_all(values, goal, expected, coverage, target, judged, thresholds)
    status[(np.array(bases) == "baseline_missing") & (status == "no_target")] = "incomplete"  # no target yet
    if target.kind == "level" or fraction >= 1:
        projection = values.copy()
    elif fraction > 0:
        projection = values / fraction
    else:
        projection = np.full(n, np.nan)
    with np.errstate(invalid="ignore"):
        share = values / province_total if province_total else np.full(n, np.nan)
    return {
        "target": [target.id] * n, "region": regions.codes, "region_name": regions.names, "level": regions.levels,
        "parent": regions.parents, "actual": values, "target_value": goal, "expected": expected,
        "completion": completion, "pace": pace, "status": status.tolist(), "unit": [target.unit] * n,
        "comparator": [target.comparator] * n, "kind": [target.kind] * n,
        "reported": np.array([sum(1 for c in counties if c in now) for counties in above]
                             + [code in now for code in county_codes], dtype="int64"),
        "expected_reporters": regions.n_counties, "projection": projection, "share": share,
        "coverage": coverage if judged is not None else np.full(n, np.nan), "coverage_basis": basis,
        "estimate": estimate, "estimated": estimated, "target_basis": bases, "as_of": [as_of] * n,
        "month": [judged] * n, "period_start": [target.period.start] * n, "period_end": [target.period.end] * n,
    }


#: Columns of floats in the table (NaN for none) and of counts.
_FLOATS = ("actual", "target_value", "expected", "completion", "pace", "projection", "share", "coverage", "estimate")
_COUNTS = ("reported", "expected_reporters")
#: Columns of a handful of values each (per target, or a status or level): categorical, a byte a row where a string
#: column held every row's own copy (a third of a national table). The names of targets and regions stay strings:
#: views join, label and concatenate them.
_FEW = ("level", "status", "unit", "comparator", "kind", "coverage_basis", "target_basis", "as_of", "month",
        "period_start", "period_end")


def _table(parts: list[dict[str, object]]) -> pd.DataFrame:
    """The targets' rows as one frame. A float column with no figure at all holds None, as a column built from
    Python values would (pages test ``is None`` on a cell)."""
    columns: dict[str, object] = {}
    for name in ROW_COLUMNS:
        if name in _FLOATS or name in _COUNTS:
            joined = np.concatenate([p[name] for p in parts]) if parts else np.array([])
            if name in _FLOATS and (not len(joined) or np.isnan(joined).all()):
                joined = [None] * len(joined)
            elif not len(joined):
                joined = []
            columns[name] = joined
        elif name in _FEW:
            columns[name] = pd.Categorical(list(chain.from_iterable(p[name] for p in parts)))
        else:  # each list made a column before the next is made: not all 16 lists of 95,000 alive at once
            columns[name] = pd.Series(list(chain.from_iterable(p[name] for p in parts)))
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
    (the as-of month) carry the expected path only, so the chart shows the whole period ahead. Expected is the
    engine's (the band's lower edge for ``around`` targets).
    """
    if scope is not None:
        values = values[values["region"].isin(set(scope))]
    goal = target.value if target_value is None else target_value
    goal = floor_of(target, goal) if goal is not None else None
    out = []
    for month in months:
        if until is not None and month_index(month) > month_index(until):
            out.append({"period": month, "actual": None, "reported": 0,
                        "expected": goal * expected_fraction(target, month) if goal is not None else None})
            continue
        actual, reported = county_actuals(target, values, month)
        out.append({
            "period": month,
            "actual": _none(actual.sum(min_count=1)) if not actual.empty else None,
            "expected": goal * expected_fraction(target, month) if goal is not None else None,
            "reported": len(reported),
        })
    return pd.DataFrame(out, columns=["period", "actual", "expected", "reported"])


def trend(
    target: Target,
    values: pd.DataFrame,
    as_of: str,
    scope: Iterable[str] | None = None,
    recent: int = 3,
    target_value: float | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The month-by-month story of one target, and where it is heading (against ``target_value``, the plan's value
    when None).

    Returns (history, projection). history: period, actual, expected, increment (the month's own contribution:
    the change of a cumulative figure, or of a level), previous_year (the same month a year earlier, when there
    are figures for it). projection: period, projected, low, high for the months after ``as_of`` to the end of the
    period, from the run rate of the last ``recent`` months — the band spans their slowest and fastest month.
    """
    if scope is not None:
        values = values[values["region"].isin(set(scope))]
    months = target.period.months()
    history = trajectory(target, values, months, None, target_value, until=as_of)
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
