"""``symmetry instrument``: check an instrument file before a wave uses it."""

from __future__ import annotations

from pathlib import Path

import click

from surveys.instruments.loader import InstrumentError, load_instrument


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
        click.echo(f"{error.source}: {len(error.problems)} problem(s)", err=True)
        for problem in error.problems:
            click.echo(f"  - {problem}", err=True)
        raise SystemExit(1) from None
    click.echo(
        f"{parsed.key}: {len(parsed.dimensions)} dimensions, {len(parsed.items)} questions, "
        f"{len(parsed.comments)} comment fields, in fr and en. OK."
    )
