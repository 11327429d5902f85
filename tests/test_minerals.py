"""EMRT and CRT answers consolidated beside the CMRTs: matching, processors by mineral, the review report."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from generator import pipeline
from generator.commands import review
from generator.problems import UserError
from generator.publish.mkdocs_plugin import extended_nav, with_minerals_page
from generator.publish.release import JSON_PATH
from generator.publish.render import render_pages
from tests.builders import validate
from tests.emrt_fixtures import Answers, build, complete, fill
from tests.supply_project import SUPPLY_CHAIN, supply_chain_project

MINERALS_SETTINGS = """minerals:
  workbooks: emrt
  reference_lists:
    - file: lists/rmi-lists.xlsx
      sheet: Cobalt List
      title: RMI cobalt refiners
      as_of: 2023-05-01
    - file: lists/rmi-lists.xlsx
      sheet: Mica
      title: RMI mica processors
      as_of: 2023-05-01
  status_lists:
    - file: lists/rmi-lists.xlsx
      sheet: Conformant
      title: RMI conformant list
      as_of: 2023-05-01
    - file: lists/rmi-lists.xlsx
      sheet: Active List
      title: RMI active list
      as_of: 2023-05-01
"""

COBALT = [("METAL", "CRUDE COBALT REFINER", "SMELTER REFERENCE", "STANDARD SMELTER NAME", "COUNTRY", "SMELTER ID"),
          ("Cobalt", "Yes", "Chemaf Etoile", "Chemaf Etoile", "CONGO, DEMOCRATIC REPUBLIC OF THE", "CID003264"),
          ("Cobalt", None, "Chizhou Xi’en New Material Technology Co., Ltd.",
           "Chizhou CN New Materials and Technology Co., Ltd.", "CHINA", "CID003481"),
          ("Cobalt", None, "Chizhou CN New Materials and Technology Co., Ltd.",
           "Chizhou CN New Materials and Technology Co., Ltd.", "CHINA", "CID003481"),
          ("Cobalt", None, "Umicore Kokkola", "Umicore Finland Oy", "FINLAND", "CID003999")]
MICA = [("METAL", "SMELTER REFERENCE", "STANDARD SMELTER NAME", "COUNTRY", "SMELTER ID"),
        ("Mica", "DARUKA MINERALS", "DARUKA MINERALS", "INDIA", "CID003626"),
        ("Mica", "Yamaguchi Mica Co., Ltd. Shinshiro Factory", "Yamaguchi Mica Co., Ltd. Shinshiro Factory", "JAPAN",
         "CID003971")]
CONFORMANT = [("Sl #", "METAL", "SMELTER ID", "STANDARD SMELTER NAME", "COUNTRY LOCATION"),
              (1, "Cobalt", "CID003264", "Chemaf Etoile", "CONGO, DEMOCRATIC REPUBLIC OF THE"),
              (2, "Gold", "CID000077", "Argor-Heraeus SA", "SWITZERLAND")]
ACTIVE = [("Sl#", "METAL", "SMELTER ID", "STANDARD SMELTER NAME", "COUNTRY LOCATION", "Type"),
          (1, "Mica", "CID003626", "DARUKA MINERALS", "INDIA", "Active"),
          (2, "Cobalt", "CID003264", "Chemaf Etoile", "CONGO, DEMOCRATIC REPUBLIC OF THE", "Active")]


def write_lists(path: Path) -> Path:
    """A list workbook in the layout of the corpus' cmrtbackend-rmi-smelter-lists.xlsx."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in (("Conformant", CONFORMANT), ("Active List", ACTIVE), ("Cobalt List", COBALT), ("Mica", MICA)):
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


