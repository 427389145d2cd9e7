"""Counting what an .xlsx holds before calamine builds anything from it.

calamine turns each sheet into a dense rectangle from A1 to the last cell with content (python-calamine's
``to_python(skip_empty_area=False)`` then makes one Python object per position): a 2 KB file with ``A1`` and one
cell at row 60,000, column 500 costs 30 million cells and more than a gigabyte. The sheet's ``<dimension>`` says
nothing reliable about that, so this module reads the package itself, in two passes.

Pass one inflates every member (``ooxml.member_chunks``: real sizes, checksums, the archive budget) and counts
bytes at C speed in the sheets and the shared strings: ``<c`` (cells), ``<si`` (shared strings) and ``<`` (every
tag, in any encoding: the work pass two will do). A flood of millions of empty ``<c/>``, or of any element, is
refused here in a fraction of a second; a sheet in UTF-16 (which calamine reads as empty) too.

Pass two parses the XML (``ooxml.parse_xml``: streaming, no tree, no DTD) and counts exactly:

* the ``<c>`` elements, summed over the whole workbook;
* the rectangle calamine would build per sheet — last row × last column of the cells that have content
  (calamine ignores a ``<c>`` without children) — summed over the sheets;
* the characters of the cells' strings, a shared string counting once for every cell that uses it (calamine
  copies it into each), and the number of shared strings.

Any sum over its limit, or one sheet over the per-sheet rows/columns, is refused the moment it is reached,
naming the sheet. The same pass remembers the cells holding a formula without a cached value (which calamine
reads as empty), so the intake can refuse them instead of reading a blank.

Which members are read: every member a sheet relationship points at, whatever its name, resolved the way calamine
resolves it (case-insensitively: calamine finds ``worksheets/Sheet1.xml`` as ``xl/worksheets/sheet1.xml``), is
counted; every other ``*.xml`` and ``*.rels`` member is parsed only to refuse malformed XML and DTDs; the rest
(images, a macro project) is only inflated and counted against the archive limits.
"""
from __future__ import annotations

import re
import zipfile
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from . import ooxml
from .errors import UnreadableFile, short

_REF = re.compile(r"([A-Za-z]{1,3})([1-9][0-9]{0,6})")  # fullmatch on one attribute: bounded, no backtracking
_ROW = re.compile(r"[1-9][0-9]{0,6}")
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@dataclass(frozen=True)
class Limits:
    max_unzipped_mb: int
    max_ratio: int
    max_cells: int  # over all sheets: the rectangles calamine would build, and the <c> elements
    max_rows: int  # per sheet
    max_columns: int
    max_sheets: int
    max_text: int  # characters of the strings all cells hold: shared strings count once per cell using them


@dataclass
class _Census:
    """One member's cells: its rectangle so far and its formulas without a cached value."""

    where: str
    rows: int = 0
    columns: int = 0
    formulas: set[tuple[int, int]] = field(default_factory=set)


@dataclass
class _Totals:
    cells: int = 0  # <c> elements so far
    area: int = 0  # rectangles of the members finished so far
    text: int = 0  # characters of the cells' strings so far
    largest: _Census | None = None  # the largest rectangle so far, named in the refusal

    def too_many(self, census: _Census, total: int, limit: int) -> UnreadableFile:
        worst = max((c for c in (self.largest, census) if c is not None), key=lambda c: c.rows * c.columns)
        if worst.rows * worst.columns == 0:
            worst = census
        return UnreadableFile("too_many_cells", sheet=worst.where, rows=worst.rows, columns=worst.columns,
                              total=total, limit=limit)


#: ``<c`` and ``:c`` (a prefixed ``<x:c``), counted with ``bytes.count`` (C speed, no parsing) over each chunk plus
#: the end of the one before: an upper bound on the cells (it also counts ``<col>``, ``<cfRule>`` and tags inside
#: comments, a few dozen in a real sheet), which refuses a flood of millions of empty ``<c/>`` in milliseconds
#: instead of after parsing them all.
_CELL_STARTS = (b"<c", b":c")
_STRING_STARTS = (b"<si", b":si")  # the same for shared strings
#: Every tag of the members whose elements reach Python (the sheets, the shared strings) — ``<`` is byte 0x3C in
#: UTF-8 and UTF-16 alike, so no encoding hides a tag from this count. A real sheet has about four per cell
#: (``<c>``, ``<v>`` and their ends); eight per allowed cell bounds the census's work to that of the largest
#: workbook allowed, whatever elements a hostile file floods it with.
TAGS_PER_CELL = 8
#: Parts of the formats calamine tries when a zip does not open as an .xlsx: .xlsb (binary sheets) and .ods.
_OTHER_FORMATS = ("xl/workbook.bin", "content.xml", "mimetype")


