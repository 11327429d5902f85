"""Stage: from a folder of supplier CMRTs to one smelter list and the survey figures.

Reads every workbook in data/<workbooks>/, the supplier roster, the reference
and conformance lists and the alias file; matches each supplier smelter row to
a facility (generator.supply.matching); merges them into one entry per facility; and
computes the survey figures that feed the narrative's placeholders. Every row
read is accounted for: published, merged duplicate, rejected or unmatched.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from generator.excel.workbook import WorkbookError, open_workbook
from generator.model import METALS
from generator.problems import Problems, display_path
from generator.supply import cmrt, values
from generator.supply.folder import read_declarations
from generator.supply.matching import Matcher, name_key
from generator.supply.reference import (
    ReferenceEntry,
    ReferenceList,
    entry_key,
    is_conformant,
    read_csv,
    read_list,
    sheet_rows,
)

log = logging.getLogger(__name__)

# --- data/supply-chain.yml -------------------------------------------------------------

@dataclass(frozen=True)
class ListFile:
    file: str
    title: str
    as_of: dt.date
    sheet: str | None = None


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


# --- results ----------------------------------------------------------------------------

@dataclass(frozen=True)
class RosterEntry:
    name: str
    supplier_id: str
    contact: str
    row: int


@dataclass(frozen=True)
class RowOutcome:
    """What became of one supplier smelter row (or rejected row)."""
    file: str
    row: int
    outcome: Literal["published", "duplicate", "unmatched", "rejected"]
    metal: str = ""
    name: str = ""
    smelter_id: str = ""
    facility_id: str = ""
    how: str = ""
    flags: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class ConsolidatedFacility:
    metal: str
    name: str
    smelter_id: str
    country: str
    conformant: bool
    reporters: tuple[str, ...]


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
    template: str = "CMRT"

    @property
    def counts(self) -> bool:
        """Only a CMRT answers the 3TG survey: an EMRT, CRT or AMRT does not. (A file that could not be
        read at all counts as an incomplete response, as before.)"""
        return self.template in ("CMRT", "")


COVERED_ANSWERS = ("Yes", "No", "Unknown", "Not answered")


@dataclass(frozen=True)
class SurveyFigures:
    surveyed: int
    responded: int
    complete: int
    incomplete: int
    unmatched_workbooks: int
    covered_countries: dict[str, dict[str, int]]   # metal -> {"Yes": n, "No": n, "Unknown": n, "Not answered": n}
    scopes: dict[str, int]                         # "Company" / "Product or other" -> n

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

    def count(self, outcome: str) -> int:
        return sum(o.outcome == outcome for o in self.outcomes)


# --- the stage --------------------------------------------------------------------------

def consolidate(settings: SupplyChain, data_dir: Path, root: Path, problems: Problems,
                cache_root: Path | None = None) -> Consolidation | None:
    """`root` is what file names are shown relative to; `cache_root` the project whose .cache/ to use."""
    def show(path: Path) -> str:
        return display_path(path, root)

    lists = []
    for item in settings.reference_lists:
        path = data_dir / item.file
        loaded = read_list(path, item.title, item.as_of, problems, show(path), item.sheet)
        if loaded is not None:
            lists.append(loaded)
    conf_path = data_dir / settings.conformance.file
    conformance = read_list(conf_path, settings.conformance.title, settings.conformance.as_of, problems,
                            show(conf_path), settings.conformance.sheet)
    roster = read_roster(data_dir / settings.roster, problems, show(data_dir / settings.roster))
    aliases = read_aliases(data_dir / settings.aliases, problems, show(data_dir / settings.aliases)) \
        if settings.aliases else {}
    declarations = read_declarations(data_dir / settings.workbooks, problems, root, cache_root or root)
    if conformance is None or not lists:
        return None
    entries = merge_lists(lists)
    matcher = Matcher(entries, aliases)
    conformant_ids = {e.smelter_id for e in conformance.entries if e.smelter_id and is_conformant(e)}
    facilities, unlisted, outcomes = _merge_rows(declarations, matcher, conformant_ids)
    _warn_for_review(outcomes, declarations, problems)
    responses = _responses(declarations, roster)
    return Consolidation(settings, tuple(lists), conformance, facilities, unlisted, outcomes, responses,
                         tuple(declarations), _survey(roster, responses, declarations),
                         tuple(r.name for r in roster))


def merge_lists(lists: list[ReferenceList]) -> list[ReferenceEntry]:
    """One entry per smelter ID across lists: the first list's name and country, all aliases and old IDs."""
    merged: dict[str, ReferenceEntry] = {}
    order = []
    for ref in lists:
        for entry in ref.entries:
            key = entry_key(entry)
            if key not in merged:
                merged[key] = entry
                order.append(key)
                continue
            first = merged[key]
            aliases = set(first.aliases) | set(entry.aliases)
            if name_key(entry.name) != name_key(first.name):
                aliases.add(entry.name)
            merged[key] = replace(first, aliases=tuple(sorted(aliases)),
                                  legacy_ids=tuple(sorted(set(first.legacy_ids) | set(entry.legacy_ids))),
                                  country=first.country or entry.country)
    return [merged[k] for k in order]


