"""A draft plan built from a text: tasks, targets and milestones with per-field confidence, written as plan YAML
(schema-valid, confidence in comments) plus a machine-readable ``*.review.json``; the tables the import page edits,
and saving a reviewed draft under ``targets/`` after the loader has accepted it."""
from __future__ import annotations

import copy
import json
import os
import re
import tempfile
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import yaml

from tracker import TARGETS_DIR
from tracker.model.plan import MONTH_AGGREGATION, DepartmentRegistry
from tracker.outputs.text import escape_markdown

from .departments import DepartmentMatcher
from .quantities import (
    _TIME_WORDS,
    AROUND_TOLERANCE,
    QUANTITY,
    Context,
    Field,
    Finding,
    _clauses,
    _depths,
    analyse,
    figure_kind,
    find_times,
    is_past,
    sentence_tense,
)
from .structure import issue_date, parse, plan_title, plan_year
from .text import Normalized, normalize, read_bytes, read_file

#: Fields below this confidence are flagged for review (in the YAML comments, the review file and the page).
REVIEW_THRESHOLD = 0.7
#: Names are made from the clause by rule: always worth a look, but not flagged unless the rule found no name.
NAME_CONFIDENCE = 0.7
FIELD_LABELS = {"name": "名称", "value": "数值", "baseline": "基期", "unit": "单位", "comparator": "比较", "tolerance": "容差",
                "kind": "类型", "period": "期间", "task": "任务", "departments": "部门", "title": "标题"}
SKIP_REASONS = {
    "baseline": "基数（“在现有…基础上”、相对目标的基期值）：不是目标",
    "past": "已达到或往年的数字（回顾过去的段落、已…、往年）：作为基数，不是目标",
    "relative": "相对变化，但看不出计量对象或基期（或与其他地区比较）：请人工判断",
    "no_unit": "没有单位，无法判断计量对象",
    "unit_unsupported": "计量单位不在方案可用单位中（人、人次、个、家、元、%）：请人工判断是否另行跟踪",
    "slogan": "口号、名称中的数字（引号或书名号内，如“633”现代工业体系）：不是目标",
    "context": "说明工作对象的数字（结合/围绕/对接/以…为…，如4个千亿级产业集群）：不是目标",
    "count": "方案自身条目的计数（N类目标、N个方面）：不是目标",
    "programme": "方案自身的行动、工程的个数（实施N大专项行动）：不是报送的指标",
    "restated": "重复前文已起草的目标：只保留第一次",
    "preamble": "发文通知中的数字：目标只从方案正文起草",
    "heading": "标题行、小标题中的数字：目标从正文句子起草",
}
_PLAN_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")  # as the schema: at most 64 characters
#: Where reviewed plans are saved (read at call time, so a test can point it elsewhere).
PLANS_DIR = TARGETS_DIR


class SaveRefused(ValueError):
    """Saving would overwrite or clash with an existing plan; the message says what to do, in Chinese."""


@dataclass
class DraftTask:
    id: str
    number: int
    title: str
    lead: str | None
    co: tuple[str, ...]
    section: str
    sentence: str
    fields: dict[str, Field]
    role: str


@dataclass
class DraftTarget:
    id: str
    name: str
    task: str
    lead: str | None
    co: tuple[str, ...]
    unit: str
    value: float | None  # None for a relative target whose baseline comes from the returns
    comparator: str
    tolerance: float | None
    kind: str
    start: str
    end: str
    section: str
    sentence: str
    fields: dict[str, Field]
    marks: list[tuple[int, int, str]]  # (start, end, kind) within ``sentence``
    aliases: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()
    parent: str | None = None
    include: bool = True
    comparator_assumed: bool = False   # no comparator word in the sentence (or a reinterpreted one): an assumption
    relative: dict | None = None  # the schema's ``relative``: {change, amount, baseline: {period[, value]}}

    @property
    def reporting(self) -> str:
        if self.kind == "level":
            return "month_end"
        return "ytd" if self.start.endswith("-01") else "monthly"

    @property
    def confidence(self) -> float:
        return min(f.confidence for f in self.fields.values())


@dataclass
class DraftMilestone:
    id: str
    name: str
    task: str
    lead: str | None
    co: tuple[str, ...]
    section: str
    sentence: str
    fields: dict[str, Field]
    include: bool = True

    @property
    def confidence(self) -> float:
        return min(f.confidence for f in self.fields.values())


@dataclass
class Skipped:
    section: str
    sentence: str
    text: str
    reason: str
    marks: list[tuple[int, int, str]]
    note: str | None = None  # what exactly: the unit word, the restated target…


