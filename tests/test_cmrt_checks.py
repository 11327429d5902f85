"""Per-file checks: each problem with its code, sheet, cell, severity and message."""
from __future__ import annotations

from cmrt_fixtures import METALS, full_declaration, write

from generator.supply.cmrt import read_workbook


def problems(d, code):
    return [(p.sheet, p.cell, p.severity, p.message) for p in d.problems if p.code == code]


def test_a_complete_declaration_has_no_problems(tmp_path):
    d = read_workbook(write(full_declaration("6.5"), tmp_path / "ok.xlsx"))
    assert d.problems == ()


def test_required_fields_missing(tmp_path):
    spec = full_declaration("6.5")
    del spec.fields["company_name"], spec.fields["contact_email"]
    d = read_workbook(write(spec, tmp_path / "missing.xlsx"))
    assert problems(d, "cmrt.missing-company-name") == [
        ("Declaration", "D8", "error", "required field 'Company name' is empty")]
    assert problems(d, "cmrt.missing-contact-email") == [
        ("Declaration", "D16", "error", "required field 'Contact email' is empty")]
    assert d.readable  # a missing field is a problem, not a failure to read


def test_required_fields_differ_by_version(tmp_path):
    # 6.x made "Phone - Authorizer" optional; 3.01 requires it. 1.00 asks for the date in E17/H17/J17.
    for family, expected in (("6.5", []), ("3.01", [("Declaration", "D21")])):
        spec = full_declaration(family)
        del spec.fields["authorizer_phone"]
        d = read_workbook(write(spec, tmp_path / f"{family}.xlsx"))
        assert [(s, c) for s, c, *_ in problems(d, "cmrt.missing-authorizer-phone")] == expected
    spec = full_declaration("1.00")
    del spec.fields["effective_date"]
    d = read_workbook(write(spec, tmp_path / "v1.xlsx"))
    assert [(s, c) for s, c, *_ in problems(d, "cmrt.missing-effective-date")] == [("Declaration", "E17")]


def test_unanswered_required_question(tmp_path):
    spec = full_declaration("6.5")
    del spec.answers[1]["Tin"]
    d = read_workbook(write(spec, tmp_path / "q.xlsx"))
    assert problems(d, "cmrt.missing-answer") == [
        ("Declaration", "D27", "error", "question 1 (intentionally_added) is not answered for Tin")]


def test_unknown_answer_values(tmp_path):
    spec = full_declaration("6.5")
    spec.answers[3] = {"Gold": "Maybe"}
    spec.company["H"] = ("Yes, with the SEC", "")
    spec.company["E"] = ("Sometimes", "")
    d = read_workbook(write(spec, tmp_path / "u.xlsx"))
    assert problems(d, "cmrt.unknown-answer") == [
        ("Declaration", "D40", "warning",
         "question 3 (from_covered_countries), Gold: 'Maybe' is not one of the template's choices: Yes; No; Unknown"),
        ("Declaration", "D83", "warning",
         ("question E (supplier_survey): 'Sometimes' is not one of the template's choices: Yes, in conformance "
          "with IPC1755 (e.g., CMRT); Yes, using other format (describe); No")),
    ]


def test_all_smelters_identified_but_none_listed(tmp_path):
    spec = full_declaration("6.5")
    spec.answers[1]["Tungsten"] = spec.answers[2]["Tungsten"] = "Yes"
    spec.answers[7] = dict.fromkeys(METALS, "Yes")
    d = read_workbook(write(spec, tmp_path / "i.xlsx"))
    # Gold, Tin and Tantalum are listed in the fixture; Tungsten is not.
    assert problems(d, "cmrt.identified-but-none-listed") == [
        ("Declaration", "D65", "warning",
         "question 7 says all Tungsten smelters are identified, but the smelter list has no Tungsten row")]


def test_smelters_listed_for_a_metal_declared_not_used(tmp_path):
    spec = full_declaration("6.5")
    spec.answers[1]["Gold"] = "No"
    d = read_workbook(write(spec, tmp_path / "n.xlsx"))
    assert problems(d, "cmrt.smelters-for-unused-metal") == [
        ("Declaration", "D28", "warning", "1 smelter row(s) list Gold, but question 1 declares Gold not used")]


