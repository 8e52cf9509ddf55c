"""HTTP failures map to typed errors; safe requests are retried, paid ones never blindly."""

from __future__ import annotations

import logging
import time

import pytest
from aiohttp import web

from suno_async import (
    AmbiguousSubmitError,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InsufficientCreditsError,
    InternalServerError,
    MountseaClient,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    RetryPolicy,
    SunoError,
    WrongBaseURLError,
)
from suno_async._core._transport import parse_retry_after
from suno_async.emulator import Emulator

from ..conftest import FAST_RETRY
from ..helpers import free_port, tiny_server

pytestmark = pytest.mark.anyio

STATUS = "/suno/v2/status"
CREATE = "/suno/v2/customModel/create"
GENERATE = "/suno/v2/generate"
SIX = [f"c{i}" for i in range(6)]


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (402, InsufficientCreditsError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (418, APIStatusError),
        (429, RateLimitError),
        (500, InternalServerError),
        (503, InternalServerError),
    ],
)
async def test_status_codes_map_to_typed_errors(
    emulator: Emulator, status: int, error: type[APIStatusError]
) -> None:
    """Each HTTP error status raises its own class with the status, body and message."""
    emulator.inject_http("GET", STATUS, status, times=10)
    async with MountseaClient(api_key="k", base_url=emulator.base_url, max_retries=0) as client:
        with pytest.raises(error) as info:
            await client.get_status("some-task")
    assert type(info.value) is error
    assert info.value.status_code == status
    assert info.value.body
    assert str(status) in str(info.value)


async def test_provider_message_is_kept(client: MountseaClient, emulator: Emulator) -> None:
    """The provider's own message (NestJS body) is in the error and its provider_message."""
    with pytest.raises(NotFoundError) as info:
        await client.get_status("no-such-task")
    assert info.value.provider_message is not None
    assert "no-such-task" in info.value.provider_message
    assert "Check the id" in str(info.value)


async def test_forbidden_about_credits_is_a_credits_error(emulator: Emulator) -> None:
    """A 403 whose message talks about credits raises InsufficientCreditsError."""
    body = b'{"code":403,"message":"The remaining credits are not enough."}'
    emulator.inject_http("POST", GENERATE, 403, body=body)
    async with MountseaClient(api_key="k", base_url=emulator.base_url) as client:
        with pytest.raises(InsufficientCreditsError, match="remaining credits"):
            await client.generate(task="create", model="chirp-v50")


async def test_safe_request_retried_on_5xx_and_429(
    client: MountseaClient, emulator: Emulator
) -> None:
    """A status lookup survives a 503 and a 429 and counts its retries."""
    task_id = await client.generate(task="create", model="chirp-v50")
    emulator.inject_http("GET", STATUS, 503)
    emulator.inject_http("GET", STATUS, 429)
    snapshot = await client.get_status(task_id)
    assert snapshot.task_id == task_id
    assert emulator.count("GET", STATUS) == 3
    assert client.stats.retries == 2


async def test_retry_after_is_honoured(emulator: Emulator) -> None:
    """A 429 with Retry-After: 0.3 delays the retry by at least that long."""
    emulator.inject_http("GET", STATUS, 429, headers={"Retry-After": "0.3"})
    emulator.inject_http("GET", STATUS, 404, times=5)
    async with MountseaClient(api_key="k", base_url=emulator.base_url, retry=FAST_RETRY) as client:
        started = time.monotonic()
        with pytest.raises(NotFoundError):
            await client.get_status("t")
        assert time.monotonic() - started >= 0.29
    assert emulator.count("GET", STATUS) == 2


async def test_retry_after_is_capped(emulator: Emulator) -> None:
    """A Retry-After beyond the policy's cap is cut to the cap."""
    emulator.inject_http("GET", STATUS, 503, headers={"Retry-After": "3600"})
    emulator.inject_http("GET", STATUS, 404)
    policy = RetryPolicy(initial_delay=0.001, max_delay=0.001, retry_after_cap=0.05)
    async with MountseaClient(api_key="k", base_url=emulator.base_url, retry=policy) as client:
        started = time.monotonic()
        with pytest.raises(NotFoundError):
            await client.get_status("t")
        assert time.monotonic() - started < 1.0


