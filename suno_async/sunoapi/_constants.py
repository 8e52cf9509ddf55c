"""sunoapi's addresses, prices and input limits.

Costs are provider credits.
"""

from __future__ import annotations

from typing import Final

#: Environment variable read when ``api_key`` is not given.
API_KEY_ENV: Final = "SUNOAPI_API_KEY"
#: Environment variable read when ``base_url`` is not given.
BASE_URL_ENV: Final = "SUNOAPI_BASE_URL"
#: sunoapi's production API.
DEFAULT_BASE_URL: Final = "https://api.sunoapi.com"

#: sunoapi's documented input limits: each text must be shorter than this many characters
#: ("The tags character length should be less than 200." and so on). Its instructions page
#: suggests tighter values (tags <= 80, title <= 120); the enforced error messages win here.
MAX_PROMPT_CHARS: Final = 3000
MAX_TAGS_CHARS: Final = 200
MAX_TITLE_CHARS: Final = 80
#: "The description character length should be less than 120." (the vendor's error list,
#: api-notes B.9; the "< 200" that follows it there is for persona descriptions, which no call
#: of this library sends).
MAX_DESCRIPTION_CHARS: Final = 120
#: v1 create's ``gpt_description_prompt``: "... should be less than 200." (api-notes B.6).
MAX_GPT_DESCRIPTION_CHARS: Final = 200
#: v1 make-lyrics: the prompt is "under 200" characters (api-notes B.7).
MAX_LYRICS_PROMPT_CHARS: Final = 200

#: v3.5: clip ids per ``clips?ids=`` lookup (the docs show two; larger batches are this
#: library's choice, kept modest so a URL stays short).
MAX_CLIP_IDS_PER_LOOKUP: Final = 50
#: A clip that this many lookups in a row leave out is taken to be unknown to the provider.
MAX_CLIP_LOOKUP_MISSES: Final = 3
#: Credits per create or extend call (two clips).
CALL_COST: Final = 10
#: Credits per v1 make-lyrics call (api-notes B.7, B.9).
LYRICS_COST: Final = 2
#: Credits per v1 stems call: no price is published, so it is not counted (``None``).
STEMS_COST: Final[int | None] = None
#: Tracks a v1 stems call makes: basic (vocals, instrumental) and full (api-notes B.9).
STEMS_BASIC_TRACKS: Final = 2
STEMS_FULL_TRACKS: Final = 12
#: A webhook delivery whose ``X-Webhook-Timestamp`` is further than this from the receiver's
#: wall clock, either way, is refused as stale (seconds; the common choice, five minutes).
WEBHOOK_TOLERANCE: Final = 300.0
#: How many tasks' last deliveries (and four times as many delivery ids, for de-duplication)
#: a webhook receiver remembers.
WEBHOOK_REMEMBER: Final = 1000
