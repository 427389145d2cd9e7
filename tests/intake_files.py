"""Writing the spreadsheets the intake tests feed to the reader: .xlsx (openpyxl), legacy .xls (xlwt) and CSV.

Rows are plain lists (``None`` is an empty cell). A string starting with ``=`` is a formula; openpyxl stores
formulas without a cached value, as a script-made file has them; ``cached`` adds the value Excel would have saved.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import openpyxl
import xlwt
from openpyxl.utils.cell import range_boundaries

from loaders.plans import load_plans
from loaders.regions import load_divisions, resolve_scopes
from tracker.model.status import load_config

PLAN_ID = "sichuan-2023-citizenization"
MIANYANG = "510700"
TODAY = date(2026, 11, 23)

#: The 9 counties of 绵阳市, in division order: (code, name).
COUNTIES: list[tuple[str, str]] = [
    ("510703", "涪城区"), ("510704", "游仙区"), ("510705", "安州区"), ("510722", "三台县"), ("510723", "盐亭县"),
    ("510725", "梓潼县"), ("510726", "北川羌族自治县"), ("510727", "平武县"), ("510781", "江油市"),
]
CODES = [code for code, _ in COUNTIES]
NAMES = [name for _, name in COUNTIES]

#: The targets a 绵阳 return carries (the key-assistance target has no 绵阳 county in scope), in plan order, and
#: the canonical header of each.
TARGETS = ["rural_labor_transfer", "poverty_labor_transfer", "return_entrepreneurship_training",
           "rural_wealth_leaders", "labor_brand_training", "rural_craftsman_training"]
HEADERS = {
    "rural_labor_transfer": "农村劳动力转移就业人数（人）",
    "poverty_labor_transfer": "脱贫劳动力转移就业人数（人）",
    "return_entrepreneurship_training": "农民工返乡创业培训人数（人）",
    "rural_wealth_leaders": "遴选农村致富带头人数（人）",
    "labor_brand_training": "劳务品牌培训人数（人）",
    "rural_craftsman_training": "乡村建设带头工匠培训人数（人）",
}
NAME_ZH = {
    "rural_labor_transfer": "农村劳动力转移就业人数",
    "poverty_labor_transfer": "脱贫劳动力转移就业人数",
    "return_entrepreneurship_training": "农民工返乡创业培训人数",
    "rural_wealth_leaders": "遴选农村致富带头人数",
    "labor_brand_training": "劳务品牌培训人数",
    "rural_craftsman_training": "乡村建设带头工匠培训人数",
}
YTD_TARGETS = [t for t in TARGETS if t not in ("rural_labor_transfer", "poverty_labor_transfer")]

#: Plausible figures, one list per target in county order. June 2023 (month-end levels; year-to-date flows).
JUNE: dict[str, list[int]] = {
    "rural_labor_transfer": [98000, 86000, 72000, 165000, 88000, 61000, 42000, 35000, 132000],
    "poverty_labor_transfer": [3200, 4100, 3900, 12500, 8800, 5200, 6100, 5400, 7300],
    "return_entrepreneurship_training": [120, 95, 80, 210, 110, 70, 60, 45, 150],
    "rural_wealth_leaders": [3, 2, 2, 5, 3, 2, 1, 1, 4],
    "labor_brand_training": [620, 480, 400, 1100, 520, 350, 300, 260, 900],
    "rural_craftsman_training": [6, 5, 4, 10, 5, 3, 3, 2, 8],
}
#: May 2023: levels a little lower, year-to-date figures at or below June's.
MAY: dict[str, list[int]] = {
    "rural_labor_transfer": [96500, 85000, 71000, 163000, 87000, 60500, 41500, 34800, 130000],
    "poverty_labor_transfer": [3150, 4050, 3850, 12400, 8700, 5150, 6050, 5350, 7250],
    "return_entrepreneurship_training": [100, 80, 66, 175, 92, 58, 50, 38, 125],
    "rural_wealth_leaders": [2, 2, 1, 4, 3, 1, 1, 1, 3],
    "labor_brand_training": [520, 400, 330, 920, 430, 290, 250, 215, 750],
    "rural_craftsman_training": [5, 4, 3, 8, 4, 3, 2, 2, 7],
}
#: April 2023.
APRIL: dict[str, list[int]] = {
    "rural_labor_transfer": [95000, 84000, 70000, 161000, 86000, 60000, 41000, 34500, 128000],
    "poverty_labor_transfer": [3100, 4000, 3800, 12300, 8600, 5100, 6000, 5300, 7200],
    "return_entrepreneurship_training": [80, 64, 53, 140, 74, 46, 40, 30, 100],
    "rural_wealth_leaders": [2, 1, 1, 3, 2, 1, 1, 0, 3],
    "labor_brand_training": [415, 320, 265, 735, 345, 230, 200, 172, 600],
    "rural_craftsman_training": [4, 3, 2, 7, 3, 2, 2, 1, 5],
}
MONTHS = {"2023-04": APRIL, "2023-05": MAY, "2023-06": JUNE}


# --------------------------------------------------------------------------------------------- the plan

def context() -> dict:
    """What ``import_file`` needs besides the engine and the file."""
    plan = load_plans()[PLAN_ID]
    return {"plan": plan, "tree": load_divisions(), "scopes": resolve_scopes(plan), "checks": load_config().checks}


def expected(figures: Mapping[str, list[int]], period: str = "2023-06",
             targets: Iterable[str] = TARGETS) -> dict[tuple[str, str, str], float]:
    """{(target, county, period): value} for a table of figures, as ``current_values`` returns them."""
    return {(t, code, period): float(figures[t][i]) for t in targets for i, code in enumerate(CODES)}


# --------------------------------------------------------------------------------------------- rows

def good_rows(figures: Mapping[str, list[int]] | None = None, *, title: bool = True,
              period_label: str = "2023年6月", codes: bool = True, names: bool = True,
              targets: Sequence[str] = TARGETS) -> list[list]:
    """A plausible hand-made 绵阳 return: a title and note rows above a one-row header, one row per county.

    With ``title`` the header is row 4 and the counties rows 5–13 (涪城区 5 … 江油市 13); without, rows 1 and
    2–10. Columns: 区划代码 (``codes``), 县（市、区） (``names``), then one column per target in ``targets`` — with
    both, A code, B name, C 农村劳动力转移就业, D 脱贫劳动力, E 返乡创业培训, F 致富带头人, G 劳务品牌, H 工匠.
    """
    figures = figures or JUNE
    rows: list[list] = []
    if title:
        rows += [[f"{period_label}农民工工作统计表"], ["填报单位：绵阳市人社局", None, None, "单位：人"], []]
    rows.append((["区划代码"] if codes else []) + (["县（市、区）"] if names else []) + [HEADERS[t] for t in targets])
    for i, (code, name) in enumerate(COUNTIES):
        rows.append(([code] if codes else []) + ([name] if names else []) + [figures[t][i] for t in targets])
    return rows


def pair_rows(figures: Mapping[str, list[int]] | None = None, previous: Mapping[str, list[int]] | None = None,
              *, words: tuple[str, str] = ("本月", "本年累计"), period_label: str = "2023年6月"
              ) -> tuple[list[list], list[str]]:
    """A two-row header: each target's name merged over ``本月 | 本年累计`` (rows 4–5), counties in rows 6–14
    (涪城区 6 … 江油市 14), names in column A. Columns: B|C 农村劳动力转移就业, D|E 脱贫劳动力, F|G 返乡创业培训,
    H|I 致富带头人, J|K 劳务品牌, L|M 工匠.

    Year-to-date targets: 本月 = this month's year-to-date − ``previous`` (or the whole figure without it).
    Month-end levels: 本月 is the level; the 累计 cell holds a different number (new transfers this year), which
    the reader must not take. Returns the rows and the merged ranges.
    """
    figures = figures or JUNE
    rows: list[list] = [[f"{period_label}农民工工作统计表"], ["填报单位：绵阳市人社局", None, None, None, "单位：人"], []]
    head: list = ["县（市、区）"]
    sub: list = [None]
    merged = ["A1:M1", "A4:A5"]
    for i, target in enumerate(TARGETS):
        head += [NAME_ZH[target], None]
        sub += list(words)
        merged.append(f"{col(1 + 2 * i)}4:{col(2 + 2 * i)}4")
    rows += [head, sub]
    for k, name in enumerate(NAMES):
        row: list = [name]
        for target in TARGETS:
            value = figures[target][k]
            if target in YTD_TARGETS:
                row += [value - (previous[target][k] if previous else 0), value]
            else:
                row += [value, value // 10]
        rows.append(row)
    return rows, merged


def wan_rows(figures: Mapping[str, list[int]] | None = None) -> list[list]:
    """The two month-end levels in 万人 (a ``单位：万人`` line, no unit in the headers), two decimals: header row 4,
    counties rows 5–13 in column A, B 农村劳动力转移就业, C 脱贫劳动力."""
    figures = figures or JUNE
    rows: list[list] = [["2023年6月农民工工作统计表"], ["填报单位：绵阳市人社局"], ["单位：万人"],
                        ["县（市、区）", "农村劳动力转移就业人数", "脱贫劳动力转移就业人数"]]
    for k, name in enumerate(NAMES):
        rows.append([name, round(figures["rural_labor_transfer"][k] / 10000, 2),
                     round(figures["poverty_labor_transfer"][k] / 10000, 2)])
    return rows


def total_row(rows: list[list], label: str = "合计", figures: Mapping[str, list[int]] | None = None,
              **changes: float) -> list:
    """A total row fitting a ``good_rows`` table: the sums of ``figures`` (June's by default), label in the name
    column (or the first), any target's total replaced through ``changes``."""
    h = header_row_index(rows)
    header = rows[h]
    row: list = [None] * len(header)
    row[header.index("县（市、区）") if "县（市、区）" in header else 0] = label
    for target in TARGETS:
        if HEADERS[target] in header:
            row[header.index(HEADERS[target])] = changes.get(target, sum((figures or JUNE)[target]))
    return row


def header_row_index(rows: list[list]) -> int:
    """Zero-based index of the header row of ``good_rows`` (the row starting with 区划代码 or 县（市、区）)."""
    return next(i for i, r in enumerate(rows) if r and r[0] in ("区划代码", "县（市、区）"))


def col(index: int) -> str:
    """Zero-based column → letters."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def put(rows: list[list], ref: str, value: object) -> list[list]:
    """A copy of ``rows`` with the cell ``ref`` (A1) set to ``value``."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    letters, number = coordinate_from_string(ref)
    r, c = number - 1, column_index_from_string(letters) - 1
    rows = [list(row) for row in rows]
    while len(rows) <= r:
        rows.append([])
    rows[r] += [None] * (c + 1 - len(rows[r]))
    rows[r][c] = value
    return rows


def insert(rows: list[list], index: int, *new: list) -> list[list]:
    """A copy of ``rows`` with ``new`` rows inserted before zero-based ``index``."""
    return [list(r) for r in rows[:index]] + [list(r) for r in new] + [list(r) for r in rows[index:]]


def changed(figures: Mapping[str, list[int]], target: str, county: str, value: int) -> dict[str, list[int]]:
    """A copy of ``figures`` with one county's figure changed (county by code or name)."""
    k = CODES.index(county) if county in CODES else NAMES.index(county)
    out = {t: list(v) for t, v in figures.items()}
    out[target][k] = value
    return out


# --------------------------------------------------------------------------------------------- writers

@dataclass
class SheetSpec:
    name: str
    rows: list[list]
    merged: Sequence[str] = ()
    cached: Mapping[str, object] = field(default_factory=dict)  # A1 → cached value of a formula cell
    hidden: bool = False


def _fill(sheet, spec: SheetSpec) -> None:
    for r, row in enumerate(spec.rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(r, c, value)
    for ref in spec.merged:
        sheet.merge_cells(ref)
    if spec.hidden:
        sheet.sheet_state = "hidden"


def xlsx(rows: list[list] | None = None, merged: Sequence[str] = (), *, name: str = "Sheet1",
         cached: Mapping[str, object] | None = None, sheets: Sequence[SheetSpec] | None = None) -> bytes:
    """An .xlsx with one sheet (``rows``) or several (``sheets``). Formulas in ``cached`` get that value saved
    with them, as Excel does on saving; other formulas have no cached value."""
    specs = list(sheets) if sheets is not None else [SheetSpec(name, rows or [], merged, cached or {})]
    book = openpyxl.Workbook()
    first = book.active
    for i, spec in enumerate(specs):
        sheet = first if i == 0 else book.create_sheet()
        sheet.title = spec.name
        _fill(sheet, spec)
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    if any(spec.cached for spec in specs):
        data = _with_cached_values(data, {i: spec.cached for i, spec in enumerate(specs) if spec.cached})
    return data


def _with_cached_values(data: bytes, cached: Mapping[int, Mapping[str, object]]) -> bytes:
    """Write ``<v>`` into formula cells of the sheets' XML (openpyxl leaves it empty)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            match = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", item.filename)
            if match and int(match.group(1)) - 1 in cached:
                text = content.decode("utf-8")
                for ref, value in cached[int(match.group(1)) - 1].items():
                    pattern = re.compile(rf'(<c r="{ref}"[^>]*>)(<f>.*?</f>)(?:<v\s*/>|<v>.*?</v>)?(</c>)')
                    text, n = pattern.subn(lambda m: f"{m.group(1)}{m.group(2)}<v>{value}</v>{m.group(3)}", text)
                    assert n == 1, f"no formula cell {ref} in sheet {match.group(1)}"
                content = text.encode("utf-8")
            target.writestr(item, content)
    return out.getvalue()


def xls(rows: list[list] | None = None, merged: Sequence[str] = (), *, name: str = "Sheet1",
        sheets: Sequence[SheetSpec] | None = None) -> bytes:
    """A legacy .xls (BIFF8) written with xlwt; merged ranges keep their top-left value."""
    specs = list(sheets) if sheets is not None else [SheetSpec(name, rows or [], merged)]
    book = xlwt.Workbook(encoding="utf-8")
    for spec in specs:
        sheet = book.add_sheet(spec.name)
        covered: set[tuple[int, int]] = set()
        for ref in spec.merged:
            c0, r0, c1, r1 = range_boundaries(ref)
            value = spec.rows[r0 - 1][c0 - 1] if r0 - 1 < len(spec.rows) and c0 - 1 < len(spec.rows[r0 - 1]) else ""
            sheet.write_merge(r0 - 1, r1 - 1, c0 - 1, c1 - 1, value)
            covered |= {(r, c) for r in range(r0 - 1, r1) for c in range(c0 - 1, c1)}
        for r, row in enumerate(spec.rows):
            for c, value in enumerate(row):
                if value is not None and (r, c) not in covered:
                    sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    """CSV text in ``encoding`` (``utf-8-sig`` writes the BOM; ``gb18030`` as older systems export)."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return text.getvalue().encode(encoding)


# --------------------------------------------------------------------------------------------- importing

_CONTEXT: dict = {}


def ctx() -> dict:
    """``context()`` loaded once per test session."""
    if not _CONTEXT:
        _CONTEXT.update(context())
    return _CONTEXT


def import_bytes(engine, data: bytes, name: str, *, period: str | None = "2023-06",
                 prefecture: str | None = MIANYANG, **options):
    """``tracker.intake.submissions.import_file`` as the upload page calls it, on 23 November 2026."""
    from tracker.intake.submissions import import_file

    c = ctx()
    return import_file(engine, data, name, c["plan"], c["tree"], c["scopes"], c["checks"], uploader="测试",
                       period=period, prefecture=prefecture, today=TODAY, **options)


def import_month(engine, period: str, figures: Mapping[str, list[int]] | None = None) -> None:
    """Import a good return for ``period`` (its figures from ``MONTHS``), asserting it went in cleanly."""
    figures = figures or MONTHS[period]
    label = f"{period[:4]}年{int(period[5:])}月"
    outcome = import_bytes(engine, xlsx(good_rows(figures, period_label=label)), f"绵阳{label}.xlsx", period=period)
    assert outcome.status == "imported", [(p.code, p.cell) for p in outcome.problems]


def row_counts(engine) -> tuple[int, int]:
    """(submissions, reported_values) rows in the database."""
    import sqlalchemy as sa

    with engine.connect() as conn:
        return (conn.scalar(sa.text("select count(*) from submissions")),
                conn.scalar(sa.text("select count(*) from reported_values")))


def stored(engine, period: str | None = None) -> dict[tuple[str, str, str], float]:
    """Current figures of the plan as {(target, county, period): value}."""
    from tracker.store import current_values

    frame = current_values(engine, PLAN_ID, period_from=period, period_to=period)
    return {(t, r, p): float(v) for t, r, p, v in frame[["target", "region", "period", "value"]].itertuples(index=False)}


def filled_template(period: str = "2023-06", prefecture: str = MIANYANG,
                    figures: Mapping[str, list[int]] | None = None, meta: Mapping[str, str] | None = None) -> bytes:
    """The template ``build_template`` makes, filled in with openpyxl as an official would (``figures`` for the
    9 counties of 绵阳 in rows 6–14, columns C–H), its ``_meta`` optionally altered."""
    from tracker.intake.template import build_template

    c = ctx()
    book = openpyxl.load_workbook(io.BytesIO(build_template(c["plan"], c["tree"], period, prefecture, c["scopes"])))
    sheet = book["数据"]
    if figures is not None:
        for j, target in enumerate(TARGETS):
            assert sheet.cell(4, 3 + j).value == f"{NAME_ZH[target]}（人）"
        for k, code in enumerate(CODES):
            assert sheet.cell(6 + k, 1).value == code
            for j, target in enumerate(TARGETS):
                sheet.cell(6 + k, 3 + j).value = figures[target][k]
    for row in book["_meta"].iter_rows():
        if meta and row[0].value in meta:
            row[1].value = meta[row[0].value]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
