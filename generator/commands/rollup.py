"""`python -m generator rollup --template BLANK.xlsx`: the company's own CMRT, rolled up from the report.

Customers send the filer CMRTs to fill in. This fills a blank RMI CMRT 6.x (any UI language)
with the company's declaration and one Smelter List row per published facility:

* company details from data/company.yml; scope, people, date and the answers to Q1-Q8 and
  A-H from the optional data/declaration.yml (`DeclarationFile`), with defaults where the
  data gives them: Q1 is "Yes" for a metal with published facilities and "No" otherwise
  (then Q2 is "No" too), Q7 "Yes" when every facility of the metal has a smelter ID, Q8
  "Yes" (every facility is listed), A "Yes" (the report has a policy) and H "Yes, with the
  SEC" (the report is a Form SD filing);
* a facility whose smelter ID is in the template's Smelter Look-up is entered as the
  template's Instructions say (Option A): the ID in column A; the cells the template fills
  from it keep their formulas, with the values they compute cached. Any other facility is
  entered as "Smelter not listed" (Option C) with its name and country.

The answers the template's Instructions require are checked first (problems name the key of
data/declaration.yml); the cells are written into the sheet XML (generator.excel.fill), and
the output is read back with our own reader, which must find the same declaration.
"""
from __future__ import annotations

import datetime as dt
import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from generator.content import schema
from generator.content.schema import Answer
from generator.excel import fill
from generator.excel.isolate import Failure, read_isolated, run_one
from generator.excel.values import as_text, fold, percent
from generator.excel.workbook import Sheet, Workbook, WorkbookError, column_index, open_workbook
from generator.model import Facility
from generator.problems import ERROR, Problem, Problems, UserError, display_path
from generator.publish.report import Model
from generator.supply import values
from generator.supply.cmrt import Declaration, kinds, read_workbook
from generator.supply.cmrt.layouts import DECLARATION, METAL_ROWS, V6, Layout, Needed
from generator.supply.matching import country_key

log = logging.getLogger("generator.commands.rollup")

DECLARATION_FILE = "declaration.yml"
DEFAULT_OUTPUT = "build/cmrt-rollup-{year}.xlsx"
LOOKUP_SHEET = "Smelter Look-up"
COUNTRY_SHEET = "C"  # the hidden sheet behind the country dropdown (the name CL: 'C'!$B$2:$B$250)


# --- data/declaration.yml -----------------------------------------------------------------

