"""Tables as people read them: localised headers, figures in 万人 with units, statuses as labels.

Pages show these frames and exports will write them, so a table is defined once.
"""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from tracker.i18n import month_label, t, task_label
from tracker.model.plan import Departments
from tracker.model.units import format_percent, format_quantity
from tracker.outputs.cards import coverage_text, goal_text, row_goal, shortfall_text
from tracker.outputs.columns import Count, Percent, quantity, typed
from tracker.outputs.text import escape_markdown
from tracker.progress.snapshot import Snapshot
from tracker.store.demo import demo_words


def _remarks(row, target, snap: Snapshot, lang: str) -> str:
    """What qualifies a row's figures, in words: judged at the period's end, short of a target it reads like, judged
    on part of the counties, an estimate with the missing counties in it."""
    parts = []
    month = row.get("month")
    if isinstance(month, str) and month == target.period.end:
        parts.append(t("summary.at_period_end", lang, month=month_label(month, lang)))
    parts.append(shortfall_text(row, target, lang))
    parts.append(coverage_text(row, lang))
    estimate = row.get("estimate")
    if estimate is not None and not pd.isna(estimate):
        parts.append(t("figure.estimate", lang, value=format_quantity(estimate, target.unit, lang),
                       n=len(row.get("estimated") or ())))
    separator = "；" if lang != "en" else "; "
    return separator.join(p for p in parts if p)


def _figure_kinds(targets: list, lang: str) -> dict:
    """The figure columns' kinds (``outputs.columns``) for rows of ``targets``."""
    units, sizes = [x.unit for x in targets], [x.value or 0.0 for x in targets]
    return {
        t("col.actual", lang): quantity(units, sizes), t("col.allocated", lang): quantity(units, sizes),
        t("col.expected", lang): quantity(units, sizes),
        t("col.completion", lang): Percent(tuple(x.comparator == "at_most" for x in targets)),
        t("col.pace", lang): Percent(), t("col.share", lang): Percent(),
    }


def target_table(snap: Snapshot, target_ids: Iterable[str], lang: str = "zh",
                 roles: dict[str, str] | None = None, task: bool = True) -> pd.DataFrame:
    """Targets at province level, one row each; figures as numbers (``outputs.columns``). ``task=False`` on a
    page about one task, which names it already."""
    province = snap.province()
    rows, targets = [], []
    for target_id in target_ids:
        target = snap.plan.target(target_id)
        targets.append(target)
        row = province.loc[target_id].to_dict()
        record = {t("col.target", lang): target.name.get(lang)}
        if task:
            record[t("col.task", lang)] = task_label(snap.plan.task(target.task).number,
                                                     snap.plan.task(target.task).title.get(lang), lang)
        if roles is not None:
            record[t("col.role", lang)] = t(f"role.{roles[target_id]}", lang)
        record.update({
            t("col.actual", lang): row["actual"],
            t("col.goal", lang): row_goal(target, row, lang),
            t("col.expected", lang): row["expected"],
            t("col.completion", lang): row["completion"],
            t("col.pace", lang): row["pace"],
            t("col.status", lang): snap.config.status(row["status"]).label(lang),
            t("col.reporters", lang): reporters_text(row, lang),
            t("col.as_of", lang): month_label(row["month"] if isinstance(row["month"], str) else snap.as_of, lang),
            t("col.remarks", lang): _remarks(row, target, snap, lang),
        })
        rows.append(record)
    return typed(pd.DataFrame(rows), _figure_kinds(targets, lang))


def reporters_text(row, lang: str = "zh") -> str:
    """"175/183", and the share of the region they hold when not all reported ("175/183 · 96.2%"): the coverage the
    status was judged on."""
    text = f"{int(row['reported'])}/{int(row['expected_reporters'])}"
    coverage = row.get("coverage") if hasattr(row, "get") else None
    if coverage is not None and not pd.isna(coverage) and coverage < 1 - 1e-9:
        text += f" · {format_percent(coverage)}"
    return text


def department_label(department_id: str, lang: str = "zh") -> str:
    from loaders.plans import load_departments

    return load_departments().by_id()[department_id].name.get(lang)


