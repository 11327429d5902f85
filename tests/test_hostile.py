"""Supplier files are untrusted: hostile and broken input never breaks the site or leaks into it.

Every case is built in code. Each one gets a clear problem naming the file (and the sheet and
cell, or the line); the other inputs are still read and every row is accounted for; the work is
bounded by caps in the code (file and part sizes, sheet extent, list rows, YAML depth), which the
tests name in their expected messages, and the cases that could exhaust memory run in a child
process under an address-space limit, so a missing cap fails the test instead of the machine.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import markdown
import pytest

from generator import pipeline
from generator.commands import review
from generator.problems import UserError
from generator.publish.escape import csv_cell, markdown_text
from generator.publish.render import render_pages
from tests import cmrt_fixtures as fx
from tests import hostile_inputs as hi
from tests.builders import EVIL_FILE, injection_project
from tests.project import make_project
from tests.supply_project import supply_chain_project

ROOT = Path(__file__).resolve().parent.parent
MEMORY_LIMIT = 2 * 1024**3   # address space of a child process reading a hostile file


def run(*args: str, cwd: Path, limit: int = MEMORY_LIMIT) -> subprocess.CompletedProcess:
    """`python -m generator ARGS` in a child process whose address space is capped."""
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, preexec_fn=cap, env=env)


def outputs(root: Path) -> str:
    """Everything the build wrote for people to read: pages, CSV, review report."""
    files = sorted((root / "docs").rglob("*.md")) + sorted((root / "docs").rglob("*.csv"))
    files += [root / review.report_path(2024)] if (root / review.report_path(2024)).exists() else []
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


# --- injection: supplier text reaches pages and the review report only as text -------------------


EVIL_COMPANY = "<script>window.__pwned=1</script> Evil | Corp"   # the company name in the hostile CMRT


@pytest.fixture(scope="module")
def injected(tmp_path_factory):
    """(root, model, pages, review report, problems) for the injection project, its site built."""
    root = injection_project(tmp_path_factory.mktemp("injected"))
    model, problems = pipeline.load_model(root)
    pages = render_pages(model)
    pipeline.write_pages(pages, root / "docs")
    report = review.render_review(model)
    pipeline.write_review(root, report)
    pipeline.build_site(root, root / "site")
    return root, model, pages, report[review.report_path(2024)], problems


def test_every_injection_is_published_as_escaped_markdown(injected):
    _, model, pages, _, _ = injected
    smelters = pages["smelters.md"]
    unlisted = {u.name: u.country for u in model.consolidation.unlisted}
    for text in hi.INJECTIONS:
        assert text in unlisted, f"supplier row {text!r} did not reach the consolidation"
        assert f"| {markdown_text(text)} | Not designated | {markdown_text(unlisted[text])} |  |" in smelters
        assert f"| {markdown_text(text)} | Conflict-free |  |  |" in smelters    # the curated list's row
    # nothing from a supplier is raw HTML or a Markdown link or attribute list anywhere in the pages
    for rel, page in pages.items():
        if rel.endswith(".md"):
            page = re.sub(r'<figure class="cmr-chart">.*?</figure>', "", page, flags=re.S)  # our charts
            page = page.replace('<a href="downloads/report.pdf"', "")  # our link to the PDF
            for pattern in (r"<(script|img|svg|a |javascript)", r"(?<!\\)\]\(javascript", r"(?<!\\)\{:"):
                assert not re.search(pattern, page), (rel, pattern)


def test_built_pages_hold_no_foreign_script_handler_or_unsafe_link(injected):
    root = injected[0]
    for path in hi.site_pages(root / "site"):
        page = hi.scan(path.read_text(encoding="utf-8"))
        where = path.relative_to(root / "site").as_posix()
        assert hi.foreign_scripts(page) == [], where
        assert page.handlers == [], where
        assert hi.unsafe_urls(page) == [], where
    page = hi.scan((root / "site/smelters.html").read_text(encoding="utf-8"))
    text = " ".join(" ".join(page.text).split())
    for injection in [*hi.INJECTIONS, *hi.FORMULAS, EVIL_COMPANY]:
        assert " ".join(injection.split()) in text, f"{injection!r} is not shown as text"


def test_review_report_shows_supplier_text_as_text(injected):
    _, _, _, report, problems = injected
    for text in (EVIL_COMPANY, "<img src=x onerror=window.__pwned=1> | Roster",
                 *hi.INJECTIONS):
        assert markdown_text(text) in report, text
    # an unrecognised smelter ID is quoted in a warning; the report escapes it like any other text
    assert markdown_text("'<script>window.__pwned=1</script>' is neither an RMI ID (CID000123) nor a legacy "
                         "EICC ID (1JPN058); kept as written") in report
    assert EVIL_FILE in {Path(p.file).name for p in problems.warnings}
    assert f"### {markdown_text('data/cmrt/' + EVIL_FILE)}" in report
    # Rendered the way a Markdown viewer (GitHub, an editor's preview) would: no markup from suppliers.
    html = markdown.markdown(report, extensions=["tables", "attr_list", "admonition"])
    page = hi.scan(html)
    assert page.scripts == [] and page.handlers == [] and hi.unsafe_urls(page) == []
    assert page.urls == []
    shown = " ".join(" ".join(page.text).split())
    for text in hi.INJECTIONS:
        assert " ".join(text.split()) in shown, text


def test_edgar_exhibit_shows_supplier_text_as_text(injected):
    root = injected[0]
    text, _name, _ = pipeline.exhibit(root, "exhibit.htm")
    page = hi.scan(text)
    assert page.scripts == [] and page.handlers == [] and hi.unsafe_urls(page) == []
    shown = " ".join(" ".join(page.text).split())
    for injection in hi.INJECTIONS:   # the exhibit lists facilities, not who reported them
        assert " ".join(injection.split()) in shown, injection


def test_csv_download_never_starts_a_formula(injected):
    _, _, pages, _, _ = injected
    rows = list(csv.reader(io.StringIO(pages["downloads/smelters.csv"])))
    assert rows[0] == ["Metal", "Smelter or refiner", "Smelter ID", "Country", "Conflict-free designation",
                       "Designation as of"]
    cells = [cell for row in rows[1:] for cell in row]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n")) for cell in cells)
    for formula in hi.FORMULAS:
        assert "'" + formula in cells           # shown as text, not dropped
    names = [row[1] for row in rows[1:]]
    assert "'- dash smelter" in names and "<script>window.__pwned=1</script>" in names  # CSV is not HTML
    # Opened where the list separator is ';' (or split at tabs), no piece starts a formula either.
    for line in pages["downloads/smelters.csv"].splitlines()[1:]:
        for delimiter in (";", "\t"):
            for cell in next(csv.reader([line], delimiter=delimiter)):
                assert not cell.lstrip().startswith(("=", "+", "-", "@")), line
    assert "Safe Refinery;'=cmd|' /C calc'!A0" in names and "Tab\t'+SUM(1,2) Smelter" in names


def test_review_rows_csv_never_starts_a_formula(injected):
    root = injected[0]
    text = (root / review.rows_path(2024)).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["file", "sheet", "row", "metal", "smelter_id", "smelter_name", "country", "outcome", "reason",
                       "facility_id"]
    cells = [cell for row in rows[1:] for cell in row]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n")) for cell in cells)
    names = [row[5] for row in rows[1:]]
    # a name starting with '=' is written as a formula with no cached value: the reader rejects its row
    for formula in [f for f in hi.FORMULAS if not f.startswith("=")]:
        assert "'" + formula in names           # every other hostile name is in the trail, as text
    assert "Safe Refinery;'=cmd|' /C calc'!A0" in names and "Tab\t'+SUM(1,2) Smelter" in names
    for line in text.splitlines()[1:]:
        for delimiter in (";", "\t"):
            for cell in next(csv.reader([line], delimiter=delimiter)):
                assert not cell.lstrip().startswith(("=", "+", "-", "@")), line


def test_csv_cells_with_leading_spaces_separators_or_controls_are_neutralised():
    assert csv_cell("  =1+1") == "'  =1+1"
    assert csv_cell("\x1b=cmd") == "'=cmd"
    assert csv_cell("\t@SUM(1)") == "'\t'@SUM(1)"
    assert csv_cell("A; +1;-2") == "A; '+1;'-2"
    assert csv_cell("Tom &amp; Sons; Co-op") == "Tom &amp; Sons; Co-op"


def test_reconciliation_counts_every_hostile_row(injected):
    _, model, _, report, _ = injected
    c = model.consolidation
    rows_read = sum(len(d.smelters) + len(d.rejected) for d in c.declarations)
    counts = [c.count(k) for k in ("published", "duplicate", "rejected", "unmatched", "held")]
    assert rows_read == sum(counts) == 10 + len(hi.INJECTIONS) + len(hi.FORMULAS) + len(hi.SPLIT_FORMULAS) + 1
    assert f"The rows reconcile: {rows_read} = {' + '.join(map(str, counts))}." in report


def test_control_characters_are_dropped_from_pages_and_shown_escaped_on_the_terminal(tmp_path):
    root = supply_chain_project(tmp_path, unlisted="publish")
    base = fx.write(fx.full_declaration("6.5"), tmp_path / "base.xlsx")
    hi.control_characters(base, root / "data/cmrt/control.xlsx")
    build = run("build", "--no-site", cwd=root)
    read = run("read", "data/cmrt/control.xlsx", cwd=root)
    assert build.returncode == 0 and read.returncode == 0, build.stderr
    for output in (build.stdout, build.stderr, read.stdout, read.stderr):
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", output)
    assert ("data/cmrt/control.xlsx, sheet 'Smelter List', cell F5: warning: '\\x1b[31mRED\\x07' is neither an "
            "RMI ID (CID000123) nor a legacy EICC ID (1JPN058); kept as written [cmrt.unrecognised-smelter-id]"
            ) in build.stderr.splitlines()
    assert "  smelter rows: 3 (Gold 1, Tantalum 1, Tin 1); rejected rows: 0" in read.stdout.splitlines()
    published = outputs(root)
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", published)
    assert f"| {markdown_text('Asahi]0;pwned Refining_x202E_')} | Not designated | JAPAN |  | Gold |" in published
    assert "Gold,Asahi]0;pwned Refining_x202E_,,JAPAN," in published   # the CSV download


# --- broken and hostile workbooks ---------------------------------------------------------------

SECRET = "TOP-SECRET-XXE-MARKER"


def hostile_files(folder: Path, base: Path) -> dict[str, tuple[str, str]]:
    """Write every hostile workbook into `folder`; return {file name: (problem code, message)}."""
    folder.mkdir(parents=True, exist_ok=True)
    secret = folder.parent / "secret.txt"
    secret.write_text(SECRET)
    f = folder
    hi.zip_bomb(base, f / "bomb.xlsx", 1024)
    hi.zip_bomb(base, f / "lying-bomb.xlsx", 64, declared=5000)
    for where in ("sheet", "sharedStrings", "workbook"):
        hi.with_entity(base, f / f"laughs-{where}.xlsx", where, hi.LAUGHS_DTD, "lol9")
        hi.with_entity(base, f / f"xxe-{where}.xlsx", where, hi.xxe_dtd("lolz", secret), "xxe")
    (f / "truncated.xlsx").write_bytes(base.read_bytes()[:3000])
    (f / "report.pdf.xlsx").write_bytes(hi.PDF)
    (f / "page.html.xlsx").write_bytes(hi.HTML)
    fx.encrypt(base, "hunter2", f / "password.xlsx")
    hi.not_a_cmrt(f / "budget.xlsx")
    hi.without_sheet(base, f / "no-smelter-list.xlsx", "Smelter List")
    hi.without_sheet(base, f / "no-declaration.xlsx", "Declaration")
    hi.far_cell(base, f / "far-row.xlsx", "XFD1048576")
    hi.far_cell(base, f / "far-column.xlsx", "XFD9000")
    with zipfile.ZipFile(f / "bomb.xlsx") as zf:
        unpacked = sum(i.file_size for i in zf.infolist())
    dtd = ("has an XML document type declaration (<!DOCTYPE>) in {}; workbooks never have one, and it could "
           "define entities (entity expansion, external files), so the file is refused")
    sheets = "Definitions, Instructions, Revision, {}Product List, Checker, Smelter Look-up, L, C, SorP"
    return {
        "bomb.xlsx": ("workbook.too-large", f"unpacks to {unpacked:,} bytes; the limit is 419,430,400"),
        # unpacked no further than its declared size, the part fails its checksum
        "lying-bomb.xlsx": ("workbook.corrupt", "is a damaged zip file, not a readable workbook: Bad CRC-32 for file "
                                               "'xl/worksheets/sheet5.xml'"),
        "laughs-sheet.xlsx": ("workbook.xml-dtd", dtd.format("xl/worksheets/sheet5.xml")),
        "laughs-sharedStrings.xlsx": ("workbook.xml-dtd", dtd.format("xl/sharedStrings.xml")),
        "laughs-workbook.xlsx": ("workbook.xml-dtd", dtd.format("xl/workbook.xml")),
        "xxe-sheet.xlsx": ("workbook.xml-dtd", dtd.format("xl/worksheets/sheet5.xml")),
        "xxe-sharedStrings.xlsx": ("workbook.xml-dtd", dtd.format("xl/sharedStrings.xml")),
        "xxe-workbook.xlsx": ("workbook.xml-dtd", dtd.format("xl/workbook.xml")),
        "truncated.xlsx": ("workbook.corrupt", "is a damaged zip file, not a readable workbook: File is not a zip file"),
        "report.pdf.xlsx": ("workbook.not-a-workbook",
                            "is not a workbook: its content is neither .xlsx, .xlsb or .ods (zip) nor .xls (OLE2)"),
        "page.html.xlsx": ("workbook.not-a-workbook",
                           "is not a workbook: its content is neither .xlsx, .xlsb or .ods (zip) nor .xls (OLE2)"),
        "password.xlsx": ("workbook.password-protected", "is protected with a password other than Excel's default; "
                                                     "ask the supplier for an unprotected copy"),
        "budget.xlsx": ("cmrt.not-a-cmrt", "is not a CMRT: no 'Declaration' or 'Smelter List' sheet (sheets: Budget)"),
        "no-smelter-list.xlsx": ("cmrt.not-a-cmrt", "is not a CMRT: no 'Smelter List' sheet (sheets: "
                                 + sheets.format("Declaration, ") + ")"),
        "no-declaration.xlsx": ("cmrt.not-a-cmrt", "is not a CMRT: no 'Declaration' sheet (sheets: "
                                + sheets.format("Smelter List, ") + ")"),
        "far-column.xlsx": ("workbook.too-large", "sheet 'Smelter List' spans 9,000 rows and 16,384 columns "
                                              "(147,456,000 cells); the limit is 2,500,000 cells"),
    }


FAR_ROW = ("cmrt.too-many-rows", "the list has 1 more row with cells from row 10,005 on, beyond the 10,000 rows a "
                                 "list may have; they were not read", "Smelter List", "A10005")


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    folder = tmp_path_factory.mktemp("broken")
    base = fx.write(fx.full_declaration("6.5"), folder / "base.xlsx")
    expected = hostile_files(folder / "files", base)
    return folder / "files", expected


def test_each_hostile_workbook_is_one_clear_problem(broken):
    folder, expected = broken
    files = sorted(expected) + ["far-row.xlsx"]
    result = run("read", "--json", *files, cwd=folder)
    assert "Traceback" not in result.stderr and result.returncode == 1, result.stderr[-2000:]
    found = {Path(d["file"]).name: (d["readable"], [(p["code"], p["message"], p["sheet"], p["cell"])
                                                    for p in d["problems"] if p["severity"] == "error"])
             for d in json.loads(result.stdout)}
    assert found == {**{name: (False, [(code, message, "", "")]) for name, (code, message) in expected.items()},
                     "far-row.xlsx": (True, [FAR_ROW])}
    assert SECRET not in result.stdout and "lollol" not in result.stdout


def test_summary_names_each_file_and_its_problem(broken):
    folder, expected = broken
    result = run("read", "password.xlsx", "budget.xlsx", cwd=folder)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout.splitlines() == [
        "password.xlsx: could not be read",
        "  problems: 1 error(s), 0 warning(s)",
        f"    password.xlsx: error: {expected['password.xlsx'][1]} [workbook.password-protected]",
        "",
        "budget.xlsx: could not be read",
        "  problems: 1 error(s), 0 warning(s)",
        f"    budget.xlsx: error: {expected['budget.xlsx'][1]} [cmrt.not-a-cmrt]",
    ]


def test_a_million_smelter_rows_stop_at_the_row_cap(tmp_path):
    base = fx.write(fx.full_declaration("6.5"), tmp_path / "base.xlsx")
    hi.long_smelter_list(base, tmp_path / "million.xlsx", 1_000_000)
    result = run("read", "--json", "million.xlsx", cwd=tmp_path, limit=1024**3)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-2000:]
    (d,) = json.loads(result.stdout)
    assert [(p["code"], p["sheet"], p["cell"], p["message"]) for p in d["problems"] if p["severity"] == "error"] == [
        ("cmrt.too-many-rows", "Smelter List", "A10005",
         "the list has 990,005 more rows with cells from row 10,005 on, beyond the 10,000 rows a list may have; "
         "they were not read")]
    rows = [s["row"] for s in d["smelters"]]
    assert rows == [5, 6, 9, *range(10, 10005)]


def test_a_far_cell_in_an_xls_stays_within_the_memory_limit(tmp_path):
    """BIFF8 caps a sheet at 65,536 x 256 cells (about 540 MB in calamine): bounded by the format
    itself; the far cell lies below the list's copyright line, so the list reads as before."""
    corpus = os.environ.get("CMR_CORPUS")
    if not corpus or not (Path(corpus) / "ddm-gsp-cmrt-2.00.xls").is_file():
        pytest.skip("CMR_CORPUS is not set to the folder of real supplier workbooks (../shared/corpus)")
    hi.far_cell_xls(Path(corpus) / "ddm-gsp-cmrt-2.00.xls", tmp_path / "far.xls")
    result = run("read", "--json", "far.xls", cwd=tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-2000:]
    (d,) = json.loads(result.stdout)
    assert (d["template_version"], len(d["smelters"]), [p["code"] for p in d["problems"] if p["severity"] == "error"]) \
        == ("2.00", 6, [])


