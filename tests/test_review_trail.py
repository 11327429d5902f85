"""Consolidation a reviewer can sign: red flags hold, list conflicts are problems, a row-level trail.

Each test is one of the traps a new user fell into (issue 14), built in code on the fixture
project of test_consolidation: three suppliers, a CFSI-style reference list, a conformance list
and an alias file.
"""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path

import pytest

from generator import pipeline
from generator.commands import review
from generator.problems import Problems, UserError
from generator.publish.render import render_pages
from generator.supply.matching import Matcher, name_key
from generator.supply.reference import read_list
from tests import cmrt_fixtures as fx
from tests.cli import run_cli
from tests.supply_project import supply_chain_project

ROW_COLUMNS = "file,sheet,row,metal,smelter_id,smelter_name,country,outcome,reason,facility_id"


def project(tmp_path: Path, smelters: dict | None = None, reference: str | None = None,
            conformant: str | None = None, aliases: str | None = None) -> Path:
    """The fixture project, with Acme's smelter rows, the lists or the alias file replaced."""
    root = supply_chain_project(tmp_path)
    data = root / "data"
    if smelters is not None:
        acme = fx.full_declaration("6.5")
        acme.smelters = smelters
        fx.write(acme, data / "cmrt/acme.xlsx")
    if reference is not None:
        (data / "lists/reference.csv").write_text(reference, encoding="utf-8")
    if conformant is not None:
        (data / "lists/conformant.csv").write_text(conformant, encoding="utf-8")
    if aliases is not None:
        (data / "aliases.csv").write_text(aliases, encoding="utf-8")
    return root


def outcome_of(model, file: str, row: int):
    return next(o for o in model.consolidation.outcomes if Path(o.file).name == file and o.row == row)


def warnings(problems: Problems, code: str) -> list[str]:
    return [str(p) for p in problems.sorted() if p.code == code]


# --- red flags hold, they do not count ---------------------------------------------------

GOLD_ID_ON_TIN = {5: {"metal": "Tin", "smelter_name": "Timah Smelter", "smelter_id": "CID000077"}}


def test_a_tin_row_with_a_gold_refiners_id_is_held_not_counted(tmp_path):
    model, problems = pipeline.load_model(project(tmp_path, smelters=GOLD_ID_ON_TIN))
    held = outcome_of(model, "acme.xlsx", 5)
    assert (held.outcome, held.reason, held.facility_id) == ("held", "id-metal", "")
    assert held.detail == "the ID CID000077 is a Gold facility, but the row says Tin"
    # Argor-Heraeus (CID000077) is still reported by Beta only, never by Acme's tin row
    argor = next(f for f in model.consolidation.facilities if f.smelter_id == "CID000077")
    assert argor.reporters == ("Beta Parts GmbH",)
    assert warnings(problems, "supply.held") == [
        "data/cmrt/acme.xlsx, sheet 'Smelter List', cell B5: warning: held for review, counted toward no "
        "facility: the ID CID000077 is a Gold facility, but the row says Tin; to resolve it, map this name to "
        "the right smelter ID in the alias file [supply.held]",
        "data/cmrt/stranger.xlsx, sheet 'Smelter List', cell B5: warning: held for review, counted toward no "
        "facility: the ID CID000077 names 'Argor-Heraeus SA', but the name 'Asahi Pretec Corp.' is 'Asahi "
        "Pretec Corporation' (CID000082); to resolve it, map this name to the right smelter ID in the alias "
        "file [supply.held]"]
    report = review.render_review(model)[review.report_path(2024)]
    assert "| data/cmrt/acme.xlsx | 5 | Tin | Timah Smelter | CID000077 | id-metal | the ID CID000077 is a " \
           "Gold facility, but the row says Tin |" in report


def test_the_alias_file_resolves_a_held_row(tmp_path):
    aliases = "metal,name,smelter_id\nTin,Timah Smelter,CID001482\nGold,Asahi Pretec Corp.,CID000082\n"
    model, problems = pipeline.load_model(project(tmp_path, smelters=GOLD_ID_ON_TIN, aliases=aliases))
    resolved = outcome_of(model, "acme.xlsx", 5)
    assert (resolved.outcome, resolved.reason, resolved.facility_id) == ("published", "alias", "CID001482")
    stranger = outcome_of(model, "stranger.xlsx", 5)
    assert (stranger.outcome, stranger.reason, stranger.facility_id) == ("published", "alias", "CID000082")
    assert model.consolidation.count("held") == 0
    assert warnings(problems, "supply.held") == []


