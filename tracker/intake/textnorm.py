"""Normalising what people type into spreadsheets: full-width characters, stray spaces, bracket styles, numbers.

Officials type headers and figures by hand in Chinese input methods, so ``（人）`` and ``(人)``, ``１２３`` and
``123``, ``1,234 `` and ``1234`` must read the same.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")", "［": "(", "］": ")",
                           "{": "(", "}": ")", "<": "(", ">": ")", "《": "(", "》": ")"})
#: Cells that mean "nothing reported" rather than a number.
EMPTY_MARKS = {"", "-", "--", "—", "——", "－", "/", "\\", "无", "空", "n/a", "na"}


def norm(text: object) -> str:
    """NFKC (full-width → half-width), no white space, one bracket style, ASCII lower case."""
    if text is None:
        return ""
    return _norm(text if isinstance(text, str) else str(text))


@lru_cache(maxsize=65536)
def _norm(text: str) -> str:  # the same county names and headers recur on every sheet
    value = unicodedata.normalize("NFKC", text)
    value = _SPACES.sub("", value).translate(_BRACKETS)
    return value.lower()


class NotANumber(ValueError):
    pass


def parse_number(value: object) -> float | None:
    """A cell as a number; None when it is empty (not reported); NotANumber when it holds something else.

    Accepts numbers stored as text, thousands separators (ASCII or full-width), full-width digits and stray
    spaces. Dates and booleans are not numbers, whatever Excel thinks.
    """
    if value is None:
        return None
    if isinstance(value, bool) or isinstance(value, (date, datetime)):
        raise NotANumber(str(value))
    if isinstance(value, (int, float)):
        return float(value)
    text = unicodedata.normalize("NFKC", str(value))
    text = _SPACES.sub("", text).replace(",", "").replace("，", "")
    if text.lower() in EMPTY_MARKS:
        return None
    try:
        number = float(text)
    except ValueError as exc:
        raise NotANumber(str(value)) from exc
    if number != number or number in (float("inf"), float("-inf")):
        raise NotANumber(str(value))
    return number
