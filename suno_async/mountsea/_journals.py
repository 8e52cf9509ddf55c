"""mountsea's journal records: what a training run and a generate-and-download run have done.

The file format and its atomic writes are :mod:`suno_async._core._journal`'s.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from suno_async._core._journal import JOURNAL_VERSION, Submission
from suno_async._core._models import Clip
from suno_async.mountsea._results import UploadOutcome

__all__ = ["GenerationJournal", "TrainingJournal"]


class TrainingJournal(msgspec.Struct, kw_only=True):
    """What a training run has done so far."""

    version: int = JOURNAL_VERSION
    kind: Literal["train"] = "train"
    name: str
    audio_urls: list[str]
    clip_count: int
    session_id: str | None = None
    uploads: dict[str, UploadOutcome] = msgspec.field(default_factory=dict)
    create: Submission = "none"
    #: What the session's status showed before create was first sent (see ``_training``).
    create_baseline: str | None = None
    task_id: str | None = None
    model_id: str | None = None

    def identity(self) -> tuple[object, ...]:
        """The run's inputs: the name, the URLs and how many clips to train on."""
        return ("train", self.name, tuple(self.audio_urls), self.clip_count)


class GenerationJournal(msgspec.Struct, kw_only=True):
    """What a generate-and-download run has done so far (``request`` as sent, JSON)."""

    version: int = JOURNAL_VERSION
    kind: Literal["generate"] = "generate"
    request: dict[str, object]
    submit: Submission = "none"
    task_id: str | None = None
    clips: list[Clip] | None = None
    downloads: dict[str, str] = msgspec.field(default_factory=dict)

    def identity(self) -> tuple[object, ...]:
        """The run's input: the request as sent."""
        return ("generate", msgspec.json.encode(self.request))
