"""The reports read as a manager and a lead read them, on the demo's PDFs: what page 1 says, in plain words and one
rounding, with no page left nearly empty; the organisation report opening with its headline and its heatmap."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner
from pypdf import PdfReader

from reports.i18n import Translator
from surveys.cli import symmetry
from surveys.db import alchemy_config
from surveys.org.models import Team
from surveys.results.models import WaveAnalysisRecord
from surveys.settings import Settings
from surveys.waves.models import Invitation, Wave
from symmetry.domain import Respondent
from tests.support import run_sync

METHOD_NAMES = ("Benjamini", "Hochberg", "Welch", "ICC", "rwg", "Bonferroni", "REML", "Fisher", "bootstrap")
MARGIN_PT = 20 / 25.4 * 72  # the bottom margin of report.css, where the page number sits


def _pages(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def _filled(path: Path) -> list[float]:
    """How far down each page its text reaches, as a share of the page's height (the header and footer left out)."""
    shares = []
    for page in PdfReader(path).pages:
        height = float(page.mediabox.height)
        lows: list[float] = []

        def visit(text: str, cm: list[float], tm: list[float], *_: object, lows: list[float] = lows) -> None:
            if text.strip():
                lows.append(tm[5] * cm[3] + cm[5])

        page.extract_text(visitor_text=visit)
        body = [y for y in lows if MARGIN_PT + 5 < y < height - 18 / 25.4 * 72]
        shares.append(1 - min(body) / height if body else 0.0)
    return shares


def _links(path: Path) -> list[str]:
    """The addresses the PDF's links open."""
    return [
        annotation.get_object()["/A"]["/URI"]
        for page in PdfReader(path).pages
        for annotation in page.get("/Annots", [])
        if "/A" in annotation.get_object()
    ]


async def _facts(settings: Settings) -> tuple[dict[str, object], dict[str, int], str, dict[str, str]]:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            wave = (await session.scalars(sa.select(Wave).order_by(Wave.closes_on.desc()))).first()
            assert wave is not None
            document = (await session.get_one(WaveAnalysisRecord, wave.id)).document
            invited = dict(
                (
                    await session.execute(
                        sa.select(Team.external_id, sa.func.count())
                        .join(Invitation, Invitation.team_id == Team.id)
                        .where(Invitation.wave_id == wave.id, Invitation.respondent == Respondent.EMPLOYEE)
                        .group_by(Team.external_id)
                    )
                ).all()
            )
            ids = {key: str(team_id) for key, team_id in await session.execute(sa.select(Team.external_id, Team.id))}
            return document, invited, str(wave.id), ids
    finally:
        await config.get_engine().dispose()


def test_a_team_report_says_the_essentials_on_page_one_and_keeps_methods_to_the_end(
    cli_env: dict[str, str], clean_database: Settings, tmp_path: Path
) -> None:
    demo = CliRunner().invoke(symmetry, ["demo", "--teams", "12", "--seed", "5", "--out", str(tmp_path)], env=cli_env)
    assert demo.exit_code == 0, demo.output
    document, invited, wave_id, team_ids = run_sync(_facts(clean_database))
    teams = document["teams"]  # type: ignore[index]
    threshold = document["anonymity_threshold"]  # type: ignore[index]
    withheld_seen = 0
    for path in sorted((tmp_path / "teams").glob("*.pdf")):
        key = path.name.split("-")[0]
        pages = _pages(path)
        language = "fr" if "Vague :" in pages[0] else "en"
        t = Translator(language)  # type: ignore[arg-type]
        first, text = pages[0], " ".join(pages)
        answered = teams[key]["employee_respondents"]
        withheld_seen += answered is None
        if answered is None and invited[key] < threshold:  # too few invited for any employee figure
            sentence = t.plural(
                "%(num)s employee was invited: fewer than the %(threshold)s answers the team's own employee figures "
                "need.",
                "%(num)s employees were invited: fewer than the %(threshold)s answers the team's own employee figures "
                "need.",
                invited[key],
                threshold=threshold,
            )
        elif answered is None:  # withheld: the count is given as under the threshold, never exactly
            sentence = t.plural(
                "Fewer than %(threshold)s of the %(num)s employee invited answered.",
                "Fewer than %(threshold)s of the %(num)s employees invited answered.",
                invited[key],
                threshold=threshold,
            )
        else:
            sentence = t.plural(
                "%(answered)s of the %(num)s employee invited answered (%(rate)s).",
                "%(answered)s of the %(num)s employees invited answered (%(rate)s).",
                invited[key],
                answered=answered,
                rate=t.percent(answered / invited[key]),
            )
        assert " ".join(sentence.split()) in first, (key, first[:400])
        guide = first.split(t("To discuss with your team"), 1)
        assert len(guide) == 2, key
        assert guide[1].split(t("Strengths and focus areas"))[0].count("?") == 3, key  # three questions
        how_to_read = text.index(t("How to read this report"))
        assert not [name for name in METHOD_NAMES if name in text[:how_to_read]], key
        assert not re.search(r"\d[.,]\d\d(?!\d)", text), (key, re.findall(r".{30}\d[.,]\d\d.{10}", text))
        assert min(_filled(path)) > 0.3, (key, _filled(path))  # no page left nearly empty
        if t("Focus areas") in text:  # from the focus areas, a link to the team's page where actions are planned
            page_url = f"http://127.0.0.1:8000/waves/{wave_id}/teams/{team_ids[key]}#actions"
            assert set(_links(path)) == {page_url}, key  # one link, in as many boxes as it takes lines
    assert withheld_seen, "the demo no longer has a withheld team"

    organisation = _pages(tmp_path / "organisation-en.pdf")
    t = Translator("en")
    opening = " ".join(organisation[:2])
    assert opening.index(t("At a glance")) < opening.index(t("The branches by dimension"))
    assert opening.index(t("The branches by dimension")) < opening.index(t("The link between employees and customers"))
    assert t("Employees: attention received") in opening and t("Customers: attention received") in opening
