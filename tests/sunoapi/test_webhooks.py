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
    "body",
    [
        b"not json",
        b'{"code": 200, "data": []}',
        b'{"task_id": "t", "data": 5}',
        pytest.param(b'{"task_id": "  ", "data": []}', id="blank task_id"),
        pytest.param(b'{"task_id": "a b", "data": []}', id="task_id with a space"),
        pytest.param(b'{"data": [{"task_id": " "}]}', id="blank task_id in the items"),
    ],
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


def test_a_replayed_body_is_dropped_beyond_the_remember_window() -> None:
    """The bodies accepted are remembered apart from (and far longer than) the tasks and
    delivery keys, so a replay of an old one is a duplicate, not a new delivery."""
    receiver = WebhookReceiver(SECRET, remember=1)
    bodies = [BODY.replace(TASK.encode(), f"t{n}".encode()) for n in range(6)]
    for body in bodies:
        assert receiver.receive(body, {"X-Signature": sign(body)}).status == 200
    replay = {"X-Signature": sign(bodies[0]), "Idempotency-Key": "a-new-key"}
    assert receiver.receive(bodies[0], replay).status == 200
    assert (receiver.stats.accepted, receiver.stats.duplicates) == (6, 1)
    assert receiver.last_event("t0") is None  # forgotten as a task, remembered as a body


def test_the_replay_memory_is_bounded() -> None:
    receiver = WebhookReceiver(SECRET, replay_memory=2)
    bodies = [BODY.replace(TASK.encode(), f"t{n}".encode()) for n in range(3)]
    for body in [*bodies, bodies[0]]:
        assert receiver.receive(body, {"X-Signature": sign(body)}).status == 200
    assert (receiver.stats.accepted, receiver.stats.duplicates) == (4, 0)


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
        ({"secret": SECRET, "replay_memory": 0}, "replay_memory"),
        ({"secret": SECRET, "require_timestamp": "yes"}, "require_timestamp"),
        ({"secret": SECRET, "now": 5}, "now"),
    ],
)
def test_the_receiver_checks_its_arguments(arguments: dict[str, Any], argument: str) -> None:
    with pytest.raises(ConfigError) as info:
        WebhookReceiver(**arguments)
    assert info.value.argument == argument


# -- replays, order, header case, where the task id sits ------------------------------------------

NOW = 1_800_000_000.0


def stamped(body: bytes, at: float = NOW, secret: str = SECRET) -> dict[str, str]:
    """The mirror's headers for ``body`` signed at ``at`` (with X-Signature too)."""
    stamp = str(int(at))
    return {
        "X-Signature": sign(body, secret),
        "X-Webhook-Timestamp": stamp,
        "X-Webhook-Signature": mirror(body, stamp, secret),
    }


def other_task(name: str) -> bytes:
    return BODY.replace(TASK.encode(), name.encode())


def test_a_stale_delivery_stripped_of_its_timestamp_is_still_refused() -> None:
    """The review's replay: an old delivery refused as stale comes back with only its
    X-Signature (which signs the body alone). The sender signs with a timestamp, so the
    receiver now wants one."""
    receiver = WebhookReceiver(SECRET, now=lambda: NOW)
    assert not receiver.requires_timestamp
    assert receiver.receive(BODY, stamped(BODY, at=NOW - 3600)).status == 401
    assert receiver.requires_timestamp
    answer = receiver.receive(BODY, {"X-Signature": sign(BODY)})
    assert answer.status == 401
    assert receiver.stats.refused_stale == 2
    assert receiver.last_event(TASK) is None


def test_once_a_signed_timestamp_came_every_delivery_needs_one() -> None:
    receiver = WebhookReceiver(SECRET, now=lambda: NOW)
    assert receiver.receive(BODY, stamped(BODY)).status == 200
    event = receiver.last_event(TASK)
    assert event is not None
    assert event.signed_at == NOW
    second = other_task("t2")
    with pytest.raises(WebhookError) as info:
        receiver.verify(second, {"X-Signature": sign(second)})
    assert (info.value.status, info.value.reason) == (401, "no timestamp")
    # A timestamp no signature covers proves nothing: refused as well.
    unsigned = {"X-Signature": sign(second), "X-Webhook-Timestamp": str(int(NOW))}
    assert receiver.receive(second, unsigned).status == 401
    assert receiver.receive(second, stamped(second)).status == 200


