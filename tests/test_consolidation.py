"""From supplier CMRTs to the published list: matching, consolidation, survey figures, review report."""
from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from generator import pipeline
from generator.commands import review
from generator.problems import UserError
from generator.publish.escape import csv_cell
from generator.publish.render import render_pages
from generator.supply.matching import name_key
from tests import cmrt_fixtures as fx
from tests.project import content, make_project
from tests.supply_project import CORPUS, supply_chain_project


def test_rows_are_matched_merged_and_reconciled(tmp_path):
    model, problems = pipeline.load_model(supply_chain_project(tmp_path))
    c = model.consolidation
    outcomes = {(Path(o.file).name, o.row): (o.outcome, o.reason, o.facility_id) for o in c.outcomes}
    assert outcomes == {
        ("acme.xlsx", 5): ("published", "name", "CID000077"),
        ("acme.xlsx", 6): ("published", "id", "CID000082"),
        ("acme.xlsx", 7): ("published", "alias", "CID001482"),
        ("acme.xlsx", 9): ("unmatched", "not-listed", ""),
        ("acme.xlsx", 10): ("held", "id-metal", ""),
        ("acme.xlsx", 11): ("rejected", "metal-only", ""),
        ("beta.xlsx", 5): ("duplicate", "legacy-id", "CID000077"),
        ("beta.xlsx", 6): ("published", "legacy-id", "CID000004"),
        ("beta.xlsx", 7): ("unmatched", "placeholder", ""),
        ("stranger.xlsx", 5): ("held", "id-name", ""),
    }
    flags = {(Path(o.file).name, o.row): o.flags for o in c.outcomes if o.flags}
    assert flags == {
        ("acme.xlsx", 10): ("the ID CID002557 is a Tantalum facility, but the row says Gold",),
        ("stranger.xlsx", 5): ("the ID CID000077 names 'Argor-Heraeus SA', but the name 'Asahi Pretec Corp.' "
                               "is 'Asahi Pretec Corporation' (CID000082)",),
    }
    # the held rows count toward nothing: no Tantalum facility, and Stranger Metals reported none
    assert [(f.metal, f.smelter_id, f.conformant, f.reporters) for f in c.facilities] == [
        ("Gold", "CID000077", True, ("Acme Components Ltd.", "Beta Parts GmbH")),
        ("Gold", "CID000082", False, ("Acme Components Ltd.",)),
        ("Tin", "CID001482", False, ("Acme Components Ltd.",)),
        ("Tungsten", "CID000004", False, ("Beta Parts GmbH",)),
    ]
    assert [(u.metal, u.name) for u in c.unlisted] == [("Tungsten", "Unknown Wolfram Works")]
    assert c.rows_read == 10 == sum(c.count(k) for k in ("published", "duplicate", "rejected", "unmatched", "held"))
    held = [str(p) for p in problems.sorted() if p.code == "supply.held"]
    assert held == [
        "data/cmrt/acme.xlsx, sheet 'Smelter List', cell B10: warning: held for review, counted toward no "
        "facility: the ID CID002557 is a Tantalum facility, but the row says Gold; to resolve it, map this name "
        "to the right smelter ID in the alias file [supply.held]",
        "data/cmrt/stranger.xlsx, sheet 'Smelter List', cell B5: warning: held for review, counted toward no "
        "facility: the ID CID000077 names 'Argor-Heraeus SA', but the name 'Asahi Pretec Corp.' is 'Asahi Pretec "
        "Corporation' (CID000082); to resolve it, map this name to the right smelter ID in the alias file "
        "[supply.held]"]


def test_survey_figures_come_from_the_roster(tmp_path):
    model, _ = pipeline.load_model(supply_chain_project(tmp_path))
    survey = model.consolidation.survey
    assert (survey.surveyed, survey.responded, survey.response_rate_percent, survey.unmatched_workbooks) == \
        (3, 2, 67, 1)
    assert model.figures["survey.suppliers"] == "3"
    assert model.figures["survey.response_rate"] == "67%"
    assert survey.scopes == {"Company": 3}
    pages = render_pages(model)
    assert "2 of 3 answered \\(67%\\)" not in pages["index.md"]  # authored Markdown is not escaped
    assert "2 of 3 answered (67%)." in pages["index.md"]


