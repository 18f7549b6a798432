"""A person's data as they read it: the sections and fields of :func:`surveys.privacy.subject.subject_data`, named.

One partial (``privacy/_subject.html``) writes them, on the admins' page and in the standalone copy the command
and the page give to the person (``privacy/subject.html``), in French or English.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from surveys import i18n
from surveys.catalog import Language
from surveys.explained import N_

SECTIONS: tuple[tuple[str, str], ...] = (
    ("employee_of", N_("As an employee on a roster")),
    ("customer_of", N_("As a customer on a roster")),
    ("invitations", N_("Survey invitations")),
    ("emails", N_("E-mails sent or to be sent")),
    ("accounts", N_("Accounts")),
    ("teams_managed", N_("Teams managed")),
    ("action_plans", N_("Action plans")),
    ("audit_events", N_("Audit log entries naming this person")),
)
FIELDS: dict[str, str] = {
    "organisation": N_("Organisation"),
    "team": N_("Team"),
    "language": N_("Language"),
    "active": N_("Active"),
    "added_on": N_("Added on"),
    "changed_on": N_("Last changed on"),
    "interaction_date": N_("Interaction date"),
    "wave": N_("Wave"),
    "opens_on": N_("Opens"),
    "closes_on": N_("Closes"),
    "as": N_("Invited as"),
    "answered": N_("Answered"),
    "reminders_sent": N_("Reminders sent"),
    "personal_link_given_out": N_("Personal link given out"),
    "kind": N_("Kind"),
    "status": N_("Status"),
    "queued_on": N_("Queued on"),
    "sent_on": N_("Sent on"),
    "role": N_("Role"),
    "created_on": N_("Created on"),
    "password_resets": N_("Password resets asked"),
    "title": N_("Title"),
    "written_by_them": N_("Written by this person"),
    "owned_by_them": N_("Owned by this person"),
    "occurred_at": N_("When (UTC)"),
    "actor": N_("Who"),
    "action": N_("Action"),
    "target": N_("Target"),
    "details": N_("Details"),
}

VALUE_LABELS: dict[tuple[str, str], str] = {
    ("invitations", "as"): "respondent",
    ("emails", "kind"): "mail_kind",
    ("emails", "status"): "delivery",
    ("accounts", "role"): "role",
    ("action_plans", "status"): "action_status",
}
"""The fields whose stored values are written in words (:data:`surveys.catalog.LABELS`), by section."""

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parents[1] / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
i18n.install(_TEMPLATES)


def subject_context(data: dict[str, Any]) -> dict[str, Any]:
    """What the templates need to write `data`: its sections with their fields, in order."""
    from surveys.privacy.subject import ANSWERS_STATEMENT

    return {
        "data": data,
        "sections": SECTIONS,
        "fields": FIELDS,
        "value_labels": VALUE_LABELS,
        "answers_statement": ANSWERS_STATEMENT,
    }


def subject_document(data: dict[str, Any], language: Language) -> str:
    """The standalone HTML copy of a person's data, in `language`."""
    return _TEMPLATES.get_template("privacy/subject.html").render(subject_context(data) | {"language": language})
