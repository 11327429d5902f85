"""`new-year YEAR`: archive the current year's data/ and leave data/ ready for YEAR.

Everything in data/ but the archive moves into data/archive/<CURRENT>/, so the
archived year keeps every file it was built from. Then data/ gets the YAML back,
with the reporting period moved to YEAR and the supply-chain settings as they
were, a copy of each file that report.yml and supply-chain.yml name (smelter
list, roster, aliases, lists) and an empty workbook folder. Nothing is touched
until every check has passed.
"""
from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.content import schema
from generator.content.load import Report
from generator.problems import Problems, UserError, display_path
from generator.supply.consolidate import SupplyChain
from generator.supply.folder import WORKBOOK_SUFFIXES
from generator.years import ARCHIVE, SUPPLY_CHAIN_FILE, check_renewed

KEEP_EMPTY = ".gitkeep"  # git keeps no empty folder: this file keeps the workbook folder in a fresh clone
YAML_SUFFIXES = (".yml", ".yaml")
MAX_YEAR = 9999  # archive folders are named by four digits


@dataclass(frozen=True)
class NamedPath:
    """A path that a data file names, relative to data/, with where it is named."""
    file: str   # the YAML file naming it, as shown
    key: str
    line: int
    value: str
    folder: bool = False


@dataclass(frozen=True)
class NewYear:
    """What `new-year` did."""
    previous: int
    year: int
    archive: Path
    moved: tuple[str, ...]     # entries of data/ now in the archive
    copied: tuple[str, ...]    # paths under data/ copied back for the new year
    workbooks: str             # the new, empty workbook folder under data/
    problems: Problems         # warnings about the new year's data (dates to renew)


def start_year(root: Path, year: int) -> NewYear:
    """Archive data/ into data/archive/<CURRENT>/ and prepare data/ for `year`; UserError if it cannot."""
    from generator import pipeline  # the pipeline imports the whole generator: load it only here

    data = root / "data"
    report_file = data / "report.yml"
    previous = _current_year(report_file, root)
    archive = data / ARCHIVE / str(previous)
    problems = Problems()
    if archive.exists():
        problems.add(display_path(archive, root), "newyear.archived",
                     f"the {previous} report is archived here already, so data/ cannot be archived into it; "
                     f"if data/ holds the {previous} report, compare the two and remove one, or correct "
                     "period.end in data/report.yml")
    if year <= previous or year > MAX_YEAR:
        problems.add(display_path(report_file, root), "newyear.year",
                     f"the new year ({year}) must be later than the current report's ({previous}) "
                     f"and at most {MAX_YEAR}", key="period.end")
    problems.raise_if_errors()
    pipeline.load_years(root)  # the year archived must build: fail now, with every problem, if it does not
    named = named_paths(data, root)
    _check_inside(named, data, root)
    moved = tuple(sorted(p.name for p in data.iterdir() if p.name != ARCHIVE))
    workbooks = next((n.value for n in named if n.folder), "")
    copied = _carried(data, named, moved)
    text = report_file.read_text(encoding="utf-8")
    try:
        archive.mkdir(parents=True)
        for name in moved:
            shutil.move(data / name, archive / name)
        for rel in copied:
            _copy(archive / rel, data / rel)
        (data / "report.yml").write_text(shift_period(text, year - previous), encoding="utf-8")
        if workbooks:
            (data / workbooks).mkdir(parents=True, exist_ok=True)
            (data / workbooks / KEEP_EMPTY).write_bytes(b"")
    except OSError as err:
        raise UserError(f"{display_path(data, root)}: cannot archive the {previous} report: "
                        f"{err.strerror or err} ({err.filename}); see what was moved into "
                        f"{display_path(archive, root)}/ and move it back") from None
    warnings = Problems()
    _warn_in_workbooks(named, workbooks, data, root, year, warnings)
    check_renewed(data, archive, root, warnings)
    return NewYear(previous, year, archive, moved, tuple(copied), workbooks, warnings)


def _current_year(report_file: Path, root: Path) -> int:
    problems = Problems()
    report, _ = schema.load(report_file, Report, problems, display=display_path(report_file, root))
    if report is None:
        raise UserError(problems)
    return report.period.end.year