def test_published_list_marks_conformance_and_hides_supplier_names(tmp_path):
    model, _ = pipeline.load_model(supply_chain_project(tmp_path))
    pages = render_pages(model)
    smelters = pages["smelters.md"]
    assert "| Argor-Heraeus SA | Conflict-free | SWITZERLAND | CID000077 | Gold |" in smelters
    assert "| Asahi Pretec Corporation | Not designated | JAPAN | CID000082 | Gold |" in smelters
    assert "| Conformant smelter list (conformance) | June 30, 2014 | data/lists/conformant.csv |" in smelters
    assert "Our suppliers also named 1 facilities that are not on the reference list" in smelters
    assert "Unknown Wolfram Works" not in "".join(pages.values())
    assert "Acme Components" not in "".join(pages.values())
    rows = list(csv.DictReader(io.StringIO(pages["downloads/smelters.csv"])))
    assert len(rows) == 5 + 4  # the curated list of the fixture project plus four from suppliers
    report = review.render_review(model)[review.report_path(2024)]
    assert "The rows reconcile: 10 = 4 + 1 + 1 + 2 + 2." in report
    assert "| 9 | unmatched | Tungsten | Unknown Wolfram Works |  | not-listed: not on the reference list by ID, " \
        "alias or name |  |" in report
    assert "| data/cmrt/acme.xlsx | 10 | Gold | Global Advanced Metals | CID002557 | id-metal | the ID CID002557 " \
        "is a Tantalum facility, but the row says Gold |" in report
    assert "| Roster entry | none: this workbook matches no supplier on the roster |" in report
    assert "- Gamma Silent Inc." in report


def test_an_emrt_is_named_and_never_counted_as_a_cmrt_response(tmp_path):
    root = supply_chain_project(tmp_path)
    # Gamma, on the roster, sent its EMRT (cobalt, mica) instead of a CMRT.
    emrt = fx.CMRT(revision="Revision 2.1\nOctober 17, 2025", fields={"company_name": "Gamma Silent Inc."},
                   cells={("Declaration", "D2"): "扩展矿物报告模版 (EMRT)"})
    fx.write(emrt, root / "data/cmrt/gamma.xlsx")
    model, problems = pipeline.load_model(root)
    c = model.consolidation
    gamma = next(r for r in c.responses if Path(r.file).name == "gamma.xlsx")
    assert (gamma.template, gamma.version, gamma.company, gamma.counts, gamma.complete) == (
        "EMRT", "2.1", "Gamma Silent Inc.", False, False)
    assert (c.survey.surveyed, c.survey.responded, c.survey.complete, c.survey.unmatched_workbooks) == (3, 2, 2, 1)
    assert c.survey.scopes == {"Company": 3}
    # read as the EMRT it is (its own problems are the EMRT reader's), and named here as no CMRT answer
    assert [p.message for p in problems.items if p.file.endswith("gamma.xlsx") and p.code == "supply.not-a-cmrt-answer"
            ] == ["is an EMRT 2.1, not a CMRT: it answers no question of the 3TG survey, so neither it nor its 0 "
                  "smelter row(s) count here; put it in the folder of EMRT and CRT answers (minerals: workbooks: in "
                  "data/supply-chain.yml)"]
    report = review.render_review(model)[review.report_path(2024)]
    assert ("| Template | EMRT 2.1: not a CMRT, so not counted as a response to the 3TG survey |") in report
    assert "- Gamma Silent Inc." in report  # still a supplier without a response to the 3TG survey


def test_unlisted_facilities_can_be_published(tmp_path):
    model, _ = pipeline.load_model(supply_chain_project(tmp_path, unlisted="publish"))
    assert "| Unknown Wolfram Works | Not designated | CHINA |  | Tungsten |" in render_pages(model)["smelters.md"]


def test_survey_figures_are_not_typed_twice(tmp_path):
    supply_chain_project(tmp_path)
    report = content()["report.yml"]
    (tmp_path / "data/report.yml").write_text(
        (tmp_path / "data/report.yml").read_text().replace("survey:\n", "survey:\n  suppliers:\n    value: 3\n"))
    line = (tmp_path / "data/report.yml").read_text().splitlines().index("  suppliers:") + 1
    with pytest.raises(UserError) as caught:
        pipeline.load_model(tmp_path)
    assert [str(p) for p in caught.value.problems.errors] == [
        f"data/report.yml, line {line}, key 'survey.suppliers': error: this figure is computed from the "
        "supplier roster and workbooks (data/supply-chain.yml); remove it here [content.survey-twice]"]
    assert report["survey"]["suppliers"]["value"] == 40


