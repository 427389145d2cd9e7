"""Good but messy county returns, as officials make them by hand: each is imported on SQLite and PostgreSQL and
the exact figures stored are compared with what the sheet means. Then the template round trip: download, fill,
upload, see the sums in ``tracker progress``; a corrected re-upload supersedes one cell; the same file again
changes nothing.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import pytest

from tests.intake_files import (
    JUNE,
    MAY,
    MIANYANG,
    NAME_ZH,
    PLAN_ID,
    TARGETS,
    SheetSpec,
    changed,
    csv_bytes,
    expected,
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
from tracker.store import value_history

G = good_rows()
GN = good_rows(codes=False)
RURAL, POVERTY = "rural_labor_transfer", "poverty_labor_transfer"
RETURN, LEADERS = "return_entrepreneurship_training", "rural_wealth_leaders"
BRAND, CRAFT = "labor_brand_training", "rural_craftsman_training"
FOOTER = [[], ["填表人：张三", None, "审核人：李四", None, "联系电话：0816-2345678"], ["填报日期：2023年7月5日"]]


@dataclass(frozen=True)
class Good:
    id: str
    make: Callable[[], bytes]
    values: dict  # {(target, county, period): value} the import must store, exactly
    name: str = "绵阳市2023年6月.xlsx"
    period: str | None = "2023-06"
    prefecture: str | None = MIANYANG
    history: tuple[str, ...] = ()
    submissions: int = 1
    returns: list = field(default_factory=lambda: [(MIANYANG, "2023-06")])


def _pairs(words=("本月", "本年累计"), previous=MAY) -> bytes:
    rows, merged = pair_rows(JUNE, previous, words=words)
    return xlsx(rows, merged)


def _wan() -> tuple[list[list], dict]:
    """单位：万人 line, two decimals (12.34 万人 = 123400; 0.57 and 2.01 万人 would truncate to 5699 and 20099),
    and a column in persons that states its own unit."""
    rows = wan_rows()
    rows = put(put(put(rows, "B5", 12.34), "C12", 0.57), "C8", 2.01)
    rows = put(rows, "D4", "劳务品牌培训人数（人）")
    for k in range(9):
        rows = put(rows, f"D{5 + k}", JUNE[BRAND][k])
    values = expected(JUNE, targets=[RURAL, POVERTY, BRAND])
    values[(RURAL, "510703", "2023-06")] = 123400.0
    values[(POVERTY, "510727", "2023-06")] = 5700.0
    values[(POVERTY, "510722", "2023-06")] = 20100.0
    return rows, values


WAN_ROWS, WAN_VALUES = _wan()


def _headers_and_names() -> bytes:
    """Full-width brackets, stray spaces, aliases, names without their suffix, columns in another order."""
    order = [RURAL, POVERTY, BRAND, CRAFT, LEADERS, RETURN]
    rows = [["２０２３年６月  农民工工作统计表"], ["填报单位：绵阳市人社局"], [],
            ["县 （市、区）", "农村劳动力转移就业 （人）", "脱贫劳动力务工就业人数【人】", " 劳务品牌培训 ", "乡村建设带头工匠(人)",
             "致富带头人人数", "返乡创业培训（ 人 ）"]]
    short = ["涪城", "游仙", "安州", "三台", "盐亭", "梓潼", "北川", "平武", "江油"]
    rows += [[name] + [JUNE[t][k] for t in order] for k, name in enumerate(short)]
    return xlsx(rows)


def _codes_mixed() -> bytes:
    """One column holding codes (numbers, text, full-width, padded) and names, with and without suffix."""
    labels = [510703, "510704", "５１０７０５", "三台", " 盐亭县 ", "梓潼", "北川", "510727", "江油市"]
    rows = put(GN, "A4", "地区")
    for k, label in enumerate(labels):
        rows = put(rows, f"A{5 + k}", label)
    return xlsx(rows)


def _totals_subtotals_blanks_footer() -> bytes:
    rows = insert(G, 4, total_row(G))  # 合计 right under the header
    subtotal = [None, "小计", 1, 2, 3, 4, 5, 6]  # a group's subtotal: not a county and not checked
    rows = insert(rows, 8, subtotal, [], [None, None, None])  # after 安州区
    rows = rows + [[], total_row(G, "总计")] + FOOTER
    return xlsx(rows, ["A1:H1"])


def _bare_dates_below() -> bytes:
    """The day the return was made, on its own below the table: as text at the right and as a date cell."""
    return xlsx(G + [[], [None] * 7 + ["2023年7月5日"], [None, datetime(2023, 7, 5)], ["2023-07-05"]])


def _units_in_second_header_row() -> tuple[bytes, dict]:
    """Names in row 4, units in row 5 (人 | 万人 | （万人）| 单位：人), counties from row 6."""
    rows = insert(G, 4, [None, None, "万人", "（万人）", "人", "单位：人", "人", None])
    rows = put(put(rows, "A4", "区划代码"), "B4", "县（市、区）")
    for target, letter in ((RURAL, "C"), (POVERTY, "D")):
        rows = put(rows, f"{letter}4", NAME_ZH[target])
        for k in range(9):
            rows = put(rows, f"{letter}{6 + k}", JUNE[target][k] / 10000)
    rows = put(rows, "D7", 0.57)  # 游仙区: 5700, not 5699
    values = expected(JUNE)
    values[(POVERTY, "510704", "2023-06")] = 5700.0
    return xlsx(rows, ["A4:A5", "B4:B5"]), values


def _units_in_headers() -> bytes:
    """Units written into the headers three ways, each scaling its own column; the other columns in persons."""
    rows = put(put(G, "C4", "农村劳动力转移就业人数/万人"), "D4", "脱贫劳动力转移就业人数（单位：万人）")
    rows = put(rows, "G4", "劳务品牌培训人数 [ 人 ]")
    for target, letter in ((RURAL, "C"), (POVERTY, "D")):
        for k in range(9):
            rows = put(rows, f"{letter}{5 + k}", JUNE[target][k] / 10000)
    return xlsx(put(rows, "D2", "单位：人"))


def _text_numbers() -> tuple[bytes, dict]:
    rows = put(G, "C5", "98,000")
    rows = put(rows, "C6", "８６０００")
    rows = put(rows, "C7", "72000 ")
    rows = put(rows, "C8", "１６５，０００")
    rows = put(rows, "D9", " 8 800 ")
    rows = put(rows, "G8", "1,100")
    rows = put(rows, "E13", "150.0")
    return xlsx(rows), expected(JUNE)


def _instructions_then_data() -> bytes:
    instructions = [["填报说明"], ["1. 请按县（市、区）填写劳务品牌培训人数等指标，单位：人。"], ["2. 转移就业人数填月末数。"],
                    ["3. 2023年7月5日前报送。"]]
    return xlsx(sheets=[SheetSpec("填报说明", instructions), SheetSpec("数据", G)])


def _summary_sheet_first() -> bytes:
    """A prefecture summary (targets but no county) before the county sheet: not a county table, skipped."""
    summary = [["2023年6月全省汇总"], ["市（州）", "劳务品牌培训人数", "农村劳动力转移就业人数"], ["绵阳市", 4930, 779000],
               ["德阳市", 3100, 650000]]
    return xlsx(sheets=[SheetSpec("汇总", summary), SheetSpec("分县", G)])


def _hidden_junk_sheet() -> bytes:
    junk = [["县（市、区）", "劳务品牌培训人数"], ["涪城区", "不算"]]
    return xlsx(sheets=[SheetSpec("数据", G), SheetSpec("草稿", junk, hidden=True)])


def _two_months() -> bytes:
    return xlsx(sheets=[SheetSpec("5月", good_rows(MAY, title=False)), SheetSpec("6月", good_rows(JUNE, title=False))])


def _two_titled_months() -> bytes:
    return xlsx(sheets=[SheetSpec("五月", good_rows(MAY, period_label="2023年5月")),
                        SheetSpec("六月", good_rows(JUNE))])


def _empty_is_not_zero() -> tuple[bytes, dict]:
    rows = put(G, "G5", None)     # 涪城区 劳务品牌: not reported
    rows = put(rows, "H6", "—")  # 游仙区 工匠: not reported
    rows = put(rows, "F7", "无")  # 安州区 致富带头人: not reported
    rows = put(rows, "E8", " ")  # 三台县 返乡创业培训: a space, not reported
    rows = put(rows, "H9", 0)    # 盐亭县 工匠: zero is a figure
    rows = put(rows, "F10", "0")
    values = expected(JUNE)
    for key in ((BRAND, "510703"), (CRAFT, "510704"), (LEADERS, "510705"), (RETURN, "510722")):
        del values[(*key, "2023-06")]
    values[(CRAFT, "510723", "2023-06")] = 0.0
    values[(LEADERS, "510725", "2023-06")] = 0.0
    return xlsx(rows), values


def _cached_formulas() -> bytes:
    rows = put(G, "G5", "=600+20")
    cached = {"G5": 620}
    total = total_row(G)
    for c, letter in enumerate("CDEFGH", start=2):
        total[c] = f"=SUM({letter}5:{letter}13)"
        cached[f"{letter}14"] = sum(JUNE[TARGETS[c - 2]])
    return xlsx(rows + [total], cached=cached)


def _xls_pairs() -> bytes:
    rows, merged = pair_rows(JUNE, MAY)
    return xls(rows, merged)


def _csv(encoding: str) -> bytes:
    rows = insert(G, 4, total_row(G)) + FOOTER
    rows = put(rows, "C7", "86,000")  # 游仙区, text with a separator (quoted in the CSV)
    return csv_bytes(rows, encoding)


EMPTY_BYTES, EMPTY_VALUES = _empty_is_not_zero()
UNIT_ROW_BYTES, UNIT_ROW_VALUES = _units_in_second_header_row()
TEXT_BYTES, TEXT_VALUES = _text_numbers()
JUNE_VALUES = expected(JUNE)
BOTH_MONTHS = {**expected(MAY, "2023-05"), **expected(JUNE)}
TWO_RETURNS = [(MIANYANG, "2023-05"), (MIANYANG, "2023-06")]

CASES = [
    Good("title_and_note_rows", lambda: xlsx(G, ["A1:H1"]), JUNE_VALUES),
    Good("two_header_rows_with_merged_pairs", _pairs, JUNE_VALUES, history=("2023-05",)),
    Good("pairs_dangyue_leiji_first_month_reported", lambda: _pairs(("当月", "累计"), None), JUNE_VALUES),
    Good("wan_line_two_decimals", lambda: xlsx(WAN_ROWS), WAN_VALUES),
    Good("full_width_brackets_spaces_aliases_short_names", _headers_and_names, JUNE_VALUES),
    Good("codes_and_names_mixed_in_one_column", _codes_mixed, JUNE_VALUES),
    Good("totals_top_and_bottom_subtotals_blanks_footer", _totals_subtotals_blanks_footer, JUNE_VALUES),
    Good("bare_dates_below_the_table", _bare_dates_below, JUNE_VALUES),
    Good("units_in_a_second_header_row", lambda: UNIT_ROW_BYTES, UNIT_ROW_VALUES),
    Good("units_in_the_headers", _units_in_headers, JUNE_VALUES),
    Good("numbers_as_text", lambda: TEXT_BYTES, TEXT_VALUES),
    Good("instructions_sheet_then_data_sheet", _instructions_then_data, JUNE_VALUES),
    Good("summary_sheet_before_the_county_sheet", _summary_sheet_first, JUNE_VALUES),
    Good("hidden_draft_sheet_ignored", _hidden_junk_sheet, JUNE_VALUES),
    Good("sheets_5yue_6yue", _two_months, BOTH_MONTHS, submissions=2, returns=TWO_RETURNS),
    Good("titled_monthly_sheets_month_from_titles", _two_titled_months, BOTH_MONTHS, period=None, submissions=2,
         returns=TWO_RETURNS),
    Good("empty_is_not_reported_zero_is_zero", lambda: EMPTY_BYTES, EMPTY_VALUES),
    Good("formulas_read_as_cached_values", _cached_formulas, JUNE_VALUES),
    Good("month_and_prefecture_from_the_file", lambda: xlsx(G), JUNE_VALUES, period=None, prefecture=None),
    Good("csv_utf8", lambda: _csv("utf-8"), JUNE_VALUES, name="绵阳6月.csv"),
    Good("csv_utf8_bom", lambda: _csv("utf-8-sig"), JUNE_VALUES, name="绵阳6月.csv"),
    Good("csv_gb18030", lambda: _csv("gb18030"), JUNE_VALUES, name="绵阳6月.csv"),
    Good("csv_gb18030_semicolons", lambda: csv_bytes(G, "gb18030", ";"), JUNE_VALUES, name="绵阳6月.csv"),
    Good("xls_legacy", lambda: xls(G + FOOTER, ["A1:H1"]), JUNE_VALUES, name="绵阳6月.xls"),
    Good("xls_two_header_rows_with_merged_pairs", _xls_pairs, JUNE_VALUES, name="绵阳6月.xls", history=("2023-05",)),
]


def test_the_corpus_is_large_and_distinct():
    assert len(CASES) >= 10
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_messy_file_is_imported_with_the_exact_figures(ready_engine, case: Good):
    for month in case.history:
        import_month(ready_engine, month)
    before = row_counts(ready_engine)
    history = stored(ready_engine)

    outcome = import_bytes(ready_engine, case.make(), case.name, period=case.period, prefecture=case.prefecture)

    assert outcome.status == "imported", [(p.code, p.sheet, p.cell, p.message()) for p in outcome.problems]
    assert outcome.problems == []
    assert sorted(outcome.returns) == case.returns
    assert len(outcome.submissions) == case.submissions
    assert outcome.values == len(case.values)
    assert row_counts(ready_engine) == (before[0] + case.submissions, before[1] + len(case.values))
    now = stored(ready_engine)
    assert {k: v for k, v in now.items() if k in case.values} == case.values
    assert {k: v for k, v in now.items() if k not in case.values} == history


# --------------------------------------------------------------------------------------------- template round trip

def _progress(capsys) -> dict[str, dict]:
    from tracker.cli import main

    capsys.readouterr()
    assert main(["progress", "--as-of", "2023-06", "--level", "prefecture", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    return {r["target"]: r for r in out["rows"] if r["region"] == MIANYANG}


def test_template_round_trip_reaches_the_progress_report(ready_engine, capsys):
    outcome = import_bytes(ready_engine, filled_template(figures=JUNE), "绵阳市2023年6月月报.xlsx")
    assert outcome.status == "imported", [(p.code, p.cell) for p in outcome.problems]
    assert outcome.problems == []
    assert stored(ready_engine) == JUNE_VALUES

    rows = _progress(capsys)
    # hand-computed: the sums of the nine counties' figures
    hand = {RURAL: 779000, POVERTY: 56500, RETURN: 940, LEADERS: 23, BRAND: 4930, CRAFT: 46}
    assert hand == {t: sum(JUNE[t]) for t in TARGETS}
    for target, total in hand.items():
        assert rows[target]["actual"] == total, target
        assert rows[target]["reported"] == 9 and rows[target]["expected_reporters"] == 9
        assert rows[target]["region_name"] == "绵阳市"
    # the key-assistance target has no 绵阳 county in scope: no row for 绵阳, nothing invented
    assert set(rows) == set(TARGETS)


def test_reupload_with_one_changed_cell_supersedes_only_that_cell(ready_engine, capsys):
    first = import_bytes(ready_engine, filled_template(figures=JUNE), "绵阳6月.xlsx")
    assert first.status == "imported"
    corrected = changed(JUNE, BRAND, "涪城区", 650)
    second = import_bytes(ready_engine, filled_template(figures=corrected), "绵阳6月（更正）.xlsx")
    assert second.status == "imported", [(p.code, p.cell) for p in second.problems]
    assert second.submissions[0] > first.submissions[0]

    now = stored(ready_engine)
    assert {k for k in now if now[k] != JUNE_VALUES[k]} == {(BRAND, "510703", "2023-06")}
    assert now[(BRAND, "510703", "2023-06")] == 650.0
    history = value_history(ready_engine, PLAN_ID, BRAND, "510703", "2023-06")
    assert list(history["value"]) == [650.0, 620.0]  # newest first, the earlier figure kept
    assert list(history["submission"]) == [second.submissions[0], first.submissions[0]]
    assert list(history["file_name"]) == ["绵阳6月（更正）.xlsx", "绵阳6月.xlsx"]
    unchanged = value_history(ready_engine, PLAN_ID, BRAND, "510704", "2023-06")
    assert list(unchanged["value"]) == [480.0, 480.0]
    assert _progress(capsys)[BRAND]["actual"] == sum(JUNE[BRAND]) + 30


def test_identical_reupload_is_unchanged_and_writes_nothing(ready_engine):
    data = filled_template(figures=JUNE)
    assert import_bytes(ready_engine, data, "绵阳6月.xlsx").status == "imported"
    before = row_counts(ready_engine)
    again = import_bytes(ready_engine, data, "绵阳6月-副本.xlsx")
    assert again.status == "unchanged"
    assert again.submissions == []
    assert row_counts(ready_engine) == before
    assert stored(ready_engine) == JUNE_VALUES


def test_identical_multi_sheet_reupload_is_unchanged(ready_engine):
    data = _two_months()
    assert import_bytes(ready_engine, data, "绵阳5-6月.xlsx").status == "imported"
    before = row_counts(ready_engine)
    assert import_bytes(ready_engine, data, "绵阳5-6月.xlsx").status == "unchanged"
    assert row_counts(ready_engine) == before


def test_a_later_month_checks_against_the_template_month(ready_engine):
    """A May template then a hand-made June file: June is judged against May (no warning when consistent)."""
    may = import_bytes(ready_engine, filled_template("2023-05", figures=MAY), "绵阳5月.xlsx", period="2023-05")
    assert may.status == "imported" and may.problems == []
    june = import_bytes(ready_engine, xlsx(G), "绵阳6月.xlsx")
    assert june.status == "imported" and june.problems == []
    assert stored(ready_engine) == {**expected(MAY, "2023-05"), **JUNE_VALUES}


LESHAN = [("511102", "市中区"), ("511111", "沙湾区"), ("511112", "五通桥区"), ("511113", "金口河区"), ("511123", "犍为县"),
          ("511124", "井研县"), ("511126", "夹江县"), ("511129", "沐川县"), ("511132", "峨边彝族自治县"),
          ("511133", "马边彝族自治县"), ("511181", "峨眉山市")]


@pytest.mark.parametrize("unit_line, key_header", [
    ("单位：万人次", "重点帮扶地区职业技能培训人次"),
    ("单位：人", "重点帮扶地区职业技能培训人次（万人次）"),
    (None, "乡村振兴重点帮扶地区职业技能培训 / 万人次"),
], ids=["wan_renci_line", "wan_renci_header", "wan_renci_after_slash_alias"])
def test_person_times_in_wan_for_the_scoped_target(ready_engine, unit_line, key_header):
    """乐山市: 市中区 (a name 内江 has too) placed within the prefecture; the key-assistance target (人次) only for its
    two counties in scope, in 万人次; the other counties leave it empty ("—")."""
    rows = [["2023年6月乐山市农民工工作统计表"], ["填报单位：乐山市人社局"], [unit_line] if unit_line else [],
            ["县（市、区）", "劳务品牌培训人数（人）", key_header]]
    key = {"511132": 0.0345, "511133": 0.12}
    for k, (code, name) in enumerate(LESHAN):
        rows.append([name, 100 + 10 * k, key.get(code, "—")])
    outcome = import_bytes(ready_engine, xlsx(rows), "乐山6月.xlsx", prefecture="511100")
    assert outcome.status == "imported", [(p.code, p.cell, p.message()) for p in outcome.problems]
    values = {("labor_brand_training", code, "2023-06"): float(100 + 10 * k) for k, (code, _) in enumerate(LESHAN)}
    values[("key_area_skill_training", "511132", "2023-06")] = 345.0
    values[("key_area_skill_training", "511133", "2023-06")] = 1200.0
    assert stored(ready_engine) == values
