"""The progress engine, by hand-computed examples on a tiny world: one province, two prefectures, four counties.

Every expected number is worked out in the comment beside it, from the rules in tracker/progress/engine.py's docstring;
none is computed by calling the engine. No database, no Streamlit.
"""
from __future__ import annotations

import pandas as pd
import pytest

from tracker.model.plan import Plan
from tracker.model.regions import Region, RegionTree
from tracker.model.status import Thresholds
from tracker.progress.engine import (
    ALLOCATION_COLUMNS,
    VALUE_COLUMNS,
    compute_progress,
    effective_month,
    expected_fraction,
    judge,
    trajectory,
)

# --- the tiny world ----------------------------------------------------------------------------------------------

PROVINCE = "510000"
CHENGDU, ZIGONG = "510100", "510300"
JINJIANG, QINGYANG = "510104", "510105"  # counties of 成都市
ZILIUJING, GONGJING = "510302", "510303"  # counties of 自贡市
COUNTIES = [JINJIANG, QINGYANG, ZILIUJING, GONGJING]

TREE = RegionTree((
    Region(PROVINCE, "四川省", "四川", "province", None),
    Region(CHENGDU, "成都市", "成都", "prefecture", PROVINCE),
    Region(JINJIANG, "锦江区", "锦江", "county", CHENGDU),
    Region(QINGYANG, "青羊区", "青羊", "county", CHENGDU),
    Region(ZIGONG, "自贡市", "自贡", "prefecture", PROVINCE),
    Region(ZILIUJING, "自流井区", "自流井", "county", ZIGONG),
    Region(GONGJING, "贡井区", "贡井", "county", ZIGONG),
))

THRESHOLDS = Thresholds(on_track_pace=0.95, at_risk_pace=0.85)  # as in targets/progress.yaml

CITATION = {"section": "二、重点任务 (一)测试", "sentence": "测试用的计划原句。"}
DEPARTMENTS = {"responsible": ["hrss"]}


def _target(target_id: str, *, value: float, kind: str, reporting: str, months: str, comparator: str = "at_least",
            start: str = "2023-01", end: str = "2023-12", **extra: object) -> dict:
    return {
        "id": target_id, "name": {"zh": target_id, "en": target_id}, "task": "jobs", "departments": DEPARTMENTS,
        "unit": "人", "value": value, "comparator": comparator, "kind": kind,
        "period": {"start": start, "end": end}, "reporting": reporting,
        "aggregation": {"regions": "sum", "months": months}, "citation": CITATION, **extra,
    }


PLAN = Plan.model_validate(
    {
        "id": "test-plan",
        "title": {"zh": "测试方案", "en": "Test plan"},
        "source": {"document": "测试文件", "text": "sources/test.txt"},
        "issuers": ["hrss"],
        "tasks": [{"id": "jobs", "number": 1, "title": {"zh": "就业", "en": "Jobs"}, "departments": DEPARTMENTS,
                   "citation": CITATION}],
        "targets": [
            # a month-end level, at least 1000
            _target("employed", value=1000, kind="level", reporting="month_end", months="latest"),
            # a month-end level, around 1000 ± 2% (band 980..1020)
            _target("transfer", value=1000, kind="level", reporting="month_end", months="latest",
                    comparator="around", tolerance=0.02),
            # an annual flow reported year-to-date, 1200 over 2023
            _target("trainees", value=1200, kind="flow", reporting="ytd", months="latest"),
            # an annual flow reported month by month, 120 over 2023
            _target("subsidies", value=120, kind="flow", reporting="monthly", months="sum"),
            # a three-year cumulative target reported year-to-date, 3600 over 2023-01..2025-12 (36 months)
            _target("housing", value=3600, kind="cumulative", reporting="ytd", months="sum_of_years",
                    end="2025-12"),
            # an annual flow with a monthly profile: the second half weighs double (weights sum to 6*1 + 6*2 = 18)
            _target("seasonal", value=900, kind="flow", reporting="ytd", months="latest",
                    profile=[1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]),
            # a flow that applies to the counties of 成都市 only (scope passed to compute_progress)
            _target("pilot", value=100, kind="flow", reporting="ytd", months="latest",
                    scope={"counties": [JINJIANG, QINGYANG]}),
            # a month-end level that must stay at most 50
            _target("arrears", value=50, kind="level", reporting="month_end", months="latest", comparator="at_most"),
        ],
    },
    context={"departments": {"hrss"}},
)
PILOT_SCOPE = {"pilot": [JINJIANG, QINGYANG]}
#: Every target applied to 锦江区 alone: a province whose one county in scope reported, so that a test sees the
#: month rules without the missing-data rules (which have tests of their own, below).
ONLY_JINJIANG = {t.id: [JINJIANG] for t in PLAN.targets}


def values(*rows: tuple[str, str, str, float]) -> pd.DataFrame:
    """County values: (target, region, period, value)."""
    return pd.DataFrame(list(rows), columns=VALUE_COLUMNS).astype({"value": "float64"})


def allocations(*rows: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=ALLOCATION_COLUMNS).astype({"value": "float64"})


def progress(frame: pd.DataFrame, as_of: str, **kwargs: object) -> pd.DataFrame:
    return compute_progress(PLAN, TREE, frame, as_of, THRESHOLDS, **kwargs)


def row(result: pd.DataFrame, target: str, region: str) -> dict:
    hit = result[(result["target"] == target) & (result["region"] == region)]
    assert len(hit) == 1, f"expected one row for {target} / {region}, found {len(hit)}"
    return hit.iloc[0].to_dict()


def missing(value: object) -> bool:
    """None, or the NaN pandas puts in a float column for it."""
    return value is None or bool(pd.isna(value))


# --- how a county's figure adds up over months -------------------------------------------------------------------


