"""Which RMI template a workbook is (CMRT, EMRT, CRT or AMRT), found from the workbook itself.

The four templates share the Declaration / Smelter List / Product List / Smelter Look-up
sheets and even most cell addresses, so sheet names alone do not tell them apart. Kinds
are data: each `TemplateKind` names its title (as the templates write it in
Declaration!D2, in every UI language they offer), the sheets only it has, and where its
company name is. A kind with layouts in `layouts.LAYOUTS_BY_KIND` is read; any other is named.

Evidence, strongest first (see `detect`):
1. The template's own title in the language table: sheet 'L', row 'DeclarationD2', column
   English. It does not depend on the UI language the supplier chose. (The CRT 2.2 table
   gives the CMRT title for French, Portuguese and the others, so the chosen language's
   D2 is weaker evidence than the English entry.)
2. Declaration!D2 as cached: the title in the chosen language, with the abbreviation in
   brackets from CMRT 3.01, EMRT, CRT and AMRT on.
3. Sheets only one kind has ('Minerals Scope' of the AMRT, the EMRT 2.x 'Mine List', the
   CMRT 1.00 'Smelter and Mine List' and the CMRT 2.x/3.x 'Standard Smelter Names').
4. The minerals of the template's own 'Smelter Look-up' sheet (column A): cobalt only is a
   CRT, cobalt, mica and the EMRT 2.x minerals an EMRT, any other mineral an AMRT.
5. Nothing says otherwise: a CMRT (the reader then needs a CMRT revision with a layout to go
   on, so a non-CMRT that hides all of the above is refused, not misread).

The titles were read from the 'L' sheets of the corpus blanks (cirscn-blank-emrt-1.3/2.0/
2.1, cirscn-blank-crt-2.2, cirscn-blank-amrt-1.3, the CMRT 2.03/2.03a/3.01/6.x files).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from generator.excel.values import as_text, fold, quoted
from generator.excel.workbook import Workbook

CMRT = "CMRT"


@dataclass(frozen=True)
class TemplateKind:
    name: str                       # the abbreviation, as in "(EMRT)"
    title: str                      # the English title
    covers: str                     # what it asks about, for messages
    titles: tuple[str, ...]         # D2 titles in the UI languages (matched case- and space-insensitively)
    own_sheets: tuple[str, ...] = ()  # sheets no other kind has
    minerals: frozenset[str] = frozenset()  # in its Smelter Look-up (casefolded); empty: any other
    company_cell: str = "D8"


KINDS: tuple[TemplateKind, ...] = (
    TemplateKind(
        name="CMRT", title="Conflict Minerals Reporting Template",
        covers="tin, tantalum, tungsten and gold (3TG)",
        titles=("Conflict Minerals Reporting Template", "无冲突金属报告模板", "紛争鉱物報告テンプレート",
                "분쟁광물 사용보고 템플릿", "Modèle de rapport sur les minerais des zones de conflit",
                "Relátório de Minerais de Conflito conforme este modelo.", "Konfliktmineralien-Fragebogen",
                "Templete de reporte para minerales conflictivos", "Modello di Report sui Conflict Mineral"),
        own_sheets=("Smelter and Mine List", "Standard Smelter Names"),
        minerals=frozenset({"gold", "tin", "tantalum", "tungsten"}),
    ),
    TemplateKind(
        name="EMRT", title="Extended Minerals Reporting Template",
        covers="cobalt and mica (from 2.0 also copper, natural graphite, lithium and nickel)",
        titles=("Extended Minerals Reporting Template", "Extended Mineral Reporting Template", "扩展矿物报告模版",
                "拡張鉱物報告テンプレート", "확장 광물 보고 템플릿", "Modèle de rapport sur les minerais élargi",
                "Erweiterte Vorlage für Mineralienberichte"),
        own_sheets=("Mine List",),
        minerals=frozenset({"cobalt", "mica", "copper", "graphite", "natural graphite", "lithium", "nickel"}),
    ),
    TemplateKind(
        name="CRT", title="Cobalt Reporting Template", covers="cobalt",
        titles=("Cobalt Reporting Template", "钴报告模板", "코발트 보고 템플릿", "Modèle de rapport sur le cobalt"),
        minerals=frozenset({"cobalt"}),
    ),
    TemplateKind(
        name="AMRT", title="Additional Minerals Reporting Template",
        covers="minerals beyond 3TG, cobalt and mica (aluminium, iridium, lime, …)",
        titles=("Additional Minerals Reporting Template", "额外矿物报告模板", "追加鉱物報告テンプレート",
                "추가 광물 보고 양식", "Modèle de rapport sur les minerais supplémentaires",
                "Berichtsvorlage für zusätzliche Mineralien"),
        own_sheets=("Minerals Scope",),
    ),
)

BY_NAME = {k.name: k for k in KINDS}
_ABBREVIATION = re.compile(r"[(（]\s*(CMRT|EMRT|CRT|AMRT)\s*[)）]")
LANGUAGE_SHEET = "L"
LANGUAGE_SHEET_ROWS = 600
LOOKUP_SHEET, LOOKUP_FIRST_ROW, LOOKUP_ROWS = "Smelter Look-up", 5, 5000


@dataclass(frozen=True)
class Finding:
    kind: TemplateKind
    evidence: str          # how it was found, for messages


def kind_of_title(text: str) -> TemplateKind | None:
    """The kind a title names: by its abbreviation in brackets, else by a known title."""
    m = _ABBREVIATION.search(text)
    if m:
        return BY_NAME[m.group(1)]
    folded = fold(text)
    if not folded:
        return None
    # AMRT before CMRT: "additional minerals reporting template" does not contain the CMRT title,
    # but test every kind and take the longest title found, so no title shadows a longer one.
    found = [(len(t), k) for k in KINDS for t in k.titles if fold(t) in folded]
    return max(found, key=lambda f: f[0])[1] if found else None


def detect(book: Workbook, declaration_d2: object) -> Finding:
    """The template kind of `book`, from the strongest evidence it carries (see the module doc)."""
    english = _language_table_title(book)
    if english:
        kind = kind_of_title(english)
        if kind:
            return Finding(kind, f"its title {quoted(english)} (sheet 'L', the English title of D2)")
    title = as_text(declaration_d2)
    kind = kind_of_title(title)
    if kind:
        return Finding(kind, f"its title {quoted(title)} in Declaration!D2")
    for kind in sorted(KINDS, key=lambda k: k.name != "AMRT"):  # an AMRT also has a Mine List
        for sheet in kind.own_sheets:
            if book.has(sheet):
                return Finding(kind, f"its '{sheet}' sheet")
    minerals = _lookup_minerals(book)
    kind = kind_of_minerals(minerals)
    if kind.name != CMRT:
        shown = ", ".join(sorted(minerals)[:6]) + (", …" if len(minerals) > 6 else "")
        return Finding(kind, f"the minerals of its '{LOOKUP_SHEET}' sheet ({quoted(shown)})")
    return Finding(BY_NAME[CMRT], "its Declaration and Smelter List sheets")


def kind_of_minerals(minerals: set[str]) -> TemplateKind:
    """The kind whose look-up list holds `minerals`: a CMRT when there are none or any 3TG metal is
    among them (no evidence against it); else the smallest kind that holds them all; else the AMRT."""
    folded = {m.casefold() for m in minerals}
    if not folded or folded & BY_NAME[CMRT].minerals:
        return BY_NAME[CMRT]
    for kind in sorted((k for k in KINDS if k.minerals), key=lambda k: len(k.minerals)):
        if folded <= kind.minerals:
            return kind
    return BY_NAME["AMRT"]


def _lookup_minerals(book: Workbook) -> set[str]:
    """The mineral names in column A of the template's Smelter Look-up (numbers and blanks skipped)."""
    if not book.has(LOOKUP_SHEET):
        return set()
    sheet = book.sheet(LOOKUP_SHEET, max_row=LOOKUP_FIRST_ROW + LOOKUP_ROWS)
    found = set()
    for row in range(LOOKUP_FIRST_ROW, min(sheet.last_row, LOOKUP_FIRST_ROW + LOOKUP_ROWS) + 1):
        value = sheet.values(row, [0])[0]
        if isinstance(value, str) and value.strip() and not value.strip().replace(".", "").isdigit():
            found.add(" ".join(value.split()))
    return found


def _language_table_title(book: Workbook) -> str:
    """The English entry for Declaration!D2 in the template's language table, or ""."""
    if not book.has(LANGUAGE_SHEET):
        return ""
    found = book.keyed_text(LANGUAGE_SHEET, "DeclarationD2", "A", "D", LANGUAGE_SHEET_ROWS)
    if found is not None:  # from the sheet's XML: the table is not loaded for one entry
        return as_text(found)
    sheet = book.sheet(LANGUAGE_SHEET, max_row=LANGUAGE_SHEET_ROWS)
    for row in range(1, sheet.last_row + 1):
        key, english = sheet.values(row, [0, 3])
        if isinstance(key, str) and key.strip() == "DeclarationD2":
            return as_text(english)
    return ""
