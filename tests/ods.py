"""Write an OpenDocument spreadsheet (.ods) with the same cells as an .xlsx, in code (openpyxl cannot)."""
from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import openpyxl

MIME = "application/vnd.oasis.opendocument.spreadsheet"
NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"')


def _cell(value) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'


def to_ods(xlsx: Path, ods: Path) -> Path:
    """`ods` holding every sheet of `xlsx` with its cached values (formulas are not carried over)."""
    book = openpyxl.load_workbook(xlsx, data_only=True)
    tables = []
    for ws in book.worksheets:
        rows = []
        for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column, values_only=True):
            rows.append("<table:table-row>" + "".join(_cell(v) for v in row) + "</table:table-row>")
        tables.append(f"<table:table table:name={quoteattr(ws.title)}>{''.join(rows)}</table:table>")
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NS}><office:body>'
               f"<office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
                f'manifest:media-type="{MIME}"/><manifest:file-entry manifest:full-path="content.xml" '
                'manifest:media-type="text/xml"/></manifest:manifest>')
    with zipfile.ZipFile(ods, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), MIME)  # first and stored, as the format asks
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return ods
