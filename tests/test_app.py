"""The real Streamlit app under AppTest, on the demo database of each backend."""
from __future__ import annotations

import base64
import json
import math
import re

import numpy as np
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from loaders.plans import load_plans
from tests.conftest import PROJECT, shown, table_of
from tracker.model.units import format_quantity

PLAN = load_plans()["sichuan-2023-citizenization"]
PAGES = ["pages/overview.py", "pages/tasks.py", "pages/departments.py", "pages/regions.py", "pages/target.py"]


def app(as_of: str | None = None, lang: str | None = None, page: str | None = "pages/overview.py") -> AppTest:
    """The app after its first run, with the sidebar's choices preset in session state, then on ``page`` (the
    overview unless said otherwise: the demo plan has ended, so the app itself opens on its evaluation).

    AppTest runs only the page file on reruns when the page folder is named ``pages/`` (the old multipage
    convention), so the sidebar's widgets exist in the first run only; the browser test drives them for real.
    """
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    if lang:
        at.session_state["lang"] = lang
    if as_of:
        at.session_state["as_of"] = as_of
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page is not None:
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def cards(at: AppTest) -> dict[str, str]:
    """Target id → the text of its overview card."""
    out = {}
    for block in at.markdown:
        match = re.search(r'data-target="([a-z_]+)"', block.value)
        if match:
            out[match.group(1)] = re.sub(r"<[^>]+>", " ", block.value)
    return out


