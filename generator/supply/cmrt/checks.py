"""Per-file checks, in the spirit of the template's own Checker sheet.

Each check returns problems with the file, sheet, cell, a stable code and a message:
required declaration fields missing (error), required answers missing (error), answers
outside the template's choices, answers that contradict the smelter list, and a
product-level declaration without a product list.
"""
from __future__ import annotations

from collections import Counter

from generator.excel.values import fold, quoted
from generator.model import METALS
from generator.problems import ERROR, WARNING, Problem
from generator.supply import values
from generator.supply.cmrt.declaration import Declaration, Question
from generator.supply.cmrt.layouts import DECLARATION, Layout

FIELD_LABELS = {
    "company_name": "Company name",
    "declaration_scope": "Declaration scope",
    "contact_name": "Contact name",
    "contact_email": "Contact email",
    "contact_phone": "Contact phone",
    "authorizer_name": "Authorizer (authorized representative) name",
    "authorizer_email": "Authorizer email",
    "authorizer_phone": "Authorizer phone",
    "effective_date": "Effective date (date of completion)",
}


def check_declaration(decl: Declaration, layout: Layout) -> list[Problem]:
    """All per-file checks of one declaration read with `layout`."""
    return [
        *_required_fields(decl, layout),
        *_scope(decl, layout),
        *_answers(decl, layout),
        *_company_answers(decl, layout),
        *_contradictions(decl, layout),
        *_product_list(decl, layout),
        *_unlisted_smelters(decl, layout),
    ]


def _problem(decl: Declaration, code: str, message: str, cell: str = "", sheet: str = DECLARATION,
             severity: str = WARNING) -> Problem:
    return Problem(decl.file, code, message, sheet=sheet, cell=cell, severity=severity)


def _field_value(decl: Declaration, name: str) -> object:
    if name.startswith("contact_"):
        return getattr(decl.contact, name.removeprefix("contact_"))
    if name.startswith("authorizer_"):
        return getattr(decl.authorizer, name.removeprefix("authorizer_"))
    return getattr(decl, name)


def _required_fields(decl: Declaration, layout: Layout) -> list[Problem]:
    problems = []
    for name in layout.required_fields:
        if _field_value(decl, name) in ("", None):
            cell = layout.cells.date_parts[0] if name == "effective_date" and layout.cells.date_parts \
                else getattr(layout.cells, name)
            problems.append(_problem(decl, f"cmrt.missing-{name.replace('_', '-')}",
                                     f"required field '{FIELD_LABELS.get(name, name)}' is empty",
                                     cell=cell, severity=ERROR))
    return problems


def _scope(decl: Declaration, layout: Layout) -> list[Problem]:
    if not layout.scopes or not decl.declaration_scope:
        return []
    if "description of scope" in fold(decl.declaration_scope) and not decl.scope_description:
        return [_problem(decl, "cmrt.missing-scope-description",
                         f"the declaration scope {quoted(decl.declaration_scope)} asks for a description of the "
                         f"scope, which is empty", cell=layout.cells.scope_description, severity=ERROR)]
    if any(fold(s) == fold(decl.declaration_scope) for s in layout.scopes):
        return []
    return [_problem(decl, "cmrt.unknown-scope",
                     f"declaration scope {quoted(decl.declaration_scope)} is not one of the template's choices: "
                     f"{'; '.join(layout.scopes)}", cell=layout.cells.declaration_scope)]


def _in_use(decl: Declaration, layout: Layout, metal: str) -> str:
    return decl.answer(layout.in_scope_question, metal)


def _answers(decl: Declaration, layout: Layout) -> list[Problem]:
    problems = []
    for spec in layout.metal_questions:
        question = decl.question(spec.key)
        for a in question.answers if question else ():
            if not a.answer:
                if spec.required:
                    problems.append(_problem(decl, "cmrt.missing-answer",
                                             f"question {spec.number} ({spec.key}) is not answered for {a.metal}",
                                             cell=a.cell, severity=ERROR))
                elif _in_use(decl, layout, a.metal) == "Yes":
                    problems.append(_problem(decl, "cmrt.missing-answer",
                                             f"question {spec.number} ({spec.key}) is not answered for {a.metal}, "
                                             f"which is declared in use", cell=a.cell))
            elif spec.answers and a.answer not in spec.answers:
                problems.append(_problem(decl, "cmrt.unknown-answer",
                                         f"question {spec.number} ({spec.key}), {a.metal}: {quoted(a.answer)} is not one "
                                         f"of the template's choices: {'; '.join(spec.answers)}", cell=a.cell))
    return problems


def _company_answers(decl: Declaration, layout: Layout) -> list[Problem]:
    choices = {spec.key: spec.answers for spec in layout.company_questions}
    return [
        _problem(decl, "cmrt.unknown-answer",
                 f"question {a.letter} ({a.key}): {quoted(a.answer)} is not one of the template's choices: "
                 f"{'; '.join(choices[a.key])}", cell=a.cell)
        for a in decl.company_questions
        if a.answer and choices.get(a.key) and a.answer not in choices[a.key]
    ]


def _contradictions(decl: Declaration, layout: Layout) -> list[Problem]:
    """Answers that disagree with the smelter list of the same file."""
    listed = Counter(s.metal for s in decl.smelters)
    identified = decl.question("all_smelters_identified")
    in_scope = decl.question(layout.in_scope_question)
    problems = []
    for metal in METALS:
        used = in_scope.answer(metal) if in_scope else ""
        if in_scope and used == "No" and listed[metal]:
            problems.append(_problem(
                decl, "cmrt.smelters-for-unused-metal",
                f"{listed[metal]} smelter row(s) list {metal}, but question {in_scope.number} declares "
                f"{metal} not used", cell=_cell(in_scope, metal)))
        said = identified.answer(metal) if identified else ""
        if identified and said.casefold().startswith("yes") and used != "No" and not listed[metal]:
            problems.append(_problem(
                decl, "cmrt.identified-but-none-listed",
                f"question {identified.number} says all {metal} smelters are identified, but the "
                f"smelter list has no {metal} row", cell=_cell(identified, metal)))
    return problems


def _cell(question: Question, metal: str) -> str:
    return next((a.cell for a in question.answers if a.metal == metal), "")


def _product_list(decl: Declaration, layout: Layout) -> list[Problem]:
    prefix = layout.product_scope_prefix
    if not prefix or not decl.declaration_scope.startswith(prefix) or decl.products:
        return []
    return [_problem(decl, "cmrt.product-list-missing",
                     f"the declaration scope is {quoted(decl.declaration_scope)} but the Product List has no product",
                     sheet=layout.product_sheet or DECLARATION,
                     cell=f"{layout.product_columns.number}{layout.product_first_row}", severity=ERROR)]


def _unlisted_smelters(decl: Declaration, layout: Layout) -> list[Problem]:
    """'Smelter not listed' asks for the name and country (the template colours them red)."""
    columns = layout.smelter_columns
    problems = []
    for s in decl.smelters:
        if s.lookup != values.NOT_LISTED:
            continue
        missing = [(label, column) for label, column, value in
                   (("name", columns.smelter_name, s.smelter_name), ("country", columns.country, s.country))
                   if column and not value]
        if missing:
            problems.append(_problem(
                decl, "cmrt.unlisted-smelter-incomplete",
                f"row {s.row} chooses 'Smelter not listed' but gives no smelter "
                f"{' or '.join(label for label, _ in missing)}",
                sheet=layout.smelter_sheet, cell=f"{missing[0][1]}{s.row}"))
    return problems
