"""The machine-readable release: the whole report as JSON, beside the CSV.

Its shape is documented by the hand-written JSON Schema in
docs/assets/report.schema.json; bump FORMAT_VERSION when a change to it would
break a reader. Version 2 added "minerals" (the "Other minerals" page's processors);
version 3 gives every facility its status in RMI's categories (designation is then
the team's word for it), with "minerals" only when that page is published. Text is published as written (JSON escaping makes it inert);
output is deterministic: sorted keys, two-space indent, UTF-8, "\n".
"""
from __future__ import annotations

import json

from generator.content.load import Figure
from generator.publish.escape import published_text
from generator.publish.report import Model

JSON_PATH = "downloads/report.json"
FORMAT_VERSION = 3  # 3: statuses in RMI's categories; "minerals" only with the Other minerals page


def report_json(model: Model) -> str:
    return json.dumps(report_data(model), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def report_data(model: Model) -> dict:
    data = _report_data(model)
    if model.other_minerals is not None:
        data.update(minerals=_minerals(model))
    return data


def _report_data(model: Model) -> dict:
    content = model.content
    company, report = content.company, content.report
    facilities = model.facilities
    return {
        "format": "cmr-report",
        "format_version": FORMAT_VERSION,
        "company": {
            "name": company.name,
            "state_of_incorporation": company.state_of_incorporation,
            "commission_file_number": company.commission_file_number,
            "irs_employer_id": company.irs_employer_id,
            "address": {"street": company.address.street, "city": company.address.city,
                        "state": company.address.state, "zip": company.address.zip,
                        "country": company.address.country},
            "website": company.website,
        },
        "report": {
            "title": report.title,
            "rule": report.rule,
            "period": {"start": report.period.start.isoformat(), "end": report.period.end.isoformat(),
                       "year": report.period.end.year},
            "conclusion": report.conclusion,
        },
        "survey": _survey(model),
        "designation": {
            "as_of": model.as_of.isoformat() if model.as_of else None,
            "source": model.designation_source,
        },
        "counts": {
            "facilities": len(facilities),
            "by_designation": {"Conflict-free": model.status_counts["conformant"],
                               "Not designated": len(facilities) - model.status_counts["conformant"]},
            "by_status": model.status_counts,
            "conformant_percent": model.conformant_percent,
            "by_metal": {g.metal: {"facilities": len(g.facilities), "conflict_free": g.conflict_free,
                                   "not_designated": len(g.facilities) - g.conflict_free}
                         for g in model.groups},
            "countries": len(content.countries.countries),
        },
        "countries": list(content.countries.countries),
        "facilities": [
            {"metal": f.metal, "name": published_text(f.name), "smelter_id": published_text(f.smelter_id) or None,
             "country": published_text(f.country) or None, "designation": f.designation, "status": f.status,
             "conflict_free": f.conflict_free, "covered_country": model.in_covered_country(f)}
            for f in facilities
        ],
        "figures": dict(model.figures),
    }


def _minerals(model: Model) -> dict:
    """The EMRT/CRT answers as published on the "Other minerals" page."""
    from generator.publish.render import status_as_of
    m = model.other_minerals
    assert m is not None
    as_of = status_as_of(m)
    return {
        "responses": len(m.declarations),
        "status_as_of": as_of.isoformat() if as_of else None,
        "counts": {mineral: {"processors": len(m.processors_of(mineral)),
                             "conformant": m.status_counts(mineral)["Conformant"],
                             "active": m.status_counts(mineral)["Active"],
                             "neither": m.status_counts(mineral)[""]} for mineral in m.minerals},
        "processors": [{"mineral": p.mineral, "name": p.name, "smelter_id": p.smelter_id or None,
                        "country": p.country or None, "status": p.status or None} for p in m.processors],
        "lists": [{"title": ref.title, "as_of": ref.as_of.isoformat() if ref.as_of else None,
                   "kind": kind} for kind, refs in (("reference", m.lists), ("status", m.status_lists))
                  for ref in refs],
    }


def _survey(model: Model) -> dict:
    """As stated in report.yml, or computed from the roster (then exact)."""
    survey = model.content.report.survey
    suppliers, rate = survey.suppliers, survey.response_rate_percent
    if model.consolidation is not None:
        figures = model.consolidation.survey
        suppliers, rate = Figure(figures.surveyed), Figure(figures.response_rate_percent)
    return {"template": survey.template, "suppliers": _figure(suppliers), "response_rate_percent": _figure(rate)}


def _figure(figure: Figure | None) -> dict | None:
    return {"value": figure.value, "qualifier": figure.qualifier} if figure else None
