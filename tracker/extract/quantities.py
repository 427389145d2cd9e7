"""Reading the quantities of one sentence: which figures are targets, and each target's value (or its change
against a baseline), unit, comparator, period, kind and name, with a confidence per field and the words each field
was read from; and, for every other figure, why it is not a target.

Works on one normalised sentence (``structure.Sentence``): full-width punctuation, ASCII digits, Simplified text.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace
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
    "个百分点": ("%", 0.95, None),
    "百分点": ("%", 0.9, None),
    "所": ("个", 0.6, "原文单位“所”，按“个”计。"),
    "座": ("个", 0.6, "原文单位“座”，按“个”计。"),
    "处": ("个", 0.6, "原文单位“处”，按“个”计。"),
    "项": ("个", 0.6, "原文单位“项”，按“个”计。"),
    "户": ("家", 0.6, "原文单位“户”，按“家”计。"),
}
POINTS = ("个百分点", "百分点")
_N = r"\d+(?:\.\d+)?"
_UNIT_ALT = "|".join(sorted(UNITS, key=len, reverse=True))
QUANTITY = re.compile(
    rf"(?<![\d.])(?P<a>{_N})(?P<sa>[万亿千])?(?:%?(?P<dash>[-~—–至到])(?P<b>{_N}))?(?P<scale>[万亿千])?"
    rf"(?P<unit>{_UNIT_ALT})?")
#: Measure words a figure may carry that the plan schema has no unit for: such a figure is listed, not drafted.
OTHER_UNITS = re.compile(
    r"^(周年|个月|个工作日|个季度|个小时|个星期|个周|平方公里|平方米|立方米|公顷|公里|千米|千瓦时|千瓦|吨|亩|米|年|天|"
    r"小时|分钟|岁|倍|‰|‱|场|次|届|期|批|条|类|种|件|套|台|辆|张|本|门|支|间|栋|层|床|篇|部|大|轮|片|股|架|艘|"
    r"标准箱|万千瓦|斤|公斤|克|升|美元|亿美元)")
#: Time words. A full date (``2023年7月17日``) with no 到/前/底 is a date, not a deadline.
TIME = re.compile(
    r"(?P<pre>力争到|力争在|截止到|截止|截至|到|至|于|在)?"
    r"(?:(?P<y1>\d{4})年?[-—–~至到](?P<y2>\d{4})年|(?P<y>\d{4})年(?:(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?)?)"
    r"(?P<post>(?:底|末|年底|年末|前|之前|以前|内|起|以来)*)")
BARE_DEADLINE = re.compile(r"(?<![\d年])(年底前|年内|年底|年末前)")
#: The plan's own year without a number: a period of the plan year.
THIS_YEAR = re.compile(r"今年|全年|当年|本年度")
#: The five-year plan periods, as texts name them (“十四五”期间 = 2021—2025; “十三五”以来 looks back).
FIVE_YEAR_PLANS = {"十一五": (2006, 2010), "十二五": (2011, 2015), "十三五": (2016, 2020), "十四五": (2021, 2025),
                   "十五五": (2026, 2030)}
FIVE_YEAR = re.compile(r"[“\"]?(十[一二三四五]五)[”\"]?(期间|时期|以来|末|规划期内|规划期)")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
#: A duration from the plan year: 用三年时间, 三年共开展, 今后五年, 未来三年.
DURATION = re.compile(r"(?<!每)(?P<pre>用|今后|未来)?(?P<n>[一二两三四五六七八九十]|\d{1,2})年(?P<post>时间|共|内|间|累计)?")
#: Words that look back: a figure they govern is a result, not a target. (比上年/较上年 name a baseline instead.)
PAST_TIME = re.compile(r"刚刚过去的|过去的?[一二两三四五六七八九十\d]+年|近[一二两三四五六七八九十\d]+年|近年来|近几年|"
                       r"(?<![比较同与])(?:去年|上年)(?!同期)")
#: Words that state what the plan will do: they end a passage that looked back.
FUTURE_CUE = re.compile(r"到\d{4}|将|要|力争|确保|争取|目标|指标|计划|预期|提出|明确|规划|方案|今后|未来|每年|今年|全年")
_FLOW_VERBS = ("培训|新增|开展|遴选|培育|建设|建成|创建|认定|打造|发放|完成|帮助|吸纳|举办|组织|招聘|输出|培养|扶持|新建"
               "|改造|提供|引进|带动|安置|资助|救助|补贴|招收|招录|参训|鉴定|评选|推荐|新改扩建|改扩建")
YEARLY = re.compile(rf"每年|年均|(?<![\d每年])年(?={_FLOW_VERBS})")
_COMPARATOR_SUFFIX = re.compile(r"^(?:及|或)?(以上|以下|以内|左右|上下)")
_COMPARATOR_PREFIX = re.compile(
    r"(不少于|不低于|不超过|不高于|至少|超过|高于|突破|力争达到|达到|稳定在|保持在|控制在|低于|少于|大约|约|近|(?<!到)达)$")
COMPARATOR_WORDS = {
    "以上": ("at_least", 0.9), "不少于": ("at_least", 0.95), "不低于": ("at_least", 0.95), "至少": ("at_least", 0.95),
    "达到": ("at_least", 0.85), "力争达到": ("at_least", 0.85), "达": ("at_least", 0.8), "超过": ("at_least", 0.8),
    "高于": ("at_least", 0.8), "突破": ("at_least", 0.8), "左右": ("around", 0.9), "上下": ("around", 0.85),
    "约": ("around", 0.8), "大约": ("around", 0.8), "近": ("around", 0.6), "以内": ("at_most", 0.9),
    "以下": ("at_most", 0.85), "不超过": ("at_most", 0.95), "不高于": ("at_most", 0.95), "控制在": ("at_most", 0.8),
    "低于": ("at_most", 0.8), "少于": ("at_most", 0.8), "稳定在": ("at_least", 0.6), "保持在": ("at_least", 0.6),
}
AROUND_TOLERANCE = 0.02
_BASELINE = re.compile(r"(?:在|以)?(?:现有|已有|原有|目前)[^，；。]{0,40}?(?:的)?基础上")
_PAST = re.compile(r"已(?:经)?(?:达到|建成|累计|完成|培训|有|实现|转移|帮助|发放|开展|新增|遴选|超过|突破|覆盖)|现有|目前有|共有")
# --- relative targets: a change against a baseline ---------------------------------------------------------------
_UP = "增长|增加|提高|提升|增"
_DOWN = "下降|降低|减少|压减|降"
_RELATIVE = re.compile(rf"(?P<verb>{_UP}|{_DOWN})(?!到|至|为|率)[^，；]{{0,3}}$")
_RELATIVE_AS = re.compile(r"(?:增速|增长目标|增幅|增长速度)(?:目标)?(?:确定)?(?:为|是|达到|保持在)?[^，；]{0,2}$")
_RELATIVE_AFTER = re.compile(r"^(?:左右)?的(?:增长|增速)")
_STATED_BASE = re.compile(r"(?:比|较)(?:(?P<year>\d{4})年(?:底|末)?|(?P<last>上年|去年|上一年)(?:同期)?)|同比")
_MULTIPLE = re.compile(r"翻(?P<n>一|两|三)番")
#: What a relative change is measured in, from the words of its subject (money first: 人均可支配收入 is 元).
_REL_MONEY = re.compile(r"收入|总值|生产总值|GDP|投资|零售总额|零售额|进出口|出口|进口|财政|预算|增加值|工资|贷款|产值|营业额|"
                        r"营收|消费|税收|资金|经费|利润|经济(?=增长|增速)")
_REL_PERSON_TIMES = re.compile(r"人次")
_REL_PERSONS = re.compile(r"人数|人口|就业|人才|劳动力|学生|职工|农民工|参保|劳动者|毕业生")
_REL_ENTITIES = re.compile(r"企业|市场主体|经营主体|户数|合作社|家庭农场")
_PRICE = re.compile(r"价格|物价|CPI")
_NOT_AFTER_GE = re.compile(r"^(?:月|工作日|季度|小时|星期|周)")
_PERSON_NOUNS = re.compile(r"人|劳动力|农民工|人口|群众|职工|学生|劳动者|毕业生")
_MONEY_NOUNS = re.compile(r"资金|贷款|投资|补贴|奖补|经费|收入|金额|保费|工资")
_STOCK = re.compile(r"转移就业|就业规模|总量|规模|存量|覆盖|参保人数|持证|保有|在校|常住|城镇化率|入学率|入园率|巩固率")
_FLOW = re.compile(_FLOW_VERBS)
_SCOPE_HINT = re.compile(r"重点帮扶(?:地区|县)|脱贫县|试点县|民族地区|欠发达县|革命老区")
_NESTED_CUE = re.compile(r"^(含|其中|包括)")
# --- figures that are not targets --------------------------------------------------------------------------------
#: Verbs that name what the work serves (结合我市…4个千亿级产业集群, 以7大…产业集群…为主战场): a count after them
#: describes the setting, not something to achieve.
_CONTEXT_VERB = re.compile(r"结合|围绕|对接|聚焦|依托|立足|锚定|紧扣|紧盯|面向|服务于|服务|融入|按照|根据|以(?=[^，；]*为)")
#: Counts of the plan's own parts: 经济发展类目标（13个）, 8方面工作, 五大任务 written 5大任务.
_OWN_PARTS = re.compile(r"^(?:个|项|条|大|类)?(?:工作|重点|主要)?(?:方面|任务|措施|目标|指标|板块)")
_OWN_PARTS_BEFORE = re.compile(r"(?:目标|指标|任务|措施|方面|工作)（$")
#: A goal the plan works towards but does not set (为…实现…翻一番打下决定性基础): not one of its targets.
_GROUNDWORK = re.compile(r"为[^。；]*?(?:打下|奠定|夯实)[^。；，]{0,8}基础")
#: Counts of programmes the plan runs (实施10大专项行动): the plan's structure, not a figure to report.
_PROGRAMME = re.compile(r"^(?:个|项|大|类|条)?[^，；。（）]{0,8}?(?:专项行动|行动|工程|战略|体系|专项|产业集群|产业链|计划)")
_COUNT_UNITS = ("个", "项", "所", "座", "处", "家", "户")
_NOT_FIGURE_AFTER = re.compile(r"^(?:月|日|时|点|分|秒|号|部门|个部门|部委|届|次会议|中全会)")

# Words removed when a target's name is made from its clause.
_TIME_WORDS = re.compile(
    r"(?:力争到|力争在|截止到|截止|截至|到|至|于|在)?\d{4}年?(?:[-—–~至到]\d{4}年)?(?:\d{1,2}月)?(?:\d{1,2}日)?"
    r"(?:底|末|年底|年末|前|之前|以前|内|起)*|每年|年均|年底前|年内|当年|全年|今年|(?<![\d每])年(?=" + _FLOW_VERBS + ")"
    r"|[“\"]?十[一二三四五]五[”\"]?(?:期间|时期|末|规划期内|规划期)|(?:用|今后|未来)[一二两三四五六七八九十\d]年(?:时间)?"
    r"|[一二两三四五六七八九十]年共")
_SCOPE_WORDS = re.compile(r"^(全省|全市|全州|全县|全国|全区|各地|各市（州）|各县（市、区）|我省|我市|省内|市内)")
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
class Relative:
    """A change against a baseline: ``增长9%`` (percent 9), ``提高2个百分点`` (points 2), ``翻一番`` (multiple 2),
    ``下降10%`` (percent -10). ``baseline_year``: the year the text names (``比2020年``, ``比上年``), else None."""

    change: str
    amount: float
    baseline_year: int | None = None
    baseline_last: bool = False  # 比上年/同比: the year before each period
    baseline_value: float | None = None
    evidence: str | None = None
    down: bool = False  # 下降/降低/减少


@dataclass
class Finding:
    """A figure of a sentence: a target, or a figure deliberately not taken for one (``skip`` gives the reason)."""

    start: int
    end: int
    text: str
    skip: str | None = None  # see draft.SKIP_REASONS
    note: str | None = None  # for a skip: what exactly (the unit word, the restated target…)
    value: Field | None = None
    high: float | None = None  # upper end of a range
    unit: Field | None = None
    comparator: Field | None = None
    tolerance: float | None = None
    kind: Field | None = None
    periods: list[tuple[str, str]] = field(default_factory=list)
    period: Field | None = None
    yearly: bool = False
    relative: Relative | None = None
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
    past: bool = False  # looks back (以来, 去年, 刚刚过去的…)
    duration: int | None = None  # 用三年时间: years from the plan year
    this_year: bool = False  # 今年, 全年: the plan year


def _number(text: str) -> Decimal:
    return Decimal(text)


def plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def cn_count(text: str) -> int:
    return int(text) if text.isdigit() else _CN_DIGITS[text]


def find_times(sentence: str) -> list[Time]:
    out = []
    for m in TIME.finditer(sentence):
        pre, post = m.group("pre") or "", m.group("post") or ""
        looking_back = "以来" in post or bool(re.search(r"(?:刚刚)?过去的$", sentence[max(0, m.start() - 5):m.start()]))
        if m.group("y1"):
            first, last = int(m.group("y1")), int(m.group("y2"))
            out.append(Time(m.start(), m.end(), m.group(), first, last, None, not looking_back, False, looking_back))
            continue
        year = int(m.group("y"))
        if not 1990 <= year <= 2100:
            continue
        month = int(m.group("m")) if m.group("m") else None
        deadline = not looking_back and (bool(pre in ("到", "至", "截至", "截止", "截止到", "力争到") and pre) or any(
            w in post for w in ("底", "末", "前", "以前")))
        is_date = bool(m.group("d")) and not deadline
        if month is not None and not 1 <= month <= 12:
            continue
        out.append(Time(m.start(), m.end(), m.group(), year, year, month, deadline, is_date, looking_back))
    for m in FIVE_YEAR.finditer(sentence):
        first, last = FIVE_YEAR_PLANS[m.group(1)]
        back = m.group(2) == "以来"
        out.append(Time(m.start(), m.end(), m.group(), last if m.group(2) == "末" else first, last, None, not back,
                        False, back))
    for m in DURATION.finditer(sentence):
        if not (m.group("pre") or m.group("post")) or (m.start() > 0 and sentence[m.start() - 1].isdigit()):
            continue
        if m.group("post") == "内" and not m.group("pre") and sentence[m.end():m.end() + 1] != "，":
            continue
        out.append(Time(m.start(), m.end(), m.group(), None, None, None, True, False,
                        duration=cn_count(m.group("n"))))
    for m in PAST_TIME.finditer(sentence):
        out.append(Time(m.start(), m.end(), m.group(), None, None, None, False, False, True))
    for m in BARE_DEADLINE.finditer(sentence):
        out.append(Time(m.start(), m.end(), m.group(), None, None, None, True, False))
    for m in THIS_YEAR.finditer(sentence):
        out.append(Time(m.start(), m.end(), m.group(), None, None, None, False, False, this_year=True))
    out.sort(key=lambda t: (t.start, -(t.end - t.start)))
    kept: list[Time] = []
    for t in out:  # a time inside another (年内 in 三年内, 2015年 in 刚刚过去的2015年 is kept: it carries the year)
        if kept and t.start < kept[-1].end and t.end <= kept[-1].end:
            if t.first is not None and kept[-1].first is None and kept[-1].past:
                kept[-1] = Time(kept[-1].start, t.end, kept[-1].text, t.first, t.last, None, False, False, True)
            continue
        if kept and t.start < kept[-1].end and kept[-1].past and kept[-1].first is None:
            kept[-1] = Time(kept[-1].start, t.end, sentence[kept[-1].start:t.end], t.first, t.last, None, False,
                            False, True)
            continue
        kept.append(t)
    return kept


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
    if re.search(r"\d", pre):
        pre = re.split(r"[、和]", pre)[-1]  # 完成60万人次职业技能培训、45万人…: the words of the second figure only
    pre = _strip_name(pre)
    post = _strip_name(re.sub(r"^(?:及|或)?(?:以上|以下|以内|左右|上下)", "", post))
    post = re.sub(r"^的", "", post)
    post = re.split(r"[，；、]", post)[0]
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
    horizon: int | None  # the plan's own latest deadline (a far vision, 到2035年, is not one)
    carried: Time | None = None  # a text without headings: the last deadline stated before (for figures with no time)


def is_past(time: Time, ctx: Context) -> bool:
    return time.past or bool(ctx.base_year and time.last and time.last < ctx.base_year)


def _period_of(time: Time | None, ctx: Context) -> tuple[int | None, int | None, int | None, float, str | None]:
    """(first year, last year, end month, confidence, note) of a figure's time words."""
    base = ctx.base_year
    if time is None:
        if base is None:
            if ctx.horizon is not None:
                return ctx.horizon, ctx.horizon, None, 0.3, (
                    f"原文未写年份，也看不出方案年度：按方案期限 {ctx.horizon} 年起草，请核对期间。")
            return None, None, None, 0.1, "原文未写年份，方案年度也无法判断：请填写期间。"
        return base, base, None, 0.4, f"原文未写年份，按方案年度 {base} 年。"
    if time.duration is not None:
        if base is None:
            return None, None, None, 0.2, f"原文写“{time.text}”，方案年度不明：请填写期间。"
        return base, base + time.duration - 1, None, 0.8, (
            f"原文写“{time.text}”：按方案年度 {base} 年起算，至 {base + time.duration - 1} 年。")
    if time.first is None:  # 年底前 / 年内 / 今年
        if base is None:
            return None, None, None, 0.2, f"原文写“{time.text}”，方案年度不明：请填写期间。"
        confidence = 0.9 if time.this_year else 0.7
        return base, base, None, confidence, None if time.this_year else f"原文写“{time.text}”，按方案年度 {base} 年。"
    if time.first != time.last:
        return time.first, time.last, None, 0.9, None
    year = time.last
    if time.deadline and base is not None and base < year:
        return base, year, time.month, 0.75, f"起点为 {base} 年 1 月：方案只写“{time.text}”，未写起点；按方案年度起算。"
    if time.deadline and base is None:
        return year, year, time.month, 0.3, f"方案只写“{time.text}”，方案年度不明：起点按 {year} 年 1 月起草，请核对。"
    if time.month is not None:
        return year, year, time.month, 0.8, f"起点为 {year} 年 1 月：方案只写“{time.text}”。"
    return year, year, None, 0.95, None


