"""Run every benchmark in sequence: ``python benchmarks/run_all.py [--quick]``.

Each script prints its own table; this prints each script's wall time and exits non-zero if
any script failed (the others still run). ``--quick`` is passed through: a smoke run of a few
seconds per script, for tests.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from typing import Final

from _harness import HERE, PYTHON, ROOT

SCRIPTS: Final = (
    "bench_request_overhead.py",
    "bench_decode.py",
    "bench_fanout.py",
    "bench_polling.py",
    "bench_import_memory.py",
    "bench_schedules.py",
    "bench_waits.py",
    "bench_batch.py",
)
#: Arguments of a script instead of the bare ``--quick`` switch: ``(full run, quick run)``.
#: ``bench_batch.py`` runs 10,000 rows here (its own default, 100,000, takes minutes).
ARGUMENTS: Final = {
    "bench_batch.py": (["--quick"], ["--rows", "2000"]),
}
#: Wall-clock seconds one script may take before it is stopped (a full run takes far less).
SCRIPT_TIMEOUT: Final = 900.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run of every script")
    args = parser.parse_args(argv)
    failed: list[str] = []
    started = time.perf_counter()
    for script in SCRIPTS:
        full, quick = ARGUMENTS.get(script, ([], ["--quick"]))
        command = [PYTHON, str(HERE / script), *(quick if args.quick else full)]
        began = time.perf_counter()
        try:
            code = subprocess.run(command, cwd=ROOT, timeout=SCRIPT_TIMEOUT, check=False).returncode
        except subprocess.TimeoutExpired:
            code = -1
            print(f"{script}: stopped after {SCRIPT_TIMEOUT:g} s", flush=True)
        if code != 0:
            failed.append(script)
        print(f"# {script}: {time.perf_counter() - began:.1f} s, exit {code}\n", flush=True)
    total = time.perf_counter() - started
    print(f"# all benchmarks: {total:.1f} s" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
