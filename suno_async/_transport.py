"""The only module that talks to aiohttp: send a request, map failures, retry, decode.

Retry policy (one place, used by every call):

* A request is *safe* when sending it twice does no harm (status lookups, downloads). Safe
  requests are retried on connection errors, timeouts, a cut-off body, 408, 429 and 5xx, with
  exponential backoff and proportional jitter, never sooner than the server's ``Retry-After``
  (itself capped at :data:`~suno_async._constants.RETRY_AFTER_CAP`).
* A request that starts paid work (upload, create, generate) is retried only when the failure
  proves the server did not act on it: the connection could not be opened, or the server said
  408 or 429. If the request may have reached the server and no answer came back, it raises
  :class:`~suno_async.AmbiguousSubmitError` instead of sending it again.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import math
import random
import re
import time
from collections.abc import Callable, Coroutine, Generator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, TypeVar, cast

import aiohttp
import anyio
import backoff
import msgspec

from suno_async import _constants as c
from suno_async._audio import is_audio_content_type, looks_like_audio
from suno_async._exceptions import (
    AmbiguousSubmitError,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigError,
    ConflictError,
    InsufficientCreditsError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
)

__all__ = ["RequestStats", "RetryPolicy", "Transport"]

logger = logging.getLogger("suno_async")

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How failed requests are retried. Delays are seconds.

    ``max_retries`` counts attempts after the first; ``jitter`` is proportional (each delay is
    multiplied by a factor drawn from ``[1 - jitter, 1 + jitter]``).
    """

    max_retries: int = c.DEFAULT_MAX_RETRIES
    initial_delay: float = c.RETRY_INITIAL_DELAY
    factor: float = c.RETRY_FACTOR
    max_delay: float = c.RETRY_MAX_DELAY
    jitter: float = c.RETRY_JITTER
    retry_after_cap: float = c.RETRY_AFTER_CAP
    #: Seconds one call may spend retrying after its first retry wait, attempts and waits
    #: included (``None``: no cap).
    max_elapsed: float | None = c.RETRY_MAX_ELAPSED

    def __post_init__(self) -> None:
        if (
            isinstance(self.max_retries, bool)
            or not isinstance(self.max_retries, int)
            or self.max_retries < 0
        ):
            raise ConfigError("RetryPolicy.max_retries must be an int >= 0.", argument="retry")
        if not (self.initial_delay >= 0 and self.factor >= 1 and self.max_delay >= 0):
            raise ConfigError(
                "RetryPolicy needs initial_delay >= 0, factor >= 1 and max_delay >= 0.",
                argument="retry",
            )
        if not 0 <= self.jitter < 1 or not self.retry_after_cap >= 0:
            raise ConfigError(
                "RetryPolicy needs 0 <= jitter < 1 and retry_after_cap >= 0.", argument="retry"
            )
        if self.max_elapsed is not None and not self.max_elapsed > 0:
            raise ConfigError("RetryPolicy.max_elapsed must be above 0 or None.", argument="retry")


@dataclass(slots=True)
class RequestStats:
    """Counters of what the client sent: ``requests`` (every attempt), ``retries``, ``errors``."""

    requests: int = 0
    retries: int = 0
    errors: int = 0


class _ErrorBody(msgspec.Struct, frozen=True):
    """The error bodies seen in the wild: NestJS ``{statusCode, message, error}``, or
    ``{code, message}``, or ``{detail}``."""

    message: str | list[str] | None = None
    error: str | dict[str, Any] | None = None
    detail: str | None = None


_ERROR_DECODER: Final = msgspec.json.Decoder(_ErrorBody)

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
    AuthenticationError: "Check the API key (the api_key argument, or SUNO_API_KEY / "
    "SUNOAPI_API_KEY for the client in use).",
    InsufficientCreditsError: "Top up the account's credits, then call again.",
    PermissionDeniedError: "This key or account may not do this.",
    NotFoundError: "Check the id and the base URL.",
    ConflictError: "The work was already submitted; wait for it instead of submitting again.",
    RateLimitError: "Slow down; the client retries after Retry-After by itself.",
    InternalServerError: "The provider failed; try again later.",
}


def _retry_delay(
    policy: RetryPolicy, rng: random.Random, attempt: int, exc: BaseException | None
) -> float:
    """The wait before retry number ``attempt + 1``: exponential with proportional jitter,
    never shorter than the server's ``Retry-After`` (itself capped)."""
    delay = min(policy.initial_delay * policy.factor**attempt, policy.max_delay)
    delay *= rng.uniform(1.0 - policy.jitter, 1.0 + policy.jitter)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        delay = max(delay, min(retry_after, policy.retry_after_cap))
    return delay


def _retry_delays(
    *, policy: RetryPolicy, rng: random.Random, first_attempt: int
) -> Generator[float | None, BaseException | None, None]:
    """backoff wait generator over :func:`_retry_delay`, from retry ``first_attempt`` on."""
    attempt = first_attempt
    exc = yield None  # backoff primes the generator with send(None)
    while True:
        delay = _retry_delay(policy, rng, attempt, exc)
        attempt += 1
        exc = yield delay


