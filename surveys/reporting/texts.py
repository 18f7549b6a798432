"""The report notice e-mailed to managers, in French and English."""

from __future__ import annotations

from symmetry.texts import Catalog

REPORT_MAIL_TEXTS: dict[str, dict[str, str]] = {
    "subject": {
        "fr": "{organisation} : le rapport de l'équipe {team} ({wave})",
        "en": "{organisation}: the {team} team's report ({wave})",
    },
    "greeting": {"fr": "Bonjour,", "en": "Hello,"},
    "body": {
        "fr": "Le rapport de l'équipe {team} pour l'enquête {wave} est prêt. Il montre comment votre équipe vit "
        "l'attention qu'elle reçoit, comment elle pense que ses clients la vivent, et ce que les clients en disent.",
        "en": "The {team} team's report for the {wave} survey is ready. It shows how your team experiences the "
        "attention it receives, how it thinks its customers experience it, and what customers say.",
    },
    "call_to_action": {"fr": "Télécharger le rapport", "en": "Download the report"},
    "sign_in": {
        "fr": "Connectez-vous avec votre compte Symmetry pour le télécharger.",
        "en": "Sign in with your Symmetry account to download it.",
    },
    "attached": {
        "fr": "Le rapport est joint à ce message (PDF).",
        "en": "The report is attached to this message (PDF).",
    },
    "confidential": {
        "fr": "Ce rapport vous est destiné ; ne le transférez pas en dehors de l'équipe de direction.",
        "en": "This report is meant for you; please do not forward it beyond the management team.",
    },
}


report_mail_text = Catalog(REPORT_MAIL_TEXTS).text
