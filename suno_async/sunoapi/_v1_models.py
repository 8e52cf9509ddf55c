"""Wire shapes of sunoapi's v1 family (``/api/v1/...``, api-notes B.8 and B.9), snake_case.

* ``GET get-credits`` answers ``{credits, extra_credits}`` (:class:`Credits`).
* ``POST suno/create``, ``suno/make-lyrics``, ``suno/stems/basic`` and ``suno/stems/full``
  answer a task id; the docs show it as ``{code, data: {task_id}, message}`` (make-lyrics) and,
  cut short, as ``{"message": "success", "t...`` (stems), so a top-level ``task_id`` is read too.
* ``GET suno/task/{task_id}`` answers ``{code, data: [item, ...]}``: the task's songs (create),
  tracks (stems) or lyrics (make-lyrics), each a :class:`V1Clip` with its own ``state``
  (:class:`V1Task` holds them).

The docs give the items' fields only for songs (get-suno-music and the webhook guide's sample:
``clip_id``, ``state``, ``title``, ``tags``, ``lyrics``, ``image_url``, ``audio_url``,
``video_url``, ``created_at``, ``gpt_description_prompt``, ``duration`` (a string of seconds),
``negative_tags``, ``style_weight``, ``weirdness_constraint``, ``mv``). Lyrics and stems tasks
have no documented result schema: their items are read with the same fields (lyrics as ``text``
or ``lyrics``, a track's name in ``title``), and every answer keeps its ``data`` as sent in
:attr:`V1Task.raw`. Unknown fields are ignored; states are kept lower-case and ids as strings.

Request bodies omit the fields left :data:`msgspec.UNSET`.
"""

from __future__ import annotations

import enum
import math
from typing import Final

import msgspec
from msgspec import UNSET, UnsetType

from suno_async._core._models import WireId, loosen

__all__ = [
    "V1_KNOWN_STATES",
    "Credits",
    "Lyrics",
    "V1Clip",
    "V1CreateRequest",
    "V1LyricsRequest",
    "V1State",
    "V1StemsRequest",
    "V1Task",
]


class V1State(enum.StrEnum):
    """A v1 item's ``state``. ``succeeded`` is documented (get-suno-music), and ``failed`` as
    the other final state webhooks fire on (webhook guide); the mirror's guide adds
    ``streaming``. ``pending``, ``queued`` and ``running`` are this library's reading of the
    states before those; any other state is treated as still in progress."""

    PENDING = "pending"
    QUEUED = "queued"
    RUNNING = "running"
    STREAMING = "streaming"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


V1_KNOWN_STATES: Final = frozenset(s.value for s in V1State)


class Credits(msgspec.Struct, frozen=True, kw_only=True):
    """The account's balance (``GET /api/v1/get-credits``): subscription ``credits`` and
    one-time ``extra_credits``; :attr:`total` is what can still be spent."""

    credits: int
    extra_credits: int = 0

    @property
    def total(self) -> int:
        """``credits + extra_credits``."""
        return self.credits + self.extra_credits


class V1CreateRequest(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Body of ``POST /api/v1/suno/create`` (every documented field).

    Its ``repr`` hides ``webhook_secret``.
    """

    custom_mode: bool
    mv: str | UnsetType = UNSET
    prompt: str | UnsetType = UNSET
    tags: str | UnsetType = UNSET
    title: str | UnsetType = UNSET
    make_instrumental: bool | UnsetType = UNSET
    gpt_description_prompt: str | UnsetType = UNSET
    webhook_url: str | UnsetType = UNSET
    webhook_secret: str | UnsetType = UNSET

    def __repr__(self) -> str:
        shown = []
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if value is UNSET:
                continue
            shown.append(f"{name}=<hidden>" if name == "webhook_secret" else f"{name}={value!r}")
        return f"V1CreateRequest({', '.join(shown)})"


class V1LyricsRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Body of ``POST /api/v1/suno/make-lyrics``: what the lyrics are about."""

    prompt: str


class V1StemsRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Body of ``POST /api/v1/suno/stems/basic`` and ``stems/full``: the song to split."""

    clip_id: str


class V1Clip(msgspec.Struct, frozen=True, kw_only=True):
    """One item of a v1 task: a song (create), a track (stems) or lyrics (make-lyrics).

    ``state`` is a lower-case string (compare it with :class:`V1State`); ``duration`` is kept as
    sent (the docs' sample sends a string, ``"104.88"``): read :attr:`seconds`. A lyrics item's
    text is ``text`` (or ``lyrics``); a stems track's name is in ``title``. ``error_message``
    is read where a failed item has one (the docs show none).
    """

    clip_id: WireId | None = None
    state: str | None = None
    title: str | None = None
    tags: str | None = None
    lyrics: str | None = None
    text: str | None = None
    image_url: str | None = None
    audio_url: str | None = None
    video_url: str | None = None
    created_at: str | None = None
    gpt_description_prompt: str | None = None
    duration: float | str | None = None
    negative_tags: str | None = None
    style_weight: float | str | None = None
    weirdness_constraint: float | str | None = None
    mv: str | None = None
    error_message: str | None = None

    def __post_init__(self) -> None:
        loosen(self, ids=("clip_id",), status="state")

    @property
    def seconds(self) -> float | None:
        """``duration`` as a number of seconds, once known (``None`` if absent or unreadable)."""
        value = self.duration
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                return None
        return value if value is not None and math.isfinite(value) else None

    @property
    def succeeded(self) -> bool:
        """True once the item is done (state ``succeeded``)."""
        return self.state == V1State.SUCCEEDED


class V1Task(msgspec.Struct, frozen=True, kw_only=True):
    """A v1 task as ``GET /api/v1/suno/task/{task_id}`` (or a webhook delivery) shows it.

    ``clips`` are its items in the order sent; ``raw`` is the answer's ``data`` as sent (JSON
    bytes), for the fields this library does not read (lyrics and stems have no documented
    schema). :attr:`status` sums the items up.
    """

    task_id: str
    clips: list[V1Clip] = msgspec.field(default_factory=list)
    raw: bytes = b"null"

    @property
    def status(self) -> str:
        """``"failed"`` if an item failed, ``"succeeded"`` once every item did, ``"pending"``
        while there is none, else the state of the first item not done yet."""
        if not self.clips:
            return V1State.PENDING.value
        if any(clip.state == V1State.FAILED for clip in self.clips):
            return V1State.FAILED.value
        for clip in self.clips:
            if not clip.succeeded:
                return clip.state or V1State.PENDING.value
        return V1State.SUCCEEDED.value

    def data(self) -> object:
        """``raw`` decoded: the answer's ``data`` as plain JSON values."""
        return msgspec.json.decode(self.raw)


class Lyrics(msgspec.Struct, frozen=True, kw_only=True):
    """Lyrics written by ``make-lyrics``: a ``title`` and the ``text`` (sections such as
    ``[Verse]``)."""

    title: str
    text: str
