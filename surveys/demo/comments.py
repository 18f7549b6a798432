"""What the demo's simulated employees write in the optional comment box: plausible remarks, drawn at random."""

from __future__ import annotations

import numpy as np

# The share of employees who write something: open boxes are left empty by most respondents.
COMMENT_RATE = 0.35

EMPLOYEE_COMMENTS = (
    "Plus de temps avec le manager en tête-à-tête aiderait à mieux servir les clients.",
    "We hear about changes from customers before we hear about them from head office.",
    "L'équipe s'entraide beaucoup, c'est ce qui tient quand il y a du monde.",
    "Our scheduling tool makes it hard to follow up with the same customer twice.",
    "On aimerait être consultés avant les changements de procédure.",
    "Training on the new products came after the launch, not before.",
    "Les retours des clients ne nous arrivent jamais : on ne sait pas ce qui marche.",
    "My manager listens, but decisions are taken two levels up.",
    "Trop d'indicateurs à remplir, pas assez de temps pour les clients.",
    "Recognition is rare; a thank-you now and then would go a long way.",
    "Les nouveaux arrivants sont bien accueillis, on prend le temps de les former.",
    "We need clearer answers from the back office when a customer has a problem.",
    "Le planning change trop souvent au dernier moment.",
    "I feel trusted to solve customer problems my own way.",
    "Il manque du personnel le samedi, les clients attendent et nous le reprochent.",
    "Team meetings are useful when they are short and about real cases.",
)


def draw_comment(rng: np.random.Generator) -> dict[str, str]:
    """The comment box of one simulated employee: usually empty, sometimes one remark."""
    if rng.random() >= COMMENT_RATE:
        return {}
    return {"comment.employee": EMPLOYEE_COMMENTS[int(rng.integers(len(EMPLOYEE_COMMENTS)))]}
