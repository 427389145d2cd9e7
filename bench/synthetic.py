"""Reproducible synthetic data at the two scales the benchmarks measure, and loading it into a database.

- Sichuan: the real plan and divisions (183 counties, every target) with the demo generator's 36 months of returns.
- National: a synthetic plan of 30 targets over five years and synthetic divisions of 2,850 counties in 330
  prefectures in 31 provinces, 60 months of returns: about 5 million values.

Everything comes from seeded generators, so two runs produce the same rows. The engine has three levels (its root,
prefectures, counties), so the national tree is rooted at the nation; the 31 provinces are in the prefecture codes
(the first two digits) and in the prefectures' names, not yet a level of their own.
"""
from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import pandas as pd
from sqlalchemy import Engine, insert, text

from loaders.plans import load_departments
from tracker.model.periods import months_between
from tracker.model.plan import Plan
from tracker.model.regions import Region, RegionTree
from tracker.store import current
from tracker.store.models import ReportedValue, Submission

SEED = 20240601
NATIONAL_PLAN_ID = "national-synthetic"
NATIONAL_START, NATIONAL_END = "2021-01", "2025-12"

#: The national plan's mix of targets: (kind, reporting, period) and how many of each (30 in all), like the Sichuan
#: plan's: levels judged at the month, annual year-to-date flows, monthly flows summed, five-year cumulative ones.
NATIONAL_MIX = (
    ("level", "month_end", (NATIONAL_START, NATIONAL_END), 10),
    ("flow", "ytd", ("2025-01", "2025-12"), 8),
    ("flow", "monthly", ("2025-01", "2025-12"), 4),
    ("cumulative", "ytd", (NATIONAL_START, NATIONAL_END), 4),
    ("cumulative", "monthly", (NATIONAL_START, NATIONAL_END), 4),
)


@dataclass(frozen=True)
class Scale:
    name: str
    plan: Plan
    tree: RegionTree
    scopes: dict[str, list[str]]
    months: list[str]


def national_tree(counties: int = 2850, prefectures: int = 330, provinces: int = 31, seed: int = SEED) -> RegionTree:
    """Synthetic divisions: the nation, ``prefectures`` prefectures spread over ``provinces`` provinces (coded in
    their first two digits) and ``counties`` counties spread over the prefectures, every one with at least one."""
    rng = random.Random(seed)
    per_province = _spread(prefectures, provinces, rng)
    regions = [Region("000000", "合成全国", "全国", "province", None)]
    prefecture_codes = []
    for p, n in enumerate(per_province):
        for q in range(1, n + 1):
            code = f"{11 + p:02d}{q:02d}00"
            prefecture_codes.append(code)
            regions.append(Region(code, f"合成{p + 1}省第{q}市", f"{p + 1}省{q}市", "prefecture", "000000"))
    per_prefecture = _spread(counties, len(prefecture_codes), rng)
    for code, n in zip(prefecture_codes, per_prefecture):
        for c in range(1, n + 1):
            county = f"{code[:4]}{c:02d}"
            regions.append(Region(county, f"合成{county}县", f"{county}县", "county", code))
    return RegionTree(tuple(regions))


def _spread(total: int, bins: int, rng: random.Random) -> list[int]:
    """``total`` items in ``bins`` bins, at least one each, uneven like real divisions, at most 99 a bin."""
    weights = [rng.lognormvariate(0, 0.5) for _ in range(bins)]
    scale = (total - bins) / sum(weights)
    counts = [1 + int(w * scale) for w in weights]
    i = 0
    while sum(counts) < total:
        if counts[i % bins] < 99:
            counts[i % bins] += 1
        i += 1
    return counts


