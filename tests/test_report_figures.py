"""Statuses in RMI's words, the figures and their charts, the smelter table's columns."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from generator import pipeline
from generator.model import ACTIVE, CONFORMANT, NON_CONFORMANT, NOT_ENROLLED
from generator.problems import UserError
from generator.publish.charts import Bar, bar_chart
from generator.supply.matching import is_covered_country
from generator.supply.reference import ReferenceEntry
from generator.supply.status import category, conformance_status, statuses_by_id
from tests.project import content, make_project
from tests.rmi_project import GOALS, rmi_project


@pytest.mark.parametrize("word,status", [
    ("Conformant", CONFORMANT), ("COMPLIANT", CONFORMANT), ("Conflict-free", CONFORMANT),
    ("Active", ACTIVE), ("Non Conformant", NON_CONFORMANT), ("Non-Conformant", NON_CONFORMANT),
    ("Suspended", NON_CONFORMANT), ("In Communication", NOT_ENROLLED), ("Outreach Required", NOT_ENROLLED),
    ("Communication Suspended - Not Interested", NOT_ENROLLED), ("Not designated", NOT_ENROLLED),
    ("Maybe", None),
])
def test_rmi_words_fall_into_rmis_categories(word, status):
    assert category(word) == status


def test_a_teams_label_is_read_as_its_status_and_a_blank_conformance_status_is_conformant():
    assert category("Audited", {CONFORMANT: "Audited"}) == CONFORMANT
    assert conformance_status("") == CONFORMANT
    assert conformance_status("Who knows") == NOT_ENROLLED


def test_of_two_statuses_of_one_smelter_the_stricter_holds():
    entries = [ReferenceEntry("Gold", "CID1", "A", status="Conformant"),
               ReferenceEntry("Gold", "CID1", "A", status="Non Conformant"),
               ReferenceEntry("Gold", "CID2", "B", status="Active"),
               ReferenceEntry("Gold", "CID2", "B", status="Conformant")]
    assert statuses_by_id(entries) == {"CID1": NON_CONFORMANT, "CID2": ACTIVE}


@pytest.mark.parametrize("country,covered", [
    ("RWANDA", True), ("Congo, Democratic Republic of the", True), ("DRC", True), ("Republic of Congo", True),
    ("Tanzania, United Republic of", True), ("South Sudan", True), ("Central African Republic", True),
    ("Sudan", False), ("South Africa", False), ("", False), ("Japan", False),
])
def test_covered_countries_in_any_spelling(country, covered):
    assert is_covered_country(country) is covered


def test_supplier_site_shows_rmi_statuses_counts_and_share(tmp_path):
    pages, problems = pipeline.generate(rmi_project(tmp_path))
    smelters = pages["smelters.md"]
    assert "| Metal | Facilities | Conformant | Active | Non-conformant | Not enrolled or other | " \
           "Share Conformant |" in smelters
    assert "| Gold | 2 | 1 | 0 | 1 | 0 | 50% |" in smelters
    assert "| Tin | 2 | 0 | 0 | 0 | 2 | 0% |" in smelters
    assert "| Tungsten | 1 | 0 | 1 | 0 | 0 | 0% |" in smelters
    assert "| **Total** | **5** | **1** | **1** | **1** | **2** | **20%** |" in smelters
    assert "1 of the 5 facilities (20%) are Conformant." in smelters
    assert "| Smelter or refiner | RMI status | Country | Smelter ID | Metal |" in smelters
    assert "| LuNa Smelter Ltd. | Not enrolled or other | RWANDA (Covered Country) | CID003387 | Tin |" in smelters
    assert "| Asahi Pretec Corporation | Non-conformant | JAPAN | CID000082 | Gold |" in smelters
    assert "1 of the facilities are located in a Covered Country" in smelters
    from generator.problems import Problems
    from generator.publish.exhibit import render_exhibit
    model, _ = pipeline.load_model(tmp_path)
    exhibit = render_exhibit(model, Problems())
    assert "<td>LuNa Smelter Ltd.</td><td>CID003387</td><td>RWANDA (Covered Country)</td>" \
           "<td>Not enrolled or other</td>" in exhibit
    data = json.loads(pages["downloads/report.json"])
    assert data["counts"]["by_status"] == {"conformant": 1, "active": 1, "non_conformant": 1, "not_enrolled": 2}
    luna = next(f for f in data["facilities"] if f["smelter_id"] == "CID003387")
    assert (luna["status"], luna["designation"], luna["covered_country"]) == (NOT_ENROLLED, "Not enrolled or other",
                                                                                True)


def test_supplier_site_shows_the_funnel_the_response_rate_and_the_covered_countries_answers(tmp_path):
    pages, _ = pipeline.generate(rmi_project(tmp_path))
    dd = pages["due-diligence.md"]
    assert "| Suppliers surveyed | 3 |\n| Suppliers that answered | 2 |\n| Response rate | 67% |" in dd
    funnel = dd[dd.index("| Step | Rows |"):].split("\n\n")[0].splitlines()
    assert funnel == ["| Step | Rows |", "| --- | ---: |", "| Smelter rows reported | 10 |",
                      "| Rejected as not a usable smelter row | 1 |", "| Not matched to the reference list | 2 |",
                      "| Held for review | 1 |", "| Repeats of a facility already counted | 1 |",
                      "| Facilities published | 5 |"]
    assert dd[dd.index("| Excluded as | Reason | Rows |"):].split("\n\n")[0].splitlines()[2:] == [
        "| Rejected as not a usable smelter row | only a metal | 1 |",
        "| Not matched to the reference list | not on the reference list by ID, alias or name | 1 |",
        "| Not matched to the reference list | no facility named (a placeholder such as 'Smelter not yet "
        "identified') | 1 |",
        "| Held for review | the smelter ID names another facility than the name | 1 |"]
    assert "| Metal | Yes | No | Unknown | Not answered | Not asked (metal not used) |" in dd
    for chart in ("response", "covered", "funnel"):
        assert f'aria-labelledby="{chart}-2024-title"' in dd


def test_example_keeps_its_2013_words():
    pages, _ = pipeline.generate(pipeline_root())
    smelters = pages["smelters.md"]
    assert "| Metal | Facilities | Conflict-free | Not designated | Share Conflict-free |" in smelters
    assert "| Smelter or refiner | Conflict-free designation | Metal |" in smelters
    assert "Conformant" not in smelters.replace("conformance", "")


def pipeline_root() -> Path:
    return Path(__file__).resolve().parent.parent


def test_chart_is_an_image_with_a_title_text_labels_and_only_drawing_elements():
    chart = bar_chart("c", "Facilities <by> status", [Bar("Gold: A & B", 3, "3"), Bar("Tin", 0, "0")])
    assert chart.startswith('<figure class="cmr-chart">\n<svg xmlns="http://www.w3.org/2000/svg" role="img" '
                            'aria-labelledby="c-title"')
    assert '<title id="c-title">Facilities &lt;by&gt; status</title>' in chart
    assert re.findall(r"<text[^>]*>([^<]*)</text>", chart) == ["Gold: A &amp; B", "3", "Tin", "0"]
    assert set(re.findall(r"<(\w+)", chart)) == {"figure", "svg", "title", "text", "rect"}
    assert chart == bar_chart("c", "Facilities <by> status", [Bar("Gold: A & B", 3, "3"), Bar("Tin", 0, "0")])


def test_status_labels_are_set_in_report_yml(tmp_path):
    report = content()["report.yml"]
    report["status_labels"] = {"heading": "Audit status", "conformant": "Audited", "not_enrolled": "Not audited"}
    make_project(tmp_path, smelters=[("Gold", "A", "Audited"), ("Tin", "B", "Not audited"), ("Tin", "C", "Active")],
                 **{"report.yml": report})
    smelters = pipeline.generate(tmp_path)[0]["smelters.md"]
    assert "| Metal | Facilities | Audited | Active | Not audited | Share Audited |" in smelters
    assert "| A | Audited | Gold |" in smelters and "| C | Active | Tin |" in smelters


def test_goals_are_their_own_page_in_the_nav_of_their_year(tmp_path):
    from tests.builders import two_years as years
    root = years(tmp_path)
    (root / "data/goals.yml").write_text(yaml.safe_dump(GOALS, sort_keys=False), encoding="utf-8")
    pages, problems = pipeline.generate(root)
    assert problems.items == []
    goals = pages["goals.md"]
    assert goals.split("\n", 1)[1].startswith("# Goals\n")
    assert "### Goal 1\n\nReach a response rate of 90%.\n\n**What was done:** We reached about 85%.\n" in goals
    assert "## Plans for next year\n\n- Visit two refiners.\n- Train the buyers.\n" in goals
    assert "2023/goals.md" not in pages and "Goals" not in pages["due-diligence.md"]
    assert "- [Goals](goals.md): last year's goals" in pages["index.md"]
    from generator.publish.mkdocs_plugin import extended_nav
    pipeline.write_pages(pages, root / "docs")
    nav = extended_nav([{"Overview": "index.md"}, {"Due diligence": "due-diligence.md"}], [2023], root / "docs")
    assert nav[:3] == [{"Overview": "index.md"}, {"Due diligence": "due-diligence.md"}, {"Goals": "goals.md"}]
    assert nav[-1] == {"Earlier reports": [{"2023": [{"Overview": "2023/index.md"},
                                                     {"Due diligence": "2023/due-diligence.md"}]}]}


def test_a_goal_without_what_was_done_is_an_error_naming_its_line(tmp_path):
    make_project(tmp_path)
    (tmp_path / "data/goals.yml").write_text("last_year:\n  - goal: Do more.\nnext_year: []\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        pipeline.generate(tmp_path)
    assert [str(p) for p in err.value.problems.items] == [
        "data/goals.yml, line 2, key 'last_year[0].done': error: required key is missing; expected Markdown text "
        "[yaml.missing-key]"]


def test_the_offline_plugins_remote_shim_is_replaced_by_the_local_one_even_with_invalid_data(tmp_path):
    from mkdocs.config import load_config
    make_project(tmp_path)
    (tmp_path / "data/report.yml").write_text("title: [unclosed\n", encoding="utf-8")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    config = config.plugins.on_config(config)
    assert config.extra["polyfills"] == ["assets/offline/file-worker.js"]
    assert config.use_directory_urls is False
