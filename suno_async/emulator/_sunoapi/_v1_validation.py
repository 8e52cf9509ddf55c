"""Checking sunoapi.com v1 request bodies (create, make-lyrics, stems), with the vendor's 400
messages where it has them.

Bodies are JSON objects, read as every route reads them (:mod:`suno_async.emulator._validation`:
unknown fields refused, all named). Checks run in this order and the first problem found is the
answer: unknown fields, field types, required fields, lengths, URLs.

The documented messages (docs.sunoapi.com's error guide, api-notes B.6 and B.9) are used word
for word: "The 'mv' field is invalid.", "The 'make_instrumental' field should be boolean.",
"The 'custom_mode' field should be boolean.", "The prompt character length should be less than
3000.", "The 'gpt_description_prompt' character length should be less than 200.", "The tags
character length should be less than 200.", "The title character length should be less than
80." and "description is required.".

Choices where the vendor is silent:

* create's fields are the nine documented ones (``custom_mode``, ``mv``, ``prompt``, ``tags``,
  ``title``, ``make_instrumental``, ``gpt_description_prompt``, ``webhook_url``,
  ``webhook_secret``). A missing ``custom_mode`` means false and a missing
  ``make_instrumental`` false. Custom mode needs ``tags`` ("tags is required.") and, unless
  instrumental, ``prompt`` ("prompt is required."); otherwise ``gpt_description_prompt`` is the
  "description" the documented "description is required." asks for.
* ``mv`` is valid when it is a string starting with ``chirp-`` (the sample shows ``chirp-v5``;
  the vendor adds models); absent, it is ``chirp-v4``.
* ``webhook_url`` must be an absolute http(s) URL ("The 'webhook_url' field should be an http(s)
  URL."); ``webhook_secret`` without it is accepted and unused.
* make-lyrics takes ``prompt``, under 200 characters (the docs: "under 200"): "The prompt
  character length should be less than 200.".
* stems take ``clip_id`` ("clip_id is required."); whether the clip exists and is done is the
  state's check.
* A string field that is ``null``, ``""`` or blank counts as missing; any other type is "The
  '<name>' field should be string.".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from suno_async.emulator._errors import ApiError
from suno_async.emulator._validation import reject_unknown

__all__ = [
    "CREATE_FIELDS",
    "DEFAULT_MV",
    "LYRICS_PROMPT_MAX_CHARS",
    "V1MusicSpec",
    "validate_create",
    "validate_lyrics",
    "validate_stems",
]

#: The documented fields of ``POST /api/v1/suno/create``.
CREATE_FIELDS: Final = (
    "custom_mode",
    "mv",
    "prompt",
    "tags",
    "title",
    "make_instrumental",
    "gpt_description_prompt",
    "webhook_url",
    "webhook_secret",
)
#: The model of a create that names none (the emulator's choice).
DEFAULT_MV: Final = "chirp-v4"
#: A make-lyrics ``prompt`` must be shorter than this many characters.
LYRICS_PROMPT_MAX_CHARS: Final = 200

_BOOLEANS: Final = ("custom_mode", "make_instrumental")
_LIMITS: Final = {
    "prompt": (3000, "The prompt character length should be less than 3000."),
    "tags": (200, "The tags character length should be less than 200."),
    "title": (80, "The title character length should be less than 80."),
    "gpt_description_prompt": (
        200,
        "The 'gpt_description_prompt' character length should be less than 200.",
    ),
}


@dataclass(frozen=True, slots=True)
class V1MusicSpec:
    """What the emulator keeps of an accepted v1 create body (texts ``""`` when absent)."""

    custom_mode: bool
    make_instrumental: bool
    mv: str
    prompt: str
    tags: str
    title: str
    gpt_description_prompt: str
    webhook_url: str | None = None
    webhook_secret: str | None = None


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(obj: dict[str, Any], name: str) -> str:
    value = obj.get(name)
    return value if isinstance(value, str) else ""


def _check_strings(obj: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            raise ApiError(400, f"The '{name}' field should be string.")


def validate_create(obj: dict[str, Any]) -> V1MusicSpec:
    """Check a ``POST /api/v1/suno/create`` body.

    Raises:
        ApiError: 400 saying what is wrong.
    """
    reject_unknown(obj, frozenset(CREATE_FIELDS))
    for name in _BOOLEANS:
        if name in obj and obj[name] is not None and not isinstance(obj[name], bool):
            raise ApiError(400, f"The '{name}' field should be boolean.")
    mv = obj.get("mv")
    if mv is not None and not (isinstance(mv, str) and mv.strip().startswith("chirp-")):
        raise ApiError(400, "The 'mv' field is invalid.")
    _check_strings(obj, tuple(n for n in CREATE_FIELDS if n not in _BOOLEANS and n != "mv"))
    custom = bool(obj.get("custom_mode"))
    instrumental = bool(obj.get("make_instrumental"))
    if custom:
        if _missing(obj.get("tags")):
            raise ApiError(400, "tags is required.")
        if not instrumental and _missing(obj.get("prompt")):
            raise ApiError(400, "prompt is required.")
    elif _missing(obj.get("gpt_description_prompt")):
        raise ApiError(400, "description is required.")
    for name, (limit, message) in _LIMITS.items():
        if len(_text(obj, name)) >= limit:
            raise ApiError(400, message)
    url = obj.get("webhook_url")
    if not _missing(url):
        parts = urlsplit(str(url).strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ApiError(400, "The 'webhook_url' field should be an http(s) URL.")
    secret = obj.get("webhook_secret")
    return V1MusicSpec(
        custom_mode=custom,
        make_instrumental=instrumental,
        mv=mv.strip() if isinstance(mv, str) else DEFAULT_MV,
        prompt=_text(obj, "prompt"),
        tags=_text(obj, "tags"),
        title=_text(obj, "title"),
        gpt_description_prompt=_text(obj, "gpt_description_prompt").strip(),
        webhook_url=None if _missing(url) else str(url).strip(),
        webhook_secret=None if _missing(secret) else str(secret),
    )


def validate_lyrics(obj: dict[str, Any]) -> str:
    """Check a ``POST /api/v1/suno/make-lyrics`` body; the prompt.

    Raises:
        ApiError: 400 saying what is wrong.
    """
    reject_unknown(obj, frozenset({"prompt"}))
    _check_strings(obj, ("prompt",))
    if _missing(obj.get("prompt")):
        raise ApiError(400, "prompt is required.")
    prompt = _text(obj, "prompt")
    if len(prompt) >= LYRICS_PROMPT_MAX_CHARS:
        raise ApiError(
            400,
            f"The prompt character length should be less than {LYRICS_PROMPT_MAX_CHARS}.",
        )
    return prompt


def validate_stems(obj: dict[str, Any]) -> Any:
    """Check a ``POST /api/v1/suno/stems/basic`` or ``stems/full`` body; the ``clip_id`` as
    sent (a string, or a number under the reading ``numeric_ids``).

    Raises:
        ApiError: 400 saying what is wrong.
    """
    reject_unknown(obj, frozenset({"clip_id"}))
    clip_id = obj.get("clip_id")
    if _missing(clip_id):
        raise ApiError(400, "clip_id is required.")
    if not isinstance(clip_id, str | int) or isinstance(clip_id, bool):
        raise ApiError(400, "The 'clip_id' field should be string.")
    return clip_id
