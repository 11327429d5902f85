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

import io
import logging
import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

import msoffcrypto
import python_calamine
from defusedxml import ElementTree
from msoffcrypto.exceptions import InvalidKeyError

log = logging.getLogger("generator.excel.workbook")

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
DEFAULT_PASSWORD = "VelvetSweatshop"
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_PART_BYTES = 400 * 1024 * 1024
MAX_PARTS = 10_000
MAX_SHEET_CELLS = 2_500_000
"""The most cells one sheet may span, empty ones included: calamine holds the whole rectangle
in memory (32 bytes a cell), so two cells at A1 and XFD1048576 would ask for 550 GB. The
largest sheet of a real CMRT spans about 85,000 cells; a full 10,000-row list about 340,000.
A sheet whose cells are all within GZ9999 (2,079,792 cells) passes without being measured."""
XML_PROLOG_BYTES = 4096
ERROR_LITERALS = frozenset({"#N/A", "#REF!", "#NAME?", "#VALUE!", "#DIV/0!", "#NULL!", "#NUM!",
                            "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!"})
_CELL_REF = re.compile(r"^([A-Z]{1,3})([0-9]+)$")


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
                 merged: tuple[tuple[int, int, int, int], ...], truncated: bool):
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

    def __init__(self, path: Path, data: bytes, file_format: str, encrypted: bool):
        self.path = path
        self.file_format = file_format
        self.encrypted = encrypted
        self._data = data
        try:
            self._book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            meta = self._book.sheets_metadata
        except BaseException as err:  # a parser failure (even a Rust panic) is a property of the file
            if isinstance(err, (KeyboardInterrupt, SystemExit, MemoryError)):
                raise
            raise WorkbookError("workbook.unreadable", f"cannot read the workbook: {_reason(err)}") from None
        self.sheet_names: tuple[str, ...] = tuple(m.name for m in meta)
        # Sheet names are English in every UI language, but a supplier may change their case
        # or add a space ("smelter list ", "DECLARATION"): match those too.
        self._by_folded: dict[str, str] = {}
        for name in self.sheet_names:
            self._by_folded.setdefault(_fold_name(name), name)
        self.hidden_sheets = frozenset(m.name for m in meta if m.visible != python_calamine.SheetVisibleEnum.Visible)
        self._errors = _XlsxErrors(data) if file_format == "xlsx" else _XlsErrors(data)

    @property
    def data(self) -> bytes:
        """The file's bytes as opened (decrypted, if it was encrypted)."""
        return self._data

    def actual_name(self, name: str) -> str | None:
        """The workbook's own spelling of sheet `name`, or None if it has no such sheet."""
        return name if name in self.sheet_names else self._by_folded.get(_fold_name(name))

    def has(self, name: str) -> bool:
        return self.actual_name(name) is not None

    def sheet(self, name: str, max_row: int | None = None) -> Sheet:
        """Load one sheet, at most down to `max_row` (to keep memory bounded)."""
        actual = self.actual_name(name) or name
        book, xml, cut = self._book, None, False
        if self.file_format == "xlsx":
            book, xml, cut = self._bounded(name, actual, max_row)
        try:
            raw = book.get_sheet_by_name(actual)
            start = raw.start
            nrows = None if max_row is None or start is None else max(max_row - start[0], 1)
            rows = raw.to_python(skip_empty_area=True, nrows=nrows) if start is not None else []
            merged = tuple((r0 + 1, c0, r1 + 1, c1) for (r0, c0), (r1, c1) in (raw.merged_cell_ranges or ()))
            end_row = raw.end[0] + 1 if raw.end else 0
        except BaseException as err:  # as above
            if isinstance(err, (KeyboardInterrupt, SystemExit, MemoryError)):
                raise
            raise WorkbookError("workbook.unreadable", f"cannot read sheet '{name}': {_reason(err)}") from None
        truncated = cut or (max_row is not None and end_row > max_row)
        # Problems name the sheet as the template does, whatever the supplier's spelling.
        return Sheet(name, rows, start, lambda: self._errors.find(actual, max_row, xml), merged, truncated)

    def _bounded(self, name: str, actual: str, max_row: int | None):
        """Before calamine loads a sheet: cut its XML after `max_row` and refuse it if it spans
        more than MAX_SHEET_CELLS. Returns (the workbook to load it from, its XML, whether cut)."""
        assert isinstance(self._errors, _XlsxErrors)  # only .xlsx sheets are bounded here
        located = self._errors.xml(actual)
        if located is None:  # calamine may still find it: bound every part instead
            for _part, xml in self._errors.all_parts():
                _check_extent(name, xml)
            return self._book, None, False
        part_name, xml = located
        small = not _NOT_SMALL_CELL.search(xml) and not _PREFIXED_CELL.search(xml)
        cut = _rows_up_to(xml, max_row) if max_row is not None and not (small and max_row >= 9999) else None
        if cut is not None:
            xml = cut
        if not small or cut is not None:
            _check_extent(name, xml)
        if cut is None:
            return self._book, xml, False
        try:
            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(_replace_part(self._data, part_name, xml)))
        except BaseException as err:
            if isinstance(err, (KeyboardInterrupt, SystemExit, MemoryError)):
                raise
            raise WorkbookError("workbook.unreadable", f"cannot read sheet '{name}': {_reason(err)}") from None
        return book, xml, True


