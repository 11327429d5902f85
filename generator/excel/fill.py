"""Write cell values into an .xlsx workbook's sheet XML, leaving everything else as it was.

A library that loads and saves the whole workbook drops what it does not know (openpyxl
loses data-validation extensions, form controls, custom XML). Here only the `<c>` elements
that are written change: a cell keeps its `s=` style; strings are inline (`t="inlineStr"`),
so the shared-string table stays as it was; absent cells and rows are created in order.
Every other zip member is copied unchanged, except that a calcChain is dropped (with its
relationship and content type) and the workbook's `<calcPr>` asks Excel to recalculate
every formula when the file is opened (`fullCalcOnLoad`).

    data = fill(template_bytes, {"Declaration": {"D8": "Acme"}, "Smelter List": {...}})

A value is text, a number, a date, None (empty the cell, unless it holds a formula), or
`Cached(value)`: the result of the cell's formula, which is kept.
"""
from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

from generator.excel.workbook import split_address


class FillError(Exception):
    """The template cannot be written as asked; the message says where and why."""


@dataclass(frozen=True)
class Cached:
    """What the cell's formula computes: cached under the formula, which stays (Excel recomputes
    it on load); written as the cell's value where the template has no formula there."""

    value: str | float


Value = str | int | float | dt.date | Cached | None

_EPOCH = dt.date(1899, 12, 30)
MAX_CELL_CHARS = 32_767  # Excel's limit
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_CALC_CHAIN = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"


