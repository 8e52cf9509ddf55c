"""Clocks: where pollers read the time and how they wait.

The client and the embedded emulator both take a clock. In production it is the event loop's
clock; in tests both share one :class:`VirtualClock`, so waiting for a two-minute training takes
no wall time at all and no test sleeps for real.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Final, Protocol, runtime_checkable

import anyio
import anyio.lowlevel

__all__ = ["Clock", "SystemClock", "VirtualClock"]


@runtime_checkable
class Clock(Protocol):
    """What a poller needs of time: a monotonic reading and a way to wait."""

    def now(self) -> float:
        """Monotonic time in seconds."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of this clock's time."""
        ...

    async def sleep_until(self, moment: float) -> None:
        """Wait until ``now()`` reaches ``moment`` (at once if it already has)."""
        ...

    def cancel_after(self, seconds: float) -> AbstractContextManager[anyio.CancelScope]:
        """A cancel scope that cancels its body once ``seconds`` of this clock's time passed.

        Like :func:`anyio.move_on_after`: check ``scope.cancelled_caught`` after the block.
        """
        ...


class SystemClock:
    """The event loop's monotonic clock, scaled by ``speed`` (1.0 is real time).

    With ``speed=10`` ten seconds pass for every real second: ``now()`` runs ten times as fast and
    ``sleep(10)`` returns after one real second.
    """

    def __init__(self, speed: float = 1.0) -> None:
        if not speed > 0:
            raise ValueError("speed must be > 0")
        self.speed = speed
        self._origin = anyio.current_time() if _in_event_loop() else None

    def now(self) -> float:
        if self._origin is None:
            self._origin = anyio.current_time()
        return (anyio.current_time() - self._origin) * self.speed

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(max(0.0, seconds) / self.speed)

    async def sleep_until(self, moment: float) -> None:
        await self.sleep(moment - self.now())

    def cancel_after(self, seconds: float) -> anyio.CancelScope:
        return anyio.move_on_after(max(0.0, seconds) / self.speed)

    def call_at(
        self, moment: float, callback: Callable[[], None], *, deadline: bool = False
    ) -> asyncio.TimerHandle:
        """Call ``callback`` once ``now()`` has reached ``moment`` (from the running event loop);
        ``cancel()`` the handle to call it off. (``deadline`` matters to a virtual clock only.)"""
        loop = asyncio.get_running_loop()
        if self._origin is None:
            self._origin = loop.time()
        # A little late rather than early: the loop may run a timer up to its resolution early.
        return loop.call_at(self._origin + moment / self.speed + _RESOLUTION, callback)

    def __repr__(self) -> str:
        return f"SystemClock(speed={self.speed!r})"


