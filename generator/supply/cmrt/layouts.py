"""Cell maps of the CMRT template versions: one table per version family.

Layouts are data. The reader looks fields up by sheet name and A1 address only,
never by label text: labels are formulas that follow the chosen UI language
(Chinese in the RMI 6.x templates of the corpus) and are sometimes cached as #N/A.

Where each table comes from:
* 1.00, 2.00-2.03a, 3.01 and 6.01-6.5: read from the real workbooks in the corpus,
  as written down in corpus/LAYOUTS.md (sections 2-4); the answer vocabularies are the
  templates' own data-validation lists (checked with openpyxl on the corpus files).
* 4.x and 5.x: no workbook of these versions is available. Built from RMI/CFSI's
  published completion guides: "CMRT Completion Guide, Revision 4.01b" (company
  information rows 8-22, seven due-diligence questions in rows 24-65, questions A-J in
  rows 69-87, same question set as 3.01) and "CMRT Completion Guide, corresponding to
  CMRT Revision 5.0" (rows 8-22, seven questions in rows 24-65: intentionally added,
  remains in product, covered countries, 100% recycled, share of suppliers that
  responded, all smelters identified, all information reported; questions A-I in rows
  69-86). The Smelter List columns B-Q are the same in 3.01 and 6.x and are assumed
  unchanged in between; column A as the smelter-ID input column and the 'Smelter
  Look-up' sheet are assumed from 5.0 on. Verify when a 4.x/5.x sample turns up.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

DECLARATION = "Declaration"


METAL_ROWS = ("Tantalum", "Tin", "Gold", "Tungsten")
"""The order of the four metal rows under every Declaration question of every version."""


@dataclass(frozen=True)
class Needed:
    """When the template's Instructions make an answer mandatory.

    Always when `questions` is empty; else when the metal's answers to `questions` are
    "Yes" (all of them, or any one when `any_of`). For the company questions A... the
    condition holds when it holds for at least one metal.
    """

    questions: tuple[str, ...] = ()
    any_of: bool = False

    def holds(self, answers: dict[str, str]) -> bool:
        """`answers`: question key -> the metal's normalised answer."""
        if not self.questions:
            return True
        said = [answers.get(q, "") == "Yes" for q in self.questions]
        return any(said) if self.any_of else all(said)


ALWAYS = Needed()


@dataclass(frozen=True)
class MetalQuestionSpec:
    """A per-metal question: four answer rows from `row` (Tantalum, Tin, Gold, Tungsten)."""

    key: str
    number: int
    row: int
    answers: tuple[str, ...]
    needed: Needed = ALWAYS


@dataclass(frozen=True)
class CompanyQuestionSpec:
    letter: str
    key: str
    row: int
    answers: tuple[str, ...]


@dataclass(frozen=True)
class DeclarationCells:
    """Addresses on the Declaration sheet; "" where the version has no such field."""

    company_name: str = ""
    declaration_scope: str = ""
    scope_description: str = ""
    unique_id: str = ""
    unique_id_authority: str = ""
    address: str = ""
    contact_name: str = ""
    contact_title: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    authorizer_name: str = ""
    authorizer_title: str = ""
    authorizer_email: str = ""
    authorizer_phone: str = ""
    effective_date: str = ""
    # 1.00 asks for the date as three dropdowns: day, month name, year.
    date_parts: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class SmelterColumns:
    """Column letters on the smelter sheet; "" where the version has no such column."""

    metal: str
    smelter_name: str
    lookup: str = ""
    country: str = ""
    smelter_id: str = ""
    id_input: str = ""
    id_source: str = ""
    street: str = ""
    city: str = ""
    state: str = ""
    contact_name: str = ""
    contact_email: str = ""
    next_steps: str = ""
    mine_name: str = ""
    mine_country: str = ""
    recycled_scrap: str = ""
    comments: str = ""
    # Columns the model has no field for: (label, column); their text is kept in `comments`.
    extra: tuple[tuple[str, str], ...] = ()

    def items(self) -> list[tuple[str, str]]:
        """(field, column) for every column this version has; extra ones as 'extra:<label>'."""
        fields = [(k, v) for k, v in self.__dict__.items() if v and k != "extra"]
        return fields + [(f"extra:{label}", column) for label, column in self.extra]


