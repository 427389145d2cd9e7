"""``tracker template`` and ``tracker import`` as scripts and offices run them."""
from __future__ import annotations

import json
import subprocess
import sys

import openpyxl
import sqlalchemy as sa

from tests.intake_files import good_rows, put, xlsx
from tracker.cli import main


def _counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (conn.scalar(sa.text("select count(*) from submissions")),
                conn.scalar(sa.text("select count(*) from reported_values")))


def test_template_is_locked_validated_and_carries_its_metadata(tmp_path, ready_engine, capsys):
    path = tmp_path / "t.xlsx"
    assert main(["template", "--period", "2023-06", "--prefecture", "绵阳", "-o", str(path)]) == 0
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:2] == ["填报说明", "数据"]
    meta = {row[0]: row[1] for row in book["_meta"].iter_rows(values_only=True)}
    assert book["_meta"].sheet_state == "hidden"
    assert meta["plan_id"] == "sichuan-2023-citizenization" and meta["period"] == "2023-06"
    assert meta["prefecture"] == "510700" and meta["template_version"] == "1"
    data = book["数据"]
    assert data.protection.sheet is True
    assert (data["A6"].value, data["B6"].value) == ("510703", "涪城区")
    assert data["A6"].protection.locked and not data["C6"].protection.locked
    assert data["C4"].value == "农村劳动力转移就业人数（人）" and data["C5"].value == "月末数"
    assert data["G4"].value == "劳务品牌培训人数（人）" and data["G5"].value == "本年累计"
    rule = data.data_validations.dataValidation[0]
    assert (rule.type, rule.operator, rule.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert str(rule.sqref) == "C6:H14"
    assert "2023年6月" in data["A1"].value and "绵阳市" in data["A2"].value


def test_import_exit_codes_json_and_dry_run(tmp_path, ready_engine, capsys):
    good = tmp_path / "绵阳6月.xlsx"
    good.write_bytes(xlsx(good_rows()))
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(xlsx(put(good_rows(), "G7", "abc")))

    assert main(["import", str(good), "--dry-run", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)["files"][0]
    assert (report["status"], report["dry_run"], report["submission"], report["values"]) == ("imported", True, None, 54)
    assert _counts(ready_engine) == (0, 0)

    assert main(["import", str(bad), str(good), "--format", "json"]) == 1  # one refused: exit 1
    files = json.loads(capsys.readouterr().out)["files"]
    assert [f["status"] for f in files] == ["refused", "imported"]
    problem = files[0]["problems"][0]
    assert {k: problem[k] for k in ("severity", "code", "sheet", "cell", "county", "target")} == {
        "severity": "error", "code": "not_a_number", "sheet": "Sheet1", "cell": "G7", "county": "安州区",
        "target": "labor_brand_training"}
    assert "应为数字" in problem["message"]
    assert _counts(ready_engine) == (1, 54)

    assert main(["import", str(good)]) == 0
    assert "未变化" in capsys.readouterr().out
    assert _counts(ready_engine) == (1, 54)


def test_a_period_option_that_contradicts_the_file_is_refused(tmp_path, ready_engine, capsys):
    good = tmp_path / "绵阳6月.xlsx"
    good.write_bytes(xlsx(good_rows()))
    assert main(["import", str(good), "--period", "2023-07", "--format", "json"]) == 1
    problem = json.loads(capsys.readouterr().out)["files"][0]["problems"][0]
    assert (problem["code"], problem["cell"]) == ("period_conflict", "A1")


def test_usage_errors_exit_2(tmp_path, database_url):
    for args, message in ((["import", str(tmp_path / "nope.xlsx")], "无法读取文件"),
                          (["import", "x.xlsx", "--prefecture", "火星"], "未知的市（州）"),
                          (["import", "x.xlsx", "--period", "2023/06"], "YYYY-MM"),
                          (["template", "--period", "2023-06", "-o", str(tmp_path / "t.xlsx"), "--prefecture", "X"],
                           "未知的市（州）")):
        result = subprocess.run([sys.executable, "-m", "tracker.cli", *args], capture_output=True, text=True,
                                env={"TRACKER_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}, timeout=120)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr
