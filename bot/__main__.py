"""``python -m bot`` is the ``newsbot`` command; ``entry`` is also its console script (see pyproject.toml)."""

import os
import sys
from collections.abc import Sequence

# As bot.cli's, which cannot be imported before the guard below is in place.
EXIT_FAILURE, EXIT_INTERRUPTED = 1, 130


def entry(argv: Sequence[str] | None = None) -> int:
    """Run the command line; Ctrl-C at any moment, even while its modules are still importing, exits 130 quietly.

    ``bot.cli.main`` answers Ctrl-C itself once a command runs, but importing it and its libraries (pydantic,
    then numpy and sumy for the parser) takes a few tenths of a second, and a Ctrl-C then would print a traceback.
    So this module imports nothing heavy before the guard.
    """
    try:
        from bot.cli import main

        code = main(argv)
        if sys.stdout is not None:  # None when started with standard output closed (`>&-`)
            sys.stdout.flush()  # here, inside the guard, rather than in Python's flush at exit
        return code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Standard output was closed early (`newsbot ingest ... | head`): stop quietly, as other commands do.
        # What is still buffered for it goes nowhere, or Python's flush at exit would complain about the pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(entry())
