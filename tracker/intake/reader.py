"""Reading a county return: from the cells of a workbook to figures per county, target and month, with problems.

The reader accepts what a careful official produces by hand — title and note rows above the table, one or two
header rows with merged cells, ``本月 | 本年累计`` pairs, units in headers or a ``单位：`` line, 合计 rows, footers
with 填表人 and dates, numbers typed as text — and refuses what is wrong with a problem that names the sheet, the
cell, the county and the target. It never guesses: an empty cell is "not reported", never zero.

Pure functions: the database is consulted by the caller (``submissions``), which passes the county's history to
``check_history``.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from loaders.workbooks import Sheet, Workbook
from tracker.intake.problems import Problem, a1
from tracker.intake.rules import SYMBOL, names_in, violated
from tracker.intake.textnorm import NotANumber, norm, parse_number
from tracker.model.periods import add_months, is_month, month_index, year_of
from tracker.model.plan import Plan, Target
from tracker.model.regions import Region, RegionTree
from tracker.model.status import HistoryChecks
from tracker.model.units import format_quantity, split_unit

TEMPLATE_VERSION = "1"
_HEADER_SCAN_ROWS = 40
_TOTAL_WORDS = ("合计", "总计", "全市", "全州", "全省", "总数")
_SUBTOTAL_WORDS = ("小计",)
_FOOTER_WORDS = ("填表人", "填报人", "审核人", "制表人", "负责人", "联系电话", "联系人", "填报日期", "报送日期", "制表日期",
                 "备注", "注:", "说明:", "单位负责人", "统计负责人")
_MONTHLY_WORDS = ("本月", "当月")
_YTD_WORDS = ("本年累计", "累计", "年初至今", "本年")
_LEVEL_WORDS = ("月末", "期末", "时点")
_COUNTY_SUFFIXES = ("自治县", "县", "市", "区")
_PERIOD_RE = re.compile(r"(\d{4})\s*年\s*(?:\d{1,2}\s*[-—~至到]\s*)?(\d{1,2})\s*月")
_ISO_PERIOD_RE = re.compile(r"(?<!\d)(\d{4})[-./](\d{1,2})(?![\d.])")
_SHEET_MONTH_RE = re.compile(r"^(?:(\d{4})年?)?(\d{1,2})月")
_DATE_RE = re.compile(r"^\d{4}(?:年\d{1,2}月(?:\d{1,2}日)?|[-./]\d{1,2}(?:[-./]\d{1,2})?)$")
_UNIT_LINE_RE = re.compile(r"单位[:：]\s*([万亿]?人次?|[万亿]?[个家元])")


# --------------------------------------------------------------------------------------------- lookups

def _name_keys(region: Region) -> set[str]:
    keys = {norm(region.name), norm(region.short_name), region.code}
    for suffix in _COUNTY_SUFFIXES:
        if region.name.endswith(suffix) and len(region.name) > len(suffix) + 1:
            keys.add(norm(region.name[: -len(suffix)]))
    return keys


@dataclass(frozen=True)
class Lookups:
    """Target and region lookups for one plan, built once per import."""

    plan: Plan
    tree: RegionTree
    targets: dict[str, Target]
    counties: dict[str, list[Region]]
    prefectures: dict[str, Region]

    @classmethod
    def build(cls, plan: Plan, tree: RegionTree, row_levels: tuple[str, ...] = ("county",)) -> "Lookups":
        """``row_levels``: which regions a table row may name (counties for returns; prefectures too for
        allocations)."""
        targets: dict[str, Target] = {}
        for target in plan.targets:
            for key in (target.id, target.name.zh, *target.aliases):
                targets[norm(key)] = target
        counties: dict[str, list[Region]] = defaultdict(list)
        for county in (r for level in row_levels for r in tree.level(level)):  # type: ignore[arg-type]
            for key in _name_keys(county):
                counties[key].append(county)
        prefectures: dict[str, Region] = {}
        for prefecture in tree.level("prefecture"):
            for key in _name_keys(prefecture) | {norm(prefecture.short_name.removesuffix("州"))}:
                prefectures[key] = prefecture
        return cls(plan, tree, targets, dict(counties), prefectures)

    def prefecture(self, text: str | None) -> Region | None:
        if not text:
            return None
        return self.prefectures.get(norm(text))


# --------------------------------------------------------------------------------------------- results

@dataclass(frozen=True)
class Figure:
    """One county's figure for one target and month, as read from one cell (already in the target's unit)."""

    target: str
    county: str
    period: str
    value: float
    sheet: str
    cell: str
    county_name: str = ""
    monthly: float | None = None  # the 本月 figure beside a year-to-date one, when the sheet gives both
    monthly_cell: str | None = None


@dataclass
class Return:
    """The figures one sheet reports for one prefecture and month."""

    sheet: str
    period: str
    prefecture: str
    figures: list[Figure] = field(default_factory=list)
    counties_seen: set[str] = field(default_factory=set)


@dataclass
class Intake:
    file_name: str
    returns: list[Return]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    @property
    def figures(self) -> list[Figure]:
        return [f for r in self.returns for f in r.figures]


# --------------------------------------------------------------------------------------------- headers

@dataclass(frozen=True)
class Column:
    index: int
    target: Target
    kind: str | None  # "monthly" | "ytd" | "level" | None (as the target reports)
    scale: int
    header_cell: str


@dataclass
class Table:
    sheet: Sheet
    header_row: int
    last_header_row: int
    columns: dict[str, Column]  # target id → the column read
    partners: dict[str, Column]  # target id → the 本月 column beside a year-to-date one
    code_column: int | None
    name_column: int | None
    scale: int
    problems: list[Problem]


def _filled(sheet: Sheet, rows: Iterable[int]) -> dict[tuple[int, int], object]:
    """Header cells with merged ranges filled from their top-left cell, so a merged heading labels each column."""
    wanted = set(rows)
    cells: dict[tuple[int, int], object] = {}
    for r in wanted:
        if r < len(sheet.rows):
            for c, value in enumerate(sheet.rows[r]):
                if value is not None:
                    cells[(r, c)] = value
    for r0, c0, r1, c1 in sheet.merged:
        value = sheet.cell(r0, c0)
        for r in range(r0, r1 + 1):
            if r in wanted:
                for c in range(c0, c1 + 1):
                    cells.setdefault((r, c), value)
    return cells


def _kind_of(text: str) -> str | None:
    if any(w in text for w in _MONTHLY_WORDS):
        return "monthly"
    if any(w in text for w in _YTD_WORDS):
        return "ytd"
    if any(w in text for w in _LEVEL_WORDS):
        return "level"
    return None


def _split_header(text: str) -> tuple[str, str | None, str | None]:
    """``劳务品牌培训人数(万人)(本年累计)`` → (name, unit text, figure kind). Text is already normalised."""
    unit = kind = None
    name = text
    for inner in re.findall(r"\(([^()]*)\)", text):
        try:
            split_unit(inner.removeprefix("单位:"))
            unit = inner.removeprefix("单位:")
        except ValueError:
            kind = _kind_of(inner) or kind
    name = re.sub(r"\([^()]*\)", "", name)
    if "/" in name:  # 劳务品牌培训人数/万人
        head, _, tail = name.rpartition("/")
        try:
            split_unit(tail)
            name, unit = head, tail
        except ValueError:
            pass
    return name, unit, kind


def _unit_of(text: str) -> str | None:
    """The unit a second header row states for its column: ``人``, ``(万人)``, ``单位:万人``, ``本年累计(万人)``."""
    unit = _split_header(text)[1]
    if unit is None:
        bare = text.strip("()").removeprefix("单位:")
        try:
            split_unit(bare)
            unit = bare
        except ValueError:
            pass
    return unit


def _match_target(text: str, lookups: Lookups) -> tuple[Target | None, str | None, str | None]:
    name, unit, kind = _split_header(norm(text))
    target = lookups.targets.get(name)
    if target is None:
        for suffix in ("本年累计", "累计", "本月", "当月", "月末数", "期末数"):
            if name.endswith(suffix) and lookups.targets.get(name[: -len(suffix)]):
                target, kind = lookups.targets[name[: -len(suffix)]], _kind_of(suffix)
                break
    return target, unit, kind


def _county_at(value: object, lookups: Lookups) -> list[Region]:
    if value is None:
        return []
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return lookups.counties.get(norm(value), [])


def _find_table(sheet: Sheet, lookups: Lookups) -> Table | None:
    """Locate the header row (the row naming the most targets) and the county column below it."""
    best_row, best_hits = None, 0
    scan = range(min(_HEADER_SCAN_ROWS, len(sheet.rows)))
    filled = _filled(sheet, scan)
    for r in scan:
        hits = sum(1 for (row, _), v in filled.items() if row == r and _match_target(str(v), lookups)[0])
        if hits > best_hits:
            best_row, best_hits = r, hits
    if best_row is None:
        return None
    header = best_row
    below = _filled(sheet, [header + 1])
    sub_kinds = {c: _kind_of(norm(v)) for (_, c), v in below.items()}
    sub_units = {c: unit for (_, c), v in below.items() if (unit := _unit_of(norm(v)))}  # a row of units: 人 | 万人
    has_sub_header = (any(k for k in sub_kinds.values()) or bool(sub_units)) and not any(
        _county_at(v, lookups) for (_, _), v in below.items())
    last_header = header + 1 if has_sub_header else header
    header_cells = {c: v for (r, c), v in filled.items() if r == header}

    problems: list[Problem] = []
    candidates: dict[str, list[Column]] = defaultdict(list)
    for c, value in sorted(header_cells.items()):
        target, unit_text, kind = _match_target(str(value), lookups)
        if target is None:
            continue
        if has_sub_header and sub_kinds.get(c):
            kind = sub_kinds[c]
        if has_sub_header and not unit_text and sub_units.get(c):
            unit_text = sub_units[c]
        scale = 0  # 0: not stated in the header
        if unit_text:
            scale, base = split_unit(unit_text)
            if base != target.unit:
                problems.append(Problem("unit_mismatch", sheet.name, a1(header, c), target=target.id,
                                        params={"unit": unit_text, "expected": target.unit,
                                                **_names(target)}))
        candidates[target.id].append(Column(c, target, kind, scale, a1(header, c)))

    columns: dict[str, Column] = {}
    partners: dict[str, Column] = {}
    wanted_kind = {"month_end": "level", "ytd": "ytd", "monthly": "monthly"}
    for target_id, found in candidates.items():
        target = found[0].target
        wanted = wanted_kind[target.reporting]
        acceptable = [col for col in found if col.kind in (None, wanted)
                      or (wanted == "level" and col.kind == "monthly")]
        explicit = [col for col in acceptable if col.kind == wanted]
        chosen = explicit or acceptable
        if not chosen:
            problems.append(Problem("wrong_figure_kind", sheet.name, found[0].header_cell, target=target_id,
                                    params={**_names(target),
                                            "expected": _KIND_WORDS[wanted]}))
            continue
        if len(chosen) > 1:
            problems.append(Problem("duplicate_target_column", sheet.name, chosen[1].header_cell, target=target_id,
                                    params={**_names(target), "first": chosen[0].header_cell}))
            continue
        columns[target_id] = chosen[0]
        monthly = [col for col in found if col.kind == "monthly"]
        if wanted == "ytd" and monthly:
            partners[target_id] = monthly[0]

    value_columns = {col.index for cols in candidates.values() for col in cols}
    code_column, name_column = _county_columns(sheet, last_header + 1, value_columns, lookups)
    if code_column is None and name_column is None:
        return Table(sheet, header, last_header, columns, partners, None, None, 1,
                     problems + [Problem("no_county_column", sheet.name, a1(header, 0))])
    scale, base, unit_cell = _sheet_unit(sheet, header)
    if base is not None:
        for column in columns.values():
            if not column.scale and column.target.unit not in _COMPATIBLE_UNITS.get(base, {base}):
                problems.append(Problem("unit_mismatch", sheet.name, unit_cell, target=column.target.id,
                                        params={"unit": base, "expected": column.target.unit,
                                                **_names(column.target)}))
    return Table(sheet, header, last_header, columns, partners, code_column, name_column, scale, problems)


_KIND_WORDS = {"level": "月末数", "ytd": "本年累计数", "monthly": "本月数"}


def _county_columns(sheet: Sheet, first_row: int, skip: set[int], lookups: Lookups) -> tuple[int | None, int | None]:
    """The column of 6-digit county codes and the column of county names, by what the cells below hold."""
    code_hits: dict[int, int] = defaultdict(int)
    name_hits: dict[int, int] = defaultdict(int)
    for row in sheet.rows[first_row:first_row + 400]:
        for c, value in enumerate(row):
            if c in skip or value is None:
                continue
            if _county_at(value, lookups):
                text = norm(int(value) if isinstance(value, float) and value.is_integer() else value)
                (code_hits if text.isdigit() else name_hits)[c] += 1
    code = max(code_hits, key=code_hits.get) if code_hits else None
    name = max(name_hits, key=name_hits.get) if name_hits else None
    return code, name


#: A sheet-wide unit line is generic: "单位：人" heads sheets whose training columns count person-times.
_COMPATIBLE_UNITS = {"人": {"人", "人次"}, "人次": {"人", "人次"}}


def _sheet_unit(sheet: Sheet, header: int) -> tuple[int, str | None, str | None]:
    """A ``单位：万人`` line above the table scales every column that does not state its own unit:
    (scale, base unit, cell of the line)."""
    for r, row in enumerate(sheet.rows[:header + 1]):
        for c, value in enumerate(row):
            if value is None:
                continue
            match = _UNIT_LINE_RE.search(norm(value).replace("(", "").replace(")", ""))
            if match:
                scale, base = split_unit(match.group(1))
                return scale, base, a1(r, c)
    return 1, None, None


# --------------------------------------------------------------------------------------------- period, prefecture

def _stated_period(sheet: Sheet, header: int, meta: Mapping[str, str]) -> tuple[str | None, str | None]:
    """The month the sheet says it reports, from the template's metadata, the title rows or the sheet name; and
    the cell it came from."""
    if is_month(meta.get("period")):
        return meta["period"], "_meta"
    for r, row in enumerate(sheet.rows[:header]):
        for c, value in enumerate(row):
            if value is None:
                continue
            text = str(value)
            match = _PERIOD_RE.search(text) or _ISO_PERIOD_RE.search(text)
            if match and 1 <= int(match.group(2)) <= 12:
                return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}", a1(r, c)
    return None, None


def _sheet_name_month(sheet: Sheet) -> tuple[int | None, int | None]:
    match = _SHEET_MONTH_RE.match(norm(sheet.name))
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None, None
    return (int(match.group(1)) if match.group(1) else None), int(match.group(2))


def _stated_prefecture(sheet: Sheet, header: int, meta: Mapping[str, str], lookups: Lookups) -> tuple[str | None, str | None]:
    code = meta.get("prefecture")
    if code and code in lookups.tree and lookups.tree[code].level == "prefecture":
        return code, "_meta"
    found: dict[str, str] = {}
    for r, row in enumerate(sheet.rows[:header]):
        for c, value in enumerate(row):
            if value is None:
                continue
            text = norm(value)
            for prefecture in lookups.tree.level("prefecture"):
                names = {norm(prefecture.name), norm(prefecture.short_name)}
                if prefecture.short_name.endswith("州"):
                    names.add(norm(prefecture.short_name[:-1]) + "州")
                else:
                    names.add(norm(prefecture.short_name) + "市")
                if any(n in text for n in names if len(n) >= 2):
                    found.setdefault(prefecture.code, a1(r, c))
    if len(found) == 1:
        code, cell = next(iter(found.items()))
        return code, cell
    return None, None


# --------------------------------------------------------------------------------------------- rows

def _row_label(row: list[object], table: Table) -> str:
    """The text that says what a row is: the cells left of and at the county columns."""
    last = max(c for c in (table.code_column, table.name_column, 0) if c is not None)
    return "".join(norm(v) for v in row[: last + 1] if v is not None)


def _label_column(row: list[object], table: Table) -> int:
    """The county column a problem about the row's county points at: the one holding its label, name first."""
    for column in (table.name_column, table.code_column):
        if column is not None and column < len(row) and row[column] is not None:
            return column
    return next((c for c in (table.name_column, table.code_column) if c is not None), 0)