@dataclass(frozen=True)
class ContactEntry:
    """The contact, where it differs from data/company.yml (the template has no title for it)."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class PersonEntry:
    name: str | None = None
    title: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class MetalComments:
    intentionally_added: str | None = None
    remains_in_product: str | None = None
    from_covered_countries: str | None = None
    from_conflict_affected_areas: str | None = None
    recycled_or_scrap: str | None = None
    supplier_response_share: str | None = None
    all_smelters_identified: str | None = None
    all_smelter_info_reported: str | None = None


@dataclass(frozen=True)
class MetalAnswers:
    """Q1-Q8 for one metal, under the keys of the CMRT 6.x layout."""

    intentionally_added: Answer | None = None
    remains_in_product: Answer | None = None
    from_covered_countries: Answer | None = None
    from_conflict_affected_areas: Answer | None = None
    recycled_or_scrap: Answer | None = None
    supplier_response_share: Answer | None = None
    all_smelters_identified: Answer | None = None
    all_smelter_info_reported: Answer | None = None
    comments: MetalComments | None = None


@dataclass(frozen=True)
class Metals:
    tantalum: MetalAnswers | None = None
    tin: MetalAnswers | None = None
    gold: MetalAnswers | None = None
    tungsten: MetalAnswers | None = None


@dataclass(frozen=True)
class CompanyComments:
    policy: str | None = None
    policy_public: str | None = None
    require_validated_smelters: str | None = None
    due_diligence_measures: str | None = None
    supplier_survey: str | None = None
    review_due_diligence: str | None = None
    corrective_action: str | None = None
    annual_disclosure: str | None = None


@dataclass(frozen=True)
class CompanyAnswers:
    """Questions A-H of CMRT 6.x."""

    policy: Answer | None = None
    policy_public: Answer | None = None
    require_validated_smelters: Answer | None = None
    due_diligence_measures: Answer | None = None
    supplier_survey: Answer | None = None
    review_due_diligence: Answer | None = None
    corrective_action: Answer | None = None
    annual_disclosure: Answer | None = None
    comments: CompanyComments | None = None


@dataclass(frozen=True)
class ProductEntry:
    number: str
    name: str = ""
    comments: str = ""


@dataclass(frozen=True)
class DeclarationFile:
    """data/declaration.yml: what the roll-up cannot take from the rest of the data."""

    scope: Literal["company", "products", "user-defined"] = "company"
    scope_description: str | None = None
    unique_id: str | None = None
    unique_id_authority: str | None = None
    contact: ContactEntry | None = None
    authorizer: PersonEntry | None = None
    effective_date: dt.date | None = None
    metals: Metals | None = None
    questions: CompanyAnswers | None = None
    products: list[ProductEntry] = field(default_factory=list)


SCOPES = {"company": 0, "products": 1, "user-defined": 2}  # index into the layout's scopes


# --- the template -------------------------------------------------------------------------

@dataclass(frozen=True)
class LookupEntry:
    """One row of the template's Smelter Look-up sheet (one per alias)."""

    metal: str
    alias: str
    name: str
    country: str
    smelter_id: str
    source: str
    street: str
    city: str
    state: str


@dataclass(frozen=True)
class Template:
    file: str
    data: bytes
    version: str
    layout: Layout
    lookup: tuple[LookupEntry, ...]
    countries: dict[str, str]                      # country_key -> the template's spelling
    choices: dict[str, tuple[object, ...]]        # Declaration cell -> its dropdown's values
    smelter_rows: int                              # rows the Smelter List offers


def read_template(path: Path, shown: str, problems: Problems) -> Template | None:
    """The blank CMRT 6.x: its layout, look-up, countries and dropdowns; None (with problems) if unusable."""
    result = run_one(read_workbook, path)  # the template is a workbook too: read in an isolated worker
    if isinstance(result, Failure):
        problems.add(shown, result.code, result.message)
        return None
    declaration: Declaration = result
    if not declaration.readable:
        problems.extend([p for p in declaration.problems if p.severity == ERROR])
        return None
    if declaration.layout != V6.family or declaration.file_format != "xlsx":
        what = f"is a {declaration.file_format} CMRT of revision {declaration.template_version or 'unknown'}"
        kind = kinds.BY_NAME.get(declaration.template)
        if kind is not None and kind.name != kinds.CMRT:  # another kind of template (EMRT, CRT, AMRT)
            revision = f", revision {declaration.template_version}" if declaration.template_version else ""
            what = f"is a{'n' if kind.name[0] in 'AE' else ''} {kind.name} ({kind.title}{revision})"
        problems.add(shown, "rollup.template-version",
                     f"{what}; expected a blank RMI CMRT 6.x (.xlsx), as downloaded from the RMI")
        return None
    _check_blank(declaration, shown, problems)
    return read_isolated(_open_template, problems, shown, path, declaration, shown)


def _open_template(path: Path, declaration: Declaration, shown: str, problems: Problems) -> Template | None:
    """The template's look-ups and dropdowns (run in an isolated worker); None, with a problem."""
    try:
        book = open_workbook(path)
        return _template(book, declaration, shown)
    except WorkbookError as err:
        problems.add(shown, err.code, err.message)
        return None
    except fill.FillError as err:
        problems.add(shown, "rollup.template", f"cannot be read as a CMRT 6.x template: {err}")
        return None


