"""`python -m generator diff BASE [HEAD]`: what a data change does to the report.

Each side is a git revision (its data/ is extracted into a temporary folder)
or a folder (a project holding data/, or a data folder itself). Both sides go
through the same generator, the one running, so the comparison shows the
effect of the data alone: facilities added, removed or whose designation
changed, countries added or removed, figures changed, generated pages changed.
"""
from __future__ import annotations

import dataclasses
import difflib
import io
import logging
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator import pipeline
from generator.model import Facility
from generator.problems import Problems, UserError
from generator.publish.escape import markdown_text
from generator.publish.render import render_pages
from generator.years import compare_countries, match_facilities

log = logging.getLogger(__name__)

WORKING_TREE = "the working tree"


@dataclass(frozen=True)
class Side:
    """One side of the comparison: what its data gives."""
    label: str
    facilities: list[Facility]
    countries: list[str]
    figures: dict[str, str]
    pages: dict[str, str]


@dataclass(frozen=True)
class PageChange:
    path: str
    status: str  # "added", "removed" or "changed"
    added_lines: int = 0
    removed_lines: int = 0


@dataclass(frozen=True)
class Diff:
    base: str
    head: str
    added: list[Facility]
    removed: list[Facility]
    redesignated: list[tuple[Facility, Facility]]  # (before, after)
    countries_added: list[str]
    countries_removed: list[str]
    figures: list[tuple[str, str, str]]  # (name, before, after); "" where a side lacks it
    pages: list[PageChange]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.redesignated or self.countries_added
                    or self.countries_removed or self.figures or self.pages)


def run_diff(root: Path, base: str, head: str | None, strict: bool = False) -> Diff:
    """Load both sides and compare them; `head` None means the working tree of `root`.

    Both sides are loaded before anything fails: then it fails once, with the problems of both
    (their warnings too when `strict`)."""
    problems = Problems()
    sides: list[Side | None] = []
    with tempfile.TemporaryDirectory(prefix="cmr-diff-") as tmp:
        for spec, scratch in ((base, Path(tmp) / "base"), (head, Path(tmp) / "head")):
            try:
                sides.append(load_side(root, spec, scratch, problems) if spec is not None
                             else _load(WORKING_TREE, root, root / "data", problems, revision=False, cache=root))
            except UserError as err:
                problems.extend(err.problems)
                sides.append(None)
    problems.raise_if_errors(strict)
    before, after = sides
    assert before is not None and after is not None  # a side that failed has raised above
    return compare(before, after)


def load_side(root: Path, spec: str, scratch: Path, problems: Problems | None = None) -> Side:
    """A folder if `spec` names an existing directory, else a git revision of the repository at `root`."""
    folder = Path(spec)
    if folder.is_dir():
        data_dir = folder / "data" if (folder / "data").is_dir() else folder
        return _load(spec, Path.cwd(), data_dir, problems, revision=False, cache=root)  # problems name the folder as given
    prefix = _extract(root, spec, scratch)
    return _load(spec, scratch / prefix, scratch / prefix / "data", problems, revision=True, cache=root)


def compare(before: Side, after: Side) -> Diff:
    """Facilities are matched as the year-over-year page matches them (years.match_facilities)."""
    pairs, added, removed = match_facilities(before.facilities, after.facilities)
    countries_added, countries_removed = compare_countries(before.countries, after.countries)
    return Diff(
        base=before.label,
        head=after.label,
        added=added,
        removed=removed,
        redesignated=[(old, new) for old, new in pairs if old.designation != new.designation],
        countries_added=countries_added,
        countries_removed=countries_removed,
        figures=[(name, before.figures.get(name, ""), after.figures.get(name, ""))
                 for name in sorted(before.figures.keys() | after.figures.keys())
                 if before.figures.get(name) != after.figures.get(name)],
        pages=_page_changes(before.pages, after.pages),
    )


def format_text(diff: Diff) -> str:
    """Plain text for a terminal: one line per change."""
    lines = [f"Comparing {diff.base} with {diff.head}"]
    if diff.empty:
        return "\n".join(lines + ["No changes to the report."]) + "\n"
    lines.append(f"Facilities: {len(diff.added)} added, {len(diff.removed)} removed, "
                 f"{len(diff.redesignated)} designation changed")
    lines += [f"  + {f.metal}: {f.name} ({f.designation})" for f in diff.added]
    lines += [f"  - {f.metal}: {f.name} ({f.designation})" for f in diff.removed]
    lines += [f"  ~ {b.metal}: {b.name}: {a.designation} -> {b.designation}" for a, b in diff.redesignated]
    lines.append(f"Countries: {len(diff.countries_added)} added, {len(diff.countries_removed)} removed")
    lines += [f"  + {c}" for c in diff.countries_added] + [f"  - {c}" for c in diff.countries_removed]
    lines.append(f"Figures: {len(diff.figures)} changed")
    lines += [f"  {name}: {_shown(a)} -> {_shown(b)}" for name, a, b in diff.figures]
    lines.append(f"Pages: {len(diff.pages)} changed")
    lines += [f"  {_page_text(p)}" for p in diff.pages]
    return "\n".join(lines) + "\n"