def _is_footer(row: list[object]) -> bool:
    first = next((norm(v) for v in row if v is not None and norm(v)), "")
    if any(first.startswith(norm(w)) for w in _FOOTER_WORDS):
        return True
    # a date on its own below the table (the day the return was made): 2023年7月5日, 2023-07-05, a date cell
    filled = [v for v in row if v is not None and norm(v)]
    return bool(filled) and all(isinstance(v, date) or _DATE_RE.match(norm(v)) for v in filled)


def _persons(target: Target) -> bool:
    return target.unit in ("人", "人次", "个", "家")


def _read_value(sheet: Sheet, r: int, column: Column, scale: int, county: str | None,
                problems: list[Problem]) -> float | None:
    cell = a1(r, column.index)
    target = column.target
    if (r, column.index) in sheet.formulas_without_value:
        problems.append(Problem("formula_no_cache", sheet.name, cell, county, target.id,
                                {**_names(target)}))
        return None
    raw = sheet.cell(r, column.index)
    shown = f"{raw:g}" if isinstance(raw, float) else str(raw)[:40]
    try:
        number = parse_number(raw)
    except NotANumber:
        problems.append(Problem("not_a_number", sheet.name, cell, county, target.id,
                                {"value": shown, **_names(target)}))
        return None
    if number is None:
        return None
    if number < 0:
        problems.append(Problem("negative_value", sheet.name, cell, county, target.id,
                                {"value": shown, **_names(target)}))
        return None
    value = number * scale
    if _persons(target):
        whole = round(value)
        if abs(value - whole) > 1e-6 * max(1.0, abs(value)):
            problems.append(Problem("fraction_persons", sheet.name, cell, county, target.id,
                                    {"value": shown, "scaled": f"{value:g}", "unit": target.unit,
                                     **_names(target)}))
            return None
        value = float(whole)
    return value


