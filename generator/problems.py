"""Problems in user input are values: collected while reading, reported once.

A problem names where it is (file, then sheet and cell, or line and key path),
a stable code, and a message that says what was expected and what was found.
"""
from __future__ import annotations

import functools
import os
from collections import Counter
from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class CodeInfo:
    """One entry of the catalogue: what a problem code means and how to fix it."""

    code: str
    means: str
    fix: str


@functools.cache
def _load_catalogue() -> dict[str, CodeInfo]:
    import tomllib
    from importlib import resources
    text = resources.files("generator").joinpath("problem-codes.toml").read_text(encoding="utf-8")
    return {code: CodeInfo(code, entry["means"], entry["fix"]) for code, entry in tomllib.loads(text).items()}


def __getattr__(name: str):
    """CATALOGUE: every code the program can emit (generator/problem-codes.toml); `explain` prints them.
    Read when first asked for (explain, the tests), not by every build."""
    if name == "CATALOGUE":
        return _load_catalogue()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    code: str
    message: str
    sheet: str = ""
    cell: str = ""
    line: int = 0
    key: str = ""
    severity: str = ERROR

    def __post_init__(self) -> None:
        # The test suite sets CMR_CHECK_CODES so that a code missing from the catalogue fails loudly.
        if os.environ.get("CMR_CHECK_CODES") and self.code not in _load_catalogue():
            raise AssertionError(f"problem code {self.code!r} is not in generator/problem-codes.toml")

    @property
    def where(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.cell:
            parts.append(f"cell {self.cell}")
        if self.line:
            parts.append(f"line {self.line}")
        if self.key:
            parts.append(f"key '{self.key}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = f"{self.where}: " if self.where else ""
        return f"{where}{self.severity}: {self.message} [{self.code}]"

    def as_dict(self) -> dict:
        return {
            "file": self.file, "sheet": self.sheet, "cell": self.cell,
            "line": self.line, "key": self.key, "code": self.code,
            "severity": self.severity, "message": self.message,
        }


@dataclass
class Problems:
    """A collector: stages add to it and carry on; the caller fails once."""

    items: list[Problem] = field(default_factory=list)

    def add(self, file: str, code: str, message: str, **where) -> None:
        self.items.append(Problem(str(file), code, message, **where))

    def warn(self, file: str, code: str, message: str, **where) -> None:
        self.items.append(Problem(str(file), code, message, severity=WARNING, **where))

    def extend(self, other: Problems | list[Problem]) -> None:
        self.items.extend(other.items if isinstance(other, Problems) else other)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == WARNING]

    def sorted(self) -> list[Problem]:
        return sorted(set(self.items), key=lambda p: (p.file, p.sheet, p.line, _cell_key(p.cell), p.key, p.code, p.message))

    def raise_if_errors(self, strict: bool = False) -> None:
        """Fail once, with everything collected: on errors, and on warnings too when `strict`."""
        if self.errors or (strict and self.warnings):
            raise UserError(self)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)


SHOWN_PER_CODE = 5
"""On a terminal, the first few problems of each code are shown and the rest counted (--verbose: all)."""


def grouped(problems: list[Problem], verbose: bool = False) -> tuple[list[Problem], list[str]]:
    """The problems to show, in order, and one line per code with more than SHOWN_PER_CODE of them
    saying how many there are; every problem when `verbose` or when no code has that many."""
    counts = Counter(p.code for p in problems)
    if verbose or all(n <= SHOWN_PER_CODE for n in counts.values()):
        return problems, []
    seen: Counter[str] = Counter()
    shown = []
    for problem in problems:
        seen[problem.code] += 1
        if seen[problem.code] <= SHOWN_PER_CODE:
            shown.append(problem)
    summaries = [f"[{code}]: {n} problems, the first {SHOWN_PER_CODE} shown above; --verbose shows all of them, "
                 "and the review report (review/<YEAR>/report.md) lists every supplier problem"
                 for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])) if n > SHOWN_PER_CODE]
    return shown, summaries


class UserError(Exception):
    """A mistake in the user's input: the CLI prints it without a traceback."""

    def __init__(self, problems: Problems | str):
        if isinstance(problems, str):
            problems = Problems([Problem("", "command.error", problems)])
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems.sorted()))


def display_path(path, root=None) -> str:
    """A path as the user should see it: relative to the project when inside it; bytes of a name
    that are not UTF-8 written as \\xe9, so the name can be printed and published."""
    if root is not None:
        try:
            return printable(path.resolve().relative_to(root.resolve()).as_posix())
        except ValueError:
            pass
    return printable(str(path))


def printable(text: str) -> str:
    """`text` with lone surrogates (undecodable bytes of a file name, \\ud800 escapes) written out."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return "".join(f"\\x{ord(c) - 0xDC00:02x}" if 0xDC80 <= ord(c) <= 0xDCFF
                       else f"\\u{ord(c):04x}" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def _cell_key(cell: str) -> tuple:
    """Sort A2 before A10: column letters, then row number."""
    letters = cell.rstrip("0123456789")
    digits = cell[len(letters):]
    return (len(letters), letters, int(digits) if digits else 0)
