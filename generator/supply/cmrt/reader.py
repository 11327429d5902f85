"""Read one supplier CMRT into the version-independent model.

Stages: open the file -> find the version and its layout -> declaration fields ->
per-metal and company questions -> smelter list -> product list -> per-file checks.
Nothing here raises for a bad file: every problem becomes a `Problem` on the result.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from generator.excel.values import as_text, date_from_parts, fold, percent, quoted
from generator.excel.workbook import (
    Cell,
    Sheet,
    Workbook,
    WorkbookError,
    column_index,
    column_letters,
    open_workbook,
)
from generator.problems import Problems, printable
from generator.supply import values
from generator.supply.cmrt import kinds
from generator.supply.cmrt.checks import Lookup, check_declaration
from generator.supply.cmrt.dates import read_date
from generator.supply.cmrt.declaration import (
    CompanyAnswer,
    Declaration,
    MetalAnswer,
    Person,
    ProductRow,
    Question,
    Rejected,
    SmelterRow,
)
from generator.supply.cmrt.layouts import (
    DECLARATION,
    LAYOUTS,
    LAYOUTS_BY_KIND,
    METAL_ROWS,
    DeclarationCells,
    Layout,
    layout_for,
    parse_version,
)
from generator.supply.emrt.layouts import LAYOUTS as MINERAL_LAYOUTS

log = logging.getLogger("generator.supply.cmrt.reader")

MAX_LIST_ROWS = 10_000
"""Rows read from the Smelter List or Product List; the templates have about 2,500."""

DECLARATION_ROWS = 200
_COPYRIGHT = re.compile(r"^\s*(©|\(c\)|copyright\b)|all rights reserved|保留所有权利"
                        r"|^\s*\d{4} electronic industry citizenship coalition", re.IGNORECASE)
_SMELTER_LISTS = ("Smelter List", "Smelter and Mine List")
LIST_SHEETS = (*_SMELTER_LISTS, "Product List", "Mine List")
"""The sheets read as lists, whose blank template rows at the end are never loaded (see open_workbook)."""
READ_SHEETS = (*LIST_SHEETS, DECLARATION, "Smelter Look-up", "Standard Smelter Names", "L")
"""The sheets the readers load (any other is inflated only if asked for)."""
STRINGS_FOR = (*LIST_SHEETS, DECLARATION)
"""The sheets whose shared strings calamine is given when the workbook opens: the language table and
the look-up sheet are read from their XML where they are as Excel writes them (kinds.detect, _lookup)."""


@dataclass
class _Context:
    """Where problems are reported while reading one file."""

    file: str
    problems: Problems
    template: str = ""          # the kind, once found: named even when the file cannot be read further
    version: str = ""

    def value(self, sheet: Sheet, address: str) -> object:
        """The cell's cached value; a cached Excel error reads as empty, with a warning."""
        cell = sheet.cell(address)
        self.note_error(sheet.name, address, cell)
        return cell.value

    def text(self, sheet: Sheet, address: str) -> str:
        return as_text(self.value(sheet, address)) if address else ""

    def note_error(self, sheet: str, address: str, cell: Cell) -> None:
        if cell.error:
            self.problems.warn(self.file, "cmrt.cached-error",
                               f"the cell holds the cached Excel error {cell.error}; read as empty",
                               sheet=sheet, cell=address)


def read_workbook(path: Path | str, data: bytes | None = None) -> Declaration:
    """Read one CMRT workbook of any supported version (from `data`, its content, where read already);
    problems are on the result."""
    path = Path(path)
    ctx = _Context(printable(str(path)), Problems())
    book = None
    try:
        book = open_workbook(path, lists=LIST_SHEETS, sheets=READ_SHEETS, data=data, strings_for=STRINGS_FOR)
        return _read(book, ctx)
    except WorkbookError as err:
        if book is not None:
            book.report_notes(ctx.problems, ctx.file)  # what was found before the file was given up
        ctx.problems.add(ctx.file, err.code, err.message)
        return Declaration(file=ctx.file, readable=False, template=ctx.template, template_version=ctx.version,
                           problems=tuple(ctx.problems.sorted()))


