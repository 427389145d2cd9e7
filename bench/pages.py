"""Server-side time of a rerun of each page (Streamlit's AppTest, in this process) on the Sichuan data."""
from __future__ import annotations

import os
import re
from pathlib import Path

from .timing import median_seconds

ROOT = Path(__file__).resolve().parent.parent
#: Pages that are not views of the figures (sign-in, slides) are left out.
SKIP = {"pages/signin.py", "pages/present.py"}


def page_files() -> list[str]:
    """The pages app.py puts in the menu, in its order."""
    found = re.findall(r'st\.Page\("(pages/[a-z_]+\.py)"', (ROOT / "app.py").read_text(encoding="utf-8"))
    return [p for p in dict.fromkeys(found) if p not in SKIP]


def reruns(database_url: str, runs: int, files: list[str] | None = None) -> list[dict]:
    from streamlit.testing.v1 import AppTest

    os.environ["TRACKER_DATABASE_URL"] = database_url
    results = []
    for page in files or page_files():
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
        if page != "pages/overview.py":
            at.switch_page(page).run()
        first = [str(e.value)[:200] for e in at.exception]
        rerun = median_seconds(lambda: at.run(), runs)
        results.append({"page": page, "rerun_s": round(rerun, 4), "runs": runs,
                        "errors": first + [str(e.value)[:200] for e in at.exception]})
    return results
