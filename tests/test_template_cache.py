"""`build` compiles each template once into .cache/jinja/; a rebuild loads them, with the same pages."""
from __future__ import annotations

import logging

import jinja2
import pytest

from generator import pipeline
from generator.publish import render
from tests.project import make_project
from tests.supply_project import supply_chain_project


def compiled(monkeypatch) -> list[str]:
    """The templates compiled from their source from now on."""
    names: list[str] = []
    real = jinja2.Environment.compile

    def counted(self, source, name=None, filename=None, *args, **kwargs):
        names.append(name)
        return real(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    return names


def cache_files(root):
    return sorted((root / render.JINJA_CACHE).rglob("*.cache"))


def test_a_rebuild_compiles_no_template_and_gives_the_same_pages(tmp_path, monkeypatch):
    root = supply_chain_project(tmp_path)
    names = compiled(monkeypatch)
    pages, _, _ = pipeline.build(root)
    first = sorted(names)
    assert first == sorted(["countries.md.j2", "due-diligence.md.j2", "edition.md.j2", "index.md.j2",
                            "policy.md.j2", "review.md.j2", "risk.md.j2", "smelters.md.j2"])
    assert len(cache_files(root)) == len(first)
    assert [p.parent.name for p in cache_files(root)] == [f"jinja2-{jinja2.__version__}"] * len(first)
    review = (root / "review/2024/report.md").read_bytes()
    again, changed, _ = pipeline.build(root)
    assert sorted(names) == first  # nothing compiled again
    assert (again, changed) == (pages, [])
    assert (root / "review/2024/report.md").read_bytes() == review


DAMAGE = {"empty": lambda data: b"", "cut": lambda data: data[:40], "garbage": lambda data: b"garbage",
          "garbled": lambda data: data[:len(jinja2.bccache.bc_magic)] + b"garbage"}


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_a_damaged_compiled_template_is_compiled_again(tmp_path, monkeypatch, caplog, damage):
    """Jinja checks each file's header, checksum and code; where a file cut or garbled after its header
    makes it fail, the file is discarded with a warning."""
    root = make_project(tmp_path)
    pages, _, _ = pipeline.build(root)
    for path in cache_files(root):
        path.write_bytes(DAMAGE[damage](path.read_bytes()))
    names = compiled(monkeypatch)
    with caplog.at_level(logging.WARNING):
        assert pipeline.build(root)[:2] == (pages, [])
    warned = sorted(r.getMessage().split(":")[0] for r in caplog.records if r.name == render.log.name)
    assert warned == ([f"the template cache entry {p} is discarded and rebuilt" for p in cache_files(root)]
                      if damage in ("cut", "garbled") else [])
    assert len(names) == len(cache_files(root)) == 7
    names.clear()
    assert pipeline.build(root)[:2] == (pages, [])
    assert names == []  # written again, whole


def test_an_unwritable_template_cache_is_one_warning_and_the_pages_are_the_same(tmp_path, caplog):
    root = make_project(tmp_path / "a")
    pages, _, _ = pipeline.build(root)
    other = make_project(tmp_path / "b")
    (other / ".cache").write_text("a file where the cache folder should be")
    with caplog.at_level(logging.WARNING):
        assert pipeline.build(other)[0] == pages
    assert [r.getMessage().split(":")[0] for r in caplog.records if r.name == render.log.name] == [
        f"cannot write the template cache in {other / render.JINJA_CACHE / f'jinja2-{jinja2.__version__}'} "
        "(the templates are compiled again next time)"]
