"""What the emulated providers' states share: settings, clock, task scripts, time stamps, address.

Each provider keeps its own account, tasks and credits (:mod:`suno_async.emulator._mountsea`,
:mod:`suno_async.emulator._sunoapi`); one :class:`SharedState` of the emulator holds what they
have in common:

* the configuration and the clock that drives every task;
* the queued task scripts (:class:`~suno_async.emulator._faults.TaskFaults`): each provider
  takes those of its own task kinds;
* the time stamps: the wall-clock time the emulator started plus the clock time elapsed since,
  ISO-8601 in UTC with milliseconds, the same origin and format for every provider;
* the server's base URL, the prefix of every audio URL a provider answers with;
* the reading of the docs in use (:class:`~suno_async.emulator._readings.Readings`) and the
  maker of the ids the providers mint for their own tasks, sessions and (sunoapi.com) clips:
  uuid strings, or large decimal numbers under ``numeric_ids``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from suno_async._core._clock import Clock
from suno_async.emulator._audio import SAMPLE_RATE
from suno_async.emulator._config import EmulatorConfig
from suno_async.emulator._faults import TaskFaults
from suno_async.emulator._readings import IdMaker

__all__ = ["SharedState", "new_id"]


def new_id() -> str:
    """A new random id (a uuid4 string), as the providers' ids look."""
    return str(uuid.uuid4())


class SharedState:
    """Settings, clock, task scripts, time stamps and base URL of one emulator.

    Args:
        config: The emulator's settings.
        clock: The clock that drives every task.
    """

    def __init__(self, config: EmulatorConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.readings = config.readings
        #: Mints task, session and batch ids (and sunoapi.com clip ids) as the reading says.
        self.task_id = IdMaker(config.readings)
        self.faults = TaskFaults()
        self.base_url = ""
        self._wall_origin = datetime.now(UTC)
        self._clock_origin = 0.0  # set by start(); a SystemClock may not be readable yet

    def start(self, base_url: str) -> None:
        """Begin serving at ``base_url``; time stamps count from now."""
        self.base_url = base_url
        self._wall_origin = datetime.now(UTC)
        self._clock_origin = self.clock.now()

    def iso(self, at: float) -> str:
        """Clock time ``at`` as an ISO-8601 UTC timestamp with milliseconds."""
        moment = self._wall_origin + timedelta(seconds=at - self._clock_origin)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

    def clip_seconds(self) -> float:
        """The length of every synthesised clip, in seconds (whole frames, rounded to ms)."""
        return round(round(self.config.audio_seconds * SAMPLE_RATE) / SAMPLE_RATE, 3)
