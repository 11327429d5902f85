"""Command-line interface: `python -m generator <command>`.

Each command is a thin call into the pipeline. A user's mistake raises
UserError, which is printed as a list of problems with exit code 1; a bug
still shows its traceback.
"""
from __future__ import annotations

import argparse
import difflib
import logging
import os
import signal
import sys
import time
from pathlib import Path

from generator.problems import Problem, UserError, grouped
from generator.publish.escape import terminal_text

log = logging.getLogger("generator")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s: %(message)s", stream=sys.stderr, force=True)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args) or 0
    except UserError as err:
        print(_report(err, args.verbose), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `explain | head`: the reader has gone; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _report(err: UserError, verbose: bool = False) -> str:
    problems = err.problems.sorted()
    lines = _problem_lines(problems, verbose)
    errors = sum(1 for p in problems if p.severity == "error")
    lines.append(f"{errors} error(s), {len(problems) - errors} warning(s).")
    return "\n".join(lines)


def _problem_lines(problems: list[Problem], verbose: bool) -> list[str]:
    """Every problem, or, without --verbose, the first few of each code and a count of the rest."""
    shown, summaries = grouped(problems, verbose)
    return [terminal_text(p) for p in shown] + summaries


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="Build a Conflict Minerals Report website from data/ (YAML and spreadsheets).",
    )
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="log what each stage does, and list every problem (not only the first few of each kind)")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    build = sub.add_parser(
        "build", help="regenerate the pages in docs/ from data/ and build the website into site/",
        description="Validate data/, write the generated Markdown pages and CSV into docs/ "
                    "(only files that changed), then build the website with MkDocs in strict mode.")
    _common(build)
    build.add_argument("--no-site", action="store_true", help="write docs/ only; skip the MkDocs build")
    build.add_argument("--site-dir", type=Path, help="where to build the website (default: site/)")
    build.set_defaults(handler=_build)

    check = sub.add_parser(
        "check", help="validate data/ and fail if the committed docs/ is stale",
        description="Validate every data file (every year's), check that the EDGAR exhibit can be made, "
                    "and fail, naming the pages, when docs/ differs from what data/ gives. Writes nothing. "
                    "This is what CI runs on a pull request.")
    _common(check)
    check.set_defaults(handler=_check)

    exhibit = sub.add_parser(
        "exhibit", help="write the report as one HTML document for EDGAR (Exhibit 1.01 to Form SD)",
        description="Validate data/ and write the Conflict Minerals Report as one self-contained HTML "
                    "document that follows EDGAR's HTML rules, from the same data as the website.")
    _common(exhibit)
    exhibit.add_argument("--output", type=Path,
                         help="where to write it (default: build/exhibit-1.01-YEAR.htm, YEAR the report's year)")
    exhibit.add_argument("--year", type=int,
                         help="an earlier year from data/archive/YEAR/ (default: the current report)")
    exhibit.set_defaults(handler=_exhibit)

    new_year = sub.add_parser(
        "new-year", help="archive the current year's data/ and start the next reporting year",
        formatter_class=argparse.RawDescriptionHelpFormatter, description=_NEW_YEAR_HELP)
    new_year.add_argument("year", metavar="YEAR", type=int, help="the new reporting year, e.g. 2026")
    new_year.add_argument("--root", type=Path, default=Path("."),
                          help="the project folder holding mkdocs.yml, data/ and docs/ (default: .)")
    new_year.set_defaults(handler=_new_year)

    diff = sub.add_parser(
        "diff", help="summarise what changed in the report between two git revisions or data folders",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=_DIFF_HELP)
    diff.add_argument("base", metavar="BASE", help="the earlier side: a git revision or a folder")
    diff.add_argument("head", metavar="HEAD", nargs="?",
                      help="the later side: a git revision or a folder (default: the working tree)")
    diff.add_argument("--markdown", action="store_true",
                      help="print GitHub-flavoured Markdown (for a pull request's job summary) instead of plain text")
    _common(diff)
    diff.set_defaults(handler=_diff)

    pdf = sub.add_parser(
        "pdf", help="write the whole report as one PDF into site/downloads/report.pdf",
        description="Print the built site's pages of the current report as one PDF, after a cover (company, "
                    "period, conclusion) and a table of contents, with page numbers, using Chromium through "
                    "Playwright. Run `build` first; the site's pages link to the PDF.")
    _common(pdf)
    pdf.add_argument("--site-dir", type=Path, help="the built site (default: site/ in the project)")
    pdf.add_argument("--output", type=Path, help="where to write it (default: SITE/downloads/report.pdf)")
    pdf.set_defaults(handler=_pdf)

    serve = sub.add_parser(
        "serve", help="preview the website, regenerating the pages whenever data/ changes",
        description="Regenerate the pages from data/ and serve the website with MkDocs' live-reloading "
                    "development server. Whenever a file in data/ (or docs/, mkdocs.yml) changes, the "
                    "pages are regenerated into docs/ and the browser reloads. Invalid data does not stop "
                    "the server: the problems are printed here and shown in a banner on every page, "
                    "above the last valid pages, until the data is fixed. Stop with Ctrl+C.")
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", metavar="IP:PORT",
                       help="address to serve on (default: 127.0.0.1:8000)")
    serve.add_argument("--root", type=Path, default=Path("."),
                       help="the project folder holding mkdocs.yml, data/ and docs/ (default: .)")
    serve.set_defaults(handler=_serve)

    watch = sub.add_parser(
        "watch", help="regenerate docs/ and review/ whenever data/ changes, in one process (fast rebuilds)",
        description="Do what `build --no-site` does, then do it again each time a file or folder in data/ "
                    "changes, printing what each build wrote and how long it took. Every build after the first "
                    "runs in the same process, with a reader ready: a rebuild after one supplier workbook "
                    "changes takes a fraction of a second. Invalid data leaves docs/ and review/ as they were "
                    "and prints the problems; the next save builds again. Files that data/supply-chain.yml or "
                    "report.yml name outside data/ are read but not watched. Stop with Ctrl+C (or SIGTERM).")
    _common(watch)
    watch.set_defaults(handler=_watch)

    rollup = sub.add_parser(
        "rollup", help="fill a blank RMI CMRT 6.x with the company's declaration and smelter list",
        description="Answer your customers: fill a blank RMI CMRT 6.x (any UI language; download it from the "
                    "RMI) with the company's details (data/company.yml), the scope and the answers to Q1-Q8 "
                    "and A-H (data/declaration.yml, optional; defaults where the data gives them) and one "
                    "Smelter List row per published facility. Only the cells written change: dropdowns, "
                    "formulas, look-ups, protection and styles stay as the template has them. The answers "
                    "the template requires are checked first, and the output is read back to check it.")
    _common(rollup)
    rollup.add_argument("--template", type=Path, required=True, metavar="BLANK.xlsx",
                        help="the blank CMRT 6.x to fill (it is not changed)")
    rollup.add_argument("--output", type=Path, metavar="FILE",
                        help="where to write the filled CMRT (default: build/cmrt-rollup-YEAR.xlsx)")
    rollup.set_defaults(handler=_rollup)

    read = sub.add_parser(
        "read", help="read supplier CMRT workbooks and summarise them",
        description="Read supplier CMRT workbooks of any template version (.xls, .xlsx, .xlsm, .xlsb, .ods; "
                    "encrypted with Excel's default password or not) and print what each declares.")
    read.add_argument("files", nargs="+", type=Path, metavar="FILE", help="CMRT workbooks to read")
    read.add_argument("--json", action="store_true", help="print a JSON array, one object per file")
    read.set_defaults(handler=_read)

    explain = sub.add_parser(
        "explain", help="explain the problem codes: what each means and how to fix it",
        description="Every problem the generator reports ends with its code in brackets, such as "
                    "[cmrt.missing-answer]. Without CODE, list every code with a line on what it means; "
                    "with CODE, print what it means and how to fix it.")
    explain.add_argument("code", metavar="CODE", nargs="?", help="a problem code, such as yaml.unknown-key")
    explain.set_defaults(handler=_explain)
    return parser


