"""Wire shapes of sunoapi's v2 API (``/api/v2/suno/...``), snake_case throughout.

Two families answer differently:

* v3.5 answers a create or extend with the raw Suno generate object (:class:`GenerateBatch`),
  whose two clips are still ``submitted``; they are followed through ``clips?ids=``
  (:class:`ClipsResponse`).
* v3.0 wraps every answer as ``{code, data, message}`` (:class:`Envelope`); a create returns
  ``data.task_id`` (:class:`V30TaskRef`) and the task is followed through ``clip/{task_id}``
  (:class:`V30Task`, with clips keyed by id and ``input`` a JSON-encoded string).

Request bodies omit fields left :data:`msgspec.UNSET`. Responses ignore unknown fields.
"""

from __future__ import annotations

import enum
from typing import Final, Generic, TypeVar

import msgspec
from msgspec import UNSET, UnsetType

from suno_async._core._models import Clip, ClipMetadata, WireId, loosen

__all__ = [
    "ClipsResponse",
    "Envelope",
    "ExtendRequest",
    "GenerateBatch",
    "LyricsSongRequest",
    "PureMusicRequest",
    "RandomRequest",
    "V30Input",
    "V30Task",
    "V30TaskRef",
    "V30TaskStatus",
]

_T = TypeVar("_T")


class PureMusicRequest(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Body of ``custom/create-pure-music`` (v3.5 and v3.0): style tags and an optional title."""

    tags: str
    title: str | UnsetType = UNSET


class LyricsSongRequest(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Body of ``custom/create-lyrics-song``: lyrics (``prompt``), tags and an optional title."""

    prompt: str
    tags: str
    title: str | UnsetType = UNSET


class ExtendRequest(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Body of v3.5 ``extend``: continue ``continue_clip_id`` from ``continue_at`` seconds."""

    prompt: str
    tags: str
    continue_clip_id: str
    continue_at: float
    title: str | UnsetType = UNSET


class RandomRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Body of v3.0 ``random/create-*``: a free-text description of the song."""

    description: str


class GenerateBatch(msgspec.Struct, frozen=True, kw_only=True):
    """The v3.5 answer to a create or extend: a batch ``id`` and its clips (two).

    The clips are still ``submitted`` and have no audio yet; follow them with
    ``SunoapiClient.wait_for_clips``. The batch ``status`` says the batch was accepted, not
    that the clips are done; rely on each clip's own ``status``.
    """

    id: WireId
    clips: list[Clip]
    metadata: ClipMetadata | None = None
    major_model_version: str | None = None
    status: str | None = None
    created_at: str | None = None
    batch_size: int | None = None

    def __post_init__(self) -> None:
        loosen(self, ids=("id",), status="status")

    @property
    def clip_ids(self) -> list[str]:
        """The ids of the batch's clips, in order."""
        return [clip.id for clip in self.clips]


class ClipsResponse(msgspec.Struct, frozen=True, kw_only=True):
    """Answer of v3.5 ``GET clips?ids=``."""

    clips: list[Clip]


class Envelope(msgspec.Struct, Generic[_T], frozen=True, kw_only=True):
    """The v3.0 wrapper: ``code`` (the HTTP status), ``data`` and ``message``."""

    code: int
    data: _T | None = None
    message: str | None = None


class V30TaskRef(msgspec.Struct, frozen=True, kw_only=True):
    """``data`` of a v3.0 create: the task to follow."""

    task_id: WireId

    def __post_init__(self) -> None:
        loosen(self, ids=("task_id",))


class V30TaskStatus(enum.StrEnum):
    """v3.0 task statuses. Only ``completed`` is documented; the others follow the same shape
    in another vendor's docs and are this library's best reading."""

    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


V30_KNOWN_STATUSES: Final = frozenset(s.value for s in V30TaskStatus)


class V30Input(msgspec.Struct, frozen=True, kw_only=True):
    """What a v3.0 task was asked to make (decoded from its ``input`` string)."""

    custom_mode: bool | None = None
    gpt_description_prompt: str | None = None
    make_instrumental: bool | None = None
    prompt: str | None = None
    title: str | None = None
    continue_at: float | None = None
    continue_clip_id: str | None = None
    mv: str | None = None
    tags: str | None = None


_INPUT: Final = msgspec.json.Decoder(V30Input)


class V30Task(msgspec.Struct, frozen=True, kw_only=True):
    """``data`` of v3.0 ``GET clip/{task_id}``: the task's status and its clips by id."""

    task_id: WireId
    status: str
    input: str | None = None
    clips: dict[str, Clip] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        loosen(self, ids=("task_id",), status="status")

    @property
    def input_params(self) -> V30Input | None:
        """``input`` decoded, or ``None`` if it is absent or not the documented JSON."""
        if not self.input:
            return None
        try:
            return _INPUT.decode(self.input)
        except msgspec.DecodeError:
            return None
