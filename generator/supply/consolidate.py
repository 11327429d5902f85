"""Stage: from a folder of supplier CMRTs to one smelter list and the survey figures.

Reads every workbook in data/<workbooks>/, the supplier roster, the reference
and conformance lists and the alias file; matches each supplier smelter row to
a facility (generator.supply.matching); merges them into one entry per facility; and
computes the survey figures that feed the narrative's placeholders. Every row
read is accounted for: published, merged duplicate, rejected, unmatched, or held
for review on a red flag (held rows count toward nothing).
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

from generator.model import METALS
from generator.problems import Problem, Problems, display_path
from generator.supply import cmrt, values
from generator.supply.folder import read_declarations
from generator.supply.matching import Matcher, Suggestion, name_key
from generator.supply.reference import (
    ListConflict,
    ReferenceEntry,
    ReferenceList,
    entry_key,
    is_conformant,
    read_list,
)
from generator.supply.roster import Alias, RosterEntry, read_aliases, read_roster

if TYPE_CHECKING:
    from generator.supply.minerals import MineralsConsolidation

log = logging.getLogger(__name__)

# --- data/supply-chain.yml -------------------------------------------------------------

@dataclass(frozen=True)
class ListFile:
    file: str
    title: str
    as_of: dt.date
    sheet: str | None = None


@dataclass(frozen=True)
class Minerals:
    """`minerals:` in data/supply-chain.yml: the suppliers' EMRT and CRT answers (cobalt, mica, ...)."""
    workbooks: str
    reference_lists: list[ListFile]
    status_lists: list[ListFile] = field(default_factory=list)  # e.g. RMI's conformant and active lists
    aliases: str | None = None  # as `aliases` of SupplyChain, for these minerals
    page: bool = False  # publish the "Other minerals" page


@dataclass(frozen=True)
class SupplyChain:
    """Where the supplier answers and the lists are, and what may be published."""
    roster: str
    reference_lists: list[ListFile]
    conformance: ListFile
    workbooks: str = "cmrt"
    aliases: str | None = None
    publish_supplier_names: bool = False
    unlisted_facilities: Literal["publish", "report"] = "report"
    minerals: Minerals | None = None


# --- results ----------------------------------------------------------------------------

Outcome = Literal["published", "duplicate", "rejected", "unmatched", "held"]
OUTCOMES: tuple[Outcome, ...] = ("published", "duplicate", "rejected", "unmatched", "held")


