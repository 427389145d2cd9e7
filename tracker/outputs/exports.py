"""Spreadsheets people take away: any set of tables as an .xlsx, and the monthly progress report for the
provincial HR office.

The tables are the ones the pages show (``tracker.outputs.tables``), so a figure in the workbook is the figure on the screen
and in ``tracker progress --format json``.

Text that a spreadsheet program could take for a formula is neutralised (OWASP, "CSV injection"): a text cell whose
value begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a single quote ``'`` put in
front of it, as an explicit string cell. We keep the quote *in the value* rather than only marking the cell as
text, because a workbook rarely stays a workbook: it gets saved as CSV, pasted into another sheet or read by a
script, and a string cell ``=1+2`` turns back into a live formula on each of those trips, while ``'=1+2`` stays
inert (and is what OWASP recommends). The price is a visible apostrophe in the rare cell that needs it. Numbers
are never touched: -5 stays the number -5.
"""
from __future__ import annotations

import datetime as dt
import decimal
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tracker.outputs.columns import kinds_of, number_format, shown_figure

#: First characters that make Excel, LibreOffice or WPS read text as a formula (OWASP CSV-injection guidance).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

SHEET_NAME_MAX = 31  # Excel's limit
_SHEET_NAME_FORBIDDEN = re.compile(r"[\\/?*\[\]:]")
_MAX_WIDTH = 60  # characters of the widest column; longer text wraps
_MIN_WIDTH = 6
_CELL_TEXT_MAX = 32_767  # Excel's limit on the characters of one cell

_HEAD_FILL = PatternFill("solid", fgColor="DCE6F1")
_HEAD_BORDER = Border(bottom=Side(style="thin", color="7F7F7F"))
_TITLE_FONT = Font(bold=True, size=14)
_NOTE_FONT = Font(color="595959")
_DEMO_FONT = Font(color="C00000", bold=True)


# ---------------------------------------------------------------------------------------------------------------
# Cells


def neutralise(text: str) -> str:
    """Text as it may safely sit in a cell: characters XML cannot hold removed, and a leading ``'`` before text
    that would otherwise start a formula (``=1+2`` → ``'=1+2``)."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if text.startswith(FORMULA_TRIGGERS):
        text = "'" + text
    return text[:_CELL_TEXT_MAX]


def _value(value: object) -> object:
    """A pandas/numpy value as openpyxl should store it: numbers as numbers, missing as an empty cell, everything
    else as (neutralised) text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
        if value is pd.NaT:
            return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value  # Excel has no time zones
    if isinstance(value, (dt.date, dt.time)):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else None
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict)):  # numpy scalars
        try:
            value = value.item()
        except (TypeError, ValueError):
            pass
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None  # Excel cannot hold NaN or infinity
    if isinstance(value, (dt.datetime, dt.date)):
        return _value(value)
    return neutralise(str(value))


def _put(sheet: Worksheet, row: int, col: int, value: object):
    cell = sheet.cell(row, col)
    cell.value = _value(value)
    if isinstance(cell.value, str):
        # openpyxl reads "=…" as a formula and "#N/A" as an error; text is text.
        cell.data_type = "s"
    return cell


def display_width(value: object) -> int:
    """Columns a value takes on screen: East Asian wide and full-width characters count double."""
    if value is None:
        return 0
    if isinstance(value, float):
        text = f"{value:,.2f}"
    elif isinstance(value, int) and not isinstance(value, bool):
        text = f"{value:,}"
    else:
        text = str(value)
    longest = max(text.split("\n"), key=len) if "\n" in text else text
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in longest)


# ---------------------------------------------------------------------------------------------------------------
# Sheet names


def sheet_names(wanted: Iterable[str]) -> list[str]:
    """Legal, distinct sheet names for ``wanted``, in order: forbidden characters replaced, cut to 31 characters,
    not blank, no quote at either end, and unique as Excel compares them (ignoring case)."""
    out: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(wanted, start=1):
        name = ILLEGAL_CHARACTERS_RE.sub("", _SHEET_NAME_FORBIDDEN.sub("_", str(name))).strip().strip("'").strip()
        if not name or name.casefold() == "history":  # "History" is reserved by Excel
            name = f"{name or 'Sheet'}{i}"
        if len(name) > SHEET_NAME_MAX:
            name = name[:SHEET_NAME_MAX - 1].rstrip() + "…"
        candidate, n = name, 2
        while candidate.casefold() in seen:
            suffix = f"~{n}"
            candidate = name[:SHEET_NAME_MAX - len(suffix)] + suffix
            n += 1
        seen.add(candidate.casefold())
        out.append(candidate)
    return out


# ---------------------------------------------------------------------------------------------------------------
# Workbooks


@dataclass
class Page:
    """One worksheet: a title row, note rows, then the table with a bold, frozen header."""

    name: str
    frame: pd.DataFrame
    title: str | None = None
    notes: list[str] = field(default_factory=list)
    warning: str | None = None  # a note in red, e.g. that the figures are demo data
    lang: str = "zh"            # the reader's units for typed figure columns (``outputs.columns``)


