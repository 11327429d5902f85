"""Read a single list file once: the smelter list, a reference or conformance list, a roster.

`read_cached` is `read_isolated` with a cache in the git-ignored .cache/lists/, as
generator.supply.folder caches the supplier workbooks: an entry is keyed by the SHA-256 of
the file's bytes, its path, the reading function and its arguments, and the generator's own
code. A hit skips the worker, and the problems found when the file was read are added again,
the same ones in the same order; so the same file read twice in one build (the reference list
that is also the conformance list) is read once. A worker that died or hit a bound is never
cached. A damaged entry is discarded with a warning and rebuilt.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import __version__
from generator.excel.isolate import read_isolated
from generator.problems import Problem, Problems

log = logging.getLogger(__name__)

CACHE_DIR = ".cache/lists"


@dataclass(frozen=True)
class _Entry:
    key: str
    value: Any
    problems: tuple[Problem, ...]


_FAILED = object()  # the worker died: its problem is added, nothing is cached


def read_cached(func: Callable[..., Any], problems: Problems, display: str, path: Path, *args: Any,
                cache_root: Path | None, default: Any = None) -> Any:
    """`read_isolated(func, problems, display, path, *args, default=default)`, from the cache in
    `cache_root`/.cache/lists when the same file was read so before (no cache when it is None)."""
    if cache_root is None:
        return read_isolated(func, problems, display, path, *args, default=default)
    try:
        key = _key(func, path, args)
    except OSError:  # missing or unreadable: the reader names it, as without a cache
        return read_isolated(func, problems, display, path, *args, default=default)
    cache = cache_root / CACHE_DIR
    entry = _load(cache / f"{key}.pickle", key)
    if entry is None:
        found = Problems()
        value = read_isolated(func, found, display, path, *args, default=_FAILED)
        if value is _FAILED:
            problems.extend(found)
            return default
        entry = _Entry(key, value, tuple(found.items))
        _store(cache, entry)
    problems.extend(list(entry.problems))
    return entry.value


def _key(func: Callable[..., Any], path: Path, args: tuple) -> str:
    content = hashlib.sha256(path.read_bytes()).hexdigest()
    call = repr((str(path), func.__module__, func.__qualname__, args))
    return hashlib.sha256(f"{content}\0{call}\0{_code_version()}".encode()).hexdigest()


@functools.cache
def _code_version() -> str:
    """Every module of the generator: any change to the code reads the lists again (a second or so, once)."""
    source = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent.parent
    for part in sorted(package.rglob("*.py")):
        source.update(part.relative_to(package).as_posix().encode() + b"\0" + part.read_bytes())
    return source.hexdigest()[:16]


def _load(path: Path, key: str) -> _Entry | None:
    """A cached entry; None (read the file) when there is none, and for one of any other shape, with a warning."""
    try:
        with open(path, "rb") as f:
            entry = pickle.load(f)
    except (FileNotFoundError, NotADirectoryError):  # none yet, or no cache folder: nothing to discard
        return None
    except Exception as err:  # truncated, garbage, an old class: the entry is rebuilt
        why = f"{type(err).__name__}: {str(err)[:100]}" if str(err) else type(err).__name__
        log.warning("the list cache entry %s is discarded and rebuilt: %s", path, why)
        return None
    if not (isinstance(entry, _Entry) and entry.key == key and isinstance(entry.problems, tuple)
            and all(isinstance(p, Problem) for p in entry.problems)):
        log.warning("the list cache entry %s is discarded and rebuilt: it holds %s, not this file's reading", path,
                    type(entry).__name__)
        return None
    return entry


def _store(cache: Path, entry: _Entry) -> None:
    try:
        cache.mkdir(parents=True, exist_ok=True)
        tmp = cache / f"{entry.key}.tmp{os.getpid()}"
        tmp.write_bytes(pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(cache / f"{entry.key}.pickle")
    except OSError as err:
        log.warning("cannot write the list cache in %s (the file is read again next time): %s", cache, err)
