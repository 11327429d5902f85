"""The one place where untrusted text is made safe for publication.

`markdown_text` turns any string into Markdown that renders as exactly that
text: HTML special characters become entities, and every character Markdown
could read as syntax is backslash-escaped, so no supplier string becomes a
link, a heading, a table cell border, markup or script. `csv_cell` keeps a
downloaded CSV cell from starting a spreadsheet formula.
"""
from __future__ import annotations

import html
import re

# Characters Python-Markdown honours a backslash escape for (plus '|' for tables).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def markdown_text(value: object) -> str:
    """Untrusted text -> Markdown inline text that shows the same characters."""
    text = " ".join(str(value).split())  # no line breaks: a cell stays one line
    text = html.escape(text, quote=True)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def csv_cell(value: object) -> str:
    """A CSV cell that a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text
