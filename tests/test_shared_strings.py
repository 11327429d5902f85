"""calamine is given only the shared strings the Declaration and the lists use (the others empty), and
reads every sheet as it does from the whole table; any other sheet it loads gets the whole table."""
from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest

from generator.excel.workbook import WorkbookError, _Package, open_workbook
from generator.supply.cmrt import read_workbook
from generator.supply.cmrt.reader import DECLARATION, LIST_SHEETS, READ_SHEETS, STRINGS_FOR
from tests.cmrt_fixtures import corpus_workbooks
from tests.hostile_inputs import lookup_cmrt, part, replace_parts

PREPARED = STRINGS_FOR


def whole(path: Path):
    with mock.patch.object(_Package, "_reduce_strings", lambda self, name, sheets: None):
        return read_workbook(path)


def reduced(path: Path) -> bool:
    book = open_workbook(path, lists=LIST_SHEETS, sheets=READ_SHEETS, strings_for=PREPARED)
    return book._package is not None and book._package._reduced is not None


def test_a_declaration_reads_the_same_from_the_strings_it_uses(tmp_path):
    path = lookup_cmrt(tmp_path)
    assert reduced(path)
    assert read_workbook(path) == whole(path)


def test_a_sheet_that_uses_other_strings_is_read_from_the_whole_table(tmp_path):
    path = lookup_cmrt(tmp_path)
    full = open_workbook(path, lists=LIST_SHEETS, sheets=READ_SHEETS)
    book = open_workbook(path, lists=LIST_SHEETS, sheets=READ_SHEETS, strings_for=(DECLARATION, *LIST_SHEETS))
    assert book.sheet("Smelter Look-up").values(6, [0, 1, 4]) == full.sheet("Smelter Look-up").values(6, [0, 1, 4]) \
        == ["Gold", "Inner Mongolia Qiankun Gold and Silver Refinery Share Co., Ltd.", "CID000801"]
    assert book._package is not None and book._package._reduced is None  # calamine has the whole table now
    assert book.sheet(DECLARATION).values(8, [3]) == full.sheet(DECLARATION).values(8, [3])


@pytest.mark.parametrize("value", ["<!-- a note -->1", "<?pi?>1", "&#49;", "<![CDATA[1]]>"])
def test_a_sheet_that_could_hide_a_reference_keeps_the_whole_table(tmp_path, value):
    path = lookup_cmrt(tmp_path)
    name = "xl/worksheets/sheet4.xml"  # the Declaration
    xml = part(path, name)
    row = f'<row r="1000"><c r="A1000" t="s"><v>{value}</v></c></row>'  # shared string 1, in disguise
    odd = replace_parts(path, tmp_path / "odd.xlsx", {name: xml.replace("</sheetData>", f"{row}</sheetData>", 1)})
    assert reduced(path) and not reduced(odd)


def test_every_corpus_workbook_reads_the_same_from_the_strings_it_uses():
    files = corpus_workbooks()
    cut = 0
    for path in files:
        assert read_workbook(path) == whole(path), path.name
        try:
            cut += reduced(path)
        except WorkbookError:  # one that does not open (not a workbook): read above, as unreadable
            pass
    assert cut >= 10
