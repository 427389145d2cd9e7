"""Online entry (网上填报): the monthly template as a grid a prefecture fills in on the page, and the grid written
back into that very template, so a return typed online is read, checked, reviewed and kept exactly like a file.

There is no second reader and no second validator: ``entry_workbook`` fills the cells of ``build_template``'s own
workbook with what was typed — text stays text, so "待报" or "-5" is refused by the reader with the same problem
as in a file — and the page imports those bytes with ``import_for_plan``, dry run first, like an upload. The
bytes are reproducible (fixed timestamps), so the same figures give the same file and checksum: entering the same
figures twice is recognised as unchanged, as uploading the same file twice is.
"""
from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Mapping
from datetime import datetime

import openpyxl
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.writer.excel import ExcelWriter
from sqlalchemy import Engine

from tracker.intake.template import (
    DATA_SHEET,
    FIRST_ROW,
    FIRST_TARGET_COLUMN,
    NothingDue,
    build_template,
    due_targets,
    template_counties,
)
from tracker.model.plan import Plan
from tracker.model.regions import RegionTree
from tracker.store import current_values

#: The file name an online entry is recorded under starts with this, so history, audit and review show its source.
ONLINE_PREFIX = "网上填报"
#: The grid's first two columns; every other column is a target id.
CODE, NAME = "county", "county_name"
#: What a template cell outside a scoped target's counties holds (the reader reads it as "nothing reported").
OUT_OF_SCOPE = "—"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def entry_file_name(prefecture: str, period: str) -> str:
    """``网上填报-510700-2023-06.xlsx``: the name an online entry is imported and recorded under."""
    return f"{ONLINE_PREFIX}-{prefecture}-{period}.xlsx"


def is_online_entry(file_name: object) -> bool:
    """Whether a submission's file name says it was entered online rather than uploaded."""
    return isinstance(file_name, str) and file_name.startswith(ONLINE_PREFIX + "-")


def current_figures(engine: Engine, plan_id: str, period: str, prefecture: str) -> pd.DataFrame:
    """The prefecture's counted (accepted, real) figures for ``period``: what the grid starts from. Demo data is
    not a figure anybody reported, and a return waiting for review does not count yet, so neither is shown."""
    return current_values(engine, plan_id, None, period, period, include_demo=False, prefectures=[prefecture])


def _shown(value: float) -> str:
    """A stored figure as a person would type it: 300006, not 300006.0."""
    return str(int(value)) if float(value).is_integer() else format(value, ".15g")


def entry_grid(plan: Plan, tree: RegionTree, period: str, prefecture: str, scopes: Mapping[str, list[str]],
               current: pd.DataFrame | None = None) -> pd.DataFrame:
    """The grid for ``prefecture`` and ``period``: the template's rows (county code, name) and one text column per
    due target (its id), in the template's order; each cell the county's current figure (``current``, as from
    ``current_figures``) or empty (``None``), and "—" where a scoped target does not cover the county, as the
    template has it. ``NothingDue`` when nothing is asked for, as for the template."""
    targets = due_targets(plan, tree, period, prefecture, scopes)
    if not targets:
        raise NothingDue(f"{period}没有在期的量化目标需要{tree[prefecture].name}报送")
    counties = template_counties(tree, targets, prefecture, scopes)
    figures: dict[tuple[str, str], float] = {}
    if current is not None and not current.empty:
        month = current[current["period"] == period]
        figures = {(t, r): v for t, r, v in month[["target", "region", "value"]].itertuples(index=False)}
    rows = []
    for county in counties:
        row: dict[str, object] = {CODE: county.code, NAME: county.name}
        for target in targets:
            if target.id in scopes and county.code not in scopes[target.id]:
                row[target.id] = OUT_OF_SCOPE
            else:
                value = figures.get((target.id, county.code))
                row[target.id] = None if value is None else _shown(value)
        rows.append(row)
    return pd.DataFrame(rows, columns=[CODE, NAME, *(t.id for t in targets)], dtype=pd.StringDtype())


def _empty(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value == ""


def entry_workbook(grid: pd.DataFrame, plan: Plan, tree: RegionTree, period: str, prefecture: str,
                   scopes: Mapping[str, list[str]]) -> bytes:
    """The template for ``prefecture`` and ``period`` (``build_template``: the same sheets, header, code and name
    columns and hidden ``_meta``) with the grid's cells written into its figure cells, as ``.xlsx`` bytes.

    A cell is written as typed: text as text (a leading "=" too: never a formula), a number as a number, an empty
    cell left empty (a figure not given). Characters a workbook cannot hold (control characters) become "�", so the
    reader refuses the cell rather than the grid silently losing what was typed. A county the template does not
    have is an error of the caller (``ValueError``): the grid's rows come from ``entry_grid``."""
    book = openpyxl.load_workbook(io.BytesIO(build_template(plan, tree, period, prefecture, scopes)))
    sheet = book[DATA_SHEET]
    rows = {}
    for r in range(FIRST_ROW, sheet.max_row + 1):
        code = sheet.cell(r, 1).value
        if not code:
            break
        rows[str(code)] = r
    columns = {t.id: c for c, t in enumerate(due_targets(plan, tree, period, prefecture, scopes),
                                              start=FIRST_TARGET_COLUMN)}
    for record in grid.to_dict("records"):
        code = str(record[CODE])
        if code not in rows:
            raise ValueError(f"{code} 不在 {prefecture} {period} 的模板中")
        for target_id, column in columns.items():
            value = record.get(target_id)
            cell = sheet.cell(rows[code], column)
            if _empty(value):
                cell.value = None
            elif isinstance(value, str):
                cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
                cell.data_type = "s"  # text stays text: "=1+1" typed in the grid is not a formula
            else:
                cell.value = value
    return _reproducible(book, period)


def _reproducible(book: openpyxl.Workbook, period: str) -> bytes:
    """The workbook's bytes with every timestamp fixed (document properties, zip entries), so the same figures
    always give the same file and the import's checksum recognises a repeat."""
    stamp = datetime(int(period[:4]), int(period[5:7]), 1)
    book.properties.created = book.properties.modified = stamp
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(book, archive).write_data()  # not book.save(): that stamps ``modified`` with the clock
    source = zipfile.ZipFile(io.BytesIO(raw.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME), source.read(info.filename),
                             compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
