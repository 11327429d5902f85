"""Per-file checks, following the template's own Instructions and Checker sheets.

Each check returns problems with the file, sheet, cell, a stable code and a message:
required declaration fields missing (error), answers the version's Instructions make
mandatory missing (error; see `Needed` in layouts.py), answers outside the template's
choices, and, for a reviewer, warnings: answers that contradict the smelter list, a metal
in scope without smelter rows, a product-scope declaration with an empty or incomplete
Product List, a smelter row without a country, and a name that disagrees with the name
the template's own look-up sheet gives the row's smelter ID.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from generator.excel.values import fold, quoted
from generator.model import METALS
from generator.problems import ERROR, WARNING, Problem
from generator.supply import values
from generator.supply.cmrt.declaration import Declaration, Question
from generator.supply.cmrt.layouts import DECLARATION, Layout
from generator.supply.matching import name_key

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


@dataclass(frozen=True)
class Lookup:
    """The template's own look-up sheet: smelter ID -> its names there (standard name first)."""

    sheet: str
    names: dict[str, tuple[str, ...]]


def check_declaration(decl: Declaration, layout: Layout, lookup: Lookup | None = None) -> list[Problem]:
    """All per-file checks of one declaration read with `layout`."""
    return [
        *_required_fields(decl, layout),
        *_scope(decl, layout),
        *_answers(decl, layout),
        *_company_answers(decl, layout),
        *_contradictions(decl, layout),
        *_product_list(decl, layout),
        *_unlisted_smelters(decl, layout),
        *_rows_without_country(decl, layout),
        *_lookup_names(decl, layout, lookup),
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


def _metal_answers(decl: Declaration, metal: str) -> dict[str, str]:
    return {q.key: q.answer(metal) for q in decl.questions}


def in_scope(decl: Declaration, layout: Layout, metal: str) -> bool:
    """Whether the answers put `metal` within the declaration's scope (the template then asks for its smelters)."""
    return layout.in_scope.holds(_metal_answers(decl, metal))


def _condition(layout: Layout, needed_keys: tuple[str, ...], any_of: bool) -> str:
    numbers = {s.key: s.number for s in layout.metal_questions}
    said = f" {'or' if any_of else 'and'} ".join(str(numbers.get(k, k)) for k in needed_keys)
    plural = len(needed_keys) > 1 and not any_of      # "questions 1 and 2 are", "question 1 or 2 is"
    return f"question{'s' if plural else ''} {said} {'are' if plural else 'is'} Yes"


def _answers(decl: Declaration, layout: Layout) -> list[Problem]:
    problems = []
    for spec in layout.metal_questions:
        question = decl.question(spec.key)
        for a in question.answers if question else ():
            if not a.answer:
                if spec.needed.holds(_metal_answers(decl, a.metal)):
                    why = (f", which the template makes mandatory when "
                           f"{_condition(layout, spec.needed.questions, spec.needed.any_of)}"
                           if spec.needed.questions else "")
                    problems.append(_problem(decl, "cmrt.missing-answer",
                                             f"question {spec.number} ({spec.key}) is not answered for {a.metal}{why}",
                                             cell=a.cell, severity=ERROR))
            elif spec.answers and a.answer not in spec.answers:
                problems.append(_problem(decl, "cmrt.unknown-answer",
                                         f"question {spec.number} ({spec.key}), {a.metal}: {quoted(a.answer)} is not one "
                                         f"of the template's choices: {'; '.join(spec.answers)}", cell=a.cell))
    return problems


def _company_answers(decl: Declaration, layout: Layout) -> list[Problem]:
    choices = {spec.key: spec.answers for spec in layout.company_questions}
    problems = [
        _problem(decl, "cmrt.unknown-answer",
                 f"question {a.letter} ({a.key}): {quoted(a.answer)} is not one of the template's choices: "
                 f"{'; '.join(choices[a.key])}", cell=a.cell)
        for a in decl.company_questions
        if a.answer and choices.get(a.key) and a.answer not in choices[a.key]
    ]
    needed = layout.company_needed
    if needed is None or not any(needed.holds(_metal_answers(decl, m)) for m in METALS):
        return problems
    why = (f", which the template makes mandatory when {_condition(layout, needed.questions, needed.any_of)} "
           f"for any metal" if needed.questions else "")
    problems += [_problem(decl, "cmrt.missing-answer", f"question {a.letter} ({a.key}) is not answered{why}",
                          cell=a.cell, severity=ERROR)
                 for a in decl.company_questions if not a.answer]
    return problems


def _contradictions(decl: Declaration, layout: Layout) -> list[Problem]:
    """Answers that disagree with the smelter list of the same file (one warning per metal)."""
    listed = Counter(s.metal for s in decl.smelters)
    identified = decl.question("all_smelters_identified")
    first = decl.question(layout.in_scope_question)
    problems = []
    for metal in METALS:
        used = first.answer(metal) if first else ""
        said = identified.answer(metal) if identified else ""
        if first and used == "No" and listed[metal]:
            problems.append(_problem(
                decl, "cmrt.smelters-for-unused-metal",
                f"{listed[metal]} smelter row(s) list {metal}, but question {first.number} declares "
                f"{metal} not used", cell=_cell(first, metal)))
        elif listed[metal]:
            continue
        elif identified and said.casefold().startswith("yes") and used != "No":
            problems.append(_problem(
                decl, "cmrt.identified-but-none-listed",
                f"question {identified.number} says all {metal} smelters are identified, but the "
                f"smelter list has no {metal} row", cell=_cell(identified, metal)))
        elif first and in_scope(decl, layout, metal):
            problems.append(_problem(
                decl, "cmrt.in-scope-metal-without-smelters",
                f"the answers declare {metal} used ({_condition(layout, layout.in_scope.questions, layout.in_scope.any_of)}"
                f"), but the smelter list has no {metal} row; the template's Checker asks for them",
                cell=_cell(first, metal)))
    return problems


def _cell(question: Question, metal: str) -> str:
    return next((a.cell for a in question.answers if a.metal == metal), "")


def _product_list(decl: Declaration, layout: Layout) -> list[Problem]:
    """A product-scope declaration needs its products (rows without a number are noted by the reader)."""
    prefix = layout.product_scope_prefix
    if not prefix or not decl.declaration_scope.startswith(prefix) or decl.products:
        return []
    return [_problem(decl, "cmrt.product-list-missing",
                     f"the declaration scope is {quoted(decl.declaration_scope)}, which asks for the products' "
                     f"numbers, but the Product List has no product", sheet=layout.product_sheet or DECLARATION,
                     cell=f"{layout.product_columns.number}{layout.product_first_row}")]


def _rows_without_country(decl: Declaration, layout: Layout) -> list[Problem]:
    """A listed smelter (a look-up choice or a name) whose country column is empty."""
    column = layout.smelter_columns.country
    if not column:
        return []
    return [_problem(decl, "cmrt.smelter-without-country",
                     f"row {s.row} lists {s.metal} smelter {quoted(s.smelter_name or s.lookup or s.smelter_id)} "
                     f"without a country (a mandatory column)", sheet=layout.smelter_sheet, cell=f"{column}{s.row}")
            for s in decl.smelters
            if not s.country and s.lookup not in (values.NOT_LISTED, values.NOT_IDENTIFIED)
            and (s.smelter_name or s.smelter_id or (s.lookup and not values.is_placeholder(s.lookup)))]


def _same_name(a: str, b: str) -> bool:
    """Names that agree: equal when folded, or one is the other's words in full ('Ulba' in 'Ulba Metallurgical Plant')."""
    x, y = name_key(a), name_key(b)
    return x == y or x.replace(" ", "") == y.replace(" ", "") or f" {x} " in f" {y} " or f" {y} " in f" {x} "


def _lookup_names(decl: Declaration, layout: Layout, lookup: Lookup | None) -> list[Problem]:
    """A row whose look-up choice is not a name the template's look-up sheet gives the row's smelter ID."""
    column = layout.smelter_columns.lookup
    if lookup is None or not lookup.names or not column:
        return []
    problems = []
    for s in decl.smelters:
        known = lookup.names.get(s.smelter_id)
        if not known or not s.lookup or values.is_placeholder(s.lookup) \
                or any(_same_name(s.lookup, n) for n in known):
            continue
        problems.append(_problem(
            decl, "cmrt.lookup-name-mismatch",
            f"row {s.row} chooses {quoted(s.lookup)} in the look-up column, but the template's '{lookup.sheet}' "
            f"sheet gives {s.smelter_id} to {quoted(known[0])}"
            f"{f' (also known as {quoted(known[1])})' if len(known) > 1 else ''}: check the choice or the ID",
            sheet=layout.smelter_sheet, cell=f"{column}{s.row}"))
    return problems


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
