"""SQLite tuned for many phones writing at once.

pysqlite opens transactions with a deferred BEGIN; a transaction that reads
first and writes later then fails with "database is locked" as soon as another
writer got in between, and busy_timeout cannot help. So we take over
transaction control and start every transaction of a state-changing request
(and of every CLI command) with BEGIN IMMEDIATE: writers queue on the lock,
waiting up to busy_timeout, instead of failing. Reads keep a plain BEGIN and
in WAL mode never wait for writers.
"""
import os
from contextvars import ContextVar

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 15_000
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Outside a request (CLI commands, scripts) transactions are taken to write,
# unless the code says it only watches, as a test observing a live server does.
writes_outside_requests: ContextVar[bool] = ContextVar("writes_outside_requests", default=True)


def _writes() -> bool:
    if has_request_context():
        if g.get("sqlite_done_writing"):
            return False
        return request.method not in READ_ONLY_METHODS or g.get("sqlite_will_write", False)
    return writes_outside_requests.get()


def will_write() -> None:
    """This GET request writes (a sign-in coming back from single sign-on): take the lock up front."""
    if has_request_context():
        g.sqlite_will_write = True


def done_writing() -> None:
    """The request has committed its change; what it reads to answer needs no write lock."""
    if has_request_context():
        g.sqlite_done_writing = True


def make_private(path: str | None) -> None:
    """The database file readable by its owner alone (0600); SQLite gives its WAL and
    shared-memory files the mode of the database file, so they follow."""
    if not path or path == ":memory:":
        return
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)


def configure(engine: Engine) -> None:
    """Install the pragmas and the transaction handling on a SQLite engine."""
    make_private(engine.url.database)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writes() else "BEGIN")
