"""The SQLite database: connections, the write transaction, and schema migrations."""

from __future__ import annotations

import asyncio
import errno
import fcntl
import functools
import logging
import os
import re
import sqlite3
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import aiosqlite

from summaries.dedup import content_fingerprint

if TYPE_CHECKING:
    from bot.store.articles import ArticleRepo
    from bot.store.chats import ChatRepo
    from bot.store.deliveries import DeliveryRepo
    from bot.store.feeds import FeedRepo
    from bot.store.notices import NoticeRepo
    from bot.store.subscriptions import SubscriptionRepo

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[A-Za-z0-9_]+\.sql$")
# A migration holding this line runs with foreign keys off: one that rebuilds a table other tables point at
# (SQLite cannot change a column's definition), whose DROP would otherwise delete or null their rows.
_FOREIGN_KEYS_OFF = re.compile(r"^-- newsbot: foreign keys off$", re.MULTILINE)
# What the -wal file is cut back to once checkpointed (SQLite checkpoints every ~4 MB of writes by default).
WAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024


class SchemaError(RuntimeError):
    """The database schema cannot be used by this newsbot (too new, or a migration failed)."""


class DatabaseUnavailable(RuntimeError):
    """The database file cannot be opened or locked right now (permissions, a missing disk, another process)."""


class DatabaseNotWritable(DatabaseUnavailable):
    """newsbot may not write the database file or its folder: the operator must fix permissions or the path."""


# Errors of a folder or file newsbot may not write (EPERM: an immutable file, a sandbox; ENOENT from a folder that
# exists: one that holds no files of ours, such as /proc), as opposed to a full disk.
_NOT_WRITABLE = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT})


def _folder_not_writable(db_path: Path, folder: Path, exc: OSError) -> DatabaseNotWritable:
    """The folder ``db_path`` needs, or the nearest one that exists (the one that refused a missing subfolder)."""
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    return DatabaseNotWritable(
        f"cannot create files in {folder} ({exc.strerror or exc}), which {db_path} needs: make that folder "
        "writable for the user newsbot runs as, or set NEWSBOT_DB_PATH to a file in a writable folder"
    )


