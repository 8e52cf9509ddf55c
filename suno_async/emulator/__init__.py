"""An embedded emulator of the custom-model provider's Suno v2 API (mountsea.ai), for tests.

It emulates that one provider only (for now), as a real HTTP server on loopback::

    async with Emulator(EmulatorConfig(), clock=VirtualClock()) as emu:
        ...  # point a client at emu.base_url; move time with emu.clock.advance(seconds)

It is written from the provider's documentation without the client's wire models
(:mod:`suno_async.models`): it builds and checks every JSON body itself, so a misreading baked
into those models is not repeated here. It does share a few constants and small utilities with
the client, and a mistake in those would be shared: the documented prices
(``suno_async._constants``), the clock (``suno_async._clock``) and audio sniffing
(``suno_async._audio``).

What it promises, and every choice it makes where the provider's docs are silent, is written in
the docstrings of its private modules: ``_config`` (prices, durations), ``_state`` (the task
timelines, results and credit rules), ``_validation`` (request checks), ``_app`` (routes, auth,
content types, error bodies), ``_faults`` (scripted failures), ``_fetch`` (what counts as
audio), ``_audio`` (the audio it makes and its cache) and ``_server`` (lifecycle, ``serve``).
"""

from suno_async._clock import VirtualClock
from suno_async.emulator._app import RequestRecord
from suno_async.emulator._config import EmulatorConfig
from suno_async.emulator._server import Emulator, serve

__all__ = ["Emulator", "EmulatorConfig", "RequestRecord", "VirtualClock", "serve"]
