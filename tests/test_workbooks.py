"""Reading a folder of supplier workbooks: the content-hash cache and the parallel read."""
from __future__ import annotations

import logging
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from generator.problems import Problems
from generator.supply import cmrt
from generator.supply import folder as workbooks
from tests import cmrt_fixtures as fx


def write_folder(folder: Path, n: int) -> list[Path]:
    paths = []
    for i in range(n):
        spec = fx.full_declaration("6.5")
        spec.fields["company_name"] = f"Supplier {i:02d}"
        paths.append(fx.write(spec, folder / f"supplier-{i:02d}.xlsx"))
    return paths


def parses(monkeypatch, log: Path) -> Callable[[], list[str]]:
    """The workbooks parsed from now on, by name, in any process (the reader runs in workers)."""
    real = cmrt.read_workbook

    def logged(path, *data):
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{Path(path).name}\n")
        return real(path, *data)

    monkeypatch.setattr(cmrt, "read_workbook", logged)
    return lambda: sorted(log.read_text(encoding="utf-8").split()) if log.exists() else []


def test_a_rebuild_rereads_only_the_changed_workbook(tmp_path, monkeypatch):
    paths = write_folder(tmp_path / "data/cmrt", 3)
    parsed = parses(monkeypatch, tmp_path / "parsed.log")
    first = workbooks.read_declarations(tmp_path / "data/cmrt", Problems(), tmp_path)
    assert parsed() == ["supplier-00.xlsx", "supplier-01.xlsx", "supplier-02.xlsx"]
    assert len(list((tmp_path / workbooks.CACHE_DIR).glob("*.pickle"))) == 3
    (tmp_path / "parsed.log").unlink()
    spec = fx.full_declaration("6.5")
    spec.fields["company_name"] = "Supplier 01, renamed"
    fx.write(spec, paths[1])
    second = workbooks.read_declarations(tmp_path / "data/cmrt", Problems(), tmp_path)
    assert parsed() == ["supplier-01.xlsx"]  # the others (too recent for the index) hashed, found in the cache
    assert [d.company_name for d in first] == ["Supplier 00", "Supplier 01", "Supplier 02"]
    assert [d.company_name for d in second] == ["Supplier 00", "Supplier 01, renamed", "Supplier 02"]
    assert [d.file for d in second] == [f"data/cmrt/supplier-0{i}.xlsx" for i in range(3)]


def test_a_renamed_or_copied_workbook_is_named_as_it_is_now_not_as_it_was_cached(tmp_path, monkeypatch):
    paths = write_folder(tmp_path / "data/cmrt", 1)
    workbooks.read_declarations(tmp_path / "data/cmrt", Problems(), tmp_path)
    parsed = parses(monkeypatch, tmp_path / "parsed.log")
    paths[0].rename(tmp_path / "data/cmrt/renamed.xlsx")
    (tmp_path / "data/cmrt/sub").mkdir()
    (tmp_path / "data/cmrt/sub/copy.xlsx").write_bytes((tmp_path / "data/cmrt/renamed.xlsx").read_bytes())
    problems = Problems()
    found = workbooks.read_declarations(tmp_path / "data/cmrt", problems, tmp_path)
    assert parsed() == []  # both from the cache entry stored under the old name
    assert [d.file for d in found] == ["data/cmrt/renamed.xlsx"]
    assert [(p.file, p.code) for p in problems.items if p.code == "supply.duplicate-file"] == [
        ("data/cmrt/sub/copy.xlsx", "supply.duplicate-file")]


PARSERS = ("generator.supply.cmrt.reader", "generator.supply.cmrt.layouts", "generator.excel.workbook", "python_calamine",
           "msoffcrypto", "rapidfuzz")


def test_a_rebuild_from_the_cache_never_loads_the_parsers(tmp_path):
    """The reader, its layouts and the libraries only some files need are imported where a file is
    read (in a worker), not by the parent: a rebuild where the cache has every file skips their import."""
    write_folder(tmp_path / "data/cmrt", 2)
    script = ("import sys; from pathlib import Path; from generator.problems import Problems; "
              "from generator.supply.folder import read_declarations; "
              f"found = read_declarations(Path(sys.argv[1]), Problems(), Path(sys.argv[2])); "
              f"print(len(found), sorted(m for m in {PARSERS!r} if m in sys.modules))")
    runs = [subprocess.run([sys.executable, "-c", script, str(tmp_path / "data/cmrt"), str(tmp_path)],
                           capture_output=True, text=True, check=True).stdout.strip() for _ in range(2)]
    assert runs == ["2 []", "2 []"]  # the first run read both files in workers, the second from the cache
    assert list((tmp_path / ".cache/cmrt").glob("*.pickle"))


