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
* ``library generate``: the library's default schedule for generations (and sunoapi clips);
* ``library upload``: its plain growing schedule (no expected window).

Reported per mix and schedule: requests per task (mean), detection lag p50 / p99 / max in
seconds, and the worst lag as a share of the task's own duration. The targets of the
scheduler work (a schedule with no blind spot): on every mix, no more requests than the
backoff and a lower p99 lag, and no task detected later than half its duration + 1 s.

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


SCHEDULES: dict[str, Callable[[random.Random], Iterator[float]]] = {
    "backoff 2.5 x1.5": backoff(),
    "fixed 3 s": fixed(3.0),
    "library generate": DEFAULT_SCHEDULES[TaskKind.GENERATE].delays,
    "library upload": DEFAULT_SCHEDULES[TaskKind.UPLOAD].delays,
}


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
    for mix, (low, high) in MIXES.items():
        durations = [random.Random(args.seed + i).uniform(low, high) for i in range(args.tasks)]
        for name, schedule in SCHEDULES.items():
            walks = [
                walk(schedule(random.Random(args.seed * 7919 + i)), d)
                for i, d in enumerate(durations)
            ]
            lags = [w.lag for w in walks]
            late = sum(w.lag > d / 2 + 1 for w, d in zip(walks, durations, strict=True))
            print(
                f"{mix:8} {name:18} {statistics.fmean(w.requests for w in walks):8.2f} "
                f"{percentile(lags, 0.5):7.2f} {percentile(lags, 0.99):7.2f} {max(lags):7.2f} "
                f"{max(w.share for w in walks):11.2f} {late:9d}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
