"""The EDGAR exhibit: EDGAR's HTML rules, and the same figures and facilities as the website.

The rules below are written out from the EDGAR Filer Manual, Volume II, section
5.2.2 (HTML documents) and 5.2.1 (table 5-1, the characters EDGAR accepts),
independently of generator/edgar.py, so the test checks the generator rather
than repeating it.
"""
from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator import pipeline
from generator.problems import Problems, UserError
from generator.publish.exhibit import check_file_name, default_name, render_exhibit
from tests.builders import (
    edgar_breaches,
    special_characters_project,
)
from tests.cli import run_cli
from tests.conftest import ROOT
from tests.project import content, make_project


def exhibit_of(root: Path) -> str:
    text, name, _ = pipeline.exhibit(root)
    assert name == f"exhibit-1.01-{pipeline.load_model(root)[0].year}.htm"
    return text


def cells(document: str, first: str) -> list[list[str]]:
    """Rows (as text cells) of the table whose header row starts with `first`."""
    for table in re.findall(r"<table.*?</table>", document, re.S):
        rows = [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                 for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
                for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)]
        if rows and rows[0][0] == first:
            return rows[1:]
    raise AssertionError(f"no table starting with {first!r}")


def test_example_exhibit_follows_edgars_rules():
    document = exhibit_of(ROOT)
    assert edgar_breaches(document) == []
    assert document.startswith('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<html>\n')
    assert document.endswith("</body>\n</html>\n")
    assert "\r" not in document


def test_the_checker_catches_what_edgar_refuses():
    bad = ('<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">'
           '<html><body><script>x()</script><p onclick="x()">a&nbsp;&#7;</p><img src="http://e.com/a.gif">'
           '<a href="https://example.com">b</a><a href="#nowhere">c</a><table><tr><td><table></table>'
           '</td></tr></table>\u201csmart\u201d</body></html>')
    assert edgar_breaches(bad) == [
        'external reference in <!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01//EN" '
        '"http://www.w3.org/TR/html4/strict.dtd">',
        "tag <script>", "attribute onclick on <p>", "entity &nbsp;", "reference to a control character &#7;",
        "tag <img>", "attribute src on <img>",
        "reference http://e.com/a.gif in src on <img>", "external reference https://example.com",
        "nested <table>", "characters outside table 5-1: ['\u201c', '\u201d']", "link to a missing anchor #nowhere",
    ]


