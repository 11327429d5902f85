"""EMRT 1.x/2.x and CRT 2.x: read through the one reader, with the CMRT reader's guarantees."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from generator.supply.cmrt import read_workbook
from tests.cli import run_cli
from tests.emrt_fixtures import Answers, build, complete, fill

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ["CMR_CORPUS"]) if os.environ.get("CMR_CORPUS") else None


def _blank(name: str) -> Path:
    if CORPUS is None:
        pytest.skip("CMR_CORPUS not set: point it at the folder of blank templates (../shared/corpus)")
    return CORPUS / name


def _problems(d) -> list[tuple[str, str, str, str]]:
    return [(p.severity, p.code, p.sheet, p.cell) for p in d.problems]


SMELTERS = {5: {"metal": "Cobalt", "lookup": "Chemaf Etoile", "smelter_name": "Chemaf Etoile",
                "country": "CONGO, DEMOCRATIC REPUBLIC OF THE", "smelter_id": "CID003264", "id_source": "RMI"},
            7: {"metal": "Mica", "lookup": "Smelter not listed", "smelter_name": "Jharkhand Mica Works",
                "country": "INDIA"},
            9: {"metal": "Tin", "smelter_name": "Some tin smelter"}}


@pytest.mark.templates
@pytest.mark.parametrize("blank, kind, version, layout, minerals", [
    ("cirscn-blank-emrt-1.3.xlsx", "EMRT 1.3", "1.3", "EMRT 1.x", ("Cobalt", "Mica")),
    ("cirscn-blank-emrt-2.0.xlsx", "EMRT 2.0", "2.0", "EMRT 2.x", ("Cobalt", "Mica")),
    ("cirscn-blank-emrt-2.1.xlsx", "EMRT 2.1", "2.1", "EMRT 2.x", ("Cobalt", "Mica")),
])
def test_filled_emrt_blanks_are_read_as_emrt(tmp_path, blank, kind, version, layout, minerals):
    spec = complete(Answers(kind=kind, smelters=SMELTERS))
    d = read_workbook(fill(_blank(blank), spec, tmp_path / "answer.xlsx"))
    assert (d.readable, d.template, d.template_version, d.layout, d.minerals) == (True, "EMRT", version, layout, minerals)
    assert (d.company_name, d.declaration_scope, d.contact.email, d.effective_date.isoformat()) == (
        "Cobalt Parts Ltd.", "A. Company", "jo@example.com", "2025-03-31")
    assert [(q.key, [(a.metal, a.answer) for a in q.answers]) for q in d.questions][:2] == [
        ("intentionally_added", [("Cobalt", "Yes"), ("Mica", "Yes")]),
        ("remains_in_product", [("Cobalt", "Yes"), ("Mica", "Yes")])]
    assert [(s.row, s.metal, s.reported_name, s.smelter_id) for s in d.smelters] == [
        (5, "Cobalt", "Chemaf Etoile", "CID003264"), (7, "Mica", "Jharkhand Mica Works", "")]
    assert [(r.row, r.sheet, r.reason) for r in d.rejected] == [
        (9, "Smelter List", "unknown metal 'Tin': expected Cobalt, Copper, Graphite, Lithium, Mica or Nickel")]
    assert _problems(d) == []
    assert d.policy_url == "https://example.com/policy"


@pytest.mark.templates
def test_filled_crt_blank_is_read_as_crt(tmp_path):
    spec = complete(Answers(kind="CRT 2.2", smelters={5: SMELTERS[5]}))
    spec.answers["1"]["Cobalt"] = "Yes"
    d = read_workbook(fill(_blank("cirscn-blank-crt-2.2.xlsx"), spec, tmp_path / "crt.xlsx"))
    assert (d.template, d.template_version, d.layout, d.minerals) == ("CRT", "2.2", "CRT 2.x", ("Cobalt",))
    assert [(q.key, q.number, q.answers[0].cell, q.answers[0].answer) for q in d.questions] == [
        ("intentionally_added", 1, "D26", "Yes"), ("from_conflict_affected_areas", 2, "D32", "Yes"),
        ("recycled_or_scrap", 3, "D38", "Yes"), ("supplier_response_share", 4, "D44", "Greater than 90%"),
        ("all_smelters_identified", 5, "D50", "Yes"), ("all_smelter_info_reported", 6, "D56", "Yes")]
    assert [a.letter for a in d.company_questions] == list("ABCDEFGHI")
    assert [(s.metal, s.smelter_id) for s in d.smelters] == [("Cobalt", "CID003264")]
    assert _problems(d) == []


@pytest.mark.templates
def test_emrt_2_mine_list_is_read_and_incomplete_rows_rejected(tmp_path):
    spec = complete(Answers(kind="EMRT 2.1", smelters={5: SMELTERS[5]}, mines={
        5: {"metal": "Cobalt", "smelter_name": "Chemaf Etoile", "mine_name": "Etoile", "country": "CONGO, DEMOCRATIC REPUBLIC OF THE"},
        6: {"metal": "Cobalt", "smelter_name": "Chemaf Etoile"},
        8: {"metal": "Lithium", "mine_name": "Greenbushes"}}))
    spec.answers["1"]["Mica"] = "No"
    d = read_workbook(fill(_blank("cirscn-blank-emrt-2.1.xlsx"), spec, tmp_path / "mines.xlsx"))
    assert [(m.row, m.metal, m.mine_name, m.smelter_name, m.country) for m in d.mines] == [
        (5, "Cobalt", "Etoile", "Chemaf Etoile", "CONGO, DEMOCRATIC REPUBLIC OF THE"), (8, "Lithium", "Greenbushes", "", "")]
    assert [(r.row, r.sheet, r.reason) for r in d.rejected] == [
        (6, "Mine List", "no mine name: column C (Mine Facility (Site) Name) is required")]
    assert [(p.code, p.sheet, p.cell, p.message) for p in d.problems] == [
        ("emrt.mineral-not-in-scope", "Mine List", "A8",
         "row 8 lists a Lithium mine, but Lithium is not among the minerals in scope (Cobalt, Mica)")]


@pytest.mark.templates
def test_amrt_is_recognised_and_named_not_read(tmp_path):
    d = read_workbook(_blank("cirscn-blank-amrt-1.3.xlsx"))
    assert (d.template, d.template_version, d.smelters, d.questions) == ("AMRT", "1.3", (), ())
    assert [(p.code, p.cell) for p in d.problems] == [("cmrt.not-a-cmrt-template", "D2")]
    assert d.problems[0].message.startswith("is an AMRT (Additional Minerals Reporting Template, revision 1.3)")


@pytest.mark.templates
@pytest.mark.parametrize("blank, template, version", [
    ("cirscn-blank-emrt-1.3.xlsx", "EMRT", "1.3"), ("cirscn-blank-emrt-2.1.xlsx", "EMRT", "2.1"),
    ("cirscn-blank-crt-2.2.xlsx", "CRT", "2.2")])
def test_unfilled_blanks_read_with_the_templates_own_required_fields(blank, template, version):
    d = read_workbook(_blank(blank))
    assert (d.template, d.template_version, d.smelters, d.rejected) == (template, version, (), ())
    errors = {p.code for p in d.errors}
    assert {"cmrt.missing-company-name", "cmrt.missing-declaration-scope", "emrt.missing-answer"} <= errors


# --- small workbooks built in code, in the real layout --------------------------------------

def test_chosen_minerals_are_sorted_as_the_template_sorts_them(tmp_path):
    spec = Answers(chosen=("Nickel", "Cobalt", "Graphite"), answers={"1": {"Cobalt": "Yes", "Graphite": "No",
                                                                            "Nickel": "Unknown"}})
    d = read_workbook(build(spec, tmp_path / "e.xlsx"))
    assert d.minerals == ("Cobalt", "Graphite", "Nickel")
    assert [(a.metal, a.cell, a.answer) for a in d.question("intentionally_added").answers] == [
        ("Cobalt", "D30", "Yes"), ("Graphite", "D31", "No"), ("Nickel", "D32", "Unknown")]


def test_required_answers_follow_question_1_and_2(tmp_path):
    spec = Answers(chosen=("Cobalt", "Copper", "Mica"),
                   answers={"1": {"Cobalt": "No", "Copper": "Yes", "Mica": "Yes"}, "2": {"Mica": "No"}})
    d = read_workbook(build(spec, tmp_path / "e.xlsx"))
    missing = sorted(p.cell for p in d.problems if p.code == "emrt.missing-answer")
    # Cobalt (row 0, Q1 No): nothing more; Copper (row 1, Q1 Yes, Q2 blank): Q2 to Q7 and C;
    # Mica (row 2, Q2 No): nothing more; the company questions, as Copper needs them.
    assert missing == sorted(["D43", "D55", "D67", "D79", "D91", "D103", "D121",
                              "D115", "D117", "D131", "D133", "D135", "D137"])


def test_answers_outside_the_choices_and_below_the_minerals_are_warnings(tmp_path):
    spec = complete(Answers(chosen=("Cobalt",), smelters={5: SMELTERS[5]}))
    spec.answers["3"]["Cobalt"] = "Maybe"
    spec.cells[("Declaration", "D31")] = "Yes"  # a row with no mineral: only one is chosen
    d = read_workbook(build(spec, tmp_path / "e.xlsx"))
    assert [(p.code, p.cell, p.message) for p in d.problems] == [
        ("emrt.answer-without-mineral", "D31",
         "question 1 has an answer ('Yes') in a row with no mineral: only 1 mineral(s) are chosen in scope; not read"),
        ("emrt.unknown-answer", "D54",
         "question 3 (from_conflict_affected_areas), Cobalt: 'Maybe' is not one of the template's choices: "
         "Yes; No; Unknown")]


def test_no_mineral_chosen_is_an_error(tmp_path):
    d = read_workbook(build(Answers(chosen=()), tmp_path / "e.xlsx"))
    assert d.minerals == ()
    assert [(p.severity, p.code, p.cell, p.message) for p in d.problems if p.code == "emrt.no-minerals"] == [
        ("error", "emrt.no-minerals", "D12", "no mineral is chosen in scope (D12:G13); the template requires one")]


def test_used_mineral_without_smelters_and_public_policy_without_url_are_warnings(tmp_path):
    spec = complete(Answers(chosen=("Cobalt",)))
    spec.company["B"] = ("Yes", "see our website")
    d = read_workbook(build(spec, tmp_path / "e.xlsx"))
    assert [(p.code, p.sheet, p.cell) for p in d.problems] == [
        ("emrt.policy-url-missing", "Declaration", "G117"), ("emrt.no-smelters-listed", "Smelter List", "B5")]


def test_unknown_emrt_revision_is_read_with_its_family_and_a_warning(tmp_path):
    spec = complete(Answers(chosen=("Cobalt",), smelters={5: SMELTERS[5]},
                            cells={("Declaration", "J3"): "Revision 2.2\nMay 1, 2026"}))
    d = read_workbook(build(spec, tmp_path / "e.xlsx"))
    assert (d.template_version, d.layout) == ("2.2", "EMRT 2.x")
    assert [(p.code, p.cell, p.message) for p in d.problems] == [
        ("emrt.unknown-version", "J3", "EMRT revision 2.2 is not one this reader knows; read with the EMRT 2.x layout (as 2.1)")]


def test_unsupported_emrt_revision_is_a_problem_never_a_guess(tmp_path):
    spec = Answers(cells={("Declaration", "J3"): "Revision 3.0\nMay 1, 2027"})
    d = read_workbook(build(spec, tmp_path / "e.xlsx"))
    assert (d.template, d.template_version) == ("EMRT", "3.0")
    assert (d.readable, [(p.code, p.message) for p in d.problems]) == (False, [(
        "emrt.unsupported-version", "is an Extended Minerals Reporting Template (EMRT) with template revision 3.0, "
                                    "which this reader does not support")])


def test_crt_questions_after_1_are_waived_by_no(tmp_path):
    spec = Answers(kind="CRT 2.2", answers={"1": {"Cobalt": "No"}})
    d = read_workbook(build(spec, tmp_path / "c.xlsx"))
    assert [p for p in d.problems if p.code.startswith("emrt.")] == []


def test_read_json_names_the_template_and_the_mineral_of_each_row(tmp_path):
    spec = complete(Answers(chosen=("Cobalt", "Mica"), smelters={5: SMELTERS[5], 7: SMELTERS[7]},
                            mines={5: {"metal": "Cobalt", "mine_name": "Etoile", "smelter_name": "Chemaf Etoile"}}))
    path = build(spec, tmp_path / "e.xlsx")
    out = run_cli("read", "--json", str(path), cwd=ROOT)
    assert out.returncode == 0, out.stderr
    [o] = json.loads(out.stdout)
    assert (o["template"], o["template_version"], o["minerals"]) == ("EMRT", "2.1", ["Cobalt", "Mica"])
    assert [(s["row"], s["metal"]) for s in o["smelters"]] == [(5, "Cobalt"), (7, "Mica")]
    assert [(m["row"], m["metal"], m["mine_name"]) for m in o["mines"]] == [(5, "Cobalt", "Etoile")]
    text = run_cli("read", str(path), cwd=ROOT).stdout
    assert f"{path}: EMRT 2.1 (xlsx)\n  company: Cobalt Parts Ltd.\n  minerals in scope: Cobalt, Mica\n" in text
    assert "  smelter rows: 2 (Cobalt 1, Mica 1); rejected rows: 0\n" in text and "  mine rows: 1\n" in text


def test_emrt_2_product_list_keeps_the_requesters_columns(tmp_path):
    spec = complete(Answers(chosen=("Cobalt",), smelters={5: SMELTERS[5]}))
    spec.fields["declaration_scope"] = "B. Product (or List of Products)"
    spec.cells.update({("Product List", "B6"): "P-100", ("Product List", "C6"): "Cable", ("Product List", "D6"): "R-9",
                       ("Product List", "E6"): "Harness", ("Product List", "F6"): "blue",
                       ("Product List", "B7"): "P-200"})
    d = read_workbook(build(spec, tmp_path / "e.xlsx"))
    assert [(p.row, p.number, p.name, p.comments) for p in d.products] == [
        (6, "P-100", "Cable", "blue; Requester's product number: R-9; Requester's product name: Harness"),
        (7, "P-200", "", "")]
    assert [p.code for p in d.problems] == []


def test_mine_list_is_read_bounded(tmp_path):
    from generator.supply.cmrt import MAX_LIST_ROWS
    spec = complete(Answers(chosen=("Cobalt",), smelters={5: SMELTERS[5]}, mines={
        5: {"metal": "Cobalt", "mine_name": "Etoile"},
        5 + MAX_LIST_ROWS + 3: {"metal": "Cobalt", "mine_name": "Far below"}}))
    d = read_workbook(build(spec, tmp_path / "e.xlsx"))
    assert [m.mine_name for m in d.mines] == ["Etoile"]
    assert [(p.code, p.sheet, p.cell, p.message) for p in d.problems] == [
        ("cmrt.too-many-rows", "Mine List", f"A{5 + MAX_LIST_ROWS}",
         f"the list has 1 more row with cells from row {5 + MAX_LIST_ROWS:,} on, beyond the {MAX_LIST_ROWS:,} rows a "
         f"list may have; they were not read")]
