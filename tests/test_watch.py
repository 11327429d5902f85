"""`python -m generator watch`: the same outputs as `build --no-site`, written again on each change of data/."""
from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from generator import pipeline
from generator.commands import review
from generator.commands import watch as watch_module
from generator.commands.watch import Built, watch
from tests import cmrt_fixtures as fx
from tests.cli import run_cli
from tests.supply_project import supply_chain_project

ROOT = Path(__file__).resolve().parent.parent
WAIT = 60  # seconds a build may take on a slow machine before the test fails


def _outputs(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for top in ("docs", "review")
            for p in sorted((root / top).rglob("*")) if p.is_file() and "assets" not in p.parts}


def _save(path: Path, text: str) -> None:
    """As an editor saves: the whole new file moved into place at once."""
    (path.parent / f".{path.name}.new").write_text(text, encoding="utf-8")
    os.replace(path.parent / f".{path.name}.new", path)


class _Watching:
    """`watch` in a thread: each Built as it comes, and a way to stop it."""

    def __init__(self, root: Path):
        self.builds: queue.Queue[Built] = queue.Queue()
        self.stop = threading.Event()
        self.error: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, args=(root,), daemon=True)
        self.thread.start()

    def _run(self, root: Path) -> None:
        try:
            watch(root, False, self.builds.put, self.stop)
        except BaseException as err:  # shown by the test, not lost in the thread
            self.error.append(err)

    def next(self) -> Built:
        return self.builds.get(timeout=WAIT)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "watch did not stop when told to"
        assert not self.error, self.error


def test_each_change_is_built_as_a_new_build_would_build_it(tmp_path):
    root = supply_chain_project(tmp_path / "watched")
    watching = _Watching(root)
    try:
        first = watching.next()
        assert not first.failed and first.pages > 0
        # A new supplier answers: the same files as a new `build` of the same data gives.
        gamma = fx.full_declaration("6.5")
        gamma.fields["company_name"] = "Gamma Silent Inc."
        fx.write(gamma, tmp_path / "gamma.xlsx")
        os.replace(tmp_path / "gamma.xlsx", root / "data/cmrt/gamma.xlsx")
        second = watching.next()
        assert not second.failed
        assert review.report_path(2024) in second.changed
        assert "gamma.xlsx" in (root / review.report_path(2024)).read_text(encoding="utf-8")
        fresh = tmp_path / "fresh"
        shutil.copytree(root / "data", fresh / "data")
        shutil.copy(root / "mkdocs.yml", fresh / "mkdocs.yml")
        pipeline.build(fresh)
        assert _outputs(root) == _outputs(fresh)
        # Invalid data: nothing is written, the problem names its file and line; the next save builds.
        before = _outputs(root)
        company = root / "data/company.yml"
        text = company.read_text(encoding="utf-8")
        _save(company, text + "name: [\n")
        broken = watching.next()
        assert broken.failed
        assert any(p.file == "data/company.yml" and p.line and p.code == "yaml.syntax" for p in broken.problems.items)
        assert _outputs(root) == before
        _save(company, text)
        mended = watching.next()
        assert not mended.failed and mended.changed == ()
    finally:
        watching.close()


def test_reading_the_data_is_no_change(tmp_path):
    """The build reads every file in data/ (events the file system reports): that never builds again."""
    root = supply_chain_project(tmp_path)
    watching = _Watching(root)
    try:
        watching.next()
        for path in (root / "data").rglob("*"):
            if path.is_file():
                path.read_bytes()
        time.sleep(1.5)
        assert watching.builds.empty()
        (root / "data/cmrt/stranger.xlsx").unlink()  # a change still is one
        assert not watching.next().failed
        assert "stranger.xlsx" not in (root / review.report_path(2024)).read_text(encoding="utf-8")
    finally:
        watching.close()


@pytest.mark.parametrize("put_back", [os.replace, shutil.copytree])
def test_data_put_back_whole_is_watched_again(tmp_path, put_back):
    """A restore (data/ removed and another put in its place, perhaps with the same inode) ends the old
    folder's events: the new one is watched."""
    root = supply_chain_project(tmp_path / "watched")
    watching = _Watching(root)
    try:
        watching.next()
        shutil.copytree(root / "data", tmp_path / "backup")
        (tmp_path / "backup/cmrt/stranger.xlsx").unlink()
        shutil.rmtree(root / "data")
        put_back(tmp_path / "backup", root / "data")
        _built_until(watching, lambda report: "stranger.xlsx" not in report, root)
        (root / "data/cmrt/beta.xlsx").unlink()  # and its own changes are seen
        _built_until(watching, lambda report: "beta.xlsx" not in report, root)
    finally:
        watching.close()


