"""arq worker: the outbox job, cron jobs, and the pools it opens on start-up."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from arq import cron
from arq.connections import RedisSettings
from arq.worker import Function, func

from advocacy.charter.cache import CharterCache, follow_charter_activations
from advocacy.content.wiring import storage_from_settings
from advocacy.db.pool import Database
from advocacy.mail.transport import transport_from_settings
from advocacy.outbox.service import RUN_OUTBOX_JOB, Handler, run_row
from advocacy.settings import Settings
from workers.jobs import OUTBOX_TIMEOUTS, outbox_handlers
from workers.jobs.content import poll_content_sources
from workers.jobs.incentives import close_challenges
from workers.jobs.maintenance import purge_idempotency_keys, purge_sign_in_challenges
from workers.jobs.reach import poll_share_metrics
from workers.jobs.shares import release_scheduled_shares, settle_clicks
from workers.relay import relay_forever
from workers.resilience import ResilientWorker

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
        ctx["db"],
        row_id,
        ctx["handlers"],
        ctx,
        max_attempts=ctx["settings"].outbox_max_attempts,
        timeouts=OUTBOX_TIMEOUTS,
    )


# run_row enforces each outbox job's own limit (and counts a timeout as a failed attempt); arq's timeout
# is only a backstop above the longest of them. A killed worker's row does not wait for it: the relay
# delivers it again under a new job id after OUTBOX_REDELIVER_SECONDS.
OUTBOX_ARQ_TIMEOUT = max(OUTBOX_TIMEOUTS.values()) + 30

FUNCTIONS: list[Function] = [
    # keep_result=0: the outbox row, not arq, remembers that a job ran.
    func(run_outbox_row, name=RUN_OUTBOX_JOB, max_tries=3, timeout=OUTBOX_ARQ_TIMEOUT, keep_result=0),
]


def build_worker(
    settings: Settings,
    *,
    handlers: dict[str, Handler] | None = None,
    burst: bool = False,
    relay: bool = True,
    handle_signals: bool = True,
    ready_file: str | None = None,
) -> ResilientWorker:
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
                    redeliver_after=settings.outbox_redeliver_seconds,
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

    return ResilientWorker(
        functions=FUNCTIONS,
        # Each cron job's timeout fits its work; a slot missed by a killed worker is simply the next slot's.
        cron_jobs=[
            cron(
                poll_share_metrics,
                minute=set(range(3, 60, 15)),
                second={45},
                run_at_startup=False,
                unique=True,
                timeout=600,  # every direct share of the last weeks, network calls of up to 15 s
            ),
            cron(
                purge_idempotency_keys, minute={7}, second={0}, run_at_startup=False, unique=True, timeout=300
            ),
            cron(
                purge_sign_in_challenges,
                minute={9},
                second={0},
                run_at_startup=False,
                unique=True,
                timeout=300,
            ),
            cron(release_scheduled_shares, second={0}, run_at_startup=False, unique=True, timeout=60),
            # every 10 s: clicks count (and earn points) within seconds of being recorded
            cron(settle_clicks, second=set(range(5, 60, 10)), run_at_startup=False, unique=True, timeout=60),
            cron(
                close_challenges,
                minute=set(range(0, 60, 5)),
                second={15},
                run_at_startup=False,
                unique=True,
                timeout=120,
            ),
            cron(
                poll_content_sources,
                minute=set(range(0, 60, 15)),
                second={30},
                run_at_startup=False,
                unique=True,
                timeout=600,  # up to 50 new links per source, each fetch bounded at 10 s
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
        # arq's in-progress mark (and so its own re-run of a killed worker's job) lasts this + 10 s
        job_timeout=OUTBOX_ARQ_TIMEOUT,
        ready_file=ready_file,
    )
