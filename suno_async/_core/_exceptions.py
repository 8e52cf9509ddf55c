"""The exception hierarchy. Every failure a user can hit is one of these::

    SunoError
    ├── ConfigError (also ValueError)      bad key, base URL or argument; raised before any request
    │   ├── WrongBaseURLError              the base URL answered, but not like the provider's API
    │   └── StoreBusyError                 another process is working on the job store
    ├── ClientClosedError (also RuntimeError)  the client was closed and cannot be used again
    ├── CreditBudgetError                  a call's known cost would pass the client's budget
    ├── APIError
    │   ├── APIConnectionError             the request did not get a usable answer
    │   │   └── APITimeoutError (also TimeoutError)
    │   ├── APIStatusError                 .status_code, .body, .retry_after
    │   │   ├── BadRequestError            400
    │   │   ├── AuthenticationError        401
    │   │   ├── InsufficientCreditsError   402, or 403 about credits
    │   │   ├── PermissionDeniedError      403
    │   │   ├── NotFoundError              404
    │   │   ├── ConflictError              409
    │   │   ├── RateLimitError             429
    │   │   └── InternalServerError        5xx
    │   ├── ResponseValidationError        the body did not match the documented shape
    │   └── AmbiguousSubmitError           paid work sent, outcome unknown (a lost answer, a 500,
    │                                      502 or 504, or an answer without the task id); not a
    │                                      connection error: it carries what to look up
    ├── TaskError                          .task_id, .snapshot (the last status seen)
    │   ├── TaskFailedError                .fail_reason, .fail_code
    │   │   └── ClipFailedError            a clip ended in error: .error_type, .error_message
    │   └── TaskTimeoutError (also TimeoutError)
    ├── WebhookError                       (sunoapi) a webhook delivery was refused: .status,
    │                                      .reason (a bad or stale signature, an unreadable body)
    └── WorkflowError
        └── NotEnoughClipsError            (mountsea) fewer than six uploads succeeded; no create

Every error has ``retryable``: whether sending the same request again may succeed. The retry
policy reads it. It is set one way: each class has a default (``default_retryable``), and a
constructor's ``retryable=`` overrides it for one error. No message, repr or attribute ever
contains the API key or a webhook secret.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Final

if TYPE_CHECKING:
    from suno_async._core._models import Clip

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AmbiguousSubmitError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ClipFailedError",
    "ConfigError",
    "ConflictError",
    "CreditBudgetError",
    "InsufficientCreditsError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseValidationError",
    "StoreBusyError",
    "SunoError",
    "TaskError",
    "TaskFailedError",
    "TaskTimeoutError",
    "WorkflowError",
    "WrongBaseURLError",
]


#: 5xx statuses that asking again will not change: the server does not do this at all.
_NOT_RETRYABLE_5XX: Final = frozenset({501, 505})


class SunoError(Exception):
    """Base of every error this library raises.

    ``retryable`` says whether sending the same request again may succeed: the class's
    ``default_retryable`` unless the constructor was given ``retryable=``.
    """

    default_retryable: ClassVar[bool] = False

    def __init__(self, *args: object, retryable: bool | None = None) -> None:
        super().__init__(*args)
        self._retryable = retryable

    @property
    def retryable(self) -> bool:
        """Whether sending the same request again may succeed."""
        return self.default_retryable if self._retryable is None else self._retryable


class ConfigError(SunoError, ValueError):
    """An argument or setting is invalid. Raised before any request is made.

    ``argument`` names the offending parameter (or environment variable).
    """

    def __init__(self, message: str, *, argument: str | None = None) -> None:
        super().__init__(message)
        self.argument = argument


class StoreBusyError(ConfigError):
    """Another process is working on this job store: wait for it to finish (or stop it), then
    run again. Two processes on one store could pay for the same work twice."""


class WrongBaseURLError(ConfigError):
    """The base URL answered, but not like the provider's API (a web page, a body that is not
    JSON, a 404/405/501 page): the base URL (or its environment variable) is wrong.

    Raised by the first request that shows it; such an answer proves the API never saw the
    request, so nothing was charged. ``url`` is the address asked, ``status_code`` the HTTP
    status and ``content_type`` what came back.
    """

    def __init__(
        self, message: str, *, url: str, status_code: int, content_type: str, argument: str
    ) -> None:
        super().__init__(message, argument=argument)
        self.url = url
        self.status_code = status_code
        self.content_type = content_type


class ClientClosedError(SunoError, RuntimeError):
    """The client was closed; a closed client cannot be reopened. Create a new one."""


class CreditBudgetError(SunoError):
    """The call's known cost would take the client past its credit budget; nothing was sent.

    ``cost`` is the call's price, ``spent`` what the client has spent (or may have: an
    ambiguous submit counts), ``limit`` the budget (``max_credits``).
    """

    def __init__(self, message: str, *, cost: int, spent: int, limit: int) -> None:
        super().__init__(message)
        self.cost = cost
        self.spent = spent
        self.limit = limit


class APIError(SunoError):
    """A request to the provider (or its CDN) did not succeed.

    ``method`` and ``url`` say which request; the URL never carries credentials.
    """

    def __init__(
        self, message: str, *, method: str = "", url: str = "", retryable: bool | None = None
    ) -> None:
        super().__init__(message, retryable=retryable)
        self.method = method
        self.url = url


class APIConnectionError(APIError):
    """No usable answer arrived: the connection failed, broke or the body was cut off."""

    default_retryable = True


class APITimeoutError(APIConnectionError, TimeoutError):
    """The request took longer than the client's timeout."""