def departments_text(departments: Departments, lang: str = "zh") -> str:
    """Who is responsible, worded as the plan has it: "省发展改革委、人力资源社会保障厅（按职责分工负责）", and
    "…牵头，…配合" only where the plan names a lead."""
    names = [department_label(d, lang) for d in departments.co]
    separator = "、" if lang != "en" else ", "
    if departments.lead is None:
        return t("departments.shared", lang, names=separator.join(names))
    lead = department_label(departments.lead, lang)
    if not names:
        return t("departments.led_alone", lang, lead=lead)
    return t("departments.led", lang, lead=lead, co=separator.join(names))


def milestone_table(snap: Snapshot, milestone_ids: Iterable[str], lang: str = "zh",
                    roles: dict[str, str] | None = None, task: bool = True) -> pd.DataFrame:
    wanted = list(milestone_ids)
    frame = snap.milestones.set_index("milestone")
    rows = []
    for milestone_id in wanted:
        milestone = next(m for m in snap.plan.milestones if m.id == milestone_id)
        row = frame.loc[milestone_id]
        its_task = snap.plan.task(milestone.task)
        record = {t("col.milestone", lang): milestone.name.get(lang)}
        if task:
            record[t("col.task", lang)] = task_label(its_task.number, its_task.title.get(lang), lang)
        if roles is not None:
            record[t("col.role", lang)] = t(f"role.{roles[milestone_id]}", lang)
        record.update({
            t("target.departments", lang): departments_text(milestone.departments, lang),
            t("col.status", lang): snap.config.milestone_status(row["status"]).label(lang),
            t("col.updated", lang): month_label(row["as_of"], lang) if isinstance(row["as_of"], str) else "—",
            t("col.note", lang): demo_words(row["note"], lang) if isinstance(row["note"], str) else "",
        })
        rows.append(record)
    return pd.DataFrame(rows)


def region_table(rows: pd.DataFrame, snap: Snapshot, target_id: str, lang: str = "zh") -> pd.DataFrame:
    """One target's regions, furthest behind first; figures as numbers (``outputs.columns``)."""
    target = snap.plan.target(target_id)
    out = []
    for row in rows.sort_values("pace", ascending=True, na_position="last").to_dict("records"):
        out.append({
            t("col.region", lang): row["region_name"],
            t("col.actual", lang): row["actual"],
            t("col.allocated", lang): row["target_value"],
            t("col.expected", lang): row["expected"],
            t("col.completion", lang): row["completion"],
            t("col.pace", lang): row["pace"],
            t("col.share", lang): row["share"],
            t("col.status", lang): snap.config.status(row["status"]).label(lang),
            t("col.reporters", lang): reporters_text(row, lang),
            t("col.remarks", lang): _remarks(row, target, snap, lang),
        })
    return typed(pd.DataFrame(out), _figure_kinds([target] * len(out), lang))


def milestone_counts(snap: Snapshot) -> dict[str, int]:
    counts = snap.milestones["status"].value_counts()
    return {s.id: int(counts.get(s.id, 0)) for s in snap.config.milestone_statuses}