class VirtualClock:
    """Time that moves only when told to: by :meth:`advance`, or when the program is idle.

    A discrete-event clock in the manner of trio's ``MockClock`` with autojump: ``sleep(s)``
    and ``sleep_until(t)`` register a wake-up and wait. When no task has registered or been
    woken for ``autojump`` real seconds (a couple of milliseconds), the clock jumps to the
    earliest wake-up, or to the earliest :meth:`cancel_after` deadline if that comes first (the
    scope is cancelled at its deadline), and wakes the tasks due then. Tasks woken together that
    sleep again therefore share the time that passes instead of adding up their sleeps, and
    waiting on this clock takes milliseconds of real time. Network I/O on loopback normally
    finishes within the idle window; a request still in flight when the clock jumps finds more
    time passed. Asyncio only (the library's HTTP stack is asyncio-only).
    """

    def __init__(self, start: float = 0.0, *, autojump: float = 0.002) -> None:
        self._now = float(start)
        self._autojump = autojump
        self._timers: list[tuple[float, anyio.CancelScope]] = []
        #: call_at(..., deadline=True): called when the clock reaches them, never jumped to.
        self._deadlines: list[tuple[float, _Callback]] = []
        # A heap by wake-up time: sleeping tasks' events and callbacks (:meth:`call_at`).
        self._sleepers: list[tuple[float, int, anyio.Event | _Callback]] = []
        self._order = itertools.count()
        self._jump: asyncio.TimerHandle | None = None

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (which must not be negative)."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self._move_to(self._now + seconds)

    async def sleep(self, seconds: float) -> None:
        await self.sleep_until(self._now + max(0.0, seconds))

    async def sleep_until(self, moment: float) -> None:
        if moment <= self._now:
            await anyio.lowlevel.checkpoint()
            return
        sleeper = (moment, next(self._order), anyio.Event())
        heapq.heappush(self._sleepers, sleeper)
        self._schedule_jump()
        try:
            await sleeper[2].wait()
        finally:
            if not sleeper[2].is_set():  # cancelled while asleep
                self._sleepers.remove(sleeper)
                heapq.heapify(self._sleepers)

    def call_at(
        self, moment: float, callback: Callable[[], None], *, deadline: bool = False
    ) -> _Callback:
        """Call ``callback`` once the clock reaches ``moment`` (at the next jump or
        :meth:`advance` if it has already); ``cancel()`` the result to call it off. A
        ``deadline`` is like :meth:`cancel_after`'s: the clock does not jump to it while no one
        sleeps (a wait in line for a request in flight is not idle time)."""
        entry = _Callback(callback, self)
        if deadline:
            self._deadlines.append((moment, entry))
            return entry
        heapq.heappush(self._sleepers, (moment, next(self._order), entry))
        self._schedule_jump()
        return entry

    def _drop(self, entry: _Callback) -> None:
        self._sleepers = [s for s in self._sleepers if s[2] is not entry]
        heapq.heapify(self._sleepers)
        self._deadlines = [d for d in self._deadlines if d[1] is not entry]

    @contextmanager
    def cancel_after(self, seconds: float) -> Iterator[anyio.CancelScope]:
        scope = anyio.CancelScope()
        if seconds <= 0:
            scope.cancel()
        timer = (self._now + max(0.0, seconds), scope)
        self._timers.append(timer)
        try:
            with scope:
                yield scope
        finally:
            self._timers.remove(timer)

    def _schedule_jump(self) -> None:
        # Activity postpones the jump: it happens once the program has been idle a moment.
        if self._jump is not None:
            self._jump.cancel()
        self._jump = asyncio.get_running_loop().call_later(self._autojump, self._jump_now)

    def _jump_now(self) -> None:
        self._jump = None
        if not self._sleepers:
            return
        target = self._sleepers[0][0]
        deadlines = [deadline for deadline, scope in self._timers if not scope.cancel_called]
        deadlines += [moment for moment, _ in self._deadlines]
        if deadlines:
            target = min(target, min(deadlines))
        self._move_to(target)

    def _move_to(self, moment: float) -> None:
        self._now = max(self._now, moment)
        for deadline, scope in self._timers:
            if deadline <= self._now:
                scope.cancel()
        if self._deadlines:
            due = [entry for moment, entry in self._deadlines if moment <= self._now]
            self._deadlines = [d for d in self._deadlines if d[0] > self._now]
            for entry in due:
                entry.set()
        woke = False
        while self._sleepers and self._sleepers[0][0] <= self._now:
            heapq.heappop(self._sleepers)[2].set()
            woke = True
        if woke or self._sleepers:
            with contextlib.suppress(RuntimeError):  # advance() outside a running loop
                self._schedule_jump()

    def __repr__(self) -> str:
        return f"VirtualClock(now={self._now!r})"


class _Callback:
    """A :meth:`VirtualClock.call_at` wake-up: ``set()`` by the clock, ``cancel()`` by its
    owner."""

    __slots__ = ("_callback", "_clock", "_done")

    def __init__(self, callback: Callable[[], None], clock: VirtualClock) -> None:
        self._callback = callback
        self._clock = clock
        self._done = False

    def set(self) -> None:
        if not self._done:
            self._done = True
            self._callback()

    def cancel(self) -> None:
        if not self._done:
            self._done = True
            self._clock._drop(self)


#: How late :meth:`SystemClock.call_at` fires at most on purpose (the monotonic clock's
#: resolution), so that a timer never runs before its moment.
_RESOLUTION: Final = time.get_clock_info("monotonic").resolution


def _in_event_loop() -> bool:
    try:
        anyio.get_current_task()
    except RuntimeError:
        return False
    return True
