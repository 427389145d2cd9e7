"""The briefing deck as files: PowerPoint (python-pptx) and PDF (weasyprint), from ``tracker.outputs.slides``.

Neither file defines a slide: both take the ``Deck`` that the presentation page draws. The PDF prints the page's own
HTML (``slides.deck_html`` with print sizes); the PPTX places the same parts at the same pixel positions of a
1280×720 slide (one pixel = 9525 EMU, so the slide is the standard 13.333 × 7.5 in) and carries the speaker notes.
Bar charts become PNG images drawn by plotly through kaleido (Debian's /usr/bin/chromium, nothing downloaded), the
same image in both files.

Chinese needs a CJK font on this machine: ``find_cjk_font`` asks fontconfig for one (Noto Sans CJK SC from
fonts-noto-cjk first) and fails with a Chinese message naming the package when there is none. Every text run in the
PPTX names the font as its Latin and East-Asian typeface (``a:latin``/``a:ea``), so PowerPoint and LibreOffice do
not fall back to a font without Chinese glyphs.
"""
from __future__ import annotations

import io
import math
import os
import shutil
import threading
import warnings
from pathlib import Path

from tracker.i18n import t
from tracker.outputs.fonts import CjkFont, find_cjk_font
from tracker.outputs.slides import (
    DEMO_BADGE_PX,
    DEMO_EDGE,
    DEMO_FILL,
    FIGURE_GAP,
    FIGURE_INSET,
    HEIGHT,
    INK,
    MUTED,
    RULE,
    SIZES,
    TRACK,
    WIDTH,
    Chart,
    Deck,
    Slide,
    deck_html,
    figure_px,
    text_em,
    title_px,
)

EMU_PER_PX = 9525          # 1280 px → 12 192 000 EMU = 13.333 in
PT_PER_PX = 0.75           # 96 px = 72 pt

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class BrowserNotFound(RuntimeError):
    """No Chromium for kaleido to draw the charts with."""


def find_browser(lang: str = "zh") -> str:
    path = os.environ.get("BROWSER_PATH")
    if path and Path(path).exists():
        return path
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserNotFound(t("brief.no_browser", lang, path=path or "/usr/bin/chromium"))


# ----------------------------------------------------------------------------------------------------------------
# Chart images


def bar_height(chart: Chart) -> int:
    """Pixel height of a chart's image on the slide (same rhythm as the page's bars)."""
    return SIZES["bar_row"] * len(chart.bars) + 44


def chart_figure(chart: Chart, deck: Deck, family: str, width: int = WIDTH - 2 * SIZES["pad_x"]):
    """The bars of a slide as a plotly figure: pace per region, coloured by status, the expected-by-now line."""
    import plotly.graph_objects as go

    bars = list(reversed(chart.bars))   # plotly draws the first category at the bottom
    values = [None if b.ratio is None else b.ratio * 100 for b in bars]
    top = max([100.0] + [v for v in values if v is not None]) * 1.12
    colours = [deck.colour(b.status) for b in bars]
    # the grey track the page draws behind each bar, the width of the axis, so a short bar reads as short
    fig = go.Figure(go.Bar(x=[top] * len(bars), y=[b.label for b in bars], orientation="h", marker_color=TRACK,
                           hoverinfo="skip"))
    fig.add_trace(go.Bar(x=[v or 0 for v in values], y=[b.label for b in bars], orientation="h",
                         marker_color=colours, hoverinfo="skip"))
    for bar, colour in zip(bars, colours):   # the figures in a column of their own, clear of the line
        fig.add_annotation(text=f"<b>{bar.text}</b>", x=1, xref="paper", xanchor="right", xshift=150, y=bar.label,
                           yref="y", showarrow=False, font={"size": SIZES["bar"], "color": colour, "family": family})
    if chart.reference is not None:
        fig.add_shape(type="line", x0=chart.reference * 100, x1=chart.reference * 100, y0=-0.5, y1=len(bars) - 0.5,
                      line={"color": INK, "width": 4})
    if chart.reference_label:
        fig.add_annotation(text=chart.reference_label, x=1, xref="paper", y=1.0, yref="paper", yanchor="bottom",
                           xanchor="right", showarrow=False, font={"size": SIZES["label"], "color": MUTED})
    fig.update_layout(
        width=width, height=bar_height(chart), margin={"l": 8, "r": 160, "t": 40, "b": 4},
        font={"family": family, "size": SIZES["bar"], "color": INK},
        plot_bgcolor="white", paper_bgcolor="white", showlegend=False, bargap=0.38, barmode="overlay",
        xaxis={"visible": False, "range": [0, top], "fixedrange": True},
        yaxis={"tickfont": {"size": SIZES["bar"], "color": INK}, "ticksuffix": "  ", "automargin": True},
    )
    return fig


