"""The ledger contract (see :mod:`suno_async._core._ledger`), the same for every ledger."""

from __future__ import annotations

import anyio
import pytest

from suno_async import ConfigError, CreditBudgetError
from suno_async.ledger import CreditLedger, LedgerTotals
from tests.ledger.conftest import OpenLedger

pytestmark = pytest.mark.anyio


def totals(
    spent: int = 0, uncertain: int = 0, reserved: int = 0, limit: int | None = None
) -> LedgerTotals:
    return LedgerTotals(spent=spent, uncertain=uncertain, reserved=reserved, limit=limit)


async def test_is_a_credit_ledger(open_ledger: OpenLedger) -> None:
    ledger = await open_ledger()
    assert isinstance(ledger, CreditLedger)
    assert await ledger.totals() == totals()
    assert await ledger.state("nothing") is None


async def test_reserve_then_charged(open_ledger: OpenLedger) -> None:
    ledger = await open_ledger(100)
    await ledger.reserve("a", 30, "a train")
    assert await ledger.state("a") == "reserved"
    assert await ledger.totals() == totals(reserved=30, limit=100)
    await ledger.settle("a", "charged")
    assert await ledger.state("a") == "charged"
    assert await ledger.totals() == totals(spent=30, limit=100)


async def test_not_charged_drops_the_reservation(open_ledger: OpenLedger) -> None:
    ledger = await open_ledger(100)
    await ledger.reserve("a", 30, "a train")
    await ledger.settle("a", "not_charged")
    assert await ledger.state("a") == "not_charged"
    assert await ledger.totals() == totals(limit=100)


@pytest.mark.parametrize(
    ("then", "expected", "state"),
    [
        ("charged", totals(spent=30), "charged"),
        ("not_charged", totals(), "not_charged"),
        ("uncertain", totals(uncertain=30), "uncertain"),
    ],
)
async def test_uncertain_then_resolved(
    open_ledger: OpenLedger, then: str, expected: LedgerTotals, state: str
) -> None:
    ledger = await open_ledger()
    await ledger.reserve("a", 30, "a generate")
    await ledger.settle("a", "uncertain")
    assert await ledger.state("a") == "uncertain"
    assert await ledger.totals() == totals(uncertain=30)
    await ledger.settle("a", then)  # type: ignore[arg-type]
    assert await ledger.state("a") == state
    assert await ledger.totals() == expected


@pytest.mark.parametrize("then", ["not_charged", "uncertain", "charged"])
async def test_a_charged_key_stays_charged(open_ledger: OpenLedger, then: str) -> None:
    ledger = await open_ledger()
    await ledger.reserve("a", 30, "a train")
    await ledger.settle("a", "charged")
    await ledger.settle("a", then)  # type: ignore[arg-type]
    assert await ledger.state("a") == "charged"
    assert await ledger.totals() == totals(spent=30)


@pytest.mark.parametrize(
    ("then", "expected"),
    [
        ("not_charged", totals()),
        ("charged", totals(spent=30)),
        ("uncertain", totals(uncertain=30)),
    ],
)
async def test_a_dropped_key_is_counted_again_when_a_later_answer_contradicts_it(
    open_ledger: OpenLedger, then: str, expected: LedgerTotals
) -> None:
    """A lookup said the work never arrived; a later answer (409 "already training") says it
    did: the key is charged (or uncertain) again, past the limit if need be (it was done)."""
    ledger = await open_ledger(30)
    await ledger.reserve("a", 30, "a train")
    await ledger.settle("a", "not_charged")
    await ledger.reserve("b", 30, "another")  # the dropped credits were free for this
    await ledger.settle("a", then)  # type: ignore[arg-type]
    assert await ledger.state("a") == then
    assert await ledger.totals() == totals(
        reserved=30, spent=expected.spent, uncertain=expected.uncertain, limit=30
    )


