"""The department red list (滞后事项清单): targets and measures at risk or behind, by responsible department,
furthest behind first — the list read out at the monthly meeting."""
from __future__ import annotations

import pandas as pd

from tracker.i18n import month_label, t, task_label
from tracker.model.periods import month_index
from tracker.model.units import format_percent, format_quantity
from tracker.progress.snapshot import Snapshot

LAGGING_TARGET = ("behind", "at_risk")
LAGGING_MILESTONE = ("delayed",)


def lagging(snap: Snapshot) -> pd.DataFrame:
    """One row per lagging item and responsible department (lead or co-responsible).

    ``shortfall`` orders items by how far behind they are: for a target, the share of expected-by-now not reached
    (1 − pace); for a delayed measure, months since it was reported delayed, scaled so that a year counts as a
    full shortfall.
    """
    rows = []
    province = snap.province()
    for target in snap.plan.targets:
        row = province.loc[target.id]
        if row["status"] not in LAGGING_TARGET:
            continue
        pace = row["pace"] if pd.notna(row["pace"]) else 0.0
        for role, dept in (("lead", target.departments.lead), *(("co", d) for d in target.departments.co)):
            rows.append({"department": dept, "role": role, "kind": "target", "item": target.id,
                         "task": target.task, "status": row["status"], "shortfall": max(0.0, 1 - pace),
                         "actual": row["actual"], "expected": row["expected"], "unit": target.unit,
                         "since": None})
    milestones = snap.milestones.set_index("milestone")
    for milestone in snap.plan.milestones:
        state = milestones.loc[milestone.id]
        if state["status"] not in LAGGING_MILESTONE:
            continue
        since = state["as_of"] if isinstance(state["as_of"], str) else snap.as_of
        months = max(0, month_index(snap.as_of) - month_index(since))
        for role, dept in (("lead", milestone.departments.lead), *(("co", d) for d in milestone.departments.co)):
            rows.append({"department": dept, "role": role, "kind": "milestone", "item": milestone.id,
                         "task": milestone.task, "status": "delayed", "shortfall": min(1.0, months / 12),
                         "actual": None, "expected": None, "unit": None, "since": since})
    frame = pd.DataFrame(rows, columns=["department", "role", "kind", "item", "task", "status", "shortfall",
                                        "actual", "expected", "unit", "since"])
    return frame.sort_values(["shortfall", "kind"], ascending=[False, False], kind="stable").reset_index(drop=True)


def red_list_table(snap: Snapshot, frame: pd.DataFrame, department_names: dict[str, str],
                   lang: str = "zh") -> pd.DataFrame:
    out = []
    for r in frame.to_dict("records"):
        task = snap.plan.task(r["task"])
        if r["kind"] == "target":
            target = snap.plan.target(r["item"])
            name, status = target.name.get(lang), snap.config.status(r["status"]).label(lang)
            detail = t("redlist.target_detail", lang, actual=format_quantity(r["actual"], r["unit"], lang),
                       expected=format_quantity(r["expected"], r["unit"], lang),
                       gap=format_percent(r["shortfall"]))
        else:
            milestone = next(m for m in snap.plan.milestones if m.id == r["item"])
            name, status = milestone.name.get(lang), snap.config.milestone_status("delayed").label(lang)
            detail = t("redlist.milestone_detail", lang, since=month_label(r["since"], lang))
        out.append({
            t("col.department", lang): department_names[r["department"]],
            t("col.role", lang): t(f"role.{r['role']}", lang),
            t("col.kind", lang): t(f"kind.item_{r['kind']}", lang),
            t("col.item", lang): name,
            t("col.task", lang): task_label(task.number, task.title.get(lang), lang),
            t("col.status", lang): status,
            t("col.detail", lang): detail,
        })
    return pd.DataFrame(out)
