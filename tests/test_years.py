"""Several reporting years: the archive under <year>/, the year-over-year page, and stable earlier pages."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator import pipeline
from generator.problems import UserError
from tests.builders import build, edgar_breaches, example_rows, two_years
from tests.cli import run_cli
from tests.conftest import ROOT
from tests.project import SMELTERS, make_project, report_for, write_data, write_smelters

SMELTERS_2025 = [
    ("Gold", "Alpha Refinery Co., Ltd.", "Not designated"),
    ("Tin", "PT Delta Tin", "Conflict-free"),
    ("Tungsten", "Zeta Wolfram", "Conflict-free"),
    ("Tantalum", "Eta Tantalum", "Conflict-free"),
]


def add_2025(root: Path) -> Path:
    """The 2024 data moves to the archive, as a user would do it, and 2025 becomes current."""
    archive = root / "data/archive/2024"
    archive.mkdir(parents=True)
    for path in sorted((root / "data").iterdir()):
        if path.is_file():
            shutil.move(path, archive / path.name)
    write_data(root / "data", SMELTERS_2025, **{"report.yml": report_for(2025, 50, 90),
                                                "countries.yml": {"introduction": "The facilities named by our "
                                                                  "suppliers source their minerals from these "
                                                                  "countries:", "countries": ["Chile", "Rwanda"]}})
    return root


def test_earlier_year_is_rendered_under_its_year(tmp_path):
    pages, problems = pipeline.generate(two_years(tmp_path))
    assert problems.items == []
    assert sorted(p for p in pages if p.startswith("2023/")) == [
        "2023/countries.md", "2023/downloads/report.json", "2023/downloads/smelters.csv", "2023/due-diligence.md",
        "2023/index.md", "2023/policy.md", "2023/risk.md", "2023/smelters.md"]
    assert pages["2023/index.md"].splitlines()[1:4] == [
        "# Example Devices Inc.: Conflict Minerals Report 2023", "",
        "*This is the 2023 report. [Go to the current report](../index.md).*"]
    assert pages["index.md"].splitlines()[1:4] == [
        "# Example Devices Inc.: Conflict Minerals Report 2024", "",
        "*This is the 2024 report. Earlier reports: [2023](2023/index.md). See also the "
        "[changes from year to year](changes.md).*"]
    for page in ("countries.md", "due-diligence.md", "policy.md", "risk.md", "smelters.md"):
        assert "*This is the 2023 report. [Go to the current report](../index.md).*" in pages[f"2023/{page}"]
        assert "*This is the 2024 report. Earlier reports: [2023](2023/index.md)." in pages[page]
    assert "| Direct suppliers surveyed | over 40 |" in pages["2023/due-diligence.md"]
    assert "[JSON Schema](../assets/report.schema.json)" in pages["2023/smelters.md"]
    assert '"year": 2023' in pages["2023/downloads/report.json"]


def test_year_over_year_page(tmp_path):
    pages, _ = pipeline.generate(two_years(tmp_path))
    page = re.sub(r'<figure class="cmr-chart">.*?</figure>', "[chart]", pages["changes.md"], flags=re.S)
    assert page.split("\n", 1)[1] == """\
# Changes from year to year

Each year's report side by side, and what changed in the list of smelters and refiners between consecutive \
years. A facility is the same from one year to the next when its metal and smelter ID match, or, without an ID, \
its metal and name.

## Figures by year

| | [2023](2023/index.md) | [2024](index.md) |
| --- | ---: | ---: |
| Reporting period | January 1, 2023 to December 31, 2023 | January 1, 2024 to December 31, 2024 |
| Conclusion | DRC conflict undeterminable | DRC conflict undeterminable |
| Direct suppliers surveyed | over 40 | over 45 |
| Response rate | about 80% | about 85% |
| Smelters and refiners | 5 | 4 |
| Conflict-free | 2 | 3 |
| Not designated | 3 | 1 |
| Gold | 2 | 2 |
| Tantalum | 1 | 0 |
| Tin | 1 | 1 |
| Tungsten | 1 | 1 |
| Countries of origin | 2 | 2 |