_KALEIDO = threading.Lock()
_kaleido_started = False


def chart_images(deck: Deck, font: CjkFont, lang: str = "zh") -> dict[str, bytes]:
    """PNG images (2× for sharpness) of every chart in the deck, by chart key."""
    global _kaleido_started
    charts = [s.chart for s in deck.slides if s.chart is not None and s.chart.bars]
    if not charts:
        return {}
    browser = find_browser(lang)
    os.environ.setdefault("BROWSER_PATH", browser)
    import kaleido

    images = {}
    with _KALEIDO:   # one Chromium for the process, one chart at a time
        if not _kaleido_started:
            kaleido.start_sync_server(silence_warnings=True)
            _kaleido_started = True
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The kopts argument is ignored")
            for chart in charts:
                fig = chart_figure(chart, deck, font.family)
                images[chart.key] = fig.to_image(format="png", scale=2)
    return images


# ----------------------------------------------------------------------------------------------------------------
# PDF


def deck_pdf(deck: Deck, font: CjkFont | None = None, images: dict[str, bytes] | None = None) -> bytes:
    """The deck as a PDF: the presentation page's HTML, printed one 1280×720 px page a slide."""
    from weasyprint import HTML

    font = font or find_cjk_font(deck.lang)
    images = chart_images(deck, font, deck.lang) if images is None else images
    family = f"'{font.family}', sans-serif"
    document = deck_html(deck, "print", images, font_family=family)
    return HTML(string=document).write_pdf()


# ----------------------------------------------------------------------------------------------------------------
# PPTX


def _emu(px: float) -> int:
    return int(round(px * EMU_PER_PX))


def _rgb(hex_colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _typeface(run, family: str) -> None:
    """Name the font for Latin and East-Asian text (<a:latin>, <a:ea>), so Chinese never falls back."""
    from lxml import etree
    from pptx.oxml.ns import qn

    run.font.name = family
    rpr = run._r.get_or_add_rPr()
    previous = rpr.find(qn("a:latin"))
    for tag in ("a:ea", "a:cs"):   # schema order: latin, ea, cs
        element = rpr.find(qn(tag))
        if element is None:
            element = etree.SubElement(rpr, qn(tag))
            previous.addnext(element)
        element.set("typeface", family)
        previous = element


def _style(run, family: str, px: float, bold: bool = False, colour: str = INK) -> None:
    from pptx.util import Pt

    run.font.size = Pt(px * PT_PER_PX)
    run.font.bold = bold
    run.font.color.rgb = _rgb(colour)
    _typeface(run, family)


def _box(shapes, x: float, y: float, w: float, h: float, anchor: str = "top"):
    from pptx.enum.text import MSO_ANCHOR

    box = shapes.add_textbox(_emu(x), _emu(y), _emu(w), _emu(h))
    frame = box.text_frame
    frame.word_wrap = True
    for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, side, 0)
    frame.vertical_anchor = {"top": MSO_ANCHOR.TOP, "middle": MSO_ANCHOR.MIDDLE,
                             "bottom": MSO_ANCHOR.BOTTOM}[anchor]
    return box


