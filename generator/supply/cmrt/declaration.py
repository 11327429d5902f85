"""The version-independent model of one supplier CMRT: what the reader returns.

Every template version (1.00 to 6.x) is mapped onto these records, so later
stages never need to know which layout a file used.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from generator.problems import ERROR, Problem
from generator.supply import values


@dataclass(frozen=True)
class Person:
    name: str = ""
    title: str = ""
    email: str = ""
    phone: str = ""

    def is_empty(self) -> bool:
        return not (self.name or self.title or self.email or self.phone)


class MetalAnswer(NamedTuple):
    """One metal's answer to one question: normalised, and as written. (This and the other records
    a declaration holds dozens of are named tuples: see SmelterRow.)"""

    metal: str
    answer: str
    raw: str
    comment: str
    cell: str


class Question(NamedTuple):
    """A per-metal question, under a stable key such as `intentionally_added`."""

    key: str
    number: int
    answers: tuple[MetalAnswer, ...]

    def answer(self, metal: str) -> str:
        for a in self.answers:
            if a.metal == metal:
                return a.answer
        return ""


class CompanyAnswer(NamedTuple):
    """A company-level question (A, B, ...) with its answer and comment."""

    letter: str
    key: str
    answer: str
    raw: str
    comment: str
    cell: str


@dataclass(frozen=True)
class ProductRow:
    row: int
    number: str
    name: str
    comments: str


class SmelterRow(NamedTuple):
    """One non-blank row of the Smelter List, as the supplier wrote it (trimmed).

    A named tuple, as the answers above are, not a dataclass: a build loads tens of thousands of
    them from the cache, and a tuple is made and unpickled several times faster."""

    row: int
    metal: str
    lookup: str = ""
    smelter_name: str = ""
    country: str = ""
    smelter_id: str = ""
    smelter_id_raw: str = ""
    id_source: str = ""
    street: str = ""
    city: str = ""
    state: str = ""
    contact_name: str = ""
    contact_email: str = ""
    next_steps: str = ""
    mine_name: str = ""
    mine_country: str = ""
    recycled_scrap: str = ""
    comments: str = ""

    @property
    def reported_name(self) -> str:
        """The facility the row names: the name written, else the look-up choice; '' for a placeholder."""
        for name in (self.smelter_name, self.lookup):
            if name and not values.is_placeholder(name):
                return name
        return ""


@dataclass(frozen=True)
class MineRow:
    """One non-blank row of the EMRT 2.x Mine List, as the supplier wrote it (trimmed)."""

    row: int
    metal: str
    mine_name: str
    smelter_name: str = ""
    mine_id: str = ""
    id_source: str = ""
    country: str = ""
    street: str = ""
    city: str = ""
    state: str = ""
    contact_name: str = ""
    contact_email: str = ""
    next_steps: str = ""
    comments: str = ""


@dataclass(frozen=True, order=True)
class Rejected:
    """A non-blank row that cannot be a facility, with the reason."""

    row: int
    reason: str
    sheet: str = ""


@dataclass(frozen=True)
class Declaration:
    """Everything read from one workbook; `readable` is False if it could not be read at all."""

    file: str
    readable: bool = True
    template: str = ""            # "CMRT", "EMRT", "CRT" or "AMRT" ("" when not read at all)
    template_version: str = ""
    layout: str = ""
    smelter_sheet: str = ""  # the Smelter List's name in the layout read with, for problems naming rows
    file_format: str = ""
    encrypted: bool = False
    language: str = ""
    company_name: str = ""
    declaration_scope: str = ""
    scope_description: str = ""
    unique_id: str = ""
    unique_id_authority: str = ""
    address: str = ""
    contact: Person = field(default_factory=Person)
    authorizer: Person = field(default_factory=Person)
    effective_date: dt.date | str | None = None
    questions: tuple[Question, ...] = ()
    company_questions: tuple[CompanyAnswer, ...] = ()
    products: tuple[ProductRow, ...] = ()
    smelters: tuple[SmelterRow, ...] = ()
    minerals: tuple[str, ...] = ()  # EMRT/CRT: the minerals in scope; a smelter row's `metal` is one of them
    mines: tuple[MineRow, ...] = ()  # EMRT 2.x Mine List
    rejected: tuple[Rejected, ...] = ()
    problems: tuple[Problem, ...] = ()

    def question(self, key: str) -> Question | None:
        for q in self.questions:
            if q.key == key:
                return q
        return None

    def answer(self, key: str, metal: str) -> str:
        """The normalised answer of `metal` to question `key`, or ""."""
        q = self.question(key)
        return q.answer(metal) if q else ""

    def company_answer(self, key: str) -> CompanyAnswer | None:
        for a in self.company_questions:
            if a.key == key:
                return a
        return None

    @property
    def policy_url(self) -> str:
        """The URL given in the comment of the 'policy public on website' question."""
        a = self.company_answer("policy_public")
        return self.policy_url_in(a) if a else ""

    @staticmethod
    def policy_url_in(answer: CompanyAnswer) -> str:
        """The URL in the comment of one company question, or ""."""
        m = re.search(r"(https?://|www\.)\S+", answer.comment)
        return m.group(0).rstrip(".,;)") if m else ""

    @property
    def is_cmrt(self) -> bool:
        """Read as a CMRT: an answer to the 3TG survey (an EMRT, CRT or AMRT is not one)."""
        return self.readable and self.template == "CMRT"

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]
