"""``python -m bot`` is the ``newsbot`` command; ``entry`` is also its console script (see pyproject.toml)."""

import sys
from collections.abc import Sequence

# As bot.cli's, which cannot be imported before the guard below is in place.
EXIT_INTERRUPTED = 130


def entry(argv: Sequence[str] | None = None) -> int:
    """Run the command line; Ctrl-C at any moment, even while its modules are still importing, exits 130 quietly.

    ``bot.cli.main`` answers Ctrl-C itself once a command runs, but importing it and its libraries (pydantic,
    then numpy and sumy for the parser) takes a few tenths of a second, and a Ctrl-C then would print a traceback.
    So this module imports nothing heavy before the guard.
    """
    try:
        from bot.cli import main

        code = main(argv)
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    # A Ctrl-C that left an exec() of source text (libraries build functions so while they import: dataclasses,
    # namedtuple, pydantic) is marked by CPython as unhandled, caught or not; under `python -m bot` the process
    # then killed itself by SIGINT after exiting 130. Each exec of text clears that mark as it starts.
    exec("")
    return code


if __name__ == "__main__":
    sys.exit(entry())