def format_markdown(diff: Diff) -> str:
    """GitHub-flavoured Markdown for a pull request's job summary; data text is escaped."""
    out = [f"## Report changes: `{_code(diff.base)}` → `{_code(diff.head)}`", ""]
    if diff.empty:
        return "\n".join(out + ["No changes to the report.", ""])
    out += [f"### Facilities: {len(diff.added)} added, {len(diff.removed)} removed, "
            f"{len(diff.redesignated)} designation changed", ""]
    rows = ([("Added", f.metal, f.name, f.designation) for f in diff.added]
            + [("Removed", f.metal, f.name, f.designation) for f in diff.removed]
            + [("Designation changed", b.metal, b.name, f"{a.designation} → {b.designation}")
               for a, b in diff.redesignated])
    out += _table(("Change", "Metal", "Smelter or refiner", "Designation"), rows)
    out += [f"### Countries: {len(diff.countries_added)} added, {len(diff.countries_removed)} removed", ""]
    out += [f"- Added: {markdown_text(c)}" for c in diff.countries_added]
    out += [f"- Removed: {markdown_text(c)}" for c in diff.countries_removed]
    out += [""] if diff.countries_added or diff.countries_removed else []
    out += [f"### Figures: {len(diff.figures)} changed", ""]
    out += _table(("Figure", "Before", "After"), [(n, _shown(a), _shown(b)) for n, a, b in diff.figures])
    out += [f"### Pages: {len(diff.pages)} changed", ""]
    out += [f"- `docs/{_code(p.path)}` {_page_detail(p)}" for p in diff.pages]
    return "\n".join(out) + "\n"


def _load(label: str, root: Path, data_dir: Path, problems: Problems | None, revision: bool, cache: Path) -> Side:
    """One side's model; supplier workbooks are read through the cache of the project at `cache`.
    Its warnings join `problems`; its errors raise."""
    try:
        model, found = pipeline.load_model(root, data_dir, cache_root=cache)
    except UserError as err:
        raise (UserError(_named(label, err.problems)) if revision else err) from None
    if problems is not None:
        problems.extend(_named(label, found) if revision else found)
    return Side(label, list(model.facilities), list(model.content.countries.countries), dict(model.figures),
                render_pages(model))


def _named(label: str, problems: Problems) -> Problems:
    """Prefix each problem's file with the revision it came from, git-style (`HEAD~1:data/report.yml`)."""
    return Problems([dataclasses.replace(p, file=f"{label}:{p.file}" if p.file else label)
                     for p in problems.items])


def _extract(root: Path, revision: str, scratch: Path) -> str:
    """Write `revision`'s data/ under `scratch`; return the project's path inside the repository."""
    prefix = _git(root, revision, "diff.git", f"{root} is not in a git repository",
                  "rev-parse", "--show-prefix").decode("utf-8").strip()
    _git(root, revision, "diff.revision", f"neither a folder nor a git revision of the repository at {root}",
         "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    archive = _git(root, revision, "diff.no-data", f"this revision has no {prefix}data/ folder",
                   "archive", "--format=tar", revision, "--", f"{prefix}data")
    scratch.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(scratch, filter="data")
    log.info("%s: extracted %sdata/ into %s", revision, prefix, scratch)
    return prefix


def _git(root: Path, revision: str, code: str, message: str, *args: str) -> bytes:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True)
    if result.returncode != 0:
        problems = Problems()
        problems.add(revision, code, message)
        raise UserError(problems)
    return result.stdout


def _page_changes(old: dict[str, str], new: dict[str, str]) -> list[PageChange]:
    changes = []
    for path in sorted(old.keys() | new.keys()):
        if path not in old:
            changes.append(PageChange(path, "added", added_lines=len(new[path].splitlines())))
        elif path not in new:
            changes.append(PageChange(path, "removed", removed_lines=len(old[path].splitlines())))
        elif old[path] != new[path]:
            lines = list(difflib.unified_diff(old[path].splitlines(), new[path].splitlines(), n=0, lineterm=""))[2:]
            changes.append(PageChange(path, "changed", sum(line.startswith("+") for line in lines),
                                      sum(line.startswith("-") for line in lines)))
    return changes


def _page_text(page: PageChange) -> str:
    return f"{'+' if page.status == 'added' else '-' if page.status == 'removed' else '~'} docs/{page.path} " \
           + _page_detail(page)


def _page_detail(page: PageChange) -> str:
    return f"{page.status} (+{page.added_lines} -{page.removed_lines} lines)"


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    if not rows:
        return ["None.", ""]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(markdown_text(cell) for cell in row) + " |" for row in rows]
    return lines + [""]


def _shown(value: str) -> str:
    return value if value else "(none)"


def _code(text: str) -> str:
    """Text inside a code span: a backtick would end it, so it is replaced."""
    return text.replace("`", "'")
