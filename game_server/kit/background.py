"""Background tasks that live exactly as long as a block (a worker's lifespan)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine
from typing import Any


@contextlib.asynccontextmanager
async def in_background(*runs: tuple[str, Coroutine[Any, Any, object]]) -> AsyncIterator[None]:
    """Run each `(name, coroutine)` as a task while the block runs; cancel and await them all
    when it ends."""
    tasks = [asyncio.create_task(coroutine, name=name) for name, coroutine in runs]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