def _text(shapes, family: str, x, y, w, h, runs, align: str = "l", anchor: str = "top"):
    """A text box of one paragraph made of runs (text, px, bold, colour)."""
    from pptx.enum.text import PP_ALIGN

    box = _box(shapes, x, y, w, h, anchor)
    paragraph = box.text_frame.paragraphs[0]
    paragraph.alignment = {"l": PP_ALIGN.LEFT, "r": PP_ALIGN.RIGHT, "c": PP_ALIGN.CENTER}[align]
    for text, px, bold, colour in runs:
        run = paragraph.add_run()
        run.text = text
        _style(run, family, px, bold, colour)
    return box


def _rect(shapes, x, y, w, h, fill: str, line: str | None = None, rounded: bool = False):
    from pptx.enum.shapes import MSO_SHAPE

    shape = shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE if rounded else MSO_SHAPE.RECTANGLE,
                             _emu(x), _emu(y), _emu(w), _emu(h))
    shape.fill.solid()
    shape.fill.fore_color.rgb = _rgb(fill)
    if line:
        shape.line.color.rgb = _rgb(line)
        shape.line.width = _emu(3)
    else:
        shape.line.fill.background()
    shape.shadow.inherit = False
    return shape


def _pill(shapes, family: str, x, y, text: str, colour: str, px: float = SIZES["label"]):
    width = _text_width(text, px) + 26
    shape = _rect(shapes, x, y, width, px * 1.5, colour, rounded=True)
    frame = shape.text_frame
    _snug(frame)
    paragraph = frame.paragraphs[0]
    from pptx.enum.text import PP_ALIGN

    paragraph.alignment = PP_ALIGN.CENTER
    run = paragraph.add_run()
    run.text = text
    _style(run, family, px, True, "#ffffff")
    return width


def _snug(frame) -> None:
    """A label inside a shape: no inner margins, never wrapped."""
    from pptx.enum.text import PP_ALIGN

    for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, side, 0)
    frame.word_wrap = False
    frame.paragraphs[0].alignment = PP_ALIGN.CENTER


def _text_width(text: str, px: float) -> float:
    return text_em(text) * px


def _height(text: str, px: float, width: float, leading: float = 1.35) -> float:
    """Height of a wrapped text box: lines by a rough width estimate (English names and notes run longer)."""
    return math.ceil(max(_text_width(text, px), 1) / max(width, 1)) * px * leading