@dataclass
class Draft:
    plan_id: str
    title: str
    title_en: str
    document: str
    source_text: str  # path relative to targets/
    issued: str | None
    issuers: tuple[str, ...]
    tasks: list[DraftTask]
    targets: list[DraftTarget]
    milestones: list[DraftMilestone]
    skipped: list[Skipped]
    unknown_departments: tuple[str, ...]
    raw: str  # the text the citations quote
    file_name: str
    base_year: int | None
    traditional: bool = False
    pinyin: int = 0
    source_fixed: bool = False  # the source path was given (the text already lies under targets/)
    year_evidence: str | None = None  # what the plan year was read from (印发日期, 文号, 原文“…”…)

    def needs_review(self) -> int:
        return sum(1 for item in (*self.targets, *self.milestones) if item.include
                   and item.confidence < REVIEW_THRESHOLD)

    def validation_rules(self) -> list[dict]:
        included = {t.id: t for t in self.targets if t.include}
        rules = []
        for child in included.values():
            parent = included.get(child.parent or "")
            if parent is None or parent.unit != child.unit:
                continue
            rules.append({
                "id": f"{child.id}_within_{parent.id}",
                "name": {"zh": f"{child.name}不应超过{parent.name}",
                         "en": f"{child.id} cannot exceed {parent.id}"},
                "left": {"expression": child.id, "missing_value_strategy": "skip_if_any_value_missing"},
                "operator": "less_than_or_equal_to",
                "right": {"expression": parent.id, "missing_value_strategy": "skip_if_any_value_missing"},
                "importance": "high",
            })
        return rules

    def plan_dict(self) -> dict:
        """The plan as the schema wants it (only the included targets and milestones)."""
        source = {"document": self.document, "text": self.source_text}
        if self.issued:
            source["issued"] = self.issued
        source["note"] = f"由 tracker extract 按规则从 {self.file_name} 起草，经人工审阅。"
        plan: dict = {"id": self.plan_id, "title": {"zh": self.title, "en": self.title_en or self.title},
                      "source": source}
        if self.issuers:
            plan["issuers"] = list(self.issuers)
        plan["tasks"] = [{
            "id": t.id, "number": t.number, "title": {"zh": t.title, "en": t.title},
            "departments": _departments(t.lead, t.co), "citation": {"section": t.section, "sentence": t.sentence},
        } for t in self.tasks]
        plan["targets"] = [_target_dict(t) for t in self.targets if t.include]
        plan["milestones"] = [{
            "id": m.id, "name": {"zh": m.name, "en": m.name}, "task": m.task,
            "departments": _departments(m.lead, m.co), "citation": {"section": m.section, "sentence": m.sentence},
        } for m in self.milestones if m.include]
        rules = self.validation_rules()
        if rules:
            plan["validation_rules"] = rules
        return plan


def _departments(lead: str | None, co: tuple[str, ...]) -> dict:
    """The schema's form: every department in the order named; ``lead`` only for one the text marks 牵头."""
    responsible = [d for d in (lead, *co) if d is not None]
    return {"responsible": responsible, "lead": lead} if lead is not None else {"responsible": responsible}


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _target_dict(t: DraftTarget) -> dict:
    out: dict = {"id": t.id, "name": {"zh": t.name, "en": t.name}, "task": t.task,
                 "departments": _departments(t.lead, t.co), "unit": t.unit}
    if t.value is not None and not t.relative:
        out["value"] = _plain(t.value)
    if t.relative:
        out["relative"] = t.relative
    out["comparator"] = t.comparator
    if t.comparator_assumed:
        out["comparator_assumed"] = True
    if t.tolerance is not None:
        out["tolerance"] = t.tolerance
    out["kind"] = t.kind
    out["period"] = {"start": t.start, "end": t.end}
    out["reporting"] = t.reporting
    months = MONTH_AGGREGATION.get((t.kind, t.reporting), "latest")
    out["aggregation"] = {"regions": "sum", "months": months}
    if t.aliases:
        out["aliases"] = list(t.aliases)
    out["citation"] = {"section": t.section, "sentence": t.sentence}
    if t.assumptions:
        out["assumptions"] = list(t.assumptions)
    return out


# --- building ----------------------------------------------------------------------------------------------------


def _registry(registry: DepartmentRegistry | None) -> DepartmentRegistry:
    if registry is not None:
        return registry
    from loaders.plans import load_departments

    return load_departments()


def derive_plan_id(file_name: str, year: int | None = None) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", Path(file_name).stem.lower()).strip("-")
    if not stem or not _PLAN_ID.match(stem):
        stem = f"plan-{year}" if year else "plan-draft"
    return stem


def qualitative_clauses(sentence: str, findings: list[Finding], offset: int) -> list[str]:
    """The clauses of a sentence that state work rather than a figure: no figure in them and, without their time
    words, at least four Chinese characters. A sentence without one is a target only, not a measure."""
    depths = _depths(sentence)
    out = []
    for a, b in _clauses(sentence, depths):
        if any(a <= f.start - offset < b for f in findings):
            continue
        clause = re.sub(r"（[^（）]*(?:负责|牵头|配合)）", "", sentence[a:b])
        if sum(1 for ch in _TIME_WORDS.sub("", clause) if "\u4e00" <= ch <= "\u9fff") >= 4:
            out.append(clause)
    return out


def measure_name(sentence: str, clauses: list[str] | None = None) -> str:
    """A short name for a measure, from its sentence: its first substantial clause, without leading adverbs."""
    s = re.sub(r"（[^（）]*(?:负责|牵头|配合)）", "", sentence).rstrip("。！？")
    for clause in (clauses if clauses is not None else re.split(r"[，；：]", s)):
        clause = clause.rstrip("。！？")
        clause = re.sub(r"^(同时|此外|另外|其中|近日|今年|目前)", "", clause)
        clause = re.sub(r"^在(.{4,})方面$", r"\1", re.sub(r"^为了?(?=.{4,})", "", clause))
        if "印发" in clause:
            continue
        clause = re.sub(r"^(进一步|深入|持续|全面|加快|大力|积极|继续|纵深|不断|切实|着力|扎实|认真|稳步|有序)+", "", clause)
        if len(clause) >= 4 and not re.match(r"\d{4}年", clause):
            return clause if len(clause) <= 24 else clause[:23] + "…"
    return s[:23] + "…" if len(s) > 24 else s


