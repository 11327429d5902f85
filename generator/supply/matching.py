"""Match each supplier smelter row to one facility of the reference list.

In order: the reviewers' alias file (their decision wins), then the smelter ID (a
legacy 2.x ID through the list's old-to-new mapping), then the folded name with
the metal (and the country, where both give one). A row that matches nothing, or
more than one facility, stays unmatched: never an unshown guess. A red flag (the
ID names a facility of another metal, or another facility than the name does, or
an ID the lists disagree about) holds the row for review: it counts toward
nothing until a reviewer maps its name in the alias file.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from generator.supply.reference import ReferenceEntry
    from generator.supply.roster import Alias

# Legal forms, also as spelled with spaces once punctuation is gone ("S. A." -> "s a").
_LEGAL_FORMS = re.compile(
    r"\b(co|company|corp|corporation|inc|incorporated|ltd|ltda|limited|llc|plc|gmbh|g m b h|kg|ag|a g|"
    r"sa de cv|s a de c v|sa|s a|spa|s p a|srl|bv|b v|nv|n v|kk|k k|pte|pty|pt|p t|cv|jsc|j s c|ojsc|cjsc|"
    r"tbk|persero|group|the)\b")
# Single letters joined by dots, as legal forms are often written: "A.G.", "S.p.A.", "G.m.b.H.", "A.L.M.T.".
_DOTTED = re.compile(r"(?<!\w)[^\W\d_](?:\.\s?[^\W\d_])+\.?(?!\w)")
# Filler characters some spreadsheets put in place of spaces (the half-width Hangul filler).
_FILLERS = dict.fromkeys(map(ord, "\u115f\u1160\u3164\uffa0"), " ")
_CONNECTORS = re.compile(r"^(and )+|( and)+$")


@functools.lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """A facility name folded for comparison: case, accents, punctuation and legal forms."""
    text = unicodedata.normalize("NFKD", name.translate(_FILLERS)).translate(_FILLERS)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = _DOTTED.sub(lambda m: re.sub(r"[.\s]", "", m.group(0)), text)
    text = text.replace("&", " and ").replace("+", " and ")
    text = re.sub(r"[^\w\s]", " ", text)
    text = _LEGAL_FORMS.sub(" ", text)
    return _CONNECTORS.sub("", " ".join(text.split()))


_COUNTRY_NAMES = {"united states of america": "united states", "usa": "united states", "us": "united states",
                  "korea republic of": "south korea", "republic of korea": "south korea",
                  "russian federation": "russia"}


@functools.lru_cache(maxsize=4096)
def country_key(country: str) -> str:
    text = name_key(country)
    return _COUNTRY_NAMES.get(text, text)


# The Covered Countries of Rule 13p-1: the Democratic Republic of the Congo and its neighbours.
_COVERED = {"democratic republic of the congo", "democratic republic of congo", "congo democratic republic of",
            "congo democratic republic of the", "dr congo", "drc", "congo kinshasa", "republic of the congo",
            "republic of congo", "congo republic of", "congo republic of the", "congo", "congo brazzaville", "congo rep",
            "congo dem rep", "dem rep congo",
            "angola", "burundi", "central african republic", "rwanda", "south sudan", "tanzania",
            "tanzania united republic of", "united republic of tanzania", "uganda", "zambia"}


@functools.lru_cache(maxsize=4096)
def is_covered_country(country: str) -> bool:
    """A Covered Country: the DRC, or Angola, Burundi, the Central African Republic, the Republic of
    the Congo, Rwanda, South Sudan, Tanzania, Uganda or Zambia."""
    return country_key(country) in _COVERED


Status = Literal["matched", "held", "unmatched"]
SUGGESTIONS = 3          # nearest reference names shown for an unmatched row
SUGGESTION_CUTOFF = 60   # rapidfuzz token_sort_ratio (0-100) below which a name is not near


@dataclass(frozen=True)
class Suggestion:
    """A reference name near an unmatched row's name: for a reviewer to consider, never applied."""
    name: str
    smelter_id: str
    score: int


@dataclass(frozen=True)
class Match:
    """What one row matched. `reason` is a short code: how it matched (id, legacy-id, alias, name), or
    why it is held (id-metal, id-name, list-conflict) or unmatched (no-name, ambiguous-name,
    not-listed, alias-unknown-id); `detail` says it in words; `facility` is, for a held row, the
    facility its ID names."""
    status: Status
    facility: ReferenceEntry | None
    reason: str
    detail: str = ""
    flags: tuple[str, ...] = ()  # red flags found on the way, each a sentence


