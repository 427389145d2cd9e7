"""The shape of a plan text: preamble, sections ``一、`` and sub-sections ``（一）``, sentences, and the parentheses
that name the responsible departments. Works on the normalised text (``text.Normalized``), so it does not rely on
line breaks: a heading is recognised after a full stop, a closing parenthesis or a line break, in numeral order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .text import Normalized, is_cjk

NUMERALS = "一二三四五六七八九十"
_NUM = f"[{NUMERALS}]{{1,3}}"
#: A heading starts the text or follows one of these.
_BOUNDARY = "\n。；）！？"
_H1 = re.compile(rf"(?<![^{_BOUNDARY}])({_NUM})、")
_H2 = re.compile(rf"（({_NUM})）")
#: Top-level headings plans use; recognised as whole words when line breaks were lost (``一、工作目标适应…``).
KNOWN_H1 = ("工作目标", "主要目标", "总体目标", "目标任务", "发展目标", "重点任务", "主要任务", "工作任务", "重点工作",
            "主要措施", "工作措施", "政策措施", "有关要求", "工作要求", "保障措施", "组织保障", "组织实施",
            "指导思想", "基本原则", "总体要求", "实施步骤", "工作步骤", "进度安排", "实施范围", "适用范围", "附则")
GOAL_SECTION = re.compile(r"目标")
#: Sections that tell the implementing offices how to work, not what the plan does: no measures are drawn from them.
OTHER_SECTION = re.compile(r"要求|保障措施|组织保障|组织实施|指导思想|基本原则|实施步骤|工作步骤|进度安排|范围|附则")
#: Lines of a web page around the text.
WEB_JUNK = re.compile(r"^[-—·•\s]*(分享到|上一篇|下一篇|责任编辑|来源[:：]|打印|关闭|扫一扫|【|相关链接)")
DEPT_PAREN = re.compile(r"（([^（）\n]{2,160}?)）")
DEPT_CUE = re.compile(r"(按职责分工负责|分工负责|负责|牵头|配合|参与|落实)$")


def cn_number(text: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十 → 20, 二十三 → 23."""
    if "十" not in text:
        return NUMERALS.index(text) + 1
    tens, _, units = text.partition("十")
    return (NUMERALS.index(tens) + 1 if tens else 1) * 10 + (NUMERALS.index(units) + 1 if units else 0)


@dataclass(frozen=True)
class Heading:
    level: int  # 1: 一、… 2: （一）…
    number: int
    start: int  # where the heading starts in the normalised text
    label_end: int  # end of the heading's words (before a closing '。')
    end: int  # where the section's own text starts
    title: str


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str  # normalised


@dataclass(frozen=True)
class DeptParen:
    start: int
    end: int
    content: str  # normalised, without the parentheses


@dataclass
class Unit:
    """A stretch of text that can become a task: a sub-section, a section without sub-sections, a section's words
    before its first sub-section, or a paragraph of a text without headings."""

    kind: str  # "h2" | "h1" | "intro" | "paragraph"
    role: str  # "measures" (milestones are drawn) | "goals" | "other" (only targets are drawn)
    start: int
    end: int
    title: str
    section: str  # the citation's section label
    h1: Heading | None = None
    h2: Heading | None = None
    paragraph: int | None = None
    sentences: list[Sentence] = field(default_factory=list)
    departments: list[DeptParen] = field(default_factory=list)


@dataclass
class Structure:
    preamble: tuple[int, int]
    units: list[Unit]
    headings: list[Heading]


def _h1_title(text: str, pos: int) -> tuple[str, int]:
    """The words of a top-level heading starting at ``pos`` and where they end."""
    rest = text[pos:pos + 80]
    for word in KNOWN_H1:
        if rest.startswith(word):
            return word, pos + len(word)
    stops = [i for i in (rest.find("\n"), rest.find("。"), rest.find("（一）")) if i >= 0]
    end = min(stops) if stops else len(rest)
    if end > 25:
        comma = rest.find("，")
        end = comma if 0 <= comma < 25 else 25
    return rest[:end].strip(), pos + end


def _h2_title(text: str, pos: int) -> tuple[str, int]:
    rest = text[pos:pos + 60]
    stops = [i for i in (rest.find("\n"), rest.find("。"), rest.find("：")) if i >= 0]
    end = min(stops) if stops and min(stops) <= 40 else -1
    if end < 0:
        comma = rest.find("，")
        end = comma if 0 <= comma <= 40 else min(20, len(rest))
    return rest[:end].strip(), pos + end


def _skip_stop(text: str, pos: int) -> int:
    return pos + 1 if pos < len(text) and text[pos] in "。：" else pos