def test_name_key_folds_case_accents_punctuation_and_suffixes():
    assert name_key("Cendres & Métaux SA") == name_key("CENDRES AND METAUX S.A.")
    assert name_key("Asaka Riken Co., Ltd.") == name_key("asaka riken co ltd") == "asaka riken"
    assert name_key("PT Timah (Persero) Tbk") == "timah"


def test_build_writes_the_review_report_and_check_guards_it(tmp_path):
    root = supply_chain_project(tmp_path)
    run = lambda *a: subprocess.run([sys.executable, "-m", "generator", *a], cwd=root,  # noqa: E731
                                    capture_output=True, text=True, timeout=120)
    build = run("build", "--no-site")
    assert build.returncode == 0, build.stderr
    assert "review/2024/report.md" in build.stdout
    assert run("check").returncode == 0
    strict = run("check", "--strict")
    assert strict.returncode == 1
    assert "warning" in strict.stderr and "Traceback" not in strict.stderr
    (root / "review/2024/report.md").write_text("edited")
    stale = run("check")
    assert stale.returncode == 1 and stale.stderr.strip().endswith("Stale: review/2024/report.md")


DECLARATIONS = ["broadcom-cmrt-2.03a.xls", "connorwinfield-cmrt-2.02.xls", "ddm-gsp-cmrt-3.01.xlsx",
                "cmrtbackend-abc-cmrt-6.22.xlsx", "ddm-gsp-cmrt-2.00.xls"]
DECLARATIONS_6X = ["wwww13wwww-centralglass-cmrt-6.4.xlsx", "wwww13wwww-honeywell-cmrt-6.4.xlsx",
                   "wwww13wwww-jxadvancedmetals-cmrt-6.4.xlsx"]


@pytest.fixture
def corpus() -> Path:
    if not CORPUS or not Path(CORPUS).is_dir():
        pytest.skip("CMR_CORPUS is not set to the folder of real supplier workbooks (../shared/corpus)")
    return Path(CORPUS)


