"""sunoapi (api.sunoapi.com): Suno v2 with the v3.5 and v3.0 families, and the v1 family.

:class:`SunoapiClient` holds the v3.5 calls and, under ``v30``, :class:`SunoapiV30`, and
under ``v1``, :class:`SunoapiV1`. Where each part lives: v3.5 in ``_v35``, v3.0 in ``_v30``, v1
in ``_v1`` (its wire shapes in ``_v1_models``), webhooks in ``_webhooks``, the balance and its
reconciliation in ``_credits``, the batched clip follower in ``_clips``, how answers are read in
``_answers``, wire shapes in ``_models``, input limits in ``_validation`` and ``_constants``.
"""

from suno_async.sunoapi._client import SunoapiClient
from suno_async.sunoapi._credits import CreditsReport
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
from suno_async.sunoapi._v1 import LYRICS_SCHEDULE, WEBHOOK_SAFETY_NET, SunoapiV1
from suno_async.sunoapi._v1_models import (
    Credits,
    Lyrics,
    V1Clip,
    V1CreateRequest,
    V1LyricsRequest,
    V1State,
    V1StemsRequest,
    V1Task,
)
from suno_async.sunoapi._v30 import SunoapiV30
from suno_async.sunoapi._webhooks import WebhookError, WebhookEvent, WebhookReceiver, WebhookStats

__all__ = [
    "LYRICS_SCHEDULE",
    "WEBHOOK_SAFETY_NET",
    "ClipsResponse",
    "Credits",
    "CreditsReport",
    "Envelope",
    "ExtendRequest",
    "GenerateBatch",
    "Lyrics",
    "LyricsSongRequest",
    "PureMusicRequest",
    "RandomRequest",
    "SunoapiClient",
    "SunoapiV1",
    "SunoapiV30",
    "V1Clip",
    "V1CreateRequest",
    "V1LyricsRequest",
    "V1State",
    "V1StemsRequest",
    "V1Task",
    "V30Input",
    "V30Task",
    "V30TaskRef",
    "V30TaskStatus",
    "WebhookError",
    "WebhookEvent",
    "WebhookReceiver",
    "WebhookStats",
]
