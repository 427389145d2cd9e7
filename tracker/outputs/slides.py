"""汇报模式: the briefing's slides, defined once.

``build_deck`` turns a Snapshot (and the month's reporting completeness) into a ``Deck``: a list of ``Slide``
objects, each a title, a few big figures, a short table or a bar chart, a line or two, and speaker notes. That one
list feeds

* the presentation page (``pages/present.py``), which draws ``slide_html(deck, i, "screen")``;
* the PDF (``tracker.outputs.deck.deck_pdf``), which prints ``deck_html(deck, "print", images)`` — the same HTML, with the
  charts as images;
* the PowerPoint file (``tracker.outputs.deck.deck_pptx``), which places the same parts at the same positions.

Sizes are pixels of a 1280×720 slide (``SIZES``). On screen they scale with the viewport (a 1920×1080 projector
gets 1.5×), but a headline figure never drops below 48 px and no text below 24 px, so the back row can read it. In
the PPTX one pixel is 9525 EMU (1280 px = 13.333 in) and a font pixel is 0.75 pt.

The slides say few words: the figures are ``tracker progress``'s figures formatted by ``tracker.model.units``, and what
is said about them in full sentences goes into the speaker notes (from ``tracker.outputs.summary``).

No Streamlit here.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass, field

from tracker.i18n import day_label, month_label, t, task_label
from tracker.model.units import format_percent, format_quantity
from tracker.outputs.cards import remarks, row_goal, shortfall_text
from tracker.outputs.summary import (
    Facts,
    TargetFact,
    build_summary,
    delayed_sentence,
    explanation_sentences,
    gather,
    prefectures_sentence,
    region_name,
    reporting_sentence,
    target_clause,
)
from tracker.outputs.text import escape_html
from tracker.progress.completeness import Completeness
from tracker.progress.snapshot import Snapshot

#: Pixels of a 1280×720 slide. Both renderers read these.
WIDTH, HEIGHT = 1280, 720
SIZES = {
    "pad_x": 56, "pad_top": 30,
    "title": 44, "subtitle": 26, "rule": 5,
    "figure": 60, "label": 24, "note": 24,
    "tally": 28, "head": 24, "cell": 26, "line": 26,
    "bar": 26, "bar_row": 46, "bar_track": 28,
    "foot": 24, "foot_bottom": 18,
}
MIN_FIGURE_PX = 48   # headline figures
MIN_LABEL_PX = 24    # every other text on a slide
MIN_TITLE_PX = 32    # a long title shrinks to fit one line, down to this
DEMO_BADGE_PX = 190  # room the 示例数据 badge takes beside the title

#: At most this many table rows or bars on a slide, and delayed measures on a task slide; the rest are named in the
#: speaker notes. English names run to two lines, so English slides take fewer.
MAX_ROWS = {"zh": 6, "en": 4}
MAX_TASK_DELAYED = {"zh": 2, "en": 1}
#: Targets on one glance slide: English names and units run to two lines a row.
GLANCE_ROWS = {"zh": 7, "en": 3}
FIGURE_GAP = 32       # between stacked figures
FIGURE_INSET = 22     # a stacked figure's text from its coloured rule

FONT_STACK = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"
INK = "#111827"       # text: 17:1 on white
MUTED = "#374151"     # secondary text: 10:1 on white
RULE = "#9b1c1c"      # the accent under a title
DEMO_FILL, DEMO_EDGE = "#fde68a", "#92400e"
TRACK = "#e5e7eb"


# ----------------------------------------------------------------------------------------------------------------
# Colour: status colours from targets/progress.yaml, darkened until text in them is high-contrast.


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ink(hex_colour: str, against: str = "#ffffff", ratio: float = 7.0) -> str:
    """The colour, darkened just enough to reach ``ratio`` against ``against`` (WCAG AAA for text): amber 预警
    becomes a readable brown, the blues and greens deepen a little. White text on it reaches the same ratio."""
    rgb = [int(hex_colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)]
    for step in range(0, 101):
        factor = 1 - step / 100
        candidate = "#" + "".join(f"{round(c * factor):02x}" for c in rgb)
        if contrast(candidate, against) >= ratio:
            return candidate
    return "#000000"


# ----------------------------------------------------------------------------------------------------------------
# The slide model


def _em(ch: str) -> float:
    if ord(ch) > 0x2E80:
        return 1.0     # Chinese and full-width punctuation
    if ch == " ":
        return 0.3
    if ch.isdigit():
        return 0.58
    if ch.isupper():
        return 0.68
    if ch.isalpha():
        return 0.54
    return 0.4


def text_em(text: str) -> float:
    """Width of a text in ems, roughly (bold Noto Sans CJK, a little generous): for fitting titles, figures and
    table columns."""
    return sum(_em(ch) for ch in text)


def figure_px(value: str, count: int, unit: str = "") -> int:
    """A stacked figure's font size: the design size, or smaller (never below 48 px) to stay in its column."""
    column = (WIDTH - 2 * SIZES["pad_x"] - FIGURE_GAP * (count - 1)) / max(count, 1) - FIGURE_INSET
    column -= text_em(" " + unit) * SIZES["label"] if unit else 0
    return max(MIN_FIGURE_PX, min(SIZES["figure"], int(column / max(text_em(value), 1))))


