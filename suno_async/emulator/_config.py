"""What an emulator run looks like: the accounts, the prices and how long things take.

Durations are in seconds of the emulator's clock (see :mod:`suno_async._core._clock`); with a
:class:`~suno_async._core._clock.VirtualClock` they pass only when the test moves the clock.
Costs are provider credits.

The prices are the emulator's own reading of the providers' docs, kept here rather than taken
from the client's constants, so that a misreading in either shows up as a difference instead of
being shared.

Choices where the providers are silent:

* mountsea.ai's ``create_cost`` (100) is documented; ``generate_cost`` (40) comes from a
  captured price list; ``upload_cost`` (1) stands for the docs' "minor credit costs based on
  task pricing".
* ``upload_seconds``, ``training_seconds`` (the docs say "about 2-3 minutes") and
  ``generate_seconds`` (the docs say music tasks take 30-120 s) are picked to look like the real
  thing; tests shorten nothing, they move a virtual clock instead.
* The sunoapi.com account is a separate balance (``sunoapi_credits``, 500 by default): it is a
  different company. ``sunoapi_call_cost`` (10) is docs.sunoapi.com's "10 credits per call
  (2 songs)", charged per create or extend call.
* ``sunoapi_submitted_seconds`` (3), ``sunoapi_queued_seconds`` (8) and
  ``sunoapi_generate_seconds`` (40) are the moments, counted from the call, at which that
  provider's clips leave ``submitted``, leave ``queued`` (start streaming) and become
  ``complete``; the provider documents no timings.
* ``offline_audio_hosts`` holds the docs' placeholder host ``example.com``, so the docs' own
  example runs without network access: an audio-looking path there counts as audio.
* sunoapi.com's v1 family (:mod:`~suno_async.emulator._sunoapi._v1_state`) bills the same
  account: a v1 create costs ``sunoapi_call_cost``, a make-lyrics ``sunoapi_lyrics_cost`` (2,
  documented) and a stems call ``sunoapi_stems_cost`` (0: no price is published). A lyrics task
  takes ``sunoapi_lyrics_seconds`` (5) and a stems task ``sunoapi_stems_seconds`` (30); the docs
  give no timings.

Faults that belong to a whole run (the command line sets them; tests may too):

* ``slow_seconds`` models network and server latency, so it is *real* (wall-clock) time, not
  emulator-clock time: every answer on an API route (``/suno/v2/`` and ``/api/``) or, with
  ``slow_path``, every answer to that one path (any path, the CDN's too) is held that long
  after the work is done. The work happens when the request arrives, so a client that gives up
  sooner has still started the task. Error answers (scripted, chaos or the route's own) wait
  too; dropped connections do not. It adds to a scripted ``slow_next`` delay.
* ``chaos`` (:class:`~suno_async.emulator._chaos.Chaos`): random 429s, 5xx and dropped
  connections on the API routes; see :mod:`~suno_async.emulator._chaos`.
* ``task_scripts`` (:class:`~suno_async.emulator._faults.TaskScript`): task faults queued when
  the emulator is made, in order, before any queued by a method call.
* ``webhook_faults`` (:class:`WebhookFault`): what the next webhook deliveries do wrong (lost,
  sent twice, late, badly signed, stale), in order.
* ``sunoapi_double_charges``: the first that many accepted sunoapi.com v1 paid calls are billed
  twice (two :class:`~suno_async.emulator._ledger.Charge` records with the same task id): the
  provider's mistake that only a reconciliation of the balance can show.

Where the docs leave room, ``readings`` (:class:`~suno_async.emulator._readings.Readings`) picks
how the emulator reads them; the default is the documented reading (see
:mod:`~suno_async.emulator._readings`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Final, Literal, get_args

from suno_async.emulator._chaos import Chaos, is_api_path
from suno_async.emulator._faults import TaskScript
from suno_async.emulator._readings import Readings

__all__ = ["WEBHOOK_EFFECTS", "EmulatorConfig", "WebhookEffect", "WebhookFault"]

#: Credits mountsea.ai charges for a ``customModel/create`` (documented).
CREATE_CUSTOM_MODEL_COST: Final = 100
#: Credits mountsea.ai charges for a ``generate`` (from a captured price list).
GENERATE_COST: Final = 40
#: Credits sunoapi.com charges per create or extend call: "10 credits per call (2 songs)".
SUNOAPI_CALL_COST: Final = 10
#: Credits sunoapi.com charges per v1 make-lyrics call ("lyrics 2 credits").
SUNOAPI_LYRICS_COST: Final = 2

#: What a webhook fault does to a delivery (see :class:`WebhookFault`).
WebhookEffect = Literal["lose", "duplicate", "late", "bad_signature", "stale"]
WEBHOOK_EFFECTS: Final[tuple[str, ...]] = get_args(WebhookEffect)
#: Default ``seconds`` of a ``"late"`` fault (emulator clock) and a ``"stale"`` one (wall clock).
_LATE_SECONDS: Final = 120.0
_STALE_SECONDS: Final = 3600.0


@dataclass(frozen=True, slots=True)
class WebhookFault:
    """What the next ``times`` webhook deliveries do wrong, taken in order by the tasks whose
    delivery comes (one fault per delivery; the first queued first).

    Attributes:
        effect: ``"lose"`` (never sent), ``"duplicate"`` (sent twice, the same signed body and
            delivery id), ``"late"`` (sent ``seconds`` of the emulator's clock after the task
            ended; default 120), ``"bad_signature"`` (signed with another secret) or
            ``"stale"`` (its ``X-Webhook-Timestamp``, and the mirror signature over it, is
            ``seconds`` of wall-clock time old; default 3600: a replay).
        times: How many deliveries it applies to (>= 1).
        seconds: For ``"late"`` and ``"stale"``; ``None`` for the default.

    Raises:
        ValueError: an unknown effect, ``times`` < 1 or a negative or non-finite ``seconds``.
    """

    effect: WebhookEffect
    times: int = 1
    seconds: float | None = None

    def __post_init__(self) -> None:
        if self.effect not in WEBHOOK_EFFECTS:
            raise ValueError(
                f"unknown webhook effect {self.effect!r}: use one of {', '.join(WEBHOOK_EFFECTS)}"
            )
        if isinstance(self.times, bool) or not isinstance(self.times, int) or self.times < 1:
            raise ValueError(f"times must be an int >= 1, got {self.times!r}")
        seconds = self.seconds
        if seconds is not None and (
            isinstance(seconds, bool)
            or not isinstance(seconds, int | float)
            or not math.isfinite(seconds)
            or seconds < 0
        ):
            raise ValueError(f"seconds must be a finite number >= 0, got {seconds!r}")

    @property
    def delay(self) -> float:
        """``seconds``, or the effect's default (0 for effects that take none)."""
        if self.seconds is not None:
            return float(self.seconds)
        return {"late": _LATE_SECONDS, "stale": _STALE_SECONDS}.get(self.effect, 0.0)


