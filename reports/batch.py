"""Rendering many reports in parallel worker processes (matplotlib and WeasyPrint gain nothing from threads).

Each worker receives the wave's shared inputs once, at start, and then only the small per-report jobs. A worker
that dies (out of memory, a crash in a native library) breaks the whole pool, and every job still in it gets no
result: the jobs that had not started go to a new pool, and those that were rendering when it broke are tried
again one at a time, each in a process of its own, so that only a job that kills its process again is failed.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import hashlib
import multiprocessing
import os
import pickle
import signal
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from reports.i18n import Language
from reports.inputs import TeamExtras, WaveReportInputs
from reports.render import StageTimes, render_report

PACKAGE_DIR = Path(__file__).resolve().parent


class RenderingStopped(Exception):
    """The worker processes died before rendering any report: the batch cannot go on."""


@dataclass(frozen=True, slots=True)
class ReportJob:
    """One PDF to render: the report of the team of key `team`, or the organisation report when it is None."""

    path: Path
    language: Language
    team: str | None = None
    extras: TeamExtras = field(default_factory=TeamExtras)


@dataclass(frozen=True, slots=True)
class ReportOutcome:
    """What happened to one job: the file's SHA-256 and page count, or the error that stopped it."""

    job: ReportJob
    error: str | None = None
    file_digest: str | None = None
    pages: int | None = None
    times: StageTimes | None = None


def describe_error(error: BaseException) -> str:
    """An error as it is recorded and printed, without anything of the report's content.

    The message of an exception raised while rendering may quote what it was rendering (a comment, a team's
    name), so only its type and where it was raised (the innermost line of `reports/`) are kept. An `OSError`
    keeps its message: it names a file of the batch and what the system said about it.
    """
    name = type(error).__name__
    if isinstance(error, OSError):
        return f"{name}: {error}"
    inside = [frame for frame in traceback.extract_tb(error.__traceback__) if _in_package(frame.filename)]
    if not inside:
        return name
    where = Path(inside[-1].filename).resolve().relative_to(PACKAGE_DIR.parent).as_posix()
    return f"{name} at {where}:{inside[-1].lineno}"


def _in_package(filename: str) -> bool:
    return Path(filename).resolve().is_relative_to(PACKAGE_DIR)


@contextlib.contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """End this (worker) process with SIGALRM once `seconds` have passed, whatever it is doing.

    The signal's default action, not a Python exception: an exception raised by a signal handler can land in a
    finaliser that swallows it, and a hang inside a C library never returns to Python. The parent sees the worker
    die, tries the report again alone under the same deadline, and fails it with the deadline named.
    """
    if seconds is None:
        yield
        return
    previous = signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_job(inputs: WaveReportInputs, job: ReportJob, timeout: float | None = None) -> ReportOutcome:
    """Render one job to its path (written whole or not at all); an error is returned, not raised.

    With a `timeout`, call it in a worker process only: past it, the process ends (:func:`deadline`).
    """
    # Named by process: two workers rendering the same report at once (a lead asked again meanwhile) never write
    # into one file; the last rename wins, with the same bytes.
    partial = job.path.with_name(f"{job.path.name}.{os.getpid()}.part")
    try:
        with deadline(timeout):
            rendered = render_report(inputs, job.team, job.language, job.extras)
        job.path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(rendered.pdf)
        partial.replace(job.path)
    except Exception as error:  # one report's failure must not stop the batch
        partial.unlink(missing_ok=True)
        return ReportOutcome(job, error=describe_error(error))
    return ReportOutcome(job, None, hashlib.sha256(rendered.pdf).hexdigest(), rendered.pages, rendered.times)


_worker_inputs: WaveReportInputs | None = None
_worker_started: ctypes.Array[ctypes.c_bool] | None = None
_worker_timeout: float | None = None


def _start_worker(inputs: WaveReportInputs, started: ctypes.Array[ctypes.c_bool], timeout: float | None) -> None:
    global _worker_inputs, _worker_started, _worker_timeout
    _worker_inputs, _worker_started, _worker_timeout = inputs, started, timeout
    # What is loaded now lives as long as the worker; the collector need not scan it again for every report.
    gc.freeze()


