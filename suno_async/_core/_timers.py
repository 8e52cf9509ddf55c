"""One timer structure per client for every wait: a heap of wake-up times.

A pending wait is a future in this heap, not a task with a sleep, a cancel scope and locks of
its own: the clock keeps a single timer armed for the earliest wake-up, and when it fires every
future that is due is resolved. A wait that is cancelled leaves its entry behind; such entries
are skipped when due and swept out once they make up half the heap, so memory follows the
waits that are still pending.

Clocks that can call back at a moment (:class:`~suno_async.SystemClock`,
:class:`~suno_async.VirtualClock`: a ``call_at(moment, callback)`` method, taking
``deadline=True`` if it tells deadlines from wake-ups, returning something
with ``cancel()``) are served by this heap; a clock of the user's own without it is slept on
directly, one sleep per wait, as before.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
from collections.abc import Awaitable, Callable
from typing import Any, Final, Protocol

from suno_async._core._clock import Clock

__all__ = ["Alarm", "Timers"]

#: Below this many entries the heap is not swept (sweeping costs more than it saves).
_SWEEP_FLOOR: Final = 64


class _Cancellable(Protocol):
    def cancel(self) -> None: ...


class _Heap:
    """Futures due at moments of a clock, each resolved with its value when its moment comes,
    served by one callback of the clock for the earliest (``deadline``: the moments are
    deadlines, which a virtual clock does not jump to by themselves)."""

    __slots__ = ("_armed_at", "_call_at", "_clock", "_deadline", "_handle", "_stale", "entries")

    def __init__(self, clock: Clock, call_at: Callable[..., _Cancellable], deadline: bool) -> None:
        self._clock = clock
        self._call_at = call_at
        self._deadline = deadline
        self.entries: list[tuple[float, int, asyncio.Future[Any], object]] = []
        self._handle: _Cancellable | None = None
        self._armed_at = math.inf
        self._stale = 0

    def push(self, moment: float, order: int, future: asyncio.Future[Any], value: object) -> None:
        heapq.heappush(self.entries, (moment, order, future, value))
        if moment < self._armed_at:
            self._arm(moment)

    def forget(self) -> None:
        """An entry's future was settled early: sweep it out in time, and stop waiting for
        the head if it was that one (a virtual clock would stop there for nothing)."""
        self._stale += 1
        heap = self.entries
        if self._stale >= _SWEEP_FLOOR and self._stale * 2 >= len(heap):
            heap[:] = [entry for entry in heap if not entry[2].done()]
            heapq.heapify(heap)
            self._stale = 0
        if self._drop_settled_heads():
            self._rearm()

    def _drop_settled_heads(self) -> bool:
        """Pop the entries at the head whose futures were settled early; whether any were."""
        heap = self.entries
        popped = False
        while heap and heap[0][2].done():
            heapq.heappop(heap)
            self._stale = max(0, self._stale - 1)
            popped = True
        return popped

    def _rearm(self) -> None:
        head = self.entries[0][0] if self.entries else math.inf
        if head != self._armed_at:
            if self._handle is not None:
                self._handle.cancel()
                self._handle = None
            self._armed_at = math.inf
            if head != math.inf:
                self._arm(head)

    def _arm(self, moment: float) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._armed_at = moment
        if self._deadline:
            try:
                self._handle = self._call_at(moment, self._fire, deadline=True)
            except TypeError:  # a clock of the user's own: call_at(moment, callback) only
                self._deadline = False
            else:
                return
        self._handle = self._call_at(moment, self._fire)

    def _fire(self) -> None:
        self._handle = None
        self._armed_at = math.inf
        now = self._clock.now()
        heap = self.entries
        while heap and heap[0][0] <= now:
            _, _, future, value = heapq.heappop(heap)
            if future.done():
                self._stale = max(0, self._stale - 1)
            else:
                future.set_result(value)
        self._drop_settled_heads()
        if heap:
            self._arm(heap[0][0])


class Timers:
    """Wake-ups and deadlines on one clock, each kind served by one timer of the clock."""

    __slots__ = ("_alarms", "_clock", "_order", "_wakeups")

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        call_at = getattr(clock, "call_at", None)
        self._order = itertools.count()
        self._wakeups = _Heap(clock, call_at, deadline=False) if callable(call_at) else None
        self._alarms = _Heap(clock, call_at, deadline=True) if callable(call_at) else None

    @property
    def pending(self) -> int:
        """Wake-ups in the heap (cancelled ones not yet swept included)."""
        return len(self._wakeups.entries) if self._wakeups is not None else 0

    def now(self) -> float:
        """The clock's time."""
        return self._clock.now()

    def wake_at(self, moment: float) -> Awaitable[None]:
        """Something to await until the clock reaches ``moment`` (a future in the heap). A wait
        cancelled while awaiting it should call :meth:`forget`."""
        if self._wakeups is None:
            return self._clock.sleep_until(moment)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._wakeups.push(moment, next(self._order), future, None)
        return future

    def forget(self) -> None:
        """A wait left the heap early (cancelled): its entry is swept out in time."""
        if self._wakeups is not None:
            self._wakeups.forget()

    def alarm(self, moment: float, waiter: asyncio.Future[bool]) -> Alarm:
        """Resolve ``waiter`` with ``False`` when the clock reaches ``moment``, unless it is
        done by then (a wait that gives up at a deadline without a cancel scope; resolved in
        the clock's own callback, so nothing can grant it after its moment); ``cancel()`` the
        alarm when the wait ends otherwise. A deadline, not a wake-up: a virtual clock does not
        jump to it while nothing else sleeps."""
        if self._alarms is None:
            task = asyncio.ensure_future(self._fail_later(moment, waiter))
            return Alarm(None, task)
        self._alarms.push(moment, next(self._order), waiter, False)
        return Alarm(self._alarms, None)

    async def _fail_later(self, moment: float, waiter: asyncio.Future[bool]) -> None:
        await self._clock.sleep_until(moment)
        if not waiter.done():
            waiter.set_result(False)


class Alarm:
    """An :meth:`Timers.alarm`; :meth:`cancel` it when the wait it bounds ended first."""

    __slots__ = ("_heap", "_task")

    def __init__(self, heap: _Heap | None, task: asyncio.Future[None] | None) -> None:
        self._heap = heap
        self._task = task

    def cancel(self) -> None:
        """Call the alarm off (the wait it bounds is done: its heap entry is swept out)."""
        if self._task is not None:
            self._task.cancel()
        if self._heap is not None:
            self._heap.forget()
