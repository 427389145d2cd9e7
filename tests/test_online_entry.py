"""Online entry (网上填报) in the core: the grid is the template's rows and columns, and a grid written back goes
through the same reader and import as a file — the same stored figures, the same refusals."""
from __future__ import annotations

import io

import openpyxl
import sqlalchemy as sa

from loaders.plans import load_plans
from loaders.regions import load_divisions, resolve_scopes
from tracker.access.roles import Actor
from tracker.intake.entry import (
    CODE,
    NAME,
    current_figures,
    entry_file_name,
    entry_grid,
    entry_workbook,
    is_online_entry,
)
from tracker.intake.submissions import import_for_plan
from tracker.intake.template import build_template, header_text

PLAN = load_plans()["sichuan-2023-citizenization"]
TREE = load_divisions()
SCOPES = resolve_scopes(PLAN)
MIANYANG, LIANGSHAN = "510700", "513400"


def _template_sheet(period: str, prefecture: str):
    book = openpyxl.load_workbook(io.BytesIO(build_template(PLAN, TREE, period, prefecture, SCOPES)))
    return book["数据"]


def _figures(grid) -> dict[tuple[str, str], int]:
    """A clean month for every county and target of ``grid`` (the figures test_upload_page.py types)."""
    targets = [c for c in grid.columns if c not in (CODE, NAME)]
    return {(code, target): (300_000, 20_000, 50, 2, 500, 3)[j] + i
            for i, code in enumerate(grid[CODE]) for j, target in enumerate(targets)}


def _typed(grid, figures, bad: dict[tuple[str, str], str] | None = None):
    """The grid as a person fills it: every figure typed as text."""
    grid = grid.copy()
    for (code, target), value in {**{k: str(v) for k, v in figures.items()}, **(bad or {})}.items():
        grid.loc[grid[CODE] == code, target] = value
    return grid