def test_level_target_takes_latest_month_not_sum():
    frame = values(
        ("employed", JINJIANG, "2023-01", 100), ("employed", JINJIANG, "2023-02", 110),
        ("employed", JINJIANG, "2023-03", 120), ("employed", QINGYANG, "2023-03", 200),
    )
    result = progress(frame, "2023-03", scopes={"employed": [JINJIANG, QINGYANG]})
    assert row(result, "employed", JINJIANG)["actual"] == 120  # March's level, not 100 + 110 + 120 = 330
    assert row(result, "employed", CHENGDU)["actual"] == 320  # 120 + 200
    province = row(result, "employed", PROVINCE)
    assert province["actual"] == 320
    assert province["expected"] == 1000  # a level is expected to be at its target all along: 1000 * 1
    assert province["completion"] == pytest.approx(0.32)  # 320 / 1000
    assert province["pace"] == pytest.approx(0.32)  # 320 / 1000
    assert province["status"] == "behind"  # 0.32 < 0.85


def test_level_below_target_with_pace_above_threshold_is_on_track():
    frame = values(("employed", JINJIANG, "2023-03", 600), ("employed", ZILIUJING, "2023-03", 360))
    province = row(progress(frame, "2023-03", scopes={"employed": [JINJIANG, ZILIUJING]}), "employed", PROVINCE)
    assert province["actual"] == 960  # 600 + 360
    assert province["pace"] == pytest.approx(0.96)  # 960 / 1000 (expected = target for a level)
    assert province["status"] == "on_track"  # 0.96 >= 0.95


def test_flow_reported_ytd_takes_latest_ytd_and_expects_linear_share():
    frame = values(
        ("trainees", JINJIANG, "2023-01", 100), ("trainees", JINJIANG, "2023-02", 210),
        ("trainees", JINJIANG, "2023-03", 330),
    )
    province = row(progress(frame, "2023-03", scopes=ONLY_JINJIANG), "trainees", PROVINCE)
    assert province["actual"] == 330  # March's year-to-date figure, not 100 + 210 + 330 = 640
    assert province["expected"] == pytest.approx(300)  # 1200 * 3 / 12
    assert province["completion"] == pytest.approx(0.275)  # 330 / 1200
    assert province["pace"] == pytest.approx(1.1)  # 330 / 300
    assert province["status"] == "on_track"


def test_flow_reported_monthly_sums_months_from_period_start_to_as_of():
    frame = values(
        ("subsidies", JINJIANG, "2022-12", 100),  # before the period: not counted
        ("subsidies", JINJIANG, "2023-01", 5), ("subsidies", JINJIANG, "2023-02", 7),
        ("subsidies", JINJIANG, "2023-03", 9),
        ("subsidies", JINJIANG, "2023-04", 11),  # after the as-of month: not counted
    )
    province = row(progress(frame, "2023-03", scopes=ONLY_JINJIANG), "subsidies", PROVINCE)
    assert province["actual"] == 21  # 5 + 7 + 9
    assert province["expected"] == pytest.approx(30)  # 120 * 3 / 12
    assert province["pace"] == pytest.approx(0.7)  # 21 / 30
    assert province["status"] == "behind"  # 0.7 < 0.85


HOUSING = values(
    ("housing", JINJIANG, "2023-06", 400), ("housing", JINJIANG, "2023-12", 1000),
    ("housing", JINJIANG, "2024-06", 300), ("housing", JINJIANG, "2024-12", 900),
    ("housing", JINJIANG, "2025-03", 200),
    ("housing", JINJIANG, "2025-05", 999),  # after the as-of months below
)


def test_multi_year_cumulative_adds_closed_years_december_plus_current_figure():
    province = row(progress(HOUSING, "2025-03", scopes=ONLY_JINJIANG), "housing", PROVINCE)
    assert province["actual"] == 2100  # 2023's December YTD 1000 + 2024's December YTD 900 + March 2025's YTD 200
    assert province["expected"] == pytest.approx(2700)  # 3600 * 27 / 36 (2023-01..2025-03 is 27 months)
    assert province["pace"] == pytest.approx(2100 / 2700)  # = 0.777…
    assert province["status"] == "behind"  # 0.78 < 0.85


def test_multi_year_cumulative_mid_second_year():
    province = row(progress(HOUSING, "2024-06", scopes=ONLY_JINJIANG), "housing", PROVINCE)
    assert province["actual"] == 1300  # 2023's last YTD 1000 + June 2024's YTD 300 (not 400 + 1000 + 300)
    assert province["expected"] == pytest.approx(1800)  # 3600 * 18 / 36


def test_multi_year_cumulative_in_first_year_is_the_current_ytd():
    province = row(progress(HOUSING, "2023-06", scopes=ONLY_JINJIANG), "housing", PROVINCE)
    assert province["actual"] == 400  # no closed year yet: June 2023's YTD
    assert province["expected"] == pytest.approx(600)  # 3600 * 6 / 36


def test_monthly_profile_changes_expected_by_now():
    frame = values(("seasonal", JINJIANG, "2023-06", 300), ("seasonal", JINJIANG, "2023-09", 540))
    june = row(progress(frame, "2023-06", scopes=ONLY_JINJIANG), "seasonal", PROVINCE)
    assert june["expected"] == pytest.approx(300)  # 900 * (1*6) / 18, where linear would give 900 * 6/12 = 450
    assert june["pace"] == pytest.approx(1.0)  # 300 / 300
    assert june["status"] == "on_track"
    september = row(progress(frame, "2023-09", scopes=ONLY_JINJIANG), "seasonal", PROVINCE)
    assert september["expected"] == pytest.approx(600)  # 900 * (6 + 2*3) / 18 = 900 * 12/18
    assert september["pace"] == pytest.approx(0.9)  # 540 / 600
    assert september["status"] == "at_risk"


# --- regions -------------------------------------------------------------------------------------------------------

TRAINEES_MARCH = values(
    ("trainees", JINJIANG, "2023-03", 330), ("trainees", QINGYANG, "2023-03", 70),
    ("trainees", ZILIUJING, "2023-03", 50), ("trainees", GONGJING, "2023-03", 150),
)


