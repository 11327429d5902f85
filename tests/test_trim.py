"""A list sheet's blank template rows are never parsed, and nothing that holds a value is ever cut.

The templates carry their formulas thousands of rows down the Smelter List (2,400 rows of cached
"", #N/A and 0 for a list of forty), so `open_workbook(..., lists=...)` leaves out the blank rows at
the end of a list sheet before calamine sees it. These tests hold it to its promise: the
declaration read is the same as from the whole sheet, for the real files and for values written
in every form a writer other than Excel uses.

Where the two may still differ, by choice: a row element given twice (calamine lets the later one
win; the cut keeps the first when the later is blank), a blank row calamine refuses to parse (it is
cut, so the file reads), and blank template rows past the 10,000-row cap of a list (the whole read
took them for rows and gave a false cmrt.too-many-rows).
"""
from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path
from unittest import mock

import pytest

from generator.excel.workbook import _Package, _trim_blank_rows
from generator.supply.cmrt import reader
from tests.cmrt_fixtures import full_declaration, write
from tests.hostile_inputs import part, replace_parts

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def sheet(rows: str, root: str = f"<worksheet {NS}>", merged: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{root}<sheetData>{rows}</sheetData>{merged}'
            f"</{root[1:].split()[0]}>").encode()


def blank(r: int) -> str:
    """A row as the 6.x template leaves it with no input: an empty formula string, a styled cell,
    a cached #N/A and a cached 0."""
    return (f'<row r="{r}" spans="1:34"><c r="B{r}" s="182" t="str"><f>IF(LEN(A{r})=0,"",1)</f><v></v></c>'
            f'<c r="C{r}" s="186"/><c r="S{r}" s="181" t="str"><f t="shared" si="0"/><v/></c>'
            f'<c r="V{r}" s="226" t="e"><f>NA()</f><v>#N/A</v></c><c r="X{r}" s="227"><f>0</f><v>0</v></c></row>')


def data(r: int) -> str:
    return f'<row r="{r}"><c r="B{r}" t="s"><v>7</v></c><c r="D{r}" t="str"><f>A1</f><v>Asahi</v></c></row>'


def rows_of(xml: bytes) -> list[int]:
    return [int(n) for n in re.findall(rb'<row r="([0-9]+)"', xml)]


def test_the_blank_rows_at_the_end_go_and_the_rows_with_values_stay():
    xml = sheet(data(5) + data(6) + "".join(blank(r) for r in range(7, 400)), merged='<mergeCells count="1">'
                '<mergeCell ref="A300:Q300"/></mergeCells>')
    trimmed = _trim_blank_rows(xml)
    assert rows_of(trimmed) == [5, 6]
    assert trimmed.endswith(b'</sheetData><mergeCells count="1"><mergeCell ref="A300:Q300"/></mergeCells></worksheet>')


def test_the_blank_rows_above_a_last_line_go_too():
    # The Product List: a copyright line in row 2006, blank template rows between it and the products.
    copyright_row = '<row r="2006"><c r="B2006" t="str"><f>L!C1</f><v>© 2025 Responsible Minerals Initiative</v></c></row>'
    xml = sheet(data(6) + "".join(blank(r) for r in range(7, 2006)) + copyright_row)
    assert rows_of(_trim_blank_rows(xml)) == [6, 2006]


def test_an_inline_string_is_a_value():
    xml = sheet(data(5) + "".join(blank(r) for r in range(6, 300))
                + '<row r="300"><c r="D300" t="inlineStr"><is><t>Far Refinery</t></is></c></row>'
                + "".join(blank(r) for r in range(301, 400)))
    assert rows_of(_trim_blank_rows(xml)) == [5, 300]


def test_a_value_in_a_form_the_scan_does_not_read_keeps_the_sheet_whole():
    xml = sheet(data(5) + "".join(blank(r) for r in range(6, 300))
                + '<row r="300"><c r="D300" t="str"><v xml:space="preserve"> Far </v></c></row>'
                + "".join(blank(r) for r in range(301, 400)))
    assert _trim_blank_rows(xml) == xml