@pytest.mark.parametrize("settled", [None, "charged", "not_charged", "uncertain"])
async def test_reserving_a_known_key_again_changes_nothing(
    open_ledger: OpenLedger, settled: str | None
) -> None:
    ledger = await open_ledger(100)
    await ledger.reserve("a", 30, "a train")
    if settled is not None:
        await ledger.settle("a", settled)  # type: ignore[arg-type]
    before = await ledger.totals(), await ledger.state("a")
    await ledger.reserve("a", 30, "a train, retried")
    assert (await ledger.totals(), await ledger.state("a")) == before


async def test_a_retried_reservation_is_not_refused_at_the_limit(open_ledger: OpenLedger) -> None:
    ledger = await open_ledger(30)
    await ledger.reserve("a", 30, "a train")
    await ledger.reserve("a", 30, "a train, retried")
    assert await ledger.totals() == totals(reserved=30, limit=30)


async def test_another_cost_for_a_key_is_refused(open_ledger: OpenLedger) -> None:
    ledger = await open_ledger(100)
    await ledger.reserve("a", 30, "a train")
    with pytest.raises(ConfigError, match="reserved for 30 credits, not 40") as raised:
        await ledger.reserve("a", 40, "a train")
    assert raised.value.argument == "key"
    assert await ledger.totals() == totals(reserved=30, limit=100)


async def test_the_limit(open_ledger: OpenLedger) -> None:
    ledger = await open_ledger(100)
    await ledger.reserve("a", 40, "a")
    await ledger.settle("a", "charged")
    await ledger.reserve("b", 30, "b")
    await ledger.settle("b", "uncertain")
    await ledger.reserve("c", 20, "c")
    with pytest.raises(CreditBudgetError) as raised:
        await ledger.reserve("d", 11, "a generate")
    assert (raised.value.cost, raised.value.spent, raised.value.limit) == (11, 90, 100)
    assert "a generate costs 11 credits" in str(raised.value)
    assert await ledger.state("d") is None
    await ledger.reserve("d", 10, "exactly up to the limit")
    assert await ledger.totals() == totals(spent=40, uncertain=30, reserved=30, limit=100)
    with pytest.raises(CreditBudgetError):
        await ledger.reserve("e", 1, "one more")
    # A dropped reservation gives its credits back; an uncertain one does not.
    await ledger.settle("c", "not_charged")
    await ledger.reserve("e", 20, "in the room c left")
    assert await ledger.totals() == totals(spent=40, uncertain=30, reserved=30, limit=100)


async def test_free_reservations_pass_a_full_budget(open_ledger: OpenLedger) -> None:
    ledger = await open_ledger(0)
    await ledger.reserve("free", 0, "a free call")
    with pytest.raises(CreditBudgetError):
        await ledger.reserve("paid", 1, "a paid call")
    assert await ledger.totals() == totals(limit=0)


async def test_no_limit_refuses_nothing(open_ledger: OpenLedger) -> None:
    ledger = await open_ledger()
    await ledger.reserve("a", 10**12, "a lot")
    assert await ledger.totals() == totals(reserved=10**12)


async def test_settling_an_unknown_key_is_ignored(open_ledger: OpenLedger) -> None:
    ledger = await open_ledger()
    await ledger.settle("never", "charged")
    assert await ledger.state("never") is None
    assert await ledger.totals() == totals()


async def test_a_wrong_outcome_is_refused(open_ledger: OpenLedger) -> None:
    ledger = await open_ledger()
    await ledger.reserve("a", 10, "a")
    with pytest.raises(ConfigError, match="outcome must be one of"):
        await ledger.settle("a", "refunded")  # type: ignore[arg-type]
    assert await ledger.state("a") == "reserved"


async def test_concurrent_reservations_stop_at_the_limit(open_ledger: OpenLedger) -> None:
    ledger = await open_ledger(500)
    accepted: list[str] = []

    async def reserve(key: str) -> None:
        try:
            await ledger.reserve(key, 10, "a race")
        except CreditBudgetError:
            return
        accepted.append(key)

    async with anyio.create_task_group() as tasks:
        for number in range(80):
            tasks.start_soon(reserve, f"k{number % 70}")  # ten keys twice
    assert await ledger.totals() == totals(reserved=500, limit=500)
    assert len(set(accepted)) == 50
    for key in accepted:
        assert await ledger.state(key) == "reserved"
