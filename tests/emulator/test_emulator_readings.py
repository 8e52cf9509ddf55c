"""The emulator's readings of the docs, and chaos 5xx before or after the work.

Each reading (:class:`~suno_async.emulator.Readings`) is checked over real sockets with a plain
aiohttp client: the emulator answers as configured, and the documented reading answers as it
always did. Task time moves only through the emulator's ``VirtualClock``.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

import suno_async.emulator as emulator_pkg
from suno_async.cli import main
from suno_async.cli._emulator import emulator_config
from suno_async.cli._main import parse
from suno_async.emulator import (
    Chaos,
    Charge,
    Emulator,
    EmulatorConfig,
    Readings,
    VirtualClock,
    readings_from,
)
from suno_async.emulator._readings import ODD_READINGS, READING_VALUES, SINGLE_READINGS

from ..helpers import AUTH, Reply, advance, call, fake_serve

pytestmark = pytest.mark.anyio

PREPARE = "/suno/v2/customModel/prepare"
UPLOAD = "/suno/v2/customModel/upload"
CREATE = "/suno/v2/customModel/create"
GENERATE = "/suno/v2/generate"
STATUS = "/suno/v2/status"
PURE35 = "/api/v2/suno/v3.5/custom/create-pure-music"
EXTEND35 = "/api/v2/suno/v3.5/extend"
CLIPS35 = "/api/v2/suno/v3.5/clips"
PURE30 = "/api/v2/suno/v3.0/custom/create-pure-music"
CLIP30 = "/api/v2/suno/v3.0/clip"
GENERATE_BODY = {"task": "create", "model": "chirp-v50", "prompt": "la la", "tags": "Pop"}
JS_SAFE = 2**53 - 1


@asynccontextmanager
async def running(readings: Readings, **config: Any) -> AsyncIterator[Emulator]:
    """An emulator with ``readings`` (uploads free, so balances count the paid calls only)."""
    settings: dict[str, Any] = {"upload_cost": 0, **config}
    async with Emulator(EmulatorConfig(readings=readings, **settings), clock=VirtualClock()) as emu:
        yield emu


async def trained_session(
    http: aiohttp.ClientSession, emu: Emulator
) -> tuple[Any, list[str], Reply]:
    """Prepare a session and upload six samples into it; the session id as sent, the clip ids
    and the prepare answer."""
    prepared = await call(http, emu, "POST", PREPARE)
    session_id = prepared.body["sessionId"]
    uploads = []
    for url in emu.sample_audio_urls(6):
        reply = await call(http, emu, "POST", UPLOAD, {"sessionId": session_id, "audioUrl": url})
        uploads.append(reply.body["taskId"])
    advance(emu, emu.config.upload_seconds)
    clip_ids = []
    for task_id in uploads:
        snapshot = (await call(http, emu, "GET", f"{STATUS}?taskId={task_id}")).body
        clip_ids.append(snapshot["data"]["id"])
    return session_id, clip_ids, prepared


# -- the Readings value ---------------------------------------------------------------------


def test_readings_default_is_the_documented_reading() -> None:
    """Readings() is documented, frozen, and the config's default; each variant differs in one
    field, the odd reading in every field."""
    readings = Readings()
    assert readings.documented
    assert readings.describe() == "documented"
    assert EmulatorConfig().readings == readings
    with pytest.raises(dataclasses.FrozenInstanceError):
        readings.numeric_ids = True  # type: ignore[misc]
    fields = [f.name for f in dataclasses.fields(Readings)]
    assert set(ODD_READINGS.settings()) == set(fields)
    assert Readings.odd() is ODD_READINGS
    assert Readings.variants() == SINGLE_READINGS
    assert all(len(variant.settings()) == 1 for variant in SINGLE_READINGS)
    assert {name for v in SINGLE_READINGS for name in v.settings()} == set(fields)


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"status_case": "shouty"}, "status_case"),
        ({"numeric_ids": 1}, "numeric_ids"),
        ({"numeric_fail_codes": "yes"}, "numeric_fail_codes"),
        ({"unknown_task_status": 410}, "unknown_task_status"),
        ({"unknown_task_status": True}, "unknown_task_status"),
        ({"session_before_create": "open"}, "session_before_create"),
        ({"created_status": 202}, "created_status"),
        ({"generic_content_type": "binary"}, "generic_content_type"),
        ({"generic_content_type": "text/plain\r\nX: y"}, "generic_content_type"),
    ],
)
def test_readings_refuse_values_outside_their_choices(fields: dict[str, Any], match: str) -> None:
    """Every field is checked when the Readings is made, naming the field."""
    with pytest.raises(ValueError, match=match):
        Readings(**fields)


def test_config_refuses_readings_of_the_wrong_type() -> None:
    """EmulatorConfig.readings must be a Readings."""
    with pytest.raises(TypeError, match="readings"):
        EmulatorConfig(readings={"status_case": "upper"})  # type: ignore[arg-type]


def test_readings_from_reads_name_value_settings() -> None:
    """NAME=VALUE settings apply in order; 'odd' and 'documented' set everything; describe()
    writes what readings_from reads."""
    readings = readings_from(
        [
            "status_case=UPPER",
            "numeric_ids=yes",
            "numeric_fail_codes=false",
            "unknown_task_status=400",
            "session_before_create=ready",
            "created_status=201",
            "generic_content_type=application/octet-stream",
        ]
    )
    assert readings == Readings(
        status_case="upper",
        numeric_ids=True,
        numeric_fail_codes=False,
        unknown_task_status=400,
        session_before_create="ready",
        created_status=201,
        generic_content_type="application/octet-stream",
    )
    assert readings_from(readings.describe().split(", ")) == readings
    assert readings_from(["odd"]) == ODD_READINGS
    assert readings_from(["odd", "created_status=none"]).created_status is None
    assert readings_from(["odd", "documented"]) == Readings()
    assert readings_from([]) == Readings()


@pytest.mark.parametrize(
    ("item", "match"),
    [
        ("status_case", "NAME=VALUE"),
        ("colour=red", "unknown reading 'colour'"),
        ("numeric_ids=maybe", "numeric_ids takes true or false"),
        ("unknown_task_status=4o4", "unknown_task_status takes 400 or 404"),
        ("created_status=202", "created_status must be 200, 201 or None"),
        ("generic_content_type=audio", "generic_content_type must be a media type"),
    ],
)
def test_readings_from_says_what_is_wrong(item: str, match: str) -> None:
    """A bad setting is a ValueError naming it and the values it takes."""
    with pytest.raises(ValueError, match=match):
        readings_from([item])


# -- status_case ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "success", "complete"),
    [
        ("lower", "success", "complete"),
        ("upper", "SUCCESS", "COMPLETE"),
        ("title", "Success", "Complete"),
    ],
)
async def test_status_case_applies_to_every_status(
    http: aiohttp.ClientSession, case: Any, success: str, complete: str
) -> None:
    """mountsea task and clip statuses, sunoapi clip, batch and v3.0 task statuses all come in
    the reading's letter case."""
    readings = Readings(status_case=case)
    async with running(readings) as emu:
        task_id = (await call(http, emu, "POST", GENERATE, GENERATE_BODY)).body["taskId"]
        queued = (await call(http, emu, "GET", f"{STATUS}?taskId={task_id}")).body
        assert queued["status"] == readings.status("queued")
        advance(emu, 0.5 * emu.config.generate_seconds)
        streaming = (await call(http, emu, "GET", f"{STATUS}?taskId={task_id}")).body
        assert streaming["status"] == readings.status("stream")
        assert {c["status"] for c in streaming["data"]} == {readings.status("streaming")}
        advance(emu, emu.config.generate_seconds)
        done = (await call(http, emu, "GET", f"{STATUS}?taskId={task_id}")).body
        assert done["status"] == success
        assert {c["status"] for c in done["data"]} == {complete}

        session_id = (await call(http, emu, "POST", PREPARE)).body["sessionId"]
        body = {"sessionId": session_id, "audioUrl": "https://example.com/track.wav"}
        upload = (await call(http, emu, "POST", UPLOAD, body)).body["taskId"]
        advance(emu, emu.config.upload_seconds)
        uploaded = (await call(http, emu, "GET", f"{STATUS}?taskId={upload}")).body
        assert (uploaded["status"], uploaded["data"]["status"]) == (success, complete)

        batch = (await call(http, emu, "POST", PURE35, {"tags": "pop"})).body
        assert batch["status"] == complete
        assert {c["status"] for c in batch["clips"]} == {readings.status("submitted")}
        wrapped = (await call(http, emu, "POST", PURE30, {"tags": "pop"})).body
        v30 = f"{CLIP30}/{wrapped['data']['task_id']}"
        assert (await call(http, emu, "GET", v30)).body["data"]["status"] == readings.status(
            "pending"
        )
        advance(emu, emu.config.sunoapi_generate_seconds)
        ids = ",".join(str(c["id"]) for c in batch["clips"])
        clips = (await call(http, emu, "GET", f"{CLIPS35}?ids={ids}")).body["clips"]
        assert {c["status"] for c in clips} == {complete}
        task = (await call(http, emu, "GET", v30)).body["data"]
        assert task["status"] == readings.status("completed")
        assert {c["status"] for c in task["clips"].values()} == {complete}


