"""The emulator's sunoapi.com v1 routes (credits, create, make-lyrics, stems, task lookups) and
its webhook deliveries with their faults, spoken to over real sockets with plain aiohttp.

Time moves through the emulator's ``VirtualClock``: by ``advance``, or on its own while a
webhook delivery is due and nothing else happens. A create's songs are ``pending`` for 3 s,
``running`` until 8 s, ``streaming`` until 40 s, then ``succeeded``; lyrics take 5 s and stems
30 s.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import msgspec
import pytest
from aiohttp import web

from suno_async.emulator import Emulator, EmulatorConfig, Readings, VirtualClock, WebhookFault
from suno_async.emulator._sunoapi._webhooks import DEFAULT_SECRET

from ..helpers import Reply, advance, call, tiny_server

pytestmark = pytest.mark.anyio

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
V1 = "/api/v1"
CREDITS = f"{V1}/get-credits"
CREATE = f"{V1}/suno/create"
LYRICS = f"{V1}/suno/make-lyrics"
BASIC = f"{V1}/suno/stems/basic"
FULL = f"{V1}/suno/stems/full"
SONG_KEYS = {
    "clip_id", "state", "title", "tags", "lyrics", "image_url", "audio_url", "video_url",
    "created_at", "gpt_description_prompt", "duration", "negative_tags", "style_weight",
    "weirdness_constraint", "mv",
}  # fmt: skip
NOT_ENOUGH = (
    "The remaining credits are not enough. You can buy more one-time credit packs or subscribe."
)
SECRET = "hook-secret-1"
SONG = {"custom_mode": True, "prompt": "[Verse]\nla", "tags": "pop", "title": "Song"}


@pytest.fixture
async def emulator(emulator_config: EmulatorConfig) -> AsyncIterator[Emulator]:
    """The emulator on a clock that jumps only after 50 ms of quiet, so a webhook delivery in
    flight on loopback arrives before the clock moves on."""
    async with Emulator(emulator_config, clock=VirtualClock(autojump=0.05)) as emu:
        yield emu


def error(reply: Reply, status: int) -> str:
    assert reply.status == status, reply.body
    assert set(reply.body) == {"code", "message"}
    assert reply.body["code"] == status
    message: str = reply.body["message"]
    return message


async def submit(http: aiohttp.ClientSession, emu: Emulator, path: str, body: Any) -> str:
    reply = await call(http, emu, "POST", path, body)
    assert reply.status == 200, reply.body
    if path in (BASIC, FULL):
        assert set(reply.body) == {"message", "task_id"}
        task_id: str = reply.body["task_id"]
    else:
        assert reply.body["code"] == 200
        assert reply.body["message"] == "success"
        assert set(reply.body["data"]) == {"task_id"}
        task_id = reply.body["data"]["task_id"]
    return task_id


async def items(http: aiohttp.ClientSession, emu: Emulator, task_id: str) -> list[dict[str, Any]]:
    reply = await call(http, emu, "GET", f"{V1}/suno/task/{task_id}")
    assert reply.status == 200, reply.body
    assert reply.body["code"] == 200
    data: list[dict[str, Any]] = reply.body["data"]
    return data


# -- credits -------------------------------------------------------------------------------------


async def test_credits_agree_with_the_ledger(emu: Emulator, http: aiohttp.ClientSession) -> None:
    """The balance answer is the account's balance, v2 and v1 calls alike, refunds included."""
    reply = await call(http, emu, "GET", CREDITS)
    assert reply.body == {"credits": 500, "extra_credits": 0}
    await submit(http, emu, CREATE, SONG)
    await submit(http, emu, LYRICS, {"prompt": "rain"})
    emu.fail_next_tasks("music")
    await submit(http, emu, CREATE, SONG)
    assert (await call(http, emu, "GET", CREDITS)).body["credits"] == 478
    advance(emu, 41)  # the failed song is refunded
    balance = (await call(http, emu, "GET", CREDITS)).body["credits"]
    assert balance == 488 == emu.sunoapi_credits == 500 - emu.sunoapi_credits_spent
    assert [c.kind for c in emu.charges] == ["music", "lyrics", "music"]
    assert [c.state for c in emu.charges] == ["kept", "kept", "refunded"]


async def test_credits_need_the_key(emu: Emulator, http: aiohttp.ClientSession) -> None:
    assert error(await call(http, emu, "GET", CREDITS, headers={}), 401) == (
        "Authorization header is missing."
    )


# -- create --------------------------------------------------------------------------------------


