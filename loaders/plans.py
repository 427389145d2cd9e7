"""Read plan YAML files into validated ``Plan`` objects.

A plan file is edited by hand, so every refusal names the file, the entry (by its id where it has one) and the field,
in Chinese: an administrator must be able to fix the file from the message alone.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from tracker import TARGETS_DIR
from tracker.model.plan import DepartmentRegistry, Plan

DEPARTMENTS_FILE = TARGETS_DIR / "departments.yaml"
#: YAML files in targets/ that are configuration, not plans.
NOT_PLANS = {"departments.yaml", "progress.yaml"}


class PlanFileError(ValueError):
    """A plan file that cannot be used; ``problems`` lists each one as 'file: entry: field: message'."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def _locate(data: object, loc: tuple) -> str:
    """Turn a pydantic location into 'targets[2](id=foo).value' so the reader finds the entry by its id."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int):
            label = f"[{key}]"
            if isinstance(node, list) and 0 <= key < len(node):
                node = node[key]
                if isinstance(node, dict) and "id" in node:
                    label += f"(id={node['id']})"
            else:
                node = None
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts) or "(整个文件)"


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PlanFileError([f"{path.name}: YAML 语法错误：{exc}"]) from exc
    except OSError as exc:
        raise PlanFileError([f"{path.name}: 无法读取：{exc}"]) from exc


def _problems(path: Path, data: object, exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        message = err["msg"].removeprefix("Value error, ")
        ctx = err.get("ctx") or {}
        message = {
            "extra_forbidden": "未知字段（不允许的键）",
            "missing": "缺少必填字段",
            "greater_than": f"须大于 {ctx.get('gt')}",
            "greater_than_equal": f"须不小于 {ctx.get('ge')}",
            "less_than": f"须小于 {ctx.get('lt')}",
            "literal_error": f"取值应为 {ctx.get('expected')} 之一",
            "string_pattern_mismatch": f"格式不符（应匹配 {ctx.get('pattern')}）",
            "string_type": "应为文本",
            "float_parsing": "应为数字",
            "float_type": "应为数字",
            "int_parsing": "应为整数",
            "int_type": "应为整数",
            "string_too_short": "不能为空",
            "string_too_long": f"不能超过 {ctx.get('max_length')} 个字符",
        }.get(err["type"], message)
        if not err["loc"]:
            # Whole-plan checks (duplicate ids, references) report each problem located already, joined by '；'.
            out.extend(f"{path.name}: {part}" for part in message.split("；"))
            continue
        out.append(f"{path.name}: {_locate(data, tuple(err['loc']))}: {message}")
    return out


@lru_cache(maxsize=4)
def load_departments(path: Path = DEPARTMENTS_FILE) -> DepartmentRegistry:
    data = _read_yaml(path)
    try:
        return DepartmentRegistry.model_validate(data)
    except ValidationError as exc:
        raise PlanFileError(_problems(path, data, exc)) from exc


def load_plan(path: Path, departments: DepartmentRegistry | None = None) -> Plan:
    """Validate one plan file; refuse it whole with every problem listed."""
    registry = departments or load_departments()
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise PlanFileError([f"{path.name}: 文件内容应为一个 YAML 映射（plan 对象）"])
    try:
        return Plan.model_validate(data, context={"departments": set(registry.by_id())})
    except ValidationError as exc:
        raise PlanFileError(_problems(path, data, exc)) from exc


def plan_files(directory: Path = TARGETS_DIR) -> list[Path]:
    """Plan files are the YAML files in targets/ other than the department registry."""
    return sorted(p for p in directory.glob("*.yaml") if p.name not in NOT_PLANS)


@lru_cache(maxsize=4)
def load_plans(directory: Path = TARGETS_DIR) -> dict[str, Plan]:
    plans: dict[str, Plan] = {}
    problems: list[str] = []
    for path in plan_files(directory):
        try:
            plan = load_plan(path)
        except PlanFileError as exc:
            problems.extend(exc.problems)
            continue
        if plan.id in plans:
            problems.append(f"{path.name}: id: 方案 id {plan.id!r} 与另一文件重复")
        plans[plan.id] = plan
    if problems:
        raise PlanFileError(problems)
    return plans


def source_text(plan: Plan, directory: Path = TARGETS_DIR) -> str:
    return (directory / plan.source.text).read_text(encoding="utf-8")


class UnknownPlan(LookupError):
    pass


def get_plan(plan_id: str) -> Plan:
    """The plan with this id, or ``UnknownPlan`` naming the ones there are (the CLI prints it as a usage error)."""
    plans = load_plans()
    if plan_id not in plans:
        raise UnknownPlan(f"未知方案 {plan_id!r}，可用：{', '.join(sorted(plans))}")
    return plans[plan_id]
