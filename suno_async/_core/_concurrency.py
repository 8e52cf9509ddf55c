"""Running work concurrently without exception groups."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

import anyio

__all__ = ["run_all"]


async def run_all(jobs: Iterable[Callable[[], Awaitable[None]]]) -> None:
    """Run ``jobs`` concurrently. The first one to raise cancels the others, and its exception
    propagates as it is (not inside an exception group)."""
    error: Exception | None = None

    async def guarded(job: Callable[[], Awaitable[None]], scope: anyio.CancelScope) -> None:
        nonlocal error
        try:
            await job()
        except Exception as exc:
            if error is None:
                error = exc
            scope.cancel()

    async with anyio.create_task_group() as tg:
        for job in jobs:
            tg.start_soon(guarded, job, tg.cancel_scope)
    if error is not None:
        raise error
