"""Wire models decode the documented shapes, tolerate what providers add, and encode exactly."""

from __future__ import annotations

import msgspec
import pytest

from suno_async import (
    Clip,
    ClipStatus,
    Controls,
    CustomModel,
    GenerateRequest,
    GenerateTask,
    SoundSpec,
    TaskSnapshot,
    TaskStatus,
    TimeRange,
)
from suno_async.mountsea import (
    REQUIRED_GENERATE_FIELDS,
    CreateCustomModelRequest,
    PrepareResponse,
    TaskCreated,
    UploadRequest,
)

DOC_STATUS_EXAMPLE = (
    b'{"taskId":"task_1731a9b2f4","status":"ready","createdAt":"2025-08-18T02:30:00.000Z",'
    b'"failReason":"Audio source not found.","failCode":4001,"data":{},'
    b'"finishAt":"2025-08-18T02:35:00.000Z"}'
)


def test_documented_status_example_decodes() -> None:
    """The status page's example decodes with every field reachable."""
    snap = msgspec.json.decode(DOC_STATUS_EXAMPLE, type=TaskSnapshot)
    assert snap.task_id == "task_1731a9b2f4"
    assert snap.known_status is TaskStatus.READY
    assert not snap.is_terminal
    assert snap.fail_reason == "Audio source not found."
    assert snap.fail_code == 4001
    assert snap.created_at == "2025-08-18T02:30:00.000Z"
    assert snap.finish_at == "2025-08-18T02:35:00.000Z"


@pytest.mark.parametrize("status", [s.value for s in TaskStatus])
def test_every_documented_status_decodes(status: str) -> None:
    """All eight documented status values are known; exactly three are terminal."""
    snap = msgspec.json.decode(
        b'{"taskId":"t","status":"%s","createdAt":"2025-01-01T00:00:00Z"}' % status.encode(),
        type=TaskSnapshot,
    )
    assert snap.known_status == status
    assert snap.is_terminal == (status in ("success", "failed", "timeout"))


def test_unknown_status_and_fields_do_not_break_decoding() -> None:
    """A status newer than the library and unknown fields decode; string fail codes too."""
    snap = msgspec.json.decode(
        b'{"taskId":"t","status":"paused","createdAt":"2025-01-01T00:00:00Z",'
        b'"failCode":"VP_USER_TIMEOUT","brandNew":{"x":1}}',
        type=TaskSnapshot,
    )
    assert snap.status == "paused"
    assert snap.known_status is None
    assert snap.fail_code == "VP_USER_TIMEOUT"


def test_odd_timestamps_and_nulls_do_not_break_a_wait() -> None:
    """Epoch or empty timestamps and null clip fields decode instead of failing the waiter."""
    snap = msgspec.json.decode(
        b'{"taskId":"t","status":"success","createdAt":1731900000000,"finishAt":""}',
        type=TaskSnapshot,
    )
    assert snap.finish_at == ""
    clip = msgspec.json.decode(
        b'{"id":"c","status":null,"metadata":null,"reaction":{"likes":1},"created_at":null}',
        type=Clip,
    )
    assert clip.duration is None
    assert not clip.is_complete


def test_sound_spec_sends_its_type() -> None:
    """SoundSpec always sends type (one_shot), as the documented example does."""
    body = msgspec.json.encode(SoundSpec(description="kick drum", bpm=120))
    assert msgspec.json.decode(body) == {"description": "kick drum", "type": "one_shot", "bpm": 120}


def test_task_data_per_kind() -> None:
    """data decodes as a clip (upload), a custom model (training) or a clip list (generate)."""
    upload = msgspec.json.decode(
        b'{"taskId":"u","status":"success","data":{"id":"clip-1","status":"complete"}}',
        type=TaskSnapshot,
    )
    assert upload.data_as(Clip).id == "clip-1"
    training = msgspec.json.decode(
        b'{"taskId":"s","status":"success","data":{"id":"chirp-custom:3b285ad7-b09c-48fe-99e6-'
        b'ec8a109f0650","name":"v6Pro","sessionId":"s","clipIds":["a"]}}',
        type=TaskSnapshot,
    )
    model = training.data_as(CustomModel)
    assert model.id.startswith("chirp-custom:")
    assert model.session_id == "s"
    assert model.clip_ids == ["a"]
    generate = msgspec.json.decode(
        b'{"taskId":"g","status":"success","data":[{"id":"c1","status":"complete",'
        b'"audio_url":"https://cdn1.suno.ai/c1.mp3","metadata":{"duration":128.92,"tags":"Pop"}},'
        b'{"id":"c2","status":"complete","audio_url":"https://cdn1.suno.ai/c2.mp3"}]}',
        type=TaskSnapshot,
    )
    clips = generate.data_as(list[Clip])
    assert [c.id for c in clips] == ["c1", "c2"]
    assert clips[0].duration == 128.92
    assert clips[0].is_complete
    assert clips[0].status == ClipStatus.COMPLETE


def test_custom_model_bodies_are_camel_case() -> None:
    """customModel request bodies and responses use camelCase on the wire."""
    enc = msgspec.json.encode
    assert enc(UploadRequest(session_id="s", audio_url="https://a/b.mp3")) == (
        b'{"sessionId":"s","audioUrl":"https://a/b.mp3"}'
    )
    assert enc(CreateCustomModelRequest(session_id="s", clip_ids=["a"], name="n")) == (
        b'{"sessionId":"s","clipIds":["a"],"name":"n"}'
    )
    assert msgspec.json.decode(b'{"sessionId":"x"}', type=PrepareResponse).session_id == "x"
    assert msgspec.json.decode(b'{"taskId":"y"}', type=TaskCreated).task_id == "y"


def test_generate_request_is_snake_case_and_omits_unset() -> None:
    """generate bodies are snake_case and carry only what was set (the documented example)."""
    request = GenerateRequest(
        task=GenerateTask.CREATE,
        model="chirp-v50",
        make_instrumental=False,
        prompt="[Verse]\nHello world...",
        tags="Pop, Happy, Upbeat",
        negative_tags="Sad, Slow",
        title="Summer Vibes",
        vocal_gender="m",
        controls=Controls(style_weight=0.6, audio_weight=0.4, weirdness_constraint=0.2),
    )
    assert msgspec.json.decode(msgspec.json.encode(request)) == {
        "task": "create",
        "model": "chirp-v50",
        "make_instrumental": False,
        "prompt": "[Verse]\nHello world...",
        "tags": "Pop, Happy, Upbeat",
        "negative_tags": "Sad, Slow",
        "title": "Summer Vibes",
        "vocal_gender": "m",
        "controls": {"style_weight": 0.6, "audio_weight": 0.4, "weirdness_constraint": 0.2},
    }
    ranged = GenerateRequest(
        task=GenerateTask.SAMPLE,
        model="chirp-v50",
        clip_id="c",
        range=TimeRange(start_s=1, end_s=2),
    )
    assert msgspec.json.decode(msgspec.json.encode(ranged))["range"] == {"start_s": 1, "end_s": 2}


def test_required_fields_cover_all_fifteen_tasks() -> None:
    """Every one of the fifteen task types has its required fields, each a request field."""
    assert len(GenerateTask) == 15
    assert set(REQUIRED_GENERATE_FIELDS) == set(GenerateTask)
    for fields in REQUIRED_GENERATE_FIELDS.values():
        assert "model" in fields
        assert all(f in GenerateRequest.__struct_fields__ for f in fields)
