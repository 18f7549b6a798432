"""The survey pages' texts in French and English."""

from __future__ import annotations

from typing import Literal

from symmetry.texts import Catalog

Language = Literal["fr", "en"]
LANGUAGES: tuple[Language, ...] = ("fr", "en")

TEXTS: dict[str, dict[str, str]] = {
    "employee_title": {
        "fr": "Votre regard sur l'attention dans votre équipe",
        "en": "Your view of attention in your team",
    },
    "customer_title": {"fr": "Votre avis sur l'équipe qui vous a servi", "en": "Your view of the team that served you"},
    "intro_employee": {
        "fr": "Environ 4 minutes. Il n'y a pas de bonne ou de mauvaise réponse : répondez selon votre expérience.",
        "en": "About 4 minutes. There are no right or wrong answers: answer from your own experience.",
    },
    "intro_customer": {"fr": "Environ 2 minutes.", "en": "About 2 minutes."},
    "anonymity_title": {"fr": "Vos réponses sont anonymes", "en": "Your answers are anonymous"},
    "anonymity_body": {
        "fr": "Vos réponses sont enregistrées sans votre nom, votre adresse, ce lien ni aucune date, et même la base "
        "de données ne permet pas de les relier à vous (sauf si vous êtes seul à répondre dans votre équipe). Sous "
        "{threshold} répondants dans votre équipe, aucun de ses résultats ni son nombre de répondants n'est publié, "
        "et vos réponses n'entrent dans aucun chiffre. Les commentaires ne sont montrés qu'à partir de {comments} "
        "répondants, mélangés et sans date.",
        "en": "Your answers are stored without your name, your address, this link or any date, and not even the "
        "database links them to you (unless you are the only one in your team to answer). Below {threshold} "
        "respondents in your team, none of its results and no count of its respondents is published, and your "
        "answers enter no figure at all. Comments are shown only from {comments} respondents, shuffled and undated.",
    },
    "step_of": {"fr": "Étape {step} sur {steps}", "en": "Step {step} of {steps}"},
    "step_employee": {"fr": "L'attention que vous recevez", "en": "The attention you receive"},
    "step_mirror": {"fr": "Comment vos clients voient votre équipe", "en": "How your customers see your team"},
    "step_mirror_intro": {
        "fr": "Mettez-vous à la place de vos clients : comment répondraient-ils ?",
        "en": "Put yourself in your customers' shoes: how would they answer?",
    },
    "step_customer": {"fr": "L'attention que vous avez reçue", "en": "The attention you received"},
    "step_outcomes": {"fr": "Pour finir", "en": "To finish"},
    "agree_1": {"fr": "Pas du tout d'accord", "en": "Strongly disagree"},
    "agree_2": {"fr": "Plutôt pas d'accord", "en": "Disagree"},
    "agree_3": {"fr": "Ni l'un ni l'autre", "en": "Neither"},
    "agree_4": {"fr": "Plutôt d'accord", "en": "Agree"},
    "agree_5": {"fr": "Tout à fait d'accord", "en": "Strongly agree"},
    "nps_low": {"fr": "0 : pas du tout probable", "en": "0: not at all likely"},
    "nps_high": {"fr": "10 : très probable", "en": "10: extremely likely"},
    "csat_low": {"fr": "1 : pas du tout satisfait", "en": "1: not at all satisfied"},
    "csat_high": {"fr": "5 : tout à fait satisfait", "en": "5: completely satisfied"},
    "ces_low": {"fr": "1 : très peu d'effort", "en": "1: very little effort"},
    "ces_high": {"fr": "7 : énormément d'effort", "en": "7: a great deal of effort"},
    "optional": {"fr": "facultatif", "en": "optional"},
    "characters_max": {"fr": "{n} caractères au plus", "en": "{n} characters at most"},
    "next": {"fr": "Continuer", "en": "Continue"},
    "back": {"fr": "Retour", "en": "Back"},
    "submit": {"fr": "Envoyer mes réponses", "en": "Send my answers"},
    "language_switch": {"fr": "Langue", "en": "Language"},
    "errors_title": {"fr": "Quelques réponses sont à compléter", "en": "Some answers need your attention"},
    "error_required": {"fr": "Choisissez une réponse.", "en": "Choose an answer."},
    "error_range": {"fr": "Choisissez une des réponses proposées.", "en": "Choose one of the answers offered."},
    "error_too_long": {
        "fr": "Votre commentaire dépasse {n} caractères ; raccourcissez-le.",
        "en": "Your comment is longer than {n} characters; please shorten it.",
    },
    "thanks_title": {"fr": "Merci !", "en": "Thank you!"},
    "thanks_body": {
        "fr": "Vos réponses sont enregistrées. Vous pouvez fermer cette page.",
        "en": "Your answers are recorded. You may close this page.",
    },
    "unknown_title": {"fr": "Ce lien n'est pas valide", "en": "This link is not valid"},
    "unknown_body": {
        "fr": "Vérifiez que vous avez copié le lien en entier. S'il a été renvoyé depuis, seul le dernier lien reçu "
        "fonctionne.",
        "en": "Check that you copied the whole link. If it was sent again since, only the latest link you "
        "received works.",
    },
    "used_title": {"fr": "Vous avez déjà répondu", "en": "You have already answered"},
    "used_body": {
        "fr": "Ce lien a déjà servi à répondre ; on ne peut répondre qu'une fois. Merci de votre participation.",
        "en": "This link has already been used to answer; each person answers once. Thank you for taking part.",
    },
    "already_here_body": {
        "fr": "Une réponse a déjà été envoyée depuis ce navigateur pour cette enquête. Merci de votre participation.",
        "en": "An answer has already been sent from this browser for this survey. Thank you for taking part.",
    },
    "not_open_title": {"fr": "Cette enquête est fermée", "en": "This survey is closed"},
    "not_open_body": {
        "fr": "Cette enquête ne reçoit plus de réponses. Merci de votre intérêt.",
        "en": "This survey no longer takes answers. Thank you for your interest.",
    },
    "error_404_title": {"fr": "Page introuvable", "en": "Page not found"},
    "error_404_body": {
        "fr": "Cette adresse ne mène à aucune page. Vérifiez le lien que vous avez reçu.",
        "en": "This address leads to no page. Check the link you received.",
    },
    "error_400_title": {"fr": "Demande illisible", "en": "Unreadable request"},
    "error_400_body": {
        "fr": "Votre navigateur a envoyé une demande que nous ne savons pas lire. Revenez en arrière et réessayez.",
        "en": "Your browser sent a request we cannot read. Go back and try again.",
    },
    "error_405_title": {"fr": "Action impossible", "en": "Action not possible"},
    "error_405_body": {
        "fr": "Cette page ne permet pas cette action. Revenez en arrière et réessayez.",
        "en": "This page does not allow that action. Go back and try again.",
    },
    "error_413_title": {"fr": "Envoi trop volumineux", "en": "Upload too large"},
    "error_413_body": {
        "fr": "Ce que vous avez envoyé dépasse la taille acceptée.",
        "en": "What you sent is larger than we accept.",
    },
    "error_429_title": {"fr": "Trop de demandes", "en": "Too many requests"},
    "error_429_body": {
        "fr": "Trop de demandes en peu de temps. Patientez un instant puis réessayez.",
        "en": "Too many requests in a short time. Wait a moment, then try again.",
    },
    "error_500_title": {"fr": "Une erreur est survenue", "en": "Something went wrong"},
    "error_500_body": {
        "fr": "Une erreur inattendue nous empêche d'afficher cette page. Elle est enregistrée ; réessayez dans "
        "quelques minutes.",
        "en": "An unexpected error keeps us from showing this page. It has been recorded; try again in a few minutes.",
    },
    "error_503_title": {"fr": "Service momentanément indisponible", "en": "Service briefly unavailable"},
    "error_503_body": {
        "fr": "Le service est très sollicité. Réessayez dans quelques secondes : rien n'a été perdu.",
        "en": "The service is very busy. Try again in a few seconds: nothing was lost.",
    },
}


text = Catalog(TEXTS).text


def choose_language(requested: str | None, fallback: str, accept_language: str | None = None) -> Language:
    """The page's language: the one asked for, else the browser's first supported one, else `fallback`."""
    for candidate in (requested, *_accepted(accept_language), fallback):
        for language in LANGUAGES:
            if candidate == language:
                return language
    return "fr"


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
