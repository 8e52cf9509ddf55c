"""mountsea's usage and credits API, on its own host: ``GET /api-user/credits``,
``GET /api-user/services``, ``POST /api-user/usage/search`` and ``/api-user/points/search``.

The docs put it on ``https://dk.mountsea.ai`` with the key in an ``X-API-Key`` header or a
``?key=`` query parameter; this client sends the header (a key in a URL ends up in proxies'
logs and in aiohttp's error messages), besides the usual ``Authorization: Bearer``.
Whether the API key of ``api.mountsea.ai`` works there is not documented: the same key is used.
Which host: the client's ``usage_url`` option, else ``MOUNTSEA_USAGE_URL``, else
``https://dk.mountsea.ai`` for the production API and the ``base_url`` itself for any other
(the embedded emulator answers both sets of paths on one port).

The result schemas are not documented beyond ``{credits}`` and "paged records": the typed
results keep ``data``, the answer as sent.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any, Final

import msgspec

from suno_async._core._exceptions import ConfigError, ResponseValidationError
from suno_async._core._transport import Transport
from suno_async._core._validation import check_base_url, check_name, check_positive_int
from suno_async.mountsea import _constants as c
from suno_async.mountsea._task_results import ToolsBase

__all__ = ["AccountCredits", "UsageAPI", "UsagePage"]

_ANY: Final = msgspec.json.Decoder(Any)
_ENCODER: Final = msgspec.json.Encoder()


class AccountCredits(msgspec.Struct, frozen=True, kw_only=True):
    """``GET /api-user/credits``: the balance, and the answer as sent."""

    credits: float
    data: Any = None


class UsagePage(msgspec.Struct, frozen=True, kw_only=True):
    """One page of ``usage/search`` or ``points/search``: its ``records`` (each as sent),
    ``total`` when the answer says, and the answer as sent (``data``)."""

    page: int
    records: list[Any]
    total: int | None = None
    data: Any = None


class _DateRange(msgspec.Struct, frozen=True, kw_only=True):
    start: str
    end: str


class _SearchRequest(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    date_range: _DateRange
    page: int
    limit: int


def _records(answer: Any) -> tuple[list[Any], int | None]:
    """The records of a page and its total, wherever the answer keeps them."""
    holder = answer.get("data", answer) if isinstance(answer, dict) else answer
    if isinstance(holder, list):
        return holder, None
    if not isinstance(holder, dict):
        return [], None
    records: list[Any] = []
    for key in ("records", "list", "items", "rows", "data"):
        if isinstance(holder.get(key), list):
            records = holder[key]
            break
    total = holder.get("total", answer.get("total") if isinstance(answer, dict) else None)
    return records, total if isinstance(total, int) and not isinstance(total, bool) else None


class UsageAPI(ToolsBase):
    """Credits, services and usage of the account (another host; see the module docstring)."""

    _usage_url: str | None = None
    _usage: Transport | None = None

    def _usage_transport(self) -> Transport:
        core = self._core
        core.check_open()
        if self._usage is None or self._usage.closed:
            url = self._usage_url
            if url is None:
                env = os.environ.get(c.USAGE_URL_ENV, "").strip()
                if env:
                    url = check_base_url(env, allow_insecure_http=False)
                elif core.transport.base_url == c.DEFAULT_BASE_URL:
                    url = c.DEFAULT_USAGE_URL
                else:
                    url = core.transport.base_url
            self._usage = core.shared_transport(
                base_url=url, api_name="mountsea usage", key_header="X-API-Key"
            )
        return self._usage

    async def _usage_call(
        self, method: str, path: str, body: msgspec.Struct | None = None, *, safe: bool = True
    ) -> Any:
        transport = self._usage_transport()
        payload = None if body is None else _ENCODER.encode(body)
        return await transport.request(method, path, _ANY, body=payload, safe=safe)

    async def get_credits(self) -> AccountCredits:
        """``GET /api-user/credits``: the account's credit balance.

        Raises:
            ResponseValidationError: the answer has no number ``credits``.
        """
        answer = await self._usage_call("GET", "/api-user/credits")
        holder = answer.get("data", answer) if isinstance(answer, dict) else None
        if isinstance(holder, dict) and "credits" not in holder:
            holder = answer
        value = holder.get("credits") if isinstance(holder, dict) else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ResponseValidationError(
                "GET /api-user/credits answered without a number `credits`.",
                body=_ENCODER.encode(answer),
            )
        return AccountCredits(credits=value, data=answer)

    async def get_services(self) -> Any:
        """``GET /api-user/services``: the services of the account, as sent (no schema is
        documented)."""
        return await self._usage_call("GET", "/api-user/services")

    def usage_pages(
        self, start: str, end: str, *, kind: str = "usage", limit: int = 50
    ) -> AsyncIterator[UsagePage]:
        """``POST /api-user/usage/search`` (or ``points/search`` with ``kind="points"``) page
        after page, from page 1 until a page comes back short (or ``total`` is reached).

        ``start`` and ``end`` are dates as the provider takes them (``"2026-01-01"``).

        Raises:
            ConfigError: empty dates, an unknown kind or a ``limit`` below 1 (at once, before
                the first page is asked for).
        """
        date_range = _DateRange(start=check_name("start", start), end=check_name("end", end))
        if not isinstance(kind, str) or kind not in ("usage", "points"):
            raise ConfigError("kind must be 'usage' or 'points'.", argument="kind")
        return self._pages(date_range, kind, check_positive_int("limit", limit))

    async def _pages(
        self, date_range: _DateRange, kind: str, limit: int
    ) -> AsyncIterator[UsagePage]:
        seen, page = 0, 1
        while True:
            request = _SearchRequest(date_range=date_range, page=page, limit=limit)
            answer = await self._usage_call("POST", f"/api-user/{kind}/search", request)
            records, total = _records(answer)
            yield UsagePage(page=page, records=records, total=total, data=answer)
            seen += len(records)
            # The total, when the answer gives one, decides (a server may cap its pages below
            # ``limit``); without one, a short or empty page is the last.
            if not records or (seen >= total if total is not None else len(records) < limit):
                return
            page += 1

    def usage_records(
        self, start: str, end: str, *, kind: str = "usage", limit: int = 50
    ) -> AsyncIterator[Any]:
        """The records of :meth:`usage_pages`, one by one (each as sent)."""
        return self._records(self.usage_pages(start, end, kind=kind, limit=limit))

    @staticmethod
    async def _records(pages: AsyncIterator[UsagePage]) -> AsyncIterator[Any]:
        async for page in pages:
            for record in page.records:
                yield record