def find_headings(text: str) -> list[Heading]:
    """Headings in numeral order: 一、 二、 … and within each, （一） （二） …; anything out of order is text."""
    h1s: list[Heading] = []
    expected = None  # a passage may start at any numeral; after that they must follow in order
    for m in _H1.finditer(text):
        number = cn_number(m.group(1))
        if expected is not None and number != expected:
            continue
        title, label_end = _h1_title(text, m.end())
        if not title:
            continue
        h1s.append(Heading(1, number, m.start(), label_end, _skip_stop(text, label_end), title))
        expected = number + 1
    regions = [(h.end, h1s[i + 1].start if i + 1 < len(h1s) else len(text)) for i, h in enumerate(h1s)] \
        or [(0, len(text))]
    h2s: list[Heading] = []
    for lo, hi in regions:
        expected = None
        for m in _H2.finditer(text, lo, hi):
            number = cn_number(m.group(1))
            before = text[m.start() - 1] if m.start() > 0 else "\n"
            if (expected is not None and number != expected) or (before not in _BOUNDARY and m.start() != lo):
                continue
            title, label_end = _h2_title(text, m.end())
            if not title:
                continue
            h2s.append(Heading(2, number, m.start(), label_end, _skip_stop(text, label_end), title))
            expected = number + 1
    return sorted(h1s + h2s, key=lambda h: h.start)


def _role(title: str) -> str:
    if GOAL_SECTION.search(title):
        return "goals"
    if OTHER_SECTION.search(title):
        return "other"
    return "measures"


def paragraph_title(sentence: str) -> str:
    """A short title for a paragraph of a text without headings, from its first sentence:
    ``在加大…支持力度方面，…`` → ``加大…支持力度``; ``为促进…，…`` → ``促进…``; ``通过…等举措切实维护…。`` → ``切实维护…``."""
    s = sentence.rstrip("。！？")
    for pattern in (r"^在(.{4,30}?)方面", r"^为了?(.{4,30}?)[，,]", r"等举措([^，。]{4,30})$"):
        m = re.search(pattern, re.sub(r"^(同时|此外|另外|近日|今年)[，]?", "", s))
        if m:
            return m.group(1)
    for clause in re.split(r"[，；：]", s):
        clause = re.sub(r"^(同时|此外|另外|近日|今年|目前|其中)", "", clause)
        if len(clause) >= 4 and "印发" not in clause and "《" not in clause:
            return clause[:30]
    return s[:30]


def _sentences(norm: Normalized, start: int, end: int, parens: list[DeptParen]) -> list[Sentence]:
    text = norm.text
    out: list[Sentence] = []
    for m in re.finditer(r"[^。！？\n]*(?:[。！？]|\n|$)", text[start:end]):
        s, e = start + m.start(), start + m.end()
        while s < e and text[s] in " \n":
            s += 1
        while e > s and text[e - 1] == "\n":
            e -= 1
        if e <= s:
            continue
        body = text[s:e]
        # A department parenthesis standing alone (after the paragraph's last full stop) is not a sentence.
        stripped = body
        for p in parens:
            if s <= p.start and p.end <= e:
                stripped = stripped.replace(text[p.start:p.end], "")
        if sum(1 for ch in stripped if is_cjk(ch)) < 2 or WEB_JUNK.match(body):
            continue
        if re.fullmatch(r"（[^（）]{1,12}）", body.strip()):
            continue  # a byline such as （徐梦帆） or （记者 …） at the end of a paragraph
        out.append(Sentence(s, e, body))
    return out


def _dept_parens(text: str, start: int, end: int) -> list[DeptParen]:
    found = []
    for m in DEPT_PAREN.finditer(text, start, end):
        content = m.group(1).strip()
        if DEPT_CUE.search(content) or "按职责" in content:
            found.append(DeptParen(m.start(), m.end(), content))
    return found


def parse(norm: Normalized) -> Structure:
    text = norm.text
    headings = find_headings(text)
    h1s = [h for h in headings if h.level == 1]
    h2s = [h for h in headings if h.level == 2]
    units: list[Unit] = []

    def add(kind, role, start, end, title, section, **kw):
        body = text[start:end]
        if sum(1 for ch in body if is_cjk(ch)) < 2:
            return
        unit = Unit(kind, role, start, end, title, section, **kw)
        unit.departments = _dept_parens(text, start, end)
        unit.sentences = _sentences(norm, start, end, unit.departments)
        if unit.sentences or unit.departments:
            units.append(unit)

    if h1s:
        preamble = (0, h1s[0].start)
        for i, h1 in enumerate(h1s):
            hi = h1s[i + 1].start if i + 1 < len(h1s) else len(text)
            subs = [h for h in h2s if h1.end <= h.start < hi]
            role = _role(h1.title)
            h1_label = norm.label(h1.start, h1.label_end)
            if subs:
                add("intro", "goals" if role == "goals" else "other", h1.end, subs[0].start, h1.title, h1_label,
                    h1=h1)
                for j, h2 in enumerate(subs):
                    end = subs[j + 1].start if j + 1 < len(subs) else hi
                    add("h2", role, h2.end, end, h2.title, f"{h1_label} {norm.label(h2.start, h2.label_end)}",
                        h1=h1, h2=h2)
            else:
                add("h1", role, h1.end, hi, h1.title, h1_label, h1=h1)
    elif h2s:
        preamble = (0, h2s[0].start)
        for j, h2 in enumerate(h2s):
            end = h2s[j + 1].start if j + 1 < len(h2s) else len(text)
            add("h2", "measures", h2.end, end, h2.title, norm.label(h2.start, h2.label_end), h2=h2)
    else:
        # No headings: each paragraph (line) is a unit; short lines without a full stop are titles, not units.
        preamble = (0, 0)
        number = 0
        for m in re.finditer(r"[^\n]+", text):
            line = m.group().strip()
            if not line or ("。" not in line and len(line) <= 40) or WEB_JUNK.match(line):
                continue
            number += 1
            first = re.match(r"[^。！？]*[。！？]?", line).group()
            title = paragraph_title(first)
            add("paragraph", "measures", m.start(), m.end(), title, f"第{number}段 {title}", paragraph=number)
    return Structure(preamble, units, headings)