def _raw_sentence(norm: Normalized, start: int, end: int) -> tuple[str, int]:
    a, b = norm.raw_span(start, end)
    text = norm.raw[a:b]
    lead = len(text) - len(text.lstrip())
    return text.strip(), a + lead


def _relative_marks(norm: Normalized, finding: Finding, raw_start: int, raw_len: int) -> list[tuple[int, int, str]]:
    marks = []
    for m in finding.marks:
        if m.end <= m.start:
            continue
        a, b = norm.raw_span(m.start, m.end)
        a, b = a - raw_start, b - raw_start
        if 0 <= a < b <= raw_len:
            marks.append((a, b, m.kind))
    return sorted(set(marks))


def build_draft(raw: str, file_name: str, plan_id: str | None = None, year: int | None = None,
                registry: DepartmentRegistry | None = None, source_text: str | None = None) -> Draft:
    """Draft a plan from its text. ``year``: the plan's first year when the text does not say (its issue date)."""
    from tracker.model.units import format_quantity

    registry = _registry(registry)
    matcher = DepartmentMatcher(registry)
    norm = normalize(raw)
    text = norm.text
    structure = parse(norm)
    lo, hi = structure.preamble
    issued = issue_date(text, structure.preamble)
    first_year, year_evidence = plan_year(text, structure.preamble, issued, year)
    title = plan_title(text, structure.preamble) or Path(file_name).stem
    issuers = matcher.issuers(text[lo:hi]) if hi > lo else []
    if not issuers:
        issuers = matcher.issuers(text[:400])
    ctx = Context(first_year, None)
    deadlines = [t.last if t.duration is None else (first_year or 0) + t.duration - 1
                 for u in structure.units for s in u.sentences for t in find_times(s.text)
                 if t.deadline and not t.date and not is_past(t, ctx) and (t.last or (t.duration and first_year))]
    deadlines = [y for y in deadlines if first_year is None or y >= first_year]
    # The plan's own horizon: its latest deadline within five years of its start; a far vision (到2035年) is not one.
    reference = first_year if first_year is not None else min(deadlines, default=None)
    ctx.horizon = max([y for y in deadlines if reference is not None and y <= reference + 5], default=None)
    headed = bool(structure.headings)
    plan_id = plan_id or derive_plan_id(file_name, first_year)

    fallback = (None, tuple(issuers) or (registry.departments[0].id,), 0.4 if issuers else 0.0,
                "原文未写责任部门：按发文单位起草。" if issuers else "原文未写责任部门，也未找到发文单位：请指定。")
    unknown: list[str] = []
    tasks: list[DraftTask] = []
    targets: list[DraftTarget] = []
    milestones: list[DraftMilestone] = []
    skipped: list[Skipped] = []

    skipped += _preamble_figures(norm, structure.preamble)
    skipped += _heading_figures(norm, structure)
    looking_back = False  # the passage so far looks back (“十三五”以来，…): its figures are results
    carried = None  # the last deadline stated so far: in the unit, or in a text without headings, in the text
    for unit in structure.units:
        if headed:
            looking_back, carried = False, None
        readings = []
        for s in unit.sentences:
            ctx.carried = carried
            readings.append((s, analyse(s.text, s.start, ctx, past=looking_back)))
            tense = sentence_tense(s.text, ctx)
            looking_back = tense == "past" or (looking_back and tense is None)
            stated = [t for t in find_times(s.text) if t.deadline and (t.last or t.duration) and not t.date
                      and not is_past(t, ctx)
                      and (ctx.horizon is None or (t.last or 0) <= ctx.horizon)]  # a far vision carries to nothing
            carried = stated[-1] if stated else carried
        has_targets = any(not f.skip for _, found in readings for f in found)
        for s, found in readings:
            for f in found:
                if f.skip:
                    sentence, raw_start = _raw_sentence(norm, s.start, s.end)
                    skipped.append(Skipped(unit.section, sentence, norm.raw_slice(f.start - 0, f.end), f.skip,
                                           _relative_marks(norm, f, raw_start, len(sentence)), f.note))
        if unit.role != "measures" and not has_targets:
            continue
        number = len(tasks) + 1
        task_id = f"task{number}"
        resolved = []
        for paren in unit.departments:
            r = matcher.resolve(paren.content)
            unknown.extend(n for n in r.unknown if n not in unknown)
            if r.found:
                resolved.append((paren, r))
        if resolved:
            lead = next((r.lead for _, r in resolved if r.lead is not None), None)  # only a lead the text marks
            co: list[str] = []
            for _, r in resolved:
                for d in (r.lead, *r.co):
                    if d is not None and d != lead and d not in co:
                        co.append(d)
            task_depts = (lead, tuple(co), 0.95 if len(resolved) == 1 else 0.8, None)
            paren = resolved[-1][0]
            task_sentence, _ = _raw_sentence(norm, paren.start, paren.end)
        else:
            task_depts = fallback
            task_sentence, _ = _raw_sentence(norm, unit.sentences[0].start, unit.sentences[0].end) \
                if unit.sentences else (unit.section, 0)
        task_confidence = {"h2": 0.95, "h1": 0.85, "paragraph": 0.7, "intro": 0.6}[unit.kind]
        tasks.append(DraftTask(
            task_id, number, unit.title, task_depts[0], task_depts[1], unit.section, task_sentence,
            {"title": Field(unit.title, task_confidence, None if unit.kind != "intro" else "目标写在章节导语中。"),
             "departments": Field((task_depts[0], task_depts[1]), task_depts[2], task_depts[3])}, unit.role))

        counter = 0  # targets of this task (a yearly rate split into years counts once)

        def departments_for(pos: int) -> tuple[str, tuple[str, ...], float, str | None]:
            for paren, r in resolved:
                if paren.start >= pos:
                    return r.lead, r.co, 0.95 if len(resolved) == 1 else 0.85, None
            return task_depts

        for s, found in readings:
            sentence, raw_start = _raw_sentence(norm, s.start, s.end)
            lead, co, dept_conf, dept_note = departments_for(s.start)
            ids: dict[int, list[str]] = {}
            for index, f in enumerate(found):
                if f.skip:
                    continue
                counter += 1
                base_id = f"{task_id}_target{counter}"
                marks = _relative_marks(norm, f, raw_start, len(sentence))
                assumptions = list(f.assumptions)
                tolerance = None
                if f.comparator.value == "around":
                    tolerance = f.tolerance or AROUND_TOLERANCE
                    if f.relative is not None:
                        assumptions.insert(0, f"容差 ±{tolerance:.0%}（按由基期算得的目标值计）为本系统的假设：方案只写"
                                              f"“{f.comparator.evidence or '左右'}”，未给区间。")
                    else:
                        low = format_quantity(f.value.value * (1 - tolerance), f.unit.value)
                        high = format_quantity(f.value.value * (1 + tolerance), f.unit.value)
                        assumptions.insert(0, f"容差 ±{tolerance:.0%}（{low}至{high}）为本系统的假设：方案只写"
                                              f"“{f.comparator.evidence or '左右'}”，未给区间。")
                ids[index] = []
                for period_index, (start, end) in enumerate(f.periods):
                    split = len(f.periods) > 1
                    target_id = f"{base_id}_{start[:4]}" if split else base_id
                    ids[index].append(target_id)
                    parent = None
                    if f.parent is not None and f.parent in ids:
                        parents = ids[f.parent]
                        parent = parents[min(period_index, len(parents) - 1)]
                    fields = {
                        "name": f.name, "value": f.value, "unit": f.unit, "comparator": f.comparator,
                        "kind": f.kind, "period": replace(f.period, value=(start, end)),
                        "task": Field(task_id, task_confidence), "departments": Field((lead, co), dept_conf, dept_note),
                    }
                    relative = None
                    target_assumptions = list(assumptions)
                    if f.relative is not None:
                        relative, baseline_field, baseline_note = _relative_dict(f, start)
                        fields["baseline"] = baseline_field
                        if baseline_note:
                            target_assumptions.append(baseline_note)
                    if tolerance is not None:
                        fields["tolerance"] = Field(tolerance, 0.5, "方案未给容差：按 ±2% 起草。")
                    targets.append(DraftTarget(
                        id=target_id, name=f"{f.name.value}（{start[:4]}年）" if split else f.name.value,
                        task=task_id, lead=lead, co=co, unit=f.unit.value,
                        value=None if relative else float(f.value.value),
                        comparator=f.comparator.value, tolerance=tolerance, kind=f.kind.value, start=start, end=end,
                        section=unit.section, sentence=sentence, fields=fields, marks=marks,
                        aliases=(f.core,) if f.core and f.core != f.name.value else (),
                        assumptions=tuple(target_assumptions), parent=parent, relative=relative,
                        comparator_assumed=f.comparator.evidence is None or f.comparator.note is not None))
            clauses = qualitative_clauses(s.text, found, s.start)
            if unit.role == "measures" and clauses:
                k = sum(1 for m in milestones if m.task == task_id) + 1
                name = measure_name(s.text, clauses)
                milestones.append(DraftMilestone(
                    f"{task_id}_measure{k}", name, task_id, lead, co, unit.section, sentence,
                    {"name": Field(name, NAME_CONFIDENCE), "task": Field(task_id, task_confidence),
                     "departments": Field((lead, co), dept_conf, dept_note)}))

    targets, restated = _restatements(targets)
    skipped += restated
    fixed = source_text is not None
    if source_text is None:
        source_text = f"sources/{plan_id}.txt"
    return Draft(plan_id=plan_id, title=title, title_en=title, document=f"《{title}》", source_text=source_text,
                 issued=issued, issuers=tuple(issuers), tasks=tasks, targets=targets, milestones=milestones,
                 skipped=skipped, unknown_departments=tuple(unknown), raw=raw, file_name=file_name,
                 base_year=first_year, traditional=norm.traditional, pinyin=norm.pinyin,
                 source_fixed=fixed, year_evidence=year_evidence)


