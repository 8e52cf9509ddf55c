"""A job's credit tally mirrors the client's budget through ``CURRENT_TALLY``, and a paid call
is recorded as in flight before it is sent, so a run stopped in the middle of one leaves it
counted as uncertain."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
import msgspec
import pytest

from suno_async import (
    AmbiguousSubmitError,
    APIConnectionError,
    APIStatusError,
    CreditBudgetError,
    JobStore,
)
from suno_async._core._budget import CURRENT_TALLY, CreditBudget, Tally, TallyState

pytestmark = pytest.mark.anyio


async def _ok() -> str:
    return "ok"


def _raiser(exc: BaseException) -> Callable[[], Awaitable[str]]:
    async def call() -> str:
        raise exc

    return call


def _ambiguous() -> AmbiguousSubmitError:
    return AmbiguousSubmitError("lost", method="POST", url="/x", endpoint="x")


class Recorder:
    """A tally's on_change: a copy of the state at each change."""

    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.seen: list[TallyState] = []
        tally.on_change = self

    def __call__(self) -> None:
        copy = msgspec.json.decode(msgspec.json.encode(self.tally.state), type=TallyState)
        self.seen.append(copy)


async def test_charges_are_mirrored_into_the_bound_tally() -> None:
    budget = CreditBudget(None)
    tally = Tally()
    recorder = Recorder(tally)
    token = CURRENT_TALLY.set(tally)
    try:
        assert await budget.charge(40, "generate", _ok) == "ok"
        with pytest.raises(APIStatusError):
            await budget.charge(40, "generate", _raiser(APIStatusError("no", status_code=400)))
        with pytest.raises(APIConnectionError):
            await budget.charge(40, "generate", _raiser(APIConnectionError("down")))
        with pytest.raises(AmbiguousSubmitError):
            await budget.charge(100, "create", _raiser(_ambiguous()), key="s1")
        with pytest.raises(AmbiguousSubmitError):
            await budget.charge(40, "generate", _raiser(_ambiguous()))
        await budget.charge(None, "upload", _ok)
        await budget.charge(None, "upload", _ok)
        with pytest.raises(APIStatusError):
            await budget.charge(None, "upload", _raiser(APIStatusError("no", status_code=400)))
    finally:
        CURRENT_TALLY.reset(token)
    state = tally.state
    assert (state.spent, state.uncertain, state.unpriced) == (40, 140, 2)
    assert (budget.spent, budget.uncertain, budget.unpriced) == (40, 140, 2)
    assert state.by_key == {"s1": 100}
    assert state.in_flight == []
    # every paid call was recorded in flight before anything else about it
    assert recorder.seen[0].in_flight == [(40, None)]
    assert recorder.seen[0].spent == 0


async def test_settle_moves_or_drops_the_keyed_credits() -> None:
    budget = CreditBudget(None)
    tally = Tally()
    token = CURRENT_TALLY.set(tally)
    try:
        for key in ("charged", "gone"):
            with pytest.raises(AmbiguousSubmitError):
                await budget.charge(100, "create", _raiser(_ambiguous()), key=key)
        assert tally.state.uncertain == 200
        assert budget.settle("charged", charged=100) == 100
        assert budget.settle("gone", charged=None) == 100
        budget.found_charged(10)
    finally:
        CURRENT_TALLY.reset(token)
    assert (tally.state.spent, tally.state.uncertain, tally.state.by_key) == (110, 0, {})
    assert (budget.spent, budget.uncertain) == (110, 0)


async def test_a_tally_settles_credits_of_an_earlier_run() -> None:
    """The uncertain credits a job's earlier run left under a key are settled by this run's
    lookup, although this run's budget never counted them."""
    tally = Tally(TallyState(uncertain=100, by_key={"s1": 100}))
    budget = CreditBudget(None)
    token = CURRENT_TALLY.set(tally)
    try:
        budget.settle("s1", charged=100)
    finally:
        CURRENT_TALLY.reset(token)
    assert (tally.state.spent, tally.state.uncertain) == (100, 0)
    assert (budget.spent, budget.uncertain) == (0, 0)  # not this run's


