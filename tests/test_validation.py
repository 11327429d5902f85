"""Validation of data/: exact messages naming file, line and key; one failure for all problems."""
from __future__ import annotations

from pathlib import Path

import pytest

from generator import pipeline
from generator.problems import UserError
from tests.cli import run_cli
from tests.project import content, make_project, write_smelters


def problems_of(root: Path) -> list[str]:
    with pytest.raises(UserError) as caught:
        pipeline.generate(root)
    return [str(p) for p in caught.value.problems.sorted()]


def test_unknown_missing_wrong_type_and_bad_date_are_all_reported(tmp_path):
    company = content()["company.yml"]
    company["nickname"] = "Exy"          # unknown key
    company["webiste"] = "https://example.com/about"  # misspelt key
    del company["irs_employer_id"]       # missing key
    company["address"]["zip"] = ["97477"]  # wrong type
    report = content()["report.yml"]
    report["period"]["end"] = "2024-02-30"   # not a real date (quoted or not)
    make_project(tmp_path, **{"company.yml": company, "report.yml": report})
    text = (tmp_path / "data/report.yml").read_text().replace("start: 2024-01-01", "start: 2024-1-1")
    (tmp_path / "data/report.yml").write_text(text)
    assert problems_of(tmp_path) == [
        "data/company.yml, line 1, key 'irs_employer_id': error: required key is missing; "
        "expected a string [yaml.missing-key]",
        "data/company.yml, line 9, key 'address.zip': error: expected a string, found a list [yaml.type]",
        "data/company.yml, line 15, key 'nickname': error: unknown key; did you mean 'name'? expected one of: address, "
        "commission_file_number, contact, description, irs_employer_id, name, state_of_incorporation, "
        "website [yaml.unknown-key]",
        "data/company.yml, line 16, key 'webiste': error: unknown key; did you mean 'website'? expected one of: "
        "address, commission_file_number, contact, description, irs_employer_id, name, state_of_incorporation, "
        "website [yaml.unknown-key]",
        "data/report.yml, line 4, key 'period.start': error: not a date: '2024-1-1'; "
        "expected YYYY-MM-DD [yaml.date]",
        "data/report.yml, line 5, key 'period.end': error: not a real date (day is out of range for "
        "month): '2024-02-30'; expected YYYY-MM-DD [yaml.date]",
    ]


def test_yaml_syntax_duplicate_key_alias_and_tags(tmp_path):
    make_project(tmp_path, **{
        "policy.yml": "title: A\ntitle: B\nsummary: x\nbody: y\n",
        "risk.yml": "mitigation_intro: &a hi\nmitigation_steps: [*a]\nrisk_factors: []\n",
        "countries.yml": "introduction: x\ncountries:\n\t- Chile\n",
        "due-diligence.yml": "design: !!python/object/apply:os.system ['true']\n",
    })
    found = problems_of(tmp_path)
    assert "data/policy.yml, line 2, key 'title': error: this key is given twice [yaml.duplicate-key]" in found
    assert ("data/risk.yml, line 1: error: anchors and aliases (&name, *name) are not supported; "
            "write the value out [yaml.alias]") in found
    assert any(p.startswith("data/countries.yml, line 3: error: not valid YAML: found character '\\t'")
               for p in found)
    assert ("data/due-diligence.yml, line 1, key 'design': error: the tag "
            "'tag:yaml.org,2002:python/object/apply:os.system' is not allowed; write plain YAML values "
            "[yaml.tag]") in found


def test_literal_choice_and_unknown_placeholder(tmp_path):
    report = content()["report.yml"]
    report["conclusion"] = "conflict free-ish"
    make_project(tmp_path, **{"report.yml": report})
    assert problems_of(tmp_path) == [
        "data/report.yml, line 6, key 'conclusion': error: expected one of 'DRC conflict free', "
        "'DRC conflict undeterminable', 'not DRC conflict free', found 'conflict free-ish' [yaml.choice]"]
    report = content()["report.yml"]
    report["audit"] = "We audited {{ smelters.totl }} smelters."
    make_project(tmp_path, **{"report.yml": report})
    (found,) = [p for p in problems_of(tmp_path) if ": error: " in p]  # the short audit text also warns
    assert found.startswith("data/report.yml, line 8, key 'audit': error: unknown placeholder "
                            "'{{ smelters.totl }}'; did you mean '{{ smelters.total }}'? expected one of: "
                            "company.name, countries.count,")
    report["audit"] = "We audited {{ survey.responses }} answers and {{ nothing.like_it }}."
    make_project(tmp_path, **{"report.yml": report})
    found = [p.split(": error: ")[1].split("; expected")[0] for p in problems_of(tmp_path) if ": error: " in p]
    assert found == ["unknown placeholder '{{ nothing.like_it }}'",
                     "unknown placeholder '{{ survey.responses }}'; it is given only with data/supply-chain.yml"]


