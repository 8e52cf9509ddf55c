"""PollPacer holds fractional rates exactly: 0.5/s, 2.9/s and 1,000/s."""

from __future__ import annotations

import math
from contextlib import AbstractContextManager

import anyio
import pytest

from suno_async._core._polling import PollPacer

pytestmark = pytest.mark.anyio


class InstantClock:
    """A clock whose sleeps move time at once (no autojump delay), for counting sends."""

    def __init__(self) -> None:
        self.moment = 0.0

    def now(self) -> float:
        return self.moment

    async def sleep(self, seconds: float) -> None:
        await self.sleep_until(self.moment + seconds)

    async def sleep_until(self, moment: float) -> None:
        self.moment = max(self.moment, moment)
        await anyio.lowlevel.checkpoint()

    def cancel_after(self, seconds: float) -> AbstractContextManager[anyio.CancelScope]:
        raise NotImplementedError


@pytest.mark.parametrize(("rate", "sends"), [(0.5, 41), (2.9, 300), (1000.0, 20_001)])
async def test_pacer_holds_fractional_rates(rate: float, sends: int) -> None:
    """The long-run rate is the cap (less the 5 % margin), never above it, and no window of
    ``ceil(rate) / rate`` seconds holds more than ``ceil(rate)`` sends."""
    clock = InstantClock()
    pacer = PollPacer(rate, clock)
    times = []
    for _ in range(sends):
        await pacer.wait()
        times.append(clock.now())
    achieved = (sends - 1) / (times[-1] - times[0])
    assert rate / 1.06 <= achieved <= rate
    burst = math.ceil(rate)
    window = burst / rate
    pairs = zip(times, times[burst:], strict=False)
    assert all(later - earlier >= window for earlier, later in pairs)


def test_pacer_refuses_a_rate_that_is_not_positive() -> None:
    """A zero, negative or infinite rate is a ConfigError."""
    from suno_async import ConfigError

    for rate in (0.0, -1.0, math.inf):
        with pytest.raises(ConfigError):
            PollPacer(rate, InstantClock())
