"""Campaigns' HTTP face: everyone signed in reads them; curators create and change them."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.params import FromPath, JSONBody

from advocacy.core.roles import Role
from advocacy.http.deps import DbDep, PrincipalDep
from advocacy.http.guards import ANY_PERSON, Allow
from advocacy.http.pagination import Cursor, Limit, Page, page_by_id, published_page
from content_library.campaigns import service as campaigns
from content_library.campaigns.schemas import CampaignCreate, CampaignRead, CampaignUpdate

CampaignPage = Annotated[Page[CampaignRead], published_page("content_library.schemas.CampaignRead")]


class CampaignController(Controller):
    path = "/api/v1/content/campaigns"
    tags = ["content"]
    guards = [ANY_PERSON]

    @get("/", operation_id="listCampaigns")
    async def list_campaigns(self, db: DbDep, limit: Limit = 50, cursor: Cursor = None) -> CampaignPage:
        """Campaigns, newest first."""
        return await page_by_id(
            cursor,
            limit,
            lambda after_id, count: campaigns.campaigns_page(db, after_id=after_id, limit=count),
        )

    @post("/", operation_id="createCampaign", guards=[Allow(Role.CURATOR)])
    async def create(
        self, data: JSONBody[CampaignCreate], db: DbDep, principal: PrincipalDep
    ) -> CampaignRead:
        """Create a campaign."""
        return await campaigns.create_campaign(db, data, actor_id=principal.person_id)

    @get("/{campaign_id:uuid}", operation_id="getCampaign")
    async def read(self, campaign_id: FromPath[UUID], db: DbDep) -> CampaignRead:
        """One campaign."""
        return await campaigns.get_campaign(db, campaign_id)

    @patch("/{campaign_id:uuid}", operation_id="updateCampaign", guards=[Allow(Role.CURATOR)])
    async def update(
        self, campaign_id: FromPath[UUID], data: JSONBody[CampaignUpdate], db: DbDep
    ) -> CampaignRead:
        """Change a campaign."""
        return await campaigns.update_campaign(db, campaign_id, data)
