"""Several reporting years: the current report at the root, every earlier one under <year>/.

An earlier year's complete data folder lives in data/archive/<YEAR>/ (the same
files as data/) and is rendered by the same pipeline into docs/<YEAR>/. Its
pages depend only on its own data and the templates, never on later years, so
adding a year never changes them. This module finds the years, checks them,
and compares consecutive years for the year-over-year page.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from generator.content import schema
from generator.content.load import Report
from generator.model import Facility
from generator.problems import Problems, display_path
from generator.publish.report import Model
from generator.supply.consolidate import SupplyChain

ARCHIVE = "archive"
SUPPLY_CHAIN_FILE = "supply-chain.yml"
CHANGES_PAGE = "changes.md"
_YEAR = re.compile(r"[0-9]{4}")


@dataclass(frozen=True)
class Edition:
    """Which report a set of pages belongs to, and where it sits on the site."""
    year: int
    archived: bool = False
    earlier: tuple[int, ...] = ()  # for the current report: the archived years, newest first

    @property
    def root(self) -> str:
        """The way from one of these pages back to the site's root folder."""
        return "../" if self.archived else ""


def archive_folders(data_dir: Path, problems: Problems, root: Path) -> list[tuple[int, Path]]:
    """(year, folder) of every earlier year in data/archive/, oldest first."""
    archive = data_dir / ARCHIVE
    if not archive.is_dir():
        return []
    folders = []
    for path in sorted(archive.iterdir()):
        if path.is_dir() and _YEAR.fullmatch(path.name):
            folders.append((int(path.name), path))
        elif path.is_dir():
            problems.add(display_path(path, root), "years.folder",
                         f"not a year's folder; expected {display_path(archive, root)}/<YEAR>/, e.g. 2013")
    return folders


def check_year(model: Model, year: int, folder: Path, root: Path, problems: Problems) -> None:
    """The folder's name must be the year in which its reporting period ends."""
    if model.year != year:
        report = display_path(folder / "report.yml", root)
        problems.add(report, "years.period",
                     f"the reporting period ends in {model.year}, but the folder is named {year}; "
                     f"rename the folder to {model.year} or correct period.end",
                     line=model.content.lines.get(report, {}).get("period.end", 0), key="period.end")


def check_current(current: Model, earlier: list[Model], data_dir: Path, root: Path, problems: Problems) -> None:
    """The report in data/ must be later than every archived one."""
    if earlier and earlier[-1].year >= current.year:
        report = display_path(data_dir / "report.yml", root)
        problems.add(report, "years.current",
                     f"the current report ({current.year}) must be later than every year in "
                     f"{display_path(data_dir / ARCHIVE, root)}/ (the latest is {earlier[-1].year})",
                     line=current.content.lines.get(report, {}).get("period.end", 0), key="period.end")


# The dates that belong to one year's lists and designations: a new year must state its own.
RENEWED = {
    "report.yml": ("smelter_list.designation_as_of",),
    SUPPLY_CHAIN_FILE: ("reference_lists[*].as_of", "conformance.as_of"),
}


def check_renewed(data_dir: Path, previous: Path, root: Path, problems: Problems) -> None:
    """Warn for each list or designation date in data/ still the same as in the latest archived year.

    Only when data/ holds a later year than `previous` (else years.current says what is wrong)."""
    end = _dates(data_dir / "report.yml").get("period.end")
    if end is None or str(end[0].year) <= previous.name:
        return
    for file_name, patterns in RENEWED.items():
        now, then = _dates(data_dir / file_name), _dates(previous / file_name)
        shown = display_path(data_dir / file_name, root)
        for key, (day, line) in now.items():
            if _renewable(key, patterns) and key in then and then[key][0] == day:
                problems.warn(shown, "years.renew",
                              f"{day.isoformat()} is the date given for {previous.name} too "
                              f"({display_path(previous / file_name, root)}); state this year's date "
                              "(the date of the list or designations you use for this report)",
                              line=line, key=key)


def _renewable(key: str, patterns: tuple[str, ...]) -> bool:
    return re.sub(r"\[[0-9]+\]", "[*]", key) in patterns


def _dates(path: Path) -> dict[str, tuple[dt.date, int]]:
    """Every date in a YAML file by key path, with its line; {} when the file is absent or invalid."""
    if not path.is_file():
        return {}
    cls = SupplyChain if path.name == SUPPLY_CHAIN_FILE else Report
    value, lines = schema.load(path, cls, Problems())  # its problems are reported where it is loaded
    if value is None:
        return {}
    return {key: (day, lines.get(key, 0)) for key, day in _walk_dates(value, "")}


def _walk_dates(value, key: str):
    if isinstance(value, dt.date):
        yield key, value
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from _walk_dates(getattr(value, f.name), f"{key}.{f.name}" if key else f.name)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk_dates(item, f"{key}[{i}]")


@dataclass(frozen=True)
class YearChange:
    """What changed from one reporting year to the next."""
    before: Model
    after: Model
    added: list[Facility]
    removed: list[Facility]
    newly_conformant: list[Facility]
    no_longer_conformant: list[Facility]
    countries_added: list[str]
    countries_removed: list[str]


def compare(before: Model, after: Model) -> YearChange:
    """Facilities are the same when their metal and smelter ID match, or else their metal and name."""
    pairs, added, removed = match_facilities(before.facilities, after.facilities)
    countries_added, countries_removed = compare_countries(before.content.countries.countries,
                                                           after.content.countries.countries)
    return YearChange(
        before, after, added, removed,
        newly_conformant=[new for old, new in pairs if new.conflict_free and not old.conflict_free],
        no_longer_conformant=[new for old, new in pairs if old.conflict_free and not new.conflict_free],
        countries_added=countries_added,
        countries_removed=countries_removed,
    )


def compare_countries(before: list[str], after: list[str]) -> tuple[list[str], list[str]]:
    """(added, removed), ignoring case."""
    old = {c.casefold(): c for c in before}
    new = {c.casefold(): c for c in after}
    return (sorted((c for k, c in new.items() if k not in old), key=str.casefold),
            sorted((c for k, c in old.items() if k not in new), key=str.casefold))


def match_facilities(before: list[Facility], after: list[Facility]):
    """(pairs, added, removed), each in the order of `after` / `before` (metal, then name).

    The same facility: the same metal and smelter ID, or else the same metal and name."""
    by_id = {(f.metal, f.smelter_id): f for f in before if f.smelter_id}
    by_name = {(f.metal, f.name.casefold()): f for f in before}
    pairs, added, matched = [], [], set()
    for new in after:
        old = by_id.get((new.metal, new.smelter_id)) if new.smelter_id else None
        if old is None or id(old) in matched:
            old = by_name.get((new.metal, new.name.casefold()))
        if old is None or id(old) in matched:
            added.append(new)
        else:
            matched.add(id(old))
            pairs.append((old, new))
    removed = [f for f in before if id(f) not in matched]
    return pairs, added, removed
