"""The training workflow end to end against the emulator, and generate-and-download."""

from __future__ import annotations

import re
import wave
from pathlib import Path

import pytest

from suno_async import (
    AmbiguousSubmitError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    DownloadFinished,
    Event,
    GenerateRequest,
    GenerateTask,
    InsufficientCreditsError,
    MountseaClient,
    NotEnoughClipsError,
    PermissionDeniedError,
    PollSchedule,
    SessionPrepared,
    TaskFailedError,
    TaskKind,
    TaskTimeoutError,
    TrainingFinished,
    TrainingSubmitted,
    UploadFailed,
    UploadFinished,
    UploadSubmitted,
)
from suno_async.emulator import Emulator, EmulatorConfig
from suno_async.mountsea._training import _submit_create

pytestmark = pytest.mark.anyio

CREATE = "/suno/v2/customModel/create"
UPLOAD = "/suno/v2/customModel/upload"
MODEL_ID = re.compile(r"chirp-custom:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


async def test_happy_path(client: MountseaClient, emulator: Emulator) -> None:
    """Six URLs train a model: one prepare, six uploads, one create, a chirp-custom id."""
    events: list[Event] = []
    urls = emulator.sample_audio_urls(6)
    result = await client.train_custom_model(urls, name="My Model", on_event=events.append)

    assert MODEL_ID.fullmatch(result.model_id)
    assert result.task_id == result.session_id
    assert result.name == "My Model"
    assert len(result.clip_ids) == 6 == len(set(result.clip_ids))
    assert [o.url for o in result.outcomes] == urls
    assert all(o.ok and o.attempts == 1 for o in result.outcomes)
    assert result.failed == ()
    assert emulator.count("POST", "/suno/v2/customModel/prepare") == 1
    assert emulator.count("POST", UPLOAD) == 6
    assert emulator.count("POST", CREATE) == 1
    assert emulator.credits_spent == 100 + 6 * emulator.config.upload_cost

    kinds = [type(e) for e in events]
    assert kinds[0] is SessionPrepared
    assert kinds.count(UploadSubmitted) == 6
    assert kinds.count(UploadFinished) == 6
    assert kinds.index(TrainingSubmitted) > max(
        i for i, k in enumerate(kinds) if k is UploadFinished
    )
    assert kinds[-1] is TrainingFinished


async def test_failed_upload_is_retried_in_the_same_session(
    client: MountseaClient, emulator: Emulator
) -> None:
    """An upload task that fails is sent again in the same session and the run succeeds."""
    emulator.fail_next_tasks("upload", times=1, reason="Transient fetch error.", code=5001)
    events: list[Event] = []
    result = await client.train_custom_model(
        emulator.sample_audio_urls(6), name="m", on_event=events.append
    )
    retried = [o for o in result.outcomes if o.attempts == 2]
    assert len(retried) == 1
    assert len(retried[0].task_ids) == 2
    assert retried[0].ok
    assert emulator.count("POST", UPLOAD) == 7
    assert emulator.count("POST", "/suno/v2/customModel/prepare") == 1
    failures = [e for e in events if isinstance(e, UploadFailed)]
    assert len(failures) == 1
    assert failures[0].will_retry
    assert "Transient fetch error." in failures[0].error


async def test_spare_urls_cover_a_missing_one(client: MountseaClient, emulator: Emulator) -> None:
    """Seven URLs, one with no audio: the spare replaces it; 4001 is not retried."""
    missing = emulator.missing_audio_url("gone")
    good = emulator.sample_audio_urls(6)
    urls = [*good[:3], missing, *good[3:]]
    result = await client.train_custom_model(urls, name="m")
    assert len(result.clip_ids) == 6
    (failed,) = result.failed
    assert failed.url == missing
    assert failed.fail_code == 4001
    assert failed.attempts == 1
    assert "Audio source not found." in (failed.error or "")
    assert emulator.count("POST", UPLOAD) == 7


async def test_spares_are_not_uploaded_unless_needed(
    client: MountseaClient, emulator: Emulator
) -> None:
    """With ten good URLs and the default clip_count, only six are uploaded and trained on."""
    urls = emulator.sample_audio_urls(10)
    result = await client.train_custom_model(urls, name="m")
    assert emulator.count("POST", UPLOAD) == 6
    assert len(result.clip_ids) == 6
    assert [o.url for o in result.outcomes if o.skipped] == urls[6:]
    assert result.failed == ()


async def test_clip_count_trains_on_more_clips(client: MountseaClient, emulator: Emulator) -> None:
    """clip_count=8 uploads eight URLs and submits all eight clips."""
    result = await client.train_custom_model(emulator.sample_audio_urls(9), name="m", clip_count=8)
    assert len(result.clip_ids) == 8
    assert emulator.count("POST", UPLOAD) == 8


@pytest.mark.parametrize("clip_count", [5, 8])
async def test_clip_count_is_checked(
    client: MountseaClient, emulator: Emulator, clip_count: int
) -> None:
    """clip_count outside 6..len(urls) fails before any request."""
    from suno_async import ConfigError

    with pytest.raises(ConfigError) as info:
        await client.train_custom_model(
            emulator.sample_audio_urls(7), name="m", clip_count=clip_count
        )
    assert info.value.argument == "clip_count"
    assert emulator.requests == []


async def test_too_few_clips_sends_no_create(client: MountseaClient, emulator: Emulator) -> None:
    """Six URLs with one missing and no spare: NotEnoughClipsError at once, no create."""
    missing = emulator.missing_audio_url("nothing-here")
    urls = [*emulator.sample_audio_urls(5), missing]
    with pytest.raises(NotEnoughClipsError) as info:
        await client.train_custom_model(urls, name="m")
    error = info.value
    assert error.required == 6
    assert error.succeeded < 6
    assert error.session_id
    assert "create was not sent" in str(error)
    assert ".." not in str(error)
    gone = next(o for o in error.outcomes if o.url == missing)
    assert gone.fail_code == 4001
    assert emulator.count("POST", CREATE) == 0
    assert emulator.credits_spent == 5 * emulator.config.upload_cost


async def test_hopeless_run_stops_early(client: MountseaClient, emulator: Emulator) -> None:
    """When six clips are out of reach the uploads still running are abandoned at once."""
    emulator.stall_next_tasks("upload", times=4)
    urls = [*emulator.sample_audio_urls(4), *(emulator.missing_audio_url(f"m{i}") for i in (1, 2))]
    started = emulator.clock.now()
    with pytest.raises(NotEnoughClipsError) as info:
        await client.train_custom_model(urls, name="m")
    # Without the early stop the four stalled uploads would run to their 600 s deadline.
    assert emulator.clock.now() - started < 100
    assert info.value.succeeded == 0
    cancelled = [o for o in info.value.outcomes if o.error and o.error.startswith("cancelled")]
    assert len(cancelled) >= 4  # the stalled four, and the second missing one if not yet seen
    assert any(o.fail_code == 4001 for o in info.value.outcomes)
    assert emulator.count("POST", CREATE) == 0


async def test_create_rejected_with_400(client: MountseaClient, emulator: Emulator) -> None:
    """A 400 on create is raised as BadRequestError with the provider's message."""
    emulator.inject_http(
        "POST",
        CREATE,
        400,
        body=b'{"statusCode":400,"message":"clipIds must come from this session",'
        b'"error":"Bad Request"}',
    )
    with pytest.raises(BadRequestError, match="clipIds must come from this session"):
        await client.train_custom_model(emulator.sample_audio_urls(6), name="m")
    assert emulator.count("POST", CREATE) == 1
    assert emulator.credits_spent == 6 * emulator.config.upload_cost


async def test_training_failure_is_typed_and_refunded(
    client: MountseaClient, emulator: Emulator
) -> None:
    """A training that fails raises TaskFailedError; the emulator refunds the 100 credits."""
    emulator.fail_next_tasks("training", reason="Training diverged.", code=5100)
    with pytest.raises(TaskFailedError) as info:
        await client.train_custom_model(emulator.sample_audio_urls(6), name="m")
    assert info.value.fail_code == 5100
    assert emulator.credits_spent == 6 * emulator.config.upload_cost


async def test_training_deadline(emulator: Emulator) -> None:
    """A training that never ends stops at the client's deadline with TaskTimeoutError."""
    emulator.stall_next_tasks("training")
    schedule = PollSchedule(first_delay=5, interval=5, factor=1.5, max_interval=15, timeout=300)
    async with MountseaClient(
        api_key="k",
        base_url=emulator.base_url,
        clock=emulator.clock,
        poll_schedules={TaskKind.TRAINING: schedule},
    ) as client:
        with pytest.raises(TaskTimeoutError) as info:
            await client.train_custom_model(emulator.sample_audio_urls(6), name="m")
    assert not info.value.server_side


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(credits=50)])
async def test_not_enough_credits_for_create(client: MountseaClient, emulator: Emulator) -> None:
    """An account short of 100 credits gets InsufficientCreditsError from create."""
    with pytest.raises(InsufficientCreditsError, match="credits"):
        await client.train_custom_model(emulator.sample_audio_urls(6), name="m")


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(max_custom_models=1)])
async def test_model_limit(client: MountseaClient, emulator: Emulator) -> None:
    """The account's custom-model limit refuses the next create with 403."""
    await client.train_custom_model(emulator.sample_audio_urls(6), name="first")
    with pytest.raises(PermissionDeniedError):
        await client.train_custom_model(emulator.sample_audio_urls(6), name="second")


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(api_key="right-key")])
async def test_wrong_key_stops_at_the_first_step(emulator: Emulator) -> None:
    """A key the provider refuses raises AuthenticationError at prepare; nothing else is sent."""
    async with MountseaClient(api_key="wrong-key", base_url=emulator.base_url) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.train_custom_model(emulator.sample_audio_urls(6), name="m")
    assert "wrong-key" not in str(info.value)
    assert emulator.count("POST", UPLOAD) == 0


