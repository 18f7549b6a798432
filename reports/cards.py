"""Printable open-link cards: A6, four to an A4 sheet, each with its team, a call to action, a QR code and the link."""

from __future__ import annotations

import base64
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from weasyprint import CSS, HTML

from reports.i18n import Language, translator
from reports.qr import qr_code
from reports.render import FONTS_DIR, TEMPLATES_DIR, Pdf, _environment, _offline_fetcher

CARDS_PER_SHEET = 4


@dataclass(frozen=True, slots=True)
class Card:
    """One team's card: its name, its organisation, its permanent link, in the language of its customers."""

    team: str
    organisation: str
    url: str
    language: Language


def qr_data_uri(url: str) -> str:
    """The QR code of `url` as an SVG data URI, for a card."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_code(url, "svg")).decode()


@functools.cache
def _stylesheet() -> CSS:
    css = (TEMPLATES_DIR / "cards.css").read_text(encoding="utf-8").replace("{fonts}", FONTS_DIR.as_uri())
    return CSS(string=css, url_fetcher=_offline_fetcher())


def cards_html(cards: Sequence[Card]) -> str:
    """The sheets' HTML: the cards in order, four to a sheet."""
    sheets = [cards[start : start + CARDS_PER_SHEET] for start in range(0, len(cards), CARDS_PER_SHEET)]
    return (
        _environment()
        .get_template("cards.html")
        .render(
            sheets=[[(card, translator(card.language), qr_data_uri(card.url)) for card in sheet] for sheet in sheets]
        )
    )


def render_cards(cards: Sequence[Card]) -> Pdf:
    """The PDF of the cards, ready to print on A4 and cut in four."""
    document = HTML(string=cards_html(cards), base_url=str(TEMPLATES_DIR), url_fetcher=_offline_fetcher()).render(
        stylesheets=[_stylesheet()]
    )
    return Pdf(document.write_pdf(), len(document.pages))
