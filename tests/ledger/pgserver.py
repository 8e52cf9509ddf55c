"""A throwaway PostgreSQL server for the tests: started in a temporary directory, deleted after.

:func:`start` finds ``initdb`` and ``pg_ctl`` (on ``PATH``, then ``/usr/lib/postgresql/*/bin``,
newest first). When they are missing and this runs as root on Debian or Ubuntu, it installs
the ``postgresql`` package with ``apt-get`` (quietly, non-interactively; ``apt-get update``
first only if the first try fails). It then creates a cluster in a new directory under
``/tmp``, owned by the ``postgres`` OS user when running as root (created with ``useradd
--system`` if missing: ``initdb`` refuses to run as root), with trust authentication, listening
only on a unix socket in that directory (no TCP port to collide with), and with ``fsync`` off
(throwaway data). :meth:`PostgresServer.stop` stops it (``-m immediate``) and deletes the
directory.

When PostgreSQL cannot be provided (not root and no binaries, or the install failed), it raises
:class:`PostgresUnavailable` with the reason; the test fixture turns that into a skip, or a
failure when ``SUNO_ASYNC_REQUIRE_POSTGRES=1`` (CI sets it: there the tests must run).
``SUNO_ASYNC_TEST_POSTGRES_DSN=postgresql://...`` makes the fixture use that server instead.

Run by hand, it starts a server, prints its DSN and keeps it until Enter or Ctrl-C::

    .venv/bin/python tests/ledger/pgserver.py
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

__all__ = ["PostgresServer", "PostgresUnavailable", "find_bin_dir", "start", "throwaway"]

#: The OS user that owns and runs the cluster when the tests run as root.
OS_USER: Final = "postgres"
_APT_TIMEOUT: Final = 900.0
_START_TIMEOUT: Final = 60
#: Waits for its stdin to close, then stops the server and deletes its directory.
_WATCHDOG: Final = """
cat >/dev/null
if [ -d "$1" ]; then "$0" -D "$1" -m immediate -w stop; rm -rf "$(dirname "$1")"; fi
"""


class PostgresUnavailable(Exception):
    """PostgreSQL cannot be provided here; the message says why."""


def find_bin_dir() -> Path | None:
    """The directory holding ``initdb``, ``pg_ctl`` and ``postgres``, or ``None``."""
    candidates: list[Path] = []
    initdb = shutil.which("initdb")
    if initdb is not None:
        candidates.append(Path(initdb).resolve().parent)
    versions = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += sorted(versions, key=lambda p: _version(p.parent.name), reverse=True)
    for directory in candidates:
        if all((directory / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return directory
    return None


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def _can_install() -> bool:
    return (
        os.geteuid() == 0
        and shutil.which("apt-get") is not None
        and Path("/etc/debian_version").exists()
    )


def install_needed() -> bool:
    """Whether :func:`start` would have to install PostgreSQL first (which can take a minute)."""
    return find_bin_dir() is None and _can_install()


def _install() -> Path:
    """Install Debian's ``postgresql`` package; the directory of its binaries."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "postgresql"]
    attempts: list[Sequence[str]] = [install, ["apt-get", "update", "-qq"], install]
    output = ""
    for command in attempts:
        try:
            done = subprocess.run(
                command, env=env, capture_output=True, text=True, timeout=_APT_TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresUnavailable(f"{' '.join(command)} failed: {exc}") from None
        output = (done.stdout + done.stderr)[-2000:]
        if command is install and done.returncode == 0:
            break
    found = find_bin_dir()
    if found is None:
        raise PostgresUnavailable(f"apt-get install postgresql did not provide initdb:\n{output}")
    return found


def _os_user() -> pwd.struct_passwd:
    """The ``postgres`` OS user, created if missing (root only)."""
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(OS_USER)
    command = [
        "useradd",
        "--system",
        "--user-group",
        "--no-create-home",
        "--home-dir",
        "/nonexistent",
        "--shell",
        "/usr/sbin/nologin",
        OS_USER,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise PostgresUnavailable(f"useradd {OS_USER} failed: {done.stderr.strip()}")
    return pwd.getpwnam(OS_USER)


@dataclass
class PostgresServer:
    """A running throwaway server: connect with :attr:`dsn`."""

    directory: Path
    bin_dir: Path
    user: pwd.struct_passwd | None  # None: runs as this process's user
    port: int = 5432
    started_in: float = 0.0  # seconds from nothing to accepting connections
    installed: bool = False  # whether start() had to install PostgreSQL
    _running: bool = field(default=False, repr=False)
    _watchdog: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def dsn(self) -> str:
        """A ``postgresql://`` URL for asyncpg and psql (unix socket in the directory)."""
        return f"postgresql://postgres@/postgres?host={self.directory}&port={self.port}"

    def _env(self) -> Mapping[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.directory),
            "LC_ALL": "C",
            "LANG": "C",
        }

    def _run(self, *args: str, timeout: float = _START_TIMEOUT) -> None:
        try:
            done = subprocess.run(
                [str(self.bin_dir / args[0]), *args[1:]],
                cwd=self.directory,
                env=self._env(),
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
                # As the postgres user, without root's groups (root only; None: as this user).
                user=None if self.user is None else self.user.pw_uid,
                group=None if self.user is None else self.user.pw_gid,
                extra_groups=None if self.user is None else [],
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresUnavailable(f"{args[0]} failed: {exc}") from None
        if done.returncode != 0:
            log = self.directory / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresUnavailable(
                f"{' '.join(args)} exited with {done.returncode}:\n{done.stdout}{done.stderr}{tail}"
            )

    def start(self) -> None:
        began = time.perf_counter()
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = (
            f"-c listen_addresses='' -c unix_socket_directories='{self.directory}' "
            f"-p {self.port} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.directory / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            str(_START_TIMEOUT),
            "start",
        )
        self._running = True
        self.started_in = time.perf_counter() - began
        # Should this process die without stopping the server (killed, or a crash), the
        # watchdog sees its stdin close and stops and deletes it (as the server's user).
        self._watchdog = subprocess.Popen(
            ["/bin/sh", "-c", _WATCHDOG, str(self.bin_dir / "pg_ctl"), str(self.data)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd="/",
            env=self._env(),
            start_new_session=True,
            user=None if self.user is None else self.user.pw_uid,
            group=None if self.user is None else self.user.pw_gid,
            extra_groups=None if self.user is None else [],
        )

    def stop(self) -> None:
        """Stop the server and delete its directory (idempotent)."""
        try:
            if self._running:
                self._running = False
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)
            watchdog, self._watchdog = self._watchdog, None
            if watchdog is not None:
                watchdog.communicate(timeout=_START_TIMEOUT)  # nothing left for it to do


def start() -> PostgresServer:
    """A new running server (see the module docstring).

    Raises:
        PostgresUnavailable: PostgreSQL cannot be provided here.
    """
    began = time.perf_counter()
    installed = False
    bin_dir = find_bin_dir()
    if bin_dir is None:
        if not _can_install():
            raise PostgresUnavailable(
                "no initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin, and installing "
                "PostgreSQL needs root on Debian/Ubuntu (apt-get install postgresql)"
            )
        bin_dir = _install()
        installed = True
    user = _os_user() if os.geteuid() == 0 else None
    directory = Path(
        tempfile.mkdtemp(prefix="suno-pg-", dir="/tmp" if Path("/tmp").is_dir() else None)
    )
    server = PostgresServer(directory, bin_dir, user, installed=installed)
    try:
        if user is not None:
            os.chown(directory, user.pw_uid, user.pw_gid)
        server.start()
    except BaseException:
        server.stop()
        raise
    server.started_in = time.perf_counter() - began
    return server


@contextlib.contextmanager
def throwaway() -> Iterator[PostgresServer]:
    """:func:`start`, stopped and deleted at the end."""
    server = start()
    try:
        yield server
    finally:
        server.stop()


def main() -> int:
    try:
        with throwaway() as server:
            print(f"PostgreSQL up in {server.started_in:.2f} s: {server.dsn}", flush=True)
            with contextlib.suppress(KeyboardInterrupt, EOFError):
                input("Enter or Ctrl-C stops it and deletes its data.\n")
    except PostgresUnavailable as exc:
        print(f"PostgreSQL unavailable: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