def test_require_timestamp_set_either_way() -> None:
    strict = WebhookReceiver(SECRET, now=lambda: NOW, require_timestamp=True)
    assert strict.requires_timestamp
    assert strict.receive(BODY, {"X-Signature": sign(BODY)}).status == 401
    assert strict.receive(BODY, stamped(BODY)).status == 200
    lax = WebhookReceiver(SECRET, now=lambda: NOW, require_timestamp=False)
    assert lax.receive(BODY, stamped(BODY)).status == 200
    assert not lax.requires_timestamp
    second = other_task("t2")
    assert lax.receive(second, {"X-Signature": sign(second)}).status == 200
    # A stale timestamp is refused all the same.
    third = other_task("t3")
    assert lax.receive(third, stamped(third, at=NOW - 3600)).status == 401


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"X-Signature": sign(BODY, "another")}, id="wrong X-Signature"),
        pytest.param({"X-Webhook-Signature": "sha256=" + "0" * 64}, id="wrong mirror"),
        pytest.param({}, id="unsigned"),
    ],
)
@pytest.mark.parametrize("stamp", [str(int(NOW - 3600)), "yesterday"])
def test_signatures_are_checked_before_timestamps(headers: dict[str, str], stamp: str) -> None:
    """Junk not signed with the secret is refused for its signature, and the answer says
    nothing about the receiver's clock."""
    receiver = WebhookReceiver(SECRET, now=lambda: NOW)
    answer = receiver.receive(BODY, headers | {"X-Webhook-Timestamp": stamp})
    assert answer.status == 401
    assert (receiver.stats.refused_signature, receiver.stats.refused_stale) == (1, 0)
    assert answer.text is not None
    assert "clock" not in answer.text
    assert "stale" not in answer.text


def test_a_stale_answer_does_not_tell_the_clock() -> None:
    receiver = WebhookReceiver(SECRET, now=lambda: NOW)
    answer = receiver.receive(BODY, stamped(BODY, at=NOW - 3600))
    assert answer.status == 401
    assert answer.text is not None
    assert "stale" in answer.text
    assert not any(ch.isdigit() for ch in answer.text)


async def test_a_later_non_final_delivery_never_replaces_the_final_one() -> None:
    receiver = WebhookReceiver(SECRET)
    later = BODY.replace(b"succeeded", b"streaming")
    assert receiver.receive(BODY, {"X-Signature": sign(BODY)}).status == 200
    assert receiver.receive(later, {"X-Signature": sign(later)}).status == 200
    event = receiver.last_event(TASK)
    assert event is not None
    assert event.status == "succeeded"
    with anyio.fail_after(1):
        assert (await receiver.wait_for(TASK)).status == "succeeded"
    assert (receiver.stats.accepted, receiver.stats.out_of_order) == (1, 1)
    # A non-final state before the final one is kept, and the final one replaces it.
    running = other_task("t2").replace(b"succeeded", b"running")
    assert receiver.receive(running, {"X-Signature": sign(running)}).status == 200
    done = other_task("t2")
    assert receiver.receive(done, {"X-Signature": sign(done)}).status == 200
    event = receiver.last_event("t2")
    assert event is not None
    assert event.status == "succeeded"
    assert (receiver.stats.accepted, receiver.stats.out_of_order) == (3, 1)


def test_header_names_are_matched_whatever_their_case() -> None:
    """A plain dict from another server framework, with lower-case names."""
    receiver = WebhookReceiver(SECRET, now=lambda: NOW)
    lower = {name.lower(): value for name, value in stamped(BODY).items()}
    assert receiver.receive(BODY, lower | {"idempotency-key": "k1"}).status == 200
    event = receiver.last_event(TASK)
    assert event is not None
    assert event.delivery_id == "k1"
    other = other_task("t2")
    headers = {name.upper(): value for name, value in stamped(other).items()}
    assert receiver.receive(other, headers | {"IDEMPOTENCY-KEY": "k1"}).status == 200
    assert receiver.stats.duplicates == 1  # the same delivery key