@dataclass(frozen=True)
class LookupColumns:
    """The template's own look-up sheet of known smelters: names and IDs by column letter."""

    first_row: int
    names: tuple[str, ...]      # the standard name first, then the look-up name (alias)
    smelter_id: str
    metal: str = "A"
    alias_separator: str = ""   # 2.x lists a standard name's known aliases in one cell, comma-separated


@dataclass(frozen=True)
class ProductColumns:
    number: str = "B"
    name: str = "C"
    comments: str = "D"
    # Columns the model has no field for: (label, column); their text is kept in `comments`.
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Layout:
    family: str
    source: str
    known_versions: tuple[str, ...]
    cells: DeclarationCells
    metal_questions: tuple[MetalQuestionSpec, ...]
    company_questions: tuple[CompanyQuestionSpec, ...]
    required_fields: tuple[str, ...]
    smelter_sheet: str
    smelter_columns: SmelterColumns
    scopes: tuple[str, ...] = ()
    product_scope_prefix: str = ""
    product_sheet: str = ""
    product_columns: ProductColumns = field(default_factory=ProductColumns)
    lookup_sheet: str = ""
    lookup_columns: LookupColumns | None = None
    # When questions A... are mandatory (see Needed); None: never.
    company_needed: Needed | None = None
    smelter_first_row: int = 5
    product_first_row: int = 6
    answer_column: str = "D"
    comment_column: str = "G"
    # The metal question whose "No" means the metal is not used at all.
    in_scope_question: str = "intentionally_added"
    # When a metal is within the scope of the declaration (the template then asks for its smelters).
    in_scope: Needed = Needed(("intentionally_added",))


# --- answer vocabularies (canonical spellings) -------------------------------------
YES_NO = ("Yes", "No")
YES_NO_UNKNOWN = ("Yes", "No", "Unknown")
YES_NO_UNCERTAIN = ("Yes", "No", "Uncertain or Unknown")
VERIFY_METHODS = ("Yes (3rd party audit)", "Yes (documentation review only)",
                  "Yes (internal audit)", "Yes (all methods apply)", "No")
SHARE_2X = ("Yes", "No but > 75%", "No but > 50%", "No but > 25%", "No but < 25%", "No - none")
SHARE_3X = ("Yes, 100%", "No, but greater than 75%", "No, but greater than 50%",
            "No, but greater than 25%", "No, but less than 25%", "None")
SHARE_5X = ("100%", "Greater than 90%", "Greater than 75%", "Greater than 50%", "50% or less", "None")
IPC1755 = ("Yes, in conformance with IPC1755 (e.g., CMRT)", "Yes, using other format (describe)", "No")
FILING_6X = ("Yes, with the SEC", "Yes, with the EU", "Yes, with the SEC and the EU", "No")

SCOPES_2X = ("A. Company Level", "B. Division Level [Specify in 'Description of scope']",
             "C. Product Category Level [Specify in 'Description of scope']", "D. Product Level")
SCOPES_3X = ("A. Company", "B. Product (or List of Products)",
             "C. User defined [Specify in 'Description of scope']")


def _metal_qs(*specs: tuple[str, int, tuple[str, ...]], needed: tuple[Needed, ...]) -> tuple[MetalQuestionSpec, ...]:
    """`needed[i]` for question i + 1; the last one also for every question after it."""
    return tuple(MetalQuestionSpec(key, n, row, answers, needed=needed[min(n, len(needed)) - 1])
                 for n, (key, row, answers) in enumerate(specs, start=1))


def _company_qs(first_row: int, *specs: tuple[str, tuple[str, ...]]) -> tuple[CompanyQuestionSpec, ...]:
    return tuple(CompanyQuestionSpec(chr(ord("A") + i), key, first_row + 2 * i, answers)
                 for i, (key, answers) in enumerate(specs))


# --- when answers are mandatory: each version's Instructions sheet (and its Checker) ---------
# 1.00: "If the answer for each metal in Question 1 is NO, then no further answers are
#   required"; the Checker-less 1.00 marks Q1-Q5 and A-K (*). Read per metal, as 2.x.
# 2.x: Q1 for every metal; "If the answer provided for any metal listed is 'Yes', responses
#   are required for Questions 2 through 6" (per metal: the Checker's condition1 column);
#   A-J (*) unless every Q1 is No.
# 3.01 (and 4.x): Q1 and Q2 mandatory; Q3-Q7 "mandatory for a specific metal if the response
#   to Question 1 or 2 is Yes"; A-J "mandatory if the response to Question 1 or 2 is Yes for
#   any metal".
# 6.x (and 5.x, not verified): Q1 mandatory; Q2 "shall be answered for each 3TG for which the
#   answer to question 1 is yes"; Q3-Q8 "mandatory for a specific metal if the response to
#   Question 1 and 2 is Yes"; A-H "mandatory if both of responses to Question 1 and 2 are Yes
#   for any metal".
_IF_NECESSARY = Needed(("necessary",))
_IF_ADDED_OR_NECESSARY = Needed(("intentionally_added", "necessary"), any_of=True)
_IF_ADDED = Needed(("intentionally_added",))
_IF_ADDED_AND_REMAINS = Needed(("intentionally_added", "remains_in_product"))

