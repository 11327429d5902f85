"""Run the command line in-process, as a user types it, and capture what it prints.

Tests of what a command prints and returns call this rather than a subprocess: the
same entry point (`generator.cli.main`), without an interpreter start per call. Tests
where the process itself is the point (memory limits, signals, a real terminal) still
start one.
"""
from __future__ import annotations

import contextlib
import io
import os
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path

from generator.cli import main


def run_cli(*args: str, cwd: Path, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python -m generator ARGS` run in `cwd`, with `env` added to the environment."""
    out, err = io.StringIO(), io.StringIO()
    with _inside(cwd, env or {}), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exit:  # argparse: --help, or a usage error
            code = exit.code if isinstance(exit.code, int) else 2
    return subprocess.CompletedProcess(["python", "-m", "generator", *args], code, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def _inside(cwd: Path, env: Mapping[str, str]) -> Iterator[None]:
    before_cwd, before_env = Path.cwd(), dict(os.environ)
    os.chdir(cwd)
    os.environ.update(env)
    try:
        yield
    finally:
        os.chdir(before_cwd)
        os.environ.clear()
        os.environ.update(before_env)
