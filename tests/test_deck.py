"""汇报材料 as files (``tracker brief``): the PPTX opened with python-pptx and compared with ``tracker progress``;
the PDF rendered to PNG with pdftoppm (poppler-utils) and looked at; a missing Chinese font fails in Chinese."""
from __future__ import annotations

import io
import os
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from tests.browsing import ARTIFACTS
from tracker.cli import main
from tracker.cli.reports import progress_rows
from tracker.model.units import format_percent, format_quantity

PLAN = "sichuan-2023-citizenization"
AS_OF = "2023-09"


def _backend(url: str) -> str:
    return "pg" if "postgresql" in url else "sqlite"


def _deck(url: str, as_of: str = AS_OF):
    from tracker.outputs.slides import load_deck
    from tracker.store.db import get_engine

    return load_deck(get_engine(url), PLAN, as_of)


def _texts(slide) -> list[str]:
    """Every piece of text on a PPTX slide, tables included."""
    out = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            out.append(shape.text_frame.text)
        if shape.has_table:
            out += [cell.text for row in shape.table.rows for cell in row.cells]
    return out


@pytest.fixture
def pptx_file(demo_env, tmp_path, capsys):
    out = tmp_path / "汇报材料.pptx"
    assert main(["brief", "--plan", PLAN, "--as-of", AS_OF, "-o", str(out)]) == 0
    assert f"已生成汇报材料：{out}" in capsys.readouterr().out
    return out


def test_the_pptx_has_the_decks_slides_titles_and_notes(pptx_file, demo_env):
    from pptx import Presentation
    from pptx.util import Emu

    from tracker.outputs.summary import build_summary, load_facts
    from tracker.store.db import get_engine

    deck = _deck(demo_env)
    prs = Presentation(io.BytesIO(pptx_file.read_bytes()))
    assert (prs.slide_width, prs.slide_height) == (Emu(12192000), Emu(6858000)), "16:9, 13.333 × 7.5 in"
    assert len(prs.slides) == len(deck.slides)
    summary = build_summary(load_facts(get_engine(demo_env), PLAN, AS_OF))
    for number, (page, slide) in enumerate(zip(prs.slides, deck.slides), start=1):
        texts = _texts(page)
        assert texts[0] == slide.title
        assert "截至 2023年9月" in "\n".join(texts) and f"已报送 {deck.reported}/{deck.expected} 个县" in "\n".join(texts)
        assert "示例数据" in texts
        assert f"{number} / {len(deck.slides)}" in texts
        notes = page.notes_slide.notes_text_frame.text
        assert notes == slide.notes and notes.strip()
    notes = [page.notes_slide.notes_text_frame.text for page in prs.slides]
    assert notes[0] == summary.overall, "the glance slide's notes are the report's overall paragraph"
    assert notes[1:8] == list(summary.tasks), "each task slide's notes are the report's paragraph on it"


def test_the_pptx_figures_equal_tracker_progress(pptx_file, demo_env):
    from pptx import Presentation

    from loaders.plans import get_plan
    from tracker.model.status import load_config
    from tracker.store.db import get_engine

    plan, config = get_plan(PLAN), load_config()
    prs = Presentation(io.BytesIO(pptx_file.read_bytes()))
    table = next(s for s in prs.slides[0].shapes if s.has_table).table
    rows = progress_rows(get_engine(demo_env), PLAN, AS_OF, "province")
    assert len(table.rows) == len(rows) + 1
    for r, row in enumerate(rows, start=1):
        cells = [table.cell(r, c).text for c in range(5)]
        assert cells == [plan.target(row["target"]).name.zh, cells[1], cells[2], format_percent(row["pace"]),
                         config.status(row["status"]).zh]
        assert cells[1].startswith(format_quantity(row["actual"], row["unit"]))  # and "（差15人）" where it would
        # read as its target
    by_target = {row["target"]: row for row in rows}
    for task, page in zip(plan.tasks, list(prs.slides)[1:8]):
        texts = _texts(page)
        for target in (t for t in plan.targets if t.task == task.id):
            assert format_quantity(by_target[target.id]["actual"], target.unit) in texts
            assert f"进度 {format_percent(by_target[target.id]['pace'])}" in texts


