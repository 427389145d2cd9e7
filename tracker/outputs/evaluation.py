"""成效评估: the closing account of a plan whose period has ended, as an office sends it upward.

Every quantitative target judged at its own deadline (its period's end, with the revisions in force then), year by
year where it spans years, by prefecture where it was allocated; the measures completed and not, with their
departments; reporting completeness over the whole period; and a short formal text built from those figures only
(sentence patterns in tracker/locales/*.yaml, ``evaluation.*``), so the same database gives the same text and every
figure in it is one ``tracker progress --as-of <plan end>`` prints. The missing-data rule is the engine's: a
target a region has not fully reported is 数据不全, not 未完成.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tracker.i18n import month_label, t
from tracker.model.figures import segment_shares
from tracker.model.periods import months_between
from tracker.model.units import format_percent, format_quantity
from tracker.outputs.cards import completion_text, row_goal
from tracker.outputs.documents import Report
from tracker.progress.engine import MET, floor_of
from tracker.progress.snapshot import Snapshot

#: Statuses at a target's deadline that count as not met (数据不全 and 未报送 are said separately).
NOT_MET = ("not_met", "behind", "at_risk", "on_track")


@dataclass(frozen=True)
class YearFigure:
    year: int
    actual: float | None
    expected: float | None


@dataclass(frozen=True)
class TargetOutcome:
    target: object          # the version in force at the plan's end
    row: dict               # its province row at its deadline
    years: tuple[YearFigure, ...] = ()   # a multi-year target's years

    @property
    def met(self) -> bool:
        return self.row["status"] in MET


@dataclass(frozen=True)
class Evaluation:
    snap: Snapshot          # at the plan's last month
    outcomes: tuple[TargetOutcome, ...]
    prefectures: pd.DataFrame   # target, region, region_name, status, completion (allocated targets only)
    reporting: dict         # months, expected, reported, on_time, rate, on_time_rate

    @property
    def plan(self):
        return self.snap.plan


def build_evaluation(engine, plan_id: str, snap: Snapshot | None = None) -> Evaluation:
    """The closing account of ``plan_id`` from the database (``ValueError`` while its period has not ended).

    ``snap``: the plan's snapshot at its last month, read here unless given. The app passes the one its cache
    shares (an ended plan opens on that month): at national scale a second one was 5 s and a tenth of a GB more.
    The completeness of the whole period is read here and not kept: only its totals are reported."""
    from loaders.plans import get_plan
    from tracker import store
    from tracker.progress.completeness import load_completeness
    from tracker.progress.snapshot import load_snapshot

    plan = get_plan(plan_id)
    if plan.end is None:
        raise ValueError(t("evaluation.no_targets", "zh"))
    snap = snap if snap is not None else load_snapshot(engine, plan_id, plan.end)
    if snap.as_of != plan.end:
        raise ValueError(f"the evaluation's snapshot must be at the plan's end {plan.end}, not {snap.as_of}")
    by_year = [t.id for t in snap.plan.targets if t.aggregation.months == "sum_of_years"]
    figures = store.county_figures(engine, snap.plan, plan.end, targets=by_year) if by_year else None
    province = snap.province()
    outcomes = []
    for target in snap.plan.targets:
        row = {**province.loc[target.id].to_dict(), "target": target.id}
        years: list[YearFigure] = []
        if target.aggregation.months == "sum_of_years":
            mine = figures[(figures["target"] == target.id) & figures["region"].isin(
                snap.scopes.get(target.id, figures["region"]))]
            goal = row["target_value"]
            for segment, share in segment_shares(target, target.period.end).items():
                done = mine.loc[mine["segment"] == segment, "actual"]
                years.append(YearFigure(int(segment[:4]), float(done.sum()) if not done.empty else None,
                                        floor_of(target, goal) * share if pd.notna(goal) else None))
        outcomes.append(TargetOutcome(target, row, tuple(years)))
    regions = snap.rows("prefecture")
    allocated = regions[regions["target_value"].notna()][["target", "region", "region_name", "status", "completion"]]
    months = months_between(plan.start, plan.end)
    report = load_completeness(engine, snap.plan, snap.tree, snap.scopes, months, snap.config.reporting)
    total = report.province[["expected", "reported", "on_time"]].sum()
    expected = int(total["expected"])
    reporting = {"months": len(months), "expected": expected, "reported": int(total["reported"]),
                 "on_time": int(total["on_time"]),
                 "rate": total["reported"] / expected if expected else None,
                 "on_time_rate": total["on_time"] / expected if expected else None}
    return Evaluation(snap, tuple(outcomes), allocated.reset_index(drop=True), reporting)


def _join(items: list[str], lang: str) -> str:
    return ("；" if lang != "en" else "; ").join(items)


def _figure(outcome: TargetOutcome, lang: str) -> str:
    target, row = outcome.target, outcome.row
    return t("evaluation.figure", lang, name=target.name.get(lang),
             actual=format_quantity(row["actual"] if pd.notna(row["actual"]) else None, target.unit, lang),
             goal=row_goal(target, row, lang), completion=completion_text(row, target),
             deadline=month_label(target.period.end, lang))


def evaluation_report(ev: Evaluation, lang: str = "zh") -> Report:
    """The closing account as a formal document (``documents.Report``): deterministic, every figure traceable."""
    snap, plan = ev.snap, ev.plan
    sections = []
    met = [_figure(o, lang) for o in ev.outcomes if o.met]
    missed = [_figure(o, lang) for o in ev.outcomes if o.row["status"] in NOT_MET]
    unclear = [_figure(o, lang) for o in ev.outcomes if o.row["status"] not in MET + NOT_MET]
    parts = [t("evaluation.targets", lang, n=len(ev.outcomes), met=len(met), missed=len(missed))]
    if met:
        parts.append(t("evaluation.met", lang, items=_join(met, lang)))
    if missed:
        parts.append(t("evaluation.missed", lang, items=_join(missed, lang)))
    if unclear:
        parts.append(t("evaluation.unclear", lang, items=_join(unclear, lang)))
    if ev.outcomes:
        sections.append((t("evaluation.section.targets", lang), ("".join(parts) if lang != "en" else " ".join(parts),)))
    yearly = []
    for o in ev.outcomes:
        if o.years:
            years = [t("evaluation.year", lang, year=y.year, actual=format_quantity(y.actual, o.target.unit, lang),
                       expected=format_quantity(y.expected, o.target.unit, lang)) for y in o.years]
            yearly.append(t("evaluation.years", lang, name=o.target.name.get(lang),
                            items=("、" if lang != "en" else ", ").join(years)))
    if yearly:
        sections.append((t("evaluation.section.years", lang), tuple(yearly)))
    by_region = []
    for o in ev.outcomes:
        rows = ev.prefectures[ev.prefectures["target"] == o.target.id]
        if rows.empty:
            continue
        done = rows[rows["status"].isin(MET)]
        behind = rows[~rows["status"].isin(MET)].sort_values("completion", na_position="first")
        worst = [t("evaluation.region_item", lang, name=r.region_name,
                   completion=format_percent(r.completion) if pd.notna(r.completion) else "—")
                 for r in behind.head(3).itertuples(index=False)]
        by_region.append(t("evaluation.regions", lang, name=o.target.name.get(lang), n=len(rows), met=len(done),
                           missed=len(behind), worst=("、" if lang != "en" else ", ").join(worst) or "—"))
    if by_region:
        sections.append((t("evaluation.section.regions", lang), tuple(by_region)))
    measures = snap.milestones
    counts = measures["status"].value_counts()
    open_items = []
    names = {m.id: m for m in plan.milestones}
    from loaders.plans import load_departments

    departments = load_departments().by_id()
    for row in measures[measures["status"] != "done"].itertuples(index=False):
        milestone = names[row.milestone]
        who = ("、" if lang != "en" else ", ").join(
            departments[d].short if lang != "en" else departments[d].name.get("en")
            for d in milestone.departments.responsible)
        open_items.append(t("evaluation.measure_item", lang, name=milestone.name.get(lang), departments=who,
                            status=snap.config.milestone_status(row.status).label(lang)))
    text = t("evaluation.measures", lang, n=len(measures), done=int(counts.get("done", 0)),
             open=len(measures) - int(counts.get("done", 0)))
    if open_items:
        text += t("evaluation.measures_open", lang, items=("；" if lang != "en" else "; ").join(open_items))
    sections.append((t("evaluation.section.measures", lang), (text,)))
    r = ev.reporting
    sections.append((t("evaluation.section.reporting", lang), (t(
        "evaluation.reporting", lang, months=r["months"], expected=r["expected"], reported=r["reported"],
        rate=format_percent(r["rate"]), on_time=r["on_time"], on_time_rate=format_percent(r["on_time_rate"])),)))
    period = t("evaluation.period", lang, start=month_label(plan.start, lang), end=month_label(plan.end, lang))
    return Report(title=t("evaluation.title", lang, plan=plan.title.get(lang)), subtitle=period,
                  demo=t("summary.demo", lang) if snap.demo else "",
                  opening=t("evaluation.opening", lang, end=month_label(plan.end, lang)),
                  sections=tuple(sections), note=t("evaluation.note", lang))


def outcome_table(ev: Evaluation, lang: str = "zh") -> pd.DataFrame:
    """Every target at its deadline: actual, target, completion, status (a page's table)."""
    return pd.DataFrame([{
        t("col.target", lang): o.target.name.get(lang),
        t("evaluation.col.deadline", lang): month_label(o.target.period.end, lang),
        t("col.actual", lang): format_quantity(o.row["actual"] if pd.notna(o.row["actual"]) else None,
                                               o.target.unit, lang),
        t("col.goal", lang): row_goal(o.target, o.row, lang),
        t("col.completion", lang): completion_text(o.row, o.target),
        t("col.status", lang): ev.snap.config.status(o.row["status"]).label(lang),
    } for o in ev.outcomes])
