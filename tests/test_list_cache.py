"""A list read from a workbook (the smelter list, a reference or conformance list, the roster) is read
in a worker once per content: a rebuild takes it, and the problems found reading it, from .cache/lists."""
from __future__ import annotations

import logging
import os
import pickle

import openpyxl
import pytest

from generator import pipeline
from generator.content import smelters
from generator.excel import cache
from generator.problems import Problem, Problems
from generator.supply.reference import read_list
from generator.supply.roster import read_roster
from tests import project
from tests.supply_project import supply_chain_project

ROWS = [("Gold", "Alpha Refinery", "Conflict-free"), ("Copper", "Red Metal Works", "Conflict-free"),
        ("Tin", "", "Not designated"), ("Tin", "PT Delta Tin", "Maybe"), ("Gold", "alpha refinery", "Conflict-free")]


def workers(monkeypatch) -> list[str]:
    """The readers run in a worker from now on, by function name."""
    ran: list[str] = []
    real = cache.read_isolated

    def counted(func, *args, **kwargs):
        ran.append(func.__name__)
        return real(func, *args, **kwargs)

    monkeypatch.setattr(cache, "read_isolated", counted)
    return ran


def read_smelters(tmp_path) -> tuple[list, list[Problem]]:
    problems = Problems()
    found = smelters.read_smelter_list(tmp_path / "data/smelters.xlsx", "Smelters", problems, "data/smelters.xlsx",
                                       cache_root=tmp_path)
    return found, problems.items


def test_a_cache_hit_gives_the_same_rows_and_replays_the_same_problems_in_order(tmp_path, monkeypatch):
    ran = workers(monkeypatch)
    project.write_smelters(tmp_path / "data/smelters.xlsx", ROWS)
    first, problems = read_smelters(tmp_path)
    assert [(p.cell, p.code) for p in problems] == [
        ("A3", "smelters.metal"), ("B4", "smelters.name"), ("C5", "smelters.designation"), ("B6", "smelters.name")]
    assert [f.name for f in first] == ["Alpha Refinery"]
    again, replayed = read_smelters(tmp_path)
    assert (again, replayed) == (first, problems)
    assert ran == ["_read"]  # the second time, no worker


def test_a_changed_list_file_is_read_again(tmp_path, monkeypatch):
    ran = workers(monkeypatch)
    path = project.write_smelters(tmp_path / "data/smelters.xlsx", ROWS[:1])
    assert [f.name for f in read_smelters(tmp_path)[0]] == ["Alpha Refinery"]
    project.write_smelters(path, [("Tin", "PT Delta Tin", "Not designated")])
    found, problems = read_smelters(tmp_path)
    assert ([f.name for f in found], problems) == (["PT Delta Tin"], [])
    assert ran == ["_read", "_read"]


def test_other_arguments_are_another_reading(tmp_path, monkeypatch):
    ran = workers(monkeypatch)
    project.write_smelters(tmp_path / "data/smelters.xlsx", ROWS[:1])
    read_smelters(tmp_path)
    problems = Problems()
    assert smelters.read_smelter_list(tmp_path / "data/smelters.xlsx", "Other", problems, "data/smelters.xlsx",
                                      cache_root=tmp_path) == []
    assert [p.code for p in problems.items] == ["smelters.missing-sheet"]
    assert ran == ["_read", "_read"]


DAMAGED = {
    "empty": lambda key: b"", "truncated": lambda key: b"\x80\x04truncated", "garbage": lambda key: b"garbage",
    "a list": lambda key: pickle.dumps([1, 2]), "None": lambda key: pickle.dumps(None),
    "another key": lambda key: pickle.dumps(cache._Entry("another key", [], ())),
    "not problems": lambda key: pickle.dumps(cache._Entry(key, [], ("not a problem",))),
}


@pytest.mark.parametrize("damage", list(DAMAGED.values()), ids=list(DAMAGED))
def test_a_damaged_cache_entry_is_discarded_with_a_warning_and_rebuilt(tmp_path, monkeypatch, caplog, damage):
    project.write_smelters(tmp_path / "data/smelters.xlsx", ROWS)
    expected = read_smelters(tmp_path)
    (cached,) = (tmp_path / cache.CACHE_DIR).glob("*.pickle")
    cached.write_bytes(damage(cached.stem))
    ran = workers(monkeypatch)
    with caplog.at_level(logging.WARNING):
        assert read_smelters(tmp_path) == expected
    assert [r.getMessage().startswith(f"the list cache entry {cached} is discarded and rebuilt: ")
            for r in caplog.records] == [True]
    assert ran == ["_read"]
    rebuilt = pickle.loads(cached.read_bytes())
    assert (rebuilt.key, rebuilt.value, list(rebuilt.problems)) == (cached.stem, *expected)


