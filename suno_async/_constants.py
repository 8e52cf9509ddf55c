"""Named defaults. Every tunable number the library uses lives here.

Durations are float seconds; costs are provider credits.
"""

from __future__ import annotations

from typing import Final

#: Environment variable read when ``api_key`` is not given.
API_KEY_ENV: Final = "SUNO_API_KEY"
#: Environment variable read when ``base_url`` is not given.
BASE_URL_ENV: Final = "SUNO_BASE_URL"
#: The custom-model provider's production API.
DEFAULT_BASE_URL: Final = "https://api.mountsea.ai"

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
#: Seconds one call may spend in retries, all attempts and waits included.
RETRY_MAX_ELAPSED: Final = 120.0
#: Proportional jitter: each delay is scaled by a factor drawn from [1 - j, 1 + j].
RETRY_JITTER: Final = 0.2
#: The longest ``Retry-After`` the client will honour; longer values are cut to this (seconds).
RETRY_AFTER_CAP: Final = 60.0

#: A wait gives up when this many status requests in a row failed (each after its retries).
MAX_CONSECUTIVE_POLL_FAILURES: Final = 3

#: Status requests in flight at once across all pollers of one client.
DEFAULT_MAX_CONCURRENT_POLLS: Final = 16
#: Uploads in flight at once in one training workflow.
DEFAULT_MAX_CONCURRENT_UPLOADS: Final = 6
#: Downloads in flight at once.
DEFAULT_MAX_CONCURRENT_DOWNLOADS: Final = 4
#: Attempts per audio URL in the training workflow (the provider says: retry in the same session).
DEFAULT_UPLOAD_ATTEMPTS: Final = 2

#: Upload failure codes that would fail again if retried (4001: "Audio source not found.").
PERMANENT_UPLOAD_FAIL_CODES: Final = frozenset({4001})

#: The provider's minimum number of uploaded clips for ``customModel/create``.
MIN_TRAINING_CLIPS: Final = 6

#: Known credit costs. ``customModel/create`` is documented; generate comes from a captured
#: price list of the provider and may change.
CREATE_CUSTOM_MODEL_COST: Final = 100
GENERATE_COST: Final = 40

#: The model ``SunoClient.pure_music`` asks for unless told otherwise.
DEFAULT_PURE_MUSIC_MODEL: Final = "chirp-v50"

#: sunoapi.com's documented input limits: each text must be shorter than this many characters
#: ("The tags character length should be less than 200." and so on). Its instructions page
#: suggests tighter values (tags <= 80, title <= 120); the enforced error messages win here.
MAX_PROMPT_CHARS: Final = 3000
MAX_TAGS_CHARS: Final = 200
MAX_TITLE_CHARS: Final = 80
MAX_DESCRIPTION_CHARS: Final = 200

#: sunoapi.com v3.5: clip ids per ``clips?ids=`` lookup (the docs show two; larger batches are
#: this library's choice, kept modest so a URL stays short).
MAX_CLIP_IDS_PER_LOOKUP: Final = 50
#: A clip that this many lookups in a row leave out is taken to be unknown to the provider.
MAX_CLIP_LOOKUP_MISSES: Final = 3
#: sunoapi.com credits per create or extend call (two clips).
SUNOAPI_CALL_COST: Final = 10
SUNOAPI_API_KEY_ENV: Final = "SUNOAPI_API_KEY"
SUNOAPI_BASE_URL_ENV: Final = "SUNOAPI_BASE_URL"
SUNOAPI_DEFAULT_BASE_URL: Final = "https://api.sunoapi.com"

USER_AGENT: Final = "suno_async"