class Matcher:
    def __init__(self, entries, aliases: tuple[Alias, ...] = (), conflicting_ids: frozenset[str] = frozenset()):
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
        self.aliases = {a.key: a for a in aliases}
        self._names: dict[str, tuple[list[str], list[tuple[str, ReferenceEntry]]]] = {}
        for (metal, key), bucket in sorted(self.by_name.items(), key=lambda item: item[0]):
            keys, owners = self._names.setdefault(metal, ([], []))
            for entry in bucket:
                keys.append(key)
                owners.append((key, entry))
        self.conflicting_ids = conflicting_ids
        self._seen: dict[tuple[str, str, str, str], Match] = {}
        self._near: dict[tuple[str, str], tuple[Suggestion, ...]] = {}

    def match(self, metal: str, name: str, smelter_id: str, country: str) -> Match:
        """The same answer for the same row: suppliers name the same facilities again and again."""
        key = (metal, name, smelter_id, country)
        if key not in self._seen:
            self._seen[key] = self._match(metal, name, smelter_id, country)
        return self._seen[key]

    def _match(self, metal: str, name: str, smelter_id: str, country: str) -> Match:
        by_id = self.by_id.get(smelter_id) or self.by_legacy.get(smelter_id)
        alias = self.aliases.get((metal, name_key(name))) if name else None
        if alias is not None:
            entry = self.by_id.get(alias.smelter_id)
            if entry is None:
                return Match("unmatched", None, "alias-unknown-id", f"the alias file (line {alias.line}) maps it "
                             f"to {alias.smelter_id}, which is not on the reference list")
            agrees = by_id is entry and entry.metal == metal and smelter_id not in self.conflicting_ids
            return Match("matched", entry, self._id_how(smelter_id) if agrees else "alias")
        found = self._unaliased(by_id, metal, name, smelter_id, country)
        conflicting = next((i for i in (smelter_id, found.facility.smelter_id if found.facility else "")
                            if i and i in self.conflicting_ids), "")
        if conflicting and found.status != "held":
            detail = f"the reference lists disagree about the ID {conflicting} (see their problems)"
            return Match("held", found.facility or by_id, "list-conflict", detail, (*found.flags, detail))
        return found

    def _unaliased(self, by_id: ReferenceEntry | None, metal: str, name: str, smelter_id: str,
                   country: str) -> Match:
        """By the ID, else by the name: what the lists alone say."""
        if by_id is not None:
            return self._by_id(by_id, metal, name, smelter_id, country)
        flags = (f"the ID {smelter_id} is not on the reference list",) if smelter_id.startswith("CID") else ()
        if not name:
            return Match("unmatched", None, "no-name", "no smelter name or known ID", flags)
        named = self._by_name(metal, name, country)
        if len(named) == 1:
            return Match("matched", named[0], "name", "", flags)
        if len(named) > 1:
            ids = ", ".join(sorted(e.smelter_id or e.name for e in named))
            return Match("unmatched", None, "ambiguous-name", f"the name fits more than one facility ({ids})", flags)
        return Match("unmatched", None, "not-listed", "not on the reference list by ID, alias or name", flags)

    def nearest(self, metal: str, name: str) -> tuple[Suggestion, ...]:
        """Up to three facilities of `metal` whose names (standard or alias) are nearest to `name`."""
        if (metal, name) not in self._near:
            self._near[(metal, name)] = self._nearest(metal, name)
        return self._near[(metal, name)]

    def _nearest(self, metal: str, name: str) -> tuple[Suggestion, ...]:
        keys, owners = self._names.get(metal, ([], []))
        folded = name_key(name)
        if not folded or not keys:
            return ()
        from rapidfuzz import fuzz, process  # only for a name that matches nothing: most builds need none
        best: dict[str, Suggestion] = {}
        for _key, score, index in process.extract(folded, keys, scorer=fuzz.token_sort_ratio, limit=SUGGESTIONS * 4,
                                                  score_cutoff=SUGGESTION_CUTOFF):
            entry = owners[index][1]
            found = Suggestion(entry.name, entry.smelter_id, round(score))
            ident = entry.smelter_id or entry.name
            if ident not in best or best[ident].score < found.score:
                best[ident] = found
        ranked = sorted(best.values(), key=lambda s: (-s.score, s.name.casefold(), s.smelter_id))
        return tuple(ranked[:SUGGESTIONS])

    def _by_id(self, by_id: ReferenceEntry, metal: str, name: str, smelter_id: str, country: str) -> Match:
        """Matched by its ID, or held when the ID contradicts the row's metal or name."""
        flags, codes = [], []
        named = self._by_name(metal, name, country)
        if by_id.metal != metal:
            other = f"; the {metal} facility of that name is {named[0].name!r} ({named[0].smelter_id})" \
                if len(named) == 1 else ""
            flags.append(f"the ID {smelter_id} is a {by_id.metal} facility, but the row says {metal}{other}")
            codes.append("id-metal")
        elif name and named and by_id not in named:
            flags.append(f"the ID {smelter_id} names {by_id.name!r}, but the name {name!r} is "
                         f"{named[0].name!r} ({named[0].smelter_id})")
            codes.append("id-name")
        if flags:
            return Match("held", by_id, codes[0], "; ".join(flags), tuple(flags))
        return Match("matched", by_id, self._id_how(smelter_id))

    def _id_how(self, smelter_id: str) -> str:
        return "id" if smelter_id in self.by_id else "legacy-id"

    def _by_name(self, metal: str, name: str, country: str) -> list:
        candidates = self.by_name.get((metal, name_key(name)), []) if name else []
        if len(candidates) > 1 and country:
            in_country = [e for e in candidates if country_key(e.country) == country_key(country)]
            return in_country or candidates
        return candidates
