"""The emulator's other mountsea.ai routes over raw HTTP: documented statuses, the persona
window on the emulator's clock, real bytes of each kind, and a schema consistent with its own
validation."""

from __future__ import annotations

import aiohttp
import pytest

from suno_async.emulator import Emulator

from ..helpers import advance, call

pytestmark = pytest.mark.anyio

AUDIO = "https://example.com/a.mp3"


async def _status(http: aiohttp.ClientSession, emu: Emulator, task_id: str) -> dict[str, object]:
    reply = await call(http, emu, "GET", f"/suno/v2/status?taskId={task_id}")
    assert reply.status == 200
    body: dict[str, object] = reply.body
    return body


async def test_posts_answer_201_and_tasks_run_to_success(
    http: aiohttp.ClientSession, emu: Emulator
) -> None:
    """lyrics answers 201 {taskId}; the task is queued, running, then success with data."""
    reply = await call(http, emu, "POST", "/suno/v2/lyrics", {"prompt": "sea"})
    assert reply.status == 201
    task_id = reply.body["taskId"]
    assert (await _status(http, emu, task_id))["status"] == "queued"
    advance(emu, 2)
    assert (await _status(http, emu, task_id))["status"] == "running"
    advance(emu, 5)
    done = await _status(http, emu, task_id)
    assert done["status"] == "success"
    assert "sea" in done["data"]["text"]  # type: ignore[index]


async def test_unknown_fields_and_missing_ones_are_400(
    http: aiohttp.ClientSession, emu: Emulator
) -> None:
    """Bodies are checked as everywhere: unknown or missing fields answer 400."""
    assert (await call(http, emu, "POST", "/suno/v2/timing", {"clip": "x"})).status == 400
    assert (await call(http, emu, "POST", "/suno/v2/audio/fade", {"clip_id": "x"})).status == 400
    bad_speed = {"clip_id": "x", "speed_multiplier": 9}
    assert (await call(http, emu, "POST", "/suno/v2/adjustSpeed", bad_speed)).status == 400


async def test_persona_window_on_the_emulator_clock(
    http: aiohttp.ClientSession, emu: Emulator
) -> None:
    """init → awaiting with phrase_text; after 30 s without complete: failed, VP_USER_TIMEOUT."""
    body = {"voice_audio_url": AUDIO, "language": "en"}
    task_id = (await call(http, emu, "POST", "/suno/v2/voicePersona/init", body)).body["taskId"]
    advance(emu, 4)
    waiting = await _status(http, emu, task_id)
    assert waiting["status"] == "awaiting"
    assert waiting["data"]["phrase_text"]  # type: ignore[index]
    advance(emu, 31)
    failed = await _status(http, emu, task_id)
    assert failed["status"] == "failed"
    assert failed["failCode"] == "VP_USER_TIMEOUT"
    late = {"taskId": task_id, "verification_audio_url": AUDIO, "name": "x"}
    reply = await call(http, emu, "POST", "/suno/v2/voicePersona/complete", late)
    assert reply.status == 400


async def test_files_are_real_midi_and_png(http: aiohttp.ClientSession, emu: Emulator) -> None:
    """The MIDI and image links serve a Standard MIDI File and a PNG."""
    image = await call(http, emu, "POST", "/suno/v2/image/generate", {"prompt": "cat"})
    advance(emu, 10)
    items = (await _status(http, emu, image.body["taskId"]))["data"]["items"]  # type: ignore[index]
    png = await call(http, emu, "GET", items[0]["image_url"])
    assert png.raw.startswith(b"\x89PNG\r\n\x1a\n")
    assert png.headers["Content-Type"] == "image/png"
    midi = await call(http, emu, "POST", "/suno/v2/mdi", {"clip_id": "x"})
    advance(emu, 10)
    assert (await _status(http, emu, midi.body["taskId"]))["status"] == "failed"


async def test_schema_agrees_with_the_emulators_validation(
    http: aiohttp.ClientSession, emu: Emulator
) -> None:
    """Every task's schema: a body with exactly its required fields is accepted by generate."""
    schemas = (await call(http, emu, "GET", "/suno/v2/generate/schema")).body
    assert len(schemas) == 15
    values = {
        "model": "chirp-v55",
        "clip_id": "c",
        "audio_url": AUDIO,
        "range": {"start_s": 0, "end_s": 1},
        "infill_context_range": {"start_s": 0, "end_s": 2},
        "continued_aligned_prompt": "la",
        "mashup_clip_ids": ["a", "b"],
        "playlist_id": "p",
        "sound": {"description": "door"},
    }
    for schema in schemas:
        body = {"task": schema["task"]}
        body |= {f["field"]: values[f["field"]] for f in schema["required"]}
        reply = await call(http, emu, "POST", "/suno/v2/generate", body)
        assert reply.status == 201, (schema["task"], reply.body)
    one = await call(http, emu, "GET", "/suno/v2/generate/schema?task=nope")
    assert one.status == 400


async def test_usage_host_needs_its_key(http: aiohttp.ClientSession, emu: Emulator) -> None:
    """/api-user/ answers with X-API-Key or ?key=, and 401 without."""
    assert (await call(http, emu, "GET", "/api-user/credits", headers={})).status == 401
    ok = await call(http, emu, "GET", "/api-user/credits", headers={"X-API-Key": "k"})
    assert ok.status == 200
    assert isinstance(ok.body["credits"], int)