def test_an_alias_that_confirms_the_id_keeps_how_it_matched(tmp_path):
    aliases = "metal,name,smelter_id\nGold,Asahi,CID000082\n"
    model, _ = pipeline.load_model(project(tmp_path, aliases=aliases))
    assert outcome_of(model, "acme.xlsx", 6).reason == "id"


# --- conflicts in the lists ---------------------------------------------------------------

def test_two_alias_rows_that_disagree_are_an_error_naming_both_lines(tmp_path):
    aliases = ("metal,name,smelter_id\nTin,Timah Mentok Smelter,CID001482\nGold,Asahi,CID000082\n"
               "Tin,TIMAH MENTOK SMELTER,CID000004\n")
    with pytest.raises(UserError) as caught:
        pipeline.load_model(project(tmp_path, aliases=aliases))
    assert [str(p) for p in caught.value.problems.errors] == [
        "data/aliases.csv, line 4: error: Tin 'Timah Mentok Smelter' is mapped to CID000004 and CID001482: "
        "line 2 ('Timah Mentok Smelter' -> CID001482), line 4 ('TIMAH MENTOK SMELTER' -> CID000004); keep the "
        "one row that is right [supply.alias-conflict]"]


def test_neither_of_two_disagreeing_alias_rows_is_used(tmp_path):
    from generator.supply.roster import read_aliases
    path = tmp_path / "aliases.csv"
    path.write_text("metal,name,smelter_id\nTin,Mentok,CID001482\nTin,Mentok,CID000004\nGold,Asahi,CID82\n",
                    encoding="utf-8")
    problems = Problems()
    aliases = read_aliases(path, problems, "aliases.csv")
    assert [(a.metal, a.name, a.smelter_id, a.line) for a in aliases] == [("Gold", "Asahi", "CID000082", 4)]
    assert [p.code for p in problems.items] == ["supply.alias-conflict"]


REFERENCE_ID_TWO_METALS = """METAL,COUNTRY,STANDARD SMELTER NAME,KEY TERM 1,V2 Smelter ID,V3 Smelter ID
Gold,JAPAN,Asahi Pretec Corporation,Asahi,1JPN002,CID000082
Gold,SWITZERLAND,Argor-Heraeus SA,Argor,1CHE003,CID000077
Tin,INDONESIA,PT Timah (Persero) Tbk,Timah,2IDN040,CID001482
Tin,SWITZERLAND,Argor Tin Works,,,CID000077
Tungsten,JAPAN,A.L.M.T. Corp.,ALMT,4JPN001,CID000004
"""


def test_an_id_under_two_metals_is_a_problem_and_holds_its_rows(tmp_path):
    model, problems = pipeline.load_model(project(tmp_path, reference=REFERENCE_ID_TWO_METALS))
    assert warnings(problems, "reference.id-metals") == [
        "data/lists/reference.csv: warning: CID000077 is listed under 2 metals: Gold (row 3) and Tin (row 5); "
        "its supplier rows are held for review [reference.id-metals]"]
    rows = {(Path(o.file).name, o.row): (o.outcome, o.reason) for o in model.consolidation.outcomes
            if o.smelter_id in ("CID000077", "1CHE003")}
    assert rows == {("beta.xlsx", 5): ("held", "list-conflict"), ("stranger.xlsx", 5): ("held", "id-name")}
    assert outcome_of(model, "acme.xlsx", 5).reason == "list-conflict"  # by name, to the ID in doubt
    report = review.render_review(model)[review.report_path(2024)]
    assert "- data/lists/reference.csv (reference.id-metals): CID000077 is listed under 2 metals" in report