def _header_text(column: object) -> str:
    if isinstance(column, tuple):
        return " / ".join(str(part) for part in column if str(part))
    return str(column)


def _write_page(sheet: Worksheet, page: Page) -> int:
    """Fill ``sheet``; return the row of the table's header."""
    row = 1
    if page.title:
        _put(sheet, row, 1, page.title).font = _TITLE_FONT
        row += 1
    if page.warning:
        _put(sheet, row, 1, page.warning).font = _DEMO_FONT
        row += 1
    for note in page.notes:
        _put(sheet, row, 1, note).font = _NOTE_FONT
        row += 1
    if row > 1:
        row += 1  # a blank row between the heading and the table
    header_row = row
    frame = page.frame
    columns = list(frame.columns)
    widths = [display_width(_header_text(c)) for c in columns]
    for col, column in enumerate(columns, start=1):
        cell = _put(sheet, header_row, col, _header_text(column))
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
        cell.border = _HEAD_BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    kinds = kinds_of(frame)
    typed_columns = [kinds.get(c) for c in columns]
    for i, record in enumerate(frame.itertuples(index=False, name=None)):
        r = header_row + 1 + i
        for col, value in enumerate(record, start=1):
            kind = typed_columns[col - 1]
            number = _value(value)
            if kind is not None and isinstance(number, (int, float)) and not isinstance(number, bool):
                stored, pattern = number_format(kind, i, float(number), page.lang)
                cell = _put(sheet, r, col, stored)
                cell.number_format = pattern
                width = display_width(shown_figure(kind, i, float(number), page.lang))
            else:
                cell = _put(sheet, r, col, value)
                width = display_width(cell.value)
            widths[col - 1] = max(widths[col - 1], width)
            if width > _MAX_WIDTH or (isinstance(cell.value, str) and "\n" in cell.value):
                cell.alignment = wrap
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH + 2)
    if columns:
        sheet.freeze_panes = sheet.cell(header_row + 1, 1)
        last = get_column_letter(len(columns))
        sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + max(len(frame), 1)}"
        sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return header_row


def write_workbook(pages: list[Page], title: str | None = None) -> bytes:
    """The .xlsx bytes of ``pages`` (sheet names made legal and unique)."""
    book = Workbook()
    book.remove(book.active)
    for name, page in zip(sheet_names(p.name for p in pages), pages):
        _write_page(book.create_sheet(name), page)
    if not pages:  # a workbook must have a sheet
        book.create_sheet("Sheet1")
    if title:
        book.properties.title = ILLEGAL_CHARACTERS_RE.sub("", title)
    book.properties.creator = "tracker"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_xlsx(sheets: Mapping[str, pd.DataFrame], title: str | None = None, notes: list[str] | None = None,
            lang: str = "zh") -> bytes:
    """One worksheet per frame, in order, each with ``title`` and ``notes`` above its table.

    Sheet names are cut to Excel's 31 characters and made legal and unique; the header row is bold and frozen;
    columns are as wide as their widest text (CJK characters count double); numbers stay numbers; text that could
    start a formula is neutralised (see the module's docstring). The frames' indexes are not written. Figure
    columns a table typed (``outputs.columns``) are written as numbers with number formats in ``lang``'s units.
    """
    pages = [Page(name=name, frame=frame, title=title, notes=list(notes or []), lang=lang)
             for name, frame in sheets.items()]
    return write_workbook(pages, title)


def workbook_sheet_names(data: bytes) -> list[str]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


# ---------------------------------------------------------------------------------------------------------------
# The monthly progress report


def _overview(snap, lang: str) -> pd.DataFrame:
    """Every target at province level (``tables.target_table``)."""
    from tracker.i18n import t
    from tracker.outputs.tables import target_table

    ids = [target.id for target in snap.plan.targets]
    frame = target_table(snap, ids, lang)
    name, goal = t("col.target", lang), t("col.goal", lang)
    if ids and name == goal:
        # The catalogue gives the name and the goal one header (English: "Target"), so in target_table's record
        # the goal overwrites the name. Put the name back and give the goal a header of its own.
        goals = frame.pop(name)
        frame.insert(0, name, [snap.plan.target(i).name.get(lang) for i in ids])
        frame.insert(frame.columns.get_loc(t("col.actual", lang)) + 1, t("report.col.goal", lang), goals)
    return frame


def _scope_note(snap, target, lang: str) -> str:
    """Which counties a scoped target counts, so that a sheet listing a few prefectures is not read as a gap."""
    from loaders.regions import load_region_set
    from tracker.i18n import t

    counties = snap.scopes[target.id]
    if target.scope is not None and target.scope.region_set is not None:
        region_set = load_region_set(target.scope.region_set)
        scope = region_set.name_en if lang == "en" else region_set.name_zh
    else:
        scope = t("report.scope_listed", lang)
    prefectures = {snap.tree.prefecture_of(code) for code in counties}
    return t("report.scope", lang, scope=scope, counties=len(counties), prefectures=len(prefectures))