@dataclass
class _Reported:
    """A facility of the reference list as the suppliers' rows report it, while merging."""
    entry: ReferenceEntry
    reporters: set[str] = field(default_factory=set)


@dataclass
class _Unlisted:
    """A named facility that no list has, while merging."""
    name: str
    country: str
    reporters: set[str] = field(default_factory=set)
    rows: list[str] = field(default_factory=list)


def _merge_rows(declarations: list[cmrt.Declaration], matcher: Matcher, conformant_ids: set[str]
                ) -> tuple[tuple[ConsolidatedFacility, ...], tuple[UnlistedFacility, ...], tuple[RowOutcome, ...]]:
    found: dict[str, _Reported] = {}
    unlisted: dict[tuple[str, str], _Unlisted] = {}
    outcomes = []
    for decl in declarations:
        company = decl.company_name or Path(decl.file).name
        for rejected in decl.rejected:
            outcomes.append(RowOutcome(decl.file, rejected.row, "rejected", reason=rejected.reason))
        for row in decl.smelters:
            name = row.reported_name
            match = matcher.match(row.metal, name, row.smelter_id, row.country)
            if match.facility is None:
                reason = match.reason
                if not name and values.is_placeholder(row.lookup):
                    reason = f"{row.lookup}: no facility named"
                outcomes.append(RowOutcome(decl.file, row.row, "unmatched", row.metal, name, row.smelter_id,
                                           how=match.how, flags=match.flags, reason=reason))
                if name:
                    item = unlisted.setdefault((row.metal, name_key(name)), _Unlisted(name, row.country))
                    item.reporters.add(company)
                    item.rows.append(f"{decl.file}, row {row.row}")
                continue
            facility = match.facility
            key = entry_key(facility)
            outcome: Literal["published", "duplicate"] = "duplicate" if key in found else "published"
            found.setdefault(key, _Reported(facility)).reporters.add(company)
            outcomes.append(RowOutcome(decl.file, row.row, outcome, row.metal, name, row.smelter_id,
                                       facility_id=facility.smelter_id, how=match.how, flags=match.flags))
    facilities = tuple(sorted(
        (ConsolidatedFacility(f.entry.metal, f.entry.name, f.entry.smelter_id, f.entry.country,
                              f.entry.smelter_id in conformant_ids, tuple(sorted(f.reporters)))
         for f in found.values()), key=lambda f: (f.metal, f.name.casefold(), f.smelter_id)))
    unlisted_list = tuple(sorted(
        (UnlistedFacility(metal, u.name, u.country, tuple(sorted(u.reporters)), tuple(u.rows))
         for (metal, _), u in unlisted.items()), key=lambda u: (u.metal, u.name.casefold())))
    return facilities, unlisted_list, tuple(outcomes)


def _warn_for_review(outcomes: tuple[RowOutcome, ...], declarations: list[cmrt.Declaration],
                     problems: Problems) -> None:
    """Red flags one by one; unmatched rows as one line per file (all are in the review report)."""
    sheets = {d.file: d.smelter_sheet for d in declarations}
    unmatched = Counter(o.file for o in outcomes if o.outcome == "unmatched")
    for o in outcomes:
        for flag in o.flags:
            problems.warn(o.file, "supply.red-flag", flag, sheet=sheets.get(o.file, ""), cell=f"B{o.row}")
    for file, n in sorted(unmatched.items()):
        problems.warn(file, "supply.unmatched", f"{n} smelter row(s) match no facility of the reference list; "
                      "see review/report.md, and add the right ones to the alias file")


def _responses(declarations, roster: list[RosterEntry]) -> tuple[Response, ...]:
    by_name = {name_key(r.name): r for r in roster}
    by_id = {r.supplier_id.strip().casefold(): r for r in roster if r.supplier_id.strip()}
    responses = []
    for decl in declarations:
        entry = by_id.get(decl.unique_id.strip().casefold()) if decl.unique_id.strip() else None
        if entry is None and decl.company_name:
            entry = by_name.get(name_key(decl.company_name))
        errors = sum(p.severity == "error" for p in decl.problems)
        responses.append(Response(decl.file, decl.company_name, entry.name if entry else "", decl.template_version,
                                  decl.declaration_scope, decl.is_cmrt and errors == 0, errors,
                                  len(decl.problems) - errors, len(decl.smelters), len(decl.rejected),
                                  decl.template))
    return tuple(responses)


