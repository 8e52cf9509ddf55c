"""The embedded emulator, spoken to over real sockets with a plain aiohttp client.

Time moves only through the emulator's ``VirtualClock`` (``advance``); the one real wait is for
the emulator's own fetch of an uploaded URL, which the status route absorbs (it waits briefly
for a fetch that is due).
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import io
import json
import pkgutil
import re
import socket
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import anyio
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import suno_async._core._audio as client_audio
import suno_async.emulator as emulator_pkg
import suno_async.emulator._audio as emulator_audio
import suno_async.emulator._fetch as emulator_fetch
import suno_async.emulator._mountsea._state as mountsea_state
from suno_async.cli import main
from suno_async.emulator import Emulator, EmulatorConfig, RequestRecord, VirtualClock, serve

from ..helpers import AUTH, KEY, Reply, advance, call, fake_serve

pytestmark = pytest.mark.anyio

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
ISO_MS = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
PREPARE = "/suno/v2/customModel/prepare"
UPLOAD = "/suno/v2/customModel/upload"
CREATE = "/suno/v2/customModel/create"
GENERATE = "/suno/v2/generate"
STATUS = "/suno/v2/status"


async def post_raw(
    http: aiohttp.ClientSession, emu: Emulator, path: str, data: bytes, content_type: str | None
) -> Reply:
    """POST ``data`` as it is, with this Content-Type header, or with none at all."""
    headers = dict(AUTH)
    if content_type is not None:
        headers["Content-Type"] = content_type
    async with http.post(
        emu.base_url + path,
        data=data,
        headers=headers,
        skip_auto_headers=["Content-Type"] if content_type is None else None,
    ) as resp:
        raw = await resp.read()
        parsed = json.loads(raw) if resp.content_type == "application/json" else None
        return Reply(resp.status, parsed, resp.headers, raw)


async def status(http: aiohttp.ClientSession, emu: Emulator, task_id: str) -> dict[str, Any]:
    reply = await call(http, emu, "GET", f"{STATUS}?taskId={task_id}")
    assert reply.status == 200, reply.body
    result: dict[str, Any] = reply.body
    return result


async def prepare(http: aiohttp.ClientSession, emu: Emulator) -> str:
    reply = await call(http, emu, "POST", PREPARE)
    assert reply.status == 201
    session_id: str = reply.body["sessionId"]
    return session_id


async def uploaded_clips(
    http: aiohttp.ClientSession, emu: Emulator, session_id: str, count: int = 6
) -> list[str]:
    """Upload ``count`` offline example.com tracks and return their clip ids."""
    task_ids = []
    for i in range(count):
        body = {"sessionId": session_id, "audioUrl": f"https://example.com/{session_id}-{i}.mp3"}
        reply = await call(http, emu, "POST", UPLOAD, body)
        assert reply.status == 201, reply.body
        task_ids.append(reply.body["taskId"])
    advance(emu, emu.config.upload_seconds)
    clip_ids = []
    for task_id in task_ids:
        snapshot = await status(http, emu, task_id)
        assert snapshot["status"] == "success"
        clip_ids.append(snapshot["data"]["id"])
    return clip_ids


async def trained_model(http: aiohttp.ClientSession, emu: Emulator) -> str:
    session_id = await prepare(http, emu)
    clips = await uploaded_clips(http, emu, session_id)
    reply = await call(
        http, emu, "POST", CREATE, {"sessionId": session_id, "clipIds": clips, "name": "m"}
    )
    assert reply.status == 201, reply.body
    advance(emu, emu.config.training_seconds)
    snapshot = await status(http, emu, session_id)
    assert snapshot["status"] == "success"
    model_id: str = snapshot["data"]["id"]
    return model_id


async def start_generate(http: aiohttp.ClientSession, emu: Emulator, **fields: Any) -> str:
    body = {"task": "create", "model": "chirp-v50", "prompt": "la la", "tags": "Pop"} | fields
    reply = await call(http, emu, "POST", GENERATE, body)
    assert reply.status == 201, reply.body
    task_id: str = reply.body["taskId"]
    return task_id


def nest_error(reply: Reply, status_code: int, phrase: str) -> str:
    assert reply.status == status_code
    assert reply.body["statusCode"] == status_code
    assert reply.body["error"] == phrase
    message: str = reply.body["message"]
    assert message
    return message


# -- package and lifecycle --------------------------------------------------------------------


def test_public_api_is_sorted_and_complete() -> None:
    """The package exports exactly its public names, in a sorted ``__all__``."""
    assert emulator_pkg.__all__ == sorted(emulator_pkg.__all__)
    assert set(emulator_pkg.__all__) == {
        "Chaos",
        "Charge",
        "Emulator",
        "EmulatorConfig",
        "Readings",
        "RequestRecord",
        "TaskScript",
        "VirtualClock",
        "WebhookFault",
        "readings_from",
        "serve",
    }


def test_config_rejects_bad_values() -> None:
    """EmulatorConfig refuses negative costs, an empty api key and a zero clip length."""
    with pytest.raises(ValueError, match="credits"):
        EmulatorConfig(credits=-1)
    with pytest.raises(ValueError, match="api_key"):
        EmulatorConfig(api_key="")
    with pytest.raises(ValueError, match="audio_seconds"):
        EmulatorConfig(audio_seconds=0)


async def test_base_url_and_single_use() -> None:
    """The emulator serves on a loopback port of its own and cannot be started twice."""
    emulator = Emulator(clock=VirtualClock())
    with pytest.raises(RuntimeError):
        _ = emulator.base_url
    async with emulator:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", emulator.base_url)
        assert isinstance(emulator.clock, VirtualClock)
    with pytest.raises(RuntimeError):
        await emulator.__aenter__()


async def test_serve_reports_base_url_to_on_ready_and_prints_nothing(
    capsys: pytest.CaptureFixture[str], http: aiohttp.ClientSession
) -> None:
    """serve() hands its base URL to on_ready once, prints nothing and stops when cancelled."""
    urls: list[str] = []
    ready = anyio.Event()

    def on_ready(base_url: str) -> None:
        urls.append(base_url)
        ready.set()

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(
                functools.partial(serve, EmulatorConfig(), "127.0.0.1", 0, on_ready=on_ready)
            )
            await ready.wait()
            async with http.post(f"{urls[0]}{PREPARE}", headers=AUTH) as resp:
                assert resp.status == 201
            tg.cancel_scope.cancel()
    assert len(urls) == 1
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", urls[0])
    assert capsys.readouterr() == ("", "")


# -- the emulator command ---------------------------------------------------------------------


def test_cli_prints_exactly_one_line_through_on_ready(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The emulator command prints the one 'listening on' line, from serve()'s on_ready."""
    seen: list[EmulatorConfig] = []

    monkeypatch.setattr(emulator_pkg, "serve", fake_serve(seen))
    assert main(["emulator", "--port", "0", "--credits", "7", "--speed", "3"]) == 0
    out, err = capsys.readouterr()
    assert out == "suno_async emulator listening on http://127.0.0.1:4321\n"
    assert err.startswith("Point the command line (or your code) at it")  # the export lines
    assert (seen[0].credits, seen[0].speed, seen[0].api_key) == (7, 3.0, None)


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["--credits", "-1"], "--credits"),
        (["--api-key", ""], "--api-key"),
        (["--port", "70000"], "--port"),
        (["--speed", "0"], "--speed"),
    ],
)
def test_cli_invalid_config_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], argv: list[str], option: str
) -> None:
    """An invalid option value exits 2 with an argparse message naming it, not a traceback."""
    with pytest.raises(SystemExit) as info:
        main(["emulator", *argv])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: suno-async emulator")
    assert f"suno-async emulator: error: argument {option}: " in err
    assert "Traceback" not in err


