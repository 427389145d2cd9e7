"""Walking every page of the running app as a newcomer would, in both languages and at the screen sizes the
offices use, and reading from the DOM what a person would notice: a table cut off at the side, a literal
"None", a raw code, a word of the other language. Used by tests/test_browser_pages.py and by
scripts/screenshots.py (the README's pictures)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tests.browsing import settle

#: The pages of the menu (URL paths) a province user sees, and 汇报模式.
PAGES = ["overview", "completeness", "tasks", "departments", "redlist", "summary", "regions", "maps", "target",
         "milestones", "quality", "plan_import", "upload", "review", "audit", "evaluation"]
SIZES = [(1280, 720), (1440, 900), (1920, 1080)]

#: Latin words a Chinese page may show: file formats, names of things that have no Chinese name in use here.
LATIN_IN_CHINESE = {"xlsx", "xls", "csv", "docx", "pdf", "pptx", "png", "md", "markdown", "excel", "word", "id", "sso",
                    "mb", "kb", "ppt", "wps", "sqlite", "postgresql", "cli", "url", "txt", "yaml", "targets"}
#: What only a program would say: a snake_case code (negative_value), a long hex digest, a Python missing value.
RAW_CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b[0-9a-f]{32,}\b")
MISSING = re.compile(r"\b(?:None|nan|NaN|NaT|<NA>)\b")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")

# Every table on the page that is wider than the space it has, and every grid cell text cut with "…".
_CLIPPED_JS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('[data-testid="stTable"], [data-testid="stDataFrame"]')) {
    const boxes = [el, ...el.querySelectorAll('*')].filter(e => e.scrollWidth > e.clientWidth + 1
        && getComputedStyle(e).overflowX !== 'visible');
    if (boxes.length) out.push((el.innerText || '').slice(0, 60));
    const table = el.querySelector('table');
    if (table && table.getBoundingClientRect().right > el.getBoundingClientRect().right + 1)
      out.push((el.innerText || '').slice(0, 60));
  }
  return out;
}"""
_MAIN_TEXT_JS = """(lang) => {
  // what a person reads: the page and the sidebar, without icon ligatures (":material/download:" is the text
  // "download" drawn as a picture), without the bilingual language switch, and without a quotation of the plan
  // (published in Chinese only, quoted as written and said to be)
  const parts = [];
  for (const sel of ['[data-testid="stMain"]', '[data-testid="stSidebar"]']) {
    const el = document.querySelector(sel);
    if (!el) continue;
    const copy = el.cloneNode(true);
    copy.querySelectorAll('[data-testid="stIconMaterial"], [data-testid*="Icon"], .material-symbols-rounded')
        .forEach(e => e.remove());
    if (lang === 'en') copy.querySelectorAll('blockquote').forEach(e => e.remove());
    copy.style.position = 'absolute'; copy.style.left = '-99999px';
    document.body.appendChild(copy);
    parts.push(copy.innerText || '');
    copy.remove();
  }
  return parts.join('\\n').replace('语言 / Language', '');
}"""


@dataclass
class Finding:
    page: str
    lang: str
    size: tuple[int, int]
    what: str
    detail: str

    def __str__(self) -> str:
        return f"{self.page} [{self.lang} {self.size[0]}×{self.size[1]}] {self.what}: {self.detail}"


@dataclass
class Walk:
    findings: list[Finding] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)


def text_findings(text: str, lang: str, allowed_cjk: set[str]) -> list[tuple[str, str]]:
    """What a reader would stumble on in a page's text: a missing value, a raw code, the other language."""
    found = [("missing", m.group()) for m in MISSING.finditer(text)]
    found += [("raw code", m.group()) for m in RAW_CODE.finditer(text)]
    if lang == "zh":
        found += [("English in Chinese", w) for w in LATIN_WORD.findall(text) if w.lower() not in LATIN_IN_CHINESE]
    else:
        found += [("Chinese in English", w) for w in CJK.findall(text) if not _allowed(w, allowed_cjk)]
    return found


def _allowed(run: str, names: set[str]) -> bool:
    """A run of CJK in English text is allowed when it is made of proper names (regions, people)."""
    rest = run
    for name in sorted(names, key=len, reverse=True):
        rest = rest.replace(name, "")
    return not rest


def open_page(page, server: str, path: str, query: str) -> None:
    page.goto(f"{server}/{'' if path == 'overview' else path}?{query}")  # the overview is the root
    settle(page)
    page.wait_for_timeout(300)


def walk(page, server: str, lang: str, as_of: str, pages: list[str] = PAGES, sizes: list[tuple[int, int]] = SIZES,
         out: Path | None = None, allowed_cjk: set[str] = frozenset(), walk_result: Walk | None = None) -> Walk:
    """Visit ``pages`` in ``lang`` as of ``as_of`` at each size, collecting findings (and screenshots in ``out``)."""
    result = walk_result or Walk()
    page.goto(server)  # the root first: a deep link must not be a fresh server's first request
    settle(page)
    query = f"plan=sichuan-2023-citizenization&as_of={as_of}&lang={lang}"
    for path in pages:
        open_page(page, server, path, query if path != "evaluation" else query.replace(f"&as_of={as_of}", ""))
        if page.locator('[role="dialog"]').count():  # Streamlit's "Page not found", say
            result.findings.append(Finding(path, lang, sizes[0], "dialog", page.locator('[role="dialog"]').first
                                           .inner_text()[:80]))
        for width, height in sizes:
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(400)
            for detail in page.evaluate(_CLIPPED_JS):
                result.findings.append(Finding(path, lang, (width, height), "table clipped", detail))
            if (width, height) == sizes[0]:
                for what, detail in text_findings(page.evaluate(_MAIN_TEXT_JS, lang), lang, set(allowed_cjk)):
                    result.findings.append(Finding(path, lang, (width, height), what, detail))
            if out is not None:
                out.mkdir(parents=True, exist_ok=True)
                shot = out / f"page-{path}-{lang}-{width}x{height}.png"
                page.screenshot(path=str(shot), full_page=True)
                result.screenshots.append(shot)
    return result
