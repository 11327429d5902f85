"""Open a workbook of either format and give cell access by sheet name and A1 address.

* The format is detected from the magic bytes, not the extension: `PK` is OOXML
  (.xlsx/.xlsm), `D0 CF 11 E0` is an OLE container: a BIFF .xls, or an encrypted OOXML.
* An encrypted file is decrypted in memory with Excel's default password
  (VelvetSweatshop); any other password is reported, never guessed.
* Cell values come from python-calamine (cached formula results, both formats). Calamine
  turns a cached Excel error (#N/A, #REF!, ...) into an empty string, so errors are
  found separately: in the sheet XML (cells with t="e") for OOXML, and with xlrd for
  BIFF. A cell then reads as empty and carries its error text.
* Merged cells: Excel keeps the value of a merged range in its top-left cell, and
  every address in our layouts is a top-left cell, so no special handling is needed;
  the merged ranges are exposed (`Sheet.merged`) to find the copyright line that closes
  the Smelter List.
"""
from __future__ import annotations

import functools
import html
import io
import logging
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

import python_calamine
from defusedxml import ElementTree
from isal import isal_zlib

from generator.excel import MAX_FILE_BYTES
from generator.problems import Problems

log = logging.getLogger("generator.excel.workbook")

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
DEFAULT_PASSWORD = "VelvetSweatshop"
MAX_PART_BYTES = 400 * 1024 * 1024
MAX_PARTS = 10_000
MAX_SHEET_CELLS = 2_500_000
"""The most cells one sheet may span, empty ones included: calamine holds the whole rectangle
in memory (32 bytes a cell), so two cells at A1 and XFD1048576 would ask for 550 GB. The
largest sheet of a real CMRT spans about 85,000 cells; a full 10,000-row list about 340,000.
A sheet whose cells are all within GZ9999 (2,079,792 cells) passes without being measured."""
MAX_SHEET_TEXT = 50_000_000
"""The most characters of shared strings one sheet's cells may expand to (a full 10,000-row list
holds about 3 million)."""
MAX_CELL_CHARS = 32_767
"""Excel's own limit for the text of a cell: a longer one is cut, with a warning."""
XML_PROLOG_BYTES = 4096
_INFLATE_ERROR: type[Exception] = isal_zlib.error  # type: ignore[assignment]  # (its stub says an instance)
_ZIP_ERRORS = (zipfile.BadZipFile, ValueError, OSError, RuntimeError, NotImplementedError, EOFError, zlib.error,
               _INFLATE_ERROR)
"""What reading a damaged zip raises: the file's problem (workbook.corrupt), never a traceback."""
ERROR_LITERALS = frozenset({"#N/A", "#REF!", "#NAME?", "#VALUE!", "#DIV/0!", "#NULL!", "#NUM!",
                            "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!"})
_CELL_REF = re.compile(r"^([A-Z]{1,3})([0-9]+)$")


@dataclass(frozen=True)
class Note:
    """A warning found while loading a sheet: its code, message, sheet and cell."""

    code: str
    message: str
    sheet: str
    cell: str


class WorkbookError(Exception):
    """The file cannot be opened as a workbook; `code` is a stable problem code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Cell:
    """A cell's cached value ("" when empty) and, if it holds an Excel error, its text."""

    value: object = ""
    error: str = ""


EMPTY = Cell()


