"""Receiving sunoapi's webhooks: signed deliveries of a v1 task's final state.

A v1 create call may carry ``webhook_url`` and ``webhook_secret``; when the task reaches a final
state (``succeeded`` or ``failed``) the service POSTs the task to the URL, signed (api-notes
B.9, docs.sunoapi.com/webhook-guide). :class:`WebhookReceiver` takes those deliveries:

* **Verification.** ``X-Signature`` is the HMAC-SHA256 of the raw body with the secret
  (docs.sunoapi.com). The docs do not say how the digest is written: hex (the usual form, and
  the mirror's) and base64 are both accepted, with or without a ``sha256=`` prefix. The same
  vendor's white-label mirror (docs.musicapi.ai) signs as ``X-Webhook-Signature: sha256=<hex>``
  over ``<X-Webhook-Timestamp>.<raw body>`` (over the body alone when no timestamp is sent).
  Every signature header present must verify and at least one must be present; digests are
  compared with :func:`hmac.compare_digest`. Header names are matched case-insensitively,
  whatever mapping they come in. Signatures are checked first: a delivery that is not signed
  with the secret is refused as such (401, ``refused_signature``) whatever else is wrong with
  it, and its answer says nothing about the receiver's clock.
* **Freshness.** A signed ``X-Webhook-Timestamp`` (one the mirror's signature covers) further
  than ``tolerance`` seconds (default 300, five minutes) from the receiver's wall clock, either
  way, is refused as stale: a replayed old delivery cannot complete anything. A timestamp that
  no signature covers is still refused when stale, but proves nothing. ``X-Signature`` alone
  (sunoapi.com's own scheme) signs the body only, so it says nothing about when a delivery
  was made: stripping the timestamp headers off an old delivery would leave a valid one.
  Hence ``require_timestamp``: with ``True`` every delivery needs a signed, fresh timestamp;
  with ``None`` (the default) that holds from the first delivery whose signed timestamp
  verified on (a sender that signs with a timestamp always does); with ``False`` never.
  Without a signed timestamp the only replay protection is the de-duplication below: a body
  accepted before is dropped as long as the receiver remembers it (``replay_memory`` bodies;
  nothing survives a restart).
* **Answers.** It answers at once: 200 for a verified delivery (also for a duplicate: the sender
  should stop), 401 for a missing, wrong or stale signature (or a timestamp that is required
  and missing), 400 for a signed body it cannot read (not JSON, no task id). Nothing slow
  happens before the answer: the delivery is recorded and the waiters are woken.
* **Task id.** The delivery names its task with a ``task_id`` at the top of the body (as the
  emulator sends it) or in every item of ``data`` (where the docs' sample, cut short, may
  carry it); all that are given must agree, and a blank one is refused.
* **De-duplication.** A delivery whose ``Idempotency-Key`` / ``X-Webhook-Id`` or whose body was
  seen before is answered 200 and dropped (senders deliver at least once). The last
  ``remember`` tasks' deliveries and four times as many delivery keys are remembered, and the
  digests of the last ``replay_memory`` bodies (default 100 000, a few MB).
* **Order.** A task's final delivery (``succeeded`` or ``failed``) is never replaced by a later
  one of a state before it (``streaming``, say, arriving late): that one is counted in
  ``out_of_order`` and dropped.
* **Waiters.** Each verified delivery becomes a typed :class:`WebhookEvent`, kept as its
  task's latest, and handed to whoever waits on that task: :meth:`WebhookReceiver.wait_for`, or
  a v1 task handle created with this receiver (which races it against polling: see
  :class:`~suno_async.TaskHandle`). A delivery that arrives after every wait on its task ended
  completes nothing; it is only kept as the task's latest state (unless the order rule above
  drops it).
* **Where it runs.** Mounted in your own aiohttp application (``receiver.handle`` as a POST
  handler, or ``receiver.app()`` as a sub-application), or on its own small server with ``async
  with receiver.serve() as url`` (loopback by default; a public webhook URL needs a proxy or
  tunnel in front of it).

The receiver, and the waits on it, must run on one event loop (its waiters are woken with
:class:`anyio.Event`): mount it in an application served by the loop your client runs on.

The secret never appears in a log record, a ``repr``, ``vars()`` (the receiver has
``__slots__`` and holds the secret in an object whose ``repr`` hides it) or an error message.
HMAC comes from the standard library (:mod:`hmac`, :mod:`hashlib`): it is the well-kept,
constant-time implementation every Python has, so no third-party package is needed or wanted
for it.

This module and the transport are the only ones of the library that import aiohttp (here
``aiohttp.web``, which receiving HTTP needs, imported when a receiver first answers or serves).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import logging
import math
import socket
import time
from collections import OrderedDict, deque
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import anyio
import msgspec

from suno_async._core._exceptions import ConfigError, SunoError
from suno_async._core._models import WireId, loosen
from suno_async._core._validation import (
    check_bool,
    check_callback,
    check_http_url,
    check_id,
    check_name,
    check_positive,
    check_positive_int,
)
from suno_async.sunoapi._constants import WEBHOOK_REMEMBER, WEBHOOK_TOLERANCE
from suno_async.sunoapi._v1_models import V1Clip, V1State, V1Task

if TYPE_CHECKING:  # aiohttp.web costs ~15 ms to import: loaded when a receiver first serves
    from aiohttp import web

__all__ = ["WebhookError", "WebhookEvent", "WebhookReceiver", "WebhookStats"]

logger = logging.getLogger("suno_async")

#: sunoapi.com's signature header: the HMAC-SHA256 of the raw body.
SIGNATURE_HEADER: Final = "X-Signature"
#: The mirror's signature header (``sha256=<hex>``) and the timestamp it signs with the body.
MIRROR_SIGNATURE_HEADER: Final = "X-Webhook-Signature"
TIMESTAMP_HEADER: Final = "X-Webhook-Timestamp"
#: Headers that name one delivery (the mirror sends both, with the same value).
DELIVERY_ID_HEADERS: Final = ("Idempotency-Key", "X-Webhook-Id")
EVENT_HEADER: Final = "X-Webhook-Event"
_READ_HEADERS: Final = frozenset(
    name.lower()
    for name in (
        SIGNATURE_HEADER,
        MIRROR_SIGNATURE_HEADER,
        TIMESTAMP_HEADER,
        *DELIVERY_ID_HEADERS,
        EVENT_HEADER,
    )
)
#: How many accepted bodies' digests a receiver keeps to refuse their replays (about 100 bytes
#: each).
WEBHOOK_REPLAY_MEMORY: Final = 100_000


class WebhookError(SunoError):
    """A webhook delivery was refused: ``status`` is the HTTP status it was answered with
    (401 signature missing, wrong or stale, or a required timestamp missing; 400 a body that
    cannot be read) and ``reason`` says which. Neither ever contains the secret or a
    signature.

    Raised by :meth:`WebhookReceiver.verify`; the receiver's handler answers it instead.
    """

    def __init__(self, message: str, *, status: int, reason: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


class WebhookEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One verified delivery: the task's items as the service sent them.

    ``event`` is the mirror's ``X-Webhook-Event`` (``"song.completed"``, ``"song.failed"``) or
    the body's ``event``, if either was sent; ``delivery_id`` the delivery's
    ``Idempotency-Key``/``X-Webhook-Id``, else ``sha256:`` and the body's digest;
    ``received_at`` the receiver's wall-clock time (seconds since the epoch); ``signed_at`` the
    sender's signed ``X-Webhook-Timestamp`` (``None`` without one); ``raw`` the body's
    ``data`` as sent (JSON bytes).
    """

    task_id: str
    clips: list[V1Clip]
    delivery_id: str
    received_at: float
    event: str | None = None
    raw: bytes = b"null"
    signed_at: float | None = None

    @property
    def status(self) -> str:
        """The task's state as the delivery shows it (see :attr:`V1Task.status`)."""
        return self.task().status

    @property
    def final(self) -> bool:
        """Whether the delivery shows a final state (``succeeded`` or ``failed``)."""
        return self.status in _TERMINAL

    def task(self) -> V1Task:
        """The delivery as a task snapshot, as ``GET task/{task_id}`` would show it."""
        return V1Task(task_id=self.task_id, clips=self.clips, raw=self.raw)


