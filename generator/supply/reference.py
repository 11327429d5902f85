"""Smelter reference lists and conformance lists, from the files RMI (and CFSI before it) publish.

Read sources:
- standalone lists as CSV or workbook sheets, found by their header row:
  the 2014 CFSI smelter reference list (V2 -> V3 smelter ID mapping), the 2014
  CFSI compliant list, RMI list workbooks (conformant, all smelters with status);
- the reference sheet inside a CMRT, by position (its headers may be Chinese):
  'Smelter Look-up' (5.x/6.x) or 'Standard Smelter Names' (2.x/3.x).
Each list keeps its source file, title and as-of date, shown on the site.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.excel import MAX_FILE_BYTES
from generator.excel.cache import read_cached
from generator.excel.values import as_text
from generator.model import METALS
from generator.problems import Problems
from generator.supply import values
from generator.supply.matching import country_key, name_key

CONFORMANT_STATUSES = {"conformant", "compliant", "conflict free", "conflict-free"}


@dataclass(frozen=True)
class ReferenceEntry:
    metal: str
    smelter_id: str           # CID000001 form; "" when the list has none
    name: str                 # the standard name
    country: str = ""
    aliases: tuple[str, ...] = ()
    legacy_ids: tuple[str, ...] = ()
    status: str = ""          # as the list states it, e.g. "Conformant"
    row: int = 0


@dataclass(frozen=True)
class ListConflict:
    """Two rows of a list (or two lists) that disagree about a facility; a problem, listed for review.

    `smelter_id` is the ID whose supplier rows are held because of it ("" when the rows can still be
    matched: a name under two IDs needs the country, two statuses take the stricter)."""
    file: str
    sheet: str
    code: str
    message: str
    smelter_id: str = ""


@dataclass(frozen=True)
class ReferenceList:
    source: str               # the file (and sheet) it was read from
    title: str
    as_of: dt.date | None
    entries: tuple[ReferenceEntry, ...] = field(default=(), repr=False)
    conflicts: tuple[ListConflict, ...] = ()
    file: str = ""
    sheet: str = ""


# Header texts of standalone lists (case and spacing ignored), per field.
HEADERS = {
    "metal": ("metal",),
    "name": ("standard smelter name", "standard smelter names", "smelter name"),
    "smelter_id": ("smelter id", "new smelter id", "v3 smelter id"),
    "legacy_id": ("v2 smelter id", "old smelter id"),
    "country": ("country", "country location", "location", "smelter facility location: country"),
    "alias": ("smelter reference", "smelter look-up (*)", "known alias",
              "key term 1", "key term 2", "key term 3", "key term 4"),
    "status": ("rmi status", "status", "type"),
}

# Reference sheets inside CMRT workbooks, by position: (sheet, first data row, columns).
# 'Standard Smelter Names' has two layouts: 3.01 (C country, D old ID, E new CID) and
# 2.x (C known alias, D country, E the legacy ID); the first data row tells them apart.
CMRT_SHEETS = (
    ("Smelter Look-up", 5, {"metal": "A", "alias": "B", "name": "C", "country": "D", "smelter_id": "E"}),
    ("Standard Smelter Names", 3, {"metal": "A", "name": "B", "country": "C", "legacy_id": "D",
                                   "smelter_id": "E"}),
    ("Standard Smelter Names", 3, {"metal": "A", "name": "B", "alias": "C", "country": "D", "smelter_id": "E"}),
)


def read_list(path: Path, title: str, as_of: dt.date | None, problems: Problems, display: str,
              sheet: str | None = None, conformance: bool = False,
              metals: tuple[str, ...] = METALS, cache_root: Path | None = None) -> ReferenceList | None:
    """Read one list file; None (with a problem) when it cannot be read. The conflicts in a reference
    list hold the supplier rows of the IDs concerned; in a conformance list, they are not conformant.
    Only entries of `metals` are kept: the 3TG by default, the EMRT/CRT minerals for their lists.
    A workbook is read in a worker, or from the cache in `cache_root` (generator.excel.cache)."""
    consequence = "it is not counted as conformant" if conformance else "its supplier rows are held for review"
    if not path.exists():
        problems.add(display, "reference.missing-file", "file not found; expected a smelter list (.csv, .xlsx, .xls)")
        return None
    if path.suffix.lower() == ".csv":
        read = read_csv(path, problems, display)
        if read is None:
            return None
        rows, source, sheet_name = read[0], display, ""
    else:
        found = read_cached(_workbook_list, problems, display, path, display, sheet, metals, cache_root=cache_root)
        if found is None:
            return None
        kind, name, data = found
        if kind == "cmrt":
            return _list(display, name, title, as_of, data, problems, consequence)
        rows, source, sheet_name = data, f"{display}, sheet '{name}'", name
    entries = _table_entries(rows, source, problems, metals)
    if entries is None:
        return None
    return _list(display, sheet_name, title, as_of, entries, problems, consequence)


def _list(file: str, sheet: str, title: str, as_of: dt.date | None, rows: tuple[ReferenceEntry, ...],
          problems: Problems, consequence: str) -> ReferenceList:
    """One entry per facility from a list's rows, with the rows' conflicts as warnings."""
    conflicts = list_conflicts(rows, file, sheet, consequence)
    for problem in conflicts:  # each made with its literal code in list_conflicts
        problems.warn(file, problem.code, problem.message, sheet=sheet)
    source = f"{file}, sheet '{sheet}'" if sheet else file
    return ReferenceList(source, title, as_of, _grouped(rows), conflicts, file, sheet)


def _workbook_list(path: Path, display: str, sheet: str | None, metals: tuple[str, ...],
                   problems: Problems) -> tuple[str, str, tuple[ReferenceEntry, ...] | list[list[str]]] | None:
    """A list in workbook form, read in an isolated worker: ("cmrt", sheet, the rows of a CMRT's reference
    sheet) or ("table", sheet, its rows as text, for the caller to find the header in); None, with a problem."""
    from generator.excel.workbook import WorkbookError, open_workbook  # in the worker: a cached list needs neither
    try:
        book = open_workbook(path)
    except WorkbookError as err:
        problems.add(display, err.code, err.message)
        return None
    cmrt = [(name, first, cols) for name, first, cols in CMRT_SHEETS
            if sheet in (None, name) and book.has(name) and book.has("Declaration")]
    if cmrt:
        grid = table_sheet(book, cmrt[0][0])
        name, first, cols = next((c for c in cmrt if _fits(grid, c[1], c[2])), cmrt[-1])
        book.report_notes(problems, display)
        _report_beyond(grid.rows_cut + max(grid.last_row - MAX_TABLE_ROWS, 0), problems, display, sheet=name,
                       cell=f"A{MAX_TABLE_ROWS + 1}")
        return "cmrt", name, _cmrt_entries(grid, first, cols, metals)
    name = sheet or book.first_sheet
    if not book.has(name):
        problems.add(display, "reference.missing-sheet",
                     f"no sheet named '{name}'; the workbook has: {', '.join(book.sheet_names)}")
        return None
    grid = table_sheet(book, name)
    book.report_notes(problems, display)
    return "table", name, sheet_rows(grid, problems, display)


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def read_csv(path: Path, problems: Problems, display: str) -> tuple[list[list[str]], str] | None:
    """The trimmed cells of a CSV file and the encoding it was read in; None, with a problem, if it
    cannot be read. Unicode with a byte-order mark (UTF-8, UTF-16, UTF-32, as Excel saves), UTF-8,
    else Windows-1252 (which the caller may warn about); at most MAX_FILE_BYTES."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.add(display, "supply.too-large", f"the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
            return None
        raw = path.read_bytes()
    except IsADirectoryError:
        problems.add(display, "supply.not-a-file", "is a folder; expected a CSV file here")
        return None
    except OSError as err:
        problems.add(display, "supply.unreadable", f"cannot be read: {err.strerror or err}")
        return None
    encoding = next((name for bom, name in _BOMS if raw.startswith(bom)), None)
    try:
        text = raw.decode(encoding or "utf-8")
    except UnicodeDecodeError as err:
        if encoding or b"\x00" in raw:
            problems.add(display, "supply.encoding", f"not readable as {encoding or 'text'} ({err.reason} at byte "
                         f"{err.start}); save it as CSV UTF-8")
            return None
        encoding, text = "cp1252", raw.decode("cp1252", errors="replace")
    if "\x00" in text:
        problems.add(display, "supply.encoding", "holds NUL characters: not a text file, or UTF-16 without a "
                     "byte-order mark; save it as CSV UTF-8")
        return None
    reader = csv.reader(io.StringIO(text))
    try:
        rows = [[cell.strip() for cell in row] for row in reader]
    except csv.Error as err:
        problems.add(display, "supply.csv", f"cannot be read as CSV: {err}", line=reader.line_num)
        return None
    _report_beyond(sum(1 for row in rows[MAX_TABLE_ROWS:] if any(row)), problems, display, line=MAX_TABLE_ROWS + 1)
    return rows[:MAX_TABLE_ROWS], encoding or "utf-8"