# --- document facts -----------------------------------------------------------------------------------------------

_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


def issue_date(text: str, preamble: tuple[int, int]) -> str | None:
    """The date the plan was issued: the last full date of the preamble (the covering notice's date line)."""
    lo, hi = preamble
    dates = list(_DATE.finditer(text, lo, hi)) or list(_DATE.finditer(text, 0, min(len(text), 600)))
    for m in reversed(dates):
        year, month, day = (int(g) for g in m.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def base_year(text: str, preamble: tuple[int, int], issued: str | None) -> int | None:
    """The plan's first year: the year it was issued, else the first year the text names (``2022年工作要点``)."""
    if issued:
        return int(issued[:4])
    for m in re.finditer(r"(?<!\d)(\d{4})年", text):
        year = int(m.group(1))
        if 1990 <= year <= 2100:
            return year
    return None


#: A document number, 闽政〔2015〕19号; in parentheses or after a title it cites another document.
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,8}〔(\d{4})〕\d+号")


def plan_year(text: str, preamble: tuple[int, int], issued: str | None, given: int | None = None
              ) -> tuple[int | None, str | None]:
    """The plan's first year and what it was read from, by evidence, strongest first: the issue date; the plan's
    own document number (咸政发〔2023〕8号 near the top, not in parentheses, not after a title); the year the user
    gives (``--year``); the first year the text names that is neither a deadline nor a look back (2024年…工作方案;
    刚刚过去的2015年 and 到2025年 are not it; 2019至2021年 gives 2019); the first year of a five-year plan in a title
    (《“十四五”就业促进规划》 → 2021); the latest document the text cites (根据《…》(豫办〔2021〕29号): issued then
    or later). Never today's date."""
    from .quantities import FIVE_YEAR_PLANS, find_times

    if issued:
        return int(issued[:4]), f"印发日期 {issued}"
    own, cited = [], []
    for m in _DOC_NUMBER.finditer(text):
        before = text[max(0, m.start() - 1):m.start()]
        (own if m.start() < 400 and before not in ("（", "》", "(") else cited).append((int(m.group(1)), m.group()))
    if own:
        return own[0][0], f"文号 {own[0][1]}"
    if given:
        return given, "指定的方案年度"
    for line in re.finditer(r"[^\n。]+", text):
        for t in find_times(line.group()):
            if t.first is not None and not t.past and (not t.deadline or t.first != t.last) and \
                    not re.search(r"十[一二三四五]五", t.text):
                return t.first, f"原文“{t.text}”"
    title = re.search(r"《[^》]*?(十[一二三四五]五)[^》]*》", text)
    if title:
        return FIVE_YEAR_PLANS[title.group(1)][0], f"标题中的“{title.group(1)}”"
    if cited:
        year, number = max(cited)
        return year, f"所依据的文件 {number}（印发不早于该年）"
    return None, None


_TITLE_SUFFIX = r"(方案|意见|办法|通知|要点|计划|规划|措施|细则|纲要)"


def plan_title(text: str, preamble: tuple[int, int]) -> str | None:
    """The plan's own title: a short line of the preamble ending like a title, else the title it says it issued
    (``制定了《…》``, ``《…》印发``), else the first title in book-title marks."""
    lo, hi = preamble
    lines = [m.group().strip() for m in re.finditer(r"[^\n]+", text[lo:hi])]
    for line in reversed(lines):
        if len(line) <= 50 and not re.search(r"[，。：；]", line) and re.search(_TITLE_SUFFIX + "$", line):
            return line.strip("《》")
    m = re.search(r"(?:制定了?|印发了?)《([^》]{4,60})》", text) or re.search(r"《([^》]{4,60})》(?:印发|的通知)", text)
    if m:
        return m.group(1)
    m = re.search(r"《([^》]{4,60})》", text)
    return m.group(1) if m else None