@contextmanager
def instance_lock(db_path: Path) -> Iterator[Path]:
    """Hold ``<db_path>.lock`` so a second ``newsbot run`` on the same database refuses to start.

    Two bots on one database would each re-queue the other's in-flight deliveries at start-up and send them
    twice. flock() locks vanish with the process, so a crash never leaves a stale lock behind.
    """
    try:
        # Beside the file itself: through a link to it, another name would take another lock.
        real = db_path.resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a link that leads back to itself
        raise DatabaseUnavailable(f"cannot use {db_path}: {getattr(exc, 'strerror', None) or exc}") from None
    lock_path = real.with_name(real.name + ".lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if exc.errno in _NOT_WRITABLE:
            # Not "cannot create <file>.lock": that sent operators looking for a lock file instead of the setting.
            raise _folder_not_writable(db_path, lock_path.parent, exc) from None
        raise DatabaseUnavailable(f"cannot create {lock_path}: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseUnavailable(
                f"another newsbot is already running on {db_path} (it holds {lock_path}); stop it first"
            ) from None
        yield lock_path
    finally:
        os.close(fd)


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema migration file: ``NNNN_name.sql`` brings the schema to version NNNN."""

    version: int
    name: str
    sql: str


def load_migrations(source: Traversable | Path | None = None) -> list[Migration]:
    """Read NNNN_name.sql files from ``source`` (default: the packaged bot/store/migrations), in order."""
    folder: Traversable | Path = source if source is not None else files("bot.store") / "migrations"
    found: dict[int, Migration] = {}
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match is None or not entry.is_file():
            continue
        version = int(match.group(1))
        if version in found:
            raise SchemaError(
                f"two migrations claim version {version}: {found[version].name} and {entry.name}"
            )
        found[version] = Migration(version, entry.name, entry.read_text(encoding="utf-8"))
    versions = sorted(found)
    # A gap would mean a missing file in the package; applying around it would build a schema nobody wrote.
    if versions != list(range(1, len(versions) + 1)):
        raise SchemaError(f"migrations must be numbered 0001, 0002, ... without gaps; found {versions}")
    return [found[v] for v in versions]


class Database:
    """newsbot's SQLite database: one writer connection behind a lock, two reader connections, repos."""

    chats: ChatRepo
    subscriptions: SubscriptionRepo
    feeds: FeedRepo
    articles: ArticleRepo
    deliveries: DeliveryRepo
    notices: NoticeRepo
    reader: aiosqlite.Connection
    searcher: aiosqlite.Connection
    schema_version: int
    busy_timeout_ms: int

    def __init__(
        self,
        path: Path,
        writer: aiosqlite.Connection,
        reader: aiosqlite.Connection,
        searcher: aiosqlite.Connection,
    ) -> None:
        self.path = path
        self._writer = writer
        self.reader = reader
        # /search alone reads here: its work depends on the words typed (0.6 s at 200,000 articles for a word
        # with a symbol whose letters most articles hold), and a connection runs one statement at a time, so on
        # ``reader`` it held up every other chat's /latest, /summary ID and the digests' reads.
        self.searcher = searcher
        self._lock = asyncio.Lock()
        self._lock_owner: asyncio.Task[object] | None = None
        self._closed = False
        self.schema_version = 0
        self.busy_timeout_ms = 5000
        # Absolute now, as SQLite made it when opening: a later chdir must not make the file look deleted.
        self._file = path.absolute()
        self._identity = _file_identity(self._file)
        from bot.store.articles import ArticleRepo
        from bot.store.chats import ChatRepo
        from bot.store.deliveries import DeliveryRepo
        from bot.store.feeds import FeedRepo
        from bot.store.notices import NoticeRepo
        from bot.store.subscriptions import SubscriptionRepo

        self.chats = ChatRepo(self)
        self.subscriptions = SubscriptionRepo(self)
        self.feeds = FeedRepo(self)
        self.articles = ArticleRepo(self)
        self.deliveries = DeliveryRepo(self)
        self.notices = NoticeRepo(self)

    @classmethod
    async def open(
        cls,
        path: Path | str,
        *,
        busy_timeout_ms: int = 5000,
        migrations: Traversable | Path | str | Sequence[Migration] | None = None,
    ) -> Database:
        """Open (creating if needed) the database at ``path`` and apply pending migrations."""
        db_path = Path(path)
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if exc.errno in _NOT_WRITABLE:
                raise _folder_not_writable(db_path, db_path.parent, exc) from None
            raise DatabaseUnavailable(
                f"cannot create the folder of {db_path}: {exc.strerror or exc}"
            ) from None
        if isinstance(migrations, str):
            migrations = Path(migrations)
        if migrations is None or isinstance(migrations, Path | Traversable):
            plan = load_migrations(migrations)
        else:
            plan = list(migrations)
        writer: aiosqlite.Connection | None = None
        reader: aiosqlite.Connection | None = None
        searcher: aiosqlite.Connection | None = None
        try:
            writer = await _connect(db_path, busy_timeout_ms)
            await _refuse_foreign_database(writer, db_path)
            await _refuse_read_only(writer, busy_timeout_ms)
            await _enable_wal(writer, db_path, busy_timeout_ms / 1000)
            version = await _migrate(writer, plan)
            # The readers are opened after migrating so they never cache a half-built schema.
            reader = await _connect(db_path, busy_timeout_ms)
            searcher = await _connect(db_path, busy_timeout_ms)
            db = cls(db_path, writer, reader, searcher)
        except BaseException as exc:
            for conn in (searcher, reader, writer):
                if conn is not None:
                    await conn.close()
            if isinstance(exc, sqlite3.DatabaseError) and "not a database" in str(exc):
                raise SchemaError(f"{db_path} is not a newsbot database: {exc}") from exc
            if (
                isinstance(exc, sqlite3.DatabaseError)
                and getattr(exc, "sqlite_errorname", "") == "SQLITE_CORRUPT"
            ):
                # A truncated copy or a disk fault: say what to do rather than show a traceback.
                raise SchemaError(
                    f"{db_path} is damaged ({exc}); restore it from a backup, or move it away to start afresh"
                ) from exc
            if isinstance(exc, sqlite3.OperationalError):
                problem = _describe_open_error(db_path, exc, busy_timeout_ms)
                if _primary_code(exc) in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN):
                    raise DatabaseNotWritable(problem) from exc
                raise DatabaseUnavailable(problem) from exc
            raise
        db.schema_version = version
        db.busy_timeout_ms = busy_timeout_ms
        return db

    def refusal(self, exc: sqlite3.OperationalError) -> DatabaseUnavailable:
        """The one-line error for a write the file refused: another program's write lock, a full disk."""
        return DatabaseUnavailable(_describe_open_error(self.path, exc, self.busy_timeout_ms))

    def file_problem(self) -> str | None:
        """Why ``path`` no longer names the file this process has open (deleted or replaced), or None.

        SQLite goes on with the file it opened: what it stores then is not in the file the next start opens.
        """
        if self._identity is None:
            return None
        try:
            now = _file_identity(self._file, missing_ok=False)
        except FileNotFoundError:
            return f"{self.path} was deleted while newsbot runs"
        if now is not None and now != self._identity:
            return f"{self.path} was replaced by another file while newsbot runs"
        return None

    async def close(self) -> None:
        """Close the connections (aiosqlite's threads are not daemons: an unclosed one hangs exit)."""
        if self._closed:
            return
        task = asyncio.current_task()
        if task is not None and task is self._lock_owner:
            raise RuntimeError("Database.close() inside Database.write() would never finish")
        # A write still open in another task (shutdown while a batch is being stored) finishes first: closing
        # under it would roll it back and lose the batch.
        async with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                # SQLite's advice for long-lived connections: refresh planner statistics where they went stale.
                await self._writer.execute("PRAGMA optimize")
            except sqlite3.Error as exc:
                if not write_refused(exc):
                    log.warning("PRAGMA optimize failed", exc_info=True)
                else:
                    # A full disk or another program's write lock: only the statistics wait for the next stop,
                    # nothing is lost, and a warning with a trace at every such stop read as damage.
                    log.debug("PRAGMA optimize skipped at close: %s", exc)
            finally:
                try:
                    await self.searcher.close()
                finally:
                    try:
                        await self.reader.close()
                    finally:
                        await self._writer.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction: lock, BEGIN IMMEDIATE, yield the writer, COMMIT (ROLLBACK on error)."""
        task = asyncio.current_task()
        if task is not None and task is self._lock_owner:
            # Waiting on our own lock would hang forever; fail loudly instead.
            raise RuntimeError("Database.write() is not re-entrant: do the work inside the outer transaction")
        async with self._lock:
            self._lock_owner = task
            try:
                try:
                    # IMMEDIATE takes the write lock up front, so busy_timeout applies (a deferred transaction
                    # that upgrades to a writer gets SQLITE_BUSY at once, without waiting).
                    await self._writer.execute("BEGIN IMMEDIATE")
                    yield self._writer
                    await self._writer.execute("COMMIT")
                except BaseException:
                    await _rollback(self._writer)
                    raise
            finally:
                self._lock_owner = None


def _file_identity(path: Path, *, missing_ok: bool = True) -> tuple[int, int] | None:
    """(device, inode) of ``path``; None when it cannot be read (or is missing and ``missing_ok``)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if missing_ok:
            return None
        raise
    except OSError:
        return None
    return st.st_dev, st.st_ino


