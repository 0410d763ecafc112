"""Backups: taken while Kerne runs, restored into an empty instance with every record in place."""
import os
import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest
from conftest import _app_for
from sqlalchemy import create_engine, make_url, text
from world import build

from kerne.models import AuditEvent, Idea, Mail, Participant, PlaybookStep
from kerne.web.extensions import db


def fill() -> None:
    """build()'s world, with a row in the tables people would most hate to lose."""
    world = build()
    participant = Participant(visit_id=world.visit.id, display_name="Mette")
    step = db.session.scalar(db.select(PlaybookStep.id).where(PlaybookStep.playbook_id == world.visit.playbook_id))
    db.session.add_all([participant,
                        Mail(key="k1", kind="plan_confirmed", to_email="anna.berg@example.dk", subject="Planlagt",
                             body="Hej"),
                        AuditEvent(action="org.create", detail='{"name": "Fjordskolen"}')])
    db.session.flush()
    db.session.add(Idea(visit_id=world.visit.id, step_id=step, text="Læring", participant_id=participant.id))
    db.session.commit()


def everything() -> dict[str, list[tuple]]:
    """Every row of every table, in key order."""
    found = {}
    for table in db.metadata.sorted_tables:
        key = list(table.primary_key.columns) or list(table.columns)
        found[table.name] = [tuple(row) for row in db.session.execute(table.select().order_by(*key))]
    return found


def empty_instance(database_url: str, tmp_path: Path):
    """The address of a database nobody has used: a new SQLite file, or a new PostgreSQL database."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored.sqlite'}", None
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore are not installed; apt-get install postgresql-client to test PostgreSQL backups")
    name = f"kerne_restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(database_url).set(query={}), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()

    return make_url(database_url).set(database=name).render_as_string(hide_password=False), drop


def test_a_backup_restores_into_an_empty_instance_with_every_record(app, runner, database_url, tmp_path):
    fill()
    before = everything()
    path = tmp_path / "kerne.records.backup"
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert os.stat(path).st_mode & 0o777 == 0o600  # it holds personal data
    url, drop = empty_instance(database_url, tmp_path)
    try:
        restored = _app_for(url)
        with restored.app_context():  # the runner's command runs in the app whose context is current
            result = restored.test_cli_runner().invoke(args=["restore", str(path)])
            assert result.exit_code == 0, result.output
            assert everything() == before
            assert sum(map(len, before.values())) > 30
            db.session.remove()
            db.engine.dispose()
    finally:
        if drop is not None:
            drop()


def test_a_backup_taken_during_a_write_holds_what_was_committed(app, runner, database_url, tmp_path):
    if not database_url.startswith("sqlite"):
        pytest.skip("the online backup API is SQLite's; pg_dump reads one snapshot by design")
    build()
    writer = sqlite3.connect(make_url(database_url).database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO org_unit (name, kind) VALUES ('Halvt skrevet', 'area')")
    path = tmp_path / "kerne.records.backup"
    try:
        assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    copy = sqlite3.connect(path)
    names = {row[0] for row in copy.execute("SELECT name FROM org_unit")}
    copy.close()
    assert "Fjordskolen" in names and "Halvt skrevet" not in names


def test_backup_and_restore_refuse_what_would_lose_data(app, runner, database_url, tmp_path):
    if not database_url.startswith("sqlite"):
        pytest.skip("the refusals are the same code for both databases; SQLite is enough")
    build()
    path = tmp_path / "kerne.records.backup"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    again = runner.invoke(args=["backup", str(path)])
    assert again.exit_code == 1 and "exists already" in again.output
    in_use = runner.invoke(args=["restore", str(path)])
    assert in_use.exit_code == 1 and "--replace" in in_use.output
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    empty = _app_for(f"sqlite:///{tmp_path / 'new.sqlite'}")
    with empty.app_context():
        refused = empty.test_cli_runner().invoke(args=["restore", str(not_a_backup)])
        db.engine.dispose()
    assert refused.exit_code == 1 and "not a SQLite backup" in refused.output
    assert runner.invoke(args=["restore", "--replace", str(path)]).exit_code == 0
