"""Stage 3: compute the report model: grouped facilities, counts and figures.

Every number the pages state is computed here from the data, and the prose
placeholders ({{ smelters.total }} and the like) are filled from `figures`.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.content.load import FILES, GOALS_FILE, Content, Figure, shown_file
from generator.content.schema import Markdown, did_you_mean
from generator.model import ACTIVE, CONFORMANT, METALS, MINERALS, NON_CONFORMANT, NOT_ENROLLED, STATUSES, Facility
from generator.problems import Problems
from generator.supply.consolidate import Consolidation
from generator.supply.matching import country_key, is_covered_country, name_key
from generator.supply.status import statuses_by_id

# Figures that only the supplier answers give (data/supply-chain.yml).
SUPPLY_CHAIN_FIGURES = ("survey.responses", "survey.complete", "survey.incomplete", "smelters.unlisted")
# Figures of the "Other minerals" page (minerals: page: true in data/supply-chain.yml).
MINERALS_FIGURES = ("minerals.processors", "minerals.responses", *(f"minerals.{m.lower()}" for m in MINERALS))

if TYPE_CHECKING:
    from generator.supply.minerals import MineralsConsolidation

# What became of supplier smelter rows that were not counted as a facility, as the funnel says it.
OUTCOME_STEPS = {"rejected": "Rejected as not a usable smelter row", "unmatched": "Not matched to the reference list",
                 "held": "Held for review", "duplicate": "Repeats of a facility already counted"}
# The reasons of review/rows.csv (generator.supply.matching, consolidate.REJECTED_CODES) in words.
REASON_WORDS = {
    "id-only": "only a smelter ID, without a metal or name", "no-metal": "no metal", "metal-only": "only a metal",
    "unknown-metal": "a metal other than the four", "rejected": "not a usable smelter row",
    "no-name": "no smelter name or known ID", "ambiguous-name": "the name fits more than one facility",
    "not-listed": "not on the reference list by ID, alias or name",
    "placeholder": "no facility named (a placeholder such as 'Smelter not yet identified')",
    "id-metal": "the smelter ID is a facility of another metal",
    "id-name": "the smelter ID names another facility than the name",
}
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")
_QUALIFIER_WORDS = {"exactly": "", "over": "over ", "about": "about ", "under": "under "}


@dataclass(frozen=True)
class MetalGroup:
    metal: str
    facilities: list[Facility]

    @property
    def conflict_free(self) -> int:
        return sum(f.conflict_free for f in self.facilities)

    @property
    def status_counts(self) -> dict[str, int]:
        return {s: sum(f.status == s for f in self.facilities) for s in STATUSES}

    @property
    def conformant_percent(self) -> str:
        return percent(self.conflict_free, len(self.facilities))


@dataclass(frozen=True)
class Model:
    content: Content
    groups: list[MetalGroup]
    figures: dict[str, str]
    as_of: dt.date | None = None          # the date of the conflict-free designations
    designation_source: str = ""
    consolidation: Consolidation | None = None

    @property
    def year(self) -> int:
        """The reporting year: the calendar year in which the period ends."""
        return self.content.report.period.end.year

    @property
    def facilities(self) -> list[Facility]:
        return [f for g in self.groups for f in g.facilities]

    @property
    def locations(self) -> dict[str, int]:
        """Facilities by the country they stand in (where known), most first, then by name."""
        counts: dict[str, int] = {}
        shown: dict[str, str] = {}  # one spelling per country: the first met ("USA" and "United States" are one)
        for f in self.facilities:
            if f.country:
                key = country_key(f.country)
                shown.setdefault(key, " ".join(f.country.split()))
                counts[key] = counts.get(key, 0) + 1
        return dict(sorted(((shown[k], n) for k, n in counts.items()), key=lambda item: (-item[1], item[0])))

    @property
    def other_minerals(self) -> MineralsConsolidation | None:
        """The EMRT/CRT answers, when data/supply-chain.yml publishes them (minerals: page: true)."""
        c = self.consolidation
        minerals = c.minerals if c is not None else None
        return minerals if minerals is not None and minerals.settings.page else None

    @property
    def labels(self) -> dict[str, str]:
        """The word the pages show for each status."""
        return self.content.report.status_labels.by_status()

    @property
    def status_counts(self) -> dict[str, int]:
        return {s: sum(f.status == s for f in self.facilities) for s in STATUSES}

    @property
    def shown_statuses(self) -> list[str]:
        """The statuses the tables have a column for: conformant, and every other one some facility has."""
        counts = self.status_counts
        return [s for s in STATUSES if s == CONFORMANT or counts[s]]

    @property
    def designation_counts(self) -> dict[str, int]:
        """Facilities by the word shown for their status, for the shown statuses."""
        counts = self.status_counts
        return {self.labels[s]: counts[s] for s in self.shown_statuses}

    @property
    def conformant_percent(self) -> str:
        return percent(self.status_counts[CONFORMANT], len(self.facilities))

    @property
    def covered_answers(self) -> dict[str, dict[str, int]]:
        """Per metal, the suppliers' answers to whether it comes from the Covered Countries."""
        if self.consolidation is None:
            return {}
        return {metal: {"Yes": n.yes, "No": n.no, "Unknown": n.unknown, "Not answered": n.not_answered,
                        "Not asked (metal not used)": n.not_used}
                for metal, n in self.consolidation.survey.covered_countries.items()}

    @property
    def response_rate(self) -> tuple[int, str] | None:
        """The response rate as a whole percent and as the report states it; None when not stated."""
        if self.consolidation is not None:
            rate = self.consolidation.survey.response_rate_percent
            return rate, f"{rate}%"
        figure = self.content.report.survey.response_rate_percent
        return (figure.value, figure_text(figure, "%")) if figure is not None else None

    @property
    def status_heading(self) -> str:
        return self.content.report.status_labels.heading

    def in_covered_country(self, facility: Facility) -> bool:
        return is_covered_country(facility.country)

    @property
    def covered_country_facilities(self) -> int:
        return sum(is_covered_country(f.country) for f in self.facilities)

    @property
    def funnel(self) -> list[tuple[str, int]]:
        """From the supplier smelter rows read to the facilities published: (step, rows)."""
        if self.consolidation is None:
            return []
        counts = Counter(o.outcome for o in self.consolidation.outcomes)
        steps = [("Smelter rows reported", len(self.consolidation.outcomes))]
        steps += [(OUTCOME_STEPS.get(o, o), counts[o]) for o in sorted(counts, key=_outcome_order)
                  if o != "published"]
        return [*steps, ("Facilities published", counts["published"])]

    @property
    def exclusions(self) -> list[tuple[str, str, int]]:
        """Rows not counted as a facility, by what became of them and why: (step, reason, rows)."""
        if self.consolidation is None:
            return []
        counts = Counter((o.outcome, o.reason or "") for o in self.consolidation.outcomes
                         if o.outcome not in ("published", "duplicate"))
        return [(OUTCOME_STEPS.get(o, o), REASON_WORDS.get(reason, reason) or "(no reason given)", n)
                for (o, reason), n in sorted(counts.items(), key=lambda i: (_outcome_order(i[0][0]), -i[1], i[0][1]))]