# --- 1.00 (EICC-GeSI, July 2011): LAYOUTS.md section 2 "1.00" and the blank template ---
V1 = Layout(
    family="1.00",
    source="corpus LAYOUTS.md, ddm-blank-cmrt-1.00.xlsx",
    known_versions=("1.00",),
    cells=DeclarationCells(
        company_name="D7", unique_id="D8", address="D9",
        authorizer_name="D10", authorizer_title="D11", authorizer_email="D12", authorizer_phone="D13",
        contact_name="D14", contact_email="D15", contact_phone="D16",
        date_parts=("E17", "H17", "J17"),
    ),
    metal_questions=_metal_qs(
        ("necessary", 20, YES_NO),
        ("from_covered_countries", 26, YES_NO_UNCERTAIN),
        ("recycled_or_scrap", 32, YES_NO_UNCERTAIN),
        ("all_smelters_identified", 38, YES_NO),
        ("all_smelters_validated", 44, YES_NO_UNKNOWN),
        needed=(ALWAYS, _IF_NECESSARY),
    ),
    company_questions=_company_qs(
        51,
        ("policy", YES_NO), ("policy_public", YES_NO), ("require_conflict_free_suppliers", YES_NO),
        ("require_validated_smelters", YES_NO), ("due_diligence_measures", YES_NO),
        ("have_supplier_templates", YES_NO), ("request_supplier_templates", YES_NO),
        ("request_smelter_names", YES_NO), ("verify_due_diligence", VERIFY_METHODS),
        ("corrective_action", YES_NO), ("sec_filer", YES_NO),
    ),
    required_fields=("company_name", "authorizer_name", "authorizer_email", "contact_name",
                     "contact_email", "effective_date"),
    smelter_sheet="Smelter and Mine List",
    # Pairs of columns are merged in the header; the value sits in the left one.
    # F holds "Street / City / Country" in one cell: it is kept in `street`.
    smelter_columns=SmelterColumns(
        metal="B", smelter_name="D", street="F", contact_name="H", contact_email="J",
        next_steps="N", mine_name="P", mine_country="R", comments="X",
        extra=(("Tier level", "E"), ("On the EICC-GeSI CFS list", "L"),
               ("Product category", "T"), ("Product details", "V"))),
    in_scope_question="necessary",
    in_scope=_IF_NECESSARY,
    company_needed=_IF_NECESSARY,
)

_COMPANY_2X = _company_qs(
    59,
    ("policy", YES_NO), ("policy_public", YES_NO),
    ("require_conflict_free_suppliers", ("Yes", "Yes included in standard contract language", "No")),
    ("require_validated_smelters", ("Yes", "No", "Planned once lists become available")),
    ("due_diligence_measures", YES_NO), ("request_supplier_templates", YES_NO),
    ("request_smelter_names", YES_NO), ("verify_due_diligence", VERIFY_METHODS),
    ("corrective_action", YES_NO), ("sec_filer", YES_NO),
)

_CELLS_2X = DeclarationCells(
    company_name="D8", declaration_scope="D9", scope_description="D10", unique_id="D12",
    address="D13", authorizer_name="D14", authorizer_title="D15", authorizer_email="D16",
    authorizer_phone="D17", effective_date="D18",
)

_METAL_2X = _metal_qs(
    ("necessary", 22, YES_NO),
    ("from_covered_countries", 28, YES_NO_UNCERTAIN),
    ("recycled_or_scrap", 34, YES_NO_UNCERTAIN),
    ("all_suppliers_responded", 40, SHARE_2X),
    ("all_smelters_identified", 46, ("Yes all smelters have been provided", "No")),
    ("all_smelters_validated", 52, YES_NO_UNKNOWN),
    needed=(ALWAYS, _IF_NECESSARY),
)
_LOOKUP_2X = LookupColumns(first_row=3, names=("B", "C"), smelter_id="E", alias_separator=",")

