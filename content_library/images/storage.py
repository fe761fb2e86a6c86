"""File storage behind one small interface: the local filesystem by default, or an S3-compatible bucket.

Keys come from `new_key` (random), never from user input; content type, size and ETag are returned by
`put` for the caller to keep with its own row.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import os
import re
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import msgspec

from advocacy.core.errors import Invalid, NotFound
from advocacy.core.i18n import lazy_gettext

CHUNK_SIZE = 256 * 1024
_KEY = re.compile(r"[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*")
_EXTENSION = re.compile(r"[a-z0-9]{1,10}")
MAX_KEY_LENGTH = 512


class StoredObject(msgspec.Struct, frozen=True, kw_only=True):
    """What was stored: enough to serve it (Content-Type, Content-Length, ETag) without asking again."""

    key: str
    size: int
    etag: str  # quoted, ready for the ETag header
    content_type: str


def etag_for(data: bytes) -> str:
    """A strong ETag for these bytes, quoted as the header wants it; the same on every backend."""
    return f'"{hashlib.blake2b(data, digest_size=16).hexdigest()}"'


def _etag_of(digest: Any) -> str:
    return f'"{digest.hexdigest()}"'


def validate_key(key: str) -> str:
    """The key itself if it is safe as a path and an object name; Invalid otherwise.

    Allowed: lowercase letters, digits, '.', '_', '-' in '/'-separated segments that start with a
    letter or digit; no '..', no leading '/', at most MAX_KEY_LENGTH characters.
    """
    if not key or len(key) > MAX_KEY_LENGTH or ".." in key or not _KEY.fullmatch(key):
        raise Invalid(lazy_gettext("%(value)s is not a valid storage key.", value=repr(key[:80])))
    return key


def new_key(prefix: str, ext: str) -> str:
    """A fresh random key under prefix: `{prefix}/{2 hex}/{32 hex}.{ext}` (the fan-out keeps folders small)."""
    if not _EXTENSION.fullmatch(ext):
        raise Invalid(lazy_gettext("%(value)s is not a valid file extension.", value=repr(ext[:20])))
    token = secrets.token_hex(16)
    return validate_key(f"{prefix.strip('/')}/{token[:2]}/{token}.{ext}")


@runtime_checkable
class Storage(Protocol):
    """Where files live. Every method validates its key; a missing key raises NotFound (delete: no-op)."""

    async def put(self, key: str, data: bytes, content_type: str) -> StoredObject:
        """Store data under key, replacing what was there, atomically."""
        ...

    async def put_stream(
        self, key: str, chunks: AsyncIterator[bytes], content_type: str, max_bytes: int
    ) -> StoredObject:
        """Store what chunks yield; past max_bytes raise Invalid and leave nothing behind."""
        ...

    async def get(self, key: str) -> bytes:
        """The whole object."""
        ...

    async def open(self, key: str, *, chunk_size: int = CHUNK_SIZE) -> AsyncIterator[bytes]:
        """The object as chunks; NotFound is raised here, before the first chunk. Iterate to the end."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object if it exists."""
        ...

    async def exists(self, key: str) -> bool: ...

    def url_path(self, key: str) -> str:
        """The path under which the app serves this object (e.g. /media/{key})."""
        ...


