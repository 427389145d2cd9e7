"""What the pages redraw on every rerun is computed once: a target's trend (Snapshot.trend, the target page's chart)
per data version, equal to the engine's; plotly's parse of property paths per string, equal to plotly's own."""
from __future__ import annotations

import pandas as pd
import pytest

from tracker.progress import engine as progress_engine
from tracker.progress.snapshot import load_snapshot
from tracker.store.db import get_engine
from tracker.store.demo import DEMO_END


@pytest.mark.parametrize("demo_url", ["sqlite"], indirect=True)
def test_a_targets_trend_is_the_engines_and_is_computed_once_per_data_version(demo_url, monkeypatch):
    snap = load_snapshot(get_engine(demo_url), "sichuan-2023-citizenization", DEMO_END)
    target = snap.plan.targets[0]
    goal = snap.province().loc[target.id, "target_value"]
    expected = progress_engine.trend(target, snap.target_values(target.id), snap.as_of, snap.scopes.get(target.id),
                                     target_value=None if pd.isna(goal) else float(goal))
    history, projection = snap.trend(target.id)
    pd.testing.assert_frame_equal(history, expected[0])
    pd.testing.assert_frame_equal(projection, expected[1])

    calls = []
    monkeypatch.setattr("tracker.progress.snapshot.trend", lambda *a, **k: calls.append(a) or expected)
    again = load_snapshot(get_engine(demo_url), "sichuan-2023-citizenization", DEMO_END)  # a rerun's copy
    assert again.trend(target.id)[0] is history and not calls
    earlier = load_snapshot(get_engine(demo_url), "sichuan-2023-citizenization", "2024-06")
    earlier.trend(target.id)
    assert len(calls) == 1  # another month is another key


def test_plotlys_property_paths_are_remembered_with_the_same_parse():
    import plotly.basedatatypes as base

    import tracker.outputs.charts  # noqa: F401  (installs the remembering parse)

    remembered = base._str_to_dict_path_full
    assert getattr(remembered, "remembered", False)
    paths = ["xaxis.gridcolor", "error_x.color", "marker.line.width", "annotations[0].text", "", "a__b_", "_x",
             "title.font.size", "xaxis2.range[1]", "legend_orientation"]
    first = [remembered(p) for p in paths]
    again = [remembered(p) for p in paths]
    assert first == again and all(a[1] is not b[1] for a, b in zip(first, again))  # a fresh list each time
    assert remembered("annotations[0].text")[0] == ("annotations", 0, "text")
    assert remembered("error_x.color")[0] == ("error_x", "color")
    assert first == [remembered.parse(p) for p in paths]  # plotly's own parse


# --- the history an incomplete region's coverage reads (store.history_values) ----------------------------------------

def _with_every_value(engine, plan, tree, scopes, as_of, ordered=True):
    """The progress table as the snapshot computes it, and with every value of each target that needs history
    (``ordered``: its levels in runs, as the snapshot keeps it; else in the engine's order)."""
    from tracker import store
    from tracker.model.status import load_config
    from tracker.progress.snapshot import baselines, build_snapshot, by_level

    config = load_config()
    snap = build_snapshot(engine, plan, tree, scopes, as_of, config)
    plan = plan.in_force(as_of)
    figures = store.county_figures(engine, plan, as_of)
    wanted = progress_engine.needs_history(plan, tree, figures, as_of, scopes)
    every = store.current_values(engine, plan.id, targets=list(wanted), period_to=as_of) if wanted else None
    full = progress_engine.progress_table(plan, tree, figures, as_of, config.thresholds,
                                          store.current_allocations(engine, plan.id), scopes, history=every,
                                          baselines=baselines(engine, plan))
    return snap.progress, by_level(full) if ordered else full, wanted


@pytest.mark.parametrize("as_of", ["2023-03", "2023-12", "2024-07", "2025-06", DEMO_END])
def test_the_history_read_for_incomplete_regions_gives_what_every_value_gives(demo_url, as_of):
    """The snapshot reads only the counties of prefectures with a county missing and the months that may be
    complete; its table is the one every value of those targets gives, weights and estimates included."""
    from loaders.plans import load_plans
    from loaders.regions import load_divisions, resolve_scopes

    plan = load_plans()["sichuan-2023-citizenization"]
    shown, full, wanted = _with_every_value(get_engine(demo_url), plan, load_divisions(), resolve_scopes(plan),
                                            as_of)
    pd.testing.assert_frame_equal(shown, full)
    assert wanted  # the demo's counties miss some months: the history is read


