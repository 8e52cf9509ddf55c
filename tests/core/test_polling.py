"""Waiting for tasks: every end a task can reach, the deadline, unknown statuses, the limiter."""

from __future__ import annotations

import itertools
import logging
import random
from dataclasses import replace
from typing import Any

import anyio
import pytest

from suno_async import (
    DEFAULT_SCHEDULES,
    Event,
    MountseaClient,
    NotFoundError,
    PollSchedule,
    TaskFailedError,
    TaskKind,
    TaskStatusChanged,
    TaskTimeoutError,
)
from suno_async.emulator import Emulator

from ..conftest import FAST_RETRY

pytestmark = pytest.mark.anyio


async def start_generation(client: MountseaClient) -> str:
    return await client.generate(task="create", model="chirp-v50", tags="Pop")


#: The plain growing schedule (no expected window), dense enough to see every phase.
DENSE = PollSchedule(first_delay=3, interval=3, factor=1.5, max_interval=10, timeout=600)


async def test_generation_walks_through_stream_to_success(emulator: Emulator) -> None:
    """A generation is seen running, then streaming, then succeeds with playable clips."""
    events: list[Event] = []
    async with MountseaClient(
        api_key="k",
        base_url=emulator.base_url,
        clock=emulator.clock,
        poll_schedules={TaskKind.GENERATE: DENSE},
    ) as client:
        task_id = await start_generation(client)
        clips = await client.wait_for_generation(task_id, on_event=events.append)
    statuses = [e.status for e in events if isinstance(e, TaskStatusChanged)]
    assert statuses[-1] == "success"
    assert "stream" in statuses
    assert statuses.index("running") < statuses.index("stream")
    assert len(clips) == 2
    assert all(c.is_complete and c.audio_url for c in clips)
    assert 40 <= emulator.clock.now() <= 80  # 45 s of work noticed within the poll cap


async def test_failed_task_carries_reason_and_code(
    client: MountseaClient, emulator: Emulator
) -> None:
    """Status failed raises TaskFailedError with failReason, failCode and the snapshot."""
    emulator.fail_next_tasks("generate", reason="Lyrics were rejected.", code=4103)
    task_id = await start_generation(client)
    with pytest.raises(TaskFailedError) as info:
        await client.wait_for_generation(task_id)
    error = info.value
    assert error.task_id == task_id
    assert error.fail_reason == "Lyrics were rejected."
    assert error.fail_code == 4103
    assert error.snapshot is not None
    assert error.snapshot.status == "failed"
    assert "Lyrics were rejected." in str(error)


async def test_server_timeout_is_a_server_side_timeout(
    client: MountseaClient, emulator: Emulator
) -> None:
    """Status timeout raises TaskTimeoutError with server_side=True."""
    emulator.timeout_next_tasks("generate")
    task_id = await start_generation(client)
    with pytest.raises(TaskTimeoutError) as info:
        await client.wait_for_generation(task_id)
    assert info.value.server_side
    assert isinstance(info.value, TimeoutError)


async def test_client_deadline(client: MountseaClient, emulator: Emulator) -> None:
    """A task that never ends stops the wait at the deadline, measured on the client's clock."""
    emulator.stall_next_tasks("generate")
    task_id = await start_generation(client)
    started = emulator.clock.now()
    with pytest.raises(TaskTimeoutError) as info:
        await client.wait_for_generation(task_id, timeout=120)
    assert not info.value.server_side
    assert info.value.snapshot is not None
    assert info.value.snapshot.status == "running"
    assert 120 <= emulator.clock.now() - started <= 121
    assert "may still finish" in str(info.value)


