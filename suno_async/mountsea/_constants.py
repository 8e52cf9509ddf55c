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

#: Prices per endpoint in credits, keyed ``"<path after /suno/v2/>"`` or ``"<path>:<variant>"``
#: (the generate task, the image category). ``None``: the provider publishes no price (the call
#: is sent uncounted unless the client's ``prices`` option names one). Sources: the docs
#: (customModel/create 100; audio/crop and audio/fade free; image/generate basic 0 and advanced
#: about 20 per image, two images) and a captured price list (generate 40 for 13 tasks; it
#: leaves out ``gen_stem_all`` and ``sound``, so those are unknown).
PRICES: Final[dict[str, int | None]] = {
    "customModel/create": CREATE_CUSTOM_MODEL_COST,
    **{
        f"generate:{task}": GENERATE_COST
        for task in (
            "create",
            "extend",
            "upload_extend",
            "upload_cover",
            "cover",
            "use_styles_lyrics",
            "replace_section",
            "add_instrumental",
            "add_vocals",
            "gen_stem_two",
            "mashup",
            "sample",
            "inspiration",
        )
    },
    "generate:gen_stem_all": None,
    "generate:sound": None,
    "audio/crop": 0,
    "audio/fade": 0,
    "image/generate:basic": 0,
    "image/generate:advanced": 40,
    "upload": None,
    "audio/upload/session/item": None,
    "lyrics": None,
    "concat": None,
    "voicePersona/init": None,
    "remaster": None,
    "adjustSpeed": None,
    "timing": None,
    "downbeats": None,
    "mdi": None,
}

#: The window the provider gives between a voice persona's ``awaiting`` and ``complete``
#: (seconds); a task not completed in time fails with ``VP_USER_TIMEOUT``.
PERSONA_WINDOW: Final = 30.0
#: The fail code (or reason) of a voice persona whose window was missed.
PERSONA_TIMEOUT_CODE: Final = "VP_USER_TIMEOUT"
#: Languages ``voicePersona/init`` documents.
PERSONA_LANGUAGES: Final = frozenset({"zh", "en", "ja", "ko", "es", "fr", "de", "pt", "ru", "hi"})
#: ``remaster`` models: ``chirp-carp`` (V5) and ``chirp-bass`` (V4.5+).
REMASTER_MODELS: Final = frozenset({"chirp-carp", "chirp-bass"})
REMASTER_VARIATIONS: Final = frozenset({"subtle", "normal", "high"})
#: ``adjustSpeed``'s documented range of ``speed_multiplier``.
SPEED_RANGE: Final = (0.25, 4.0)
#: ``playlist/create`` takes 1 to 4 clips.
PLAYLIST_MAX_CLIPS: Final = 4
LYRICS_MODELS: Final = frozenset({"default", "remi-v1"})
IMAGE_CATEGORIES: Final = frozenset({"basic", "advanced"})

#: Environment variable read when ``usage_url`` is not given.
USAGE_URL_ENV: Final = "MOUNTSEA_USAGE_URL"
#: The usage and credits API of the production service (another host, ``X-API-Key``/``?key=``).
DEFAULT_USAGE_URL: Final = "https://dk.mountsea.ai"
