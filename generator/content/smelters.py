"""Stage 2: read the company's curated smelter spreadsheet.

One row per facility: metal, facility name and its status (RMI's words, the team's
labels, or the first reports' conflict-free designation), optionally a smelter ID and a country. Columns are found by their header text
in row 1 (this is the company's own sheet, not a supplier template). Every row
is either a Facility or a rejected row with its reason, reported as a problem.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.excel.cache import read_cached
from generator.excel.values import as_text
from generator.model import METALS, STATUSES, Facility
from generator.problems import Problems
from generator.supply.status import RMI_LABELS, category

REQUIRED = {"metal": "Metal", "name": "Smelter or refiner", "designation": "Conflict-free designation"}
# Other headers of the status column: RMI's word for it, or the team's own (status_labels.heading).
STATUS_HEADERS = ("Status", "RMI status")
OPTIONAL = {"smelter_id": "Smelter ID", "country": "Country"}
MAX_ROWS = 10_000     # a company's own list; far more than the few hundred facilities a filer has
MAX_COLUMNS = 26      # the header is looked for in columns A to Z


def read_smelter_list(path: Path, sheet: str, problems: Problems, display: str,
                      as_of: dt.date | None = None, labels: dict[str, str] | None = None,
                      heading: str = "", cache_root: Path | None = None) -> list[Facility]:
    """Read every row of `sheet`; bad rows become problems naming their cell.

    `labels` are the words the pages show for each status (also read in the list); `heading` the
    team's name of the status column.

    The list is opened like a supplier's workbook (.xlsx or .xls, by content), with the same bounds,
    in an isolated worker process (generator.excel.isolate), or from the cache in `cache_root`/.cache/lists
    (generator.excel.cache).
    """
    return read_cached(_read, problems, display, path, sheet, display, as_of, labels, heading,
                       cache_root=cache_root, default=[])


def _read(path: Path, sheet: str, display: str, as_of: dt.date | None, labels: dict[str, str] | None,
          heading: str, problems: Problems) -> list[Facility]:
    from generator.excel.workbook import WorkbookError, open_workbook  # in the worker: a cached list needs neither
    try:
        book = open_workbook(path)
        if not book.has(sheet):
            problems.add(display, "smelters.missing-sheet",
                         f"no sheet named '{sheet}'; the workbook has: {', '.join(book.sheet_names)}")
            return []
        grid = book.sheet(sheet, max_row=MAX_ROWS + 1)
    except WorkbookError as err:
        if err.code == "workbook.file-not-found":
            problems.add(display, "smelters.missing-file", "file not found; expected the smelter spreadsheet (.xlsx)")
        else:
            problems.add(display, err.code, err.message)
        return []
    beyond = grid.rows_cut + max(grid.last_row - MAX_ROWS, 0)
    if beyond:
        problems.add(display, "smelters.too-many-rows", f"the list has {beyond:,} more "
                     f"{'row' if beyond == 1 else 'rows'} after row {MAX_ROWS:,}, the most it may have; "
                     "they were not read", sheet=sheet, cell=f"A{MAX_ROWS + 1}")
    book.report_notes(problems, display)
    width = MAX_COLUMNS
    rows = ([grid.at(r, c).value for c in range(width)] for r in range(1, min(grid.last_row, MAX_ROWS) + 1))
    header = next(rows, [])
    columns = _columns(header, display, sheet, problems, heading)
    if columns is None:
        return []
    return _facilities(rows, columns, display, sheet, problems, as_of, labels or RMI_LABELS)


def _columns(header, display, sheet, problems, heading: str = "") -> dict[str, int] | None:
    found = {_norm(v): i for i, v in enumerate(header) if _text(v)}
    columns, missing = {}, []
    titles: dict[str, tuple[str, ...]] = {key: (title,) for key, title in {**REQUIRED, **OPTIONAL}.items()}
    titles["designation"] += (*STATUS_HEADERS, heading) if heading else STATUS_HEADERS
    for key, title in {**REQUIRED, **OPTIONAL}.items():
        column = next((found[_norm(t)] for t in titles[key] if _norm(t) in found), None)
        if column is not None:
            columns[key] = column
        elif key in REQUIRED:
            missing.append(title)
    if missing:
        wanted = ", ".join(f"'{t}'" for t in REQUIRED.values())
        problems.add(display, "smelters.header",
                     f"header row lacks {', '.join(repr(m) for m in missing)}; expected the columns {wanted}",
                     sheet=sheet, cell="A1")
        return None
    return columns


def _facilities(rows, columns, display, sheet, problems, as_of, labels: dict[str, str]) -> list[Facility]:
    from generator.excel.workbook import column_letters
    facilities: list[Facility] = []
    first_seen: dict[tuple[str, str], int] = {}
    for number, row in enumerate(rows, start=2):
        values = {key: _text(row[i] if i < len(row) else None) for key, i in columns.items()}
        if not any(values.values()):
            continue  # a blank row carries nothing to publish or reject

        def reject(code: str, message: str, number: int = number) -> None:
            cell = f"{column_letters(columns[code.removeprefix('smelters.')])}{number}"
            problems.add(display, code, f"row rejected: {message}", sheet=sheet, cell=cell)

        metal = _match(values["metal"], METALS)
        status = category(values["designation"], labels)
        if metal is None:
            reject("smelters.metal", f"unknown metal {values['metal']!r}; expected one of {', '.join(METALS)}")
        if not values["name"]:
            reject("smelters.name", "the facility name is blank")
        if status is None:
            words = [labels[s] for s in STATUSES]
            rmi = [RMI_LABELS[s] for s in STATUSES if RMI_LABELS[s] not in words]
            also = f" (or RMI's {', '.join(rmi)})" if rmi else ""
            reject("smelters.designation",
                   f"unknown status {values['designation']!r}; expected one of {', '.join(words)}{also}")
        if metal is None or not values["name"] or status is None:
            continue
        key = (metal, values["name"].casefold())
        if key in first_seen:
            reject("smelters.name", f"{metal} facility {values['name']!r} is listed twice (first in row {first_seen[key]})")
            continue
        first_seen[key] = number
        facilities.append(Facility(metal, values["name"], labels[status], values.get("smelter_id", ""),
                                   values.get("country", ""), f"{display}, sheet '{sheet}', row {number}", as_of,
                                   status=status))
    return facilities


def _text(value) -> str:
    return " ".join(as_text(value).split())


def _norm(value) -> str:
    return _text(value).casefold().replace("-", " ")


def _match(value: str, options: tuple[str, ...]) -> str | None:
    return next((o for o in options if _norm(o) == _norm(value)), None)
