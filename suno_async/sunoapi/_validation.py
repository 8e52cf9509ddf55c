"""Checks on sunoapi input against its documented limits; each raises ConfigError naming the
argument, before any request."""

from __future__ import annotations

import math
from collections.abc import Sequence

from suno_async._core._exceptions import ConfigError
from suno_async._core._validation import check_ids, check_text
from suno_async._core._validation import check_style as check_text_fields
from suno_async.sunoapi._constants import (
    MAX_DESCRIPTION_CHARS,
    MAX_GPT_DESCRIPTION_CHARS,
    MAX_LYRICS_PROMPT_CHARS,
    MAX_PROMPT_CHARS,
    MAX_TAGS_CHARS,
    MAX_TITLE_CHARS,
)

__all__ = [
    "check_clip_ids",
    "check_continue_at",
    "check_description",
    "check_given_text",
    "check_gpt_description",
    "check_lyrics_prompt",
    "check_prompt",
    "check_style",
]


def check_style(tags: str, title: str | None) -> dict[str, str]:
    """Non-empty ``tags`` under 200 characters and an optional ``title`` under 80, as the
    ``tags``/``title`` fields of a request."""
    return check_text_fields(tags, title, tags_limit=MAX_TAGS_CHARS, title_limit=MAX_TITLE_CHARS)


def check_prompt(prompt: str) -> str:
    """Lyrics under 3000 characters."""
    return check_text("prompt", prompt, limit=MAX_PROMPT_CHARS, required=True) or ""


def check_description(description: str) -> str:
    """A description under 120 characters (the vendor's error list)."""
    return check_text("description", description, limit=MAX_DESCRIPTION_CHARS, required=True) or ""


def check_continue_at(continue_at: float) -> float:
    """A finite number of seconds >= 0."""
    if (
        isinstance(continue_at, bool)
        or not isinstance(continue_at, int | float)
        or not math.isfinite(continue_at)
        or continue_at < 0
    ):
        raise ConfigError(
            f"continue_at must be a finite number of seconds >= 0, got {continue_at!r}.",
            argument="continue_at",
        )
    return float(continue_at)


def check_clip_ids(clip_ids: Sequence[str]) -> list[str]:
    """A non-empty list of clip ids."""
    return check_ids("clip_ids", clip_ids)


def check_lyrics_prompt(prompt: str) -> str:
    """What v1 make-lyrics writes about: under 200 characters."""
    return check_text("prompt", prompt, limit=MAX_LYRICS_PROMPT_CHARS, required=True) or ""


def check_given_text(argument: str, value: str | None, *, limit: int | None) -> str | None:
    """An optional text: ``None`` (left out), or a non-blank string shorter than ``limit``
    (a blank string is refused rather than silently dropped: pass ``None`` to leave it out)."""
    if isinstance(value, str) and not value.strip():
        raise ConfigError(
            f"{argument} must not be blank; pass None to leave it out.", argument=argument
        )
    return check_text(argument, value, limit=limit, required=False)


def check_gpt_description(value: str | None) -> str | None:
    """v1 create's optional ``gpt_description_prompt``: under 200 characters."""
    return check_given_text("gpt_description_prompt", value, limit=MAX_GPT_DESCRIPTION_CHARS)