def _filled_file(period: str, prefecture: str, figures, bad: dict[tuple[str, str], object] | None = None) -> bytes:
    """The same figures typed into the downloaded template with openpyxl, as numbers."""
    book = openpyxl.load_workbook(io.BytesIO(build_template(PLAN, TREE, period, prefecture, SCOPES)))
    sheet = book["数据"]
    rows = {sheet.cell(r, 1).value: r for r in range(6, sheet.max_row + 1) if sheet.cell(r, 1).value}
    columns = {header_text(PLAN.target(t)): c for c in range(3, sheet.max_column + 1)
               for t in [x.id for x in PLAN.targets] if sheet.cell(4, c).value == header_text(PLAN.target(t))}
    by_id = {t.id: columns[header_text(t)] for t in PLAN.targets if header_text(t) in columns}
    for (code, target), value in {**figures, **(bad or {})}.items():
        sheet.cell(rows[code], by_id[target], value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_grid_has_the_templates_rows_and_columns():
    for period, prefecture in (("2023-06", MIANYANG), ("2023-06", LIANGSHAN), ("2024-03", LIANGSHAN)):
        sheet = _template_sheet(period, prefecture)
        grid = entry_grid(PLAN, TREE, period, prefecture, SCOPES)
        codes = [sheet.cell(r, 1).value for r in range(6, 6 + len(grid))]
        names = [sheet.cell(r, 2).value for r in range(6, 6 + len(grid))]
        assert list(grid[CODE]) == codes and list(grid[NAME]) == names
        assert sheet.cell(6 + len(grid), 1).value is None  # no template row left out
        targets = list(grid.columns[2:])
        assert [header_text(PLAN.target(t)) for t in targets] == [
            sheet.cell(4, c).value for c in range(3, 3 + len(targets))]
        assert sheet.cell(4, 3 + len(targets)).value is None
    # 2024: only the key-assistance target and its counties; 2023 in 凉山: "—" where that target does not reach
    assert list(entry_grid(PLAN, TREE, "2024-03", LIANGSHAN, SCOPES).columns[2:]) == ["key_area_skill_training"]
    liangshan = entry_grid(PLAN, TREE, "2023-06", LIANGSHAN, SCOPES).set_index(CODE)
    assert liangshan.loc["513401", "key_area_skill_training"] == "—"  # 西昌市: outside the (demo) list
    assert liangshan.isna().loc["513422", "key_area_skill_training"]  # 木里: inside, to be filled


def test_a_grid_written_back_stores_the_same_figures_as_a_filled_template(ready_engine):
    grid = entry_grid(PLAN, TREE, "2023-06", MIANYANG, SCOPES)
    figures = _figures(grid)
    online = entry_workbook(_typed(grid, figures), PLAN, TREE, "2023-06", MIANYANG, SCOPES)
    by_grid = import_for_plan(ready_engine, online, entry_file_name(MIANYANG, "2023-06"), PLAN.id, uploader="测试",
                              period="2023-06", prefecture=MIANYANG)
    by_file = import_for_plan(ready_engine, _filled_file("2023-06", MIANYANG, figures), "绵阳6月.xlsx", PLAN.id,
                              uploader="测试", period="2023-06", prefecture=MIANYANG)
    assert (by_grid.status, by_file.status) == ("imported", "imported") and by_grid.problems == by_file.problems == []

    def stored(submission: int) -> set[tuple]:
        with ready_engine.connect() as conn:
            return set(conn.execute(sa.text(
                "select target_id, region_code, period, value from reported_values where submission_id = :s"),
                {"s": submission}).all())

    assert len(stored(by_grid.submissions[0])) == 54
    assert stored(by_grid.submissions[0]) == stored(by_file.submissions[0])
    with ready_engine.connect() as conn:
        names = conn.execute(sa.text("select file_name from submissions order by id")).scalars().all()
    assert names == ["网上填报-510700-2023-06.xlsx", "绵阳6月.xlsx"]
    assert [is_online_entry(n) for n in names] == [True, False]


def test_the_same_grid_gives_the_same_file_and_is_recognised_as_unchanged(ready_engine):
    grid = entry_grid(PLAN, TREE, "2023-06", MIANYANG, SCOPES)
    typed = _typed(grid, _figures(grid))
    data = entry_workbook(typed, PLAN, TREE, "2023-06", MIANYANG, SCOPES)
    assert entry_workbook(typed.copy(), PLAN, TREE, "2023-06", MIANYANG, SCOPES) == data
    name = entry_file_name(MIANYANG, "2023-06")
    first = import_for_plan(ready_engine, data, name, PLAN.id, uploader="测试", period="2023-06", prefecture=MIANYANG)
    again = import_for_plan(ready_engine, data, name, PLAN.id, uploader="测试", period="2023-06", prefecture=MIANYANG)
    assert (first.status, again.status) == ("imported", "unchanged")


def test_text_and_a_negative_number_are_refused_as_in_a_file(ready_engine):
    grid = entry_grid(PLAN, TREE, "2023-06", MIANYANG, SCOPES)
    figures = _figures(grid)
    bad = {("510705", "labor_brand_training"): "待报", ("510722", "rural_wealth_leaders"): "-5"}
    online = entry_workbook(_typed(grid, figures, bad), PLAN, TREE, "2023-06", MIANYANG, SCOPES)
    by_grid = import_for_plan(ready_engine, online, entry_file_name(MIANYANG, "2023-06"), PLAN.id, uploader="测试",
                              period="2023-06", prefecture=MIANYANG, dry_run=True, accept_warnings=True)
    as_file = {**bad, ("510722", "rural_wealth_leaders"): -5}  # a number in the file, text in the grid
    by_file = import_for_plan(ready_engine, _filled_file("2023-06", MIANYANG, figures, as_file), "绵阳6月.xlsx",
                              PLAN.id, uploader="测试", period="2023-06", prefecture=MIANYANG, dry_run=True,
                              accept_warnings=True)
    located = [(p.code, p.sheet, p.cell, p.county, p.target) for p in by_grid.problems]
    assert located == [(p.code, p.sheet, p.cell, p.county, p.target) for p in by_file.problems]
    assert sorted(code for code, *_ in located) == ["negative_value", "not_a_number"]
    assert [p.message() for p in by_grid.problems] == [p.message() for p in by_file.problems]
    assert "“劳务品牌培训人数”应为数字，填写的是“待报”" in "".join(p.message() for p in by_grid.problems)
    assert by_grid.status == by_file.status == "refused"
    # text stays text: "=1+1" typed in the grid is not a formula run by a spreadsheet, it is not a number
    formula = entry_workbook(_typed(grid, figures, {("510781", "rural_labor_transfer"): "=1+1"}), PLAN, TREE,
                             "2023-06", MIANYANG, SCOPES)
    refused = import_for_plan(ready_engine, formula, entry_file_name(MIANYANG, "2023-06"), PLAN.id, uploader="测试",
                              period="2023-06", prefecture=MIANYANG, dry_run=True)
    assert [(p.code, p.cell, p.params["value"]) for p in refused.problems] == [("not_a_number", "C14", "=1+1")]
    with ready_engine.connect() as conn:
        assert conn.scalar(sa.text("select count(*) from submissions")) == 0


def test_the_grid_starts_from_the_counted_figures_of_the_month(ready_engine):
    grid = entry_grid(PLAN, TREE, "2023-06", MIANYANG, SCOPES)
    figures = _figures(grid)
    del figures[("510703", "labor_brand_training")]  # 涪城区 leaves one figure out
    import_for_plan(ready_engine, _filled_file("2023-06", MIANYANG, figures), "绵阳6月.xlsx", PLAN.id,
                    uploader="测试", period="2023-06", prefecture=MIANYANG, accept_warnings=True)
    prefilled = entry_grid(PLAN, TREE, "2023-06", MIANYANG, SCOPES,
                           current_figures(ready_engine, PLAN.id, "2023-06", MIANYANG)).set_index(CODE)
    assert prefilled.loc["510703", "rural_labor_transfer"] == "300000"  # as typed: no "300000.0"
    assert prefilled.loc["510781", "rural_craftsman_training"] == str(figures[("510781", "rural_craftsman_training")])
    assert prefilled.isna().loc["510703", "labor_brand_training"]
    assert entry_grid(PLAN, TREE, "2023-07", MIANYANG, SCOPES,
                      current_figures(ready_engine, PLAN.id, "2023-07", MIANYANG)).iloc[:, 2:].isna().all().all()
    # a prefecture's re-entry waiting for review does not count, so the grid still shows the accepted figures
    figures[("510703", "rural_labor_transfer")] = 1
    import_for_plan(ready_engine, _filled_file("2023-06", MIANYANG, figures), "改.xlsx", PLAN.id, uploader="绵阳",
                    actor=Actor("绵阳", "prefecture", MIANYANG), period="2023-06", prefecture=MIANYANG,
                    accept_warnings=True, auto_accept=False)
    again = entry_grid(PLAN, TREE, "2023-06", MIANYANG, SCOPES,
                       current_figures(ready_engine, PLAN.id, "2023-06", MIANYANG)).set_index(CODE)
    assert again.loc["510703", "rural_labor_transfer"] == "300000"
