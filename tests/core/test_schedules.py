"""Poll schedules without a blind spot: no wait longer than half the time elapsed + 1 s."""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import replace

import pytest

from suno_async import DEFAULT_SCHEDULES, ConfigError, PollSchedule, TaskKind, VirtualClock
from suno_async._core._polling import poll_until
from suno_async._core._slots import PollSlots
from suno_async._core._timers import Timers
from suno_async.sunoapi._v1 import LYRICS_SCHEDULE

#: Custom schedules with windows: early, late, narrow, wide, one the first ask lands in, one
#: with a tighter bound, one scaled down for an emulator.
CUSTOM = {
    "narrow": PollSchedule(2, 3, 1.5, 10, 600, expected=(10.0, 12.0)),
    "wide": PollSchedule(3, 5, 1.5, 60, 1200, expected=(60.0, 600.0), dense_polls=2),
    "from zero": PollSchedule(1, 2, 2.0, 20, 300, expected=(0.0, 30.0), jitter=0.5),
    "first ask in window": PollSchedule(50, 5, 1.5, 20, 600, expected=(30.0, 120.0)),
    "tighter": PollSchedule(2, 5, 1.5, 60, 900, expected=(100.0, 300.0), max_gap_share=0.25),
    "sparse plain, bounded": PollSchedule(5, 60, 1, 60, 900, max_gap_share=0.5),
    "scaled": DEFAULT_SCHEDULES[TaskKind.GENERATE].scaled(0.01),
}
SCHEDULES = {
    **{f"default {kind.value}": schedule for kind, schedule in DEFAULT_SCHEDULES.items()},
    "sunoapi lyrics": LYRICS_SCHEDULE,
    **CUSTOM,
}


def ask_times(schedule: PollSchedule, seed: int) -> list[float]:
    """The moments of the asks before the schedule's timeout."""
    times: list[float] = []
    for at in itertools.accumulate(schedule.delays(random.Random(seed))):
        if at > schedule.timeout:
            return times
        times.append(at)
    raise AssertionError("schedules never end")  # pragma: no cover


@pytest.mark.parametrize("name", SCHEDULES)
def test_no_wait_after_the_first_ask_exceeds_half_the_elapsed_time_plus_slack(name: str) -> None:
    """Jitter included, every gap between two asks is at most share * elapsed + slack."""
    schedule = SCHEDULES[name]
    share = schedule.gap_share
    assert share is not None
    for seed in range(40):
        times = ask_times(schedule, seed)
        assert len(times) > 3
        for before, after in itertools.pairwise(times):
            assert after - before <= share * before + schedule.max_gap_slack + 1e-9, (
                name,
                seed,
                before,
                after,
            )


@pytest.mark.parametrize("kind", list(TaskKind))
def test_every_default_sees_a_task_at_most_half_its_duration_plus_1_s_late(kind: TaskKind) -> None:
    """For tasks of 1 s to 15 min, the first ask after the end comes by D / 2 + 1 s."""
    schedule = DEFAULT_SCHEDULES[kind]
    durations = [1.0 + 0.37 * i for i in range(2400)]
    for seed in range(10):
        times = ask_times(schedule, seed)
        for duration in durations:
            if duration > times[-1]:
                break
            seen = next(t for t in times if t >= duration)
            assert seen - duration <= duration / 2 + 1, (kind, seed, duration, seen)


def test_jitter_stays_proportional_and_pollers_stay_apart() -> None:
    """Waits the bound does not cut keep their proportional jitter, and twenty pollers started
    together never ask at the same moment."""
    schedule = DEFAULT_SCHEDULES[TaskKind.GENERATE]
    starts = [next(schedule.delays(random.Random(seed))) for seed in range(200)]
    assert min(starts) >= 2.0 * 0.9
    assert max(starts) <= 2.0 * 1.1
    assert max(starts) - min(starts) > 0.3
    pollers = [ask_times(schedule, seed)[:14] for seed in range(20)]
    for k in range(14):
        moments = sorted(times[k] for times in pollers)
        assert all(b - a > 1e-6 for a, b in itertools.pairwise(moments))


