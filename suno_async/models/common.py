"""Names shared by both providers' models."""

from __future__ import annotations

import enum

__all__ = ["TaskKind"]


class TaskKind(enum.StrEnum):
    """What a task does; decides what its result holds and how it is polled.

    ``upload``, ``training`` and ``generate`` are the custom-model provider's tasks; ``music``
    is a sunoapi.com generation (its clips, or a v3.0 task).
    """

    UPLOAD = "upload"
    TRAINING = "training"
    GENERATE = "generate"
    MUSIC = "music"