def test_hostile_workbooks_leave_the_others_read_and_reconciled(broken, tmp_path):
    folder, expected = broken
    root = supply_chain_project(tmp_path)
    for name in [*expected, "far-row.xlsx"]:
        (root / "data/cmrt" / name).write_bytes((folder / name).read_bytes())
    result = run("build", "--no-site", "--verbose", cwd=root)  # every problem, not the first 5 of each code
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
    lines = result.stderr.splitlines()
    for name, (code, message) in expected.items():
        assert f"data/cmrt/{name}: warning: {message} [{code}]" in lines
    report = (root / review.report_path(2024)).read_text(encoding="utf-8")
    # the three readable workbooks give exactly what they give alone
    # far-row.xlsx is read up to the cap: its Tantalum row is the one report of GAM (Acme's Gold row with
    # GAM's ID is held), its other two are unmatched
    assert next(line for line in report.splitlines() if line.startswith("The rows reconcile")) == \
        "The rows reconcile: 13 = 5 + 1 + 1 + 4 + 2."
    assert f"| Read from {3 + len(expected) + 1} workbooks | 13 |" in report
    for name in expected:
        assert f"### data/cmrt/{markdown_text(name)}" in report
    assert report.count("Nothing in it was counted; ask the supplier for a new file.") == len(expected)
    assert report.count("| Complete | no (1 errors, 0 warnings) |") == 1  # far-row.xlsx, read up to the cap
    assert "matches no supplier on the roster" not in report.replace(
        "| Roster entry | none: this workbook matches no supplier on the roster |", "", 1)  # stranger.xlsx only
    assert SECRET not in outputs(root) and "lollol" not in outputs(root)
    assert "Unknown Wolfram Works" in report