def test_regions_add_counties_to_prefecture_to_province():
    result = progress(TRAINEES_MARCH, "2023-03")
    chengdu, zigong, province = (row(result, "trainees", code) for code in (CHENGDU, ZIGONG, PROVINCE))
    assert chengdu["actual"] == 400  # 330 + 70
    assert zigong["actual"] == 200  # 50 + 150
    assert province["actual"] == 600  # 400 + 200
    assert (province["level"], chengdu["level"], row(result, "trainees", JINJIANG)["level"]) == (
        "province", "prefecture", "county")
    assert missing(province["parent"])  # the province has no parent
    assert (chengdu["parent"], row(result, "trainees", GONGJING)["parent"]) == (PROVINCE, ZIGONG)
    assert (province["reported"], province["expected_reporters"]) == (4, 4)
    assert (chengdu["reported"], chengdu["expected_reporters"]) == (2, 2)
    assert len(result[result["target"] == "trainees"]) == 7  # 1 province + 2 prefectures + 4 counties


def test_scoped_target_adds_only_in_scope_counties():
    frame = values(
        ("pilot", JINJIANG, "2023-06", 30), ("pilot", QINGYANG, "2023-06", 20),
        ("pilot", ZILIUJING, "2023-06", 1000), ("pilot", GONGJING, "2023-06", 1000),  # out of scope: ignored
    )
    result = progress(frame, "2023-06", scopes=PILOT_SCOPE)
    province = row(result, "pilot", PROVINCE)
    assert province["actual"] == 50  # 30 + 20; 自贡's 2000 is out of scope
    assert province["expected"] == pytest.approx(50)  # 100 * 6 / 12
    assert (province["reported"], province["expected_reporters"]) == (2, 2)  # two in-scope counties
    assert row(result, "pilot", CHENGDU)["actual"] == 50


def test_scoped_prefecture_without_in_scope_county_has_no_row():
    frame = values(("pilot", JINJIANG, "2023-06", 30))
    result = progress(frame, "2023-06", scopes=PILOT_SCOPE)
    pilot_regions = set(result.loc[result["target"] == "pilot", "region"])
    assert pilot_regions == {PROVINCE, CHENGDU, JINJIANG, QINGYANG}  # no 自贡市, no 自流井区, no 贡井区


def test_scope_partly_covering_a_prefecture_counts_only_its_in_scope_counties():
    frame = values(("pilot", JINJIANG, "2023-06", 30), ("pilot", ZILIUJING, "2023-06", 10),
                   ("pilot", GONGJING, "2023-06", 500))  # 贡井区 is out of this scope
    result = progress(frame, "2023-06", scopes={"pilot": [JINJIANG, ZILIUJING]})
    zigong = row(result, "pilot", ZIGONG)
    assert (zigong["actual"], zigong["reported"], zigong["expected_reporters"]) == (10, 1, 1)
    province = row(result, "pilot", PROVINCE)
    assert (province["actual"], province["expected_reporters"]) == (40, 2)  # 30 + 10; two counties in scope
    assert set(result.loc[result["target"] == "pilot", "region"]) == {PROVINCE, CHENGDU, ZIGONG, JINJIANG, ZILIUJING}


# --- partial and missing reporting --------------------------------------------------------------------------------


def test_partial_reporting_counts_reporters_and_does_not_carry_forward():
    frame = values(
        ("employed", JINJIANG, "2023-01", 100), ("employed", JINJIANG, "2023-03", 120),
        ("employed", QINGYANG, "2023-01", 200), ("employed", QINGYANG, "2023-02", 210),  # nothing for March
        ("employed", ZILIUJING, "2023-03", 50),
        # 贡井区 never reports
    )
    result = progress(frame, "2023-03")
    province = row(result, "employed", PROVINCE)
    assert province["actual"] == 170  # 120 + 50: 青羊区's February 210 is not carried forward
    assert (province["reported"], province["expected_reporters"]) == (2, 4)
    chengdu = row(result, "employed", CHENGDU)
    assert (chengdu["actual"], chengdu["reported"], chengdu["expected_reporters"]) == (120, 1, 2)
    qingyang = row(result, "employed", QINGYANG)
    assert missing(qingyang["actual"])
    assert qingyang["status"] == "no_data"
    assert (qingyang["reported"], qingyang["expected_reporters"]) == (0, 1)
    gongjing = row(result, "employed", GONGJING)
    assert missing(gongjing["actual"]) and gongjing["status"] == "no_data"


def test_prefecture_with_no_reporting_county_is_no_data():
    frame = values(("trainees", JINJIANG, "2023-03", 330))
    zigong = row(progress(frame, "2023-03"), "trainees", ZIGONG)
    assert missing(zigong["actual"])
    assert zigong["status"] == "no_data"
    assert (zigong["reported"], zigong["expected_reporters"]) == (0, 2)


def test_no_data_at_all_gives_no_data_and_no_actual():
    result = progress(values(), "2023-03", scopes=PILOT_SCOPE)
    assert len(result) == 7 * 7 + 4  # 7 unscoped targets * 7 regions + pilot: province, 成都市 and its 2 counties
    assert set(result["status"]) == {"no_data"}
    assert all(missing(a) for a in result["actual"])
    assert all(missing(p) for p in result["projection"])
    assert set(result["reported"]) == {0}
    province = row(result, "trainees", PROVINCE)
    assert province["expected"] == pytest.approx(300)  # what should be there by now is still stated: 1200 * 3 / 12


# --- allocations ----------------------------------------------------------------------------------------------------


def test_zero_allocation_does_not_divide_by_zero():
    result = progress(TRAINEES_MARCH, "2023-03", allocations=allocations(("trainees", ZIGONG, 0)))
    zigong = row(result, "trainees", ZIGONG)
    assert zigong["target_value"] == 0
    assert zigong["expected"] == 0  # 0 * 3 / 12
    assert missing(zigong["completion"])  # 200 / 0 is not a number
    assert missing(zigong["pace"])
    assert zigong["status"] == "completed_early"  # 200 >= 0, in March: a flow reached before the end of its year


def test_zero_allocation_with_zero_actual_is_completed():
    frame = values(("trainees", ZILIUJING, "2023-03", 0))
    zigong = row(progress(frame, "2023-03", allocations=allocations(("trainees", ZIGONG, 0))), "trainees", ZIGONG)
    assert zigong["actual"] == 0
    assert zigong["status"] == "completed_early"  # 0 >= 0 (贡井区 missing cannot undo a target of nothing)