#: The longest synthesised clip allowed (seconds). A synthesised WAV takes 44,100 bytes per
#: second (22050 Hz, 16-bit, mono), so a 600 s clip is 26,460,044 bytes (about 26.5 MB); the
#: cache of synthesised WAVs is bounded at 64 MiB in total (two such clips), see
#: :data:`suno_async.emulator._audio.WAV_CACHE_BYTES`.
MAX_AUDIO_SECONDS = 600.0


@dataclass(frozen=True, kw_only=True, slots=True)
class EmulatorConfig:
    """Settings of the emulated providers, each with a single account.

    Attributes:
        api_key: If set, only ``Authorization: Bearer <api_key>`` is accepted; if ``None``, any
            non-empty bearer token is.
        credits: Starting balance of mountsea.ai's account.
        max_custom_models: How many custom models the account may have; trainings that are
            queued, running or succeeded count, failed ones do not.
        upload_cost: Credits charged per accepted ``customModel/upload`` (refunded on failure).
        create_cost: Credits charged per accepted ``customModel/create`` (refunded on failure).
        generate_cost: Credits charged per accepted ``generate`` (refunded on failure).
        speed: Clock speed used only when the emulator is given no clock:
            ``SystemClock(speed)``.
        upload_seconds: Time from upload to its result (seconds).
        training_seconds: Time from create to the trained model (seconds).
        generate_seconds: Time from generate to complete clips (seconds).
        audio_seconds: Length of every synthesised WAV clip (seconds), above 0 and at most
            :data:`MAX_AUDIO_SECONDS` (600); each second is 44,100 bytes of WAV.
        sunoapi_credits: Starting balance of the sunoapi.com account (its own balance).
        sunoapi_call_cost: Credits a sunoapi.com create or extend call costs (refunded when its
            clips end in ``error``).
        sunoapi_submitted_seconds: Time from a sunoapi.com call until its clips are ``queued``.
        sunoapi_queued_seconds: Time from the call until the clips are ``streaming``.
        sunoapi_generate_seconds: Time from the call until the clips are ``complete``; the three
            must satisfy ``0 <= submitted <= queued <= generate``.
        sunoapi_lyrics_cost: Credits a v1 make-lyrics call costs (2).
        sunoapi_stems_cost: Credits a v1 stems call costs (0: no price is published).
        sunoapi_lyrics_seconds: Time from a make-lyrics call until its lyrics are written.
        sunoapi_stems_seconds: Time from a stems call until its tracks are done.
        sunoapi_double_charges: How many of the first accepted v1 paid calls are billed twice.
        webhook_faults: What the next webhook deliveries do wrong (:class:`WebhookFault`), in
            order.
        offline_audio_hosts: Hosts (and their subdomains) that are never fetched: a URL path
            ending in a common audio extension there counts as audio, anything else as missing.
        slow_seconds: Real (wall-clock) seconds every API answer is held after the work is
            done; 0 for none.
        slow_path: If set, ``slow_seconds`` applies to answers to this path only (any path,
            without a query) instead of to every API route.
        chaos: Random faults on the API routes (:class:`~suno_async.emulator._chaos.Chaos`);
            ``None`` for none.
        task_scripts: Task faults queued when the emulator is made, in order
            (:class:`~suno_async.emulator._faults.TaskScript`).
        readings: How the emulator reads what the providers' docs leave open (letter case of
            statuses, numeric ids, fail code type, 400 or 404 for unknown tasks, a session's
            status before create, 200 or 201, the CDN's content type):
            :class:`~suno_async.emulator._readings.Readings`; the default ``Readings()`` is
            the documented reading.

    Raises:
        ValueError: A number is out of range, ``api_key`` is empty (use ``None``) or
            ``slow_path`` is not a path.
        TypeError: ``offline_audio_hosts`` is not a frozenset, ``chaos`` not a ``Chaos``,
            ``task_scripts`` not a tuple of ``TaskScript``, ``webhook_faults`` not a tuple of
            ``WebhookFault`` or ``readings`` not a ``Readings``.
    """

    api_key: str | None = None
    credits: int = 10_000
    max_custom_models: int = 5
    upload_cost: int = 1
    create_cost: int = CREATE_CUSTOM_MODEL_COST
    generate_cost: int = GENERATE_COST
    speed: float = 1.0
    upload_seconds: float = 8.0
    training_seconds: float = 150.0
    generate_seconds: float = 45.0
    audio_seconds: float = 6.0
    sunoapi_credits: int = 500
    sunoapi_call_cost: int = SUNOAPI_CALL_COST
    sunoapi_submitted_seconds: float = 3.0
    sunoapi_queued_seconds: float = 8.0
    sunoapi_generate_seconds: float = 40.0
    sunoapi_lyrics_cost: int = SUNOAPI_LYRICS_COST
    sunoapi_stems_cost: int = 0
    sunoapi_lyrics_seconds: float = 5.0
    sunoapi_stems_seconds: float = 30.0
    sunoapi_double_charges: int = 0
    webhook_faults: tuple[WebhookFault, ...] = ()
    offline_audio_hosts: frozenset[str] = field(default_factory=lambda: frozenset({"example.com"}))
    slow_seconds: float = 0.0
    slow_path: str | None = None
    chaos: Chaos | None = None
    task_scripts: tuple[TaskScript, ...] = ()
    readings: Readings = field(default_factory=Readings)

    def __post_init__(self) -> None:
        if self.api_key is not None and not self.api_key.strip():
            raise ValueError("api_key must be a non-empty string, or None to accept any token")
        for name in (
            "credits",
            "max_custom_models",
            "upload_cost",
            "create_cost",
            "generate_cost",
            "sunoapi_credits",
            "sunoapi_call_cost",
            "sunoapi_lyrics_cost",
            "sunoapi_stems_cost",
            "sunoapi_double_charges",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be an int >= 0, got {value!r}")
        for name in (
            "upload_seconds",
            "training_seconds",
            "generate_seconds",
            "sunoapi_submitted_seconds",
            "sunoapi_queued_seconds",
            "sunoapi_generate_seconds",
            "sunoapi_lyrics_seconds",
            "sunoapi_stems_seconds",
        ):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be >= 0 seconds, got {getattr(self, name)!r}")
        if not (
            self.sunoapi_submitted_seconds
            <= self.sunoapi_queued_seconds
            <= self.sunoapi_generate_seconds
        ):
            raise ValueError(
                "sunoapi_submitted_seconds <= sunoapi_queued_seconds <= sunoapi_generate_seconds "
                f"must hold, got {self.sunoapi_submitted_seconds!r}, "
                f"{self.sunoapi_queued_seconds!r} and {self.sunoapi_generate_seconds!r}"
            )
        if not self.speed > 0:
            raise ValueError(f"speed must be > 0, got {self.speed!r}")
        if not 0 < self.audio_seconds <= MAX_AUDIO_SECONDS:
            raise ValueError(
                f"audio_seconds must be > 0 and <= {MAX_AUDIO_SECONDS}, got {self.audio_seconds!r}"
            )
        if not isinstance(self.offline_audio_hosts, frozenset):
            raise TypeError("offline_audio_hosts must be a frozenset of host names")
        slow = self.slow_seconds
        if (
            isinstance(slow, bool)
            or not isinstance(slow, int | float)
            or not math.isfinite(slow)
            or slow < 0
        ):
            raise ValueError(f"slow_seconds must be a finite number >= 0, got {slow!r}")
        if self.slow_path is not None and (
            not isinstance(self.slow_path, str)
            or not self.slow_path.startswith("/")
            or "?" in self.slow_path
        ):
            raise ValueError(
                f"slow_path must be a URL path starting with '/', without a query, "
                f"got {self.slow_path!r}"
            )
        if self.chaos is not None and not isinstance(self.chaos, Chaos):
            raise TypeError(f"chaos must be a Chaos or None, got {type(self.chaos).__name__}")
        if not isinstance(self.task_scripts, tuple) or not all(
            isinstance(script, TaskScript) for script in self.task_scripts
        ):
            raise TypeError("task_scripts must be a tuple of TaskScript")
        if not isinstance(self.webhook_faults, tuple) or not all(
            isinstance(fault, WebhookFault) for fault in self.webhook_faults
        ):
            raise TypeError("webhook_faults must be a tuple of WebhookFault")
        if not isinstance(self.readings, Readings):
            raise TypeError(f"readings must be a Readings, got {type(self.readings).__name__}")

    def slow_for(self, path: str) -> float:
        """Real seconds the answer to ``path`` is held by ``slow_seconds`` (0 if none)."""
        if not self.slow_seconds:
            return 0.0
        if self.slow_path is not None:
            return float(self.slow_seconds) if path == self.slow_path else 0.0
        return float(self.slow_seconds) if is_api_path(path) else 0.0