def national_plan(seed: int = SEED) -> Plan:
    """A synthetic plan of 30 targets (``NATIONAL_MIX``) in six tasks, with 24 milestones."""
    rng = random.Random(seed + 1)
    departments = ["hrss", "ndrc", "education", "housing", "agriculture", "public_security"]  # the registry's ids
    tasks = [{"id": f"task_{i}", "number": i, "title": {"zh": f"合成任务{i}", "en": f"Synthetic task {i}"},
              "departments": {"responsible": [departments[i - 1]]},
              "citation": {"section": f"（{i}）", "sentence": f"合成任务{i}的原文句子。"}} for i in range(1, 7)]
    targets = []
    number = 0
    for kind, reporting, (start, end), count in NATIONAL_MIX:
        months = {"month_end": "latest", "ytd": "sum_of_years" if kind == "cumulative" else "latest",
                  "monthly": "sum"}[reporting]
        for _ in range(count):
            number += 1
            targets.append({
                "id": f"target_{number:02d}", "name": {"zh": f"合成目标{number}", "en": f"Synthetic target {number}"},
                "task": f"task_{1 + number % 6}", "departments": {"responsible": [departments[number % 6]]},
                "unit": "人", "value": float(rng.randrange(100_000, 5_000_000, 1000)), "comparator": "at_least",
                "kind": kind, "period": {"start": start, "end": end}, "reporting": reporting,
                "aggregation": {"months": months},
                "citation": {"section": "合成", "sentence": f"合成目标{number}的原文句子。"},
            })
    milestones = [{"id": f"measure_{i:02d}", "name": {"zh": f"合成工作{i}", "en": f"Synthetic measure {i}"},
                   "task": f"task_{1 + i % 6}", "departments": {"responsible": [departments[i % 6]]},
                   "citation": {"section": "合成", "sentence": f"合成工作{i}的原文句子。"}} for i in range(1, 25)]
    # checked against the department registry as loaders.plans checks a plan file: pages look departments up there
    return Plan.model_validate({
        "id": NATIONAL_PLAN_ID, "title": {"zh": "合成全国方案", "en": "Synthetic national plan"},
        "source": {"document": "合成", "text": "none.txt"}, "tasks": tasks, "targets": targets,
        "milestones": milestones,
    }, context={"departments": set(load_departments().by_id())})


def national_values(plan: Plan, tree: RegionTree, months: list[str], seed: int = SEED,
                    missing: float = 0.005) -> pd.DataFrame:
    """Every target × county × month, as columns target, region, period, value (about 5 million rows at full size).

    Levels wander around each county's share of the target; year-to-date figures never fall within a year; monthly
    flows are the increments. A county misses a month's return (every figure of it) with probability ``missing``.
    """
    rng = np.random.default_rng(seed)
    counties = np.array([r.code for r in tree.level("county")])
    n_c, n_m = len(counties), len(months)
    month_of_year = np.array([int(m[5:]) for m in months])
    shares = rng.lognormal(0.0, 0.6, size=n_c)
    shares /= shares.sum()
    present = rng.random((n_c, n_m)) >= missing
    frames = []
    for target in plan.targets:
        base = target.value * shares[:, None]
        if target.kind == "level":
            values = base * rng.uniform(0.97, 1.05, size=(n_c, n_m))
        else:
            yearly = base / (5 if target.reporting == "monthly" and target.kind == "cumulative" else 1)
            monthly = yearly / 12 * rng.uniform(0.6, 1.4, size=(n_c, n_m))
            if target.reporting == "ytd":
                values = np.empty_like(monthly)
                for i in range(n_m):  # year-to-date: restart every January
                    values[:, i] = monthly[:, i] + (values[:, i - 1] if i and month_of_year[i] != 1 else 0)
            else:
                values = monthly
        rows, cols = np.nonzero(present)
        frames.append(pd.DataFrame({"target": target.id, "region": counties[rows],
                                    "period": np.array(months)[cols], "value": np.round(values[rows, cols])}))
    return pd.concat(frames, ignore_index=True)


def national(counties: int = 2850, prefectures: int = 330, first_month: str = NATIONAL_START,
             seed: int = SEED) -> Scale:
    """The national scale; fewer counties and months for the smoke run."""
    return Scale("national", national_plan(seed), national_tree(counties, prefectures, seed=seed), {},
                 months_between(first_month, NATIONAL_END))


def sichuan() -> Scale:
    from loaders.plans import load_plans
    from loaders.regions import load_divisions, resolve_scopes
    from tracker.store.demo import DEMO_END, DEMO_START

    plan = load_plans()["sichuan-2023-citizenization"]
    return Scale("sichuan", plan, load_divisions(), resolve_scopes(plan), months_between(DEMO_START, DEMO_END))


