"""Reading the quantities of one sentence: which figures are targets, and each target's value, unit, comparator,
period, kind and name, with a confidence per field and the words each field was read from.

Works on one normalised sentence (``structure.Sentence``): full-width punctuation, ASCII digits, Simplified text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

#: Scale characters and what they multiply by.
SCALE = {"": 1, "万": 10_000, "亿": 100_000_000, "千": 1_000}
#: Units as written → (base unit of the schema, confidence, note when the unit was mapped).
UNITS: dict[str, tuple[str, float, str | None]] = {
    "人次": ("人次", 0.95, None),
    "人": ("人", 0.95, None),
    "名": ("人", 0.9, None),
    "个": ("个", 0.95, None),
    "家": ("家", 0.95, None),
    "元": ("元", 0.95, None),
    "%": ("%", 0.95, None),
    "所": ("个", 0.6, "原文单位“所”，按“个”计。"),
    "座": ("个", 0.6, "原文单位“座”，按“个”计。"),
    "处": ("个", 0.6, "原文单位“处”，按“个”计。"),
    "项": ("个", 0.6, "原文单位“项”，按“个”计。"),
    "户": ("家", 0.6, "原文单位“户”，按“家”计。"),
}
_N = r"\d+(?:\.\d+)?"
_UNIT_ALT = "|".join(sorted(UNITS, key=len, reverse=True))
QUANTITY = re.compile(
    rf"(?<![\d.])(?P<a>{_N})(?P<sa>[万亿千])?(?:(?P<dash>[-~—–至到])(?P<b>{_N}))?(?P<scale>[万亿千])?"
    rf"(?P<unit>{_UNIT_ALT})?")
#: Time words. A full date (``2023年7月17日``) with no 到/前/底 is a date, not a deadline.
TIME = re.compile(
    r"(?P<pre>力争到|力争在|截止到|截止|截至|到|至|于|在)?"
    r"(?:(?P<y1>\d{4})年?[-—–~至到](?P<y2>\d{4})年|(?P<y>\d{4})年(?:(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?)?)"
    r"(?P<post>(?:底|末|年底|年末|前|之前|以前|内|起)*)")
BARE_DEADLINE = re.compile(r"(?<![\d年])(年底前|年内|年底|年末前)")
_FLOW_VERBS = ("培训|新增|开展|遴选|培育|建设|建成|创建|认定|打造|发放|完成|帮助|吸纳|举办|组织|招聘|输出|培养|扶持|新建"
               "|改造|提供|引进|带动|安置|资助|救助|补贴|招收|招录|参训|鉴定|评选|推荐")
YEARLY = re.compile(rf"每年|年均|(?<![\d每年])年(?={_FLOW_VERBS})")
_COMPARATOR_SUFFIX = re.compile(r"^(?:及|或)?(以上|以下|以内|左右|上下)")
_COMPARATOR_PREFIX = re.compile(
    r"(不少于|不低于|不超过|不高于|至少|超过|高于|突破|力争达到|达到|稳定在|保持在|控制在|低于|少于|大约|约|近)$")
COMPARATOR_WORDS = {
    "以上": ("at_least", 0.9), "不少于": ("at_least", 0.95), "不低于": ("at_least", 0.95), "至少": ("at_least", 0.95),
    "达到": ("at_least", 0.85), "力争达到": ("at_least", 0.85), "超过": ("at_least", 0.8), "高于": ("at_least", 0.8),
    "突破": ("at_least", 0.8), "左右": ("around", 0.9), "上下": ("around", 0.85), "约": ("around", 0.8),
    "大约": ("around", 0.8), "近": ("around", 0.6), "以内": ("at_most", 0.9), "以下": ("at_most", 0.85),
    "不超过": ("at_most", 0.95), "不高于": ("at_most", 0.95), "控制在": ("at_most", 0.8), "低于": ("at_most", 0.8),
    "少于": ("at_most", 0.8), "稳定在": ("at_least", 0.6), "保持在": ("at_least", 0.6),
}
AROUND_TOLERANCE = 0.02
_BASELINE = re.compile(r"(?:在|以)?(?:现有|已有|原有|目前)[^，；。]{0,40}?(?:的)?基础上")
_PAST = re.compile(r"已(?:经)?(?:达到|建成|累计|完成|培训|有|实现|转移|帮助|发放|开展|新增|遴选|超过|突破|覆盖)|现有|目前有|共有|去年|上年")
_RELATIVE = re.compile(r"(?:增长|提高|下降|降低|增加|减少|提升)(?!到|至)[^，；]{0,3}$")
_NOT_AFTER_GE = re.compile(r"^(?:月|百分点|工作日|季度|小时|星期|周)")
_PERSON_NOUNS = re.compile(r"人|劳动力|农民工|人口|群众|职工|学生|劳动者|毕业生")
_MONEY_NOUNS = re.compile(r"资金|贷款|投资|补贴|奖补|经费|收入|金额|保费|工资")
_STOCK = re.compile(r"转移就业|就业规模|总量|规模|存量|覆盖|参保人数|持证|保有|在校|常住")
_FLOW = re.compile(_FLOW_VERBS)
_SCOPE_HINT = re.compile(r"重点帮扶(?:地区|县)|脱贫县|试点县|民族地区|欠发达县|革命老区")
_NESTED_CUE = re.compile(r"^(含|其中|包括)")

# Words removed when a target's name is made from its clause.
_TIME_WORDS = re.compile(
    r"(?:力争到|力争在|截止到|截止|截至|到|至|于|在)?\d{4}年?(?:[-—–~至到]\d{4}年)?(?:\d{1,2}月)?(?:\d{1,2}日)?"
    r"(?:底|末|年底|年末|前|之前|以前|内|起)*|每年|年均|年底前|年内|当年|全年|今年|(?<![\d每])年(?=" + _FLOW_VERBS + ")")
_SCOPE_WORDS = re.compile(r"^(全省|全市|全州|全县|全国|全区|各地|各市（州）|各县（市、区）|我省|省内)")
_LEAD_WORDS = re.compile(r"^(力争|确保|累计|共|再|持续|努力|实现|完成|开展|组织|举办|实施|其中|含|包括|新增培训|，)+")
_QUOTES = re.compile(r"[“”\"'‘’「」『』《》]")


@dataclass
class Field:
    """One field of a drafted target: its value, how sure the rules are, and why."""

    value: object
    confidence: float
    note: str | None = None
    evidence: str | None = None  # the words the value was read from


@dataclass
class Mark:
    start: int  # positions in the normalised text (absolute)
    end: int
    kind: str  # value | comparator | time | kind | context


@dataclass
class Finding:
    """A figure of a sentence: a target, or a figure deliberately not taken for one (``skip`` gives the reason)."""

    start: int
    end: int
    text: str
    skip: str | None = None  # baseline | past | relative | no_unit
    value: Field | None = None
    high: float | None = None  # upper end of a range
    unit: Field | None = None
    comparator: Field | None = None
    tolerance: float | None = None
    kind: Field | None = None
    periods: list[tuple[str, str]] = field(default_factory=list)
    period: Field | None = None
    yearly: bool = False
    name: Field | None = None
    core: str = ""  # the name without its unit suffix (an alias)
    parent: int | None = None  # index of the enclosing target among this sentence's findings
    marks: list[Mark] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Time:
    start: int
    end: int
    text: str
    first: int | None  # first year
    last: int | None  # last year (deadline)
    month: int | None  # deadline month
    deadline: bool
    date: bool  # a full date without a deadline word: not a period


def _number(text: str) -> Decimal:
    return Decimal(text)


def plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def find_times(sentence: str) -> list[Time]:
    out = []
    for m in TIME.finditer(sentence):
        pre, post = m.group("pre") or "", m.group("post") or ""
        if m.group("y1"):
            first, last = int(m.group("y1")), int(m.group("y2"))
            out.append(Time(m.start(), m.end(), m.group(), first, last, None, True, False))
            continue
        year = int(m.group("y"))
        if not 1990 <= year <= 2100:
            continue
        month = int(m.group("m")) if m.group("m") else None
        deadline = bool(pre in ("到", "至", "截至", "截止", "截止到", "力争到") and pre) or any(
            w in post for w in ("底", "末", "前", "以前"))
        is_date = bool(m.group("d")) and not deadline
        if month is not None and not 1 <= month <= 12:
            continue
        out.append(Time(m.start(), m.end(), m.group(), year, year, month, deadline, is_date))
    for m in BARE_DEADLINE.finditer(sentence):
        out.append(Time(m.start(), m.end(), m.group(), None, None, None, True, False))
    return sorted(out, key=lambda t: t.start)


def _depths(sentence: str) -> list[int]:
    depth, out = 0, []
    for ch in sentence:
        if ch == "（":
            depth += 1
        out.append(depth)
        if ch == "）" and depth > 0:
            depth -= 1
    return out


def _paren_at(sentence: str, depths: list[int], pos: int) -> tuple[int, int] | None:
    """The outermost parenthesis (start, end) enclosing ``pos``, if any."""
    if depths[pos] == 0:
        return None
    start = pos
    while start > 0 and not (sentence[start] == "（" and depths[start] == 1):
        start -= 1
    end = pos
    while end < len(sentence) and not (sentence[end] == "）" and depths[end] == 1):
        end += 1
    return start, min(end + 1, len(sentence))


def _clauses(sentence: str, depths: list[int]) -> list[tuple[int, int]]:
    """Clauses split at '，；：' outside parentheses."""
    out, start = [], 0
    for i, ch in enumerate(sentence):
        if ch in "，；：" and depths[i] == 0:
            out.append((start, i))
            start = i + 1
    out.append((start, len(sentence)))
    return out


def _strip_name(text: str) -> str:
    text = _QUOTES.sub("", text)
    text = _TIME_WORDS.sub("", text)
    text = re.sub(r"（[^）]*）", "", text)
    text = text.strip("，；：、。 ")
    for _ in range(3):
        text = _SCOPE_WORDS.sub("", text)
        text = _COMPARATOR_PREFIX.sub("", text)
        text = re.sub(r"(累计|总计|合计|共计|共)$", "", text)
    return text.strip("，；：、。 ")


def derive_name(pre: str, post: str, unit: str) -> tuple[str, str]:
    """(name, core) from the clause's words before and after the figure: ``开展农民工返乡创业培训`` + ``3.3万人`` →
    ``农民工返乡创业培训人数``; ``遴选`` + ``500名`` + ``农村致富带头人`` → ``遴选农村致富带头人数``."""
    pre = _strip_name(pre)
    post = _strip_name(re.sub(r"^(?:及|或)?(?:以上|以下|以内|左右|上下)", "", post))
    post = re.sub(r"^的", "", post)
    post = re.split(r"[，；]", post)[0]
    if post:
        core = _LEAD_WORDS.sub("", pre) if re.fullmatch(r"(?:开展|组织|举办|实施)+", pre or "-") else pre
        core = (core + post).strip()
    else:
        core = _LEAD_WORDS.sub("", pre).strip()
    core = core[:30]
    if not core:
        return "", ""
    if re.search(r"(人数|人次|数量|率|比例|规模|总量|金额|个数|户数)$", core):
        return core, core
    suffix = {"人": "数" if core.endswith("人") else "人数", "人次": "人次", "个": "数量", "家": "数量",
              "元": "金额", "%": ""}[unit]
    return core + suffix, core


@dataclass
class Context:
    base_year: int | None  # the plan's first year
    horizon: int | None  # the latest deadline year of the plan (for yearly rates without a deadline)


def _period_of(time: Time | None, ctx: Context) -> tuple[int | None, int | None, int | None, float, str | None]:
    """(first year, last year, end month, confidence, note) of a figure's time words."""
    base = ctx.base_year
    if time is None:
        if base is None:
            return None, None, None, 0.2, "原文未写年份，方案年度也无法判断：请填写期间。"
        return base, base, None, 0.4, f"原文未写年份，按方案年度 {base} 年。"
    if time.first is None:  # 年底前 / 年内
        return base, base, None, 0.7, f"原文写“{time.text}”，按方案年度 {base} 年。" if base else None
    if time.first != time.last:
        return time.first, time.last, None, 0.9, None
    year = time.last
    if time.deadline and base is not None and base < year:
        return base, year, time.month, 0.75, f"起点为 {base} 年 1 月：方案只写“{time.text}”，未写起点；按方案年度起算。"
    if time.month is not None:
        return year, year, time.month, 0.8, f"起点为 {year} 年 1 月：方案只写“{time.text}”。"
    return year, year, None, 0.95, None


