"""Checking mountsea.ai's request bodies, with 400 answers that name what is wrong.

Bodies are read as every provider's are (:mod:`suno_async.emulator._validation`): JSON objects,
an empty body (or one that is not ``application/json``) is ``{}``, and unknown fields are
refused, all of them named.

Choices where the provider is silent:

* A required field that is ``null`` or an empty string counts as missing.
* ``generate`` checks the documented per-task required fields and the shape of every documented
  field (types, ``end_s >= start_s >= 0``, two ``mashup_clip_ids``, ``vocal_gender`` ``m``/``f``,
  ``controls`` values in 0..1). It does not refuse fields the provider lists as "not allowed"
  for a task (those lists are not published), and it does not check that ``clip_id`` values
  exist.
* Order of checks: body shape, unknown fields, ``task`` (a missing one is reported together
  with a missing ``model``), missing required fields, field shapes.
  The model and credits are checked after this, by the state
  (:mod:`suno_async.emulator._mountsea._state`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from suno_async.emulator._errors import ApiError
from suno_async.emulator._validation import reject_unknown

__all__ = [
    "GENERATE_FIELDS",
    "REQUIRED_FIELDS",
    "GenerateSpec",
    "check_http_url",
    "require_strings",
    "validate_generate",
]

#: Documented required fields of each generate task (``model`` is required for all).
REQUIRED_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "create": ("model",),
    "extend": ("clip_id", "model"),
    "upload_extend": ("audio_url", "model"),
    "upload_cover": ("audio_url", "model"),
    "cover": ("clip_id", "model"),
    "use_styles_lyrics": ("clip_id", "model"),
    "replace_section": (
        "clip_id",
        "range",
        "infill_context_range",
        "continued_aligned_prompt",
        "model",
    ),
    "add_instrumental": ("clip_id", "range", "model"),
    "add_vocals": ("clip_id", "range", "model"),
    "gen_stem_two": ("clip_id", "model"),
    "gen_stem_all": ("clip_id", "model"),
    "mashup": ("mashup_clip_ids", "model"),
    "sample": ("clip_id", "range", "model"),
    "inspiration": ("playlist_id", "model"),
    "sound": ("sound", "model"),
}

_STRING_FIELDS: Final = (
    "model",
    "prompt",
    "gpt_description_prompt",
    "title",
    "clip_id",
    "continued_aligned_prompt",
    "infill_lyrics",
    "infill_type",
    "audio_url",
    "playlist_id",
)
#: Every documented field of a generate body.
GENERATE_FIELDS: Final = frozenset(
    {
        "task",
        "make_instrumental",
        "tags",
        "negative_tags",
        "continue_at",
        "range",
        "infill_context_range",
        "persona",
        "controls",
        "vocal_gender",
        "mashup_clip_ids",
        "playlist_clip_ids",
        "sound",
        *_STRING_FIELDS,
    }
)
_RANGE_FIELDS: Final = frozenset({"start_s", "end_s"})
_PERSONA_FIELDS: Final = frozenset({"persona_id", "artist_clip_id", "persona_style"})
_CONTROL_FIELDS: Final = frozenset({"style_weight", "audio_weight", "weirdness_constraint"})
_SOUND_FIELDS: Final = frozenset({"description", "type", "key", "bpm"})


def _is_missing(value: Any) -> bool:
    return value is None or value == ""


def require_strings(obj: dict[str, Any], names: tuple[str, ...]) -> None:
    """Check that every field in ``names`` is a non-empty string.

    Raises:
        ApiError: 400 naming the missing fields, or the first that is not a string.
    """
    missing = [name for name in names if _is_missing(obj.get(name))]
    if missing:
        raise ApiError(400, f"Missing required field(s): {', '.join(missing)}.")
    for name in names:
        if not isinstance(obj[name], str):
            raise ApiError(400, f"Field {name} must be a string.")


def check_http_url(value: str, name: str) -> None:
    """Check that ``value`` is an absolute ``http``/``https`` URL with a host.

    Raises:
        ApiError: 400 naming the field.
    """
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host:
        raise ApiError(400, f"Field {name} must be an absolute http(s) URL, got {value!r}.")


@dataclass(frozen=True, slots=True)
class GenerateSpec:
    """What the emulator keeps of an accepted generate body."""

    task: str
    model: str
    title: str
    tags: str
    prompt: str
    gpt_description_prompt: str | None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_range(obj: dict[str, Any], name: str) -> None:
    value = obj[name]
    if not isinstance(value, dict):
        raise ApiError(400, f"Field {name} must be an object {{start_s, end_s}}.")
    reject_unknown(value, _RANGE_FIELDS, name)
    if not (_is_number(value.get("start_s")) and _is_number(value.get("end_s"))):
        raise ApiError(400, f"Field {name} needs numbers start_s and end_s (seconds).")
    start: float = value["start_s"]
    end: float = value["end_s"]
    if start < 0 or end < start:
        raise ApiError(400, f"Field {name} must have 0 <= start_s <= end_s, got {start} and {end}.")


def _check_string_list(obj: dict[str, Any], name: str) -> list[str]:
    value = obj[name]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ApiError(400, f"Field {name} must be a list of strings.")
    return value


def _check_object(obj: dict[str, Any], name: str, allowed: frozenset[str]) -> dict[str, Any]:
    value = obj[name]
    if not isinstance(value, dict):
        raise ApiError(400, f"Field {name} must be an object.")
    reject_unknown(value, allowed, name)
    return value


def _tags_text(value: Any, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ", ".join(value)
    raise ApiError(400, f"Field {name} must be a string or a list of strings.")


def validate_generate(obj: dict[str, Any]) -> GenerateSpec:
    """Check a ``POST /suno/v2/generate`` body (everything but the model's existence).

    Raises:
        ApiError: 400 saying what is wrong.
    """
    reject_unknown(obj, GENERATE_FIELDS)
    task = obj.get("task")
    if _is_missing(task):
        missing = ["task"] + (["model"] if _is_missing(obj.get("model")) else [])
        raise ApiError(
            400,
            f"Missing required field(s): {', '.join(missing)}. "
            f"task is one of: {', '.join(REQUIRED_FIELDS)}.",
        )
    if not isinstance(task, str) or task not in REQUIRED_FIELDS:
        raise ApiError(400, f"Unknown task {task!r}: use one of {', '.join(REQUIRED_FIELDS)}.")
    missing = [name for name in REQUIRED_FIELDS[task] if _is_missing(obj.get(name))]
    if missing:
        raise ApiError(400, f"Missing required field(s) for task {task}: {', '.join(missing)}.")
    present = {name: value for name, value in obj.items() if value is not None}

    for name in _STRING_FIELDS:
        if name in present and not isinstance(present[name], str):
            raise ApiError(400, f"Field {name} must be a string.")
    if "make_instrumental" in present and not isinstance(present["make_instrumental"], bool):
        raise ApiError(400, "Field make_instrumental must be a boolean.")
    tags = _tags_text(present.get("tags"), "tags")
    _tags_text(present.get("negative_tags"), "negative_tags")
    if "continue_at" in present and not (
        _is_number(present["continue_at"]) and present["continue_at"] >= 0
    ):
        raise ApiError(400, "Field continue_at must be a number of seconds >= 0.")
    for name in ("range", "infill_context_range"):
        if name in present:
            _check_range(present, name)
    if "mashup_clip_ids" in present and len(_check_string_list(present, "mashup_clip_ids")) != 2:
        raise ApiError(400, "Field mashup_clip_ids must hold exactly 2 clip ids.")
    if "playlist_clip_ids" in present:
        _check_string_list(present, "playlist_clip_ids")
    if "vocal_gender" in present and present["vocal_gender"] not in ("m", "f"):
        raise ApiError(400, "Field vocal_gender must be 'm' or 'f'.")
    if "persona" in present:
        persona = _check_object(present, "persona", _PERSONA_FIELDS)
        if _is_missing(persona.get("persona_id")) or not isinstance(persona["persona_id"], str):
            raise ApiError(400, "Field persona needs a persona_id string.")
    if "controls" in present:
        controls = _check_object(present, "controls", _CONTROL_FIELDS)
        for key, value in controls.items():
            if value is not None and not (_is_number(value) and 0 <= value <= 1):
                raise ApiError(400, f"Field controls.{key} must be a number from 0 to 1.")
    if "sound" in present:
        sound = _check_object(present, "sound", _SOUND_FIELDS)
        if _is_missing(sound.get("description")) or not isinstance(sound["description"], str):
            raise ApiError(400, "Field sound needs a description string.")
    if "audio_url" in present:
        check_http_url(present["audio_url"], "audio_url")

    return GenerateSpec(
        task=task,
        model=present["model"],
        title=present.get("title") or "Untitled",
        tags=tags,
        prompt=present.get("prompt") or "",
        gpt_description_prompt=present.get("gpt_description_prompt"),
    )
