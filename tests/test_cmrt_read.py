"""Reading CMRT workbooks built in code at the real cell addresses of every version family."""
from __future__ import annotations

import datetime as dt

import pytest
from cmrt_fixtures import CMRT, METALS, full_declaration, write

from generator.supply.cmrt import Rejected, read_workbook

FAMILY_VERSIONS = [  # (fixture family, template_version read back, layout)
    ("1.00", "1.00", "1.00"),
    ("2.00", "2.00", "2.00-2.01"),
    ("2.03a", "2.03a", "2.02-2.03a"),
    ("3.01", "3.01", "3.x"),
    ("4.01b", "4.01b", "4.x"),
    ("5.12", "5.12", "5.x"),
    ("6.5", "6.5", "6.x"),
]


def codes(declaration, severity=None):
    return sorted(p.code for p in declaration.problems if severity in (None, p.severity))


@pytest.mark.parametrize("family,version,layout", FAMILY_VERSIONS)
def test_every_family_reads_declaration_and_smelters(tmp_path, family, version, layout):
    d = read_workbook(write(full_declaration(family), tmp_path / f"cmrt-{family}.xlsx"))
    assert (d.readable, d.template_version, d.layout) == (True, version, layout)
    assert d.company_name == "Acme Components Ltd."
    assert d.address == "#390-10, Gojan-dong, Ansan"
    assert d.authorizer.name == "Ada Lovelace"
    assert d.authorizer.phone == "5551234"
    assert d.effective_date == (dt.date(2013, 11, 15) if family == "1.00" else dt.date(2024, 3, 31))
    assert d.policy_url == "https://acme.example/policy"
    assert [(a.letter, a.answer) for a in d.company_questions[:2]] == [("A", "Yes"), ("B", "Yes")]
    # Rows 5, 6 and 9, with blank rows 7-8 between them: nothing dropped, nothing stops early.
    assert [(s.row, s.metal) for s in d.smelters] == [(5, "Gold"), (6, "Tin"), (9, "Tantalum")]
    assert d.rejected == ()
    gold, tin, tantalum = d.smelters
    assert gold.smelter_name == "Asahi Refining"
    assert tantalum.comments == "padded"
    has_ids = family not in ("1.00", "2.00")
    assert [s.smelter_id for s in d.smelters] == (["CID000801", "CID002514", "3USA010"] if has_ids else ["", "", ""])
    if family != "1.00":
        assert (gold.lookup, tin.lookup) == ("Smelter not listed", "Smelter not yet identified")
        assert gold.country == "JAPAN"


@pytest.mark.parametrize("family,keys", [
    ("1.00", ["necessary", "from_covered_countries", "recycled_or_scrap", "all_smelters_identified",
              "all_smelters_validated"]),
    ("2.03a", ["necessary", "from_covered_countries", "recycled_or_scrap", "all_suppliers_responded",
               "all_smelters_identified", "all_smelters_validated"]),
    ("3.01", ["intentionally_added", "necessary", "from_covered_countries", "recycled_or_scrap",
              "all_suppliers_responded", "all_smelters_identified", "all_smelter_info_reported"]),
    ("4.01b", ["intentionally_added", "necessary", "from_covered_countries", "recycled_or_scrap",
               "all_suppliers_responded", "all_smelters_identified", "all_smelter_info_reported"]),
    ("5.12", ["intentionally_added", "remains_in_product", "from_covered_countries", "recycled_or_scrap",
              "supplier_response_share", "all_smelters_identified", "all_smelter_info_reported"]),
    ("6.5", ["intentionally_added", "remains_in_product", "from_covered_countries",
             "from_conflict_affected_areas", "recycled_or_scrap", "supplier_response_share",
             "all_smelters_identified", "all_smelter_info_reported"]),
])
def test_question_keys_map_each_row_of_the_version(tmp_path, family, keys):
    # Answer question n for Gold with a text naming n: the key must come from the right row.
    answers = {n: {"Gold": f"answer {n}"} for n in range(1, len(keys) + 1)}
    d = read_workbook(write(CMRT(family=family, answers=answers), tmp_path / "q.xlsx"))
    assert [(q.key, q.number, q.answer("Gold")) for q in d.questions] == [
        (k, n, f"answer {n}") for n, k in enumerate(keys, start=1)]
    assert {a.metal for q in d.questions for a in q.answers} == set(METALS)


