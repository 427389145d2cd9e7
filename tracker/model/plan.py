"""The schema of a plan file: what a plan promises, in a form the progress engine and the loaders can trust.

A plan file is metadata in the Open SDG sense: it says what each target is, how counties report it and how it adds
up, and cites the sentence of the plan it comes from. Reported figures live in the database, never here.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from tracker.model.expressions import names_in
from tracker.model.periods import is_month, month_index, months_between
from tracker.model.units import BASE_UNITS

Comparator = Literal["at_least", "around", "at_most"]
Kind = Literal["level", "flow", "cumulative"]
Reporting = Literal["month_end", "ytd", "monthly"]
MonthAggregation = Literal["latest", "sum", "sum_of_years"]

#: How a target adds up over months follows from what it measures and how counties report it. The plan file states
#: it anyway, so a reader of the YAML sees it, and the schema refuses a statement that contradicts the other two.
MONTH_AGGREGATION: dict[tuple[str, str], str] = {
    ("level", "month_end"): "latest",
    ("flow", "ytd"): "latest",
    ("flow", "monthly"): "sum",
    ("cumulative", "ytd"): "sum_of_years",
    ("cumulative", "monthly"): "sum",
}

_ID = r"^[a-z][a-z0-9_]*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalText(Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


class Citation(Strict):
    """Where in the plan a target or measure is stated: the section heading and the exact sentence."""

    section: str = Field(min_length=1)
    sentence: str = Field(min_length=4)


class Departments(Strict):
    """The departments responsible for a task, target or measure, as the plan names them.

    The plan lists them in a closing parenthesis in protocol order, "（省发展改革委、人力资源社会保障厅按职责分工负责）":
    each is responsible for its own part and none leads. ``lead`` is set only where the text names a lead (a
    department marked 牵头); then the others are co-responsible (配合). Nothing in the tracker calls a department
    牵头 unless this says so.
    """

    responsible: tuple[str, ...] = Field(min_length=1)
    lead: str | None = None

    @model_validator(mode="after")
    def _lead_is_responsible(self) -> "Departments":
        if len(set(self.responsible)) != len(self.responsible):
            raise ValueError("responsible：部门重复")
        if self.lead is not None and self.lead not in self.responsible:
            raise ValueError(f"lead {self.lead!r} 须是 responsible 中的部门")
        return self

    def all(self) -> tuple[str, ...]:
        return self.responsible

    @property
    def co(self) -> tuple[str, ...]:
        """The departments other than the lead (all of them when none leads)."""
        return tuple(d for d in self.responsible if d != self.lead)

    def role_of(self, department: str) -> str | None:
        """``lead`` (牵头), ``co`` (配合, when another leads), ``shared`` (按职责分工负责, when none leads), or None."""
        if department not in self.responsible:
            return None
        if self.lead is None:
            return "shared"
        return "lead" if department == self.lead else "co"


class Coordination(Strict):
    """Who leads the plan's work mechanism as a whole, where the plan says so (e.g. 三(一): "建立人力资源社会保障部门
    牵头……的专项工作机制"). This is not the lead of any task or target."""

    lead: str
    role: LocalText
    citation: Citation


class Period(Strict):
    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _month(cls, value: str) -> str:
        if not is_month(value):
            raise ValueError(f"月份应为 YYYY-MM 格式，收到 {value!r}")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> "Period":
        if month_index(self.end) < month_index(self.start):
            raise ValueError(f"期间结束月 {self.end} 早于开始月 {self.start}")
        return self

    def months(self) -> list[str]:
        return months_between(self.start, self.end)


class Aggregation(Strict):
    regions: Literal["sum"] = "sum"
    months: MonthAggregation


class Baseline(Strict):
    """What a relative target is measured from: the figure of ``period`` (a month, e.g. the December of the year
    before), as the plan states it for the province (``value``), or, without a value, each region's own figure of
    that month from the returns (so a prefecture's target is its own baseline moved by the same change)."""

    period: str
    value: float | None = Field(default=None, gt=0)
    note: str | None = None

    @field_validator("period")
    @classmethod
    def _month(cls, value: str) -> str:
        if not is_month(value):
            raise ValueError(f"月份应为 YYYY-MM 格式，收到 {value!r}")
        return value