async def test_retries_give_up_after_max_retries(emulator: Emulator) -> None:
    """A safe request is tried max_retries + 1 times, then the last error is raised."""
    emulator.inject_http("GET", STATUS, 500, times=10)
    async with MountseaClient(
        api_key="k", base_url=emulator.base_url, retry=FAST_RETRY, max_retries=2
    ) as client:
        with pytest.raises(InternalServerError):
            await client.get_status("t")
    assert emulator.count("GET", STATUS) == 3


async def test_client_errors_are_not_retried(client: MountseaClient, emulator: Emulator) -> None:
    """A 404 on a safe request is raised at once."""
    with pytest.raises(NotFoundError):
        await client.get_status("missing")
    assert emulator.count("GET", STATUS) == 1


@pytest.mark.parametrize("status", [500, 502, 504, 507, 520])
async def test_paid_request_5xx_is_ambiguous_and_not_resent(
    client: MountseaClient, emulator: Emulator, status: int
) -> None:
    """generate answered 500/502/504 (or a 5xx that proves nothing) is not sent again: the
    server (behind a gateway) may have started the work, so the error says to look it up first,
    and the cost is counted as uncertain, not as spent."""
    emulator.inject_http("POST", GENERATE, status)
    with pytest.raises(AmbiguousSubmitError) as info:
        await client.generate(task="create", model="chirp-v50")
    assert info.value.status_code == status
    assert info.value.endpoint == GENERATE
    assert "look the work up" in str(info.value)
    assert emulator.count("POST", GENERATE) == 1
    assert (client.credits_spent, client.credits_uncertain) == (0, 40)


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, BadRequestError), (404, NotFoundError), (422, APIStatusError), (501, APIStatusError)],
)
async def test_paid_request_refused_is_not_counted(
    client: MountseaClient, emulator: Emulator, status: int, error: type[APIStatusError]
) -> None:
    """A 4xx or a 501 proves the work was not done: its status error, not sent again, and
    nothing counted, spent or uncertain."""
    emulator.inject_http("POST", GENERATE, status)
    with pytest.raises(error) as info:
        await client.generate(task="create", model="chirp-v50")
    assert not isinstance(info.value, AmbiguousSubmitError)
    assert info.value.status_code == status
    assert emulator.count("POST", GENERATE) == 1
    assert (client.credits_spent, client.credits_uncertain) == (0, 0)


@pytest.mark.parametrize("headers", [None, {"Retry-After": "0"}])
async def test_paid_request_resent_after_503(
    client: MountseaClient, emulator: Emulator, headers: dict[str, str] | None
) -> None:
    """A 503 (with or without Retry-After) says the server is not taking work: sent again,
    and only the accepted call is counted."""
    emulator.inject_http("POST", GENERATE, 503, headers=headers)
    assert await client.generate(task="create", model="chirp-v50")
    assert emulator.count("POST", GENERATE) == 2
    assert (client.credits_spent, client.credits_uncertain) == (40, 0)


async def test_paid_request_resent_if_asked(client: MountseaClient, emulator: Emulator) -> None:
    """With resend_if_ambiguous a 502 is sent again; the lost one stays uncertain."""
    emulator.inject_http("POST", GENERATE, 502)
    assert await client.generate(task="create", model="chirp-v50", resend_if_ambiguous=True)
    assert emulator.count("POST", GENERATE) == 2
    assert (client.credits_spent, client.credits_uncertain) == (40, 40)


