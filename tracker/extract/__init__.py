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
    parenthesis, so the text may have lost its line breaks; a ``（二）目标任务：`` heading ends at its colon. Text before the first heading is the preamble (covering
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

Plan year (``structure.plan_year``), by evidence, strongest first: the issue date (the preamble's last full
date); the plan's own document number near the top (``闽政〔2015〕19号``, not one in parentheses or after a title);
``--year``; the first year the text names that is neither a deadline nor a look back (``2024年…工作方案``;
``2019至2021年`` → 2019; not ``到2025年``, not ``刚刚过去的2015年``); the first year of a five-year plan in a title
(``《“十四五”就业促进规划》`` → 2021); the latest document the text cites (``根据《…》（豫办〔2021〕29号）`` → issued in
2021 or later). Never today's date: with no evidence at all a period is flagged (0.1) for the reviewer.
The horizon (for yearly rates without a deadline) is the latest deadline within five years of the plan year, so a
vision (``到2035年，基本实现…``) is no deadline: a 2021 plan's ``年培训2万人次`` runs 2021—2025.

Figures (``quantities.py``). Not a figure at all: years, dates and times (``2023年7月17日``, ``9时``), document
numbers (``人社部发〔2023〕8号``), ordinals and annexes (``第3``, ``附件1``), counts of departments (``9部门``),
list markers, codes (``5G``, ``7+28+N``), Chinese numerals (二十大, 十大专项行动). A target needs a unit (人, 人次,
名 → 人, 个, 家, 元, %, 个百分点, and 所/座/处/项 → 个, 户 → 家, each mapped unit noted) or a 万/亿 scale whose unit
the clause implies (劳动力 → 人, 资金 → 元). Every other figure is listed under "not targets" in the review file,
with its reason (``draft.SKIP_REASONS``) and, where useful, a note:
    slogan     in quotes or title marks: ``“633”现代工业体系``, ``“1+10+3”``.
    context    a count after 结合/围绕/对接/聚焦/依托/面向/以…为 with no activity verb between: ``结合…4个千亿级产业
               集群发展``, ``以7大…产业集群、28条重点产业链…为主战场``; and a figure inside ``为…打下/奠定…基础``
               (the goal the plan serves, ``为…比2010年翻一番打下决定性基础``). ``重点打造10个…品牌`` is a target.
    count      counts of the plan's own parts: ``经济发展类目标（13个）``, ``7项工作任务``, ``8方面工作``.
    programme  ``实施10大专项行动``: the plan's structure, not a figure counties report.
    unit_unsupported  units the schema lacks (吨, 亩, ‰, 年 as a duration, 周年, 个月…), the unit in the note:
               ``粮食产量保持在180万吨以上``, ``人口自然增长率控制在6‰以内``, ``平均受教育年限达到10.9年``.
    preamble, heading  figures of the covering notice and of headlines (``今年培训3.5万人次`` above a news text).
    restated   a target drafted again from a later sentence (same figure or change, unit, comparator, period and
               name — ``经济`` and ``生产总值`` are one): only the first is kept (``城镇新增就业200万人以上`` twice).
Each target's fields:
    value      normalised to the base unit: ``3.3万人`` → 33000 人, ``220.6万人`` → 2206000, ``2500万`` → 25000000,
               ``1.2亿元`` → 120000000 元, ``90%`` → 90 %.
    comparator ``以上/不少于/不低于/至少/达到/达`` → at_least; ``左右/上下/约`` → around with tolerance 0.02, stated as an
               assumption; ``以内/以下/不超过/控制在`` → at_most; ``超过/突破`` → at_least and ``低于`` → at_most
               (noted); ``稳定在/保持在`` alone and no word at all (``开展…培训3.3万人``) → at_least, noted as an
               assumption with lower confidence.
    period     the nearest time words before the figure in its sentence (else after it in its clause):
               ``2023年`` → 2023-01…2023-12; ``到2025年底`` → plan year-01…2025-12, the start noted as an assumption;
               ``2023—2025年`` → 2023-01…2025-12; ``到2023年6月底`` → 2023-01…2023-06; ``“十四五”期间`` →
               2021—2025; ``用三年时间``, ``三年共``, ``今后五年`` → from the plan year; ``今年``, ``全年`` → the
               plan year. A sentence without time words takes the last deadline stated before it in its unit (in a
               text without headings, in the text: a news report states the plan's deadline once), noted; else the
               plan year (noted). With no plan year, a deadline's start is flagged (0.3).
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
               sentence's range, duration or deadline, else from the plan year to the plan's horizon, else the plan
               year alone (without a plan year, the horizon year alone, flagged); noted. The next clause, without a
               time of its own, is a rate too: ``年培训2万人次以上，1.7万人取得证书``.
    relative   a change against a baseline is a target with ``relative`` (``tracker.model.plan.Relative``):
               ``增长9%`` → percent 9; ``下降10%`` → percent −10 with ``at_most`` (``下降10%以上`` too);
               ``提高2个百分点`` → points 2 (unit %); ``翻一番``/``翻两番`` → multiple 2/4; ``增速（目标）为9.5%``,
               ``实现9.5%左右的增长`` → percent 9.5. Its unit is that of what grows, read from the subject
               (收入、总值、投资、增加值、零售额、进出口、经济增长 → 元; 人次; 人数、就业、参保 → 人; 企业 → 家);
               without one it is listed as not taken (relative). The baseline is the year the text names
               (``比2020年`` → 2020-12, ``比上年``/``同比`` → the December before), else the December before the
               period, stated as an assumption; a stated baseline value (``比上年的40000元``) goes to
               ``baseline.value`` (the schema works the value out) and its figure is listed as a baseline; without
               one there is no ``value``: each region's own figure of the baseline month is its baseline. A change
               compared with another region (``高于全省平均水平2个百分点``) is listed, not drafted. ``年均增长`` is a
               yearly rate (each year against the one before). A price rise without a comparator
               (``居民消费价格上涨3%``) is a ceiling: ``at_most``, noted. Kind: flow within a year, level over years
               or in points.
    lists      ``A和B分别增长8%和8.5%`` (and ``城乡…分别增长7%、8%左右``): one target each, named by its part
               (城镇…, 农村…), a comparator written once after the last shared; ``A和B均增长10%`` and
               ``其中A，B，C均增长12%`` → one target per subject.
    past       ``在现有…基础上`` figures, figures after ``已…/现有/共有``, and figures of years before the plan year
               are not targets; nor is a passage that looks back: a sentence opening with a past time in a clause
               of its own (``“十三五”以来，…``, ``刚刚过去的2015年，…``, ``人民网了解到，“十三五”期间，…``) and the
               sentences after it that name no time and no intent of their own (将, 要, 目标, 预期, 到2025年…),
               within its unit, or across paragraphs in a text without headings (``从就业质量看，…年均增长7.1%``).
               Each is listed as "not targets" with the reason.
    measures   every sentence of a measures unit is a milestone (one per sentence, including those that also state
               a target), named by its first substantial clause.

Measured on real texts: ``tests/test_extract_corpus.py`` drafts the twenty plan texts of ``tests/plans``
(sources in its PROVENANCE.md) and scores them against hand labels (recall, precision, and every figure a target
or listed with its reason).

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
