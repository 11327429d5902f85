"""Build CMRT workbooks in code, at the real cell addresses of each template version family.

The addresses here are written out independently of generator/cmrt/layouts.py (from the
corpus' LAYOUTS.md, and for 4.x/5.x from RMI's completion guides), so that a wrong layout
table in the reader makes the tests fail instead of agreeing with itself.
"""
from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest

METALS = ("Tantalum", "Tin", "Gold", "Tungsten")


@dataclass(frozen=True)
class Family:
    revision: dict[str, str]               # cells holding the revision text
    fields: dict[str, str]                 # declaration field -> address
    question_rows: tuple[int, ...]         # first (Tantalum) row of each per-metal question
    company_rows: tuple[int, ...]          # answer rows of questions A, B, ...
    smelter_sheet: str
    smelter_columns: dict[str, str]        # SmelterRow field -> column letter
    product_sheet: str = "Product List"
    extra_sheets: tuple[str, ...] = ()


_FIELDS_2X = {
    "company_name": "D8", "declaration_scope": "D9", "scope_description": "D10", "unique_id": "D12",
    "address": "D13", "authorizer_name": "D14", "authorizer_title": "D15", "authorizer_email": "D16",
    "authorizer_phone": "D17", "effective_date": "D18",
}
_FIELDS_3X = {
    "company_name": "D8", "declaration_scope": "D9", "scope_description": "D10", "unique_id": "D12",
    "unique_id_authority": "D13", "address": "D14", "contact_name": "D15", "contact_email": "D16",
    "contact_phone": "D17", "authorizer_name": "D18", "authorizer_title": "D19", "authorizer_email": "D20",
    "authorizer_phone": "D21", "effective_date": "D22",
}
_SMELTERS_3X = {
    "metal": "B", "lookup": "C", "smelter_name": "D", "country": "E", "smelter_id": "F", "id_source": "G",
    "street": "H", "city": "I", "state": "J", "contact_name": "K", "contact_email": "L", "next_steps": "M",
    "mine_name": "N", "mine_country": "O", "recycled_scrap": "P", "comments": "Q",
}

FAMILIES: dict[str, Family] = {
    "1.00": Family(
        revision={"I3": "Revision", "J3": "1.   July 18th 2011"},
        fields={"company_name": "D7", "unique_id": "D8", "address": "D9", "authorizer_name": "D10",
                "authorizer_title": "D11", "authorizer_email": "D12", "authorizer_phone": "D13",
                "contact_name": "D14", "contact_email": "D15", "contact_phone": "D16"},
        question_rows=(20, 26, 32, 38, 44),
        company_rows=tuple(range(51, 72, 2)),
        smelter_sheet="Smelter and Mine List",
        smelter_columns={"metal": "B", "smelter_name": "D", "tier": "E", "street": "F", "contact_name": "H",
                         "contact_email": "J", "cfs_listed": "L", "next_steps": "N", "mine_name": "P",
                         "mine_country": "R", "product_category": "T", "product_details": "V", "comments": "X"},
        product_sheet="",
        extra_sheets=("Tin", "Gold", "Tantalum", "Tungsten"),
    ),
    "2.00": Family(
        revision={"J3": "Revision 2 August 29th 2012"},
        fields=_FIELDS_2X,
        question_rows=(22, 28, 34, 40, 46, 52),
        company_rows=tuple(range(59, 78, 2)),
        smelter_sheet="Smelter List",
        smelter_columns={"metal": "B", "lookup": "C", "smelter_name": "D", "country": "E", "street": "F",
                         "city": "G", "state": "H", "contact_name": "I", "contact_email": "J",
                         "next_steps": "K", "mine_name": "L", "mine_country": "M", "comments": "N"},
        extra_sheets=("Standard Smelter Names", "Checker"),
    ),
    "2.03a": Family(
        revision={"J3": "Revision 2.03a\nJuly 25th, 2013"},
        fields=_FIELDS_2X,
        question_rows=(22, 28, 34, 40, 46, 52),
        company_rows=tuple(range(59, 78, 2)),
        smelter_sheet="Smelter List",
        smelter_columns={"metal": "B", "lookup": "C", "smelter_name": "D", "country": "E", "smelter_id": "F",
                         "street": "G", "city": "H", "state": "I", "contact_name": "J", "contact_email": "K",
                         "next_steps": "L", "mine_name": "M", "mine_country": "N", "comments": "O"},
        extra_sheets=("Standard Smelter Names", "Checker", "L", "K", "C"),
    ),
    "3.01": Family(
        revision={"J3": "Revision 3.01\nMay 30, 2014"},
        fields=_FIELDS_3X,
        question_rows=(26, 32, 38, 44, 50, 56, 62),
        company_rows=tuple(range(69, 88, 2)),
        smelter_sheet="Smelter List",
        smelter_columns=_SMELTERS_3X,
        extra_sheets=("Standard Smelter Names", "Checker", "L", "K", "C", "Sheet1"),
    ),
    # CFSI CMRT Completion Guide 4.01b: rows 8-22, seven questions in rows 24-65, A-J in rows 69-87.
    "4.01b": Family(
        revision={"J3": "Revision 4.01b\nDecember 2015"},
        fields=_FIELDS_3X,
        question_rows=(26, 32, 38, 44, 50, 56, 62),
        company_rows=tuple(range(69, 88, 2)),
        smelter_sheet="Smelter List",
        smelter_columns=_SMELTERS_3X,
        extra_sheets=("Standard Smelter Names", "Checker"),
    ),
    # RMI CMRT Completion Guide 5.0: rows 8-22, seven questions in rows 24-65, A-I in rows 69-86.
    "5.12": Family(
        revision={"J3": "Revision 5.12\nMay 2019"},
        fields=_FIELDS_3X,
        question_rows=(26, 32, 38, 44, 50, 56, 62),
        company_rows=tuple(range(69, 86, 2)),
        smelter_sheet="Smelter List",
        smelter_columns={**_SMELTERS_3X, "id_input": "A"},
        extra_sheets=("Smelter Look-up", "Checker"),
    ),
    "6.5": Family(
        revision={"J3": "Revision 6.5\nApril 25, 2025"},
        fields=_FIELDS_3X,
        question_rows=(26, 32, 38, 44, 50, 56, 62, 68),
        company_rows=tuple(range(75, 90, 2)),
        smelter_sheet="Smelter List",
        smelter_columns={**_SMELTERS_3X, "id_input": "A"},
        extra_sheets=("Checker", "Smelter Look-up", "L", "C", "SorP"),
    ),
}