def column_index(letters: str) -> int:
    """'A' -> 0, 'Z' -> 25, 'AA' -> 26."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def split_address(address: str) -> tuple[int, int]:
    """'D8' -> (8, 3): 1-based row, 0-based column."""
    m = _CELL_REF.match(address)
    if not m:
        raise ValueError(f"not an A1 address: {address!r}")
    return int(m.group(2)), column_index(m.group(1))


class Sheet:
    """The cells of one sheet, addressed exactly as in Excel (row 1-based, column 0-based)."""

    def __init__(self, name: str, rows: list[list], start: tuple[int, int] | None,
                 errors: Callable[[], dict[tuple[int, int], str]],
                 merged: tuple[tuple[int, int, int, int], ...], truncated: bool, rows_cut: int = 0):
        self.name = name
        self._rows = rows
        # calamine drops empty leading rows/columns: `start` is where its range begins.
        self._row0, self._col0 = (start[0] + 1, start[1]) if start else (1, 0)
        # Finding error cells costs a second pass over the sheet XML: done on first use only.
        self._find_errors = errors
        self._errors: dict[tuple[int, int], str] | None = None
        self._error_rows: frozenset[int] = frozenset()
        self._getters: dict[tuple[int, ...], tuple[Callable, int, int]] = {}
        self.merged = merged
        self.truncated = truncated
        self.rows_cut = rows_cut
        """How many rows with cells were below `max_row` and not loaded."""

    @property
    def last_row(self) -> int:
        """The last row that holds anything (0 for an empty sheet)."""
        return self._row0 + len(self._rows) - 1 if self._rows else 0

    def _load_errors(self) -> dict[tuple[int, int], str]:
        if self._errors is None:
            self._errors = self._find_errors()
            self._error_rows = frozenset(r for r, _ in self._errors)
        return self._errors

    def at(self, row: int, col: int) -> Cell:
        error = self._load_errors().get((row, col), "")
        r, c = row - self._row0, col - self._col0
        if 0 <= r < len(self._rows) and 0 <= c < len(self._rows[r]):
            value = self._rows[r][c]
            if isinstance(value, str) and value.strip() in ERROR_LITERALS:
                return Cell("", value.strip())
            if value != "" or error:
                return Cell("" if error else value, error)
        return Cell("", error) if error else EMPTY

    def values(self, row: int, cols: list[int]) -> list[object]:
        """The raw cached values of `cols` in `row`, "" where empty; a fast path for long lists.

        Errors are not resolved here: see `resolve` for the rows that are not blank.
        """
        r = row - self._row0
        if not 0 <= r < len(self._rows):
            return [""] * len(cols)
        raw, c0 = self._rows[r], self._col0
        key = tuple(cols)
        getter = self._getters.get(key)
        if getter is None:
            shifted = [c - c0 for c in cols]
            getter = self._getters[key] = (itemgetter(*shifted), min(shifted), max(shifted))
        get, low, high = getter
        if low >= 0 and high < len(raw):
            picked = get(raw)
            return list(picked) if len(cols) > 1 else [picked]
        n = len(raw)
        return [raw[c - c0] if 0 <= c - c0 < n else "" for c in cols]

    def filled_rows(self, first: int, last: int) -> list[int]:
        """The rows from `first` to `last` with a cell that is not empty, 0 or FALSE (the others are
        blank to a list, whichever of their cells it reads): a list of forty rows above a copyright
        line two thousand rows down is not walked row by row."""
        rows, r0 = self._rows, self._row0
        return [r0 + i for i in range(max(first - r0, 0), min(last - r0 + 1, len(rows))) if any(rows[i])]

    def resolve(self, row: int, cols: list[int], raw: list[object]) -> tuple[list[object], dict[int, str]]:
        """`raw` values of `cols` in `row` with cached-error cells emptied, and {column: error text}."""
        errors = self._load_errors()
        if row not in self._error_rows:
            return raw, {}
        found: dict[int, str] = {}
        values = list(raw)
        for i, col in enumerate(cols):
            if (row, col) in errors:
                found[col], values[i] = errors[(row, col)], ""
        return values, found

    def cell(self, address: str) -> Cell:
        row, col = split_address(address)
        return self.at(row, col)


class Workbook:
    """An opened workbook. Sheets are loaded only when asked for."""

    def __init__(self, path: Path, data: bytes, file_format: str, encrypted: bool,
                 package: _Package | None = None):
        self.path = path
        self.file_format = file_format
        self.encrypted = encrypted
        self._data = data
        self._package = package
        self._strings = package.strings if package is not None else None
        self.notes: list[Note] = []
        """Warnings found while loading sheets (cells cut to Excel's limit), for the caller to report."""
        self._book = _calamine(package.stored() if package is not None else data)
        meta = self._book.sheets_metadata
        self.sheet_names: tuple[str, ...] = tuple(m.name for m in meta)
        self.hidden_sheets = frozenset(m.name for m in meta if m.visible != python_calamine.SheetVisibleEnum.Visible)
        # Sheet names are English in every UI language, but a supplier may change their case
        # or add a space ("smelter list ", "DECLARATION"): match those too. A visible sheet wins
        # over a hidden one of the same name, and the workbook says so.
        self._by_folded: dict[str, str] = {}
        for name in sorted(self.sheet_names, key=lambda n: n in self.hidden_sheets):
            kept = self._by_folded.setdefault(_fold_name(name), name)
            if kept != name and name in self.hidden_sheets and kept not in self.hidden_sheets:
                self.notes.append(Note("workbook.hidden-twin", f"the workbook has a hidden sheet '{name}' beside the "
                                       f"visible sheet '{kept}'; the visible one was read", kept, ""))
        self._errors = _XlsxErrors(package) if package is not None else _XlsErrors(data) if file_format == "xls" \
            else _NoErrors()

    def report_notes(self, problems: Problems, display: str) -> None:
        """Add the warnings found while loading sheets to `problems`, naming `display`."""
        for note in self.notes:
            problems.warn(display, note.code, note.message, sheet=note.sheet, cell=note.cell)
        self.notes.clear()

    @property
    def data(self) -> bytes:
        """The file's bytes as opened (decrypted, if it was encrypted)."""
        return self._data

    def actual_name(self, name: str) -> str | None:
        """The workbook's own spelling of sheet `name`, or None if it has no such sheet."""
        folded = self._by_folded.get(_fold_name(name))
        if name in self.sheet_names and (name not in self.hidden_sheets or folded == name):
            return name
        return folded

    @property
    def first_sheet(self) -> str:
        """The first visible sheet (what Excel opens on), else the first; "" for a workbook without sheets."""
        visible = [n for n in self.sheet_names if n not in self.hidden_sheets]
        return (visible or list(self.sheet_names) or [""])[0]

    def keyed_text(self, name: str, key: str, key_column: str, value_column: str, max_row: int) -> str | None:
        """The text in `value_column` of the first row (to `max_row`) whose `key_column` cell is `key`,
        read from the sheet's XML without loading the sheet (a language table of 300 wide rows, for
        one entry). None where the XML does not tell it for sure, and the caller loads the sheet:
        unless the key is a formula's text in the key column (where any shared string is plain text
        and not the key, and no inline string is), each occurrence of the key is a whole cell value,
        every tag is spelled as Excel spells it (no comments, prefixes or processing instructions),
        the value cell is there once, and its value is plain text."""
        package, strings, actual = self._package, self._strings, self.actual_name(name)
        if package is None or actual is None or (strings is not None and not strings.plain):
            return None
        part = package.sheets.get(actual)
        if part not in package.parts:
            return None
        xml, escaped, column = package.parts[part], html.escape(key, quote=False).encode(), key_column.encode()
        start = xml.find(b"<sheetData>")
        end = xml.find(b"</sheetData>", start) if start >= 0 else -1
        if end < 0 or not _plain_root(xml, start) or _NOT_SMALL_CELL.search(xml, start, end) \
                or _ODD_KEYED.search(xml, start, end) or xml.find(b"&#", start, end) >= 0:
            return None
        # The key column's shared strings: each one plain text that is not the key.
        shared_cells = re.compile(rb'<c r="' + column + rb'[0-9]+"[^>]*\st="(s|inlineStr)"[^>]*>(?:<v>([0-9]+)</v>)?')
        for shared in shared_cells.finditer(xml, start, end):
            item = strings.item(int(shared.group(2))) if strings is not None and shared.group(2) else None
            if item is None or b"&#" in item or html.unescape(item.decode("utf-8", "replace")).strip() == key:
                return None
        rows, seen = [], 0
        for number, found in enumerate(re.compile(re.escape(b"<v>" + escaped + b"</v>")).finditer(xml, start, end)):
            if number == _MOST_KEYS:
                return None
            at = found.start()
            # a cell's tag is near its value (its formula between): never a search back through the sheet
            begins = xml.rfind(b"<c ", max(start, at - _NEAR), at)
            cell = _KEYED_CELL.match(xml, begins) if begins >= 0 else None
            if cell and b' t="str"' in cell.group(3):
                seen += 1
                if cell.group(1) == column:
                    rows.append(int(cell.group(2)))
        if seen != _whole_texts(xml, escaped, start, end) or not rows or min(rows) > max_row:
            return None  # the key written otherwise somewhere (with spaces, as a character reference)
        tag = b'<c r="' + value_column.encode() + b"%d" % min(rows) + b'"'
        begins = xml.find(tag, start, end)
        if begins < 0:
            return ""
        close = xml.find(b">", begins, end)
        if xml.count(tag, start, end) != 1 or close < 0:
            return None
        if xml[close - 1:close] == b"/":
            return ""
        ends = xml.find(b"</c>", close, min(end, close + _NEAR))
        text = re.fullmatch(rb"(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?<v>([^<]*)</v>", xml[close + 1:ends]) \
            if ends >= 0 else None
        attributes = xml[begins:close]
        raw = None if text is None else strings.item(int(text.group(1))) if strings is not None \
            and b' t="s"' in attributes and text.group(1).isdigit() else text.group(1) if b' t="str"' in attributes \
            else None
        return _plain_text(raw)

    def keyed_rows(self, name: str, key_column: str, keep: Callable[[str], bool], columns: list[str],
                   first_row: int, last_row: int) -> dict[int, list[str]] | None:
        """The texts of `columns` (stripped, "" where empty) in each row from `first_row` to `last_row`
        whose text in `key_column` (stripped) `keep` keeps, read from the sheet's XML without loading
        the sheet: a look-up list of 2,000 smelters, for the forty IDs a supplier's list gives. None
        where the XML does not tell it for sure, and the caller loads the sheet: the sheet's data is
        nothing but rows written as Excel writes them, each cell in its own row's element with that
        row's number (see _EXCEL_ROW), and every cell read is empty or a plain text (one shared string
        of one run, or a formula's, within Excel's length). One difference by choice: a cell not read
        that points past the string table (calamine refuses the whole sheet) is not looked at."""
        package, strings, actual = self._package, self._strings, self.actual_name(name)
        if package is None or actual is None or strings is None or not strings.plain:
            return None
        xml = package.parts.get(package.sheets.get(actual, ""))
        start = xml.find(b"<sheetData>") if xml is not None else -1
        end = xml.rfind(b"</sheetData>") if xml is not None and start >= 0 else -1
        if xml is None or end < start or not _plain_root(xml, start):
            return None
        rows, at = [], start + len(b"<sheetData>")
        for row in _EXCEL_ROW.finditer(xml, at, end):
            if row.start() != at:
                return None  # something between the rows, or a row not as Excel writes it
            rows.append((int(row.group(1)), row.start(), row.end()))
            at = row.end()
        if at != end or len({number for number, _, _ in rows}) != len(rows):
            return None
        found: dict[int, list[str]] = {}
        for number, begins, ends in rows:
            if not first_row <= number <= last_row:
                continue
            key = _cell_text(xml, begins, ends, key_column, number, strings)
            if key is None:
                return None
            if key and keep(key):
                texts = [_cell_text(xml, begins, ends, column, number, strings) for column in columns]
                if any(text is None for text in texts):
                    return None
                found[number] = [text or "" for text in texts]
        return found

    def has(self, name: str) -> bool:
        return self.actual_name(name) is not None

    def sheet(self, name: str, max_row: int | None = None) -> Sheet:
        """Load one sheet, at most down to `max_row` (to keep memory bounded)."""
        actual = self.actual_name(name) or name
        if self._package is not None and self._package.load(actual):
            self._book = _calamine(self._package.stored())
        book, xml, cut, rows_cut = self._book, None, False, 0
        if self.file_format == "xlsx":
            book, xml, cut, rows_cut = self._bounded(name, actual, max_row)
        try:
            raw = book.get_sheet_by_name(actual)
            start = raw.start
            nrows = None if max_row is None or start is None else max(max_row - start[0], 1)
            # An .xlsx sheet's XML is cut at max_row already (and its rows beyond counted); another
            # format's sheet is loaded whole so that its rows beyond max_row can be counted.
            whole = self.file_format != "xlsx"
            rows = raw.to_python(skip_empty_area=True, nrows=None if whole else nrows) if start is not None else []
            if whole and nrows is not None and len(rows) > nrows:
                rows_cut = sum(1 for row in rows[nrows:] if any(v not in ("", None) for v in row))
                del rows[nrows:]
            merged = tuple((r0 + 1, c0, r1 + 1, c1) for (r0, c0), (r1, c1) in (raw.merged_cell_ranges or ()))
            end_row = raw.end[0] + 1 if raw.end else 0
        except BaseException as err:  # as above
            if isinstance(err, (KeyboardInterrupt, SystemExit, MemoryError)):
                raise
            raise WorkbookError("workbook.unreadable", f"cannot read sheet '{name}': {_reason(err)}") from None
        truncated = cut or (max_row is not None and end_row > max_row)
        if self.file_format != "xlsx" or _may_hold_long_text(xml, self._strings):
            self._cut_long_cells(name, rows, start)
        # Problems name the sheet as the template does, whatever the supplier's spelling.
        return Sheet(name, rows, start, lambda: self._errors.find(actual, max_row, xml), merged, truncated,
                     rows_cut)

    def _cut_long_cells(self, name: str, rows: list[list], start: tuple[int, int] | None) -> None:
        """Cut every text longer than Excel allows a cell (MAX_CELL_CHARS), with a warning for each."""
        row0, col0 = (start[0] + 1, start[1]) if start else (1, 0)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value.__class__ is str and len(value) > MAX_CELL_CHARS:
                    row[c] = value[:MAX_CELL_CHARS]
                    self.notes.append(Note(
                        "workbook.long-cell", f"the cell holds {len(value):,} characters, more than the "
                        f"{MAX_CELL_CHARS:,} Excel allows; only the first {MAX_CELL_CHARS:,} were read",
                        name, f"{column_letters(col0 + c)}{row0 + r}"))

    def _bounded(self, name: str, actual: str, max_row: int | None):
        """Before calamine loads a sheet: cut its XML after `max_row` and refuse it if it spans
        more than MAX_SHEET_CELLS or expands to too much text. Returns (the workbook to load it from,
        its XML, whether cut, how many rows with cells were cut)."""
        assert isinstance(self._errors, _XlsxErrors)  # only .xlsx sheets are bounded here
        located = self._errors.xml(actual)
        if located is None:  # calamine may still find it: bound every part instead
            for _part, xml in self._errors.all_parts():
                _check_extent(name, xml, self._strings)
            return self._book, None, False, 0
        part_name, xml = located
        if self._strings is not None:
            _check_text(name, xml, self._strings)
        small = not _NOT_SMALL_CELL.search(xml) and not _PREFIXED_CELL.search(xml)
        cut = _rows_up_to(xml, max_row) if max_row is not None and not (small and max_row >= 9999) else None
        if small or _extent(xml)[2] <= MAX_SHEET_CELLS:
            # The whole sheet is within the bounds: calamine loads it from the workbook as it is (no
            # second zip), and the rows after `max_row` are dropped when its cells are taken.
            return self._book, xml, cut is not None, cut[1] if cut else 0
        if cut is None:
            _check_extent(name, xml)  # raises: too large, and nothing to cut
            return self._book, xml, False, 0
        xml, rows_cut = cut
        _check_extent(name, xml)
        assert self._package is not None  # an .xlsx always has one
        return _calamine(self._package.stored({part_name: xml}), f"cannot read sheet '{name}'"), xml, True, rows_cut


def _cell_text(xml: bytes, begins: int, ends: int, column: str, row: int, strings: _SharedStrings) -> str | None:
    """The stripped text of cell `column``row` in the row XML between `begins` and `ends`: "" for no cell
    or an empty one; None unless it is there at most once and holds a plain text (see keyed_rows)."""
    tag = b'<c r="%s%d"' % (column.encode(), row)
    at = xml.find(tag, begins, ends)
    if at < 0:
        return ""
    cell = _PLAIN_CELL.match(xml, at, ends)
    if cell is None or xml.find(tag, at + len(tag), ends) >= 0:
        return None
    kind, value = cell.group(1), cell.group(2)
    if value is None:
        return ""
    raw = strings.item(int(value)) if kind == b"s" and value.isdigit() else value if kind == b"str" else None
    if raw is not None and _WORD.fullmatch(raw):  # most cells of a look-up list: an ID, a metal
        return raw.decode("ascii")
    text = _plain_text(raw) if raw is not None and len(raw) <= MAX_CELL_CHARS else None
    return text.strip() if text is not None else None


def _plain_text(raw: bytes | None) -> str | None:
    """The text of a cell's raw XML value, unescaped; None for none, and for a text calamine reads
    otherwise than plainly (escaped characters, a carriage return, a character reference)."""
    if raw is None or b"_x" in raw or b"\r" in raw or _ODD_ENTITY.search(raw):
        return None  # a number, an error, rich or escaped text: as calamine reads it, not guessed here
    return html.unescape(raw.decode("utf-8", "replace"))


_ATTRS = rb'(?: [\w:.-]+="[^"<>]*")*'  # attributes as Excel writes them: double quotes, no quote or bracket inside
# A cell as Excel writes it: its address, a style, a type; empty, or a value after an optional formula.
_PLAIN_CELL = re.compile(rb'<c r="[A-Z]{1,3}[0-9]+"(?: s="[0-9]+")?(?: t="([a-z]+)")?'
                         rb'(?:/>|></c>|>(?:<f' + _ATTRS + rb'/>|<f' + _ATTRS + rb'>[^<]*</f>)?(?:<v/>|<v>([^<]*)</v>)</c>)')
_WORD = re.compile(rb"[A-Za-z0-9]+")
# A row as Excel writes it: its number, and cells of that row only, each with its address, a style, a
# type, and an optional formula and value in plain form (a header's value may keep its spaces).
_EXCEL_ROW = re.compile(rb'<row r="([1-9][0-9]*)"' + _ATTRS + rb'(?:/>|>(?:<c r="[A-Z]{1,3}\1"' + _ATTRS
                        + rb'(?:/>|>(?:<f' + _ATTRS + rb'/>|<f' + _ATTRS + rb'>[^<]*</f>)?'
                        rb'(?:<v/>|<v(?: xml:space="preserve")?>[^<]*</v>)?</c>))*</row>)')


def _whole_texts(xml: bytes, text: bytes, start: int, end: int) -> int:
    """How many texts of `xml` (between `start` and `end`) are `text`, with or without white space
    around it (a search with a look-behind would lose the regex engine's fast scan for the text)."""
    count = 0
    for found in re.compile(re.escape(text) + rb"(?![^<\s])").finditer(xml, start, end):
        before = xml[max(start, found.start() - 64):found.start()].rstrip()
        count += before.endswith(b">") or not before
    return count


def _calamine(data: bytes, failure: str = "cannot read the workbook") -> python_calamine.CalamineWorkbook:
    """calamine's workbook of `data`; a parser failure (even a Rust panic) is the file's problem, with `failure`."""
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        book.sheets_metadata  # noqa: B018 (read here, so that a failure is the file's problem)
        return book
    except BaseException as err:  # a parser failure (even a Rust panic) is a property of the file
        if isinstance(err, (KeyboardInterrupt, SystemExit, MemoryError)):
            raise
        raise WorkbookError("workbook.unreadable", f"{failure}: {_reason(err)}") from None


def open_workbook(path: Path, lists: Collection[str] = (), sheets: Collection[str] | None = None,
                  data: bytes | None = None, strings_for: Collection[str] | None = None) -> Workbook:
    """Open `path`, decrypting it in memory if it uses Excel's default password.

    `lists` names the sheets that hold lists (compared as sheet names are: case and spaces folded):
    their blank rows at the end (the template's formulas, thousands of rows long) are left out
    before any parser sees them; see `_Package`. With `sheets`, only the parts of those sheets are
    inflated when opening; another sheet's part is inflated when it is first loaded (which opens
    the workbook again). `data` is the file's content where the caller has read it already. With
    `strings_for`, calamine is given only the shared strings those sheets use (see `_Package`);
    loading another sheet opens the workbook again with all of them."""
    try:
        size = path.stat().st_size if data is None else len(data)
        if size > MAX_FILE_BYTES:
            raise WorkbookError("workbook.too-large", f"the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
        if data is None:
            data = path.read_bytes()
    except IsADirectoryError:
        raise WorkbookError("workbook.not-a-workbook", "is a directory, not a workbook") from None
    except FileNotFoundError:
        raise WorkbookError("workbook.file-not-found", "no such file") from None
    except OSError as err:
        raise WorkbookError("workbook.unreadable", f"cannot read the file: {err.strerror or err}") from None
    encrypted = False
    if data.startswith(OLE_MAGIC):
        data, encrypted = _decrypt(data)
    if data.startswith(ZIP_MAGIC):
        kind = check_ooxml(data)
        if kind != "xlsx":  # .xlsb and .ods: calamine reads them; the worker's limits bound them
            return Workbook(path, data, kind, encrypted)
        return Workbook(path, data, "xlsx", encrypted, _Package(data, lists, sheets, strings_for))
    if data.startswith(OLE_MAGIC):
        return Workbook(path, data, "xls", encrypted)
    raise WorkbookError("workbook.not-a-workbook",
                        "is not a workbook: its content is neither .xlsx, .xlsb or .ods (zip) nor .xls (OLE2)")


def _decrypt(data: bytes) -> tuple[bytes, bool]:
    import msoffcrypto  # for an OLE container only (an .xls, or an encrypted .xlsx): most files are neither
    from msoffcrypto.exceptions import InvalidKeyError
    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        if not office.is_encrypted():
            return data, False
    except Exception as err:
        log.debug("msoffcrypto cannot inspect the OLE container: %s", err)
        return data, False
    out = io.BytesIO()
    try:
        office.load_key(password=DEFAULT_PASSWORD)
        office.decrypt(out)
    except InvalidKeyError:
        raise WorkbookError(
            "workbook.password-protected",
            "is protected with a password other than Excel's default; "
            "ask the supplier for an unprotected copy") from None
    except Exception as err:
        raise WorkbookError("workbook.encrypted", f"is encrypted and cannot be decrypted: {_reason(err)}") from None
    return out.getvalue(), True


def check_ooxml(data: bytes) -> str:
    """Refuse a zip that is not a workbook or could exhaust memory, before any XML part is parsed
    (and one with a document type declaration in a part: an .xlsx's parts are checked as they are
    inflated, see _Package); else its kind: "xlsx", "xlsb" or "ods"."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            total = sum(i.file_size for i in infos)
            if len(infos) > MAX_PARTS:
                raise WorkbookError("workbook.too-large", f"has {len(infos):,} parts; the limit is {MAX_PARTS:,}")
            _refuse_case_twins(names)
            if total <= MAX_PART_BYTES and "xl/workbook.xml" not in names:
                _refuse_dtds(zf, infos)
    except _ZIP_ERRORS as err:
        raise WorkbookError("workbook.corrupt", f"is a damaged zip file, not a readable workbook: {err}") from None
    if total > MAX_PART_BYTES:
        raise WorkbookError("workbook.too-large", f"unpacks to {total:,} bytes; the limit is {MAX_PART_BYTES:,}")
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "content.xml" in names and "mimetype" in names:
        return "ods"
    raise WorkbookError("workbook.not-a-workbook", "is a zip file but not a workbook (no xl/workbook.xml, "
                        "xl/workbook.bin or OpenDocument content.xml)")


def _refuse_case_twins(names: set[str]) -> None:
    """Refuse two parts whose names differ only in case: calamine looks parts up ignoring case, so
    the one it reads need not be the one our bounds and scans read."""
    seen: dict[str, str] = {}
    for name in sorted(names):
        twin = seen.setdefault(name.lower(), name)
        if twin != name:
            raise WorkbookError("workbook.corrupt", f"is a damaged zip file, not a readable workbook: it has two parts "
                                                    f"named alike but for case ({twin}, {name})")


def _refuse_dtds(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a document type declaration in any part: OOXML never has one, and a DTD is how XML
    defines entities (the billion laughs, external files). calamine would not expand them either;
    this names the part instead of failing somewhere inside the parser."""
    for info in infos:
        with zf.open(info) as f:
            _refuse_dtd(info.filename, f.read(XML_PROLOG_BYTES))


def _refuse_dtd(part: str, content: bytes) -> None:
    head = content[:XML_PROLOG_BYTES].replace(b"\x00", b"")  # UTF-16 text without its zero bytes
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise WorkbookError("workbook.xml-dtd",
                            f"has an XML document type declaration (<!DOCTYPE>) in {part}; workbooks "
                            "never have one, and it could define entities (entity expansion, external files), "
                            "so the file is refused")


# Cell and row addresses in every spelling XML and calamine allow: any case, leading zeros, white space
# around `=` and inside the quotes, single or double quotes, a namespace prefix, character references.
# Attributes before r are skipped token by token, so a quoted ">" in one of them hides nothing.
_ATTRIBUTES = rb"""(?:(?:[^<>"'\s]|"[^<"]*"|'[^<']*')++\s+)*?"""  # no "<": XML allows none in a tag, so no rescans
_XML_CELL = re.compile(rb"""<(?:[\w.-]+:)?c\s+""" + _ATTRIBUTES + rb"""r\s*=\s*(["'])(.*?)\1""", re.DOTALL)
_XML_ROW = re.compile(rb"""<(?:[\w.-]+:)?row\s+""" + _ATTRIBUTES + rb"""r\s*=\s*(["'])(.*?)\1""", re.DOTALL)
_A1 = re.compile(rb"^\$?([A-Za-z]+)\$?([0-9]+)$")
_SHEET_DATA_END = re.compile(rb"</(?:[\w.-]+:)?sheetData\s*>")
_CELL_TAGS = re.compile(rb"<(?:[\w.-]+:)?c[\s>/]")
_ROW_TAGS = re.compile(rb"<(?:[\w.-]+:)?row[\s>/]")
# A shared-string cell and the index in its value; each part stops at the next "<" or ">" (linear time).
_SHARED_CELL = re.compile(rb"""<(?:[\w.-]+:)?c\s[^<>]*?\bt\s*=\s*["']\s*s\s*["'][^<>]*>\s*"""
                          rb"""(?:<(?:[\w.-]+:)?f\b[^<>]*/>\s*)?<(?:[\w.-]+:)?v\s*>\s*([0-9]+)\s*<""")
# Without the leading word boundary, so that it is found as a literal: an upper bound of the shared cells.
_SHARED_TYPE = re.compile(rb"""t\s*=\s*["']\s*s\s*["']""")


# A cell that is not written as Excel writes a small sheet's cells, `<c r="A1"` to `<c r="GZ9999"`.
_NOT_SMALL_CELL = re.compile(rb'<c(?:[>/]|\s(?!r="[A-G]?[A-Z][1-9][0-9]{0,3}"))')
_PREFIXED_CELL = re.compile(rb":c[\s>/]")


def _address(value: bytes, pattern: re.Pattern = _A1) -> tuple[int, int] | None:
    """(row, 1-based column) of an r attribute's value as calamine reads it; None if it is no address."""
    if b"&" in value:
        value = html.unescape(value.decode("utf-8", "replace")).encode("utf-8", "replace")
    m = pattern.match(value.strip())
    if not m:
        return None
    return int(m.group(2)), column_index(m.group(1).decode("ascii").upper()) + 1


def _row_number(value: bytes) -> int | None:
    if b"&" in value:
        value = html.unescape(value.decode("utf-8", "replace")).encode("utf-8", "replace")
    value = value.strip()
    return int(value) if value.isdigit() else None


def _check_extent(name: str, xml: bytes, strings: _SharedStrings | None = None) -> None:
    """Refuse a sheet whose cells span more than MAX_SHEET_CELLS, or whose cells would expand to more
    than MAX_SHEET_TEXT characters of shared strings. Cells and rows without an address (allowed:
    each follows the one before) count as one more column or row each; counts the file declares
    (its dimension) are not looked at."""
    if strings is not None:
        _check_text(name, xml, strings)
    if not _NOT_SMALL_CELL.search(xml) and not _PREFIXED_CELL.search(xml):
        return  # within GZ9999: the fast path for every real CMRT sheet
    height, width, cells = _extent(xml)
    if cells > MAX_SHEET_CELLS:
        raise WorkbookError("workbook.too-large", f"sheet '{name}' spans {height:,} rows and {width:,} columns "
                                              f"({height * width:,} cells); the limit is {MAX_SHEET_CELLS:,} cells")


def _extent(xml: bytes) -> tuple[int, int, int]:
    """(rows, columns, cells) a sheet's XML spans, from the addresses of its cells and rows."""
    cells = [_address(m.group(2)) for m in _XML_CELL.finditer(xml)]
    rows = [_row_number(m.group(2)) for m in _XML_ROW.finditer(xml)]
    loose_cells = max(len(_CELL_TAGS.findall(xml)) - sum(c is not None for c in cells), 0)
    loose_rows = max(len(_ROW_TAGS.findall(xml)) - sum(r is not None for r in rows), 0)
    height = max([r for r, _ in filter(None, cells)] + [r for r in rows if r is not None], default=0) + loose_rows
    width = max((c for _, c in filter(None, cells)), default=0) + loose_cells
    return height, width, height * width


def _check_text(name: str, xml: bytes, strings: _SharedStrings) -> None:
    """Many cells may point at one long shared string: bound the text they expand to, not their number."""
    if not strings.count:
        return
    shared = len(_SHARED_TYPE.findall(xml))
    if shared * strings.longest <= MAX_SHEET_TEXT:
        return
    total = 0
    for cell in _SHARED_CELL.finditer(xml):
        index = int(cell.group(1))
        total += strings.lengths[index] if index < len(strings.lengths) else 0
    if total > MAX_SHEET_TEXT:
        raise WorkbookError("workbook.too-large", f"the cells of sheet '{name}' would expand to up to {total:,} characters "
                                              f"of shared text; the limit is {MAX_SHEET_TEXT:,}")


class _SharedStrings:
    """What the shared-string table holds: the number of strings, an upper bound of the longest one's
    length (its bytes) and, measured only when a sheet needs it, of each one's."""

    def __init__(self, xml: bytes):
        self._xml = xml
        pieces = xml.split(b"<si>")
        # every item as <si>: no <si> with attributes or white space, no prefix, comment or processing instruction
        self.plain = _UNPLAIN_SST.search(xml, 1) is None and not xml.endswith(b"<si") and b":si" not in xml \
            and pieces[-1][pieces[-1].rfind(b"</si>") + 5:].strip() in (b"</sst>", b"")  # nothing after the last
        self._pieces = pieces if self.plain else None
        if self.plain:  # as Excel writes it: no match per string
            self.count = len(pieces) - 1
            self.longest = max(map(len, pieces[1:]), default=0) + 4
        else:
            self.count = len(self.lengths)
            self.longest = max(self.lengths, default=0)

    @property
    def xml(self) -> bytes:
        return self._xml

    def item(self, index: int) -> bytes | None:
        """The escaped text of string `index` when it is one plain run (`<t>...</t>`), else None."""
        if not self.plain or not 0 <= index < self.count:
            return None
        m = _PLAIN_ITEM.match(self._pieces[index + 1]) if self._pieces is not None else None
        return m.group(1) if m else None

    def reduced(self, used: set[int]) -> bytes | None:
        """The table with every string not in `used` empty and none after the last of them (each kept
        one at its index), its declared counts removed; None unless the table is plain."""
        pieces = self._pieces
        head = _SST_START.search(pieces[0]) if pieces is not None else None
        last = pieces[-1].rfind(b"</si>") if pieces is not None and self.count else -1
        if pieces is None or head is None or last < 0:
            return None
        out = [pieces[0][:head.start()], _DECLARED_COUNT.sub(b"", head.group(0)), pieces[0][head.end():]]
        before = -1
        for index in sorted(i for i in used if i < self.count):
            piece = pieces[index + 1]
            end = piece.rfind(b"</si>")
            if end < 0:
                return None
            out += [_EMPTY_ITEM * (index - before - 1), b"<si>", piece[:end + 5]]
            before = index
        closing = pieces[-1][last + 5:]
        if closing.strip() != b"</sst>":
            return None  # something after the last string: as calamine reads it, not guessed here
        out.append(closing)
        return b"".join(out)

    @functools.cached_property
    def lengths(self) -> tuple[int, ...]:
        starts = [m.start() for m in _SST_ITEM.finditer(self._xml)] + [len(self._xml)]
        return tuple(b - a for a, b in zip(starts, starts[1:]))


_ODD_KEYED = re.compile(rb"<(?:c[^ ]|[!?]|[\w.-]+:)")  # a cell tag not followed by a space, a comment, a prefix
_ODD_ENTITY = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);)")  # a character reference, a bare &
_MOST_KEYS = 50
_UNPLAIN_SST = re.compile(rb"<(?:si[^>]|!|\?)")
_EMPTY_ITEM = b"<si><t></t></si>"
_SHARED_STRINGS = "xl/sharedstrings.xml"
_VALUE_INDEX = re.compile(rb"<(?:[\w.-]+:)?v(?:\s[^>]*)?>\s*([0-9]+)\s*<")  # any number value, in any spelling
_PLAIN_ITEM = re.compile(rb'<t(?: xml:space="preserve")?>([^<]*)</t></si>')
_KEYED_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"([^>]*)>')
_SST_ITEM = re.compile(rb"<(?:[\w.-]+:)?si[\s>/]")
_SST_START = re.compile(rb"<(?:[\w.-]+:)?sst\b[^>]*>")
_DECLARED_COUNT = re.compile(rb"""\s(?:count|uniqueCount)\s*=\s*(["'])[^"']*\1""")
_LONG_TEXT = re.compile(rb">[^<]{%d}" % MAX_CELL_CHARS)
_SHEET_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_WORKBOOK_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
_UNREAD_PARTS = ("xl/media/", "xl/printerSettings/", "xl/drawings/", "xl/calcChain.xml", "xl/comments", "customXml/",
                 "docMetadata/", "docProps/", "xl/embeddings/", "xl/vbaProject.bin", "xl/worksheets/_rels/",
                 "xl/threadedComments/", "xl/persons/")