class Relative(Strict):
    """A target stated against a baseline, as plans write growth: ``增长9%`` (``percent``, 9), ``提高2个百分点``
    (``points``, 2; a target in %), ``翻一番`` (``multiple``, 2), ``下降10%`` (``percent``, -10, with ``at_most``)."""

    change: Literal["percent", "points", "multiple"]
    amount: float
    baseline: Baseline

    @model_validator(mode="after")
    def _sensible(self) -> "Relative":
        if self.change == "multiple" and self.amount <= 0:
            raise ValueError("change 为 multiple 时 amount 须大于 0（翻一番为 2）")
        if self.change == "percent" and self.amount <= -100:
            raise ValueError("change 为 percent 时 amount 须大于 -100")
        return self

    def apply(self, base: float) -> float:
        """The target that ``base`` (a baseline figure) gives, free of binary noise (200 × 1.1 is 220, not
        220.00000000000003, which a figure of 220 would fall short of)."""
        if self.change == "percent":
            worked_out = base * (1 + self.amount / 100)
        elif self.change == "points":
            worked_out = base + self.amount
        else:
            worked_out = base * self.amount
        return round(worked_out, 6)


class Scope(Strict):
    """A target that applies to a subset of counties: a named set kept under data/region_sets, or a list of codes."""

    region_set: str | None = None
    counties: tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _one(self) -> "Scope":
        if (self.region_set is None) == (self.counties is None):
            raise ValueError("scope 须且仅须给出 region_set 或 counties 之一")
        for code in self.counties or ():
            if not (len(code) == 6 and code.isdigit()):
                raise ValueError(f"县级代码应为 6 位数字，收到 {code!r}")
        return self


class Task(Strict):
    id: str = Field(pattern=_ID)
    number: int = Field(ge=1)
    title: LocalText
    departments: Departments
    citation: Citation


