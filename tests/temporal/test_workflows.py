"""Every branch of the Temporal workflows, on the time-skipping test server and the emulator:
the happy path, a generate whose answer is lost (ambiguous, or resent when asked), a create
whose answer is lost (looked up, not sent twice), a failed upload replaced by a spare, a budget
the ledger refuses (nothing sent), and batches submitted twice (started once)."""

from __future__ import annotations

import pytest

pytest.importorskip(
    "temporalio",
    reason="the Temporal SDK is not installed: "
    "pip install --require-hashes -r requirements/temporal-test.txt",
)

from pathlib import Path

import msgspec

from suno_async.emulator import EmulatorConfig
from suno_async.temporal import (
    BatchOutcome,
    JobOptions,
    JobOutcome,
    JobSpec,
    MsgspecPayloadConverter,
    TrainSpec,
    submit_batch,
)
from tests.temporal.rig import QUEUE, needs_test_server, rig

pytestmark = [pytest.mark.anyio, needs_test_server]

CREATE = "/suno/v2/customModel/create"
GENERATE = "/suno/v2/generate"
UPLOAD = "/suno/v2/customModel/upload"
SONG = {"task": "create", "tags": "lo-fi", "prompt": "rain on a window", "title": "Rain"}


def train(urls: list[str]) -> TrainSpec:
    return TrainSpec(name="temporal-model", audio_urls=urls)


def test_structs_travel_as_json() -> None:
    """A Struct becomes plain JSON and comes back as the Struct of the type hint."""
    converter = MsgspecPayloadConverter()
    spec = JobSpec(key="k", generate=SONG, options=JobOptions(poll_scale=0.5))
    [payload] = converter.to_payloads([spec])
    assert payload.metadata["encoding"] == b"json/plain"
    assert msgspec.json.decode(payload.data)["key"] == "k"
    [back] = converter.from_payloads([payload], [JobSpec])
    assert back == spec
    [plain] = converter.from_payloads(converter.to_payloads([{"a": 1}]), [dict])
    assert plain == {"a": 1}


async def test_train_then_generate(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        urls = r.emulator.sample_audio_urls(6)
        outcome = await r.run(JobSpec(key="happy", train=train(urls), generate=SONG, download=True))
        assert outcome.status == "done", outcome.error
        assert (outcome.model_id or "").startswith("chirp-custom:")
        assert len(outcome.clips) == 2
        assert len(outcome.files) == 2
        assert all(Path(f).stat().st_size > 0 for f in outcome.files)
        assert r.emulator.count("POST", CREATE) == 1
        assert r.emulator.count("POST", GENERATE) == 1
        totals = await r.ledger.totals()
        assert totals.spent == 140
        assert totals.uncertain == totals.reserved == 0


async def test_lost_generate_is_ambiguous_and_not_resent(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        r.emulator.drop_next("POST", GENERATE, after_work=True)
        outcome = await r.run(JobSpec(key="lost-gen", generate=SONG))
        assert outcome.status == "ambiguous"
        assert "resend_if_ambiguous" in (outcome.error or "")
        assert r.emulator.count("POST", GENERATE) == 1
        totals = await r.ledger.totals()
        assert (totals.spent, totals.uncertain) == (0, 40)


async def test_lost_generate_is_resent_when_asked(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        r.emulator.drop_next("POST", GENERATE, after_work=True)
        outcome = await r.run(JobSpec(key="resend", generate=SONG, resend_if_ambiguous=True))
        assert outcome.status == "done", outcome.error
        assert outcome.generates_sent == 2
        assert r.emulator.count("POST", GENERATE) == 2
        totals = await r.ledger.totals()
        assert (totals.spent, totals.uncertain) == (40, 40)


@pytest.mark.parametrize("after_work", [True, False])
async def test_lost_create_is_looked_up_not_sent_twice(tmp_path: Path, after_work: bool) -> None:
    """After the work, the lookup finds the training (create is not sent again); before it,
    the lookup finds none and create is sent once more: one training either way."""
    async with rig(tmp_path) as r:
        r.emulator.drop_next("POST", CREATE, after_work=after_work)
        urls = r.emulator.sample_audio_urls(6)
        outcome = await r.run(JobSpec(key="lost-create", train=train(urls)))
        assert outcome.status == "done", outcome.error
        assert r.emulator.count("POST", CREATE) == (1 if after_work else 2)
        trainings = [c for c in r.emulator.charges if c.kind == "training"]
        assert len(trainings) == 1
        totals = await r.ledger.totals()
        assert (totals.spent, totals.uncertain, totals.reserved) == (100, 0, 0)


async def test_a_failed_upload_is_replaced_by_a_spare(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        urls = [r.emulator.missing_audio_url(), *r.emulator.sample_audio_urls(6)]
        outcome = await r.run(JobSpec(key="spare", train=train(urls)))
        assert outcome.status == "done", outcome.error
        assert r.emulator.count("POST", UPLOAD) >= 7
        assert r.emulator.count("POST", CREATE) == 1


async def test_too_few_uploads_send_no_create(tmp_path: Path) -> None:
    async with rig(tmp_path) as r:
        urls = [r.emulator.missing_audio_url(f"m{n}") for n in range(2)]
        urls += r.emulator.sample_audio_urls(5)
        outcome = await r.run(JobSpec(key="too-few", train=train(urls)))
        assert outcome.status == "failed"
        assert r.emulator.count("POST", CREATE) == 0


@pytest.mark.parametrize("part", ["train", "generate"])
async def test_the_ledger_refuses_and_nothing_is_sent(tmp_path: Path, part: str) -> None:
    async with rig(tmp_path, limit=30) as r:
        urls = r.emulator.sample_audio_urls(6)
        spec = (
            JobSpec(key="poor", train=train(urls), generate=SONG)
            if part == "train"
            else JobSpec(key="poor", generate=SONG)
        )
        outcome = await r.run(spec)
        assert outcome.status == "refused"
        assert "budget" in (outcome.error or "")
        assert r.emulator.count("POST", CREATE) == 0
        assert r.emulator.count("POST", GENERATE) == 0
        assert (await r.ledger.totals()).committed == 0


@pytest.mark.parametrize("shard_size", [None, 2])
async def test_a_batch_submitted_twice_runs_once(tmp_path: Path, shard_size: int | None) -> None:
    async with rig(tmp_path, EmulatorConfig(upload_cost=0)) as r:
        rows = [JobSpec(key=f"row-{n}", generate={**SONG, "title": f"S{n}"}) for n in range(3)]
        first = await submit_batch(rows, r.client, task_queue=QUEUE, shard_size=shard_size)
        assert len(first.shards) == (0 if shard_size is None else 2)
        async with r.env.time_skipping_unlocked():  # type: ignore[attr-defined]
            for shard in first.shards:
                handle = r.client.get_workflow_handle(shard, result_type=BatchOutcome)
                assert not (await handle.result()).already
        outcomes: list[JobOutcome] = [await r.outcome(job.workflow_id) for job in first.jobs]
        assert sorted(o.key for o in outcomes) == ["row-0", "row-1", "row-2"]
        assert all(o.status == "done" for o in outcomes)
        again = await submit_batch(rows, r.client, task_queue=QUEUE, shard_size=shard_size)
        if shard_size is None:
            assert [j.started for j in again.jobs] == [False] * 3
        assert {j.workflow_id for j in again.jobs} == {j.workflow_id for j in first.jobs}
        assert r.emulator.count("POST", GENERATE) == 3
