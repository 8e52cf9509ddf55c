"""Decoding: the library's decode path vs raw ``msgspec.json.Decoder(T)``, with references.

The library's path is what it does with a status body while it waits for a generation:
``MountseaClient.wait_for_generation`` decodes every answer with its one cached
``Decoder(GenerationSnapshot)``, whose ``data`` is typed ``list[Clip] | dict | None``, so the
status and the clips come out of one pass. Raw msgspec is the best msgspec can do for the same
result: one cached ``Decoder`` of a struct of the same shape written here, in one pass. Shown
too: the public two-step path (``get_status``'s ``Decoder(TaskSnapshot)`` with ``data`` kept as
``msgspec.Raw``, then ``TaskSnapshot.data_as(list[Clip])``, whose decoders are cached), and for
reference ``json.loads``, ``orjson.loads`` (dicts, no validation) and a pydantic v2 model of
the same shape (``model_validate_json``).

Bodies: a running task's status (about 120 bytes) and a finished generation's (about 5 KB).
Every variant decodes the same bytes N times per round, rounds interleaved, GC off while timing
(as ``timeit`` does); the table shows the median time per decode and the ratio to raw msgspec
(the median of each round's own ratio).

Target: library path <= 1.05x raw msgspec.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable
from typing import Any, Final

import msgspec
from _harness import (
    NOT_INSTALLED,
    fmt,
    fmt_ratio,
    interleaved,
    machine_line,
    median,
    optional,
    ratio,
    table,
    verdict,
)
from _payloads import SOURCE, payloads

from suno_async._core._models import Clip, ClipMetadata
from suno_async.mountsea._models import GenerationSnapshot, TaskSnapshot

TARGET: Final = 1.05
RAW: Final = "raw msgspec Decoder(T), one pass"


class _OnePassSnapshot(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """TaskSnapshot with ``data`` typed, so one decoder does the whole body."""

    task_id: str
    status: str
    created_at: str | float | None = None
    finish_at: str | float | None = None
    fail_reason: str | None = None
    fail_code: int | str | None = None
    data: list[Clip] | dict[str, Any] | None = None


def _library_decoders() -> tuple[
    msgspec.json.Decoder[GenerationSnapshot], msgspec.json.Decoder[TaskSnapshot], str
]:
    """The decoders the client uses (its module-level ones), or equal ones if not found."""
    from suno_async import _client

    generation = getattr(_client, "_GENERATION", None)
    snapshot = getattr(_client, "_SNAPSHOT", None)
    if isinstance(generation, msgspec.json.Decoder) and isinstance(snapshot, msgspec.json.Decoder):
        return generation, snapshot, "the client's own decoders"
    return (
        msgspec.json.Decoder(GenerationSnapshot),
        msgspec.json.Decoder(TaskSnapshot),
        "decoders rebuilt: the client's were not found under their names",
    )


def _variants() -> tuple[dict[str, Callable[[bytes], object] | None], str]:
    generation_decoder, snapshot_decoder, where = _library_decoders()

    def lib_data_as(raw: bytes) -> object:
        snapshot = snapshot_decoder.decode(raw)
        if snapshot.status == "success":
            return snapshot.data_as(list[Clip])
        return snapshot

    one_pass = msgspec.json.Decoder(_OnePassSnapshot)
    variants: dict[str, Callable[[bytes], object] | None] = {
        "library path: Decoder(GenerationSnapshot), one pass": _wrapped(generation_decoder.decode),
        "library get_status + TaskSnapshot.data_as(list[Clip])": lib_data_as,
        RAW: _wrapped(one_pass.decode),
        "raw msgspec Decoder(TaskSnapshot), data Raw": _wrapped(snapshot_decoder.decode),
        "json.loads (dicts, no validation)": _wrapped_dict(json.loads),
    }
    orjson = optional("orjson")
    orjson_loads = _wrapped_dict(orjson.loads) if orjson else None
    variants["orjson.loads (dicts, no validation)"] = orjson_loads
    pydantic_decode = _pydantic_decoder()
    variants["pydantic v2 model_validate_json"] = pydantic_decode and _wrapped(pydantic_decode)
    return variants, where


# Every variant is one Python call that decodes and then reads the status, as any caller of a
# status endpoint does (the two-step path needs the status to pick its second decoder), so call
# and attribute costs match and only the decoding differs.


def _wrapped(decode: Callable[[bytes], Any]) -> Callable[[bytes], object]:
    def call(raw: bytes) -> object:
        result = decode(raw)
        return result if result.status == "success" else None

    return call


def _wrapped_dict(decode: Callable[[bytes], Any]) -> Callable[[bytes], object]:
    def call(raw: bytes) -> object:
        result = decode(raw)
        return result if result["status"] == "success" else None

    return call


def _pydantic_decoder() -> Callable[[bytes], object] | None:
    if optional("pydantic") is None:
        return None
    import pydantic

    def model(
        struct: type[msgspec.Struct], name: str, **overrides: Any
    ) -> type[pydantic.BaseModel]:
        """A pydantic model with the struct's fields (wire names as aliases), all optional."""
        fields: dict[str, Any] = {}
        for info in msgspec.structs.fields(struct):
            annotation = overrides.get(info.name, Any)
            fields[info.name] = (annotation, pydantic.Field(default=None, alias=info.encode_name))
        config = pydantic.ConfigDict(extra="ignore", frozen=True)
        created: type[pydantic.BaseModel] = pydantic.create_model(name, __config__=config, **fields)
        return created

    meta = model(
        ClipMetadata,
        "ClipMetadataModel",
        duration=float | None,
        type=str | None,
        tags=str | None,
        prompt=str | None,
    )
    clip = model(
        Clip,
        "ClipModel",
        id=str,
        metadata=meta | None,
        status=str | None,
        audio_url=str | None,
        title=str | None,
    )
    data = list[clip] | dict[str, Any] | None  # type: ignore[valid-type]
    snap = model(_OnePassSnapshot, "SnapshotModel", task_id=str, status=str, data=data)
    return snap.model_validate_json


def _time(fn: Callable[[bytes], object], raw: bytes, loops: int) -> float:
    """Seconds per call of ``fn(raw)`` over ``loops`` calls, GC off."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(loops):
            fn(raw)
        return (time.perf_counter() - start) / loops
    finally:
        if enabled:
            gc.enable()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    args = parser.parse_args(argv)
    rounds = 3 if args.quick else 21
    budget = 0.002 if args.quick else 0.01  # seconds per measurement of the fastest variant
    bodies = payloads()
    variants, where = _variants()
    runnable = [name for name, fn in variants.items() if fn is not None]
    rows: list[list[str]] = []
    for payload in ("small", "generation"):
        raw = bodies[payload]
        for name in runnable:  # check they decode, and warm up
            fn = variants[name]
            assert fn is not None
            fn(raw)
        raw_fn = variants[RAW]
        assert raw_fn is not None
        per_call = _time(raw_fn, raw, 200)
        loops = max(20, int(budget / max(per_call, 1e-9)))
        samples: dict[str, list[float]] = {name: [] for name in runnable}
        for r in range(rounds):
            for name in interleaved(runnable, r):
                fn = variants[name]
                assert fn is not None
                samples[name].append(_time(fn, raw, loops))
        for name, fn in variants.items():
            label = f"{payload} ({len(raw):,} B): {name}"
            if fn is None:
                rows.append([label, NOT_INSTALLED, "", ""])
                continue
            value = median(samples[name])
            # The median of each round's own ratio cancels the machine's slow drifts.
            r_value = median(
                [ratio(x, y) for x, y in zip(samples[name], samples[RAW], strict=True)]
            )
            target = verdict(r_value, TARGET) if name.startswith("library path") else ""
            rows.append([label, fmt(value * 1e6, 2), fmt_ratio(r_value), target])
    print(
        table(
            f"Decoding a status body (medians of {rounds} interleaved rounds, GC off)",
            ["body: decoder", "us/decode", "vs raw msgspec", f"target <= {TARGET:.2f}x"],
            rows,
        )
    )
    print(f"# library path uses {where}; bodies from the {SOURCE} (see _payloads.py).")
    print("# small = running task, data {}; generation = finished, data = 2 clips.")
    print(machine_line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
