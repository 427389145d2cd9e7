"""Hostile uploads, built in code (nothing binary is committed): the penetration test's findings of issue #13 and
their relatives, plus ordinary workbooks as controls.

Each builder returns the file's bytes. The .xlsx ones are assembled member by member with ``zipfile`` (``package``)
so that the XML can be anything at all; ``patch_sizes`` then rewrites a member's declared sizes in the local and
central headers, the way a hand-crafted zip lies about itself. Expensive builders are cached: a test module asks
for the same file several times.
"""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


# --------------------------------------------------------------------------------------------- building blocks

def _content_types(n: int, shared_strings: bool) -> bytes:
    sheets = "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/'
                     f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(n))
    strings = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
               'officedocument.spreadsheetml.sharedStrings+xml"/>') if shared_strings else ""
    return XML_HEAD + (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        f'spreadsheetml.sheet.main+xml"/>{sheets}{strings}</Types>').encode()


def package(sheets: list[tuple[str, bytes]], *, shared_strings: bytes | None = None,
            extra: list[tuple[str, bytes]] = (), level: int = 6) -> bytes:
    """A minimal .xlsx that calamine opens: ``sheets`` are (name, worksheet XML), written as
    ``xl/worksheets/sheetN.xml``; ``extra`` members are added as they are."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", _content_types(len(sheets), shared_strings is not None))
        archive.writestr("_rels/.rels", XML_HEAD + (
            f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" Type="{REL_NS}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>').encode())
        entries = "".join(f'<sheet name="{name}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                          for i, (name, _) in enumerate(sheets))
        archive.writestr("xl/workbook.xml", XML_HEAD + (
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>{entries}</sheets></workbook>').encode())
        rels = "".join(f'<Relationship Id="rId{i + 1}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                       for i in range(len(sheets)))
        if shared_strings is not None:
            rels += (f'<Relationship Id="rId{len(sheets) + 1}" Type="{REL_NS}/sharedStrings" '
                     'Target="sharedStrings.xml"/>')
            archive.writestr("xl/sharedStrings.xml", shared_strings)
        archive.writestr("xl/_rels/workbook.xml.rels",
                         XML_HEAD + f'<Relationships xmlns="{PKG_REL_NS}">{rels}</Relationships>'.encode())
        for i, (_, xml) in enumerate(sheets):
            archive.writestr(f"xl/worksheets/sheet{i + 1}.xml", xml)
        for name, content in extra:
            archive.writestr(name, content)
    return out.getvalue()


def worksheet(rows: bytes, *, before: bytes = b"", after: bytes = b"", doctype: bytes = b"") -> bytes:
    """Worksheet XML around ``rows`` (the inside of ``<sheetData>``); ``after`` goes after ``</sheetData>``."""
    return (XML_HEAD + doctype + f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'.encode() + before
            + b"<sheetData>" + rows + b"</sheetData>" + after + b"</worksheet>")


def cell(ref: str, value: object) -> bytes:
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'.encode()
    return f'<c r="{ref}"><v>{value}</v></c>'.encode()


def row(number: int, *cells: bytes) -> bytes:
    return f'<row r="{number}">'.encode() + b"".join(cells) + b"</row>"


def letters(column: int) -> str:
    """Zero-based column → Excel letters."""
    out = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def small_table() -> bytes:
    """Three rows of a return, for sheets that must otherwise look real."""
    return (row(1, cell("A1", "县（市、区）"), cell("B1", "劳务品牌培训人数（人）"))
            + row(2, cell("A2", "涪城区"), cell("B2", 620)) + row(3, cell("A3", "游仙区"), cell("B3", 410)))


def patch_sizes(data: bytes, member: str, *, size: int, crc: int | None = None) -> bytes:
    """The same zip, with ``member``'s uncompressed size (and optionally CRC) rewritten in both its local header
    and its central directory entry: what a hand-made archive that lies about itself looks like."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    out = bytearray(data)
    struct.pack_into("<I", out, info.header_offset + 22, size)
    if crc is not None:
        struct.pack_into("<I", out, info.header_offset + 14, crc)
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + name_length] == member.encode():
            struct.pack_into("<I", out, at + 24, size)
            if crc is not None:
                struct.pack_into("<I", out, at + 16, crc)
        at += 4
    return bytes(out)


