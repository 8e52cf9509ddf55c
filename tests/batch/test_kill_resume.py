"""A 2,000-row batch on the emulator with faults, killed (SIGKILL) at random moments and run
again until no row is left to work on: every row ends done (or, when a kill or a fault lost the
answer to its paid request, ambiguous, never sent twice), no work is billed twice, the
emulator's ledger agrees with the store's credits, the concurrency and the credit caps hold,
and the malformed rows are reported with their line numbers without stopping the others.

The emulator runs in the test's process (so it outlives every kill) on ``SystemClock(SPEED)``;
each run of the batch is a child process (``_batch_worker.py``, the public ``run_batch`` with
both clients on ``SystemClock(SPEED)``). Faults: chaos on every API request (429s, 5xx before
and after the work, connections dropped before and after the work) and tasks failed by the
provider, queued a few at a time while the runs go on.

``SUNO_ASYNC_KILL_SEED`` replays a seed (it decides the kill times, the chaos and the faults;
the machine's timing still varies); ``SUNO_ASYNC_KILL_ROWS`` changes the number of rows.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import anyio
import pytest

from suno_async import ConfigError, SystemClock
from suno_async.batch import JobRecord, JobStore
from suno_async.emulator import Chaos, Charge, Emulator, EmulatorConfig, RequestRecord

pytestmark = pytest.mark.anyio

WORKER = Path(__file__).parent / "_batch_worker.py"
ROWS = int(os.environ.get("SUNO_ASYNC_KILL_ROWS", "2000"))
SEED = int(os.environ.get("SUNO_ASYNC_KILL_SEED", str(random.SystemRandom().randrange(10**6))))
#: The emulator's and the clients' clock run this many times faster than real time: a 45 s
#: generation takes 45 ms.
SPEED = 1000.0
CONCURRENCY = 24
#: Kills before the runs are left to finish, and how long (real seconds) a run lives first.
KILLS = 8
KILL_AFTER = (0.05, 1.5)
#: Rows of each other kind; the rest are mountsea generations.
PURE_MUSIC = ROWS // 10
TRAININGS = 4
#: Tasks the provider fails, queued a few at a time while the runs go on.
FAILED_GENERATIONS = 24
FAILED_MUSIC = 12
FAILED_TRAININGS = 1
#: More runs than this means the batch does not converge.
MAX_RUNS = 40

GENERATE_COST, TRAINING_COST, MUSIC_COST = 40, 100, 10
PRICED = {"generate", "training", "music"}
#: The price of each paid call a row of each kind makes.
STEP_PRICES = {
    "generate": {GENERATE_COST},
    "pure_music": {MUSIC_COST},
    "train_generate": {TRAINING_COST, GENERATE_COST},
}


@dataclass
class Rows:
    """The rows file and what each row should become."""

    path: Path
    #: Row key -> the labels (titles, model names) of its paid work.
    labels: dict[str, list[str]] = field(default_factory=dict)
    #: Line numbers of the malformed rows.
    malformed: list[int] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)


def write_rows(path: Path, base_url: str, rng: random.Random) -> Rows:
    """``ROWS`` rows in JSON Lines: generations, pure music, a few trainings, two bad rows."""
    kinds = ["generate"] * (ROWS - PURE_MUSIC - TRAININGS - 2) + ["pure_music"] * PURE_MUSIC
    kinds += ["train_generate"] * TRAININGS + ["bad-json", "bad-kind"]
    rng.shuffle(kinds)
    rows = Rows(path)
    lines: list[str] = []
    urls = [f"{base_url}/samples/track-{n}.wav" for n in range(1, 7)]
    for index, kind in enumerate(kinds, start=1):
        key = f"r{index:05d}"
        title = f"kr-{key}"
        rows.kinds[kind] += 1
        if kind == "bad-json":
            lines.append('{"kind": "generate", "tags": "pop", "title": "broken"')
            rows.malformed.append(index)
            continue
        if kind == "bad-kind":
            lines.append(json.dumps({"kind": "karaoke", "key": key, "tags": "pop"}))
            rows.malformed.append(index)
            continue
        if kind == "generate":
            row: dict[str, Any] = {"tags": "synthwave", "title": title, "make_instrumental": True}
            rows.labels[key] = [title]
        elif kind == "pure_music":
            row = {"tags": "ambient piano", "title": title}
            rows.labels[key] = [title]
        else:
            song = f"{title}-song"
            row = {"name": title, "audio_urls": urls, "generate": {"tags": "pop", "title": song}}
            rows.labels[key] = [title, song]
        lines.append(json.dumps({"kind": kind, "key": key, **row}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rows


def caps(rows: Rows) -> tuple[int, int]:
    """Credit caps that cover the work, the tasks failed on purpose and some lost answers,
    with little to spare (so that they are a real limit)."""
    generations = rows.kinds["generate"] + rows.kinds["train_generate"]
    mountsea = GENERATE_COST * (generations + FAILED_GENERATIONS)
    mountsea += TRAINING_COST * (rows.kinds["train_generate"] + FAILED_TRAININGS)
    sunoapi = MUSIC_COST * (rows.kinds["pure_music"] + FAILED_MUSIC)
    return int(mountsea * 1.1) + 400, int(sunoapi * 1.1) + 100


@dataclass
class Runs:
    """What the runs did."""

    started: int = 0
    killed: int = 0
    finished: int = 0
    seconds: list[float] = field(default_factory=list)
    #: Each run's span on the emulator's clock, from before it started to after it ended.
    windows: list[tuple[float, float]] = field(default_factory=list)


async def run_worker(
    args: list[str], kill_after: float | None, runs: Runs, log: Path, clock: SystemClock
) -> None:
    """One run of the batch; SIGKILLed after ``kill_after`` real seconds if still going."""
    runs.started += 1
    began, opened = time.monotonic(), clock.now()
    try:
        await _run_worker(args, kill_after, runs, log, began)
    finally:
        runs.windows.append((opened, clock.now()))


async def _run_worker(
    args: list[str], kill_after: float | None, runs: Runs, log: Path, began: float
) -> None:
    with log.open("ab") as out:
        process = await anyio.open_process(
            [sys.executable, str(WORKER), *args], stdout=out, stderr=out
        )
        async with process:
            with anyio.move_on_after(kill_after if kill_after is not None else 60):
                code = await process.wait()
                runs.finished += 1
                runs.seconds.append(time.monotonic() - began)
                assert code == 0, f"a run failed (exit {code}); see {log}\n{log.read_text()}"
                return
            process.send_signal(signal.SIGKILL)
            await process.wait()
            if kill_after is None:
                pytest.fail(f"a run did not finish within 60 s (seed {SEED}); see {log}")
            runs.killed += 1
            runs.seconds.append(time.monotonic() - began)


def records(store: Path) -> list[JobRecord]:
    opened = JobStore.open(store, readonly=True)
    try:
        return list(opened.records())
    finally:
        opened.close()


def left_to_do(store: Path) -> int:
    """Rows a rerun would still work on."""
    try:
        stored = records(store)
    except ConfigError:  # no store yet, or a run was killed while it was making it
        return ROWS
    return sum(1 for r in stored if r.status in ("pending", "running", "failed"))


async def inject_task_faults(emulator: Emulator, rng: random.Random) -> None:
    """Fail tasks a few at a time while the runs go on, so that failures land throughout."""
    left = Counter(generate=FAILED_GENERATIONS, music=FAILED_MUSIC, training=FAILED_TRAININGS)
    while +left:
        await anyio.sleep(rng.uniform(0.05, 0.4))
        kind = rng.choice(sorted(+left))
        emulator.fail_next_tasks(kind)
        left[kind] -= 1


def stats_of(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    parsed: list[dict[str, Any]] = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:  # the last line of a killed run, cut short
            continue
    return parsed


async def test_killed_batch_resumes_until_every_row_is_done_once(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    chaos = Chaos(
        rate_limit=0.02,
        server_error=0.02,
        drop=0.01,
        server_error_after=0.5,
        seed=rng.randrange(2**31),
    )
    config = EmulatorConfig(
        speed=SPEED,
        credits=10_000_000,
        sunoapi_credits=10_000_000,
        max_custom_models=100,
        chaos=chaos,
    )
    store, stats, log = tmp_path / "batch.db", tmp_path / "stats.jsonl", tmp_path / "runs.log"
    runs = Runs()
    began = time.monotonic()
    clock = SystemClock(SPEED)
    async with Emulator(config, clock=clock) as emulator:
        rows = write_rows(tmp_path / "rows.jsonl", emulator.base_url, rng)
        cap_mountsea, cap_sunoapi = caps(rows)
        args = [
            *("--rows", str(rows.path), "--store", str(store), "--base-url", emulator.base_url),
            *("--speed", str(SPEED), "--concurrency", str(CONCURRENCY), "--stats", str(stats)),
            *("--cap-mountsea", str(cap_mountsea), "--cap-sunoapi", str(cap_sunoapi)),
        ]
        async with anyio.create_task_group() as group:
            group.start_soon(inject_task_faults, emulator, random.Random(rng.random()))
            for _ in range(KILLS):
                await run_worker(args, rng.uniform(*KILL_AFTER), runs, log, clock)
            while left_to_do(store):
                assert runs.started < MAX_RUNS, f"no end after {MAX_RUNS} runs (seed {SEED})"
                await run_worker(args, None, runs, log, clock)
                ends = [s for s in stats_of(stats) if "end" in s]
                stopped = ends[-1]["summary"]["stopped"] if ends else None
                assert stopped is None, f"the run stopped: {stopped} (seed {SEED})"
            group.cancel_scope.cancel()
        charges = emulator.charges
        requests = emulator.requests
        chaos_stats = emulator.chaos_stats
    elapsed = time.monotonic() - began
    final = records(store)
    worker_stats = stats_of(stats)
    seen_at_once = jobs_at_once(requests, runs.windows, rows, final, charges)
    print(  # the figures (pytest -s shows them)
        f"\nkill-and-resume: seed {SEED}, {ROWS} rows {dict(rows.kinds)}, concurrency "
        f"{CONCURRENCY}, speed x{SPEED:g}\n"
        f"  runs {runs.started} ({runs.killed} killed, {runs.finished} finished), seconds "
        f"{[round(s, 2) for s in runs.seconds]}\n"
        f"  statuses {dict(Counter(r.status for r in final))}; rows tried more than once "
        f"{sum(1 for r in final if r.attempts > 1)}; ambiguous rows the emulator billed "
        f"{len(billed_ambiguous(rows, final, charges))} (the others' work never arrived), "
        f"ambiguous with the lost call counted as spent (killed between the tally and the "
        f"journal) {sum(1 for r in final if r.status == 'ambiguous' and unsure_of(r) == 0)}\n"
        f"  charges {len(charges)} {dict(Counter((c.kind, c.state) for c in charges))}; "
        f"billed (priced) {sum(c.cost for c in charges if c.kind in PRICED)}, store spent "
        f"{sum(r.credits.spent for r in final)} + uncertain "
        f"{sum(r.credits.uncertain for r in final)}; caps {cap_mountsea}/{cap_sunoapi}\n"
        f"  most jobs at once {max(s.get('running', 0) for s in worker_stats)} (as the "
        f"emulator saw them: {seen_at_once}); chaos "
        f"{chaos_stats}; total {elapsed:.1f} s"
    )
    check_outcome(rows, final, charges, worker_stats, (cap_mountsea, cap_sunoapi))
    assert seen_at_once <= CONCURRENCY, (seen_at_once, SEED)


def jobs_at_once(
    requests: list[RequestRecord],
    windows: list[tuple[float, float]],
    rows: Rows,
    final: list[JobRecord],
    charges: list[Charge],
) -> int:
    """The most rows the emulator saw being worked on at once in one run: a row is being
    worked on from the first to the last status request about its work in that run (each
    such request comes from the job of that row, while it runs). Status requests are matched
    to rows by task id (mountsea: the charges' labels) or clip id (sunoapi: the clips of the
    rows done); the rest are not counted, so this is a lower bound of what the runs did."""
    row_of = {label: key for key, labels in rows.labels.items() for label in labels}
    by_task = {c.task_id: row_of[c.label] for c in charges if c.label in row_of}
    by_clip: dict[str, str] = {}
    for record in final:
        if record.result:
            for clip in json.loads(record.result)["clips"]:
                by_clip[clip["id"]] = record.key
    spans: dict[tuple[int, str], list[float]] = {}
    for request in requests:
        query = parse_qs(request.query)
        if request.path == "/suno/v2/status":
            keys = {by_task.get(t) for t in query.get("taskId", [])}
        elif request.path == "/api/v2/suno/v3.5/clips":
            ids = [i for value in query.get("ids", []) for i in value.split(",")]
            keys = {by_clip.get(i) for i in ids}
        else:
            continue
        run = next((n for n, (a, b) in enumerate(windows) if a <= request.at <= b), -1)
        for key in keys:
            if key is None:
                continue
            span = spans.setdefault((run, key), [request.at, request.at])
            span[0], span[1] = min(span[0], request.at), max(span[1], request.at)
    # At one moment an end is counted before a start: only spans that truly overlap add up.
    edges = sorted((moment, step) for a, b in spans.values() for moment, step in ((a, 1), (b, -1)))
    most = current = 0
    for _, step in edges:
        current += step
        most = max(most, current)
    return most


def unsure_of(record: JobRecord) -> int:
    """The row's uncertain credits, a paid call in flight when its run was killed included."""
    credits = record.credits
    return credits.uncertain + sum(cost for cost, _ in credits.in_flight)


