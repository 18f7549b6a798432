"""The application's catalog of texts in French and English (gettext), and the language of each reader.

English is the source language: messages are written in English in the code and the templates, extracted by Babel
(``babel.cfg``, ``make messages``) into ``surveys/locale/messages.pot`` and translated in
``surveys/locale/fr/LC_MESSAGES/messages.po``, compiled to ``.mo`` at install (``make``). The pages take their
language from :mod:`surveys.i18n`; the ``symmetry`` command from its settings (:func:`command_language`).
This module imports no web framework, so that the command starts fast.
"""

from __future__ import annotations

import functools
import gettext as gettext_module
from pathlib import Path
from typing import Literal

import click

from reports.i18n import load_catalog
from surveys.explained import N_, Explained

Language = Literal["fr", "en"]
LANGUAGES: tuple[Language, ...] = ("fr", "en")
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
DEFAULT_LANGUAGE: Language = "fr"
BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


ROLE_LABELS = {
    "admin": N_("administrator"),
    "hr_lead": N_("HR lead"),
    "cx_lead": N_("CX lead"),
    "manager": N_("manager"),
    "viewer": N_("viewer"),
}
STATE_LABELS = {
    "draft": N_("draft"),
    "scheduled": N_("scheduled"),
    "open": N_("open"),
    "closing": N_("closing"),
    "closed": N_("closed"),
}
OUTCOME_LABELS = {
    "engagement": N_("Engagement (1-5)"),
    "enps": N_("eNPS (employees recommend the team as an employer)"),
    "nps": N_("NPS (customers recommend the team)"),
    "csat": N_("Customer satisfaction (1-5)"),
    "ces": N_("Customer effort (1-7, lower is better)"),
}
VOICE_LABELS = {
    "employee": N_("Employees: attention received"),
    "mirror": N_("Mirror: what the team thinks customers perceive"),
    "customer": N_("Customers: attention received"),
    "perception_gap": N_("Perception gap: mirror minus customers"),
}
ACTION_STATUS_LABELS = {
    "planned": N_("planned"),
    "in_progress": N_("in progress"),
    "done": N_("done"),
    "dropped": N_("dropped"),
}
DELIVERY_LABELS = {
    "pending": N_("pending"),
    "sending": N_("sending"),
    "sent": N_("sent"),
    "failed": N_("failed"),
    "cancelled": N_("cancelled"),
}
CUSTOMER_FORM_LABELS = {
    "full": N_("full"),
    "short": N_("short"),
}
ROSTER_CHANGE_LABELS = {
    "teams_created": N_("teams created"),
    "teams_renamed": N_("teams renamed"),
    "teams_moved": N_("teams moved"),
    "employees_added": N_("employees added"),
    "employees_updated": N_("employees updated"),
    "employees_deactivated": N_("employees deactivated"),
    "customers_added": N_("customers added"),
    "customers_updated": N_("customers updated"),
    "customers_deactivated": N_("customers deactivated"),
}
RESPONDENT_LABELS = {"employee": N_("employee"), "customer": N_("customer")}
MAIL_KIND_LABELS = {
    "invitation": N_("invitation"),
    "reminder": N_("reminder"),
    "report_notice": N_("report notice"),
    "password_reset": N_("password reset"),
}
LABELS = {
    "role": ROLE_LABELS,
    "respondent": RESPONDENT_LABELS,
    "mail_kind": MAIL_KIND_LABELS,
    "roster_change": ROSTER_CHANGE_LABELS,
    "delivery": DELIVERY_LABELS,
    "state": STATE_LABELS,
    "outcome": OUTCOME_LABELS,
    "voice": VOICE_LABELS,
    "action_status": ACTION_STATUS_LABELS,
    "customer_form": CUSTOMER_FORM_LABELS,
}
"""Words for the values the pages show, by kind: ``label("role", user.role.value)`` in a template."""


def choose_language(requested: str | None, fallback: str, accept_language: str | None = None) -> Language:
    """The language asked for, else the browser's first supported one, else `fallback`, else French."""
    for candidate in (requested, *_accepted(accept_language), fallback):
        for language in LANGUAGES:
            if candidate == language:
                return language
    return DEFAULT_LANGUAGE


def _accepted(header: str | None) -> list[str]:
    if not header:
        return []
    weighted = []
    for part in header.split(","):
        language, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        weighted.append((weight, language.split("-")[0].lower()))
    return [language for _, language in sorted(weighted, key=lambda pair: -pair[0])]


@functools.cache
def translation(language: Language) -> gettext_module.NullTranslations:
    """The pages' catalog of `language` (see :func:`reports.i18n.load_catalog`)."""
    return load_catalog(LOCALE_DIR, DOMAIN, language)


def command_language() -> Language:
    """The language of the running ``symmetry`` command: its settings' (``Settings.language``), else English.

    Read from the command's own context each time, so that nothing carries over from one command to the next in a
    process (the tests run many).
    """
    context = click.get_current_context(silent=True)
    settings = context.find_root().obj if context is not None else None
    return choose_language(getattr(settings, "language", None) or None, "en")


def tr(message: str, **values: object) -> str:
    """A message of the ``symmetry`` command in its language, with `values` filled in."""
    text = translation(command_language()).gettext(message)
    return text % values if values else text


def trn(singular: str, plural: str, count: int, **values: object) -> str:
    """A message of the ``symmetry`` command that counts `count` (``%(num)s``), in its language."""
    return translation(command_language()).ngettext(singular, plural, count) % {"num": count, **values}


def command_refusal(error: Exception) -> str:
    """A service's refusal written for the ``symmetry`` command, in its language."""
    return explain(error, command_language())


def explain(message: str | Exception | None, language: Language) -> str:
    """A message a handler chose (marked with ``N_``) or a service's refusal, in `language`.

    A plain message is translated with no formatting (it may hold a ``%``); a refusal fills its values in; any
    other error is shown as it is.
    """
    if not message:
        return ""
    gettext = translation(language).gettext
    if isinstance(message, Explained):
        return message.render(gettext)
    return gettext(message) if isinstance(message, str) else str(message)