async def test_status_case_applies_to_scripted_and_failed_statuses(
    http: aiohttp.ClientSession,
) -> None:
    """A scripted unknown status and a failed task are cased too; the timeline is unchanged."""
    async with running(Readings(status_case="upper")) as emu:
        emu.unknown_status_next_tasks("generate", "paused")
        emu.fail_next_tasks("generate")
        task_id = (await call(http, emu, "POST", GENERATE, GENERATE_BODY)).body["taskId"]
        assert (await call(http, emu, "GET", f"{STATUS}?taskId={task_id}")).body[
            "status"
        ] == "PAUSED"
        advance(emu, emu.config.generate_seconds)
        failed = (await call(http, emu, "GET", f"{STATUS}?taskId={task_id}")).body
        assert (failed["status"], failed["failCode"]) == ("FAILED", 4001)
        assert emu.credits_spent == 0  # refunded as in the documented reading


# -- numeric_ids ----------------------------------------------------------------------------


async def test_numeric_ids_on_mountsea(http: aiohttp.ClientSession) -> None:
    """Session and task ids are JSON numbers below 2**53, taken back as strings or numbers;
    create's task id is the session id; clip and model ids stay strings."""
    async with running(Readings(numeric_ids=True)) as emu:
        session_id, clip_ids, _ = await trained_session(http, emu)
        assert type(session_id) is int
        assert 0 < session_id <= JS_SAFE
        as_text = {"sessionId": str(session_id), "audioUrl": emu.sample_audio_urls(7)[-1]}
        upload = (await call(http, emu, "POST", UPLOAD, as_text)).body["taskId"]
        assert type(upload) is int
        assert all(isinstance(c, str) and not c.isdigit() for c in clip_ids)
        body = {"sessionId": str(session_id), "clipIds": clip_ids, "name": "m"}
        created = await call(http, emu, "POST", CREATE, body)
        assert created.body == {"taskId": session_id}
        advance(emu, emu.config.training_seconds)
        snapshot = (await call(http, emu, "GET", f"{STATUS}?taskId={session_id}")).body
        assert (snapshot["taskId"], snapshot["status"]) == (session_id, "success")
        assert snapshot["data"]["sessionId"] == session_id
        assert snapshot["data"]["id"].startswith("chirp-custom:")
        generate = {**GENERATE_BODY, "model": snapshot["data"]["id"]}
        task_id = (await call(http, emu, "POST", GENERATE, generate)).body["taskId"]
        assert type(task_id) is int
        assert len({session_id, upload, task_id}) == 3
        assert (await call(http, emu, "GET", f"{STATUS}?taskId={task_id}")).body[
            "taskId"
        ] == task_id


