"""The survey form as pages: which questions each step asks, and the view model a template renders.

The form needs no JavaScript: answers of the other steps travel as hidden fields, so nothing is stored
before the last step is sent, and going back or switching language loses nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from surveys.catalog import Language, translation
from surveys.collection.services import FieldProblem, check_submission
from surveys.explained import N_
from symmetry.domain import CommentItem, CustomerForm, Instrument, Item, Respondent, Voice

ANSWER_PREFIX = "a."
COMMENT_PREFIX = "c."


class Asked(Protocol):
    """What a form asks, of whom and about which team: a wave's questionnaire, or an instrument previewed."""

    @property
    def instrument(self) -> Instrument:
        """The questions."""
        ...

    @property
    def respondent(self) -> Respondent:
        """Employee or customer."""
        ...

    @property
    def form(self) -> CustomerForm:
        """The customer questionnaire asked: the full one or the short variant (employees are asked theirs whole)."""
        ...

    @property
    def language(self) -> str:
        """The respondent's language, until they choose another."""
        ...

    @property
    def team_name(self) -> str:
        """The team the questions are about."""
        ...

    def introduction(self, language: str) -> str:
        """The wave's own paragraph in `language`, shown on the first page ("" when there is none)."""
        ...

    @property
    def organisation_id(self) -> uuid.UUID | None:
        """The organisation asking, whose privacy notice the first page links to (None: a preview of a version)."""
        ...


@dataclass(frozen=True, slots=True)
class Step:
    """One page of the form."""

    key: str
    items: tuple[Item, ...]
    comments: tuple[CommentItem, ...] = ()


def steps_for(instrument: Instrument, respondent: Respondent, form: CustomerForm = CustomerForm.FULL) -> list[Step]:
    """Employees: the attention they receive, then the mirror, then the outcomes; customers: two pages of `form`."""
    questions = instrument.asked_items(respondent, form)
    outcomes = tuple(item for item in questions if item.voice is Voice.OUTCOME)
    voices = (Voice.EMPLOYEE, Voice.MIRROR) if respondent is Respondent.EMPLOYEE else (Voice.CUSTOMER,)
    return [
        *(Step(voice.value, tuple(item for item in questions if item.voice is voice)) for voice in voices),
        Step("outcomes", outcomes, instrument.comments_for(respondent)),
    ]


@dataclass(frozen=True, slots=True)
class Submitted:
    """What a form post carries: answers (as integers where they parse), comments, the step and the action."""

    answers: dict[str, object]
    comments: dict[str, str]
    step: int
    action: str


def _whole_number_or_text(value: str) -> object:
    try:
        return int(value)
    except ValueError:
        return value


def read_form(data: Mapping[str, str], steps: int) -> Submitted:
    """Parse a posted form; a value that is not a whole number is kept as text for the check to name."""
    answers: dict[str, object] = {}
    comments: dict[str, str] = {}
    for name, value in data.items():
        if name.startswith(ANSWER_PREFIX) and value != "":
            answers[name.removeprefix(ANSWER_PREFIX)] = _whole_number_or_text(value)
        elif name.startswith(COMMENT_PREFIX):
            comments[name.removeprefix(COMMENT_PREFIX)] = value
    try:
        step = min(max(int(data.get("step", "1")), 1), steps)
    except ValueError:
        step = 1
    return Submitted(answers, comments, step, data.get("action", "next"))


@dataclass(frozen=True, slots=True)
class Choice:
    """One radio button."""

    value: int
    words: str
    """Read out after the number on agreement scales ("– Agree"), empty on numeric scales."""
    input_id: str


@dataclass(frozen=True, slots=True)
class Question:
    """One closed question as a fieldset of radio buttons."""

    name: str
    dom_id: str
    text: str
    choices: list[Choice]
    selected: object
    low_label: str
    high_label: str
    wide: bool
    error: str | None


@dataclass(frozen=True, slots=True)
class CommentField:
    """One free-text question."""

    name: str
    dom_id: str
    text: str
    value: str
    max_length: int
    error: str | None