def test_curated_list_gets_the_same_bounds(tmp_path):
    make_project(tmp_path)
    curated = tmp_path / "data/smelters.xlsx"
    plain = curated.rename(tmp_path / "plain.xlsx")
    hi.zip_bomb(plain, curated, 1024, sheet="xl/worksheets/sheet1.xml")
    (found,) = yaml_problems(tmp_path)
    assert found.startswith("data/smelters.xlsx: error: unpacks to 1,07") and found.endswith(
        " bytes; the limit is 419,430,400 [workbook.too-large]")
    xml = hi.part(plain, "xl/worksheets/sheet1.xml").replace("Beta Gold SA", "&lol9;")
    hi.replace_parts(plain, curated, {"xl/worksheets/sheet1.xml": hi.LAUGHS_DTD + xml})
    assert yaml_problems(tmp_path) == [
        "data/smelters.xlsx: error: has an XML document type declaration (<!DOCTYPE>) in xl/worksheets/sheet1.xml; "
        "workbooks never have one, and it could define entities (entity expansion, external files), so the file "
        "is refused [workbook.xml-dtd]"]


# --- rosters and lists in other encodings --------------------------------------------------------

ROSTER_ROWS = [("Supplier name", "Supplier ID"), ("Acme Components Ltd.", "S-1"), ("Bêta Parts GmbH", "S-2"),
               ("Gamma Silent Inc.", "S-3")]


