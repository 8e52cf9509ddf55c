"""The workflow decisions, shared by the in-process and the Temporal workflows, as pure
functions."""

from __future__ import annotations

import pytest

from suno_async.mountsea._decisions import (
    after_lost_generate,
    after_unclear_create,
    create_arrived,
    upload_lanes,
    upload_will_retry,
    uploads_out_of_reach,
)

RUNNING = "status:running|1"
READY = "status:ready|1"
SUCCESS = "status:success|1"


@pytest.mark.parametrize(
    ("before", "after", "arrived"),
    [
        (None, "model", True),
        (READY, "model", True),
        (None, "http:404", False),
        ("http:404", "http:404", False),
        (READY, "http:404", None),
        ("http:404", RUNNING, True),
        (READY, "status:ready|2", True),
        (None, RUNNING, True),
        (RUNNING, RUNNING, True),
        (SUCCESS, SUCCESS, False),
        (None, SUCCESS, None),
        (READY, READY, None),
        (None, READY, None),
    ],
)
def test_create_arrived_follows_its_table(
    before: str | None, after: str, arrived: bool | None
) -> None:
    assert create_arrived(before, after) is arrived


@pytest.mark.parametrize(
    ("arrived", "resend", "next_step"),
    [
        (True, False, "submitted"),
        (True, True, "submitted"),
        (False, False, "send_again"),
        (None, False, "ambiguous"),
        (None, True, "send_again"),
    ],
)
def test_after_an_unclear_create(arrived: bool | None, resend: bool, next_step: str) -> None:
    assert after_unclear_create(arrived, resend_if_ambiguous=resend) == next_step


def test_after_a_lost_generate_only_a_request_sends_it_again() -> None:
    assert after_lost_generate(resend_if_ambiguous=False) == "ambiguous"
    assert after_lost_generate(resend_if_ambiguous=True) == "send_again"


def test_uploads_retry_while_attempts_last_unless_the_failure_is_permanent() -> None:
    assert upload_will_retry(1, 2, None)
    assert not upload_will_retry(2, 2, None)
    assert not upload_will_retry(1, 2, 4001)


def test_spares_wait_their_turn_and_hopeless_runs_start_nothing() -> None:
    assert upload_lanes(succeeded=0, queued=8, wanted=6) == 6  # two spares wait
    assert upload_lanes(succeeded=4, queued=8, wanted=6) == 2
    assert upload_lanes(succeeded=0, queued=5, wanted=6) == 0  # six cannot be reached
    assert uploads_out_of_reach(succeeded=3, active=1, queued=1)
    assert not uploads_out_of_reach(succeeded=3, active=2, queued=1)
