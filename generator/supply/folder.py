"""Stage: read every supplier workbook in a folder, fast and only once.

- A cache keyed by the SHA-256 of each file's bytes (and the reader's version)
  lives in the git-ignored .cache/cmrt/: after one workbook changes, a rebuild
  re-reads only that one.
- Every miss is read in an isolated worker process (generator.excel.isolate), one per core:
  a file that crashes its reader or exceeds a bound is a problem, and the others are read.
- A progress bar shows on a terminal only (files done, rate, the file that failed);
  it is quiet when output is not a TTY or under CI.
"""
from __future__ import annotations

import functools
import hashlib
import itertools
import json
import logging
import os
import pickle
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from generator import __version__
from generator.excel.isolate import Failure, run_isolated
from generator.problems import Problem, Problems, display_path, printable
from generator.supply import cmrt

log = logging.getLogger(__name__)

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
LOCK_PREFIX = "~$"  # Excel's lock file beside a workbook that is open
CACHE_DIR = ".cache/cmrt"
WORKER_CODES = frozenset({"workbook.time-limit", "workbook.memory-limit", "workbook.reader-crashed",
                          "workbook.reader-failed"})


def read_declarations(folder: Path, problems: Problems, root: Path,
                      cache_root: Path | None = None) -> list[cmrt.Declaration]:
    """Every workbook in `folder`, in name order; each one's problems are carried over as warnings.

    Names are shown relative to `root`; the cache is in `cache_root` (default `root`)/.cache/cmrt.
    """
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "not found"
        problems.add(display_path(folder, root), "supply.missing-folder", f"folder of supplier workbooks {what}")
        return []
    cache = (cache_root or root) / CACHE_DIR
    index = _Index(cache)
    paths, keys, names = _distinct(workbook_files(folder, problems, root), index, problems, root)
    # The workbooks not in the cache are read while the cached ones load (the workers start at once);
    # an entry found damaged while loading is read after them.
    unread = [(path, key) for path, key in zip(paths, keys) if not (cache / f"{key}.pickle").exists()]
    reading = read_workbooks([p for p, _ in unread], [names[p] for p, _ in unread])
    found: dict[str, cmrt.Declaration | None] = {key: None for _, key in unread}
    loaded = {key: _load(cache, key) for key in keys if key not in found}
    found.update(loaded)
    damaged = [(path, key) for path, key in zip(paths, keys) if key in loaded and loaded[key] is None]
    missing = unread + damaged
    reading = itertools.chain(reading, read_workbooks([p for p, _ in damaged], [names[p] for p, _ in damaged]))
    writable = True
    for (_path, key), declaration in zip(missing, reading):
        found[key] = declaration
        if writable and not _worker_failed(declaration):
            writable = _store(cache, key, declaration)  # after the first failure, one warning is enough
    index.save()  # after the reading, so that files copied in just before a cold build are not racy any more
    log.info("read %d supplier workbooks (%d from the cache)", len(paths), len(paths) - len(missing))
    declarations = []
    for path, key in zip(paths, keys):
        shown = names[path]
        read = found[key]
        assert read is not None  # every missing one was read just above
        declaration = replace(read, file=shown)
        # A supplier's file is not the user's data: its problems are warnings (fatal with --strict),
        # and all of them are listed in the review report.
        for problem in declaration.problems:
            problems.warn(shown, problem.code, problem.message, sheet=problem.sheet, cell=problem.cell)
        declarations.append(declaration)
    return declarations


def workbook_files(folder: Path, problems: Problems, root: Path) -> list[Path]:
    """The workbooks in `folder` and its subfolders, sorted by path; every other file is named as not read."""
    found = []
    for path in sorted(folder.rglob("*"), key=lambda p: p.relative_to(folder).parts):
        if path.is_dir():
            continue
        if path.name.startswith(LOCK_PREFIX):
            problems.warn(display_path(path, root), "supply.lock-file", "an Excel lock file (the workbook beside it "
                          "is open in Excel); skipped")
        elif not path.is_file():
            problems.warn(display_path(path, root), "supply.not-read", "is not a regular file; not read")
        elif path.suffix.lower() in WORKBOOK_SUFFIXES:
            found.append(path)
        else:
            problems.warn(display_path(path, root), "supply.not-read", "is not a workbook, so it was not read: "
                          f"supplier answers are read from {', '.join(WORKBOOK_SUFFIXES)} files")
    return found


