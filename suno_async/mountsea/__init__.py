"""mountsea (api.mountsea.ai): the Suno v2 API with custom models.

:class:`MountseaClient` holds every endpoint group; its wire shapes are here too. Where each
part lives: custom models and training in ``_custom_model`` and ``_training``, generation in
``_generate``, task status and waits in ``_tasks``, wire shapes in ``_models``, input checks in
``_validation``, prices and limits in ``_constants``.
"""

from suno_async.mountsea._client import MountseaClient
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

__all__ = [
    "CUSTOM_MODEL_PREFIX",
    "REQUIRED_GENERATE_FIELDS",
    "STOCK_MODELS",
    "Controls",
    "CreateCustomModelRequest",
    "CustomModel",
    "GenerateRequest",
    "GenerateTask",
    "GenerationResult",
    "GenerationSnapshot",
    "MountseaClient",
    "NotEnoughClipsError",
    "Persona",
    "PrepareResponse",
    "SoundSpec",
    "TaskCreated",
    "TaskSnapshot",
    "TaskStatus",
    "TimeRange",
    "TrainingResult",
    "UploadOutcome",
    "UploadRequest",
]
