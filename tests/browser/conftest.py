"""A live server and headless Chromium (Debian's, driven by Playwright) for the browser tests.

Without Chromium or Playwright the browser tests are skipped with the reason, unless SYMMETRY_TEST_REQUIRE_BROWSER=1
(set by .ci/run), where they fail instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from click.testing import CliRunner

from surveys.app import create_app
from surveys.cli import symmetry
from surveys.db import alchemy_config
from surveys.settings import Settings
from tests.integration.factories import OpenWave, build_open_wave
from tests.support import in_thread, run_sync

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _unavailable(reason: str) -> None:
    if os.environ.get("SYMMETRY_TEST_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required here but {reason}")
    pytest.skip(f"browser tests skipped: {reason} (make test installs Debian's chromium when run as root)")


@pytest.fixture
def chromium() -> Iterator[Any]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        _unavailable("no chromium executable on PATH")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@dataclass
class LiveSite:
    url: str
    settings: Settings
    wave: OpenWave


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _build(settings: Settings) -> OpenWave:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            return await build_open_wave(session)
    finally:
        await config.get_engine().dispose()


@contextmanager
def serving(settings: Settings, *, scheduler: bool = False, port: int | None = None) -> Iterator[str]:
    """The app on a free local port (or `port`) in a thread, for as long as the block lasts: its URL.

    With `scheduler`, it runs the periodic work as ``symmetry serve`` does on the embedded default.
    """
    port = port or free_port()
    app = create_app(settings, scheduler=scheduler)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        pytest.fail("the live server did not start")
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def live_site(clean_database: Settings) -> Iterator[LiveSite]:
    wave = run_sync(_build(clean_database))
    with serving(clean_database) as url:
        yield LiveSite(url, clean_database, wave)


@pytest.fixture
def demo_site(clean_database: Settings, cli_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    """The demo's two closed waves (12 teams), served: its URL and settings."""
    arguments = ["demo", "--teams", "12", "--seed", "5", "--out", str(tmp_path)]
    demo = in_thread(lambda: CliRunner().invoke(symmetry, arguments, env=cli_env))
    assert demo.exit_code == 0, demo.output
    with serving(clean_database) as url:
        yield url, clean_database