def _check_blank(declaration: Declaration, shown: str, problems: Problems) -> None:
    layout = V6
    for what, rows, sheet in (("smelter", declaration.smelters, layout.smelter_sheet),
                              ("product", declaration.products, layout.product_sheet)):
        if rows:
            problems.add(shown, "rollup.template-not-blank",
                         f"the template already lists {len(rows)} {what} row(s); expected a blank template, "
                         f"so that no row of another declaration stays in the roll-up",
                         sheet=sheet, cell=f"B{rows[0].row}")


def _template(book: Workbook, declaration: Declaration, shown: str) -> Template:
    layout = V6
    decl = book.sheet(DECLARATION, max_row=200)
    xml = _sheet_xml(book, DECLARATION)
    cells = [layout.cells.declaration_scope] + [f"{layout.answer_column}{spec.row + i}"
                                                for spec in layout.metal_questions for i in range(4)]
    cells += [f"{layout.answer_column}{spec.row}" for spec in layout.company_questions]
    choices = {cell: _choices(decl, fill.validation_list(xml, cell)) for cell in cells}
    return Template(
        file=shown, data=book.data, version=declaration.template_version, layout=layout,
        lookup=_lookup(book) if book.has(LOOKUP_SHEET) else (),
        countries=_countries(book) if book.has(COUNTRY_SHEET) else {},
        choices={c: v for c, v in choices.items() if v},
        smelter_rows=max(fill.last_row(_sheet_xml(book, layout.smelter_sheet)) - layout.smelter_first_row + 1, 0),
    )


def _sheet_xml(book: Workbook, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(book.data)) as zf:
        part = fill.sheet_parts(zf).get(book.actual_name(name) or name)
        if part is None or part not in zf.namelist():
            raise fill.FillError(f"the workbook has no part for sheet '{name}'")
        return zf.read(part)


_RANGE = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)$")


def _choices(sheet: Sheet, source: str) -> tuple[object, ...]:
    """The values of a dropdown's list when it is a range on the same sheet ($B$99:$B$104)."""
    m = _RANGE.match(source.strip())
    if not m:
        return ()
    c0, r0, c1, r1 = column_index(m.group(1)), int(m.group(2)), column_index(m.group(3)), int(m.group(4))
    found = []
    for row in range(r0, min(r1, r0 + 50) + 1):
        found += [v for v in sheet.values(row, list(range(c0, min(c1, c0 + 20) + 1))) if v not in ("", None)]
    return tuple(found)


def _lookup(book: Workbook) -> tuple[LookupEntry, ...]:
    sheet = book.sheet(LOOKUP_SHEET, max_row=20_000)
    entries = []
    for row in range(5, sheet.last_row + 1):
        text = [as_text(v) for v in sheet.values(row, list(range(9)))]
        metal = values.metal(text[0])
        if metal and text[4]:
            entries.append(LookupEntry(metal, *text[1:9]))
    return tuple(entries)


def _countries(book: Workbook) -> dict[str, str]:
    sheet = book.sheet(COUNTRY_SHEET, max_row=400)
    result: dict[str, str] = {}
    for row in range(2, sheet.last_row + 1):
        name = as_text(sheet.values(row, [1])[0])
        if name:  # "BOLIVIA (PLURINATIONAL STATE OF)" is Bolivia too
            for key in (country_key(name), country_key(re.sub(r"\s*\(.*?\)", "", name))):
                result.setdefault(key, name)
    return result


# --- what is written ----------------------------------------------------------------------

@dataclass(frozen=True)
class RollupRow:
    """One Smelter List row as the reader will read it back."""

    row: int
    metal: str
    lookup: str
    name: str
    country: str
    smelter_id: str
    id_source: str
    comments: str = ""


@dataclass(frozen=True)
class Rollup:
    """The cells to write, and the declaration the reader must find in the output."""

    cells: dict[str, dict[str, fill.Value]]
    company: dict[str, object]                  # Declaration field -> value
    answers: dict[tuple[str, str], tuple[str, str]]   # (question key, metal) -> (answer, comment)
    company_answers: dict[str, tuple[str, str]]       # key -> (answer, comment)
    rows: tuple[RollupRow, ...]
    products: tuple[ProductEntry, ...]
    version: str = ""                           # the template's revision


