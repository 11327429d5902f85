"""Stage: the two tables a compliance team keeps by hand, the supplier roster and the alias file.

The roster (CSV or the first sheet of a workbook) lists the suppliers surveyed; the
alias file (CSV: metal, name, smelter_id) maps a supplier's spelling of a facility
to its smelter ID, and is how a reviewer resolves a row held for review.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.excel.cache import read_cached
from generator.problems import Problems
from generator.supply import values
from generator.supply.matching import name_key
from generator.supply.reference import read_csv, sheet_rows, table_sheet


@dataclass(frozen=True)
class RosterEntry:
    name: str
    supplier_id: str
    contact: str
    row: int


@dataclass(frozen=True)
class Alias:
    """One row of the alias file: a supplier's spelling of a facility of `metal`, and its smelter ID."""
    metal: str
    name: str
    smelter_id: str
    line: int

    @property
    def key(self) -> tuple[str, str]:
        return (self.metal, name_key(self.name))


ROSTER_HEADERS = {"name": ("name", "supplier", "supplier name", "company", "company name"),
                  "supplier_id": ("id", "supplier id", "identifier", "supplier number", "vendor id"),
                  "contact": ("contact", "email", "contact email")}


def read_table(path: Path, problems: Problems, display: str,
               cache_root: Path | None = None) -> list[list[str]] | None:
    """A CSV (see reference.read_csv; Windows-1252 with a warning) or the first sheet of a workbook
    (read in a worker, or from the cache in `cache_root`: generator.excel.cache)."""
    if not path.exists():
        problems.add(display, "supply.missing-file", "file not found")
        return None
    if path.suffix.lower() == ".csv":
        read = read_csv(path, problems, display)
        if read is not None and read[1] == "cp1252":
            problems.warn(display, "supply.encoding", "not UTF-8; read as Windows-1252")
        return read[0] if read is not None else None
    return read_cached(_workbook_rows, problems, display, path, display, cache_root=cache_root)


def _workbook_rows(path: Path, display: str, problems: Problems) -> list[list[str]] | None:
    """The first visible sheet of a workbook as rows of text (run in an isolated worker)."""
    from generator.excel.workbook import WorkbookError, open_workbook  # in the worker: a cached roster needs neither
    try:
        book = open_workbook(path)
        if not book.sheet_names:
            raise WorkbookError("supply.empty-workbook", "the workbook has no sheets")
        sheet = table_sheet(book, book.first_sheet)
    except WorkbookError as err:
        problems.add(display, err.code, err.message)
        return None
    book.report_notes(problems, display)
    return sheet_rows(sheet, problems, display)


def read_roster(path: Path, problems: Problems, display: str, cache_root: Path | None = None) -> list[RosterEntry]:
    rows = read_table(path, problems, display, cache_root)
    if not rows:
        if rows is not None:
            problems.add(display, "supply.roster-empty", "the roster is empty; expected a header row and suppliers")
        return []
    header = {" ".join(c.split()).casefold(): i for i, c in enumerate(rows[0])}
    columns = {key: next((header[n] for n in names if n in header), None) for key, names in ROSTER_HEADERS.items()}
    if columns["name"] is None:
        problems.add(display, "supply.roster-header", "the header row has no supplier name column; expected "
                     "one of: " + ", ".join(ROSTER_HEADERS["name"]), line=1)
        return []
    entries: list[RosterEntry] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        def get(key: str, row: list[str] = row) -> str:
            column = columns[key]
            return row[column].strip() if column is not None and column < len(row) else ""
        if not any(c.strip() for c in row):
            continue
        name = get("name")
        if not name:
            problems.add(display, "supply.roster-name", "the supplier name is blank", line=number)
            continue
        if name_key(name) in seen:
            problems.add(display, "supply.roster-duplicate",
                         f"supplier {name!r} is listed twice (first on line {seen[name_key(name)]})", line=number)
            continue
        seen[name_key(name)] = number
        entries.append(RosterEntry(name, get("supplier_id"), get("contact"), number))
    return entries


ALIAS_COLUMNS = ("metal", "name", "smelter_id")


def read_aliases(path: Path, problems: Problems, display: str, metal_of: Callable[[str], str] = values.metal,
                 expected: str = "Gold, Tantalum, Tin, Tungsten", cache_root: Path | None = None) -> tuple[Alias, ...]:
    """The alias file's rows. Two rows that give one spelling different IDs are an error naming both
    lines, and neither is used: which one is right is the reviewer's call, never the last row's."""
    rows = read_table(path, problems, display, cache_root)
    if not rows:
        return ()
    header = [" ".join(c.split()).casefold() for c in rows[0]]
    missing = [h for h in ALIAS_COLUMNS if h not in header]
    if missing:
        problems.add(display, "supply.alias-header", f"the header row lacks {', '.join(missing)}; expected "
                     "the columns metal, name, smelter_id", line=1)
        return ()
    col = {h: header.index(h) for h in ALIAS_COLUMNS}
    by_key: dict[tuple[str, str], list[Alias]] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = {k: (row[i].strip() if i < len(row) else "") for k, i in col.items()}
        if not any(cells.values()):
            continue
        metal = metal_of(cells["metal"])
        smelter_id, ok = values.smelter_id(cells["smelter_id"])
        if not metal or not cells["name"] or not smelter_id or not ok:
            problems.add(display, "supply.alias-row", f"expected a metal ({expected}), a name "
                         f"and a smelter ID such as CID000001; found {cells}", line=number)
            continue
        alias = Alias(metal, cells["name"], smelter_id, number)
        by_key.setdefault(alias.key, []).append(alias)
    aliases = []
    for group in by_key.values():
        ids = sorted({a.smelter_id for a in group})
        if len(ids) > 1:
            lines = ", ".join(f"line {a.line} ({a.name!r} -> {a.smelter_id})" for a in group)
            problems.add(display, "supply.alias-conflict", f"{group[0].metal} {group[0].name!r} is mapped to "
                         f"{' and '.join(ids)}: {lines}; keep the one row that is right", line=group[1].line)
            continue
        aliases.append(group[0])
    return tuple(aliases)
