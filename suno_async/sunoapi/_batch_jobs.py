"""sunoapi's batch job: custom pure music (v3.5) from tags and a title, its two clips followed
until complete. See :func:`suno_async.run_batch`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import msgspec

from suno_async._core._batch import JobContext, JobResult
from suno_async._core._events import GenerationSubmitted, emit, reporting_spending
from suno_async._core._exceptions import (
    AmbiguousSubmitError,
    APIConnectionError,
    APIStatusError,
    ConfigError,
    CreditBudgetError,
    TaskFailedError,
    TaskTimeoutError,
)
from suno_async._core._journal import JOURNAL_VERSION, Journal, Submission
from suno_async._core._models import Clip
from suno_async.sunoapi._models import PureMusicRequest
from suno_async.sunoapi._validation import check_style

if TYPE_CHECKING:
    from suno_async.sunoapi._client import SunoapiClient

__all__ = ["PureMusicJob", "PureMusicJournal"]


class PureMusicJournal(msgspec.Struct, kw_only=True):
    """What a pure-music job has done: the request, whether it was sent, the batch and its
    clips."""

    version: int = JOURNAL_VERSION
    kind: Literal["pure_music"] = "pure_music"
    tags: str
    title: str | None = None
    submit: Submission = "none"
    task_id: str | None = None
    clip_ids: list[str] | None = None
    clips: list[Clip] | None = None

    def identity(self) -> tuple[object, ...]:
        """The run's inputs: tags and title."""
        return ("pure_music", self.tags, self.title)


class PureMusicJob(
    msgspec.Struct, frozen=True, kw_only=True, tag="pure_music", forbid_unknown_fields=True
):
    """sunoapi custom pure music (v3.5) from style ``tags`` and an optional ``title``;
    ``key`` names the job in its store (default: a hash of tags and title)."""

    provider: ClassVar[str] = "sunoapi"
    key: str | None = None
    tags: str
    title: str | None = None

    async def run(
        self,
        client: SunoapiClient,
        open_journal: Callable[[Any], Journal[Any]],
        context: JobContext,
    ) -> JobResult:
        """Create the music (journaled), follow both clips to complete, download them into
        ``context.directory`` if set. A create the journal shows as sent without an answer is
        not sent again unless ``context.resend_if_ambiguous``; clips that failed are created
        again on the next run.

        Raises:
            ConfigError: empty tags, or tags or title over the provider's limits.
            AmbiguousSubmitError / ClipFailedError / TaskTimeoutError: as for
                :meth:`SunoapiClient.pure_music`.
        """
        check_style(self.tags, self.title)
        journal: Journal[PureMusicJournal] = open_journal(
            PureMusicJournal(tags=self.tags, title=self.title)
        )
        state = journal.state

        def record(**changes: object) -> None:
            for name, value in changes.items():
                setattr(state, name, value)
            journal.save()

        if state.submit != "submitted" or not state.clip_ids:
            if state.submit == "sending" and not context.resend_if_ambiguous:
                raise AmbiguousSubmitError(
                    f"journal {journal.where} shows this music was being created when the run "
                    "stopped, and no answer was recorded: it may be under way (and billed). "
                    "Allow re-sending it (resend_if_ambiguous) to create it again.",
                    method="POST",
                    url="/api/v3.5/custom/create-pure-music",
                    endpoint="custom/create-pure-music",
                    body_sent=msgspec.json.encode(
                        PureMusicRequest(**check_style(self.tags, self.title))
                    ),
                )
            record(submit="sending", task_id=None, clip_ids=None, clips=None)
            try:
                with reporting_spending(context.on_event):
                    batch = await client.create_pure_music(
                        self.tags, self.title, resend_if_ambiguous=context.resend_if_ambiguous
                    )
            except AmbiguousSubmitError:
                raise
            except (ConfigError, CreditBudgetError, APIStatusError, APIConnectionError):
                record(submit="none")  # the failure proves nothing was sent or accepted
                raise
            record(submit="submitted", task_id=str(batch.id), clip_ids=list(batch.clip_ids))
            await emit(context.on_event, GenerationSubmitted(task_id=str(batch.id), model="v3.5"))
        task_id, clip_ids = state.task_id or "", state.clip_ids or []
        clips = state.clips
        if not clips:
            try:
                clips = await client.wait_for_clips(
                    clip_ids, timeout=context.timeout, on_event=context.on_event
                )
            except TaskFailedError:
                record(submit="failed")
                raise
            except TaskTimeoutError as exc:
                if exc.server_side:
                    record(submit="failed")
                raise
            record(clips=clips)
        files: list[str] = []
        if context.directory is not None:
            paths = await client.download_clips(clips, context.directory, on_event=context.on_event)
            files = [str(path) for path in paths]
        return JobResult(task_id=task_id, clips=clips, files=files)
