"""Match each supplier smelter row to one facility of the reference list.

In order: by smelter ID (a legacy 2.x ID through the list's old-to-new
mapping), then by the reviewers' alias file, then by the normalised name with
the metal (and the country, where both give one). A row that matches nothing,
or more than one facility, stays unmatched: never an unshown guess.
A contradiction (the ID names one facility and the name another, or the ID's
metal differs from the row's) is flagged.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.supply.reference import ReferenceEntry

_SUFFIXES = re.compile(
    r"\b(co|company|corp|corporation|inc|incorporated|ltd|limited|llc|plc|gmbh|ag|sa|s a|spa|s p a|"
    r"bv|nv|kk|k k|pte|pty|jsc|ojsc|cjsc|tbk|persero|group|the)\b")


@functools.lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """A facility name folded for comparison: case, accents, punctuation and legal suffixes."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ")
    text = re.sub(r"[^\w\s]", " ", text)
    text = _SUFFIXES.sub(" ", text)
    return " ".join(text.split())


_COUNTRY_NAMES = {"united states of america": "united states", "usa": "united states", "us": "united states",
                  "korea republic of": "south korea", "republic of korea": "south korea",
                  "russian federation": "russia"}


@functools.lru_cache(maxsize=4096)
def country_key(country: str) -> str:
    text = name_key(country)
    return _COUNTRY_NAMES.get(text, text)


@dataclass(frozen=True)
class Match:
    facility: ReferenceEntry | None
    how: str                     # "id", "legacy id", "alias", "name", or "" when unmatched
    flags: tuple[str, ...] = ()  # contradictions found on the way
    reason: str = ""             # why it is unmatched


class Matcher:
    def __init__(self, entries, aliases: dict[tuple[str, str], str]):
        self.by_id: dict[str, ReferenceEntry] = {}
        self.by_legacy: dict[str, ReferenceEntry] = {}
        self.by_name: dict[tuple[str, str], list] = {}
        for entry in entries:
            if entry.smelter_id:
                self.by_id.setdefault(entry.smelter_id, entry)
            for legacy in entry.legacy_ids:
                self.by_legacy.setdefault(legacy, entry)
            for name in (entry.name, *entry.aliases):
                bucket = self.by_name.setdefault((entry.metal, name_key(name)), [])
                if entry not in bucket:
                    bucket.append(entry)
        self.aliases = aliases  # (metal, name_key) -> smelter ID
        self._seen: dict[tuple[str, str, str, str], Match] = {}

    def match(self, metal: str, name: str, smelter_id: str, country: str) -> Match:
        """The same answer for the same row: suppliers name the same facilities again and again."""
        key = (metal, name, smelter_id, country)
        if key not in self._seen:
            self._seen[key] = self._match(metal, name, smelter_id, country)
        return self._seen[key]

    def _match(self, metal: str, name: str, smelter_id: str, country: str) -> Match:
        flags = []
        by_id = self.by_id.get(smelter_id) or self.by_legacy.get(smelter_id)
        if by_id is not None:
            how = "id" if smelter_id in self.by_id else "legacy id"
            if by_id.metal != metal:
                flags.append(f"the ID {smelter_id} is a {by_id.metal} facility, but the row says {metal}")
            named = self._by_name(metal, name, country)
            if name and named and by_id not in named:
                flags.append(f"the ID {smelter_id} names {by_id.name!r}, but the name {name!r} is "
                             f"{named[0].name!r} ({named[0].smelter_id})")
            return Match(by_id, how, tuple(flags))
        if smelter_id and smelter_id.startswith("CID"):
            flags.append(f"the ID {smelter_id} is not on the reference list")
        alias = self.aliases.get((metal, name_key(name)))
        if alias is not None:
            entry = self.by_id.get(alias)
            if entry is None:
                return Match(None, "", tuple(flags), f"the alias file maps it to {alias}, which is not on the "
                                                     "reference list")
            return Match(entry, "alias", tuple(flags))
        if not name:
            return Match(None, "", tuple(flags), "no smelter name or known ID")
        named = self._by_name(metal, name, country)
        if len(named) == 1:
            return Match(named[0], "name", tuple(flags))
        if len(named) > 1:
            ids = ", ".join(sorted(e.smelter_id or e.name for e in named))
            return Match(None, "", tuple(flags), f"the name fits more than one facility ({ids})")
        return Match(None, "", tuple(flags), "not on the reference list by ID, alias or name")

    def _by_name(self, metal: str, name: str, country: str) -> list:
        candidates = self.by_name.get((metal, name_key(name)), []) if name else []
        if len(candidates) > 1 and country:
            in_country = [e for e in candidates if country_key(e.country) == country_key(country)]
            return in_country or candidates
        return candidates
