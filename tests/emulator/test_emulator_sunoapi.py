"""The emulator's sunoapi.com v2 routes, spoken to over real sockets with a plain aiohttp client.

Time moves only through the emulator's ``VirtualClock`` (``advance``). With the default config a
call's clips are ``submitted`` for 3 s, ``queued`` until 8 s, ``streaming`` until 40 s, then
``complete``.
"""

from __future__ import annotations

import io
import json
import re
import wave
from typing import Any

import aiohttp
import anyio
import pytest

from suno_async.emulator import Emulator, EmulatorConfig, VirtualClock

from ..helpers import AUTH, KEY, Reply, advance, call

pytestmark = pytest.mark.anyio

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
ISO_MS = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
V35 = "/api/v2/suno/v3.5"
V30 = "/api/v2/suno/v3.0"
PURE35 = f"{V35}/custom/create-pure-music"
LYRICS35 = f"{V35}/custom/create-lyrics-song"
EXTEND = f"{V35}/extend"
CLIPS = f"{V35}/clips"
PURE30 = f"{V30}/custom/create-pure-music"
LYRICS30 = f"{V30}/custom/create-lyrics-song"
RANDOM_PURE30 = f"{V30}/random/create-pure-music"
RANDOM_LYRICS30 = f"{V30}/random/create-lyrics-song"
NOT_ENOUGH = (
    "The remaining credits are not enough. You can buy more one-time credit packs or subscribe."
)

#: The sample response of the provider's create-custom-pure-music page (seed 004), verbatim but
#: for the lyrics, which are cut short; only its keys are compared.
SAMPLE_CLIP_METADATA: dict[str, Any] = {
    "tags": "heavy metal",
    "prompt": "[Verse]\nStars they shine above me\nMoonlight softly glows",
    "gpt_description_prompt": None,
    "audio_prompt_id": "m_2e584f32-7ae3-4b2d-93f6-391f65a01f15",
    "history": [
        {
            "id": "m_2e584f32-7ae3-4b2d-93f6-391f65a01f15",
            "continue_at": 48.762,
            "type": "upload",
            "source": "web",
            "infill": False,
        }
    ],
    "concat_history": None,
    "type": "gen",
    "duration": None,
    "refund_credits": None,
    "stream": True,
    "infill": False,
    "has_vocal": True,
    "is_audio_upload_tos_accepted": True,
    "error_type": None,
    "error_message": None,
}
SAMPLE_CLIP: dict[str, Any] = {
    "id": "7070ec00-462e-42ac-9b9f-1074977f473f",
    "video_url": "",
    "audio_url": "",
    "image_url": None,
    "image_large_url": None,
    "is_video_pending": False,
    "major_model_version": "v3.5",
    "model_name": "chirp-v3",
    "metadata": SAMPLE_CLIP_METADATA,
    "is_liked": False,
    "user_id": "4ed4f182-0b5a-4cde-bffe-44fb5237a3aa",
    "display_name": "AmbientLens971",
    "handle": "ambientlens971",
    "is_handle_updated": False,
    "avatar_image_url": "https://cdn1.suno.ai/defaultOrange.jpg",
    "is_trashed": False,
    "reaction": None,
    "created_at": "2024-07-22T07:56:36.710Z",
    "status": "submitted",
    "title": "Starry ",
    "play_count": 0,
    "upvote_count": 0,
    "is_public": False,
}
SAMPLE: dict[str, Any] = {
    "id": "3d5f0ee4-1d7b-410a-bafd-60a3978284d1",
    "clips": [SAMPLE_CLIP, SAMPLE_CLIP | {"id": "00e6b9e4-c29c-4cfe-8d7a-5b3f06ff5b90"}],
    "metadata": SAMPLE_CLIP_METADATA,
    "major_model_version": "v3",
    "status": "complete",
    "created_at": "2024-07-22T07:56:36.699Z",
    "batch_size": 1,
}


def error(reply: Reply, status: int) -> str:
    """The message of a sunoapi.com error answer, after checking its form."""
    assert reply.status == status, reply.body
    assert set(reply.body) == {"code", "message"}
    assert reply.body["code"] == status
    message: str = reply.body["message"]
    return message