def test_prefecture_without_allocation_has_no_target_and_a_share():
    result = progress(TRAINEES_MARCH, "2023-03")
    zigong = row(result, "trainees", ZIGONG)
    assert missing(zigong["target_value"])
    assert missing(zigong["expected"])
    assert missing(zigong["completion"])
    assert zigong["status"] == "no_target"
    assert zigong["share"] == pytest.approx(1 / 3)  # 200 / 600
    assert row(result, "trainees", CHENGDU)["share"] == pytest.approx(2 / 3)  # 400 / 600
    assert row(result, "trainees", GONGJING)["share"] == pytest.approx(0.25)  # 150 / 600
    assert row(result, "trainees", PROVINCE)["share"] == pytest.approx(1.0)  # 600 / 600


def test_allocated_prefecture_and_county_are_judged_against_their_allocation():
    result = progress(TRAINEES_MARCH, "2023-03",
                      allocations=allocations(("trainees", CHENGDU, 1800), ("trainees", JINJIANG, 1200)))
    chengdu = row(result, "trainees", CHENGDU)
    assert chengdu["target_value"] == 1800
    assert chengdu["expected"] == pytest.approx(450)  # 1800 * 3 / 12
    assert chengdu["completion"] == pytest.approx(400 / 1800)  # = 0.222…
    assert chengdu["pace"] == pytest.approx(400 / 450)  # = 0.888…
    assert chengdu["status"] == "at_risk"  # 0.85 <= 0.889 < 0.95
    jinjiang = row(result, "trainees", JINJIANG)
    assert jinjiang["expected"] == pytest.approx(300)  # 1200 * 3 / 12
    assert jinjiang["pace"] == pytest.approx(1.1)  # 330 / 300
    assert jinjiang["status"] == "on_track"
    assert row(result, "trainees", ZIGONG)["status"] == "no_target"  # the other prefecture has no allocation


def test_allocation_of_a_level_target_is_expected_in_full():
    frame = values(("employed", JINJIANG, "2023-03", 380), ("employed", QINGYANG, "2023-03", 200))
    chengdu = row(progress(frame, "2023-03", allocations=allocations(("employed", CHENGDU, 600))), "employed", CHENGDU)
    assert chengdu["expected"] == 600  # a level: 600 * 1
    assert chengdu["pace"] == pytest.approx(580 / 600)  # (380 + 200) / 600 = 0.9667
    assert chengdu["status"] == "on_track"


# --- before and after the period -----------------------------------------------------------------------------------


def test_as_of_before_period_start_expects_nothing_and_is_not_started():
    frame = values(("trainees", JINJIANG, "2022-11", 500))  # reported before the period: not counted
    province = row(progress(frame, "2022-11"), "trainees", PROVINCE)
    assert province["status"] == "not_started"  # nothing was due: 未开始, not 未报送
    assert missing(province["actual"])
    assert province["expected"] == 0  # 1200 * 0
    assert missing(province["projection"])
    assert missing(province["month"])
    assert province["as_of"] == "2022-11"


def test_as_of_after_period_end_is_judged_at_end_month_and_unmet_is_not_met():
    frame = values(
        ("trainees", JINJIANG, "2023-12", 900), ("trainees", QINGYANG, "2023-12", 100),
        ("trainees", JINJIANG, "2024-01", 5000),  # next year's figure: outside the period
    )
    province = row(progress(frame, "2024-02", scopes={"trainees": [JINJIANG, QINGYANG]}), "trainees", PROVINCE)
    assert province["month"] == "2023-12"
    assert province["as_of"] == "2024-02"
    assert province["actual"] == 1000  # 900 + 100 at 2023-12
    assert province["expected"] == pytest.approx(1200)  # 1200 * 12 / 12
    assert province["pace"] == pytest.approx(1000 / 1200)  # = 0.833…
    assert province["status"] == "not_met"  # 未完成: the deadline has passed, 滞后 would say it may catch up
    assert (province["reported"], province["expected_reporters"]) == (2, 2)
    december = row(progress(frame, "2023-12", scopes={"trainees": [JINJIANG, QINGYANG]}), "trainees", PROVINCE)
    assert december["status"] == "not_met"  # in the deadline month itself too
    november = row(progress(values(("trainees", JINJIANG, "2023-11", 700), ("trainees", QINGYANG, "2023-11", 100)),
                            "2023-11", scopes={"trainees": [JINJIANG, QINGYANG]}), "trainees", PROVINCE)
    assert november["status"] == "behind"  # 800 of 1100 expected by November: 72.7 %, below 85 %, still time


def test_as_of_after_period_end_met_is_completed():
    frame = values(("trainees", JINJIANG, "2023-12", 900), ("trainees", ZILIUJING, "2023-12", 400))
    province = row(progress(frame, "2024-06"), "trainees", PROVINCE)
    assert province["month"] == "2023-12"
    assert province["actual"] == 1300  # 900 + 400
    assert province["completion"] == pytest.approx(1300 / 1200)  # = 1.083…
    assert province["status"] == "completed"


def test_at_period_end_unmet_is_not_met_even_at_on_track_pace():
    frame = values(("trainees", JINJIANG, "2023-12", 1150))
    province = row(progress(frame, "2023-12", scopes=ONLY_JINJIANG), "trainees", PROVINCE)
    assert province["pace"] == pytest.approx(1150 / 1200)  # = 0.958 >= 0.95, but the year is over
    assert province["status"] == "not_met"


# --- status thresholds ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "pace", "status"),
    [
        (570, 0.95, "on_track"),  # 570 / 600 = 0.95 exactly: at the on-track threshold
        (540, 0.90, "at_risk"),  # 540 / 600 = 0.90
        (510, 0.85, "at_risk"),  # 510 / 600 = 0.85 exactly: at the at-risk threshold
        (480, 0.80, "behind"),  # 480 / 600 = 0.80
    ],
)
def test_status_thresholds_on_exact_paces(actual, pace, status):
    # June: expected = 1200 * 6 / 12 = 600, exactly
    province = row(progress(values(("trainees", JINJIANG, "2023-06", actual)), "2023-06", scopes=ONLY_JINJIANG),
                   "trainees", PROVINCE)
    assert province["expected"] == 600
    assert province["pace"] == pace
    assert province["status"] == status


