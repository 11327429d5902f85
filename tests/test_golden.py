"""Golden files: the generated pages for small projects built in code.

After an intended change to the templates, regenerate them with `make golden`
(UPDATE_GOLDEN=1 pytest tests/test_golden.py) and review the diff.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator import pipeline
from tests.builders import special_characters_project
from tests.project import SMELTERS, make_project

GOLDEN = Path(__file__).parent / "golden"


CASES = {
    "basic": lambda root: make_project(root, smelters=SMELTERS),
    "special-characters": special_characters_project,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_pages_match_golden_files(case, tmp_path):
    pages, _ = pipeline.generate(CASES[case](tmp_path))
    expected_dir = GOLDEN / case
    if os.environ.get("UPDATE_GOLDEN"):
        for rel, text in pages.items():
            (expected_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / rel).write_bytes(text.encode("utf-8"))
    expected = {p.relative_to(expected_dir).as_posix(): p.read_bytes().decode("utf-8")
                for p in sorted(expected_dir.rglob("*")) if p.is_file()}
    assert sorted(pages) == sorted(expected)
    for rel in sorted(pages):
        assert pages[rel] == expected[rel], f"{case}/{rel} differs; run `make golden` if intended"
