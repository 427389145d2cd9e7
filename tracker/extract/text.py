"""Reading a plan's text and normalising it for the rules, without losing the way back to the original.

The rules read a *normalised* text: Simplified characters, full-width Chinese punctuation, ASCII digits, no pinyin
artefacts, no stray spaces. Citations, however, must quote the *original* verbatim (a plan file's citation is an
exact substring of the stored text), so every normalised character remembers the index of the original character
it came from (``Normalized.origin``) and a span of the normalised text maps back to a span of the original.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SUPPORTED = (".txt", ".docx")

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TONES = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_SYLLABLE = f"[a-zü{_TONES}]*[{_TONES}][a-zü{_TONES}]*"
#: Pinyin a web page printed after a character, ``農(nóng)``; and its garbled form ``?guī)`` where the page mangled
#: the character and the opening parenthesis. Only tone-marked syllables count, so ``(app)`` or ``(含…)`` stay.
PINYIN = re.compile(rf"(?<=[^\s（(])[（(]{_SYLLABLE}[)）]|[?？]{_SYLLABLE}[)）]")
#: ASCII punctuation that web pages put where the plan has full-width marks.
ASCII_PUNCT = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "?": "？", "!": "！"}
_FULL_WIDTH = {**{chr(0xFF10 + i): str(i) for i in range(10)}, "％": "%", "﹪": "%", "．": ".", "～": "~", "－": "-"}
_DROP = re.compile(r"[\ufeff\u200b-\u200d\u2060\ue000-\uf8ff\r]")
_SPACE = re.compile(r"[ \t\u3000\xa0\u2002-\u200a]")


class ExtractError(ValueError):
    """The input cannot be read as a plan text; the message is one line of Chinese for the user."""


@dataclass(frozen=True)
class Normalized:
    raw: str
    text: str
    origin: tuple[int, ...]  # origin[i]: index in ``raw`` of the character ``text[i]`` came from
    traditional: bool  # the text was converted from Traditional characters
    pinyin: int  # pinyin artefacts removed

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The original span that the normalised span [start, end) came from."""
        if end <= start:
            at = self.origin[start] if start < len(self.origin) else len(self.raw)
            return at, at
        return self.origin[start], self.origin[end - 1] + 1

    def raw_slice(self, start: int, end: int) -> str:
        a, b = self.raw_span(start, end)
        return self.raw[a:b]

    def label(self, start: int, end: int) -> str:
        """The normalised span with the original's ASCII punctuation put back: a section label that reads like the
        plan's own heading (``二、重点任务 (一)提高就业质量``) but in Simplified characters without artefacts."""
        out = []
        for i in range(start, end):
            original = self.raw[self.origin[i]]
            out.append(original if original in ASCII_PUNCT else self.text[i])
        return "".join(out).strip()


def is_cjk(ch: str) -> bool:
    return bool(ch) and ("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff")


@lru_cache(maxsize=1)
def _converter():
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified, character for character (the length is kept, so offsets stay valid)."""
    converted = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    convert = _converter().convert
    return "".join(c if len(c := convert(ch)) == 1 else ch for ch in text)


def normalize(raw: str) -> Normalized:
    drop = [False] * len(raw)
    artefacts = 0
    for match in PINYIN.finditer(raw):
        artefacts += 1
        for i in range(match.start(), match.end()):
            drop[i] = True
    for match in _DROP.finditer(raw):
        drop[match.start()] = True
    chars: list[str] = []
    origin: list[int] = []

    def prev_kept(i: int) -> str:
        j = i - 1
        while j >= 0 and (drop[j] or _SPACE.match(raw[j])):
            j -= 1
        return raw[j] if j >= 0 else ""

    def next_kept(i: int) -> str:
        j = i + 1
        while j < len(raw) and (drop[j] or _SPACE.match(raw[j])):
            j += 1
        return raw[j] if j < len(raw) else ""

    for i, ch in enumerate(raw):
        if drop[i]:
            continue
        ch = _FULL_WIDTH.get(ch, ch)
        if _SPACE.match(ch):
            # Spaces inside Chinese text are layout (``四 川 省 教 育 厅``); keep one only between Latin words.
            if chars and chars[-1].isascii() and chars[-1].isalnum() and next_kept(i).isascii() \
                    and next_kept(i).isalnum() and chars[-1] != " ":
                chars.append(" ")
                origin.append(i)
            continue
        if ch == "," and prev_kept(i).isdigit() and re.match(r"\d{3}(?!\d)", raw[i + 1:i + 5]):
            continue  # 1,200 人: a thousands separator
        if ch == "." and not (prev_kept(i).isdigit() and next_kept(i).isdigit()) and (
                is_cjk(prev_kept(i)) or prev_kept(i) in "”）)"):
            ch = "。"  # a full stop a web page turned into ASCII
        ch = ASCII_PUNCT.get(ch, ch)
        chars.append(ch)
        origin.append(i)
    text = "".join(chars)
    simplified = to_simplified(text)
    changed = sum(1 for a, b in zip(text, simplified) if a != b)
    cjk = sum(1 for ch in text if is_cjk(ch)) or 1
    traditional = changed >= 3 or changed / cjk >= 0.01
    return Normalized(raw=raw, text=simplified if traditional else text, origin=tuple(origin),
                      traditional=traditional, pinyin=artefacts)


# --- files -------------------------------------------------------------------------------------------------------


def decode(data: bytes, name: str = "") -> str:
    """Plain text in UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ExtractError(f"无法识别文件 {name} 的文字编码（应为 UTF-8 或 GB18030）")


def docx_text(data: bytes, name: str = "") -> str:
    """The paragraphs and table rows of a .docx in document order, one per line (table cells joined by '，').

    Read in a child process with memory and time limits, after the archive's real sizes are checked
    (loaders/documents.py, loaders/sandbox.py): an uploaded .docx may be a zip bomb."""
    from loaders.sandbox import read_docx_text_limited
    from loaders.workbooks import UnreadableFile

    from ..i18n import t

    try:
        return read_docx_text_limited(data, name)
    except UnreadableFile as exc:
        reason = exc.params.get("detail") if exc.code == "unreadable_file" else t(f"problem.{exc.code}", **exc.params)
        raise ExtractError(f"无法读取 Word 文件 {name}：{reason}") from exc


def read_bytes(data: bytes, name: str) -> str:
    """The text of an uploaded or read file, by its extension: .txt or .docx."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        raise ExtractError(f"不支持的文件类型：{suffix or '（无扩展名）'}（只支持 .txt 和 .docx）")
    text = docx_text(data, name) if suffix == ".docx" else decode(data, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not any(is_cjk(ch) for ch in text):
        raise ExtractError(f"文件 {name} 中没有中文文字，不像方案原文")
    return text


def read_file(path: Path) -> str:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise ExtractError(f"不支持的文件类型：{suffix or '（无扩展名）'}（只支持 .txt 和 .docx）")
    if not path.is_file():
        raise ExtractError(f"找不到文件：{path}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractError(f"无法读取文件 {path}：{exc.strerror}") from exc
    return read_bytes(data, path.name)
