"""MkDocs plugin `cmr`: ties the website to data/.

- Names the site after the company and year in data/, so they are not typed
  again into mkdocs.yml.
- With earlier years in data/archive/<YEAR>/, extends the navigation of
  mkdocs.yml: "Changes from year to year", then "Earlier reports" with every
  earlier year's pages (newest first) under the same titles, so that strict
  mode finds every generated page in the nav.
"""
from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.plugins import BasePlugin

from generator import schema
from generator.content import Company, Report
from generator.problems import Problems
from generator.years import CHANGES_PAGE, archive_folders

log = logging.getLogger("mkdocs.plugins.cmr")


class CmrPlugin(BasePlugin):
    def on_config(self, config, **_):
        root = Path(config.config_file_path).parent
        data = root / "data"
        problems = Problems()
        company, _ = schema.load(data / "company.yml", Company, problems)
        report, _ = schema.load(data / "report.yml", Report, problems)
        if company is None or report is None:
            log.warning("data/ has errors; run `python -m generator check` (site name left as in mkdocs.yml)")
            return config
        config.site_name = f"{company.name} {report.title} {report.period.end.year}"
        years = [year for year, _folder in archive_folders(data, problems, root)]
        if years and config.nav:
            config.nav = extended_nav(config.nav, years)
        return config


def extended_nav(nav: list, years: list[int]) -> list:
    """The nav of mkdocs.yml, followed by the changes page and each earlier year's copy of it."""
    def under(items, year):
        out = []
        for item in items:
            for title, target in item.items() if isinstance(item, dict) else [(None, item)]:
                value = under(target, year) if isinstance(target, list) else f"{year}/{target}"
                out.append({title: value} if title is not None else value)
        return out

    earlier = [{str(year): under(nav, year)} for year in sorted(years, reverse=True)]
    return [*nav, {"Changes from year to year": CHANGES_PAGE}, {"Earlier reports": earlier}]