async def test_documented_ids_are_strings_and_numbers_are_refused(
    http: aiohttp.ClientSession,
) -> None:
    """In the documented reading ids are uuid strings and a numeric sessionId is a 400."""
    async with running(Readings()) as emu:
        session_id = (await call(http, emu, "POST", PREPARE)).body["sessionId"]
        assert isinstance(session_id, str)
        assert len(session_id) == 36
        body = {"sessionId": 12345, "audioUrl": emu.sample_audio_urls(1)[0]}
        refused = await call(http, emu, "POST", UPLOAD, body)
        assert (refused.status, refused.body["message"]) == (
            400,
            "Field sessionId must be a string.",
        )


async def test_numeric_ids_on_sunoapi(http: aiohttp.ClientSession) -> None:
    """Clip, batch and v3.0 task ids are numbers; lookups by their strings work; v3.0 clips
    stay keyed by the id's string; extend takes the clip id as a string or a number."""
    async with running(Readings(numeric_ids=True)) as emu:
        batch = (await call(http, emu, "POST", PURE35, {"tags": "pop"})).body
        ids = [clip["id"] for clip in batch["clips"]]
        assert all(type(i) is int and 0 < i <= JS_SAFE for i in [batch["id"], *ids])
        wrapped = (await call(http, emu, "POST", PURE30, {"tags": "pop"})).body
        task_id = wrapped["data"]["task_id"]
        assert type(task_id) is int
        advance(emu, emu.config.sunoapi_generate_seconds)
        query = ",".join(str(i) for i in ids)
        clips = (await call(http, emu, "GET", f"{CLIPS35}?ids={query}")).body["clips"]
        assert [clip["id"] for clip in clips] == ids
        task = (await call(http, emu, "GET", f"{CLIP30}/{task_id}")).body["data"]
        assert task["task_id"] == task_id
        assert all(key == str(clip["id"]) for key, clip in task["clips"].items())
        for continue_clip_id in (str(ids[0]), ids[1]):
            body = {
                "prompt": "[Verse] more",
                "tags": "pop",
                "continue_clip_id": continue_clip_id,
                "continue_at": 1,
            }
            extended = (await call(http, emu, "POST", EXTEND35, body)).body
            history = extended["clips"][0]["metadata"]["history"]
            assert history[0]["id"] == int(continue_clip_id)
        audio = await call(http, emu, "GET", clips[0]["audio_url"])
        assert audio.status == 200
        assert audio.raw.startswith(b"RIFF")


