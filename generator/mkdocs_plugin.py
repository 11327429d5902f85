"""MkDocs plugin `cmr`: ties the website to data/.

- Names the site after the company and year in data/, so they are not typed
  again into mkdocs.yml.
"""
from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.plugins import BasePlugin

from generator import schema
from generator.content import Company, Report
from generator.problems import Problems

log = logging.getLogger("mkdocs.plugins.cmr")


class CmrPlugin(BasePlugin):
    def on_config(self, config, **_):
        data = Path(config.config_file_path).parent / "data"
        problems = Problems()
        company, _ = schema.load(data / "company.yml", Company, problems)
        report, _ = schema.load(data / "report.yml", Report, problems)
        if company is None or report is None:
            log.warning("data/ has errors; run `python -m generator check` (site name left as in mkdocs.yml)")
            return config
        config.site_name = f"{company.name} {report.title} {report.period.end.year}"
        return config
