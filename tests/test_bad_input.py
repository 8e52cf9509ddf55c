"""Every public argument is checked before any request.

The walk reads the public surface by introspection: each public method of
:class:`~suno_async.MountseaClient`, :class:`~suno_async.SunoapiClient`,
:class:`~suno_async.SunoapiV30` (reached as ``client.v30``) and :class:`~suno_async.SunoapiV1`
(``client.v1``), both client constructors (their ``**options`` through :class:`ClientOptions`),
the configuration objects passed to them (:class:`~suno_async.PollSchedule`,
:class:`~suno_async.RetryPolicy`, :class:`~suno_async.WebhookReceiver`) and the public functions
of ``suno_async.__all__``. For every parameter it derives wrong values from the annotation
(None where it is not optional, wrong types, NaN, infinities, negatives, bools where a number
is wanted, bare strings and bad items where a list is wanted, unknown enum values, blank
strings), puts one into an otherwise valid call (the table :func:`valid_calls`) and asserts a
:class:`~suno_async.ConfigError` that names the parameter, with no request reaching the
emulator. ``generate``'s ``**fields`` are walked through the fields of ``GenerateRequest``, and
the fields of the structs inside it (``range.start_s`` and so on).

Only what an annotation cannot say is written by hand: the valid call of each method, a valid
value for the container and struct fields of ``GenerateRequest``, the few values that are
valid although the annotation-driven rule calls them wrong (:data:`LENIENT`), and gaps not
fixed yet (:data:`KNOWN_GAPS`, strict xfails; empty today). Guard tests fail
when a public method or parameter appears without a valid call, or is not walked.
"""

from __future__ import annotations

import collections.abc as cabc
import enum
import functools
import inspect
import io
import os
import re
import types
import typing
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any, Final, Literal, NamedTuple

import aiohttp
import anyio
import msgspec
import pytest
from anyio.streams.memory import MemoryObjectReceiveStream

import suno_async
from suno_async import (
    Clip,
    ConfigError,
    Credits,
    GenerateRequest,
    MountseaClient,
    PollSchedule,
    RetryPolicy,
    SunoapiClient,
    SunoapiV1,
    SunoapiV30,
    TaskKind,
    WebhookReceiver,
)
from suno_async._core._base_client import ClientCore
from suno_async.emulator import Emulator, EmulatorConfig, VirtualClock
from suno_async.testing import FAST_RETRY, TEST_API_KEY

pytestmark = pytest.mark.anyio

#: Names some annotations use only under ``TYPE_CHECKING``.
_LOCALNS: dict[str, Any] = {
    "aiohttp": aiohttp,
    "anyio": anyio,
    "ClientCore": ClientCore,
    "MemoryObjectReceiveStream": MemoryObjectReceiveStream,
}


# -- the surface ----------------------------------------------------------------------------

#: The classes whose public methods are walked, by the name tests show.
CLIENT_CLASSES: dict[str, type] = {
    "MountseaClient": MountseaClient,
    "SunoapiClient": SunoapiClient,
    "SunoapiV30": SunoapiV30,
    "SunoapiV1": SunoapiV1,
}
#: Endpoint groups a client builds from its core, reached as an attribute of the client.
GROUPS: dict[str, str] = {"SunoapiV30": "v30", "SunoapiV1": "v1"}
#: Value objects a client takes (their constructors are walked like the clients').
CONFIG_CLASSES: dict[str, type] = {
    "PollSchedule": PollSchedule,
    "RetryPolicy": RetryPolicy,
    "WebhookReceiver": WebhookReceiver,
}


def public_methods(cls: type) -> list[str]:
    """The public methods of ``cls`` (properties left out: they take no input)."""
    return sorted(
        name
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_") and inspect.isfunction(member)
    )


def public_functions() -> list[str]:
    """The functions among ``suno_async.__all__``."""
    return sorted(
        name for name in suno_async.__all__ if inspect.isfunction(getattr(suno_async, name))
    )


@functools.cache
def surface() -> dict[str, Callable[..., Any]]:
    """Every walked target by its test name: ``Class`` (constructor), ``Class.method``,
    ``function``."""
    targets: dict[str, Callable[..., Any]] = {}
    for owner, cls in CLIENT_CLASSES.items():
        if owner not in GROUPS:  # built by SunoapiClient from its core, not by users
            targets[owner] = cls
        for name in public_methods(cls):
            targets[f"{owner}.{name}"] = getattr(cls, name)
    targets.update(CONFIG_CLASSES)
    for name in public_functions():
        targets[name] = getattr(suno_async, name)
    return targets