ACME_EMRT = Answers(fields={"company_name": "Acme Components Ltd.", "declaration_scope": "A. Company",
                            "contact_name": "Jo", "contact_email": "jo@acme.example", "contact_phone": "1",
                            "authorizer_name": "Al", "authorizer_email": "al@acme.example",
                            "effective_date": "2025-03-31"},
                    smelters={5: {"metal": "Cobalt", "smelter_name": "Chemaf Etoile", "smelter_id": "CID003264"},
                              6: {"metal": "Cobalt", "smelter_name": "Chizhou Xi'en New Material Technology Co Ltd",
                                  "country": "CHINA"},
                              7: {"metal": "Mica", "smelter_name": "Daruka Minerals", "country": "INDIA"},
                              8: {"metal": "Mica", "smelter_name": "Backyard Mica", "country": "INDIA"},
                              9: {"metal": "Mica", "smelter_name": "Chemaf Etoile", "smelter_id": "CID003264"},
                              10: {"metal": "Tin", "smelter_name": "A tin smelter"}},
                    mines={5: {"metal": "Cobalt", "mine_name": "Etoile", "smelter_name": "Chemaf Etoile"}})


def minerals_project(root: Path) -> Path:
    supply_chain_project(root)
    data = root / "data"
    (data / "supply-chain.yml").write_text(SUPPLY_CHAIN + MINERALS_SETTINGS, encoding="utf-8")
    write_lists(data / "lists/rmi-lists.xlsx")
    (data / "emrt").mkdir()
    build(complete(ACME_EMRT), data / "emrt/acme-emrt.xlsx")
    beta = complete(Answers(kind="CRT 2.2", fields={**ACME_EMRT.fields, "company_name": "Beta Parts GmbH"},
                            smelters={5: {"metal": "Cobalt", "smelter_name": "Chemaf Etoile", "country": "CONGO"}}))
    build(beta, data / "emrt/beta-crt.xlsx")
    return root


def test_emrt_rows_are_matched_merged_and_reconciled(tmp_path):
    model, problems = pipeline.load_model(minerals_project(tmp_path))
    m = model.consolidation.minerals
    outcomes = {(Path(o.file).name, o.row): (o.outcome, o.metal, o.reason, o.facility_id) for o in m.outcomes}
    assert outcomes == {
        ("acme-emrt.xlsx", 5): ("published", "Cobalt", "id", "CID003264"),
        ("acme-emrt.xlsx", 6): ("published", "Cobalt", "name", "CID003481"),
        ("acme-emrt.xlsx", 7): ("published", "Mica", "name", "CID003626"),
        ("acme-emrt.xlsx", 8): ("unmatched", "Mica", "not-listed", ""),
        ("acme-emrt.xlsx", 9): ("held", "Mica", "id-metal", ""),
        ("acme-emrt.xlsx", 10): ("rejected", "", "unknown-metal", ""),
        ("beta-crt.xlsx", 5): ("duplicate", "Cobalt", "name", "CID003264"),
    }
    assert {(Path(o.file).name, o.row): o.detail for o in m.outcomes if o.outcome == "held"} == {
        ("acme-emrt.xlsx", 9): "the ID CID003264 is a Cobalt facility, but the row says Mica"}
    assert [(p.mineral, p.smelter_id, p.name, p.status, p.reporters) for p in m.processors] == [
        ("Cobalt", "CID003264", "Chemaf Etoile", "Conformant", ("Acme Components Ltd.", "Beta Parts GmbH")),
        ("Cobalt", "CID003481", "Chizhou CN New Materials and Technology Co., Ltd.", "", ("Acme Components Ltd.",)),
        ("Mica", "CID003626", "DARUKA MINERALS", "Active", ("Acme Components Ltd.",)),
    ]
    assert [(u.metal, u.name) for u in m.unlisted] == [("Mica", "Backyard Mica")]
    assert m.rows_read == 7 == sum(m.count(k) for k in ("published", "duplicate", "rejected", "unmatched", "held"))
    assert m.minerals == ("Cobalt", "Mica")
    assert [(r.company, r.roster_name, r.version) for r in m.responses] == [
        ("Acme Components Ltd.", "Acme Components Ltd.", "2.1"), ("Beta Parts GmbH", "Beta Parts GmbH", "2.2")]
    # the 3TG consolidation is what it is without the minerals
    alone, _ = pipeline.load_model(supply_chain_project(tmp_path / "alone"))
    assert (model.consolidation.facilities, model.consolidation.outcomes) == (
        alone.consolidation.facilities, alone.consolidation.outcomes)


