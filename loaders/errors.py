"""The one exception the readers raise: a refusal with a problem code (tracker/problems.py) and its parameters.

In its own module so that the readers (workbooks, ooxml, sheetscan, documents, sandbox) can share it without
importing each other; ``loaders.workbooks`` re-exports it, which is where the callers import it from.
"""
from __future__ import annotations


class UnreadableFile(Exception):
    """The file cannot be read at all; ``code`` is a problem code and ``params`` fill its message."""

    def __init__(self, code: str, **params: object):
        self.code = code
        self.params = params
        super().__init__(code)


def reraise_fatal(exc: BaseException) -> None:
    """Let through what must never become a refusal (Ctrl-C, interpreter exit); everything else may be turned into
    one. Readers catch ``BaseException`` because a panic inside a Rust extension (calamine) arrives as
    ``pyo3_runtime.PanicException``, which derives from ``BaseException`` and slips past ``except Exception``."""
    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
        raise exc


def short(text: str, limit: int = 60) -> str:
    """A name taken from the file (sheet, zip member), cut for a message: hostile files carry kilobyte-long names."""
    text = text.replace("\n", " ").replace("\r", " ")
    return text if len(text) <= limit else text[:limit] + "…"
