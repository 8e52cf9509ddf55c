"""Checks on user input; each raises ConfigError naming the argument, before any request."""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Collection, Iterable
from typing import Final
from urllib.parse import urlsplit

import msgspec

from suno_async._constants import (
    MAX_TAGS_CHARS,
    MAX_TITLE_CHARS,
    MIN_TRAINING_CLIPS,
)
from suno_async._exceptions import ConfigError
from suno_async.models.mountsea import (
    CUSTOM_MODEL_PREFIX,
    REQUIRED_GENERATE_FIELDS,
    STOCK_MODELS,
    GenerateRequest,
    GenerateTask,
    TimeRange,
)

__all__ = [
    "check_audio_urls",
    "check_base_url",
    "check_generate_request",
    "check_http_url",
    "check_id",
    "check_model",
    "check_name",
    "check_positive",
    "check_positive_int",
    "check_pure_music",
    "check_text",
]

_UUID_RE: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_ID_RE: Final = re.compile(r"\S+")


def check_positive(argument: str, value: float) -> float:
    """``value`` if it is a finite number above zero."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigError(f"{argument} must be a number above 0, got {value!r}.", argument=argument)
    if not math.isfinite(value):
        raise ConfigError(f"{argument} must be finite, got {value!r}.", argument=argument)
    return value


def check_positive_int(argument: str, value: int) -> int:
    """``value`` if it is an int of at least 1."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(
            f"{argument} must be an integer of at least 1, got {value!r}.", argument=argument
        )
    return value


def check_id(argument: str, value: str) -> str:
    """``value`` if it is a non-empty string without whitespace."""
    if isinstance(value, str) and _ID_RE.fullmatch(value):
        return value
    raise ConfigError(f"{argument} must be a non-empty id, got {value!r}.", argument=argument)


def check_name(argument: str, value: str) -> str:
    """``value`` stripped, if it is a non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            f"{argument} must be a non-empty string, got {value!r}.", argument=argument
        )
    return value.strip()


def check_http_url(argument: str, value: str) -> str:
    """``value`` if it is an absolute http(s) URL with a host."""
    if not isinstance(value, str):
        raise ConfigError(
            f"{argument} must be a URL string, got {type(value).__name__}.", argument=argument
        )
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"{argument} must be an absolute http(s) URL, got {value!r}.", argument=argument
        )
    return value.strip()


def check_base_url(value: str, *, allow_insecure_http: bool) -> str:
    """The API base URL without a trailing slash.

    Plain ``http://`` is accepted only for loopback hosts (the embedded emulator) unless
    ``allow_insecure_http`` is set, because the API key would travel in clear text.
    """
    url = check_http_url("base_url", value).rstrip("/")
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        raise ConfigError("base_url must not have a query or fragment.", argument="base_url")
    if parts.username or parts.password:
        raise ConfigError("base_url must not carry credentials.", argument="base_url")
    host = parts.hostname or ""
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(host):
        raise ConfigError(
            f"base_url uses plain http to {host}; the API key would be sent unencrypted. "
            "Use https, or pass allow_insecure_http=True if you really mean it.",
            argument="base_url",
        )
    return url


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_audio_urls(urls: Iterable[str]) -> tuple[str, ...]:
    """At least six distinct absolute http(s) URLs, in the caller's order."""
    if isinstance(urls, str | bytes):
        raise ConfigError(
            "audio_urls must be a list of URLs, not a single string.", argument="audio_urls"
        )
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


def check_model(model: str, extra_models: Collection[str] = ()) -> str:
    """A stock model of :data:`STOCK_MODELS` (or of ``extra_models``), or
    ``chirp-custom:<uuid>``.

    A model the provider adds after this release can be allowed with the client's
    ``extra_models`` option instead of waiting for a new release.
    """
    if model.startswith(CUSTOM_MODEL_PREFIX):
        if _UUID_RE.fullmatch(model[len(CUSTOM_MODEL_PREFIX) :]):
            return model
    elif model in STOCK_MODELS or model in extra_models:
        return model
    raise ConfigError(
        f"model {model!r} is unknown: use one of {', '.join(sorted(STOCK_MODELS))} or "
        f"{CUSTOM_MODEL_PREFIX}<uuid> from a trained custom model (a newer model can be "
        "allowed with the client's extra_models option).",
        argument="model",
    )


def _check_range(argument: str, value: TimeRange) -> None:
    if value.start_s < 0 or value.end_s < value.start_s:
        raise ConfigError(
            f"{argument} must have 0 <= start_s <= end_s, got {value.start_s}..{value.end_s}.",
            argument=argument,
        )


def check_generate_request(
    request: GenerateRequest, extra_models: Collection[str] = ()
) -> GenerateRequest:
    """``request`` if it carries every field its task requires and each field is in range.

    ``request`` must already have been through ``msgspec.convert`` (field types checked).
    """
    task = GenerateTask(request.task)
    check_model(request.model, extra_models)
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
    if request.continue_at is not msgspec.UNSET and request.continue_at < 0:
        raise ConfigError("continue_at must not be negative.", argument="continue_at")
    if request.audio_url is not msgspec.UNSET:
        check_http_url("audio_url", request.audio_url)
    return request


def check_text(argument: str, value: str | None, *, limit: int, required: bool) -> str | None:
    """``value`` if it is a string shorter than ``limit`` characters (non-blank if required).

    ``None`` (or a blank optional value) comes back as ``None``.
    """
    if value is None or (isinstance(value, str) and not value.strip() and not required):
        if required:
            raise ConfigError(f"{argument} is required.", argument=argument)
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{argument} must be a string.", argument=argument)
    if not value.strip():
        raise ConfigError(f"{argument} must not be empty.", argument=argument)
    if len(value) >= limit:
        raise ConfigError(
            f"{argument} must be shorter than {limit} characters (the provider's limit), "
            f"got {len(value)}.",
            argument=argument,
        )
    return value


def check_pure_music(tags: str, title: str | None) -> dict[str, str]:
    """The fields of an instrumental request: non-empty ``tags``, an optional ``title``."""
    fields = {"tags": check_text("tags", tags, limit=MAX_TAGS_CHARS, required=True) or ""}
    checked_title = check_text("title", title, limit=MAX_TITLE_CHARS, required=False)
    if checked_title is not None:
        fields["title"] = checked_title
    return fields