# --- 2.00, 2.01 (EICC-GeSI): LAYOUTS.md section 2 "2.00 - 2.03a", section 3 -------
V2_00 = Layout(
    family="2.00-2.01",
    source="corpus LAYOUTS.md; ddm-gsp-cmrt-2.00/2.01",
    known_versions=("2.00", "2.01"),
    cells=_CELLS_2X,
    metal_questions=_METAL_2X,
    company_questions=_COMPANY_2X,
    required_fields=("company_name", "declaration_scope", "authorizer_name", "authorizer_email",
                     "effective_date"),
    scopes=SCOPES_2X,
    product_scope_prefix="D.",
    smelter_sheet="Smelter List",
    # No Smelter ID column; column A holds a helper formula (#REF! in 2.01) and is ignored.
    smelter_columns=SmelterColumns(
        metal="B", lookup="C", smelter_name="D", country="E", street="F", city="G", state="H",
        contact_name="I", contact_email="J", next_steps="K", mine_name="L", mine_country="M",
        comments="N"),
    product_sheet="Product List",
    lookup_sheet="Standard Smelter Names",
    lookup_columns=_LOOKUP_2X,
    in_scope_question="necessary",
    in_scope=_IF_NECESSARY,
    company_needed=_IF_NECESSARY,
)

# --- 2.02, 2.03, 2.03a: as 2.00 with "Smelter ID" inserted at F -------------------
V2_02 = Layout(
    family="2.02-2.03a",
    source="corpus LAYOUTS.md; ddm-gsp-cmrt-2.02/2.03/2.03a, broadcom, connorwinfield",
    known_versions=("2.02", "2.03", "2.03a"),
    cells=_CELLS_2X,
    metal_questions=_METAL_2X,
    company_questions=_COMPANY_2X,
    required_fields=V2_00.required_fields,
    scopes=SCOPES_2X,
    product_scope_prefix="D.",
    smelter_sheet="Smelter List",
    smelter_columns=SmelterColumns(
        metal="B", lookup="C", smelter_name="D", country="E", smelter_id="F", street="G", city="H",
        state="I", contact_name="J", contact_email="K", next_steps="L", mine_name="M",
        mine_country="N", comments="O"),
    product_sheet="Product List",
    lookup_sheet="Standard Smelter Names",
    lookup_columns=_LOOKUP_2X,
    in_scope_question="necessary",
    in_scope=_IF_NECESSARY,
    company_needed=_IF_NECESSARY,
)

_CELLS_3X = DeclarationCells(
    company_name="D8", declaration_scope="D9", scope_description="D10", unique_id="D12",
    unique_id_authority="D13", address="D14", contact_name="D15", contact_email="D16",
    contact_phone="D17", authorizer_name="D18", authorizer_title="D19", authorizer_email="D20",
    authorizer_phone="D21", effective_date="D22",
)

_SMELTERS_3X = SmelterColumns(
    metal="B", lookup="C", smelter_name="D", country="E", smelter_id="F", id_source="G",
    street="H", city="I", state="J", contact_name="K", contact_email="L", next_steps="M",
    mine_name="N", mine_country="O", recycled_scrap="P", comments="Q")

_METAL_3X = _metal_qs(
    ("intentionally_added", 26, YES_NO),
    ("necessary", 32, YES_NO),
    ("from_covered_countries", 38, YES_NO_UNKNOWN),
    ("recycled_or_scrap", 44, YES_NO_UNKNOWN),
    ("all_suppliers_responded", 50, SHARE_3X),
    ("all_smelters_identified", 56, YES_NO),
    ("all_smelter_info_reported", 62, YES_NO_UNKNOWN),
    needed=(ALWAYS, ALWAYS, _IF_ADDED_OR_NECESSARY),
)
_LOOKUP_3X = LookupColumns(first_row=3, names=("B",), smelter_id="E")  # D holds the old 2.x ID

_COMPANY_3X = _company_qs(
    69,
    ("policy", YES_NO), ("policy_public", YES_NO), ("require_conflict_free_suppliers", YES_NO),
    ("require_validated_smelters", YES_NO), ("due_diligence_measures", YES_NO),
    ("collect_ipc1755_data", YES_NO), ("request_smelter_names", YES_NO),
    ("review_due_diligence", YES_NO), ("corrective_action", YES_NO), ("sec_filer", YES_NO),
)

