"""``python -m suno_async``: the command line."""

import sys

from suno_async.cli import main

sys.exit(main())