def _names(target) -> dict[str, str]:
    """A target's name for a problem's message in either language (``Problem.message`` picks the reader's)."""
    return {"target_name": target.name.zh, "target_name_en": target.name.get("en")}


def _counties_of(prefecture: str, lookups: Lookups) -> set[str]:
    return {c.code for c in lookups.tree.children(prefecture)}


def _identify(row: list[object], table: Table, prefecture: str | None, lookups: Lookups
              ) -> tuple[Region | None, str, str]:
    """The county a row is about, the label as written, and the problem code: an error when it cannot be placed,
    ``county_name_mismatch`` (a warning, the county is placed by its code) when a valid code stands beside a name
    that is no county's, e.g. the typo 三台悬 beside 510722."""
    labels = []
    for column in (table.code_column, table.name_column):
        if column is not None and column < len(row) and row[column] is not None:
            labels.append(row[column])
    # a code typed as a number reads as 510104.0: say it as written
    written = " / ".join(str(int(v)) if isinstance(v, float) and v.is_integer() else str(v) for v in labels)
    if len(labels) == 2:
        by_code, by_name = (_county_at(v, lookups) for v in labels)
        if len(by_code) == 1 and by_name and by_code[0] not in by_name:
            return None, written, "county_code_mismatch"
        if len(by_code) == 1 and not by_name and (prefecture is None or by_code[0].parent_code == prefecture):
            return by_code[0], written, "county_name_mismatch"
    for value in labels:
        matches = _county_at(value, lookups)
        inside = [m for m in matches if prefecture is None or m.parent_code == prefecture]
        if len(inside) > 1:  # 广安 names 广安市 and, without its suffix, 广安区: the prefecture is meant
            inside = [m for m in inside if m.level == "prefecture"] or inside
        if len(inside) == 1:
            return inside[0], written, ""
        if matches and not inside:
            return None, written, "other_prefecture_county"
    return None, written, "unknown_county"