async def upload_six(client: MountseaClient, emulator: Emulator) -> tuple[str, list[str]]:
    session_id = await client.prepare_custom_model()
    clip_ids = []
    for url in emulator.sample_audio_urls(6):
        task_id = await client.upload_custom_model_audio(session_id, url)
        clip_ids.append((await client.wait_for_upload(task_id)).id)
    return session_id, clip_ids


async def test_low_level_steps_and_second_create_conflict(
    client: MountseaClient, emulator: Emulator
) -> None:
    """The steps can be driven one by one; a second create for the session is refused (409)."""
    session_id, clip_ids = await upload_six(client, emulator)
    task_id = await client.create_custom_model(session_id, clip_ids, "Stepwise")
    assert task_id == session_id
    with pytest.raises(ConflictError):
        await client.create_custom_model(session_id, clip_ids, "Stepwise")
    model = await client.wait_for_training(task_id)
    assert MODEL_ID.fullmatch(model.id)
    assert emulator.credits_spent == 100 + 6 * emulator.config.upload_cost


async def test_resubmitted_create_waits_for_the_running_training(
    client: MountseaClient, emulator: Emulator
) -> None:
    """The workflow's create step treats 409 as "already training" and bills only once."""
    session_id, clip_ids = await upload_six(client, emulator)
    first = await _submit_create(client, client._core, session_id, clip_ids, "m")
    second = await _submit_create(client, client._core, session_id, clip_ids, "m")
    assert first == second == session_id
    assert emulator.count("POST", CREATE) == 2
    assert MODEL_ID.fullmatch((await client.wait_for_training(second)).id)
    assert emulator.credits_spent == 100 + 6 * emulator.config.upload_cost