def build_model(content: Content, facilities: list[Facility], problems: Problems,
                consolidation: Consolidation | None = None) -> Model:
    """Combine the curated list with the consolidated supplier answers, and compute the figures."""
    labels = content.report.status_labels.by_status()
    facilities = list(facilities) + _supplier_facilities(facilities, consolidation, labels)
    groups = [MetalGroup(metal, sorted((f for f in facilities if f.metal == metal), key=_facility_key))
              for metal in METALS]
    listing = content.report.smelter_list
    as_of: dt.date | None
    if consolidation is not None:
        as_of, source = consolidation.conformance.as_of, consolidation.conformance.title
        _check_designation_date(content, as_of, source, problems)
    elif listing is not None:
        as_of, source = listing.designation_as_of, listing.designation_source
    else:
        as_of, source = None, ""
    figures = _figures(content, groups, as_of, source, consolidation)
    _check_survey(content, consolidation, problems)
    _check_placeholders(content, figures, problems)
    return Model(content, groups, figures, as_of, source, consolidation)


def _supplier_facilities(curated: list[Facility], consolidation: Consolidation | None,
                         labels: dict[str, str]) -> list[Facility]:
    """Consolidated facilities not already on the curated list (by smelter ID, or metal and name)."""
    if consolidation is None:
        return []
    known = {f.smelter_id for f in curated if f.smelter_id} | {(f.metal, name_key(f.name)) for f in curated}
    as_of = consolidation.conformance.as_of
    named = consolidation.settings.publish_supplier_names
    statuses = statuses_by_id(consolidation.conformance.entries)
    result = []
    for f in consolidation.facilities:
        if f.smelter_id in known or (f.metal, name_key(f.name)) in known:
            continue
        status = statuses.get(f.smelter_id, NOT_ENROLLED)
        result.append(Facility(f.metal, f.name, labels[status], f.smelter_id, f.country, "supplier CMRTs", as_of,
                               f.reporters if named else (), status))
    if consolidation.settings.unlisted_facilities == "publish":
        result += [Facility(u.metal, u.name, labels[NOT_ENROLLED], "", u.country, "not on the reference list",
                            as_of, u.reporters if named else (), NOT_ENROLLED) for u in consolidation.unlisted]
    return result