def test_an_id_under_two_metals_in_two_lists_is_a_problem_naming_both(tmp_path):
    root = project(tmp_path)
    (root / "data/lists/other.csv").write_text("METAL,SMELTER ID,STANDARD SMELTER NAME\n"
                                               "Tin,CID000082,Asahi Tin\n", encoding="utf-8")
    settings = root / "data/supply-chain.yml"
    settings.write_text(settings.read_text().replace(
        "conformance:", "  - file: lists/other.csv\n    title: Other list\n    as_of: 2014-06-01\nconformance:"))
    model, problems = pipeline.load_model(root)
    assert warnings(problems, "reference.id-metals") == [
        "data/lists/other.csv: warning: CID000082 is a Tin facility here (row 2) but a Gold one in "
        "data/lists/reference.csv (row 2); its supplier rows are held for review [reference.id-metals]"]
    assert (outcome_of(model, "acme.xlsx", 6).outcome, outcome_of(model, "acme.xlsx", 6).reason) == \
        ("held", "list-conflict")


def test_an_id_under_two_names_a_name_under_two_ids_and_an_old_id_reused_are_problems(tmp_path):
    reference = """METAL,COUNTRY,STANDARD SMELTER NAME,V2 Smelter ID,V3 Smelter ID
Gold,JAPAN,Asahi Pretec Corporation,1JPN002,CID000082
Gold,JAPAN,Asahi Pretec Corp.,,CID000082
Gold,JAPAN,Matsuda Sangyo Co. Ltd.,,CID001119
Gold,UNITED STATES,Johnson Matthey Inc,,CID000920
Gold,CANADA,Johnson Matthey Ltd,,CID000924
Gold,JAPAN,Ishifuku Metal Industry,,CID000807
Gold,JAPAN,"Ishifuku Metal Industry Co., Ltd.",,CID000808
Gold,SWITZERLAND,Argor-Heraeus SA,CID001119,CID000077
Gold,SWITZERLAND,Argor-Heraeus Twin,,CID000078
Gold,SWITZERLAND,Asahi Gold,,CID000078
"""
    model, problems = pipeline.load_model(project(tmp_path, reference=reference))
    found = [str(p) for p in problems.sorted() if p.code.startswith("reference.")]
    assert found == [
        "data/lists/reference.csv: warning: CID000078 is listed under 2 names: 'Argor-Heraeus Twin' (row 10) "
        "and 'Asahi Gold' (row 11); its supplier rows are held for review [reference.id-names]",
        "data/lists/reference.csv: warning: CID001119 is the smelter ID of 'Matsuda Sangyo Co. Ltd.' (row 4) and "
        "an old ID of CID000077 'Argor-Heraeus SA' (row 9); its supplier rows are held for review "
        "[reference.legacy-id]",
        "data/lists/reference.csv: warning: Gold 'Ishifuku Metal Industry' is listed under 2 smelter IDs in one "
        "country: 'CID000807' (row 7) and 'CID000808' (row 8); rows naming it need its ID or the alias file "
        "[reference.name-ids]"]
    # 'Asahi Pretec Corp.' is the same name folded: no conflict; Johnson Matthey is in two countries: none
    assert outcome_of(model, "acme.xlsx", 6).outcome == "published"


def test_a_smelter_with_two_statuses_takes_the_stricter_and_is_a_problem(tmp_path):
    conformant = """Metal,New Smelter ID,Smelter Name,Location,Status 
Gold,CID000077,Argor-Heraeus SA,Switzerland,Compliant
Tantalum,CID002557,Global Advanced Metals Boyertown,United States,Compliant
Gold,CID000077,Argor-Heraeus SA,Switzerland,Suspended
"""
    model, problems = pipeline.load_model(project(tmp_path, conformant=conformant))
    assert warnings(problems, "reference.status-conflict") == [
        "data/lists/conformant.csv: warning: CID000077 is listed with 2 statuses: 'Compliant' (row 2) and "
        "'Suspended' (row 4); the stricter one holds [reference.status-conflict]"]
    argor = next(f for f in model.consolidation.facilities if f.smelter_id == "CID000077")
    assert argor.conformant is False
    smelters = render_pages(model)["smelters.md"]
    assert "| Argor-Heraeus SA | Non-conformant | SWITZERLAND | CID000077 | Gold |" in smelters  # Suspended


def test_a_conformance_list_that_contradicts_itself_counts_nothing_conformant_for_that_id(tmp_path):
    conformant = """Metal,New Smelter ID,Smelter Name,Location,Status 
Gold,CID000077,Argor-Heraeus SA,Switzerland,Compliant
Gold,CID000077,Other Refinery,Switzerland,Compliant
"""
    model, problems = pipeline.load_model(project(tmp_path, conformant=conformant))
    assert warnings(problems, "reference.id-names") == [
        "data/lists/conformant.csv: warning: CID000077 is listed under 2 names: 'Argor-Heraeus SA' (row 2) and "
        "'Other Refinery' (row 3); it is not counted as conformant [reference.id-names]"]
    assert [f.conformant for f in model.consolidation.facilities if f.smelter_id == "CID000077"] == [False]


