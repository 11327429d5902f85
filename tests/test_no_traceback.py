"""Nothing a user or a supplier can put on disk ends in a traceback: each case is a problem, or works."""
from __future__ import annotations

import dataclasses
import logging
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator import pipeline
from generator.problems import Problems, UserError
from generator.supply import folder as workbooks
from tests import cmrt_fixtures as fx
from tests.project import ROOT, content, make_project
from tests.supply_project import supply_chain_project


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1", "LC_ALL": "C.UTF-8"}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=env)


def problems_of(root: Path) -> list[str]:
    with pytest.raises(UserError) as raised:
        pipeline.build(root)
    return [str(p) for p in raised.value.problems.sorted() if p.severity == "error"]


def test_a_file_name_that_is_not_utf8_is_shown_with_its_bytes_written_out(tmp_path):
    root = supply_chain_project(tmp_path)
    name = os.fsdecode(b"caf\xe9.xlsx")
    fx.write(fx.full_declaration("6.5"), root / "data/cmrt" / name)
    result = cli("build", "--no-site", cwd=root)
    assert "Traceback" not in result.stderr and result.returncode == 0, result.stderr[-3000:]
    # The report's Markdown escapes the backslash: it shows data/cmrt/caf\xe9.xlsx.
    assert "data/cmrt/caf\\\\xe9.xlsx" in (root / "review/2024/report.md").read_text(encoding="utf-8")


def test_a_lone_surrogate_in_yaml_is_a_problem(tmp_path):
    root = make_project(tmp_path)
    (root / "data/company.yml").write_text(
        (root / "data/company.yml").read_text().replace("name: Example Devices Inc.", 'name: "Example \\ud800 Inc."'))
    assert problems_of(root) == [
        "data/company.yml, line 1: error: holds the escape \\ud800, a lone UTF-16 surrogate that is no character; "
        "write the character itself [yaml.surrogate]"]


@pytest.mark.parametrize("path, expected", [
    ("data/company.yml", "data/company.yml: error: is a folder; expected a YAML file here [yaml.not-a-file]"),
    ("data/smelters.xlsx", "data/smelters.xlsx: error: is a directory, not a workbook [workbook.not-a-workbook]"),
])
def test_a_data_path_that_is_a_folder_is_a_problem(tmp_path, path, expected):
    root = make_project(tmp_path)
    (root / path).unlink()
    (root / path).mkdir()
    assert expected in problems_of(root)


@pytest.mark.parametrize("path, expected", [
    ("data/suppliers.csv", "data/suppliers.csv: error: is a folder; expected a CSV file here [supply.not-a-file]"),
    ("data/supply-chain.yml", "data/supply-chain.yml: error: is a folder; expected a YAML file here "
                              "[yaml.not-a-file]"),
])
def test_a_supply_chain_path_that_is_a_folder_is_a_problem(tmp_path, path, expected):
    root = supply_chain_project(tmp_path)
    (root / path).unlink()
    (root / path).mkdir()
    assert expected in problems_of(root)


def test_an_unwritable_docs_folder_is_a_problem(tmp_path, monkeypatch):
    root = make_project(tmp_path)
    real = Path.write_bytes

    def refuse(self, data):
        if "docs" in self.parts:
            raise PermissionError(13, "Permission denied")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", refuse)
    found = problems_of(root)
    assert found[0] == ("docs/countries.md: error: cannot write the file: Permission denied; expected a writable "
                        "folder [output.write]")
    assert len(found) == 8


@pytest.mark.parametrize("output", ["docs/smelters.md", "review/2024/rows.csv"])
def test_a_folder_where_an_output_goes_is_a_problem(tmp_path, output):
    root = supply_chain_project(tmp_path)
    (root / output).mkdir(parents=True)
    assert (f"{output}: error: cannot write the file: Is a directory; expected a writable folder [output.write]"
            in problems_of(root))


def test_an_unwritable_cache_is_a_warning_and_the_build_goes_on(tmp_path, caplog):
    root = supply_chain_project(tmp_path)
    (root / ".cache").write_text("a file where the cache folder should be")
    with caplog.at_level(logging.WARNING):
        pipeline.build(root)
    assert sum("(the workbooks are read again next time)" in r.getMessage() for r in caplog.records) == 1  # 3 files
    assert (root / "review/2024/report.md").exists()


@pytest.mark.parametrize("index", ["null", "[1, 2]", '{"x": [1, 2]}', '{"x": "abc"}', '{"x": [1, 2, 3, 4, 5, 6]}',
                                   '{"truncated": [1, 2'])
def test_a_cache_index_of_any_shape_is_discarded_with_a_warning(tmp_path, caplog, index):
    folder = tmp_path / "cmrt"
    fx.write(fx.full_declaration("6.5"), folder / "a.xlsx")
    (tmp_path / workbooks.CACHE_DIR).mkdir(parents=True)
    (tmp_path / workbooks.CACHE_DIR / "index.json").write_text(index)
    with caplog.at_level(logging.WARNING):
        (declaration,) = workbooks.read_declarations(folder, Problems(), tmp_path)
    assert declaration.readable
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        f"the workbook cache index {tmp_path / workbooks.CACHE_DIR / 'index.json'} "
        + ("had 1 malformed entries" if index.startswith('{"x"') else "is discarded and rebuilt")]


