"""Read an uploaded file (.xlsx, legacy .xls, .csv) into plain grids of cells, one per sheet.

One reader per format, all producing the same ``Sheet``: the intake never looks at the file format again. Cell
values are what the file holds (numbers, text, dates); formulas are read as their cached values, never evaluated,
and a formula without a cached value is remembered so the intake can refuse it instead of reading it as empty.
"""
from __future__ import annotations

import csv
import html
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

import python_calamine

#: Hidden sheet in which the template records what it was made for.
META_SHEET = "_meta"


def _limit(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


#: Limits checked before anything is parsed (megabytes, rows, columns); environment variables override them.
MAX_UPLOAD_MB = _limit("TRACKER_MAX_UPLOAD_MB", 10)
MAX_UNZIPPED_MB = _limit("TRACKER_MAX_UNZIPPED_MB", 100)
MAX_RATIO = 200  # uncompressed / compressed, for any member of a workbook's zip archive
MAX_ROWS, MAX_COLUMNS = 60_000, 512


@dataclass
class Sheet:
    name: str
    rows: list[list[object]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # zero-based r0, c0, r1, c1 inclusive
    formulas_without_value: set[tuple[int, int]] = field(default_factory=set)
    hidden: bool = False

    def cell(self, row: int, column: int) -> object:
        if row < len(self.rows) and column < len(self.rows[row]):
            return self.rows[row][column]
        return None

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass
class Workbook:
    file_name: str
    sheets: list[Sheet]
    meta: dict[str, str] = field(default_factory=dict)

    def data_sheets(self) -> list[Sheet]:
        return [s for s in self.sheets if not s.hidden and s.name != META_SHEET]


class UnreadableFile(Exception):
    """The file cannot be read at all; ``code`` is a problem code and ``params`` fill its message."""

    def __init__(self, code: str, **params: object):
        self.code = code
        self.params = params
        super().__init__(code)


def _check_archive(data: bytes) -> None:
    """Refuse a zip that would expand beyond the limit (a zip bomb) before any XML is parsed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise UnreadableFile("unreadable_file", detail="不是有效的 .xlsx（zip）文件") from exc
    total = sum(m.file_size for m in members)
    if total > MAX_UNZIPPED_MB * 1024 * 1024:
        raise UnreadableFile("archive_bomb", size=f"{total / 1024 / 1024:.0f}", limit=MAX_UNZIPPED_MB)
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise UnreadableFile("archive_bomb", size=f"{total / 1024 / 1024:.0f}", limit=MAX_UNZIPPED_MB)


def _calamine(data: bytes, name: str) -> Workbook:
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise UnreadableFile("unreadable_file", detail=str(exc)[:200]) from exc
    sheets: list[Sheet] = []
    meta: dict[str, str] = {}
    for info in book.sheets_metadata:
        if "WorkSheet" not in str(info.typ):
            continue
        sheet = book.get_sheet_by_name(info.name)
        if sheet.height > MAX_ROWS or sheet.width > MAX_COLUMNS:
            raise UnreadableFile("sheet_too_large", sheet=info.name, rows=sheet.height, columns=sheet.width,
                                 max_rows=MAX_ROWS, max_columns=MAX_COLUMNS)
        rows = [[None if v == "" else v for v in row] for row in sheet.to_python(skip_empty_area=False)]
        merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
        hidden = info.visible != python_calamine.SheetVisibleEnum.Visible  # str() is "SheetVisibleEnum.Hidden"
        if info.name == META_SHEET:
            meta = {str(r[0]).strip(): str(r[1]).strip() for r in rows if len(r) > 1 and r[0] is not None
                    and r[1] is not None}
            continue
        sheets.append(Sheet(name=info.name, rows=rows, merged=merged, hidden=hidden))
    return Workbook(file_name=name, sheets=sheets, meta=meta)


_SHEET_ENTRY = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?name="([^"]*)"[^>]*?(?:r:)?id="([^"]+)"', re.S)
_SHEET_ENTRY_REVERSED = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?(?:r:)?id="([^"]+)"[^>]*?name="([^"]*)"', re.S)
_RELATIONSHIP = re.compile(rb'<(?:\w+:)?Relationship\b[^>]*?>', re.S)
_ATTRIBUTE = re.compile(rb'(\w+)="([^"]*)"')
_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_HAS_FORMULA = re.compile(rb'<(?:\w+:)?f\b')
_HAS_VALUE = re.compile(rb'<(?:\w+:)?v>[^<]')


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ch - 64
    return index - 1


def _formula_cells(data: bytes) -> dict[str, set[tuple[int, int]]]:
    """Cells holding a formula but no cached value, per sheet name.

    Read from the sheet XML with regular expressions, which neither evaluate formulas nor expand XML entities;
    a workbook saved by Excel always carries each formula's last value, one written by a script often does not.
    """
    found: dict[str, set[tuple[int, int]]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        workbook = archive.read("xl/workbook.xml")
        relations = {}
        if "xl/_rels/workbook.xml.rels" in names:
            for tag in _RELATIONSHIP.findall(archive.read("xl/_rels/workbook.xml.rels")):
                attrs = dict(_ATTRIBUTE.findall(tag))
                if b"Id" in attrs and b"Target" in attrs:
                    relations[attrs[b"Id"]] = attrs[b"Target"].decode()
        entries = [(n, i) for n, i in _SHEET_ENTRY.findall(workbook)] or [
            (n, i) for i, n in _SHEET_ENTRY_REVERSED.findall(workbook)]
        for raw_name, rel_id in entries:
            target = relations.get(rel_id, "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            if path not in names:
                continue
            cells = set()
            for attributes, inner in _CELL.findall(archive.read(path)):
                if inner and _HAS_FORMULA.search(inner) and not _HAS_VALUE.search(inner):
                    ref = _REF.search(attributes)
                    if ref:
                        cells.add((int(ref.group(2)) - 1, _column_index(ref.group(1))))
            found[html.unescape(raw_name.decode("utf-8"))] = cells
    return found


def _xlsx(data: bytes, name: str) -> Workbook:
    _check_archive(data)
    book = _calamine(data, name)
    try:
        formulas = _formula_cells(data)
    except Exception as exc:
        raise UnreadableFile("unreadable_file", detail=str(exc)[:200]) from exc
    for sheet in book.sheets:
        for row, column in formulas.get(sheet.name, ()):
            if sheet.cell(row, column) is None:
                sheet.formulas_without_value.add((row, column))
    return book


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) if it decodes, else GB18030 (a superset of GBK, which older systems export)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise UnreadableFile("unreadable_file", detail="文本编码既不是 UTF-8 也不是 GB18030") from exc


def _csv(data: bytes, name: str) -> Workbook:
    text = decode_text(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        # Title and note rows above the table (one cell each) defeat the sniffer: take the commonest separator.
        dialect = csv.excel
        delimiter = max(",\t;", key=lambda d: (text[:4096].count(d), d == ","))
    rows = []
    for row in csv.reader(io.StringIO(text), dialect, delimiter=delimiter):
        if len(rows) >= MAX_ROWS or len(row) > MAX_COLUMNS:
            raise UnreadableFile("sheet_too_large", sheet=PurePath(name).stem, rows=f"{MAX_ROWS}+",
                                 columns=len(row), max_rows=MAX_ROWS, max_columns=MAX_COLUMNS)
        rows.append([cell if cell.strip() != "" else None for cell in row])
    return Workbook(file_name=name, sheets=[Sheet(name=PurePath(name).stem or "CSV", rows=rows)])


def read_workbook(data: bytes, file_name: str) -> Workbook:
    """Read any supported file. The file name chooses the reader and is never used as a path.

    Macros in an .xlsm are neither run nor kept (only cell values are read), formulas are never evaluated,
    and no XML parser that expands entities ever sees the file (calamine's reader, and regular expressions).
    """
    if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
        raise UnreadableFile("file_too_large", size=f"{len(data) / 1024 / 1024:.1f}", limit=MAX_UPLOAD_MB)
    suffix = PurePath(file_name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx(data, file_name)
    if suffix == ".xls":
        return _calamine(data, file_name)
    if suffix in (".csv", ".txt"):
        return _csv(data, file_name)
    raise UnreadableFile("unsupported_format", suffix=suffix or "（无扩展名）")
