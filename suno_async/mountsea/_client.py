"""The mountsea client: :class:`MountseaClient`, every endpoint group in one object."""

from __future__ import annotations

from collections.abc import Collection
from typing import Unpack

from suno_async._core._base_client import ClientOptions
from suno_async.mountsea import _constants as c
from suno_async.mountsea._custom_model import CustomModelAPI
from suno_async.mountsea._generate import GenerateAPI
from suno_async.mountsea._validation import check_extra_models

__all__ = ["MountseaClient"]


class MountseaClient(CustomModelAPI, GenerateAPI):
    """An asyncio client of mountsea's Suno v2 API (``/suno/v2/...``).

    Its endpoints come in groups, one module each: custom models and training
    (:mod:`suno_async.mountsea._custom_model`), generation (:mod:`._generate`) and task status
    (:mod:`._tasks`).

    Use it as ``async with MountseaClient() as client: ...``; it keeps one aiohttp session for every
    call and closes it on exit (a session passed in by the caller is left open). A closed client
    cannot be reopened.

    Args:
        api_key: the Bearer key; defaults to the ``MOUNTSEA_API_KEY`` environment variable.
        base_url: defaults to ``MOUNTSEA_BASE_URL``, then ``https://api.mountsea.ai``. Plain http is
            refused for hosts other than loopback unless ``allow_insecure_http`` is true.
        session: an aiohttp session to use instead of the client's own.
        timeout: seconds allowed for one API request; ``connect_timeout`` for its connection.
        max_retries: retries of a request that failed in a way worth retrying (see
            :class:`RetryPolicy`; ``retry`` replaces the whole policy).
        max_concurrent_polls: status requests in flight at once across all waits.
        max_polls_per_second: a cap on status requests per second across all waits (off by
            default); it trades detection lag for load on the provider.
        poll_schedules: per kind of task, replaces the default :class:`PollSchedule`.
        clock: where waits read the time and sleep; a :class:`VirtualClock` shared with the
            embedded emulator makes tests instant.
        max_credits: a budget: a call whose known cost (create 100, generate 40) would take
            :attr:`credits_spent` past it raises :class:`CreditBudgetError` before any request.
        extra_models: model names to accept besides the stock ones this release knows (for a
            model the provider adds later); any other unknown model is refused before sending.

    Raises:
        ConfigError: no API key, a malformed base URL, or a non-positive number.
    """

    _api_name = "mountsea"
    _key_env = c.API_KEY_ENV
    _url_env = c.BASE_URL_ENV
    _default_url = c.DEFAULT_BASE_URL

    def __init__(
        self, *, extra_models: Collection[str] = (), **options: Unpack[ClientOptions]
    ) -> None:
        self._extra_models = check_extra_models(extra_models)
        super().__init__(**options)