async def test_a_songs_timeline(emu: Emulator, http: aiohttp.ClientSession) -> None:
    task_id = await submit(http, emu, CREATE, SONG | {"mv": "chirp-v5"})
    assert re.fullmatch(UUID, task_id)
    states = []
    for step in (0, 3, 5, 32):  # t = 0, 3, 8, 40
        advance(emu, step)
        songs = await items(http, emu, task_id)
        assert len(songs) == 2
        assert all(set(song) == SONG_KEYS for song in songs)
        states.append(songs[0]["state"])
    assert states == ["pending", "running", "streaming", "succeeded"]
    song = songs[0]
    assert song["title"] == "Song"
    assert song["lyrics"] == "[Verse]\nla"
    assert song["mv"] == "chirp-v5"
    assert song["duration"] == "6.00"
    assert song["video_url"] is None
    async with http.get(song["audio_url"]) as audio:
        assert audio.status == 200
        assert (await audio.read())[:4] == b"RIFF"


async def test_a_streaming_song_can_be_played(emu: Emulator, http: aiohttp.ClientSession) -> None:
    task_id = await submit(http, emu, CREATE, SONG)
    advance(emu, 10)
    song = (await items(http, emu, task_id))[0]
    assert song["state"] == "streaming"
    assert "/cdn/stream/" in song["audio_url"]
    async with http.get(song["audio_url"]) as audio:
        assert audio.status == 200


async def test_description_mode_makes_up_the_song(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    task_id = await submit(http, emu, CREATE, {"gpt_description_prompt": "a calm sea"})
    song = (await items(http, emu, task_id))[0]
    assert (song["title"], song["tags"], song["lyrics"]) == (
        "a calm sea",
        "",
        "[Verse]\na calm sea",
    )
    assert song["gpt_description_prompt"] == "a calm sea"
    assert song["mv"] == "chirp-v4"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"custom_mode": "yes"}, "The 'custom_mode' field should be boolean."),
        (SONG | {"make_instrumental": 1}, "The 'make_instrumental' field should be boolean."),
        (SONG | {"mv": "v5"}, "The 'mv' field is invalid."),
        ({"custom_mode": True, "prompt": "la"}, "tags is required."),
        ({"custom_mode": True, "tags": "pop"}, "prompt is required."),
        ({}, "description is required."),
        ({"custom_mode": False, "gpt_description_prompt": "  "}, "description is required."),
        (SONG | {"prompt": "x" * 3000}, "The prompt character length should be less than 3000."),
        (SONG | {"tags": "x" * 200}, "The tags character length should be less than 200."),
        (SONG | {"title": "x" * 80}, "The title character length should be less than 80."),
        (
            {"gpt_description_prompt": "x" * 200},
            "The 'gpt_description_prompt' character length should be less than 200.",
        ),
        (SONG | {"webhook_url": "ftp://x"}, "The 'webhook_url' field should be an http(s) URL."),
        (SONG | {"title": 5}, "The 'title' field should be string."),
        (
            SONG | {"callBackUrl": "https://x.org"},
            "Unknown field(s) in body: callBackUrl. "
            "Allowed: custom_mode, gpt_description_prompt, make_instrumental, mv, prompt, tags, "
            "title, webhook_secret, webhook_url.",
        ),
    ],
)
async def test_bad_create_bodies_are_400_and_cost_nothing(
    emu: Emulator, http: aiohttp.ClientSession, body: dict[str, Any], message: str
) -> None:
    assert error(await call(http, emu, "POST", CREATE, body), 400) == message
    assert emu.sunoapi_credits_spent == 0


async def test_texts_under_the_limits_pass(emu: Emulator, http: aiohttp.ClientSession) -> None:
    await submit(http, emu, CREATE, SONG | {"prompt": "x" * 2999, "title": "t" * 79})
    await submit(http, emu, CREATE, {"gpt_description_prompt": "d" * 199})
    await submit(http, emu, CREATE, {"custom_mode": True, "tags": "pop", "make_instrumental": True})


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(sunoapi_credits=9)])
async def test_a_short_balance_is_403(emu: Emulator, http: aiohttp.ClientSession) -> None:
    assert error(await call(http, emu, "POST", CREATE, SONG), 403) == NOT_ENOUGH
    await submit(http, emu, LYRICS, {"prompt": "rain"})  # 2 fit
    assert emu.sunoapi_credits == 7


# -- lyrics and stems ----------------------------------------------------------------------------


async def test_lyrics_are_written_in_five_seconds(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    task_id = await submit(http, emu, LYRICS, {"prompt": "rain on the window"})
    (item,) = await items(http, emu, task_id)
    assert item == {"state": "running", "title": "Rain On The Window", "text": None}
    advance(emu, 5)
    (item,) = await items(http, emu, task_id)
    assert item["state"] == "succeeded"
    assert item["text"].startswith("[Verse]\nrain on the window")
    assert emu.sunoapi_credits == 498


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "prompt is required."),
        ({"prompt": 5}, "The 'prompt' field should be string."),
        ({"prompt": "x" * 200}, "The prompt character length should be less than 200."),
        ({"prompt": "x", "tags": "y"}, "Unknown field(s) in body: tags. Allowed: prompt."),
    ],
)
async def test_bad_lyrics_bodies(
    emu: Emulator, http: aiohttp.ClientSession, body: dict[str, Any], message: str
) -> None:
    assert error(await call(http, emu, "POST", LYRICS, body), 400) == message


