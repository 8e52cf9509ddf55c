"""The command line's exit codes: every error class maps to its documented code."""

from __future__ import annotations

import pytest

from suno_async import (
    AmbiguousSubmitError,
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ClipFailedError,
    ConfigError,
    ConflictError,
    CreditBudgetError,
    InsufficientCreditsError,
    InternalServerError,
    NotEnoughClipsError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    TaskFailedError,
    TaskTimeoutError,
)
from suno_async.cli import main
from suno_async.cli._exit import EXIT_CODES_HELP, error_object, exit_code_for, hint_for, one_line


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (ConfigError("bad", argument="model"), 2),
        (AuthenticationError("no", status_code=401), 3),
        (InsufficientCreditsError("poor", status_code=403), 4),
        (CreditBudgetError("budget", cost=40, spent=0, limit=10), 4),
        (RateLimitError("slow down", status_code=429), 5),
        (TaskFailedError("failed", task_id="t", fail_reason="x", fail_code=4001), 6),
        (
            ClipFailedError("clip", clip_id="c", error_type="moderation", error_message="no"),
            6,
        ),
        (NotEnoughClipsError("few", session_id="s", outcomes=[], required=6), 6),
        (TaskTimeoutError("late", task_id="t", server_side=False), 7),
        (TaskTimeoutError("late", task_id="t", server_side=True), 7),
        (APITimeoutError("slow"), 7),
        (AmbiguousSubmitError("lost", endpoint="/suno/v2/generate"), 8),
        (APIConnectionError("down"), 1),
        (BadRequestError("bad", status_code=400), 1),
        (PermissionDeniedError("limit", status_code=403), 1),
        (NotFoundError("gone", status_code=404), 1),
        (ConflictError("twice", status_code=409), 1),
        (InternalServerError("oops", status_code=500), 1),
        (ResponseValidationError("shape"), 1),
        (ClientClosedError("closed"), 1),
        (OSError(28, "No space left on device"), 1),
        (KeyboardInterrupt(), 130),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value),
)
def test_every_error_has_its_exit_code(exc: BaseException, code: int) -> None:
    assert exit_code_for(exc) == code


def test_the_table_in_help_lists_every_code(capsys: pytest.CaptureFixture[str]) -> None:
    for code in ("0", "1", "2", "3", "4", "5", "6", "7", "8", "130"):
        assert f"\n  {code} " in EXIT_CODES_HELP
    with pytest.raises(SystemExit):
        main(["--help"])
    assert EXIT_CODES_HELP.strip() in capsys.readouterr().out


def test_hints_add_what_the_command_line_offers() -> None:
    """The library's messages say what to do; the hints add the command line's own ways."""
    lost = AmbiguousSubmitError("lost", endpoint="/suno/v2/generate")
    assert "--resend-if-ambiguous" in (hint_for(lost, command="generate") or "")
    assert "--resend-if-ambiguous" not in (hint_for(lost, command="pure-music") or "x")
    budget = CreditBudgetError("budget", cost=40, spent=0, limit=10)
    assert "--max-credits" in (hint_for(budget) or "")
    refused = AuthenticationError("no", status_code=401)
    assert hint_for(refused) is None  # the message names MOUNTSEA_API_KEY already
    assert "SUNOAPI_API_KEY" in (hint_for(refused, key_env="SUNOAPI_API_KEY") or "")
    assert hint_for(TaskFailedError("failed", task_id="t")) is None


def test_error_lines_are_one_line_without_secrets() -> None:
    text = one_line("proxy said:\n  key sk-SECRET-1234 refused", secrets=["sk-SECRET-1234"])
    assert text == "proxy said: key <hidden> refused"


def test_error_object_carries_task_details() -> None:
    exc = TaskFailedError(
        "failed", task_id="t1", fail_reason="Audio source not found.", fail_code=4001
    )
    payload = error_object(exc, message="failed", code=6, hint=None)
    assert payload == {
        "error": "failed",
        "type": "TaskFailedError",
        "exit_code": 6,
        "task_id": "t1",
        "fail_reason": "Audio source not found.",
        "fail_code": 4001,
    }