def roster_text() -> str:
    return "".join(",".join(row) + "\r\n" for row in ROSTER_ROWS)


@pytest.mark.parametrize("encoding,prefix,warning", [
    ("utf-8", b"", None),
    ("utf-8", b"\xef\xbb\xbf", None),
    ("utf-16-le", b"\xff\xfe", None),
    ("utf-16-be", b"\xfe\xff", None),
    ("cp1252", b"", "data/suppliers.csv: warning: not UTF-8; read as Windows-1252 [supply.encoding]"),
])
def test_roster_encodings_are_read_or_reported(tmp_path, encoding, prefix, warning):
    root = supply_chain_project(tmp_path)
    (root / "data/suppliers.csv").write_bytes(prefix + roster_text().encode(encoding))
    model, problems = pipeline.load_model(root)
    assert model.consolidation.roster_names == ("Acme Components Ltd.", "Bêta Parts GmbH", "Gamma Silent Inc.")
    assert [str(p) for p in problems.sorted() if p.code == "supply.encoding"] == ([warning] if warning else [])


def test_reference_list_in_utf16_is_read(tmp_path):
    root = supply_chain_project(tmp_path)
    path = root / "data/lists/reference.csv"
    path.write_bytes(b"\xff\xfe" + path.read_text(encoding="utf-8").encode("utf-16-le"))
    model, _ = pipeline.load_model(root)
    assert len(model.consolidation.lists[0].entries) == 5