async def test_a_call_over_the_budget_is_not_sent_nor_tallied() -> None:
    budget = CreditBudget(50)
    tally = Tally()
    token = CURRENT_TALLY.set(tally)
    called = False

    async def call() -> None:
        nonlocal called
        called = True

    try:
        await budget.charge(40, "generate", _ok)
        with pytest.raises(CreditBudgetError):
            await budget.charge(40, "generate", call)
    finally:
        CURRENT_TALLY.reset(token)
    assert not called
    assert (tally.state.spent, tally.state.uncertain, tally.state.in_flight) == (40, 0, [])


async def test_a_call_cancelled_in_flight_is_uncertain() -> None:
    budget = CreditBudget(None)
    tally = Tally()
    token = CURRENT_TALLY.set(tally)

    async def hang() -> None:
        await anyio.sleep_forever()

    try:
        with anyio.move_on_after(0.01):
            await budget.charge(40, "generate", hang, key="g")
    finally:
        CURRENT_TALLY.reset(token)
    assert (tally.state.uncertain, tally.state.by_key, tally.state.in_flight) == (40, {"g": 40}, [])


async def test_no_tally_bound_means_no_mirror() -> None:
    budget = CreditBudget(None)
    tally = Tally()
    await budget.charge(40, "generate", _ok)
    assert tally.state == TallyState()
    assert budget.spent == 40


def test_in_flight_read_back_counts_as_uncertain() -> None:
    """A run killed while a paid call was being sent left it in flight: the next run's tally
    counts it as uncertain (under its key, for a lookup to settle)."""
    stored = msgspec.json.encode(TallyState(spent=40, in_flight=[(100, "s1"), (40, None)]))
    state = msgspec.json.decode(stored, type=TallyState)
    tally = Tally(state)
    assert (tally.state.spent, tally.state.uncertain) == (40, 140)
    assert tally.state.by_key == {"s1": 100}
    assert tally.state.in_flight == []


async def test_the_store_counts_in_flight_as_uncertain(tmp_path: Path) -> None:
    """The tally is stored at every change: while a call is in flight the row already counts
    it as uncertain, and once it lands as spent."""
    budget = CreditBudget(None)
    seen: list[tuple[int, int]] = []
    with JobStore.open(tmp_path / "jobs.db") as store:
        store.add("job", "generate", "{}", None, None)
        record = store.get("job")
        assert record is not None
        tally = Tally(record.credits)
        tally.on_change = lambda: store.update("job", credits=tally.state)

        async def call() -> str:
            totals = store.totals()
            seen.append((totals.spent, totals.uncertain))
            return "ok"

        token = CURRENT_TALLY.set(tally)
        try:
            await budget.charge(40, "generate", call)
        finally:
            CURRENT_TALLY.reset(token)
        totals = store.totals()
        assert seen == [(0, 40)]
        assert (totals.spent, totals.uncertain) == (40, 0)


async def test_unsettle_leaves_a_call_in_flight_alone() -> None:
    """Credits of a key made uncertain again while another call of the same cost and key is
    in flight: that call still lands as itself (spent), not as the unsettled credits."""
    budget = CreditBudget(None)
    tally = Tally()
    token = CURRENT_TALLY.set(tally)
    release = anyio.Event()

    async def call() -> str:
        await release.wait()
        return "ok"

    try:
        async with anyio.create_task_group() as group:
            group.start_soon(lambda: budget.charge(100, "create", call, key="s1"))
            await anyio.wait_all_tasks_blocked()
            budget.unsettle("s1", 100)
            assert tally.state.in_flight == [(100, "s1")]
            release.set()
    finally:
        CURRENT_TALLY.reset(token)
    assert (tally.state.spent, tally.state.uncertain, tally.state.in_flight) == (100, 100, [])
    assert (budget.spent, budget.uncertain) == (100, 100)


def test_a_settlement_in_a_new_run_returns_what_the_job_held() -> None:
    """A call counted by an earlier run (in flight when it stopped) is settled from the job's
    tally in the next: the budget of the new process never counted it, but the amount it
    returns (which later fix-ups use) is the tally's."""
    budget = CreditBudget(None)
    tally = Tally(TallyState(in_flight=[(100, "create:s1")]))
    token = CURRENT_TALLY.set(tally)
    try:
        assert budget.settle("create:s1", charged=None) == 100
    finally:
        CURRENT_TALLY.reset(token)
    assert tally.state.uncertain == 0
