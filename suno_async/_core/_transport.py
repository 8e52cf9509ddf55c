"""The only module that talks to aiohttp: send a request, map failures, judge the answer.

Every answer of every provider is judged here by one table, whatever the provider's envelope
(an error ``code`` inside a 2xx body, which a provider's decoder reports by raising
:class:`AnswerStatus`, is judged like the same HTTP status). For a request that starts paid
work, the question is what the answer *proves*:

================================================  =================  =======================
Answer to a paid request                          Proves             Outcome
================================================  =================  =======================
2xx with the documented answer                    accepted           result; counted spent
any 4xx (400, 401, 402, 403, 404, 409, 422 ...)   not done           its status error
408, 429 (with or without ``Retry-After``)        not done           retried, then its error
503 (with or without ``Retry-After``)             not done           retried, then its error
501, 505                                          not done           its status error
the first answers of a base URL that is not the   not done           :class:`WrongBaseURLError`
API (a 2xx, 405 or 501 whose body is neither JSON
nor says so nor ends in JSON, before the URL
answered JSON)
no connection could be opened                     not done           retried, then its error
500, 502, 504 and every other 5xx                 unknown            ``AmbiguousSubmitError``
the answer was lost after the request was sent    unknown            ``AmbiguousSubmitError``
a 2xx cut off, damaged, or JSON without the       unknown            ``AmbiguousSubmitError``
documented shape (so its task id is unknown)
================================================  =================  =======================

"Not done" answers are never counted against the budget; "unknown" ones are counted as
uncertain (see :mod:`suno_async._core._budget`) and never re-sent unless the caller asked
(``resend_if_ambiguous``). A safe request (a status lookup, a download) is retried on every
failure worth repeating, and a 5xx to it is an :class:`~suno_async.InternalServerError`.

Retries follow :mod:`suno_async._core._retry` and sleep on the client's clock.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import random
import re
import time
from collections.abc import Coroutine, Mapping
from datetime import UTC, datetime
from typing import Any, Final, Protocol, TypeVar

import aiohttp
import anyio
import msgspec

from suno_async._core import _constants as c
from suno_async._core._audio import looks_like
from suno_async._core._clock import Clock
from suno_async._core._exceptions import (
    AmbiguousSubmitError,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConflictError,
    InsufficientCreditsError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    WrongBaseURLError,
)
from suno_async._core._retry import (
    RequestStats,
    RetryPolicy,
    give_up_paid,
    give_up_safe,
    retry_call,
)

__all__ = ["AnswerDecoder", "AnswerStatus", "BaseURLState", "Transport"]

logger = logging.getLogger("suno_async")

_T = TypeVar("_T")
_T_co = TypeVar("_T_co", covariant=True)


class AnswerDecoder(Protocol[_T_co]):
    """Turns a 2xx body into a result (a ``msgspec.json.Decoder`` is one).

    It raises ``msgspec.ValidationError`` (or ``DecodeError``) for a body without the documented
    shape, and :class:`AnswerStatus` for an error a provider reports inside a 2xx body.
    """

    def decode(self, buf: bytes, /) -> _T_co:
        """The result carried by ``buf``."""
        ...


class AnswerStatus(Exception):
    """An error status carried inside a 2xx body (``{"code": 402, "message": ...}``)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _ErrorBody(msgspec.Struct, frozen=True):
    """The error bodies seen in the wild: NestJS ``{statusCode, message, error}``, or
    ``{code, message}``, or ``{detail}``."""

    message: str | list[str] | None = None
    error: str | dict[str, Any] | None = None
    detail: str | None = None


_ERROR_DECODER: Final = msgspec.json.Decoder(_ErrorBody)

#: 5xx answers to a paid request that prove the work was not done: the server does not
#: implement the request (501, 505) or is not taking work now (503).
NOT_DONE_5XX: Final = frozenset({501, 503, 505})
#: Statuses that, as a web page instead of the API's JSON, mean the base URL is not the API.
#: (Not 404: a framework's plain "404: Not Found" may be the API's own "no such task".)
_NOT_API_STATUSES: Final = frozenset({405, 501})

_STATUS_ERRORS: Final[Mapping[int, type[APIStatusError]]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: InsufficientCreditsError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}