class LocalStorage:
    """Files under root; writes go to a temporary file in the same folder, then `os.replace`."""

    def __init__(self, root: Path, *, url_prefix: str = "/media") -> None:
        self.root = root.resolve()
        self.url_prefix = url_prefix.rstrip("/")

    def _path(self, key: str) -> Path:
        path = (self.root / validate_key(key)).resolve()
        if not path.is_relative_to(self.root):  # a symlink planted inside root must not lead outside
            raise Invalid(lazy_gettext("%(value)s is not a valid storage key.", value=repr(key[:80])))
        return path

    def url_path(self, key: str) -> str:
        return f"{self.url_prefix}/{validate_key(key)}"

    async def put(self, key: str, data: bytes, content_type: str) -> StoredObject:
        path = self._path(key)
        await asyncio.to_thread(_write_atomically, path, [data])
        return StoredObject(key=key, size=len(data), etag=etag_for(data), content_type=content_type)

    async def put_stream(
        self, key: str, chunks: AsyncIterator[bytes], content_type: str, max_bytes: int
    ) -> StoredObject:
        path = self._path(key)
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.part")
        digest = hashlib.blake2b(digest_size=16)
        size = 0
        handle = await asyncio.to_thread(temporary.open, "xb")
        try:
            buffered: list[bytes] = []
            buffered_size = 0
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise Invalid(
                        lazy_gettext(
                            "The file is larger than the %(max_bytes)s-byte limit.",
                            max_bytes=format(max_bytes, ","),
                        ),
                        extra={"max_bytes": max_bytes},
                    )
                digest.update(chunk)
                buffered.append(chunk)
                buffered_size += len(chunk)
                if buffered_size >= CHUNK_SIZE:
                    await asyncio.to_thread(handle.writelines, buffered)
                    buffered, buffered_size = [], 0
            await asyncio.to_thread(_finish, handle, buffered)
            await asyncio.to_thread(os.replace, temporary, path)
        except BaseException:
            await asyncio.to_thread(_discard, handle, temporary)
            raise
        return StoredObject(key=key, size=size, etag=_etag_of(digest), content_type=content_type)

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except (FileNotFoundError, IsADirectoryError) as exc:
            raise NotFound(lazy_gettext("No stored file %(key)s.", key=repr(key))) from exc

    async def open(self, key: str, *, chunk_size: int = CHUNK_SIZE) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except (FileNotFoundError, IsADirectoryError) as exc:
            raise NotFound(lazy_gettext("No stored file %(key)s.", key=repr(key))) from exc

        async def chunks() -> AsyncIterator[bytes]:
            try:
                while chunk := await asyncio.to_thread(handle.read, chunk_size):
                    yield chunk
            finally:
                await asyncio.to_thread(handle.close)

        return chunks()

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)