class _Where:
    """Names the key of data/declaration.yml a problem is about."""

    def __init__(self, file: str, lines: dict[str, int], problems: Problems):
        self.file, self.lines, self.problems = file, lines, problems

    def line(self, key: str) -> int:
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key.rpartition(".")[0]
        return 0

    def add(self, key: str, code: str, message: str) -> None:
        self.problems.add(self.file, code, message, line=self.line(key), key=key)

    def warn(self, key: str, code: str, message: str) -> None:
        self.problems.warn(self.file, code, message, line=self.line(key), key=key)


def plan(model: Model, given: DeclarationFile, template: Template, where: _Where,
         today: dt.date) -> Rollup:
    """Every cell of the roll-up; problems for what the Instructions require and is missing."""
    layout = template.layout
    facilities = model.facilities
    company = _company_fields(model, given, layout, where, today)
    answers = _metal_answers(facilities, given, layout, where)
    needed = layout.company_needed
    required = needed is not None and any(
        needed.holds({q.key: answers[(q.key, m)][0] for q in layout.metal_questions}) for m in METAL_ROWS)
    company_answers = _company_answers(given, layout, where, required=required, why=_condition(needed, layout)
                                       if needed is not None and needed.questions else "")
    rows, smelter_cells = _smelter_rows(facilities, template, where.problems)
    products = tuple(given.products)
    if company["declaration_scope"] == layout.scopes[1] and not products:
        where.add("products", "rollup.missing-answer",
                  "the scope 'products' asks for the products the declaration covers (the template's "
                  "Product List); expected a list of products, each with a number")
    decl_cells = _declaration_cells(template, company, answers, company_answers)
    product_cells = _product_cells(layout, products)
    cells = {DECLARATION: decl_cells, layout.smelter_sheet: smelter_cells}
    if product_cells:
        cells[layout.product_sheet] = product_cells
    return Rollup(cells, company, answers, company_answers, tuple(rows), products, template.version)


def _declaration_cells(template: Template, company: dict[str, object],
                       answers: dict[tuple[str, str], tuple[str, str]],
                       company_answers: dict[str, tuple[str, str]]) -> dict[str, fill.Value]:
    """Every Declaration cell of the layout: the company block, Q1-Q8 and A-H with their comments."""
    layout = template.layout
    cells: dict[str, fill.Value] = {}
    for name, value in company.items():
        cells[getattr(layout.cells, name)] = value  # type: ignore[assignment]
    scope_cell = layout.cells.declaration_scope
    cells[scope_cell] = _choice(template, scope_cell, str(company["declaration_scope"]))
    for spec in layout.metal_questions:
        for offset, metal in enumerate(METAL_ROWS):
            row = spec.row + offset
            answer, comment = answers[(spec.key, metal)]
            cells[f"{layout.answer_column}{row}"] = _choice(template, f"{layout.answer_column}{row}", answer)
            cells[f"{layout.comment_column}{row}"] = comment or None
    for cspec in layout.company_questions:
        answer, comment = company_answers[cspec.key]
        cell = f"{layout.answer_column}{cspec.row}"
        cells[cell] = _choice(template, cell, answer)
        cells[f"{layout.comment_column}{cspec.row}"] = comment or None
    return cells


def _product_cells(layout: Layout, products: tuple[ProductEntry, ...]) -> dict[str, fill.Value]:
    cells: dict[str, fill.Value] = {}
    columns = layout.product_columns
    for i, product in enumerate(products):
        row = layout.product_first_row + i
        cells.update({f"{columns.number}{row}": product.number.strip(),
                      f"{columns.name}{row}": product.name.strip() or None,
                      f"{columns.comments}{row}": product.comments.strip() or None})
    return cells


