"""The mountsea client: :class:`MountseaClient`, every endpoint group in one object."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Unpack

from suno_async._core._base_client import ClientOptions
from suno_async._core._exceptions import ConfigError
from suno_async._core._validation import check_base_url, check_bool
from suno_async.mountsea import _constants as c
from suno_async.mountsea._audio_tools import AudioToolsAPI
from suno_async.mountsea._custom_model import CustomModelAPI
from suno_async.mountsea._generate import GenerateAPI
from suno_async.mountsea._lyrics import LyricsAPI
from suno_async.mountsea._media import MediaAPI
from suno_async.mountsea._persona import PersonaAPI
from suno_async.mountsea._schema import SchemaAPI
from suno_async.mountsea._uploads import UploadsAPI
from suno_async.mountsea._usage import UsageAPI
from suno_async.mountsea._validation import check_extra_models

__all__ = ["MountseaClient"]


def _check_prices(prices: Mapping[str, int] | None) -> dict[str, int]:
    if prices is None:
        return {}
    if not isinstance(prices, Mapping):
        raise ConfigError("prices must be a dict of credits by endpoint.", argument="prices")
    checked: dict[str, int] = {}
    for key, value in prices.items():
        if not isinstance(key, str) or key not in c.PRICES:
            raise ConfigError(
                f"prices: unknown endpoint {key!r}; use one of {', '.join(c.PRICES)}.",
                argument="prices",
            )
        if key == "customModel/create":
            raise ConfigError(
                f"prices: customModel/create costs {c.CREATE_CUSTOM_MODEL_COST} credits (a "
                "documented price the training workflow counts with); leave it out.",
                argument="prices",
            )
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(
                f"prices[{key!r}] must be a whole number of credits >= 0, got {value!r}.",
                argument="prices",
            )
        checked[key] = value
    return checked


class MountseaClient(
    CustomModelAPI,
    GenerateAPI,
    LyricsAPI,
    UploadsAPI,
    PersonaAPI,
    AudioToolsAPI,
    MediaAPI,
    SchemaAPI,
    UsageAPI,
):
    """An asyncio client of mountsea's Suno v2 API (``/suno/v2/...``).

    Its endpoints come in groups, one module each: custom models and training
    (:mod:`suno_async.mountsea._custom_model`), generation (:mod:`._generate`) and task status
    (:mod:`._tasks`), lyrics, concat and playlists (:mod:`._lyrics`), uploads and upload sessions
    (:mod:`._uploads`), voice personas (:mod:`._persona`), audio edits and analysis
    (:mod:`._audio_tools`), images (:mod:`._media`), the generate schema, :meth:`request` and
    :meth:`task` (:mod:`._schema`). Asynchronous calls return a :class:`TaskHandle`.

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
        extra_models: model names to accept besides the stock ones this release knows.
        allow_unknown_models: which models this release does not know are sent, with a
            warning: ``None`` (the default) those named like the provider's (``chirp-v60``),
            so a newer model works without a release while a typo (``chrip-v50``) fails before
            sending; ``True`` any name; ``False`` none but ``extra_models``.
        check_schema: ``True``: fetch the provider's ``GET /suno/v2/generate/schema`` once
            (before the first generate) and check every generate against it; ``None`` (the
            default): only generates with ``extra_body`` (fields the built-in table cannot
            judge); ``False``: never. The built-in table is always applied, and is all there
            is when the schema cannot be fetched.
        usage_url: the host of the usage and credits API (:meth:`get_credits`,
            :meth:`usage_records`); defaults to ``MOUNTSEA_USAGE_URL``, then
            ``https://dk.mountsea.ai`` for the production API and ``base_url`` otherwise.
        prices: credits per endpoint (keys as in :data:`suno_async.mountsea.PRICES`, e.g.
            ``{"lyrics": 2, "generate:sound": 40}``), over the documented prices: a call of
            known price is counted in :attr:`credits_spent` and held to ``max_credits``; one
            of unknown price is sent uncounted.

    Raises:
        ConfigError: no API key, a malformed base URL, or a non-positive number.
    """

    _api_name = "mountsea"
    _key_env = c.API_KEY_ENV
    _url_env = c.BASE_URL_ENV
    _default_url = c.DEFAULT_BASE_URL

    def __init__(
        self,
        *,
        extra_models: Collection[str] = (),
        prices: Mapping[str, int] | None = None,
        allow_unknown_models: bool | None = None,
        check_schema: bool | None = None,
        usage_url: str | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        if usage_url is not None:
            try:
                self._usage_url = check_base_url(usage_url, allow_insecure_http=False)
            except ConfigError as exc:
                message = str(exc).replace("base_url", "usage_url")
                raise ConfigError(message, argument="usage_url") from None
        self._extra_models = check_extra_models(extra_models)
        self._prices = _check_prices(prices)
        if allow_unknown_models is not None:
            check_bool("allow_unknown_models", allow_unknown_models)
        self._allow_unknown_models = allow_unknown_models
        self._check_schema = (
            None if check_schema is None else check_bool("check_schema", check_schema)
        )
        super().__init__(**options)
