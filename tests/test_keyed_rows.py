"""The template's Smelter Look-up is read from its XML for the IDs a supplier's list gives (2,000 rows
for forty), and gives exactly what loading the whole sheet gives; where the XML is not as Excel writes
it, the sheet is loaded."""
from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import pytest

from generator.excel.workbook import Workbook
from generator.supply.cmrt import read_workbook
from tests.cmrt_fixtures import corpus_workbooks
from tests.hostile_inputs import lookup_cmrt, part, replace_parts

LOOKUP = "xl/worksheets/sheet8.xml"  # the 6.5 fixture's Smelter Look-up (checked below)


def loaded_whole(path: Path):
    """The declaration read with the look-up sheet loaded whole, as before keyed_rows."""
    with mock.patch.object(Workbook, "keyed_rows", return_value=None):
        return read_workbook(path)


def used(path: Path) -> list[bool]:
    """Whether each call of keyed_rows while reading `path` told the rows (not None)."""
    told: list[bool] = []
    real = Workbook.keyed_rows

    def spy(self, *args, **kwargs):
        result = real(self, *args, **kwargs)
        told.append(result is not None)
        return result

    with mock.patch.object(Workbook, "keyed_rows", spy):
        read_workbook(path)
    return told


def test_the_lookup_from_the_xml_is_the_lookup_of_the_whole_sheet(tmp_path):
    path = lookup_cmrt(tmp_path)
    assert used(path) == [True]
    declaration = read_workbook(path)
    assert declaration == loaded_whole(path)
    assert [p.cell for p in declaration.problems if p.code == "cmrt.lookup-name-mismatch"] == ["C6"]


@pytest.mark.parametrize("change", [
    ('<c r="E6"', '<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="E6"'),
    ('<c r="E6"', '<c  r="E6"'),
    ('<c r="E6"', '<c r="e6"'),
    ('<c r="E6"', '<c r="E06"'),
    ('<row r="6"', '<row r="&#54;"'),
    ('<row r="6"', '<row'),
    ('<c r="E6"', '<!-- a note --><c r="E6"'),
])
def test_a_sheet_not_written_as_excel_writes_it_is_loaded_whole(tmp_path, change):
    path = lookup_cmrt(tmp_path)
    xml = part(path, LOOKUP)
    assert change[0] in xml
    odd = replace_parts(path, tmp_path / "odd.xlsx", {LOOKUP: xml.replace(change[0], change[1], 1)})
    assert True not in used(odd)  # (calamine itself refuses some of them: the file is then not read at all)
    assert read_workbook(odd) == loaded_whole(odd)


def test_a_cell_not_plain_text_has_the_sheet_loaded_whole(tmp_path):
    path = lookup_cmrt(tmp_path)
    xml = part(path, LOOKUP)
    # Row 6's name as a number, then its ID cell twice: neither is told from the XML.
    number = re.sub(r'<c r="B6"([^>]*?) t="s"><v>[0-9]+</v></c>', r'<c r="B6"\1><v>12</v></c>', xml)
    twice = re.sub(r'(<c r="E6"[^>]*><v>[0-9]+</v></c>)', r"\1\1", xml)
    for name, changed in (("number.xlsx", number), ("twice.xlsx", twice)):
        assert changed != xml
        odd = replace_parts(path, tmp_path / name, {LOOKUP: changed})
        assert used(odd) == [False], name
        assert read_workbook(odd) == loaded_whole(odd), name


def test_ids_written_otherwise_are_found_as_when_the_sheet_is_loaded(tmp_path):
    path = lookup_cmrt(tmp_path)
    sst = part(path, "xl/sharedStrings.xml")
    changed = sst.replace("<t>CID000801</t>", "<t xml:space=\"preserve\"> cid 000801 </t>", 1)
    assert changed != sst
    spaced = replace_parts(path, tmp_path / "spaced.xlsx", {"xl/sharedStrings.xml": changed})
    declaration = read_workbook(spaced)
    assert declaration == loaded_whole(spaced)


