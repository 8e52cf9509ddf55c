"""sunoapi.com's v2 API, as the emulator serves it (v3.5 and v3.0, under ``/api/v2/suno/``).

* ``_state``: the account, its calls and their clips, the answers and credits, and every choice
  made where the docs are silent.
* ``_validation``: the request checks.
* ``_routes``: the routes, mounted on the shared app with :func:`add_routes`.

The same layout as :mod:`suno_async.emulator._mountsea`.
"""

from suno_async.emulator._sunoapi._routes import add_routes
from suno_async.emulator._sunoapi._state import SunoapiState

__all__ = ["SunoapiState", "add_routes"]
