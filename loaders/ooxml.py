"""Reading an Office Open XML package (.xlsx, .docx) without believing what it says about itself.

A zip archive declares each member's sizes and checksum; a hostile one lies. So the sizes are checked twice:
first as declared (cheap, refuses the honest bomb before anything is inflated), then as *actually* produced, by
inflating each member ourselves from its raw bytes through a counting loop that stops at the limit. A member that
inflates to more (or less) than it declared, or whose checksum differs, is refused — never expanded.

XML members go through ``parse_xml``: libxml2 fed chunk by chunk with a *target* (callbacks, no tree, so memory
stays flat however large the member), no DTD (a document type declaration is refused outright, so no entity is
ever defined, let alone expanded), no network, libxml2's default size limits (``huge_tree=False``: one text node
or one buffered token ≤ 10 MB). Parsing is linear in the input: nothing here backtracks.
"""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .errors import UnreadableFile, reraise_fatal, short

CHUNK = 64 * 1024
#: Members of one package; a real workbook has a few dozen (≈ 3 per sheet). Parsing a central directory is linear,
#: but each member costs a little, and 10 MB of empty entries would be ~200,000 of them.
MAX_MEMBERS = 2000
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")  # signature … file name length, extra field length: 30 bytes


@dataclass
class Budget:
    """Decompressed bytes still allowed for the whole package: every member inflated draws on it."""

    limit_mb: int
    used: int = 0

    def draw(self, n: int) -> None:
        self.used += n
        if self.used > self.limit_mb * 1024 * 1024:
            raise UnreadableFile("archive_bomb", size=f"{self.used / 1024 / 1024:.0f}+", limit=self.limit_mb)


def open_package(data: bytes, kind: str, max_unzipped_mb: int, max_ratio: int) -> list[zipfile.ZipInfo]:
    """The members of the package, after refusing what its central directory already gives away: not a zip, too
    many members, a declared total beyond the limit, a member compressed suspiciously well (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except BaseException as exc:  # BadZipFile, and ValueError/struct.error/OverflowError for mangled directories
        reraise_fatal(exc)
        raise UnreadableFile("unreadable_file", detail=f"不是有效的 {kind}（zip）文件") from exc
    if len(members) > MAX_MEMBERS:
        raise UnreadableFile("unreadable_file", detail=f"压缩包内有 {len(members)} 个文件，超过上限 {MAX_MEMBERS} 个")
    total = sum(m.file_size for m in members)
    if total > max_unzipped_mb * 1024 * 1024:
        raise UnreadableFile("archive_bomb", size=f"{total / 1024 / 1024:.0f}", limit=max_unzipped_mb)
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > max_ratio * max(member.compress_size, 1):
            raise UnreadableFile("archive_bomb", size=f"{total / 1024 / 1024:.0f}", limit=max_unzipped_mb)
    return members


def _raw(data: bytes, member: zipfile.ZipInfo) -> memoryview:
    """The member's compressed bytes, located through its local header (whose name and extra field lengths may
    differ from the central directory's; the data starts after the local ones)."""
    name = short(member.filename)
    start = member.header_offset
    if start < 0 or start + _LOCAL_HEADER.size > len(data):
        raise UnreadableFile("unreadable_file", detail=f"压缩包中“{name}”的位置超出文件范围，文件不完整或已损坏")
    fields = _LOCAL_HEADER.unpack_from(data, start)
    if fields[0] != b"PK\x03\x04":
        raise UnreadableFile("unreadable_file", detail=f"压缩包中“{name}”的文件头已损坏")
    begin = start + _LOCAL_HEADER.size + fields[9] + fields[10]
    if begin + member.compress_size > len(data):
        raise UnreadableFile("unreadable_file", detail=f"压缩包中“{name}”的数据不完整，文件已截断")
    return memoryview(data)[begin:begin + member.compress_size]


