"""Running the command line in-process, for the tests of every package that has commands."""

from __future__ import annotations

import json
from typing import Any

import pytest

from suno_async.cli import main

#: The environment variables a command reads its defaults from: cleared for every CLI test.
CLI_ENVIRONMENT = (
    "MOUNTSEA_API_KEY",
    "MOUNTSEA_BASE_URL",
    "MOUNTSEA_USAGE_URL",
    "SUNOAPI_API_KEY",
    "SUNOAPI_BASE_URL",
    "SUNOAPI_WEBHOOK_SECRET",
    "SUNO_ASYNC_SPEED",
)


def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clear :data:`CLI_ENVIRONMENT`, so a developer's own keys never reach a test."""
    for name in CLI_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``main(argv)``: its exit code (also from SystemExit), standard output and error."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    """``main(["--json", *argv])``, which must succeed: its result."""
    code, out, err = run(capsys, "--json", *argv)
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data
