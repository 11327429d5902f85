"""`rollup`: the company's own CMRT, filled into a blank template's XML and read back."""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from defusedxml import ElementTree
from openpyxl.worksheet.datavalidation import DataValidation

from generator.commands.rollup import RollupRow, run_rollup
from generator.excel import fill
from generator.problems import UserError
from generator.supply.cmrt import read_workbook
from tests import cmrt_fixtures as fx
from tests.cli import run_cli
from tests.project import make_project, write_smelters

CORPUS = os.environ.get("CMR_CORPUS", "")
TODAY = dt.date(2025, 5, 2)
SMELTER_HEADER = ("Metal", "Smelter or refiner", "Conflict-free designation", "Smelter ID", "Country")

DECLARATION_YML = """\
scope: company
unique_id: "123456789"
unique_id_authority: DUNS
contact:
  email: pat@example.com
authorizer:
  name: Alex Roe
  title: General Counsel
  email: alex@example.com
  phone: (555) 010-0001
effective_date: 2025-05-01
metals:
  gold:
    remains_in_product: Yes
    from_covered_countries: Unknown
    from_conflict_affected_areas: No
    recycled_or_scrap: No
    supplier_response_share: 100%
    comments:
      from_covered_countries: Two suppliers could not say.
  tin: {remains_in_product: Yes, from_covered_countries: No, from_conflict_affected_areas: No,
        recycled_or_scrap: No, supplier_response_share: Greater than 75%}
  tungsten: {remains_in_product: Yes, from_covered_countries: No, from_conflict_affected_areas: No,
             recycled_or_scrap: No, supplier_response_share: Greater than 90%}
questions:
  policy_public: Yes
  require_validated_smelters: Yes
  due_diligence_measures: Yes
  supplier_survey: Yes, in conformance with IPC1755 (e.g., CMRT)
  review_due_diligence: No
  corrective_action: Yes
  comments:
    policy_public: https://example.com/policy
"""

LOOKUP = [  # metal, look-up name (alias), standard name, country, ID, source, street, city, state
    ("Gold", "Amagasaki Factory", "Asahi Pretec Corp.", "JAPAN", "CID000082", "RMI", "", "Kobe", "Hyogo"),
    ("Gold", "Asahi Pretec Corp.", "Asahi Pretec Corp.", "JAPAN", "CID000082", "RMI", "", "Kobe", "Hyogo"),
    ("Tin", "PT Timah Tbk Mentok", "PT Timah Tbk Mentok", "INDONESIA", "CID001482", "RMI", "", "Mentok", ""),
]
COUNTRIES = ["JAPAN", "INDONESIA", "BOLIVIA (PLURINATIONAL STATE OF)", "CHINA"]
FACILITIES = [
    ("Gold", "Asahi Pretec Corporation", "Conflict-free", "CID000082", "Japan"),
    ("Tin", "Bolivian Tin Works", "Not designated", "", "Bolivia"),
    ("Tungsten", "New Wolfram", "Not designated", "CID009999", "China"),
]


def blank(path: Path, rows: int = 5) -> Path:
    """A blank CMRT 6.5 in the real layout: the Smelter List's look-up formulas (as in the RMI
    template), a Smelter Look-up, the country list and the Q6 dropdown storing 100% as 1."""
    cells: dict[tuple[str, str], object] = {}
    for r in range(5, 5 + rows):
        cells.update({
            ("Smelter List", f"B{r}"): f"=IF(LEN(A{r})=0,\"\",INDEX('Smelter Look-up'!$A:$A,MATCH($A{r},'Smelter Look-up'!$E:$E,0)))",
            ("Smelter List", f"C{r}"): f"=IF(LEN(A{r})=0,\"\",INDEX('Smelter Look-up'!$C:$C,MATCH($A{r},'Smelter Look-up'!$E:$E,0)))",
            **{("Smelter List", f"{c}{r}"): f"=IF(ISERROR($V{r}),\"\",OFFSET('Smelter Look-up'!${s}$4,$V{r}-4,0))"
               for c, s in zip("EFGHIJ", "DEFGHI")},
            ("Smelter List", f"V{r}"): f"=MATCH($B{r}&$C{r},'Smelter Look-up'!$J:$J,0)",
        })
    for i, entry in enumerate(LOOKUP):
        cells.update({("Smelter Look-up", f"{c}{5 + i}"): v for c, v in zip("ABCDEFGHI", entry) if v})
    cells.update({("C", f"B{2 + i}"): name for i, name in enumerate(COUNTRIES)})
    cells.update({("Declaration", f"B{96 + i}"): v for i, v in enumerate(
        [1, "Greater than 90%", "Greater than 75%", "Greater than 50%", "50% or less", "None"])})
    fx.write(fx.CMRT(family="6.5", language="中文 Chinese", cells=cells), path)
    book = openpyxl.load_workbook(path)
    validation = DataValidation(type="list", formula1="$B$96:$B$101")
    validation.add("D56:E59")
    book["Declaration"].add_data_validation(validation)
    book.save(path)
    return path


