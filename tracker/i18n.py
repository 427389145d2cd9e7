"""Interface text in message catalogues (tracker/locales/*.yaml): Simplified Chinese first, English on a switch.

Plan content (target names, task titles) carries its own zh/en in the plan YAML; statuses carry theirs in
targets/progress.yaml. This module holds only the interface's own words.
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

LOCALES = Path(__file__).resolve().parent / "locales"
LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh"


@lru_cache(maxsize=4)
def catalogue(lang: str) -> dict[str, str]:
    return yaml.safe_load((LOCALES / f"{lang}.yaml").read_text(encoding="utf-8"))


def t(key: str, lang: str = DEFAULT_LANGUAGE, **params: object) -> str:
    """The text for ``key`` in ``lang`` (falling back to Chinese), with ``{name}`` placeholders filled."""
    text = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key)
    if text is None:
        raise KeyError(f"no message {key!r}")
    if not params:
        return text
    filled = text.format(**params)
    return _singular(filled) if lang == "en" else filled


#: English messages are written for the plural ("{n} counties"); one of a thing reads in the singular.
_SINGULAR = {"counties": "county", "entries": "entry", "prefectures": "prefecture", "targets": "target",
             "measures": "measure", "months": "month", "departments": "department", "allocations": "allocation",
             "rows": "row", "tasks": "task", "items": "item", "values": "value", "files": "file", "sheets": "sheet",
             "figures": "figure", "cells": "cell", "persons": "person", "returns": "return"}
_ONE_OF = re.compile(r"(?<![\d.,/])\b1 (" + "|".join(_SINGULAR) + r")\b")


def _singular(text: str) -> str:
    """"1 counties" → "1 county" (not "1/183 counties", "21 counties" or "0.1 counties")."""
    return _ONE_OF.sub(lambda m: f"1 {_SINGULAR[m.group(1)]}", text)


_MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def month_label(month: str, lang: str = DEFAULT_LANGUAGE) -> str:
    year, mon = month.split("-")
    if lang == "en":
        return f"{_MONTHS_EN[int(mon) - 1]} {year}"
    return f"{year}年{int(mon)}月"


def day_label(day: date, lang: str = DEFAULT_LANGUAGE) -> str:
    """"2025年12月10日" / "Dec 10, 2025": a day as the page's or the letter's sentence says it."""
    if lang == "en":
        return f"{_MONTHS_EN[day.month - 1]} {day.day}, {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


CHINESE_NUMERALS = "〇一二三四五六七八九十"


def task_label(number: int, title: str, lang: str = DEFAULT_LANGUAGE) -> str:
    if lang == "en":
        return f"Task {number}: {title}"
    return f"（{CHINESE_NUMERALS[number]}）{title}"