def test_a_worker_that_dies_is_a_problem_and_is_not_cached(tmp_path, monkeypatch):
    project.write_smelters(tmp_path / "data/smelters.xlsx", ROWS[:1])
    monkeypatch.setattr(smelters, "_read", lambda *args, **kwargs: os.abort())
    found, problems = read_smelters(tmp_path)
    assert (found, [(p.file, p.code) for p in problems]) == ([], [("data/smelters.xlsx", "workbook.reader-crashed")])
    assert not (tmp_path / cache.CACHE_DIR).exists()


def test_an_unwritable_cache_is_a_warning_and_the_list_is_read(tmp_path, caplog):
    project.write_smelters(tmp_path / "data/smelters.xlsx", ROWS[:1])
    (tmp_path / ".cache").write_text("a file where the cache folder should be")
    with caplog.at_level(logging.WARNING):
        assert [f.name for f in read_smelters(tmp_path)[0]] == ["Alpha Refinery"]
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        f"cannot write the list cache in {tmp_path / cache.CACHE_DIR} (the file is read again next time)"]


def write_list(path) -> None:
    """A reference list in workbook form, with two rows that give one ID two names (a conflict)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Smelters"
    sheet.append(["Metal", "Smelter ID", "Standard Smelter Name", "Country", "RMI Status"])
    sheet.append(["Gold", "CID000077", "Argor-Heraeus SA", "Switzerland", "Conformant"])
    sheet.append(["Gold", "CID000082", "Asahi Pretec Corporation", "Japan", "Conformant"])
    sheet.append(["Gold", "CID000082", "Other Name Corp.", "Japan", "Conformant"])
    sheet.append(["Tantalum", "CID002557", "Global Advanced Metals Boyertown", "United States", "Active"])
    book.save(path)


def test_the_reference_list_that_is_also_the_conformance_list_is_read_once_per_build(tmp_path, monkeypatch):
    root = supply_chain_project(tmp_path)
    write_list(root / "data/lists/rmi.xlsx")
    project.write_smelters(root / "data/roster.xlsx", [["Acme Components Ltd."], ["Beta Parts GmbH"]],
                           header=("Supplier name",), sheet="Roster")
    settings = root / "data/supply-chain.yml"
    settings.write_text(settings.read_text().replace("lists/reference.csv", "lists/rmi.xlsx")
                        .replace("lists/conformant.csv", "lists/rmi.xlsx")
                        .replace("roster: suppliers.csv", "roster: roster.xlsx"), encoding="utf-8")
    ran = workers(monkeypatch)
    pages, _, problems = pipeline.build(root)
    assert ran == ["_workbook_list", "_workbook_rows", "_read"]  # the list once, though it is named twice
    conflicts = [(p.code, p.message.split(";")[1].strip()) for p in problems.items if p.file == "data/lists/rmi.xlsx"]
    assert conflicts == [("reference.id-names", "its supplier rows are held for review"),
                         ("reference.id-names", "it is not counted as conformant")]
    again, changed, replayed = pipeline.build(root)
    assert ran == ["_workbook_list", "_workbook_rows", "_read"]  # the rebuild: no worker at all
    assert (again, changed, replayed.items) == (pages, [], problems.items)  # review/ too: the same bytes


def test_the_readers_without_a_cache_root_cache_nothing(tmp_path, monkeypatch):
    ran = workers(monkeypatch)
    write_list(tmp_path / "rmi.xlsx")
    project.write_smelters(tmp_path / "roster.xlsx", [["Acme"]], header=("name",), sheet="Roster")
    for _ in range(2):
        assert read_list(tmp_path / "rmi.xlsx", "RMI", None, Problems(), "rmi.xlsx") is not None
        assert [r.name for r in read_roster(tmp_path / "roster.xlsx", Problems(), "roster.xlsx")] == ["Acme"]
    assert ran == ["_workbook_list", "_workbook_rows"] * 2
    assert not (tmp_path / ".cache").exists()
