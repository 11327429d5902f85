"""Command-line interface: `python -m generator <command>`.

Each command is a thin call into the pipeline. A user's mistake raises
UserError, which is printed as a list of problems with exit code 1; a bug
still shows its traceback.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from generator.problems import UserError

log = logging.getLogger("generator")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s: %(message)s", stream=sys.stderr)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args) or 0
    except UserError as err:
        print(_report(err), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _report(err: UserError) -> str:
    problems = err.problems.sorted()
    lines = [str(p) for p in problems]
    errors = sum(1 for p in problems if p.severity == "error")
    lines.append(f"{errors} error(s), {len(problems) - errors} warning(s).")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="Build a Conflict Minerals Report website from data/ (YAML and spreadsheets).",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what each stage does")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    read = sub.add_parser(
        "read", help="read supplier CMRT workbooks and summarise them",
        description="Read supplier CMRT workbooks of any template version (.xls, .xlsx, .xlsm; "
                    "encrypted with Excel's default password or not) and print what each declares.")
    read.add_argument("files", nargs="+", type=Path, metavar="FILE", help="CMRT workbooks to read")
    read.add_argument("--json", action="store_true", help="print a JSON array, one object per file")
    read.set_defaults(handler=_read)
    return parser


def _read(args) -> int:
    from generator.cmrt.command import run_read
    return run_read(args.files, as_json=args.json)