# --- the trail: review/<YEAR>/rows.csv ----------------------------------------------------------

def test_rows_csv_has_every_row_read_and_reconciles_with_the_report(tmp_path):
    root = project(tmp_path)
    model, _ = pipeline.load_model(root)
    files = review.render_review(model)
    text = files[review.rows_path(2024)]
    assert text.splitlines()[0] == ROW_COLUMNS
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(Path(r["file"]).name, int(r["row"]), r["outcome"], r["reason"], r["facility_id"]) for r in rows] == [
        ("acme.xlsx", 5, "published", "name", "CID000077"),
        ("acme.xlsx", 6, "published", "id", "CID000082"),
        ("acme.xlsx", 7, "published", "alias", "CID001482"),
        ("acme.xlsx", 9, "unmatched", "not-listed", ""),
        ("acme.xlsx", 10, "held", "id-metal", ""),
        ("acme.xlsx", 11, "rejected", "metal-only", ""),
        ("beta.xlsx", 5, "duplicate", "legacy-id", "CID000077"),
        ("beta.xlsx", 6, "published", "legacy-id", "CID000004"),
        ("beta.xlsx", 7, "unmatched", "placeholder", ""),
        ("stranger.xlsx", 5, "held", "id-name", ""),
    ]
    assert rows[0] == {"file": "data/cmrt/acme.xlsx", "sheet": "Smelter List", "row": "5", "metal": "Gold",
                       "smelter_id": "", "smelter_name": "ARGOR heraeus s.a.", "country": "SWITZERLAND",
                       "outcome": "published", "reason": "name", "facility_id": "CID000077"}
    assert_reconciles(files[review.report_path(2024)], rows)
    assert {r["facility_id"] for r in rows if r["outcome"] == "published"} == \
        {f.smelter_id for f in model.consolidation.facilities}


def assert_reconciles(report: str, rows: list[dict]) -> None:
    """The report's reconciliation table states exactly the outcome counts of rows.csv."""
    section = report[report.index("## Reconciliation"):report.index("## ", report.index("## Reconciliation") + 3)]
    table = dict(re.findall(r"^\| (Read from \d+ workbooks|[A-Z][a-z]+)[^|]*\| (\d+) \|$", section, re.M))
    counts = Counter(r["outcome"] for r in rows)
    assert {k: int(v) for k, v in table.items() if not k.startswith("Read")} == {
        "Published": counts["published"], "Merged": counts["duplicate"], "Rejected": counts["rejected"],
        "Unmatched": counts["unmatched"], "Held": counts["held"]}
    assert int(next(v for k, v in table.items() if k.startswith("Read"))) == len(rows)
    assert f"The rows reconcile: {len(rows)} = " in report


def test_rows_csv_cells_cannot_start_a_formula(tmp_path):
    model, _ = pipeline.load_model(project(tmp_path, smelters={
        5: {"metal": "Gold", "smelter_name": "@HYPERLINK(\"http://evil.example\")", "country": "+CHINA"}}))
    rows = list(csv.DictReader(io.StringIO(review.render_review(model)[review.rows_path(2024)])))
    first = next(r for r in rows if r["file"].endswith("acme.xlsx"))
    assert (first["smelter_name"], first["country"]) == ("'@HYPERLINK(\"http://evil.example\")", "'+CHINA")


def test_build_writes_rows_csv_beside_the_report_and_removes_both_with_the_supply_chain(tmp_path):
    root = project(tmp_path)
    run = lambda *a: run_cli(*a, cwd=root)  # noqa: E731
    assert run("build", "--no-site").returncode == 0
    first = (root / review.rows_path(2024)).read_bytes()
    assert run("build", "--no-site").returncode == 0
    assert (root / review.rows_path(2024)).read_bytes() == first  # deterministic
    (root / review.rows_path(2024)).write_text("edited")
    stale = run("check")
    assert stale.returncode == 1 and stale.stderr.strip().endswith("Stale: review/2024/rows.csv")
    (root / "data/supply-chain.yml").unlink()
    report = root / "data/report.yml"
    report.write_text(report.read_text().replace("survey:\n", "survey:\n  suppliers:\n    value: 3\n"
                                                 "  response_rate_percent:\n    value: 67\n")
                      .replace("{{ survey.responses }}", "Two"))
    build = run("build", "--no-site")
    assert build.returncode == 0, build.stderr
    assert not (root / review.rows_path(2024)).exists() and not (root / review.report_path(2024)).exists()