def _write_atomically(path: Path, parts: list[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.part")
    handle = temporary.open("xb")
    try:
        _finish(handle, parts)
        os.replace(temporary, path)
    except BaseException:
        _discard(handle, temporary)
        raise


def _finish(handle: Any, parts: list[bytes]) -> None:
    handle.writelines(parts)
    handle.flush()
    os.fsync(handle.fileno())  # the rename must never expose a file whose bytes are not on disk yet
    handle.close()


def _discard(handle: Any, temporary: Path) -> None:
    handle.close()
    temporary.unlink(missing_ok=True)


class S3Storage:
    """Objects in an S3-compatible bucket (AWS, MinIO, Garage, R2...) through boto3, off the event loop.

    boto3 is optional: installing it is only needed when this backend is chosen.
    """

    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        path_style: bool = False,
        url_prefix: str = "/media",
        client: Any = None,
    ) -> None:
        self.bucket = bucket
        self.url_prefix = url_prefix.rstrip("/")
        if client is None:
            boto3 = importlib.import_module("boto3")
            botocore_config = importlib.import_module("botocore.config")
            client = boto3.session.Session().client(
                "s3",
                endpoint_url=endpoint_url,
                region_name=region,
                aws_access_key_id=access_key,
                aws_secret_access_key=secret_key,
                config=botocore_config.Config(s3={"addressing_style": "path" if path_style else "auto"}),
            )
        self._client = client
        self._client_error = importlib.import_module("botocore.exceptions").ClientError

    def url_path(self, key: str) -> str:
        return f"{self.url_prefix}/{validate_key(key)}"

    def _missing(self, exc: Exception) -> bool:
        response = getattr(exc, "response", {}) or {}
        code = str(response.get("Error", {}).get("Code", ""))
        return code in ("404", "NoSuchKey", "NotFound")

    async def put(self, key: str, data: bytes, content_type: str) -> StoredObject:
        await asyncio.to_thread(
            self._client.put_object,
            Bucket=self.bucket,
            Key=validate_key(key),
            Body=data,
            ContentType=content_type,
        )
        return StoredObject(key=key, size=len(data), etag=etag_for(data), content_type=content_type)

    async def put_stream(
        self, key: str, chunks: AsyncIterator[bytes], content_type: str, max_bytes: int
    ) -> StoredObject:
        # Held in memory (bounded by max_bytes) so that nothing reaches the bucket unless it is whole.
        validate_key(key)
        body = bytearray()
        async for chunk in chunks:
            if len(body) + len(chunk) > max_bytes:
                raise Invalid(
                    lazy_gettext(
                        "The file is larger than the %(max_bytes)s-byte limit.",
                        max_bytes=format(max_bytes, ","),
                    ),
                    extra={"max_bytes": max_bytes},
                )
            body += chunk
        return await self.put(key, bytes(body), content_type)

    async def get(self, key: str) -> bytes:
        body = await self._body(key)
        try:
            data: bytes = await asyncio.to_thread(body.read)
        finally:
            body.close()
        return data

    async def _body(self, key: str) -> Any:
        try:
            response = await asyncio.to_thread(
                self._client.get_object, Bucket=self.bucket, Key=validate_key(key)
            )
        except self._client_error as exc:
            if self._missing(exc):
                raise NotFound(lazy_gettext("No stored file %(key)s.", key=repr(key))) from exc
            raise
        return response["Body"]

    async def open(self, key: str, *, chunk_size: int = CHUNK_SIZE) -> AsyncIterator[bytes]:
        body = await self._body(key)

        async def chunks() -> AsyncIterator[bytes]:
            try:
                while chunk := await asyncio.to_thread(body.read, chunk_size):
                    yield chunk
            finally:
                body.close()

        return chunks()

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._client.delete_object, Bucket=self.bucket, Key=validate_key(key))

    async def exists(self, key: str) -> bool:
        try:
            await asyncio.to_thread(self._client.head_object, Bucket=self.bucket, Key=validate_key(key))
        except self._client_error as exc:
            if self._missing(exc):
                return False
            raise
        return True


MEDIA_PREFIX = "/media/"


def media_prefix(storage: Storage | None) -> str:
    """The URL prefix of stored files (the default one when no storage is at hand)."""
    return storage.url_path("k")[:-1] if storage is not None else MEDIA_PREFIX


def storage_from_config(kind: str, **options: Any) -> Storage:
    """The backend settings ask for.

    kind "local": root (path), url_prefix. kind "s3": bucket, endpoint_url, region, access_key,
    secret_key, path_style ("true"/"false" or bool), url_prefix. Unknown kinds or options raise ValueError.
    """
    if kind == "local":
        _only(options, {"root", "url_prefix"})
        if "root" not in options:
            raise ValueError("local storage needs a root folder")
        return LocalStorage(Path(options["root"]), url_prefix=str(options.get("url_prefix", "/media")))
    if kind == "s3":
        _only(
            options,
            {"bucket", "endpoint_url", "region", "access_key", "secret_key", "path_style", "url_prefix"},
        )
        if not options.get("bucket"):
            raise ValueError("s3 storage needs a bucket")
        path_style = options.get("path_style", False)
        if isinstance(path_style, str):
            path_style = path_style.strip().lower() in ("1", "true", "yes", "on")
        return S3Storage(
            bucket=str(options["bucket"]),
            endpoint_url=options.get("endpoint_url") or None,
            region=options.get("region") or None,
            access_key=options.get("access_key") or None,
            secret_key=options.get("secret_key") or None,
            path_style=bool(path_style),
            url_prefix=str(options.get("url_prefix", "/media")),
        )
    raise ValueError(f"unknown storage kind {kind!r}: choose 'local' or 's3'")


def _only(options: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(options) - allowed
    if unknown:
        raise ValueError(f"unknown storage options: {', '.join(sorted(unknown))}")