def sentence_tense(sentence: str, ctx: Context) -> str | None:
    """``past`` when the sentence opens by looking back (“十三五”以来，…; 刚刚过去的2015年，…; 人民网了解到，“十三五”期间，
    …: a time before the plan year in a clause of its own, before any figure), ``future`` when it names a time of
    the plan or a word of intent (到2025年, 将, 目标, 预期…), else None: it continues the passage before it."""
    depths = _depths(sentence)
    figures = [m.start() for m in QUANTITY.finditer(sentence) if m.group("unit") or m.group("scale")]
    first_figure = figures[0] if figures else len(sentence)
    times = [t for t in find_times(sentence) if not t.date]
    for a, b in _clauses(sentence, depths):
        if a >= first_figure:
            break
        clause_times = [t for t in times if a <= t.start < b]
        if any(is_past(t, ctx) for t in clause_times) and not any(a <= f < b for f in figures):
            return "past"
        if clause_times:
            break
    if any(not is_past(t, ctx) for t in times) or FUTURE_CUE.search(sentence):
        return "future"
    return None

def _clause_index(clauses: list[tuple[int, int]], pos: int) -> int:
    return next((i for i, c in enumerate(clauses) if c[0] <= pos <= c[1]), -1)


def _inside(sentence: str, pos: int, opening: str, closing: str) -> bool:
    return sentence.count(opening, 0, pos) > sentence.count(closing, 0, pos)


