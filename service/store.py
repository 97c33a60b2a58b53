"""The append-only event log and the table of refused bodies, in SQLite."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

# How long a writer waits for another process's write lock before the
# request is answered 503 and the sender retries.
BUSY_TIMEOUT_MS = 5000
READ_BATCH = 2000

# sqlite-utils cannot declare AUTOINCREMENT, which keeps a seq from ever
# being handed out twice, so this one table is created with plain SQL.
_EVENTS_SQL = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at TEXT NOT NULL,
    name TEXT NOT NULL,
    payload TEXT NOT NULL
)
"""
_APPEND_ONLY_TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'events is append-only: rows cannot be updated');
    END""",
    """CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'events is append-only: rows cannot be deleted');
    END""",
)


class LogError(Exception):
    """The event log could not be read or written."""


class LogWriteError(LogError):
    """An event could not be committed; nothing was stored."""


class LogReadError(LogError):
    """The event log could not be read."""


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One row of the log, as stored."""

    seq: int
    received_at: str
    name: str
    payload: str


def utc_now() -> str:
    """Return the current UTC time as ISO 8601 with milliseconds and Z."""
    return format_time(datetime.now(UTC))


def format_time(moment: datetime) -> str:
    """Format an aware datetime the way the log stores times."""
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def connect(path: Path | str) -> sqlite3.Connection:
    """Open a connection tuned for a durable, concurrent log."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        str(path),
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
        check_same_thread=False,
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    # FULL makes each commit reach the disk before the webhook answers 200.
    conn.execute("PRAGMA synchronous = FULL")
    return conn


class EventLog:
    """The log: append events, keep refused bodies, read in seq order.

    Takes a path or an open connection, and creates the tables unless
    `create` is false (the web workers find them made by `serve`). Every
    write is its own short transaction; sqlite3 errors are re-raised as
    LogWriteError or LogReadError.
    """

    def __init__(
        self, path_or_conn: Path | str | sqlite3.Connection, create: bool = True
    ) -> None:
        try:
            if isinstance(path_or_conn, sqlite3.Connection):
                self.conn = path_or_conn
            else:
                self.conn = connect(path_or_conn)
            self.db = sqlite_utils.Database(self.conn)
            if create:
                self._create_schema()
        except sqlite3.Error as ex:
            raise LogWriteError(f"could not prepare the log: {ex}") from ex

    def _create_schema(self) -> None:
        with self.writing():
            self.conn.execute(_EVENTS_SQL)
            for trigger in _APPEND_ONLY_TRIGGERS:
                self.conn.execute(trigger)
            self.db["rejected"].create(
                {"id": int, "received_at": str, "reason": str, "body": bytes},
                pk="id",
                not_null={"received_at", "reason"},
                if_not_exists=True,
            )

    def close(self) -> None:
        self.conn.close()

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Run the block as one write transaction, taking the lock up front.

        BEGIN IMMEDIATE waits for the busy timeout when another process
        writes; a deferred BEGIN could instead fail at once with "database
        is locked" when its read snapshot goes stale.
        """
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def append(self, name: str, payload: str, received_at: str | None = None) -> int:
        """Commit one event and return its seq."""
        record = {
            "received_at": received_at or utc_now(),
            "name": name,
            "payload": payload,
        }
        try:
            with self.writing():
                return self.db["events"].insert(record).last_pk
        except sqlite3.Error as ex:
            raise LogWriteError(str(ex)) from ex

    def append_many(self, records: Iterable[tuple[str, str, str]]) -> int:
        """Commit (received_at, name, payload) records all or none; return count."""
        rows = (
            {"received_at": at, "name": name, "payload": payload}
            for at, name, payload in records
        )
        before = self.last_seq()
        try:
            with self.writing():
                self.db["events"].insert_all(rows, batch_size=500)
        except sqlite3.Error as ex:
            raise LogWriteError(str(ex)) from ex
        return self.last_seq() - before

    def reject(self, reason: str, body: bytes) -> None:
        """Keep a refused body aside with the reason it was refused."""
        record = {"received_at": utc_now(), "reason": reason, "body": body}
        try:
            with self.writing():
                self.db["rejected"].insert(record)
        except sqlite3.Error as ex:
            raise LogWriteError(str(ex)) from ex

    def last_seq(self) -> int:
        return self._scalar("SELECT COALESCE(MAX(seq), 0) FROM events")

    def count(self) -> int:
        return self._scalar("SELECT COUNT(*) FROM events")

    def rejected_count(self) -> int:
        return self._scalar("SELECT COUNT(*) FROM rejected")

    def _scalar(self, sql: str) -> int:
        try:
            return self.conn.execute(sql).fetchone()[0]
        except sqlite3.Error as ex:
            raise LogReadError(str(ex)) from ex

    def last_received_at(self) -> str | None:
        """Return the time the newest event was received, if any."""
        try:
            row = self.conn.execute(
                "SELECT received_at FROM events ORDER BY seq DESC LIMIT 1"
            ).fetchone()
        except sqlite3.Error as ex:
            raise LogReadError(str(ex)) from ex
        return row[0] if row else None

    def events(
        self,
        after: int = 0,
        until: str | None = None,
        limit: int | None = None,
        through: int | None = None,
    ) -> Iterator[StoredEvent]:
        """Yield events with seq above `after`, in seq order.

        `until` keeps only events received at or before that log time;
        `through` only those with seq up to it; `limit` stops after that
        many. Reads in batches, so a large log never sits in memory whole.
        """
        left = limit
        while left is None or left > 0:
            size = READ_BATCH if left is None else min(READ_BATCH, left)
            batch = self._read_batch(after, until, through, size)
            yield from batch
            if len(batch) < size:
                return
            after = batch[-1].seq
            if left is not None:
                left -= len(batch)

    def _read_batch(
        self, after: int, until: str | None, through: int | None, size: int
    ) -> list:
        sql = "SELECT seq, received_at, name, payload FROM events WHERE seq > ?"
        args: list = [after]
        if through is not None:
            sql += " AND seq <= ?"
            args.append(through)
        if until is not None:
            sql += " AND received_at <= ?"
            args.append(until)
        sql += " ORDER BY seq LIMIT ?"
        args.append(size)
        try:
            rows = self.conn.execute(sql, args).fetchall()
        except sqlite3.Error as ex:
            raise LogReadError(str(ex)) from ex
        return [StoredEvent(*row) for row in rows]
