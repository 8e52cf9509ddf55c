"""The ``suno-async`` command's exit codes, and how an error becomes one line of output.

Every failure the command reports maps to exactly one exit code (:func:`exit_code_for`), so a
script can tell "fix the input" from "top up the account" from "try again later" without
reading the message. The table is :data:`EXIT_CODES_HELP`, shown at the end of ``--help``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from suno_async._core._exceptions import (
    AmbiguousSubmitError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigError,
    CreditBudgetError,
    InsufficientCreditsError,
    NotFoundError,
    RateLimitError,
    SunoError,
    TaskError,
    TaskFailedError,
    TaskTimeoutError,
)
from suno_async.mountsea._constants import API_KEY_ENV as MOUNTSEA_API_KEY_ENV
from suno_async.mountsea._errors import NotEnoughClipsError

__all__ = [
    "EXIT_AMBIGUOUS",
    "EXIT_AUTH",
    "EXIT_CODES_HELP",
    "EXIT_CREDITS",
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_RATE_LIMITED",
    "EXIT_TASK_FAILED",
    "EXIT_TIMEOUT",
    "EXIT_USAGE",
    "error_object",
    "exit_code_for",
    "hint_for",
    "one_line",
]

EXIT_OK: Final = 0
EXIT_ERROR: Final = 1
EXIT_USAGE: Final = 2
EXIT_AUTH: Final = 3
EXIT_CREDITS: Final = 4
EXIT_RATE_LIMITED: Final = 5
EXIT_TASK_FAILED: Final = 6
EXIT_TIMEOUT: Final = 7
EXIT_AMBIGUOUS: Final = 8
EXIT_INTERRUPTED: Final = 130

EXIT_CODES_HELP: Final = """\
exit codes:
  0    done
  1    any other error: the API refused or failed (after the automatic retries), a file
       could not be written, ...
  2    bad input or usage: a wrong option, argument or file (ConfigError), or a --base-url
       that does not answer like the API (WrongBaseURLError); nothing was charged
  3    the API key was not accepted (AuthenticationError): check MOUNTSEA_API_KEY
       (SUNOAPI_API_KEY with --provider sunoapi)
  4    not enough credits (InsufficientCreditsError), or the call would pass --max-credits
       (CreditBudgetError; nothing was sent)
  5    rate limited, still after the automatic retries (RateLimitError): try again later
  6    the task failed (TaskFailedError, ClipFailedError), or fewer than six uploads
       succeeded (NotEnoughClipsError): the message says why
  7    timed out (TaskTimeoutError, APITimeoutError): the task may still finish; see the
       message for the "suno-async wait" command that picks it up
  8    a paid request may have been sent but its outcome is unknown (AmbiguousSubmitError:
       the answer was lost, or was a 500, 502 or 504): look for the work among the account's
       recent tasks before running it again
  130  interrupted (Ctrl-C); with --journal, run the same command again to carry on
