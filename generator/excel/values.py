"""Cached cell values as text and dates, and how messages quote them."""
from __future__ import annotations

import datetime as dt
import re

_SPACES = re.compile(r"\s+")
_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
def fold(text: str) -> str:
    """Case- and whitespace-insensitive form for comparing answers."""
    return _SPACES.sub(" ", text).strip().casefold()


def as_text(value: object) -> str:
    """A cached value as trimmed text: 5551234.0 -> '5551234', a date -> '2013-11-15'."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def date_from_parts(day: object, month: object, year: object) -> dt.date | str | None:
    """1.00 asks for day, month name and year in three cells."""
    d, m, y = as_text(day), as_text(month), as_text(year)
    if not (d or m or y):
        return None
    month_no = _MONTHS.get(m.casefold())
    try:
        return dt.date(int(y), month_no, int(d)) if month_no else " ".join(p for p in (d, m, y) if p)
    except ValueError:
        return " ".join(p for p in (d, m, y) if p)


def percent(value: object) -> str:
    """A share stored as a number (6.22 stores 1 for 100%) as the dropdown text '100%'."""
    pct = float(value) * 100  # type: ignore[arg-type]  # the caller passes the number it found
    return f"{int(pct)}%" if pct.is_integer() else f"{pct:g}%"



def quoted(text: str, limit: int = 80) -> str:
    """`text` in quotes for a message, shortened so a pasted essay cannot flood the report."""
    text = " ".join(text.split())
    return f"'{text if len(text) <= limit else text[:limit - 1] + '…'}'"