class _Package:
    """The parts of an .xlsx that a parser reads, each inflated once, and handed to calamine as a zip
    that stores them uncompressed: its own reading inflates nothing again, and our bounds and error
    scans read the same bytes. Pictures, drawings, comments, printer settings and the like are left
    out (nothing reads them); so is the calculation chain. The shared-string table has its declared
    counts removed when they are not its own (calamine reserves memory for the declared count:
    4,000,000,000 strings in a few bytes).

    A list sheet (named in `lists`) loses its blank rows at the end: the templates carry their
    formulas thousands of rows down, and a parser would read them all for a list of forty rows.
    A row is blank when none of its cells holds anything a reader takes for a value (see
    `_trim_blank_rows`); where that cannot be told for sure, the sheet is kept whole."""

    def __init__(self, data: bytes, lists: Collection[str] = (), sheets: Collection[str] | None = None,
                 strings_for: Collection[str] | None = None):
        self._data = data
        self._lists = {_fold_name(n) for n in lists}
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                self.infos = {i.filename: i for i in zf.infolist() if not i.filename.startswith(_UNREAD_PARTS)}
                self.parts = {name: _inflate(data, zf, self.infos[name]) for name in _WORKBOOK_PARTS if name in self.infos}
                self.sheets = self._sheet_parts()
                wanted = None if sheets is None else {_fold_name(n) for n in sheets}
                kept = {part for sheet, part in self.sheets.items() if wanted is None or _fold_name(sheet) in wanted}
                self.deferred = {part for part in self.sheets.values() if part not in kept and part in self.infos}
                for name, info in self.infos.items():
                    if name not in self.parts and name not in self.deferred:
                        self.parts[name] = _inflate(data, zf, info)
        except _ZIP_ERRORS as err:
            raise WorkbookError("workbook.corrupt", f"is a damaged zip file, not a readable workbook: {err}") from None
        for name, content in self.parts.items():
            _refuse_dtd(name, content)
        self.strings: _SharedStrings | None = None
        self._reduced: tuple[str, bytes] | None = None  # the shared strings calamine is given, if not all
        self._prepared: set[str] = set()
        shared = next((n for n in self.parts if n.lower() == _SHARED_STRINGS), None)  # the table calamine reads
        if shared is not None:
            xml = self.parts[shared]
            self.strings = _SharedStrings(xml)
            head = _SST_START.search(xml)
            if head and _untrue_counts(head.group(0), self.strings.count):
                self.parts[shared] = xml[:head.start()] + _DECLARED_COUNT.sub(b"", head.group(0)) + xml[head.end():]
        for part in self._list_parts():
            if part in self.parts:
                self.parts[part] = _trim_blank_rows(self.parts[part], self._dates)
        if strings_for is not None and shared is not None:
            self._reduce_strings(shared, {_fold_name(n) for n in strings_for})

    @functools.cached_property
    def _dates(self) -> frozenset[int]:
        """The date styles, for a list sheet's trim (a workbook with none is not asked)."""
        return _date_styles(self.parts.get("xl/styles.xml", b""))

    def _reduce_strings(self, name: str, sheets: set[str]) -> None:
        """Give calamine only the shared strings that the `sheets` use, the others empty: it parses the
        whole table when it opens the workbook (16,000 strings, most of them the translations of the
        language sheet; 6 ms), for the 200 a Declaration and its lists show. Where a sheet's XML could
        hide a reference (a comment, a processing instruction, a character reference), or a sheet not
        among them is loaded, calamine has the whole table (see `load`)."""
        assert self.strings is not None
        self._prepared = {part for sheet, part in self.sheets.items() if _fold_name(sheet) in sheets}
        used = {0}  # calamine reads an index it cannot parse ("+1", "1 ") as string 0
        if not self._prepared <= self.parts.keys():
            return
        for part in self._prepared:
            xml = self.parts[part]
            if xml.find(b"<!") >= 0 or xml.find(b"<?", 1) >= 0 or xml.find(b"&#") >= 0:
                return
            used.update(map(int, _VALUE_INDEX.findall(xml)))
        reduced = self.strings.reduced(used)
        if reduced is not None:
            self._reduced = (name, reduced)

    def _list_parts(self) -> set[str]:
        """The parts of list sheets that no other sheet shares (a part named twice is read whole)."""
        lists = {part for sheet, part in self.sheets.items() if _fold_name(sheet) in self._lists}
        return lists - {part for sheet, part in self.sheets.items() if _fold_name(sheet) not in self._lists}

    def load(self, sheet: str) -> bool:
        """Inflate the part of `sheet` if it was left out when opening, and give calamine the whole
        shared-string table if it has only some and `sheet` needs others; True if either was done (the
        workbook must then be opened again to read it)."""
        part = self.sheets.get(sheet)
        whole = self._reduced is not None and part not in self._prepared
        if whole:
            self._reduced = None
        if part not in self.deferred:
            return whole
        self.deferred.discard(part)
        try:
            with zipfile.ZipFile(io.BytesIO(self._data)) as zf:
                content = _inflate(self._data, zf, self.infos[part])
        except _ZIP_ERRORS as err:
            raise WorkbookError("workbook.corrupt", f"is a damaged zip file, not a readable workbook: {err}") from None
        _refuse_dtd(part, content)
        self.parts[part] = _trim_blank_rows(content, self._dates) if part in self._list_parts() else content
        return True

    def _sheet_parts(self) -> dict[str, str]:
        """Sheet name -> part name, from the workbook and its relationships ({} if they do not parse)."""
        try:
            rels = ElementTree.fromstring(self.parts["xl/_rels/workbook.xml.rels"])
            targets = {r.get("Id"): r.get("Target", "") for r in rels}
            book = ElementTree.fromstring(self.parts["xl/workbook.xml"])
        except Exception as err:  # calamine says what is wrong with them when it opens the workbook
            log.debug("cannot map the sheets to their parts: %s", err)
            return {}
        parts: dict[str, str] = {}
        actual = {name.lower(): name for name in self.infos}  # calamine finds a part ignoring case
        for el in book.iter():
            if el.tag.endswith("}sheet") and el.get(_SHEET_REL) in targets:
                target = targets[el.get(_SHEET_REL)]
                path = posixpath.normpath(target.lstrip("/") if target.startswith("/") else "xl/" + target)
                parts.setdefault(el.get("name"), actual.get(path.lower(), path))  # the first of a name, as calamine
        return parts

    def stored(self, replaced: dict[str, bytes] | None = None) -> bytes:
        """The parts as a zip that stores them uncompressed, with `replaced` parts swapped in."""
        replaced = {**dict([self._reduced] if self._reduced else []), **(replaced or {})}
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
            for name, content in self.parts.items():
                zf.writestr(self.infos[name], replaced.get(name, content), compress_type=zipfile.ZIP_STORED)
        return out.getvalue()


