"""Read an uploaded file (.xlsx, legacy .xls, .csv) into plain grids of cells, one per sheet.

One reader per format, all producing the same ``Sheet``: the intake never looks at the file format again. Cell
values are what the file holds (numbers, text, dates); formulas are read as their cached values, never evaluated,
and a formula without a cached value is remembered so the intake can refuse it instead of reading it as empty.
"""
from __future__ import annotations

import csv
import io
import logging
import os
import resource
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

import python_calamine

from .errors import UnreadableFile, reraise_fatal, short
from .sheetscan import Limits, scan_xlsx

__all__ = ["META_SHEET", "Sheet", "UnreadableFile", "Workbook", "decode_text", "limits", "read_workbook"]

_log = logging.getLogger(__name__)

#: Hidden sheet in which the template records what it was made for.
META_SHEET = "_meta"


def _limit(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


#: Limits checked before anything is parsed (megabytes, rows, columns); environment variables override them.
MAX_UPLOAD_MB = _limit("TRACKER_MAX_UPLOAD_MB", 10)
MAX_UNZIPPED_MB = _limit("TRACKER_MAX_UNZIPPED_MB", 100)  # bytes actually inflated, all members together
MAX_RATIO = 200  # uncompressed / compressed, for any member of a workbook's zip archive
MAX_ROWS, MAX_COLUMNS = 60_000, 512  # per sheet
#: Cells over all sheets: the rectangles calamine builds (last row × last column per sheet) and, for an .xlsx, the
#: ``<c>`` tags. A real return is < 3,000 rows × 30 columns (90,000); 2 million leaves twenty times that, and a
#: workbook of 1.95 million numbers reads in ~6 s of CPU at a 210 MB peak, well inside the sandbox's limits.
MAX_CELLS = _limit("TRACKER_MAX_CELLS", 2_000_000)
MAX_SHEETS = _limit("TRACKER_MAX_SHEETS", 200)  # a year of monthly sheets, or one per county, is a few dozen
#: Characters of all the cells' strings (.xlsx), a shared string counted in every cell that uses it: a real return
#: holds ~100,000; 10 million are ~30 MB in calamine and ~20 MB as Python strings.
MAX_TEXT_CHARS = _limit("TRACKER_MAX_TEXT_CHARS", 10_000_000)


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


def limits() -> Limits:
    """The limits as they stand now (tests and the sandbox's child set the module attributes)."""
    return Limits(max_unzipped_mb=MAX_UNZIPPED_MB, max_ratio=MAX_RATIO, max_cells=MAX_CELLS, max_rows=MAX_ROWS,
                  max_columns=MAX_COLUMNS, max_sheets=MAX_SHEETS, max_text=MAX_TEXT_CHARS)


def _damaged(what: str) -> UnreadableFile:
    return UnreadableFile("unreadable_file", detail=f"{what}（内容已损坏或不是所称格式）")


def _calamine(data: bytes, name: str, kind: str) -> Workbook:
    """Every sheet through calamine. Its errors (and panics) are English and arrive at any step — opening, a
    sheet, the conversion — so each step is guarded and refused in Chinese, naming the sheet."""
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        infos = [info for info in book.sheets_metadata if "WorkSheet" in str(info.typ)]
    except BaseException as exc:
        reraise_fatal(exc)
        _log.info("calamine cannot open %s: %s", kind, exc)
        raise _damaged(f"无法打开 {kind} 文件") from exc
    if len(infos) > MAX_SHEETS:
        raise UnreadableFile("too_many_sheets", sheets=len(infos), limit=MAX_SHEETS)
    sheets: list[Sheet] = []
    meta: dict[str, str] = {}
    area = 0
    for info in infos:
        sheet, size = _calamine_sheet(book, info, area)
        area += size
        if info.name == META_SHEET:
            meta = {str(r[0]).strip(): str(r[1]).strip() for r in sheet.rows if len(r) > 1 and r[0] is not None
                    and r[1] is not None}
            continue
        sheets.append(sheet)
    return Workbook(file_name=name, sheets=sheets, meta=meta)


def _calamine_sheet(book: python_calamine.CalamineWorkbook, info: object, area: int) -> tuple[Sheet, int]:
    """One sheet and the size of its rectangle. For an .xlsx the scan has bounded the rectangle already; for an
    .xls this check comes after calamine built the sheet (≤ 65,536 × 256 cells in BIFF8), before Python objects
    are made for it — the sandbox's memory limit covers the rest."""
    try:
        sheet = book.get_sheet_by_name(info.name)
        rows, columns = (sheet.end[0] + 1, sheet.end[1] + 1) if sheet.end else (0, 0)
    except BaseException as exc:
        reraise_fatal(exc)
        _log.info("calamine cannot read sheet %r: %s", info.name, exc)
        raise _damaged(f"工作表“{short(info.name)}”无法读取") from exc
    if rows > MAX_ROWS or columns > MAX_COLUMNS:
        raise UnreadableFile("sheet_too_large", sheet=info.name, rows=rows, columns=columns,
                             max_rows=MAX_ROWS, max_columns=MAX_COLUMNS)
    if area + rows * columns > MAX_CELLS:
        raise UnreadableFile("too_many_cells", sheet=info.name, rows=rows, columns=columns,
                             total=area + rows * columns, limit=MAX_CELLS)
    try:
        grid = [[None if v == "" else v for v in row] for row in sheet.to_python(skip_empty_area=False)]
        merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
    except BaseException as exc:
        reraise_fatal(exc)
        _log.info("calamine cannot convert sheet %r: %s", info.name, exc)
        raise _damaged(f"工作表“{short(info.name)}”无法读取") from exc
    hidden = info.visible != python_calamine.SheetVisibleEnum.Visible  # str() is "SheetVisibleEnum.Hidden"
    return Sheet(name=info.name, rows=grid, merged=merged, hidden=hidden), rows * columns


#: The first bytes of an OLE2 compound file: a legacy .xls.
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _xlsx(data: bytes, name: str) -> Workbook:
    # calamine chooses the format from the content (and tries .xls first): a file that is not plainly a zip from
    # its first byte, such as an .xls with a zip appended, could be read as something the scan never counted.
    if not data.startswith(b"PK\x03\x04"):
        raise UnreadableFile("unreadable_file", detail="不是有效的 .xlsx（zip）文件")
    # The scan inflates and counts every member, and refuses, before calamine allocates a single cell.
    formulas = scan_xlsx(data, limits())
    book = _calamine(data, name, ".xlsx")
    for sheet in book.sheets:
        for row, column in formulas.get(sheet.name, ()):
            if sheet.cell(row, column) is None:
                sheet.formulas_without_value.add((row, column))
    return book


def _xls(data: bytes, name: str) -> Workbook:
    """A legacy .xls; an .xlsx saved under the old name (calamine would read it as one) is counted as one."""
    if data.startswith(b"PK\x03\x04"):
        return _xlsx(data, name)
    if zipfile.is_zipfile(io.BytesIO(data)):  # a zip directory at the end: calamine falls back to it when .xls fails
        raise UnreadableFile("unreadable_file", detail="文件既像 .xls 又含有 zip 压缩包，无法确定格式（可能是恶意文件）")
    if not data.startswith(_CFB_MAGIC):
        raise UnreadableFile("unreadable_file", detail="不是有效的 .xls 文件")
    return _calamine(data, name, ".xls")


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
    sheet_name = PurePath(name).stem or "CSV"
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        # Title and note rows above the table (one cell each) defeat the sniffer: take the commonest separator.
        dialect = csv.excel
        delimiter = max(",\t;", key=lambda d: (text[:4096].count(d), d == ","))
    rows: list[list[object]] = []
    width = 0
    reader = csv.reader(io.StringIO(text), dialect, delimiter=delimiter)
    try:
        for row in reader:
            if len(rows) >= MAX_ROWS or len(row) > MAX_COLUMNS:
                raise UnreadableFile("sheet_too_large", sheet=sheet_name,
                                     rows=f"{MAX_ROWS}+" if len(rows) >= MAX_ROWS else len(rows) + 1,
                                     columns=len(row), max_rows=MAX_ROWS, max_columns=MAX_COLUMNS)
            width = max(width, len(row))
            if (len(rows) + 1) * width > MAX_CELLS:  # the intake treats the rows as a rectangle
                raise UnreadableFile("too_many_cells", sheet=sheet_name, rows=len(rows) + 1, columns=width,
                                     total=(len(rows) + 1) * width, limit=MAX_CELLS)
            rows.append([cell if cell.strip() != "" else None for cell in row])
    except csv.Error as exc:
        raise UnreadableFile("unreadable_file", detail=_csv_problem(exc, reader.line_num)) from exc
    return Workbook(file_name=name, sheets=[Sheet(name=sheet_name, rows=rows)])


def _csv_problem(exc: csv.Error, line: int) -> str:
    """The csv module's English complaint, said in Chinese with the line it stopped at."""
    if "field limit" in str(exc):
        return f"第 {line} 行有一个单元格超过 {csv.field_size_limit()} 个字符"
    return f"第 {line} 行不是有效的 CSV 格式"


def _memory_limit_mb() -> int:
    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        return soft // 1024 // 1024
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 1024 // 1024


def read_workbook(data: bytes, file_name: str) -> Workbook:
    """Read any supported file. The file name chooses the reader and is never used as a path.

    Macros in an .xlsm are neither run nor kept (only cell values are read), formulas are never evaluated, and the
    XML is read by calamine's parser (which expands no entities) and by ``loaders.ooxml`` (which refuses DTDs).
    Whatever goes wrong becomes ``UnreadableFile`` with a Chinese message: no reader's exception escapes.

    This runs in the calling process: an upload from outside should go through ``loaders.sandbox``
    (``read_workbook_limited``), which runs this in a child process with memory and time limits.
    """
    if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
        raise UnreadableFile("file_too_large", size=f"{len(data) / 1024 / 1024:.1f}", limit=MAX_UPLOAD_MB)
    suffix = PurePath(file_name).suffix.lower()
    readers = {".xlsx": _xlsx, ".xlsm": _xlsx, ".xls": _xls, ".csv": _csv, ".txt": _csv}
    if suffix not in readers:
        raise UnreadableFile("unsupported_format", suffix=suffix or "（无扩展名）")
    try:
        return readers[suffix](data, file_name)
    except UnreadableFile:
        raise
    except MemoryError as exc:
        raise UnreadableFile("too_much_memory", limit=_memory_limit_mb()) from exc
    except BaseException as exc:
        reraise_fatal(exc)
        _log.warning("reading %s failed unexpectedly", suffix, exc_info=True)
        raise UnreadableFile("unreadable_file", detail="读取时发生意外错误，文件可能已损坏") from exc
