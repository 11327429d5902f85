"""The one place where untrusted text is made safe for publication.

`markdown_text` turns any string into inline Markdown that renders as exactly
that text: HTML special characters become entities, and every character that
Markdown (with the tables and attr_list extensions) could read as syntax is
backslash-escaped, so no supplier string becomes a link, an emphasis, a
heading, a list, a table cell border, an attribute, markup or script.
`csv_cell` keeps a downloaded CSV cell from starting a spreadsheet formula.
"""
from __future__ import annotations

import html
import re

# Syntax anywhere in a line: code, emphasis, attr_list braces, links, table cells, escapes.
_INLINE_SPECIAL = re.compile(r"([\\`*_{}\[\]|])")
# Syntax only at the start of a block: headings, list items, ordered list numbers.
_LEADING_SPECIAL = re.compile(r"^([#+\-]|\d+(?=[.)](\s|$)))")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def markdown_text(value: object) -> str:
    """Untrusted text -> Markdown inline text that shows the same characters."""
    text = " ".join(str(value).split())  # no line breaks: a value stays on its line
    text = html.escape(text, quote=False)
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    return _LEADING_SPECIAL.sub(_escape_leading, text)


def _escape_leading(match: re.Match) -> str:
    token = match.group(1)
    return "\\" + token if not token[0].isdigit() else token + "\\"


def csv_cell(value: object) -> str:
    """A CSV cell that a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text
