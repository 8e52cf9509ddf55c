"""The client's slots for status requests in flight: first come, first served, with waiters
that are plain futures.

A large fan-out keeps thousands of polls in line for a few slots. Each of them used to hold a
cancel scope for its deadline while in line (with its sets, its task state and its timer):
most of the cyclic garbage collector's work in such a run. Here a poll in line is a future in
a queue, and its deadline an entry in the client's heap of wake-ups
(:class:`~suno_async._core._timers.Timers`) that gives up the wait when it comes first.

The standard library and anyio have no limiter whose wait gives up at a moment of a clock the
caller chooses (the emulator's virtual clock included) without a cancel scope, hence this one.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from typing import Self

from suno_async._core._timers import Timers

__all__ = ["PollSlots"]


class PollSlots:
    """At most ``size`` holders at once; :meth:`acquire` waits in line until a slot frees or
    ``until`` (on the timers' clock) passes. Also an async context manager (no deadline)."""

    __slots__ = ("_free", "_timers", "_waiters")

    def __init__(self, size: int, timers: Timers) -> None:
        self._free = size
        self._timers = timers
        self._waiters: deque[asyncio.Future[bool]] = deque()

    @property
    def waiting(self) -> int:
        """Waiters in line (some may have given up and not been removed yet)."""
        return len(self._waiters)

    async def acquire(self, until: float = math.inf) -> bool:
        """Take a slot: ``True`` once it is this caller's, ``False`` when ``until`` passed
        first (no slot is held then). Cancelling the wait gives back a slot it was granted."""
        if self._free and not self._waiters:
            self._free -= 1
            return True
        if until <= self._timers.now():
            return False
        waiter: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        alarm = self._timers.alarm(until, waiter) if until != math.inf else None
        self._waiters.append(waiter)  # after the alarm: if that raised, nothing is left behind
        try:
            return await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.result():
                self.release()  # granted just as the wait was cancelled: pass it on
            raise
        finally:
            if alarm is not None:
                alarm.cancel()

    def release(self) -> None:
        """Give a slot back: to the first waiter still in line, else to the pool."""
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(True)
                return
        self._free += 1

    async def __aenter__(self) -> Self:
        await self.acquire()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release()