class RowOutcome(NamedTuple):
    """What became of one supplier smelter row (or rejected row): one line of review/<YEAR>/rows.csv.

    `reason` is a short code (see matching.Match and REJECTED_CODES), `detail` the same in words;
    `facility_id` the smelter ID the row counts toward (published and duplicate rows only). A named
    tuple, as cmrt.SmelterRow: one is made for every row of every build."""
    file: str
    sheet: str
    row: int
    outcome: Outcome
    reason: str
    metal: str = ""
    name: str = ""
    smelter_id: str = ""
    country: str = ""
    facility_id: str = ""
    detail: str = ""
    flags: tuple[str, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()


@dataclass(frozen=True)
class ConsolidatedFacility:
    metal: str
    name: str
    smelter_id: str
    country: str
    conformant: bool
    reporters: tuple[str, ...]
    row_countries: tuple[str, ...] = ()  # the countries the suppliers' rows gave it


@dataclass(frozen=True)
class UnlistedFacility:
    metal: str
    name: str
    country: str
    reporters: tuple[str, ...]
    rows: tuple[str, ...]


@dataclass(frozen=True)
class Response:
    file: str
    company: str
    roster_name: str
    version: str
    scope: str
    complete: bool
    errors: int
    warnings: int
    smelter_rows: int
    rejected_rows: int
    readable: bool = True
    unreadable_reason: str = ""           # why the workbook could not be read at all
    products: tuple[cmrt.ProductRow, ...] = ()
    template: str = "CMRT"

    @property
    def counts(self) -> bool:
        """Only a CMRT answers the 3TG survey: an EMRT, CRT or AMRT does not. (A file that could not be
        read at all counts as an incomplete response, as before.)"""
        return self.template in ("CMRT", "")

    @property
    def product_scope(self) -> bool:
        """Declared for products (scope B, or a scope that names products), not the whole company."""
        return self.scope.strip().upper().startswith("B") or "product" in self.scope.casefold()


@dataclass(frozen=True)
class AnswerCounts:
    """One metal's answers to a Yes/No/Unknown question across the readable workbooks."""
    yes: int = 0
    no: int = 0
    unknown: int = 0
    not_answered: int = 0   # left blank (or an answer not among the template's choices)
    not_used: int = 0       # Q1 is No for the metal: the question is not asked


@dataclass(frozen=True)
class SurveyFigures:
    surveyed: int
    responded: int
    complete: int
    incomplete: int
    unmatched_workbooks: int
    covered_countries: dict[str, AnswerCounts]    # metal -> the answers to "from the Covered Countries?"
    scopes: dict[str, int]                         # "Company" / "Product or other" -> n
    unreadable_workbooks: int = 0

    @property
    def response_rate_percent(self) -> int:
        return round(100 * self.responded / self.surveyed) if self.surveyed else 0


@dataclass(frozen=True)
class Consolidation:
    settings: SupplyChain
    lists: tuple[ReferenceList, ...]
    conformance: ReferenceList
    facilities: tuple[ConsolidatedFacility, ...]
    unlisted: tuple[UnlistedFacility, ...]
    outcomes: tuple[RowOutcome, ...]
    responses: tuple[Response, ...]
    declarations: tuple[cmrt.Declaration, ...] = field(repr=False)
    survey: SurveyFigures
    roster_names: tuple[str, ...] = ()
    conflicts: tuple[ListConflict, ...] = ()     # in the reference and conformance lists
    problems: tuple[Problem, ...] = ()
    """Every problem this stage found outside the supplier workbooks' own (lists, roster, files not read)."""
    minerals: MineralsConsolidation | None = None  # the EMRT/CRT answers, when configured

    def count(self, outcome: str) -> int:
        return sum(o.outcome == outcome for o in self.outcomes)

    @property
    def rows_read(self) -> int:
        return sum(len(d.smelters) + len(d.rejected) for d in self.declarations)


# --- the stage --------------------------------------------------------------------------

def consolidate(settings: SupplyChain, data_dir: Path, root: Path, problems: Problems,
                cache_root: Path | None = None, meanwhile: Callable[[], object] | None = None) -> Consolidation | None:
    """`root` is what file names are shown relative to; `cache_root` the project whose .cache/ to use;
    `meanwhile`, the caller's own work to do while the workers read the workbooks."""
    def show(path: Path) -> str:
        return display_path(path, root)

    start = len(problems.items)
    cache = cache_root or root
    rest: list[_Rest] = []  # the lists, the roster and the aliases: read while the workers read the workbooks

    def read_rest() -> None:
        rest.append(_read_rest(settings, data_dir, problems, show, cache))
        if meanwhile is not None:
            meanwhile()

    declarations = _without_mineral_rows(read_declarations(data_dir / settings.workbooks, problems, root, cache,
                                                           meanwhile=read_rest), problems)
    lists, conformance, roster, aliases = rest[0]
    minerals = None
    if settings.minerals is not None:
        from generator.supply.minerals import consolidate_minerals  # it builds on this stage's merging
        minerals = consolidate_minerals(settings.minerals, data_dir, root, problems, roster, cache)
    if conformance is None or not lists:
        return None
    entries, across = merge_lists(lists)
    for problem in across:  # each made with its literal code below, in merge_lists
        problems.warn(problem.file, problem.code, problem.message, sheet=problem.sheet)
    conflicts = tuple(c for ref in lists for c in ref.conflicts) + across
    matcher = Matcher(entries, aliases, frozenset(c.smelter_id for c in conflicts if c.smelter_id))
    doubtful = {c.smelter_id for c in conformance.conflicts if c.smelter_id}
    conformant_ids = {e.smelter_id for e in conformance.entries
                      if e.smelter_id and is_conformant(e) and e.smelter_id not in doubtful}
    facilities, unlisted, outcomes = _merge_rows(declarations, matcher, conformant_ids)
    _warn_for_review(outcomes, problems)
    responses = _responses(declarations, roster)
    return Consolidation(settings, tuple(lists), conformance, facilities, unlisted, outcomes, responses,
                         tuple(declarations), _survey(roster, responses, declarations),
                         tuple(r.name for r in roster), tuple(dict.fromkeys(conflicts + conformance.conflicts)),
                         _outside(problems.items[start:], [*declarations, *(minerals.declarations if minerals else ())]),
                         minerals)


_Rest = tuple[list[ReferenceList], "ReferenceList | None", list[RosterEntry], tuple[Alias, ...]]


def _read_rest(settings: SupplyChain, data_dir: Path, problems: Problems, show: Callable[[Path], str],
               cache: Path) -> _Rest:
    """The reference lists (those that could be read), the conformance list, the roster and the aliases."""
    lists = []
    for item in settings.reference_lists:
        path = data_dir / item.file
        loaded = read_list(path, item.title, item.as_of, problems, show(path), item.sheet, cache_root=cache)
        if loaded is not None:
            lists.append(loaded)
    conf_path = data_dir / settings.conformance.file
    conformance = read_list(conf_path, settings.conformance.title, settings.conformance.as_of, problems,
                            show(conf_path), settings.conformance.sheet, conformance=True, cache_root=cache)
    roster = read_roster(data_dir / settings.roster, problems, show(data_dir / settings.roster), cache)
    aliases = read_aliases(data_dir / settings.aliases, problems, show(data_dir / settings.aliases),
                           cache_root=cache) if settings.aliases else ()
    return lists, conformance, roster, aliases


def _outside(found: list[Problem], declarations: list[cmrt.Declaration]) -> tuple[Problem, ...]:
    """The problems not already listed under a supplier file of the review report."""
    listed = {(d.file, p.code, p.message, p.sheet, p.cell) for d in declarations for p in d.problems}
    return tuple(sorted({p for p in found if (p.file, p.code, p.message, p.sheet, p.cell) not in listed}))


def _without_mineral_rows(declarations: list[cmrt.Declaration], problems: Problems) -> list[cmrt.Declaration]:
    """An EMRT or CRT among the CMRTs answers another survey: named, listed as not counted, and its
    cobalt or mica rows left to the minerals stage (minerals: in data/supply-chain.yml)."""
    kept = []
    for d in declarations:
        if d.readable and d.template in ("EMRT", "CRT"):
            problems.warn(d.file, "supply.not-a-cmrt-answer",
                          f"is an {d.template} {d.template_version}, not a CMRT: it answers no question of the 3TG "
                          f"survey, so neither it nor its {len(d.smelters)} smelter row(s) count here; put it in "
                          f"the folder of EMRT and CRT answers (minerals: workbooks: in data/supply-chain.yml)")
            d = replace(d, smelters=(), rejected=(), mines=())
        kept.append(d)
    return kept


def merge_lists(lists: list[ReferenceList]) -> tuple[list[ReferenceEntry], tuple[ListConflict, ...]]:
    """One entry per smelter ID across lists: the first list's name and country, all aliases and old IDs;
    and the IDs that two lists give different metals (their rows are held)."""
    merged: dict[str, ReferenceEntry] = {}
    where: dict[str, ReferenceList] = {}
    conflicts = []
    for ref in lists:
        for entry in ref.entries:
            key = entry_key(entry)
            if key not in merged:
                merged[key], where[key] = entry, ref
                continue
            first = merged[key]
            if first.metal != entry.metal:
                conflicts.append(ListConflict(
                    ref.file, ref.sheet, code="reference.id-metals", smelter_id=entry.smelter_id,
                    message=f"{entry.smelter_id} is a {entry.metal} facility here (row {entry.row}) but a "
                    f"{first.metal} one in {where[key].source} (row {first.row}); its supplier rows are held for review"))
                continue
            aliases = set(first.aliases) | set(entry.aliases)
            if name_key(entry.name) != name_key(first.name):
                aliases.add(entry.name)
            merged[key] = replace(first, aliases=tuple(sorted(aliases)),
                                  legacy_ids=tuple(sorted(set(first.legacy_ids) | set(entry.legacy_ids))),
                                  country=first.country or entry.country)
    return list(merged.values()), tuple(conflicts)


@dataclass
class _Reported:
    """A facility of the reference list as the suppliers' rows report it, while merging."""
    entry: ReferenceEntry
    reporters: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)


