"""The review report: for reviewers, never published on the website.

Per supplier file: version, company, roster match, problems, rejected rows,
unmatched rows and red flags; overall: counts that reconcile (rows read =
published + merged duplicates + rejected + unmatched). Written to
review/report.md and committed, so a pull request shows what changed.
"""
from __future__ import annotations

from generator.publish.render import environment
from generator.publish.report import Model

REVIEW_REPORT = "review/report.md"


def render_review(model: Model) -> dict[str, str]:
    """{path under the project: text}; empty when there are no supplier answers."""
    c = model.consolidation
    if c is None:
        return {}
    by_file: dict[str, list] = {}
    for outcome in c.outcomes:
        by_file.setdefault(outcome.file, []).append(outcome)
    counts = {k: c.count(k) for k in ("published", "duplicate", "rejected", "unmatched")}
    rows_read = sum(len(d.smelters) + len(d.rejected) for d in c.declarations)
    context = {"model": model, "figures": model.figures, "c": c, "by_file": by_file, "counts": counts,
               "rows_read": rows_read, "roster_without_response": _roster_without_response(c),
               "reconciles": rows_read == sum(counts.values())}
    text = environment(model.figures).get_template("review.md.j2").render(context)
    return {REVIEW_REPORT: text}


def _roster_without_response(c) -> list[str]:
    """Roster suppliers with no response to the 3TG survey (an EMRT or CRT sent instead is none)."""
    answered = {r.roster_name for r in c.responses if r.roster_name and r.counts}
    return [name for name in c.roster_names if name not in answered]
