"""Compare the ASGI servers that could run ``symmetry serve``: uvicorn (asyncio and h11, then uvloop and httptools)
and granian, each with 2 worker processes on PostgreSQL, side by side in one run.

Each server runs the same application (``surveys.app:create_app``) on a database of its own on the local server
(created and dropped here), without access logs; ``wrk`` (Debian's package) loads it from 127.0.0.1 with 32
connections for BENCH_SECONDS (10) per page: ``/health`` (the framework and one database round trip) and
``/login`` (a Jinja2 page with its form token and security headers). Prints requests per second, latency
percentiles and the servers' CPU milliseconds per request (their processes' CPU while wrk runs, from /proc).
Run with ``make bench-serve``; needs granian, uvloop and httptools (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from bench_analysis import SERVER, admin  # beside this script
from load import free_port, wrk

DATABASE = "symmetry_bench_serve"
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
PYTHON = sys.executable
APP = "surveys.app:create_app"
SERVERS = {
    "uvicorn (asyncio, h11)": [PYTHON, "-m", "uvicorn", "--factory", APP, "--workers", "2", "--loop", "asyncio",
                               "--http", "h11", "--no-access-log", "--port", "{port}"],
    "uvicorn (uvloop, httptools)": [PYTHON, "-m", "uvicorn", "--factory", APP, "--workers", "2", "--loop", "uvloop",
                                    "--http", "httptools", "--no-access-log", "--port", "{port}"],
    "granian (asgi)": [PYTHON, "-m", "granian", "--interface", "asgi", "--factory", "--workers", "2", "--port",
                       "{port}", "--no-access-log", APP],
}  # fmt: skip
PAGES = ("/health", "/login")


def tree_cpu(root: int) -> float:
    """CPU seconds used so far by a process and all its descendants (from /proc)."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # it ended meanwhile
            stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))  # ppid, utime + stime
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, _) in stats.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    return sum(stats[pid][1] for pid in tree if pid in stats) / os.sysconf("SC_CLK_TCK")


def run_server(name: str, command: list[str], env: dict[str, str]) -> None:
    port = free_port()
    server = subprocess.Popen(
        [part.format(port=port) for part in command], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"{name} did not start")
            time.sleep(0.2)
        for page in PAGES:
            httpx.get(f"{base}{page}", timeout=5)  # warm each worker's caches a little
        started = tree_cpu(server.pid)
        results = {page: wrk(["-t2", "-c32", f"-d{SECONDS}s", base + page]) for page in PAGES}
        spent = tree_cpu(server.pid) - started
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    requests = sum(figures["requests"] for figures in results.values())
    for page, figures in results.items():
        print(f"{name:28} {page:8} {figures['rps']:8.0f} req/s  p50 {figures['p50']:6.1f} ms  "
              f"p99 {figures['p99']:6.1f} ms  non-2xx {figures['errors']:.0f}")  # fmt: skip
    print(f"{name:28} server CPU {1000 * spent / requests:.2f} ms per request (both pages, start-up excluded)")


def main() -> None:
    url = SERVER.rsplit("/", 1)[0] + f"/{DATABASE}"
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
    asyncio.run(admin(f'CREATE DATABASE "{DATABASE}"'))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SYMMETRY_")},
        "SYMMETRY_ENVIRONMENT": "production",
        "SYMMETRY_DATABASE_URL": url,
        "SYMMETRY_SECRET_KEY": "bench-serve",
        "SYMMETRY_PUBLIC_URL": "https://symmetry.example",
    }
    try:
        subprocess.run([str(Path(PYTHON).with_name("symmetry")), "db", "upgrade"], env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        print(f"{os.cpu_count()} cores; wrk -t2 -c32 -d{SECONDS}s on the same machine")
        for name, command in SERVERS.items():
            run_server(name, command, env)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
