"""The emulator's shared HTTP face: bearer check, error bodies, request log, HTTP faults, CDN.

:func:`make_app` makes the one aiohttp application of the server; each provider's package then
mounts its route set on it with its ``add_routes`` (the server does both, see
:mod:`~suno_async.emulator._server`):

* ``/suno/v2/...``: mountsea.ai's Suno v2 API (:mod:`~suno_async.emulator._mountsea._routes`;
  POSTs answer 201 and GETs 200, as a NestJS server does); every ``/suno/v2/`` route needs
  ``Authorization: Bearer <token>``.
* ``/api/v2/suno/v3.5/...`` and ``/api/v2/suno/v3.0/...``: sunoapi.com's v2 API
  (:mod:`~suno_async.emulator._sunoapi._routes`); every ``/api/`` route needs ``Authorization:
  Bearer <token>`` too, under the same rule, and answers errors as ``{"code", "message"}``.

The application itself serves, for every provider:

* ``GET /cdn/audio/<clip id>.wav`` and ``/cdn/stream/<clip id>.wav``: generated audio of any
  mounted provider (each registers its state with :func:`add_audio_source`), no auth (a CDN),
  ``Range: bytes=N-``, ``N-M`` and ``-N`` answered with 206.
* ``GET /samples/track-<n>.wav`` (``n`` >= 1): distinct sample tracks to upload, no auth.

Request bodies are read by every route as a NestJS (Express) server reads them
(:mod:`~suno_async.emulator._http`): a POST body is parsed as JSON only when the request's
``Content-Type`` is ``application/json`` (matched case-insensitively; parameters such as
``charset`` are allowed). With any other ``Content-Type``, or none, the body counts as empty,
that is ``{}``, so the route answers 400 naming its missing required fields; an empty JSON body
is ``{}`` as well. mountsea.ai's ``customModel/prepare`` needs no body and works with any
``Content-Type`` or none.

Middleware, outermost first: the request log (every request, CDN ones too, with the status it
got), HTTP faults (scripted ones, then chaos, then the configured latency; see below), error
bodies (sunoapi.com's form on ``/api/`` paths, NestJS's elsewhere, see
:mod:`~suno_async.emulator._errors`), the bearer check. HTTP faults sit outside the error
bodies so that a fault acting "after the work" sees the route's real answer, errors included.

HTTP faults, per request (:mod:`~suno_async.emulator._faults`, :mod:`~suno_async.emulator._chaos`):

* The first scripted fault queued for the request's method and path is taken; only if there is
  none does chaos draw one (chaos only ever touches ``/suno/v2/`` and ``/api/`` paths, and
  never the emulator's own fetch of upload audio).
* An answer fault (``inject_http``, chaos 429/5xx) is sent before the bearer check and before
  any work, with the path's error body unless the script gave one; one marked ``after_work``
  (``inject_http(..., after_work=True)``, a chaos 5xx that comes after the work) runs the route
  first, whatever it answers (a task is created, credits are charged), and then sends the fault
  instead of the route's answer.
* A drop closes the connection: before the work (logged with status 499) or after it (the
  route ran; logged with the status it would have sent, which the client never gets).
* A slow fault runs the route and then holds its answer, whatever it is, for its seconds of
  real time (``asyncio.sleep``: it stands for the network and the server, not for task time).
* A malformed answer: with ``after_work`` the route runs and its status and headers are kept,
  but its body is cut to its first half (``"truncated"``) or replaced by a short HTML page
  (``"invalid"``) while the ``Content-Type`` still says JSON. Without ``after_work`` nothing
  runs and the status is the route's success status (201 for a ``/suno/v2/`` POST, else 200,
  or the reading's ``created_status`` for any POST); the JSON cut is then a stand-in
  ``{"message": ...}``. ``Content-Length`` always matches the bytes sent, so the client reads
  a complete answer and fails to parse it.
* Then the configured latency (``EmulatorConfig.slow_seconds``, real time too) is added before
  any answer it applies to, on top of a slow fault's seconds; a dropped connection waits for
  nothing.

Choices where the providers are silent:

* The bearer scheme is matched case-insensitively; the token must be non-empty and, if the
  config has an ``api_key``, equal to it.
* A ``/suno/v2/`` path with no route answers 404 ``Cannot <METHOD> <path>`` (NestJS's default)
  without asking for a token, and so does a known path with the wrong method. An ``/api/`` path
  with no route (or the wrong method) answers 404 ``{"code": 404, "message": "Not found:
  <METHOD> <path>"}``, also without asking for a token.
* On ``/api/`` routes a missing (or blank) ``Authorization`` header is 401 "Authorization header
  is missing." and anything else that is refused (not ``Bearer <token>``, or not the configured
  key) is 401 "Invalid authorization format." (the vendor's documented texts; it documents no
  separate text for a wrong key).
* An injected HTTP fault without a body gets the error body of its path's provider.
* An unparseable or multi-part ``Range`` is ignored (full 200 answer); a range starting past the
  end is 416 with ``Content-Range: bytes */<size>``. The stream route serves the same complete
  WAV as the audio route.
* The CDN's audio is ``audio/wav``, or under the reading ``generic_content_type``
  (:class:`~suno_async.emulator._readings.Readings`) that type instead; the sample tracks are
  always ``audio/wav``.
* ``RequestRecord.authorized`` says whether the request's credentials would be accepted, even on
  routes that do not ask for them; a request cancelled by a disconnecting client is logged with
  status 499.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Protocol

import msgspec
from aiohttp import web
from aiohttp.typedefs import Handler

from suno_async._core._clock import Clock
from suno_async.emulator._audio import synth_wav
from suno_async.emulator._chaos import FETCH_HEADER, ChaosEngine
from suno_async.emulator._config import EmulatorConfig
from suno_async.emulator._errors import ApiError, error_body_for, is_sunoapi_path, reason_phrase
from suno_async.emulator._faults import HttpFault, HttpFaults
from suno_async.emulator._http import json_response
from suno_async.emulator._readings import Readings

__all__ = [
    "AUDIO_SOURCES_KEY",
    "CHAOS_KEY",
    "CLOCK_KEY",
    "CONFIG_KEY",
    "HTTP_FAULTS_KEY",
    "REQUESTS_KEY",
    "AudioSource",
    "RequestRecord",
    "add_audio_source",
    "bearer_ok",
    "make_app",
]

_log = logging.getLogger("suno_async.emulator")


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the emulator answered.

    Attributes:
        method: HTTP method, upper case.
        path: URL path, without the query.
        query: The raw query string, without ``?`` (``""`` if none).
        status: The status code sent.
        authorized: True if the request carried credentials this emulator accepts.
        has_auth_header: True if the request had an ``Authorization`` header at all.
        at: When the request arrived, on the emulator's clock (0.0 for an app made without
            a clock). Not compared: two records that differ only in it are equal.
    """

    method: str
    path: str
    query: str
    status: int
    authorized: bool
    has_auth_header: bool
    at: float = field(default=0.0, compare=False)


