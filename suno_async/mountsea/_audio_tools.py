"""mountsea's audio edits and analysis: ``POST /suno/v2/remaster``, ``/adjustSpeed``,
``/timing``, ``/downbeats``, ``/mdi``, ``/audio/crop`` and ``/audio/fade``."""

from __future__ import annotations

import msgspec

from suno_async._core._exceptions import ConfigError
from suno_async._core._handles import TaskHandle
from suno_async._core._models import TaskKind
from suno_async._core._validation import check_bool, check_finite, check_id, check_name
from suno_async.mountsea import _constants as c
from suno_async.mountsea._models import TaskSnapshot
from suno_async.mountsea._task_results import (
    ClipsResult,
    EditResult,
    MidiResult,
    TaskResult,
    ToolsBase,
    clips_result,
    edit_result,
    midi_result,
    task_result,
)
from suno_async.mountsea._tool_models import (
    AdjustSpeedRequest,
    ClipRequest,
    CropRequest,
    FadeRequest,
    RemasterRequest,
)

__all__ = ["AudioToolsAPI"]


def _choice(argument: str, value: str, choices: frozenset[str]) -> str:
    """``value`` if it is one of the strings ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise ConfigError(
            f"{argument} must be one of {', '.join(sorted(choices))}, got {value!r}.",
            argument=argument,
        )
    return value


class AudioToolsAPI(ToolsBase):
    """Edits (remaster, speed, crop, fade) and analysis (timing, downbeats, MIDI) of a clip.

    The provider documents no result schema for ``timing`` and ``downbeats``: their
    :class:`TaskResult` keeps ``data`` exactly as sent.
    """

    async def remaster(
        self,
        clip_id: str,
        model_name: str,
        *,
        variation_category: str | None = None,
        resend_if_ambiguous: bool = False,
    ) -> TaskHandle[TaskSnapshot, ClipsResult]:
        """``POST /suno/v2/remaster``: a remastered copy of a clip (``model_name``
        ``"chirp-carp"`` = V5 or ``"chirp-bass"`` = V4.5+; ``variation_category`` subtle,
        normal or high).

        Raises:
            ConfigError: a bad id, model or variation.
        """
        check_bool("resend_if_ambiguous", resend_if_ambiguous)
        body = RemasterRequest(
            clip_id=check_id("clip_id", clip_id),
            model_name=_choice("model_name", model_name, c.REMASTER_MODELS),
            variation_category=(
                msgspec.UNSET
                if variation_category is None
                else _choice("variation_category", variation_category, c.REMASTER_VARIATIONS)
            ),
        )
        return await self._submit(
            "remaster", body, TaskKind.EDIT, clips_result, resend_if_ambiguous=resend_if_ambiguous
        )

    async def adjust_speed(
        self,
        clip_id: str,
        speed_multiplier: float,
        *,
        keep_pitch: bool = True,
        title: str | None = None,
        resend_if_ambiguous: bool = False,
    ) -> TaskHandle[TaskSnapshot, ClipsResult]:
        """``POST /suno/v2/adjustSpeed``: a copy of a clip played ``speed_multiplier`` times
        as fast (0.25 to 4), keeping its pitch unless ``keep_pitch=False``.

        Raises:
            ConfigError: a bad id or a multiplier outside 0.25-4.
        """
        check_bool("resend_if_ambiguous", resend_if_ambiguous)
        low, high = c.SPEED_RANGE
        speed = check_finite("speed_multiplier", speed_multiplier, minimum=low)
        if speed > high:
            raise ConfigError(
                f"speed_multiplier must be at most {high:g}, got {speed!r}.",
                argument="speed_multiplier",
            )
        body = AdjustSpeedRequest(
            clip_id=check_id("clip_id", clip_id),
            speed_multiplier=speed,
            keep_pitch=check_bool("keep_pitch", keep_pitch),
            title=msgspec.UNSET if title is None else check_name("title", title),
        )
        return await self._submit(
            "adjustSpeed",
            body,
            TaskKind.EDIT,
            clips_result,
            resend_if_ambiguous=resend_if_ambiguous,
        )

    async def timing(self, clip_id: str) -> TaskHandle[TaskSnapshot, TaskResult]:
        """``POST /suno/v2/timing``: the clip's lyrics timeline by line and word (``data``
        as sent; documented only as an object)."""
        body = ClipRequest(clip_id=check_id("clip_id", clip_id))
        return await self._submit("timing", body, TaskKind.EDIT, task_result)

    async def downbeats(self, clip_id: str) -> TaskHandle[TaskSnapshot, TaskResult]:
        """``POST /suno/v2/downbeats``: the clip's beat positions (``data`` as sent; the schema
        is not documented)."""
        body = ClipRequest(clip_id=check_id("clip_id", clip_id))
        return await self._submit("downbeats", body, TaskKind.EDIT, task_result)

    async def midi(self, clip_id: str) -> TaskHandle[TaskSnapshot, MidiResult]:
        """``POST /suno/v2/mdi``: a MIDI file of a clip that came out of a ``gen_stem_all``
        generation (``midi_url``; the task fails for other clips)."""
        body = ClipRequest(clip_id=check_id("clip_id", clip_id))
        return await self._submit("mdi", body, TaskKind.EDIT, midi_result)

    async def crop(
        self,
        clip_id: str,
        start_s: float,
        end_s: float,
        *,
        remove: bool = False,
        ui_surface: str | None = None,
    ) -> TaskHandle[TaskSnapshot, EditResult]:
        """``POST /suno/v2/audio/crop`` (free): keep ``start_s``..``end_s`` of a clip (seconds),
        or cut that stretch out with ``remove=True``.

        Raises:
            ConfigError: a bad id, or not ``0 <= start_s < end_s``.
        """
        start = check_finite("start_s", start_s, minimum=0)
        end = check_finite("end_s", end_s, minimum=0)
        if end <= start:
            raise ConfigError("end_s must be after start_s.", argument="end_s")
        body = CropRequest(
            clip_id=check_id("clip_id", clip_id),
            crop_start_s=start,
            crop_end_s=end,
            is_crop_remove=check_bool("remove", remove),
            ui_surface=msgspec.UNSET
            if ui_surface is None
            else check_name("ui_surface", ui_surface),
        )
        return await self._submit("audio/crop", body, TaskKind.EDIT, edit_result)

    async def fade(
        self,
        clip_id: str,
        *,
        fade_in_s: float | None = None,
        fade_out_s: float | None = None,
        title: str | None = None,
    ) -> TaskHandle[TaskSnapshot, EditResult]:
        """``POST /suno/v2/audio/fade`` (free): fade a clip in and/or out (seconds; at least
        one of the two).

        Raises:
            ConfigError: a bad id, neither fade given, or a fade not above 0.
        """
        if fade_in_s is None and fade_out_s is None:
            raise ConfigError("give fade_in_s or fade_out_s (or both).", argument="fade_in_s")
        fade_in = msgspec.UNSET if fade_in_s is None else check_finite("fade_in_s", fade_in_s)
        fade_out = msgspec.UNSET if fade_out_s is None else check_finite("fade_out_s", fade_out_s)
        for argument, value in (("fade_in_s", fade_in), ("fade_out_s", fade_out)):
            if not isinstance(value, msgspec.UnsetType) and value <= 0:
                raise ConfigError(f"{argument} must be above 0.", argument=argument)
        body = FadeRequest(
            clip_id=check_id("clip_id", clip_id),
            fade_in_time=fade_in,
            fade_out_time=fade_out,
            title=msgspec.UNSET if title is None else check_name("title", title),
        )
        return await self._submit("audio/fade", body, TaskKind.EDIT, edit_result)
