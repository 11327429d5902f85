"""`python -m generator read FILE... [--json]`: read workbooks and print what each declares."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import sys
from collections import Counter
from pathlib import Path

from generator.model import METALS, MINERALS
from generator.publish.escape import terminal_text
from generator.supply.cmrt.declaration import Declaration
from generator.supply.folder import read_workbooks

log = logging.getLogger("generator.commands.read")

MAX_PROBLEMS_SHOWN = 20


def run_read(files: list[Path], as_json: bool) -> int:
    """Print a summary (or a JSON array) of every file; 1 if some file could not be read at all."""
    log.info("reading %d workbooks", len(files))
    declarations = list(read_workbooks(files, [str(path) for path in files]))
    if as_json:
        text = json.dumps([to_dict(d) for d in declarations], ensure_ascii=False, indent=2, sort_keys=True)
    else:
        text = "\n\n".join(summary(d) for d in declarations)
    sys.stdout.write(text + "\n")
    return 0 if all(d.readable for d in declarations) else 1


def to_dict(d: Declaration) -> dict:
    """The JSON form of a declaration: plain, deterministic values."""
    return {
        "file": d.file,
        "readable": d.readable,
        "template": d.template,
        "template_version": d.template_version,
        "layout": d.layout,
        "file_format": d.file_format,
        "encrypted": d.encrypted,
        "language": d.language,
        "company_name": d.company_name,
        "declaration_scope": d.declaration_scope,
        "scope_description": d.scope_description,
        "unique_id": d.unique_id,
        "unique_id_authority": d.unique_id_authority,
        "address": d.address,
        "contact": dataclasses.asdict(d.contact),
        "authorizer": dataclasses.asdict(d.authorizer),
        "effective_date": _date(d.effective_date),
        "policy_url": d.policy_url,
        "questions": {
            q.key: {"number": q.number,
                    "answers": {a.metal: {"answer": a.answer, "raw": a.raw, "comment": a.comment, "cell": a.cell}
                                for a in q.answers}}
            for q in d.questions
        },
        "company_questions": {
            a.letter: {"key": a.key, "answer": a.answer, "raw": a.raw, "comment": a.comment, "cell": a.cell}
            for a in d.company_questions
        },
        "products": [dataclasses.asdict(p) for p in d.products],
        "minerals": list(d.minerals),
        "smelters": [s._asdict() for s in d.smelters],
        "mines": [dataclasses.asdict(m) for m in d.mines],
        "rejected": [dataclasses.asdict(r) for r in d.rejected],
        "problems": [p.as_dict() for p in d.problems],
    }


def _date(value: dt.date | str | None) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else value


def summary(d: Declaration) -> str:
    """A few readable lines about one file."""
    errors = len(d.errors)
    warnings = len(d.problems) - errors
    if not d.readable:
        lines = [f"{d.file}: could not be read"]
    else:
        per_metal = Counter(s.metal for s in d.smelters)
        counts = ", ".join(f"{m} {per_metal[m]}" for m in (*METALS, *MINERALS) if per_metal[m])
        lines = [
            (f"{d.file}: {d.template or 'CMRT'} {d.template_version or '(revision unknown)'} ({d.file_format}"
             f"{', encrypted' if d.encrypted else ''})"),
            f"  company: {d.company_name or '(none)'}",
            f"  scope: {d.declaration_scope or '(none)'}",
            f"  effective date: {_date(d.effective_date) or '(none)'}",
            f"  smelter rows: {len(d.smelters)}{f' ({counts})' if counts else ''}; rejected rows: {len(d.rejected)}",
            f"  products: {len(d.products)}",
        ]
        if d.template != "CMRT":
            lines[2:2] = [f"  minerals in scope: {', '.join(d.minerals) or '(none)'}"]
            lines.insert(-1, f"  mine rows: {len(d.mines)}")
        lines += [f"    rejected row {r.row} ({r.sheet}): {r.reason}" for r in d.rejected[:MAX_PROBLEMS_SHOWN]]
        if len(d.rejected) > MAX_PROBLEMS_SHOWN:
            lines.append(f"    ... and {len(d.rejected) - MAX_PROBLEMS_SHOWN} more rejected rows (use --json)")
    lines.append(f"  problems: {errors} error(s), {warnings} warning(s)")
    for p in d.problems[:MAX_PROBLEMS_SHOWN]:
        lines.append(f"    {p}")
    if len(d.problems) > MAX_PROBLEMS_SHOWN:
        lines.append(f"    ... and {len(d.problems) - MAX_PROBLEMS_SHOWN} more (use --json to see all)")
    return "\n".join(terminal_text(line) for line in lines)  # supplier text may hold escape sequences