@dataclass
class _Unlisted:
    """A named facility that no list has, while merging."""
    name: str
    country: str
    reporters: set[str] = field(default_factory=set)
    rows: list[str] = field(default_factory=list)


# The reader's reasons for rejecting a row, as short codes (by the start of its sentence).
REJECTED_CODES = (("only a smelter ID", "id-only"), ("no metal", "no-metal"), ("only a metal", "metal-only"),
                  ("unknown metal", "unknown-metal"))


def rejected_code(reason: str) -> str:
    return next((code for start, code in REJECTED_CODES if reason.startswith(start)), "rejected")


def _merge_rows(declarations: list[cmrt.Declaration], matcher: Matcher, conformant_ids: set[str]
                ) -> tuple[tuple[ConsolidatedFacility, ...], tuple[UnlistedFacility, ...], tuple[RowOutcome, ...]]:
    found: dict[str, _Reported] = {}
    unlisted: dict[tuple[str, str], _Unlisted] = {}
    outcomes = []
    for decl in declarations:
        company = decl.company_name or Path(decl.file).name
        for rejected in decl.rejected:
            outcomes.append(RowOutcome(decl.file, rejected.sheet or decl.smelter_sheet, rejected.row, "rejected",
                                       rejected_code(rejected.reason), detail=rejected.reason))
        for row in decl.smelters:
            name = row.reported_name
            match = matcher.match(row.metal, name, row.smelter_id, row.country)
            reason, detail, facility_id = match.reason, match.detail, ""
            suggestions: tuple[Suggestion, ...] = ()
            if match.status == "held":
                kind: Outcome = "held"
            elif match.status == "unmatched" or match.facility is None:
                kind, suggestions = "unmatched", matcher.nearest(row.metal, name)
                if not name and values.is_placeholder(row.lookup):
                    reason, detail = "placeholder", f"{row.lookup}: no facility named"
                if name:
                    item = unlisted.setdefault((row.metal, name_key(name)), _Unlisted(name, row.country))
                    item.reporters.add(company)
                    item.rows.append(f"{decl.file}, row {row.row}")
            else:
                key = entry_key(match.facility)
                reported = found.get(key)
                if reported is None:  # the first row to report it
                    kind = "published"
                    reported = found[key] = _Reported(match.facility)
                else:
                    kind = "duplicate"
                reported.reporters.add(company)
                if row.country:
                    reported.countries.add(row.country)
                facility_id = match.facility.smelter_id
            # One record per row, made once (dataclasses.replace on each would cost more than the matching).
            outcomes.append(RowOutcome(decl.file, decl.smelter_sheet, row.row, kind, reason, row.metal, name,
                                       row.smelter_id, row.country, facility_id, detail, match.flags, suggestions))
    facilities = tuple(sorted(
        (ConsolidatedFacility(f.entry.metal, f.entry.name, f.entry.smelter_id, f.entry.country,
                              f.entry.smelter_id in conformant_ids, tuple(sorted(f.reporters)),
                              tuple(sorted(f.countries)))
         for f in found.values()), key=lambda f: (f.metal, f.name.casefold(), f.smelter_id)))
    unlisted_list = tuple(sorted(
        (UnlistedFacility(metal, u.name, u.country, tuple(sorted(u.reporters)), tuple(u.rows))
         for (metal, _), u in unlisted.items()), key=lambda u: (u.metal, u.name.casefold())))
    return facilities, unlisted_list, tuple(sorted(outcomes, key=lambda o: (o.file, o.row, o.sheet)))