@dataclass
class CMRT:
    """What to write: everything optional, so a test states only what it is about."""

    family: str = "6.5"
    revision: str | None = None                 # overrides the family's revision text in J3
    fields: dict[str, object] = field(default_factory=dict)
    answers: dict[int, dict[str, object]] = field(default_factory=dict)   # question number -> metal -> answer
    comments: dict[int, dict[str, str]] = field(default_factory=dict)
    company: dict[str, tuple[object, str]] = field(default_factory=dict)  # letter -> (answer, comment)
    smelters: dict[int, dict[str, object]] = field(default_factory=dict)  # row -> field -> value
    products: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    cells: dict[tuple[str, str], object] = field(default_factory=dict)    # (sheet, address) -> raw value
    hidden: tuple[str, ...] = ()
    merge_answer_cells: bool = True
    language: str = "English"


def write(spec: CMRT, path: Path) -> Path:
    """Write `spec` as an .xlsx at `path` (whatever its extension) and return the path."""
    fam = FAMILIES[spec.family]
    wb = openpyxl.Workbook()
    decl = wb.active
    decl.title = "Declaration"
    for name in ("Revision", "Instructions", "Definitions"):
        wb.create_sheet(name, 0)
    smelters = wb.create_sheet(fam.smelter_sheet)
    products = wb.create_sheet(fam.product_sheet) if fam.product_sheet else None
    for name in fam.extra_sheets:
        wb.create_sheet(name)
    _declaration(decl, fam, spec)
    _smelter_list(smelters, fam, spec)
    if products is not None:
        products["B5"] = "Product Number (*)"
        for row, values in spec.products.items():
            for col, value in zip("BCD", values):
                products[f"{col}{row}"] = value
    for (sheet, address), value in spec.cells.items():
        wb[sheet][address] = value
    for name in spec.hidden:
        wb[name].sheet_state = "hidden"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _declaration(ws, fam: Family, spec: CMRT) -> None:
    ws["D3"] = spec.language
    for address, text in fam.revision.items():
        ws[address] = text
    if spec.revision is not None:
        ws["J3"] = spec.revision
    for name, value in spec.fields.items():
        if name == "effective_date" and spec.family == "1.00":
            day, month, year = value
            ws["E17"], ws["H17"], ws["J17"] = day, month, year
            continue
        ws[fam.fields[name]] = value
    if spec.merge_answer_cells:
        for address in fam.fields.values():
            ws.merge_cells(f"{address}:J{address[1:]}")
    for number, by_metal in spec.answers.items():
        first = fam.question_rows[number - 1]
        for offset, metal in enumerate(METALS):
            if metal in by_metal:
                ws[f"D{first + offset}"] = by_metal[metal]
            if spec.merge_answer_cells:
                ws.merge_cells(f"D{first + offset}:E{first + offset}")
                ws.merge_cells(f"G{first + offset}:J{first + offset}")
    for number, by_metal in spec.comments.items():
        first = fam.question_rows[number - 1]
        for offset, metal in enumerate(METALS):
            if metal in by_metal:
                ws[f"G{first + offset}"] = by_metal[metal]
    for letter, (answer, comment) in spec.company.items():
        row = fam.company_rows[ord(letter) - ord("A")]
        ws[f"D{row}"], ws[f"G{row}"] = answer, comment


def _smelter_list(ws, fam: Family, spec: CMRT) -> None:
    ws["B4"] = "Metal (*)"  # the header row; the reader must not take it for data
    for row, values in spec.smelters.items():
        for name, value in values.items():
            ws[f"{fam.smelter_columns[name]}{row}"] = value


