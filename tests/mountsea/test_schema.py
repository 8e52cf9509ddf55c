"""generate against the provider's own schema (online), the built-in table (offline),
extra_body for fields this release does not know, and unknown models allowed on request."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from aiohttp import web

from suno_async import BadRequestError, ConfigError, MountseaClient
from suno_async.emulator import Emulator

from ..conftest import FAST_RETRY
from ..helpers import tiny_server

pytestmark = pytest.mark.anyio

SCHEMA = [
    {
        "task": "create",
        "description": "Create music",
        "required": [{"field": "model", "type": "string"}],
        "optional": [{"field": "tags"}, {"field": "brand_new_field", "type": "number"}],
        "notAllowed": ["clip_id"],
        "example": {},
    }
]


def _provider(schema_status: int, seen: list[tuple[str, Any]]) -> Any:
    async def handler(request: web.Request) -> web.Response:
        body = await request.read()
        seen.append((request.path, json.loads(body) if body else None))
        if request.path == "/suno/v2/generate/schema":
            if schema_status != 200:
                return web.json_response({"message": "down"}, status=schema_status)
            return web.json_response(SCHEMA)
        if request.path == "/suno/v2/generate":
            return web.json_response({"taskId": "t-1"}, status=201)
        return web.json_response({"message": "no"}, status=404)

    return handler


async def test_extra_body_is_checked_against_the_servers_schema() -> None:
    """A field the server's schema lists passes through extra_body; the schema is fetched once."""
    seen: list[tuple[str, Any]] = []
    async with (
        tiny_server(_provider(200, seen)) as url,
        MountseaClient(api_key="k", base_url=url, retry=FAST_RETRY) as client,
    ):
        await client.generate(task="create", tags="pop", extra_body={"brand_new_field": 3})
        await client.generate(task="create", extra_body={"brand_new_field": 4})
        with pytest.raises(ConfigError) as stray:
            await client.generate(task="create", extra_body={"typo_field": 1})
        assert stray.value.argument == "extra_body"
    paths = [path for path, _ in seen]
    assert paths.count("/suno/v2/generate/schema") == 1
    assert paths.count("/suno/v2/generate") == 2
    assert seen[1][1]["brand_new_field"] == 3
    assert seen[1][1]["tags"] == "pop"


async def test_schema_not_allowed_fields_are_refused() -> None:
    """With check_schema=True a field the schema does not allow for the task is refused."""
    seen: list[tuple[str, Any]] = []
    async with (
        tiny_server(_provider(200, seen)) as url,
        MountseaClient(api_key="k", base_url=url, retry=FAST_RETRY, check_schema=True) as client,
    ):
        with pytest.raises(ConfigError) as info:
            await client.generate(task="create", clip_id="c-1")
        assert info.value.argument == "clip_id"
    assert [p for p, _ in seen] == ["/suno/v2/generate/schema"]


async def test_offline_the_built_in_table_decides() -> None:
    """When the schema cannot be fetched, generate falls back to the built-in table."""
    seen: list[tuple[str, Any]] = []
    async with (
        tiny_server(_provider(404, seen)) as url,
        MountseaClient(api_key="k", base_url=url, retry=FAST_RETRY, check_schema=True) as client,
    ):
        assert await client.generate(task="create") == "t-1"
        with pytest.raises(ConfigError):
            await client.generate(task="extend")  # the table: extend needs clip_id
        assert await client.cached_generate_schema() is None
    assert [p for p, _ in seen].count("/suno/v2/generate") == 1


async def test_extra_body_may_not_shadow_known_fields(client: MountseaClient) -> None:
    """A known field in extra_body is refused (it goes in as a keyword); nothing is sent."""
    with pytest.raises(ConfigError):
        await client.generate(task="create", extra_body={"tags": "pop"})


async def test_emulator_schema_refuses_unknown_extra_fields(
    client: MountseaClient, emulator: Emulator
) -> None:
    """The emulator's schema matches its own validation: an extra field is refused early."""
    with pytest.raises(ConfigError):
        await client.generate(task="create", extra_body={"not_in_schema": 1})
    assert emulator.count("POST", "/suno/v2/generate") == 0
    assert emulator.count("GET", "/suno/v2/generate/schema") == 1


async def test_unknown_models_are_sent_with_a_warning_when_allowed(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    """allow_unknown_models=True sends any model name, chirp-v60 included (logging a
    warning)."""
    async with MountseaClient(
        api_key="k", base_url=emulator.base_url, retry=FAST_RETRY, allow_unknown_models=True
    ) as client:
        with caplog.at_level(logging.WARNING, logger="suno_async"), pytest.raises(BadRequestError):
            await client.generate(task="create", model="chirp-v60")
    assert "chirp-v60" in caplog.text
    assert emulator.count("POST", "/suno/v2/generate") == 1
