"""Per-file checks: each problem with its code, sheet, cell, severity and message."""
from __future__ import annotations

from cmrt_fixtures import CMRT, METALS, full_declaration, write

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
        ("Product List", "B6", "error",
         "the declaration scope is 'B. Product (or List of Products)' but the Product List has no product")]
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


def test_missing_later_answer_for_a_metal_in_use_is_a_warning(tmp_path):
    spec = CMRT(family="3.01", fields=full_declaration("3.01").fields,
                answers={1: dict.fromkeys(METALS, "Yes"), 2: dict.fromkeys(METALS, "Yes"),
                         **{n: dict.fromkeys(METALS, "Yes") for n in (3, 4, 6, 7)},
                         5: dict.fromkeys(METALS, "Yes, 100%")})
    spec.answers[7].pop("Gold")  # a real 3.01 declaration leaves D64 (gold, Q7) empty
    d = read_workbook(write(spec, tmp_path / "g.xlsx"))
    assert problems(d, "cmrt.missing-answer") == [
        ("Declaration", "D64", "warning",
         "question 7 (all_smelter_info_reported) is not answered for Gold, which is declared in use")]


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