def project(root: Path, declaration: str | None = DECLARATION_YML, facilities=FACILITIES) -> Path:
    make_project(root)
    write_smelters(root / "data/smelters.xlsx", facilities, header=SMELTER_HEADER)
    if declaration is not None:
        (root / "data/declaration.yml").write_text(declaration, encoding="utf-8")
    return root


def rows_read(path: Path) -> list[tuple]:
    return [(s.row, s.metal, s.lookup, s.smelter_name, s.country, s.smelter_id, s.id_source, s.comments)
            for s in read_workbook(path).smelters]


def answers_read(path: Path) -> dict:
    d = read_workbook(path)
    return {(q.key, a.metal): a.answer for q in d.questions for a in q.answers}


def test_rollup_fills_a_blank_and_reads_back(tmp_path):
    root = project(tmp_path / "p")
    template = blank(tmp_path / "blank.xlsx")
    output, rollup, problems = run_rollup(root, template, None, today=TODAY)
    assert output == root / "build/cmrt-rollup-2024.xlsx"
    assert [str(p) for p in problems.sorted()] == [
        "data/smelters.xlsx, sheet 'Smelters', row 4: warning: Tungsten facility 'New Wolfram': smelter ID CID009999 "
        "is not in the Smelter Look-up of template revision 6.5; written as 'Smelter not listed' with its name and "
        "country, the ID in the comments (a newer template may list it) [rollup.id-not-in-template]"]
    back = read_workbook(output)
    assert back.errors == [] and back.problems == ()
    assert (back.template_version, back.language) == ("6.5", "中文 Chinese")
    assert (back.company_name, back.declaration_scope, back.unique_id, back.unique_id_authority, back.address) == (
        "Example Devices Inc.", "A. Company", "123456789", "DUNS", "1 Main Street, Springfield, Oregon 97477, United States")
    assert (back.contact.name, back.contact.email, back.contact.phone) == ("Pat Doe", "pat@example.com", "(555) 010-0000")
    assert (back.authorizer.name, back.authorizer.title, back.authorizer.email, back.authorizer.phone) == (
        "Alex Roe", "General Counsel", "alex@example.com", "(555) 010-0001")
    assert back.effective_date == dt.date(2025, 5, 1)
    assert rows_read(output) == [
        (5, "Gold", "Asahi Pretec Corp.", "Asahi Pretec Corp.", "JAPAN", "CID000082", "RMI", ""),
        (6, "Tin", "Smelter not listed", "Bolivian Tin Works", "BOLIVIA (PLURINATIONAL STATE OF)", "", "", ""),
        (7, "Tungsten", "Smelter not listed", "New Wolfram", "CHINA", "", "",
         "Smelter ID CID009999 (not in this template's Smelter Look-up)"),
    ]
    assert rollup.rows == tuple(RollupRow(*r) for r in rows_read(output))
    answers = answers_read(output)
    # defaults: Q1 from the metals listed; Q2 No where Q1 is; Q7 Yes where every facility has an ID; Q8 Yes
    assert [answers[("intentionally_added", m)] for m in fx.METALS] == ["No", "Yes", "Yes", "Yes"]
    assert [answers[("remains_in_product", m)] for m in fx.METALS] == ["No", "Yes", "Yes", "Yes"]
    assert [answers[("all_smelters_identified", m)] for m in fx.METALS] == ["", "No", "Yes", "Yes"]
    assert [answers[("all_smelter_info_reported", m)] for m in fx.METALS] == ["", "Yes", "Yes", "Yes"]
    assert [answers[("supplier_response_share", m)] for m in fx.METALS] == [
        "", "Greater than 75%", "100%", "Greater than 90%"]
    gold = back.question("from_covered_countries").answers[2]
    assert (gold.metal, gold.answer, gold.comment) == ("Gold", "Unknown", "Two suppliers could not say.")
    assert [(a.letter, a.answer, a.comment) for a in back.company_questions] == [
        ("A", "Yes", ""), ("B", "Yes", "https://example.com/policy"), ("C", "Yes", ""), ("D", "Yes", ""),
        ("E", "Yes, in conformance with IPC1755 (e.g., CMRT)", ""), ("F", "No", ""), ("G", "Yes", ""),
        ("H", "Yes, with the SEC", "")]
    assert back.policy_url == "https://example.com/policy"