def test_smelter_rows_rejected_with_their_cells(tmp_path):
    make_project(tmp_path, smelters=[
        ("Gold", "Good Refinery", "Conflict-free"),
        ("Iron", "Iron Works", "Conflict-free"),
        ("Tin", "", "Not designated"),
        (None, None, None),
        ("tin", "Lower Case Tin", "not designated"),
        ("Gold", "Good Refinery", "Not designated"),
        ("Tungsten", "W Corp", "Maybe"),
    ])
    assert problems_of(tmp_path) == [
        "data/smelters.xlsx, sheet 'Smelters', cell A3: error: row rejected: unknown metal 'Iron'; "
        "expected one of Gold, Tantalum, Tin, Tungsten [smelters.metal]",
        "data/smelters.xlsx, sheet 'Smelters', cell B4: error: row rejected: the facility name is blank "
        "[smelters.name]",
        "data/smelters.xlsx, sheet 'Smelters', cell B7: error: row rejected: Gold facility 'Good Refinery' "
        "is listed twice (first in row 2) [smelters.name]",
        "data/smelters.xlsx, sheet 'Smelters', cell C8: error: row rejected: unknown status 'Maybe'; "
        "expected one of Conflict-free, Active, Non-conformant, Not designated (or RMI's Conformant, "
        "Not enrolled or other) [smelters.designation]",
    ]


def test_smelter_header_and_sheet_are_checked(tmp_path):
    make_project(tmp_path)
    write_smelters(tmp_path / "data/smelters.xlsx", [("Gold", "X", "Conflict-free")],
                   header=("Metal", "Facility", "Conflict-free designation"))
    assert problems_of(tmp_path) == [
        "data/smelters.xlsx, sheet 'Smelters', cell A1: error: header row lacks 'Smelter or refiner'; "
        "expected the columns 'Metal', 'Smelter or refiner', 'Conflict-free designation' [smelters.header]"]
    write_smelters(tmp_path / "data/smelters.xlsx", [], sheet="Sheet9")
    assert problems_of(tmp_path) == [
        "data/smelters.xlsx: error: no sheet named 'Smelters'; the workbook has: Sheet9 [smelters.missing-sheet]"]
    (tmp_path / "data/smelters.xlsx").write_text("not a workbook")
    (found,) = problems_of(tmp_path)
    assert found == ("data/smelters.xlsx: error: is not a workbook: its content is neither .xlsx, .xlsb or .ods (zip) "
                     "nor .xls (OLE2) [workbook.not-a-workbook]")


def test_a_smelter_list_saved_as_csv_is_a_problem_not_a_crash(tmp_path):
    report = content()["report.yml"]
    report["smelter_list"]["file"] = "smelters.csv"
    make_project(tmp_path, **{"report.yml": report})
    (tmp_path / "data/smelters.csv").write_text("Metal,Smelter or refiner,Conflict-free designation\n")
    result = run_cli("check", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == (
        "data/smelters.csv: error: is not a workbook: its content is neither .xlsx, .xlsb or .ods (zip) nor .xls (OLE2) "
        "[workbook.not-a-workbook]")


def test_cli_reports_every_problem_once_without_traceback(tmp_path):
    company = content()["company.yml"]
    company["website"] = True
    make_project(tmp_path, smelters=[("Lead", "L", "Conflict-free")], **{"company.yml": company})
    result = run_cli("check", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "data/company.yml, line 13, key 'website': error: expected a string, found true/false 'true' [yaml.type]",
        "data/smelters.xlsx, sheet 'Smelters', cell A2: error: row rejected: unknown metal 'Lead'; "
        "expected one of Gold, Tantalum, Tin, Tungsten [smelters.metal]",
        "2 error(s), 0 warning(s).",
    ]
    assert "Traceback" not in result.stderr


def test_cli_check_names_stale_pages_and_build_fixes_them(tmp_path):
    make_project(tmp_path)
    result = run_cli("check", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("docs/ is stale against data/; run `python -m generator build` and "
                                    "commit. Stale: docs/countries.md, docs/downloads/report.json, "
                                    "docs/downloads/smelters.csv,")
    build = run_cli("build", "--no-site", cwd=tmp_path)
    assert build.returncode == 0, build.stderr
    assert build.stdout.startswith("docs/: 8 generated files, 8 changed")
    assert run_cli("check", cwd=tmp_path).returncode == 0
    (tmp_path / "docs/obsolete.md").write_text("old page")
    (tmp_path / "docs/smelters.md").write_text("edited by hand")
    result = run_cli("check", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().endswith("Stale: docs/smelters.md, docs/obsolete.md")
    again = run_cli("build", "--no-site", cwd=tmp_path)
    assert again.stdout.strip() == "docs/: 8 generated files, 2 changed: smelters.md, obsolete.md"
    assert not (tmp_path / "docs/obsolete.md").exists()


def test_cli_help_lists_commands():
    result = run_cli("--help", cwd=Path(__file__).parent.parent)
    assert result.returncode == 0
    for command in ("build", "check", "read"):
        assert f"    {command} " in result.stdout


def test_a_control_character_in_a_yaml_file_is_a_problem_with_its_line(tmp_path):
    """PyYAML refuses control characters before it parses (a ReaderError, not a marked error): the
    file and line are named, and the other files are still checked."""
    make_project(tmp_path, **{"policy.yml": "title: A\nsummary: x\nbody: y \x07\n",
                              "risk.yml": "mitigation_intro: a\nmitigation_intro: b\n"})
    found = problems_of(tmp_path)
    assert ("data/policy.yml, line 3: error: not valid YAML: the character U+0007 is not allowed in a YAML file; "
            "remove it [yaml.syntax]") in found
    assert any(p.startswith("data/risk.yml, line 2") for p in found)
