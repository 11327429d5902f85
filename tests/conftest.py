from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Every Problem made while the suite runs (here and in the CLI subprocesses the tests start) must
# carry a code of the catalogue, generator/problem-codes.toml: see generator.problems.Problem.
os.environ["CMR_CHECK_CODES"] = "1"


@pytest.fixture(scope="session")
def example_site(tmp_path_factory) -> Path:
    """The example website, built once from the committed docs/ into a temporary folder."""
    site = tmp_path_factory.mktemp("example") / "site"
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
                   cwd=ROOT, env=env, check=True, timeout=300)
    return site
