"""arq worker: the outbox job, cron jobs, and the pools it opens on start-up."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from arq import cron
from arq.connections import RedisSettings
from arq.worker import Function, Worker, func

from advocacy.charter.cache import CharterCache, follow_charter_activations
from advocacy.content.storage import storage_from_settings
from advocacy.db.pool import Database
from advocacy.mail.transport import transport_from_settings
from advocacy.outbox.service import RUN_OUTBOX_JOB, Handler, run_row
from advocacy.settings import Settings
from workers.jobs import outbox_handlers
from workers.jobs.content import poll_content_sources
from workers.jobs.incentives import close_challenges
from workers.jobs.maintenance import purge_idempotency_keys
from workers.jobs.reach import poll_share_metrics
from workers.jobs.shares import release_scheduled_shares, settle_clicks
from workers.relay import relay_forever

log = logging.getLogger("advocacy.worker")


def redis_settings(settings: Settings) -> RedisSettings:
    if settings.redis_url.startswith("unix://"):
        path, _, query = settings.redis_url[len("unix://") :].partition("?")
        database = 0
        for part in query.split("&"):
            if part.startswith("db="):
                database = int(part[3:])
        return RedisSettings(unix_socket_path=path, database=database)
    return RedisSettings.from_dsn(settings.redis_url)


def queue_name(settings: Settings) -> str:
    return f"{settings.redis_namespace}:queue"


async def run_outbox_row(ctx: dict[str, Any], row_id: int) -> str:
    return await run_row(
        ctx["db"], row_id, ctx["handlers"], ctx, max_attempts=ctx["settings"].outbox_max_attempts
    )


FUNCTIONS: list[Function] = [
    # keep_result=0: the outbox row, not arq, remembers that a job ran, so its id is free for a re-run.
    func(run_outbox_row, name=RUN_OUTBOX_JOB, max_tries=3, timeout=600, keep_result=0),
]


def build_worker(
    settings: Settings,
    *,
    handlers: dict[str, Handler] | None = None,
    burst: bool = False,
    relay: bool = True,
    handle_signals: bool = True,
) -> Worker:
    async def startup(ctx: dict[str, Any]) -> None:
        ctx["settings"] = settings
        ctx["db"] = await Database.connect(settings.database_url, min_size=1, max_size=settings.db_pool_max)
        # Mail jobs commit their progress on a second connection while holding one of ctx["db"]: a pool of
        # their own, so that jobs holding every connection of the first can never wait on each other.
        ctx["side_db"] = await Database.connect(settings.database_url, min_size=1, max_size=4)
        ctx["mail"] = transport_from_settings(settings)
        if settings.mail_transport == "log":
            log.info("mail is written to this log, not sent (MAIL_TRANSPORT=log)")
        ctx["storage"] = storage_from_settings(settings)
        ctx["handlers"] = handlers if handlers is not None else outbox_handlers()
        ctx["charters"] = CharterCache()
        ctx["charter_follower"] = asyncio.create_task(
            follow_charter_activations(settings.database_url, ctx["charters"], ctx["db"])
        )
        if relay:
            ctx["relay"] = asyncio.create_task(
                relay_forever(
                    ctx["db"],
                    ctx["redis"],
                    settings.redis_namespace,
                    queue_name(settings),
                    settings.database_url,
                )
            )

    async def shutdown(ctx: dict[str, Any]) -> None:
        tasks = [task for task in (ctx.get("relay"), ctx.get("charter_follower")) if task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if "db" in ctx:
            await ctx["db"].close()
        if "side_db" in ctx:
            await ctx["side_db"].close()

    return Worker(
        functions=FUNCTIONS,
        cron_jobs=[
            cron(
                poll_share_metrics,
                minute=set(range(3, 60, 15)),
                second={45},
                run_at_startup=False,
                unique=True,
            ),
            cron(purge_idempotency_keys, minute={7}, second={0}, run_at_startup=False, unique=True),
            cron(release_scheduled_shares, second={0}, run_at_startup=False, unique=True),
            # every 10 s: clicks count (and earn points) within seconds of being recorded
            cron(settle_clicks, second=set(range(5, 60, 10)), run_at_startup=False, unique=True),
            cron(
                close_challenges, minute=set(range(0, 60, 5)), second={15}, run_at_startup=False, unique=True
            ),
            cron(
                poll_content_sources,
                minute=set(range(0, 60, 15)),
                second={30},
                run_at_startup=False,
                unique=True,
            ),
        ],
        redis_settings=redis_settings(settings),
        queue_name=queue_name(settings),
        on_startup=startup,
        on_shutdown=shutdown,
        burst=burst,
        handle_signals=handle_signals,
        max_jobs=20,
        poll_delay=0.2,
    )