# -- numeric_fail_codes ---------------------------------------------------------------------


@pytest.mark.parametrize(("numeric", "code"), [(True, 4001), (False, "4001")])
async def test_fail_code_type(http: aiohttp.ClientSession, numeric: bool, code: Any) -> None:
    """failCode is the number 4001 in the documented reading and the string "4001" in the
    other, for a fetch that found no audio and for a scripted failure alike."""
    async with running(Readings(numeric_fail_codes=numeric)) as emu:
        session_id = (await call(http, emu, "POST", PREPARE)).body["sessionId"]
        body = {"sessionId": session_id, "audioUrl": emu.missing_audio_url()}
        missing = (await call(http, emu, "POST", UPLOAD, body)).body["taskId"]
        emu.fail_next_tasks("generate", code=5002)
        generation = (await call(http, emu, "POST", GENERATE, GENERATE_BODY)).body["taskId"]
        advance(emu, emu.config.generate_seconds)
        failed = (await call(http, emu, "GET", f"{STATUS}?taskId={missing}")).body
        assert (failed["status"], failed["failCode"]) == ("failed", code)
        scripted = (await call(http, emu, "GET", f"{STATUS}?taskId={generation}")).body
        assert scripted["failCode"] == (5002 if numeric else "5002")


# -- unknown_task_status and session_before_create ------------------------------------------


@pytest.mark.parametrize("status", [404, 400])
async def test_unknown_task_status(http: aiohttp.ClientSession, status: Any) -> None:
    """An unknown task id answers the reading's status on mountsea's status route and
    sunoapi's v3.0 task route, each with its provider's error body."""
    async with running(Readings(unknown_task_status=status)) as emu:
        mountsea = await call(http, emu, "GET", f"{STATUS}?taskId=no-such-task")
        assert mountsea.status == status
        assert mountsea.body["statusCode"] == status
        assert mountsea.body["message"] == "Task not found: no-such-task"
        sunoapi = await call(http, emu, "GET", f"{CLIP30}/no-such-task")
        assert (sunoapi.status, sunoapi.body) == (
            status,
            {"code": status, "message": "task not found."},
        )
        blank = await call(http, emu, "GET", f"{STATUS}?taskId=")
        assert blank.status == 400  # a missing taskId is a bad request in every reading