def test_real_declarations_and_lists_build_a_site_that_reconciles(corpus, tmp_path):
    report = content()["report.yml"]
    del report["survey"]["suppliers"], report["survey"]["response_rate_percent"], report["smelter_list"]
    root = make_project(tmp_path, **{"report.yml": report})
    data = root / "data"
    for name in DECLARATIONS + DECLARATIONS_6X:
        (data / "cmrt").mkdir(exist_ok=True)
        shutil.copy(corpus / name, data / "cmrt" / name)
    (data / "lists").mkdir()
    for name in ("ddm-cfsi-smelter-references-2014.csv", "ddm-cfsi-compliant-smelters-2014.csv",
                 "ddm-gsp-cmrt-3.01.xlsx", "rmi-blank-cmrt-6.5.xlsx"):
        shutil.copy(corpus / name, data / "lists" / name)
    (data / "suppliers.csv").write_text("name\nBroadcom Corporation\nConnor Winfield Corporation\n"
                                        "Green Status Pro\nABC\nSilent Supplier Ltd\nCentral Glass Co Ltd\n"
                                        "Honeywell International\nJX Advanced Metals Corporation\n", encoding="utf-8")
    (data / "supply-chain.yml").write_text("""roster: suppliers.csv
reference_lists:
  - file: lists/ddm-cfsi-smelter-references-2014.csv
    title: CFSI smelter reference list
    as_of: 2014-06-01
  - file: lists/ddm-gsp-cmrt-3.01.xlsx
    title: CMRT 3.01 Standard Smelter Names
    as_of: 2014-05-30
  - file: lists/rmi-blank-cmrt-6.5.xlsx
    title: CMRT 6.5 Smelter Look-up
    as_of: 2025-04-25
conformance:
  file: lists/ddm-cfsi-compliant-smelters-2014.csv
  title: CFSI compliant smelter list
  as_of: 2014-06-01
""", encoding="utf-8")
    model, problems = pipeline.load_model(root)
    c = model.consolidation
    assert [len(d.smelters) for d in c.declarations] == [276, 0, 28, 6, 4, 4, 40, 27]
    counts = {k: c.count(k) for k in ("published", "duplicate", "rejected", "unmatched", "held")}
    assert c.rows_read == sum(counts.values()) == 385
    assert counts["published"] == len(c.facilities) > 100
    assert sum(f.conformant for f in c.facilities) > 50
    assert (c.survey.surveyed, c.survey.responded, c.survey.unmatched_workbooks) == (8, 7, 0)
    assert model.figures["survey.response_rate"] == "88%"
    pipeline.write_pages(render_pages(model), root / "docs")
    pipeline.write_review(root, review.render_review(model))
    pipeline.build_site(root, root / "site")
    html = (root / "site/smelters.html").read_text(encoding="utf-8")
    assert "CID000077" in html and "Conflict-free" in html
    assert "Broadcom" not in html
    text = (root / "review/2024/report.md").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO((root / "review/2024/rows.csv").read_text(encoding="utf-8"))))
    _reconcile_row_by_row(c, rows, text)
    # the real red flags: Broadcom's tin rows with gold refiners' IDs, a tungsten row with a tantalum ID,
    # and tin rows whose ID names another smelter than their name; none of them counts
    held = [(Path(r["file"]).name, int(r["row"]), r["metal"], r["smelter_id"], r["reason"]) for r in rows
            if r["outcome"] == "held"]
    assert held == [("broadcom-cmrt-2.03a.xls", 129, "Tin", "1JPN039", "id-metal"),
                    ("broadcom-cmrt-2.03a.xls", 148, "Tin", "2IDN040", "id-name"),
                    ("broadcom-cmrt-2.03a.xls", 155, "Tin", "1DEU018", "id-metal"),
                    ("broadcom-cmrt-2.03a.xls", 166, "Tin", "2IDN040", "id-name"),
                    ("broadcom-cmrt-2.03a.xls", 215, "Tin", "1RUS016", "id-metal"),
                    ("broadcom-cmrt-2.03a.xls", 251, "Tungsten", "3AUT011", "id-metal")]
    assert "| data/cmrt/broadcom-cmrt-2.03a.xls | 129 | Tin | Mitsubishi Materials Corporation | 1JPN039 | id-metal " \
           "| the ID 1JPN039 is a Gold facility, but the row says Tin; the Tin facility of that name is 'Mitsubishi " \
           "Materials Corporation' (CID001191) |" in text
    # the real compliant list of 2014 names CID000875 twice, with two names and two statuses
    assert [p.code for p in problems.sorted() if p.code.startswith("reference.")] == [
        "reference.id-names", "reference.name-ids", "reference.status-conflict", "reference.status-conflict",
        "reference.status-conflict"]
    # the example site is unchanged by all of this
    assert pipeline.stale_pages(pipeline.generate(Path(__file__).resolve().parent.parent)[0],
                                Path(__file__).resolve().parent.parent / "docs") == []


def _reconcile_row_by_row(c, rows: list[dict], report: str) -> None:
    """review/<YEAR>/rows.csv has each row read exactly once, as read, and agrees with the facilities and the report."""
    read = {(d.file, r.row): (r.metal, r.smelter_id, r.reported_name, r.country)
            for d in c.declarations for r in d.smelters}
    rejected = {(d.file, r.row) for d in c.declarations for r in d.rejected}
    trail = {(r["file"], int(r["row"])): r for r in rows}
    assert len(trail) == len(rows) == len(read) + len(rejected)
    assert set(trail) == set(read) | rejected
    for key, (metal, smelter_id, name, country) in read.items():
        row = trail[key]
        assert (row["metal"], row["smelter_id"], row["smelter_name"], row["country"]) == \
            (csv_cell(metal), csv_cell(smelter_id), csv_cell(name), csv_cell(country)), key
    assert all(trail[key]["outcome"] == "rejected" for key in rejected)
    ids = {f.smelter_id for f in c.facilities}
    published = [r["facility_id"] for r in rows if r["outcome"] == "published"]
    assert sorted(published) == sorted(ids)  # each facility published once, by its first row
    assert all(r["facility_id"] in ids for r in rows if r["outcome"] == "duplicate")
    assert all(r["facility_id"] == "" for r in rows if r["outcome"] in ("rejected", "unmatched", "held"))
    assert all(r["reason"] for r in rows)
    counts = Counter(r["outcome"] for r in rows)
    assert f"The rows reconcile: {len(rows)} = {counts['published']} + {counts['duplicate']} + " \
           f"{counts['rejected']} + {counts['unmatched']} + {counts['held']}." in report
    for label, outcome in (("Published (first report of a facility)", "published"),
                           ("Merged duplicates (a facility reported again)", "duplicate"),
                           ("Rejected by the reader", "rejected"), ("Unmatched, for review", "unmatched"),
                           ("Held for review on a red flag (counted toward nothing)", "held")):
        assert f"| {label} | {counts[outcome]} |" in report
    assert sorted(rows, key=lambda r: (r["file"], int(r["row"]))) == rows