@dataclass(frozen=True, slots=True)
class WebhookStats:
    """What a receiver did so far: deliveries ``received`` (every POST), ``accepted`` (verified,
    new and kept), ``duplicates`` (verified, seen before, dropped), ``out_of_order`` (verified
    and new, but of a state before the task's final one already kept: dropped), and refused
    for their signature (``refused_signature``: none, wrong, or conflicting headers), for
    their freshness (``refused_stale``: a stale timestamp, or none where one is required) or
    for a body they could not read (``refused_body``)."""

    received: int = 0
    accepted: int = 0
    duplicates: int = 0
    refused_signature: int = 0
    refused_stale: int = 0
    refused_body: int = 0
    out_of_order: int = 0


class _Payload(msgspec.Struct):
    """A delivery's body (api-notes B.9: ``{code, data: [item, ...]}`` plus the task id)."""

    task_id: WireId | None = None
    data: msgspec.Raw = msgspec.Raw(b"null")
    event: str | None = None
    code: int | None = None

    def __post_init__(self) -> None:
        loosen(self, ids=("task_id",))


class _ItemRef(msgspec.Struct):
    """The task id an item of ``data`` may carry."""

    task_id: WireId | None = None

    def __post_init__(self) -> None:
        loosen(self, ids=("task_id",))


