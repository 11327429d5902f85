"""Completeness: warnings, with exact messages, for sections the rule or the OECD guidance expects."""
from __future__ import annotations

from pathlib import Path

import pytest

from generator import pipeline
from generator.content.completeness import lacking
from generator.problems import UserError
from tests.cli import run_cli
from tests.project import MD, content, make_project


def incomplete_project(root: Path) -> Path:
    report = content()["report.yml"]
    report["rcoi"] = ""
    report["audit"] = "{{ period.year }}"
    dd = content()["due-diligence.yml"]
    dd["reporting"] = "We report."
    dd["management_systems"]["records"] = "TODO: describe how long we keep the survey answers, and where."
    dd["results"]["mine_or_location_of_origin"] = "See [the smelter list](smelters.md)."
    countries = {"introduction": MD, "countries": []}
    return make_project(root, smelters=[], **{"report.yml": report, "due-diligence.yml": dd,
                                              "countries.yml": countries})


EXPECTED = [
    "data/countries.yml, line 3, key 'countries': warning: no countries of origin are listed; Form SD, "
    "Item 1.01 expects them [completeness.no-countries]",
    "data/due-diligence.yml, line 12, key 'management_systems.records': warning: step 1 (management systems): "
    "the records kept still holds the drafting marker 'TODO'; this section is expected by the OECD Due "
    "Diligence Guidance [completeness.section]",
    "data/due-diligence.yml, line 19, key 'reporting': warning: step 5 (report on supply chain due diligence) "
    "has only 2 words, fewer than 10; this section is expected by the OECD Due Diligence Guidance "
    "[completeness.section]",
    "data/due-diligence.yml, line 27, key 'results.mine_or_location_of_origin': warning: the efforts to "
    "determine the mine or location of origin has only 4 words, fewer than 10; this section is expected by "
    "Form SD, Item 1.01 [completeness.section]",
    "data/report.yml, line 8, key 'audit': warning: the independent private sector audit statement holds only "
    "placeholders; this section is expected by Form SD, Item 1.01 [completeness.section]",
    "data/report.yml, line 14, key 'rcoi': warning: the description of the reasonable country of origin "
    "inquiry is blank; this section is expected by Rule 13p-1 and Form SD, Item 1.01 [completeness.section]",
    "data/smelters.xlsx, sheet 'Smelters': warning: no smelters or refiners are listed; Form SD, Item 1.01 "
    "expects the facilities used to process the conflict minerals [completeness.no-facilities]",
]


def test_missing_and_stub_sections_are_warnings_with_their_place(tmp_path):
    _, problems = pipeline.load_model(incomplete_project(tmp_path))
    assert [str(p) for p in problems.sorted()] == EXPECTED


def test_complete_projects_have_no_warnings(tmp_path):
    _, problems = pipeline.load_model(make_project(tmp_path))
    assert problems.items == []


@pytest.mark.parametrize("text,expected", [
    ("", "is blank"), ("  \n", "is blank"), ("{{ smelters.total }} {{ countries.count }}", "holds only placeholders"),
    ("One two three.", "has only 3 words, fewer than 10"), ("Word.", "has only 1 word, fewer than 10"),
    ("See [the list](smelters-and-refiners-for-the-year.md).", "has only 3 words, fewer than 10"),
    ("A lorem ipsum dolor sit amet text that is long enough to pass the count", "still holds the drafting "
     "marker 'lorem ipsum'"),
    ("We surveyed {{ survey.suppliers }} suppliers and followed up with each of those who did not answer.", ""),
])
def test_what_counts_as_lacking(text, expected):
    assert lacking(text) == expected


def test_check_prints_the_warnings_and_strict_makes_them_fatal(tmp_path):
    incomplete_project(tmp_path)
    build = run_cli("build", "--no-site", cwd=tmp_path)
    assert build.returncode == 0
    assert build.stderr.splitlines() == EXPECTED
    check = run_cli("check", cwd=tmp_path)
    assert check.returncode == 0
    assert check.stderr.splitlines() == EXPECTED
    assert check.stdout == "data/ is valid and docs/ is up to date (8 generated files).\n"
    strict = run_cli("check", "--strict", cwd=tmp_path)
    assert strict.returncode == 1
    assert strict.stderr.splitlines() == EXPECTED + ["0 error(s), 7 warning(s)."]
    assert run_cli("exhibit", "--strict", cwd=tmp_path).returncode == 1
    with pytest.raises(UserError):
        pipeline.generate(tmp_path, strict=True)
