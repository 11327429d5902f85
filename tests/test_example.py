"""The built-in example: the 2013 report's facts, all 190 facilities, 34 countries, fresh docs/."""
from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections import Counter

from generator import pipeline
from tests.builders import example_rows
from tests.conftest import ROOT


def test_example_spreadsheet_holds_the_reports_190_facilities():
    rows = example_rows()
    assert len(rows) == 190
    assert Counter(r[0] for r in rows) == {"Gold": 87, "Tantalum": 22, "Tin": 63, "Tungsten": 18}
    assert Counter(r[2] for r in rows) == {"Conflict-free": 71, "Not designated": 119}


def test_committed_docs_are_up_to_date_and_carry_every_facility():
    pages, problems = pipeline.generate(ROOT)
    assert problems.items == []
    assert pipeline.stale_pages(pages, ROOT / "docs") == []
    table_rows = [line for line in pages["smelters.md"].splitlines()
                  if line.endswith(("| Gold |", "| Tantalum |", "| Tin |", "| Tungsten |"))
                  and line.count("|") == 4]
    assert len(table_rows) == 190
    assert "| **Total** | **190** | **71** | **119** | **37%** |" in pages["smelters.md"]
    assert "| Tin | <i>" not in pages["smelters.md"]


def test_csv_download_matches_the_spreadsheet():
    pages, _ = pipeline.generate(ROOT)
    rows = list(csv.DictReader(io.StringIO(pages["downloads/smelters.csv"])))
    assert sorted((r["Metal"], r["Smelter or refiner"], r["Conflict-free designation"]) for r in rows) == \
        sorted(example_rows())
    assert {r["Designation as of"] for r in rows} == {"2014-05-21"}


def test_countries_page_lists_all_34():
    pages, _ = pipeline.generate(ROOT)
    items = [line[2:] for line in pages["countries.md"].splitlines() if line.startswith("- ")]
    assert len(items) == 34
    assert items[0] == "Australia" and items[-1] == "Vietnam"
    assert "Republic of Korea" in items and "Russian Federation" in items


def test_figures_in_prose_come_from_data():
    pages, _ = pipeline.generate(ROOT)
    dd = pages["due-diligence.md"]
    assert "| Direct suppliers surveyed | over 60 |" in dd
    assert "| Response rate | about 75% |" in dd
    assert "{{" not in "".join(pages.values())
    for name in ("report.yml", "due-diligence.yml", "policy.yml", "risk.yml", "countries.yml", "company.yml"):
        text = (ROOT / "data" / name).read_text(encoding="utf-8")
        for typed in (" 60 ", "75%", " 190 ", " 71 ", " 34 "):
            assert typed not in text, f"{name} types the figure {typed.strip()!r}; use a placeholder"


def test_two_site_builds_are_byte_identical(example_site, tmp_path):
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir",
                    str(tmp_path / "again")], cwd=ROOT, env=env, check=True, timeout=300)
    first = {p.relative_to(example_site): p.read_bytes() for p in example_site.rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path / "again"): p.read_bytes() for p in (tmp_path / "again").rglob("*")
              if p.is_file()}
    assert sorted(first) == sorted(second)
    assert [p for p in first if first[p] != second[p]] == []


def test_site_requests_nothing_from_other_hosts(example_site):
    for page in example_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in text and "fonts.gstatic.com" not in text, page
        for tag in ("<script src=\"http", "<link href=\"http", "<img src=\"http"):
            assert tag not in text, page
