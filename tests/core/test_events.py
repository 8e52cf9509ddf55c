"""One typed event stream per workflow: as a callback and as an async iterator."""

from __future__ import annotations

import msgspec
import pytest

from suno_async import (
    CreditsSpent,
    Event,
    GenerationStreaming,
    MountseaClient,
    PollSchedule,
    SessionPrepared,
    SunoapiClient,
    TaskFailedError,
    TaskKind,
    TrainingFinished,
    TrainingResult,
    TrainingSubmitted,
    UploadFinished,
    stream_events,
)
from suno_async.emulator import Emulator

pytestmark = pytest.mark.anyio


async def test_training_events_as_an_async_iterator(
    client: MountseaClient, emulator: Emulator
) -> None:
    """The events arrive in order through `async for`; the result follows."""
    urls = emulator.sample_audio_urls(6)
    async with stream_events(
        lambda on_event: client.train_custom_model(urls, name="m", on_event=on_event)
    ) as events:
        seen = [event async for event in events]
    result = events.result
    assert isinstance(result, TrainingResult)
    kinds = [type(e) for e in seen]
    assert kinds[0] is SessionPrepared
    assert kinds.count(UploadFinished) == 6
    assert kinds[-1] is TrainingFinished
    spent = [e for e in seen if isinstance(e, CreditsSpent)]
    assert [(e.what, e.credits, e.total) for e in spent] == [("customModel/create", 100, 100)]
    assert kinds.index(CreditsSpent) == kinds.index(TrainingSubmitted) - 1  # charged, submitted


async def test_a_failing_workflow_raises_from_the_loop(
    client: MountseaClient, emulator: Emulator
) -> None:
    """The workflow's own typed error ends the loop, after the events before it."""
    emulator.fail_next_tasks("training", reason="Diverged.", code=7)
    seen: list[Event] = []
    async with stream_events(
        lambda on_event: client.train_custom_model(
            emulator.sample_audio_urls(6), name="m", on_event=on_event
        )
    ) as events:

        async def read_all() -> None:
            async for event in events:
                seen.append(event)

        with pytest.raises(TaskFailedError, match="Diverged"):
            await read_all()
    assert any(isinstance(e, TrainingSubmitted) for e in seen)
    with pytest.raises(TaskFailedError):
        _ = events.result


async def test_leaving_early_cancels_the_workflow(
    client: MountseaClient, emulator: Emulator
) -> None:
    """Breaking out of the stream ends the workflow: nothing more is sent."""
    async with stream_events(
        lambda on_event: client.train_custom_model(
            emulator.sample_audio_urls(6), name="m", on_event=on_event
        )
    ) as events:
        async for event in events:
            if isinstance(event, SessionPrepared):
                break
    assert emulator.count("POST", "/suno/v2/customModel/create") == 0
    with pytest.raises(RuntimeError, match="not finished"):
        _ = events.result


async def test_wait_returns_the_result(client: MountseaClient) -> None:
    """wait() skips the events and returns what the workflow returned."""
    async with stream_events(
        lambda on_event: client.generate_and_wait(
            task="create", model="chirp-v50", on_event=on_event
        )
    ) as events:
        clips = await events.wait()
    assert len(clips) == 2


async def test_generation_streaming_and_credit_events(emulator: Emulator) -> None:
    """A generation reports its stream URLs once (when a poll sees it streaming), and the 40
    credits it cost."""
    seen: list[Event] = []
    dense = PollSchedule(first_delay=3, interval=3, factor=1.5, max_interval=10, timeout=600)
    async with MountseaClient(
        api_key="k",
        base_url=emulator.base_url,
        clock=emulator.clock,
        poll_schedules={TaskKind.GENERATE: dense},
    ) as client:
        await client.generate_and_wait(task="create", model="chirp-v50", on_event=seen.append)
    streaming = [e for e in seen if isinstance(e, GenerationStreaming)]
    assert len(streaming) == 1
    assert all("/cdn/stream/" in url for url in streaming[0].audio_urls)
    assert [e.credits for e in seen if isinstance(e, CreditsSpent)] == [40]


async def test_credit_events_on_the_second_provider(emulator: Emulator) -> None:
    """sunoapi.com's pure_music reports the 10 credits of its call."""
    seen: list[Event] = []
    async with SunoapiClient(api_key="k", base_url=emulator.base_url, clock=emulator.clock) as api:
        await api.pure_music("jazz", on_event=seen.append)
    assert [(e.what, e.credits) for e in seen if isinstance(e, CreditsSpent)] == [
        ("custom/create-pure-music", 10)
    ]


async def test_events_encode_to_tagged_json(client: MountseaClient, emulator: Emulator) -> None:
    """Every event encodes to JSON with its type name, for logs and --json output."""
    seen: list[Event] = []
    await client.train_custom_model(emulator.sample_audio_urls(6), name="m", on_event=seen.append)
    for event in seen:
        data = msgspec.json.decode(msgspec.json.encode(event))
        assert data["type"] == type(event).__name__