## Response rate year by year

[chart]

| Year | Response rate |
| --- | ---: |
| 2023 | about 80% |
| 2024 | about 85% |

## Facilities by status year by year

[chart]

| Year | Conflict-free | Not designated | Facilities | Share Conflict-free |
| --- | ---: | ---: | ---: | ---: |
| 2023 | 2 | 3 | 5 | 40% |
| 2024 | 3 | 1 | 4 | 75% |

## 2023 to 2024

From the [2023](2023/index.md) report to the [2024](index.md) report: 1 added, 2 removed, 1 newly conformant \
(designated conflict-free in 2024 but not in 2023), 0 no longer conformant.

### Added in 2024

| Metal | Smelter or refiner | Designation in 2024 |
| --- | --- | --- |
| Tungsten | Zeta Wolfram | Conflict-free |

### Removed since 2023

| Metal | Smelter or refiner | Designation in 2023 |
| --- | --- | --- |
| Tantalum | Gamma Tantalum | Conflict-free |
| Tungsten | Epsilon Wolfram AG | Not designated |

### Newly conformant in 2024

| Metal | Smelter or refiner | Designation in 2024 |
| --- | --- | --- |
| Gold | Beta Gold SA | Conflict-free |
"""


def without_pdf_links(page: bytes) -> bytes:
    """A page of the current report as an earlier year shows it: the PDF is the current report's only."""
    page = page.replace(b"The whole report is also available as one document: <a href=\"downloads/report.pdf\">"
                        b"Download the whole report as PDF</a>.\n\n", b"")
    return page.replace(b'<a href="downloads/report.pdf" class="md-button">Download the whole report as PDF</a>\n', b"")


def test_adding_a_year_changes_no_byte_of_an_earlier_years_pages(tmp_path):
    root = two_years(tmp_path)
    assert build(root).returncode == 0
    before = snapshot(root / "docs", "2023/")
    current_2024 = snapshot(root / "docs", "")
    assert len(before) == 8
    add_2025(root)
    result = build(root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("docs/: 25 generated files, ")
    assert snapshot(root / "docs", "2023/") == before
    after_2024 = snapshot(root / "docs", "2024/")
    assert sorted(after_2024) == sorted(before)
    # The 2024 pages, now archived, differ from when 2024 was current only in the lines naming the year,
    # the source folder and the schema's address.
    for rel, text in after_2024.items():
        old = current_2024[rel]
        if rel.endswith(".md"):
            old = old.replace(b"*This is the 2024 report. Earlier reports: [2023](2023/index.md). See also the "
                              b"[changes from year to year](changes.md).*",
                              b"*This is the 2024 report. [Go to the current report](../index.md).*")
            old = old.replace(b"(assets/report.schema.json)", b"(../assets/report.schema.json)")
            old = old.replace(b"from data/. Edit data/,", b"from data/archive/2024/. Edit data/archive/2024/,")
            old = without_pdf_links(old)
        assert text == old, rel
    changes = (root / "docs/changes.md").read_text(encoding="utf-8")
    assert "| | [2023](2023/index.md) | [2024](2024/index.md) | [2025](index.md) |" in changes
    assert changes.index("## 2024 to 2025") < changes.index("## 2023 to 2024")
    assert ("From the [2024](2024/index.md) report to the [2025](index.md) report: 1 added, 1 removed, "
            "1 newly conformant (designated conflict-free in 2025 but not in 2024), 1 no longer conformant.\n\n"
            "Countries of origin added: Rwanda. Removed: Peru.") in changes
    assert "*This is the 2025 report. Earlier reports: [2024](2024/index.md), [2023](2023/index.md)." in \
        (root / "docs/index.md").read_text(encoding="utf-8")
    assert run_cli("check", cwd=root).returncode == 0


def test_site_with_earlier_years_builds_in_strict_mode_with_a_nav_to_every_year(tmp_path):
    root = add_2025(two_years(tmp_path))
    assert build(root).returncode == 0
    site = tmp_path / "site"
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
                   cwd=root, env=env, check=True, timeout=300)
    for page in ("2023/index.html", "2023/smelters.html", "2024/risk.html", "changes.html",
                 "2023/downloads/report.json"):
        assert (site / page).is_file(), page
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Earlier reports" in home and "Changes from year to year" in home
    assert home.index('href="2024/index.html"') < home.index('href="2023/index.html"')
    assert 'href="2023/smelters.html"' in home
    archived = (site / "2023/smelters.html").read_text(encoding="utf-8")
    assert "This is the 2023 report." in archived