def _company_fields(model: Model, given: DeclarationFile, layout: Layout, where: _Where,
                    today: dt.date) -> dict[str, object]:
    company = model.content.company
    address = company.address
    contact = given.contact or ContactEntry()
    authorizer = given.authorizer or PersonEntry()
    scope = layout.scopes[SCOPES[given.scope]]
    fields_ = {
        "company_name": company.name,
        "declaration_scope": scope,
        "scope_description": given.scope_description or "",
        "unique_id": given.unique_id or "",
        "unique_id_authority": given.unique_id_authority or "",
        "address": f"{address.street}, {address.city}, {address.state} {address.zip}, {address.country}",
        "contact_name": contact.name or company.contact.name,
        "contact_email": contact.email or company.contact.email or "",
        "contact_phone": contact.phone or company.contact.phone,
        "authorizer_name": authorizer.name or "",
        "authorizer_title": authorizer.title or "",
        "authorizer_email": authorizer.email or "",
        "authorizer_phone": authorizer.phone or "",
        "effective_date": given.effective_date or today,
    }
    fields_ = {k: v.strip() if isinstance(v, str) else v for k, v in fields_.items()}
    keys = {"contact_email": "contact.email", "authorizer_name": "authorizer.name",
            "authorizer_email": "authorizer.email", "authorizer_phone": "authorizer.phone",
            "contact_phone": "contact.phone", "contact_name": "contact.name"}
    for name in layout.required_fields:
        if not fields_.get(name):
            where.add(keys.get(name, name), "rollup.missing-answer",
                      f"the template requires the {name.replace('_', ' ')}; expected it here"
                      + (" (or as contact.email in data/company.yml)" if name == "contact_email" else ""))
    if given.scope == "user-defined" and not fields_["scope_description"]:
        where.add("scope_description", "rollup.missing-answer",
                  "the scope 'user-defined' asks for a description of the scope; expected it here")
    return fields_


def _metal_answers(facilities: list[Facility], given: DeclarationFile, layout: Layout,
                   where: _Where) -> dict[tuple[str, str], tuple[str, str]]:
    result = {}
    for metal in METAL_ROWS:
        mine = [f for f in facilities if f.metal == metal]
        entry = getattr(given.metals or Metals(), metal.lower()) or MetalAnswers()
        comments = entry.comments or MetalComments()
        stated: dict[str, str] = {}
        for spec in layout.metal_questions:
            key = f"metals.{metal.lower()}.{spec.key}"
            raw = getattr(entry, spec.key)
            answer = _canonical(raw, spec.answers, key, where) if raw is not None else ""
            if not answer:
                answer = _metal_default(spec.key, mine, stated)
            stated[spec.key] = answer
            comment = (getattr(comments, spec.key) or "").strip()
            result[(spec.key, metal)] = (answer, comment)
        for spec in layout.metal_questions:
            key = f"metals.{metal.lower()}.{spec.key}"
            if not stated[spec.key] and getattr(entry, spec.key) is None and spec.needed.holds(stated):
                why = f"when {_condition(spec.needed, layout)} for {metal}" if spec.needed.questions else \
                    "for every metal"
                where.add(key, "rollup.missing-answer",
                          f"question {spec.number} ({spec.key}) is required {why}; expected one of: "
                          f"{'; '.join(spec.answers)}")
        if mine and stated["intentionally_added"] == "No":
            where.add(f"metals.{metal.lower()}.intentionally_added", "rollup.contradiction",
                      f"says {metal} is not used, but the report publishes {len(mine)} {metal} facilities")
    return result


def _condition(needed: Needed, layout: Layout) -> str:
    """'question 1 is Yes', 'questions 1 and 2 are Yes', 'question 1 or 2 is Yes'."""
    numbers = [str(q.number) for q in layout.metal_questions if q.key in needed.questions]
    if len(numbers) == 1:
        return f"question {numbers[0]} is Yes"
    joined = f"{', '.join(numbers[:-1])} {'or' if needed.any_of else 'and'} {numbers[-1]}"
    return f"question {joined} is Yes" if needed.any_of else f"questions {joined} are Yes"