def _read(book: Workbook, ctx: _Context) -> Declaration:
    missing = [name for name in (DECLARATION, "Smelter List") if not _has_sheet(book, name)]
    if missing:
        raise WorkbookError("cmrt.not-a-cmrt",
                            f"is not a CMRT: no {' or '.join(repr(m) for m in missing)} sheet "
                            f"(sheets: {', '.join(book.sheet_names) or 'none'})")
    decl = book.sheet(DECLARATION, max_row=DECLARATION_ROWS)
    found = kinds.detect(book, decl.cell("D2").value)
    if found.kind.name in MINERAL_LAYOUTS:
        from generator.supply.emrt.reader import read_minerals  # the EMRT/CRT reader builds on this one
        ctx.template = found.kind.name
        return read_minerals(book, decl, found.kind, ctx)
    if found.kind.name not in LAYOUTS_BY_KIND:
        return _other_kind(book, decl, found, ctx)
    ctx.template = kinds.CMRT
    version, layout = _version(decl, book, ctx)
    cells = layout.cells
    smelters, rejected = _smelter_list(book, layout, ctx)
    products = _product_list(book, layout, version, ctx)
    declaration = Declaration(
        file=ctx.file,
        template=kinds.CMRT,
        template_version=version,
        layout=layout.family,
        smelter_sheet=layout.smelter_sheet,
        **company_block(book, decl, cells, ctx),
        effective_date=_effective_date(decl, layout, ctx),
        questions=_metal_questions(decl, layout, ctx),
        company_questions=_company_questions(decl, layout, ctx),
        products=products,
        smelters=smelters,
        rejected=tuple(rejected),
    )
    lookup = _lookup(book, layout, {s.smelter_id for s in smelters if s.smelter_id})
    book.report_notes(ctx.problems, ctx.file)  # after every sheet is loaded
    ctx.problems.extend(check_declaration(declaration, layout, lookup))
    return _with_problems(declaration, ctx)


def company_block(book: Workbook, decl: Sheet, cells: DeclarationCells, ctx: _Context) -> dict[str, Any]:
    """The file and company fields of a Declaration, from the cells a layout names (every RMI template
    has the same company block, at its own addresses)."""
    def text(address: str) -> str:
        return ctx.text(decl, address)
    return {
        "file_format": book.file_format, "encrypted": book.encrypted, "language": text("D3"),
        "company_name": text(cells.company_name), "declaration_scope": text(cells.declaration_scope),
        "scope_description": text(cells.scope_description), "unique_id": text(cells.unique_id),
        "unique_id_authority": text(cells.unique_id_authority), "address": text(cells.address),
        "contact": Person(text(cells.contact_name), text(cells.contact_title), text(cells.contact_email),
                          text(cells.contact_phone)),
        "authorizer": Person(text(cells.authorizer_name), text(cells.authorizer_title),
                             text(cells.authorizer_email), text(cells.authorizer_phone)),
    }


def _other_kind(book: Workbook, decl: Sheet, found: kinds.Finding, ctx: _Context) -> Declaration:
    """An EMRT, CRT or AMRT: named for what it is, never read with a CMRT layout."""
    kind = found.kind
    version = parse_version(_revision_text(decl, book))
    company = as_text(decl.cell(kind.company_cell).value)
    ctx.problems.add(ctx.file, "cmrt.not-a-cmrt-template",
                     f"is a{'n' if kind.name[0] in 'AE' else ''} {kind.name} ({kind.title}"
                     f"{f', revision {version}' if version else ''}), found from {found.evidence}: it "
                     f"reports on {kind.covers}, not on 3TG, so it is no answer to the 3TG (conflict "
                     f"minerals) survey and is not counted as one; ask the supplier for a CMRT",
                     sheet=DECLARATION, cell="D2")
    book.report_notes(ctx.problems, ctx.file)
    return _with_problems(Declaration(
        file=ctx.file, template=kind.name, template_version=version, file_format=book.file_format,
        encrypted=book.encrypted, language=as_text(decl.cell("D3").value), company_name=company), ctx)


def _with_problems(declaration: Declaration, ctx: _Context) -> Declaration:
    return replace(declaration, problems=tuple(ctx.problems.sorted()))


