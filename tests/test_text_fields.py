"""Text fields are text everywhere: the page title, the header, attributes and the search index hold
no live markup; characters that reorder or hide text are dropped where published, and shown on the
terminal; a CSV cell behind invisible characters still cannot start a formula."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from generator import pipeline
from generator.publish.escape import csv_cell, html_text, markdown_text, terminal_text, theme_text
from tests.project import ROOT, content, make_project

EVIL = '<meta http-equiv="refresh" content="0;url=https://evil.example/">Evil "Corp" & Co'
SHOWN = "&lt;meta http-equiv=&quot;refresh&quot; content=&quot;0;url=https://evil.example/&quot;&gt;Evil " \
        "&quot;Corp&quot; &amp; Co Conflict Minerals Report 2024"


def test_company_name_is_text_in_title_header_attributes_and_search_index(tmp_path):
    company = content()["company.yml"]
    company["name"] = EVIL
    root = make_project(tmp_path, **{"company.yml": company})
    pipeline.build(root)
    site = tmp_path / "site"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "generator", "build", "--site-dir", str(site)], cwd=root, env=env,
                   check=True, capture_output=True, timeout=300)
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 7
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<meta http-equiv=\"refresh\"" not in text, page
    index = (site / "index.html").read_text(encoding="utf-8")
    assert f"<title>{SHOWN}</title>" in index
    assert f'title="{SHOWN}"' in index and f'aria-label="{SHOWN}"' in index
    search = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    assert all("<meta" not in doc["title"] + doc["text"] for doc in search["docs"])


def test_theme_text_is_escaped_once_whether_or_not_the_theme_escapes_it():
    value = theme_text('a <b> "c" & d')
    assert str(value) == "a &lt;b&gt; &quot;c&quot; &amp; d"
    from markupsafe import escape
    assert str(escape(value)) == str(value)


def test_bidirectional_and_zero_width_characters_are_dropped_where_published():
    spoof = "Safe\u202e gnineffeR\u202c Co\u200b\u2066.\u2069\ufeff"
    assert markdown_text(spoof) == "Safe gnineffeR Co."
    assert html_text(spoof) == "Safe gnineffeR Co."
    assert csv_cell(spoof) == "Safe gnineffeR Co."
    # Joiners stay where a script needs them (Persian) and go where they only hide (between ASCII letters).
    assert markdown_text("\u0645\u06cc\u200c\u0634\u0648\u062f") == "\u0645\u06cc\u200c\u0634\u0648\u062f"
    assert markdown_text("Au\u200drubis") == "Aurubis"


def test_they_are_shown_on_the_terminal():
    assert terminal_text("a\u202eb\u200bc\ufeff") == "a\\u202eb\\u200bc\\ufeff"


def test_a_formula_behind_invisible_characters_is_neutralised():
    assert csv_cell("\u200b=HYPERLINK(\"http://evil.example\")") == "'=HYPERLINK(\"http://evil.example\")"
    assert csv_cell("\ufeff+SUM(1,2)") == "'+SUM(1,2)"
    assert csv_cell("\u2066\u200d-2+3") == "'-2+3"
    assert csv_cell("Safe;\u200b=cmd|' /C calc'!A0") == "Safe;'=cmd|' /C calc'!A0"


def test_supplier_text_with_overrides_is_published_without_them(tmp_path):
    from tests import cmrt_fixtures as fx
    from tests.supply_project import supply_chain_project

    root = supply_chain_project(tmp_path)
    spec = fx.full_declaration("6.5")
    spec.smelters = {5: {"metal": "Gold", "smelter_name": "Evil\u202e Refinery\u200b", "country": "\u200b+CHINA"}}
    fx.write(spec, root / "data/cmrt/evil.xlsx")
    (root / "data/supply-chain.yml").write_text(
        (root / "data/supply-chain.yml").read_text().replace("unlisted_facilities: report", "unlisted_facilities: publish"))
    pages, _changed, _problems = pipeline.build(root)
    published = "\n".join(pages.values()) + (root / "review/2024/report.md").read_text(encoding="utf-8")
    assert "Evil Refinery" in pages["smelters.md"]
    assert not any(c in published for c in "\u202e\u200b")
    assert "'+CHINA" in pages["downloads/smelters.csv"]