# -- wrong values by annotation ---------------------------------------------------------------


class Bad(NamedTuple):
    """One wrong value: its label in the test id, and the value (or, for ``derive``, a
    function of the parameter's valid value, e.g. a valid list with one bad item)."""

    label: str
    value: Any
    derive: bool = False


def _strip_optional(annotation: Any) -> tuple[Any, bool]:
    """``annotation`` without ``None`` (or msgspec's ``UnsetType``), and whether it had one."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        kept = [a for a in args if a not in (type(None), msgspec.UnsetType)]
        optional = len(kept) < len(args)
        if len(kept) == 1:
            return kept[0], optional
        return typing.Union[tuple(kept)], optional  # noqa: UP007 - built at run time
    return annotation, False


def _is_path(annotation: Any) -> bool:
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return False
    args = typing.get_args(annotation)
    return str in args and any(typing.get_origin(a) is os.PathLike for a in args)


_NAN = float("nan")
_INF = float("inf")


def _with_item(bad_item: Any) -> Callable[[Any], Any]:
    """A valid list whose first item is replaced by ``bad_item``."""

    def derive(valid: Any) -> Any:
        items = list(valid)
        return [bad_item, *items[1:]]

    return derive


def _number_values(annotation: Any) -> list[Bad]:
    values = [
        Bad("'x'", "x"),
        Bad("nan", _NAN),
        Bad("inf", _INF),
        Bad("-inf", -_INF),
        Bad("-1", -1),
        Bad("True", True),
    ]
    if annotation is int:
        values.append(Bad("2.5", 2.5))
    return values


def wrong_values(annotation: Any, *, text_blanks: bool = True) -> list[Bad]:
    """Wrong values for a parameter annotated ``annotation``.

    ``None`` is left out when the annotation allows it; blank strings are left out for struct
    fields (``text_blanks=False``: optional text the provider judges, see the module docstring
    of ``suno_async.mountsea._validation``).
    """
    inner, optional = _strip_optional(annotation)
    values = [] if optional else [Bad("None", None)]
    origin = typing.get_origin(inner)
    args = typing.get_args(inner)
    if inner is Any:
        return []
    if inner is str:
        values += [Bad("5", 5), Bad("['x']", ["x"])]
        if text_blanks:
            values += [Bad("''", ""), Bad("'   '", "   ")]
    elif _is_path(inner):
        values += [Bad("5", 5), Bad("''", ""), Bad("b'x'", b"x")]
    elif inner is bool:
        values += [Bad("'no'", "no"), Bad("1", 1)]
    elif inner in (int, float):
        values += _number_values(inner)
    elif origin is Literal or (isinstance(inner, type) and issubclass(inner, enum.Enum)):
        values += [Bad("'nope'", "nope"), Bad("5", 5)]
    elif origin in (cabc.Sequence, cabc.Iterable, cabc.Collection, list):
        (item,) = args
        values += [Bad("5", 5), Bad("'abc'", "abc")]
        if item is str:
            values += [
                Bad("[5, ...]", _with_item(5), derive=True),
                Bad("[None, ...]", _with_item(None), derive=True),
            ]
            if text_blanks:
                values.append(Bad("['', ...]", _with_item(""), derive=True))
        else:
            values.append(Bad("[5, ...]", _with_item(5), derive=True))
    elif origin in (cabc.Mapping, dict):
        values += [Bad("[]", []), Bad("'abc'", "abc")]
        values.append(
            Bad("{'nope': ...}", lambda valid: {"nope": next(iter(valid.values()))}, True)
        )
        values.append(Bad("{key: 5}", lambda valid: dict.fromkeys(valid, 5), True))
        values.append(Bad("{key: None}", lambda valid: dict.fromkeys(valid), True))
    elif origin is cabc.Callable:
        values += [Bad("5", 5), Bad("'print'", "print")]
    elif origin is tuple:
        values += [
            Bad("'x'", "x"),
            Bad("(1.0,)", (1.0,)),
            Bad("(nan, 1.0)", (_NAN, 1.0)),
            Bad("(1.0, inf)", (1.0, _INF)),
            Bad("(-1.0, 1.0)", (-1.0, 1.0)),
        ]
    elif isinstance(inner, type) and issubclass(inner, msgspec.Struct):
        values += [Bad("'x'", "x"), Bad("5", 5)]
        if any(f.required for f in msgspec.structs.fields(inner)):
            values.append(Bad("{}", {}))  # a dict is the wire form: only one lacking a field
    elif isinstance(inner, type):  # a class: a clock, a session, a policy
        values += [Bad("'x'", "x"), Bad("5", 5), Bad("{}", {})]
    elif origin in (typing.Union, types.UnionType):  # str | list[str] (tags)
        values += [Bad("5", 5), Bad("[5]", [5])]
    else:  # pragma: no cover - a new kind of annotation: teach the walk about it
        raise AssertionError(f"no wrong values known for {annotation!r}")
    return values


#: Values the annotation-driven rule calls wrong that the library documents as valid.
LENIENT: dict[tuple[str, str], str] = {
    ("title", "''"): "a blank optional title is left out (check_style)",
    ("title", "'   '"): "a blank optional title is left out (check_style)",
    ("prices", "{key: 5}"): "prices are whole numbers of credits: 5 is one",
    ("params", "{'nope': ...}"): "request() sends any query parameter the caller names",
    ("json", "{'nope': ...}"): "request() sends any JSON object the caller gives",
    ("json", "{key: 5}"): "request() sends any JSON object the caller gives",
    ("json", "{key: None}"): "request() sends any JSON object the caller gives",
    ("extra_body", "{'nope': ...}"): "extra_body is for fields this release does not know",
    ("extra_body", "{key: 5}"): "extra_body values are any JSON the provider takes",
    ("extra_body", "{key: None}"): "extra_body values are any JSON the provider takes",
}


# -- parameters of each target ----------------------------------------------------------------


class Param(NamedTuple):
    name: str
    annotation: Any
    positional: bool  # positional-only
    required: bool  # no default


def _hints(obj: Any) -> dict[str, Any]:
    return typing.get_type_hints(obj, localns=_LOCALNS)


@functools.cache
def parameters(target: Callable[..., Any]) -> tuple[list[Param], type[msgspec.Struct] | None]:
    """The parameters of ``target`` with resolved annotations, ``**options`` expanded to the
    fields of :class:`ClientOptions`; and the struct whose fields ``**fields`` takes, if any."""
    function = target.__init__ if isinstance(target, type) else target  # type: ignore[misc]
    signature = inspect.signature(function)
    hints = _hints(function)
    params: list[Param] = []
    fields_struct: type[msgspec.Struct] | None = None
    for p in signature.parameters.values():
        if p.name == "self":
            continue
        if p.kind is p.VAR_KEYWORD:
            hint = hints.get(p.name)
            if typing.get_origin(hint) is typing.Unpack:
                (options,) = typing.get_args(hint)
                required_keys: frozenset[str] = options.__required_keys__
                for name, annotation in _hints(options).items():
                    params.append(Param(name, annotation, False, name in required_keys))
            else:  # **fields of the struct the positional request takes
                fields_struct = next(
                    _strip_optional(q.annotation)[0]
                    for q in params
                    if isinstance(_strip_optional(q.annotation)[0], type)
                    and issubclass(_strip_optional(q.annotation)[0], msgspec.Struct)
                )
            continue
        positional = p.kind is p.POSITIONAL_ONLY
        params.append(Param(p.name, hints[p.name], positional, p.default is p.empty))
    return params, fields_struct


# -- the valid calls ---------------------------------------------------------------------------


class Env(NamedTuple):
    emulator: Emulator
    tmp: Path


def _audio(env: Env, n: int) -> list[str]:
    return env.emulator.sample_audio_urls(n)


def valid_calls(env: Env) -> dict[str, dict[str, Any]]:
    """One valid call per target: its arguments by parameter name (``**fields`` inline)."""
    clip = Clip(id="clip-1", audio_url=_audio(env, 1)[0])
    create = {"task": "create", "model": "chirp-v50"}
    options = client_options(env)
    common: dict[str, dict[str, Any]] = {
        "aclose": {},
        "download": {"url": _audio(env, 1)[0], "path": env.tmp / "one.wav"},
        "download_clips": {"clips": [clip], "directory": env.tmp / "clips"},
        "poll_schedule": {"kind": TaskKind.UPLOAD},
        "with_options": {
            "timeout": 5.0,
            "connect_timeout": 2.0,
            "max_retries": 1,
            "retry": FAST_RETRY,
        },
    }
    calls: dict[str, dict[str, Any]] = {
        "MountseaClient": {
            **options,
            "extra_models": ["chirp-v60"],
            "prices": {"lyrics": 1},
            "allow_unknown_models": False,
            "check_schema": True,
            "usage_url": "https://usage.example.org",
        },
        "SunoapiClient": {**options, "clip_batch_size": 10},
        "PollSchedule": {
            "first_delay": 1.0,
            "interval": 1.0,
            "factor": 1.5,
            "max_interval": 4.0,
            "timeout": 60.0,
            "expected": (5.0, 10.0),
        },
        "RetryPolicy": {"max_retries": 2, "max_elapsed": 30.0},
        "stream_events": {"run": _quiet_run, "max_buffer": 8},
    }
    for owner in ("MountseaClient", "SunoapiClient"):
        for name, arguments in common.items():
            calls[f"{owner}.{name}"] = arguments
    calls |= {
        "MountseaClient.prepare_custom_model": {},
        "MountseaClient.upload_custom_model_audio": {
            "session_id": "session-1",
            "audio_url": _audio(env, 1)[0],
        },
        "MountseaClient.create_custom_model": {
            "session_id": "session-1",
            "clip_ids": [f"clip-{i}" for i in range(6)],
            "name": "my model",
        },
        "MountseaClient.train_custom_model": {
            "audio_urls": _audio(env, 7),
            "name": "my model",
            "clip_count": 6,
            "journal": env.tmp / "training.json",
        },
        "MountseaClient.generate": dict(create),
        "MountseaClient.start_generation": dict(create),
        "MountseaClient.generate_and_wait": dict(create),
        "MountseaClient.generate_and_download": {
            **create,
            "directory": env.tmp / "generated",
            "journal": env.tmp / "generation.json",
        },
        "MountseaClient.pure_music": {"tags": "lofi", "title": "Night"},
        "MountseaClient.get_status": {"task_id": "task-1"},
        "MountseaClient.wait_for_task": {"task_id": "task-1", "kind": TaskKind.UPLOAD},
        "MountseaClient.wait_for_upload": {"task_id": "task-1"},
        "MountseaClient.wait_for_training": {"task_id": "task-1"},
        "MountseaClient.wait_for_generation": {"task_id": "task-1"},
        "MountseaClient.lyrics": {"prompt": "rain", "lyrics_model": "remi-v1"},
        "MountseaClient.concat": {
            "clip_id": "clip-1",
            "is_infill": True,
            "edit_session_id": "edit-1",
            "project_id": "project-1",
        },
        "MountseaClient.create_playlist": {"clip_ids": ["clip-1"], "name": "mine"},
        "MountseaClient.upload": {"audio_url": _audio(env, 1)[0]},
        "MountseaClient.create_upload_session": {},
        "MountseaClient.upload_session_item": {
            "session_id": "session-1",
            "audio_url": _audio(env, 1)[0],
        },
        "MountseaClient.get_upload_session": {"session_id": "session-1"},
        "MountseaClient.init_voice_persona": {
            "voice_audio_url": _audio(env, 1)[0],
            "language": "en",
            "vocal_start_s": 1.0,
            "vocal_end_s": 9.0,
        },
        "MountseaClient.complete_voice_persona": {
            "task_id": "task-1",
            "verification_audio_url": _audio(env, 1)[0],
            "name": "voice",
            "description": "mine",
            "is_public": False,
            "image_s3_id": "image-1",
        },
        "MountseaClient.create_voice_persona": {
            "voice_audio_url": _audio(env, 1)[0],
            "language": "en",
            "name": "voice",
            "verify": _verify,
            "vocal_start_s": 0.0,
            "vocal_end_s": 5.0,
            "description": "mine",
            "is_public": False,
            "timeout": 60.0,
        },
        "MountseaClient.remaster": {
            "clip_id": "clip-1",
            "model_name": "chirp-carp",
            "variation_category": "subtle",
        },
        "MountseaClient.adjust_speed": {
            "clip_id": "clip-1",
            "speed_multiplier": 2.0,
            "keep_pitch": True,
            "title": "fast",
        },
        "MountseaClient.timing": {"clip_id": "clip-1"},
        "MountseaClient.downbeats": {"clip_id": "clip-1"},
        "MountseaClient.midi": {"clip_id": "clip-1"},
        "MountseaClient.crop": {
            "clip_id": "clip-1",
            "start_s": 1.0,
            "end_s": 2.0,
            "remove": False,
            "ui_surface": "editor",
        },
        "MountseaClient.fade": {
            "clip_id": "clip-1",
            "fade_in_s": 1.0,
            "fade_out_s": 2.0,
            "title": "faded",
        },
        "MountseaClient.generate_image": {"prompt": "a cat", "category": "basic"},
        "MountseaClient.generate_schema": {"task": "create"},
        "MountseaClient.cached_generate_schema": {},
        "MountseaClient.request": {
            "method": "GET",
            "path": "/suno/v2/generate/schema",
            "json": {"task": "create"},
            "params": {"task": "create"},
            "safe": True,
        },
        "MountseaClient.task": {"task_id": "task-1", "kind": "lyrics"},
        "MountseaClient.price_of": {"endpoint": "lyrics"},
        "MountseaClient.get_credits": {},
        "MountseaClient.get_services": {},
        "MountseaClient.usage_pages": {
            "start": "2026-01-01",
            "end": "2026-02-01",
            "kind": "points",
            "limit": 10,
        },
        "MountseaClient.usage_records": {
            "start": "2026-01-01",
            "end": "2026-02-01",
            "kind": "usage",
            "limit": 10,
        },
        "SunoapiClient.create_pure_music": {"tags": "lofi", "title": "Night"},
        "SunoapiClient.create_lyrics_song": {"prompt": "la la", "tags": "pop"},
        "SunoapiClient.extend": {
            "continue_clip_id": "clip-1",
            "continue_at": 10.0,
            "prompt": "la la",
            "tags": "pop",
        },
        "SunoapiClient.get_clips": {"clip_ids": ["clip-1", "clip-2"]},
        "SunoapiClient.wait_for_clips": {"clip_ids": ["clip-1", "clip-2"], "until": "streaming"},
        "SunoapiClient.pure_music": {"tags": "lofi"},
        "SunoapiV30.create_pure_music": {"tags": "lofi", "title": "Night"},
        "SunoapiV30.create_lyrics_song": {"prompt": "la la", "tags": "pop"},
        "SunoapiV30.random_pure_music": {"description": "a calm sea"},
        "SunoapiV30.random_lyrics_song": {"description": "a calm sea"},
        "SunoapiV30.get_task": {"task_id": "task-1"},
        "SunoapiV30.wait_for_task": {"task_id": "task-1"},
        "SunoapiClient.credits": {},
        "SunoapiClient.budget_from_balance": {"reserve": 0},
        "SunoapiClient.reconcile": {"since": Credits(credits=500)},
        "SunoapiV1.get_credits": {},
        "SunoapiV1.create": {"prompt": "la la", "tags": "pop", "title": "Night"},
        "SunoapiV1.make_lyrics": {"prompt": "rain on the window"},
        "SunoapiV1.stems_basic": {"clip_id": "clip-1"},
        "SunoapiV1.stems_full": {"clip_id": "clip-1"},
        "SunoapiV1.get_task": {"task_id": "task-1"},
        "SunoapiV1.task": {"task_id": "task-1", "kind": "lyrics"},
        "run_batch": {
            "rows": env.tmp / ROWS_FILE,
            "store": env.tmp / STORE_FILE,
            "mountsea": MOUNTSEA,
            "sunoapi": SUNOAPI,
            "concurrency": 2,
            "directory": env.tmp / "batch",
            "resend_if_ambiguous": False,
            "retry_failed": True,
            "timeout": 60.0,
            "default_kind": "generate",
            "on_event": _quiet_handler,
            "progress": suno_async.BatchProgress(),
        },
        "retry_batch": {
            "store": env.tmp / STORE_FILE,
            "mountsea": MOUNTSEA,
            "sunoapi": SUNOAPI,
            "concurrency": 2,
            "directory": env.tmp / "batch",
            "resend_if_ambiguous": False,
            "timeout": 60.0,
            "on_event": _quiet_handler,
            "progress": suno_async.BatchProgress(),
        },
        "export_results": {
            "store": env.tmp / STORE_FILE,
            "out": io.StringIO(),
            "format": "csv",
            "statuses": ["done", "failed"],
        },
        "read_rows": {"path": env.tmp / ROWS_FILE, "default_kind": "generate"},
        "WebhookReceiver": {
            "secret": "s3cret",
            "url": "https://example.org/hook",
            "tolerance": 300.0,
            "remember": 10,
            "now": lambda: 0.0,
        },
    }
    return calls


def client_options(env: Env) -> dict[str, Any]:
    """A valid value for every client option (each is walked from here)."""
    return {
        "api_key": TEST_API_KEY,
        "base_url": env.emulator.base_url,
        "session": None,
        "timeout": 30.0,
        "connect_timeout": 5.0,
        "max_retries": 2,
        "retry": FAST_RETRY,
        "max_concurrent_polls": 4,
        "poll_schedules": {TaskKind.UPLOAD: PollSchedule(1.0, 1.0, 1.5, 4.0, 60.0)},
        "clock": env.emulator.clock,
        "allow_insecure_http": False,
        "max_credits": 1000,
        "max_polls_per_second": 5.0,
    }


#: A valid value of each ``GenerateRequest`` field whose wrong values are built from one (its
#: items, or the fields of the struct it holds).
VALID_FIELDS: dict[str, Any] = {
    "tags": "pop",
    "negative_tags": "metal",
    "range": {"start_s": 1.0, "end_s": 2.0},
    "infill_context_range": {"start_s": 0.0, "end_s": 3.0},
    "persona": {"persona_id": "persona-1", "artist_clip_id": "clip-1", "persona_style": "vox"},
    "controls": {"style_weight": 0.5, "audio_weight": 0.5, "weirdness_constraint": 0.5},
    "mashup_clip_ids": ["clip-1", "clip-2"],
    "playlist_clip_ids": ["clip-1", "clip-2"],
    "sound": {"description": "a door", "type": "one_shot", "key": "C", "bpm": 120.0},
}


async def _quiet_run(on_event: Any) -> int:
    return 1


def _quiet_handler(event: Any) -> None:
    return None


#: Stand-ins in the batch functions' valid calls for a client, made (and closed) by
#: :func:`invoke` around the call.
MOUNTSEA: Final = object()
SUNOAPI: Final = object()
#: The rows file and the job store of the batch functions' valid calls (made by :func:`invoke`).
ROWS_FILE: Final = "rows.csv"
STORE_FILE: Final = "batch.db"


def _batch_files(env: Env) -> None:
    """The files the batch functions' valid calls name: one generate row, and an empty store."""
    rows = env.tmp / ROWS_FILE
    if not rows.exists():
        rows.write_text("key,task,tags\nsong-1,create,pop\n", encoding="utf-8")
    if not (env.tmp / STORE_FILE).exists():
        suno_async.JobStore.open(env.tmp / STORE_FILE).close()


