"""Read supplier CMRT workbooks (Conflict Minerals Reporting Template) of every version.

    from generator.supply.cmrt import read_workbook
    declaration = read_workbook(path)   # never raises for a bad file: see .problems

Versions 1.00, 2.00-2.03a, 3.0x, 4.x, 5.x and 6.0-6.5 (a newer 6.x is read with the
6.x layout, with a note; any other revision, or none, is a problem: no layout is guessed);
.xlsx/.xlsm and .xls, also when encrypted with Excel's default password. The template's
kind is found first (kinds.py): an EMRT, CRT or AMRT is named (`template`) and not read.

What a `Declaration` holds (see declaration.py):
* `readable` (False: the file could not be read at all; `problems` says why), `file`,
  `template` ("CMRT", "EMRT", "CRT", "AMRT"; `is_cmrt`), `template_version` ("2.03a",
  "6.4"), `layout` (the version family read with),
  `file_format`, `encrypted`, `language` (Declaration!D3).
* The company block: `company_name`, `declaration_scope` (as chosen, e.g. "A. Company"),
  `scope_description`, `unique_id`, `unique_id_authority`, `address`, `contact` and
  `authorizer` (`Person`: name, title, email, phone), `effective_date` (a date however
  it was typed, see dates.py; an ambiguous or impossible one as written, with a warning).
* `questions`: per-metal questions under stable keys (`answer(key, metal)`):
  intentionally_added, necessary, remains_in_product, from_covered_countries,
  from_conflict_affected_areas, recycled_or_scrap, all_suppliers_responded,
  supplier_response_share, all_smelters_identified, all_smelter_info_reported,
  all_smelters_validated - each version has its own subset. Answers are in the
  template's spelling when they are one of its choices; `raw` keeps what was written. A
  blank answer is "", never "Unknown".
* `company_questions` (A...K by version, `company_answer(key)`), `policy_url`.
* `smelters` (`SmelterRow`, one per non-blank row, in sheet order, duplicates kept),
  `rejected` (`Rejected`: row, reason, sheet), `products` (`ProductRow`).
* `problems`: `generator.problems.Problem` values, sorted; codes start with "cmrt.".
"""
from typing import TYPE_CHECKING, Any

from generator.supply.cmrt.declaration import (
    CompanyAnswer,
    Declaration,
    MetalAnswer,
    Person,
    ProductRow,
    Question,
    Rejected,
    SmelterRow,
)

if TYPE_CHECKING:
    from generator.supply.cmrt.reader import MAX_LIST_ROWS, read_workbook


def __getattr__(name: str) -> Any:
    """The reader, imported when first asked for: a build whose workbooks all come from the cache
    (or a worker's parent) never loads the parsers and the template layouts."""
    if name in ("MAX_LIST_ROWS", "read_workbook"):
        from generator.supply.cmrt import reader
        return getattr(reader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "MAX_LIST_ROWS",
    "CompanyAnswer",
    "Declaration",
    "MetalAnswer",
    "Person",
    "ProductRow",
    "Question",
    "Rejected",
    "SmelterRow",
    "read_workbook",
]
