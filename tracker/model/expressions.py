"""Arithmetic over target ids, as validation rules in a plan YAML write it (``rural_transfer - poverty_transfer``).

Parsed with Python's ``ast`` and evaluated by walking an allow-list of node types, so a plan file can never run
code. The plan schema uses the parser to check that a rule names only the plan's targets; the intake evaluates
rules on a county's figures (tracker/intake/rules.py).
"""
from __future__ import annotations

import ast
import operator as op
from collections.abc import Mapping
from functools import lru_cache

_BINARY = {ast.Add: op.add, ast.Sub: op.sub, ast.Mult: op.mul, ast.Div: op.truediv}


@lru_cache(maxsize=256)
def parse(expression: str) -> ast.expr:
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
    return frozenset(n.id for n in ast.walk(parse(expression)) if isinstance(n, ast.Name))


def evaluate(node: ast.expr, values: Mapping[str, float]) -> float:
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return values.get(node.id, 0.0)
    if isinstance(node, ast.UnaryOp):
        return -evaluate(node.operand, values)
    assert isinstance(node, ast.BinOp)
    return _BINARY[type(node.op)](evaluate(node.left, values), evaluate(node.right, values))
