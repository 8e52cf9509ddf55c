"""Argument checks shared by the database ledgers (a database would store a wrong value)."""

from __future__ import annotations

from suno_async._core._exceptions import ConfigError

__all__ = ["check_limit", "check_reservation", "limit_mismatch"]


def check_limit(limit: object) -> int | None:
    """``limit`` if it is a whole number of credits (not negative) or ``None``."""
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ConfigError(
            f"limit must be a whole number of credits (0 or more) or None, got {limit!r}.",
            argument="limit",
        )
    return limit


def check_reservation(key: object, cost: object, what: object) -> None:
    """Refuse a key that is not a non-empty string, a cost that is not a whole number of
    credits (0 or more), or a ``what`` that is not a string."""
    if not isinstance(key, str) or not key:
        raise ConfigError(f"key must be a non-empty str, got {key!r}.", argument="key")
    if isinstance(cost, bool) or not isinstance(cost, int) or cost < 0:
        raise ConfigError(
            f"cost must be a whole number of credits (0 or more), got {cost!r}.", argument="cost"
        )
    if not isinstance(what, str):
        raise ConfigError(f"what must be a str, got {what!r}.", argument="what")


def limit_mismatch(where: str, stored: int | None, asked: int | None) -> ConfigError:
    """The error of opening a ledger with another limit than the one it stores."""
    has = "no limit" if stored is None else f"a limit of {stored} credits"
    wants = "no limit" if asked is None else f"{asked}"
    return ConfigError(
        f"the ledger {where} has {has}, not {wants}: the limit belongs to the ledger, shared by "
        "every process. Open it with limit=None to use the stored limit, or call "
        f"`await ledger.set_limit({asked})` once to change it for every process.",
        argument="limit",
    )
