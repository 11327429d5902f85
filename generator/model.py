"""The report's own types, shared by every stage: the metals, the statuses, a facility.

Stages read into these and publish from them; none of them knows a workbook layout.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# The one list of the covered metals, in the order the report shows them.
METALS = ("Gold", "Tantalum", "Tin", "Tungsten")

# The minerals of RMI's Extended Minerals (EMRT) and Cobalt (CRT) templates, as they spell them.
MINERALS = ("Cobalt", "Copper", "Graphite", "Lithium", "Mica", "Nickel")

# A facility's status, in RMI's categories (the order the report shows them). The words a page
# shows for them are the team's (report.yml `status_labels`); RMI's own are the default.
CONFORMANT = "conformant"
ACTIVE = "active"
NON_CONFORMANT = "non_conformant"
NOT_ENROLLED = "not_enrolled"
STATUSES = (CONFORMANT, ACTIVE, NON_CONFORMANT, NOT_ENROLLED)

# The words of the first reports (CFSI's conflict-free designation), still read in a curated list.
CONFLICT_FREE = "Conflict-free"
NOT_DESIGNATED = "Not designated"


@dataclass(frozen=True)
class Facility:
    """A smelter or refiner as published: one per metal and facility.

    `status` is one of STATUSES; `designation` the word the pages show for it.
    """

    metal: str
    name: str
    designation: str
    smelter_id: str = ""
    country: str = ""
    source: str = ""  # file and row it came from, for the review report
    as_of: dt.date | None = None  # the date of the designation
    reporters: tuple[str, ...] = ()  # suppliers that named it, when data/supply-chain.yml publishes them
    status: str = ""  # one of STATUSES; left out, read from the designation's word

    def __post_init__(self) -> None:
        if not self.status:
            from generator.supply.status import category
            object.__setattr__(self, "status", category(self.designation) or NOT_ENROLLED)

    @property
    def conflict_free(self) -> bool:
        """Conformant (the first reports' "conflict-free")."""
        return self.status == CONFORMANT
