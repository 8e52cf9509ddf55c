"""What mountsea's workflows return: typed results that are also journal records."""

from __future__ import annotations

import anyio
import msgspec

from suno_async._core._models import Clip

__all__ = ["GenerationResult", "TrainingResult", "UploadOutcome"]


class UploadOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """What became of one audio URL: its clip id, the error that stopped it, or nothing at all
    for a spare that was not needed (``attempts == 0``).

    ``task_ids`` lists the upload task of every attempt, in order.
    """

    url: str
    clip_id: str | None
    task_ids: tuple[str, ...] = ()
    attempts: int = 0
    error: str | None = None
    fail_code: int | str | None = None

    @property
    def ok(self) -> bool:
        """True if the URL produced a clip."""
        return self.clip_id is not None

    @property
    def skipped(self) -> bool:
        """True for a spare URL that was never uploaded because it was not needed."""
        return self.clip_id is None and self.error is None


class TrainingResult(msgspec.Struct, frozen=True, kw_only=True):
    """A trained custom model: pass ``model_id`` as ``model`` to generate.

    ``outcomes`` has one entry per audio URL, in the order given: the clips trained on, the
    URLs that failed and why, and the spares that were not needed.
    """

    model_id: str
    name: str
    session_id: str
    task_id: str
    outcomes: tuple[UploadOutcome, ...]

    @property
    def clip_ids(self) -> tuple[str, ...]:
        """The clip ids the model was trained on, in URL order."""
        return tuple(o.clip_id for o in self.outcomes if o.clip_id is not None)

    @property
    def failed(self) -> tuple[UploadOutcome, ...]:
        """The URLs that were tried and produced no clip."""
        return tuple(o for o in self.outcomes if o.clip_id is None and not o.skipped)


class GenerationResult(msgspec.Struct, frozen=True, kw_only=True):
    """A finished generation and where its audio was saved (``files`` in clip order)."""

    task_id: str
    clips: list[Clip]
    files: list[str]

    @property
    def paths(self) -> list[anyio.Path]:
        """``files`` as paths."""
        return [anyio.Path(f) for f in self.files]
