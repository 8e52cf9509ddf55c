"""mountsea's batch jobs: a generation (any task, any fields), and a custom model trained from
audio URLs then generating with it. See :func:`suno_async.run_batch`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal

import msgspec

from suno_async._core._batch import JobContext, JobResult
from suno_async._core._journal import JOURNAL_VERSION, Journal, PartJournal
from suno_async.mountsea import _constants as c
from suno_async.mountsea._journals import GenerationJournal, TrainingJournal
from suno_async.mountsea._models import CUSTOM_MODEL_PREFIX, custom_model
from suno_async.mountsea._training import train_custom_model

if TYPE_CHECKING:
    from suno_async.mountsea._client import MountseaClient

__all__ = ["GenerateJob", "TrainAndGenerateJob", "TrainAndGenerateJournal"]

JournalOpener = Callable[[Any], Journal[Any]]
#: A custom model name of the right shape, to check generate fields before the model exists.
_ANY_CUSTOM: Final = CUSTOM_MODEL_PREFIX + "00000000-0000-4000-8000-000000000000"


class GenerateJob(msgspec.Struct, frozen=True, kw_only=True, tag="generate"):
    """A mountsea generation: ``fields`` are those of :meth:`MountseaClient.generate`
    (``task``, ``model``, ``tags``, ``prompt``, ...; ``task`` defaults to ``create`` and
    ``model`` as there). ``key`` names the job in its store (default: a hash of the fields)."""

    provider: ClassVar[str] = "mountsea"
    key: str | None = None
    fields: dict[str, Any]

    async def run(
        self, client: MountseaClient, open_journal: JournalOpener, context: JobContext
    ) -> JobResult:
        """Generate (journaled), wait, and download into ``context.directory`` if set.

        Raises:
            ConfigError: the fields are not a valid generate request.
        """
        checked = client._checked_fields({"task": "create", **self.fields})
        journal = open_journal(GenerationJournal(request=msgspec.to_builtins(checked)))
        result = await client._journaled_generation(
            checked,
            journal,
            directory=context.directory,
            resend_if_ambiguous=context.resend_if_ambiguous,
            timeout=context.timeout,
            on_event=context.on_event,
        )
        return JobResult(
            task_id=result.task_id, clips=result.clips, files=[str(p) for p in result.files]
        )


class TrainAndGenerateJournal(msgspec.Struct, kw_only=True):
    """A train-then-generate job's journal: the training's, then the generation's."""

    version: int = JOURNAL_VERSION
    kind: Literal["train_generate"] = "train_generate"
    train: TrainingJournal
    generate: GenerationJournal | None = None

    def identity(self) -> tuple[object, ...]:
        """The training's inputs (the generation's are checked on their own)."""
        return ("train_generate", *self.train.identity())


class TrainAndGenerateJob(msgspec.Struct, frozen=True, kw_only=True, tag="train_generate"):
    """Train a mountsea custom model called ``name`` on ``audio_urls`` (``clip_count`` of them,
    default six), then, if ``generate`` holds generate fields, generate with the model
    (``model`` is set to ``chirp-custom:<model id>``; ``task`` defaults to ``create``)."""

    provider: ClassVar[str] = "mountsea"
    key: str | None = None
    name: str
    audio_urls: list[str]
    clip_count: int = c.MIN_TRAINING_CLIPS
    generate: dict[str, Any] | None = None

    async def run(
        self, client: MountseaClient, open_journal: JournalOpener, context: JobContext
    ) -> JobResult:
        """Train (journaled: uploads, create), then generate (journaled) and download.

        Raises:
            ConfigError: bad URLs, name, clip count or generate fields.
        """
        if self.generate is not None:
            # Wrong generate fields are refused before the training is paid for.
            client._checked_fields({"task": "create", **self.generate, "model": _ANY_CUSTOM})
        fresh_training = TrainingJournal(
            name=self.name, audio_urls=list(self.audio_urls), clip_count=self.clip_count
        )
        whole = open_journal(TrainAndGenerateJournal(train=fresh_training))
        state: TrainAndGenerateJournal = whole.state
        training = await train_custom_model(
            client,
            client._core,
            self.audio_urls,
            name=self.name,
            clip_count=self.clip_count,
            max_concurrent_uploads=c.DEFAULT_MAX_CONCURRENT_UPLOADS,
            upload_attempts=c.DEFAULT_UPLOAD_ATTEMPTS,
            journal=PartJournal(whole, state.train),
            resend_if_ambiguous=context.resend_if_ambiguous,
            on_event=context.on_event,
        )
        if self.generate is None:
            return JobResult(task_id=training.task_id, clips=[], model_id=training.model_id)
        fields = {"task": "create", **self.generate, "model": custom_model(training.model_id)}
        checked = client._checked_fields(fields)
        fresh = GenerationJournal(request=msgspec.to_builtins(checked))
        if state.generate is None:
            state.generate = fresh
            whole.save()
        result = await client._journaled_generation(
            checked,
            Journal.open(PartJournal(whole, state.generate), fresh),
            directory=context.directory,
            resend_if_ambiguous=context.resend_if_ambiguous,
            timeout=context.timeout,
            on_event=context.on_event,
        )
        return JobResult(
            task_id=result.task_id,
            clips=result.clips,
            files=[str(p) for p in result.files],
            model_id=training.model_id,
        )
