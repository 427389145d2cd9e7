"""Everything the views show for one plan at one as-of month, read once and computed once.

The CLI and every page go through ``load_snapshot`` so that a figure on the screen, in the JSON and in an export is
the same figure.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from loaders.plans import get_plan
from tracker import store
from tracker.model.plan import Plan
from tracker.model.regions import RegionTree
from tracker.model.status import ProgressConfig, load_config
from tracker.progress.cache import Budgeted, KeyLocks, cache_budget, frame_bytes
from tracker.progress.engine import baseline_targets, needs_history, progress_table, trend


@dataclass(frozen=True)
class ValueSource:
    """Where a snapshot's county values are read from when a view asks for them: the database URL, the plan and the
    data version the snapshot was computed at. Plain strings: a key of the caches of values and trends."""

    url: str
    plan_id: str
    version: str

    def read(self, target_id: str | None = None, months: tuple[str, str] | None = None) -> pd.DataFrame:
        return _values(self.url, self.plan_id, self.version, target_id, months)


#: County values read for views, kept per data version within half the snapshots' budget (one target's values are
#: 10 MB at national scale: sixteen of them by count alone were 160 MB).
_VALUES: Budgeted[pd.DataFrame] = Budgeted(cache_budget() // 2, 16, frame_bytes)


def _values(url: str, plan_id: str, version: str, target_id: str | None,
            months: tuple[str, str] | None) -> pd.DataFrame:
    """Current values, kept per data version: a rerun of the same view reads nothing again. The frame is shared
    between callers, who only ever filter it."""
    from tracker.store.db import get_engine

    def read() -> pd.DataFrame:
        first, last = months or (None, None)
        return store.current_values(get_engine(url), plan_id, targets=None if target_id is None else [target_id],
                                    period_from=first, period_to=last)

    return _VALUES.get((url, plan_id, version, target_id, months), read)


_TRENDS: Budgeted[tuple[pd.DataFrame, pd.DataFrame]] = Budgeted(cache_budget() // 8, 128,
                                                                lambda pair: frame_bytes(*pair))


def _trend(source: ValueSource, target, as_of: str, scope: list[str] | None, target_value: float | None,
           values) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``engine.trend``, kept per data version (``source``) and everything else it depends on (the target compared
    by value, so a revised or reloaded plan is a new key): the target page drew it afresh on every rerun, walking
    every month of the period over the county values (a third of the page's time). The frames are shared between
    callers, who only read them."""
    key = (source, target, as_of, tuple(scope) if scope is not None else None, target_value)
    return _TRENDS.get(key, lambda: trend(target, values(), as_of, scope, target_value=target_value))


