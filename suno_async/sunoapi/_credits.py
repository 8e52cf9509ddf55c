"""The account's balance, a budget that starts from it, and the reconciliation of what the
client counted with what the balance says (:class:`CreditsAPI`, part of
:class:`~suno_async.SunoapiClient`).

The client counts what it spends from what each paid answer proves (``credits_spent``), and
apart from that what it may have spent (``credits_uncertain``: calls whose answer was lost).
It also notes the priced v1 tasks it saw fail: the provider refunds failed work (the emulator
does, and the v2 answers carry a ``refund_credits`` field; the docs state no policy), so their
credits are expected back (``refunds``). The provider's balance (``GET
/api/v1/get-credits``) says what was actually taken. Comparing the two after a run is the only
way to notice a double charge, a lost answer that was billed, or a missing refund. With
``expected = counted - refunds``:

* ``charged`` (the balance's drop since the opening reading) equal to ``expected``: every
  charge and refund is accounted for, and the uncertain calls, if any, were not billed;
* above ``expected`` but within ``expected + uncertain``: some uncertain calls were billed;
* above that, ``unexplained`` credits went: with calls of no published price
  (``unpriced_calls``, e.g. stems) they may be those calls' price (verdict
  ``"unpriced_charged"``); without, a double charge, a refund that did not come (yet), or
  another user of the same account (``"overcharged"``);
* below ``expected``: refunds this client did not see coming (work it never looked at again,
  v2 work) or a top-up.

Refunds are reported apart from the charges rather than netted with them, so that a refund
cannot hide a double charge of the same size.

The opening reading is the first balance the client reads (:meth:`CreditsAPI.credits`,
``v1.get_credits()`` or :meth:`CreditsAPI.budget_from_balance`); reconcile when no paid call
is in flight.
"""

from __future__ import annotations

from typing import Final, Literal, Unpack

import msgspec

from suno_async._core._base_client import BaseClient, ClientOptions
from suno_async._core._exceptions import ConfigError
from suno_async._core._validation import check_instance
from suno_async.sunoapi._v1 import CreditsTracker, SunoapiV1
from suno_async.sunoapi._v1_models import Credits

__all__ = ["CreditsAPI", "CreditsReport", "Verdict"]

#: What a reconciliation found (see :class:`CreditsReport`).
Verdict = Literal["match", "uncertain_charged", "unpriced_charged", "overcharged", "undercharged"]


class CreditsReport(msgspec.Struct, frozen=True, kw_only=True):
    """What the balance says against what the client counted, since the opening reading.

    Attributes:
        opening: The balance at the opening reading.
        closing: The balance now.
        charged: What the provider took: ``opening.total - closing.total`` (negative if the
            account grew: a top-up or refunds).
        counted: Credits of paid calls the provider accepted (``credits_spent``) since then.
        uncertain: Credits of paid calls whose outcome is unknown (``credits_uncertain``)
            since then: they may or may not have been billed.
        unpriced_calls: Calls sent since then whose price is not published (not counted):
            every attempt, resends and lost answers included.
        refunds: Credits of priced v1 tasks this client saw fail since then, which the
            provider is expected to refund (counted in ``counted`` when they were accepted).
    """

    opening: Credits
    closing: Credits
    charged: int
    counted: int
    uncertain: int
    unpriced_calls: int = 0
    refunds: int = 0

    @property
    def expected(self) -> int:
        """What the balance should have dropped by: ``counted - refunds``."""
        return self.counted - self.refunds

    @property
    def difference(self) -> int:
        """``charged - expected``: 0 when the books agree."""
        return self.charged - self.expected

    @property
    def unexplained(self) -> int:
        """Credits taken that neither the counted nor the uncertain calls explain, with the
        expected refunds made (0 if none): the sign of a double charge (or of unpriced calls,
        a refund not made, or another user)."""
        return max(0, self.difference - self.uncertain)

    @property
    def verdict(self) -> Verdict:
        """``"match"``, ``"uncertain_charged"`` (uncertain calls were billed),
        ``"unpriced_charged"`` (:attr:`unexplained` > 0, and calls of no published price may
        explain it), ``"overcharged"`` (:attr:`unexplained` > 0 and nothing explains it) or
        ``"undercharged"`` (refunds not expected, or a top-up)."""
        if self.difference == 0:
            return "match"
        if self.difference < 0:
            return "undercharged"
        if self.unexplained == 0:
            return "uncertain_charged"
        return "unpriced_charged" if self.unpriced_calls else "overcharged"

    def summary(self) -> str:
        """One or two sentences for people."""
        head = (
            f"The balance went from {self.opening.total} to {self.closing.total} credits "
            f"({self.charged} taken); this client counted {self.counted}"
            + (f" and {self.uncertain} uncertain" if self.uncertain else "")
            + (f", less {self.refunds} due back for failed tasks" if self.refunds else "")
            + "."
        )
        verdict = self.verdict
        if verdict == "match":
            tail = "They agree" + (
                ": the calls whose answer was lost were not billed." if self.uncertain else "."
            )
        elif verdict == "uncertain_charged":
            tail = f"{self.difference} of the uncertain credits were billed."
        elif verdict == "undercharged":
            tail = (
                f"{-self.difference} fewer were taken than expected: refunds of failed work "
                "this client did not see fail, or a top-up."
            )
        elif verdict == "unpriced_charged":
            each = self.unexplained / self.unpriced_calls
            tail = (
                f"{self.unexplained} credits are not explained by priced calls: the price of "
                f"the {self.unpriced_calls} call(s) of unpublished price (stems), about "
                f"{each:g} each, if nothing else (a double charge, another user) took some."
            )
        else:
            refund = " a refund of failed work not made (yet)," if self.refunds else ""
            tail = (
                f"{self.unexplained} credits were taken that no call of this client explains: "
                f"a double charge,{refund} or another user of the account."
            )
        return f"{head} {tail}"


