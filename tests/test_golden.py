"""Golden files: the generated pages for small projects built in code.

After an intended change to the templates, regenerate them with `make golden`
(UPDATE_GOLDEN=1 pytest tests/test_golden.py) and review the diff.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator import pipeline
from tests.project import SMELTERS, content, make_project

GOLDEN = Path(__file__).parent / "golden"

HOSTILE = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "Pipe | Co. `tick` *star* _under_",
    "# Heading Smelters",
    "- dash",
    "1. Numbered Refinery",
    "{: onclick=alert(1)}",
    "Tom & Jerry &amp; Sons \\ back",
]


def special_characters_project(root: Path) -> Path:
    company = content()["company.yml"]
    company["name"] = "Acme <b>Bold</b> & Co. | Ltd"
    countries = {"introduction": "Sources:", "countries": ["Côte d'Ivoire", "<i>Peru</i>", "=cmd|' /C calc'!A0"]}
    smelters = [("Gold", name, "Conflict-free" if i % 2 else "Not designated") for i, name in enumerate(HOSTILE)]
    smelters.append(("Tin", "+SUM(A1:A2)", "Not designated"))
    smelters.append(("Tin", "@cmd", "Not designated"))
    return make_project(root, smelters=smelters, **{"company.yml": company, "countries.yml": countries})


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
