"""Storage: atomic local writes, bounded streams that leave nothing behind, safe keys, the S3 calls."""

from __future__ import annotations

import importlib
import importlib.util
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from advocacy.core.errors import Invalid, NotFound
from content_library.images.storage import (
    LocalStorage,
    S3Storage,
    Storage,
    etag_for,
    new_key,
    storage_from_config,
    validate_key,
)


async def chunks_of(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "media")


async def test_a_put_file_reads_back_with_its_size_and_etag(storage: LocalStorage) -> None:
    key = new_key("assets", "jpg")
    stored = await storage.put(key, b"picture bytes", "image/jpeg")
    assert (stored.key, stored.size, stored.content_type) == (key, 13, "image/jpeg")
    assert stored.etag == etag_for(b"picture bytes")
    assert await storage.get(key) == b"picture bytes"
    assert await storage.exists(key)


async def test_a_put_replaces_atomically_and_leaves_no_temporary_file(
    storage: LocalStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "assets/aa/first.jpg"
    await storage.put(key, b"old", "image/jpeg")

    def crash(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("content_library.images.storage.os.replace", crash)
    with pytest.raises(OSError, match="disk full"):
        await storage.put(key, b"new and larger", "image/jpeg")
    assert await storage.get(key) == b"old", "a failed write never leaves a half-written file in place"
    assert files_under(storage.root) == ["assets/aa/first.jpg"]


async def test_a_stream_within_the_limit_is_stored_whole(storage: LocalStorage) -> None:
    key = new_key("uploads", "png")
    parts = [b"a" * 300_000, b"b" * 300_000, b"c"]
    stored = await storage.put_stream(key, chunks_of(*parts), "image/png", max_bytes=600_001)
    assert stored.size == 600_001
    assert stored.etag == etag_for(b"".join(parts))
    assert await storage.get(key) == b"".join(parts)


async def test_a_stream_over_the_limit_is_refused_and_leaves_nothing_behind(storage: LocalStorage) -> None:
    key = new_key("uploads", "png")
    with pytest.raises(Invalid, match="limit"):
        await storage.put_stream(
            key, chunks_of(b"x" * 400_000, b"y" * 400_000), "image/png", max_bytes=500_000
        )
    assert not await storage.exists(key)
    assert files_under(storage.root) == []


async def test_a_stream_that_fails_midway_leaves_nothing_behind(storage: LocalStorage) -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield b"x" * 1000
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await storage.put_stream("uploads/ab/gone.png", broken(), "image/png", max_bytes=10_000)
    assert files_under(storage.root) == []


async def test_a_stream_over_the_limit_keeps_the_previous_file(storage: LocalStorage) -> None:
    await storage.put("uploads/ab/kept.png", b"previous", "image/png")
    with pytest.raises(Invalid):
        await storage.put_stream("uploads/ab/kept.png", chunks_of(b"z" * 20), "image/png", max_bytes=10)
    assert await storage.get("uploads/ab/kept.png") == b"previous"


async def test_open_streams_the_file_in_chunks(storage: LocalStorage) -> None:
    await storage.put("a/b.bin", b"0123456789", "application/octet-stream")
    received = [chunk async for chunk in await storage.open("a/b.bin", chunk_size=4)]
    assert received == [b"0123", b"4567", b"89"]


async def test_missing_files_are_not_found_and_delete_is_idempotent(storage: LocalStorage) -> None:
    await storage.put("a/b.bin", b"x", "application/octet-stream")
    await storage.delete("a/b.bin")
    await storage.delete("a/b.bin")
    assert not await storage.exists("a/b.bin")
    with pytest.raises(NotFound):
        await storage.get("a/b.bin")
    with pytest.raises(NotFound):
        await storage.open("a/b.bin")


@pytest.mark.parametrize(
    "key",
    [
        "",
        "../etc/passwd",
        "assets/../../etc/passwd",
        "/etc/passwd",
        "assets//x.jpg",
        "assets/.hidden",
        "Assets/X.JPG",
        "assets/photo name.jpg",
        "assets\\x.jpg",
        "assets/x.jpg/",
        "assets/a..b.jpg",
        "assets/caf\u00e9.jpg",
        "assets/x.jpg\x00.png",
        "a" * 600,
    ],
)
async def test_unsafe_keys_are_refused_everywhere(storage: LocalStorage, key: str) -> None:
    with pytest.raises(Invalid):
        validate_key(key)
    with pytest.raises(Invalid):
        await storage.put(key, b"x", "image/png")
    with pytest.raises(Invalid):
        await storage.get(key)
    with pytest.raises(Invalid):
        storage.url_path(key)


async def test_a_symlink_inside_the_root_cannot_lead_outside_it(
    storage: LocalStorage, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    storage.root.mkdir(parents=True, exist_ok=True)
    (storage.root / "escape").symlink_to(outside)
    with pytest.raises(Invalid):
        await storage.put("escape/x.png", b"x", "image/png")
    assert list(outside.iterdir()) == []


def test_new_keys_are_random_valid_and_keep_their_prefix_and_extension() -> None:
    keys = {new_key("assets/originals", "jpg") for _ in range(100)}
    assert len(keys) == 100
    for key in keys:
        assert re.fullmatch(r"assets/originals/[0-9a-f]{2}/[0-9a-f]{32}\.jpg", key)
        assert validate_key(key) == key


@pytest.mark.parametrize(
    ("prefix", "ext"), [("../up", "jpg"), ("assets", "../jpg"), ("assets", "JPG"), ("assets", "")]
)
def test_new_key_refuses_bad_prefixes_and_extensions(prefix: str, ext: str) -> None:
    with pytest.raises(Invalid):
        new_key(prefix, ext)


def test_the_url_path_is_under_the_media_prefix(storage: LocalStorage) -> None:
    assert storage.url_path("assets/ab/x.jpg") == "/media/assets/ab/x.jpg"


def test_etags_are_quoted_and_change_with_the_content() -> None:
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag_for(b"a"))
    assert etag_for(b"a") != etag_for(b"b")


def test_the_factory_builds_local_storage_and_refuses_unknown_settings(tmp_path: Path) -> None:
    built = storage_from_config("local", root=str(tmp_path))
    assert isinstance(built, LocalStorage)
    assert isinstance(built, Storage)
    with pytest.raises(ValueError, match="unknown storage kind"):
        storage_from_config("ftp", root=str(tmp_path))
    with pytest.raises(ValueError, match="unknown storage options"):
        storage_from_config("local", root=str(tmp_path), bucket="x")
    with pytest.raises(ValueError, match="bucket"):
        storage_from_config("s3")


needs_boto3 = pytest.mark.skipif(importlib.util.find_spec("boto3") is None, reason="boto3 is not installed")


@pytest.fixture
def s3() -> Any:
    stubber_class = importlib.import_module("botocore.stub").Stubber
    storage = storage_from_config(
        "s3",
        bucket="media",
        endpoint_url="http://127.0.0.1:9",
        region="eu-west-3",
        access_key="test",
        secret_key="test",
        path_style="true",
    )
    assert isinstance(storage, S3Storage)
    stubber = stubber_class(storage._client)
    with stubber:
        yield storage, stubber
    stubber.assert_no_pending_responses()


@needs_boto3
async def test_s3_put_sends_the_key_body_and_content_type(s3: Any) -> None:
    storage, stubber = s3
    stubber.add_response(
        "put_object",
        {"ETag": '"x"'},
        {"Bucket": "media", "Key": "assets/ab/x.jpg", "Body": b"data", "ContentType": "image/jpeg"},
    )
    stored = await storage.put("assets/ab/x.jpg", b"data", "image/jpeg")
    assert stored.etag == etag_for(b"data")


@needs_boto3
async def test_s3_stream_over_the_limit_never_reaches_the_bucket(s3: Any) -> None:
    storage, _ = s3
    with pytest.raises(Invalid, match="limit"):
        await storage.put_stream("assets/ab/x.jpg", chunks_of(b"x" * 8, b"y" * 8), "image/jpeg", max_bytes=10)


@needs_boto3
async def test_s3_missing_objects_are_not_found(s3: Any) -> None:
    storage, stubber = s3
    stubber.add_client_error("head_object", service_error_code="404", http_status_code=404)
    stubber.add_client_error("get_object", service_error_code="NoSuchKey", http_status_code=404)
    assert not await storage.exists("assets/ab/x.jpg")
    with pytest.raises(NotFound):
        await storage.get("assets/ab/x.jpg")


@needs_boto3
async def test_s3_refuses_unsafe_keys_before_calling_the_bucket(s3: Any) -> None:
    storage, _ = s3
    with pytest.raises(Invalid):
        await storage.put("../x", b"data", "image/jpeg")
