"""Invitation and reminder e-mails in French and English."""

from __future__ import annotations

from symmetry.texts import Catalog

MAIL_TEXTS: dict[str, dict[str, str]] = {
    "subject_invitation_employee": {
        "fr": "{organisation} : votre avis sur l'attention dans votre équipe",
        "en": "{organisation}: your view of attention in your team",
    },
    "subject_invitation_customer": {
        "fr": "{organisation} : votre avis sur l'équipe qui vous a servi",
        "en": "{organisation}: your view of the team that served you",
    },
    "subject_reminder": {"fr": "Rappel : {subject}", "en": "Reminder: {subject}"},
    "greeting": {"fr": "Bonjour,", "en": "Hello,"},
    "body_employee": {
        "fr": "{organisation} vous invite à dire comment vous vivez l'attention dans votre équipe, et comment vous "
        "pensez que vos clients la vivent. Cela prend environ 4 minutes.",
        "en": "{organisation} invites you to say how you experience attention in your team, and how you think your "
        "customers experience it. It takes about 4 minutes.",
    },
    "body_customer": {
        "fr": "Vous avez récemment été servi par l'équipe {team} de {organisation}. Votre avis sur l'attention reçue "
        "nous aide à progresser. Cela prend environ 2 minutes.",
        "en": "You were recently served by the {team} team at {organisation}. Your view of the attention you "
        "received helps them improve. It takes about 2 minutes.",
    },
    "anonymity": {
        "fr": "Vos réponses sont anonymes : elles sont enregistrées sans votre nom ni votre adresse, et aucun "
        "résultat n'est montré pour une équipe de moins de {threshold} répondants.",
        "en": "Your answers are anonymous: they are stored without your name or address, and no result is shown for "
        "a team with fewer than {threshold} respondents.",
    },
    "reminder_note": {
        "fr": "Si vous avez déjà répondu, merci, et ne tenez pas compte de ce message. Ce lien remplace celui du "
        "message précédent.",
        "en": "If you have already answered, thank you, and please ignore this message. This link replaces the one "
        "in the previous message.",
    },
    "call_to_action": {"fr": "Répondre à l'enquête", "en": "Answer the survey"},
    "deadline": {"fr": "L'enquête est ouverte jusqu'au {closes_on}.", "en": "The survey is open until {closes_on}."},
    "personal_link": {
        "fr": "Ce lien est personnel et ne sert qu'une fois ; ne le transférez pas.",
        "en": "This link is personal and works once; please do not forward it.",
    },
}


mail_text = Catalog(MAIL_TEXTS).text
