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
MAX_DESCRIPTION_CHARS: Final = 200

#: v3.5: clip ids per ``clips?ids=`` lookup (the docs show two; larger batches are this
#: library's choice, kept modest so a URL stays short).
MAX_CLIP_IDS_PER_LOOKUP: Final = 50
#: A clip that this many lookups in a row leave out is taken to be unknown to the provider.
MAX_CLIP_LOOKUP_MISSES: Final = 3
#: Credits per create or extend call (two clips).
CALL_COST: Final = 10