class Target(Strict):
    id: str = Field(pattern=_ID)
    name: LocalText
    task: str
    departments: Departments
    unit: str
    #: The target for the province. A relative target (``relative``) has it worked out from a stated baseline, or
    #: none at all when its baseline comes from the returns (each region's target is then its own baseline moved
    #: by the change: the engine works it out, as it does an allocation).
    value: float | None = Field(default=None, gt=0)
    relative: Relative | None = None
    comparator: Comparator
    #: True when the plan's sentence has no comparator word (``开展…3.3万人``) and this file reads one into it:
    #: the goal is then shown with the reading as an assumption ("3.3万人（按不少于理解）"), never as a quote.
    comparator_assumed: bool = False
    tolerance: float | None = Field(default=None, gt=0, lt=1)
    kind: Kind
    period: Period
    reporting: Reporting
    aggregation: Aggregation
    profile: tuple[float, ...] | None = None
    aliases: tuple[str, ...] = ()
    scope: Scope | None = None
    citation: Citation
    #: Each in both languages ({zh, en}), or Chinese only (a drafted plan's notes, until someone translates them).
    assumptions: tuple[LocalText | str, ...] = ()
    #: The indicator this target measures, shared by the targets of successive plans that measure the same thing
    #: (a 2026 plan's target continuing a 2023 one): its page follows it across both, and a baseline taken from the
    #: returns may come from the earlier plan. Defaults to the target's id.
    indicator: str | None = Field(default=None, pattern=_ID)

    #: Set on the version a revision made (``Plan.in_force``): the revision, and the target as the plan first set it.
    _revision: "Revision | None" = PrivateAttr(default=None)
    _original: "Target | None" = PrivateAttr(default=None)

    @property
    def indicator_id(self) -> str:
        return self.indicator or self.id

    @property
    def revision(self) -> "Revision | None":
        """The revision this version of the target follows (None: as the plan first set it)."""
        return self._revision

    @property
    def original(self) -> "Target":
        """The target as the plan first set it."""
        return self._original or self

    @field_validator("unit")
    @classmethod
    def _unit(cls, value: str) -> str:
        if value not in BASE_UNITS:
            raise ValueError(f"未知单位 {value!r}，可用：{'、'.join(BASE_UNITS)}")
        return value

    @model_validator(mode="after")
    def _coherent(self) -> "Target":
        if self.relative is None and self.value is None:
            raise ValueError("value：须给出目标值（相对基期的目标用 relative 给出变化和基期）")
        if self.relative is not None:
            if self.relative.change == "points" and self.unit != "%":
                raise ValueError("relative.change 为 points（百分点）的目标单位须为 %")
            if month_index(self.relative.baseline.period) >= month_index(self.period.start):
                raise ValueError("relative.baseline.period：基期须早于目标期间的开始月")
            if self.relative.baseline.value is not None:
                worked_out = self.relative.apply(self.relative.baseline.value)
                if self.value is not None and abs(self.value - worked_out) > 1e-6 * max(1.0, worked_out):
                    raise ValueError(f"value {self.value:g} 与基期值按 relative 算得的 {worked_out:g} 不一致")
                object.__setattr__(self, "value", worked_out)
            elif self.value is not None:
                raise ValueError("value：基期取自报送数据的相对目标不能给出固定目标值")
        if self.comparator == "around" and self.tolerance is None:
            raise ValueError("comparator 为 around 时须给出 tolerance（容差比例），并在 assumptions 中说明来源")
        if self.comparator != "around" and self.tolerance is not None:
            raise ValueError("只有 comparator 为 around 的目标才有 tolerance")
        expected = MONTH_AGGREGATION.get((self.kind, self.reporting))
        if expected is None:
            raise ValueError(f"kind={self.kind} 的目标不能按 reporting={self.reporting} 报送")
        if self.aggregation.months != expected:
            raise ValueError(
                f"aggregation.months：kind={self.kind}、reporting={self.reporting} 的目标按月汇总方式应为 {expected}，"
                f"收到 {self.aggregation.months}"
            )
        if self.reporting == "ytd" and not self.period.start.endswith("-01"):
            raise ValueError("按本年累计报送的目标，期间须从 1 月开始")
        if self.kind == "flow" and self.reporting == "ytd" and self.period.start[:4] != self.period.end[:4]:
            raise ValueError("按本年累计报送的年度目标不能跨年；跨年请用 kind: cumulative")
        if self.profile is not None:
            if len(self.profile) != len(self.period.months()):
                raise ValueError(f"profile 应有 {len(self.period.months())} 个月度权重，收到 {len(self.profile)} 个")
            if any(w < 0 for w in self.profile) or sum(self.profile) <= 0:
                raise ValueError("profile 的权重须非负且总和为正")
        return self

    def label(self, lang: str = "zh") -> str:
        return self.name.get(lang)


class Milestone(Strict):
    """A qualitative measure of a task: tracked by status updates, not by figures."""

    id: str = Field(pattern=_ID)
    name: LocalText
    task: str
    departments: Departments
    citation: Citation


class RuleSide(Strict):
    """One side of a validation rule: arithmetic over target ids (``a``, ``a + b``, ``a * 0.5``)."""

    expression: str = Field(min_length=1)
    missing_value_strategy: Literal[
        "skip_if_any_value_missing", "skip_if_all_values_missing", "never_skip"
    ] = "skip_if_any_value_missing"


class ValidationRule(Strict):
    """A rule relating targets within one county's return, in the shape DHIS2 uses: left, operator, right and an
    importance that makes it an error (high) or a warning (medium, low)."""

    id: str = Field(pattern=_ID)
    name: LocalText
    left: RuleSide
    operator: Literal["equal_to", "not_equal_to", "greater_than", "greater_than_or_equal_to", "less_than",
                      "less_than_or_equal_to"]
    right: RuleSide
    importance: Literal["high", "medium", "low"] = "high"


class Revision(Strict):
    """A revision of a target while the plan runs (目标调整): its value or period from a month on, with the reason,
    the document that made it, who approved it and when. Revisions are added to the plan file, never edited or
    removed once recorded (the store keeps them append-only and refuses a file that rewrites one)."""

    id: str = Field(pattern=_ID)
    target: str
    effective: str = Field(description="the first month the revised target is in force (YYYY-MM)")
    value: float | None = Field(default=None, gt=0)
    period: Period | None = None
    reason: str = Field(min_length=2)
    document: str = Field(min_length=2, description="the document number (文号) that made the revision")
    approved_by: str = Field(min_length=1)
    approved_on: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")

    @field_validator("effective")
    @classmethod
    def _month(cls, value: str) -> str:
        if not is_month(value):
            raise ValueError(f"月份应为 YYYY-MM 格式，收到 {value!r}")
        return value

    @model_validator(mode="after")
    def _changes_something(self) -> "Revision":
        if self.value is None and self.period is None:
            raise ValueError("目标调整须给出调整后的 value 或 period")
        return self


