"""One timer structure per client for every wait: a heap of wake-up times.

A pending wait is a future in this heap, not a task with a sleep, a cancel scope and locks of
its own: the clock keeps a single timer armed for the earliest wake-up, and when it fires every
future that is due is resolved. A wait that is cancelled leaves its entry behind; such entries
are skipped when due and swept out once they make up half the heap, so memory follows the
waits that are still pending.

Clocks that can call back at a moment (:class:`~suno_async.SystemClock`,
:class:`~suno_async.VirtualClock`: a ``call_at(moment, callback)`` method returning something
with ``cancel()``) are served by this heap; a clock of the user's own without it is slept on
directly, one sleep per wait, as before.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
from collections.abc import Awaitable, Callable
from typing import Final, Protocol

from suno_async._core._clock import Clock

__all__ = ["Timers"]

#: Below this many entries the heap is not swept (sweeping costs more than it saves).
_SWEEP_FLOOR: Final = 64


class _Cancellable(Protocol):
    def cancel(self) -> None: ...


class Timers:
    """Wake-ups on one clock, served by one timer."""

    __slots__ = ("_armed_at", "_call_at", "_clock", "_handle", "_heap", "_order", "_stale")

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        call_at = getattr(clock, "call_at", None)
        self._call_at: Callable[[float, Callable[[], None]], _Cancellable] | None = (
            call_at if callable(call_at) else None
        )
        self._heap: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._handle: _Cancellable | None = None
        self._armed_at = math.inf
        self._stale = 0

    @property
    def pending(self) -> int:
        """Entries in the heap (cancelled ones not yet swept included)."""
        return len(self._heap)

    def wake_at(self, moment: float) -> Awaitable[None]:
        """Something to await until the clock reaches ``moment`` (a future in the heap). A wait
        cancelled while awaiting it should call :meth:`forget`."""
        if self._call_at is None:
            return self._clock.sleep_until(moment)
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._heap, (moment, next(self._order), future))
        if moment < self._armed_at:
            self._arm(moment)
        return future

    def forget(self) -> None:
        """A wait left the heap early (cancelled): its entry is swept out in time."""
        self._stale += 1
        if self._stale >= _SWEEP_FLOOR and self._stale * 2 >= len(self._heap):
            self._heap = [entry for entry in self._heap if not entry[2].done()]
            heapq.heapify(self._heap)
            self._stale = 0

    def _arm(self, moment: float) -> None:
        assert self._call_at is not None  # noqa: S101 (only called with a callback clock)
        if self._handle is not None:
            self._handle.cancel()
        self._armed_at = moment
        self._handle = self._call_at(moment, self._fire)

    def _fire(self) -> None:
        self._handle = None
        self._armed_at = math.inf
        now = self._clock.now()
        heap = self._heap
        while heap and heap[0][0] <= now:
            future = heapq.heappop(heap)[2]
            if not future.done():
                future.set_result(None)
        while heap and heap[0][2].done():  # cancelled waits at the head
            heapq.heappop(heap)
            self._stale = max(0, self._stale - 1)
        if heap:
            self._arm(heap[0][0])
