"""Plausible, reproducible demo returns, so that the dashboard can be seen before the first real upload.

Everything written here is marked ``is_demo`` and the interface says 示例数据 wherever it is shown. The figures are
invented: county weights, seasonality and the lagging prefectures come from a seeded random generator, not from any
statistics. They follow the rules real returns obey (only the months of each target's period and the counties of
its scope; levels may dip, year-to-date figures never fall; the plan's own validation rules hold, e.g. a county's
poverty-exit transfer never exceeds its rural transfer; some counties miss some months; one prefecture is late for
the newest month), so the views show every state and nothing an import would refuse.
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
#: The demo's own words in English: the notes and names it writes are fixed, so an English reader need not meet
#: them in Chinese (what real users write stays as they wrote it).
DEMO_ENGLISH = {
    DEMO_UPLOADER: "Demo data", "示例分解": "Demo allocation", "示例数据（随机生成）": "Demo data (randomly generated)",
    "已部署推进（示例）": "Work under way (demo)", "已完成（示例）": "Done (demo)",
    "进度滞后，需协调推进（示例）": "Behind; needs coordination (demo)",
}


def demo_words(text: object, lang: str) -> object:
    """``text`` in ``lang`` when it is one of the demo's own fixed texts; anything else unchanged."""
    return DEMO_ENGLISH.get(text, text) if lang == "en" and isinstance(text, str) else text
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


def _bounded_by(plan: Plan) -> dict[str, str]:
    """Targets a validation rule keeps at or below another (``left ≤ right``, one target a side): their county
    shares follow the other's, so that no county's figure can exceed the figure bounding it."""
    found = {}
    for rule in plan.validation_rules:
        left, right = rule.left.expression.strip(), rule.right.expression.strip()
        ids = {t.id for t in plan.targets}
        if rule.operator in ("less_than_or_equal_to", "less_than") and left in ids and right in ids:
            found[left] = right
    return found


def _within_rules(plan: Plan, series: dict[str, dict[tuple[str, str], float]]) -> None:
    """Clamp what the shares did not already keep within the plan's rules (the bound, less one where strict)."""
    for rule in plan.validation_rules:
        left, right = rule.left.expression.strip(), rule.right.expression.strip()
        if left in series and right in series and rule.operator in ("less_than_or_equal_to", "less_than"):
            for key, value in series[left].items():
                bound = series[right].get(key)
                if bound is not None and value > bound - (1 if rule.operator == "less_than" else 0):
                    series[left][key] = max(0, bound - (1 if rule.operator == "less_than" else 0))


def demo_shares(plan: Plan, tree: RegionTree, scopes: Mapping[str, list[str]],
                seed: int = SEED) -> dict[str, dict[str, float]]:
    """Each target's county shares, shared by the values and the allocations so that they agree; a target a rule
    bounds by another follows the other's shares (with some noise), so the rule holds county by county."""
    counties = [r.code for r in tree.level("county")]
    bounded = _bounded_by(plan)
    shares: dict[str, dict[str, float]] = {}
    for target in sorted(plan.targets, key=lambda x: x.id in bounded):   # the bounds first, then the bounded
        in_scope = list(scopes.get(target.id, counties))
        if target.id in bounded and bounded[target.id] in shares:
            bound, rng = shares[bounded[target.id]], random.Random(f"{seed}-{target.id}-bounded")
            noisy = {c: bound.get(c, 0.0) * rng.uniform(0.7, 1.3) for c in in_scope}
            total = sum(noisy.values()) or 1.0
            shares[target.id] = {c: w / total for c, w in noisy.items()}
        else:
            shares[target.id] = _weights(target.id, in_scope, seed)
    return shares


def generate_values(plan: Plan, tree: RegionTree, scopes: Mapping[str, list[str]],
                    seed: int = SEED) -> dict[tuple[str, str], list[NewValue]]:
    """Demo county values grouped by (prefecture, month), each group one demo submission."""
    rng = random.Random(seed)
    counties = [r.code for r in tree.level("county")]
    prefectures = [r.code for r in tree.level("prefecture")]
    all_months = months_between(DEMO_START, DEMO_END)
    pace_of = {p: rng.uniform(0.8, 1.15) for p in prefectures}  # some prefectures lag on flows
    lagging = rng.sample(prefectures, 3)
    for p in lagging:
        pace_of[p] = rng.uniform(0.55, 0.7)
    late_prefecture = tree.level("prefecture")[-2].code  # 甘孜州: several counties late for the newest month
    silent = random.Random(seed + 4)  # a county that misses a month misses all of its figures for that month
    missed = {(c, m) for m in all_months for c in counties
              if silent.random() < (0.04 if m >= _RECENT else 0.006)}
    groups: dict[tuple[str, str], list[NewValue]] = {}
    shares = demo_shares(plan, tree, scopes, seed)
    by_target: dict[str, dict[tuple[str, str], float]] = {}

    for target in plan.targets:
        in_scope = scopes.get(target.id, counties)
        months = [m for m in all_months if target.period.start <= m <= target.period.end]
        weights = shares[target.id]
        if target.kind == "level":
            totals = _level_series(target, months, rng)
            series = {(c, m): round(totals[m] * weights[c] * rng.uniform(0.99, 1.01)) for c in in_scope
                      for m in months}
        else:
            yearly = target.value * _FLOW_FACTOR.get(target.id, 1.0)
            series = {}
            for c in in_scope:
                share = weights[c] * pace_of[tree.prefecture_of(c)]
                for year in sorted({year_of(m) for m in months}):
                    ytd = 0
                    for m, cumulative in enumerate(_SEASON, start=1):
                        wanted = yearly * share * cumulative * rng.uniform(0.95, 1.05)
                        ytd = max(ytd, round(wanted))  # year-to-date never falls
                        if f"{year}-{m:02d}" in months:
                            series[(c, f"{year}-{m:02d}")] = ytd
        by_target[target.id] = series
    _within_rules(plan, by_target)
    for target in plan.targets:
        for (county, month), value in by_target[target.id].items():
            prefecture = tree.prefecture_of(county)
            if rng.random() < 0.001 or (county, month) in missed:
                continue  # a figure left blank, or a county that missed this month's return
            if month == DEMO_END and prefecture == late_prefecture and int(county) % 3 == 0:
                continue
            groups.setdefault((prefecture, month), []).append(NewValue(target.id, county, month, float(value)))
    return groups


def _allocations(plan: Plan, tree: RegionTree, scopes: Mapping[str, list[str]], seed: int) -> list[dict]:
    rng = random.Random(seed + 1)
    shares = demo_shares(plan, tree, scopes, seed)
    rows = []
    for target in plan.targets:
        if target.id not in _ALLOCATED:
            continue
        in_scope = set(scopes.get(target.id, [r.code for r in tree.level("county")]))
        prefectures = [p for p in tree.level("prefecture")
                       if any(c.code in in_scope for c in tree.children(p.code))]
        weights = shares[target.id]
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