def test_year_folders_are_checked(tmp_path):
    two_years(tmp_path)
    (tmp_path / "data/archive/2023").rename(tmp_path / "data/archive/2022")
    (tmp_path / "data/archive/notes").mkdir()
    with pytest.raises(UserError) as caught:
        pipeline.generate(tmp_path)
    assert [str(p) for p in caught.value.problems.sorted()] == [
        "data/archive/2022/report.yml, line 5, key 'period.end': error: the reporting period ends in 2023, "
        "but the folder is named 2022; rename the folder to 2023 or correct period.end [years.period]",
        "data/archive/notes: error: not a year's folder; expected data/archive/<YEAR>/, e.g. 2013 [years.folder]",
    ]
    shutil.rmtree(tmp_path / "data/archive")
    write_data(tmp_path / "data/archive/2024", SMELTERS, **{"report.yml": report_for(2024)})
    with pytest.raises(UserError) as caught:
        pipeline.generate(tmp_path)
    assert [str(p) for p in caught.value.problems.sorted()] == [
        "data/report.yml, line 5, key 'period.end': error: the current report (2024) must be later than every "
        "year in data/archive/ (the latest is 2024) [years.current]"]


def test_problems_of_every_year_are_reported_at_once(tmp_path):
    two_years(tmp_path)
    write_data(tmp_path / "data/archive/2023", [("Lead", "L", "Conflict-free")], **{"report.yml": report_for(2023)})
    make_project(tmp_path, smelters=[("Gold", "G", "Maybe")], **{"report.yml": report_for(2024)})
    result = run_cli("check", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "data/archive/2023/smelters.xlsx, sheet 'Smelters', cell A2: error: row rejected: unknown metal 'Lead'; "
        "expected one of Gold, Tantalum, Tin, Tungsten [smelters.metal]",
        "data/smelters.xlsx, sheet 'Smelters', cell C2: error: row rejected: unknown status 'Maybe'; "
        "expected one of Conflict-free, Active, Non-conformant, Not designated (or RMI's Conformant, "
        "Not enrolled or other) [smelters.designation]",
        "2 error(s), 0 warning(s).",
    ]


def snapshot(docs: Path, prefix: str) -> dict[str, bytes]:
    """Generated files under docs/<prefix> (the current year's when prefix is ""), by path below it."""
    files = {}
    for path in sorted(docs.rglob("*")):
        rel = path.relative_to(docs).as_posix()
        if path.is_file() and rel.startswith(prefix) and not rel.startswith("assets/"):
            below = rel[len(prefix):]
            if prefix or not below.split("/")[0].isdigit():
                files[below] = path.read_bytes()
    return files


def test_exhibit_of_an_earlier_year(tmp_path):
    root = two_years(tmp_path)
    result = run_cli("exhibit", "--year", "2023", "--output", "build/ex2023.htm", cwd=root)
    assert result.returncode == 0, result.stderr
    document = (root / "build/ex2023.htm").read_text(encoding="ascii")
    assert "for the reporting period from January 1, 2023 to December 31, 2023" in document
    assert "<tr><td>Direct suppliers surveyed</td><td>over 40</td></tr>" in document
    assert edgar_breaches(document) == []
    missing = run_cli("exhibit", "--year", "2019", cwd=root)
    assert missing.returncode == 1
    assert missing.stderr.splitlines() == [
        "data/archive/2019/: error: no such year's folder; the earlier years are: 2023 (leave out --year for "
        "the current report) [exhibit.year]", "1 error(s), 0 warning(s)."]