async def test_generate_with_the_model_and_download(
    client: MountseaClient, emulator: Emulator, tmp_path: Path
) -> None:
    """The trained model generates two clips whose audio lands on disk as playable WAV."""
    training = await client.train_custom_model(emulator.sample_audio_urls(6), name="m")
    request = GenerateRequest(
        task=GenerateTask.CREATE,
        model=training.model_id,
        prompt="[Verse]\nA catchy pop melody...",
        tags="Pop, Upbeat",
    )
    clips = await client.generate_and_wait(request)
    assert len(clips) == 2
    events: list[Event] = []
    paths = await client.download_clips(clips, tmp_path / "out", on_event=events.append)
    assert [p.name for p in paths] == [f"{c.id}.wav" for c in clips]
    for path in paths:
        with wave.open(str(path)) as audio:
            assert audio.getnframes() > audio.getframerate()  # more than a second of sound
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in paths)
    done = [e for e in events if isinstance(e, DownloadFinished)]
    assert {e.clip_id for e in done} == {c.id for c in clips}
    cdn = [r for r in emulator.requests if r.path.startswith("/cdn/")]
    assert len(cdn) == 2
    assert not any(r.has_auth_header for r in cdn)


async def test_lost_create_answer_is_looked_up_not_resent(
    client: MountseaClient, emulator: Emulator
) -> None:
    """create arrived but its answer was lost: the session's status shows it; billed once."""
    emulator.drop_next("POST", CREATE, after_work=True)
    result = await client.train_custom_model(emulator.sample_audio_urls(6), name="m")
    assert MODEL_ID.fullmatch(result.model_id)
    assert emulator.count("POST", CREATE) == 1
    assert emulator.credits_spent == 100 + 6 * emulator.config.upload_cost


async def test_create_that_never_arrived_is_sent_again(
    client: MountseaClient, emulator: Emulator
) -> None:
    """create dropped before the server acted: the lookup finds nothing, so it is re-sent."""
    emulator.drop_next("POST", CREATE, after_work=False)
    result = await client.train_custom_model(emulator.sample_audio_urls(6), name="m")
    assert MODEL_ID.fullmatch(result.model_id)
    assert emulator.count("POST", CREATE) == 2
    assert emulator.credits_spent == 100 + 6 * emulator.config.upload_cost


async def test_lost_upload_answer_is_uploaded_again(
    client: MountseaClient, emulator: Emulator
) -> None:
    """An upload whose answer was lost is sent again in the same session, as documented,
    without using up one of the attempts meant for failed upload tasks."""
    emulator.drop_next("POST", UPLOAD, after_work=True)
    result = await client.train_custom_model(
        emulator.sample_audio_urls(6), name="m", upload_attempts=1
    )
    assert len(result.clip_ids) == 6
    assert emulator.count("POST", UPLOAD) == 7
    assert [o.attempts for o in result.outcomes] == [1] * 6