_NEW_YEAR_HELP = """\
Start reporting year YEAR. Everything in data/ (the YAML, the smelter list,
the roster, the workbook folder, the lists, the aliases and any other file)
moves into data/archive/<CURRENT>/, CURRENT being the year in which the
current report's period ends, so that year keeps its pages, review records
and exhibit. data/ is then ready for YEAR:
  the YAML files copied back, with period.start and period.end in YEAR;
  supply-chain.yml as it was, and a copy of every file that it and report.yml
    name (smelter list, roster, aliases, reference and conformance lists);
  an empty workbook folder for YEAR's supplier CMRTs.
The dates that belong to a year's lists (smelter_list.designation_as_of and
each list's as_of) stay as they were: check and build warn about each one
until it is renewed.

Nothing changes, and the problems say why, when data/ has errors, when
data/archive/<CURRENT>/ exists, when YEAR is not later than CURRENT, or when
a file named in the YAML is outside data/. Afterwards, renew the dates, add
the CMRTs, run `python -m generator build` (or make site) and commit data/,
docs/ and review/.

example:
  python -m generator new-year 2026
"""

_DIFF_HELP = """\
Compare the report that BASE's data gives with HEAD's and list:
  facilities added, removed, or whose conflict-free designation changed;
  countries added or removed; figures (the numbers the prose quotes) changed;
  generated pages changed.

BASE and HEAD are git revisions of the repository at --root, whose data/ is
read from git (not from the disk), or folders: a project holding data/, or a
data folder itself. An existing folder wins over a revision of the same name.
Without HEAD, BASE is compared with the working tree: data/ under --root as it
is on disk, uncommitted edits included. Both sides are rendered by the
generator you run, so only data changes show.

Exit code 0 whether or not anything changed; 1 if either side's data is
invalid, with the problems naming the revision (HEAD~1:data/report.yml).

examples:
  python -m generator diff HEAD~1 HEAD
  python -m generator diff main                  # main against the working tree
  python -m generator diff origin/main HEAD --markdown >> "$GITHUB_STEP_SUMMARY"
  python -m generator diff last-year/data data   # two data folders
"""