# --- around and at_most ---------------------------------------------------------------------------------------------


def _transfer(actual: float, as_of: str = "2023-06") -> dict:
    return row(progress(values(("transfer", JINJIANG, as_of, actual)), as_of, scopes=ONLY_JINJIANG), "transfer",
               PROVINCE)


def test_around_within_band_below_target_is_attained_mid_year_and_completed_at_the_end():
    province = _transfer(990)  # band 1000 * (1 - 0.02) = 980 .. 1020
    assert province["status"] == "attained"  # a level in June: 达标, not 已完成 — it must hold until December
    assert province["completion"] == pytest.approx(0.99)  # 990 / 1000
    assert province["expected"] == pytest.approx(980)  # what must be reached: the band's lower edge
    assert _transfer(990, "2023-12")["status"] == "completed"


def test_around_above_band_is_attained():
    province = _transfer(1050)  # above 1020: overshooting counts as met
    assert province["status"] == "attained"
    assert province["completion"] == pytest.approx(1.05)  # 1050 / 1000


@pytest.mark.parametrize(
    ("actual", "pace", "status"),
    [
        # expected-by-now of an around level is the band's lower edge 1000 * 0.98 = 980; pace = actual / 980
        (950, 950 / 980, "on_track"),  # 0.969 >= 0.95
        (900, 900 / 980, "at_risk"),  # 0.918 in [0.85, 0.95)
        (800, 800 / 980, "behind"),  # 0.816 < 0.85
    ],
)
def test_around_below_band_is_judged_by_pace_against_lower_edge(actual, pace, status):
    province = _transfer(actual)
    assert province["pace"] == pytest.approx(pace)
    assert province["status"] == status


def test_around_below_band_at_period_end_is_not_met():
    assert _transfer(950, "2023-12")["status"] == "not_met"  # 950 < 980 and the year is over


def test_at_most_above_target_is_behind():
    frame = values(("arrears", JINJIANG, "2023-06", 40), ("arrears", ZILIUJING, "2023-06", 20))
    province = row(progress(frame, "2023-06"), "arrears", PROVINCE)
    assert province["actual"] == 60  # 40 + 20 > 50
    assert province["completion"] == pytest.approx(1.2)  # 60 / 50
    assert missing(province["pace"])
    assert province["status"] == "behind"


def test_at_most_at_or_below_target_is_on_track_before_end_and_completed_after():
    frame = values(
        ("arrears", JINJIANG, "2023-06", 30), ("arrears", ZILIUJING, "2023-06", 20),  # 50: exactly at the cap
        ("arrears", JINJIANG, "2023-12", 40), ("arrears", ZILIUJING, "2023-12", 5),  # 45 at the end of the year
    )
    scopes = {"arrears": [JINJIANG, ZILIUJING]}
    assert row(progress(frame, "2023-06", scopes=scopes), "arrears", PROVINCE)["status"] == "on_track"  # 50 <= 50
    assert row(progress(frame, "2023-12", scopes=scopes), "arrears", PROVINCE)["status"] == "completed"  # 45 <= 50
    assert row(progress(frame, "2024-03", scopes=scopes), "arrears", PROVINCE)["status"] == "completed"  # at 2023-12
    # 自流井区 silent in December: 40 <= 50 from 锦江区 alone proves nothing about the cap, so it is not 已完成
    silent = frame[~((frame["region"] == ZILIUJING) & (frame["period"] == "2023-12"))]
    assert row(progress(silent, "2023-12", scopes=scopes), "arrears", PROVINCE)["status"] == "incomplete"


# --- projection -----------------------------------------------------------------------------------------------------


def test_projection_of_flow_is_actual_over_elapsed_fraction_and_of_level_is_actual():
    frame = values(("trainees", JINJIANG, "2023-03", 330), ("employed", JINJIANG, "2023-03", 320))
    result = progress(frame, "2023-03", scopes=ONLY_JINJIANG)
    assert row(result, "trainees", PROVINCE)["projection"] == pytest.approx(1320)  # 330 / (3 / 12)
    assert row(result, "employed", PROVINCE)["projection"] == 320  # a level projects as itself


def test_projection_at_period_end_is_the_actual():
    frame = values(("trainees", JINJIANG, "2023-12", 1000))
    assert row(progress(frame, "2024-02"), "trainees", PROVINCE)["projection"] == 1000  # 1000 / (12 / 12)


# --- trajectory -----------------------------------------------------------------------------------------------------


def test_trajectory_gives_month_by_month_actual_and_expected_for_a_flow():
    frame = values(
        ("trainees", JINJIANG, "2023-01", 100), ("trainees", JINJIANG, "2023-02", 210),
        ("trainees", JINJIANG, "2023-03", 330),
        ("trainees", ZILIUJING, "2023-01", 50), ("trainees", ZILIUJING, "2023-03", 90),
    )
    out = trajectory(PLAN.target("trainees"), frame, ["2022-12", "2023-01", "2023-02", "2023-03", "2023-04"])
    assert list(out["period"]) == ["2022-12", "2023-01", "2023-02", "2023-03", "2023-04"]
    actual = list(out["actual"])
    assert missing(actual[0])  # before the period
    assert actual[1:4] == [150, 210, 420]  # 100 + 50; 210 (自流井 silent in Feb); 330 + 90
    assert missing(actual[4])  # nobody reported April
    assert list(out["expected"]) == pytest.approx([0, 100, 200, 300, 400])  # 1200 * k / 12, k = 0..4
    assert list(out["reported"]) == [0, 2, 1, 2, 0]


def test_trajectory_with_scope_and_allocated_target_value():
    frame = values(("trainees", JINJIANG, "2023-06", 330), ("trainees", ZILIUJING, "2023-06", 90))
    out = trajectory(PLAN.target("trainees"), frame, ["2023-06"], scope=[ZILIUJING, GONGJING], target_value=240)
    assert out["actual"].iloc[0] == 90  # 锦江区 is outside the scope
    assert out["expected"].iloc[0] == pytest.approx(120)  # 240 * 6 / 12
    assert out["reported"].iloc[0] == 1