class AudioSource(Protocol):
    """A provider's state, as the CDN sees it: the WAV of one of its clips, if it has one."""

    def clip_audio(self, clip_id: str, *, streaming: bool) -> bytes | None:
        """The WAV of ``clip_id``, or ``None`` if it is not this provider's audible clip.

        A complete clip is served by both CDN routes; a streaming one only when ``streaming``.
        """
        ...


CONFIG_KEY: Final = web.AppKey("config", EmulatorConfig)
AUDIO_SOURCES_KEY: Final = web.AppKey[list[AudioSource]]("audio_sources")
REQUESTS_KEY: Final = web.AppKey[list[RequestRecord]]("requests")
HTTP_FAULTS_KEY: Final = web.AppKey("http_faults", HttpFaults)
CHAOS_KEY: Final = web.AppKey("chaos", ChaosEngine)
CLOCK_KEY: Final = web.AppKey[Clock | None]("clock")

#: The 401 text on mountsea.ai's routes (the emulator's own: the provider documents none).
MOUNTSEA_UNAUTHORIZED: Final = (
    "Missing or invalid bearer token: send 'Authorization: Bearer <api key>'."
)
#: The 401 texts on sunoapi.com's routes (the vendor's documented ones).
SUNOAPI_NO_AUTH: Final = "Authorization header is missing."
SUNOAPI_BAD_AUTH: Final = "Invalid authorization format."
_INJECTED_MESSAGES: Final = {
    429: "Too many requests: slow down and retry later.",
    500: "Internal server error.",
    501: "Not implemented.",
    502: "Bad gateway: the upstream service did not answer.",
    503: "Service unavailable: retry later.",
    504: "Gateway timeout: the upstream service took too long.",
}
#: What ``malform_next(..., mode="invalid")`` sends instead of JSON: an HTML page, as a proxy
#: or captive portal in the way would send.
_NOT_JSON: Final = b"<!DOCTYPE html>\n<html><body><h1>Service busy</h1></body></html>\n"
#: The JSON that ``malform_next(..., after_work=False)`` cuts, as no route ran to answer.
_STAND_IN: Final = msgspec.json.encode(
    {"message": "A malformed answer: the emulator did not handle this request."}
)
_RANGE: Final = re.compile(r"bytes=(\d*)-(\d*)")
_SAMPLE: Final = re.compile(r"track-([1-9][0-9]{0,5})\.wav")