def _has_sheet(book: Workbook, name: str) -> bool:
    if name == "Smelter List":
        return any(book.has(n) for n in _SMELTER_LISTS)
    return book.has(name)


def _version(decl: Sheet, book: Workbook, ctx: _Context) -> tuple[str, Layout]:
    """The version from Declaration!J3 (1.00 splits it over I3 and J3) and its layout."""
    version = ctx.version = parse_version(_revision_text(decl, book))
    if not version:
        raise WorkbookError("cmrt.unknown-version",
                            "has no template revision in Declaration!J3 (nor at the top of the Declaration or "
                            "Smelter List), so its layout is unknown; it is not read rather than read with a "
                            "guessed layout")
    resolved = layout_for(version)
    if resolved.layout is None:
        raise WorkbookError("cmrt.unsupported-version",
                            f"has CMRT revision {version}, for which this reader has no layout (it knows "
                            f"{', '.join(known.family for known in LAYOUTS)} and later 6.x revisions); it is not read "
                            f"rather than read with the cell map of another revision")
    if resolved.warning:
        ctx.problems.warn(ctx.file, "cmrt.newer-revision", resolved.warning, sheet=DECLARATION, cell="J3")
    return version, resolved.layout


def _revision_text(decl: Sheet, book: Workbook) -> str:
    """The revision text: Declaration!J3 (I3+J3 in 1.00), else the top rows of the Declaration
    or of the smelter sheet, where every template repeats it (e.g. Smelter List!N3 in 2.x).

    Read without noting errors: I3 is a label formula, often cached as #N/A.
    """
    text = f"{as_text(decl.cell('I3').value)} {as_text(decl.cell('J3').value)}"
    if parse_version(text):
        return text
    sheets = [decl] + [book.sheet(n, max_row=5) for n in _SMELTER_LISTS if book.has(n)][:1]
    for sheet, last in zip(sheets, (5, 3)):
        for row in range(1, last + 1):
            for cell in sheet.values(row, list(range(30))):
                if isinstance(cell, str) and "revision" in cell.casefold() and parse_version(cell):
                    return cell
    return ""


def _effective_date(decl: Sheet, layout: Layout, ctx: _Context) -> dt.date | str | None:
    """The date as a date however it was typed; an ambiguous or impossible one as written, with a warning."""
    cells = layout.cells
    if cells.date_parts:
        return date_from_parts(*(ctx.value(decl, a) for a in cells.date_parts))
    if not cells.effective_date:
        return None
    read = read_date(ctx.value(decl, cells.effective_date))
    if read.problem:
        ctx.problems.warn(ctx.file, f"cmrt.{read.problem}-date",
                          f"the effective date {quoted(read.text)} is kept as written: {read.reason}",
                          sheet=DECLARATION, cell=cells.effective_date)
    return read.date or read.text or None


def _split(text: str, separator: str) -> list[str]:
    return text.split(separator) if separator else [text]


def _lookup(book: Workbook, layout: Layout, wanted: set[str]) -> Lookup:
    """The template's own look-up sheet: smelter ID -> the names it gives that ID (standard name first),
    for the IDs in `wanted` (those the smelter list gives)."""
    columns = layout.lookup_columns
    if columns is None or not wanted or not book.has(layout.lookup_sheet):
        return Lookup(layout.lookup_sheet, {})

    def wanted_id(text: str) -> str | None:
        if text in wanted:
            return text
        if _CANONICAL_ID.match(text):
            return None  # another ID, as the template writes them
        smelter_id, recognised = values.smelter_id(text)
        return smelter_id if recognised and smelter_id in wanted else None

    last = columns.first_row + MAX_LIST_ROWS
    rows = book.keyed_rows(layout.lookup_sheet, columns.smelter_id, lambda text: wanted_id(text) is not None,
                           [columns.smelter_id, columns.metal, *columns.names], columns.first_row, last)
    if rows is None:  # the sheet's XML does not tell them for sure: the sheet loaded
        sheet = book.sheet(layout.lookup_sheet, max_row=last)
        picked = [column_index(columns.smelter_id), column_index(columns.metal),
                  *(column_index(c) for c in columns.names)]
        rows = {row: [as_text(v) for v in sheet.values(row, picked)]
                for row in range(columns.first_row, min(sheet.last_row, last) + 1)}
    names: dict[str, list[str]] = {}
    for _row, (text, metal, *raw_names) in sorted(rows.items()):  # the sheet's order, whatever the XML's
        smelter_id = wanted_id(text)
        if smelter_id is None or not values.metal(metal):
            continue
        known = names.setdefault(smelter_id, [])
        for name in (n.strip() for v in raw_names for n in _split(v, columns.alias_separator)):
            if name and name not in known:
                known.append(name)
    return Lookup(layout.lookup_sheet, {k: tuple(v) for k, v in names.items()})


