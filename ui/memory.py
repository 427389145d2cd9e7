"""Handing freed memory back to the system after a large build.

Building a national snapshot allocates and frees some 55 MB of arrays and rows in passing; glibc's allocator
keeps what was freed inside its heaps, so the process's resident size stayed at its high-water mark after every
build (it keeps about a third of that). ``malloc_trim(0)`` returns the free pages of every heap (4 ms there).
Elsewhere than glibc (musl, macOS) there is no such call and nothing is done.

pandas keeps its strings in Arrow arrays, which Arrow allocates from a pool of its own (mimalloc) that holds on to
what was freed as well, out of reach of the trim: the server gives Arrow the system allocator instead
(``use_system_allocator``), which put the national app 35 MB lower throughout.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc


def _trim_function():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_TRIM = _trim_function()


def use_system_allocator() -> None:
    """Arrow's buffers from malloc, as numpy's are: before anything is built (a pool holds what it allocated)."""
    try:
        import pyarrow
    except ImportError:  # pandas without Arrow keeps its strings as Python objects
        return
    pyarrow.set_memory_pool(pyarrow.system_memory_pool())


def give_back() -> bool:
    """Collect what only cycles hold, then return the allocator's free pages; whether the system got any back."""
    gc.collect()
    return bool(_TRIM(0)) if _TRIM is not None else False
