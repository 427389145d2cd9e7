"""``python -m bench.serve PORT DATABASE_URL [--national] [--script=PATH]``: the app as ``streamlit run app.py``
serves it (``--script``: another script instead, such as the load benchmark's baseline, bench/floor_app.py).

With ``--national`` the synthetic national plan and divisions (bench/synthetic.py) stand in for the project's
files, so that the real app, in its own process, draws the national database.
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
    from streamlit.web import cli

    os.chdir(ROOT)
    sys.argv = ["streamlit", "run", script, "--server.headless", "true", "--server.port", port,
                "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    cli.main()


if __name__ == "__main__":
    main()