# --- the review report ------------------------------------------------------------------------

def test_a_smelter_in_a_covered_country_is_flagged(tmp_path):
    reference = supply_reference() + "Tin,RWANDA,Rwanda Tin Smelter,,,CID009001\n"
    model, _ = pipeline.load_model(project(tmp_path, reference=reference, smelters={
        5: {"metal": "Tin", "smelter_name": "Rwanda Tin Smelter"},
        6: {"metal": "Gold", "smelter_name": "Kivu Gold Works", "country": "Congo, Democratic Republic of the"},
        7: {"metal": "Gold", "smelter_name": "Asahi", "smelter_id": "CID000082", "country": "JAPAN"}}))
    report = review.render_review(model)[review.report_path(2024)]
    section = report[report.index("## Smelters located in a Covered Country"):report.index("## Survey")]
    assert section.splitlines()[-4:-1] == [
        "| --- | --- | --- | --- | --- |",
        "| Tin | Rwanda Tin Smelter | CID009001 | RWANDA | not conformant |",
        "| Gold | Kivu Gold Works |  | Congo, Democratic Republic of the | not on the reference list |"]


def supply_reference() -> str:
    from tests.supply_project import REFERENCE
    return REFERENCE


def test_blank_answers_are_not_answered_and_unknown_is_unknown(tmp_path):
    root = project(tmp_path)
    acme = fx.full_declaration("6.5")
    acme.answers[3] = {"Tantalum": "Unknown", "Tin": "Yes", "Gold": "No"}   # Tungsten left blank
    acme.answers[1]["Tungsten"] = "Yes"
    acme.answers[1]["Gold"] = "No"                                          # Gold not used: not asked
    fx.write(acme, root / "data/cmrt/acme.xlsx")
    model, _ = pipeline.load_model(root)
    counts = {metal: (n.yes, n.no, n.unknown, n.not_answered, n.not_used)
              for metal, n in model.consolidation.survey.covered_countries.items()}
    # beta (2.03a) and stranger (3.01) answer No for every metal they use; neither uses Tungsten
    assert counts == {"Gold": (0, 2, 0, 0, 1), "Tantalum": (0, 2, 1, 0, 0), "Tin": (1, 2, 0, 0, 0),
                      "Tungsten": (0, 0, 0, 1, 2)}
    report = review.render_review(model)[review.report_path(2024)]
    assert "| Tungsten | 0 | 0 | 0 | 1 | 2 |" in report


def test_an_unreadable_workbook_is_listed_as_unreadable_with_the_reason(tmp_path):
    root = project(tmp_path)
    (root / "data/cmrt/broken.xlsx").write_bytes(b"this is not a workbook")
    model, _ = pipeline.load_model(root)
    assert (model.consolidation.survey.unreadable_workbooks, model.consolidation.survey.unmatched_workbooks) == (1, 1)
    report = review.render_review(model)[review.report_path(2024)]
    section = report[report.index("### data/cmrt/broken.xlsx"):report.index("### data/cmrt/stranger.xlsx")]
    assert "**Unreadable:** is not a workbook: its content is neither .xlsx, .xlsb or .ods (zip) nor .xls (OLE2). " \
           "Nothing in it was counted; ask the supplier for a new file." in section
    assert "matches no supplier on the roster" not in section