_PAYLOAD: Final = msgspec.json.Decoder(_Payload)
_ITEMS: Final = msgspec.json.Decoder(list[V1Clip] | None)
_ITEM_REFS: Final = msgspec.json.Decoder(list[_ItemRef] | None)
_TERMINAL: Final = frozenset({V1State.SUCCEEDED.value, V1State.FAILED.value})
#: Which counter of :class:`WebhookStats` a refusal's reason goes to (else refused_signature).
_COUNTERS: Final = {
    "stale": "refused_stale",
    "no timestamp": "refused_stale",
    "bad body": "refused_body",
    "bad timestamp": "refused_body",
}


class _Hidden:
    """A secret key that never shows (``repr``, ``str``, ``vars``)."""

    __slots__ = ("key",)

    def __init__(self, key: bytes) -> None:
        self.key = key

    def __repr__(self) -> str:
        return "<hidden>"

    __str__ = __repr__


def _digests(secret: bytes, message: bytes) -> tuple[str, str]:
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return digest.hex(), base64.b64encode(digest).decode()


def _signature_ok(provided: str, secret: bytes, message: bytes) -> bool:
    value = provided.strip()
    if value[:7].lower() == "sha256=":
        value = value[7:].strip()
    hex_digest, b64_digest = _digests(secret, message)
    # Both comparisons always run, so the time taken says nothing about which form was close.
    as_hex = hmac.compare_digest(value.lower().encode(), hex_digest.encode())
    as_b64 = hmac.compare_digest(value.encode(), b64_digest.encode())
    return as_hex or as_b64


def _lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """``headers`` by lower-case name (HTTP header names ignore case). One of the headers read
    here given twice with different values (``{"X-Signature": a, "x-signature": b}``, or a
    repeated header) cannot be told apart: refused. Other repeated headers (a proxy's
    ``X-Forwarded-For``, say) keep their first value."""
    lowered: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        if lowered.setdefault(key, value) != value and key in _READ_HEADERS:
            raise WebhookError(
                f"the delivery has conflicting {name} headers.",
                status=401,
                reason="conflicting headers",
            )
    return lowered


def _task_id(top: str | None, in_items: list[str | None]) -> str:
    """The delivery's task: ``task_id`` at the top of the body, or in every item of ``data``;
    all given must agree, and it must be an id (no blanks).

    Raises:
        WebhookError: 400, none given, a blank one, or two that differ.
    """
    given = [top] if top is not None else []
    if top is None or any(value is not None for value in in_items):
        if top is None and (not in_items or None in in_items):
            raise WebhookError(
                "the delivery's body has no task_id (at its top, or in every item of data).",
                status=400,
                reason="bad body",
            )
        given += [value for value in in_items if value is not None]
    names = {value.strip() for value in given}
    if len(names) != 1:
        raise WebhookError(
            "the delivery's body names more than one task_id.", status=400, reason="bad body"
        )
    (name,) = names
    try:
        return check_id("task_id", name)
    except ConfigError:
        raise WebhookError(
            "the delivery's task_id is blank or not an id.", status=400, reason="bad body"
        ) from None


