"""suno_async: an asyncio-native client for Suno-style music-generation HTTP APIs.

Start with :class:`MountseaClient` (mountsea) or :class:`SunoapiClient` (sunoapi). Every public
name is re-exported here; the modules behind them are private.

Module map (import contracts in ``pyproject.toml`` keep these boundaries):

* ``suno_async/_core/``: imports no provider.

  - ``_transport``: the only aiohttp importer; sends, maps failures to errors, and judges
    every answer (the paid-call rule: an unclear answer to paid work is ambiguous).
  - ``_retry``: the retry rule and the one retry loop (sleeps on the client's clock).
  - ``_exceptions``: the error tree, drawn in its docstring.
  - ``_base_client``: ``BaseClient`` (lifecycle, stats, downloads) and ``ClientCore``, the
    only surface providers use (call, paid call, settle, poll).
  - ``_handles``: ``TaskHandle``, a task by id to look at or wait for (racing a pushed
    result, such as a webhook, against polling).
  - ``_polling`` (schedules, pacer, poll loop), ``_clock``, ``_events``, ``_stream``,
    ``_journal``, ``_budget``, ``_downloads``, ``_validation`` (input primitives), ``_models``
    (the Suno clip), ``_audio``, ``_constants``.

* ``suno_async/mountsea/``: ``MountseaClient`` in ``_client``; one module per group of the
  provider's docs: custom models in ``_custom_model`` (workflow in ``_training``), generate in
  ``_generate``, task status and waits in ``_tasks``, lyrics/concat/playlists in ``_lyrics``,
  uploads in ``_uploads``, voice personas in ``_persona``, audio edits and analysis in
  ``_audio_tools``, images in ``_media``, the generate schema, ``request()`` and ``task()`` in
  ``_schema``, the usage host in ``_usage``; task handles and typed results in
  ``_task_results``; wire shapes in ``_models`` and ``_tool_models``; limits and prices in
  ``_constants`` and ``_validation``.
* ``suno_async/sunoapi/``: ``SunoapiClient`` in ``_client``; v3.5 in ``_v35``, v3.0 in ``_v30``,
  v1 (credits, create with webhooks, lyrics, stems) in ``_v1`` with its wire shapes in
  ``_v1_models``, the webhook receiver in ``_webhooks``, the balance and its reconciliation in
  ``_credits``, the batched clip follower in ``_clips``, how answers are read in ``_answers``;
  wire shapes in ``_models``; limits in ``_constants`` and ``_validation``.
* ``suno_async/batch/``: batches (``run_batch``, rows from CSV/JSON Lines in ``_rows``); the
  runner and the SQLite job store are in the core (``_core/_batch``, ``_core/_store``), the job
  kinds in each provider (``_batch_jobs``).
* ``suno_async/cli/``: the ``suno-async`` command: one module per command group, the emulator
  command among them, progress, exit codes, the demo.
* ``suno_async/emulator/``: the embedded emulator: shared server, state, faults and audio, and
  one route set per provider (``mountsea``, ``sunoapi``). Not imported by the library.
* ``suno_async/testing.py``: the pytest plugin.
"""

