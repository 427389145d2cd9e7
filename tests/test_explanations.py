"""情况说明 (#17): a prefecture explains its figures — one county's or the prefecture's — recorded append-only with
who and when, the newest shown, in the prefecture's own words and said to be theirs: on the pages (the upload test
covers the target page), in the 情况汇报 and in the deck's speaker notes."""
from __future__ import annotations

import pytest

from loaders.plans import get_plan
from loaders.regions import load_divisions
from tests.intake_files import MIANYANG, import_month
from tracker.access import audit
from tracker.access.roles import Actor, PermissionDenied
from tracker.review import explanations
from tracker.review.explanations import ExplanationError

PLAN = get_plan("sichuan-2023-citizenization")
TREE = load_divisions()
MIANYANG_USER = Actor("mianyang", "prefecture", MIANYANG, "绵阳市人社局")
ANZHOU = "510705"


def _explain(engine, text, counties=None, actor=MIANYANG_USER, prefecture=MIANYANG, targets=("labor_brand_training",)):
    return explanations.explain(engine, actor, PLAN, TREE, prefecture, "2023-06", list(targets), text, counties)


def test_an_explanation_needs_words_a_known_target_its_own_counties_and_its_own_prefecture(ready_engine):
    with pytest.raises(ExplanationError, match="不能为空"):
        _explain(ready_engine, "  ")
    with pytest.raises(ExplanationError, match="不超过"):
        _explain(ready_engine, "长" * 1001)
    with pytest.raises(ExplanationError, match="没有指标"):
        _explain(ready_engine, "说明", targets=("no_such",))
    with pytest.raises(ExplanationError, match="不是 绵阳市 的县"):
        _explain(ready_engine, "说明", counties=["510603"])  # 德阳's
    with pytest.raises(PermissionDenied):
        _explain(ready_engine, "说明", prefecture="510600")
    with pytest.raises(PermissionDenied):
        _explain(ready_engine, "说明", actor=Actor("kan", "viewer"))
    assert explanations.current(ready_engine, PLAN.id) == []


def test_the_newest_explanation_of_each_figure_is_shown_and_the_earlier_stay_as_history(ready_engine):
    _explain(ready_engine, "安州区培训班延期", counties=[ANZHOU])
    _explain(ready_engine, "全市培训集中在下半年")
    _explain(ready_engine, "安州区培训班7月开班", counties=[ANZHOU])
    shown = explanations.current(ready_engine, PLAN.id, period="2023-06")
    assert sorted((e.county or "", e.text) for e in shown) == [("", "全市培训集中在下半年"),
                                                               (ANZHOU, "安州区培训班7月开班")]
    history = explanations.history(ready_engine, PLAN.id, MIANYANG, "2023-06", "labor_brand_training")
    assert list(history["text"]) == ["安州区培训班延期", "全市培训集中在下半年", "安州区培训班7月开班"]
    county = next(e for e in shown if e.county)
    line = explanations.said(county, TREE)
    assert line.startswith("据绵阳市说明（安州区）：安州区培训班7月开班（绵阳市人社局，")
    assert explanations.said(county, TREE, "en").startswith("绵阳市 (安州区) explains: ")
    assert (audit.entries(ready_engine)["action"] == "explain").sum() == 3
    assert explanations.current(ready_engine, PLAN.id, period="2023-07") == []


def test_the_briefing_report_and_the_deck_notes_quote_the_prefecture(ready_engine):
    from tracker.outputs.slides import load_deck
    from tracker.outputs.summary import build_summary, load_facts

    import_month(ready_engine, "2023-06")
    _explain(ready_engine, "全市培训集中在下半年")
    summary = build_summary(load_facts(ready_engine, PLAN.id, "2023-06"))
    assert "据绵阳市说明：全市培训集中在下半年（绵阳市人社局，" in "\n".join(summary.tasks)
    deck = load_deck(ready_engine, PLAN.id, "2023-06")
    assert any("据绵阳市说明：全市培训集中在下半年" in s.notes for s in deck.slides)
