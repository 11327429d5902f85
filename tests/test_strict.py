"""--strict collects every stage's problems, then fails once with all of them."""
from __future__ import annotations

import pytest
import yaml

from generator import pipeline
from generator.problems import UserError
from tests.supply_project import supply_chain_project


def with_thin_audit(root):
    report = yaml.safe_load((root / "data/report.yml").read_text())
    report["audit"] = "TBD"
    (root / "data/report.yml").write_text(yaml.safe_dump(report, sort_keys=False))
    return root


def codes(err: UserError) -> set[str]:
    return {p.code for p in err.problems.items}


def test_check_strict_fails_once_with_supplier_and_completeness_warnings(tmp_path):
    root = with_thin_audit(supply_chain_project(tmp_path))
    with pytest.raises(UserError) as raised:
        pipeline.check(root, strict=True)
    assert {"supply.unmatched", "supply.held", "cmrt.smelter-without-country", "completeness.section"} <= codes(raised.value)
    assert not raised.value.problems.errors
    # Without --strict the same warnings are there, and nothing fails.
    _current, _pages, problems = pipeline.check(root)
    assert {p.code for p in problems.items} == codes(raised.value)


def test_exhibit_strict_reports_the_file_name_with_the_content_warnings(tmp_path):
    root = with_thin_audit(supply_chain_project(tmp_path))
    with pytest.raises(UserError) as raised:
        pipeline.exhibit(root, "my exhibit.html", strict=True)
    assert {"exhibit.file-name", "completeness.section", "supply.held"} <= codes(raised.value)


def test_build_strict_writes_nothing_and_names_every_warning(tmp_path):
    root = with_thin_audit(supply_chain_project(tmp_path))
    with pytest.raises(UserError) as raised:
        pipeline.build(root, strict=True)
    assert {"supply.unmatched", "completeness.section"} <= codes(raised.value)
    assert not (root / "review/2024/report.md").exists()