def _place_slide(prs, deck: Deck, index: int, images: dict[str, bytes], family: str) -> None:
    slide_def: Slide = deck.slides[index]
    s = SIZES
    page = prs.slides.add_slide(prs.slide_layouts[6])   # blank
    shapes = page.shapes
    x0, inner = s["pad_x"], WIDTH - 2 * s["pad_x"]
    y = s["pad_top"]
    title_width = inner - (DEMO_BADGE_PX if deck.demo else 0)
    _text(shapes, family, x0, y, title_width, 58, [(slide_def.title, title_px(slide_def.title, deck.demo), True, INK)],
          anchor="middle")
    if deck.demo:
        label = deck.demo_label()
        width = _text_width(label, s["label"]) + 32
        badge = _rect(shapes, WIDTH - s["pad_x"] - width, y + 10, width, 40, DEMO_FILL, DEMO_EDGE, rounded=True)
        _snug(badge.text_frame)
        run = badge.text_frame.paragraphs[0].add_run()
        run.text = label
        _style(run, family, s["label"], True, INK)
    y += 58
    if slide_def.subtitle:
        height = _height(slide_def.subtitle, s["subtitle"], inner, 1.3)
        _text(shapes, family, x0, y + 2, inner, height, [(slide_def.subtitle, s["subtitle"], False, MUTED)])
        y += height + 2
    _rect(shapes, x0, y + 10, 120, s["rule"], RULE)
    y += 10 + s["rule"] + 24

    figures = slide_def.figures
    if figures:
        if slide_def.compact:
            x = x0
            for f in figures:
                colour = deck.colour(f.status)
                width = _text_width(f.value, s["figure"]) + _text_width(f.label, s["label"]) + 64
                _rect(shapes, x, y + 6, 8, 70, colour)
                _text(shapes, family, x + 26, y, width, 82,
                      [(f.value, s["figure"], True, colour), ("  " + f.label, s["label"], False, INK)],
                      anchor="middle")
                x += width + 40
            y += 82 + 8
        else:
            gap = FIGURE_GAP
            width = (inner - gap * (len(figures) - 1)) / len(figures)
            room = width - FIGURE_INSET
            label_h = max(_height(f.label, s["label"], room) for f in figures)   # values line up
            tallest = 0.0
            for i, f in enumerate(figures):
                colour = deck.colour(f.status)
                x = x0 + i * (width + gap)
                fy = y + 8
                _text(shapes, family, x + FIGURE_INSET, fy, room, label_h, [(f.label, s["label"], False, MUTED)],
                      anchor="bottom")
                fy += label_h
                px = figure_px(f.value, len(figures), f.unit)
                runs = [(f.value, px, True, colour)] + ([(" " + f.unit, s["label"], False, colour)] if f.unit else [])
                _text(shapes, family, x + FIGURE_INSET, fy, room, px * 1.3, runs, anchor="middle")
                fy += px * 1.3
                for note in f.notes:
                    height = _height(note, s["note"], room)
                    _text(shapes, family, x + FIGURE_INSET, fy, room, height, [(note, s["note"], False, MUTED)])
                    fy += height
                if f.badge:
                    _pill(shapes, family, x + FIGURE_INSET, fy + 6, f.badge, colour)
                    fy += 6 + s["label"] * 1.5
                _rect(shapes, x, y + 8, 8, fy - y - 8, colour)
                tallest = max(tallest, fy - y)
            y += tallest + 8

    if slide_def.tally:
        y += 22
        _rect(shapes, x0, y, inner, 2, "#d1d5db")
        runs = [(slide_def.tally_label, s["tally"], True, INK)]
        for f in slide_def.tally:
            runs += [("      " + f.label + " ", s["tally"], False, INK),
                     (f.value, s["tally"] + 8, True, deck.colour(f.status))]
        _text(shapes, family, x0, y + 10, inner, 52, runs, anchor="middle")
        y += 10 + 52

    if slide_def.rows:
        y += 22
        y = _table(shapes, deck, slide_def, family, x0, y, inner)

    if slide_def.chart is not None and slide_def.chart.bars and slide_def.chart.key in images:
        from PIL import Image

        y += 16
        data = images[slide_def.chart.key]
        with Image.open(io.BytesIO(data)) as img:
            ratio = img.height / img.width
        shapes.add_picture(io.BytesIO(data), _emu(x0), _emu(y), _emu(inner), _emu(inner * ratio))
        y += inner * ratio

    if slide_def.lines:
        y += 18
        for line in slide_def.lines:
            height = _height(line, s["line"], inner - 22, 1.45)
            _rect(shapes, x0, y + 14, 10, 10, RULE)
            _text(shapes, family, x0 + 22, y, inner - 22, height, [(line, s["line"], False, INK)])
            y += height

    foot_y = HEIGHT - s["foot_bottom"] - 40
    _rect(shapes, x0, foot_y, inner, 2, "#d1d5db")
    _text(shapes, family, x0, foot_y + 8, inner * 0.75, 32, [(deck.footer(), s["foot"], False, MUTED)])
    _text(shapes, family, x0 + inner * 0.75, foot_y + 8, inner * 0.25, 32,
          [(deck.counter(index), s["foot"], False, MUTED)], align="r")

    notes = page.notes_slide.notes_text_frame
    notes.text = slide_def.notes
    for paragraph in notes.paragraphs:
        for run in paragraph.runs:
            _typeface(run, family)