def test_unreadable_tables_are_problems_naming_file_and_line(tmp_path):
    root = supply_chain_project(tmp_path)
    (root / "data/suppliers.csv").write_text("name\nAcme\n\"" + "x" * 200_000 + "\"\n", encoding="utf-8")
    with open(root / "data/lists/conformant.csv", "wb") as f:   # a sparse file: no bytes are written
        f.truncate(101 * 1024 * 1024)
    with pytest.raises(UserError) as caught:
        pipeline.load_model(root)
    assert [str(p) for p in caught.value.problems.errors] == [
        "data/lists/conformant.csv: error: the file is 105,906,176 bytes; the limit is 104,857,600 [supply.too-large]",
        "data/suppliers.csv, line 3: error: cannot be read as CSV: field larger than field limit (131072) "
        "[supply.csv]",
    ]


def test_roster_workbook_that_is_hostile_is_a_problem(tmp_path):
    root = supply_chain_project(tmp_path)
    (root / "data/supply-chain.yml").write_text(
        (root / "data/supply-chain.yml").read_text().replace("roster: suppliers.csv", "roster: suppliers.xlsx"))
    base = fx.write(fx.full_declaration("6.5"), tmp_path / "base.xlsx")
    hi.far_cell(base, root / "data/suppliers.xlsx", "XFD1048576", sheet="xl/worksheets/sheet1.xml")
    result = run("check", cwd=root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-3:] == [
        "data/suppliers.xlsx: error: the roster is empty; expected a header row and suppliers [supply.roster-empty]",
        "data/suppliers.xlsx, sheet 'Definitions', cell A10002: error: the list has 1 more row after row 10,001; "
        "at most 10,000 entries below the header are read, so they were not read; split the list "
        "[supply.too-many-rows]",
        "2 error(s), 15 warning(s)."]  # the supplier files of the fixture carry 15 warnings