def test_exhibit_carries_the_websites_figures_and_facilities():
    document = exhibit_of(ROOT)
    pages, _ = pipeline.generate(ROOT)
    model, _ = pipeline.load_model(ROOT)
    text = html.unescape(re.sub(r"<[^>]+>", " ", document))
    for name, value in sorted(model.figures.items()):
        assert value in text, f"figure {name} = {value!r} is missing from the exhibit"
    survey = [line.strip("| ").split(" | ") for line in pages["due-diligence.md"].splitlines()
              if line.startswith("| ") and not line.startswith(("| Figure", "| ---"))]
    assert cells(document, "Figure") == survey
    website_counts = [[c.strip("* ") for c in line.strip("| ").split(" | ")]
                      for line in pages["smelters.md"].splitlines()
                      if line.startswith(("| Gold | 8", "| Tantalum | 2", "| Tin | 6", "| Tungsten | 1", "| **Total"))]
    assert cells(document, "Metal")[:5] == website_counts == [
        ["Gold", "87", "37", "50", "43%"], ["Tantalum", "22", "21", "1", "95%"], ["Tin", "63", "11", "52", "17%"],
        ["Tungsten", "18", "2", "16", "11%"], ["Total", "190", "71", "119", "37%"]]
    facilities = [row for row in _all_tables(document) if len(row) == 3 and row[0] in
                  ("Gold", "Tantalum", "Tin", "Tungsten")]
    # the website's tables: name, status, metal (the name and status first, for phones)
    website = [[metal, name, status] for name, status, metal in
               (line.strip("| ").split(" | ") for line in pages["smelters.md"].splitlines()
                if line.count(" | ") == 2 and line.endswith(("| Gold |", "| Tantalum |", "| Tin |", "| Tungsten |")))]
    assert len(facilities) == 190
    assert [[html.unescape(c.replace("\\", "")) for c in row] for row in website] == facilities
    countries = re.search(r'<a name="countries">.*?<ul>(.*?)</ul>', document, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", countries) == list(model.content.countries.countries)


def _all_tables(document: str) -> list[list[str]]:
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
             for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", document, re.S)]


def test_hostile_supplier_text_is_escaped_and_ascii(tmp_path):
    document = exhibit_of(special_characters_project(tmp_path))
    assert edgar_breaches(document) == []
    names = [row[1] for row in _all_tables(document) if len(row) == 3 and row[0] in ("Gold", "Tin")]
    assert "<script>alert('x')</script>" in names and "<img src=x onerror=alert(1)>" in names
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in document
    assert "<li>C&#244;te d&#x27;Ivoire</li>" in document
    assert "Acme &lt;b&gt;Bold&lt;/b&gt; &amp; Co. | Ltd" in document


def test_links_become_anchors_or_text(tmp_path):
    report = content()["report.yml"]
    report["rcoi_outcome"] = ("See [due diligence](due-diligence.md), our [policy](policy.md), "
                              "[our site](https://example.com/cmr), [example.com](https://example.com/), "
                              "[last year's filing](https://www.sec.gov/Archives/edgar/data/1/x.htm) and "
                              "“quotes” — dashes.")
    document = exhibit_of(make_project(tmp_path, **{"report.yml": report}))
    assert edgar_breaches(document) == []
    assert ('<p>See <a href="#due-diligence">due diligence</a>, our policy, our site (https://example.com/cmr), '
            'example.com, <a href="https://www.sec.gov/Archives/edgar/data/1/x.htm">last year\'s filing</a> '
            'and &#8220;quotes&#8221; &#8212; dashes.</p>') in document


def test_raw_html_in_authored_markdown_is_an_error(tmp_path):
    report = content()["report.yml"]
    report["audit"] = 'Not audited. <script>alert(1)</script><img src="logo.png"> <span onclick="x()">y</span>'
    root = make_project(tmp_path, **{"report.yml": report})
    with pytest.raises(UserError) as caught:
        pipeline.exhibit(root)
    assert [str(p) for p in caught.value.problems.sorted()] == [
        "data/report.yml, line 8, key 'audit': error: the EDGAR exhibit cannot carry <img>, <script>, "
        "onclick on <span> (EDGAR Filer Manual, section 5.2.2: no active content, no graphics we attach); "
        "write plain Markdown [exhibit.html]"]


def test_exhibit_is_deterministic_and_from_the_model():
    model, _ = pipeline.load_model(ROOT)
    assert render_exhibit(model, Problems()) == render_exhibit(model, Problems()) == exhibit_of(ROOT)


def test_each_years_default_exhibit_name_is_one_edgar_accepts():
    for year in (2013, 2025, 9999):
        problems = Problems()
        check_file_name(default_name(year), problems)
        assert (default_name(year), problems.items) == (f"exhibit-1.01-{year}.htm", [])
        assert len(default_name(year)) <= 32
    problems = Problems()
    check_file_name("exhibit-1.01-" + "x" * 16 + ".htm", problems)  # 33 characters
    assert [p.code for p in problems.items] == ["exhibit.file-name"]


def test_cli_writes_the_exhibit(tmp_path):
    make_project(tmp_path)
    result = run_cli("exhibit", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = (tmp_path / "build/exhibit-1.01-2024.htm").read_bytes()
    assert result.stdout == f"build/exhibit-1.01-2024.htm: Exhibit 1.01, {len(written)} bytes\n"
    assert edgar_breaches(written.decode("ascii")) == []
    result = run_cli("exhibit", "--output", str(tmp_path / "out" / "Exhibit 1.01 (final).html"), cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        "Exhibit 1.01 (final).html: warning: EDGAR accepts document names of up to 32 characters that start "
        "with a letter or digit and end in .htm (EDGAR Filer Manual, section 5.1.1); rename the file before "
        "filing [exhibit.file-name]"]
    assert run_cli("exhibit", "--strict", "--output", "x y.htm", cwd=tmp_path).returncode == 1


def test_check_fails_when_the_exhibit_could_not_be_made(tmp_path):
    risk = content()["risk.yml"]
    risk["risk_factors"] = ["Suppliers may not answer. ![logo](logo.png)"]
    policy = content()["policy.yml"]
    policy["body"] = "Our policy, with our logo: ![logo](logo.png)"  # the exhibit leaves the policy out
    root = make_project(tmp_path, **{"risk.yml": risk, "policy.yml": policy})
    assert run_cli("build", "--no-site", cwd=root).returncode == 0
    result = run_cli("check", cwd=root)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "data/risk.yml, line 5, key 'risk_factors[0]': error: the EDGAR exhibit cannot carry <img> (EDGAR Filer "
        "Manual, section 5.2.2: no active content, no graphics we attach); write plain Markdown [exhibit.html]",
        "1 error(s), 0 warning(s)."]


def test_exhibit_into_a_folder_is_a_problem_not_a_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "generator", "exhibit", "--output", str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == (
        f"{tmp_path}: error: cannot write the exhibit there: Is a directory; expected a file path "
        "(--output FILE) [exhibit.write]")