def _warn_for_review(outcomes: tuple[RowOutcome, ...], problems: Problems) -> None:
    """Held rows and red flags one by one; unmatched rows as one line per file (all are in the review report)."""
    unmatched = Counter(o.file for o in outcomes if o.outcome == "unmatched")
    for o in outcomes:
        if o.outcome == "held":
            problems.warn(o.file, "supply.held", f"held for review, counted toward no facility: {o.detail}; "
                          "to resolve it, map this name to the right smelter ID in the alias file",
                          sheet=o.sheet, cell=f"B{o.row}")
            continue
        for flag in o.flags:
            problems.warn(o.file, "supply.red-flag", flag, sheet=o.sheet, cell=f"B{o.row}")
    for file, n in sorted(unmatched.items()):
        problems.warn(file, "supply.unmatched", f"{n} smelter row(s) match no facility of the reference list; "
                      "see the review report, review/<YEAR>/report.md, and add the right ones to the alias file")


def _responses(declarations, roster: list[RosterEntry]) -> tuple[Response, ...]:
    by_name = {name_key(r.name): r for r in roster}
    by_id = {r.supplier_id.strip().casefold(): r for r in roster if r.supplier_id.strip()}
    responses = []
    for decl in declarations:
        entry = by_id.get(decl.unique_id.strip().casefold()) if decl.unique_id.strip() else None
        if entry is None and decl.company_name:
            entry = by_name.get(name_key(decl.company_name))
        errors = sum(p.severity == "error" for p in decl.problems)
        reason = "" if decl.readable else \
            "; ".join(p.message for p in decl.problems if p.severity == "error") or "it could not be read"
        responses.append(Response(decl.file, decl.company_name, entry.name if entry else "", decl.template_version,
                                  decl.declaration_scope, decl.is_cmrt and errors == 0, errors,
                                  len(decl.problems) - errors, len(decl.smelters), len(decl.rejected),
                                  decl.readable, reason, decl.products, decl.template))
    return tuple(responses)