def test_the_review_report_covers_the_minerals(tmp_path):
    model, _ = pipeline.load_model(minerals_project(tmp_path))
    text = review.render_review(model)[review.report_path(model.year)]
    assert "## Other minerals: EMRT and CRT answers" in text
    assert "The rows reconcile: 7 = 3 + 1 + 1 + 1 + 1." in text
    assert "| Minerals in scope | Cobalt, Mica |" in text and "| Template | CRT 2.2 |" in text
    assert "| 8 | unmatched | Mica | Backyard Mica |  | not-listed: not on the reference list by ID, alias or name |" in text
    assert "| 9 | held | Mica | Chemaf Etoile | CID003264 | id-metal: the ID CID003264 is a Cobalt facility, but the " \
           "row says Mica |" in text
    rows = review.render_review(model)[review.rows_path(model.year)].splitlines()
    assert rows[-7:] == [
        "data/emrt/acme-emrt.xlsx,Smelter List,5,Cobalt,CID003264,Chemaf Etoile,,published,id,CID003264",
        "data/emrt/acme-emrt.xlsx,Smelter List,6,Cobalt,,Chizhou Xi'en New Material Technology Co Ltd,CHINA,"
        "published,name,CID003481",
        "data/emrt/acme-emrt.xlsx,Smelter List,7,Mica,,Daruka Minerals,INDIA,published,name,CID003626",
        "data/emrt/acme-emrt.xlsx,Smelter List,8,Mica,,Backyard Mica,INDIA,unmatched,not-listed,",
        "data/emrt/acme-emrt.xlsx,Smelter List,9,Mica,CID003264,Chemaf Etoile,,held,id-metal,",
        "data/emrt/acme-emrt.xlsx,Smelter List,10,,,,,rejected,unknown-metal,",
        "data/emrt/beta-crt.xlsx,Smelter List,5,Cobalt,,Chemaf Etoile,CONGO,duplicate,name,CID003264"]
    assert len(rows) == 1 + model.consolidation.rows_read + model.consolidation.minerals.rows_read
    assert "| Cobalt | Chemaf Etoile | CID003264 | Conformant | Acme Components Ltd., Beta Parts GmbH |" in text
    assert "| RMI mica processors | 2023-05-01 | 2 | data/lists/rmi-lists.xlsx, sheet 'Mica' |" in text


def test_answers_in_the_wrong_folder_are_named_and_not_counted(tmp_path):
    root = minerals_project(tmp_path)
    data = root / "data"
    shutil.copy(data / "emrt/beta-crt.xlsx", data / "cmrt/zz-crt.xlsx")
    shutil.copy(data / "cmrt/beta.xlsx", data / "emrt/zz-cmrt.xlsx")
    model, problems = pipeline.load_model(root)
    found = [(p.file, p.code, p.message) for p in problems.items if p.code in ("supply.not-a-cmrt-answer",
                                                                          "minerals.not-an-emrt")]
    assert found == [
        ("data/cmrt/zz-crt.xlsx", "supply.not-a-cmrt-answer",
         "is an CRT 2.2, not a CMRT: it answers no question of the 3TG survey, so neither it nor its 1 smelter "
         "row(s) count here; put it in the folder of EMRT and CRT answers (minerals: workbooks: in "
         "data/supply-chain.yml)"),
        ("data/emrt/zz-cmrt.xlsx", "minerals.not-an-emrt",
         "is a CMRT 2.03a, not an EMRT or CRT: it is not counted among the minerals answers; put it in the "
         "folder of CMRTs (workbooks: in data/supply-chain.yml)")]
    # the CRT among the CMRTs is listed there as not counted, without its rows; the CMRT among the EMRTs is left out
    assert [(Path(d.file).name, d.template, len(d.smelters)) for d in model.consolidation.declarations] == [
        ("acme.xlsx", "CMRT", 5), ("beta.xlsx", "CMRT", 3), ("stranger.xlsx", "CMRT", 1), ("zz-crt.xlsx", "CRT", 0)]
    assert [(Path(r.file).name, r.counts) for r in model.consolidation.responses][-1] == ("zz-crt.xlsx", False)
    assert [Path(d.file).name for d in model.consolidation.minerals.declarations] == ["acme-emrt.xlsx", "beta-crt.xlsx"]


