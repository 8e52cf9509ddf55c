"""mountsea's endpoints besides custom models and generate, end to end on the emulator:
a typed call, a task handle, the typed result; a failure; bad input refused before sending."""

from __future__ import annotations

from typing import Any, assert_type

import anyio
import anyio.lowlevel
import pytest

from suno_async import (
    BadRequestError,
    Clip,
    ConfigError,
    CreditBudgetError,
    MountseaClient,
    TaskFailedError,
    TaskHandle,
)
from suno_async.emulator import Emulator
from suno_async.mountsea import (
    ClipsResult,
    EditResult,
    ImageResult,
    LyricsResult,
    MidiResult,
    PersonaStep,
    TaskResult,
    UploadResult,
    VoicePersonaTimeoutError,
)

from ..conftest import FAST_RETRY

pytestmark = pytest.mark.anyio

AUDIO = "https://example.com/song.mp3"


def _posts(emulator: Emulator) -> int:
    return sum(
        emulator.count("POST", f"/suno/v2/{p}")
        for p in (
            "lyrics",
            "concat",
            "upload",
            "audio/upload/session/item",
            "playlist/create",
            "voicePersona/init",
            "voicePersona/complete",
            "remaster",
            "adjustSpeed",
            "timing",
            "downbeats",
            "mdi",
            "audio/crop",
            "audio/fade",
            "image/generate",
        )
    )


async def test_lyrics_handle_waits_for_typed_lyrics(client: MountseaClient) -> None:
    """lyrics() returns a TaskHandle whose wait gives a LyricsResult with the text and raw data."""
    handle = await client.lyrics("rainy night in the city")
    assert isinstance(handle, TaskHandle)
    assert handle.kind == "lyrics"
    result = await handle.wait()
    assert isinstance(result, LyricsResult)
    assert result.text is not None
    assert "rainy night" in result.text
    assert isinstance(result.data, dict)
    assert result.data["text"] == result.text


async def test_task_reattaches_by_id(client: MountseaClient) -> None:
    """task(id, kind) re-attaches to a task from its id alone and waits for the typed result."""
    handle = await client.lyrics("hello")
    again = client.task(handle.id, "lyrics")
    assert (await again.status()).task_id == handle.id
    result = await again.wait()
    assert_type(result, LyricsResult)  # a literal kind types the result (checked by mypy)
    assert isinstance(result, LyricsResult)
    with pytest.raises(ConfigError):
        client.task(handle.id, "nonsense")


async def test_generate_and_training_kinds_reattach(client: MountseaClient) -> None:
    """task(id, "generate") waits for the clips of a generation submitted earlier."""
    task_id = await client.generate(task="create", tags="pop")
    clips = await client.task(task_id, "generate").wait()
    assert_type(clips, list[Clip])
    assert len(clips) == 2
    assert all(clip.audio_url for clip in clips)


async def test_start_generation_returns_a_handle(client: MountseaClient) -> None:
    """start_generation gives a handle whose wait returns the finished clips."""
    handle = await client.start_generation(task="create", tags="pop")
    assert handle.kind == "generate"
    clips = await handle.wait()
    assert len(clips) == 2


async def test_upload_gives_a_clip_id(client: MountseaClient) -> None:
    """upload() gives the clip id that upload_extend and upload_cover take."""
    result = await (await client.upload(AUDIO)).wait()
    assert isinstance(result, UploadResult)
    assert result.clip_id
    assert result.clip is not None
    assert result.clip.id == result.clip_id


async def test_upload_session_collects_audio_ids(client: MountseaClient) -> None:
    """Session items finish into the session's audioIds."""
    session = await client.create_upload_session()
    handles = [await client.upload_session_item(session, AUDIO) for _ in range(2)]
    for handle in handles:
        assert isinstance(await handle.wait(), TaskResult)
    state = await client.get_upload_session(session)
    assert state.status == "success"
    assert len(state.audio_ids) == 2


async def test_upload_session_item_of_unknown_session(client: MountseaClient) -> None:
    """An item for a session that does not exist is refused by the provider (400)."""
    with pytest.raises(BadRequestError):
        await client.upload_session_item("no-such-session", AUDIO)


async def test_playlist_and_concat(client: MountseaClient) -> None:
    """playlist/create answers with a playlist id at once; concat makes a whole-song clip."""
    playlist = await client.create_playlist(["a", "b"], name="mine")
    assert playlist
    result = await (await client.concat("clip-1")).wait()
    assert isinstance(result, ClipsResult)
    assert len(result.clips) == 1
    assert result.clips[0].audio_url


