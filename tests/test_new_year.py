"""The yearly cycle: `new-year YEAR` archives everything of the current year, and every year is kept side by side."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from generator.commands.new_year import shift_period
from tests import cmrt_fixtures as fx
from tests.cli import run_cli
from tests.project import write_smelters
from tests.supply_project import REFERENCE, supply_chain_project

# The dates a new year must renew, as the supply-chain project of test_consolidation states them for 2024.
DATES_2024 = {"report.yml": ("designation_as_of: 2025-03-01",),
              "supply-chain.yml": ("as_of: 2014-06-01", "as_of: 2014-06-30")}
# Each later year's supplier answers: one workbook, a different facility each year.
ROWS = {
    2025: {5: {"metal": "Gold", "smelter_name": "Asahi Pretec Corporation", "smelter_id": "CID000082"}},
    2026: {5: {"metal": "Tin", "smelter_name": "PT Timah (Persero) Tbk", "smelter_id": "CID001482"}},
    2027: {5: {"metal": "Tungsten", "smelter_name": "A.L.M.T. Corp.", "smelter_id": "CID000004"}},
}


def tree(folder: Path, skip: str = "") -> dict[str, bytes]:
    """Every file under `folder` by its path there (leaving out the subfolder `skip`)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not (skip and p.relative_to(folder).parts[0] == skip)}


def year_outputs(root: Path, year: int) -> dict[str, bytes]:
    """What the site, the review and the filing keep of one archived year."""
    files = {f"docs/{rel}": data for rel, data in tree(root / "docs" / str(year)).items()}
    files.update({f"review/{rel}": data for rel, data in tree(root / "review" / str(year)).items()})
    files["exhibit"] = (root / f"build/exhibit-1.01-{year}.htm").read_bytes()
    return files


def renew(root: Path, year: int) -> None:
    """What a team does after new-year: this year's dates, and this year's supplier answers."""
    for name, olds in DATES_2024.items():
        path = root / "data" / name
        text = path.read_text(encoding="utf-8")
        for old in olds:
            key, day = old.split(": ")
            text = text.replace(old, f"{key}: {year + 1}{day[4:]}" if key == "designation_as_of" else
                                f"{key}: {year}{day[4:]}")
        path.write_text(text, encoding="utf-8")
    acme = fx.full_declaration("6.5")
    acme.smelters = ROWS[year]
    fx.write(acme, root / "data/cmrt/acme.xlsx")


def exhibits(root: Path, years: list[int]) -> None:
    assert run_cli("exhibit", cwd=root).returncode == 0
    for year in years:
        result = run_cli("exhibit", "--year", str(year), cwd=root)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"build/exhibit-1.01-{year}.htm: Exhibit 1.01, ")


def build(root: Path) -> subprocess.CompletedProcess:
    result = run_cli("build", "--no-site", cwd=root)
    assert result.returncode == 0, result.stderr
    return result


def renew_warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.endswith("[years.renew]")]


