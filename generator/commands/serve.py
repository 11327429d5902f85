"""`python -m generator serve`: MkDocs' live-reloading server with our plugin regenerating.

The work happens in the `cmr` plugin (generator/mkdocs_plugin.py), which under
serve watches data/ and regenerates docs/ before each build; this module only
starts MkDocs' server with its usual terminal output.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from generator.problems import UserError


def run_serve(root: Path, dev_addr: str) -> int:
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import MkDocsException

    config_file = root / "mkdocs.yml"
    if not config_file.is_file():
        raise UserError(f"{config_file}: not found; --root must name the project folder holding mkdocs.yml")
    _mkdocs_logging()
    try:
        serve(config_file=str(config_file), dev_addr=dev_addr)
    except MkDocsException as err:  # a bad --dev-addr or mkdocs.yml; MkDocs has logged the details
        raise UserError(f"{config_file}: MkDocs could not serve the site ({err})") from None
    return 0


def _mkdocs_logging() -> None:
    """Show MkDocs' INFO messages (address, rebuilds) as `mkdocs serve` does."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
