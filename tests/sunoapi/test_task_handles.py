"""The provider-free task handle: waits through the client's poller, and races a source of
pushed snapshots against it (here a fake source, without any webhook)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import anyio
import pytest

from suno_async import (
    ConfigError,
    PollSchedule,
    SunoapiClient,
    TaskFailedError,
    TaskHandle,
    TaskKind,
    TaskStatusChanged,
    TaskTimeoutError,
    VirtualClock,
)
from suno_async._core._base_client import ClientCore

pytestmark = pytest.mark.anyio

EVERY_10S = PollSchedule(
    first_delay=10, interval=10, factor=1, max_interval=10, timeout=100, jitter=0
)
SAFETY_NET = PollSchedule(
    first_delay=50, interval=50, factor=1, max_interval=50, timeout=100, jitter=0
)


class Task:
    """A fake task: its status by clock time, and a count of the lookups."""

    def __init__(self, clock: VirtualClock, done_at: float, status: str = "done") -> None:
        self.clock = clock
        self.done_at = done_at
        self.final = status
        self.lookups = 0

    async def fetch(self, task_id: str) -> str:
        self.lookups += 1
        return self.final if self.clock.now() >= self.done_at else "working"


def judge(status: str) -> str | None:
    if status == "failed":
        raise TaskFailedError("it failed.", task_id="t", snapshot=status)
    return "result" if status == "done" else None


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
async def core(clock: VirtualClock) -> AsyncIterator[ClientCore]:
    async with SunoapiClient(api_key="k", base_url="https://api.example.org", clock=clock) as c:
        yield c._core


def handle(
    core: ClientCore, task: Task, pushed: Any = None, schedule: PollSchedule = EVERY_10S
) -> TaskHandle[str, str]:
    return TaskHandle(
        core,
        "t",
        kind="thing",
        poll_kind=TaskKind.MUSIC,
        fetch=task.fetch,
        judge=judge,
        status_of=lambda status: status,
        known_statuses={"working", "done", "failed"},
        schedule=schedule,
        pushed=pushed,
        push_schedule=None if pushed is None else SAFETY_NET,
    )


async def test_polling_alone(core: ClientCore, clock: VirtualClock) -> None:
    task = Task(clock, done_at=25)
    waited = handle(core, task)
    assert repr(waited) == "TaskHandle(kind='thing', id='t')"
    assert await waited.wait() == "result"
    assert (task.lookups, clock.now(), waited.settled_by) == (3, 30, "poll")
    assert await waited.status() == "done"


async def test_a_push_wins_and_polling_slows_down(core: ClientCore, clock: VirtualClock) -> None:
    task = Task(clock, done_at=1000)
    seen: list[Any] = []

    async def pushed() -> AsyncGenerator[str, None]:
        await clock.sleep(20)
        yield "working"
        await clock.sleep(10)
        yield "done"

    waited = handle(core, task, pushed)
    assert waited.pushed
    assert waited.poll_schedule() == SAFETY_NET.with_timeout(100)
    assert await waited.wait(on_event=seen.append) == "result"
    assert (task.lookups, clock.now(), waited.settled_by) == (0, 30, "push")
    assert [e.status for e in seen if isinstance(e, TaskStatusChanged)] == ["working", "done"]


async def test_a_pushed_failure_fails_the_wait(core: ClientCore, clock: VirtualClock) -> None:
    async def pushed() -> AsyncGenerator[str, None]:
        yield "failed"

    waited = handle(core, Task(clock, done_at=1000), pushed)
    with pytest.raises(TaskFailedError):
        await waited.wait()
    assert waited.settled_by == "push"


async def test_a_source_that_ends_leaves_it_to_polling(
    core: ClientCore, clock: VirtualClock
) -> None:
    async def pushed() -> AsyncGenerator[str, None]:
        return
        yield  # pragma: no cover

    task = Task(clock, done_at=20)
    waited = handle(core, task, pushed)
    assert await waited.wait() == "result"
    assert (waited.settled_by, clock.now()) == ("poll", 50)  # the safety net's pace


async def test_the_deadline_ends_a_silent_race(core: ClientCore, clock: VirtualClock) -> None:
    closed: list[bool] = []

    async def pushed() -> AsyncGenerator[str, None]:
        try:
            await anyio.sleep_forever()
            yield "never"  # pragma: no cover
        finally:
            closed.append(True)

    waited = handle(core, Task(clock, done_at=1000), pushed)
    with pytest.raises(TaskTimeoutError):
        await waited.wait(timeout=120)
    assert clock.now() == 120
    assert closed == [True]  # the push side was cancelled and its source closed
    assert waited.settled_by is None


async def test_an_outside_cancel_stops_both_sides(core: ClientCore, clock: VirtualClock) -> None:
    async def pushed() -> AsyncGenerator[str, None]:
        await anyio.sleep_forever()
        yield "never"  # pragma: no cover

    task = Task(clock, done_at=1000)
    waited = handle(core, task, pushed)
    with clock.cancel_after(75):
        await waited.wait()
    assert task.lookups == 1  # the safety net's first look at 50, then the cancel at 75


async def test_wait_checks_its_arguments(core: ClientCore, clock: VirtualClock) -> None:
    waited = handle(core, Task(clock, done_at=0))
    with pytest.raises(ConfigError) as info:
        await waited.wait(timeout=0)
    assert info.value.argument == "timeout"
    with pytest.raises(ConfigError) as info:
        await waited.wait(on_event=5)  # type: ignore[arg-type]
    assert info.value.argument == "on_event"


async def test_concurrent_waits_each_know_how_they_settled(
    core: ClientCore, clock: VirtualClock
) -> None:
    """Two waits on one handle at once: the first gets the push at 20, the second (started at
    10; its push source stays silent) its safety-net poll at 60. settled_by is the last
    one's; wait_settled gives each its own."""
    sources = 0

    async def pushed() -> AsyncGenerator[str, None]:
        nonlocal sources
        sources += 1
        if sources == 1:
            await clock.sleep(20)
            yield "done"
        await anyio.sleep_forever()

    waited = handle(core, Task(clock, done_at=0), pushed)
    settled: dict[str, tuple[str, str]] = {}

    async def wait(name: str) -> None:
        settled[name] = await waited.wait_settled()

    async with anyio.create_task_group() as group:
        group.start_soon(wait, "first")
        await clock.sleep(10)
        group.start_soon(wait, "second")
    assert settled == {"first": ("result", "push"), "second": ("result", "poll")}
    assert clock.now() == 60
    assert waited.settled_by == "poll"  # the wait that ended last
    assert await waited.wait() == "result"  # wait() is wait_settled()'s result
