"""A small supply chain built in code: reference and conformance lists, aliases, a roster and
three supplier workbooks in real layouts (6.5, 2.03a, 3.01), for the tests of consolidation."""
from __future__ import annotations

import os
from pathlib import Path

from tests import cmrt_fixtures as fx
from tests.project import content, make_project

REFERENCE = """METAL,COUNTRY,STANDARD SMELTER NAME,KEY TERM 1,V2 Smelter ID,V3 Smelter ID
Gold,JAPAN,Asahi Pretec Corporation,Asahi,1JPN002,CID000082
Gold,SWITZERLAND,Argor-Heraeus SA,Argor,1CHE003,CID000077
Tin,INDONESIA,PT Timah (Persero) Tbk,Timah,2IDN040,CID001482
Tantalum,UNITED STATES,Global Advanced Metals Boyertown,GAM,3USA010,CID002557
Tungsten,JAPAN,A.L.M.T. Corp.,ALMT,4JPN001,CID000004
Copper,CHILE,Not a 3TG smelter,,,CID999999
"""


CONFORMANT = """Metal,New Smelter ID,Smelter Name,Location,Status 
Gold,CID000077,Argor-Heraeus SA,Switzerland,Compliant
Tantalum,CID002557,Global Advanced Metals Boyertown,United States,Compliant
"""


ALIASES = "metal,name,smelter_id\nTin,Timah Mentok Smelter,CID001482\n"


ROSTER = "Supplier name,Supplier ID,Contact\nAcme Components Ltd.,S-1,a@acme.example\nBeta Parts GmbH,S-2,\n" \
         "Gamma Silent Inc.,S-3,\n"


SUPPLY_CHAIN = """roster: suppliers.csv
workbooks: cmrt
aliases: aliases.csv
reference_lists:
  - file: lists/reference.csv
    title: Smelter reference list
    as_of: 2014-06-01
conformance:
  file: lists/conformant.csv
  title: Conformant smelter list
  as_of: 2014-06-30
"""


def supply_chain_project(root: Path, unlisted: str = "report") -> Path:
    report = content()["report.yml"]
    del report["survey"]["suppliers"], report["survey"]["response_rate_percent"]
    report["rcoi_outcome"] = "{{ survey.responses }} of {{ survey.suppliers }} answered ({{ survey.response_rate }})."
    make_project(root, **{"report.yml": report})
    data = root / "data"
    (data / "lists").mkdir()
    (data / "lists/reference.csv").write_text(REFERENCE, encoding="utf-8")
    (data / "lists/conformant.csv").write_text(CONFORMANT, encoding="cp1252")
    (data / "aliases.csv").write_text(ALIASES, encoding="utf-8")
    (data / "suppliers.csv").write_text("\ufeff" + ROSTER, encoding="utf-8")
    (data / "supply-chain.yml").write_text(SUPPLY_CHAIN + f"unlisted_facilities: {unlisted}\n", encoding="utf-8")
    acme = fx.full_declaration("6.5")
    acme.smelters = {
        5: {"metal": "Gold", "smelter_name": "ARGOR heraeus s.a.", "country": "SWITZERLAND"},   # by name
        6: {"metal": "Gold", "smelter_name": "Asahi", "smelter_id": "CID 000082"},                 # by ID
        7: {"metal": "Tin", "smelter_name": "Timah Mentok Smelter", "country": "INDONESIA"},      # by alias
        9: {"metal": "Tungsten", "smelter_name": "Unknown Wolfram Works", "country": "CHINA"},    # unmatched
        10: {"metal": "Gold", "smelter_name": "Global Advanced Metals", "smelter_id": "CID002557"},  # metal clash
        11: {"metal": "Gold"},                                                                  # rejected
    }
    fx.write(acme, data / "cmrt/acme.xlsx")
    beta = fx.full_declaration("2.03a")
    beta.fields["company_name"] = "Beta Parts GmbH"
    beta.fields["unique_id"] = "S-2"
    beta.smelters = {
        5: {"metal": "Gold", "smelter_name": "Argor-Heraeus", "smelter_id": "1CHE003"},         # legacy ID
        6: {"metal": "Tungsten", "smelter_name": "A.L.M.T. Corp", "smelter_id": "4JPN001"},
        7: {"metal": "Tin", "lookup": "Smelter not yet identified"},                             # unidentified
    }
    fx.write(beta, data / "cmrt/beta.xlsx")
    stranger = fx.full_declaration("3.01")
    stranger.fields["company_name"] = "Stranger Metals"
    stranger.fields["unique_id"] = ""
    stranger.smelters = {5: {"metal": "Gold", "smelter_name": "Asahi Pretec Corp.", "smelter_id": "CID000077"}}
    fx.write(stranger, data / "cmrt/stranger.xlsx")
    return root


CORPUS = os.environ.get("CMR_CORPUS")
