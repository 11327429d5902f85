"""The machine-readable release: docs/downloads/report.json against its hand-written JSON Schema.

Validated with `jsonschema`, the reference implementation of JSON Schema, so the
test also proves that docs/assets/report.schema.json is itself a valid schema.
"""
from __future__ import annotations

import csv
import io
import json

import jsonschema
import pytest

from generator import pipeline
from generator.publish.release import JSON_PATH
from tests.builders import HOSTILE, SCHEMA, special_characters_project, validate
from tests.conftest import ROOT


def test_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_example_release_validates_and_agrees_with_the_csv_and_the_model():
    pages, _ = pipeline.generate(ROOT)
    text = pages[JSON_PATH]
    assert (ROOT / "docs" / JSON_PATH).read_text(encoding="utf-8") == text
    data = json.loads(text)
    assert validate(data) == []
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert data["counts"] == {
        "facilities": 190, "countries": 34, "by_designation": {"Conflict-free": 71, "Not designated": 119},
        "by_status": {"conformant": 71, "active": 0, "non_conformant": 0, "not_enrolled": 119},
        "conformant_percent": "37%",
        "by_metal": {"Gold": {"facilities": 87, "conflict_free": 37, "not_designated": 50},
                     "Tantalum": {"facilities": 22, "conflict_free": 21, "not_designated": 1},
                     "Tin": {"facilities": 63, "conflict_free": 11, "not_designated": 52},
                     "Tungsten": {"facilities": 18, "conflict_free": 2, "not_designated": 16}}}
    assert data["report"] == {"title": "Conflict Minerals Report", "conclusion": "DRC conflict undeterminable",
                              "rule": "Rule 13p-1 under the Securities Exchange Act of 1934 (17 CFR 240.13p-1)",
                              "period": {"start": "2013-01-01", "end": "2013-12-31", "year": 2013}}
    assert data["survey"]["suppliers"] == {"value": 60, "qualifier": "over"}
    rows = list(csv.DictReader(io.StringIO(pages["downloads/smelters.csv"])))
    assert [(f["metal"], f["name"], f["designation"]) for f in data["facilities"]] == \
        [(r["Metal"], r["Smelter or refiner"], r["Conflict-free designation"]) for r in rows]
    assert all(f["conflict_free"] == (f["designation"] == "Conflict-free") == (f["status"] == "conformant")
               for f in data["facilities"])
    model, _ = pipeline.load_model(ROOT)
    assert data["figures"] == model.figures
    assert data["countries"] == list(model.content.countries.countries)


def test_special_characters_are_published_as_written(tmp_path):
    pages, _ = pipeline.generate(special_characters_project(tmp_path))
    data = json.loads(pages[JSON_PATH])
    assert validate(data) == []
    assert sorted(f["name"] for f in data["facilities"]) == sorted(HOSTILE + ["+SUM(A1:A2)", "@cmd"])
    assert data["company"]["name"] == "Acme <b>Bold</b> & Co. | Ltd"
    assert "Côte d'Ivoire" in pages[JSON_PATH]  # UTF-8, not \u escapes


@pytest.mark.parametrize("change,error", [
    (lambda d: d["facilities"][0].update(status="Maybe"),
     "facilities/0/status: 'Maybe' is not one of ['conformant', 'active', 'non_conformant', 'not_enrolled']"),
    (lambda d: d["report"]["period"].update(end="2013-13-01"),
     "report/period/end: '2013-13-01' is not a 'date'"),
    (lambda d: d.update(extra=1), ": Additional properties are not allowed ('extra' was unexpected)"),
    (lambda d: d["counts"].pop("by_metal"), "counts: 'by_metal' is a required property"),
])
def test_schema_rejects_what_a_reader_could_not_rely_on(change, error):
    pages, _ = pipeline.generate(ROOT)
    data = json.loads(pages[JSON_PATH])
    change(data)
    assert validate(data) == [error]


def test_smelters_page_links_the_json_and_its_schema():
    pages, _ = pipeline.generate(ROOT)
    assert "[Download the whole report as JSON](downloads/report.json){ .md-button }" in pages["smelters.md"]
    assert "[JSON Schema](assets/report.schema.json)" in pages["smelters.md"]
