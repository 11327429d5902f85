"""MkDocs plugin `cmr`: ties the website to data/.

- Names the site after the company and year in data/, so they are not typed
  again into mkdocs.yml; an earlier year's pages (docs/<YEAR>/) carry that
  year's own name (from data/archive/<YEAR>/) in their title and header.
- Adds "Other minerals" after "Smelters and refiners" to the navigation when
  the page was generated (data/supply-chain.yml publishes the EMRT answers).
- With earlier years in data/archive/<YEAR>/, extends the navigation of
  mkdocs.yml: "Changes from year to year", then "Earlier reports" with every
  earlier year's pages (newest first) under the same titles, so that strict
  mode finds every generated page in the nav.
- Under `mkdocs serve` (and so `python -m generator serve`) only: watches data/,
  regenerates the pages into docs/ before each build, and when data/ is invalid
  keeps the last valid pages and shows the problems in a banner on every page.
  `mkdocs build` never writes docs/: `python -m generator build` does that.
"""
from __future__ import annotations

import base64
import hashlib
import logging
import re
from pathlib import Path

from mkdocs.plugins import BasePlugin

from generator.content import schema
from generator.content.load import Company, Report
from generator.problems import Problem, Problems, UserError, grouped
from generator.publish.escape import markdown_text, terminal_text, theme_text
from generator.publish.render import MINERALS_PAGE
from generator.years import CHANGES_PAGE, archive_folders

log = logging.getLogger("mkdocs.plugins.cmr")
# Data problems in the preview go to a logger outside "mkdocs", whose warnings strict
# mode counts: the preview must still build, to show them on the page.
preview_log = logging.getLogger("generator.commands.serve")

BANNER_TITLE = "data/ has errors: this preview shows the last valid pages"


class CmrPlugin(BasePlugin):
    serving = False
    problems: list[Problem] = []  # errors of the last regeneration, shown on every page
    site_name = ""                # the current report's name
    year_names: dict[str, str] = {}  # an earlier year's folder under docs/ -> that year's site name
    homepage_set = False          # extra.homepage set for the page being rendered (an earlier year's)

    def on_startup(self, *, command, dirty):
        # Defining on_startup also keeps this instance across the rebuilds of `mkdocs serve`.
        self.serving = command == "serve"

    def on_config(self, config, **_):
        # First, so that no page (not even the preview's, with invalid data) loads the remote shim.
        config.extra["polyfills"] = local_polyfills(config.extra.get("polyfills", []))
        root = Path(config.config_file_path).parent
        data = root / "data"
        problems = Problems()
        company, _ = schema.load(data / "company.yml", Company, problems)
        report, _ = schema.load(data / "report.yml", Report, problems)
        if company is None or report is None:
            if not self.serving:  # the preview reports the problems itself, in on_pre_build
                log.warning("data/ has errors; run `python -m generator check` (site name left as in mkdocs.yml)")
            return config
        config.site_name = self.site_name = site_name(company, report)
        folders = archive_folders(data, problems, root)
        self.year_names = {str(year): name for year, folder in folders if (name := year_name(folder))}
        years = [year for year, _folder in folders]
        docs = Path(config.docs_dir)
        if config.nav and (docs / MINERALS_PAGE).exists():
            config.nav = with_minerals_page(config.nav)
        if years and config.nav:
            config.nav = extended_nav(config.nav, years, docs)
        elif config.nav:
            config.nav = with_goals(config.nav, docs)
        return config

    def on_page_context(self, context, *, page, config, nav):
        # The theme writes config.site_name into the page's <title> and header, and links the header's
        # logo to extra.homepage or the site's home: on an earlier year's page, that year's own.
        folder = page.file.src_uri.split("/", 1)[0]
        if self.site_name and folder in self.year_names:
            config.site_name = self.year_names[folder]
            home = next((p.url for p in nav.pages if p.file.src_uri == f"{folder}/index.md"), None)
            if home is not None and "homepage" not in config.extra:
                config.extra["homepage"] = home
                self.homepage_set = True
        return context

    def on_serve(self, server, *, config, builder):
        server.watch(str(Path(config.config_file_path).parent / "data"))
        return server

    def on_pre_build(self, *, config):
        if self.serving:
            self.problems = regenerate(Path(config.config_file_path).parent)

    def on_page_markdown(self, markdown, *, page, config, files):
        return banner(self.problems) + markdown if self.problems else markdown

    def on_page_content(self, html, *, page, config, files):
        return with_header_scopes(html)

    def on_post_page(self, output, *, page, config):
        if self.site_name:
            config.site_name = self.site_name  # back to the current report's, for the next page and the 404 page
        if self.homepage_set:
            del config.extra["homepage"]
            self.homepage_set = False
        # Not in the preview: MkDocs' live-reload script is inline and added after this hook.
        return output if self.serving else with_content_security_policy(output, page.content or "")

    def on_post_template(self, output_content, *, template_name, config):
        if self.serving or not template_name.endswith(".html"):
            return output_content
        return with_content_security_policy(output_content, "")


def site_name(company: Company, report: Report) -> str:
    """The site name, escaped once for the theme (which prints it raw in <title> and attributes)."""
    return theme_text(f"{company.name} {report.title} {report.period.end.year}")


def year_name(folder: Path) -> str:
    """The site name of an earlier year, from its own data; "" when its files have errors (check lists them)."""
    problems = Problems()
    company, _ = schema.load(folder / "company.yml", Company, problems)
    report, _ = schema.load(folder / "report.yml", Report, problems)
    return site_name(company, report) if company is not None and report is not None else ""