def title_px(title: str, demo: bool) -> int:
    """The title's font size: the design size, or smaller so that it stays on one line."""
    room = WIDTH - 2 * SIZES["pad_x"] - (DEMO_BADGE_PX if demo else 0) - 8
    return max(MIN_TITLE_PX, min(SIZES["title"], int(room / max(text_em(title), 1))))


@dataclass(frozen=True)
class Figure:
    """A big number with what it counts: ``5.79万人`` / 劳务品牌培训人数."""
    value: str
    label: str
    notes: tuple[str, ...] = ()
    status: str | None = None    # colours the figure (a target or measure status id)
    badge: str = ""              # the status label, shown as a pill
    unit: str = ""               # words of the unit drawn small after the value (English: "thousand persons")


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    status: str | None = None    # colours the status column
    inks: tuple[tuple[int, str], ...] = ()   # (column, text colour) drawn bold: the office's delivery judgement


@dataclass(frozen=True)
class Bar:
    label: str
    ratio: float | None
    text: str
    status: str | None = None


@dataclass(frozen=True)
class Chart:
    key: str                      # names the chart's image file
    bars: tuple[Bar, ...]
    reference: float | None = 1.0  # the vertical line: expected by now
    reference_label: str = ""
    title: str = ""


@dataclass(frozen=True)
class Slide:
    key: str
    kind: str                     # glance | task | regions | redlist | completeness
    title: str
    subtitle: str = ""
    figures: tuple[Figure, ...] = ()
    compact: bool = False         # figures on one line each (value beside its label) to leave room below
    tally_label: str = ""
    tally: tuple[Figure, ...] = ()
    columns: tuple[str, ...] = ()
    align: tuple[str, ...] = ()   # "l" | "r" | "c" per column
    strong: tuple[int, ...] = ()  # columns drawn bold (the figures)
    tinted: tuple[int, ...] = ()  # columns drawn in the row's status colour
    keep: tuple[int, ...] = ()    # columns that never wrap (besides figures, statuses and right-aligned columns)
    status_column: int | None = None
    rows: tuple[Row, ...] = ()
    chart: Chart | None = None
    lines: tuple[str, ...] = ()
    notes: str = ""

    def nowrap(self) -> set[int]:
        """Columns kept on one line: figures, statuses, dates, and ``keep``; the others wrap when they must."""
        return ({*self.strong, *self.keep} | ({self.status_column} if self.status_column is not None else set())
                | {i for i, a in enumerate(self.align) if a == "r"})

    def words(self) -> list[str]:
        """The pieces of text on the slide itself (not the notes), for counting words."""
        out = [self.title, self.subtitle, self.tally_label]
        for f in (*self.figures, *self.tally):
            out += [f.value, f.label, *f.notes, f.badge, f.unit]
        out += list(self.columns)
        for r in self.rows:
            out += list(r.cells)
        if self.chart:
            out += [self.chart.reference_label]
            for b in self.chart.bars:
                out += [b.label, b.text]
        out += list(self.lines)
        return [w for w in out if w]


@dataclass(frozen=True)
class Deck:
    plan_id: str
    plan_title: str
    as_of: str
    lang: str
    demo: bool
    reported: int
    expected: int
    slides: tuple[Slide, ...]
    inks: dict[str, str] = field(default_factory=dict)      # status id → text colour
    labels: dict[str, str] = field(default_factory=dict)    # status id → label

    def footer(self) -> str:
        if self.expected == 0:   # no target in force this month: nothing was due
            return t("slides.footer_none_due", self.lang, month=month_label(self.as_of, self.lang))
        return t("slides.footer", self.lang, month=month_label(self.as_of, self.lang), reported=self.reported,
                 expected=self.expected)

    def demo_label(self) -> str:
        return t("slides.demo", self.lang) if self.demo else ""

    def counter(self, index: int) -> str:
        return f"{index + 1} / {len(self.slides)}"

    def colour(self, status: str | None) -> str:
        return self.inks.get(status or "", INK)

    def title(self) -> str:
        return t("slides.deck_title", self.lang, plan=self.plan_title, month=month_label(self.as_of, self.lang))


# ----------------------------------------------------------------------------------------------------------------
# Building the slides


def _pct(value) -> str:
    from tracker.outputs.summary import _num

    return format_percent(_num(value))


def _qty(row: dict, key: str, unit: str, lang: str) -> str:
    from tracker.outputs.summary import _num

    return format_quantity(_num(row[key]), unit, lang)


def _status_label(snap: Snapshot, status: str, lang: str) -> str:
    try:
        return snap.config.status(status).label(lang)
    except StopIteration:
        return snap.config.milestone_status(status).label(lang)