def test_files_the_index_vouches_for_are_not_even_hashed(tmp_path, monkeypatch):
    write_folder(tmp_path / "data/cmrt", 3)
    monkeypatch.setattr(workbooks, "RACY_NS", -1)  # trust an entry however recent the file's times are
    workbooks.read_declarations(tmp_path / "data/cmrt", Problems(), tmp_path)
    dispatched: list[str] = []
    real = workbooks._read_into_cache
    monkeypatch.setattr(workbooks, "_read_into_cache",
                        lambda paths, names, cache: dispatched.extend(p.name for p in paths) or real(paths, names, cache))
    again = workbooks.read_declarations(tmp_path / "data/cmrt", Problems(), tmp_path)
    assert dispatched == [] and [d.company_name for d in again] == ["Supplier 00", "Supplier 01", "Supplier 02"]


def test_many_workbooks_are_read_in_parallel_in_name_order(tmp_path):
    write_folder(tmp_path / "cmrt", 10)
    (tmp_path / "cmrt/notes.txt").write_text("not a workbook: named as not read")
    (tmp_path / "cmrt/zz-broken.xlsx").write_bytes(b"%PDF-1.4 not a workbook")
    problems = Problems()
    declarations = workbooks.read_declarations(tmp_path / "cmrt", problems, tmp_path)
    assert [d.company_name for d in declarations[:-1]] == [f"Supplier {i:02d}" for i in range(10)]
    assert declarations[-1].readable is False
    assert [str(p) for p in problems.sorted()] == [
        "cmrt/notes.txt: warning: is not a workbook, so it was not read: supplier answers are read from .xlsx, "
        ".xlsm, .xls, .xlsb, .ods files [supply.not-read]",
        "cmrt/zz-broken.xlsx: warning: is not a workbook: its content is neither .xlsx, .xlsb or .ods (zip) nor "
        ".xls (OLE2) [workbook.not-a-workbook]"]


def test_progress_bar_only_on_an_interactive_terminal_outside_ci(monkeypatch, capsys):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr("sys.stderr.isatty", lambda: False)
    assert workbooks._progress(500) is None
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    bar = workbooks._progress(500)
    assert bar is not None and bar.total == 500 and bar.unit == "workbook"
    bar.update(3)
    bar.close()
    assert "3/500" in capsys.readouterr().err
    monkeypatch.setenv("CI", "true")
    assert workbooks._progress(500) is None
    assert workbooks._progress(1) is None


def test_a_changed_reader_reads_again_the_files_the_index_vouches_for(tmp_path, monkeypatch):
    write_folder(tmp_path / "data/cmrt", 2)
    monkeypatch.setattr(workbooks, "RACY_NS", -1)  # trust an entry however recent the file's times are
    workbooks.read_declarations(tmp_path / "data/cmrt", Problems(), tmp_path)
    parsed = parses(monkeypatch, tmp_path / "parsed.log")
    monkeypatch.setattr(workbooks, "_reader_version", lambda: "another-reader")
    again = workbooks.read_declarations(tmp_path / "data/cmrt", Problems(), tmp_path)
    assert parsed() == ["supplier-00.xlsx", "supplier-01.xlsx"]
    assert [d.company_name for d in again] == ["Supplier 00", "Supplier 01"]


def test_a_copy_of_a_file_saved_again_while_the_build_reads_it_is_read_too(tmp_path, monkeypatch):
    folder = tmp_path / "data/cmrt"
    write_folder(folder, 1)
    (folder / "supplier-01.xlsx").write_bytes((folder / "supplier-00.xlsx").read_bytes())  # a byte-for-byte copy
    monkeypatch.setattr(workbooks, "RACY_NS", -1)
    workbooks.read_declarations(folder, Problems(), tmp_path)
    for entry in [*(tmp_path / workbooks.CACHE_DIR).glob("*.pickle"), *(tmp_path / workbooks.CACHE_DIR).glob("*.pack")]:
        entry.unlink()  # both indexed, neither cached
    real = workbooks._files

    def files_then_edit(*args):
        found = real(*args)
        spec = fx.full_declaration("6.5")
        spec.fields["company_name"] = "Saved again"
        fx.write(spec, folder / "supplier-00.xlsx")  # after its stat, before its reading
        return found

    monkeypatch.setattr(workbooks, "_files", files_then_edit)
    problems = Problems()
    declarations = workbooks.read_declarations(folder, problems, tmp_path)
    assert [d.company_name for d in declarations] == ["Saved again", "Supplier 00"]