def _check_designation_date(content: Content, as_of: dt.date | None, title: str, problems: Problems) -> None:
    """With supplier answers, the designations are the conformance list's, and so is their date."""
    listing = content.report.smelter_list
    if listing is None or as_of is None or listing.designation_as_of == as_of:
        return
    file_name = shown_file(content.lines, "report")
    key = "smelter_list.designation_as_of"
    problems.warn(file_name, "content.designation-date",
                  f"this says {listing.designation_as_of.isoformat()}, but the designations come from the "
                  f"conformance list of data/supply-chain.yml ({title}, as of {as_of.isoformat()}), so the site "
                  f"states {long_date(as_of)}; give both the same date",
                  line=content.lines.get(file_name, {}).get(key, 0), key=key)


def _check_survey(content: Content, consolidation: Consolidation | None, problems: Problems) -> None:
    """The survey figures have one source: the roster, or report.yml when there is none."""
    survey = content.report.survey
    file_name = shown_file(content.lines, "report")
    lines = content.lines.get(file_name, {})
    for key in ("suppliers", "response_rate_percent"):
        given = getattr(survey, key) is not None
        if consolidation is not None and given:
            problems.add(file_name, "content.survey-twice", "this figure is computed from the supplier roster "
                         "and workbooks (data/supply-chain.yml); remove it here", line=lines.get(f"survey.{key}", 0),
                         key=f"survey.{key}")
        elif consolidation is None and not given:
            problems.add(file_name, "content.survey-missing", "required: there is no data/supply-chain.yml to "
                         "compute it from", line=lines.get("survey", 0), key=f"survey.{key}")


def fill(text: Markdown, figures: dict[str, str]) -> str:
    """Replace each {{ name }} in trusted Markdown with its figure."""
    return PLACEHOLDER.sub(lambda m: figures[m.group(1)], text)


def percent(part: int, whole: int) -> str:
    """A share as a whole percentage ("0%" of nothing)."""
    return f"{round(100 * part / whole) if whole else 0}%"


