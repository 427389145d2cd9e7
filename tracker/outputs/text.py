"""Stored text made inert where it is drawn: as Markdown (every Streamlit text element, label and tooltip) or as
HTML (the cards and the slides).

Names, notes, reasons, file names, sheet names and what a problem quotes from a file come from people and their
files. Drawn as Markdown unescaped, ``![x](http://host/x.png)`` makes every reader's browser fetch that address,
``[链接](http://…)`` is a link, and Streamlit's own extensions turn ``:red[…]``, ``:material/…:`` and ``$…$``
into colours, icons and formulas. Pages pass such text through ``escape_markdown`` before it goes into
``st.markdown``, ``st.caption``, ``st.info`` and the others, a title, a label or a message template's parameter;
never the template itself, whose own Markdown (``**牵头部门**``) is meant. HTML goes through ``escape_html``.
"""
from __future__ import annotations

import html
import re
import string

#: Every ASCII punctuation character: CommonMark lets a backslash escape any of them, and an escaped one is shown
#: as itself. Escaping all of them, not only those that start Markdown today, is what makes the result inert in
#: any position — a link, an image, emphasis, a code span, raw HTML (``\<``), an entity (``\&``), a table cell,
#: a list or heading at a line's start, GFM's bare ``http://`` and ``www.`` links (``\:``, ``\.``), KaTeX
#: (``\$``), and Streamlit's directives and icons (``\:``, ``\[``, and ``\/``: the browser rewrites the raw text
#: ``:material/`` before parsing, which an escaped slash no longer matches).
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
#: Leading blanks would make a line an indented code block, in which escapes show as backslashes. Those of the
#: text's first line stay: the text is often a fragment inside a line (a template's parameter).
_INDENT = re.compile(r"(?<=\n)[ \t]+")
#: Some rewriting happens on the parsed text, after escapes are undone: GFM turns ``http://…``, ``www.…`` and
#: ``name@host`` into links, and Streamlit turns ``:streamlit:`` (and other shortcodes) into pictures. An invisible
#: WORD JOINER (U+2060) after every ``:`` and ``@`` and inside ``www.`` keeps those patterns from matching.
JOINER = "\u2060"
_REWRITTEN = re.compile(r"([:@])|(?i:(www)(?=\.))")


def escape_markdown(text: object) -> str:
    """``text`` as Markdown that Streamlit draws as exactly that text, with nothing fetched, linked or formatted.

    Line breaks stay line breaks (a line is a soft break, an empty line a new paragraph); leading blanks of a line
    after the first are dropped; an invisible word joiner follows each ``:`` and ``@`` (see ``JOINER``). ``None``
    is the empty string; anything else is drawn as its ``str``.
    """
    if text is None:
        return ""
    value = _INDENT.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))
    value = _REWRITTEN.sub(lambda m: m.group(0) + JOINER, value)
    return _PUNCTUATION.sub(r"\\\1", value)


def escape_html(text: object) -> str:
    """``text`` for HTML element content or a quoted attribute value: ``& < > " '`` as entities."""
    return html.escape("" if text is None else str(text), quote=True)
