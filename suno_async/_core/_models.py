"""The Suno-native clip object and the kinds of task, shared by both providers.

Fields are snake_case on the wire. Every field but ``id`` may be absent or null, because the
providers fill them in as a clip moves on (``audio_url`` is empty until the clip streams or
completes, ``metadata.duration`` is null until it completes). Unknown fields are ignored.

The docs are loose where servers differ, and the wire shapes read them loosely (one rule for
every provider, applied when a struct is decoded or made):

* ids (:data:`WireId`) arrive as JSON strings or numbers and are always kept as ``str``;
* statuses are kept lower-case (``SUCCESS``, ``Complete`` and ``complete`` are one status);
* fail codes that are digits (``"4001"``) are kept as ``int``.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, Final

import msgspec
from msgspec.structs import force_setattr

__all__ = [
    "Clip",
    "ClipHistoryEntry",
    "ClipMetadata",
    "ClipStatus",
    "TaskKind",
    "WireId",
    "loosen",
]

if TYPE_CHECKING:
    WireId = str
else:
    #: An id as a provider may send it; decoded structs always hold it as ``str``.
    WireId = str | int


def loosen(
    obj: msgspec.Struct,
    *,
    ids: tuple[str, ...] = (),
    status: str | None = None,
    fail_code: str | None = None,
) -> None:
    """Normalise a freshly decoded (or made) struct in place: ``ids`` fields (an id or a list
    of ids) to ``str``, the ``status`` field to lower case, a digit-string ``fail_code`` field
    to ``int``."""
    for name in ids:
        value = getattr(obj, name)
        if type(value) is int:
            force_setattr(obj, name, str(value))
        elif type(value) is list and any(type(item) is int for item in value):
            force_setattr(obj, name, [str(item) for item in value])
    if status is not None:
        value = getattr(obj, status)
        if isinstance(value, str) and (not value.islower() or value != value.strip()):
            force_setattr(obj, status, value.strip().lower())
    if fail_code is not None:
        value = getattr(obj, fail_code)
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdecimal():
            force_setattr(obj, fail_code, int(value))


class ClipStatus(enum.StrEnum):
    """A clip's documented statuses: submitted → queued → streaming → complete, or error."""

    SUBMITTED = "submitted"
    QUEUED = "queued"
    STREAMING = "streaming"
    COMPLETE = "complete"
    ERROR = "error"


#: The documented clip statuses, as sent: nothing to normalise (the hot path of decoding).
_CLIP: Final = frozenset(status.value for status in ClipStatus)


class ClipHistoryEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One step of how a clip was made (for example the upload it extends)."""

    id: WireId | None = None
    continue_at: float | None = None
    type: str | None = None
    source: str | None = None
    infill: bool | None = None

    def __post_init__(self) -> None:
        if self.id is not None and type(self.id) is not str:
            loosen(self, ids=("id",))


class ClipMetadata(msgspec.Struct, frozen=True, kw_only=True):
    """What a clip was generated from, and how long it is once complete (``duration``, seconds)."""

    tags: str | None = None
    prompt: str | None = None
    gpt_description_prompt: str | None = None
    audio_prompt_id: str | None = None
    history: list[ClipHistoryEntry] | None = None
    concat_history: list[ClipHistoryEntry] | None = None
    type: str | None = None
    duration: float | None = None
    refund_credits: bool | float | None = None
    stream: bool | None = None
    infill: bool | None = None
    has_vocal: bool | None = None
    is_audio_upload_tos_accepted: bool | None = None
    error_type: str | None = None
    error_message: str | None = None


class Clip(msgspec.Struct, frozen=True, kw_only=True):
    """A generated (or uploaded) piece of audio.

    ``status`` is kept as a (lower-case) string so a status newer than this library does not
    break decoding; compare it with :class:`ClipStatus` members. ``created_at`` is the provider's
    ISO-8601 text, kept as sent (parse it with ``datetime.fromisoformat`` if needed).
    """

    id: WireId
    status: str | None = None
    title: str | None = None
    audio_url: str | None = None
    video_url: str | None = None
    image_url: str | None = None
    image_large_url: str | None = None
    is_video_pending: bool | None = None
    major_model_version: str | None = None
    model_name: str | None = None
    metadata: ClipMetadata | None = None
    is_liked: bool | None = None
    user_id: str | None = None
    display_name: str | None = None
    handle: str | None = None
    is_handle_updated: bool | None = None
    avatar_image_url: str | None = None
    is_trashed: bool | None = None
    reaction: Any = None
    created_at: str | None = None
    play_count: int | None = None
    upvote_count: int | None = None
    is_public: bool | None = None

    def __post_init__(self) -> None:
        if type(self.id) is not str or (self.status is not None and self.status not in _CLIP):
            loosen(self, ids=("id",), status="status")

    @property
    def is_complete(self) -> bool:
        """True once the clip's final audio is available at ``audio_url``."""
        return self.status == ClipStatus.COMPLETE

    @property
    def duration(self) -> float | None:
        """Length of the audio in seconds, once known."""
        return self.metadata.duration if self.metadata is not None else None


class TaskKind(enum.StrEnum):
    """What a task does; decides what its result holds and how it is polled.

    ``upload``, ``training`` and ``generate`` are mountsea's tasks; ``music`` is a sunoapi
    generation (its clips, or a v3.0 task). mountsea's other tasks: ``lyrics``, ``persona`` (a
    voice persona), ``edit`` (audio edits and analysis: concat, remaster, speed, crop, fade,
    timing, downbeats, MIDI) and ``image``.
    """

    UPLOAD = "upload"
    TRAINING = "training"
    GENERATE = "generate"
    MUSIC = "music"
    LYRICS = "lyrics"
    PERSONA = "persona"
    EDIT = "edit"
    IMAGE = "image"