def test_facility_locations_roll_up_by_country(tmp_path):
    model, _ = pipeline.load_model(supply_chain_project(tmp_path))
    assert model.locations == {"JAPAN": 2, "INDONESIA": 1, "SWITZERLAND": 1}
    countries = render_pages(model)["countries.md"]
    assert "| JAPAN | 2 |\n| INDONESIA | 1 |\n| SWITZERLAND | 1 |" in countries
    assert countries.index("- Chile") < countries.index("## Where the facilities are")


def test_supplier_names_are_published_only_when_the_setting_says_so(tmp_path):
    root = supply_chain_project(tmp_path)
    settings = root / "data/supply-chain.yml"
    settings.write_text(settings.read_text() + "publish_supplier_names: true\n")
    model, _ = pipeline.load_model(root)
    smelters = render_pages(model)["smelters.md"]
    assert ("| Argor-Heraeus SA | Conflict-free | SWITZERLAND | CID000077 | Gold | "
            "Acme Components Ltd., Beta Parts GmbH |") in smelters
    assert "| Beta Gold SA | Not designated |  |  | Gold |  |" in smelters  # the curated list names no supplier


def test_the_preview_regenerates_the_review_report_too(tmp_path):
    from generator.publish.mkdocs_plugin import regenerate
    root = supply_chain_project(tmp_path)
    assert regenerate(root) == []
    assert (root / review.report_path(2024)).exists()
    (root / "data/cmrt/stranger.xlsx").unlink()
    assert regenerate(root) == []
    models, pages, _ = pipeline.check(root)
    assert pipeline.stale_outputs(root, models, pages) == []
    assert "stranger.xlsx" not in (root / review.report_path(2024)).read_text(encoding="utf-8")


def test_locations_count_one_country_under_its_several_spellings():
    from generator.model import Facility
    from generator.publish.report import MetalGroup, Model
    facilities = [Facility("Gold", "A", "Conflict-free", country="UNITED STATES OF AMERICA"),
                  Facility("Gold", "B", "Conflict-free", country="USA"),
                  Facility("Tin", "C", "Not designated", country="Korea, Republic of")]
    groups = [MetalGroup("Gold", facilities[:2]), MetalGroup("Tin", facilities[2:])]
    model = Model(content=None, groups=groups, figures={})
    assert model.locations == {"UNITED STATES OF AMERICA": 2, "Korea, Republic of": 1}


def test_diff_reads_supplier_workbooks_through_the_projects_cache(tmp_path):
    root = supply_chain_project(tmp_path / "project")
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "T",
           "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"}
    for args in (["init", "-q"], ["add", "data", "mkdocs.yml"], ["commit", "-q", "-m", "year"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run([sys.executable, "-m", "generator", "diff", "HEAD", "--root", str(root)],
                            cwd=elsewhere, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Comparing HEAD with the working tree\nNo changes to the report.\n"
    assert len(list((root / ".cache/cmrt").glob("*.pickle"))) == 3  # the revision's and the tree's: same files
    assert not (elsewhere / ".cache").exists()


def test_a_roster_workbook_is_read_across_its_columns(tmp_path):
    import openpyxl

    from generator.problems import Problems
    from generator.supply.roster import read_roster
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([f"Note {i}" for i in range(11)] + ["Supplier name", "Supplier ID"])
    sheet.append([""] * 11 + ["Acme Components Ltd.", "S-1"])
    book.save(tmp_path / "roster.xlsx")
    problems = Problems()
    roster = read_roster(tmp_path / "roster.xlsx", problems, "roster.xlsx")
    assert [(r.name, r.supplier_id, r.row) for r in roster] == [("Acme Components Ltd.", "S-1", 2)]
    assert problems.items == []
