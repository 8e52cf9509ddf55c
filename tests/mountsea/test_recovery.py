"""Never lose work, never pay twice: budgets, journals, resumed runs, re-send opt-in."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import replace
from pathlib import Path

import anyio
import msgspec
import pytest

from suno_async import (
    AmbiguousSubmitError,
    ConfigError,
    CreditBudgetError,
    Event,
    GenerateRequest,
    GenerateTask,
    GenerationSubmitted,
    InternalServerError,
    MountseaClient,
    RetryPolicy,
    SunoapiClient,
    TrainingSubmitted,
    UploadFinished,
)
from suno_async.emulator import Emulator

from ..conftest import FAST_RETRY

pytestmark = pytest.mark.anyio

UPLOAD = "/suno/v2/customModel/upload"
CREATE = "/suno/v2/customModel/create"
GENERATE = "/suno/v2/generate"


def client_for(emulator: Emulator, **kwargs: object) -> MountseaClient:
    return MountseaClient(
        api_key="test-key",
        base_url=emulator.base_url,
        clock=emulator.clock,
        retry=FAST_RETRY,
        **kwargs,  # type: ignore[arg-type]
    )


async def test_budget_refuses_a_call_before_sending(emulator: Emulator) -> None:
    """With max_credits=139 a create (100) passes and the following generate (40) is refused
    before any request."""
    async with client_for(emulator, max_credits=139) as client:
        training = await client.train_custom_model(emulator.sample_audio_urls(6), name="m")
        assert client.credits_spent == 100
        with pytest.raises(CreditBudgetError) as info:
            await client.generate(task="create", model=training.model_id)
    assert (info.value.cost, info.value.spent, info.value.limit) == (40, 100, 139)
    assert emulator.count("POST", GENERATE) == 0


async def test_budget_on_the_second_provider(emulator: Emulator) -> None:
    """sunoapi.com calls count 10 credits each against max_credits."""
    async with SunoapiClient(
        api_key="k", base_url=emulator.base_url, clock=emulator.clock, max_credits=15
    ) as api:
        await api.create_pure_music("jazz")
        with pytest.raises(CreditBudgetError):
            await api.v30.create_pure_music("jazz")
        assert api.credits_spent == 10


async def test_budget_counts_a_lost_create_once(emulator: Emulator) -> None:
    """A create whose answer was lost, found by its session's status, is counted once."""
    emulator.drop_next("POST", CREATE, after_work=True)
    async with client_for(emulator, max_credits=100) as client:
        await client.train_custom_model(emulator.sample_audio_urls(6), name="m")
        assert client.credits_spent == 100
    assert emulator.credits_spent == 100 + 6 * emulator.config.upload_cost


async def test_budget_is_refunded_for_a_create_that_never_arrived(emulator: Emulator) -> None:
    """A create dropped before the server acted is re-sent within the same 100-credit budget."""
    emulator.drop_next("POST", CREATE, after_work=False)
    async with client_for(emulator, max_credits=100) as client:
        await client.train_custom_model(emulator.sample_audio_urls(6), name="m")
        assert client.credits_spent == 100
    assert emulator.count("POST", CREATE) == 2


async def test_generate_resend_is_opt_in(emulator: Emulator) -> None:
    """resend_if_ambiguous=True sends a generate again after its answer was lost."""
    emulator.drop_next("POST", GENERATE, after_work=True)
    async with client_for(emulator) as client:
        assert await client.generate(task="create", model="chirp-v50", resend_if_ambiguous=True)
    assert emulator.count("POST", GENERATE) == 2
    assert emulator.credits_spent == 80  # the price of opting in: two generations


async def test_ambiguous_generate_carries_what_was_sent(emulator: Emulator) -> None:
    """The AmbiguousSubmitError of a lost generate holds the body, to look the work up."""
    emulator.drop_next("POST", GENERATE, after_work=True)
    async with client_for(emulator) as client:
        with pytest.raises(AmbiguousSubmitError) as info:
            await client.generate(task="create", model="chirp-v50", title="Lost Song")
    assert info.value.body_sent is not None
    assert json.loads(info.value.body_sent)["title"] == "Lost Song"


