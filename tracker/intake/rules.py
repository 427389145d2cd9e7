"""Validation rules from the plan YAML, evaluated on one county's figures.

The expressions themselves are parsed and evaluated by tracker/model/expressions.py (an allow-list of node
types: a plan file can never run code).
"""
from __future__ import annotations

import operator as op
from collections.abc import Mapping

from tracker.model.expressions import evaluate, names_in, parse
from tracker.model.plan import RuleSide, ValidationRule

_COMPARE = {
    "equal_to": lambda a, b: abs(a - b) < 1e-9,
    "not_equal_to": lambda a, b: abs(a - b) >= 1e-9,
    "greater_than": op.gt,
    "greater_than_or_equal_to": op.ge,
    "less_than": op.lt,
    "less_than_or_equal_to": op.le,
}
SYMBOL = {"equal_to": "=", "not_equal_to": "≠", "greater_than": ">", "greater_than_or_equal_to": "≥",
          "less_than": "<", "less_than_or_equal_to": "≤"}


def side_value(side: RuleSide, values: Mapping[str, float | None]) -> float | None:
    """The side's value, or None when its missing-value strategy says to skip the rule."""
    names = names_in(side.expression)
    present = {n: v for n, v in values.items() if n in names and v is not None}
    missing = names - set(present)
    if missing and side.missing_value_strategy == "skip_if_any_value_missing":
        return None
    if names and len(missing) == len(names) and side.missing_value_strategy == "skip_if_all_values_missing":
        return None
    return evaluate(parse(side.expression), present)


def violated(rule: ValidationRule, values: Mapping[str, float | None]) -> tuple[float, float] | None:
    """(left, right) when the rule fails for these figures; None when it holds or is skipped."""
    left, right = side_value(rule.left, values), side_value(rule.right, values)
    if left is None or right is None:
        return None
    return None if _COMPARE[rule.operator](left, right) else (left, right)
