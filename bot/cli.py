"""The ``newsbot`` command line: parse arguments, build settings, call the application. Nothing else."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import logging
import os
import re
import signal
import sys
from collections.abc import Collection, Iterator, Sequence
from typing import Any, TextIO

from pydantic import ValidationError

from bot.config import (
    Settings,
    describe_validation_error,
    env_file_problem,
    env_folder_warning,
    unknown_settings,
)

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


class UsageError(Exception):
    """A command-line or configuration problem: exit 2 with a one-line message."""


class Failure(Exception):
    """Anything else that stops a command, already said in one line: exit 1."""


class OutputFailed(Exception):
    """Standard output took no more text (a full disk, a closed terminal, a reader that stopped early)."""

    # Ctrl-C had stopped the command before its output failed: it exits 130, as stopped, not 1 as failed.
    interrupted = False


@contextlib.contextmanager
def _writing_output() -> Iterator[None]:
    """Writes to standard output in this block that fail raise OutputFailed, told apart from any other OSError."""
    try:
        yield
    except OSError as exc:
        raise OutputFailed(exc.strerror or str(exc)) from exc


def discard_output(out: TextIO) -> None:
    """Send what is still buffered for ``out``, and anything written to it later, to the null device.

    A failed flush keeps the text buffered: Python's flush at exit failed on it again, printed a traceback and
    exited 120 (unless PYTHONUNBUFFERED was set, as it is in some test runners but not in a user's terminal).
    """
    with contextlib.suppress(OSError, ValueError):  # ValueError: a stream with no file descriptor (tests)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, out.fileno())
        finally:
            os.close(devnull)


def _sentences(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if not 1 <= n <= 10:
        raise argparse.ArgumentTypeError("must be between 1 and 10")
    return n


def _source(value: str) -> str:
    # An empty argument (`newsbot summarize "$FILE"` with FILE unset) is the path ".", the working directory:
    # it was refused as "cannot read : It is a folder, not a file."
    if not value:
        raise argparse.ArgumentTypeError("is empty; give a file path or an http(s) URL")
    return value


def _language(value: str) -> str:
    from summaries.text import LANGUAGES, language_name

    if language_name(value) is None:
        # Unknown, it would be silently ignored and the language guessed: say so instead.
        raise argparse.ArgumentTypeError(
            f"{value!r} is no language newsbot knows; one of: {', '.join(LANGUAGES)}"
        )
    return value


def _algorithm(value: str) -> str:
    from summaries.summarizer import ALGORITHMS

    # "-a LSA" was refused while "-l EN" was taken; lowered before argparse's own choice check, "-a XYZ" was then
    # told "invalid choice: 'xyz'", a name the user never typed.
    if value.lower() not in ALGORITHMS:
        raise argparse.ArgumentTypeError(
            f"{value!r} is no algorithm newsbot knows; one of: {', '.join(ALGORITHMS)}"
        )
    return value.lower()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per SPEC §1 command."""
    from summaries.summarizer import ALGORITHMS

    parser = argparse.ArgumentParser(
        prog="newsbot",
        description="A Telegram bot that reads the news for you: feeds and pages in, short summaries out.",
        epilog="Settings come from NEWSBOT_* environment variables or a .env file; see .env.example.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "run",
        help="run the bot against the Telegram Bot API (needs NEWSBOT_BOT_TOKEN)",
        description="Run the bot with long polling; poll feeds and deliver alerts and digests. Stops cleanly on "
        "Ctrl-C / SIGTERM (and SIGHUP, unless started under nohup); a second one while stopping exits at once.",
    )
    commands.add_parser(
        "console",
        help="try the bot in this terminal, offline, with no Telegram account",
        description="Chat with the real bot in the terminal: it runs against a local Bot API emulator with a few "
        "sample articles. Type /help to start; 'quit', Ctrl-D or Ctrl-C leaves.",
    )
    ingest = commands.add_parser(
        "ingest",
        help="add articles once from files, article URLs or feed URLs",
        description="Add articles from files (plain text, HTML, RSS/Atom/JSON Feed), article URLs or feed URLs. "
        "Prints one line per article: added, skipped (duplicate, or pruned earlier) or failed (with the reason).",
    )
    ingest.add_argument(
        "sources", nargs="+", type=_source, metavar="SOURCE", help="a file path or an http(s) URL"
    )
    ingest.add_argument("--quiet", action="store_true", help="no progress bar")
    summarize = commands.add_parser(
        "summarize",
        help="print the summary of a file, URL or standard input",
        description="Print the summary of a file, URL or standard input ('-' or no SOURCE), one sentence per line.",
    )
    summarize.add_argument(
        "source", nargs="?", default="-", type=_source, metavar="SOURCE", help="file, http(s) URL or '-'"
    )
    summarize.add_argument(
        "--sentences",
        "-n",
        type=_sentences,
        default=None,
        help="summary length, 1-10 (default: NEWSBOT_SUMMARY_SENTENCES, 3 unless set)",
    )
    summarize.add_argument(
        "--algorithm",
        "-a",
        default="default",
        type=_algorithm,
        metavar="NAME",
        help="one of: " + ", ".join(ALGORITHMS) + " (default: %(default)s)",
    )
    summarize.add_argument(
        "--language",
        "-l",
        type=_language,
        default=None,
        help="language code such as en or de (default: detect)",
    )
    return parser


def load_settings(ignored: Collection[str] = ()) -> Settings:
    """Settings from the environment and .env; UsageError naming the bad setting.

    ``ignored``: settings the command replaces (the console's feeds, token, API URL and database). One of them
    that is invalid is said once, as a warning, and left at its default: it must not stop a command that never
    reads it.
    """
    defaults: dict[str, Any] = {}
    try:
        if problem := env_file_problem():
            raise UsageError(problem)
        while True:
            try:
                settings = Settings(**defaults)
                break
            except ValidationError as exc:
                loc = exc.errors()[0].get("loc") or ("",)
                name = str(loc[0])
                if name not in ignored or name in defaults:
                    raise UsageError(describe_validation_error(exc)) from None
                _tell(
                    f"newsbot: warning: {describe_validation_error(exc)}; ignored: this command does not use it"
                )
                defaults[name] = Settings.model_fields[name].default
    except UnicodeDecodeError as exc:
        # python-dotenv reads .env as UTF-8; a file saved in Latin-1 or UTF-16 fails before any setting is seen.
        raise UsageError(
            f".env is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start}): "
            "save it as UTF-8"
        ) from None
    except OSError as exc:
        raise UsageError(f".env cannot be read: {exc.strerror or exc}") from None
    if folder := env_folder_warning():
        _tell(f"newsbot: warning: {folder}")
    for line in unknown_settings():
        _tell(f"newsbot: warning: {line}")
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    """The ``newsbot`` command line; returns the exit code (``bot.__main__.entry`` runs it)."""
    code = EXIT_FAILURE
    try:
        try:
            try:
                code = _main(argv)
                return code
            finally:  # after --help too, which argparse ends with SystemExit
                _flush_output()
        except OutputFailed as exc:
            # A reader that stops early (`newsbot ingest ... | head`) ends the command quietly, as other tools do;
            # a full disk or a terminal gone is said in one line rather than a traceback.
            if not isinstance(exc.__cause__, BrokenPipeError):
                _tell(f"newsbot: cannot write to standard output: {exc}")
            # After Ctrl-C the last lines met the full disk or closed pipe only in the flush on the way out: the
            # operator stopped the command, and a script (or a shell loop) must see that, 130, not a failure, 1.
            return EXIT_INTERRUPTED if code == EXIT_INTERRUPTED or exc.interrupted else EXIT_FAILURE
    finally:  # argparse's usage errors too, which it writes ignoring a failure
        _flush_errors()


def _tell(line: str) -> None:
    """Print one line on standard error. When it takes nothing either (`2>/dev/full`), nothing can be said: the
    exit code is all the operator gets, and it must stay the command's own (a traceback nobody sees, exit 1 for a
    usage error, or Python's 120 at exit, said nothing true)."""
    try:
        print(line, file=sys.stderr)
    except OSError:
        discard_output(sys.stderr)


def _flush_errors() -> None:
    """Flush standard error here: text it did not take (argparse ignores the failure) would fail again in Python's
    flush at exit, which then exits 120 whatever the command's exit code was."""
    if sys.stderr is None:  # started with standard error closed (`2>&-`)
        return
    try:
        sys.stderr.flush()
    except OSError:
        discard_output(sys.stderr)


def _flush_output() -> None:
    """Flush standard output here, rather than in Python's flush at exit, which prints a traceback and exits 120
    when it fails. A failed flush sends what is left to the null device (or the flush at exit would fail on it
    again) and raises OutputFailed, unless a crash or Ctrl-C is on its way out of main(): that is what to show,
    not one line about the output, or nothing at all for a reader gone."""
    if sys.stdout is None:  # started with standard output closed (`>&-`)
        return
    leaving = sys.exception()  # called from main()'s finally: what is on its way out, if anything
    try:
        sys.stdout.flush()
    except OSError as exc:
        discard_output(sys.stdout)
        if leaving is None or isinstance(leaving, SystemExit):
            raise OutputFailed(exc.strerror or str(exc)) from exc


def _main(argv: Sequence[str] | None) -> int:
    from bot.store import DatabaseNotWritable, DatabaseUnavailable, SchemaError

    if isinstance(sys.stdout, io.TextIOWrapper):
        # A terminal or file in a legacy encoding (Latin-1; Windows' code page when output is redirected) cannot
        # hold every letter or emoji of an article: such a character is shown as "?" instead of a traceback halfway.
        sys.stdout.reconfigure(errors="replace")
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        if args.command == "run":
            return _run(load_settings())
        if args.command == "console":
            from bot.console import IGNORED_SETTINGS

            return _console(load_settings(IGNORED_SETTINGS))
        if args.command == "ingest":
            return asyncio.run(_ingest(load_settings(), args.sources, quiet=args.quiet))
        if args.command == "summarize":
            return _summarize(load_settings(), args.source, args.sentences, args.algorithm, args.language)
    except UsageError as exc:
        _tell(f"newsbot: {exc}")
        return EXIT_USAGE
    except SchemaError as exc:  # NEWSBOT_DB_PATH names a file that is no newsbot database (or a newer one)
        _tell(f"newsbot: NEWSBOT_DB_PATH: {exc}")
        return EXIT_USAGE
    except DatabaseNotWritable as exc:  # permissions of the file or its folder: the setting is what to fix
        _tell(f"newsbot: NEWSBOT_DB_PATH: {exc}")
        return EXIT_USAGE
    except (DatabaseUnavailable, Failure) as exc:
        _tell(f"newsbot: {exc}")
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE


def _run(settings: Settings) -> int:
    from bot.logs import configure_logging

    if settings.bot_token is None:
        raise UsageError(
            "NEWSBOT_BOT_TOKEN is not set: put your bot's token in .env (see .env.example), "
            "or try the bot offline with `newsbot console`"
        )
    configure_logging(settings.log_level_number, secrets=(settings.bot_token.get_secret_value(),))
    from bot.run import BotApiUnavailable, TokenRejected, run_bot

    try:
        if not run_bot(settings):
            logging.getLogger(__name__).info("stopped during start-up")
    except TokenRejected as exc:
        raise UsageError(str(exc)) from None
    except BotApiUnavailable as exc:
        raise Failure(str(exc)) from None
    return EXIT_OK


def _console(settings: Settings) -> int:
    import tempfile

    from bot.console import run_console
    from bot.logs import configure_logging
    from bot.store import DatabaseNotWritable, SchemaError

    configure_logging(logging.WARNING)
    # Ctrl-C is how the console is meant to stop (exit 0): its own handler replaces this while it runs and puts it
    # back as it leaves. A second Ctrl-C while it shut down (after "bye") ended the process by SIGINT (130), or
    # printed "Exception ignored ... KeyboardInterrupt", most of the time. (Not on Windows, where the console
    # cannot install its own handler: Ctrl-C stays as it is.)
    if sys.platform != "win32":
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return asyncio.run(run_console(settings))
    except (SchemaError, DatabaseNotWritable) as exc:
        # The console's own throwaway database failed (a full temporary folder): main() would name
        # NEWSBOT_DB_PATH, which the console ignores, as a configuration error to fix.
        raise Failure(
            f"cannot set up the console's temporary database in {tempfile.gettempdir()}: {exc}"
        ) from None


async def _ingest(settings: Settings, sources: Sequence[str], *, quiet: bool) -> int:
    from tqdm import tqdm

    from bot.logs import configure_logging
    from bot.render.text import counted
    from bot.services.ingest import ingest_sources, open_ingest

    configure_logging(logging.WARNING)
    failed = 0
    async with open_ingest(settings) as service:
        # Ctrl-C stops after the article being stored, so every stored article has its line (a second one stops
        # at once); a KeyboardInterrupt raised anywhere would lose the lines of a feed file's stored items.
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        interrupted = False

        def on_sigint() -> None:
            nonlocal interrupted
            if interrupted and task is not None:
                task.cancel()
            interrupted = True
            _tell("newsbot: stopping after this article (Ctrl-C again to stop at once)")

        with contextlib.suppress(NotImplementedError):  # Windows event loops: Ctrl-C stops at once
            loop.add_signal_handler(signal.SIGINT, on_sigint)
        done = 0
        storage_problem: str | None = None
        lost_output: OutputFailed | None = None
        try:
            progress = tqdm(sources, unit="source", disable=quiet or None, file=sys.stderr, leave=False)

            def shown() -> Iterator[str]:
                """The sources, each named on the progress bar while it is read; counted once read; none after
                Ctrl-C."""
                nonlocal done
                for source in progress:
                    progress.set_postfix_str(source[-40:])
                    yield source
                    if interrupted:
                        return
                    done += 1

            async with contextlib.aclosing(ingest_sources(service, shown())) as outcomes:
                async for outcome in outcomes:
                    line = _outcome_line(outcome.status, outcome.source, outcome.article, outcome.reason)
                    failed += outcome.status == "failed"
                    try:
                        with _writing_output():
                            progress.write(line, file=sys.stdout)
                    except OutputFailed as exc:
                        if not interrupted:
                            raise
                        # The line that filled the buffer after Ctrl-C: said after the interrupted line below.
                        lost_output = exc
                        break
                    if outcome.storage_failed:
                        storage_problem = outcome.reason
                    if interrupted:
                        break
        except asyncio.CancelledError:
            if not interrupted:
                raise
            _tell("newsbot: interrupted")
            return EXIT_INTERRUPTED
        finally:
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(signal.SIGINT)
    if interrupted:
        _tell(
            f"newsbot: interrupted; {done} of {counted(len(sources), 'source')} done, every article listed is stored"
        )
        if lost_output is not None:
            lost_output.interrupted = True
            raise lost_output
        return EXIT_INTERRUPTED
    if storage_problem:
        # ingest_sources stopped there: every later article would fail the same way.
        _tell(
            f"newsbot: stopped: the database refused to store articles; {done} of {counted(len(sources), 'source')} done,"
            " every article listed as added is stored"
        )
        return EXIT_FAILURE
    return EXIT_FAILURE if failed else EXIT_OK


def _outcome_line(status: str, source: str, article: object, reason: str | None) -> str:
    from summaries.articles import Article

    if status == "failed" or not isinstance(article, Article):
        return f"failed   {source}: {_for_operator(reason, source) if reason else 'unknown reason'}"
    label = {"added": "added  ", "pruned": "skipped"}.get(status, "skipped")
    why = "" if status == "added" else " (duplicate)" if status != "pruned" else " (pruned earlier)"
    topics = f" [{', '.join(article.topics)}]" if article.topics else ""
    # A pruned article is no longer stored, so it has no id to show ("#None" said nothing).
    number = f"#{article.id} " if article.id is not None else ""
    return f"{label}  {number}{article.title}{topics}{why}"


# A host name with a dot, then a path: "www.example.com/story", "example.com:8080/news/a.html".
_WEB_ADDRESS_WITHOUT_SCHEME = re.compile(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?::[0-9]+)?/")


def _for_operator(reason: str, source: str = "") -> str:
    """A source's reason as the operator reads it: a refused private address names the setting that allows it,
    and a missing file named like a web address (``source``) says how to write one."""
    from summaries.fetch import PRIVATE_ADDRESS_REASON
    from summaries.sources.files import NO_SUCH_FILE

    if reason == PRIVATE_ADDRESS_REASON:
        # A page served on 127.0.0.1 to try newsbot out was refused with no hint that a setting allows it.
        return reason.removesuffix(".") + " unless NEWSBOT_ALLOW_PRIVATE_URLS is true."
    if reason == NO_SUCH_FILE and _WEB_ADDRESS_WITHOUT_SCHEME.match(source):
        # Only http:// and https:// sources are fetched; the rest are files, so a page's address without its
        # scheme got only "There is no such file.".
        return f"{reason} For a web page, write https://{source}"
    return reason


def _summarize(
    settings: Settings, source: str, sentences: int | None, algorithm: str, language: str | None
) -> int:
    from bot.services.summaries import fetch_source_text
    from summaries.sources.files import UnreadableSource, read_file_text, read_standard_input
    from summaries.summarizer import summarize

    try:
        if source == "-":
            if sys.stdin is None:  # started with standard input closed: Python has no file for it
                _tell("newsbot: there is no standard input to read the text from (it is closed)")
                return EXIT_FAILURE
            if sys.stdin.isatty():  # `newsbot summarize` typed alone would otherwise wait in silence
                _tell("newsbot: reading the text from standard input; end it with Ctrl-D")
            read = read_standard_input(sys.stdin.buffer)
        elif source.lower().startswith(("http://", "https://")):
            read = asyncio.run(fetch_source_text(settings, source))
        else:
            read = read_file_text(source)
    except UnreadableSource as exc:
        _tell(f"newsbot: {exc.where}{_for_operator(exc.reason, source)}")
        return EXIT_FAILURE
    if read.notice:
        _tell(f"newsbot: {read.notice}")
    try:
        result = summarize(
            read.text,
            sentences or settings.summary_sentences,
            title=read.title,
            language=language or read.language,
            algorithm=algorithm,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not result:
        _tell("newsbot: there is nothing to summarize in that text")
        return EXIT_FAILURE
    with _writing_output():
        for sentence in result:
            print(sentence)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
