"""Checking sunoapi.com v2 request bodies, with the vendor's 400 messages where it has them.

Bodies must be JSON objects (an empty body, or one sent without ``Content-Type:
application/json``, is ``{}``; see :mod:`suno_async.emulator._validation`), so their required
fields are reported missing. Checks run in this order and the first problem found is the answer:
unknown fields, required fields (in the documented field order), field types, lengths. Whether
an extended clip exists, and credits, are checked after this, by the state
(:mod:`suno_async.emulator._sunoapi._state`).

The documented messages (docs.sunoapi.com's error guide, the same vendor's v1 API, api-notes
B.6) are used word for word: "The prompt character length should be less than 3000.", "The tags
character length should be less than 200.", "The title character length should be less than
80." and "description is required.".

Choices where the provider is silent:

* A missing required field is "<name> is required." (the documented wording for
  ``description``, used for every field); ``null``, ``""`` and a string of only whitespace count
  as missing. An optional ``title`` that is ``null`` counts as absent (``""``, its documented
  default).
* A field of the wrong type is "The '<name>' field should be string." (the documented wording for
  booleans, "The 'make_instrumental' field should be boolean.", applied to strings);
  ``continue_at`` must be a number (not a boolean) >= 0: "The 'continue_at' field should be a
  number >= 0.".
* The limits are read as the error messages say them, "less than": a prompt of 2999
  characters passes and one of 3000 is refused; likewise tags (199 pass, 200 refused), title
  (79 pass, 80 refused) and description (119 pass, 120 refused). The vendor's instructions page
  suggests other values (tags <= 80, title <= 120); the error messages win. Lengths count
  Unicode code points.
* ``description`` (the random endpoints) is limited as the vendor's error list says, "The
  description character length should be less than 120." (api-notes B.9; the list's "< 200"
  after it is for persona descriptions, which no emulated route takes).
* Unknown fields are refused, all of them named ("Unknown field(s) in body: ... Allowed: ..."),
  so a client's typo fails loudly instead of being ignored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final, Literal

from suno_async.emulator._errors import ApiError
from suno_async.emulator._validation import reject_unknown

__all__ = [
    "DESCRIPTION_MAX_CHARS",
    "PROMPT_MAX_CHARS",
    "TAGS_MAX_CHARS",
    "TITLE_MAX_CHARS",
    "Family",
    "MusicSpec",
    "validate_custom",
    "validate_extend",
    "validate_random",
]

#: A ``prompt`` (lyrics) must be shorter than this many characters.
PROMPT_MAX_CHARS: Final = 3000
#: ``tags`` must be shorter than this many characters.
TAGS_MAX_CHARS: Final = 200
#: A ``title`` must be shorter than this many characters.
TITLE_MAX_CHARS: Final = 80
#: A ``description`` (random endpoints) must be shorter than this many characters (the
#: vendor's error list).
DESCRIPTION_MAX_CHARS: Final = 120

Family = Literal["v3.5", "v3.0"]

_TOO_LONG: Final = {
    "prompt": (PROMPT_MAX_CHARS, "The prompt character length should be less than 3000."),
    "tags": (TAGS_MAX_CHARS, "The tags character length should be less than 200."),
    "title": (TITLE_MAX_CHARS, "The title character length should be less than 80."),
    "description": (
        DESCRIPTION_MAX_CHARS,
        "The description character length should be less than 120.",
    ),
}


@dataclass(frozen=True, slots=True)
class MusicSpec:
    """What the emulator keeps of an accepted create or extend body.

    ``gpt_description_prompt`` is ``""`` for custom calls; ``continue_clip_id`` is ``""`` and
    ``continue_at`` ``None`` except for extend.
    """

    family: Family
    custom_mode: bool
    make_instrumental: bool
    tags: str
    title: str
    prompt: str
    gpt_description_prompt: str = ""
    continue_clip_id: str = ""
    continue_at: float | None = None


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check(obj: dict[str, Any], allowed: tuple[str, ...], required: tuple[str, ...]) -> None:
    reject_unknown(obj, frozenset(allowed))
    for name in allowed:
        if name in required and _is_missing(obj.get(name)):
            raise ApiError(400, f"{name} is required.")
    for name in allowed:
        value = obj.get(name)
        if name == "continue_at":
            if not (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and math.isfinite(value)
                and value >= 0
            ):
                raise ApiError(400, "The 'continue_at' field should be a number >= 0.")
        elif value is not None and not isinstance(value, str):
            raise ApiError(400, f"The '{name}' field should be string.")
    for name in allowed:
        value = obj.get(name)
        if name in _TOO_LONG and isinstance(value, str):
            limit, message = _TOO_LONG[name]
            if len(value) >= limit:
                raise ApiError(400, message)


def _text(obj: dict[str, Any], name: str) -> str:
    value = obj.get(name)
    return value if isinstance(value, str) else ""


def validate_custom(obj: dict[str, Any], *, family: Family, instrumental: bool) -> MusicSpec:
    """Check a ``custom/create-pure-music`` (``tags``, ``title?``) or ``custom/create-lyrics-song``
    (``prompt``, ``tags``, ``title?``) body.

    Raises:
        ApiError: 400 saying what is wrong.
    """
    if instrumental:
        _check(obj, ("tags", "title"), ("tags",))
    else:
        _check(obj, ("prompt", "tags", "title"), ("prompt", "tags"))
    return MusicSpec(
        family=family,
        custom_mode=True,
        make_instrumental=instrumental,
        tags=_text(obj, "tags"),
        title=_text(obj, "title"),
        prompt="" if instrumental else _text(obj, "prompt"),
    )


def validate_random(obj: dict[str, Any], *, family: Family, instrumental: bool) -> MusicSpec:
    """Check a ``random/create-pure-music`` or ``random/create-lyrics-song`` body
    (``description``).

    The clips of a random call are made up from the description (the real service writes its
    own): the title is the description cut to fit :data:`TITLE_MAX_CHARS`, the tags are ``""``, and
    a lyrics song's lyrics are ``"[Verse]\\n<description>"``.

    Raises:
        ApiError: 400 saying what is wrong.
    """
    _check(obj, ("description",), ("description",))
    description = _text(obj, "description").strip()
    return MusicSpec(
        family=family,
        custom_mode=False,
        make_instrumental=instrumental,
        tags="",
        title=description[: TITLE_MAX_CHARS - 1],
        prompt="" if instrumental else f"[Verse]\n{description}",
        gpt_description_prompt=description,
    )


def validate_extend(obj: dict[str, Any]) -> MusicSpec:
    """Check a v3.5 ``extend`` body (``prompt``, ``tags``, ``title?``, ``continue_clip_id``,
    ``continue_at``), but not whether the clip exists.

    Raises:
        ApiError: 400 saying what is wrong.
    """
    _check(
        obj,
        ("prompt", "tags", "title", "continue_clip_id", "continue_at"),
        ("prompt", "tags", "continue_clip_id", "continue_at"),
    )
    return MusicSpec(
        family="v3.5",
        custom_mode=True,
        make_instrumental=False,
        tags=_text(obj, "tags"),
        title=_text(obj, "title"),
        prompt=_text(obj, "prompt"),
        continue_clip_id=_text(obj, "continue_clip_id").strip(),
        continue_at=float(obj["continue_at"]),
    )
