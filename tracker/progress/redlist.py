"""The department red list (滞后事项清单): targets and measures at risk or behind, by responsible department,
furthest behind first — the list read out at the monthly meeting."""
from __future__ import annotations

import pandas as pd

from tracker.model.periods import month_index
from tracker.progress.snapshot import Snapshot

LAGGING_TARGET = ("not_met", "behind", "at_risk")  # a deadline missed stays on the list, as 未完成
LAGGING_MILESTONE = ("delayed",)


def lagging(snap: Snapshot) -> pd.DataFrame:
    """One row per lagging item and responsible department, with the department's ``role`` as the plan states it
    (``shared`` when the plan names no lead, else ``lead`` or ``co``).

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
        for dept in target.departments.responsible:
            rows.append({"department": dept, "role": target.departments.role_of(dept), "kind": "target", "item": target.id,
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
        for dept in milestone.departments.responsible:
            rows.append({"department": dept, "role": milestone.departments.role_of(dept), "kind": "milestone", "item": milestone.id,
                         "task": milestone.task, "status": "delayed", "shortfall": min(1.0, months / 12),
                         "actual": None, "expected": None, "unit": None, "since": since})
    frame = pd.DataFrame(rows, columns=["department", "role", "kind", "item", "task", "status", "shortfall",
                                        "actual", "expected", "unit", "since"])
    return frame.sort_values(["shortfall", "kind"], ascending=[False, False], kind="stable").reset_index(drop=True)