from suno_async._core._clock import Clock, SystemClock, VirtualClock
from suno_async._core._events import (
    CreditsSpent,
    DownloadFinished,
    Event,
    EventHandler,
    GenerationFinished,
    GenerationStreaming,
    GenerationSubmitted,
    SessionPrepared,
    TaskStatusChanged,
    TrainingFinished,
    TrainingSubmitted,
    UploadFailed,
    UploadFinished,
    UploadSubmitted,
)
from suno_async._core._exceptions import (
    AmbiguousSubmitError,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ClipFailedError,
    ConfigError,
    ConflictError,
    CreditBudgetError,
    InsufficientCreditsError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    StoreBusyError,
    SunoError,
    TaskError,
    TaskFailedError,
    TaskTimeoutError,
    WorkflowError,
    WrongBaseURLError,
)
from suno_async._core._handles import TaskHandle
from suno_async._core._models import Clip, ClipHistoryEntry, ClipMetadata, ClipStatus, TaskKind
from suno_async._core._polling import DEFAULT_SCHEDULES, PollSchedule
from suno_async._core._retry import RequestStats, RetryPolicy
from suno_async._core._stream import EventStream, stream_events
from suno_async._version import __version__
from suno_async.batch import (
    BatchEvent,
    BatchEventHandler,
    BatchJob,
    BatchProgress,
    BatchSummary,
    GenerateJob,
    JobRecord,
    JobResult,
    JobStore,
    PureMusicJob,
    RowError,
    RowEvent,
    RowFinished,
    Totals,
    TrainAndGenerateJob,
    export_results,
    read_rows,
    retry_batch,
    run_batch,
)
from suno_async.mountsea import (
    AccountCredits,
    ClipsResult,
    Controls,
    CustomModel,
    EditResult,
    GenerateRequest,
    GenerateTask,
    GenerationResult,
    ImageItem,
    ImageResult,
    LyricsResult,
    MidiResult,
    MountseaClient,
    NotEnoughClipsError,
    Persona,
    PersonaStep,
    SchemaField,
    SoundSpec,
    TaskResult,
    TaskSchema,
    TaskSnapshot,
    TaskStatus,
    TimeRange,
    TrainingResult,
    UploadOutcome,
    UploadResult,
    UploadSession,
    UsagePage,
)
from suno_async.sunoapi import (
    Credits,
    CreditsReport,
    GenerateBatch,
    Lyrics,
    SunoapiClient,
    SunoapiV1,
    SunoapiV30,
    V1Clip,
    V1State,
    V1Task,
    V30Input,
    V30Task,
    V30TaskStatus,
    WebhookError,
    WebhookEvent,
    WebhookReceiver,
    WebhookStats,
)
from suno_async.sunoapi._clips import WaitUntil

__all__ = [
    "DEFAULT_SCHEDULES",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AccountCredits",
    "AmbiguousSubmitError",
    "AuthenticationError",
    "BadRequestError",
    "BatchEvent",
    "BatchEventHandler",
    "BatchJob",
    "BatchProgress",
    "BatchSummary",
    "ClientClosedError",
    "Clip",
    "ClipFailedError",
    "ClipHistoryEntry",
    "ClipMetadata",
    "ClipStatus",
    "ClipsResult",
    "Clock",
    "ConfigError",
    "ConflictError",
    "Controls",
    "CreditBudgetError",
    "Credits",
    "CreditsReport",
    "CreditsSpent",
    "CustomModel",
    "DownloadFinished",
    "EditResult",
    "Event",
    "EventHandler",
    "EventStream",
    "GenerateBatch",
    "GenerateJob",
    "GenerateRequest",
    "GenerateTask",
    "GenerationFinished",
    "GenerationResult",
    "GenerationStreaming",
    "GenerationSubmitted",
    "ImageItem",
    "ImageResult",
    "InsufficientCreditsError",
    "InternalServerError",
    "JobRecord",
    "JobResult",
    "JobStore",
    "Lyrics",
    "LyricsResult",
    "MidiResult",
    "MountseaClient",
    "NotEnoughClipsError",
    "NotFoundError",
    "PermissionDeniedError",
    "Persona",
    "PersonaStep",
    "PollSchedule",
    "PureMusicJob",
    "RateLimitError",
    "RequestStats",
    "ResponseValidationError",
    "RetryPolicy",
    "RowError",
    "RowEvent",
    "RowFinished",
    "SchemaField",
    "SessionPrepared",
    "SoundSpec",
    "StoreBusyError",
    "SunoError",
    "SunoapiClient",
    "SunoapiV1",
    "SunoapiV30",
    "SystemClock",
    "TaskError",
    "TaskFailedError",
    "TaskHandle",
    "TaskKind",
    "TaskResult",
    "TaskSchema",
    "TaskSnapshot",
    "TaskStatus",
    "TaskStatusChanged",
    "TaskTimeoutError",
    "TimeRange",
    "Totals",
    "TrainAndGenerateJob",
    "TrainingFinished",
    "TrainingResult",
    "TrainingSubmitted",
    "UploadFailed",
    "UploadFinished",
    "UploadOutcome",
    "UploadResult",
    "UploadSession",
    "UploadSubmitted",
    "UsagePage",
    "V1Clip",
    "V1State",
    "V1Task",
    "V30Input",
    "V30Task",
    "V30TaskStatus",
    "VirtualClock",
    "WaitUntil",
    "WebhookError",
    "WebhookEvent",
    "WebhookReceiver",
    "WebhookStats",
    "WorkflowError",
    "WrongBaseURLError",
    "__version__",
    "export_results",
    "read_rows",
    "retry_batch",
    "run_batch",
    "stream_events",
]
