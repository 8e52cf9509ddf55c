"""The batched clip follower keeps the poll schedule's bound for every clip, including one
looked up early in another clip's round."""

from __future__ import annotations

import dataclasses
import random

import anyio
import pytest

from suno_async import DEFAULT_SCHEDULES, Clip, TaskKind, VirtualClock
from suno_async.sunoapi._clips import ClipTracker

pytestmark = pytest.mark.anyio


async def _follow(
    registrations: list[tuple[float, str, float]], seed: int, *, jitter: float | None = None
) -> dict[str, tuple[float, float]]:
    """Follow clips registered at given times, each complete after its duration; return each
    clip's (duration, lag between completing and being seen complete)."""
    clock = VirtualClock()
    ends = {clip: at + duration for at, clip, duration in registrations}

    async def lookup(ids: list[str]) -> list[Clip]:
        now = clock.now()
        return [
            Clip(id=i, status="complete", audio_url="u")
            if now >= ends[i]
            else Clip(id=i, status="queued")
            for i in ids
        ]

    limiter = anyio.CapacityLimiter(16)
    tracker = ClipTracker(
        lookup, clock=clock, limiter=lambda: limiter, rng=random.Random(seed), batch_size=50
    )
    schedule = DEFAULT_SCHEDULES[TaskKind.MUSIC]
    if jitter is not None:
        schedule = dataclasses.replace(schedule, jitter=jitter)
    lags: dict[str, tuple[float, float]] = {}

    async def wait(at: float, clip: str, duration: float) -> None:
        await clock.sleep_until(at)
        await tracker.wait([clip], until="complete", schedule=schedule, on_event=None)
        lags[clip] = (duration, clock.now() - ends[clip])

    async with anyio.create_task_group() as group:
        for at, clip, duration in registrations:
            group.start_soon(wait, at, clip, duration)
    return lags


async def test_a_clip_looked_up_in_another_clips_round_is_still_seen_in_time() -> None:
    """B, registered 1 s after A and complete 1.01 s later, is looked up early in A's round;
    its next look still comes within half its duration + 1 s."""
    lags = await _follow([(0.0, "A", 100.0), (1.0, "B", 1.01)], seed=0, jitter=0.0)
    duration, lag = lags["B"]
    assert lag <= duration / 2 + 1 + 1e-6


@pytest.mark.parametrize("seed", range(40))
async def test_clips_registered_at_random_times_are_seen_within_the_bound(seed: int) -> None:
    rng = random.Random(1000 + seed)
    registrations = [
        (rng.uniform(0, 30), f"c{k}", rng.uniform(1, 40)) for k in range(rng.randint(2, 6))
    ]
    lags = await _follow(registrations, seed)
    for clip, (duration, lag) in lags.items():
        assert lag <= duration / 2 + 1 + 1e-6, (clip, duration, lag)