_REQUIRED_3X = ("company_name", "declaration_scope", "contact_name", "contact_email",
                "contact_phone", "authorizer_name", "authorizer_email", "authorizer_phone",
                "effective_date")

# --- 3.0x (CFSI, 2014): LAYOUTS.md section 2 "3.01", section 3 ---------------------
V3 = Layout(
    family="3.x",
    source="corpus LAYOUTS.md; ddm-gsp-cmrt-3.01",
    known_versions=("3.00", "3.01", "3.02"),
    cells=_CELLS_3X,
    metal_questions=_METAL_3X,
    company_questions=_COMPANY_3X,
    required_fields=_REQUIRED_3X,
    scopes=SCOPES_3X,
    product_scope_prefix="B.",
    smelter_sheet="Smelter List",
    smelter_columns=_SMELTERS_3X,
    product_sheet="Product List",
    lookup_sheet="Standard Smelter Names",
    lookup_columns=_LOOKUP_3X,
    in_scope=_IF_ADDED_OR_NECESSARY,
    company_needed=_IF_ADDED_OR_NECESSARY,
)

# --- 4.x (CFSI, 2015-2016): CMRT Completion Guide Revision 4.01b (see module doc) ----
V4 = Layout(
    family="4.x",
    source="CFSI CMRT Completion Guide, Revision 4.01b (not verified against a workbook)",
    known_versions=("4.00", "4.01", "4.01a", "4.01b", "4.10"),
    cells=_CELLS_3X,
    metal_questions=_METAL_3X,
    company_questions=_COMPANY_3X,
    required_fields=_REQUIRED_3X,
    scopes=SCOPES_3X,
    product_scope_prefix="B.",
    smelter_sheet="Smelter List",
    smelter_columns=_SMELTERS_3X,
    product_sheet="Product List",
    lookup_sheet="Standard Smelter Names",
    lookup_columns=_LOOKUP_3X,
    in_scope=_IF_ADDED_OR_NECESSARY,
    company_needed=_IF_ADDED_OR_NECESSARY,
)

_SMELTERS_5X = SmelterColumns(**{**_SMELTERS_3X.__dict__, "id_input": "A"})
_LOOKUP_6X = LookupColumns(first_row=5, names=("C", "B"), smelter_id="E")

# --- 5.x (RMI, 2017-2019): CMRT Completion Guide, Revision 5.0 (see module doc) ------
V5 = Layout(
    family="5.x",
    source="RMI CMRT Completion Guide, Revision 5.0 (not verified against a workbook)",
    known_versions=("5.00", "5.01", "5.10", "5.11", "5.12"),
    cells=_CELLS_3X,
    metal_questions=_metal_qs(
        ("intentionally_added", 26, YES_NO),
        ("remains_in_product", 32, YES_NO),
        ("from_covered_countries", 38, YES_NO_UNKNOWN),
        ("recycled_or_scrap", 44, YES_NO_UNKNOWN),
        ("supplier_response_share", 50, SHARE_5X),
        ("all_smelters_identified", 56, YES_NO),
        ("all_smelter_info_reported", 62, YES_NO),
        needed=(ALWAYS, _IF_ADDED, _IF_ADDED_AND_REMAINS),
    ),
    company_questions=_company_qs(
        69,
        ("policy", YES_NO), ("policy_public", YES_NO), ("require_conflict_free_suppliers", YES_NO),
        ("require_validated_smelters", YES_NO), ("due_diligence_measures", YES_NO),
        ("supplier_survey", IPC1755), ("review_due_diligence", YES_NO),
        ("corrective_action", YES_NO), ("sec_filer", YES_NO),
    ),
    required_fields=_REQUIRED_3X,
    scopes=SCOPES_3X,
    product_scope_prefix="B.",
    smelter_sheet="Smelter List",
    smelter_columns=_SMELTERS_5X,
    product_sheet="Product List",
    lookup_sheet="Smelter Look-up",
    lookup_columns=_LOOKUP_6X,
    in_scope=_IF_ADDED_AND_REMAINS,
    company_needed=_IF_ADDED_AND_REMAINS,
)

