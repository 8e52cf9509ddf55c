"""Credits reconciled: the live balance, a budget from it, and the report comparing what the
client counted with the balance's drop, against the emulator's ledger (double charge
included)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from suno_async import (
    AmbiguousSubmitError,
    ConfigError,
    CreditBudgetError,
    CreditsReport,
    SunoapiClient,
    TaskFailedError,
)
from suno_async.emulator import Emulator, EmulatorConfig

from ..conftest import FAST_RETRY

pytestmark = pytest.mark.anyio

CREATE = "/api/v1/suno/create"


@pytest.fixture
async def api(emulator: Emulator) -> AsyncIterator[SunoapiClient]:
    async with SunoapiClient(
        api_key="k", base_url=emulator.base_url, clock=emulator.clock, retry=FAST_RETRY
    ) as client:
        yield client


def ledger_total(emulator: Emulator) -> int:
    """What the emulator's books say the account paid: every charge not refunded."""
    return sum(c.cost for c in emulator.charges if c.state != "refunded")


async def test_a_runs_report_equals_the_emulators_ledger(
    api: SunoapiClient, emulator: Emulator
) -> None:
    """v2 and v1 calls, lyrics, stems: the balance's drop, the count and the ledger agree."""
    opening = await api.credits()
    await api.pure_music("lofi", "Rain")
    songs = await (await api.v1.create(prompt="la", tags="pop")).wait()
    await (await api.v1.make_lyrics("rain")).wait()
    assert songs[0].clip_id is not None
    await (await api.v1.stems_basic(songs[0].clip_id)).wait()
    report = await api.reconcile()
    assert isinstance(report, CreditsReport)
    assert report.opening == opening
    assert report.charged == report.counted == 22 == ledger_total(emulator)
    assert report.closing.total == emulator.sunoapi_credits
    assert (report.uncertain, report.unpriced_calls, report.unexplained) == (0, 1, 0)
    assert report.verdict == "match"
    assert "They agree" in report.summary()


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(sunoapi_double_charges=1)])
async def test_a_double_charge_is_reported(api: SunoapiClient, emulator: Emulator) -> None:
    """The provider bills one create twice: the count says 10, the balance 20."""
    await api.credits()
    handle = await api.v1.create(prompt="la", tags="pop")
    await handle.wait()
    report = await api.reconcile()
    assert (report.charged, report.counted, report.uncertain) == (20, 10, 0)
    assert report.charged == ledger_total(emulator)
    assert report.verdict == "overcharged"
    assert report.unexplained == report.difference == 10
    assert "double charge" in report.summary()
    billed = [c for c in emulator.charges if c.task_id == handle.id]
    assert len(billed) == 2


async def test_a_lost_answer_that_was_billed_is_explained(
    api: SunoapiClient, emulator: Emulator
) -> None:
    """A 500 after the work: uncertain 10, and the balance shows it was billed."""
    await api.credits()
    emulator.inject_http("POST", CREATE, 500, after_work=True)
    with pytest.raises(AmbiguousSubmitError):
        await api.v1.create(prompt="la", tags="pop")
    report = await api.reconcile()
    assert (report.charged, report.counted, report.uncertain) == (10, 0, 10)
    assert report.verdict == "uncertain_charged"
    assert report.unexplained == 0
    assert report.charged == ledger_total(emulator)


async def test_a_lost_answer_that_was_not_billed_matches(
    api: SunoapiClient, emulator: Emulator
) -> None:
    await api.credits()
    emulator.inject_http("POST", CREATE, 502)  # before any work
    with pytest.raises(AmbiguousSubmitError):
        await api.v1.create(prompt="la", tags="pop")
    report = await api.reconcile()
    assert (report.charged, report.counted, report.uncertain) == (0, 0, 10)
    assert report.verdict == "match"
    assert "not billed" in report.summary()


