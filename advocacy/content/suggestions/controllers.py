"""Suggestions' HTTP face: ambassadors suggest links (with an image or not) and follow them; curators
work through the queue, accepting into drafts or declining with a reason."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from advocacy.content.suggestions.service import suggest_post
from advocacy.content.uploads import upload_stream
from advocacy.content.wiring import STORAGE, UPLOAD_CEILING, StorageDep
from advocacy.core.roles import Role
from advocacy.http.deps import DbDep, PrincipalDep, SettingsDep
from advocacy.http.guards import ANY_PERSON, Allow
from advocacy.http.pagination import Cursor, Limit, Page, page_by_id, published_page
from advocacy.people import service as people
from content_library.items.schemas import ItemCreate, ItemRead
from content_library.suggestions import service as suggestions
from content_library.suggestions.schemas import SuggestionCreate, SuggestionDecline, SuggestionRead

SuggestionPage = Annotated[Page[SuggestionRead], published_page("content_library.schemas.SuggestionRead")]


class SuggestionController(Controller):
    path = "/api/v1/content/suggestions"
    tags = ["content"]
    guards = [Allow(Role.CURATOR)]
    dependencies = STORAGE

    @post("/", operation_id="suggestContent", guards=[ANY_PERSON])
    async def suggest(
        self,
        data: JSONBody[SuggestionCreate],
        db: DbDep,
        principal: PrincipalDep,
        settings: SettingsDep,
        storage: StorageDep,
    ) -> SuggestionRead:
        """Suggest a post (opted-in employees): a link and a note, for the curators' queue."""
        return await suggest_post(
            db, principal.person_id, data.link, data.note, storage=storage, settings=settings
        )

    @post(
        "/with-image",
        operation_id="suggestContentWithImage",
        guards=[ANY_PERSON],
        request_max_body_size=UPLOAD_CEILING,
        status_code=201,
    )
    async def suggest_with_image(
        self,
        request: Request[Any, Any, Any],
        db: DbDep,
        principal: PrincipalDep,
        settings: SettingsDep,
        storage: StorageDep,
        link: Annotated[str, QueryParameter(min_length=8, max_length=2000)],
        note: Annotated[str | None, QueryParameter(max_length=2000)] = None,
    ) -> SuggestionRead:
        """Suggest a post with an image (the image is the body; link and note in the query)."""
        return await suggest_post(
            db, principal.person_id, link, note,
            image=lambda: upload_stream(request, settings.max_upload_bytes), storage=storage, settings=settings,
        )  # fmt: skip

    @get("/mine", operation_id="listMySuggestions", guards=[ANY_PERSON])
    async def mine(
        self, db: DbDep, principal: PrincipalDep, limit: Limit = 50, cursor: Cursor = None
    ) -> SuggestionPage:
        """My suggestions, with what became of them (and why one was declined)."""
        return await page_by_id(
            cursor,
            limit,
            lambda after_id, count: suggestions.suggestions_page(
                db, person_id=principal.person_id, status=None, after_id=after_id, limit=count
            ),
        )

    @get("/", operation_id="listSuggestions")
    async def queue(
        self,
        db: DbDep,
        limit: Limit = 50,
        cursor: Cursor = None,
        status: Annotated[str | None, QueryParameter(pattern="^(pending|accepted|declined)$")] = "pending",
    ) -> SuggestionPage:
        """The curators' queue of suggestions (pending by default)."""
        return await page_by_id(
            cursor,
            limit,
            lambda after_id, count: suggestions.suggestions_page(
                db, person_id=None, status=status, after_id=after_id, limit=count
            ),
        )

    @post("/{suggestion_id:uuid}/accept", operation_id="acceptSuggestion", status_code=200)
    async def accept(
        self,
        suggestion_id: FromPath[UUID],
        db: DbDep,
        principal: PrincipalDep,
        storage: StorageDep,
        data: JSONBody[ItemCreate | None] = None,
    ) -> ItemRead:
        """Turn a suggestion into a draft."""
        return await suggestions.accept_suggestion(
            db, suggestion_id, data, actor_id=principal.person_id, teams=people.team_ids, storage=storage
        )

    @post("/{suggestion_id:uuid}/decline", operation_id="declineSuggestion", status_code=200)
    async def decline(
        self,
        suggestion_id: FromPath[UUID],
        data: JSONBody[SuggestionDecline],
        db: DbDep,
        principal: PrincipalDep,
    ) -> SuggestionRead:
        """Decline a suggestion with a reason the employee sees."""
        return await suggestions.decline_suggestion(
            db, suggestion_id, data.reason, actor_id=principal.person_id
        )