# --- expected_fraction and effective_month --------------------------------------------------------------------------


def test_effective_month_edge_cases():
    trainees = PLAN.target("trainees")
    assert effective_month(trainees, "2022-12") is None  # before the start
    assert effective_month(trainees, "2023-01") == "2023-01"  # the start month itself
    assert effective_month(trainees, "2023-07") == "2023-07"
    assert effective_month(trainees, "2023-12") == "2023-12"  # the end month itself
    assert effective_month(trainees, "2024-05") == "2023-12"  # clamped to the end


def test_expected_fraction_edge_cases():
    trainees, housing, employed = (PLAN.target(t) for t in ("trainees", "housing", "employed"))
    assert expected_fraction(trainees, "2022-12") == 0.0  # before the start
    assert expected_fraction(trainees, "2023-01") == pytest.approx(1 / 12)  # start month: one month elapsed
    assert expected_fraction(trainees, "2023-12") == 1.0  # end month: 12 / 12
    assert expected_fraction(trainees, "2024-03") == 1.0  # after the end: still 12 / 12
    assert expected_fraction(housing, "2023-01") == pytest.approx(1 / 36)  # 1 of 36 months
    assert expected_fraction(housing, "2024-12") == pytest.approx(24 / 36)
    assert expected_fraction(employed, "2023-01") == 1.0  # a level: the target from the first month
    assert expected_fraction(employed, "2022-12") == 0.0  # ... but nothing before the period


def test_expected_fraction_with_profile():
    seasonal = PLAN.target("seasonal")
    assert expected_fraction(seasonal, "2023-01") == pytest.approx(1 / 18)  # weight 1 of 18
    assert expected_fraction(seasonal, "2023-07") == pytest.approx(8 / 18)  # 1*6 + 2
    assert expected_fraction(seasonal, "2023-12") == pytest.approx(1.0)  # 18 / 18


# --- judge ------------------------------------------------------------------------------------------------------------


def test_judge_no_data_before_no_target():
    trainees = PLAN.target("trainees")
    assert judge(None, 1200, 300, trainees, "2023-03", THRESHOLDS).status == "no_data"
    assert judge(float("nan"), 1200, 300, trainees, "2023-03", THRESHOLDS).status == "no_data"
    assert judge(None, None, None, trainees, "2023-03", THRESHOLDS).status == "no_data"  # no data wins
    verdict = judge(250.0, None, None, trainees, "2023-03", THRESHOLDS)
    assert (verdict.completion, verdict.pace, verdict.status) == (None, None, "no_target")
    assert judge(250.0, float("nan"), None, trainees, "2023-03", THRESHOLDS).status == "no_target"


def test_judge_at_least_reaching_target_early_is_completed_early():
    verdict = judge(1260.0, 1200, 600, PLAN.target("trainees"), "2023-06", THRESHOLDS)
    assert verdict.status == "completed_early"  # a flow: the 1260 trained in June stay trained
    assert judge(1260.0, 1200, 1200, PLAN.target("trainees"), "2023-12", THRESHOLDS).status == "completed"
    assert verdict.completion == pytest.approx(1.05)  # 1260 / 1200
    assert verdict.pace == pytest.approx(2.1)  # 1260 / 600


def test_judge_at_least_pace_bands():
    trainees = PLAN.target("trainees")
    assert judge(300.0, 1200, 300, trainees, "2023-03", THRESHOLDS).status == "on_track"  # 300 / 300 = 1.0
    assert judge(270.0, 1200, 300, trainees, "2023-03", THRESHOLDS).status == "at_risk"  # 270 / 300 = 0.9
    verdict = judge(150.0, 1200, 300, trainees, "2023-03", THRESHOLDS)
    assert (verdict.completion, verdict.pace, verdict.status) == (0.125, 0.5, "behind")  # 150/1200; 150/300


def test_judge_around_uses_lower_edge_of_band():
    transfer = PLAN.target("transfer")
    # the caller passes the band's lower edge as expected: 1000 * 0.98 = 980
    assert judge(980.5, 1000, 980, transfer, "2023-03", THRESHOLDS).status == "attained"  # >= 980, a level in March
    assert judge(980.5, 1000, 980, transfer, "2023-12", THRESHOLDS).status == "completed"
    verdict = judge(940.8, 1000, 980, transfer, "2023-03", THRESHOLDS)
    assert verdict.pace == pytest.approx(0.96)  # 940.8 / 980
    assert verdict.status == "on_track"  # 0.96 >= 0.95
    assert judge(940.8, 1000, 980, transfer, "2023-12", THRESHOLDS).status == "not_met"  # period over


def test_judge_at_most():
    arrears = PLAN.target("arrears")
    assert judge(51.0, 50, 50, arrears, "2023-03", THRESHOLDS).status == "behind"
    assert judge(51.0, 50, 50, arrears, "2023-12", THRESHOLDS).status == "behind"
    verdict = judge(25.0, 50, 50, arrears, "2023-03", THRESHOLDS)
    assert (verdict.completion, verdict.pace, verdict.status) == (0.5, None, "on_track")  # 25 / 50
    assert judge(25.0, 50, 50, arrears, "2023-12", THRESHOLDS).status == "completed"


def test_monthly_flow_keeps_earlier_months_of_a_county_silent_in_the_as_of_month():
    frame = values(
        ("subsidies", JINJIANG, "2023-01", 5), ("subsidies", JINJIANG, "2023-02", 7),  # silent in March
        ("subsidies", ZILIUJING, "2023-03", 4),
    )
    province = row(progress(frame, "2023-03"), "subsidies", PROVINCE)
    assert province["actual"] == 16  # what was reported: 5 + 7 + 4
    assert (province["reported"], province["expected_reporters"]) == (1, 4)  # only 自流井区 reported for March


# --- missing returns: comparable coverage (README "缺报时如何判断") ---------------------------------------------------

# February: every county reported the level (sum 1000); March: 贡井区 is missing.
FEBRUARY_ALL = (("employed", JINJIANG, "2023-02", 400), ("employed", QINGYANG, "2023-02", 300),
                ("employed", ZILIUJING, "2023-02", 250), ("employed", GONGJING, "2023-02", 50))
