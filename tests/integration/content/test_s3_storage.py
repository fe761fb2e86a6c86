"""The S3 backend against a local S3-compatible HTTP server (moto's server, which implements the S3 REST
API): AWS or MinIO cannot be reached from here, so this is the documented contract, not the real service."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from advocacy.core.errors import Invalid, NotFound
from content_library.images.storage import Storage, etag_for, new_key, storage_from_config


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3", endpoint_url=endpoint, region_name="eu-west-3", aws_access_key_id="test",
        aws_secret_access_key="test",
    ).create_bucket(Bucket="media", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})  # fmt: skip
    yield endpoint
    server.stop()


@pytest.fixture
def bucket(s3_endpoint: str) -> Storage:
    return storage_from_config(
        "s3", bucket="media", endpoint_url=s3_endpoint, region="eu-west-3", access_key="test",
        secret_key="test", path_style="true",
    )  # fmt: skip


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def read_all(stream: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in stream])


async def test_objects_round_trip_through_the_bucket(bucket: Storage) -> None:
    key = new_key("assets", "jpg")
    stored = await bucket.put(key, b"picture bytes", "image/jpeg")
    assert (stored.size, stored.etag) == (13, etag_for(b"picture bytes"))
    assert await bucket.exists(key)
    assert await bucket.get(key) == b"picture bytes"
    assert await read_all(await bucket.open(key, chunk_size=4)) == b"picture bytes"
    await bucket.delete(key)
    assert not await bucket.exists(key)
    with pytest.raises(NotFound):
        await bucket.get(key)


async def test_a_streamed_upload_is_stored_whole_or_not_at_all(bucket: Storage, s3_endpoint: str) -> None:
    key = new_key("assets", "png")
    stored = await bucket.put_stream(key, chunks(b"a" * 5, b"b" * 5), "image/png", max_bytes=10)
    assert stored.size == 10 and await bucket.get(key) == b"a" * 5 + b"b" * 5
    too_big = new_key("assets", "png")
    with pytest.raises(Invalid, match="limit"):
        await bucket.put_stream(too_big, chunks(b"x" * 8, b"y" * 8), "image/png", max_bytes=10)
    assert not await bucket.exists(too_big)
    client: Any = boto3.client(
        "s3", endpoint_url=s3_endpoint, region_name="eu-west-3", aws_access_key_id="test",
        aws_secret_access_key="test",
    )  # fmt: skip
    assert client.head_object(Bucket="media", Key=key)["ContentType"] == "image/png"


async def test_unsafe_keys_are_refused_before_the_bucket_is_called(bucket: Storage) -> None:
    for key in ("../x", "/etc/passwd", "assets/../../x"):
        with pytest.raises(Invalid):
            await bucket.put(key, b"data", "image/jpeg")