def test_a_list_without_minerals_is_a_warning(tmp_path):
    root = minerals_project(tmp_path)
    settings = root / "data/supply-chain.yml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("sheet: Mica", "sheet: Conformant", 1),
                        encoding="utf-8")
    _, problems = pipeline.load_model(root)
    assert [(p.file, p.code) for p in problems.items if p.code == "minerals.empty-list"] == []  # Conformant has cobalt
    settings.write_text(settings.read_text(encoding="utf-8").replace("sheet: Conformant", "sheet: Mica", 1)
                        .replace("sheet: Mica", "sheet: Active List", 1), encoding="utf-8")
    book = openpyxl.load_workbook(root / "data/lists/rmi-lists.xlsx")
    book.create_sheet("Empty").append(("METAL", "SMELTER ID", "STANDARD SMELTER NAME"))
    book["Empty"].append(("Gold", "CID000077", "Argor-Heraeus SA"))
    book.save(root / "data/lists/rmi-lists.xlsx")
    settings.write_text(settings.read_text(encoding="utf-8").replace("sheet: Cobalt List", "sheet: Empty"),
                        encoding="utf-8")
    _, problems = pipeline.load_model(root)
    assert [(p.file, p.code, p.message) for p in problems.items if p.code == "minerals.empty-list"] == [
        ("data/lists/rmi-lists.xlsx, sheet 'Empty'", "minerals.empty-list",
         "no entry of Cobalt, Copper, Graphite, Lithium, Mica, Nickel in this list; is it the right file or sheet?")]


CORPUS = os.environ.get("CMR_CORPUS")


@pytest.mark.templates
def test_filled_corpus_blanks_and_the_rmi_lists_consolidate(tmp_path):
    if not CORPUS or not Path(CORPUS).is_dir():
        pytest.skip("CMR_CORPUS is not set to the folder of blank templates and lists (../shared/corpus)")
    corpus = Path(CORPUS)
    root = minerals_project(tmp_path)
    data = root / "data"
    shutil.rmtree(data / "emrt")
    (data / "emrt").mkdir()
    shutil.copy(corpus / "cmrtbackend-rmi-smelter-lists.xlsx", data / "lists/rmi-lists.xlsx")
    smelters = {5: {"metal": "Cobalt", "lookup": "Chemaf Etoile", "smelter_id": "CID003264"},
                6: {"metal": "Mica", "smelter_name": "Yamaguchi Mica Co Ltd Shinshiro Factory", "country": "JAPAN"}}
    for blank, kind in (("cirscn-blank-emrt-1.3.xlsx", "EMRT 1.3"), ("cirscn-blank-emrt-2.1.xlsx", "EMRT 2.1"),
                        ("cirscn-blank-crt-2.2.xlsx", "CRT 2.2")):
        spec = complete(Answers(kind=kind, fields={**ACME_EMRT.fields}, smelters=dict(smelters)))
        if kind == "CRT 2.2":
            spec.smelters = {5: smelters[5]}
        fill(corpus / blank, spec, data / "emrt" / blank)
    model, problems = pipeline.load_model(root)
    m = model.consolidation.minerals
    assert [(Path(d.file).name, d.template, d.template_version, d.errors) for d in m.declarations] == [
        ("cirscn-blank-crt-2.2.xlsx", "CRT", "2.2", []), ("cirscn-blank-emrt-1.3.xlsx", "EMRT", "1.3", []),
        ("cirscn-blank-emrt-2.1.xlsx", "EMRT", "2.1", [])]
    assert [(p.mineral, p.smelter_id, p.status, len(p.reporters)) for p in m.processors] == [
        ("Cobalt", "CID003264", "Conformant", 1), ("Mica", "CID003971", "Active", 1)]
    assert (m.count("published"), m.count("duplicate"), m.count("unmatched"), m.count("rejected")) == (2, 3, 0, 0)


