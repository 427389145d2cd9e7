"""Reading a plan text saved by Word (.docx): its paragraphs and table rows in document order.

Bounded like the workbooks before python-docx sees it: the archive's declared and *actual* sizes (every member
inflated through ``ooxml.member_chunks``, so a member that lies about its size is refused, not expanded), and
every XML member parsed once by ``ooxml.parse_xml`` (well-formed, no DTD). python-docx then builds its tree with
lxml's defaults (no entity resolution, libxml2's depth and size limits). Meant to run in the sandbox's child
process (``loaders.sandbox.read_docx_text_limited``), which adds the memory and time limits.
"""
from __future__ import annotations

import io

from . import ooxml
from .errors import UnreadableFile, reraise_fatal


def check_docx(data: bytes, max_unzipped_mb: int, max_ratio: int) -> None:
    """Refuse a .docx whose archive or XML is hostile, before python-docx reads it whole."""
    infos = ooxml.open_package(data, ".docx", max_unzipped_mb, max_ratio)
    budget = ooxml.Budget(max_unzipped_mb)
    for info in infos:
        chunks = ooxml.member_chunks(data, info, budget)
        if info.filename.lower().endswith((".xml", ".rels")):
            ooxml.parse_xml(chunks, info.filename)
        else:
            ooxml.drain(chunks)


def docx_text(data: bytes, max_unzipped_mb: int, max_ratio: int) -> str:
    """The paragraphs and table rows of a .docx in document order, one per line (table cells joined by '，')."""
    check_docx(data, max_unzipped_mb, max_ratio)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except BaseException as exc:  # python-docx raises several kinds for a file that is not a Word document
        reraise_fatal(exc)
        raise UnreadableFile("unreadable_file", detail="不是有效的 .docx 文件") from exc
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    text = cell.text.strip()
                    if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                        cells.append(text)
                lines.append("，".join(cells))
    return "\n".join(lines)
