"""sunoapi.com v2's routes on the emulator's server (every answer is HTTP 200 unless an error).

v3.5 (answers the raw Suno generate object, or ``{"clips": [...]}``):

* ``POST /api/v2/suno/v3.5/custom/create-pure-music`` ``{tags, title?}``
* ``POST /api/v2/suno/v3.5/custom/create-lyrics-song`` ``{prompt, tags, title?}``
* ``POST /api/v2/suno/v3.5/extend`` ``{prompt, tags, title?, continue_clip_id, continue_at}``
* ``GET /api/v2/suno/v3.5/clips?ids=<id>,<id>,...``

v3.0 (answers ``{"code": 200, "data": ..., "message": "success"}``):

* ``POST /api/v2/suno/v3.0/custom/create-pure-music`` ``{tags, title?}``
* ``POST /api/v2/suno/v3.0/custom/create-lyrics-song`` ``{prompt, tags, title?}``
* ``POST /api/v2/suno/v3.0/random/create-pure-music`` ``{description}``
* ``POST /api/v2/suno/v3.0/random/create-lyrics-song`` ``{description}``
* ``GET /api/v2/suno/v3.0/clip/{task_id}``: ``data`` is ``{task_id, status, input, clips}``.

v1 (``/api/v1/...``: the balance, create with webhooks, make-lyrics, stems, task lookups) is
mounted here too, from :mod:`~suno_async.emulator._sunoapi._v1_routes`, on the same account.

Bodies, their checks and the clips' life are described in
:mod:`~suno_async.emulator._sunoapi._validation` and :mod:`~suno_async.emulator._sunoapi._state`;
the bearer check, error bodies (``{"code", "message"}``), unknown routes and the CDN that serves
the clips' audio are the shared app's (:mod:`~suno_async.emulator._app`).

Choices where the provider is silent: POSTs answer 200, not 201 (the wrapper's ``code`` is 200
and "the HTTP status code of the response"); ``GET v3.0/clip`` and ``GET v3.0/clip/`` without a
task id answer 400 "missing task id." (the vendor's documented v1 text).

Under the reading ``created_status`` (:class:`~suno_async.emulator._readings.Readings`) a
successful POST answers that status instead, and a v3.0 wrapper's ``code`` says the same.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final

from aiohttp import web

from suno_async.emulator._app import add_audio_source
from suno_async.emulator._errors import ApiError
from suno_async.emulator._http import json_body, json_response
from suno_async.emulator._sunoapi._state import SunoapiState
from suno_async.emulator._sunoapi._v1_routes import add_v1_routes
from suno_async.emulator._sunoapi._validation import Family, validate_custom, validate_random
from suno_async.emulator._validation import parse_object

__all__ = ["CREATED", "STATE_KEY", "V30", "V35", "add_routes"]

STATE_KEY: Final = web.AppKey("sunoapi", SunoapiState)
#: Path prefixes of the two families.
V35: Final = "/api/v2/suno/v3.5"
V30: Final = "/api/v2/suno/v3.0"

_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


#: What a successful POST answers in the emulator's reading of the docs.
CREATED: Final = 200


def _wrap(data: object, status: int = 200) -> web.Response:
    """A v3.0 answer: ``{"code", "data", "message"}``, the code equal to the HTTP status."""
    return json_response(status, {"code": status, "data": data, "message": "success"})


def _create_route(family: Family, *, custom: bool, instrumental: bool) -> _Handler:
    validate = validate_custom if custom else validate_random

    async def handle(request: web.Request) -> web.StreamResponse:
        state = request.app[STATE_KEY]
        spec = validate(
            parse_object(await json_body(request)), family=family, instrumental=instrumental
        )
        batch = state.create(spec)
        status = state.readings.created(CREATED)
        if family == "v3.5":
            return json_response(status, state.generate_object(batch))
        return _wrap({"task_id": state.readings.wire_id(batch.id)}, status)

    return handle


async def _extend(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    batch = state.extend(await json_body(request))
    return json_response(state.readings.created(CREATED), state.generate_object(batch))


async def _clips(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    return json_response(200, state.lookup(request.query.getall("ids", [])))


async def _task(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    return _wrap(state.task(request.match_info["task_id"]))


async def _missing_task_id(request: web.Request) -> web.StreamResponse:
    raise ApiError(400, "missing task id.")


def add_routes(app: web.Application, state: SunoapiState) -> None:
    """Serve sunoapi.com v2's routes from ``app``, backed by ``state`` (its clips' audio too)."""
    app[STATE_KEY] = state
    add_audio_source(app, state)
    router = app.router
    families: tuple[tuple[Family, str], ...] = (("v3.5", V35), ("v3.0", V30))
    for family, prefix in families:
        router.add_post(
            f"{prefix}/custom/create-pure-music",
            _create_route(family, custom=True, instrumental=True),
        )
        router.add_post(
            f"{prefix}/custom/create-lyrics-song",
            _create_route(family, custom=True, instrumental=False),
        )
    router.add_post(f"{V35}/extend", _extend)
    router.add_get(f"{V35}/clips", _clips)
    router.add_post(
        f"{V30}/random/create-pure-music", _create_route("v3.0", custom=False, instrumental=True)
    )
    router.add_post(
        f"{V30}/random/create-lyrics-song",
        _create_route("v3.0", custom=False, instrumental=False),
    )
    router.add_get(f"{V30}/clip/{{task_id}}", _task)
    router.add_get(f"{V30}/clip", _missing_task_id)
    router.add_get(f"{V30}/clip/", _missing_task_id)
    add_v1_routes(app, state.v1)