def _metal_default(key: str, mine: list[Facility], stated: dict[str, str]) -> str:
    """The answer the data gives, or "" where it gives none."""
    used = stated.get("intentionally_added") == "Yes"
    if key == "intentionally_added":
        return "Yes" if mine else "No"
    if key == "remains_in_product":
        return "No" if stated.get("intentionally_added") == "No" else ""
    if not used or stated.get("remains_in_product") != "Yes":
        return ""
    if key == "all_smelters_identified":
        return "Yes" if mine and all(f.smelter_id for f in mine) else "No"
    if key == "all_smelter_info_reported":
        return "Yes"
    return ""


def _company_answers(given: DeclarationFile, layout: Layout, where: _Where,
                     required: bool, why: str) -> dict[str, tuple[str, str]]:
    entry = given.questions or CompanyAnswers()
    comments = entry.comments or CompanyComments()
    defaults = {"policy": "Yes", "annual_disclosure": "Yes, with the SEC"}
    result = {}
    for spec in layout.company_questions:
        key = f"questions.{spec.key}"
        raw = getattr(entry, spec.key)
        answer = (_canonical(raw, spec.answers, key, where) if raw is not None else "") or defaults.get(spec.key, "")
        comment = (getattr(comments, spec.key) or "").strip()
        if not answer and raw is None and required:
            where.add(key, "rollup.missing-answer",
                      f"question {spec.letter} ({spec.key}) is required "
                      f"{f'when {why} for a metal' if why else 'of every declaration'}; expected one of: "
                      f"{'; '.join(spec.answers)}")
        if spec.key == "policy_public" and answer == "Yes" and not comment:
            where.add(f"questions.comments.{spec.key}", "rollup.missing-answer",
                      "question B is Yes, and the template asks for the policy's URL in its comment; "
                      "expected the URL here")
        result[spec.key] = (answer, comment)
    return result


def _canonical(raw: str, choices: tuple[str, ...], key: str, where: _Where) -> str:
    text = " ".join(str(raw).split())
    for choice in choices:
        if fold(choice) == fold(text):
            return choice
    where.add(key, "rollup.unknown-answer",
              f"{text!r} is not one of the template's choices: {'; '.join(choices)}")
    return ""


def _choice(template: Template, cell: str, answer: str) -> fill.Value:
    """The template's own dropdown value for `answer` (6.0-6.22 store 100% as the number 1)."""
    if not answer:
        return None
    for option in template.choices.get(cell, ()):
        if isinstance(option, (int, float)) and not isinstance(option, bool):
            if percent(option) == answer:
                return float(option)
        elif isinstance(option, str) and fold(option) == fold(answer):
            return option.strip()
    return answer


