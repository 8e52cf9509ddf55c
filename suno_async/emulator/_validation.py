"""Reading request bodies, for every provider's checks: JSON objects, with unknown fields refused.

Bodies must be JSON objects; an empty body is ``{}``, as Express's JSON parser makes it (the
HTTP layer also hands over an empty body when the request is not ``application/json``, see
:mod:`suno_async.emulator._http`), so its required fields are reported missing. Unknown fields
are refused (all of them named), so a client's typo, or a camelCase name where the provider
wants snake_case, fails loudly instead of being ignored.

Each provider's own checks, and the order it runs them in, are in its package's
``_validation`` (:mod:`suno_async.emulator._mountsea._validation`,
:mod:`suno_async.emulator._sunoapi._validation`).
"""

from __future__ import annotations

from typing import Any

import msgspec

from suno_async.emulator._errors import ApiError

__all__ = ["parse_object", "reject_unknown"]


def parse_object(body: bytes) -> dict[str, Any]:
    """The request body as a JSON object; an empty body is ``{}``.

    Raises:
        ApiError: 400 if the body is not empty and not a JSON object.
    """
    if not body:
        return {}
    try:
        value = msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise ApiError(400, f"Request body is not valid JSON: {exc}.") from exc
    if not isinstance(value, dict):
        raise ApiError(400, "Request body must be a JSON object.")
    return value


def reject_unknown(obj: dict[str, Any], allowed: frozenset[str], where: str = "body") -> None:
    """Refuse fields of ``obj`` outside ``allowed``, naming them all.

    Raises:
        ApiError: 400 naming the unknown fields and the allowed ones.
    """
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise ApiError(
            400,
            f"Unknown field(s) in {where}: {', '.join(unknown)}. "
            f"Allowed: {', '.join(sorted(allowed))}.",
        )