async def test_lost_generate_answer_is_ambiguous(
    client: MountseaClient, emulator: Emulator
) -> None:
    """A generate whose answer was lost raises AmbiguousSubmitError and is not re-sent."""
    emulator.drop_next("POST", "/suno/v2/generate", after_work=True)
    with pytest.raises(AmbiguousSubmitError) as info:
        await client.generate(task="create", model="chirp-v50")
    assert info.value.endpoint == "/suno/v2/generate"
    assert emulator.count("POST", "/suno/v2/generate") == 1
    assert emulator.credits_spent == 40


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(credits=3)])
async def test_account_wide_errors_are_raised_as_themselves(
    client: MountseaClient, emulator: Emulator
) -> None:
    """Running out of credits mid-uploads raises InsufficientCreditsError, not a group."""
    with pytest.raises(InsufficientCreditsError):
        await client.train_custom_model(emulator.sample_audio_urls(6), name="m")
    assert emulator.count("POST", CREATE) == 0


async def test_a_failed_download_is_raised_as_itself(
    client: MountseaClient, emulator: Emulator, tmp_path: Path
) -> None:
    """One missing clip in download_clips raises NotFoundError, not an exception group."""
    from suno_async import Clip, NotFoundError

    clips = [
        Clip(id="gone", audio_url=emulator.missing_audio_url("gone")),
        Clip(id="also-gone", audio_url=emulator.missing_audio_url("also-gone")),
    ]
    with pytest.raises(NotFoundError):
        await client.download_clips(clips, tmp_path)


async def test_cancelling_a_run_leaves_nothing_behind(emulator: Emulator) -> None:
    """Cancelling train_custom_model mid-upload stops every poller at once; the client lives on."""
    import asyncio

    import anyio

    def client_tasks() -> list[str]:
        # The emulator's own tasks (connections, audio fetches) live on; the client's must not.
        names = [t.get_coro().__qualname__ for t in asyncio.all_tasks()]  # type: ignore[union-attr]
        return sorted(n for n in names if not n.startswith(("RequestHandler", "MountseaState")))

    emulator.stall_next_tasks("upload", times=6)
    before = client_tasks()
    async with MountseaClient(
        api_key="k", base_url=emulator.base_url, clock=emulator.clock
    ) as client:
        with anyio.CancelScope() as scope:

            def cancel_when_all_submitted(event: Event) -> None:
                if isinstance(event, UploadSubmitted) and emulator.count("POST", UPLOAD) == 6:
                    scope.cancel()

            await client.train_custom_model(
                emulator.sample_audio_urls(6), name="m", on_event=cancel_when_all_submitted
            )
        assert scope.cancelled_caught
        assert client_tasks() == before
        assert await client.prepare_custom_model()  # still usable
    assert emulator.count("POST", CREATE) == 0


async def test_create_lookup_when_the_session_answers_before_create() -> None:
    """If the session id shows a status without a model before create, a lost create is sent
    again; if it shows a running training, it is not (billed once either way)."""
    from aiohttp import web

    from ..helpers import tiny_server

    creates = 0
    session_status: dict[str, object] = {"status": "success", "data": {"audioIds": []}}

    async def api(request: web.Request) -> web.StreamResponse:
        nonlocal creates
        if request.path.endswith("/customModel/create"):
            creates += 1
            if creates == 1:
                return web.json_response({"message": "bad gateway"}, status=502)
            return web.json_response({"taskId": "sess"}, status=201)
        return web.json_response({"taskId": "sess", **session_status})

    ids = [f"clip{i}" for i in range(6)]
    async with tiny_server(api) as base, MountseaClient(api_key="k", base_url=base) as client:
        assert await _submit_create(client, client._core, "sess", ids, "m") == "sess"
        assert creates == 2  # the status showed no model: the create had not arrived
        creates = 0
        session_status = {"status": "running"}
        assert await _submit_create(client, client._core, "sess", ids, "m") == "sess"
        assert creates == 1  # a training runs: not sent again


async def test_quick_start_from_the_readme(
    client: MountseaClient, emulator: Emulator, tmp_path: Path
) -> None:
    """generate_and_wait with keyword fields, then download_clips, as the README shows."""
    training = await client.train_custom_model(emulator.sample_audio_urls(6), name="My Model")
    clips = await client.generate_and_wait(
        task="create",
        model=training.model_id,
        prompt="[Verse]\nA catchy pop melody...",
        tags="Pop, Upbeat",
    )
    paths = await client.download_clips(clips, tmp_path / "songs")
    assert len(paths) == 2
    assert all(p.exists() for p in paths)
