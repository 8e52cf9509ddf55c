"""Every sunoapi answer is judged by the transport's one rule: an unclear answer to paid work
is ambiguous on v3.5 as on v3.0, an error code in a 200 body is that error."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web

from suno_async import (
    AmbiguousSubmitError,
    InsufficientCreditsError,
    NotFoundError,
    ResponseValidationError,
    SunoapiClient,
    VirtualClock,
)

from ..conftest import FAST_RETRY
from ..helpers import tiny_server

pytestmark = pytest.mark.anyio

Call = Callable[[SunoapiClient], Awaitable[object]]


def answering(body: object) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response(body)

    return handler


PAID_CALLS: list[tuple[str, Call]] = [
    ("v3.5 create-pure-music", lambda c: c.create_pure_music("jazz")),
    ("v3.5 create-lyrics-song", lambda c: c.create_lyrics_song("la la", "pop")),
    ("v3.5 extend", lambda c: c.extend("clip", 10, prompt="la", tags="pop")),
    ("v3.0 create-pure-music", lambda c: c.v30.create_pure_music("jazz")),
    ("v3.0 random-lyrics-song", lambda c: c.v30.random_lyrics_song("a sea")),
]


@pytest.mark.parametrize(("name", "call"), PAID_CALLS, ids=[n for n, _ in PAID_CALLS])
@pytest.mark.parametrize(
    "body",
    [
        {"unexpected": True},  # 200 with the wrong shape: the task or clips are unknown
        {"code": 500, "message": "upstream failed"},  # a 5xx inside a 200 body
        {"code": 200, "data": None, "message": "success"},  # v3.0 without data
        {"id": "b", "clips": [], "status": "ok"},  # a v3.5 batch without clips
    ],
    ids=["wrong-shape", "code-500", "no-data", "no-clips"],
)
async def test_unclear_paid_answers_are_ambiguous(name: str, call: Call, body: object) -> None:
    """A paid call answered 200 without a usable result raises AmbiguousSubmitError on both
    families (and its price is counted as uncertain), never ResponseValidationError."""
    async with (
        tiny_server(answering(body)) as base,
        SunoapiClient(api_key="k", base_url=base, retry=FAST_RETRY) as client,
    ):
        with pytest.raises(AmbiguousSubmitError) as info:
            await call(client)
        assert not isinstance(info.value, ResponseValidationError)
        assert (client.credits_spent, client.credits_uncertain) == (0, 10)
        assert client.stats.requests == 1  # not sent again


@pytest.mark.parametrize(("name", "call"), PAID_CALLS, ids=[n for n, _ in PAID_CALLS])
async def test_a_refusal_inside_a_200_body_is_that_error(name: str, call: Call) -> None:
    """``{code: 402}`` in a 200 body is a refusal: InsufficientCreditsError, nothing counted."""
    body = {"code": 402, "message": "Insufficient credits."}
    async with (
        tiny_server(answering(body)) as base,
        SunoapiClient(api_key="k", base_url=base, retry=FAST_RETRY) as client,
    ):
        with pytest.raises(InsufficientCreditsError, match="Insufficient credits"):
            await call(client)
        assert client.credits_spent == 0


async def test_a_lookup_with_the_wrong_shape_is_a_validation_error() -> None:
    """A safe v3.5 lookup answered with the wrong shape raises ResponseValidationError."""
    async with (
        tiny_server(answering({"unexpected": True})) as base,
        SunoapiClient(api_key="k", base_url=base, retry=FAST_RETRY) as client,
    ):
        with pytest.raises(ResponseValidationError):
            await client.get_clips(["a"])


async def test_a_v35_lookup_error_code_in_a_200_body() -> None:
    """``{code: 404}`` answered with HTTP 200 to a v3.5 lookup raises NotFoundError."""
    async with (
        tiny_server(answering({"code": 404, "message": "clip not found."})) as base,
        SunoapiClient(api_key="k", base_url=base, retry=FAST_RETRY) as client,
    ):
        with pytest.raises(NotFoundError, match="clip not found"):
            await client.get_clips(["a"])


async def test_an_in_body_429_honours_retry_after() -> None:
    """A lookup answered 200 with ``{code: 429}`` and Retry-After: 5 waits 5 s of the client's
    clock before asking again, as for an HTTP 429."""
    calls = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        if calls == 1:
            return web.json_response(
                {"code": 429, "message": "slow down"}, headers={"Retry-After": "5"}
            )
        return web.json_response({"clips": []})

    clock = VirtualClock()
    async with (
        tiny_server(handler) as base,
        SunoapiClient(api_key="k", base_url=base, clock=clock) as client,
    ):
        assert await client.get_clips(["a"]) == []
    assert calls == 2
    assert clock.now() >= 5


@pytest.mark.parametrize("data", [{}, [], "x"])
async def test_v30_reads_the_code_before_the_data(data: object) -> None:
    """A v3.0 error code is that error whatever ``data`` holds: 402 on a create is a refusal
    (nothing counted), 404 on a lookup is NotFoundError."""
    async with (
        tiny_server(answering({"code": 402, "data": data, "message": "No credits."})) as base,
        SunoapiClient(api_key="k", base_url=base, retry=FAST_RETRY) as client,
    ):
        with pytest.raises(InsufficientCreditsError):
            await client.v30.create_pure_music("jazz")
        assert client.credits_spent == 0
    async with (
        tiny_server(answering({"code": 404, "data": data, "message": "task not found."})) as base,
        SunoapiClient(api_key="k", base_url=base, retry=FAST_RETRY) as client,
    ):
        with pytest.raises(NotFoundError, match="task not found"):
            await client.v30.get_task("t")
