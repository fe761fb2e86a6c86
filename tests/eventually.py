"""Waiting in tests on what a process shows, bounded generously, never on wall-clock figures: a loaded CI
machine delays everything, and what never happens still fails the test."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

BOUND = 10.0  # seconds


async def eventually(check: Callable[[], Awaitable[bool]], what: str = "the expected state") -> None:
    """Wait until `check()` holds, polling; fail after BOUND seconds."""
    try:
        async with asyncio.timeout(BOUND):
            while not await check():  # noqa: ASYNC110 - polls what another process or task changes
                await asyncio.sleep(0.01)
    except TimeoutError:
        raise AssertionError(f"{what}: not seen within {BOUND} s") from None