def test_every_corpus_workbook_reads_the_same_lookup_from_the_xml():
    files = corpus_workbooks()
    told = 0
    for path in files:
        calls = used(path)
        told += sum(calls)
        assert read_workbook(path) == loaded_whole(path), path.name
    assert told >= 3  # the filled 6.4 declarations (the others list no smelter IDs)


def _moved_cell(xml: str, cell: str) -> str:
    """Cell `cell` of row 6 written inside <row r="7"> instead (calamine places it by its own address)."""
    found = re.search(rf'<c r="{cell}"[^>]*>.*?</c>', xml).group(0)
    xml = xml.replace(found, "", 1)
    return re.sub(r'(<row r="7"[^>]*>.*?)(</row>)', lambda m: m.group(1) + found + m.group(2), xml, count=1, flags=re.S)


def _rows_after_the_data(xml: str) -> str:
    """Row 6 moved into a <sheetData> of another element after the sheet's own (calamine does not read it)."""
    row = re.search(r'<row r="6".*?</row>', xml, re.S).group(0)
    ext = f'<extLst><ext uri="{{0}}"><x xmlns="urn:x"><sheetData>{row}</sheetData></x></ext></extLst>'
    return xml.replace(row, "", 1).replace("</worksheet>", ext + "</worksheet>")


@pytest.mark.parametrize("change", [lambda xml: _moved_cell(xml, "E6"), lambda xml: _moved_cell(xml, "B6"),
                                    _rows_after_the_data], ids=["id-cell-moved", "name-cell-moved", "rows-after"])
def test_cells_where_calamine_reads_them_otherwise_have_the_sheet_loaded_whole(tmp_path, change):
    path = lookup_cmrt(tmp_path)
    xml = part(path, LOOKUP)
    odd = replace_parts(path, tmp_path / "odd.xlsx", {LOOKUP: change(xml)})
    assert change(xml) != xml
    assert True not in used(odd)
    assert read_workbook(odd) == loaded_whole(odd)


def _quoted_angle(xml: str) -> str:
    """Row 6's ID cell inside a single-quoted attribute of another cell (one attribute to calamine)."""
    e6 = re.search(r'<c r="E6"[^>]*>.*?</c>', xml).group(0)
    a6 = re.search(r'<c r="A6"[^>]*>.*?</c>', xml).group(0)
    return xml.replace(e6, "").replace(a6, a6 + "<c r=\"D6\" foo='></c>" + e6 + "<c r=\"Z6\" bar='><v>1</v></c>", 1)


def _padded_row(xml: str) -> str:
    """Row 6 written with its number zero-padded (r="06", r="A06"): calamine reads it as row 6."""
    row = re.search(r'<row r="6".*?</row>', xml, re.S).group(0)
    return xml.replace(row, re.sub(r'r="([A-Z]*)6"', r'r="\g<1>06"', row), 1)


@pytest.mark.parametrize("change", [_quoted_angle, _padded_row], ids=["quoted-angle", "padded-row"])
def test_attributes_and_numbers_in_other_forms_have_the_sheet_loaded_whole(tmp_path, change):
    path = lookup_cmrt(tmp_path)
    xml = part(path, LOOKUP)
    assert change(xml) != xml
    odd = replace_parts(path, tmp_path / "odd.xlsx", {LOOKUP: change(xml)})
    assert True not in used(odd)
    assert read_workbook(odd) == loaded_whole(odd)


def test_a_name_longer_than_a_cell_may_hold_is_cut_as_when_the_sheet_is_loaded(tmp_path):
    path = lookup_cmrt(tmp_path)
    sst = part(path, "xl/sharedStrings.xml")
    name = "<t>Inner Mongolia Qiankun Gold and Silver Refinery Share Co., Ltd.</t>"
    assert name in sst
    long = replace_parts(path, tmp_path / "long.xlsx", {"xl/sharedStrings.xml": sst.replace(
        name, f"<t>{'x ' * 16400}Asahi Pretec Corp.</t>", 1)})
    declaration = read_workbook(long)
    assert declaration == loaded_whole(long)
    assert "workbook.long-cell" in {p.code for p in declaration.problems}