@dataclass(frozen=True, slots=True)
class PreviewBanner:
    """Over a form previewed by a lead: what is previewed, and where the other respondents and languages are."""

    name: str
    """The instrument version, as ``attention v2``."""
    url: str
    """The preview's first step; ``?respondent=...&language=...`` chooses the form."""
    respondent: str
    """``employee``, ``customer`` or ``customer_short`` (the customers' short form)."""
    short_form: bool = False
    """The version has a short customer form, which the banner offers beside the full one."""
    wave_id: uuid.UUID | None = None
    """The wave whose page opened the preview: its links go back there, and every step keeps it."""

    @property
    def kept(self) -> str:
        """What every link and step of the preview carries on (``&wave=...``, or nothing)."""
        return f"&wave={self.wave_id}" if self.wave_id else ""

    @property
    def back_url(self) -> str:
        """The wave's page when a wave opened the preview, else the instruments."""
        return f"/waves/{self.wave_id}" if self.wave_id else "/instruments"


@dataclass(frozen=True, slots=True)
class FormPage:
    """Everything the form template shows."""

    language: Language
    title: str
    about_team: str
    """The team the questions are about, named under the title."""
    introduction: str
    """The lead's own paragraph for the wave, on the first page only."""
    step: int
    steps: int
    step_title: str
    step_intro: str | None
    questions: list[Question]
    comments: list[CommentField]
    hidden: list[tuple[str, str]]
    errors: list[tuple[str, str]] = field(default_factory=list)
    show_anonymity: bool = False


AGREEMENT = (
    N_("Strongly disagree"),
    N_("Disagree"),
    N_("Neither"),
    N_("Agree"),
    N_("Strongly agree"),
)
"""The words of the five points of the agreement scale, from 1 to 5."""
SCALE_ENDS = {
    "likert5": (AGREEMENT[0], AGREEMENT[-1]),
    "nps": (N_("0: not at all likely"), N_("10: extremely likely")),
    "csat": (N_("1: not at all satisfied"), N_("5: completely satisfied")),
    "ces": (N_("1: very little effort"), N_("7: a great deal of effort")),
}
STEP_TITLES = {
    Voice.EMPLOYEE.value: N_("The attention you receive"),
    Voice.MIRROR.value: N_("How your customers see your team"),
    Voice.CUSTOMER.value: N_("The attention you received"),
    "outcomes": N_("To finish"),
}


def _scale_labels(item: Item, language: Language) -> tuple[str, str]:
    low, high = SCALE_ENDS[item.scale.name]
    _ = translation(language).gettext
    return _(low), _(high)


def _choice_words(item: Item, value: int, language: Language) -> str:
    if item.scale.name != "likert5":
        return ""
    return f" – {translation(language).gettext(AGREEMENT[value - 1])}"


def localise(problem: FieldProblem, language: Language, max_length: int = 0) -> str:
    """A field problem in the respondent's language."""
    _ = translation(language).gettext
    if problem.code == "required":
        return _("Choose an answer.")
    if problem.code == "too_long":
        return _("Your comment is longer than %(n)s characters; please shorten it.") % {"n": max_length}
    return _("Choose one of the answers offered.")


