"""The ``tracker`` command line, run as users run it, against real databases."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import sqlalchemy as sa

from tracker.cli import main
from tracker.model.status import load_config

PLAN = "sichuan-2023-citizenization"
SEVEN = {
    "rural_labor_transfer": (25_000_000, "around", "level", "人"),
    "poverty_labor_transfer": (2_206_000, "at_least", "level", "人"),
    "return_entrepreneurship_training": (33_000, "at_least", "flow", "人"),
    "rural_wealth_leaders": (500, "at_least", "flow", "人"),
    "labor_brand_training": (100_000, "at_least", "flow", "人"),
    "rural_craftsman_training": (500, "at_least", "flow", "人"),
    "key_area_skill_training": (100_000, "at_least", "cumulative", "人次"),
}


def run_cli(*args: str, env_url: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tracker.cli", *args], capture_output=True, text=True,
                          env={"TRACKER_DATABASE_URL": env_url, "PATH": "/usr/bin:/bin"}, timeout=120)


def _json(capsys, *args: str) -> dict:
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def _raw_sum(url: str, target: str, period: str) -> float:
    """The sum of the figures stored for one target and month, straight from the table (demo data has one
    submission per cell, so there is nothing to supersede)."""
    from tracker.store.db import get_engine

    with get_engine(url).connect() as conn:
        return conn.scalar(sa.text("select sum(value) from reported_values where target_id = :t and period = :p"),
                           {"t": target, "p": period})


def test_progress_json_reports_the_seven_targets_with_values_and_comparators(demo_env, capsys):
    out = _json(capsys, "progress", "--plan", PLAN, "--as-of", "2023-06", "--format", "json")
    assert (out["plan"], out["as_of"], out["level"]) == (PLAN, "2023-06", "province")
    rows = {r["target"]: r for r in out["rows"]}
    assert set(rows) == set(SEVEN)
    for target, (value, comparator, kind, unit) in SEVEN.items():
        row = rows[target]
        assert (row["target_value"], row["comparator"], row["kind"], row["unit"]) == (value, comparator, kind, unit)
        assert row["region"] == "510000" and row["region_name"] == "四川省"
        assert row["status"] in {s.id for s in load_config().statuses}
        assert row["judged_month"] == "2023-06" and 0 <= row["coverage"] <= 1
        assert row["coverage_basis"] == "complete" or row["coverage"] < 1
        assert row["estimate"] is None or row["estimate"] >= row["actual"]
    assert rows["key_area_skill_training"]["expected_reporters"] == 21  # the demo list of key-assistance counties
    assert rows["labor_brand_training"]["expected_reporters"] == 183


def test_progress_actuals_equal_the_sums_of_the_stored_figures(demo_env, capsys):
    out = _json(capsys, "progress", "--as-of", "2024-03", "--format", "json")
    rows = {r["target"]: r for r in out["rows"]}
    # 2023 targets are judged at the end of their period, whatever the as-of month
    assert rows["labor_brand_training"]["actual"] == _raw_sum(demo_env, "labor_brand_training", "2023-12")
    assert rows["rural_labor_transfer"]["actual"] == _raw_sum(demo_env, "rural_labor_transfer", "2023-12")
    # the three-year target adds each county's December 2023 year-to-date figure (a county without one counts
    # nothing for 2023: no earlier month stands in) to its 2024-03 figure
    expected = _raw_sum(demo_env, "key_area_skill_training", "2023-12") + _raw_sum(
        demo_env, "key_area_skill_training", "2024-03")
    assert rows["key_area_skill_training"]["actual"] == pytest.approx(expected)
    assert rows["key_area_skill_training"]["expected"] == 41_667  # 100000 * 15 / 36 = 41666.7, up to a whole one


def test_progress_by_prefecture_adds_up_to_the_province(demo_env, capsys):
    province = {r["target"]: r for r in _json(capsys, "progress", "--as-of", "2023-09", "--format", "json")["rows"]}
    prefectures = _json(capsys, "progress", "--as-of", "2023-09", "--level", "prefecture", "--format", "json")
    for target in SEVEN:
        rows = [r for r in prefectures["rows"] if r["target"] == target]
        assert sum(r["actual"] or 0 for r in rows) == pytest.approx(province[target]["actual"])
        assert sum(r["reported"] for r in rows) == province[target]["reported"]
    assert len([r for r in prefectures["rows"] if r["target"] == "labor_brand_training"]) == 21
    unallocated = [r for r in prefectures["rows"] if r["target"] == "rural_wealth_leaders"]
    assert {r["status"] for r in unallocated} <= {"no_target", "no_data"}
    assert all(r["target_value"] is None for r in unallocated)


def test_progress_table_is_readable_chinese(demo_env, capsys):
    assert main(["progress", "--as-of", "2023-06"]) == 0
    text = capsys.readouterr().out
    assert "农村劳动力转移就业人数" in text and "万人" in text and "截至 2023-06" in text


@pytest.mark.parametrize("args, message", [
    (["progress", "--as-of", "2023-13"], "YYYY-MM"),
    (["progress", "--as-of", "June"], "YYYY-MM"),
    (["progress", "--as-of", "2023-06", "--plan", "no-such-plan"], "未知方案"),
    (["progress", "--as-of", "2023-06", "--level", "town"], "invalid choice"),
    (["frobnicate"], "invalid choice"),
])
def test_usage_errors_exit_2_with_one_line_and_no_traceback(demo_url, args, message):
    result = run_cli(*args, env_url=demo_url)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_init_then_demo_then_refusing_a_second_demo(database_url, capsys):
    assert main(["init"]) == 0
    assert main(["init"]) == 0
    assert main(["demo"]) == 0
    assert "示例数据" in capsys.readouterr().out
    assert main(["demo"]) == 1  # never on top of existing data
    assert main(["demo", "--if-empty"]) == 0


def test_progress_before_init_says_to_run_init(database_url, capsys):
    assert main(["progress", "--as-of", "2023-06"]) == 2
    assert "tracker init" in capsys.readouterr().err


def test_plan_close_and_reopen_from_the_shell_refuse_what_they_must_in_chinese(ready_engine, tmp_path, capsys):
    """``tracker plan close`` closes an ended plan as the shell's administrator; a write to it then exits 1 with
    the reason, and ``tracker remind`` says it sends nothing (exit 0: a daily cron run is not an error);
    ``tracker plan reopen`` needs a reason."""
    from tests.intake_files import good_rows, xlsx

    title = "《开展全省县域农民工市民化质量提升行动实施方案》"
    assert main(["plan", "close", PLAN, "--reason", "成效评估已报送", "--document", "川人社函〔2026〕12号"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"已关闭{title}（") and "成效评估已报送，川人社函〔2026〕12号）：此后只读" in out
    assert main(["plan", "close", PLAN, "--reason", "再关一次"]) == 1
    assert f"tracker: 未执行：{title}已于" in capsys.readouterr().err
    path = tmp_path / "绵阳.xlsx"
    path.write_bytes(xlsx(good_rows(period_label="2023年6月")))
    assert main(["import", str(path), "--period", "2023-06", "--prefecture", "绵阳"]) == 1
    assert f"[plan_closed] ：{title}已于" in capsys.readouterr().out
    assert main(["milestone", "set", "stabilize_county_jobs", "done", "--as-of", "2025-12"]) == 1
    assert f"tracker: 未执行：{title}已于" in capsys.readouterr().err
    assert main(["remind", "--as-of", "2025-12", "--today", "2026-01-20"]) == 0
    assert capsys.readouterr().out.startswith(f"未发送催报：{title}已于")
    with ready_engine.connect() as conn:
        assert conn.scalar(sa.text("select count(*) from submissions")) == 0
        assert conn.scalar(sa.text("select count(*) from milestone_updates")) == 0

    assert main(["plan", "reopen", PLAN, "--reason", "  "]) == 1
    assert "重新开放须填写原因" in capsys.readouterr().err
    assert main(["plan", "reopen", PLAN]) == 2  # --reason is required
    capsys.readouterr()
    assert main(["plan", "reopen", PLAN, "--reason", "三台县12月数据需更正"]) == 0
    assert capsys.readouterr().out.startswith(f"已重新开放{title}（三台县12月数据需更正）")
    assert main(["import", str(path), "--period", "2023-06", "--prefecture", "绵阳"]) == 0
    assert main(["plan", "reopen", PLAN, "--reason", "再开一次"]) == 1
    assert "未关闭，无需重新开放" in capsys.readouterr().err
    assert main(["plan", "close", "sichuan-2022-work-points", "--reason", "结束"]) == 1
    assert "没有量化目标" in capsys.readouterr().err
    assert main(["plan", "close", "no-such-plan", "--reason", "x"]) == 2