# --- YAML: safe loading only, bounded ------------------------------------------------------------

def yaml_problems(root: Path) -> list[str]:
    with pytest.raises(UserError) as caught:
        pipeline.load_model(root)
    return [str(p) for p in caught.value.problems.sorted()]


BILLION_LAUGHS = ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
                  + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n"
                            for i in range(8)))


def test_alias_bomb_is_refused_before_it_expands(tmp_path):
    make_project(tmp_path, **{"policy.yml": BILLION_LAUGHS})
    assert yaml_problems(tmp_path) == [
        "data/policy.yml, line 1: error: anchors and aliases (&name, *name) are not supported; write the value "
        "out [yaml.alias]"]


@pytest.mark.parametrize("text,line", [
    ("title: " + "[" * 100_000 + "]" * 100_000 + "\nsummary: x\nbody: y\n", 1),
    ("title: x\nsummary: y\nbody:\n" + "".join("  " * i + "- \n" for i in range(1, 200)), 23),
    ("title: x\nsummary: y\nbody: " + "{a: " * 100_000 + "1" + "}" * 100_000 + "\n", 3),
])
def test_deep_nesting_is_refused_at_a_fixed_depth(tmp_path, text, line):
    make_project(tmp_path, **{"policy.yml": text})
    (found,) = yaml_problems(tmp_path)
    assert found == (f"data/policy.yml, line {line}: error: nested more than 20 levels deep, which no data "
                     "file needs [yaml.too-deep]")


