"""Stage: read every supplier workbook in a folder, fast and only once.

- A cache keyed by the SHA-256 of each file's bytes (and the reader's version)
  lives in the git-ignored .cache/cmrt/: after one workbook changes, a rebuild
  re-reads only that one.
- Cache misses are read in parallel, one process per core.
- A progress bar shows on a terminal only (files done, rate, the file that failed);
  it is quiet when output is not a TTY or under CI.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import pickle
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from generator import __version__
from generator.problems import Problems, display_path
from generator.supply import cmrt

log = logging.getLogger(__name__)

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
CACHE_DIR = ".cache/cmrt"
PARALLEL_FROM = 8  # fewer misses than this are read in this process: starting workers costs more


def read_declarations(folder: Path, problems: Problems, root: Path,
                      cache_root: Path | None = None) -> list[cmrt.Declaration]:
    """Every workbook in `folder`, in name order; each one's problems are carried over as warnings.

    Names are shown relative to `root`; the cache is in `cache_root` (default `root`)/.cache/cmrt.
    """
    if not folder.is_dir():
        problems.add(display_path(folder, root), "supply.missing-folder", "folder of supplier workbooks not found")
        return []
    paths = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES)
    cache = (cache_root or root) / CACHE_DIR
    index = _Index(cache)
    keys = [index.key(path) for path in paths]
    index.save()
    found: dict[str, cmrt.Declaration | None] = {key: _load(cache, key) for key in keys}
    missing = [(path, key) for path, key in zip(paths, keys) if found[key] is None]
    for (_path, key), declaration in zip(missing, _read_all([p for p, _ in missing],
                                                           [display_path(p, root) for p, _ in missing])):
        found[key] = declaration
        _store(cache, key, declaration)
    log.info("read %d supplier workbooks (%d from the cache)", len(paths), len(paths) - len(missing))
    declarations = []
    for path, key in zip(paths, keys):
        shown = display_path(path, root)
        read = found[key]
        assert read is not None  # every missing one was read just above
        declaration = replace(read, file=shown)
        # A supplier's file is not the user's data: its problems are warnings (fatal with --strict),
        # and all of them are listed in the review report.
        for problem in declaration.problems:
            problems.warn(shown, problem.code, problem.message, sheet=problem.sheet, cell=problem.cell)
        declarations.append(declaration)
    return declarations


def _read_all(paths: list[Path], names: list[str]):
    """Yield the Declaration of each path, in order; in parallel when there are many."""
    bar = _progress(len(paths))
    try:
        if len(paths) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
            results: Iterator[cmrt.Declaration] = map(cmrt.read_workbook, paths)
        else:
            pool = ProcessPoolExecutor(max_workers=os.cpu_count())
            results = pool.map(cmrt.read_workbook, paths, chunksize=4)
        for name, declaration in zip(names, results):
            if bar is not None:
                bar.update(1)
                if not declaration.readable:
                    bar.write(f"could not read {name}")
            yield declaration
    finally:
        if bar is not None:
            bar.close()
        if len(paths) >= PARALLEL_FROM and (os.cpu_count() or 1) >= 2:
            pool.shutdown()


class _Index:
    """Which content each file had when last hashed, by path, size and modification time (as git's index).

    Hashing 1,000 workbooks of 1.5 MB takes about a second; an unchanged file is not read again.
    """

    def __init__(self, cache: Path):
        self.path = cache / "index.json"
        try:
            self.entries = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}
        self.changed = False

    def key(self, path: Path) -> str:
        stat = path.stat()
        name = str(path.resolve())
        entry = self.entries.get(name)
        if entry and entry[0] == stat.st_size and entry[1] == stat.st_mtime_ns:
            return entry[2]
        key = _key(path)
        self.entries[name] = [stat.st_size, stat.st_mtime_ns, key]
        self.changed = True
        return key

    def save(self) -> None:
        if not self.changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".tmp{os.getpid()}")
            tmp.write_text(json.dumps(self.entries, sort_keys=True), encoding="utf-8")
            tmp.replace(self.path)
        except OSError as err:
            log.warning("cannot write the workbook cache index %s: %s", self.path, err)


def _key(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return f"{digest}-{_reader_version()}"


@functools.cache
def _reader_version() -> str:
    """The reader's own code is part of the key: a changed reader re-reads every workbook."""
    source = hashlib.sha256(__version__.encode())
    for part in sorted(Path(cmrt.__file__).parent.glob("*.py")):
        source.update(part.read_bytes())
    return source.hexdigest()[:16]


def _load(cache: Path, key: str) -> cmrt.Declaration | None:
    try:
        with open(cache / f"{key}.pickle", "rb") as f:
            value = pickle.load(f)
        return value if isinstance(value, cmrt.Declaration) else None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None


def _store(cache: Path, key: str, declaration: cmrt.Declaration) -> None:
    try:
        cache.mkdir(parents=True, exist_ok=True)
        tmp = cache / f"{key}.tmp{os.getpid()}"
        tmp.write_bytes(pickle.dumps(declaration, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(cache / f"{key}.pickle")
    except OSError as err:
        log.warning("cannot write the workbook cache in %s: %s", cache, err)


def _progress(total: int):
    """A tqdm bar on an interactive terminal; None when quiet (not a TTY, CI, or little to do)."""
    if total < 2 or not sys.stderr.isatty() or os.environ.get("CI"):
        return None
    from tqdm import tqdm
    return tqdm(total=total, unit="workbook", desc="reading supplier workbooks", file=sys.stderr)
