"""The sunoapi.com client against the emulator: v3.5, v3.0, clip following, batching, errors."""

from __future__ import annotations

import math
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import msgspec
import pytest
from aiohttp import web

from suno_async import (
    AuthenticationError,
    BadRequestError,
    Clip,
    ClipFailedError,
    ConfigError,
    GenerateBatch,
    InsufficientCreditsError,
    MountseaClient,
    NotFoundError,
    PollSchedule,
    SunoapiClient,
    TaskFailedError,
    TaskKind,
    TaskStatusChanged,
)
from suno_async.emulator import Emulator, EmulatorConfig

from ..conftest import FAST_RETRY
from ..helpers import tiny_server

pytestmark = pytest.mark.anyio

SAMPLE = Path(__file__).parent / "data" / "sunoapi_v35_create_pure_music_response.json"
FAST_SCHEDULES = {
    kind: PollSchedule(first_delay=0.001, interval=0.001, factor=1, max_interval=0.001, timeout=5)
    for kind in TaskKind
}
CLIPS = "/api/v2/suno/v3.5/clips"


@pytest.fixture
async def api(emulator: Emulator) -> AsyncIterator[SunoapiClient]:
    async with SunoapiClient(
        api_key="test-key", base_url=emulator.base_url, clock=emulator.clock, retry=FAST_RETRY
    ) as client:
        yield client


def test_the_documented_sample_decodes_exactly() -> None:
    """The seed's verbatim v3.5 answer decodes, and every field survives a round trip typed."""
    raw = SAMPLE.read_bytes()
    batch = msgspec.json.decode(raw, type=GenerateBatch)
    assert msgspec.to_builtins(batch) == msgspec.json.decode(raw)
    assert batch.id == "3d5f0ee4-1d7b-410a-bafd-60a3978284d1"
    assert batch.batch_size == 1
    assert batch.clip_ids == [
        "7070ec00-462e-42ac-9b9f-1074977f473f",
        "00e6b9e4-c29c-4cfe-8d7a-5b3f06ff5b90",
    ]
    first = batch.clips[0]
    assert first.status == "submitted"
    assert first.metadata is not None
    assert first.metadata.history is not None
    assert first.metadata.history[0].continue_at == 48.762
    assert first.metadata.has_vocal is True
    assert first.avatar_image_url == "https://cdn1.suno.ai/defaultOrange.jpg"


async def test_pure_music_follows_clips_to_complete(
    api: SunoapiClient, emulator: Emulator, tmp_path: Path
) -> None:
    """create-pure-music answers two submitted clips; waiting gives complete, playable audio."""
    batch = await api.create_pure_music("epic reggae", "Electric Dreams")
    assert [c.status for c in batch.clips] == ["submitted", "submitted"]
    assert all(not c.audio_url for c in batch.clips)
    events: list[object] = []
    clips = await api.wait_for_clips(batch.clip_ids, on_event=events.append)
    assert [c.id for c in clips] == batch.clip_ids
    assert all(c.is_complete and c.audio_url for c in clips)
    statuses = {e.status for e in events if isinstance(e, TaskStatusChanged)}
    assert "complete" in statuses  # (streaming is seen only if a poll lands on it)
    assert statuses <= {"submitted", "queued", "streaming", "complete"}
    # The default schedule never waits more than half the time elapsed + 1 s: rounds at about
    # 2, 4, 7, 11, 18, 28 and 42 s for clips complete at 40 s.
    assert emulator.count("GET", CLIPS) <= 7
    paths = await api.download_clips(clips, tmp_path)
    with wave.open(str(paths[0])) as audio:
        assert audio.getnframes() > 0
    assert emulator.sunoapi_credits_spent == 10


async def test_streaming_early_return(api: SunoapiClient, emulator: Emulator) -> None:
    """until="streaming" returns as soon as the clips can be played, before they complete."""
    batch = await api.create_lyrics_song("[Verse]\nHello night", "synthwave", "Night")
    clips = await api.wait_for_clips(batch.clip_ids, until="streaming")
    assert all(c.status == "streaming" for c in clips)
    assert all(c.audio_url and "/cdn/stream/" in c.audio_url for c in clips)
    done = await api.wait_for_clips(batch.clip_ids)
    assert all(c.is_complete for c in done)


