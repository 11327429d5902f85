"""The pipeline: load content -> read smelter list -> model -> render -> write -> MkDocs.

`generate` runs the stages in order and returns the pages; `build` writes them
into docs/ and builds the site; `check` compares them with the committed docs/.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from generator.content import schema
from generator.content.completeness import check_completeness
from generator.content.load import load_content
from generator.content.smelters import read_smelter_list
from generator.problems import Problems, UserError, display_path
from generator.publish.report import Model, build_model
from generator.supply.consolidate import SupplyChain, consolidate
from generator.years import ARCHIVE, SUPPLY_CHAIN_FILE, archive_folders, check_current, check_renewed, check_year

log = logging.getLogger(__name__)

# Hand-written files in docs/ that the generator never writes or checks.
HAND_WRITTEN = ("assets/",)


def generate(root: Path, data_dir: Path | None = None, strict: bool = False) -> tuple[dict[str, str], Problems]:
    """Run every stage up to rendering, for every year; raise UserError once if anything is wrong."""
    current, earlier, problems = load_years(root, data_dir, strict)
    from generator.publish.render import render_site  # here, not before: see _import_renderers
    return render_site(current, earlier), problems


def check(root: Path, strict: bool = False) -> tuple[list[Model], dict[str, str], Problems]:
    """What `generate` does, and every year's EDGAR exhibit rendered too, so CI catches what the filing refuses.

    Returns every year's model, oldest first (for the review records), the pages and the problems.
    """
    from generator.publish.exhibit import render_exhibit
    current, earlier, problems = load_years(root)
    from generator.publish.render import render_site
    for model in [*earlier, current]:
        render_exhibit(model, problems)
    problems.raise_if_errors(strict)  # once, with every stage's problems
    return [*earlier, current], render_site(current, earlier), problems


def load_years(root: Path, data_dir: Path | None = None,
               strict: bool = False) -> tuple[Model, list[Model], Problems]:
    """The current report from data/ and every earlier one from data/archive/<YEAR>/, oldest first."""
    data_dir = data_dir or root / "data"
    problems = Problems()
    current = _collect(root, data_dir, problems)
    earlier = []
    folders = archive_folders(data_dir, problems, root)
    for year, folder in folders:
        model = _collect(root, folder, problems)
        if model is not None:
            check_year(model, year, folder, root, problems)
            earlier.append(model)
    if current is not None:
        check_current(current, earlier, data_dir, root, problems)
    if folders:
        check_renewed(data_dir, folders[-1][1], root, problems)
    problems.raise_if_errors(strict)
    assert current is not None  # the current year's errors have raised above
    return current, earlier, problems


def _collect(root: Path, data_dir: Path, problems: Problems) -> Model | None:
    """One year's model; its problems join the others so that every year is checked at once
    (warnings never stop a stage here: the caller fails once, `strict` or not, with all of them)."""
    try:
        model, found = load_model(root, data_dir)
    except UserError as err:
        problems.extend(err.problems)
        return None
    problems.extend(found)
    return model


def exhibit(root: Path, file_name: str | None = None, strict: bool = False,
            year: int | None = None) -> tuple[str, str, Problems]:
    """The EDGAR exhibit of the current report, or of an earlier `year` from data/archive/<YEAR>/.

    Returns its text, its file name (`file_name`, or by default exhibit-1.01-<YEAR>.htm) and the problems.
    """
    from generator.publish.exhibit import check_file_name, default_name, render_exhibit
    data_dir = root / "data"
    if year is not None:
        years = [y for y, _folder in archive_folders(data_dir, Problems(), root)]
        if year not in years:
            found = ", ".join(map(str, years)) or "none"
            missing = Problems()
            missing.add(f"{display_path(data_dir / ARCHIVE, root)}/{year}/", "exhibit.year",
                        f"no such year's folder; the earlier years are: {found} "
                        "(leave out --year for the current report)")
            raise UserError(missing)
        data_dir = data_dir / ARCHIVE / str(year)
    model, problems = load_model(root, data_dir)
    text = render_exhibit(model, problems)
    name = file_name or default_name(model.year)
    check_file_name(name, problems)
    problems.raise_if_errors(strict)
    return text, name, problems


def load_model(root: Path, data_dir: Path | None = None, strict: bool = False,
               cache_root: Path | None = None) -> tuple[Model, Problems]:
    """The stages before rendering: content, smelter list, model (for `diff`, which compares models).

    The supplier workbooks are handed to their workers first (data/supply-chain.yml names them): the
    content, the smelter list and the renderers are loaded while they read."""
    data_dir = data_dir or root / "data"
    problems = Problems()
    settings = None
    settings_path = data_dir / SUPPLY_CHAIN_FILE
    if settings_path.exists():
        settings, _ = schema.load(settings_path, SupplyChain, problems, display=display_path(settings_path, root))
    loaded: list[tuple] = []
    early = Problems()  # the content's, apart from consolidation's (which the review records list)

    def load_the_rest() -> None:
        loaded.append(_content_and_smelters(root, data_dir, early, cache_root))
        _import_renderers()

    supply = Problems()
    consolidation = None
    if settings is not None:
        consolidation = consolidate(settings, data_dir, root, supply, cache_root or root, meanwhile=load_the_rest)
    else:
        load_the_rest()
    problems.extend(early)
    problems.extend(supply)
    content, facilities, smelter_file, sheet = loaded[0]
    problems.raise_if_errors()  # errors stop here (no model can be built); warnings wait for the end
    assert content is not None  # a file with errors has raised above
    model = build_model(content, facilities, problems, consolidation)
    check_completeness(content, len(model.facilities), smelter_file or display_path(data_dir, root), sheet, problems)
    problems.raise_if_errors(strict)
    log.info("model: %d facilities, %d countries", len(model.facilities), len(content.countries.countries))
    return model, problems


def _content_and_smelters(root: Path, data_dir: Path, problems: Problems, cache_root: Path | None) -> tuple:
    """The content, the curated smelter list (if report.yml names one), its file as shown and its sheet."""
    content, files = load_content(data_dir, problems, root=root)
    facilities, smelter_file, sheet = [], "", ""
    listing = files["report"].smelter_list if files["report"] is not None else None
    if listing is not None:
        path = data_dir / listing.file
        smelter_file, sheet = display_path(path, root), listing.sheet
        labels = files["report"].status_labels
        facilities = read_smelter_list(path, listing.sheet, problems, smelter_file, listing.designation_as_of,
                                       labels.by_status(), labels.heading, cache_root or root)
    return content, facilities, smelter_file, sheet


def _import_renderers() -> None:
    """Most callers of load_model render next (build, check, diff): import the renderers (a tenth of a
    second) while the workers read the supplier workbooks, not after, as imports at the top would."""
    import generator.commands.review
    import generator.publish.render  # noqa: F401


def build(root: Path, strict: bool = False) -> tuple[dict[str, str], list[str], Problems]:
    """Every stage, then write what changed: the pages into docs/ and every year's review records.

    `python -m generator build` and the preview both come here, so neither leaves an output stale.
    Returns the pages, the changed paths (pages relative to docs/, the review files to the
    project) and the problems.
    """
    current, earlier, problems = load_years(root, strict=strict)
    from generator.publish.render import render_site
    pages = render_site(current, earlier, root)
    changed = write_pages(pages, root / "docs")
    changed += write_review(root, review_files([*earlier, current], root))
    return pages, changed, problems


def review_files(models: list[Model], cache_root: Path | None = None) -> dict[str, str]:
    """Every year's review records: {path under the project (review/<YEAR>/...): text}."""
    from generator.commands.review import render_review
    files: dict[str, str] = {}
    for model in models:
        files.update(render_review(model, cache_root))
    return files


