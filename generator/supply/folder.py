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

import contextlib
import functools
import gc
import hashlib
import itertools
import json
import logging
import os
import pickle
import stat
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

from generator import __version__
from generator.excel import MAX_FILE_BYTES
from generator.excel.isolate import Failure, run_isolated, started_early
from generator.problems import Problem, Problems, display_path, printable
from generator.supply import cmrt

log = logging.getLogger(__name__)

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
LOCK_PREFIX = "~$"  # Excel's lock file beside a workbook that is open
CACHE_DIR = ".cache/cmrt"


def read_declarations(folder: Path, problems: Problems, root: Path, cache_root: Path | None = None,
                      meanwhile: Callable[[], object] | None = None) -> list[cmrt.Declaration]:
    """Every workbook in `folder`, in name order; each one's problems are carried over as warnings.

    Names are shown relative to `root`; the cache is in `cache_root` (default `root`)/.cache/cmrt.
    `meanwhile` is called once, in any case: once the workers have their files, before the cached ones
    are loaded (the caller's other reading then overlaps theirs).
    """
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "not found"
        problems.add(display_path(folder, root), "supply.missing-folder", f"folder of supplier workbooks {what}")
        if meanwhile is not None:
            meanwhile()
        return []
    cache = (cache_root or root) / CACHE_DIR
    index = _Index(cache)
    _reader_version()  # once, before the workers start: they inherit it
    files = _files(workbook_files(folder, problems, root), index, problems, root)
    # A file whose content the index vouches for has its key; the workers find the others' as they
    # read them (hashing every file here first would leave the other cores idle). Those read are
    # stored in the cache by the workers too; the rest are loaded here while the workers read.
    firsts: dict[str, _File] = {}
    for file in files:
        if file.key is not None:
            firsts.setdefault(file.key, file)
    stored = _stored(cache)
    pack = _Pack(cache, folder)
    cached = {key for key in firsts if key in pack.keys or f"{key}.pickle" in stored}
    todo = [f for f in files if f.key is None or (firsts[f.key] is f and f.key not in cached)]
    reading = _read_into_cache([f.path for f in todo], [f.name for f in todo], cache)
    if meanwhile is not None:
        meanwhile()
    found: dict[str, cmrt.Declaration] = {}
    said: set[str] = set()  # each damaged entry is named once, by whichever process finds it first
    with _collector_paused():  # a thousand declarations of a thousand objects each, and no garbage
        packed = pack.load()
        for key in sorted(cached):
            if key in packed:
                found[key] = packed[key]
                continue
            declaration, why = _entry(cache / f"{key}.pickle")
            if declaration is not None:
                found[key] = declaration
            elif why:
                log.warning("%s", why)
                said.add(why)
    damaged = [firsts[key] for key in sorted(cached) if key not in found]  # read after the others
    reading = itertools.chain(reading, _later(_read_into_cache, [f.path for f in damaged], [f.name for f in damaged],
                                              cache))  # once the others are read
    unkeyed: dict[Path, cmrt.Declaration] = {}  # unreadable before their content was known: never a duplicate
    unwritable_said = False
    unread: set[Path] = set()
    for file, (content, declaration, discarded, unwritable, why) in zip([*todo, *damaged], reading):
        if declaration is None:
            problems.warn(display_path(file.path, root), "supply.not-read", why)
            unread.add(file.path)
            continue
        if discarded and discarded not in said:
            log.warning("%s", discarded)
            said.add(discarded)
        if unwritable and not unwritable_said:  # after the first failure, one warning is enough
            log.warning("%s", unwritable)
            unwritable_said = True
        if content is None:
            unkeyed[file.path] = declaration
            continue
        if file.key != content:  # hashed by its worker (or changed since its stat: then not kept in the index)
            file.key = content
            index.found(file, content)
        found.setdefault(content, declaration)
    # A copy of a file that changed while it was read: its old content was read by no one. Read it
    # now, and counted apart (the build saw the files change under it).
    stragglers = [f for f in files if f.path not in unkeyed and f.path not in unread and f.key not in found]
    for file, (_content, declaration, _d, _u, why) in zip(stragglers, _read_into_cache(
            [f.path for f in stragglers], [f.name for f in stragglers], cache)):
        if declaration is None:
            problems.warn(display_path(file.path, root), "supply.not-read", why)
            unread.add(file.path)
        else:
            unkeyed[file.path] = declaration
    index.save()  # after the reading, so that files copied in just before a cold build are not racy any more
    pack.update(found)
    log.info("read %d supplier workbooks (%d from the cache)", len(files), len(files) - len(todo) - len(damaged))
    declarations = []
    shown: dict[str, _File] = {}
    for file in files:
        if file.path in unread:
            continue
        if file.path in unkeyed:
            read = unkeyed[file.path]
        else:
            content = file.key
            assert content is not None  # each one without a key was read just above
            if content in shown:
                problems.warn(display_path(file.path, root), "supply.duplicate-file", "is a byte-for-byte copy of "
                              f"{display_path(shown[content].path, root)}; counted once, as that file")
                continue
            shown[content], read = file, found[content]
        # Stored under the name it was read as: a copy elsewhere, or a file renamed since, is renamed here.
        declaration = read if read.file == file.name else replace(read, file=file.name)
        # A supplier's file is not the user's data: its problems are warnings (fatal with --strict),
        # and all of them are listed in the review report.
        for problem in declaration.problems:
            problems.warn(file.name, problem.code, problem.message, sheet=problem.sheet, cell=problem.cell)
        declarations.append(declaration)
    return declarations