MARCH_BUT_GONGJING = (("employed", JINJIANG, "2023-03", 380), ("employed", QINGYANG, "2023-03", 290),
                      ("employed", ZILIUJING, "2023-03", 240))


def test_a_missing_county_is_judged_on_the_reporting_counties_share_of_the_last_complete_month():
    province = row(progress(values(*FEBRUARY_ALL, *MARCH_BUT_GONGJING), "2023-03"), "employed", PROVINCE)
    assert province["actual"] == 910  # 380 + 290 + 240: 贡井区's February 50 is not carried forward
    assert province["coverage"] == pytest.approx(0.95)  # the three held 950 of February's 1000
    assert province["coverage_basis"] == "month:2023-02"
    assert province["pace"] == pytest.approx(910 / 950)  # against what those three should hold: 1000 * 0.95
    assert province["status"] == "on_track"  # 0.958 >= 0.95 (910 / 1000 = 0.91 would have read 预警)
    assert province["completion"] == pytest.approx(0.91)  # completion stays the plain actual / target
    assert province["estimate"] == 960  # 910 + 贡井区's last figure this year (February's 50), labelled 估算
    assert province["estimated"] == (GONGJING,)
    assert (province["reported"], province["expected_reporters"]) == (3, 4)
    zigong = row(progress(values(*FEBRUARY_ALL, *MARCH_BUT_GONGJING), "2023-03",
                          allocations=allocations(("employed", ZIGONG, 300))), "employed", ZIGONG)
    assert zigong["coverage"] == pytest.approx(250 / 300)  # 自流井区 held 250 of 自贡's 300 in February
    assert zigong["status"] == "incomplete"  # 0.83 < 0.9: 数据不全, never 滞后
    assert missing(zigong["pace"])


def test_below_the_coverage_threshold_a_target_is_incomplete_never_behind():
    february = (("employed", JINJIANG, "2023-02", 100), ("employed", QINGYANG, "2023-02", 100),
                ("employed", ZILIUJING, "2023-02", 100), ("employed", GONGJING, "2023-02", 700))
    province = row(progress(values(*february, *MARCH_BUT_GONGJING), "2023-03"), "employed", PROVINCE)
    assert province["coverage"] == pytest.approx(0.3)  # 贡井区 held 700 of 1000: the three are 30 %
    assert province["status"] == "incomplete"
    assert missing(province["pace"])
    assert province["actual"] == 910


def test_without_a_complete_month_coverage_counts_counties():
    province = row(progress(values(*MARCH_BUT_GONGJING), "2023-03"), "employed", PROVINCE)
    assert province["coverage"] == pytest.approx(0.75)  # 3 of 4 counties; no month in which all four reported
    assert province["coverage_basis"] == "count"
    assert province["status"] == "incomplete"
    assert missing(province["estimate"])  # 贡井区 has no figure this year to estimate from


def test_county_allocations_weigh_the_coverage_when_every_county_has_one():
    frame = values(*FEBRUARY_ALL, *MARCH_BUT_GONGJING)
    plan = allocations(("employed", JINJIANG, 300), ("employed", QINGYANG, 300), ("employed", ZILIUJING, 300),
                       ("employed", GONGJING, 100))
    province = row(progress(frame, "2023-03", allocations=plan), "employed", PROVINCE)
    assert province["coverage"] == pytest.approx(0.9)  # 贡井区's 100 of the counties' 1000
    assert province["coverage_basis"] == "allocation"
    assert province["pace"] == pytest.approx(910 / 900)  # the province's 1000 * 0.9


def test_a_reached_target_stays_reached_whatever_is_missing():
    frame = values(("employed", JINJIANG, "2023-03", 700), ("employed", QINGYANG, "2023-03", 400))
    province = row(progress(frame, "2023-03"), "employed", PROVINCE)
    assert province["coverage"] == pytest.approx(0.5)  # two of four counties, no complete month
    assert province["status"] == "attained"  # 1100 >= 1000 already: missing counties can only add


def test_at_the_end_a_missing_county_whose_peers_reached_their_share_is_incomplete_not_behind():
    december = (("trainees", JINJIANG, "2023-11", 500), ("trainees", QINGYANG, "2023-11", 500),
                ("trainees", ZILIUJING, "2023-11", 100), ("trainees", GONGJING, "2023-11", 10),
                ("trainees", JINJIANG, "2023-12", 600), ("trainees", QINGYANG, "2023-12", 500),
                ("trainees", ZILIUJING, "2023-12", 100))
    province = row(progress(values(*december), "2023-12"), "trainees", PROVINCE)
    assert province["coverage"] == pytest.approx(1100 / 1110)  # 贡井区's 10 of November's 1110 is missing
    assert province["actual"] == 1200 - 0  # 600 + 500 + 100
    assert province["status"] == "completed"  # 1200 >= 1200: reached, whatever 贡井区 says
    short = row(progress(values(*december[:-1], ("trainees", ZILIUJING, "2023-12", 90)), "2023-12"), "trainees",
                PROVINCE)
    assert short["actual"] == 1190  # 600 + 500 + 90: 10 short of 1200 …
    assert short["pace"] == pytest.approx(1190 / (1200 * 1100 / 1110))  # … but ahead of the three's share, 1.0009
    assert short["status"] == "incomplete"  # so 贡井区's return decides: 数据不全, not 滞后


def test_a_closed_year_without_its_december_figure_counts_nothing_for_that_year_and_is_estimated():
    frame = values(
        ("housing", JINJIANG, "2023-06", 400), ("housing", QINGYANG, "2023-06", 400),  # both: the complete month
        ("housing", JINJIANG, "2023-12", 1000), ("housing", QINGYANG, "2023-11", 900),  # 青羊区 has no December
        ("housing", JINJIANG, "2024-03", 200), ("housing", QINGYANG, "2024-03", 100),
    )
    province = row(progress(frame, "2024-03", scopes={"housing": [JINJIANG, QINGYANG]}), "housing", PROVINCE)
    assert province["actual"] == 1300  # 2023: 锦江区's 1000 only (青羊区's November 900 is not December) + 200 + 100
    assert province["estimate"] == 2200  # + 青羊区's last 2023 figure, 900, as an estimate
    assert province["estimated"] == (QINGYANG,)
    # coverage: 2023 is 12 of the 15 months so far and 青羊区 held half of June 2023; March 2024 is complete
    assert province["coverage"] == pytest.approx(12 / 15 * 0.5 + 3 / 15 * 1.0)  # = 0.6
    assert province["status"] == "incomplete"
    # the same figure in a later view and in the county's own row: no view carries November forward
    qingyang = row(progress(frame, "2024-03", scopes={"housing": [JINJIANG, QINGYANG]}), "housing", QINGYANG)
    assert qingyang["actual"] == 100


