"""`python -m generator diff`: two real git commits in a temporary repository, and two folders."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from cli import run_cli
from project import content, make_project, write_smelters

# Head's changes: Epsilon removed, Zeta added, Beta Gold SA now conflict-free; Peru -> Bolivia.
HEAD_SMELTERS = [("Gold", "Alpha Refinery Co., Ltd.", "Conflict-free"),
                 ("Gold", "Beta Gold SA", "Conflict-free"),
                 ("Tantalum", "Gamma Tantalum", "Conflict-free"),
                 ("Tin", "PT Delta Tin", "Not designated"),
                 ("Tungsten", "Zeta Tungsten Ltd.", "Conflict-free")]

CHANGES = """\
Facilities: 1 added, 1 removed, 1 designation changed
  + Tungsten: Zeta Tungsten Ltd. (Conflict-free)
  - Tungsten: Epsilon Wolfram AG (Not designated)
  ~ Gold: Beta Gold SA: Not designated -> Conflict-free
Countries: 1 added, 1 removed
  + Bolivia
  - Peru
Figures: 5 changed
  smelters.conflict_free: 2 -> 4
  smelters.conformant: 2 -> 4
  smelters.conformant_percent: 40% -> 80%
  smelters.not_designated: 3 -> 1
  smelters.not_enrolled: 3 -> 1
Pages: 5 changed
"""
CHANGED_PAGES = ["countries.md", "downloads/report.json", "downloads/smelters.csv", "due-diligence.md",
                 "smelters.md"]

GIT_ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com"}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=GIT_ENV, check=True, capture_output=True)


def diff(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return run_cli("diff", *args, cwd=cwd, env=GIT_ENV)


def set_countries(project: Path, countries: list[str]) -> None:
    text = yaml.safe_dump({**content()["countries.yml"], "countries": countries}, sort_keys=False)
    (project / "data" / "countries.yml").write_text(text, encoding="utf-8")


def make_head(project: Path) -> Path:
    write_smelters(project / "data" / "smelters.xlsx", HEAD_SMELTERS)
    set_countries(project, ["Chile", "Bolivia"])
    return project


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """A repository with two commits: the fixture project, then HEAD's changes."""
    project = make_project(tmp_path_factory.mktemp("repo"))
    git(project, "init", "-q")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "base")
    make_head(project)
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "head")
    return project


def split_pages(text: str) -> tuple[str, list[str]]:
    """The output up to the page list, and the pages it lists (their line counts follow the templates)."""
    body, heading, pages = re.split(r"^(Pages: \d+ changed\n)", text, flags=re.M)
    return body + heading, re.findall(r"^  ~ docs/(\S+) changed \(\+\d+ -\d+ lines\)$", pages, re.M)


def test_diff_between_two_commits(repo):
    result = diff(repo, "HEAD~1", "HEAD")
    assert (result.returncode, result.stderr) == (0, "")
    assert split_pages(result.stdout) == ("Comparing HEAD~1 with HEAD\n" + CHANGES, CHANGED_PAGES)


def test_diff_markdown_for_the_job_summary(repo):
    result = diff(repo, "HEAD~1", "HEAD", "--markdown")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "## Report changes: `HEAD~1` → `HEAD`"
    table = lines[lines.index("| Change | Metal | Smelter or refiner | Designation |"):][:5]
    assert table == ["| Change | Metal | Smelter or refiner | Designation |",
                     "|---|---|---|---|",
                     "| Added | Tungsten | Zeta Tungsten Ltd. | Conflict-free |",
                     "| Removed | Tungsten | Epsilon Wolfram AG | Not designated |",
                     "| Designation changed | Gold | Beta Gold SA | Not designated → Conflict-free |"]
    assert "### Countries: 1 added, 1 removed\n\n- Added: Bolivia\n- Removed: Peru\n" in result.stdout
    assert ("| Figure | Before | After |\n|---|---|---|\n"
            "| smelters.conflict\\_free | 2 | 4 |\n| smelters.conformant | 2 | 4 |\n"
            "| smelters.conformant\\_percent | 40% | 80% |\n| smelters.not\\_designated | 3 | 1 |\n"
            "| smelters.not\\_enrolled | 3 | 1 |\n") in result.stdout
    assert "### Pages: 5 changed\n" in result.stdout
    assert re.findall(r"^- `docs/(\S+)` changed \(\+\d+ -\d+ lines\)$", result.stdout, re.M) == CHANGED_PAGES