@pytest.mark.parametrize("unknown", [404, 400])
async def test_session_before_create_unknown(http: aiohttp.ClientSession, unknown: Any) -> None:
    """By default a prepared session's id is an unknown task until create, then the training."""
    async with running(Readings(unknown_task_status=unknown)) as emu:
        session_id, clip_ids, _ = await trained_session(http, emu)
        before = await call(http, emu, "GET", f"{STATUS}?taskId={session_id}")
        assert before.status == unknown
        body = {"sessionId": session_id, "clipIds": clip_ids, "name": "m"}
        assert (await call(http, emu, "POST", CREATE, body)).status == 201
        after = await call(http, emu, "GET", f"{STATUS}?taskId={session_id}")
        assert (after.status, after.body["status"]) == (200, "ready")


async def test_session_before_create_ready(http: aiohttp.ClientSession) -> None:
    """Under session_before_create="ready" the session's id answers 200 ready with no data
    before create; after create it is the training, with its own createdAt and timeline."""
    readings = Readings(session_before_create="ready", status_case="upper")
    async with running(readings) as emu:
        session_id, clip_ids, _ = await trained_session(http, emu)
        before = await call(http, emu, "GET", f"{STATUS}?taskId={session_id}")
        assert before.status == 200
        assert before.body["taskId"] == session_id
        assert before.body["status"] == "READY"
        assert before.body["data"] == {}
        assert "finishAt" not in before.body
        assert "failReason" not in before.body
        advance(emu, 30)  # a session that waits never moves on by itself
        assert (await call(http, emu, "GET", f"{STATUS}?taskId={session_id}")).body[
            "status"
        ] == "READY"
        body = {"sessionId": session_id, "clipIds": clip_ids, "name": "m"}
        assert (await call(http, emu, "POST", CREATE, body)).body == {"taskId": session_id}
        training = (await call(http, emu, "GET", f"{STATUS}?taskId={session_id}")).body
        assert training["status"] == "READY"
        assert training["createdAt"] > before.body["createdAt"]
        advance(emu, emu.config.training_seconds)
        done = (await call(http, emu, "GET", f"{STATUS}?taskId={session_id}")).body
        assert done["status"] == "SUCCESS"
        assert done["data"]["id"].startswith("chirp-custom:")
        unknown = await call(http, emu, "GET", f"{STATUS}?taskId=not-a-session")
        assert unknown.status == 404


# -- created_status -------------------------------------------------------------------------


async def status_of(http: aiohttp.ClientSession, emu: Emulator, path: str, body: Any) -> int:
    """The status of a POST, whatever its body (a malformed one is not parsed)."""
    async with http.post(emu.base_url + path, json=body, headers=AUTH) as resp:
        await resp.read()
        return resp.status


@pytest.mark.parametrize(
    ("created", "mountsea", "sunoapi"), [(None, 201, 200), (200, 200, 200), (201, 201, 201)]
)
async def test_created_status(
    http: aiohttp.ClientSession, created: Any, mountsea: int, sunoapi: int
) -> None:
    """Every successful POST answers the documented status (mountsea 201, sunoapi 200) or the
    reading's, the v3.0 wrapper's code with it; GETs stay 200; a malformed answer with no work
    done takes the same status."""
    async with running(Readings(created_status=created)) as emu:
        _, clip_ids, prepared = await trained_session(http, emu)
        assert prepared.status == mountsea
        assert next(r for r in emu.requests if r.path == UPLOAD).status == mountsea
        body = {"sessionId": prepared.body["sessionId"], "clipIds": clip_ids, "name": "m"}
        assert (await call(http, emu, "POST", CREATE, body)).status == mountsea
        assert (await call(http, emu, "POST", GENERATE, GENERATE_BODY)).status == mountsea
        batch = await call(http, emu, "POST", PURE35, {"tags": "pop"})
        assert batch.status == sunoapi
        wrapped = await call(http, emu, "POST", PURE30, {"tags": "pop"})
        assert (wrapped.status, wrapped.body["code"]) == (sunoapi, sunoapi)
        task = await call(http, emu, "GET", f"{CLIP30}/{wrapped.body['data']['task_id']}")
        assert (task.status, task.body["code"]) == (200, 200)
        assert (await call(http, emu, "POST", GENERATE, {})).status == 400
        emu.malform_next("POST", GENERATE, after_work=False)
        assert await status_of(http, emu, GENERATE, GENERATE_BODY) == mountsea
        emu.malform_next("POST", PURE35, after_work=False)
        assert await status_of(http, emu, PURE35, {"tags": "pop"}) == sunoapi


