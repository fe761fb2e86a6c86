"""What the content library's HTTP face takes from the service: its Storage (app.state.storage, and the
worker's ctx["storage"]), the outbound fetch policy, and the query and upload bounds its routes share."""

from __future__ import annotations

from typing import Annotated

from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from advocacy.settings import Settings
from content_library.images.storage import Storage, storage_from_config
from content_library.sources.safe_fetch import FetchPolicy

MEDIA_URL_PREFIX = "/media"
# The largest body an upload route lets through at all; the configured limit applies while streaming.
UPLOAD_CEILING = 1_073_741_824 + 65_536

Text = Annotated[str | None, QueryParameter(max_length=200)]
CampaignSlug = Annotated[
    str | None, QueryParameter(max_length=80, description="The campaign's slug or public id")
]


def storage_from_settings(settings: Settings) -> Storage:
    if settings.storage == "s3":
        return storage_from_config(
            "s3",
            bucket=settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key=settings.s3_access_key_id,
            secret_key=settings.s3_secret_access_key,
            path_style=True,
            url_prefix=MEDIA_URL_PREFIX,
        )
    return storage_from_config("local", root=str(settings.data_path / "media"), url_prefix=MEDIA_URL_PREFIX)


def fetch_policy(settings: Settings) -> FetchPolicy:
    return FetchPolicy(allow_private=settings.fetch_allow_private)


def _storage(state: State) -> Storage:
    storage: Storage = state.storage
    return storage


STORAGE = {"storage": Provide(_storage, sync_to_thread=False)}
StorageDep = NamedDependency[Storage]