_CANONICAL_ID = re.compile(r"CID[0-9]{6}\Z")  # what values.smelter_id gives back unchanged


def _metal_questions(decl: Sheet, layout: Layout, ctx: _Context) -> tuple[Question, ...]:
    questions = []
    for spec in layout.metal_questions:
        answers = []
        for offset, metal in enumerate(METAL_ROWS):
            row = spec.row + offset
            address = f"{layout.answer_column}{row}"
            raw = ctx.value(decl, address)
            answers.append(MetalAnswer(
                metal=metal,
                answer=_normalise_answer(raw, spec.answers),
                raw=as_text(raw),
                comment=ctx.text(decl, f"{layout.comment_column}{row}"),
                cell=address,
            ))
        questions.append(Question(spec.key, spec.number, tuple(answers)))
    return tuple(questions)


def _company_questions(decl: Sheet, layout: Layout, ctx: _Context) -> tuple[CompanyAnswer, ...]:
    answers = []
    for spec in layout.company_questions:
        address = f"{layout.answer_column}{spec.row}"
        raw = ctx.value(decl, address)
        answers.append(CompanyAnswer(
            letter=spec.letter, key=spec.key, answer=_normalise_answer(raw, spec.answers),
            raw=as_text(raw), comment=ctx.text(decl, f"{layout.comment_column}{spec.row}"),
            cell=address))
    return tuple(answers)


def _normalise_answer(raw: object, vocabulary: tuple[str, ...]) -> str:
    """The answer in the template's own spelling when it is one of its choices, else as written."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and "100%" in vocabulary:
        text = percent(raw)
    else:
        text = as_text(raw)
    folded = fold(text)
    for choice in vocabulary:
        if fold(choice) == folded:
            return choice
    return text


# The last row of each template's list area, from the blank templates (2,500 or 2,504 rows in 2.02 on): the copyright line
# (a wide merged row, with or without its text) follows it, and translation tables may follow that.
TEMPLATE_LIST_END = {"1.00": 300, "2.00-2.01": 1001}
DEFAULT_LIST_END = 2500


def _product_list_end(version: str) -> int:
    """The Product List's last row in the blank templates: 300 rows to 5.x, 1,000 in 6.01 and 6.1, then 2,005."""
    m = re.match(r"(\d+)\.(\d+)", version)
    if not m or int(m.group(1)) < 6:
        return 300
    return 1000 if (int(m.group(1)), int(m.group(2).ljust(2, "0"))) < (6, 22) else 2005


