"""Supply-chain values in supplier text: metals, smelter IDs, the placeholder names."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from generator.excel.values import fold

_SPACES = re.compile(r"\s+")
_CID = re.compile(r"^CID[\s\-_#:.]*0*([0-9]{1,9})$", re.IGNORECASE)
_LEGACY_ID = re.compile(r"^[1-4][A-Z]{3}[0-9]{3}$", re.IGNORECASE)
_NO_ID = frozenset({"", "#n/a", "na", "n/a", "n.a.", "none", "not listed", "smelter not listed", "unknown",
                    "not available", "tbd", "-", "--", "nil", "not yet identified",
                    "smelter not yet identified", "not applicable"})
_METAL_WORDS = {"tantalum": "Tantalum", "ta": "Tantalum", "钽": "Tantalum",
                "tin": "Tin", "sn": "Tin", "锡": "Tin",
                "gold": "Gold", "au": "Gold", "金": "Gold",
                "tungsten": "Tungsten", "w": "Tungsten", "钨": "Tungsten"}
_METAL = re.compile(r"^(tantalum|tin|gold|tungsten)\b(\s*\((ta|sn|au|w)\))?$")

_MINERAL_WORDS = {"cobalt": "Cobalt", "co": "Cobalt", "钴": "Cobalt",
                  "copper": "Copper", "cu": "Copper", "铜": "Copper",
                  "graphite": "Graphite", "natural graphite": "Graphite", "石墨": "Graphite", "天然石墨": "Graphite",
                  "lithium": "Lithium", "li": "Lithium", "锂": "Lithium",
                  "mica": "Mica", "natural mica": "Mica", "云母": "Mica", "天然云母": "Mica",
                  "nickel": "Nickel", "ni": "Nickel", "镍": "Nickel"}

NOT_LISTED = "Smelter not listed"
NOT_IDENTIFIED = "Smelter not yet identified"
_PLACEHOLDERS = {"smelter not listed": NOT_LISTED, "smelter not yet identified": NOT_IDENTIFIED}



@lru_cache(maxsize=4096)
def metal(text: str) -> str:
    """'Tantalum (Ta)', ' gold ' -> canonical metal name; '' if it is not one of the four."""
    folded = fold(text)
    if folded in _METAL_WORDS:
        return _METAL_WORDS[folded]
    m = _METAL.match(folded)
    return _METAL_WORDS[m.group(1)] if m else ""


@lru_cache(maxsize=4096)
def mineral(text: str) -> str:
    """'cobalt', 'Natural Mica', 'Cobalt (Co)' -> the EMRT/CRT spelling; '' if it is not one of them."""
    folded = re.sub(r"\s*\((co|cu|li|ni)\)$", "", fold(text))
    return _MINERAL_WORDS.get(folded, "")


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
