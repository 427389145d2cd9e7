"""The briefing's slides, defined once (tracker.outputs.slides): what each slide says, that its figures are ``tracker
progress``'s figures, and that the page's HTML carries the as-of month, completeness and demo mark on every slide.

The real browser measures sizes and scrolling (test_browser_present.py); the files are checked in test_deck.py.
"""
from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import PROJECT, shown
from tracker.cli.reports import progress_rows
from tracker.i18n import task_label
from tracker.model.units import format_percent, format_quantity

PLAN = "sichuan-2023-citizenization"
MONTHS = ["2023-06", "2023-09", "2024-06"]


def _deck(url: str, as_of: str, lang: str = "zh", plan: str = PLAN):
    from tracker.outputs.slides import load_deck
    from tracker.store.db import get_engine

    return load_deck(get_engine(url), plan, as_of, lang)


@pytest.mark.parametrize("as_of", MONTHS)
def test_the_deck_has_the_slides_the_issue_asks_for_in_order(demo_url, as_of):
    from loaders.plans import load_plans

    deck = _deck(demo_url, as_of)
    plan = load_plans()[PLAN]
    kinds = [s.kind for s in deck.slides]
    assert kinds[0] == "glance"
    assert kinds[-2:] == ["redlist", "completeness"]
    tasks = [s for s in deck.slides if s.kind == "task"]
    assert [s.title for s in tasks] == [task_label(t.number, t.title.zh) for t in plan.tasks]
    assert kinds == sorted(kinds, key=["glance", "task", "regions", "redlist", "completeness"].index)
    assert len({s.key for s in deck.slides}) == len(deck.slides)
    assert all(s.notes.strip() for s in deck.slides), "every slide has speaker notes"


@pytest.mark.parametrize("as_of", MONTHS)
def test_the_glance_slide_shows_every_target_as_tracker_progress_does(demo_url, as_of):
    from tracker.model.status import load_config
    from tracker.store.db import get_engine

    config = load_config()
    rows = progress_rows(get_engine(demo_url), PLAN, as_of, "province")
    glance = _deck(demo_url, as_of).slides[0]
    assert len(glance.rows) == len(rows) == 7
    for slide_row, row in zip(glance.rows, rows):
        name, actual, goal, pace, status = slide_row.cells
        shown = format_quantity(row["actual"], row["unit"])
        assert actual == shown or actual.startswith(shown + "（差")  # a shortfall where it would read as the target
        assert pace == format_percent(row["pace"])
        assert status == config.status(row["status"]).zh
        assert slide_row.status == row["status"]
    counts = {f.label: int(f.value) for f in glance.figures}
    assert sum(counts.values()) == 7
    for label, n in counts.items():
        assert n == sum(1 for r in rows if config.status(r["status"]).zh == label)


def test_task_slides_carry_their_targets_figures_and_measure_counts(demo_url):
    from tracker.progress.snapshot import load_snapshot
    from tracker.store.db import get_engine

    as_of = "2024-06"
    engine = get_engine(demo_url)
    snap = load_snapshot(engine, PLAN, as_of)
    rows = {r["target"]: r for r in progress_rows(engine, PLAN, as_of, "province")}
    deck = _deck(demo_url, as_of)
    for task in snap.plan.tasks:
        slide = next(s for s in deck.slides if s.key == f"task-{task.id}")
        targets = [t for t in snap.plan.targets if t.task == task.id]
        counts = snap.milestones[snap.milestones["task"] == task.id]["status"].value_counts()
        shown = {f.label: int(f.value) for f in (slide.tally if targets else slide.figures)}
        for status in snap.config.milestone_statuses:
            assert shown[status.zh] == int(counts.get(status.id, 0)), (task.id, status.id)
        assert [f.value for f in slide.figures][:len(targets)] == (
            [format_quantity(rows[t.id]["actual"], t.unit) for t in targets] if targets else [])
        delayed = snap.milestones[(snap.milestones["task"] == task.id) & (snap.milestones["status"] == "delayed")]
        if len(delayed):  # the longest delayed is named
            first = delayed.sort_values("as_of").iloc[0]["name"]
            assert first in slide.lines[0]


@pytest.mark.parametrize("as_of", MONTHS)
def test_lagging_prefecture_slides_equal_the_prefecture_rows(demo_url, as_of):
    from loaders.regions import load_divisions
    from tracker.outputs.summary import region_name
    from tracker.store.db import get_engine

    tree = load_divisions()
    rows = progress_rows(get_engine(demo_url), PLAN, as_of, "prefecture")
    deck = _deck(demo_url, as_of)
    for target in {r["target"] for r in rows}:
        lagging = sorted((r for r in rows if r["target"] == target and r["status"] in ("not_met", "behind", "at_risk")),
                         key=lambda r: (r["pace"], r["region"]))
        slide = next((s for s in deck.slides if s.key == f"regions-{target}"), None)
        if not lagging:
            assert slide is None
            continue
        bars = slide.chart.bars
        assert len(bars) == min(6, len(lagging))
        assert [b.label for b in bars] == [region_name(tree, r["region"]) for r in lagging[:6]]
        assert [b.text for b in bars] == [format_percent(r["pace"]) for r in lagging[:6]]
        counted = {f.label: f.value for f in slide.figures}
        behind = sum(1 for r in lagging if r["status"] == "behind")
        assert counted.get("个市（州）滞后", "0") == str(behind)
        missed = sum(1 for r in lagging if r["status"] == "not_met")  # past their deadline: 未完成
        assert counted.get("个市（州）未完成", "0") == str(missed)
        for r in lagging:   # every lagging prefecture is in the speaker notes, with its figures
            assert region_name(tree, r["region"]) + format_quantity(r["actual"], r["unit"]) in slide.notes


