"""导入新方案: upload a plan's text, review the draft the rules made (targets, measures, their sources), save it as a
plan file under targets/. The core (tracker.extract) builds the draft, the tables, the YAML and saves; this draws."""
import hashlib
import json

import streamlit as st

import ui
from loaders.plans import PlanFileError, load_departments
from tracker import extract, store
from tracker.access import sessions
from tracker.i18n import t
from tracker.model.units import BASE_UNITS
from tracker.outputs.text import escape_markdown as md

ctx = ui.context(__file__)
lang = ctx.lang
st.title(t("plan_import.title", lang))
if not sessions.may_see(ui.actor(), "plan_import"):  # plans are the administrators' to change
    st.warning(t("signin.no_permission", lang))
    st.stop()
st.caption(t("plan_import.help", lang))


@st.cache_data(max_entries=8, show_spinner=False)
def _draft(data: bytes, name: str) -> extract.Draft:
    return extract.extract_bytes(data, name)


upload = st.file_uploader(t("plan_import.file", lang), type=[s.lstrip(".") for s in extract.SUPPORTED],
                          key="plan_import_file")
if upload is None:
    st.stop()
data = upload.getvalue()
digest = hashlib.sha256(data).hexdigest()[:12]
try:
    draft = _draft(data, upload.name)
except extract.ExtractError as exc:
    st.error(md(exc))
    st.stop()

st.info(t("plan_import.summary", lang, tasks=len(draft.tasks), targets=len(draft.targets),
          milestones=len(draft.milestones), skipped=len(draft.skipped), review=draft.needs_review(),
          threshold=extract.REVIEW_THRESHOLD))
if draft.traditional or draft.pinyin:
    st.caption(t("plan_import.normalised", lang, pinyin=draft.pinyin))
if draft.unknown_departments:
    st.warning(t("plan_import.unknown_departments", lang, names=md("、".join(draft.unknown_departments))))

left, right = st.columns(2)
plan_id = left.text_input(t("plan_import.plan_id", lang), value=draft.plan_id, key=f"plan_import_id_{digest}")
title = right.text_input(t("plan_import.plan_title", lang), value=draft.title, key=f"plan_import_title_{digest}")


def _label(column: str) -> str:
    return t(f"plan_import.col.{column}", lang)


departments = [d.id for d in load_departments().departments]
tasks = [task.id for task in draft.tasks]
columns = {
    "include": st.column_config.CheckboxColumn(_label("include")),
    "id": st.column_config.TextColumn(_label("id"), required=True),
    "name": st.column_config.TextColumn(_label("name"), required=True, width="medium"),
    "task": st.column_config.SelectboxColumn(_label("task"), options=tasks, required=True),
    "value": st.column_config.NumberColumn(_label("value"), min_value=0, format="%g"),
    "unit": st.column_config.SelectboxColumn(_label("unit"), options=list(BASE_UNITS), required=True),
    "comparator": st.column_config.SelectboxColumn(_label("comparator"), options=["at_least", "around", "at_most"],
                                                   required=True),
    "tolerance": st.column_config.NumberColumn(_label("tolerance"), min_value=0.0, max_value=0.99, step=0.01),
    "kind": st.column_config.SelectboxColumn(_label("kind"), options=["level", "flow", "cumulative"],
                                             required=True),
    "start": st.column_config.TextColumn(_label("start"), validate=r"^\d{4}-\d{2}$"),
    "end": st.column_config.TextColumn(_label("end"), validate=r"^\d{4}-\d{2}$"),
    "lead": st.column_config.SelectboxColumn(_label("lead"), options=departments, required=False),
    "co": st.column_config.TextColumn(_label("co")),
    "confidence": st.column_config.NumberColumn(_label("confidence"), format="%.2f"),
    "review": st.column_config.TextColumn(_label("review"), width="large"),
    "sentence": st.column_config.TextColumn(_label("sentence"), width="large"),
}

st.subheader(t("plan_import.targets", lang))
if draft.targets:
    targets = st.data_editor(extract.targets_table(draft), key=f"plan_import_targets_{digest}", hide_index=True,
                             num_rows="fixed", column_config=columns, disabled=["confidence", "review"],
                             width="stretch")
    st.markdown(t("plan_import.legend", lang))
    for target in draft.targets:
        st.markdown(f"**{md(target.id)}** · {md(target.name)}  \n"
                    f"{extract.highlight_markdown(target.sentence, target.marks)}")
        st.caption(f"—— {md(target.section)}")
        for assumption in target.assumptions:
            st.caption(f"{t('target.assumption', lang)}：{md(assumption)}")
else:
    targets = None
    st.caption(t("plan_import.no_targets", lang))

st.subheader(t("plan_import.milestones", lang))
milestones = st.data_editor(extract.milestones_table(draft), key=f"plan_import_milestones_{digest}",
                            hide_index=True, num_rows="fixed", column_config=columns,
                            disabled=["confidence", "sentence"], width="stretch") if draft.milestones else None

with st.expander(t("plan_import.tasks", lang, n=len(draft.tasks))):
    st.dataframe([{_label("id"): task.id, _label("name"): task.title, _label("lead"): task.lead,
                   _label("co"): "、".join(task.co), _label("section"): task.section} for task in draft.tasks],
                 hide_index=True, width="stretch")
if draft.skipped:
    with st.expander(t("plan_import.skipped", lang, n=len(draft.skipped))):
        st.dataframe(extract.skipped_table(draft).rename(columns=_label), hide_index=True, width="stretch")

edited = extract.apply_edits(draft, targets, milestones, plan_id=plan_id, title=title)
path = extract.plan_path(edited)
overwrite = False
if path is not None and path.exists():
    overwrite = st.checkbox(t("plan_import.overwrite", lang, path=f"targets/{path.name}"),
                            key=f"plan_import_overwrite_{digest}")
first, second, third = st.columns(3)
first.download_button(t("plan_import.download_yaml", lang), extract.to_yaml(edited, review=True),
                      file_name=f"{edited.plan_id}.draft.yaml", mime="application/x-yaml",
                      key=f"plan_import_yaml_{digest}")
second.download_button(t("plan_import.download_review", lang),
                       json.dumps(extract.review(edited), ensure_ascii=False, indent=2),
                       file_name=f"{edited.plan_id}.draft.review.json", mime="application/json",
                       key=f"plan_import_review_{digest}")
if third.button(t("plan_import.save", lang), type="primary", key=f"plan_import_save_{digest}"):
    try:
        saved = extract.save_plan(edited, overwrite=overwrite)
    except PlanFileError as exc:
        st.error(t("plan_import.invalid", lang) + "\n\n" + "\n".join(f"- {md(p)}" for p in exc.problems))
    except extract.SaveRefused as exc:
        st.error(md(exc))
    else:
        store.init_database(ui.engine())  # the database learns the new plan's targets and measures
        st.success(t("plan_import.saved", lang, path=f"targets/{saved.name}",
                     targets=sum(1 for x in edited.targets if x.include),
                     milestones=sum(1 for x in edited.milestones if x.include)))
