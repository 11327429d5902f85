"""The GitHub workflows: they cannot run here, so lint them and check what they call.

Linters: check-jsonschema against SchemaStore's workflow schema (the keys and
their types) and zizmor (security: pinning, permissions, credentials,
injection). actionlint runs too where it is installed; its PyPI package
downloads the binary from GitHub while installing, so it is not a test extra.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
PR, DEPLOY = WORKFLOWS / "pr.yml", WORKFLOWS / "deploy.yml"


def _tool(name: str) -> str | None:
    beside = Path(sys.executable).parent / name  # the virtualenv's bin/, also when it is not on PATH
    return str(beside) if beside.exists() else shutil.which(name)


def _load(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    workflow["on"] = workflow.pop(True)  # YAML 1.1 reads the key `on` as true
    return workflow


def _runs(workflow: dict) -> list[str]:
    return [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]


def _uses(workflow: dict) -> list[str]:
    return [step["uses"].split("@")[0] for job in workflow["jobs"].values() for step in job["steps"]
            if "uses" in step]


def _makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z][\w.-]*):(?!=)", text, re.MULTILINE))


def test_workflows_match_the_github_workflow_schema():
    result = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                             str(PR), str(DEPLOY)], capture_output=True, text=True)
    assert (result.returncode, result.stdout.strip()) == (0, "ok -- validation done"), result.stderr


def test_workflows_have_no_zizmor_findings():
    result = subprocess.run([_tool("zizmor"), "--offline", "--persona", "auditor", str(WORKFLOWS)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report." in result.stdout


@pytest.mark.skipif(_tool("actionlint") is None, reason="actionlint is not installed (optional: its PyPI "
                    "package downloads the binary from GitHub when installed)")
def test_workflows_pass_actionlint():
    result = subprocess.run([_tool("actionlint"), str(PR), str(DEPLOY)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_run_the_makefile_targets_the_test_suite_uses():
    pr, deploy = _load(PR), _load(DEPLOY)
    make = re.compile(r"^make (\S+)")
    assert [make.match(r).group(1) for r in _runs(pr) if make.match(r)] == ["check", "test", "site"]
    assert [make.match(r).group(1) for r in _runs(deploy) if make.match(r)] == ["check", "site", "pdf"]
    assert {"check", "test", "site"} <= _makefile_targets()
    # The Makefile's targets run the generator's commands, and CI's own script runs the same suite.
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "check: $(STAMP)\n\t$(BIN)/python -m generator check\n" in makefile
    assert "site: $(STAMP)\n\t$(BIN)/python -m generator build\n" in makefile
    assert "test: lint /usr/bin/chromium node_modules/.package-lock.json\n\tCMR_CORPUS=$${CMR_CORPUS:-../shared/corpus} $(BIN)/python -m pytest\n" in makefile
    assert "lint: $(STAMP)\n\t$(BIN)/ruff check generator tests benchmarks\n\t$(BIN)/mypy\n" in makefile
    assert (ROOT / ".ci" / "run").read_text(encoding="utf-8").rstrip().endswith("\nmake test")


def test_pull_request_writes_the_change_summary_from_the_base_branch():
    pr = _load(PR)
    assert pr["on"] == {"pull_request": None}
    steps = pr["jobs"]["check"]["steps"]
    summary = next(s for s in steps if "generator diff" in s.get("run", ""))
    assert summary["run"] == ('.venv/bin/python -m generator diff "origin/$BASE_REF" HEAD --markdown '
                              '>> "$GITHUB_STEP_SUMMARY"')
    assert summary["env"] == {"BASE_REF": "${{ github.base_ref }}"}
    assert summary["continue-on-error"] is True  # the summary informs; check and test gate the merge
    assert [s.get("run") for s in steps if "run" in s].index(summary["run"]) == 1  # right after `make check`
    assert steps[0]["with"] == {"fetch-depth": 0, "persist-credentials": False}
    assert next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))["with"]["path"] == "site/"


def test_permissions_concurrency_and_caching():
    pr, deploy = _load(PR), _load(DEPLOY)
    assert pr["permissions"] == deploy["permissions"] == {"contents": "read"}
    assert "permissions" not in pr["jobs"]["check"] and "permissions" not in deploy["jobs"]["build"]
    assert deploy["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert pr["concurrency"]["cancel-in-progress"] is True
    assert deploy["on"] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert _uses(deploy) == ["actions/checkout", "actions/setup-python", "actions/configure-pages",
                             "actions/upload-pages-artifact", "actions/deploy-pages"]
    for workflow in (pr, deploy):
        setup = next(s for job in workflow["jobs"].values() for s in job["steps"]
                     if s.get("uses", "").startswith("actions/setup-python@"))
        assert setup["with"] == {"python-version": "3.11", "cache": "pip", "cache-dependency-path": "pyproject.toml"}


def test_every_action_is_pinned_to_a_commit():
    for path in (PR, DEPLOY):
        refs = re.findall(r"uses: [\w./-]+@(\S+)", path.read_text(encoding="utf-8"))
        assert refs and all(re.fullmatch(r"[0-9a-f]{40}", ref) for ref in refs), (path.name, refs)