def test_a_damaged_cache_entry_of_a_file_the_index_vouches_for_is_named_once(tmp_path, monkeypatch, caplog):
    write_folder(tmp_path / "data/cmrt", 1)
    monkeypatch.setattr(workbooks, "RACY_NS", -1)
    workbooks.read_declarations(tmp_path / "data/cmrt", Problems(), tmp_path)
    (entry,) = (tmp_path / workbooks.CACHE_DIR).glob("*.pickle")
    entry.write_bytes(b"garbage")
    (pack,) = (tmp_path / workbooks.CACHE_DIR).glob("*.pack")
    pack.unlink()  # else the pack serves, and the entry is not even opened
    with caplog.at_level(logging.WARNING):
        (declaration,) = workbooks.read_declarations(tmp_path / "data/cmrt", Problems(), tmp_path)
    assert declaration.company_name == "Supplier 00"
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [f"the workbook cache entry {entry} is discarded "
                                                                      "and rebuilt"]


def test_a_file_that_cannot_be_read_is_named_as_not_read(tmp_path, monkeypatch):
    write_folder(tmp_path / "data/cmrt", 2)
    real = Path.read_bytes

    def read_bytes(self):  # as for another user's file, mode 600 (the tests may run as root)
        if self.name == "supplier-00.xlsx":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    problems = Problems()
    declarations = workbooks.read_declarations(tmp_path / "data/cmrt", problems, tmp_path)
    assert [d.company_name for d in declarations] == ["Supplier 01"]
    assert [str(p) for p in problems.sorted()] == [
        "data/cmrt/supplier-00.xlsx: warning: cannot be read: Permission denied [supply.not-read]"]


def _pack(tmp_path: Path) -> Path:
    (pack,) = (tmp_path / workbooks.CACHE_DIR).glob("*.pack")
    return pack


def test_a_rebuild_loads_the_cached_declarations_from_one_pack_that_shares_their_strings(tmp_path, monkeypatch):
    write_folder(tmp_path / "data/cmrt", 3)
    monkeypatch.setattr(workbooks, "RACY_NS", -1)
    first = workbooks.read_declarations(tmp_path / "data/cmrt", Problems(), tmp_path)
    for entry in (tmp_path / workbooks.CACHE_DIR).glob("*.pickle"):
        entry.unlink()  # only the pack is left
    parsed = parses(monkeypatch, tmp_path / "parsed.log")
    again = workbooks.read_declarations(tmp_path / "data/cmrt", Problems(), tmp_path)
    assert parsed() == [] and again == first
    names = [d.smelters[0].smelter_name for d in (*first, *again)]
    assert len(set(names)) == 1 and " " in names[0]  # the same name in each file, a string Python does not intern
    assert first[0].smelters[0].smelter_name is not first[1].smelters[0].smelter_name  # each from its own worker
    assert again[0].smelters[0].smelter_name is again[1].smelters[0].smelter_name is again[2].smelters[0].smelter_name


def test_the_pack_is_written_again_only_once_it_misses_enough_of_the_build(tmp_path, monkeypatch):
    paths = write_folder(tmp_path / "data/cmrt", 3)
    monkeypatch.setattr(workbooks, "RACY_NS", -1)
    monkeypatch.setattr(workbooks, "REPACK_SHARE", 1)  # rewritten when it misses more than all 3 (not 8 of 8)
    workbooks.read_declarations(tmp_path / "data/cmrt", Problems(), tmp_path)
    written = _pack(tmp_path).read_bytes()

    def rename(i: int, name: str) -> None:
        spec = fx.full_declaration("6.5")
        spec.fields["company_name"] = name
        fx.write(spec, paths[i])

    def header() -> tuple:
        with open(_pack(tmp_path), "rb") as f:
            return pickle.load(f)

    rename(1, "Supplier 01, renamed")  # one new content, one gone: 2 misses
    found = workbooks.read_declarations(tmp_path / "data/cmrt", Problems(), tmp_path)
    assert _pack(tmp_path).read_bytes() == written  # not written again; the new one came from its entry
    assert [d.company_name for d in found] == ["Supplier 00", "Supplier 01, renamed", "Supplier 02"]
    rename(0, "Supplier 00, renamed")  # 4 misses now
    found = workbooks.read_declarations(tmp_path / "data/cmrt", Problems(), tmp_path)
    assert [d.company_name for d in found] == ["Supplier 00, renamed", "Supplier 01, renamed", "Supplier 02"]
    assert header() == tuple(sorted(workbooks._key(p) for p in paths))  # the old contents are dropped