@pytest.mark.parametrize("cell,kept", [
    ('<c r="D300" t="s"><v>0</v></c>', True),                 # shared string 0: text, not the number 0
    ('<c r="D300" t="str"><f>A1</f><v>0</v></c>', True),      # the text "0"
    ('<c r="D300" s="3"><v>0.5</v></c>', True),               # a number that is not 0
    ('<c r="D300" t="b"><v>1</v></c>', True),                  # TRUE
    ('<c r="D300" t="str"><f>A1</f><v>#1 Smelter</v></c>', True),
    ('<c r="D300" t="b"><v>0</v></c>', False),                 # FALSE reads as blank
    ('<c r="D300" t="n"><v>0</v></c>', False),
    ('<c r="D300" t="e"><v>#REF!</v></c>', False),
])
def test_only_cells_the_list_readers_read_as_blank_are_blank(cell, kept):
    xml = sheet(data(5) + "".join(blank(r) for r in range(6, 300)) + f'<row r="300">{cell}</row>'
                + "".join(blank(r) for r in range(301, 400)))
    assert rows_of(_trim_blank_rows(xml))[-1] == (300 if kept else 5)


def test_a_sheet_in_a_prefixed_namespace_is_kept_whole():
    xml = sheet("".join(f'<x:row r="{r}"><x:c r="B{r}" t="e"><x:v>#N/A</x:v></x:c></x:row>' for r in range(5, 50)),
                root=f'<x:worksheet xmlns:x="{NS[7:-1]}">').replace(b"<sheetData>", b"<x:sheetData>") \
        .replace(b"</sheetData>", b"</x:sheetData>")
    assert _trim_blank_rows(xml) == xml


def test_a_sheet_without_a_value_keeps_no_row():
    assert rows_of(_trim_blank_rows(sheet("".join(blank(r) for r in range(5, 60))))) == []


# --- whole workbooks --------------------------------------------------------------------------

def with_template_rows(tmp_path: Path, far: str = "") -> Path:
    """A filled 6.5 CMRT whose Smelter List carries blank template rows down to row 2500, with `far`
    (cells of row 1200) among them."""
    path = write(full_declaration("6.5"), tmp_path / "base.xlsx")
    name = "xl/worksheets/sheet5.xml"
    assert "Smelter List" in part(path, "xl/workbook.xml")
    xml = part(path, name)
    last = max(int(n) for n in re.findall(r'<row r="([0-9]+)"', xml))
    tail = "".join(f'<row r="1200">{far}</row>' if far and r == 1200 else blank(r) for r in range(last + 1, 2501))
    out = replace_parts(path, tmp_path / "filled.xlsx", {name: xml.replace("</sheetData>", tail + "</sheetData>")})
    with zipfile.ZipFile(out) as zf:
        assert zf.read(name).count(b"<row ") > 2400
    return out


def whole(path: Path):
    with mock.patch.object(reader, "LIST_SHEETS", ()):
        return reader.read_workbook(path)


def test_a_filled_template_is_read_the_same_without_its_blank_rows(tmp_path):
    path = with_template_rows(tmp_path)
    package = _Package(path.read_bytes(), reader.LIST_SHEETS)
    assert len(package.parts["xl/worksheets/sheet5.xml"]) < 10_000  # the 2,400 blank rows are not there
    read = reader.read_workbook(path)
    assert read == whole(path)
    assert [s.row for s in read.smelters] == [5, 6, 9]


@pytest.mark.parametrize("far", [
    '<c r="B1200" t="inlineStr"><is><t>Gold</t></is></c><c r="D1200" t="inlineStr"><is><t>Far Refinery</t></is></c>',
    '<c r="B1200" t="str"><f>"Gold"</f><v>Gold</v></c><c r="D1200" t="str"><v xml:space="preserve">Far Refinery </v></c>',
    '<c r="B1200" t="str"><f>"Gold"</f><v>Gold</v></c><c r="D1200" t="str"><f>A1</f><v>Far Refinery</v></c>',
])
def test_a_row_far_below_the_others_is_read_in_any_form(tmp_path, far):
    read = reader.read_workbook(with_template_rows(tmp_path, far))
    assert [(s.row, s.metal, s.smelter_name) for s in read.smelters][-1] == (1200, "Gold", "Far Refinery")