# --- the "Other minerals" page, its CSV and the report JSON ---------------------------------

def published_minerals_project(root: Path, names: bool = False) -> Path:
    minerals_project(root)
    settings = root / "data/supply-chain.yml"
    text = settings.read_text(encoding="utf-8") + "  page: true\n"
    settings.write_text(text + ("publish_supplier_names: true\n" if names else ""), encoding="utf-8")
    return root


def test_no_page_unless_the_settings_ask_for_it(tmp_path):
    pages = render_pages(pipeline.load_model(minerals_project(tmp_path))[0])
    assert "minerals.md" not in pages and "downloads/minerals.csv" not in pages
    data = json.loads(pages[JSON_PATH])
    assert data["format_version"] == 3 and "minerals" not in data and validate(data) == []


def test_the_other_minerals_page_lists_processors_by_mineral_with_status_counts_and_countries(tmp_path):
    model, _ = pipeline.load_model(published_minerals_project(tmp_path))
    page = render_pages(model)["minerals.md"]
    assert ("We received 2 answers, which named 3 smelters and processors of Cobalt, Mica. "
            "Each one's status is as of May 1, 2023.") in page
    assert "| Cobalt | 2 | 1 | 0 | 1 |\n| Mica | 1 | 0 | 1 | 0 |\n| **Total** | **3** | **1** | **1** | **1** |" in page
    assert ("| Cobalt | CHINA | 1 |\n| Cobalt | CONGO, DEMOCRATIC REPUBLIC OF THE | 1 |\n| Mica | INDIA | 1 |"
            in page)
    assert "## Cobalt\n\n| Smelter or processor | Smelter ID | Country | Status |\n" in page
    assert "| Chemaf Etoile | CID003264 | CONGO, DEMOCRATIC REPUBLIC OF THE | Conformant |" in page
    assert "| Chizhou CN New Materials and Technology Co., Ltd. | CID003481 | CHINA | Neither |" in page
    assert "| DARUKA MINERALS | CID003626 | INDIA | Active |" in page
    assert "Our suppliers also named 1 facilities that are not on the reference lists" in page
    assert "Acme Components" not in page  # supplier names only when the settings publish them
    assert model.figures["minerals.processors"] == "3" and model.figures["minerals.cobalt"] == "2"


def test_supplier_names_on_the_page_only_when_published(tmp_path):
    page = render_pages(pipeline.load_model(published_minerals_project(tmp_path, names=True))[0])[
        "minerals.md"]
    assert "| Chemaf Etoile | CID003264 | CONGO, DEMOCRATIC REPUBLIC OF THE | Conformant | " \
           "Acme Components Ltd., Beta Parts GmbH |" in page