def stale_outputs(root: Path, models: list[Model], pages: dict[str, str]) -> list[str]:
    """Outputs that differ from what the data gives: pages in docs/, and every year's review records."""
    review = review_files(models)
    return [f"docs/{rel}" for rel in stale_pages(pages, root / "docs")] + differing(review, root) \
        + stale_review(review, root)


def write_review(root: Path, review: dict[str, str]) -> list[str]:
    """Write the review files that changed; remove those the data no longer gives (review/ is generated)."""
    changed = write_changed(review, root, root)
    failed = Problems()
    for rel in stale_review(review, root):
        _remove(root / rel, failed, root)
        changed.append(rel)
    failed.raise_if_errors()
    return changed


def stale_review(review: dict[str, str], root: Path) -> list[str]:
    """Files under review/ that no year's data gives any more (such as review/report.md of old)."""
    from generator.commands.review import REVIEW_DIR
    folder = root / REVIEW_DIR
    if not folder.is_dir():
        return []
    present = sorted(p.relative_to(root).as_posix() for p in folder.rglob("*") if p.is_file())
    return [rel for rel in present if rel not in review]


def write_pages(pages: dict[str, str], docs_dir: Path) -> list[str]:
    """Write changed pages only (so timestamps and watchers stay quiet); remove stale ones."""
    changed = write_changed(pages, docs_dir, docs_dir.parent)
    failed = Problems()
    for rel in stale_files(pages, docs_dir):
        _remove(docs_dir / rel, failed, docs_dir.parent)
        changed.append(rel)
    failed.raise_if_errors()
    return changed