def open_workbook(path: Path) -> Workbook:
    """Open `path`, decrypting it in memory if it uses Excel's default password."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise WorkbookError("workbook.too-large", f"the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
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
        check_ooxml(data)
        return Workbook(path, data, "xlsx", encrypted)
    if data.startswith(OLE_MAGIC):
        return Workbook(path, data, "xls", encrypted)
    raise WorkbookError("workbook.not-a-workbook",
                        "is not an Excel workbook: its content is neither .xlsx (zip) nor .xls (OLE2)")


def _decrypt(data: bytes) -> tuple[bytes, bool]:
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


def check_ooxml(data: bytes) -> None:
    """Refuse a zip that is not a workbook or could exhaust memory, before any XML part is parsed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            total = sum(i.file_size for i in infos)
            if len(infos) > MAX_PARTS:
                raise WorkbookError("workbook.too-large", f"has {len(infos):,} parts; the limit is {MAX_PARTS:,}")
            if total <= MAX_PART_BYTES:
                _refuse_dtds(zf, infos)
    except (zipfile.BadZipFile, ValueError, OSError, RuntimeError, NotImplementedError, EOFError) as err:
        raise WorkbookError("workbook.corrupt", f"is a damaged zip file, not a readable workbook: {err}") from None
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise WorkbookError("workbook.not-a-workbook", "is a zip file but not an Excel workbook (no xl/workbook.xml)")
    if "xl/workbook.bin" in names:
        raise WorkbookError("workbook.not-a-workbook", "is an Excel binary workbook (.xlsb); save it as .xlsx")
    if total > MAX_PART_BYTES:
        raise WorkbookError("workbook.too-large", f"unpacks to {total:,} bytes; the limit is {MAX_PART_BYTES:,}")