def test_conflicting_header_values_are_refused() -> None:
    """Two different signatures cannot be told apart; a proxy's repeated header is no
    matter."""
    receiver = WebhookReceiver(SECRET)
    headers = {"X-Signature": sign(BODY), "x-signature": sign(BODY, "another")}
    assert receiver.receive(BODY, headers).status == 401
    assert receiver.stats.refused_signature == 1
    proxied = {"X-Signature": sign(BODY), "X-Forwarded-For": "1.2.3.4", "x-forwarded-for": "5"}
    assert receiver.receive(BODY, proxied).status == 200


async def test_repeated_headers_through_aiohttp() -> None:
    """A real request: aiohttp's headers keep repeated ones (a proxy's X-Forwarded-For)."""
    receiver = WebhookReceiver(SECRET)
    async with receiver.serve() as url, aiohttp.ClientSession() as http:
        headers = [
            ("x-signature", sign(BODY)),
            ("X-Forwarded-For", "10.0.0.1"),
            ("X-Forwarded-For", "10.0.0.2"),
            ("idempotency-key", "k7"),
        ]
        async with http.post(url, data=BODY, headers=headers) as answer:
            assert answer.status == 200
    event = receiver.last_event(TASK)
    assert event is not None
    assert event.delivery_id == "k7"


def items_body(top: str | None, *in_items: str | None) -> bytes:
    items = []
    for n, task_id in enumerate(in_items):
        item: dict[str, Any] = {"clip_id": f"c{n}", "state": "succeeded"}
        if task_id is not None:
            item["task_id"] = task_id
        items.append(item)
    body: dict[str, Any] = {"code": 200, "data": items}
    if top is not None:
        body["task_id"] = top
    return msgspec.json.encode(body)


@pytest.mark.parametrize(
    ("body", "task_id"),
    [
        pytest.param(items_body("t9", None, None), "t9", id="at the top"),
        pytest.param(items_body(None, "t9", "t9"), "t9", id="in every item"),
        pytest.param(items_body("t9", "t9", None), "t9", id="both, agreeing"),
        pytest.param(items_body(None, 42, 42), "42", id="a number in the items"),  # type: ignore[arg-type]
    ],
)
def test_the_task_id_may_sit_at_the_top_or_in_the_items(body: bytes, task_id: str) -> None:
    receiver = WebhookReceiver(SECRET)
    assert receiver.receive(body, {"X-Signature": sign(body)}).status == 200
    event = receiver.last_event(task_id)
    assert event is not None
    assert [clip.clip_id for clip in event.clips] == ["c0", "c1"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(items_body(None, "t1", "t2"), id="items disagree"),
        pytest.param(items_body("t1", "t2", "t2"), id="top and items disagree"),
        pytest.param(items_body(None, "t1", None), id="an item without one"),
        pytest.param(items_body(None), id="no items"),
    ],
)
def test_a_task_id_that_is_missing_or_ambiguous_is_refused(body: bytes) -> None:
    receiver = WebhookReceiver(SECRET)
    assert receiver.receive(body, {"X-Signature": sign(body)}).status == 400
    assert receiver.stats.refused_body == 1


def test_the_secret_stays_out_of_vars_and_locals() -> None:
    """No __dict__ (so no vars()), and no slot whose repr shows the secret (as pytest's
    --showlocals or a debugger would print it)."""
    receiver = WebhookReceiver(SECRET)
    with pytest.raises(TypeError):
        vars(receiver)
    for name in WebhookReceiver.__slots__:
        value = getattr(receiver, name)
        assert SECRET not in repr(value)
        assert SECRET not in str(value)
    assert receiver.signs_with(SECRET)
    assert not receiver.signs_with(SECRET + "x")


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
    """... and the failure seen in the delivery alone is noted for the reconciliation: its
    credits are expected back."""
    await api.credits()
    emulator.fail_next_tasks("music", reason="The lyrics were flagged.")
    handle = await api.v1.create(prompt="la", tags="pop", receiver=hooks)
    with pytest.raises(TaskFailedError) as info:
        await handle.wait()
    assert info.value.fail_reason == "The lyrics were flagged."
    assert handle.settled_by == "push"
    assert lookups(emulator, handle.id) == 0
    report = await api.reconcile()
    assert (report.charged, report.counted, report.refunds) == (0, 10, 10)
    assert report.verdict == "match"


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