def fill(data: bytes, sheets: Mapping[str, Mapping[str, Value]]) -> bytes:
    """The workbook `data` with the cells of `sheets` ({sheet name: {A1 address: value}}) written."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = sheet_parts(source)
        missing = [name for name in sheets if name not in parts]
        if missing:
            raise FillError(f"the workbook has no sheet {', '.join(repr(m) for m in missing)}")
        replaced: dict[str, bytes | None] = {
            parts[name]: write_cells(source.read(parts[name]), cells, name) for name, cells in sheets.items() if cells}
        replaced.update(_recalculate(source))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for info in source.infolist():
                content = replaced[info.filename] if info.filename in replaced else source.read(info)
                if content is not None:  # None: a member dropped (the calcChain)
                    target.writestr(info, content, compress_type=info.compress_type)
    return out.getvalue()


def sheet_parts(source: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part in the zip (xl/worksheets/sheet4.xml), from workbook.xml and its rels."""
    missing = [n for n in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels") if n not in source.namelist()]
    if missing:
        raise FillError(f"the workbook has no {missing[0]}")
    workbook = _text(source.read("xl/workbook.xml"), "xl/workbook.xml")
    rels = _text(source.read("xl/_rels/workbook.xml.rels"), "xl/_rels/workbook.xml.rels")
    targets = {}
    for rel in re.findall(r"<Relationship\b[^>]*>", rels):
        attrs = dict(_ATTR.findall(rel))
        target = attrs.get("Target", "")
        targets[attrs.get("Id")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join("xl", target))
    result = {}
    for sheet in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        attrs = dict(_ATTR.findall(sheet))
        rid = next((v for k, v in attrs.items() if k.endswith(":id")), None)
        if rid in targets:
            result[_unescape(attrs.get("name", ""))] = targets[rid]
    return result


def _recalculate(source: zipfile.ZipFile) -> dict[str, bytes | None]:
    """Drop the calcChain (its member, relationship and content type); set fullCalcOnLoad."""
    changes: dict[str, bytes | None] = {}
    rels_name = "xl/_rels/workbook.xml.rels"
    rels = _text(source.read(rels_name), rels_name)
    chain = [r for r in re.findall(r"<Relationship\b[^>]*>", rels) if _CALC_CHAIN in r]
    if chain:
        target = dict(_ATTR.findall(chain[0])).get("Target", "calcChain.xml")
        member = posixpath.normpath(posixpath.join("xl", target))
        changes[rels_name] = rels.replace(chain[0], "", 1).encode("utf-8")
        changes[member] = None
        types = _text(source.read("[Content_Types].xml"), "[Content_Types].xml")
        override = re.search(rf'<Override\b[^>]*PartName="/{re.escape(member)}"[^>]*/>', types)
        if override:
            changes["[Content_Types].xml"] = types.replace(override.group(0), "", 1).encode("utf-8")
    workbook = _text(source.read("xl/workbook.xml"), "xl/workbook.xml")
    calc = re.search(r"<((?:\w+:)?)calcPr\b([^>]*?)(/?)>", workbook)
    if calc is None:
        prefix = re.match(r"(?:<\?xml[^>]*\?>\s*)?<((?:\w+:)?)workbook\b", workbook)
        tag = f"<{prefix.group(1) if prefix else ''}calcPr fullCalcOnLoad=\"1\"/>"
        anchor = re.search(r"</(?:\w+:)?definedNames>|</(?:\w+:)?sheets>", workbook)
        if anchor is None:
            raise FillError("xl/workbook.xml has no <sheets> element")
        workbook = workbook[:anchor.end()] + tag + workbook[anchor.end():]
    elif "fullCalcOnLoad=" not in calc.group(2):
        new = f"<{calc.group(1)}calcPr{calc.group(2).rstrip()} fullCalcOnLoad=\"1\"{calc.group(3)}>"
        workbook = workbook[:calc.start()] + new + workbook[calc.end():]
    else:
        workbook = re.sub(r'fullCalcOnLoad="[^"]*"', 'fullCalcOnLoad="1"', workbook, count=1)
    changes["xl/workbook.xml"] = workbook.encode("utf-8")
    return changes


# --- one sheet ----------------------------------------------------------------------------

def write_cells(xml: bytes, cells: Mapping[str, Value], sheet: str = "") -> bytes:
    """The sheet XML with `cells` written; rows and cells that do not exist are created in order."""
    text = _text(xml, f"sheet '{sheet}'")
    root = re.search(r"<((?:\w+:)?)worksheet\b", text)
    if root is None:
        raise FillError(f"sheet '{sheet}' is not a worksheet")
    p = root.group(1)
    data = re.search(rf"<{p}sheetData\s*/>|<{p}sheetData\b[^>]*>(.*?)</{p}sheetData>", text, re.S)
    if data is None:
        raise FillError(f"sheet '{sheet}' has no <sheetData>")
    by_row: dict[int, dict[int, tuple[str, Value]]] = {}
    for address, value in cells.items():
        row, col = split_address(address)
        by_row.setdefault(row, {})[col] = (address, value)
    styles = _column_styles(text, p)
    body = data.group(1) or ""
    rows = [(int(_attr(m.group(0), "r") or 0), m) for m in re.finditer(
        rf"<{p}row\b[^>]*?(?:/>|>.*?</{p}row>)", body, re.S)]
    if any(r == 0 for r, _ in rows):
        raise FillError(f"sheet '{sheet}' has a row without a row number (r=)")
    out, last, pending = [], 0, sorted(by_row)
    for number, match in rows:
        out.append(body[last:match.start()])
        while pending and pending[0] < number:
            out.append(_new_row(p, pending[0], by_row[pending.pop(0)], styles, sheet))
        if pending and pending[0] == number:
            out.append(_write_row(p, match.group(0), by_row[pending.pop(0)], styles, sheet))
        else:
            out.append(match.group(0))
        last = match.end()
    out.append(body[last:])
    out.extend(_new_row(p, r, by_row[r], styles, sheet) for r in pending)
    new_data = f"<{p}sheetData>{''.join(out)}</{p}sheetData>"
    return (text[:data.start()] + new_data + text[data.end():]).encode("utf-8")


def _new_row(p: str, number: int, cells: dict[int, tuple[str, Value]], styles: dict[int, str], sheet: str) -> str:
    return _write_row(p, f'<{p}row r="{number}"/>', cells, styles, sheet)


def _write_row(p: str, row: str, cells: dict[int, tuple[str, Value]], styles: dict[int, str], sheet: str) -> str:
    head = re.match(rf"<{p}row\b[^>]*?(/?)>", row)
    assert head is not None
    open_tag = head.group(0)[:-2] + ">" if head.group(1) else head.group(0)
    inner = "" if head.group(1) else row[head.end():row.rindex(f"</{p}row>")]
    row_style = _attr(open_tag, "s") if _attr(open_tag, "customFormat") in ("1", "true") else None
    out, last, pending = [], 0, sorted(cells)
    for match in re.finditer(rf"<{p}c\b[^>]*?(?:/>|>.*?</{p}c>)", inner, re.S):
        address = _attr(match.group(0), "r")
        if not address:
            raise FillError(f"sheet '{sheet}' has a cell without an address (r=) in row {_attr(open_tag, 'r')}")
        _, col = split_address(address)
        out.append(inner[last:match.start()])
        while pending and pending[0] < col:
            new = pending.pop(0)
            out.append(_cell(p, f'<{p}c r="{cells[new][0]}"/>', cells[new][1], row_style or styles.get(new), sheet))
        if pending and pending[0] == col:
            out.append(_cell(p, match.group(0), cells[pending.pop(0)][1], None, sheet))
        else:
            out.append(match.group(0))
        last = match.end()
    out.append(inner[last:])
    for col in pending:
        addr, value = cells[col]
        out.append(_cell(p, f'<{p}c r="{addr}"/>', value, row_style or styles.get(col), sheet))
    return f"{open_tag}{''.join(out)}</{p}row>"


def _cell(p: str, cell: str, value: Value, new_style: str | None, sheet: str) -> str:
    """One `<c>` element with `value` written: attributes other than the type kept, the formula
    kept for a cached value, dropped (unless it is shared by other cells) for a plain one."""
    head = re.match(rf"<{p}c\b([^>]*?)/?>", cell)
    assert head is not None
    attrs = [(k, v) for k, v in _ATTR.findall(head.group(1)) if k not in ("t", "cm", "vm")]
    if new_style and not any(k == "s" for k, _ in attrs):
        attrs.append(("s", new_style))
    formula = re.search(rf"<{p}f\b[^>]*?(?:/>|>.*?</{p}f>)", cell, re.S)
    address = _attr(cell, "r")
    if isinstance(value, Cached):
        if formula is None:  # where the template has no formula, the value is entered as a user would
            return _cell(p, cell, value.value, new_style, sheet)
        kind, content = _typed(value.value, p, cached=True)
        return _element(p, attrs, kind, formula.group(0) + content)
    if formula is not None and value is None:
        return cell  # nothing to enter here: the template's formula stays
    if formula is not None:
        f_tag = re.match(rf"<{p}f\b[^>]*", formula.group(0))
        assert f_tag is not None
        if _attr(f_tag.group(0), "ref") is not None:
            raise FillError(f"sheet '{sheet}' cell {address} holds a formula that other cells share or that "
                            f"spans a range; it cannot be overwritten")
    if value is None or value == "":
        return _element(p, attrs, None, "")
    try:
        kind, content = _typed(value, p, cached=False)
    except FillError as err:
        raise FillError(f"sheet '{sheet}' cell {address}: {err}") from None
    return _element(p, attrs, kind, content)


def _typed(value: str | int | float | dt.date, p: str, cached: bool) -> tuple[str | None, str]:
    if isinstance(value, dt.date):
        return None, f"<{p}v>{(value - _EPOCH).days}</{p}v>"
    if isinstance(value, bool):
        return "b", f"<{p}v>{int(value)}</{p}v>"
    if isinstance(value, (int, float)):
        return None, f"<{p}v>{value!r}</{p}v>" if isinstance(value, int) else f"<{p}v>{_number(value)}</{p}v>"
    if len(value) > MAX_CELL_CHARS:
        raise FillError(f"a text of {len(value):,} characters is more than a cell holds ({MAX_CELL_CHARS:,})")
    text = escape(value)
    if cached:
        return "str", f"<{p}v>{text}</{p}v>"
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return "inlineStr", f"<{p}is><{p}t{space}>{text}</{p}t></{p}is>"


def _element(p: str, attrs: list[tuple[str, str]], kind: str | None, content: str) -> str:
    if kind:
        attrs = [*attrs, ("t", kind)]
    head = "".join(f' {k}="{v}"' for k, v in attrs)
    return f"<{p}c{head}>{content}</{p}c>" if content else f"<{p}c{head}/>"


def escape(text: str) -> str:
    """Text as XML character data; characters XML cannot hold are written as Excel's _xHHHH_."""
    text = _ILLEGAL.sub(lambda m: "_x005F_" if m.group(0) == "_" else f"_x{ord(m.group(0)):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) and abs(value) < 1e15 else repr(value)


def _column_styles(text: str, p: str) -> dict[int, str]:
    """Column index (0-based) -> the style a new cell in that column takes, from <cols>."""
    styles = {}
    for col in re.findall(rf"<{p}col\b[^>]*>", text):
        style, low, high = _attr(col, "style"), _attr(col, "min"), _attr(col, "max")
        if style and low and high:
            for index in range(int(low) - 1, min(int(high), 200)):
                styles[index] = style
    return styles


def _text(xml: bytes, name: str) -> str:
    try:
        return xml.decode("utf-8")
    except UnicodeDecodeError:
        raise FillError(f"{name} is not UTF-8 XML, as Excel writes it") from None


def _attr(tag: str, name: str) -> str | None:
    m = re.search(rf'\s{name}="([^"]*)"', tag[:tag.find(">") + 1] if ">" in tag else tag)
    return m.group(1) if m else None


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&"))


# --- reading what the template offers -------------------------------------------------------

def last_row(xml: bytes) -> int:
    """The number of the sheet's last row that has cells (styled empty cells included)."""
    numbers = re.findall(rb'<(?:\w+:)?row\b[^>]*?\sr="(\d+)"[^>]*>\s*<(?:\w+:)?c\b', xml)
    return max((int(n) for n in numbers), default=0)


def validation_list(xml: bytes, address: str) -> str:
    """The list source (formula1, e.g. "$B$99:$B$104") of the data validation covering `address`, or ""."""
    text = _text(xml, "the sheet")
    row, col = split_address(address)
    for m in re.finditer(r"<(?:\w+:)?dataValidation\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?dataValidation>)", text, re.S):
        body = m.group(2) or ""
        sqref = _attr(f"<x {m.group(1)}>", "sqref") or ""
        inner = re.search(r"<(?:\w+:)?sqref>(.*?)</(?:\w+:)?sqref>", body)
        ranges = (sqref or (inner.group(1) if inner else "")).split()
        if any(_covers(r, col, row) for r in ranges):
            formula = re.search(r"<(?:\w+:)?formula1>(?:<(?:\w+:)?f>)?(.*?)(?:</(?:\w+:)?f>)?</(?:\w+:)?formula1>",
                                body, re.S)
            return _unescape(formula.group(1)) if formula else ""
    return ""


def _covers(ref: str, col: int, row: int) -> bool:
    first, _, last = ref.partition(":")
    r0, c0 = split_address(first.replace("$", ""))
    r1, c1 = split_address((last or first).replace("$", ""))
    return c0 <= col <= c1 and r0 <= row <= r1