def preview_table(preview: pd.DataFrame, problems, lang: str = "zh", plan=None) -> tuple[pd.DataFrame, list[str]]:
    """The parsed figures of an upload beside the county's earlier months, and a severity per row ("" when
    clean) so the page can colour the rows a problem points at. A cell that could not be read as a figure (a
    negative number, "待报") is a row of its own, with what it holds and why, so every problem is marked where it
    is, not only in the list above."""
    by_cell: dict[tuple[str | None, str | None], list] = {}
    for p in problems:
        by_cell.setdefault((p.sheet, p.cell), []).append(p)
    change_words = {"new": t("preview.new", lang), "same": t("preview.same", lang),
                    "changed": t("preview.changed", lang)}

    def target_name(target_id, fallback):
        return plan.target(target_id).name.get(lang) if plan is not None and target_id else fallback

    rows, severity, placed = [], [], set()
    for r in preview.to_dict("records"):
        found = by_cell.get((r["sheet"], r["cell"]), [])
        placed.add((r["sheet"], r["cell"]))
        rows.append({
            t("col.region", lang): r["county_name"],
            t("col.target", lang): target_name(r["target"], r["target_name"]),
            t("preview.period", lang): month_label(r["period"], lang),
            t("preview.value", lang): r["value"],
            t("preview.current", lang): r["current"],
            t("preview.previous_1", lang): r["previous_1"],
            t("preview.previous_2", lang): r["previous_2"],
            t("preview.change", lang): change_words[r["change"]],
            t("preview.cell", lang): f"{r['sheet']}!{r['cell']}",
            t("preview.problem", lang): "；".join(p.message(lang) for p in found),
        })
        severity.append("error" if any(p.severity == "error" for p in found)
                        else "warning" if found else "")
    period = month_label(preview["period"].iloc[0], lang) if not preview.empty else ""
    for (sheet, cell), found in by_cell.items():
        if cell is None or (sheet, cell) in placed or not any(p.county for p in found):
            continue
        first = found[0]
        rows.append({
            t("col.region", lang): first.county,
            t("col.target", lang): target_name(first.target, first.params.get("target_name", "")),
            t("preview.period", lang): period,
            t("preview.value", lang): None,
            t("preview.written", lang): first.params.get("value", ""),
            t("preview.change", lang): t("preview.not_read", lang),
            t("preview.cell", lang): f"{sheet}!{cell}" if sheet else cell,
            t("preview.problem", lang): "；".join(p.message(lang) for p in found),
        })
        severity.append("error" if any(p.severity == "error" for p in found) else "warning")
    # in the order of the sheet (row, then column), so an unreadable cell sits among its county's figures
    order = sorted(range(len(rows)), key=lambda i: _cell_order(rows[i][t("preview.cell", lang)]))
    rows, severity = [rows[i] for i in order], [severity[i] for i in order]
    frame = pd.DataFrame(rows)
    for key in ("preview.value", "preview.current", "preview.previous_1", "preview.previous_2"):
        column = t(key, lang)
        if column in frame:  # whole persons read as whole numbers, not 300006.000000
            frame[column] = pd.to_numeric(frame[column]).round().astype("Int64")
    written = t("preview.written", lang)
    if written in frame:  # what an unreadable cell holds, beside the figure column
        frame[written] = frame[written].fillna("")
        order = list(frame.columns)
        order.remove(written)
        order.insert(order.index(t("preview.value", lang)) + 1, written)
        frame = frame[order]
    return frame, severity


def _cell_order(reference: str) -> tuple[str, int, int]:
    """``数据!G11`` → ("数据", 11, 7): sheet, row, column."""
    sheet, _, cell = reference.rpartition("!")
    letters = "".join(c for c in cell if c.isalpha()).upper()
    digits = "".join(c for c in cell if c.isdigit())
    column = 0
    for c in letters:
        column = column * 26 + ord(c) - 64
    return sheet, int(digits or 0), column


def problem_table(problems, lang: str = "zh") -> pd.DataFrame:
    return pd.DataFrame([{
        t("problem.col.severity", lang): t(f"severity.{p.severity}", lang),
        t("problem.col.where", lang): p.location(lang),
        t("col.region", lang): p.county or "",
        t("problem.col.message", lang): p.message(lang),
    } for p in problems])


