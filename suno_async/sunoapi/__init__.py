"""sunoapi (api.sunoapi.com): Suno v2 with the v3.5 and v3.0 families.

:class:`SunoapiClient` holds the v3.5 calls and, under ``v30``, :class:`SunoapiV30`. Where each
part lives: v3.5 in ``_v35``, v3.0 in ``_v30``, the batched clip follower in ``_clips``, how
answers are read in ``_answers``, wire shapes in ``_models``, input limits in ``_validation``
and ``_constants``.
"""

from suno_async.sunoapi._client import SunoapiClient
from suno_async.sunoapi._models import (
    ClipsResponse,
    Envelope,
    ExtendRequest,
    GenerateBatch,
    LyricsSongRequest,
    PureMusicRequest,
    RandomRequest,
    V30Input,
    V30Task,
    V30TaskRef,
    V30TaskStatus,
)
from suno_async.sunoapi._v30 import SunoapiV30

__all__ = [
    "ClipsResponse",
    "Envelope",
    "ExtendRequest",
    "GenerateBatch",
    "LyricsSongRequest",
    "PureMusicRequest",
    "RandomRequest",
    "SunoapiClient",
    "SunoapiV30",
    "V30Input",
    "V30Task",
    "V30TaskRef",
    "V30TaskStatus",
]