def _inflate(data: bytes, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A part of the zip `data` (opened as `zf`), read as zipfile reads it (its checks, its errors: at most
    the size the directory declares, then its CRC-32), but inflated with ISA-L, three times as fast as
    zlib: a 6.x workbook inflates to 6 MB. A part stored, encrypted or compressed otherwise is zipfile's.

    Where they differ, by choice: a part whose compressed size runs past the end of the file is
    refused (zipfile reads what there is), and ISA-L accepts a few malformed Huffman code sets that
    zlib refuses (their output must still match the part's CRC-32)."""
    if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & _ZIP_UNUSUAL_FLAGS:
        return zf.read(info)
    start = info.header_offset
    header = data[start:start + _LOCAL_HEADER] if start >= 0 else b""  # (zipfile: a negative seek)
    if len(header) < _LOCAL_HEADER or not header.startswith(b"PK\x03\x04"):
        raise zipfile.BadZipFile("Bad magic number for file header")
    flags, name_length, extra_length = struct.unpack("<H18xHH", header[6:30])
    name = data[start + _LOCAL_HEADER:start + _LOCAL_HEADER + name_length]
    if name.decode("utf-8" if flags & 0x800 else "cp437") != info.orig_filename:  # (bad UTF-8: zipfile's error)
        raise zipfile.BadZipFile(f"File name in directory {info.orig_filename!r} and header {name!r} differ.")
    begin = start + _LOCAL_HEADER + name_length + extra_length
    end = getattr(info, "_end_offset", None)  # where the next entry begins (zipfile's own check, 3.11.4 on)
    if end is not None and begin + info.compress_size > end:
        raise zipfile.BadZipFile(f"Overlapped entries: {info.orig_filename!r} (possible zip bomb)")
    raw = data[begin:begin + info.compress_size]
    if len(raw) < info.compress_size:
        raise EOFError("the part ends before its compressed size")
    inflater = isal_zlib.decompressobj(-15)
    content = inflater.decompress(raw, info.file_size or 1)[:info.file_size]  # (a limit of 0 would be none)
    if isal_zlib.crc32(content) != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")
    return content


_LOCAL_HEADER = 30
_ZIP_UNUSUAL_FLAGS = 0x1 | 0x20 | 0x40  # encrypted, compressed patched data, strong encryption


def _untrue_counts(tag: bytes, items: int) -> bool:
    """Whether the <sst> tag declares another number of strings than it holds, or more references
    than any workbook within the bounds could make."""
    def declared(attribute: bytes) -> int | None:
        m = re.search(rb"\s" + attribute + rb"""\s*=\s*["']\s*([0-9]+)""", tag)
        return int(m.group(1)) if m else None

    unique, count = declared(b"uniqueCount"), declared(b"count")
    return (unique is not None and unique != items) or (count is not None and count > MAX_PARTS * MAX_SHEET_CELLS)


def _may_hold_long_text(xml: bytes | None, strings: _SharedStrings | None) -> bool:
    """Whether a sheet may hold a cell longer than Excel allows (else it is not scanned)."""
    return xml is None or (strings is not None and strings.longest > MAX_CELL_CHARS) \
        or _LONG_TEXT.search(xml) is not None


def _rows_up_to(xml: bytes, max_row: int) -> tuple[bytes, int] | None:
    """The sheet XML without the rows after `max_row`, and how many rows with cells it had there;
    None if it has none."""
    for row in _XML_ROW.finditer(xml):
        number = _row_number(row.group(2))
        if number is not None and number > max_row:
            end = _SHEET_DATA_END.search(xml, row.start())
            if not end:
                return None
            tail = xml[row.start():end.start()]
            return xml[:row.start()] + xml[end.start():], len(_ROWS_WITH_CELLS.findall(tail))
    return None


_ROWS_WITH_CELLS = re.compile(rb"<(?:[\w.-]+:)?row\b[^>]*[^/]>\s*<(?:[\w.-]+:)?c[\s>/]")


# From the last cell that is not blank on: a value with attributes (xml:space) or white space in its tag,
# an inline string, an element with a namespace prefix, a cell tag not followed by a space, a comment,
# CDATA, a processing instruction, or the end of the sheet's data (a second </sheetData>).
_ODD_TAG = re.compile(rb"<(?:v[^>/]|is|[\w.-]+:|c[^ ]|[!?]|/s)")
_MAIN_NAMESPACE = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NEAR = 16_384


_STYLE = re.compile(rb' s="([0-9]+)"')
_XFS = re.compile(rb"<cellXfs\b.*?</cellXfs>", re.DOTALL)
_XF = re.compile(rb"<xf\b[^>]*>")
_NUMBER_FORMAT = re.compile(rb'<numFmt\b[^>]*\bnumFmtId="([0-9]+)"[^>]*\bformatCode="([^"]*)"')
_BUILT_IN_DATES = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])


