"""The code keeps the shape the README describes: stage packages under a few top-level modules."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = {"content", "excel", "supply", "publish", "commands"}


def test_generator_is_a_few_modules_over_the_stage_packages():
    modules = sorted(p.name for p in (ROOT / "generator").glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert modules == ["cli.py", "model.py", "pipeline.py", "problems.py", "years.py"]
    packages = {p.name for p in (ROOT / "generator").iterdir() if (p / "__init__.py").exists()}
    assert packages == STAGES


def test_test_modules_share_builders_through_helper_modules_only():
    imports = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                name = node.module.removeprefix("tests.")
                if name.startswith("test_"):
                    imports.append((path.name, node.module))
    assert imports == []


def test_one_list_of_the_metals():
    """generator.model.METALS is the only tuple of the four metals in the package."""
    found = []
    for path in sorted((ROOT / "generator").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Tuple) and all(isinstance(e, ast.Constant) and isinstance(e.value, str)
                                                   for e in node.elts):
                if sorted(e.value for e in node.elts) == ["Gold", "Tantalum", "Tin", "Tungsten"]:
                    found.append(path.relative_to(ROOT).as_posix())
    assert found == ["generator/model.py", "generator/supply/cmrt/layouts.py"]  # layouts: the template's row order
