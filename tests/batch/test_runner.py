"""run_batch / retry_batch / export_results end to end on the emulator: every kind of job, the
rerun that skips done work, concurrency, the budget, provider failures, lost answers, and
streaming rows."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, ClassVar

import anyio
import msgspec
import pytest

from suno_async import (
    BatchProgress,
    ConfigError,
    GenerateJob,
    GenerationSubmitted,
    JobResult,
    JobStore,
    MountseaClient,
    PureMusicJob,
    RowEvent,
    RowFinished,
    SunoapiClient,
    TaskFailedError,
    export_results,
    retry_batch,
    run_batch,
)
from suno_async._core._batch import JobContext
from suno_async.emulator import Emulator, EmulatorConfig, VirtualClock
from suno_async.testing import FAST_RETRY, EmulatorControl

from .conftest import (
    CREATE,
    GENERATE,
    PURE_MUSIC,
    paid_requests,
    priced_charged,
    uploads_charged,
    write_csv,
)

pytestmark = pytest.mark.anyio


def _every_kind(control: EmulatorControl, path: Path) -> Path:
    urls = " ".join(control.sample_audio_urls(6))
    urls_piped = "|".join(control.sample_audio_urls(7)[1:])
    return write_csv(
        path,
        "kind,key,task,tags,title,make_instrumental,name,audio_urls",
        "generate,gen,create,pop,Sun,true,,",
        "pure_music,pure,,jazz,Night,,,",
        f"train_generate,train-gen,,rock,,,Mine,{urls}",
        f"train_generate,train-only,,,,,Only,{urls_piped}",
        ",,,lofi,Untitled,,,",  # no kind (generate), no key (derived from its content)
    )


async def test_every_kind_runs_to_done_and_a_rerun_sends_nothing(
    tmp_path: Path,
    suno_control: EmulatorControl,
    mountsea_client: MountseaClient,
    sunoapi_client: SunoapiClient,
) -> None:
    rows = _every_kind(suno_control, tmp_path / "rows.csv")
    store = tmp_path / "batch.db"
    events: list[Any] = []
    summary = await run_batch(
        rows,
        store=store,
        mountsea=mountsea_client,
        sunoapi=sunoapi_client,
        directory=tmp_path / "audio",
        on_event=events.append,
    )
    assert (summary.done, summary.failed, summary.ambiguous, summary.invalid) == (5, 0, 0, 0)
    assert summary.complete
    assert summary.stopped is None
    emulator = suno_control.emulator
    # the store's credits are the emulator's ledger: priced work as spent, uploads as unpriced
    assert summary.totals.spent == priced_charged(emulator) == 40 * 3 + 10 + 100 * 2
    assert summary.totals.uncertain == 0
    assert summary.totals.unpriced == uploads_charged(emulator) == 12
    assert emulator.count("POST", CREATE) == 2
    assert emulator.count("POST", PURE_MUSIC) == 1
    for key in ("gen", "pure", "train-gen"):
        files = sorted((tmp_path / "audio" / key).iterdir())
        assert len(files) == 2, key
    finished = {e.key: e for e in events if isinstance(e, RowFinished)}
    assert {e.status for e in finished.values()} == {"done"}
    assert {finished[k].line for k in ("gen", "pure", "train-gen", "train-only")} == {2, 3, 4, 5}
    assert any(isinstance(e, RowEvent) and e.key == "gen" for e in events)

    requests = len(emulator.requests)
    again = await run_batch(rows, store=store, mountsea=mountsea_client, sunoapi=sunoapi_client)
    assert (again.done, again.skipped) == (0, 5)
    assert len(emulator.requests) == requests  # nothing at all was sent
    assert again.totals == summary.totals

    with JobStore.open(store, readonly=True) as opened:
        train_only = opened.get("train-only")
        assert train_only is not None
        result = msgspec.json.decode(train_only.result or b"", type=JobResult)
        assert result.model_id is not None
        assert result.clips == []
        gen = opened.get("gen")
        assert gen is not None
        assert json.loads(gen.spec)["fields"] == {
            "task": "create",
            "tags": "pop",
            "title": "Sun",
            "make_instrumental": True,  # CSV text read as the field's type
        }


async def test_export_results_as_csv_and_jsonl(
    tmp_path: Path,
    suno_control: EmulatorControl,
    mountsea_client: MountseaClient,
    sunoapi_client: SunoapiClient,
) -> None:
    rows = _every_kind(suno_control, tmp_path / "rows.csv")
    store = tmp_path / "batch.db"
    suno_control.fail_next("generate")  # the first generation fails
    await run_batch(
        rows, store=store, mountsea=mountsea_client, sunoapi=sunoapi_client, concurrency=1
    )
    text = io.StringIO()
    assert export_results(store, text, format="csv") == 5
    table = {row["key"]: row for row in csv.DictReader(io.StringIO(text.getvalue()))}
    assert table["gen"]["status"] == "failed"
    assert "failed" in table["gen"]["error"].lower() or table["gen"]["error"]
    assert table["pure"]["status"] == "done"
    assert table["pure"]["spent"] == "10"
    assert len(table["pure"]["clip_ids"].split(" ")) == 2
    assert all(u.startswith("http") for u in table["pure"]["audio_urls"].split(" "))
    assert table["train-only"]["model_id"].startswith("chirp-custom:")
    assert table["train-gen"]["line"] == "4"

    lines = io.StringIO()
    assert export_results(store, lines, format="jsonl", statuses=["done"]) == 4
    parsed = [json.loads(line) for line in lines.getvalue().splitlines()]
    assert {p["key"] for p in parsed} == {"pure", "train-gen", "train-only"} | {
        p["key"] for p in parsed if p["kind"] == "generate"
    }
    assert all(p["status"] == "done" for p in parsed)
    pure = next(p for p in parsed if p["key"] == "pure")
    assert len(pure["clip_ids"]) == 2
    assert pure["task_id"]


async def test_a_failed_generation_is_sent_again_on_rerun(
    tmp_path: Path, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    rows = write_csv(tmp_path / "rows.csv", "key,tags", "a,pop", "b,rock")
    store = tmp_path / "batch.db"
    suno_control.fail_next("generate", reason="The lyrics were flagged.")
    first = await run_batch(rows, store=store, mountsea=mountsea_client, concurrency=1)
    assert (first.done, first.failed) == (1, 1)
    with JobStore.open(store, readonly=True) as opened:
        failed = opened.get("a")
        assert failed is not None
        assert failed.status == "failed"
        assert "flagged" in (failed.error or "")
    second = await run_batch(rows, store=store, mountsea=mountsea_client)
    assert (second.done, second.skipped, second.failed) == (1, 1, 0)
    assert suno_control.emulator.count("POST", GENERATE) == 3
    assert second.complete
    # the library counts what the provider accepted; the refund of the failed one is the
    # provider's (the ledger holds it, refunded)
    assert second.totals.spent == priced_charged(suno_control.emulator) == 120


async def test_a_failed_row_is_kept_with_retry_failed_false(
    tmp_path: Path, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    rows = write_csv(tmp_path / "rows.csv", "key,tags", "a,pop")
    store = tmp_path / "batch.db"
    suno_control.fail_next("generate")
    await run_batch(rows, store=store, mountsea=mountsea_client)
    kept = await run_batch(rows, store=store, mountsea=mountsea_client, retry_failed=False)
    assert (kept.skipped, kept.done) == (1, 0)
    assert suno_control.emulator.count("POST", GENERATE) == 1


async def test_retry_batch_runs_failed_rows_without_the_file(
    tmp_path: Path,
    suno_control: EmulatorControl,
    mountsea_client: MountseaClient,
    sunoapi_client: SunoapiClient,
) -> None:
    rows = write_csv(tmp_path / "rows.csv", "kind,key,tags", "generate,a,pop", "pure_music,b,jazz")
    store = tmp_path / "batch.db"
    suno_control.fail_next("generate")
    suno_control.fail_next("music")
    first = await run_batch(rows, store=store, mountsea=mountsea_client, sunoapi=sunoapi_client)
    assert first.failed == 2
    rows.unlink()
    retried = await retry_batch(store, mountsea=mountsea_client, sunoapi=sunoapi_client)
    assert (retried.done, retried.failed) == (2, 0)
    assert retried.complete
    assert paid_requests(suno_control.emulator) == 4
    nothing = await retry_batch(store, mountsea=mountsea_client, sunoapi=sunoapi_client)
    assert (nothing.done, nothing.skipped) == (0, 0)
    assert paid_requests(suno_control.emulator) == 4


async def test_a_lost_generate_answer_is_ambiguous_and_not_sent_again_unless_asked(
    tmp_path: Path, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    rows = write_csv(tmp_path / "rows.csv", "key,tags", "a,pop", "b,rock")
    store = tmp_path / "batch.db"
    suno_control.drop_next("POST", GENERATE, after_work=True)
    first = await run_batch(rows, store=store, mountsea=mountsea_client, concurrency=1)
    assert (first.done, first.ambiguous) == (1, 1)
    assert (first.totals.spent, first.totals.uncertain) == (40, 40)
    emulator = suno_control.emulator
    assert emulator.count("POST", GENERATE) == 2
    with JobStore.open(store, readonly=True) as opened:
        lost = opened.get("a")
        assert lost is not None
        assert lost.status == "ambiguous"
        assert lost.credits.uncertain == 40

    again = await run_batch(rows, store=store, mountsea=mountsea_client)
    assert (again.ambiguous, again.skipped, again.done) == (1, 1, 0)
    assert emulator.count("POST", GENERATE) == 2  # not sent again
    assert again.totals.uncertain == 40

    nothing = await retry_batch(store, mountsea=mountsea_client)
    assert nothing.ambiguous == 0  # ambiguous rows are left alone without resend_if_ambiguous
    assert emulator.count("POST", GENERATE) == 2

    resent = await retry_batch(store, mountsea=mountsea_client, resend_if_ambiguous=True)
    assert (resent.done, resent.ambiguous) == (1, 0)
    assert emulator.count("POST", GENERATE) == 3
    assert resent.complete
    # the lost one stays uncertain (it was charged: the ledger says so, the client cannot know)
    assert (resent.totals.spent, resent.totals.uncertain) == (80, 40)
    assert priced_charged(emulator) == 120


async def test_a_lost_training_create_is_looked_up_on_rerun_not_sent_twice(
    tmp_path: Path, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    """The run stops while create is in flight (its answer never recorded): the row's tally
    counts it as uncertain; the rerun looks the session up, finds the training, settles the
    credits and generates, without a second create."""
    urls = " ".join(suno_control.sample_audio_urls(6))
    rows = write_csv(
        tmp_path / "rows.csv", "kind,key,name,audio_urls,tags", f"train_generate,t,Mine,{urls},pop"
    )
    store = tmp_path / "batch.db"
    emulator = suno_control.emulator
    emulator.slow_next("POST", CREATE, 0.5)
    with anyio.fail_after(10):
        async with anyio.create_task_group() as group:
            group.start_soon(lambda: run_batch(rows, store=store, mountsea=mountsea_client))
            while not any(c.kind == "training" for c in emulator.charges):  # noqa: ASYNC110
                await anyio.sleep(0.01)
            await anyio.sleep(0.05)
            group.cancel_scope.cancel()  # the run stops with create's answer on its way
    with JobStore.open(store, readonly=True) as opened:
        record = opened.get("t")
        assert record is not None
        assert record.status == "running"
        assert record.credits.uncertain + sum(c for c, _ in record.credits.in_flight) == 100
        assert opened.totals().uncertain == 100

    async with MountseaClient(**suno_control.client_options()) as fresh:  # a new process
        resumed = await run_batch(rows, store=store, mountsea=fresh)
    assert resumed.done == 1
    assert sum(1 for c in emulator.charges if c.kind == "training") == 1
    assert emulator.count("POST", CREATE) == 0  # the held answer was never delivered; no other
    assert (resumed.totals.spent, resumed.totals.uncertain) == (140, 0)
    assert resumed.totals.spent == priced_charged(emulator)


class _Probe:
    """Counts the probe jobs running at once, and how far the rows were read ahead."""

    def __init__(self) -> None:
        self.running = 0
        self.most = 0
        self.started = 0
        self.pulled = 0
        self.lead = 0


PROBE = _Probe()


class ProbeJob(msgspec.Struct, frozen=True, kw_only=True, tag="probe"):
    """A job that takes a few milliseconds and records how many run with it."""

    provider: ClassVar[str] = "mountsea"
    key: str | None = None
    n: int

    async def run(self, client: Any, open_journal: Any, context: JobContext) -> JobResult:
        PROBE.started += 1
        PROBE.lead = max(PROBE.lead, PROBE.pulled - PROBE.started)
        PROBE.running += 1
        PROBE.most = max(PROBE.most, PROBE.running)
        try:
            await anyio.sleep(0.002)
        finally:
            PROBE.running -= 1
        return JobResult(task_id=f"task-{self.n}", clips=[])


@pytest.fixture
def probe() -> _Probe:
    global PROBE
    PROBE = _Probe()
    return PROBE


async def test_concurrency_is_held_and_rows_are_pulled_lazily(
    tmp_path: Path, mountsea_client: MountseaClient, probe: _Probe
) -> None:
    async def rows() -> AsyncIterator[ProbeJob]:
        for n in range(120):
            probe.pulled += 1
            yield ProbeJob(n=n)

    summary = await run_batch(
        rows(), store=tmp_path / "batch.db", mountsea=mountsea_client, concurrency=4
    )
    assert summary.done == 120
    assert probe.most == 4  # reached, never passed
    assert probe.lead <= 4 + 1  # the stream's buffer and the one row being handed over


async def test_concurrency_is_held_for_real_generations(
    tmp_path: Path, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    """Measured from the events: a job is under way from its submit to its end."""
    rows = write_csv(tmp_path / "rows.csv", "key,tags", *(f"k{i},pop {i}" for i in range(12)))
    active: set[str] = set()
    most = 0
    progress = BatchProgress()
    most_running = 0

    def on_event(event: Any) -> None:
        nonlocal most, most_running
        most_running = max(most_running, progress.running)
        if isinstance(event, RowEvent) and isinstance(event.event, GenerationSubmitted):
            active.add(event.key)
            most = max(most, len(active))
        elif isinstance(event, RowFinished):
            active.discard(event.key)

    summary = await run_batch(
        rows,
        store=tmp_path / "batch.db",
        mountsea=mountsea_client,
        concurrency=3,
        on_event=on_event,
        progress=progress,
    )
    assert summary.done == 12
    assert most == 3
    assert most_running <= 3
    assert progress.done == 12
    assert progress.running == 0
    assert progress.spent == 12 * 40 == suno_control.credits_spent


async def test_max_credits_stops_the_batch_within_the_budget(
    tmp_path: Path, suno_control: EmulatorControl
) -> None:
    rows = write_csv(tmp_path / "rows.csv", "key,tags", *(f"k{i},pop {i}" for i in range(6)))
    store = tmp_path / "batch.db"
    async with MountseaClient(**suno_control.client_options(), max_credits=100) as client:
        summary = await run_batch(rows, store=store, mountsea=client, concurrency=3)
        assert summary.stopped is not None
        assert "CreditBudgetError" in summary.stopped
        assert summary.done == 2
        assert client.credits_spent <= 100
    assert suno_control.credits_spent == 80 <= 100
    assert suno_control.emulator.count("POST", GENERATE) == 2
    assert summary.totals.spent == 80
    assert summary.totals.counts["done"] == 2
    assert summary.totals.counts["running"] == 0  # nothing left claimed as under way
    # a rerun with room in the budget finishes the rest, and only the rest
    async with MountseaClient(**suno_control.client_options(), max_credits=1000) as client:
        rest = await run_batch(rows, store=store, mountsea=client, concurrency=3)
    assert (rest.done, rest.skipped) == (4, 2)
    assert rest.complete
    assert suno_control.emulator.count("POST", GENERATE) == 6


async def test_a_job_without_its_client_is_invalid_with_a_clear_message(
    tmp_path: Path, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    rows = [GenerateJob(key="g", fields={"tags": "pop"}), PureMusicJob(key="p", tags="jazz")]
    events: list[Any] = []
    summary = await run_batch(
        rows, store=tmp_path / "batch.db", mountsea=mountsea_client, on_event=events.append
    )
    assert (summary.done, summary.invalid) == (1, 1)
    (invalid,) = [e for e in events if isinstance(e, RowFinished) and e.status == "invalid"]
    assert invalid.key == "p"
    assert "no sunoapi client was given" in (invalid.error or "")
    assert "sunoapi=" in (invalid.error or "")
    assert suno_control.emulator.count("POST", PURE_MUSIC) == 0


async def test_a_busy_store_is_refused_before_anything_is_sent(
    tmp_path: Path, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    from suno_async import StoreBusyError

    rows = write_csv(tmp_path / "rows.csv", "key,tags", "a,pop")
    with JobStore.open(tmp_path / "batch.db"), pytest.raises(StoreBusyError):
        await run_batch(rows, store=tmp_path / "batch.db", mountsea=mountsea_client)
    assert suno_control.requests == []


async def test_a_store_given_open_is_used_and_left_open(
    tmp_path: Path, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    rows = write_csv(tmp_path / "rows.csv", "key,tags", "a,pop")
    with JobStore.open(tmp_path / "batch.db") as store:
        summary = await run_batch(rows, store=store, mountsea=mountsea_client)
        assert summary.done == 1
        assert store.totals().counts["done"] == 1  # still open


async def test_retry_batch_reports_a_row_it_cannot_read_back(
    tmp_path: Path, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    """A single-job journal kept in the same store is not a batch job: retry_batch reports
    it and runs the others, instead of breaking off."""
    store = tmp_path / "batch.db"
    suno_control.fail_next("generate")
    with pytest.raises(TaskFailedError):
        await mountsea_client.generate_and_download(
            directory=tmp_path / "a", journal=store, task="create", tags="pop"
        )
    await run_batch(
        [GenerateJob(key="g", fields={"tags": "rock"})], store=store, mountsea=mountsea_client
    )
    summary = await retry_batch(store, mountsea=mountsea_client)
    assert summary.invalid == 1
    (error,) = summary.row_errors
    assert error.key == "journal"
    assert "not a batch job" in error.message


async def test_an_exhausted_account_stops_the_batch(tmp_path: Path) -> None:
    config = EmulatorConfig(credits=100)
    async with Emulator(config, clock=VirtualClock()) as emulator:
        options: dict[str, Any] = {
            "api_key": "k",
            "base_url": emulator.base_url,
            "clock": emulator.clock,
        }
        async with MountseaClient(**options, retry=FAST_RETRY) as client:
            summary = await run_batch(
                [GenerateJob(key=f"k{i}", fields={"tags": f"pop {i}"}) for i in range(6)],
                store=tmp_path / "batch.db",
                mountsea=client,
                concurrency=1,
            )
        assert summary.stopped is not None
        assert "InsufficientCreditsError" in summary.stopped
        assert summary.done == 2
        assert emulator.count("POST", GENERATE) == 3  # the refused one, then nothing more
        counts = summary.totals.counts
        # the refused job and those read ahead are pending (nothing paid), the rest unread
        assert counts["pending"] == summary.totals.total - 2 >= 1, counts
        assert counts["failed"] == counts["running"] == 0, counts


async def test_an_item_that_is_not_a_job_is_reported_not_run(
    tmp_path: Path, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    rows: list[Any] = [{"tags": "pop"}, (7, GenerateJob(key="g", fields={"tags": "rock"}))]
    summary = await run_batch(rows, store=tmp_path / "batch.db", mountsea=mountsea_client)
    assert (summary.done, summary.invalid) == (1, 1)
    (error,) = summary.row_errors
    assert "not a job" in error.message
    with JobStore.open(tmp_path / "batch.db", readonly=True) as store:
        record = store.get("g")
        assert record is not None
        assert record.line == 7


async def test_a_directory_that_is_a_file_is_refused_before_anything_is_sent(
    tmp_path: Path, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    (tmp_path / "audio").write_text("not a directory")
    rows = [GenerateJob(key="g", fields={"tags": "pop"})]
    audio = tmp_path / "audio"
    with pytest.raises(ConfigError) as info:
        await run_batch(rows, store=tmp_path / "b.db", mountsea=mountsea_client, directory=audio)
    assert info.value.argument == "directory"
    with pytest.raises(ConfigError) as info:
        await retry_batch(tmp_path / "b.db", mountsea=mountsea_client, directory=audio)
    assert info.value.argument == "directory"
    assert suno_control.requests == []


async def test_audio_that_cannot_be_written_stops_the_batch_resumably(
    tmp_path: Path, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    """The job whose audio cannot be written fails and stops the batch (every other job would
    meet the same disk); the rerun downloads it without generating it again."""
    audio = tmp_path / "audio"
    audio.mkdir()
    (audio / "a").write_text("in the way")  # where job a's directory should be
    rows = [GenerateJob(key=k, fields={"tags": k}) for k in ("a", "b", "c")]
    store = tmp_path / "batch.db"
    summary = await run_batch(
        rows, store=store, mountsea=mountsea_client, directory=audio, concurrency=1
    )
    assert summary.stopped is not None
    assert summary.failed == 1
    assert summary.done == 0
    (audio / "a").unlink()
    rest = await run_batch(
        rows, store=store, mountsea=mountsea_client, directory=audio, concurrency=1
    )
    assert rest.complete
    assert suno_control.emulator.count("POST", GENERATE) == 3
    assert len(list((audio / "a").iterdir())) == 2


async def test_a_job_stopped_after_paid_work_is_failed_not_pending(
    tmp_path: Path, suno_control: EmulatorControl
) -> None:
    """The budget refuses the generation after the training was paid for: the job is not
    ``pending`` (which says nothing was sent) but ``failed``, and the rerun carries on from
    the trained model."""
    urls = " ".join(suno_control.sample_audio_urls(6))
    rows = write_csv(
        tmp_path / "rows.csv", "kind,key,name,audio_urls,tags", f"train_generate,t,Mine,{urls},pop"
    )
    store = tmp_path / "batch.db"
    async with MountseaClient(**suno_control.client_options(), max_credits=120) as client:
        stopped = await run_batch(rows, store=store, mountsea=client)
    assert stopped.stopped is not None
    assert "CreditBudgetError" in stopped.stopped
    assert stopped.totals.counts["failed"] == 1
    assert stopped.totals.counts["pending"] == 0
    async with MountseaClient(**suno_control.client_options()) as client:
        rest = await run_batch(rows, store=store, mountsea=client)
    assert rest.complete
    assert suno_control.emulator.count("POST", CREATE) == 1
    assert rest.totals.spent == priced_charged(suno_control.emulator) == 140


def test_export_counts_calls_left_in_flight_as_uncertain(tmp_path: Path) -> None:
    """As the store's totals do: a run killed while a paid call was being sent."""
    from suno_async._core._budget import TallyState

    with JobStore.open(tmp_path / "batch.db") as store:
        store.add("k", "generate", "{}", 2, None)
        store.update(
            "k", status="running", credits=TallyState(uncertain=10, in_flight=[(40, None)])
        )
        assert store.totals().uncertain == 50
    out = io.StringIO()
    export_results(tmp_path / "batch.db", out)
    assert json.loads(out.getvalue())["uncertain"] == 50