def test_the_cells_keep_their_formulas_and_the_dropdowns_own_values(tmp_path):
    root = project(tmp_path / "p")
    template = blank(tmp_path / "blank.xlsx")
    output, _, _ = run_rollup(root, template, tmp_path / "out.xlsx", today=TODAY)
    with zipfile.ZipFile(output) as z:
        smelters = z.read("xl/worksheets/sheet5.xml").decode()
        declaration = z.read("xl/worksheets/sheet4.xml").decode()
    # Option A (a listed smelter): the ID in column A, the template's formulas kept with their results cached
    assert re.search(r'<c r="A5"[^>]*t="inlineStr"><is><t>CID000082</t></is></c>', smelters)
    assert re.search(r'<c r="C5"[^>]*t="str"><f>IF\(LEN\(A5\)=0.*?</f><v>Asahi Pretec Corp\.</v></c>', smelters)
    assert re.search(r'<c r="H5"[^>]*><f>IF\(ISERROR.*?</f><v>0</v></c>', smelters)  # OFFSET of an empty cell
    # Option C ("Smelter not listed"): metal, look-up, name and country entered; the other formulas stay
    assert re.search(r'<c r="C6"[^>]*t="inlineStr"><is><t>Smelter not listed</t></is></c>', smelters)
    assert re.search(r'<c r="F6"[^>]*><f>IF\(ISERROR\(\$V6\)', smelters)
    assert re.search(r'<c r="V6"[^>]*><f>MATCH', smelters)
    # Q6 for gold (D58): 100% as the dropdown stores it, the number 1
    assert re.search(r'<c r="D58"[^>]*><v>1</v></c>', declaration)
    # the date as a serial number
    assert re.search(r'<c r="D22"[^>]*><v>45778</v></c>', declaration)


def test_without_declaration_yml_the_required_answers_are_named(tmp_path):
    root = project(tmp_path / "p", declaration=None)
    template = blank(tmp_path / "blank.xlsx")
    with pytest.raises(UserError) as caught:
        run_rollup(root, template, None, today=TODAY)
    messages = [str(p) for p in caught.value.problems.sorted() if p.severity == "error"]
    expected = [
        "data/declaration.yml, key 'authorizer.email': error: the template requires the authorizer email; "
        "expected it here [rollup.missing-answer]",
        "data/declaration.yml, key 'authorizer.name': error: the template requires the authorizer name; "
        "expected it here [rollup.missing-answer]",
        "data/declaration.yml, key 'contact.email': error: the template requires the contact email; expected it "
        "here (or as contact.email in data/company.yml) [rollup.missing-answer]",
    ]
    for metal in ("gold", "tin", "tungsten"):
        expected.append(f"data/declaration.yml, key 'metals.{metal}.remains_in_product': error: question 2 "
                        f"(remains_in_product) is required when question 1 is Yes for {metal.title()}; expected one of: Yes; No "
                        f"[rollup.missing-answer]")
    assert sorted(messages) == sorted(expected)
    assert not (root / "build").exists()  # nothing written; Q3-Q6 are asked for once Q2 says Yes


def test_an_in_scope_metal_needs_its_questions_and_answers_must_be_the_templates(tmp_path):
    text = DECLARATION_YML.replace("    from_covered_countries: Unknown\n", "").replace(
        "supplier_response_share: 100%", "supplier_response_share: most").replace("  review_due_diligence: No\n", "")
    root = project(tmp_path / "p", declaration=text)
    with pytest.raises(UserError) as caught:
        run_rollup(root, blank(tmp_path / "blank.xlsx"), None, today=TODAY)
    assert [str(p) for p in caught.value.problems.sorted() if p.severity == "error"] == [
        "data/declaration.yml, line 13, key 'metals.gold.from_covered_countries': error: question 3 "
        "(from_covered_countries) is required when questions 1 and 2 are Yes for Gold; expected one of: Yes; No; "
        "Unknown [rollup.missing-answer]",
        "data/declaration.yml, line 17, key 'metals.gold.supplier_response_share': error: 'most' is not one of the "
        "template's choices: 100%; Greater than 90%; Greater than 75%; Greater than 50%; 50% or less; None "
        "[rollup.unknown-answer]",
        "data/declaration.yml, line 24, key 'questions.review_due_diligence': error: question F "
        "(review_due_diligence) is required when questions 1 and 2 are Yes for a metal; expected one of: Yes; No "
        "[rollup.missing-answer]",
    ]


def test_an_unlisted_facility_needs_its_country(tmp_path):
    facilities = [("Gold", "Nameless Refinery", "Not designated", "", "")]
    root = project(tmp_path / "p", facilities=facilities)
    with pytest.raises(UserError) as caught:
        run_rollup(root, blank(tmp_path / "blank.xlsx"), None, today=TODAY)
    assert [str(p) for p in caught.value.problems.sorted()] == [
        "data/smelters.xlsx, sheet 'Smelters', row 2: error: Gold facility 'Nameless Refinery' is not in the "
        "template's Smelter Look-up, so it is entered as 'Smelter not listed', for which the template requires "
        "its country; expected a country for it in the smelter list [rollup.unlisted-without-country]"]