def _refuse_dtds(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a document type declaration in any part: OOXML never has one, and a DTD is how XML
    defines entities (the billion laughs, external files). calamine would not expand them either;
    this names the part instead of failing somewhere inside the parser."""
    for info in infos:
        with zf.open(info) as f:
            head = f.read(XML_PROLOG_BYTES).replace(b"\x00", b"")  # UTF-16 text without its zero bytes
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            raise WorkbookError("workbook.xml-dtd",
                                f"has an XML document type declaration (<!DOCTYPE>) in {info.filename}; workbooks "
                                "never have one, and it could define entities (entity expansion, external files), "
                                "so the file is refused")


_XML_CELL = re.compile(rb"""<(?:[\w.-]+:)?c\s(?:[^>]*?\s)?r=["']([A-Z]{1,3})([0-9]{1,7})["']""")
_XML_ROW = re.compile(rb"""<(?:[\w.-]+:)?row\s(?:[^>]*?\s)?r=["']([0-9]{1,7})["']""")
_SHEET_DATA_END = re.compile(rb"</(?:[\w.-]+:)?sheetData\s*>")
_CELL_TAGS = (b"<c ", b"<c>", b"<c/", b":c ", b":c>", b":c/")
_ROW_TAGS = (b"<row ", b"<row>", b":row ", b":row>")


# A cell that is not written as Excel writes a small sheet's cells, `<c r="A1"` to `<c r="GZ9999"`.
_NOT_SMALL_CELL = re.compile(rb'<c(?:[>/]|\s(?!r="[A-G]?[A-Z][0-9]{1,4}"))')
_PREFIXED_CELL = re.compile(rb":c[\s>/]")


def _check_extent(name: str, xml: bytes) -> None:
    """Refuse a sheet whose cells span more than MAX_SHEET_CELLS. Cells and rows without an
    address (allowed: each follows the one before) count as one more column or row each."""
    if not _NOT_SMALL_CELL.search(xml) and not _PREFIXED_CELL.search(xml):
        return  # within GZ9999: the fast path for every real CMRT sheet
    cells = _XML_CELL.findall(xml)
    rows = _XML_ROW.findall(xml)
    loose_cells = max(sum(xml.count(t) for t in _CELL_TAGS) - len(cells), 0)
    loose_rows = max(sum(xml.count(t) for t in _ROW_TAGS) - len(rows), 0)
    numbers = {int(r) for r in {r for _, r in cells} | set(rows)}
    height = max(numbers, default=0) + loose_rows
    width = max((column_index(c.decode()) for c in {c for c, _ in cells}), default=-1) + 1 + loose_cells
    if height * width > MAX_SHEET_CELLS:
        raise WorkbookError("workbook.too-large", f"sheet '{name}' spans {height:,} rows and {width:,} columns "
                                              f"({height * width:,} cells); the limit is {MAX_SHEET_CELLS:,} cells")


def _rows_up_to(xml: bytes, max_row: int) -> bytes | None:
    """The sheet XML without the rows after `max_row`; None if it has none."""
    for row in _XML_ROW.finditer(xml):
        if int(row.group(1)) > max_row:
            end = _SHEET_DATA_END.search(xml, row.start())
            return xml[:row.start()] + xml[end.start():] if end else None
    return None


def _replace_part(data: bytes, name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                                   compresslevel=1) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, content if info.filename == name else zin.read(info))
    return out.getvalue()


def _fold_name(name: str) -> str:
    return " ".join(name.split()).casefold()


def _reason(err: BaseException) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text[:200]


class _XlsxErrors:
    """Cells with a cached error value, read from the sheet XML (`<c ... t="e"><v>#N/A</v>`)."""

    _ATTR = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')
    _VALUE = re.compile(rb"<v>([^<]*)</v>")

    def __init__(self, data: bytes):
        self._data = data
        self._parts: dict[str, str] | None = None

    def find(self, sheet: str, max_row: int | None, xml: bytes | None = None) -> dict[tuple[int, int], str]:
        if xml is None:
            located = self.xml(sheet)
            if located is None:
                return {}
            xml = located[1]
        return self._scan(xml, max_row)

    def xml(self, sheet: str) -> tuple[str, bytes] | None:
        """(part name, XML) of a sheet; None if it cannot be found or read."""
        try:
            with zipfile.ZipFile(io.BytesIO(self._data)) as zf:
                part = self._sheet_parts(zf).get(sheet)
                if not part or part not in zf.namelist():
                    return None
                return part, zf.read(part)
        except Exception as err:
            log.debug("cannot read the XML of sheet %s: %s", sheet, err)
            return None

    def all_parts(self):
        """(name, content) of every part that reads back, for when a sheet's part is not found."""
        with zipfile.ZipFile(io.BytesIO(self._data)) as zf:
            for info in zf.infolist():
                try:
                    yield info.filename, zf.read(info)
                except Exception as err:
                    log.debug("cannot read part %s: %s", info.filename, err)

    def _sheet_parts(self, zf: zipfile.ZipFile) -> dict[str, str]:
        if self._parts is None:
            rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target", "") for r in rels}
            book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
            rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
            parts = {}
            for el in book.iter():
                if el.tag.endswith("}sheet") and el.get(rid) in targets:
                    target = targets[el.get(rid)]
                    path = target.lstrip("/") if target.startswith("/") else "xl/" + target
                    parts[el.get("name")] = posixpath.normpath(path)
            self._parts = parts
        return self._parts

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
