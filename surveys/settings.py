"""The one typed settings object, read from ``SYMMETRY_*`` environment variables."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import msgspec

if TYPE_CHECKING:
    from symmetry.disclosure import DisclosureRules

PREFIX = "SYMMETRY_"
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{Path('var/symmetry.sqlite3').resolve()}"


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the environment variable."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Configuration of the application, the CLI and the jobs.

    Build it explicitly in tests; everywhere else use :meth:`from_env`.
    """

    environment: Literal["development", "test", "production"] = "development"
    language: Literal["fr", "en", ""] = ""
    """The language of the ``symmetry`` command's messages; empty: the locale's (``LC_ALL``, ``LC_MESSAGES``,
    ``LANG``, as every gettext program reads it) when it is French, else English."""
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = ""
    """Signs session cookies and CSRF tokens. Required in production; random per process otherwise."""
    public_url: str = "http://127.0.0.1:8000"
    """Where respondents reach the web app: the start of every survey link and QR code."""
    host: str = "127.0.0.1"
    port: Annotated[int, msgspec.Meta(ge=1, le=65535)] = 8000
    anonymity_threshold: Annotated[int, msgspec.Meta(ge=3)] = 5
    """Minimum employee respondents for any team-level employee figure; never below 3."""
    comment_threshold: Annotated[int, msgspec.Meta(ge=3)] = 10
    customer_minimum_employees: Annotated[int, msgspec.Meta(ge=1)] = 3
    """Fewest active employees in a team for its own customer figures: fewer, and customers would rate people."""
    database_echo: bool = False
    database_pool_size: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 20
    """Connections each process keeps open to PostgreSQL, and uses at most: more requests wait for one. Opening a
    connection per request beyond the pool (SQLAlchemy's overflow) cost intake half its throughput."""
    debug: bool = False
    """Tracebacks in error pages and logs: for a developer's machine only, never where respondents answer."""
    open_link_rate_limit: Annotated[int, msgspec.Meta(ge=1)] = 30
    """Requests per minute one client may make to the open-link pages."""
    client_address_header: str = ""
    """The header in which the deployment's own reverse proxy puts the client's address (for example
    ``X-Forwarded-For``); empty: the socket's peer. Never set it without such a proxy: clients can send any header."""
    smtp_host: str = ""
    """The SMTP server for invitations and reminders; empty means no e-mail (links come from `wave links`)."""
    smtp_port: Annotated[int, msgspec.Meta(ge=1, le=65535)] = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    smtp_from: str = "Symmetry <symmetry@localhost>"
    mail_per_second: Annotated[float, msgspec.Meta(gt=0)] = 5.0
    """Throttle: e-mails sent per second at most."""
    mail_attempts: Annotated[int, msgspec.Meta(ge=1, le=10)] = 3
    """Tries per e-mail and per sending run before it is recorded as failed (and retried by the next run)."""
    max_reminders: Annotated[int, msgspec.Meta(ge=0)] = 2
    """Reminders per person and wave at most."""
    jobs: Literal["auto", "inline", "queue"] = "auto"
    """Where long work runs: ``queue`` (SAQ's queue, taken by ``symmetry worker`` processes), ``inline`` (in the
    process that asked, after its commit), ``auto`` (``queue`` on PostgreSQL or with Redis, ``inline`` on SQLite)."""
    redis_url: str = ""
    """Redis (optional) for the job queue, the sessions and the throttles instead of PostgreSQL."""
    sweep_seconds: Annotated[float, msgspec.Meta(gt=0)] = 60.0
    """How often each worker sweeps (stuck e-mails and closes re-enqueued, expired rows purged) and opens and
    closes the waves whose dates have come."""
    mail_lease_seconds: Annotated[int, msgspec.Meta(ge=1)] = 600
    """How long a sender holds an outbox row it claimed; past it, another sender may take it (its sender died)."""
    job_heartbeat_seconds: Annotated[int, msgspec.Meta(ge=1)] = 300
    """A long job (a close, a chunk of reports) shows it is alive ten times in this span; past it without a sign,
    the queue takes its worker for dead and runs the job again."""
    reports_dir: str = "var/reports"
    """Where report jobs write the PDFs (``symmetry report render --out`` chooses its own folder)."""
    report_storage: str = ""
    """An object store's URL for the rendered reports (``s3://bucket/prefix``, ``file:///shared``...); empty: the
    files stay in ``reports_dir``, which every web machine must then read."""
    report_timeout_seconds: Annotated[float, msgspec.Meta(gt=0)] = 120.0
    """Longest one report may take to render; past it, it is failed (and tried again by the next run)."""
    render_processes: Annotated[int, msgspec.Meta(ge=1, le=64)] = 2
    """Rendering processes of each worker (the CLI takes ``--workers``)."""
    render_chunk: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 100
    """Reports per rendering job: the workers share a wave's reports in chunks of this size (each chunk starts its
    rendering processes and loads the wave's data again: about 2 s, a small part of 100 reports' 30 s)."""
    report_attach: bool = False
    """Whether ``symmetry report send`` attaches the PDF to the notice instead of linking to the download page."""

    @property
    def smtp_enabled(self) -> bool:
        """Whether e-mail is configured."""
        return bool(self.smtp_host)

    @property
    def disclosure_rules(self) -> DisclosureRules:
        """The disclosure gate's thresholds."""
        from symmetry.disclosure import DisclosureRules  # numpy and scipy, for the commands that need them

        return DisclosureRules(
            anonymity_threshold=self.anonymity_threshold,
            comment_threshold=self.comment_threshold,
            customer_minimum_employees=self.customer_minimum_employees,
        )

    def __post_init__(self) -> None:
        if self.comment_threshold < self.anonymity_threshold:
            raise SettingsError(
                f"{PREFIX}COMMENT_THRESHOLD ({self.comment_threshold}) must not be below "
                f"{PREFIX}ANONYMITY_THRESHOLD ({self.anonymity_threshold})"
            )
        if self.secret_key:
            return
        if self.environment == "production":
            raise SettingsError(f"{PREFIX}SECRET_KEY must be set when {PREFIX}ENVIRONMENT=production")
        # A random key is acceptable only where nothing signed needs to survive a restart.
        msgspec.structs.force_setattr(self, "secret_key", secrets.token_urlsafe(32))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every ``SYMMETRY_<FIELD>`` variable; unknown ``SYMMETRY_`` variables are an error."""
        source = os.environ if environ is None else environ
        fields = set(cls.__struct_fields__)
        values: dict[str, str] = {}
        for name, value in source.items():
            if not name.startswith(PREFIX) or name.startswith(f"{PREFIX}TEST_"):
                continue
            field = name.removeprefix(PREFIX).lower()
            if field not in fields:
                raise SettingsError(
                    f"{name} is not a known setting (known: {', '.join(sorted(PREFIX + f.upper() for f in fields))})"
                )
            values[field] = value
        if not values.get("language"):
            values["language"] = _locale_language(source)
        try:
            return msgspec.convert(values, cls, strict=False)
        except msgspec.ValidationError as error:
            raise SettingsError(_name_variable(str(error))) from None


def _locale_language(environ: Mapping[str, str]) -> str:
    """French when the first locale variable set names French (``fr_FR.UTF-8``, ``fr``), else English."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(name):
            return "fr" if environ[name].lower().startswith("fr") else "en"
    return "en"


def secret_key_configured(environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``SYMMETRY_SECRET_KEY`` is set: required as soon as more than one process serves or signs."""
    return bool((os.environ if environ is None else environ).get(f"{PREFIX}SECRET_KEY"))


def _name_variable(message: str) -> str:
    """Rewrite msgspec's ``at `$.field``` suffix into the environment variable's name."""
    head, _, path = message.partition(" - at `$.")
    if not path:
        return message
    return f"{PREFIX}{path.rstrip('`').upper()}: {head}"