def figure_kind(sentence: str, m: re.Match) -> str | None:
    """``unit`` for a number with a unit of the schema (or a 万/亿 scale), ``other`` for a number with some other
    word after it (吨, 年, 大, 周年, “633”…), None for a number that is no figure at all: a year, a date, a time of
    day, a document number (〔2021〕29号), an ordinal (第3), an annex (附件1), a count of departments (9部门), a list
    marker (1.) or part of a code (5G, 7+28+N)."""
    qs, qe = m.start(), m.end()
    if qs > 0 and sentence[qs - 1] in "第〔[-/:":
        return None
    if sentence[max(0, qs - 2):qs] == "附件" or sentence[max(0, qs - 1):qs] in ("图", "表"):
        return None
    if m.group("unit") == "个" and _NOT_AFTER_GE.match(sentence[qe:]):
        return "other"
    if m.group("unit") or m.group("scale") or m.group("sa"):
        return "unit"
    number, nxt = m.group("a"), sentence[qe:qe + 1]
    if re.fullmatch(r"(19|20)\d\d", number) and (nxt == "年" or re.match(r"[-—–~至到]\d{4}", sentence[qe:])):
        return None
    if _NOT_FIGURE_AFTER.match(sentence[qe:]):
        return None
    if not nxt or not ("\u4e00" <= nxt <= "\u9fff" or nxt in "“”‰‱"):
        return None
    return "other"


