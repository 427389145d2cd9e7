"""The overview's target cards: the few figures a reader needs for one target, and their HTML.

Kept in the core (as plain strings) so that the dashboard and the presentation mode draw the same card.
"""
from __future__ import annotations

import html
import math

from tracker.i18n import day_label, month_label, t
from tracker.model.plan import Target
from tracker.model.status import ProgressConfig
from tracker.model.units import format_percent, format_quantity
from tracker.progress.engine import MET, floor_of

#: The mark a short goal carries when its comparator is this system's reading, not the plan's word; the footnote
#: ``goal.assumed_note`` explains it wherever the mark is shown.
ASSUMED_MARK = "※"


def goal_text(target: Target, lang: str = "zh", value: float | None = None, short: bool = False) -> str:
    """``2500万人左右`` / ``at least 2.21 million persons``: the target as the plan words it. Where the plan states
    no comparator and the YAML reads one in (``comparator_assumed``), the reading is shown as such:
    ``3.3万人（按“不少于”理解）``, never ``3.3万人以上``, which the plan does not say. ``short`` (for a slide's narrow
    column) gives ``3.3万人※`` instead, with ``goal.assumed_note`` shown beside the table. A revised target says so,
    with the original: ``9万人（调整后目标；原目标10万人（按“不少于”理解））``."""
    if target.relative is not None:
        text = relative_goal(target, lang, value)
    else:
        amount = format_quantity(target.value if value is None else value, target.unit, lang)
        if target.comparator_assumed:
            text = f"{amount}{ASSUMED_MARK}" if short else t(f"goal.assumed.{target.comparator}", lang, amount=amount)
        else:
            text = t(f"goal.{target.comparator}", lang, amount=amount)
    if target.revision is None or value is not None:
        return text
    if short:
        return t("goal.revised_short", lang, goal=text)
    return t("goal.revised", lang, goal=text, original=goal_text(target.original, lang))


def row_goal(target: Target, row: dict, lang: str = "zh", short: bool = False) -> str:
    """The goal of a progress row: the plan's words, and for a relative target what it works out to there."""
    if target.relative is None:
        return goal_text(target, lang, short=short)
    return relative_goal(target, lang, _num(row.get("target_value")))


def relative_goal(target: Target, lang: str = "zh", value: float | None = None) -> str:
    """A target relative to a baseline as the plan words it, "较2022年12月增长10%", and what it works out to where
    known ("（即4.36万元）": stated in the plan, or a region's own from its baseline)."""
    relative = target.relative
    base = month_label(relative.baseline.period, lang)
    amount = f"{abs(relative.amount):g}"
    if relative.change == "percent":
        words = t("goal.relative.up" if relative.amount >= 0 else "goal.relative.down", lang, base=base,
                  amount=amount)
    elif relative.change == "points":
        words = t("goal.relative.points", lang, base=base, amount=amount)
    elif relative.amount == 2:
        words = t("goal.relative.double", lang, base=base)
    else:
        words = t("goal.relative.times", lang, base=base, amount=amount)
    worked_out = target.value if value is None else value
    if worked_out is None:
        return words
    return t("goal.relative.worked_out", lang, goal=words, value=format_quantity(worked_out, target.unit, lang))


def _num(value: object) -> float | None:
    if value is None:
        return None
    value = float(value)  # type: ignore[arg-type]
    return None if math.isnan(value) else value


def completion_text(row: dict, target: Target) -> str:
    """Completion as a percentage cut toward the status (``format_percent``): down for a target to reach, up for a
    cap not to exceed."""
    return format_percent(_num(row.get("completion")), up=target.comparator == "at_most")


def shortfall_text(row: dict, target: Target, lang: str = "zh") -> str:
    """"差15人", said of an actual that has not reached its target but would read as reaching it: 2,205,985 persons
    and a target of 2,206,000 both print as 220.6万人. Empty when the figures themselves tell the difference."""
    actual, target_value = _num(row.get("actual")), _num(row.get("target_value"))
    if actual is None or target_value is None or target.comparator == "at_most" or row.get("status") in MET:
        return ""
    floor = floor_of(target, target_value)
    if actual >= floor or format_quantity(actual, target.unit, lang) != format_quantity(floor, target.unit, lang):
        return ""
    return t("figure.short_by", lang, gap=format_quantity(math.ceil(floor - actual - 1e-9), target.unit, lang))


def coverage_text(row: dict, lang: str = "zh") -> str:
    """How much of the region the figures cover, when not all of it: "175/183 县报送，约占96.2%"."""
    coverage = _num(row.get("coverage"))
    if coverage is None or coverage >= 1 - 1e-9:
        return ""
    return t("figure.coverage", lang, reported=int(row["reported"]), expected=int(row["expected_reporters"]),
             share=format_percent(coverage))


def estimate_text(row: dict, target: Target, tree, lang: str = "zh", limit: int = 12) -> str:
    """The estimate with the counties it fills named: "估算（不计入实际数）：约2510.2万人，其中雨城区按其本年最近一月数
    计入。" Never part of the actual; shown so that a reader sees what the missing counties would likely add."""
    names = [tree[c].name for c in row["estimated"]]
    shown = ("、" if lang != "en" else ", ").join(names[:limit])
    if len(names) > limit:
        shown += t("figure.estimate_more", lang, n=len(names))
    return t("figure.estimate_named", lang, value=format_quantity(_num(row["estimate"]), target.unit, lang),
             counties=shown)


