"""情况汇报: the briefing's facts, gathered once, and the short formal report written from them.

``gather`` reads everything a briefing says out of a Snapshot (``tracker progress``'s figures) and the reporting
completeness of the as-of month: each target's province row and its lagging prefectures, each measure's status and
how long it has been delayed, the counties that have not reported. The slides (``tracker.outputs.slides``) and this report
both speak from these facts, so a figure in the deck, in its speaker notes and in the written report is the same
figure, formatted by ``tracker.model.units`` exactly as ``tracker progress`` formats it.

The prose is template-driven (sentence patterns in tracker/locales/*.yaml, ``summary.*``) and deterministic: the
same database and month give the same text, word for word. No hosted model, no generation time.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from tracker.i18n import month_label, t, task_label
from tracker.model.periods import month_index
from tracker.model.plan import Departments, LocalText, Target, Task
from tracker.model.units import format_percent, format_quantity
from tracker.outputs.cards import completion_text, coverage_text, remarks, row_goal, shortfall_text
from tracker.progress.completeness import Completeness
from tracker.progress.engine import MET
from tracker.progress.redlist import lagging
from tracker.progress.snapshot import Snapshot

LAGGING = ("not_met", "behind", "at_risk")
#: How many names a sentence lists before it says "and N more".
LIST_LIMIT = 3
COUNTY_LIMIT = 10


def _num(value: object) -> float | None:
    if value is None:
        return None
    try:
        value = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def region_name(tree, code: str) -> str:
    """A prefecture as reports write it: 雅安市, but 阿坝州 rather than 阿坝藏族羌族自治州."""
    region = tree[code]
    return region.short_name if region.name.endswith("自治州") else region.name


def join(items: list[str], lang: str = "zh") -> str:
    """A list in running text: 甲、乙、丙 / A, B and C."""
    items = [i for i in items if i]
    if lang != "en":
        return "、".join(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@dataclass(frozen=True)
class TargetFact:
    target: Target
    row: dict                 # the province row of ``tracker progress``
    prefectures: tuple[dict, ...]   # its prefecture rows
    lagging: tuple[dict, ...]       # prefectures at risk or behind, furthest behind first

    @property
    def id(self) -> str:
        return self.target.id

    @property
    def status(self) -> str:
        return self.row["status"]

    @property
    def pace(self) -> float | None:
        return _num(self.row["pace"])

    @property
    def allocated(self) -> bool:
        """Whether prefectures have targets of their own (without them no prefecture can be behind)."""
        return any(_num(r["target_value"]) is not None for r in self.prefectures)

    @property
    def pace_group(self) -> str:
        """Which of the report's three lists the target belongs to, by its pace (not its status word): ``ahead``
        (at or ahead of the expected pace, or reached), ``behind`` (slower than the expected pace, whatever its
        status), or ``unjudged`` (no pace to compare: incomplete data, not started, nothing reported). Every
        target is in exactly one. A cap (``at_most``) has no pace: within it is ahead, over it behind."""
        if self.status in MET:
            return "ahead"
        if self.target.comparator == "at_most":
            return {"on_track": "ahead", "behind": "behind", "at_risk": "behind", "not_met": "behind"}.get(self.status, "unjudged")
        if self.pace is None:
            return "unjudged"
        return "ahead" if self.pace >= 1.0 else "behind"


@dataclass(frozen=True)
class MeasureFact:
    id: str
    name: LocalText
    task: str
    departments: Departments
    status: str
    since: str | None         # the month a delayed measure was reported delayed
    months: int               # months since then


@dataclass(frozen=True)
class Reporting:
    month: str
    expected: int
    reported: int
    on_time: int
    rate: float | None
    on_time_rate: float | None
    missing: tuple[dict, ...]  # {prefecture, region, state} for each county without a return, in division order

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class Facts:
    snap: Snapshot
    targets: tuple[TargetFact, ...]
    measures: tuple[MeasureFact, ...]
    reporting: Reporting
    departments: dict        # id → Department (short name for Chinese, name.en for English)
    lagging_items: pd.DataFrame   # tracker.progress.redlist.lagging: one row per item and responsible department
    explanations: tuple = ()  # tracker.review.explanations.Explanation of the month: the prefectures' own words
    judgements: dict = field(default_factory=dict)  # target id → tracker.review.judgement.Judgement standing then

    @property
    def as_of(self) -> str:
        return self.snap.as_of

    def department(self, department_id: str, lang: str = "zh") -> str:
        department = self.departments[department_id]
        return department.short if lang != "en" else department.name.get("en")

    def responsible(self, departments: Departments, lang: str = "zh") -> str:
        """The departments of an item as reports name them, in the plan's order; "（牵头）" only beside a lead the
        plan names (none of the 2023 plan's tasks has one)."""
        names = [self.department(d, lang) for d in departments.responsible]
        if departments.lead is not None:
            names = [t("departments.lead_name", lang, lead=n) if d == departments.lead else n
                     for d, n in zip(departments.responsible, names)]
        return join(names, lang) if lang == "en" else "、".join(names)

    def task_targets(self, task_id: str) -> list[TargetFact]:
        return [f for f in self.targets if f.target.task == task_id]

    def task_measures(self, task_id: str) -> list[MeasureFact]:
        return [m for m in self.measures if m.task == task_id]

    def delayed(self, task_id: str | None = None) -> list[MeasureFact]:
        """Delayed measures, longest delayed first (the order of the red list)."""
        found = [m for m in self.measures if m.status == "delayed" and (task_id is None or m.task == task_id)]
        return sorted(found, key=lambda m: (-m.months, m.since or "", m.id))

    def measure_counts(self, task_id: str | None = None) -> dict[str, int]:
        counts = {s.id: 0 for s in self.snap.config.milestone_statuses}
        for m in self.measures:
            if task_id is None or m.task == task_id:
                counts[m.status] = counts.get(m.status, 0) + 1
        return counts

    def target_counts(self) -> dict[str, int]:
        counts = {s.id: 0 for s in self.snap.config.statuses}
        for f in self.targets:
            counts[f.status] += 1
        return counts

    def prefectures_behind(self) -> list[tuple[str, int, float]]:
        """Prefectures by how many targets they lag on: (code, count, lowest pace), most first."""
        found: dict[str, list[float]] = {}
        for f in self.targets:
            for r in f.lagging:
                found.setdefault(r["region"], []).append(_num(r["pace"]) or 0.0)
        ranked = [(code, len(paces), min(paces)) for code, paces in found.items()]
        return sorted(ranked, key=lambda x: (-x[1], x[2], x[0]))

    def departments_behind(self) -> list[tuple[str, int]]:
        """Departments by how many lagging items they are responsible for (as lead, co-responsible or sharing the
        work), most first: the plan's tasks name no lead, so counting only leads would credit nobody."""
        counts = self.lagging_items.groupby("department")["item"].nunique()
        order = {d: i for i, d in enumerate(self.departments)}
        return sorted(((d, int(n)) for d, n in counts.items()), key=lambda x: (-x[1], order.get(x[0], 99)))


def reporting_of(report: Completeness, as_of: str) -> Reporting:
    month = report.province[report.province["period"] == as_of]
    if month.empty:
        raise ValueError(f"报送情况中没有 {as_of} 的数据")
    row = month.iloc[0]
    missing = tuple({"prefecture": r["prefecture"], "region": r["region"], "state": r["state"]}
                    for r in report.missing(as_of).to_dict("records"))
    return Reporting(month=as_of, expected=int(row["expected"]), reported=int(row["reported"]),
                     on_time=int(row["on_time"]), rate=_num(row["reporting_rate"]),
                     on_time_rate=_num(row["on_time_rate"]), missing=missing)


def gather(snap: Snapshot, report: Completeness, explanations: tuple = (), judgements: dict | None = None) -> Facts:
    """The facts of a briefing: what the slides and the written report both say (``explanations``: the month's
    情况说明, ``tracker.review.explanations.current``; ``judgements``: the office's delivery judgements standing at
    the month's end, ``tracker.review.judgement.standing``)."""
    from loaders.plans import load_departments

    province = snap.province()
    prefecture_rows = snap.rows("prefecture")
    targets = []
    for target in snap.plan.targets:
        rows = prefecture_rows[prefecture_rows["target"] == target.id].to_dict("records")
        behind = [r for r in rows if r["status"] in LAGGING]
        behind.sort(key=lambda r: (_num(r["pace"]) if _num(r["pace"]) is not None else -1.0, r["region"]))
        targets.append(TargetFact(target=target, row={**province.loc[target.id].to_dict(), "target": target.id},
                                  prefectures=tuple(rows), lagging=tuple(behind)))
    items = lagging(snap)
    delayed = items[items["kind"] == "milestone"].drop_duplicates("item").set_index("item")
    states = snap.milestones.set_index("milestone")
    measures = []
    for milestone in snap.plan.milestones:
        status = states.loc[milestone.id, "status"]
        since, months = None, 0
        if milestone.id in delayed.index:
            since = delayed.loc[milestone.id, "since"]
            months = max(0, month_index(snap.as_of) - month_index(since))
        measures.append(MeasureFact(id=milestone.id, name=milestone.name, task=milestone.task,
                                    departments=milestone.departments, status=status, since=since,
                                    months=months))
    return Facts(snap=snap, targets=tuple(targets), measures=tuple(measures),
                 reporting=reporting_of(report, snap.as_of), departments=load_departments().by_id(),
                 lagging_items=items, explanations=tuple(explanations), judgements=dict(judgements or {}))


# ----------------------------------------------------------------------------------------------------------------
# Sentences. Each takes the facts and a language and returns text whose figures come from tracker.model.units.


def quantity(row: dict, key: str, unit: str, lang: str) -> str:
    return format_quantity(_num(row[key]), unit, lang)


def target_clause(fact: TargetFact, snap: Snapshot, lang: str = "zh") -> str:
    """劳务品牌培训人数5.79万人，目标10万人（按“不少于”理解），完成57.9%，为序时进度的77.2%（滞后）.

    The figures are written so that they never contradict the status beside them: percentages are cut, not
    rounded (``format_percent``), an actual that reads like its target says how far short it is ("（差15人）"), and
    a region judged on part of its counties says so ("（175/183 县报送，约占96.2%）")."""
    target, row = fact.target, fact.row
    status = snap.config.status(row["status"]).label(lang)
    if row["status"] == "not_started":
        return t("summary.target_not_started", lang, name=target.name.get(lang),
                 month=month_label(target.period.start, lang))
    if _num(row["actual"]) is None:
        return t("summary.target_no_data", lang, name=target.name.get(lang))
    month = row.get("month")
    # judged at the period's end (now or earlier): the figure is final, and 序时进度 is the whole target
    ended = t("summary.at_period_end", lang, month=month_label(month, lang)) \
        if isinstance(month, str) and month == target.period.end else ""
    actual = quantity(row, "actual", target.unit, lang) + remarks(
        ended, shortfall_text(row, target, lang), coverage_text(row, lang), lang=lang)
    if row["status"] == "incomplete" and _num(row["pace"]) is None:
        return t("summary.target_incomplete", lang, name=target.name.get(lang), actual=actual,
                 goal=row_goal(target, row, lang), status=status)
    return t("summary.target_clause", lang, name=target.name.get(lang), actual=actual, goal=row_goal(target, row, lang),
             completion=completion_text(row, target), pace=format_percent(_num(row["pace"])), status=status)


def prefecture_item(fact: TargetFact, row: dict, snap: Snapshot, lang: str = "zh", detail: bool = False) -> str:
    name = region_name(snap.tree, row["region"])
    if not detail:
        return t("summary.prefecture_pace", lang, name=name, pace=format_percent(_num(row["pace"])))
    return t("summary.prefecture_detail", lang, name=name,
             actual=quantity(row, "actual", fact.target.unit, lang)
             + remarks(shortfall_text(row, fact.target, lang), coverage_text(row, lang), lang=lang),
             target=quantity(row, "target_value", fact.target.unit, lang),
             completion=completion_text(row, fact.target), pace=format_percent(_num(row["pace"])),
             status=snap.config.status(row["status"]).label(lang))


def prefectures_sentence(fact: TargetFact, snap: Snapshot, lang: str = "zh", limit: int | None = LIST_LIMIT,
                         detail: bool = False) -> str:
    """劳务品牌培训人数进度滞后或预警的市（州）19个，落后较多的是雅安市（进度21.3%）、…。"""
    if not fact.lagging:
        return ""
    items = [prefecture_item(fact, r, snap, lang, detail) for r in fact.lagging]
    items = items if limit is None else items[:limit]
    shown = ("；" if lang != "en" else "; ").join(items) if detail else join(items, lang)
    key = "summary.prefectures_lagging_all" if limit is None or len(fact.lagging) <= limit else \
        "summary.prefectures_lagging"
    return t(key, lang, target=fact.target.name.get(lang), n=len(fact.lagging), items=shown)


def explanation_sentences(facts: Facts, target_id: str, lang: str = "zh") -> list[str]:
    """The prefectures' own explanations of a target's figures this month, each said to be theirs
    ("据雅安市说明：……（雅安市人社局，2023-10-08）。"), in prefecture order."""
    from tracker.review.explanations import said

    end = "。" if lang != "en" else "."
    return [said(e, facts.snap.tree, lang).rstrip("。.") + end for e in facts.explanations if e.target_id == target_id]


def measure_counts_text(counts: dict[str, int], snap: Snapshot, lang: str = "zh") -> str:
    parts = [t("summary.count", lang, label=snap.config.milestone_status(s).label(lang), n=n)
             for s, n in counts.items() if n]
    return join(parts, lang) if lang == "en" else "、".join(parts)


def delayed_item(facts: Facts, measure: MeasureFact, lang: str = "zh") -> str:
    return t("summary.delayed_item", lang, name=measure.name.get(lang),
             departments=facts.responsible(measure.departments, lang),
             since=month_label(measure.since or facts.as_of, lang))


def delayed_sentence(facts: Facts, lang: str = "zh") -> str:
    delayed = facts.delayed()
    if not delayed:
        return t("summary.delayed_none", lang)
    return t("summary.delayed_all", lang, n=len(delayed), items=join([delayed_item(facts, m, lang) for m in delayed],
                                                                     lang))


def county_label(snap: Snapshot, row: dict) -> str:
    return f"{region_name(snap.tree, row['prefecture'])}{snap.tree[row['region']].name}"


def reporting_sentence(facts: Facts, lang: str = "zh", limit: int | None = COUNTY_LIMIT) -> str:
    """2023年9月应报送的183个县（市、区）中，已报送182个，报送率99.5%；尚未报送的有雅安市宝兴县。"""
    r = facts.reporting
    if r.expected == 0:
        return t("summary.reporting_none_due", lang, month=month_label(r.month, lang))
    text = t("summary.reporting", lang, month=month_label(r.month, lang), expected=r.expected, reported=r.reported,
             rate=format_percent(r.rate))
    if r.complete:
        return text + t("summary.reporting_all", lang)
    names = [county_label(facts.snap, row) for row in r.missing]
    shown = join(names if limit is None else names[:limit], lang)
    if limit is not None and len(names) > limit:
        shown += t("summary.more_counties", lang, n=len(names))
    return text + t("summary.reporting_missing", lang, items=shown)


def overall_paragraph(facts: Facts, lang: str = "zh") -> str:
    """The plan as a whole: statuses, targets ahead and behind, who lags most, who has not reported."""
    snap = facts.snap
    month = month_label(facts.as_of, lang)
    measure_counts = measure_counts_text(facts.measure_counts(), snap, lang)
    parts = []
    if facts.targets:
        target_counts = [t("summary.count", lang, label=snap.config.status(s).label(lang), n=n)
                         for s, n in facts.target_counts().items() if n]
        parts.append(t("summary.overview", lang, month=month, targets=len(facts.targets),
                       target_counts=join(target_counts, lang) if lang == "en" else "、".join(target_counts),
                       measures=len(facts.measures), measure_counts=measure_counts))
        groups = {g: [target_clause(f, snap, lang) for f in facts.targets if f.pace_group == g]
                  for g in ("ahead", "behind", "unjudged")}
        separator = "；" if lang != "en" else "; "
        for group, clauses in groups.items():
            if clauses:
                parts.append(t(f"summary.{group}", lang, items=separator.join(clauses)))
        if not groups["behind"]:
            parts.append(t("summary.none_behind", lang))
    else:
        parts.append(t("summary.overview_measures", lang, month=month, measures=len(facts.measures),
                       measure_counts=measure_counts))
    prefectures = facts.prefectures_behind()
    if prefectures:
        items = [t("summary.named_count", lang, name=region_name(snap.tree, code), n=n) for code, n, _ in prefectures]
        parts.append(t("summary.prefectures", lang, items=join(items[:LIST_LIMIT], lang)))
    departments = facts.departments_behind()
    if departments:
        items = [t("summary.named_count", lang, name=facts.department(d, lang), n=n) for d, n in departments]
        parts.append(t("summary.departments", lang, items=join(items[:LIST_LIMIT], lang)))
    parts.append(reporting_sentence(facts, lang))
    return "".join(parts) if lang != "en" else " ".join(parts)


def task_paragraph(facts: Facts, task: Task, lang: str = "zh") -> str:
    """One task: its targets with their figures and lagging prefectures, its measures and the delayed ones."""
    snap = facts.snap
    parts = [t("summary.task_head", lang, task=task_label(task.number, task.title.get(lang), lang))]
    targets = facts.task_targets(task.id)
    if targets:
        clauses = [target_clause(f, snap, lang) for f in targets]
        parts.append(t("summary.task_targets", lang,
                       items="；".join(clauses) if lang != "en" else "; ".join(clauses)))
        for f in targets:
            sentence = prefectures_sentence(f, snap, lang)
            if sentence:
                parts.append(sentence)
            parts += explanation_sentences(facts, f.target.id, lang)
    measures = facts.task_measures(task.id)
    if not targets and not measures:
        parts.append(t("summary.task_no_targets", lang))
    if measures:
        key = "summary.task_measures" if targets else "summary.task_measures_only"
        text = t(key, lang, n=len(measures), counts=measure_counts_text(facts.measure_counts(task.id), snap, lang))
        delayed = facts.delayed(task.id)
        if delayed:
            text += t("summary.task_delayed", lang, items=join([delayed_item(facts, m, lang) for m in delayed], lang))
        else:
            text += t("summary.task_no_delayed", lang)
        parts.append(text)
    return "".join(parts) if lang != "en" else " ".join(parts)


# ----------------------------------------------------------------------------------------------------------------
# The report


@dataclass(frozen=True)
class Summary:
    title: str
    subtitle: str
    demo: str                  # the demo-data warning, or ""
    opening: str
    overall_heading: str
    overall: str
    tasks_heading: str
    tasks: tuple[str, ...]     # one paragraph a task, each beginning with its label （一）…
    note: str

    def paragraphs(self) -> list[str]:
        return [self.overall, *self.tasks]

    def markdown(self) -> str:
        lines = [f"# {self.title}", "", self.subtitle, ""]
        if self.demo:
            lines += [f"> **{self.demo}**", ""]
        lines += [self.opening, "", f"## {self.overall_heading}", "", self.overall, "", f"## {self.tasks_heading}", ""]
        for paragraph in self.tasks:
            lines += [paragraph, ""]
        lines += ["---", "", self.note, ""]
        return "\n".join(lines)

    def text(self) -> str:
        return "\n\n".join([self.title, self.subtitle, *([self.demo] if self.demo else []), self.opening,
                            self.overall_heading, self.overall, self.tasks_heading, *self.tasks, self.note])


def build_summary(facts: Facts, lang: str = "zh") -> Summary:
    snap = facts.snap
    month = month_label(facts.as_of, lang)
    return Summary(
        title=t("summary.title", lang, plan=snap.plan.title.get(lang)),
        subtitle=t("summary.subtitle", lang, month=month),
        demo=t("summary.demo", lang) if snap.demo else "",
        opening=t("summary.opening", lang, month=month),
        overall_heading=t("summary.section_overall", lang),
        overall=overall_paragraph(facts, lang),
        tasks_heading=t("summary.section_tasks", lang),
        tasks=tuple(task_paragraph(facts, task, lang) for task in snap.plan.tasks),
        note=t("summary.note", lang, month=month),
    )


def load_facts(engine, plan_id: str, as_of: str) -> Facts:
    """Facts straight from the database (for the command line): the snapshot and the month's completeness."""
    from tracker.progress.completeness import load_completeness
    from tracker.progress.snapshot import load_snapshot
    from tracker.review.explanations import current
    from tracker.review.judgement import standing

    snap = load_snapshot(engine, plan_id, as_of)
    report = load_completeness(engine, snap.plan, snap.tree, snap.scopes, [as_of], snap.config.reporting)
    return gather(snap, report, tuple(current(engine, plan_id, period=as_of)), standing(engine, plan_id, as_of))


# ----------------------------------------------------------------------------------------------------------------
# Word


def summary_docx(summary: Summary) -> bytes:
    """The report as a Word document laid out like an office's report (``documents.report_docx``)."""
    from tracker.outputs.documents import Report, report_docx

    return report_docx(Report(title=summary.title, subtitle=summary.subtitle, demo=summary.demo,
                              opening=summary.opening,
                              sections=((summary.overall_heading, (summary.overall,)),
                                        (summary.tasks_heading, summary.tasks)),
                              note=summary.note))