def _subjects(sentence: str, clauses: list[tuple[int, int]], cs: int, pre: str) -> list[str]:
    """The subjects a ``均`` figure applies to: 城镇居民人均可支配收入和农民人均纯收入均增长10% → both; 其中交通投资，
    生态环保…投资，民间项目投资均增长12% → the clauses without a figure before it, back to 其中."""
    own = pre
    parts = [p for p in re.split(r"[和与及、]", own) if p] if not re.search(r"\d", own) else [own]
    earlier: list[str] = []
    for a, b in reversed([c for c in clauses if c[1] <= cs]):
        text = sentence[a:b]
        if re.search(r"\d", text) or not text:
            break
        earlier.insert(0, re.sub(r"^(其中|包括)", "", text))
        if _NESTED_CUE.match(text):
            break
    return [p for p in earlier + parts if p.strip()]


def _list_names(subject: str, k: int) -> list[str] | None:
    """分别: 城镇和农村居民人均可支配收入 → 城镇居民人均可支配收入, 农村居民人均可支配收入; 城乡… → 城镇…, 农村…"""
    subject = _strip_name(subject)
    if k == 2 and subject.startswith("城乡"):
        head = subject[2:]
        return ["城镇" + head, "农村" + head]
    parts = [p for p in re.split(r"[和与及、]", subject) if p]
    if len(parts) != k:
        return None
    if len(parts[0]) <= 2 and len(parts[-1]) > len(parts[0]) + 2:
        head = parts[-1][len(parts[0]):]
        return [p + head if len(p) <= 2 else p for p in parts]
    return parts