@pytest.mark.parametrize(
    ("status", "content_type", "body"),
    [
        (501, "text/html", b"<html><body>501 Unsupported method ('POST')</body></html>"),
        (405, "text/html", b"<!DOCTYPE html><title>Method Not Allowed</title>"),
        (200, "text/html", b"<!doctype html><html><body>Welcome to nginx!</body></html>"),
        (200, "text/plain", b"OK"),
    ],
)
async def test_an_answer_that_is_not_the_api_is_a_wrong_base_url(
    status: int, content_type: str, body: bytes
) -> None:
    """A server that is not the API (a web page, a non-JSON 200) is a configuration error that
    names the URL and what came back, for safe and paid calls alike; nothing is counted and
    nothing is retried."""
    calls = 0

    async def web_page(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        return web.Response(status=status, body=body, content_type=content_type)

    async with (
        tiny_server(web_page) as base,
        MountseaClient(api_key="k", base_url=base, retry=FAST_RETRY) as client,
    ):
        with pytest.raises(WrongBaseURLError) as info:
            await client.generate(task="create", model="chirp-v50")
        message = str(info.value)
        assert f"{base}/suno/v2/generate does not answer like the mountsea API" in message
        assert f"HTTP {status}" in message
        assert content_type in message
        assert "MOUNTSEA_BASE_URL" in message
        assert "nothing was charged" in message
        assert "paid work" not in message
        assert info.value.argument == "base_url"
        assert (client.credits_spent, client.credits_uncertain) == (0, 0)
        assert calls == 1
        with pytest.raises(WrongBaseURLError):
            await client.get_status("t")
        assert calls == 2


async def test_paid_request_resent_after_408(client: MountseaClient, emulator: Emulator) -> None:
    """A 408 says the server gave up before reading the request, so it is sent again."""
    emulator.inject_http("POST", GENERATE, 408)
    assert await client.generate(task="create", model="chirp-v50")
    assert emulator.count("POST", GENERATE) == 2


async def test_paid_request_resent_after_429(client: MountseaClient, emulator: Emulator) -> None:
    """A 429 proves the work was not started, so a paid request is sent again."""
    emulator.inject_http("POST", GENERATE, 429)
    assert await client.generate(task="create", model="chirp-v50")
    assert emulator.count("POST", GENERATE) == 2


async def test_connection_refused_is_a_connection_error() -> None:
    """Nothing listening: APIConnectionError after the retries, for safe and paid calls."""
    async with MountseaClient(
        api_key="k", base_url=f"http://127.0.0.1:{free_port()}", retry=FAST_RETRY
    ) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.get_status("t")
        assert not isinstance(info.value, AmbiguousSubmitError)
        assert client.stats.requests == FAST_RETRY.max_retries + 1
        with pytest.raises(APIConnectionError) as paid:
            await client.generate(task="create", model="chirp-v50")
        # The connection never opened, so the paid call was safe to retry too.
        assert not isinstance(paid.value, AmbiguousSubmitError)


async def test_dropped_connection_after_paid_request_is_ambiguous() -> None:
    """The server got the generate request and hung up: AmbiguousSubmitError, sent once."""
    calls = 0

    async def hang_up(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        await request.read()
        assert request.transport is not None
        request.transport.close()
        return web.Response()

    async with (
        tiny_server(hang_up) as base,
        MountseaClient(api_key="k", base_url=base, retry=FAST_RETRY) as client,
    ):
        with pytest.raises(AmbiguousSubmitError) as info:
            await client.generate(task="create", model="chirp-v50")
        assert info.value.endpoint == GENERATE
        assert calls == 1
        with pytest.raises(APIConnectionError):
            await client.get_status("t")
        # Our attempts: the POST once, the GET 1 + max_retries times. (aiohttp itself re-sends
        # an idempotent GET once on a dropped keep-alive connection, so the server sees more.)
        assert client.stats.requests == 1 + FAST_RETRY.max_retries + 1
        assert calls > 1 + FAST_RETRY.max_retries


async def test_slow_answer_times_out() -> None:
    """An answer slower than the timeout raises APITimeoutError (also a TimeoutError)."""
    import anyio

    async def slow(request: web.Request) -> web.StreamResponse:
        await anyio.sleep(0.5)
        return web.json_response({})

    async with (
        tiny_server(slow) as base,
        MountseaClient(api_key="k", base_url=base, timeout=0.1, max_retries=0) as client,
    ):
        with pytest.raises(APITimeoutError) as info:
            await client.get_status("t")
        assert isinstance(info.value, TimeoutError)


async def test_malformed_json_is_retried_then_reported() -> None:
    """A truncated body on a safe request is asked for again, then raised as validation error."""
    calls = 0

    async def truncated(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        return web.Response(body=b'{"taskId": "t", "sta', content_type="application/json")

    async with (
        tiny_server(truncated) as base,
        MountseaClient(api_key="k", base_url=base, retry=FAST_RETRY, max_retries=1) as client,
    ):
        with pytest.raises(ResponseValidationError) as info:
            await client.get_status("t")
        assert info.value.body.startswith(b'{"taskId"')
        assert calls == 2
        with pytest.raises(AmbiguousSubmitError):
            await client.generate(task="create", model="chirp-v50")
        assert calls == 3


async def test_wrong_shape_is_a_validation_error() -> None:
    """Valid JSON of the wrong shape raises ResponseValidationError and is not retried."""
    calls = 0

    async def wrong(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        return web.json_response({"unexpected": True})

    async with (
        tiny_server(wrong) as base,
        MountseaClient(api_key="k", base_url=base, retry=FAST_RETRY) as client,
    ):
        with pytest.raises(ResponseValidationError, match="documented shape"):
            await client.get_status("t")
        assert calls == 1


async def test_redirects_are_not_followed_for_api_calls() -> None:
    """A redirect from the API is not followed, so the key cannot leak to another host."""

    async def redirect(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("http://127.0.0.2:9/steal")

    async with (
        tiny_server(redirect) as base,
        MountseaClient(api_key="k", base_url=base, max_retries=0) as client,
    ):
        with pytest.raises(APIStatusError) as info:
            await client.get_status("t")
        assert info.value.status_code == 302


async def test_api_key_never_in_errors_or_logs(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither exception text, repr nor DEBUG logs contain the API key."""
    secret = "sk-very-secret-key-0123456789"
    caplog.set_level(logging.DEBUG, logger="suno_async")
    emulator.inject_http("GET", STATUS, 503)
    async with MountseaClient(
        api_key=secret, base_url=emulator.base_url, retry=FAST_RETRY
    ) as client:
        with pytest.raises(NotFoundError) as info:
            await client.get_status("t")
        texts = [str(info.value), repr(info.value), repr(client), caplog.text]
    assert "retrying GET" in caplog.text
    assert all(secret not in text for text in texts)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3", 3.0), ("0.5", 0.5), ("-2", 0.0), ("", None), (None, None), ("soon", None)],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    """Retry-After in seconds is read; nonsense is ignored."""
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date() -> None:
    """Retry-After as an HTTP date gives the seconds until then."""
    from email.utils import formatdate

    seconds = parse_retry_after(formatdate(time.time() + 30, usegmt=True))
    assert seconds is not None
    assert 25 <= seconds <= 31


def exception_chain(exc: BaseException) -> list[BaseException]:
    """exc and everything reachable through __cause__ and __context__."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop()
        if item is None or any(item is s for s in seen):
            continue
        seen.append(item)
        todo += [item.__cause__, item.__context__]
    return seen


async def test_key_not_reachable_through_a_malformed_answer() -> None:
    """A malformed HTTP answer (aiohttp keeps the request headers on its error) does not leave
    the key anywhere in the raised error's chain."""
    import anyio
    from anyio.abc import SocketStream

    secret = "sk-chain-secret-42"

    async def garbage(stream: SocketStream) -> None:
        async with stream:
            await stream.receive()
            await stream.send(b"HTTP/1.1 200 OK\r\nContent-Length: nonsense\r\n\r\n{}")

    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, garbage)
        async with MountseaClient(
            api_key=secret, base_url=f"http://127.0.0.1:{port}", max_retries=0
        ) as client:
            with pytest.raises(APIConnectionError) as info:
                await client.get_status("t")
        tg.cancel_scope.cancel()
    chain = exception_chain(info.value)
    texts = [repr(e) + str(e) + repr(getattr(e, "request_info", "")) for e in chain]
    assert all(secret not in text for text in texts)


async def test_a_page_after_the_api_answered_json_is_a_damaged_answer() -> None:
    """Once a base URL has answered JSON it is the API: a page from it later (a proxy's, a
    PHP notice) is a damaged answer. A paid call is ambiguous (not "nothing was charged"), a
    status lookup is asked again, and a plain-text 404 is NotFoundError."""
    answers: list[tuple[int, str, bytes]] = []

    async def api(request: web.Request) -> web.StreamResponse:
        status, content_type, body = answers.pop(0)
        return web.Response(status=status, body=body, content_type=content_type)

    page = (200, "text/html", b"<html><body>Service temporarily degraded</body></html>")
    running = (200, "application/json", b'{"taskId": "t", "status": "running"}')
    async with (
        tiny_server(api) as base,
        MountseaClient(api_key="k", base_url=base, retry=FAST_RETRY) as client,
    ):
        answers[:] = [running]
        await client.get_status("t")  # the base URL answers JSON: it is the API
        answers[:] = [page]
        with pytest.raises(AmbiguousSubmitError):
            await client.generate(task="create", model="chirp-v50")
        assert client.credits_uncertain == 40
        answers[:] = [page, running]
        assert (await client.get_status("t")).status == "running"  # retried
        answers[:] = [(404, "text/plain", b"Task not found")]
        with pytest.raises(NotFoundError):
            await client.get_status("t")


async def test_a_php_notice_before_the_json_is_not_called_a_wrong_base_url() -> None:
    """A first answer that is a page with JSON in it may be the API's own damaged answer:
    a paid call is ambiguous, not WrongBaseURLError."""

    async def api(request: web.Request) -> web.StreamResponse:
        body = b'<br />\n<b>Notice</b>: Undefined index<br />\n{"taskId": "t1"}'
        return web.Response(status=201, body=body, content_type="text/html")

    async with (
        tiny_server(api) as base,
        MountseaClient(api_key="k", base_url=base, retry=FAST_RETRY) as client,
    ):
        with pytest.raises(AmbiguousSubmitError):
            await client.generate(task="create", model="chirp-v50")


async def test_json_with_a_byte_order_mark_is_read() -> None:
    """A UTF-8 byte-order mark before the JSON is skipped (JSON forbids it; servers send it)."""

    async def api(request: web.Request) -> web.StreamResponse:
        body = b'\xef\xbb\xbf{"taskId": "t1"}'
        return web.Response(status=201, body=body, content_type="application/json")

    async with (
        tiny_server(api) as base,
        MountseaClient(api_key="k", base_url=base, retry=FAST_RETRY) as client,
    ):
        assert await client.generate(task="create", model="chirp-v50") == "t1"


@pytest.mark.parametrize(("status", "paid"), [(401, False), (400, True), (500, True), (502, False)])
async def test_an_error_answer_that_echoes_the_key_does_not_carry_it(
    status: int, paid: bool
) -> None:
    """A provider that repeats the key in its error body (a 401 saying which key it refused)
    gets it hidden from the error's message, provider message, body and repr."""
    secret = "sk-live-0123456789abcdef"

    async def echo(request: web.Request) -> web.Response:
        said = request.headers.get("Authorization", "")
        return web.json_response({"message": f"key refused: {said}"}, status=status)

    async with (
        tiny_server(echo) as base,
        MountseaClient(api_key=secret, base_url=base, retry=FAST_RETRY) as client,
    ):
        call = client.generate(task="create", model="chirp-v50") if paid else client.get_status("t")
        with pytest.raises(SunoError) as info:
            await call
    error = info.value
    shown = [str(error), repr(error), *map(str, vars(error).values())]
    assert not [text for text in shown if secret in text]
    assert "<hidden>" in str(error)


async def test_a_key_too_short_to_be_real_does_not_cut_words_out_of_messages() -> None:
    async def missing(_: web.Request) -> web.Response:
        return web.json_response({"message": "task not found"}, status=404)

    async with (
        tiny_server(missing) as base,
        MountseaClient(api_key="k", base_url=base, retry=FAST_RETRY) as client,
    ):
        with pytest.raises(NotFoundError) as info:
            await client.get_status("t")
    assert "task not found" in str(info.value)
