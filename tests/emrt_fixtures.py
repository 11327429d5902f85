"""Build EMRT and CRT workbooks in code at the real addresses of the blank templates.

Addresses are written out here from the blanks of the corpus (cirscn-blank-emrt-1.3, -2.0,
-2.1, -crt-2.2), independently of generator/supply/emrt/layouts.py, so a wrong layout table
makes the tests fail. `fill` writes the same answers into a blank template itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

FIELDS_1X = {"company_name": "D8", "declaration_scope": "D9", "scope_description": "D10", "contact_name": "D15",
             "contact_email": "D16", "contact_phone": "D17", "authorizer_name": "D18",
             "authorizer_email": "D20", "effective_date": "D22"}
FIELDS_2X = {"company_name": "D8", "declaration_scope": "D9", "scope_description": "D10", "contact_name": "D19",
             "contact_email": "D20", "contact_phone": "D21", "authorizer_name": "D22",
             "authorizer_email": "D24", "effective_date": "D26"}
CHOICES_2X = {"Cobalt": "D12", "Copper": "E12", "Graphite": "G12", "Lithium": "D13", "Mica": "E13", "Nickel": "G13"}


@dataclass(frozen=True)
class Kind:
    title: str
    revision: str
    fields: dict[str, str]
    question_rows: dict[str, int]   # question label -> row of its first mineral
    company_rows: dict[str, int]    # letter -> answer row
    minerals: tuple[str, ...] = ()  # fixed minerals of the rows; () = chosen (2.x)
    mine_list: bool = False


KINDS = {
    "EMRT 1.3": Kind("Extended Mineral Reporting Template (EMRT)", "Revision 1.3\nApril 26, 2024", FIELDS_1X,
                     {"1": 26, "2": 32, "3": 38, "4": 44, "5": 50, "6": 56, "7": 62, "C": 74},
                     {"A": 69, "B": 71, "D": 77, "E": 79, "F": 81, "G": 83}, ("Cobalt", "Mica")),
    "EMRT 2.1": Kind("Extended Minerals Reporting Template (EMRT)", "Revision 2.1\nOctober 17, 2025", FIELDS_2X,
                     {"1": 30, "2": 42, "3": 54, "4": 66, "5": 78, "6": 90, "7": 102, "C": 120},
                     {"A": 115, "B": 117, "D": 131, "E": 133, "F": 135, "G": 137}, mine_list=True),
    "CRT 2.2": Kind("Cobalt Reporting Template (CRT)", "Revision 2.2\nOctober 28, 2020", FIELDS_1X,
                    {"1": 26, "2": 32, "3": 38, "4": 44, "5": 50, "6": 56},
                    {c: 63 + 2 * i for i, c in enumerate("ABCDEFGHI")}, ("Cobalt",)),
}
KINDS["EMRT 2.0"] = Kind(KINDS["EMRT 2.1"].title, "Revision 2.0\nApril 25, 2025", FIELDS_2X,
                         KINDS["EMRT 2.1"].question_rows, KINDS["EMRT 2.1"].company_rows, mine_list=True)

SMELTER_COLUMNS = {"id_input": "A", "metal": "B", "lookup": "C", "smelter_name": "D", "country": "E",
                   "smelter_id": "F", "id_source": "G", "street": "H", "city": "I", "comments": "Q"}
MINE_COLUMNS = {"metal": "A", "smelter_name": "B", "mine_name": "C", "mine_id": "D", "country": "F", "comments": "M"}

COMPANY = {"company_name": "Cobalt Parts Ltd.", "declaration_scope": "A. Company", "contact_name": "Jo Lee",
           "contact_email": "jo@example.com", "contact_phone": "+1 555 0100", "authorizer_name": "Al Kim",
           "authorizer_email": "al@example.com", "effective_date": "2025-03-31"}


@dataclass
class Answers:
    """What a supplier writes; everything optional."""

    kind: str = "EMRT 2.1"
    chosen: tuple[str, ...] = ("Cobalt", "Mica")    # 2.x: minerals kept in scope; the others are deleted
    fields: dict[str, object] = field(default_factory=lambda: dict(COMPANY))
    answers: dict[str, dict[str, object]] = field(default_factory=dict)  # label -> mineral -> answer
    company: dict[str, tuple[str, str]] = field(default_factory=dict)    # letter -> (answer, comment)
    smelters: dict[int, dict[str, str]] = field(default_factory=dict)
    mines: dict[int, dict[str, str]] = field(default_factory=dict)
    cells: dict[tuple[str, str], object] = field(default_factory=dict)


def rows_of(kind: Kind, chosen: tuple[str, ...]) -> tuple[str, ...]:
    """The minerals of the answer rows, in the order the template lists them."""
    return kind.minerals or tuple(sorted(chosen))


def _write(book: openpyxl.Workbook, spec: Answers) -> None:
    kind = KINDS[spec.kind]
    decl = book["Declaration"]
    decl["D3"] = "English"
    for name, value in spec.fields.items():
        decl[kind.fields[name]] = value
    if not kind.minerals:
        for mineral, cell in CHOICES_2X.items():
            decl[cell] = mineral if mineral in spec.chosen else f"(Delete {mineral})"
    order = rows_of(kind, spec.chosen)
    for label, per_mineral in spec.answers.items():
        for mineral, answer in per_mineral.items():
            rows = ("Cobalt",) if (spec.kind == "EMRT 1.3" and label == "4") else order
            decl[f"D{kind.question_rows[label] + rows.index(mineral)}"] = answer
    for letter, (answer, comment) in spec.company.items():
        decl[f"D{kind.company_rows[letter]}"] = answer
        decl[f"G{kind.company_rows[letter]}"] = comment
    for row, values in spec.smelters.items():
        for name, value in values.items():
            book["Smelter List"][f"{SMELTER_COLUMNS[name]}{row}"] = value
    for row, values in spec.mines.items():
        for name, value in values.items():
            book["Mine List"][f"{MINE_COLUMNS[name]}{row}"] = value
    for (sheet, address), value in spec.cells.items():
        book[sheet][address] = value


def fill(blank: Path, spec: Answers, path: Path) -> Path:
    """Write `spec` into a copy of the blank template `blank`."""
    book = openpyxl.load_workbook(blank)
    _write(book, spec)
    book.save(path)
    return path


def build(spec: Answers, path: Path) -> Path:
    """A small workbook in the real layout, from scratch: the sheets, the title in D2, the revision in J3."""
    kind = KINDS[spec.kind]
    book = openpyxl.Workbook()
    book.active.title = "Declaration"
    for name in ("Smelter List", "Checker", "Product List", "Smelter Look-up"):
        book.create_sheet(name)
    if kind.mine_list:
        book.create_sheet("Mine List", 3)
    book["Declaration"]["D2"] = kind.title
    book["Declaration"]["J3"] = kind.revision
    _write(book, spec)
    book.save(path)
    return path


def complete(spec: Answers, answer: str = "Yes") -> Answers:
    """`spec` with every question answered `answer` for every mineral, and every company question Yes."""
    kind = KINDS[spec.kind]
    for label in kind.question_rows:
        minerals = ("Cobalt",) if (spec.kind == "EMRT 1.3" and label == "4") else rows_of(kind, spec.chosen)
        spec.answers.setdefault(label, {}).update({m: answer for m in minerals if m not in spec.answers.get(label, {})})
    share = "4" if spec.kind == "CRT 2.2" else "5"  # the percentage of suppliers that responded
    spec.answers[share] = {m: "Greater than 90%" if a == "Yes" else a for m, a in spec.answers[share].items()}
    for letter in kind.company_rows:
        spec.company.setdefault(letter, ("Yes", "https://example.com/policy" if letter in "AB" else ""))
    if spec.kind == "CRT 2.2":
        spec.company["G"] = ("Yes, CRT", "")
    else:
        spec.company["E"] = ("Yes, in conformance with IPC1755 (e.g. EMRT)", "")
    return spec
