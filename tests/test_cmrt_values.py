"""Normalising smelter IDs, metals, versions, dates and answers."""
from __future__ import annotations

import datetime as dt

import pytest

from generator.excel import values as cells
from generator.supply import values
from generator.supply.cmrt.layouts import Resolved, layout_for, parse_version


@pytest.mark.parametrize("raw,expected", [
    ("CID 000801", ("CID000801", True)),
    ("cid-002514", ("CID002514", True)),
    (" CID002763 ", ("CID002763", True)),
    ("CID#1234", ("CID001234", True)),
    ("1JPN058", ("1JPN058", True)),
    ("4usa001", ("4USA001", True)),
    ("NA", ("", True)),
    ("Not Listed", ("", True)),
    ("n/a", ("", True)),
    ("Smelter not yet identified", ("", True)),
    ("", ("", True)),
    ("27, Jalan Pantai", ("27, Jalan Pantai", False)),
    ("ＣＩＤ０００８０１", ("CID000801", True)),
    ("CID\u00a0002514", ("CID002514", True)),
])
def test_smelter_id(raw, expected):
    assert values.smelter_id(raw) == expected


@pytest.mark.parametrize("raw,expected", [
    ("Gold", "Gold"), (" tin ", "Tin"), ("Tantalum (Ta)", "Tantalum"), ("Tungsten (W)", "Tungsten"),
    ("TANTALUM", "Tantalum"), ("钨", "Tungsten"), ("Cobalt", ""), ("Tin foil", ""), ("", ""),
])
def test_metal(raw, expected):
    assert values.metal(raw) == expected


@pytest.mark.parametrize("text,version", [
    ("Revision 2 August 29th 2012", "2.00"),
    ("Revision 2.01 December 21st 2012", "2.01"),
    ("Revision 2.03\nJuly 12, 2013", "2.03"),
    ("Revision 2.03a\nJuly 25th, 2013", "2.03a"),
    ("Revision 1.   July 18th 2011", "1.00"),
    ("Revision 6.22\nMay 11, 2022", "6.22"),
    ("Revision 6.5\nApril 25, 2025", "6.5"),
    ("1 or more required fields need to be populated Revision 3.01\nMay 30, 2014", "3.01"),
    ("English", ""),
])
def test_parse_version(text, version):
    assert parse_version(text) == version


@pytest.mark.parametrize("version,family,warned", [
    ("1.00", "1.00", False), ("2.01", "2.00-2.01", False), ("2.02", "2.02-2.03a", False),
    ("3.02", "3.x", False), ("4.10", "4.x", False), ("5.01", "5.x", False), ("6.01", "6.x", False),
    ("6.31", "6.x", False), ("6.6", "6.x", True), ("6.7", "6.x", True),
])
def test_layout_for(version, family, warned):
    resolved = layout_for(version)
    assert (resolved.layout.family, bool(resolved.warning)) == (family, warned)


@pytest.mark.parametrize("version", ["0.9", "2.04", "3.5", "5.3", "6.02", "6.45", "7.0"])
def test_no_layout_is_guessed_for_an_unknown_revision(version):
    assert layout_for(version) == Resolved(None)


def test_date_from_parts():
    assert cells.date_from_parts("15", "November", "2013") == dt.date(2013, 11, 15)
    assert cells.date_from_parts(31, "February", 2012) == "31 February 2012"
    assert cells.date_from_parts("", "", "") is None


@pytest.mark.parametrize("raw,text", [(5551234.0, "5551234"), (0.5, "0.5"), (True, "TRUE"),
                                      ("  padded  ", "padded"), (dt.datetime(2020, 1, 2), "2020-01-02")])
def test_as_text(raw, text):
    assert cells.as_text(raw) == text


def test_quoted_shortens_long_values_for_messages():
    assert cells.quoted("  A.   Company ") == "'A. Company'"
    long = cells.quoted("x" * 500)
    assert (len(long), long[-2:]) == (82, "…'")
