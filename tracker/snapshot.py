"""Everything the views show for one plan at one as-of month, read once and computed once.

The CLI and every page go through ``load_snapshot`` so that a figure on the screen, in the JSON and in an export is
the same figure.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from .plan import Plan
from .progress import compute_progress, trend
from .regions import RegionTree
from .status import ProgressConfig, load_config
from . import store


class UnknownPlan(LookupError):
    pass


@dataclass(frozen=True)
class Snapshot:
    plan: Plan
    tree: RegionTree
    as_of: str
    values: pd.DataFrame
    allocations: pd.DataFrame
    progress: pd.DataFrame
    milestones: pd.DataFrame
    scopes: dict[str, list[str]]
    demo: bool
    months: list[str]
    config: ProgressConfig

    def rows(self, level: str) -> pd.DataFrame:
        return self.progress[self.progress["level"] == level]

    def province(self) -> pd.DataFrame:
        return self.rows("province").set_index("target")

    def trend(self, target_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        target = self.plan.target(target_id)
        return trend(target, self.values[self.values["target"] == target_id], self.as_of,
                     self.scopes.get(target_id))


def get_plan(plan_id: str) -> Plan:
    from loaders.plans import load_plans

    plans = load_plans()
    if plan_id not in plans:
        raise UnknownPlan(f"未知方案 {plan_id!r}，可用：{', '.join(sorted(plans))}")
    return plans[plan_id]


def load_snapshot(engine: Engine, plan_id: str, as_of: str) -> Snapshot:
    from loaders.regions import load_divisions, resolve_scopes

    plan = get_plan(plan_id)
    tree = load_divisions()
    config = load_config()
    scopes = resolve_scopes(plan)
    values = store.current_values(engine, plan_id)
    allocations = store.current_allocations(engine, plan_id)
    progress = compute_progress(plan, tree, values, as_of, config.thresholds, allocations, scopes)
    statuses = store.milestone_statuses(engine, plan_id, as_of)
    milestones = pd.DataFrame([
        {"milestone": m.id, "task": m.task, "name": m.name.zh, "lead": m.departments.lead,
         "departments": list(m.departments.all())}
        for m in plan.milestones
    ], columns=["milestone", "task", "name", "lead", "departments"])
    milestones = milestones.merge(statuses, on="milestone", how="left")
    milestones["status"] = milestones["status"].fillna("not_started")
    return Snapshot(plan=plan, tree=tree, as_of=as_of, values=values, allocations=allocations, progress=progress,
                    milestones=milestones, scopes=scopes, demo=store.shows_demo(engine, plan_id),
                    months=store.reported_months(engine, plan_id), config=config)
