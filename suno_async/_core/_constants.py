"""Named defaults of the provider-free core. Every tunable number the core uses lives here;
each provider keeps its own prices, limits and addresses in its package's ``_constants``.

Durations are float seconds.
"""

from __future__ import annotations

from typing import Final

#: Whole-request timeout for API calls (seconds).
DEFAULT_TIMEOUT: Final = 60.0
#: Time allowed to establish a connection (seconds).
DEFAULT_CONNECT_TIMEOUT: Final = 10.0
#: Time allowed between two reads of a download body (seconds).
DEFAULT_DOWNLOAD_READ_TIMEOUT: Final = 60.0

#: Attempts after the first for a request that is safe to repeat.
DEFAULT_MAX_RETRIES: Final = 4
#: First retry delay, then multiplied by ``RETRY_FACTOR`` up to ``RETRY_MAX_DELAY`` (seconds).
RETRY_INITIAL_DELAY: Final = 0.5
RETRY_FACTOR: Final = 2.0
RETRY_MAX_DELAY: Final = 8.0
#: Seconds one call may spend in retries, counted from its first attempt, waits included.
RETRY_MAX_ELAPSED: Final = 120.0
#: Proportional jitter: each delay is scaled by a factor drawn from [1 - j, 1 + j].
RETRY_JITTER: Final = 0.2
#: The longest ``Retry-After`` the client will honour; longer values are cut to this (seconds).
RETRY_AFTER_CAP: Final = 60.0

#: A wait gives up when this many status requests in a row failed (each after its retries).
MAX_CONSECUTIVE_POLL_FAILURES: Final = 3

#: Status requests in flight at once across all pollers of one client.
DEFAULT_MAX_CONCURRENT_POLLS: Final = 16
#: Downloads in flight at once.
DEFAULT_MAX_CONCURRENT_DOWNLOADS: Final = 4

USER_AGENT: Final = "suno_async"
