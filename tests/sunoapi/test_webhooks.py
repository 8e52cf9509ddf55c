"""The webhook receiver (signatures, freshness, duplicates, waiters, secret hygiene) and a v1
create's wait racing its webhook against polling, with the emulator's delivery faults."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import anyio
import msgspec
import pytest
from aiohttp import web

from suno_async import (
    ConfigError,
    SunoapiClient,
    TaskFailedError,
    TaskStatusChanged,
    WebhookEvent,
    WebhookReceiver,
)
from suno_async.emulator import Emulator, EmulatorConfig, VirtualClock, WebhookFault
from suno_async.sunoapi import WEBHOOK_SAFETY_NET, WebhookError

from ..conftest import FAST_RETRY

pytestmark = pytest.mark.anyio

SECRET = "whsec-DISTINCTIVE-4b1d"
TASK = "task-1"
BODY = msgspec.json.encode(
    {"code": 200, "task_id": TASK, "data": [{"clip_id": "c1", "state": "succeeded"}]}
)


def sign(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def mirror(body: bytes, stamp: str, secret: str = SECRET) -> str:
    return "sha256=" + sign(stamp.encode() + b"." + body, secret)


def status_of(response: web.Response) -> int:
    return response.status


# -- verifying ------------------------------------------------------------------------------------


async def test_a_signed_delivery_is_accepted_and_handed_to_waiters() -> None:
    receiver = WebhookReceiver(SECRET)
    answer = receiver.receive(BODY, {"X-Signature": sign(BODY)})
    assert answer.status == 200
    event = await receiver.wait_for(TASK)
    assert isinstance(event, WebhookEvent)
    assert event.status == "succeeded"
    assert event.clips[0].clip_id == "c1"
    assert event.delivery_id == "sha256:" + hashlib.sha256(BODY).hexdigest()
    assert receiver.last_event(TASK) == event
    assert receiver.stats.accepted == 1


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(sign(BODY).upper(), id="hex, upper case"),
        pytest.param("sha256=" + sign(BODY), id="sha256= prefix"),
        pytest.param(
            base64.b64encode(hmac.new(SECRET.encode(), BODY, hashlib.sha256).digest()).decode(),
            id="base64",
        ),
    ],
)
def test_the_signature_forms_the_docs_leave_open(signature: str) -> None:
    assert WebhookReceiver(SECRET).receive(BODY, {"X-Signature": signature}).status == 200


def test_the_mirror_signs_timestamp_and_body() -> None:
    stamp = str(int(time.time()))
    receiver = WebhookReceiver(SECRET)
    headers = {"X-Webhook-Timestamp": stamp, "X-Webhook-Signature": mirror(BODY, stamp)}
    assert receiver.receive(BODY, headers).status == 200
    other = BODY.replace(b"c1", b"c2")
    forged = {
        "X-Webhook-Timestamp": stamp,
        "X-Webhook-Signature": mirror(BODY, str(int(stamp) - 1)),
    }
    assert receiver.receive(other, forged).status == 401


@pytest.mark.parametrize(
    ("headers", "status", "counter"),
    [
        ({}, 401, "refused_signature"),
        ({"X-Signature": sign(BODY, "another-secret")}, 401, "refused_signature"),
        ({"X-Signature": "not hex at all"}, 401, "refused_signature"),
        # one good signature does not excuse a bad one
        ({"X-Signature": sign(BODY), "X-Webhook-Signature": "sha256=00"}, 401, "refused_signature"),
        ({"X-Signature": sign(BODY), "X-Webhook-Timestamp": "yesterday"}, 400, "refused_body"),
    ],
)
def test_forged_deliveries_are_refused(headers: dict[str, str], status: int, counter: str) -> None:
    receiver = WebhookReceiver(SECRET)
    answer = receiver.receive(BODY, headers)
    assert answer.status == status
    assert getattr(receiver.stats, counter) == 1
    assert receiver.last_event(TASK) is None


@pytest.mark.parametrize("offset", [-301.0, 301.0])
def test_stale_or_future_timestamps_are_refused(offset: float) -> None:
    """Five minutes either way (the documented window); a correct signature does not help."""
    now = 1_800_000_000.0
    stamp = str(int(now + offset))
    receiver = WebhookReceiver(SECRET, now=lambda: now)
    headers = {
        "X-Signature": sign(BODY),
        "X-Webhook-Timestamp": stamp,
        "X-Webhook-Signature": mirror(BODY, stamp),
    }
    assert receiver.receive(BODY, headers).status == 401
    assert receiver.stats.refused_stale == 1
    fresh = str(int(now - 299))
    headers |= {"X-Webhook-Timestamp": fresh, "X-Webhook-Signature": mirror(BODY, fresh)}
    assert receiver.receive(BODY, headers).status == 200


@pytest.mark.parametrize(
    "body", [b"not json", b'{"code": 200, "data": []}', b'{"task_id": "t", "data": 5}']
)
def test_signed_but_unreadable_bodies_are_400(body: bytes) -> None:
    receiver = WebhookReceiver(SECRET)
    assert receiver.receive(body, {"X-Signature": sign(body)}).status == 400
    assert receiver.stats.refused_body == 1


def test_repeated_deliveries_are_dropped() -> None:
    """By delivery id (Idempotency-Key / X-Webhook-Id), or by an identical body."""
    receiver = WebhookReceiver(SECRET)
    first = {"X-Signature": sign(BODY), "Idempotency-Key": "d-1"}
    assert receiver.receive(BODY, first).status == 200
    assert receiver.receive(BODY, first).status == 200
    assert receiver.receive(BODY, {"X-Signature": sign(BODY)}).status == 200
    other = BODY.replace(b"c1", b"c9")
    assert (
        receiver.receive(other, {"X-Signature": sign(other), "X-Webhook-Id": "d-1"}).status == 200
    )
    assert (receiver.stats.accepted, receiver.stats.duplicates) == (1, 3)


def test_the_receiver_remembers_a_bounded_number_of_tasks() -> None:
    receiver = WebhookReceiver(SECRET, remember=2)
    for n in range(3):
        body = BODY.replace(TASK.encode(), f"t{n}".encode())
        assert receiver.receive(body, {"X-Signature": sign(body)}).status == 200
    assert receiver.last_event("t0") is None
    assert receiver.last_event("t2") is not None


def test_verify_raises_a_typed_error_without_secrets() -> None:
    receiver = WebhookReceiver(SECRET)
    with pytest.raises(WebhookError) as info:
        receiver.verify(BODY, {"X-Signature": sign(BODY, "other")})
    assert (info.value.status, info.value.reason) == (401, "bad signature")
    assert SECRET not in str(info.value)
    assert sign(BODY) not in str(info.value)


def test_the_secret_never_shows(caplog: pytest.LogCaptureFixture) -> None:
    """Not in the repr, not in any log record, not in any answer."""
    receiver = WebhookReceiver(SECRET, url="https://example.org/hook")
    assert SECRET not in repr(receiver)
    assert repr(receiver) == "WebhookReceiver(url='https://example.org/hook', secret=<hidden>)"
    answers = []
    with caplog.at_level(logging.DEBUG, logger="suno_async"):
        answers.append(receiver.receive(BODY, {"X-Signature": sign(BODY)}))
        answers.append(receiver.receive(BODY, {"X-Signature": sign(BODY, "x")}))
        answers.append(receiver.receive(b"{}", {"X-Signature": sign(b"{}")}))
    assert caplog.records
    for record in caplog.records:
        assert SECRET not in record.getMessage()
    for answer in answers:
        assert isinstance(answer.body, bytes)
        assert SECRET.encode() not in answer.body
        assert sign(BODY).encode() not in answer.body


@pytest.mark.parametrize(
    ("arguments", "argument"),
    [
        ({"secret": " "}, "secret"),
        ({"secret": SECRET, "url": "mailto:x"}, "url"),
        ({"secret": SECRET, "tolerance": 0}, "tolerance"),
        ({"secret": SECRET, "remember": 0}, "remember"),
        ({"secret": SECRET, "now": 5}, "now"),
    ],
)
def test_the_receiver_checks_its_arguments(arguments: dict[str, Any], argument: str) -> None:
    with pytest.raises(ConfigError) as info:
        WebhookReceiver(**arguments)
    assert info.value.argument == argument


# -- serving: standalone, or mounted in the user's app --------------------------------------------


async def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as r:
        return r.status


async def test_serve_runs_a_small_server_on_loopback() -> None:
    receiver = WebhookReceiver(SECRET)
    async with receiver.serve() as url:
        assert url.startswith("http://127.0.0.1:")
        assert receiver.url == url
        assert await post(url, BODY, {"X-Signature": sign(BODY)}) == 200
        assert await post(url, BODY, {"X-Signature": "0" * 64}) == 401
    assert receiver.url is None
    assert receiver.last_event(TASK) is not None


@asynccontextmanager
async def running(app: web.Application) -> AsyncIterator[str]:
    """``app`` served on loopback; yields its base URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        await runner.cleanup()