@pytest.mark.parametrize("family,letters", [("1.00", "ABCDEFGHIJK"), ("2.03a", "ABCDEFGHIJ"),
                                            ("3.01", "ABCDEFGHIJ"), ("4.01b", "ABCDEFGHIJ"),
                                            ("5.12", "ABCDEFGHI"), ("6.5", "ABCDEFGH")])
def test_company_questions_per_version(tmp_path, family, letters):
    company = {letter: (f"ans {letter}", f"comment {letter}") for letter in letters}
    d = read_workbook(write(CMRT(family=family, company=company), tmp_path / "c.xlsx"))
    assert [(a.letter, a.raw, a.comment) for a in d.company_questions] == [
        (x, f"ans {x}", f"comment {x}") for x in letters]


def test_answers_are_normalised_and_raw_kept(tmp_path):
    spec = CMRT(family="3.01", answers={
        1: {"Tantalum": " yes", "Tin": "NO"},
        5: {"Tantalum": "No, but greater than 75% ", "Tin": "Yes, 100%"},
    })
    d = read_workbook(write(spec, tmp_path / "a.xlsx"))
    q1 = d.question("intentionally_added")
    assert [(a.answer, a.raw) for a in q1.answers[:2]] == [("Yes", "yes"), ("No", "NO")]
    assert d.answer("all_suppliers_responded", "Tantalum") == "No, but greater than 75%"
    assert d.answer("all_suppliers_responded", "Tin") == "Yes, 100%"


def test_share_stored_as_number_reads_as_its_dropdown_text(tmp_path):
    # The 6.22 template stores "100%" as the number 1 (formatted as a percentage).
    spec = CMRT(answers={6: {"Tantalum": 1, "Tin": "Greater than 90%", "Gold": 0.5}})
    d = read_workbook(write(spec, tmp_path / "n.xlsx"))
    share = d.question("supplier_response_share")
    assert [(a.answer, a.raw) for a in share.answers[:3]] == [
        ("100%", "1"), ("Greater than 90%", "Greater than 90%"), ("50%", "0.5")]
    assert [p.cell for p in d.problems if p.code == "cmrt.unknown-answer"] == ["D58"]


def test_v1_answers_with_leading_space_from_inline_dropdown(tmp_path):
    spec = CMRT(family="1.00", answers={2: {"Tin": " Uncertain or Unknown", "Gold": " No"}})
    d = read_workbook(write(spec, tmp_path / "v1.xlsx"))
    assert d.answer("from_covered_countries", "Tin") == "Uncertain or Unknown"
    assert d.answer("from_covered_countries", "Gold") == "No"


@pytest.mark.parametrize("revision,version,warned", [
    ("Revision 6.6\nApril 2026", "6.6", True),
    ("Revision 6.22\nMay 11, 2022", "6.22", False),
    ("Revision 6.4\nApril 2024", "6.4", False),
])
def test_newer_6x_falls_back_to_the_65_layout_with_a_warning(tmp_path, revision, version, warned):
    d = read_workbook(write(CMRT(revision=revision, fields={"company_name": "X"}), tmp_path / "v.xlsx"))
    assert (d.template_version, d.layout, d.company_name) == (version, "6.x", "X")
    unknown = [p for p in d.problems if p.code == "cmrt.newer-revision"]
    assert bool(unknown) is warned
    if warned:
        assert (unknown[0].severity, unknown[0].cell) == ("warning", "J3")
        assert unknown[0].message == ("revision 6.6 is newer than 6.5, the newest 6.x revision this reader knows; "
                                      "read with the 6.x layout, which RMI keeps within the 6 series")


@pytest.mark.parametrize("revision", ["Revision 7.0\nMay 2027", "Revision 5.3\nMay 2019", "Revision 2.04 2014",
                                      "Revision 6.02\nJune 2020"])
def test_a_revision_without_a_layout_is_a_problem_never_a_guess(tmp_path, revision):
    d = read_workbook(write(CMRT(revision=revision, fields={"company_name": "X"}), tmp_path / "v.xlsx"))
    version = revision.split()[1]
    assert (d.readable, d.company_name, d.smelters) == (False, "", ())
    assert [(p.code, p.message) for p in d.problems] == [(
        "cmrt.unsupported-version",
        f"has CMRT revision {version}, for which this reader has no layout (it knows 1.00, 2.00-2.01, "
        f"2.02-2.03a, 3.x, 4.x, 5.x, 6.x and later 6.x revisions); it is not read rather than read with the "
        f"cell map of another revision")]