_HINTS: Final[Mapping[type[APIStatusError], str]] = {
    BadRequestError: "Fix the request's arguments; sending it again unchanged will fail again.",
    AuthenticationError: "Check the API key (the api_key argument, or MOUNTSEA_API_KEY / "
    "SUNOAPI_API_KEY for the client in use).",
    InsufficientCreditsError: "Top up the account's credits, then call again.",
    PermissionDeniedError: "This key or account may not do this.",
    NotFoundError: "Check the id and the base URL.",
    ConflictError: "The work was already submitted; wait for it instead of submitting again.",
    RateLimitError: "Slow down; the client retries after Retry-After by itself.",
    InternalServerError: "The provider failed; try again later.",
}


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), or ``None``."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _provider_message(body: bytes) -> str | None:
    try:
        parsed = _ERROR_DECODER.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError):
        text = body[:200].decode("utf-8", "replace").strip()
        return text or None
    message = parsed.message
    if isinstance(message, list):
        message = "; ".join(message)
    if message:
        return message
    if isinstance(parsed.error, dict):
        inner = parsed.error.get("message")
        return str(inner) if inner else None
    return parsed.error or parsed.detail


#: The shortest API key hidden from error answers that echo it.
_MIN_HIDDEN: Final = 8


def status_error(
    status: int,
    reason: str,
    body: bytes,
    headers: Mapping[str, str],
    method: str,
    url: str,
    *,
    secret: bytes = b"",
) -> APIStatusError:
    """Map an HTTP error answer to the matching :class:`APIStatusError` subclass; ``secret``
    (the API key) is hidden wherever the answer echoes it (a "key" shorter than
    :data:`_MIN_HIDDEN` characters, a test's ``"k"``, would hide pieces of words instead)."""
    if len(secret) >= _MIN_HIDDEN and secret in body:
        body = body.replace(secret, b"<hidden>")
    provider_message = _provider_message(body)
    cls = _STATUS_ERRORS.get(status)
    if cls is None:
        cls = InternalServerError if status >= 500 else APIStatusError
    if cls is PermissionDeniedError and provider_message and "credit" in provider_message.lower():
        cls = InsufficientCreditsError
    retry_after = parse_retry_after(headers.get("Retry-After"))
    message = f"{method} {url} answered {status} {reason}".rstrip()
    if provider_message:
        message += f": {provider_message.rstrip('.')}"
    hint = _HINTS.get(cls)
    if hint:
        message += f". {hint}"
    return cls(
        message,
        status_code=status,
        body=body,
        provider_message=provider_message,
        retry_after=retry_after,
        method=method,
        url=url,
    )


def shape_error(
    method: str, path: str, body: bytes, exc: msgspec.ValidationError
) -> ResponseValidationError:
    """The error for an answer that is valid JSON but not the documented shape."""
    return ResponseValidationError(
        f"{method} {path}: the answer did not have the documented shape ({exc}).",
        body=body,
        method=method,
        url=path,
    )


def connection_error(
    exc: BaseException,
    *,
    method: str,
    url: str,
    safe: bool,
    body_sent: bytes | None = None,
) -> APIConnectionError | AmbiguousSubmitError:
    """Map an aiohttp or OS failure to the library's connection errors (or, for a paid request
    that may have arrived, :class:`AmbiguousSubmitError`)."""
    if isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
        # The connection was never opened: the request cannot have reached the server.
        if isinstance(exc, aiohttp.ConnectionTimeoutError):
            return APITimeoutError(
                f"{method} {url}: timed out connecting. Check the network and base URL.",
                method=method,
                url=url,
            )
        return APIConnectionError(
            f"{method} {url}: could not connect ({exc.os_error.strerror or exc}). "
            "Check the network and base URL.",
            method=method,
            url=url,
        )
    if not safe:
        return AmbiguousSubmitError(
            f"{method} {url}: the request may have reached the server but no answer arrived "
            f"({type(exc).__name__}). It was not sent again, to avoid paying twice; look the "
            "work up before retrying.",
            method=method,
            url=url,
            endpoint=url,
            body_sent=body_sent,
        )
    if isinstance(exc, TimeoutError):
        return APITimeoutError(
            f"{method} {url}: no answer within the timeout.", method=method, url=url
        )
    # aiohttp's own text of a ClientResponseError holds the whole URL, query included:
    # only its status and message are shown.
    said = f"{exc.status}, {exc.message}" if isinstance(exc, aiohttp.ClientResponseError) else exc
    return APIConnectionError(
        f"{method} {url}: connection failed ({type(exc).__name__}: {said}).",
        method=method,
        url=url,
    )


