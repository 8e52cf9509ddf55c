"""Reading batch rows from CSV and JSON Lines files, one row at a time.

A row names its job kind in a ``kind`` column or member (default ``generate``):

* ``generate`` (mountsea): every other column is a field of ``generate`` (``task``, ``model``,
  ``tags``, ``prompt``, ``title``, ``make_instrumental``, ...). In a CSV file values are text and
  are read as the field's type (``true``/``false``, numbers).
* ``train_generate`` (mountsea): ``name``, ``audio_urls`` (a list; in CSV separated by spaces or
  ``|``), optional ``clip_count``; any other column is a generate field for the song made with
  the new model (none: train only). In JSON Lines the generate fields may also be given as an
  object in ``generate``.
* ``pure_music`` (sunoapi): ``tags`` and an optional ``title``.

``key`` (or ``id``) names a row's job in the store; without it the key is a hash of the row's
content. Empty CSV cells are left out. A row that cannot be read becomes a
:class:`~suno_async._core._batch.RowError` with its line number; the others are read on.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import msgspec

from suno_async._core._batch import RowError
from suno_async._core._exceptions import ConfigError
from suno_async._core._validation import check_path
from suno_async.mountsea._batch_jobs import GenerateJob, TrainAndGenerateJob
from suno_async.mountsea._models import GenerateRequest
from suno_async.sunoapi._batch_jobs import PureMusicJob

__all__ = ["KINDS", "BatchJob", "check_kind", "job_from_mapping", "open_rows", "read_rows"]

#: Every kind of batch job.
BatchJob = GenerateJob | TrainAndGenerateJob | PureMusicJob
KINDS: Final = {
    "generate": GenerateJob,
    "train_generate": TrainAndGenerateJob,
    "pure_music": PureMusicJob,
}
_TRAIN_FIELDS: Final = frozenset({"name", "audio_urls", "clip_count"})
_URL_SPLIT: Final = re.compile(r"[\s|]+")
_DECODER: Final = msgspec.json.Decoder()
_BOM: Final = "\ufeff".encode()


def read_rows(
    path: str | os.PathLike[str], *, default_kind: str = "generate"
) -> Iterator[tuple[int, BatchJob] | RowError]:
    """The rows of a ``.csv`` or ``.jsonl`` (``.ndjson``) file as jobs with their line
    numbers, one at a time.

    Raises:
        ConfigError: the file cannot be opened, or its name ends otherwise.
    """
    check_kind("default_kind", default_kind)
    return open_rows(check_path("path", path), default_kind, argument="path")


def check_kind(argument: str, kind: str) -> str:
    """``kind`` if it is a kind of batch job.

    Raises:
        ConfigError: it is not.
    """
    if not isinstance(kind, str) or kind not in KINDS:
        raise ConfigError(
            f"{argument} must be one of {', '.join(KINDS)}, got {kind!r}.", argument=argument
        )
    return kind


def open_rows(
    path: str, default_kind: str, *, argument: str
) -> Iterator[tuple[int, BatchJob] | RowError]:
    """:func:`read_rows` for a checked path (errors name ``argument``)."""
    where = Path(path)
    suffix = where.suffix.lower()
    if suffix not in (".csv", ".jsonl", ".ndjson"):
        raise ConfigError(
            f"{where}: batch rows are read from .csv or .jsonl files.", argument=argument
        )
    try:
        with where.open("rb"):
            pass  # readable now; opened again when the first row is read
    except OSError as exc:
        raise ConfigError(f"cannot read {where}: {exc.strerror}.", argument=argument) from None
    return _csv_rows(where, default_kind) if suffix == ".csv" else _jsonl_rows(where, default_kind)


def _text_lines(handle: Iterator[bytes]) -> Iterator[str]:
    """The lines of a binary file as text, line by line: bytes that are not UTF-8 are kept as
    surrogates (the row holding them is reported, the others are read on)."""
    for number, raw in enumerate(handle):
        yield (raw.removeprefix(_BOM) if number == 0 else raw).decode("utf-8", "surrogateescape")


def _undecodable(cells: dict[str, str]) -> bool:
    try:
        for name, value in cells.items():
            name.encode("utf-8")
            value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _csv_rows(where: Path, default_kind: str) -> Iterator[tuple[int, BatchJob] | RowError]:
    with where.open("rb") as handle:
        # strict: an unterminated quote is an error, not a cell that swallows the next rows.
        reader = csv.DictReader(_text_lines(handle), strict=True)
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # this row only: the reader goes on with the next line
                yield RowError(
                    line=reader.line_num + 1, message=f"the CSV row cannot be read: {exc}."
                )
                continue
            line = reader.line_num
            if None in values:
                yield RowError(line=line, message="the row has more cells than the header.")
                continue
            cells = {name.strip(): value for name, value in values.items() if value}
            if not cells:
                continue  # a blank line
            if _undecodable(cells):
                yield RowError(line=line, message="the row is not UTF-8 text.")
                continue
            yield _job(line, cells, default_kind, text=True)


def _jsonl_rows(where: Path, default_kind: str) -> Iterator[tuple[int, BatchJob] | RowError]:
    with where.open("rb") as handle:
        for line, raw in enumerate(handle, start=1):
            text = raw.removeprefix(_BOM) if line == 1 else raw
            if not text.strip():
                continue
            try:
                value = _DECODER.decode(text)
            except msgspec.DecodeError as exc:
                yield RowError(line=line, message=f"not JSON: {exc}.")
                continue
            except UnicodeDecodeError:
                yield RowError(line=line, message="the row is not UTF-8 text.")
                continue
            if not isinstance(value, dict):
                yield RowError(line=line, message="each line must be a JSON object.")
                continue
            yield _job(line, value, default_kind, text=False)


def _job(
    line: int, values: dict[str, Any], default_kind: str, *, text: bool
) -> tuple[int, BatchJob] | RowError:
    key = values.get("key")
    try:
        job = job_from_mapping(values, default_kind, text=text)
    except (ConfigError, msgspec.ValidationError) as exc:
        return RowError(line=line, message=str(exc), key=str(key) if key else None)
    return line, job


def job_from_mapping(
    values: dict[str, Any], default_kind: str = "generate", *, text: bool = False
) -> BatchJob:
    """The job a row describes (``text``: its values are CSV text, read as their types).

    Raises:
        ConfigError: an unknown kind, or a field of the wrong type.
        msgspec.ValidationError: a field of the wrong type.
    """
    fields = dict(values)
    kind = str(fields.pop("kind", default_kind))
    given_key, given_id = fields.pop("key", None), fields.pop("id", None)
    if given_key is not None and given_id is not None and given_key != given_id:
        raise ConfigError(
            f"the row has both key {given_key!r} and id {given_id!r}; give one.", argument="key"
        )
    key = given_key if given_key is not None else given_id
    key = None if key is None else str(key).strip() or None  # " k1" is the key "k1"
    if kind == "generate":
        return GenerateJob(key=key, fields=_generate_fields(fields, text=text))
    if kind == "train_generate":
        generate = fields.pop("generate", None)
        train = {name: fields.pop(name) for name in _TRAIN_FIELDS if name in fields}
        if isinstance(train.get("audio_urls"), str):
            train["audio_urls"] = [u for u in _URL_SPLIT.split(train["audio_urls"]) if u]
        if generate is None and fields:
            generate = fields
        elif fields:
            raise ConfigError(
                f"unknown fields {', '.join(sorted(fields))} next to 'generate'.", argument="row"
            )
        if generate is not None:
            generate = _generate_fields(dict(generate), text=text)
        return msgspec.convert(
            {**train, "key": key, "generate": generate}, TrainAndGenerateJob, strict=not text
        )
    if kind == "pure_music":
        return msgspec.convert({**fields, "key": key}, PureMusicJob, strict=not text)
    raise ConfigError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}.", argument="kind")


def _generate_fields(fields: dict[str, Any], *, text: bool) -> dict[str, Any]:
    """The generate fields, typed (CSV text read as each field's type; names the request does
    not know are kept as they are, for the client to refuse or send as extra fields)."""
    if not text:
        return fields
    types = _GENERATE_TYPES
    typed = {
        name: msgspec.convert(value, types[name], strict=False) if name in types else value
        for name, value in fields.items()
    }
    converted: dict[str, Any] = msgspec.to_builtins(typed)
    return converted


_GENERATE_TYPES: Final = {f.name: f.type for f in msgspec.structs.fields(GenerateRequest)}
