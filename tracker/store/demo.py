"""Plausible, reproducible demo returns, so that the dashboard can be seen before the first real upload.

Everything written here is marked ``is_demo`` and the interface says 示例数据 wherever it is shown. The figures are
invented: county weights, seasonality and the lagging prefectures come from a seeded random generator, not from any
statistics. They follow the rules real returns obey (levels may dip, year-to-date figures never fall; some counties
miss some months; one prefecture is late for the newest month), so the views show every state.
"""
from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime, timezone

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from tracker.model.periods import add_months, months_between, year_of
from tracker.model.plan import Plan, Target
from tracker.model.regions import RegionTree
from tracker.store import NewValue, record_submission, submission_count
from tracker.store.models import Allocation, MilestoneUpdate

DEMO_UPLOADER = "示例数据"
DEMO_START, DEMO_END = "2023-01", "2025-12"
_RECENT = "2025-11"  # returns for the newest months are still arriving
SEED = 20230717

#: How far each year's demo flow lands from the target (1.0 = exactly on target): some ahead, one behind.
_FLOW_FACTOR = {
    "return_entrepreneurship_training": 1.06,
    "rural_wealth_leaders": 1.12,
    "labor_brand_training": 0.88,
    "rural_craftsman_training": 0.97,
    "key_area_skill_training": 0.36,  # a third of the three-year target each year, slightly above
}
#: Targets the demo hands down to prefectures; the others stay provincial, to show unallocated prefectures.
_ALLOCATED = ("rural_labor_transfer", "poverty_labor_transfer", "return_entrepreneurship_training",
              "labor_brand_training", "key_area_skill_training")
#: Share of a year's training done by the end of each month (training starts slowly after the Spring Festival).
_SEASON = (0.03, 0.07, 0.15, 0.24, 0.34, 0.45, 0.55, 0.64, 0.74, 0.84, 0.93, 1.0)


def _weights(target_id: str, codes: list[str], seed: int) -> dict[str, float]:
    """Each county's demo share of a target; shared by the values and the allocations so that they agree."""
    rng = random.Random(f"{seed}-{target_id}")
    raw = {code: rng.lognormvariate(0, 0.6) for code in codes}
    total = sum(raw.values())
    return {code: value / total for code, value in raw.items()}


def _level_series(target: Target, months: list[str], rng: random.Random) -> dict[str, float]:
    """Province level per month: around the target, dipping in the Spring Festival months."""
    out = {}
    for month in months:
        m = int(month[5:])
        season = 0.985 if m in (1, 2) else 1.0 + 0.006 * min(m, 8) / 8
        drift = 1.0 + 0.004 * (year_of(month) - 2023)
        base = target.value * (1.003 if target.comparator == "around" else 1.015)
        if target.id == "poverty_labor_transfer":
            base = target.value * (0.975 + 0.035 * m / 12)
        out[month] = base * season * drift * rng.uniform(0.997, 1.003)
    return out


def generate_values(plan: Plan, tree: RegionTree, scopes: Mapping[str, list[str]],
                    seed: int = SEED) -> dict[tuple[str, str], list[NewValue]]:
    """Demo county values grouped by (prefecture, month), each group one demo submission."""
    rng = random.Random(seed)
    counties = [r.code for r in tree.level("county")]
    prefectures = [r.code for r in tree.level("prefecture")]
    months = months_between(DEMO_START, DEMO_END)
    pace_of = {p: rng.uniform(0.8, 1.15) for p in prefectures}  # some prefectures lag on flows
    lagging = rng.sample(prefectures, 3)
    for p in lagging:
        pace_of[p] = rng.uniform(0.55, 0.7)
    late_prefecture = tree.level("prefecture")[-2].code  # 甘孜州: several counties late for the newest month
    silent = random.Random(seed + 4)  # a county that misses a month misses all of its figures for that month
    missed = {(c, m) for m in months for c in counties
              if silent.random() < (0.04 if m >= _RECENT else 0.006)}
    groups: dict[tuple[str, str], list[NewValue]] = {}

    for target in plan.targets:
        in_scope = scopes.get(target.id, counties)
        weights = _weights(target.id, list(in_scope), seed)
        if target.kind == "level":
            totals = _level_series(target, months, rng)
            series = {(c, m): round(totals[m] * weights[c] * rng.uniform(0.99, 1.01)) for c in in_scope
                      for m in months}
        else:
            yearly = target.value * _FLOW_FACTOR.get(target.id, 1.0)
            series = {}
            for c in in_scope:
                share = weights[c] * pace_of[tree.prefecture_of(c)]
                for year in range(year_of(DEMO_START), year_of(DEMO_END) + 1):
                    ytd = 0
                    for m, cumulative in enumerate(_SEASON, start=1):
                        wanted = yearly * share * cumulative * rng.uniform(0.95, 1.05)
                        ytd = max(ytd, round(wanted))  # year-to-date never falls
                        series[(c, f"{year}-{m:02d}")] = ytd
        for (county, month), value in series.items():
            prefecture = tree.prefecture_of(county)
            if rng.random() < 0.001 or (county, month) in missed:
                continue  # a figure left blank, or a county that missed this month's return
            if month == DEMO_END and prefecture == late_prefecture and int(county) % 3 == 0:
                continue
            groups.setdefault((prefecture, month), []).append(NewValue(target.id, county, month, float(value)))
    return groups