class CreditsAPI(BaseClient):
    """The v1 family (:attr:`v1`) and the credit calls built on it, on the client itself."""

    def __init__(self, **options: Unpack[ClientOptions]) -> None:
        super().__init__(**options)
        self._credit_tracker: Final = CreditsTracker()
        #: The v1 family: :class:`SunoapiV1`.
        self.v1: Final = SunoapiV1(self._core, self._credit_tracker)

    async def credits(self) -> Credits:
        """The account's live balance (``GET /api/v1/get-credits``).

        The first balance a client reads (here or with ``v1.get_credits()``) is the opening
        of its :meth:`reconcile`.

        Raises:
            AuthenticationError: the key was not accepted.
            APIError: the request failed.
        """
        return await self.v1.get_credits()

    async def budget_from_balance(self, *, reserve: int = 0) -> Credits:
        """Read the live balance and let this client spend no more than it holds, less
        ``reserve`` credits: ``max_credits`` becomes what the client has committed so far plus
        ``balance.total - reserve``, never above the ``max_credits`` you set. Call it again
        after a top-up or refunds and the limit rises with the balance (up to your
        ``max_credits``), as it falls when the balance does. Returns the balance; it is the
        opening of :meth:`reconcile` if none was read before.

        Raises:
            ConfigError: ``reserve`` is not an integer >= 0; nothing was sent.
            APIError: the balance could not be read.
        """
        if isinstance(reserve, bool) or not isinstance(reserve, int) or reserve < 0:
            raise ConfigError(
                f"reserve must be an integer of credits >= 0, got {reserve!r}.",
                argument="reserve",
            )
        balance = await self.credits()
        budget = self._core.budget
        tracker = self._credit_tracker
        if tracker.derived_limit is None or budget.limit != tracker.derived_limit:
            tracker.user_limit = budget.limit  # the limit is the user's, not one derived here
        limit = budget.committed + max(0, balance.total - reserve)
        if tracker.user_limit is not None:
            limit = min(limit, tracker.user_limit)
        budget.limit = tracker.derived_limit = limit
        return balance

    async def reconcile(self, since: Credits | None = None) -> CreditsReport:
        """Read the balance again and compare its drop since the opening reading with what
        this client counted (see :class:`CreditsReport` and the module docstring). Call it
        when no paid call is in flight.

        ``since`` is the opening balance to compare with; by default the first balance this
        client read. A balance read elsewhere (another process, before a restart) is compared
        with everything this client counted.

        Raises:
            ConfigError: no opening balance: read it before the run with :meth:`credits` (or
                :meth:`budget_from_balance`), or pass ``since``; nothing was sent.
            APIError: the balance could not be read.
        """
        tracker = self._credit_tracker
        if since is not None:
            check_instance("since", since, Credits, "a Credits balance")
        opening = since if since is not None else tracker.opening
        if opening is None:
            raise ConfigError(
                "nothing to reconcile against: read the balance before the run with "
                "'await client.credits()' (or budget_from_balance()), then reconcile() after "
                "it; or pass since=<a balance read before>.",
                argument="since",
            )
        own = opening is tracker.opening
        spent = tracker.spent_at_opening if own else 0
        uncertain = tracker.uncertain_at_opening if own else 0
        unpriced = tracker.unpriced_at_opening if own else 0
        refunds = tracker.refunds_at_opening if own else 0
        closing = await self.v1._read_credits()
        return CreditsReport(
            opening=opening,
            closing=closing,
            charged=opening.total - closing.total,
            counted=self.credits_spent - spent,
            uncertain=max(0, self.credits_uncertain - uncertain),
            unpriced_calls=self._core.budget.unpriced - unpriced,
            refunds=tracker.refunds - refunds,
        )