def encrypt(path: Path, password: str, out: Path) -> Path:
    """Encrypt an .xlsx the way Excel does (OLE container around the encrypted package)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    buffer = io.BytesIO()
    with path.open("rb") as f:
        OOXMLFile(f).encrypt(password, buffer)
    out.write_bytes(buffer.getvalue())
    return out


# Every question answered; Tantalum, Tin and Gold in use, "all smelters identified" = No.
# Tungsten answers No to the first two questions (not in use), so it needs no smelter rows.
_ANSWERS = {
    "1.00": ("Yes", "No", "No", "No", "Yes"),
    "2.00": ("Yes", "No", "No", "Yes", "No", "Yes"),
    "2.03a": ("Yes", "No", "Uncertain or Unknown", "No but > 75%", "No", "Unknown"),
    "3.01": ("Yes", "Yes", "No", "No", "Yes, 100%", "No", "Yes"),
    "4.01b": ("Yes", "Yes", "No", "No", "No, but greater than 75%", "No", "Yes"),
    "5.12": ("Yes", "Yes", "No", "No", "Greater than 90%", "No", "Yes"),
    "6.5": ("Yes", "Yes", "No", "Unknown", "No", "100%", "No", "Yes"),
}


# Questions A... of each family, answered from the template's own choices.
_COMPANY = {
    "1.00": ("Yes",) * 8 + ("Yes (internal audit)", "Yes", "No"),
    "2.00": ("Yes",) * 7 + ("Yes (documentation review only)", "Yes", "No"),
    "2.03a": ("Yes",) * 7 + ("Yes (3rd party audit)", "Yes", "No"),
    "3.01": ("Yes",) * 9 + ("No",),
    "4.01b": ("Yes",) * 9 + ("No",),
    "5.12": ("Yes",) * 5 + ("Yes, in conformance with IPC1755 (e.g., CMRT)", "Yes", "Yes", "No"),
    "6.5": ("Yes",) * 4 + ("Yes, in conformance with IPC1755 (e.g., CMRT)", "Yes", "Yes", "Yes, with the SEC"),
}


def full_declaration(family: str) -> CMRT:
    """A complete, consistent declaration of `family` with three smelter rows and a blank row."""
    is_v1 = family == "1.00"
    fields = {
        "company_name": "  Acme Components Ltd.  ",
        "unique_id": "DUNS 123456789",
        "address": "#390-10, Gojan-dong, Ansan",
        "authorizer_name": "Ada Lovelace",
        "authorizer_title": "Director",
        "authorizer_email": "ada@acme.example",
        "authorizer_phone": 5551234,
        "effective_date": ("15", "November", "2013") if is_v1 else dt.datetime(2024, 3, 31),
    }
    if is_v1:
        fields.update(contact_name="Charles Babbage", contact_email="cb@acme.example", contact_phone="555-1")
    elif family in ("2.00", "2.03a"):
        fields.update(declaration_scope="A. Company Level", scope_description="")
    else:
        fields.update(declaration_scope="A. Company", unique_id_authority="DUNS", contact_name="Charles Babbage",
                      contact_email="cb@acme.example", contact_phone="555-1")
    cols = FAMILIES[family].smelter_columns
    rows = {
        5: {"metal": "Gold", "smelter_name": "Asahi Refining ", "country": "JAPAN",
            "smelter_id": "CID 000801", "lookup": "Smelter Not Listed", "street": "#390-10, Gojan-dong"},
        6: {"metal": "Tin", "lookup": "Smelter not yet identified", "smelter_id": "cid-002514"},
        9: {"metal": "Tantalum (Ta)" if is_v1 else "Tantalum", "smelter_name": "Global Advanced Metals",
            "country": "UNITED STATES", "smelter_id": "3USA010", "comments": " padded "},
    }
    smelters = {row: {k: v for k, v in values.items() if k in cols} for row, values in rows.items()}
    if "smelter_id" not in cols:
        smelters[6]["smelter_name"] = "Unnamed tin smelter"
    answers = {n: dict.fromkeys(METALS, answer) for n, answer in enumerate(_ANSWERS[family], start=1)}
    answers[1]["Tungsten"] = answers[2]["Tungsten"] = "No"
    company = {chr(ord("A") + i): (answer, "") for i, answer in enumerate(_COMPANY[family])}
    company["B"] = ("Yes", "See https://acme.example/policy.")
    return CMRT(family=family, fields=fields, answers=answers, company=company, smelters=smelters)


def corpus_workbooks(suffixes: tuple[str, ...] = (".xlsx", ".xlsm")) -> list[Path]:
    """The workbooks of the folder CMR_CORPUS names, by name; the test is skipped, saying why, where
    it is not set."""
    if not os.environ.get("CMR_CORPUS"):
        pytest.skip("CMR_CORPUS not set: point it at the folder of real CMRT workbooks (../shared/corpus)")
    return sorted(p for p in Path(os.environ["CMR_CORPUS"]).iterdir() if p.suffix.lower() in suffixes)