def submission_table(history: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """A prefecture's submissions, newest first, each saying how it came (a file, or entered online: its file
    name then starts with 网上填报, which an English reader could not tell)."""
    from tracker.intake.entry import is_online_entry  # here: openpyxl only for the page that shows submissions

    return pd.DataFrame({
        t("col.submission", lang): history["id"],
        t("preview.period", lang): [month_label(p, lang) for p in history["period"]],
        t("col.uploaded_at", lang): [f"{x:%Y-%m-%d %H:%M}" for x in history["created_at"]],
        t("col.uploader", lang): [demo_words(u, lang) for u in history["uploader"]],
        t("col.source", lang): [t("source.online" if is_online_entry(f) else "source.file", lang)
                                for f in history["file_name"]],
        t("col.file", lang): history["file_name"],
        t("col.values", lang): history["n_values"],
        t("col.checksum", lang): [s[:12] if isinstance(s, str) else "" for s in history["sha256"]],
    })


def allocation_table(summary: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    records = summary.to_dict("records")
    figures = quantity([r["unit"] for r in records], [r["provincial"] or 0 for r in records])
    return typed(pd.DataFrame([{
        t("col.target", lang): r["target_name"],
        t("col.provincial", lang): r["provincial"],
        t("col.allocated_sum", lang): r["allocated_sum"],
        t("col.ratio", lang): r["ratio"],
        t("col.prefectures", lang): r["prefectures"],
    } for r in records]), {t("col.provincial", lang): figures, t("col.allocated_sum", lang): figures,
                           t("col.ratio", lang): Percent()})


def problem_list(problems, lang: str = "zh", limit: int = 30) -> str:
    """Problems as a Markdown list a person reads top to bottom: severity, place, county, message."""
    lines = []
    for p in problems[:limit]:
        mark = "🔴" if p.severity == "error" else "🟠"
        where = " ".join(x for x in (p.location(lang), p.county or "") if x)  # both may quote the file
        lines.append(f"- {mark} **{t('severity.' + p.severity, lang)}** {escape_markdown(where)}："
                     f"{escape_markdown(p.message(lang))}")
    if len(problems) > limit:
        lines.append(f"- {t('upload.more_problems', lang, n=len(problems) - limit)}")
    return "\n".join(lines)


def completeness_table(report, tree, month: str, lang: str = "zh") -> pd.DataFrame:
    """Per prefecture for one month: expected, reported, on time, late, missing, rates."""
    frame = report.by_prefecture[report.by_prefecture["period"] == month]
    rows = []
    for r in frame.sort_values("reporting_rate").to_dict("records"):
        rows.append({
            t("col.region", lang): tree[r["prefecture"]].name,
            t("completeness.col.expected", lang): int(r["expected"]),
            t("completeness.col.reported", lang): int(r["reported"]),
            t("completeness.col.on_time", lang): int(r["on_time"]),
            t("completeness.col.late", lang): int(r["late"]),
            t("completeness.col.missing", lang): int(r["missing"] + r["pending"]),
            t("completeness.rate", lang): r["reporting_rate"],
            t("completeness.on_time_rate", lang): r["on_time_rate"],
        })
    counts = ("completeness.col.expected", "completeness.col.reported", "completeness.col.on_time",
              "completeness.col.late", "completeness.col.missing")
    return typed(pd.DataFrame(rows), {**{t(k, lang): Count() for k in counts},
                                      t("completeness.rate", lang): Percent(),
                                      t("completeness.on_time_rate", lang): Percent()})


def completeness_matrix(report, tree, lang: str = "zh") -> pd.DataFrame:
    """Prefecture × month reporting rates (0–1), prefectures in division order, for the heatmap."""
    frame = report.by_prefecture.pivot(index="prefecture", columns="period", values="reporting_rate")
    order = [p.code for p in tree.level("prefecture") if p.code in frame.index]
    frame = frame.loc[order]
    frame.index = [tree[p].name for p in frame.index]
    frame.columns = [month_label(m, lang) for m in frame.columns]
    return frame


def missing_table(report, tree, month: str, lang: str = "zh") -> pd.DataFrame:
    return pd.DataFrame([{
        t("col.prefecture", lang): tree[r["prefecture"]].name,
        t("col.county", lang): tree[r["region"]].name,
        t("col.code", lang): r["region"],
        t("completeness.col.state", lang): t(f"completeness.state.{r['state']}", lang),
    } for r in report.missing(month).to_dict("records")])


def milestone_history_table(records: pd.DataFrame, config, lang: str = "zh") -> pd.DataFrame:
    return pd.DataFrame([{
        t("col.updated", lang): month_label(r["as_of"], lang),
        t("col.status", lang): config.milestone_status(r["status"]).label(lang),
        t("col.note", lang): demo_words(r["note"] or "", lang),
        t("col.uploader", lang): demo_words(r["updated_by"], lang),
        t("col.uploaded_at", lang): f"{r['created_at']:%Y-%m-%d %H:%M}",
        t("milestones.evidence_col", lang): r["evidence"] if isinstance(r["evidence"], str) else "",
    } for r in records.to_dict("records")])


def judgement_table(history: pd.DataFrame, config, lang: str = "zh") -> pd.DataFrame:
    """A target's delivery judgements, newest first."""
    return pd.DataFrame([{
        t("judgement.col.date", lang): f"{r['reviewed_on']:%Y-%m-%d}",
        t("judgement.col.level", lang): config.confidence(r["level"]).label(lang),
        t("judgement.col.reason", lang): r["reason"],
        t("judgement.col.who", lang): r["actor"],
    } for r in history.iloc[::-1].to_dict("records")])


def reminder_table(history: list[dict], tree, lang: str = "zh") -> pd.DataFrame:
    """The reminders sent for a month: when, to which prefecture, which stage, how many counties, what the
    channels answered."""
    def answered(outcome: dict) -> str:
        return "；".join(f"{t('remind.channel.' + k, lang)}：{t('remind.ok', lang) if v == 'sent' else v}"
                        for k, v in outcome.items())

    return pd.DataFrame([{
        t("remind.col.sent_at", lang): f"{r['sent_at']:%Y-%m-%d %H:%M}",
        t("col.region", lang): tree[r["prefecture"]].name,
        t("remind.col.stage", lang): t(f"remind.stage.{r['stage']}", lang),
        t("remind.col.counties", lang): len(r["counties"]),
        t("remind.col.recipients", lang): "、".join(r["recipients"]) or "—",
        t("remind.col.outcome", lang): answered(r["outcome"]),
        t("remind.col.by", lang): r["actor"],
    } for r in history])


def late_table(states: pd.DataFrame, tree, lang: str = "zh") -> pd.DataFrame:
    """Counties that reported late or not at all, with when their first figures arrived."""
    return pd.DataFrame([{
        t("col.prefecture", lang): tree[r["prefecture"]].name,
        t("col.county", lang): tree[r["region"]].name,
        t("completeness.col.state", lang): t(f"completeness.state.{r['state']}", lang),
        t("quality.arrived", lang): (f"{r['arrived']:%Y-%m-%d %H:%M}" if r["arrived"] is not None
                                     and not pd.isna(r["arrived"]) else "—"),
    } for r in states.sort_values(["state", "prefecture", "region"]).to_dict("records")])


def superseded_table(frame: pd.DataFrame, snap, lang: str = "zh") -> pd.DataFrame:
    records = frame.to_dict("records")
    targets = [snap.plan.target(r["target"]) for r in records]
    figures = quantity([x.unit for x in targets], [x.value or 0.0 for x in targets])
    return typed(pd.DataFrame([{
        t("col.county", lang): snap.tree[r["region"]].name,
        t("col.target", lang): target.name.get(lang),
        t("quality.old", lang): r["old"],
        t("quality.new", lang): r["new"],
        t("col.uploader", lang): r["by"],
        t("col.uploaded_at", lang): f"{r['at']:%Y-%m-%d %H:%M}",
        t("col.file", lang): r["file"] or "",
    } for r, target in zip(records, targets)]), {t("quality.old", lang): figures, t("quality.new", lang): figures})


def warnings_table(frame: pd.DataFrame, tree, lang: str = "zh") -> pd.DataFrame:
    return pd.DataFrame([{
        t("col.prefecture", lang): tree[r["prefecture"]].name if r["prefecture"] else "",
        t("col.county", lang): r["county"] or "",
        t("preview.cell", lang): r["cell"] or "",
        t("problem.col.message", lang): r["message"],
        t("col.uploader", lang): r["by"],
        t("col.submission", lang): r["submission"],
    } for r in frame.to_dict("records")])


def outlier_table(frame: pd.DataFrame, snap, lang: str = "zh") -> pd.DataFrame:
    rows, targets = [], []
    for r in frame.to_dict("records"):
        target = snap.plan.target(r["target"])
        targets.append(target)
        rows.append({
            t("col.county", lang): snap.tree[r["region"]].name,
            t("col.target", lang): target.name.get(lang),
            t("preview.previous_1", lang): r["previous"],
            t("preview.value", lang): r["value"],
            t("quality.change", lang): r["change"],
        })
    figures = quantity([x.unit for x in targets], [x.value or 0.0 for x in targets])
    return typed(pd.DataFrame(rows), {t("preview.previous_1", lang): figures, t("preview.value", lang): figures,
                                      t("quality.change", lang): Percent()})


def _stamp(value) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value is not None and not pd.isna(value) else ""


def review_table(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Submissions under review (``approval.review_list``): who sent what for which month, its state, and the
    reviewer's reason, the same for the province's list and for the prefecture's own."""
    return pd.DataFrame({
        t("col.submission", lang): frame["id"],
        t("col.prefecture", lang): frame["prefecture_name"],
        t("preview.period", lang): [month_label(p, lang) for p in frame["period"]],
        t("col.uploader", lang): frame["uploader"],
        t("col.uploaded_at", lang): [_stamp(x) for x in frame["created_at"]],
        t("col.file", lang): frame["file_name"],
        t("col.values", lang): frame["n_values"],
        t("review.col.warnings", lang): frame["warnings"],
        t("review.col.state", lang): [t(f"review.state.{s}", lang, counting=c, n=n) + (" 🔒" if locked else "")
                                      for s, c, n, locked in zip(frame["state"], frame["counting"], frame["n_values"],
                                                                 frame["locked"])],
        t("review.col.reason", lang): [r if isinstance(r, str) else "" for r in frame["reason"]],
        t("review.col.reviewed_by", lang): [r if isinstance(r, str) else "" for r in frame["reviewed_by"]],
        t("review.col.reviewed_at", lang): [_stamp(x) for x in frame["reviewed_at"]],
    })


def locked_table(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Locked prefecture-months (``approval.locked_months``): which acceptance locks each."""
    return pd.DataFrame({
        t("col.prefecture", lang): frame["prefecture_name"],
        t("preview.period", lang): [month_label(p, lang) for p in frame["period"]],
        t("col.submission", lang): frame["submission"],
        t("review.col.reviewed_by", lang): frame["accepted_by"],
        t("review.col.reviewed_at", lang): [_stamp(x) for x in frame["accepted_at"]],
    })


def red_list_table(snap: Snapshot, frame: pd.DataFrame, department_names: dict[str, str],
                   lang: str = "zh", by_item: bool = False) -> pd.DataFrame:
    """The red list (``tracker.progress.redlist.lagging``) as a table: a row per item and department, or with ``by_item`` each item once with all its
    responsible departments (the plan names no lead to list it under)."""
    out = []
    if by_item:
        frame = frame.drop_duplicates("item")
    for r in frame.to_dict("records"):
        task = snap.plan.task(r["task"])
        if r["kind"] == "target":
            item = target = snap.plan.target(r["item"])
            name, status = target.name.get(lang), snap.config.status(r["status"]).label(lang)
            detail = t("redlist.target_detail", lang, actual=format_quantity(r["actual"], r["unit"], lang),
                       expected=format_quantity(r["expected"], r["unit"], lang),
                       gap=format_percent(r["shortfall"]))
        else:
            item = next(m for m in snap.plan.milestones if m.id == r["item"])
            name, status = item.name.get(lang), snap.config.milestone_status("delayed").label(lang)
            detail = t("redlist.milestone_detail", lang, since=month_label(r["since"], lang))
        if by_item:
            who = {t("target.departments", lang): departments_text(item.departments, lang)}
        else:
            who = {t("col.department", lang): department_names[r["department"]],
                   t("col.role", lang): t(f"role.{r['role']}", lang)}
        out.append({
            **who,
            t("col.kind", lang): t(f"kind.item_{r['kind']}", lang),
            t("col.item", lang): name,
            t("col.task", lang): task_label(task.number, task.title.get(lang), lang),
            t("col.status", lang): status,
            t("col.detail", lang): detail,
        })
    return pd.DataFrame(out)


def revision_table(plan, target_id: str, lang: str = "zh") -> pd.DataFrame:
    """A target's revisions (目标调整), oldest first: from when, what it became, why, by which document, approved by
    whom and when; the first row is the target as the plan first set it."""
    target = plan.target(target_id).original
    rows = [{
        t("revision.col.effective", lang): month_label(target.period.start, lang),
        t("revision.col.goal", lang): goal_text(target, lang),
        t("revision.col.period", lang): f"{month_label(target.period.start, lang)} – "
                                         f"{month_label(target.period.end, lang)}",
        t("revision.col.reason", lang): t("revision.original", lang),
        t("revision.col.document", lang): plan.source.document,
        t("revision.col.approved", lang): plan.source.issued or "",
    }]
    version = target
    for revision in plan.revisions_of(target_id):
        changes = {k: v for k, v in (("value", revision.value), ("period", revision.period)) if v is not None}
        version = version.model_copy(update=changes)
        rows.append({
            t("revision.col.effective", lang): month_label(revision.effective, lang),
            t("revision.col.goal", lang): goal_text(version, lang),
            t("revision.col.period", lang): f"{month_label(version.period.start, lang)} – "
                                             f"{month_label(version.period.end, lang)}",
            t("revision.col.reason", lang): revision.reason,
            t("revision.col.document", lang): revision.document,
            t("revision.col.approved", lang): f"{revision.approved_by}（{revision.approved_on}）" if lang != "en"
            else f"{revision.approved_by} ({revision.approved_on})",
        })
    return pd.DataFrame(rows)


def continuation_table(steps: list[tuple[Snapshot, str]], lang: str = "zh") -> pd.DataFrame:
    """One indicator across successive plans (``model.plan.continuations``): each plan's target as it stood at its
    snapshot's month (an ended plan's at its deadline), one row a plan, so a reader follows it from one to the next."""
    rows, targets = [], []
    for snap, target_id in steps:
        target = snap.plan.target(target_id)
        targets.append(target)
        row = snap.province().loc[target_id].to_dict()
        rows.append({
            t("col.plan", lang): snap.plan.title.get(lang),
            t("col.target", lang): target.name.get(lang),
            t("target.period", lang): f"{month_label(target.period.start, lang)} – {month_label(target.period.end, lang)}",
            t("col.actual", lang): row["actual"],
            t("col.goal", lang): row_goal(target, row, lang),
            t("col.completion", lang): row["completion"],
            t("col.status", lang): snap.config.status(row["status"]).label(lang),
            t("col.as_of", lang): month_label(row["month"] if isinstance(row["month"], str) else snap.as_of, lang),
        })
    return typed(pd.DataFrame(rows), _figure_kinds(targets, lang))


def returned_cells_table(cells, plan, tree, lang: str = "zh") -> pd.DataFrame:
    """Cells a reviewer returned for correction (``corrections.returned_cells``), to be fixed first: which month,
    county and target, the figure returned, why, who, when, and whether a correction came."""
    order = {"open": 0, "pending": 1, "corrected": 2, "void": 3}
    cells = sorted(cells, key=lambda c: (order[c.state], c.period, c.id))
    return pd.DataFrame({
        t("preview.period", lang): [month_label(c.period, lang) for c in cells],
        t("col.county", lang): [tree[c.county].name if c.county else t("corrections.column", lang) for c in cells],
        t("col.target", lang): [plan.target(c.target_id).name.get(lang) for c in cells],
        t("corrections.value", lang): [format_quantity(c.value, plan.target(c.target_id).unit, lang)
                                       if c.value is not None else "—" for c in cells],
        t("review.col.reason", lang): [c.reason for c in cells],
        t("review.col.reviewed_by", lang): [c.actor for c in cells],
        t("review.col.reviewed_at", lang): [_stamp(c.at) for c in cells],
        t("review.col.state", lang): [t(f"corrections.state.{c.state}", lang, id=c.corrected_by or "")
                                      for c in cells],
    }, columns=[t(k, lang) for k in ("preview.period", "col.county", "col.target", "corrections.value",
                                      "review.col.reason", "review.col.reviewed_by", "review.col.reviewed_at",
                                      "review.col.state")])
