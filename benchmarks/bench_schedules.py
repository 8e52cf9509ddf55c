"""Poll schedules on paper: requests per task and detection lag over three completion mixes.

Not timed: the asks of a schedule are computed from ``PollSchedule.delays`` (the very
iterator a wait sleeps by), so this measures the schedule itself, free of network noise. For
each mix, N task durations are drawn (seeded) and every schedule is walked until its first ask
at or after the task's end:

* ``fast``: tasks that end in 1-10 s (a failure at once, a ``sound``, a crop or a fade);
* ``typical``: 30-120 s (the provider's figure for music tasks);
* ``slow``: 120-300 s (a long generation, a training).

Schedules compared, side by side in one run:

* ``backoff 2.5 x1.5``: the provider's recommended exponential backoff (first ask at 2.5 s,
  each wait 1.5 times the last, no cap);
* ``fixed 3 s``: the provider's sample loop;
* ``bound 2.5, t/2+1``: the sparsest schedule that keeps the bound below for tasks of 1 s and
  more (first ask at 2.5 s, each wait half the time elapsed + 1 s, no jitter): a reference for
  the fewest requests the bound allows, not a schedule to use;
* ``library generate``: the library's default schedule for generations (and sunoapi clips);
* ``library training``: its default for a training (expected in 120-180 s);
* ``library upload``: its plain growing schedule (no expected window);
* ``library edit``: the plain schedule of mountsea's quick tasks (a crop, a fade; lyrics and
  images differ only in a smaller cap).

Reported per mix and schedule: requests per task (mean), detection lag p50 / p99 / max in
seconds, the worst lag as a share of the task's own duration, and how many tasks were seen
later than half their duration + 1 s. The targets of the scheduler work (a schedule with no
blind spot): on every mix, no more requests than the backoff and a lower p99 lag, and no task
detected later than half its duration + 1 s. Under the table, each library schedule's verdict
on those three per mix. The two conflict: the backoff asks at ``t' = 1.5 t + 2.5`` and the
bound allows at most ``t' = 1.5 t + 1``, so any schedule that keeps the bound asks at least as
often as that recurrence, which is more often than the backoff on every mix; the library keeps
the bound.

Run: ``python benchmarks/bench_schedules.py [--tasks 20000] [--seed 1]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from suno_async import DEFAULT_SCHEDULES, TaskKind

MIXES: dict[str, tuple[float, float]] = {
    "fast": (1.0, 10.0),
    "typical": (30.0, 120.0),
    "slow": (120.0, 300.0),
}


def backoff(first: float = 2.5, factor: float = 1.5) -> Callable[[random.Random], Iterator[float]]:
    def delays(rng: random.Random) -> Iterator[float]:
        wait = first
        while True:
            yield wait
            wait *= factor

    return delays


def fixed(every: float) -> Callable[[random.Random], Iterator[float]]:
    def delays(rng: random.Random) -> Iterator[float]:
        while True:
            yield every

    return delays


def bound(first: float = 2.5) -> Callable[[random.Random], Iterator[float]]:
    def delays(rng: random.Random) -> Iterator[float]:
        elapsed = first
        yield first
        while True:
            wait = elapsed / 2 + 1
            elapsed += wait
            yield wait

    return delays


SCHEDULES: dict[str, Callable[[random.Random], Iterator[float]]] = {
    "backoff 2.5 x1.5": backoff(),
    "fixed 3 s": fixed(3.0),
    "bound 2.5, t/2+1": bound(),
    "library generate": DEFAULT_SCHEDULES[TaskKind.GENERATE].delays,
    "library training": DEFAULT_SCHEDULES[TaskKind.TRAINING].delays,
    "library upload": DEFAULT_SCHEDULES[TaskKind.UPLOAD].delays,
    "library edit": DEFAULT_SCHEDULES[TaskKind.EDIT].delays,
}
BASELINE = "backoff 2.5 x1.5"


@dataclass
class Walk:
    requests: int
    lag: float
    share: float


def walk(delays: Iterator[float], duration: float) -> Walk:
    """Ask by ``delays`` until the first ask at or after ``duration``."""
    at = 0.0
    for requests, wait in enumerate(delays, start=1):
        at += wait
        if at >= duration:
            return Walk(requests, at - duration, (at - duration) / duration)
    raise AssertionError("schedules never end")  # pragma: no cover


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=20_000, help="tasks per mix (%(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="the seed (%(default)s)")
    parser.add_argument("--quick", action="store_true", help="2,000 tasks per mix: a smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.tasks = 2_000
    print(f"# {args.tasks} tasks per mix, seed {args.seed}; lag in seconds")
    header = (
        f"{'mix':8} {'schedule':18} {'req/task':>8} {'p50':>7} {'p99':>7} {'max':>7} "
        f"{'worst share':>11} {'> D/2+1 s':>9}"
    )
    print(header)
    print("-" * len(header))
    verdicts: list[str] = []
    for mix, (low, high) in MIXES.items():
        durations = [random.Random(args.seed + i).uniform(low, high) for i in range(args.tasks)]
        rows: dict[str, tuple[float, float, int]] = {}
        for name, schedule in SCHEDULES.items():
            walks = [
                walk(schedule(random.Random(args.seed * 7919 + i)), d)
                for i, d in enumerate(durations)
            ]
            lags = [w.lag for w in walks]
            late = sum(w.lag > d / 2 + 1 for w, d in zip(walks, durations, strict=True))
            requests = statistics.fmean(w.requests for w in walks)
            p99 = percentile(lags, 0.99)
            rows[name] = (requests, p99, late)
            print(
                f"{mix:8} {name:18} {requests:8.2f} "
                f"{percentile(lags, 0.5):7.2f} {p99:7.2f} {max(lags):7.2f} "
                f"{max(w.share for w in walks):11.2f} {late:9d}"
            )
        base_requests, base_p99, _ = rows[BASELINE]
        for name, (requests, p99, late) in rows.items():
            if name.startswith("library"):
                verdicts.append(
                    f"{mix:8} {name:18} requests {requests:.2f} vs {base_requests:.2f} "
                    f"({'met' if requests <= base_requests else 'NOT met'}); "
                    f"p99 {p99:.2f} vs {base_p99:.2f} s "
                    f"({'met' if p99 < base_p99 else 'NOT met'}); "
                    f"late > D/2+1 s: {late} ({'met' if late == 0 else 'NOT met'})"
                )
    print(f"\n# targets against {BASELINE}: requests/task not more, p99 lag lower, none late")
    print("\n".join(verdicts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
