"""`python -m generator read` through its entry point: exit codes and what a user sees."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cmrt_fixtures import CMRT, full_declaration, write


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", "read", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False)


def test_summary_of_a_good_file(tmp_path):
    spec = full_declaration("3.01")
    spec.smelters[12] = {"smelter_name": "Orphan Smelter"}
    write(spec, tmp_path / "supplier.xlsx")
    result = run(tmp_path, "supplier.xlsx")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "supplier.xlsx: CMRT 3.01 (xlsx)\n"
        "  company: Acme Components Ltd.\n"
        "  scope: A. Company\n"
        "  effective date: 2024-03-31\n"
        "  smelter rows: 3 (Gold 1, Tantalum 1, Tin 1); rejected rows: 1\n"
        "  products: 0\n"
        "    rejected row 12 (Smelter List): no metal: column B is empty but the row has smelter name\n"
        "  problems: 0 error(s), 0 warning(s)\n"
    )


def test_unreadable_file_makes_the_exit_code_non_zero_without_traceback(tmp_path):
    write(full_declaration("6.5"), tmp_path / "good.xlsx")
    (tmp_path / "notes.xlsx").write_text("not a workbook", encoding="utf-8")
    result = run(tmp_path, "good.xlsx", "notes.xlsx")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stdout.endswith(
        "notes.xlsx: could not be read\n"
        "  problems: 1 error(s), 0 warning(s)\n"
        "    notes.xlsx: error: is not a workbook: its content is neither .xlsx, .xlsb or .ods (zip) nor .xls (OLE2)"
        " [workbook.not-a-workbook]\n")


def test_problems_in_a_readable_file_do_not_fail_the_command(tmp_path):
    write(CMRT(), tmp_path / "empty.xlsx")  # every required field missing
    result = run(tmp_path, "empty.xlsx")
    assert result.returncode == 0
    assert "error: required field 'Company name' is empty [cmrt.missing-company-name]" in result.stdout


def test_json_output(tmp_path):
    write(full_declaration("6.5"), tmp_path / "a.xlsx")
    (tmp_path / "b.xlsx").write_bytes(b"PK\x03\x04broken")
    result = run(tmp_path, "--json", "a.xlsx", "b.xlsx")
    assert result.returncode == 1
    good, bad = json.loads(result.stdout)
    assert {"file", "template_version", "company_name", "declaration_scope", "questions", "smelters",
            "rejected", "problems"} <= set(good)
    assert (good["file"], good["template"], good["template_version"], good["company_name"],
            good["declaration_scope"]) == ("a.xlsx", "CMRT", "6.5", "Acme Components Ltd.", "A. Company")
    assert good["effective_date"] == "2024-03-31"
    assert good["questions"]["supplier_response_share"]["answers"]["Gold"] == {
        "answer": "100%", "raw": "100%", "comment": "", "cell": "D58"}
    assert [{k: s[k] for k in ("row", "metal", "smelter_name", "smelter_id", "country", "lookup")}
            for s in good["smelters"]] == [
        {"row": 5, "metal": "Gold", "smelter_name": "Asahi Refining", "smelter_id": "CID000801",
         "country": "JAPAN", "lookup": "Smelter not listed"},
        {"row": 6, "metal": "Tin", "smelter_name": "", "smelter_id": "CID002514", "country": "",
         "lookup": "Smelter not yet identified"},
        {"row": 9, "metal": "Tantalum", "smelter_name": "Global Advanced Metals", "smelter_id": "3USA010",
         "country": "UNITED STATES", "lookup": ""},
    ]
    assert (good["rejected"], good["problems"]) == ([], [])
    assert (bad["file"], bad["readable"], bad["template"], bad["smelters"], bad["rejected"]) == (
        "b.xlsx", False, "", [], [])
    assert [(p["code"], p["severity"], p["file"]) for p in bad["problems"]] == [("workbook.corrupt", "error", "b.xlsx")]


def test_json_is_deterministic(tmp_path):
    write(full_declaration("2.03a"), tmp_path / "a.xlsx")
    first, second = run(tmp_path, "--json", "a.xlsx"), run(tmp_path, "--json", "a.xlsx")
    assert first.returncode == 0
    assert first.stdout == second.stdout
    assert list(json.loads(first.stdout)[0]) == sorted(json.loads(first.stdout)[0])


def test_json_and_summary_name_an_emrt_for_what_it_is(tmp_path):
    spec = CMRT(revision="Revision 2.1\nOctober 17, 2025", fields={"company_name": "Cobalt Parts Co."},
                cells={("Declaration", "D2"): "Extended Minerals Reporting Template (EMRT)"})
    write(spec, tmp_path / "e.xlsx")
    result = run(tmp_path, "--json", "e.xlsx")
    assert result.returncode == 0  # read as the EMRT it is, with the EMRT layout
    (o,) = json.loads(result.stdout)
    assert (o["template"], o["template_version"], o["company_name"], o["smelters"], o["layout"]) == (
        "EMRT", "2.1", "Cobalt Parts Co.", [], "EMRT 2.x")
    codes = [p["code"] for p in o["problems"]]
    assert "emrt.no-minerals" in codes and "cmrt.not-a-cmrt-template" not in codes  # D12:G13 chooses none
    summary = run(tmp_path, "e.xlsx").stdout
    assert summary.startswith("e.xlsx: EMRT 2.1 (xlsx)\n  company: Cobalt Parts Co.\n")
