"""The pages', e-mails' and commands' texts for leads and managers, through gettext catalogs.

English is the source language: messages are written in English in the code and the templates, extracted by Babel
(``babel.cfg``, ``make messages``) into ``surveys/locale/messages.pot`` and translated in
``surveys/locale/fr/LC_MESSAGES/messages.po``, compiled to ``.mo`` at install (``make``). A page's language is its
user's choice, else the browser's (``Accept-Language``), else French.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext as gettext_module
from pathlib import Path
from typing import Any

import jinja2
from babel.dates import format_date
from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Template

from reports.i18n import load_catalog
from reports.i18n import translator as report_translator
from surveys.collection.texts import LANGUAGES, Language, choose_language

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
DEFAULT_LANGUAGE: Language = "fr"
BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def N_(message: str) -> str:  # the name Babel's extraction looks for
    """Mark `message` for extraction where it is translated later (labels looked up by value)."""
    return message


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
LABELS = {
    "role": ROLE_LABELS,
    "state": STATE_LABELS,
    "outcome": OUTCOME_LABELS,
    "voice": VOICE_LABELS,
    "action_status": ACTION_STATUS_LABELS,
}
"""Words for the values the pages show, by kind: ``label("role", user.role.value)`` in a template."""


@functools.cache
def translation(language: Language) -> gettext_module.NullTranslations:
    """The pages' catalog of `language` (see :func:`reports.i18n.load_catalog`)."""
    return load_catalog(LOCALE_DIR, DOMAIN, language)


LANGUAGE_COOKIE = "lang"
"""The language a signed-in user chose, kept in the browser too: pages no account is known on (a 404, a refusal
before sign-in) follow it. It holds "fr" or "en" and nothing else."""


def language_cookie(language: str, *, secure: bool) -> Cookie:
    """The cookie that keeps `language` for the pages answered without an account (a year)."""
    return Cookie(
        key=LANGUAGE_COOKIE, value=language, max_age=365 * 86400, httponly=True, samesite="lax", secure=secure
    )


def request_language(request: Request[Any, Any, Any]) -> Language:
    """The language of a page without an account: ``?lang=``, else the kept choice, else the browser's, else French."""
    kept = request.cookies.get(LANGUAGE_COOKIE)
    return choose_language(
        request.query_params.get("lang") or (kept if kept in LANGUAGES else None),
        DEFAULT_LANGUAGE,
        request.headers.get("accept-language"),
    )


def page_language(request: Request[Any, Any, Any]) -> Language:
    """The language of the page answering `request`: the user's choice, else :func:`request_language`'s."""
    chosen = getattr(request.state, "language", None)
    if chosen is None:
        user = request.scope.get("user")
        preference = getattr(user, "language", None)
        chosen = preference if preference in LANGUAGES else request_language(request)
        request.state.language = chosen
    return chosen


def translator(request: Request[Any, Any, Any]) -> gettext_module.NullTranslations:
    """The catalog of the page answering `request`, for the messages its handler writes (``.gettext``)."""
    return translation(page_language(request))


@jinja2.pass_context
def _gettext(context: jinja2.runtime.Context, message: str) -> str:
    return translation(_context_language(context)).gettext(message)


@jinja2.pass_context
def _ngettext(context: jinja2.runtime.Context, singular: str, plural: str, count: int) -> str:
    return translation(_context_language(context)).ngettext(singular, plural, count)


def _context_language(context: jinja2.runtime.Context) -> Language:
    request = context.get("request")
    return page_language(request) if request is not None else DEFAULT_LANGUAGE


@jinja2.pass_context
def _language(context: jinja2.runtime.Context) -> Language:
    return _context_language(context)


@jinja2.pass_context
def _translated(context: jinja2.runtime.Context, message: str | None) -> str:
    """A message the handler chose (marked with ``N_``), translated with no formatting: it may hold a ``%``."""
    return translation(_context_language(context)).gettext(message) if message else ""


@jinja2.pass_context
def _label(context: jinja2.runtime.Context, kind: str, value: str) -> str:
    return translation(_context_language(context)).gettext(LABELS[kind].get(value, value))


@jinja2.pass_context
def _format_date(context: jinja2.runtime.Context, value: dt.date) -> str:
    return format_date(value, format="medium", locale=BABEL_LOCALES[_context_language(context)])


# Numbers, intervals and percentages as the PDF reports write them, so that a page and a report agree to the digit.
@jinja2.pass_context
def _format_number(context: jinja2.runtime.Context, value: float | None, digits: int = 1) -> str:
    return report_translator(_context_language(context)).number(value, digits)


@jinja2.pass_context
def _format_interval(context: jinja2.runtime.Context, ci: tuple[float, float] | None, digits: int = 1) -> str:
    return report_translator(_context_language(context)).interval(ci, digits)


@jinja2.pass_context
def _format_signed(context: jinja2.runtime.Context, value: float | None, digits: int = 1) -> str:
    return report_translator(_context_language(context)).signed(value, digits)


@jinja2.pass_context
def _format_percent(context: jinja2.runtime.Context, share: float) -> str:
    return report_translator(_context_language(context)).percent(share)


def install(environment: jinja2.Environment) -> None:
    """Give `environment`'s templates gettext in the page's language, and its formats.

    ``_``, ``gettext``, ``ngettext`` and ``{% trans %}`` take Jinja's new-style formatting (``_("%(n)s teams",
    n=n)``, escaped); ``translated(message)`` translates a message a handler marked with :func:`N_` (an error
    from a service, not in the catalog, stays as it is); ``page_language()``, ``label(kind, value)`` (:data:`LABELS`),
    ``format_date``, ``format_number``, ``format_signed`` (a gap or a change, with its sign), ``format_interval``
    and ``format_percent`` follow the same language.
    """
    environment.add_extension("jinja2.ext.i18n")
    environment.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        gettext=_gettext, ngettext=_ngettext, newstyle=True
    )
    environment.globals.update(
        page_language=_language,
        translated=_translated,
        label=_label,
        format_date=_format_date,
        format_number=_format_number,
        format_signed=_format_signed,
        format_percent=_format_percent,
        format_interval=_format_interval,
    )


def message_page(user: Any, message: str, status_code: int) -> Template:
    """A page for leads and managers that says one thing.

    `message` is shown in the page's language when the catalog has it (marked with :func:`N_`), else as it is (an
    error a service wrote).
    """
    return Template("admin/message.html", context={"user": user, "message": message}, status_code=status_code)