async def test_unknown_status_is_waited_through(
    client: MountseaClient, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    """A status the library does not know is logged once and treated as in progress."""
    emulator.unknown_status_next_tasks("generate", value="paused")
    task_id = await client.generate(task="create", model="chirp-v50")
    events: list[Event] = []
    schedule = PollSchedule(first_delay=0.5, interval=0.5, factor=1.5, max_interval=10, timeout=600)
    async with MountseaClient(
        api_key="k",
        base_url=emulator.base_url,
        clock=emulator.clock,
        poll_schedules={TaskKind.GENERATE: schedule},
    ) as eager:
        clips = await eager.wait_for_generation(task_id, on_event=events.append)
    assert clips
    statuses = [e.status for e in events if isinstance(e, TaskStatusChanged)]
    assert statuses[0] == "paused"
    assert "unknown status 'paused'" in caplog.text


async def test_unknown_task_id_raises_not_found(client: MountseaClient) -> None:
    """Waiting on an id the provider does not know raises NotFoundError."""
    with pytest.raises(NotFoundError):
        await client.wait_for_task("no-such-task")


async def test_one_limiter_bounds_all_status_requests(emulator: Emulator) -> None:
    """Many concurrent waits never have more status requests in flight than the limit."""
    in_flight = peak = 0
    async with MountseaClient(
        api_key="k",
        base_url=emulator.base_url,
        clock=emulator.clock,
        retry=FAST_RETRY,
        max_concurrent_polls=3,
        poll_schedules={TaskKind.GENERATE: replace(DENSE, jitter=0.0)},
    ) as client:
        original = client._status

        async def counting(task_id: str, decoder: Any) -> Any:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            try:
                await anyio.sleep(0.001)
                return await original(task_id, decoder)
            finally:
                in_flight -= 1

        client._status = counting  # type: ignore[method-assign]
        ids = [await start_generation(client) for _ in range(12)]
        async with anyio.create_task_group() as tg:
            for task_id in ids:
                tg.start_soon(client.wait_for_generation, task_id)
    assert peak == 3


def test_plain_schedule_grows_to_its_cap_with_proportional_jitter() -> None:
    """Without an expected window: first_delay (jittered), then growing waits up to the cap."""
    schedule = DEFAULT_SCHEDULES[TaskKind.UPLOAD]
    assert schedule.expected is None
    delays = [d for _, d in zip(range(12), schedule.delays(random.Random(7)), strict=False)]
    low, high = 1 - schedule.jitter, 1 + schedule.jitter
    assert schedule.first_delay * low <= delays[0] <= schedule.first_delay * high
    assert schedule.interval * low <= delays[1] <= schedule.interval * high
    assert all(d <= schedule.max_interval * high for d in delays)
    assert delays[-1] >= schedule.max_interval * low
    starts = {next(schedule.delays(random.Random(seed))) for seed in range(20)}
    assert len(starts) > 1  # pollers started together do not ask in lock step


def test_expected_window_polls_within_the_bound_then_densely_near_the_end() -> None:
    """Generation (30-120 s): asks from 2 s on, each wait at most half the time elapsed + 1 s,
    up to about a step into the window, then shrinking steps until 120 s, then the back-off."""
    schedule = DEFAULT_SCHEDULES[TaskKind.GENERATE]
    assert schedule.expected == (30.0, 120.0)
    step = 90 / schedule.dense_polls
    for seed in range(50):
        waits = [d for _, d in zip(range(16), schedule.delays(random.Random(seed)), strict=False)]
        times = list(itertools.accumulate(waits))
        assert times[0] <= 2.2  # the first look catches tasks that fail at once
        assert all(b - a <= a / 2 + 1 + 1e-9 for a, b in itertools.pairwise(times))
        before = [t for t in times if t < 30]
        assert 5 <= len(before) <= 6  # no blind spot before the window, and no more than that
        into = times[len(before)]
        assert 30 <= into <= 30 + 1.5 * step
        inside = [t for t in times if into <= t < 120]
        gaps = [b - a for a, b in itertools.pairwise(inside)]
        assert all(b <= a * 1.25 for a, b in itertools.pairwise(gaps))  # denser
        assert len(inside) <= 6
        after = [b - a for a, b in itertools.pairwise(times) if a >= 120]
        assert all(g <= schedule.max_interval * 1.1 for g in after)


def test_expected_window_keeps_requests_near_the_bound_for_a_typical_task() -> None:
    """A 150 s training is noticed within ~15 s of its end in at most 12 asks: the fewest the
    bound allows (asks at 2, 4, 7, 11.5 ... 100.6 s) and one or two in the window (the old
    schedule's 6 asks left 3-120 s unwatched)."""
    schedule = DEFAULT_SCHEDULES[TaskKind.TRAINING]
    for seed in range(50):
        asks = 0
        elapsed = 0.0
        for wait in schedule.delays(random.Random(seed)):
            elapsed += wait
            asks += 1
            if elapsed >= 150:
                break
        assert asks <= 12
        assert elapsed - 150 <= 15


def test_schedule_scaling_and_checks() -> None:
    """scaled() shrinks every duration; nonsense schedules are refused."""
    fast = DEFAULT_SCHEDULES[TaskKind.TRAINING].scaled(0.01)
    assert fast.first_delay == pytest.approx(0.02)
    assert fast.max_gap_slack == pytest.approx(0.01)
    assert fast.timeout == pytest.approx(9.0)
    assert fast.expected == pytest.approx((1.2, 1.8))
    with pytest.raises(ValueError, match="interval"):
        PollSchedule(first_delay=1, interval=0, factor=1, max_interval=1, timeout=1)


async def test_waiting_logs_nothing_secret(
    client: MountseaClient, caplog: pytest.LogCaptureFixture
) -> None:
    """DEBUG logging of a whole wait never shows the key."""
    caplog.set_level(logging.DEBUG, logger="suno_async")
    await client.wait_for_generation(await start_generation(client))
    assert "GET /suno/v2/status -> 200" in caplog.text
    assert "test-key" not in caplog.text


async def test_deadline_bounds_a_hanging_status_request() -> None:
    """A status request that hangs cannot outlast the wait's deadline."""
    from aiohttp import web

    from suno_async import SystemClock

    from ..helpers import tiny_server

    async def hang(request: web.Request) -> web.StreamResponse:
        await anyio.sleep(30)
        return web.json_response({})

    async with (
        tiny_server(hang) as base,
        MountseaClient(api_key="k", base_url=base, clock=SystemClock()) as client,
    ):
        with anyio.fail_after(5):
            with pytest.raises(TaskTimeoutError) as info:
                await client.wait_for_task("t", timeout=0.3)
    assert not info.value.server_side
    assert info.value.snapshot is None


async def test_a_passing_status_failure_is_polled_through(
    client: MountseaClient, emulator: Emulator
) -> None:
    """A status lookup that fails after its retries is tolerated; the next poll succeeds."""
    task_id = await start_generation(client)
    emulator.inject_http("GET", "/suno/v2/status", 503, times=FAST_RETRY.max_retries + 1)
    clips = await client.wait_for_generation(task_id)
    assert len(clips) == 2


async def test_status_failures_in_a_row_end_the_wait(
    client: MountseaClient, emulator: Emulator
) -> None:
    """Three failed status lookups in a row raise the last error (typed, not wrapped)."""
    from suno_async import InternalServerError

    task_id = await start_generation(client)
    emulator.inject_http("GET", "/suno/v2/status", 500, times=100)
    with pytest.raises(InternalServerError):
        await client.wait_for_generation(task_id)
    assert emulator.count("GET", "/suno/v2/status") == 3 * (FAST_RETRY.max_retries + 1)


async def test_awaiting_is_a_known_pending_status(
    client: MountseaClient, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    """awaiting (voice persona) is waited through without the unknown-status warning."""
    emulator.unknown_status_next_tasks("generate", value="awaiting")
    task_id = await start_generation(client)
    assert await client.wait_for_generation(task_id)
    assert "unknown status" not in caplog.text


async def test_concurrent_waits_share_virtual_time(emulator: Emulator) -> None:
    """Twenty pollers woken together do not add up their sleeps on the shared VirtualClock."""
    async with MountseaClient(
        api_key="k", base_url=emulator.base_url, clock=emulator.clock, retry=FAST_RETRY
    ) as client:
        ids = [await start_generation(client) for _ in range(20)]
        started = emulator.clock.now()
        async with anyio.create_task_group() as tg:
            for task_id in ids:
                tg.start_soon(client.wait_for_generation, task_id)
    # One generation takes 45 s and the default schedule notices it by about 70 s; twenty
    # concurrent waits must take no longer, not add up their first sleeps or their rounds.
    assert emulator.clock.now() - started < 80