def example_followed_by(root: Path, year: int, smelters: list[tuple[str, str, str]]) -> Path:
    """Archive the project's current year and write `year` from the same prose, with new figures."""
    previous = yaml.safe_load((root / "data/report.yml").read_text(encoding="utf-8"))["period"]["end"].year
    archive = root / "data/archive" / str(previous)
    archive.mkdir(parents=True)
    for path in sorted((root / "data").iterdir()):
        if path.is_file():
            shutil.move(path, archive / path.name)
    for path in sorted(archive.glob("*.yml")):
        shutil.copy(path, root / "data" / path.name)
    report = yaml.safe_load((archive / "report.yml").read_text(encoding="utf-8"))
    report["period"] = {"start": dt.date(year, 1, 1), "end": dt.date(year, 12, 31)}
    report["smelter_list"]["designation_as_of"] = dt.date(year + 1, 5, 1)
    report["survey"]["response_rate_percent"]["value"] += 5
    (root / "data/report.yml").write_text(yaml.safe_dump(report, sort_keys=False, allow_unicode=True),
                                          encoding="utf-8")
    write_smelters(root / "data/smelters.xlsx", smelters)
    return root


def test_the_example_with_a_second_and_third_reporting_year(tmp_path):
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "docs/assets", tmp_path / "docs/assets")
    rows = example_rows()
    dropped = rows[::19]  # 10 facilities no longer named
    flipped = [r for r in rows if r[2] == "Not designated" and r not in dropped][:20]
    rows_2014 = [(m, n, "Conflict-free" if (m, n, d) in flipped else d)
                 for m, n, d in rows if (m, n, d) not in dropped]
    rows_2014 += [("Gold", "New Gold Refinery Ltd.", "Conflict-free"), ("Tin", "New Tin Smelter", "Not designated")]
    example_followed_by(tmp_path, 2014, rows_2014)
    result = build(tmp_path)
    assert result.returncode == 0, result.stderr
    docs = tmp_path / "docs"
    # The 2013 pages are the example's pages, with the line naming the year and the schema one folder up.
    for rel, text in snapshot(ROOT / "docs", "").items():
        expected = text.replace(b"(assets/report.schema.json)", b"(../assets/report.schema.json)")
        expected = expected.replace(b"from data/. Edit data/,", b"from data/archive/2013/. Edit data/archive/2013/,")
        if rel.endswith(".md"):
            title, rest = expected.split(b"\n\n", 1)
            expected = title + b"\n\n*This is the 2013 report. [Go to the current report](../index.md).*\n\n" + rest
            expected = without_pdf_links(expected)
        assert (docs / "2013" / rel).read_bytes() == expected, rel
    changes = (docs / "changes.md").read_text(encoding="utf-8")
    assert "| Smelters and refiners | 190 | 182 |" in changes
    assert "| Response rate | about 75% | about 80% |" in changes
    assert ("From the [2013](2013/index.md) report to the [2014](index.md) report: 2 added, 10 removed, "
            "20 newly conformant (designated conflict-free in 2014 but not in 2013), 0 no longer conformant.") \
        in changes
    site = tmp_path / "site"
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
                   cwd=tmp_path, env=env, check=True, timeout=300)
    assert "Thaisarco" in (site / "2013/smelters.html").read_text(encoding="utf-8")
    assert "New Gold Refinery Ltd." in (site / "changes.html").read_text(encoding="utf-8")
    for year in (None, 2013):
        document, _name, _ = pipeline.exhibit(tmp_path, year=year)
        assert edgar_breaches(document) == []
    before = snapshot(docs, "2013/")
    example_followed_by(tmp_path, 2015, rows_2014[5:])
    assert build(tmp_path).returncode == 0
    assert snapshot(docs, "2013/") == before
    assert run_cli("check", "--strict", cwd=tmp_path).returncode == 0
