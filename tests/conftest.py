"""Shared fixtures: a real emulator on loopback per test, and a client that shares its clock.

Every test runs on asyncio (aiohttp is asyncio-only). The client and the emulator share one
``VirtualClock``, so a two-minute training passes in milliseconds and no test sleeps for real.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from suno_async import MountseaClient, RetryPolicy
from suno_async.emulator import Emulator, EmulatorConfig, VirtualClock

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
