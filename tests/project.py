"""Build a small project (mkdocs.yml, data/, docs/assets) in a folder, in code.

Tests of the pipeline use this instead of the example, so each case states
exactly the data it needs. The YAML mirrors the example's keys.
"""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import yaml

ROOT = Path(__file__).resolve().parent.parent

SMELTERS = [
    ("Gold", "Alpha Refinery Co., Ltd.", "Conflict-free"),
    ("Gold", "Beta Gold SA", "Not designated"),
    ("Tantalum", "Gamma Tantalum", "Conflict-free"),
    ("Tin", "PT Delta Tin", "Not designated"),
    ("Tungsten", "Epsilon Wolfram AG", "Not designated"),
]

MD = "Some prose with a figure: {{ smelters.total }} facilities were named by our suppliers this year."


def content(**overrides) -> dict[str, dict]:
    """The six content files as Python data; override whole files by name."""
    files = {
        "company.yml": {
            "name": "Example Devices Inc.",
            "state_of_incorporation": "Delaware",
            "commission_file_number": "001-00001",
            "irs_employer_id": "00-0000001",
            "address": {"street": "1 Main Street", "city": "Springfield", "state": "Oregon", "zip": "97477"},
            "contact": {"name": "Pat Doe", "phone": "(555) 010-0000"},
            "website": "https://example.com",
            "description": "We make devices.",
        },
        "report.yml": {
            "title": "Conflict Minerals Report",
            "rule": "Rule 13p-1",
            "period": {"start": dt.date(2024, 1, 1), "end": dt.date(2024, 12, 31)},
            "conclusion": "DRC conflict undeterminable",
            "conclusion_reason": "We could not determine the origin for {{ period.year }}.",
            "audit": "This report was not audited by an independent private sector auditor this year.",
            "products": {"summary": "Our devices.", "items": ["Widget", "Gadget"]},
            "rcoi": "We asked {{ survey.suppliers }} direct suppliers where the tin, tantalum, tungsten and "
                    "gold came from.",
            "rcoi_outcome": "{{ survey.response_rate }} answered.",
            "survey": {"suppliers": {"value": 40, "qualifier": "over"},
                       "response_rate_percent": {"value": 80, "qualifier": "about"},
                       "template": "CMRT"},
            "smelter_list": {"file": "smelters.xlsx", "sheet": "Smelters",
                             "designation_as_of": dt.date(2025, 3, 1), "designation_source": "RMAP"},
            "status_labels": {"heading": "Conflict-free designation", "conformant": "Conflict-free",
                              "not_enrolled": "Not designated"},
            "website_statement": "This report is on our website.",
        },
        "policy.yml": {"title": "Conflict minerals policy", "summary": "Summary.", "body": "Body."},
        "due-diligence.yml": {
            "design": MD,
            "management_systems": dict.fromkeys(("team", "controls", "supplier_engagement", "grievance_mechanism", "records"), MD),
            "identify_and_assess_risk": MD, "respond_to_risk": MD, "third_party_audits": MD,
            "reporting": MD,
            "results": dict.fromkeys(("request_information", "survey_responses", "smelters", "mine_or_location_of_origin"), MD),
        },
        "risk.yml": {"mitigation_intro": "We will:", "mitigation_steps": ["Ask again."],
                     "risk_factors": ["Suppliers may not answer."]},
        "countries.yml": {"introduction": "The facilities named by our suppliers source their minerals from these "
                                          "countries:", "countries": ["Chile", "Peru"]},
    }
    files.update(overrides)
    return files


def write_smelters(path: Path, rows, header=("Metal", "Smelter or refiner", "Conflict-free designation"),
                   sheet="Smelters") -> Path:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def write_data(data: Path, smelters=SMELTERS, **overrides) -> Path:
    """One reporting year's data folder: data/, or data/archive/<YEAR>/ for an earlier year."""
    data.mkdir(parents=True, exist_ok=True)
    for name, value in content(**overrides).items():
        text = value if isinstance(value, str) else yaml.safe_dump(value, sort_keys=False, allow_unicode=True)
        (data / name).write_text(text, encoding="utf-8")
    write_smelters(data / "smelters.xlsx", smelters)
    return data


def report_for(year: int, suppliers: int = 40, response_rate: int = 80) -> dict:
    """report.yml for another reporting year, with its own survey figures."""
    report = content()["report.yml"]
    report["period"] = {"start": dt.date(year, 1, 1), "end": dt.date(year, 12, 31)}
    report["smelter_list"]["designation_as_of"] = dt.date(year + 1, 3, 1)
    report["survey"]["suppliers"] = {"value": suppliers, "qualifier": "over"}
    report["survey"]["response_rate_percent"] = {"value": response_rate, "qualifier": "about"}
    return report


def make_project(root: Path, smelters=SMELTERS, **overrides) -> Path:
    """A complete project under `root`: mkdocs.yml, data/, docs/assets/."""
    write_data(root / "data", smelters, **overrides)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "docs" / "assets", root / "docs" / "assets", dirs_exist_ok=True)
    return root
