"""Results kept by key within a memory budget, built once however many ask at the same moment.

The app shares snapshots and county values between sessions. Kept by count alone (Streamlit's ``max_entries``,
64), a national process grew by 35–60 MB with every month browsed, towards 64 × 35 MB: gigabytes. Kept here by
size, the least recently used go first once the budget is spent; a Sichuan snapshot is half a MB, so the count
still bounds those. While one caller builds a key the others asking for it wait for its result instead of
building a second copy (a second national snapshot at once doubled the peak).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

import pandas as pd

V = TypeVar("V")


class KeyLocks:
    """``hold(key)``: one caller of a key at a time, callers of other keys meanwhile; a key's lock lives only while
    it is held or waited for. What builds a shared result holds its key, so the others asking wait for it."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    @contextmanager
    def hold(self, key: Hashable) -> Iterator[None]:
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        try:
            with lock:
                yield
        finally:
            with self._lock:
                self._locks.pop(key, None)

    def __len__(self) -> int:
        """The keys held or waited for now."""
        return len(self._locks)


class Budgeted(Generic[V]):
    """``get(key, build)``: the kept value, else ``build()`` kept. The newest value is always kept, even alone
    over the budget: a caller's own result is never thrown away before it is returned. Room is made before a
    build as well as after it (``_make_room``)."""

    def __init__(self, budget_bytes: int, max_entries: int, size: Callable[[V], int],
                 settle: Callable[[], object] | None = None):
        """``settle``: called after each build, once what it pushed out is let go (the app hands the memory
        freed by both back to the system there)."""
        self.budget, self.max_entries, self._size, self._settle = budget_bytes, max_entries, size, settle
        self._items: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._building = KeyLocks()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], V]) -> V:
        with self._lock:
            if key in self._items:
                return self._hit(key)
        with self._building.hold(key):
            with self._lock:
                if key in self._items:  # built by the caller we waited for
                    return self._hit(key)
                made_room = self._make_room()
            if made_room and self._settle is not None:
                self._settle()
            value = build()
            nbytes = int(self._size(value))
            with self._lock:
                self._items[key] = (value, nbytes)
                while len(self._items) > 1 and (len(self._items) > self.max_entries or self.bytes > self.budget):
                    self._items.popitem(last=False)
        if self._settle is not None:
            self._settle()
        return value

    def _hit(self, key: Hashable) -> V:
        """A kept value, now the most recently used (the lock held)."""
        self._items.move_to_end(key)
        return self._items[key][0]

    def _make_room(self) -> bool:
        """Before a build (the lock held): push out what the new value would push out anyway, by the average size
        kept, so that the build's own peak does not come on top of a full budget (at national scale a build's
        passing use is ~55 MB besides the 20 it keeps)."""
        made = False
        while self._items and (len(self._items) >= self.max_entries
                               or self.bytes + self.bytes / len(self._items) > self.budget):
            self._items.popitem(last=False)
            made = True
        return made

    @property
    def bytes(self) -> int:
        return sum(n for _, n in self._items.values())

    def __len__(self) -> int:
        return len(self._items)


def frame_bytes(*frames: pd.DataFrame | None) -> int:
    """What frames hold (their strings and objects included)."""
    return sum(int(f.memory_usage(deep=True, index=True).sum()) for f in frames if f is not None)


#: The megabytes of snapshots a process keeps (county values: half as much besides); ``TRACKER_CACHE_MB`` sets it.
#: 100 MB holds every Sichuan month there is and four national ones (a national snapshot is ~20 MB): with it the
#: national app stays under 500 MB on the benchmark's pages and however many months are browsed after them
#: (docs/performance.md). A larger machine may keep more: a month not kept is built again when asked for (5 s at
#: national scale, a fraction of a second for Sichuan).
DEFAULT_CACHE_MB = 100


def cache_budget() -> int:
    """The snapshot budget in bytes, from ``TRACKER_CACHE_MB``."""
    import os

    text = os.environ.get("TRACKER_CACHE_MB", "").strip()
    if not text:
        return DEFAULT_CACHE_MB << 20
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = -1
    if megabytes <= 0:
        raise ValueError(f"TRACKER_CACHE_MB 应为正数（兆字节），而不是 {text!r}")
    return int(megabytes * (1 << 20))
