"""Spreadsheet exports: any tables as .xlsx (safe against formula injection), and ``tracker report``."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from tracker.cli import main
from tracker.model.units import format_percent
from tracker.outputs.exports import display_width, monthly_report, sheet_names, to_xlsx

PLAN = "sichuan-2023-citizenization"
INJECTIONS = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=y", "=HYPERLINK(\"http://x\",\"y\")"]


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))


def _table(sheet) -> tuple[list, list[tuple]]:
    """Header and rows of a sheet's table: the header is the row just above the frozen pane."""
    assert sheet.freeze_panes, f"{sheet.title}: no frozen header"
    header_row = int(re.sub(r"\D", "", sheet.freeze_panes)) - 1
    rows = list(sheet.iter_rows(min_row=header_row, values_only=True))
    return list(rows[0]), [r for r in rows[1:] if any(v is not None for v in r)]


def _cells(sheet) -> dict[str, dict]:
    """The table's cells (with their number formats) by the first column's text and the header."""
    header_row = int(re.sub(r"\D", "", sheet.freeze_panes)) - 1
    header = [c.value for c in sheet[header_row]]
    return {row[0].value: dict(zip(header, row)) for row in sheet.iter_rows(min_row=header_row + 1)
            if row[0].value is not None}


def _sheet_xml(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()
                if name.startswith("xl/worksheets/") and name.endswith(".xml")}


# --------------------------------------------------------------------------------------------------- to_xlsx


def test_to_xlsx_round_trip_keeps_sheets_headers_numbers_and_fits_widths():
    figures = pd.DataFrame({
        "地区": ["成都市", "绵阳市", "甘孜藏族自治州"],
        "实际（人）": np.array([1200, 35_512, 7], dtype="int64"),
        "完成率": [0.355, 1.02, float("nan")],
        "note": ["ok", None, "x"],
    })
    other = pd.DataFrame({"a": [1.5], "b": [True], "c": [pd.Timestamp("2023-06-30 12:00")]})
    data = to_xlsx({"分市州": figures, "raw": other}, title="劳务品牌培训人数 · 2023年6月",
                   notes=["截至 2023年6月", "示例数据"])
    book = _book(data)
    assert book.sheetnames == ["分市州", "raw"]
    sheet = book["分市州"]
    assert sheet["A1"].value == "劳务品牌培训人数 · 2023年6月" and sheet["A1"].font.b
    assert [sheet["A2"].value, sheet["A3"].value] == ["截至 2023年6月", "示例数据"]
    header, rows = _table(sheet)
    assert header == ["地区", "实际（人）", "完成率", "note"]
    header_row = int(sheet.freeze_panes[1:]) - 1
    assert all(sheet.cell(header_row, c).font.b for c in range(1, 5))
    assert rows[0] == ("成都市", 1200, 0.355, "ok")
    assert rows[2][:3] == ("甘孜藏族自治州", 7, None)  # NaN is an empty cell, not text
    numbers = [sheet.cell(header_row + 1 + i, 2) for i in range(3)]
    assert all(c.data_type == "n" and isinstance(c.value, int) for c in numbers)
    assert sheet.cell(header_row + 1, 3).data_type == "n"
    # widths follow the display width: seven CJK characters need more room than "note"
    widths = {k: v.width for k, v in sheet.column_dimensions.items()}
    assert widths["A"] >= display_width("甘孜藏族自治州") == 14
    assert widths["A"] > widths["D"]
    _, raw_rows = _table(book["raw"])
    assert raw_rows == [(1.5, True, dt.datetime(2023, 6, 30, 12, 0))]


def test_sheet_names_are_cut_legal_and_unique():
    long = "重点帮扶地区职业技能培训人次" * 3
    names = sheet_names([long, long, "a/b:c?", "A/B:C?", "", "'quoted'", "History"])
    assert all(0 < len(n) <= 31 for n in names)
    assert len({n.casefold() for n in names}) == len(names)
    assert names[2] == "a_b_c_"
    assert not any(set(n) & set("[]:*?/\\") for n in names)
    assert not any(n.startswith("'") or n.endswith("'") for n in names)
    data = to_xlsx({long: pd.DataFrame({"x": [1]}), long + "2": pd.DataFrame({"x": [2]})})
    assert len(_book(data).sheetnames) == 2


