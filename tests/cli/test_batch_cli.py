"""``suno-async batch``: run, status, retry and export, in-process on the embedded emulator (or
one served from a background thread, for faults and for several commands), and one real
process interrupted with SIGINT and resumed with the command it prints."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import anyio.from_thread
import pytest

from suno_async import ConfigError
from suno_async.batch import BatchProgress, JobStore
from suno_async.cli._batch import (
    BatchDisplay,
    _retry_command,
    batch_exit_code,
    count_rows,
    default_store,
)
from suno_async.cli._run import Options
from suno_async.emulator import Emulator, EmulatorConfig

from ..cli_helpers import clean_environment, run

SPEED = "4000"
FAST = ["--emulator", "--speed", SPEED]
GENERATE = "/suno/v2/generate"
BIN = Path(sys.executable).parent


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """An emulator serving on a loop in another thread; both providers' keys and URLs point
    at it, and SUNO_ASYNC_SPEED at its speed."""
    with anyio.from_thread.start_blocking_portal() as portal:
        emulator = portal.call(Emulator, EmulatorConfig(speed=float(SPEED)))
        with portal.wrap_async_context_manager(emulator):
            for provider in ("MOUNTSEA", "SUNOAPI"):
                monkeypatch.setenv(f"{provider}_API_KEY", "test-key")
                monkeypatch.setenv(f"{provider}_BASE_URL", emulator.base_url)
            monkeypatch.setenv("SUNO_ASYNC_SPEED", SPEED)
            yield emulator


def rows_file(tmp_path: Path, count: int = 3, *, name: str = "rows.csv") -> Path:
    path = tmp_path / name
    path.write_text("key,title,tags\n" + "".join(f"r{n},Song {n},pop\n" for n in range(count)))
    return path


def statuses(store: Path) -> dict[str, str]:
    with JobStore.open(store, readonly=True) as opened:
        return {record.key: record.status for record in opened.records()}


# -- run ---------------------------------------------------------------------------------------


def test_run_makes_every_row_and_a_rerun_skips_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The store defaults to FILE.db; progress lines on stderr, the summary on stdout."""
    rows = rows_file(tmp_path)
    code, out, err = run(capsys, *FAST, "batch", "run", str(rows))
    assert code == 0, err
    assert out.splitlines()[0].startswith("this run  3 done, 0 skipped")
    assert f"store     {rows}.db: 3 rows (3 done)" in out
    assert "credits   120 spent this run" in out
    assert "3/3 rows | done 3" in err
    assert statuses(Path(f"{rows}.db")) == {"r0": "done", "r1": "done", "r2": "done"}

    code, out, err = run(capsys, "--json", *FAST, "batch", "run", str(rows))
    assert code == 0, err
    data = json.loads(out)
    assert (data["done"], data["skipped"], data["complete"]) == (0, 3, True)
    assert data["totals"]["spent"] == 120
    assert data["credits_spent"] == 0
    assert err == ""  # --json without --events: no progress