def _count_tags(chunks: Iterable[bytes], *patterns: tuple[bytes, ...]) -> list[int]:
    """How often each group of byte strings occurs in the member, counted across chunk boundaries."""
    counts = [0] * len(patterns)
    keep = max(len(p) for group in patterns for p in group) - 1
    tail = b""
    for chunk in chunks:
        window = tail + chunk
        for i, group in enumerate(patterns):
            # an occurrence inside ``tail`` alone was counted with the previous chunk: count only those ending here
            counts[i] += sum(window.count(p) - tail.count(p) for p in group)
        tail = window[-keep:] if keep else b""
    return counts


@lru_cache(maxsize=4096)
def _column_index(letters: str) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index - 1


@lru_cache(maxsize=64)
def _local(tag: str) -> str:
    return tag[tag.rfind("}") + 1:]


class _CellCensus(ooxml.XmlHandler):
    """Walks one member's cells as libxml2 reports them and refuses the moment a limit is passed, so a hostile
    sheet is never read to its end.

    Only start tags and text are reported (an ``end`` callback per element would cost a third more): a cell is
    complete when the next ``<c>`` or ``<row>`` starts, or the document ends. Until then a ``<v>``, ``<is>`` or
    ``<f>`` gives it content — what calamine reads; a cell without content is skipped by calamine and left out
    of the rectangle — and text after ``<v>`` (before the next tag starts) gives it a value."""

    def __init__(self, census: _Census, totals: _Totals, limits: Limits, shared: array):
        self.census, self.totals, self.limits, self.shared = census, totals, limits, shared
        self.row, self.column = -1, -1
        self.cell: list | None = None  # the cell being read: [row, column, has content, has formula, has value]
        self.in_value = False
        self.shared_index: list[str] | None = None  # the <v> text of a shared-string cell, as it comes
        self.in_inline = False  # inside the cell's <is>: its text counts

    def start(self, tag: str, attrib: dict) -> None:
        name = _local(tag)
        self.in_value = False
        if name == "c":
            self._finish()
            self.totals.cells += 1  # exact, whatever the encoding (the byte count of pass one reads UTF-8 only)
            if self.totals.cells > self.limits.max_cells:
                raise UnreadableFile("too_many_cells", sheet=self.census.where, total=self.totals.cells,
                                     limit=self.limits.max_cells)
            self.cell = [*self._position(attrib.get("r")), False, False, False]
            self.shared_index = [] if attrib.get("t") == "s" else None
        elif name == "row":
            self._finish()
            self.row, self.column = self._row_number(attrib.get("r")), -1
        elif self.cell is not None and name in ("v", "is", "f"):
            self.cell[2] = True
            if name == "f":
                self.cell[3] = True
            self.in_value = name == "v"
            self.in_inline = self.in_inline or name == "is"

    def data(self, text: str) -> None:
        if self.in_value and not text.isspace():
            self.cell[4] = True
            if self.shared_index is not None:
                self.shared_index.append(text)
        elif self.in_inline:
            self._add_text(len(text))

    def close(self) -> None:
        self._finish()

    def _finish(self) -> None:
        if self.cell is None:
            return
        row, column, content, formula, value = self.cell
        self.cell, self.in_inline = None, False
        if content:
            self._extend(row, column)
        if formula and not value:
            self.census.formulas.add((row, column))
        if self.shared_index:
            index = "".join(self.shared_index).strip()
            if index.isdigit() and len(index) < 10 and int(index) < len(self.shared):
                self._add_text(self.shared[int(index)])  # calamine copies the string into every cell using it
        self.shared_index = None

    def _add_text(self, characters: int) -> None:
        self.totals.text += characters
        if self.totals.text > self.limits.max_text:
            raise UnreadableFile("too_much_text", sheet=self.census.where, total=self.totals.text,
                                 limit=self.limits.max_text)

    def _position(self, ref: str | None) -> tuple[int, int]:
        """Zero-based (row, column): the cell's ``r`` if it has one, else the next column of the current row, the
        way calamine places cells written without references."""
        if ref is None:
            self.column += 1
            return self.row, self.column
        match = _REF.fullmatch(ref)
        if match is None:
            raise UnreadableFile("unreadable_file",
                                 detail=f"工作表“{self.census.where}”中的单元格位置“{short(ref, 20)}”无效")
        self.column = _column_index(match.group(1))
        return int(match.group(2)) - 1, self.column

    def _row_number(self, ref: str | None) -> int:
        if ref is None:
            return self.row + 1
        if _ROW.fullmatch(ref) is None:
            raise UnreadableFile("unreadable_file", detail=f"工作表“{self.census.where}”中的行号“{short(ref, 20)}”无效")
        return int(ref) - 1

    def _extend(self, row: int, column: int) -> None:
        census, limits = self.census, self.limits
        if row < census.rows and column < census.columns:
            return
        census.rows, census.columns = max(census.rows, row + 1), max(census.columns, column + 1)
        if census.rows > limits.max_rows or census.columns > limits.max_columns:
            raise UnreadableFile("sheet_too_large", sheet=census.where, rows=census.rows, columns=census.columns,
                                 max_rows=limits.max_rows, max_columns=limits.max_columns)
        if self.totals.area + census.rows * census.columns > limits.max_cells:
            raise self.totals.too_many(census, self.totals.area + census.rows * census.columns, limits.max_cells)