def test_a_level_met_mid_year_is_attained_and_completed_only_at_the_end():
    frame = values(("employed", JINJIANG, "2023-06", 1010), ("employed", JINJIANG, "2023-12", 1005))
    assert row(progress(frame, "2023-06", scopes=ONLY_JINJIANG), "employed", PROVINCE)["status"] == "attained"
    assert row(progress(frame, "2023-12", scopes=ONLY_JINJIANG), "employed", PROVINCE)["status"] == "completed"


def test_only_targets_with_a_county_missing_need_the_history():
    from tracker.progress.engine import county_figures, needs_history

    complete = values(*FEBRUARY_ALL)
    assert list(needs_history(PLAN, TREE, county_figures(PLAN, complete, "2023-02"), "2023-02",
                              {t.id: COUNTIES for t in PLAN.targets if t.id == "employed"})) == [
        t.id for t in PLAN.targets if t.id != "employed"]  # every other target has no figure at all
    gap = values(*FEBRUARY_ALL, *MARCH_BUT_GONGJING)
    need = needs_history(PLAN, TREE, county_figures(PLAN, gap, "2023-03"), "2023-03")["employed"]
    # 贡井区 is missing: its prefecture's counties (自贡市) are read every month, the province's complete months whole
    assert need.counties == {ZILIUJING, GONGJING}
    assert sorted(need.scope) == sorted(COUNTIES) and not need.scoped and need.segments == ("2023-03",)


# --- targets relative to a baseline ----------------------------------------------------------------------------------

GROWTH_PLAN = Plan.model_validate(
    {
        "id": "growth-plan", "title": {"zh": "增长", "en": "Growth"},
        "source": {"document": "测试文件", "text": "sources/test.txt"},
        "tasks": [{"id": "jobs", "number": 1, "title": {"zh": "就业", "en": "Jobs"}, "departments": DEPARTMENTS,
                   "citation": CITATION}],
        "targets": [
            # 比2022年底增长10%, the baseline from the returns: each region against its own December 2022
            {**_target("growth", value=1, kind="level", reporting="month_end", months="latest"), "value": None,
             "relative": {"change": "percent", "amount": 10, "baseline": {"period": "2022-12"}}},
            # 翻一番 of a stated baseline of 400: an ordinary target of 800
            {**_target("doubled", value=1, kind="level", reporting="month_end", months="latest"), "value": None,
             "relative": {"change": "multiple", "amount": 2, "baseline": {"period": "2022-12", "value": 400}}},
        ],
    },
    context={"departments": {"hrss"}},
)
BASELINE = values(("growth", JINJIANG, "2022-12", 100), ("growth", QINGYANG, "2022-12", 200),
                  ("growth", ZILIUJING, "2022-12", 50), ("growth", GONGJING, "2022-12", 150))
JUNE_GROWTH = values(("growth", JINJIANG, "2023-06", 105), ("growth", QINGYANG, "2023-06", 210),
                     ("growth", ZILIUJING, "2023-06", 60), ("growth", GONGJING, "2023-06", 160),
                     ("doubled", JINJIANG, "2023-06", 700))


def _growth(frame, baselines) -> pd.DataFrame:
    from tracker.progress.engine import county_figures, progress_table

    return progress_table(GROWTH_PLAN, TREE, county_figures(GROWTH_PLAN, frame, "2023-06"), "2023-06", THRESHOLDS,
                          scopes={"doubled": [JINJIANG]}, history=frame, baselines=baselines)


def test_a_growth_target_gives_every_region_its_own_baseline_moved_by_the_change():
    result = _growth(JUNE_GROWTH, BASELINE)
    province, chengdu, zigong = (row(result, "growth", c) for c in (PROVINCE, CHENGDU, ZIGONG))
    assert province["target_value"] == pytest.approx(550)  # (100 + 200 + 50 + 150) × 1.1
    assert province["target_basis"] == "baseline"
    assert province["pace"] == pytest.approx(535 / 550)  # 105 + 210 + 60 + 160 = 535; a level: expected in full
    assert province["status"] == "on_track"  # 0.973 ≥ 0.95
    assert chengdu["target_value"] == pytest.approx(330) and chengdu["status"] == "on_track"  # 315 / 330 = 0.955
    assert zigong["target_value"] == pytest.approx(220) and zigong["status"] == "attained"  # 220 ≥ 220 in June
    jinjiang = row(result, "growth", JINJIANG)
    assert jinjiang["target_value"] == pytest.approx(110) and jinjiang["status"] == "on_track"  # 105/110 = 0.955


def test_a_stated_baseline_is_an_ordinary_target_of_the_worked_out_value():
    doubled = row(_growth(JUNE_GROWTH, BASELINE), "doubled", PROVINCE)
    assert doubled["target_value"] == 800 and doubled["target_basis"] == "plan"  # 400 × 2
    assert doubled["pace"] == pytest.approx(700 / 800) and doubled["status"] == "at_risk"  # 0.875


def test_a_region_missing_from_the_baseline_has_no_target_yet():
    result = _growth(JUNE_GROWTH, BASELINE[BASELINE["region"] != GONGJING])
    for code in (PROVINCE, ZIGONG, GONGJING):
        hit = row(result, "growth", code)
        assert missing(hit["target_value"]) and hit["target_basis"] == "baseline_missing"
        assert hit["status"] == "incomplete"  # 数据不全, not 未分解目标: the target waits for 贡井区's baseline
    assert row(result, "growth", CHENGDU)["status"] == "on_track"  # 成都's own baseline is complete
