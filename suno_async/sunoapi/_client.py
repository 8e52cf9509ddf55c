"""The sunoapi client: :class:`SunoapiClient` (v3.5 on the client, v3.0 under ``v30``, v1 under
``v1``, the balance and its reconciliation on the client)."""

from __future__ import annotations

from typing import Final, Unpack

from suno_async._core._base_client import ClientOptions
from suno_async._core._validation import check_positive_int
from suno_async.sunoapi import _constants as c
from suno_async.sunoapi._clips import ClipTracker
from suno_async.sunoapi._credits import CreditsAPI
from suno_async.sunoapi._v30 import SunoapiV30
from suno_async.sunoapi._v35 import V35API

__all__ = ["SunoapiClient"]


class SunoapiClient(V35API, CreditsAPI):
    """An asyncio client of sunoapi's v2 API (sunoapi.com): custom pure music, lyric songs, extend.

    The v3.5 calls answer at once with two clips still ``submitted``; follow them with
    :meth:`wait_for_clips` (all waits of one client share their lookups, batched by up to
    ``clip_batch_size`` ids per request). The v3.0 family is under :attr:`v30`, the v1 family
    (credits, songs with every field and webhooks, lyrics, stems) under :attr:`v1`
    (:class:`~suno_async.SunoapiV1`). :meth:`credits`, :meth:`budget_from_balance` and
    :meth:`reconcile` read the account's balance and compare it with what the client counted.

    Takes the same arguments as :class:`~suno_async.MountseaClient` (transport, retries, clock,
    limiter, a ``max_credits`` budget at 10 credits per create or extend), plus
    ``clip_batch_size``. The key defaults to ``SUNOAPI_API_KEY``, the base URL to
    ``SUNOAPI_BASE_URL``, then ``https://api.sunoapi.com``.

    Raises:
        ConfigError: no API key, a malformed base URL, or a non-positive number.
    """

    _api_name = "sunoapi.com"
    _key_env = c.API_KEY_ENV
    _url_env = c.BASE_URL_ENV
    _default_url = c.DEFAULT_BASE_URL

    def __init__(
        self, *, clip_batch_size: int = c.MAX_CLIP_IDS_PER_LOOKUP, **options: Unpack[ClientOptions]
    ) -> None:
        super().__init__(**options)
        check_positive_int("clip_batch_size", clip_batch_size)
        core = self._core
        self._tracker = ClipTracker(
            self.get_clips,
            clock=core.clock,
            limiter=lambda: core.poll_limiter,
            rng=core.rng,
            batch_size=clip_batch_size,
            pacer=core.pacer,
        )
        #: The v3.0 family: :class:`SunoapiV30`.
        self.v30: Final = SunoapiV30(core)
