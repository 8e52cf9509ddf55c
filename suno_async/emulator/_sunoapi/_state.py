"""sunoapi.com v2's state: one account, its calls ("batches"), their clips and its credits.

Like mountsea.ai's state (:mod:`suno_async.emulator._mountsea._state`), nothing runs on a
timer: a batch stores when it was made and what will happen to it, and the status of its clips
is worked out from the emulator's clock whenever someone looks. Credits are settled the same
way, before every call and every read of the balance.

Every create or extend call makes one batch of two clips. Their timeline, in clock seconds after
the call (see :class:`~suno_async.emulator._config.EmulatorConfig`):

* ``submitted`` until ``sunoapi_submitted_seconds`` (3), ``queued`` until
  ``sunoapi_queued_seconds`` (8), ``streaming`` until ``sunoapi_generate_seconds`` (40), then
  ``complete``.
* Submitted and queued clips have ``audio_url`` ``""``. Streaming clips have ``audio_url``
  ``<base>/cdn/stream/<id>.wav`` (served), ``video_url`` ``""`` and ``metadata.duration``
  ``null``. Complete clips have ``audio_url`` ``<base>/cdn/audio/<id>.wav`` (served, a WAV of
  ``audio_seconds``), ``video_url`` ``<base>/cdn/video/<id>.mp4``, ``image_url``
  ``<base>/cdn/image/<id>.jpeg`` and ``image_large_url`` ``<base>/cdn/image/<id>_large.jpeg``
  (none of the three is served), and ``metadata.duration`` the WAV's length.
* Scripted faults (task kind ``"music"``): a failure or a timeout replaces ``complete`` at the
  same moment with ``error`` (the clips stream before that, and their audio is gone after);
  ``metadata.error_type`` is the script's ``str(code)`` (``"timeout"`` for a timeout) and
  ``metadata.error_message`` its reason (``"Task timed out."`` for a timeout); ``audio_url`` is
  ``""``. The call's credits are refunded. A stalled batch stays ``queued`` forever (and is not
  refunded). A scripted status value replaces ``submitted`` and ``queued`` (and a v3.0 task's
  ``pending``).

A v3.0 task is one batch: its ``status`` is ``pending`` while the clips are ``submitted``,
``processing`` while they are queued or streaming, then ``completed``, or ``failed`` when they
end in ``error`` (api-notes C.10: only ``completed`` is documented).

Choices where the provider is silent (api-notes B.3, B.5, C.9-C.13):

* The v3.5 create and extend answer has exactly the keys of the documented sample: ``id`` (the
  batch id), ``clips``, ``metadata`` (the first clip's metadata at the call),
  ``major_model_version`` (``"v3.5"``), ``status`` ``"complete"`` (the batch was accepted, as in
  the sample; follow the clips' own status), ``created_at`` and ``batch_size`` ``1`` (as in the
  sample, though each call makes two clips).
* Every clip has exactly the sample clip's keys. v3.5 clips have ``major_model_version``
  ``"v3.5"`` and ``model_name`` ``"chirp-v3"`` (as in the sample); v3.0 clips ``"v3"`` and
  ``"chirp-v3"``. ``title`` is the request's (``""`` if none, the documented default);
  ``metadata.prompt`` is the lyrics (``""`` for pure music), ``has_vocal`` is false for pure
  music only, ``gpt_description_prompt`` is ``null`` except for random calls (the description),
  ``type`` is ``"gen"``, ``stream`` true, ``refund_credits``, ``audio_prompt_id``,
  ``concat_history`` and ``reaction`` are ``null``, and ``is_audio_upload_tos_accepted``,
  ``is_liked``, ``is_trashed``, ``is_public``, ``is_video_pending`` and ``is_handle_updated``
  are false. An extension's ``metadata.history`` is ``[{"id": <extended clip>, "continue_at":
  <seconds>, "type": "gen", "source": "web", "infill": false}]``; other clips have ``null``.
  ``user_id`` is one uuid per emulator, ``display_name`` ``"Emulator"``, ``handle``
  ``"emulator"`` and ``avatar_image_url`` ``<base>/cdn/image/defaultOrange.jpg`` (not served).
* ``GET clips?ids=`` finds clips of any call of this account, v3.5 or v3.0, answers them in the
  order asked (an id asked twice is answered once, where first asked) and leaves unknown ids
  out (api-notes C.12: the provider does not say). ``ids`` is split on commas, items are
  stripped and empty items dropped; repeated ``ids`` parameters are joined. No ids at all is
  400 "ids is required."; more than :data:`MAX_CLIP_IDS_PER_LOOKUP` (50, the emulator's limit;
  the docs show two) is 400.
* ``extend`` needs a clip of this account that is ``complete`` (400 otherwise: the source must
  have audio to continue), and ``continue_at`` at most that clip's duration. An extension is
  two new clips of ``audio_seconds`` each, like any other.
* The v3.0 ``input`` is a JSON-encoded string with the documented keys, in the documented order:
  ``custom_mode``, ``gpt_description_prompt``, ``make_instrumental``, ``prompt``, ``title``,
  ``continue_at`` (0), ``continue_clip_id`` (``""``), ``mv`` (``"chirp-v3-0"``) and ``tags``.
* Credits: :attr:`~suno_async.emulator._config.EmulatorConfig.sunoapi_call_cost` per create or
  extend call, taken after the body is checked; a balance below it is 403 with the vendor's
  message. Faults are taken by the next *accepted* call only.
* Timestamps are the emulator's (:meth:`~suno_async.emulator._state.SharedState.iso`), the same
  wall-clock origin and format as mountsea.ai's.

How the answers are written follows the configured reading of the docs
(:class:`~suno_async.emulator._readings.Readings`): the letter case of every ``status`` (clips,
the v3.5 batch, the v3.0 task), clip, batch and task ids as strings or numbers (taken back
either way; v3.0 ``clips`` stays keyed by the id's string), and 404 or 400 for an unknown v3.0
task id. The timelines above are the same in every reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import msgspec

from suno_async.emulator._audio import synth_wav
from suno_async.emulator._errors import ApiError
from suno_async.emulator._faults import Outcome
from suno_async.emulator._ledger import Charge, Ledger, Settlement
from suno_async.emulator._state import SharedState, new_id
from suno_async.emulator._sunoapi._v1_state import V1State, V1Work
from suno_async.emulator._sunoapi._validation import MusicSpec, validate_extend
from suno_async.emulator._validation import parse_object

__all__ = [
    "CLIPS_PER_CALL",
    "MAX_CLIP_IDS_PER_LOOKUP",
    "NOT_ENOUGH_CREDITS",
    "ClipPhase",
    "SunoapiState",
]

#: Most clip ids one ``GET /api/v2/suno/v3.5/clips`` may ask for: the emulator's choice (the
#: provider documents no limit). Kept private to the emulator; clients should batch by at most
#: this many.
MAX_CLIP_IDS_PER_LOOKUP: Final = 50
#: Clips made by each create or extend call (documented).
CLIPS_PER_CALL: Final = 2
#: The vendor's documented 403 text for a short balance.
NOT_ENOUGH_CREDITS: Final = (
    "The remaining credits are not enough. You can buy more one-time credit packs or subscribe."
)
TIMED_OUT: Final = "Task timed out."
_MV_V30: Final = "chirp-v3-0"
_MODEL_NAME: Final = "chirp-v3"
_MAJOR: Final = {"v3.5": "v3.5", "v3.0": "v3"}
_DISPLAY_NAME: Final = "Emulator"
_HANDLE: Final = "emulator"


@dataclass(frozen=True, slots=True)
class ClipPhase:
    """Where the clips of a batch are at one moment: their status and, in ``error``, why."""

    status: str
    error_type: str | None = None
    error_message: str | None = None


@dataclass(eq=False, kw_only=True)
class _Batch:
    id: str
    spec: MusicSpec
    created: float
    cost: int
    outcome: Outcome | None
    status_override: str | None
    clip_ids: list[str]

    @property
    def kind(self) -> str:
        """The kind of its charge: a v2 call makes music."""
        return "music"


class SunoapiState:
    """sunoapi.com's bookkeeping; its routes turn requests into calls on this.

    Args:
        shared: The emulator's settings (the ``sunoapi_*`` fields and ``audio_seconds``), clock,
            task scripts (this state takes those of kind ``"music"``), time stamps and base URL
            (the prefix of every audio and image URL).

    Every method that takes a body raises :class:`ApiError` for a request the provider would
    refuse, and changes nothing in that case.
    """

    def __init__(self, shared: SharedState) -> None:
        self.shared = shared
        self.config = shared.config
        self.clock = shared.clock
        self.faults = shared.faults
        self.readings = shared.readings
        self.user_id = new_id()
        self.ledger: Ledger[_Batch | V1Work] = Ledger(self.config.sunoapi_credits, self._settlement)
        self._batches: dict[str, _Batch] = {}
        self._clips: dict[str, tuple[_Batch, int]] = {}
        #: The v1 family, on this account (:mod:`~suno_async.emulator._sunoapi._v1_state`).
        self.v1 = V1State(self)

    # -- money -----------------------------------------------------------------------------

    @property
    def credits(self) -> int:
        """The account's balance now."""
        return self.ledger.balance

    @property
    def credits_spent(self) -> int:
        """Credits charged minus credits refunded, so far."""
        return self.ledger.spent

    def settle(self) -> None:
        """Forget batches that completed and refund those whose clips ended in ``error``."""
        self.ledger.settle()

    def charges(self) -> list[Charge]:
        """Every charge of the account so far, oldest first: one ``"music"`` charge per
        accepted create or extend call, v1 create included, one ``"lyrics"`` per v1
        make-lyrics and one ``"stems"`` per v1 stems call (two for a call billed twice, see
        ``sunoapi_double_charges``; :class:`Charge`)."""
        return self.ledger.charges("sunoapi", lambda work: (work.kind, work.id))

    def _settlement(self, batch: _Batch | V1Work) -> Settlement:
        if isinstance(batch, V1Work):
            return self.v1.settlement(batch)
        status = self.phase(batch, self.clock.now()).status
        if status == "error":
            return "refund"
        return "done" if status == "complete" else "pending"

    # -- the state machine -----------------------------------------------------------------

    def phase(self, batch: _Batch, now: float) -> ClipPhase:
        """The status of the clips of ``batch`` at clock time ``now``."""
        config = self.config
        elapsed = now - batch.created
        outcome = batch.outcome
        if elapsed < config.sunoapi_submitted_seconds:
            return ClipPhase(batch.status_override or "submitted")
        if elapsed < config.sunoapi_queued_seconds or (
            outcome is not None and outcome.kind == "stall"
        ):
            return ClipPhase(batch.status_override or "queued")
        if elapsed < config.sunoapi_generate_seconds:
            return ClipPhase("streaming")
        if outcome is not None and outcome.kind == "fail":
            return ClipPhase("error", str(outcome.code), outcome.reason)
        if outcome is not None and outcome.kind == "timeout":
            return ClipPhase("error", "timeout", TIMED_OUT)
        return ClipPhase("complete")

    def task_status(self, batch: _Batch, now: float) -> str:
        """The v3.0 task status of ``batch``: pending, processing, completed or failed."""
        if now - batch.created < self.config.sunoapi_submitted_seconds:
            return batch.status_override or "pending"
        status = self.phase(batch, now).status
        return {"complete": "completed", "error": "failed"}.get(status, "processing")

    # -- operations ------------------------------------------------------------------------

    def create(self, spec: MusicSpec) -> _Batch:
        """Accept a checked create call: charge it and make its batch of two clips.

        Raises:
            ApiError: 403 if the balance is short.
        """
        self.settle()
        return self._accept(spec)

    def extend(self, body: bytes) -> _Batch:
        """``v3.5/extend``: check the body and the clip it extends, then accept it.

        Raises:
            ApiError: 400 for a bad body, an unknown or unfinished clip or a ``continue_at``
                past its end; 403 if the balance is short.
        """
        self.settle()
        obj = parse_object(body)
        if "continue_clip_id" in obj:
            obj["continue_clip_id"] = self.readings.take_id(obj["continue_clip_id"])
        spec = validate_extend(obj)
        clip_id = spec.continue_clip_id
        found = self._clips.get(clip_id)
        if found is None:
            raise ApiError(400, f"continue_clip_id {clip_id} is not a clip of this account.")
        status = self.phase(found[0], self.clock.now()).status
        if status != "complete":
            raise ApiError(
                400,
                f"Clip {clip_id} cannot be extended: its status is {status}; "
                "only a complete clip can be extended.",
            )
        duration = self.shared.clip_seconds()
        if spec.continue_at is not None and spec.continue_at > duration:
            raise ApiError(
                400,
                f"continue_at ({spec.continue_at:g}) must not exceed the duration of clip "
                f"{clip_id} ({duration:g} s).",
            )
        return self._accept(spec)

    def _accept(self, spec: MusicSpec) -> _Batch:
        cost = self.config.sunoapi_call_cost
        if not self.ledger.can_pay(cost):
            raise ApiError(403, NOT_ENOUGH_CREDITS)
        outcome, override = self.faults.take("music")
        batch = _Batch(
            id=self.shared.task_id(),
            spec=spec,
            created=self.clock.now(),
            cost=cost,
            outcome=outcome,
            status_override=override,
            clip_ids=[self.shared.task_id() for _ in range(CLIPS_PER_CALL)],
        )
        self._batches[batch.id] = batch
        self.ledger.charge(batch, cost)
        for index, clip_id in enumerate(batch.clip_ids):
            self._clips[clip_id] = (batch, index)
        return batch

    # -- answers ---------------------------------------------------------------------------

    def generate_object(self, batch: _Batch) -> dict[str, Any]:
        """The v3.5 create/extend answer for ``batch`` (the documented sample's keys)."""
        phase = self.phase(batch, self.clock.now())
        clips = [self._clip(batch, index, phase) for index in range(len(batch.clip_ids))]
        return {
            "id": self.readings.wire_id(batch.id),
            "clips": clips,
            "metadata": dict(clips[0]["metadata"]),
            "major_model_version": _MAJOR[batch.spec.family],
            "status": self.readings.status("complete"),
            "created_at": self.shared.iso(batch.created),
            "batch_size": 1,
        }

    def lookup(self, values: list[str]) -> dict[str, Any]:
        """The ``GET v3.5/clips`` answer for the raw ``ids`` parameter values.

        Raises:
            ApiError: 400 if no ids, or more than :data:`MAX_CLIP_IDS_PER_LOOKUP`, are asked.
        """
        self.settle()
        ids = [item.strip() for value in values for item in value.split(",") if item.strip()]
        if not ids:
            raise ApiError(400, "ids is required.")
        if len(ids) > MAX_CLIP_IDS_PER_LOOKUP:
            raise ApiError(
                400,
                f"Too many ids: at most {MAX_CLIP_IDS_PER_LOOKUP} clip ids per request, "
                f"got {len(ids)}.",
            )
        now = self.clock.now()
        clips = []
        for clip_id in dict.fromkeys(ids):
            found = self._clips.get(clip_id)
            if found is not None:
                batch, index = found
                clips.append(self._clip(batch, index, self.phase(batch, now)))
        return {"clips": clips}

    def task(self, task_id: str) -> dict[str, Any]:
        """The ``data`` of ``GET v3.0/clip/{task_id}``.

        Raises:
            ApiError: 404 (or 400, per ``readings.unknown_task_status``) ``"task not found."``
                if no v3.0 call made this task.
        """
        self.settle()
        batch = self._batches.get(task_id)
        if batch is None or batch.spec.family != "v3.0":
            raise ApiError(self.readings.unknown_task_status, "task not found.")
        now = self.clock.now()
        phase = self.phase(batch, now)
        spec = batch.spec
        given = {
            "custom_mode": spec.custom_mode,
            "gpt_description_prompt": spec.gpt_description_prompt,
            "make_instrumental": spec.make_instrumental,
            "prompt": spec.prompt,
            "title": spec.title,
            "continue_at": 0,
            "continue_clip_id": "",
            "mv": _MV_V30,
            "tags": spec.tags,
        }
        return {
            "task_id": self.readings.wire_id(batch.id),
            "status": self.readings.status(self.task_status(batch, now)),
            "input": msgspec.json.encode(given).decode(),
            "clips": {
                clip_id: self._clip(batch, index, phase)
                for index, clip_id in enumerate(batch.clip_ids)
            },
        }

    def _clip(self, batch: _Batch, index: int, phase: ClipPhase) -> dict[str, Any]:
        spec = batch.spec
        clip_id = batch.clip_ids[index]
        base = self.shared.base_url
        complete = phase.status == "complete"
        if complete:
            audio_url = f"{base}/cdn/audio/{clip_id}.wav"
        elif phase.status == "streaming":
            audio_url = f"{base}/cdn/stream/{clip_id}.wav"
        else:
            audio_url = ""
        history = None
        if spec.continue_clip_id:
            history = [
                {
                    "id": self.readings.wire_id(spec.continue_clip_id),
                    "continue_at": spec.continue_at,
                    "type": "gen",
                    "source": "web",
                    "infill": False,
                }
            ]
        return {
            "id": self.readings.wire_id(clip_id),
            "video_url": f"{base}/cdn/video/{clip_id}.mp4" if complete else "",
            "audio_url": audio_url,
            "image_url": f"{base}/cdn/image/{clip_id}.jpeg" if complete else None,
            "image_large_url": f"{base}/cdn/image/{clip_id}_large.jpeg" if complete else None,
            "is_video_pending": False,
            "major_model_version": _MAJOR[spec.family],
            "model_name": _MODEL_NAME,
            "metadata": {
                "tags": spec.tags,
                "prompt": spec.prompt,
                "gpt_description_prompt": spec.gpt_description_prompt or None,
                "audio_prompt_id": None,
                "history": history,
                "concat_history": None,
                "type": "gen",
                "duration": self.shared.clip_seconds() if complete else None,
                "refund_credits": None,
                "stream": True,
                "infill": False,
                "has_vocal": not spec.make_instrumental,
                "is_audio_upload_tos_accepted": False,
                "error_type": phase.error_type,
                "error_message": phase.error_message,
            },
            "is_liked": False,
            "user_id": self.user_id,
            "display_name": _DISPLAY_NAME,
            "handle": _HANDLE,
            "is_handle_updated": False,
            "avatar_image_url": f"{base}/cdn/image/defaultOrange.jpg",
            "is_trashed": False,
            "reaction": None,
            "created_at": self.shared.iso(batch.created),
            "status": self.readings.status(phase.status),
            "title": spec.title,
            "play_count": 0,
            "upvote_count": 0,
            "is_public": False,
        }

    def clip_info(self, clip_id: str) -> tuple[str, str] | None:
        """The status and title of a v2 clip of this account, or ``None`` if it has none."""
        found = self._clips.get(clip_id)
        if found is None:
            return None
        batch, _ = found
        return self.phase(batch, self.clock.now()).status, batch.spec.title

    def clip_audio(self, clip_id: str, *, streaming: bool) -> bytes | None:
        """The WAV of a clip of this account, or ``None`` if it has none (yet, or any more).

        A complete clip is served by both CDN routes; a streaming one only when ``streaming``.
        """
        found = self._clips.get(clip_id)
        if found is None:
            return None
        status = self.phase(found[0], self.clock.now()).status
        if status == "complete" or (streaming and status == "streaming"):
            return synth_wav(clip_id, self.config.audio_seconds)
        return None