def _relative_dict(f: Finding, start: str) -> tuple[dict, Field, str | None]:
    """The schema's ``relative`` for one period of a relative finding, the baseline as a field, and the assumption
    when the text does not name the baseline: the December before the period (the year before's full figure)."""
    r = f.relative
    year = int(start[:4])
    note = None
    if r.baseline_year is not None and r.baseline_year < year:
        period, confidence = f"{r.baseline_year:04d}-12", 0.9
        evidence = f"比{r.baseline_year}年"
    elif r.baseline_last:
        period, confidence, evidence = f"{year - 1:04d}-12", 0.85, "比上年"
    else:
        period, confidence, evidence = f"{year - 1:04d}-12", 0.6, None
        note = f"基期为 {year - 1} 年 12 月（上年全年）：方案只写“{r.evidence}”，未写基期，为本系统的假设。"
    baseline: dict = {"period": period}
    if r.baseline_value is not None:
        baseline["value"] = _plain(r.baseline_value)
    amount = _plain(r.amount)
    return ({"change": r.change, "amount": amount, "baseline": baseline},
            Field(period, confidence, note, evidence), note)


def relative_text(t) -> str:
    """A relative target in words, for the page's tables: 比2022年12月增长9%（基期值取自报送数据）."""
    r = t.relative
    base = r["baseline"]
    words = {"percent": lambda a: f"{'增长' if a >= 0 else '下降'}{abs(a):g}%",
             "points": lambda a: f"{'提高' if a >= 0 else '下降'}{abs(a):g}个百分点",
             "multiple": lambda a: f"为基期的{a:g}倍"}[r["change"]](r["amount"])
    source = f"基期值 {base['value']:g}" if base.get("value") is not None else "基期值取自报送数据"
    return f"相对目标：比{base['period']}{words}（{source}）"


