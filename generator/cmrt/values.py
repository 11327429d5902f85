"""Turning cached cell values into the model's text, dates, metals and smelter IDs."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_CID = re.compile(r"^CID[\s\-_#:.]*0*([0-9]{1,9})$", re.IGNORECASE)
_LEGACY_ID = re.compile(r"^[1-4][A-Z]{3}[0-9]{3}$", re.IGNORECASE)
_NO_ID = frozenset({"", "#n/a", "na", "n/a", "n.a.", "none", "not listed", "smelter not listed", "unknown",
                    "not available", "tbd", "-", "--", "nil", "not yet identified",
                    "smelter not yet identified", "not applicable"})
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$")
_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
_METAL_WORDS = {"tantalum": "Tantalum", "ta": "Tantalum", "钽": "Tantalum",
                "tin": "Tin", "sn": "Tin", "锡": "Tin",
                "gold": "Gold", "au": "Gold", "金": "Gold",
                "tungsten": "Tungsten", "w": "Tungsten", "钨": "Tungsten"}
_METAL = re.compile(r"^(tantalum|tin|gold|tungsten)\b(\s*\((ta|sn|au|w)\))?$")

NOT_LISTED = "Smelter not listed"
NOT_IDENTIFIED = "Smelter not yet identified"
_PLACEHOLDERS = {"smelter not listed": NOT_LISTED, "smelter not yet identified": NOT_IDENTIFIED}


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


def as_date(value: object) -> dt.date | str | None:
    """A real date where the cell holds one (or an ISO date / serial number); else the text."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 <= value <= 80000:
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))  # Excel's 1900 date system
    text = as_text(value)
    m = _ISO_DATE.match(text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return text
    return text or None


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


@lru_cache(maxsize=4096)
def metal(text: str) -> str:
    """'Tantalum (Ta)', ' gold ' -> canonical metal name; '' if it is not one of the four."""
    folded = fold(text)
    if folded in _METAL_WORDS:
        return _METAL_WORDS[folded]
    m = _METAL.match(folded)
    return _METAL_WORDS[m.group(1)] if m else ""


@lru_cache(maxsize=4096)
def lookup_choice(text: str) -> str:
    """Normalise the case variants of the two placeholder choices; keep any other text."""
    return _PLACEHOLDERS.get(fold(text), text)


@lru_cache(maxsize=4096)
def is_placeholder(text: str) -> bool:
    return fold(text) in _PLACEHOLDERS


def smelter_id(text: str) -> tuple[str, bool]:
    """(normalised ID, recognised). 'CID 000801' -> 'CID000801'; '1jpn058' -> '1JPN058'; 'NA' -> ''."""
    # NFKC turns full-width input (ＣＩＤ０００８０１, common from Chinese keyboards) into ASCII.
    t = _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    if fold(t) in _NO_ID:
        return "", True
    m = _CID.match(t)
    if m:
        return f"CID{int(m.group(1)):06d}", True
    if _LEGACY_ID.match(t):
        return t.upper(), True
    return t, False


def percent(value: object) -> str:
    """A share stored as a number (6.22 stores 1 for 100%) as the dropdown text '100%'."""
    pct = float(value) * 100
    return f"{int(pct)}%" if pct.is_integer() else f"{pct:g}%"



def quoted(text: str, limit: int = 80) -> str:
    """`text` in quotes for a message, shortened so a pasted essay cannot flood the report."""
    text = " ".join(text.split())
    return f"'{text if len(text) <= limit else text[:limit - 1] + '…'}'"