def write_changed(files: dict[str, str], base: Path, root: Path) -> list[str]:
    """Write each file under `base` whose bytes differ; return their paths. A file that cannot be
    written (a read-only folder) is a problem naming it (relative to the project, `root`), after
    every other file is written."""
    changed = differing(files, base)
    failed = Problems()
    for rel in changed:
        path = base / rel
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(files[rel].encode("utf-8"))
        except OSError as err:
            failed.add(display_path(path, root), "output.write",
                       f"cannot write the file: {err.strerror or err}; expected a writable folder")
    failed.raise_if_errors()
    return changed


def _remove(path: Path, problems: Problems, root: Path) -> None:
    try:
        path.unlink()
    except OSError as err:
        problems.add(display_path(path, root), "output.write",
                     f"cannot remove this stale file: {err.strerror or err}; expected a writable folder")


def differing(files: dict[str, str], base: Path) -> list[str]:
    """The files under `base` that are missing, unreadable (a folder in the way) or differ from `files`, sorted."""
    return [rel for rel, text in sorted(files.items()) if _bytes(base / rel) != text.encode("utf-8")]


def _bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:  # none, or a folder: writing it says why it cannot be written, if it cannot
        return None


def stale_pages(pages: dict[str, str], docs_dir: Path) -> list[str]:
    """Generated files in docs/ that differ from what the data gives, or should not exist."""
    return differing(pages, docs_dir) + stale_files(pages, docs_dir)


def stale_files(pages: dict[str, str], docs_dir: Path) -> list[str]:
    """Files in docs/ outside the hand-written folders that the generator no longer produces."""
    if not docs_dir.exists():
        return []
    present = sorted(p.relative_to(docs_dir).as_posix() for p in docs_dir.rglob("*") if p.is_file())
    return [rel for rel in present if rel not in pages and not rel.startswith(HAND_WRITTEN)]


def build_site(root: Path, site_dir: Path | None = None) -> None:
    """Build the website with MkDocs in strict mode (any warning fails)."""
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
               "--config-file", str(root / "mkdocs.yml")]
    if site_dir is not None:
        command += ["--site-dir", str(site_dir)]
    env = {**os.environ}
    env.setdefault("SOURCE_DATE_EPOCH", "0")
    env.setdefault("NO_MKDOCS_2_WARNING", "1")
    result = subprocess.run(command, cwd=root, env=env)
    if result.returncode != 0:
        raise UserError("mkdocs.yml: MkDocs could not build the site in strict mode (see its messages above)")