def _date_styles(styles: bytes) -> frozenset[int]:
    """The cell styles (their index in cellXfs) whose number format shows a date or a time: the
    built-in ones, and custom formats with a day, month, year, hour or second in them (over-counted,
    not under-counted: a style taken for a date only keeps a row)."""
    custom = {int(i) for i, code in _NUMBER_FORMAT.findall(styles)
              if re.search(rb"[dmyhs]", re.sub(rb'"[^"]*"|\[[^\]]*\]|\\.', b"", code), re.IGNORECASE)}
    found = set()
    block = _XFS.search(styles)
    for index, xf in enumerate(_XF.findall(block.group(0)) if block else []):
        number = re.search(rb'\bnumFmtId="([0-9]+)"', xf)
        if number and (int(number.group(1)) in _BUILT_IN_DATES or int(number.group(1)) in custom):
            found.add(index)
    return frozenset(found)


def _plain_root(xml: bytes, stop: int) -> bool:
    """Whether the sheet's root element, before `stop`, is <worksheet> in the default namespace."""
    begins = xml.find(b"<worksheet ", 0, stop)
    ends = xml.find(b">", begins, stop) if begins >= 0 else -1
    return ends >= 0 and xml.find(_MAIN_NAMESPACE, begins, ends) >= 0


def _trim_blank_rows(xml: bytes, date_styles: frozenset[int] = frozenset()) -> bytes:
    """A list sheet's XML without its blank rows at the end, nor those just above its last row that is
    not blank (the copyright line of a Product List); the XML as it is where that cannot be told.

    A cell is blank when it holds no value, an empty one, a cached error, or the 0 (or FALSE) a
    formula caches for no input, unless its style (one of `date_styles`) shows it as a date: the
    list readers read a row of such cells as blank and never report it (merged ranges stay: they
    are listed apart from the rows). Only XML written as Excel writes it is cut: the sheet in the
    default namespace and, from the last cell that is not blank
    on, every tag as Excel spells it (see _ODD_TAG); rows are cut above the last one only where it
    gives its own number and its cells theirs.

    The sheet is megabytes long: each scan of it is done once (the end of its data is found from
    the end, and proven the only one by the scan for odd tags; an inline string, which holds no
    <v>, is looked for only where that scan finds one)."""
    start = xml.find(b"<sheetData>")
    end = xml.rfind(b"</sheetData>") if start >= 0 else -1
    if end < start or not _plain_root(xml, start):
        return xml
    cuts: list[tuple[int, int]] = []
    stop = end
    for _ in range(2):
        last, after, odd = _last_cell(xml, start, stop, date_styles, inline=False)
        if odd is not None and xml.startswith(b"<is", odd):  # an inline string after it: looked for
            last, after, odd = _last_cell(xml, start, stop, date_styles, inline=True)
        if after < 0 or odd is not None or (not cuts and xml.find(b"</sheetData>", start, after) >= 0):
            break
        cut = xml.find(b"<row ", last, stop)
        if cut >= 0:
            cuts.append((cut, stop))
        stop = xml.rfind(b"<row ", start, last)  # the row of the last cell that is not blank
        row_end = xml.find(b"</row>", stop) if stop >= 0 else -1
        if last == start or row_end < 0 or not xml.startswith(b'<row r="', stop) \
                or xml.count(b"<c ", stop, row_end) != xml.count(b'<c r="', stop, row_end):
            break  # a row above it given no number moves with the rows cut: keep them
    for cut, stop in cuts:  # the later one first
        xml = xml[:cut] + xml[stop:]
    return xml