def _table(shapes, deck: Deck, slide_def: Slide, family: str, x0: float, y: float, inner: float) -> float:
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN

    s = SIZES
    columns = slide_def.columns
    # Column widths in proportion to the widest text of each column (headers included).
    widest = [max([_text_width(columns[i], s["head"])] + [_text_width(r.cells[i], s["cell"]) for r in slide_def.rows])
              + 40 for i in range(len(columns))]
    if sum(widest) <= inner:
        widths = [w * inner / sum(widest) for w in widest]
    else:   # long (English) texts: the name column wraps first, then other columns of words; figures, dates
        #     and statuses keep one line
        words = [any(" " in r.cells[i] for r in slide_def.rows) and i not in slide_def.nowrap()
                 for i in range(len(columns))]
        wraps = [i == 0 and words[0] for i in range(len(columns))]
        if sum(w for w, wrap in zip(widest, wraps) if not wrap) > inner * 0.7:
            wraps = words
        fixed = sum(w for w, wrap in zip(widest, wraps) if not wrap)
        flexible = sum(w for w, wrap in zip(widest, wraps) if wrap) or 1
        widths = [w * (inner - fixed) / flexible if wrap else w for w, wrap in zip(widest, wraps)]
    head_h = 40
    heights = [max(14 + _height(cell, s["cell"], widths[i] - 24, 1.3) for i, cell in enumerate(r.cells))
               for r in slide_def.rows]
    frame = shapes.add_table(len(slide_def.rows) + 1, len(columns), _emu(x0), _emu(y), _emu(inner),
                             _emu(head_h + sum(heights)))
    table = frame.table
    table.first_row = True
    table.horz_banding = False
    for i, w in enumerate(widths):
        table.columns[i].width = _emu(w)
    table.rows[0].height = _emu(head_h)
    for r, height in enumerate(heights, start=1):
        table.rows[r].height = _emu(height)
    align = list(slide_def.align) + ["l"] * (len(columns) - len(slide_def.align))
    aligns = {"l": PP_ALIGN.LEFT, "r": PP_ALIGN.RIGHT, "c": PP_ALIGN.CENTER}

    def fill(cell, text, px, bold, colour, background, where):
        cell.fill.solid()
        cell.fill.fore_color.rgb = _rgb(background)
        cell.margin_left = cell.margin_right = _emu(12)
        cell.margin_top = cell.margin_bottom = 0
        cell.vertical_anchor = MSO_ANCHOR.MIDDLE
        paragraph = cell.text_frame.paragraphs[0]
        paragraph.alignment = aligns[where]
        run = paragraph.add_run()
        run.text = text
        _style(run, family, px, bold, colour)

    for i, name in enumerate(columns):
        fill(table.cell(0, i), name, s["head"], False, MUTED, "#e5e7eb", align[i])
    for r, row in enumerate(slide_def.rows, start=1):
        background = "#ffffff" if r % 2 else "#f3f4f6"
        for i, text in enumerate(row.cells):
            if i == slide_def.status_column and row.status:
                fill(table.cell(r, i), text, s["label"], True, "#ffffff", deck.colour(row.status), "c")
            else:
                inks = dict(row.inks)
                colour = (inks[i] if i in inks else
                          deck.colour(row.status) if i in slide_def.tinted and row.status else INK)
                fill(table.cell(r, i), text, s["cell"], i in slide_def.strong or i in inks, colour, background,
                     align[i])
    return y + head_h + sum(heights)


def deck_pptx(deck: Deck, font: CjkFont | None = None, images: dict[str, bytes] | None = None) -> bytes:
    """The deck as a PowerPoint file: one slide per ``Slide``, charts as images, speaker notes."""
    from pptx import Presentation

    font = font or find_cjk_font(deck.lang)
    images = chart_images(deck, font, deck.lang) if images is None else images
    prs = Presentation()
    prs.slide_width, prs.slide_height = _emu(WIDTH), _emu(HEIGHT)
    prs.core_properties.title = deck.title()
    prs.core_properties.language = "en-US" if deck.lang == "en" else "zh-CN"
    for index in range(len(deck.slides)):
        _place_slide(prs, deck, index, images, font.family)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def write_deck(deck: Deck, path: str | Path) -> int:
    """Write the deck as .pptx or .pdf (by the file's suffix); return the number of slides."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".pptx", ".pdf"):
        raise ValueError(t("brief.bad_suffix", deck.lang, path=str(path)))
    font = find_cjk_font(deck.lang)
    images = chart_images(deck, font, deck.lang)
    data = deck_pptx(deck, font, images) if suffix == ".pptx" else deck_pdf(deck, font, images)
    path.write_bytes(data)
    return len(deck.slides)
