"""Checks on user input shared by every provider; each raises ConfigError naming the argument,
before any request. A provider's own limits live in its package."""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Sequence
from typing import Final
from urllib.parse import urlsplit

from suno_async._core._exceptions import ConfigError

__all__ = [
    "check_base_url",
    "check_http_url",
    "check_id",
    "check_ids",
    "check_name",
    "check_positive",
    "check_positive_int",
    "check_style",
    "check_text",
    "is_loopback",
]

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


def check_ids(argument: str, values: Sequence[str]) -> list[str]:
    """``values`` as a list, if it is a non-empty list (not a string) of ids."""
    if isinstance(values, str):
        raise ConfigError(f"{argument} must be a list of ids.", argument=argument)
    ids = [check_id(argument, value) for value in values]
    if not ids:
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