# Material's offline plugin adds a shim from unpkg.com that lets the search run from the file system;
# the site loads nothing from another host, so its own shim (docs/assets/offline/) stands in for it.
FILE_WORKER = "assets/offline/file-worker.js"


def local_polyfills(polyfills: list[str]) -> list[str]:
    """The theme's polyfills with the offline plugin's remote shim replaced by the local one."""
    local = [p for p in polyfills if "://" not in p and p != FILE_WORKER]
    return [*local, FILE_WORKER]


def regenerate(root: Path) -> list[Problem]:
    """Write what data/ gives (docs/ and the review report), as `build` does; on invalid data
    write nothing and return the problems."""
    from generator import pipeline  # the pipeline imports openpyxl and Jinja: load it only to serve

    try:
        _pages, changed, warnings = pipeline.build(root)
    except UserError as err:
        problems = err.problems.sorted()
        shown, summaries = grouped(problems)
        for line in [terminal_text(p) for p in shown] + summaries:
            preview_log.error("%s", line)
        preview_log.error("data/ has %d problem(s); the preview keeps the last valid pages", len(problems))
        return [p for p in problems if p.severity == "error"] or problems
    shown, summaries = grouped(warnings.sorted())
    for line in [terminal_text(p) for p in shown] + summaries:
        preview_log.warning("%s", line)
    if changed:
        log.info("regenerated %s", ", ".join(changed))
    return []


def banner(problems: list[Problem]) -> str:
    """An admonition listing the problems, escaped, to put above a page's Markdown."""
    items = "".join(f"    - {markdown_text(p)}\n" for p in problems)
    return (f'!!! failure "{BANNER_TITLE}"\n\n{items}\n'
            "    Fix the files in data/ and save: the preview reloads. "
            "`python -m generator check` lists the same problems.\n\n")


MINERALS_TITLE = "Other minerals"


def with_minerals_page(nav: list) -> list:
    """The nav with "Other minerals" after the smelters page (or last), unless mkdocs.yml has it already."""
    targets = [target for item in nav for target in (item.values() if isinstance(item, dict) else [item])]
    if MINERALS_PAGE in targets:
        return nav
    after = next((i for i, target in enumerate(targets) if target == "smelters.md"), len(nav) - 1)
    return [*nav[:after + 1], {MINERALS_TITLE: MINERALS_PAGE}, *nav[after + 1:]]


def with_goals(nav: list, docs: Path, prefix: str = "") -> list:
    """The nav with "Goals" after "Due diligence" when that year has a goals page (data/goals.yml)."""
    if not (docs / f"{prefix}goals.md").is_file():
        return nav
    goals = {"Goals": f"{prefix}goals.md"}
    out: list = []
    for item in nav:
        out.append(item)
        if isinstance(item, dict) and f"{prefix}due-diligence.md" in item.values():
            out.append(goals)
    return out if goals in out else [*out, goals]


def extended_nav(nav: list, years: list[int], docs: Path | None = None) -> list:
    """The nav of mkdocs.yml (with each year's goals page, if any), followed by the changes page and
    each earlier year's copy of it (without the pages that year has not got, such as "Other minerals",
    when `docs` is given)."""
    def under(items, year):
        out = []
        for item in items:
            for title, target in item.items() if isinstance(item, dict) else [(None, item)]:
                if not isinstance(target, list) and docs is not None and not (docs / f"{year}/{target}").exists():
                    continue
                value = under(target, year) if isinstance(target, list) else f"{year}/{target}"
                out.append({title: value} if title is not None else value)
        return out

    def goals(items, prefix=""):
        return with_goals(items, docs, prefix) if docs is not None else items

    earlier = [{str(year): goals(under(nav, year), f"{year}/")} for year in sorted(years, reverse=True)]
    return [*goals(nav), {"Changes from year to year": CHANGES_PAGE}, {"Earlier reports": earlier}]



_HEADER_CELL = re.compile(r"<th(?![^>]*\bscope=)(?=[\s>])")


def with_header_scopes(html: str) -> str:
    """Every header cell of a page's tables marked as its column's header (Markdown tables have
    header cells in their first row only)."""
    return _HEADER_CELL.sub('<th scope="col"', html)


# GitHub Pages cannot send headers, so the policy is a <meta> tag, first in <head>. Scripts: the
# theme's files and, by hash, the theme's own inline scripts (found in the page around its content,
# never in the content, where supplier text is); styles: 'unsafe-inline' for the style attributes
# of table cells (text-align) and those the theme's script sets; images and fonts also as data:
# URLs (the theme's icons are SVG data URLs in its stylesheet). Nothing from another host.
CSP = ("default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'")
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def with_content_security_policy(html: str, content: str) -> str:
    """`html` with a Content-Security-Policy <meta> tag allowing its theme's inline scripts by hash."""
    theme = html.replace(content, "", 1) if content else html
    hashes = sorted({_sha256(body) for attrs, body in _INLINE_SCRIPT.findall(theme)
                     if "application/json" not in attrs})
    policy = CSP.format(hashes=" ".join(f"'{h}'" for h in hashes))
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    anchor = re.search(r"<meta charset=[^>]*>", html) or re.search(r"<head>", html)
    return html[:anchor.end()] + f"\n    {meta}" + html[anchor.end():] if anchor else html


def _sha256(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