async def test_extend_continues_a_clip(api: SunoapiClient) -> None:
    """extend takes a finished clip and a position and makes two new clips."""
    (first, _) = await api.pure_music("lofi", "Rain")
    batch = await api.extend(first.id, 2.5, prompt="[Verse]\nMore rain", tags="lofi")
    assert len(batch.clips) == 2
    assert set(batch.clip_ids).isdisjoint({first.id})
    assert all(c.is_complete for c in await api.wait_for_clips(batch.clip_ids))


async def test_clip_error_is_typed(api: SunoapiClient, emulator: Emulator) -> None:
    """A clip ending in error raises ClipFailedError with its error_type and error_message."""
    emulator.fail_next_tasks("music", reason="The lyrics were flagged.", code="moderation")
    batch = await api.create_lyrics_song("[Verse]\nbad words", "punk")
    with pytest.raises(ClipFailedError) as info:
        await api.wait_for_clips(batch.clip_ids)
    assert info.value.error_type == "moderation"
    assert info.value.error_message == "The lyrics were flagged."
    assert info.value.clip_id in batch.clip_ids
    assert isinstance(info.value, TaskFailedError)


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(sunoapi_credits=2000)])
async def test_concurrent_waits_share_batched_lookups(
    api: SunoapiClient, emulator: Emulator
) -> None:
    """200 clips waited on at once are looked up together, at most 50 ids per request."""
    batches = [await api.create_pure_music(f"style {i}") for i in range(100)]
    ids = [clip_id for batch in batches for clip_id in batch.clip_ids]
    assert len(ids) == 200
    async with anyio.create_task_group() as tg:
        for batch in batches:
            tg.start_soon(api.wait_for_clips, batch.clip_ids)
    lookups = [r for r in emulator.requests if r.path == CLIPS]
    assert all(len(r.query.split(",")) <= 50 for r in lookups)
    # A 40 s generation polled from 3 s growing to 10 s takes about seven rounds; each round
    # costs ceil(200 / 50) = 4 requests, not one per clip.
    assert len(lookups) <= 10 * math.ceil(200 / 50)
    assert len(lookups) / len(ids) <= 0.2


async def test_unknown_clip_ids_fail_after_a_few_lookups(api: SunoapiClient) -> None:
    """A clip id the provider never returns ends the wait with TaskFailedError."""
    with pytest.raises(TaskFailedError, match="provider does not know it"):
        await api.wait_for_clips(["no-such-clip"])


async def test_v30_task_flow(api: SunoapiClient, emulator: Emulator) -> None:
    """v3.0 answers in the wrapper; its task is followed by id; input is a JSON string."""
    task_id = await api.v30.create_pure_music("epic reggae", "Electric Dreams")
    clips = await api.v30.wait_for_task(task_id)
    assert len(clips) == 2
    assert all(c.is_complete for c in clips)
    task = await api.v30.get_task(task_id)
    assert task.status == "completed"
    assert task.input_params is not None
    assert task.input_params.make_instrumental is True
    assert task.input_params.tags == "epic reggae"
    for call in (
        api.v30.create_lyrics_song("[Verse]\nLa la", "pop"),
        api.v30.random_pure_music("a calm piano piece"),
        api.v30.random_lyrics_song("a song about the sea"),
    ):
        assert await api.v30.wait_for_task(await call)


async def test_v30_unknown_task_is_not_found(api: SunoapiClient) -> None:
    """An unknown v3.0 task id raises NotFoundError with the provider's message."""
    with pytest.raises(NotFoundError, match="task not found"):
        await api.v30.get_task("nope")


async def test_v30_failed_task(api: SunoapiClient, emulator: Emulator) -> None:
    """A v3.0 task whose clips end in error raises ClipFailedError."""
    emulator.fail_next_tasks("music", reason="Internal generation error.", code="internal")
    task_id = await api.v30.create_pure_music("metal")
    with pytest.raises(TaskFailedError):
        await api.v30.wait_for_task(task_id)


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(api_key="right")])
async def test_wrong_key_is_an_authentication_error(emulator: Emulator) -> None:
    """A key the provider refuses: AuthenticationError with its message, key not shown."""
    async with SunoapiClient(api_key="wrong", base_url=emulator.base_url) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.create_pure_music("jazz")
    assert info.value.provider_message
    assert "wrong" not in str(info.value)


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(sunoapi_credits=5)])
async def test_no_credits_is_a_credits_error(api: SunoapiClient) -> None:
    """403 "remaining credits are not enough" raises InsufficientCreditsError."""
    with pytest.raises(InsufficientCreditsError, match="credits"):
        await api.create_pure_music("jazz")


