"""Rows from CSV and JSON Lines: every kind, CSV text read as typed values, malformed rows
reported with their line numbers while the others run, and keys (duplicates, edited rows)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from suno_async import (
    ConfigError,
    GenerateJob,
    MountseaClient,
    PureMusicJob,
    RowError,
    RowFinished,
    SunoapiClient,
    TrainAndGenerateJob,
    read_rows,
    run_batch,
)
from suno_async.batch import job_from_mapping, job_key
from suno_async.testing import EmulatorControl

from .conftest import GENERATE, write_csv, write_jsonl

pytestmark = pytest.mark.anyio

URLS = [f"https://cdn.example.org/{i}.mp3" for i in range(6)]


def _jobs(path: Path) -> list[Any]:
    return list(read_rows(path))


def test_csv_rows_of_every_kind_are_typed(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "rows.csv",
        "kind,key,task,tags,title,make_instrumental,gpt_description_prompt,name,audio_urls,"
        "clip_count",
        "generate,g,create,pop,1999,TRUE,,,,",
        ",,,,,false,a calm sea,,,",
        "pure_music,p,,jazz,Night,,,,,",
        f"train_generate,t,,rock,,,,Mine,{' '.join(URLS)},6",
        f"train_generate,u,,,,,,Only,{'|'.join(URLS)} | {URLS[0]},",
    )
    rows = _jobs(path)
    assert [line for line, _ in rows] == [2, 3, 4, 5, 6]
    jobs = [job for _, job in rows]
    assert jobs[0] == GenerateJob(
        key="g",
        fields={"task": "create", "tags": "pop", "title": "1999", "make_instrumental": True},
    )
    assert jobs[1] == GenerateJob(
        fields={"make_instrumental": False, "gpt_description_prompt": "a calm sea"}
    )
    assert jobs[2] == PureMusicJob(key="p", tags="jazz", title="Night")
    assert jobs[3] == TrainAndGenerateJob(
        key="t", name="Mine", audio_urls=URLS, clip_count=6, generate={"tags": "rock"}
    )
    assert jobs[4] == TrainAndGenerateJob(key="u", name="Only", audio_urls=[*URLS, URLS[0]])


def test_csv_numbers_are_read_as_numbers(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "rows.csv",
        "task,clip_id,continue_at,tags",
        "extend,clip-1,12.5,pop",
    )
    ((_, job),) = _jobs(path)
    assert job.fields["continue_at"] == 12.5


def test_jsonl_rows_of_every_kind(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "rows.jsonl",
        [
            {"key": "g", "task": "create", "tags": "pop", "make_instrumental": True},
            "",
            {"kind": "pure_music", "id": "p", "tags": "jazz"},
            {
                "kind": "train_generate",
                "key": "t",
                "name": "Mine",
                "audio_urls": URLS,
                "generate": {"tags": "rock", "title": "One"},
            },
            {"kind": "train_generate", "name": "Split", "audio_urls": " ".join(URLS), "tags": "x"},
        ],
    )
    rows = _jobs(path)
    assert [line for line, _ in rows] == [1, 3, 4, 5]
    jobs = [job for _, job in rows]
    assert jobs[0] == GenerateJob(
        key="g", fields={"task": "create", "tags": "pop", "make_instrumental": True}
    )
    assert jobs[1] == PureMusicJob(key="p", tags="jazz")
    assert jobs[2].generate == {"tags": "rock", "title": "One"}
    assert jobs[3].audio_urls == URLS
    assert jobs[3].generate == {"tags": "x"}


def test_malformed_jsonl_rows_are_reported_with_their_line(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "rows.jsonl",
        [
            {"key": "ok", "tags": "pop"},
            "{not json",
            "[1, 2]",
            {"kind": "pure_music", "key": "p", "tags": 5},
            {"kind": "remix", "key": "r"},
            {
                "kind": "train_generate",
                "key": "t",
                "name": "x",
                "audio_urls": "u",
                "clip_count": "6",
            },
            {
                "kind": "train_generate",
                "key": "t2",
                "name": "x",
                "audio_urls": URLS,
                "generate": {},
                "tags": "y",
            },
        ],
    )
    rows = _jobs(path)
    assert isinstance(rows[0], tuple)
    errors = rows[1:]
    assert all(isinstance(e, RowError) for e in errors)
    assert [e.line for e in errors] == [2, 3, 4, 5, 6, 7]
    assert "not JSON" in errors[0].message
    assert "JSON object" in errors[1].message
    assert errors[2].key == "p"
    assert "unknown kind 'remix'" in errors[3].message
    assert "unknown fields tags" in errors[5].message


def test_malformed_csv_rows_are_reported_with_their_line(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "rows.csv",
        "kind,key,tags,clip_count,name,audio_urls",
        "generate,ok,pop,,,",
        "generate,extra,pop,,,,surplus",
        "nope,k,pop,,,",
        f"train_generate,t,pop,six,Mine,{URLS[0]}",
        "",
        'generate,"quoted, comma",pop,,,',
    )
    rows = _jobs(path)
    assert isinstance(rows[0], tuple)
    assert rows[0][0] == 2
    errors = [r for r in rows if isinstance(r, RowError)]
    assert [e.line for e in errors] == [3, 4, 5]
    assert "more cells than the header" in errors[0].message
    assert "unknown kind 'nope'" in errors[1].message
    assert errors[2].key == "t"
    assert rows[-1] == (7, GenerateJob(key="quoted, comma", fields={"tags": "pop"}))


def test_read_rows_refuses_other_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\.csv or \.jsonl") as info:
        read_rows(tmp_path / "rows.txt")
    assert info.value.argument == "path"
    with pytest.raises(ConfigError, match="cannot read") as info:
        read_rows(tmp_path / "missing.csv")
    assert info.value.argument == "path"
    with pytest.raises(ConfigError) as info:
        read_rows(tmp_path / "rows.csv", default_kind="remix")
    assert info.value.argument == "default_kind"


def test_default_kind_applies_to_rows_without_one(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "rows.csv", "tags,title", "jazz,Night")
    assert list(read_rows(path, default_kind="pure_music")) == [
        (2, PureMusicJob(tags="jazz", title="Night"))
    ]


def test_a_derived_key_does_not_depend_on_the_order_of_columns() -> None:
    """Reordering the columns (or a JSON object's members) is not an edit: the job keeps its
    key, so a rerun does not pay for it again."""
    one = job_from_mapping({"task": "create", "tags": "pop", "title": "Sun"})
    other = job_from_mapping({"title": "Sun", "tags": "pop", "task": "create"})
    assert job_key(one) == job_key(other)
    assert job_key(one) != job_key(job_from_mapping({"task": "create", "tags": "rock"}))


async def test_reordered_columns_are_the_same_jobs_on_rerun(
    tmp_path: Path, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    """With given keys too: the same content in other columns is not an edited row."""
    path = write_csv(tmp_path / "rows.csv", "key,tags,title", "a,pop,Sun", ",rock,Moon")
    store = tmp_path / "batch.db"
    await run_batch(path, store=store, mountsea=mountsea_client)
    write_csv(path, "title,tags,key", "Sun,pop,a", "Moon,rock,")
    again = await run_batch(path, store=store, mountsea=mountsea_client)
    assert (again.skipped, again.done, again.invalid) == (2, 0, 0)
    assert suno_control.emulator.count("POST", GENERATE) == 2


async def test_malformed_rows_are_reported_while_the_others_run(
    tmp_path: Path,
    suno_control: EmulatorControl,
    mountsea_client: MountseaClient,
    sunoapi_client: SunoapiClient,
) -> None:
    path = write_jsonl(
        tmp_path / "rows.jsonl",
        [
            {"key": "a", "tags": "pop"},
            "{broken",
            {"kind": "pure_music", "key": "b", "tags": "jazz"},
            {"kind": "pure_music", "key": "c"},
            {"key": "d", "tags": "rock", "model": "no-such-model"},
        ],
    )
    events: list[Any] = []
    store = tmp_path / "batch.db"
    summary = await run_batch(
        path,
        store=store,
        mountsea=mountsea_client,
        sunoapi=sunoapi_client,
        on_event=events.append,
    )
    assert (summary.done, summary.invalid) == (2, 3)
    assert [e.line for e in summary.row_errors] == [2, 4]
    invalid = {e.line: e for e in events if isinstance(e, RowFinished) and e.status == "invalid"}
    assert set(invalid) == {2, 4, 5}
    assert "model" in (invalid[5].error or "")
    assert suno_control.emulator.count("POST", GENERATE) == 1
    assert not summary.complete

    # fixed, the rows run; the ones that were wrong are not reported again
    write_jsonl(
        path,
        [
            {"key": "a", "tags": "pop"},
            {"key": "e", "tags": "fixed"},
            {"kind": "pure_music", "key": "b", "tags": "jazz"},
            {"kind": "pure_music", "key": "c", "tags": "blues"},
        ],
    )
    fixed = await run_batch(path, store=store, mountsea=mountsea_client, sunoapi=sunoapi_client)
    assert (fixed.done, fixed.skipped, fixed.invalid) == (2, 2, 0)
    assert fixed.row_errors == []
    assert fixed.complete  # the rows that were wrong left the store with the rerun


async def test_duplicate_keys_in_one_file_are_reported(
    tmp_path: Path, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    path = write_csv(
        tmp_path / "rows.csv",
        "key,tags",
        "same,pop",
        "same,rock",
        ",lofi",
        ",lofi",  # identical rows without keys: one key
    )
    summary = await run_batch(path, store=tmp_path / "batch.db", mountsea=mountsea_client)
    assert summary.done == 2
    assert [e.line for e in summary.row_errors] == [3, 5]
    assert "also the key of line 2" in summary.row_errors[0].message
    assert "also the key of line 4" in summary.row_errors[1].message
    assert suno_control.emulator.count("POST", GENERATE) == 2


async def test_an_edited_row_with_a_started_key_is_refused(
    tmp_path: Path, suno_control: EmulatorControl, mountsea_client: MountseaClient
) -> None:
    path = write_csv(tmp_path / "rows.csv", "key,tags", "a,pop", "b,rock")
    store = tmp_path / "batch.db"
    await run_batch(path, store=store, mountsea=mountsea_client)
    write_csv(path, "key,tags", "a,pop", "b,metal")
    summary = await run_batch(path, store=store, mountsea=mountsea_client)
    assert (summary.skipped, summary.done, summary.invalid) == (1, 0, 1)
    (error,) = summary.row_errors
    assert error.line == 3
    assert "'b'" in error.message
    assert "another key" in error.message
    assert suno_control.emulator.count("POST", GENERATE) == 2


def test_a_csv_row_the_reader_refuses_does_not_end_the_file(tmp_path: Path) -> None:
    """A cell over the csv module's size limit breaks that row only: the rows after it are
    read on."""
    huge = "x" * 200_000
    path = write_csv(tmp_path / "rows.csv", "key,tags", "a,pop", f"b,{huge}", "c,rock")
    rows = _jobs(path)
    assert rows[0] == (2, GenerateJob(key="a", fields={"tags": "pop"}))
    assert isinstance(rows[1], RowError)
    assert rows[1].line == 3
    assert "cannot be read" in rows[1].message
    assert rows[2] == (4, GenerateJob(key="c", fields={"tags": "rock"}))


def test_a_pure_music_row_with_an_unknown_field_is_refused(tmp_path: Path) -> None:
    """A misspelt column is not dropped in silence (the song would lose its title)."""
    path = write_jsonl(
        tmp_path / "rows.jsonl",
        [{"kind": "pure_music", "key": "p", "tags": "jazz", "titel": "Night"}],
    )
    (error,) = _jobs(path)
    assert isinstance(error, RowError)
    assert "titel" in error.message
    assert (error.line, error.key) == (1, "p")


def test_a_row_with_both_key_and_id_uses_one_and_sends_neither() -> None:
    job = job_from_mapping({"key": "a", "id": "a", "tags": "pop"})
    assert job.key == "a"
    assert "id" not in job.fields  # type: ignore[union-attr]
    with pytest.raises(ConfigError, match="both key"):
        job_from_mapping({"key": "a", "id": "b", "tags": "pop"})


def test_a_row_that_is_not_utf8_is_reported_and_the_others_are_read(tmp_path: Path) -> None:
    csv_path = tmp_path / "rows.csv"
    csv_path.write_bytes(b"\xef\xbb\xbfkey,tags\nk1,pop\nk2,caf\xe9\nk3,jazz\n")
    jsonl_path = tmp_path / "rows.jsonl"
    jsonl_path.write_bytes(
        b'{"key":"k1","tags":"pop"}\n{"key":"k2","tags":"caf\xe9"}\n{"key":"k3"}\n'
    )
    for path in (csv_path, jsonl_path):
        rows = list(read_rows(path))
        errors = [row for row in rows if isinstance(row, RowError)]
        jobs = [row for row in rows if not isinstance(row, RowError)]
        assert [error.line for error in errors] == ([3] if path is csv_path else [2])
        assert [job.key for _, job in jobs] == ["k1", "k3"]


def test_an_unterminated_quote_is_an_error_not_a_cell_that_swallows_rows(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text('key,tags\nk1,pop\nk3,"unterminated,x\nk4,jazz\n')
    rows = list(read_rows(path))
    jobs = [row[1] for row in rows if not isinstance(row, RowError)]
    assert [job.key for job in jobs] == ["k1"]
    assert any(isinstance(row, RowError) for row in rows)
    assert all("unterminated" not in str(job) for job in jobs)


def test_a_key_cell_is_read_without_its_surrounding_spaces() -> None:
    assert job_from_mapping({"key": " k1 ", "tags": "pop"}).key == "k1"
    assert job_from_mapping({"key": "  ", "tags": "pop"}).key is None
