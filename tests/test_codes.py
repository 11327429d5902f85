"""The catalogue of problem codes covers every code the program can emit; `explain` prints it."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from generator.cli import main
from generator.problems import CATALOGUE, Problem
from generator.supply.cmrt.layouts import LAYOUTS

PACKAGE = Path(__file__).resolve().parent.parent / "generator"
CODE = re.compile(r"^[a-z]+\.[a-z0-9]+(?:-[a-z0-9]+)*$")
# Functions that take a problem code, and the position of that argument.
CODE_ARGUMENT = {"add": 1, "warn": 1, "Problem": 1, "_problem": 1, "WorkbookError": 0, "error": 2, "_git": 2,
                 "reject": 0, "Failure": 0, "Note": 0}


def _code_arguments() -> list[tuple[str, int, ast.expr]]:
    """(file, line, the expression given as the code) for every call that passes a problem code."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            arg = next((kw.value for kw in node.keywords if kw.arg == "code"), None)
            if arg is None and name in CODE_ARGUMENT and len(node.args) > CODE_ARGUMENT[name]:
                arg = node.args[CODE_ARGUMENT[name]]
            if arg is not None:
                found.append((path.relative_to(PACKAGE.parent).as_posix(), node.lineno, arg))
    return found


def _pattern(expr: ast.JoinedStr) -> re.Pattern:
    """An f-string code as a pattern: its literal parts, anything in between."""
    parts = [re.escape(v.value) if isinstance(v, ast.Constant) else ".+" for v in expr.values]
    return re.compile("^" + "".join(parts) + "$")


def test_every_literal_code_is_in_the_catalogue():
    arguments = _code_arguments()
    literals = [(f, line, a.value) for f, line, a in arguments if isinstance(a, ast.Constant)]
    assert len(literals) > 60  # the scan finds the program's codes, not nothing
    assert [(f, line, code) for f, line, code in literals if code not in CATALOGUE] == []


def test_every_composed_code_names_catalogue_entries():
    composed = [(f, line, a) for f, line, a in _code_arguments() if isinstance(a, ast.JoinedStr)]
    assert [(f, line) for f, line, a in composed if not any(_pattern(a).match(c) for c in CATALOGUE)] == []
    # The one composed code today: a required Declaration field left empty, for each field of any layout.
    fields = {name for layout in LAYOUTS for name in layout.required_fields}
    assert sorted(f"cmrt.missing-{f.replace('_', '-')}" for f in fields if
                  f"cmrt.missing-{f.replace('_', '-')}" not in CATALOGUE) == []


def test_codes_passed_on_come_from_a_call_the_scan_sees():
    """A code in a variable is only passed through (err.code, a `code` parameter): its literal is scanned."""
    others = [(f, line, ast.unparse(a)) for f, line, a in _code_arguments()
              if not isinstance(a, ast.Constant | ast.JoinedStr)]
    assert {text for _, _, text in others} <= {"code", "err.code", "problem.code", "note.code", "failure.code",
                                               "result.code"}


def test_catalogue_entries_are_well_formed():
    assert [c for c in CATALOGUE if not CODE.match(c)] == []
    assert [c for c, info in CATALOGUE.items() if not (info.means.strip() and info.fix.strip())] == []


def test_a_problem_with_an_unknown_code_fails_under_the_suite():
    with pytest.raises(AssertionError, match="'cmrt.no-such-code' is not in generator/problem-codes.toml"):
        Problem("x.xlsx", "cmrt.no-such-code", "message")


def test_explain_lists_every_code(capsys):
    assert main(["explain"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == sorted(CATALOGUE)
    assert "yaml.unknown-key" in [line.split()[0] for line in lines]


def test_explain_one_code(capsys):
    assert main(["explain", "[yaml.unknown-key]"]) == 0
    assert capsys.readouterr().out == (
        "yaml.unknown-key\n"
        f"  What it means: {CATALOGUE['yaml.unknown-key'].means}\n"
        f"  How to fix it: {CATALOGUE['yaml.unknown-key'].fix}\n")


def test_explain_an_unknown_code_suggests_the_closest(capsys):
    assert main(["explain", "yaml.unknown-kye"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "error: yaml.unknown-kye is not a problem code; did you mean yaml.unknown-key? [command.error]")
