"""Bad county returns: every file is refused with the exact problem at the exact cell, and nothing is written.

Each file is generated here (openpyxl .xlsx, xlwt .xls, CSV in UTF-8, UTF-8 with BOM and GB18030), imported into
an initialised empty database on SQLite and on PostgreSQL the way the upload page imports it, and the first error
is compared with what an official would need to fix: code, sheet, cell (A1), county and target. Files with
warnings only are refused until the uploader accepts the warnings.

Unless a case says otherwise, the table is ``good_rows()``: title rows 1–3, header row 4, 涪城区 … 江油市 in rows
5–13; columns A 区划代码, B 县（市、区）, C 农村劳动力转移就业, D 脱贫劳动力, E 返乡创业培训, F 致富带头人, G 劳务品牌,
H 带头工匠. Without codes (``GN``) every column moves one to the left; without names (``GC``) too.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pytest

from tests.intake_files import (
    JUNE,
    MAY,
    MIANYANG,
    NAME_ZH,
    NAMES,
    SheetSpec,
    changed,
    csv_bytes,
    filled_template,
    good_rows,
    import_bytes,
    import_month,
    insert,
    pair_rows,
    put,
    row_counts,
    stored,
    total_row,
    wan_rows,
    xls,
    xlsx,
)
from tracker.intake.problems import errors, warnings

G = good_rows()
GN = good_rows(codes=False)   # A name, B 农村劳动力转移就业, C 脱贫, D 返乡创业培训, E 致富带头人, F 劳务品牌, G 工匠
GC = good_rows(names=False)   # A code, then as GN
W = wan_rows()                # 单位：万人; A name, B 农村劳动力转移就业, C 脱贫劳动力 (rows 5–13)
RURAL, POVERTY = "rural_labor_transfer", "poverty_labor_transfer"
RETURN, LEADERS = "return_entrepreneurship_training", "rural_wealth_leaders"
BRAND, CRAFT = "labor_brand_training", "rural_craftsman_training"
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Bad:
    id: str
    make: Callable[[], bytes]
    code: str
    cell: str | None
    county: str | None = None
    target: str | None = None
    sheet: str | None = "Sheet1"
    name: str = "绵阳市2023年6月.xlsx"
    period: str | None = "2023-06"
    prefecture: str | None = MIANYANG
    history: tuple[str, ...] = ()


def _wrong_kind() -> bytes:
    rows = [["2023年6月农民工工作统计表"], ["填报单位：绵阳市人社局"], [],
            ["县（市、区）", "劳务品牌培训人数", "农村劳动力转移就业人数"], [None, "本月", "月末数"]]
    rows += [[name, JUNE[BRAND][k] - MAY[BRAND][k], JUNE[RURAL][k]] for k, name in enumerate(NAMES)]
    return xlsx(rows, ["A4:A5"])


def _brand_in_wan(bad: float) -> list[list]:
    rows = put(G, "G4", "劳务品牌培训人数（万人）")
    for k in range(9):
        rows = put(rows, f"G{5 + k}", JUNE[BRAND][k] / 10000)
    return put(rows, "G7", bad)


def _pairs_ytd_down() -> bytes:
    rows, merged = pair_rows(changed(JUNE, RETURN, "三台县", 150), MAY)  # 三台县 175 in May
    return xlsx(put(rows, "F9", 0), merged)  # 本月 0 beside a year-to-date that fell


def _two_months_ytd_down() -> bytes:
    return xlsx(sheets=[SheetSpec("5月", good_rows(MAY, title=False)),
                        SheetSpec("6月", good_rows(changed(JUNE, BRAND, "涪城区", 500), title=False))])


def _formula_total() -> list[list]:
    row = total_row(G)
    for c in range(2, 8):
        letter = "CDEFGH"[c - 2]
        row[c] = f"=SUM({letter}5:{letter}13)"
    return G + [row]


def _name_then_code() -> list[list]:
    """Names in column A, codes in column B (the other way round from ``G``)."""
    return G[:3] + [[r[1], r[0], *r[2:]] for r in G[3:]]


def _no_county_column() -> list[list]:
    rows = GN
    for k in range(9):
        rows = put(rows, f"A{5 + k}", f"第{k + 1}组")
    return rows


CASES = [
    # --- values
    Bad("text_in_number", lambda: xlsx(put(G, "G5", "约620")), "not_a_number", "G5", "涪城区", BRAND),
    Bad("letter_o_for_zero", lambda: xlsx(put(G, "C8", "16500O")), "not_a_number", "C8", "三台县", RURAL),
    Bad("chinese_numerals", lambda: xlsx(put(G, "E6", "一百二十")), "not_a_number", "E6", "游仙区", RETURN),
    Bad("date_in_number_cell", lambda: xlsx(put(G, "D13", datetime(2023, 6, 30))), "not_a_number", "D13", "江油市",
        POVERTY),
    Bad("boolean_in_number_cell", lambda: xlsx(put(G, "H12", True)), "not_a_number", "H12", "平武县", CRAFT),
    Bad("two_numbers_in_a_cell", lambda: xlsx(put(G, "F9", "3/4")), "not_a_number", "F9", "盐亭县", LEADERS),
    Bad("negative", lambda: xlsx(put(G, "G10", -5)), "negative_value", "G10", "梓潼县", BRAND),
    Bad("negative_full_width_text", lambda: xlsx(put(G, "E11", "－60")), "negative_value", "E11", "北川羌族自治县",
        RETURN),
    Bad("negative_level", lambda: xlsx(put(G, "C5", -98000)), "negative_value", "C5", "涪城区", RURAL),
    Bad("fraction_of_a_person", lambda: xlsx(put(G, "G7", 400.5)), "fraction_persons", "G7", "安州区", BRAND),
    Bad("fraction_as_text", lambda: xlsx(put(G, "F13", "3.5")), "fraction_persons", "F13", "江油市", LEADERS),
    Bad("fraction_after_wan_line", lambda: xlsx(put(W, "B6", 8.60005)), "fraction_persons", "B6", "游仙区", RURAL),
    Bad("fraction_after_wan_header", lambda: xlsx(_brand_in_wan(0.04005)), "fraction_persons", "G7", "安州区", BRAND),
    # --- counties
    Bad("unknown_county_name", lambda: xlsx(put(GN, "A5", "涪陵区")), "unknown_county", "A5", "涪陵区"),
    Bad("unknown_county_code", lambda: xlsx(put(GC, "A5", "510799")), "unknown_county", "A5", "510799"),
    Bad("unknown_name_beside_empty_code", lambda: xlsx(put(put(G, "A5", None), "B5", "涪陵区")), "unknown_county",
        "B5", "涪陵区"),
    Bad("unknown_code_beside_empty_name", lambda: xlsx(put(put(G, "A5", "510799"), "B5", None)), "unknown_county",
        "A5", "510799"),
    Bad("chengdu_code_beside_empty_name", lambda: xlsx(put(put(G, "A6", 510104), "B6", None)),
        "other_prefecture_county", "A6", "510104"),
    Bad("county_of_chengdu_by_name", lambda: xlsx(put(GN, "A6", "锦江区")), "other_prefecture_county", "A6", "锦江区"),
    Bad("county_of_chengdu_by_numeric_code", lambda: xlsx(put(GC, "A6", 510104)), "other_prefecture_county", "A6",
        "510104"),
    Bad("same_county_twice", lambda: xlsx(put(GN, "A9", "三台县")), "duplicate_county", "A9", "三台县"),
    Bad("same_county_names_in_a_codes_in_b", lambda: xlsx(put(put(_name_then_code(), "A9", "三台县"), "B9", "510722")),
        "duplicate_county", "A9", "三台县"),
    Bad("same_county_by_short_name", lambda: xlsx(put(GN, "A7", "涪城")), "duplicate_county", "A7", "涪城区"),
    # --- the table
    Bad("no_target_column", lambda: xlsx([["县（市、区）", "指标一", "指标二"]] + [[n, 1, 2] for n in NAMES]),
        "no_target_column", None),
    Bad("title_only", lambda: xlsx([["2023年6月农民工工作统计表"], ["填报单位：绵阳市人社局"]]), "no_target_column",
        None),
    Bad("empty_workbook", lambda: xlsx([]), "no_table", None, sheet=None),
    Bad("empty_xls", lambda: xls([]), "no_table", None, sheet=None, name="绵阳.xls"),
    Bad("empty_csv", lambda: b"", "no_table", None, sheet=None, name="绵阳.csv"),
    Bad("csv_of_blank_lines", lambda: b"\r\n\r\n,,\r\n", "no_table", None, sheet=None, name="绵阳.csv"),
    Bad("no_county_column", lambda: xlsx(_no_county_column()), "no_county_column", "A4"),
    Bad("target_twice", lambda: xlsx(put(put(GN, "H4", "劳务品牌培训"), "H5", 1)), "duplicate_target_column", "H4",
        target=BRAND),
    Bad("unit_not_persons", lambda: xlsx(put(GN, "F4", "劳务品牌培训人数（元）")), "unit_mismatch", "F4",
        target=BRAND),
    Bad("monthly_figure_for_ytd_target", _wrong_kind, "wrong_figure_kind", "B4", target=BRAND),
    # --- month and prefecture
    Bad("future_month_in_title", lambda: xlsx(good_rows(period_label="2026年12月")), "future_period", "A1",
        period="2026-12"),
    Bad("future_month_chosen", lambda: xlsx(good_rows(title=False)), "future_period", None, period="2027-01"),
    Bad("title_says_may", lambda: xlsx(good_rows(period_label="2023年5月")), "period_conflict", "A1"),
    Bad("note_says_july", lambda: xlsx(put(put(G, "A1", "农民工工作统计表"), "E2", "报告期：2023-07")),
        "period_conflict", "E2"),
    Bad("title_says_january_to_may", lambda: xlsx(put(G, "A1", "2023年1-5月农民工工作统计表")), "period_conflict",
        "A1"),
    Bad("filer_is_deyang", lambda: xlsx(put(G, "A2", "填报单位：德阳市人社局")), "prefecture_conflict", "A2"),
    Bad("title_names_deyang", lambda: xlsx(put(put(G, "A1", "2023年6月德阳市农民工工作统计表"), "A2", "填报单位：市人社局")),
        "prefecture_conflict", "A1"),
    Bad("template_of_may", lambda: filled_template("2023-05", figures=JUNE), "period_conflict", None, sheet="数据"),
    Bad("template_of_deyang", lambda: filled_template("2023-06", "510600"), "prefecture_conflict", None, sheet="数据"),
    Bad("template_of_another_plan", lambda: filled_template(figures=JUNE, meta={"plan_id": "sichuan-2022-work-points"}),
        "wrong_plan", None, sheet="_meta"),
    # --- totals
    Bad("total_at_bottom_off_by_one", lambda: xlsx(G + [total_row(G, **{BRAND: sum(JUNE[BRAND]) + 1})]),
        "total_mismatch", "G14", target=BRAND),
    Bad("total_at_top", lambda: xlsx(insert(G, 4, total_row(G, **{RURAL: sum(JUNE[RURAL]) - 1000}))),
        "total_mismatch", "C5", target=RURAL),
    Bad("grand_total_below_blank_row", lambda: xlsx(G + [[], total_row(G, "总计", **{CRAFT: sum(JUNE[CRAFT]) + 2})]),
        "total_mismatch", "H15", target=CRAFT),
    Bad("total_in_wan", lambda: xlsx(W + [["合计", sum(JUNE[RURAL]) / 10000 + 0.5, sum(JUNE[POVERTY]) / 10000]]),
        "total_mismatch", "B14", target=RURAL),
    # --- formulas
    Bad("formula_without_cached_value", lambda: xlsx(put(G, "G9", "=SUM(500,20)")), "formula_no_cache", "G9",
        "盐亭县", BRAND),
    Bad("formula_total_without_cached_value", lambda: xlsx(_formula_total()), "formula_no_cache", "C14",
        target=RURAL),
    # --- the plan's validation rule
    Bad("poverty_above_rural", lambda: xlsx(put(G, "D8", 170000)), "rule_violation", "D8", "三台县", POVERTY),
    # --- against history
    Bad("ytd_below_may", lambda: xlsx(put(G, "G5", 500)), "ytd_decreased", "G5", "涪城区", BRAND,
        history=("2023-05",)),
    Bad("ytd_to_zero", lambda: xlsx(put(G, "F8", 0)), "ytd_decreased", "F8", "三台县", LEADERS, history=("2023-05",)),
    Bad("ytd_below_may_in_pair", _pairs_ytd_down, "ytd_decreased", "G9", "三台县", RETURN, history=("2023-05",)),
    Bad("ytd_below_may_sheet_of_same_file", _two_months_ytd_down, "ytd_decreased", "G2", "涪城区", BRAND, sheet="6月"),
    # --- other formats
    Bad("csv_utf8_text_in_number", lambda: csv_bytes(put(G, "G5", "约620")), "not_a_number", "G5", "涪城区", BRAND,
        sheet="绵阳6月", name="绵阳6月.csv"),
    Bad("csv_bom_negative", lambda: csv_bytes(put(G, "C6", "-86000"), "utf-8-sig"), "negative_value", "C6", "游仙区",
        RURAL, sheet="绵阳6月", name="绵阳6月.csv"),
    Bad("csv_gb18030_unknown_county", lambda: csv_bytes(put(GN, "A5", "涪陵区"), "gb18030"), "unknown_county", "A5",
        "涪陵区", sheet="绵阳6月", name="绵阳6月.csv"),
    Bad("csv_gb18030_title_says_may", lambda: csv_bytes(good_rows(period_label="2023年5月"), "gb18030"),
        "period_conflict", "A1", sheet="绵阳6月", name="绵阳6月.csv"),
    Bad("csv_tab_separated_chengdu", lambda: csv_bytes(put(GN, "A6", "锦江区"), delimiter="\t"),
        "other_prefecture_county", "A6", "锦江区", sheet="绵阳6月", name="绵阳6月.csv"),
    Bad("csv_undecodable", lambda: b"\xff\xfe\xfd,1\r\n", "unreadable_file", None, sheet=None, name="绵阳.csv"),
    Bad("xls_same_county_twice", lambda: xls(put(GN, "A9", "三台县")), "duplicate_county", "A9", "三台县",
        name="绵阳.xls"),
    Bad("xls_fraction", lambda: xls(put(G, "G7", 400.5), ["A1:H1"]), "fraction_persons", "G7", "安州区", BRAND,
        name="绵阳.xls"),
    Bad("xls_total_mismatch", lambda: xls(G + [total_row(G, **{BRAND: sum(JUNE[BRAND]) + 10})]), "total_mismatch",
        "G14", target=BRAND, name="绵阳.xls"),
    Bad("xls_code_of_chengdu", lambda: xls(put(GC, "A6", "510104")), "other_prefecture_county", "A6", "510104",
        name="绵阳.xls"),
    Bad("unsupported_ods", lambda: xlsx(G), "unsupported_format", None, sheet=None, name="绵阳.ods"),
    Bad("unsupported_no_suffix", lambda: xlsx(G), "unsupported_format", None, sheet=None, name="绵阳"),
    Bad("xlsx_not_a_zip", lambda: b"PK\x03\x04 not really a workbook", "unreadable_file", None, sheet=None),
    Bad("xls_garbage", lambda: b"\xd0\xcf\x11\xe0 garbage" * 10, "unreadable_file", None, sheet=None,
        name="绵阳.xls"),
]


def test_the_corpus_is_large_and_distinct():
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
    assert {c.code for c in CASES} >= {
        "not_a_number", "negative_value", "fraction_persons", "unknown_county", "other_prefecture_county",
        "duplicate_county", "no_target_column", "no_table", "future_period", "ytd_decreased", "rule_violation",
        "total_mismatch", "formula_no_cache", "period_conflict", "prefecture_conflict"}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_file_is_refused_at_the_cell_and_writes_nothing(ready_engine, case: Bad):
    for month in case.history:
        import_month(ready_engine, month)
    before = row_counts(ready_engine)

    outcome = import_bytes(ready_engine, case.make(), case.name, period=case.period, prefecture=case.prefecture)

    assert outcome.status == "refused"
    assert errors(outcome.problems), [(p.code, p.cell) for p in outcome.problems]
    first = errors(outcome.problems)[0]
    assert (first.code, first.sheet, first.cell, first.county, first.target) == (
        case.code, case.sheet, case.cell, case.county, case.target), [
        (p.code, p.sheet, p.cell, p.county, p.target) for p in outcome.problems]
    assert CJK.search(first.message()), first.message()
    assert row_counts(ready_engine) == before
    # accepting warnings never lets an error through
    again = import_bytes(ready_engine, case.make(), case.name, period=case.period, prefecture=case.prefecture,
                         accept_warnings=True)
    assert again.status == "refused"
    assert row_counts(ready_engine) == before


# --------------------------------------------------------------------------------------------- messages

@pytest.mark.parametrize("rows, county, target", [
    (put(G, "G5", "约620"), "涪城区", BRAND),
    (put(G, "C6", -1), "游仙区", RURAL),
    (put(G, "F13", 2.5), "江油市", LEADERS),
    (put(G, "D8", 170000), "三台县", POVERTY),
    (put(G, "G9", "=1+1"), "盐亭县", BRAND),
], ids=["not_a_number", "negative", "fraction", "rule", "formula"])
def test_messages_are_chinese_and_name_the_county_and_target(ready_engine, rows, county, target):
    from tracker.cli.returns import problem_lines as _problem_lines

    first = errors(import_bytes(ready_engine, xlsx(rows), "绵阳.xlsx").problems)[0]
    message = first.message("zh")
    assert CJK.search(message)
    assert first.county == county and first.target == target
    if first.code == "rule_violation":
        assert "脱贫劳动力转移就业人数不应超过农村劳动力转移就业人数" in message
    else:
        assert f"“{NAME_ZH[target]}”" in message
    line = _problem_lines([first])[0]  # what ``tracker import`` prints: severity, code, sheet, cell, county, message
    assert "错误" in line and county in line and NAME_ZH[target] in line and first.cell in line


@pytest.mark.parametrize("rows, code, county", [
    (put(GN, "A5", "涪陵区"), "unknown_county", "涪陵区"),
    (put(GN, "A6", "锦江区"), "other_prefecture_county", "锦江区"),
    (put(GN, "A9", "三台县"), "duplicate_county", "三台县"),
])
def test_county_messages_name_the_county_and_prefecture(ready_engine, rows, code, county):
    first = errors(import_bytes(ready_engine, xlsx(rows), "绵阳.xlsx").problems)[0]
    assert first.code == code
    assert f"“{county}”" in first.message()
    if code != "duplicate_county":
        assert "绵阳市" in first.message()
    else:
        assert "第 8 行" in first.message()  # 三台县 is first in row 8


def test_every_problem_of_a_file_is_reported_not_only_the_first(ready_engine):
    rows = put(put(put(G, "G5", "约620"), "C6", -1), "F13", 2.5)
    found = [(p.code, p.cell) for p in errors(import_bytes(ready_engine, xlsx(rows), "绵阳.xlsx").problems)]
    assert found == [("not_a_number", "G5"), ("negative_value", "C6"), ("fraction_persons", "F13")]


def test_a_total_that_agrees_within_rounding_of_wan_is_accepted_but_not_beyond(ready_engine):
    """A 合计 in 万人 with two decimals can be off by rounding; 0.5万 off is an error (see ``total_in_wan``)."""
    rounded = W + [["合计", round(sum(JUNE[RURAL]) / 10000 + 0.01, 2), sum(JUNE[POVERTY]) / 10000]]
    outcome = import_bytes(ready_engine, xlsx(rounded), "绵阳.xlsx")
    assert outcome.status == "imported", [(p.code, p.cell) for p in outcome.problems]


# --------------------------------------------------------------------------------------------- warnings

@dataclass(frozen=True)
class Warn:
    id: str
    make: Callable[[], bytes]
    code: str
    cell: str | None
    county: str | None
    target: str | None
    history: tuple[str, ...] = ()
    keeps: tuple[str, str, float] | None = None  # (target, county code, value) the accepted import stores


def _pairs_off() -> bytes:
    rows, merged = pair_rows(JUNE, MAY)
    return xlsx(put(rows, "J6", 150), merged)  # 涪城区 劳务品牌 本月 should be 620 − 520 = 100


def _without_pingwu() -> bytes:
    return xlsx([r for r in G if not (len(r) > 1 and r[1] == "平武县")])


def _key_area_in_mianyang() -> bytes:
    return xlsx(put(put(G, "I4", "重点帮扶地区职业技能培训人次（人次）"), "I6", 40))


WARNINGS = [
    Warn("counties_missing", _without_pingwu, "missing_counties", None, None, None,
         keeps=(BRAND, "510781", 900.0)),
    Warn("level_drops_by_a_quarter", lambda: xlsx(put(G, "C5", 70000)), "level_drop", "C5", "涪城区", RURAL,
         history=("2023-05",), keeps=(RURAL, "510703", 70000.0)),
    Warn("level_jumps_by_a_third", lambda: xlsx(put(G, "C5", 130000)), "implausible_jump", "C5", "涪城区", RURAL,
         history=("2023-05",), keeps=(RURAL, "510703", 130000.0)),
    Warn("ytd_jumps", lambda: xlsx(put(G, "G5", 2000)), "implausible_jump", "G5", "涪城区", BRAND,
         history=("2023-04", "2023-05"), keeps=(BRAND, "510703", 2000.0)),
    Warn("monthly_and_ytd_disagree", _pairs_off, "pair_mismatch", "J6", "涪城区", BRAND, history=("2023-05",),
         keeps=(BRAND, "510703", 620.0)),
    Warn("value_outside_target_scope", _key_area_in_mianyang, "out_of_scope_value", "I6", "游仙区",
         "key_area_skill_training", keeps=(BRAND, "510704", 480.0)),
]


@pytest.mark.parametrize("case", WARNINGS, ids=[w.id for w in WARNINGS])
def test_a_file_with_warnings_only_needs_confirmation(ready_engine, case: Warn):
    for month in case.history:
        import_month(ready_engine, month)
    before = row_counts(ready_engine)

    refused = import_bytes(ready_engine, case.make(), "绵阳.xlsx")
    assert refused.status == "refused" and refused.needs_confirmation
    assert not errors(refused.problems)
    first = warnings(refused.problems)[0]
    assert (first.code, first.sheet, first.cell, first.county, first.target) == (
        case.code, "Sheet1", case.cell, case.county, case.target), [
        (p.code, p.cell, p.county, p.target) for p in refused.problems]
    assert CJK.search(first.message())
    assert row_counts(ready_engine) == before

    accepted = import_bytes(ready_engine, case.make(), "绵阳.xlsx", accept_warnings=True)
    assert accepted.status == "imported"
    submissions, values = row_counts(ready_engine)
    assert (submissions, values) == (before[0] + 1, before[1] + accepted.values)
    target, county, value = case.keeps
    assert stored(ready_engine, "2023-06")[(target, county, "2023-06")] == value


def test_missing_counties_warning_names_them(ready_engine):
    outcome = import_bytes(ready_engine, _without_pingwu(), "绵阳.xlsx")
    (warning,) = outcome.problems
    assert warning.code == "missing_counties"
    assert warning.message() == "绵阳市有 1 个县（市、区）未填报：平武县（可以部分报送，报送率会显示）"


def test_level_drop_message_names_the_figures(ready_engine):
    import_month(ready_engine, "2023-05")
    (warning,) = import_bytes(ready_engine, xlsx(put(G, "C5", 70000)), "绵阳.xlsx").problems
    assert warning.message() == "“农村劳动力转移就业人数”由上月的 96500 降至 70000（下降 27%），请核实"
