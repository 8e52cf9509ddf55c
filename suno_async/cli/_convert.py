"""The argument converters of the ``suno-async`` command: the one set every command uses.

Each takes the text of one command-line value and returns it converted, or raises
``argparse.ArgumentTypeError`` with a message that names what was expected and quotes what was
given; argparse prefixes it with the option (``argument --speed: must be a number above 0,
got '0'``), and the command line turns it into a usage error (exit 2).

Numbers must be finite: ``nan`` and ``inf`` are refused everywhere.
"""

from __future__ import annotations

import argparse
import math

__all__ = [
    "count",
    "id_list",
    "integer",
    "number",
    "port",
    "positive_float",
    "positive_int",
    "probability",
    "seconds",
    "time_range",
]


def _float(text: str, expected: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {expected}, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be {expected}, got {text!r}")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None


def number(text: str) -> float:
    """Any finite number."""
    return _float(text, "a number")


def positive_float(text: str) -> float:
    """A finite number above 0 (a speed-up factor, a timeout)."""
    value = _float(text, "a number")
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a number above 0, got {text!r}")
    return value


def seconds(text: str) -> float:
    """A finite number of seconds, 0 or more."""
    value = _float(text, "a number of seconds")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds >= 0, got {text!r}")
    return value


def probability(text: str) -> float:
    """A number from 0 to 1."""
    value = _float(text, "a number")
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be a probability from 0 to 1, got {text!r}")
    return value


def integer(text: str) -> int:
    """Any whole number."""
    return _int(text)


def count(text: str) -> int:
    """A whole number, 0 or more."""
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """A whole number, 1 or more."""
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {text!r}")
    return value


def port(text: str) -> int:
    """A TCP port, 0 (any free one) to 65535."""
    value = _int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0-65535, got {text!r}")
    return value


def time_range(text: str) -> dict[str, float]:
    """``START:END`` in seconds, as the API's ``{"start_s": ..., "end_s": ...}``."""
    start, colon, end = text.partition(":")
    try:
        if not colon:
            raise argparse.ArgumentTypeError
        return {"start_s": seconds(start), "end_s": seconds(end)}
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"must be START:END in seconds, e.g. 30:45, got {text!r}"
        ) from None


def id_list(text: str) -> list[str]:
    """One or more ids separated by commas (blanks around them dropped)."""
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if not ids:
        raise argparse.ArgumentTypeError(
            f"must be one or more ids separated by commas, got {text!r}"
        )
    return ids
