"""Allocations (分解下达): read through the same loader, refused when wrong, superseding with history kept."""
from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import sqlalchemy as sa

from loaders.plans import load_plans
from loaders.regions import load_divisions
from tracker import store
from tracker.cli import main
from tracker.intake.allocations import allocation_summary, import_allocations

PLAN = load_plans()["sichuan-2023-citizenization"]
TREE = load_divisions()


def sheet(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def prefecture_rows(brand: int = 5000) -> list[list]:
    rows = [["2023年目标任务分解表"], ["市（州）", "劳务品牌培训人数（人）", "遴选农村致富带头人数（人）"]]
    for i, prefecture in enumerate(TREE.level("prefecture")):
        rows.append([prefecture.short_name, brand + 10 * i, 20 + i])
    return rows


def test_prefecture_allocations_are_stored_and_judge_each_prefecture(ready_engine, tmp_path, capsys):
    path = tmp_path / "分解.xlsx"
    path.write_bytes(sheet(prefecture_rows()))
    assert main(["allocate", str(path)]) == 0
    out = capsys.readouterr().out
    # 21 prefectures: 5000 … 5200 → 21·5000 + 10·(0+…+20) = 107100 against the provincial 100000
    assert "劳务品牌培训人数：各市（州）合计 10.71万人，省目标 10万人（107.1%）" in out
    allocations = store.current_allocations(ready_engine, PLAN.id)
    assert len(allocations) == 42
    mianyang = allocations[(allocations["region"] == "510700") & (allocations["target"] == "labor_brand_training")]
    assert mianyang["value"].tolist() == [5050.0]  # 绵阳 is the sixth prefecture
    assert main(["progress", "--as-of", "2023-06", "--level", "prefecture", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    row = next(r for r in rows if r["region"] == "510700" and r["target"] == "labor_brand_training")
    assert row["target_value"] == 5050 and row["expected"] == 2525  # half the year: 5050 × 6/12


def test_a_new_allocation_supersedes_and_the_old_stays(ready_engine):
    first = import_allocations(ready_engine, sheet(prefecture_rows(5000)), "a.xlsx", PLAN, TREE, uploader="省厅")
    second = import_allocations(ready_engine, sheet(prefecture_rows(6000)), "b.xlsx", PLAN, TREE, uploader="省厅")
    assert first.status == second.status == "imported"
    current = store.current_allocations(ready_engine, PLAN.id)
    assert current[current["target"] == "labor_brand_training"]["value"].min() == 6000
    with ready_engine.connect() as conn:
        assert conn.scalar(sa.text("select count(*) from allocations")) == 84


def test_unknown_regions_non_numbers_and_duplicates_are_refused_and_nothing_is_written(ready_engine):
    rows = prefecture_rows()
    rows[3][0] = "火星市"
    rows[4][1] = "很多"
    rows.append(["绵阳", 1, 1])  # 绵阳 again
    outcome = import_allocations(ready_engine, sheet(rows), "坏.xlsx", PLAN, TREE, uploader="省厅")
    assert outcome.status == "refused"
    assert [(p.code, p.cell) for p in outcome.problems] == [
        ("unknown_county", "A4"), ("not_a_number", "B5"), ("duplicate_county", "B24"), ("duplicate_county", "C24")]
    with ready_engine.connect() as conn:
        assert conn.scalar(sa.text("select count(*) from allocations")) == 0


def test_county_allocations_are_accepted_too(ready_engine):
    rows = [["县（市、区）", "劳务品牌培训人数（人）"], ["涪城区", 800], ["510781", 900]]
    outcome = import_allocations(ready_engine, sheet(rows), "县.xlsx", PLAN, TREE, uploader="绵阳市")
    assert outcome.status == "imported"
    assert sorted(outcome.rows["region"]) == ["510703", "510781"]


def test_the_sum_is_shown_not_forced():
    allocations = pd.DataFrame({"target": ["labor_brand_training"] * 2, "region": ["510100", "510700"],
                                "value": [60_000.0, 50_000.0]})
    summary = allocation_summary(PLAN, allocations, TREE).set_index("target")
    assert summary.loc["labor_brand_training", "allocated_sum"] == 110_000
    assert summary.loc["labor_brand_training", "ratio"] == 1.1
    assert pd.isna(summary.loc["rural_wealth_leaders", "allocated_sum"])