class BaseURLState:
    """What a base URL has shown about itself: whether it has answered JSON yet."""

    __slots__ = ("answered_json",)

    def __init__(self) -> None:
        self.answered_json = False


class Transport:
    """Sends requests to one API base URL with one key, over one aiohttp session.

    The key goes only into the ``Authorization`` header (and ``key_header``, if given) of
    requests to ``base_url``, never into a URL; it never appears in a log line, a repr or an
    error. Redirects are not followed for API calls.
    """

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        session: aiohttp.ClientSession | None,
        timeout: float,
        connect_timeout: float,
        retry: RetryPolicy,
        clock: Clock,
        api_name: str = "provider",
        url_env: str = "",
        key_header: str | None = None,
    ) -> None:
        self.base_url = base_url
        self._api_name = api_name
        self._url_env = url_env
        # Whether this base URL has answered like an API (JSON) yet: until it has, a web page
        # or a non-JSON answer means the base URL is wrong (see the module docstring). Shared
        # by transports that send to the same base URL (``with_options`` copies).
        self.base_url_state = BaseURLState()
        self._auth_headers: Final = {
            "Authorization": f"Bearer {api_key}",
            "Accept": "application/json",
            "User-Agent": c.USER_AGENT,
        }
        if key_header is not None:
            self._auth_headers[key_header] = api_key  # a host that reads the key elsewhere
        self._json_headers: Final = {**self._auth_headers, "Content-Type": "application/json"}
        #: Hidden from error answers that echo it (it never reaches a message or a body).
        self._secret: Final = api_key.encode()
        self._session = session
        self._owns_session = session is None
        self._closed = False
        self._timeout = aiohttp.ClientTimeout(total=timeout, connect=connect_timeout)
        self.retry = retry
        self.clock = clock
        self.stats = RequestStats()
        self._rng = random.Random()  # noqa: S311 - jitter, not security
        self._download_locks: dict[str, anyio.Lock] = {}

    @property
    def session(self) -> aiohttp.ClientSession:
        """The aiohttp session in use (created on first use if the user gave none).

        Raises:
            ClientClosedError: the transport was closed (a retry wait may outlive the client).
        """
        self._check_open()
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def aclose(self) -> None:
        """Close the session if this transport created it; nothing is sent after this."""
        self._closed = True
        if self._owns_session and self._session is not None:
            await self._session.close()
        self._session = None

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` was called; nothing is sent after that."""
        return self._closed

    def _check_open(self) -> None:
        if self._closed:
            raise ClientClosedError("the client was closed; create a new one.")

    def request(
        self,
        method: str,
        path: str,
        decoder: AnswerDecoder[_T],
        *,
        params: Mapping[str, str] | None = None,
        body: bytes | None = None,
        safe: bool,
    ) -> Coroutine[Any, Any, _T]:
        """Send ``method path`` and decode a 2xx answer with ``decoder``, retrying by the
        policy (see the module docstring for how answers are judged); await the result. (Not
        a coroutine of its own: one frame fewer on every suspension of every request.)

        Raises:
            APIStatusError: (a subclass per status) the server answered with an error.
            APIConnectionError: no usable answer to a safe request, after the retries.
            AmbiguousSubmitError: a paid request (``safe`` false) may have started work and
                its outcome is unknown.
            ResponseValidationError: the answer to a safe request did not have the expected
                shape.
        """
        return retry_call(
            self._send_once,
            method,
            path,
            decoder,
            params,
            body,
            safe,
            policy=self.retry,
            give_up=give_up_safe if safe else give_up_paid,
            clock=self.clock,
            rng=self._rng,
            stats=self.stats,
            what=f"{method} {path}",
            before_retry=self._check_open,
        )

    async def _send_once(
        self,
        method: str,
        path: str,
        decoder: AnswerDecoder[_T],
        params: Mapping[str, str] | None,
        body: bytes | None,
        safe: bool,
    ) -> _T:
        headers = self._auth_headers if body is None else self._json_headers
        self.stats.requests += 1
        debug = logger.isEnabledFor(logging.DEBUG)
        started = time.perf_counter() if debug else 0.0
        failure: APIError | None = None
        try:
            async with self.session.request(
                method,
                self.base_url + path,
                params=params,
                data=body,
                headers=headers,
                timeout=self._timeout,
                allow_redirects=False,
                raise_for_status=False,
            ) as resp:
                raw = await resp.read()
                if raw.startswith(_UTF8_BOM):
                    raw = raw[3:]  # some servers start JSON with a byte-order mark
                status = resp.status
                answer_headers = resp.headers
                if status >= 300:
                    self.stats.errors += 1
                    if raw.lstrip()[:1] == b"{":
                        self.base_url_state.answered_json = True  # JSON errors: an API
                    elif (
                        not self.base_url_state.answered_json
                        and status in _NOT_API_STATUSES
                        and _not_json(raw, resp.content_type)
                    ):
                        raise self._not_the_api(status, resp.content_type, raw, path)
                    raise self._status_failure(
                        status, resp.reason or "", resp.headers, raw, method, path, safe, body
                    )
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            self.stats.errors += 1
            failure = connection_error(exc, method=method, url=path, safe=safe, body_sent=body)
            if not isinstance(exc, aiohttp.ClientResponseError):
                raise failure from exc
        if failure is not None:
            # Raised outside the handler on purpose: aiohttp's ClientResponseError keeps the
            # request's headers (with the key), so it must not stay reachable as __context__.
            raise failure
        if debug:
            logger.debug(
                "%s %s -> %d (%.3f s)", method, path, status, time.perf_counter() - started
            )
        try:
            result = decoder.decode(raw)
        except AnswerStatus as exc:
            self.base_url_state.answered_json = True
            self.stats.errors += 1
            raise self._status_failure(
                exc.status, "", answer_headers, raw, method, path, safe, body, in_body=True
            ) from None
        except msgspec.ValidationError as exc:
            self.base_url_state.answered_json = True  # JSON of another shape: still an API
            if not safe:
                raise AmbiguousSubmitError(
                    f"{method} {path}: the server accepted the request (HTTP {status}) but its "
                    f"answer did not have the documented shape ({exc}), so the task id is "
                    "unknown. It was not sent again; look the work up first.",
                    method=method,
                    url=path,
                    endpoint=path,
                    body_sent=body,
                ) from exc
            raise shape_error(method, path, raw, exc) from exc
        except msgspec.DecodeError as exc:
            content_type = answer_headers.get("Content-Type", "")
            # Before this base URL ever answered JSON, a page proves it is not the API; after
            # that, the same page is a damaged answer of the API (a proxy's), and so is a page
            # that ends in JSON (a PHP notice printed before it): for paid work, that proves
            # nothing.
            if (
                not self.base_url_state.answered_json
                and _not_json(raw, content_type)
                and not raw.rstrip().endswith((b"}", b"]"))
            ):
                raise self._not_the_api(status, content_type, raw, path) from None
            if not safe:
                raise AmbiguousSubmitError(
                    f"{method} {path}: the answer was not valid JSON, so whether the work "
                    "started is unknown. It was not sent again; look the work up first.",
                    method=method,
                    url=path,
                    endpoint=path,
                    body_sent=body,
                ) from exc
            raise ResponseValidationError(
                f"{method} {path}: the answer was not valid JSON ({exc}). If this persists, "
                "check that the base URL points at the API.",
                body=raw,
                method=method,
                url=path,
                retryable=True,  # a body cut off in transit is worth asking for again
            ) from exc
        self.base_url_state.answered_json = True
        return result

    def _not_the_api(
        self, status: int, content_type: str, raw: bytes, path: str
    ) -> WrongBaseURLError:
        what = "a web page" if _is_web_page(raw, content_type) else "a body that is not JSON"
        where = f" (or the {self._url_env} environment variable)" if self._url_env else ""
        return WrongBaseURLError(
            f"{self.base_url}{path} does not answer like the {self._api_name} API: HTTP "
            f"{status} with {what} ({content_type or 'no content type'}). Check base_url{where}"
            "; the API never saw this request, so nothing was charged.",
            url=self.base_url + path,
            status_code=status,
            content_type=content_type,
            argument="base_url",
        )

    def _status_failure(
        self,
        status: int,
        reason: str,
        headers: Mapping[str, str],
        raw: bytes,
        method: str,
        path: str,
        safe: bool,
        body: bytes | None,
        *,
        in_body: bool = False,
    ) -> APIError:
        error = status_error(status, reason, raw, headers, method, path, secret=self._secret)
        if safe or status < 500 or status in NOT_DONE_5XX:
            return error
        said = f": {error.provider_message.rstrip('.')}" if error.provider_message else ""
        where = f"answered {status} {reason}".rstrip() if not in_body else f"reported {status}"
        return AmbiguousSubmitError(
            f"{method} {path} {where}{said}. The request starts paid work and the server may "
            "have started it, so it was not sent again; look the work up before retrying.",
            method=method,
            url=path,
            endpoint=path,
            status_code=status,
            body_sent=body,
        )

    async def download(
        self,
        url: str,
        dest: anyio.Path,
        *,
        read_timeout: float = c.DEFAULT_DOWNLOAD_READ_TIMEOUT,
        kind: str = "audio",
    ) -> int:
        """Stream the audio (or the ``kind`` of content: ``"midi"``, ``"image"``, ``"video"``)
        at ``url`` into ``dest``; return the file's size in bytes.

        The body goes to ``.<name>.<hash of url>.part`` beside ``dest``, renamed over ``dest``
        only once complete (and as long as announced), so ``dest`` never holds a partial or
        non-audio file. A transfer that breaks
        is resumed from where it stopped with an HTTP ``Range`` request (by the retries here, or
        by a later call for the same ``dest``) when the server answers ranges, and restarted
        when it does not. The part file is kept after a connection failure or a cancellation,
        for that resumption, and removed after a failure of the content itself. No
        ``Authorization`` header is sent: audio lives on a CDN, not on the API host. Retried
        like a safe request.

        Raises:
            APIStatusError: the CDN answered with an error status.
            ResponseValidationError: the body is empty or not audio (or not ``kind``; for
                example an HTML page).
                Audio is recognised by its first bytes when the ``Content-Type`` is generic or
                wrong (CDNs send ``application/octet-stream``, ``text/plain`` and worse); an
                HTML, JSON or XML type is refused whatever the bytes, resumed bodies included.
            APIConnectionError: the transfer failed after all retries.
            OSError: the file could not be written (not retried).
        """
        # The part is tied to its source: another URL for the same file never resumes it.
        source = hashlib.sha256(url.encode()).hexdigest()[:16]
        part = dest.with_name(f".{dest.name}.{source}.part")
        lock = self._download_locks.setdefault(str(part), anyio.Lock())
        try:
            async with lock:
                written = await retry_call(
                    self._download_once,
                    url,
                    dest,
                    part,
                    read_timeout,
                    kind,
                    policy=self.retry,
                    give_up=give_up_safe,
                    clock=self.clock,
                    rng=self._rng,
                    stats=self.stats,
                    what=f"GET {_without_query(url)}",
                    before_retry=self._check_open,
                )
        finally:
            if not lock.statistics().tasks_waiting:
                self._download_locks.pop(str(part), None)
        return written

    async def _download_once(
        self, url: str, dest: anyio.Path, part: anyio.Path, read_timeout: float, kind: str
    ) -> int:
        timeout = aiohttp.ClientTimeout(
            total=None, connect=self._timeout.connect, sock_read=read_timeout
        )
        shown = _without_query(url)  # signed CDN URLs carry tokens in the query
        have = (await part.stat()).st_size if await part.exists() else 0
        headers = {"User-Agent": c.USER_AGENT}
        if have:
            headers["Range"] = f"bytes={have}-"
        self.stats.requests += 1
        try:
            async with self.session.get(
                url, timeout=timeout, headers=headers, raise_for_status=False
            ) as resp:
                if have and resp.status == 416 and _range_total(resp) == have:
                    await part.replace(dest)  # the part was complete already
                    return have
                resumed = have > 0 and resp.status == 206 and _range_start(resp) == have
                if resp.status != 200 and not resumed:
                    self.stats.errors += 1
                    if have and resp.status in (206, 416):
                        await part.unlink(missing_ok=True)  # unusable range: start over
                        raise APIConnectionError(
                            f"GET {shown}: the server could not resume at byte {have}; "
                            "starting over.",
                            method="GET",
                            url=shown,
                        )
                    body = await resp.content.read(4096)
                    raise status_error(
                        resp.status,
                        resp.reason or "",
                        body,
                        resp.headers,
                        "GET",
                        shown,
                        secret=self._secret,
                    )
                content_type = resp.headers.get("Content-Type", "")
                if _NOT_AUDIO_TYPES.search(content_type):
                    raise ResponseValidationError(
                        f"GET {shown}: expected audio but got Content-Type {content_type!r}; "
                        "nothing was saved.",
                        body=await resp.content.read(4096),
                        method="GET",
                        url=shown,
                    )
                size = await self._write_body(
                    resp, part, shown, offset=have if resumed else 0, kind=kind
                )
                expected = _range_total(resp) if resumed else resp.content_length
                if expected is not None and size != expected:
                    await part.unlink(missing_ok=True)
                    raise APIConnectionError(
                        f"GET {shown}: got {size} bytes of {expected}; starting over.",
                        method="GET",
                        url=shown,
                    )
            await part.replace(dest)
        except (aiohttp.ClientError, TimeoutError) as exc:  # file errors (OSError) propagate
            self.stats.errors += 1
            failure = connection_error(exc, method="GET", url=shown, safe=True)
            if not isinstance(exc, aiohttp.ClientResponseError):
                raise failure from exc
        except (APIStatusError, ResponseValidationError) as exc:
            if not exc.retryable:  # the content is wrong: nothing worth resuming
                await _remove_quietly(part)
            raise
        else:
            return size
        raise failure  # outside the handler: see _send_once

    @staticmethod
    async def _write_body(
        resp: aiohttp.ClientResponse, part: anyio.Path, url: str, *, offset: int, kind: str
    ) -> int:
        """Write the body to ``part`` (appending after ``offset`` bytes); return the total size.

        A fresh body is checked to start like audio before anything is written.
        """
        written = offset
        async with await anyio.open_file(part, "ab" if offset else "wb") as out:
            head = b"" if not offset else b"\0" * _SNIFF_BYTES  # a resumed body was checked
            # iter_any, not iter_chunked: bytes that arrived before a connection broke are
            # written (and kept for a resume) instead of being dropped with the error.
            async for chunk in resp.content.iter_any():
                if len(head) < _SNIFF_BYTES:
                    head += chunk
                    if len(head) < _SNIFF_BYTES:
                        continue
                    _check_content(head, url, kind)
                    chunk, head = head, head[:_SNIFF_BYTES]
                await out.write(chunk)
                written += len(chunk)
            if written == offset and not offset:
                _check_content(head, url, kind)  # a body shorter than the sniff window
                await out.write(head)
                written = len(head)
        return written


_SNIFF_BYTES: Final = 16  # enough for every signature of CONTENT_KINDS


def _check_content(head: bytes, url: str, kind: str) -> None:
    if not head or not looks_like(kind, head):
        what = "empty" if not head else f"not {kind}"
        raise ResponseValidationError(
            f"GET {url}: the body is {what}; nothing was saved.",
            body=head[:4096],
            method="GET",
            url=url,
        )


_UTF8_BOM: Final = b"\xef\xbb\xbf"
#: Content types that are never audio, whatever the body's first bytes (other types, generic
#: or wrong, are judged by the bytes).
_NOT_AUDIO_TYPES: Final = re.compile(r"html|json|xml", re.IGNORECASE)


def _not_json(raw: bytes, content_type: str) -> bool:
    """Whether an answer is plainly something other than the API's JSON: a non-empty body
    that neither says it is JSON nor begins like it. (A body that says JSON but does not parse
    was damaged or cut off: that proves nothing about the work.)"""
    body = raw.lstrip()
    return bool(body) and body[:1] not in (b"{", b"[") and "json" not in content_type.lower()


def _is_web_page(raw: bytes, content_type: str) -> bool:
    """Whether an answer is an HTML page rather than an API's JSON."""
    return "html" in content_type.lower() or raw.lstrip()[:1] == b"<"


def _without_query(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0]


def _range_start(resp: aiohttp.ClientResponse) -> int | None:
    """The first byte of a ``Content-Range: bytes N-M/T`` answer, if it has one."""
    match = _CONTENT_RANGE.match(resp.headers.get("Content-Range", ""))
    return int(match.group(1)) if match and match.group(1) else None


def _range_total(resp: aiohttp.ClientResponse) -> int | None:
    """The total size of a ``Content-Range`` answer (``bytes */T`` or ``bytes N-M/T``)."""
    match = _CONTENT_RANGE.match(resp.headers.get("Content-Range", ""))
    return int(match.group(3)) if match and match.group(3).isdigit() else None


_CONTENT_RANGE: Final = re.compile(r"bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)")


async def _remove_quietly(path: anyio.Path) -> None:
    with anyio.CancelScope(shield=True):
        try:
            await path.unlink(missing_ok=True)
        except OSError:  # pragma: no cover - best effort cleanup
            logger.debug("could not remove temporary file %s", path)
