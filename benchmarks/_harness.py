"""Shared helpers of the benchmark scripts: statistics, tables, child processes, memory.

Not a benchmark itself (``run_all.py`` and ``make bench`` run only ``bench_*.py``). Every
benchmark measures its variants side by side in one run, in interleaved rounds, and reports
medians and ratios: the machine is shared and noisy, so absolute numbers mean little.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Final

HERE: Final = Path(__file__).resolve().parent
ROOT: Final = HERE.parent
PYTHON: Final = sys.executable

#: Wall-clock seconds a child server gets to print its "listening on" line.
STARTUP_TIMEOUT: Final = 30.0


# -- statistics ------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    """The median, or NaN for no values."""
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation, or NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q / 100.0
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def ratio(value: float, reference: float) -> float:
    """``value / reference``, NaN when the reference is zero or missing."""
    if reference != reference or value != value or reference == 0:  # NaN checks
        return float("nan")
    return value / reference


def max_in_window(times: Sequence[float], window: float = 1.0) -> int:
    """The largest number of ``times`` that fall in any window of ``window`` seconds."""
    ordered = sorted(times)
    best = 0
    start = 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def interleaved(names: Sequence[str], round_index: int) -> list[str]:
    """The variants' order in round ``round_index``: rotated each round, reversed every other
    round, so no variant always runs first (warm caches) or last (a noisy neighbour)."""
    if not names:
        return []
    shift = round_index % len(names)
    order = list(names[shift:]) + list(names[:shift])
    return order[::-1] if round_index % 2 else order


# -- output ----------------------------------------------------------------------------------


def fmt(value: float | int | str | None, digits: int = 1) -> str:
    """A cell: numbers with thousands separators and ``digits`` decimals, NaN as ``-``."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return f"{value:,}"
    if value != value:
        return "-"
    return f"{value:,.{digits}f}"


def fmt_ratio(value: float) -> str:
    """A ratio cell such as ``1.04x``, or ``-``."""
    return "-" if value != value else f"{value:.2f}x"


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table: the first column left-aligned, the others right-aligned."""
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [title, "=" * len(title), line(headers), rule]
    out.extend(line(row) for row in rows)
    return "\n".join(out)


def verdict(value: float, target: float, *, at_most: bool = True) -> str:
    """``met`` or ``MISSED`` for ``value`` against ``target`` (``at_most``: lower is better)."""
    if value != value:
        return "n/a"
    ok = value <= target if at_most else value >= target
    return "met" if ok else "MISSED"


def machine_line() -> str:
    """One line saying where the numbers come from."""
    import platform

    cpus = os.cpu_count() or 0
    model = ""
    with contextlib.suppress(OSError):
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                model = text.split(":", 1)[1].strip()
                break
    load = ""
    with contextlib.suppress(OSError):
        load = " load " + "/".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"# {platform.python_implementation()} {platform.python_version()} on "
        f"{platform.system()} {platform.machine()}, {cpus} CPUs{(' ' + model) if model else ''}"
        f";{load}"
    )


# -- optional reference libraries ------------------------------------------------------------


def optional(name: str) -> ModuleType | None:
    """The module ``name`` if it is installed, else ``None`` (its row then says so)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


NOT_INSTALLED: Final = "not installed"


# -- memory ----------------------------------------------------------------------------------

_PAGE: Final = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_bytes() -> int:
    """This process's resident set size now, in bytes (Linux ``/proc``, else psutil)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except OSError:
        psutil = optional("psutil")
        if psutil is None:
            return peak_rss_bytes()
        rss: int = psutil.Process().memory_info().rss
        return rss


def peak_rss_bytes() -> int:
    """This process's peak resident set size so far, in bytes (``getrusage``)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


MB: Final = 1024 * 1024


# -- child processes -------------------------------------------------------------------------


def pin(pid: int, cpu: int) -> bool:
    """Pin process ``pid`` (0: this one) to CPU ``cpu`` if the OS allows and there are two or
    more CPUs; return whether it did. A client and its server on their own cores vary less
    from run to run than when the scheduler moves them about."""
    if not hasattr(os, "sched_setaffinity") or (os.cpu_count() or 1) < 2:
        return False
    try:
        os.sched_setaffinity(pid, {cpu})
    except OSError:
        return False
    return True


@dataclass
class Child:
    """A server running in a child process; ``url`` is what it printed after "listening on"."""

    proc: subprocess.Popen[str]
    url: str


@contextlib.contextmanager
def child_server(args: Sequence[str], *, env: dict[str, str] | None = None) -> Iterator[Child]:
    """Start ``args`` (a command that prints a line ending in ``listening on <url>``), yield
    it once listening, and stop it on exit (SIGTERM, then SIGKILL after 5 s)."""
    with tempfile.TemporaryFile(mode="w+") as errors:
        proc = subprocess.Popen(
            list(args),
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            cwd=ROOT,
            env=env,
        )
        try:
            try:
                url = _read_listening(proc)
            except RuntimeError as exc:
                errors.seek(0)
                tail = "\n".join(errors.read().strip().splitlines()[-15:])
                raise RuntimeError(f"{exc}:\n{tail}") from None
            yield Child(proc, url)
        finally:
            _stop(proc)


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    if proc.stdout is not None:
        proc.stdout.close()


def _read_listening(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    import selectors

    deadline = time.monotonic() + STARTUP_TIMEOUT
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not sel.select(timeout=max(0.0, deadline - time.monotonic())):
                break
            text = proc.stdout.readline()
            if not text:
                break
            marker = "listening on "
            if marker in text:
                return text.split(marker, 1)[1].strip()
    raise RuntimeError(f"{shlex.join(proc.args)} did not start listening")  # type: ignore[arg-type]


def run_child_json(
    args: Sequence[str], *, timeout: float, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run a child that prints one JSON object as its last line; return that object.

    Raises:
        RuntimeError: the child failed, timed out or printed no JSON.
    """
    try:
        done = subprocess.run(
            list(args),
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=timeout,
            check=False,
            env=env,
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"{shlex.join(args)} took more than {timeout:g} s") from exc
    lines = [text for text in done.stdout.splitlines() if text.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-15:]
        raise RuntimeError(f"{shlex.join(args)} exited {done.returncode}:\n" + "\n".join(tail))
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def emit_json(result: dict[str, Any]) -> None:
    """Print ``result`` as the child's one JSON line (read by :func:`run_child_json`)."""
    print(json.dumps(result), flush=True)