def _list_rows(sheet: Sheet, first_row: int, columns: list[int], ctx: _Context,
               template_end: int = DEFAULT_LIST_END) -> Iterator[tuple[int, list[str], str]]:
    """Every non-blank row of a list as trimmed text, from `first_row` to the template's copyright line,
    with a reason ("" for none) when the row is a note (a merged row, a copyright line) and no entry.

    The list ends at the first copyright line (a wide merged row from column A or B, or a copyright
    text there) at or below the template's own end: only there does the template put one (translation
    tables and look-up lists follow it). A note or a copyright line higher up ends nothing: it is
    given with its reason and the rows below it are read. A row is blank when its cells are empty,
    hold a cached error, or hold the 0 a look-up formula caches for no input. Cached errors in a
    non-blank row are noted.
    """
    wide = {r0: (c0, c1) for r0, c0, _r1, c1 in sheet.merged if r0 >= first_row and c0 <= 1 and c1 - c0 >= 7}
    # A wide merged row counts wherever it is: the blank rows around it may not have been loaded.
    end = min(max(sheet.last_row, *wide, 0), first_row + MAX_LIST_ROWS - 1)
    probe = [0, 1, *columns]
    for row in range(max(first_row, template_end + 1), end + 1):
        if row in wide or _is_copyright(sheet.values(row, [0, 1])):
            end = row - 1
            break
    else:
        _report_cap(sheet, first_row, ctx)
    for row in sorted({*sheet.filled_rows(first_row, end), *(r for r in wide if first_row <= r <= end)}):
        raw = sheet.values(row, probe)
        if not any(raw):  # "", 0 and None are blank; whitespace-only cells are caught below
            if row in wide:
                yield row, [""] * len(columns), _note(row, wide[row], "")
            continue
        values, errors = sheet.resolve(row, columns, raw[2:])
        text = [v.strip() if v.__class__ is str else _list_text(v) for v in values]
        note = next((as_text(v) for v in raw[:2] if as_text(v)), "")
        if row in wide:
            yield row, text, _note(row, wide[row], note)
        elif _is_copyright(raw[:2]):
            yield row, text, f"a copyright line ({quoted(note)}) inside the list, not an entry; the rows below it were read"
        elif any(text):
            for col, error in errors.items():
                ctx.note_error(sheet.name, f"{column_letters(col)}{row}", Cell("", error))
            yield row, text, ""


def _is_copyright(cells: list[object]) -> bool:
    return any(isinstance(v, str) and _COPYRIGHT.search(v) for v in cells)


def _note(row: int, span: tuple[int, int], text: str) -> str:
    cells = f"{column_letters(span[0])}{row}:{column_letters(span[1])}{row}"
    said = f" ({quoted(text)})" if text else ""
    return f"a note merged across {cells}{said}, not an entry; the rows below it were read"


def _report_cap(sheet: Sheet, first_row: int, ctx: _Context) -> None:
    """Rows past the cap are a problem with their count: those loaded beyond it, and those cut when loading."""
    cap = first_row + MAX_LIST_ROWS
    beyond = sheet.rows_cut + sum(1 for row in range(cap, sheet.last_row + 1) if any(sheet.values(row, list(range(40)))))
    if beyond:
        ctx.problems.add(ctx.file, "cmrt.too-many-rows",
                         f"the list has {beyond:,} more {'row' if beyond == 1 else 'rows'} with cells from row {cap:,} on, beyond the "
                         f"{MAX_LIST_ROWS:,} rows a list may have; they were not read",
                         sheet=sheet.name, cell=f"A{cap}")


_METALS_EXPECTED = "Tantalum, Tin, Gold or Tungsten"


def _smelter_list(book: Workbook, layout: Layout, ctx: _Context, metal_of: Callable[[str], str] = values.metal,
                  expected: str = _METALS_EXPECTED) -> tuple[tuple[SmelterRow, ...], list[Rejected]]:
    if not book.has(layout.smelter_sheet):
        ctx.problems.add(ctx.file, "cmrt.missing-sheet",
                         f"revision {layout.family} should have a '{layout.smelter_sheet}' sheet; it has none",
                         sheet=layout.smelter_sheet)
        return (), []
    sheet = book.sheet(layout.smelter_sheet, max_row=layout.smelter_first_row + MAX_LIST_ROWS)
    names = [name for name, _ in layout.smelter_columns.items()]
    columns = [column_index(letter) for _, letter in layout.smelter_columns.items()]
    smelters: list[SmelterRow] = []
    rejected: list[Rejected] = []
    end = TEMPLATE_LIST_END.get(layout.family, DEFAULT_LIST_END)
    for row, text, note in _list_rows(sheet, layout.smelter_first_row, columns, ctx, end):
        if note:
            rejected.append(Rejected(row, note, sheet.name))
            continue
        record = _smelter_row(row, dict(zip(names, text)), sheet.name, layout, ctx, metal_of, expected)
        if isinstance(record, SmelterRow):
            smelters.append(record)
        else:
            rejected.append(record)
    return tuple(smelters), rejected


