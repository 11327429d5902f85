"""`python -m generator watch`: what `build --no-site` writes, written again whenever data/ changes.

One process builds every time: the second build on needs no start-up and no imports, and a reader
worker waits, forked and with the reader imported, for the next changed workbook. A rebuild after one
workbook changes is then mostly the reading of that workbook and the pages. Each build is the same
`pipeline.build` as the command's (the same outputs, byte for byte); invalid data leaves docs/ and
review/ as they were and names the problems, and the next save builds again.

The file system's events (watchdog) wake the loop; a build starts once data/ has been still for
QUIET seconds (a save is often several events) and only when an entry's stat in it differs from the
last build's (reading a file, as the build does, changes nothing). Every LOOK_AGAIN seconds data/ is
compared even without an event, and a folder put in its place (a restore) is watched. Files the
build reads from outside data/ (a workbook folder named by a path outside it) are not watched.
"""
from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.problems import Problems, UserError

QUIET = 0.02
"""Seconds data/ must be still before a build starts..."""
SETTLE_AT_MOST = 1.0
"""...but no longer than this after the first change: a file written on and on is built meanwhile."""
LOOK_AGAIN = 2.0
"""Seconds after which data/ is compared with the last build's even without an event (events can be
lost: a queue that overflowed, a network file system), and a folder put in data/'s place watched."""
_CHANGES = frozenset({"created", "deleted", "modified", "moved", "closed", "attrib"})  # not opened nor read


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
    watcher = _Watcher(data, woken)
    try:
        seen = _signature(data)
        report(_build(pipeline, root, strict))
        while not stop.is_set():
            with readers_started():  # forked while nothing changes: it reads the next changed workbook
                now = _changed(data, seen, woken, watcher, stop)
                if now is None:
                    return
                seen = now
                report(_build(pipeline, root, strict))
    finally:
        watcher.stop()


def _changed(data: Path, seen: list, woken: threading.Event, watcher: _Watcher,
             stop: threading.Event) -> list[tuple] | None:
    """Wait until data/ differs from `seen` and has settled: its signature then (taken before the
    build, so that a change during the build is built next); None once `stop` is set."""
    looked = time.monotonic()
    while not stop.is_set():
        if not woken.wait(0.5):  # `stop` is looked at twice a second
            if time.monotonic() - looked < LOOK_AGAIN:
                continue
            watcher.refresh()
        _settle(woken)
        looked = time.monotonic()
        now = _signature(data)
        if now != seen:
            return now
    return None


def _build(pipeline, root: Path, strict: bool) -> Built:
    start = time.perf_counter()
    try:
        pages, changed, problems = pipeline.build(root, strict=strict)
    except UserError as err:
        return Built(time.perf_counter() - start, 0, (), err.problems, True)
    return Built(time.perf_counter() - start, len(pages), tuple(changed), problems, False)


class _Watcher:
    """Watchdog's observer of `data` (the folder it names, if a link), recursively, setting `woken` on
    each change it sees: the system's notifications, or polling where those cannot be had (their
    watches used up). `refresh` watches `data` again when the folder there is another one or its
    watch has ended (removed, or put back whole: the events of the old folder end with it)."""

    def __init__(self, data: Path, woken: threading.Event):
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if event.event_type in _CHANGES:
                    woken.set()

        self.data, self.handler = data, Handler()
        self.folder: tuple[str, int, int] | None = None
        self.observer = Observer()
        self.observer.start()
        self.refresh()

    def refresh(self) -> None:
        try:
            real = self.data.resolve()
            st = real.stat()
            folder = (str(real), st.st_dev, st.st_ino) if real.is_dir() else None
        except OSError:
            folder = None
        alive = any(emitter.is_alive() for emitter in self.observer.emitters)
        if folder == self.folder and (alive or folder is None):
            return
        self.observer.unschedule_all()
        self.folder = folder
        if folder is not None:
            try:
                self.observer.schedule(self.handler, folder[0], recursive=True)
            except OSError:  # no notification watch left: poll instead (a folder gone again: next time)
                self._poll(folder[0])

    def _poll(self, folder: str) -> None:
        from watchdog.observers.polling import PollingObserver
        self.stop()
        self.observer = PollingObserver()
        self.observer.start()
        try:
            self.observer.schedule(self.handler, folder, recursive=True)
        except OSError:
            self.folder = None

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join()


def _settle(woken: threading.Event) -> None:
    """Return once no change has come for QUIET seconds, or SETTLE_AT_MOST after the first."""
    until = time.monotonic() + SETTLE_AT_MOST
    while woken.is_set() and time.monotonic() < until:
        woken.clear()
        time.sleep(QUIET)
    woken.clear()


def _signature(folder: Path) -> list[tuple]:
    """Every entry under `folder` (files, folders, links and, through a link, what it names), with
    its type and what the build's cache compares (size, modification and change time, inode), in
    path order."""
    found: list[tuple] = []
    for parent, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted([*dirs, *names]):
            path = os.path.join(parent, name)
            entry = _stat(path, os.lstat)
            found.append((path, *entry))
            if stat.S_ISLNK(entry[0]):
                found.append((path, *_stat(path, os.stat)))
    return found


def _stat(path: str, how: Callable[[str], os.stat_result]) -> tuple[int, ...]:
    try:
        st = how(path)
    except OSError:  # gone since it was listed, a dangling link: the build says what it finds
        return (-1,)
    return st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino
