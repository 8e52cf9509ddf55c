"""Helpers for the batch tests: rows files, what the emulator charged, the paid requests."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from suno_async.emulator import Emulator

GENERATE = "/suno/v2/generate"
CREATE = "/suno/v2/customModel/create"
UPLOAD = "/suno/v2/customModel/upload"
PURE_MUSIC = "/api/v2/suno/v3.5/custom/create-pure-music"
#: Every request that starts priced paid work.
PAID = (GENERATE, CREATE, PURE_MUSIC)
#: Charges the library knows the price of (uploads it counts as unpriced calls).
PRICED = ("generate", "training", "music")


def paid_requests(emulator: Emulator) -> int:
    """How many requests that start priced work reached the emulator."""
    return sum(emulator.count("POST", path) for path in PAID)


def priced_charged(emulator: Emulator, *, refunds: bool = True) -> int:
    """Credits the emulator charged for priced work (with ``refunds`` false, those it refunded
    are left out)."""
    return sum(
        c.cost for c in emulator.charges if c.kind in PRICED and (refunds or c.state != "refunded")
    )


def uploads_charged(emulator: Emulator) -> int:
    return sum(1 for c in emulator.charges if c.kind == "upload")


def write_csv(path: Path, header: str, *lines: str) -> Path:
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def write_jsonl(path: Path, rows: Iterable[dict[str, Any] | str]) -> Path:
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows),
        encoding="utf-8",
    )
    return path
