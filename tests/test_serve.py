"""`python -m generator serve`: a real server on loopback regenerating after data edits."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml
from project import content, make_project

from generator.problems import Problem
from generator.publish.mkdocs_plugin import BANNER_TITLE, banner

TIMEOUT = 30  # seconds for any one wait; a rebuild takes about one


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(url: str, ok, log: Path) -> str:
    """Poll `url` until ok(page) holds; fail, with the server's output, after TIMEOUT seconds."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        page = fetch(url)
        if page is not None and ok(page):
            return page
        time.sleep(0.2)
    raise AssertionError(f"{url} did not show the expected page within {TIMEOUT} s; server output:\n"
                         + log.read_text(encoding="utf-8"))


def set_countries(project: Path, countries: list[str]) -> None:
    text = yaml.safe_dump({**content()["countries.yml"], "countries": countries}, sort_keys=False)
    (project / "data" / "countries.yml").write_text(text, encoding="utf-8")


def test_serve_regenerates_on_data_edits_and_shows_errors(tmp_path):
    project = make_project(tmp_path / "project")
    log = tmp_path / "serve.log"
    port = free_port()
    url = f"http://127.0.0.1:{port}/countries.html"
    with log.open("w", encoding="utf-8") as out:
        server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--dev-addr", f"127.0.0.1:{port}"],
                                  cwd=project, stdout=out, stderr=subprocess.STDOUT,
                                  env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        # The first build generated the pages from data/.
        wait_for(url, lambda page: "Peru" in page, log)
        assert "Peru" in (project / "docs" / "countries.md").read_text(encoding="utf-8")

        set_countries(project, ["Chile", "Bolivia"])
        page = wait_for(url, lambda page: "Bolivia" in page, log)
        assert "Peru" not in page
        assert "Bolivia" in (project / "docs" / "countries.md").read_text(encoding="utf-8")

        (project / "data" / "countries.yml").write_text("countries: [Chile\n", encoding="utf-8")
        page = wait_for(url, lambda page: BANNER_TITLE in page, log)
        assert "<li>data/countries.yml, line 2: error: not valid YAML" in page
        assert "Bolivia" in page  # the last valid pages stay
        assert BANNER_TITLE in fetch(f"http://127.0.0.1:{port}/")  # on every page, and still serving
        output = log.read_text(encoding="utf-8")
        assert "ERROR: data/countries.yml, line 2: error: not valid YAML" in output
        assert "ERROR: data/ has 1 problem(s); the preview keeps the last valid pages" in output
        assert server.poll() is None

        set_countries(project, ["Chile", "Rwanda"])
        page = wait_for(url, lambda page: "Rwanda" in page, log)
        assert BANNER_TITLE not in page
    finally:
        server.send_signal(signal.SIGINT)  # MkDocs shuts down and removes its temporary site
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_plain_mkdocs_build_does_not_write_docs(tmp_path):
    """Regeneration is for the preview only: `mkdocs build` publishes docs/ as committed."""
    project = make_project(tmp_path)
    subprocess.run([sys.executable, "-m", "generator", "build", "--no-site"], cwd=project, check=True,
                   capture_output=True)
    before = (project / "docs" / "countries.md").read_text(encoding="utf-8")
    set_countries(project, ["Chile", "Bolivia"])
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", str(tmp_path / "site")],
                            cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (project / "docs" / "countries.md").read_text(encoding="utf-8") == before
    assert "Bolivia" not in (tmp_path / "site" / "countries.html").read_text(encoding="utf-8")


def test_banner_escapes_the_problems():
    problem = Problem("data/x.yml", "yaml.syntax", "found <script> | `tick` [link](y)", line=3)
    assert banner([problem]) == (
        f'!!! failure "{BANNER_TITLE}"\n\n'
        "    - data/x.yml, line 3: error: found &lt;script&gt; \\| \\`tick\\` \\[link\\](y) \\[yaml.syntax\\]\n"
        "\n    Fix the files in data/ and save: the preview reloads. "
        "`python -m generator check` lists the same problems.\n\n")
