"""Wire shapes of mountsea's Suno v2 API (``/suno/v2/...``).

Naming on the wire is mixed, as documented: custom-model bodies and every response are
camelCase (``sessionId``, ``taskId``, ``failReason``); ``generate`` bodies are snake_case
(``make_instrumental``, ``clip_id``). In Python every field is snake_case.

Request bodies omit fields left :data:`msgspec.UNSET`, so only what the caller set is sent.
Responses ignore fields they do not know.
"""

from __future__ import annotations

import enum
from typing import Any, Final, Literal, TypeVar

import msgspec
from msgspec import UNSET, UnsetType

from suno_async._core._models import Clip, WireId, loosen

_T = TypeVar("_T")

__all__ = [
    "Controls",
    "CreateCustomModelRequest",
    "CustomModel",
    "GenerateRequest",
    "GenerateTask",
    "GenerationSnapshot",
    "Persona",
    "PrepareResponse",
    "SoundSpec",
    "TaskCreated",
    "TaskSnapshot",
    "TaskStatus",
    "TimeRange",
    "UploadRequest",
]


class TaskStatus(enum.StrEnum):
    """Documented values of ``status`` in ``GET /suno/v2/status``.

    ``queued`` and ``ready`` wait for a worker; ``running`` and ``stream`` are in progress;
    ``awaiting`` waits for the caller (a voice persona's ``complete``, within 30 s), so waits
    return there; ``success``, ``failed`` and ``timeout`` are final.
    """

    QUEUED = "queued"
    READY = "ready"
    RUNNING = "running"
    STREAM = "stream"
    AWAITING = "awaiting"
    SUCCESS = "success"
    FAILED = "failed"
    TIMEOUT = "timeout"

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL


_TERMINAL: Final = frozenset({TaskStatus.SUCCESS, TaskStatus.FAILED, TaskStatus.TIMEOUT})
#: The documented statuses, as sent: nothing to normalise (the hot path of decoding).
_STATUSES: Final = frozenset(status.value for status in TaskStatus)


class GenerateTask(enum.StrEnum):
    """The fifteen task types of ``POST /suno/v2/generate``."""

    CREATE = "create"
    EXTEND = "extend"
    UPLOAD_EXTEND = "upload_extend"
    UPLOAD_COVER = "upload_cover"
    COVER = "cover"
    USE_STYLES_LYRICS = "use_styles_lyrics"
    REPLACE_SECTION = "replace_section"
    ADD_INSTRUMENTAL = "add_instrumental"
    ADD_VOCALS = "add_vocals"
    GEN_STEM_TWO = "gen_stem_two"
    GEN_STEM_ALL = "gen_stem_all"
    MASHUP = "mashup"
    SAMPLE = "sample"
    INSPIRATION = "inspiration"
    SOUND = "sound"


