"""From a report context to HTML (Jinja2) and from HTML to PDF (WeasyPrint), offline."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from reports.context import (
    OrganisationReportContext,
    TeamReportContext,
    build_organisation_context,
    build_team_context,
)
from reports.i18n import Language
from reports.inputs import TeamExtras, WaveReportInputs

TEMPLATES_DIR = Path(__file__).parent / "templates"
# DejaVu, bundled (reports/fonts/LICENSE_DEJAVU.txt) so that every machine renders the same glyphs and metrics.
FONTS_DIR = Path(__file__).parent / "fonts"


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


def render_html(context: TeamReportContext | OrganisationReportContext, charts: dict[str, str]) -> str:
    """The report's HTML, with the charts drawn as data URIs under their names."""
    template = "team.html" if isinstance(context, TeamReportContext) else "organisation.html"
    return _environment().get_template(template).render(ctx=context, t=context.t, tn=context.t.plural, charts=charts)


def draw_charts(context: TeamReportContext | OrganisationReportContext) -> dict[str, str]:
    """Every chart of a report, drawn."""
    return {name: chart.draw() for name, chart in context.charts.items()}


@dataclass(frozen=True, slots=True)
class Pdf:
    """A rendered PDF and its page count."""

    data: bytes
    pages: int


def render_pdf(html: str) -> Pdf:
    """The PDF of a report's HTML."""
    fonts, stylesheet = _fonts_and_stylesheet()
    document = HTML(string=html, base_url=str(TEMPLATES_DIR), url_fetcher=_offline_fetcher()).render(
        stylesheets=[stylesheet], font_config=fonts
    )
    return Pdf(document.write_pdf(), len(document.pages))


@dataclass(frozen=True, slots=True)
class StageTimes:
    """CPU seconds spent on each stage of one report."""

    prepare: float
    charts: float
    html: float
    pdf: float


@dataclass(frozen=True, slots=True)
class RenderedReport:
    """One report's PDF, its page count, and where the time went."""

    pdf: bytes
    pages: int
    times: StageTimes


def render_report(
    inputs: WaveReportInputs, team: str | None, language: Language, extras: TeamExtras | None = None
) -> RenderedReport:
    """The report of the team of key `team`, or the organisation report when `team` is None."""
    clock = [time.process_time()]

    def lap() -> float:
        clock.append(time.process_time())
        return clock[-1] - clock[-2]

    context: TeamReportContext | OrganisationReportContext
    if team is None:
        context = build_organisation_context(inputs, language)
    else:
        context = build_team_context(inputs, team, language, extras)
    prepare = lap()
    charts = draw_charts(context)
    drawing = lap()
    html = render_html(context, charts)
    templating = lap()
    pdf = render_pdf(html)
    return RenderedReport(pdf.data, pdf.pages, StageTimes(prepare, drawing, templating, lap()))
