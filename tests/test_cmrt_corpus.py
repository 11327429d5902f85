"""The real supplier workbooks of the corpus (folder named by CMR_CORPUS; see its SOURCES.md)."""
from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from pathlib import Path

import pytest

from generator.supply.cmrt import read_workbook

pytestmark = pytest.mark.templates

CORPUS = Path(os.environ.get("CMR_CORPUS", "")) if os.environ.get("CMR_CORPUS") else None


@pytest.fixture(scope="module")
def corpus() -> Path:
    if CORPUS is None or not CORPUS.is_dir():
        pytest.skip("CMR_CORPUS not set: point it at the folder of real CMRT workbooks (../shared/corpus)")
    return CORPUS


_cache: dict[str, object] = {}


def read(corpus: Path, name: str):
    if name not in _cache:
        _cache[name] = read_workbook(corpus / name)
    return _cache[name]


# file: (template_version, company, scope, smelter rows, format, encrypted, effective date)
# The versions, companies and row counts are those of SOURCES.md, except ddm-gsp-cmrt-2.02.xls:
# SOURCES gives "4 (read by position)", but its Smelter List has metals in B5:B10 (6 rows, the
# same six as ddm-gsp-cmrt-2.00.xls).
EXPECTED = {
    "broadcom-cmrt-2.03a.xls": ("2.03a", "Broadcom Corporation", "A. Company Level", 276, "xls", True, dt.date(2013, 11, 15)),
    "connorwinfield-cmrt-2.02.xls": ("2.02", "Connor Winfield Corporation", "A. Company Level", 28, "xls", True, dt.date(2013, 7, 13)),
    "cmrtbackend-abc-cmrt-6.22.xlsx": ("6.22", "ABC", "A. Company", 0, "xlsx", False, dt.date(2022, 5, 21)),
    "ddm-gsp-cmrt-2.00.xlsx": ("2.00", "Green Status Pro", "A. Company Level", 4, "xlsx", False, dt.date(2014, 5, 31)),
    "ddm-gsp-cmrt-2.00.xls": ("2.00", "Green Status Pro", "B. Division Level [Specify in 'Description of scope']", 6, "xls", False, dt.date(2013, 12, 1)),
    "ddm-gsp-cmrt-2.01.xlsx": ("2.01", "Green Status Pro", "A. Company Level", 4, "xlsx", False, dt.date(2014, 5, 31)),
    "ddm-gsp-cmrt-2.02.xlsx": ("2.02", "Green Status Pro", "A. Company Level", 4, "xlsx", False, dt.date(2014, 5, 31)),
    "ddm-gsp-cmrt-2.02.xls": ("2.02", "Green Status Pro", "B. Division Level [Specify in 'Description of scope']", 6, "xls", True, dt.date(2013, 12, 1)),
    "ddm-gsp-cmrt-2.03.xlsx": ("2.03", "Green Status Pro", "A. Company Level", 4, "xlsx", False, dt.date(2014, 5, 31)),
    "ddm-gsp-cmrt-2.03a.xlsx": ("2.03a", "Green Status Pro", "A. Company Level", 4, "xlsx", False, dt.date(2014, 5, 31)),
    "ddm-gsp-cmrt-3.01.xlsx": ("3.01", "Green Status Pro", "A. Company", 4, "xlsx", False, dt.date(2014, 5, 31)),
    "ddm-gsp-cmrt-3.01.xls": ("3.01", "Green Status Pro", "A. Company", 4, "xls", True, None),
    "ddm-blank-cmrt-1.00.xlsx": ("1.00", "", "", 0, "xlsx", False, None),
    "ddm-blank-cmrt-2.02-encrypted.xlsx": ("2.02", "", "", 0, "xlsx", True, None),
    "rmi-blank-cmrt-6.01.xlsx": ("6.01", "", "", 0, "xlsx", False, None),
    "rmi-blank-cmrt-6.1.xlsx": ("6.1", "", "", 0, "xlsx", False, None),
    "rmi-blank-cmrt-6.22.xlsx": ("6.22", "", "", 0, "xlsx", False, None),
    "rmi-blank-cmrt-6.31.xlsx": ("6.31", "", "A. Company", 0, "xlsx", False, None),
    "rmi-blank-cmrt-6.5.xlsx": ("6.5", "", "", 0, "xlsx", False, None),
    # Real CMRT 6.4 declarations (English UI); honeywell typed its date as the text "02-May-2024".
    "wwww13wwww-centralglass-cmrt-6.4.xlsx": ("6.4", "Central Glass Co., Ltd.", "A. Company", 4, "xlsx", False,
                                              dt.date(2024, 5, 10)),
    "wwww13wwww-honeywell-cmrt-6.4.xlsx": ("6.4", "Honeywell International",
                                           "C. User defined [Specify in 'Description of scope']", 40, "xlsx", False,
                                           dt.date(2024, 5, 2)),
    "wwww13wwww-jxadvancedmetals-cmrt-6.4.xlsx": ("6.4", "JX Advanced Metals Corporation",
                                                  "B. Product (or List of Products)", 27, "xlsx", False,
                                                  dt.date(2024, 5, 30)),
    # Blank EMRT, CRT and AMRT templates (Chinese UI): recognised, not read as CMRTs.
    "cirscn-blank-emrt-1.3.xlsx": ("1.3", "", "", 0, "xlsx", False, None),
    "cirscn-blank-emrt-2.0.xlsx": ("2.0", "", "", 0, "xlsx", False, None),
    "cirscn-blank-emrt-2.1.xlsx": ("2.1", "", "", 0, "xlsx", False, None),
    "cirscn-blank-crt-2.2.xlsx": ("2.2", "", "", 0, "xlsx", False, None),
    "cirscn-blank-amrt-1.3.xlsx": ("1.3", "", "", 0, "xlsx", False, None),
}
MINERAL_LAYOUTS = {"cirscn-blank-emrt-1.3.xlsx": "EMRT 1.x", "cirscn-blank-emrt-2.0.xlsx": "EMRT 2.x",
                   "cirscn-blank-emrt-2.1.xlsx": "EMRT 2.x", "cirscn-blank-crt-2.2.xlsx": "CRT 2.x",
                   "cirscn-blank-amrt-1.3.xlsx": ""}
