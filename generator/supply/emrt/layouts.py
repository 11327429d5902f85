"""Cell maps of RMI's minerals templates beside the CMRT: EMRT 1.x and 2.x, CRT 2.x.

Layouts are data, read from the blank templates of the corpus (cirscn-blank-emrt-1.3,
-emrt-2.0, -emrt-2.1, -crt-2.2) with openpyxl: the English texts of their labels in the
hidden language sheet `L`, the answer choices in each cell's data validation (constant
lists below the form), the rules of required answers in the Checker sheet and in the
"(*)" formulas beside each question. The company block and the Smelter List (columns
A-Q) are those of CMRT 6.x; EMRT 2.x moves the company block down to make room for the
minerals chosen in D12:G13 and adds a Mine List.

EMRT 2.x lists the minerals chosen in scope under every per-mineral question in
alphabetical order (formulas in AA12:AA21), so the row of a mineral's answer depends on
the choice: the reader sorts the chosen minerals the same way.
"""
from __future__ import annotations

from dataclasses import dataclass

from generator.supply.cmrt.layouts import (
    SCOPES_3X,
    YES_NO,
    YES_NO_UNKNOWN,
    CompanyQuestionSpec,
    DeclarationCells,
    Layout,
    ProductColumns,
    SmelterColumns,
)

EMRT = "EMRT"
CRT = "CRT"
AMRT = "AMRT"
CMRT = "CMRT"

_SMELTERS = SmelterColumns(
    metal="B", lookup="C", smelter_name="D", country="E", smelter_id="F", id_source="G",
    street="H", city="I", state="J", contact_name="K", contact_email="L", next_steps="M",
    mine_name="N", mine_country="O", recycled_scrap="P", comments="Q", id_input="A")


@dataclass(frozen=True)
class MineColumns:
    """Column letters of the EMRT 2.x Mine List (header row 4, data from row 5)."""

    metal: str = "A"
    smelter_name: str = "B"
    mine_name: str = "C"
    mine_id: str = "D"
    id_source: str = "E"
    country: str = "F"
    street: str = "G"
    city: str = "H"
    state: str = "I"
    contact_name: str = "J"
    contact_email: str = "K"
    next_steps: str = "L"
    comments: str = "M"

    def items(self) -> list[tuple[str, str]]:
        return list(self.__dict__.items())


@dataclass(frozen=True)
class MineralQuestionSpec:
    """A question answered per mineral; answers in rows `row`, `row + 1`, ... (one per mineral).

    `label` is how the template numbers it ("1".."7", or "C" for the company question C
    that EMRT asks per mineral). `minerals` fixes the minerals of the rows where the
    template does (EMRT 1.x, CRT); empty: the minerals chosen in scope, sorted.
    `requires`: "always" (every mineral in scope), "used" (unless question 1 says the
    mineral is not used) or "present" (also unless question 2 says it does not remain).
    """

    key: str
    label: str
    row: int
    answers: tuple[str, ...]
    requires: str = "present"
    minerals: tuple[str, ...] = ()
    answers_by_mineral: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def choices(self, mineral: str) -> tuple[str, ...]:
        return dict(self.answers_by_mineral).get(mineral, self.answers)


@dataclass(frozen=True)
class MineralChoice:
    """A cell choosing one mineral in scope (EMRT 2.x D12:G13): the mineral, or "(Delete X)"."""

    cell: str
    mineral: str
    replacement: str  # the cell the template reads instead when the choice is "(Delete X)"


@dataclass(frozen=True)
class MineralLayout:
    template: str
    family: str
    source: str
    known_versions: tuple[str, ...]
    base: Layout  # the company block, company questions, Smelter and Product List, as a CMRT layout
    questions: tuple[MineralQuestionSpec, ...]
    minerals: tuple[str, ...] = ()           # fixed minerals (EMRT 1.x, CRT)
    mineral_choices: tuple[MineralChoice, ...] = ()  # chosen minerals (EMRT 2.x)
    slots: int = 10                           # answer rows under each question
    not_used: tuple[str, ...] = ("No", "Unknown")  # question 1 answers that waive the rest
    not_present: tuple[str, ...] = ("No", "Unknown")  # question 2 answers that waive questions 3 on
    url_question: str = "B"                   # the company question whose "Yes" asks for the policy URL
    mine_sheet: str = ""
    mine_columns: MineColumns = MineColumns()


SHARE = ("100%", "Greater than 90%", "Greater than 75%", "Greater than 50%", "50% or less", "None")


