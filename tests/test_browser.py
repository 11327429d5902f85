"""The website in a real browser: the table, the search box, the CSV download, switching years."""
from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

import pytest

from tests.browser import browser_page, serve
from tests.builders import build, example_rows, two_years

pytestmark = pytest.mark.browser


def test_smelter_table_lists_all_190_with_designations(example_site):
    with serve(example_site) as url, browser_page(url) as page:
        page.goto(f"{url}/smelters.html")
        rows = page.locator("article table tbody tr").all_inner_texts()
        facilities = [tuple(cell.strip() for cell in row.split("\t")) for row in rows]
        facilities = [(metal, name, status) for name, status, metal in (f for f in facilities if len(f) == 3)]
        assert sorted(facilities) == sorted(example_rows())
        assert page.dialogs == [] and page.foreign_requests == []


def test_search_finds_a_smelter(example_site):
    with serve(example_site) as url, browser_page(url) as page:
        page.goto(f"{url}/")
        page.keyboard.press("/")  # Material's shortcut to the search box
        page.locator("input.md-search__input").press_sequentially("Thaisarco", delay=20)
        result = page.locator(".md-search-result__item").first
        result.wait_for(timeout=15000)
        assert "Smelters and refiners" in page.locator(".md-search-result__list").inner_text()
        result.locator("a").first.click()
        page.wait_for_url(f"{url}/smelters.html**")
        assert page.get_by_role("cell", name="Thaisarco", exact=True).count() == 1
        assert page.foreign_requests == []


def test_csv_download_carries_every_facility(example_site):
    with serve(example_site) as url, browser_page(url) as page:
        page.goto(f"{url}/smelters.html")
        with page.expect_download() as info:
            page.get_by_role("link", name="Download the list as CSV").click(modifiers=["Alt"])
        text = open(info.value.path(), encoding="utf-8").read()
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == 190
        assert sum(r["Conflict-free designation"] == "Conflict-free" for r in rows) == 71


def test_switching_between_years(tmp_path):
    """With an earlier year, the nav and the line on each page lead from one year to the other."""
    root = two_years(tmp_path)
    assert build(root).returncode == 0
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(root / "site")],
                   cwd=root, env=env, check=True, timeout=300)
    with serve(root / "site") as url, browser_page(url) as page:
        page.goto(f"{url}/smelters.html")
        page.locator("article").get_by_role("link", name="2023", exact=True).click()
        page.wait_for_url(f"{url}/2023/index.html")
        assert page.locator("article h1").inner_text() == "Example Devices Inc.: Conflict Minerals Report 2023"
        nav = page.locator("nav.md-nav--primary")
        nav.get_by_role("link", name="Smelters and refiners").last.click()
        page.wait_for_url(f"{url}/2023/smelters.html")
        assert page.get_by_role("cell", name="Gamma Tantalum", exact=True).count() == 1
        page.get_by_role("link", name="Go to the current report").click()
        page.wait_for_url(f"{url}/index.html")
        nav.get_by_role("link", name="Changes from year to year").click()
        page.wait_for_url(f"{url}/changes.html")
        assert page.get_by_role("cell", name="Zeta Wolfram", exact=True).count() == 1
        assert page.dialogs == [] and page.foreign_requests == []