def glance_slides(facts: Facts, lang: str, notes: str) -> list[Slide]:
    """The plan at a glance: every quantitative target's actual, target, pace and status."""
    snap = facts.snap
    if not facts.targets:   # a plan of measures only
        counts = facts.measure_counts()
        figures = tuple(Figure(value=str(n), label=snap.config.milestone_status(s).label(lang),
                               status=s if n else "muted")
                        for s, n in counts.items())
        return [Slide(key="glance", kind="glance", title=t("slides.glance.title", lang),
                      subtitle=snap.plan.title.get(lang), figures=figures,
                      lines=(t("slides.glance.measures_only", lang, n=len(facts.measures)),), notes=notes)]
    counts = {s: n for s, n in facts.target_counts().items() if n}
    figures = tuple(Figure(value=str(n), label=snap.config.status(s).label(lang), status=s) for s, n in counts.items())
    # What the subtitle must say besides the plan: how many targets are judged at their period's end, and what the
    # ※ beside a goal means (the plan states no comparator there). With the plan where all fits, without it where
    # the notes alone fit; else the ※ note goes below the table, which then holds one row fewer.
    said = []
    ended = sum(1 for f in facts.targets if _ended(f.row, facts.as_of))
    if ended:
        said.append(t("slides.glance.period_end", lang, n=ended))
    assumed = any(f.target.comparator_assumed for f in facts.targets)
    if assumed:
        said.append(t("goal.assumed_short", lang))
    room = WIDTH - 2 * SIZES["pad_x"]
    plan_title, below = snap.plan.title.get(lang), ()
    for candidate in (" · ".join([plan_title, *said]), " · ".join(said)):
        if text_em(candidate) * SIZES["subtitle"] <= room:
            subtitle = candidate
            break
    else:
        subtitle = " · ".join([plan_title, *said[:-1]]) if assumed else plan_title
        if assumed:
            below = (t("goal.assumed_note", lang),)
    # The office's delivery judgements stand in a column of their own beside the computed status (never in it),
    # on the slides of a month any target was judged by.
    judged = any(f.id in facts.judgements for f in facts.targets)
    per_slide = GLANCE_ROWS.get(lang, GLANCE_ROWS["zh"]) - (1 if below else 0)
    count = -(-len(facts.targets) // per_slide)
    base, extra = divmod(len(facts.targets), count)   # balanced: 7 targets in English are 3 + 2 + 2
    bounds = [0]
    for i in range(count):
        bounds.append(bounds[-1] + base + (1 if i < extra else 0))
    chunks = [facts.targets[a:b] for a, b in zip(bounds, bounds[1:])]
    slides = []
    for number, chunk in enumerate(chunks, start=1):
        rows = tuple(_glance_row(f, facts, lang, judged) for f in chunk)
        lines = below if any(f.target.comparator_assumed for f in chunk) else ()
        title = t("slides.glance.title", lang)
        if len(chunks) > 1:
            title += f" ({number}/{len(chunks)})" if lang == "en" else f"（{number}/{len(chunks)}）"
        slides.append(Slide(
            key="glance" if number == 1 else f"glance-{number}", kind="glance", title=title,
            subtitle=subtitle, figures=figures, compact=True,
            columns=(t("slides.col.target", lang), t("slides.col.actual", lang), t("slides.col.goal", lang),
                     t("slides.col.pace", lang), t("slides.col.status", lang))
            + ((t("slides.col.judgement", lang),) if judged else ()),
            align=("l", "r", "l", "r", "c", "c"), strong=(1, 3), tinted=(3,), status_column=4, keep=(5,),
            rows=rows, lines=lines,
            notes=notes if number == 1 else "\n".join(target_clause(f, snap, lang) for f in chunk)))
    return slides


def _glance_row(fact: TargetFact, facts: Facts, lang: str, judged: bool) -> Row:
    snap = facts.snap
    cells = (fact.target.name.get(lang), _qty(fact.row, "actual", fact.target.unit, lang)
             + remarks(shortfall_text(fact.row, fact.target, lang), lang=lang),
             row_goal(fact.target, fact.row, lang, short=True), _pct(fact.row["pace"]),
             snap.config.status(fact.status).label(lang))
    if not judged:
        return Row(cells=cells, status=fact.status)
    judgement = facts.judgements.get(fact.id)
    if judgement is None:
        return Row(cells=(*cells, "—"), status=fact.status)
    level = snap.config.confidence(judgement.level)
    return Row(cells=(*cells, level.label(lang)), status=fact.status, inks=((5, ink(level.colour)),))


def judgement_notes(facts: Facts, targets: list[TargetFact], lang: str) -> list[str]:
    """The speaker's lines on the office's judgements of ``targets``: level, who, when and why."""
    out = []
    for fact in targets:
        judgement = facts.judgements.get(fact.id)
        if judgement is None:
            continue
        out.append(f"{fact.target.name.get(lang)} — " * (len(targets) > 1) + t(
            "slides.notes.judgement", lang, date=day_label(judgement.reviewed_on, lang), who=judgement.actor,
            level=facts.snap.config.confidence(judgement.level).label(lang), reason=judgement.reason))
    return out


def task_slide(facts: Facts, task, lang: str, notes: str) -> Slide:
    """One task (一)…(七): its targets' figures, its measures by status, the longest delayed named."""
    snap = facts.snap
    targets = facts.task_targets(task.id)
    counts = facts.measure_counts(task.id)
    measures = facts.task_measures(task.id)
    tally = tuple(Figure(value=str(n), label=snap.config.milestone_status(s).label(lang), status=s if n else "muted")
                  for s, n in counts.items())
    subtitle = t("slides.task.departments", lang, departments=_departments(facts, task.departments, lang))
    delayed = facts.delayed(task.id)
    # The longest delayed are named; how many are delayed is in the counts, and the notes name every one.
    shown = MAX_TASK_DELAYED.get(lang, MAX_TASK_DELAYED["zh"]) if targets else MAX_ROWS.get(lang, MAX_ROWS["zh"])
    # A measure's departments are named only where they differ from the task's, which the subtitle names.
    lines = [t("slides.task.delayed_own", lang, name=m.name.get(lang), since=month_label(m.since or facts.as_of, lang))
             if m.departments.responsible == task.departments.responsible else
             t("slides.task.delayed", lang, name=m.name.get(lang), departments=_departments(facts, m.departments, lang),
               since=month_label(m.since or facts.as_of, lang)) for m in delayed[:shown]]
    if not delayed and measures:
        lines.append(t("slides.task.none_delayed", lang))
    if any(f.target.comparator_assumed for f in targets[:4]):   # the ※ beside a goal is explained on the slide
        lines = [*lines[:max(shown - 1, 0)], t("goal.assumed_note", lang)]
    notes = "\n".join([notes, *judgement_notes(facts, targets, lang)])
    if targets:
        figures = tuple(_target_figure(f, snap, lang, facts.judgements.get(f.id)) for f in targets[:4])
        return Slide(key=f"task-{task.id}", kind="task", title=task_label(task.number, task.title.get(lang), lang),
                     subtitle=subtitle, figures=figures,
                     tally_label=t("slides.task.measures", lang, n=len(measures)) if measures else "",
                     tally=tally if measures else (), lines=tuple(lines), notes=notes)
    return Slide(key=f"task-{task.id}", kind="task", title=task_label(task.number, task.title.get(lang), lang),
                 subtitle=t("slides.task.no_targets", lang,
                            departments=_departments(facts, task.departments, lang, room=0.6), n=len(measures)),
                 figures=tally, lines=tuple(lines), notes=notes)


def _departments(facts: Facts, departments, lang: str, room: float = 1.0) -> str:
    """The departments for a subtitle: all of them where they fit in ``room`` of the slide's width, else the first
    and how many more (the speaker notes name them all)."""
    width = (WIDTH - 2 * SIZES["pad_x"]) * room - text_em("责任部门：") * SIZES["subtitle"]
    full = facts.responsible(departments, lang)
    if text_em(full) * SIZES["subtitle"] <= width:
        return full
    first = facts.department(departments.responsible[0], lang)
    shorter = t("slides.departments_more", lang, first=first, n=len(departments.responsible))
    if text_em(shorter) * SIZES["subtitle"] <= width:
        return shorter
    return t("slides.departments_count", lang, n=len(departments.responsible))


def _target_figure(fact: TargetFact, snap: Snapshot, lang: str, judgement=None) -> Figure:
    target, row = fact.target, fact.row
    value, label = _qty(row, "actual", target.unit, lang), target.name.get(lang)
    unit = ""
    if lang == "en":   # "79.9" big and "thousand persons" small beside it: the whole in big type fits no column
        value, _, unit = value.partition(" ")
    notes = [t("slides.figure.goal", lang, goal=row_goal(target, row, lang, short=True)),
             t("slides.figure.pace", lang, pace=_pct(row["pace"]))]
    if _ended(row, snap.as_of):
        notes.append(t("slides.figure.period_end", lang, month=month_label(row["month"], lang)))
    if judgement is not None:   # the office's judgement, said to be one, beside the computed status
        notes.append(t("slides.figure.judgement", lang, level=snap.config.confidence(judgement.level).label(lang)))
    return Figure(value=value, label=label, notes=tuple(notes), status=fact.status, unit=unit,
                  badge=snap.config.status(fact.status).label(lang))


def _ended(row: dict, as_of: str) -> bool:
    """Whether a target's period is over at the as-of month (its figures are those of the period's end)."""
    month = row.get("month")
    return isinstance(month, str) and month < as_of


def region_slides(facts: Facts, lang: str) -> list[Slide]:
    """One slide per target on which prefectures lag: how many, and the furthest behind as bars of pace."""
    snap = facts.snap
    limit = MAX_ROWS.get(lang, MAX_ROWS["zh"])
    slides = []
    for fact in facts.targets:
        if not fact.lagging:
            continue
        missed = sum(1 for r in fact.lagging if r["status"] == "not_met")
        behind = sum(1 for r in fact.lagging if r["status"] == "behind")
        at_risk = len(fact.lagging) - behind - missed
        figures = []
        if missed:  # the deadline has passed: 未完成, not 滞后
            figures.append(Figure(value=str(missed), label=t("slides.regions.not_met", lang), status="not_met"))
        if behind:
            figures.append(Figure(value=str(behind), label=t("slides.regions.behind", lang), status="behind"))
        if at_risk:
            figures.append(Figure(value=str(at_risk), label=t("slides.regions.at_risk", lang), status="at_risk"))
        figures.append(Figure(value=_pct(fact.row["pace"]), label=t("slides.regions.province_pace", lang),
                              status=fact.status))
        bars = tuple(Bar(label=region_name(snap.tree, r["region"]), ratio=_ratio(r["pace"]), text=_pct(r["pace"]),
                         status=r["status"]) for r in fact.lagging[:limit])
        lines = ()
        if len(fact.lagging) > limit:
            lines = (t("slides.regions.more", lang, n=len(fact.lagging) - limit),)
        allocated = sum(1 for r in fact.prefectures if r["status"] != "no_target")
        slides.append(Slide(
            key=f"regions-{fact.id}", kind="regions",
            title=t("slides.regions.title", lang, target=fact.target.name.get(lang)),
            subtitle=t("slides.regions.subtitle", lang, n=allocated),
            figures=tuple(figures), compact=True,
            chart=Chart(key=f"regions-{fact.id}", bars=bars, reference=1.0,
                        reference_label=t("slides.regions.reference", lang),
                        title=t("slides.regions.chart_title", lang, target=fact.target.name.get(lang),
                                month=month_label(facts.as_of, lang))),
            lines=lines,
            notes=" ".join([prefectures_sentence(fact, snap, lang, limit=None, detail=True),
                            *explanation_sentences(facts, fact.id, lang)]).strip()))
    return slides


def _ratio(value) -> float | None:
    from tracker.outputs.summary import _num

    return _num(value)


def redlist_slide(facts: Facts, lang: str) -> Slide:
    """The red list: measures reported delayed, longest delayed first, with their responsible departments."""
    delayed = facts.delayed()
    limit = MAX_ROWS.get(lang, MAX_ROWS["zh"])
    departments = {d for m in delayed for d in m.departments.responsible}
    figures = [Figure(value=str(len(delayed)), label=t("slides.redlist.measures", lang),
                      status="delayed" if delayed else "done")]
    if delayed:
        figures.append(Figure(value=str(len(departments)), label=t("slides.redlist.departments", lang)))
    rows = tuple(Row(cells=(m.name.get(lang), _departments(facts, m.departments, lang, room=0.3),
                            month_label(m.since or facts.as_of, lang)),
                     status="delayed") for m in delayed[:limit])
    lines: tuple[str, ...] = ()
    if not delayed:
        lines = (t("slides.redlist.none", lang),)
    elif len(delayed) > limit:
        lines = (t("slides.more_in_notes", lang, n=len(delayed) - limit),)
    return Slide(key="redlist", kind="redlist", title=t("slides.redlist.title", lang),
                 subtitle=t("slides.redlist.subtitle", lang), figures=tuple(figures), compact=True,
                 columns=(t("slides.col.measure", lang), t("slides.col.departments", lang), t("slides.col.since", lang))
                 if rows else (),
                 align=("l", "l", "r"), keep=(1,), rows=rows, lines=lines, notes=delayed_sentence(facts, lang))


def completeness_slide(facts: Facts, lang: str) -> Slide:
    """Reporting completeness of the month: the rate, on time, and the counties without a return."""
    snap, r = facts.snap, facts.reporting
    limit = MAX_ROWS.get(lang, MAX_ROWS["zh"])
    # Compact figures leave room for six counties; counts of counties are in the footer and the notes.
    figures = (
        Figure(value=format_percent(r.rate), label=t("slides.completeness.rate", lang)),
        Figure(value=format_percent(r.on_time_rate), label=t("slides.completeness.on_time", lang)),
        Figure(value=str(len(r.missing)), label=t("slides.completeness.missing", lang),
               status="behind" if r.missing else "completed"),
    )
    rows = tuple(Row(cells=(region_name(snap.tree, m["prefecture"]), snap.tree[m["region"]].name,
                            t(f"completeness.state.{m['state']}", lang))) for m in r.missing[:limit])
    lines: tuple[str, ...] = ()
    if not r.missing:
        lines = (t("slides.completeness.all", lang),)
    elif len(r.missing) > limit:
        lines = (t("slides.more_counties", lang, n=len(r.missing) - limit),)
    return Slide(key="completeness", kind="completeness", title=t("slides.completeness.title", lang),
                 subtitle=t("slides.completeness.subtitle", lang, month=month_label(r.month, lang),
                            day=snap.config.reporting.deadline_day),
                 figures=figures, compact=True,
                 columns=(t("slides.col.prefecture", lang), t("slides.col.county", lang),
                          t("slides.col.state", lang)) if rows else (),
                 align=("l", "l", "l"), keep=(0, 1), rows=rows, lines=lines,
                 notes=reporting_sentence(facts, lang, limit=None))


def build_deck(snap: Snapshot, report: Completeness | None = None, lang: str = "zh",
               facts: Facts | None = None, explanations: tuple = (), judgements: dict | None = None) -> Deck:
    """The briefing's slides for one plan at one month: at a glance, one per task, lagging prefectures per target,
    the red list, reporting completeness. Give the month's completeness report (and its 情况说明, which go into
    the speaker notes, and the office's delivery judgements, shown beside the statuses), or facts already
    gathered."""
    if facts is None:
        if report is None:
            raise ValueError("build_deck needs the month's completeness report or the gathered facts")
        facts = gather(snap, report, explanations, judgements)
    summary = build_summary(facts, lang)
    slides = [*glance_slides(facts, lang, summary.overall)]
    for task, paragraph in zip(snap.plan.tasks, summary.tasks):
        slides.append(task_slide(facts, task, lang, paragraph))
    slides += region_slides(facts, lang)
    slides.append(redlist_slide(facts, lang))
    slides.append(completeness_slide(facts, lang))
    inks = {s.id: ink(s.colour) for s in (*snap.config.statuses, *snap.config.milestone_statuses)}
    inks["muted"] = MUTED
    labels = {s.id: s.label(lang) for s in (*snap.config.statuses, *snap.config.milestone_statuses)}
    return Deck(plan_id=snap.plan.id, plan_title=snap.plan.title.get(lang), as_of=snap.as_of, lang=lang,
                demo=snap.demo, reported=facts.reporting.reported, expected=facts.reporting.expected,
                slides=tuple(slides), inks=inks, labels=labels)


def load_deck(engine, plan_id: str, as_of: str, lang: str = "zh") -> Deck:
    """The deck straight from the database (the command line)."""
    from tracker.outputs.summary import load_facts

    facts = load_facts(engine, plan_id, as_of)
    return build_deck(facts.snap, lang=lang, facts=facts)


# ----------------------------------------------------------------------------------------------------------------
# HTML: the page draws it on screen, weasyprint prints it to PDF.


def _length(px: float, medium: str) -> str:
    """A length of the 1280×720 design: scaled with the viewport on screen, as is in print."""
    if medium == "print":
        return f"{px:g}px"
    return f"min({px / HEIGHT * 100:.4f}vh, {px / WIDTH * 100:.4f}vw)"


def _font_size(px: float, medium: str) -> str:
    """A font size that scales up on a bigger screen but never below the design size."""
    if medium == "print":
        return f"{px:g}px"
    return f"max({px:g}px, {_length(px, medium)})"


def deck_css(medium: str = "screen", font_family: str = FONT_STACK) -> str:
    L = lambda px: _length(px, medium)  # noqa: E731
    F = lambda px: _font_size(px, medium)  # noqa: E731
    s = SIZES
    box = ("width:1280px;height:720px;page-break-after:always;" if medium == "print"
           else "width:100vw;height:100vh;")
    page = "@page{size:1280px 720px;margin:0}html,body{margin:0;padding:0}" if medium == "print" else ""
    return f"""{page}
.sl{{position:relative;box-sizing:border-box;{box}padding:{L(s['pad_top'])} {L(s['pad_x'])} 0 {L(s['pad_x'])};
  background:#fff;color:{INK};font-family:{font_family};line-height:1.3;text-align:left}}
.sl *{{box-sizing:border-box}}
.sl-head{{display:flex;align-items:center;gap:{L(20)}}}
.sl-title{{font-size:{F(s['title'])};font-weight:700;margin:0;padding:0;line-height:1.25;color:{INK};white-space:nowrap;
  letter-spacing:0.02em}}
.sl-demo{{font-size:{F(s['label'])};font-weight:700;background:{DEMO_FILL};color:{INK};
  border:{L(3)} solid {DEMO_EDGE};border-radius:{L(6)};padding:0 {L(14)};white-space:nowrap}}
.sl-sub{{font-size:{F(s['subtitle'])};color:{MUTED};margin-top:{L(4)}}}
.sl-rule{{height:{L(s['rule'])};width:{L(120)};background:{RULE};margin-top:{L(12)}}}
.sl-figs{{display:flex;gap:{L(FIGURE_GAP)};margin-top:{L(26)}}}
.sl-fig{{flex:1 1 0;min-width:0;border-left:{L(8)} solid {INK};padding-left:{L(FIGURE_INSET - 8)}}}
.sl-figs.compact .sl-fig{{display:flex;align-items:baseline;gap:{L(12)};flex:0 1 auto;padding-right:{L(24)}}}
.sl-fig-label{{font-size:{F(s['label'])};color:{MUTED}}}
.sl-figs.compact .sl-fig-label{{color:{INK};white-space:nowrap}}
.sl-fig-value{{font-size:{F(s['figure'])};font-weight:700;line-height:1.15;white-space:nowrap;
  font-variant-numeric:tabular-nums}}
.sl-fig-note{{font-size:{F(s['note'])};color:{MUTED}}}
.sl-fig-unit{{font-size:{F(s['label'])};font-weight:400;margin-left:{L(8)}}}
.sl-pill{{display:inline-block;color:#fff;font-weight:700;font-size:{F(s['label'])};line-height:1.35;
  padding:0 {L(12)};border-radius:{L(6)};margin-top:{L(6)};white-space:nowrap}}
.sl-tally{{display:flex;flex-wrap:wrap;align-items:baseline;gap:{L(34)};margin-top:{L(30)};
  font-size:{F(s['tally'])};border-top:{L(2)} solid #d1d5db;padding-top:{L(14)}}}
.sl-tally-label{{font-weight:700}}
.sl-tally-value{{font-weight:700;font-size:{F(s['tally'] + 8)};margin-left:{L(6)}}}
.sl-table{{width:100%;border-collapse:collapse;margin-top:{L(22)}}}
.sl-table th{{font-size:{F(s['head'])};font-weight:400;color:{MUTED};text-align:left;padding:{L(4)} {L(14)};
  border-bottom:{L(3)} solid {INK};white-space:nowrap}}
.sl-table td{{font-size:{F(s['cell'])};padding:{L(5)} {L(14)};border-bottom:{L(1)} solid #9ca3af;
  vertical-align:middle}}
.sl-table .n{{white-space:nowrap}}
.sl-table .r{{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}}
.sl-table .c{{text-align:center}}
.sl-table .b{{font-weight:700}}
.sl-table .sl-pill{{margin-top:0}}
.sl-bars{{margin-top:{L(20)}}}
.sl-bars-ref{{font-size:{F(s['label'])};color:{MUTED};text-align:right;padding-right:{L(150)}}}
.sl-bar{{display:flex;align-items:center;height:{L(s['bar_row'])}}}
.sl-bar-label{{flex:0 0 {L(190)};font-size:{F(s['bar'])};white-space:nowrap}}
.sl-bar-track{{flex:1 1 auto;position:relative;height:{L(s['bar_track'])};background:{TRACK}}}
.sl-bar-fill{{position:absolute;left:0;top:0;bottom:0}}
.sl-bar-ref{{position:absolute;top:calc(-1 * {L(8)});bottom:calc(-1 * {L(8)});width:{L(4)};
  margin-left:calc(-1 * {L(2)});
  background:{INK}}}
.sl-bar-value{{flex:0 0 {L(150)};text-align:right;font-size:{F(s['bar'])};font-weight:700;
  font-variant-numeric:tabular-nums}}
.sl-chart-img{{display:block;width:100%;margin-top:{L(16)}}}
.sl-lines{{margin:{L(22)} 0 0 0;padding:0}}
.sl-line{{font-size:{F(s['line'])};line-height:1.45;padding-left:{L(22)};position:relative}}
.sl-line::before{{content:"";position:absolute;left:0;top:0.55em;width:{L(10)};height:{L(10)};background:{RULE}}}
.sl-foot{{position:absolute;left:{L(s['pad_x'])};right:{L(s['pad_x'])};bottom:{L(s['foot_bottom'])};
  display:flex;justify-content:space-between;font-size:{F(s['foot'])};color:{MUTED};
  border-top:{L(2)} solid #d1d5db;padding-top:{L(8)}}}
"""


def _e(text: str) -> str:
    return escape_html(text)


def _pill(deck: Deck, status: str | None, label: str) -> str:
    return f'<span class="sl-pill" style="background:{deck.colour(status)}">{_e(label)}</span>'


def _figures_html(deck: Deck, slide: Slide, medium: str) -> str:
    parts = []
    for f in slide.figures:
        colour = deck.colour(f.status)
        notes = "".join(f'<div class="sl-fig-note sl-label">{_e(n)}</div>' for n in f.notes)
        badge = f"<div>{_pill(deck, f.status, f.badge)}</div>" if f.badge else ""
        if slide.compact:
            parts.append(f'<div class="sl-fig" style="border-left-color:{colour}">'
                         f'<span class="sl-fig-value" style="color:{colour}">{_e(f.value)}</span>'
                         f'<span class="sl-fig-label sl-label">{_e(f.label)}</span></div>')
        else:
            px = figure_px(f.value, len(slide.figures), f.unit)
            size = f";font-size:{_font_size(px, medium)}" if px != SIZES["figure"] else ""
            unit = f'<span class="sl-fig-unit sl-label">{_e(f.unit)}</span>' if f.unit else ""
            parts.append(f'<div class="sl-fig" style="border-left-color:{colour}">'
                         f'<div class="sl-fig-label sl-label">{_e(f.label)}</div>'
                         f'<div class="sl-fig-value" style="color:{colour}{size}">{_e(f.value)}{unit}</div>'
                         f"{notes}{badge}</div>")
    cls = "sl-figs compact" if slide.compact else "sl-figs"
    return f'<div class="{cls}">{"".join(parts)}</div>' if parts else ""


def _tally_html(deck: Deck, slide: Slide) -> str:
    if not slide.tally:
        return ""
    chips = "".join(f'<span class="sl-chip"><span class="sl-label">{_e(f.label)}</span>'
                    f'<span class="sl-tally-value" style="color:{deck.colour(f.status)}">{_e(f.value)}</span></span>'
                    for f in slide.tally)
    return f'<div class="sl-tally"><span class="sl-tally-label sl-label">{_e(slide.tally_label)}</span>{chips}</div>'


def _table_html(deck: Deck, slide: Slide) -> str:
    if not slide.rows:
        return ""
    align = list(slide.align) + ["l"] * (len(slide.columns) - len(slide.align))
    head = "".join(f'<th class="{a} sl-label">{_e(c)}</th>' for c, a in zip(slide.columns, align))
    body = []
    for row in slide.rows:
        cells = []
        for i, cell in enumerate(row.cells):
            classes = [align[i], "sl-label"] + (["b"] if i in slide.strong else []) + \
                (["n"] if i in slide.nowrap() else [])
            if i == slide.status_column:
                cells.append(f'<td class="{" ".join(classes)}">{_pill(deck, row.status, cell)}</td>')
            elif i in dict(row.inks):
                classes.append("b")
                cells.append(f'<td class="{" ".join(classes)}" style="color:{dict(row.inks)[i]}">{_e(cell)}</td>')
            elif i in slide.tinted and row.status:
                cells.append(f'<td class="{" ".join(classes)}" style="color:{deck.colour(row.status)}">{_e(cell)}</td>')
            else:
                cells.append(f'<td class="{" ".join(classes)}">{_e(cell)}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f'<table class="sl-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _chart_html(deck: Deck, slide: Slide, images: dict[str, bytes] | None) -> str:
    chart = slide.chart
    if chart is None:
        return ""
    if images and chart.key in images:
        data = base64.b64encode(images[chart.key]).decode("ascii")
        return (f'<img class="sl-chart-img" alt="{_e(chart.title)}" data-chart="{_e(chart.key)}" '
                f'src="data:image/png;base64,{data}">')
    top = max([1.0] + [b.ratio for b in chart.bars if b.ratio is not None]) * 1.08
    rows = []
    for b in chart.bars:
        width = 0.0 if b.ratio is None else max(0.0, b.ratio) / top * 100
        ref = (f'<div class="sl-bar-ref" style="left:{chart.reference / top * 100:.2f}%"></div>'
               if chart.reference is not None else "")
        rows.append(f'<div class="sl-bar"><div class="sl-bar-label sl-label">{_e(b.label)}</div>'
                    f'<div class="sl-bar-track"><div class="sl-bar-fill" style="width:{width:.2f}%;'
                    f'background:{deck.colour(b.status)}"></div>{ref}</div>'
                    f'<div class="sl-bar-value sl-label" style="color:{deck.colour(b.status)}">{_e(b.text)}</div>'
                    "</div>")
    legend = f'<div class="sl-bars-ref sl-label">{_e(chart.reference_label)}</div>' if chart.reference_label else ""
    return f'<div class="sl-bars" data-chart="{_e(chart.key)}">{legend}{"".join(rows)}</div>'


def slide_html(deck: Deck, index: int, medium: str = "screen", images: dict[str, bytes] | None = None) -> str:
    """One slide as HTML (styles from ``deck_css``). On screen the slide counter is left to the page's controls."""
    slide = deck.slides[index]
    demo = f'<span class="sl-demo sl-label">{_e(deck.demo_label())}</span>' if deck.demo else ""
    size = title_px(slide.title, deck.demo)
    title_style = f' style="font-size:{_font_size(size, medium)}"' if size != SIZES["title"] else ""
    subtitle = f'<div class="sl-sub sl-label">{_e(slide.subtitle)}</div>' if slide.subtitle else ""
    lines = ('<div class="sl-lines">' + "".join(f'<div class="sl-line sl-label">{_e(x)}</div>' for x in slide.lines)
             + "</div>") if slide.lines else ""
    counter = f'<span class="sl-counter sl-label">{_e(deck.counter(index))}</span>' if medium == "print" else ""
    return (
        f'<section class="sl sl-{slide.kind}" data-slide="{_e(slide.key)}" data-index="{index + 1}" '
        f'lang="{"en" if deck.lang == "en" else "zh-CN"}">'
        f'<div class="sl-head"><h1 class="sl-title"{title_style}>{_e(slide.title)}</h1>{demo}</div>{subtitle}'
        f'<div class="sl-rule"></div>'
        f"{_figures_html(deck, slide, medium)}{_tally_html(deck, slide)}{_table_html(deck, slide)}"
        f"{_chart_html(deck, slide, images)}{lines}"
        f'<div class="sl-foot"><span class="sl-footer sl-label">{_e(deck.footer())}</span>{counter}</div>'
        f"</section>"
    )


def deck_html(deck: Deck, medium: str = "print", images: dict[str, bytes] | None = None,
              font_family: str = FONT_STACK) -> str:
    """Every slide in one HTML document, a page each (what the PDF prints)."""
    body = "".join(slide_html(deck, i, medium, images) for i in range(len(deck.slides)))
    return (f'<!DOCTYPE html><html lang="{"en" if deck.lang == "en" else "zh-CN"}"><head><meta charset="utf-8">'
            f"<title>{_e(deck.title())}</title><style>{deck_css(medium, font_family)}</style></head>"
            f"<body>{body}</body></html>")