"""


def exit_code_for(exc: BaseException) -> int:
    """The exit code for an error that ended a command (see :data:`EXIT_CODES_HELP`).

    Subclasses are checked before their bases (an :class:`APITimeoutError` is an
    ``APIConnectionError``, which is otherwise 1; an :class:`AmbiguousSubmitError` is an
    ``APIError`` of its own, 8); anything that is not a :class:`SunoError` or
    ``KeyboardInterrupt`` (say, an ``OSError`` writing a file) is 1.
    """
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if not isinstance(exc, SunoError):
        return EXIT_ERROR
    table: tuple[tuple[type[SunoError] | tuple[type[SunoError], ...], int], ...] = (
        (AmbiguousSubmitError, EXIT_AMBIGUOUS),
        ((TaskTimeoutError, APITimeoutError), EXIT_TIMEOUT),
        ((TaskFailedError, NotEnoughClipsError), EXIT_TASK_FAILED),
        (ConfigError, EXIT_USAGE),
        (AuthenticationError, EXIT_AUTH),
        ((InsufficientCreditsError, CreditBudgetError), EXIT_CREDITS),
        (RateLimitError, EXIT_RATE_LIMITED),
    )
    for kinds, code in table:
        if isinstance(exc, kinds):
            return code
    return EXIT_ERROR


def hint_for(
    exc: BaseException,
    *,
    command: str = "",
    key_env: str = MOUNTSEA_API_KEY_ENV,
    emulator: bool = False,
) -> str | None:
    """What to do about ``exc`` on the command line, where the library's message (written for
    Python callers, and already saying what to do) leaves it out; or ``None``.

    ``command`` is the command that failed; ``key_env`` names the environment variable the key
    came from (``MOUNTSEA_API_KEY`` or ``SUNOAPI_API_KEY``); ``emulator`` says the command ran
    on a fresh ``--emulator``, which knows nothing an earlier command made.
    """
    if emulator and isinstance(exc, NotFoundError | BadRequestError):
        return (
            "--emulator starts a fresh emulator for each command, which knows no model, clip "
            "or task of an earlier one: run 'suno-async emulator' in another terminal and "
            "paste the export lines it prints, to keep one emulator across commands."
        )
    if isinstance(exc, AuthenticationError) and key_env != MOUNTSEA_API_KEY_ENV:
        return f"This provider's key comes from {key_env} (or --api-key)."
    if isinstance(exc, CreditBudgetError):
        return "On the command line the budget is --max-credits N."
    if isinstance(exc, RateLimitError):
        return "Wait a while, then run the command again."
    if isinstance(exc, AmbiguousSubmitError):
        hint = "Look for it among the account's recent work before running the command again"
        if command in ("generate", "train"):
            return hint + "; --resend-if-ambiguous sends it anyway (it may bill twice)."
        return hint + "."
    if isinstance(exc, APITimeoutError):
        return "The service is slow or unreachable; try again later."
    return None


def one_line(text: str, *, secrets: Iterable[str] = ()) -> str:
    """``text`` on one line (whitespace runs collapsed), with each of ``secrets`` hidden.

    The library never puts the API key in a message; this is a second guard for messages that
    come from elsewhere (the operating system, a proxy's error page).
    """
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<hidden>")
    return re.sub(r"\s+", " ", text).strip()


def error_object(
    exc: BaseException, *, message: str, code: int, hint: str | None
) -> dict[str, object]:
    """The ``--json`` form of an error: ``error`` (the message, one line), ``type`` (the
    exception's class name), ``exit_code``, and ``hint`` when there is one; for a task error
    also ``task_id``, and ``fail_reason``/``fail_code`` when it failed; for
    :class:`NotEnoughClipsError` ``session_id``, ``required`` and ``outcomes``, one per URL:
    ``url``, ``state`` (``uploaded``, ``failed``, ``cancelled`` or ``unused``), ``clip_id``,
    ``error``, ``fail_code``, ``attempts`` and ``task_ids``."""
    payload: dict[str, object] = {
        "error": message,
        "type": type(exc).__name__,
        "exit_code": code,
    }
    if hint:
        payload["hint"] = hint
    if isinstance(exc, TaskError) and exc.task_id:
        payload["task_id"] = exc.task_id
    if isinstance(exc, TaskFailedError):
        payload["fail_reason"] = exc.fail_reason
        payload["fail_code"] = exc.fail_code
    if isinstance(exc, NotEnoughClipsError):
        payload["session_id"] = exc.session_id
        payload["required"] = exc.required
        payload["outcomes"] = [
            {
                "url": o.url,
                "state": o.state,
                "clip_id": o.clip_id,
                "error": o.error,
                "fail_code": o.fail_code,
                "attempts": o.attempts,
                "task_ids": list(o.task_ids),
            }
            for o in exc.outcomes
        ]
    return payload
