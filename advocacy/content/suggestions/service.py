"""An ambassador suggesting a post, as the API and the web page both do it: opted in first, the link checked
before the image's body is opened (`image` opens it: its stream, checked for size and type), the image
received within the upload limits, then the suggestion."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from advocacy.ambassadors.service import require_ambassador
from advocacy.db.pool import Database
from advocacy.outbox.service import enqueue
from advocacy.settings import Settings
from content_library.images import service as images
from content_library.images.storage import Storage
from content_library.items.text import normalise_link
from content_library.suggestions import service as suggestions
from content_library.suggestions.schemas import SuggestionRead


async def suggest_post(
    db: Database,
    person_id: int,
    link: str,
    note: str | None,
    *,
    image: Callable[[], AsyncIterator[bytes]] | None = None,
    storage: Storage,
    settings: Settings,
) -> SuggestionRead:
    async with db.connection() as conn:
        await require_ambassador(conn, person_id)
    if image is None:
        return await suggestions.suggest(db, person_id, link, note)
    normalise_link(link)  # a bad link is refused before the image's body is even looked at
    received = await images.receive_image(
        storage, image(), max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels
    )
    return await suggestions.suggest(
        db, person_id, link, note, image=received, storage=storage, enqueue=enqueue
    )