def test_at_national_scale_the_history_read_is_a_fraction_and_gives_the_same_table(tmp_path):
    """120 counties in 12 prefectures over five years, a month's return missed now and then: most targets have a
    county missing, and only some months are complete across all counties. The same table from part of the
    values."""
    from bench import synthetic
    from tracker import store

    scale = synthetic.national(120, 12, "2021-01")
    engine = get_engine(f"sqlite:///{tmp_path / 'national.db'}")
    values = synthetic.national_values(scale.plan, scale.tree, scale.months, missing=0.004)
    synthetic.load_values(engine, scale, values)
    for as_of in ("2023-06", "2025-12"):
        shown, full, wanted = _with_every_value(engine, scale.plan, scale.tree, scale.scopes, as_of)
        pd.testing.assert_frame_equal(shown, full)
        read = store.history_values(engine, scale.plan.id, wanted, as_of)
        every = store.current_values(engine, scale.plan.id, targets=list(wanted), period_to=as_of)
        assert wanted and len(read) < len(every)
        assert (full["coverage_basis"].str.startswith("month:")).any()  # weights from a complete month were used
    engine.dispose()


@pytest.mark.parametrize("demo_url", ["sqlite"], indirect=True)
def test_a_snapshots_levels_are_the_engines_rows_as_slices_of_its_one_table(demo_url):
    """``Snapshot.rows`` gives each level's rows of the engine's table, in the engine's order, without a copy of
    the table per level (at national scale the copies were a second 31 MB table for every month kept)."""
    import dataclasses

    import numpy as np

    from loaders.plans import load_plans
    from loaders.regions import load_divisions, resolve_scopes

    plan = load_plans()["sichuan-2023-citizenization"]
    engine = get_engine(demo_url)
    snap = load_snapshot(engine, plan.id, DEMO_END)
    _, table, _ = _with_every_value(engine, plan, load_divisions(), resolve_scopes(plan), DEMO_END, ordered=False)
    assert not (np.diff(pd.factorize(table["level"])[0]) >= 0).all()  # the engine's rows go target by target
    unordered = dataclasses.replace(snap, progress=table, _kept={})  # a table not in runs: split by copies
    for level in ("province", "prefecture", "county"):
        expected = table[table["level"] == level].reset_index(drop=True)
        assert len(expected)
        for which in (snap, unordered):
            pd.testing.assert_frame_equal(which.rows(level).reset_index(drop=True), expected)
        assert np.shares_memory(snap.rows(level)["actual"].to_numpy(), snap.progress["actual"].to_numpy())
        assert not np.shares_memory(unordered.rows(level)["actual"].to_numpy(), table["actual"].to_numpy())
    assert snap.province().index.tolist() == table.loc[table["level"] == "province", "target"].tolist()


@pytest.mark.parametrize("demo_url", ["sqlite"], indirect=True)
def test_the_columns_of_few_values_are_categories_that_read_as_the_strings_and_weigh_less(demo_url):
    """Per-target and status columns are categorical (tracker/progress/engine.py ``_FEW``): each cell reads as the
    string it was, a level's slice keeps the dtype, and the table weighs less than with string columns."""
    from tracker.progress.cache import frame_bytes

    snap = load_snapshot(get_engine(demo_url), "sichuan-2023-citizenization", DEMO_END)
    table = snap.progress
    as_strings = table.astype({name: "str" for name in progress_engine._FEW})
    for name in progress_engine._FEW:
        assert isinstance(table[name].dtype, pd.CategoricalDtype), name
        assert table[name].tolist() == as_strings[name].tolist()
        assert isinstance(snap.rows("county")[name].dtype, pd.CategoricalDtype)
    for name in ("target", "region", "region_name", "parent"):
        assert not isinstance(table[name].dtype, pd.CategoricalDtype), name
    assert frame_bytes(table) < 0.75 * frame_bytes(as_strings)


@pytest.mark.parametrize("demo_url", ["sqlite"], indirect=True)
def test_what_a_snapshot_keeps_is_built_once_however_many_ask_at_once_and_other_keys_do_not_wait(demo_url):
    """``Snapshot.kept``: sessions asking at once for a view (the closing account: seconds and ~60 MB at national
    scale) wait for one build; a view of another key is built meanwhile; a build that fails keeps nothing."""
    import threading
    import time

    snap = load_snapshot(get_engine(demo_url), "sichuan-2023-citizenization", DEMO_END)
    builds, results, order = [], [], []
    start, slow_started = threading.Barrier(8), threading.Event()

    def slow() -> str:
        builds.append(threading.get_ident())
        slow_started.set()
        time.sleep(0.3)
        order.append("slow")
        return "account"

    def ask() -> None:
        start.wait()
        results.append(snap.kept(("evaluation", "x"), slow))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    assert slow_started.wait(5)
    assert snap.kept(("table", "y"), lambda: order.append("other") or "table") == "table"
    for thread in threads:
        thread.join()
    assert len(builds) == 1 and results == ["account"] * 8
    assert order == ["other", "slow"]  # the other key did not wait for the slow one
    assert len(snap._building) == 0

    with pytest.raises(RuntimeError):
        snap.kept(("broken",), lambda: (_ for _ in ()).throw(RuntimeError("database gone")))
    assert ("broken",) not in snap._kept and len(snap._building) == 0
    assert snap.kept(("broken",), lambda: "built") == "built"
