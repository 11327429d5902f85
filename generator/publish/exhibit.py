"""The filing: the report as one HTML document for EDGAR, Exhibit 1.01 to Form SD.

Rendered from the same Model as the website, so the two never disagree. Its
own Jinja environment, because the output language differs (HTML, not
Markdown), with the same discipline: every {{ expression }} passes through
`finalize`, which writes untrusted text with escape.html_text and converts
authored Markdown (placeholders filled as on the website) to HTML, then keeps
only what EDGAR accepts (generator/edgar.py).
"""
from __future__ import annotations

import functools
import re

import jinja2
import markdown

from generator.content.schema import Markdown
from generator.problems import Problems
from generator.publish.edgar import to_edgar_html
from generator.publish.escape import html_text, markdown_text
from generator.publish.render import template_environment
from generator.publish.report import Model, fill, markdown_fields

TEMPLATE = "exhibit-1.01.htm.j2"
OUTPUT_DIR = "build"
# Website pages that are sections of the exhibit: a link to one becomes a link to its anchor.
SECTION_ANCHORS = {
    "index.md": "top",
    "due-diligence.md": "due-diligence",
    "smelters.md": "smelters",
    "countries.md": "countries",
    "risk.md": "risk",
}
# The policy is published on the website; the exhibit only refers to it.
NOT_IN_EXHIBIT = ("policy.yml",)
MARKDOWN_EXTENSIONS = ["tables", "attr_list", "admonition"]  # as in mkdocs.yml
# EFM 5.1.1: up to 32 characters, starting with a letter or digit, ending in .htm.
FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,27}\.htm")


def render_exhibit(model: Model, problems: Problems) -> str:
    """The whole exhibit; authored Markdown that EDGAR cannot carry is an error in `problems`."""
    _check_markdown(model, problems)
    env = _environment(model.figures)
    context = {
        "model": model,
        "company": model.content.company,
        "report": model.content.report,
        "dd": model.content.due_diligence,
        "figures": model.figures,
        "counts": model.designation_counts,
        "optional_columns": [(attr, title) for attr, title in (("smelter_id", "Smelter ID"), ("country", "Country"))
                             if any(getattr(f, attr) for f in model.facilities)],
    }
    return env.get_template(TEMPLATE).render(context)


def default_name(year: int) -> str:
    """Each year's exhibit has its own file, side by side in build/: exhibit-1.01-<YEAR>.htm."""
    return f"exhibit-1.01-{year}.htm"


def check_file_name(name: str, problems: Problems) -> None:
    if not FILE_NAME.fullmatch(name):
        problems.warn(name, "exhibit.file-name",
                      "EDGAR accepts document names of up to 32 characters that start with a letter or "
                      "digit and end in .htm (EDGAR Filer Manual, section 5.1.1); rename the file before filing")


@functools.lru_cache(maxsize=1024)
def markdown_html(text: str) -> str:
    """Authored Markdown (placeholders already filled) -> HTML in EDGAR's subset."""
    converted = markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    return to_edgar_html(converted, SECTION_ANCHORS).html.strip()


def _check_markdown(model: Model, problems: Problems) -> None:
    figures = {k: markdown_text(v) for k, v in model.figures.items()}
    for file_name, key, text in markdown_fields(model.content):
        if file_name.endswith(NOT_IN_EXHIBIT):
            continue
        converted = markdown.markdown(fill(text, figures), extensions=MARKDOWN_EXTENSIONS, output_format="html")
        left_out = sorted(set(to_edgar_html(converted, SECTION_ANCHORS).left_out))
        if left_out:
            problems.add(file_name, "exhibit.html",
                         f"the EDGAR exhibit cannot carry {', '.join(left_out)} (EDGAR Filer Manual, "
                         "section 5.2.2: no active content, no graphics we attach); write plain Markdown",
                         line=model.content.lines.get(file_name, {}).get(key, 0), key=key)


def _environment(figures: dict[str, str]) -> jinja2.Environment:
    escaped_figures = {k: markdown_text(v) for k, v in figures.items()}

    def finalize(value):
        if isinstance(value, Markdown):
            return markdown_html(fill(value, escaped_figures))
        return html_text(value)

    return template_environment(finalize)