def long_date(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def figure_text(figure: Figure, suffix: str = "") -> str:
    return f"{_QUALIFIER_WORDS[figure.qualifier]}{figure.value}{suffix}"


def _figures(content: Content, groups: list[MetalGroup], as_of: dt.date | None, source: str,
             consolidation: Consolidation | None) -> dict[str, str]:
    report = content.report
    facilities = [f for g in groups for f in g.facilities]
    conflict_free = sum(f.conflict_free for f in facilities)
    figures = {
        "company.name": content.company.name,
        "period.year": str(report.period.end.year),
        "period.start": long_date(report.period.start),
        "period.end": long_date(report.period.end),
        "report.conclusion": report.conclusion,
        "survey.template": report.survey.template,
        "smelters.total": str(len(facilities)),
        "smelters.conflict_free": str(conflict_free),
        "smelters.not_designated": str(len(facilities) - conflict_free),
        "smelters.conformant": str(conflict_free),
        "smelters.conformant_percent": percent(conflict_free, len(facilities)),
        "smelters.active": str(sum(f.status == ACTIVE for f in facilities)),
        "smelters.non_conformant": str(sum(f.status == NON_CONFORMANT for f in facilities)),
        "smelters.not_enrolled": str(sum(f.status == NOT_ENROLLED for f in facilities)),
        "smelters.as_of": long_date(as_of) if as_of else "",
        "smelters.source": source,
        "countries.count": str(len(content.countries.countries)),
    }
    figures.update({f"smelters.{g.metal.lower()}": str(len(g.facilities)) for g in groups})
    if consolidation is not None:
        survey = consolidation.survey
        figures.update({
            "survey.suppliers": str(survey.surveyed),
            "survey.responses": str(survey.responded),
            "survey.response_rate": f"{survey.response_rate_percent}%",
            "survey.complete": str(survey.complete),
            "survey.incomplete": str(survey.incomplete),
            "smelters.unlisted": str(len(consolidation.unlisted)),
        })
        minerals = consolidation.minerals
        if minerals is not None and minerals.settings.page:
            figures["minerals.processors"] = str(len(minerals.processors))
            figures["minerals.responses"] = str(len(minerals.declarations))
            figures.update({name: str(sum(p.mineral == m for p in minerals.processors))
                            for name, m in zip(MINERALS_FIGURES[2:], MINERALS)})
    else:
        if report.survey.suppliers is not None:
            figures["survey.suppliers"] = figure_text(report.survey.suppliers)
        if report.survey.response_rate_percent is not None:
            figures["survey.response_rate"] = figure_text(report.survey.response_rate_percent, "%")
    return figures


def _check_placeholders(content: Content, figures: dict[str, str], problems: Problems) -> None:
    """Every placeholder in every Markdown field must name a known figure."""
    known = ", ".join(sorted(figures))
    for file_name, key, text in markdown_fields(content):
        for match in PLACEHOLDER.finditer(text):
            name = match.group(1)
            if name not in figures:
                lines = content.lines.get(file_name, {})
                hint = ("it is given only with data/supply-chain.yml; " if name in SUPPLY_CHAIN_FIGURES
                        else "it is given only with minerals: page: true in data/supply-chain.yml; "
                        if name in MINERALS_FIGURES else did_you_mean(name, figures, "'{{{{ {} }}}}'"))
                problems.add(file_name, "content.placeholder",
                             f"unknown placeholder {match.group(0)!r}; {hint}expected one of: {known}",
                             line=lines.get(key, 0), key=key)


def markdown_fields(content: Content):
    """(file, key, text) of every authored Markdown field."""
    for attr in FILES:
        file_name = shown_file(content.lines, attr)
        yield from ((file_name, key, text) for key, text in _walk(getattr(content, attr), ""))
    if content.goals is not None:
        file_name = next((name for name in content.lines if name.endswith(GOALS_FILE)), GOALS_FILE)
        yield from ((file_name, key, text) for key, text in _walk(content.goals, ""))


def _walk(value, key: str):
    if isinstance(value, Markdown):
        yield key, value
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from _walk(getattr(value, f.name), f"{key}.{f.name}" if key else f.name)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{key}[{i}]")


def _outcome_order(outcome: str) -> tuple[int, str]:
    order = list(OUTCOME_STEPS)
    return (order.index(outcome) if outcome in order else len(order), outcome)


def _facility_key(facility: Facility) -> tuple:
    return (facility.name.casefold(), facility.name)

