"""The emulator's fault injection: slow and malformed answers, chaos, and their command line.

Spoken to over real sockets with a plain aiohttp client. Task time moves only through the
emulator's ``VirtualClock``; the slow answers wait real time on purpose (they model latency), so
their delays are kept to a fraction of a second.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import time
from collections import Counter
from typing import Any

import aiohttp
import anyio
import pytest

import suno_async.emulator as emulator_pkg
from suno_async.cli import main
from suno_async.cli._emulator import emulator_config
from suno_async.cli._main import parse
from suno_async.emulator import Chaos, Emulator, EmulatorConfig, TaskScript, VirtualClock

from ..helpers import advance, fake_serve

pytestmark = pytest.mark.anyio

AUTH = {"Authorization": "Bearer test-key"}
PREPARE = "/suno/v2/customModel/prepare"
UPLOAD = "/suno/v2/customModel/upload"
CREATE = "/suno/v2/customModel/create"
GENERATE = "/suno/v2/generate"
STATUS = "/suno/v2/status"
PURE35 = "/api/v2/suno/v3.5/custom/create-pure-music"
CLIPS35 = "/api/v2/suno/v3.5/clips"
GENERATE_BODY = {"task": "create", "model": "chirp-v50", "prompt": "la la", "tags": "Pop"}
#: The soak test's chaos: the issue's 10 % 429s, 10 % 5xx and 5 % drops, seeded.
SOAK = Chaos(rate_limit=0.1, server_error=0.1, drop=0.05, seed=20240611)


@dataclasses.dataclass
class Reply:
    status: int
    raw: bytes
    headers: Any

    def json(self) -> Any:
        return json.loads(self.raw)


async def send(
    http: aiohttp.ClientSession,
    emu: Emulator,
    method: str,
    path: str,
    body: Any = None,
    *,
    timeout: float | None = None,
) -> Reply:
    """One request; the raw answer (dropped connections raise ``aiohttp.ClientError``)."""
    async with http.request(
        method,
        emu.base_url + path,
        json=body,
        headers=AUTH,
        timeout=aiohttp.ClientTimeout(total=timeout),
    ) as resp:
        return Reply(resp.status, await resp.read(), resp.headers)


async def send_or_drop(
    http: aiohttp.ClientSession, emu: Emulator, method: str, path: str, body: Any = None
) -> Reply | None:
    """Like :func:`send`, but ``None`` when the emulator hung up."""
    try:
        return await send(http, emu, method, path, body)
    except aiohttp.ClientError:
        return None


async def six_clips(http: aiohttp.ClientSession, emu: Emulator, session_id: str) -> list[str]:
    """Upload six offline example.com tracks to the session; their clip ids."""
    tasks = []
    for i in range(6):
        body = {"sessionId": session_id, "audioUrl": f"https://example.com/{session_id}-{i}.mp3"}
        tasks.append((await send(http, emu, "POST", UPLOAD, body)).json()["taskId"])
    advance(emu, emu.config.upload_seconds)
    return [
        (await send(http, emu, "GET", f"{STATUS}?taskId={task}")).json()["data"]["id"]
        for task in tasks
    ]


def elapsed_since(started: float) -> float:
    return time.monotonic() - started


# -- slow answers -----------------------------------------------------------------------------


async def test_slow_next_holds_the_answer_after_the_work(http: aiohttp.ClientSession) -> None:
    """slow_next does the work at once and holds the answer (even an error) in real time."""
    async with Emulator(clock=VirtualClock()) as emu:
        emu.slow_next("POST", GENERATE, 0.4)
        with pytest.raises(TimeoutError):
            await send(http, emu, "POST", GENERATE, GENERATE_BODY, timeout=0.1)
        assert emu.credits_spent == 40  # the client gave up, but the task was created
        emu.slow_next("POST", GENERATE, 0.15, times=2)
        for body, expected in ((GENERATE_BODY, 201), ({"task": "create"}, 400)):
            started = time.monotonic()
            assert (await send(http, emu, "POST", GENERATE, body)).status == expected
            assert elapsed_since(started) >= 0.15
        assert (await send(http, emu, "POST", GENERATE, GENERATE_BODY)).status == 201
        assert emu.credits_spent == 120
        with pytest.raises(ValueError, match="seconds"):
            emu.slow_next("GET", STATUS, -1)


async def test_configured_latency_delays_api_answers_only(http: aiohttp.ClientSession) -> None:
    """slow_seconds holds every API answer (both providers); slow_path narrows it to one path."""
    async with Emulator(EmulatorConfig(slow_seconds=0.2), clock=VirtualClock()) as emu:
        for method, path, body in (("POST", PREPARE, None), ("POST", PURE35, {"tags": "pop"})):
            started = time.monotonic()
            assert (await send(http, emu, method, path, body)).status in (200, 201)
            assert elapsed_since(started) >= 0.2
        started = time.monotonic()
        assert (await send(http, emu, "GET", "/samples/track-1.wav")).status == 200
        assert elapsed_since(started) < 0.2
    config = EmulatorConfig(slow_seconds=0.2, slow_path=GENERATE)
    async with Emulator(config, clock=VirtualClock()) as emu:
        started = time.monotonic()
        assert (await send(http, emu, "POST", PREPARE)).status == 201
        assert elapsed_since(started) < 0.2
        started = time.monotonic()
        assert (await send(http, emu, "POST", GENERATE, GENERATE_BODY)).status == 201
        assert elapsed_since(started) >= 0.2
    for bad in ({"slow_seconds": -1.0}, {"slow_seconds": float("inf")}, {"slow_path": "x"}):
        with pytest.raises(ValueError, match="slow"):
            EmulatorConfig(**bad)


# -- malformed answers ------------------------------------------------------------------------


async def test_malform_truncated_after_work_cuts_the_real_body(
    http: aiohttp.ClientSession,
) -> None:
    """A truncated answer keeps status and a matching Content-Length; the work was done."""
    async with Emulator(clock=VirtualClock()) as emu:
        emu.malform_next("POST", GENERATE)
        emu.malform_next("POST", PURE35, "truncated", after_work=True)
        reply = await send(http, emu, "POST", GENERATE, GENERATE_BODY)
        assert reply.status == 201
        assert int(reply.headers["Content-Length"]) == len(reply.raw)
        assert reply.headers["Content-Type"].startswith("application/json")
        assert reply.raw.startswith(b'{"taskId":"')
        whole = len(b'{"taskId":""}') + 36
        assert len(reply.raw) == whole // 2
        with pytest.raises(ValueError, match=r"Expecting|Unterminated"):
            reply.json()
        assert emu.credits_spent == 40
        sunoapi = await send(http, emu, "POST", PURE35, {"tags": "pop"})
        assert sunoapi.status == 200
        with pytest.raises(ValueError, match=r"Expecting|Unterminated"):
            sunoapi.json()
        assert emu.sunoapi_credits_spent == 10
        # The next requests are answered whole again.
        assert "taskId" in (await send(http, emu, "POST", GENERATE, GENERATE_BODY)).json()


async def test_malform_invalid_and_without_work(http: aiohttp.ClientSession) -> None:
    """'invalid' sends an HTML page labelled JSON; without after_work nothing is done."""
    async with Emulator(clock=VirtualClock()) as emu:
        emu.malform_next("POST", GENERATE, "invalid", times=2)
        emu.malform_next("POST", CREATE, "invalid", after_work=False)
        emu.malform_next("GET", CLIPS35, "truncated", after_work=False)
        for _ in range(2):
            reply = await send(http, emu, "POST", GENERATE, GENERATE_BODY)
            assert reply.status == 201
            assert reply.raw.startswith(b"<!DOCTYPE html>")
            assert reply.headers["Content-Type"].startswith("application/json")
        assert emu.credits_spent == 80
        # With an aiohttp client the failure is a parse error, not a connection error.
        async with http.post(
            emu.base_url + CREATE, json={"sessionId": "nope"}, headers=AUTH
        ) as resp:
            assert resp.status == 201  # the route's success status; it did not even run
            with pytest.raises(ValueError, match="Expecting value"):
                await resp.json()
        lookup = await send(http, emu, "GET", f"{CLIPS35}?ids=a")
        assert lookup.status == 200
        assert int(lookup.headers["Content-Length"]) == len(lookup.raw) > 0
        with pytest.raises(ValueError, match=r"Unterminated|Expecting"):
            lookup.json()
        assert emu.credits_spent == 80
        with pytest.raises(ValueError, match="mode"):
            emu.malform_next("POST", GENERATE, "garbled")  # type: ignore[arg-type]


# -- dropped connections after the work ---------------------------------------------------------


async def test_create_dropped_after_work_is_training_under_the_session_id(
    http: aiohttp.ClientSession,
) -> None:
    """A lost create answer: the training exists (taskId == sessionId) and was charged once."""
    async with Emulator(clock=VirtualClock()) as emu:
        session_id = (await send(http, emu, "POST", PREPARE)).json()["sessionId"]
        clips = await six_clips(http, emu, session_id)
        before = emu.credits_spent
        body = {"sessionId": session_id, "clipIds": clips, "name": "m"}
        emu.drop_next("POST", CREATE, after_work=True)
        with pytest.raises(aiohttp.ClientError):
            await send(http, emu, "POST", CREATE, body)
        assert emu.credits_spent == before + 100
        training = (await send(http, emu, "GET", f"{STATUS}?taskId={session_id}")).json()
        assert (training["taskId"], training["status"]) == (session_id, "ready")
        assert (await send(http, emu, "POST", CREATE, body)).status == 409  # never billed twice
        advance(emu, emu.config.training_seconds)
        done = (await send(http, emu, "GET", f"{STATUS}?taskId={session_id}")).json()
        assert done["status"] == "success"
        assert done["data"]["id"].startswith("chirp-custom:")
        assert emu.credits_spent == before + 100


async def test_create_dropped_before_work_left_nothing(http: aiohttp.ClientSession) -> None:
    """A create dropped before the work: the session id is no task, nothing was charged."""
    async with Emulator(clock=VirtualClock()) as emu:
        session_id = (await send(http, emu, "POST", PREPARE)).json()["sessionId"]
        clips = await six_clips(http, emu, session_id)
        before = emu.credits_spent
        emu.drop_next("POST", CREATE, after_work=False)
        body = {"sessionId": session_id, "clipIds": clips, "name": "m"}
        with pytest.raises(aiohttp.ClientError):
            await send(http, emu, "POST", CREATE, body)
        assert (await send(http, emu, "GET", f"{STATUS}?taskId={session_id}")).status == 404
        assert emu.credits_spent == before


async def test_generate_dropped_after_work_was_charged(http: aiohttp.ClientSession) -> None:
    """A lost generate answer: the task was created and paid for; the log shows its 201."""
    async with Emulator(clock=VirtualClock()) as emu:
        emu.drop_next("POST", GENERATE, after_work=True)
        with pytest.raises(aiohttp.ClientError):
            await send(http, emu, "POST", GENERATE, GENERATE_BODY)
        assert emu.credits_spent == 40
        assert [r.status for r in emu.requests] == [201]


# -- task scripts in the configuration --------------------------------------------------------


async def test_task_scripts_in_config_are_queued_in_order(http: aiohttp.ClientSession) -> None:
    """EmulatorConfig.task_scripts acts like the methods, called in order before any request."""
    scripts = (
        TaskScript("generate", "fail"),
        TaskScript("generate", "timeout"),
        TaskScript("generate", "unknown_status", value="on_hold"),
    )
    async with Emulator(EmulatorConfig(task_scripts=scripts), clock=VirtualClock()) as emu:
        tasks = [
            (await send(http, emu, "POST", GENERATE, GENERATE_BODY)).json()["taskId"]
            for _ in range(3)
        ]
        # Status scripts queue apart from outcome scripts: the first task takes both heads.
        pending = [
            (await send(http, emu, "GET", f"{STATUS}?taskId={task}")).json()["status"]
            for task in tasks
        ]
        assert pending == ["on_hold", "queued", "queued"]
        advance(emu, emu.config.generate_seconds)
        ended = [(await send(http, emu, "GET", f"{STATUS}?taskId={task}")).json() for task in tasks]
        assert [e["status"] for e in ended] == ["failed", "timeout", "success"]
        assert (ended[0]["failReason"], ended[0]["failCode"]) == ("Audio source not found.", 4001)
        assert emu.credits_spent == 40
    with pytest.raises(ValueError, match="kind"):
        TaskScript("lyrics", "fail")
    with pytest.raises(ValueError, match="effect"):
        TaskScript("music", "explode")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="task_scripts"):
        EmulatorConfig(task_scripts=[TaskScript("music", "stall")])  # type: ignore[arg-type]


# -- chaos ------------------------------------------------------------------------------------


def test_chaos_is_a_checked_frozen_dataclass() -> None:
    """Chaos refuses impossible settings and cannot be changed once made."""
    chaos = Chaos(rate_limit=0.5, server_error=0.3, drop=0.2, seed=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        chaos.drop = 0.1  # type: ignore[misc]
    assert Chaos().retry_after == "0"
    bad: list[dict[str, Any]] = [
        {"rate_limit": -0.1},
        {"server_error": 1.5},
        {"drop": float("nan")},
        {"rate_limit": True},
        {"rate_limit": 0.6, "server_error": 0.5},
        {"seed": 1.5},
        {"retry_after": ""},
        {"retry_after": "1\r\nX: y"},
    ]
    for fields in bad:
        with pytest.raises(ValueError, match=r"rate_limit|server_error|drop|seed|retry_after"):
            Chaos(**fields)
    with pytest.raises(TypeError, match="chaos"):
        EmulatorConfig(chaos={"drop": 0.1})  # type: ignore[arg-type]


async def soak(http: aiohttp.ClientSession, emu: Emulator, requests: int) -> list[int | None]:
    """POST generate ``requests`` times, with a sample fetch every tenth; the statuses seen."""
    seen: list[int | None] = []
    for n in range(requests):
        reply = await send_or_drop(http, emu, "POST", GENERATE, GENERATE_BODY)
        seen.append(None if reply is None else reply.status)
        if n % 10 == 0:
            assert (await send(http, emu, "GET", "/samples/track-2.wav")).status == 200
    return seen


async def until_ok(
    http: aiohttp.ClientSession, emu: Emulator, method: str, path: str, body: Any = None
) -> Any:
    """Send until chaos lets a request through; its JSON answer (a task id for a POST)."""
    for _ in range(50):
        reply = await send_or_drop(http, emu, method, path, body)
        if reply is not None and reply.status in (200, 201):
            answer = reply.json()
            return answer["taskId"] if method == "POST" else answer
    raise AssertionError(f"chaos let no {method} {path} through in 50 tries")


async def test_chaos_soak_counts_and_keeps_the_books(http: aiohttp.ClientSession) -> None:
    """400 generates under 10 % 429 / 10 % 5xx / 5 % drops: rates near the settings, every
    fault counted, every charge backed by a created task, the CDN never touched."""
    config = EmulatorConfig(chaos=SOAK, credits=100_000)
    async with Emulator(config, clock=VirtualClock()) as emu:
        seen = await soak(http, emu, 400)
        stats = emu.chaos_stats
        assert set(stats) == {
            "rate_limit",
            "server_error",
            "server_error_before",
            "server_error_after",
            "drop_before",
            "drop_after",
        }
        assert 20 <= stats["rate_limit"] <= 65
        assert 20 <= stats["server_error"] <= 65
        assert stats["server_error_before"] == stats["server_error"]  # no share after the work
        assert stats["server_error_after"] == 0
        assert 5 <= stats["drop_before"] + stats["drop_after"] <= 40
        assert stats["drop_before"] >= 1
        assert stats["drop_after"] >= 1
        # What the client saw matches what chaos says it did.
        counts = Counter(seen)
        assert counts[429] == stats["rate_limit"]
        assert counts[500] + counts[502] + counts[503] + counts[504] == stats["server_error"]
        assert min(counts[500], counts[502], counts[503], counts[504]) >= 1
        assert counts[None] == stats["drop_before"] + stats["drop_after"]
        assert set(counts) <= {201, 429, 500, 502, 503, 504, None}
        # Drops after the work were charged like answered ones; nothing else was.
        assert emu.credits_spent == 40 * (counts[201] + stats["drop_after"])
        logged = Counter(r.status for r in emu.requests if r.path == GENERATE)
        assert logged[499] == stats["drop_before"]
        assert logged[201] == counts[201] + stats["drop_after"]
        # The samples and the CDN are never hit, and draw nothing.
        samples = [r.status for r in emu.requests if r.path.startswith("/samples/")]
        assert samples == [200] * 40
        task_id = await until_ok(http, emu, "POST", GENERATE, GENERATE_BODY)
        advance(emu, emu.config.generate_seconds)
        snapshot = await until_ok(http, emu, "GET", f"{STATUS}?taskId={task_id}")
        audio_path = "/" + snapshot["data"][0]["audio_url"].split("/", 3)[3]
        assert audio_path.startswith("/cdn/audio/")
        before = emu.chaos_stats
        for _ in range(20):
            assert (await send(http, emu, "GET", audio_path)).status == 200
        assert emu.chaos_stats == before
    # The same seed meets the same faults in the same order.
    async with Emulator(config, clock=VirtualClock()) as again:
        assert await soak(http, again, 60) == seen[:60]


async def test_chaos_answers_per_provider_before_the_bearer_check(
    http: aiohttp.ClientSession,
) -> None:
    """Chaos 429s carry the configured Retry-After and each provider's error body; unknown API
    paths count as API paths; CDN and sample routes are left alone."""
    chaos = Chaos(rate_limit=1.0, retry_after="2", seed=7)
    async with Emulator(EmulatorConfig(chaos=chaos), clock=VirtualClock()) as emu:
        async with http.post(emu.base_url + PURE35, json={"tags": "pop"}) as resp:  # no auth
            assert (resp.status, resp.headers["Retry-After"]) == (429, "2")
            assert (await resp.json())["code"] == 429
        reply = await send(http, emu, "POST", PREPARE)
        assert (reply.status, reply.json()["statusCode"]) == (429, 429)
        assert (await send(http, emu, "GET", "/suno/v2/nowhere")).status == 429
        assert (await send(http, emu, "GET", "/samples/track-1.wav")).status == 200
        assert (await send(http, emu, "GET", "/cdn/audio/nothing.wav")).status == 404
        assert emu.chaos_stats == {
            "rate_limit": 3,
            "server_error": 0,
            "server_error_before": 0,
            "server_error_after": 0,
            "drop_before": 0,
            "drop_after": 0,
        }
        assert emu.sunoapi_credits_spent == 0
    async with Emulator(clock=VirtualClock()) as plain:
        assert plain.chaos_stats == dict.fromkeys(plain.chaos_stats, 0)


async def test_scripts_win_over_chaos_and_chaos_spares_the_own_fetch(
    http: aiohttp.ClientSession,
) -> None:
    """A request that matches a script takes it and draws no chaos; the emulator's own fetch of
    upload audio is never hit by chaos, even when it names an API route."""
    chaos = Chaos(server_error=1.0, seed=3)
    async with Emulator(EmulatorConfig(chaos=chaos), clock=VirtualClock()) as emu:
        emu.inject_http("POST", PREPARE, 418)
        emu.slow_next("POST", PREPARE, 0)
        emu.slow_next("POST", UPLOAD, 0)
        assert (await send(http, emu, "POST", PREPARE)).status == 418
        session_id = (await send(http, emu, "POST", PREPARE)).json()["sessionId"]
        assert emu.chaos_stats["server_error"] == 0
        api_url = f"{emu.base_url}{CLIPS35}?ids=not-audio"
        body = {"sessionId": session_id, "audioUrl": api_url}
        upload = (await send(http, emu, "POST", UPLOAD, body)).json()["taskId"]
        advance(emu, emu.config.upload_seconds)
        emu.slow_next("GET", STATUS, 0)
        # The status route waits for the fetch that is due, so it is done and logged after this.
        failed = (await send(http, emu, "GET", f"{STATUS}?taskId={upload}")).json()
        assert (failed["status"], failed["failReason"]) == ("failed", "Audio source not found.")
        fetch = next(r for r in emu.requests if r.path == CLIPS35)
        assert (fetch.status, fetch.has_auth_header) == (401, False)  # the route's own answer
        assert emu.chaos_stats["server_error"] == 0
        assert (await send(http, emu, "POST", PREPARE)).status in (500, 502, 503, 504)
        assert emu.chaos_stats["server_error"] == 1


async def test_chaos_drops_after_the_work_really_did_it(http: aiohttp.ClientSession) -> None:
    """Under chaos, every drop after the work left a charged task; drops before left nothing."""
    chaos = Chaos(drop=1.0, seed=11)
    async with Emulator(EmulatorConfig(chaos=chaos), clock=VirtualClock()) as emu:
        for _ in range(20):
            assert await send_or_drop(http, emu, "POST", GENERATE, GENERATE_BODY) is None
        stats = emu.chaos_stats
        assert stats["drop_before"] + stats["drop_after"] == 20
        assert 3 <= stats["drop_after"] <= 17
        assert emu.credits_spent == 40 * stats["drop_after"]


# -- the command line -------------------------------------------------------------------------


def config_from(argv: list[str]) -> EmulatorConfig:
    return emulator_config(parse(["emulator", *argv]))


def test_cli_fault_flags_build_the_config() -> None:
    """Every fault flag lands in the EmulatorConfig that serve() is given."""
    config = config_from(
        [
            "--fail-next", "generate:2",
            "--timeout-next", "upload",
            "--stall-next", "music:3",
            "--unknown-status-next", "training",
            "--fail-next", "music",
            "--slow", "0.5",
            "--slow-path", GENERATE,
            "--chaos-429", "0.1",
            "--chaos-5xx", "0.2",
            "--chaos-drop", "0.05",
            "--chaos-seed", "42",
            "--chaos-retry-after", "3",
        ]
    )  # fmt: skip
    assert config.task_scripts == (
        TaskScript("generate", "fail", 2),
        TaskScript("upload", "timeout", 1),
        TaskScript("music", "stall", 3),
        TaskScript("training", "unknown_status", 1),
        TaskScript("music", "fail", 1),
    )
    assert (config.slow_seconds, config.slow_path) == (0.5, GENERATE)
    assert config.chaos == Chaos(
        rate_limit=0.1, server_error=0.2, drop=0.05, seed=42, retry_after="3"
    )
    plain = config_from([])
    assert (plain.chaos, plain.task_scripts, plain.slow_seconds) == (None, (), 0.0)
    seeded = config_from(["--chaos-drop", "0.3"])
    assert seeded.chaos is not None
    assert isinstance(seeded.chaos.seed, int)
    assert (seeded.chaos.drop, seeded.chaos.rate_limit, seeded.chaos.retry_after) == (
        0.3,
        0.0,
        "0",
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--fail-next", "lyrics"], "argument --fail-next: unknown task kind 'lyrics'"),
        (["--stall-next", "upload:0"], "argument --stall-next: N in KIND:N"),
        (["--timeout-next", "music:x"], "argument --timeout-next: N in KIND:N"),
        (["--chaos-429", "1.5"], "argument --chaos-429: must be a probability"),
        (["--chaos-5xx", "lots"], "argument --chaos-5xx: must be a number"),
        (
            ["--chaos-429", "0.6", "--chaos-drop", "0.6"],
            "arguments --chaos-429, --chaos-5xx, --chaos-drop: ",
        ),
        (["--chaos-seed", "1"], "argument --chaos-seed: needs --chaos-429"),
        (["--slow", "-1"], "argument --slow: must be a number of seconds"),
        (["--slow-path", GENERATE], "argument --slow-path: needs --slow"),
        (["--slow", "1", "--slow-path", "generate"], "argument --slow-path: slow_path must"),
    ],
)
def test_cli_bad_fault_flags_are_usage_errors(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """A bad fault flag exits 2 with argparse's message naming it, and no traceback."""
    with pytest.raises(SystemExit) as info:
        config_from(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"suno-async emulator: error: {message}" in err
    assert "Traceback" not in err


def test_cli_help_explains_every_fault_flag(capsys: pytest.CaptureFixture[str]) -> None:
    """emulator --help names and explains each fault flag."""
    with pytest.raises(SystemExit):
        main(["emulator", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for flag, words in (
        ("--fail-next KIND[:N]", "fail"),
        ("--timeout-next KIND[:N]", "time out"),
        ("--stall-next KIND[:N]", "never finish"),
        ("--unknown-status-next KIND[:N]", "'paused'"),
        ("--slow SECONDS", "real (wall-clock) seconds"),
        ("--slow-path PATH", "only to answers to this path"),
        ("--chaos-429 P", "answered 429"),
        ("--chaos-5xx P", "500, 502, 503 (with or without Retry-After) or 504"),
        ("--chaos-5xx-after SHARE", "after the work was done"),
        ("--chaos-drop P", "after it"),
        ("--chaos-seed N", "repeated"),
    ):
        start = text.index(flag + " ")
        assert words in text[start : start + 260], flag


def test_cli_prints_the_chaos_seed_it_drew(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --chaos-seed the drawn seed goes to stderr; stdout keeps its one line."""
    seen: list[EmulatorConfig] = []

    monkeypatch.setattr(emulator_pkg, "serve", fake_serve(seen))
    assert main(["emulator", "--port", "0", "--chaos-5xx", "0.5", "--fail-next", "music"]) == 0
    out, err = capsys.readouterr()
    assert out == "suno_async emulator listening on http://127.0.0.1:4321\n"
    assert seen[0].chaos is not None
    assert err.endswith(  # after the export lines
        f"\nsuno_async emulator chaos seed {seen[0].chaos.seed} "
        f"(--chaos-seed {seen[0].chaos.seed} repeats this run)\n"
    )
    assert seen[0].task_scripts == (TaskScript("music", "fail"),)


async def test_cli_chaos_smoke_over_a_real_process() -> None:
    """python -m suno_async emulator --port 0 --chaos-5xx 1.0: API 5xx, samples 200."""
    proc = subprocess.Popen(  # noqa: ASYNC220 - a long-lived child we read line by line
        [sys.executable, "-m", "suno_async", "emulator", "--port", "0", "--chaos-5xx", "1.0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        with anyio.fail_after(10):
            line = await anyio.to_thread.run_sync(proc.stdout.readline)
        assert line.startswith("suno_async emulator listening on http://127.0.0.1:")
        base_url = line.rsplit(" ", 1)[1].strip()
        async with aiohttp.ClientSession() as http:
            async with http.post(base_url + PREPARE, headers=AUTH) as resp:
                assert resp.status in (500, 502, 503, 504)
            async with http.get(base_url + "/samples/track-1.wav") as resp:
                assert resp.status == 200
                assert (await resp.read()).startswith(b"RIFF")
    finally:
        proc.terminate()
        await anyio.to_thread.run_sync(proc.wait, 10)
        assert proc.stdout is not None
        assert proc.stderr is not None
        proc.stdout.close()
        proc.stderr.close()


def test_cli_sets_both_accounts_credits() -> None:
    """--credits and --sunoapi-credits set the two providers' starting balances."""
    config = config_from(["--credits", "7", "--sunoapi-credits", "9"])
    assert (config.credits, config.sunoapi_credits) == (7, 9)