def _relative_unit(subject: str) -> tuple[str | None, str | None]:
    """The unit a change is measured in, read from its subject, and a note."""
    if _REL_MONEY.search(subject):
        return "元", None
    if _REL_PERSON_TIMES.search(subject):
        return "人次", None
    if _REL_PERSONS.search(subject):
        return "人", None
    if _REL_ENTITIES.search(subject):
        return "家", None
    return None, None


def analyse(sentence: str, offset: int, ctx: Context, past: bool = False) -> list[Finding]:
    """Every figure of one sentence, as a target or as a deliberate skip with its reason. ``past``: the passage
    before this sentence looked back (its figures are results), which a sentence without a time or a word of its
    own continues."""
    depths = _depths(sentence)
    clauses = _clauses(sentence, depths)
    times = [t for t in find_times(sentence) if not t.date]
    tense = sentence_tense(sentence, ctx)
    looking_back = tense == "past" or (past and tense is None)
    findings: list[Finding] = []

    def clause_of(pos: int) -> tuple[int, int]:
        return next((c for c in clauses if c[0] <= pos <= c[1]), (0, len(sentence)))

    for m in QUANTITY.finditer(sentence):
        kind_of_figure = figure_kind(sentence, m)
        if kind_of_figure is None:
            continue
        unit_text, scale = m.group("unit"), m.group("scale") or m.group("sa") or ""
        qs, qe = m.start(), m.end()
        if kind_of_figure == "other" and unit_text:
            qe = qs + len(m.group("a"))
            unit_text = None
        after = sentence[qe:qe + 12]
        cs, ce = clause_of(qs)
        paren = _paren_at(sentence, depths, qs)
        scope_start = paren[0] + 1 if paren else cs
        scope_end = paren[1] - 1 if paren else ce
        prefix = sentence[scope_start:qs]
        finding = Finding(offset + qs, offset + qe, sentence[qs:qe])
        findings.append(finding)
        finding.marks.append(Mark(offset + qs, offset + qe, "value"))

        # --- figures that are not targets: names, settings, the plan's own parts, other units ----------------------
        groundwork = next((g for g in _GROUNDWORK.finditer(sentence) if g.start() <= qs < g.end()), None)
        if groundwork:
            finding.skip, finding.note = "context", "“为…打下基础”的远期目标"
            continue
        if _inside(sentence, qs, "“", "”") or _inside(sentence, qs, "《", "》"):
            finding.skip, finding.note = "slogan", "引号或书名号内的数字"
            continue
        word = OTHER_UNITS.match(sentence[qe:])
        count_like = unit_text in _COUNT_UNITS or (kind_of_figure == "other" and (
            not word or word.group(1) in ("条", "大", "类", "项", "批", "种", "个月")))
        if count_like or kind_of_figure == "other":
            number_end = qs + len(m.group("a"))
            if _OWN_PARTS_BEFORE.search(sentence[:qs]) or _OWN_PARTS.match(sentence[number_end:]):
                finding.skip, finding.note = "count", "方案自身条目的计数"
                continue
            context = list(_CONTEXT_VERB.finditer(sentence, cs, qs))
            if context and not _FLOW.search(sentence, context[-1].end(), qs):
                finding.skip, finding.note = "context", f"“{context[-1].group()}…”后的数字"
                finding.marks.append(Mark(offset + context[-1].start(), offset + context[-1].end(), "context"))
                continue
            if _PROGRAMME.match(sentence[number_end:]) and re.search(r"(实施|开展|启动|部署|推进)$", prefix):
                finding.skip, finding.note = "programme", "方案自身的行动、工程的个数"
                continue
        if kind_of_figure == "other":
            if word:
                finding.skip, finding.note = "unit_unsupported", word.group(1)
                finding.end = offset + qe + len(word.group(1))
                finding.text = sentence[qs:qe + len(word.group(1))]
            else:
                finding.skip, finding.note = "no_unit", sentence[qe:qe + 2]
            continue

        # --- the unit ---------------------------------------------------------------------------------------------
        if unit_text:
            base_unit, confidence, note = UNITS[unit_text]
            if unit_text == "家" and after.startswith("庭"):
                base_unit, confidence, note = "个", 0.5, "原文“家庭…”前的数字按“个”计。"
            finding.unit = Field(base_unit, confidence, note, (scale or "") + unit_text)
        else:
            clause = sentence[cs:ce]
            if word:
                finding.skip, finding.note = "unit_unsupported", word.group(1)
                finding.end = offset + qe + len(word.group(1))
                finding.text = sentence[qs:qe + len(word.group(1))]
                continue
            if _PERSON_NOUNS.match(after) or (_PERSON_NOUNS.search(clause) and not _MONEY_NOUNS.search(clause)):
                finding.unit = Field("人", 0.5, f"原文“{m.group()}”未写单位，按上下文推定为“人”。", scale)
            elif _MONEY_NOUNS.search(clause):
                finding.unit = Field("元", 0.5, f"原文“{m.group()}”未写单位，按上下文推定为“元”。", scale)
            else:
                finding.skip, finding.note = "no_unit", sentence[qe:qe + 2]
                continue

        # --- deliberate skips: baselines, past figures ---------------------------------------------------------------
        for b in _BASELINE.finditer(sentence):
            if b.start() <= qs < b.end():
                finding.skip = "baseline"
                finding.marks.append(Mark(offset + b.start(), offset + b.end(), "context"))
        if finding.skip:
            continue
        past_word = _PAST.search(prefix)
        own_times = [t for t in times if scope_start <= t.start and t.end <= qs]
        clause_times = [t for t in times if scope_start <= t.start and t.end <= scope_end]
        if past_word or (own_times and is_past(own_times[-1], ctx)) or (
                looking_back and not any(not is_past(t, ctx) for t in clause_times)):
            finding.skip = "past"
            if past_word:
                finding.marks.append(Mark(offset + scope_start + past_word.start(),
                                          offset + scope_start + past_word.end(), "context"))
            elif own_times:
                finding.marks.append(Mark(offset + own_times[-1].start, offset + own_times[-1].end, "context"))
            continue
        if finding.unit.note:
            finding.assumptions.append(finding.unit.note)

        # --- a change against a baseline (增长9%, 提高2个百分点, 下降10%) --------------------------------------------
        verb = _RELATIVE.search(prefix)
        relative_as = _RELATIVE_AS.search(prefix) or _RELATIVE_AFTER.match(sentence[qe:])
        measured = finding.unit.value
        if unit_text in POINTS and not verb:
            finding.skip, finding.note = "relative", "与其他地区或水平比较的百分点"
            continue
        if finding.unit.value == "%" and (verb or relative_as):
            down = bool(verb and re.fullmatch(_DOWN, verb.group("verb")))
            change = "points" if unit_text in POINTS else "percent"
            subject = prefix[:verb.start()] if verb else prefix
            if change == "percent":
                measured, _ = _relative_unit(subject)
                if measured is None:
                    measured, _ = _relative_unit(sentence[:qs])
                if measured is None:
                    finding.skip, finding.note = "relative", "看不出增长的是什么（金额、人数…）"
                    continue
            base = _STATED_BASE.search(prefix)
            finding.relative = Relative(change, 0.0, baseline_year=int(base.group("year")) if base and
                                        base.group("year") else None,
                                        baseline_last=bool(base and not base.group("year")),
                                        evidence=(verb or relative_as).group())
            finding.relative.down = down
            stated = re.search(r"(?:比|较|由|从)(?:\d{4}年(?:底|末)?|上年|去年)?的?(?P<v>\d+(?:\.\d+)?)(?P<s>[万亿]?)"
                               r"(?P<u>元|人次|人|个|家)", prefix)
            if stated and UNITS.get(stated.group("u"), ("",))[0] == measured:
                finding.relative.baseline_value = plain(_number(stated.group("v")) * SCALE[stated.group("s")])
                for earlier in findings[:-1]:
                    if earlier.start == offset + scope_start + stated.start("v"):
                        earlier.skip, earlier.note = "baseline", "相对目标的基期值"
            finding.marks.append(Mark(offset + scope_start + (verb or relative_as).start(),
                                      offset + scope_start + (verb or relative_as).end(), "kind")
                                 if verb or _RELATIVE_AS.search(prefix) else Mark(offset + qe, offset + qe, "kind"))
            if change == "percent":
                finding.unit = Field(measured, 0.6, f"增长的是“{_strip_name(subject) or '（上文）'}”，按“{measured}”计。",
                                     None)

        # --- value, range -----------------------------------------------------------------------------------------
        multiplier = SCALE[scale]
        low = _number(m.group("a")) * (SCALE[m.group("sa")] if m.group("sa") else multiplier)
        finding.value = Field(plain(low), 0.95 if unit_text else 0.6, None, m.group())
        if m.group("b"):
            high = _number(m.group("b")) * multiplier
            finding.high = plain(high)
            finding.value = Field(plain(low), 0.7, "区间取下限。", m.group())
        if finding.relative is not None:
            amount = float(plain(low))
            finding.relative.amount = -amount if finding.relative.down else amount

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
            word_ = suffix.group(1)
            finding.marks.append(Mark(offset + qe, offset + qe + suffix.end(), "comparator"))
        elif prefix_word:
            word_ = prefix_word.group(1)
            at = qs - len(prefix[-8:]) + prefix_word.start()
            finding.marks.append(Mark(offset + at, offset + at + len(word_), "comparator"))
        else:
            word_ = None
        down = finding.relative is not None and finding.relative.amount < 0
        if word_:
            comparator, confidence = COMPARATOR_WORDS[word_]
            note = None
            if word_ in ("稳定在", "保持在"):
                note = f"方案写“{word_}…”，未写上下限，按“不少于”理解。"
            elif word_ in ("超过", "高于", "突破"):
                note = f"原文“{word_}”，按“不少于”理解（恰好达到也视为达标）。"
            elif word_ in ("低于", "少于"):
                note = f"原文“{word_}”，按“不超过”理解。"
            if down and comparator != "around":  # 下降10%以上: at most 90 % of the baseline
                comparator = "at_most" if comparator == "at_least" else "at_least"
            finding.comparator = Field(comparator, confidence, note, word_)
        elif parent is not None and parent.comparator is not None and finding.relative is None:
            finding.comparator = Field(parent.comparator.value, 0.7, "沿用上级目标的比较方式。", None)
        elif down:
            finding.comparator = Field("at_most", 0.6, f"方案写“{finding.relative.evidence}{m.group()}”，未写比较词，"
                                                        "按“降幅不少于此”（不超过基期的相应比例）理解。", None)
        elif finding.unit.value == "%" and _PRICE.search(sentence[cs:qs]) and re.search(r"上涨|涨幅", prefix):
            finding.comparator = Field("at_most", 0.6, "价格涨幅是上限：方案未写比较词，按“不超过”理解。", None)
        else:
            clause = sentence[cs:ce].rstrip("。！？")
            finding.comparator = Field("at_least", 0.6, f"方案写“{clause}”，未写比较词，按“不少于”理解。", None)
        if finding.high is not None:
            finding.comparator = Field("at_least" if not down else "at_most", 0.7, None, finding.comparator.evidence)
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
        # A time of an earlier clause carries over, unless it looks back (that clause was a baseline).
        before = [t for t in before if t in own or not is_past(t, ctx)]
        later = [t for t in times if t.start >= qe and t.end <= scope_end and not is_past(t, ctx)]
        yearly = YEARLY.search(sentence[scope_start:qs])
        # 年培训2万人次以上，1.7万人取得证书: the rate's next clause, without a time of its own, is a rate too.
        clause_index = clauses.index((cs, ce)) if (cs, ce) in clauses else -1
        carried_yearly = yearly is None and not own and not later and parent is None and finding.unit.value != "%" \
            and any(f.yearly and f.unit.value != "%" and clause_index - _clause_index(clauses, f.start - offset) <= 1
                    for f in findings[:-1] if not f.skip)
        if parent is not None and not own and not later:
            time = None
            finding.periods = list(parent.periods)
            finding.period = Field(parent.period.value, parent.period.confidence, "沿用上级目标的期间。", None)
            finding.yearly = parent.yearly
        else:
            time = own[-1] if own else (later[0] if later else (before[-1] if before else None))
            carried = None
            if time is None and ctx.carried is not None and yearly is None and not carried_yearly:
                time = carried = ctx.carried
            finding.yearly = yearly is not None or carried_yearly
            first, last, month, confidence, note = _period_of(time, ctx)
            if carried is not None:
                confidence = min(confidence, 0.6)
                note = f"本句未写时间：沿用前文“{carried.text}”。" + (f"{note}" if note else "")
            if time is not None and carried is None:
                finding.marks.append(Mark(offset + time.start, offset + time.end, "time"))
                if not own:
                    confidence = min(confidence, 0.85)
            if first is None:
                from datetime import date

                first = last = date.today().year
                confidence, note = 0.1, f"原文和方案都看不出年份：暂按 {first} 年起草，请填写期间（或用 --year 指定方案年度）。"
            if finding.yearly:
                if yearly is not None:
                    finding.marks.append(Mark(offset + scope_start + yearly.start(),
                                              offset + scope_start + yearly.end(), "time"))
                if time is not None and time.first is not None and time.first != time.last:
                    years = list(range(time.first, time.last + 1))
                elif time is not None and time.duration is not None and ctx.base_year:
                    years = list(range(first, last + 1))
                elif time is not None and time.deadline and ctx.base_year and time.last and time.last > ctx.base_year:
                    years = list(range(ctx.base_year, time.last + 1))
                elif ctx.horizon and ctx.horizon > first and (time is None or not time.this_year):
                    years = list(range(first, ctx.horizon + 1))
                else:
                    years = [first]
                finding.periods = [(f"{y:04d}-01", f"{y:04d}-12") for y in years]
                span = f"{years[0]}—{years[-1]}" if len(years) > 1 else f"{years[0]}"
                cue = yearly.group() if yearly else "年…"
                note = f"原文为年度指标（“{cue}…”）：按年拆分，{span} 年每年一项年度目标。"
                if ctx.base_year is None:
                    note += "方案年度不明：只起草了期限那一年，请补全其余年度。"
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
        if finding.relative is not None:
            if finding.relative.change == "points" or multi_year:
                kind, confidence, note = "level", 0.7, "相对目标按期末水平与基期比较。"
            else:
                kind, confidence, note = "flow", 0.7, "相对目标按本年累计与上年同期（基期）比较。"
        elif parent is not None and not (cumulative or steady):
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
        if finding.relative is not None:
            subject = pre[:verb.start()] if verb else re.sub(r"(?:增速|增长目标|增幅|增长速度).*$", "", pre)
            subject = re.sub(r"(?:比|较)(?:\d{4}年(?:底|末)?|上年|去年|上一年)?(?:同期)?(?:的?[\d.]+[万亿]?[元人次个家]*)?"
                             r"|同比|分别|(?<![人平年])均|力争|实际|名义", "", subject)
            core = _LEAD_WORDS.sub("", _strip_name(subject)).strip()[:30] or (
                "经济" if _REL_MONEY.search(sentence[:qs]) else "")
            name = core
        else:
            name, core = derive_name(pre, post, finding.unit.value)
        if parent is not None:
            name = f"{parent.name.value}（其中：{core or '部分'}）"
            finding.assumptions.append(
                f"为上级目标“{parent.name.value}”的一部分（原文“{nested_text.strip('（）。')}”）；起草时加了校验规则："
                f"不超过上级目标。")
        finding.name = Field(name or f"{m.group()}", 0.7 if name else 0.2, None if name else "未能从原文得出名称。",
                             None)
        finding.core = core
        if "人均" in name:
            finding.assumptions.append("人均指标：各地区的数不能相加，全省的数须由统计部门按人口汇总；报送和汇总方式请复核。")
        if _SCOPE_HINT.search(sentence):
            finding.assumptions.append(
                f"原文限定“{_SCOPE_HINT.search(sentence).group()}”：如只统计部分县，请在 scope 中指定县名单。")

    findings += _multiples(sentence, offset, ctx, times, looking_back)
    return _lists(sentence, clauses, findings, offset)