def test_a_product_scope_declaration_shows_its_product_list(tmp_path):
    root = project(tmp_path)
    acme = fx.full_declaration("6.5")
    acme.fields["declaration_scope"] = "B. Product (or List of Products)"
    acme.products = {6: ("P-100", "Optical module", ""), 7: ("P-200", "Line card", "EU only")}
    fx.write(acme, root / "data/cmrt/acme.xlsx")
    beta = fx.full_declaration("6.5")
    beta.fields.update(company_name="Beta Parts GmbH", unique_id="S-2", declaration_scope="B. Product (or List of Products)")
    fx.write(beta, root / "data/cmrt/beta.xlsx")
    report = review.render_review(pipeline.load_model(root)[0])[review.report_path(2024)]
    assert "Product list (2):\n\n- P-100: Optical module\n- P-200: Line card (EU only)\n" in report
    beta_section = report[report.index("### data/cmrt/beta.xlsx"):]
    assert "Product list:\n\n- (empty: the declaration is for products but names none)\n" in beta_section


def test_unmatched_rows_get_up_to_three_nearest_names_never_applied(tmp_path):
    model, _ = pipeline.load_model(project(tmp_path, smelters={
        5: {"metal": "Gold", "smelter_name": "Asahi Pretek Corp"},
        6: {"metal": "Gold", "smelter_name": "Zzyzx Qwerty"}}))
    near = outcome_of(model, "acme.xlsx", 5)
    assert (near.outcome, near.facility_id) == ("unmatched", "")
    assert [(s.name, s.smelter_id, s.score) for s in near.suggestions] == [
        ("Asahi Pretec Corporation", "CID000082", 92)]
    assert outcome_of(model, "acme.xlsx", 6).suggestions == ()
    report = review.render_review(model)[review.report_path(2024)]
    assert "| 5 | unmatched | Gold | Asahi Pretek Corp |  | not-listed: not on the reference list by ID, alias " \
           "or name | Asahi Pretec Corporation (CID000082, 92) |" in report


def test_nearest_names_are_three_at_most_best_first():
    from generator.supply.reference import ReferenceEntry
    entries = [ReferenceEntry("Tin", f"CID00000{i}", name) for i, name in
               enumerate(["Yunnan Tin Company", "Yunnan Tin Group", "Yunnan Tin Works", "Yunnan Tin Plant", "Thaisarco"])]
    found = Matcher(entries).nearest("Tin", "Yunan Tin Co")
    # "Company" and "Group" are legal forms: both fold to "yunnan tin"; ties go by name
    assert [(s.name, s.score) for s in found] == [("Yunnan Tin Company", 95), ("Yunnan Tin Group", 95),
                                                  ("Yunnan Tin Plant", 72)]


# --- name folding ---------------------------------------------------------------------------

@pytest.mark.parametrize("written, listed", [
    ("Agosi A.G.", "AGOSI AG"),                                     # RMI list: Agosi AG (CID000035)
    ("Allgemeine Gold-und Silberscheideanstalt A.G.", "Allgemeine Gold-und Silberscheideanstalt AG"),
    ("Cendres & Métaux SA", "Cendres + Metaux S.A."),              # CFSI 2014 and RMI spellings of CID000189
    ("Mineração Taboca S.A", "Mineracao Taboca S.A."),
    ("Melt\uffa0Metais\uffa0e Ligas\uffa0S/A", "Melt Metais e Ligas S.A."),   # RMI list, CID002500
    ("Metalurgica Met-Mex Penoles S.A. De C.V.", "Metalurgica Met-Mex Penoles"),
    ("Heraeus Precious Metals GmbH & Co. KG", "Heraeus Precious Metals G.m.b.H."),
    ("Asaka Riken Co., Ltd.", "Asaka Riken Co Ltd"),
    ("P.T. Timah Tbk. Mentok", "PT Timah Tbk Mentok"),
    ("Kyrgyzaltyn J.S.C.", "Kyrgyzaltyn JSC"),
    ("A.L.M.T. Corp.", "ALMT Corp"),
])
def test_legal_forms_with_dots_or_spaces_fold_like_their_plain_spelling(written, listed):
    assert name_key(written) == name_key(listed)


def test_a_dotted_initial_before_a_word_is_kept():
    assert name_key("C. Hafner GmbH + Co. KG") == "c hafner"
    assert name_key("H.C. Starck Group") == "hc starck"


# --- the designation date ----------------------------------------------------------------------

