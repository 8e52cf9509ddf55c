"""The usage and credits API on its own host: the balance, and usage search as pages."""

from __future__ import annotations

import pytest

from suno_async import APIError, ConfigError, MountseaClient
from suno_async.emulator import Emulator

from ..conftest import FAST_RETRY

pytestmark = pytest.mark.anyio


async def test_get_credits_reads_the_balance(client: MountseaClient, emulator: Emulator) -> None:
    """get_credits() answers the account's balance, following spending."""
    before = (await client.get_credits()).credits
    await client.generate_and_wait(task="create", tags="pop")
    after = await client.get_credits()
    assert before - after.credits == 40
    assert after.data == {"credits": after.credits}
    assert emulator.count("GET", "/api-user/credits") == 2


async def test_usage_records_iterate_over_pages(client: MountseaClient, emulator: Emulator) -> None:
    """usage_records() walks every page (here 2 + 2 + 1 records) and stops at a short page."""
    for _ in range(5):
        await client.generate(task="create", tags="pop")
    pages = [p async for p in client.usage_pages("2026-01-01", "2026-12-31", limit=2)]
    assert [len(p.records) for p in pages] == [2, 2, 1]
    assert pages[0].total == 5
    records = [r async for r in client.usage_records("2026-01-01", "2026-12-31", kind="points")]
    assert len(records) == 5
    assert all(r["credits"] == 40 for r in records)
    assert emulator.count("POST", "/api-user/usage/search") == 3


async def test_a_wrong_key_is_refused_by_the_usage_host(emulator: Emulator) -> None:
    """The usage host checks the key (401 AuthenticationError) when the emulator has one."""
    from suno_async import AuthenticationError
    from suno_async.emulator import EmulatorConfig, VirtualClock

    async with (
        Emulator(EmulatorConfig(api_key="right"), clock=VirtualClock()) as emu,
        MountseaClient(api_key="wrong", base_url=emu.base_url, retry=FAST_RETRY) as client,
    ):
        with pytest.raises(AuthenticationError):
            await client.get_credits()


async def test_usage_input_is_checked(client: MountseaClient, emulator: Emulator) -> None:
    """Bad dates, kinds or limits raise ConfigError before any request."""
    with pytest.raises(ConfigError):
        client.usage_pages("", "2026-01-01")
    with pytest.raises(ConfigError):
        client.usage_pages("a", "b", kind="money")
    with pytest.raises(ConfigError):
        client.usage_records("a", "b", limit=0)
    with pytest.raises(ConfigError):
        MountseaClient(api_key="k", usage_url="ftp://x")
    assert emulator.requests == []


async def test_the_usage_host_gets_the_key_in_a_header_never_in_the_url() -> None:
    """A key in a URL ends up in proxies' logs and in aiohttp's errors: it goes in
    ``X-API-Key`` (and the usual bearer header), and no query carries it."""
    from aiohttp import web

    from ..helpers import tiny_server

    seen: list[tuple[str, str | None, str]] = []

    async def usage(request: web.Request) -> web.StreamResponse:
        seen.append((request.path_qs, request.headers.get("X-API-Key"), request.query_string))
        return web.json_response({"credits": 12})

    async with (
        tiny_server(usage) as base,
        MountseaClient(api_key="s3cret-key", base_url=base, usage_url=base) as client,
    ):
        assert (await client.get_credits()).credits == 12
    ((path_qs, header, query),) = seen
    assert header == "s3cret-key"
    assert "s3cret-key" not in path_qs
    assert query == ""


async def test_a_broken_answer_of_the_usage_host_names_no_key() -> None:
    """aiohttp's text of a broken answer holds the whole URL: the error shows only its status
    and message, and the key is nowhere in it (nor in its cause or context)."""
    import asyncio

    async def broken(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n{}")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(broken, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    try:
        async with MountseaClient(
            api_key="s3cret-key", base_url=base, usage_url=base, max_retries=0
        ) as client:
            with pytest.raises(APIError) as info:
                await client.get_credits()
    finally:
        server.close()
    error = info.value
    for text in (str(error), repr(error), repr(error.__cause__), repr(error.__context__)):
        assert "s3cret-key" not in text