def _multiples(sentence: str, offset: int, ctx: Context, times: list[Time], looking_back: bool) -> list[Finding]:
    """翻一番 / 翻两番 (no Arabic figure): a change by a multiple of the baseline."""
    out = []
    for m in _MULTIPLE.finditer(sentence):
        if looking_back:
            continue
        if any(g.start() <= m.start() < g.end() for g in _GROUNDWORK.finditer(sentence)):
            finding = Finding(offset + m.start(), offset + m.end(), m.group(), skip="context",
                              note="“为…打下基础”的远期目标")
            out.append(finding)
            continue
        n = {"一": 2, "两": 4, "三": 8}[m.group("n")]
        start = sentence.rfind("，", 0, m.start()) + 1
        subject = sentence[start:m.start()] + m.group()[: m.group().find("翻")]
        measured, _ = _relative_unit(subject)
        finding = Finding(offset + m.start(), offset + m.end(), m.group())
        if measured is None:
            finding.skip, finding.note = "relative", "看不出翻番的是什么（金额、人数…）"
            out.append(finding)
            continue
        own = [t for t in times if t.end <= m.start() and not is_past(t, ctx)] or \
              [t for t in times if t.start >= m.end() and not is_past(t, ctx)]
        time = own[-1] if own else None
        first, last, month, confidence, note = _period_of(time, ctx)
        if first is None:
            continue
        base = _STATED_BASE.search(subject)
        finding.relative = Relative("multiple", float(n), baseline_year=int(base.group("year")) if base and
                                    base.group("year") else None, baseline_last=bool(base and not base.group("year")),
                                    evidence=m.group())
        finding.value = Field(n, 0.9, None, m.group())
        finding.unit = Field(measured, 0.6, f"翻番的是“{_strip_name(subject)}”，按“{measured}”计。", None)
        finding.comparator = Field("at_least", 0.6, "方案写“翻…番”，按“不少于”理解。", None)
        finding.periods = [(f"{first:04d}-01", f"{last:04d}-{month or 12:02d}")]
        finding.period = Field(finding.periods[0], confidence, note, time.text if time else None)
        finding.kind = Field("level", 0.6, "相对目标按期末水平与基期比较。", None)
        core = _LEAD_WORDS.sub("", _strip_name(re.sub(r"(?:比|较)\d{4}年.*$", "", subject))).strip()[:30]
        finding.name = Field(core or m.group(), 0.7 if core else 0.2, None, None)
        finding.core = core
        finding.assumptions += [a for a in (finding.comparator.note, note) if a]
        if "人均" in core:
            finding.assumptions.append("人均指标：各地区的数不能相加，全省的数须由统计部门按人口汇总；报送和汇总方式请复核。")
        finding.marks = [Mark(offset + m.start(), offset + m.end(), "value")]
        out.append(finding)
    return out


