"""``symmetry instrument``: check an instrument file before a wave uses it."""

from __future__ import annotations

from pathlib import Path

import click

from surveys.catalog import command_refusal, tr, trn
from surveys.instruments.loader import InstrumentError, load_instrument
from symmetry.domain import CustomerForm, Respondent


@click.group()
def instrument() -> None:
    """Work with instrument files."""


@instrument.command("check")
@click.argument("source", default="attention")
def check_command(source: str) -> None:
    """Check SOURCE, a shipped instrument's name or a TOML file, and list every problem with its location."""
    try:
        parsed = load_instrument(Path(source) if source.endswith(".toml") else source)
    except InstrumentError as error:
        counted = trn("%(num)s problem", "%(num)s problems", len(error.problems))
        click.echo(tr("%(source)s: %(problem)s", source=error.source, problem=counted), err=True)
        for problem in error.problems:
            click.echo(f"  - {command_refusal(problem)}", err=True)
        raise SystemExit(1) from None
    click.echo(
        tr(
            "%(instrument)s: %(dimensions)s dimensions, %(questions)s questions, %(comments)s comment fields, in fr "
            "and en. OK.",
            instrument=parsed.key,
            dimensions=len(parsed.dimensions),
            questions=len(parsed.items),
            comments=len(parsed.comments),
        )
    )
    if parsed.short_customer is not None:
        click.echo(
            tr(
                "Short customer form: %(short)s questions of the customers' %(full)s.",
                short=len(parsed.asked_items(Respondent.CUSTOMER, CustomerForm.SHORT)),
                full=len(parsed.items_for(Respondent.CUSTOMER)),
            )
        )