def _infer_prefecture(table: Table, lookups: Lookups) -> set[str]:
    found: set[str] = set()
    for row in table.sheet.rows[table.last_header_row + 1:]:
        for column in (table.code_column, table.name_column):
            if column is not None and column < len(row):
                matches = _county_at(row[column], lookups)
                if len({m.parent_code for m in matches}) == 1:
                    found.add(matches[0].parent_code)  # type: ignore[arg-type]
    return found


# --------------------------------------------------------------------------------------------- the reader

def read_return(
    book: Workbook,
    plan: Plan,
    tree: RegionTree,
    scopes: Mapping[str, Iterable[str]] | None = None,
    period: str | None = None,
    prefecture: str | None = None,
    today: date | None = None,
    lookups: Lookups | None = None,
) -> Intake:
    """Read every data sheet of ``book`` into returns for (prefecture, month), with every problem found.

    ``period`` and ``prefecture`` are what the uploader chose; a file that states something else is refused.
    """
    lookups = lookups or Lookups.build(plan, tree)
    today = today or date.today()
    scopes = {k: set(v) for k, v in (scopes or {}).items()}
    problems: list[Problem] = []
    if book.meta.get("plan_id") and book.meta["plan_id"] != plan.id:
        problems.append(Problem("wrong_plan", "_meta", None, params={"found": book.meta["plan_id"],
                                                                     "expected": plan.id}))
        return Intake(book.file_name, [], problems)
    option_prefecture = None
    if prefecture:
        region = lookups.tree[prefecture] if prefecture in lookups.tree else lookups.prefecture(prefecture)
        option_prefecture = region.code if region is not None else None

    tables: list[Table] = []
    candidates = book.data_sheets()
    if book.meta.get("data_sheet") in {s.name for s in candidates}:  # our template says which sheet holds data
        candidates = [s for s in candidates if s.name == book.meta["data_sheet"]]
    sheets_with_content = [s for s in candidates if any(v is not None for row in s.rows for v in row)]
    for sheet in sheets_with_content:
        table = _find_table(sheet, lookups)
        if table is not None:
            tables.append(table)
    if not tables:
        code = "no_target_column" if sheets_with_content else "no_table"
        problems.append(Problem(code, sheets_with_content[0].name if sheets_with_content else None,
                                params={"sheets": "、".join(s.name for s in book.data_sheets()) or "—"}))
        return Intake(book.file_name, [], problems)
    usable = [t for t in tables if t.code_column is not None or t.name_column is not None]
    if not usable:
        problems.extend(p for t in tables for p in t.problems)
        return Intake(book.file_name, [], problems)
    tables = usable

    returns: list[Return] = []
    seen_keys: dict[tuple[str, str], str] = {}
    for table in tables:
        sheet = table.sheet
        problems.extend(table.problems)
        if not table.columns:
            problems.append(Problem("no_target_column", sheet.name, a1(table.header_row, 0),
                                    params={"sheets": sheet.name}))
            continue
        # --- the month
        stated, where = _stated_period(sheet, table.header_row, book.meta)
        if stated is None:
            year, month = _sheet_name_month(sheet)
            base_year = year or (year_of(period) if period else None)
            if month and base_year:
                stated, where = f"{base_year:04d}-{month:02d}", None
        if stated and period and stated != period and len(tables) == 1:
            problems.append(Problem("period_conflict", sheet.name, where if where != "_meta" else None,
                                    params={"stated": stated, "chosen": period}))
            continue
        month_of_return = stated or (period if len(tables) == 1 else None)
        if month_of_return is None:
            problems.append(Problem("period_missing", sheet.name, None))
            continue
        if month_index(month_of_return) > month_index(f"{today.year:04d}-{today.month:02d}"):
            problems.append(Problem("future_period", sheet.name, where if where != "_meta" else None,
                                    params={"period": month_of_return}))
            continue
        # --- the prefecture
        stated_pref, where_pref = _stated_prefecture(sheet, table.header_row, book.meta, lookups)
        if stated_pref and option_prefecture and stated_pref != option_prefecture:
            problems.append(Problem("prefecture_conflict", sheet.name,
                                    where_pref if where_pref != "_meta" else None,
                                    params={"stated": tree[stated_pref].name, "chosen": tree[option_prefecture].name}))
            continue
        pref = stated_pref or option_prefecture
        if pref is None:
            inferred = _infer_prefecture(table, lookups)
            if not inferred:
                problems.append(Problem("prefecture_missing", sheet.name, None))
                continue
            # one prefecture's counties: that prefecture; several: a province-wide sheet, a return per prefecture
            pref = next(iter(inferred)) if len(inferred) == 1 else None
        for ret in _read_rows(table, pref, month_of_return, lookups, scopes, problems):
            key = (ret.prefecture, month_of_return)
            if key in seen_keys:
                problems.append(Problem("duplicate_sheet_period", sheet.name, None,
                                        params={"other": seen_keys[key], "period": month_of_return,
                                                "prefecture": tree[ret.prefecture].name}))
                continue
            seen_keys[key] = sheet.name
            returns.append(ret)
    return Intake(book.file_name, returns, problems)