def test_text_that_would_start_a_formula_is_neutralised_and_numbers_are_not():
    frame = pd.DataFrame({"text": INJECTIONS + ["#N/A", "plain", "-"],
                          "number": [-5, -2.5, 0, 1, 2, 3, 4, 5, 6, 7]})
    data = to_xlsx({"s": frame}, title="=title", notes=["+note"])
    sheet = _book(data)["s"]
    header, rows = _table(sheet)
    header_row = int(sheet.freeze_panes[1:]) - 1
    for i, text in enumerate(INJECTIONS):
        cell = sheet.cell(header_row + 1 + i, 1)
        assert cell.data_type == "s", text
        # the stored value is the neutralised text (without defusedxml, XML reads a bare carriage return back as a
        # line feed; with it, the carriage return survives)
        assert cell.value in ("'" + text, "'" + text.replace("\r", "\n"))
    assert sheet.cell(header_row + 1 + len(INJECTIONS), 1).value == "#N/A"  # text, not an error value
    assert sheet.cell(header_row + 1 + len(INJECTIONS), 1).data_type == "s"
    assert [r[0] for r in rows[-2:]] == ["plain", "'-"]
    negative = sheet.cell(header_row + 1, 2)
    assert negative.value == -5 and negative.data_type == "n"  # a negative number stays a number
    assert sheet.cell(header_row + 2, 2).value == -2.5
    assert sheet["A1"].value == "'=title" and sheet["A2"].value == "'+note"
    xml = _sheet_xml(data)
    assert xml and not any(re.search(r"<(\w+:)?f[ >/]", text) for text in xml.values())


def test_injected_headers_and_sheet_titles_are_text_too():
    data = to_xlsx({"=x": pd.DataFrame({"=cmd|' /C calc'!A0": ["v"], "@h": [1]})})
    sheet = _book(data).worksheets[0]
    assert sheet.title == "=x"  # sheet names are never evaluated
    header, _ = _table(sheet)
    assert header == ["'=cmd|' /C calc'!A0", "'@h"]
    assert not any("<f>" in text for text in _sheet_xml(data).values())


def test_an_empty_table_still_makes_a_workbook():
    data = to_xlsx({"空": pd.DataFrame()}, title="无数据")
    assert _book(data)["空"]["A1"].value == "无数据"
    assert _book(to_xlsx({})).sheetnames  # a workbook needs a sheet


# --------------------------------------------------------------------------------------------------- tracker report


