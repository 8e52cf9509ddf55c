"""Checks on mountsea input; each raises ConfigError naming the argument, before any request.

Limits that mountsea does not document are not enforced: a ``generate`` title or tags of any
length are sent as given (the provider's answer is the judge).
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Final

import msgspec

from suno_async._core._exceptions import ConfigError
from suno_async._core._validation import (
    check_finite,
    check_http_url,
    check_ids,
    check_iterable,
    check_style,
)
from suno_async.mountsea._constants import MIN_TRAINING_CLIPS
from suno_async.mountsea._models import (
    CUSTOM_MODEL_PREFIX,
    REQUIRED_GENERATE_FIELDS,
    STOCK_MODELS,
    GenerateRequest,
    GenerateTask,
    TimeRange,
)
from suno_async.mountsea._tool_models import TaskSchema

__all__ = [
    "check_against_schema",
    "check_audio_urls",
    "check_extra_body",
    "check_extra_models",
    "check_generate_request",
    "check_model",
    "check_pure_music",
    "checked_generate",
]

logger = logging.getLogger("suno_async")

#: A model name this release does not know but may send (``allow_unknown_models``).
_ID_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+-]*")
#: The provider's naming of its models: a newer one is sent by default, with a warning.
_FAMILY_RE: Final = re.compile(r"chirp-v\d+(?:[._-][A-Za-z0-9]+)*")
_UUID_RE: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
#: Where msgspec says the error is: the top-level field of its path, else the missing field.
_FIELD_PATH: Final = re.compile(r"at `\$\.(\w+)")
_MISSING_FIELD: Final = re.compile(r"required field `(\w+)")


def check_audio_urls(urls: Iterable[str]) -> tuple[str, ...]:
    """At least six distinct absolute http(s) URLs, in the caller's order."""
    if isinstance(urls, str | bytes):
        raise ConfigError(
            "audio_urls must be a list of URLs, not a single string.", argument="audio_urls"
        )
    urls = check_iterable("audio_urls", urls, "URLs")
    checked = tuple(check_http_url("audio_urls", url) for url in urls)
    seen: set[str] = set()
    duplicates = [u for u in checked if u in seen or seen.add(u)]  # type: ignore[func-returns-value]
    if duplicates:
        raise ConfigError(
            f"audio_urls must be distinct; repeated: {', '.join(sorted(set(duplicates)))}.",
            argument="audio_urls",
        )
    if len(checked) < MIN_TRAINING_CLIPS:
        raise ConfigError(
            f"audio_urls needs at least {MIN_TRAINING_CLIPS} URLs to train a model, "
            f"got {len(checked)}.",
            argument="audio_urls",
        )
    return checked


def check_extra_models(extra_models: Collection[str]) -> frozenset[str]:
    """The client's ``extra_models``: a list (possibly empty) of model names."""
    return frozenset(check_ids("extra_models", extra_models, allow_empty=True))


