"""Stage: the suppliers' EMRT and CRT answers, consolidated as the CMRTs are.

`minerals:` in data/supply-chain.yml names the folder of EMRT/CRT workbooks, the reference
lists of processors for these minerals (RMI's cobalt and mica lists, e.g. the "Cobalt List"
and "Mica" sheets of an RMI list workbook) and, optionally, status lists (RMI's conformant
and active lists). Rows are matched (generator.supply.matching) and merged into one
processor per facility exactly as the 3TG rows are; every row is accounted for: published,
merged duplicate, rejected or unmatched. A processor's status is "Conformant" when a status
list names it conformant, "Active" when one names it active, else "".
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from generator.model import MINERALS
from generator.problems import Problems, display_path
from generator.supply import cmrt, values
from generator.supply.consolidate import (
    ListFile,
    Minerals,
    Response,
    RosterEntry,
    RowOutcome,
    UnlistedFacility,
    _merge_rows,
    _responses,
    _warn_for_review,
    merge_lists,
)
from generator.supply.folder import read_declarations
from generator.supply.matching import Matcher, country_key
from generator.supply.reference import ReferenceList, is_conformant, read_list
from generator.supply.roster import Alias, read_aliases

log = logging.getLogger(__name__)

CONFORMANT, ACTIVE = "Conformant", "Active"


@dataclass(frozen=True)
class Processor:
    """A smelter or processor of one mineral, as published on the "Other minerals" page."""
    mineral: str
    name: str
    smelter_id: str
    country: str
    status: str  # CONFORMANT, ACTIVE or ""
    reporters: tuple[str, ...]


@dataclass(frozen=True)
class MineralsConsolidation:
    settings: Minerals
    lists: tuple[ReferenceList, ...]
    status_lists: tuple[ReferenceList, ...]
    processors: tuple[Processor, ...]
    unlisted: tuple[UnlistedFacility, ...]
    outcomes: tuple[RowOutcome, ...]
    responses: tuple[Response, ...]
    declarations: tuple[cmrt.Declaration, ...] = field(repr=False)

    def count(self, outcome: str) -> int:
        return sum(o.outcome == outcome for o in self.outcomes)

    @property
    def rows_read(self) -> int:
        return sum(len(d.smelters) + len(d.rejected) for d in self.declarations)

    def processors_of(self, mineral: str) -> list[Processor]:
        return [p for p in self.processors if p.mineral == mineral]

    def status_counts(self, mineral: str | None = None) -> dict[str, int]:
        """Processors (of one mineral, or all) by status: Conformant, Active, and "" for neither."""
        chosen = self.processors if mineral is None else self.processors_of(mineral)
        return {s: sum(p.status == s for p in chosen) for s in (CONFORMANT, ACTIVE, "")}

    def countries(self) -> list[tuple[str, str, int]]:
        """(mineral, country, processors) where the country is known: by mineral, most first, then by name."""
        rows = []
        for mineral in self.minerals:
            counts: Counter = Counter()
            shown: dict[str, str] = {}
            for p in self.processors_of(mineral):
                if p.country:
                    key = country_key(p.country)
                    shown.setdefault(key, " ".join(p.country.split()))
                    counts[key] += 1
            rows += sorted(((mineral, shown[k], n) for k, n in counts.items()), key=lambda r: (-r[2], r[1]))
        return rows

    @property
    def minerals(self) -> tuple[str, ...]:
        """The minerals with a processor or declared in scope, in the templates' order."""
        found = {p.mineral for p in self.processors} | {m for d in self.declarations for m in d.minerals}
        return tuple(m for m in MINERALS if m in found)


def consolidate_minerals(settings: Minerals, data_dir: Path, root: Path, problems: Problems,
                         roster: list[RosterEntry], cache_root: Path) -> MineralsConsolidation:
    lists = _lists(settings.reference_lists, data_dir, root, problems, cache_root)
    status_lists = _lists(settings.status_lists, data_dir, root, problems, cache_root, status=True)
    declarations = _minerals_only(read_declarations(data_dir / settings.workbooks, problems, root, cache_root),
                                  problems)
    entries, across = merge_lists(lists)
    for problem in across:  # two lists giving one ID different minerals: its rows are held
        problems.warn(problem.file, problem.code, problem.message, sheet=problem.sheet)
    conflicts = frozenset(c.smelter_id for ref in lists for c in (*ref.conflicts, *across) if c.smelter_id)
    aliases: tuple[Alias, ...] = ()
    if settings.aliases:
        path = data_dir / settings.aliases
        aliases = read_aliases(path, problems, display_path(path, root), values.mineral, ", ".join(MINERALS),
                               cache_root)
    matcher = Matcher(entries, aliases, conflicts)
    statuses = _statuses(status_lists)
    facilities, unlisted, outcomes = _merge_rows(declarations, matcher, {i for i, s in statuses.items()
                                                                        if s == CONFORMANT})
    _warn_for_review(outcomes, problems)
    processors = tuple(Processor(f.metal, f.name, f.smelter_id, f.country, statuses.get(f.smelter_id, ""),
                                 f.reporters) for f in facilities)
    log.info("minerals: %d processors from %d workbooks", len(processors), len(declarations))
    return MineralsConsolidation(settings, tuple(lists), tuple(status_lists), processors, unlisted, outcomes,
                                 _responses(declarations, roster), tuple(declarations))


def _lists(items: list[ListFile], data_dir: Path, root: Path, problems: Problems, cache_root: Path,
           status: bool = False) -> list[ReferenceList]:
    found = []
    for item in items:
        path = data_dir / item.file
        loaded = read_list(path, item.title, item.as_of, problems, display_path(path, root), item.sheet,
                           conformance=status, metals=MINERALS, cache_root=cache_root)
        if loaded is not None:
            if not loaded.entries:
                problems.warn(loaded.source, "minerals.empty-list",
                              f"no entry of {', '.join(MINERALS)} in this list; is it the right file or sheet?")
            found.append(loaded)
    return found


def _statuses(status_lists: list[ReferenceList]) -> dict[str, str]:
    """Smelter ID -> CONFORMANT or ACTIVE: conformant on one list wins over active on another (a
    facility moves from one to the other); an ID a list itself contradicts is not conformant."""
    doubtful = {c.smelter_id for ref in status_lists for c in ref.conflicts if c.smelter_id}
    statuses: dict[str, str] = {}
    for ref in status_lists:
        for entry in ref.entries:
            if not entry.smelter_id:
                continue
            if is_conformant(entry) and entry.smelter_id not in doubtful:
                statuses[entry.smelter_id] = CONFORMANT
            elif " ".join(entry.status.split()).casefold() == "active":
                statuses.setdefault(entry.smelter_id, ACTIVE)
    return statuses


def _minerals_only(declarations: list[cmrt.Declaration], problems: Problems) -> list[cmrt.Declaration]:
    """A CMRT among the EMRTs answers the 3TG survey: named, and not counted here."""
    kept = []
    for d in declarations:
        if d.readable and d.template == "CMRT":
            problems.warn(d.file, "minerals.not-an-emrt",
                          f"is a CMRT {d.template_version}, not an EMRT or CRT: it is not counted among the "
                          f"minerals answers; put it in the folder of CMRTs (workbooks: in data/supply-chain.yml)")
        else:
            kept.append(d)
    return kept