async def test_a_refund_of_a_failed_task_is_expected(
    api: SunoapiClient, emulator: Emulator
) -> None:
    """The client saw the task fail: its 10 credits are due back, and they came."""
    await api.credits()
    emulator.fail_next_tasks("music")
    with pytest.raises(TaskFailedError):
        await (await api.v1.create(prompt="la", tags="pop")).wait()
    report = await api.reconcile()
    assert (report.charged, report.counted, report.refunds, report.expected) == (0, 10, 10, 0)
    assert report.charged == ledger_total(emulator)
    assert report.verdict == "match"
    assert "10 due back" in report.summary()


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(sunoapi_double_charges=1)])
async def test_a_refund_does_not_mask_a_double_charge(
    api: SunoapiClient, emulator: Emulator
) -> None:
    """One create billed twice (+10) and one failed and refunded (-10): the balance's drop
    equals the count, yet 10 credits went that nothing explains."""
    await api.credits()
    await (await api.v1.create(prompt="la", tags="pop")).wait()
    emulator.fail_next_tasks("music")
    with pytest.raises(TaskFailedError):
        await (await api.v1.create(prompt="la", tags="pop")).wait()
    report = await api.reconcile()
    assert (report.charged, report.counted, report.refunds) == (20, 20, 10)
    assert report.charged == ledger_total(emulator)
    assert report.verdict == "overcharged"
    assert report.unexplained == report.difference == 10
    assert "double charge" in report.summary()


async def test_a_refund_the_client_did_not_see_shows_as_undercharged(
    api: SunoapiClient, emulator: Emulator
) -> None:
    """A task that failed without the client looking: its refund is a surprise."""
    await api.credits()
    emulator.fail_next_tasks("music")
    await api.v1.create(prompt="la", tags="pop")  # never waited for
    await emulator.clock.sleep(100)
    report = await api.reconcile()
    assert (report.charged, report.counted, report.refunds) == (0, 10, 0)
    assert report.verdict == "undercharged"
    assert "refunds" in report.summary()


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(sunoapi_stems_cost=7)])
async def test_unpriced_calls_that_cost_something_get_their_own_verdict(
    api: SunoapiClient, emulator: Emulator
) -> None:
    """Not "overcharged" (a double charge): the credits may be the stems' unpublished price."""
    (clip, _) = await api.pure_music("lofi")
    await api.credits()
    await (await api.v1.stems_full(clip.id)).wait()
    report = await api.reconcile()
    assert (report.charged, report.counted, report.unpriced_calls) == (7, 0, 1)
    assert report.verdict == "unpriced_charged"
    assert report.unexplained == 7
    summary = report.summary()
    assert "stems" in summary
    assert "about 7 each" in summary


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(sunoapi_stems_cost=5)])
async def test_every_attempt_of_an_unpriced_call_is_counted(
    api: SunoapiClient, emulator: Emulator
) -> None:
    """A stems call resent twice after lost answers landed three times: three calls, as the
    budget would count three attempts of a priced call."""
    (clip, _) = await api.pure_music("lofi")
    await api.credits()
    emulator.inject_http("POST", "/api/v1/suno/stems/basic", 500, times=2, after_work=True)
    await api.v1.stems_basic(clip.id, resend_if_ambiguous=True)
    assert emulator.count("POST", "/api/v1/suno/stems/basic") == 3
    report = await api.reconcile()
    assert (report.charged, report.unpriced_calls) == (15, 3)
    assert report.charged == ledger_total(emulator) - 10  # the v2 song was before the opening
    assert report.verdict == "unpriced_charged"
    assert "about 5 each" in report.summary()


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(sunoapi_credits=25)])
async def test_a_budget_starts_from_the_balance(api: SunoapiClient, emulator: Emulator) -> None:
    """25 credits left, 4 kept in reserve: two creates fit, then lyrics (2) are refused
    unsent."""
    balance = await api.budget_from_balance(reserve=4)
    assert balance.total == 25
    await api.v1.create(prompt="la", tags="pop")
    await api.v1.create(prompt="la", tags="pop")
    with pytest.raises(CreditBudgetError):
        await api.v1.make_lyrics("rain")  # 2 more would pass 21
    assert emulator.count("POST", "/api/v1/suno/make-lyrics") == 0