def plotly_numbers(data) -> list[float]:
    """Plotly 6 writes numeric arrays as typed base64 ({"dtype", "bdata"}); older versions as lists."""
    if isinstance(data, dict):
        return [float(x) for x in np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"])]
    return [math.nan if x is None else float(x) for x in data]


def raw_sum(url: str, target: str, period: str) -> float:
    from tracker.store.db import get_engine

    with get_engine(url).connect() as conn:
        return conn.scalar(sa.text("select sum(value) from reported_values where target_id = :t and period = :p"),
                           {"t": target, "p": period})


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(demo_env, page):
    at = app()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("示例数据" in m.value for m in at.markdown), "the demo banner must show on every page"


def test_overview_cards_show_the_stored_figures_in_wan(demo_env):
    at = app(as_of="2023-06")
    shown = cards(at)
    assert set(shown) == {t.id for t in PLAN.targets}
    for target in PLAN.targets:
        if target.aggregation.months != "latest":
            continue
        actual = raw_sum(demo_env, target.id, "2023-06")
        assert format_quantity(actual, target.unit) in shown[target.id], target.id
        assert "截至 2023年6月" in shown[target.id]
    assert "万人" in shown["rural_labor_transfer"]
    assert "目标 2500万人左右" in shown["rural_labor_transfer"]
    assert "目标 220.6万人以上" in shown["poverty_labor_transfer"]


def test_overview_counts_milestones_by_status(demo_env):
    at = app(as_of="2025-12")
    labels = {m.label: m.value for m in at.metric}
    assert set(labels) == {"未启动", "推进中", "已完成", "滞后"}
    total = sum(int(v.removesuffix(" 项")) for v in labels.values())
    assert total == len(PLAN.milestones)


def test_overview_says_when_a_figure_is_from_the_end_of_its_period(demo_env):
    shown = cards(app(as_of="2024-05"))
    assert "截至 2023年12月（目标期末）" in shown["labor_brand_training"]
    assert "截至 2024年5月" in shown["key_area_skill_training"]


def test_tasks_page_lists_each_tasks_targets_and_milestones(demo_env):
    at = app()
    at.switch_page("pages/tasks.py").run()
    for task in PLAN.tasks:
        at.selectbox(key="task").set_value(task.id).run()
        assert not at.exception
        assert any(task.title.zh in h.value for h in at.header)
        tables = at.table
        n_targets = sum(1 for t in PLAN.targets if t.task == task.id)
        n_milestones = sum(1 for m in PLAN.milestones if m.task == task.id)
        sizes = [len(df.value) for df in tables]
        assert sizes == ([n_targets] if n_targets else []) + [n_milestones], task.id


def test_departments_page_shows_shared_items_and_calls_nobody_lead(demo_env):
    at = app()
    at.switch_page("pages/departments.py").run()
    at.selectbox(key="department").set_value("agriculture").run()
    targets = table_of(at.table[0])
    expected = {t.name.zh for t in PLAN.targets if "agriculture" in t.departments.all()}
    assert set(targets["指标"]) == expected
    assert set(targets["职责"]) == {"按职责分工负责"}
    at.selectbox(key="department").set_value("ndrc").run()
    assert set(table_of(at.table[0])["职责"]) == {"按职责分工负责"}  # the first named in the plan, not its lead
    assert any("专项工作机制" in c.value and "人力资源和社会保障厅牵头" in c.value for c in at.caption)


def test_regions_page_ranks_the_21_prefectures_and_drills_down(demo_env):
    at = app(as_of="2023-09")
    at.switch_page("pages/regions.py").run()
    at.selectbox(key="w_target").set_value("labor_brand_training").run()
    table = table_of(at.table[0])
    assert len(table) == 21
    paces = [float(p.rstrip("%")) for p in table["进度（实际/应达）"] if p != "—"]
    assert paces == sorted(paces), "prefectures are ranked from furthest behind"
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "劳务品牌培训人数" in spec["layout"]["title"]["text"] and "2023年9月" in spec["layout"]["title"]["text"]
    at.selectbox(key="w_region").set_value("510700").run()
    counties = table_of(at.table[1])
    assert len(counties) == 9  # 绵阳市 has nine county-level divisions
    assert "涪城区" in set(counties["地区"])


def test_the_regions_pages_default_does_not_follow_into_the_map(demo_env):
    """地区 opens on the first prefecture, 地图 on the whole province: opening one must not carry its default into
    the other (it drew an all-grey 成都市 map); a prefecture someone chose does follow."""
    at = app(as_of="2023-09")
    at.switch_page("pages/regions.py").run()
    assert at.selectbox(key="w_region").value == "510100" and "region" not in at.query_params
    at.switch_page("pages/maps.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="w_region").value == "510000"
    at.switch_page("pages/regions.py").run()
    at.selectbox(key="w_region").set_value("510700").run()
    at.switch_page("pages/maps.py").run()
    assert at.selectbox(key="w_region").value == "510700"


def test_target_page_draws_the_trajectory_with_unit_and_month(demo_env):
    at = app(as_of="2023-09")
    at.switch_page("pages/target.py").run()
    at.selectbox(key="w_target").set_value("return_entrepreneurship_training").run()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["yaxis"]["title"]["text"] == "人"  # 3.3万 is read in persons on the axis
    assert "2023年9月" in spec["layout"]["title"]["text"]
    actual = next(tr for tr in spec["data"] if tr["name"] == "实际")
    assert len(actual["x"]) == 12  # the whole year is drawn …
    assert sum(not math.isnan(y) for y in plotly_numbers(actual["y"])) == 9  # … actuals January to September
    assert any("开展农民工返乡创业培训3.3万人" in shown(m.value) for m in at.markdown)


def test_english_switch_translates_the_interface_and_numbers(demo_env):
    at = app(as_of="2023-06", lang="en")
    shown = cards(at)
    assert "million persons" in shown["rural_labor_transfer"]
    assert "around 25 million persons" in shown["rural_labor_transfer"]
    assert any("Progress overview" in t.value for t in at.title)


def test_a_new_submission_shows_on_the_next_rerun(ready_engine):
    """Reading is cached; the cache is keyed by a data version, so a write is seen at once."""
    from sqlalchemy.orm import Session

    from tracker.store import NewValue, record_submission

    at = app(as_of="2023-06")
    assert "—" in cards(at)["labor_brand_training"]
    with Session(ready_engine) as session, session.begin():
        record_submission(session, plan_id=PLAN.id, period="2023-06", prefecture_code="510700", uploader="测试",
                          values=[NewValue("labor_brand_training", "510704", "2023-06", 12_345)])
    at.run()
    shown = cards(at)["labor_brand_training"]
    assert "1.23万人" in shown  # 12345 persons in 万, two decimals
    assert "1/183 县报送" in shown