def test_new_year_archives_everything_and_leaves_data_ready(tmp_path):
    root = supply_chain_project(tmp_path)
    build(root)
    before = tree(root / "data")
    result = run_cli("new-year", "2025", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "data/archive/2024/: the 2024 report, archived: aliases.csv, cmrt, company.yml, countries.yml, "
        "due-diligence.yml, lists, policy.yml, report.yml, risk.yml, smelters.xlsx, suppliers.csv, supply-chain.yml",
        "data/: ready for 2025: the period in report.yml moved to 2025; copied back from data/archive/2024/: "
        "aliases.csv, company.yml, countries.yml, due-diligence.yml, lists/conformant.csv, lists/reference.csv, "
        "policy.yml, report.yml, risk.yml, smelters.xlsx, suppliers.csv, supply-chain.yml",
        "Next:",
        "  - put the 2025 supplier CMRTs into data/cmrt/ (it is empty; keep the .gitkeep file)",
        *[f"  - {line.removesuffix(' [years.renew]').replace(': warning: ', ': ')}" for line in RENEW_2025],
        "  - update what changed: the prose, the smelter list or the lists, the roster, the survey figures",
        "  - run `python -m generator build` (or `make site`) and commit data/, docs/ and review/",
    ]
    assert tree(root / "data/archive/2024") == before  # every file of 2024, byte for byte
    now = tree(root / "data", skip="archive")
    assert sorted(now) == ["aliases.csv", "cmrt/.gitkeep", "company.yml", "countries.yml", "due-diligence.yml",
                           "lists/conformant.csv", "lists/reference.csv", "policy.yml", "report.yml", "risk.yml",
                           "smelters.xlsx", "suppliers.csv", "supply-chain.yml"]
    assert now["cmrt/.gitkeep"] == b""
    for rel, data in now.items():
        if rel not in ("report.yml", "cmrt/.gitkeep"):
            assert data == before[rel], rel   # the YAML, the supply-chain settings and the lists as they were
    assert now["report.yml"].decode() == before["report.yml"].decode().replace(
        "start: 2024-01-01", "start: 2025-01-01").replace("end: 2024-12-31", "end: 2025-12-31")
    # make site works right after, and the dates that belong to 2024 are flagged until they are renewed
    built = run_cli("build", cwd=root)
    assert built.returncode == 0, built.stderr
    assert renew_warnings(built.stderr) == RENEW_2025
    assert (root / "site/2024/index.html").is_file() and (root / "review/2024/report.md").is_file()
    assert (root / "review/2025/report.md").is_file()
    assert run_cli("check", cwd=root).returncode == 0
    strict = run_cli("check", "--strict", cwd=root)
    assert strict.returncode == 1 and renew_warnings(strict.stderr) == RENEW_2025
    renew(root, 2025)
    renewed = build(root)
    assert renew_warnings(renewed.stderr) == []


RENEW_2025 = [
    "data/report.yml, line 23, key 'smelter_list.designation_as_of': warning: 2025-03-01 is the date given for 2024 "
    "too (data/archive/2024/report.yml); state this year's date (the date of the list or designations you use for "
    "this report) [years.renew]",
    "data/supply-chain.yml, line 7, key 'reference_lists[0].as_of': warning: 2014-06-01 is the date given for 2024 "
    "too (data/archive/2024/supply-chain.yml); state this year's date (the date of the list or designations you "
    "use for this report) [years.renew]",
    "data/supply-chain.yml, line 11, key 'conformance.as_of': warning: 2014-06-30 is the date given for 2024 too "
    "(data/archive/2024/supply-chain.yml); state this year's date (the date of the list or designations you use "
    "for this report) [years.renew]",
]