def test_the_minerals_csv_and_the_report_json(tmp_path):
    pages = render_pages(pipeline.load_model(published_minerals_project(tmp_path))[0])
    assert list(csv.reader(io.StringIO(pages["downloads/minerals.csv"]))) == [
        ["Mineral", "Smelter or processor", "Smelter ID", "Country", "Status", "Status as of"],
        ["Cobalt", "Chemaf Etoile", "CID003264", "CONGO, DEMOCRATIC REPUBLIC OF THE", "Conformant", "2023-05-01"],
        ["Cobalt", "Chizhou CN New Materials and Technology Co., Ltd.", "CID003481", "CHINA", "", ""],
        ["Mica", "DARUKA MINERALS", "CID003626", "INDIA", "Active", "2023-05-01"]]
    data = json.loads(pages[JSON_PATH])
    assert validate(data) == []
    assert data["format_version"] == 3
    assert data["minerals"]["counts"] == {"Cobalt": {"processors": 2, "conformant": 1, "active": 0, "neither": 1},
                                          "Mica": {"processors": 1, "conformant": 0, "active": 1, "neither": 0}}
    assert data["minerals"]["processors"][2] == {"mineral": "Mica", "name": "DARUKA MINERALS",
                                                 "smelter_id": "CID003626", "country": "INDIA", "status": "Active"}
    assert (data["minerals"]["responses"], data["minerals"]["status_as_of"]) == (2, "2023-05-01")
    assert [(x["kind"], x["title"]) for x in data["minerals"]["lists"]] == [
        ("reference", "RMI cobalt refiners"), ("reference", "RMI mica processors"),
        ("status", "RMI conformant list"), ("status", "RMI active list")]
    [error] = validate({**data, "format_version": 1})
    assert error == "format_version: 3 was expected"


def test_supplier_text_on_the_page_is_escaped_and_the_csv_defused(tmp_path):
    root = published_minerals_project(tmp_path)
    spec = complete(Answers(fields={**ACME_EMRT.fields, "company_name": "Gamma Silent Inc."}, smelters={
        5: {"metal": "Mica", "smelter_name": "DARUKA MINERALS", "smelter_id": "CID003626",
            "country": "<script>alert(1)</script>"}}))
    build(spec, root / "data/emrt/gamma.xlsx")
    book = openpyxl.load_workbook(root / "data/lists/rmi-lists.xlsx")
    book["Mica"].append(("Mica", "+HYPERLINK(\"x\")", "+HYPERLINK(\"x\")", "<b>JAPAN</b>", "CID000999"))
    book.save(root / "data/lists/rmi-lists.xlsx")
    spec2 = complete(Answers(fields={**ACME_EMRT.fields, "company_name": "Gamma Silent Inc."}, smelters={
        5: {"metal": "Mica", "smelter_id": "CID000999", "smelter_name": "x"}}))
    build(spec2, root / "data/emrt/gamma2.xlsx")
    pages = render_pages(pipeline.load_model(root)[0])
    assert "<b>" not in pages["minerals.md"] and "<script>" not in pages["minerals.md"]
    assert '| \\+HYPERLINK("x") | CID000999 | &lt;b&gt;JAPAN&lt;/b&gt; | Neither |' in pages["minerals.md"]
    assert "'+HYPERLINK(\"\"x\"\")" in pages["downloads/minerals.csv"]


def test_the_site_builds_in_strict_mode_with_the_page_in_the_nav(tmp_path):
    root = published_minerals_project(tmp_path)
    pipeline.write_pages(render_pages(pipeline.load_model(root)[0]), root / "docs")
    pipeline.build_site(root, root / "site")
    html = (root / "site/minerals.html").read_text(encoding="utf-8")
    assert "Chemaf Etoile" in html
    smelters = (root / "site/smelters.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="minerals\.html" class="md-nav__link">\s*<span class="md-ellipsis">\s*Other minerals\s*<',
                     smelters)


def test_nav_gets_the_page_after_the_smelters_page_once():
    nav = [{"Overview": "index.md"}, {"Smelters and refiners": "smelters.md"}, {"Countries": "countries.md"}]
    assert with_minerals_page(nav) == [{"Overview": "index.md"}, {"Smelters and refiners": "smelters.md"},
                                       {"Other minerals": "minerals.md"}, {"Countries": "countries.md"}]
    assert with_minerals_page(with_minerals_page(nav)) == with_minerals_page(nav)