def readers_started() -> contextlib.AbstractContextManager[None]:
    """A block whose first read of a folder finds a worker forked at its start, the reader imported:
    a rebuild's changed file is then read while this process imports and loads the rest, not after."""
    return started_early(_read_keyed, _import_reader)


def _import_reader() -> None:
    import generator.supply.cmrt.reader  # noqa: F401
    _reader_version()  # forked before the parent knew it


def workbook_files(folder: Path, problems: Problems, root: Path) -> list[Path]:
    """The workbooks in `folder` and its subfolders, sorted by path (each subfolder's files right
    after its own name, as sorting by the paths' parts gives); every other file, and every subfolder
    that cannot be listed, is named as not read. No entry is looked up twice (os.scandir's types)."""
    found: list[Path] = []
    stack = [_entries(folder, problems, root)]
    while stack:
        if not stack[-1]:
            stack.pop()
            continue
        entry = stack[-1].pop()
        path = Path(entry.path)
        try:
            is_dir, is_file, is_link = entry.is_dir(), entry.is_file(), entry.is_symlink()
        except OSError:  # an entry gone since it was listed
            is_dir = is_file = is_link = False
        if is_dir:
            if is_link:  # a linked folder is not walked (a loop could never end): say so
                problems.warn(f"{display_path(path.parent, root)}/{printable(entry.name)}", "supply.not-read",
                              "is a link to a folder, whose files are not read; move or copy them into the "
                              "folder of supplier answers")
            else:
                stack.append(_entries(path, problems, root))
        elif entry.name.startswith(LOCK_PREFIX):
            problems.warn(display_path(path, root), "supply.lock-file", "an Excel lock file (the workbook beside it "
                          "is open in Excel); skipped")
        elif not is_file:
            problems.warn(display_path(path, root), "supply.not-read", "is not a regular file; not read")
        elif path.suffix.lower() in WORKBOOK_SUFFIXES:
            found.append(path)
        else:
            problems.warn(display_path(path, root), "supply.not-read", "is not a workbook, so it was not read: "
                          f"supplier answers are read from {', '.join(WORKBOOK_SUFFIXES)} files")
    return found


def _entries(folder: Path, problems: Problems, root: Path) -> list[os.DirEntry]:
    """A folder's entries, last name first (to be popped in name order); none, named, when it cannot be listed."""
    try:
        with os.scandir(folder) as listing:
            return sorted(listing, key=lambda e: e.name, reverse=True)
    except OSError as err:
        problems.warn(display_path(folder, root), "supply.not-read", "this folder cannot be listed, so no file "
                      f"in it was read: {err.strerror or err}")
        return []


@dataclass
class _File:
    """A workbook to read: its path, its name as shown, its stat as the index compares it, and
    its content key (None until known)."""

    path: Path
    name: str
    resolved: str
    seen: list[int]
    key: str | None