def _render_in_worker(index: int, pickled_job: bytes) -> ReportOutcome:
    assert _worker_inputs is not None and _worker_started is not None, "worker started without its inputs"
    _worker_started[index] = True
    # The job is unpickled only once its start is marked, so that one that kills its worker even as it is read
    # is known to the parent as the job that was running.
    job: ReportJob = pickle.loads(pickled_job)
    return render_job(_worker_inputs, job, _worker_timeout)


def _render_in_pool(
    inputs: WaveReportInputs,
    jobs: list[ReportJob],
    workers: int,
    done: Callable[[ReportOutcome], None],
    timeout: float | None,
) -> tuple[list[ReportJob], list[ReportJob]]:
    """Render `jobs` in one pool, passing each outcome to `done`.

    Returns, when a worker died and broke the pool, the jobs left without an outcome: those that had started
    (one of them killed its worker, or was killed with it) and those that had not.
    """
    # Spawned, not forked: the parent may hold database driver threads that a fork would copy mid-state.
    context = multiprocessing.get_context("spawn")
    started = context.RawArray(ctypes.c_bool, len(jobs))
    interrupted: list[int] = []
    waiting: list[int] = []
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(inputs, started, timeout),
        # Workers are not recycled: their memory stays flat (about 1 MiB more per 100 reports, measured), and
        # CPython 3.11's pool stops starting workers once one retires with jobs still queued (gh-115634).
    ) as pool:
        futures = {pool.submit(_render_in_worker, index, pickle.dumps(job)): index for index, job in enumerate(jobs)}
        for future in as_completed(futures):
            index = futures[future]
            error = future.exception()
            if isinstance(error, BrokenProcessPool):
                # The pool sets this error once the dead worker is seen, so its job's start mark is already set.
                (interrupted if started[index] else waiting).append(index)
            elif error is None:
                done(future.result())
            else:
                done(ReportOutcome(jobs[index], error=describe_error(error)))
    return [jobs[index] for index in sorted(interrupted)], [jobs[index] for index in sorted(waiting)]


def _render_and_send(inputs: WaveReportInputs, job: ReportJob, timeout: float | None, sender: Connection) -> None:
    sender.send(render_job(inputs, job, timeout))
    sender.close()


def _render_alone(inputs: WaveReportInputs, job: ReportJob, timeout: float | None) -> ReportOutcome:
    """Render one job in a process of its own: a job that kills it is failed, and takes no other with it."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_render_and_send, args=(inputs, job, timeout, sender), daemon=True)
    process.start()
    sender.close()  # the child holds the only writing end: its death ends the pipe
    try:
        outcome: ReportOutcome | None = receiver.recv()
    except EOFError:  # the process died before it could send an outcome
        outcome = None
    finally:
        receiver.close()
        process.join()
    if outcome is None:
        if timeout is not None and process.exitcode == -signal.SIGALRM:
            return ReportOutcome(job, error=f"rendering took longer than {timeout:g} s")
        return ReportOutcome(job, error=f"the rendering process died ({_exit_status(process.exitcode)})")
    return outcome


def _exit_status(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def render_reports(
    inputs: WaveReportInputs,
    jobs: Iterable[ReportJob],
    *,
    workers: int | None = None,
    on_done: Callable[[ReportOutcome], None] | None = None,
    timeout: float | None = None,
) -> list[ReportOutcome]:
    """Render every job in worker processes; a job that fails is reported in its outcome and stops nothing else.

    A job that takes longer than `timeout` seconds ends its worker, is tried again alone under the same deadline,
    and is failed with "rendering took longer than ...".

    A job whose rendering kills its process (twice: in the pool, then alone) is failed with "the rendering
    process died (...)". Raises `RenderingStopped` if the workers die before rendering anything (the outcomes
    already passed to `on_done` stand).
    """
    outcomes: list[ReportOutcome] = []

    def done(outcome: ReportOutcome) -> None:
        outcomes.append(outcome)
        if on_done is not None:
            on_done(outcome)

    remaining = list(jobs)
    while remaining:
        before = len(outcomes)
        interrupted, remaining = _render_in_pool(inputs, remaining, workers or os.cpu_count() or 1, done, timeout)
        if remaining and not interrupted and len(outcomes) == before:
            raise RenderingStopped("the rendering processes died before rendering any report")
        for job in interrupted:
            done(_render_alone(inputs, job, timeout))
    return outcomes
