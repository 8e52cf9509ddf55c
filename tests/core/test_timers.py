"""The client's one heap of wake-ups: every pending wait sleeps in it."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import anyio
import pytest

from suno_async import (
    MountseaClient,
    PollSchedule,
    SystemClock,
    TaskKind,
    TaskTimeoutError,
    VirtualClock,
)
from suno_async._core._polling import poll_until
from suno_async._core._slots import PollSlots
from suno_async._core._timers import Timers

pytestmark = pytest.mark.anyio

_FAR = PollSchedule(first_delay=100, interval=100, factor=1.0, max_interval=100, timeout=1000)


@pytest.mark.parametrize("make_clock", [VirtualClock, lambda: SystemClock(1000.0)])
async def test_wake_ups_come_in_order_and_not_early(make_clock: object) -> None:
    clock = make_clock()  # type: ignore[operator]
    timers = Timers(clock)
    woke: list[tuple[float, float]] = []

    async def sleeper(moment: float) -> None:
        await timers.wake_at(moment)
        woke.append((moment, clock.now()))

    async with anyio.create_task_group() as group:
        for moment in (30.0, 10.0, 20.0, 5.0):  # an earlier one re-arms the single timer
            group.start_soon(sleeper, moment)
    assert [m for m, _ in woke] == [5.0, 10.0, 20.0, 30.0]
    assert all(now >= moment for moment, now in woke)
    assert timers.pending == 0


async def test_cancelled_wake_ups_are_swept_out() -> None:
    clock = VirtualClock()
    timers = Timers(clock)

    async def sleeper(moment: float) -> None:
        try:
            await timers.wake_at(moment)
        except BaseException:
            timers.forget()
            raise

    async with anyio.create_task_group() as group:
        for i in range(200):
            group.start_soon(sleeper, 1000.0 + i)
        await anyio.wait_all_tasks_blocked()  # before the virtual clock jumps
        assert timers.pending == 200
        group.cancel_scope.cancel()
    assert timers.pending < 100  # swept once half the heap was stale


async def test_pending_waits_of_a_client_sleep_in_its_timers() -> None:
    """Waiting tasks of a client hold an entry of its heap (and no task of their own)."""
    clock = VirtualClock()
    async with (
        MountseaClient(
            api_key="k",
            base_url="http://127.0.0.1:9",
            clock=clock,
            poll_schedules={TaskKind.EDIT: _FAR},
        ) as client,
        anyio.create_task_group() as group,
    ):

        async def wait(task_id: str) -> None:
            await client.wait_for_task(task_id, kind=TaskKind.EDIT)

        for i in range(50):
            group.start_soon(wait, f"t{i}")
        await anyio.wait_all_tasks_blocked()  # before the virtual clock jumps
        assert client._core.timers.pending == 50
        group.cancel_scope.cancel()


async def test_a_clock_without_call_at_is_slept_on_directly() -> None:
    class PlainClock:
        def __init__(self) -> None:
            self.inner = VirtualClock()
            self.slept: list[float] = []

        def now(self) -> float:
            return self.inner.now()

        async def sleep(self, seconds: float) -> None:
            await self.inner.sleep(seconds)

        async def sleep_until(self, moment: float) -> None:
            self.slept.append(moment)
            await self.inner.sleep_until(moment)

        def cancel_after(self, seconds: float) -> object:
            return self.inner.cancel_after(seconds)

    clock = PlainClock()
    timers = Timers(clock)  # type: ignore[arg-type]
    await timers.wake_at(3.0)
    assert clock.slept == [3.0]
    assert timers.pending == 0


async def test_a_wait_whose_deadline_passes_in_line_gives_up_without_asking() -> None:
    """In line for the client's one status slot (held by a slow request), a wait times out at
    its deadline, not when the slot frees, and sends nothing."""
    clock = VirtualClock()
    timers = Timers(clock)
    limiter = PollSlots(1, timers)
    asked: list[str] = []
    outcome: list[BaseException] = []
    timed_out_at: list[float] = []

    async def fetch(task_id: str) -> str:
        asked.append(task_id)
        return "running"

    async def wait() -> None:
        try:
            await poll_until(
                fetch,
                lambda status: None,
                lambda status: status,
                task_id="t",
                kind=TaskKind.EDIT,
                known_statuses={"running"},
                schedule=PollSchedule(1, 1, 1, 1, 5),
                clock=clock,
                limiter=limiter,
                rng=random.Random(1),
                timers=timers,
            )
        except TaskTimeoutError as exc:
            outcome.append(exc)
            timed_out_at.append(clock.now())

    await limiter.acquire()  # a request that takes longer than the wait's whole deadline
    async with anyio.create_task_group() as group:
        group.start_soon(wait)
        await clock.sleep(10)
        limiter.release()
    assert len(outcome) == 1
    assert timed_out_at[0] <= 5.5  # the deadline, not the slot freed at 10
    assert asked == []
    # The given-up waiter was skipped when the slot freed: the slot went back to the pool.
    assert await limiter.acquire(clock.now() + 1)


async def test_client_slots_are_first_come_first_served_and_pass_on_a_cancelled_grant() -> None:
    clock = VirtualClock()
    slots = PollSlots(1, Timers(clock))
    order: list[int] = []
    assert await slots.acquire()

    async def take(n: int) -> None:
        assert await slots.acquire()
        order.append(n)
        slots.release()

    async with anyio.create_task_group() as group:
        for n in range(3):
            group.start_soon(take, n)
        await anyio.wait_all_tasks_blocked()
        assert slots.waiting == 3
        slots.release()
    assert order == [0, 1, 2]

    # A waiter cancelled in line takes nothing with it.
    assert await slots.acquire()
    with anyio.move_on_after(0.01):
        await slots.acquire()
    slots.release()
    assert await slots.acquire(clock.now() + 1)


async def test_a_waiter_is_never_granted_a_slot_after_its_deadline() -> None:
    """The deadline and a release in the same turn: the deadline wins (resolved in the clock's
    own callback), so no request is sent past it."""
    clock = VirtualClock()
    slots = PollSlots(1, Timers(clock))
    assert await slots.acquire()
    waiting = asyncio.ensure_future(slots.acquire(5))
    await asyncio.sleep(0)
    clock.advance(5)
    slots.release()
    assert await waiting is False
    assert await slots.acquire(6)  # the slot went back to the pool


async def test_a_deadline_already_passed_gives_up_at_once() -> None:
    clock = VirtualClock(10)
    slots = PollSlots(1, Timers(clock))
    assert await slots.acquire()
    with anyio.fail_after(1):  # real seconds: nothing sleeps, so the clock never jumps
        assert await slots.acquire(10) is False


async def test_a_users_clock_with_the_plain_call_at_still_works() -> None:
    """A clock whose call_at takes (moment, callback) only: deadlines ride on it as plain
    callbacks, and a wait that gives up leaves no waiter behind to swallow a slot."""

    class PlainCallAt:
        def __init__(self) -> None:
            self.inner = SystemClock(1000.0)

        def now(self) -> float:
            return self.inner.now()

        async def sleep(self, seconds: float) -> None:
            await self.inner.sleep(seconds)

        async def sleep_until(self, moment: float) -> None:
            await self.inner.sleep_until(moment)

        def cancel_after(self, seconds: float) -> Any:
            return self.inner.cancel_after(seconds)

        def call_at(self, moment: float, callback: Any) -> Any:
            return self.inner.call_at(moment, callback)

    clock = PlainCallAt()
    slots = PollSlots(1, Timers(clock))
    assert await slots.acquire()
    assert await slots.acquire(clock.now() + 1) is False
    slots.release()
    with anyio.fail_after(1):
        assert await slots.acquire()


async def test_many_polls_in_line_at_one_deadline_ask_nothing_after_it() -> None:
    """Fifty waits share two slots and one deadline; none asks at or after the deadline."""
    clock = VirtualClock()
    timers = Timers(clock)
    slots = PollSlots(2, timers)
    asked: list[float] = []

    async def fetch(task_id: str) -> str:
        asked.append(clock.now())
        await clock.sleep(3)
        return "running"

    async def wait(n: int) -> None:
        with pytest.raises(TaskTimeoutError):
            await poll_until(
                fetch,
                lambda status: None,
                lambda status: status,
                task_id=str(n),
                kind=TaskKind.EDIT,
                known_statuses={"running"},
                schedule=PollSchedule(0.0, 1.0, 1.0, 1.0, 20.0, jitter=0.0),
                clock=clock,
                limiter=slots,
                rng=random.Random(n),
                timers=timers,
            )

    async with anyio.create_task_group() as group:
        for n in range(50):
            group.start_soon(wait, n)
    assert asked
    assert max(asked) < 20
