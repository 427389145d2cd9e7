"""Formal documents an office sends upward (情况汇报, 成效评估): one shape, written as Markdown, Word or PDF.

Laid out like an office's report: a centred title and subtitle, a demo-data warning when the figures are invented,
an opening paragraph, sections headed 一、二、… with indented paragraphs, and a note in smaller type. Word gets the
roles 仿宋 and 黑体 play, taken by Noto Serif and Noto Sans CJK; the PDF is printed by weasyprint with the Chinese
font fontconfig finds (``fonts.find_cjk_font``), so no glyph falls back to an empty box.
"""
from __future__ import annotations

import html
import io
from dataclasses import dataclass

SERIF = "Noto Serif CJK SC"   # body text: the role 仿宋 plays in official documents
SANS = "Noto Sans CJK SC"     # headings: the role 黑体 plays


@dataclass(frozen=True)
class Report:
    title: str
    subtitle: str
    demo: str                                          # the demo-data warning, or ""
    opening: str
    sections: tuple[tuple[str, tuple[str, ...]], ...]  # (heading, paragraphs)
    note: str

    def markdown(self) -> str:
        lines = [f"# {self.title}", "", self.subtitle, ""]
        if self.demo:
            lines += [f"> **{self.demo}**", ""]
        lines += [self.opening, ""]
        for heading, paragraphs in self.sections:
            lines += [f"## {heading}", ""]
            for paragraph in paragraphs:
                lines += [paragraph, ""]
        lines += ["---", "", self.note, ""]
        return "\n".join(lines)


def _font(run, family: str, size: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = family
    run.font.size = Pt(size)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), family)


def report_docx(report: Report) -> bytes:
    """The report as a Word document: centred title, 一、 headings, indented paragraphs, 16 pt body."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Pt(75))
    doc.core_properties.title = report.title

    def paragraph(text: str, family: str = SERIF, size: float = 16, bold: bool = False, centre: bool = False,
                  indent: bool = True, colour: RGBColor | None = None) -> None:
        p = doc.add_paragraph()
        p.paragraph_format.line_spacing = Pt(28)
        p.paragraph_format.space_after = Pt(4)
        if centre:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        run = p.add_run(text)
        _font(run, family, size, bold)
        if colour is not None:
            run.font.color.rgb = colour

    paragraph(report.title, SERIF, 22, bold=True, centre=True)
    paragraph(report.subtitle, SERIF, 16, centre=True)
    if report.demo:
        paragraph(report.demo, SANS, 14, bold=True, centre=True, colour=RGBColor(0x9A, 0x34, 0x12))
    paragraph(report.opening)
    for heading, paragraphs in report.sections:
        paragraph(heading, SANS, 16, indent=True)
        for text in paragraphs:
            paragraph(text)
    paragraph(report.note, SERIF, 12)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def report_pdf(report: Report, lang: str = "zh") -> bytes:
    """The report as an A4 PDF, in the Chinese font fontconfig finds (``fonts.FontNotFound`` without one)."""
    from weasyprint import HTML

    from tracker.outputs.fonts import find_cjk_font

    font = find_cjk_font(lang)
    e = html.escape
    body = [f"<h1>{e(report.title)}</h1>", f"<p class='sub'>{e(report.subtitle)}</p>"]
    if report.demo:
        body.append(f"<p class='demo'>{e(report.demo)}</p>")
    body.append(f"<p>{e(report.opening)}</p>")
    for heading, paragraphs in report.sections:
        body.append(f"<h2>{e(heading)}</h2>")
        body += [f"<p>{e(p)}</p>" for p in paragraphs]
    body.append(f"<p class='note'>{e(report.note)}</p>")
    style = (f"@page{{size:A4;margin:25mm 22mm}}body{{font-family:'{font.family}',serif;font-size:12pt;"
             "line-height:1.75}h1{text-align:center;font-size:18pt}h2{font-size:13pt;margin-top:1.2em}"
             "p{text-indent:2em;margin:.4em 0}.sub{text-align:center;text-indent:0}"
             ".demo{text-align:center;text-indent:0;color:#9a3412;font-weight:bold}.note{font-size:10pt;"
             "color:#555;text-indent:0;margin-top:2em}")
    document = f"<html><head><meta charset='utf-8'><style>{style}</style></head><body>{''.join(body)}</body></html>"
    return HTML(string=document).write_pdf()
