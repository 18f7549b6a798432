"""The reports' texts, in French and English."""

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
        "fr": "Sur aucune dimension, l'écart entre ce que pense l'équipe et ce que disent les clients ne reste "
        "assez net, une fois les {k} dimensions examinées ensemble, pour être affirmé.",
        "en": "On no dimension does the gap between what the team thinks and what customers say stay clear enough, "
        "once the {k} dimensions are examined together, to be stated.",
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
        "clients. Entre crochets, l'intervalle de confiance à 95 % de l'écart (ceux des notes sont sur le "
        "graphique du miroir) ; en gras, les écarts dont l'intervalle exclut zéro. Seuls sont énoncés ci-dessous "
        "ceux qui restent nets une fois les {k} dimensions examinées ensemble (Benjamini-Hochberg).",
        "en": "Perception gap = the team's estimate minus the customers' rating (positive: the team "
        "overestimates). Symmetry gap = attention employees receive minus attention customers receive. In "
        "brackets, the gap's 95% confidence interval (the scores' are on the mirror chart); in bold, gaps whose "
        "interval excludes zero. Only those that stay clear once the {k} dimensions are examined together "
        "(Benjamini-Hochberg) are stated below.",
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
        "réponses de chacun. Leurs réponses n'entrent donc dans aucun chiffre publié, même d'ensemble, et leur "
        "nombre exact n'est donné nulle part. Ce rapport montre les résultats des clients et ceux des équipes "
        "voisines assez nombreuses.",
        "en": "Fewer than {n} employees answered: showing their results could reveal individual answers. Their "
        "answers therefore enter no published figure, not even organisation-wide ones, and their exact number is "
        "given nowhere. This report shows customer results and those of nearby teams with enough answers.",
    },
    "customer_withheld_title": {"fr": "Résultats clients non affichés", "en": "Customer results withheld"},
    "customer_withheld_body": {
        "fr": "L'équipe compte moins de {n} collaborateurs : ce que ses clients en disent évaluerait des personnes "
        "reconnaissables. Ses résultats clients ne sont donc montrés que regroupés avec d'autres équipes.",
        "en": "The team has fewer than {n} employees: what its customers say of it would rate identifiable people. "
        "Its customer results are therefore shown only pooled with other teams.",
    },
    "how_to_read": {"fr": "Comment lire ce rapport", "en": "How to read this report"},
    "how_to_read_items": {
        "fr": "Les scores vont de 1 (pas du tout d'accord) à 5 (tout à fait d'accord).|"
        "Chaque score est une estimation : l'intervalle de confiance à 95 % indique la plage des valeurs "
        "plausibles, coupée aux bornes de l'échelle. Plus il y a de répondants (n), plus l'intervalle est "
        "étroit. Pour un groupe d'équipes, "
        "l'intervalle tient compte de ce que les réponses d'une même équipe se ressemblent : il est calculé sur "
        "les écarts entre équipes (erreur type robuste par équipe) quand cela l'élargit.|"
        "Un écart n'est affirmé que s'il reste net une fois les {k} dimensions examinées ensemble ; sinon, les "
        "données ne permettent pas de conclure dans un sens ou dans l'autre. Points forts et axes de progrès "
        "reposent sur des intervalles à 95 % pris un à un : à lire comme des pistes.|"
        "Ces résultats décrivent l'équipe, jamais une personne. Sous {n} répondants, aucun résultat "
        "collaborateur de l'équipe n'est affiché ni compté dans un autre chiffre (regroupement, ensemble de "
        "l'organisation, taux de réponse) : en combinant tout ce que Symmetry publie, personne ne peut le "
        "retrouver. Une équipe de moins de {m} collaborateurs n'a pas de résultats clients propres.|"
        "Un lien entre l'attention reçue par les collaborateurs et celle reçue par les clients, observé entre "
        "équipes, ne prouve pas que l'une cause l'autre.",
        "en": "Scores run from 1 (strongly disagree) to 5 (strongly agree).|"
        "Each score is an estimate: the 95% confidence interval shows the range of plausible values, cut at the "
        "ends of the scale. The more "
        "respondents (n), the narrower the interval. For a group of teams, the interval allows for answers from "
        "one team resembling each other: it is computed from the differences between teams (a standard error "
        "robust to clustering by team) where that widens it.|"
        "A gap is stated only if it stays clear once the {k} dimensions are examined together; otherwise the "
        "data do not allow a conclusion either way. Strengths and focus areas rest on 95% intervals taken one by "
        "one: read them as leads.|"
        "These results describe the team, never a person. Below {n} respondents, no employee result of the team "
        "is shown or counted in any other figure (a group, the whole organisation, response rates): combining "
        "everything Symmetry publishes, nobody can work it out. A team of fewer than {m} employees has no "
        "customer results of its own.|"
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
        "fr": "Corrigée du manque de fiabilité des moyennes d'équipe (ICC(2) des équipes comparées : {rel_e} côté "
        "collaborateurs, {rel_c} côté clients), la corrélation entre scores vrais est estimée à {corrected}, "
        "entre {low} et {high} (intervalle prudent à 95 %, qui porte aussi l'incertitude des deux fiabilités). "
        "C'est une estimation : seule la corrélation observée est testée.",
        "en": "Corrected for the unreliability of team means (ICC(2) of the teams compared: {rel_e} for employees, "
        "{rel_c} for customers), the correlation between true scores is estimated at {corrected}, between {low} and "
        "{high} (a conservative 95% interval that also carries the uncertainty of both reliabilities). It is an "
        "estimate: only the observed correlation is tested.",
    },
    "corrected_low_reliability": {
        "fr": "La correction pour le manque de fiabilité des moyennes d'équipe n'est pas interprétable ici : leur "
        "ICC(2) est de {rel_e} côté collaborateurs et de {rel_c} côté clients, et sous 0,50 une moyenne d'équipe "
        "est surtout du bruit. Seule la corrélation observée est donnée.",
        "en": "The correction for the unreliability of team means cannot be interpreted here: their ICC(2) is "
        "{rel_e} for employees and {rel_c} for customers, and below 0.50 a team mean is mostly noise. Only the "
        "observed correlation is given.",
    },
    "corrected_above_one": {
        "fr": "Corrigée du manque de fiabilité des moyennes d'équipe (ICC(2) : {rel_e} et {rel_c}), la corrélation "
        "dépasserait 1 : les fiabilités sont trop incertaines pour que la correction soit interprétée. Seule la "
        "corrélation observée est donnée.",
        "en": "Corrected for the unreliability of team means (ICC(2): {rel_e} and {rel_c}), the correlation would "
        "exceed 1: the reliabilities are too uncertain for the correction to be interpreted. Only the observed "
        "correlation is given.",
    },
    "lagged_title": {"fr": "Depuis {previous}", "en": "Since {previous}"},
    "lagged_sentence": {
        "fr": "Sur les {n} équipes affichées lors des deux vagues, à score client de {previous} égal, un score "
        "collaborateurs plus élevé en {previous} va avec un score client plus élevé aujourd'hui de {forward} écart "
        "type par écart type {forward_ci} ; à score collaborateurs égal, un score client plus élevé en {previous} "
        "va avec un score collaborateurs plus élevé aujourd'hui de {backward} {backward_ci} (régressions "
        "croisées décalées, coefficients standardisés, IC 95 %).",
        "en": "Over the {n} teams shown in both waves, with {previous}'s customer score held equal, a higher "
        "employee score in {previous} goes with a higher customer score now by {forward} standard deviation per "
        "standard deviation {forward_ci}; with the employee score held equal, a higher customer score in "
        "{previous} goes with a higher employee score now by {backward} {backward_ci} (cross-lagged regressions, "
        "standardised coefficients, 95% CI).",
    },
    "lagged_caution": {
        "fr": "Ce sont des associations dans le temps, pas la preuve qu'un score agit sur l'autre : des différences "
        "stables entre équipes ou une cause commune peuvent les produire (Rogosa 1980 ; Hamaker, Kuiper et "
        "Grasman 2015).",
        "en": "These are associations over time, not proof that one score acts on the other: stable differences "
        "between teams or a common cause can produce them (Rogosa 1980; Hamaker, Kuiper and Grasman 2015).",
    },
    "not_interpretable": {"fr": "non interprétable", "en": "not interpretable"},
    "power_sentence": {
        "fr": "Avec {n} équipes, une corrélation observée est significative (test bilatéral à 5 %) à partir de "
        "{critical}. Les études publiées trouvent une corrélation vraie d'environ 0,33 (Harter, Schmidt et Hayes "
        "2002) ; avec la fiabilité des moyennes d'équipe de cette vague, elle s'observerait autour de {expected}, "
        "et cette vague avait {power} de chances de la détecter.",
        "en": "With {n} teams, an observed correlation is significant (two-sided test at 5%) from {critical} on. "
        "Published studies find a true correlation of about 0.33 (Harter, Schmidt and Hayes 2002); with the "
        "reliability of this wave's team means it would be observed at about {expected}, and this wave had a "
        "{power} chance of detecting it.",
    },
    "power_needed": {
        "fr": "Il faudrait environ {needed} équipes pour 80 % de chances, à fiabilité égale.",
        "en": "About {needed} teams would give an 80% chance, at the same reliabilities.",
    },
    "power_unreachable": {
        "fr": "À cette fiabilité des moyennes d'équipe, aucun nombre d'équipes ne donne 80 % de chances.",
        "en": "At this reliability of team means, no number of teams gives an 80% chance.",
    },
    "power_no_reliability": {
        "fr": "Avec {n} équipes, une corrélation observée est significative (test bilatéral à 5 %) à partir de "
        "{critical}. Les moyennes d'équipe de cette vague ne sont pas fiables (ICC(2) nulle ou négative d'un côté) : "
        "le lien publié d'environ 0,33 (Harter, Schmidt et Hayes 2002) ne peut pas s'y montrer.",
        "en": "With {n} teams, an observed correlation is significant (two-sided test at 5%) from {critical} on. "
        "This wave's team means are not reliable (ICC(2) zero or negative on one side): the published link of "
        "about 0.33 (Harter, Schmidt and Hayes 2002) cannot show in them.",
    },
    "not_significant_sentence": {
        "fr": "Ce résultat non significatif ne signifie donc pas « aucun lien ».",
        "en": "This non-significant result therefore does not mean \u201cno link\u201d.",
    },
    "excluded_sentence": {
        "fr": "{withheld} équipe(s) sous le seuil d'anonymat ({threshold} répondants) ne figurent ni dans le "
        "nuage de points, ni dans la corrélation, ni dans aucun chiffre d'ensemble de ce rapport.",
        "en": "{withheld} team(s) below the anonymity threshold ({threshold} respondents) appear neither in the "
        "scatter, nor in the correlation, nor in any organisation-wide figure of this report.",
    },
    "regression_line": {"fr": "Droite de régression (IC 95 %)", "en": "Regression line (95% CI)"},
    "teams": {"fr": "Équipes", "en": "Teams"},
    "aggregation": {"fr": "Les moyennes d'équipe sont-elles fiables ?", "en": "Are team means reliable?"},
    "aggregation_intro": {
        "fr": "ICC(1) : part des différences de réponses qui tient à l'équipe. ICC(2) : fiabilité des moyennes "
        "d'équipe ; on vise au moins 0,70 pour comparer les équipes, et sous 0,50 les moyennes sont surtout du "
        "bruit. Les deux viennent de l'analyse de variance à un facteur (Bliese 2000) ; l'ICC(1) d'un modèle à "
        "intercept aléatoire estimé par REML est donnée à côté.",
        "en": "ICC(1): the share of differences in answers that lies between teams. ICC(2): the reliability of "
        "team means; at least .70 is the usual bar to compare teams, and below .50 means are mostly noise. Both come "
        "from the one-way analysis of variance (Bliese 2000); the ICC(1) of a random-intercept model fitted by REML "
        "is given beside.",
    },
    "voice": {"fr": "Regard", "en": "Voice"},
    "team_overview": {"fr": "Les équipes", "en": "The teams"},
    "team": {"fr": "Équipe", "en": "Team"},
    "withheld_mark": {"fr": "non affiché", "en": "withheld"},
    "page": {"fr": "Page", "en": "Page"},
    "generated_by": {"fr": "Symmetry, symétrie des attentions", "en": "Symmetry, the symmetry of attention"},
    "gap_perception_over": {
        "fr": "Votre équipe pense que les clients notent « {dimension} » {gap} plus haut qu'ils ne le font {ci}.",
        "en": "Your team thinks customers rate \u201c{dimension}\u201d {gap} higher than they do {ci}.",
    },
    "gap_perception_under": {
        "fr": "Votre équipe pense que les clients notent « {dimension} » {gap} plus bas qu'ils ne le font {ci}.",
        "en": "Your team thinks customers rate \u201c{dimension}\u201d {gap} lower than they do {ci}.",
    },
    "gap_symmetry_over": {
        "fr": "Sur « {dimension} », les collaborateurs notent l'attention qu'ils reçoivent {gap} plus haut que les "
        "clients ne notent la leur {ci}.",
        "en": "On \u201c{dimension}\u201d, employees rate the attention they receive {gap} higher than customers "
        "rate theirs {ci}.",
    },
    "gap_symmetry_under": {
        "fr": "Sur « {dimension} », les collaborateurs notent l'attention qu'ils reçoivent {gap} plus bas que les "
        "clients ne notent la leur {ci}.",
        "en": "On \u201c{dimension}\u201d, employees rate the attention they receive {gap} lower than customers "
        "rate theirs {ci}.",
    },
    "gaps_stated": {"fr": "Ce que disent les écarts", "en": "What the gaps say"},
    "gaps_none_stated": {
        "fr": "Aucun écart ne reste net une fois les {k} dimensions examinées ensemble : les différences du "
        "tableau, même en gras, peuvent n'être que du bruit.",
        "en": "No gap stays clear once the {k} dimensions are examined together: the differences in the table, "
        "bold ones included, may be noise.",
    },
    "strengths_focus": {"fr": "Points forts et axes de progrès", "en": "Strengths and focus areas"},
    "strengths_focus_intro": {
        "fr": "Comparés à l'équipe type de l'organisation (la médiane des notes clients des équipes). Viennent en "
        "premier les dimensions qui, vécues par les collaborateurs, expliquent le plus les différences d'avis "
        "global des clients entre équipes.",
        "en": "Compared with the organisation's typical team (the median of the teams' customer scores). First "
        "come the dimensions that, as employees experience them, account most for the differences between teams "
        "in customers' overall view.",
    },
    "strengths": {"fr": "Points forts", "en": "Strengths"},
    "focus": {"fr": "Axes de progrès", "en": "Focus areas"},
    "reason_customers_above": {
        "fr": "« {dimension} » : les clients la notent {score}, au-dessus de l'équipe type ({typical}).",
        "en": "\u201c{dimension}\u201d: customers rate it {score}, above the typical team ({typical}).",
    },
    "reason_customers_below": {
        "fr": "« {dimension} » : les clients la notent {score}, en dessous de l'équipe type ({typical}).",
        "en": "\u201c{dimension}\u201d: customers rate it {score}, below the typical team ({typical}).",
    },
    "reason_overestimated": {
        "fr": "« {dimension} » : votre équipe pense que les clients la perçoivent mieux qu'ils ne le font.",
        "en": "\u201c{dimension}\u201d: your team thinks customers see it better than they do.",
    },
    "reason_lowest": {
        "fr": "« {dimension} » : c'est là que les clients vous notent le plus bas par rapport à l'équipe type "
        "({score} contre {typical}), sans que l'écart soit net.",
        "en": "\u201c{dimension}\u201d: this is where customers rate you lowest compared with the typical team "
        "({score} against {typical}), though the difference is not clear.",
    },
    "importance": {
        "fr": " Vécue par les collaborateurs, elle explique {share} des différences d'avis global des clients "
        "entre équipes.",
        "en": " As employees experience it, it accounts for {share} of the differences between teams in customers' "
        "overall view.",
    },
    "no_strength": {
        "fr": "Aucune dimension n'est nettement au-dessus de l'équipe type.",
        "en": "No dimension is clearly above the typical team.",
    },
    "comments": {"fr": "Verbatims des collaborateurs", "en": "In employees' own words"},
    "comments_intro": {
        "fr": "{count} commentaires de collaborateurs, tirés au hasard, dans un ordre aléatoire et sans date.",
        "en": "{count} employee comments, drawn at random, in random order and without dates.",
    },
    "comments_withheld": {
        "fr": "Les commentaires ne sont montrés que lorsqu'au moins {n} collaborateurs ont répondu.",
        "en": "Comments are shown only when at least {n} employees answered.",
    },
    "no_comments": {"fr": "Aucun collaborateur n'a laissé de commentaire.", "en": "No employee left a comment."},
    "trend": {"fr": "D'une vague à l'autre", "en": "Across waves"},
    "actions_title": {"fr": "Depuis vos actions", "en": "Since your actions"},
    "action_follow_up": {
        "fr": "Depuis l'action « {title} » ({status}, décidée après {wave}) sur « {dimension} » : collaborateurs "
        "{employee}, clients {customer}.",
        "en": "Since the action '{title}' ({status}, decided after {wave}) on '{dimension}': employees {employee}, "
        "customers {customer}.",
    },
    "action_not_measured": {"fr": "non mesuré sur les deux vagues", "en": "not measured on both waves"},
    "actions_caution": {
        "fr": "Des évolutions dans le temps, avec leurs intervalles à 95\u00a0% : pas la preuve qu'une action les a "
        "causées.",
        "en": "Changes over time, with their 95% intervals: not proof that an action caused them.",
    },
    "action_planned": {"fr": "prévue", "en": "planned"},
    "action_in_progress": {"fr": "en cours", "en": "in progress"},
    "action_done": {"fr": "faite", "en": "done"},
    "action_dropped": {"fr": "abandonnée", "en": "dropped"},
    "trend_intro": {
        "fr": "Scores d'ensemble de l'équipe lors des vagues précédentes et de celle-ci.",
        "en": "The team's overall scores in earlier waves and in this one.",
    },
    "parent_figures": {
        "fr": "Résultats de {name}, dont fait partie votre équipe",
        "en": "Results of {name}, which your team is part of",
    },
    "parent_figures_body": {
        "fr": "Réponses des collaborateurs regroupées sur les {teams} équipes du groupe qui ont assez de répondants "
        "(la vôtre n'en fait pas partie) : {employees} collaborateurs ; clients du groupe : {customers}.",
        "en": "Employee answers pooled over the {teams} teams of this group with enough respondents (yours is not "
        "among them): {employees} employees; the group's customers: {customers}.",
    },
    "aggregation_reading": {
        "fr": "{voice} : ICC(1) {icc1} (IC 95 % {icc1_ci} ; {reml} selon un modèle à intercept aléatoire estimé par "
        "REML), ICC(2) {icc2} (IC 95 % {icc2_ci}), rwg médian par item "
        "{rwg} (rwg(j) {rwg_j} ; {skewed} contre une distribution nulle légèrement asymétrique, LeBreton et "
        "Senter 2008). {agreement} {reliability}",
        "en": "{voice}: ICC(1) {icc1} (95% CI {icc1_ci}; {reml} from a REML random-intercept model), ICC(2) {icc2} "
        "(95% CI {icc2_ci}), median item-level rwg "
        "{rwg} (rwg(j) {rwg_j}; {skewed} against a slightly skewed null, LeBreton and Senter 2008). {agreement} "
        "{reliability}",
    },
    "agreement_enough": {
        "fr": "Les répondants d'une même équipe s'accordent assez pour que la moyenne d'équipe les représente "
        "(rwg par item ≥ 0,70).",
        "en": "Respondents of a team agree enough for the team mean to stand for them (item-level rwg ≥ .70).",
    },
    "agreement_low": {
        "fr": "L'accord au sein des équipes est sous le seuil usuel de 0,70 : lire les moyennes d'équipe avec "
        "prudence.",
        "en": "Agreement within teams is below the usual .70: read team means with care.",
    },
    "agreement_unknown": {
        "fr": "L'accord au sein des équipes n'a pas pu être calculé.",
        "en": "Agreement within teams could not be computed.",
    },
    "means_unknown": {
        "fr": "La fiabilité des moyennes d'équipe n'a pas pu être calculée.",
        "en": "The reliability of team means could not be computed.",
    },
    "means_reliable": {
        "fr": "Les moyennes d'équipe sont assez fiables pour comparer les équipes.",
        "en": "Team means are reliable enough to compare teams.",
    },
    "means_moderate": {
        "fr": "Les moyennes d'équipe sont moyennement fiables : ne comparer les équipes que sur des écarts nets.",
        "en": "Team means are moderately reliable: compare teams only on clear differences.",
    },
    "means_noisy": {
        "fr": "À ces tailles d'équipe, les moyennes sont surtout du bruit : ne pas classer les équipes sur elles.",
        "en": "At these team sizes, team means are mostly noise: do not rank teams on them.",
    },
    "dimension_linkage": {"fr": "Le lien, dimension par dimension", "en": "The link, dimension by dimension"},
    "dimension_linkage_intro": {
        "fr": "Corrélation entre équipes de l'attention reçue par les collaborateurs et par les clients sur chaque "
        "dimension. La p-valeur ajustée (Benjamini-Hochberg) tient compte des {k} dimensions testées ensemble ; "
        "la valeur corrigée de l'atténuation est une estimation, non testée, donnée seulement quand l'ICC(2) atteint "
        "0,50 des deux côtés et qu'elle ne dépasse pas 1 (sinon « non interprétable »).",
        "en": "Correlation across teams between the attention employees and customers receive on each dimension. "
        "The adjusted p-value (Benjamini-Hochberg) allows for the {k} dimensions tested together; the value "
        "corrected for attenuation is an estimate, not tested, given only where ICC(2) reaches 0.50 on both sides "
        "and the value does not exceed 1 (otherwise \u201cnot interpretable\u201d).",
    },
    "adjusted_p": {"fr": "p ajustée", "en": "adjusted p"},
    "corrected_r": {"fr": "r corrigé (estimation)", "en": "corrected r (estimate)"},
    "gap_distribution": {"fr": "Les écarts de perception des équipes", "en": "The teams' perception gaps"},
    "gap_distribution_sentence": {
        "fr": "{over} équipe(s) surestiment nettement la façon dont les clients les voient, {under} la sous-estiment "
        "nettement, et pour {unclear} l'écart n'est pas net (intervalle à 95 % contenant zéro). Sur {teams} "
        "équipes sans écart réel, environ {chance} paraîtraient nettes par le seul hasard.",
        "en": "{over} team(s) clearly overestimate how customers see them, {under} clearly underestimate it, and "
        "for {unclear} the gap is not clear (95% interval containing zero). Of {teams} teams with no real gap, "
        "about {chance} would look clear by chance alone.",
    },
    "axis_perception_gap": {
        "fr": "Écart de perception d'ensemble (points sur 5)",
        "en": "Overall perception gap (points out of 5)",
    },
    "axis_teams": {"fr": "Nombre d'équipes", "en": "Number of teams"},
    "drivers": {"fr": "Les leviers de l'avis client", "en": "Key drivers of customers' view"},
    "drivers_intro": {
        "fr": "Ensemble, les dimensions vécues par les collaborateurs expliquent {r2} des différences d'avis global "
        "des clients entre {n} équipes (R² ; ajusté du nombre de dimensions : {adjusted} ; intervalle bootstrap à "
        "95 % : {low} à {high}). Le poids relatif de Johnson de chacune est sa part de ce total, avec son "
        "intervalle bootstrap à 95 %, qui ne peut pas descendre sous zéro : il ne dit donc pas si une dimension "
        "compte. Un lien entre équipes n'est pas une preuve de cause.",
        "en": "Together, the dimensions as employees experience them account for {r2} of the differences between "
        "{n} teams in customers' overall view (R²; adjusted for the number of dimensions: {adjusted}; 95% bootstrap "
        "interval: {low} to {high}). Each one's Johnson relative weight is its part of that total, with its 95% "
        "bootstrap interval, which cannot go below zero: it does not say whether a dimension matters. A link "
        "across teams is not proof of cause.",
    },
    "drivers_separated": {
        "fr": "Le test de Tonidandel, LeBreton et Johnson (2009) distingue {k} des {total} poids de celui d'une "
        "variable aléatoire : seules ces dimensions ordonnent les points forts et les axes de progrès des rapports "
        "d'équipe ; les autres ne se distinguent pas du bruit.",
        "en": "The test of Tonidandel, LeBreton and Johnson (2009) tells {k} of the {total} weights apart from a "
        "random variable's: only these dimensions order the strengths and focus areas of team reports; the others "
        "cannot be told apart from noise.",
    },
    "drivers_not_separated": {
        "fr": "Le test de Tonidandel, LeBreton et Johnson (2009) ne distingue aucun de ces poids de celui d'une "
        "variable aléatoire : avec {n} équipes, les données ne permettent pas de départager les leviers, et les "
        "rapports d'équipe n'ordonnent pas leurs dimensions par ces poids.",
        "en": "The test of Tonidandel, LeBreton and Johnson (2009) tells none of these weights apart from a random "
        "variable's: with {n} teams the data cannot tell the drivers apart, and team reports do not order their "
        "dimensions by these weights.",
    },
    "drivers_failed": {
        "fr": "{failed} des {resamples} rééchantillonnages n'ont pas pu être calculés et sont exclus des intervalles.",
        "en": "{failed} of the {resamples} resamples could not be computed and are left out of the intervals.",
    },
    "above_random": {"fr": "Au-dessus du hasard", "en": "Above chance"},
    "yes": {"fr": "oui", "en": "yes"},
    "no": {"fr": "non", "en": "no"},
    "drivers_missing": {
        "fr": "Trop peu d'équipes comparables pour estimer les leviers (il en faut au moins 30).",
        "en": "Too few comparable teams to estimate key drivers (at least 30 are needed).",
    },
    "share": {"fr": "Part", "en": "Share"},
    "rates": {"fr": "Taux de réponse des collaborateurs", "en": "Employee response rates"},
    "rates_intro": {
        "fr": "Par branche de l'organisation. Répondants et taux ne comptent que les équipes affichées ; une équipe "
        "sous le seuil d'anonymat n'est comptée que par leur nombre, pour que sa participation ne se déduise "
        "d'aucune soustraction.",
        "en": "By branch of the organisation. Answers and rates count the teams shown only; a team below the "
        "anonymity threshold is counted only in the number of such teams, so that no subtraction gives its "
        "participation away.",
    },
    "teams_under": {
        "fr": "+ {count} équipe(s) sous {threshold}",
        "en": "+ {count} team(s) under {threshold}",
    },
    "invited": {"fr": "Invités", "en": "Invited"},
    "answered": {"fr": "Répondants", "en": "Answered"},
    "rate": {"fr": "Taux", "en": "Rate"},
    "branch": {"fr": "Branche", "en": "Branch"},
    "withheld_count": {
        "fr": "{withheld} équipe(s) sur {teams} ont moins de {threshold} répondants collaborateurs : leurs résultats "
        "collaborateurs ne sont montrés nulle part et n'entrent dans aucun chiffre, même d'ensemble.",
        "en": "{withheld} team(s) of {teams} have fewer than {threshold} employee respondents: their employee "
        "results are shown nowhere and enter no figure, not even organisation-wide ones.",
    },
    "ci95": {"fr": "IC 95 %", "en": "95% CI"},
    "rwg_note": {
        "fr": "rwg : accord au sein des équipes, médiane entre équipes ; pour l'ensemble, la moyenne des rwg de "
        "chaque item (le rwg(j) sur sept dimensions distinctes surestime l'accord).",
        "en": "rwg: agreement within teams, median across teams; for the overall score, the mean of each item's "
        "rwg (rwg(j) over seven distinct dimensions overstates agreement).",
    },
    "gap_over_label": {"fr": "L'équipe surestime", "en": "Team overestimates"},
    "gap_under_label": {"fr": "L'équipe sous-estime", "en": "Team underestimates"},
    "axis_share": {
        "fr": "Part des différences d'avis client entre équipes (%)",
        "en": "Share of the differences in customers' view between teams (%)",
    },
    "customer_view": {"fr": "Ce que disent vos clients", "en": "What your customers say"},
    "customer_view_intro": {
        "fr": "Note des clients par dimension, avec son intervalle de confiance à 95 %, et celle de l'équipe type de "
        "l'organisation (médiane des équipes).",
        "en": "Customers' score on each dimension, with its 95% confidence interval, and that of the organisation's "
        "typical team (median across teams).",
    },
    "typical_team": {"fr": "Équipe type", "en": "Typical team"},
}