def test_red_list_and_completeness_slides(demo_url):
    deck = _deck(demo_url, "2025-12")
    red = next(s for s in deck.slides if s.kind == "redlist")
    assert red.figures[0].value == str(len(red.rows)) or "另有" in " ".join(red.lines)
    assert all(row.cells[1] for row in red.rows), "each delayed measure names its departments"
    since = [row.cells[2] for row in red.rows]
    assert since == sorted(since, key=lambda m: tuple(int(x) for x in re.findall(r"\d+", m))), "longest first"
    done = next(s for s in deck.slides if s.kind == "completeness")
    assert done.figures[0].value == format_percent(deck.reported / deck.expected)
    assert int(done.figures[2].value) == deck.expected - deck.reported
    assert len(done.rows) == min(6, deck.expected - deck.reported)


@pytest.mark.parametrize("medium", ["screen", "print"])
def test_every_slide_says_the_month_the_completeness_and_that_the_data_is_demo(demo_url, medium):
    from tracker.outputs.slides import slide_html

    deck = _deck(demo_url, "2023-09")
    assert deck.demo
    for i, slide in enumerate(deck.slides):
        html = slide_html(deck, i, medium)
        assert "截至 2023年9月" in html
        assert f"已报送 {deck.reported}/{deck.expected} 个县" in html
        assert "示例数据" in html
        assert f'data-slide="{slide.key}"' in html


def test_slides_say_few_words(demo_url):
    """About 30 pieces of text a slide; the glance slide is a table of every target (5 cells a row, and a header)."""
    deck = _deck(demo_url, "2024-06")
    for slide in deck.slides:
        limit = 12 + 5 * (len(slide.rows) + 1) if slide.kind == "glance" else 32
        assert len(slide.words()) <= limit, (slide.key, slide.words())
        assert len(slide.rows) <= 7 and (slide.chart is None or len(slide.chart.bars) <= 6)


def test_status_colours_are_high_contrast_on_white(demo_url):
    from tracker.outputs.slides import INK, MUTED, contrast

    deck = _deck(demo_url, "2023-09")
    for status, colour in {**deck.inks, "ink": INK, "muted": MUTED}.items():
        assert contrast(colour, "#ffffff") >= 7.0, status


def test_screen_css_never_goes_below_the_minimum_sizes():
    from tracker.outputs.slides import MIN_FIGURE_PX, MIN_LABEL_PX, deck_css

    css = deck_css("screen")
    floors = [int(x) for x in re.findall(r"font-size:max\((\d+)px", css)]
    assert floors and min(floors) >= MIN_LABEL_PX
    figure = re.search(r"\.sl-fig-value\{font-size:max\((\d+)px", css)
    assert int(figure.group(1)) >= MIN_FIGURE_PX
    assert "font-size:" not in re.sub(r"font-size:max\(\d+px", "", css), "every font size has a floor"


def test_english_deck_and_a_plan_without_targets(demo_url):
    deck = _deck(demo_url, "2023-09", lang="en")
    glance = [s for s in deck.slides if s.kind == "glance"]
    assert [s.title for s in glance] == [f"The plan at a glance ({i}/3)" for i in (1, 2, 3)]
    assert [len(s.rows) for s in glance] == [3, 2, 2], "English rows run to two lines: three slides, balanced"
    assert deck.footer().startswith("As of Sep 2023")
    measures_only = _deck(demo_url, "2023-09", plan="sichuan-2022-work-points")
    assert [s.kind for s in measures_only.slides][0] == "glance"
    assert not [s for s in measures_only.slides if s.kind == "regions"]


def test_presentation_mode_runs_without_sidebar_under_apptest(demo_env):
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    at.query_params["view"] = "present"
    at.session_state["as_of"] = "2023-09"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.sidebar.children) == 0 or not list(at.sidebar)
    slides = [h.proto.body for h in at.html if 'class="sl ' in h.proto.body]
    assert len(slides) == 1 and 'data-index="1"' in slides[0]
    assert at.get_by_key("present_next") is not None


def test_the_speaker_notes_a_slide_points_at_can_be_shown_under_it(demo_env):
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    at.query_params["view"] = "present"
    at.session_state["as_of"] = "2023-09"
    at.run()
    before = {m.value for m in at.markdown}
    assert not any("讲稿" == c.value for c in at.caption)  # hidden until asked for: the audience sees the slide
    at.button(key="present_notes_toggle").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(c.value == "讲稿" for c in at.caption)
    added = [shown(m.value) for m in at.markdown if m.value not in before]
    assert len(added) == 1 and "2023年9月" in added[0]  # the first slide's notes: the month's overall sentence


def test_the_sidebar_button_switches_to_the_presentation(demo_env):
    """AppTest reruns only the page file after the first run, so the switch itself is seen in the browser test."""
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    at.session_state["as_of"] = "2023-09"
    at.run()
    at.button(key="present_enter").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["view"] == "present" and at.session_state["slide"] == 1