def _preamble_figures(norm: Normalized, preamble: tuple[int, int]) -> list[Skipped]:
    """Figures of the covering notice: never drafted, but listed so that every figure of the text is accounted for."""
    lo, hi = preamble
    out = []
    text = norm.text
    for m in QUANTITY.finditer(text, lo, hi):
        if figure_kind(text, m) is None:
            continue
        a = max(text.rfind("。", lo, m.start()), text.rfind("\n", lo, m.start())) + 1
        ends = [i for i in (text.find("。", m.end(), hi), text.find("\n", m.end(), hi)) if i >= 0]
        b = min(ends) + 1 if ends else hi
        sentence, raw_start = _raw_sentence(norm, a, b)
        ra, rb = norm.raw_span(m.start(), m.end())
        out.append(Skipped("发文通知", sentence, norm.raw[ra:rb], "preamble",
                           [(ra - raw_start, rb - raw_start, "value")] if 0 <= ra - raw_start else []))
    return out


def _heading_figures(norm: Normalized, structure) -> list[Skipped]:
    """Figures outside every sentence the rules read: headlines and headings (今年培训3.5万人次 above a news text),
    listed so that every figure of the text is accounted for."""
    text = norm.text
    read = [(s.start, s.end) for u in structure.units for s in u.sentences]
    lo, hi = structure.preamble
    out = []
    for m in QUANTITY.finditer(text):
        if lo <= m.start() < hi or any(a <= m.start() < b for a, b in read) or figure_kind(text, m) is None:
            continue
        a = text.rfind("\n", 0, m.start()) + 1
        b = text.find("\n", m.end())
        sentence, raw_start = _raw_sentence(norm, a, b if b >= 0 else len(text))
        ra, rb = norm.raw_span(m.start(), m.end())
        out.append(Skipped("标题", sentence, norm.raw[ra:rb], "heading",
                           [(ra - raw_start, rb - raw_start, "value")] if 0 <= ra - raw_start else []))
    return out


def _restatements(targets: list[DraftTarget]) -> tuple[list[DraftTarget], list[Skipped]]:
    """A target that restates one drafted from an earlier sentence (the same figure, unit, comparator and period,
    and the same name or a change of the same size) is dropped and listed as restated."""
    def name_key(name: str) -> str:
        name = re.sub(r"目标|（\d{4}年）", "", name)
        name = re.sub(r"^(?:地区|全省|全市|全区|我省|我市|本市)", "", name)
        return "生产总值" if name in ("经济", "经济增长", "GDP") else name

    groups: dict[str, list[DraftTarget]] = {}
    for t in targets:
        groups.setdefault(re.sub(r"_\d{4}$", "", t.id), []).append(t)
    kept: dict[tuple, list[DraftTarget]] = {}
    dropped: set[str] = set()
    skipped: list[Skipped] = []
    renamed: dict[str, str] = {}
    for group in groups.values():
        t = group[0]
        figure = (t.relative["change"], t.relative["amount"]) if t.relative else (t.value,)
        figure += (name_key(t.name),)
        key = (t.unit, t.comparator, figure, tuple((g.start, g.end) for g in group))
        first = kept.get(key)
        if first is None or (first[0].task, first[0].sentence) == (t.task, t.sentence):
            kept.setdefault(key, group)
            continue
        for a, b in zip(group, first):
            dropped.add(a.id)
            renamed[a.id] = b.id
        value = next((t.sentence[x:y] for x, y, k in t.marks if k == "value"), t.name)
        skipped.append(Skipped(t.section, t.sentence, value, "restated", [m for m in t.marks if m[2] == "value"],
                               f"同“{first[0].name}”（{first[0].id}）"))
    out = []
    for t in targets:
        if t.id in dropped:
            continue
        if t.parent in renamed:
            t.parent = renamed[t.parent]
        out.append(t)
    return out, skipped