def test_the_designation_date_is_the_conformance_lists_with_a_warning_when_report_yml_differs(tmp_path):
    model, problems = pipeline.load_model(project(tmp_path))
    assert model.figures["smelters.as_of"] == "June 30, 2014"
    assert model.figures["smelters.source"] == "Conformant smelter list"
    line = (tmp_path / "data/report.yml").read_text().splitlines().index("  designation_as_of: 2025-03-01") + 1
    assert warnings(problems, "content.designation-date") == [
        f"data/report.yml, line {line}, key 'smelter_list.designation_as_of': warning: this says 2025-03-01, but "
        "the designations come from the conformance list of data/supply-chain.yml (Conformant smelter list, as of "
        "2014-06-30), so the site states June 30, 2014; give both the same date [content.designation-date]"]


def test_no_designation_warning_when_the_dates_agree(tmp_path):
    root = project(tmp_path)
    report = root / "data/report.yml"
    report.write_text(report.read_text().replace("designation_as_of: 2025-03-01", "designation_as_of: 2014-06-30"))
    _, problems = pipeline.load_model(root)
    assert warnings(problems, "content.designation-date") == []


# --- real reference names ---------------------------------------------------------------------

def test_dotted_legal_forms_match_real_reference_lists(corpus):
    """Supplier spellings with dotted legal forms match the real lists' names (RMI and CFSI)."""
    problems = Problems()
    rmi = read_list(corpus / "cmrtbackend-rmi-smelter-lists.xlsx", "RMI", None, problems,
                    "cmrtbackend-rmi-smelter-lists.xlsx", "Smelter Lookup from 6.22ver")
    cfsi = read_list(corpus / "ddm-cfsi-smelter-references-2014.csv", "CFSI", None, problems, "cfsi.csv")
    assert rmi is not None and cfsi is not None
    matcher = Matcher([*rmi.entries])
    cfsi_matcher = Matcher([*cfsi.entries])
    for metal, written, expected in [("Gold", "Agosi A.G.", "CID000035"),
                                     ("Gold", "AGOSI AG", "CID000035"),
                                     ("Gold", "Cendres & Metaux S.A.", "CID000189"),
                                     ("Gold", "Metalurgica Met-Mex Penoles S. A. de C. V.", "CID001161"),
                                     ("Tantalum", "Ulba Metallurgical Plant J.S.C.", "CID001969"),
                                     ("Tin", "P.T. Timah Tbk. Mentok", "CID001482"),
                                     ("Tungsten", "A.L.M.T. Corp", "CID000004")]:
        match = matcher.match(metal, written, "", "")
        assert (match.status, match.facility.smelter_id if match.facility else "") == ("matched", expected), written
    for metal, written, expected in [("Gold", "Allgemeine Gold-und Silberscheideanstalt AG", "CID000035"),
                                     ("Gold", "Kyrgyzaltyn J.S.C.", "CID001029"),
                                     ("Gold", "Heraeus Precious Metals G.m.b.H. & Co. K.G.", "CID000711"),
                                     ("Gold", "Met-Mex Penoles S A", "CID001161"),
                                     ("Tin", "PT Timah (Persero) Tbk.", "CID001482")]:
        match = cfsi_matcher.match(metal, written, "", "")
        assert (match.status, match.facility.smelter_id if match.facility else "") == ("matched", expected), written


@pytest.fixture
def corpus() -> Path:
    from tests.supply_project import CORPUS
    if not CORPUS or not Path(CORPUS).is_dir():
        pytest.skip("CMR_CORPUS is not set to the folder of real supplier workbooks (../shared/corpus)")
    return Path(CORPUS)


def test_real_lists_conflicts_are_named(corpus):
    """The real user-compiled RMI list gives CID002708 to a gold refiner and to a tungsten smelter."""
    problems = Problems()
    read_list(corpus / "cmrtbackend-rmi-smelter-lists.xlsx", "RMI", None, problems,
              "cmrtbackend-rmi-smelter-lists.xlsx", "ALl Smelter List")
    assert [str(p) for p in problems.sorted()] == [
        "cmrtbackend-rmi-smelter-lists.xlsx, sheet 'ALl Smelter List': warning: CID002708 is listed under 2 "
        "metals: Gold (row 4) and Tungsten (row 548); its supplier rows are held for review [reference.id-metals]",
        "cmrtbackend-rmi-smelter-lists.xlsx, sheet 'ALl Smelter List': warning: Tungsten 'A.L.M.T. Corp.' is "
        "listed under 2 smelter IDs in one country: 'CID002708' (row 548) and 'CID000004' (row 549); rows naming it "
        "need its ID or the alias file [reference.name-ids]"]
