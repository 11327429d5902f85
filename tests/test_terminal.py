"""A flood of problems stays readable: the terminal groups them by code, --verbose shows every one,
the review report keeps them all."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.project import ROOT
from tests.supply_project import supply_chain_project


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=env)


def flooded(tmp_path: Path) -> Path:
    root = supply_chain_project(tmp_path)
    for i in range(12):
        (root / f"data/cmrt/scan-{i:02d}.pdf").write_bytes(b"%PDF-1.4")
    return root


NOT_READ = ("warning: is not a workbook, so it was not read: supplier answers are read from .xlsx, .xlsm, .xls, "
            ".xlsb, .ods files [supply.not-read]")


def test_the_terminal_shows_the_first_few_of_a_code_and_counts_the_rest(tmp_path):
    root = flooded(tmp_path)
    result = cli("build", "--no-site", cwd=root)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert [line for line in lines if "supply.not-read" in line] == [
        *(f"data/cmrt/scan-{i:02d}.pdf: {NOT_READ}" for i in range(5)),
        "[supply.not-read]: 12 problems, the first 5 shown above; --verbose shows all of them, and the review "
        "report (review/<YEAR>/report.md) lists every supplier problem"]
    # Codes with few problems are shown whole.
    assert sum("[supply.held]" in line for line in lines) == 2
    report = (root / "review/2024/report.md").read_text(encoding="utf-8")
    assert [f"data/cmrt/scan-{i:02d}.pdf" in report for i in range(12)] == [True] * 12


def test_verbose_shows_every_problem(tmp_path):
    root = flooded(tmp_path)
    for args in (("build", "--no-site", "--verbose"), ("-v", "build", "--no-site")):
        result = cli(*args, cwd=root)
        assert [line for line in result.stderr.splitlines() if line.endswith("[supply.not-read]")] == [
            f"data/cmrt/scan-{i:02d}.pdf: {NOT_READ}" for i in range(12)]


def test_a_failing_strict_run_groups_too(tmp_path):
    root = flooded(tmp_path)
    result = cli("check", "--strict", cwd=root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert sum(line.endswith("[supply.not-read]") for line in lines) == 5
    assert lines[-1].endswith("warning(s).") and lines[-1].startswith("0 error(s), ")


def test_grouping_keeps_order_and_counts_each_flooded_code():
    from generator.problems import Problem, grouped

    problems = [Problem(f"f{i:02d}.xlsx", "supply.not-read", "m") for i in range(7)] + [Problem("g.xlsx", "supply.lock-file", "m")]
    shown, summaries = grouped(problems)
    assert [p.file for p in shown] == ["f00.xlsx", "f01.xlsx", "f02.xlsx", "f03.xlsx", "f04.xlsx", "g.xlsx"]
    assert summaries == ["[supply.not-read]: 7 problems, the first 5 shown above; --verbose shows all of them, and "
                         "the review report (review/<YEAR>/report.md) lists every supplier problem"]
    assert grouped(problems, verbose=True) == (problems, [])
    assert grouped(problems[2:]) == (problems[2:], [])
