"""The monthly return template a prefecture downloads, fills in for its counties and uploads.

The template says everything the reader needs (period, prefecture, which figure each column wants and in which
unit) in the sheet itself, and again in a hidden ``_meta`` sheet the loader trusts. County codes and names are
locked; input cells accept whole numbers ≥ 0 only.
"""
from __future__ import annotations

import io
from collections.abc import Mapping

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from loaders.workbooks import META_SHEET
from tracker.i18n import month_label
from tracker.intake.reader import TEMPLATE_VERSION
from tracker.model.plan import Plan, Target
from tracker.model.regions import Region, RegionTree

DATA_SHEET = "数据"
HELP_SHEET = "填报说明"
_FIGURE = {"month_end": "月末数", "ytd": "本年累计", "monthly": "本月数"}
_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD = PatternFill("solid", fgColor="DCE6F1")
_LOCKED = PatternFill("solid", fgColor="EEEEEE")
_RETURNED = PatternFill("solid", fgColor="FFE08A")   # a cell returned for correction
#: Where the data sheet's counties and figures start (1-based, as openpyxl counts): a county a row from row 6, its
#: code in column A, its name in B, a target a column from C in ``due_targets`` order.
FIRST_ROW = 6
FIRST_TARGET_COLUMN = 3


def header_text(target: Target) -> str:
    """``劳务品牌培训人数（人）``: the canonical header a hand-made sheet should use too."""
    return f"{target.name.zh}（{target.unit}）"


class NothingDue(ValueError):
    """No target of the plan is in force for the period (or none covers the prefecture's counties)."""


def county_targets(plan: Plan, period: str) -> list[Target]:
    """Targets the counties report for ``period``: those whose period holds it, in plan order (a 2024 return is
    not asked for a target of 2023)."""
    return plan.targets_due(period)


def due_targets(plan: Plan, tree: RegionTree, period: str, prefecture: str | None,
                scopes: Mapping[str, list[str]]) -> list[Target]:
    """The targets a template for ``period`` asks ``prefecture`` (the province when None) for."""
    counties = tree.children(prefecture) if prefecture else tree.level("county")
    return [t for t in county_targets(plan, period)
            if t.id not in scopes or any(c.code in scopes[t.id] for c in counties)]


def template_counties(tree: RegionTree, targets: list[Target], prefecture: str | None,
                      scopes: Mapping[str, list[str]]) -> list[Region]:
    """The rows of a template asking for ``targets``: the prefecture's counties, or — when every target is scoped
    — only those some target covers. Shared with the online entry grid, so both have the same rows."""
    counties = tree.children(prefecture) if prefecture else tree.level("county")
    if targets and all(t.id in scopes for t in targets):
        counties = [c for c in counties if any(c.code in scopes[t.id] for t in targets)]
    return counties


