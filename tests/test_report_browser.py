"""The report in Chromium: the facility filter, the charts' tables, a phone's width, axe-core's
WCAG 2.1 A and AA rules on every page, and the site opened from the file system."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, browser_page, serve
from tests.builders import build, two_years
from tests.hostile_inputs import site_pages
from tests.rmi_project import rmi_project

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules/axe-core/axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = pytest.mark.browser


def mkdocs_site(root: Path) -> Path:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(root / "site")],
                   cwd=root, env=env, check=True, timeout=300)
    return root / "site"


@pytest.fixture(scope="module")
def supplier_site(tmp_path_factory) -> Path:
    root = rmi_project(tmp_path_factory.mktemp("rmi"))
    assert build(root).returncode == 0
    return mkdocs_site(root)


@pytest.fixture(scope="module")
def years_site(tmp_path_factory) -> Path:
    root = two_years(tmp_path_factory.mktemp("years"))
    assert build(root).returncode == 0
    return mkdocs_site(root)


def visible_rows(page) -> list[str]:
    return [t.split("\t")[0].strip() for t in page.locator("article table:has(th:text-is('Smelter or refiner')) "
                                                          "tbody tr:visible").all_inner_texts()]


def test_filter_narrows_by_name_metal_status_and_country(supplier_site):
    with serve(supplier_site) as url, browser_page(url) as page:
        page.goto(f"{url}/smelters.html")
        box = page.get_by_role("searchbox", name="Filter facilities")
        assert box.get_attribute("type") == "search"
        assert len(visible_rows(page)) == 5
        assert page.get_by_role("status").inner_text() == "All 5 facilities shown"
        for words, names in [("argor", ["Argor-Heraeus SA"]), ("tungsten", ["A.L.M.T. Corp."]),
                             ("non-conformant", ["Asahi Pretec Corporation"]), ("rwanda", ["LuNa Smelter Ltd."]),
                             ("gold conformant switzerland", ["Argor-Heraeus SA"]), ("nothing like it", [])]:
            box.fill(words)
            assert visible_rows(page) == names, words
            assert page.get_by_role("status").inner_text() == f"{len(names)} of 5 facilities shown"
        box.fill("")
        assert len(visible_rows(page)) == 5
        assert page.dialogs == [] and page.foreign_requests == []


def test_without_javascript_every_row_shows_and_there_is_no_box(example_site):
    from playwright.sync_api import sync_playwright
    with serve(example_site) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(java_script_enabled=False).new_page()
        page.goto(f"{url}/smelters.html")
        assert len(visible_rows(page)) == 190
        assert page.locator("input[type=search]").count() == 0
        browser.close()


def chart_figures(page) -> list[tuple[str, list[tuple[str, str]], list[list[str]]]]:
    """Each chart: its title, its (label, value) bars, and the rows of the table after it."""
    return page.evaluate("""() => Array.from(document.querySelectorAll("figure.cmr-chart")).map(figure => {
        const svg = figure.querySelector("svg[role=img]");
        const title = document.getElementById(svg.getAttribute("aria-labelledby"));
        const texts = Array.from(svg.querySelectorAll("text")).map(t => t.textContent);
        const bars = [];
        for (let i = 0; i < texts.length; i += 2) bars.push([texts[i], texts[i + 1]]);
        let table = figure.nextElementSibling;
        while (table && !table.querySelector("table") && table.tagName !== "TABLE") table = table.nextElementSibling;
        table = table.tagName === "TABLE" ? table : table.querySelector("table");
        const rows = Array.from(table.querySelectorAll("tr")).map(
            tr => Array.from(tr.children).map(c => c.textContent.trim()));
        return [title.parentElement === svg ? title.textContent : "", bars, rows];
    })""")


def test_every_chart_has_a_title_and_a_table_of_the_same_figures(example_site, supplier_site, years_site):
    seen = 0
    for site, pages in [(example_site, ["smelters.html"]), (supplier_site, ["smelters.html", "due-diligence.html"]),
                        (years_site, ["changes.html", "smelters.html"])]:
        with serve(site) as url, browser_page(url) as page:
            for rel in pages:
                page.goto(f"{url}/{rel}")
                for title, bars, rows in chart_figures(page):
                    assert title, rel
                    header, body = rows[0], rows[1:]
                    for label, value in bars:
                        if ": " in label:          # "row: column"
                            row_name, column = label.split(": ", 1)
                            row = next((r for r in body if r[0] == row_name), None)
                            assert row is not None, (rel, title, label, body)
                            assert row[header.index(column)] == value, (rel, title, label)
                        else:                      # "row", its value in the row
                            row = next((r for r in body if r[0] == label), None)
                            assert row is not None, (rel, title, label, body)
                            assert value.split(" (")[0] in row, (rel, title, label)
                    seen += 1
    assert seen == 8  # example: status; supplier: status, response, covered countries, funnel; years: 2 + status


def test_name_and_status_are_on_screen_at_390_pixels(example_site, supplier_site):
    from playwright.sync_api import sync_playwright
    for site in (example_site, supplier_site):
        with serve(site) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(f"{url}/smelters.html")
            tables = page.locator("article table:has(th:text-is('Smelter or refiner'))")
            assert tables.count() > 0
            for i in range(tables.count()):
                table = tables.nth(i)
                table.scroll_into_view_if_needed()
                for cell in (table.locator("th").nth(0), table.locator("th").nth(1),
                             table.locator("tbody tr").first.locator("td").nth(1)):
                    box = cell.bounding_box()
                    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, cell.inner_text()
            browser.close()


def axe_violations(page) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated by the browser, not a page script
    result = page.evaluate("async tags => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    return [f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
            for v in result["violations"]]


def test_every_page_passes_axe_core_wcag_2_1_a_and_aa(example_site, supplier_site, years_site):
    assert AXE.is_file(), "axe-core is missing: run `npm ci` (make test does)"
    checked = 0
    for site in (example_site, supplier_site, years_site):
        with serve(site) as url, browser_page(url) as page:
            for path in site_pages(site):
                rel = path.relative_to(site).as_posix()
                page.goto(f"{url}/{rel}")
                assert axe_violations(page) == [], rel
                checked += 1
    assert checked == 7 + 8 + 14  # six pages and 404.html; with the goals page; two years and the changes page


def test_the_site_opened_from_disk_navigates_and_searches(example_site):
    with browser_page("file://") as page:
        page.goto((example_site / "index.html").as_uri())
        page.locator("nav.md-nav--primary").get_by_role("link", name="Smelters and refiners").first.click()
        page.wait_for_url(re.compile(r".*/smelters\.html$"))
        assert page.get_by_role("cell", name="Thaisarco", exact=True).count() == 1
        page.keyboard.press("/")
        page.locator("input.md-search__input").press_sequentially("Thaisarco", delay=20)
        page.locator(".md-search-result__item").first.wait_for(timeout=15000)
        assert "Smelters and refiners" in page.locator(".md-search-result__list").inner_text()
        assert page.foreign_requests == []


def test_make_pdf_prints_the_whole_report_with_a_cover_contents_and_page_numbers(example_site):
    from pypdf import PdfReader

    from generator import pipeline
    from generator.publish.pdf import write_pdf
    model, _ = pipeline.load_model(ROOT)
    output = write_pdf(model, example_site)
    assert output == example_site / "downloads/report.pdf"
    assert not (example_site / ".report-print.html").exists()
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(output).pages]
    total = len(pages)
    assert total > 10
    assert pages[0].startswith("Infinera Corporation Conflict Minerals Report for 2013 Reporting period: January 1, "
                               "2013 to December 31, 2013 Conclusion: DRC conflict undeterminable")
    titles = ["Infinera Corporation: Conflict Minerals Report 2013", "Conflict Minerals Policy", "Due diligence",
              "Smelters and refiners", "Countries of origin", "Risk mitigation and risk factors"]
    for number, text in enumerate(pages, start=1):
        assert text.endswith(f"Page {number} of {total}"), number
    # each page of the site starts a page of the PDF, and the contents give that page's number
    starts = [next(i for i, text in enumerate(pages[2:], start=3) if text.startswith(title)) for title in titles]
    assert starts == sorted(starts) and starts[0] == 3
    listed = " ".join(f"{title}, page {start}" for title, start in zip(titles, starts))
    assert pages[1] == f"Contents {listed} Page 2 of {total}"
    whole = " ".join(pages)
    assert "Thaisarco" in whole and "Gold: Conflict-free" in whole  # every table row, and the charts
    assert "Filter facilities" not in whole
    with serve(example_site) as url, browser_page(url) as page:
        page.goto(f"{url}/index.html")
        link = page.get_by_role("link", name="Download the whole report as PDF")
        response = page.request.get(f"{url}/{link.get_attribute('href')}")
        assert response.status == 200 and response.body()[:5] == b"%PDF-"
        page.goto(f"{url}/smelters.html")
        assert page.get_by_role("link", name="Download the whole report as PDF").get_attribute("href") == \
            "downloads/report.pdf"