def build_page(
    questionnaire: Asked,
    submitted: Submitted,
    language: Language,
    *,
    step: int,
    problems: Mapping[str, FieldProblem] | None = None,
) -> FormPage:
    """The view model of one step, answers kept, problems shown next to their fields."""
    instrument, respondent = questionnaire.instrument, questionnaire.respondent
    steps = steps_for(instrument, respondent, questionnaire.form)
    current = steps[step - 1]
    problems = problems or {}
    questions = []
    for item in current.items:
        dom_id = "q-" + item.id.replace(".", "-")
        low, high = _scale_labels(item, language)
        problem = problems.get(f"answers.{item.id}")
        questions.append(
            Question(
                name=ANSWER_PREFIX + item.id,
                dom_id=dom_id,
                text=item.text[language],
                choices=[
                    Choice(value, _choice_words(item, value, language), f"{dom_id}-{value}")
                    for value in range(item.scale.low, item.scale.high + 1)
                ],
                selected=submitted.answers.get(item.id),
                low_label=low,
                high_label=high,
                wide=item.scale.points > 7,
                error=localise(problem, language) if problem else None,
            )
        )
    comments = []
    for comment in current.comments:
        problem = problems.get(f"comments.{comment.id}")
        comments.append(
            CommentField(
                name=COMMENT_PREFIX + comment.id,
                dom_id="q-" + comment.id.replace(".", "-"),
                text=comment.text[language],
                value=submitted.comments.get(comment.id, ""),
                max_length=comment.max_length,
                error=localise(problem, language, comment.max_length) if problem else None,
            )
        )
    on_page = {question.name for question in questions} | {comment.name for comment in comments}
    hidden = [
        (ANSWER_PREFIX + item_id, str(value))
        for item_id, value in submitted.answers.items()
        if ANSWER_PREFIX + item_id not in on_page
    ] + [
        (COMMENT_PREFIX + comment_id, value)
        for comment_id, value in submitted.comments.items()
        if COMMENT_PREFIX + comment_id not in on_page
    ]
    errors = [(q.dom_id, f"{q.text} {q.error}") for q in questions if q.error] + [
        (c.dom_id, f"{c.text} {c.error}") for c in comments if c.error
    ]
    # A field on no page can only come from a tampered form: say so rather than loop on an invisible error.
    every_field = {f"answers.{item.id}" for s in steps for item in s.items} | {
        f"comments.{c.id}" for s in steps for c in s.comments
    }
    errors += [("", f"{name}: {problem.message}") for name, problem in problems.items() if name not in every_field]
    _ = translation(language).gettext
    intro = None
    if current.key == Voice.MIRROR.value:
        intro = _("Put yourself in your customers' shoes: how would they answer?")
    elif current.key == Voice.CUSTOMER.value:
        intro = _("Think of your latest visit to this team, or your latest exchange with it.")
    # The team's name as a value after a colon: a sentence around it reads badly for some names ("the Team one team").
    team = {"team": questionnaire.team_name}
    if respondent is Respondent.EMPLOYEE:
        title = _("Your view of attention in your team")
        about_team = _("Your team: %(team)s") % team
    else:
        title = _("Your view of the team that served you")
        about_team = _("The team that served you: %(team)s") % team
    return FormPage(
        language=language,
        title=title,
        about_team=about_team,
        introduction=questionnaire.introduction(language) if step == 1 else "",
        step=step,
        steps=len(steps),
        step_title=_(STEP_TITLES[current.key]),
        step_intro=intro,
        questions=questions,
        comments=comments,
        hidden=hidden,
        errors=errors,
        show_anonymity=respondent is Respondent.EMPLOYEE and step == 1,
    )


def step_problems(questionnaire: Asked, submitted: Submitted, step: int) -> dict[str, FieldProblem]:
    """The problems of one step's fields only."""
    current = steps_for(questionnaire.instrument, questionnaire.respondent, questionnaire.form)[step - 1]
    required = {item.id for item in current.items}
    fields = {f"answers.{item_id}" for item_id in required} | {f"comments.{c.id}" for c in current.comments}
    problems = check_submission(
        questionnaire.instrument,
        questionnaire.respondent,
        submitted.answers,
        submitted.comments,
        required=required,
        form=questionnaire.form,
    )
    return {name: problem for name, problem in problems.items() if name in fields}


def first_step_with_problems(questionnaire: Asked, problems: Mapping[str, FieldProblem]) -> int:
    """The step to show when the final check finds problems, which may sit on an earlier page."""
    steps = steps_for(questionnaire.instrument, questionnaire.respondent, questionnaire.form)
    for number, step in enumerate(steps, start=1):
        names = {f"answers.{item.id}" for item in step.items} | {f"comments.{c.id}" for c in step.comments}
        if names & problems.keys():
            return number
    return 1
