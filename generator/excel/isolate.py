"""Run a reader over untrusted files in worker processes that may die without taking the build down.

Each worker is a forked process whose address space is capped (RLIMIT_AS: the parent's own size
plus MEMORY_BUDGET) and whose every task has a wall-clock limit (TIME_LIMIT seconds). A native
parser that aborts, a signal, a MemoryError or a task that runs too long ends only that task:
its result is a `Failure` naming the bound, the worker is replaced and the other tasks go on.

    for result in run_isolated(read_workbook, [(path,) for path in paths]):
        if isinstance(result, Failure): ...   # result.code, result.message
    facilities = read_isolated(read_list, problems, "data/smelters.xlsx", path, sheet, default=[])

Workers live for the whole call (a fork each, not one per file), at most one per core. Within
`started_early(func, warm)`, one is forked at once and runs `warm` (imports, say) while the caller goes
on; the first call for `func` with the default memory budget, in the same thread, takes it.
"""
from __future__ import annotations

import contextlib
import faulthandler
import functools
import logging
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from generator.problems import Problem, Problems

log = logging.getLogger(__name__)

MEMORY_BUDGET = 2 * 1024 ** 3
"""Address space a worker may add to what it inherits: far above the 400 MB a workbook may unpack to
and the 80 MB calamine needs for the largest sheet allowed, far below what a hostile file asks for."""
TIME_LIMIT = 120.0
"""Seconds one file may take; a real CMRT takes well under one."""
_EXIT_MEMORY = 87  # a worker's exit status after a MemoryError


@dataclass(frozen=True)
class Failure:
    """A task whose worker died or ran out of a bound; `code` is a stable problem code."""

    code: str
    message: str


def run_isolated(func: Callable[..., Any], tasks: Sequence[tuple], workers: int | None = None,
                 memory: int | None = None, seconds: float | None = None) -> Iterator[Any]:
    """Yield `func(*task)` for each task, in order, or a `Failure` where its worker did not return.

    The workers start on the call, not on the first result asked for: the caller may do other work
    while they read. Closing the iterator (or reading it to the end) stops them."""
    if not tasks:
        return iter(())
    memory = MEMORY_BUDGET if memory is None else memory
    seconds = TIME_LIMIT if seconds is None else seconds
    count = max(1, min(workers or os.cpu_count() or 1, len(tasks)))
    pool = _Pool(func, count, memory, seconds)
    results = _results(pool, tasks)
    next(results)  # started: the tasks are handed out, and closing it (or its end) stops the workers
    return results


_early: dict[tuple[Callable[..., Any], int], _Worker] = {}
"""A worker forked ahead for each function, within started_early, by the thread whose block it is."""


@contextlib.contextmanager
def started_early(func: Callable[..., Any], warm: Callable[[], object]) -> Iterator[None]:
    """A block in which the first run_isolated of `func` (with the default bounds) finds a worker forked
    at the block's start, which ran `warm` meanwhile; stopped at the end if no call took it."""
    key = (func, threading.get_ident())
    _early[key] = _Worker(_context(), func, MEMORY_BUDGET, warm)
    try:
        yield
    finally:
        worker = _early.pop(key, None)
        if worker is not None:
            worker.stop()


def _context():
    # fork: a worker starts in milliseconds with what the parent imported (spawn where there is no fork)
    return multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


def _results(pool: _Pool, tasks: Sequence[tuple]) -> Iterator[Any]:
    try:
        for worker in pool.workers:
            pool._assign(worker, tasks)
        yield None
        yield from pool.results(tasks)
    finally:
        pool.close()


def run_one(func: Callable[..., Any], *args: Any) -> Any:
    """`func(*args)` in one isolated worker: its result, or a `Failure`."""
    return next(run_isolated(func, [args], workers=1))


class _Worker:
    def __init__(self, ctx, func: Callable[..., Any], memory: int, warm: Callable[[], object] | None = None):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, func, memory, warm), daemon=True)
        self.memory = memory
        self.process.start()
        child.close()
        self.task: int | None = None
        self.deadline = 0.0

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