def check_model(
    model: str, extra_models: Collection[str] = (), allow_unknown: bool | None = None
) -> str:
    """A stock model of :data:`STOCK_MODELS` (or of ``extra_models``), ``chirp-custom:<uuid>``,
    or a model this release does not know yet, sent with a warning:

    * ``allow_unknown`` ``None`` (the default): one named like the provider's models
      (``chirp-v<version>``, e.g. ``chirp-v60``), so a newer model works without a release
      while a typo such as ``chrip-v50`` fails before sending;
    * ``True``: any name that looks like a model id; ``False``: none.
    """
    if model.startswith(CUSTOM_MODEL_PREFIX):
        if _UUID_RE.fullmatch(model[len(CUSTOM_MODEL_PREFIX) :]):
            return model
    elif model in STOCK_MODELS or model in extra_models:
        return model
    elif (allow_unknown is None and _FAMILY_RE.fullmatch(model)) or (
        allow_unknown and _ID_RE.fullmatch(model)
    ):
        logger.warning(
            "model %r is not one this release knows; sending it as asked (the provider "
            "refuses it if it does not exist: nothing is charged then)",
            model,
        )
        return model
    close = difflib.get_close_matches(model, sorted(STOCK_MODELS), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ConfigError(
        f"model {model!r} is unknown: use one of {', '.join(sorted(STOCK_MODELS))}, a newer "
        f"chirp-v<version>, or {CUSTOM_MODEL_PREFIX}<uuid> from a trained custom model (any "
        f"other name can be allowed with the client's extra_models option).{hint}",
        argument="model",
    )


def _check_range(argument: str, value: TimeRange) -> None:
    check_finite(argument, value.start_s)
    check_finite(argument, value.end_s)
    if value.start_s < 0 or value.end_s < value.start_s:
        raise ConfigError(
            f"{argument} must have 0 <= start_s <= end_s, got {value.start_s}..{value.end_s}.",
            argument=argument,
        )


def check_generate_request(
    request: GenerateRequest,
    extra_models: Collection[str] = (),
    allow_unknown: bool | None = None,
) -> GenerateRequest:
    """``request`` if it carries every field its task requires and each field is in range.

    ``request`` must already have been through ``msgspec.convert`` (field types checked).
    """
    task = GenerateTask(request.task)
    check_model(request.model, extra_models, allow_unknown)
    missing = [
        name
        for name in REQUIRED_GENERATE_FIELDS[task]
        if getattr(request, name) in (msgspec.UNSET, None, "", [])
    ]
    if missing:
        raise ConfigError(
            f"task {task.value!r} requires {', '.join(missing)}.", argument=missing[0]
        )
    for name in ("range", "infill_context_range"):
        value = getattr(request, name)
        if value is not msgspec.UNSET:
            _check_range(name, value)
    if request.mashup_clip_ids is not msgspec.UNSET and len(request.mashup_clip_ids) != 2:
        raise ConfigError(
            "mashup_clip_ids must hold exactly two clip ids.", argument="mashup_clip_ids"
        )
    if request.controls is not msgspec.UNSET:
        for name in ("style_weight", "audio_weight", "weirdness_constraint"):
            value = getattr(request.controls, name)
            if value is not msgspec.UNSET and not 0.0 <= value <= 1.0:
                raise ConfigError(f"controls.{name} must be between 0 and 1.", argument="controls")
    if request.continue_at is not msgspec.UNSET:
        check_finite("continue_at", request.continue_at, minimum=0)
    bpm = request.sound.bpm if request.sound is not msgspec.UNSET else msgspec.UNSET
    if bpm is not msgspec.UNSET and check_finite("sound", bpm) <= 0:
        raise ConfigError(f"sound.bpm must be above 0, got {bpm!r}.", argument="sound")
    if request.audio_url is not msgspec.UNSET:
        check_http_url("audio_url", request.audio_url)
    return request


def check_pure_music(tags: str, title: str | None) -> dict[str, str]:
    """The fields of an instrumental request: non-empty ``tags``, an optional ``title``.

    mountsea documents no length limit for either, so none is applied (unlike sunoapi's).
    """
    return check_style(tags, title, tags_limit=None, title_limit=None)


def checked_generate(
    request: GenerateRequest | None,
    fields: dict[str, Any],
    extra_models: Collection[str],
    allow_unknown_models: bool | None = None,
) -> GenerateRequest:
    """The request to send, with every field type-checked and the task's required fields there.

    Raises:
        ConfigError: unknown fields, a wrong type, an unknown task or model, a missing field.
    """
    if request is not None and not isinstance(request, GenerateRequest):
        raise ConfigError(
            f"request must be a GenerateRequest, got {type(request).__name__} {request!r}; "
            "or pass its fields as keywords instead (generate(task=..., model=..., ...)).",
            argument="request",
        )
    if request is not None and fields:
        raise ConfigError("pass a GenerateRequest or keyword fields, not both.")
    unknown = sorted(set(fields) - set(GenerateRequest.__struct_fields__))
    if unknown:
        raise ConfigError(
            f"generate got unknown fields: {', '.join(unknown)}.", argument=unknown[0]
        )
    # A Struct built by hand (the request, or one passed as a field, e.g. a TimeRange) is not
    # type-checked by msgspec; a round trip through builtins checks it.
    raw = _builtins(_set_fields(request) if request is not None else fields)
    try:
        checked = msgspec.convert(raw, GenerateRequest)
    except msgspec.ValidationError as exc:
        path = _FIELD_PATH.search(str(exc)) or _MISSING_FIELD.search(str(exc))
        raise ConfigError(
            f"invalid generate request: {exc}.", argument=path.group(1) if path else None
        ) from None
    check_generate_request(checked, extra_models, allow_unknown_models)
    return checked


def check_extra_body(extra_body: Mapping[str, Any] | None) -> dict[str, Any]:
    """``extra_body`` of generate: fields this release does not know, as a dict (empty if
    ``None``); a field of :class:`GenerateRequest` must be passed as such instead."""
    if extra_body is None:
        return {}
    if not isinstance(extra_body, Mapping) or not all(isinstance(k, str) for k in extra_body):
        raise ConfigError(
            "extra_body must be a dict of field names to JSON values.", argument="extra_body"
        )
    known = sorted(set(extra_body) & set(GenerateRequest.__struct_fields__))
    if known:
        raise ConfigError(
            f"extra_body holds fields generate knows ({', '.join(known)}): pass them as "
            "keywords (or in the GenerateRequest) instead.",
            argument="extra_body",
        )
    try:
        msgspec.json.encode(extra_body)
    except TypeError as exc:
        raise ConfigError(f"extra_body is not JSON: {exc}.", argument="extra_body") from None
    return dict(extra_body)


def check_against_schema(
    request: GenerateRequest, extra: Mapping[str, Any], schema: TaskSchema
) -> None:
    """Check a request against the provider's schema of its task (``generate/schema``): its
    required fields are there, none of its ``notAllowed`` fields is set, and every
    ``extra`` field is one the task takes.

    Raises:
        ConfigError: naming the first field that is wrong.
    """
    present = {name for name, value in _set_fields(request).items() if value not in (None, "")}
    present |= set(extra)
    missing = [f.field for f in schema.required if f.field not in present and f.field != "task"]
    if missing:
        raise ConfigError(
            f"task {schema.task!r} requires {', '.join(missing)} (the provider's schema).",
            argument=missing[0],
        )
    refused = sorted(present & set(schema.not_allowed))
    if refused:
        raise ConfigError(
            f"task {schema.task!r} does not allow {', '.join(refused)} (the provider's schema).",
            argument=refused[0],
        )
    taken = schema.fields | {"task", "model"}
    stray = sorted(set(extra) - taken)
    if stray:
        raise ConfigError(
            f"task {schema.task!r} takes no field {', '.join(stray)} (the provider's schema "
            f"lists: {', '.join(sorted(taken))}).",
            argument="extra_body",
        )


def _set_fields(request: GenerateRequest) -> dict[str, Any]:
    """The fields of ``request`` that were set."""
    return {
        name: value
        for name, value in msgspec.structs.asdict(request).items()
        if value is not msgspec.UNSET
    }


def _builtins(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` as builtins, each field apart so that one msgspec cannot encode is named
    (bytes are kept as bytes: a string field must not take them as base64 text)."""
    raw: dict[str, Any] = {}
    for name, value in fields.items():
        try:
            raw[name] = msgspec.to_builtins(value, builtin_types=(bytes, bytearray, memoryview))
        except TypeError as exc:
            raise ConfigError(f"invalid generate field {name}: {exc}.", argument=name) from None
    return raw