def _distinct(paths: list[Path], index: _Index, problems: Problems,
              root: Path) -> tuple[list[Path], list[str], dict[Path, str]]:
    """The paths and content keys of the files, each content once (a byte-for-byte copy is named, not
    read again), and each one's name as shown (display_path's, from the path resolved once here)."""
    first: dict[str, Path] = {}
    names: dict[Path, str] = {}
    base = root.resolve()
    for path in paths:
        try:
            resolved = path.resolve()
            key = index.key(path, resolved)
        except OSError as err:
            problems.warn(display_path(path, root), "supply.not-read", f"cannot be read: {err.strerror or err}")
            continue
        if key in first:
            problems.warn(display_path(path, root), "supply.duplicate-file",
                          f"is a byte-for-byte copy of {display_path(first[key], root)}; counted once, as that file")
            continue
        first[key] = path
        names[path] = printable(resolved.relative_to(base).as_posix()) if resolved.is_relative_to(base) \
            else printable(str(path))
    return list(first.values()), list(first), names


def read_workbooks(paths: list[Path], names: list[str]) -> Iterator[cmrt.Declaration]:
    """The Declaration of each path, in order, each read in an isolated worker (many at once); the
    workers start at once, before the first one is asked for."""
    return _declarations(paths, names, run_isolated(cmrt.read_workbook, [(path,) for path in paths]))


def _declarations(paths: list[Path], names: list[str], results: Iterator) -> Iterator[cmrt.Declaration]:
    bar = _progress(len(paths))
    try:
        for path, name, result in zip(paths, names, results):
            declaration = _failed(path, result) if isinstance(result, Failure) else result
            if bar is not None:
                bar.update(1)
                if not declaration.readable:
                    bar.write(f"could not read {name}")
            yield declaration
    finally:
        if bar is not None:
            bar.close()
        close = getattr(results, "close", None)
        if close is not None:
            close()


def _worker_failed(declaration: cmrt.Declaration) -> bool:
    return any(p.code in WORKER_CODES for p in declaration.problems)


def _failed(path: Path, failure: Failure) -> cmrt.Declaration:
    """The declaration of a file whose reader died: unreadable, with the bound it hit (never cached)."""
    problem = Problem(printable(str(path)), failure.code, failure.message)
    return cmrt.Declaration(file=printable(str(path)), readable=False, problems=(problem,))


class _Index:
    """Which content each file had when last hashed, by path, size, modification and change time and
    inode (what git's index compares): a file rewritten in place with its old size and modification
    time still has a new change time. An index of any other shape is discarded, with a warning.

    As git does, an entry is judged racy when the index is saved: a file changed within RACY_NS of
    that time could change again unseen by its stat, so it is not kept and is hashed again next time.
    A file whose stat changed between its hashing and the save (it changed during the build) is not
    kept either. `clock` gives the time in nanoseconds (tests set it)."""

    def __init__(self, cache: Path, clock: Callable[[], int] = time.time_ns):
        self.path = cache / "index.json"
        self.clock = clock
        self.entries: dict[str, list] = {}
        self.hashed: dict[str, list] = {}  # this run's, kept or not when saved
        self.changed = False
        try:
            entries = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as err:
            self._discard(f"it cannot be read ({err})")
            return
        if not isinstance(entries, dict):
            self._discard(f"it holds {type(entries).__name__}, not a mapping of files")
            return
        self.entries = {name: entry for name, entry in entries.items() if _valid_entry(entry)}
        if len(self.entries) != len(entries):
            log.warning("the workbook cache index %s had %d malformed entries: discarded, those files are hashed "
                        "again", self.path, len(entries) - len(self.entries))
            self.changed = True

    def _discard(self, why: str) -> None:
        log.warning("the workbook cache index %s is discarded and rebuilt: %s", self.path, why)
        self.changed = True

    def key(self, path: Path, resolved: Path | None = None) -> str:
        stat = path.stat()
        name = str(resolved or path.resolve())
        seen = _seen(stat)
        entry = self.entries.get(name)
        if entry and entry[:4] == seen:
            return entry[4]
        key = _key(path)
        self.hashed[name] = [*seen, key]
        return key

    def save(self) -> None:
        now = self.clock()
        for name, entry in self.hashed.items():
            if now - max(entry[1], entry[2]) > RACY_NS and _unchanged(name, entry):
                self.entries[name] = entry
                self.changed = True
        self.hashed = {}
        if not self.changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".tmp{os.getpid()}")
            tmp.write_text(json.dumps(self.entries, sort_keys=True), encoding="utf-8")
            tmp.replace(self.path)
        except OSError as err:
            log.warning("cannot write the workbook cache index %s: %s", self.path, err)