def test_a_template_that_is_not_blank_or_not_6x_is_refused(tmp_path):
    root = project(tmp_path / "p")
    filled = fx.write(fx.full_declaration("6.5"), tmp_path / "filled.xlsx")
    with pytest.raises(UserError) as caught:
        run_rollup(root, filled, None, today=TODAY)
    assert [str(p) for p in caught.value.problems.sorted()] == [
        f"{filled}, sheet 'Smelter List', cell B5: error: the template already lists 3 smelter row(s); expected a "
        f"blank template, so that no row of another declaration stays in the roll-up [rollup.template-not-blank]"]
    old = fx.write(fx.CMRT(family="3.01"), tmp_path / "old.xlsx")
    with pytest.raises(UserError) as caught:
        run_rollup(root, old, None, today=TODAY)
    assert [str(p) for p in caught.value.problems.sorted()] == [
        f"{old}: error: is a xlsx CMRT of revision 3.01; expected a blank RMI CMRT 6.x (.xlsx), as downloaded "
        f"from the RMI [rollup.template-version]"]


def test_more_facilities_than_rows_is_a_problem(tmp_path):
    facilities = [("Gold", f"Refinery {i}", "Not designated", "", "Japan") for i in range(3)]
    root = project(tmp_path / "p", facilities=facilities)
    template = blank(tmp_path / "blank.xlsx", rows=2)
    with pytest.raises(UserError) as caught:
        run_rollup(root, template, None, today=TODAY)
    assert [str(p) for p in caught.value.problems.sorted()] == [
        f"{template}, sheet 'Smelter List': error: the report publishes 3 facilities, but the template's Smelter "
        f"List has 2 rows [rollup.too-many-facilities]"]


def test_cli_rollup(tmp_path):
    root = project(tmp_path / "p")
    blank(root / "blank.xlsx")
    result = run_cli("rollup", "--template", "blank.xlsx", cwd=root)
    assert (result.returncode, result.stdout) == (0, "build/cmrt-rollup-2024.xlsx: CMRT 6.5, 3 smelter rows (1 from "
                                                     "the template's Smelter Look-up, 2 'Smelter not listed')\n")
    assert result.stderr.count("[rollup.id-not-in-template]") == 1
    assert read_workbook(root / "build/cmrt-rollup-2024.xlsx").company_name == "Example Devices Inc."
    missing = run_cli("rollup", "--template", "missing.xlsx", "--output", "out.xlsx", cwd=root)
    assert (missing.returncode, missing.stderr) == (1, "missing.xlsx: error: no such file [workbook.file-not-found]\n"
                                                        "1 error(s), 0 warning(s).\n")
    into_folder = run_cli("rollup", "--template", "blank.xlsx", "--output", "data", cwd=root)
    assert into_folder.returncode == 1
    assert "data: error: cannot write the roll-up there: Is a directory; expected a file path (--output FILE) " \
           "[rollup.write]" in into_folder.stderr
    helped = run_cli("rollup", "--help", cwd=root)
    assert helped.returncode == 0 and "--template BLANK.xlsx" in helped.stdout


# --- the XML writer -----------------------------------------------------------------------

SHEET = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="urn:main">'
         '<cols><col min="3" max="3" width="9" style="7"/></cols><sheetData>'
         '<row r="2" spans="1:3"><c r="A2" s="3" t="s"><v>0</v></c><c r="D2" s="4"/></row>'
         '<row r="5" s="9" customFormat="1"><c r="B5" s="5"><f t="shared" ref="B5:B9" si="0">A5+1</f><v>1</v></c>'
         '<c r="C5" s="6"><f t="shared" si="1"/><v>2</v></c></row></sheetData>'
         '<dataValidations count="1"><dataValidation type="list" sqref="D2:E3"><formula1>$Z$1:$Z$3</formula1>'
         '</dataValidation></dataValidations></worksheet>')