# Primary result codes of a database that refuses for now (a full disk, another program's lock held past the busy
# timeout, a file or disk made read-only, a disk fault) rather than of a bug in a statement.
_REFUSALS = frozenset(
    {
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_CANTOPEN,
    }
)


def write_refused(exc: BaseException) -> bool:
    """Whether ``exc`` is the database refusing a write (full disk, lock, read-only file), not a bug of ours."""
    return isinstance(exc, sqlite3.OperationalError) and _primary_code(exc) in _REFUSALS


def _primary_code(exc: sqlite3.Error) -> int | None:
    """SQLite's primary result code of an error; None for one the sqlite3 module raised itself (it has none)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _describe_open_error(path: Path, exc: sqlite3.OperationalError, busy_timeout_ms: int) -> str:
    message = str(exc)
    if _primary_code(exc) == sqlite3.SQLITE_READONLY:
        return (
            f"{path} is read-only: newsbot must write to it (check the permissions and owner of the file and "
            "its folder, and that its disk is not mounted read-only)"
        )
    if _primary_code(exc) == sqlite3.SQLITE_FULL:
        return f"the disk holding {path} is full ({message}): free some space on it"
    if "locked" in message:
        return (
            f"{path} is locked by another process (waited {busy_timeout_ms / 1000:g} s); "
            "is something else writing to it?"
        )
    if "unable to open" in message:
        if os.path.exists(path):
            # The folder is there: the file's own mode or owner refuses (or its folder refuses the -wal file).
            return (
                f"cannot open {path}: {message} (check the permissions and owner of the file and its folder)"
            )
        return f"cannot open {path}: {message} (check that its folder exists and is writable)"
    return f"cannot use {path}: {message}"


# A time before the calendar's start (year 1) or after its end (year 9999) is one no date can show; a day's margin
# keeps the local date of every timezone inside it.
_FIRST_INSTANT = datetime(1, 1, 2, tzinfo=UTC).timestamp()
_LAST_INSTANT = datetime(9999, 12, 31, tzinfo=UTC).timestamp()


def stored_instant(owner: str, column: str, value: object) -> float | None:
    """An epoch time read from a row, or None for NULL, one that is no number (a date written as text by hand in
    the sqlite3 shell) or one before year 1 or after year 9999 (no date can show it: /settings and /mysubs failed);
    such a value is logged once (``owner``: "chat 5", "feed 3").

    One long past is kept: it is simply due (a digest is sent, a feed polled, and the schedule moves on).
    """
    if value is None:
        return None
    if isinstance(value, int | float) and _FIRST_INSTANT < value < _LAST_INSTANT:
        return float(value)
    unusable_value(owner, column, value, "unset")
    return None


@functools.lru_cache(maxsize=1024)
def unusable_value(owner: str, column: str, value: object, read_as: str) -> None:
    """Log that a row holds a value the bot cannot use and reads as ``read_as``.

    Cached: a chat's or feed's row is read at every command, delivery or poll; the operator needs to hear once.
    """
    log.warning("%s has an unusable %s %r in the database: read as %s", owner, column, value, read_as)


def storable_text(text: str) -> str:
    """``text`` as SQLite can store it: a lone surrogate (from a lenient decoder or a JSON escape) becomes '?'."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


