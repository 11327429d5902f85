"""Projects and checks that several test modules share, built in code."""
from __future__ import annotations

import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import openpyxl

from tests import hostile_inputs as hi
from tests.cli import run_cli
from tests.conftest import ROOT
from tests.project import SMELTERS, content, make_project, report_for, write_data
from tests.supply_project import supply_chain_project


def example_rows() -> list[tuple[str, str, str]]:
    sheet = openpyxl.load_workbook(ROOT / "data/smelters.xlsx", read_only=True)["Smelters"]
    return [tuple(r) for r in sheet.iter_rows(min_row=2, values_only=True) if any(r)]


# 2023 is SMELTERS; 2024 drops two, adds one, and Beta Gold becomes conflict-free; 2025 changes again.
SMELTERS_2024 = [
    ("Gold", "Alpha Refinery Co., Ltd.", "Conflict-free"),
    ("Gold", "Beta Gold SA", "Conflict-free"),
    ("Tin", "PT Delta Tin", "Not designated"),
    ("Tungsten", "Zeta Wolfram", "Conflict-free"),
]


def two_years(root: Path) -> Path:
    """2024 is current; 2023 is archived."""
    make_project(root, smelters=SMELTERS_2024, **{"report.yml": report_for(2024, 45, 85)})
    write_data(root / "data/archive/2023", SMELTERS, **{"report.yml": report_for(2023, 40, 80)})
    return root


def build(root: Path) -> subprocess.CompletedProcess:
    return run_cli("build", "--no-site", cwd=root)


HOSTILE = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "Pipe | Co. `tick` *star* _under_",
    "# Heading Smelters",
    "- dash",
    "1. Numbered Refinery",
    "{: onclick=alert(1)}",
    "Tom & Jerry &amp; Sons \\ back",
]


def special_characters_project(root: Path) -> Path:
    company = content()["company.yml"]
    company["name"] = "Acme <b>Bold</b> & Co. | Ltd"
    countries = {"introduction": "Sources:", "countries": ["Côte d'Ivoire", "<i>Peru</i>", "=cmd|' /C calc'!A0"]}
    smelters = [("Gold", name, "Conflict-free" if i % 2 else "Not designated") for i, name in enumerate(HOSTILE)]
    smelters.append(("Tin", "+SUM(A1:A2)", "Not designated"))
    smelters.append(("Tin", "@cmd", "Not designated"))
    return make_project(root, smelters=smelters, **{"company.yml": company, "countries.yml": countries})


def injection_project(root: Path) -> Path:
    """The supply-chain project, publishing unlisted facilities, plus a CMRT and a curated list full of injections."""
    supply_chain_project(root, unlisted="publish")
    hi.injection_cmrt(root / "data/cmrt" / EVIL_FILE)
    curated = [("Gold", text, "Conflict-free") for text in hi.INJECTIONS] + list(SMELTERS)
    curated += [("Tin", text, "Not designated") for text in hi.FORMULAS + hi.SPLIT_FORMULAS]
    write_text_smelters(root / "data/smelters.xlsx", curated)
    roster = (root / "data/suppliers.csv").read_text(encoding="utf-8-sig")
    (root / "data/suppliers.csv").write_text(roster + "\"<img src=x onerror=window.__pwned=1> | Roster\",S-9,\n",
                                             encoding="utf-8")
    with open(root / "data/supply-chain.yml", "a", encoding="utf-8") as f:
        f.write("publish_supplier_names: true\n")   # so company names reach the page too
    return root


