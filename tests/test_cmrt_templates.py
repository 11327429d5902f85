"""The blank RMI 6.x templates of the corpus (Chinese UI), filled in with openpyxl as a supplier would."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import openpyxl
import pytest

from generator.excel.workbook import open_workbook
from generator.supply.cmrt import Rejected, read_workbook

pytestmark = pytest.mark.templates

TEMPLATES = ["rmi-blank-cmrt-6.01.xlsx", "rmi-blank-cmrt-6.1.xlsx", "rmi-blank-cmrt-6.22.xlsx",
             "rmi-blank-cmrt-6.31.xlsx", "rmi-blank-cmrt-6.5.xlsx"]


@pytest.fixture(scope="module")
def corpus() -> Path:
    folder = os.environ.get("CMR_CORPUS")
    if not folder or not Path(folder).is_dir():
        pytest.skip("CMR_CORPUS not set: point it at the folder of real CMRT workbooks (../shared/corpus)")
    return Path(folder)


def fill(template: Path, out: Path) -> Path:
    """Type into the template what a supplier would; openpyxl keeps the formulas but not their values."""
    wb = openpyxl.load_workbook(template)
    d = wb["Declaration"]
    d["D8"] = " Shenzhen Example Electronics Co., Ltd. "
    d["D9"] = "A. Company"
    d["D15"], d["D16"], d["D17"] = "Li Wei", "li.wei@example.cn", "+86 755 1234 5678"
    d["D18"], d["D19"], d["D20"] = "Zhang San", "经理", "zhang.san@example.cn"
    d["D22"] = dt.datetime(2025, 5, 1)
    per_question = {26: "Yes", 32: "Yes", 38: "No", 44: "No", 50: "No", 56: "100%", 62: "Yes", 68: "Yes"}
    for first_row, answer in per_question.items():
        for offset in range(4):
            d[f"D{first_row + offset}"] = answer
    for row in range(75, 90, 2):
        d[f"D{row}"] = "Yes"
    d["D83"] = "Yes, in conformance with IPC1755 (e.g., CMRT)"
    d["D89"] = "Yes, with the SEC"
    d["G77"] = "https://example.cn/responsible-minerals"
    s = wb["Smelter List"]
    # Row 5: the ID typed into the input column, the rest picked from the dropdowns (B, C);
    # D..J keep their look-up formulas, which openpyxl saves without values.
    # The ID is not Asahi's (CID000082) but another refinery's: the look-up sheet says so.
    # E5 is the country Excel caches from the look-up formula (openpyxl cannot compute it).
    s["A5"], s["B5"], s["C5"], s["E5"] = "CID 000801", "Gold", "Asahi Pretec Corp.", "JAPAN"
    # Row 6: a smelter that is not listed, typed in by hand over the formulas.
    s["B6"], s["C6"], s["D6"], s["E6"], s["F6"] = "Tin", "smelter not listed", "Example Tin Smelter ", "CHINA", "cid-002514"
    # Row 8, after a blank row 7.
    s["B8"], s["C8"] = "Tungsten", "Smelter not yet identified"
    # Row 10: only an ID; Excel would fill the rest, openpyxl cannot.
    s["A10"] = "CID002763"
    wb.save(out)
    return out


@pytest.mark.parametrize("name", TEMPLATES)
def test_filled_template_reads_back(corpus, tmp_path, name):
    path = fill(corpus / name, tmp_path / name)
    # What openpyxl did: the Chinese labels are formulas and lost their cached text.
    assert open_workbook(corpus / name).sheet("Declaration").cell("B8").value != ""
    assert open_workbook(path).sheet("Declaration").cell("B8").value == ""

    d = read_workbook(path)
    version = name.removeprefix("rmi-blank-cmrt-").removesuffix(".xlsx")
    assert (d.readable, d.template_version, d.layout, d.language) == (True, version, "6.x", "中文 Chinese")
    assert (d.company_name, d.declaration_scope) == ("Shenzhen Example Electronics Co., Ltd.", "A. Company")
    assert d.contact.name == "Li Wei" and d.authorizer.title == "经理"
    assert d.effective_date == dt.date(2025, 5, 1)
    assert d.answer("supplier_response_share", "Gold") == "100%"
    assert d.answer("from_conflict_affected_areas", "Tin") == "No"
    assert d.company_answer("annual_disclosure").answer == "Yes, with the SEC"
    assert d.policy_url == "https://example.cn/responsible-minerals"
    assert [(s.row, s.metal, s.lookup, s.smelter_name, s.smelter_id, s.country) for s in d.smelters] == [
        (5, "Gold", "Asahi Pretec Corp.", "Asahi Pretec Corp.", "CID000801", "JAPAN"),
        (6, "Tin", "Smelter not listed", "Example Tin Smelter", "CID002514", "CHINA"),
        (8, "Tungsten", "Smelter not yet identified", "", "", ""),
    ]
    assert d.rejected == (Rejected(
        10, "only a smelter ID in column A ('CID002763'): the metal and name the template looks up "
            "from it have no cached values", "Smelter List"),)
    # Everything is answered; only Tantalum, declared fully identified, has no smelter row; row 5's ID
    # belongs to another name in the template's own Smelter Look-up.
    assert [(p.code, p.cell) for p in d.problems] == [("cmrt.identified-but-none-listed", "D62"),
                                                      ("cmrt.lookup-name-mismatch", "C5")]
    assert d.problems[1].message == (
        "row 5 chooses 'Asahi Pretec Corp.' in the look-up column, but the template's 'Smelter Look-up' sheet "
        "gives CID000801 to 'Inner Mongolia Qiankun Gold and Silver Refinery Share Co., Ltd.': check the "
        "choice or the ID")
