"""``python -m bench.serve PORT DATABASE_URL [--national]``: the app as ``streamlit run app.py`` serves it.

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
    from streamlit.web import cli

    os.chdir(ROOT)
    sys.argv = ["streamlit", "run", "app.py", "--server.headless", "true", "--server.port", port,
                "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    cli.main()


if __name__ == "__main__":
    main()
