"""Completeness: warn when the narrative lacks a section the rule or the OECD guidance expects.

Every key below is required by the schema, so "lacks" means: blank, only
placeholders, fewer than MIN_WORDS words of its own, or still holding a
drafting marker such as TODO. No facilities and no countries are warnings
too. These are warnings (a draft may be incomplete); `--strict` makes them
fatal, as CI should before filing.
"""
from __future__ import annotations

import re

from generator.content.load import Content, shown_file
from generator.problems import Problems

MIN_WORDS = 10
_FORM_SD = "Form SD, Item 1.01"
_OECD = "the OECD Due Diligence Guidance"
# (content attribute, key, what the section is, who expects it)
SECTIONS = [
    ("report", "rcoi", "the description of the reasonable country of origin inquiry", "Rule 13p-1 and " + _FORM_SD),
    ("due_diligence", "management_systems.team", "step 1 (management systems): the internal team", _OECD),
    ("due_diligence", "management_systems.controls", "step 1 (management systems): the control systems", _OECD),
    ("due_diligence", "management_systems.supplier_engagement",
     "step 1 (management systems): the engagement with suppliers", _OECD),
    ("due_diligence", "management_systems.grievance_mechanism",
     "step 1 (management systems): the grievance mechanism", _OECD),
    ("due_diligence", "management_systems.records", "step 1 (management systems): the records kept", _OECD),
    ("due_diligence", "identify_and_assess_risk", "step 2 (identify and assess risk in the supply chain)", _OECD),
    ("due_diligence", "respond_to_risk", "step 3 (respond to identified risks)", _OECD),
    ("due_diligence", "third_party_audits", "step 4 (independent third-party audits of smelters and refiners)",
     _OECD),
    ("due_diligence", "reporting", "step 5 (report on supply chain due diligence)", _OECD),
    ("due_diligence", "results.smelters", "the description of the facilities used to process the minerals",
     _FORM_SD),
    ("countries", "introduction", "the description of the countries of origin", _FORM_SD),
    ("due_diligence", "results.mine_or_location_of_origin",
     "the efforts to determine the mine or location of origin", _FORM_SD),
    ("report", "audit", "the independent private sector audit statement", _FORM_SD),
]
_PLACEHOLDER = re.compile(r"\{\{.*?\}\}")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
_MARKER = re.compile(r"\b(TODO|TBD|TBC|FIXME|XXX)\b|lorem ipsum", re.IGNORECASE)


def check_completeness(content: Content, facility_count: int, smelter_file: str, smelter_sheet: str,
                       problems: Problems) -> None:
    """Add a warning for every expected section that is missing or a stub."""
    for attr, key, what, source in SECTIONS:
        text = _value(getattr(content, attr), key)
        file_name = _file_of(content, attr)
        line = content.lines.get(file_name, {}).get(key, 0)
        lack = lacking(text)
        if lack:
            problems.warn(file_name, "completeness.section",
                          f"{what} {lack}; this section is expected by {source}", line=line, key=key)
    if facility_count == 0:
        problems.warn(smelter_file, "completeness.no-facilities",
                      f"no smelters or refiners are listed; {_FORM_SD} expects the facilities used to "
                      "process the conflict minerals", sheet=smelter_sheet)
    if not content.countries.countries:
        file_name = _file_of(content, "countries")
        problems.warn(file_name, "completeness.no-countries",
                      f"no countries of origin are listed; {_FORM_SD} expects them",
                      line=content.lines.get(file_name, {}).get("countries", 0), key="countries")


def lacking(text: str) -> str:
    """What is wrong with a section's text, or "" when it will do."""
    marker = _MARKER.search(text)
    if marker:
        return f"still holds the drafting marker {marker.group(0)!r}"
    if not text.strip():
        return "is blank"
    words = len(_WORD.findall(_LINK_TARGET.sub("]", _PLACEHOLDER.sub(" ", text))))
    if words == 0:
        return "holds only placeholders"
    if words < MIN_WORDS:
        return f"has only {words} word{'s' if words != 1 else ''}, fewer than {MIN_WORDS}"
    return ""


def _value(record, key: str) -> str:
    for part in key.split("."):
        record = getattr(record, part)
    return record


def _file_of(content: Content, attr: str) -> str:
    return shown_file(content.lines, attr)
