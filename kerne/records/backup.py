"""Backups of the database while Kerne runs, and their restore.

SQLite is copied with its online backup API: page by page inside a read
transaction, so the copy is one consistent moment even while phones write
(a plain copy of the file and its WAL can catch half a transaction). PostgreSQL
is dumped with ``pg_dump`` in its custom format and read back with ``pg_restore``.
A backup holds everything Kerne knows about people: it is written readable by
its owner only.
"""
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine, make_url

from kerne.models import Ambassador, OrgUnit, Process, User

# Tables that tell a database in use from one only migrated.
HOLDS_DATA = (User, Ambassador, OrgUnit, Process)


class BackupError(Exception):
    """Why a backup or restore could not be made, for the person at the command line."""


def backup(engine: Engine, path: Path) -> None:
    """Write a backup of the database to ``path``, which must not exist yet."""
    if path.exists():
        raise BackupError(f"{path} exists already; choose a new file name")
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        if engine.dialect.name == "sqlite":
            _sqlite_backup(engine, path)
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={path}",
                  *_schemas(engine)], engine)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def restore(engine: Engine, path: Path, replace: bool = False) -> None:
    """Put the backup at ``path`` in place of the database; one that holds data only with ``replace``."""
    if not replace and holds_data(engine):
        raise BackupError("the database holds data; stop Kerne and pass --replace to overwrite it")
    engine.dispose()  # no pooled connection may keep reading the old pages
    if engine.dialect.name == "sqlite":
        _sqlite_restore(engine, path)
    else:
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", str(path)], engine, target=True)
    engine.dispose()


def holds_data(engine: Engine) -> bool:
    tables = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        return any(model.__tablename__ in tables
                   and connection.scalar(select(func.count()).select_from(model.__table__))
                   for model in HOLDS_DATA)


def _sqlite_backup(engine: Engine, path: Path) -> None:
    source = engine.raw_connection()
    try:
        target = sqlite3.connect(path)
        try:
            source.driver_connection.backup(target)
            if target.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"the backup in {path} failed its integrity check")
        finally:
            target.close()
    finally:
        source.close()


def _sqlite_restore(engine: Engine, path: Path) -> None:
    backup_file = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if backup_file.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{path} is damaged")
        if not backup_file.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone():
            raise BackupError(f"{path} is not a backup of Kerne")
        target = engine.raw_connection()
        try:
            backup_file.backup(target.driver_connection)
        finally:
            target.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite backup: {error}") from None
    finally:
        backup_file.close()


def _schemas(engine: Engine) -> list[str]:
    """A search_path set in the URL's options (one schema per installation) limits the dump to it."""
    options = make_url(engine.url).query.get("options", "")
    for option in (options if isinstance(options, tuple) else (options,)):
        if option.startswith("-csearch_path="):
            return [f"--schema={schema.strip()}" for schema in option.split("=", 1)[1].split(",")]
    return []


def _run(command: list[str], engine: Engine, target: bool = False) -> None:
    """Run a PostgreSQL client with the database's address; the password goes by environment,
    never on a command line others can read."""
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (apt-get install postgresql-client)")
    url = engine.url.set(drivername="postgresql")
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    address = url.set(password=None).render_as_string(hide_password=False)
    command = [*command, f"--dbname={address}"] if target else [*command, address]
    answer = subprocess.run(command, check=False, env=env, capture_output=True, text=True)
    if answer.returncode != 0:
        raise BackupError(f"{command[0]} failed: {answer.stderr.strip()}")
