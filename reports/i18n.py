"""The reports' texts in French and English, and locale-aware number and date formatting."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Literal

from babel.dates import format_date
from babel.numbers import format_decimal

from symmetry.texts import Catalog

Language = Literal["fr", "en"]
LANGUAGES: tuple[Language, ...] = ("fr", "en")
_LOCALES = {"fr": "fr_FR", "en": "en_GB"}

MESSAGES: dict[str, dict[str, str]] = {
    "team_report": {"fr": "Rapport d'équipe", "en": "Team report"},
    "organisation_report": {"fr": "Rapport de l'organisation", "en": "Organisation report"},
    "wave": {"fr": "Vague", "en": "Wave"},
    "period": {"fr": "du {start} au {end}", "en": "from {start} to {end}"},
    "parent_team": {"fr": "Rattachée à", "en": "Part of"},
    "respondents": {"fr": "Répondants", "en": "Respondents"},
    "employees": {"fr": "Collaborateurs", "en": "Employees"},
    "customers": {"fr": "Clients", "en": "Customers"},
    "fewer_than": {"fr": "moins de {n}", "en": "fewer than {n}"},
    "headline": {"fr": "L'essentiel", "en": "At a glance"},
    "employee_score": {"fr": "Attention reçue par les collaborateurs", "en": "Attention employees receive"},
    "customer_score": {"fr": "Attention reçue par les clients", "en": "Attention customers receive"},
    "mirror_score": {
        "fr": "Ce que l'équipe pense que les clients perçoivent",
        "en": "What the team thinks customers see",
    },
    "score_unit": {"fr": "sur 5", "en": "out of 5"},
    "enps": {"fr": "eNPS (recommandation de l'équipe comme employeur)", "en": "eNPS (team recommended as a workplace)"},
    "nps": {"fr": "NPS (recommandation de l'équipe par les clients)", "en": "NPS (team recommended by customers)"},
    "csat": {"fr": "Satisfaction client (1 à 5)", "en": "Customer satisfaction (1 to 5)"},
    "ces": {"fr": "Effort client (1 à 7, plus bas = mieux)", "en": "Customer effort (1 to 7, lower is better)"},
    "engagement": {"fr": "Fierté d'appartenance (1 à 5)", "en": "Pride in the team (1 to 5)"},
    "gap_over": {
        "fr": "Votre équipe pense que les clients notent « {dimension} » {gap} plus haut qu'ils ne le font.",
        "en": "Your team thinks customers rate \u201c{dimension}\u201d {gap} higher than they do.",
    },
    "gap_under": {
        "fr": "Votre équipe pense que les clients notent « {dimension} » {gap} plus bas qu'ils ne le font.",
        "en": "Your team thinks customers rate \u201c{dimension}\u201d {gap} lower than they do.",
    },
    "gap_none": {
        "fr": "Sur aucune dimension, l'écart entre ce que pense l'équipe et ce que disent les clients n'est "
        "assez net pour être affirmé.",
        "en": "On no dimension is the gap between what the team thinks and what customers say clear enough "
        "to be stated.",
    },
    "the_mirror": {
        "fr": "Le miroir : trois regards sur chaque dimension",
        "en": "The mirror: three views of each dimension",
    },
    "mirror_intro": {
        "fr": "Pour chaque dimension : l'attention que les collaborateurs reçoivent, ce qu'ils pensent que les "
        "clients perçoivent, et ce que les clients disent recevoir. Les traits montrent l'intervalle de "
        "confiance à 95 %.",
        "en": "For each dimension: the attention employees receive, what they think customers see, and what "
        "customers say they receive. Bars show the 95% confidence interval.",
    },
    "voice_employee": {"fr": "Collaborateurs (attention reçue)", "en": "Employees (attention received)"},
    "voice_mirror": {"fr": "Collaborateurs (regard client estimé)", "en": "Employees (estimate of customers' view)"},
    "mirror_short": {"fr": "Estimation", "en": "Estimate"},
    "voice_customer": {"fr": "Clients (attention reçue)", "en": "Customers (attention received)"},
    "gaps": {"fr": "Les écarts", "en": "The gaps"},
    "dimension": {"fr": "Dimension", "en": "Dimension"},
    "overall": {"fr": "Ensemble", "en": "Overall"},
    "perception_gap": {"fr": "Écart de perception", "en": "Perception gap"},
    "symmetry_gap": {"fr": "Écart de symétrie", "en": "Symmetry gap"},
    "gaps_intro": {
        "fr": "Écart de perception = estimation de l'équipe moins note des clients (positif : l'équipe "
        "surestime). Écart de symétrie = attention reçue par les collaborateurs moins attention reçue par les "
        "clients. Entre crochets, l'intervalle de confiance à 95 % ; en gras, les écarts dont l'intervalle "
        "exclut zéro.",
        "en": "Perception gap = the team's estimate minus the customers' rating (positive: the team "
        "overestimates). Symmetry gap = attention employees receive minus attention customers receive. In "
        "brackets, the 95% confidence interval; in bold, gaps whose interval excludes zero.",
    },
    "position": {"fr": "Votre équipe dans l'organisation", "en": "Your team in the organisation"},
    "position_intro": {
        "fr": "Chaque point est une équipe (les autres équipes ne sont pas nommées). Axe horizontal : attention "
        "reçue par les collaborateurs ; axe vertical : attention reçue par les clients.",
        "en": "Each dot is a team (other teams are not named). Horizontal axis: attention employees receive; "
        "vertical axis: attention customers receive.",
    },
    "your_team": {"fr": "Votre équipe", "en": "Your team"},
    "other_teams": {"fr": "Autres équipes", "en": "Other teams"},
    "axis_employee": {
        "fr": "Attention reçue par les collaborateurs (1 à 5)",
        "en": "Attention employees receive (1 to 5)",
    },
    "axis_customer": {"fr": "Attention reçue par les clients (1 à 5)", "en": "Attention customers receive (1 to 5)"},
    "axis_score": {"fr": "Score moyen (1 à 5)", "en": "Mean score (1 to 5)"},
    "withheld_title": {"fr": "Résultats collaborateurs non affichés", "en": "Employee results withheld"},
    "withheld_body": {
        "fr": "Moins de {n} collaborateurs ont répondu : afficher leurs résultats permettrait de reconnaître les "
        "réponses de chacun. Ce rapport ne montre donc que les résultats des clients.",
        "en": "Fewer than {n} employees answered: showing their results could reveal individual answers. This "
        "report therefore shows customer results only.",
    },
    "how_to_read": {"fr": "Comment lire ce rapport", "en": "How to read this report"},
    "how_to_read_items": {
        "fr": "Les scores vont de 1 (pas du tout d'accord) à 5 (tout à fait d'accord).|"
        "Chaque score est une estimation : l'intervalle de confiance à 95 % indique la plage des valeurs "
        "plausibles. Plus il y a de répondants (n), plus l'intervalle est étroit.|"
        "Un écart n'est affirmé que si son intervalle exclut zéro ; sinon, les données ne permettent pas de "
        "conclure dans un sens ou dans l'autre. La phrase en tête ne cite un écart que s'il reste net une fois "
        "tenu compte des sept dimensions examinées ensemble.|"
        "Ces résultats décrivent l'équipe, jamais une personne : aucun résultat collaborateur n'est affiché "
        "sous {n} répondants.|"
        "Un lien entre l'attention reçue par les collaborateurs et celle reçue par les clients, observé entre "
        "équipes, ne prouve pas que l'une cause l'autre.",
        "en": "Scores run from 1 (strongly disagree) to 5 (strongly agree).|"
        "Each score is an estimate: the 95% confidence interval shows the range of plausible values. The more "
        "respondents (n), the narrower the interval.|"
        "A gap is stated only when its interval excludes zero; otherwise the data do not allow a conclusion "
        "either way. The sentence at the top names a gap only if it stays clear once the seven dimensions tested "
        "together are allowed for.|"
        "These results describe the team, never a person: no employee result is shown below {n} respondents.|"
        "A link between the attention employees receive and the attention customers receive, observed across "
        "teams, does not prove that one causes the other.",
    },
    "linkage": {"fr": "Le lien entre collaborateurs et clients", "en": "The link between employees and customers"},
    "linkage_sentence": {
        "fr": "Entre les {n} équipes comparables, la corrélation entre l'attention reçue par les collaborateurs "
        "et celle reçue par les clients est r = {r} (IC 95 % : {low} à {high} ; p = {p}).",
        "en": "Across the {n} comparable teams, the correlation between the attention employees receive and the "
        "attention customers receive is r = {r} (95% CI: {low} to {high}; p = {p}).",
    },
    "linkage_missing": {
        "fr": "Trop peu d'équipes comparables pour estimer une corrélation.",
        "en": "Too few comparable teams to estimate a correlation.",
    },
    "corrected_sentence": {
        "fr": "Corrigée du manque de fiabilité des moyennes d'équipe (ICC(2) : {rel_e} côté collaborateurs, "
        "{rel_c} côté clients), la corrélation estimée entre scores vrais serait de {corrected}. Cette valeur "
        "corrigée est une estimation, pas un résultat testé.",
        "en": "Corrected for the unreliability of team means (ICC(2): {rel_e} for employees, {rel_c} for "
        "customers), the estimated correlation between true scores would be {corrected}. This corrected value "
        "is an estimate, not a tested result.",
    },
    "power_sentence": {
        "fr": "Avec {n} équipes, seule une corrélation d'au moins {mdr} est détectée avec 80 % de chances "
        "(test bilatéral à 5 %). Un résultat non significatif ne signifie donc pas « aucun lien » ; les études "
        "publiées trouvent une corrélation vraie d'environ 0,33 (Harter, Schmidt et Hayes 2002).",
        "en": "With {n} teams, only a correlation of at least {mdr} is detected with 80% probability "
        "(two-sided test at 5%). A non-significant result therefore does not mean \u201cno link\u201d; published "
        "studies find a true correlation of about .33 (Harter, Schmidt and Hayes 2002).",
    },
    "excluded_sentence": {
        "fr": "{withheld} équipe(s) sous le seuil d'anonymat ({threshold} répondants) ne figurent ni dans le "
        "nuage de points ni dans la corrélation.",
        "en": "{withheld} team(s) below the anonymity threshold ({threshold} respondents) appear neither in the "
        "scatter nor in the correlation.",
    },
    "regression_line": {"fr": "Droite de régression (IC 95 %)", "en": "Regression line (95% CI)"},
    "teams": {"fr": "Équipes", "en": "Teams"},
    "aggregation": {"fr": "Les moyennes d'équipe sont-elles fiables ?", "en": "Are team means reliable?"},
    "aggregation_intro": {
        "fr": "ICC(1) : part des différences de réponses qui tient à l'équipe. ICC(2) : fiabilité des moyennes "
        "d'équipe ; on vise au moins 0,70 pour comparer les équipes, et sous 0,50 les moyennes sont surtout du "
        "bruit.",
        "en": "ICC(1): the share of differences in answers that lies between teams. ICC(2): the reliability of "
        "team means; at least .70 is the usual bar to compare teams, and below .50 means are mostly noise.",
    },
    "voice": {"fr": "Regard", "en": "Voice"},
    "team_overview": {"fr": "Les équipes", "en": "The teams"},
    "team": {"fr": "Équipe", "en": "Team"},
    "withheld_mark": {"fr": "non affiché", "en": "withheld"},
    "page": {"fr": "Page", "en": "Page"},
    "generated_by": {"fr": "Symmetry, symétrie des attentions", "en": "Symmetry, the symmetry of attention"},
}


CATALOG = Catalog(MESSAGES)


@dataclass(frozen=True, slots=True)
class Translator:
    """Texts and number formats of one language."""

    language: Language

    def __call__(self, key: str, **values: object) -> str:
        """The text of `key`, with `values` substituted."""
        return CATALOG.text(key, self.language, **values)

    def label(self, key: str) -> str:
        """The text of `key` followed by a colon, with the space French typography puts before it."""
        return self(key) + (" :" if self.language == "fr" else ":")

    def number(self, value: float | None, digits: int = 1) -> str:
        """A decimal in the language's convention ("3,4" in French), with a true minus sign; a dash when missing."""
        if value is None or not math.isfinite(value):
            return "–"
        rounded = round(value, digits) + 0.0  # adding 0.0 turns a rounded -0.0 into 0.0
        text = format_decimal(abs(rounded), format=f"#,##0.{'0' * digits}", locale=_LOCALES[self.language])
        return ("−" if rounded < 0 else "") + text

    def signed(self, value: float | None, digits: int = 1) -> str:
        """A decimal with an explicit sign, for gaps."""
        if value is None or not math.isfinite(value):
            return "–"
        return ("+" if round(value, digits) > 0 else "") + self.number(value, digits)

    def interval(self, ci: tuple[float, float] | None, digits: int = 1) -> str:
        """An interval as "[low ; high]" in French, "[low, high]" in English."""
        if ci is None or not all(math.isfinite(v) for v in ci):
            return "–"
        separator = " ; " if self.language == "fr" else ", "
        return f"[{self.number(ci[0], digits)}{separator}{self.number(ci[1], digits)}]"

    def pvalue(self, value: float) -> str:
        """A p-value, with "< 0.001" below a thousandth."""
        if value < 0.001:
            return "< " + self.number(0.001, 3)
        return self.number(value, 3)

    def date(self, value: dt.date) -> str:
        """A long date in the language's convention."""
        return format_date(value, format="long", locale=_LOCALES[self.language])