def named_paths(data: Path, root: Path) -> list[NamedPath]:
    """The files (and the workbook folder) that report.yml and supply-chain.yml name."""
    problems = Problems()
    found = []
    report_shown = display_path(data / "report.yml", root)
    report, lines = schema.load(data / "report.yml", Report, problems, display=report_shown)
    if report is not None and report.smelter_list is not None:
        found.append(NamedPath(report_shown, "smelter_list.file", lines.get("smelter_list.file", 0),
                               report.smelter_list.file))
    settings_path = data / SUPPLY_CHAIN_FILE
    if settings_path.exists():
        shown = display_path(settings_path, root)
        settings, lines = schema.load(settings_path, SupplyChain, problems, display=shown)
        if settings is not None:
            keys = [("roster", settings.roster), ("aliases", settings.aliases),
                    *((f"reference_lists[{i}].file", item.file) for i, item in enumerate(settings.reference_lists)),
                    ("conformance.file", settings.conformance.file)]
            found += [NamedPath(shown, key, lines.get(key, 0), value) for key, value in keys if value]
            found.append(NamedPath(shown, "workbooks", lines.get("workbooks", 0), settings.workbooks, folder=True))
    problems.raise_if_errors()
    return found


def _check_inside(named: list[NamedPath], data: Path, root: Path) -> None:
    """Every named path must be in data/ (not the archive), or the archived year would lose it."""
    problems = Problems()
    base = data.resolve()
    for n in named:
        target = (data / n.value).resolve()
        inside = target != base and target.is_relative_to(base) and not target.is_relative_to(base / ARCHIVE)
        if not inside:
            what = "a folder of its own" if n.folder else "a file"
            problems.add(n.file, "newyear.outside",
                         f"{n.value!r} is not {what} in data/ (paths here are relative to data/, outside "
                         f"{ARCHIVE}/); new-year archives only what is in data/: move it into data/ "
                         "and name it from there", line=n.line, key=n.key)
    problems.raise_if_errors()


def _carried(data: Path, named: list[NamedPath], moved: tuple[str, ...]) -> list[str]:
    """What data/ gets back for the new year: the YAML files and the files named in them, not the workbooks."""
    yaml_files = [name for name in moved if name.endswith(YAML_SUFFIXES) and (data / name).is_file()]
    files = [Path(n.value).as_posix() for n in named if not n.folder]
    return sorted(set(yaml_files) | {f for f in files if (data / f).is_file()})


def _warn_in_workbooks(named: list[NamedPath], workbooks: str, data: Path, root: Path, year: int,
                       problems: Problems) -> None:
    """A list kept in the workbook folder comes back with it, and is read as a supplier's answer for `year`."""
    if not workbooks:
        return
    folder = (data / workbooks).resolve()
    for n in named:
        path = (data / n.value).resolve()
        if not n.folder and path.parent == folder and path.suffix.lower() in WORKBOOK_SUFFIXES:
            problems.warn(n.file, "newyear.list-in-workbooks",
                          f"{n.value!r} is in the workbook folder, so the copy made for {year} is read as one of "
                          f"{year}'s supplier answers; move it out of {workbooks}/ and name it from there",
                          line=n.line, key=n.key)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def shift_period(text: str, years: int) -> str:
    """report.yml's text with period.start and period.end moved by `years`; all else (comments too) kept."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    period = _value(root, "period")
    edits = []
    for key in ("start", "end"):
        node = _value(period, key)
        day = dt.date.fromisoformat(node.value.strip())
        span = text[node.start_mark.index:node.end_mark.index]
        edits.append((node.start_mark.index, node.end_mark.index,
                      span.replace(node.value, _later(day, years).isoformat())))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _value(mapping, key: str):
    return next(v for k, v in mapping.value if k.value == key)


def _later(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; February 29 becomes February 28 in a year without one."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def summary(result: NewYear, root: Path) -> list[str]:
    """What new-year did and what the user does next, for the terminal."""
    data = root / "data"
    archive = display_path(result.archive, root)
    lines = [f"{archive}/: the {result.previous} report, archived: " + ", ".join(result.moved),
             f"data/: ready for {result.year}: the period in report.yml moved to {result.year}; copied back from "
             f"{archive}/: " + ", ".join(result.copied)]
    todo = []
    if result.workbooks:
        todo.append(f"put the {result.year} supplier CMRTs into {display_path(data / result.workbooks, root)}/ "
                     f"(it is empty; keep the {KEEP_EMPTY} file)")
    todo += [f"{p.where}: {p.message}" for p in result.problems.sorted()]
    todo.append("update what changed: the prose, the smelter list or the lists, the roster, the survey figures")
    todo.append("run `python -m generator build` (or `make site`) and commit data/, docs/ and review/")
    return lines + ["Next:"] + [f"  - {item}" for item in todo]
