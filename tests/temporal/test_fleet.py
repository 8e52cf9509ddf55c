"""Three worker processes on the Temporal dev server, the emulator and one PostgreSQL ledger;
workers killed at a random time and right after a paid create and a paid generate were
accepted. Every job ends done (or explicitly ambiguous), every training is billed once, no
generate is sent twice, the ledger agrees with the emulator's books and holds the budget, and
the provider sees no more requests than the task queue's rate allows."""

from __future__ import annotations

import pytest

pytest.importorskip(
    "temporalio",
    reason="the Temporal SDK is not installed: "
    "pip install --require-hashes -r requirements/temporal-test.txt",
)

import asyncio
import contextlib
import os
import random
import signal
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from suno_async.emulator import Emulator, EmulatorConfig
from suno_async.ledger import PostgresLedger
from suno_async.temporal import (
    JobOptions,
    JobOutcome,
    JobSpec,
    TrainSpec,
    data_converter,
    job_outcome,
    submit_batch,
)
from tests.temporal.fleet_worker import CRASH_EXIT
from tests.temporal.rig import DEV_SERVER, needs_dev_server

pytestmark = [pytest.mark.anyio, needs_dev_server, pytest.mark.timeout(120)]

ROOT = Path(__file__).resolve().parents[2]
SPEED = 40.0  # the emulator's clock: a 150 s training takes 3.75 s
RATE = 20.0  # provider requests per second, for the whole fleet
TRAIN_JOBS = 4
GENERATE_JOBS = 8
BUDGET = TRAIN_JOBS * 100 + (TRAIN_JOBS + GENERATE_JOBS) * 40 + 100
WORKERS = 3


def max_in_window(times: list[float], width: float) -> int:
    """The most requests in any window of ``width`` seconds."""
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= width:
            start += 1
        best = max(best, end - start + 1)
    return best