class _SharedStrings(ooxml.XmlHandler):
    """The length of each shared string (all the text inside its ``<si>``). calamine keeps every one of them
    and copies one into each cell that refers to it: a single long string used by many cells is a memory bomb
    no archive rule sees, so the census counts the copies. Their number is bounded like the cells'."""

    def __init__(self, max_strings: int):
        self.lengths = array("L")
        self.max_strings = max_strings

    def start(self, tag: str, _attrib: dict) -> None:
        if _local(tag) == "si":
            self.lengths.append(0)
            if len(self.lengths) > self.max_strings:
                raise UnreadableFile("too_many_cells", sheet=self.where, total=f"{self.max_strings}+",
                                     limit=self.max_strings)

    def data(self, text: str) -> None:
        if self.lengths:
            self.lengths[-1] += len(text)


class _SheetList(ooxml.XmlHandler):
    """(name, relationship id) of each sheet listed in xl/workbook.xml, in order."""

    def __init__(self, max_sheets: int):
        self.entries: list[tuple[str, str]] = []
        self.max_sheets = max_sheets

    def start(self, tag: str, attrib: dict) -> None:
        if ooxml.local_name(tag) != "sheet":
            return
        self.entries.append((attrib.get("name") or "", attrib.get(f"{{{_REL_NS}}}id") or attrib.get("id") or ""))
        if len(self.entries) > self.max_sheets:
            raise UnreadableFile("too_many_sheets", sheets=f"{self.max_sheets}+", limit=self.max_sheets)


class _Relationships(ooxml.XmlHandler):
    def __init__(self):
        self.targets: dict[str, str] = {}

    def start(self, tag: str, attrib: dict) -> None:
        if ooxml.local_name(tag) == "Relationship" and attrib.get("Id") and attrib.get("Target"):
            self.targets[attrib["Id"]] = attrib["Target"]


def _sheet_paths(entries: list[tuple[str, str]], targets: dict[str, str]) -> dict[str, str]:
    """Lower-cased member path → sheet name, resolved as calamine does: ``/x`` is from the package root, anything
    else is under ``xl/``, looked up exactly but for case (tried: calamine resolves neither ``./``, ``../``,
    ``%xx`` nor doubled slashes)."""
    paths = {}
    for name, rel_id in entries:
        target = targets.get(rel_id)
        if target:
            path = target[1:] if target.startswith("/") else f"xl/{target}"
            paths.setdefault(path.lower(), name)
    return paths