def test_the_real_files_are_read_the_same_without_their_blank_rows():
    """Every workbook of the corpus: trimmed or whole, the same declaration; most 6.x lists lose
    thousands of rows."""
    if not os.environ.get("CMR_CORPUS"):
        pytest.skip("CMR_CORPUS not set: point it at the folder of real CMRT workbooks (../shared/corpus)")
    corpus = Path(os.environ["CMR_CORPUS"])
    files = sorted(p for p in corpus.iterdir() if p.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".xlsb"))
    trimmed = 0
    for path in files:
        assert reader.read_workbook(path) == whole(path), path.name
        if path.read_bytes()[:2] == b"PK" and path.suffix == ".xlsx":
            package = _Package(path.read_bytes(), reader.LIST_SHEETS)
            smelters = package.sheets.get("Smelter List")
            with zipfile.ZipFile(path) as zf:
                if smelters and len(package.parts[smelters]) < zf.getinfo(smelters).file_size // 10:
                    trimmed += 1
    assert len(files) >= 20 and trimmed >= 10


def test_a_prefixed_cell_among_the_blank_rows_keeps_the_sheet_whole():
    far = (f'<row r="300"><x:c xmlns:x="{NS[7:-1]}" r="D300" t="inlineStr"><x:is><x:t>Far</x:t></x:is></x:c></row>')
    xml = sheet(data(5) + "".join(blank(r) for r in range(6, 300)) + far + "".join(blank(r) for r in range(301, 400)))
    assert _trim_blank_rows(xml) == xml


def test_a_sheet_left_out_when_opening_is_read_when_asked_for(tmp_path):
    from generator.excel.workbook import open_workbook
    path = with_template_rows(tmp_path)
    few = open_workbook(path, sheets=("Declaration",))
    assert few._package is not None and "xl/worksheets/sheet5.xml" not in few._package.parts
    everything = open_workbook(path)
    for name in ("Smelter List", "Declaration", "Revision"):
        a, b = few.sheet(name), everything.sheet(name)
        assert (a.last_row, [a.values(r, list(range(20))) for r in range(1, a.last_row + 1)]) == \
            (b.last_row, [b.values(r, list(range(20))) for r in range(1, b.last_row + 1)])


# --- one entry of the language table, from its XML --------------------------------------------

def language_entry(book) -> object:
    """The English entry for DeclarationD2 as the loaded sheet gives it (what kinds.detect reads)."""
    table = book.sheet("L", max_row=1000)
    for row in range(1, table.last_row + 1):
        key, english = table.values(row, [0, 3])
        if isinstance(key, str) and key.strip() == "DeclarationD2":
            return english
    return ""


def test_the_language_entry_read_from_the_xml_is_the_loaded_sheets():
    if not os.environ.get("CMR_CORPUS"):
        pytest.skip("CMR_CORPUS not set: point it at the folder of real CMRT workbooks (../shared/corpus)")
    from generator.excel.workbook import open_workbook
    fast = 0
    for path in sorted(Path(os.environ["CMR_CORPUS"]).glob("*.xlsx")):
        if path.read_bytes()[:2] != b"PK":
            continue
        book = open_workbook(path)
        if not book.has("L"):
            continue
        found = book.keyed_text("L", "DeclarationD2", "A", "D", 1000)
        assert found is None or found == language_entry(book), path.name
        fast += found is not None
    assert fast >= 15


@pytest.mark.parametrize("second,fast", [
    ('<c r="A9" t="str"><v>DeclarationD25</v></c>', True),             # another key that begins the same
    ('<c r="A9" t="str"><v xml:space="preserve"> DeclarationD2</v></c>', False),  # the key with a space
    ('<c r="A9" t="inlineStr"><is><t>DeclarationD2</t></is></c>', False),
])
def test_the_language_entry_is_read_from_the_xml_only_when_it_is_sure(tmp_path, second, fast):
    from generator.excel.workbook import open_workbook
    path = write(full_declaration("6.5"), tmp_path / "base.xlsx")
    table = sheet(f'<row r="9">{second}</row><row r="12"><c r="A12" t="str"><f>B12</f><v>DeclarationD2</v></c>'
                  '<c r="D12" t="str"><f>E12</f><v>Conflict Minerals Reporting Template (CMRT)</v></c></row>')
    language = _Package(path.read_bytes()).sheets["L"]  # the fixture's own (empty) language sheet
    out = replace_parts(path, tmp_path / "l.xlsx", {language: table})
    book = open_workbook(out)
    found = book.keyed_text("L", "DeclarationD2", "A", "D", 1000)
    assert found == ("Conflict Minerals Reporting Template (CMRT)" if fast else None)
    assert (found is not None) == fast
    expected = "" if "inlineStr" in second or "space" in second else "Conflict Minerals Reporting Template (CMRT)"
    assert language_entry(book) == (expected or language_entry(book))


