"""``python -m ui.server [streamlit options]``: ``streamlit run app.py`` with its start-up work done before the first
visitor arrives, and the socket fix Streamlit's server lacks. ``make run`` starts the app this way; so does the
benchmark (bench/serve.py).

- **TCP_NODELAY.** Streamlit 1.67's server binds its socket with ``socket.socket(family)``, whose protocol number is
  0, and asyncio sets ``TCP_NODELAY`` only on sockets whose protocol is ``IPPROTO_TCP``: every connection was left
  with Nagle's algorithm on, so the small messages that end a run waited for the browser's delayed ACK — about
  40 ms on every click, for every visitor (measured over the websocket: a one-line script's rerun 44 ms → 4 ms).
- **Warm caches.** The heavy imports (pandas, plotly, every module of the core the pages import), the database check and the snapshot of the plan
  in force at its newest month (and, for a plan that has ended, its evaluation: the page it opens on) are built here, so the first visitor is served from them (ui.context caches them
  per data version; a later import makes a new version and new entries, as before).
- **A frozen start-up heap.** ``gc.freeze()`` after the warm-up moves everything built so far (modules, plans,
  divisions, the warm snapshot) out of the collector's reach: a full collection no longer walks them.
- **Memory handed back.** Arrow allocates pandas' strings with the system allocator, and what a large build freed
  is returned to the system after it (ui/memory.py): the national app's peak 658 → under 500 MB.
"""
from __future__ import annotations

import gc
import logging
import os
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_LOG = logging.getLogger("tracker.server")


def tcp_nodelay() -> None:
    """Make asyncio set TCP_NODELAY on every TCP stream socket, whatever protocol number it was created with."""
    from asyncio import base_events

    def set_nodelay(sock) -> None:
        if sock.family in {socket.AF_INET, socket.AF_INET6} and sock.type == socket.SOCK_STREAM:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    base_events._set_nodelay = set_nodelay


def warm() -> float:
    """Fill the app's caches for the first visitor: the database, the plans, the months and the snapshot of the
    plan that opens first at its newest month. Returns the seconds it took; a failure is logged, not raised (the
    first visitor then pays, and sees the error if there is one)."""
    start = time.perf_counter()
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    try:
        import importlib

        import pandas  # noqa: F401  (what every page draws with)
        import plotly.graph_objects  # noqa: F401

        for name in _page_imports():
            importlib.import_module(name)
        context = importlib.import_module("ui.context")  # ``ui.context`` the attribute is the function of that name
        # st.cache_data outside a script run warns at every call that there is no runtime yet: noise here
        for name in ("streamlit.runtime.caching.cache_data_api", "streamlit.runtime.caching.cache_resource_api",
                     "streamlit.runtime.scriptrunner_utils.script_run_context"):
            logging.getLogger(name).addFilter(_before_runtime)
        url = context.database_url()
        engine = context._ready_engine(url)
        version = context.store.data_version(engine)
        plan_id = context._plan_options()[0]
        months = context._months(url, plan_id, version) or [None]
        if months[-1] is not None:
            context._snapshot(url, plan_id, months[-1], version)
        if context.load_plans()[plan_id].ended(_this_month()):  # an ended plan opens on its evaluation
            context._evaluation(url, plan_id, version, _this_day())
    except Exception:  # the app reports its own errors on the page; starting must not fail because of them
        _LOG.exception("warming the caches failed")
    return time.perf_counter() - start


def _before_runtime(record: logging.LogRecord) -> bool:
    """Drops the "No runtime found" warnings of the warm-up (Streamlit resets its loggers' levels, not filters)."""
    from streamlit import runtime

    return runtime.exists() or record.levelno >= logging.ERROR


def _page_imports() -> list[str]:
    """The project's modules (and plotly's) that the pages and ui/ import, inside functions too: imported at start,
    not during the first visitor's run."""
    import ast

    wanted = set()
    for path in [*sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
            wanted.update(n for n in names if n.split(".")[0] in {"tracker", "loaders", "plotly"})
    return sorted(wanted)


def _this_month() -> str:
    from datetime import date

    from tracker.model.periods import month_of

    return month_of(date.today())


def _this_day() -> str:
    from datetime import date

    return date.today().isoformat()


def main(argv: list[str] | None = None, script: str = "app.py", warm_up: bool = True, nodelay: bool = True,
         freeze: bool = True) -> None:
    """Start the server on ``script`` with the ``streamlit run`` options in ``argv`` (default: the command line's).
    The switches are for the benchmark's before-and-after measures (bench/serve.py)."""
    from streamlit.web import cli

    from ui.memory import give_back, use_system_allocator

    if nodelay:
        tcp_nodelay()
    use_system_allocator()
    os.chdir(ROOT)
    if warm_up:
        print(f"caches warmed in {warm():.1f} s", file=sys.stderr, flush=True)
    give_back()  # what the warm-up freed in passing, before the frozen heap is fixed in place
    if freeze:
        gc.collect()
        gc.freeze()
    sys.argv = ["streamlit", "run", str(ROOT / script), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
