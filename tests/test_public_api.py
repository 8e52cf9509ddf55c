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
    "RetryPolicy", "SessionPrepared", "SoundSpec", "MountseaClient", "SunoError", "SystemClock",
    "TaskError", "TaskFailedError", "TaskKind", "TaskSnapshot", "TaskStatus",
    "TaskStatusChanged", "TaskTimeoutError", "TimeRange", "TrainingFinished", "TrainingResult",
    "TrainingSubmitted", "UploadFailed", "UploadFinished", "UploadOutcome", "UploadSubmitted",
    "VirtualClock", "WorkflowError", "__version__", "ClipFailedError", "GenerateBatch",
    "SunoapiClient", "SunoapiV30", "V30Input", "V30Task", "V30TaskStatus", "WaitUntil",
    "GenerationResult", "CreditBudgetError", "CreditsSpent", "EventStream",
    "GenerationStreaming", "stream_events", "ClipMetadata", "ClipHistoryEntry",
    "WrongBaseURLError", "WebhookError", "Credits", "CreditsReport", "Lyrics", "SunoapiV1",
    "TaskHandle", "V1Clip", "V1State", "V1Task", "WebhookEvent", "WebhookReceiver",
    "WebhookStats", "ClipsResult", "EditResult", "ImageItem", "ImageResult", "LyricsResult",
    "MidiResult", "PersonaStep", "SchemaField", "TaskResult", "TaskSchema", "UploadResult",
    "UploadSession", "AccountCredits", "UsagePage",
    # batches (issue 13)
    "BatchEvent", "BatchEventHandler", "BatchJob", "BatchProgress", "BatchSummary",
    "GenerateJob", "JobRecord", "JobResult", "JobStore", "PureMusicJob", "RowError", "RowEvent",
    "RowFinished", "StoreBusyError", "Totals", "TrainAndGenerateJob", "export_results",
    "read_rows", "retry_batch", "run_batch",
}  # fmt: skip


def test_all_is_pinned() -> None:
    """__all__ lists exactly the public names, each importable."""
    assert set(suno_async.__all__) == EXPECTED
    assert len(suno_async.__all__) == len(EXPECTED)
    for name in suno_async.__all__:
        assert hasattr(suno_async, name), name


def test_all_is_sorted() -> None:
    """__all__ is kept sorted (constants, classes, then functions), so a diff shows changes."""

    def key(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert suno_async.__all__ == sorted(suno_async.__all__, key=key)


def test_provider_packages_export_what_they_list() -> None:
    """Each provider package's __all__ names importable objects; its client is re-exported."""
    import suno_async.mountsea
    import suno_async.sunoapi

    for package, client in (
        (suno_async.mountsea, "MountseaClient"),
        (suno_async.sunoapi, "SunoapiClient"),
    ):
        assert client in package.__all__
        assert getattr(package, client) is getattr(suno_async, client)
        for name in package.__all__:
            assert hasattr(package, name), (package.__name__, name)


def test_the_drawn_error_tree_names_every_error() -> None:
    """The tree in the exceptions module's docstring names every exported error, each under
    its real parent's branch."""
    from suno_async._core import _exceptions

    tree = _exceptions.__doc__ or ""
    errors = [
        getattr(suno_async, n)
        for n in suno_async.__all__
        if isinstance(getattr(suno_async, n), type)
        and issubclass(getattr(suno_async, n), suno_async.SunoError)
    ]
    import re

    nodes = []  # (column of the name, name) for each line of the tree
    for text in tree.splitlines():
        match = re.match(r"^[\s│├└─]*?([A-Z]\w+Error)\b", text)
        if match and ("──" in text or text.strip().startswith("SunoError")):
            nodes.append((match.start(1), match.group(1)))
    names = [name for _, name in nodes]
    for error in errors:
        assert names.count(error.__name__) == 1, error.__name__
        if error is suno_async.SunoError:
            continue
        index = names.index(error.__name__)
        column = nodes[index][0]
        parent = next(n for c, n in reversed(nodes[:index]) if c < column)
        assert parent == error.__mro__[1].__name__, (error.__name__, parent)


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