def _seen(stat: os.stat_result) -> list[int]:
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


def _unchanged(name: str, entry: list) -> bool:
    try:
        return _seen(os.stat(name)) == entry[:4]
    except OSError:
        return False


RACY_NS = 2_000_000_000


def _valid_entry(entry: object) -> bool:
    return (isinstance(entry, list) and len(entry) == 5 and all(isinstance(v, int) and not isinstance(v, bool)
                                                                for v in entry[:4])
            and isinstance(entry[4], str))


def _key(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return f"{digest}-{_reader_version()}"


@functools.cache
def _reader_version() -> str:
    """The reader's own code is part of the key: a changed reader re-reads every workbook. That is
    the readers (supply/cmrt, supply/emrt), what they build on (excel/, supply/values.py, model.py,
    problems.py)."""
    source = hashlib.sha256(__version__.encode())
    package = Path(cmrt.__file__).parent.parent.parent
    parts = [*(package / "supply" / "cmrt").glob("*.py"), *(package / "supply" / "emrt").glob("*.py"),
             *(package / "excel").glob("*.py"), package / "supply" / "values.py", package / "model.py",
             package / "problems.py"]
    for part in sorted(parts):
        source.update(part.read_bytes())
    return source.hexdigest()[:16]


def _load(cache: Path, key: str) -> cmrt.Declaration | None:
    """A cached declaration; None (read the file again) for a missing entry, and for one of any other
    shape, with a warning."""
    path = cache / f"{key}.pickle"
    try:
        with open(path, "rb") as f:
            value = pickle.load(f)
    except FileNotFoundError:
        return None
    except Exception as err:  # truncated, garbage, an old class: the entry is rebuilt
        log.warning("the workbook cache entry %s is discarded and rebuilt: %s", path, _reason(err))
        return None
    if not isinstance(value, cmrt.Declaration):
        log.warning("the workbook cache entry %s is discarded and rebuilt: it holds %s, not a declaration", path,
                    type(value).__name__)
        return None
    return value


def _reason(err: Exception) -> str:
    return f"{type(err).__name__}: {str(err)[:100]}" if str(err) else type(err).__name__


def _store(cache: Path, key: str, declaration: cmrt.Declaration) -> bool:
    """Cache one declaration; False, with a warning, when the cache cannot be written."""
    try:
        cache.mkdir(parents=True, exist_ok=True)
        tmp = cache / f"{key}.tmp{os.getpid()}"
        tmp.write_bytes(pickle.dumps(declaration, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(cache / f"{key}.pickle")
    except OSError as err:
        log.warning("cannot write the workbook cache in %s (the workbooks are read again next time): %s", cache, err)
        return False
    return True


def _progress(total: int):
    """A tqdm bar on an interactive terminal; None when quiet (not a TTY, CI, or little to do)."""
    if total < 2 or not sys.stderr.isatty() or os.environ.get("CI"):
        return None
    from tqdm import tqdm
    return tqdm(total=total, unit="workbook", desc="reading supplier workbooks", file=sys.stderr)
