"""Direct publishing of a ready share through the employee's connected account (the `shares.publish` job).

Never twice: the post request is preceded by a committed "sending, outcome unknown" mark; an answer that
proves nothing was made clears it; otherwise the next try first looks for the post (our tracked link, or
Bluesky's record key derived from the share) before posting again. 429 / Retry-After is waited out when
short, or the job is rescheduled for then; transient errors back off; refusals reach the employee.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import asyncpg

from advocacy.audit.service import write_audit
from advocacy.connectors import queries
from advocacy.connectors.base import (
    AccountAuth,
    AuthExpired,
    Connector,
    ConnectorError,
    Image,
    PostDraft,
    PublishedPost,
    RateLimited,
    Rejected,
    Transient,
    Unsupported,
    UploadedImage,
)
from advocacy.connectors.crypto import TokenCipher
from advocacy.connectors.registry import Registry
from advocacy.connectors.schemas import (
    ShareToPublish,
)
from advocacy.connectors.service import NeedsReconnect, usable_auth
from advocacy.core.i18n import LazyText, lazy_gettext
from advocacy.core.networks import CONNECTED_NETWORKS
from advocacy.db.pool import Database
from content_library.images.storage import Storage

log = logging.getLogger("advocacy.publishing")

PUBLISH_JOB = "shares.publish"
INLINE_TRIES = 4
MAX_RUNS = 6
# Largest image each network accepts (bytes); the biggest stored version under it is sent.
IMAGE_LIMITS = {"linkedin": 8_000_000, "x": 5_000_000, "mastodon": 8_000_000, "bluesky": 950_000}

Sleep = Callable[[float], Awaitable[None]]


def inline_backoff(attempt: int) -> float:
    return min(8.0, 0.5 * float(2**attempt))


def run_backoff(runs: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2**runs))


def post_text(caption: str, link: str | None) -> str:
    if link and link not in caption:
        return f"{caption.rstrip()}\n\n{link}"
    return caption


class Failure(Exception):
    """Publishing failed for good; the reason, in both languages, goes to the employee."""

    def __init__(self, reason: LazyText, error: str = "") -> None:
        super().__init__(reason.in_language("en"))
        self.reason = reason
        self.fr, self.en = reason.in_language("fr"), reason.in_language("en")
        self.error = error or self.en


class Publisher:
    def __init__(
        self,
        db: Database,
        registry: Registry,
        cipher: TokenCipher,
        storage: Storage | None,
        *,
        sleep: Sleep = asyncio.sleep,
        max_inline_wait: float | None = None,
    ) -> None:
        self.db = db
        self.registry = registry
        self.cipher = cipher
        self.storage = storage
        self.sleep = sleep
        self.max_inline_wait = (
            registry.settings.publish_max_inline_wait_seconds if max_inline_wait is None else max_inline_wait
        )

    async def publish(self, conn: asyncpg.Connection, share_id: int) -> str:
        """Run one publish attempt for the share; `conn` is the job's transaction (holds the share's lock)."""
        if not await queries.try_lock_share(conn, share_id):
            raise RuntimeError(f"share {share_id} is being published by another run")
        async with self.db.connection() as c:
            share = await queries.share_to_publish(c, share_id)
        if share is None:
            return "missing"
        if share.external_post_id or share.status == "published":
            return "already-published"
        if share.mode != "direct" or share.status != "ready":
            return f"skipped-{share.status}"
        try:
            return await self._publish(share)
        except Failure as failure:
            await self._fail(share, failure)
            return "failed"

    async def _publish(self, share: ShareToPublish) -> str:
        if share.network not in CONNECTED_NETWORKS:
            raise Failure(
                lazy_gettext("Direct publishing is not available for %(network)s", network=share.network)
            )
        async with self.db.connection() as c:
            account = await queries.account_for(c, share.person_id, share.network)
        if account is None:
            raise Failure(
                lazy_gettext(
                    "No %(network)s account is connected: connect it, then share again", network=share.network
                )
            )
        async with self.db.transaction() as c:
            publication = await queries.ensure_publication(c, share.id, account.id)
        if publication.state == "failed":
            return "failed"
        connector = self.registry.connector(account.network)
        link = f"{self.registry.settings.base_url}/l/{share.link_code}" if share.link_code else ""
        draft = PostDraft(
            text=post_text(share.caption, link),
            link=link or share.caption,
            idempotency_key=f"advocacy-share-{share.public_id}",
            created_at=share.created_at,
        )
        auth = await self._auth(account.id, force=False)
        unknown = publication.outcome_unknown
        uploaded: list[UploadedImage] | None = None
        refreshed = False
        for attempt in range(INLINE_TRIES):
            posting = False
            try:
                if unknown:
                    found = await self._find(connector, auth, draft)
                    if found is not None:
                        await self._done(share, found, account.id)
                        return "published"
                if uploaded is None:
                    uploaded = [
                        await connector.upload_image(auth, image) for image in await self._images(share)
                    ]
                async with self.db.transaction() as c:
                    await queries.mark_sending(c, share.id)
                unknown = posting = True
                post = await connector.create_post(auth, draft, uploaded)
            except AuthExpired as exc:
                if refreshed:
                    raise Failure(
                        lazy_gettext(
                            "%(network)s no longer accepts the connected account: reconnect it (%(detail)s)",
                            network=share.network,
                            detail=exc.detail,
                        )
                    ) from None
                unknown = await self._settled(share.id, exc, posting, unknown)
                auth, refreshed = await self._auth(account.id, force=True), True
                continue
            except RateLimited as exc:
                unknown = await self._settled(share.id, exc, posting, unknown)
                if exc.retry_after > self.max_inline_wait:
                    return await self._reschedule(share, exc.retry_after, exc)
                await self.sleep(exc.retry_after)
                continue
            except Transient as exc:
                unknown = await self._settled(share.id, exc, posting and not exc.sent, unknown)
                await self.sleep(inline_backoff(attempt))
                continue
            except (Rejected, Unsupported) as exc:
                raise Failure(
                    lazy_gettext(
                        "%(network)s refused the post: %(detail)s", network=share.network, detail=exc.detail
                    ),
                    f"{exc.status}: {exc.detail}",
                ) from None
            await self._done(share, post, account.id)
            return "published"
        return await self._reschedule(share, None, None)

    async def _auth(self, account_id: int, *, force: bool) -> AccountAuth:
        try:
            _, auth = await usable_auth(self.db, self.registry, self.cipher, account_id, force_refresh=force)
        except NeedsReconnect as exc:
            raise Failure(
                lazy_gettext("The connected account must be connected again: %(detail)s", detail=exc.detail)
            ) from None
        return auth

    async def _find(self, connector: Connector, auth: AccountAuth, draft: PostDraft) -> PublishedPost | None:
        try:
            return await connector.find_post(auth, draft)
        except (Rejected, Unsupported) as exc:
            # We cannot tell whether the earlier request made the post: posting again could double it.
            raise Failure(
                lazy_gettext(
                    "We cannot check whether the post went out; look at your account and confirm it if it is there"
                ),
                f"find_post: {exc.detail}",
            ) from None

    async def _settled(self, share_id: int, exc: ConnectorError, proven_unsent: bool, unknown: bool) -> bool:
        """Record the error; when the answer to our post request proves it made nothing (429, 401, a refused
        connection), the "outcome unknown" mark is cleared. Returns whether the outcome is still unknown."""
        async with self.db.transaction() as c:
            if proven_unsent:
                await queries.clear_unknown(c, share_id, f"{exc.status}: {exc.detail}")
            else:
                await queries.note_error(c, share_id, f"{exc.status}: {exc.detail}")
        return False if proven_unsent else unknown

    async def _images(self, share: ShareToPublish) -> list[Image]:
        if not share.images or self.storage is None:
            return []
        async with self.db.connection() as c:
            sources = await queries.image_sources(c, share.images)
        limit = IMAGE_LIMITS.get(share.network, 5_000_000)
        images: list[Image] = []
        for asset in share.images:
            fitting = [s for s in sources if s.asset_public_id == asset and s.size_bytes <= limit]
            if not fitting:
                continue
            chosen = fitting[0]
            images.append(
                Image(
                    data=await self.storage.get(chosen.storage_key),
                    content_type=chosen.content_type,
                    alt_text=chosen.alt_text.get(share.language) or next(iter(chosen.alt_text.values()), ""),
                )
            )
        return images

    async def _done(self, share: ShareToPublish, post: PublishedPost, account_id: int) -> None:
        from advocacy.shares.service import mark_published  # the shares domain owns status and points

        async with self.db.transaction() as c:
            await queries.publication_done(c, share.id)
            await mark_published(c, share.id, post_url=post.url, post_id=post.external_id)
            await queries.touch_account(c, account_id)
            await write_audit(
                c,
                actor_id=None,
                action="share.published_direct",
                subject_type="share",
                subject_id=str(share.public_id),
                detail={"network": share.network, "external_post_id": post.external_id},
            )

    async def _reschedule(
        self, share: ShareToPublish, retry_after: float | None, exc: ConnectorError | None
    ) -> str:
        async with self.db.transaction() as c:
            runs = await queries.count_attempt(c, share.id, None)
            if runs >= MAX_RUNS:
                raise Failure(
                    lazy_gettext(
                        "%(network)s kept failing after %(runs)s tries; try again later",
                        network=share.network,
                        runs=runs,
                    ),
                    str(exc.detail if exc else "transient errors"),
                )
            delay = timedelta(seconds=retry_after) if retry_after is not None else run_backoff(runs)
            at = datetime.now(UTC) + delay
            await queries.count_attempt(c, share.id, at)
            await queries.schedule_publish(c, PUBLISH_JOB, share.id, runs, at)
        return "rescheduled"

    async def _fail(self, share: ShareToPublish, failure: Failure) -> None:
        shown = failure.reason.in_language(share.person_language)
        async with self.db.transaction() as c:
            await queries.publication_failed(
                c, share.id, reason_fr=failure.fr, reason_en=failure.en, shown=shown, error=failure.error
            )
            await write_audit(
                c,
                actor_id=None,
                action="share.publish_failed",
                subject_type="share",
                subject_id=str(share.public_id),
                detail={"network": share.network, "error": failure.error[:300]},
            )
        log.info("direct publishing failed", extra={"share": share.id, "error": failure.error[:300]})