def scan_xlsx(data: bytes, limits: Limits) -> dict[str, set[tuple[int, int]]]:
    """Check the whole package against the limits; return, per sheet name, the cells holding a formula without a
    cached value. Raises ``UnreadableFile`` on the first limit passed.

    Two passes, so that the cheap checks refuse before the expensive ones start: first every member is inflated
    and checked (sizes, checksum, the package's budget) and the cell tags of the sheets are counted (C speed);
    then the XML is parsed — the sheets cell by cell, the other members only for well-formedness."""
    infos = ooxml.open_package(data, ".xlsx", limits.max_unzipped_mb, limits.max_ratio)
    budget = ooxml.Budget(limits.max_unzipped_mb)
    for other in _OTHER_FORMATS:
        if _member(infos, other) is not None:  # calamine might open it as that format, which nothing here counts
            raise UnreadableFile("unreadable_file", detail=f"文件含有其他表格格式的部件“{other}”，不是 .xlsx 工作簿")
    workbook, rels = _member(infos, "xl/workbook.xml"), _member(infos, "xl/_rels/workbook.xml.rels")
    if workbook is None:
        raise UnreadableFile("unreadable_file", detail="压缩包中没有 xl/workbook.xml，不是 Excel 工作簿")
    listing, relationships = _SheetList(limits.max_sheets), _Relationships()
    ooxml.parse_xml(ooxml.member_chunks(data, workbook, budget), workbook.filename, listing)
    if rels is not None:
        ooxml.parse_xml(ooxml.member_chunks(data, rels, budget), rels.filename, relationships)
    sheets = _sheet_paths(listing.entries, relationships.targets)
    rest = [info for info in infos if info is not workbook and info is not rels]
    _check_members(data, rest, sheets, budget, limits)
    strings = _SharedStrings(limits.max_cells)
    shared = _member(rest, "xl/sharedstrings.xml")  # where calamine looks for them, whatever the relationships say
    if shared is not None:
        ooxml.parse_xml(ooxml.member_chunks(data, shared, ooxml.Budget(limits.max_unzipped_mb)), shared.filename,
                        strings)
    totals = _Totals()
    found: dict[str, set[tuple[int, int]]] = {}
    for info in rest:
        key = info.filename.lower()
        if info is shared:
            continue
        chunks = ooxml.member_chunks(data, info, ooxml.Budget(limits.max_unzipped_mb))  # counted in pass one
        if key in sheets:
            census = _Census(where=sheets[key])
            ooxml.parse_xml(chunks, census.where, _CellCensus(census, totals, limits, strings.lengths))
            totals.area += census.rows * census.columns
            if totals.largest is None or census.rows * census.columns > totals.largest.rows * totals.largest.columns:
                totals.largest = census
            found.setdefault(sheets[key], set()).update(census.formulas)
        elif key.endswith((".xml", ".rels")):
            ooxml.parse_xml(chunks, info.filename)  # well-formed, no DTD: nothing else is read from it
    return found


def _member(infos: list[zipfile.ZipInfo], path: str) -> zipfile.ZipInfo | None:
    """The member at ``path``, matched as calamine matches (case-insensitively; the last of duplicates)."""
    matches = [info for info in infos if info.filename.lower() == path]
    return matches[-1] if matches else None


def _check_members(data: bytes, infos: list[zipfile.ZipInfo], sheets: dict[str, str], budget: ooxml.Budget,
                   limits: Limits) -> None:
    """Pass one: inflate every member through the counting loop; count the sheets' cell tags, the shared strings,
    and the tags of both."""
    cells = tags = 0
    for info in infos:
        key = info.filename.lower()
        if key not in sheets and key != "xl/sharedstrings.xml":
            ooxml.drain(ooxml.member_chunks(data, info, budget))
            continue
        where = sheets.get(key, info.filename)
        chunks = _utf8_only(ooxml.member_chunks(data, info, budget), where)
        counts = _count_tags(chunks, _CELL_STARTS, _STRING_STARTS, (b"<",))
        if key in sheets:
            cells += counts[0]
            if cells > limits.max_cells:
                raise UnreadableFile("too_many_cells", sheet=where, total=cells, limit=limits.max_cells)
        elif counts[1] > limits.max_cells:
            raise UnreadableFile("too_many_cells", sheet=where, total=counts[1], limit=limits.max_cells)
        tags += counts[2]
        if tags > TAGS_PER_CELL * limits.max_cells:
            raise UnreadableFile("unreadable_file", detail=f"“{short(where)}”中的 XML 标记超过 "
                                 f"{TAGS_PER_CELL * limits.max_cells} 个，已拒绝（可能是恶意文件）")


def _utf8_only(chunks: Iterable[bytes], where: str) -> Iterable[bytes]:
    """Refuse a sheet in UTF-16 or UTF-32 (a byte-order mark, or a NUL among the first bytes): calamine reads such
    a sheet as empty, so the file could only mislead, and the byte counts above assume UTF-8."""
    first = True
    for chunk in chunks:
        if first and (chunk[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in chunk[:4]):
            raise UnreadableFile("unreadable_file", detail=f"“{short(where)}”不是 UTF-8 编码的 XML")
        first = False
        yield chunk