def test_diff_of_a_revision_with_itself_says_so(repo):
    result = diff(repo, "HEAD", "HEAD")
    assert (result.returncode, result.stdout) == (0, "Comparing HEAD with HEAD\nNo changes to the report.\n")


def test_without_head_the_working_tree_is_compared(tmp_path):
    project = make_project(tmp_path)
    git(project, "init", "-q")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "base")
    set_countries(project, ["Chile", "Peru", "Rwanda"])  # edited, not committed
    result = diff(project, "HEAD")
    assert split_pages(result.stdout) == ("Comparing HEAD with the working tree\n"
                                          "Facilities: 0 added, 0 removed, 0 designation changed\n"
                                          "Countries: 1 added, 0 removed\n"
                                          "  + Rwanda\n"
                                          "Figures: 1 changed\n"
                                          "  countries.count: 2 -> 3\n"
                                          "Pages: 3 changed\n",
                                          ["countries.md", "downloads/report.json", "index.md"])


def test_diff_between_two_folders(tmp_path):
    make_project(tmp_path / "before")
    make_head(make_project(tmp_path / "after"))
    for args in (("before", "after"), ("before/data", "after/data")):
        result = diff(tmp_path, *args)
        assert (result.returncode, result.stderr) == (0, "")
        assert split_pages(result.stdout) == (f"Comparing {args[0]} with {args[1]}\n" + CHANGES, CHANGED_PAGES)


def test_invalid_data_in_a_revision_names_the_revision(tmp_path):
    project = make_project(tmp_path)
    git(project, "init", "-q")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "base")
    (project / "data" / "countries.yml").write_text("countries: [Chile\n", encoding="utf-8")
    git(project, "commit", "-q", "-am", "broken")
    result = diff(project, "HEAD~1", "HEAD")
    assert (result.returncode, result.stdout) == (1, "")
    first, last = result.stderr.splitlines()
    assert first.startswith("HEAD:data/countries.yml, line ") and first.endswith(" [yaml.syntax]")
    assert last == "1 error(s), 0 warning(s)."


def test_unknown_revision_and_revision_without_data(tmp_path):
    git(tmp_path, "init", "-q")
    (tmp_path / "README").write_text("no data here\n", encoding="utf-8")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "empty")
    assert diff(tmp_path, "no-such-branch", "HEAD").stderr == (
        "HEAD: error: this revision has no data/ folder [diff.no-data]\n"
        "no-such-branch: error: neither a folder nor a git revision of the repository at . [diff.revision]\n"
        "2 error(s), 0 warning(s).\n")  # both sides are loaded, then it fails once
    assert diff(tmp_path, "HEAD", "HEAD").stderr == (
        "HEAD: error: this revision has no data/ folder [diff.no-data]\n1 error(s), 0 warning(s).\n")  # said once


def test_help_explains_the_sides():
    result = run_cli("diff", "--help", cwd=Path.cwd())
    assert result.returncode == 0
    assert "Without HEAD, BASE is compared with the working tree" in result.stdout
    assert "  python -m generator diff origin/main HEAD --markdown >> \"$GITHUB_STEP_SUMMARY\"\n" in result.stdout


def test_a_renamed_facility_with_the_same_id_is_the_same_facility(tmp_path):
    header = ("Metal", "Smelter or refiner", "Conflict-free designation", "Smelter ID")
    write_smelters(make_project(tmp_path / "before") / "data/smelters.xlsx",
                   [("Gold", "Acme Refinery", "Not designated", "CID000001")], header=header)
    write_smelters(make_project(tmp_path / "after") / "data/smelters.xlsx",
                   [("Gold", "Acme Refinery Co.", "Conflict-free", "CID000001")], header=header)
    set_countries(tmp_path / "after", ["chile", "Peru"])
    result = diff(tmp_path, "before", "after")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "Comparing before with after\n"
        "Facilities: 0 added, 0 removed, 1 designation changed\n"
        "  ~ Gold: Acme Refinery Co.: Not designated -> Conflict-free\n"
        "Countries: 0 added, 0 removed\n")