def test_cli_port_in_use_is_one_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    """A port that cannot be bound ends the command with exit code 1 and one message."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["emulator", "--port", str(port)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"suno-async emulator: error: cannot listen on 127.0.0.1:{port}: ")
    assert err.count("\n") == 1


def test_cli_help_warns_against_exposing_the_emulator(capsys: pytest.CaptureFixture[str]) -> None:
    """--host's help says what the emulator accepts and fetches, and to keep it on loopback."""
    with pytest.raises(SystemExit) as info:
        main(["emulator", "--help"])
    assert info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    host_help = text[text.index("--host HOST ") : text.index("--port PORT ")]
    assert "accepts any bearer key" in host_help
    assert "fetches any URL it is given" in host_help
    assert "must not be exposed beyond loopback" in host_help
    assert "mountsea" in text
    assert "both documented apis" not in text.lower()


# -- auth and errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": ""}, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"}],
)
async def test_missing_or_empty_bearer_is_401(
    emu: Emulator, http: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    """Every /suno/v2 route refuses a request without a non-empty bearer token (NestJS body)."""
    reply = await call(http, emu, "POST", PREPARE, headers=headers)
    message = nest_error(reply, 401, "Unauthorized")
    assert message.startswith("Missing or invalid bearer token")
    assert emu.requests[-1].authorized is False


async def test_wrong_api_key_is_401(http: aiohttp.ClientSession) -> None:
    """With api_key set only that exact token is accepted."""
    async with Emulator(EmulatorConfig(api_key=KEY), clock=VirtualClock()) as emu:
        wrong = await call(http, emu, "POST", PREPARE, headers={"Authorization": "Bearer nope"})
        nest_error(wrong, 401, "Unauthorized")
        right = await call(http, emu, "POST", PREPARE)
        assert right.status == 201
        assert [r.authorized for r in emu.requests] == [False, True]


async def test_unknown_route_is_nest_404(emu: Emulator, http: aiohttp.ClientSession) -> None:
    """Unknown routes (and wrong methods) answer NestJS's 'Cannot METHOD path' 404."""
    reply = await call(http, emu, "GET", "/suno/v2/nothing", headers={})
    assert nest_error(reply, 404, "Not Found") == "Cannot GET /suno/v2/nothing"
    reply = await call(http, emu, "GET", GENERATE)
    assert nest_error(reply, 404, "Not Found") == f"Cannot GET {GENERATE}"


async def test_status_needs_task_id_and_knows_tasks(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    """Status without taskId is 400; an unknown id, or a session before create, is 404."""
    nest_error(await call(http, emu, "GET", STATUS), 400, "Bad Request")
    reply = await call(http, emu, "GET", f"{STATUS}?taskId=nope")
    assert nest_error(reply, 404, "Not Found") == "Task not found: nope"
    session_id = await prepare(http, emu)
    nest_error(await call(http, emu, "GET", f"{STATUS}?taskId={session_id}"), 404, "Not Found")


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/octet-stream", "application/jsonp"]
)
async def test_body_without_json_content_type_counts_as_empty(
    emu: Emulator, http: aiohttp.ClientSession, content_type: str | None
) -> None:
    """Like NestJS, a POST body that is not application/json is ignored: fields are missing."""
    session_id = await prepare(http, emu)
    clips = await uploaded_clips(http, emu, session_id)
    cases: list[tuple[str, dict[str, Any]]] = [
        (UPLOAD, {"sessionId": session_id, "audioUrl": "https://example.com/a.mp3"}),
        (CREATE, {"sessionId": session_id, "clipIds": clips, "name": "m"}),
        (GENERATE, {"task": "create", "model": "chirp-v50", "prompt": "la"}),
    ]
    spent = emu.credits_spent
    for path, body in cases:
        reply = await post_raw(http, emu, path, json.dumps(body).encode(), content_type)
        message = nest_error(reply, 400, "Bad Request")
        assert message.startswith("Missing required field(s): ")
        named = message.removeprefix("Missing required field(s): ").split(".")[0].split(", ")
        expected = [name for name in body if name != "prompt"]
        assert named == expected, message
    assert emu.credits_spent == spent
    prepared = await post_raw(http, emu, PREPARE, b"anything", content_type)
    assert prepared.status == 201
    assert re.fullmatch(UUID, prepared.body["sessionId"])


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"]
)
async def test_json_content_type_with_parameters_is_parsed(
    emu: Emulator, http: aiohttp.ClientSession, content_type: str
) -> None:
    """application/json is matched case-insensitively, with or without parameters."""
    body = json.dumps({"task": "create", "model": "chirp-v50"}).encode()
    assert (await post_raw(http, emu, GENERATE, body, content_type)).status == 201
    empty = await post_raw(http, emu, UPLOAD, b"", content_type)
    assert "sessionId, audioUrl" in nest_error(empty, 400, "Bad Request")


