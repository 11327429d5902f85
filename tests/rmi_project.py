"""A supplier-answer project in today's words (RMI statuses and labels, a smelter in Rwanda),
for the tests of the reader-facing report."""
from __future__ import annotations

from pathlib import Path

import yaml

from tests import cmrt_fixtures as fx
from tests.supply_project import supply_chain_project

RMI_CONFORMANCE = """Metal,Smelter ID,Standard Smelter Name,Country,RMI Status
Gold,CID000077,Argor-Heraeus SA,Switzerland,Conformant
Tungsten,CID000004,A.L.M.T. Corp.,Japan,Active
Gold,CID000082,Asahi Pretec Corporation,Japan,Non Conformant
Tin,CID003387,LuNa Smelter Ltd.,Rwanda,In Communication
"""


LUNA = "Tin,RWANDA,LuNa Smelter Ltd.,LuNa,,CID003387\n"


GOALS = {
    "introduction": "We set goals each year and report on them the next.",
    "last_year": [{"goal": "Reach a response rate of 90%.", "done": "We reached {{ survey.response_rate }}."},
                  {"goal": "Ask every smelter to join the RMAP.", "done": "We wrote to 12 smelters."}],
    "next_year": ["Visit two refiners.", "Train the buyers."],
}


def rmi_project(root: Path) -> Path:
    """A supplier-answer project in today's words: RMI's statuses and labels, a smelter in Rwanda."""
    supply_chain_project(root)
    data = root / "data"
    report = yaml.safe_load((data / "report.yml").read_text(encoding="utf-8"))
    del report["status_labels"]          # RMI's words, the default
    del report["smelter_list"]           # the supplier answers alone
    (data / "report.yml").write_text(yaml.safe_dump(report, sort_keys=False), encoding="utf-8")
    (data / "lists/conformant.csv").write_text(RMI_CONFORMANCE, encoding="utf-8")
    with (data / "lists/reference.csv").open("a", encoding="utf-8") as out:
        out.write(LUNA)
    acme = fx.full_declaration("6.5")
    acme.smelters = {
        5: {"metal": "Gold", "smelter_name": "ARGOR heraeus s.a.", "country": "SWITZERLAND"},
        6: {"metal": "Gold", "smelter_name": "Asahi", "smelter_id": "CID 000082"},
        7: {"metal": "Tin", "smelter_name": "Timah Mentok Smelter", "country": "INDONESIA"},
        8: {"metal": "Tin", "smelter_name": "LuNa Smelter", "smelter_id": "CID003387", "country": "RWANDA"},
        9: {"metal": "Tungsten", "smelter_name": "Unknown Wolfram Works", "country": "CHINA"},
        11: {"metal": "Gold"},
    }
    fx.write(acme, data / "cmrt/acme.xlsx")
    (data / "goals.yml").write_text(yaml.safe_dump(GOALS, sort_keys=False), encoding="utf-8")
    return root