async def test_a_budget_from_the_balance_never_raises_a_set_limit(emulator: Emulator) -> None:
    async with SunoapiClient(
        api_key="k", base_url=emulator.base_url, clock=emulator.clock, max_credits=12
    ) as api:
        await api.budget_from_balance()
        await api.v1.create(prompt="la", tags="pop")
        with pytest.raises(CreditBudgetError):
            await api.v1.create(prompt="la", tags="pop")


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(sunoapi_credits=25)])
async def test_a_budget_from_the_balance_rises_again_after_a_refund(
    api: SunoapiClient, emulator: Emulator
) -> None:
    """The limit it derived is not taken for the user's own: after the failed create's refund
    the balance is 25 again, so 25 more credits may go (10 are committed already)."""
    await api.budget_from_balance()
    emulator.fail_next_tasks("music")
    with pytest.raises(TaskFailedError):
        await (await api.v1.create(prompt="la", tags="pop")).wait()
    balance = await api.budget_from_balance()
    assert balance.total == 25
    await api.v1.create(prompt="la", tags="pop")
    await api.v1.create(prompt="la", tags="pop")
    with pytest.raises(CreditBudgetError):
        await api.v1.create(prompt="la", tags="pop")  # 40 > 10 + 25


async def test_a_budget_from_the_balance_rises_only_up_to_a_set_limit(
    emulator: Emulator,
) -> None:
    async with SunoapiClient(
        api_key="k", base_url=emulator.base_url, clock=emulator.clock, max_credits=25
    ) as api:
        await api.budget_from_balance(reserve=485)  # 15 of the 500
        await api.v1.create(prompt="la", tags="pop")
        with pytest.raises(CreditBudgetError):
            await api.v1.create(prompt="la", tags="pop")
        await api.budget_from_balance()  # 490 held: the user's 25 caps it
        await api.v1.create(prompt="la", tags="pop")
        with pytest.raises(CreditBudgetError):
            await api.v1.create(prompt="la", tags="pop")


async def test_v1_get_credits_opens_the_reconciliation_too(
    api: SunoapiClient, emulator: Emulator
) -> None:
    opening = await api.v1.get_credits()
    await api.v1.make_lyrics("rain")
    report = await api.reconcile()
    assert (report.opening, report.charged, report.counted) == (opening, 2, 2)


async def test_reconcile_needs_an_opening_balance(api: SunoapiClient, emulator: Emulator) -> None:
    with pytest.raises(ConfigError, match="read the balance"):
        await api.reconcile()
    with pytest.raises(ConfigError) as info:
        await api.budget_from_balance(reserve=-1)
    assert info.value.argument == "reserve"
    assert emulator.requests == []


async def test_a_copy_with_other_options_shares_the_books(
    api: SunoapiClient, emulator: Emulator
) -> None:
    """with_options shares the account's counts, so reconciling on either agrees."""
    if not hasattr(api, "with_options"):
        pytest.skip("with_options is not in this checkout")
    await api.credits()
    fast = api.with_options(timeout=5)
    await fast.v1.create(prompt="la", tags="pop")
    report = await api.reconcile()
    assert (report.charged, report.counted) == (10, 10)


async def test_reconcile_since_a_balance_read_elsewhere(
    api: SunoapiClient, emulator: Emulator
) -> None:
    """A balance read by another client (say, before a restart) is compared with everything
    this client counted."""
    async with SunoapiClient(
        api_key="k", base_url=emulator.base_url, clock=emulator.clock
    ) as before_restart:
        opening = await before_restart.credits()
    await api.v1.make_lyrics("rain")
    report = await api.reconcile(since=opening)
    assert (report.opening, report.charged, report.counted) == (opening, 2, 2)
    with pytest.raises(ConfigError) as info:
        await api.reconcile(since=500)  # type: ignore[arg-type]
    assert info.value.argument == "since"
    # Its closing reading did not become this client's opening one.
    with pytest.raises(ConfigError, match="read the balance"):
        await api.reconcile()