def extract_bytes(data: bytes, name: str, plan_id: str | None = None, year: int | None = None,
                  registry: DepartmentRegistry | None = None) -> Draft:
    return build_draft(read_bytes(data, name), name, plan_id=plan_id, year=year, registry=registry)


def extract_file(path: Path, plan_id: str | None = None, year: int | None = None,
                 registry: DepartmentRegistry | None = None) -> Draft:
    path = Path(path)
    raw = read_file(path)
    source = None
    try:
        relative = path.resolve().relative_to(TARGETS_DIR.resolve())
        if path.suffix.lower() == ".txt":
            source = relative.as_posix()
    except ValueError:
        pass
    return build_draft(raw, path.name, plan_id=plan_id, year=year, registry=registry, source_text=source)


# --- YAML and the review file --------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Small mappings and short lists on one line, as the hand-written plans have them; the rest as blocks."""


def _short(value: object) -> bool:
    return isinstance(value, (str, int, float, bool)) and len(str(value)) < 40


def _represent_dict(dumper, data):
    flow = all(_short(v) or (isinstance(v, list) and all(_short(x) for x in v)) for v in data.values()) \
        and sum(len(str(v)) for v in data.values()) < 80
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


def _represent_list(dumper, data):
    flow = all(_short(x) for x in data) and sum(len(str(x)) for x in data) < 100
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(tuple, _represent_list)


def _dump(data: object) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=4096)


def _top(key: str, value: object) -> str:
    """One top-level key: a scalar or a one-line mapping on the key's line, a larger one as an indented block."""
    if not isinstance(value, (dict, list, tuple)):
        return yaml.safe_dump({key: value}, allow_unicode=True, sort_keys=False, width=4096)
    rendered = _dump(value).rstrip("\n")
    if "\n" not in rendered:
        return f"{key}: {rendered}\n"
    return f"{key}:\n" + "".join(f"  {line}\n" for line in rendered.split("\n"))


def _confidence_comment(fields: dict[str, Field]) -> list[str]:
    parts = " · ".join(f"{FIELD_LABELS.get(k, k)} {f.confidence:.2f}" for k, f in fields.items())
    low = [FIELD_LABELS.get(k, k) for k, f in fields.items() if f.confidence < REVIEW_THRESHOLD]
    lines = [f"# 置信度：{parts}" + (f" —— 需复核：{'、'.join(low)}" if low else "")]
    evidence = " · ".join(f"{FIELD_LABELS.get(k, k)}“{f.evidence}”" for k, f in fields.items() if f.evidence)
    if evidence:
        lines.append(f"# 依据：{evidence}")
    return lines


def _block(key: str, items: list[dict], comments: list[list[str]] | None) -> str:
    if not items:
        return f"{key}: []\n"
    out = [f"{key}:"]
    for i, item in enumerate(items):
        for line in (comments[i] if comments else []):
            out.append(f"  {line}")
        out.extend(f"  {line}" for line in _dump([item]).rstrip("\n").split("\n"))
    return "\n".join(out) + "\n"


def to_yaml(draft: Draft, review: bool = True) -> str:
    """The plan YAML. With ``review``, each target and milestone carries its per-field confidence as comments."""
    plan = draft.plan_dict()
    head = [
        f"# {draft.title}",
        f"# 由 `tracker extract` 按规则从 {draft.file_name} 起草（{date.today().isoformat()}）。"
        "引文为原文句子（原样），section 为所在章节。",
    ]
    if review:
        head += [
            "# 每项上方的注释是各字段的置信度（0–1）和所依据的原文字词，只供复核，不属于方案数据；",
            f"# 同样的信息在 *.review.json 中（机器可读）。置信度低于 {REVIEW_THRESHOLD} 的字段标“需复核”。",
            "# 英文名称（en）暂与中文相同，待译。",
        ]
    body = ["".join(_top(k, plan[k]) for k in ("id", "title", "source", "issuers") if k in plan)]
    tasks = [t for t in draft.tasks]
    body.append(_block("tasks", plan["tasks"], [_confidence_comment(t.fields) for t in tasks] if review else None))
    included = [t for t in draft.targets if t.include]
    body.append(_block("targets", plan["targets"],
                       [_confidence_comment(t.fields) for t in included] if review else None))
    measures = [m for m in draft.milestones if m.include]
    body.append(_block("milestones", plan["milestones"],
                       [_confidence_comment(m.fields) for m in measures] if review else None))
    if "validation_rules" in plan:
        body.append(_block("validation_rules", plan["validation_rules"], None))
    return "\n".join(head) + "\n" + "\n".join(body)


def _field_json(f: Field) -> dict:
    value = list(f.value) if isinstance(f.value, tuple) else f.value
    if isinstance(value, list):
        value = [list(v) if isinstance(v, tuple) else v for v in value]
    return {"value": value, "confidence": round(f.confidence, 2), "evidence": f.evidence, "note": f.note}