def load_sichuan(engine: Engine, scale: Scale) -> int:
    """The demo generator's returns (183 counties × every target × 36 months): the data `make run` shows."""
    from tracker.store import sync_reference
    from tracker.store.db import migrate
    from tracker.store.demo import load_demo

    migrate(engine)
    sync_reference(engine, {scale.plan.id: scale.plan}, scale.tree)
    return load_demo(engine, scale.plan, scale.tree, scale.scopes)


def load_values(engine: Engine, scale: Scale, values: pd.DataFrame) -> int:
    """Bulk-load ``values`` as one accepted return per (prefecture, month), as prefectures report.

    The reported_values indexes are dropped during the load and built afterwards, and PostgreSQL takes the rows by
    COPY with foreign-key triggers off; the loading time is not what is measured.
    """
    from tracker.store import sync_reference
    from tracker.store.db import migrate

    migrate(engine)
    sync_reference(engine, {scale.plan.id: scale.plan}, scale.tree)
    prefecture_of = {r.code: r.parent_code for r in scale.tree.level("county")}
    values = values.assign(prefecture=values["region"].map(prefecture_of))
    keys = values[["prefecture", "period"]].drop_duplicates().sort_values(["period", "prefecture"])
    with engine.begin() as conn:
        first = int(conn.scalar(text("select coalesce(max(id), 0) from submissions"))) + 1
    keys = keys.assign(submission_id=range(first, first + len(keys)))
    values = values.merge(keys, on=["prefecture", "period"])
    arrived = datetime(2026, 1, 5, tzinfo=timezone.utc)
    submissions = [{"id": int(i), "plan_id": scale.plan.id, "period": p, "prefecture_code": f, "uploader": "bench",
                    "status": "accepted", "is_demo": False, "n_values": 0, "created_at": arrived}
                   for f, p, i in keys.itertuples(index=False)]
    indexes = list(ReportedValue.__table__.indexes)
    with engine.begin() as conn:
        conn.execute(insert(Submission.__table__), submissions)
        for index in indexes:
            index.drop(conn)
    rows = values[["submission_id", "target", "region", "period", "value"]]
    if engine.dialect.name == "postgresql":
        _copy_postgresql(engine, scale.plan.id, rows)
    else:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.executemany(
                "insert into reported_values (submission_id, plan_id, target_id, region_code, period, value) "
                "values (?, ?, ?, ?, ?, ?)",
                ((int(s), scale.plan.id, t, r, p, float(v)) for s, t, r, p, v in rows.itertuples(index=False)))
            raw.commit()
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            raw.close()
    with engine.begin() as conn:
        for index in indexes:
            index.create(conn)
        current.rebuild(conn, scale.plan.id)  # what the imports would have kept in step
    if engine.dialect.name == "postgresql":  # what autovacuum would have done by the time anyone looks
        with engine.begin() as conn:
            conn.execute(text("select setval(pg_get_serial_sequence('submissions', 'id'), max(id)) from submissions"))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("vacuum analyze reported_values"))
            conn.execute(text("vacuum analyze submissions"))
            conn.execute(text("vacuum analyze current_figures"))
            conn.execute(text("vacuum analyze current_year_totals"))
            # the load's dirty pages written out now, not by a checkpoint in the middle of the timed runs
            conn.execute(text("checkpoint"))
    else:
        with engine.begin() as conn:
            conn.execute(text("analyze"))
    return len(rows)


def _copy_postgresql(engine: Engine, plan_id: str, rows: pd.DataFrame, chunk: int = 500_000) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("set session_replication_role = replica")  # no per-row foreign-key triggers
        with cursor.copy("copy reported_values (submission_id, plan_id, target_id, region_code, period, value) "
                         "from stdin") as copy:
            for start in range(0, len(rows), chunk):
                part = rows.iloc[start:start + chunk]
                buffer = io.StringIO()
                part.assign(plan=plan_id)[["submission_id", "plan", "target", "region", "period", "value"]] \
                    .to_csv(buffer, sep="\t", header=False, index=False)
                copy.write(buffer.getvalue())
        cursor.execute("set session_replication_role = default")
        raw.commit()
    finally:
        raw.close()
