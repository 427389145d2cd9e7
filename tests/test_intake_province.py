"""Province-wide sheets, prefecture total rows, sheet-wide units and code/name disagreements."""
from __future__ import annotations

import sqlalchemy as sa

from tests.intake_files import CODES, JUNE, NAMES, good_rows, import_bytes, put, stored, xlsx
from tracker import store

PLAN = "sichuan-2023-citizenization"


def _province_rows() -> list[list]:
    """绵阳's nine counties and 德阳's six in one sheet, each prefecture followed by its own total row."""
    deyang = [("510603", "旌阳区"), ("510604", "罗江区"), ("510623", "中江县"), ("510681", "广汉市"),
              ("510682", "什邡市"), ("510683", "绵竹市")]
    rows = [["2023年6月全省农民工工作统计表"], ["区划代码", "县（市、区）", "劳务品牌培训人数（人）"]]
    for i, (code, name) in enumerate(zip(CODES, NAMES)):
        rows.append([code, name, 100 + i])
    rows.append([None, "绵阳市", sum(100 + i for i in range(9))])
    for i, (code, name) in enumerate(deyang):
        rows.append([code, name, 200 + i])
    rows.append([None, "德阳市", sum(200 + i for i in range(6))])
    rows.append([None, "合计", sum(100 + i for i in range(9)) + sum(200 + i for i in range(6))])
    return rows


def test_a_province_wide_sheet_becomes_one_submission_per_prefecture(ready_engine):
    outcome = import_bytes(ready_engine, xlsx(_province_rows()), "全省6月.xlsx", prefecture=None,
                           accept_warnings=True)
    assert outcome.status == "imported", [(p.code, p.cell) for p in outcome.problems]
    assert sorted(outcome.returns) == [("510600", "2023-06"), ("510700", "2023-06")]
    assert len(outcome.submissions) == 2
    warning = next(p for p in outcome.problems if p.code == "missing_counties")
    assert warning.params["n"] == 183 - 15 and warning.params["prefecture"] == "四川省"
    with ready_engine.connect() as conn:
        by_prefecture = dict(conn.execute(sa.text(
            "select prefecture_code, n_values from submissions order by prefecture_code")).all())
    assert by_prefecture == {"510600": 6, "510700": 9}
    values = store.current_values(ready_engine, PLAN).set_index("region")["value"]
    assert values["510703"] == 100 and values["510683"] == 205


def test_a_prefecture_total_row_that_disagrees_is_an_error_at_its_cell(ready_engine):
    rows = _province_rows()
    rows[11][2] = 1  # the 绵阳市 row
    outcome = import_bytes(ready_engine, xlsx(rows), "全省6月.xlsx", prefecture=None, accept_warnings=True)
    assert outcome.status == "refused"
    assert [(p.code, p.cell) for p in outcome.problems if p.severity == "error"] == [("total_mismatch", "C12")]


def test_a_row_named_after_the_prefecture_is_its_total_not_an_unknown_county(ready_engine):
    rows = good_rows(targets=["labor_brand_training"])
    rows.append([None, "绵阳市", sum(JUNE["labor_brand_training"])])
    outcome = import_bytes(ready_engine, xlsx(rows), "绵阳6月.xlsx")
    assert outcome.status == "imported", [(p.code, p.cell) for p in outcome.problems]


def test_a_unit_line_in_another_unit_is_refused_at_the_line(ready_engine):
    rows = good_rows(targets=["labor_brand_training"])
    rows = put(put(rows, "D2", "单位：万元"), "C4", "劳务品牌培训人数")  # the header states no unit of its own
    outcome = import_bytes(ready_engine, xlsx(rows), "绵阳6月.xlsx")
    assert [(p.code, p.cell) for p in outcome.problems] == [("unit_mismatch", "D2")]


def test_a_code_and_name_of_different_counties_is_refused(ready_engine):
    rows = good_rows(targets=["labor_brand_training"])
    rows = put(rows, "A6", "510705")  # the row says 游仙区 but carries 安州区's code
    outcome = import_bytes(ready_engine, xlsx(rows), "绵阳6月.xlsx")
    errors = [(p.code, p.cell, p.county) for p in outcome.problems if p.severity == "error"]
    assert errors[0] == ("county_code_mismatch", "B6", "510705 / 游仙区")


def test_a_valid_code_beside_a_mistyped_name_is_counted_by_its_code_with_a_warning(ready_engine):
    rows = good_rows(targets=["labor_brand_training"])
    three = next(i for i, row in enumerate(rows) if row and row[0] == "510722")
    rows[three][1] = "三台悬"  # a typo: no county is called that; the code is 三台县's
    refused = import_bytes(ready_engine, xlsx(rows), "绵阳6月.xlsx")
    warned = [(p.code, p.cell, p.county, p.severity) for p in refused.problems]
    assert ("county_name_mismatch", f"B{three + 1}", "三台县", "warning") in warned
    assert refused.status == "refused"  # a warning stops the import until someone confirms it
    message = next(p for p in refused.problems if p.code == "county_name_mismatch").message()
    assert "510722" in message and "三台县" in message and "“三台悬”" in message
    done = import_bytes(ready_engine, xlsx(rows), "绵阳6月.xlsx", accept_warnings=True)
    assert done.status == "imported" and ("labor_brand_training", "510722", "2023-06") in stored(ready_engine)


def test_an_identical_file_once_confirmed_is_unchanged_not_asked_again(ready_engine):
    rows = good_rows(targets=["labor_brand_training"])
    rows.pop()  # 江油市 missing: a warning
    data = xlsx(rows)
    assert import_bytes(ready_engine, data, "绵阳6月.xlsx").status == "refused"
    assert import_bytes(ready_engine, data, "绵阳6月.xlsx", accept_warnings=True).status == "imported"
    assert import_bytes(ready_engine, data, "绵阳6月.xlsx").status == "unchanged"
