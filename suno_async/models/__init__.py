"""msgspec Structs for every request and response on the wire."""

from suno_async.models.clip import Clip, ClipHistoryEntry, ClipMetadata, ClipStatus
from suno_async.models.common import TaskKind
from suno_async.models.mountsea import (
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

__all__ = [
    "CUSTOM_MODEL_PREFIX",
    "REQUIRED_GENERATE_FIELDS",
    "STOCK_MODELS",
    "Clip",
    "ClipHistoryEntry",
    "ClipMetadata",
    "ClipStatus",
    "Controls",
    "CreateCustomModelRequest",
    "CustomModel",
    "GenerateRequest",
    "GenerateTask",
    "GenerationSnapshot",
    "Persona",
    "PrepareResponse",
    "SoundSpec",
    "TaskCreated",
    "TaskKind",
    "TaskSnapshot",
    "TaskStatus",
    "TimeRange",
    "UploadRequest",
]