def report_pages(snap, lang: str = "zh", generated_at: dt.datetime | None = None) -> list[Page]:
    """The pages of the monthly report for a snapshot: 总览, one per target, 工作任务, 数据说明."""
    from tracker.i18n import LANGUAGES, month_label, t
    from tracker.model.units import format_percent
    from tracker.outputs.cards import goal_text
    from tracker.outputs.tables import milestone_table, region_table

    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; one of {', '.join(LANGUAGES)}")
    plan = snap.plan
    plan_title = plan.title.get(lang)
    month = month_label(snap.as_of, lang)
    heading = [t("report.as_of", lang, month=month), t("report.units", lang)]
    warning = t("banner.demo", lang) if snap.demo else None

    def page(name: str, frame: pd.DataFrame, subject: str, notes: list[str] = ()) -> Page:
        return Page(name=name, frame=frame, title=t("report.title", lang, plan=plan_title, subject=subject),
                    notes=[*heading, *notes], warning=warning, lang=lang)

    pages = []
    overview_name = t("report.sheet.overview", lang)
    overview = _overview(snap, lang)
    pages.append(page(overview_name, overview, overview_name,
                      [] if plan.targets else [t("overview.no_targets", lang)]))

    prefectures = snap.rows("prefecture")
    for target in plan.targets:
        rows = prefectures[prefectures["target"] == target.id]
        notes = [t("report.target_about", lang, goal=goal_text(target, lang),
                   start=month_label(target.period.start, lang), end=month_label(target.period.end, lang),
                   kind=t(f"kind.{target.kind}", lang))]
        if target.id in snap.scopes:
            notes.append(_scope_note(snap, target, lang))
        if rows["target_value"].isna().all():
            notes.append(t("regions.no_allocation", lang))
        pages.append(page(target.name.get(lang), region_table(rows, snap, target.id, lang),
                          t("report.by_prefecture", lang, target=target.name.get(lang)), notes))

    milestones_name = t("report.sheet.milestones", lang)
    pages.append(page(milestones_name, milestone_table(snap, [m.id for m in plan.milestones], lang),
                      milestones_name))

    now = (generated_at or dt.datetime.now().astimezone())
    offset = now.strftime("%z")  # +0800, or "" for a naive time
    stamp = f"{now:%Y-%m-%d %H:%M}" + (f" (UTC{offset[:3]}:{offset[3:5]})" if offset else "")
    thresholds = snap.config.thresholds
    label = lambda status_id: snap.config.status(status_id).label(lang)  # noqa: E731
    months = snap.months
    source = plan.source.document + (f"（{plan.source.issued}）" if plan.source.issued and lang == "zh"
                                     else f" ({plan.source.issued})" if plan.source.issued else "")
    about = [
        (t("report.notes.plan", lang), plan_title),
        (t("report.notes.plan_id", lang), plan.id),
        (t("report.notes.source", lang), source),
        (t("report.notes.as_of", lang), month),
        (t("report.notes.generated", lang), stamp),
        (t("report.notes.data", lang), t("report.notes.demo", lang) if snap.demo else t("report.notes.real", lang)),
        (t("report.notes.months", lang),
         t("report.notes.months_value", lang, first=month_label(months[0], lang), last=month_label(months[-1], lang),
           n=len(months)) if months else t("report.notes.no_months", lang)),
        (label("on_track"), t("report.notes.at_least", lang, pace=format_percent(thresholds.on_track_pace))),
        (label("at_risk"), t("report.notes.between", lang, low=format_percent(thresholds.at_risk_pace),
                             high=format_percent(thresholds.on_track_pace))),
        (label("behind"), t("report.notes.below", lang, pace=format_percent(thresholds.at_risk_pace))),
        (label("not_met"), t("report.notes.not_met", lang)),
        (t("report.notes.method", lang), t("report.notes.method_text", lang)),
        (t("report.notes.reporting", lang), t("report.notes.reporting_text", lang)),
    ]
    about_frame = pd.DataFrame(about, columns=[t("report.notes.item", lang), t("report.notes.value", lang)])
    about_name = t("report.sheet.notes", lang)
    pages.append(page(about_name, about_frame, about_name))
    return pages


def monthly_report(engine, plan_id: str, as_of: str, lang: str = "zh",
                   generated_at: dt.datetime | None = None) -> bytes:
    """The monthly progress report workbook of a plan at an as-of month (see ``report_pages``)."""
    from tracker.i18n import month_label, t
    from tracker.progress.snapshot import load_snapshot

    snap = load_snapshot(engine, plan_id, as_of)
    pages = report_pages(snap, lang, generated_at)
    return write_workbook(pages, t("report.doc_title", lang, plan=snap.plan.title.get(lang),
                                   month=month_label(as_of, lang)))