async def test_provider_validation_message_is_kept(api: SunoapiClient, emulator: Emulator) -> None:
    """A 400 {code, message} from the provider becomes BadRequestError with that message."""
    emulator.inject_http(
        "POST",
        "/api/v2/suno/v3.5/custom/create-pure-music",
        400,
        body=b'{"code":400,"message":"The \'mv\' field is invalid."}',
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(BadRequestError) as info:
        await api.create_pure_music("jazz")
    assert info.value.provider_message == "The 'mv' field is invalid."


async def test_error_code_inside_a_200_envelope() -> None:
    """A v3.0 wrapper that says code 404 inside an HTTP 200 still raises NotFoundError."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        return web.json_response({"code": 404, "message": "task not found.", "data": None})

    async with tiny_server(wrapped) as base, SunoapiClient(api_key="k", base_url=base) as client:
        with pytest.raises(NotFoundError, match="task not found"):
            await client.v30.get_task("t")


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda c: c.create_pure_music(""), "tags"),
        (lambda c: c.create_pure_music("x" * 200), "tags"),
        (lambda c: c.create_pure_music("jazz", "t" * 80), "title"),
        (lambda c: c.create_lyrics_song("p" * 3000, "jazz"), "prompt"),
        (lambda c: c.create_lyrics_song("", "jazz"), "prompt"),
        (lambda c: c.extend("c", -1, prompt="p", tags="t"), "continue_at"),
        (lambda c: c.extend("c", float("nan"), prompt="p", tags="t"), "continue_at"),
        (lambda c: c.extend("c", float("inf"), prompt="p", tags="t"), "continue_at"),
        (lambda c: c.v30.random_pure_music("d" * 200), "description"),
        (lambda c: c.v30.random_lyrics_song(""), "description"),
        (lambda c: c.get_clips([]), "clip_ids"),
        (lambda c: c.get_clips([f"c{i}" for i in range(51)]), "clip_ids"),
        (lambda c: c.wait_for_clips("abc"), "clip_ids"),
        (lambda c: c.wait_for_clips(["a"], until="soon"), "until"),
    ],
)
async def test_limits_are_checked_before_sending(
    api: SunoapiClient, emulator: Emulator, call: object, argument: str
) -> None:
    """Empty or over-long texts and bad ids fail with ConfigError before any request."""
    with pytest.raises(ConfigError) as info:
        await call(api)  # type: ignore[operator]
    assert info.value.argument == argument
    assert emulator.requests == []


async def test_texts_just_under_the_limits_are_sent(api: SunoapiClient) -> None:
    """199 characters of tags and 79 of title are within the provider's limits."""
    batch = await api.create_pure_music("x" * 199, "t" * 79)
    assert len(batch.clips) == 2


@pytest.mark.parametrize("provider", ["custom-model", "sunoapi"])
async def test_instrumental_the_same_way_on_either_provider(
    emulator: Emulator, provider: str, tmp_path: Path
) -> None:
    """pure_music(tags, title) gives finished, downloadable clips on both providers."""
    client: MountseaClient | SunoapiClient
    if provider == "custom-model":
        client = MountseaClient(api_key="k", base_url=emulator.base_url, clock=emulator.clock)
    else:
        client = SunoapiClient(api_key="k", base_url=emulator.base_url, clock=emulator.clock)
    async with client:
        clips = await client.pure_music("ambient piano", "Night Drive")
        assert len(clips) == 2
        assert all(c.is_complete and c.audio_url for c in clips)
        paths = await client.download_clips(clips, tmp_path)
    assert all(p.exists() for p in paths)
    if provider == "custom-model":
        body = [r for r in emulator.requests if r.path == "/suno/v2/generate"]
        assert len(body) == 1
    else:
        assert emulator.count("POST", "/api/v2/suno/v3.5/custom/create-pure-music") == 1


async def test_key_and_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """SUNOAPI_API_KEY and SUNOAPI_BASE_URL configure the client; it defaults to sunoapi.com."""
    monkeypatch.delenv("SUNOAPI_BASE_URL", raising=False)
    monkeypatch.setenv("SUNOAPI_API_KEY", "env-key")
    assert SunoapiClient().base_url == "https://api.sunoapi.com"
    monkeypatch.setenv("SUNOAPI_BASE_URL", "https://mirror.example.org/")
    assert SunoapiClient().base_url == "https://mirror.example.org"
    monkeypatch.delenv("SUNOAPI_API_KEY")
    with pytest.raises(ConfigError, match="SUNOAPI_API_KEY"):
        SunoapiClient()


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(sunoapi_credits=2000)])
async def test_a_refused_lookup_fails_every_waiter_at_once(
    api: SunoapiClient, emulator: Emulator
) -> None:
    """A lookup refused with 401 ends every wait in that round with AuthenticationError, after
    one round of requests (not one round per waiter)."""
    batches = [await api.create_pure_music(f"s{i}") for i in range(30)]
    emulator.inject_http("GET", CLIPS, 401, times=10_000)
    errors: list[BaseException] = []

    async def wait(ids: list[str]) -> None:
        try:
            await api.wait_for_clips(ids)
        except AuthenticationError as exc:
            errors.append(exc)

    async with anyio.create_task_group() as tg:
        for batch in batches:
            tg.start_soon(wait, batch.clip_ids)
    assert len(errors) == 30
    assert emulator.count("GET", CLIPS) == math.ceil(60 / 50)