def test_three_new_years_keep_every_earlier_year_byte_for_byte(tmp_path):
    root = supply_chain_project(tmp_path)
    build(root)
    kept: dict[int, dict[str, bytes]] = {}
    for year in (2025, 2026, 2027):
        previous = year - 1
        result = run_cli("new-year", str(year), cwd=root)
        assert result.returncode == 0, result.stderr
        renew(root, year)
        build(root)
        exhibits(root, list(range(2024, year)))
        for earlier, outputs in kept.items():
            assert year_outputs(root, earlier) == outputs, earlier
        kept[previous] = year_outputs(root, previous)
    assert sorted(kept) == [2024, 2025, 2026]
    assert sorted(p.name for p in (root / "build").iterdir()) == [f"exhibit-1.01-{y}.htm" for y in range(2024, 2028)]
    assert sorted(p.name for p in (root / "review").iterdir()) == ["2024", "2025", "2026", "2027"]
    assert sorted(p.name for p in (root / "data/archive").iterdir()) == ["2024", "2025", "2026"]
    for year in (2024, 2025, 2026):
        assert sorted(tree(root / f"review/{year}")) == ["report.md", "rows.csv"]
        review = (root / f"review/{year}/report.md").read_text(encoding="utf-8")
        assert f"data/archive/{year}/cmrt/acme.xlsx" in review
        assert f"Every row, with its outcome and reason, is in `review/{year}/rows.csv`." in review
        rows = (root / f"review/{year}/rows.csv").read_text(encoding="utf-8").splitlines()
        assert rows[0] == "file,sheet,row,metal,smelter_id,smelter_name,country,outcome,reason,facility_id"
        assert {row.split(",")[0] for row in rows[1:]} == {f"data/archive/{year}/cmrt/acme.xlsx"} | (
            {"data/archive/2024/cmrt/beta.xlsx", "data/archive/2024/cmrt/stranger.xlsx"} if year == 2024 else set())
        exhibit = (root / f"build/exhibit-1.01-{year}.htm").read_text(encoding="ascii")
        assert f"for the reporting period from January 1, {year} to December 31, {year}" in exhibit
    assert re.search(r"^\| A\.L\.M\.T\. Corp\. \| [^|]+ \| [^|]* \| CID000004 \| Tungsten \|",
                     (root / "docs/smelters.md").read_text(encoding="utf-8"), re.M)
    assert run_cli("check", "--strict", cwd=root).returncode == 1  # the suppliers' own warnings remain
    assert run_cli("check", cwd=root).returncode == 0
    site = tmp_path / "site"
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
                   cwd=root, env=env, check=True, timeout=300)
    for year in (2024, 2025, 2026):
        for page in sorted((site / str(year)).rglob("*.html")):
            html = page.read_text(encoding="utf-8")
            assert f"Example Devices Inc. Conflict Minerals Report {year}" in html, page
            others = [y for y in (2024, 2025, 2026, 2027) if y != year]
            assert not any(f"Conflict Minerals Report {y}" in html for y in others), page
    archived_home = (site / "2025/index.html").read_text(encoding="utf-8")
    assert "<title>Overview - Example Devices Inc. Conflict Minerals Report 2025</title>" in archived_home
    assert "<h1 id=\"example-devices-inc-conflict-minerals-report-2025\">" in archived_home
    archived_page = (site / "2025/smelters.html").read_text(encoding="utf-8")
    assert ('<a href="index.html" title="Example Devices Inc. Conflict Minerals Report 2025" '
            'class="md-header__button md-logo"') in archived_page  # the header leads to the 2025 overview
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "<title>Example Devices Inc. Conflict Minerals Report 2027</title>" in home
    assert '<a href="index.html" title="Example Devices Inc. Conflict Minerals Report 2027" class="md-header__button' \
        in home


def test_new_year_refuses_and_changes_nothing(tmp_path):
    root = supply_chain_project(tmp_path)
    (root / "data/archive/2024").mkdir(parents=True)

    def refused(year: str) -> list[str]:
        before = tree(root / "data")
        result = run_cli("new-year", year, cwd=root)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert tree(root / "data") == before
        assert not (root / "data/archive/2024").is_dir() or not any((root / "data/archive/2024").iterdir())
        return result.stderr.splitlines()

    assert refused("2025") == [
        "data/archive/2024: error: the 2024 report is archived here already, so data/ cannot be archived into it; "
        "if data/ holds the 2024 report, compare the two and remove one, or correct period.end in data/report.yml "
        "[newyear.archived]", "1 error(s), 0 warning(s)."]
    (root / "data/archive/2024").rmdir()
    assert refused("2024") == [
        "data/report.yml, key 'period.end': error: the new year (2024) must be later than the current report's "
        "(2024) and at most 9999 [newyear.year]", "1 error(s), 0 warning(s)."]
    assert refused("100000")[0].startswith("data/report.yml, key 'period.end': error: the new year (100000) ")
    shutil.move(root / "data/suppliers.csv", root / "suppliers.csv")
    settings = root / "data/supply-chain.yml"
    settings.write_text(settings.read_text().replace("roster: suppliers.csv", "roster: ../suppliers.csv"))
    assert refused("2025") == [
        "data/supply-chain.yml, line 1, key 'roster': error: '../suppliers.csv' is not a file in data/ (paths here "
        "are relative to data/, outside archive/); new-year archives only what is in data/: move it into data/ and "
        "name it from there [newyear.outside]", "1 error(s), 0 warning(s)."]
    settings.write_text(settings.read_text().replace("roster: ../suppliers.csv", "roster: missing.csv"))
    assert [line for line in refused("2025") if "data/missing.csv" in line] != []  # invalid data is not archived