def test_a_damaged_pack_is_named_once_and_the_entries_serve(tmp_path, monkeypatch, caplog):
    write_folder(tmp_path / "data/cmrt", 2)
    monkeypatch.setattr(workbooks, "RACY_NS", -1)
    first = workbooks.read_declarations(tmp_path / "data/cmrt", Problems(), tmp_path)
    pack = _pack(tmp_path)
    with open(pack, "rb") as f:
        pickle.load(f)
        header = f.tell()
    parsed = parses(monkeypatch, tmp_path / "parsed.log")
    for damage in (b"garbage", pack.read_bytes()[: header + 20]):  # not a pack; its declarations cut short
        pack.write_bytes(damage)
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            again = workbooks.read_declarations(tmp_path / "data/cmrt", Problems(), tmp_path)
        assert again == first and parsed() == []
        assert [r.getMessage().split(":")[0] for r in caplog.records] == [
            f"the workbook cache pack {pack} is discarded and rebuilt"]
    paths = sorted((tmp_path / "data/cmrt").iterdir())
    assert workbooks._Pack(tmp_path / workbooks.CACHE_DIR, tmp_path / "data/cmrt").load() == {
        workbooks._key(p): d for p, d in zip(paths, first)}  # written again, whole


def test_a_file_whose_reader_failed_is_not_packed_but_read_again_next_time(tmp_path, monkeypatch):
    write_folder(tmp_path / "data/cmrt", 2)
    monkeypatch.setattr(workbooks, "RACY_NS", -1)
    real = cmrt.read_workbook

    def failing(path, *data):
        if Path(path).name == "supplier-01.xlsx":
            raise RuntimeError("a one-time failure")
        return real(path, *data)

    monkeypatch.setattr(cmrt, "read_workbook", failing)
    first = workbooks.read_declarations(tmp_path / "data/cmrt", Problems(), tmp_path)
    assert [d.readable for d in first] == [True, False]
    monkeypatch.setattr(cmrt, "read_workbook", real)
    again = workbooks.read_declarations(tmp_path / "data/cmrt", Problems(), tmp_path)
    assert [(d.company_name, d.readable) for d in again] == [("Supplier 00", True), ("Supplier 01", True)]


def test_each_folder_keeps_its_own_pack_and_a_damaged_one_is_written_again(tmp_path, monkeypatch, caplog):
    for year in ("2024", "2025"):
        write_folder(tmp_path / year, 1)
    monkeypatch.setattr(workbooks, "RACY_NS", -1)
    for year in ("2024", "2025"):
        workbooks.read_declarations(tmp_path / year, Problems(), tmp_path)
    packs = sorted((tmp_path / workbooks.CACHE_DIR).glob("*.pack"))
    written = [p.read_bytes() for p in packs]
    parsed = parses(monkeypatch, tmp_path / "parsed.log")
    for year in ("2024", "2025"):
        workbooks.read_declarations(tmp_path / year, Problems(), tmp_path)
    assert parsed() == [] and [p.read_bytes() for p in packs] == written  # neither year rewrote the other's
    packs[0].write_bytes(b"garbage")
    for _ in range(2):
        with caplog.at_level(logging.WARNING):
            for year in ("2024", "2025"):
                workbooks.read_declarations(tmp_path / year, Problems(), tmp_path)
    assert len([r for r in caplog.records if "pack" in r.getMessage()]) == 1  # written again after the first
    assert sorted((tmp_path / workbooks.CACHE_DIR).glob("*.pack")) == packs and parsed() == []


def test_an_empty_folder_reads_nothing_and_writes_no_pack(tmp_path, caplog):
    (tmp_path / "data/cmrt").mkdir(parents=True)
    with caplog.at_level(logging.WARNING):
        assert workbooks.read_declarations(tmp_path / "data/cmrt", Problems(), tmp_path) == []
    assert caplog.records == [] and not list(tmp_path.glob(".cache/cmrt/*.pack"))