async def test_mounted_in_the_users_app_as_a_route_or_a_sub_app() -> None:
    receiver = WebhookReceiver(SECRET)
    app = web.Application()
    app.router.add_post("/hooks/suno", receiver.handle)
    app.add_subapp("/sub/", receiver.app())
    async with running(app) as base:
        assert await post(base + "/hooks/suno", BODY, {"X-Signature": sign(BODY)}) == 200
        other = BODY.replace(b"c1", b"c2")
        assert await post(base + "/sub/", other, {"X-Signature": sign(other)}) == 200
    assert receiver.stats.accepted == 2


# -- a create's wait: the webhook raced against polling -------------------------------------------


@pytest.fixture
def clock() -> VirtualClock:
    """Jumps only after 50 ms of quiet, so a delivery in flight on loopback lands before the
    clock moves on to the next poll."""
    return VirtualClock(autojump=0.05)


@pytest.fixture
async def emulator(emulator_config: EmulatorConfig, clock: VirtualClock) -> AsyncIterator[Emulator]:
    async with Emulator(emulator_config, clock=clock) as emu:
        yield emu


@pytest.fixture
async def api(emulator: Emulator) -> AsyncIterator[SunoapiClient]:
    async with SunoapiClient(
        api_key="k", base_url=emulator.base_url, clock=emulator.clock, retry=FAST_RETRY
    ) as client:
        yield client


