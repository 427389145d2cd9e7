"""Problems found in an uploaded return, as values: collected, never raised one at a time.

Each problem has a stable code (for scripts and tests), a severity, and a location a prefecture official can act on:
the sheet, the cell in A1 notation, the county and the target. Its message comes from the catalogue
(``problem.<code>`` in tracker/locales), in Chinese by default, so the page and the CLI say the same thing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from tracker.i18n import t

Severity = Literal["error", "warning"]

#: Every code the intake can report, with its severity. Rules from plan YAML add their own via ``rule_violation``.
CODES: dict[str, Severity] = {
    "unreadable_file": "error",
    "unsupported_format": "error",
    "file_too_large": "error",
    "archive_bomb": "error",
    "sheet_too_large": "error",
    "too_many_cells": "error",
    "too_many_sheets": "error",
    "too_much_text": "error",
    "too_slow": "error",
    "too_much_memory": "error",
    "reader_busy": "error",
    "no_table": "error",
    "no_target_column": "error",
    "no_county_column": "error",
    "duplicate_target_column": "error",
    "unit_mismatch": "error",
    "wrong_figure_kind": "error",
    "wrong_plan": "error",
    "period_missing": "error",
    "period_conflict": "error",
    "future_period": "error",
    "prefecture_missing": "error",
    "prefecture_conflict": "error",
    "duplicate_sheet_period": "error",
    "not_your_prefecture": "error",
    "month_locked": "error",
    "cell_locked": "error",
    "plan_closed": "error",
    "unknown_county": "error",
    "other_prefecture_county": "error",
    "county_code_mismatch": "error",
    "county_name_mismatch": "warning",
    "duplicate_county": "error",
    "not_a_number": "error",
    "negative_value": "error",
    "fraction_persons": "error",
    "formula_no_cache": "error",
    "total_mismatch": "error",
    "ytd_decreased": "error",
    "rule_violation": "error",
    "rule_warning": "warning",
    "implausible_jump": "warning",
    "level_drop": "warning",
    "pair_mismatch": "warning",
    "missing_counties": "warning",
    "out_of_scope_value": "warning",
}


@dataclass(frozen=True)
class Problem:
    code: str
    sheet: str | None = None
    cell: str | None = None
    county: str | None = None
    target: str | None = None
    params: dict = field(default_factory=dict, compare=False, hash=False)
    severity: Severity | None = None

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown problem code {self.code!r}")
        if self.severity is None:
            object.__setattr__(self, "severity", CODES[self.code])

    def message(self, lang: str = "zh") -> str:
        params = dict(self.params)
        for name in ("target_name", "rule", "date", "reason"):  # in the reader's language, where there is one
            english = params.pop(f"{name}_en", None)
            if lang == "en" and english:
                params[name] = english
        return t(f"problem.{self.code}", lang, **params)

    def location(self, lang: str = "zh") -> str:
        """``工作表“数据” D7`` — where to look, in the reader's language."""
        parts = []
        if self.sheet:
            parts.append(t("where.sheet", lang, sheet=self.sheet))
        if self.cell:
            parts.append(self.cell)
        return " ".join(parts)

    def as_dict(self, lang: str = "zh") -> dict:
        return {"severity": self.severity, "code": self.code, "sheet": self.sheet, "cell": self.cell,
                "county": self.county, "target": self.target, "message": self.message(lang)}


def closed_problem(closure) -> Problem:
    """The refusal of a file for a closed plan (a ``tracker.store.closures.Closure``), in the reader's language."""
    return Problem("plan_closed", params={"plan": closure.title, "date": closure.date_text("zh"),
                                          "date_en": closure.date_text("en"), "reason": closure.why("zh"),
                                          "reason_en": closure.why("en")})


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def warnings(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "warning"]


@lru_cache(maxsize=1024)
def column_letters(column: int) -> str:
    """Zero-based column index as Excel letters: 0 → A, 26 → AA."""
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def a1(row: int, column: int) -> str:
    """Zero-based (row, column) as an Excel reference: (6, 3) → D7."""
    return f"{column_letters(column)}{row + 1}"
