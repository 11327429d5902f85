"""Stage 1: load and validate the authored YAML content in data/.

Each file has a dataclass below; its fields are the file's keys (see the
README's data reference). Prose fields are Markdown and may use placeholders
such as {{ survey.suppliers }} that are filled from the data.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from generator.content import schema
from generator.content.schema import Markdown
from generator.problems import Problems, display_path


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    state: str
    zip: str
    country: str = "United States"


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str | None = None


@dataclass(frozen=True)
class Company:
    name: str
    state_of_incorporation: str
    commission_file_number: str
    irs_employer_id: str
    address: Address
    contact: Contact
    website: str
    description: Markdown


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Figure:
    """A survey figure as the company states it: a value and how exact it is."""
    value: int
    qualifier: Literal["exactly", "over", "about", "under"] = "exactly"


@dataclass(frozen=True)
class Survey:
    """The survey; the two figures are given here only when no roster computes them."""
    template: str
    suppliers: Figure | None = None
    response_rate_percent: Figure | None = None


@dataclass(frozen=True)
class SmelterList:
    file: str
    sheet: str
    designation_as_of: dt.date
    designation_source: str


@dataclass(frozen=True)
class StatusLabels:
    """The words the pages show for each status (RMI's by default) and for the column."""
    heading: str = "RMI status"
    conformant: str = "Conformant"
    active: str = "Active"
    non_conformant: str = "Non-conformant"
    not_enrolled: str = "Not enrolled or other"

    def by_status(self) -> dict[str, str]:
        return {"conformant": self.conformant, "active": self.active, "non_conformant": self.non_conformant,
                "not_enrolled": self.not_enrolled}


@dataclass(frozen=True)
class Products:
    summary: Markdown
    items: list[str]


@dataclass(frozen=True)
class Report:
    title: str
    rule: str
    period: Period
    conclusion: Literal["DRC conflict free", "DRC conflict undeterminable", "not DRC conflict free"]
    conclusion_reason: Markdown
    audit: Markdown
    products: Products
    rcoi: Markdown
    rcoi_outcome: Markdown
    survey: Survey
    website_statement: Markdown
    smelter_list: SmelterList | None = None
    status_labels: StatusLabels = StatusLabels()


@dataclass(frozen=True)
class Policy:
    title: str
    summary: Markdown
    body: Markdown


@dataclass(frozen=True)
class ManagementSystems:
    team: Markdown
    controls: Markdown
    supplier_engagement: Markdown
    grievance_mechanism: Markdown
    records: Markdown


@dataclass(frozen=True)
class Results:
    request_information: Markdown
    survey_responses: Markdown
    smelters: Markdown
    mine_or_location_of_origin: Markdown


@dataclass(frozen=True)
class DueDiligence:
    design: Markdown
    management_systems: ManagementSystems
    identify_and_assess_risk: Markdown
    respond_to_risk: Markdown
    third_party_audits: Markdown
    reporting: Markdown
    results: Results


@dataclass(frozen=True)
class Risk:
    mitigation_intro: Markdown
    mitigation_steps: list[Markdown]
    risk_factors: list[Markdown]


@dataclass(frozen=True)
class Countries:
    introduction: Markdown
    countries: list[str]


@dataclass(frozen=True)
class GoalDone:
    """One of last year's goals, and what was done about it."""
    goal: Markdown
    done: Markdown


@dataclass(frozen=True)
class Goals:
    """data/goals.yml (optional): last year's goals with what was done, and next year's plans."""
    last_year: list[GoalDone]
    next_year: list[Markdown]
    introduction: Markdown | None = None


@dataclass(frozen=True)
class Content:
    company: Company
    report: Report
    policy: Policy
    due_diligence: DueDiligence
    risk: Risk
    countries: Countries
    lines: dict[str, dict[str, int]] = field(default_factory=dict, compare=False, repr=False)
    goals: Goals | None = None


FILES = {
    "company": ("company.yml", Company),
    "report": ("report.yml", Report),
    "policy": ("policy.yml", Policy),
    "due_diligence": ("due-diligence.yml", DueDiligence),
    "risk": ("risk.yml", Risk),
    "countries": ("countries.yml", Countries),
}


GOALS_FILE = "goals.yml"  # optional


def load_content(data_dir: Path, problems: Problems, root: Path | None = None) -> tuple[Content | None, dict]:
    """Load every content file; problems are collected.

    Returns the Content (None if any file has errors) and each file's value by
    attribute (None where that file has errors), so later stages can still
    check what they can.
    """
    values, lines = {}, {}
    for attr, (filename, cls) in FILES.items():
        path = data_dir / filename
        name = display_path(path, root)
        values[attr], lines[name] = schema.load(path, cls, problems, display=name)
    goals = None
    goals_path = data_dir / GOALS_FILE
    if goals_path.exists():
        name = display_path(goals_path, root)
        goals, lines[name] = schema.load(goals_path, Goals, problems, display=name)
        if goals is None:
            return None, values
    if any(v is None for v in values.values()):
        return None, values
    _check_content(values, lines, problems)
    return Content(**values, lines=lines, goals=goals), values


def _check_content(values: dict, lines: dict, problems: Problems) -> None:
    """Checks that span keys: ordering of dates, duplicate countries."""
    period = values["report"].period
    report_file = shown_file(lines, "report")
    if period.end < period.start:
        problems.add(report_file, "content.period", "the period ends before it starts",
                     line=lines[report_file].get("period.end", 0), key="period.end")
    countries_file = shown_file(lines, "countries")
    seen = set()
    for i, country in enumerate(values["countries"].countries):
        key = f"countries[{i}]"
        if country.strip().casefold() in seen:
            problems.add(countries_file, "content.duplicate-country", f"{country!r} is listed twice",
                         line=lines[countries_file].get(key, 0), key=key)
        seen.add(country.strip().casefold())


def shown_file(lines: dict, attr: str) -> str:
    """The file that content attribute `attr` was read from, as problems name it (data/report.yml)."""
    base = FILES[attr][0]
    return next((name for name in lines if name.endswith(base)), base)