KINDS = {"cirscn-blank-emrt-1.3.xlsx": "EMRT", "cirscn-blank-emrt-2.0.xlsx": "EMRT", "cirscn-blank-emrt-2.1.xlsx": "EMRT",
         "cirscn-blank-crt-2.2.xlsx": "CRT", "cirscn-blank-amrt-1.3.xlsx": "AMRT"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(corpus, name):
    d = read(corpus, name)
    assert d.readable
    got = (d.template_version, d.company_name, d.declaration_scope, len(d.smelters), d.file_format,
           d.encrypted, d.effective_date)
    assert got == EXPECTED[name]
    assert d.template == KINDS.get(name, "CMRT")
    assert d.is_cmrt is (d.template == "CMRT")
    assert d.layout == MINERAL_LAYOUTS.get(name, d.layout)  # an EMRT or CRT read with its own layout
    # Every non-blank row is a record or rejected; in the corpus none has to be rejected.
    assert d.rejected == ()
    assert [s.row for s in d.smelters] == sorted(s.row for s in d.smelters)
    assert all(s.metal in ("Tantalum", "Tin", "Gold", "Tungsten") for s in d.smelters)


def test_every_corpus_workbook_is_covered(corpus):
    workbooks = {p.name for p in corpus.iterdir() if p.suffix in (".xls", ".xlsx")}
    assert workbooks - set(EXPECTED) == {"cmrtbackend-rmi-smelter-lists.xlsx"}


def test_non_cmrt_workbook_in_corpus(corpus):
    d = read(corpus, "cmrtbackend-rmi-smelter-lists.xlsx")
    assert not d.readable
    assert [p.code for p in d.problems] == ["cmrt.not-a-cmrt"]


def test_broadcom_placeholders_ids_and_padding(corpus):
    d = read(corpus, "broadcom-cmrt-2.03a.xls")
    assert Counter(s.lookup for s in d.smelters if s.lookup.startswith("Smelter")) == {
        "Smelter not listed": 131, "Smelter not yet identified": 3}
    assert Counter(s.metal for s in d.smelters) == {"Tin": 111, "Gold": 95, "Tungsten": 57, "Tantalum": 13}
    # "Not Listed" in the ID column means no ID; legacy EICC IDs stay as they are.
    assert Counter(s.smelter_id_raw for s in d.smelters if not s.smelter_id) == {"Not Listed": 134}
    first, last = d.smelters[0], d.smelters[-1]
    assert (first.row, first.metal, first.smelter_name, first.smelter_id) == (5, "Gold", "Tanaka Kikinzoku Kogyo K.K.", "1JPN058")
    assert (last.row, last.lookup, last.smelter_name, last.smelter_id) == (
        280, "Smelter not listed", "Meterion Advanced Materials Thin Film Products", "")
    # 'PT Bangka Kudai Tin ' is padded in the file; Korean addresses start with '#'.
    assert [s.smelter_name for s in d.smelters if s.row == 163] == ["PT Bangka Kudai Tin"]
    assert [s.street for s in d.smelters if s.row == 40] == ["#390-10, GOJANDONG, NAMDONGKU, INCHON, KOREA"]
    # Column A holds typed row numbers and column Q 144 cached #N/A: neither is a data column.
    # Row 166 chooses 'PT DS Jaya Abadi' for 2IDN040, which the template's 'Standard Smelter Names' gives
    # as 'PT Stanindo Inti Perkasa', also known as 'CV DS Jaya Abadi': the same name in another legal
    # form (legal forms fold away), so the choice agrees with the ID and nothing is raised.
    assert [(p.code, p.cell) for p in d.problems] == []
    assert d.policy_url.startswith("http://www.broadcom.com/global_citizenship")


def test_connor_winfield_blank_row_duplicates_and_na_ids(corpus):
    d = read(corpus, "connorwinfield-cmrt-2.02.xls")
    assert [s.row for s in d.smelters] == [*range(5, 28), *range(29, 34)]  # row 28 is blank
    assert Counter(s.metal for s in d.smelters) == {"Tin": 23, "Gold": 5}
    assert [(s.row, s.smelter_id) for s in d.smelters if s.smelter_id_raw == "NA"] == [
        (10, ""), (20, ""), (21, ""), (25, "")]
    # "Smelter not yet identified" together with a real name; the trailing space is trimmed.
    assert [(s.row, s.smelter_name) for s in d.smelters if s.lookup == "Smelter not yet identified"] == [
        (20, "So Accurate Refing Group"), (21, "Nathan Trotter & Co., Inc."), (25, "Metallic Resources Inc")]
    # Duplicates are kept, row by row: merging them belongs to consolidation.
    rows = {}
    for s in d.smelters:
        rows.setdefault((s.metal, s.smelter_name), []).append(s.row)
    assert {k: v for k, v in rows.items() if len(v) > 1} == {
        ("Tin", "EM Vinto"): [5, 24], ("Tin", "Minsur SA"): [6, 29], ("Tin", "Thaisarco"): [17, 31]}
    # Rows 30-33 are shifted one column left by the supplier: the street sits in the ID column.
    shifted = [(p.cell, p.code) for p in d.problems if p.sheet == "Smelter List"]
    assert ("F30", "cmrt.unrecognised-smelter-id") in shifted
    assert d.answer("necessary", "Tantalum") == "No"
    assert d.answer("all_smelters_identified", "Tin") == "Yes all smelters have been provided"
    assert d.company_answer("require_validated_smelters").answer == "Planned once lists become available"
    assert [p.name for p in d.products] == [
        "Sn62Pb36Ag2 NC-SMQ92J paste", "96.5Sn 3.5Ag NC-SMQ92J paste", "96.5Sn 3.5Ag Indium 8.9HF paste"]


def test_gsp_202_xls_labels_cached_as_na_are_not_needed(corpus):
    d = read(corpus, "ddm-gsp-cmrt-2.02.xls")
    assert (d.scope_description, d.authorizer.name, d.authorizer.email) == (
        "Tractor beam development", "Leo de Nevi", "leo.denevi@greenstatuspro.com")
    assert [(s.row, s.metal, s.smelter_name) for s in d.smelters] == [
        (5, "Gold", "Allgemeine Gold"), (6, "Tin", "Minsur S.A. Tin Metal"), (7, "Tantalum", "F&X"),
        (8, "Tungsten", "Sichuan Metals & Materials Imp & Exp Co"), (9, "Tantalum", "Cabot"),
        (10, "Tantalum", "Tantalite Resources")]
    assert d.company_answer("verify_due_diligence").answer == "Yes (all methods apply)"


def test_gsp_202_xlsx_address_typed_into_the_name_cell(corpus):
    d = read(corpus, "ddm-gsp-cmrt-2.02.xlsx")
    assert d.authorizer.name == "100 F Street, NE, Washington, DC 20549"  # as the supplier wrote it
    assert d.address == ""


def test_cached_na_in_smelter_id_column_is_noted(corpus):
    d = read(corpus, "ddm-gsp-cmrt-2.03a.xlsx")
    assert [(p.cell, p.code) for p in d.problems] == [
        ("F5", "cmrt.cached-error"), ("F6", "cmrt.cached-error"), ("F7", "cmrt.cached-error")]
    assert all(s.smelter_id == "" for s in d.smelters[:3])


def test_gsp_301_answers_and_ids(corpus):
    d = read(corpus, "ddm-gsp-cmrt-3.01.xls")
    assert [(s.metal, s.smelter_id, s.id_source) for s in d.smelters] == [
        ("Tantalum", "CID000211", "CFSI"), ("Tin", "CID001477", "CFSI"),
        ("Tungsten", "CID002082", "CFSI"), ("Gold", "CID001916", "CFSI")]
    assert [(p.code, p.cell) for p in d.problems] == [("cmrt.missing-effective-date", "D22"),
                                                      ("cmrt.lookup-name-mismatch", "C6")]
    x = read(corpus, "ddm-gsp-cmrt-3.01.xlsx")
    # 'No, but greater than 75% ' has a trailing space in the template's own list.
    assert x.question("all_suppliers_responded").answers[1].answer == "No, but greater than 75%"
    assert x.unique_id_authority == "Database"


def test_abc_622_answers(corpus):
    d = read(corpus, "cmrtbackend-abc-cmrt-6.22.xlsx")
    share = d.question("supplier_response_share")
    assert [(a.answer, a.raw) for a in share.answers] == [("100%", "1")] * 4
    assert [a.answer for a in d.question("from_covered_countries").answers] == ["No", "No", "Yes", "Yes"]
    assert d.answer("from_conflict_affected_areas", "Gold") == "Unknown"
    assert d.company_answer("annual_disclosure").answer == "Yes, with the SEC and the EU"
    assert d.policy_url == "https://www.asteelflash.com/sustainability/"
    assert (d.contact.email, d.authorizer.title) == ("Conflict.Minerals@abc.com", "Manager")
    # All smelters declared identified, but the list is empty: one warning per metal.
    assert [(p.code, p.cell) for p in d.problems] == [("cmrt.identified-but-none-listed", f"D{r}") for r in (62, 63, 64, 65)]


@pytest.mark.parametrize("name", ["rmi-blank-cmrt-6.01.xlsx", "rmi-blank-cmrt-6.1.xlsx", "rmi-blank-cmrt-6.22.xlsx",
                                  "rmi-blank-cmrt-6.31.xlsx", "rmi-blank-cmrt-6.5.xlsx"])
def test_chinese_blank_templates(corpus, name):
    d = read(corpus, name)
    assert d.language == "中文 Chinese"
    assert d.layout == "6.x"
    assert "cmrt.missing-company-name" in [p.code for p in d.problems]


def test_v1_blank_template(corpus):
    d = read(corpus, "ddm-blank-cmrt-1.00.xlsx")
    assert (d.layout, [q.key for q in d.questions][:2]) == ("1.00", ["necessary", "from_covered_countries"])
    assert [a.letter for a in d.company_questions] == list("ABCDEFGHIJK")


def test_real_64_declarations_raise_only_what_the_template_would(corpus):
    """Q2-Q8 are asked only for a metal with Q1 Yes (6.x Instructions): no missing-answer for the others."""
    glass = read(corpus, "wwww13wwww-centralglass-cmrt-6.4.xlsx")
    assert glass.problems == ()
    assert [glass.answer("intentionally_added", m) for m in ("Tantalum", "Tin", "Gold", "Tungsten")] == [
        "No", "No", "No", "Yes"]
    assert glass.answer("remains_in_product", "Tin") == ""          # blank, which is not "Unknown"
    assert {s.metal for s in glass.smelters} == {"Tungsten"}

    honeywell = read(corpus, "wwww13wwww-honeywell-cmrt-6.4.xlsx")
    # The date typed as text in the template's DD-MMM-YYYY form is a date; the tabs after the contact go.
    assert (honeywell.effective_date, honeywell.contact.name) == (dt.date(2024, 5, 2), "Julalak Phetploy")
    assert [(p.code, p.severity, p.cell, p.message) for p in honeywell.problems] == [
        ("cmrt.identified-but-none-listed", "warning", f"D{row}",
         f"question 7 says all {metal} smelters are identified, but the smelter list has no {metal} row")
        for row, metal in ((63, "Tin"), (64, "Gold"))]
    assert Counter(s.metal for s in honeywell.smelters) == {"Tantalum": 22, "Tungsten": 18}
    assert [s.row for s in honeywell.smelters if s.smelter_id == "CID001522"] == [6, 7]  # kept, row by row

    jx = read(corpus, "wwww13wwww-jxadvancedmetals-cmrt-6.4.xlsx")
    assert [(p.code, p.severity, p.sheet, p.cell, p.message) for p in jx.problems] == [(
        "cmrt.smelter-without-country", "warning", "Smelter List", "E10",
        "row 10 lists Tantalum smelter 'Ulba Metallurgical Plant JSC' without a country (a mandatory column)")]
    assert len(jx.products) == 3
    assert [s.row for s in jx.smelters if s.smelter_id == "CID002082"] == [22, 23, 24, 25, 26]


@pytest.mark.parametrize("name,kind,title,version", [
    ("cirscn-blank-emrt-1.3.xlsx", "EMRT", "Extended Mineral Reporting Template (EMRT)", "1.3"),
    ("cirscn-blank-emrt-2.0.xlsx", "EMRT", "Extended Mineral Reporting Template (EMRT)", "2.0"),
    ("cirscn-blank-emrt-2.1.xlsx", "EMRT", "Extended Minerals Reporting Template (EMRT)", "2.1"),
    ("cirscn-blank-crt-2.2.xlsx", "CRT", "Cobalt Reporting Template (CRT)", "2.2"),
    ("cirscn-blank-amrt-1.3.xlsx", "AMRT", "Additional Minerals Reporting Template (AMRT)", "1.3"),
])
def test_other_templates_are_named_and_not_read_as_cmrts(corpus, name, kind, title, version):
    from generator.excel.workbook import open_workbook
    from generator.supply.cmrt.kinds import BY_NAME, detect

    d = read(corpus, name)
    what = BY_NAME[kind]
    book = open_workbook(corpus / name)
    assert detect(book, book.sheet("Declaration").cell("D2").value).evidence == \
        f"its title '{title}' (sheet 'L', the English title of D2)"
    assert (d.template, d.template_version, d.layout, d.smelters, d.is_cmrt) == (
        kind, version, MINERAL_LAYOUTS[name], (), False)
    if kind != "AMRT":  # an EMRT or CRT is read with its own layout (generator/supply/emrt), never a CMRT one
        assert d.questions and "cmrt.not-a-cmrt-template" not in [p.code for p in d.problems]
        return
    assert d.questions == ()
    assert [(p.code, p.severity, p.sheet, p.cell, p.message) for p in d.problems] == [(
        "cmrt.not-a-cmrt-template", "error", "Declaration", "D2",
        f"is a{'n' if kind[0] in 'AE' else ''} {kind} ({what.title}, revision {version}), found from its title "
        f"'{title}' (sheet 'L', the English title of D2): it reports on {what.covers}, not on 3TG, so it is no "
        f"answer to the 3TG (conflict minerals) survey and is not counted as one; ask the supplier for a CMRT")]


def test_read_command_over_the_whole_corpus(corpus):
    import json
    import subprocess
    import sys

    files = sorted(p.name for p in corpus.iterdir() if p.suffix in (".xls", ".xlsx"))
    result = subprocess.run([sys.executable, "-m", "generator", "read", "--json", *files], cwd=corpus,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 1  # one file is not a CMRT
    assert "Traceback" not in result.stderr
    objects = json.loads(result.stdout)
    assert [o["file"] for o in objects] == files
    unreadable = [o["file"] for o in objects if not o["readable"]]
    assert unreadable == ["cmrtbackend-rmi-smelter-lists.xlsx"]
    kinds = {o["file"]: o["template"] for o in objects if o["file"].startswith("cirscn-")}
    assert kinds == {"cirscn-blank-amrt-1.3.xlsx": "AMRT", "cirscn-blank-crt-2.2.xlsx": "CRT",
                     "cirscn-blank-emrt-1.3.xlsx": "EMRT", "cirscn-blank-emrt-2.0.xlsx": "EMRT",
                     "cirscn-blank-emrt-2.1.xlsx": "EMRT"}
    by_file = {o["file"]: o for o in objects}
    for name, (version, company, scope, rows, *_rest) in EXPECTED.items():
        o = by_file[name]
        assert (o["template"], o["template_version"], o["company_name"], o["declaration_scope"],
                len(o["smelters"])) == (KINDS.get(name, "CMRT"), version, company, scope, rows), name
    first = by_file["broadcom-cmrt-2.03a.xls"]["smelters"][0]
    assert set(first) == {"row", "metal", "lookup", "smelter_name", "country", "smelter_id", "smelter_id_raw",
                          "id_source", "street", "city", "state", "contact_name", "contact_email", "next_steps",
                          "mine_name", "mine_country", "recycled_scrap", "comments"}
    assert {k: first[k] for k in ("row", "metal", "lookup", "smelter_id", "country", "city", "next_steps")} == {
        "row": 5, "metal": "Gold", "lookup": "Tanaka Kikinzoku Kogyo K.K.", "smelter_id": "1JPN058",
        "country": "JAPAN", "city": "Kanagawa", "next_steps": "No|conflict free smelter"}
    assert by_file["broadcom-cmrt-2.03a.xls"]["smelters"][0]["contact_email"].startswith("O-IKEDA@ml.tanaka.co.jp|")
    assert by_file["cmrtbackend-abc-cmrt-6.22.xlsx"]["effective_date"] == "2022-05-21"