def _survey(roster, responses, declarations) -> SurveyFigures:
    """The figures of the 3TG survey: CMRTs only (an EMRT, CRT or AMRT answers another survey)."""
    counted = [r for r in responses if r.counts]
    matched = [r for r in counted if r.roster_name]
    responded = {r.roster_name for r in matched}
    complete = {r.roster_name for r in matched if r.complete}
    cmrts = [d for d in declarations if d.is_cmrt]
    covered = {}
    for metal in METALS:
        counts = Counter(_yes_no(d.answer("from_covered_countries", metal)) for d in cmrts)
        covered[metal] = {k: counts.get(k, 0) for k in COVERED_ANSWERS}
    scopes = Counter("Company" if (d.declaration_scope or "").strip().upper().startswith("A") else
                     ("Not stated" if not d.declaration_scope else "Product or other")
                     for d in cmrts)
    return SurveyFigures(len(roster), len(responded), len(complete), len(responded - complete),
                         sum(1 for r in counted if not r.roster_name), covered, dict(sorted(scopes.items())))


def _yes_no(answer: str) -> str:
    """Yes, No or Unknown as answered ("Uncertain or Unknown" is Unknown); a blank stays "Not answered"."""
    folded = answer.strip().casefold()
    if not folded:
        return "Not answered"
    if folded.startswith("yes"):
        return "Yes"
    if folded.startswith("no"):
        return "No"
    return "Unknown"


# --- roster and aliases -----------------------------------------------------------------

ROSTER_HEADERS = {"name": ("name", "supplier", "supplier name", "company", "company name"),
                  "supplier_id": ("id", "supplier id", "identifier", "supplier number", "vendor id"),
                  "contact": ("contact", "email", "contact email")}


def read_table(path: Path, problems: Problems, display: str) -> list[list[str]] | None:
    """A CSV (see reference.read_csv; Windows-1252 with a warning) or the first sheet of a workbook."""
    if not path.exists():
        problems.add(display, "supply.missing-file", "file not found")
        return None
    if path.suffix.lower() == ".csv":
        read = read_csv(path, problems, display)
        if read is not None and read[1] == "cp1252":
            problems.warn(display, "supply.encoding", "not UTF-8; read as Windows-1252")
        return read[0] if read is not None else None
    try:
        book = open_workbook(path)
        if not book.sheet_names:
            raise WorkbookError("supply.empty-workbook", "the workbook has no sheets")
        sheet = book.sheet(book.sheet_names[0])
    except WorkbookError as err:
        problems.add(display, err.code, err.message)
        return None
    return sheet_rows(sheet)


def read_roster(path: Path, problems: Problems, display: str) -> list[RosterEntry]:
    rows = read_table(path, problems, display)
    if not rows:
        if rows is not None:
            problems.add(display, "supply.roster-empty", "the roster is empty; expected a header row and suppliers")
        return []
    header = {" ".join(c.split()).casefold(): i for i, c in enumerate(rows[0])}
    columns = {key: next((header[n] for n in names if n in header), None) for key, names in ROSTER_HEADERS.items()}
    if columns["name"] is None:
        problems.add(display, "supply.roster-header", "the header row has no supplier name column; expected "
                     "one of: " + ", ".join(ROSTER_HEADERS["name"]), line=1)
        return []
    entries: list[RosterEntry] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        def get(key: str, row: list[str] = row) -> str:
            column = columns[key]
            return row[column].strip() if column is not None and column < len(row) else ""
        if not any(c.strip() for c in row):
            continue
        name = get("name")
        if not name:
            problems.add(display, "supply.roster-name", "the supplier name is blank", line=number)
            continue
        if name_key(name) in seen:
            problems.add(display, "supply.roster-duplicate",
                         f"supplier {name!r} is listed twice (first on line {seen[name_key(name)]})", line=number)
            continue
        seen[name_key(name)] = number
        entries.append(RosterEntry(name, get("supplier_id"), get("contact"), number))
    return entries


def read_aliases(path: Path, problems: Problems, display: str) -> dict[tuple[str, str], str]:
    """metal, name, smelter_id: a supplier's spelling mapped to a smelter ID, kept by reviewers."""
    rows = read_table(path, problems, display)
    if not rows:
        return {}
    header = [" ".join(c.split()).casefold() for c in rows[0]]
    missing = [h for h in ("metal", "name", "smelter_id") if h not in header]
    if missing:
        problems.add(display, "supply.alias-header", f"the header row lacks {', '.join(missing)}; expected "
                     "the columns metal, name, smelter_id", line=1)
        return {}
    col = {h: header.index(h) for h in ("metal", "name", "smelter_id")}
    aliases = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = {k: (row[i].strip() if i < len(row) else "") for k, i in col.items()}
        if not any(cells.values()):
            continue
        metal = values.metal(cells["metal"])
        smelter_id, ok = values.smelter_id(cells["smelter_id"])
        if not metal or not cells["name"] or not smelter_id or not ok:
            problems.add(display, "supply.alias-row", "expected a metal (Gold, Tantalum, Tin, Tungsten), a name "
                         f"and a smelter ID such as CID000001; found {cells}", line=number)
            continue
        aliases[(metal, name_key(cells["name"]))] = smelter_id
    return aliases