def _give_up_safe(exc: Exception) -> bool:
    return not (isinstance(exc, APIError) and exc.retryable)


def _give_up_unsafe(exc: Exception) -> bool:
    if isinstance(exc, APIStatusError):
        return exc.status_code not in (408, 429)
    # Connection errors that reach here were raised before the request was sent.
    return not (isinstance(exc, APIConnectionError) and exc.retryable)


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


def status_error(
    status: int, reason: str, body: bytes, headers: Mapping[str, str], method: str, url: str
) -> APIStatusError:
    """Map an HTTP error answer to the matching :class:`APIStatusError` subclass."""
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
    endpoint: str,
    body_sent: bytes | None = None,
) -> APIConnectionError:
    """Map an aiohttp or OS failure to the library's connection errors."""
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
            endpoint=endpoint,
            body_sent=body_sent,
        )
    if isinstance(exc, TimeoutError):
        return APITimeoutError(
            f"{method} {url}: no answer within the timeout.", method=method, url=url
        )
    return APIConnectionError(
        f"{method} {url}: connection failed ({type(exc).__name__}: {exc}).",
        method=method,
        url=url,
    )


class Transport:
    """Sends requests to one API base URL with one key, over one aiohttp session.

    The key goes only into the ``Authorization`` header of requests to ``base_url``; it never
    appears in a log line, a repr or an error. Redirects are not followed for API calls.
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
    ) -> None:
        self.base_url = base_url
        self._auth_headers: Final = {
            "Authorization": f"Bearer {api_key}",
            "Accept": "application/json",
            "User-Agent": c.USER_AGENT,
        }
        self._json_headers: Final = {**self._auth_headers, "Content-Type": "application/json"}
        self._session = session
        self._owns_session = session is None
        self._timeout = aiohttp.ClientTimeout(total=timeout, connect=connect_timeout)
        self.retry = retry
        self.stats = RequestStats()
        self._rng = random.Random()  # noqa: S311 - jitter, not security
        # Requests make their first attempt directly (no retry bookkeeping when nothing fails);
        # these take over for the remaining attempts after a failure worth retrying.
        self._resend_safe = self._with_retries(self._send_once, _give_up_safe, after_first=True)
        self._resend_unsafe = self._with_retries(self._send_once, _give_up_unsafe, after_first=True)
        self._download_retrying = self._with_retries(
            self._download_once, _give_up_safe, after_first=False
        )
        self._download_locks: dict[str, anyio.Lock] = {}

    def _with_retries(
        self,
        target: Callable[..., Coroutine[Any, Any, _T]],
        give_up: Callable[[Exception], bool],
        *,
        after_first: bool,
    ) -> Callable[..., Coroutine[Any, Any, _T]]:
        """``target`` retried by backoff under this transport's policy; ``after_first``: the
        first attempt (and first wait) already happened, so only the retries are left."""
        # backoff's stub types wait generators as send-less; ours receives each exception.
        wait_gen = cast("Callable[..., Generator[float, None, None]]", _retry_delays)
        return backoff.on_exception(
            wait_gen,
            APIError,
            max_tries=lambda: self.retry.max_retries + (0 if after_first else 1),
            max_time=lambda: math.inf if self.retry.max_elapsed is None else self.retry.max_elapsed,
            giveup=give_up,
            jitter=None,
            on_backoff=self._log_backoff,
            raise_on_giveup=True,
            logger=None,
            policy=lambda: self.retry,
            rng=lambda: self._rng,
            first_attempt=lambda: 1 if after_first else 0,
        )(target)

    def _log_backoff(self, details: Any) -> None:
        args = details.get("args", ())
        self._note_retry(
            args[0] if args else "?",
            args[1] if len(args) > 1 else "?",
            details.get("wait", 0.0),
            details.get("exception"),
        )

    def _note_retry(self, method: str, path: str, wait: float, exc: BaseException | None) -> None:
        self.stats.retries += 1
        logger.debug("retrying %s %s in %.2f s after %s", method, path, wait, type(exc).__name__)

    @property
    def session(self) -> aiohttp.ClientSession:
        """The aiohttp session in use (created on first use if the user gave none)."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def aclose(self) -> None:
        """Close the session if this transport created it."""
        if self._owns_session and self._session is not None:
            await self._session.close()
        self._session = None

    async def request(
        self,
        method: str,
        path: str,
        decoder: msgspec.json.Decoder[_T],
        *,
        params: Mapping[str, str] | None = None,
        body: bytes | None = None,
        safe: bool,
        endpoint: str = "",
    ) -> _T:
        """Send ``method path`` and decode a 2xx answer with ``decoder``.

        Raises:
            APIStatusError: (a subclass per status) the server answered with an error.
            APIConnectionError: no usable answer; ``AmbiguousSubmitError`` when ``safe`` is
                false and the request may have reached the server.
            ResponseValidationError: the answer did not have the expected shape.
        """
        try:
            return await self._send_once(method, path, decoder, params, body, safe, endpoint)
        except APIError as exc:
            give_up = _give_up_safe if safe else _give_up_unsafe
            if self.retry.max_retries == 0 or give_up(exc):
                raise
            wait = _retry_delay(self.retry, self._rng, 0, exc)
            self._note_retry(method, path, wait, exc)
        await anyio.sleep(wait)
        resend = self._resend_safe if safe else self._resend_unsafe
        result: _T = await resend(method, path, decoder, params, body, safe, endpoint)
        return result

    async def _send_once(
        self,
        method: str,
        path: str,
        decoder: msgspec.json.Decoder[_T],
        params: Mapping[str, str] | None,
        body: bytes | None,
        safe: bool,
        endpoint: str,
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
                status = resp.status
                if status >= 300:
                    self.stats.errors += 1
                    raise self._status_failure(resp, raw, method, path, safe, endpoint, body)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            self.stats.errors += 1
            failure = connection_error(
                exc, method=method, url=path, safe=safe, endpoint=endpoint, body_sent=body
            )
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
            return decoder.decode(raw)
        except msgspec.ValidationError as exc:
            if not safe:
                raise AmbiguousSubmitError(
                    f"{method} {path}: the server accepted the request (HTTP {status}) but its "
                    f"answer did not have the documented shape ({exc}), so the task id is "
                    "unknown. It was not sent again; look the work up first.",
                    method=method,
                    url=path,
                    endpoint=endpoint,
                    body_sent=body,
                ) from exc
            raise shape_error(method, path, raw, exc) from exc
        except msgspec.DecodeError as exc:
            if not safe:
                raise AmbiguousSubmitError(
                    f"{method} {path}: the answer was not valid JSON, so whether the work "
                    "started is unknown. It was not sent again; look the work up first.",
                    method=method,
                    url=path,
                    endpoint=endpoint,
                    body_sent=body,
                ) from exc
            err = ResponseValidationError(
                f"{method} {path}: the answer was not valid JSON ({exc}).",
                body=raw,
                method=method,
                url=path,
            )
            err.retryable = True  # a body cut off in transit is worth asking for again
            raise err from exc

    @staticmethod
    def _status_failure(
        resp: aiohttp.ClientResponse,
        raw: bytes,
        method: str,
        path: str,
        safe: bool,
        endpoint: str,
        body: bytes | None,
    ) -> APIError:
        error = status_error(resp.status, resp.reason or "", raw, resp.headers, method, path)
        if safe or resp.status < 500:
            return error
        said = f": {error.provider_message.rstrip('.')}" if error.provider_message else ""
        return AmbiguousSubmitError(
            f"{method} {path} answered {resp.status} {resp.reason or ''}{said}. The request "
            "starts paid work and the server may have started it, so it was not sent again; "
            "look the work up before retrying.",
            method=method,
            url=path,
            endpoint=endpoint,
            status_code=resp.status,
            body_sent=body,
        )

    async def download(
        self,
        url: str,
        dest: anyio.Path,
        *,
        read_timeout: float = c.DEFAULT_DOWNLOAD_READ_TIMEOUT,
    ) -> int:
        """Stream the audio at ``url`` into ``dest``; return the file's size in bytes.

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
            ResponseValidationError: the body is empty or not audio (for example an HTML page).
            APIConnectionError: the transfer failed after all retries.
            OSError: the file could not be written (not retried).
        """
        # The part is tied to its source: another URL for the same file never resumes it.
        source = hashlib.sha256(url.encode()).hexdigest()[:16]
        part = dest.with_name(f".{dest.name}.{source}.part")
        lock = self._download_locks.setdefault(str(part), anyio.Lock())
        try:
            async with lock:
                written: int = await self._download_retrying(url, dest, part, read_timeout)
        finally:
            if not lock.statistics().tasks_waiting:
                self._download_locks.pop(str(part), None)
        return written

    async def _download_once(
        self, url: str, dest: anyio.Path, part: anyio.Path, read_timeout: float
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
                        resp.status, resp.reason or "", body, resp.headers, "GET", shown
                    )
                content_type = resp.headers.get("Content-Type", "")
                if not is_audio_content_type(content_type):
                    raise ResponseValidationError(
                        f"GET {shown}: expected audio but got Content-Type {content_type!r}; "
                        "nothing was saved.",
                        body=await resp.content.read(4096),
                        method="GET",
                        url=shown,
                    )
                size = await self._write_body(resp, part, shown, offset=have if resumed else 0)
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
            failure = connection_error(exc, method="GET", url=shown, safe=True, endpoint="")
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
        resp: aiohttp.ClientResponse, part: anyio.Path, url: str, *, offset: int
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
                    _check_audio(head, url)
                    chunk, head = head, head[:_SNIFF_BYTES]
                await out.write(chunk)
                written += len(chunk)
            if written == offset and not offset:
                _check_audio(head, url)  # a body shorter than the sniff window
                await out.write(head)
                written = len(head)
        return written


_SNIFF_BYTES: Final = 16  # enough for every signature looks_like_audio knows


def _check_audio(head: bytes, url: str) -> None:
    if not head or not looks_like_audio(head):
        raise ResponseValidationError(
            f"GET {url}: the body is {'empty' if not head else 'not audio'}; nothing was saved.",
            body=head[:4096],
            method="GET",
            url=url,
        )


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
