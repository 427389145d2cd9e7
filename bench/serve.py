"""``python -m bench.serve PORT DATABASE_URL [--national] [--script=PATH] [--cold] [--nagle] [--no-freeze]
[--session-ttl=SECONDS]``: the app
as ``make run`` serves it (ui/server.py: ``streamlit run app.py`` after its start-up work).

With ``--national`` the synthetic national plan and divisions (bench/synthetic.py) stand in for the project's
files, so that the real app, in its own process, draws the national database. ``--script``: another script instead,
such as the load benchmark's baseline, bench/floor_app.py. ``--cold``, ``--nagle``, ``--no-freeze``: without the
start-up warm-up, the TCP_NODELAY fix, ``gc.freeze()`` (for before-and-after measures). ``--session-ttl``: how long
Streamlit keeps a closed session for its tab to reconnect to (``server.disconnectedSessionTTL``, 120 s by default).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    port, url, *flags = sys.argv[1:]
    os.environ["TRACKER_DATABASE_URL"] = url
    if "--national" in flags:
        import loaders.plans
        import loaders.regions

        from . import synthetic

        scale = synthetic.national()
        loaders.plans.load_plans = lambda *args, **kwargs: {scale.plan.id: scale.plan}
        loaders.regions.load_divisions = lambda *args, **kwargs: scale.tree
    script = next((f.split("=", 1)[1] for f in flags if f.startswith("--script=")), "app.py")
    ttl = next((["--server.disconnectedSessionTTL", f.split("=", 1)[1]] for f in flags if f.startswith("--session-ttl=")),
               [])
    from ui import server

    server.main(["--server.headless", "true", "--server.port", port, "--browser.gatherUsageStats", "false",
                 "--server.fileWatcherType", "none", *ttl], script=script,
                warm_up=script == "app.py" and "--cold" not in flags, nodelay="--nagle" not in flags,
                freeze="--no-freeze" not in flags)


if __name__ == "__main__":
    main()
