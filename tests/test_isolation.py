"""Every workbook is read in a worker process with a memory and a time limit: a dying worker is one
file's problem, never the build's end."""
from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

from generator.excel import isolate
from generator.excel.isolate import Failure, run_isolated, run_one
from generator.problems import Problems
from generator.supply import cmrt
from generator.supply import folder as workbooks
from tests import cmrt_fixtures as fx
from tests import project

MB = 1024 ** 2


def behave(kind: str) -> str:
    """A reader that does what it is told: return, abort, exhaust memory, hang or raise."""
    if kind == "abort":
        os.abort()
    if kind == "memory":
        return str(len(bytearray(1024 * MB)))
    if kind == "hang":
        time.sleep(60)
    if kind == "raise":
        raise ValueError("bad cell")
    return f"read {kind}"


def test_each_kind_of_death_is_one_failure_and_the_others_are_read():
    tasks = [("a",), ("abort",), ("b",), ("memory",), ("c",), ("hang",), ("raise",), ("d",)]
    results = list(run_isolated(behave, tasks, workers=2, memory=256 * MB, seconds=2))
    assert results == [
        "read a",
        Failure("workbook.reader-crashed", "the reader process died of SIGABRT while reading it (a native parser "
                "abort, often an allocation beyond the 256 MB memory limit of a reader process); the file was not read"),
        "read b",
        Failure("workbook.memory-limit", "reading it needed more memory than the 256 MB limit of a reader process; "
                "the file was not read"),
        "read c",
        Failure("workbook.time-limit", "reading it took more than the 2 s limit of a reader process; it was "
                "stopped and the file was not read"),
        Failure("workbook.reader-failed", "the reader failed on it (ValueError: bad cell); the file was not read"),
        "read d",
    ]


def test_one_task_runs_in_its_own_process():
    assert run_one(os.getpid) != os.getpid()
    assert run_one(behave, "x") == "read x"
    assert isolate.MEMORY_BUDGET == 2 * 1024 ** 3 and isolate.TIME_LIMIT == 120.0


def aborting_reader(path, *data):
    if Path(path).name == "crash.xlsx":
        os.abort()
    return REAL_READ(path, *data)


REAL_READ = cmrt.read_workbook


def test_a_workbook_that_kills_its_reader_is_a_warning_and_the_others_are_read(tmp_path, monkeypatch):
    folder = tmp_path / "data/cmrt"
    for name in ("a.xlsx", "crash.xlsx", "z.xlsx"):
        spec = fx.full_declaration("6.5")
        spec.fields["company_name"] = name
        fx.write(spec, folder / name)
    monkeypatch.setattr(cmrt, "read_workbook", aborting_reader)
    problems = Problems()
    declarations = workbooks.read_declarations(folder, problems, tmp_path)
    assert [(d.company_name, d.readable) for d in declarations] == [("a.xlsx", True), ("", False), ("z.xlsx", True)]
    assert [str(p) for p in problems.sorted()] == [
        "data/cmrt/crash.xlsx: warning: the reader process died of SIGABRT while reading it (a native parser abort, "
        "often an allocation beyond the 2,048 MB memory limit of a reader process); the file was not read "
        "[workbook.reader-crashed]"]
    # A failure is not cached: the next build tries the file again.
    monkeypatch.setattr(cmrt, "read_workbook", REAL_READ)
    again = workbooks.read_declarations(folder, Problems(), tmp_path)
    assert [d.company_name for d in again] == ["a.xlsx", "crash.xlsx", "z.xlsx"]


def test_the_curated_list_and_the_roster_are_read_in_workers_too(tmp_path, monkeypatch):
    from generator.content import smelters
    from generator.supply import roster

    monkeypatch.setattr(smelters, "_read", lambda *args, **kwargs: os.abort())
    monkeypatch.setattr(roster, "_workbook_rows", lambda *args, **kwargs: os.abort())
    data = project.write_data(tmp_path / "data")
    problems = Problems()
    assert smelters.read_smelter_list(data / "smelters.xlsx", "Smelters", problems, "data/smelters.xlsx") == []
    project.write_smelters(data / "roster.xlsx", [["Acme"]], header=("name",), sheet="Roster")
    assert roster.read_table(data / "roster.xlsx", problems, "data/roster.xlsx") is None
    assert [(p.file, p.code) for p in problems.sorted()] == [
        ("data/roster.xlsx", "workbook.reader-crashed"), ("data/smelters.xlsx", "workbook.reader-crashed")]


def test_read_command_reads_every_file_in_a_worker(tmp_path, monkeypatch, capsys):
    from generator.commands.read import run_read

    for name in ("a.xlsx", "crash.xlsx"):
        fx.write(fx.full_declaration("6.5"), tmp_path / name)
    monkeypatch.setattr(cmrt, "read_workbook", aborting_reader)
    assert run_read([tmp_path / "a.xlsx", tmp_path / "crash.xlsx"], as_json=True) == 1
    import json
    out = json.loads(capsys.readouterr().out)
    assert [(d["readable"], [p["code"] for p in d["problems"]]) for d in out] == [
        (True, []), (False, ["workbook.reader-crashed"])]


