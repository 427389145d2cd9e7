"""The maps page in Debian's headless Chromium: the choropleth draws with MapLibre into a canvas, with Chinese labels,
status colours and a legend, and no request leaves the machine. Screenshots land in test-artifacts/."""
from __future__ import annotations

import io

import pytest

from tests.browsing import ARTIFACTS, new_page, settle
from tracker.outputs import maps

pytestmark = pytest.mark.browser

CHART = '[data-testid="stPlotlyChart"]'
# The MapLibre map plotly draws the choroplethmap with, reached through the plot's layout.
MAP = f"document.querySelector('{CHART} .js-plotly-plot')._fullLayout.map._subplot.map"


@pytest.fixture
def page(browser, server):
    with new_page(browser) as page:
        yield page


def _choose(page, scope: str, label: str, option: str) -> None:
    box = page.locator(scope).get_by_role("combobox", name=label)
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def _title_says(page, text: str) -> None:
    page.locator(f"{CHART} .gtitle").filter(has_text=text).first.wait_for(timeout=30_000)


def _drawn_labels(page, expected: set[str]) -> list[str]:
    """Wait until MapLibre has placed the expected region labels; return the labels it drew."""
    page.wait_for_function(
        f"""(expected) => {{
            const map = {MAP};
            if (!map || !map.loaded()) return false;
            const drawn = new Set(map.queryRenderedFeatures().filter(f => f.layer.type === 'symbol')
                                     .map(f => f.properties.text));
            return expected.every(name => drawn.has(name));
        }}""", arg=sorted(expected), timeout=30_000)
    page.wait_for_timeout(300)  # the frame with the labels reaches the canvas
    return page.evaluate(f"""() => {MAP}.queryRenderedFeatures().filter(f => f.layer.type === 'symbol')
                                      .map(f => f.properties.text)""")


def _canvas(page) -> dict:
    canvas = page.locator(f"{CHART} canvas.maplibregl-canvas")
    canvas.wait_for(timeout=30_000)
    box = canvas.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 300, box
    return box


def _colours(png: bytes) -> dict[tuple[int, int, int], int]:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    return {colour: n for n, colour in image.getcolors(maxcolors=1 << 20)}


def _shown(colour: str) -> tuple[int, int, int]:
    """A status colour as drawn: filled at FILL_OPACITY over the white background."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return tuple(round(maps.FILL_OPACITY * c + (1 - maps.FILL_OPACITY) * 255) for c in rgb)


def _pixels_near(colours: dict, rgb: tuple[int, int, int], tolerance: int = 6) -> int:
    return sum(n for c, n in colours.items() if all(abs(a - b) <= tolerance for a, b in zip(c, rgb)))


def _hover(page, lon: float, lat: float) -> str:
    point = page.evaluate(f"([lon, lat]) => {MAP}.project([lon, lat])", [lon, lat])
    box = _canvas(page)
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    hover = page.locator(f"{CHART} .hoverlayer .hovertext")
    hover.first.wait_for(timeout=10_000)
    return " ".join(hover.first.locator("text").all_text_contents())


def test_maps_page_draws_prefectures_and_mianyang_offline(page, server, demo_url):
    from tracker.progress.snapshot import load_snapshot
    from tracker.store.db import get_engine

    snap = load_snapshot(get_engine(demo_url), "sichuan-2023-citizenization", "2023-09")
    tree = snap.tree
    rows = snap.rows("prefecture")
    rows = rows[rows["target"] == "labor_brand_training"].set_index("region")
    page.goto(server)  # the root first: a deep link must not be the first request
    settle(page)
    _choose(page, '[data-testid="stSidebar"]', "截至月份", "2023年9月")
    page.locator('[data-testid="stCaptionContainer"]').filter(has_text="截至 2023年9月").first.wait_for()
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="地图").click()
    settle(page)
    page.wait_for_selector(f"{CHART} .main-svg", timeout=30_000)
    _canvas(page)

    _choose(page, '[data-testid="stMain"]', "选择指标", "劳务品牌培训人数")
    _title_says(page, "劳务品牌培训人数：四川省各市（州）状态（人，截至 2023年9月）")
    prefectures = {r.short_name for r in tree.level("prefecture")}
    drawn = _drawn_labels(page, prefectures)
    assert set(drawn) == prefectures, "every prefecture is labelled in Chinese"

    statuses = rows["status"].value_counts()
    statuses = statuses[statuses > 0]  # a categorical column counts every status it could hold
    assert len(statuses) >= 3, "the demo has prefectures in at least three states at 2023-09"
    legend = " ".join(page.locator(f"{CHART} .legend text").all_text_contents())
    for status, n in statuses.items():
        assert f"{snap.config.status(status).label('zh')}（{n}）" in legend
    shot = page.locator(CHART).first.screenshot(path=str(ARTIFACTS / "map-prefectures.png"))
    colours = _colours(shot)
    for status in statuses.index:  # every status present is visibly filled in its own colour
        assert _pixels_near(colours, _shown(snap.config.status(status).colour)) > 1_000, status

    mianyang = next(f for f in maps.features("prefecture") if f["properties"]["adcode"] == "510700")
    text = _hover(page, *mianyang["properties"]["label_at"])
    reporters = f"{rows.loc['510700', 'reported']}/{rows.loc['510700', 'expected_reporters']}"
    assert "绵阳市" in text and "实际" in text and f"报送县数：{reporters}" in text

    page.get_by_text("按进度（实际/应达）").click()
    settle(page)
    _choose(page, '[data-testid="stMain"]', "范围", "绵阳市")
    _title_says(page, "绵阳市各县（市、区）实际")
    counties = {r.short_name for r in tree.children("510700")}
    assert set(_drawn_labels(page, counties)) == counties
    assert page.get_by_text("本指标尚未分解到此层级").is_visible()  # the demo allocates to no county
    shot = page.locator(CHART).first.screenshot(path=str(ARTIFACTS / "map-mianyang.png"))
    assert len(_colours(shot)) > 50, "the counties are shaded by their actual"
    assert page.outside_requests == [], "no request may leave the machine"

