"""Helpers shared by the test packages."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def in_thread(function: Callable[..., T], *args: Any) -> T:
    """Call `function` in a fresh thread, where no event loop runs (Playwright's sync API keeps one in ours)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from synchronous code, whatever runs in this thread."""
    return in_thread(asyncio.run, coroutine)


def redis_test_url(index: int) -> str:
    """A Redis database of this run's own, `index` 0 or 1: CI runs the SQLite and the PostgreSQL suites side by
    side, and each flushes and queues in its own databases (14 and 15, or 12 and 13 on PostgreSQL)."""
    base = 12 if os.environ.get("SYMMETRY_TEST_DATABASE_URL") else 14
    return f"redis://127.0.0.1:6379/{base + index}"


def redis_reachable() -> bool:
    """Whether a Redis answers on 127.0.0.1:6379 (the tests that need one are skipped, and say so, otherwise)."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False