def test_a_plain_schedule_without_a_share_keeps_its_own_waits() -> None:
    """Without an expected window and without max_gap_share, the waits are exactly the
    schedule's own (every 10 s here), as before the bound existed."""
    every_10s = PollSchedule(10, 10, 1, 10, 100, jitter=0)
    assert every_10s.gap_share is None
    waits = list(itertools.islice(every_10s.delays(random.Random(1)), 6))
    assert waits == [10.0] * 6
    bounded = replace(every_10s, max_gap_share=0.5)
    times = list(itertools.accumulate(itertools.islice(bounded.delays(random.Random(1)), 6)))
    assert times == pytest.approx([10, 16, 25, 35, 45, 55])


def test_a_window_only_adds_asks_to_the_bound() -> None:
    """Before its window, a windowed schedule asks exactly as the bound allows (2, 4, 7,
    11.5 ... s without jitter); the old schedule's jump from 3 s into the window is gone."""
    schedule = replace(DEFAULT_SCHEDULES[TaskKind.GENERATE], jitter=0)
    times = ask_times(schedule, 1)
    assert times[:6] == pytest.approx([2, 4, 7, 11.5, 18.25, 28.375])
    assert 30 < times[6] <= 28.375 * 1.5 + 1 + 1e-9


@pytest.mark.anyio
async def test_a_generation_that_ends_at_5_s_is_seen_by_7_5_s() -> None:
    """Waited through poll_until on a virtual clock, a generation that fails at 5 s is seen
    failed by 7.5 s (it was a minute before: the next ask after 3 s came at 43-68 s)."""
    for seed in range(20):
        clock = VirtualClock()
        asks: list[float] = []

        async def fetch(_: str, clock: VirtualClock = clock, asks: list[float] = asks) -> str:
            asks.append(clock.now())
            return "failed" if clock.now() >= 5 else "running"

        def judge(status: str) -> str | None:
            return status if status == "failed" else None

        result = await poll_until(
            fetch,
            judge,
            lambda status: status,
            task_id="t",
            kind=TaskKind.GENERATE,
            known_statuses={"running", "failed"},
            schedule=DEFAULT_SCHEDULES[TaskKind.GENERATE],
            clock=clock,
            limiter=PollSlots(1, Timers(clock)),
            rng=random.Random(seed),
        )
        assert result == "failed"
        assert 5 <= asks[-1] <= 7.5, (seed, asks)
        assert len(asks) <= 3


def test_the_bound_scales_and_is_checked() -> None:
    """scaled() scales the slack; nonsense shares and slacks are refused with ConfigError."""
    schedule = PollSchedule(2, 2, 1.5, 8, 60, max_gap_share=0.5, max_gap_slack=2.0)
    assert schedule.scaled(0.1).max_gap_slack == pytest.approx(0.2)
    assert schedule.scaled(0.1).gap_share == 0.5
    for share in (0, -0.5, math.nan, math.inf, True, "0.5"):
        with pytest.raises(ConfigError) as info:
            PollSchedule(2, 2, 1.5, 8, 60, max_gap_share=share)  # type: ignore[arg-type]
        assert info.value.argument == "max_gap_share"
    for slack in (0, -1, math.nan, math.inf, None):
        with pytest.raises(ConfigError) as info:
            PollSchedule(2, 2, 1.5, 8, 60, max_gap_slack=slack)  # type: ignore[arg-type]
        assert info.value.argument == "max_gap_slack"


@pytest.mark.parametrize("expected", [(0.0, 30.0), (2.0, 30.0), (1.0, 30.0)])
def test_the_first_ask_is_at_first_delay_even_when_the_window_starts_sooner(
    expected: tuple[float, float],
) -> None:
    """A window that starts at or before first_delay does not push the first ask later."""
    schedule = PollSchedule(1.0, 2.0, 2.0, 20.0, 300.0, jitter=0.0, expected=expected)
    first = next(schedule.delays(random.Random(7)))
    assert first <= 1.0
