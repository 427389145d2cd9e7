"""Validation rules from the plan YAML, evaluated on one county's figures.

Expressions are arithmetic over target ids, parsed with Python's ``ast`` and evaluated by walking an allow-list of
node types: a plan file can never run code.
"""
from __future__ import annotations

import ast
import operator as op
from collections.abc import Mapping
from functools import lru_cache

from .plan import RuleSide, ValidationRule

_BINARY = {ast.Add: op.add, ast.Sub: op.sub, ast.Mult: op.mul, ast.Div: op.truediv}
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


@lru_cache(maxsize=256)
def _parse(expression: str) -> ast.expr:
    try:
        tree = ast.parse(expression, mode="eval").body
    except SyntaxError as exc:
        raise ValueError(f"表达式无法解析：{expression!r}") from exc
    for node in ast.walk(tree):
        if not isinstance(node, (ast.BinOp, ast.UnaryOp, ast.USub, ast.Name, ast.Load, ast.Constant,
                                 *_BINARY)):
            raise ValueError(f"表达式只能含目标 id、数字和 + - * /：{expression!r}")
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)):
            raise ValueError(f"表达式只能含数字常量：{expression!r}")
    return tree


@lru_cache(maxsize=256)
def names_in(expression: str) -> frozenset[str]:
    return frozenset(n.id for n in ast.walk(_parse(expression)) if isinstance(n, ast.Name))


def _evaluate(node: ast.expr, values: Mapping[str, float]) -> float:
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return values.get(node.id, 0.0)
    if isinstance(node, ast.UnaryOp):
        return -_evaluate(node.operand, values)
    assert isinstance(node, ast.BinOp)
    return _BINARY[type(node.op)](_evaluate(node.left, values), _evaluate(node.right, values))


def side_value(side: RuleSide, values: Mapping[str, float | None]) -> float | None:
    """The side's value, or None when its missing-value strategy says to skip the rule."""
    names = names_in(side.expression)
    present = {n: v for n, v in values.items() if n in names and v is not None}
    missing = names - set(present)
    if missing and side.missing_value_strategy == "skip_if_any_value_missing":
        return None
    if names and len(missing) == len(names) and side.missing_value_strategy == "skip_if_all_values_missing":
        return None
    return _evaluate(_parse(side.expression), present)


def violated(rule: ValidationRule, values: Mapping[str, float | None]) -> tuple[float, float] | None:
    """(left, right) when the rule fails for these figures; None when it holds or is skipped."""
    left, right = side_value(rule.left, values), side_value(rule.right, values)
    if left is None or right is None:
        return None
    return None if _COMPARE[rule.operator](left, right) else (left, right)
