"""The example website in a real browser: the table, the search box, the CSV download."""
from __future__ import annotations

import csv
import io

from tests.browser import browser_page, serve
from tests.test_example import example_rows


def test_smelter_table_lists_all_190_with_designations(example_site):
    with serve(example_site) as url, browser_page(url) as page:
        page.goto(f"{url}/smelters/")
        rows = page.locator("article table tbody tr").all_inner_texts()
        facilities = [tuple(cell.strip() for cell in row.split("\t")) for row in rows]
        facilities = [f for f in facilities if len(f) == 3]
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
        page.wait_for_url(f"{url}/smelters/**")
        assert page.get_by_role("cell", name="Thaisarco", exact=True).count() == 1
        assert page.foreign_requests == []


def test_csv_download_carries_every_facility(example_site):
    with serve(example_site) as url, browser_page(url) as page:
        page.goto(f"{url}/smelters/")
        with page.expect_download() as info:
            page.get_by_role("link", name="Download the list as CSV").click(modifiers=["Alt"])
        text = open(info.value.path(), encoding="utf-8").read()
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == 190
        assert sum(r["Conflict-free designation"] == "Conflict-free" for r in rows) == 71