@pytest.fixture
async def hooks() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver(SECRET)
    async with receiver.serve():
        yield receiver


def lookups(emulator: Emulator, task_id: str) -> int:
    return emulator.count("GET", f"/api/v1/suno/task/{task_id}")


async def settle(clock: VirtualClock, seconds: float) -> None:
    """Let ``seconds`` of the clock pass (deliveries still due arrive meanwhile)."""
    await clock.sleep(seconds)


async def test_without_a_webhook_polling_does_the_work(
    api: SunoapiClient, emulator: Emulator
) -> None:
    """The baseline: the usual schedule asks several times before the songs are done."""
    handle = await api.v1.create(prompt="la", tags="pop")
    assert not handle.pushed
    await handle.wait()
    assert lookups(emulator, handle.id) >= 2  # one early look, then into the 30-120 s window


async def test_a_delivery_ends_the_wait_before_any_poll(
    api: SunoapiClient, emulator: Emulator, hooks: WebhookReceiver, clock: VirtualClock
) -> None:
    """The good case: verified delivery at 40 s, no status request at all."""
    handle = await api.v1.create(prompt="la", tags="pop", receiver=hooks)
    assert handle.pushed
    assert handle.poll_schedule() == WEBHOOK_SAFETY_NET
    events: list[Any] = []
    songs = await handle.wait(on_event=events.append)
    assert all(s.succeeded for s in songs)
    assert handle.settled_by == "push"
    assert clock.now() == pytest.approx(40.0)
    assert lookups(emulator, handle.id) == 0
    assert [e.status for e in events if isinstance(e, TaskStatusChanged)] == ["succeeded"]
    assert hooks.stats.accepted == 1


@pytest.mark.parametrize(
    "emulator_config", [EmulatorConfig(webhook_faults=(WebhookFault("lose"),))]
)
async def test_a_lost_delivery_is_covered_by_the_safety_net(
    api: SunoapiClient, emulator: Emulator, hooks: WebhookReceiver, clock: VirtualClock
) -> None:
    handle = await api.v1.create(prompt="la", tags="pop", receiver=hooks)
    songs = await handle.wait()
    assert len(songs) == 2
    assert handle.settled_by == "poll"
    assert lookups(emulator, handle.id) == 1  # one look, about a minute in
    assert 54.0 <= clock.now() <= 66.0
    assert hooks.stats.received == 0


