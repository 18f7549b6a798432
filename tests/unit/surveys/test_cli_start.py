"""The `symmetry` command starts fast: listing the commands imports none of them."""

from __future__ import annotations


def test_the_command_list_describes_each_command_as_its_own_help_does() -> None:
    import click

    from surveys.cli import COMMANDS, symmetry

    context = click.Context(symmetry)
    for name, (_, description) in COMMANDS.items():
        command = symmetry.get_command(context, name)
        assert command is not None and command.get_short_help_str(limit=300) == description, name


def test_symmetry_help_imports_neither_scipy_matplotlib_weasyprint_nor_the_database_layer() -> None:
    import subprocess
    import sys

    probe = (
        "import sys; from click.testing import CliRunner; from surveys.cli import symmetry; "
        "assert CliRunner().invoke(symmetry, ['--help']).exit_code == 0; "
        "print(sorted(m for m in ('scipy', 'matplotlib', 'weasyprint', 'sqlalchemy', 'litestar') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