def _common(command: argparse.ArgumentParser) -> None:
    command.add_argument("--root", type=Path, default=Path("."),
                         help="the project folder holding mkdocs.yml, data/ and docs/ (default: .)")
    command.add_argument("--strict", action="store_true",
                         help="treat warnings as errors (every stage runs first; then it fails once, listing all)")
    command.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                         help="list every problem, not only the first few of each kind, and log what each stage does")


def _build(args) -> int:
    from generator.supply.folder import readers_started
    with readers_started():  # forked before the pipeline is imported: it imports the reader meanwhile
        from generator import pipeline
        pages, changed, problems = pipeline.build(args.root, strict=args.strict)
    _print_warnings(problems, args.verbose)
    print(f"docs/: {len(pages)} generated files, {len(changed)} changed"
          + (": " + ", ".join(changed) if changed else ""))
    if not args.no_site:
        pipeline.build_site(args.root, args.site_dir)
        print(f"site: built into {args.site_dir or args.root / 'site'}")
    return 0


def _check(args) -> int:
    from generator import pipeline
    models, pages, problems = pipeline.check(args.root, strict=args.strict)
    _print_warnings(problems, args.verbose)
    stale = pipeline.stale_outputs(args.root, models, pages)
    if stale:
        print("docs/ is stale against data/; run `python -m generator build` and commit. Stale: "
              + ", ".join(stale), file=sys.stderr)
        return 1
    print(f"data/ is valid and docs/ is up to date ({len(pages)} generated files).")
    return 0