# -- generic_content_type -------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type", [None, "application/octet-stream", "text/plain", "binary/octet-stream"]
)
async def test_generic_content_type(http: aiohttp.ClientSession, content_type: Any) -> None:
    """The CDN's audio (full and ranged, complete and streaming) comes with the reading's
    Content-Type; the bytes are the same WAV; the sample tracks stay audio/wav."""
    expected = content_type or "audio/wav"
    async with running(Readings(generic_content_type=content_type)) as emu:
        batch = (await call(http, emu, "POST", PURE35, {"tags": "pop"})).body
        clip_id = batch["clips"][0]["id"]
        advance(emu, emu.config.sunoapi_queued_seconds)
        stream = await call(http, emu, "GET", f"/cdn/stream/{clip_id}.wav")
        assert (stream.status, stream.headers["Content-Type"]) == (200, expected)
        advance(emu, emu.config.sunoapi_generate_seconds)
        full = await call(http, emu, "GET", f"/cdn/audio/{clip_id}.wav")
        assert (full.status, full.headers["Content-Type"]) == (200, expected)
        assert full.raw.startswith(b"RIFF")
        ranged = await call(
            http, emu, "GET", f"/cdn/audio/{clip_id}.wav", headers={"Range": "bytes=4-"}
        )
        assert (ranged.status, ranged.headers["Content-Type"]) == (206, expected)
        assert ranged.raw == full.raw[4:]
        sample = await call(http, emu, "GET", "/samples/track-1.wav")
        assert sample.headers["Content-Type"] == "audio/wav"


# -- the ledger's charges -------------------------------------------------------------------


async def test_charges_list_every_paid_call_and_how_it_settled(
    http: aiohttp.ClientSession,
) -> None:
    """Emulator.charges lists each charge of both accounts, free ones too, as pending, kept or
    refunded, with the task id as a string in every reading."""
    async with running(Readings(numeric_ids=True)) as emu:
        session_id = (await call(http, emu, "POST", PREPARE)).body["sessionId"]
        # An offline host's page that is not audio: the upload fails without a real fetch.
        body = {"sessionId": session_id, "audioUrl": "https://example.com/notes.txt"}
        upload = (await call(http, emu, "POST", UPLOAD, body)).body["taskId"]
        generation = (await call(http, emu, "POST", GENERATE, GENERATE_BODY)).body["taskId"]
        batch = (await call(http, emu, "POST", PURE35, {"tags": "pop"})).body
        assert [c.state for c in emu.charges] == ["pending"] * 3
        advance(emu, 60)
        assert emu.charges == [
            Charge("mountsea", "upload", str(upload), 0, "refunded"),
            Charge("mountsea", "generate", str(generation), 40, "kept"),
            Charge("sunoapi", "music", str(batch["id"]), 10, "kept"),
        ]
        assert emu.credits_spent == 40
        assert emu.sunoapi_credits_spent == 10


# -- chaos: 5xx before or after the work ----------------------------------------------------


def test_chaos_split_is_checked() -> None:
    """The share after the work is a probability; each side takes only its own statuses."""
    assert Chaos().server_error_after == 0.0
    assert Chaos().server_errors_before == (500, 502, 503, 504)
    assert Chaos().server_errors_after == (500, 502, 504)
    Chaos(server_errors_before=(500, 501, 502, 503, 504, 599))
    bad: list[dict[str, Any]] = [
        {"server_error_after": 1.5},
        {"server_error_after": -0.1},
        {"server_errors_before": ()},
        {"server_errors_before": (404,)},
        {"server_errors_before": [500]},
        {"server_errors_after": (503,)},
        {"server_errors_after": (501, 500)},
        {"server_errors_after": (True,)},
    ]
    for fields in bad:
        with pytest.raises(ValueError, match="server_error"):
            Chaos(**fields)


