"""The client's credit budget: known costs are reserved before a paid call and kept or released
by its outcome, so concurrent calls cannot overshoot the limit together."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from suno_async._core._exceptions import (
    AmbiguousSubmitError,
    APIConnectionError,
    APIStatusError,
    ConfigError,
    CreditBudgetError,
)

__all__ = ["CreditBudget"]

_T = TypeVar("_T")


class CreditBudget:
    """Counts the credits of calls with a known cost, and refuses calls past ``limit``.

    A call is counted when it is accepted, when its answer was lost, or when it was cancelled
    (or failed unexpectedly) in flight: it may have been charged. It is not counted when the
    failure proves it was not: the server answered with an error, or no connection was made.
    Only calls with a known price count (``customModel/create`` 100, ``generate`` 40, a
    sunoapi create or extend 10); uploads are priced by the provider's configuration and
    are not counted.
    """

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.spent = 0
        self._reserved = 0

    async def charge(self, cost: int, what: str, call: Callable[[], Awaitable[_T]]) -> _T:
        """Run ``call`` with ``cost`` reserved; keep the charge unless the call surely failed.

        Raises:
            CreditBudgetError: ``cost`` would take the spending past ``limit``; ``call`` is not
                made.
        """
        committed = self.spent + self._reserved
        if self.limit is not None and committed + cost > self.limit:
            raise CreditBudgetError(
                f"{what} costs {cost} credits; {committed} of the budget of {self.limit} are "
                "spent or reserved, so it was not sent. Raise max_credits to allow it.",
                cost=cost,
                spent=committed,
                limit=self.limit,
            )
        self._reserved += cost
        try:
            result = await call()
        except AmbiguousSubmitError:
            self.spent += cost  # it may have been charged
            raise
        except (APIStatusError, APIConnectionError, ConfigError, CreditBudgetError):
            raise  # answered with an error, or never connected: not charged
        except BaseException:
            self.spent += cost  # cancelled (or worse) in flight: it may have landed
            raise
        else:
            self.spent += cost
            return result
        finally:
            self._reserved -= cost

    def refund(self, cost: int) -> None:
        """Take back a charge counted for a call that turned out not to have arrived."""
        self.spent = max(0, self.spent - cost)
