"""Write a binary workbook (.xlsb, MS-XLSB records) with the same cells as an .xlsx, in code: no library
writes the format. Only what a reader needs: the sheet list, and rows of string and number cells."""
from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import openpyxl

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
    "{sheets}</Types>")
SHEET_TYPE = "application/vnd.ms-excel.worksheet"
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{}</Relationships>')
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _record(kind: int, data: bytes = b"") -> bytes:
    return _varint(kind) + _varint(len(data)) + data


def _wide(text: str) -> bytes:
    encoded = text.encode("utf-16-le")
    return struct.pack("<I", len(encoded) // 2) + encoded


def _sheet(ws) -> bytes:
    dim = struct.pack("<IIII", ws.min_row - 1, ws.max_row - 1, ws.min_column - 1, ws.max_column - 1)
    out = [_record(129), _record(148, dim), _record(145)]  # BrtBeginSheet, BrtWsDim, BrtBeginSheetData
    for row in ws.iter_rows():
        cells = [c for c in row if c.value is not None]
        if not cells:
            continue
        out.append(_record(0, struct.pack("<IIHBBBI", cells[0].row - 1, 0, 300, 0, 0, 0, 0)))  # BrtRowHdr
        for c in cells:
            head = struct.pack("<II", c.column - 1, 0)
            if isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
                out.append(_record(5, head + struct.pack("<d", float(c.value))))  # BrtCellReal
            else:
                out.append(_record(6, head + _wide(str(c.value))))  # BrtCellSt
    out += [_record(146), _record(130)]  # BrtEndSheetData, BrtEndSheet
    return b"".join(out)


def to_xlsb(xlsx: Path, xlsb: Path) -> Path:
    """`xlsb` holding every sheet of `xlsx` with its cached values."""
    book = openpyxl.load_workbook(xlsx, data_only=True)
    bundles, rels, types = [], [], []
    parts = {}
    for i, ws in enumerate(book.worksheets, start=1):
        state = {"visible": 0, "hidden": 1, "veryHidden": 2}[ws.sheet_state]
        bundles.append(_record(156, struct.pack("<II", state, i) + _wide(f"rId{i}") + _wide(ws.title)))
        rels.append(f'<Relationship Id="rId{i}" Type="{OFFICE}/worksheet" Target="worksheets/sheet{i}.bin"/>')
        types.append(f'<Override PartName="/xl/worksheets/sheet{i}.bin" ContentType="{SHEET_TYPE}"/>')
        parts[f"xl/worksheets/sheet{i}.bin"] = _sheet(ws)
    workbook = _record(131) + _record(143) + b"".join(bundles) + _record(144) + _record(132)
    with zipfile.ZipFile(xlsb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES.format(sheets="".join(types)))
        zf.writestr("_rels/.rels", RELS.format(f'<Relationship Id="rId1" Type="{OFFICE}/officeDocument" '
                                               'Target="xl/workbook.bin"/>'))
        zf.writestr("xl/_rels/workbook.bin.rels", RELS.format("".join(rels)))
        zf.writestr("xl/workbook.bin", workbook)
        for name, data in parts.items():
            zf.writestr(name, data)
    return xlsb


def with_far_cell(xlsb: Path, dst: Path, part: str = "xl/worksheets/sheet5.bin") -> Path:
    """`xlsb` with one more cell at XFD1048576 of `part`: calamine asks for 550 GB to hold the sheet."""
    far = _record(0, struct.pack("<IIHBBBI", 1048575, 0, 300, 0, 0, 0, 0)) + _record(
        6, struct.pack("<II", 16383, 0) + _wide("x"))
    with zipfile.ZipFile(xlsb) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, data.replace(_record(146), far + _record(146)) if info.filename == part else data)
    return dst
