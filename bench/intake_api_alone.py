"""Symmetry's answer API alone in a Litestar app: no sessions, CSRF, authentication, templates or other routes.

``BENCH_APP=intake_api_alone:create_app BENCH_KINDS=postgresql make bench-intake`` puts it beside the same floor,
to tell what the full app's middleware costs intake from what the submission itself costs (README: it answered
at the full app's rate and CPU per request).
"""

from __future__ import annotations

import gc

from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin
from litestar import Litestar
from litestar.datastructures import State

from surveys.collection.controllers import ResponseApiController
from surveys.db import web_alchemy_config
from surveys.settings import Settings
from surveys.worker.queue import InlineJobs, QueueJobs, uses_queue
from surveys.worker.saq_queue import saq_queue


def create_app() -> Litestar:
    settings = Settings.from_env()
    database = web_alchemy_config(settings)
    jobs = QueueJobs(saq_queue(settings), settings) if uses_queue(settings) else InlineJobs(settings)
    return Litestar(
        [ResponseApiController],
        plugins=[SQLAlchemyPlugin(config=database)],
        on_startup=[gc.freeze],
        on_shutdown=[jobs.close, database.get_engine().dispose],
        state=State({"settings": settings, "jobs": jobs}),
    )