async def test_retry_time_budget(emulator: Emulator) -> None:
    """max_elapsed bounds the time one call spends retrying, whatever max_retries says."""
    emulator.inject_http("GET", "/suno/v2/status", 503, times=10_000)
    policy = RetryPolicy(max_retries=10_000, initial_delay=0.02, max_delay=0.02, max_elapsed=0.3)
    async with MountseaClient(api_key="k", base_url=emulator.base_url, retry=policy) as client:
        started = time.monotonic()
        with pytest.raises(InternalServerError):
            await client.get_status("t")
        assert time.monotonic() - started < 1.5
        assert client.stats.requests < 100


async def test_training_journal_returns_a_finished_run(emulator: Emulator, tmp_path: Path) -> None:
    """A finished run's journal gives its result again without a single request, and holds no
    key."""
    journal = tmp_path / "train.json"
    urls = emulator.sample_audio_urls(6)
    async with client_for(emulator) as client:
        first = await client.train_custom_model(urls, name="m", journal=journal)
        sent = len(emulator.requests)
        again = await client.train_custom_model(urls, name="m", journal=journal)
    assert again == first
    assert len(emulator.requests) == sent
    text = journal.read_text()
    assert "test-key" not in text
    assert json.loads(text)["model_id"] == first.model_id


async def test_journal_of_another_run_is_refused(emulator: Emulator, tmp_path: Path) -> None:
    """Resuming a journal with other URLs or another name fails before any request."""
    journal = tmp_path / "train.json"
    async with client_for(emulator) as client:
        await client.train_custom_model(emulator.sample_audio_urls(6), name="m", journal=journal)
        count = len(emulator.requests)
        with pytest.raises(ConfigError) as info:
            await client.train_custom_model(
                emulator.sample_audio_urls(7)[1:], name="m", journal=journal
            )
    assert info.value.argument == "journal"
    assert len(emulator.requests) == count


async def stop_at(client: MountseaClient, stop: type[Event], count: int, **kwargs: object) -> None:
    """Run train_custom_model and cancel it when the count-th event of type stop arrives."""
    seen = 0
    with anyio.CancelScope() as scope:

        def on_event(event: Event) -> None:
            nonlocal seen
            if isinstance(event, stop):
                seen += 1
                if seen == count:
                    scope.cancel()

        await client.train_custom_model(on_event=on_event, **kwargs)  # type: ignore[arg-type]
    assert scope.cancelled_caught


async def test_resume_after_some_uploads(emulator: Emulator, tmp_path: Path) -> None:
    """Stopped after three clips, the run resumes: no finished upload is sent again, the
    unfinished ones are waited for, and create is sent once."""
    journal = tmp_path / "train.json"
    urls = emulator.sample_audio_urls(6)
    async with client_for(emulator) as client:
        await stop_at(client, UploadFinished, 3, audio_urls=urls, name="m", journal=journal)
        assert emulator.count("POST", UPLOAD) == 6
        result = await client.train_custom_model(urls, name="m", journal=journal)
    assert len(result.clip_ids) == 6
    assert emulator.count("POST", "/suno/v2/customModel/prepare") == 1
    assert emulator.count("POST", UPLOAD) == 6  # in-flight uploads were waited for, not re-sent
    assert emulator.count("POST", CREATE) == 1


async def test_resume_after_create(emulator: Emulator, tmp_path: Path) -> None:
    """Stopped once training was submitted, the run resumes by waiting: create is never sent
    twice and 100 credits are charged once."""
    journal = tmp_path / "train.json"
    urls = emulator.sample_audio_urls(6)
    async with client_for(emulator) as client:
        await stop_at(client, TrainingSubmitted, 1, audio_urls=urls, name="m", journal=journal)
        result = await client.train_custom_model(urls, name="m", journal=journal)
    assert result.model_id.startswith("chirp-custom:")
    assert emulator.count("POST", CREATE) == 1
    assert emulator.count("POST", UPLOAD) == 6
    assert emulator.credits_spent == 100 + 6 * emulator.config.upload_cost