def _marks_json(sentence: str, marks: list[tuple[int, int, str]]) -> list[dict]:
    return [{"start": a, "end": b, "kind": k, "text": sentence[a:b]} for a, b, k in marks]


def review(draft: Draft) -> dict:
    """Per-field confidence, the words each field was read from and the figures not taken for targets."""
    def entry(item, extra: dict) -> dict:
        return {"id": item.id, "name": item.name, "confidence": round(item.confidence, 2),
                "needs_review": item.confidence < REVIEW_THRESHOLD, "include": item.include,
                "section": item.section, "sentence": item.sentence, **extra,
                "fields": {k: _field_json(f) for k, f in item.fields.items()}}

    return {
        "plan": draft.plan_id, "file": draft.file_name, "generated": date.today().isoformat(),
        "threshold": REVIEW_THRESHOLD, "base_year": draft.base_year, "base_year_from": draft.year_evidence,
        "traditional": draft.traditional,
        "pinyin_artefacts_removed": draft.pinyin,
        "tasks": [{"id": t.id, "number": t.number, "title": t.title, "section": t.section, "role": t.role,
                   "fields": {k: _field_json(f) for k, f in t.fields.items()}} for t in draft.tasks],
        "targets": [entry(t, {"parent": t.parent, "relative": t.relative, "marks": _marks_json(t.sentence, t.marks)})
                    for t in draft.targets],
        "milestones": [entry(m, {}) for m in draft.milestones],
        "not_targets": [{"section": s.section, "sentence": s.sentence, "text": s.text, "reason": s.reason,
                         "reason_text": SKIP_REASONS[s.reason], "note": s.note,
                         "marks": _marks_json(s.sentence, s.marks)}
                        for s in draft.skipped],
        "unknown_departments": list(draft.unknown_departments),
    }


def review_path(output: Path) -> Path:
    output = Path(output)
    return output.with_name(f"{output.stem}.review.json")


def validate(draft: Draft, registry: DepartmentRegistry | None = None):
    """The draft as the loader sees it: a ``Plan``, or ``PlanFileError`` with the loader's Chinese messages."""
    from loaders.plans import load_plan

    name = f"{draft.plan_id}.yaml" if _PLAN_ID.match(draft.plan_id or "") else "draft.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text(to_yaml(draft, review=False), encoding="utf-8")
        return load_plan(path, registry)


