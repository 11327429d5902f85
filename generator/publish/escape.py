"""The one place where untrusted text is made safe for publication.

`markdown_text` turns any string into inline Markdown that renders as exactly
that text: HTML special characters become entities, and every character that
Markdown (with the tables and attr_list extensions) could read as syntax is
backslash-escaped, so no supplier string becomes a link, an emphasis, a
heading, a list, a table cell border, an attribute, markup or script.
`html_text` turns any string into HTML text in plain ASCII, for the EDGAR
exhibit: markup characters become entities and every other character outside
printable ASCII a numeric character reference. `csv_cell` keeps a downloaded
CSV cell from starting a spreadsheet formula. `terminal_text` writes a line for
a terminal with control characters (escape sequences) shown, not obeyed.
"""
from __future__ import annotations

import html
import re

# Syntax anywhere in a line: code, emphasis, attr_list braces, links, table cells, escapes.
_INLINE_SPECIAL = re.compile(r"([\\`*_{}\[\]|])")
# Syntax only at the start of a block: headings, list items, ordered list numbers.
_LEADING_SPECIAL = re.compile(r"^([#+\-]|\d+(?=[.)](\s|$)))")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# Control characters have no place in a published text, not even as references.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


def markdown_text(value: object) -> str:
    """Untrusted text -> Markdown inline text that shows the same characters."""
    text = " ".join(_CONTROL.sub("", str(value)).split())  # no line breaks: a value stays on its line
    text = html.escape(text, quote=False)
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    return _LEADING_SPECIAL.sub(_escape_leading, text)


def _escape_leading(match: re.Match) -> str:
    token = match.group(1)
    return "\\" + token if not token[0].isdigit() else token + "\\"


def html_text(value: object) -> str:
    """Untrusted text -> HTML text that shows the same characters, in ASCII only."""
    text = " ".join(_CONTROL.sub("", str(value)).split())
    return ascii_references(html.escape(text, quote=True))


def ascii_references(markup: str) -> str:
    """HTML with every non-ASCII character written as a numeric reference (&#233;)."""
    return markup.encode("ascii", "xmlcharrefreplace").decode("ascii")


def csv_cell(value: object) -> str:
    """A CSV cell that a spreadsheet will show as text, never run as a formula: not when it
    trims leading spaces on import, nor when its list separator is ';' (much of Europe) and it
    splits the cell there, which quoting does not reliably prevent."""
    text = "" if value is None else _CONTROL.sub("", str(value))
    text = _FORMULA_AFTER_SEPARATOR.sub(lambda m: m.group(1) + "'" + m.group(2), text)
    if text.startswith(_FORMULA_START) or text.lstrip().startswith(_FORMULA_START):
        return "'" + text
    return text


_FORMULA_AFTER_SEPARATOR = re.compile(r"([;\t]\s*)([=+\-@])")


# For a terminal: every C0/C1 control character (ESC starts the sequences that set the window
# title, colours or worse), and the bidirectional overrides that reorder what is shown.
_TERMINAL_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_text(value: object) -> str:
    """Untrusted text -> one line for a terminal: control characters written as \\x1b, \\u202e."""
    return _TERMINAL_UNSAFE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), str(value))
