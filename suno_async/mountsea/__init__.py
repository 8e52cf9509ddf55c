"""mountsea (api.mountsea.ai): the Suno v2 API with custom models.

:class:`MountseaClient` holds every endpoint group; its wire shapes are here too. Where each
part lives: custom models and training in ``_custom_model`` and ``_training``, generation in
``_generate``, task status and waits in ``_tasks``, wire shapes in ``_models``, input checks in
``_validation``, prices and limits in ``_constants``; lyrics/concat/playlists in ``_lyrics``,
uploads in ``_uploads``, voice personas in ``_persona``, audio edits and analysis in
``_audio_tools``, images in ``_media``, the generate schema, ``request()`` and ``task()`` in
``_schema``; task handles and their typed results in ``_task_results``.
"""

from suno_async.mountsea._client import MountseaClient
from suno_async.mountsea._constants import PRICES
from suno_async.mountsea._errors import NotEnoughClipsError
from suno_async.mountsea._models import (
    CUSTOM_MODEL_PREFIX,
    REQUIRED_GENERATE_FIELDS,
    STOCK_MODELS,
    Controls,
    CreateCustomModelRequest,
    CustomModel,
    GenerateRequest,
    GenerateTask,
    GenerationSnapshot,
    Persona,
    PrepareResponse,
    SoundSpec,
    TaskCreated,
    TaskSnapshot,
    TaskStatus,
    TimeRange,
    UploadRequest,
)
from suno_async.mountsea._results import GenerationResult, TrainingResult, UploadOutcome
from suno_async.mountsea._schema import TASK_KINDS
from suno_async.mountsea._task_results import (
    ClipsResult,
    EditResult,
    ImageItem,
    ImageResult,
    LyricsResult,
    MidiResult,
    PersonaStep,
    TaskResult,
    UploadResult,
    VoicePersonaTimeoutError,
)
from suno_async.mountsea._tool_models import SchemaField, TaskSchema
from suno_async.mountsea._uploads import UploadSession
from suno_async.mountsea._usage import AccountCredits, UsagePage

__all__ = [
    "CUSTOM_MODEL_PREFIX",
    "PRICES",
    "REQUIRED_GENERATE_FIELDS",
    "STOCK_MODELS",
    "TASK_KINDS",
    "AccountCredits",
    "ClipsResult",
    "Controls",
    "CreateCustomModelRequest",
    "CustomModel",
    "EditResult",
    "GenerateRequest",
    "GenerateTask",
    "GenerationResult",
    "GenerationSnapshot",
    "ImageItem",
    "ImageResult",
    "LyricsResult",
    "MidiResult",
    "MountseaClient",
    "NotEnoughClipsError",
    "Persona",
    "PersonaStep",
    "PrepareResponse",
    "SchemaField",
    "SoundSpec",
    "TaskCreated",
    "TaskResult",
    "TaskSchema",
    "TaskSnapshot",
    "TaskStatus",
    "TimeRange",
    "TrainingResult",
    "UploadOutcome",
    "UploadRequest",
    "UploadResult",
    "UploadSession",
    "UsagePage",
    "VoicePersonaTimeoutError",
]