def test_new_year_then_build_from_a_fresh_clone(tmp_path):
    project = supply_chain_project(tmp_path / "project")
    git = lambda *args, cwd=project: subprocess.run(  # noqa: E731
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True,
        capture_output=True, text=True, timeout=120)
    git("init", "-q", "-b", "main")
    build(project)
    git("add", "-A")
    git("commit", "-q", "-m", "2024")
    result = run_cli("new-year", "2025", cwd=project)
    assert result.returncode == 0, result.stderr
    build(project)
    git("add", "-A")
    git("commit", "-q", "-m", "Start 2025")
    clone = tmp_path / "clone"
    git("clone", "-q", str(project), str(clone), cwd=tmp_path)
    assert (clone / "data/cmrt/.gitkeep").is_file()
    assert run_cli("check", cwd=clone).returncode == 0
    built = run_cli("build", cwd=clone)
    assert built.returncode == 0, built.stderr
    assert built.stdout.splitlines() == ["docs/: 17 generated files, 0 changed", "site: built into site"]
    assert (clone / "site/2024/smelters.html").is_file() and (clone / "review/2024/report.md").is_file()


def test_shift_period_keeps_everything_but_the_two_dates():
    text = ("# The report\ntitle: Report  # of 2024\nperiod: {start: '2024-02-29', end: 2024-12-31}\n"
            "smelter_list:\n  designation_as_of: 2024-12-31\n")
    assert shift_period(text, 1) == ("# The report\ntitle: Report  # of 2024\nperiod: {start: '2025-02-28', "
                                     "end: 2025-12-31}\nsmelter_list:\n  designation_as_of: 2024-12-31\n")
    assert shift_period(text, 4).count("2028-02-29") == 1


def test_review_records_live_in_their_years_folder_and_the_old_single_report_goes(tmp_path):
    root = supply_chain_project(tmp_path)
    (root / "review").mkdir()
    (root / "review/report.md").write_text("the review report of before review/<YEAR>/\n", encoding="utf-8")
    stale = run_cli("check", cwd=root)
    assert stale.returncode == 1
    assert stale.stderr.splitlines()[-1].endswith(", review/2024/report.md, review/2024/rows.csv, review/report.md")
    built = build(root)
    assert built.stdout.rstrip().endswith(", review/2024/report.md, review/2024/rows.csv, review/report.md")
    assert sorted(tree(root / "review")) == ["2024/report.md", "2024/rows.csv"]
    assert run_cli("check", cwd=root).returncode == 0


def test_a_list_kept_in_the_workbook_folder_is_named_after_new_year(tmp_path):
    root = supply_chain_project(tmp_path)
    rows = [line.split(",") for line in REFERENCE.splitlines()]
    write_smelters(root / "data/cmrt/reference.xlsx", rows[1:], header=rows[0], sheet="Reference")
    settings = root / "data/supply-chain.yml"
    settings.write_text(settings.read_text().replace("file: lists/reference.csv", "file: cmrt/reference.xlsx\n"
                                                     "    sheet: Reference"))
    assert build(root).returncode == 0
    result = run_cli("new-year", "2025", cwd=root)
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stdout.splitlines() if "workbook folder" in line] == [
        "  - data/supply-chain.yml, line 5, key 'reference_lists[0].file': 'cmrt/reference.xlsx' is in the "
        "workbook folder, so the copy made for 2025 is read as one of 2025's supplier answers; move it out of "
        "cmrt/ and name it from there"]
    assert sorted(tree(root / "data/cmrt")) == [".gitkeep", "reference.xlsx"]
    # a CSV list there is no workbook, so it is not read as an answer, and nothing is said
    root = supply_chain_project(tmp_path / "csv")
    shutil.copy(root / "data/lists/reference.csv", root / "data/cmrt/reference.csv")
    settings = root / "data/supply-chain.yml"
    settings.write_text(settings.read_text().replace("file: lists/reference.csv", "file: cmrt/reference.csv"))
    result = run_cli("new-year", "2025", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "workbook folder" not in result.stdout
