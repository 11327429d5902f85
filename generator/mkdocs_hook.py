"""MkDocs hook: name the site after the company and year in data/.

The company name and the reporting year live once, in data/; this keeps the
site title in step with them instead of typing them again into mkdocs.yml.
"""
from __future__ import annotations

import logging
from pathlib import Path

from generator.content import Company, Report
from generator.problems import Problems
from generator import schema

log = logging.getLogger("mkdocs.hooks.generator")


def on_config(config, **_):
    data = Path(config.config_file_path).parent / "data"
    problems = Problems()
    company, _ = schema.load(data / "company.yml", Company, problems)
    report, _ = schema.load(data / "report.yml", Report, problems)
    if company is None or report is None:
        log.warning("data/ has errors; run `python -m generator check` (site name left as in mkdocs.yml)")
        return config
    config.site_name = f"{company.name} {report.title} {report.period.end.year}"
    return config