def _body_id(body: bytes) -> str:
    """A delivery's id when the sender gives none: ``sha256:`` and the body's digest."""
    return "sha256:" + hashlib.sha256(body).hexdigest()


def _body_digest(body: bytes) -> bytes:
    """What a body is remembered by for replays (128 bits of its SHA-256)."""
    return hashlib.sha256(body).digest()[:16]


class WebhookReceiver:
    """Takes sunoapi's signed webhook deliveries and hands them to waiters (see the module
    docstring for what is verified and how it answers).

    Args:
        secret: The ``webhook_secret`` given to the create calls (never logged or shown).
        url: The public URL the service should POST to, where this receiver is mounted in your
            application; ``None`` if it is only served by :meth:`serve` (whose URL is used
            while it runs).
        tolerance: How far (seconds) a delivery's ``X-Webhook-Timestamp`` may be from ``now``,
            either way (default 300).
        remember: How many tasks' latest deliveries are kept (default 1000); four times as many
            delivery keys are kept for de-duplication.
        require_timestamp: Whether every delivery must carry a signed, fresh
            ``X-Webhook-Timestamp`` (the mirror's scheme): ``True`` always, ``False`` never,
            ``None`` (the default) from the first delivery that carried a verified one on.
            ``X-Signature`` alone gives no replay protection beyond ``replay_memory``.
        replay_memory: How many accepted bodies' digests are kept to drop their replays
            (default 100 000).
        now: The wall clock timestamps are compared with (seconds since the epoch); default
            :func:`time.time`.

    Raises:
        ConfigError: a blank secret, a URL that is not http(s), a non-positive number, a
            ``require_timestamp`` that is not ``True``, ``False`` or ``None``, or a ``now``
            that is not callable.
    """

    __slots__ = (
        "_bodies",
        "_bodies_order",
        "_latest",
        "_now",
        "_remember",
        "_replay_memory",
        "_require_timestamp",
        "_secret_key",
        "_seen",
        "_sequence",
        "_served_url",
        "_signals",
        "_stamped_seen",
        "_stats",
        "_tolerance",
        "_url",
    )

    def __init__(
        self,
        secret: str,
        *,
        url: str | None = None,
        tolerance: float = WEBHOOK_TOLERANCE,
        remember: int = WEBHOOK_REMEMBER,
        require_timestamp: bool | None = None,
        replay_memory: int = WEBHOOK_REPLAY_MEMORY,
        now: Callable[[], float] | None = None,
    ) -> None:
        if not isinstance(secret, str) or not secret.strip():
            raise ConfigError(
                "secret must be a non-empty string (the webhook_secret of the create calls).",
                argument="secret",
            )
        if require_timestamp is not None:
            check_bool("require_timestamp", require_timestamp)
        self._secret_key = _Hidden(secret.encode())
        self._url = None if url is None else check_http_url("url", url)
        self._tolerance = float(check_positive("tolerance", tolerance))
        self._remember = check_positive_int("remember", remember)
        self._replay_memory = check_positive_int("replay_memory", replay_memory)
        self._require_timestamp = require_timestamp
        self._stamped_seen = False
        self._now: Callable[[], float] = check_callback("now", now) or time.time
        self._latest: OrderedDict[str, tuple[int, WebhookEvent]] = OrderedDict()
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._bodies: set[bytes] = set()
        self._bodies_order: deque[bytes] = deque()
        self._signals: dict[str, anyio.Event] = {}
        self._sequence = 0
        self._stats = WebhookStats()
        self._served_url: str | None = None

    def __repr__(self) -> str:
        return f"WebhookReceiver(url={self.url!r}, secret=<hidden>)"

    # -- what it is ------------------------------------------------------------------------

    @property
    def url(self) -> str | None:
        """The URL deliveries should go to: the one given, else the running :meth:`serve`
        server's, else ``None``."""
        return self._url or self._served_url

    @property
    def tolerance(self) -> float:
        """Seconds a delivery's timestamp may differ from the receiver's wall clock."""
        return self._tolerance

    @property
    def requires_timestamp(self) -> bool:
        """Whether a delivery without a signed ``X-Webhook-Timestamp`` is refused now: with
        ``require_timestamp=True``, or (by default) once a delivery carried a verified one."""
        if self._require_timestamp is None:
            return self._stamped_seen
        return self._require_timestamp

    @property
    def stats(self) -> WebhookStats:
        """What the receiver did so far (a copy)."""
        return self._stats

    def signs_with(self, secret: str) -> bool:
        """Whether ``secret`` is this receiver's secret (compared in constant time)."""
        return isinstance(secret, str) and hmac.compare_digest(
            secret.encode(), self._secret_key.key
        )

    def _secret(self) -> str:
        """The secret, for the create call's ``webhook_secret`` (never shown)."""
        return self._secret_key.key.decode()

    # -- verifying -------------------------------------------------------------------------

    def verify(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """Check one delivery's signature(s), then its freshness, and read it (it is not
        recorded; a verified signed timestamp does teach the receiver that its sender signs
        with one, see ``require_timestamp``).

        Raises:
            WebhookError: 401 for a missing, wrong or stale signature (or a required
                timestamp missing), 400 for an unreadable timestamp or body.
        """
        found = _lower_headers(headers)
        signature = found.get(SIGNATURE_HEADER.lower())
        mirror = found.get(MIRROR_SIGNATURE_HEADER.lower())
        stamp = found.get(TIMESTAMP_HEADER.lower())
        if not signature and not mirror:
            raise WebhookError(
                f"the delivery has no {SIGNATURE_HEADER} (or {MIRROR_SIGNATURE_HEADER}) header.",
                status=401,
                reason="unsigned",
            )
        key = self._secret_key.key
        # Signatures first: nothing below is said to a caller who does not hold the secret.
        if signature and not _signature_ok(signature, key, body):
            raise WebhookError(
                f"the delivery's {SIGNATURE_HEADER} does not match its body: not sent with this "
                "receiver's secret (or changed on the way).",
                status=401,
                reason="bad signature",
            )
        if mirror:
            signed = body if stamp is None else stamp.strip().encode() + b"." + body
            if not _signature_ok(mirror, key, signed):
                raise WebhookError(
                    f"the delivery's {MIRROR_SIGNATURE_HEADER} does not match its body: not "
                    "sent with this receiver's secret (or changed on the way).",
                    status=401,
                    reason="bad signature",
                )
        stamp_signed = bool(mirror) and stamp is not None
        if stamp_signed:
            self._stamped_seen = True  # the sender signs with a timestamp: it always will
        now = self._now()
        sent_at = None if stamp is None else self._check_fresh(stamp, now)
        if not stamp_signed and self.requires_timestamp:
            raise WebhookError(
                f"the delivery has no {TIMESTAMP_HEADER} signed by {MIRROR_SIGNATURE_HEADER}, "
                "which this receiver requires (its sender signs one): refused as a possible "
                "replay.",
                status=401,
                reason="no timestamp",
            )
        return self._read(body, found, now, sent_at if stamp_signed else None)

    def _check_fresh(self, stamp: str, now: float) -> float:
        try:
            sent_at = float(stamp.strip())
        except ValueError:
            sent_at = math.nan
        if not math.isfinite(sent_at):
            raise WebhookError(
                f"the delivery's {TIMESTAMP_HEADER} is not a number of seconds.",
                status=400,
                reason="bad timestamp",
            )
        if abs(now - sent_at) > self._tolerance:
            # How far off it is stays out of the answer: it would tell the receiver's clock.
            raise WebhookError(
                f"the delivery's {TIMESTAMP_HEADER} is too far from this receiver's clock: "
                "refused as stale (a replay, or a clock far off).",
                status=401,
                reason="stale",
            )
        return sent_at

    @staticmethod
    def _read(
        body: bytes, headers: Mapping[str, str], now: float, signed_at: float | None
    ) -> WebhookEvent:
        try:
            payload = _PAYLOAD.decode(body)
            items = _ITEMS.decode(payload.data) or []
            refs = _ITEM_REFS.decode(payload.data) or []
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise WebhookError(
                f"the delivery's body is not the documented JSON ({exc}).",
                status=400,
                reason="bad body",
            ) from None
        task_id = _task_id(payload.task_id, [ref.task_id for ref in refs])
        delivery = next(
            (headers[h.lower()] for h in DELIVERY_ID_HEADERS if headers.get(h.lower())), None
        )
        return WebhookEvent(
            task_id=task_id,
            clips=items,
            delivery_id=delivery or _body_id(body),
            received_at=now,
            event=headers.get(EVENT_HEADER.lower()) or payload.event,
            raw=bytes(payload.data),
            signed_at=signed_at,
        )

    # -- receiving -------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.Response:
        """The aiohttp handler: mount it as a POST route of your application
        (``app.router.add_post("/suno-webhook", receiver.handle)``).

        Answers 200 for a verified delivery (new or a duplicate), 401 or 400 for a refused
        one; never raises.
        """
        body = await request.read()
        return self.receive(body, request.headers)

    def receive(self, body: bytes, headers: Mapping[str, str]) -> web.Response:
        """Take one delivery already read (for a server that is not aiohttp's, or tests):
        verify it, drop it if seen before, record it and wake its waiters; the answer to send.
        Header names are matched case-insensitively.
        """
        from aiohttp import web

        stats = self._stats
        received = stats.received + 1
        try:
            event = self.verify(body, headers)
        except WebhookError as exc:
            self._stats = _bump(stats, received, exc.reason)
            logger.warning("webhook delivery refused (%d, %s)", exc.status, exc.reason)
            return web.json_response({"error": str(exc)}, status=exc.status)
        digest = _body_digest(body)
        # A delivery key of the sender's own is remembered apart from the body's digest.
        keyed = event.delivery_id != _body_id(body)
        if (keyed and event.delivery_id in self._seen) or digest in self._bodies:
            self._stats = _replace(stats, received=received, duplicates=stats.duplicates + 1)
            logger.info("webhook delivery for task %s was a duplicate; dropped", event.task_id)
            return web.json_response({"ok": True, "duplicate": True})
        self._remember_delivery(event.delivery_id if keyed else None, digest)
        if not self._record(event):
            self._stats = _replace(stats, received=received, out_of_order=stats.out_of_order + 1)
            logger.info(
                "webhook delivery for task %s (%s) came after its final one; dropped",
                event.task_id,
                event.status,
            )
            return web.json_response({"ok": True, "out_of_order": True})
        self._stats = _replace(stats, received=received, accepted=stats.accepted + 1)
        logger.info("webhook delivery for task %s: %s", event.task_id, event.status)
        return web.json_response({"ok": True})

    def _remember_delivery(self, delivery_id: str | None, digest: bytes) -> None:
        if delivery_id is not None:
            self._seen[delivery_id] = None
            while len(self._seen) > 4 * self._remember:
                self._seen.popitem(last=False)
        self._bodies.add(digest)
        self._bodies_order.append(digest)
        while len(self._bodies_order) > self._replay_memory:
            self._bodies.discard(self._bodies_order.popleft())

    def _record(self, event: WebhookEvent) -> bool:
        """Keep ``event`` as its task's latest and wake the waiters; ``False`` (nothing kept)
        for a non-final state after a final one."""
        found = self._latest.get(event.task_id)
        if found is not None and found[1].final and not event.final:
            return False
        self._sequence += 1
        self._latest[event.task_id] = (self._sequence, event)
        self._latest.move_to_end(event.task_id)
        while len(self._latest) > self._remember:
            self._latest.popitem(last=False)
        signal = self._signals.pop(event.task_id, None)
        if signal is not None:
            signal.set()
        return True

    # -- waiting ---------------------------------------------------------------------------

    def last_event(self, task_id: str) -> WebhookEvent | None:
        """The latest verified delivery for ``task_id``, if one arrived (and is remembered)."""
        found = self._latest.get(task_id)
        return None if found is None else found[1]

    async def wait_for(self, task_id: str, *, final: bool = True) -> WebhookEvent:
        """The task's latest verified delivery once there is one (at once if it came
        already); with ``final`` (the default) only one showing a final state (``succeeded``
        or ``failed``). Bound it with a timeout of your own (``anyio.fail_after``).

        Raises:
            ConfigError: ``task_id`` is not an id.
        """
        task_id = check_id("task_id", task_id)
        async with _closing(self.events(task_id)) as events:
            async for event in events:
                if not final or event.final:
                    return event
        raise AssertionError("unreachable: events() never ends")  # pragma: no cover

    async def events(self, task_id: str) -> AsyncGenerator[WebhookEvent, None]:
        """The task's verified deliveries from its latest one on, as they arrive (forever:
        stop when you have what you need)."""
        seen = 0
        while True:
            found = self._latest.get(task_id)
            if found is not None and found[0] > seen:
                seen = found[0]
                yield found[1]
                continue
            signal = self._signals.get(task_id)
            if signal is None:
                signal = self._signals[task_id] = anyio.Event()
            try:
                await signal.wait()
            finally:
                # The last waiter to leave without a delivery takes the signal with it.
                if (
                    not signal.is_set()
                    and self._signals.get(task_id) is signal
                    and signal.statistics().tasks_waiting == 0
                ):
                    del self._signals[task_id]

    # -- serving ---------------------------------------------------------------------------

    def app(self) -> web.Application:
        """A small aiohttp application with this receiver at ``POST /``, to mount under a path
        of yours: ``app.add_subapp("/suno-webhook/", receiver.app())``."""
        from aiohttp import web

        sub = web.Application()
        sub.router.add_post("/", self.handle)
        return sub

    @asynccontextmanager
    async def serve(
        self, *, host: str = "127.0.0.1", port: int = 0, path: str = "/suno-webhook"
    ) -> AsyncIterator[str]:
        """Serve this receiver on its own while inside ``async with``; yields its URL
        (``http://host:port/path``), which :attr:`url` also shows meanwhile.

        Loopback by default (port 0: the OS picks a free one). A webhook from the service
        needs a public https URL: put a proxy or tunnel in front, and pass its address as
        ``url``.

        Raises:
            ConfigError: a blank host, a port outside 0-65535, or a path not starting with /.
            OSError: the address cannot be bound.
        """
        host = check_name("host", host)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ConfigError(f"port must be an integer 0-65535, got {port!r}.", argument="port")
        if not isinstance(path, str) or not path.startswith("/"):
            raise ConfigError(f"path must start with '/', got {path!r}.", argument="path")
        from aiohttp import web

        application = web.Application()
        application.router.add_post(path, self.handle)
        runner = web.AppRunner(application, access_log=None)
        await runner.setup()
        try:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.bind((host, port))
                sock.setblocking(False)
                await web.SockSite(runner, sock).start()
            except BaseException:
                sock.close()
                raise
            bound = sock.getsockname()[1]
            shown = f"[{host}]" if ":" in host else host
            url = f"http://{shown}:{bound}{path}"
            self._served_url = url
            try:
                yield url
            finally:
                self._served_url = None
        finally:
            with anyio.CancelScope(shield=True):
                await runner.cleanup()


@asynccontextmanager
async def _closing(
    events: AsyncGenerator[WebhookEvent, None],
) -> AsyncIterator[AsyncGenerator[WebhookEvent, None]]:
    try:
        yield events
    finally:
        await events.aclose()


def _replace(stats: WebhookStats, **changes: int) -> WebhookStats:
    return dataclasses.replace(stats, **changes)


def _bump(stats: WebhookStats, received: int, reason: str) -> WebhookStats:
    field = _COUNTERS.get(reason, "refused_signature")
    return _replace(stats, received=received, **{field: getattr(stats, field) + 1})