def analyse(sentence: str, offset: int, ctx: Context) -> list[Finding]:
    """Every figure of one sentence that carries a unit (or a 万/亿 scale), as a target or as a deliberate skip."""
    depths = _depths(sentence)
    clauses = _clauses(sentence, depths)
    times = [t for t in find_times(sentence) if not t.date]
    findings: list[Finding] = []

    def clause_of(pos: int) -> tuple[int, int]:
        return next((c for c in clauses if c[0] <= pos <= c[1]), (0, len(sentence)))

    for m in QUANTITY.finditer(sentence):
        unit_text, scale = m.group("unit"), m.group("scale") or m.group("sa") or ""
        if not unit_text and not scale:
            continue
        qs, qe = m.start(), m.end()
        if qs > 0 and sentence[qs - 1] in "第〔[":
            continue
        after = sentence[qe:qe + 12]
        if unit_text == "个" and _NOT_AFTER_GE.match(after):
            if after.startswith("百分点"):
                findings.append(Finding(offset + qs, offset + qe + 3, m.group() + "百分点", skip="relative",
                                        marks=[Mark(offset + qs, offset + qe + 3, "context")]))
            continue
        cs, ce = clause_of(qs)
        paren = _paren_at(sentence, depths, qs)
        scope_start = paren[0] + 1 if paren else cs
        scope_end = paren[1] - 1 if paren else ce
        prefix = sentence[scope_start:qs]
        finding = Finding(offset + qs, offset + qe, m.group())
        findings.append(finding)
        finding.marks.append(Mark(offset + qs, offset + qe, "value"))

        # --- the unit ---------------------------------------------------------------------------------------------
        if unit_text:
            base_unit, confidence, note = UNITS[unit_text]
            if unit_text == "家" and after.startswith("庭"):
                base_unit, confidence, note = "个", 0.5, "原文“家庭…”前的数字按“个”计。"
            finding.unit = Field(base_unit, confidence, note, (scale or "") + unit_text)
        else:
            clause = sentence[cs:ce]
            if _PERSON_NOUNS.match(after) or (_PERSON_NOUNS.search(clause) and not _MONEY_NOUNS.search(clause)):
                finding.unit = Field("人", 0.5, f"原文“{m.group()}”未写单位，按上下文推定为“人”。", scale)
            elif _MONEY_NOUNS.search(clause):
                finding.unit = Field("元", 0.5, f"原文“{m.group()}”未写单位，按上下文推定为“元”。", scale)
            else:
                finding.skip = "no_unit"
                continue

        if finding.unit.note:
            finding.assumptions.append(finding.unit.note)

        # --- deliberate skips: baselines, past figures, relative changes -------------------------------------------
        for b in _BASELINE.finditer(sentence):
            if b.start() <= qs < b.end():
                finding.skip = "baseline"
                finding.marks.append(Mark(offset + b.start(), offset + b.end(), "context"))
        if finding.skip:
            continue
        if finding.unit.value == "%" and _RELATIVE.search(prefix):
            finding.skip = "relative"
            continue
        past = _PAST.search(prefix)
        own_times = [t for t in times if scope_start <= t.start and t.end <= qs]
        if past or (own_times and ctx.base_year and own_times[-1].last and own_times[-1].last < ctx.base_year):
            finding.skip = "past"
            if past:
                finding.marks.append(Mark(offset + scope_start + past.start(), offset + scope_start + past.end(),
                                          "context"))
            else:
                finding.marks.append(Mark(offset + own_times[-1].start, offset + own_times[-1].end, "context"))
            continue

        # --- value, range -----------------------------------------------------------------------------------------
        multiplier = SCALE[scale]
        low = _number(m.group("a")) * (SCALE[m.group("sa")] if m.group("sa") else multiplier)
        finding.value = Field(plain(low), 0.95 if unit_text else 0.6, None, m.group())
        if m.group("b"):
            high = _number(m.group("b")) * multiplier
            finding.high = plain(high)
            finding.value = Field(plain(low), 0.7, "区间取下限。", m.group())

        # --- nesting: （含…） or a 其中 clause -------------------------------------------------------------------------
        nested_text = None
        if paren and _NESTED_CUE.match(sentence[paren[0] + 1:]):
            nested_text = sentence[paren[0]:paren[1]]
        elif _NESTED_CUE.match(sentence[cs:]) and not paren:
            nested_text = sentence[cs:ce]
        if nested_text:
            parents = [i for i, f in enumerate(findings[:-1]) if not f.skip and f.parent is None
                       and f.start - offset < (paren[0] if paren else cs)]
            if parents:
                finding.parent = parents[-1]
                cue = _NESTED_CUE.match(nested_text.lstrip("（")).group()
                at = sentence.find(cue, paren[0] if paren else cs)
                finding.marks.append(Mark(offset + at, offset + at + len(cue), "context"))
        parent = findings[finding.parent] if finding.parent is not None else None

        # --- comparator ---------------------------------------------------------------------------------------------
        suffix = _COMPARATOR_SUFFIX.match(sentence[qe:])
        prefix_word = _COMPARATOR_PREFIX.search(prefix[-8:]) if prefix else None
        if suffix:
            word = suffix.group(1)
            finding.marks.append(Mark(offset + qe, offset + qe + suffix.end(), "comparator"))
        elif prefix_word:
            word = prefix_word.group(1)
            at = qs - len(prefix[-8:]) + prefix_word.start()
            finding.marks.append(Mark(offset + at, offset + at + len(word), "comparator"))
        else:
            word = None
        if word:
            comparator, confidence = COMPARATOR_WORDS[word]
            note = None
            if word in ("稳定在", "保持在"):
                note = f"方案写“{word}…”，未写上下限，按“不少于”理解。"
            elif word in ("超过", "高于", "突破"):
                note = f"原文“{word}”，按“不少于”理解（恰好达到也视为达标）。"
            elif word in ("低于", "少于"):
                note = f"原文“{word}”，按“不超过”理解。"
            finding.comparator = Field(comparator, confidence, note, word)
        elif parent is not None:
            finding.comparator = Field(parent.comparator.value, 0.7, "沿用上级目标的比较方式。", None)
        else:
            clause = sentence[cs:ce].rstrip("。！？")
            finding.comparator = Field("at_least", 0.6, f"方案写“{clause}”，未写比较词，按“不少于”理解。", None)
        if finding.high is not None:
            finding.comparator = Field("at_least", 0.7, None, finding.comparator.evidence)
            finding.assumptions.append(
                f"原文为区间“{m.group()}”：按下限设目标（不少于 {plain(low)}），上限 {plain(_number(m.group('b')) * multiplier)}"
                f" 记录于此。")
        if finding.comparator.value == "around":
            finding.tolerance = AROUND_TOLERANCE
        if finding.comparator.note and finding.high is None:
            finding.assumptions.append(finding.comparator.note)

        # --- period -------------------------------------------------------------------------------------------------
        before = [t for t in times if t.end <= qs and (not paren or t.start > paren[0] or t.end <= paren[0])]
        own = [t for t in before if t.start >= scope_start]
        # A time of an earlier clause carries over, unless it is a past year (that clause was a baseline).
        before = [t for t in before if t in own or not (ctx.base_year and t.last and t.last < ctx.base_year)]
        later = [t for t in times if t.start >= qe and t.end <= scope_end]
        if parent is not None and not own and not later:
            time = None
            finding.periods = list(parent.periods)
            finding.period = Field(parent.period.value, parent.period.confidence, "沿用上级目标的期间。", None)
            finding.yearly = parent.yearly
        else:
            time = own[-1] if own else (later[0] if later else (before[-1] if before else None))
            yearly = YEARLY.search(sentence[scope_start:qs])
            finding.yearly = yearly is not None
            first, last, month, confidence, note = _period_of(time, ctx)
            if time is not None:
                finding.marks.append(Mark(offset + time.start, offset + time.end, "time"))
                if not own:
                    confidence = min(confidence, 0.85)
            if first is None:
                first = last = ctx.base_year or 2000
            if yearly is not None:
                finding.marks.append(Mark(offset + scope_start + yearly.start(), offset + scope_start + yearly.end(),
                                          "time"))
                if time is not None and time.first is not None and time.first != time.last:
                    years = list(range(time.first, time.last + 1))
                elif time is not None and time.deadline and ctx.base_year and time.last and time.last > ctx.base_year:
                    years = list(range(ctx.base_year, time.last + 1))
                elif ctx.horizon and ctx.horizon > first:
                    years = list(range(first, ctx.horizon + 1))
                else:
                    years = [first]
                finding.periods = [(f"{y:04d}-01", f"{y:04d}-12") for y in years]
                span = f"{years[0]}—{years[-1]}" if len(years) > 1 else f"{years[0]}"
                note = f"原文为年度指标（“{yearly.group()}…”）：按年拆分，{span} 年每年一项年度目标。"
                confidence = min(confidence, 0.8)
            else:
                finding.periods = [(f"{first:04d}-01", f"{last:04d}-{month or 12:02d}")]
            if note:
                finding.assumptions.append(note)
            finding.period = Field(finding.periods[0], confidence, note, time.text if time else None)

        # --- kind ---------------------------------------------------------------------------------------------------
        clause_text = sentence[scope_start:scope_end]
        multi_year = finding.periods[0][0][:4] != finding.periods[0][1][:4]
        cue: tuple[int, int] | None = None  # the words the kind was read from, in sentence positions
        cumulative = re.search(r"累计", sentence[cs:qs])
        steady = re.search(r"稳定在|保持在|控制在", prefix)
        if parent is not None and not (cumulative or steady):
            kind, confidence, note = parent.kind.value, 0.75, "沿用上级目标的类型。"
        elif finding.yearly:
            kind, confidence, note = "flow", 0.85, None
        elif cumulative:
            kind, confidence, note = "cumulative", 0.9, None
            cue = (cs + cumulative.start(), cs + cumulative.end())
        elif steady:
            kind, confidence, note = "level", 0.9, None
            cue = (scope_start + steady.start(), scope_start + steady.end())
        elif finding.unit.value == "%":
            kind, confidence, note = "level", 0.85, "比例按时点水平统计。"
        elif _FLOW.search(sentence[scope_start:qs] + sentence[qe:scope_end]):
            kind, confidence, note = "flow", 0.8, None
        elif stock := _STOCK.search(clause_text):
            kind, confidence, note = "level", 0.7, f"“{stock.group()}”按月末存量统计。"
        else:
            kind, confidence, note = "flow", 0.5, "原文看不出是存量还是流量，按年度流量起草。"
        if cue is not None:
            finding.marks.append(Mark(offset + cue[0], offset + cue[1], "kind"))
        if kind == "flow" and multi_year:
            kind, confidence = "cumulative", min(confidence, 0.6)
            note = "期限跨年且未写“每年”：按期间累计理解。"
            finding.assumptions.append(note)
        if kind == "cumulative" and not multi_year:
            kind, note = "flow", "“累计”限于一年之内，即年度流量。"
        finding.kind = Field(kind, confidence, note, sentence[cue[0]:cue[1]] if cue else None)

        # --- name ---------------------------------------------------------------------------------------------------
        pre = sentence[scope_start:qs]
        post = sentence[qe:scope_end]
        name, core = derive_name(pre, post, finding.unit.value)
        if parent is not None:
            name = f"{parent.name.value}（其中：{core or '部分'}）"
            finding.assumptions.append(
                f"为上级目标“{parent.name.value}”的一部分（原文“{nested_text.strip('（）。')}”）；起草时加了校验规则："
                f"不超过上级目标。")
        finding.name = Field(name or f"{m.group()}", 0.7 if name else 0.2, None if name else "未能从原文得出名称。",
                             None)
        finding.core = core
        if _SCOPE_HINT.search(sentence):
            finding.assumptions.append(
                f"原文限定“{_SCOPE_HINT.search(sentence).group()}”：如只统计部分县，请在 scope 中指定县名单。")
    return findings