class PrepareResponse(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """Answer of ``POST /suno/v2/customModel/prepare``."""

    session_id: WireId

    def __post_init__(self) -> None:
        if type(self.session_id) is not str:  # the usual answer needs no second look
            loosen(self, ids=("session_id",))


class TaskCreated(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """Answer of every call that starts an asynchronous task (HTTP 201, or 200)."""

    task_id: WireId

    def __post_init__(self) -> None:
        if type(self.task_id) is not str:  # the usual answer needs no second look
            loosen(self, ids=("task_id",))


class UploadRequest(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """Body of ``POST /suno/v2/customModel/upload``: one publicly downloadable audio URL."""

    session_id: str
    audio_url: str


class CreateCustomModelRequest(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """Body of ``POST /suno/v2/customModel/create``: at least six clip ids of this session."""

    session_id: str
    clip_ids: list[str]
    name: str


class CustomModel(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """``data`` of a finished training task: the model to pass as ``model`` to generate.

    The provider documents only that the result holds the model id (``chirp-custom:<uuid>``);
    the other fields are optional.
    """

    id: str
    name: str | None = None
    session_id: WireId | None = None
    clip_ids: list[WireId] | None = None
    created_at: str | None = None

    def __post_init__(self) -> None:
        loosen(self, ids=("session_id", "clip_ids"))


class TaskSnapshot(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """One answer of ``GET /suno/v2/status``.

    ``status`` is a lower-case string (``SUCCESS`` from a server arrives as ``success``): a
    value newer than this library decodes fine and is treated as still in progress.
    ``fail_code`` is an ``int`` when the server sends digits (as a number or a string).
    ``data`` stays undecoded until asked for with :meth:`data_as`, because its shape depends on
    the kind of task (a clip for an upload, a :class:`CustomModel` for a training, a list of
    :class:`Clip` for a generation). ``created_at`` and ``finish_at`` are the provider's
    ISO-8601 text (or a number, should it send epoch time), kept as sent so an
    unexpected format cannot break a wait.
    """

    task_id: WireId
    status: str
    created_at: str | float | None = None
    finish_at: str | float | None = None
    fail_reason: str | None = None
    fail_code: int | str | None = None
    data: msgspec.Raw = msgspec.Raw(b"null")

    def __post_init__(self) -> None:
        if (
            type(self.task_id) is not str
            or self.status not in _STATUSES
            or type(self.fail_code) is str
        ):
            loosen(self, ids=("task_id",), status="status", fail_code="fail_code")

    @property
    def known_status(self) -> TaskStatus | None:
        """The status as a :class:`TaskStatus`, or ``None`` if this library does not know it."""
        try:
            return TaskStatus(self.status)
        except ValueError:
            return None

    @property
    def is_terminal(self) -> bool:
        """True for ``success``, ``failed`` and ``timeout``."""
        return self.status in _TERMINAL

    def data_as(self, type_: type[_T]) -> _T:
        """Decode ``data`` as ``type_``.

        Raises:
            msgspec.ValidationError: ``data`` does not have that shape.
        """
        decoder = _DATA_DECODERS.get(type_)
        if decoder is None:
            decoder = _DATA_DECODERS[type_] = msgspec.json.Decoder(type_)
        result: _T = decoder.decode(self.data)
        return result


_DATA_DECODERS: dict[Any, msgspec.json.Decoder[Any]] = {}


class GenerationSnapshot(TaskSnapshot, frozen=True, kw_only=True, rename="camel"):
    """A generate task's status with its clips decoded in the same pass (``data`` is the list of
    clips while it streams and once it succeeded; ``{}`` or absent before)."""

    # Narrower than the base's raw data on purpose: one decoding pass instead of two.
    data: list[Clip] | dict[str, Any] | None = None  # type: ignore[assignment]

    @property
    def clips(self) -> list[Clip]:
        """The clips in ``data`` (empty before there are any)."""
        return self.data if isinstance(self.data, list) else []

    def data_as(self, type_: type[_T]) -> _T:
        """``data`` converted to ``type_``."""
        return msgspec.convert(self.data, type_)


class TimeRange(msgspec.Struct, frozen=True, kw_only=True):
    """A stretch of a clip, in seconds from its start (``end_s >= start_s``)."""

    start_s: float
    end_s: float


class Persona(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A voice persona to sing with (``persona_style`` e.g. ``"vox"``)."""

    persona_id: str
    artist_clip_id: str | UnsetType = UNSET
    persona_style: str | UnsetType = UNSET


class Controls(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Fine controls, each between 0 and 1; the provider picks a default for any left unset."""

    style_weight: float | UnsetType = UNSET
    audio_weight: float | UnsetType = UNSET
    weirdness_constraint: float | UnsetType = UNSET


class SoundSpec(msgspec.Struct, frozen=True, kw_only=True):
    """What to make for ``task="sound"`` (``type`` is always sent, as in the documented example)."""

    description: str
    type: str = "one_shot"
    key: str | UnsetType = UNSET
    bpm: float | UnsetType = UNSET


class GenerateRequest(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Body of ``POST /suno/v2/generate`` (snake_case on the wire).

    Which fields each ``task`` needs is in :data:`suno_async.mountsea.REQUIRED_GENERATE_FIELDS`;
    the client checks them before sending.
    """

    task: GenerateTask
    model: str
    make_instrumental: bool | UnsetType = UNSET
    prompt: str | UnsetType = UNSET
    gpt_description_prompt: str | UnsetType = UNSET
    tags: str | list[str] | UnsetType = UNSET
    negative_tags: str | list[str] | UnsetType = UNSET
    title: str | UnsetType = UNSET
    clip_id: str | UnsetType = UNSET
    continue_at: float | UnsetType = UNSET
    range: TimeRange | UnsetType = UNSET
    infill_context_range: TimeRange | UnsetType = UNSET
    continued_aligned_prompt: str | UnsetType = UNSET
    infill_lyrics: str | UnsetType = UNSET
    infill_type: str | UnsetType = UNSET
    persona: Persona | UnsetType = UNSET
    controls: Controls | UnsetType = UNSET
    vocal_gender: Literal["m", "f"] | UnsetType = UNSET
    audio_url: str | UnsetType = UNSET
    mashup_clip_ids: list[str] | UnsetType = UNSET
    playlist_id: str | UnsetType = UNSET
    playlist_clip_ids: list[str] | UnsetType = UNSET
    sound: SoundSpec | UnsetType = UNSET


#: Fields each generate task must carry, as documented by the provider.
REQUIRED_GENERATE_FIELDS: Final[dict[GenerateTask, tuple[str, ...]]] = {
    GenerateTask.CREATE: ("model",),
    GenerateTask.EXTEND: ("clip_id", "model"),
    GenerateTask.UPLOAD_EXTEND: ("audio_url", "model"),
    GenerateTask.UPLOAD_COVER: ("audio_url", "model"),
    GenerateTask.COVER: ("clip_id", "model"),
    GenerateTask.USE_STYLES_LYRICS: ("clip_id", "model"),
    GenerateTask.REPLACE_SECTION: (
        "clip_id",
        "range",
        "infill_context_range",
        "continued_aligned_prompt",
        "model",
    ),
    GenerateTask.ADD_INSTRUMENTAL: ("clip_id", "range", "model"),
    GenerateTask.ADD_VOCALS: ("clip_id", "range", "model"),
    GenerateTask.GEN_STEM_TWO: ("clip_id", "model"),
    GenerateTask.GEN_STEM_ALL: ("clip_id", "model"),
    GenerateTask.MASHUP: ("mashup_clip_ids", "model"),
    GenerateTask.SAMPLE: ("clip_id", "range", "model"),
    GenerateTask.INSPIRATION: ("playlist_id", "model"),
    GenerateTask.SOUND: ("sound", "model"),
}

#: Stock models of the generate endpoint; ``chirp-custom:<uuid>`` names a trained custom model.
STOCK_MODELS: Final = frozenset(
    {"chirp-v35", "chirp-v40", "chirp-v45", "chirp-45+", "chirp-v45-lite", "chirp-v50", "chirp-v55"}
)
CUSTOM_MODEL_PREFIX: Final = "chirp-custom:"


def custom_model(model_id: str) -> str:
    """The ``model`` to generate with a trained custom model: ``chirp-custom:<uuid>`` (a bare
    id gets the prefix)."""
    return model_id if model_id.startswith(CUSTOM_MODEL_PREFIX) else CUSTOM_MODEL_PREFIX + model_id