def test_run_reports_malformed_rows_with_their_lines_and_runs_the_others(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = tmp_path / "mixed.jsonl"
    rows.write_text(
        '{"key": "a", "tags": "pop"}\n'
        "not json\n"
        '{"key": "b", "kind": "dance"}\n'
        '{"key": "c", "kind": "pure_music", "tags": "lofi", "title": "Mixed"}\n'
    )
    store = tmp_path / "s.db"
    code, out, err = run(capsys, *FAST, "batch", "run", str(rows), "--store", str(store))
    assert code == 2, err
    assert "invalid   line 2: not JSON" in out
    assert "invalid   line 3: unknown kind 'dance'" in out
    assert statuses(store) == {
        "a": "done",
        "c": "done",  # a sunoapi row beside mountsea ones, on the same emulator
        "line:2": "invalid",
        "b": "invalid",
    }


def test_provider_sunoapi_makes_pure_music_rows_by_default(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = tmp_path / "music.csv"
    rows.write_text("tags,title\nlofi,One\nambient,Two\n")
    code, out, err = run(
        capsys, "--json", *FAST, "--provider", "sunoapi", "batch", "run", str(rows)
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["done"] == 2
    kinds = {json.loads(line)["kind"] for line in _export(capsys, f"{rows}.db", "jsonl")}
    assert kinds == {"pure_music"}


def test_out_of_credits_stops_the_batch_with_exit_4(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = rows_file(tmp_path, 4)
    argv = [*FAST, "--emulator-credits", "50", "batch", "run", str(rows), "--concurrency", "1"]
    code, out, err = run(capsys, *argv)
    assert code == 4, err
    assert "stopped   InsufficientCreditsError" in out
    assert "resume    suno-async --emulator --speed 4000 --emulator-credits 50 batch run" in out
    assert Counter(statuses(Path(f"{rows}.db")).values())["done"] == 1


def test_failed_rows_exit_6_are_printed_and_retry_runs_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, served: Emulator
) -> None:
    rows = rows_file(tmp_path)
    store = f"{rows}.db"
    served.fail_next_tasks("generate", reason="The lyrics were flagged.")
    code, out, err = run(capsys, "batch", "run", str(rows), "--concurrency", "1")
    assert code == 6, err
    assert "line 2 (r0): failed:" in err
    assert "The lyrics were flagged." in err
    assert f"retry     suno-async batch retry {store}" in out

    code, out, err = run(capsys, "--json", "batch", "retry", store)
    assert code == 0, err
    data = json.loads(out)
    assert (data["done"], data["complete"]) == (1, True)
    assert served.count("POST", GENERATE) == 4


def test_a_lost_answer_is_ambiguous_exit_8_and_resent_only_when_asked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, served: Emulator
) -> None:
    rows = rows_file(tmp_path, 1)
    store = f"{rows}.db"
    served.drop_next("POST", GENERATE, after_work=True)
    code, out, err = run(capsys, "batch", "run", str(rows))
    assert code == 8, err
    assert "line 2 (r0): ambiguous:" in err
    assert "--resend-if-ambiguous" in out
    code, _, err = run(capsys, "batch", "run", str(rows))  # not sent again
    assert code == 8, err
    code, _, err = run(capsys, "batch", "retry", store)  # retry leaves it too
    assert code == 0, err
    assert served.count("POST", GENERATE) == 1
    assert statuses(Path(store)) == {"r0": "ambiguous"}

    code, _, err = run(capsys, "batch", "retry", store, "--resend-if-ambiguous")
    assert code == 0, err
    assert served.count("POST", GENERATE) == 2
    assert statuses(Path(store)) == {"r0": "done"}


def test_a_store_is_kept_to_the_emulator_or_the_service_it_was_run_on(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, served: Emulator
) -> None:
    rows = rows_file(tmp_path, 1)
    assert run(capsys, *FAST, "batch", "run", str(rows))[0] == 0
    code, _, err = run(capsys, "batch", "run", str(rows))
    assert code == 2
    assert "was run on the embedded emulator" in err
    assert served.count("POST", GENERATE) == 0


def test_a_rerun_on_a_fresh_emulator_starts_the_rows_the_old_one_had_under_way(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The store says a row was submitted to an emulator that is gone: the rerun starts it
    again, with its credits, instead of asking the new emulator for an unknown task."""
    rows = rows_file(tmp_path, 2)
    store = Path(f"{rows}.db")
    assert run(capsys, *FAST, "batch", "run", str(rows))[0] == 0
    with JobStore.open(store) as opened:  # as a killed run leaves a row
        record = opened.get("r1")
        assert record is not None
        opened.update("r1", status="running", result=None)
    code, out, err = run(capsys, "--json", *FAST, "batch", "run", str(rows))
    assert code == 0, err
    assert "1 row was under way on the emulator of an earlier run" not in err  # --json: quiet
    data = json.loads(out)
    assert (data["done"], data["skipped"], data["totals"]["spent"]) == (1, 1, 80)


def test_a_busy_store_is_refused_and_status_reads_it_meanwhile(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = rows_file(tmp_path, 1)
    store = f"{rows}.db"
    assert run(capsys, *FAST, "batch", "run", str(rows))[0] == 0
    with JobStore.open(store):
        code, _, err = run(capsys, *FAST, "batch", "run", str(rows))
        assert code == 2
        assert "in use by another process" in err
        code, out, err = run(capsys, "batch", "status", store)
        assert code == 0, err
    assert out.splitlines()[:4] == [f"store      {store}", "rows       1", "pending    0",
                                    "running    0"]  # fmt: skip
    assert "spent      40 credits" in out


# -- status and export -------------------------------------------------------------------------


def _export(capsys: pytest.CaptureFixture[str], store: str, fmt: str, *more: str) -> list[str]:
    code, out, err = run(capsys, "batch", "export", store, "--format", fmt, *more)
    assert code == 0, err
    return out.splitlines()


def test_status_json_and_export_in_both_formats(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = rows_file(tmp_path, 2)
    rows.write_text(rows.read_text() + "bad,,pop,extra\n")
    store = f"{rows}.db"
    assert run(capsys, *FAST, "batch", "run", str(rows))[0] == 2
    code, out, _ = run(capsys, "--json", "batch", "status", store)
    assert code == 0
    data = json.loads(out)
    assert data["counts"]["done"] == 2
    assert data["counts"]["invalid"] == 1
    assert (data["rows"], data["spent"], data["complete"]) == (3, 80, False)
    assert data["resume"].startswith("suno-async --emulator --speed 4000 batch run")

    lines = _export(capsys, store, "csv")
    assert lines[0].startswith("key,line,kind,status,error,spent")
    assert len(lines) == 4
    done = [json.loads(line) for line in _export(capsys, store, "jsonl", "--status", "done")]
    assert [(row["key"], row["status"], row["spent"]) for row in done] == [
        ("r0", "done", 40),
        ("r1", "done", 40),
    ]
    assert all(len(row["clip_ids"]) == 2 for row in done)

    code, out, _ = run(capsys, "batch", "export", store, "-o", str(tmp_path / "r.jsonl"))
    assert code == 0
    assert out == f"wrote 3 rows to {tmp_path / 'r.jsonl'} (jsonl)\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["batch", "run", "rows.txt"], "read from .csv or .jsonl"),
        (["batch", "run", "missing.csv"], "no such file"),
        (["batch", "status", "missing.db"], "does not exist"),
        (["--emulator", "batch", "status", "x.db"], "only reads the store"),
        (["batch", "run", "rows.csv", "--concurrency", "0"], "--concurrency"),
    ],
)
def test_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rows.txt").write_text("x")
    (tmp_path / "rows.csv").write_text("tags\npop\n")
    (tmp_path / "x.db").write_text("")
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err


def test_without_a_key_it_says_how_to_try_it_offline(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = rows_file(tmp_path, 1)
    code, _, err = run(capsys, "batch", "run", str(rows))
    assert code == 2
    assert "no API key" in err
    assert "--emulator" in err


# -- pieces ------------------------------------------------------------------------------------


def test_the_display_draws_counts_credits_rate_and_eta() -> None:
    progress = BatchProgress(started=time.monotonic() - 10, done=4, failed=1, running=2)
    progress.spent = 160
    lines: list[str] = []
    display = BatchDisplay(progress, mode="lines", total=20, interval=0.0, write=lines.append)
    display.tick()
    assert "5/20 rows | done 4 | running 2 | failed 1" in lines[0]
    assert "credits 160 spent, 0 uncertain" in lines[0]
    assert "30.0 rows/min | ETA 30s" in lines[0]

    stream = io.StringIO()
    live = BatchDisplay(progress, mode="live", total=20, stream=stream)
    live.tick()
    live.message("line 7 (k): failed: no")
    live.close()
    assert stream.getvalue().startswith("\r\x1b[K5/20 rows")
    assert "\r\x1b[Kline 7 (k): failed: no\n" in stream.getvalue()
    assert stream.getvalue().endswith("\n")


def test_exit_codes_and_helpers(tmp_path: Path) -> None:
    assert batch_exit_code(Counter(done=3), None) == 0
    assert batch_exit_code(Counter(done=1, invalid=1), None) == 2
    assert batch_exit_code(Counter(failed=1, invalid=1), None) == 6
    assert batch_exit_code(Counter(failed=1, ambiguous=1), None) == 8
    assert batch_exit_code(Counter(ambiguous=1), "AuthenticationError: no") == 3
    assert batch_exit_code(Counter(), "CreditBudgetError: over") == 4
    assert default_store("a/rows.csv") == "a/rows.csv.db"
    path = tmp_path / "r.csv"
    path.write_text('tags,prompt\npop,"two\nlines"\n\nrock,\n')
    assert count_rows(path) == 2
    assert count_rows(tmp_path / "none.csv") is None


# -- a real process, interrupted ---------------------------------------------------------------


def test_ctrl_c_prints_the_resume_command_and_it_finishes_every_row_once(tmp_path: Path) -> None:
    """SIGINT mid-run: exit 130, the store keeps the rows, the printed command (on a fresh
    emulator) finishes the rest; every row is done once and the store counts 40 credits each."""
    rows = rows_file(tmp_path, 12)
    store = tmp_path / "rows.csv.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "SUNO"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    argv = ["suno-async", "--emulator", "--speed", "150", "batch", "run", rows.name,
            "--concurrency", "2"]  # fmt: skip
    proc = subprocess.Popen(
        argv, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(ConfigError):  # the store may be half made
                if store.exists() and Counter(statuses(store).values())["done"] >= 2:
                    break
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert out == ""
    done_before = Counter(statuses(store).values())["done"]
    assert 2 <= done_before < 12, err
    resume = next(line for line in err.splitlines() if line.startswith("Resume with: "))
    command = shlex.split(resume.removeprefix("Resume with: "))
    assert command == [*argv[:6], "rows.csv", "--store", "rows.csv.db", "--concurrency", "2"]

    again = subprocess.run(
        [*command[:-2], "--json"], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    data = json.loads(again.stdout)
    assert data["skipped"] == done_before
    assert data["done"] == 12 - done_before
    assert statuses(store) == {f"r{n}": "done" for n in range(12)}
    assert data["totals"]["spent"] == 12 * 40  # each row paid once in the store


def test_the_readme_batch_lines_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's "Batches" shell lines, as written (the emulator faster), in-process."""
    from ..test_readme import _sh

    monkeypatch.chdir(tmp_path)
    rows_file(tmp_path, 3)
    lines = _sh("suno-async --emulator batch run rows.csv").text.splitlines()
    assert len(lines) == 4
    for line in lines:
        argv = shlex.split(line, comments=True)
        assert argv[0] == "suno-async"
        if "--emulator" in argv:
            argv[2:2] = ["--speed", SPEED]
        code, _, err = run(capsys, *argv[1:])
        assert code == 0, err
    assert statuses(Path("rows.csv.db")) == {f"r{n}": "done" for n in range(3)}
    assert len((tmp_path / "results.csv").read_text().splitlines()) == 4


def test_an_emulator_run_refuses_a_store_it_did_not_make(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A store made by run_batch from Python (or a single-job journal) may hold real paid work:
    an --emulator run neither resets its rows nor marks it as the emulator's."""
    store = tmp_path / "real.db"
    with JobStore.open(store) as opened:
        opened.add("real1", "generate", '{"fields":{"tags":"pop"},"kind":"generate"}', 2, None)
        opened.update("real1", status="running", journal=b'{"submit":"submitted","task_id":"T"}')
    code, _, err = run(capsys, *FAST, "batch", "retry", str(store))
    assert code == 2, err
    assert "not made by an --emulator run" in err
    with JobStore.open(store, readonly=True) as opened:
        record = opened.get("real1")
        assert record is not None
        assert record.journal == b'{"submit":"submitted","task_id":"T"}'
        assert opened.get_meta("cli.endpoint") is None


def test_the_retry_hint_names_the_endpoint_of_the_run() -> None:
    """The printed retry command works as printed: on an emulator store it runs on the
    emulator (a bare 'batch retry' of such a store is refused)."""
    args = argparse.Namespace(store="rows.csv.db", speed=None)
    hint = _retry_command(args, Options(emulator=True), "--resend-if-ambiguous")
    assert hint == "suno-async --emulator batch retry --resend-if-ambiguous rows.csv.db"
    assert _retry_command(args, Options()) == "suno-async batch retry rows.csv.db"