async def _verify(phrase: str) -> str:
    return "https://example.com/verify.mp3"


# -- the cases ------------------------------------------------------------------------------


class Case(NamedTuple):
    target: str
    argument: str  # the parameter the error must name
    label: str  # test id: what was passed
    apply: Callable[[dict[str, Any]], dict[str, Any]]  # valid call -> the bad call


def _replace(name: str, bad: Bad) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def apply(call: dict[str, Any]) -> dict[str, Any]:
        value = bad.value(call[name]) if bad.derive else bad.value
        return {**call, name: value}

    return apply


def _struct_field(
    field: str, struct: type[msgspec.Struct], sub: str, bad: Bad
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def apply(call: dict[str, Any]) -> dict[str, Any]:
        valid = dict(VALID_FIELDS[field])
        valid[sub] = bad.value(valid[sub]) if bad.derive else bad.value
        return {**call, field: struct(**valid)}

    return apply


def _field_cases(target: str, struct: type[msgspec.Struct]) -> Iterator[Case]:
    """Cases for ``**fields``: each field of ``struct``, and each field of a struct in it."""
    for name, annotation in _hints(struct).items():
        inner, _ = _strip_optional(annotation)
        if isinstance(inner, type) and issubclass(inner, msgspec.Struct):
            yield from (
                Case(target, name, f"{name}={bad.label}", _replace(name, bad))
                for bad in wrong_values(annotation, text_blanks=False)
            )
            for sub, sub_annotation in _hints(inner).items():
                for bad in wrong_values(sub_annotation, text_blanks=False):
                    label = f"{name}.{sub}={bad.label}"
                    yield Case(target, name, label, _struct_field(name, inner, sub, bad))
            continue
        for bad in wrong_values(annotation, text_blanks=False):
            if bad.derive and name not in VALID_FIELDS:
                continue
            yield Case(target, name, f"{name}={bad.label}", _with_field(name, bad))


def _with_field(name: str, bad: Bad) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def apply(call: dict[str, Any]) -> dict[str, Any]:
        value = bad.value(VALID_FIELDS[name]) if bad.derive else bad.value
        return {**call, name: value}

    return apply


def _without_fields(
    name: str, bad: Bad, struct: type[msgspec.Struct]
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A bad positional request: the fields are left out (a request and fields exclude each
    other)."""

    def apply(call: dict[str, Any]) -> dict[str, Any]:
        kept = {k: v for k, v in call.items() if k not in struct.__struct_fields__}
        return {**kept, name: bad.value}

    return apply


def build_cases() -> list[Case]:
    cases: list[Case] = []
    for target, function in surface().items():
        params, fields_struct = parameters(function)
        for param in params:
            for bad in wrong_values(param.annotation):
                if (param.name, bad.label) in LENIENT:
                    continue
                if param.positional and fields_struct is not None:
                    apply = _without_fields(param.name, bad, fields_struct)
                else:
                    apply = _replace(param.name, bad)
                cases.append(Case(target, param.name, f"{param.name}={bad.label}", apply))
        if fields_struct is not None:
            cases.extend(_field_cases(target, fields_struct))
    return cases


CASES = build_cases()


class Gap(NamedTuple):
    """A known gap: where the fix belongs, and the labels of the values it lets through
    (``None``: every value walked)."""

    where: str
    labels: frozenset[str] | None = None


#: Gaps the walk finds that are not fixed yet, by target and argument. Their cases are
#: strict xfails: once one is fixed its case passes, fails as XPASS(strict), and its entry
#: must go. (Empty: every gap found is fixed.)
KNOWN_GAPS: dict[tuple[str, str], Gap] = {}


def _known_gap(case: Case) -> Gap | None:
    gap = KNOWN_GAPS.get((case.target, case.argument))
    value = case.label.split("=", 1)[1]
    return gap if gap is not None and (gap.labels is None or value in gap.labels) else None


def _params(cases: list[Case]) -> list[Any]:
    params = []
    for case in cases:
        gap = _known_gap(case)
        marks = [] if gap is None else [pytest.mark.xfail(reason=gap.where, strict=True)]
        params.append(pytest.param(case, id=f"{case.target}[{case.label}]", marks=marks))
    return params


# -- running a call ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def emulator() -> AsyncIterator[Emulator]:
    """One emulator for the whole module (every bad call must leave it untouched)."""
    async with Emulator(EmulatorConfig(), clock=VirtualClock()) as emulator:
        yield emulator


@pytest.fixture
def env(emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Env:
    """The emulator and a directory for this test, also the working directory (an empty path
    that slips through must not write into the checkout)."""
    monkeypatch.chdir(tmp_path)
    return Env(emulator, tmp_path)


@pytest.fixture(autouse=True)
def _no_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MOUNTSEA_API_KEY", "MOUNTSEA_BASE_URL", "SUNOAPI_API_KEY", "SUNOAPI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def _split(target: str, call: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """Positional-only arguments apart from the rest."""
    params, _ = parameters(surface()[target])
    positional = [p.name for p in params if p.positional]
    return [call[n] for n in positional if n in call], {
        k: v for k, v in call.items() if k not in positional
    }


async def invoke(target: str, call: dict[str, Any], env: Env) -> Any:
    """Make the call ``call`` to ``target`` (a fresh client for a method, closed after)."""
    args, kwargs = _split(target, call)
    owner, _, method = target.partition(".")
    if target == "stream_events":
        async with suno_async.stream_events(*args, **kwargs) as events:
            return await events.wait()
    if not method:
        if target in BATCH_FUNCTIONS:
            return await _invoke_batch(target, args, kwargs, env)
        made = surface()[target](*args, **kwargs)
        if isinstance(made, MountseaClient | SunoapiClient):
            await made.aclose()
        return made
    client_class = SunoapiClient if owner in GROUPS else CLIENT_CLASSES[owner]
    async with client_class(**client_options(env)) as client:
        bound = getattr(client, GROUPS[owner]) if owner in GROUPS else client
        result = getattr(bound, method)(*args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result


BATCH_FUNCTIONS: Final = frozenset({"run_batch", "retry_batch", "export_results", "read_rows"})


async def _invoke_batch(target: str, args: list[Any], kwargs: dict[str, Any], env: Env) -> Any:
    """A batch function called with real clients in place of the stand-ins, and its files."""
    _batch_files(env)
    async with (
        MountseaClient(**client_options(env)) as mountsea,
        SunoapiClient(**client_options(env)) as sunoapi,
    ):
        stand_ins = {id(MOUNTSEA): mountsea, id(SUNOAPI): sunoapi}
        kwargs = {k: stand_ins.get(id(v), v) for k, v in kwargs.items()}
        result = surface()[target](*args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        if target == "read_rows":
            result = list(result)
        return result


def names_argument(error: ConfigError, argument: str) -> bool:
    """Whether ``error`` names ``argument``: as its ``argument``, or in its message."""
    return error.argument == argument or re.search(rf"\b{argument}\b", str(error)) is not None


# -- the tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("case", _params(CASES))
async def test_bad_input_is_refused_before_any_request(case: Case, env: Env) -> None:
    """A wrong value raises ConfigError naming its parameter, and nothing is sent."""
    call = case.apply(valid_calls(env)[case.target])
    before = len(env.emulator.requests)
    with anyio.fail_after(10), pytest.raises(ConfigError) as info:
        await invoke(case.target, call, env)
    assert names_argument(info.value, case.argument), (info.value.argument, str(info.value))
    assert info.value.argument == case.argument or case.target in CONFIG_CLASSES, (
        f"argument={info.value.argument!r}"
    )
    assert len(env.emulator.requests) == before, [
        (r.method, r.path) for r in env.emulator.requests[before:]
    ]


@pytest.mark.parametrize("target", sorted(surface()))
async def test_the_valid_call_passes_the_checks(target: str, env: Env) -> None:
    """Each valid call of the table is accepted (it may fail later, e.g. an unknown task id):
    the wrong value of a case is the only thing wrong with it."""
    try:
        with anyio.fail_after(10):
            await invoke(target, valid_calls(env)[target], env)
    except ConfigError as exc:
        pytest.fail(f"the valid call of {target} was refused: {exc}")
    except suno_async.SunoError:
        pass  # e.g. NotFoundError: the task ids of the table do not exist


async def test_every_public_target_has_a_valid_call(env: Env) -> None:
    """A new public method (or function, or option) fails here until the table has a valid
    call for it that sets every required parameter, so the walk cannot silently skip it."""
    calls = valid_calls(env)
    assert set(surface()) == set(calls), set(surface()) ^ set(calls)
    for target, function in surface().items():
        params, fields_struct = parameters(function)
        arguments = set(calls[target])
        known = {p.name for p in params}
        known |= set(fields_struct.__struct_fields__) if fields_struct else set()
        assert arguments <= known, (target, arguments - known)
        missing = {p.name for p in params if p.required and p.name not in arguments}
        assert not missing, (target, missing)
    for name, annotation in _hints(GenerateRequest).items():
        inner, _ = _strip_optional(annotation)
        if typing.get_origin(inner) is list or (
            isinstance(inner, type) and issubclass(inner, msgspec.Struct)
        ):
            assert name in VALID_FIELDS, name


def test_every_parameter_is_walked() -> None:
    """Every parameter of every target gets wrong values (none is skipped for want of a rule),
    and so does every field of ``GenerateRequest`` where ``**fields`` takes them."""
    walked = {(c.target, c.argument) for c in CASES}
    for target, function in surface().items():
        params, fields_struct = parameters(function)
        names = [p.name for p in params]
        names += list(fields_struct.__struct_fields__) if fields_struct else []
        for name in names:
            assert (target, name) in walked, (target, name)
    assert len(CASES) > 900


async def test_base_url_none_still_means_the_environment_or_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only an explicit empty base_url is refused; None reads MOUNTSEA_BASE_URL, then the
    default."""
    async with MountseaClient(api_key="k", base_url=None) as client:
        assert client.base_url == "https://api.mountsea.ai"
    monkeypatch.setenv("MOUNTSEA_BASE_URL", "https://suno.example.org")
    async with MountseaClient(api_key="k", base_url=None) as client:
        assert client.base_url == "https://suno.example.org"
    with pytest.raises(ConfigError) as info:
        MountseaClient(api_key="k", base_url="")
    assert info.value.argument == "base_url"