async def test_resume_with_create_left_sending(emulator: Emulator, tmp_path: Path) -> None:
    """A journal that says create was being sent (the answer never recorded) is reconciled by
    the session's status, not by sending create again."""
    journal = tmp_path / "train.json"
    urls = emulator.sample_audio_urls(6)
    async with client_for(emulator) as client:
        await stop_at(client, TrainingSubmitted, 1, audio_urls=urls, name="m", journal=journal)
        state = json.loads(journal.read_text())
        state["create"], state["task_id"] = "sending", None  # as if killed before the answer
        journal.write_text(json.dumps(state))
        result = await client.train_custom_model(urls, name="m", journal=journal)
    assert result.model_id.startswith("chirp-custom:")
    assert emulator.count("POST", CREATE) == 1


async def test_generate_and_download_resumes(emulator: Emulator, tmp_path: Path) -> None:
    """Stopped after the generation was submitted, a rerun waits for it and downloads; a third
    run keeps the files and sends nothing."""
    journal = tmp_path / "gen.json"
    out = tmp_path / "out"
    request = GenerateRequest(task=GenerateTask.CREATE, model="chirp-v50", tags="Pop")
    async with client_for(emulator) as client:
        with anyio.CancelScope() as scope:

            def on_event(event: Event) -> None:
                if isinstance(event, GenerationSubmitted):
                    scope.cancel()

            await client.generate_and_download(
                request, directory=out, journal=journal, on_event=on_event
            )
        assert scope.cancelled_caught
        result = await client.generate_and_download(request, directory=out, journal=journal)
        sent = len(emulator.requests)
        again = await client.generate_and_download(request, directory=out, journal=journal)
    assert emulator.count("POST", GENERATE) == 1
    assert len(result.files) == 2
    assert all(Path(f).exists() for f in result.files)
    assert again.files == result.files
    assert len(emulator.requests) == sent


async def test_generation_left_sending_is_ambiguous(emulator: Emulator, tmp_path: Path) -> None:
    """A journal that says the generate was being sent raises AmbiguousSubmitError, unless
    re-sending is allowed."""
    journal = tmp_path / "gen.json"
    request = GenerateRequest(task=GenerateTask.CREATE, model="chirp-v50")
    journal.write_text(
        json.dumps(
            {
                "version": 1,
                "kind": "generate",
                "request": msgspec.to_builtins(request),
                "submit": "sending",
            }
        )
    )
    async with client_for(emulator) as client:
        with pytest.raises(AmbiguousSubmitError, match="resend_if_ambiguous"):
            await client.generate_and_download(request, directory=tmp_path, journal=journal)
        assert emulator.count("POST", GENERATE) == 0
        result = await client.generate_and_download(
            request, directory=tmp_path, journal=journal, resend_if_ambiguous=True
        )
    assert len(result.clips) == 2
    assert emulator.count("POST", GENERATE) == 1