def _last_cell(xml: bytes, start: int, stop: int, date_styles: frozenset[int],
               inline: bool) -> tuple[int, int, int | None]:
    """(where the last cell that is not blank begins, where it ends, where the first odd tag after it
    is, or None): see _last_value."""
    last = _last_value(xml, start, stop, date_styles, inline)
    after = xml.find(b"</c>", last, stop) if last != start else start  # the end of that cell
    if last != start and 0 <= xml.find(b"<c", last + 2, after):  # a cell tag inside it: its value was another's
        return last, after, last
    odd = _ODD_TAG.search(xml, after, stop) if after >= 0 else None
    return last, after, odd.start() if odd else None


def _last_value(xml: bytes, start: int, stop: int, date_styles: frozenset[int] = frozenset(),
                inline: bool = True) -> int:
    """Where the last cell between `start` and `stop` with a value that is not blank begins
    (`start` if there is none); an inline string is never blank (without `inline`, the caller
    has made sure there is none after the cell found)."""
    rfind, find, startswith = xml.rfind, xml.find, xml.startswith  # a loop over thousands of cells
    bound = rfind(b"<is>", start, stop) if inline else -1
    bound = max(start, rfind(b"<c ", start, bound) if bound >= 0 else -1)
    pos = stop
    while True:
        v = rfind(b"<v>", bound, pos)
        cell = rfind(b"<c ", start, v) if v >= 0 else -1
        if cell < 0:
            return bound
        pos = cell
        if startswith(b"<", v + 3):  # <v></v>: empty
            continue
        tag = xml[cell:find(b">", cell)]
        if b' t="e"' in tag:
            continue
        # A number or FALSE of 0 (no type, or t="n" or "b"; no other attribute Excel writes has a "t")
        if startswith(b"0</v>", v + 3) and (b"t" not in tag or b' t="n"' in tag or b' t="b"' in tag):
            style = _STYLE.search(tag)
            if not (style and int(style.group(1)) in date_styles):
                continue  # (a 0 styled as a date reads as 1899-12-30)
        return cell


