"""Nothing in the folder of supplier answers is skipped in silence: other formats, lock files,
subfolders, copies and hidden sheets are read or named."""
from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import openpyxl

from generator.problems import Problems, display_path
from generator.supply import folder as workbooks
from generator.supply.cmrt import read_workbook
from tests import cmrt_fixtures as fx
from tests.ods import to_ods
from tests.xlsb import to_xlsb


def supplier(name: str):
    spec = fx.full_declaration("6.5")
    spec.fields["company_name"] = name
    return spec


def test_every_file_is_read_or_named(tmp_path):
    folder = tmp_path / "data/cmrt"
    fx.write(supplier("Alpha"), folder / "alpha.xlsx")
    shutil.copy(folder / "alpha.xlsx", folder / "copy of alpha.xlsx")
    (folder / "~$alpha.xlsx").write_bytes(b"\x0bPat Doe")
    (folder / "notes.csv").write_text("a,b\n")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4")
    (folder / "sub/deeper").mkdir(parents=True)
    to_ods(fx.write(supplier("Beta"), tmp_path / "beta.xlsx"), folder / "sub/beta.ods")
    fx.write(supplier("Gamma"), folder / "sub/deeper/gamma.xlsm")
    to_xlsb(fx.write(supplier("Epsilon"), tmp_path / "epsilon.xlsx"), folder / "sub/epsilon.xlsb")
    (folder / "sub/answers.numbers").write_bytes(b"PK\x03\x04")
    problems = Problems()
    declarations = workbooks.read_declarations(folder, problems, tmp_path)
    assert [(d.file, d.company_name, d.file_format) for d in declarations] == [
        ("data/cmrt/alpha.xlsx", "Alpha", "xlsx"),
        ("data/cmrt/sub/beta.ods", "Beta", "ods"),
        ("data/cmrt/sub/deeper/gamma.xlsm", "Gamma", "xlsx"),
        ("data/cmrt/sub/epsilon.xlsb", "Epsilon", "xlsb")]
    not_read = ("is not a workbook, so it was not read: supplier answers are read from .xlsx, .xlsm, .xls, .xlsb, "
                ".ods files [supply.not-read]")
    assert [str(p) for p in problems.sorted()] == [
        "data/cmrt/copy of alpha.xlsx: warning: is a byte-for-byte copy of data/cmrt/alpha.xlsx; counted once, as "
        "that file [supply.duplicate-file]",
        f"data/cmrt/notes.csv: warning: {not_read}",
        f"data/cmrt/scan.pdf: warning: {not_read}",
        f"data/cmrt/sub/answers.numbers: warning: {not_read}",
        "data/cmrt/~$alpha.xlsx: warning: an Excel lock file (the workbook beside it is open in Excel); skipped "
        "[supply.lock-file]"]


def test_binary_and_opendocument_workbooks_read_as_the_xlsx_they_were_made_from(tmp_path):
    xlsx = fx.write(supplier("Delta"), tmp_path / "delta.xlsx")
    expected = read_workbook(xlsx)
    for other in (to_xlsb(xlsx, tmp_path / "delta.xlsb"), to_ods(xlsx, tmp_path / "delta.ods")):
        d = read_workbook(other)
        assert d.file_format == other.suffix[1:]
        assert (d.template_version, d.company_name, d.smelters, d.rejected, d.problems) == (
            expected.template_version, expected.company_name, expected.smelters, expected.rejected, expected.problems)


def test_a_damaged_binary_workbook_is_a_problem(tmp_path):
    path = tmp_path / "answers.xlsb"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/workbook.bin", b"\x83\x01\x00")
    d = read_workbook(path)
    assert (d.readable, [(p.code, p.message) for p in d.problems]) == (
        False, [("workbook.unreadable", "cannot read the workbook: Cannot detect file format")])


def test_a_hidden_sheet_never_wins_over_a_visible_one_of_the_same_name(tmp_path):
    path = fx.write(supplier("Twins"), tmp_path / "twins.xlsx")
    book = openpyxl.load_workbook(path)
    hidden = book["Smelter List"]
    visible = book.copy_worksheet(hidden)
    visible.title = "Smelter List "
    visible["D5"] = "Visible Refining"
    hidden.sheet_state = "hidden"
    book.save(path)
    d = read_workbook(path)
    assert d.smelters[0].smelter_name == "Visible Refining"
    assert [(p.code, p.sheet, p.severity, p.message) for p in d.problems if p.code == "workbook.hidden-twin"] == [
        ("workbook.hidden-twin", "Smelter List ", "warning",
         "the workbook has a hidden sheet 'Smelter List' beside the visible sheet 'Smelter List '; the visible one "
         "was read")]


