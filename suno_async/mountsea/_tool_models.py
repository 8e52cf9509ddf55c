"""Wire shapes of mountsea's endpoints besides generate and custom models (request bodies,
and the answers of the calls that answer at once).

As documented, lyrics, concat, playlist, voice persona and the audio tools take snake_case
bodies, and the upload endpoints camelCase ones. Bodies omit fields left
:data:`msgspec.UNSET`.
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

from suno_async._core._models import WireId, loosen

__all__ = [
    "AdjustSpeedRequest",
    "ClipRequest",
    "ConcatRequest",
    "CropRequest",
    "FadeRequest",
    "ImageRequest",
    "LyricsRequest",
    "PersonaCompleteRequest",
    "PersonaInitRequest",
    "PlaylistCreated",
    "PlaylistRequest",
    "RemasterRequest",
    "SchemaField",
    "SessionCreated",
    "SessionItemRequest",
    "StandaloneUploadRequest",
    "TaskSchema",
]


class LyricsRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Body of ``POST /suno/v2/lyrics``."""

    prompt: str
    lyrics_model: str = "default"


class ConcatRequest(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Body of ``POST /suno/v2/concat`` (``is_infill`` is always sent: it is required)."""

    clip_id: str
    is_infill: bool | UnsetType = UNSET
    edit_session_id: str | UnsetType = UNSET
    project_id: str | UnsetType = UNSET


class StandaloneUploadRequest(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """Body of ``POST /suno/v2/upload``."""

    audio_url: str


class SessionItemRequest(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """Body of ``POST /suno/v2/audio/upload/session/item``."""

    session_id: str
    audio_url: str


class SessionCreated(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """Answer of ``POST /suno/v2/audio/upload/session``."""

    session_id: WireId

    def __post_init__(self) -> None:
        loosen(self, ids=("session_id",))


class PlaylistRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Body of ``POST /suno/v2/playlist/create``."""

    clip_ids: list[str]
    name: str = "Untitled"


class PlaylistCreated(msgspec.Struct, frozen=True, kw_only=True):
    """Answer of ``POST /suno/v2/playlist/create``."""

    playlist_id: WireId

    def __post_init__(self) -> None:
        loosen(self, ids=("playlist_id",))


class PersonaInitRequest(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Body of ``POST /suno/v2/voicePersona/init``."""

    voice_audio_url: str
    language: str
    vocal_start_s: float | UnsetType = UNSET
    vocal_end_s: float | UnsetType = UNSET


class PersonaCompleteRequest(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Body of ``POST /suno/v2/voicePersona/complete`` (``taskId`` is camelCase, as
    documented; the other fields snake_case)."""

    task_id: str = msgspec.field(name="taskId")
    verification_audio_url: str
    name: str
    description: str | UnsetType = UNSET
    is_public: bool | UnsetType = UNSET
    image_s3_id: str | UnsetType = UNSET


class ClipRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Body of ``timing``, ``downbeats`` and ``mdi``: one clip."""

    clip_id: str


class RemasterRequest(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Body of ``POST /suno/v2/remaster``."""

    clip_id: str
    model_name: str
    variation_category: str | UnsetType = UNSET


class AdjustSpeedRequest(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Body of ``POST /suno/v2/adjustSpeed``."""

    clip_id: str
    speed_multiplier: float
    keep_pitch: bool | UnsetType = UNSET
    title: str | UnsetType = UNSET


class CropRequest(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Body of ``POST /suno/v2/audio/crop``."""

    clip_id: str
    crop_start_s: float
    crop_end_s: float
    is_crop_remove: bool | UnsetType = UNSET
    ui_surface: str | UnsetType = UNSET


class FadeRequest(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Body of ``POST /suno/v2/audio/fade``."""

    clip_id: str
    fade_in_time: float | UnsetType = UNSET
    fade_out_time: float | UnsetType = UNSET
    title: str | UnsetType = UNSET


class ImageRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Body of ``POST /suno/v2/image/generate``."""

    prompt: str
    image_gen_category: str = "basic"


class SchemaField(msgspec.Struct, frozen=True, kw_only=True):
    """One field of a generate task in ``GET /suno/v2/generate/schema``."""

    field: str
    description: str | None = None
    example: Any = None
    type: str | None = None


class TaskSchema(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """One generate task in ``GET /suno/v2/generate/schema``: its required and optional
    fields and those it does not allow."""

    task: str
    description: str | None = None
    required: list[SchemaField] = []
    optional: list[SchemaField] = []
    not_allowed: list[str] = []
    example: Any = None

    @property
    def fields(self) -> frozenset[str]:
        """Every field the task takes (required or optional)."""
        return frozenset(f.field for f in (*self.required, *self.optional))
