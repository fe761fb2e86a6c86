"""The click spool: a click batch PostgreSQL could not take is written to a local file (fsynced) before its
visitors are answered, and drained into PostgreSQL once it answers again, each batch exactly once.

Every batch carries an id that its INSERT records in `click_batches` in the same statement, so draining a
file whose batch did reach PostgreSQL after all (the connection broke after the commit) writes nothing.
Files are locked while drained, so the API processes sharing a data folder may all drain it.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import msgspec

from advocacy.links.schemas import Click

log = logging.getLogger("advocacy.links")

_SUFFIX = ".clicks"


class SpooledBatch(msgspec.Struct, frozen=True, array_like=True):
    batch_id: uuid.UUID
    clicks: list[Click]


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(SpooledBatch)


class ClickSpool:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def write(self, batch_id: uuid.UUID, clicks: list[Click]) -> None:
        """Durably keep a batch (blocking: run it in a thread). Raises OSError if the disk refuses."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns():020d}-{batch_id.hex}"
        tmp = self.folder / f".{name}.tmp"
        data = _encoder.encode(SpooledBatch(batch_id, clicks))
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(tmp, self.folder / (name + _SUFFIX))
        directory = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a crash
        finally:
            os.close(directory)

    def pending(self) -> list[Path]:
        """Spooled batches, oldest first."""
        if not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.iterdir() if p.name.endswith(_SUFFIX))

    @contextlib.contextmanager
    def claim(self, path: Path) -> Iterator[SpooledBatch | None]:
        """The batch in this file, locked against other drainers (None if another holds it or it is gone).
        Call done() inside to delete it once it is in PostgreSQL."""
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            yield None
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield None
                return
            if not path.exists():  # drained and deleted by another process between listing and locking
                yield None
                return
            with open(fd, "rb", closefd=False) as handle:
                data = handle.read()
            try:
                batch: SpooledBatch | None = _decoder.decode(data)
            except msgspec.DecodeError:
                log.error("unreadable click spool file set aside", extra={"file": str(path)})
                self.set_aside(path)
                batch = None
            yield batch
        finally:
            os.close(fd)

    def done(self, path: Path) -> None:
        path.unlink(missing_ok=True)

    def set_aside(self, path: Path) -> None:
        """Out of the drain's way, kept for a person to look at."""
        path.rename(path.with_suffix(".refused"))
