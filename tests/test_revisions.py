"""Revised targets (目标调整, issue #18): progress uses the version in force for each month, before, after and across
the year boundary of a multi-year target; revisions are recorded append-only and audited, a file that rewrites one
is refused; the goal says 调整后目标 with the original. Expected figures are worked out by hand in the comments."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.test_progress import JINJIANG, ONLY_JINJIANG, PLAN, PROVINCE, THRESHOLDS, TREE, row, values
from tracker.model.plan import Plan
from tracker.progress.engine import compute_progress

REVISIONS = [
    # the annual trainees target (1200 over 2023) cut to 900 from July 2023
    {"id": "trainees_cut", "target": "trainees", "effective": "2023-07", "value": 900,
     "reason": "培训计划按财政资金调整", "document": "川人社办〔2023〕99号", "approved_by": "省人社厅", "approved_on": "2023-06-28"},
    # the three-year housing target (3600 over 2023-01…2025-12) cut to 3000 from July 2024, across the year boundary
    {"id": "housing_cut", "target": "housing", "effective": "2024-07", "value": 3000,
     "reason": "中期评估后调整", "document": "川人社发〔2024〕12号", "approved_by": "省政府", "approved_on": "2024-06-30"},
    # the employment level's period extended to June 2024 from December 2023
    {"id": "employed_longer", "target": "employed", "effective": "2023-12", "period": {"start": "2023-01", "end": "2024-06"},
     "reason": "延长考核期", "document": "川人社函〔2023〕5号", "approved_by": "省人社厅", "approved_on": "2023-11-30"},
]
REVISED = Plan.model_validate({**PLAN.model_dump(mode="json"), "revisions": REVISIONS},
                              context={"departments": {"hrss"}})


def _province(frame, as_of: str, target: str) -> dict:
    plan = REVISED.in_force(as_of)
    return row(compute_progress(plan, TREE, frame, as_of, THRESHOLDS, scopes=ONLY_JINJIANG), target, PROVINCE)


def test_before_a_mid_year_revision_the_original_target_is_in_force_and_after_it_the_revised():
    frame = values(("trainees", JINJIANG, "2023-06", 600), ("trainees", JINJIANG, "2023-09", 700))
    june = _province(frame, "2023-06", "trainees")
    assert (june["target_value"], june["expected"]) == (1200, 600)  # 1200 × 6/12: the plan's target still holds
    assert june["status"] == "on_track"  # 600 / 600
    september = _province(frame, "2023-09", "trainees")
    assert (september["target_value"], september["expected"]) == (900, 675)  # 900 × 9/12 from July on
    assert september["pace"] == pytest.approx(700 / 675) and september["status"] == "on_track"


def test_a_revision_of_a_multi_year_target_applies_from_its_month_across_the_year_boundary():
    frame = values(("housing", JINJIANG, "2023-12", 1200), ("housing", JINJIANG, "2024-06", 500),
                   ("housing", JINJIANG, "2024-09", 600))
    june = _province(frame, "2024-06", "housing")
    assert (june["target_value"], june["expected"]) == (3600, 1800)  # 3600 × 18/36 before July 2024
    assert june["actual"] == 1700  # 2023's December 1200 + June 2024's 500
    september = _province(frame, "2024-09", "housing")
    assert (september["target_value"], september["expected"]) == (3000, 1750)  # 3000 × 21/36
    assert september["actual"] == 1800 and september["status"] == "on_track"  # 1800 / 1750


def test_a_revised_period_moves_the_end_at_which_a_target_is_judged():
    frame = values(("employed", JINJIANG, "2023-11", 900), ("employed", JINJIANG, "2024-03", 1010))
    november = _province(frame, "2023-11", "employed")
    assert november["period_end"] == "2023-12"
    march = _province(frame, "2024-03", "employed")  # in force since December 2023: the period runs to June 2024
    assert (march["period_end"], march["month"], march["status"]) == ("2024-06", "2024-03", "attained")


def test_each_version_knows_its_revision_and_the_original():
    target = REVISED.in_force("2023-09").target("trainees")
    assert target.value == 900 and target.revision.id == "trainees_cut" and target.original.value == 1200
    assert REVISED.in_force("2023-06").target("trainees").revision is None
    assert [r.id for r in REVISED.revisions_of("housing")] == ["housing_cut"]


def test_the_goal_says_revised_with_the_original():
    from tracker.outputs.cards import goal_text

    target = REVISED.in_force("2023-09").target("trainees")
    assert goal_text(target) == "900人以上（调整后目标；原目标1200人以上）"
    assert goal_text(target, short=True) == "900人以上（调整后）"
    assert goal_text(target, "en") == "at least 900 persons (revised; originally at least 1,200 persons)"


@pytest.mark.parametrize("broken, where", [
    ({"target": "nobody"}, "target"),
    ({"value": None}, "value"),
    ({"effective": "2022-12"}, "effective"),
])
def test_a_malformed_revision_is_refused_naming_it(broken, where):
    revision = {**REVISIONS[0], **broken}
    if revision.get("value") is None:
        revision.pop("value")
    with pytest.raises(ValueError, match=where):
        Plan.model_validate({**PLAN.model_dump(mode="json"), "revisions": [revision]},
                            context={"departments": {"hrss"}})


# --- recorded append-only, audited --------------------------------------------------------------------------------


def _sync(engine, plan) -> None:
    from loaders.regions import load_divisions
    from tracker.store import sync_reference

    sync_reference(engine, {plan.id: plan}, load_divisions())


def test_revisions_are_recorded_once_audited_and_a_file_that_rewrites_or_drops_one_is_refused(ready_engine):
    from tracker.store import RevisionRewritten
    from tracker.store.models import AuditEntry, TargetRevisionRow

    _sync(ready_engine, REVISED)
    _sync(ready_engine, REVISED)  # idempotent: recorded once
    with ready_engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(TargetRevisionRow)) == 3
        audited = conn.scalars(sa.select(AuditEntry.object).where(AuditEntry.action == "revision")).all()
    assert sorted(audited) == sorted(f"revision:{PLAN.id}/{r['id']}" for r in REVISIONS)
    rewritten = Plan.model_validate({**PLAN.model_dump(mode="json"),
                                     "revisions": [{**REVISIONS[0], "value": 800}, *REVISIONS[1:]]},
                                    context={"departments": {"hrss"}})
    with pytest.raises(RevisionRewritten, match="trainees_cut.*不能修改"):
        _sync(ready_engine, rewritten)
    dropped = Plan.model_validate({**PLAN.model_dump(mode="json"), "revisions": REVISIONS[1:]},
                                  context={"departments": {"hrss"}})
    with pytest.raises(RevisionRewritten, match="trainees_cut.*不能从方案文件中删除"):
        _sync(ready_engine, dropped)
    added = Plan.model_validate({**PLAN.model_dump(mode="json"), "revisions": [*REVISIONS, {
        **REVISIONS[0], "id": "trainees_cut_again", "effective": "2023-10", "value": 1000}]},
        context={"departments": {"hrss"}})
    _sync(ready_engine, added)  # a new revision may be added
    with ready_engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(TargetRevisionRow)) == 4


@pytest.mark.parametrize("statement", [
    "UPDATE target_revisions SET content = '{}'",
    "DELETE FROM target_revisions",
    # SQLite's replace deletes the row it collides with, and no DELETE trigger fires for it (PostgreSQL has no
    # such statement: refused there as well)
    "INSERT OR REPLACE INTO target_revisions (plan_id, id, target_id, effective, content, sha256) "
    "SELECT plan_id, id, target_id, effective, '{}', sha256 FROM target_revisions",
])
def test_the_revisions_table_refuses_updates_deletes_and_replaces(ready_engine, statement):
    _sync(ready_engine, REVISED)
    with ready_engine.connect() as conn:
        before = conn.execute(sa.text("SELECT id, content FROM target_revisions ORDER BY id")).all()
    with pytest.raises(sa.exc.DatabaseError):
        with ready_engine.begin() as conn:
            conn.execute(sa.text(statement))
    with ready_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT id, content FROM target_revisions ORDER BY id")).all() == before