def billed_ambiguous(rows: Rows, final: list[JobRecord], charges: list[Charge]) -> set[str]:
    """The ambiguous rows whose paid work the emulator did (and billed): only the answer was
    lost."""
    ambiguous = {r.key for r in final if r.status == "ambiguous"}
    row_of = {label: key for key, labels in rows.labels.items() for label in labels}
    return {
        row_of[c.label]
        for c in charges
        if c.kind in PRICED and c.label in row_of and row_of[c.label] in ambiguous
    }


def check_outcome(
    rows: Rows,
    final: list[JobRecord],
    charges: list[Charge],
    stats: list[dict[str, Any]],
    caps: tuple[int, int],
) -> None:
    seed = f"(seed {SEED})"
    by_key = {r.key: r for r in final}
    # Every row is in the store once; every good row ended done or ambiguous; bad rows invalid.
    assert set(rows.labels) <= set(by_key), seed
    statuses = Counter(by_key[key].status for key in rows.labels)
    assert set(statuses) <= {"done", "ambiguous"}, (statuses, seed)
    invalid = sorted(r.line for r in final if r.status == "invalid" and r.line is not None)
    assert invalid == rows.malformed, (invalid, rows.malformed, seed)
    assert len(final) == len(rows.labels) + len(rows.malformed), seed
    # The last run reported the malformed rows with their line numbers, and went on.
    ends = [s for s in stats if "end" in s]
    reported = sorted(e["line"] for e in ends[-1]["summary"]["row_errors"])
    assert reported == rows.malformed, (reported, seed)
    assert any("karaoke" in e["message"] for e in ends[-1]["summary"]["row_errors"]), seed

    # The emulator's charges, by the row whose title or model name they carry.
    row_of = {label: key for key, labels in rows.labels.items() for label in labels}
    charged: dict[str, list[Charge]] = defaultdict(list)
    for charge in charges:
        if charge.kind in PRICED:
            assert charge.label in row_of, (charge, seed)
            charged[row_of[charge.label]].append(charge)
    for key, labels in rows.labels.items():
        record = by_key[key]
        live = Counter(c.label for c in charged[key] if c.state != "refunded")
        twice = {label: n for label, n in live.items() if n > 1}
        assert not twice, f"row {key} billed twice: {charged[key]} {seed}"
        if record.status == "done":
            kept = Counter(c.label for c in charged[key] if c.state == "kept")
            assert kept == Counter(labels), (key, charged[key], seed)
            result = json.loads(record.result or b"{}")
            assert result["task_id"] in {c.task_id for c in charged[key] if c.state == "kept"}, (
                key,
                result,
                seed,
            )
        # The store's credits for the row bracket what the emulator charged for it.
        billed = sum(c.cost for c in charged[key])
        credits, unsure = record.credits, unsure_of(record)
        assert credits.spent <= billed <= credits.spent + unsure, (key, credits, billed, seed)
        if record.status == "done":  # nothing left uncertain: the ledger's exact figure
            assert (credits.spent, unsure) == (billed, 0), (key, credits, billed, seed)
        else:
            # One paid call's outcome was lost, counted once across all the reruns: as
            # uncertain, or as spent when the run was killed after its answer was counted
            # and before the journal kept it (the bracket above holds either way).
            assert unsure in {0} | STEP_PRICES[record.kind], (key, credits, seed)

    # The ledger equals the store's totals (up to what the store holds as uncertain).
    spent = sum(r.credits.spent for r in final)
    unsure = sum(r.credits.uncertain + sum(cost for cost, _ in r.credits.in_flight) for r in final)
    billed = sum(c.cost for c in charges if c.kind in PRICED)
    assert spent <= billed <= spent + unsure, (spent, unsure, billed, seed)
    done_spent = sum(r.credits.spent for r in final if r.status == "done")
    done_billed = sum(
        c.cost for key in rows.labels if by_key[key].status == "done" for c in charged[key]
    )
    assert done_spent == done_billed, (done_spent, done_billed, seed)

    # The caps held across every run; the concurrency held in every run.
    billed_by = Counter[str]()
    for charge in charges:
        if charge.kind in PRICED:
            billed_by[charge.provider] += charge.cost
    assert billed_by["mountsea"] <= caps[0], (billed_by, caps, seed)
    assert billed_by["sunoapi"] <= caps[1], (billed_by, caps, seed)
    most = max(s["running"] for s in stats if "running" in s)
    assert most <= CONCURRENCY, (most, seed)