def test_write_cells_keeps_styles_and_creates_rows_and_cells_in_order():
    out = fill.write_cells(SHEET.encode(), {
        "A2": "Tom & <Jerry>", "D2": 3.5, "C2": " padded ", "A1": dt.date(2025, 5, 1), "C7": None, "C3": "new",
        "C5": "over a shared dependent",
    }).decode()
    assert out == (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="urn:main">'
        '<cols><col min="3" max="3" width="9" style="7"/></cols><sheetData>'
        '<row r="1"><c r="A1"><v>45778</v></c></row>'
        '<row r="2" spans="1:3"><c r="A2" s="3" t="inlineStr"><is><t>Tom &amp; &lt;Jerry&gt;</t></is></c>'
        '<c r="C2" s="7" t="inlineStr"><is><t xml:space="preserve"> padded </t></is></c>'
        '<c r="D2" s="4"><v>3.5</v></c></row>'
        '<row r="3"><c r="C3" s="7" t="inlineStr"><is><t>new</t></is></c></row>'
        '<row r="5" s="9" customFormat="1"><c r="B5" s="5"><f t="shared" ref="B5:B9" si="0">A5+1</f><v>1</v></c>'
        '<c r="C5" s="6" t="inlineStr"><is><t>over a shared dependent</t></is></c></row>'
        '<row r="7"><c r="C7" s="7"/></row></sheetData>'
        '<dataValidations count="1"><dataValidation type="list" sqref="D2:E3"><formula1>$Z$1:$Z$3</formula1>'
        '</dataValidation></dataValidations></worksheet>')
    ElementTree.fromstring(out.encode())  # well-formed
    assert fill.validation_list(out.encode(), "E3") == "$Z$1:$Z$3"
    assert fill.validation_list(out.encode(), "F3") == ""


def test_write_cells_caches_formula_results_and_refuses_to_break_a_shared_formula():
    assert fill.write_cells(SHEET.encode(), {"B5": None}).decode() == SHEET  # a formula is not emptied
    out = fill.write_cells(SHEET.encode(), {"B5": fill.Cached("x"), "C5": fill.Cached(0.0), "D5": "new"}).decode()
    assert ('<c r="B5" s="5" t="str"><f t="shared" ref="B5:B9" si="0">A5+1</f><v>x</v></c>'
            '<c r="C5" s="6"><f t="shared" si="1"/><v>0</v></c><c r="D5" s="9" t="inlineStr"><is><t>new</t></is></c>'
            ) in out
    with pytest.raises(fill.FillError) as caught:
        fill.write_cells(SHEET.encode(), {"B5": "value"}, "Smelter List")
    assert str(caught.value) == ("sheet 'Smelter List' cell B5 holds a formula that other cells share or that "
                                 "spans a range; it cannot be overwritten")


def test_write_cells_in_a_prefixed_sheet_and_an_empty_row():
    xml = (b'<x:worksheet xmlns:x="urn:main"><x:sheetData><x:row r="3" ht="20" customHeight="1"/></x:sheetData>'
           b'</x:worksheet>')
    assert fill.write_cells(xml, {"B3": "b", "A3": 1}) == (
        b'<x:worksheet xmlns:x="urn:main"><x:sheetData><x:row r="3" ht="20" customHeight="1"><x:c r="A3"><x:v>1</x:v>'
        b'</x:c><x:c r="B3" t="inlineStr"><x:is><x:t>b</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>')
    assert fill.write_cells(b'<worksheet xmlns="urn:main"><sheetData/></worksheet>', {"A1": "a"}) == (
        b'<worksheet xmlns="urn:main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>'
        b'</sheetData></worksheet>')


def test_validation_list_finds_the_dropdown_of_a_cell():
    xml = (b'<worksheet xmlns="urn:main" xmlns:x14="urn:x14" xmlns:xm="urn:xm"><dataValidations count="2">'
           b'<dataValidation errorTitle="Blank" sqref="D15:J15"/>'
           b'<dataValidation type="list" sqref="D26:E29 D32:E35"><formula1>$B$96:$B$97</formula1></dataValidation>'
           b'</dataValidations><extLst><ext><x14:dataValidations><x14:dataValidation type="list">'
           b'<x14:formula1><xm:f>L!$A$1:$A$3</xm:f></x14:formula1><xm:sqref>D9</xm:sqref>'
           b'</x14:dataValidation></x14:dataValidations></ext></extLst></worksheet>')
    assert [fill.validation_list(xml, a) for a in ("D15", "D26", "E35", "D30", "D9")] == [
        "", "$B$96:$B$97", "$B$96:$B$97", "", "L!$A$1:$A$3"]


def test_a_text_longer_than_a_cell_holds_is_refused():
    with pytest.raises(fill.FillError) as caught:
        fill.write_cells(SHEET.encode(), {"A2": "x" * 32_768}, "Declaration")
    assert str(caught.value) == "sheet 'Declaration' cell A2: a text of 32,768 characters is more than a cell holds (32,767)"


def test_escape_writes_what_xml_cannot_hold_as_excel_does():
    assert fill.escape("a\x01b_x0041_c\tü") == "a_x0001_b_x005F_x0041_c\tü"


