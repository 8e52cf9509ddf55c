"""Task handles for mountsea's asynchronous calls, the typed results they wait for, and the
submit helper every endpoint group shares.

Most of mountsea's endpoints answer ``201 {"taskId"}`` and are followed through
``GET /suno/v2/status``; their ``data`` is documented for a few (crop and fade:
``{status, action_clip_id, clip}``; image: ``{batch_id, items}``) and not at all for the rest.
Every result here therefore keeps ``data``, the task's data exactly as sent (decoded to plain
JSON values), next to the fields read from it; a field the provider did not send is ``None``.

``awaiting`` (a voice persona waiting for its verification) is a state that needs the caller:
a handle's wait returns there instead of polling on (see :func:`judge_for`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

import msgspec

from suno_async._core._exceptions import ResponseValidationError, TaskFailedError
from suno_async._core._handles import TaskHandle
from suno_async._core._models import Clip, TaskKind
from suno_async._core._validation import check_name
from suno_async.mountsea import _constants as c
from suno_async.mountsea._models import TaskCreated, TaskSnapshot, TaskStatus
from suno_async.mountsea._tasks import TasksAPI, _judge

__all__ = [
    "ClipsResult",
    "EditResult",
    "ImageItem",
    "ImageResult",
    "LyricsResult",
    "MidiResult",
    "PersonaStep",
    "TaskResult",
    "ToolsBase",
    "UploadResult",
    "VoicePersonaTimeoutError",
]

_R = TypeVar("_R")

_SNAPSHOT: Final = msgspec.json.Decoder(TaskSnapshot)
_CREATED: Final = msgspec.json.Decoder(TaskCreated)
_KNOWN_STATUSES: Final = frozenset(s.value for s in TaskStatus)


class VoicePersonaTimeoutError(TaskFailedError):
    """A voice persona failed with ``VP_USER_TIMEOUT``: ``voicePersona/complete`` did not
    arrive within 30 s of the task reaching ``awaiting``. Start again with ``init``."""


class TaskResult(msgspec.Struct, frozen=True, kw_only=True):
    """A finished task: its id, its final status and ``data`` as the provider sent it (plain
    JSON values; the provider documents no schema for most tasks)."""

    task_id: str
    status: str
    data: Any = None


class LyricsResult(TaskResult, frozen=True, kw_only=True):
    """``lyrics``: ``text`` and ``title`` read from ``data`` when it has them (the provider
    documents no result schema: ``data`` holds everything it sent)."""

    text: str | None = None
    title: str | None = None


class UploadResult(TaskResult, frozen=True, kw_only=True):
    """``upload`` or an upload-session item: ``clip_id`` (for ``upload_extend`` and
    ``upload_cover``) and the ``clip`` when ``data`` is a clip object."""

    clip_id: str | None = None
    clip: Clip | None = None


class ClipsResult(TaskResult, frozen=True, kw_only=True):
    """A task that makes clips (concat, remaster, adjustSpeed): the clips found in ``data``
    (a clip, a list of clips, or an object with ``clip``/``clips``; the shape is not
    documented)."""

    clips: list[Clip] = []


class EditResult(TaskResult, frozen=True, kw_only=True):
    """``audio/crop`` and ``audio/fade`` (documented: ``{status, action_clip_id, clip}``)."""

    edit_status: str | None = None
    action_clip_id: str | None = None
    clip: Clip | None = None


class MidiResult(TaskResult, frozen=True, kw_only=True):
    """``mdi``: ``midi_url``, the first URL in ``data`` (documented only as "a MIDI download
    link")."""

    midi_url: str | None = None


class ImageItem(msgspec.Struct, frozen=True, kw_only=True):
    """One image of an ``image/generate`` batch."""

    status: str | None = None
    image_url: str | None = None


class ImageResult(TaskResult, frozen=True, kw_only=True):
    """``image/generate`` (documented: ``{batch_id, items: [{status, image_url}]}``)."""

    batch_id: str | None = None
    items: list[ImageItem] = []


class PersonaStep(TaskResult, frozen=True, kw_only=True):
    """Where a voice persona's wait stopped: ``awaiting`` (``phrase_text`` is what the
    verification audio must say; call ``complete`` within 30 s) or ``success``
    (``persona_id`` of the new persona)."""

    phrase_text: str | None = None
    persona_id: str | None = None

    @property
    def awaiting(self) -> bool:
        """Whether the task waits for ``voicePersona/complete``."""
        return self.status == TaskStatus.AWAITING


# -- reading data leniently ----------------------------------------------------------------


def _clip(value: Any) -> Clip | None:
    if not isinstance(value, dict) or "id" not in value:
        return None
    try:
        return msgspec.convert(value, Clip, strict=False)
    except msgspec.ValidationError:
        return None


def _clips(value: Any) -> list[Clip]:
    if isinstance(value, list):
        return [clip for clip in map(_clip, value) if clip is not None]
    if isinstance(value, dict):
        for key in ("clips", "data"):
            if isinstance(value.get(key), list):
                return _clips(value[key])
        if isinstance(value.get("clip"), dict):
            return _clips([value["clip"]])
        clip = _clip(value)
        return [clip] if clip is not None else []
    return []


def _text(value: Any, *keys: str) -> str | None:
    """The first string (or number) under one of ``keys`` in ``value`` (or its first item)."""
    if isinstance(value, list) and value:
        value = value[0]
    if not isinstance(value, dict):
        return None
    for key in keys:
        found = value.get(key)
        if isinstance(found, str) and found:
            return found
        if isinstance(found, int | float) and not isinstance(found, bool):
            return str(found)
    return None


def _first_url(value: Any) -> str | None:
    if isinstance(value, str):
        return value if value.startswith(("http://", "https://")) else None
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for item in items:
        url = _first_url(item)
        if url is not None:
            return url
    return None


def _base(snapshot: TaskSnapshot) -> dict[str, Any]:
    data = msgspec.json.decode(snapshot.data)
    return {"task_id": snapshot.task_id, "status": snapshot.status, "data": data}


def task_result(snapshot: TaskSnapshot) -> TaskResult:
    return TaskResult(**_base(snapshot))


def lyrics_result(snapshot: TaskSnapshot) -> LyricsResult:
    base = _base(snapshot)
    data = base["data"]
    return LyricsResult(
        **base, text=_text(data, "text", "lyrics", "prompt"), title=_text(data, "title")
    )


def upload_result(snapshot: TaskSnapshot) -> UploadResult:
    base = _base(snapshot)
    data = base["data"]
    clip = _clip(data)
    clip_id = _text(data, "clip_id", "clipId", "id", "audio_id", "audioId")
    return UploadResult(**base, clip_id=clip_id, clip=clip)


def clips_result(snapshot: TaskSnapshot) -> ClipsResult:
    base = _base(snapshot)
    return ClipsResult(**base, clips=_clips(base["data"]))


def edit_result(snapshot: TaskSnapshot) -> EditResult:
    base = _base(snapshot)
    data = base["data"]
    clip = _clip(data.get("clip")) if isinstance(data, dict) else None
    return EditResult(
        **base,
        edit_status=_text(data, "status"),
        action_clip_id=_text(data, "action_clip_id"),
        clip=clip,
    )


def midi_result(snapshot: TaskSnapshot) -> MidiResult:
    base = _base(snapshot)
    data = base["data"]
    return MidiResult(**base, midi_url=_text(data, "midi_url", "url") or _first_url(data))


def image_result(snapshot: TaskSnapshot) -> ImageResult:
    base = _base(snapshot)
    data = base["data"]
    items: list[ImageItem] = []
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        for item in data["items"]:
            if isinstance(item, dict):
                items.append(
                    ImageItem(status=_text(item, "status"), image_url=_text(item, "image_url"))
                )
    return ImageResult(**base, batch_id=_text(data, "batch_id"), items=items)


def persona_step(snapshot: TaskSnapshot) -> PersonaStep:
    base = _base(snapshot)
    data = base["data"]
    return PersonaStep(
        **base,
        phrase_text=_text(data, "phrase_text", "phraseText"),
        persona_id=_text(data, "persona_id", "personaId", "id"),
    )


def judge_for(
    kind: TaskKind, result: Callable[[TaskSnapshot], _R], *, stop_awaiting: bool = True
) -> Callable[[TaskSnapshot], _R | None]:
    """Done on ``success``, and on ``awaiting`` (the task needs the caller) when
    ``stop_awaiting`` and the kind's flows can await at all (not uploads, trainings,
    generations); raises on ``failed`` (:class:`VoicePersonaTimeoutError` for
    ``VP_USER_TIMEOUT``) and ``timeout``."""
    base = _judge(kind, stop_awaiting=stop_awaiting)

    def judge(snapshot: TaskSnapshot) -> _R | None:
        try:
            done = base(snapshot)
        except TaskFailedError as exc:
            codes = (str(exc.fail_code or ""), exc.fail_reason or "")
            if any(c.PERSONA_TIMEOUT_CODE in code for code in codes):
                raise VoicePersonaTimeoutError(
                    f"voice persona {snapshot.task_id} failed with {c.PERSONA_TIMEOUT_CODE}: "
                    f"voicePersona/complete did not arrive within {c.PERSONA_WINDOW:g} s of "
                    "awaiting. Start again with voicePersona/init.",
                    task_id=snapshot.task_id,
                    snapshot=snapshot,
                    fail_reason=exc.fail_reason,
                    fail_code=exc.fail_code,
                ) from None
            raise
        if done is None:
            return None
        try:
            return result(snapshot)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise ResponseValidationError(
                f"{kind.value} task {snapshot.task_id} ended ({snapshot.status}) but its data "
                f"could not be read: {exc}.",
                body=bytes(snapshot.data),
            ) from exc

    return judge


def _status_of(snapshot: TaskSnapshot) -> str:
    return snapshot.status


class ToolsBase(TasksAPI):
    """What every endpoint group besides generation and custom models shares: prices, the
    submit of a paid task, and the handles to follow tasks."""

    #: Prices set by the client's ``prices`` option, over :data:`~._constants.PRICES`.
    _prices: Mapping[str, int] = {}

    def price_of(self, endpoint: str) -> int | None:
        """The credits a call costs as this client counts them: the ``prices`` option, then the
        documented price (:data:`suno_async.mountsea.PRICES`); ``None`` when unknown (such a
        call is sent uncounted and the budget cannot hold it back).

        ``endpoint`` is the path after ``/suno/v2/`` (``"lyrics"``, ``"audio/crop"``), with
        ``":<task>"`` for generate and ``":basic"``/``":advanced"`` for ``image/generate``.
        """
        endpoint = check_name("endpoint", endpoint)
        if endpoint in self._prices:
            return self._prices[endpoint]
        return c.PRICES.get(endpoint)

    def _handle(
        self,
        task_id: str,
        kind: TaskKind,
        result: Callable[[TaskSnapshot], _R],
        *,
        stop_awaiting: bool = True,
    ) -> TaskHandle[TaskSnapshot, _R]:
        return TaskHandle(
            self._core,
            task_id,
            kind=kind.value,
            poll_kind=kind,
            fetch=self._fetcher(_SNAPSHOT),
            judge=judge_for(kind, result, stop_awaiting=stop_awaiting),
            status_of=_status_of,
            known_statuses=_KNOWN_STATUSES,
        )

    async def _submit(
        self,
        endpoint: str,
        body: msgspec.Struct,
        kind: TaskKind,
        result: Callable[[TaskSnapshot], _R],
        *,
        price_key: str | None = None,
        resend_if_ambiguous: bool = False,
    ) -> TaskHandle[TaskSnapshot, _R]:
        created = await self._core.paid_call(
            self.price_of(price_key or endpoint),
            endpoint,
            f"/suno/v2/{endpoint}",
            _CREATED,
            body,
            resend_if_ambiguous=resend_if_ambiguous,
        )
        return self._handle(created.task_id, kind, result)