async def test_a_passing_lookup_failure_is_polled_through(
    api: SunoapiClient, emulator: Emulator
) -> None:
    """A round whose lookup fails after its retries is tolerated; every waiter still succeeds."""
    one, two = await api.create_pure_music("a"), await api.create_pure_music("b")
    emulator.inject_http("GET", CLIPS, 503, times=FAST_RETRY.max_retries + 1)
    results: list[list[Clip]] = []

    async def wait(ids: list[str]) -> None:
        results.append(await api.wait_for_clips(ids))

    async with anyio.create_task_group() as tg:
        tg.start_soon(wait, one.clip_ids)
        tg.start_soon(wait, two.clip_ids)
    assert len(results) == 2
    assert api._tracker.followed == 0  # nothing is kept once the waits are over


async def test_lookup_failures_in_a_row_end_the_waits(
    api: SunoapiClient, emulator: Emulator
) -> None:
    """Three failed rounds in a row raise the error (typed) in the waiting call."""
    from suno_async import InternalServerError

    batch = await api.create_pure_music("a")
    emulator.inject_http("GET", CLIPS, 500, times=10_000)
    with pytest.raises(InternalServerError):
        await api.wait_for_clips(batch.clip_ids)
    assert emulator.count("GET", CLIPS) == 3 * (FAST_RETRY.max_retries + 1)
    assert api._tracker.followed == 0


async def test_a_late_waiter_is_looked_up_on_its_own_schedule(emulator: Emulator) -> None:
    """A clip whose first look is due sooner than the current round wakes the driver."""
    from suno_async import PollSchedule, TaskKind

    slow = PollSchedule(first_delay=3, interval=60, factor=1, max_interval=60, timeout=1000)
    emulator.stall_next_tasks("music")
    async with SunoapiClient(
        api_key="k",
        base_url=emulator.base_url,
        clock=emulator.clock,
        retry=FAST_RETRY,
        poll_schedules={TaskKind.MUSIC: slow},
    ) as api:
        stalled = await api.create_pure_music("stalled")
        first_seen: list[float] = []

        def note(event: object) -> None:
            if not first_seen:
                first_seen.append(emulator.clock.now())

        looked = anyio.Event()
        async with anyio.create_task_group() as tg:
            tg.start_soon(
                lambda: api.wait_for_clips(
                    stalled.clip_ids, timeout=500, on_event=lambda _: looked.set()
                )
            )
            await looked.wait()  # the driver looked once (t=3) and naps until t=63
            joined = emulator.clock.now()
            late = await api.create_pure_music("late")
            await api.wait_for_clips(late.clip_ids, until="first_streaming", on_event=note)
            tg.cancel_scope.cancel()
    assert first_seen[0] - joined <= 3.5  # its own first_delay, not the driver's 60 s nap


async def test_first_streaming_returns_early(api: SunoapiClient, emulator: Emulator) -> None:
    """until="first_streaming" returns once one clip is playable, before completion."""
    batch = await api.create_pure_music("ambient")
    clips = await api.wait_for_clips(batch.clip_ids, until="first_streaming")
    assert any(c.status == "streaming" and c.audio_url for c in clips)
    assert not all(c.is_complete for c in clips)


