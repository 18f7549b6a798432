"""The survey form as pages: which questions each step asks, and the view model a template renders.

The form needs no JavaScript: answers of the other steps travel as hidden fields, so nothing is stored
before the last step is sent, and going back or switching language loses nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from surveys.collection.services import FieldProblem, Questionnaire, check_submission
from surveys.collection.texts import Language, text
from symmetry.domain import CommentItem, Instrument, Item, Respondent, Voice

ANSWER_PREFIX = "a."
COMMENT_PREFIX = "c."


@dataclass(frozen=True, slots=True)
class Step:
    """One page of the form."""

    key: str
    items: tuple[Item, ...]
    comments: tuple[CommentItem, ...] = ()


def steps_for(instrument: Instrument, respondent: Respondent) -> list[Step]:
    """Employees: the attention they receive, then the mirror, then the outcomes; customers: two pages."""
    questions = instrument.items_for(respondent)
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
class FormPage:
    """Everything the form template shows."""

    language: Language
    title: str
    step: int
    steps: int
    step_title: str
    step_intro: str | None
    questions: list[Question]
    comments: list[CommentField]
    hidden: list[tuple[str, str]]
    errors: list[tuple[str, str]] = field(default_factory=list)
    show_anonymity: bool = False


def _scale_labels(item: Item, language: Language) -> tuple[str, str]:
    if item.scale.name == "likert5":
        return text("agree_1", language), text("agree_5", language)
    return text(f"{item.scale.name}_low", language), text(f"{item.scale.name}_high", language)


def _choice_words(item: Item, value: int, language: Language) -> str:
    return f" – {text(f'agree_{value}', language)}" if item.scale.name == "likert5" else ""


def localise(problem: FieldProblem, language: Language, max_length: int = 0) -> str:
    """A field problem in the respondent's language."""
    if problem.code == "required":
        return text("error_required", language)
    if problem.code == "too_long":
        return text("error_too_long", language, n=max_length)
    return text("error_range", language)


def build_page(
    questionnaire: Questionnaire,
    submitted: Submitted,
    language: Language,
    *,
    step: int,
    problems: Mapping[str, FieldProblem] | None = None,
) -> FormPage:
    """The view model of one step, answers kept, problems shown next to their fields."""
    instrument, respondent = questionnaire.instrument, questionnaire.respondent
    steps = steps_for(instrument, respondent)
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
    intro = text("step_mirror_intro", language) if current.key == Voice.MIRROR.value else None
    title_key = "employee_title" if respondent is Respondent.EMPLOYEE else "customer_title"
    return FormPage(
        language=language,
        title=text(title_key, language),
        step=step,
        steps=len(steps),
        step_title=text(f"step_{current.key}", language),
        step_intro=intro,
        questions=questions,
        comments=comments,
        hidden=hidden,
        errors=errors,
        show_anonymity=respondent is Respondent.EMPLOYEE and step == 1,
    )


def step_problems(questionnaire: Questionnaire, submitted: Submitted, step: int) -> dict[str, FieldProblem]:
    """The problems of one step's fields only."""
    current = steps_for(questionnaire.instrument, questionnaire.respondent)[step - 1]
    required = {item.id for item in current.items}
    fields = {f"answers.{item_id}" for item_id in required} | {f"comments.{c.id}" for c in current.comments}
    problems = check_submission(
        questionnaire.instrument, questionnaire.respondent, submitted.answers, submitted.comments, required=required
    )
    return {name: problem for name, problem in problems.items() if name in fields}


def first_step_with_problems(questionnaire: Questionnaire, problems: Mapping[str, FieldProblem]) -> int:
    """The step to show when the final check finds problems, which may sit on an earlier page."""
    for number, step in enumerate(steps_for(questionnaire.instrument, questionnaire.respondent), start=1):
        names = {f"answers.{item.id}" for item in step.items} | {f"comments.{c.id}" for c in step.comments}
        if names & problems.keys():
            return number
    return 1
