"""The Storage the settings ask for, shared by the app (app.state.storage) and the worker (ctx["storage"])."""

from __future__ import annotations

from advocacy.settings import Settings
from content_library.storage import Storage, storage_from_config

MEDIA_URL_PREFIX = "/media"


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
