"""The caches the sessions share, kept within a memory budget (tracker/progress/cache.py): what is evicted, that a
key is built once however many ask at once, and the app's snapshots held to their budget."""
from __future__ import annotations

import importlib
import threading
import time

import pandas as pd
import pytest

from tracker import store
from tracker.progress.cache import DEFAULT_CACHE_MB, Budgeted, cache_budget, frame_bytes


def _sized(n: int) -> Budgeted[str]:
    return Budgeted(budget_bytes=n, max_entries=10, size=len)


def test_the_least_recently_used_go_first_once_the_budget_is_spent():
    cache = _sized(10)
    for key in "abc":
        cache.get(key, lambda key=key: key * 3)   # 3 bytes each: 9 of 10
    cache.get("a", lambda: pytest.fail("kept: not built again"))  # a is now the most recent
    held = []
    cache.get("d", lambda: held.append(list(cache._items)) or "dddd")
    assert held == [["c", "a"]]       # room made before the build: 9 + 3 (the average) > 10, so b went first
    assert [k for k in "abcd" if k in cache._items] == ["a", "c", "d"]
    assert cache.bytes == 10
    built = []
    cache.get("b", lambda: built.append(1) or "bbb")
    assert built == [1]                                            # b was gone: built again


def test_the_count_bounds_small_values_and_the_newest_is_kept_even_over_the_budget():
    cache = Budgeted(budget_bytes=1 << 30, max_entries=3, size=len)
    for key in "abcde":
        cache.get(key, lambda key=key: key)
    assert list(cache._items) == ["c", "d", "e"]
    held = []
    cache.get("f", lambda: held.append(len(cache)) or "f")
    assert held == [2]  # one made room for before the build
    huge = _sized(5)
    huge.get("a", lambda: "aa")
    assert huge.get("big", lambda: "x" * 100) == "x" * 100         # returned and kept, alone
    assert list(huge._items) == ["big"]


def test_callers_asking_at_once_wait_for_one_build():
    cache = _sized(1000)
    builds = []
    start = threading.Barrier(8)

    def build() -> str:
        builds.append(threading.get_ident())
        time.sleep(0.2)
        return "snapshot"

    results = []

    def ask() -> None:
        start.wait()
        results.append(cache.get("2025-06", build))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1 and results == ["snapshot"] * 8
    assert len(cache._building) == 0


def test_a_build_that_fails_keeps_nothing_and_the_next_caller_builds_again():
    cache = _sized(100)
    with pytest.raises(RuntimeError):
        cache.get("k", lambda: (_ for _ in ()).throw(RuntimeError("database gone")))
    assert len(cache) == 0 and len(cache._building) == 0
    assert cache.get("k", lambda: "v") == "v"


def test_frames_weigh_their_strings():
    short = pd.DataFrame({"region": ["510104"] * 1000})
    long = pd.DataFrame({"region": ["四川省成都市锦江区某某街道办事处"] * 1000})
    assert frame_bytes(long) > frame_bytes(short) > 1000
    assert frame_bytes(short, None, long) == frame_bytes(short) + frame_bytes(long)


def test_the_budget_is_set_in_megabytes_and_a_wrong_setting_says_so(monkeypatch):
    monkeypatch.delenv("TRACKER_CACHE_MB", raising=False)
    assert cache_budget() == DEFAULT_CACHE_MB << 20
    monkeypatch.setenv("TRACKER_CACHE_MB", "256")
    assert cache_budget() == 256 << 20
    for wrong in ("0", "-5", "lots"):
        monkeypatch.setenv("TRACKER_CACHE_MB", wrong)
        with pytest.raises(ValueError, match="TRACKER_CACHE_MB 应为正数"):
            cache_budget()


def test_the_apps_snapshots_are_shared_and_held_to_their_budget(demo_env, monkeypatch):
    """Each month's snapshot is built once and shared; over the budget the least recent month goes (and is built
    again when asked for), so a process browsing many months stays within it."""
    context = importlib.import_module("ui.context")  # ``ui.context`` the attribute is the function of that name
    url = context.database_url()
    version = store.data_version(context._ready_engine(url))
    plan_id = "sichuan-2023-citizenization"
    months = ["2025-09", "2025-10", "2025-11", "2025-12"]
    cache = Budgeted(1 << 30, 64, lambda snap: snap.nbytes)
    monkeypatch.setattr(context, "_SNAPSHOTS", cache)
    first = context._snapshot(url, plan_id, months[0], version)
    assert context._snapshot(url, plan_id, months[0], version) is first
    one = first.nbytes
    assert one > 100_000  # the demo's progress table: 1,256 rows
    cache.budget = int(one * 2.5)
    for month in months[1:]:
        assert context._snapshot(url, plan_id, month, version).as_of == month
    assert [key[2] for key in cache._items] == months[-2:]
    assert cache.bytes <= cache.budget
    again = context._snapshot(url, plan_id, months[0], version)
    assert again is not first and again.progress.equals(first.progress)


def test_settling_follows_each_build_and_not_a_hit():
    settled = []
    cache = Budgeted(budget_bytes=4, max_entries=10, size=len, settle=lambda: settled.append(len(cache)))
    cache.get("a", lambda: "aaa")
    cache.get("a", lambda: "aaa")
    cache.get("b", lambda: "bbb")  # a pushed out before the build, settled, then settled again after it
    assert settled == [1, 0, 1]