class AmbiguousSubmitError(APIError):
    """A request that starts paid work may have reached the server, but its outcome is unknown.

    Raised when the connection broke after the request was sent, when the answer could not be
    read or had no task id, or when the server answered 500, 502, 504 or another 5xx that does
    not prove the work was refused (a gateway error can hide work that started). It is not a
    connection error: the server may well have answered. The library does not re-send it
    blindly (unless asked, with ``resend_if_ambiguous``): doing so could start (and bill) the
    work twice. ``endpoint`` names the call, ``status_code`` the 5xx status if one came,
    ``body_sent`` the JSON body of the request (what to look for among the account's recent
    work), and ``session_id`` the custom-model session whose training may have started (poll
    it, or resume with the same journal) before sending it again.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        url: str = "",
        endpoint: str = "",
        status_code: int | None = None,
        body_sent: bytes | None = None,
        session_id: str | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url)
        self.endpoint = endpoint
        self.status_code = status_code
        self.body_sent = body_sent
        self.session_id = session_id


class APIStatusError(APIError):
    """The server answered with a non-2xx status.

    ``status_code`` is the HTTP status, ``body`` the raw answer (bytes, possibly empty),
    ``provider_message`` the provider's own explanation when it gave one, and ``retry_after``
    the server's ``Retry-After`` in seconds, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: bytes = b"",
        provider_message: str | None = None,
        retry_after: float | None = None,
        method: str = "",
        url: str = "",
    ) -> None:
        super().__init__(
            message,
            method=method,
            url=url,
            retryable=status_code in (408, 429)
            or (status_code >= 500 and status_code not in _NOT_RETRYABLE_5XX),
        )
        self.status_code = status_code
        self.body = body
        self.provider_message = provider_message
        self.retry_after = retry_after


class BadRequestError(APIStatusError):
    """400: the provider rejected the request's content. Fix the arguments; do not retry as is."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing or not accepted. Check ``MOUNTSEA_API_KEY`` or
    ``SUNOAPI_API_KEY``, whichever the client reads."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not do this (for example the account's custom-model limit is reached)."""


class InsufficientCreditsError(APIStatusError):
    """The account lacks the credits this call costs. Top up the account, then call again."""


class NotFoundError(APIStatusError):
    """404: the task, clip or route does not exist (check the id and the base URL)."""


class ConflictError(APIStatusError):
    """409: the request clashes with the current state, e.g. a training already submitted."""


class RateLimitError(APIStatusError):
    """429: too many requests. Retried automatically (the server did no work), honouring
    Retry-After."""


class InternalServerError(APIStatusError):
    """5xx on a request that is safe to repeat, after the automatic retries ran out.

    (On a request that starts paid work a 5xx raises :class:`AmbiguousSubmitError` instead.)
    """


class ResponseValidationError(APIError):
    """The answer did not have the documented shape. ``body`` holds what arrived."""

    def __init__(
        self,
        message: str,
        *,
        body: bytes = b"",
        method: str = "",
        url: str = "",
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url, retryable=retryable)
        self.body = body


class TaskError(SunoError):
    """An asynchronous task did not produce a result.

    ``task_id`` names the task; ``snapshot`` is the last status answer seen (``None`` if none
    arrived): a mountsea ``TaskSnapshot``; for sunoapi a
    ``V30Task``, a :class:`Clip`, or (a wait on several clips) a list of the clips' last states.
    """

    def __init__(self, message: str, *, task_id: str, snapshot: Any = None) -> None:
        super().__init__(message)
        self.task_id = task_id
        self.snapshot = snapshot


class TaskFailedError(TaskError):
    """The provider reported status ``failed``; ``fail_reason`` and ``fail_code`` say why."""

    def __init__(
        self,
        message: str,
        *,
        task_id: str,
        snapshot: Any = None,
        fail_reason: str | None = None,
        fail_code: int | str | None = None,
    ) -> None:
        super().__init__(message, task_id=task_id, snapshot=snapshot)
        self.fail_reason = fail_reason
        self.fail_code = fail_code


class ClipFailedError(TaskFailedError):
    """A clip ended with status ``error``.

    ``clip_id`` names it; ``error_type`` and ``error_message`` are the provider's explanation
    (also in ``fail_code`` and ``fail_reason``); ``snapshot`` is the clip itself.
    """

    def __init__(
        self,
        message: str,
        *,
        clip_id: str,
        error_type: str | None,
        error_message: str | None,
        snapshot: Any = None,
    ) -> None:
        super().__init__(
            message,
            task_id=clip_id,
            snapshot=snapshot,
            fail_reason=error_message,
            fail_code=error_type,
        )
        self.clip_id = clip_id
        self.error_type = error_type
        self.error_message = error_message

    @classmethod
    def from_clip(cls, clip: Clip) -> ClipFailedError:
        """The error for a clip whose status is ``error``."""
        error_type = clip.metadata.error_type if clip.metadata else None
        error_message = clip.metadata.error_message if clip.metadata else None
        detail = ": ".join(part.rstrip(".") for part in (error_type, error_message) if part)
        return cls(
            f"clip {clip.id} failed{': ' + detail if detail else ''}.",
            clip_id=clip.id,
            error_type=error_type,
            error_message=error_message,
            snapshot=clip,
        )


class TaskTimeoutError(TaskError, TimeoutError):
    """The task did not finish in time.

    ``server_side`` is true when the provider reported status ``timeout``, false when the client's
    own deadline passed (the task may still finish: wait on ``task_id`` again to pick it up).
    """

    def __init__(
        self,
        message: str,
        *,
        task_id: str,
        snapshot: Any = None,
        server_side: bool,
    ) -> None:
        super().__init__(message, task_id=task_id, snapshot=snapshot)
        self.server_side = server_side


class WorkflowError(SunoError):
    """A multi-step workflow stopped before it could finish."""