def test_a_native_abort_is_one_clean_problem_on_the_terminal(tmp_path):
    """A binary workbook is not measured before the parser: its far cell makes calamine abort, in a worker."""
    import subprocess
    import sys

    from tests.xlsb import to_xlsb, with_far_cell

    xlsb = to_xlsb(fx.write(fx.full_declaration("6.5"), tmp_path / "base.xlsx"), tmp_path / "base.xlsb")
    with_far_cell(xlsb, tmp_path / "far.xlsb")
    env = {**os.environ, "PYTHONPATH": str(project.ROOT)}
    result = subprocess.run([sys.executable, "-m", "generator", "read", "far.xlsb", "base.xlsb"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300, env=env)
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout.splitlines()[:3] == [
        "far.xlsb: could not be read",
        "  problems: 1 error(s), 0 warning(s)",
        "    far.xlsb: error: the reader process died of SIGABRT while reading it (a native parser abort, often an "
        "allocation beyond the 2,048 MB memory limit of a reader process); the file was not read "
        "[workbook.reader-crashed]"]
    base = result.stdout.split("\n\n")[1].splitlines()
    assert base[:2] == ["base.xlsb: CMRT 6.5 (xlsb)", "  company: Acme Components Ltd."]


def test_a_caller_that_gives_up_leaves_no_worker_behind():
    results = run_isolated(behave, [("a",), ("hang",), ("hang",)], workers=2, seconds=60)
    assert next(results) == "read a"
    children = multiprocessing.active_children()
    start = time.monotonic()
    results.close()  # what an exception or Ctrl+C in the caller does
    assert time.monotonic() - start < 5
    assert [c for c in children if c.is_alive()] == []


def mark(path: str) -> str:
    Path(path).write_text("read", encoding="utf-8")
    return "done"


def test_the_workers_start_on_the_call_so_the_caller_can_work_meanwhile(tmp_path):
    flag = tmp_path / "flag"
    results = run_isolated(mark, [(str(flag),)], workers=1)
    deadline = time.monotonic() + 60
    while not flag.exists() and time.monotonic() < deadline:  # no result asked for yet
        time.sleep(0.01)
    assert flag.read_text(encoding="utf-8") == "read"
    assert list(results) == ["done"]


def test_results_never_asked_for_leave_no_worker_behind():
    results = run_isolated(behave, [("hang",), ("hang",)], workers=2, seconds=60)
    children = multiprocessing.active_children()
    assert len(children) == 2
    del results  # dropped without a result asked for: the workers are stopped
    assert [c for c in children if c.is_alive()] == []


def warm_up() -> None:
    os.environ["CMR_TEST_WARMED"] = "yes"  # in the worker: its parent never sees it


def whoami(task: str) -> tuple[int, str, str]:
    return os.getpid(), os.environ.get("CMR_TEST_WARMED", "cold"), task


def test_a_worker_started_early_runs_the_first_call_of_its_function_warmed_up():
    with isolate.started_early(whoami, warm_up):
        (early,) = multiprocessing.active_children()
        assert list(run_isolated(whoami, [("a",)])) == [(early.pid, "yes", "a")]
        (pid, warmed, _), = run_isolated(whoami, [("b",)])  # the next call forks its own
        assert pid not in (early.pid, os.getpid()) and warmed == "cold"
    assert multiprocessing.active_children() == [] and "CMR_TEST_WARMED" not in os.environ


def test_a_worker_started_early_that_no_call_took_is_stopped_and_the_bounds_hold_in_one_that_was():
    with isolate.started_early(whoami, warm_up):
        (early,) = multiprocessing.active_children()
        assert list(run_isolated(behave, [("x",)])) == ["read x"]  # another function: not the early one's
        assert list(run_isolated(whoami, [("x",)], memory=256 * MB))[0][1] == "cold"  # other bounds: nor this
        assert early.is_alive()
    assert not early.is_alive() and multiprocessing.active_children() == []
    with isolate.started_early(behave, warm_up):
        assert list(run_isolated(behave, [("hang",), ("abort",), ("y",)], workers=1, seconds=1)) == [
            Failure("workbook.time-limit", "reading it took more than the 1 s limit of a reader process; it was "
                    "stopped and the file was not read"),
            Failure("workbook.reader-crashed", "the reader process died of SIGABRT while reading it (a native "
                    "parser abort, often an allocation beyond the 2,048 MB memory limit of a reader process); "
                    "the file was not read"),
            "read y"]


def test_a_worker_started_early_that_died_waiting_is_not_a_files_problem():
    with isolate.started_early(behave, lambda: os._exit(3)):
        (early,) = multiprocessing.active_children()
        early.join(5)
        assert list(run_isolated(behave, [("z",)])) == ["read z"]  # read by a new worker


_KILLED_PARENT = """
import multiprocessing, sys, time
from generator.excel import isolate
with isolate.started_early(isolate.run_one, lambda: None):
    (early,) = multiprocessing.active_children()
    print(early.pid, flush=True)
    time.sleep(60)
"""


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False


def test_a_worker_ends_when_its_parent_is_killed():
    """A parent killed (SIGKILL, SIGTERM) runs no clean-up: its idle worker notices and exits, never orphaned."""
    import signal
    import subprocess
    import sys
    parent = subprocess.Popen([sys.executable, "-c", _KILLED_PARENT], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parent.parent)
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    assert _running(worker)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while _running(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(worker)