def _files(paths: list[Path], index: _Index, problems: Problems, root: Path) -> list[_File]:
    """Each path's stat and name as shown (display_path's, from the path resolved once here), and its
    key where the index vouches for its content. Each folder is resolved once, and its name as shown
    made once; a file itself only when it is a link (else its resolved path is its folder's and its name)."""
    files = []
    base = root.resolve()
    folders: dict[str, tuple[str, str | None]] = {}  # a folder as listed: (resolved, as shown or None outside root)
    for path in paths:
        listed = str(path)
        try:
            found = os.lstat(listed)
            if stat.S_ISLNK(found.st_mode):
                target, found = path.resolve(), path.stat()
                resolved, shown = str(target), _shown(target, base)
            else:
                folder, leaf = os.path.split(listed)
                if folder not in folders:
                    real = Path(folder).resolve()
                    folders[folder] = str(real), _shown(real, base)
                real_folder, shown_folder = folders[folder]
                resolved = os.path.join(real_folder, leaf)
                shown = None if shown_folder is None else leaf if shown_folder == "." else f"{shown_folder}/{leaf}"
        except OSError as err:
            problems.warn(display_path(path, root), "supply.not-read", f"cannot be read: {err.strerror or err}")
            continue
        seen = _seen(found)
        files.append(_File(path, printable(listed if shown is None else shown), resolved, seen,
                           index.vouched(resolved, seen)))
    return files


def _shown(path: Path, base: Path) -> str | None:
    """A resolved path relative to the project (resolved too), as display_path shows it; None outside it."""
    return path.relative_to(base).as_posix() if path.is_relative_to(base) else None


def read_workbooks(paths: list[Path], names: list[str]) -> Iterator[cmrt.Declaration]:
    """The Declaration of each path, in order, each read in an isolated worker (many at once); the
    workers start when the first one is asked for."""
    results = run_isolated(_read, [(path,) for path in paths])
    for path, result in _progress_over(paths, names, results):
        yield _failed(path, result) if isinstance(result, Failure) else result


def _read(path: Path, *data: bytes) -> cmrt.Declaration:
    """In a reader process: `cmrt.read_workbook`, looked up there (the parent never imports the reader)."""
    return cmrt.read_workbook(path, *data)


_Keyed = tuple[str | None, cmrt.Declaration | None, str, str, str]
"""(content key, declaration, a cache entry's discarding to log, the cache's failure to log, why the
file could not be read at all: then there is no declaration)."""


def _read_into_cache(paths: list[Path], names: list[str], cache: Path) -> Iterator[_Keyed]:
    """As read_workbooks, each with its content key (None for a file whose content could not be
    read, or whose reader died before), each read stored in the cache by its worker. The workers
    start at the call (not at the first result asked for): the caller loads the cached ones meanwhile."""
    results = run_isolated(_read_keyed, [(path, name, cache) for path, name in zip(paths, names)])
    return _keyed(paths, names, results)


def _keyed(paths: list[Path], names: list[str], results: Iterator[Any]) -> Iterator[_Keyed]:
    for path, result in _progress_over(paths, names, results):
        if isinstance(result, Failure):
            yield _content_key(path), _failed(path, result), "", "", ""
        else:
            key, blob, discarded, unwritable, unread = result
            yield key, pickle.loads(blob) if blob else None, discarded, unwritable, unread


def _later(start: Callable[..., Iterator[_Keyed]], *args: Any) -> Iterator[_Keyed]:
    yield from start(*args)


def _read_keyed(path: Path, name: str, cache: Path) -> tuple[str | None, bytes, str, str, str]:
    """In a reader process: the file's content key and its declaration, pickled: from the cache
    where it is there, else read (under its name as shown) and stored there; the warnings for the
    parent to log; and why the file cannot be read at all (as for another user's file), if it cannot."""
    try:
        data = path.read_bytes() if path.stat().st_size <= MAX_FILE_BYTES else None
    except OSError as err:
        return None, b"", "", "", f"cannot be read: {err.strerror or err}"
    if data is None:  # too large: the reader says so
        return None, pickle.dumps(cmrt.read_workbook(path), protocol=pickle.HIGHEST_PROTOCOL), "", "", ""
    key = f"{hashlib.sha256(data).hexdigest()}-{_reader_version()}"
    discarded = ""
    if (cache / f"{key}.pickle").exists():
        value, why = _entry(cache / f"{key}.pickle")
        if value is not None:
            return key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), "", "", ""
        discarded = why
    blob = pickle.dumps(replace(cmrt.read_workbook(path, data), file=name), protocol=pickle.HIGHEST_PROTOCOL)
    return key, blob, discarded, _store(cache, key, blob), ""