def bearer_ok(header: str | None, api_key: str | None) -> bool:
    """True if ``header`` is ``Bearer <token>`` with a token that ``api_key`` accepts."""
    if not header:
        return False
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return False
    return api_key is None or hmac.compare_digest(token.encode(), api_key.encode())


def _error(
    path: str, status: int, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    return json_response(status, error_body_for(path, status, message), headers)


def _fault_response(fault: HttpFault, path: str) -> web.Response:
    headers = dict(fault.headers)
    has_type = any(name.lower() == "content-type" for name in headers)
    if fault.body is None:
        message = _INJECTED_MESSAGES.get(fault.status, f"{reason_phrase(fault.status)}.")
        body: bytes = msgspec.json.encode(error_body_for(path, fault.status, message))
        default_type = "application/json; charset=utf-8"
    elif isinstance(fault.body, bytes | str):
        body = fault.body.encode() if isinstance(fault.body, str) else fault.body
        default_type = "text/plain; charset=utf-8"
    else:
        body = msgspec.json.encode(fault.body)
        default_type = "application/json; charset=utf-8"
    if not has_type:
        headers["Content-Type"] = default_type
    return web.Response(status=fault.status, body=body, headers=headers)


# -- middleware ------------------------------------------------------------------------------


@web.middleware
async def _log_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    header = request.headers.get("Authorization")
    api_key = request.app[CONFIG_KEY].api_key
    clock = request.app[CLOCK_KEY]
    arrived = clock.now() if clock is not None else 0.0

    def record(status: int) -> None:
        request.app[REQUESTS_KEY].append(
            RequestRecord(
                method=request.method,
                path=request.path,
                query=request.query_string,
                status=status,
                authorized=bearer_ok(header, api_key),
                has_auth_header=header is not None,
                at=arrived,
            )
        )

    try:
        response = await handler(request)
    except asyncio.CancelledError:
        record(499)
        raise
    record(response.status)
    return response


@web.middleware
async def _error_bodies(request: web.Request, handler: Handler) -> web.StreamResponse:
    path = request.path
    try:
        return await handler(request)
    except ApiError as exc:
        return _error(path, exc.status, exc.message, exc.headers)
    except web.HTTPException as exc:
        if exc.status in (404, 405):
            if is_sunoapi_path(path):
                return _error(path, 404, f"Not found: {request.method} {path}")
            return _error(path, 404, f"Cannot {request.method} {path}")
        return _error(path, exc.status, f"{exc.reason}.")
    except Exception:
        _log.exception("emulator error on %s %s", request.method, path)
        return _error(path, 500, "Internal server error.")


def _hang_up(request: web.Request) -> None:
    if request.transport is not None:
        request.transport.close()


def _success_status(method: str, path: str, readings: Readings) -> int:
    """The status a route answers when it works: 201 for mountsea.ai's POSTs (NestJS's), 200
    for the rest; a POST answers the reading's ``created_status`` if it has one."""
    if method != "POST":
        return 200
    return readings.created(201 if path.startswith("/suno/v2/") else 200)


def _malformed(
    fault: HttpFault, status: int, body: bytes, headers: Mapping[str, str]
) -> web.Response:
    """The answer ``status`` with ``body`` made unparseable as ``fault.mode`` says."""
    sent = body[: len(body) // 2] if fault.mode == "truncated" else _NOT_JSON
    kept = {k: v for k, v in headers.items() if k.lower() != "content-length"}
    if not any(k.lower() == "content-type" for k in kept):
        kept["Content-Type"] = "application/json; charset=utf-8"
    # aiohttp sets Content-Length from the body actually sent, so the client reads all of it
    # and then fails to parse it, rather than seeing a connection error.
    return web.Response(status=status, body=sent, headers=kept)


async def _apply_fault(
    fault: HttpFault, request: web.Request, handler: Handler
) -> web.StreamResponse:
    if fault.action == "answer":
        if fault.after_work:
            await handler(request)  # the work is done; its answer is replaced by the fault
        return _fault_response(fault, request.path)
    if fault.action == "drop":
        response = await handler(request) if fault.after_work else web.Response(status=499)
        _hang_up(request)
        return response
    if fault.action == "slow":
        return await handler(request)  # the caller holds the answer
    # "malform"
    if fault.after_work:
        response = await handler(request)
        raw = response.body if isinstance(response, web.Response) else None
        body = raw if isinstance(raw, bytes) else b""
        return _malformed(fault, response.status, body, response.headers)
    readings = request.app[CONFIG_KEY].readings
    status = _success_status(request.method, request.path, readings)
    return _malformed(fault, status, _STAND_IN, {})


@web.middleware
async def _inject_faults(request: web.Request, handler: Handler) -> web.StreamResponse:
    fault = request.app[HTTP_FAULTS_KEY].take(request.method, request.path)
    if fault is None:
        marker = request.headers.get(FETCH_HEADER)
        fault = request.app[CHAOS_KEY].draw(request.method, request.path, marker)
    delay = request.app[CONFIG_KEY].slow_for(request.path)
    if fault is None:
        response = await handler(request)
    else:
        response = await _apply_fault(fault, request, handler)
        if fault.action == "drop":
            return response  # nothing is answered, so nothing waits
        if fault.action == "slow":
            delay += fault.seconds
    if delay > 0:
        # Real time on purpose: this is network and server latency, not task time.
        await asyncio.sleep(delay)
    return response


@web.middleware
async def _require_bearer(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.match_info.http_exception is None:
        header = request.headers.get("Authorization")
        api_key = request.app[CONFIG_KEY].api_key
        if request.path.startswith("/suno/v2/") and not bearer_ok(header, api_key):
            raise ApiError(401, MOUNTSEA_UNAUTHORIZED)
        if is_sunoapi_path(request.path) and not bearer_ok(header, api_key):
            missing = header is None or not header.strip()
            raise ApiError(401, SUNOAPI_NO_AUTH if missing else SUNOAPI_BAD_AUTH)
    return await handler(request)


# -- audio routes ----------------------------------------------------------------------------


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The inclusive byte range a ``Range`` header asks for, or ``None`` to send everything.

    Raises:
        ApiError: 416 if the range starts past the end.
    """
    match = _RANGE.fullmatch(header.strip())
    if match is None or not (match[1] or match[2]):
        return None
    if match[1]:
        start = int(match[1])
        end = int(match[2]) if match[2] else size - 1
        if match[2] and end < start:
            return None  # an invalid range-spec is ignored (RFC 9110, 14.2)
    else:
        suffix = int(match[2])
        start, end = (size if suffix == 0 else max(0, size - suffix)), size - 1
    if start >= size:
        raise ApiError(
            416,
            f"Range not satisfiable: the file has {size} bytes.",
            headers={"Content-Range": f"bytes */{size}"},
        )
    return start, min(end, size - 1)


def _wav(request: web.Request, data: bytes, content_type: str = "audio/wav") -> web.Response:
    headers = {"Accept-Ranges": "bytes", "Content-Type": content_type}
    byte_range = _byte_range(request.headers.get("Range", ""), len(data))
    if byte_range is None:
        return web.Response(body=data, headers=headers)
    start, end = byte_range
    headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
    return web.Response(status=206, body=data[start : end + 1], headers=headers)


async def _cdn_audio(request: web.Request) -> web.Response:
    return _cdn(request, streaming=False)


async def _cdn_stream(request: web.Request) -> web.Response:
    return _cdn(request, streaming=True)


def _cdn(request: web.Request, *, streaming: bool) -> web.Response:
    clip_id = request.match_info["clip_id"]
    data = None
    for source in request.app[AUDIO_SOURCES_KEY]:
        data = source.clip_audio(clip_id, streaming=streaming)
        if data is not None:
            break
    if data is None:
        what = "streaming or complete" if streaming else "complete"
        raise ApiError(404, f"No audio for clip {clip_id}: it is not a {what} clip.")
    return _wav(request, data, request.app[CONFIG_KEY].readings.audio_type("audio/wav"))


async def _sample(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    match = _SAMPLE.fullmatch(name)
    if match is None:
        raise ApiError(404, f"No sample audio at /samples/{name}: use /samples/track-<n>.wav.")
    seconds = request.app[CONFIG_KEY].audio_seconds
    return _wav(request, synth_wav(f"sample-{match[1]}", seconds))


def add_audio_source(app: web.Application, source: AudioSource) -> None:
    """Serve the audio of ``source``'s clips from the CDN routes of ``app``.

    Sources are asked in the order they were added; the first that has the clip answers.
    """
    app[AUDIO_SOURCES_KEY].append(source)


def make_app(
    config: EmulatorConfig,
    requests: list[RequestRecord],
    http_faults: HttpFaults,
    *,
    chaos: ChaosEngine | None = None,
    clock: Clock | None = None,
) -> web.Application:
    """The aiohttp application of an emulator run with ``config``, logging to ``requests``.

    It has the middleware, the CDN and the sample tracks, and no provider yet: mount each
    provider's route set on it with that provider's ``add_routes``. ``http_faults`` holds the
    scripted HTTP faults and ``chaos`` draws the random ones (none if ``None``); ``clock``
    stamps each logged request (:attr:`RequestRecord.at`).
    """
    app = web.Application(
        middlewares=[_log_requests, _inject_faults, _error_bodies, _require_bearer]
    )
    app[CONFIG_KEY] = config
    app[REQUESTS_KEY] = requests
    app[HTTP_FAULTS_KEY] = http_faults
    app[CHAOS_KEY] = chaos if chaos is not None else ChaosEngine(None)
    app[CLOCK_KEY] = clock
    app[AUDIO_SOURCES_KEY] = []
    app.router.add_get("/cdn/audio/{clip_id}.wav", _cdn_audio)
    app.router.add_get("/cdn/stream/{clip_id}.wav", _cdn_stream)
    app.router.add_get("/samples/{name}", _sample)
    return app
