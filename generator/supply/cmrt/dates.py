"""Dates as suppliers type them into the Effective Date cell.

The templates ask for DD-MMM-YYYY ("Please enter the Date of Completion for this form
using the format DD-MMM-YYYY"); suppliers also type ISO dates, US (MM/DD/YYYY) and
European (DD/MM/YYYY, DD.MM.YYYY) forms, or leave Excel's serial number. Every form
that can be read one way only becomes a date; a form that reads two ways (03/04/2024),
or a date that does not exist (31-Feb-2024), is kept as written with a reason.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from generator.excel.values import as_text

_MONTHS = {name: number for number, names in enumerate((
    ("jan", "january", "janv", "janvier", "januar", "enero", "ene"),
    ("feb", "february", "fév", "fev", "février", "februar", "febrero"),
    ("mar", "march", "mars", "märz", "marzo"),
    ("apr", "april", "avr", "avril", "abril"),
    ("may", "mai", "mayo"),
    ("jun", "june", "juin", "juni", "junio"),
    ("jul", "july", "juil", "juillet", "juli", "julio"),
    ("aug", "august", "août", "aout", "agosto", "ago"),
    ("sep", "sept", "september", "septembre", "septiembre"),
    ("oct", "october", "octobre", "oktober", "okt", "octubre"),
    ("nov", "november", "novembre", "noviembre"),
    ("dec", "december", "déc", "décembre", "dezember", "dez", "diciembre", "dic"),
), start=1) for name in names}

FIRST_SERIAL, LAST_SERIAL = 1, 2958465  # Excel's 1900 date system: 1900-01-01 to 9999-12-31
_EPOCH = dt.date(1899, 12, 30)

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AP]M)?)?"
_ISO = re.compile(rf"^(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}$", re.IGNORECASE)
_NUMERIC = re.compile(rf"^(\d{{1,2}})([/.\-])(\d{{1,2}})\2(\d{{4}}){_TIME}$", re.IGNORECASE)
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-/.,]*([^\W\d_]{3,10})\.?[\s\-/.,]*(\d{4}|\d{2})$",
                             re.IGNORECASE)
_MONTH_DAY_YEAR = re.compile(r"^([^\W\d_]{3,10})\.?[\s\-/.]*(\d{1,2})(?:st|nd|rd|th)?[\s,\-/.]+(\d{4})$",
                             re.IGNORECASE)


@dataclass(frozen=True)
class ReadDate:
    """A date read from a cell: `date`, or None with the text as written and why (`problem`)."""

    date: dt.date | None
    text: str = ""
    problem: str = ""          # "" | "ambiguous" | "invalid"
    reason: str = ""


def read_date(value: object) -> ReadDate:
    """The date a cell holds, however it was typed; see the module doc."""
    if isinstance(value, dt.datetime):
        return ReadDate(value.date())
    if isinstance(value, dt.date):
        return ReadDate(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _serial(value)
    text = " ".join(as_text(value).split())
    if not text:
        return ReadDate(None)
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return _serial(float(text), text)
    m = _ISO.match(text)
    if m:
        return _make(text, int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _NUMERIC.match(text)
    if m:
        return _numeric(text, int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4)))
    m = _DAY_MONTH_YEAR.match(text)
    if m and m.group(2).casefold() in _MONTHS:
        return _make(text, _year(m.group(3)), _MONTHS[m.group(2).casefold()], int(m.group(1)))
    m = _MONTH_DAY_YEAR.match(text)
    if m and m.group(1).casefold() in _MONTHS:
        return _make(text, int(m.group(3)), _MONTHS[m.group(1).casefold()], int(m.group(2)))
    return ReadDate(None, text, "invalid", "it is not a date in any form the template or a supplier uses "
                                           "(expected DD-MMM-YYYY, e.g. 02-May-2024)")


def _serial(number: float, text: str = "") -> ReadDate:
    shown = text or (str(int(number)) if float(number).is_integer() else str(number))
    if not FIRST_SERIAL <= number <= LAST_SERIAL:
        return ReadDate(None, shown, "invalid", f"the number {shown} is not an Excel date serial number")
    return ReadDate(_EPOCH + dt.timedelta(days=int(number)))


def _year(text: str) -> int:
    return int(text) + 2000 if len(text) == 2 else int(text)


def _numeric(text: str, first: int, separator: str, second: int, year: int) -> ReadDate:
    """DD.MM.YYYY is European; with / or -, the form is known only when one part is above 12."""
    if separator == "." or first > 12:
        return _make(text, year, second, first)
    if second > 12 or first == second:
        return _make(text, year, first, second)
    return ReadDate(None, text, "ambiguous",
                    f"it reads as {_long(year, first, second)} (US month/day) or as "
                    f"{_long(year, second, first)} (day/month); write it as DD-MMM-YYYY")


def _long(year: int, month: int, day: int) -> str:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return f"{year}-{month:02d}-{day:02d}"


def _make(text: str, year: int, month: int, day: int) -> ReadDate:
    try:
        return ReadDate(dt.date(year, month, day))
    except ValueError:
        return ReadDate(None, text, "invalid", f"there is no such day (year {year}, month {month}, day {day})")
