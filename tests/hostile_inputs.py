"""Hostile and broken inputs, built in code: injection strings, zip bombs, XML entity tricks, huge sheets.

Used by tests/test_hostile.py and tests/test_hostile_browser.py. Every workbook starts from a
CMRT written by tests/cmrt_fixtures.py and has one XML part replaced, or is written part by
part with zipfile where openpyxl would be too slow (a million rows) or would refuse (a DTD).
"""
from __future__ import annotations

import html.parser
import re
import urllib.parse
import zipfile
import zlib
from pathlib import Path

from tests import cmrt_fixtures as fx

# Each string tries to become markup, script, a link, a table border, a heading or an attribute.
# They set window.__pwned, which the browser test checks stays undefined.
INJECTIONS = [
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=window.__pwned=1>",
    "<svg onload=window.__pwned=1>",
    '<a href="javascript:window.__pwned=1">anchor</a>',
    "[click](javascript:window.__pwned=1)",
    "![pic](javascript:window.__pwned=1)",
    "<javascript:window.__pwned=1>",
    "javascript:window.__pwned=1 bare",
    "Pipe | Co. `tick` *star* _under_",
    "# Heading Refinery",
    "{: onclick=window.__pwned=1 }",
    "Tom &amp; Jerry &lt;script&gt; \\ back",
    "- dash smelter",
]
# A spreadsheet runs these as formulas if a cell starts with them.
FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+SUM(1,2)", "-2+3", "@SUM(1)",
            "=cmd|' /C calc'!A0"]
# ... or once a spreadsheet whose list separator is ';' splits the cell there.
SPLIT_FORMULAS = ["Safe Refinery;=cmd|' /C calc'!A0", "Tab\t+SUM(1,2) Smelter"]

SMELTER_SHEET_6X = "xl/worksheets/sheet5.xml"   # where cmrt_fixtures.write puts the 6.x Smelter List
DECLARATION_6X = "xl/worksheets/sheet4.xml"


def injection_cmrt(path: Path) -> Path:
    """A 6.5 CMRT whose every text field that can reach a page or the review report is hostile."""
    spec = fx.full_declaration("6.5")
    spec.fields.update(company_name="<script>window.__pwned=1</script> Evil | Corp",   # test_hostile.EVIL_COMPANY
                       unique_id="[id](javascript:window.__pwned=1)",
                       address="<img src=x onerror=window.__pwned=1>",
                       contact_email="javascript:window.__pwned=1",
                       authorizer_email="<a href='javascript:alert(1)'>mail</a>")
    spec.company = {"A": ("Yes", "[see](javascript:window.__pwned=1)"),
                    "B": ("Yes", "<script>window.__pwned=1</script> https://evil.example")}
    metals = ("Gold", "Tin", "Tantalum", "Tungsten")
    spec.smelters = {}
    for i, text in enumerate(INJECTIONS):
        spec.smelters[5 + i] = {
            "metal": metals[i % 4], "smelter_name": text, "country": INJECTIONS[-1 - i],
            "smelter_id": "", "comments": text, "contact_email": "javascript:window.__pwned=1",
            "street": "<b>street</b>", "city": "[c](javascript:x)",
        }
    row = 5 + len(INJECTIONS)
    for i, text in enumerate(FORMULAS + SPLIT_FORMULAS):
        spec.smelters[row + i] = {"metal": metals[i % 4], "smelter_name": text, "country": text}
    # An unrecognised smelter ID is quoted in a warning, which the review report lists.
    spec.smelters[row + len(FORMULAS + SPLIT_FORMULAS)] = {"metal": "Gold", "smelter_name": "Odd ID Refinery",
                                          "smelter_id": "<script>window.__pwned=1</script>"}
    return fx.write(spec, path)


# --- workbooks with one XML part replaced -------------------------------------------------------

def replace_parts(src: Path, dst: Path, parts: dict[str, bytes | str], drop: tuple[str, ...] = ()) -> Path:
    """Copy the zip `src` to `dst`, replacing (or adding) the given parts."""
    parts = {k: v.encode() if isinstance(v, str) else v for k, v in parts.items()}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename not in drop:
                zout.writestr(info.filename, parts.pop(info.filename, None) or zin.read(info))
        for name, data in parts.items():
            zout.writestr(name, data)
    return dst


def part(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name).decode("utf-8")


LAUGHS_DTD = ('<!DOCTYPE lolz [<!ENTITY lol "lollollollollollollollollollol">'
              + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
              + "]>")


