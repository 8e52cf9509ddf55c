"""Never lose work, never pay twice: budgets, journals, resumed runs, re-send opt-in."""

from __future__ import annotations

import json
import logging
import time
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
    RetryPolicy,
    SunoApiClient,
    SunoClient,
    TrainingSubmitted,
    UploadFinished,
)
from suno_async.emulator import Emulator

from .conftest import FAST_RETRY

pytestmark = pytest.mark.anyio

UPLOAD = "/suno/v2/customModel/upload"
CREATE = "/suno/v2/customModel/create"
GENERATE = "/suno/v2/generate"


def client_for(emulator: Emulator, **kwargs: object) -> SunoClient:
    return SunoClient(
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
    async with SunoApiClient(
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
    async with SunoClient(api_key="k", base_url=emulator.base_url, retry=policy) as client:
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


async def stop_at(client: SunoClient, stop: type[Event], count: int, **kwargs: object) -> None:
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
    async with SunoClient(
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
