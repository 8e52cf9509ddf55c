"""The ``suno-async`` command (also ``python -m suno_async``): :func:`main`.

Commands: ``train``, ``generate``, ``pure-music``, ``status``, ``wait`` and ``download`` talk to
the API (mountsea with ``MOUNTSEA_API_KEY``; ``pure-music --provider sunoapi`` sunoapi with
``SUNOAPI_API_KEY``; or the embedded emulator with ``--emulator``); ``demo`` runs the whole
workflow on the emulator; ``emulator`` serves the emulator and prints the ``export`` lines that
point the other commands at it (``MOUNTSEA_BASE_URL``, ``MOUNTSEA_API_KEY``, the ``SUNOAPI_``
pair, and ``SUNO_ASYNC_SPEED``, the default of ``--speed``), so one emulator keeps its state
across commands; ``--emulator`` starts a fresh one inside a single command. ``--help`` on each
teaches it, with examples. The library never imports this package.

Modules (all private):

* ``_main``: :func:`main`, the top-level parser, parsing and checking the command line.
* ``_parser``: the argparse subclass whose ``error()`` raises ``UsageError``, the options
  the client commands share, and how a command is added.
* ``_convert``: the argument converters (numbers, seconds, probabilities, ports, ranges, ids).
* ``_run``: what the client commands share: resolved options, connecting (to the API or an
  embedded emulator), the run context, printing results and errors.
* One module per command group: ``_train`` (train), ``_generate`` (generate, pure-music),
  ``_tasks`` (status, wait, download), ``_emulator`` (emulator), ``_demo`` (demo).
* ``_progress``: progress displays fed by the library's events; ``_exit``: exit codes, hints
  and the one-line error.

Exit codes (the same table ends ``suno-async --help``):

====  =========================================================================================
0     done
1     any other error: the API refused or failed after the automatic retries, a file could not
      be written, ...
2     bad input or usage: a wrong option, argument or file (``ConfigError``); nothing was sent
3     the API key was not accepted (``AuthenticationError``)
4     not enough credits (``InsufficientCreditsError``), or ``--max-credits`` would be passed
      (``CreditBudgetError``)
5     rate limited after the automatic retries (``RateLimitError``)
6     the task failed (``TaskFailedError``, ``ClipFailedError``, ``NotEnoughClipsError``)
7     timed out (``TaskTimeoutError``, ``APITimeoutError``)
8     a paid request may have been sent but its answer was lost (``AmbiguousSubmitError``):
      look for the work before running the command again
130   interrupted (Ctrl-C)
====  =========================================================================================

The API key is never printed: not in results, progress, errors or ``--json`` output.
"""

from suno_async.cli._main import main

__all__ = ["main"]