def xxe_dtd(root: str, target: Path) -> str:
    return f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{target.as_uri()}">]>'


def with_entity(base: Path, dst: Path, where: str, dtd: str, entity: str) -> Path:
    """`base` with a DTD in one part and an entity reference where a smelter name or sheet name is."""
    if where == "sheet":
        xml = part(base, SMELTER_SHEET_6X).replace("Asahi Refining ", f"&{entity};")
        return replace_parts(base, dst, {SMELTER_SHEET_6X: dtd.replace("lolz", "worksheet") + xml})
    if where == "sharedStrings":
        # Move the smelter name into a shared string, as Excel stores it.
        xml = part(base, SMELTER_SHEET_6X).replace(
            '<c r="D5" t="inlineStr"><is><t xml:space="preserve">Asahi Refining </t></is></c>',
            '<c r="D5" t="s"><v>0</v></c>')
        strings = (f'<?xml version="1.0"?>{dtd.replace("lolz", "sst")}<sst xmlns="http://schemas.openxmlformats.org/'
                   f'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&{entity};</t></si></sst>')
        rels = part(base, "xl/_rels/workbook.xml.rels").replace(
            "</Relationships>", '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/sharedStrings" Target="sharedStrings.xml" Id="rIdSST" /></Relationships>')
        types = part(base, "[Content_Types].xml").replace(
            "</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sharedStrings+xml" /></Types>')
        return replace_parts(base, dst, {SMELTER_SHEET_6X: xml, "xl/sharedStrings.xml": strings,
                                         "xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types})
    if where == "workbook":
        xml = part(base, "xl/workbook.xml").replace('name="Definitions"', f'name="&{entity};"')
        return replace_parts(base, dst, {"xl/workbook.xml": dtd.replace("lolz", "workbook") + xml})
    raise ValueError(where)


def zip_bomb(base: Path, dst: Path, inflated_mb: int, declared: int | None = None,
             sheet: str = SMELTER_SHEET_6X) -> Path:
    """`base` whose sheet part `sheet` inflates to `inflated_mb` MB of whitespace.

    The deflate stream repeats one fully flushed block, so it is built in milliseconds. With
    `declared` the zip's headers state that size instead (a lying bomb); the CRC is not computed.
    """
    xml = part(base, sheet).encode()
    head, tail = xml.split(b"</sheetData>")
    first = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = first.compress(head) + first.flush(zlib.Z_FULL_FLUSH)
    filler = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = filler.compress(b" " * (1 << 20)) + filler.flush(zlib.Z_FULL_FLUSH)
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream += block * inflated_mb + last.compress(b"</sheetData>" + tail) + last.flush()
    size = len(xml) + inflated_mb * (1 << 20)
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != sheet:
                zout.writestr(info.filename, zin.read(info))
                continue
            raw = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            raw.compress_type = zipfile.ZIP_DEFLATED
            raw.file_size, raw.compress_size, raw.CRC = min(declared or size, 2**32 - 1), len(stream), 0
            raw.header_offset = zout.start_dir
            zout.fp.seek(zout.start_dir)
            zout.fp.write(raw.FileHeader(zip64=False) + stream)
            zout.start_dir = zout.fp.tell()
            zout.filelist.append(raw)
            zout.NameToInfo[raw.filename] = raw
    return dst


def long_smelter_list(base: Path, dst: Path, rows: int) -> Path:
    """`base` with `rows` more smelter rows from row 10 on, streamed into the sheet part."""
    sheet = part(base, SMELTER_SHEET_6X)
    head, tail = sheet.split("</sheetData>")
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for info in zin.infolist():
            if info.filename != SMELTER_SHEET_6X:
                zout.writestr(info.filename, zin.read(info))
                continue
            with zout.open(info.filename, "w", force_zip64=True) as out:
                out.write(head.encode())
                for start in range(10, 10 + rows, 10_000):
                    out.write("".join(
                        f'<row r="{r}"><c r="B{r}" t="inlineStr"><is><t>Gold</t></is></c>'
                        f'<c r="D{r}" t="inlineStr"><is><t>Refinery {r}</t></is></c></row>'
                        for r in range(start, min(start + 10_000, 10 + rows))).encode())
                out.write(("</sheetData>" + tail).encode())
    return dst


def far_cell(base: Path, dst: Path, address: str = "XFD1048576", sheet: str = SMELTER_SHEET_6X) -> Path:
    """One more cell, far away: a few bytes that span up to 17 billion cells (calamine holds them all)."""
    row = address.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    xml = part(base, sheet).replace(
        "</sheetData>", f'<row r="{row}"><c r="{address}" t="inlineStr"><is><t>far</t></is></c></row></sheetData>')
    return replace_parts(base, dst, {sheet: xml})


def not_a_cmrt(path: Path) -> Path:
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active.title = "Budget"
    wb.active["A1"] = "Quarterly budget"
    wb.save(path)
    return path


def without_sheet(base: Path, dst: Path, sheet: str) -> Path:
    """`base` with one sheet removed from the workbook's sheet list."""
    xml = part(base, "xl/workbook.xml")
    start = xml.index(f'<sheet name="{sheet}"')
    end = xml.index("/>", start) + 2
    return replace_parts(base, dst, {"xl/workbook.xml": xml[:start] + xml[end:]})


def control_characters(base: Path, dst: Path) -> Path:
    """`base` with terminal escape sequences in a smelter name and ID, written as OOXML writes
    characters that XML cannot hold (_x001B_ is ESC), which the reader decodes."""
    xml = part(base, SMELTER_SHEET_6X).replace("CID 000801", "_x001B_[31mRED_x0007_").replace(
        "Asahi Refining ", "Asahi_x001B_]0;pwned_x0007_ Refining_x202E_")
    return replace_parts(base, dst, {SMELTER_SHEET_6X: xml})


def far_cell_xls(src: Path, dst: Path, sheet: str = "Smelter List") -> Path:
    """A copy of the BIFF .xls `src` whose first cell in `sheet` is moved to the last row and column
    BIFF8 has (65536 x 256): calamine then holds 16.7 million cells. Same-size edit in place."""
    import shutil
    import struct

    import olefile

    shutil.copy(src, dst)
    ole = olefile.OleFileIO(str(dst), write_mode=True)
    data = bytearray(ole.openstream("Workbook").read())
    pos, offsets = 0, {}
    while pos < len(data):
        kind, size = struct.unpack_from("<HH", data, pos)
        if kind == 0x0085:  # BOUNDSHEET: stream offset, name
            length, wide = data[pos + 10], data[pos + 11] & 1
            raw = data[pos + 12:pos + 12 + length * (2 if wide else 1)]
            offsets[raw.decode("utf-16-le" if wide else "latin-1")] = struct.unpack_from("<I", data, pos + 4)[0]
        pos += 4 + size
    pos = offsets[sheet]
    while True:
        kind, size = struct.unpack_from("<HH", data, pos)
        if kind in (0x00FD, 0x0203, 0x027E):  # LABELSST, NUMBER, RK: row and column first
            struct.pack_into("<HH", data, pos + 4, 0xFFFF, 0x00FF)
            break
        pos += 4 + size
    ole.write_stream("Workbook", bytes(data))
    ole.close()
    return dst


PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>window.__pwned=1</script>Smelter List</body></html>"


# --- HTML checks --------------------------------------------------------------------------------

class PageScan(html.parser.HTMLParser):
    """What a built page holds that could run or navigate: scripts, event attributes, link targets."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict, str]] = []   # (attributes, inline text)
        self.handlers: list[tuple[str, str]] = []   # (tag, attribute) for every on* attribute
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.text: list[str] = []
        self.metas: list[dict] = []
        self._in_script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name))
            if name in ("href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"):
                self.urls.append((tag, name, value or ""))
        if tag == "meta":
            self.metas.append(attributes)
        if tag == "script":
            self._in_script = attributes
            self.scripts.append((attributes, ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        else:
            self.text.append(data)


def scan(html_text: str) -> PageScan:
    parser = PageScan()
    parser.feed(html_text)
    parser.close()
    return parser


def unsafe_urls(page: PageScan) -> list[tuple[str, str, str]]:
    """Link targets that are not http(s), mailto, a fragment or a relative path."""
    bad = []
    for tag, attr, value in page.urls:
        cleaned = "".join(ch for ch in value if ch > " ").strip()
        scheme = urllib.parse.urlsplit(cleaned).scheme.lower()
        if scheme not in ("", "http", "https", "mailto"):
            bad.append((tag, attr, value))
    return bad


def site_pages(site: Path) -> list[Path]:
    """The built site's pages: every HTML file but the offline search's frame (docs/assets/offline/)."""
    return sorted(p for p in site.rglob("*.html") if "assets" not in p.relative_to(site).parts)


# The site's own scripts, in docs/assets/: the facility filter and the offline search's worker shim.
OWN_SCRIPTS = ("assets/filter.js", "assets/offline/file-worker.js")


def foreign_scripts(page: PageScan) -> list[tuple[dict, str]]:
    """Scripts that are not the theme's: its bundle files, its JSON config and its small inline helpers."""
    own = []
    for attrs, text in page.scripts:
        src = attrs.get("src")
        if src is not None:
            ours = any(name in src for name in OWN_SCRIPTS)
            ok = ("assets/javascripts/" in src or ours) and urllib.parse.urlsplit(src).scheme == "" and "//" not in src
        elif attrs.get("type") == "application/json":
            ok = attrs.get("id") == "__config"
        else:
            ok = "__pwned" not in text and (text.lstrip().startswith(("__md_scope", "var target=document"))
                                            or "__md_" in text)
        if not ok:
            own.append((attrs, text))
    return own


_INLINE = re.compile(r'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?) t="inlineStr"><is><t(?: xml:space="preserve")?>(.*?)</t></is></c>')
NS = "http://schemas.openxmlformats.org"


def with_shared_strings(path: Path, dst: Path) -> Path:
    """`path` (openpyxl's inline strings) with its texts in a shared-string table, as Excel writes them."""
    texts: dict[str, int] = {}

    def shared(m: re.Match) -> str:
        return f'<c r="{m.group(1)}"{m.group(2)} t="s"><v>{texts.setdefault(m.group(3), len(texts))}</v></c>'

    with zipfile.ZipFile(path) as zf:
        sheets = {n: _INLINE.sub(shared, zf.read(n).decode()) for n in zf.namelist() if n.startswith("xl/worksheets/")}
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
        types = zf.read("[Content_Types].xml").decode()
    items = "".join(f"<si><t>{t}</t></si>" for t in texts)
    sst = f'<sst xmlns="{NS}/spreadsheetml/2006/main" count="{len(texts)}" uniqueCount="{len(texts)}">{items}</sst>'
    rels = rels.replace("</Relationships>", f'<Relationship Type="{NS}/officeDocument/2006/relationships/sharedStrings" '
                        'Target="/xl/sharedStrings.xml" Id="rIdSst" /></Relationships>')
    types = types.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                          'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>')
    return replace_parts(path, dst, {**sheets, "xl/sharedStrings.xml": sst, "xl/_rels/workbook.xml.rels": rels,
                                     "[Content_Types].xml": types})


def lookup_cmrt(tmp_path: Path) -> Path:
    """A 6.5 CMRT whose smelter rows have IDs on its own Smelter Look-up (one of them under another name),
    its texts in a shared-string table as Excel writes them."""
    spec = fx.full_declaration("6.5")
    spec.smelters = {5: {"metal": "Gold", "lookup": "Asahi Pretec Corp.", "smelter_id": "CID000082", "country": "JAPAN"},
                     6: {"metal": "Gold", "lookup": "Asahi Pretec Corp.", "smelter_id": "CID000801", "country": "JAPAN"},
                     7: {"metal": "Tin", "lookup": "Thaisarco", "smelter_id": "CID001898", "country": "THAILAND"}}
    lookup = {(5, "A"): "Gold", (5, "B"): "Asahi Pretec Corp.", (5, "C"): "ASAHI METALFINE, Inc.", (5, "E"): "CID000082",
              (6, "A"): "Gold", (6, "B"): "Inner Mongolia Qiankun Gold and Silver Refinery Share Co., Ltd.",
              (6, "C"): "Inner Mongolia Qiankun & Silver", (6, "E"): "CID000801",
              (7, "A"): "Tin", (7, "B"): "Thaisarco", (7, "E"): "CID001898",
              **{(r, c): v for r in range(8, 60) for c, v in (("A", "Tin"), ("B", f"Other {r}"), ("E", f"CID{r:06d}"))}}
    spec.cells = {("Smelter Look-up", f"{col}{row}"): v for (row, col), v in lookup.items()}
    spec.cells[("Declaration", "D2")] = "Conflict Minerals Reporting Template (CMRT)"  # as the templates title it
    path = with_shared_strings(fx.write(spec, tmp_path / "inline.xlsx"), tmp_path / "l.xlsx")
    assert "CID000801" in part(path, "xl/sharedStrings.xml") and '<c r="E6" t="s">' in part(path, "xl/worksheets/sheet8.xml")
    return path