def test_rows_that_cannot_be_a_facility_are_rejected_with_reasons(tmp_path):
    spec = CMRT(smelters={
        5: {"metal": "Gold", "smelter_name": "Real Refinery"},
        6: {"smelter_name": "No Metal Smelter", "country": "CHINA"},
        7: {"metal": "Tin"},
        8: {"metal": "Cobalt", "smelter_name": "Wrong metal"},
        2400: {"metal": "Tungsten", "smelter_name": "Far down the list"},
    })
    d = read_workbook(write(spec, tmp_path / "r.xlsx"))
    assert [(s.row, s.smelter_name) for s in d.smelters] == [(5, "Real Refinery"), (2400, "Far down the list")]
    assert d.rejected == (
        Rejected(6, "no metal: column B is empty but the row has smelter name, country", "Smelter List"),
        Rejected(7, "only a metal ('Tin'): no look-up choice, smelter name or ID", "Smelter List"),
        Rejected(8, "unknown metal 'Cobalt': expected Tantalum, Tin, Gold or Tungsten", "Smelter List"),
    )


def test_smelter_id_from_the_6x_input_column_when_f_is_empty(tmp_path):
    spec = CMRT(smelters={5: {"id_input": "CID 000801", "metal": "Gold", "lookup": "Asahi Refining"}})
    d = read_workbook(write(spec, tmp_path / "a.xlsx"))
    (s,) = d.smelters
    assert (s.smelter_id, s.smelter_id_raw, s.smelter_name) == ("CID000801", "CID 000801", "Asahi Refining")


def test_unrecognised_smelter_id_is_kept_with_a_warning(tmp_path):
    spec = CMRT(smelters={5: {"metal": "Tin", "smelter_name": "S", "smelter_id": "27, Jalan Pantai", "country": "PERU"},
                          6: {"metal": "Tin", "smelter_name": "T", "smelter_id": "NA", "country": "PERU"}})
    d = read_workbook(write(spec, tmp_path / "i.xlsx"))
    assert [s.smelter_id for s in d.smelters] == ["27, Jalan Pantai", ""]
    assert [(p.code, p.cell, p.severity) for p in d.problems if p.sheet == "Smelter List"] == [
        ("cmrt.unrecognised-smelter-id", "F5", "warning")]


def test_cached_error_reads_as_empty_with_a_note_but_hash_text_is_text(tmp_path):
    # openpyxl stores "#N/A" as an error cell (t="e"), as Excel caches a failed look-up.
    spec = CMRT(smelters={5: {"metal": "Gold", "lookup": "Smelter not listed", "smelter_name": "Korea Zinc",
                              "smelter_id": "#N/A", "street": "#390-10, GOJANDONG"}},
                fields={"company_name": "Acme", "unique_id": "#REF!"})
    d = read_workbook(write(spec, tmp_path / "e.xlsx"))
    (s,) = d.smelters
    assert (s.smelter_id, s.street) == ("", "#390-10, GOJANDONG")
    assert d.unique_id == ""
    notes = [(p.sheet, p.cell, p.severity) for p in d.problems if p.code == "cmrt.cached-error"]
    assert notes == [("Declaration", "D12", "warning"), ("Smelter List", "F5", "warning")]
    assert "#N/A" in next(p.message for p in d.problems if p.cell == "F5")


def test_list_ends_at_the_copyright_line_not_at_blank_rows(tmp_path):
    # 2.x templates keep translation tables and look-up lists below the copyright line.
    spec = CMRT(family="2.00", smelters={
        5: {"metal": "Gold", "lookup": "Aurubis"},
        900: {"metal": "Tin", "lookup": "Thaisarco"},
        1004: {"smelter_name": "English", "country": "Chinese"},
        1022: {"lookup": "ALBANIA", "smelter_name": "ALB", "country": "Gold"},
    }, cells={("Smelter List", "B1002"): "© 2011 Electronic Industry Citizenship Coalition, Incorporated"})
    d = read_workbook(write(spec, tmp_path / "c.xlsx"))
    assert [(s.row, s.metal, s.smelter_name) for s in d.smelters] == [(5, "Gold", "Aurubis"), (900, "Tin", "Thaisarco")]
    assert d.rejected == ()


def test_list_ends_at_a_wide_merged_copyright_cell(tmp_path):
    path = write(CMRT(family="2.03a", smelters={5: {"metal": "Gold", "lookup": "Aurubis"},
                                                2510: {"smelter_name": "helper table"}}), tmp_path / "m.xlsx")
    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb["Smelter List"].merge_cells("B2505:O2505")
    wb.save(path)
    d = read_workbook(path)
    assert [s.row for s in d.smelters] == [5]
    assert d.rejected == ()