TABLE_COLUMNS = 40  # a list's columns are looked for in A to AN
MAX_TABLE_ROWS = 10_001
"""Rows read from a roster or a list, its header included: the same 10,000 entries as a supplier's list."""


def sheet_rows(grid, problems: Problems, display: str) -> list[list[str]]:
    """A sheet of a standalone list (a roster, a reference list) as rows of trimmed text, at most
    MAX_TABLE_ROWS; the rows beyond are a problem with their count. `grid` is loaded with
    max_row=MAX_TABLE_ROWS + 1 (see `table_sheet`)."""
    rows = [[as_text(grid.at(r, c).value) for c in range(TABLE_COLUMNS)]
            for r in range(1, min(grid.last_row, MAX_TABLE_ROWS) + 1)]
    beyond = grid.rows_cut + max(grid.last_row - MAX_TABLE_ROWS, 0)
    _report_beyond(beyond, problems, display, sheet=grid.name, cell=f"A{MAX_TABLE_ROWS + 1}")
    return rows


def _report_beyond(beyond: int, problems: Problems, display: str, **where) -> None:
    if beyond:
        problems.add(display, "supply.too-many-rows",
                     f"the list has {beyond:,} more {'row' if beyond == 1 else 'rows'} after row {MAX_TABLE_ROWS:,}; "
                     f"at most {MAX_TABLE_ROWS - 1:,} entries below the header are read, so they were not read; "
                     "split the list", **where)