def _deflated_member(name: str, pieces, size: int) -> tuple[zipfile.ZipInfo, bytes]:
    """A deflated member built from an iterator of byte pieces without holding the whole content in memory."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    crc, compressed = 0, bytearray()
    for piece in pieces:
        crc = zlib.crc32(piece, crc)
        compressed += packer.compress(piece)
    compressed += packer.flush()
    info = zipfile.ZipInfo(name, date_time=(2023, 7, 1, 0, 0, 0))
    info.compress_type, info.CRC, info.file_size, info.compress_size = zipfile.ZIP_DEFLATED, crc, size, len(compressed)
    return info, bytes(compressed)


def _with_member(data: bytes, replace: str, info: zipfile.ZipInfo, compressed: bytes) -> bytes:
    """``data`` with one member replaced by already-compressed bytes (written raw, as zipfile would)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != replace:
                target.writestr(item, source.read(item.filename))
    # zipfile has no public way to write raw deflate data: append the member by hand and rebuild the directory.
    body = out.getvalue()
    end = body.rfind(b"PK\x05\x06")
    entries, directory_size, directory_at = struct.unpack_from("<HII", body, end + 10)
    directory = body[directory_at:directory_at + directory_size]
    name = info.filename.encode()
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x5721, info.CRC, info.compress_size,
                        info.file_size, len(name), 0) + name
    offset = directory_at
    central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x5721, info.CRC,
                          info.compress_size, info.file_size, len(name), 0, 0, 0, 0, 0, offset) + name
    new_directory = directory + central
    tail = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, entries + 1, entries + 1, len(new_directory),
                       offset + len(local) + len(compressed), 0)
    return body[:directory_at] + local + compressed + new_directory + tail


# --------------------------------------------------------------------------------------------- finding 1: cells

def far_corner(sheets: int = 1, row_number: int = 60_000, column: int = 499) -> bytes:
    """The penetration test's 2 KB file: each sheet has ``A1`` and one cell in a far corner (row 60,000, column
    500): under the per-sheet limit of 60,000 × 512, but a 30-million-cell rectangle for calamine."""
    corner = f"{letters(column)}{row_number}"
    xml = worksheet(row(1, cell("A1", "x")) + row(row_number, cell(corner, 1)),
                    before=f'<dimension ref="A1:{corner}"/>'.encode())
    return package([(f"表{i + 1}", xml) for i in range(sheets)])


def sparse_sheets(sheets: int = 3, rows: int = 2_000, columns: int = 500) -> bytes:
    """Several sheets, each a 1-million-cell rectangle (two cells really) — under every per-sheet limit and under
    the total alone, over the total together."""
    corner = f"{letters(columns - 1)}{rows}"
    xml = worksheet(row(1, cell("A1", "x")) + row(rows, cell(corner, 1)))
    return package([(f"表{i + 1}", xml) for i in range(sheets)])


def lying_dimension() -> bytes:
    """A sheet that declares a small ``<dimension>`` over a far-corner cell: the declaration is not believed."""
    xml = worksheet(row(1, cell("A1", "x")) + row(60_000, cell("SE60000", 1)), before=b'<dimension ref="A1:B3"/>')
    return package([("数据", xml)])


@lru_cache(maxsize=1)
def many_cell_tags(rows: int = 60_000, columns: int = 36) -> bytes:
    """2.16 million empty ``<c r="…"/>`` (no content, so no rectangle to speak of), each one costing parsing;
    real references keep the compression ratio ordinary (~20), so no archive rule refuses it first."""
    names = [letters(c).encode() for c in range(columns)]
    body = b"".join(b'<row r="%d">' % r + b"".join(b'<c r="%s%d"/>' % (n, r) for n in names) + b"</row>"
                    for r in range(1, rows + 1))
    return package([("数据", worksheet(body))], level=1)


