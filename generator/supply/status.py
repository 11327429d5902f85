"""A facility's status in RMI's categories, from the words the lists (and a curated list) use.

RMI's lists say Conformant, Active, Non Conformant, and for the rest In Communication,
Outreach Required and the like; CFSI's said Compliant. Each word is read into one of
generator.model.STATUSES; the page shows the team's label for it (report.yml `status_labels`).
"""
from __future__ import annotations

import re

from generator.model import ACTIVE, CONFORMANT, NON_CONFORMANT, NOT_ENROLLED

RMI_LABELS = {CONFORMANT: "Conformant", ACTIVE: "Active", NON_CONFORMANT: "Non-conformant",
              NOT_ENROLLED: "Not enrolled or other"}

_WORDS = {
    CONFORMANT: ("conformant", "compliant", "conflict free", "rmap conformant"),
    ACTIVE: ("active", "rmap active", "re audit in progress"),
    NON_CONFORMANT: ("non conformant", "nonconformant", "not conformant", "non compliant", "suspended"),
    NOT_ENROLLED: ("not enrolled", "not enrolled or other", "not designated", "other", "in communication",
                   "outreach required", "communication suspended not interested", "not sure",
                   "rmi due diligence review unable to proceed", "due diligence vetting process"),
}
# Stricter first: when a list names one smelter with two statuses, the stricter holds.
_STRICTNESS = (NON_CONFORMANT, NOT_ENROLLED, ACTIVE, CONFORMANT)


def _fold(word: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", word.casefold()).split())


_BY_WORD = {_fold(w): status for status, words in _WORDS.items() for w in words}


def category(word: str, labels: dict[str, str] | None = None) -> str | None:
    """The status a list's (or the team's) word stands for; None when it is no known word."""
    folded = _fold(word)
    for status, label in (labels or {}).items():
        if _fold(label) == folded:
            return status
    return _BY_WORD.get(folded)


def conformance_status(word: str) -> str:
    """The status of an entry of a conformance list: conformant unless its status column says otherwise."""
    return CONFORMANT if not word.strip() else (category(word) or NOT_ENROLLED)


def statuses_by_id(entries) -> dict[str, str]:
    """Each smelter ID of a conformance list's entries to its status; the stricter of two holds."""
    found: dict[str, str] = {}
    for entry in entries:
        if not entry.smelter_id:
            continue
        status = conformance_status(entry.status)
        before = found.get(entry.smelter_id)
        if before is None or _STRICTNESS.index(status) < _STRICTNESS.index(before):
            found[entry.smelter_id] = status
    return found

