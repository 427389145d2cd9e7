"""Units and how figures are written for Chinese and English readers.

Chinese readers count large numbers in 万 (10^4) and 亿 (10^8); English readers in thousands and millions. Every
figure leaves the core through ``format_quantity`` so the two conventions are defined once.
"""
from __future__ import annotations

import math

#: Units a target may be expressed in. Scaled units (万人) are accepted on input and converted to their base.
BASE_UNITS: dict[str, dict[str, str]] = {
    "人": {"en": "persons", "en_one": "person"},
    "人次": {"en": "person-times", "en_one": "person-time"},
    "个": {"en": "units", "en_one": "unit"},
    "家": {"en": "entities", "en_one": "entity"},
    "元": {"en": "yuan", "en_one": "yuan"},
    "%": {"en": "%", "en_one": "%"},
}

#: Units that count whole things: an expected-by-now is rounded up to a whole one (9316.7人 is nobody; 9317 must
#: be reached), and a workbook writes them without decimals.
WHOLE_UNITS = ("人", "人次", "个", "家")

#: Scale prefixes found in headers and ``单位：`` lines.
SCALES: dict[str, int] = {"": 1, "万": 10_000, "亿": 100_000_000}


def split_unit(text: str) -> tuple[int, str]:
    """Split ``万人次`` into (10000, ``人次``); raise ValueError for a unit the project does not know."""
    text = text.strip()
    for prefix in ("亿", "万", ""):
        if text.startswith(prefix) and text[len(prefix):] in BASE_UNITS:
            return SCALES[prefix], text[len(prefix):]
    raise ValueError(f"未知的计量单位：{text!r}")


def _trim(number: float, digits: int, grouping: bool = True) -> str:
    text = f"{number:,.{digits}f}" if grouping else f"{number:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_quantity(value: float | None, unit: str, lang: str = "zh", digits: int = 2) -> str:
    """Write a figure the way its reader counts: 2,512.34万人 or 25.12 million persons; ``—`` when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "%":
        return f"{_trim(value, 1)}%"
    magnitude = abs(value)
    if lang == "zh":
        # Chinese official writing groups by 万 and 亿, not by thousands: 2474.85万人, 1899人次.
        if magnitude >= 100_000_000:
            return f"{_trim(value / 100_000_000, digits, False)}亿{unit}"
        if magnitude >= 10_000:
            return f"{_trim(value / 10_000, digits, False)}万{unit}"
        return f"{_trim(value, 0 if float(value).is_integer() else 1, False)}{unit}"
    names = BASE_UNITS.get(unit, {"en": unit, "en_one": unit})
    word = names["en_one"] if magnitude == 1 else names["en"]
    if magnitude >= 1_000_000:
        return f"{_trim(value / 1_000_000, digits)} million {names['en']}"
    if magnitude >= 10_000:
        return f"{_trim(value / 1_000, 1)} thousand {names['en']}"
    return f"{_trim(value, 0 if float(value).is_integer() else 1)} {word}"


def format_percent(ratio: float | None, digits: int = 1, up: bool = False) -> str:
    """A share as a percentage, cut (not rounded) to ``digits`` decimals: 99.96 % reads 99.9 %, never a 100.0 %
    that would contradict "not yet met", and 94.96 % of the expected pace reads 94.9 %, below the 95 % at which a
    target is 正常. Every threshold the tracker judges against sits on that grid, so a percentage and its status
    always agree. ``up`` cuts the other way, for an at-most target (100.04 % of a cap reads 100.1 %, over it)."""
    if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
        return "—"
    scale = 10 ** (digits + 2)
    # the tiny nudge keeps 0.95, which binary floating point holds as 0.94999…, at 95.0 %
    cut = math.ceil(ratio * scale - 1e-6) if up else math.floor(ratio * scale + 1e-6)
    return f"{cut / 10 ** digits:.{digits}f}%"


def axis_scale(magnitude: float, unit: str, lang: str = "zh") -> tuple[float, str]:
    """Divisor and unit label for a chart axis whose values reach ``magnitude``: 万人 for Chinese, millions or
    thousands for English, so that axis ticks read like the cards."""
    names = BASE_UNITS.get(unit, {"en": unit})
    if lang == "zh":
        if magnitude >= 100_000:
            return 10_000, f"万{unit}"
        return 1, unit
    if magnitude >= 1_000_000:
        return 1_000_000, f"million {names['en']}"
    if magnitude >= 10_000:
        return 1_000, f"thousand {names['en']}"
    return 1, names["en"]
