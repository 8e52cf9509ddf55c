"""Clocks: where pollers read the time and how they wait.

The client and the embedded emulator both take a clock. In production it is the event loop's
clock; in tests both share one :class:`VirtualClock`, so waiting for a two-minute training takes
no wall time at all and no test sleeps for real.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

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

    def __repr__(self) -> str:
        return f"SystemClock(speed={self.speed!r})"


class VirtualClock:
    """Time that moves only when told to: by :meth:`advance` or by a :meth:`sleep`.

    ``sleep(s)`` moves the clock forward by ``s`` and yields to the event loop once, so work that
    waits on this clock finishes as fast as the machine allows, and always in the same order of
    events relative to the clock.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (which must not be negative)."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self._now += seconds

    async def sleep(self, seconds: float) -> None:
        self._now += max(0.0, seconds)
        await anyio.lowlevel.checkpoint()

    def __repr__(self) -> str:
        return f"VirtualClock(now={self._now!r})"


def _in_event_loop() -> bool:
    try:
        anyio.get_current_task()
    except RuntimeError:
        return False
    return True
