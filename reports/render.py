"""From a report context to HTML (Jinja2) and from HTML to PDF (WeasyPrint), offline."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2
import matplotlib
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from reports.context import OrganisationReportContext, TeamReportContext

TEMPLATES_DIR = Path(__file__).parent / "templates"
FONTS_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@functools.cache
def _fonts_and_stylesheet() -> tuple[FontConfiguration, Any]:
    # Parsed once per process: font loading and stylesheet parsing dominate the cost of a small report.
    fonts = FontConfiguration()
    css = (TEMPLATES_DIR / "report.css").read_text(encoding="utf-8").replace("{fonts}", FONTS_DIR.as_uri())
    return fonts, CSS(string=css, font_config=fonts, url_fetcher=_offline_fetcher())


def _offline_fetcher() -> URLFetcher:
    """Reports embed their charts and read bundled fonts only; anything on the network is refused."""
    return URLFetcher(allowed_protocols={"file", "data"}, fail_on_errors=True)


def render_html(context: TeamReportContext | OrganisationReportContext) -> str:
    """The report's HTML."""
    template = "team.html" if isinstance(context, TeamReportContext) else "organisation.html"
    return _environment().get_template(template).render(ctx=context, t=context.t)


def render_pdf(html: str) -> bytes:
    """The PDF of a report's HTML."""
    fonts, stylesheet = _fonts_and_stylesheet()
    document = HTML(string=html, base_url=str(TEMPLATES_DIR), url_fetcher=_offline_fetcher())
    pdf: bytes = document.write_pdf(stylesheets=[stylesheet], font_config=fonts)
    return pdf