def _smelter_rows(facilities: list[Facility], template: Template,
                  problems: Problems) -> tuple[list[RollupRow], dict[str, fill.Value]]:
    layout = template.layout
    columns = layout.smelter_columns
    by_id: dict[str, LookupEntry] = {}
    by_alias: dict[tuple[str, str], LookupEntry] = {}
    for e in template.lookup:
        by_id.setdefault(e.smelter_id.casefold(), e)
        by_alias.setdefault((e.metal, e.alias.casefold()), e)  # MATCH() ignores case only
    if len(facilities) > template.smelter_rows:
        problems.add(template.file, "rollup.too-many-facilities",
                     f"the report publishes {len(facilities)} facilities, but the template's Smelter List has "
                     f"{template.smelter_rows} rows", sheet=layout.smelter_sheet)
    rows, cells = [], {}
    for i, f in enumerate(facilities[:template.smelter_rows]):
        row = layout.smelter_first_row + i
        entry = by_id.get(f.smelter_id.casefold()) if f.smelter_id else None
        note = ""
        if entry is not None and entry.metal != f.metal:
            note = f"Smelter ID {f.smelter_id} (listed for {entry.metal} in this template's Smelter Look-up)"
            problems.warn(_source(f), "rollup.id-other-metal",
                          f"{f.metal} facility {f.name!r} has smelter ID {f.smelter_id}, which the template's "
                          f"Smelter Look-up lists for {entry.metal}; written as 'Smelter not listed', the ID in "
                          f"the comments")
            entry = None
        standard = by_alias.get((entry.metal, entry.name.casefold())) if entry else None
        if entry is not None and standard is not None:
            rows.append(RollupRow(row, entry.metal, entry.name, entry.name, standard.country, standard.smelter_id,
                                  standard.source))
            cells.update(_listed_cells(row, f.smelter_id, entry, standard, columns))
            continue
        if f.smelter_id and not note:
            note = f"Smelter ID {f.smelter_id} (not in this template's Smelter Look-up)"
            problems.warn(_source(f), "rollup.id-not-in-template",
                          f"{f.metal} facility {f.name!r}: smelter ID {f.smelter_id} is not in the Smelter Look-up "
                          f"of template revision {template.version}; written as 'Smelter not listed' with its name "
                          f"and country, the ID in the comments (a newer template may list it)")
        country = _country(f, template, problems)
        rows.append(RollupRow(row, f.metal, values.NOT_LISTED, f.name.strip(), country, "", "", note))
        cells.update({f"{columns.metal}{row}": f.metal, f"{columns.lookup}{row}": values.NOT_LISTED,
                      f"{columns.smelter_name}{row}": f.name.strip(), f"{columns.country}{row}": country or None,
                      f"{columns.comments}{row}": note or None})
    return rows, cells


def _listed_cells(row: int, smelter_id: str, entry: LookupEntry, standard: LookupEntry,
                  columns) -> dict[str, fill.Value]:
    """Option A: the ID in column A; the template's formulas fill the rest, their results cached."""
    def offset(text: str) -> fill.Cached:  # OFFSET() of an empty look-up cell gives 0
        return fill.Cached(text if text else 0.0)
    return {
        f"{columns.id_input}{row}": entry.smelter_id or smelter_id,
        f"{columns.metal}{row}": fill.Cached(entry.metal),
        f"{columns.lookup}{row}": fill.Cached(entry.name),
        f"{columns.country}{row}": fill.Cached(standard.country),
        f"{columns.smelter_id}{row}": offset(standard.smelter_id),
        f"{columns.id_source}{row}": offset(standard.source),
        f"{columns.street}{row}": offset(standard.street),
        f"{columns.city}{row}": offset(standard.city),
        f"{columns.state}{row}": offset(standard.state),
    }


def _country(f: Facility, template: Template, problems: Problems) -> str:
    if not f.country.strip():
        problems.add(_source(f), "rollup.unlisted-without-country",
                     f"{f.metal} facility {f.name!r} is not in the template's Smelter Look-up, so it is entered "
                     f"as 'Smelter not listed', for which the template requires its country; expected a country "
                     f"for it in the smelter list")
        return ""
    spelled = template.countries.get(country_key(f.country))
    if template.countries and spelled is None:
        problems.warn(_source(f), "rollup.unknown-country",
                      f"{f.metal} facility {f.name!r}: country {f.country!r} is not one of the template's "
                      f"countries; written as given")
    return spelled or " ".join(f.country.split())


def _source(f: Facility) -> str:
    return f.source or "the published smelter list"


# --- writing and reading back ---------------------------------------------------------------

def write(template: Template, rollup: Rollup, output: Path, problems: Problems) -> bytes:
    """The filled workbook's bytes, written to `output`, or UserError."""
    cells = {sheet: {a: v for a, v in c.items() if a} for sheet, c in rollup.cells.items()}
    try:
        data = fill.fill(template.data, cells)
    except fill.FillError as err:
        problems.add(template.file, "rollup.template", f"cannot be filled: {err}")
        raise UserError(problems) from None
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
    except OSError as err:
        problems.add(str(output), "rollup.write", f"cannot write the roll-up there: {err.strerror or err}; "
                     "expected a file path (--output FILE)")
        raise UserError(problems) from None
    return data