@dataclass(frozen=True)
class Snapshot:
    """The progress table is computed from the counties' actuals summed in the database; the values themselves
    are read only when a view needs them (``target_values``, ``month_values``), so that a national database of
    millions of figures never has to be held in memory to draw the overview."""

    plan: Plan
    tree: RegionTree
    as_of: str
    source: ValueSource = field(repr=False)
    allocations: pd.DataFrame
    progress: pd.DataFrame
    milestones: pd.DataFrame
    scopes: dict[str, list[str]]
    demo: bool
    months: list[str]
    config: ProgressConfig
    #: Views built from this snapshot alone (a page's figure, a prepared table), kept with it: the app shares one
    #: snapshot per plan, month and data version, so what is kept here is rebuilt exactly when the data changes.
    _kept: dict = field(default_factory=dict, repr=False, compare=False)
    _building: KeyLocks = field(default_factory=KeyLocks, repr=False, compare=False)

    def kept(self, key: tuple, build):
        """``build()`` once per snapshot and ``key``; what it returns is shared by every reader and never written
        to. Sessions asking at once for a key wait for the one that builds it (two national closing accounts
        built at once were two of its ~60 MB peaks); other keys are built meanwhile."""
        try:
            return self._kept[key]
        except KeyError:
            pass
        with self._building.hold(key):
            if key not in self._kept:  # else built by the one we waited for
                self._kept[key] = build()
        return self._kept[key]

    @property
    def nbytes(self) -> int:
        """What its frames hold: its weight in the app's budget of snapshots (tracker/progress/cache.py)."""
        return frame_bytes(self.allocations, self.progress, self.milestones)

    def target_values(self, target_id: str) -> pd.DataFrame:
        """One target's current county values."""
        return self.source.read(target_id)

    def month_values(self, first: str, last: str) -> pd.DataFrame:
        """Every target's current county values of months ``first``..``last``."""
        return self.source.read(months=(first, last))

    @cached_property
    def _levels(self) -> dict[str, pd.DataFrame]:
        """The progress table's rows of each level, and the province's by target: split once per snapshot (the app
        shares one snapshot between reruns and sessions; a page asked for them several times a run). The frames are
        shared: views filter them and never write to them. Slices of the one table where its levels lie in runs, as
        ``build_snapshot`` orders them: copies of every level were a second table (31 MB a national month, not
        counted in the snapshots' budget)."""
        codes, names = pd.factorize(self.progress["level"])
        starts = np.flatnonzero(np.diff(codes)) + 1
        if len(starts) == len(names) - 1:  # each level one run of rows (``build_snapshot``): views, not copies
            ends = [*starts, len(codes)]
            levels = {names[codes[a]]: self.progress.iloc[a:b] for a, b in zip([0, *starts], ends)}
        else:
            levels = {level: self.progress[codes == i] for i, level in enumerate(names)}
        levels[":province"] = self._rows_in(levels, "province").set_index("target")
        return levels

    def _rows_in(self, levels: dict[str, pd.DataFrame], level: str) -> pd.DataFrame:
        found = levels.get(level)
        return found if found is not None else self.progress[self.progress["level"] == level]

    def rows(self, level: str) -> pd.DataFrame:
        return self._rows_in(self._levels, level)

    def province(self) -> pd.DataFrame:
        return self._levels[":province"]

    def original_trajectory(self, target_id: str) -> pd.DataFrame | None:
        """A revised target's expected path as the plan first set it (None when it was never revised): drawn
        beside the revised one."""
        target = self.plan.target(target_id)
        if target.revision is None:
            return None
        return _trend(self.source, target.original, self.as_of, self.scopes.get(target_id), None,
                      lambda: self.target_values(target_id))[0]

    def trend(self, target_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        target = self.plan.target(target_id)
        goal = self.province().loc[target_id, "target_value"]
        return _trend(self.source, target, self.as_of, self.scopes.get(target_id),
                      None if pd.isna(goal) else float(goal), lambda: self.target_values(target_id))


def by_level(progress: pd.DataFrame) -> pd.DataFrame:
    """The progress table with each level's rows together, in the order the levels first appear and each level's
    rows in their own order: ``Snapshot.rows`` then slices the one table instead of copying it level by level."""
    codes, _ = pd.factorize(progress["level"])
    if (np.diff(codes) >= 0).all():
        return progress
    return progress.take(np.argsort(codes, kind="stable")).reset_index(drop=True)


def baselines(engine: Engine, plan: Plan) -> pd.DataFrame | None:
    """The county figures of each relative target's baseline month (``engine.baseline_targets``): from the plan's
    own returns, else from the plan it follows, for the target there that measures the same indicator."""
    wanted = baseline_targets(plan)
    if not wanted:
        return None
    parts = []
    earlier = _followed(plan)
    for target in wanted:
        month = target.relative.baseline.period
        found = store.current_values(engine, plan.id, targets=[target.id], period_from=month, period_to=month)
        if found.empty and earlier is not None:
            same = next((t for t in earlier.targets if t.indicator_id == target.indicator_id), None)
            if same is not None:
                found = store.current_values(engine, earlier.id, targets=[same.id], period_from=month,
                                             period_to=month)
        parts.append(found.assign(target=target.id)[["target", "region", "value"]])
    return pd.concat(parts, ignore_index=True)


def _followed(plan: Plan) -> Plan | None:
    from loaders.plans import load_plans

    return load_plans().get(plan.follows) if plan.follows else None


def load_snapshot(engine: Engine, plan_id: str, as_of: str) -> Snapshot:
    from loaders.regions import load_divisions, resolve_scopes

    plan = get_plan(plan_id)
    tree = load_divisions()
    config = load_config()
    scopes = resolve_scopes(plan)
    return build_snapshot(engine, plan, tree, scopes, as_of, config)


def build_snapshot(engine: Engine, plan: Plan, tree: RegionTree, scopes: dict[str, list[str]], as_of: str,
                   config: ProgressConfig) -> Snapshot:
    """``load_snapshot`` for a plan and divisions given rather than read from the project's files. The plan's
    targets are taken as in force in ``as_of`` (their revisions applied, ``Plan.in_force``)."""
    plan = plan.in_force(as_of)
    version = store.data_version(engine)
    figures = store.county_figures(engine, plan, as_of)
    allocations = store.current_allocations(engine, plan.id)
    # Coverage of an incomplete region is weighted by the counties' history; complete months read nothing more.
    wanted = needs_history(plan, tree, figures, as_of, scopes)
    history = store.history_values(engine, plan.id, wanted, as_of) if wanted else None
    progress = progress_table(plan, tree, figures, as_of, config.thresholds, allocations, scopes, history=history,
                              baselines=baselines(engine, plan))
    del figures, history
    progress = by_level(progress)
    plan_id = plan.id
    statuses = store.milestone_statuses(engine, plan_id, as_of)
    milestones = pd.DataFrame([
        {"milestone": m.id, "task": m.task, "name": m.name.zh, "departments": list(m.departments.all())}
        for m in plan.milestones
    ], columns=["milestone", "task", "name", "departments"])
    milestones = milestones.merge(statuses, on="milestone", how="left")
    milestones["status"] = milestones["status"].fillna("not_started")
    source = ValueSource(engine.url.render_as_string(hide_password=False), plan_id, version)
    return Snapshot(plan=plan, tree=tree, as_of=as_of, source=source, allocations=allocations, progress=progress,
                    milestones=milestones, scopes=scopes, demo=store.shows_demo(engine, plan_id),
                    months=store.reported_months(engine, plan_id), config=config)
