"""What every ``tracker`` command shares: usage errors, the database, and reading months, plans and prefectures
from the command line.

Usage errors (unknown plan, malformed month) exit with status 2 and one line on stderr, never a traceback: the
command is run by office staff and by scripts, and both need a message they can act on.
"""
from __future__ import annotations

import argparse

from tracker.model.periods import parse_month


class UsageError(Exception):
    """A mistake in how the command was called; exit 2."""


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line and exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def open_engine():
    """The database of ``TRACKER_DATABASE_URL`` (SQLite under data/ by default)."""
    from tracker.store.db import get_engine

    return get_engine()


def month(text: str) -> str:
    try:
        return parse_month(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def prefecture_code(text: str | None) -> str | None:
    """A prefecture given as a code or a name (绵阳, 绵阳市, 凉山州) → its code; unknown → usage error."""
    if not text:
        return None
    from loaders.regions import load_divisions
    from tracker.intake.textnorm import norm

    tree = load_divisions()
    if text in tree and tree[text].level == "prefecture":
        return text
    for region in tree.level("prefecture"):
        if norm(text) in {norm(region.name), norm(region.short_name), norm(region.short_name.removesuffix("州"))}:
            return region.code
    raise UsageError(f"未知的市（州）：{text!r}")


def county_code(text: str) -> str:
    """A county given as a code or a name (三台, 三台县) → its code; unknown or ambiguous (市中区) → usage error."""
    from loaders.regions import load_divisions
    from tracker.intake.textnorm import norm

    tree = load_divisions()
    if text in tree and tree[text].level == "county":
        return text
    found = [r.code for r in tree.level("county") if norm(text) in {norm(r.name), norm(r.short_name)}]
    if len(found) == 1:
        return found[0]
    if found:
        raise UsageError(f"县（市、区）名称 {text!r} 不唯一（{'、'.join(found)}），请用区划代码")
    raise UsageError(f"未知的县（市、区）：{text!r}")


def plan_context(plan_id: str):
    """The plan, the divisions and the plan's county scopes."""
    from loaders.plans import get_plan
    from loaders.regions import load_divisions, resolve_scopes

    plan = get_plan(plan_id)
    return plan, load_divisions(), resolve_scopes(plan)
