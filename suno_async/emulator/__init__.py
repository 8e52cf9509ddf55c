"""An embedded emulator of the custom-model provider's Suno v2 API (mountsea.ai), for tests.

It is a real HTTP server on loopback, written from the provider's documentation independently
of the client's wire models, so the two cannot share a misunderstanding::

    async with Emulator(EmulatorConfig(), clock=VirtualClock()) as emu:
        ...  # point a client at emu.base_url; move time with emu.clock.advance(seconds)

What it promises, and every choice it makes where the provider's docs are silent, is written in
the docstrings of its private modules: ``_config`` (prices, durations), ``_state`` (the task
timelines, results and credit rules), ``_validation`` (request checks), ``_app`` (routes, auth,
error bodies), ``_faults`` (scripted failures), ``_fetch`` and ``_audio`` (what counts as audio).
"""

from suno_async._clock import VirtualClock
from suno_async.emulator._app import RequestRecord
from suno_async.emulator._config import EmulatorConfig
from suno_async.emulator._server import Emulator, serve

__all__ = ["Emulator", "EmulatorConfig", "RequestRecord", "VirtualClock", "serve"]