def build_template(plan: Plan, tree: RegionTree, period: str, prefecture: str | None,
                   scopes: Mapping[str, list[str]],
                   returned: Mapping[tuple[str, str | None], str] | None = None) -> bytes:
    """The template for ``period``: the targets in force then, and the counties any of them covers (in 2024 only
    the key-assistance counties have a target of the 2023 plan). ``NothingDue`` when nothing is asked for.
    ``returned``: the cells a reviewer returned for correction ((target, county), county None for the column) and
    why; they are marked in the sheet, with the reason as the cell's comment, so the filer sees what to fix."""
    filer = tree[prefecture].name if prefecture else tree.province.name
    targets = due_targets(plan, tree, period, prefecture, scopes)
    if not targets:
        raise NothingDue(f"{month_label(period)}没有在期的量化目标需要{filer}报送")
    counties = template_counties(tree, targets, prefecture, scopes)
    book = Workbook()
    help_sheet = book.active
    help_sheet.title = HELP_SHEET
    sheet = book.create_sheet(DATA_SHEET)
    book.active = 1

    title = f"{month_label(period)} {filer}县域农民工市民化质量提升行动月报表"
    sheet["A1"] = title
    sheet["A1"].font = Font(size=14, bold=True)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=2 + len(targets))
    sheet["A2"] = f"填报单位：{filer}"
    sheet["C2"] = f"报告期：{period}"
    sheet["E2"] = "单位：见各列表头"
    header_row, sub_row, first = FIRST_ROW - 2, FIRST_ROW - 1, FIRST_ROW
    for col, text in ((1, "区划代码"), (2, "县（市、区）")):
        cell = sheet.cell(header_row, col, text)
        sheet.merge_cells(start_row=header_row, start_column=col, end_row=sub_row, end_column=col)
    for i, target in enumerate(targets, start=FIRST_TARGET_COLUMN):
        sheet.cell(header_row, i, header_text(target))
        sheet.cell(sub_row, i, _FIGURE[target.reporting])
    for row in (header_row, sub_row):
        for col in range(1, 3 + len(targets)):
            cell = sheet.cell(row, col)
            cell.font = Font(bold=True)
            cell.fill = _HEAD
            cell.border = _BOX
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[header_row].height = 36

    last = first + len(counties) - 1
    for r, county in enumerate(counties, start=first):
        for col, value in ((1, county.code), (2, county.name)):
            cell = sheet.cell(r, col, value)
            cell.fill = _LOCKED
            cell.border = _BOX
            cell.number_format = "@"
        for i, target in enumerate(targets, start=FIRST_TARGET_COLUMN):
            cell = sheet.cell(r, i)
            cell.border = _BOX
            if target.id in scopes and county.code not in scopes[target.id]:
                cell.value = "—"  # outside the target's scope: nothing to report
                cell.fill = _LOCKED
                cell.alignment = Alignment(horizontal="center")
            else:
                cell.protection = Protection(locked=False)
                cell.number_format = "0"
                reason = (returned or {}).get((target.id, county.code), (returned or {}).get((target.id, None)))
                if reason is not None:
                    cell.fill = _RETURNED
                    cell.comment = Comment(f"省级退回，请更正：{reason}", "审核")
    if targets:
        rule = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                              showErrorMessage=True, errorTitle="输入有误", error="请填写大于或等于 0 的整数；未报送请留空。")
        rule.add(f"C{first}:{get_column_letter(2 + len(targets))}{last}")
        sheet.add_data_validation(rule)
    footer = last + 2
    sheet.cell(footer, 1, "填表人：")
    sheet.cell(footer, 3, "审核人：")
    sheet.cell(footer, 5, "联系电话：")
    sheet.cell(footer, 7, "填报日期：")
    sheet.column_dimensions["A"].width = 10
    sheet.column_dimensions["B"].width = 18
    for i in range(3, 3 + len(targets)):
        sheet.column_dimensions[get_column_letter(i)].width = 20
    sheet.freeze_panes = sheet.cell(first, 3)
    sheet.protection.sheet = True  # codes, names and headers are locked; no password: protection guides, not guards
    sheet.protection.formatRows = False
    sheet.protection.formatColumns = False

    lines = [
        f"{plan.title.zh}  月报表填报说明",
        "",
        f"1. 报告期：{month_label(period)}（{period}）；填报单位：{filer}。请勿修改“数据”表的区划代码、县（市、区）名称和表头。",
        "2. 每个县（市、区）一行，填写整数。未报送的请留空，不要填 0：留空表示“未报送”，0 表示“本月为零”。",
        "3. “本年累计”列填 1 月至本月的累计数，不能小于上月累计；“月末数”列填本月末的时点数。",
        "4. 单位以各列表头括号内为准（人或人次）。如需按万人填报，请在表头写明“（万人）”。",
        "5. 不要在表中加公式合计行；系统会自动汇总。灰色单元格不需填写。",
        "6. 填好后在“上报数据”页面上传本文件。同一月份再次上传会替代之前的数字，历史记录保留。",
        "",
        "各列指标：",
    ]
    for target in targets:
        lines.append(f"· {target.name.zh}：{_FIGURE[target.reporting]}，单位 {target.unit}。")
    for r, text in enumerate(lines, start=1):
        help_sheet.cell(r, 1, text)
    help_sheet["A1"].font = Font(size=14, bold=True)
    help_sheet.column_dimensions["A"].width = 110

    meta = book.create_sheet(META_SHEET)
    for r, (key, value) in enumerate((("plan_id", plan.id), ("template_version", TEMPLATE_VERSION),
                                      ("period", period), ("prefecture", prefecture or ""),
                                      ("data_sheet", DATA_SHEET)), start=1):
        meta.cell(r, 1, key)
        meta.cell(r, 2, value)
    meta.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