async def fetch_all(conn: aiosqlite.Connection, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
    """Run one statement and return all its rows (RETURNING statements are stepped to completion)."""
    return list(await conn.execute_fetchall(sql, params))


async def fetch_tuples(conn: aiosqlite.Connection, sql: str, params: Sequence[object] = ()) -> list[Any]:
    """``fetch_all``, with rows as plain tuples (cheaper by far than sqlite3.Row for 100,000s of rows)."""
    async with conn.execute(sql, params) as cursor:
        cursor.row_factory = None  # applied as rows are fetched, in the connection's thread
        return list(await cursor.fetchall())


async def run(conn: aiosqlite.Connection, sql: str, params: Sequence[object] = ()) -> int:
    """Run one statement and return how many rows it changed."""
    async with conn.execute(sql, params) as cur:
        return cur.rowcount


async def _rollback(conn: aiosqlite.Connection) -> None:
    # Queued behind whatever the failed or cancelled caller started: aiosqlite runs a connection's operations
    # in order, so even a BEGIN still waiting on busy_timeout when its caller was cancelled is rolled back
    # here. sqlite3's rollback() does nothing when no transaction is open.
    try:
        await conn.rollback()
    except (sqlite3.Error, ValueError):
        # Do not hide the error that brought us here; a connection stuck in a transaction shows up next time.
        log.exception("rollback failed")


async def _connect(path: Path, busy_timeout_ms: int) -> aiosqlite.Connection:
    # isolation_level=None: the sqlite3 module must not open transactions behind our back; write() does it.
    conn = aiosqlite.connect(path, isolation_level=None)
    try:
        await conn
    except BaseException:
        # aiosqlite then queues the stop of its worker thread without waiting for it; a thread still running
        # when the event loop closes prints a traceback under the one-line error. Let it finish first.
        # (A private attribute of aiosqlite 0.22; without it there is only the traceback to lose.)
        thread = getattr(conn, "_thread", None)
        if thread is not None:
            await asyncio.to_thread(thread.join, 5)
        raise
    try:
        conn.row_factory = aiosqlite.Row
        await conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA synchronous = NORMAL")
        # A checkpoint rewinds the WAL but never shrinks the file: one big transaction (a poll planning alerts
        # for 10,000 chats) would leave a -wal file of that size on disk for as long as the bot runs.
        await conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT_BYTES:d}")
    except BaseException:
        await conn.close()
        raise
    return conn