def _allocations(plan: Plan, tree: RegionTree, scopes: Mapping[str, list[str]], seed: int) -> list[dict]:
    rng = random.Random(seed + 1)
    rows = []
    for target in plan.targets:
        if target.id not in _ALLOCATED:
            continue
        in_scope = set(scopes.get(target.id, [r.code for r in tree.level("county")]))
        prefectures = [p for p in tree.level("prefecture")
                       if any(c.code in in_scope for c in tree.children(p.code))]
        weights = _weights(target.id, list(scopes.get(target.id, [r.code for r in tree.level("county")])), seed)
        raw = {p.code: sum(weights.get(c.code, 0.0) for c in tree.children(p.code)) * rng.uniform(0.92, 1.1)
               for p in prefectures}
        total = sum(raw.values())
        step = 100 if target.value >= 100_000 else 10
        for code, weight in raw.items():
            rows.append({"plan_id": plan.id, "target_id": target.id, "region_code": code,
                         "value": max(step, round(target.value * weight / total / step) * step),
                         "uploader": DEMO_UPLOADER, "source": "示例分解", "is_demo": True})
    return rows


def _milestone_updates(plan: Plan, seed: int) -> list[dict]:
    rng = random.Random(seed + 2)
    rows = []
    for milestone in plan.milestones:
        started = f"2023-{rng.randint(7, 10):02d}"
        rows.append({"plan_id": plan.id, "milestone_id": milestone.id, "status": "in_progress", "as_of": started,
                     "note": "已部署推进（示例）", "updated_by": DEMO_UPLOADER, "is_demo": True})
        fate = rng.random()
        if fate < 0.55:
            rows.append({"plan_id": plan.id, "milestone_id": milestone.id, "status": "done",
                         "as_of": f"{rng.choice([2023, 2024, 2024, 2025])}-{rng.randint(1, 12):02d}",
                         "note": "已完成（示例）", "updated_by": DEMO_UPLOADER, "is_demo": True})
        elif fate < 0.7:
            rows.append({"plan_id": plan.id, "milestone_id": milestone.id, "status": "delayed",
                         "as_of": f"2024-{rng.randint(1, 12):02d}",
                         "note": "进度滞后，需协调推进（示例）", "updated_by": DEMO_UPLOADER, "is_demo": True})
    rows.sort(key=lambda r: r["as_of"])  # ids follow time, so the newest update is the current status
    return rows


def load_demo(engine: Engine, plan: Plan, tree: RegionTree, scopes: Mapping[str, list[str]],
              seed: int = SEED) -> int:
    """Write demo submissions, allocations and milestone updates for ``plan`` in one transaction."""
    groups = generate_values(plan, tree, scopes, seed)
    arrival = random.Random(seed + 3)
    with Session(engine) as session, session.begin():
        for (prefecture, month), values in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            # Returns arrive in the first days of the following month; about one in eight after the 10th.
            following = add_months(month, 1)
            day = arrival.randint(2, 9) if arrival.random() < 0.88 else arrival.randint(11, 20)
            arrived = datetime(int(following[:4]), int(following[5:]), day, arrival.randint(8, 17),
                               arrival.randint(0, 59), tzinfo=timezone.utc)
            record_submission(session, plan_id=plan.id, period=month, prefecture_code=prefecture,
                              uploader=DEMO_UPLOADER, values=values, is_demo=True, note="示例数据（随机生成）",
                              created_at=arrived)
        allocations = _allocations(plan, tree, scopes, seed)
        if allocations:
            session.execute(insert(Allocation), allocations)
        updates = _milestone_updates(plan, seed)
        if updates:
            session.execute(insert(MilestoneUpdate), updates)
    return sum(len(v) for v in groups.values())


def demo_needed(engine: Engine, plan_id: str) -> bool:
    return submission_count(engine, plan_id) == 0