@pytest.mark.parametrize("entry", [b"", b"\x80\x04truncated", pickle.dumps([1, 2]), pickle.dumps(None), b"garbage"])
def test_a_cache_entry_of_any_shape_is_discarded_with_a_warning(tmp_path, caplog, entry):
    folder = tmp_path / "cmrt"
    fx.write(fx.full_declaration("6.5"), folder / "a.xlsx")
    workbooks.read_declarations(folder, Problems(), tmp_path)
    (cached,) = (tmp_path / workbooks.CACHE_DIR).glob("*.pickle")
    cached.write_bytes(entry)
    with caplog.at_level(logging.WARNING):
        (declaration,) = workbooks.read_declarations(folder, Problems(), tmp_path)
    assert declaration.readable and declaration.company_name == "Acme Components Ltd."
    assert [r.getMessage().startswith(f"the workbook cache entry {cached} is discarded and rebuilt")
            for r in caplog.records] == [True]
    assert dataclasses.replace(pickle.loads(cached.read_bytes()), file=declaration.file) == declaration


def test_a_file_rewritten_with_its_old_size_and_time_gets_a_new_key(tmp_path, monkeypatch):
    monkeypatch.setattr(workbooks, "RACY_NS", -1)  # trust an entry however recent the file's times are
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"first content")
    old = path.stat()
    index = workbooks._Index(tmp_path / "cache")
    first = index_key(index, path)
    index.save()
    assert index_key(index, path) == first and str(path.resolve()) in index.entries
    path.write_bytes(b"other content")
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (old.st_size, old.st_mtime_ns)
    assert index_key(index, path) != first


def index_key(index: workbooks._Index, path: Path) -> str:
    """The content key of `path` as a build finds it: the index's where it vouches for the file,
    else hashed (and recorded, kept if the file is not racy when the index is saved)."""
    resolved = str(path.resolve())
    seen = workbooks._seen(path.stat())
    key = index.vouched(resolved, seen)
    if key is None:
        key = workbooks._key(path)
        index.found(workbooks._File(path, path.name, resolved, seen, None), key)
    return key


def hashes(monkeypatch) -> list[str]:
    """The files hashed from now on, by name (the index's stat did not vouch for them)."""
    hashed: list[str] = []
    real = workbooks._key
    monkeypatch.setattr(workbooks, "_key", lambda path: hashed.append(path.name) or real(path))
    return hashed


def test_a_file_changed_just_before_the_index_is_saved_is_hashed_again(tmp_path, monkeypatch):
    hashed = hashes(monkeypatch)
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"fresh")
    index = workbooks._Index(tmp_path / "cache")
    index_key(index, path)
    index.save()
    assert index.entries == {}  # racy: its stat does not vouch for it
    index_key(workbooks._Index(tmp_path / "cache"), path)
    assert hashed == ["a.xlsx", "a.xlsx"]


def test_a_file_copied_in_just_before_a_long_read_is_trusted_when_the_index_is_saved(tmp_path, monkeypatch):
    """Raciness is judged when the index is saved (as git does), not when the file was hashed: the files
    copied in just before a cold build are not hashed again by the rebuild after it."""
    hashed = hashes(monkeypatch)
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"copied in")
    changed = max(path.stat().st_mtime_ns, path.stat().st_ctime_ns)
    later = changed + workbooks.RACY_NS + 1  # the reading took longer than the clock's granularity
    index = workbooks._Index(tmp_path / "cache", clock=lambda: later)
    key = index_key(index, path)
    index.save()
    assert index_key(workbooks._Index(tmp_path / "cache"), path) == key
    assert hashed == ["a.xlsx"]
    path.write_bytes(b"copied again")
    changed = max(path.stat().st_mtime_ns, path.stat().st_ctime_ns)
    just = workbooks._Index(tmp_path / "cache", clock=lambda: changed + workbooks.RACY_NS)
    index_key(just, path)
    just.save()  # saved no later than the granularity after the change: not kept, hashed again
    assert index_key(workbooks._Index(tmp_path / "cache"), path) != key
    assert hashed == ["a.xlsx", "a.xlsx", "a.xlsx"]


def test_a_file_changed_between_its_hashing_and_the_save_is_not_kept(tmp_path, monkeypatch):
    hashed = hashes(monkeypatch)
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"first")
    index = workbooks._Index(tmp_path / "cache", clock=lambda: 10 ** 30)
    first = index_key(index, path)
    path.write_bytes(b"changed during the build")
    index.save()
    assert index.entries == {}
    assert index_key(workbooks._Index(tmp_path / "cache"), path) != first
    assert hashed == ["a.xlsx", "a.xlsx"]


def without_smelter_list(root: Path) -> Path:
    report = yaml.safe_load((root / "data/report.yml").read_text())
    del report["smelter_list"]
    (root / "data/report.yml").write_text(yaml.safe_dump(report, sort_keys=False))
    return root


def test_build_check_and_exhibit_work_without_a_curated_smelter_list(tmp_path):
    root = without_smelter_list(supply_chain_project(tmp_path))
    pages, _changed, _problems = pipeline.build(root)
    current, checked, _ = pipeline.check(root)
    assert pipeline.stale_outputs(root, current, checked) == []
    text, _name, _ = pipeline.exhibit(root, "exhibit-1.01.htm")
    assert "Each one's status is as of" in pages["smelters.md"]
    assert "Each one's status is as of" in text
    assert content()["report.yml"]["smelter_list"]  # the project's own default still has one