def _fold_name(name: str) -> str:
    return " ".join(name.split()).casefold()


def _reason(err: BaseException) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text[:200]


class _XlsxErrors:
    """Cells with a cached error value, read from the sheet XML (`<c ... t="e"><v>#N/A</v>`)."""

    _ATTR = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')
    _VALUE = re.compile(rb"<v>([^<]*)</v>")

    def __init__(self, package: _Package):
        self._package = package

    def find(self, sheet: str, max_row: int | None, xml: bytes | None = None) -> dict[tuple[int, int], str]:
        if xml is None:
            located = self.xml(sheet)
            if located is None:
                return {}
            xml = located[1]
        return self._scan(xml, max_row)

    def xml(self, sheet: str) -> tuple[str, bytes] | None:
        """(part name, XML) of a sheet; None if it cannot be found."""
        part = self._package.sheets.get(sheet)
        if not part or part not in self._package.parts:
            return None
        return part, self._package.parts[part]

    def all_parts(self):
        """(name, content) of every part, for when a sheet's part is not found."""
        return self._package.parts.items()

    def _scan(self, xml: bytes, max_row: int | None) -> dict[tuple[int, int], str]:
        found: dict[tuple[int, int], str] = {}
        pos = xml.find(b't="e"')
        while pos != -1:
            start = xml.rfind(b"<c ", 0, pos)
            end = xml.find(b">", pos)
            ref = self._ATTR.search(xml, start, end) if start != -1 and end != -1 else None
            if ref:
                row = int(ref.group(2))
                if max_row is None or row <= max_row:
                    close = xml.find(b"</c>", end)
                    v = self._VALUE.search(xml, end, close) if close != -1 else None
                    text = v.group(1).decode("utf-8", "replace") if v else "#ERROR"
                    found[(row, column_index(ref.group(1).decode()))] = text
            pos = xml.find(b't="e"', pos + 5)
        return found


