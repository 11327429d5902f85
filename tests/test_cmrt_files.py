"""File-level handling: formats by content, encryption, and files that are not CMRTs."""
from __future__ import annotations

import zipfile

import openpyxl
import pytest
from cmrt_fixtures import CMRT, encrypt, write

from generator.supply.cmrt import read_workbook


def only_problem(d):
    assert not d.readable
    assert len(d.problems) == 1
    p = d.problems[0]
    assert (p.severity, p.sheet, p.cell) == ("error", "", "")
    return p.code, p.message


def test_format_is_detected_by_content_not_extension(tmp_path):
    path = write(CMRT(fields={"company_name": "Named xls"}), tmp_path / "really-xlsx.xls")
    d = read_workbook(path)
    assert (d.readable, d.file_format, d.company_name) == (True, "xlsx", "Named xls")


def test_default_password_opens_transparently(tmp_path):
    plain = write(CMRT(fields={"company_name": "Protected Co"},
                       smelters={5: {"metal": "Gold", "smelter_name": "Metalor"}}), tmp_path / "plain.xlsx")
    d = read_workbook(encrypt(plain, "VelvetSweatshop", tmp_path / "protected.xlsx"))
    assert (d.readable, d.encrypted, d.file_format, d.company_name) == (True, True, "xlsx", "Protected Co")
    assert [s.smelter_name for s in d.smelters] == ["Metalor"]


def test_other_password_is_a_clear_problem_naming_the_file(tmp_path):
    plain = write(CMRT(fields={"company_name": "Secret Co"}), tmp_path / "plain.xlsx")
    path = encrypt(plain, "s3cret", tmp_path / "secret.xlsx")
    d = read_workbook(path)
    assert only_problem(d) == (
        "workbook.password-protected",
        "is protected with a password other than Excel's default; ask the supplier for an unprotected copy")
    assert d.problems[0].file == str(path)
    assert str(d.problems[0]).startswith(f"{path}: error: is protected with a password")


@pytest.mark.parametrize("content,code", [
    (b"", "workbook.not-a-workbook"),
    (b"Metal,Smelter\nGold,Metalor\n", "workbook.not-a-workbook"),
    (b"PK\x03\x04" + b"\x00" * 200, "workbook.corrupt"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "workbook.unreadable"),
])
def test_files_that_are_not_workbooks(tmp_path, content, code):
    path = tmp_path / "supplier.xlsx"
    path.write_bytes(content)
    d = read_workbook(path)
    assert only_problem(d)[0] == code
    assert d.problems[0].file == str(path)


def test_a_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "report.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    assert only_problem(read_workbook(path)) == (
        "workbook.not-a-workbook", "is a zip file but not a workbook (no xl/workbook.xml, xl/workbook.bin or OpenDocument content.xml)")


def test_truncated_workbook_is_a_problem_not_a_traceback(tmp_path):
    good = write(CMRT(fields={"company_name": "X"}), tmp_path / "good.xlsx").read_bytes()
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(good[: len(good) // 2])
    code, _ = only_problem(read_workbook(path))
    assert code == "workbook.corrupt"


def test_workbook_without_cmrt_sheets(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Conformant"
    wb.create_sheet("Cobalt List")
    path = tmp_path / "lists.xlsx"
    wb.save(path)
    assert only_problem(read_workbook(path)) == (
        "cmrt.not-a-cmrt",
        "is not a CMRT: no 'Declaration' or 'Smelter List' sheet (sheets: Conformant, Cobalt List)")


def test_missing_and_directory_paths(tmp_path):
    assert only_problem(read_workbook(tmp_path / "nope.xlsx")) == ("workbook.file-not-found", "no such file")
    assert only_problem(read_workbook(tmp_path))[0] == "workbook.not-a-workbook"


@pytest.mark.parametrize("family", ["3.01", "6.5", "1.00"])
def test_declaration_without_revision_is_never_read_with_a_guessed_layout(tmp_path, family):
    d = read_workbook(write(CMRT(family=family, revision="", fields={"company_name": "No Rev"}),
                            tmp_path / "norev.xlsx"))
    assert (d.readable, d.template, d.company_name) == (False, "CMRT", "")
    assert only_problem(d) == ("cmrt.unknown-version",
                               "has no template revision in Declaration!J3 (nor at the top of the Declaration or "
                               "Smelter List), so its layout is unknown; it is not read rather than read with a "
                               "guessed layout")


def test_xlsm_is_read_like_xlsx(tmp_path):
    d = read_workbook(write(CMRT(fields={"company_name": "Macro Co"}), tmp_path / "supplier.xlsm"))
    assert (d.readable, d.file_format, d.company_name) == (True, "xlsx", "Macro Co")


def test_oversized_file_is_refused_before_loading(tmp_path, monkeypatch):
    from generator.excel import workbook

    path = write(CMRT(), tmp_path / "big.xlsx")
    monkeypatch.setattr(workbook, "MAX_FILE_BYTES", 1000)
    code, message = only_problem(read_workbook(path))
    assert code == "workbook.too-large"
    assert message.endswith("bytes; the limit is 1,000")
