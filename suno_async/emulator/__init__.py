"""An embedded emulator of two Suno-style music APIs, for tests.

One real HTTP server on loopback serves mountsea.ai's Suno v2 API (the ``mountsea`` provider,
under ``/suno/v2/``) and sunoapi.com's API (the ``sunoapi`` provider: v2's v3.5 and v3.0
families under ``/api/v2/suno/``, and v1 under ``/api/v1/``, whose webhooks it delivers for
real), each with its own account, plus the CDN their audio comes from::

    async with Emulator(EmulatorConfig(), clock=VirtualClock()) as emu:
        ...  # point a client at emu.base_url; move time with emu.clock.advance(seconds)

It is written from the providers' documentation without the client's wire models
(:mod:`suno_async.mountsea._models`, :mod:`suno_async.sunoapi._models`): it builds and checks
every JSON body itself, so a misreading baked into those models is not repeated here. Its
prices are its own reading of the docs too (:mod:`~suno_async.emulator._config`), not the
client's constants. It does share two small utilities of the client's provider-free core, and a
mistake in those would be shared: the clock (``suno_async._core._clock``) and audio sniffing
(``suno_async._core._audio``). It uses nothing of ``suno_async.mountsea``,
``suno_async.sunoapi`` or the command line.

It is laid out as the library is: shared modules, plus one package per provider with the same
modules in each. What it promises, and every choice it makes where a provider's docs are
silent, is written in the docstrings of these private modules:

* Shared: ``_server`` (lifecycle, ``serve``), ``_app`` (the one aiohttp app: auth, content
  types, error bodies, request log, HTTP faults, the CDN), ``_config`` (accounts, prices,
  durations), ``_readings`` (how it reads what the docs leave open: status case, numeric ids,
  fail code type, 400 or 404, a session before create, 200 or 201, the CDN's content type),
  ``_state`` (what the providers' states share: clock, task scripts, time stamps, ids),
  ``_validation`` (reading JSON bodies), ``_errors`` (error bodies), ``_http`` (JSON in and
  out), ``_ledger`` (credits, and the list of charges), ``_faults`` (scripted failures),
  ``_chaos`` (random failures, 5xx before or after the work), ``_fetch`` (what counts as audio)
  and ``_audio`` (the audio it makes and its cache).
* ``_mountsea`` (mountsea.ai) and ``_sunoapi`` (sunoapi.com), each with ``_state`` (the
  account's task or clip timelines, answers and credit rules), ``_validation`` (its request
  checks) and ``_routes`` (its routes, mounted on the shared app by ``add_routes``).
  sunoapi.com's v1 family has its own ``_v1_state``, ``_v1_validation`` and ``_v1_routes``,
  and its webhook deliveries (with faults: :class:`WebhookFault`) are in ``_webhooks``.
"""

from suno_async._core._clock import VirtualClock
from suno_async.emulator._app import RequestRecord
from suno_async.emulator._chaos import Chaos
from suno_async.emulator._config import EmulatorConfig, WebhookFault
from suno_async.emulator._faults import TaskScript
from suno_async.emulator._ledger import Charge
from suno_async.emulator._readings import Readings, readings_from
from suno_async.emulator._server import Emulator, serve

__all__ = [
    "Chaos",
    "Charge",
    "Emulator",
    "EmulatorConfig",
    "Readings",
    "RequestRecord",
    "TaskScript",
    "VirtualClock",
    "WebhookFault",
    "readings_from",
    "serve",
]