class _NoErrors:
    """.xlsb and .ods: calamine reads their cached errors as text (#N/A), which `Sheet.at` recognises."""

    def find(self, sheet: str, max_row: int | None, _xml: None = None) -> dict[tuple[int, int], str]:
        return {}


class _XlsErrors:
    """Cells with a cached error value in a BIFF .xls, found with xlrd."""

    def __init__(self, data: bytes):
        self._data = data
        self._book: Any = None  # an xlrd Book, opened on first use
        self._failed = False

    def find(self, sheet: str, max_row: int | None, _xml: None = None) -> dict[tuple[int, int], str]:
        if self._failed:
            return {}
        try:
            import xlrd  # only .xls files need it; without it their error cells read as plain empty
            if self._book is None:
                self._book = xlrd.open_workbook(file_contents=self._data, on_demand=True,
                                                logfile=io.StringIO())
            ws = self._book.sheet_by_name(sheet)
        except Exception as err:
            log.debug("xlrd cannot scan %s for error cells: %s", sheet, err)
            self._failed = True
            return {}
        found = {}
        last = ws.nrows if max_row is None else min(ws.nrows, max_row)
        for r in range(last):
            for c, ctype in enumerate(ws.row_types(r)):
                if ctype == xlrd.XL_CELL_ERROR:
                    found[(r + 1, c)] = xlrd.error_text_from_code.get(ws.cell_value(r, c), "#ERROR")
        return found
