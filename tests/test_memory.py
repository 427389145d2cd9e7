"""The server hands back what a large build freed (ui/memory.py): Arrow on the system allocator, the allocator's
free pages returned after each snapshot. The national peak this keeps under 500 MB is measured in bench/."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import PROJECT


def test_the_server_gives_arrow_the_system_allocator_before_anything_is_built():
    """In a process of its own: the pool is the process's for good once chosen."""
    script = ("import pyarrow, pandas as pd; from ui.memory import use_system_allocator; "
              "before = pyarrow.default_memory_pool().backend_name; use_system_allocator(); "
              "frame = pd.DataFrame({'s': ['成都市'] * 1000}); "
              "print(before, pyarrow.default_memory_pool().backend_name, pyarrow.system_memory_pool().bytes_allocated() > 0)")
    out = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True, check=True)
    before, after, used = out.stdout.split()
    assert before != "system" and after == "system"
    assert used == "True"  # the frame's strings were allocated from it


def test_freed_memory_goes_back_to_the_system():
    from ui import memory

    if memory._TRIM is None:
        pytest.skip("not glibc: no malloc_trim")
    script = ("import numpy as np; from ui.memory import give_back; give_back(); "
              "blocks = [np.ones(2000) for _ in range(10000)]; del blocks; print(give_back())")
    out = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True"]  # 160 MB of 16 KB blocks freed inside the heap, returned
