"""Stage 2: read the company's curated smelter spreadsheet.

One row per facility: metal, facility name and its conflict-free designation,
optionally a smelter ID and a country. Columns are found by their header text
in row 1 (this is the company's own sheet, not a supplier template). Every row
is either a Facility or a rejected row with its reason, reported as a problem.
"""
from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

from generator.cmrt.workbook import MAX_FILE_BYTES, ZIP_MAGIC, WorkbookError, check_ooxml
from generator.problems import Problems

METALS = ("Gold", "Tantalum", "Tin", "Tungsten")
CONFLICT_FREE = "Conflict-free"
NOT_DESIGNATED = "Not designated"
DESIGNATIONS = (CONFLICT_FREE, NOT_DESIGNATED)

REQUIRED = {"metal": "Metal", "name": "Smelter or refiner", "designation": "Conflict-free designation"}
OPTIONAL = {"smelter_id": "Smelter ID", "country": "Country"}


@dataclass(frozen=True)
class Facility:
    metal: str
    name: str
    designation: str
    smelter_id: str = ""
    country: str = ""
    source: str = ""  # file and row it came from, for the review report
    as_of: dt.date | None = None  # the date of the designation
    reporters: tuple[str, ...] = ()  # suppliers that named it, when data/supply-chain.yml publishes them

    @property
    def conflict_free(self) -> bool:
        return self.designation == CONFLICT_FREE


def read_smelter_list(path: Path, sheet: str, problems: Problems, display: str,
                      as_of: dt.date | None = None) -> list[Facility]:
    """Read every row of `sheet`; bad rows become problems naming their cell."""
    try:
        _check_package(path)
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        problems.add(display, "smelters.missing-file", "file not found; expected the smelter spreadsheet (.xlsx)")
        return []
    except WorkbookError as err:
        problems.add(display, err.code, err.message)
        return []
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as err:
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        problems.add(display, "smelters.unreadable", f"cannot be read as an .xlsx workbook ({reason})")
        return []
    try:
        if sheet not in workbook.sheetnames:
            problems.add(display, "smelters.missing-sheet",
                         f"no sheet named '{sheet}'; the workbook has: {', '.join(workbook.sheetnames)}")
            return []
        rows = workbook[sheet].iter_rows(values_only=True)
        header = next(rows, ())
        columns = _columns(header, display, sheet, problems)
        if columns is None:
            return []
        return _facilities(rows, columns, display, sheet, problems, as_of)
    finally:
        workbook.close()


def _check_package(path: Path) -> None:
    """The bounds the supplier workbooks get (size, unpacked size, no XML DTD) before openpyxl parses."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise WorkbookError("smelters.too-large", f"the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
    with path.open("rb") as f:
        if f.read(4) != ZIP_MAGIC:
            return  # openpyxl says what it is not
    check_ooxml(path.read_bytes())


def _columns(header, display, sheet, problems) -> dict[str, int] | None:
    found = {_norm(v): i for i, v in enumerate(header) if _text(v)}
    columns, missing = {}, []
    for key, title in {**REQUIRED, **OPTIONAL}.items():
        if _norm(title) in found:
            columns[key] = found[_norm(title)]
        elif key in REQUIRED:
            missing.append(title)
    if missing:
        wanted = ", ".join(f"'{t}'" for t in REQUIRED.values())
        problems.add(display, "smelters.header",
                     f"header row lacks {', '.join(repr(m) for m in missing)}; expected the columns {wanted}",
                     sheet=sheet, cell="A1")
        return None
    return columns


def _facilities(rows, columns, display, sheet, problems, as_of) -> list[Facility]:
    facilities, first_seen = [], {}
    for number, row in enumerate(rows, start=2):
        values = {key: _text(row[i] if i < len(row) else None) for key, i in columns.items()}
        if not any(values.values()):
            continue  # a blank row carries nothing to publish or reject

        def reject(key: str, message: str) -> None:
            cell = f"{get_column_letter(columns[key] + 1)}{number}"
            problems.add(display, f"smelters.{key}", f"row rejected: {message}", sheet=sheet, cell=cell)

        metal = _match(values["metal"], METALS)
        designation = _match(values["designation"], DESIGNATIONS)
        if metal is None:
            reject("metal", f"unknown metal {values['metal']!r}; expected one of {', '.join(METALS)}")
        if not values["name"]:
            reject("name", "the facility name is blank")
        if designation is None:
            reject("designation", f"unknown designation {values['designation']!r}; "
                                  f"expected one of {', '.join(DESIGNATIONS)}")
        if metal is None or not values["name"] or designation is None:
            continue
        key = (metal, values["name"].casefold())
        if key in first_seen:
            reject("name", f"{metal} facility {values['name']!r} is listed twice (first in row {first_seen[key]})")
            continue
        first_seen[key] = number
        facilities.append(Facility(metal, values["name"], designation, values.get("smelter_id", ""),
                                   values.get("country", ""), f"{display}, sheet '{sheet}', row {number}", as_of))
    return facilities


def _text(value) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _norm(value) -> str:
    return _text(value).casefold().replace("-", " ")


def _match(value: str, options: tuple[str, ...]) -> str | None:
    return next((o for o in options if _norm(o) == _norm(value)), None)