def _company(first_row: int, *specs: tuple[str, str, tuple[str, ...]]) -> tuple[CompanyQuestionSpec, ...]:
    return tuple(CompanyQuestionSpec(letter, key, row, answers)
                 for (letter, key, answers), row in zip(specs, range(first_row, first_row + 2 * len(specs), 2)))


_PRODUCTS = ProductColumns()


def _base(family: str, cells: DeclarationCells, company: tuple[CompanyQuestionSpec, ...],
          product_columns: ProductColumns = _PRODUCTS) -> Layout:
    return Layout(
        family=family, source="", known_versions=(), cells=cells, metal_questions=(),
        company_questions=company,
        required_fields=("company_name", "declaration_scope", "contact_name", "contact_email",
                         "contact_phone", "authorizer_name", "authorizer_email", "effective_date"),
        smelter_sheet="Smelter List", smelter_columns=_SMELTERS, scopes=SCOPES_3X,
        product_scope_prefix="B.", product_sheet="Product List", product_columns=product_columns,
        lookup_sheet="Smelter Look-up")


_CELLS_1X = DeclarationCells(
    company_name="D8", declaration_scope="D9", scope_description="D10", unique_id="D12",
    unique_id_authority="D13", address="D14", contact_name="D15", contact_email="D16",
    contact_phone="D17", authorizer_name="D18", authorizer_title="D19", authorizer_email="D20",
    authorizer_phone="D21", effective_date="D22")

_CELLS_2X = DeclarationCells(
    company_name="D8", declaration_scope="D9", scope_description="D10", unique_id="D16",
    unique_id_authority="D17", address="D18", contact_name="D19", contact_email="D20",
    contact_phone="D21", authorizer_name="D22", authorizer_title="D23", authorizer_email="D24",
    authorizer_phone="D25", effective_date="D26")

_SURVEY_EMRT = ("Yes, in conformance with IPC1755 (e.g. EMRT)", "Yes, Using Other Format (Describe)", "No")
_VALIDATED = ("Yes", "Yes, when more processors are validated", "No")

# --- EMRT 1.x (cobalt and mica): cirscn-blank-emrt-1.3 ------------------------------------
EMRT_1 = MineralLayout(
    template=EMRT,
    family="EMRT 1.x",
    source="corpus cirscn-blank-emrt-1.3.xlsx (Declaration, L, Checker)",
    known_versions=("1.3",),  # the one 1.x in the corpus; another 1.x is read so, with a warning
    base=_base("EMRT 1.x", _CELLS_1X, _company(
        69, ("A", "policy", YES_NO), ("B", "policy_public", YES_NO)) + _company(
        77, ("D", "due_diligence_measures", YES_NO), ("E", "supplier_survey", _SURVEY_EMRT),
        ("F", "review_due_diligence", YES_NO), ("G", "corrective_action", YES_NO))),
    minerals=("Cobalt", "Mica"),
    slots=2,
    questions=(
        MineralQuestionSpec("intentionally_added", "1", 26, ("Yes", "No", "Unknown", "Not applicable for this declaration"),
                            requires="always"),
        MineralQuestionSpec("remains_in_product", "2", 32, YES_NO_UNKNOWN, requires="used"),
        MineralQuestionSpec("from_conflict_affected_areas", "3", 38, YES_NO_UNKNOWN, answers_by_mineral=(
            ("Cobalt", ("Yes", "No", "Unknown", "DRC only")),
            ("Mica", ("Yes", "No", "Unknown", "India and/or Madagascar only")))),
        MineralQuestionSpec("recycled_or_scrap", "4", 44, YES_NO_UNKNOWN, minerals=("Cobalt",)),
        MineralQuestionSpec("supplier_response_share", "5", 50, SHARE),
        MineralQuestionSpec("all_smelters_identified", "6", 56, YES_NO_UNKNOWN),
        MineralQuestionSpec("all_smelter_info_reported", "7", 62, YES_NO_UNKNOWN),
        MineralQuestionSpec("require_validated_smelters", "C", 74, YES_NO, answers_by_mineral=(
            ("Mica", _VALIDATED),)),
    ),
    not_used=("No", "Unknown", "Not applicable for this declaration"),
)