def _exhibit(args) -> int:
    from generator import pipeline
    from generator.publish.exhibit import OUTPUT_DIR
    text, name, problems = pipeline.exhibit(args.root, args.output.name if args.output else None,
                                            strict=args.strict, year=args.year)
    output = args.output or args.root / OUTPUT_DIR / name
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(text.encode("ascii"))
    except OSError as err:
        problems.add(str(output), "exhibit.write", f"cannot write the exhibit there: {err.strerror or err}; "
                     "expected a file path (--output FILE)")
        raise UserError(problems) from None
    _print_warnings(problems, args.verbose)
    print(f"{output}: Exhibit 1.01, {len(text.encode('ascii'))} bytes")
    return 0


def _new_year(args) -> int:
    from generator.commands.new_year import start_year, summary
    result = start_year(args.root, args.year)
    print("\n".join(terminal_text(line) for line in summary(result, args.root)))
    return 0


def _pdf(args) -> int:
    from generator import pipeline
    from generator.publish.pdf import write_pdf
    model, problems = pipeline.load_model(args.root, strict=args.strict)
    _print_warnings(problems, args.verbose)
    output = write_pdf(model, args.site_dir or args.root / "site", args.output)
    print(f"{output}: the whole report as PDF, {output.stat().st_size:,} bytes")
    return 0


def _diff(args) -> int:
    from generator.commands import diff
    result = diff.run_diff(args.root, args.base, args.head, strict=args.strict)
    text = diff.format_markdown(result) if args.markdown else diff.format_text(result)
    print("\n".join(terminal_text(line) for line in text.split("\n")), end="")
    return 0


def _serve(args) -> int:
    from generator.commands.serve import run_serve
    return run_serve(args.root, args.dev_addr)


def _watch(args) -> int:
    from generator.commands.watch import Built, watch

    def report(built: Built) -> None:
        stamp = time.strftime("%H:%M:%S")
        if built.failed:
            print(_report(UserError(built.problems), args.verbose), file=sys.stderr)
            print(f"{stamp} not built: the problems above stop the build; watching data/ (Ctrl+C to stop)",
                  flush=True)
            return
        _print_warnings(built.problems, args.verbose)
        changed = f"{len(built.changed)} changed: {', '.join(built.changed)}" if built.changed else "none changed"
        print(f"{stamp} built in {built.seconds:.2f} s ({built.pages} pages, {changed}); watching data/ "
              "(Ctrl+C to stop)", flush=True)

    def stopped(signum, frame):
        raise KeyboardInterrupt  # SIGTERM (kill, a supervisor) stops it as Ctrl+C does: workers and all

    signal.signal(signal.SIGTERM, stopped)
    try:
        watch(args.root, args.strict, report)
    except KeyboardInterrupt:
        print("stopped watching", file=sys.stderr)
    return 0


def _rollup(args) -> int:
    from generator.commands.rollup import run_rollup
    output, rollup, problems = run_rollup(args.root, args.template, args.output, strict=args.strict)
    _print_warnings(problems, args.verbose)
    listed = sum(1 for r in rollup.rows if r.smelter_id)
    print(f"{output}: CMRT {rollup.version}, {len(rollup.rows)} smelter rows "
          f"({listed} from the template's Smelter Look-up, {len(rollup.rows) - listed} 'Smelter not listed')")
    return 0


def _print_warnings(problems, verbose: bool) -> None:
    for line in _problem_lines(problems.sorted(), verbose):
        print(line, file=sys.stderr)


def _explain(args) -> int:
    from generator.problems import CATALOGUE
    if args.code is None:
        width = max(len(code) for code in CATALOGUE)
        for code in sorted(CATALOGUE):
            print(f"{code:<{width}}  {CATALOGUE[code].means}")
        return 0
    code = args.code.strip().strip("[]")
    info = CATALOGUE.get(code)
    if info is None:
        close = difflib.get_close_matches(code, list(CATALOGUE), n=3, cutoff=0.8)
        hint = f"; did you mean {' or '.join(close)}?" if close else "; `python -m generator explain` lists them"
        raise UserError(f"{terminal_text(code)} is not a problem code{hint}")
    print(f"{info.code}\n  What it means: {info.means}\n  How to fix it: {info.fix}")
    return 0


def _read(args) -> int:
    from generator.commands.read import run_read
    return run_read(args.files, as_json=args.json)