def _prefecture_row(label: str, lookups: Lookups) -> Region | None:
    """A row labelled with a prefecture's own name (绵阳市, 凉山州) is that prefecture's total, not a county."""
    region = lookups.prefectures.get(label)
    return region if region is not None and not lookups.counties.get(label) else None


def _read_rows(table: Table, prefecture: str | None, period: str, lookups: Lookups,
               scopes: Mapping[str, set[str]], problems: list[Problem]) -> list[Return]:
    """The figures of one table for one prefecture, or — ``prefecture`` None — for every prefecture whose counties
    it lists (a province-wide sheet), one return each."""
    sheet = table.sheet
    returns: dict[str, Return] = {}
    first_row: dict[str, int] = {}
    totals: list[tuple[int, str | None, dict[str, float]]] = []  # row, prefecture (None: all), values
    sums: dict[tuple[str, str], float] = defaultdict(float)  # (prefecture, target) → sum over its counties
    counted: dict[tuple[str, str], int] = defaultdict(int)
    rule_rows: list[tuple[int, str, dict[str, float | None], dict[str, str]]] = []
    columns = list(table.columns.values())
    cells_used = [c.index for c in columns] + [c.index for c in table.partners.values()]
    scope_name = lookups.tree[prefecture].name if prefecture else lookups.tree.province.name
    for r in range(table.last_header_row + 1, len(sheet.rows)):
        row = sheet.rows[r]
        if _is_footer(row):
            break
        label = _row_label(row, table)
        if not label and all(row[i] is None for i in cells_used if i < len(row)):
            continue  # blank row
        if any(w in label for w in _SUBTOTAL_WORDS):
            continue  # a subtotal of a group of counties: not a county, not checked
        group = _prefecture_row(label, lookups)
        if any(w in label for w in _TOTAL_WORDS) or group is not None:
            values = {}
            for column in columns:
                value = _read_value(sheet, r, column, column.scale or table.scale, None, problems)
                if value is not None:
                    values[column.target.id] = value
            totals.append((r, group.code if group is not None else None, values))
            continue
        county, written, code = _identify(row, table, prefecture, lookups)
        if county is None:
            if all((i >= len(row) or row[i] is None) for i in cells_used) and not written:
                continue
            problems.append(Problem(code, sheet.name, a1(r, _label_column(row, table)), written or "（空）", None,
                                    {"county": written or "（空）", "prefecture": scope_name}))
            continue
        if code == "county_name_mismatch":
            problems.append(Problem(code, sheet.name, a1(r, table.name_column), county.name, None,
                                    {"county": county.name, "code": county.code,
                                     "written": str(row[table.name_column]).strip()}))
        if county.code in first_row:
            problems.append(Problem("duplicate_county", sheet.name, a1(r, _label_column(row, table)),
                                    county.name, None, {"county": county.name, "first": first_row[county.code] + 1}))
            continue
        first_row[county.code] = r
        home = county.parent_code or ""
        result = returns.setdefault(home, Return(sheet=sheet.name, period=period, prefecture=home))
        row_values: dict[str, float | None] = {}
        row_cells: dict[str, str] = {}
        for column in columns:
            target = column.target
            value = _read_value(sheet, r, column, column.scale or table.scale, county.name, problems)
            if value is None:
                continue
            if target.id in scopes and county.code not in scopes[target.id]:
                problems.append(Problem("out_of_scope_value", sheet.name, a1(r, column.index), county.name,
                                        target.id, {"county": county.name, **_names(target)}))
                continue
            monthly = monthly_cell = None
            partner = table.partners.get(target.id)
            if partner is not None:
                monthly = _read_value(sheet, r, partner, partner.scale or table.scale, county.name, problems)
                monthly_cell = a1(r, partner.index)
            result.figures.append(Figure(target.id, county.code, period, value, sheet.name, a1(r, column.index),
                                         county.name, monthly, monthly_cell))
            result.counties_seen.add(county.code)  # a county counts as reported once it gives a figure
            row_values[target.id] = value
            row_cells[target.id] = a1(r, column.index)
            sums[(home, target.id)] += value
            counted[(home, target.id)] += 1
        rule_rows.append((r, county.name, row_values, row_cells))

    for r, group, values in totals:
        for target_id, total in values.items():
            column = table.columns[target_id]
            scale = column.scale or table.scale
            homes = [group] if group is not None else list(returns) or ([prefecture] if prefecture else [])
            added = sum(sums[(h, target_id)] for h in homes)
            n = sum(counted[(h, target_id)] for h in homes)
            tolerance = 0.5 if scale == 1 else (0.5 * scale / 100) * (n + 1)
            if abs(total - added) > tolerance:
                target = lookups.plan.target(target_id)
                problems.append(Problem("total_mismatch", sheet.name, a1(r, column.index), None, target_id,
                                        {**_names(target), "total": format_quantity(total, target.unit),
                                         "sum": format_quantity(added, target.unit)}))
    for r, county_name, values, cells in rule_rows:
        for rule in lookups.plan.validation_rules:
            failed = violated(rule, values)
            if failed is None:
                continue
            left, right = failed
            named = sorted(names_in(rule.left.expression)) + sorted(names_in(rule.right.expression))
            first_target = next((t for t in named if t in cells), None)  # point at the left side's cell
            problems.append(Problem(
                "rule_violation" if rule.importance == "high" else "rule_warning", sheet.name,
                cells.get(first_target) if first_target else None, county_name, first_target,
                {"rule": rule.name.zh, "rule_en": rule.name.get("en"), "left": f"{left:g}", "right": f"{right:g}",
                 "op": SYMBOL[rule.operator]}))
    expected = (_counties_of(prefecture, lookups) if prefecture
                else {c.code for c in lookups.tree.level("county")})
    missing = expected - {c for ret in returns.values() for c in ret.counties_seen}
    if missing:
        names = "、".join(sorted(lookups.tree[c].name for c in missing))
        problems.append(Problem("missing_counties", sheet.name, None, None, None,
                                {"n": len(missing), "names": names, "prefecture": scope_name}))
    if prefecture and prefecture not in returns:
        returns[prefecture] = Return(sheet=sheet.name, period=period, prefecture=prefecture)
    return [returns[code] for code in sorted(returns)]


