"""The pages in their reader's language: the survey pages, the error pages and the pages for leads and managers.

A page's language is its user's choice, else the browser's (``Accept-Language``), else French; a survey page's
is its invitation's. The texts come from the catalog of :mod:`surveys.catalog`.
"""

from __future__ import annotations

import datetime as dt
import gettext as gettext_module
from typing import Any

import jinja2
from babel.dates import format_date
from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Template

from reports.i18n import translator as report_translator
from surveys.catalog import (
    BABEL_LOCALES,
    DEFAULT_LANGUAGE,
    LABELS,
    LANGUAGES,
    Language,
    choose_language,
    explain,
    translation,
)

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
    """A survey page's language is given to its template (the invitation's); any other page's follows its reader."""
    given = context.get("language")
    if given in LANGUAGES:
        return given  # type: ignore[no-any-return]
    request = context.get("request")
    return page_language(request) if request is not None else DEFAULT_LANGUAGE


@jinja2.pass_context
def _language(context: jinja2.runtime.Context) -> Language:
    return _context_language(context)


@jinja2.pass_context
def _translated(context: jinja2.runtime.Context, message: str | Exception | None) -> str:
    return explain(message, _context_language(context))


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


def message_page(user: Any, message: str | Exception, status_code: int) -> Template:
    """A page for leads and managers that says one thing, in the page's language (:func:`explain`).

    `message` is marked with :func:`N_`, or is a service's refusal.
    """
    return Template("admin/message.html", context={"user": user, "message": message}, status_code=status_code)


def survey_message(
    language: Language, title: str, body: str, status_code: int = 200, headers: dict[str, str] | None = None
) -> Template:
    """A page for respondents (or anyone signed out) that says one thing: `title` and `body` are marked with ``N_``."""
    _ = translation(language).gettext
    return Template(
        "survey/message.html",
        context={"language": language, "title": _(title), "body": _(body)},
        status_code=status_code,
        headers=headers,
    )