def test_every_run_names_the_east_asian_typeface_and_charts_are_pictures(pptx_file, demo_env):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE
    from pptx.oxml.ns import qn

    from tracker.outputs.deck import find_cjk_font

    family = find_cjk_font().family
    deck = _deck(demo_env)
    prs = Presentation(io.BytesIO(pptx_file.read_bytes()))
    runs = 0
    for page, slide in zip(prs.slides, deck.slides):
        for r in page.shapes._spTree.iter(qn("a:r")):
            rpr = r.find(qn("a:rPr"))
            assert rpr.find(qn("a:ea")).get("typeface") == family
            assert rpr.find(qn("a:latin")).get("typeface") == family
            runs += 1
        pictures = [s for s in page.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == (1 if slide.chart is not None else 0), slide.key
        for picture in pictures:   # a real chart image, not an empty frame
            image = np.asarray(Image.open(io.BytesIO(picture.image.blob)).convert("L"), dtype=float)
            assert image.shape[1] >= 2000 and image.std() > 20
        for r in page.notes_slide.notes_text_frame._txBody.iter(qn("a:r")):
            assert r.find(qn("a:rPr")).find(qn("a:ea")).get("typeface") == family
    assert runs > 200


def _boundaries(text: str) -> int:
    """Places where Chinese meets Latin letters or digits, where renderers add a little space."""
    kinds = ["c" if ord(ch) > 0x2E80 else ("l" if ch.isalnum() else "o") for ch in text]
    return sum(1 for a, b in zip(kinds, kinds[1:]) if {a, b} == {"c", "l"})


def _measure(font, runs) -> float:
    """Width in px of runs (text, px, bold) in the real font, with a quarter em at each CJK–Latin boundary."""
    return sum(_face(font.path, font.family, px, bold).getlength(text) + _boundaries(text) * px / 4
               for text, px, bold in runs)


def _face(path: str, family: str, size: float, bold: bool):
    """The font face of ``family`` in a .ttc collection, at a pixel size, for measuring text."""
    from PIL import ImageFont

    if bold and "Regular" in path and os.path.exists(path.replace("Regular", "Bold")):
        path = path.replace("Regular", "Bold")
    for index in range(10):
        try:
            face = ImageFont.truetype(path, round(size), index=index)
        except OSError:
            break
        if face.getname()[0] == family:
            return face
    return ImageFont.truetype(path, round(size))


@pytest.mark.parametrize("as_of", ["2023-09", "2025-12"])
def test_nothing_on_a_pptx_slide_overflows_its_box_or_the_footer(demo_env, tmp_path, as_of):
    """2025-12 fills the slides (delayed measures, missing counties, periods over). Every text, measured in
    the real font (with the space renderers put between Chinese and Latin), fits its box on one line, and nothing
    but the footer comes below the footer's rule."""
    from pptx import Presentation
    from pptx.util import Emu

    from tracker.outputs.deck import EMU_PER_PX, PT_PER_PX, find_cjk_font

    font = find_cjk_font()
    out = tmp_path / "full.pptx"
    assert main(["brief", "--as-of", as_of, "-o", str(out)]) == 0
    prs = Presentation(io.BytesIO(out.read_bytes()))
    rule_top = 720 - 18 - 40
    for number, page in enumerate(prs.slides, start=1):
        for shape in page.shapes:
            top, bottom = shape.top / EMU_PER_PX, (shape.top + shape.height) / EMU_PER_PX
            is_footer = top >= rule_top - 1
            assert is_footer or bottom <= rule_top + 1, (number, shape.name, bottom)
            if shape.has_text_frame and shape.text_frame.text and shape.width > Emu(0):
                for paragraph in shape.text_frame.paragraphs:
                    width = _measure(font, [(r.text, r.font.size.pt / PT_PER_PX, bool(r.font.bold))
                                            for r in paragraph.runs])
                    assert width <= shape.width / EMU_PER_PX - 4, (number, paragraph.text, width)
            if shape.has_table:
                table = shape.table
                for r, row in enumerate(table.rows):
                    for c, cell in enumerate(row.cells):
                        runs = [(x.text, x.font.size.pt / PT_PER_PX, bool(x.font.bold))
                                for x in cell.text_frame.paragraphs[0].runs]
                        width = _measure(font, runs) + 24   # the cell's margins
                        assert width <= table.columns[c].width / EMU_PER_PX, (number, cell.text, width)


def test_the_pdf_has_a_page_per_slide_none_blank_and_chinese_text(demo_env, tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.fail("pdftoppm is missing: install poppler-utils (make browser-deps does it)")
    out = tmp_path / "汇报材料.pdf"
    assert main(["brief", "--plan", PLAN, "--as-of", AS_OF, "-o", str(out)]) == 0
    deck = _deck(demo_env)
    subprocess.run(["pdftoppm", "-r", "48", "-png", str(out), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(deck.slides)
    for page in pages:
        image = np.asarray(Image.open(page).convert("L"), dtype=float)
        assert image.shape == (360, 640), "1280×720 px pages"
        assert (image < 128).mean() > 0.01, f"{page.name} is blank"
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "96", "-png", "-f", "1", "-l", "1", str(out),
                    str(ARTIFACTS / f"brief-pdf-{_backend(demo_env)}")], check=True, timeout=120)
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout.split("\f")
    for slide, page_text in zip(deck.slides, text):
        assert "截至 2023年9月" in page_text and "示例数据" in page_text
        assert slide.title.replace(" ", "")[:6] in page_text.replace(" ", ""), slide.key


def test_brief_fails_in_chinese_without_a_cjk_font(demo_env, tmp_path, monkeypatch, capsys):
    from tracker.outputs import fonts

    monkeypatch.setattr(fonts, "_fontconfig_fonts", lambda: [])
    monkeypatch.setattr(fonts, "KNOWN_FONT_FILES", {})
    out = tmp_path / "x.pptx"
    assert main(["brief", "--as-of", AS_OF, "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "未找到中文字体" in err and "fonts-noto-cjk" in err and err.count("\n") == 1
    assert not out.exists()


def test_the_font_is_found_by_fontconfig():
    from tracker.outputs.deck import find_cjk_font

    font = find_cjk_font()
    assert font.family == "Noto Sans CJK SC"
    assert font.path.endswith((".ttc", ".otf", ".ttf"))


@pytest.mark.parametrize("args, message", [
    (["brief", "--as-of", AS_OF, "-o", "deck.txt"], ".pptx 或 .pdf"),
    (["brief", "--as-of", "2023-9x", "-o", "deck.pptx"], "2023-9x"),
    (["brief", "-o", "deck.pptx"], "--as-of"),
    (["brief", "--as-of", AS_OF], "-o"),
    (["brief", "--as-of", AS_OF, "-o", "deck.pptx", "--plan", "nope"], "未知方案"),
    (["brief", "--as-of", AS_OF, "-o", "deck.pptx", "--colour", "red"], "--colour"),
])
def test_brief_usage_errors_exit_2_with_one_line(demo_env, capsys, args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not list(tmp_path.iterdir()), "nothing written"


def test_a_printed_bar_has_the_grey_track_the_page_draws_behind_it():
    """The PDF's and PowerPoint's bars are pictures drawn by plotly: each sits on a track the width of the axis, as
    on the page (``.sl-bar-track``), so a short bar reads as short, not as a bar alone."""
    from types import SimpleNamespace

    from tracker.outputs.deck import chart_figure
    from tracker.outputs.slides import TRACK, Bar, Chart

    chart = Chart(key="k", bars=(Bar("成都市", 0.5, "50.0%", "behind"), Bar("绵阳市", 1.2, "120.0%", "on_track")))
    deck = SimpleNamespace(colour=lambda status: {"behind": "#c53030", "on_track": "#2f855a"}[status])
    fig = chart_figure(chart, deck, "Noto Sans CJK SC")
    track, bars = fig.data
    assert track.marker.color == TRACK
    assert list(track.x) == [fig.layout.xaxis.range[1]] * 2  # the whole axis, behind both bars
    assert list(bars.x) == [120.0, 50.0] and fig.layout.barmode == "overlay"