async def create35(
    http: aiohttp.ClientSession, emu: Emulator, path: str = PURE35, **body: Any
) -> dict[str, Any]:
    reply = await call(http, emu, "POST", path, body or {"tags": "epic reggae", "title": "Dreams"})
    assert reply.status == 200, reply.body
    result: dict[str, Any] = reply.body
    return result


async def create30(http: aiohttp.ClientSession, emu: Emulator, path: str, **body: Any) -> str:
    reply = await call(http, emu, "POST", path, body)
    assert reply.status == 200, reply.body
    assert reply.body["code"] == 200
    assert reply.body["message"] == "success"
    assert set(reply.body["data"]) == {"task_id"}
    task_id: str = reply.body["data"]["task_id"]
    return task_id


async def clips(http: aiohttp.ClientSession, emu: Emulator, *ids: str) -> list[dict[str, Any]]:
    reply = await call(http, emu, "GET", f"{CLIPS}?ids={','.join(ids)}")
    assert reply.status == 200, reply.body
    assert set(reply.body) == {"clips"}
    found: list[dict[str, Any]] = reply.body["clips"]
    return found


async def task30(http: aiohttp.ClientSession, emu: Emulator, task_id: str) -> dict[str, Any]:
    reply = await call(http, emu, "GET", f"{V30}/clip/{task_id}")
    assert reply.status == 200, reply.body
    assert (reply.body["code"], reply.body["message"]) == (200, "success")
    data: dict[str, Any] = reply.body["data"]
    assert list(data) == ["task_id", "status", "input", "clips"]
    return data


async def complete_clip(http: aiohttp.ClientSession, emu: Emulator) -> str:
    """A clip of this emulator that is complete."""
    batch = await create35(http, emu)
    advance(emu, 40)
    clip_id: str = batch["clips"][0]["id"]
    assert (await clips(http, emu, clip_id))[0]["status"] == "complete"
    return clip_id


# -- v3.5 -------------------------------------------------------------------------------------