@pytest.mark.parametrize(
    "emulator_config", [EmulatorConfig(webhook_faults=(WebhookFault("duplicate"),))]
)
async def test_a_duplicated_delivery_completes_once(
    api: SunoapiClient, emulator: Emulator, hooks: WebhookReceiver, clock: VirtualClock
) -> None:
    handle = await api.v1.create(prompt="la", tags="pop", receiver=hooks)
    await handle.wait()
    assert handle.settled_by == "push"
    assert lookups(emulator, handle.id) == 0
    await settle(clock, 1)
    assert (hooks.stats.accepted, hooks.stats.duplicates) == (1, 1)


@pytest.mark.parametrize(
    "emulator_config", [EmulatorConfig(webhook_faults=(WebhookFault("late", seconds=100),))]
)
async def test_a_late_delivery_completes_nothing(
    api: SunoapiClient, emulator: Emulator, hooks: WebhookReceiver, clock: VirtualClock
) -> None:
    """Polling finishes the wait; the delivery arriving after it only updates the record."""
    handle = await api.v1.create(prompt="la", tags="pop", receiver=hooks)
    await handle.wait()
    assert handle.settled_by == "poll"
    assert hooks.stats.received == 0
    await settle(clock, 100)
    assert hooks.stats.accepted == 1
    assert handle.settled_by == "poll"
    # A later wait on the task takes the delivery already there, without asking.
    before = lookups(emulator, handle.id)
    again = api.v1.task(handle.id, receiver=hooks)
    assert len(await again.wait()) == 2
    assert again.settled_by == "push"
    assert lookups(emulator, handle.id) == before


@pytest.mark.parametrize(
    ("emulator_config", "counter"),
    [
        (EmulatorConfig(webhook_faults=(WebhookFault("bad_signature"),)), "refused_signature"),
        (EmulatorConfig(webhook_faults=(WebhookFault("stale"),)), "refused_stale"),
    ],
    ids=["forged", "stale"],
)
async def test_a_forged_or_stale_delivery_never_completes_a_wait(
    api: SunoapiClient, emulator: Emulator, hooks: WebhookReceiver, counter: str
) -> None:
    handle = await api.v1.create(prompt="la", tags="pop", receiver=hooks)
    await handle.wait()
    assert handle.settled_by == "poll"
    assert getattr(hooks.stats, counter) == 1
    assert hooks.stats.accepted == 0
    assert hooks.last_event(handle.id) is None


async def test_a_failed_task_fails_from_its_delivery(
    api: SunoapiClient, emulator: Emulator, hooks: WebhookReceiver
) -> None:
    emulator.fail_next_tasks("music", reason="The lyrics were flagged.")
    handle = await api.v1.create(prompt="la", tags="pop", receiver=hooks)
    with pytest.raises(TaskFailedError) as info:
        await handle.wait()
    assert info.value.fail_reason == "The lyrics were flagged."
    assert handle.settled_by == "push"
    assert lookups(emulator, handle.id) == 0


async def test_a_webhook_without_a_receiver_is_only_passed_through(
    api: SunoapiClient, emulator: Emulator, hooks: WebhookReceiver
) -> None:
    """webhook_url and webhook_secret go to the service; the wait polls as usual."""
    assert hooks.url is not None
    handle = await api.v1.create(
        prompt="la", tags="pop", webhook_url=hooks.url, webhook_secret=SECRET
    )
    assert not handle.pushed
    await handle.wait()
    assert handle.settled_by == "poll"
    event = await hooks.wait_for(handle.id)
    assert event.event == "song.completed"


async def test_the_wait_deadline_still_holds(
    api: SunoapiClient, emulator: Emulator, hooks: WebhookReceiver
) -> None:
    """A stalled task sends no webhook; the safety net polls until the deadline."""
    from suno_async import TaskTimeoutError

    emulator.stall_next_tasks("music")
    handle = await api.v1.create(prompt="la", tags="pop", receiver=hooks)
    with pytest.raises(TaskTimeoutError):
        await handle.wait(timeout=200)
    assert 1 <= lookups(emulator, handle.id) <= 3


async def test_a_waiter_that_gives_up_leaves_nothing_behind() -> None:
    receiver = WebhookReceiver(SECRET)
    with anyio.move_on_after(0.01):
        await receiver.wait_for("never")
    assert receiver._signals == {}
