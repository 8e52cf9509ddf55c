"""The public surface is what ``suno_async.__all__`` says, nothing more, nothing less."""

from __future__ import annotations

import subprocess
import sys

import suno_async

EXPECTED = {
    "DEFAULT_SCHEDULES", "APIConnectionError", "APIError", "APIStatusError", "APITimeoutError",
    "AmbiguousSubmitError", "AuthenticationError", "BadRequestError", "Clip", "ClipStatus",
    "ClientClosedError", "Clock", "ConfigError", "ConflictError", "Controls", "CustomModel",
    "DownloadFinished", "Event", "EventHandler", "GenerateRequest", "GenerateTask",
    "GenerationFinished", "GenerationSubmitted", "InsufficientCreditsError",
    "InternalServerError", "NotEnoughClipsError", "NotFoundError", "PermissionDeniedError",
    "Persona", "PollSchedule", "RateLimitError", "RequestStats", "ResponseValidationError",
    "RetryPolicy", "SessionPrepared", "SoundSpec", "SunoClient", "SunoError", "SystemClock",
    "TaskError", "TaskFailedError", "TaskKind", "TaskSnapshot", "TaskStatus",
    "TaskStatusChanged", "TaskTimeoutError", "TimeRange", "TrainingFinished", "TrainingResult",
    "TrainingSubmitted", "UploadFailed", "UploadFinished", "UploadOutcome", "UploadSubmitted",
    "VirtualClock", "WorkflowError", "__version__", "ClipFailedError", "GenerateBatch",
    "SunoApiClient", "SunoApiV30", "V30Input", "V30Task", "V30TaskStatus", "WaitUntil",
    "GenerationResult", "CreditBudgetError", "CreditsSpent", "EventStream",
    "GenerationStreaming", "stream_events",
}  # fmt: skip


def test_all_is_pinned() -> None:
    """__all__ lists exactly the public names, each importable."""
    assert set(suno_async.__all__) == EXPECTED
    assert len(suno_async.__all__) == len(EXPECTED)
    for name in suno_async.__all__:
        assert hasattr(suno_async, name), name


def test_errors_share_one_root() -> None:
    """Every exported exception derives from SunoError."""
    errors = [
        getattr(suno_async, n)
        for n in suno_async.__all__
        if isinstance(getattr(suno_async, n), type)
        and issubclass(getattr(suno_async, n), BaseException)
    ]
    assert len(errors) >= 20
    assert all(issubclass(e, suno_async.SunoError) for e in errors)
    assert issubclass(suno_async.APITimeoutError, TimeoutError)
    assert issubclass(suno_async.TaskTimeoutError, TimeoutError)
    assert issubclass(suno_async.ConfigError, ValueError)


def test_library_import_leaves_emulator_and_cli_out() -> None:
    """Importing the library does not import the emulator, the CLI or rich."""
    code = (
        "import sys, suno_async; "
        "print(sorted(m for m in ('suno_async.emulator', 'suno_async.cli', 'rich') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