def test_oversized_yaml_is_refused_unread(tmp_path):
    make_project(tmp_path)
    with open(tmp_path / "data/risk.yml", "ab") as f:
        f.truncate(2 * 1024 * 1024)
    assert yaml_problems(tmp_path) == [
        "data/risk.yml: error: the file is 2,097,152 bytes; the limit for a YAML file is 1,048,576 [yaml.too-large]"]


def test_supply_chain_yaml_is_validated_like_the_content(tmp_path):
    root = supply_chain_project(tmp_path)
    (root / "data/supply-chain.yml").write_text(
        "roster: !!python/object/apply:os.system ['touch pwned']\n"
        "roster: suppliers.csv\n"
        "workbooks: [cmrt]\n"
        "publish_supplier_names: yes please\n"
        "unlisted_facilities: !custom publish\n"
        "reference_lists: lists/reference.csv\n"
        "conformance:\n"
        "\tfile: lists/conformant.csv\n", encoding="utf-8")
    assert yaml_problems(root) == [
        "data/supply-chain.yml, line 8: error: not valid YAML: found character '\\t' that cannot start any token "
        "[yaml.syntax]"]
    text = (root / "data/supply-chain.yml").read_text().replace("\t", "  ")
    (root / "data/supply-chain.yml").write_text(text)
    assert yaml_problems(root) == [
        "data/supply-chain.yml, line 1, key 'roster': error: the tag "
        "'tag:yaml.org,2002:python/object/apply:os.system' is not allowed; write plain YAML values [yaml.tag]",
        "data/supply-chain.yml, line 2, key 'roster': error: this key is given twice [yaml.duplicate-key]",
        "data/supply-chain.yml, line 3, key 'workbooks': error: expected a string, found a list [yaml.type]",
        "data/supply-chain.yml, line 4, key 'publish_supplier_names': error: expected true or false, found text "
        "'yes please' [yaml.type]",
        "data/supply-chain.yml, line 5, key 'unlisted_facilities': error: the tag '!custom' is not allowed; "
        "write plain YAML values [yaml.tag]",
        "data/supply-chain.yml, line 6, key 'reference_lists': error: expected a list, found text [yaml.type]",
        "data/supply-chain.yml, line 8, key 'conformance.as_of': error: required key is missing; expected a date "
        "(YYYY-MM-DD) [yaml.missing-key]",
        "data/supply-chain.yml, line 8, key 'conformance.title': error: required key is missing; expected a string "
        "[yaml.missing-key]",
    ]
    assert not (root / "pwned").exists()


