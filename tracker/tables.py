"""Tables as people read them: localised headers, figures in 万人 with units, statuses as labels.

Pages show these frames and exports will write them, so a table is defined once.
"""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .cards import goal_text
from .i18n import month_label, t, task_label
from .snapshot import Snapshot
from .units import format_percent, format_quantity


def target_table(snap: Snapshot, target_ids: Iterable[str], lang: str = "zh",
                 roles: dict[str, str] | None = None) -> pd.DataFrame:
    province = snap.province()
    rows = []
    for target_id in target_ids:
        target = snap.plan.target(target_id)
        row = province.loc[target_id]
        record = {
            t("col.target", lang): target.name.get(lang),
            t("col.task", lang): task_label(snap.plan.task(target.task).number,
                                            snap.plan.task(target.task).title.get(lang), lang),
        }
        if roles is not None:
            record[t("col.role", lang)] = t(f"role.{roles[target_id]}", lang)
        record.update({
            t("col.actual", lang): format_quantity(row["actual"], target.unit, lang),
            t("col.goal", lang): goal_text(target, lang),
            t("col.expected", lang): format_quantity(row["expected"], target.unit, lang),
            t("col.completion", lang): format_percent(row["completion"]),
            t("col.pace", lang): format_percent(row["pace"]),
            t("col.status", lang): snap.config.status(row["status"]).label(lang),
            t("col.reporters", lang): f"{int(row['reported'])}/{int(row['expected_reporters'])}",
            t("col.as_of", lang): month_label(row["month"] if isinstance(row["month"], str) else snap.as_of, lang),
        })
        rows.append(record)
    return pd.DataFrame(rows)


def milestone_table(snap: Snapshot, milestone_ids: Iterable[str], lang: str = "zh",
                    roles: dict[str, str] | None = None) -> pd.DataFrame:
    wanted = list(milestone_ids)
    frame = snap.milestones.set_index("milestone")
    rows = []
    for milestone_id in wanted:
        milestone = next(m for m in snap.plan.milestones if m.id == milestone_id)
        row = frame.loc[milestone_id]
        task = snap.plan.task(milestone.task)
        record = {
            t("col.milestone", lang): milestone.name.get(lang),
            t("col.task", lang): task_label(task.number, task.title.get(lang), lang),
        }
        if roles is not None:
            record[t("col.role", lang)] = t(f"role.{roles[milestone_id]}", lang)
        record.update({
            t("col.status", lang): snap.config.milestone_status(row["status"]).label(lang),
            t("col.updated", lang): month_label(row["as_of"], lang) if isinstance(row["as_of"], str) else "—",
            t("col.note", lang): row["note"] if isinstance(row["note"], str) else "",
        })
        rows.append(record)
    return pd.DataFrame(rows)


def region_table(rows: pd.DataFrame, snap: Snapshot, target_id: str, lang: str = "zh") -> pd.DataFrame:
    target = snap.plan.target(target_id)
    out = []
    for row in rows.sort_values("pace", ascending=True, na_position="last").to_dict("records"):
        out.append({
            t("col.region", lang): row["region_name"],
            t("col.actual", lang): format_quantity(row["actual"], target.unit, lang),
            t("col.allocated", lang): format_quantity(row["target_value"], target.unit, lang),
            t("col.expected", lang): format_quantity(row["expected"], target.unit, lang),
            t("col.completion", lang): format_percent(row["completion"]),
            t("col.pace", lang): format_percent(row["pace"]),
            t("col.share", lang): format_percent(row["share"]),
            t("col.status", lang): snap.config.status(row["status"]).label(lang),
            t("col.reporters", lang): f"{int(row['reported'])}/{int(row['expected_reporters'])}",
        })
    return pd.DataFrame(out)


def milestone_counts(snap: Snapshot) -> dict[str, int]:
    counts = snap.milestones["status"].value_counts()
    return {s.id: int(counts.get(s.id, 0)) for s in snap.config.milestone_statuses}