async def test_key_never_leaks_through_a_whole_run(
    emulator: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """DEBUG logs, journals, errors and reprs of a faulty run never contain the key."""
    secret = "sk-live-0123456789abcdef"
    caplog.set_level(logging.DEBUG)
    emulator.inject_http("GET", "/suno/v2/status", 503, times=3)
    emulator.drop_next("POST", CREATE, after_work=True)
    emulator.fail_next_tasks("generate")
    texts: list[str] = []
    async with MountseaClient(
        api_key=secret, base_url=emulator.base_url, clock=emulator.clock, retry=FAST_RETRY
    ) as client:
        texts.append(repr(client))
        training = await client.train_custom_model(
            emulator.sample_audio_urls(6), name="m", journal=tmp_path / "t.json"
        )
        try:
            await client.generate_and_download(
                task="create",
                model=training.model_id,
                directory=tmp_path,
                journal=tmp_path / "g.json",
            )
        except Exception as exc:
            texts += [str(exc), repr(exc), *getattr(exc, "__notes__", [])]
    texts += [caplog.text, (tmp_path / "t.json").read_text(), (tmp_path / "g.json").read_text()]
    assert len(texts) >= 6
    assert all(secret not in text for text in texts)


async def test_generate_resend_keeps_trying_when_opted_in(emulator: Emulator) -> None:
    """Opted in, a generate whose answers keep getting lost is re-sent up to max_retries
    times (1 + 4 sends with the suite's policy), then AmbiguousSubmitError."""
    resends = FAST_RETRY.max_retries
    emulator.drop_next("POST", GENERATE, after_work=True, times=resends)
    async with client_for(emulator) as client:
        assert await client.generate(task="create", model="chirp-v50", resend_if_ambiguous=True)
        assert emulator.count("POST", GENERATE) == resends + 1
        emulator.drop_next("POST", GENERATE, after_work=True, times=resends + 1)
        with pytest.raises(AmbiguousSubmitError):
            await client.generate(task="create", model="chirp-v50", resend_if_ambiguous=True)
    assert emulator.count("POST", GENERATE) == 2 * (resends + 1)


async def test_budget_reservations_hold_under_concurrency(emulator: Emulator) -> None:
    """Four concurrent generates against a budget of 100: exactly two are sent."""
    results: list[object] = []

    async def one(client: MountseaClient) -> None:
        try:
            results.append(await client.generate(task="create", model="chirp-v50"))
        except CreditBudgetError as exc:
            results.append(exc)

    async with client_for(emulator, max_credits=100) as client:
        async with anyio.create_task_group() as tg:
            for _ in range(4):
                tg.start_soon(one, client)
        assert client.credits_spent == 80
    assert sum(isinstance(r, CreditBudgetError) for r in results) == 2
    assert emulator.count("POST", GENERATE) == 2


async def watch_journal(path: Path, key: str, value: str, scope: anyio.CancelScope) -> None:
    """Cancel ``scope`` once the journal at ``path`` shows ``key == value`` (real time)."""
    with anyio.fail_after(10):
        while True:
            if path.exists() and json.loads(path.read_text()).get(key) == value:
                scope.cancel()
                return
            await anyio.sleep(0.005)


async def test_create_cancelled_in_flight_is_reconciled_not_resent(
    emulator: Emulator, tmp_path: Path
) -> None:
    """Killed while create is in flight, the journal says "sending"; the rerun finds the
    training by the session's status instead of sending create again."""
    journal = tmp_path / "train.json"
    urls = emulator.sample_audio_urls(6)
    emulator.slow_next("POST", CREATE, 0.5)
    async with client_for(emulator) as client:
        async with anyio.create_task_group() as tg:
            with anyio.CancelScope() as scope:
                tg.start_soon(watch_journal, journal, "create", "sending", scope)
                await client.train_custom_model(urls, name="m", journal=journal)
        assert scope.cancelled_caught
        # Cancelled in flight: it may have landed, so it is uncertain, not spent.
        assert (client.credits_spent, client.credits_uncertain) == (0, 100)
        await anyio.sleep(0.6)  # the slowed answer goes out (to nobody)
        result = await client.train_custom_model(urls, name="m", journal=journal)
        # The lookup proved it landed: settled as spent.
        assert (client.credits_spent, client.credits_uncertain) == (100, 0)
    assert result.model_id.startswith("chirp-custom:")
    assert emulator.count("POST", CREATE) == 1


async def test_generate_cancelled_in_flight_is_not_resent(
    emulator: Emulator, tmp_path: Path
) -> None:
    """Killed while generate is in flight, the rerun says so (AmbiguousSubmitError) instead of
    paying again."""
    journal = tmp_path / "gen.json"
    request = GenerateRequest(task=GenerateTask.CREATE, model="chirp-v50")
    emulator.slow_next("POST", GENERATE, 0.5)
    async with client_for(emulator) as client:
        async with anyio.create_task_group() as tg:
            with anyio.CancelScope() as scope:
                tg.start_soon(watch_journal, journal, "submit", "sending", scope)
                await client.generate_and_download(request, directory=tmp_path, journal=journal)
        assert scope.cancelled_caught
        await anyio.sleep(0.6)
        with pytest.raises(AmbiguousSubmitError):
            await client.generate_and_download(request, directory=tmp_path, journal=journal)
    assert emulator.count("POST", GENERATE) <= 1


async def test_a_refused_generate_leaves_the_journal_resumable(
    emulator: Emulator, tmp_path: Path
) -> None:
    """A generate refused before sending (over budget) records nothing as sent; a rerun with
    room in the budget goes ahead."""
    journal = tmp_path / "gen.json"
    request = GenerateRequest(task=GenerateTask.CREATE, model="chirp-v50")
    async with client_for(emulator, max_credits=10) as client:
        with pytest.raises(CreditBudgetError):
            await client.generate_and_download(request, directory=tmp_path, journal=journal)
    assert json.loads(journal.read_text())["submit"] == "none"
    async with client_for(emulator) as client:
        result = await client.generate_and_download(request, directory=tmp_path, journal=journal)
    assert len(result.clips) == 2


async def test_a_paid_answer_of_the_wrong_shape_is_ambiguous() -> None:
    """A 201 to generate whose body is not the documented {taskId} may hide a started task:
    AmbiguousSubmitError, and the budget counts it as uncertain."""
    from aiohttp import web

    from ..helpers import tiny_server

    async def api(request: web.Request) -> web.StreamResponse:
        return web.json_response({"id": "something else"}, status=201)

    async with tiny_server(api) as base, MountseaClient(api_key="k", base_url=base) as client:
        with pytest.raises(AmbiguousSubmitError):
            await client.generate(task="create", model="chirp-v50")
        assert (client.credits_spent, client.credits_uncertain) == (0, 40)


async def test_credit_events_belong_to_their_own_workflow(emulator: Emulator) -> None:
    """Concurrent generations each report their own 40 credits, once."""
    from suno_async import CreditsSpent

    logs: list[list[Event]] = [[] for _ in range(4)]

    async def one(client: MountseaClient, log: list[Event]) -> None:
        await client.generate_and_wait(task="create", model="chirp-v50", on_event=log.append)

    async with client_for(emulator) as client, anyio.create_task_group() as tg:
        for log in logs:
            tg.start_soon(one, client, log)
    for log in logs:
        assert [e.credits for e in log if isinstance(e, CreditsSpent)] == [40]


async def test_a_failing_event_handler_does_not_abort_paid_work(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    """An on_event callback that raises is logged; the generation still finishes."""

    def broken(event: Event) -> None:
        raise RuntimeError("display crashed")

    async with client_for(emulator) as client:
        clips = await client.generate_and_wait(task="create", model="chirp-v50", on_event=broken)
    assert len(clips) == 2
    assert "on_event handler failed" in caplog.text


async def test_an_error_in_the_stream_body_comes_out_as_itself(client: MountseaClient) -> None:
    """An exception raised while reading a stream is raised as is, not in a group."""
    from suno_async import stream_events

    async def consume() -> None:
        async with stream_events(
            lambda on_event: client.generate_and_wait(
                task="create", model="chirp-v50", on_event=on_event
            )
        ) as events:
            async for _ in events:
                raise ValueError("consumer broke")

    with pytest.raises(ValueError, match="consumer broke"):
        await consume()


def test_retry_waits_have_proportional_jitter() -> None:
    """Each wait is the exponential delay times a factor in [1 - jitter, 1 + jitter]; a
    Retry-After (capped) is a floor."""
    import itertools
    import random

    from suno_async._core._exceptions import RateLimitError
    from suno_async._core._retry import retry_wait

    policy = RetryPolicy(initial_delay=1.0, factor=2.0, max_delay=100.0, jitter=0.2)
    rng = random.Random(3)
    for attempt in range(5):
        base = 2.0**attempt
        waits = [next(itertools.islice(policy.delays(rng), attempt, None)) for _ in range(200)]
        assert all(base * 0.8 <= w <= base * 1.2 for w in waits)
        assert max(waits) - min(waits) > base * 0.3  # really jittered, not fixed
    limited = RateLimitError("429", status_code=429, retry_after=30.0)
    assert retry_wait(policy, policy.delays(rng), limited) == 30.0
    capped = replace(policy, retry_after_cap=5.0)
    assert retry_wait(capped, capped.delays(rng), limited) == 5.0