def test_fill_drops_the_calc_chain_and_asks_for_a_full_recalculation(tmp_path):
    path = blank(tmp_path / "blank.xlsx")
    source = zipfile.ZipFile(path)
    members = {i.filename: source.read(i) for i in source.infolist()}
    rels = members["xl/_rels/workbook.xml.rels"].decode()
    types = members["[Content_Types].xml"].decode()
    chain_rel = '<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/' \
                'relationships/calcChain" Target="calcChain.xml"/>'
    chain_type = '<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-' \
                 'officedocument.spreadsheetml.calcChain+xml"/>'
    members["xl/_rels/workbook.xml.rels"] = rels.replace("</Relationships>", chain_rel + "</Relationships>").encode()
    members["[Content_Types].xml"] = types.replace("</Types>", chain_type + "</Types>").encode()
    members["xl/workbook.xml"] = members["xl/workbook.xml"].replace(b' fullCalcOnLoad="1"', b"")  # openpyxl sets it
    members["xl/calcChain.xml"] = b'<calcChain xmlns="urn:x"><c r="B5" i="5"/></calcChain>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    out = zipfile.ZipFile(io.BytesIO(fill.fill(buffer.getvalue(), {"Declaration": {"D8": "Acme"}})))
    assert "xl/calcChain.xml" not in out.namelist()
    assert out.read("xl/_rels/workbook.xml.rels").decode() == rels
    assert out.read("[Content_Types].xml").decode() == types
    workbook = out.read("xl/workbook.xml").decode()
    assert re.findall(r"<calcPr[^>]*>", workbook) == ['<calcPr calcId="124519" fullCalcOnLoad="1"/>']


# --- the real templates -------------------------------------------------------------------

BLANKS = ["rmi-blank-cmrt-6.01.xlsx", "rmi-blank-cmrt-6.1.xlsx", "rmi-blank-cmrt-6.22.xlsx",
          "rmi-blank-cmrt-6.31.xlsx", "rmi-blank-cmrt-6.5.xlsx"]


@pytest.fixture
def corpus() -> Path:
    if not CORPUS or not Path(CORPUS).is_dir():
        pytest.skip("CMR_CORPUS is not set to the folder of real supplier workbooks (../shared/corpus)")
    return Path(CORPUS)


def test_every_6x_blank_of_the_corpus_is_there(corpus):
    assert sorted(p.name for p in corpus.glob("rmi-blank-cmrt-6.*.xlsx")) == BLANKS


def _supplier_answers_project(root: Path) -> Path:
    """The example's shape with supplier answers: the consolidation fixture plus a curated list with IDs."""
    from tests.supply_project import supply_chain_project
    supply_chain_project(root)
    write_smelters(root / "data/smelters.xlsx", [
        ("Tantalum", "Ningxia Orient Tantalum", "Conflict-free", "CID001277", "China"),
        ("Tin", "Bolivian Tin Works", "Not designated", "", "Bolivia"),
    ], header=SMELTER_HEADER)
    (root / "data/declaration.yml").write_text(DECLARATION_YML.replace(
        "scope: company\n", "scope: products\nproducts:\n  - {number: DTN-X, name: Optical line system}\n"
        "  - {number: XTC-4, comments: every release}\n").replace(
        "  tin:", "  tantalum: {remains_in_product: Yes, from_covered_countries: No, from_conflict_affected_areas: No,"
        "\n             recycled_or_scrap: No, supplier_response_share: None}\n  tin:"), encoding="utf-8")
    return root


@pytest.mark.parametrize("name", BLANKS)
def test_rollup_round_trip_on_the_real_blank(corpus, tmp_path, name):
    root = _supplier_answers_project(tmp_path / "p")
    template = corpus / name
    output, rollup, problems = run_rollup(root, template, tmp_path / "out.xlsx", today=TODAY)
    assert [p.code for p in problems.errors] == []
    back = read_workbook(output)
    assert back.errors == []
    asahi = "ASAHI METALFINE, Inc." if name.endswith("6.5.xlsx") else "Asahi Pretec Corp."
    assert rows_read(output) == [
        (5, "Gold", "Argor-Heraeus S.A.", "Argor-Heraeus S.A.", "SWITZERLAND", "CID000077", "RMI", ""),
        (6, "Gold", asahi, asahi, "JAPAN", "CID000082", "RMI", ""),
        (7, "Tantalum", "Ningxia Orient Tantalum Industry Co., Ltd.", "Ningxia Orient Tantalum Industry Co., Ltd.",
         "CHINA", "CID001277", "RMI", ""),
        (8, "Tin", "Smelter not listed", "Bolivian Tin Works", "BOLIVIA (PLURINATIONAL STATE OF)", "", "", ""),
        (9, "Tin", "PT Timah Tbk Mentok", "PT Timah Tbk Mentok", "INDONESIA", "CID001482", "RMI", ""),
        (10, "Tungsten", "A.L.M.T. Corp.", "A.L.M.T. Corp.", "JAPAN", "CID000004", "RMI", ""),
    ]
    assert rollup.rows == tuple(RollupRow(*r) for r in rows_read(output))
    assert (back.company_name, back.declaration_scope, back.contact.email, back.authorizer.name,
            back.effective_date) == ("Example Devices Inc.", "B. Product (or List of Products)", "pat@example.com",
                                     "Alex Roe", dt.date(2025, 5, 1))
    assert [(p.row, p.number, p.name, p.comments) for p in back.products] == [
        (6, "DTN-X", "Optical line system", ""), (7, "XTC-4", "", "every release")]
    assert [a.answer for a in back.question("supplier_response_share").answers] == [
        "None", "Greater than 75%", "100%", "Greater than 90%"]
    assert [a.answer for a in back.company_questions] == [
        "Yes", "Yes", "Yes", "Yes", "Yes, in conformance with IPC1755 (e.g., CMRT)", "No", "Yes", "Yes, with the SEC"]
    assert back.language == "中文 Chinese"  # the UI language the template was saved with
    cached = openpyxl.load_workbook(output, data_only=True)  # another parser of the same XML
    assert [cached["Declaration"][a].value for a in ("D8", "D9", "D22")] == [
        "Example Devices Inc.", "B. Product (or List of Products)", dt.datetime(2025, 5, 1)]
    assert [cached["Smelter List"][f"{c}5"].value for c in "ABCEFG"] == [
        "CID000077", "Gold", "Argor-Heraeus S.A.", "SWITZERLAND", "CID000077", "RMI"]
    _assert_template_kept(template, output)


