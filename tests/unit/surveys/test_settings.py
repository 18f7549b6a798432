"""Settings come from SYMMETRY_* variables, with errors that name the variable."""

from __future__ import annotations

import pytest

from surveys.settings import Settings, SettingsError


def test_defaults_use_an_embedded_sqlite_file_under_var() -> None:
    settings = Settings.from_env({})
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.database_url.endswith("/var/symmetry.sqlite3")
    assert settings.anonymity_threshold == 5


def test_variables_are_converted_to_their_types() -> None:
    settings = Settings.from_env({"SYMMETRY_PORT": "9000", "SYMMETRY_DATABASE_ECHO": "true", "OTHER": "x"})
    assert settings.port == 9000
    assert settings.database_echo is True


def test_production_without_a_secret_key_is_a_start_up_error() -> None:
    with pytest.raises(SettingsError, match="SYMMETRY_SECRET_KEY must be set"):
        Settings.from_env({"SYMMETRY_ENVIRONMENT": "production"})


def test_production_keeps_the_given_secret_key() -> None:
    settings = Settings.from_env({"SYMMETRY_ENVIRONMENT": "production", "SYMMETRY_SECRET_KEY": "s3cret-from-vault"})
    assert settings.secret_key == "s3cret-from-vault"


def test_development_gets_a_random_secret_per_process() -> None:
    assert Settings.from_env({}).secret_key != Settings.from_env({}).secret_key


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"SYMMETRY_PORT": "eighty"}, "SYMMETRY_PORT"),
        ({"SYMMETRY_ANONYMITY_THRESHOLD": "2"}, "SYMMETRY_ANONYMITY_THRESHOLD: Expected `int` >= 3"),
        ({"SYMMETRY_ENVIRONMENT": "staging"}, "SYMMETRY_ENVIRONMENT"),
        ({"SYMMETRY_DATABSE_URL": "sqlite://"}, "SYMMETRY_DATABSE_URL is not a known setting"),
    ],
)
def test_malformed_settings_name_the_variable(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(environ)
