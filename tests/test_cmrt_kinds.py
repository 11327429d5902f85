"""The template's kind (CMRT, EMRT, CRT, AMRT) found from the workbook itself, built in code."""
from __future__ import annotations

import openpyxl
import pytest
from cmrt_fixtures import CMRT, full_declaration, write

from generator.excel.workbook import open_workbook
from generator.supply.cmrt import kinds, read_workbook
from generator.supply.cmrt.kinds import kind_of_title


@pytest.mark.parametrize("title,kind", [
    ("Conflict Minerals Reporting Template (CMRT)", "CMRT"),
    ("Conflict Minerals Reporting Template", "CMRT"),              # 2.x: no abbreviation
    ("紛争鉱物報告テンプレート", "CMRT"),
    ("扩展矿物报告模版 (EMRT)", "EMRT"),
    ("拡張鉱物報告テンプレート（EMRT）", "EMRT"),                  # full-width brackets
    ("Modèle de rapport sur les minerais élargi (Extended Mineral Reporting Template (EMRT))", "EMRT"),
    ("Erweiterte Vorlage für Mineralienberichte", "EMRT"),
    ("钴报告模板 (CRT)", "CRT"),
    ("코발트 보고 템플릿", "CRT"),
    ("  additional   MINERALS reporting template ", "AMRT"),
    ("Berichtsvorlage für zusätzliche Mineralien (AMRT)", "AMRT"),
    ("Budget 2024", None),
    ("", None),
])
def test_kind_of_title(title, kind):
    found = kind_of_title(title)
    assert (found.name if found else None) == kind


def emrt(d2: object = "扩展矿物报告模版 (EMRT)", **extra) -> CMRT:
    cells = {("Declaration", "D2"): d2, **extra.pop("cells", {})}
    return CMRT(revision="Revision 2.1\nOctober 17, 2025", fields={"company_name": "Cobalt Parts Co."},
                cells=cells, **extra)


def evidence(path) -> str:
    """How the kind of the workbook at `path` was found (for an EMRT or CRT, which is read, not named)."""
    book = open_workbook(path)
    return kinds.detect(book, book.sheet("Declaration").cell("D2").value).evidence


def test_an_emrt_in_the_chinese_ui_is_named_from_d2(tmp_path):
    path = write(emrt(), tmp_path / "e.xlsx")
    d = read_workbook(path)
    # Read with the EMRT layout (generator/supply/emrt), never with a CMRT one.
    assert (d.readable, d.is_cmrt, d.template, d.template_version, d.company_name, d.layout) == (
        True, False, "EMRT", "2.1", "Cobalt Parts Co.", "EMRT 2.x")
    assert "cmrt.not-a-cmrt-template" not in [p.code for p in d.problems]
    assert evidence(path) == "its title '扩展矿物报告模版 (EMRT)' in Declaration!D2"


def test_the_language_table_wins_over_a_mistranslated_d2(tmp_path):
    # The CRT 2.2 language table gives the CMRT title for French and four other languages.
    spec = CMRT(revision="Revision 2.2\nOctober 28, 2020", language="Français",
                cells={("Declaration", "D2"): "Conflict Minerals Reporting Template (CMRT)",
                       ("L", "A107"): "DeclarationD2", ("L", "D107"): "Cobalt Reporting Template (CRT)",
                       ("L", "H107"): "Conflict Minerals Reporting Template (CMRT)"})
    d = read_workbook(write(spec, tmp_path / "crt.xlsx"))
    assert (d.template, d.template_version) == ("CRT", "2.2")
    assert evidence(tmp_path / "crt.xlsx") == "its title 'Cobalt Reporting Template (CRT)' (sheet 'L', the English " \
                                              "title of D2)"


@pytest.mark.parametrize("sheets,kind", [(("Minerals Scope", "Mine List"), "AMRT"), (("Mine List",), "EMRT")])
def test_without_a_title_the_sheets_only_one_kind_has_decide(tmp_path, sheets, kind):
    path = write(emrt(d2=""), tmp_path / "k.xlsx")
    wb = openpyxl.load_workbook(path)
    for name in sheets:
        wb.create_sheet(name)
    wb.save(path)
    d = read_workbook(path)
    assert d.template == kind
    assert evidence(path) == f"its '{sheets[0]}' sheet"
    if kind == "AMRT":  # named, not read; an EMRT is read
        assert f"found from its '{sheets[0]}' sheet" in d.problems[0].message


def test_a_cmrt_title_or_none_reads_as_a_cmrt(tmp_path):
    for name, d2 in (("t.xlsx", "Conflict Minerals Reporting Template (CMRT)"), ("n.xlsx", None)):
        spec = full_declaration("6.5")
        if d2:
            spec.cells[("Declaration", "D2")] = d2
        d = read_workbook(write(spec, tmp_path / name))
        assert (d.template, d.is_cmrt, d.layout, d.problems) == ("CMRT", True, "6.x", ())


def test_a_flood_of_title_text_is_quoted_short(tmp_path):
    d = read_workbook(write(emrt(d2="(EMRT) " + "cobalt " * 3000), tmp_path / "long.xlsx"))
    assert d.template == "EMRT"
    found = evidence(tmp_path / "long.xlsx")
    assert found.startswith("its title '(EMRT) cobalt cobalt") and len(found) < 300


@pytest.mark.parametrize("minerals,kind", [
    ({"Cobalt"}, "CRT"), ({"Cobalt", "Mica"}, "EMRT"), ({"Cobalt", "Copper", "Lithium", "Graphite"}, "EMRT"),
    ({"Aluminum", "Silver", "Lime"}, "AMRT"), ({"Gold", "Tin"}, "CMRT"), ({"Gold", "Cobalt"}, "CMRT"), (set(), "CMRT"),
])
def test_kind_of_the_lookup_minerals(minerals, kind):
    from generator.supply.cmrt.kinds import kind_of_minerals

    assert kind_of_minerals(minerals).name == kind


def test_without_title_or_own_sheets_the_lookup_minerals_decide(tmp_path):
    # A CRT whose D2 and language table lost their text (saved by a tool that keeps no cached values).
    cells = {("Smelter Look-up", f"A{row}"): "Cobalt" for row in range(5, 9)}
    d = read_workbook(write(emrt(d2="", cells=cells), tmp_path / "crt.xlsx"))
    assert d.template == "CRT"
    assert evidence(tmp_path / "crt.xlsx") == "the minerals of its 'Smelter Look-up' sheet ('Cobalt')"
    cells[("Smelter Look-up", "A9")] = "Gold"       # a 3TG metal: no evidence against a CMRT
    d = read_workbook(write(emrt(d2="", cells=cells), tmp_path / "cmrt.xlsx"))
    assert (d.template, [p.code for p in d.problems]) == ("CMRT", ["cmrt.unsupported-version"])
