"""Checks on user input shared by every provider; each raises ConfigError naming the argument,
before any request. A provider's own limits live in its package."""

from __future__ import annotations

import enum
import ipaddress
import math
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit

from suno_async._core._exceptions import ConfigError

__all__ = [
    "check_base_url",
    "check_bool",
    "check_callback",
    "check_choice",
    "check_finite",
    "check_http_url",
    "check_id",
    "check_ids",
    "check_instance",
    "check_iterable",
    "check_mapping",
    "check_name",
    "check_path",
    "check_positive",
    "check_positive_int",
    "check_session",
    "check_style",
    "check_text",
    "is_loopback",
]

_ID_RE: Final = re.compile(r"\S+")
_E = TypeVar("_E", bound=enum.Enum)
_K = TypeVar("_K", bound=enum.Enum)
_V = TypeVar("_V")


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


def check_finite(argument: str, value: float, *, minimum: float | None = None) -> float:
    """``value`` as a float, if it is a finite number (not a bool), at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(
            f"{argument} must be a number, got {type(value).__name__} {value!r}.",
            argument=argument,
        )
    if not math.isfinite(value):
        raise ConfigError(f"{argument} must be a finite number, got {value!r}.", argument=argument)
    if minimum is not None and value < minimum:
        raise ConfigError(
            f"{argument} must be at least {minimum:g}, got {value!r}.", argument=argument
        )
    return float(value)


def check_bool(argument: str, value: bool) -> bool:
    """``value`` if it is ``True`` or ``False`` (a string such as ``"no"`` would be true)."""
    if not isinstance(value, bool):
        raise ConfigError(f"{argument} must be True or False, got {value!r}.", argument=argument)
    return value


def check_callback(argument: str, value: _V) -> _V:
    """``value`` if it is ``None`` or callable (an event handler, a function to run)."""
    if value is not None and not callable(value):
        raise ConfigError(
            f"{argument} must be a function (or None), got {type(value).__name__} {value!r}.",
            argument=argument,
        )
    return value


def check_choice(argument: str, value: object, choices: type[_E]) -> _E:
    """``value`` as a member of the enum ``choices`` (a member, or its value)."""
    try:
        return choices(value)
    except (ValueError, TypeError):
        names = ", ".join(repr(member.value) for member in choices)
        raise ConfigError(
            f"{argument} must be one of {names}, got {value!r}.", argument=argument
        ) from None


def check_instance(argument: str, value: object, kind: type[_V], what: str) -> _V:
    """``value`` if it is an instance of ``kind`` (described to the user as ``what``)."""
    if not isinstance(value, kind):
        raise ConfigError(
            f"{argument} must be {what}, got {type(value).__name__} {value!r}.",
            argument=argument,
        )
    return value


def check_path(argument: str, value: str | os.PathLike[str]) -> str:
    """``value`` as a string, if it is a non-empty file system path (a ``str`` or a
    ``os.PathLike`` of one; bytes are refused)."""
    path = value.__fspath__() if isinstance(value, os.PathLike) else value
    if not isinstance(path, str):
        raise ConfigError(
            f"{argument} must be a path (a str or a pathlib.Path), got "
            f"{type(value).__name__} {value!r}.",
            argument=argument,
        )
    if not path.strip():
        raise ConfigError(
            f"{argument} must not be empty: pass a file system path.", argument=argument
        )
    return path


def check_session(argument: str, value: object) -> None:
    """Refuse ``value`` unless it looks like an ``aiohttp.ClientSession`` (checked by its
    methods: only the transport imports aiohttp)."""
    if not all(callable(getattr(value, name, None)) for name in ("request", "get", "close")):
        raise ConfigError(
            f"{argument} must be an aiohttp.ClientSession (or None for the client's own), "
            f"got {type(value).__name__} {value!r}.",
            argument=argument,
        )


def check_iterable(argument: str, values: Iterable[_V], what: str) -> list[_V]:
    """``values`` as a list, if it is an iterable that is not a string or a mapping."""
    if isinstance(values, str | bytes | bytearray | Mapping) or not isinstance(values, Iterable):
        raise ConfigError(
            f"{argument} must be a list of {what}, got {type(values).__name__} {values!r}.",
            argument=argument,
        )
    return list(values)


def check_mapping(
    argument: str, value: Mapping[Any, Any], keys: type[_K], values: type[_V], what: str
) -> dict[_K, _V]:
    """``value`` as a dict, if it maps members (or values) of the enum ``keys`` to instances
    of ``values`` (described to the user as ``what``)."""
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"{argument} must be a dict of {what} by {keys.__name__}, got "
            f"{type(value).__name__} {value!r}.",
            argument=argument,
        )
    checked: dict[_K, _V] = {}
    for key, item in value.items():
        checked[check_choice(argument, key, keys)] = check_instance(
            argument, item, values, f"a {what} (for {key!r})"
        )
    return checked


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
    if parts.scheme == "http" and not allow_insecure_http and not is_loopback(host):
        raise ConfigError(
            f"base_url uses plain http to {host}; the API key would be sent unencrypted. "
            "Use https, or pass allow_insecure_http=True if you really mean it.",
            argument="base_url",
        )
    return url


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (``localhost`` or a loopback address)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_ids(argument: str, values: Iterable[str], *, allow_empty: bool = False) -> list[str]:
    """``values`` as a list, if it is a list (not a string) of ids, non-empty unless
    ``allow_empty``."""
    ids = [check_id(argument, value) for value in check_iterable(argument, values, "ids")]
    if not ids and not allow_empty:
        raise ConfigError(f"{argument} must not be empty.", argument=argument)
    return ids


def check_text(
    argument: str, value: str | None, *, limit: int | None, required: bool
) -> str | None:
    """``value`` if it is a string shorter than ``limit`` characters (non-blank if required;
    ``limit=None``: any length).

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
    if limit is not None and len(value) >= limit:
        raise ConfigError(
            f"{argument} must be shorter than {limit} characters (the provider's limit), "
            f"got {len(value)}.",
            argument=argument,
        )
    return value


def check_style(
    tags: str, title: str | None, *, tags_limit: int | None, title_limit: int | None
) -> dict[str, str]:
    """The ``tags`` and optional ``title`` fields of a request: non-empty ``tags``, each text
    shorter than its limit (``None``: any length); a missing or blank title is left out."""
    fields = {"tags": check_text("tags", tags, limit=tags_limit, required=True) or ""}
    checked_title = check_text("title", title, limit=title_limit, required=False)
    if checked_title is not None:
        fields["title"] = checked_title
    return fields