def _progress(capsys, as_of: str) -> list[dict]:
    assert main(["progress", "--plan", PLAN, "--as-of", as_of, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)["rows"]


def test_report_on_the_demo_database(demo_env, tmp_path, capsys):
    from loaders.plans import get_plan
    from loaders.regions import load_divisions, resolve_scopes

    plan = get_plan(PLAN)
    rows = _progress(capsys, "2023-06")
    out = tmp_path / "月报-2023-06.xlsx"
    assert main(["report", "--plan", PLAN, "--as-of", "2023-06", "-o", str(out)]) == 0
    line = capsys.readouterr().out.strip()
    assert len(line.splitlines()) == 1 and str(out) in line and "10 个工作表" in line

    book = load_workbook(out)
    names = [t.name.zh for t in plan.targets]
    assert book.sheetnames == ["总览", *names, "工作任务", "数据说明"]
    for sheet in book.worksheets:  # every sheet says the plan, the month and that these are demo figures
        heading = " ".join(str(sheet.cell(r, 1).value) for r in range(1, 5))
        assert plan.title.zh in heading and "2023年6月" in heading and "单位" in heading and "示例数据" in heading

    header, overview = _table(book["总览"])
    for column in ("指标", "实际", "目标", "应达", "完成率", "状态", "报送县数", "截至"):
        assert column in header
    assert any(h.startswith("进度") for h in header)
    assert [r[header.index("指标")] for r in overview] == names
    # figures are numbers a column can be summed by, in the reader's scale (万人 for a target counted in 万)
    cells = _cells(book["总览"])
    for row in rows:
        target = plan.target(row["target"])
        cell = cells[target.name.zh]["实际"]
        assert isinstance(cell.value, (int, float)), (target.id, cell.value)
        if target.value >= 100_000:
            assert cell.value == pytest.approx(row["actual"] / 10_000)
            assert cell.number_format == f'#,##0.00"万{target.unit}"'
        else:
            assert cell.value == round(row["actual"]) and cell.number_format == f'#,##0"{target.unit}"'
        expected = cells[target.name.zh]["应达"].value * (10_000 if target.value >= 100_000 else 1)
        assert expected == pytest.approx(round(expected)), "expected-by-now in whole persons"
        pace = cells[target.name.zh][next(h for h in header if h.startswith("进度"))]
        assert pace.number_format == "0.0%" and f"{pace.value * 100:.1f}%" == format_percent(row["pace"])

    tree, scopes = load_divisions(), resolve_scopes(plan)
    for target in plan.targets:
        sheet = book[target.name.zh]
        header, prefectures = _table(sheet)
        assert header[:2] == ["地区", "实际"]
        if target.id in scopes:  # a scoped target lists the prefectures of its counties and says so
            expected = {tree[tree.prefecture_of(c)].name for c in scopes[target.id]}
            assert {r[0] for r in prefectures} == expected and len(prefectures) == len(expected)
            assert any("统计范围" in str(sheet.cell(r, 1).value) for r in range(1, 8))
        else:
            assert len(prefectures) == 21
            assert {r[0] for r in prefectures} == {p.name for p in tree.level("prefecture")}
    assert len(scopes) < len(plan.targets)

    header, milestones = _table(book["工作任务"])
    assert header[0] == "工作任务" and "状态" in header
    assert len(milestones) == len(plan.milestones)

    header, about = _table(book["数据说明"])
    text = "\n".join(f"{a}：{b}" for a, b in about)
    assert "示例数据" in text and "2023年6月" in text and plan.title.zh in text
    assert "95.0%" in text and "85.0%" in text  # the status thresholds of targets/progress.yaml
    assert not any("<f>" in x for x in _sheet_xml(out.read_bytes()).values())


def test_report_in_english(demo_env, tmp_path, capsys):
    out = tmp_path / "report.xlsx"
    assert main(["report", "--as-of", "2023-09", "-o", str(out), "--lang", "en"]) == 0
    assert "10 sheets" in capsys.readouterr().out
    book = load_workbook(out)
    assert book.sheetnames[0] == "Overview" and book.sheetnames[-2:] == ["Measures", "About the data"]
    assert all(len(n) <= 31 for n in book.sheetnames)
    header, overview = _table(book["Overview"])
    assert header[:3] == ["Target", "Task", "Actual"] and "Status" in header and "Expected by now" in header
    assert [r[0] for r in overview][4] == "Labour-brand trainees"
    assert "100 thousand persons (read as “at least”)" in overview[4]  # the plan says "开展…10万人": an assumption
    assert len(set(header)) == len(header)
    assert "As of Sep 2023" in [book["Overview"].cell(r, 1).value for r in range(1, 6)]
    header, _ = _table(book.worksheets[1])
    assert header[:2] == ["Region", "Actual"]
    _, about = _table(book["About the data"])
    assert any("Demo data" in str(v) for _, v in about)


def test_monthly_report_for_a_plan_without_targets(demo_url):
    from tracker.store.db import get_engine

    when = dt.datetime(2024, 1, 31, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    data = monthly_report(get_engine(demo_url), "sichuan-2022-work-points", "2022-12", generated_at=when)
    book = _book(data)
    assert book.sheetnames == ["总览", "工作任务", "数据说明"]
    assert "本方案没有量化目标" in " ".join(str(c.value) for c in book["总览"]["A"] if c.value)
    _, about = _table(book["数据说明"])
    assert dict(about)["生成时间"] == "2024-01-31 09:30 (UTC+08:00)"


@pytest.mark.parametrize("args, message", [
    (["report", "--as-of", "2023-13", "-o", "x.xlsx"], "YYYY-MM"),
    (["report", "--as-of", "2023-06"], "-o"),
    (["report", "--as-of", "2023-06", "-o", "x.xlsx", "--lang", "fr"], "invalid choice"),
    (["report", "--as-of", "2023-06", "-o", "x.xlsx", "--plan", "no-such-plan"], "未知方案"),
])
def test_report_usage_errors_exit_2(demo_env, tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.xlsx").exists()


def test_report_to_an_unwritable_place_exits_2(demo_env, tmp_path, capsys):
    assert main(["report", "--as-of", "2023-06", "-o", str(tmp_path / "no" / "such" / "dir.xlsx")]) == 2
    assert "无法写入" in capsys.readouterr().err


def test_report_before_init_says_to_run_init(database_url, tmp_path, capsys):
    assert main(["report", "--as-of", "2023-06", "-o", str(tmp_path / "r.xlsx")]) == 2
    assert "tracker init" in capsys.readouterr().err
    assert not (tmp_path / "r.xlsx").exists()