# --------------------------------------------------------------------------------------------- history

def check_history(intake: Intake, plan: Plan, history: pd.DataFrame, checks: HistoryChecks) -> list[Problem]:
    """Compare the new figures with each county's own earlier months (current values: target, region, period,
    value): year-to-date figures never fall; sharp moves and inconsistent 本月 | 本年累计 pairs are flagged."""
    if history.empty:
        history = pd.DataFrame(columns=["target", "region", "period", "value"])
    indexed = {(t, r, p): v for t, r, p, v in history[["target", "region", "period", "value"]].itertuples(index=False)}
    # A file with several monthly sheets (5月, 6月) is judged as if its earlier months were stored first: they
    # will be, and they replace what the database holds for those months.
    indexed.update({(f.target, f.county, f.period): f.value for f in intake.figures})
    by_county: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
    for (t, r, p), v in indexed.items():
        by_county[(t, r)].append((p, v))
    problems: list[Problem] = []
    for figure in intake.figures:
        target = plan.target(figure.target)
        previous_month = add_months(figure.period, -1)
        previous = indexed.get((figure.target, figure.county, previous_month))
        same_year = year_of(previous_month) == year_of(figure.period)
        names = _names(target)
        county_label = figure.county_name or figure.county
        if target.reporting == "ytd":
            if previous is not None and same_year and figure.value < previous:
                problems.append(Problem("ytd_decreased", figure.sheet, figure.cell, county_label, figure.target,
                                        {**names, "value": f"{figure.value:g}",
                                         "previous": f"{previous:g}", "month": previous_month}))
                continue
            if figure.monthly is not None:
                base = previous if same_year else 0.0
                if base is not None and abs((figure.value - base) - figure.monthly) > 0.5:
                    problems.append(Problem("pair_mismatch", figure.sheet, figure.monthly_cell, county_label,
                                            figure.target, {**names, "monthly": f"{figure.monthly:g}",
                                                            "ytd": f"{figure.value:g}", "previous": f"{base:g}"}))
            if previous is not None and same_year:
                increase = figure.value - previous
                earlier = sorted((p, v) for p, v in by_county[(figure.target, figure.county)]
                                 if year_of(p) == year_of(figure.period) and p < figure.period)
                if len(earlier) >= 2:
                    months = month_index(earlier[-1][0]) - month_index(f"{year_of(figure.period)}-01") + 1
                    average = earlier[-1][1] / months
                    if increase > checks.flow_jump_minimum and increase > checks.flow_jump_factor * average:
                        problems.append(Problem("implausible_jump", figure.sheet, figure.cell, county_label,
                                                figure.target, {**names, "value": f"{figure.value:g}",
                                                                "previous": f"{previous:g}"}))
        elif target.reporting == "month_end" and previous:
            change = (figure.value - previous) / previous
            if change < -checks.level_drop:
                problems.append(Problem("level_drop", figure.sheet, figure.cell, county_label, figure.target,
                                        {**names, "value": f"{figure.value:g}",
                                         "previous": f"{previous:g}", "percent": f"{-change * 100:.0f}"}))
            elif change > checks.level_jump:
                problems.append(Problem("implausible_jump", figure.sheet, figure.cell, county_label, figure.target,
                                        {**names, "value": f"{figure.value:g}",
                                         "previous": f"{previous:g}"}))
    return problems

