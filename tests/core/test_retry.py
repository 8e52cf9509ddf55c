"""The one retry loop: waits sleep on the client's clock, max_elapsed counts from the first
attempt, and ``retryable`` is set one way."""

from __future__ import annotations

import asyncio
import time

import anyio
import pytest
from aiohttp import web

from suno_async import (
    AmbiguousSubmitError,
    APIConnectionError,
    APIError,
    ClientClosedError,
    InternalServerError,
    MountseaClient,
    RateLimitError,
    ResponseValidationError,
    RetryPolicy,
    SystemClock,
    VirtualClock,
)

from ..helpers import tiny_server

pytestmark = pytest.mark.anyio


async def test_retry_waits_sleep_on_the_clients_clock() -> None:
    """A 429 with Retry-After: 30 is waited out on the client's VirtualClock: 30 s pass on
    the clock and none on the wall."""
    calls = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        if calls == 1:
            return web.json_response(
                {"message": "slow down"}, status=429, headers={"Retry-After": "30"}
            )
        return web.json_response({"sessionId": "s1"}, status=201)

    clock = VirtualClock()
    async with (
        tiny_server(handler) as base,
        MountseaClient(api_key="k", base_url=base, clock=clock) as client,
    ):
        started = time.monotonic()
        assert await client.prepare_custom_model() == "s1"
        assert time.monotonic() - started < 5
    assert calls == 2
    assert clock.now() >= 30
    assert client.stats.retries == 1


async def test_max_elapsed_counts_from_the_first_attempt() -> None:
    """With max_elapsed 10 s, a retry whose wait (Retry-After 8 s) would end past 10 s from the
    first attempt is not made, even though retries remain."""
    calls = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        return web.json_response({"message": "busy"}, status=503, headers={"Retry-After": "8"})

    policy = RetryPolicy(max_retries=5, max_elapsed=10.0, retry_after_cap=60.0)
    clock = VirtualClock()
    async with (
        tiny_server(handler) as base,
        MountseaClient(api_key="k", base_url=base, clock=clock, retry=policy) as client,
    ):
        with pytest.raises(InternalServerError):
            await client.get_status("t")
    assert calls == 2  # at 0 s and 8 s; a third at 16 s would pass 10 s
    assert 8 <= clock.now() < 10


def test_retryable_is_set_one_way() -> None:
    """Class defaults, overridden only through the constructor's ``retryable=``."""
    assert APIConnectionError("x").retryable
    assert not APIConnectionError("x", retryable=False).retryable
    assert not ResponseValidationError("x").retryable
    assert ResponseValidationError("x", retryable=True).retryable
    assert RateLimitError("x", status_code=429).retryable
    assert InternalServerError("x", status_code=502).retryable
    assert not AmbiguousSubmitError("x").retryable
    with pytest.raises(AttributeError):
        APIError("x").retryable = True  # type: ignore[misc]


def test_an_unknown_outcome_is_not_a_connection_error() -> None:
    """AmbiguousSubmitError sits under APIError, not APIConnectionError: it is raised for 5xx
    answers and answers without a task id too."""
    assert issubclass(AmbiguousSubmitError, APIError)
    assert not issubclass(AmbiguousSubmitError, APIConnectionError)


async def test_time_in_flight_does_not_eat_the_budget_at_the_clocks_pace() -> None:
    """On a clock 1,000 times real time, a 0.2 s answer (200 clock seconds) does not use up a
    120 s max_elapsed: the failed status lookup is still retried."""
    calls = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        if calls == 1:
            await asyncio.sleep(0.2)
            return web.json_response({"message": "busy"}, status=503)
        return web.json_response({"taskId": "t", "status": "running"})

    policy = RetryPolicy(initial_delay=0.001, max_delay=0.005)
    async with (
        tiny_server(handler) as base,
        MountseaClient(
            api_key="k", base_url=base, clock=SystemClock(speed=1000), retry=policy
        ) as client,
    ):
        snapshot = await client.get_status("t")
    assert snapshot.status == "running"
    assert calls == 2


async def test_closing_the_client_during_a_retry_wait_sends_nothing_more() -> None:
    """A retry wait that outlives its client ends with ClientClosedError instead of opening a
    new session and sending again."""
    calls = 0
    first = anyio.Event()

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        first.set()
        return web.json_response({"message": "busy"}, status=503, headers={"Retry-After": "1"})

    async with tiny_server(handler) as base:
        client = MountseaClient(api_key="k", base_url=base)
        outcome: list[BaseException] = []

        async def lookup() -> None:
            try:
                await client.get_status("t")
            except ClientClosedError as exc:
                outcome.append(exc)

        async with anyio.create_task_group() as tg:
            tg.start_soon(lookup)
            await first.wait()
            await client.aclose()
    assert calls == 1
    assert len(outcome) == 1