# --- EMRT 2.x (cobalt, copper, natural graphite, lithium, mica, nickel): emrt-2.0, -2.1 ----
EMRT_2 = MineralLayout(
    template=EMRT,
    family="EMRT 2.x",
    source="corpus cirscn-blank-emrt-2.0.xlsx, cirscn-blank-emrt-2.1.xlsx (Declaration, L, Checker)",
    known_versions=("2.0", "2.1"),
    base=_base("EMRT 2.x", _CELLS_2X, _company(
        115, ("A", "policy", YES_NO), ("B", "policy_public", YES_NO)) + _company(
        131, ("D", "due_diligence_measures", YES_NO), ("E", "supplier_survey", _SURVEY_EMRT),
        ("F", "review_due_diligence", YES_NO), ("G", "corrective_action", YES_NO)),
        ProductColumns(number="B", name="C", comments="F",
                       extra=(("Requester's product number", "D"), ("Requester's product name", "E")))),
    mineral_choices=(
        MineralChoice("D12", "Cobalt", "D14"), MineralChoice("E12", "Copper", "E14"),
        MineralChoice("G12", "Graphite", "G14"), MineralChoice("D13", "Lithium", "D15"),
        MineralChoice("E13", "Mica", "E15"), MineralChoice("G13", "Nickel", "G15"),
    ),
    questions=(
        MineralQuestionSpec("intentionally_added", "1", 30, ("Yes", "No", "Unknown", "Not declaring"),
                            requires="always"),
        MineralQuestionSpec("remains_in_product", "2", 42, YES_NO_UNKNOWN, requires="used"),
        MineralQuestionSpec("from_conflict_affected_areas", "3", 54, YES_NO_UNKNOWN),
        MineralQuestionSpec("recycled_or_scrap", "4", 66, YES_NO_UNKNOWN),
        MineralQuestionSpec("supplier_response_share", "5", 78, (*SHARE, "Did not survey")),
        MineralQuestionSpec("all_smelters_identified", "6", 90, YES_NO_UNKNOWN),
        MineralQuestionSpec("all_smelter_info_reported", "7", 102, YES_NO_UNKNOWN),
        MineralQuestionSpec("require_validated_smelters", "C", 120, _VALIDATED),
    ),
    not_used=("No", "Unknown", "Not declaring"),
    mine_sheet="Mine List",
)

# --- CRT 2.x (cobalt): cirscn-blank-crt-2.2 ------------------------------------------------
CRT_2 = MineralLayout(
    template=CRT,
    family="CRT 2.x",
    source="corpus cirscn-blank-crt-2.2.xlsx (Declaration, L, Checker)",
    known_versions=("2.2",),  # the one CRT in the corpus; another 2.x is read so, with a warning
    base=_base("CRT 2.x", _CELLS_1X, _company(
        63, ("A", "policy_public", YES_NO), ("B", "policy_covers_oecd_annex_ii", YES_NO),
        ("C", "due_diligence_measures", YES_NO), ("D", "require_supplier_due_diligence", YES_NO),
        ("E", "require_validated_smelters", YES_NO), ("F", "require_oecd_annex_ii_risks", YES_NO),
        ("G", "supplier_survey", ("Yes, CRT", "Yes, Using Other Format (Describe)", "No")),
        ("H", "review_due_diligence", YES_NO), ("I", "corrective_action", YES_NO))),
    minerals=("Cobalt",),
    slots=1,
    questions=(
        MineralQuestionSpec("intentionally_added", "1", 26, YES_NO_UNKNOWN, requires="always"),
        MineralQuestionSpec("from_conflict_affected_areas", "2", 32,
                            ("Yes", "No", "Unknown", "DRC or adjoining countries only"), requires="used"),
        MineralQuestionSpec("recycled_or_scrap", "3", 38, YES_NO_UNKNOWN, requires="used"),
        MineralQuestionSpec("supplier_response_share", "4", 44, SHARE, requires="used"),
        MineralQuestionSpec("all_smelters_identified", "5", 50, YES_NO_UNKNOWN, requires="used"),
        MineralQuestionSpec("all_smelter_info_reported", "6", 56, YES_NO_UNKNOWN, requires="used"),
    ),
    url_question="A",
)

LAYOUTS: dict[str, tuple[MineralLayout, ...]] = {EMRT: (EMRT_1, EMRT_2), CRT: (CRT_2,)}


def mineral_layout_for(template: str, version: str) -> tuple[MineralLayout | None, str]:
    """The layout of a template's version, and a warning when it is read with a nearby one."""
    for layout in LAYOUTS.get(template, ()):
        if version in layout.known_versions:
            return layout, ""
    major = version.split(".")[0]
    for layout in LAYOUTS.get(template, ()):
        if layout.known_versions[0].split(".")[0] == major:
            newest = layout.known_versions[-1]
            return layout, (f"{template} revision {version} is not one this reader knows; "
                            f"read with the {layout.family} layout (as {newest})")
    return None, ""