def element_flood(sheets: int = 70, per_sheet: int = 250_000) -> bytes:
    """17.5 million empty elements that are not cells, 1 MB of ``<x/>`` per sheet (each member under the 1 MiB
    from which the ratio rule applies): each would cost the census a Python call."""
    xml = worksheet(small_table(), after=b"<x/>" * per_sheet)
    return package([(f"S{i}", xml) for i in range(sheets)], level=9)


def utf16_sheet() -> bytes:
    """A sheet in UTF-16: libxml2 reads it, calamine reads it as empty."""
    text = worksheet(small_table()).decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    return package([("数据", text.encode("utf-16"))])


def many_sheets(count: int = 1_000) -> bytes:
    xml = worksheet(row(1, cell("A1", 1)))
    return package([(f"S{i}", xml) for i in range(count)])


# --------------------------------------------------------------------------------------------- finding 2: XML

def unclosed_cells_in_comment(size: int = 1_000_000) -> bytes:
    """``<c>`` tags that never close, inside a comment after ``</sheetData>``: valid XML (a comment is text), which
    made the old regular expression backtrack quadratically. Kept just under 1 MiB so the ratio rule (members
    over 1 MiB) does not refuse it first. It must be read, quickly, as the table it is."""
    return package([("数据", worksheet(small_table(), after=b"<!--" + b"<c>" * (size // 3) + b"-->"))])


def unclosed_cells_bare(count: int = 100_000) -> bytes:
    """The same tags outside a comment: not XML at all."""
    return package([("数据", worksheet(small_table(), after=b"<c>" * count))])


def one_unclosed_cell() -> bytes:
    return package([("数据", worksheet(row(1, b'<c r="A1"><v>1</v>') + row(2, cell("A2", 2))))])


def deep_nesting(depth: int = 100_000) -> bytes:
    return package([("数据", worksheet(small_table(), after=b"<x>" * depth + b"</x>" * depth))])


def entity_expansion() -> bytes:
    """A billion laughs in the sheet's DTD."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    doctype = f"<!DOCTYPE worksheet [{entities}]>".encode()
    return package([("数据", worksheet(row(1, b'<c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c>'), doctype=doctype))])


def external_entity() -> bytes:
    doctype = b'<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    return package([("数据", worksheet(row(1, b'<c r="A1" t="inlineStr"><is><t>&secret;</t></is></c>'),
                                     doctype=doctype))])


def dtd_in_workbook_xml() -> bytes:
    data = package([("数据", worksheet(small_table()))])
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                content = content.replace(XML_HEAD, XML_HEAD + b'<!DOCTYPE workbook SYSTEM "http://example.com/x.dtd">')
            target.writestr(item.filename, content)
    return out.getvalue()


def bad_cell_reference() -> bytes:
    return package([("数据", worksheet(row(1, b'<c r="A' + b"9" * 5000 + b'"><v>1</v></c>')))])


# --------------------------------------------------------------------------------------------- finding 3: archives

def lying_size() -> bytes:
    """A sheet member whose declared size (1,000 bytes, with the checksum of those 1,000) is smaller than its
    content (~10 MB)."""
    rows = b"".join(row(i, cell(f"A{i}", i)) for i in range(1, 200_001))
    xml = worksheet(rows)
    data = package([("数据", xml)])
    return patch_sizes(data, "xl/worksheets/sheet1.xml", size=1_000, crc=zlib.crc32(xml[:1_000]))


@lru_cache(maxsize=1)
def lying_bomb(size_mb: int = 200) -> bytes:
    """A sheet that declares 1 KB and inflates to ``size_mb`` MB: under every declared-size check."""
    chunk = b" " * (1024 * 1024)
    pieces = [XML_HEAD + f'<worksheet xmlns="{MAIN_NS}">'.encode()] + [chunk] * size_mb
    info, compressed = _deflated_member("xl/worksheets/sheet1.xml", pieces, 1_000)
    return _with_member(package([("数据", worksheet(small_table()))]), "xl/worksheets/sheet1.xml", info, compressed)


def zip_bomb_under_ratio(members: int = 120) -> bytes:
    """Many members just under 1 MiB (the ratio rule starts at 1 MiB), together 120 MB."""
    filler = b"<x/>" * 250_000  # 1,000,000 bytes
    return package([("数据", worksheet(small_table()))],
                   extra=[(f"xl/media/filler{i}.xml", filler) for i in range(members)], level=9)


def classic_zip_bomb() -> bytes:
    """One member of 150 MB of zeros: refused by its compression ratio."""
    info, compressed = _deflated_member("xl/worksheets/sheet1.xml", [b"0" * (1024 * 1024)] * 150, 150 * 1024 * 1024)
    return _with_member(package([("数据", worksheet(small_table()))]), "xl/worksheets/sheet1.xml", info, compressed)


def truncated_zip() -> bytes:
    data = package([("数据", worksheet(b"".join(row(i, cell(f"A{i}", i)) for i in range(1, 5_000))))])
    return data[:len(data) // 2] + data[-22:]  # the directory's tail kept, the middle gone


def cfb_polyglot() -> bytes:
    """An .xls compound-file header in front of a far-corner .xlsx: zipfile finds the zip at the end, calamine
    tries .xls first."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + far_corner()


def xlsb_parts() -> bytes:
    """An .xlsx that also carries an .xlsb's workbook part (calamine's next guess if the .xlsx part fails)."""
    return package([("数据", worksheet(small_table()))], extra=[("xl/workbook.bin", b"\x83\x01\x00")])


def ods_parts() -> bytes:
    return package([("数据", worksheet(small_table()))],
                   extra=[("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
                          ("content.xml", XML_HEAD + b"<office:document-content/>")])


def not_a_zip() -> bytes:
    return b"PK\x03\x04" + b"\x00" * 2000


def shared_string_bomb(cells: int = 30_000, length: int = 32_000) -> bytes:
    """One 32,000-character shared string, referenced by 30,000 cells: a small, honest archive (every member
    under 1 MiB, ratios unremarkable) under every cell limit, that calamine turns into 30,000 copies — about a
    gigabyte."""
    strings = XML_HEAD + (f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>{"字" * length}</t></si>'
                          '</sst>').encode()
    columns = 30
    rows = b"".join(
        f'<row r="{r + 1}">'.encode()
        + b"".join(f'<c r="{letters(c)}{r + 1}" t="s"><v>0</v></c>'.encode() for c in range(columns))
        + b"</row>" for r in range(cells // columns))
    return package([("数据", worksheet(rows))], shared_strings=strings)


@lru_cache(maxsize=1)
def many_shared_strings(count: int = 2_100_000) -> bytes:
    """2.1 million distinct shared strings (calamine keeps them all), used by no cell."""
    strings = XML_HEAD + f'<sst xmlns="{MAIN_NS}">'.encode() + b"".join(
        b"<si><t>%d</t></si>" % i for i in range(count)) + b"</sst>"
    return package([("数据", worksheet(small_table()))], shared_strings=strings, level=1)


def xls_far_corner(sheets: int = 3) -> bytes:
    """A legacy .xls with ``A1`` and a cell at row 60,000, column 256 on each sheet: BIFF8 has no XML to count
    beforehand, and calamine builds each 15-million-cell rectangle (~490 MB) as it opens the sheet. Only the
    sandbox's memory limit stops this one."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    for i in range(sheets):
        sheet = book.add_sheet(f"表{i + 1}")
        sheet.write(0, 0, "x")
        sheet.write(59_999, 255, 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------------------------- CSV

def csv_long_field(length: int = 200_000) -> bytes:
    """A field over Python's csv field limit (131,072 characters)."""
    return "县（市、区）,劳务品牌培训人数\n涪城区,".encode() + b'"' + b"1" * length + b'"\n'


def csv_many_columns(columns: int = 1_000_000) -> bytes:
    return "县（市、区）".encode() + b",1" * columns + b"\n"


def csv_many_cells(rows: int = 5_000, columns: int = 500) -> bytes:
    """Each row within 512 columns and the file within 10 MB, 2.5 million cells together."""
    return (b",".join([b"1"] * columns) + b"\n") * rows


# --------------------------------------------------------------------------------------------- .docx

def _docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def plan_docx() -> bytes:
    """A control: a small plan text as Word saves it."""
    return _docx(["二、重点任务", "（一）鼓励返乡创业。2023年开展农民工返乡创业培训3.3万人。（人力资源社会保障厅负责）"])


@lru_cache(maxsize=1)
def docx_bomb(size_mb: int = 300) -> bytes:
    """A .docx whose document.xml inflates to ``size_mb`` MB of paragraphs (honestly declared)."""
    head = (XML_HEAD + b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            b"<w:body>")
    paragraph = b"<w:p><w:r><w:t>" + "农民工".encode() * 20 + b"</w:t></w:r></w:p>"
    chunk = paragraph * (1024 * 1024 // len(paragraph))
    body = [head] + [chunk] * size_mb + [b"</w:body></w:document>"]
    info, compressed = _deflated_member("word/document.xml", body, sum(map(len, body)))
    return _with_member(plan_docx(), "word/document.xml", info, compressed)


@lru_cache(maxsize=1)
def docx_lying_bomb(size_mb: int = 200) -> bytes:
    """document.xml declared as 1 KB, inflating to ``size_mb`` MB."""
    info, compressed = _deflated_member("word/document.xml", [b" " * (1024 * 1024)] * size_mb, 1_000)
    return _with_member(plan_docx(), "word/document.xml", info, compressed)


# --------------------------------------------------------------------------------------------- controls

def control_workbook() -> bytes:
    """The real template of the plan, filled in as an official would (with its hidden ``_meta`` sheet)."""
    from tests.intake_files import JUNE, filled_template

    return filled_template(figures=JUNE)


def control_variety() -> bytes:
    """Every kind of value a sheet gives the intake: text, int-like and fractional numbers, a date, a datetime, a
    boolean, a merged title, a formula with a cached value and one without, a hidden sheet."""
    from tests.intake_files import SheetSpec, xlsx

    rows = [["2023年6月农民工工作统计表"], ["填报单位：绵阳市人社局", None, datetime(2023, 6, 30, 17, 30)],
            ["县（市、区）", "人数", "比例", "日期", "是否", "合计", "空公式"],
            ["涪城区", 620, 0.125, date(2023, 6, 1), True, "=B4*2", "=B4+1"]]
    return xlsx(sheets=[SheetSpec("数据", rows, ["A1:G1"], cached={"F4": 1240}),
                        SheetSpec("备注", [["内部"]], hidden=True)])


def big_honest_workbook(rows: int = 20_000, columns: int = 30) -> bytes:
    """600,000 numbers, inside every limit: slow enough (seconds) to show the time limits at work."""
    body = b"".join(
        f'<row r="{r + 1}">'.encode()
        + b"".join(f'<c r="{letters(c)}{r + 1}"><v>{r * columns + c}</v></c>'.encode() for c in range(columns))
        + b"</row>" for r in range(rows))
    return package([("数据", worksheet(body))], level=1)


# --------------------------------------------------------------------------------------------- the cases

@dataclass(frozen=True)
class Hostile:
    """A hostile file and the refusal it must get (tests/test_hostile_files.py; costs: tests/hostile_costs.py)."""

    id: str
    make: Callable[[], bytes]
    name: str
    code: str
    in_process: bool = True  # False: only the sandbox's limits stop it (never read it in the test process)


HOSTILE = [
    # finding 1: cells calamine would build
    Hostile("far_corner", far_corner, "远角.xlsx", "too_many_cells"),
    Hostile("far_corner_three_sheets", lambda: far_corner(sheets=3), "远角3.xlsx", "too_many_cells"),
    Hostile("sparse_sheets_over_the_total", sparse_sheets, "稀疏.xlsx", "too_many_cells"),
    Hostile("lying_dimension", lying_dimension, "尺寸.xlsx", "too_many_cells"),
    Hostile("millions_of_empty_cells", many_cell_tags, "空单元格.xlsx", "too_many_cells"),
    Hostile("many_sheets", many_sheets, "多表.xlsx", "too_many_sheets"),
    Hostile("element_flood_over_seventy_sheets", element_flood, "元素.xlsx", "unreadable_file"),
    Hostile("utf16_sheet", utf16_sheet, "UTF16.xlsx", "unreadable_file"),
    # finding 2: XML
    Hostile("unclosed_cells_outside_a_comment", unclosed_cells_bare, "未闭合.xlsx", "unreadable_file"),
    Hostile("one_unclosed_cell", one_unclosed_cell, "一个未闭合.xlsx", "unreadable_file"),
    Hostile("billion_laughs", entity_expansion, "实体.xlsx", "unreadable_file"),
    Hostile("external_entity", external_entity, "外部实体.xlsx", "unreadable_file"),
    Hostile("dtd_in_workbook_xml", dtd_in_workbook_xml, "工作簿DTD.xlsx", "unreadable_file"),
    Hostile("absurd_cell_reference", bad_cell_reference, "引用.xlsx", "unreadable_file"),
    # finding 3: archives and damage
    Hostile("declared_size_smaller_than_content", lying_size, "大小不符.xlsx", "unreadable_file"),
    Hostile("lying_bomb_200_mb", lying_bomb, "谎报炸弹.xlsx", "unreadable_file"),
    Hostile("zip_bomb_under_the_ratio_rule", zip_bomb_under_ratio, "多成员炸弹.xlsx", "archive_bomb"),
    Hostile("classic_zip_bomb", classic_zip_bomb, "炸弹.xlsx", "archive_bomb"),
    Hostile("truncated_zip", truncated_zip, "截断.xlsx", "unreadable_file"),
    Hostile("not_a_zip", not_a_zip, "假的.xlsx", "unreadable_file"),
    Hostile("xlsx_named_xls", far_corner, "远角.xls", "too_many_cells"),
    Hostile("xls_header_before_a_zip", cfb_polyglot, "混合.xlsx", "unreadable_file"),
    Hostile("xls_header_before_a_zip_named_xls", cfb_polyglot, "混合.xls", "unreadable_file"),
    Hostile("xlsb_parts_inside", xlsb_parts, "xlsb.xlsx", "unreadable_file"),
    Hostile("ods_parts_inside", ods_parts, "ods.xlsx", "unreadable_file"),
    Hostile("neither_xls_nor_zip", lambda: b"\x00" * 4096, "空.xls", "unreadable_file"),
    Hostile("shared_string_bomb", shared_string_bomb, "共享字符串.xlsx", "too_much_text"),
    Hostile("millions_of_shared_strings", many_shared_strings, "多字符串.xlsx", "too_many_cells"),
    Hostile("xls_far_corner", xls_far_corner, "远角.xls", "too_much_memory", in_process=False),
    Hostile("csv_field_over_the_limit", csv_long_field, "长字段.csv", "unreadable_file"),
    Hostile("csv_million_columns", csv_many_columns, "多列.csv", "sheet_too_large"),
    Hostile("csv_millions_of_cells", csv_many_cells, "多单元格.csv", "too_many_cells"),
]
DOCX = [
    Hostile("docx_300_mb", docx_bomb, "方案.docx", "archive_bomb"),
    Hostile("docx_lying_200_mb", docx_lying_bomb, "方案.docx", "unreadable_file"),
    Hostile("docx_not_a_zip", not_a_zip, "方案.docx", "unreadable_file"),
]
