"""Stage after the site: the whole report as one PDF, printed by Chromium.

The built site's pages of the current report (in the order of the nav) are put
into one HTML document after a cover (company, period, conclusion) and a table
of contents; links between pages become links within the document. Chromium
prints it through Playwright with page numbers in the footer, into
site/downloads/report.pdf, which every page's download link points to. The
document carries no script: every row of every table is printed.
"""
from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from generator.problems import UserError
from generator.publish.report import Model

log = logging.getLogger(__name__)

PDF_PATH = "downloads/report.pdf"
CHROMIUM = "/usr/bin/chromium"
# The current report's pages in the order of the nav (goals.html where data/goals.yml gives one).
PAGE_ORDER = ("index", "policy", "due-diligence", "goals", "smelters", "countries", "risk")
_ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*?)</article>', re.S)
_TITLE = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
_STYLESHEETS = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
_LOCAL_LINK = re.compile(r'href="(?:\./)?([a-z-]+)\.html(#[^"]*)?"')
FOOTER = ('<div style="font-size:8pt;width:100%;text-align:center;color:#000">'
          'Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>')
PRINT_CSS = """
.cmr-pdf-cover { break-after: page; padding-top: 30%; }
.cmr-pdf-cover h1 { font-size: 2.2em; margin-bottom: 0.4em; }
.cmr-pdf-cover p { font-size: 1.2em; margin: 0.3em 0; }
.cmr-pdf-contents { break-after: page; }
.cmr-pdf-page { break-before: page; }
.md-typeset .md-button, .md-typeset .headerlink { display: none; }
body { background: #fff; }
"""


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    body: str


def sections(site: Path) -> list[Section]:
    """The article of every page of the current report, in order; a page missing from site/ is an error."""
    found = []
    for name in PAGE_ORDER:
        path = site / f"{name}.html"
        if not path.is_file():
            if name == "goals":
                continue
            raise UserError(f"{path}: not found; build the site first (`python -m generator build`)")
        text = path.read_text(encoding="utf-8")
        article = _ARTICLE.search(text)
        if article is None:
            raise UserError(f"{path}: no article found; expected a page built by MkDocs with the Material theme")
        title = _TITLE.search(article.group(1))
        plain = re.sub(r"<[^>]+>", "", title.group(1)).strip() if title else name
        found.append(Section(name, html.unescape(plain), _local_links(article.group(1))))
    return found


def _local_links(body: str) -> str:
    """Links to another page of the report lead to its section of the document, or the anchor within it."""
    def target(match: re.Match) -> str:
        page, anchor = match.group(1), match.group(2)
        if page not in PAGE_ORDER:
            return match.group(0)
        return f'href="{anchor}"' if anchor else f'href="#page-{page}"'
    return _LOCAL_LINK.sub(target, body)


def document(model: Model, site: Path, parts: list[Section], starts: dict[str, int] | None = None,
             only: Section | None = None) -> str:
    """The whole report as one HTML document, with the site's own stylesheets; `starts` numbers the
    contents with each section's first page; `only` is one section alone (to count its pages)."""
    index = (site / "index.html").read_text(encoding="utf-8")
    sheets = "".join(f'<link rel="stylesheet" href="{href}">' for href in _STYLESHEETS.findall(index))
    company, report = model.content.company, model.content.report
    period = f"{model.figures['period.start']} to {model.figures['period.end']}"
    cover = (f'<section class="cmr-pdf-cover"><h1>{html.escape(company.name)}</h1>'
             f"<p>{html.escape(report.title)} for {model.year}</p>"
             f"<p>Reporting period: {html.escape(period)}</p>"
             f"<p>Conclusion: {html.escape(report.conclusion)}</p>"
             f"<p>Form SD, Exhibit 1.01: {html.escape(report.rule)}</p></section>")
    contents = "".join(f'<li><a href="#page-{s.name}">{html.escape(s.title)}</a>'
                       + (f'<span class="cmr-pdf-at">, page {starts[s.name]}</span>' if starts else "") + "</li>"
                       for s in parts)
    pages = "".join(f'<section class="cmr-pdf-page" id="page-{s.name}">{s.body}</section>'
                    for s in ([only] if only else parts))
    front = "" if only else (f'{cover}<section class="cmr-pdf-contents"><h1>Contents</h1><ol>{contents}</ol>'
                             "</section>")
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(company.name)} {html.escape(report.title)} {model.year}</title>{sheets}"
            f"<style>{PRINT_CSS}</style></head>"
            f'<body><div class="md-typeset">{front}{pages}</div></body></html>')


def page_count(pdf: bytes) -> int:
    """The pages of a PDF that Chromium wrote (each is a /Type /Page object)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def write_pdf(model: Model, site: Path, output: Path | None = None) -> Path:
    """Print the report into site/downloads/report.pdf (or `output`) with Chromium."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise UserError("the PDF needs Playwright: pip install -e '.[pdf]' (make pdf does)") from None
    if not Path(CHROMIUM).exists():
        raise UserError(f"{CHROMIUM}: not found; the PDF is printed by Debian's chromium (apt-get install chromium)")
    output = output or site / PDF_PATH
    output.parent.mkdir(parents=True, exist_ok=True)
    parts = sections(site)
    source = site / ".report-print.html"  # in site/, so the stylesheets' relative addresses hold
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(java_script_enabled=False)

            def printed(text: str) -> bytes:
                source.write_text(text, encoding="utf-8")
                page.goto(source.resolve().as_uri(), wait_until="load")
                page.emulate_media(media="print")
                return page.pdf(format="Letter", print_background=True, display_header_footer=True,
                                header_template="<span></span>", footer_template=FOOTER,
                                margin={"top": "18mm", "bottom": "20mm", "left": "16mm", "right": "16mm"})

            # Each section starts a page: print each alone to know where it starts (cover and contents: 2).
            starts, at = {}, 3
            for part in parts:
                starts[part.name] = at
                at += page_count(printed(document(model, site, parts, only=part)))
            output.write_bytes(printed(document(model, site, parts, starts)))
            browser.close()
    finally:
        source.unlink(missing_ok=True)
    log.info("wrote %s", output)
    return output