def _inflate(raw: memoryview, member: zipfile.ZipInfo) -> Iterator[bytes]:
    """Inflate in bounded steps: at most ``CHUNK`` bytes of output per call, whatever the input asks for."""
    if member.compress_type == zipfile.ZIP_STORED:
        for at in range(0, len(raw), CHUNK):
            yield bytes(raw[at:at + CHUNK])
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    at = 0
    while not inflater.eof:
        if inflater.unconsumed_tail:
            piece = inflater.unconsumed_tail
        else:
            piece, at = raw[at:at + CHUNK], at + CHUNK
        try:
            out = inflater.decompress(piece, CHUNK)
        except zlib.error as exc:
            raise UnreadableFile("unreadable_file", detail=f"压缩包中“{short(member.filename)}”的压缩数据已损坏") \
                from exc
        if out:
            yield out
        elif not piece:  # input used up and nothing more comes out
            break
    if not inflater.eof:
        raise UnreadableFile("unreadable_file", detail=f"压缩包中“{short(member.filename)}”的压缩数据不完整")


def member_chunks(data: bytes, member: zipfile.ZipInfo, budget: Budget) -> Iterator[bytes]:
    """The member's content, chunk by chunk, as it really inflates: refused as soon as it outgrows what it
    declared or the package's budget, and at the end if it came out short or with another checksum."""
    name = short(member.filename)
    if member.flag_bits & 0x1:
        raise UnreadableFile("unreadable_file", detail=f"压缩包中“{name}”已加密，无法读取")
    if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise UnreadableFile("unreadable_file", detail=f"压缩包中“{name}”使用了不支持的压缩方式")
    produced, crc = 0, 0
    for chunk in _inflate(_raw(data, member), member):
        produced += len(chunk)
        if produced > member.file_size:
            raise UnreadableFile("unreadable_file",
                                 detail=f"压缩包中“{name}”解压后比声明的 {member.file_size} 字节大（可能是恶意文件）")
        budget.draw(len(chunk))
        crc = zlib.crc32(chunk, crc)
        yield chunk
    if produced != member.file_size:
        raise UnreadableFile("unreadable_file",
                             detail=f"压缩包中“{name}”解压后只有 {produced} 字节，与声明的 {member.file_size} 字节不符")
    if crc != member.CRC:
        raise UnreadableFile("unreadable_file", detail=f"压缩包中“{name}”校验和不符，文件已损坏")


def drain(chunks: Iterable[bytes]) -> None:
    """Read a member only to count and check it (an image, a macro project: nothing to parse)."""
    for _ in chunks:
        pass


def local_name(tag: object) -> str:
    """``{namespace}c`` → ``c``; the XML readers match local names, whatever prefix or namespace a writer chose."""
    return tag[tag.rfind("}") + 1:] if isinstance(tag, str) else ""


class XmlHandler:
    """What ``parse_xml`` tells about a document: lxml calls ``start(tag, attrib)``, ``end(tag)`` and
    ``data(text)`` on a subclass that defines them (no tree is built: memory stays flat whatever the member's
    size), and ``doctype`` if the document declares one — which is refused here, before any entity is defined."""

    where = ""

    def doctype(self, *_declaration: object) -> None:
        raise UnreadableFile("unreadable_file", detail=f"“{self.where}”含有文档类型声明（DTD），已拒绝（可能是恶意文件）")

    def close(self) -> None:
        return None


def parse_xml(chunks: Iterable[bytes], where: str, handler: XmlHandler | None = None) -> None:
    """Feed a member's chunks to libxml2 with ``handler`` as its target (by default one that only checks the
    document is well-formed and has no DTD). Malformed XML is refused with the line libxml2 stopped at."""
    from lxml import etree  # imported when needed: the CSV and .xls readers never load it

    handler = handler or XmlHandler()
    handler.where = short(where)
    parser = etree.XMLParser(target=handler, resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False, dtd_validation=False, remove_comments=True, remove_pis=True)
    try:
        for chunk in chunks:
            parser.feed(chunk)
        parser.close()
    except etree.LxmlError as exc:
        line = getattr(exc, "lineno", 0)
        at = f"（第 {line} 行）" if line else ""
        raise UnreadableFile("unreadable_file", detail=f"“{handler.where}”不是格式正确的 XML{at}") from exc