def remarks(*parts: str, lang: str = "zh") -> str:
    """The remarks that qualify a figure, in one parenthesis: "（差15人；182/183 县报送，约占99.0%）"."""
    found = [p for p in parts if p]
    if not found:
        return ""
    return f"（{'；'.join(found)}）" if lang != "en" else f" ({'; '.join(found)})"


def as_of_text(row: dict, lang: str = "zh") -> str:
    """The month a figure describes: the as-of month, or the period's end when the period is over."""
    month = row.get("month")
    if isinstance(month, str) and month != row["as_of"]:
        key = "card.as_of_end" if month < row["as_of"] else "card.as_of"
        return t(key, lang, month=month_label(month, lang))
    return t("card.as_of", lang, month=month_label(row["as_of"], lang))


def judgement_text(judgement, config: ProgressConfig, lang: str = "zh") -> str:
    """"调度研判：较有把握（2025年11月20日，省人社厅审核员）" — the office's judgement, said to be one."""
    level = config.confidence(judgement.level).label(lang)
    return t("judgement.line", lang, level=level, date=day_label(judgement.reviewed_on, lang), who=judgement.actor)


def card_html(row: dict, target: Target, config: ProgressConfig, lang: str = "zh", judgement=None) -> str:
    """A target's card; with ``judgement`` (``tracker.review.judgement.Judgement``), the office's delivery
    judgement in a line of its own under the computed status, which it never changes."""
    status = config.status(row["status"])
    actual, expected, target_value = _num(row["actual"]), _num(row["expected"]), _num(row["target_value"])
    completion = _num(row["completion"])
    width = 0.0 if completion is None else max(0.0, min(completion, 1.0)) * 100
    marker = ""
    if expected is not None and target_value:
        marker = f'<div class="tc-marker" style="left:{min(expected / target_value, 1.0) * 100:.1f}%"></div>'
    reported, expected_reporters = int(row["reported"]), int(row["expected_reporters"])
    coverage = _num(row.get("coverage"))
    incomplete = ""
    if row["status"] == "incomplete" or (coverage is not None and coverage < 1 - 1e-9):
        key = "card.incomplete" if row["status"] == "incomplete" else "card.comparable"
        warning = t(key, lang, reported=reported, expected=expected_reporters,
                    share=format_percent(coverage if coverage is not None else 0.0))
        incomplete = f'<div class="tc-warn">{html.escape(warning)}</div>'
    facts = " · ".join([
        t("card.expected", lang, value=format_quantity(expected, target.unit, lang)),
        t("card.pace", lang, value=format_percent(_num(row["pace"]))),
        t("card.reporters", lang, reported=reported, expected=expected_reporters),
    ])
    goal = t("card.goal", lang, goal=row_goal(target, row, lang))
    done = t("card.completion", lang, value=completion_text(row, target)) + remarks(shortfall_text(row, target, lang),
                                                                                    lang=lang)
    return (
        f'<div class="tc-card" data-target="{html.escape(target.id)}" style="border-top-color:{status.colour}">'
        f'<div class="tc-name">{html.escape(target.name.get(lang))}</div>'
        f'<div class="tc-actual">{html.escape(format_quantity(actual, target.unit, lang))}</div>'
        f'<div class="tc-goal">{html.escape(goal)} · {html.escape(done)}</div>'
        f'<div class="tc-bar"><div class="tc-fill" style="width:{width:.1f}%;background:{status.colour}"></div>'
        f"{marker}</div>"
        f'<div class="tc-status" style="background:{status.colour}">{html.escape(status.label(lang))}</div>'
        f'<div class="tc-facts">{html.escape(facts)}</div>'
        f'<div class="tc-asof">{html.escape(as_of_text(row, lang))}</div>'
        f"{incomplete}{_judgement_html(judgement, config, lang)}</div>"
    )


def _judgement_html(judgement, config: ProgressConfig, lang: str) -> str:
    if judgement is None:
        return ""
    colour = config.confidence(judgement.level).colour
    return (f'<div class="tc-judgement" style="border-left:4px solid {colour};padding-left:6px;margin-top:6px;'
            f'font-size:0.85rem;color:#374151">{html.escape(judgement_text(judgement, config, lang))}</div>')


CARD_CSS = """
<style>
.tc-card{border:1px solid #d9dee5;border-top:6px solid #999;border-radius:8px;padding:14px 16px;margin-bottom:12px;
  background:#fff;min-height:230px}
.tc-name{font-size:1.05rem;font-weight:600;color:#1f2937}
.tc-actual{font-size:2.1rem;font-weight:700;color:#111827;margin:6px 0 2px 0;line-height:1.2}
.tc-goal{font-size:0.95rem;color:#374151}
.tc-bar{position:relative;height:12px;background:#eef1f5;border-radius:6px;margin:10px 0 8px 0;overflow:visible}
.tc-fill{height:12px;border-radius:6px}
.tc-marker{position:absolute;top:-4px;width:3px;height:20px;background:#111827}
.tc-status{display:inline-block;color:#fff;font-weight:600;border-radius:4px;padding:1px 10px;font-size:0.95rem}
.tc-facts{font-size:0.85rem;color:#4b5563;margin-top:6px}
.tc-asof{font-size:0.8rem;color:#6b7280}
.tc-warn{font-size:0.85rem;color:#9a3412;background:#fff7ed;border-radius:4px;padding:2px 6px;margin-top:4px}
.demo-banner{background:#fef3c7;border:2px solid #d97706;color:#78350f;border-radius:6px;padding:8px 14px;
  font-weight:700;font-size:1.05rem;margin-bottom:8px}
</style>
"""