async def test_edits_and_analysis(client: MountseaClient, tmp_path: Any) -> None:
    """remaster, adjust_speed, crop, fade, timing and downbeats all end in their typed results;
    the new clips' audio can be downloaded."""
    remastered = await (await client.remaster("c", "chirp-carp", variation_category="high")).wait()
    faster = await (await client.adjust_speed("c", 1.5, keep_pitch=False)).wait()
    cropped = await (await client.crop("c", 1.0, 5.0)).wait()
    faded = await (await client.fade("c", fade_out_s=3)).wait()
    timing = await (await client.timing("c")).wait()
    beats = await (await client.downbeats("c")).wait()
    assert remastered.clips
    assert faster.clips
    assert isinstance(cropped, EditResult)
    assert cropped.clip is not None
    assert cropped.action_clip_id
    assert faded.clip is not None
    assert timing.data["lines"][0]["words"]
    assert beats.data["downbeats"]
    path = tmp_path / "crop.wav"
    assert await client.download(cropped.clip.audio_url or "", path) > 0
    assert client.credits_spent == 0  # crop and fade are free; the rest unpublished


async def test_midi_of_a_stem(client: MountseaClient) -> None:
    """mdi works on a gen_stem_all stem and fails (TaskFailedError) on any other clip."""
    clips = await client.generate_and_wait(task="gen_stem_all", clip_id="src")
    result = await (await client.midi(clips[0].id)).wait()
    assert isinstance(result, MidiResult)
    assert result.midi_url
    assert result.midi_url.endswith(".mid")
    with pytest.raises(TaskFailedError) as caught:
        await (await client.midi("not-a-stem")).wait()
    assert caught.value.fail_code == 4002


async def test_image_prices_and_budget(emulator: Emulator) -> None:
    """Basic images are free, advanced ones count 40 credits, and the budget refuses them."""
    async with MountseaClient(
        api_key="k",
        base_url=emulator.base_url,
        clock=emulator.clock,
        retry=FAST_RETRY,
        max_credits=50,
    ) as client:
        basic = await (await client.generate_image("a cat")).wait()
        assert isinstance(basic, ImageResult)
        assert len(basic.items) == 2
        assert client.credits_spent == 0
        await (await client.generate_image("a cat", category="advanced")).wait()
        assert client.credits_spent == 40
        with pytest.raises(CreditBudgetError):
            await client.generate_image("a dog", category="advanced")
    assert emulator.count("POST", "/suno/v2/image/generate") == 2


async def test_configured_prices_are_counted(emulator: Emulator) -> None:
    """A price given through prices= is counted and held to the budget for that endpoint."""
    async with MountseaClient(
        api_key="k",
        base_url=emulator.base_url,
        clock=emulator.clock,
        retry=FAST_RETRY,
        prices={"lyrics": 5, "generate:sound": 30},
        max_credits=8,
    ) as client:
        assert client.price_of("lyrics") == 5
        assert client.price_of("generate:gen_stem_all") is None
        assert client.price_of("audio/crop") == 0
        await client.lyrics("x")
        assert client.credits_spent == 5
        with pytest.raises(CreditBudgetError):
            await client.lyrics("y")
    with pytest.raises(ConfigError):
        MountseaClient(api_key="k", prices={"lyrics": -1})


async def test_persona_window_hit(client: MountseaClient) -> None:
    """init returns at awaiting with the phrase; the helper completes in time and succeeds."""
    phrases: list[str] = []

    async def verify(phrase: str) -> str:
        phrases.append(phrase)
        await anyio.lowlevel.checkpoint()
        return "https://example.com/verify.mp3"

    step = await client.create_voice_persona(AUDIO, "en", "My voice", verify)
    assert isinstance(step, PersonaStep)
    assert step.status == "success"
    assert step.persona_id
    assert phrases
    assert phrases[0]


async def test_persona_handle_returns_at_awaiting(client: MountseaClient) -> None:
    """A persona handle's wait returns at awaiting (it does not sit until the task fails)."""
    handle = await client.init_voice_persona(AUDIO, "ja", vocal_start_s=0, vocal_end_s=10)
    step = await handle.wait()
    assert step.awaiting
    assert step.phrase_text
    done = await client.complete_voice_persona(
        handle.id, "https://example.com/v.mp3", "Voice", is_public=True
    )
    final = await done.wait()
    assert final.status == "success"
    assert final.data["is_public"] is True


async def test_persona_window_missed(client: MountseaClient, emulator: Emulator) -> None:
    """A verify slower than 30 s (on the emulator's clock) ends in VoicePersonaTimeoutError."""

    async def slow(phrase: str) -> str:
        await client.clock.sleep(31)
        return "https://example.com/verify.mp3"

    with pytest.raises(VoicePersonaTimeoutError) as caught:
        await client.create_voice_persona(AUDIO, "en", "Late", slow)
    assert "VP_USER_TIMEOUT" in str(caught.value)
    assert emulator.count("POST", "/suno/v2/voicePersona/complete") == 0


