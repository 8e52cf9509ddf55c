"""mountsea.ai's Suno v2 API, as the emulator serves it (under ``/suno/v2/``).

* ``_state``: the account, its sessions, tasks (upload, training, generate), clips and credits,
  and every choice made where the docs are silent.
* ``_validation``: the request checks.
* ``_routes``: the routes, mounted on the shared app with :func:`add_routes`.

The same layout as :mod:`suno_async.emulator._sunoapi`.
"""

from suno_async.emulator._mountsea._routes import add_routes
from suno_async.emulator._mountsea._state import MountseaState

__all__ = ["MountseaState", "add_routes"]