@pytest.mark.parametrize("far", [
    '<c r="A300" t="e"><v>#N/A</v></c><c\nr="D300" t="str"><v>Far Refinery</v></c>',  # a cell tag with a line break
    '<c r="D300" t="str"><v\n>Far Refinery</v></c>',                                  # a value tag with one
    '<c r="D300" t="str"><v><!---->Far Refinery</v></c>',                             # a comment in the value
    '<c r="D300" t="str"><v><?x?>Far Refinery</v></c>',                               # a processing instruction
])
def test_a_value_the_backward_scan_cannot_see_keeps_its_row(far):
    xml = sheet(data(5) + "".join(blank(r) for r in range(6, 300)) + f'<row r="300">{far}</row>'
                + "".join(blank(r) for r in range(301, 400)))
    assert 300 in rows_of(_trim_blank_rows(xml)) and b"Far Refinery" in _trim_blank_rows(xml)


def test_rows_above_a_last_row_without_numbers_are_kept():
    # Cells and rows without addresses follow the one before: cutting above them would move them.
    last = '<row spans="1:4"><c t="str"><v>Gold</v></c><c t="str"><v>Far Refinery</v></c></row>'
    xml = sheet(data(5) + "".join(blank(r) for r in range(6, 300)) + last)
    assert _trim_blank_rows(xml).count(b"<row ") == 296


def test_a_comment_after_the_rows_keeps_the_merged_ranges():
    xml = sheet(data(5) + "".join(blank(r) for r in range(6, 60)),
                merged='<mergeCells count="1"><mergeCell ref="A20:Q20"/></mergeCells><!-- </sheetData> -->')
    assert b'<mergeCell ref="A20:Q20"/>' in _trim_blank_rows(xml)


@pytest.mark.parametrize("earlier", [
    '<c r="A9" t="str"><v>Declaration&#68;2</v></c>',                 # the key as a character reference
    '<!-- <c r="A9" t="str"><v>DeclarationD2</v></c> -->',            # a comment
])
def test_the_language_entry_is_loaded_when_the_xml_could_mislead(tmp_path, earlier):
    from generator.excel.workbook import open_workbook
    path = write(full_declaration("6.5"), tmp_path / "base.xlsx")
    table = sheet(f'<row r="9">{earlier}<c r="D9" t="str"><v>Extended Minerals Reporting Template (EMRT)</v></c></row>'
                  '<row r="12"><c r="A12" t="str"><f>B12</f><v>DeclarationD2</v></c>'
                  '<c r="D12" t="str"><f>E12</f><v>Conflict Minerals Reporting Template (CMRT)</v></c></row>')
    out = replace_parts(path, tmp_path / "l.xlsx", {_Package(path.read_bytes()).sheets["L"]: table})
    assert open_workbook(out).keyed_text("L", "DeclarationD2", "A", "D", 1000) is None


def test_a_zero_styled_as_a_date_is_not_blank():
    from generator.excel.workbook import _date_styles
    styles = (b'<styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
              b'<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/></cellXfs></styleSheet>')
    assert _date_styles(styles) == {1, 2}
    for style, kept in (("1", True), ("2", True), ("0", False)):
        xml = sheet(data(5) + "".join(blank(r) for r in range(6, 300)) + f'<row r="300"><c r="D300" s="{style}"><v>0</v></c></row>')
        assert (300 in rows_of(_trim_blank_rows(xml, _date_styles(styles)))) == kept


def test_a_cell_tag_written_with_a_tab_keeps_its_value():
    # A6's tag has a tab after "<c": its value is not the previous cell's, and the row is not cut.
    xml = sheet('<row r="5"><c r="B5" t="s"><v>7</v></c><c r="C5" s="1"/></row>'
                '<row r="6"><c\tt="s"><v>1</v></c></row>' + "".join(blank(r) for r in range(7, 40)))
    assert 6 in rows_of(_trim_blank_rows(xml))