class Source(Strict):
    document: str
    text: str = Field(description="path of the plan's text, relative to targets/")
    issued: str | None = None
    note: str | None = None


class Plan(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)  # a file name and a key: short
    title: LocalText
    source: Source
    issuers: tuple[str, ...] = ()
    coordination: Coordination | None = None
    #: The plan this one follows (its targets' indicators may continue there; a baseline from the returns may be
    #: read from its figures).
    follows: str | None = None
    tasks: tuple[Task, ...]
    targets: tuple[Target, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    validation_rules: tuple[ValidationRule, ...] = ()
    revisions: tuple[Revision, ...] = ()

    @model_validator(mode="after")
    def _references(self, info: ValidationInfo) -> "Plan":
        # Each problem reads 'targets[3](id=foo).field: message', the form the loader gives field errors.
        problems: list[str] = []
        target_ids = {t.id for t in self.targets}
        for i, rule in enumerate(self.validation_rules):
            for side in ("left", "right"):
                try:
                    unknown = names_in(getattr(rule, side).expression) - target_ids
                except ValueError as exc:
                    problems.append(f"validation_rules[{i}](id={rule.id}).{side}.expression: {exc}")
                    continue
                if unknown:
                    problems.append(f"validation_rules[{i}](id={rule.id}).{side}.expression: "
                                    f"未知目标 {sorted(unknown)}")
        for kind, items in (("tasks", self.tasks), ("targets", self.targets), ("milestones", self.milestones)):
            seen: dict[str, int] = {}
            for i, item in enumerate(items):
                if item.id in seen:
                    problems.append(f"{kind}[{i}](id={item.id}).id: 重复的 id（与 {kind}[{seen[item.id]}] 相同）")
                seen.setdefault(item.id, i)
        target_ids = {t.id for t in self.targets}
        for i, m in enumerate(self.milestones):
            if m.id in target_ids:
                problems.append(f"milestones[{i}](id={m.id}).id: 与 targets 中的 id 重复")
        task_ids = {t.id for t in self.tasks}
        known = (info.context or {}).get("departments")
        for kind, items in (("tasks", self.tasks), ("targets", self.targets), ("milestones", self.milestones)):
            for i, item in enumerate(items):
                if kind != "tasks" and item.task not in task_ids:
                    problems.append(f"{kind}[{i}](id={item.id}).task: {item.task!r} 不是本方案的任务")
                if known is not None:
                    for dept in item.departments.responsible:
                        if dept not in known:
                            problems.append(f"{kind}[{i}](id={item.id}).departments.responsible: 未知部门 {dept!r}")
        seen_revisions: set[str] = set()
        by_id = {t.id: t for t in self.targets}
        for i, revision in enumerate(self.revisions):
            where = f"revisions[{i}](id={revision.id})"
            if revision.id in seen_revisions:
                problems.append(f"{where}.id: 重复的 id")
            seen_revisions.add(revision.id)
            target = by_id.get(revision.target)
            if target is None:
                problems.append(f"{where}.target: {revision.target!r} 不是本方案的目标")
                continue
            if revision.value is not None and target.relative is not None and target.relative.baseline.value is None:
                problems.append(f"{where}.value: 基期取自报送数据的相对目标不能调整为固定目标值")
            if month_index(revision.effective) < month_index(target.period.start):
                problems.append(f"{where}.effective: 调整生效月早于目标期间的开始月 {target.period.start}")
        if known is not None:
            if self.coordination is not None and self.coordination.lead not in known:
                problems.append(f"coordination.lead: 未知部门 {self.coordination.lead!r}")
            for dept in self.issuers:
                if dept not in known:
                    problems.append(f"issuers: 未知部门 {dept!r}")
        if problems:
            raise ValueError("；".join(problems))
        return self

    @property
    def start(self) -> str | None:
        """The first month of the plan's targets (None for a plan of measures only)."""
        return min((t.period.start for t in self.targets), key=month_index, default=None)

    @property
    def end(self) -> str | None:
        """The last month of the plan's targets, with their revisions (None for a plan of measures only)."""
        ends = [t.period.end for t in self.targets] + [r.period.end for r in self.revisions if r.period is not None]
        return max(ends, key=month_index, default=None)

    def ended(self, month: str) -> bool:
        """Whether every target's period is over by ``month`` (a plan of measures only never ends)."""
        return self.end is not None and month_index(month) > month_index(self.end)

    def revisions_of(self, target_id: str) -> list[Revision]:
        """A target's revisions, in the order they took effect (the file's order among those of one month)."""
        return sorted((r for r in self.revisions if r.target == target_id), key=lambda r: month_index(r.effective))

    def in_force(self, month: str) -> "Plan":
        """The plan with every target as in force in ``month``: the latest of its revisions effective by then
        applied over the original (each version knows its revision and the original)."""
        if not self.revisions:
            return self
        targets = []
        for target in self.targets:
            version = target
            for revision in self.revisions_of(target.id):
                if month_index(revision.effective) > month_index(month):
                    break
                changes = {k: v for k, v in (("value", revision.value), ("period", revision.period)) if v is not None}
                version = version.model_copy(update=changes)
                version._revision, version._original = revision, target
            targets.append(version)
        return self.model_copy(update={"targets": tuple(targets)})

    def targets_due(self, month: str) -> list[Target]:
        """The targets whose period holds ``month``: the figures a return for that month is asked for."""
        return [t for t in self.targets if t.period.start <= month <= t.period.end]

    def target(self, target_id: str) -> Target:
        for target in self.targets:
            if target.id == target_id:
                return target
        raise KeyError(target_id)

    def task(self, task_id: str) -> Task:
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise KeyError(task_id)


class Department(Strict):
    id: str = Field(pattern=_ID)
    short: str = Field(description="the form the plans use, e.g. 人力资源社会保障厅")
    name: LocalText


class DepartmentRegistry(Strict):
    departments: tuple[Department, ...]

    @model_validator(mode="after")
    def _unique(self) -> "DepartmentRegistry":
        ids = [d.id for d in self.departments]
        if len(ids) != len(set(ids)):
            raise ValueError("departments: 部门 id 重复")
        return self

    def by_id(self) -> dict[str, Department]:
        return {d.id: d for d in self.departments}


def opening_order(plans: Mapping[str, Plan], month: str) -> list[str]:
    """Plan ids in the order a visitor is offered them in ``month``: the plans in force first, then ended plans
    (the latest ended first: still there, read as their final results), then plans not yet started, then plans of
    measures only. The first is the plan the app opens on, so it is today's plan, not the first id in sort order."""
    now = month_index(month)

    def order(plan_id: str) -> tuple:
        plan = plans[plan_id]
        if plan.end is None:
            return (3, 0, plan_id)
        start, end = month_index(plan.start), month_index(plan.end)
        if start <= now <= end:
            return (0, 0, plan_id)
        return (1, -end, plan_id) if now > end else (2, start, plan_id)
    return sorted(plans, key=order)


def continuations(plans: Mapping[str, Plan], plan_id: str, target_id: str) -> list[tuple[Plan, Target]]:
    """The target and those of the plans it is linked to by ``follows`` (before and after, at any distance) that
    measure the same indicator, in the order of their periods: how one indicator is followed from a plan to the
    next. Only the target itself when it continues nowhere."""
    plan = plans[plan_id]
    indicator = plan.target(target_id).indicator_id
    linked, todo = {plan_id}, [plan_id]
    while todo:
        current = todo.pop()
        neighbours = {p.id for p in plans.values() if p.follows == current}
        if plans[current].follows in plans:
            neighbours.add(plans[current].follows)
        for other in neighbours - linked:
            linked.add(other)
            todo.append(other)
    found = [(plans[p], t) for p in linked for t in plans[p].targets if t.indicator_id == indicator]
    return sorted(found, key=lambda pair: (month_index(pair[1].period.start), pair[0].id))

