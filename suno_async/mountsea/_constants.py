"""mountsea's addresses, prices and limits, and the defaults of its workflows.

Durations are float seconds; costs are provider credits.
"""

from __future__ import annotations

from typing import Final

#: Environment variable read when ``api_key`` is not given.
API_KEY_ENV: Final = "MOUNTSEA_API_KEY"
#: Environment variable read when ``base_url`` is not given.
BASE_URL_ENV: Final = "MOUNTSEA_BASE_URL"
#: mountsea's production API.
DEFAULT_BASE_URL: Final = "https://api.mountsea.ai"

#: Uploads in flight at once in one training workflow.
DEFAULT_MAX_CONCURRENT_UPLOADS: Final = 6
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

#: The model ``generate`` and every flow built on it (and the command line) use unless told
#: otherwise: the newest stock model, the one the provider's docs recommend.
DEFAULT_MODEL: Final = "chirp-v55"
#: The model ``MountseaClient.pure_music`` asks for unless told otherwise (the same).
DEFAULT_PURE_MUSIC_MODEL: Final = DEFAULT_MODEL
