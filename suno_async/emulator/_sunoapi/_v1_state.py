"""sunoapi.com's v1 family on the emulator: songs (create), lyrics, stems, and the balance, on
the same account (and ledger) as its v2 calls (:mod:`~suno_async.emulator._sunoapi._state`).

As everywhere in the emulator, nothing runs on a timer except webhook deliveries
(:mod:`~suno_async.emulator._sunoapi._webhooks`): a task stores when it was made and what will
happen to it, and its items' states are worked out from the clock whenever someone looks.

Timelines, in clock seconds after the call (see
:class:`~suno_async.emulator._config.EmulatorConfig`):

* A create makes two songs: ``pending`` until ``sunoapi_submitted_seconds`` (3), ``running``
  until ``sunoapi_queued_seconds`` (8), ``streaming`` (a playable stream URL) until
  ``sunoapi_generate_seconds`` (40), then ``succeeded``. It takes the task scripts of kind
  ``"music"``, like a v2 call: a failure or a timeout ends it ``failed`` at the same moment
  (``error_message`` the script's reason, ``"Task timed out."`` for a timeout) and refunds it; a
  stall keeps it ``running`` (no webhook, no refund); a scripted status replaces ``pending`` and
  ``running``.
* make-lyrics writes one lyrics item: ``running`` until ``sunoapi_lyrics_seconds`` (5), then
  ``succeeded`` with ``title`` and ``text``.
* stems/basic makes 2 tracks (Vocals, Instrumental) and stems/full 12 (Vocals, Backing Vocals,
  Drums, Bass, Guitar, Keyboard, Percussion, Strings, Synth, FX, Brass, Woodwinds): ``pending``
  until ``sunoapi_submitted_seconds`` (or the end, if sooner), ``running`` until
  ``sunoapi_stems_seconds`` (30), then ``succeeded``.

Choices where the docs are silent (api-notes B.8, B.9):

* ``GET get-credits`` answers ``{"credits": <balance>, "extra_credits": 0}``: the emulator keeps
  one balance (its v2 calls share it), so there are never extra credits.
* create and make-lyrics answer ``{"code": 200, "data": {"task_id": ...}, "message":
  "success"}`` (documented for make-lyrics); stems answer ``{"message": "success", "task_id":
  ...}`` (the docs' sample is cut after ``"message": "success", "t``).
* ``GET task/{task_id}`` answers ``{"code": 200, "data": [item, ...], "message": "success"}``
  for any v1 task. A song item has the documented keys (``clip_id``, ``state``, ``title``,
  ``tags``, ``lyrics``, ``image_url``, ``audio_url``, ``video_url`` (null), ``created_at``,
  ``gpt_description_prompt``, ``duration`` (a string of seconds, as in the sample, once
  succeeded), ``negative_tags``, ``style_weight``, ``weirdness_constraint`` (null), ``mv``)
  plus ``error_message`` when failed. A track has ``clip_id``, ``state``, ``title`` ("<song
  title> (<stem>)"), ``audio_url``, ``duration`` and ``created_at``; a lyrics item ``state``,
  ``title`` and ``text``. Audio of succeeded songs and tracks (and streaming songs) is served
  by the CDN like v2 clips. An unknown task id is 404 (or 400 under the reading
  ``unknown_task_status``) "task not found."; no id is 400 "missing task id.".
* A song in description mode is made up from its description: the title is the description cut
  to 79 characters, the tags ``""`` and the lyrics ``"[Verse]\\n<description>"`` (none when
  instrumental).
* stems need a song of this account that is done: a v1 song that ``succeeded`` or a v2 clip
  that is ``complete`` (400 otherwise, as for v2 extend).
* Credits are taken when the call is accepted (after the body is checked): create
  ``sunoapi_call_cost``, make-lyrics ``sunoapi_lyrics_cost``, stems ``sunoapi_stems_cost``; a
  balance below the price is 403 with the vendor's message. A failed song is refunded.
  ``sunoapi_double_charges`` bills that many of the first accepted priced calls twice.

Ids, states and POST statuses follow the configured reading
(:class:`~suno_async.emulator._readings.Readings`), as for v2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from suno_async.emulator._audio import synth_wav
from suno_async.emulator._errors import ApiError
from suno_async.emulator._faults import Outcome
from suno_async.emulator._ledger import Settlement
from suno_async.emulator._sunoapi._v1_validation import (
    V1MusicSpec,
    validate_create,
    validate_lyrics,
    validate_stems,
)
from suno_async.emulator._validation import parse_object

if TYPE_CHECKING:
    from suno_async.emulator._sunoapi._state import SunoapiState
    from suno_async.emulator._sunoapi._webhooks import WebhookSender

__all__ = ["BASIC_STEMS", "FULL_STEMS", "V1Kind", "V1State", "V1Work"]

V1Kind = Literal["music", "lyrics", "stems"]
#: The tracks of stems/basic ("2 tracks of vocals and instruments").
BASIC_STEMS: Final = ("Vocals", "Instrumental")
#: The tracks of stems/full ("12 tracks"): Suno's twelve stems.
FULL_STEMS: Final = (
    "Vocals",
    "Backing Vocals",
    "Drums",
    "Bass",
    "Guitar",
    "Keyboard",
    "Percussion",
    "Strings",
    "Synth",
    "FX",
    "Brass",
    "Woodwinds",
)
_SONGS_PER_CALL: Final = 2
_TIMED_OUT: Final = "Task timed out."
_NOT_ENOUGH_CREDITS: Final = (
    "The remaining credits are not enough. You can buy more one-time credit packs or subscribe."
)


@dataclass(eq=False, kw_only=True)
class V1Work:
    """One accepted v1 call: its task and items, and what will become of it."""

    id: str
    kind: V1Kind
    created: float
    cost: int
    item_ids: list[str]
    outcome: Outcome | None = None
    status_override: str | None = None
    music: V1MusicSpec | None = None
    prompt: str = ""
    source_title: str = ""
    stems: tuple[str, ...] = ()
    charges: int = 1


class V1State:
    """The v1 family's bookkeeping, on the account of ``account`` (its ledger, clock, scripts,
    readings and base URL). Every method that takes a body raises
    :class:`~suno_async.emulator._errors.ApiError` for a request the provider would refuse, and
    changes nothing in that case."""

    def __init__(self, account: SunoapiState) -> None:
        self.account = account
        self.shared = account.shared
        self.config = account.config
        self.clock = account.clock
        self.readings = account.readings
        self._work: dict[str, V1Work] = {}
        self._items: dict[str, tuple[V1Work, int]] = {}
        self._doubles_left = self.config.sunoapi_double_charges
        #: Sends the webhooks of creates that asked for one (set by the routes).
        self.sender: WebhookSender | None = None

    # -- money -----------------------------------------------------------------------------

    def balance(self) -> dict[str, int]:
        """The ``GET get-credits`` answer: the account's balance."""
        return {"credits": self.account.credits, "extra_credits": 0}

    def settlement(self, work: V1Work) -> Settlement:
        """What became of ``work``: failed songs are refunded, finished work kept."""
        state = self.state(work, self.clock.now())[0]
        if state == "failed":
            return "refund"
        return "done" if state == "succeeded" else "pending"

    def _accept(self, work: V1Work) -> V1Work:
        ledger = self.account.ledger
        if not ledger.can_pay(work.cost):
            raise ApiError(403, _NOT_ENOUGH_CREDITS)
        self._work[work.id] = work
        for index, item_id in enumerate(work.item_ids):
            self._items[item_id] = (work, index)
        ledger.charge(work, work.cost)
        if self._doubles_left > 0 and work.cost > 0 and ledger.can_pay(work.cost):
            self._doubles_left -= 1
            ledger.charge(work, work.cost)  # the provider's mistake: the same call billed twice
            work.charges = 2
        return work

    # -- calls -----------------------------------------------------------------------------

    def create(self, body: bytes) -> V1Work:
        """``POST create``: check and accept a song call (two songs).

        Raises:
            ApiError: 400 for a bad body, 403 if the balance is short.
        """
        self.account.settle()
        spec = validate_create(parse_object(body))
        if not self._can_pay(self.config.sunoapi_call_cost):
            raise ApiError(403, _NOT_ENOUGH_CREDITS)
        outcome, override = self.shared.faults.take("music")  # taken by accepted calls only
        work = V1Work(
            id=self.shared.task_id(),
            kind="music",
            created=self.clock.now(),
            cost=self.config.sunoapi_call_cost,
            item_ids=[self.shared.task_id() for _ in range(_SONGS_PER_CALL)],
            outcome=outcome,
            status_override=override,
            music=spec,
        )
        self._accept(work)
        if spec.webhook_url is not None and self.sender is not None:
            self.sender.schedule(work)
        return work

    def make_lyrics(self, body: bytes) -> V1Work:
        """``POST make-lyrics``: check and accept a lyrics call.

        Raises:
            ApiError: 400 for a bad body, 403 if the balance is short.
        """
        self.account.settle()
        prompt = validate_lyrics(parse_object(body))
        work = V1Work(
            id=self.shared.task_id(),
            kind="lyrics",
            created=self.clock.now(),
            cost=self.config.sunoapi_lyrics_cost,
            item_ids=[self.shared.task_id()],
            prompt=prompt.strip(),
        )
        return self._accept(work)

    def stems(self, body: bytes, *, full: bool) -> V1Work:
        """``POST stems/basic`` or ``stems/full``: check the body and the song, then accept.

        Raises:
            ApiError: 400 for a bad body or a song that is not this account's or not done;
                403 if the balance is short.
        """
        self.account.settle()
        clip_id = str(self.readings.take_id(validate_stems(parse_object(body)))).strip()
        title = self._done_song_title(clip_id)
        names = FULL_STEMS if full else BASIC_STEMS
        work = V1Work(
            id=self.shared.task_id(),
            kind="stems",
            created=self.clock.now(),
            cost=self.config.sunoapi_stems_cost,
            item_ids=[self.shared.task_id() for _ in names],
            source_title=title,
            stems=names,
        )
        return self._accept(work)

    def _can_pay(self, cost: int) -> bool:
        return self.account.ledger.can_pay(cost)

    def _done_song_title(self, clip_id: str) -> str:
        found = self._items.get(clip_id)
        if found is not None and found[0].kind == "music":
            work, _ = found
            state = self.state(work, self.clock.now())[0]
            if state != "succeeded":
                raise ApiError(
                    400,
                    f"Clip {clip_id} cannot be split into stems: its state is {state}; only a "
                    "finished song can be.",
                )
            return self._title(work)
        info = self.account.clip_info(clip_id)
        if info is None:
            raise ApiError(400, f"clip_id {clip_id} is not a song of this account.")
        status, title = info
        if status != "complete":
            raise ApiError(
                400,
                f"Clip {clip_id} cannot be split into stems: its status is {status}; only a "
                "complete clip can be.",
            )
        return title

    # -- the state machine -----------------------------------------------------------------

    def ends_at(self, work: V1Work) -> float | None:
        """The clock time ``work`` reaches its final state, or ``None`` if it never does."""
        config = self.config
        if work.kind == "lyrics":
            return work.created + config.sunoapi_lyrics_seconds
        if work.kind == "stems":
            return work.created + config.sunoapi_stems_seconds
        if work.outcome is not None and work.outcome.kind == "stall":
            return None
        return work.created + config.sunoapi_generate_seconds

    def state(self, work: V1Work, now: float) -> tuple[str, str | None]:
        """The state of the items of ``work`` at clock time ``now``, and why if ``failed``."""
        config = self.config
        elapsed = now - work.created
        ends = self.ends_at(work)
        done = ends is not None and now >= ends
        if work.kind == "lyrics":
            return ("succeeded" if done else "running"), None
        if work.kind == "stems":
            if done:
                return "succeeded", None
            pending = elapsed < min(config.sunoapi_submitted_seconds, config.sunoapi_stems_seconds)
            return ("pending" if pending else "running"), None
        override = work.status_override
        if elapsed < config.sunoapi_submitted_seconds:
            return override or "pending", None
        if ends is None or (not done and elapsed < config.sunoapi_queued_seconds):
            return override or "running", None
        if not done:
            return "streaming", None
        outcome = work.outcome
        if outcome is not None and outcome.kind == "fail":
            return "failed", outcome.reason
        if outcome is not None and outcome.kind == "timeout":
            return "failed", _TIMED_OUT
        return "succeeded", None

    # -- answers ---------------------------------------------------------------------------

    def find(self, task_id: str) -> V1Work:
        """The work of ``task_id``.

        Raises:
            ApiError: 404 (or 400, per ``readings.unknown_task_status``) "task not found.".
        """
        self.account.settle()
        work = self._work.get(task_id)
        if work is None:
            raise ApiError(self.readings.unknown_task_status, "task not found.")
        return work

    def items(self, work: V1Work, now: float | None = None) -> list[dict[str, Any]]:
        """The ``data`` of ``GET task/{task_id}`` (and of its webhook) for ``work``."""
        at = self.clock.now() if now is None else now
        state, why = self.state(work, at)
        if work.kind == "lyrics":
            return [self._lyrics_item(work, state)]
        if work.kind == "stems":
            return [self._track(work, i, state) for i in range(len(work.item_ids))]
        return [self._song(work, i, state, why) for i in range(len(work.item_ids))]

    def _title(self, work: V1Work) -> str:
        spec = work.music
        if spec is None:
            return ""
        return spec.title if spec.custom_mode else spec.gpt_description_prompt[:79]

    def _song(self, work: V1Work, index: int, state: str, why: str | None) -> dict[str, Any]:
        spec = work.music
        if spec is None:  # pragma: no cover - a song always has its spec
            raise TypeError("a music task without its create body")
        item_id = work.item_ids[index]
        base = self.shared.base_url
        if state == "succeeded":
            audio = f"{base}/cdn/audio/{item_id}.wav"
        elif state == "streaming":
            audio = f"{base}/cdn/stream/{item_id}.wav"
        else:
            audio = ""
        if spec.custom_mode:
            lyrics = "" if spec.make_instrumental else spec.prompt
        else:
            description = spec.gpt_description_prompt
            lyrics = "" if spec.make_instrumental else f"[Verse]\n{description}"
        item: dict[str, Any] = {
            "clip_id": self.readings.wire_id(item_id),
            "state": self.readings.status(state),
            "title": self._title(work),
            "tags": spec.tags if spec.custom_mode else "",
            "lyrics": lyrics,
            "image_url": f"{base}/cdn/image/{item_id}.jpeg" if state == "succeeded" else None,
            "audio_url": audio,
            "video_url": None,
            "created_at": self.shared.iso(work.created),
            "gpt_description_prompt": spec.gpt_description_prompt or None,
            "duration": f"{self.shared.clip_seconds():.2f}" if state == "succeeded" else None,
            "negative_tags": None,
            "style_weight": None,
            "weirdness_constraint": None,
            "mv": spec.mv,
        }
        if state == "failed":
            item["error_message"] = why
        return item

    def _track(self, work: V1Work, index: int, state: str) -> dict[str, Any]:
        item_id = work.item_ids[index]
        base = self.shared.base_url
        done = state == "succeeded"
        title = f"{work.source_title} ({work.stems[index]})".strip()
        return {
            "clip_id": self.readings.wire_id(item_id),
            "state": self.readings.status(state),
            "title": title,
            "audio_url": f"{base}/cdn/audio/{item_id}.wav" if done else "",
            "duration": f"{self.shared.clip_seconds():.2f}" if done else None,
            "created_at": self.shared.iso(work.created),
        }

    def _lyrics_item(self, work: V1Work, state: str) -> dict[str, Any]:
        words = work.prompt.split()
        title = " ".join(words[:4]).title() or "Untitled"
        text = None
        if state == "succeeded":
            text = (
                f"[Verse]\n{work.prompt}\nEvery line I write for you\n\n"
                f"[Chorus]\n{title}, {title}\nSinging it the whole night through"
            )
        return {"state": self.readings.status(state), "title": title, "text": text}

    def clip_audio(self, clip_id: str, *, streaming: bool) -> bytes | None:
        """The WAV of a v1 song or track, or ``None`` if it has none (yet, or any more)."""
        found = self._items.get(clip_id)
        if found is None or found[0].kind == "lyrics":
            return None
        state = self.state(found[0], self.clock.now())[0]
        if state == "succeeded" or (streaming and state == "streaming"):
            return synth_wav(clip_id, self.config.audio_seconds)
        return None