def write_draft(draft: Draft, output: Path) -> tuple[Path, Path]:
    """Write the draft YAML (with confidence comments) and its review file; validated first."""
    validate(draft)
    output = Path(output)
    output.write_text(to_yaml(draft, review=True), encoding="utf-8")
    side = review_path(output)
    side.write_text(json.dumps(review(draft), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return output, side


# --- the page's tables ------------------------------------------------------------------------------------------

TARGET_COLUMNS = ("include", "id", "name", "task", "value", "unit", "comparator", "tolerance", "kind", "start", "end",
                  "lead", "co", "confidence", "review")
MILESTONE_COLUMNS = ("include", "id", "name", "task", "lead", "co", "confidence", "sentence")


def _review_text(fields: dict[str, Field]) -> str:
    return "；".join(f"{FIELD_LABELS.get(k, k)}{f.confidence:.1f}" + (f"（{f.note}）" if f.note else "")
                    for k, f in fields.items() if f.confidence < REVIEW_THRESHOLD)


def targets_table(draft: Draft):
    import pandas as pd

    rows = [{"include": t.include, "id": t.id, "name": t.name, "task": t.task,
             "value": _plain(t.value) if t.value is not None else None,
             "unit": t.unit, "comparator": t.comparator, "tolerance": t.tolerance, "kind": t.kind, "start": t.start,
             "end": t.end, "lead": t.lead, "co": "、".join(t.co), "confidence": round(t.confidence, 2),
             "review": "；".join(x for x in (relative_text(t) if t.relative else "", _review_text(t.fields)) if x)}
            for t in draft.targets]
    return pd.DataFrame(rows, columns=list(TARGET_COLUMNS)).astype({"value": "float64", "tolerance": "float64"})


def milestones_table(draft: Draft):
    import pandas as pd

    rows = [{"include": m.include, "id": m.id, "name": m.name, "task": m.task, "lead": m.lead, "co": "、".join(m.co),
             "confidence": round(m.confidence, 2), "sentence": m.sentence} for m in draft.milestones]
    return pd.DataFrame(rows, columns=list(MILESTONE_COLUMNS))


def skipped_table(draft: Draft):
    import pandas as pd

    return pd.DataFrame([{"section": s.section, "text": s.text,
                          "reason": SKIP_REASONS[s.reason] + (f"（{s.note}）" if s.note else ""),
                          "sentence": s.sentence} for s in draft.skipped],
                        columns=["section", "text", "reason", "sentence"])


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _ids(value: object) -> tuple[str, ...]:
    return tuple(x for x in re.split(r"[,，、;；\s]+", _text(value)) if x)


def _number(value: object) -> float | None:
    text = _text(value)
    try:
        return float(text) if text else None
    except ValueError:
        return None


def apply_edits(draft: Draft, targets=None, milestones=None, plan_id: str | None = None, title: str | None = None,
                title_en: str | None = None) -> Draft:
    """A copy of the draft with the reviewer's edits: the edited tables (rows in the draft's order) and the plan's
    id and titles. Values the schema refuses are kept as typed, so the loader names them on saving."""
    new = copy.deepcopy(draft)
    if plan_id is not None and _text(plan_id):
        new.plan_id = _text(plan_id)
        if not new.source_fixed:
            new.source_text = f"sources/{new.plan_id}.txt"
    if title is not None and _text(title):
        new.title = _text(title)
        new.document = f"《{new.title}》"
    if title_en is not None and _text(title_en):
        new.title_en = _text(title_en)
    if targets is not None:
        for target, row in zip(new.targets, targets.to_dict("records")):
            target.include = bool(row.get("include", True))
            target.id = _text(row.get("id")) or target.id
            target.name = _text(row.get("name")) or target.name
            target.task = _text(row.get("task")) or target.task
            value = _number(row.get("value"))
            target.value = value if value is not None else (None if target.relative else 0.0)
            target.unit = _text(row.get("unit")) or target.unit
            target.comparator = _text(row.get("comparator")) or target.comparator
            target.tolerance = _number(row.get("tolerance"))
            target.kind = _text(row.get("kind")) or target.kind
            target.start = _text(row.get("start"))
            target.end = _text(row.get("end"))
            target.lead = _text(row.get("lead")) or None
            target.co = _ids(row.get("co"))
    if milestones is not None:
        for milestone, row in zip(new.milestones, milestones.to_dict("records")):
            milestone.include = bool(row.get("include", True))
            milestone.id = _text(row.get("id")) or milestone.id
            milestone.name = _text(row.get("name")) or milestone.name
            milestone.task = _text(row.get("task")) or milestone.task
            milestone.lead = _text(row.get("lead")) or None
            milestone.co = _ids(row.get("co"))
    return new


# --- the source sentence with what was read from it marked ------------------------------------------------------------

MARK_COLOURS = {"value": "blue", "comparator": "red", "time": "green", "kind": "orange", "context": "gray"}


def highlight_markdown(sentence: str, marks: list[tuple[int, int, str]]) -> str:
    """The sentence in Streamlit markdown, each mark bold in its colour: value blue, comparator red, deadline green,
    kind (累计/稳定在) orange, context (基础上/含/其中) grey. Overlapping marks keep the first. The sentence's own
    text is escaped (tracker.outputs.text): it comes from an uploaded document."""
    out, pos = [], 0
    for a, b, kind in sorted(marks):
        if a < pos:
            continue
        out.append(escape_markdown(sentence[pos:a]))
        out.append(f":{MARK_COLOURS.get(kind, 'gray')}[**{escape_markdown(sentence[a:b])}**]")
        pos = b
    out.append(escape_markdown(sentence[pos:]))
    return "".join(out)


# --- saving -------------------------------------------------------------------------------------------------------


def plan_path(draft: Draft, directory: Path | None = None) -> Path | None:
    """The file a draft would be saved as (None while its plan id is malformed)."""
    if not _PLAN_ID.match(draft.plan_id or ""):
        return None
    return Path(directory or PLANS_DIR) / f"{draft.plan_id}.yaml"


def save_plan(draft: Draft, directory: Path | None = None, overwrite: bool = False,
              registry: DepartmentRegistry | None = None) -> Path:
    """Validate the reviewed draft with the plan loader and save it as ``<plan id>.yaml`` under ``directory``, with
    the text its citations quote under ``directory/<source.text>``. Raises ``PlanFileError`` (the loader's Chinese
    messages) when the schema refuses it and ``SaveRefused`` when it would overwrite a file without ``overwrite`` or
    reuse another plan's id; nothing is written then."""
    from loaders.plans import NOT_PLANS, load_plans, plan_files

    directory = Path(directory or PLANS_DIR)
    validate(draft, registry)  # also refuses a malformed plan id
    path = plan_path(draft, directory)
    if path.name in NOT_PLANS:
        raise SaveRefused(f"{path.name} 是配置文件，不能用作方案文件名：请换一个方案 id")
    if path.exists() and not overwrite:
        raise SaveRefused(f"targets/{path.name} 已存在：勾选“覆盖已有方案文件”后才会覆盖")
    for other in plan_files(directory):
        if other.name == path.name:
            continue
        try:
            other_id = (yaml.safe_load(other.read_text(encoding="utf-8")) or {}).get("id")
        except (yaml.YAMLError, OSError, AttributeError):
            continue
        if other_id == draft.plan_id:
            raise SaveRefused(f"方案 id {draft.plan_id!r} 已被 targets/{other.name} 使用：请换一个方案 id")
    source = (directory / draft.source_text).resolve()
    if directory.resolve() not in source.parents:
        raise SaveRefused(f"source.text 应在 targets/ 之内，收到 {draft.source_text!r}")
    if source.exists() and source.read_text(encoding="utf-8", errors="replace") != draft.raw and not overwrite:
        raise SaveRefused(f"targets/{draft.source_text} 已存在且内容不同：勾选“覆盖已有方案文件”后才会覆盖")
    source.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(source, draft.raw)
    _write_atomic(path, to_yaml(draft, review=False))
    load_plans.cache_clear()
    return path


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
