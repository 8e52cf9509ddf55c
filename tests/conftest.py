"""Shared fixtures: a real emulator on loopback per test, a client that shares its clock, and
one throwaway PostgreSQL server per session for the shared-ledger tests.

Every test runs on asyncio (aiohttp is asyncio-only). The client and the emulator share one
``VirtualClock``, so a two-minute training passes in milliseconds and no test sleeps for real.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from typing import Final

import aiohttp
import pytest

from suno_async import MountseaClient, RetryPolicy
from suno_async.emulator import Emulator, EmulatorConfig, VirtualClock
from tests.ledger import pgserver

#: An existing PostgreSQL server for the tests (else one is started for the session).
POSTGRES_DSN_ENV: Final = "SUNO_ASYNC_TEST_POSTGRES_DSN"
#: ``1``: PostgreSQL must be there (CI); otherwise its tests are skipped where it cannot be.
REQUIRE_POSTGRES_ENV: Final = "SUNO_ASYNC_REQUIRE_POSTGRES"

#: Retries as the library does them, but with delays short enough not to slow the suite.
FAST_RETRY = RetryPolicy(initial_delay=0.001, max_delay=0.005, retry_after_cap=2.0)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig()


@pytest.fixture
async def emulator(emulator_config: EmulatorConfig) -> AsyncIterator[Emulator]:
    async with Emulator(emulator_config, clock=VirtualClock()) as emu:
        yield emu


@pytest.fixture
def emu(emulator: Emulator) -> Emulator:
    """The emulator, under the short name the emulator's own tests use."""
    return emulator


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session, for talking to the emulator without the client."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[MountseaClient]:
    async with MountseaClient(
        api_key="test-key", base_url=emulator.base_url, clock=emulator.clock, retry=FAST_RETRY
    ) as suno:
        yield suno


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """The DSN of a PostgreSQL server for this session (skips when there is none)."""
    given = os.environ.get(POSTGRES_DSN_ENV)
    if given:
        yield given
        return
    try:
        server = pgserver.start()
    except pgserver.PostgresUnavailable as exc:
        if os.environ.get(REQUIRE_POSTGRES_ENV) == "1":
            pytest.fail(f"PostgreSQL is required ({REQUIRE_POSTGRES_ENV}=1) but unavailable: {exc}")
        pytest.skip(f"PostgreSQL unavailable, SQLite covers the shared ledger here: {exc}")
    try:
        yield server.dsn
    finally:
        server.stop()