class Fleet:
    """The worker processes: started, killed, and replaced when they die."""

    def __init__(self, args: list[str], logs: Path) -> None:
        self.args = args
        self.logs = logs
        self.procs: list[asyncio.subprocess.Process] = []
        self.exits: Counter[str] = Counter()
        self.started = 0

    async def start(self) -> None:
        self.started += 1
        log = (self.logs / f"worker-{self.started}.log").open("wb")
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.temporal.fleet_worker",
            *self.args,
            cwd=ROOT,
            stdout=log,
            stderr=log,
        )
        log.close()
        self.procs.append(proc)

    def kill_one(self, rng: random.Random) -> None:
        alive = [p for p in self.procs if p.returncode is None]
        if alive:
            rng.choice(alive).send_signal(signal.SIGKILL)

    async def supervise(self) -> None:
        """Replace every worker that died (keeping three)."""
        while True:
            for proc in list(self.procs):
                if proc.returncode is not None:
                    self.procs.remove(proc)
                    kind = {CRASH_EXIT: "after a paid answer", -9: "SIGKILL"}
                    self.exits[kind.get(proc.returncode, f"exit {proc.returncode}")] += 1
                    await self.start()
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        for proc in self.procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                await asyncio.wait_for(proc.wait(), 5)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def test_three_workers_killed_lose_nothing(tmp_path: Path, postgres_dsn: str) -> None:
    assert DEV_SERVER is not None
    rng = random.Random(os.environ.get("SUNO_FLEET_SEED", "1"))
    crash_dir = tmp_path / "crash"
    crash_dir.mkdir()
    (crash_dir / "create").touch()
    (crash_dir / "generate").touch()
    ledger_name = f"fleet-{uuid.uuid4().hex[:12]}"  # its own ledger in the shared server
    config = EmulatorConfig(speed=SPEED, upload_cost=0)
    began = time.monotonic()
    async with (
        Emulator(config) as emulator,
        await WorkflowEnvironment.start_local(
            dev_server_existing_path=DEV_SERVER,
            data_converter=data_converter,
            dev_server_log_level="error",
        ) as env,
    ):
        address = env.client.service_client.config.target_host
        queue = "suno-fleet"
        fleet = Fleet(
            [
                address,
                queue,
                emulator.base_url,
                postgres_dsn,
                ledger_name,
                str(BUDGET),
                str(RATE),
                str(crash_dir),
            ],
            tmp_path,
        )
        for _ in range(WORKERS):
            await fleet.start()
        supervisor = asyncio.create_task(fleet.supervise())
        try:
            options = JobOptions(poll_scale=1 / SPEED, heartbeat_timeout=2.0, activity_timeout=20)
            song = {"task": "create", "tags": "ambient", "prompt": "a fleet"}
            jobs = [
                JobSpec(
                    key=f"train-{n}",
                    train=TrainSpec(name=f"fleet-{n}", audio_urls=emulator.sample_audio_urls(6)),
                    generate={**song, "title": f"T{n}"},
                    options=options,
                )
                for n in range(TRAIN_JOBS)
            ] + [
                JobSpec(key=f"gen-{n}", generate={**song, "title": f"G{n}"}, options=options)
                for n in range(GENERATE_JOBS)
            ]
            submitted = await submit_batch(
                jobs, env.client, task_queue=queue, workflow_task_timeout=2.0
            )
            await asyncio.sleep(rng.uniform(1.0, 4.0))
            fleet.kill_one(rng)
            outcomes: list[JobOutcome] = await asyncio.wait_for(
                asyncio.gather(*(job_outcome(env.client, j.workflow_id) for j in submitted.jobs)),
                90,
            )
        finally:
            supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await supervisor
            await fleet.stop()
        seconds = time.monotonic() - began

        statuses = Counter(o.status for o in outcomes)
        charges = emulator.charges
        trainings = Counter(c.task_id for c in charges if c.kind == "training")
        generations = [c for c in charges if c.kind == "generate"]
        times = sorted(r.at / SPEED for r in emulator.requests if r.path.startswith("/suno/v2/"))
        per_1s, per_5s = max_in_window(times, 1.0), max_in_window(times, 5.0)
        async with await PostgresLedger.connect(postgres_dsn, name=ledger_name) as ledger:
            totals = await ledger.totals()
        print(
            f"\nfleet: {len(outcomes)} jobs in {seconds:.1f} s: {dict(statuses)}; workers "
            f"started {fleet.started}, died {dict(fleet.exits)}; crash flags taken "
            f"{sorted(p.name for p in crash_dir.iterdir())}; creates {sum(trainings.values())} "
            f"for {TRAIN_JOBS} trainings, generates {len(generations)} for "
            f"{TRAIN_JOBS + GENERATE_JOBS}; ledger {totals}; emulator spent "
            f"{emulator.credits_spent}; provider requests {len(times)}, at most {per_1s} in 1 s "
            f"and {per_5s} in 5 s (rate {RATE:g}/s)"
        )

    assert set(statuses) <= {"done", "ambiguous"}, [o for o in outcomes if o.status != "done"]
    # The kills happened: one at random, one after a create, one after a generate.
    assert fleet.exits["SIGKILL"] >= 1
    assert fleet.exits["after a paid answer"] == 2
    # Exactly one create per training job, each billed once.
    assert len(trainings) == TRAIN_JOBS
    assert set(trainings.values()) == {1}
    # No generate sent twice: one per job at most, each job's task its own.
    assert len(generations) <= TRAIN_JOBS + GENERATE_JOBS
    assert all(o.generates_sent <= 1 for o in outcomes)
    done_tasks = [o.task_id for o in outcomes if o.status == "done"]
    assert len(done_tasks) == len(set(done_tasks))
    # The ledger agrees with the provider's books and held the budget.
    assert totals.reserved == 0
    assert totals.spent <= emulator.credits_spent <= totals.spent + totals.uncertain
    assert totals.committed <= BUDGET
    assert emulator.credits_spent <= BUDGET
    # The provider's rate, for the whole fleet: within it over any 5 s; the server's limiter
    # lets short bursts through (up to about a second's worth on top, seen over 1 s).
    assert per_5s <= RATE * 5
    assert per_1s <= 2 * RATE