# -- upload -----------------------------------------------------------------------------------


async def test_upload_fetches_audio_and_succeeds(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    """An upload really fetches its URL: queued, running, then success with a clip object."""
    session_id = await prepare(http, emu)
    url = emu.sample_audio_urls(1)[0]
    reply = await call(http, emu, "POST", UPLOAD, {"sessionId": session_id, "audioUrl": url})
    assert reply.status == 201
    task_id = reply.body["taskId"]
    assert re.fullmatch(UUID, task_id)
    first = await status(http, emu, task_id)
    assert first["status"] == "queued"
    assert re.fullmatch(ISO_MS, first["createdAt"])
    assert first["data"] == {}
    assert set(first) == {"taskId", "status", "createdAt", "data"}
    advance(emu, 1)
    assert (await status(http, emu, task_id))["status"] == "running"
    advance(emu, 7)
    done = await status(http, emu, task_id)
    assert done["status"] == "success"
    assert re.fullmatch(ISO_MS, done["finishAt"])
    clip = done["data"]
    assert re.fullmatch(UUID, clip["id"])
    assert clip["status"] == "complete"
    assert clip["title"] == "track-1.wav"
    assert clip["audio_url"] == url
    assert clip["metadata"] == {"type": "upload", "duration": 6.0}
    fetch = [r for r in emu.requests if r.path == "/samples/track-1.wav"]
    assert fetch == [RequestRecord("GET", "/samples/track-1.wav", "", 200, False, False)]
    assert emu.credits_spent == 1


async def test_upload_of_missing_audio_fails_4001_and_refunds(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    """A URL that 404s ends the upload 'failed' with 4001 and gives the credit back."""
    session_id = await prepare(http, emu)
    body = {"sessionId": session_id, "audioUrl": emu.missing_audio_url("x")}
    task_id = (await call(http, emu, "POST", UPLOAD, body)).body["taskId"]
    assert emu.credits == 9_999
    advance(emu, 8)
    snapshot = await status(http, emu, task_id)
    assert snapshot["status"] == "failed"
    assert snapshot["failReason"] == "Audio source not found."
    assert snapshot["failCode"] == 4001
    assert snapshot["data"] == {}
    assert emu.credits == 10_000
    assert emu.credits_spent == 0


async def test_example_com_is_an_offline_alias(emu: Emulator, http: aiohttp.ClientSession) -> None:
    """example.com audio paths count as audio without any fetch; other paths there are missing."""
    session_id = await prepare(http, emu)
    ids = []
    for url in ("https://example.com/song1.mp3", "https://example.com/page.html"):
        reply = await call(http, emu, "POST", UPLOAD, {"sessionId": session_id, "audioUrl": url})
        ids.append(reply.body["taskId"])
    advance(emu, 8)
    ok, missing = [await status(http, emu, task_id) for task_id in ids]
    assert ok["status"] == "success"
    assert ok["data"]["title"] == "song1.mp3"
    assert missing["status"] == "failed"
    assert missing["failCode"] == 4001
    assert all(r.path.startswith("/suno/v2/") for r in emu.requests)


async def test_upload_waits_for_a_slow_fetch_and_refuses_non_audio(
    emu: Emulator, http: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A due upload stays 'running' until its fetch lands; a 200 that is not audio fails 4001."""
    release = anyio.Event()

    async def slow(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response(body=b"RIFF\x00\x00\x00\x00WAVE", content_type="audio/wav")

    async def page(request: web.Request) -> web.Response:
        return web.Response(text="<html>not audio</html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/slow.wav", slow)
    app.router.add_get("/page", page)
    async with TestServer(app) as origin:
        session_id = await prepare(http, emu)
        ids = []
        for path in ("/slow.wav", "/page"):
            body = {"sessionId": session_id, "audioUrl": str(origin.make_url(path))}
            ids.append((await call(http, emu, "POST", UPLOAD, body)).body["taskId"])
        advance(emu, 8)
        not_audio = await status(http, emu, ids[1])
        assert (not_audio["status"], not_audio["failCode"]) == ("failed", 4001)
        monkeypatch.setattr(mountsea_state, "FETCH_GRACE_SECONDS", 0.01)
        assert (await status(http, emu, ids[0]))["status"] == "running"
        advance(emu, 2)
        release.set()
        for _ in range(200):
            snapshot = await status(http, emu, ids[0])
            if snapshot["status"] != "running":
                break
            await anyio.sleep(0.01)
        assert snapshot["status"] == "success"
        assert snapshot["data"]["metadata"]["duration"] is None
        assert snapshot["finishAt"] > snapshot["createdAt"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"audioUrl": "https://example.com/a.mp3"}, "sessionId"),
        ({"sessionId": "S", "audioUrl": "https://example.com/a.mp3", "extra": 1}, "extra"),
        ({"sessionId": "S", "audioUrl": "ftp://example.com/a.mp3"}, "http"),
        ({"sessionId": "nope", "audioUrl": "https://example.com/a.mp3"}, "Unknown sessionId"),
    ],
)
async def test_upload_bad_requests_are_400(
    emu: Emulator, http: aiohttp.ClientSession, body: dict[str, Any], needle: str
) -> None:
    """Upload refuses missing or unknown fields, non-http URLs and unknown sessions."""
    session_id = await prepare(http, emu)
    body = {k: session_id if v == "S" else v for k, v in body.items()}
    message = nest_error(await call(http, emu, "POST", UPLOAD, body), 400, "Bad Request")
    assert needle in message
    assert emu.credits_spent == 0


# -- create -----------------------------------------------------------------------------------


async def test_create_trains_a_custom_model(emu: Emulator, http: aiohttp.ClientSession) -> None:
    """Create answers taskId == sessionId, costs 100 and ends with a chirp-custom model id."""
    session_id = await prepare(http, emu)
    clips = await uploaded_clips(http, emu, session_id)
    body = {"sessionId": session_id, "clipIds": clips, "name": "My Model"}
    reply = await call(http, emu, "POST", CREATE, body)
    assert reply.status == 201
    assert reply.body == {"taskId": session_id}
    assert emu.credits_spent == 6 + 100
    assert (await status(http, emu, session_id))["status"] == "ready"
    advance(emu, 5)
    assert (await status(http, emu, session_id))["status"] == "running"
    advance(emu, 145)
    done = await status(http, emu, session_id)
    assert done["status"] == "success"
    model = done["data"]
    assert re.fullmatch(f"chirp-custom:{UUID}", model["id"])
    assert model["name"] == "My Model"
    assert model["sessionId"] == session_id
    assert model["clipIds"] == clips


async def test_create_bad_requests_are_400(emu: Emulator, http: aiohttp.ClientSession) -> None:
    """Create refuses <6 clips, duplicates, clips of another session and a missing name."""
    session_id = await prepare(http, emu)
    clips = await uploaded_clips(http, emu, session_id)
    other = await uploaded_clips(http, emu, await prepare(http, emu), count=1)

    async def create(**body: Any) -> str:
        reply = await call(http, emu, "POST", CREATE, {"sessionId": session_id} | body)
        return nest_error(reply, 400, "Bad Request")

    assert "at least 6" in await create(clipIds=clips[:5], name="m")
    assert "duplicates" in await create(clipIds=[*clips[:5], clips[0]], name="m")
    assert other[0] in await create(clipIds=[*clips[:5], other[0]], name="m")
    assert "name" in await create(clipIds=clips)
    assert "name" in await create(clipIds=clips, name="")
    assert "clipIds" in await create(clipIds="abc", name="m")
    assert emu.credits_spent == 7


async def test_second_create_is_409(emu: Emulator, http: aiohttp.ClientSession) -> None:
    """A session with a training queued, running or done refuses another create."""
    session_id = await prepare(http, emu)
    body = {"sessionId": session_id, "clipIds": await uploaded_clips(http, emu, session_id)}
    assert (await call(http, emu, "POST", CREATE, body | {"name": "a"})).status == 201
    nest_error(await call(http, emu, "POST", CREATE, body | {"name": "b"}), 409, "Conflict")
    advance(emu, 150)
    nest_error(await call(http, emu, "POST", CREATE, body | {"name": "b"}), 409, "Conflict")
    assert emu.credits_spent == 106


async def test_create_again_after_failed_training(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    """After a failed training the credits come back and the same session may create again."""
    emu.fail_next_tasks("training", reason="Training failed.", code=5001)
    session_id = await prepare(http, emu)
    body = {"sessionId": session_id, "clipIds": await uploaded_clips(http, emu, session_id)}
    assert (await call(http, emu, "POST", CREATE, body | {"name": "a"})).status == 201
    assert emu.credits == 10_000 - 106
    advance(emu, 150)
    failed = await status(http, emu, session_id)
    assert (failed["status"], failed["failReason"], failed["failCode"]) == (
        "failed",
        "Training failed.",
        5001,
    )
    assert emu.credits == 10_000 - 6
    assert (await call(http, emu, "POST", CREATE, body | {"name": "b"})).status == 201
    advance(emu, 150)
    done = await status(http, emu, session_id)
    assert done["status"] == "success"
    assert done["data"]["name"] == "b"
    assert emu.credits_spent == 106


async def test_create_without_credits_is_402(http: aiohttp.ClientSession) -> None:
    """Create needs create_cost credits and says what it costs and what is left."""
    async with Emulator(EmulatorConfig(credits=105), clock=VirtualClock()) as emu:
        session_id = await prepare(http, emu)
        clips = await uploaded_clips(http, emu, session_id)
        body = {"sessionId": session_id, "clipIds": clips, "name": "m"}
        message = nest_error(await call(http, emu, "POST", CREATE, body), 402, "Payment Required")
        assert message == "Insufficient credits: this call costs 100, the account has 99."
        assert emu.credits == 99


async def test_model_limit_is_403(http: aiohttp.ClientSession) -> None:
    """An account at max_custom_models refuses another training."""
    async with Emulator(EmulatorConfig(max_custom_models=1), clock=VirtualClock()) as emu:
        await trained_model(http, emu)
        session_id = await prepare(http, emu)
        clips = await uploaded_clips(http, emu, session_id)
        body = {"sessionId": session_id, "clipIds": clips, "name": "m2"}
        nest_error(await call(http, emu, "POST", CREATE, body), 403, "Forbidden")
        assert emu.credits_spent == 12 + 100


# -- generate ---------------------------------------------------------------------------------


async def test_generate_streams_then_completes_with_playable_wav(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    """Generate goes queued, running, stream (streaming clips) and success with 2 real WAVs."""
    task_id = await start_generate(http, emu, title="Summer")
    assert emu.credits_spent == 40
    assert (await status(http, emu, task_id))["status"] == "queued"
    advance(emu, 2)
    assert (await status(http, emu, task_id))["status"] == "running"
    advance(emu, 0.45 * 45 - 2)
    streaming = await status(http, emu, task_id)
    assert streaming["status"] == "stream"
    assert [c["status"] for c in streaming["data"]] == ["streaming", "streaming"]
    clip_id = streaming["data"][0]["id"]
    assert streaming["data"][0]["audio_url"] == f"{emu.base_url}/cdn/stream/{clip_id}.wav"
    assert (await call(http, emu, "GET", f"/cdn/stream/{clip_id}.wav")).status == 200
    assert (await call(http, emu, "GET", f"/cdn/audio/{clip_id}.wav")).status == 404
    advance(emu, 45)
    done = await status(http, emu, task_id)
    assert done["status"] == "success"
    assert len(done["data"]) == 2
    clip = done["data"][0]
    assert clip["id"] == clip_id
    assert clip["status"] == "complete"
    assert clip["title"] == "Summer"
    assert clip["model_name"] == "chirp-v50"
    assert clip["metadata"]["tags"] == "Pop"
    assert clip["metadata"]["type"] == "gen"
    assert clip["metadata"]["duration"] == 6.0
    audio = await call(http, emu, "GET", clip["audio_url"], headers={})
    assert audio.status == 200
    assert audio.headers["Content-Type"] == "audio/wav"
    assert int(audio.headers["Content-Length"]) == len(audio.raw)
    with wave.open(io.BytesIO(audio.raw)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        assert wav.getnframes() == 6 * 22050
        assert any(wav.readframes(100))
    other = await call(http, emu, "GET", done["data"][1]["audio_url"], headers={})
    assert other.raw != audio.raw


async def test_cdn_needs_no_auth_and_serves_ranges(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    """CDN audio is served without a token and honours a single byte range with 206."""
    task_id = await start_generate(http, emu)
    advance(emu, 45)
    url = (await status(http, emu, task_id))["data"][0]["audio_url"]
    full = await call(http, emu, "GET", url, headers={})
    assert full.status == 200
    assert full.headers["Accept-Ranges"] == "bytes"
    size = len(full.raw)
    part = await call(http, emu, "GET", url, headers={"Range": "bytes=100-199"})
    assert part.status == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{size}"
    assert part.raw == full.raw[100:200]
    tail = await call(http, emu, "GET", url, headers={"Range": "bytes=1000-"})
    assert tail.status == 206
    assert tail.raw == full.raw[1000:]
    beyond = await call(http, emu, "GET", url, headers={"Range": f"bytes={size}-"})
    nest_error(beyond, 416, "Range Not Satisfiable")
    assert beyond.headers["Content-Range"] == f"bytes */{size}"
    record = emu.requests[-1]
    assert (record.authorized, record.has_auth_header) == (False, False)
    assert emu.count("GET", url.removeprefix(emu.base_url)) == 4


async def test_cdn_and_samples_404(emu: Emulator, http: aiohttp.ClientSession) -> None:
    """Unknown clips and non-track sample names are 404; sample tracks differ from each other."""
    nest_error(await call(http, emu, "GET", "/cdn/audio/nope.wav", headers={}), 404, "Not Found")
    nest_error(await call(http, emu, "GET", "/samples/other.wav", headers={}), 404, "Not Found")
    nest_error(await call(http, emu, "GET", "/samples/track-0.wav", headers={}), 404, "Not Found")
    urls = emu.sample_audio_urls(6)
    assert len(set(urls)) == 6
    first, second = [(await call(http, emu, "GET", u, headers={})).raw for u in urls[:2]]
    assert first[:4] == b"RIFF"
    assert first != second


async def test_gen_stem_all_makes_four_clips(emu: Emulator, http: aiohttp.ClientSession) -> None:
    """gen_stem_all yields four clips (one per stem); other tasks yield two."""
    task_id = await start_generate(http, emu, task="gen_stem_all", clip_id="any-id", title="T")
    advance(emu, 45)
    data = (await status(http, emu, task_id))["data"]
    assert [c["title"] for c in data] == ["T (vocals)", "T (drums)", "T (bass)", "T (other)"]


async def test_generate_with_own_custom_model(emu: Emulator, http: aiohttp.ClientSession) -> None:
    """A trained chirp-custom model is accepted by generate; an untrained one is not."""
    model_id = await trained_model(http, emu)
    await start_generate(http, emu, model=model_id)
    unknown = f"chirp-custom:{'0' * 8}-0000-4000-8000-{'0' * 12}"
    reply = await call(http, emu, "POST", GENERATE, {"task": "create", "model": unknown})
    assert unknown in nest_error(reply, 400, "Bad Request")


@pytest.mark.parametrize(
    ("body", "needles"),
    [
        ({"task": "compose", "model": "chirp-v50"}, ["create", "sound", "gen_stem_all"]),
        ({"task": "create"}, ["model"]),
        ({"task": "create", "model": "chirp-v99"}, ["chirp-v99", "chirp-v55"]),
        ({"task": "extend", "model": "chirp-v50"}, ["clip_id"]),
        ({"task": "add_vocals", "model": "chirp-v50", "clip_id": "c"}, ["range"]),
        (
            {"task": "replace_section", "model": "chirp-v50", "clip_id": "c"},
            ["range", "infill_context_range", "continued_aligned_prompt"],
        ),
        ({"task": "upload_cover", "model": "chirp-v50"}, ["audio_url"]),
        ({"task": "sound", "model": "chirp-v50"}, ["sound"]),
        (
            {
                "task": "sample",
                "model": "chirp-v50",
                "clip_id": "c",
                "range": {"start_s": 10, "end_s": 5},
            },
            ["range", "end_s"],
        ),
        ({"task": "mashup", "model": "chirp-v50", "mashup_clip_ids": ["a"]}, ["exactly 2"]),
        ({"task": "create", "model": "chirp-v50", "vocal_gender": "x"}, ["vocal_gender"]),
        ({"task": "create", "model": "chirp-v50", "makeInstrumental": True}, ["makeInstrumental"]),
    ],
)
async def test_generate_bad_requests_are_400(
    emu: Emulator, http: aiohttp.ClientSession, body: dict[str, Any], needles: list[str]
) -> None:
    """Generate names the unknown task/model, missing per-task fields and malformed fields."""
    message = nest_error(await call(http, emu, "POST", GENERATE, body), 400, "Bad Request")
    for needle in needles:
        assert needle in message
    assert emu.credits_spent == 0


async def test_generate_without_credits_is_402(http: aiohttp.ClientSession) -> None:
    """Generate needs generate_cost credits."""
    async with Emulator(EmulatorConfig(credits=39), clock=VirtualClock()) as emu:
        body = {"task": "create", "model": "chirp-v50"}
        message = nest_error(await call(http, emu, "POST", GENERATE, body), 402, "Payment Required")
        assert "costs 40" in message


# -- scripted faults --------------------------------------------------------------------------


async def test_scripted_failure_refunds(emu: Emulator, http: aiohttp.ClientSession) -> None:
    """fail_next_tasks ends the next task 'failed' with the scripted reason and refunds it."""
    emu.fail_next_tasks("generate", reason="Content policy.", code=4002)
    failing = await start_generate(http, emu)
    fine = await start_generate(http, emu)
    advance(emu, 30)
    assert (await status(http, emu, failing))["status"] == "stream"
    advance(emu, 15)
    snapshot = await status(http, emu, failing)
    assert (snapshot["status"], snapshot["failReason"], snapshot["failCode"]) == (
        "failed",
        "Content policy.",
        4002,
    )
    assert "finishAt" in snapshot
    assert snapshot["data"] == {}
    assert (await status(http, emu, fine))["status"] == "success"
    assert emu.credits_spent == 40


async def test_scripted_timeout(emu: Emulator, http: aiohttp.ClientSession) -> None:
    """timeout_next_tasks ends the task 'timeout' with 'Task timed out.' and refunds it."""
    emu.timeout_next_tasks("upload")
    session_id = await prepare(http, emu)
    body = {"sessionId": session_id, "audioUrl": "https://example.com/a.mp3"}
    task_id = (await call(http, emu, "POST", UPLOAD, body)).body["taskId"]
    advance(emu, 8)
    snapshot = await status(http, emu, task_id)
    assert (snapshot["status"], snapshot["failReason"]) == ("timeout", "Task timed out.")
    assert "failCode" not in snapshot
    assert emu.credits_spent == 0


async def test_scripted_stall(emu: Emulator, http: aiohttp.ClientSession) -> None:
    """stall_next_tasks keeps the task 'running' forever, with its credits kept."""
    emu.stall_next_tasks("generate")
    task_id = await start_generate(http, emu)
    advance(emu, 100_000)
    snapshot = await status(http, emu, task_id)
    assert snapshot["status"] == "running"
    assert "finishAt" not in snapshot
    assert emu.credits_spent == 40


@pytest.mark.parametrize("where", ["offline host", "fetched"])
async def test_stall_wins_over_an_upload_that_found_no_audio(
    emu: Emulator, http: aiohttp.ClientSession, where: str
) -> None:
    """A stalled upload whose fetch found no audio stays 'running' and keeps its credit."""
    emu.stall_next_tasks("upload")
    session_id = await prepare(http, emu)
    url = "https://example.com/page.html" if where == "offline host" else emu.missing_audio_url()
    body = {"sessionId": session_id, "audioUrl": url}
    task_id = (await call(http, emu, "POST", UPLOAD, body)).body["taskId"]
    task = emu._mountsea._tasks[task_id]  # the fetch's own result, to be sure it has landed
    assert isinstance(task, mountsea_state._Upload)
    if task.fetch is not None:
        with anyio.fail_after(5):
            await task.fetch
    assert task.probe is not None
    assert task.probe.found is False
    advance(emu, 100_000)
    snapshot = await status(http, emu, task_id)
    assert snapshot["status"] == "running"
    assert "finishAt" not in snapshot
    assert "failReason" not in snapshot
    assert emu.credits_spent == 1


async def test_scripted_unknown_status(emu: Emulator, http: aiohttp.ClientSession) -> None:
    """unknown_status_next_tasks replaces the waiting status, then the task goes on."""
    emu.unknown_status_next_tasks("training", value="paused")
    session_id = await prepare(http, emu)
    body = {"sessionId": session_id, "clipIds": await uploaded_clips(http, emu, session_id)}
    await call(http, emu, "POST", CREATE, body | {"name": "m"})
    assert (await status(http, emu, session_id))["status"] == "paused"
    advance(emu, 5)
    assert (await status(http, emu, session_id))["status"] == "running"
    advance(emu, 145)
    assert (await status(http, emu, session_id))["status"] == "success"


async def test_fault_kind_must_be_known(emu: Emulator) -> None:
    """Fault scripts name a known task kind and a positive count."""
    with pytest.raises(ValueError, match="kind"):
        emu.fail_next_tasks("lyrics")
    with pytest.raises(ValueError, match="times"):
        emu.stall_next_tasks("upload", times=0)


async def test_inject_http_answers_before_any_work(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    """inject_http answers the next matching requests with its status and headers, then stops."""
    emu.inject_http("POST", PREPARE, 429, times=2, headers={"Retry-After": "1"})
    first = await call(http, emu, "POST", PREPARE)
    assert nest_error(first, 429, "Too Many Requests")
    assert first.headers["Retry-After"] == "1"
    unauthenticated = await call(http, emu, "POST", PREPARE, headers={})
    assert unauthenticated.status == 429
    assert (await call(http, emu, "POST", PREPARE)).status == 201
    assert emu.count("POST", PREPARE) == 3
    assert [r.status for r in emu.requests] == [429, 429, 201]


async def test_inject_http_custom_body_leaves_state_alone(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    """An injected answer with a given body is sent as is, and the request changes nothing."""
    emu.inject_http("POST", GENERATE, 503, body="<html>down</html>", headers={"X-Y": "z"})
    body = {"task": "create", "model": "chirp-v50"}
    reply = await call(http, emu, "POST", GENERATE, body)
    assert (reply.status, reply.raw, reply.headers["X-Y"]) == (503, b"<html>down</html>", "z")
    assert emu.credits_spent == 0
    assert (await call(http, emu, "POST", GENERATE, body)).status == 201


@pytest.mark.parametrize(("after_work", "tasks_created"), [(False, 0), (True, 1)])
async def test_drop_next_closes_the_connection(
    emu: Emulator, http: aiohttp.ClientSession, after_work: bool, tasks_created: int
) -> None:
    """drop_next hangs up unanswered, having done the work only when after_work is set."""
    emu.drop_next("POST", GENERATE, after_work=after_work)
    with pytest.raises(aiohttp.ClientError):
        await call(http, emu, "POST", GENERATE, {"task": "create", "model": "chirp-v50"})
    assert emu.credits_spent == 40 * tasks_created
    ok = await call(http, emu, "POST", GENERATE, {"task": "create", "model": "chirp-v50"})
    assert ok.status == 201


# -- audio: recognising it, making it, caching it ---------------------------------------------

AIFF_HEAD = b"FORM\x00\x00\x10\x00AIFFCOMM"
AIFC_HEAD = b"FORM\x00\x00\x10\x00AIFCFVER"
WMA_HEAD = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c") + b"\x00" * 14


def test_emulator_sniffs_audio_with_the_clients_function() -> None:
    """One audio sniffer, shared: the emulator's copy is gone and AIFF/WMA are recognised."""
    assert vars(emulator_fetch)["looks_like_audio"] is client_audio.looks_like_audio
    assert not hasattr(emulator_audio, "sniff_audio")
    heads = [
        b"RIFF\x00\x00\x00\x00WAVEfmt ",
        AIFF_HEAD,
        AIFC_HEAD,
        WMA_HEAD,
        b"ID3\x04\x00",
        b"\xff\xfb\x90\x00",
        b"fLaC\x00\x00",
        b"OggS\x00\x02",
        b"\x00\x00\x00\x20ftypM4A ",
    ]
    assert all(client_audio.looks_like_audio(head) for head in heads)
    for other in (b"", b"<html>", b"FORM\x00\x00\x10\x00ILBM", b"RIFF\x00\x00\x00\x00AVI "):
        assert not client_audio.looks_like_audio(other)


async def test_upload_of_aiff_and_wma_succeeds(emu: Emulator, http: aiohttp.ClientSession) -> None:
    """Fetched AIFF and WMA bodies count as audio (without a WAV duration)."""

    async def aiff(request: web.Request) -> web.Response:
        return web.Response(body=AIFF_HEAD + bytes(64), content_type="audio/aiff")

    async def wma(request: web.Request) -> web.Response:
        return web.Response(body=WMA_HEAD + bytes(64), content_type="audio/x-ms-wma")

    app = web.Application()
    app.router.add_get("/a.aiff", aiff)
    app.router.add_get("/a.wma", wma)
    async with TestServer(app) as origin:
        session_id = await prepare(http, emu)
        ids = []
        for path in ("/a.aiff", "/a.wma"):
            body = {"sessionId": session_id, "audioUrl": str(origin.make_url(path))}
            ids.append((await call(http, emu, "POST", UPLOAD, body)).body["taskId"])
        advance(emu, 8)
        for task_id in ids:
            snapshot = await status(http, emu, task_id)
            assert snapshot["status"] == "success"
            assert snapshot["data"]["metadata"]["duration"] is None


@pytest.fixture
def empty_wav_cache() -> Iterator[None]:
    emulator_audio.WAV_CACHE.clear()
    yield
    emulator_audio.WAV_CACHE.clear()


def test_wav_cache_is_bounded_in_bytes() -> None:
    """The WAV cache drops the least recently used WAVs to stay within its byte budget."""
    cache = emulator_audio.WavCache(max_bytes=1000)
    cache.put(("a", 1.0), b"a" * 400)
    cache.put(("b", 1.0), b"b" * 400)
    assert cache.get(("a", 1.0)) == b"a" * 400  # now "b" is the least recently used
    cache.put(("c", 1.0), b"c" * 400)
    assert (cache.get(("b", 1.0)), len(cache), cache.size) == (None, 2, 800)
    cache.put(("a", 1.0), b"A" * 700)  # replacing "a" still needs room: "c" goes
    assert (cache.get(("a", 1.0)), cache.get(("c", 1.0)), cache.size) == (b"A" * 700, None, 700)
    cache.put(("huge", 1.0), b"h" * 1001)
    assert (cache.get(("huge", 1.0)), cache.size) == (None, 700)


@pytest.mark.usefixtures("empty_wav_cache")
def test_synthesised_wavs_are_cached_within_64_mib() -> None:
    """Three clips of the 600 s maximum (26.5 MB each) do not all stay cached: 64 MiB at most."""
    assert emulator_audio.WAV_CACHE_BYTES == 64 * 1024 * 1024
    longest = EmulatorConfig(audio_seconds=600).audio_seconds
    clips = [emulator_audio.synth_wav(f"long-{n}", longest) for n in range(3)]
    assert {len(clip) for clip in clips} == {600 * 22050 * 2 + 44}
    assert emulator_audio.WAV_CACHE.size <= emulator_audio.WAV_CACHE_BYTES
    assert len(emulator_audio.WAV_CACHE) == 2
    assert emulator_audio.synth_wav("long-2", longest) is clips[2]  # a cache hit
    short = emulator_audio.synth_wav("short", 6.0)
    assert emulator_audio.synth_wav("short", 6.0) is short
    assert len(short) == 264_644


# -- what the emulator says about itself ------------------------------------------------------

EMULATOR_DIR = Path(emulator_pkg.__file__).parent
#: The client modules the emulator may use: small provider-free utilities, not wire models and
#: not prices (the emulator keeps its own reading of the documented prices).
SHARED_WITH_CLIENT = {"suno_async._core._audio", "suno_async._core._clock"}
#: The emulator's per-provider packages, named after the library's providers.
PROVIDER_PACKAGES = ("suno_async.emulator._mountsea", "suno_async.emulator._sunoapi")


def _emulator_modules() -> list[Any]:
    names = [
        info.name
        for info in pkgutil.walk_packages([str(EMULATOR_DIR)], prefix="suno_async.emulator.")
    ]
    return [emulator_pkg, *(importlib.import_module(name) for name in names)]


def _module_name(path: Path) -> str:
    parts = path.relative_to(EMULATOR_DIR).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(("suno_async.emulator", *parts))


def _imports(path: Path, *, members: bool = False) -> Iterator[str]:
    """The absolute module names ``path`` imports; with ``members``, ``from a import b`` gives
    ``a.b`` too (``b`` may be a submodule)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path.name}: relative import"
            yield node.module
            if members:
                yield from (f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def _docstrings(module: Any) -> Iterator[str]:
    yield module.__doc__ or ""
    for _, obj in inspect.getmembers(module):
        if getattr(obj, "__module__", None) != module.__name__:
            continue
        yield inspect.getdoc(obj) or ""
        if inspect.isclass(obj):
            for _, member in inspect.getmembers(obj):
                yield inspect.getdoc(member) or ""


def test_emulator_uses_no_client_wire_models() -> None:
    """The emulator imports from the client only small utilities of its provider-free core."""
    for path in sorted(EMULATOR_DIR.rglob("*.py")):
        for name in _imports(path):
            if name.startswith("suno_async") and not name.startswith("suno_async.emulator"):
                assert name in SHARED_WITH_CLIENT, f"{path.name} imports {name}"


def test_emulator_mirrors_the_library_split() -> None:
    """Shared modules use no provider package; a provider package uses not the other one.

    Both provider packages hold the same modules: ``_routes``, ``_state`` and ``_validation``;
    sunoapi.com's adds its v1 family (``_v1_routes``, ``_v1_state``, ``_v1_validation``) and its
    webhook deliveries (``_webhooks``); mountsea.ai's its other endpoints (``_tools``).
    """
    layouts = []
    for package in PROVIDER_PACKAGES:
        folder = EMULATOR_DIR / package.rsplit(".", 1)[1]
        layouts.append(sorted(path.name for path in folder.glob("*.py")))
    common = ["__init__.py", "_routes.py", "_state.py", "_validation.py"]
    extra = ["_v1_routes.py", "_v1_state.py", "_v1_validation.py", "_webhooks.py"]
    assert layouts == [sorted([*common, "_tools.py"]), sorted(common + extra)]
    for path in sorted(EMULATOR_DIR.rglob("*.py")):
        module = _module_name(path)
        own = next((p for p in PROVIDER_PACKAGES if module.startswith(p)), None)
        allowed = {own} if own is not None else set()
        if module == "suno_async.emulator._server":
            allowed = set(PROVIDER_PACKAGES)  # the server mounts every provider's route set
        for name in _imports(path, members=True):
            used = {p for p in PROVIDER_PACKAGES if name == p or name.startswith(p + ".")}
            assert used <= allowed, f"{module} imports {name}"


def test_emulator_docstrings_claim_only_what_is_true() -> None:
    """No docstring claims the emulator serves two providers or shares nothing with the client."""
    overclaims = re.compile(r"both (providers|apis|documented apis)|cannot share", re.IGNORECASE)
    for module in _emulator_modules():
        for doc in _docstrings(module):
            assert not overclaims.search(doc), f"{module.__name__}: {doc[:80]!r}"
    package_doc = " ".join((emulator_pkg.__doc__ or "").split())
    assert "mountsea" in package_doc
    assert "suno_async.mountsea._models" in package_doc
    assert "suno_async.sunoapi._models" in package_doc
    for shared in sorted(SHARED_WITH_CLIENT):
        assert shared in package_doc
    config_source = (EMULATOR_DIR / "_config.py").read_text(encoding="utf-8")
    assert "a few megabytes" not in " ".join(config_source.split())
    assert "26,460,044 bytes" in config_source


def test_emulator_names_the_providers_as_the_library_does() -> None:
    """The providers are mountsea and sunoapi: no "custom-model provider" is left anywhere."""
    for path in sorted(EMULATOR_DIR.rglob("*.py")):
        text = " ".join(path.read_text(encoding="utf-8").split()).lower()
        assert "custom-model provider" not in text, path.relative_to(EMULATOR_DIR)


def test_emulator_keeps_its_own_prices() -> None:
    """The emulator's default prices are the documented ones, read by the emulator itself."""
    config = EmulatorConfig()
    assert (config.create_cost, config.generate_cost, config.sunoapi_call_cost) == (100, 40, 10)
