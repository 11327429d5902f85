"""Per-file checks of an EMRT or CRT, as its own Checker sheet and "(*)" formulas say.

* Question 1 is required for every mineral in scope; question 2 unless question 1 says the
  mineral is not used ("No", "Unknown", "Not declaring" / "Not applicable for this
  declaration"); questions 3 on, and the per-mineral question C, also unless question 2
  says none remains ("No", "Unknown") - in the CRT, every question after 1 only unless 1 is
  "No" or "Unknown". The company questions are required once some mineral needs them.
* A "Yes" to the public-policy question asks for the URL in its comment.
* Smelter and Mine List rows must name a mineral in scope; a mineral that needs its
  smelters listed should have at least one row.
The company block, scope, Product List, "Smelter not listed" and smelter-without-country checks are the CMRT's
(same template rules, same cmrt.* codes).
"""
from __future__ import annotations

from collections import Counter

from generator.excel.values import quoted
from generator.problems import ERROR, WARNING, Problem
from generator.supply.cmrt.checks import (
    _product_list,
    _required_fields,
    _rows_without_country,
    _scope,
    _unlisted_smelters,
)
from generator.supply.cmrt.declaration import Declaration
from generator.supply.cmrt.layouts import DECLARATION
from generator.supply.emrt.layouts import MineralLayout, MineralQuestionSpec


def check_minerals(decl: Declaration, layout: MineralLayout) -> list[Problem]:
    base = layout.base
    return [
        *_required_fields(decl, base),
        *_scope(decl, base),
        *_no_minerals(decl, layout),
        *_answers(decl, layout),
        *_company_answers(decl, layout),
        *_lists(decl, layout),
        *_product_list(decl, base),
        *_unlisted_smelters(decl, base),
        *_rows_without_country(decl, base),
    ]


def _problem(decl: Declaration, code: str, message: str, cell: str = "", sheet: str = DECLARATION,
             severity: str = WARNING) -> Problem:
    return Problem(decl.file, code, message, sheet=sheet, cell=cell, severity=severity)


def _no_minerals(decl: Declaration, layout: MineralLayout) -> list[Problem]:
    if decl.minerals or not layout.mineral_choices:
        return []
    cells = f"{layout.mineral_choices[0].cell}:{layout.mineral_choices[-1].cell}"
    return [_problem(decl, "emrt.no-minerals", f"no mineral is chosen in scope ({cells}); the template requires one",
                     cell=layout.mineral_choices[0].cell, severity=ERROR)]


def level(decl: Declaration, layout: MineralLayout, mineral: str) -> str:
    """How far the questions apply to a mineral: "present", "used" or "none" (question 1 waives them)."""
    first = decl.answer("intentionally_added", mineral)
    if first in layout.not_used:
        return "none"
    second = decl.answer("remains_in_product", mineral)
    if decl.question("remains_in_product") and second in layout.not_present:
        return "used"
    return "present"


def _required(spec: MineralQuestionSpec, mineral_level: str) -> bool:
    return (spec.requires == "always" or mineral_level == "present"
            or (spec.requires == "used" and mineral_level == "used"))


def _answers(decl: Declaration, layout: MineralLayout) -> list[Problem]:
    problems = []
    for spec in layout.questions:
        question = decl.question(spec.key)
        for a in question.answers if question else ():
            if not a.answer:
                if _required(spec, level(decl, layout, a.metal)):
                    problems.append(_problem(decl, "emrt.missing-answer",
                                             f"question {spec.label} ({spec.key}) is not answered for {a.metal}",
                                             cell=a.cell, severity=ERROR))
            elif a.answer not in spec.choices(a.metal):
                problems.append(_problem(decl, "emrt.unknown-answer",
                                         f"question {spec.label} ({spec.key}), {a.metal}: {quoted(a.answer)} is not "
                                         f"one of the template's choices: {'; '.join(spec.choices(a.metal))}",
                                         cell=a.cell))
    return problems


def _company_answers(decl: Declaration, layout: MineralLayout) -> list[Problem]:
    needed = any(level(decl, layout, m) != "none" for m in decl.minerals)
    specs = {spec.key: spec for spec in layout.base.company_questions}
    problems = []
    for a in decl.company_questions:
        spec = specs[a.key]
        if not a.answer and needed:
            problems.append(_problem(decl, "emrt.missing-answer", f"question {a.letter} ({a.key}) is not answered",
                                     cell=a.cell, severity=ERROR))
        elif a.answer and a.answer not in spec.answers:
            problems.append(_problem(decl, "emrt.unknown-answer",
                                     f"question {a.letter} ({a.key}): {quoted(a.answer)} is not one of the "
                                     f"template's choices: {'; '.join(spec.answers)}", cell=a.cell))
        if a.letter == layout.url_question and a.answer == "Yes" and not decl.policy_url_in(a):
            problems.append(_problem(decl, "emrt.policy-url-missing",
                                     f"question {a.letter} says the sourcing policy is public, but its comment "
                                     f"gives no URL (the template asks for it there)",
                                     cell=f"{layout.base.comment_column}{a.cell[1:]}"))
    return problems


def _lists(decl: Declaration, layout: MineralLayout) -> list[Problem]:
    """Smelter and Mine List rows against the minerals in scope and question 1."""
    problems = []
    sheet = layout.base.smelter_sheet
    scope = set(decl.minerals)
    for s in decl.smelters:
        if s.metal not in scope:
            problems.append(_problem(decl, "emrt.mineral-not-in-scope",
                                     f"row {s.row} lists a {s.metal} smelter, but {s.metal} is not among the minerals "
                                     f"in scope ({', '.join(decl.minerals) or 'none'})",
                                     sheet=sheet, cell=f"{layout.base.smelter_columns.metal}{s.row}"))
    for m in decl.mines:
        if m.metal not in scope:
            problems.append(_problem(decl, "emrt.mineral-not-in-scope",
                                     f"row {m.row} lists a {m.metal} mine, but {m.metal} is not among the minerals "
                                     f"in scope ({', '.join(decl.minerals) or 'none'})",
                                     sheet=layout.mine_sheet, cell=f"{layout.mine_columns.metal}{m.row}"))
    listed = Counter(s.metal for s in decl.smelters)
    first = decl.question("intentionally_added")
    for a in first.answers if first else ():
        mineral_level = level(decl, layout, a.metal)
        if a.answer == "No" and listed[a.metal]:
            problems.append(_problem(decl, "emrt.smelters-for-unused-mineral",
                                     f"{listed[a.metal]} smelter row(s) list {a.metal}, but question 1 declares "
                                     f"{a.metal} not used", cell=a.cell))
        elif a.answer == "Yes" and mineral_level == "present" and not listed[a.metal]:
            problems.append(_problem(decl, "emrt.no-smelters-listed",
                                     f"question 1 declares {a.metal} used, but the Smelter List has no {a.metal} row "
                                     f"(the template's Checker asks for them)", sheet=sheet,
                                     cell=f"{layout.base.smelter_columns.metal}{layout.base.smelter_first_row}"))
    return problems