def test_a_folder_that_is_a_file_is_named(tmp_path):
    (tmp_path / "cmrt").write_text("")
    problems = Problems()
    assert workbooks.read_declarations(tmp_path / "cmrt", problems, tmp_path) == []
    assert [str(p) for p in problems.sorted()] == [
        "cmrt: error: folder of supplier workbooks is a file, not a folder [supply.missing-folder]"]


def test_links_are_named_as_display_path_names_them(tmp_path):
    """The names shown for files reached through a linked file or a linked folder are display_path's
    (the path resolved), as for every other file: _files resolves a folder once, a file only when a link.
    A linked folder is not walked, and named as not read."""
    project, outside = tmp_path / "project", tmp_path / "outside"
    folder = project / "data/cmrt"
    fx.write(supplier("Alpha"), folder / "alpha.xlsx")
    fx.write(supplier("Beta"), project / "data/kept/beta.xlsx")
    fx.write(supplier("Gamma"), outside / "gamma.xlsx")
    (folder / "beta-link.xlsx").symlink_to(project / "data/kept/beta.xlsx")
    (folder / "gamma-link.xlsx").symlink_to(outside / "gamma.xlsx")
    (folder / "linked").symlink_to(project / "data/kept", target_is_directory=True)
    problems = Problems()
    paths = workbooks.workbook_files(folder, problems, project)
    files = workbooks._files(paths, workbooks._Index(project / ".cache/cmrt"), problems, project)
    assert [f.name for f in files] == [display_path(p, project) for p in paths]
    assert sorted(f.name for f in files) == sorted(["data/cmrt/alpha.xlsx", "data/kept/beta.xlsx",
                                                    str(folder / "gamma-link.xlsx")])
    assert [f.resolved for f in files] == [str(p.resolve()) for p in paths]
    problems = Problems()
    declarations = workbooks.read_declarations(folder, problems, project)
    assert sorted(d.company_name for d in declarations) == ["Alpha", "Beta", "Gamma"]
    assert [str(p) for p in problems.sorted()] == [
        "data/cmrt/linked: warning: is a link to a folder, whose files are not read; move or copy them into the "
        "folder of supplier answers [supply.not-read]"]


def test_a_subfolder_that_cannot_be_listed_is_named_and_the_others_are_read(tmp_path, monkeypatch):
    folder = tmp_path / "data/cmrt"
    fx.write(supplier("Alpha"), folder / "a/alpha.xlsx")
    fx.write(supplier("Beta"), folder / "b/beta.xlsx")
    fx.write(supplier("Gamma"), folder / "c/gamma.xlsx")
    listed = os.scandir

    def scandir(path):  # as for a folder without read permission (root reads any folder)
        if Path(path) == folder / "b":
            raise PermissionError(13, "Permission denied")
        return listed(path)

    monkeypatch.setattr(workbooks.os, "scandir", scandir)
    problems = Problems()
    paths = workbooks.workbook_files(folder, problems, tmp_path)
    assert [p.name for p in paths] == ["alpha.xlsx", "gamma.xlsx"]
    assert [str(p) for p in problems.sorted()] == [
        "data/cmrt/b: warning: this folder cannot be listed, so no file in it was read: Permission denied "
        "[supply.not-read]"]


def test_deep_folders_are_walked_in_the_order_of_their_paths(tmp_path):
    """Depth-first, names in order, each subfolder's files right after its own name; and no recursion
    limit: a folder nested deeper than Python's call stack is walked too."""
    folder = tmp_path / "cmrt"
    names = ["b.xlsx", "a/z.xlsx", "a/b/c.xlsx", "a0.xlsx", "a/b.xlsx"]
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"")
    deep = folder
    for _ in range(1100):  # one by one: os.makedirs recurses
        deep = deep / "d"
        deep.mkdir()
    (deep / "deep.xlsx").write_bytes(b"")
    try:
        paths = workbooks.workbook_files(folder, Problems(), tmp_path)
    finally:  # removed here, deepest first: pytest's own clean-up of old runs (shutil.rmtree) recurses
        (deep / "deep.xlsx").unlink()
        while deep != folder:
            deep.rmdir()
            deep = deep.parent
    expected = sorted((folder / n for n in names), key=lambda p: p.relative_to(folder).parts)
    assert paths == [*expected, folder.joinpath(*["d"] * 1100, "deep.xlsx")]