def _stored(cache: Path) -> set[str]:
    """The names of the cache's entries, listed once (not a lookup for each file)."""
    try:
        return set(os.listdir(cache))
    except OSError:  # none yet (or not a folder: then storing says so)
        return set()


def _content_key(path: Path) -> str | None:
    """The key of a file whose reader died, hashed here (a regular file within the bound only: never
    a pipe put in its place, which would block the build)."""
    try:
        found = path.stat()
        return _key(path) if stat.S_ISREG(found.st_mode) and found.st_size <= MAX_FILE_BYTES else None
    except OSError:
        return None


def _progress_over(paths: list[Path], names: list[str], results: Iterator) -> Iterator[tuple[Path, Any]]:
    """(path, result) of each path, with a progress bar (see _progress)."""
    bar = _progress(len(paths))
    try:
        for path, name, result in zip(paths, names, results):
            if bar is not None:
                bar.update(1)
                if isinstance(result, Failure):
                    bar.write(f"could not read {name}")
            yield path, result
    finally:
        if bar is not None:
            bar.close()
        close = getattr(results, "close", None)
        if close is not None:
            close()


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

    def vouched(self, name: str, seen: list[int]) -> str | None:
        """The content key of file `name` (its resolved path) if its stat is as indexed, else None: the
        digest of its content as indexed, with this reader's version (an index written by another
        reader names the same content; its declarations are read again)."""
        entry = self.entries.get(name)
        return f"{entry[4].split('-')[0]}-{_reader_version()}" if entry and entry[:4] == seen else None

    def found(self, file: _File, key: str) -> None:
        """The content key of `file` as hashed from its content (its digest kept if the file is not
        racy when saved)."""
        self.hashed[file.resolved] = [*file.seen, key.split("-")[0]]

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


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cycle collection meanwhile, and the objects made go to the oldest generation (as if they
    had survived two collections): the younger ones' collections never scan them again, where
    they would scan a thousand cached declarations over and over (a tenth of a rebuild)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


