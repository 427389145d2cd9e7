"""The benchmarks' synthetic data: reproducible and of the size the issue asks for (timings are never asserted)."""
from __future__ import annotations

import pandas as pd

from bench import synthetic
from bench.report import aims


def test_national_divisions_have_2850_counties_in_330_prefectures_in_31_provinces():
    tree = synthetic.national_tree()
    counties, prefectures = tree.level("county"), tree.level("prefecture")
    assert (len(counties), len(prefectures)) == (2850, 330)
    assert len({p.code[:2] for p in prefectures}) == 31
    assert {c.parent_code for c in counties} == {p.code for p in prefectures}  # no prefecture left empty
    assert all(c.code[:4] == c.parent_code[:4] for c in counties)


def test_national_plan_has_30_valid_targets_of_every_kind():
    plan = synthetic.national_plan()
    assert len(plan.targets) == 30
    assert {t.aggregation.months for t in plan.targets} == {"latest", "sum", "sum_of_years"}


def test_national_values_are_reproducible_and_about_five_million_at_full_size():
    scale = synthetic.national(counties=60, prefectures=6)
    first = synthetic.national_values(scale.plan, scale.tree, scale.months)
    again = synthetic.national_values(scale.plan, scale.tree, scale.months)
    pd.testing.assert_frame_equal(first, again)
    full = 2850 * 30 * 60
    assert len(first) / (60 * 30 * 60) > 0.99  # 0.5 % of county-months missing
    assert 5_000_000 < full * 0.995 < 5_200_000


def test_year_to_date_values_never_fall_within_a_year():
    scale = synthetic.national(counties=40, prefectures=4)
    values = synthetic.national_values(scale.plan, scale.tree, scale.months)
    ytd = {t.id for t in scale.plan.targets if t.reporting == "ytd"}
    frame = values[values["target"].isin(ytd)].assign(year=lambda f: f["period"].str[:4]).sort_values("period")
    falls = frame.groupby(["target", "region", "year"])["value"].apply(lambda s: (s.diff() < 0).any())
    assert not falls.any()


def test_the_report_marks_a_missed_aim():
    results = {"progress": [{"scale": "sichuan", "backend": "sqlite", "table_s": 0.2}],
               "overview": {"warm_s": 1.0}}
    verdicts = {a["what"]: a["verdict"] for a in aims(results)}
    assert verdicts == {"Sichuan progress table, warm (sqlite)": "MISSED", "overview rendered in Chromium, warm": "met"}
