"""Read supplier CMRT workbooks (Conflict Minerals Reporting Template) of every version.

    from generator.cmrt import read_workbook
    declaration = read_workbook(path)   # never raises for a bad file: see .problems

Versions 1.00, 2.00-2.03a, 3.0x, 4.x, 5.x and 6.0-6.5 (a newer 6.x is read with the
6.5 layout, with a warning); .xlsx/.xlsm and .xls, also when encrypted with Excel's
default password.
"""
from generator.cmrt.model import (
    METALS,
    CompanyAnswer,
    Declaration,
    MetalAnswer,
    Person,
    ProductRow,
    Question,
    Rejected,
    SmelterRow,
)
from generator.cmrt.reader import MAX_LIST_ROWS, read_workbook

__all__ = [
    "MAX_LIST_ROWS",
    "METALS",
    "CompanyAnswer",
    "Declaration",
    "MetalAnswer",
    "Person",
    "ProductRow",
    "Question",
    "Rejected",
    "SmelterRow",
    "read_workbook",
]