async def test_v35_create_answer_has_exactly_the_sample_keys(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    """The v3.5 pure-music answer has the sample's keys, two submitted clips and no audio yet."""
    batch = await create35(http, emu)
    assert list(batch) == list(SAMPLE)
    assert batch["status"] == "complete"
    assert batch["batch_size"] == 1
    assert batch["major_model_version"] == "v3.5"
    assert re.fullmatch(UUID, batch["id"])
    assert re.fullmatch(ISO_MS, batch["created_at"])
    assert set(batch["metadata"]) == set(SAMPLE["metadata"])
    assert len(batch["clips"]) == 2
    for clip in batch["clips"]:
        assert list(clip) == list(SAMPLE_CLIP)
        assert list(clip["metadata"]) == list(SAMPLE_CLIP_METADATA)
        assert re.fullmatch(UUID, clip["id"])
        assert (clip["status"], clip["audio_url"], clip["video_url"]) == ("submitted", "", "")
        assert (clip["title"], clip["major_model_version"]) == ("Dreams", "v3.5")
        meta = clip["metadata"]
        assert (meta["tags"], meta["prompt"], meta["type"]) == ("epic reggae", "", "gen")
        assert (meta["has_vocal"], meta["duration"], meta["history"]) == (False, None, None)
        assert (meta["error_type"], meta["error_message"]) == (None, None)
    assert batch["clips"][0]["id"] != batch["clips"][1]["id"]
    assert (emu.sunoapi_credits, emu.sunoapi_credits_spent) == (490, 10)
    assert emu.credits_spent == 0  # the other provider's account is untouched


async def test_v35_clips_progress_to_complete_with_playable_wav(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    """Clips go submitted, queued, streaming (served stream URL) and complete with a real WAV."""
    ids = [c["id"] for c in (await create35(http, emu))["clips"]]
    assert [c["status"] for c in await clips(http, emu, *ids)] == ["submitted"] * 2
    advance(emu, 3)
    assert [c["status"] for c in await clips(http, emu, *ids)] == ["queued"] * 2
    advance(emu, 5)
    streaming = (await clips(http, emu, *ids))[0]
    assert streaming["status"] == "streaming"
    assert streaming["audio_url"] == f"{emu.base_url}/cdn/stream/{ids[0]}.wav"
    assert (streaming["video_url"], streaming["metadata"]["duration"]) == ("", None)
    stream = await call(http, emu, "GET", streaming["audio_url"], headers={})
    assert (stream.status, stream.raw[:4]) == (200, b"RIFF")
    assert (await call(http, emu, "GET", f"/cdn/audio/{ids[0]}.wav", headers={})).status == 404
    advance(emu, 32)
    done = await clips(http, emu, *ids)
    assert [c["status"] for c in done] == ["complete"] * 2
    clip = done[0]
    base = emu.base_url
    assert clip["audio_url"] == f"{base}/cdn/audio/{ids[0]}.wav"
    assert clip["video_url"] == f"{base}/cdn/video/{ids[0]}.mp4"
    assert clip["image_url"] == f"{base}/cdn/image/{ids[0]}.jpeg"
    assert clip["metadata"]["duration"] == 6.0
    audio = await call(http, emu, "GET", clip["audio_url"], headers={})
    assert (audio.status, audio.headers["Content-Type"]) == (200, "audio/wav")
    with wave.open(io.BytesIO(audio.raw)) as wav:
        assert wav.getnframes() / wav.getframerate() == clip["metadata"]["duration"]
        assert any(wav.readframes(100))
    other = await call(http, emu, "GET", done[1]["audio_url"], headers={})
    assert other.raw != audio.raw
    assert emu.sunoapi_credits_spent == 10


async def test_v35_lyrics_song_keeps_its_lyrics(emu: Emulator, http: aiohttp.ClientSession) -> None:
    """create-lyrics-song makes two vocal clips whose metadata.prompt is the lyrics."""
    batch = await create35(http, emu, LYRICS35, prompt="[Verse]\nLa la", tags="pop")
    assert list(batch) == list(SAMPLE)
    for clip in batch["clips"]:
        assert clip["title"] == ""
        meta = clip["metadata"]
        assert (meta["prompt"], meta["tags"], meta["has_vocal"]) == ("[Verse]\nLa la", "pop", True)


async def test_clips_lookup_keeps_order_and_leaves_out_unknown_ids(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    """clips?ids= answers in the order asked, once per id, without the unknown ones."""
    a = [c["id"] for c in (await create35(http, emu))["clips"]]
    b = [c["id"] for c in (await create35(http, emu))["clips"]]
    found = await clips(http, emu, b[1], "no-such-clip", a[0], b[1], b[0])
    assert [c["id"] for c in found] == [b[1], a[0], b[0]]
    assert await clips(http, emu, "no-such-clip") == []
    spaced = await call(http, emu, "GET", f"{CLIPS}?ids= {a[0]} ,,{a[1]}&ids={b[0]}")
    assert [c["id"] for c in spaced.body["clips"]] == [a[0], a[1], b[0]]


async def test_clips_lookup_needs_ids_and_takes_at_most_50(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    """A lookup without ids, or with more than 50, is 400; exactly 50 is fine."""
    for query in ("", "?ids=", "?ids=,,"):
        assert error(await call(http, emu, "GET", CLIPS + query), 400) == "ids is required."
    fifty = [f"id-{n}" for n in range(50)]
    assert await clips(http, emu, *fifty) == []
    message = error(await call(http, emu, "GET", f"{CLIPS}?ids={','.join([*fifty, 'x'])}"), 400)
    assert message == "Too many ids: at most 50 clip ids per request, got 51."


async def test_extend_a_complete_clip(emu: Emulator, http: aiohttp.ClientSession) -> None:
    """extend answers the generate object with a history entry naming the extended clip."""
    source = await complete_clip(http, emu)
    body = {"prompt": "more", "tags": "rock", "continue_clip_id": source, "continue_at": 5.5}
    batch = await create35(http, emu, EXTEND, **body, title="Part 2")
    assert list(batch) == list(SAMPLE)
    for clip in batch["clips"]:
        assert list(clip) == list(SAMPLE_CLIP)
        assert (clip["status"], clip["title"]) == ("submitted", "Part 2")
        meta = clip["metadata"]
        assert meta["type"] == "gen"
        assert meta["history"] == [
            {"id": source, "continue_at": 5.5, "type": "gen", "source": "web", "infill": False}
        ]
    assert emu.sunoapi_credits_spent == 20
    at_end = body | {"continue_at": 6}
    assert (await call(http, emu, "POST", EXTEND, at_end)).status == 200


async def test_extend_refuses_bad_clips_and_positions(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    """extend needs a known complete clip and a continue_at within it; refusals cost nothing."""
    done = await complete_clip(http, emu)
    fresh = (await create35(http, emu))["clips"][0]["id"]
    base = {"prompt": "more", "tags": "rock", "continue_clip_id": done, "continue_at": 1}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"continue_clip_id": "nope"}, "continue_clip_id nope is not a clip of this account."),
        (
            {"continue_clip_id": fresh},
            f"Clip {fresh} cannot be extended: its status is submitted; "
            "only a complete clip can be extended.",
        ),
        (
            {"continue_at": 6.5},
            f"continue_at (6.5) must not exceed the duration of clip {done} (6 s).",
        ),
        ({"continue_at": -1}, "The 'continue_at' field should be a number >= 0."),
        ({"continue_at": "3"}, "The 'continue_at' field should be a number >= 0."),
        ({"continue_at": True}, "The 'continue_at' field should be a number >= 0."),
        ({"continue_at": None}, "continue_at is required."),
        ({"continue_clip_id": ""}, "continue_clip_id is required."),
        ({"prompt": ""}, "prompt is required."),
        ({"tags": None}, "tags is required."),
        (
            {"clip_id": done},
            "Unknown field(s) in body: clip_id. "
            "Allowed: continue_at, continue_clip_id, prompt, tags, title.",
        ),
    ]
    for change, expected in cases:
        assert error(await call(http, emu, "POST", EXTEND, base | change), 400) == expected
    assert emu.sunoapi_credits_spent == 20  # two creates, no extend


# -- v3.0 -------------------------------------------------------------------------------------


async def test_v30_custom_task_is_wrapped_and_followed_by_task_id(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    """v3.0 create answers {code, data: {task_id}, message}; clip/{id} goes pending to completed."""
    task_id = await create30(http, emu, LYRICS30, prompt="La", tags="jazz", title="T")
    assert re.fullmatch(UUID, task_id)
    data = await task30(http, emu, task_id)
    assert (data["task_id"], data["status"]) == (task_id, "pending")
    assert isinstance(data["input"], str)
    assert json.loads(data["input"]) == {
        "custom_mode": True,
        "gpt_description_prompt": "",
        "make_instrumental": False,
        "prompt": "La",
        "title": "T",
        "continue_at": 0,
        "continue_clip_id": "",
        "mv": "chirp-v3-0",
        "tags": "jazz",
    }
    assert list(json.loads(data["input"])) == [
        "custom_mode",
        "gpt_description_prompt",
        "make_instrumental",
        "prompt",
        "title",
        "continue_at",
        "continue_clip_id",
        "mv",
        "tags",
    ]
    assert len(data["clips"]) == 2
    for clip_id, clip in data["clips"].items():
        assert clip["id"] == clip_id
        assert list(clip) == list(SAMPLE_CLIP)
        assert (clip["status"], clip["major_model_version"]) == ("submitted", "v3")
    advance(emu, 3)
    data = await task30(http, emu, task_id)
    assert data["status"] == "processing"
    assert {c["status"] for c in data["clips"].values()} == {"queued"}
    advance(emu, 5)
    assert (await task30(http, emu, task_id))["status"] == "processing"
    advance(emu, 32)
    data = await task30(http, emu, task_id)
    assert data["status"] == "completed"
    ids = list(data["clips"])
    for clip in data["clips"].values():
        assert clip["status"] == "complete"
        audio = await call(http, emu, "GET", clip["audio_url"], headers={})
        assert (audio.status, audio.raw[:4]) == (200, b"RIFF")
    assert [c["id"] for c in await clips(http, emu, *ids)] == ids  # one clip space
    pure = await create30(http, emu, PURE30, tags="ambient")
    given = json.loads((await task30(http, emu, pure))["input"])
    assert (given["make_instrumental"], given["prompt"], given["title"]) == (True, "", "")
    assert emu.sunoapi_credits_spent == 20


@pytest.mark.parametrize(
    ("path", "instrumental"), [(RANDOM_PURE30, True), (RANDOM_LYRICS30, False)]
)
async def test_v30_random_endpoints_take_a_description(
    emu: Emulator, http: aiohttp.ClientSession, path: str, instrumental: bool
) -> None:
    """The random endpoints record the description as gpt_description_prompt, not custom."""
    task_id = await create30(http, emu, path, description="a calm sea at night")
    data = await task30(http, emu, task_id)
    given = json.loads(data["input"])
    assert given["custom_mode"] is False
    assert given["gpt_description_prompt"] == "a calm sea at night"
    assert given["make_instrumental"] is instrumental
    for clip in data["clips"].values():
        assert (clip["title"], clip["metadata"]["tags"]) == ("a calm sea at night", "")
        meta = clip["metadata"]
        assert meta["gpt_description_prompt"] == "a calm sea at night"
        assert meta["has_vocal"] is not instrumental
        assert (meta["prompt"] == "") is instrumental


async def test_v30_unknown_or_missing_task(emu: Emulator, http: aiohttp.ClientSession) -> None:
    """An unknown task (or a v3.5 batch id) is 404 'task not found.'; no id at all is 400."""
    assert error(await call(http, emu, "GET", f"{V30}/clip/nope"), 404) == "task not found."
    batch_id = (await create35(http, emu))["id"]
    assert error(await call(http, emu, "GET", f"{V30}/clip/{batch_id}"), 404) == "task not found."
    for path in (f"{V30}/clip", f"{V30}/clip/"):
        assert error(await call(http, emu, "GET", path), 400) == "missing task id."


# -- errors -----------------------------------------------------------------------------------


async def test_auth_errors_use_the_documented_texts(http: aiohttp.ClientSession) -> None:
    """No header is 'missing'; a non-Bearer header or a wrong key is 'invalid format'."""
    async with Emulator(EmulatorConfig(api_key=KEY), clock=VirtualClock()) as emu:
        body = {"tags": "pop"}
        missing = await call(http, emu, "POST", PURE35, body, headers={})
        assert error(missing, 401) == "Authorization header is missing."
        for header in ("Token test-key", "Bearer", "Bearer wrong-key", "test-key"):
            reply = await call(http, emu, "POST", PURE35, body, headers={"Authorization": header})
            assert error(reply, 401) == "Invalid authorization format.", header
        assert (await call(http, emu, "GET", f"{CLIPS}?ids=x", headers={})).status == 401
        assert (await call(http, emu, "POST", PURE35, body)).status == 200
        assert [r.authorized for r in emu.requests] == [False] * 6 + [True]
        assert emu.sunoapi_credits_spent == 10


async def test_unknown_api_routes_are_404_without_auth(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    """An unknown /api/ route, or a known one with the wrong method, is 404 'Not found: ...'."""
    reply = await call(http, emu, "GET", "/api/v2/suno/v4/clips", headers={})
    assert error(reply, 404) == "Not found: GET /api/v2/suno/v4/clips"
    assert error(await call(http, emu, "GET", PURE35), 404) == f"Not found: GET {PURE35}"
    assert error(await call(http, emu, "POST", CLIPS), 404) == f"Not found: POST {CLIPS}"


LONG_CASES = [
    (
        LYRICS35,
        {"prompt": "x" * 3000, "tags": "pop"},
        "The prompt character length should be less than 3000.",
    ),
    (PURE35, {"tags": "x" * 200}, "The tags character length should be less than 200."),
    (
        PURE30,
        {"tags": "pop", "title": "x" * 80},
        "The title character length should be less than 80.",
    ),
    (
        RANDOM_PURE30,
        {"description": "x" * 120},
        "The description character length should be less than 120.",
    ),
]


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        *LONG_CASES,
        (PURE35, {}, "tags is required."),
        (PURE35, {"tags": "  ", "title": "t"}, "tags is required."),
        (PURE30, {"title": "t"}, "tags is required."),
        (LYRICS35, {"tags": "pop"}, "prompt is required."),
        (LYRICS30, {"prompt": "la"}, "tags is required."),
        (LYRICS30, {}, "prompt is required."),
        (RANDOM_PURE30, {}, "description is required."),
        (RANDOM_LYRICS30, {"description": ""}, "description is required."),
        (EXTEND, {}, "prompt is required."),
        (PURE35, {"tags": 5}, "The 'tags' field should be string."),
        (PURE35, {"tags": "pop", "title": ["a"]}, "The 'title' field should be string."),
        (
            PURE35,
            {"tags": "pop", "prompt": "la", "mv": "x"},
            "Unknown field(s) in body: mv, prompt. Allowed: tags, title.",
        ),
        (
            RANDOM_PURE30,
            {"description": "d", "tags": "pop"},
            "Unknown field(s) in body: tags. Allowed: description.",
        ),
        (PURE35, [1, 2], "Request body must be a JSON object."),
    ],
)
async def test_bad_bodies_are_400_with_the_documented_wording(
    emu: Emulator, http: aiohttp.ClientSession, path: str, body: Any, message: str
) -> None:
    """Every refused body is 400 {code, message} with the provider's wording, and costs nothing."""
    assert error(await call(http, emu, "POST", path, body), 400) == message
    assert emu.sunoapi_credits_spent == 0


async def test_texts_under_the_limits_pass_and_bodies_need_json(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    """Lengths just under the limits pass; a body that is not application/json counts as empty."""
    await create35(http, emu, LYRICS35, prompt="x" * 2999, tags="y" * 199, title="z" * 79)
    await create30(http, emu, RANDOM_LYRICS30, description="d" * 119)
    async with http.post(
        emu.base_url + PURE35,
        data=b'{"tags": "pop"}',
        headers=AUTH | {"Content-Type": "text/plain"},
    ) as resp:
        assert resp.status == 400
        assert await resp.json() == {"code": 400, "message": "tags is required."}
    async with http.post(
        emu.base_url + PURE35, data=b"{", headers=AUTH | {"Content-Type": "application/json"}
    ) as resp:
        assert resp.status == 400
        assert (await resp.json())["message"].startswith("Request body is not valid JSON")
    assert emu.sunoapi_credits_spent == 20


async def test_short_balance_is_403_and_the_accounts_are_separate(
    http: aiohttp.ClientSession,
) -> None:
    """A call the sunoapi.com balance cannot pay is 403; the other provider's credits are apart."""
    config = EmulatorConfig(sunoapi_credits=15, credits=0)
    async with Emulator(config, clock=VirtualClock()) as emu:
        await create35(http, emu)
        assert error(await call(http, emu, "POST", PURE35, {"tags": "pop"}), 403) == NOT_ENOUGH
        reply = await call(http, emu, "POST", RANDOM_PURE30, {"description": "d"})
        assert error(reply, 403) == NOT_ENOUGH
        assert (emu.sunoapi_credits, emu.sunoapi_credits_spent) == (5, 10)
        assert (emu.credits, emu.credits_spent) == (0, 0)


def test_config_checks_the_sunoapi_fields() -> None:
    """EmulatorConfig refuses a negative sunoapi balance or cost and misordered timings."""
    with pytest.raises(ValueError, match="sunoapi_credits"):
        EmulatorConfig(sunoapi_credits=-1)
    with pytest.raises(ValueError, match="sunoapi_call_cost"):
        EmulatorConfig(sunoapi_call_cost=-1)
    with pytest.raises(ValueError, match="sunoapi_queued_seconds"):
        EmulatorConfig(sunoapi_queued_seconds=50)
    assert EmulatorConfig().sunoapi_credits == 500
    assert EmulatorConfig().sunoapi_call_cost == 10


# -- faults -----------------------------------------------------------------------------------


async def test_music_failure_ends_clips_in_error_and_refunds(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    """fail_next_tasks('music') errors both clips (default and given texts) and refunds."""
    emu.fail_next_tasks("music")
    emu.fail_next_tasks("music", reason="Too loud.", code=4002)
    first = [c["id"] for c in (await create35(http, emu))["clips"]]
    task_id = await create30(http, emu, PURE30, tags="pop")
    assert (emu.sunoapi_credits, emu.sunoapi_credits_spent) == (480, 20)
    advance(emu, 8)
    assert [c["status"] for c in await clips(http, emu, *first)] == ["streaming"] * 2
    advance(emu, 32)
    for clip in await clips(http, emu, *first):
        assert (clip["status"], clip["audio_url"], clip["video_url"]) == ("error", "", "")
        meta = clip["metadata"]
        assert (meta["error_type"], meta["error_message"]) == (
            "moderation",
            "The lyrics were flagged.",
        )
    gone = await call(http, emu, "GET", f"/cdn/stream/{first[0]}.wav", headers={})
    assert gone.status == 404
    data = await task30(http, emu, task_id)
    assert data["status"] == "failed"
    for clip in data["clips"].values():
        assert (clip["metadata"]["error_type"], clip["metadata"]["error_message"]) == (
            "4002",
            "Too loud.",
        )
    assert (emu.sunoapi_credits, emu.sunoapi_credits_spent) == (500, 0)
    assert emu.credits_spent == 0
    after = [c["id"] for c in (await create35(http, emu))["clips"]]
    advance(emu, 40)
    assert [c["status"] for c in await clips(http, emu, *after)] == ["complete"] * 2


async def test_music_timeout_and_stall(emu: Emulator, http: aiohttp.ClientSession) -> None:
    """A timed-out call errors with error_type 'timeout' (refunded); a stalled one stays queued."""
    emu.timeout_next_tasks("music")
    emu.stall_next_tasks("music")
    timed_out = [c["id"] for c in (await create35(http, emu))["clips"]]
    stalled = await create30(http, emu, LYRICS30, prompt="la", tags="pop")
    advance(emu, 1000)
    for clip in await clips(http, emu, *timed_out):
        assert clip["status"] == "error"
        assert clip["metadata"]["error_type"] == "timeout"
        assert clip["metadata"]["error_message"] == "Task timed out."
    data = await task30(http, emu, stalled)
    assert data["status"] == "processing"
    assert {c["status"] for c in data["clips"].values()} == {"queued"}
    assert {c["audio_url"] for c in data["clips"].values()} == {""}
    assert emu.sunoapi_credits_spent == 10  # the stalled call is never refunded


async def test_music_unknown_status_while_waiting(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    """unknown_status_next_tasks('music') replaces submitted/queued (and pending), then goes on."""
    emu.unknown_status_next_tasks("music", "paused")
    task_id = await create30(http, emu, PURE30, tags="pop")
    data = await task30(http, emu, task_id)
    assert data["status"] == "paused"
    assert {c["status"] for c in data["clips"].values()} == {"paused"}
    advance(emu, 8)
    assert {c["status"] for c in (await task30(http, emu, task_id))["clips"].values()} == {
        "streaming"
    }


async def test_inject_http_and_drop_next_on_sunoapi_routes(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    """HTTP faults match the new routes: injected answers use {code, message}; drops hang up."""
    emu.inject_http("POST", PURE35, 503, headers={"Retry-After": "1"})
    emu.inject_http("GET", CLIPS, 429, times=2)
    reply = await call(http, emu, "POST", PURE35, {"tags": "pop"})
    assert error(reply, 503) == "Service unavailable: retry later."
    assert reply.headers["Retry-After"] == "1"
    assert emu.sunoapi_credits_spent == 0
    ids = [c["id"] for c in (await create35(http, emu))["clips"]]
    for _ in range(2):
        reply = await call(http, emu, "GET", f"{CLIPS}?ids={ids[0]}", headers={})
        assert error(reply, 429) == "Too many requests: slow down and retry later."
    assert len(await clips(http, emu, *ids)) == 2
    emu.drop_next("POST", PURE30, after_work=True)
    emu.drop_next("GET", CLIPS, after_work=False)
    with pytest.raises(aiohttp.ClientError):
        await call(http, emu, "POST", PURE30, {"tags": "pop"})
    assert emu.sunoapi_credits_spent == 20  # the work was done, only the answer was lost
    # A raw request: aiohttp's client would quietly send a dropped GET a second time.
    host, port = emu.base_url.removeprefix("http://").rsplit(":", 1)
    async with await anyio.connect_tcp(host, int(port)) as stream:
        request = f"GET {CLIPS}?ids={ids[0]} HTTP/1.1\r\nHost: {host}\r\n"
        await stream.send(f"{request}Authorization: Bearer {KEY}\r\n\r\n".encode())
        with pytest.raises(anyio.EndOfStream):
            await stream.receive()
    assert len(await clips(http, emu, *ids)) == 2
    assert [r.status for r in emu.requests if r.path == CLIPS] == [429, 429, 200, 499, 200]


async def test_request_log_counts_sunoapi_requests(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    """sunoapi.com requests are logged like the others, so clip lookups can be counted."""
    ids = [c["id"] for c in (await create35(http, emu))["clips"]]
    for _ in range(3):
        await clips(http, emu, *ids)
    assert emu.count("GET", CLIPS) == 3
    assert emu.count("POST", PURE35) == 1
    last = emu.requests[-1]
    assert (last.method, last.path, last.status) == ("GET", CLIPS, 200)
    assert last.query == f"ids={','.join(ids)}"
    assert (last.authorized, last.has_auth_header) == (True, True)