async def post_many(
    http: aiohttp.ClientSession, emu: Emulator, times: int
) -> list[tuple[int, str | None]]:
    """POST generate ``times`` times; each answer's status and Retry-After."""
    seen = []
    for _ in range(times):
        reply = await call(http, emu, "POST", GENERATE, GENERATE_BODY)
        seen.append((reply.status, reply.headers.get("Retry-After")))
    return seen


async def test_chaos_5xx_split_before_and_after_the_work(http: aiohttp.ClientSession) -> None:
    """With every request a 5xx and half of them after the work: each side is counted, uses
    only its statuses, and only the 5xx after the work left a charged task; the same seed
    meets the same faults."""
    chaos = Chaos(server_error=1.0, server_error_after=0.5, seed=99, retry_after="2")
    config = EmulatorConfig(chaos=chaos, credits=100_000)
    async with Emulator(config, clock=VirtualClock()) as emu:
        seen = await post_many(http, emu, 200)
        stats = emu.chaos_stats
        assert stats["server_error"] == 200
        assert stats["server_error_before"] + stats["server_error_after"] == 200
        assert 70 <= stats["server_error_after"] <= 130
        statuses = Counter(status for status, _ in seen)
        assert set(statuses) == {500, 502, 503, 504}
        assert emu.credits_spent == 40 * stats["server_error_after"]
        assert len(emu.charges) == stats["server_error_after"]
        logged = [r for r in emu.requests if r.path == GENERATE]
        assert [r.status for r in logged] == [status for status, _ in seen]
        retry_afters = Counter(ra for status, ra in seen if status == 503)
        assert retry_afters["2"] >= 1
        assert retry_afters[None] >= 1
        assert all(ra is None for status, ra in seen if status != 503)
    async with Emulator(config, clock=VirtualClock()) as again:
        assert await post_many(http, again, 50) == seen[:50]


async def test_chaos_5xx_after_the_work_uses_only_500_502_504(
    http: aiohttp.ClientSession,
) -> None:
    """Every 5xx after the work: each request is charged, and no 501 or 503 is ever answered."""
    chaos = Chaos(server_error=1.0, server_error_after=1.0, seed=5)
    async with Emulator(EmulatorConfig(chaos=chaos), clock=VirtualClock()) as emu:
        seen = await post_many(http, emu, 60)
        assert {status for status, _ in seen} == {500, 502, 504}
        assert emu.chaos_stats["server_error_after"] == 60
        assert emu.chaos_stats["server_error_before"] == 0
        assert len(emu.charges) == 60
        assert emu.credits_spent == 60 * 40


async def test_chaos_5xx_before_the_work_may_include_501(http: aiohttp.ClientSession) -> None:
    """With 501 added to the statuses before the work it is answered too, and nothing is
    charged by any 5xx before the work."""
    chaos = Chaos(server_error=1.0, seed=8, server_errors_before=(500, 501, 502, 503, 504))
    async with Emulator(EmulatorConfig(chaos=chaos), clock=VirtualClock()) as emu:
        seen = await post_many(http, emu, 80)
        assert {status for status, _ in seen} == {500, 501, 502, 503, 504}
        assert emu.chaos_stats["server_error_before"] == 80
        assert emu.charges == []
        not_implemented = await call(http, emu, "POST", PURE35, {"tags": "pop"})
        assert not_implemented.status in (500, 501, 502, 503, 504)
        assert set(not_implemented.body) == {"code", "message"}