async def test_stems_split_a_finished_song(emu: Emulator, http: aiohttp.ClientSession) -> None:
    song_task = await submit(http, emu, CREATE, SONG)
    song = (await items(http, emu, song_task))[0]
    assert error(await call(http, emu, "POST", FULL, {"clip_id": song["clip_id"]}), 400).startswith(
        f"Clip {song['clip_id']} cannot be split into stems"
    )
    advance(emu, 40)
    basic = await submit(http, emu, BASIC, {"clip_id": song["clip_id"]})
    full = await submit(http, emu, FULL, {"clip_id": song["clip_id"]})
    tracks = await items(http, emu, full)
    assert tracks[0]["state"] == "pending"
    assert set(tracks[0]) == {"clip_id", "state", "title", "audio_url", "duration", "created_at"}
    advance(emu, 30)
    assert [t["title"] for t in await items(http, emu, basic)] == [
        "Song (Vocals)",
        "Song (Instrumental)",
    ]
    tracks = await items(http, emu, full)
    assert len(tracks) == 12
    assert {t["state"] for t in tracks} == {"succeeded"}
    async with http.get(tracks[5]["audio_url"]) as audio:
        assert audio.status == 200
    assert [c.kind for c in emu.charges] == ["music", "stems", "stems"]
    assert emu.sunoapi_credits == 490  # stems cost 0 by default: no published price


async def test_stems_need_a_song_of_the_account(emu: Emulator, http: aiohttp.ClientSession) -> None:
    assert error(await call(http, emu, "POST", BASIC, {}), 400) == "clip_id is required."
    assert error(await call(http, emu, "POST", BASIC, {"clip_id": "nope"}), 400) == (
        "clip_id nope is not a song of this account."
    )


# -- task lookups --------------------------------------------------------------------------------


async def test_unknown_and_missing_task_ids(emu: Emulator, http: aiohttp.ClientSession) -> None:
    assert error(await call(http, emu, "GET", f"{V1}/suno/task/nope"), 404) == "task not found."
    assert error(await call(http, emu, "GET", f"{V1}/suno/task"), 400) == "missing task id."