def test_yaml_with_bom_is_read(tmp_path):
    make_project(tmp_path, **{"policy.yml": "\ufefftitle: T\nsummary: S\nbody: B\n"})
    pages, _ = pipeline.generate(tmp_path)
    assert "# T" in pages["policy.md"]


def test_cli_reports_yaml_bombs_without_traceback(tmp_path):
    make_project(tmp_path, **{"policy.yml": BILLION_LAUGHS,
                              "risk.yml": "mitigation_intro: " + "[" * 100_000 + "\n"})
    result = run("check", cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "data/policy.yml, line 1: error: anchors and aliases (&name, *name) are not supported; write the value "
        "out [yaml.alias]",
        "data/risk.yml, line 1: error: nested more than 20 levels deep, which no data file needs "
        "[yaml.too-deep]",
        "2 error(s), 0 warning(s).",
    ]


# --- the Content-Security-Policy of the site ------------------------------------------------------

def test_every_page_of_the_example_allows_exactly_its_theme_scripts(example_site):
    import base64
    import hashlib
    for path in hi.site_pages(example_site):
        page = hi.scan(path.read_text(encoding="utf-8"))
        policies = [m["content"] for m in page.metas if m.get("http-equiv") == "Content-Security-Policy"]
        assert len(policies) == 1, path
        allowed = sorted(p.strip("'") for p in policies[0].split("; ")[1].split()[2:])
        inline = sorted("sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
                        for attrs, text in page.scripts if "src" not in attrs and attrs.get("type") != "application/json")
        assert allowed == sorted(set(inline)), path
        assert policies[0].startswith("default-src 'self'; script-src 'self' 'sha256-")
        assert "unsafe-eval" not in policies[0] and "'unsafe-inline'" not in policies[0].split("; ")[1]