def _built_until(watching: _Watching, done, root: Path) -> None:
    """Take builds until the review report is `done`."""
    report = root / review.report_path(2024)
    deadline = time.monotonic() + WAIT
    while not (report.exists() and done(report.read_text(encoding="utf-8"))):
        assert time.monotonic() < deadline, "the change was never built"
        watching.next()


def test_a_linked_data_folder_a_new_folder_and_a_change_of_mode_are_changes(tmp_path, monkeypatch):
    monkeypatch.setattr(watch_module, "LOOK_AGAIN", 3600)  # seen by their events, not by looking again
    project = supply_chain_project(tmp_path / "real")
    root = tmp_path / "linked"
    root.mkdir()
    (root / "data").symlink_to(project / "data")
    shutil.copy(project / "mkdocs.yml", root / "mkdocs.yml")
    watching = _Watching(root)
    try:
        watching.next()
        roster = root / "data/suppliers.csv"  # a file right in the linked folder
        _save(roster, roster.read_text(encoding="utf-8") + "Delta Newcomer Ltd.,S-4,\n")
        _built_until(watching, lambda report: "Delta Newcomer Ltd." in report, root)
        (root / "data/archive").mkdir()
        (root / "data/archive/notayear").mkdir()  # only a folder: an error of the data, not built over
        assert any(p.code == "years.folder" for p in watching.next().problems.items)
        (root / "data/archive/notayear").rmdir()
        assert not watching.next().failed
        os.chmod(root / "data/cmrt/beta.xlsx", 0o644 if os.stat(root / "data/cmrt/beta.xlsx").st_mode & 0o100
                 else 0o744)  # only its mode: its change time moves
        assert not watching.next().failed
    finally:
        watching.close()


def test_where_no_notification_can_be_had_it_polls(tmp_path, monkeypatch):
    from watchdog.observers import Observer

    def refuse(*args, **kwargs):
        raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(Observer, "schedule", refuse)
    monkeypatch.setattr(watch_module, "LOOK_AGAIN", 3600)  # seen by polling, not by looking again
    root = supply_chain_project(tmp_path)
    watching = _Watching(root)
    try:
        watching.next()
        (root / "data/cmrt/stranger.xlsx").unlink()
        _built_until(watching, lambda report: "stranger.xlsx" not in report, root)
    finally:
        watching.close()


def test_a_change_during_a_build_is_built_next(tmp_path, monkeypatch):
    root = supply_chain_project(tmp_path)
    real = pipeline.build
    calls = []

    def build_and_change(*args, **kwargs):
        result = real(*args, **kwargs)
        calls.append(1)
        if len(calls) == 2:  # while the second build runs (after its reading), a file changes
            (root / "data/cmrt/beta.xlsx").unlink()
        return result

    monkeypatch.setattr(pipeline, "build", build_and_change)
    watching = _Watching(root)
    try:
        watching.next()
        (root / "data/cmrt/stranger.xlsx").unlink()
        watching.next()
        _built_until(watching, lambda report: "beta.xlsx" not in report, root)
    finally:
        watching.close()


def test_without_data_it_says_what_is_expected(tmp_path):
    result = run_cli("watch", "--root", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{tmp_path / 'data'}: not found; --root must name the project folder holding data/" in result.stderr


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_the_command_prints_each_build_and_stops_on_ctrl_c_or_sigterm(tmp_path, stop):
    root = supply_chain_project(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "generator", "watch", "--root", str(root)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert " built in " in first and "watching data/ (Ctrl+C to stop)" in first
        (root / "data/cmrt/stranger.xlsx").unlink()
        second = proc.stdout.readline()
        assert "review/2024/report.md" in second and "review/2024/rows.csv" in second
        workers = _children(proc.pid)
        assert workers  # the reader worker waiting for the next change
        proc.send_signal(stop)
        _out, err = proc.communicate(timeout=WAIT)
        assert proc.returncode == 0
        assert "stopped watching" in err and "Traceback" not in err
        assert not any(os.path.exists(f"/proc/{pid}") and _state(pid) != "Z" for pid in workers)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _children(pid: int) -> list[int]:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = [int(p) for p in os.listdir("/proc") if p.isdigit() and _parent(int(p)) == pid]
        if found:
            return found
        time.sleep(0.05)
    return []


def _parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_help_explains_watch():
    result = subprocess.run([sys.executable, "-m", "generator", "watch", "--help"], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    text = " ".join(result.stdout.split())
    assert "again each time a file or folder in data/ changes" in text and "not watched" in text and "SIGTERM" in text
