"""The office's delivery judgement (调度会, #17): recorded by province users with a reason and the review's date,
append-only and audited, shown beside the computed status (never changing it) on the overview and the target
page, with its history; the views of a month show only judgements of reviews held by then."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from loaders.plans import load_plans
from tests.conftest import PROJECT, shown, table_of
from tracker.access import audit
from tracker.access.roles import Actor, PermissionDenied
from tracker.model.status import load_config
from tracker.review import judgement
from tracker.review.judgement import JudgementError

PLAN = load_plans()["sichuan-2023-citizenization"]
CONFIG = load_config()
REVIEWER = Actor("shenhe", "province", display_name="省人社厅审核员")
TODAY = date(2025, 12, 20)


def _judge(engine, level, reason, on, target="key_area_skill_training", actor=REVIEWER):
    return judgement.record_judgement(engine, actor, PLAN, CONFIG, target, level, reason, on, today=TODAY)


def test_the_five_levels_come_from_the_progress_file_most_confident_first():
    assert [s.zh for s in CONFIG.delivery_confidence] == ["有把握", "较有把握", "有风险", "风险较大", "难以完成"]
    assert len({s.colour for s in CONFIG.delivery_confidence}) == 5


def test_a_judgement_needs_a_known_target_level_a_reason_and_a_past_date(ready_engine):
    with pytest.raises(JudgementError, match="理由"):
        _judge(ready_engine, "at_risk", "  ", date(2025, 11, 20))
    with pytest.raises(JudgementError, match="研判等级"):
        _judge(ready_engine, "maybe", "理由", date(2025, 11, 20))
    with pytest.raises(JudgementError, match="没有指标"):
        _judge(ready_engine, "at_risk", "理由", date(2025, 11, 20), target="no_such_target")
    with pytest.raises(JudgementError, match="还未到"):
        _judge(ready_engine, "at_risk", "理由", date(2025, 12, 21))
    # After a target's deadline and its last return's due date (10 January for a December deadline) the figures
    # decide; a review cannot rate a target whose outcome is settled.
    with pytest.raises(JudgementError, match="已过期限"):
        _judge(ready_engine, "at_risk", "理由", date(2024, 1, 11), target="labor_brand_training")
    for who in (Actor("mianyang", "prefecture", "510700"), Actor("kan", "viewer")):
        with pytest.raises(PermissionDenied):
            _judge(ready_engine, "at_risk", "理由", date(2025, 11, 20), actor=who)
    assert judgement.latest(ready_engine, PLAN.id) == {}
    assert _judge(ready_engine, "at_risk", "12月数据未报", date(2024, 1, 10), target="labor_brand_training")


def test_the_newest_judgement_counts_the_history_stays_and_a_month_sees_only_its_own(ready_engine):
    first = _judge(ready_engine, "fairly_confident", "培训班次已排满", date(2025, 9, 18))
    _judge(ready_engine, "high_risk", "两市州培训未开班", date(2025, 11, 20))
    latest = judgement.latest(ready_engine, PLAN.id)["key_area_skill_training"]
    assert (latest.level, latest.reason, latest.reviewed_on, latest.actor) == (
        "high_risk", "两市州培训未开班", date(2025, 11, 20), "省人社厅审核员")
    october = judgement.latest(ready_engine, PLAN.id, until=date(2025, 10, 31))["key_area_skill_training"]
    assert october.level == "fairly_confident"  # a view of October shows what was thought in October
    assert judgement.latest(ready_engine, PLAN.id, until=date(2025, 8, 31)) == {}
    history = judgement.history(ready_engine, PLAN.id, "key_area_skill_training")
    assert list(history["level"]) == ["fairly_confident", "high_risk"]
    entry = audit.entries(ready_engine).iloc[-1]
    assert (entry["actor"], entry["action"], entry["object"]) == (
        "shenhe", "judge", f"target:{PLAN.id}/key_area_skill_training")
    assert entry["detail"] == {"level": "high_risk", "reason": "两市州培训未开班", "reviewed_on": "2025-11-20"}
    for statement in ("update delivery_judgements set level = 'confident'", "delete from delivery_judgements",
                      f"insert or replace into delivery_judgements (id, plan_id, target_id, level, reason, "
                      f"reviewed_on, actor) values ({first}, 'p', 't', 'confident', 'x', '2025-01-01', 'x')"):
        if "or replace" in statement and ready_engine.dialect.name != "sqlite":
            statement = (f"insert into delivery_judgements (id, plan_id, target_id, level, reason, reviewed_on, "
                         f"actor) values ({first}, 'p', 't', 'confident', 'x', '2025-01-01', 'x') on conflict (id) "
                         f"do update set level = 'confident'")
        with pytest.raises(sa.exc.DatabaseError):
            with ready_engine.begin() as conn:
                conn.execute(sa.text(statement))
    assert list(judgement.history(ready_engine, PLAN.id, "key_area_skill_training")["level"]) == [
        "fairly_confident", "high_risk"]


def _app(as_of: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    at.query_params["as_of"] = as_of
    at.session_state["target"] = "key_area_skill_training"
    return at


def test_the_target_page_records_a_judgement_and_shows_it_beside_the_status_which_it_does_not_change(
        ready_engine):
    at = _app("2025-12")
    at.run()
    at.switch_page("pages/target.py").run()
    assert not at.exception, [e.value for e in at.exception]
    status_before = table_of(at.table[0])["状态"].iloc[0]
    assert any("尚无研判" in c.value for c in at.caption)
    at.radio(key="judgement_level").set_value("at_risk")
    at.text_area(key="judgement_reason").input("3个市州尚未开班")
    at.date_input(key="judgement_date").set_value(date(2025, 12, 10))
    at.button[-1].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("已记录：有风险" in s.value for s in at.success)
    line = next(shown(m.value) for m in at.markdown if "调度研判" in shown(m.value))
    assert "有风险" in line and "2025年12月10日" in line and "3个市州尚未开班" in line
    assert table_of(at.table[0])["状态"].iloc[0] == status_before  # the judgement changes no computed status
    history = table_of(next(t for t in at.table if "研判" in table_of(t).columns))
    assert list(history["研判"]) == ["有风险"]

    overview = _app("2025-12")
    overview.run()
    overview.switch_page("pages/overview.py").run()
    card = next(m.value for m in overview.markdown if 'data-target="key_area_skill_training"' in m.value)
    assert "调度研判：有风险（2025年12月10日" in card
    earlier = _app("2025-06")
    earlier.run()
    earlier.switch_page("pages/overview.py").run()
    card = next(m.value for m in earlier.markdown if 'data-target="key_area_skill_training"' in m.value)
    assert "调度研判" not in card  # June 2025's view: that review had not been held


def test_the_slides_show_the_judgement_beside_the_status_and_its_reason_in_the_notes(ready_engine):
    from tracker.outputs.slides import ink, load_deck, slide_html

    _judge(ready_engine, "high_risk", "3个市州尚未开班", date(2025, 12, 10))
    deck = load_deck(ready_engine, PLAN.id, "2025-12")
    glance = deck.slides[0]
    assert glance.columns[4:] == ("状态", "调度研判")
    rows = {r.cells[0]: r for r in glance.rows}
    target = next(t for t in PLAN.targets if t.id == "key_area_skill_training")
    judged = rows[target.name.zh]
    assert judged.cells[5] == "风险较大" and judged.inks == ((5, ink(CONFIG.confidence("high_risk").colour)),)
    assert judged.cells[4] == CONFIG.status(judged.status).zh   # the computed status stands as it was
    assert {r.cells[5] for name, r in rows.items() if name != target.name.zh} == {"—"}
    assert "风险较大" in slide_html(deck, 0)
    task = next(s for s in deck.slides if s.kind == "task" and any(f.label == target.name.zh for f in s.figures))
    figure = next(f for f in task.figures if f.label == target.name.zh)
    assert "研判 风险较大" in figure.notes
    assert "调度研判（2025年12月10日，省人社厅审核员）：风险较大。理由：3个市州尚未开班" in task.notes

    english = load_deck(ready_engine, PLAN.id, "2025-12", "en")
    glances = [s for s in english.slides if s.kind == "glance"]   # three targets a slide in English
    assert all(s.columns[-1] == "Judgement" for s in glances)
    assert "High risk" in {r.cells[5] for s in glances for r in s.rows}

    earlier = load_deck(ready_engine, PLAN.id, "2025-06")   # that review had not been held by June
    assert "调度研判" not in earlier.slides[0].columns
    assert all(len(r.cells) == 5 for r in earlier.slides[0].rows)
    assert not any("调度研判" in s.notes for s in earlier.slides)


def test_the_printed_deck_carries_the_judgement_column(ready_engine):
    import io

    from pptx import Presentation

    from tracker.outputs.deck import deck_pptx
    from tracker.outputs.slides import load_deck

    _judge(ready_engine, "confident", "已提前完成全年任务", date(2025, 12, 10))
    deck = load_deck(ready_engine, PLAN.id, "2025-12")
    first = Presentation(io.BytesIO(deck_pptx(deck))).slides[0]
    table = next(s.table for s in first.shapes if s.has_table)
    header = [table.cell(0, i).text for i in range(len(table.columns))]
    assert header[-1] == "调度研判"
    cells = [table.cell(r, len(table.columns) - 1).text for r in range(1, len(table.rows))]
    assert "有把握" in cells