def test_too_many_rows_are_capped_with_a_problem(tmp_path, monkeypatch):
    from generator.supply.cmrt import reader

    monkeypatch.setattr(reader, "MAX_LIST_ROWS", 20)
    smelters = {row: {"metal": "Tin", "smelter_name": f"S{row}"} for row in range(5, 40)}
    d = read_workbook(write(CMRT(smelters=smelters), tmp_path / "big.xlsx"))
    assert [s.row for s in d.smelters] == list(range(5, 25))
    capped = [p for p in d.problems if p.code == "cmrt.too-many-rows"]
    assert [(p.sheet, p.cell, p.severity, p.message) for p in capped] == [
        ("Smelter List", "A25", "error", "the list has 15 more rows with cells from row 25 on, beyond the 20 rows a "
                                         "list may have; they were not read")]


def test_a_note_or_copyright_line_inside_the_list_ends_nothing(tmp_path):
    import openpyxl

    spec = CMRT(smelters={5: {"metal": "Gold", "smelter_name": "Before"}, 7: {"metal": "Tin", "smelter_name": "After"},
                          9: {"metal": "Tin", "smelter_name": "Last"}},
                cells={("Smelter List", "B6"): "Please see our notes below", ("Smelter List", "B8"): "© 2024 Acme Inc."})
    path = write(spec, tmp_path / "notes.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Smelter List"].merge_cells("B6:Q6")
    wb.save(path)
    d = read_workbook(path)
    assert [(s.row, s.smelter_name) for s in d.smelters] == [(5, "Before"), (7, "After"), (9, "Last")]
    assert d.rejected == (
        Rejected(6, "a note merged across B6:Q6 ('Please see our notes below'), not an entry; the rows below it "
                    "were read", "Smelter List"),
        Rejected(8, "a copyright line ('© 2024 Acme Inc.') inside the list, not an entry; the rows below it were "
                    "read", "Smelter List"))


def test_hidden_sheets_and_merged_cells_are_read(tmp_path):
    spec = CMRT(fields={"company_name": "Hidden Co"}, hidden=("Smelter List", "L", "C"),
                smelters={5: {"metal": "Gold", "smelter_name": "Metalor"}})
    d = read_workbook(write(spec, tmp_path / "h.xlsx"))
    assert d.company_name == "Hidden Co"  # D8 is merged D8:J8 in the fixture, as in the template
    assert [s.smelter_name for s in d.smelters] == ["Metalor"]


@pytest.mark.parametrize("typed", [
    "31-Mar-2024", "31-MAR-2024", "31 March 2024", "March 31, 2024", "Mar 31st 2024", "31-Mar-24",
    " 31/03/2024 ", "03/31/2024", "2024-03-31", "2024/03/31", "31.03.2024", "45382", 45382,
    dt.datetime(2024, 3, 31, 0, 0),
])
def test_effective_date_as_suppliers_type_it(tmp_path, typed):
    d = read_workbook(write(CMRT(fields={"effective_date": typed}), tmp_path / "d.xlsx"))
    assert d.effective_date == dt.date(2024, 3, 31)
    assert [p for p in d.problems if p.code.endswith("-date")] == []


@pytest.mark.parametrize("typed,code,reason", [
    ("03/04/2024", "cmrt.ambiguous-date",
     "it reads as 2024-03-04 (US month/day) or as 2024-04-03 (day/month); write it as DD-MMM-YYYY"),
    ("31-Feb-2024", "cmrt.invalid-date", "there is no such day (year 2024, month 2, day 31)"),
    ("13/13/2024", "cmrt.invalid-date", "there is no such day (year 2024, month 13, day 13)"),
    ("next Tuesday", "cmrt.invalid-date",
     "it is not a date in any form the template or a supplier uses (expected DD-MMM-YYYY, e.g. 02-May-2024)"),
])
def test_ambiguous_or_impossible_date_is_kept_with_a_warning(tmp_path, typed, code, reason):
    d = read_workbook(write(CMRT(fields={"effective_date": typed}), tmp_path / "d.xlsx"))
    assert d.effective_date == typed
    assert [(p.code, p.severity, p.sheet, p.cell, p.message) for p in d.problems if p.code.endswith("-date")] == [
        (code, "warning", "Declaration", "D22", f"the effective date '{typed}' is kept as written: {reason}")]


