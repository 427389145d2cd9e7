"""汇报模式 in Debian's headless Chromium: every slide at 1280×720 and 1920×1080, measured and photographed.

For each slide: nothing scrolls (the document and Streamlit's main container), nothing leaves the slide or runs
into its footer, the controls do not cover the footer, headline figures are at least 48 px and every other text at
least 24 px (computed styles, read from the DOM), figures are high-contrast, the as-of month, the completeness and
the demo mark are there. Screenshots are kept in test-artifacts/present-*.png to be looked at.
"""
from __future__ import annotations

import io
import re

import pytest

from tests.browsing import ARTIFACTS, new_page, settle

pytestmark = pytest.mark.browser

AS_OF = "2023-09"
#: Both projector sizes, and a later month whose slides are full (delayed measures, counties missing, periods over).
VIEWS = [(AS_OF, 1280, 720, "zh"), (AS_OF, 1920, 1080, "zh"), ("2025-12", 1280, 720, "zh"),
         ("2025-12", 1280, 720, "en")]

MEASURE = """() => {
  const doc = document.scrollingElement;
  const main = document.querySelector('[data-testid="stMain"]');
  const block = document.querySelector('[data-testid="stMainBlockContainer"]');
  const slide = document.querySelector('section.sl');
  const box = slide.getBoundingClientRect();
  const outside = [];
  let contentBottom = 0;
  for (const el of slide.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
      outside.push((el.className || el.tagName) + ': ' + el.textContent.trim().slice(0, 30));
    if (!el.closest('.sl-foot')) contentBottom = Math.max(contentBottom, r.bottom);
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== 'visible')
      outside.push('clipped ' + el.className);
  }
  const foot = slide.querySelector('.sl-foot').getBoundingClientRect();
  const footText = slide.querySelector('.sl-footer').getBoundingClientRect();
  const controls = document.querySelector('.st-key-present_controls').getBoundingClientRect();
  return {
    doc: [doc.scrollWidth, doc.scrollHeight], view: [innerWidth, innerHeight],
    main: [main.scrollWidth, main.clientWidth, main.scrollHeight, main.clientHeight],
    block: [block.scrollHeight, block.clientHeight],
    slide: [box.left, box.top, box.width, box.height], outside,
    contentBottom, footTop: foot.top, footTextRight: footText.right, controls: [controls.left, controls.top,
      controls.right, controls.bottom],
  };
}"""

FONTS = """() => {
  const slide = document.querySelector('section.sl');
  const small = [];
  const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 24) small.push([el.className, node.textContent.trim().slice(0, 20), size]);
  }
  const size = (sel) => [...slide.querySelectorAll(sel)].map(e => parseFloat(getComputedStyle(e).fontSize));
  const colour = (sel) => [...slide.querySelectorAll(sel)].map(e => getComputedStyle(e).color);
  const title = slide.querySelector('.sl-title');
  const oneLine = title.getBoundingClientRect().height <= 1.5 * parseFloat(getComputedStyle(title).fontSize);
  return {small, figures: size('.sl-fig-value'), labels: size('.sl-label'), title: size('.sl-title')[0], oneLine,
          figureColours: colour('.sl-fig-value'), background: getComputedStyle(slide).backgroundColor,
          footer: slide.querySelector('.sl-footer').textContent, demo: slide.querySelector('.sl-demo')?.textContent};
}"""


def _luminance(rgb: str) -> float:
    values = [int(x) / 255 for x in re.findall(r"\d+", rgb)[:3]]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in values]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _backend(url: str) -> str:
    return "pg" if "postgresql" in url else "sqlite"


def _present(page, server: str, query: str = "", as_of: str = AS_OF) -> None:
    """Open the server root first (a fresh server serves page files only after app.py has run once), then the
    presentation mode."""
    page.goto(server)
    settle(page)
    page.goto(f"{server}/?view=present&as_of={as_of}{query}")
    settle(page)
    page.wait_for_selector("section.sl", timeout=30_000)


def _index(page) -> int:
    return int(page.locator("section.sl").get_attribute("data-index"))


def _wait_index(page, index: int, timeout: int = 20_000) -> None:
    page.wait_for_function(f"() => document.querySelector('section.sl')?.dataset.index === '{index}'",
                           timeout=timeout)
    settle(page)


