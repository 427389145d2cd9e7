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