# --- 6.0-6.5 (RMI, 2020-2025): LAYOUTS.md section 2 "6.01 - 6.5", section 3 ----------
V6 = Layout(
    family="6.x",
    source="corpus LAYOUTS.md; rmi-blank-cmrt-6.01/6.1/6.22/6.31/6.5, cmrtbackend-abc-6.22",
    known_versions=("6.0", "6.01", "6.1", "6.2", "6.22", "6.3", "6.31", "6.4", "6.5"),
    cells=_CELLS_3X,
    metal_questions=_metal_qs(
        ("intentionally_added", 26, YES_NO),
        ("remains_in_product", 32, YES_NO),
        ("from_covered_countries", 38, YES_NO_UNKNOWN),
        ("from_conflict_affected_areas", 44, YES_NO_UNKNOWN),
        ("recycled_or_scrap", 50, YES_NO_UNKNOWN),
        ("supplier_response_share", 56, SHARE_5X),
        ("all_smelters_identified", 62, YES_NO),
        ("all_smelter_info_reported", 68, YES_NO),
        needed=(ALWAYS, _IF_ADDED, _IF_ADDED_AND_REMAINS),
    ),
    company_questions=_company_qs(
        75,
        ("policy", YES_NO), ("policy_public", YES_NO), ("require_validated_smelters", YES_NO),
        ("due_diligence_measures", YES_NO), ("supplier_survey", IPC1755),
        ("review_due_diligence", YES_NO), ("corrective_action", YES_NO),
        ("annual_disclosure", FILING_6X),
    ),
    # Since 6.x "Phone - Authorizer" (D21) is optional.
    required_fields=tuple(f for f in _REQUIRED_3X if f != "authorizer_phone"),
    scopes=SCOPES_3X,
    product_scope_prefix="B.",
    smelter_sheet="Smelter List",
    smelter_columns=_SMELTERS_5X,
    product_sheet="Product List",
    lookup_sheet="Smelter Look-up",
    lookup_columns=_LOOKUP_6X,
    in_scope=_IF_ADDED_AND_REMAINS,
    company_needed=_IF_ADDED_AND_REMAINS,
)

LAYOUTS: tuple[Layout, ...] = (V1, V2_00, V2_02, V3, V4, V5, V6)
NEWEST = V6
NEWEST_VERSION = "6.5"

# The layouts of each template kind (see kinds.py): a kind without layouts is named, not read.
# An EMRT or CRT reader adds its tables here, beside the CMRT's.
LAYOUTS_BY_KIND: dict[str, tuple[Layout, ...]] = {"CMRT": LAYOUTS}

_REVISION = re.compile(r"Revision\s*:?\s*(\d+)(?:\.(\d+))?([a-z])?", re.IGNORECASE)


def parse_version(text: str) -> str:
    """'Revision 2.03a\\nJuly 25th, 2013' -> '2.03a'; 'Revision 2 August…' -> '2.00'; '' if none."""
    m = _REVISION.search(text or "")
    if not m:
        return ""
    major, minor, letter = m.group(1), m.group(2), (m.group(3) or "").lower()
    if minor is None:
        minor = "00" if int(major) < 6 else "0"
    return f"{int(major)}.{minor}{letter}"


@dataclass(frozen=True)
class Resolved:
    layout: Layout | None
    warning: str = ""


def layout_for(version: str, kind: str = "CMRT") -> Resolved:
    """The layout of a version of `kind`: a known one, or a CMRT 6.x revision newer than the newest
    known one (RMI keeps the 6.x cell map within the 6 series: 6.6 of April 2026 is read with it,
    with a note). Any other version has no layout: the caller reports it, never guesses."""
    for layout in LAYOUTS_BY_KIND.get(kind, ()):
        if version in layout.known_versions:
            return Resolved(layout)
    major = version.split(".")[0]
    if kind == "CMRT" and major == "6" and _is_newer(version, NEWEST_VERSION):
        return Resolved(NEWEST, f"revision {version} is newer than {NEWEST_VERSION}, the newest 6.x revision "
                                f"this reader knows; read with the 6.x layout, which RMI keeps within the 6 series")
    return Resolved(None)


def _is_newer(version: str, than: str) -> bool:
    """RMI numbers revisions as decimals: 6.01 < 6.1 < 6.22 < 6.3 < 6.31 < 6.5 < 6.6."""
    def key(v: str) -> tuple[int, Decimal]:
        major, _, minor = v.rstrip("abcdefghijklmnopqrstuvwxyz").partition(".")
        return int(major), Decimal("0." + (minor or "0"))
    return key(version) > key(than)
