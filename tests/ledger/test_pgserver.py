"""The throwaway PostgreSQL helper: where it finds PostgreSQL, and why it cannot."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ledger import pgserver


def test_it_says_why_postgres_cannot_be_provided(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pgserver, "find_bin_dir", lambda: None)
    monkeypatch.setattr(pgserver, "_can_install", lambda: False)
    assert not pgserver.install_needed()
    with pytest.raises(pgserver.PostgresUnavailable, match="needs root on Debian"):
        pgserver.start()


def test_it_finds_the_binaries_of_debian_packages(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH
    found = pgserver.find_bin_dir()
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        assert found is None
        return
    assert found is not None
    assert found.parent.parent == Path("/usr/lib/postgresql")
    assert (found / "pg_ctl").is_file()


def test_a_server_is_a_unix_socket_in_its_directory(tmp_path: Path) -> None:
    server = pgserver.PostgresServer(tmp_path, tmp_path, None, port=5433)
    assert server.dsn == f"postgresql://postgres@/postgres?host={tmp_path}&port=5433"
    server.stop()  # never started: only deletes the directory
    assert not tmp_path.exists()