def test_the_example_builds_unchanged():
    root = Path(__file__).resolve().parent.parent
    pages, _ = pipeline.generate(root)
    assert "minerals.md" not in pages and pipeline.stale_pages(pages, root / "docs") == []
    assert json.loads(pages[JSON_PATH])["format_version"] == 3


def test_earlier_years_nav_leaves_out_the_page_they_have_not_got(tmp_path):
    for rel in ("index.md", "smelters.md", "minerals.md", "2024/index.md", "2024/smelters.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x", encoding="utf-8")
    nav = with_minerals_page([{"Overview": "index.md"}, {"Smelters and refiners": "smelters.md"}])
    assert extended_nav(nav, [2024], tmp_path)[-1] == {"Earlier reports": [{"2024": [
        {"Overview": "2024/index.md"}, {"Smelters and refiners": "2024/smelters.md"}]}]}


def test_the_minerals_alias_file_resolves_an_unmatched_row(tmp_path):
    root = minerals_project(tmp_path)
    aliases = root / "data/mineral-aliases.csv"
    aliases.write_text("metal,name,smelter_id\nMica,Backyard Mica,CID003971\n", encoding="utf-8")
    settings = root / "data/supply-chain.yml"
    settings.write_text(settings.read_text(encoding="utf-8") + "  aliases: mineral-aliases.csv\n", encoding="utf-8")
    model, _ = pipeline.load_model(root)
    m = model.consolidation.minerals
    assert [(o.outcome, o.reason, o.facility_id) for o in m.outcomes if o.row == 8 and "acme" in o.file] == [
        ("published", "alias", "CID003971")]
    aliases.write_text("metal,name,smelter_id\nTin,Not a mineral,CID000001\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        pipeline.load_model(root)
    assert [(p.file, p.line, p.message) for p in caught.value.problems.errors] == [
        ("data/mineral-aliases.csv", 2, "expected a metal (Cobalt, Copper, Graphite, Lithium, Mica, Nickel), a name "
         "and a smelter ID such as CID000001; found {'metal': 'Tin', 'name': 'Not a mineral', 'smelter_id': "
         "'CID000001'}")]



@pytest.mark.templates
def test_an_emrts_own_smelter_look_up_serves_as_reference_list(tmp_path):
    if not CORPUS or not Path(CORPUS).is_dir():
        pytest.skip("CMR_CORPUS is not set to the folder of blank templates and lists (../shared/corpus)")
    root = minerals_project(tmp_path)
    shutil.copy(Path(CORPUS) / "cirscn-blank-emrt-2.1.xlsx", root / "data/lists/emrt-2.1.xlsx")
    settings = root / "data/supply-chain.yml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("  status_lists:", """    - file: lists/emrt-2.1.xlsx
      title: EMRT 2.1 Smelter Look-up
      as_of: 2025-10-17
  status_lists:"""), encoding="utf-8")
    build(complete(Answers(fields={**ACME_EMRT.fields, "company_name": "Gamma Silent Inc."}, chosen=("Copper",),
                           smelters={5: {"metal": "Copper", "smelter_name": "Ruashi Mining SAS", "country": "CONGO"},
                                     6: {"metal": "Copper", "smelter_id": "CID004212", "smelter_name": "Ruashi"}})),
          root / "data/emrt/gamma.xlsx")
    model, problems = pipeline.load_model(root)
    m = model.consolidation.minerals
    assert [(ref.source, len(ref.entries)) for ref in m.lists][-1] == (
        "data/lists/emrt-2.1.xlsx, sheet 'Smelter Look-up'", 311)
    gamma = [(o.row, o.outcome, o.reason, o.facility_id) for o in m.outcomes if o.file.endswith("gamma.xlsx")]
    # the look-up gives 'Ruashi Mining SAS' two IDs: the name alone fits both (unmatched), the ID matches
    assert gamma == [(5, "unmatched", "ambiguous-name", ""), (6, "published", "id", "CID004212")]
    assert "Copper" in m.minerals
