"""What mountsea's workflows return: typed results that are also journal records."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final, Literal, TypeAlias

import msgspec

from suno_async._core._models import Clip

__all__ = [
    "CANCELLED_UPLOAD",
    "GenerationResult",
    "TrainingResult",
    "UploadOutcome",
    "UploadState",
    "not_enough_clips_message",
]

#: The ``error`` of an upload that was stopped, not failed: six clips were out of reach, so
#: the uploads still in flight were cancelled. The URL itself may be fine.
CANCELLED_UPLOAD: Final = "cancelled: six clips were out of reach"

#: What became of one audio URL of a training (see :attr:`UploadOutcome.state`).
UploadState: TypeAlias = Literal["uploaded", "failed", "cancelled", "unused"]


class UploadOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """What became of one audio URL: its clip id, the error that stopped it, or nothing at all
    for a spare that was not needed (``attempts == 0``).

    ``task_ids`` lists the upload task of every attempt, in order. :attr:`state` sums it up.
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

    @property
    def state(self) -> UploadState:
        """``"uploaded"`` (it produced a clip), ``"failed"`` (it was tried and failed: replace
        it), ``"cancelled"`` (stopped while in flight because six clips were out of reach: it
        may be fine) or ``"unused"`` (a spare that was never uploaded)."""
        if self.clip_id is not None:
            return "uploaded"
        if self.error is None:
            return "unused"
        if self.error == CANCELLED_UPLOAD:
            return "cancelled"
        return "failed"


class TrainingResult(msgspec.Struct, frozen=True, kw_only=True):
    """A trained custom model: pass ``model_id`` as ``model`` to generate.

    ``model_id`` is ``chirp-custom:<uuid>``; ``name`` the model's name; ``session_id`` the
    custom-model session (equal to ``task_id``, the training task). ``outcomes`` has one entry
    per audio URL, in the order given: the clips trained on, the URLs that failed and why, and
    the spares that were not needed.
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

    @property
    def uploads(self) -> int:
        """How many upload requests the run made (every attempt of every URL); each costs the
        provider's upload fee, which mountsea does not publish."""
        return sum(len(o.task_ids) for o in self.outcomes)


class GenerationResult(msgspec.Struct, frozen=True, kw_only=True):
    """A finished generation and where its audio was saved (``files`` in clip order)."""

    task_id: str
    clips: list[Clip]
    files: list[Path]

    @property
    def paths(self) -> list[Path]:
        """The same as ``files`` (kept for code written when ``files`` held strings)."""
        return list(self.files)


def not_enough_clips_message(outcomes: Sequence[UploadOutcome], required: int) -> str:
    """The message of :class:`~suno_async.NotEnoughClipsError`: how many clips came out, then
    the URLs by what became of them: failed (replace them), cancelled (they may be fine) and
    unused spares."""
    by_state: dict[UploadState, list[UploadOutcome]] = {
        "uploaded": [],
        "failed": [],
        "cancelled": [],
        "unused": [],
    }
    for outcome in outcomes:
        by_state[outcome.state].append(outcome)
    parts = [
        f"only {len(by_state['uploaded'])} of {len(outcomes)} URLs produced a clip, and "
        f"training needs {required}; customModel/create was not sent (no credits spent on it)."
    ]
    if by_state["failed"]:
        failures = "; ".join(
            f"{o.url}: {(o.error or 'failed').rstrip('.')}" for o in by_state["failed"]
        )
        parts.append(f"Failed (replace these): {failures}.")
    if by_state["cancelled"]:
        urls = ", ".join(o.url for o in by_state["cancelled"])
        parts.append(
            f"Cancelled once {required} clips were out of reach (these may be fine): {urls}."
        )
    if by_state["unused"]:
        parts.append(f"Not tried: {', '.join(o.url for o in by_state['unused'])}.")
    parts.append("Replace the failed URLs (or add spares) and train again.")
    return " ".join(parts)