async def _enable_wal(conn: aiosqlite.Connection, path: Path, patience_s: float) -> None:
    # Switching a new file to WAL needs an exclusive lock, and SQLite answers "locked" at once (no busy
    # handler) when another connection is switching it too, e.g. two processes starting together: retry.
    deadline = time.monotonic() + patience_s
    while True:
        try:
            rows = await fetch_all(conn, "PRAGMA journal_mode = WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.02)
    mode = str(rows[0][0]).lower()
    if mode != "wal":
        log.warning("%s: journal_mode is %s, not wal; readers will wait for writers", path, mode)


async def _refuse_foreign_database(conn: aiosqlite.Connection, path: Path) -> None:
    """SchemaError when ``path`` holds another program's tables (schema version 0, yet not empty)."""
    # Checked before anything is written: switching to WAL or adding newsbot's tables would change a file that
    # NEWSBOT_DB_PATH names by mistake. Migrations set the version in the transaction that creates the tables,
    # so a newsbot database is never seen at version 0 with tables in it: one statement reads both at once, as
    # another process may be migrating the file in between two.
    rows = await fetch_all(
        conn,
        "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
        "AND (SELECT user_version FROM pragma_user_version) = 0 ORDER BY name LIMIT 4",
    )
    if rows:
        names = ", ".join(str(row[0]) for row in rows[:3]) + (", ..." if len(rows) > 3 else "")
        raise SchemaError(
            f"{path} is not a newsbot database (it holds another program's tables: {names}); "
            "point NEWSBOT_DB_PATH at a new file"
        )


async def _refuse_read_only(conn: aiosqlite.Connection, busy_timeout_ms: int) -> None:
    """Raise SQLITE_READONLY when SQLite could open the file for reading only (its mode, owner, disk)."""
    # SQLite falls back to reading a file it may not write, without a word: newsbot would start and then fail
    # every write. Only a write tells (in WAL mode even BEGIN IMMEDIATE passes): the version, written unchanged
    # and rolled back. With no busy wait, a lock another process holds (the sqlite3 shell) passes at once.
    version = await _user_version(conn)
    await conn.execute("PRAGMA busy_timeout = 0")
    try:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            await conn.execute(f"PRAGMA user_version = {version:d}")
        finally:
            await conn.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        # SQLITE_READONLY goes on to Database.open, which says what to check.
        if _primary_code(exc) != sqlite3.SQLITE_BUSY:
            raise
    finally:
        await conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")


async def _user_version(conn: aiosqlite.Connection) -> int:
    rows = await conn.execute_fetchall("PRAGMA user_version")
    return int(next(iter(rows))[0])


def split_statements(sql: str) -> list[str]:
    """Split a migration script into single statements (trigger bodies and quoted ';' stay intact)."""
    statements: list[str] = []
    pending = ""
    pieces = sql.split(";")
    for piece in pieces[:-1]:
        pending += piece + ";"
        # complete_statement() knows about quotes, comments and CREATE TRIGGER ... BEGIN ...; END;
        if sqlite3.complete_statement(pending):
            if _has_code(pending):
                statements.append(pending.strip())
            pending = ""
    pending += pieces[-1]
    if _has_code(pending):
        raise SchemaError(f"migration ends in an unfinished statement: {pending.strip()[:80]!r}")
    return statements


def _has_code(text: str) -> bool:
    # Strip comments; what is left besides ';' and blanks is a statement.
    without_comments = re.sub(r"--[^\n]*|/\*.*?\*/", "", text, flags=re.DOTALL)
    return bool(without_comments.replace(";", "").strip())


async def _dangling_rows(conn: aiosqlite.Connection) -> Counter[tuple[str, str, int]]:
    """Rows pointing at no row, counted by (table, parent table, foreign key)."""
    # Counted, not listed by rowid: a WITHOUT ROWID table (feed_items) reports every such row with rowid NULL.
    rows = await fetch_tuples(conn, "PRAGMA foreign_key_check")
    return Counter((str(table), str(parent), int(fkid)) for table, _rowid, parent, fkid in rows)


async def _migrate(conn: aiosqlite.Connection, plan: Sequence[Migration]) -> int:
    """Apply migrations newer than PRAGMA user_version, each in its own transaction; return the version."""
    known = plan[-1].version if plan else 0
    # A migration that recomputes stored values must compute them as the code that stores new rows does. The
    # last result is kept: 0018 asks it of the same row in its WHERE and again in its SET, and each costs
    # about 0.3 ms an article.
    fingerprint = functools.lru_cache(maxsize=1)(content_fingerprint)
    await conn.create_function("content_fingerprint", 2, fingerprint, deterministic=True)
    current = await _user_version(conn)
    if 0 < current < known:
        # Some migrations rewrite every article (0018: about 2 s per 20,000); the bot is otherwise silent meanwhile.
        log.info(
            "upgrading the database from schema version %d to %d; on a big database this can take a minute",
            current,
            known,
        )
    for migration in plan:
        if migration.version <= current:
            continue
        rebuild = _FOREIGN_KEYS_OFF.search(migration.sql) is not None
        if rebuild:  # a no-op inside a transaction: set before it
            await conn.execute("PRAGMA foreign_keys = OFF")
        # Not executescript(): it COMMITs any open transaction first, so a failing statement would leave
        # half a migration behind. One statement at a time inside BEGIN IMMEDIATE rolls back as a whole.
        await conn.execute("BEGIN IMMEDIATE")
        try:
            # Read again under the write lock: another process starting at the same time may have migrated.
            current = await _user_version(conn)
            if migration.version <= current:
                await conn.execute("ROLLBACK")
                continue
            # Rows that pointed at nothing before (a manual edit in the sqlite3 shell, where foreign keys are
            # off) did no harm: only the rows the rebuild leaves pointing at nothing may refuse the upgrade.
            dangling = await _dangling_rows(conn) if rebuild else Counter[tuple[str, str, int]]()
            for statement in split_statements(migration.sql):
                await conn.execute(statement)
            if rebuild and (broken := sum((await _dangling_rows(conn) - dangling).values())):
                raise sqlite3.IntegrityError(f"it left {broken} rows pointing at no row")
            if dangling:
                log.warning(
                    "%s: %s already pointed at no row; left as they were",
                    migration.name,
                    ", ".join(
                        f"{n} {table} rows (to {parent})" for (table, parent, _), n in dangling.items()
                    ),
                )
            await conn.execute(f"PRAGMA user_version = {migration.version:d}")
            await conn.execute("COMMIT")
        except sqlite3.Error as exc:
            await _rollback(conn)
            raise SchemaError(
                f"migration {migration.name} failed and was rolled back "
                f"(schema stays at version {current}): {exc}"
            ) from exc
        except BaseException:
            await _rollback(conn)
            raise
        finally:
            if rebuild:
                await conn.execute("PRAGMA foreign_keys = ON")
        log.info("database migrated to schema version %d (%s)", migration.version, migration.name)
        current = migration.version
    if current > known:
        raise SchemaError(
            f"database schema version {current} is newer than this newsbot ({known}); upgrade newsbot"
        )
    return current
