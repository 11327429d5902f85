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

from generator import pipeline
from generator.commands import review
from generator.commands.watch import Built, watch
from tests import cmrt_fixtures as fx
from tests.cli import run_cli
from tests.supply_project import supply_chain_project

ROOT = Path(__file__).resolve().parent.parent
WAIT = 60  # seconds a build may take on a slow machine before the test fails


def _outputs(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for top in ("docs", "review")
            for p in sorted((root / top).rglob("*")) if p.is_file() and "assets" not in p.parts}


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
        company.write_text(text + "name: [\n", encoding="utf-8")
        broken = watching.next()
        assert broken.failed
        assert any(p.file == "data/company.yml" and p.line and p.code == "yaml.syntax" for p in broken.problems.items)
        assert _outputs(root) == before
        company.write_text(text, encoding="utf-8")
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


def test_data_put_back_whole_is_watched_again(tmp_path):
    """A restore (data/ removed and copied back) ends the old folder's events: the new one is watched."""
    root = supply_chain_project(tmp_path / "watched")
    watching = _Watching(root)
    try:
        watching.next()
        shutil.copytree(root / "data", tmp_path / "backup")
        (tmp_path / "backup/cmrt/stranger.xlsx").unlink()
        shutil.rmtree(root / "data")
        watching.next()  # a build of what is there meanwhile (nothing: it fails), or of the copy
        os.replace(tmp_path / "backup", root / "data")
        deadline = time.monotonic() + WAIT
        report = root / review.report_path(2024)
        while "stranger.xlsx" in report.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, "the folder put back was never built"
            watching.next()
        (root / "data/cmrt/beta.xlsx").unlink()  # and its own changes are seen
        while "beta.xlsx" in report.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, "a change in the folder put back was never built"
            watching.next()
    finally:
        watching.close()


def test_without_data_it_says_what_is_expected(tmp_path):
    result = run_cli("watch", "--root", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{tmp_path / 'data'}: not found; --root must name the project folder holding data/" in result.stderr


def test_the_command_prints_each_build_and_stops_on_ctrl_c(tmp_path):
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
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=WAIT)
        assert proc.returncode == 0
        assert "stopped watching" in err and "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_help_explains_watch():
    result = subprocess.run([sys.executable, "-m", "generator", "watch", "--help"], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    assert "again each time a file in data/ changes" in " ".join(result.stdout.split())
