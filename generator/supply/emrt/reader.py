"""Read a supplier EMRT (1.x, 2.x) or CRT (2.x) into the model the CMRT reader returns.

Called by `generator.supply.cmrt.read_workbook` once the template's kind is known, so every
guarantee of that reader holds: bounded sheets, every non-blank list row read or rejected
with its reason, problems naming sheet and cell, nothing raised for a bad file. A smelter
row's `metal` is its mineral (Cobalt, Mica, ...); `minerals` are those declared in scope.
(An AMRT is named by the CMRT reader, not read: its minerals and Mine List do not fit this model.)
"""
from __future__ import annotations

from generator.excel.values import as_text, fold, quoted
from generator.excel.workbook import Sheet, Workbook, WorkbookError, column_index
from generator.model import MINERALS
from generator.supply import values
from generator.supply.cmrt import kinds
from generator.supply.cmrt.declaration import Declaration, MetalAnswer, MineRow, Question, Rejected
from generator.supply.cmrt.layouts import DECLARATION, parse_version
from generator.supply.cmrt.reader import (
    MAX_LIST_ROWS,
    _company_questions,
    _Context,
    _effective_date,
    _list_rows,
    _normalise_answer,
    _product_list,
    _smelter_list,
    _with_problems,
    company_block,
)
from generator.supply.emrt.checks import check_minerals
from generator.supply.emrt.layouts import MineralLayout, mineral_layout_for

_EXPECTED = ", ".join(MINERALS[:-1]) + " or " + MINERALS[-1]


def read_minerals(book: Workbook, decl: Sheet, kind: kinds.TemplateKind, ctx: _Context) -> Declaration:
    """The declaration of an EMRT or CRT; a revision without a layout as a problem."""
    version = ctx.version = parse_version(as_text(decl.cell("J3").value))
    layout, warning = mineral_layout_for(kind.name, version)
    if layout is None:
        raise WorkbookError("emrt.unsupported-version",
                            f"is an {kind.title} ({kind.name}) with template revision {version or '(none in J3)'}, "
                            f"which this reader does not support")
    if warning:
        ctx.problems.warn(ctx.file, "emrt.unknown-version", warning, sheet=DECLARATION, cell="J3")
    base, cells = layout.base, layout.base.cells
    minerals = _minerals(decl, layout, ctx)
    smelters, rejected = _smelter_list(book, base, ctx, metal_of=values.mineral, expected=_EXPECTED)
    mines, mine_rejected = _mine_list(book, layout, ctx)
    declaration = Declaration(
        file=ctx.file,
        template=kind.name,
        template_version=version,
        layout=layout.family,
        smelter_sheet=base.smelter_sheet,
        **company_block(book, decl, cells, ctx),
        effective_date=_effective_date(decl, base, ctx),
        minerals=minerals,
        questions=_questions(decl, layout, minerals, ctx),
        company_questions=_company_questions(decl, base, ctx),
        products=_product_list(book, base, version, ctx),
        smelters=smelters,
        mines=mines,
        rejected=tuple(sorted([*rejected, *mine_rejected], key=lambda r: (r.sheet != base.smelter_sheet, r.row))),
    )
    ctx.problems.extend(check_minerals(declaration, layout))
    return _with_problems(declaration, ctx)


def _minerals(decl: Sheet, layout: MineralLayout, ctx: _Context) -> tuple[str, ...]:
    """The minerals in scope: fixed by the template, or chosen in D12:G13 (EMRT 2.x), sorted as it sorts them."""
    if not layout.mineral_choices:
        return layout.minerals
    chosen = []
    for choice in layout.mineral_choices:
        text, cell = ctx.text(decl, choice.cell), choice.cell
        if fold(text).startswith("(delete"):
            text, cell = ctx.text(decl, choice.replacement), choice.replacement
        if not text:
            continue
        mineral = values.mineral(text)
        if not mineral:
            ctx.problems.warn(ctx.file, "emrt.unknown-mineral",
                              f"{quoted(text)} is not one of the template's minerals ({_EXPECTED}); kept as written",
                              sheet=DECLARATION, cell=cell)
        chosen.append(mineral or text)
    # Excel compares text case-insensitively; the template sorts the chosen minerals so.
    return tuple(sorted(dict.fromkeys(chosen), key=str.casefold)[:layout.slots])


def _questions(decl: Sheet, layout: MineralLayout, minerals: tuple[str, ...], ctx: _Context) -> tuple[Question, ...]:
    questions = []
    for spec in layout.questions:
        rows = spec.minerals or layout.minerals or minerals
        answers = []
        for offset, mineral in enumerate(rows):
            address = f"{layout.base.answer_column}{spec.row + offset}"
            raw = ctx.value(decl, address)
            answers.append(MetalAnswer(
                metal=mineral, answer=_normalise_answer(raw, spec.choices(mineral)), raw=as_text(raw),
                comment=ctx.text(decl, f"{layout.base.comment_column}{spec.row + offset}"), cell=address))
        if layout.mineral_choices:  # the rows below the chosen minerals are blank in the template
            for offset in range(len(rows), layout.slots):
                address = f"{layout.base.answer_column}{spec.row + offset}"
                if ctx.text(decl, address):
                    ctx.problems.warn(ctx.file, "emrt.answer-without-mineral",
                                      f"question {spec.label} has an answer ({quoted(ctx.text(decl, address))}) in a row "
                                      f"with no mineral: only {len(rows)} mineral(s) are chosen in scope; not read",
                                      sheet=DECLARATION, cell=address)
        questions.append(Question(spec.key, int(spec.label) if spec.label.isdigit() else 0, tuple(answers)))
    return tuple(questions)


def _mine_list(book: Workbook, layout: MineralLayout, ctx: _Context) -> tuple[tuple[MineRow, ...], list[Rejected]]:
    if not layout.mine_sheet:
        return (), []
    if not book.has(layout.mine_sheet):
        ctx.problems.add(ctx.file, "emrt.missing-sheet",
                         f"{layout.family} should have a '{layout.mine_sheet}' sheet; it has none", sheet=layout.mine_sheet)
        return (), []
    first = 5
    sheet = book.sheet(layout.mine_sheet, max_row=first + MAX_LIST_ROWS)
    names = [name for name, _ in layout.mine_columns.items()]
    columns = [column_index(letter) for _, letter in layout.mine_columns.items()]
    mines: list[MineRow] = []
    rejected: list[Rejected] = []
    for row, text, note in _list_rows(sheet, first, columns, ctx):
        if note:
            rejected.append(Rejected(row, note, sheet.name))
            continue
        fields = dict(zip(names, text))
        others = [k.replace("_", " ") for k, v in fields.items() if v and k != "metal"]
        mineral = values.mineral(fields["metal"])
        if not fields["metal"]:
            rejected.append(Rejected(row, f"no metal: column {layout.mine_columns.metal} is empty but the row has "
                                          f"{', '.join(others)}", sheet.name))
        elif not mineral:
            rejected.append(Rejected(row, f"unknown metal {quoted(fields['metal'])}: expected {_EXPECTED}", sheet.name))
        elif not fields["mine_name"]:
            rejected.append(Rejected(row, f"no mine name: column {layout.mine_columns.mine_name} (Mine Facility (Site) "
                                          f"Name) is required", sheet.name))
        else:
            fields["metal"] = mineral
            mines.append(MineRow(row, **fields))
    return tuple(mines), rejected
