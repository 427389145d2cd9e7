"""Draft a plan's targets from its text, offline and by rule: ``tracker extract`` and the page 导入新方案.

A draft is plan YAML that the loader accepts (``loaders.plans.load_plan``) plus, per field, how sure the rules are
and which words of the text the field was read from. A person reviews it before it is saved under ``targets/``.

Reading the text (``text.py``)
    .txt (UTF-8, UTF-8 with BOM, UTF-16 with BOM, GB18030) or .docx (paragraphs and table rows in order). The rules
    read a normalised copy: Traditional → Simplified (OpenCC ``t2s``, only when the text is Traditional), pinyin
    artefacts removed (``農(nóng)`` → ``农``; only tone-marked syllables, so ``(含技工学校)`` stays), ASCII punctuation
    of web pages turned back into full-width (``,`` → ``，``, ``(`` → ``（``, a ``.`` after a Chinese character → ``。``;
    ``1,200`` → ``1200``), full-width digits → ASCII, layout spaces removed (``四 川 省 教 育 厅``). Every normalised
    character keeps the index of the original character it came from, so citations quote the original verbatim.

Structure (``structure.py``)
    Headings ``一、`` and ``（一）`` are found in numeral order after a line break, a full stop or a closing
    parenthesis, so the text may have lost its line breaks. Text before the first heading is the preamble (covering
    notice): it gives the issue date (its last full date), the issuers (departments named in full, in order) and
    the title; no targets or measures are drawn from it. Each ``（n）`` sub-section is a unit (task); a section
    without sub-sections is one; a text without headings has one unit per paragraph (``第2段 …``). Sections whose
    heading says 目标 (goals) or 要求/保障措施/组织实施/指导思想/原则… (how to work) give targets but no measures;
    the others give both. A unit becomes a task when it gives a measure or a target; tasks are numbered in order.

Departments (``departments.py``)
    A parenthesis ending in 负责/牵头/配合 (``（省发展改革委、人力资源社会保障厅按职责分工负责）``) names the
    departments of the text before it in its unit; the first named leads unless one is marked 牵头. Names map to
    ``targets/departments.yaml`` ids by short form, full name and common abbreviations (人社厅, 发改委, 医保局…);
    unknown names are listed for review. A unit without such a parenthesis takes the issuers (low confidence).

Figures (``quantities.py``): a figure counts only with a unit (人, 人次, 名 → 人, 个, 家, 元, %, and 所/座/处/项 → 个,
户 → 家, each mapped unit noted) or a 万/亿 scale whose unit the clause implies (劳动力 → 人, 资金 → 元). So dates
(``2023年7月17日``), document numbers (``人社部发〔2023〕8号``), ``9部门`` and Chinese numerals (二十大, 十二届二次、
三次全会, 十大专项行动) never become targets.
    value      normalised to the base unit: ``3.3万人`` → 33000 人, ``220.6万人`` → 2206000, ``2500万`` → 25000000,
               ``1.2亿元`` → 120000000 元, ``90%`` → 90 %.
    comparator ``以上/不少于/不低于/至少/达到`` → at_least; ``左右/上下/约`` → around with tolerance 0.02, stated as an
               assumption; ``以内/以下/不超过/控制在`` → at_most; ``超过/突破`` → at_least and ``低于`` → at_most
               (noted); ``稳定在/保持在`` alone and no word at all (``开展…培训3.3万人``) → at_least, noted as an
               assumption with lower confidence.
    period     the nearest time words before the figure in its sentence (else after it in its clause):
               ``2023年`` → 2023-01…2023-12; ``到2025年底`` → plan year-01…2025-12, the start noted as an assumption;
               ``2023—2025年`` → 2023-01…2025-12; ``到2023年6月底`` → 2023-01…2023-06; none → the plan year (noted).
               The plan year is the issue date's year, else the first year the text names (``--year`` overrides).
    kind       ``累计`` → cumulative (a one-year ``累计`` is a flow); ``稳定在/保持在/控制在`` and percentages → level;
               activity verbs (开展, 培训, 新增, 遴选, 建设…) → flow; stock words (转移就业, 规模, 总量, 覆盖…) → level;
               otherwise flow (low confidence). A flow whose period spans years becomes cumulative (noted).
               Reporting follows: level → month_end; flow and cumulative → ytd (monthly when the period does not
               start in January); aggregation from ``tracker.model.plan.MONTH_AGGREGATION``.
    name       the clause without time, scope (全省), comparator and leading verbs (开展), plus the unit's suffix:
               ``2023年开展农民工返乡创业培训3.3万人`` → 农民工返乡创业培训人数; ``遴选500名农村致富带头人`` →
               遴选农村致富带头人数. A name made by rule has confidence 0.7 (at the review threshold: shown, not
               flagged); a figure whose clause yields no name is flagged (0.2).

Deliberate decisions, each tested:
    nested     ``（含脱贫劳动力2万人）`` or a ``其中…`` clause → a separate target named ``<parent>（其中：…）``, with
               its parent noted in the assumptions and a validation rule ``child <= parent`` (same unit), since a
               county's part cannot exceed its whole. Without a unit, comparator or time of its own it takes its
               parent's.
    range      ``5-10个`` (also ``5至10个``, ``5万-10万人``) → at_least the lower bound; the range is stated in the
               assumptions.
    yearly     ``每年…``, ``年均…``, ``年培训…`` → one flow target per year (ids ``…_2023``, ``…_2024``), over the
               sentence's range or deadline, else from the plan year to the plan's latest deadline, else the plan
               year alone; noted.
    baseline   ``在现有…基础上`` figures, figures after ``已…/现有/共有``, and figures of years before the plan year
               are not targets; they are listed as "not targets" with the reason, as are relative changes
               (``增长10%``, ``提高5个百分点``).
    measures   every sentence of a measures unit is a milestone (one per sentence, including those that also state
               a target), named by its first substantial clause.

Confidence. The schema forbids unknown keys, so confidence cannot live in the plan's fields. It is written (1) as
YAML comments above each task, target and milestone of the draft (``# 置信度：数值 0.95 · 比较 0.60 … —— 需复核：比较``
and ``# 依据：数值“3.3万人” · 期间“2023年”``), which keeps the file schema-valid and puts the doubt next to what a
reviewer edits, and (2) in a machine-readable side file ``DRAFT.review.json`` (per field: value, confidence, the
words read, a note; the marked spans of each sentence; the figures not taken and why). ``assumptions`` holds only
the decisions that stay true after review (tolerance, implied comparator, period start, range, nesting), because
the dashboard shows them to readers of the target. Once reviewed and saved, the plan file drops the comments.
"""
from .draft import (  # noqa: F401
    REVIEW_THRESHOLD,
    Draft,
    DraftMilestone,
    DraftTarget,
    DraftTask,
    SaveRefused,
    apply_edits,
    build_draft,
    extract_bytes,
    extract_file,
    highlight_markdown,
    milestones_table,
    plan_path,
    review,
    review_path,
    save_plan,
    skipped_table,
    targets_table,
    to_yaml,
    validate,
    write_draft,
)
from .text import SUPPORTED, ExtractError  # noqa: F401