async def test_the_odd_readings_apply_to_v1(http: aiohttp.ClientSession) -> None:
    async with Emulator(EmulatorConfig(readings=Readings.odd()), clock=VirtualClock()) as emu:
        reply = await call(http, emu, "POST", CREATE, SONG)
        assert reply.status == 200 == reply.body["code"]  # the odd reading: 200 for every POST
        task_id = reply.body["data"]["task_id"]
        assert isinstance(task_id, int)
        song = (await items(http, emu, str(task_id)))[0]
        assert song["state"] == "Pending"
        assert isinstance(song["clip_id"], int)
        assert error(await call(http, emu, "GET", f"{V1}/suno/task/1"), 400) == "task not found."


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(sunoapi_double_charges=1)])
async def test_a_double_charge_bills_one_call_twice(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    first = await submit(http, emu, CREATE, SONG)
    await submit(http, emu, CREATE, SONG)
    assert emu.sunoapi_credits == 470
    assert [c.task_id for c in emu.charges].count(first) == 2


# -- webhooks ------------------------------------------------------------------------------------


@dataclass
class Arrival:
    at: float
    headers: dict[str, str]
    body: bytes


@asynccontextmanager
async def catcher(emu: Emulator, status: int = 200) -> AsyncIterator[tuple[str, list[Arrival]]]:
    """A loopback server recording every delivery with the clock time it arrived."""
    arrivals: list[Arrival] = []

    async def record(request: web.Request) -> web.Response:
        body = await request.read()
        arrivals.append(Arrival(emu.clock.now(), dict(request.headers), body))
        return web.json_response({"ok": True}, status=status)

    async with tiny_server(record) as url:
        yield url + "/hook", arrivals


def digest(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


async def wait_for(emu: Emulator, seconds: float) -> None:
    clock = emu.clock
    assert isinstance(clock, VirtualClock)
    await clock.sleep(seconds)


async def test_a_webhook_is_delivered_signed_when_the_task_ends(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    async with catcher(emu) as (url, arrivals):
        task_id = await submit(
            http, emu, CREATE, SONG | {"webhook_url": url, "webhook_secret": SECRET}
        )
        await wait_for(emu, 45)
        (arrival,) = arrivals
        assert arrival.at == pytest.approx(40.0)
        body = msgspec.json.decode(arrival.body)
        assert set(body) == {"code", "task_id", "platform", "data", "message"}
        assert (body["task_id"], body["platform"], body["code"]) == (task_id, "suno", 200)
        assert body["data"] == await items(http, emu, task_id)
        headers = arrival.headers
        assert headers["X-Signature"] == digest(SECRET, arrival.body)
        stamp = headers["X-Webhook-Timestamp"]
        assert abs(int(stamp) - time.time()) < 60  # real wall time, not the emulator's clock
        expected = "sha256=" + digest(SECRET, stamp.encode() + b"." + arrival.body)
        assert headers["X-Webhook-Signature"] == expected
        assert headers["X-Webhook-Id"] == headers["Idempotency-Key"]
        assert headers["X-Webhook-Event"] == "song.completed"


async def test_a_failed_task_is_delivered_too_and_unsigned_creates_use_the_default(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    emu.fail_next_tasks("music", reason="The lyrics were flagged.")
    async with catcher(emu, status=500) as (url, arrivals):
        await submit(http, emu, CREATE, SONG | {"webhook_url": url})
        await wait_for(emu, 100)
    (arrival,) = arrivals  # a 500 is not retried
    assert arrival.headers["X-Webhook-Event"] == "song.failed"
    assert arrival.headers["X-Signature"] == digest(DEFAULT_SECRET, arrival.body)
    song = msgspec.json.decode(arrival.body)["data"][0]
    assert (song["state"], song["error_message"]) == ("failed", "The lyrics were flagged.")


async def test_a_stalled_task_sends_nothing(emu: Emulator, http: aiohttp.ClientSession) -> None:
    emu.stall_next_tasks("music")
    async with catcher(emu) as (url, arrivals):
        await submit(http, emu, CREATE, SONG | {"webhook_url": url, "webhook_secret": SECRET})
        advance(emu, 1000)
        await wait_for(emu, 1)
    assert arrivals == []


@pytest.mark.parametrize(
    "emulator_config",
    [
        EmulatorConfig(
            webhook_faults=(
                WebhookFault("lose"),
                WebhookFault("duplicate"),
                WebhookFault("late", seconds=25),
                WebhookFault("bad_signature"),
                WebhookFault("stale"),
            )
        )
    ],
)
async def test_webhook_faults_in_order(emu: Emulator, http: aiohttp.ClientSession) -> None:
    """Each delivery takes the next fault: lost, twice, 25 s late, badly signed, stale."""
    async with catcher(emu) as (url, arrivals):
        tasks = []
        for _ in range(6):
            body = SONG | {"webhook_url": url, "webhook_secret": SECRET}
            tasks.append(await submit(http, emu, CREATE, body))
        await wait_for(emu, 80)
    by_task: dict[str, list[Arrival]] = {}
    for arrival in arrivals:
        by_task.setdefault(msgspec.json.decode(arrival.body)["task_id"], []).append(arrival)
    lost, twice, late, forged, stale, fine = tasks
    assert lost not in by_task
    assert len(by_task[twice]) == 2
    assert by_task[twice][0].body == by_task[twice][1].body
    assert (
        by_task[twice][0].headers["Idempotency-Key"] == by_task[twice][1].headers["Idempotency-Key"]
    )
    assert by_task[late][0].at == pytest.approx(65.0)
    bad = by_task[forged][0]
    assert bad.headers["X-Signature"] != digest(SECRET, bad.body)
    old = by_task[stale][0]
    stamp = old.headers["X-Webhook-Timestamp"]
    assert time.time() - int(stamp) > 3000
    assert old.headers["X-Webhook-Signature"] == "sha256=" + digest(
        SECRET, stamp.encode() + b"." + old.body
    )
    good = by_task[fine][0]
    assert good.headers["X-Signature"] == digest(SECRET, good.body)
    assert good.at == pytest.approx(40.0)


def test_webhook_faults_check_their_arguments() -> None:
    with pytest.raises(ValueError, match="unknown webhook effect"):
        WebhookFault("explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="times"):
        WebhookFault("lose", times=0)
    with pytest.raises(ValueError, match="seconds"):
        WebhookFault("late", seconds=-1)
    with pytest.raises(TypeError, match="webhook_faults"):
        EmulatorConfig(webhook_faults=[WebhookFault("lose")])  # type: ignore[arg-type]
    assert WebhookFault("stale").delay == 3600.0
    assert WebhookFault("lose").delay == 0.0


async def test_descriptions_are_limited_to_fewer_than_120_characters(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    """The vendor's list: "The description character length should be less than 120." (the
    emulator allowed 199 before)."""
    path = "/api/v2/suno/v3.0/random/create-pure-music"
    reply = await call(http, emu, "POST", path, {"description": "d" * 120})
    assert error(reply, 400) == "The description character length should be less than 120."
    assert (await call(http, emu, "POST", path, {"description": "d" * 119})).status == 200
