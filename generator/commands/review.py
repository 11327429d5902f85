"""The review records and the row-level trail: for reviewers, never published on the website.

Each year keeps its own folder, review/<YEAR>/, written by `build` from that
year's data (data/ or data/archive/<YEAR>/) and committed, so a pull request
shows what changed and every year's records stay side by side:
- report.md, per supplier file: version, company, roster match (or why it could
  not be read), problems, product list, rows not published, held rows; overall:
  counts that reconcile (rows read = published + merged duplicates + rejected +
  unmatched + held), the lists used and their conflicts, facilities in a
  Covered Country;
- rows.csv, next to it: one line per supplier smelter row read, with its outcome.
A new kind of review file is one more entry in `_files`.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from generator.publish.escape import csv_line
from generator.publish.render import environment
from generator.publish.report import Model
from generator.supply.consolidate import OUTCOMES, Consolidation, RowOutcome
from generator.supply.matching import is_covered_country

REVIEW_DIR = "review"
REPORT = "report.md"
ROWS = "rows.csv"
ROWS_COLUMNS = ("file", "sheet", "row", "metal", "smelter_id", "smelter_name", "country", "outcome", "reason",
                "facility_id")


@dataclass(frozen=True)
class CoveredLocation:
    """A facility (or a supplier's row) located in a Covered Country, for attention."""
    metal: str
    name: str
    smelter_id: str
    country: str
    status: str   # "conformant", "not conformant", "not on the reference list", "held"


def folder(year: int) -> str:
    """The year's review folder, relative to the project: review/<YEAR>."""
    return f"{REVIEW_DIR}/{year}"


def report_path(year: int) -> str:
    """The year's review report, relative to the project: review/<YEAR>/report.md."""
    return f"{folder(year)}/{REPORT}"


def rows_path(year: int) -> str:
    """The year's row-level trail, relative to the project: review/<YEAR>/rows.csv."""
    return f"{folder(year)}/{ROWS}"


def render_review(model: Model, cache_root: Path | None = None) -> dict[str, str]:
    """{path under the project: text} of the year's review files; empty when there are no supplier answers.
    With `cache_root`, the compiled template is kept in its .cache/ (see render.template_environment)."""
    if model.consolidation is None:
        return {}
    return {f"{folder(model.year)}/{name}": text
            for name, text in _files(model, model.consolidation, cache_root).items()}


def _files(model: Model, c: Consolidation, cache_root: Path | None = None) -> dict[str, str]:
    """The files of one year's review folder, by name."""
    return {
        REPORT: _report(model, c, cache_root),
        ROWS: rows_csv(c),
    }


def _report(model: Model, c: Consolidation, cache_root: Path | None = None) -> str:
    not_published, flagged = _rows_by_file(c.outcomes)
    counts = _counts(c.outcomes)
    context = {"model": model, "figures": model.figures, "c": c, "not_published": not_published,
               "red_flags": flagged, "counts": counts,
               "rows_read": c.rows_read, "roster_without_response": _roster_without_response(c),
               "reconciles": c.rows_read == sum(counts.values()), "covered": covered_locations(c),
               "held": [o for o in c.outcomes if o.outcome == "held"], "rows_file": rows_path(model.year),
               **_minerals_context(c)}
    return environment(model.figures, cache_root).get_template("review.md.j2").render(context)


def _minerals_context(c: Consolidation) -> dict:
    """The EMRT/CRT section's rows by file, counts and reconciliation."""
    m = c.minerals
    not_published, flagged = _rows_by_file(m.outcomes if m else ())
    counts = _counts(m.outcomes) if m else {}
    return {"m": m, "minerals_not_published": not_published, "minerals_red_flags": flagged,
            "minerals_counts": counts, "minerals_reconcile": m is not None and m.rows_read == sum(counts.values())}


def _rows_by_file(outcomes: tuple[RowOutcome, ...]) -> tuple[dict[str, list[RowOutcome]], dict[str, list[RowOutcome]]]:
    """By file, in row order: the rows not published, and the red-flagged rows that are not held (the held
    ones have a table of their own). Made here, once, not by filters for each file in the template."""
    not_published: dict[str, list[RowOutcome]] = {}
    flagged: dict[str, list[RowOutcome]] = {}
    for o in outcomes:
        if o.outcome not in ("published", "duplicate"):
            not_published.setdefault(o.file, []).append(o)
        if o.outcome != "held" and o.flags:
            flagged.setdefault(o.file, []).append(o)
    return not_published, flagged


def _counts(outcomes: tuple[RowOutcome, ...]) -> dict[str, int]:
    found = Counter(o.outcome for o in outcomes)
    return {k: found[k] for k in OUTCOMES}


def rows_csv(c: Consolidation) -> str:
    """review/<YEAR>/rows.csv: every supplier smelter row read, in file and row order, the CMRTs' and
    then the EMRTs' and CRTs' (their `metal` is the mineral); cells through csv_cell (escape.csv_line)."""
    lines = [csv_line(ROWS_COLUMNS)]
    lines += [csv_line((o.file, o.sheet, o.row, o.metal, o.smelter_id, o.name, o.country, o.outcome, o.reason,
                        o.facility_id)) for o in (*c.outcomes, *(c.minerals.outcomes if c.minerals else ()))]
    return "\n".join(lines) + "\n"


def covered_locations(c: Consolidation) -> list[CoveredLocation]:
    """Facilities whose reference country, or a supplier's row, is a Covered Country; unlisted and held ones too."""
    found = []
    for f in c.facilities:
        country = next((x for x in (f.country, *f.row_countries) if is_covered_country(x)), "")
        if country:
            found.append(CoveredLocation(f.metal, f.name, f.smelter_id, country,
                                         "conformant" if f.conformant else "not conformant"))
    found += [CoveredLocation(u.metal, u.name, "", u.country, "not on the reference list")
              for u in c.unlisted if is_covered_country(u.country)]
    held = {(o.metal, o.name, o.smelter_id, o.country) for o in c.outcomes
            if o.outcome == "held" and is_covered_country(o.country)}
    found += [CoveredLocation(*key, "held") for key in sorted(held)]
    return found


def _roster_without_response(c) -> list[str]:
    """Roster suppliers with no response to the 3TG survey (an EMRT or CRT sent instead is none)."""
    answered = {r.roster_name for r in c.responses if r.roster_name and r.counts}
    return [name for name in c.roster_names if name not in answered]