@pytest.mark.parametrize("as_of, width, height, lang", VIEWS)
def test_every_slide_fits_the_screen_in_large_type(browser, server, demo_url, as_of, width, height, lang):
    from tracker.i18n import month_label
    from tracker.outputs.slides import load_deck
    from tracker.store.db import get_engine

    deck = load_deck(get_engine(demo_url), "sichuan-2023-citizenization", as_of, lang)
    ARTIFACTS.mkdir(exist_ok=True)
    with new_page(browser, width, height) as page:
        _present(page, server, query=f"&lang={lang}", as_of=as_of)
        assert not page.locator('[data-testid="stSidebar"]').is_visible()
        assert not page.locator('[data-testid="stHeader"]').is_visible()
        assert not page.locator('[data-testid="stToolbar"]').is_visible()
        for number, slide in enumerate(deck.slides, start=1):
            _wait_index(page, number)
            assert page.locator("section.sl").get_attribute("data-slide") == slide.key
            assert page.locator(".present-counter").inner_text() == f"{number} / {len(deck.slides)}"
            page.mouse.move(width // 2, height // 3)   # no hover on the controls in the picture
            page.wait_for_timeout(250)
            shot = ARTIFACTS / (f"present-{_backend(demo_url)}-{as_of}-{lang}-{width}x{height}-"
                                f"{number:02d}-{slide.key}.png")
            page.screenshot(path=str(shot))
            m = page.evaluate(MEASURE)
            where = f"{slide.key} at {width}×{height}"
            assert m["doc"][1] <= m["view"][1] and m["doc"][0] <= m["view"][0], (where, m)
            assert m["main"][2] <= m["main"][3] and m["main"][0] <= m["main"][1], (where, m)
            assert m["slide"] == [0, 0, width, height], (where, m["slide"])
            assert not m["outside"], (where, m["outside"])
            assert m["contentBottom"] <= m["footTop"] + 1, (where, "content runs into the footer", m)
            assert m["controls"][0] > m["footTextRight"] + 8, (where, "the controls cover the footer", m)
            assert m["controls"][3] <= height and m["controls"][2] <= width
            f = page.evaluate(FONTS)
            assert not f["small"], (where, f["small"])
            assert f["figures"] and min(f["figures"]) >= 48, (where, f["figures"])
            assert min(f["labels"]) >= 24 and f["title"] >= 32 and f["oneLine"], (where, f["title"])
            if height == 1080:
                assert min(f["figures"]) >= 71.9 and min(f["labels"]) >= 35.9, "a bigger screen gets bigger type"
            for colour in f["figureColours"]:
                assert _contrast(colour, f["background"]) >= 7.0, (where, colour)
            assert f["footer"] == deck.footer()
            assert month_label(as_of, lang) in f["footer"] and f"{deck.reported}/{deck.expected}" in f["footer"]
            assert f["demo"] == ("示例数据" if lang == "zh" else "Demo data")
            if number < len(deck.slides):
                page.locator(".st-key-present_next button").first.click()
        assert page.locator(".st-key-present_next button").first.is_disabled()
        assert page.outside_requests == []


def test_keys_link_auto_advance_exit_and_the_sidebar_button(browser, server):
    with new_page(browser, 1280, 720) as page:
        _present(page, server, "&slide=3")
        assert _index(page) == 3, "a link opens its slide"
        page.keyboard.press("ArrowRight")
        _wait_index(page, 4)
        assert "slide=4" in page.url
        page.keyboard.press("ArrowLeft")
        _wait_index(page, 3)

        controls = page.locator(".st-key-present_controls")
        controls.locator("[data-testid='stSelectbox']").click()
        page.get_by_role("option", name="10 秒").click()
        settle(page)
        controls.locator("[data-testid='stCheckbox'] label").click()
        settle(page)
        assert controls.get_by_role("switch", name="自动播放").is_checked()
        _wait_index(page, 4, timeout=25_000)   # advances by itself after about 10 s
        _wait_index(page, 5, timeout=25_000)
        controls.locator("[data-testid='stCheckbox'] label").click()
        settle(page)

        page.keyboard.press("Escape")          # back to the dashboard, sidebar and all
        page.wait_for_selector('[data-testid="stSidebar"]', timeout=30_000)
        settle(page)
        assert "view=present" not in page.url
        assert page.locator(".tc-card").count() == 7

        page.get_by_role("button", name="汇报模式").click()   # and in again from the overview
        page.wait_for_selector("section.sl", timeout=30_000)
        settle(page)
        assert _index(page) == 1 and "view=present" in page.url
        assert not page.locator('[data-testid="stSidebar"]').is_visible()
        assert page.outside_requests == []


def test_the_deck_downloads_from_the_presentation(browser, server, tmp_path):
    from pptx import Presentation

    with new_page(browser, 1280, 720) as page:
        _present(page, server)
        with page.expect_download(timeout=120_000) as download:
            page.locator(".st-key-present_pptx button:visible").click()   # a mouse click, as a user does
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        assert path.name == f"汇报材料-{AS_OF}.pptx"
        prs = Presentation(io.BytesIO(path.read_bytes()))
        titles = [s.shapes[0].text_frame.text for s in prs.slides]
        assert titles[0] == "全省目标总览" and titles[-1] == "数据报送情况"
        assert page.outside_requests == []