async def test_wait_for_clips_deadline(api: SunoapiClient, emulator: Emulator) -> None:
    """Clips that never finish end the wait at its timeout with TaskTimeoutError."""
    from suno_async import TaskTimeoutError

    emulator.stall_next_tasks("music")
    batch = await api.create_pure_music("stuck")
    with pytest.raises(TaskTimeoutError) as info:
        await api.wait_for_clips(batch.clip_ids, timeout=100)
    assert not info.value.server_side
    assert 100 <= emulator.clock.now() <= 101
    assert api._tracker.followed == 0


async def test_the_cancelled_driver_really_hands_over(
    api: SunoapiClient, emulator: Emulator
) -> None:
    """Cancelling the waiter that drives the lookups, mid-wait, leaves the other one working."""
    one, two = await api.create_pure_music("a"), await api.create_pure_music("b")
    result: list[Clip] = []

    async def second() -> None:
        result.extend(await api.wait_for_clips(two.clip_ids))

    async with anyio.create_task_group() as tg:
        with anyio.CancelScope() as scope:

            def cancel_first(event: object) -> None:
                scope.cancel()  # the first waiter's first status event: it is the driver

            tg.start_soon(second)
            await api.wait_for_clips(one.clip_ids, on_event=cancel_first)
        lookups_at_cancel = emulator.count("GET", CLIPS)
    assert scope.cancelled_caught
    assert [c.id for c in result] == two.clip_ids
    assert emulator.count("GET", CLIPS) > lookups_at_cancel


async def test_pure_music_on_the_custom_model_provider_asks_for_instrumental() -> None:
    """MountseaClient.pure_music sends generate with make_instrumental true, tags and title."""
    sent: list[dict[str, object]] = []

    async def api(request: web.Request) -> web.StreamResponse:
        if request.method == "POST":
            sent.append(await request.json())
            return web.json_response({"taskId": "t"}, status=201)
        clip = {"id": "c", "status": "complete", "audio_url": "https://cdn.example.org/c.mp3"}
        return web.json_response({"taskId": "t", "status": "success", "data": [clip]})

    async with (
        tiny_server(api) as base,
        MountseaClient(api_key="k", base_url=base, poll_schedules=FAST_SCHEDULES) as client,
    ):
        clips = await client.pure_music("ambient piano", "Night")
    assert [c.id for c in clips] == ["c"]
    assert sent == [
        {
            "task": "create",
            "model": "chirp-v55",
            "make_instrumental": True,
            "tags": "ambient piano",
            "title": "Night",
        }
    ]


async def test_v30_failed_task_without_clip_errors() -> None:
    """A v3.0 task reported failed (its clips not in error) raises TaskFailedError."""

    async def api(request: web.Request) -> web.StreamResponse:
        task = {"task_id": "t", "status": "failed", "clips": {"c": {"id": "c", "status": "queued"}}}
        return web.json_response({"code": 200, "data": task, "message": "success"})

    async with (
        tiny_server(api) as base,
        SunoapiClient(api_key="k", base_url=base, poll_schedules=FAST_SCHEDULES) as client,
    ):
        with pytest.raises(TaskFailedError) as info:
            await client.v30.wait_for_task("t")
    assert not isinstance(info.value, ClipFailedError)


@pytest.mark.parametrize("call", ["create", "clips"])
async def test_error_code_inside_a_200_v35_answer(call: str) -> None:
    """A {code: 403, message} body sent with HTTP 200 raises InsufficientCreditsError on v3.5
    calls too, instead of passing for "no clips"."""

    async def api(request: web.Request) -> web.StreamResponse:
        return web.json_response({"code": 403, "message": "The remaining credits are not enough."})

    async with tiny_server(api) as base, SunoapiClient(api_key="k", base_url=base) as client:
        request = client.create_pure_music("jazz") if call == "create" else client.get_clips(["a"])
        with pytest.raises(InsufficientCreditsError):
            await request


def test_clip_error_message_keeps_the_provider_text() -> None:
    """ClipFailedError quotes the provider's message without mangling its punctuation."""
    from suno_async import ClipMetadata

    clip = Clip(
        id="c",
        status="error",
        metadata=ClipMetadata(error_type="moderation", error_message="Wait... no."),
    )
    error = ClipFailedError.from_clip(clip)
    assert str(error) == "clip c failed: moderation: Wait... no."
    assert error.error_message == "Wait... no."
