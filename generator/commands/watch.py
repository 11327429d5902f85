"""`python -m generator watch`: what `build --no-site` writes, written again whenever data/ changes.

One process builds every time: the second build on needs no start-up and no imports, and a reader
worker waits, forked and with the reader imported, for the next changed workbook. A rebuild after one
workbook changes is then mostly the reading of that workbook and the pages. Each build is the same
`pipeline.build` as the command's (the same outputs, byte for byte); invalid data leaves docs/ and
review/ as they were and names the problems, and the next save builds again.

The file system's events (watchdog) wake the loop; a build starts once data/ has been still for
QUIET seconds (a save is often several events) and only when a file's stat in it differs from the
last build's (reading a file, as the build does, changes nothing).
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.problems import Problems, UserError

QUIET = 0.02
"""Seconds data/ must be still before a build starts."""
_CHANGES = frozenset({"created", "deleted", "modified", "moved", "closed"})  # not opened, read, attrib


@dataclass(frozen=True)
class Built:
    """One build of the loop: how long it took, what it wrote (as `build` lists it) and its problems
    (warnings when it wrote; the errors that stopped it when `failed`)."""

    seconds: float
    pages: int
    changed: tuple[str, ...]
    problems: Problems
    failed: bool


def watch(root: Path, strict: bool, report: Callable[[Built], None], stop: threading.Event | None = None) -> None:
    """Build, then build again after each change under `root`/data/, calling `report` after each build,
    until `stop` is set (or Ctrl+C)."""
    data = root / "data"
    if not data.is_dir():
        raise UserError(f"{data}: not found; --root must name the project folder holding data/")
    from generator import pipeline
    from generator.supply.folder import readers_started

    stop = stop or threading.Event()
    woken = threading.Event()
    observer = _observer(data, woken)
    try:
        seen = _signature(data)
        report(_build(pipeline, root, strict))
        while not stop.is_set():
            with readers_started():  # forked while nothing changes: it reads the next changed workbook
                while not stop.is_set():
                    woken.wait(0.5)
                    if not woken.is_set():
                        continue
                    _settle(woken)
                    now = _signature(data)
                    if now != seen:
                        seen = now
                        break
                else:
                    return
                report(_build(pipeline, root, strict))
    finally:
        observer.stop()
        observer.join()


def _build(pipeline, root: Path, strict: bool) -> Built:
    start = time.perf_counter()
    try:
        pages, changed, problems = pipeline.build(root, strict=strict)
    except UserError as err:
        return Built(time.perf_counter() - start, 0, (), err.problems, True)
    return Built(time.perf_counter() - start, len(pages), tuple(changed), problems, False)


def _observer(data: Path, woken: threading.Event):
    """Watchdog's observer of `data`, recursively, setting `woken` on each change (the polling one
    where the system's notifications cannot be had, such as when its watches are used up)."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type in _CHANGES:
                woken.set()

    for kind in (Observer, PollingObserver):
        observer = kind()
        try:
            observer.schedule(Handler(), str(data), recursive=True)
            observer.start()
            return observer
        except OSError:
            if kind is PollingObserver:
                raise
    raise AssertionError("unreachable")


def _settle(woken: threading.Event) -> None:
    """Return once no change has come for QUIET seconds."""
    while woken.is_set():
        woken.clear()
        time.sleep(QUIET)


def _signature(folder: Path) -> list[tuple[str, int, int, int, int]]:
    """Every file under `folder` with what the build's cache compares (size, modification and change
    time, inode), in path order."""
    found = []
    for parent, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(parent, name)
            try:
                st = os.stat(path)
            except OSError:  # gone since it was listed, a dangling link: the build says what it finds
                found.append((path, -1, -1, -1, -1))
                continue
            found.append((path, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    return found
