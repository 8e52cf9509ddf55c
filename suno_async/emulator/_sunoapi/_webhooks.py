"""sunoapi.com's webhooks on the emulator: real HTTP POSTs of a v1 create's final state, signed
as documented, with scripted faults.

When a v1 create that gave a ``webhook_url`` reaches its final state (``succeeded`` or
``failed``; a stalled one never does), the emulator POSTs the task to the URL:

* Body: ``{"code": 200, "task_id": <id>, "platform": "suno", "data": [<song>, <song>],
  "message": "success"}``: the items as ``GET task/{task_id}`` shows them then. The docs show
  the ``{code, data}`` part (webhook guide) and say deliveries are identified by ``(task_id,
  platform)``; where those two sit is the emulator's reading.
* Headers: ``Content-Type: application/json``; ``X-Signature``, the hex HMAC-SHA256 of the raw
  body with the create's ``webhook_secret`` (docs.sunoapi.com); and the mirror's
  (docs.musicapi.ai) ``X-Webhook-Timestamp`` (real wall-clock Unix seconds at signing, not the
  emulator's clock: it is when the delivery is signed in the real world),
  ``X-Webhook-Signature: sha256=<hex of HMAC(secret, "<timestamp>.<body>")>``, ``X-Webhook-Id``
  and ``Idempotency-Key`` (one uuid per delivery, the same on a duplicate) and
  ``X-Webhook-Event`` (``song.completed`` or ``song.failed``). A create without a secret is
  signed with :data:`DEFAULT_SECRET` (the mirror: "a default secret managed by us").
* It is sent once, at the clock moment the task ends, with a 10 s (real) timeout; the answer is
  not retried, whatever it is (the docs describe no retries).

Faults (:class:`~suno_async.emulator._config.WebhookFault`, ``EmulatorConfig.webhook_faults``),
each taken by the next delivery due, first queued first: ``"lose"`` (not sent),
``"duplicate"`` (sent twice, the same bytes and headers), ``"late"`` (sent ``seconds`` of the
emulator's clock after the task ended), ``"bad_signature"`` (both signatures made with another
secret) and ``"stale"`` (the timestamp ``seconds`` of wall-clock time old, the mirror signature
made over it: a replay).

Deliveries run as tasks of the server's event loop, started and stopped with the server (an
aiohttp cleanup context): leaving the emulator cancels those still waiting.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import aiohttp
import msgspec

from suno_async.emulator._config import WebhookFault

if TYPE_CHECKING:
    from aiohttp import web

    from suno_async.emulator._sunoapi._v1_state import V1State, V1Work

__all__ = ["DEFAULT_SECRET", "Delivery", "WebhookSender"]

_log = logging.getLogger("suno_async.emulator")

#: The secret deliveries are signed with when the create gave none.
DEFAULT_SECRET: Final = "sunoapi-emulator-default-secret"  # noqa: S105 - public, by design
#: Real seconds a delivery may take before the emulator gives up on it.
_POST_TIMEOUT: Final = 10.0


@dataclass(frozen=True, slots=True)
class Delivery:
    """One delivery the emulator made (or lost): the task, the URL, the fault it took (``None``
    if none) and the status the receiver answered (``None`` if it was not sent or no answer
    came)."""

    task_id: str
    url: str
    effect: str | None
    status: int | None


class WebhookSender:
    """Sends the webhooks of one account's v1 creates (see the module docstring)."""

    def __init__(self, v1: V1State) -> None:
        self._v1 = v1
        self._faults: deque[WebhookFault] = deque()
        for fault in v1.config.webhook_faults:
            self._faults.extend([fault] * fault.times)
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        #: Every delivery so far, oldest first.
        self.deliveries: list[Delivery] = []

    async def running(self, app: web.Application) -> AsyncIterator[None]:
        """The server's cleanup context: deliveries can be sent while it runs."""
        self._session = aiohttp.ClientSession(trust_env=False)
        try:
            yield
        finally:
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._session.close()
            self._session = None

    def schedule(self, work: V1Work) -> None:
        """Deliver ``work``'s webhook when it ends (nothing if the server is not running)."""
        if self._session is None:
            return
        task = asyncio.get_running_loop().create_task(self._deliver(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, work: V1Work) -> None:
        v1 = self._v1
        spec = work.music
        ends = v1.ends_at(work)
        if spec is None or spec.webhook_url is None or ends is None:
            return
        await v1.clock.sleep_until(ends)
        fault = self._faults.popleft() if self._faults else None
        effect = fault.effect if fault is not None else None
        url = spec.webhook_url
        if fault is not None and effect == "lose":
            self.deliveries.append(Delivery(work.id, url, effect, None))
            return
        if fault is not None and effect == "late":
            await v1.clock.sleep(fault.delay)
        items = v1.items(work)
        state = v1.state(work, v1.clock.now())[0]
        body = msgspec.json.encode(
            {
                "code": 200,
                "task_id": v1.readings.wire_id(work.id),
                "platform": "suno",
                "data": items,
                "message": "success",
            }
        )
        secret = (spec.webhook_secret or DEFAULT_SECRET).encode()
        if effect == "bad_signature":
            secret = b"not-" + secret
        signed_at = time.time() - (fault.delay if fault is not None and effect == "stale" else 0)
        stamp = str(int(signed_at))
        delivery_id = str(uuid.uuid4())
        headers = {
            "Content-Type": "application/json",
            "X-Signature": hmac.new(secret, body, hashlib.sha256).hexdigest(),
            "X-Webhook-Timestamp": stamp,
            "X-Webhook-Signature": "sha256="
            + hmac.new(secret, stamp.encode() + b"." + body, hashlib.sha256).hexdigest(),
            "X-Webhook-Id": delivery_id,
            "Idempotency-Key": delivery_id,
            "X-Webhook-Event": "song.failed" if state == "failed" else "song.completed",
        }
        for _ in range(2 if effect == "duplicate" else 1):
            status = await self._post(url, body, headers)
            self.deliveries.append(Delivery(work.id, url, effect, status))

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> int | None:
        session = self._session
        if session is None:
            return None
        try:
            async with session.post(
                url,
                data=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=_POST_TIMEOUT),
                allow_redirects=False,
            ) as resp:
                await resp.read()
                return resp.status
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            _log.debug("webhook to %s failed: %s", url, type(exc).__name__)
            return None