def read_back(output: Path, rollup: Rollup, shown: str, problems: Problems) -> Declaration:
    """Read the output with our own reader; anything it finds different is an error."""
    result = run_one(read_workbook, output)
    back: Declaration = result if not isinstance(result, Failure) else Declaration(
        file=shown, readable=False, problems=(Problem(shown, result.code, result.message),))
    problems.extend(list(back.problems))
    for difference in differences(back, rollup):
        problems.add(shown, "rollup.read-back", f"reads back differently: {difference}")
    return back


def differences(back: Declaration, rollup: Rollup) -> list[str]:
    """What the reader finds that differs from what was written (empty when faithful)."""
    found = []
    for name, value in rollup.company.items():
        if name.startswith(("contact_", "authorizer_")):
            person, _, attr = name.partition("_")
            read = getattr(getattr(back, person), attr)
        else:
            read = getattr(back, name)
        if read != value:
            found.append(f"{name} is {read!r}, written {value!r}")
    for (key, metal), (answer, comment) in rollup.answers.items():
        q = back.question(key)
        got = next(((a.answer, a.comment) for a in q.answers if a.metal == metal), ("", "")) if q else ("", "")
        if got != (answer, comment):
            found.append(f"{key} for {metal} is {got!r}, written {(answer, comment)!r}")
    for key, (answer, comment) in rollup.company_answers.items():
        a = back.company_answer(key)
        got = (a.answer, a.comment) if a else ("", "")
        if got != (answer, comment):
            found.append(f"question {key} is {got!r}, written {(answer, comment)!r}")
    rows = tuple(RollupRow(s.row, s.metal, s.lookup, s.smelter_name, s.country, s.smelter_id, s.id_source,
                           s.comments) for s in back.smelters)
    if rows != rollup.rows:
        wrong = next((w for w, r in zip(rollup.rows, rows) if w != r), None)
        found.append(f"{len(rows)} smelter rows, written {len(rollup.rows)}"
                     + (f"; first difference: {wrong}" if wrong else ""))
    products = tuple((p.number, p.name, p.comments) for p in back.products)
    if products != tuple((p.number.strip(), p.name.strip(), p.comments.strip()) for p in rollup.products):
        found.append(f"{len(products)} product rows, written {len(rollup.products)}")
    return found


def load_declaration(data_dir: Path, root: Path, problems: Problems) -> tuple[DeclarationFile | None, _Where]:
    path = data_dir / DECLARATION_FILE
    shown = display_path(path, root)
    if not path.exists():
        return DeclarationFile(), _Where(shown, {}, problems)
    given, lines = schema.load(path, DeclarationFile, problems, display=shown)
    return given, _Where(shown, lines, problems)


def run_rollup(root: Path, template_path: Path, output: Path | None, strict: bool = False,
               today: dt.date | None = None) -> tuple[Path, Rollup, Problems]:
    """Fill the template from the report in root/data; raise UserError once if anything is wrong."""
    from generator import pipeline
    model, problems = pipeline.load_model(root, strict=strict)
    given, where = load_declaration(root / "data", root, problems)
    shown = display_path(template_path, root)
    template = read_template(template_path, shown, problems)
    problems.raise_if_errors(strict)
    assert given is not None and template is not None  # their errors have raised above
    rollup = plan(model, given, template, where, today or dt.date.today())
    problems.raise_if_errors(strict)
    output = output or root / DEFAULT_OUTPUT.format(year=model.year)
    write(template, rollup, output, problems)
    read_back(output, rollup, display_path(output, root), problems)
    problems.raise_if_errors(strict)
    log.info("roll-up: %d smelter rows into %s", len(rollup.rows), output)
    return output, rollup, problems