async def test_persona_timeout_seen_by_a_wait(client: MountseaClient) -> None:
    """A wait on a persona whose window passed raises VoicePersonaTimeoutError, naming the code."""
    handle = await client.init_voice_persona(AUDIO, "en")
    await handle.wait()
    await client.clock.sleep(40)
    with pytest.raises(VoicePersonaTimeoutError) as caught:
        await client.task(handle.id, "persona").wait()
    assert caught.value.fail_code == "VP_USER_TIMEOUT"
    with pytest.raises(BadRequestError):
        await client.complete_voice_persona(handle.id, "https://example.com/v.mp3", "x")


async def test_generate_schema(client: MountseaClient) -> None:
    """generate/schema lists every task with its required fields, or one task's."""
    schemas = await client.generate_schema()
    by_task = {s.task: s for s in schemas}
    assert "clip_id" in by_task["extend"].fields
    assert [f.field for f in by_task["mashup"].required] == ["mashup_clip_ids", "model"]
    one = await client.generate_schema("sound")
    assert [s.task for s in one] == ["sound"]
    with pytest.raises(BadRequestError):
        await client.generate_schema("nope")


async def test_low_level_request(client: MountseaClient) -> None:
    """request() calls any path with the client's auth and error mapping."""
    answer = await client.request("POST", "/suno/v2/lyrics", json={"prompt": "x"})
    assert "taskId" in answer
    status = await client.request("GET", "/suno/v2/status", params={"taskId": answer["taskId"]})
    assert status["taskId"] == answer["taskId"]
    with pytest.raises(BadRequestError):
        await client.request("POST", "/suno/v2/lyrics", json={"bogus": 1})
    with pytest.raises(ConfigError):
        await client.request("GET", "https://elsewhere.example/x")


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda c: c.lyrics(""), "prompt"),
        (lambda c: c.lyrics("x", lyrics_model="v9"), "lyrics_model"),
        (lambda c: c.concat("c", is_infill=True), "edit_session_id"),
        (lambda c: c.upload("not a url"), "audio_url"),
        (lambda c: c.upload_session_item("s", "ftp://x/y.mp3"), "audio_url"),
        (lambda c: c.create_playlist(["a", "b", "c", "d", "e"]), "clip_ids"),
        (lambda c: c.create_playlist([]), "clip_ids"),
        (lambda c: c.init_voice_persona(AUDIO, "xx"), "language"),
        (
            lambda c: c.init_voice_persona(AUDIO, "en", vocal_start_s=5, vocal_end_s=2),
            "vocal_end_s",
        ),
        (lambda c: c.complete_voice_persona("t", AUDIO, " "), "name"),
        (lambda c: c.remaster("c", "chirp-v55"), "model_name"),
        (lambda c: c.remaster("c", "chirp-carp", variation_category="wild"), "variation_category"),
        (lambda c: c.adjust_speed("c", 5), "speed_multiplier"),
        (lambda c: c.adjust_speed("c", 0.1), "speed_multiplier"),
        (lambda c: c.timing(""), "clip_id"),
        (lambda c: c.downbeats(" x"), "clip_id"),
        (lambda c: c.midi(""), "clip_id"),
        (lambda c: c.crop("c", 5, 2), "end_s"),
        (lambda c: c.fade("c"), "fade_in_s"),
        (lambda c: c.fade("c", fade_in_s=-1), "fade_in_s"),
        (lambda c: c.generate_image("x", category="huge"), "category"),
        (lambda c: c.generate_image(""), "prompt"),
        (lambda c: c.request("TRACE", "/x"), "method"),
    ],
)
async def test_bad_input_is_refused_before_sending(
    client: MountseaClient, emulator: Emulator, call: Any, argument: str
) -> None:
    """Bad arguments raise ConfigError naming the argument; nothing is sent."""
    with pytest.raises(ConfigError) as caught:
        await call(client)
    assert caught.value.argument == argument
    assert _posts(emulator) == 0


async def test_wait_for_task_returns_at_awaiting(client: MountseaClient) -> None:
    """wait_for_task(kind=PERSONA) returns the awaiting snapshot instead of sitting on it."""
    from suno_async import TaskKind

    handle = await client.init_voice_persona(AUDIO, "en")
    snapshot = await client.wait_for_task(handle.id, kind=TaskKind.PERSONA)
    assert snapshot.status == "awaiting"