def write_text_smelters(path: Path, rows) -> Path:
    """The curated list with every cell stored as text, so '=...' stays a string (as Excel's ' prefix does)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Smelters"
    for values in [("Metal", "Smelter or refiner", "Conflict-free designation"), *rows]:
        sheet.append(list(values))
    for row in sheet.iter_rows():
        for cell in row:
            cell.data_type = "s"
    workbook.save(path)
    return path


EVIL_FILE = "# <img src=x onerror=window.__pwned=1> [x](javascript:y) `evil`.xlsx"  # file names are text too


# HTML 3.2 as EDGAR accepts it (EFM 5.2.2), less img (we attach no graphics).
EDGAR_TAGS = {
    "html", "head", "title", "meta", "body",
    "a", "address", "b", "big", "blockquote", "br", "caption", "center", "cite", "code", "dd", "dfn",
    "dir", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "kbd", "li",
    "menu", "ol", "p", "pre", "samp", "small", "strike", "strong", "sub", "sup", "table", "td", "th",
    "tr", "tt", "u", "ul", "var",
}


EDGAR_ATTRIBUTES = {
    "align", "border", "cellpadding", "cellspacing", "clear", "colspan", "compact", "dir", "href",
    "id", "lang", "name", "noshade", "nowrap", "rowspan", "size", "start", "title", "type", "valign",
    "width",
}


ACTIVE_CONTENT = {"script", "applet", "object", "embed", "iframe", "frame", "frameset", "form", "input",
                  "button", "select", "textarea", "link", "style", "base", "img"}


# Table 5-1: printable ASCII plus tab, line feed, carriage return and form feed.
EDGAR_CHARACTERS = re.compile(r"[\x20-\x7e\t\n\r\f]*")


SEC_ARCHIVES = "https://www.sec.gov/Archives/edgar/data/"


class EdgarRules(HTMLParser):
    """Collect every breach of EDGAR's HTML rules in a document."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.breaches: list[str] = []
        self.names: set[str] = set()
        self.fragments: list[str] = []
        self.open_tables = 0
        self.html_tags = 0

    def handle_starttag(self, tag, attrs):
        if tag not in EDGAR_TAGS or tag in ACTIVE_CONTENT:
            self.breaches.append(f"tag <{tag}>")
        self.html_tags += tag == "html"
        if tag == "table":
            if self.open_tables:
                self.breaches.append("nested <table>")
            self.open_tables += 1
        for name, value in attrs:
            if name not in EDGAR_ATTRIBUTES or name.startswith("on"):
                self.breaches.append(f"attribute {name} on <{tag}>")
            if name in ("name", "id"):
                self.names.add(value)
            value = (value or "").strip().lower()
            if "javascript:" in value or "vbscript:" in value or value.startswith("data:"):
                self.breaches.append(f"active content in {name} on <{tag}>")
            if name == "href":
                if value.startswith("#"):
                    self.fragments.append(value[1:])
                elif not value.startswith(SEC_ARCHIVES.lower()):
                    self.breaches.append(f"external reference {value}")
            if re.match(r"[a-z]+:", value) and name != "href":
                self.breaches.append(f"reference {value} in {name} on <{tag}>")

    def handle_endtag(self, tag):
        if tag == "table":
            self.open_tables -= 1

    def handle_entityref(self, name):
        # EDGAR knows HTML 4's named entities; we hold the exhibit to the four markup ones (others numeric).
        if name not in ("amp", "lt", "gt", "quot"):
            self.breaches.append(f"entity &{name};")

    def handle_charref(self, name):
        code = int(name[1:], 16) if name[:1] in "xX" else int(name)
        if code < 32 and code not in (9, 10, 12, 13) or 127 <= code < 160 or code > 0x10FFFF:
            self.breaches.append(f"reference to a control character &#{name};")

    def handle_decl(self, decl):
        if re.search(r"(?i)https?:|ftp:", decl):
            self.breaches.append(f"external reference in <!{decl}>")

    def handle_pi(self, data):
        self.breaches.append(f"processing instruction {data}")

    def unknown_decl(self, data):
        self.breaches.append(f"declaration {data}")


def edgar_breaches(document: str) -> list[str]:
    rules = EdgarRules()
    rules.feed(document)
    rules.close()
    breaches = list(rules.breaches)
    bad = sorted({c for c in document if not EDGAR_CHARACTERS.fullmatch(c)})
    if bad:
        breaches.append(f"characters outside table 5-1: {bad!r}")
    breaches += [f"link to a missing anchor #{f}" for f in rules.fragments if f not in rules.names]
    if rules.html_tags != 1:
        breaches.append(f"{rules.html_tags} <html> tags")
    if re.search(r"(?i)url\s*\(|@import|expression\s*\(", document):
        breaches.append("style sheet reference")
    return breaches


SCHEMA = json.loads((ROOT / "docs/assets/report.schema.json").read_text(encoding="utf-8"))


def validate(data: dict) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data))
