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

import csv
import functools
import html
import io
import re
from collections.abc import Iterable

from markupsafe import Markup

from generator.problems import printable

# Syntax anywhere in a line: code, emphasis, attr_list braces, links, table cells, escapes.
_INLINE_SPECIAL = re.compile(r"([\\`*_{}\[\]|])")
# Syntax only at the start of a block: headings, list items, ordered list numbers.
_LEADING_SPECIAL = re.compile(r"^([#+\-]|\d+(?=[.)](\s|$)))")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# Control characters have no place in a published text, not even as references.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


# Characters that reorder or hide what is shown: the bidirectional embeddings, overrides, isolates and
# marks, zero-width spaces, word joiners and the byte-order mark. Zero-width (non-)joiners are kept
# between two letters of a script that needs them (Persian, the Indic scripts, emoji sequences).
_INVISIBLE = re.compile("[\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
                        "|(?:(?<=[\x00-\x7f])|^)[\u200c\u200d]|[\u200c\u200d](?=[\x00-\x7f]|$)")


def published_text(value: object) -> str:
    """Untrusted text without control characters and without the characters that reorder or hide text."""
    return _INVISIBLE.sub("", _CONTROL.sub("", str(value)))


def markdown_text(value: object) -> str:
    """Untrusted text -> Markdown inline text that shows the same characters."""
    return _markdown_text(str(value))


@functools.lru_cache(maxsize=65536)  # a file's name, a metal, an outcome: the review's cells recur
def _markdown_text(text: str) -> str:
    if _MARKDOWN_WORK.search(text):  # most values have nothing to escape but, perhaps, their start
        text = " ".join(published_text(text).split())  # no line breaks: a value stays on its line
        text = html.escape(text, quote=False)
        text = _INLINE_SPECIAL.sub(r"\\\1", text)
    return _LEADING_SPECIAL.sub(_escape_leading, text)


# What the steps of markdown_text before the leading check act on: the characters published_text
# removes, every whitespace character but a single space between words (str.split), HTML's & < >
# and _INLINE_SPECIAL. A text without any is left as it is by them.
_MARKDOWN_WORK = re.compile("[\x00-\x1f\x7f-\xa0\u061c\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064"
                            "\u2066-\u2069\u3000\ufeff&<>\\\\`*_{}\\[\\]|]|  |^ | $")


def _escape_leading(match: re.Match) -> str:
    token = match.group(1)
    return "\\" + token if not token[0].isdigit() else token + "\\"


def html_text(value: object) -> str:
    """Untrusted text -> HTML text that shows the same characters, in ASCII only."""
    text = " ".join(published_text(value).split())
    return ascii_references(html.escape(text, quote=True))


def theme_text(value: object) -> Markup:
    """Text for the theme's templates (the site name): escaped once, quotes included, and marked safe,
    so it is text both where the theme escapes it (`| e`) and where it does not (<title>, attributes)."""
    return Markup(html.escape(published_text(value), quote=True))


def ascii_references(markup: str) -> str:
    """HTML with every non-ASCII character written as a numeric reference (&#233;)."""
    return markup.encode("ascii", "xmlcharrefreplace").decode("ascii")


@functools.lru_cache(maxsize=65536, typed=True)  # a file's name, its sheet, the outcomes: each cell of rows.csv recurs
def csv_cell(value: object) -> str:
    """A CSV cell that a spreadsheet will show as text, never run as a formula: not when it
    trims leading spaces on import, nor when its list separator is ';' (much of Europe) and it
    splits the cell there, which quoting does not reliably prevent. `value` is a scalar (text,
    a number or None)."""
    text = "" if value is None else str(value)
    if _CSV_WORK.search(text):  # most cells have none of these: one pass, then only their start is looked at
        text = published_text(text)  # "\u200b=cmd" is "=cmd" in a spreadsheet
        text = _FORMULA_AFTER_SEPARATOR.sub(lambda m: m.group(1) + "'" + m.group(2), text)
    if text.startswith(_FORMULA_START) or text.lstrip().startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_line(values: Iterable[object]) -> str:
    """One line (no line end) of two or more cells through csv_cell, quoted exactly as the csv module's
    writer quotes them: for the tens of thousands of lines of rows.csv, twice as fast as the writer."""
    return ",".join(map(_csv_field, values))


@functools.lru_cache(maxsize=65536, typed=True)
def _csv_field(value: object) -> str:
    text = csv_cell(value)
    if not _CSV_QUOTED.search(text):
        return text
    out = io.StringIO()  # a cell the writer may quote (rare): quoted by the writer itself, with the same line end
    csv.writer(out, lineterminator="\n").writerow([text])
    return out.getvalue()[:-1]


# Every character for which the csv module's writer may quote a cell (a superset: where it would
# not, the writer is asked and leaves the cell as it is).
_CSV_QUOTED = re.compile('[",\r\n\x00-\x1f]')
_FORMULA_AFTER_SEPARATOR = re.compile(r"([;\t]\s*)([=+\-@])")
# Every character that published_text removes (_CONTROL, _INVISIBLE) and the separators of
# _FORMULA_AFTER_SEPARATOR: a cell without any is left as it is by them.
_CSV_WORK = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u061c\u180e\u200b-\u200f\u202a-\u202e"
                       "\u2060-\u2064\u2066-\u2069\ufeff;\t]")


# For a terminal: every C0/C1 control character (ESC starts the sequences that set the window
# title, colours or worse), and the bidirectional overrides that reorder what is shown.
_TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
                              "\u2066-\u2069\ufeff]")


def terminal_text(value: object) -> str:
    """Untrusted text -> one line for a terminal: control, bidirectional and zero-width characters written
    as \\x1b, \\u202e, \\u200b; lone surrogates too."""
    text = printable(str(value))
    return _TERMINAL_UNSAFE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)
