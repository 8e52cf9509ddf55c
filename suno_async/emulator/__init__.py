"""An embedded emulator of two Suno-style music APIs, for tests.

One real HTTP server on loopback serves the custom-model provider's Suno v2 API (mountsea.ai,
under ``/suno/v2/``) and sunoapi.com's v2 API (v3.5 and v3.0 families, under
``/api/v2/suno/``), each with its own account, plus the CDN their audio comes from::

    async with Emulator(EmulatorConfig(), clock=VirtualClock()) as emu:
        ...  # point a client at emu.base_url; move time with emu.clock.advance(seconds)

It is written from the providers' documentation without the client's wire models
(:mod:`suno_async.models`): it builds and checks every JSON body itself, so a misreading baked
into those models is not repeated here. It does share a few constants and small utilities with
the client, and a mistake in those would be shared: the documented prices
(``suno_async._constants``), the clock (``suno_async._clock``) and audio sniffing
(``suno_async._audio``).

What it promises, and every choice it makes where a provider's docs are silent, is written in
the docstrings of its private modules: ``_config`` (prices, durations), ``_state`` (the
custom-model provider's task timelines, results and credit rules), ``_validation`` (its request
checks), ``_sunoapi`` (sunoapi.com's clip timelines, answers and credits),
``_sunoapi_validation`` (its request checks), ``_sunoapi_routes`` (its routes), ``_app``
(routes, auth, content types), ``_errors`` (error bodies), ``_http`` (JSON in and out),
``_faults`` (scripted failures), ``_chaos`` (random failures), ``_fetch`` (what counts as
audio), ``_audio`` (the audio it makes and its cache) and ``_server`` (lifecycle, ``serve``).
"""

from suno_async._clock import VirtualClock
from suno_async.emulator._app import RequestRecord
from suno_async.emulator._chaos import Chaos
from suno_async.emulator._config import EmulatorConfig
from suno_async.emulator._faults import TaskScript
from suno_async.emulator._server import Emulator, serve

__all__ = [
    "Chaos",
    "Emulator",
    "EmulatorConfig",
    "RequestRecord",
    "TaskScript",
    "VirtualClock",
    "serve",
]
