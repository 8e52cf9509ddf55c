"""mountsea's own errors, in the library's one hierarchy (drawn in
:mod:`suno_async._core._exceptions`)."""

from __future__ import annotations

from collections.abc import Sequence

from suno_async._core._exceptions import WorkflowError
from suno_async.mountsea._results import UploadOutcome

__all__ = ["NotEnoughClipsError"]


class NotEnoughClipsError(WorkflowError):
    """Fewer clips uploaded successfully than training needs; ``customModel/create`` was not sent.

    ``session_id`` is the session the uploads went to, ``outcomes`` one entry per audio URL
    (with the clip id or the error), ``required`` the minimum.
    """

    def __init__(
        self,
        message: str,
        *,
        session_id: str,
        outcomes: Sequence[UploadOutcome],
        required: int,
    ) -> None:
        super().__init__(message)
        self.session_id = session_id
        self.outcomes = tuple(outcomes)
        self.required = required

    @property
    def succeeded(self) -> int:
        """How many URLs produced a clip id."""
        return sum(1 for o in self.outcomes if o.clip_id is not None)