class _Pool:
    def __init__(self, func: Callable[..., Any], count: int, memory: int, seconds: float):
        self.ctx = _context()
        self.func, self.memory, self.seconds = func, memory, seconds
        self._left = 0  # the next task to hand out
        key = (func, threading.get_ident())
        early = _early.pop(key) if key in _early and _early[key].memory == memory else None
        if early is not None and not early.process.is_alive():  # it died waiting: a file is not to blame
            early.stop()
            early = None
        self.workers = [early] if early is not None else []
        self.workers += [self._start() for _ in range(count - len(self.workers))]

    def _start(self) -> _Worker:
        return _Worker(self.ctx, self.func, self.memory)

    def results(self, tasks: Sequence[tuple]) -> Iterator[Any]:
        done: dict[int, Any] = {}
        nxt = 0
        while nxt < len(tasks):
            while nxt in done:
                yield done.pop(nxt)
                nxt += 1
            if nxt >= len(tasks):
                return
            busy = [w for w in self.workers if w.task is not None]
            timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout)
            for index, worker in reversed(list(enumerate(self.workers))):
                if worker.task is None:
                    continue
                if worker.conn in ready or worker.process.sentinel in ready:
                    result = self._collect(worker)
                elif time.monotonic() >= worker.deadline:
                    result = Failure("workbook.time-limit",
                                     f"reading it took more than the {self.seconds:g} s limit of a reader "
                                     "process; it was stopped and the file was not read")
                else:
                    continue
                done[worker.task] = result
                worker.task = None
                if isinstance(result, Failure):
                    log.debug("a worker failed: %s", result.message)
                    worker.stop()
                    if self._left < len(tasks):  # a new worker only for tasks still to do
                        worker = self.workers[index] = self._start()
                    else:
                        del self.workers[index]
                        continue
                self._assign(worker, tasks)

    def _assign(self, worker: _Worker, tasks: Sequence[tuple]) -> None:
        if self._left >= len(tasks):
            return
        worker.task, self._left = self._left, self._left + 1
        worker.deadline = time.monotonic() + self.seconds
        try:
            worker.conn.send(tasks[worker.task])
        except OSError:  # it died already: the next wait sees its sentinel
            pass

    def _collect(self, worker: _Worker) -> Any:
        try:
            if worker.conn.poll():
                kind, value = worker.conn.recv()
                return Failure("workbook.reader-failed", value) if kind == "error" else value
        except (EOFError, OSError):
            pass
        worker.process.join()
        return _death(worker.process.exitcode, self.memory)

    def close(self) -> None:
        """Idle workers are told to stop; busy ones (the caller gave up: Ctrl+C, an error) are killed."""
        for worker in self.workers:
            if worker.task is None:
                try:
                    worker.conn.send(None)
                except OSError:
                    pass
        for worker in self.workers:
            if worker.task is None:
                worker.process.join(timeout=5)
            worker.stop()


def _death(exitcode: int | None, memory: int) -> Failure:
    limit = f"{memory // 1024 ** 2:,} MB"
    if exitcode == _EXIT_MEMORY:
        return Failure("workbook.memory-limit", f"reading it needed more memory than the {limit} limit of a "
                       "reader process; the file was not read")
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return Failure("workbook.reader-crashed",
                       f"the reader process died of {name} while reading it (a native parser abort, often an "
                       f"allocation beyond the {limit} memory limit of a reader process); the file was not read")
    return Failure("workbook.reader-crashed", f"the reader process exited with status {exitcode} while reading "
                   f"it (memory limit {limit}); the file was not read")


def _serve(conn: Connection, func: Callable[..., Any], memory: int, warm: Callable[[], object] | None) -> None:
    """A worker's loop: cap the address space (and warm up), then run tasks until told to stop."""
    _limit_memory(memory)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    faulthandler.disable()  # a native abort is reported as the file's problem, not as a stack dump
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        _quiet_stderr()  # nor as the parser's own "memory allocation failed" and backtrace
    if warm is not None:
        try:
            warm()
        except Exception:  # the first task meets the same failure, as its file's problem
            log.debug("warming up failed:\n%s", traceback.format_exc())
    parent = multiprocessing.parent_process()
    waited: list[Connection | int] = [conn] if parent is None else [conn, parent.sentinel]
    while True:
        try:
            if conn not in wait(waited):  # the parent has gone (killed, say) without telling it to stop
                return
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            reply: tuple[str, Any] = ("ok", func(*task))
        except MemoryError:
            os._exit(_EXIT_MEMORY)
        except Exception as err:  # a bug shown by one file: that file's problem, with the cause logged
            log.debug("reader failed:\n%s", traceback.format_exc())
            reply = ("error", f"the reader failed on it ({type(err).__name__}: {str(err)[:200]}); "
                              "the file was not read")
        try:
            conn.send(reply)
        except MemoryError:
            os._exit(_EXIT_MEMORY)


def _quiet_stderr() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError as err:
        log.debug("cannot silence a worker's stderr: %s", err)


def _limit_memory(budget: int) -> None:
    try:
        import resource
        with open("/proc/self/statm") as f:
            size = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = size + budget if hard == resource.RLIM_INFINITY else min(size + budget, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError) as err:  # not Linux: the time limit still applies
        log.debug("cannot limit a worker's address space: %s", err)


def read_isolated(func: Callable[..., Any], problems: Problems, display: str, *args: Any, default: Any = None) -> Any:
    """`func(*args, problems)` in an isolated worker: its result, its problems added to `problems`;
    `default`, with the bound it hit as a problem naming `display`, when the worker dies."""
    result = next(run_isolated(functools.partial(_with_problems, func), [args], workers=1))
    if isinstance(result, Failure):
        problems.add(display, result.code, result.message)
        return default
    value, found = result
    problems.extend(found)
    return value


def _with_problems(func: Callable[..., Any], *args: Any) -> tuple[Any, list[Problem]]:
    found = Problems()
    return func(*args, found), found.items