def _lists(sentence: str, clauses: list[tuple[int, int]], findings: list[Finding], offset: int) -> list[Finding]:
    """Figures that share words: ``A和B分别增长8%和8.5%`` (names, and a comparator written once after the last:
    ``分别增长7%、8%左右``); ``A和B均增长10%`` (one target per subject)."""
    targets = [f for f in findings if not f.skip]
    by_clause: dict[tuple[int, int], list[Finding]] = {}
    for f in targets:
        pos = f.start - offset
        by_clause.setdefault(next((c for c in clauses if c[0] <= pos <= c[1]), (0, len(sentence))), []).append(f)
    for (cs, ce), items in by_clause.items():
        head = sentence[cs:items[0].start - offset]
        if len(items) >= 2 and "分别" in head:
            names = _list_names(head.split("分别")[0], len(items))
            stated = [f for f in items if f.comparator.evidence]
            for i, f in enumerate(items):
                if names:
                    f.name = Field(names[i], 0.7, None, None)
                    f.core = names[i]
                if not f.comparator.evidence and stated and stated[-1] is not f:
                    f.comparator = replace(stated[-1].comparator, note="比较词写在并列的最后一项之后，各项同用。")
                    f.tolerance = stated[-1].tolerance
                    f.assumptions = [a for a in f.assumptions if "未写比较词" not in a]
    out: list[Finding] = []
    remap: dict[int, int] = {}
    for index, f in enumerate(findings):
        remap[index] = len(out)
        out.append(f)
        if f.skip:
            continue
        pos = f.start - offset
        cs = next((c[0] for c in clauses if c[0] <= pos <= c[1]), 0)
        pre = sentence[cs:pos]
        both = re.search(r"(?<![年人平])均(?:" + _UP + "|" + _DOWN + r"|达到|控制在|保持在|不低于|不少于|超过|在)", pre)
        if not both:
            continue
        subjects = _subjects(sentence, clauses, cs, pre[:both.start()])
        if len(subjects) < 2:
            continue
        for i, subject in enumerate(subjects):
            item = f if i == 0 else copy.deepcopy(f)
            name = _strip_name(subject)
            item.name = Field(name, 0.7, None, None)
            item.core = name
            if i:
                item.assumptions.append(f"原文“…均…”：与“{_strip_name(subjects[0])}”等共用同一目标。")
                out.append(item)
    for f in out:
        if f.parent is not None:
            f.parent = remap.get(f.parent, f.parent)
    return out