async def test_inject_http_after_the_work(http: aiohttp.ClientSession) -> None:
    """inject_http(..., after_work=True) does the work (a task, a charge) and then answers the
    scripted status; without it nothing happens."""
    async with running(Readings()) as emu:
        emu.inject_http("POST", GENERATE, 502, after_work=True)
        emu.inject_http("POST", PURE35, 504, after_work=True)
        emu.inject_http("POST", GENERATE, 503)
        assert (await call(http, emu, "POST", GENERATE, GENERATE_BODY)).status == 502
        answer = await call(http, emu, "POST", PURE35, {"tags": "pop"})
        assert answer.body == {
            "code": 504,
            "message": "Gateway timeout: the upstream service took too long.",
        }
        assert (await call(http, emu, "POST", GENERATE, GENERATE_BODY)).status == 503
        assert [(c.kind, c.cost) for c in emu.charges] == [("generate", 40), ("music", 10)]


# -- the command line -----------------------------------------------------------------------


def config_from(argv: list[str]) -> EmulatorConfig:
    return emulator_config(parse(["emulator", *argv]))


def test_cli_reading_flags_build_the_readings() -> None:
    """Repeated --reading NAME=VALUE land in EmulatorConfig.readings, later ones winning;
    --chaos-5xx-after and --chaos-5xx-before land in the Chaos."""
    config = config_from(
        [
            "--reading", "status_case=upper",
            "--reading", "numeric_ids=true",
            "--reading", "status_case=title",
            "--reading", "generic_content_type=text/plain",
            "--chaos-5xx", "0.2",
            "--chaos-5xx-after", "0.25",
            "--chaos-5xx-before", "500,501,503",
            "--chaos-seed", "4",
        ]
    )  # fmt: skip
    assert config.readings == Readings(
        status_case="title", numeric_ids=True, generic_content_type="text/plain"
    )
    assert config.chaos == Chaos(
        server_error=0.2,
        server_error_after=0.25,
        server_errors_before=(500, 501, 503),
        seed=4,
    )
    assert config_from([]).readings == Readings()
    assert config_from(["--reading", "odd"]).readings == ODD_READINGS


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--reading", "status_case=loud"], "argument --reading: bad reading 'status_case=loud'"),
        (["--reading", "colour=red"], "argument --reading: unknown reading 'colour'"),
        (["--reading", "numeric_ids"], "argument --reading: a reading is NAME=VALUE"),
        (["--chaos-5xx-after", "0.5"], "argument --chaos-5xx-after: needs --chaos-429"),
        (["--chaos-5xx", "0.1", "--chaos-5xx-after", "2"], "argument --chaos-5xx-after: must be"),
        (["--chaos-5xx", "0.1", "--chaos-5xx-before", "404"], "argument --chaos-5xx-before: "),
        (["--chaos-5xx", "0.1", "--chaos-5xx-before", "5xx"], "argument --chaos-5xx-before: must"),
    ],
)  # fmt: skip
def test_cli_bad_reading_flags_are_usage_errors(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """A bad --reading or chaos split exits 2 with a message naming it, and no traceback."""
    with pytest.raises(SystemExit) as info:
        config_from(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"suno-async emulator: error: {message}" in err
    assert "Traceback" not in err


def test_cli_help_explains_the_readings(capsys: pytest.CaptureFixture[str]) -> None:
    """emulator --help names every reading and its values."""
    with pytest.raises(SystemExit):
        main(["emulator", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--reading NAME=VALUE" in text
    for name, values in READING_VALUES.items():
        shown = "|".join(v for v in values if not v.startswith("<"))
        if name == "generic_content_type":
            shown = "none|TYPE"
        assert f"{name}={shown}" in text, name
    assert "--chaos-5xx-after SHARE" in text
    assert "--chaos-5xx-before STATUSES" in text


def test_cli_announces_a_reading_that_is_not_documented(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reading in use goes to stderr when it is not the documented one."""
    seen: list[EmulatorConfig] = []
    monkeypatch.setattr(emulator_pkg, "serve", fake_serve(seen))
    assert main(["emulator", "--port", "0", "--reading", "unknown_task_status=400"]) == 0
    out, err = capsys.readouterr()
    assert out == "suno_async emulator listening on http://127.0.0.1:4321\n"
    assert err.endswith("\nsuno_async emulator reading: unknown_task_status=400\n")
    assert main(["emulator", "--port", "0"]) == 0
    assert "reading" not in capsys.readouterr().err