def table_sheet(book, name: str):
    """Load a roster's or a list's sheet, bounded to the rows `sheet_rows` reads."""
    return book.sheet(name, max_row=MAX_TABLE_ROWS + 1)


def entry_key(entry: ReferenceEntry) -> str:
    """One facility across lists and supplier rows: its smelter ID, or else its metal and folded name."""
    return entry.smelter_id or f"{entry.metal}|{name_key(entry.name)}"


def _table_entries(rows: list[list[str]], source: str, problems: Problems,
                   metals: tuple[str, ...] = METALS) -> tuple[ReferenceEntry, ...] | None:
    """Find the header row in the first rows, then read every row below it."""
    for index, header in enumerate(rows[:10]):  # noqa: B007 (index is used after the loop)
        columns = _columns(header)
        if "metal" in columns and ("smelter_id" in columns or "name" in columns):
            break
    else:
        problems.add(source, "reference.header", "no header row with a Metal column and a Smelter ID or "
                     "Standard Smelter Name column in the first 10 rows")
        return None
    entries = []
    for number, row in enumerate(rows[index + 1:], start=index + 2):
        entry = _entry(row, columns, number, metals)
        if entry is not None:
            entries.append(entry)
    return tuple(entries)


def _columns(header: list[str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for i, cell in enumerate(header):
        text = " ".join(cell.split()).casefold()
        for key, names in HEADERS.items():
            if text in names:
                found.setdefault(key, []).append(i)
    return found


def _entry(row: list[str], columns: dict[str, list[int]], number: int,
           metals: tuple[str, ...] = METALS) -> ReferenceEntry | None:
    def get(key: str) -> list[str]:
        return [row[i].strip() for i in columns.get(key, []) if i < len(row) and row[i].strip()]

    metal_text = next(iter(get("metal")), "")
    metal = values.metal(metal_text) or values.mineral(metal_text)
    name = next(iter(get("name")), "")
    smelter_id, _legacy = values.smelter_id(next(iter(get("smelter_id")), ""))
    if metal not in metals or not (name or smelter_id):
        return None  # other metals or minerals, and notes
    # 2.x 'Known alias' cells join several names with a bare comma ("A,B"); names keep ", ".
    aliases = tuple(sorted({a.strip() for cell in get("alias") for a in re.split(r",(?=\S)", cell)
                            if a.strip() and name_key(a) != name_key(name)}))
    legacy = tuple(sorted({values.smelter_id(v)[0] for v in get("legacy_id")} - {""}))
    return ReferenceEntry(metal, smelter_id, name, next(iter(get("country")), ""), aliases, legacy,
                          next(iter(get("status")), ""), number)


def _fits(sheet, first_row: int, columns: dict[str, str]) -> bool:
    """A layout with an old-ID column fits if that column holds smelter IDs (tells 3.01 from 2.x)."""
    from generator.excel.workbook import column_index
    if "legacy_id" not in columns:
        return True
    samples = [as_text(sheet.at(r, column_index(columns["legacy_id"])).value)
               for r in range(first_row, min(first_row + 20, sheet.last_row + 1))]
    return any(values.smelter_id(v)[0] and values.smelter_id(v)[1] for v in samples)


def _cmrt_entries(sheet, first_row: int, columns: dict[str, str],
                  metals: tuple[str, ...] = METALS) -> tuple[ReferenceEntry, ...]:
    from generator.excel.workbook import column_index
    rows = []
    for r in range(first_row, min(sheet.last_row, MAX_TABLE_ROWS) + 1):
        rows.append({key: as_text(sheet.at(r, column_index(col)).value) for key, col in columns.items()})
    entries = []
    for number, row in enumerate(rows, start=first_row):
        entry = _entry([row.get(k, "") for k in HEADERS], {k: [i] for i, k in enumerate(HEADERS)}, number, metals)
        if entry is not None:
            entries.append(entry)
    return tuple(entries)


def _grouped(rows: tuple[ReferenceEntry, ...]) -> tuple[ReferenceEntry, ...]:
    """One entry per facility (lists repeat a facility once per alias): the first row's name and
    country, every alias and old ID, and the strictest status (a non-conformant one over conformant)."""
    grouped: dict[str, ReferenceEntry] = {}
    for row in rows:
        key = entry_key(row)
        first = grouped.get(key)
        if first is None:
            grouped[key] = row
            continue
        aliases = set(first.aliases) | set(row.aliases)
        if name_key(row.name) != name_key(first.name) and row.metal == first.metal:
            aliases.add(row.name)
        status = first.status if not is_conformant(first) or is_conformant(row) else row.status
        grouped[key] = replace(first, aliases=tuple(sorted(aliases - {first.name})),
                               legacy_ids=tuple(sorted(set(first.legacy_ids) | set(row.legacy_ids))),
                               country=first.country or row.country, status=status)
    return tuple(grouped.values())


def list_conflicts(rows: tuple[ReferenceEntry, ...], file: str, sheet: str = "",
                   consequence: str = "its supplier rows are held for review") -> tuple[ListConflict, ...]:
    """Where a list's rows disagree: an ID under two metals or two names, a name under two IDs in one
    country, an ID that is another entry's old ID, an ID with two statuses."""
    by_id: dict[str, list[ReferenceEntry]] = {}
    by_name: dict[tuple[str, str], list[ReferenceEntry]] = {}
    for row in rows:
        if row.smelter_id:
            by_id.setdefault(row.smelter_id, []).append(row)
            by_name.setdefault((row.metal, name_key(row.name)), []).append(row)
    found = []

    def conflict(code: str, message: str, smelter_id: str = "") -> None:
        found.append(ListConflict(file, sheet, code, message, smelter_id))

    for smelter_id, group in by_id.items():
        metals = _distinct(group, lambda e: e.metal)
        if len(metals) > 1:
            conflict(code="reference.id-metals", smelter_id=smelter_id, message=f"{smelter_id} is listed under "
                     f"{len(metals)} metals: {_rows(metals)}; {consequence}")
            continue
        names = _distinct(group, lambda e: name_key(e.name))
        if len(names) > 1:
            conflict(code="reference.id-names", smelter_id=smelter_id, message=f"{smelter_id} is listed under "
                     f"{len(names)} names: {_rows(names, 'name')}; {consequence}")
        statuses = _distinct([e for e in group if e.status], lambda e: " ".join(e.status.split()).casefold())
        if len(statuses) > 1:
            conflict(code="reference.status-conflict", message=f"{smelter_id} is listed with {len(statuses)} "
                     f"statuses: {_rows(statuses, 'status')}; the stricter one holds")
    for (metal, _key), group in by_name.items():
        ids = _distinct(group, lambda e: e.smelter_id)
        clashing = [e for e in ids if any(o is not e and _same_place(o, e) for o in ids)]
        if len(clashing) > 1:
            conflict(code="reference.name-ids", message=f"{metal} {clashing[0].name!r} is listed under "
                     f"{len(clashing)} smelter IDs in one country: {_rows(clashing, 'smelter_id')}; rows naming it "
                     "need its ID or the alias file")
    for row in rows:
        for legacy in row.legacy_ids:
            other = by_id.get(legacy)
            if other and other[0].smelter_id != row.smelter_id:
                conflict(code="reference.legacy-id", smelter_id=legacy, message=f"{legacy} is the smelter ID of "
                         f"{other[0].name!r} (row {other[0].row}) and an old ID of {row.smelter_id} {row.name!r} "
                         f"(row {row.row}); {consequence}")
    return tuple(found)


def _distinct(group: list[ReferenceEntry], key) -> list[ReferenceEntry]:
    """The first row of each distinct value of `key`, in row order."""
    seen: dict[str, ReferenceEntry] = {}
    for entry in group:
        seen.setdefault(key(entry), entry)
    return list(seen.values())


def _rows(entries: list[ReferenceEntry], show: str = "metal") -> str:
    return " and ".join(f"{getattr(e, show)!r} (row {e.row})" if show != "metal" else f"{e.metal} (row {e.row})"
                        for e in entries)


def _same_place(a: ReferenceEntry, b: ReferenceEntry) -> bool:
    """Two entries of one name that may be one facility: in one country, or either without one."""
    return not a.country or not b.country or country_key(a.country) == country_key(b.country)


def is_conformant(entry: ReferenceEntry) -> bool:
    """An entry of a conformance list counts as conformant unless its status says otherwise."""
    return not entry.status or " ".join(entry.status.split()).casefold() in CONFORMANT_STATUSES