async def test_a_rerun_keeps_the_first_cause_of_an_ambiguous_row(
    tmp_path: Path, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    """The rerun finds the same unknown outcome (the journal shows the request was being sent);
    the row keeps the message of what was lost the first time."""
    rows = write_csv(tmp_path / "rows.csv", "key,tags", "a,pop")
    store = tmp_path / "batch.db"
    suno_control.emulator.inject_http("POST", GENERATE, 502, after_work=True)
    await run_batch(rows, store=store, mountsea=mountsea_client)
    with JobStore.open(store, readonly=True) as opened:
        first = opened.get("a")
    assert first is not None
    assert first.status == "ambiguous"
    assert first.error
    assert "502" in first.error
    await run_batch(rows, store=store, mountsea=mountsea_client)
    with JobStore.open(store, readonly=True) as opened:
        again = opened.get("a")
    assert again is not None
    assert again.status == "ambiguous"
    assert again.error == first.error


async def test_an_accepted_call_is_stored_with_the_journal_step_that_proves_it(
    tmp_path: Path, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    """No write of the store counts a paid call as spent while the journal it leaves behind
    still shows the call being sent (a kill between two writes would orphan paid work)."""
    writes: list[tuple[bytes | None, int]] = []
    original = JobStore.update

    def watching(self: JobStore, key: str, **columns: Any) -> None:
        original(self, key, **columns)
        record = self.get(key)
        if record is not None:
            writes.append((record.journal, record.credits.spent))

    rows = write_csv(tmp_path / "rows.csv", "key,tags", "a,pop")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(JobStore, "update", watching)
        summary = await run_batch(rows, store=tmp_path / "batch.db", mountsea=mountsea_client)
    assert summary.done == 1
    assert any(spent == 40 for _, spent in writes)
    for journal, spent in writes:
        if spent and journal is not None:
            assert json.loads(journal)["submit"] != "sending"


async def test_a_base_url_that_is_not_the_api_stops_the_batch(tmp_path: Path) -> None:
    """A web page where the API should be fails every row the same way: the batch stops after
    the first instead of trying them all."""
    from aiohttp import web

    async def page(_: web.Request) -> web.Response:
        return web.Response(text="<html><body>Welcome</body></html>", content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        rows = write_csv(tmp_path / "rows.csv", "key,tags", *(f"r{i},pop" for i in range(20)))
        async with MountseaClient(
            api_key="k", base_url=f"http://127.0.0.1:{port}", retry=FAST_RETRY
        ) as client:
            summary = await run_batch(rows, store=tmp_path / "b.db", mountsea=client, concurrency=2)
    finally:
        await runner.cleanup()
    assert summary.stopped is not None
    assert "WrongBaseURLError" in summary.stopped
    assert summary.invalid == 0
    tried = summary.totals.total - summary.totals.counts["pending"]
    assert tried <= 2, summary.totals.counts  # at most the rows running when it stopped


async def test_wrong_generate_fields_of_a_training_row_are_refused_before_paying(
    tmp_path: Path, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    """A train_generate row whose generate fields are wrong is invalid before anything is
    sent, and stays so on a rerun (no training paid once, let alone twice)."""
    urls = suno_control.sample_audio_urls(6)
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        json.dumps(
            {
                "kind": "train_generate",
                "key": "t1",
                "name": "Mine",
                "audio_urls": urls,
                "generate": {"task": "extend"},
            }
        )
        + "\n"
    )
    store = tmp_path / "batch.db"
    for _ in range(2):
        summary = await run_batch(rows, store=store, mountsea=mountsea_client)
        assert summary.invalid == 1
    assert suno_control.emulator.count("POST", CREATE) == 0
    assert paid_requests(suno_control.emulator) == 0
    assert uploads_charged(suno_control.emulator) == 0


async def test_a_failure_of_the_rows_iterator_is_raised_as_itself(
    tmp_path: Path, mountsea_client: MountseaClient
) -> None:
    """Not an ExceptionGroup: the caller catches what the rows raised."""

    async def rows() -> AsyncIterator[GenerateJob]:
        yield GenerateJob(key="a", fields={"tags": "pop"})
        raise LookupError("the source of rows broke")

    with pytest.raises(LookupError, match="the source of rows broke"):
        await run_batch(rows(), store=tmp_path / "b.db", mountsea=mountsea_client)


async def test_a_rerun_records_where_each_row_now_is_and_still_refuses_duplicates(
    tmp_path: Path, mountsea_client: MountseaClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows read again are stamped in groups; the store learns their new lines, and a key given
    twice in the rerun's file is still refused for its second line."""
    from suno_async._core import _batch

    monkeypatch.setattr(_batch, "_STAMPS_PER_WRITE", 4)
    keys = [f"r{i}" for i in range(10)]  # several groups of stamps
    first = write_csv(tmp_path / "a.csv", "key,tags", *(f"{k},pop" for k in keys))
    store = tmp_path / "b.db"
    await run_batch(first, store=store, mountsea=mountsea_client, concurrency=8)
    again = write_csv(
        tmp_path / "b.csv", "key,tags", *(f"{k},pop" for k in reversed(keys)), "r5,pop"
    )
    summary = await run_batch(again, store=store, mountsea=mountsea_client)
    assert summary.skipped == 10
    assert [(e.line, "r5" in e.message) for e in summary.row_errors] == [(12, True)]
    with JobStore.open(store, readonly=True) as opened:
        lines = {record.key: record.line for record in opened.records() if record.key in keys}
    assert lines["r0"] == 11
    assert lines["r9"] == 2


@pytest.mark.parametrize("task", ["create", "sound"])  # priced, and of unknown price
async def test_the_journal_is_on_disk_before_a_paid_request_leaves(
    tmp_path: Path, mountsea_client: MountseaClient, task: str
) -> None:
    """Changes are committed in groups, but never after a paid request was sent: another
    reader of the store sees the journal's "sending" when the POST goes out."""
    from suno_async._core._transport import Transport

    store = tmp_path / "batch.db"
    seen: list[object] = []
    original = Transport.request

    def spying(self: Transport, method: str, path: str, *args: Any, **kwargs: Any) -> Any:
        if method == "POST" and path.endswith("/generate"):
            with JobStore.open(store, readonly=True) as reader:
                record = reader.get("a")
                seen.append(
                    None
                    if record is None or record.journal is None
                    else json.loads(record.journal)["submit"]
                )
        return original(self, method, path, *args, **kwargs)

    fields: dict[str, Any] = {"task": task, "tags": "pop", "title": "T"}
    if task == "sound":
        fields = {"task": "sound", "sound": {"description": "rain on a roof"}}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Transport, "request", spying)
        summary = await run_batch(
            [GenerateJob(key="a", fields=fields)], store=store, mountsea=mountsea_client
        )
    assert summary.done == 1, summary
    assert seen == ["sending"]


async def test_a_wait_that_times_out_fails_its_row_and_the_batch_goes_on(
    tmp_path: Path, mountsea_client: MountseaClient
) -> None:
    """A timeout is a TimeoutError (an OSError) but not a disk error: the row fails (a rerun
    waits again), the other rows run."""
    rows = write_csv(tmp_path / "rows.csv", "key,tags", "a,pop", "b,rock", "c,jazz")
    summary = await run_batch(
        rows, store=tmp_path / "b.db", mountsea=mountsea_client, concurrency=1, timeout=1
    )
    assert summary.stopped is None
    assert summary.failed == 3
