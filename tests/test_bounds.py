"""Bounds that no spelling of the XML talks around: cell addresses, declared counts, expanded text,
over-long cells, and the row caps of rosters and lists in workbook form. Every read runs in an
isolated worker (as the program does), so a bound that failed would be a failure here, not a crash."""
from __future__ import annotations

from pathlib import Path

import pytest

from generator.excel.isolate import Failure, run_one
from generator.problems import Problems
from generator.supply import reference, roster
from generator.supply.cmrt import read_workbook
from tests import cmrt_fixtures as fx
from tests import hostile_inputs as hi
from tests import project

SHEET = hi.SMELTER_SHEET_6X
FAR = ("sheet 'Smelter List' spans 1,048,576 rows and 16,384 columns (17,179,869,184 cells); "
       "the limit is 2,500,000 cells")


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return fx.write(fx.full_declaration("6.5"), tmp_path_factory.mktemp("bounds") / "base.xlsx")


def with_cell(base: Path, dst: Path, cell: str) -> Path:
    xml = hi.part(base, SHEET).replace("</sheetData>", f'<row r="9">{cell}</row></sheetData>')
    return hi.replace_parts(base, dst, {SHEET: xml})


def errors(path: Path) -> list[tuple[str, str]]:
    declaration = run_one(read_workbook, path)
    assert not isinstance(declaration, Failure), declaration
    return [(p.code, p.message) for p in declaration.problems if p.severity == "error"]


@pytest.mark.parametrize("cell", [
    '<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>',
    '<c r="xfd1048576" t="inlineStr"><is><t>x</t></is></c>',            # lower-case column letters
    '<c r="XFD0001048576" t="inlineStr"><is><t>x</t></is></c>',         # leading zeros
    '<c r = "XFD1048576" t="inlineStr"><is><t>x</t></is></c>',          # white space around =
    '<c\tr\t=\t"XFD1048576" t="inlineStr"><is><t>x</t></is></c>',
    "<c r='XFD1048576' t='inlineStr'><is><t>x</t></is></c>",            # single quotes
    '<c r="&#88;FD1048576" t="inlineStr"><is><t>x</t></is></c>',        # a character reference
    '<c s="0" r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>',      # r not first
    '<c cm=">" r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>',     # a quoted > before it
    '<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="XFD1048576" t="inlineStr">'
    '<x:is><x:t>x</x:t></x:is></x:c>',                                  # a namespace prefix
], ids=["plain", "lower", "zeros", "spaces", "tabs", "quotes", "reference", "second", "quoted-gt", "prefix"])
def test_a_far_cell_in_any_spelling_is_refused(base, tmp_path, cell):
    assert errors(with_cell(base, tmp_path / "far.xlsx", cell)) == [("workbook.too-large", FAR)]


def test_a_row_number_of_any_length_is_measured(base, tmp_path):
    path = with_cell(base, tmp_path / "far.xlsx", '<c r="A99999999999" t="inlineStr"><is><t>x</t></is></c>')
    assert errors(path) == [("workbook.too-large", "sheet 'Smelter List' spans 99,999,999,999 rows and 17 columns "
                                                   "(1,699,999,999,983 cells); the limit is 2,500,000 cells")]