def _smelter_row(row: int, text: dict[str, str], sheet: str, layout: Layout, ctx: _Context,
                 metal_of: Callable[[str], str] = values.metal, expected: str = _METALS_EXPECTED) -> SmelterRow | Rejected:
    metal_text = text.get("metal", "")
    others = [k for k, v in text.items() if v and k != "metal"]
    if not metal_text:
        if others == ["id_input"]:
            return Rejected(row, f"only a smelter ID in column {layout.smelter_columns.id_input} ({quoted(text['id_input'])}): "
                                 f"the metal and name the template looks up from it have no cached values", sheet)
        return Rejected(row, f"no metal: column B is empty but the row has {_field_list(others)}", sheet)
    if not others:
        return Rejected(row, f"only a metal ({quoted(metal_text)}): no look-up choice, smelter name or ID", sheet)
    metal = metal_of(metal_text)
    if not metal:
        return Rejected(row, f"unknown metal {quoted(metal_text)}: expected {expected}", sheet)
    columns = layout.smelter_columns
    raw_id, id_column = text.get("smelter_id", ""), columns.smelter_id
    if not raw_id and text.get("id_input"):
        raw_id, id_column = text["id_input"], columns.id_input
    smelter_id, recognised = values.smelter_id(raw_id)
    if not recognised:
        ctx.problems.warn(ctx.file, "cmrt.unrecognised-smelter-id",
                          f"{quoted(raw_id)} is neither an RMI ID (CID000123) nor a legacy EICC ID (1JPN058); kept as written",
                          sheet=sheet, cell=f"{id_column}{row}")
    lookup = values.lookup_choice(text.get("lookup", ""))
    name = text.get("smelter_name", "") or ("" if values.is_placeholder(lookup) else lookup)
    fields = {k: v for k, v in text.items() if k in _ROW_FIELDS}
    if fold(fields.get("id_source", "")) == "enter smelter details":
        fields["id_source"] = ""  # the 6.x template's own prompt for a smelter that is not listed
    extras = [f"{k.removeprefix('extra:')}: {v}" for k, v in text.items() if v and k.startswith("extra:")]
    if extras:
        fields["comments"] = "; ".join([fields["comments"]] * bool(fields.get("comments")) + extras)
    fields.update(metal=metal, lookup=lookup, smelter_name=name, smelter_id=smelter_id, smelter_id_raw=raw_id)
    return SmelterRow(row, **fields)


_ROW_FIELDS = frozenset(SmelterRow._fields)


def _list_text(value: object) -> str:
    """Smelter List cells are all text; the template's look-up formulas cache 0 for an empty input."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0:
        return ""
    return as_text(value)


def _field_list(names: list[str]) -> str:
    return ", ".join(n.removeprefix("extra:").replace("_", " ").lower() for n in names)


def _product_list(book: Workbook, layout: Layout, version: str, ctx: _Context) -> tuple[ProductRow, ...]:
    if not layout.product_sheet or not book.has(layout.product_sheet):
        return ()
    sheet = book.sheet(layout.product_sheet, max_row=layout.product_first_row + MAX_LIST_ROWS)
    letters = layout.product_columns
    columns = [column_index(c) for c in (letters.number, letters.name, letters.comments,
                                         *(column for _, column in letters.extra))]
    products = []
    end = _product_list_end(version)
    for row, (number, name, comments, *extra), note in _list_rows(sheet, layout.product_first_row, columns, ctx,
                                                                   end):
        if note:
            ctx.problems.warn(ctx.file, "cmrt.list-note", f"row {row} is {note}", sheet=sheet.name, cell=f"A{row}")
            continue
        comments = "; ".join([comments] * bool(comments) + [f"{label}: {value}" for (label, _), value
                                                            in zip(letters.extra, extra) if value])
        if not number:
            ctx.problems.warn(ctx.file, "cmrt.product-without-number",
                              "the product has no number (a required column); kept with its name",
                              sheet=sheet.name, cell=f"{letters.number}{row}")
        products.append(ProductRow(row, number, name, comments))
    return tuple(products)