def _survey(roster, responses, declarations) -> SurveyFigures:
    """The figures of the 3TG survey: CMRTs only (an EMRT, CRT or AMRT answers another survey)."""
    counted = [r for r in responses if r.counts]
    matched = [r for r in counted if r.roster_name]
    responded = {r.roster_name for r in matched}
    complete = {r.roster_name for r in matched if r.complete}
    readable = [d for d in declarations if d.is_cmrt]
    covered = {metal: _answer_counts(readable, "from_covered_countries", metal) for metal in METALS}
    scopes = Counter(_scope(d.declaration_scope) for d in readable)
    return SurveyFigures(len(roster), len(responded), len(complete), len(responded - complete),
                         sum(1 for r in counted if not r.roster_name and r.readable), covered,
                         dict(sorted(scopes.items())), sum(1 for r in responses if not r.readable))


def _scope(scope: str) -> str:
    return "Company" if (scope or "").strip().upper().startswith("A") else \
        ("Not stated" if not scope else "Product or other")


def _answer_counts(declarations: list[cmrt.Declaration], key: str, metal: str) -> AnswerCounts:
    """Yes, No and Unknown as answered; blank apart from Unknown; not asked where Q1 is No."""
    kinds = Counter(_answer_kind(d, key, metal) for d in declarations)
    return AnswerCounts(kinds["yes"], kinds["no"], kinds["unknown"], kinds["not_answered"], kinds["not_used"])


def _answer_kind(decl: cmrt.Declaration, key: str, metal: str) -> str:
    first = next((q for q in decl.questions if q.number == 1), None)
    if first is not None and first.key != key and first.answer(metal).strip().casefold() == "no":
        return "not_used"
    folded = decl.answer(key, metal).strip().casefold()
    if folded.startswith("yes"):
        return "yes"
    if folded.startswith("no"):
        return "no"
    if "unknown" in folded:
        return "unknown"
    return "not_answered"