def shared_strings(base: Path, dst: Path, strings: list[str], sheet_xml: str, count: str = "") -> Path:
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    sst = (f'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"{count}>'
           f"{items}</sst>")
    rels = hi.part(base, "xl/_rels/workbook.xml.rels").replace(
        "</Relationships>", '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml" Id="rIdSST" /></Relationships>')
    types = hi.part(base, "[Content_Types].xml").replace(
        "</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sharedStrings+xml" /></Types>')
    return hi.replace_parts(base, dst, {SHEET: sheet_xml, "xl/sharedStrings.xml": sst,
                                        "xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types})


def test_a_declared_string_count_is_not_trusted(base, tmp_path):
    xml = hi.part(base, SHEET).replace(
        '<c r="D5" t="inlineStr"><is><t xml:space="preserve">Asahi Refining </t></is></c>',
        '<c r="D5" t="s"><v>0</v></c>')
    path = shared_strings(base, tmp_path / "count.xlsx", ["Counted Refining"], xml,
                          count=' count="4000000000" uniqueCount="4000000000"')
    declaration = run_one(read_workbook, path)
    assert declaration.readable and declaration.smelters[0].smelter_name == "Counted Refining"


def test_cells_expanding_one_long_shared_string_are_bounded_by_their_text(base, tmp_path):
    cells = "".join(f'<row r="{r}"><c r="Q{r}" t="s"><v>0</v></c></row>' for r in range(10, 2010))
    xml = hi.part(base, SHEET).replace("</sheetData>", cells + "</sheetData>")
    path = shared_strings(base, tmp_path / "text.xlsx", ["y" * 30_000], xml)
    assert errors(path) == [("workbook.too-large", "the cells of sheet 'Smelter List' would expand to up to 60,044,000 "
                                                   "characters of shared text; the limit is 50,000,000")]


def test_a_cell_longer_than_excel_allows_is_cut_with_a_warning(base, tmp_path):
    xml = hi.part(base, SHEET).replace("Asahi Refining ", "Long Refining " + "z" * 40_000)
    declaration = run_one(read_workbook, hi.replace_parts(base, tmp_path / "long.xlsx", {SHEET: xml}))
    assert len(declaration.smelters[0].smelter_name) == 32_767
    assert [(p.code, p.sheet, p.cell, p.severity, p.message) for p in declaration.problems
            if p.code == "workbook.long-cell"] == [
        ("workbook.long-cell", "Smelter List", "D5", "warning",
         "the cell holds 40,014 characters, more than the 32,767 Excel allows; only the first 32,767 were read")]


def test_a_roster_workbook_is_capped_like_a_supplier_list(tmp_path):
    rows = [[f"Supplier {i}"] for i in range(10_003)]
    path = project.write_smelters(tmp_path / "roster.xlsx", rows, header=("name",), sheet="Roster")
    problems = Problems()
    table = roster.read_table(path, problems, "data/roster.xlsx")
    assert len(table) == 10_001 and table[-1][0] == "Supplier 9999"
    assert [str(p) for p in problems.sorted()] == [
        "data/roster.xlsx, sheet 'Roster', cell A10002: error: the list has 3 more rows after row 10,001; at most "
        "10,000 entries below the header are read, so they were not read; split the list [supply.too-many-rows]"]


def test_a_csv_list_is_capped_too(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("name\n" + "".join(f"Supplier {i}\n" for i in range(10_002)), encoding="utf-8")
    problems = Problems()
    rows, _encoding = reference.read_csv(path, problems, "data/roster.csv")
    assert len(rows) == 10_001
    assert [str(p) for p in problems.sorted()] == [
        "data/roster.csv, line 10002: error: the list has 2 more rows after row 10,001; at most 10,000 entries "
        "below the header are read, so they were not read; split the list [supply.too-many-rows]"]


def test_a_declared_dimension_is_not_trusted(base, tmp_path):
    xml = hi.part(base, SHEET)
    assert '<dimension ref="B4:Q9" />' in xml
    path = hi.replace_parts(base, tmp_path / "dim.xlsx", {SHEET: xml.replace('<dimension ref="B4:Q9" />',
                                                                             '<dimension ref="A1:XFD1048576" />')})
    declaration = run_one(read_workbook, path)
    assert declaration.readable and [s.row for s in declaration.smelters] == [5, 6, 9]


def test_a_roster_is_read_from_the_first_visible_sheet(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Hidden"
    book.active.append(["name"])
    book.active.append(["Not A Supplier"])
    book.active.sheet_state = "hidden"
    shown = book.create_sheet("Roster")
    shown.append(["name"])
    shown.append(["Acme"])
    book.active = 1
    book.save(tmp_path / "roster.xlsx")
    problems = Problems()
    assert roster.read_table(tmp_path / "roster.xlsx", problems, "roster.xlsx")[:2] == [
        ["name"] + [""] * 39, ["Acme"] + [""] * 39]
