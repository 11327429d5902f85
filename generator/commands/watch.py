"""`python -m generator watch`: what `build --no-site` writes, written again whenever data/ changes.

One process builds every time: the second build on needs no start-up and no imports, and a reader
worker waits, forked and with the reader imported, for the next changed workbook. A rebuild after one
workbook changes is then mostly the reading of that workbook and the pages. Each build is the same
`pipeline.build` as the command's (the same outputs, byte for byte); invalid data leaves docs/ and
review/ as they were and names the problems, and the next save builds again.

The file system's events (watchdog) wake the loop; a build starts once data/ has been still for
QUIET seconds (a save is often several events) and only when a file's stat in it differs from the
last build's (reading a file, as the build does, changes nothing). data/ removed, or put back whole
(a restore), is watched again within half a second.
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
    watcher = _Watcher(data, woken)
    try:
        seen = _signature(data)
        report(_build(pipeline, root, strict))
        while not stop.is_set():
            with readers_started():  # forked while nothing changes: it reads the next changed workbook
                while not stop.is_set():
                    woken.wait(0.5)
                    if not woken.is_set() and not watcher.refresh():
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
        watcher.stop()


def _build(pipeline, root: Path, strict: bool) -> Built:
    start = time.perf_counter()
    try:
        pages, changed, problems = pipeline.build(root, strict=strict)
    except UserError as err:
        return Built(time.perf_counter() - start, 0, (), err.problems, True)
    return Built(time.perf_counter() - start, len(pages), tuple(changed), problems, False)


class _Watcher:
    """Watchdog's observer of `data`, recursively, setting `woken` on each change it sees: the system's
    notifications, or polling where those cannot be had (their watches used up). `refresh` watches
    `data` again when it is another folder than the one watched (removed, or put back whole: the
    events of the old one stop with it)."""

    def __init__(self, data: Path, woken: threading.Event):
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if event.event_type in _CHANGES:
                    woken.set()

        self.data, self.handler = data, Handler()
        self.inode: int | None = None
        self.observer = Observer()
        self.observer.start()
        self.refresh()

    def refresh(self) -> bool:
        """Whether `data` is watched anew (a folder other than the last one, or none where one was)."""
        try:
            inode = self.data.stat().st_ino if self.data.is_dir() else None
        except OSError:
            inode = None
        if inode == self.inode:
            return False
        self.observer.unschedule_all()
        self.inode = inode
        if inode is not None:
            try:
                self.observer.schedule(self.handler, str(self.data), recursive=True)
            except OSError:  # no notification watch left: poll instead (a folder gone again: next time)
                self._poll()
        return True

    def _poll(self) -> None:
        from watchdog.observers.polling import PollingObserver
        self.stop()
        self.observer = PollingObserver()
        self.observer.start()
        try:
            self.observer.schedule(self.handler, str(self.data), recursive=True)
        except OSError:
            self.inode = None

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join()


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