def test_product_scope_without_product_list(tmp_path):
    spec = full_declaration("3.01")
    spec.fields["declaration_scope"] = "B. Product (or List of Products)"
    d = read_workbook(write(spec, tmp_path / "p.xlsx"))
    assert problems(d, "cmrt.product-list-missing") == [
        ("Product List", "B6", "warning",
         "the declaration scope is 'B. Product (or List of Products)', which asks for the products' numbers, "
         "but the Product List has no product")]
    spec = full_declaration("2.03a")
    spec.fields["declaration_scope"] = "D. Product Level"
    d = read_workbook(write(spec, tmp_path / "p2.xlsx"))
    assert [c for _, c, *_ in problems(d, "cmrt.product-list-missing")] == ["B6"]


def test_unknown_declaration_scope(tmp_path):
    spec = full_declaration("6.5")
    spec.fields["declaration_scope"] = "Z. Galaxy"
    d = read_workbook(write(spec, tmp_path / "s.xlsx"))
    assert [(s, c, sev) for s, c, sev, _ in problems(d, "cmrt.unknown-scope")] == [("Declaration", "D9", "warning")]
    assert d.declaration_scope == "Z. Galaxy"


def test_missing_later_answer_for_a_metal_in_use_is_an_error(tmp_path):
    spec = full_declaration("3.01")
    spec.answers[7].pop("Gold")  # a real 3.01 declaration leaves D64 (gold, Q7) empty
    d = read_workbook(write(spec, tmp_path / "g.xlsx"))
    assert problems(d, "cmrt.missing-answer") == [
        ("Declaration", "D64", "error",
         "question 7 (all_smelter_info_reported) is not answered for Gold, which the template makes mandatory "
         "when question 1 or 2 is Yes")]


def test_6x_asks_q2_to_q8_only_for_a_metal_with_q1_yes(tmp_path):
    # The 6.x Instructions: Q2 "shall be answered for each 3TG for which the answer to question 1 is
    # yes"; Q3-Q8 are mandatory for a metal whose Q1 and Q2 are Yes (the centralglass file).
    spec = full_declaration("6.5")
    for number in range(2, 9):
        spec.answers[number] = {"Tantalum": spec.answers[number]["Tantalum"]}
    spec.answers[1] = {"Tantalum": "Yes", "Tin": "No", "Gold": "No", "Tungsten": "No"}
    spec.smelters = {9: spec.smelters[9]}
    d = read_workbook(write(spec, tmp_path / "q1.xlsx"))
    assert d.problems == ()
    spec.answers[2]["Tin"] = "No"                   # answered though not asked: fine
    spec.answers[1]["Gold"] = "Yes"                 # Gold in use: Q2 asked; Q3-Q8 wait for Q2
    d = read_workbook(write(spec, tmp_path / "q2.xlsx"))
    assert [(p.cell, p.severity, p.message) for p in d.problems] == [
        ("D34", "error", "question 2 (remains_in_product) is not answered for Gold, which the template makes "
                         "mandatory when question 1 is Yes")]
    spec.answers[2]["Gold"] = "Yes"                 # now Gold's Q3-Q8 are mandatory too
    d = read_workbook(write(spec, tmp_path / "q3.xlsx"))
    assert [(p.code, p.cell) for p in d.problems] == [
        ("cmrt.in-scope-metal-without-smelters", "D28"),
        *[("cmrt.missing-answer", f"D{row + 2}") for row in (38, 44, 50, 56, 62, 68)]]
    assert d.problems[1].message == ("question 3 (from_covered_countries) is not answered for Gold, which the "
                                     "template makes mandatory when questions 1 and 2 are Yes")


def test_company_questions_are_mandatory_only_when_a_metal_is_in_scope(tmp_path):
    spec = full_declaration("6.5")
    del spec.company["C"]
    d = read_workbook(write(spec, tmp_path / "c.xlsx"))
    assert problems(d, "cmrt.missing-answer") == [
        ("Declaration", "D79", "error", "question C (require_validated_smelters) is not answered, which the "
                                        "template makes mandatory when questions 1 and 2 are Yes for any metal")]
    # No metal in scope: the template asks nothing more (2.x: Q2-Q6 and A-J only after a Yes to Q1).
    for family in ("6.5", "3.01", "2.03a", "1.00"):
        spec = full_declaration(family)
        spec.answers = {1: dict.fromkeys(METALS, "No"), 2: dict.fromkeys(METALS, "No")}
        spec.company, spec.smelters = {}, {}
        d = read_workbook(write(spec, tmp_path / f"none-{family}.xlsx"))
        assert [p for p in d.problems if p.code == "cmrt.missing-answer"] == [], family


def test_metal_in_scope_without_smelter_rows(tmp_path):
    # The honeywell file: Tin and Gold declared used (Q1, Q2 Yes) with no rows, Q7 not saying all identified.
    spec = full_declaration("6.5")
    spec.answers[1]["Tungsten"] = spec.answers[2]["Tungsten"] = "Yes"
    d = read_workbook(write(spec, tmp_path / "w.xlsx"))
    assert problems(d, "cmrt.in-scope-metal-without-smelters") == [
        ("Declaration", "D29", "warning", "the answers declare Tungsten used (questions 1 and 2 are Yes), but the "
                                          "smelter list has no Tungsten row; the template's Checker asks for them")]


def test_smelter_row_without_country(tmp_path):
    spec = full_declaration("6.5")
    spec.smelters[7] = {"metal": "Tin", "lookup": "Thaisarco", "smelter_id": "CID001898"}
    spec.smelters[8] = {"metal": "Tin", "lookup": "Smelter not yet identified"}   # no country to give
    d = read_workbook(write(spec, tmp_path / "c.xlsx"))
    assert problems(d, "cmrt.smelter-without-country") == [
        ("Smelter List", "E7", "warning", "row 7 lists Tin smelter 'Thaisarco' without a country (a mandatory column)")]


def test_lookup_choice_that_disagrees_with_the_templates_lookup_sheet(tmp_path):
    spec = full_declaration("6.5")
    spec.smelters = {5: {"metal": "Gold", "lookup": "Asahi Pretec Corp.", "smelter_id": "CID000082", "country": "JAPAN"},
                     6: {"metal": "Gold", "lookup": "Asahi Pretec Corp.", "smelter_id": "CID000801", "country": "JAPAN"},
                     7: {"metal": "Tin", "lookup": "Thaisarco", "smelter_id": "CID001898", "country": "THAILAND"},
                     9: spec.smelters[9]}
    lookup = {(5, "A"): "Gold", (5, "B"): "Asahi Pretec Corp.", (5, "C"): "ASAHI METALFINE, Inc.", (5, "E"): "CID000082",
              (6, "A"): "Gold", (6, "B"): "Inner Mongolia Qiankun Gold and Silver Refinery Share Co., Ltd.",
              (6, "C"): "Inner Mongolia Qiankun Gold and Silver Refinery Share Co., Ltd.", (6, "E"): "CID000801"}
    spec.cells = {("Smelter Look-up", f"{col}{row}"): v for (row, col), v in lookup.items()}
    d = read_workbook(write(spec, tmp_path / "l.xlsx"))
    # Row 5 chose an alias of its ID; row 7's ID is not on the sheet: neither is flagged.
    assert problems(d, "cmrt.lookup-name-mismatch") == [
        ("Smelter List", "C6", "warning",
         "row 6 chooses 'Asahi Pretec Corp.' in the look-up column, but the template's 'Smelter Look-up' sheet gives "
         "CID000801 to 'Inner Mongolia Qiankun Gold and Silver Refinery Share Co., Ltd.': check the choice or the ID")]


def test_scope_that_asks_for_a_description(tmp_path):
    spec = full_declaration("6.5")
    spec.fields["declaration_scope"] = "C. User defined [Specify in 'Description of scope']"
    d = read_workbook(write(spec, tmp_path / "s.xlsx"))
    assert problems(d, "cmrt.missing-scope-description") == [
        ("Declaration", "D10", "error", ("the declaration scope 'C. User defined [Specify in 'Description of "
                                         "scope']' asks for a description of the scope, which is empty"))]
    spec.fields["scope_description"] = "Connectors division"
    d = read_workbook(write(spec, tmp_path / "t.xlsx"))
    assert (d.scope_description, d.problems) == ("Connectors division", ())


def test_smelter_not_listed_without_name_or_country(tmp_path):
    spec = full_declaration("6.5")
    spec.smelters = {5: {"metal": "Gold", "lookup": "Smelter not listed", "country": "PERU"},
                     6: {"metal": "Gold", "lookup": "smelter NOT listed", "smelter_name": "X Refinery"},
                     7: {"metal": "Gold", "lookup": "Smelter not listed", "smelter_name": "Y", "country": "PERU"}}
    d = read_workbook(write(spec, tmp_path / "u.xlsx"))
    assert problems(d, "cmrt.unlisted-smelter-incomplete") == [
        ("Smelter List", "D5", "warning", "row 5 chooses 'Smelter not listed' but gives no smelter name"),
        ("Smelter List", "E6", "warning", "row 6 chooses 'Smelter not listed' but gives no smelter country"),
    ]
