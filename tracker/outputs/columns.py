"""Typed table columns: a table keeps its figures as numbers and says, per column, what they are.

A page shows them as text in the reader's units (245.55万人, 57.9%: ``shown``); a workbook writes them as numbers
with a number format (``number_format``), so that a column can be summed in Excel. The kinds are attached to the
frame (``frame.attrs["columns"]``), which pandas keeps through copies and Streamlit's cache keeps through pickling.

- ``Quantity``: a figure in a unit, per row (a table of several targets mixes 人 and 人次). In a workbook it is a
  number in the target's reading scale — 万 for Chinese readers when the target is counted in 万 (it is stored
  divided by 10,000, with the format ``0.00"万人"``), thousands or millions for English readers (stored whole, the
  format divides) — and whole persons below that.
- ``Percent``: a share, stored cut to 0.1 % (``units.format_percent``'s rule: never rounded across a threshold) with
  the format ``0.0%``.
- ``Count``: a whole number.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from tracker.model.units import BASE_UNITS, WHOLE_UNITS, format_percent, format_quantity


@dataclass(frozen=True)
class Quantity:
    units: tuple[str, ...]        # per row
    sizes: tuple[float, ...]      # per row: the target's value, which chooses the scale a workbook counts in


@dataclass(frozen=True)
class Percent:
    up: tuple[bool, ...] = ()     # per row: cut upwards (an at-most target); empty: all downwards


@dataclass(frozen=True)
class Count:
    pass


Kind = Quantity | Percent | Count


def typed(frame: pd.DataFrame, kinds: Mapping[str, Kind]) -> pd.DataFrame:
    """``frame`` with its figure columns' kinds attached (columns not named are text)."""
    frame.attrs["columns"] = dict(kinds)
    return frame


def kinds_of(frame: pd.DataFrame) -> dict[str, Kind]:
    return dict(frame.attrs.get("columns", {}))


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def shown(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The table as a page shows it: every figure as text in the reader's units (``—`` when missing)."""
    kinds = kinds_of(frame)
    if not kinds:
        return frame
    out = frame.copy()
    for column, kind in kinds.items():
        if column not in out:
            continue
        values = list(out[column])
        if isinstance(kind, Quantity):
            out[column] = [format_quantity(None if _missing(v) else float(v), unit, lang)
                           for v, unit in zip(values, kind.units)]
        elif isinstance(kind, Percent):
            ups = kind.up or (False,) * len(values)
            out[column] = [format_percent(None if _missing(v) else float(v), up=up) for v, up in zip(values, ups)]
        else:
            out[column] = ["—" if _missing(v) else f"{int(v)}" for v in values]
    out.attrs = {}
    return out


def shown_figure(kind: Kind, row: int, value: float, lang: str = "zh") -> str:
    """One figure as ``shown`` writes it (for a column's width)."""
    if isinstance(kind, Quantity):
        return format_quantity(value, kind.units[row], lang)
    if isinstance(kind, Percent):
        return format_percent(value, up=bool(kind.up[row]) if kind.up else False)
    return f"{int(value)}"


def cut(ratio: float, up: bool = False) -> float:
    """A share cut to 0.1 % as ``format_percent`` cuts it, as a number."""
    return (math.ceil(ratio * 1000 - 1e-6) if up else math.floor(ratio * 1000 + 1e-6)) / 1000


def _scale(size: float, lang: str) -> str:
    if lang == "en":
        return "million" if size >= 1_000_000 else "thousand" if size >= 10_000 else ""
    return "万" if size >= 100_000 else ""


def number_format(kind: Kind, row: int, value: float, lang: str = "zh") -> tuple[float, str]:
    """The number a workbook stores for a figure, and its Excel number format."""
    if isinstance(kind, Percent):
        up = bool(kind.up[row]) if kind.up else False
        return cut(value, up), "0.0%"
    if isinstance(kind, Count):
        return int(round(value)), "0"
    unit, size = kind.units[row], kind.sizes[row]
    whole = unit in WHOLE_UNITS
    if unit == "%":
        return value, '0.0"%"'
    scale = _scale(size, lang)
    if lang == "en":
        name = BASE_UNITS.get(unit, {"en": unit})["en"]
        if scale == "million":
            return value, f'#,##0.00,," million {name}"'
        if scale == "thousand":
            return value, f'#,##0.0," thousand {name}"'
        return (round(value) if whole else value), f'#,##0" {name}"' if whole else f'#,##0.0" {name}"'
    if scale == "万":
        return value / 10_000, f'#,##0.00"万{unit}"'
    return (round(value) if whole else value), f'#,##0"{unit}"' if whole else f'#,##0.0"{unit}"'


def quantity(units: Iterable[str], sizes: Iterable[float]) -> Quantity:
    return Quantity(tuple(units), tuple(float(s) for s in sizes))