def test_product_list_rows(tmp_path):
    spec = CMRT(fields={"declaration_scope": "B. Product (or List of Products)"},
                products={6: ("P-100", "Widget", ""), 9: ("P-200 ", "", "second"), 10: ("", "Nameless", "")})
    d = read_workbook(write(spec, tmp_path / "p.xlsx"))
    assert [(p.row, p.number, p.name, p.comments) for p in d.products] == [
        (6, "P-100", "Widget", ""), (9, "P-200", "", "second"), (10, "", "Nameless", "")]
    assert "cmrt.product-list-missing" not in codes(d)
    assert [(p.code, p.cell) for p in d.problems if p.sheet == "Product List"] == [
        ("cmrt.product-without-number", "B10")]


def test_revision_found_on_the_smelter_list_when_j3_is_empty(tmp_path):
    # Every template repeats the revision at the top of the Smelter List (N3 in 2.01, R3 in 1.00).
    spec = CMRT(family="2.03a", revision="", fields={"company_name": "Moved Rev"},
                cells={("Smelter List", "N3"): "Revision 2.03a July 25th, 2013"})
    d = read_workbook(write(spec, tmp_path / "r.xlsx"))
    assert (d.template_version, d.layout, d.company_name) == ("2.03a", "2.02-2.03a", "Moved Rev")
    assert "cmrt.unknown-version" not in codes(d)


def test_sheet_names_match_regardless_of_case_and_spaces(tmp_path):
    import openpyxl

    path = write(CMRT(fields={"company_name": "Renamed"},
                      smelters={5: {"metal": "Gold", "smelter_name": "M", "country": "PERU"}}),
                 tmp_path / "n.xlsx")
    wb = openpyxl.load_workbook(path)
    for old, new in (("Smelter List", "smelter list "), ("Declaration", "DECLARATION")):
        wb[old].title = "renaming"  # openpyxl refuses a title equal to another one but for case
        wb["renaming"].title = new
    wb.save(path)
    d = read_workbook(path)
    assert (d.readable, d.company_name, [s.smelter_name for s in d.smelters]) == (True, "Renamed", ["M"])
    assert {p.sheet for p in d.problems} == {"Declaration"}  # named as in the template


def test_v1_columns_without_a_model_field_are_kept_in_comments(tmp_path):
    spec = CMRT(family="1.00", smelters={
        5: {"metal": "Gold (Au)", "smelter_name": "Metalor", "tier": 1, "cfs_listed": "Yes",
            "product_category": "Bond wire", "comments": "audited"},
        6: {"tier": 2},
    })
    d = read_workbook(write(spec, tmp_path / "v1.xlsx"))
    assert [(s.metal, s.smelter_name, s.comments) for s in d.smelters] == [
        ("Gold", "Metalor", "audited; Tier level: 1; On the EICC-GeSI CFS list: Yes; Product category: Bond wire")]
    assert d.rejected == (Rejected(6, "no metal: column B is empty but the row has tier level", "Smelter and Mine List"),)


def test_template_prompt_in_id_source_is_not_a_source(tmp_path):
    spec = CMRT(smelters={5: {"metal": "Tin", "lookup": "Smelter not listed", "smelter_name": "New Tin Co",
                              "id_source": "Enter smelter details"},
                          6: {"metal": "Tin", "lookup": "Thaisarco", "smelter_id": "CID001898", "id_source": "RMI"}})
    d = read_workbook(write(spec, tmp_path / "g.xlsx"))
    assert [s.id_source for s in d.smelters] == ["", "RMI"]


def test_non_text_cells_in_the_smelter_list_read_as_text(tmp_path):
    spec = CMRT(smelters={5: {"metal": " Gold ", "smelter_name": 12345, "smelter_id": 801.0, "country": "PERU",
                              "recycled_scrap": True, "comments": dt.datetime(2024, 1, 2), "city": 0.5}})
    d = read_workbook(write(spec, tmp_path / "t.xlsx"))
    (s,) = d.smelters
    assert (s.metal, s.smelter_name, s.smelter_id, s.recycled_scrap, s.comments, s.city) == (
        "Gold", "12345", "801", "TRUE", "2024-01-02", "0.5")
    assert [(p.code, p.cell) for p in d.problems if p.sheet == "Smelter List"] == [
        ("cmrt.unrecognised-smelter-id", "F5")]
