"""The one escape function: any text renders as exactly itself, never as markup."""
from __future__ import annotations

import csv
import html
import io
import re

import markdown
import pytest

from generator.publish.escape import csv_cell, csv_line, html_text, markdown_text, published_text
from tests.builders import HOSTILE

EXTENSIONS = ["tables", "attr_list", "admonition"]


def rendered_text(source: str) -> str:
    out = markdown.markdown(source, extensions=EXTENSIONS)
    assert re.fullmatch(r"<p>[^<>]*</p>|<ul>\n<li>[^<>]*</li>\n</ul>", out), out
    return html.unescape(re.sub(r"</?(p|ul|li)>|\n", "", out))


@pytest.mark.parametrize("text", HOSTILE + ["1) one", "+ plus", "a_b_c", "x\ny\tz", "12.5% & <3"])
def test_text_renders_as_itself_inline_and_as_list_item(text):
    expected = " ".join(text.split())
    assert rendered_text(markdown_text(text)) == expected
    assert rendered_text("- " + markdown_text(text)) == expected


def test_table_cell_keeps_pipes_inside_the_cell():
    row = f"| {markdown_text('a | b')} | {markdown_text('`c`')} |"
    out = markdown.markdown("| x | y |\n| --- | --- |\n" + row, extensions=EXTENSIONS)
    assert "<td>a | b</td>\n<td>`c`</td>" in out


def test_ordinary_text_stays_readable_in_the_markdown():
    assert markdown_text("Rule 13p-1 (17 CFR 240.13p-1), Co., Ltd.") == "Rule 13p-1 (17 CFR 240.13p-1), Co., Ltd."


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+SUM(A1)", "'+SUM(A1)"), ("-2", "'-2"), ("@cmd", "'@cmd"),
    ("\tx", "'\tx"), ("Tin", "Tin"), ("", ""), (None, ""), ("a=b", "a=b"),
])
def test_csv_cells_never_start_a_formula(value, expected):
    assert csv_cell(value) == expected


def markdown_text_the_long_way(value: object) -> str:
    """markdown_text as it was before its one-pass check: every step on every value."""
    text = html.escape(" ".join(published_text(value).split()), quote=False)
    text = re.sub(r"([\\`*_{}\[\]|])", r"\\\1", text)
    return re.sub(r"^([#+\-]|\d+(?=[.)](\s|$)))", lambda m: "\\" + m.group(1) if not m.group(1)[0].isdigit()
                  else m.group(1) + "\\", text)


def test_markdown_text_is_what_every_step_on_every_value_gives():
    """The one-pass check skips the steps only where they change nothing: every character up to U+3000
    and the invisible ones beyond, alone, at the start, between words, doubled, beside spaces."""
    chars = [chr(i) for i in range(0x3001) if not 0xD800 <= i <= 0xDFFF] + ["\ufeff", "\U0001f600"]
    for c in chars:
        for text in (c, c + "1. x", "a" + c + "b", " " + c, c + " ", c + c, "1" + c + " x", "\u0645" + c + "\u0634"):
            assert markdown_text(text) == markdown_text_the_long_way(text), repr(text)
    for value in (None, 0, 17, -3, 2.5, True, "1.", "2) two", "# h", "a  b", " a", "a ", "12.5", *HOSTILE):
        assert markdown_text(value) == markdown_text_the_long_way(value), repr(value)


def csv_cell_the_long_way(value: object) -> str:
    """csv_cell as it was before its one-pass check: every substitution on every cell."""
    text = "" if value is None else published_text(value)
    text = re.sub(r"([;\t]\s*)([=+\-@])", lambda m: m.group(1) + "'" + m.group(2), text)
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r", "\n")) or \
        text.lstrip().startswith(("=", "+", "-", "@", "\t", "\r", "\n")) else text


def test_csv_cells_are_what_every_substitution_on_every_cell_gives():
    """The one-pass check skips the substitutions only where they change nothing: every character up to
    U+3000 and the invisible ones beyond, alone, before a formula, after a separator, between letters."""
    chars = [chr(i) for i in range(0x3001) if not 0xD800 <= i <= 0xDFFF] + ["\ufeff", "\U0001f600"]
    for c in chars:
        for text in (c, c + "=1", "a" + c + "=1", " " + c + "@x", "a" + c + "b", c + "\u200d" + "a", ";" + c + "-2"):
            assert csv_cell(text) == csv_cell_the_long_way(text), repr(text)
    for value in (None, 0, 17, -3, 2.5, True, *HOSTILE):
        assert csv_cell(value) == csv_cell_the_long_way(value), repr(value)


def test_a_csv_line_is_what_the_csv_writer_writes_of_the_same_cells():
    """csv_line quotes by itself only where the writer would not quote: every character up to U+3000
    alone, at either end and between letters, each beside an empty cell and a number, and every hostile string."""
    chars = [chr(i) for i in range(0x3001) if not 0xD800 <= i <= 0xDFFF]
    cells: list[object] = [t for c in chars for t in (c, "a" + c + "b", c + "a", "a" + c)]
    cells += [*HOSTILE, None, 0, -3, 2.5, "", " ", '"', '""', "a,b", "\r\n", "=1", "x;=1"]
    for cell in cells:
        row = [cell, "", 7, cell]
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow([csv_cell(v) for v in row])
        assert csv_line(row) + "\n" == out.getvalue(), repr(cell)


@pytest.mark.parametrize("text", HOSTILE + ["Côte d'Ivoire", "“smart” — quotes", "a\x00b\x1bc\x7f", "x\ny\tz"])
def test_html_text_is_ascii_and_shows_the_same_characters(text):
    escaped = html_text(text)
    assert escaped.isascii() and "<" not in escaped and ">" not in escaped and '"' not in escaped
    expected = " ".join(re.sub(r"[\x00-\x08\x0e-\x1b\x7f]", "", text).split())
    assert html.unescape(escaped) == expected


def test_html_text_writes_non_ascii_as_numeric_references():
    assert html_text("Côte <d'Ivoire> & “Co”") == "C&#244;te &lt;d&#x27;Ivoire&gt; &amp; &#8220;Co&#8221;"