def _assert_template_kept(template: Path, output: Path) -> None:
    """Every member not written is byte-identical; the written sheets keep all else they had."""
    before, after = zipfile.ZipFile(template), zipfile.ZipFile(output)
    parts = fill.sheet_parts(before)
    written = {parts["Declaration"], parts["Smelter List"], parts["Product List"]}
    chain = "xl/calcChain.xml" in before.namelist()
    changed = {"xl/workbook.xml"} | ({"xl/calcChain.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}
                                     if chain else set())
    assert set(after.namelist()) == set(before.namelist()) - ({"xl/calcChain.xml"} if chain else set())
    for name in before.namelist():
        if name not in written | changed:
            assert after.read(name) == before.read(name), name
    workbook = before.read("xl/workbook.xml").decode()
    assert after.read("xl/workbook.xml").decode() == re.sub(r"(<calcPr\b[^>]*?)(/?>)", r'\1 fullCalcOnLoad="1"\2',
                                                            workbook, count=1)
    if chain:
        for part, element in (("xl/_rels/workbook.xml.rels", r"<Relationship\b[^>]*calcChain[^>]*/>"),
                              ("[Content_Types].xml", r"<Override\b[^>]*calcChain[^>]*/>")):
            old = before.read(part).decode()
            assert len(re.findall(element, old)) == 1
            assert after.read(part).decode() == re.sub(element, "", old)
    for name in written:
        old, new = before.read(name).decode(), after.read(name).decode()
        ElementTree.fromstring(new.encode())
        for element in ("dataValidations", "extLst", "sheetProtection", "mergeCells", "conditionalFormatting",
                        "cols", "sheetViews"):
            pattern = rf"<{element}\b.*?(?:</{element}>|/>)"
            assert re.findall(pattern, new, re.S) == re.findall(pattern, old, re.S), (name, element)
        assert new[:new.index("<sheetData")] == old[:old.index("<sheetData")]
        assert new[new.index("</sheetData>"):] == old[old.index("</sheetData>"):]
        # every formula is still there, but in the cells a "Smelter not listed" row enters by hand
        entered = set(re.findall(r'<c r="([A-Z]+\d+)"[^>]*t="inlineStr"', new))
        assert _formulas(new) == {a: f for a, f in _formulas(old).items() if a not in entered}


def _formulas(xml: str) -> dict[str, str]:
    return dict(re.findall(r'<c r="([A-Z]+\d+)"[^>]*>(<f\b[^>]*?(?:/>|>.*?</f>))', xml, re.S))


def test_a_filled_cmrt_is_not_a_template(corpus, tmp_path):
    root = project(tmp_path / "p")
    filled = corpus / "wwww13wwww-honeywell-cmrt-6.4.xlsx"
    with pytest.raises(UserError) as caught:
        run_rollup(root, filled, None, today=TODAY)
    assert [p.code for p in caught.value.problems.sorted()] == ["rollup.template-not-blank"]
    emrt = corpus / "cirscn-blank-emrt-2.0.xlsx"
    with pytest.raises(UserError) as caught:
        run_rollup(root, emrt, None, today=TODAY)
    assert [str(p) for p in caught.value.problems.sorted()] == [
        f"{emrt}: error: is an EMRT (Extended Minerals Reporting Template, revision 2.0); expected a blank RMI "
        f"CMRT 6.x (.xlsx), as downloaded from the RMI [rollup.template-version]"]


def test_a_product_level_declaration_lists_its_products(tmp_path):
    text = DECLARATION_YML.replace("scope: company\n", "scope: products\nproducts:\n  - {number: W-1, name: Widget}\n"
                                   "  - number: G-2\n    comments: all colours\n")
    root = project(tmp_path / "p", declaration=text)
    output, _, _ = run_rollup(root, blank(tmp_path / "blank.xlsx"), None, today=TODAY)
    back = read_workbook(output)
    assert back.declaration_scope == "B. Product (or List of Products)"
    assert [(p.row, p.number, p.name, p.comments) for p in back.products] == [
        (6, "W-1", "Widget", ""), (7, "G-2", "", "all colours")]
    without = DECLARATION_YML.replace("scope: company\n", "scope: products\n")
    (root / "data/declaration.yml").write_text(without, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        run_rollup(root, blank(tmp_path / "blank.xlsx"), None, today=TODAY)
    assert [str(p) for p in caught.value.problems.errors] == [
        "data/declaration.yml, key 'products': error: the scope 'products' asks for the products the declaration "
        "covers (the template's Product List); expected a list of products, each with a number "
        "[rollup.missing-answer]"]


def test_a_user_defined_scope_needs_its_description(tmp_path):
    root = project(tmp_path / "p", declaration=DECLARATION_YML.replace("scope: company", "scope: user-defined"))
    with pytest.raises(UserError) as caught:
        run_rollup(root, blank(tmp_path / "blank.xlsx"), None, today=TODAY)
    assert [str(p) for p in caught.value.problems.errors] == [
        "data/declaration.yml, key 'scope_description': error: the scope 'user-defined' asks for a description of "
        "the scope; expected it here [rollup.missing-answer]"]
    text = DECLARATION_YML.replace("scope: company", "scope: user-defined\nscope_description: Our optical line")
    (root / "data/declaration.yml").write_text(text, encoding="utf-8")
    output, _, _ = run_rollup(root, blank(tmp_path / "blank.xlsx"), None, today=TODAY)
    back = read_workbook(output)
    assert (back.declaration_scope, back.scope_description) == (
        "C. User defined [Specify in 'Description of scope']", "Our optical line")


def test_supplier_text_is_written_as_text(tmp_path):
    name = 'Evil <b>"Refinery"</b> & =HYPERLINK("x")'
    root = project(tmp_path / "p", facilities=[("Gold", name, "Not designated", "", "Japan")])
    output, _, _ = run_rollup(root, blank(tmp_path / "blank.xlsx"), None, today=TODAY)
    assert rows_read(output) == [(5, "Gold", "Smelter not listed", name, "JAPAN", "", "", "")]
    with zipfile.ZipFile(output) as z:
        xml = z.read("xl/worksheets/sheet5.xml").decode()
    assert '<is><t>Evil &lt;b&gt;"Refinery"&lt;/b&gt; &amp; =HYPERLINK("x")</t></is>' in xml


def test_the_read_back_names_what_differs(tmp_path):
    from dataclasses import replace

    from generator.commands.rollup import differences
    root = project(tmp_path / "p")
    output, rollup, _ = run_rollup(root, blank(tmp_path / "blank.xlsx"), None, today=TODAY)
    back = read_workbook(output)
    assert differences(back, rollup) == []
    wrong = replace(rollup, company={**rollup.company, "company_name": "Other Inc."},
                    rows=(replace(rollup.rows[0], country="PERU"), *rollup.rows[1:]))
    assert differences(back, wrong) == [
        "company_name is 'Example Devices Inc.', written 'Other Inc.'",
        "3 smelter rows, written 3; first difference: RollupRow(row=5, metal='Gold', lookup='Asahi Pretec Corp.', "
        "name='Asahi Pretec Corp.', country='PERU', smelter_id='CID000082', id_source='RMI', comments='')"]


def test_an_id_of_another_metal_and_a_metal_declared_unused(tmp_path):
    text = DECLARATION_YML.replace("  tin: {remains_in_product: Yes,", "  tin: {intentionally_added: No, remains_in_product: No,")
    root = project(tmp_path / "p", declaration=text,
                   facilities=[("Tin", "Mislabelled Works", "Not designated", "CID000082", "Japan")])
    with pytest.raises(UserError) as caught:
        run_rollup(root, blank(tmp_path / "blank.xlsx"), None, today=TODAY)
    assert [str(p) for p in caught.value.problems.sorted()] == [
        "data/declaration.yml, line 21, key 'metals.tin.intentionally_added': error: says Tin is not used, but the "
        "report publishes 1 Tin facilities [rollup.contradiction]",
        "data/smelters.xlsx, sheet 'Smelters', row 2: warning: Tin facility 'Mislabelled Works' has smelter ID "
        "CID000082, which the template's Smelter Look-up lists for Gold; written as 'Smelter not listed', the ID in "
        "the comments [rollup.id-other-metal]"]
