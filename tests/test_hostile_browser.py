"""A supplier workbook full of injection strings, through the whole pipeline, in Chromium.

The payloads set window.__pwned; it must stay undefined, no dialog may open, the strings show
as text, every link is http(s) or relative, and the Content-Security-Policy that the cmr plugin
puts in every page reports no violation while Material's theme and search work under it.
"""
from __future__ import annotations

import pytest

from generator import pipeline
from generator.commands import review
from generator.publish.render import render_pages
from tests import hostile_inputs as hi
from tests.browser import browser_page, serve
from tests.builders import injection_project
from tests.project import make_project

pytestmark = pytest.mark.browser

WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    root = injection_project(tmp_path_factory.mktemp("hostile-site"))
    model, _ = pipeline.load_model(root)
    pipeline.write_pages(render_pages(model), root / "docs")
    pipeline.write_review(root, review.render_review(model))
    pipeline.build_site(root, root / "site")
    return root / "site"


pytestmark = pytest.mark.browser


def watched(page):
    """Record console messages about the Content Security Policy, and violation events."""
    page.console_csp = []
    page.on("console", lambda m: "Content Security Policy" in m.text and page.console_csp.append(m.text))
    page.add_init_script(WATCH_CSP)
    return page


def test_injections_show_as_text_and_run_nothing(hostile_site):
    with serve(hostile_site) as url, browser_page(url) as page:
        watched(page)
        page.goto(f"{url}/smelters.html")
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.dialogs == [] and page.foreign_requests == []
        cells = page.locator("article table td").all_inner_texts()
        for text in hi.INJECTIONS:
            assert " ".join(text.split()) in cells, text
        assert page.locator("article script, article img, article svg[onload], article [onclick]").count() == 0
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        assert hrefs and all(h.startswith((url + "/", "http://", "https://")) for h in hrefs), hrefs
        # clicking every link in the article leads nowhere unsafe either
        for link in page.locator("article a").all():
            assert link.evaluate("a => a.protocol") in ("http:", "https:")
        assert page.console_csp == [] and page.evaluate("window.__csp") == []


def test_every_page_has_the_policy_and_no_violation(hostile_site):
    pages = [p.relative_to(hostile_site).as_posix() for p in hi.site_pages(hostile_site) if p.name != "404.html"]
    with serve(hostile_site) as url, browser_page(url) as page:
        watched(page)
        for rel in pages + ["404.html"]:
            page.goto(f"{url}/{rel}")
            page.wait_for_load_state("load")
            policy = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
            assert policy.startswith("default-src 'self'; script-src 'self' 'sha256-"), rel
            # Material's own script ran: it marks the document and builds the header's search form
            assert page.evaluate("document.documentElement.classList.contains('js')"), rel
        assert page.console_csp == [] and page.evaluate("window.__csp") == []
        assert page.evaluate("typeof window.__pwned") == "undefined"


def test_search_and_palette_work_under_the_policy(hostile_site):
    with serve(hostile_site) as url, browser_page(url) as page:
        watched(page)
        page.goto(f"{url}/")
        page.keyboard.press("/")
        page.locator("input.md-search__input").press_sequentially("Wolfram", delay=20)
        result = page.locator(".md-search-result__item").first
        result.wait_for(timeout=15000)
        assert "Smelters and refiners" in page.locator(".md-search-result__list").inner_text()
        page.locator("input.md-search__input").fill("")
        page.locator("input.md-search__input").press_sequentially("onerror", delay=20)
        page.locator(".md-search-result__item").first.wait_for(timeout=15000)
        assert page.evaluate("typeof window.__pwned") == "undefined" and page.dialogs == []
        assert page.console_csp == [] and page.evaluate("window.__csp") == []


def test_policy_blocks_a_script_that_escaping_would_have_let_through(tmp_path):
    """Defence in depth: were a script to get into a page's content (here written into the Markdown
    as if escaping had failed), it is not among the hashes the plugin allows, so it does not run."""
    root = make_project(tmp_path)
    pipeline.write_pages(pipeline.generate(root)[0], root / "docs")
    smelters = root / "docs/smelters.md"
    smelters.write_text(smelters.read_text(encoding="utf-8") + "\n<script>window.__pwned=1</script>\n",
                        encoding="utf-8")
    pipeline.build_site(root, root / "site")
    assert "<script>window.__pwned=1</script>" in (root / "site/smelters.html").read_text(encoding="utf-8")
    with serve(root / "site") as url, browser_page(url) as page:
        watched(page)
        page.goto(f"{url}/smelters.html")
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert [v.split()[0] for v in page.evaluate("window.__csp")] == ["script-src-elem"]
        assert page.evaluate("document.documentElement.classList.contains('js')")  # the theme still runs
