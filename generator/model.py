"""The report's own types, shared by every stage: the metals, designations, a facility.

Stages read into these and publish from them; none of them knows a workbook layout.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# The one list of the covered metals, in the order the report shows them.
METALS = ("Gold", "Tantalum", "Tin", "Tungsten")

# The minerals of RMI's Extended Minerals (EMRT) and Cobalt (CRT) templates, as they spell them.
MINERALS = ("Cobalt", "Copper", "Graphite", "Lithium", "Mica", "Nickel")

CONFLICT_FREE = "Conflict-free"
NOT_DESIGNATED = "Not designated"
DESIGNATIONS = (CONFLICT_FREE, NOT_DESIGNATED)


@dataclass(frozen=True)
class Facility:
    """A smelter or refiner as published: one per metal and facility."""

    metal: str
    name: str
    designation: str
    smelter_id: str = ""
    country: str = ""
    source: str = ""  # file and row it came from, for the review report
    as_of: dt.date | None = None  # the date of the designation
    reporters: tuple[str, ...] = ()  # suppliers that named it, when data/supply-chain.yml publishes them

    @property
    def conflict_free(self) -> bool:
        return self.designation == CONFLICT_FREE