class _Pack:
    """Every declaration of a folder as the last build that wrote it read them (each folder, such as
    an earlier year's, has its own), in one file beside the entries. Loaded at once, with each string
    shared by all the declarations that hold it (the same smelter names and answers recur across
    suppliers), they load in about half the time of as many entries, in less memory.

    The entries stay the record (the workers write and read them): the pack only spares loading
    them one by one. It is written again only when it misses enough of the build (REPACK_SHARE): in a
    cold build, not in a rebuild after one change. A damaged pack is discarded with a warning (the
    entries serve) and written again."""

    def __init__(self, cache: Path, folder: Path):
        where = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
        self.version = f"declarations-{_reader_version()}-"
        self.path = cache / f"{self.version}{where}.pack"
        self.damaged = False
        self.keys: frozenset[str] = frozenset()
        self._file: BinaryIO | None = None
        try:
            self._file = open(self.path, "rb")
            keys = pickle.load(self._file)  # the header: the keys, sorted; the declarations follow
            if not (isinstance(keys, tuple) and all(isinstance(k, str) for k in keys)):
                raise ValueError(f"its header holds {type(keys).__name__}, not the keys of declarations")
            self.keys = frozenset(keys)
        except (FileNotFoundError, NotADirectoryError):  # none yet, or no cache folder (storing says so)
            pass
        except Exception as err:  # truncated, garbage: the entries serve
            self._discard(err)

    def load(self) -> dict[str, cmrt.Declaration]:
        """The declarations, by key: none when there is no pack or it is damaged (then with a warning)."""
        if self._file is None:
            return {}
        try:
            with self._file:
                found = pickle.load(self._file)
            if not (isinstance(found, dict) and found.keys() == self.keys
                    and all(isinstance(d, cmrt.Declaration) for d in found.values())):
                raise ValueError(f"it holds {type(found).__name__}, not the declarations its header names")
        except Exception as err:
            self._discard(err)
            return {}
        return found

    def _discard(self, err: Exception) -> None:
        log.warning("the workbook cache pack %s is discarded and rebuilt: %s", self.path, _reason(err))
        if self._file is not None:
            self._file.close()
        self.keys, self._file, self.damaged = frozenset(), None, True

    def update(self, found: dict[str, cmrt.Declaration]) -> None:
        """Write the pack of `found` if the present one is damaged, or misses or outlives enough of
        it: of those that have an entry (never a file whose worker died: it is read again next time);
        remove the packs of other readers' versions."""
        missed = len(found.keys() - self.keys) + len(self.keys - found.keys())
        if not (self.damaged or missed > max(1, len(found) // REPACK_SHARE) or found and not self.path.exists()):
            return
        stored = _stored(self.path.parent)
        keys = tuple(sorted(k for k in found if k in self.keys or f"{k}.pickle" in stored))
        strings: dict[str, str] = {}
        tmp = self.path.with_suffix(f".tmp{os.getpid()}")
        try:
            body = {key: _shared(found[key], strings) for key in keys}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as f:
                pickle.dump(keys, f, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(body, f, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(self.path)
            for old in self.path.parent.glob("declarations-*.pack"):
                if not old.name.startswith(self.version):
                    old.unlink()
        except Exception as err:  # a full disk, a record pickle cannot take: the entries serve
            log.warning("cannot write the workbook cache pack %s (the entries serve): %s", self.path, _reason(err))
            with contextlib.suppress(OSError):
                tmp.unlink()


REPACK_SHARE = 8
"""The pack is written again when its misses and its contents no longer in the build are more than
one in REPACK_SHARE of the build's contents."""


def _shared(value: Any, strings: dict[str, str]) -> Any:
    """A copy of `value` (a declaration and the records and tuples it holds) whose equal strings
    are one object, taken from `strings`: pickled together, each is then stored and loaded once."""
    kind = type(value)
    if kind is str:
        return strings.setdefault(value, value)
    if kind is tuple:
        return tuple([_shared(v, strings) for v in value])
    if isinstance(value, tuple):  # a named tuple
        return kind._make([_shared(v, strings) for v in value])
    if is_dataclass(value):
        copy = object.__new__(kind)  # as pickle makes it: __init__ (and its checks) ran for the original
        if kind not in _FIELDS:
            _FIELDS[kind] = tuple(f.name for f in fields(value))
        for name in _FIELDS[kind]:
            object.__setattr__(copy, name, _shared(getattr(value, name), strings))
        return copy
    return value  # numbers, booleans, None and dates


_FIELDS: dict[type, tuple[str, ...]] = {}  # each record class's fields, by class


def _entry(path: Path) -> tuple[cmrt.Declaration | None, str]:
    """The declaration a cache entry holds, or None and why it is discarded ("" when it is missing)."""
    try:
        with open(path, "rb") as f:
            value = pickle.load(f)
    except FileNotFoundError:
        return None, ""
    except Exception as err:  # truncated, garbage, an old class: the entry is rebuilt
        return None, f"the workbook cache entry {path} is discarded and rebuilt: {_reason(err)}"
    if not isinstance(value, cmrt.Declaration):
        return None, (f"the workbook cache entry {path} is discarded and rebuilt: it holds {type(value).__name__}, "
                      "not a declaration")
    return value, ""


def _reason(err: Exception) -> str:
    return f"{type(err).__name__}: {str(err)[:100]}" if str(err) else type(err).__name__


def _store(cache: Path, key: str, blob: bytes) -> str:
    """Cache one pickled declaration; "" when stored, else the warning to log."""
    try:
        cache.mkdir(parents=True, exist_ok=True)
        tmp = cache / f"{key}.tmp{os.getpid()}"
        tmp.write_bytes(blob)
        tmp.replace(cache / f"{key}.pickle")
    except OSError as err:
        return f"cannot write the workbook cache in {cache} (the workbooks are read again next time): {err}"
    return ""


def _progress(total: int):
    """A tqdm bar on an interactive terminal; None when quiet (not a TTY, CI, or little to do)."""
    if total < 2 or not sys.stderr.isatty() or os.environ.get("CI"):
        return None
    from tqdm import tqdm
    return tqdm(total=total, unit="workbook", desc="reading supplier workbooks", file=sys.stderr)
