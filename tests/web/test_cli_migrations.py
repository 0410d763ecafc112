"""The command line (demo data, accounts) and the migrations matching the models."""
import re
from contextlib import contextmanager
from datetime import time

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import ROOT, _app_for
from flask_migrate import upgrade
from sqlalchemy import func, select, text
from world import PASSWORD

from kerne.models import Ambassador, OrgUnit, PlaybookStep, Process, ProcessRequest, User, Visit
from kerne.web.extensions import db


def test_migrations_create_exactly_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_migrations_install_the_default_playbook_in_danish_and_english(app):
    steps = db.session.scalars(select(PlaybookStep).order_by(PlaybookStep.visit_number, PlaybookStep.position)).all()
    assert [(s.visit_number, s.position, s.activity) for s in steps] == [
        (1, 1, "ideas"), (1, 2, "vote"), (1, 3, "draft"), (2, 1, "tasks"), (2, 2, "decide"), (2, 3, "actions"),
    ]
    assert [s.title_en for s in steps] == ["Frame and purpose", "Perspectives", "Word the core task", "Work tasks",
                                           "Develop, keep or phase out", "Action plan and follow-up"]
    assert all(s.purpose_en and s.prompt_en for s in steps)
    assert steps[0].prompt_en == "What would the citizens miss if our workplace vanished tomorrow?"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_loads_the_municipality_once_and_prints_the_way_in(runner, monkeypatch):
    monkeypatch.setenv("PORT", "5123")
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Demo-data indlæst." in result.output
    join_link = re.search(r"http://127\.0\.0\.1:5123/j/([A-Z0-9]{6})", result.output)
    assert join_link, result.output
    assert "koordinator@fjordby.dk" in result.output and "kerne-demo" in result.output

    assert count(Ambassador) == 31
    kinds = dict(db.session.execute(select(OrgUnit.kind, func.count()).group_by(OrgUnit.kind)).all())
    assert kinds["area"] == 3 and 9 <= kinds["department"] <= 12 and 20 <= kinds["workplace"] <= 30
    assert len({p.status for p in db.session.scalars(select(Process))}) == 3
    open_visit = db.session.scalars(select(Visit).where(Visit.status == "open")).one()
    assert open_visit.join_code == join_link.group(1)
    roles = " ".join(db.session.scalars(select(User.roles)))
    assert all(role in roles for role in ("coordinator", "leader", "ambassador"))

    again = runner.invoke(args=["seed-demo"])
    assert "intet indlæst" in again.output and join_link.group(0) in again.output
    assert count(Ambassador) == 31


def test_demo_pairs_come_from_different_departments(runner):
    runner.invoke(args=["seed-demo"])
    for process in db.session.scalars(select(Process)):
        departments = {a.workplace.department.id for a in process.facilitators}
        assert len(departments) == 2, process.workplace.name


def test_create_user_makes_an_account_that_can_sign_in(runner, client):
    result = runner.invoke(
        args=["create-user", "Ny@Fjordby.dk", "Ny Koordinator", "--role", "coordinator", "--role", "leader"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User)).one()
    assert (user.email, user.roles) == ("ny@fjordby.dk", "coordinator leader")
    assert client.post("/login", data={"email": "ny@fjordby.dk", "password": PASSWORD}).status_code == 302


def test_create_user_refuses_an_unknown_role(runner):
    result = runner.invoke(args=["create-user", "x@y.dk", "X", "--role", "king"], input="pw\npw\n")
    assert result.exit_code != 0
    assert count(User) == 0


@contextmanager
def upgraded_from(tmp_path, revision: str, *statements: str):
    """A database at ``revision`` holding the rows ``statements`` insert, upgraded to the newest migration."""
    app = _app_for(f"sqlite:///{tmp_path / 'old.sqlite'}")
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision=revision)
        with db.engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
        upgrade(directory=str(ROOT / "migrations"))
        yield
        db.session.remove()
        db.engine.dispose()


def test_upgrading_gives_existing_ambassadors_their_own_calendar_secret(tmp_path):
    """0002 adds a required, unique column to a table that may hold rows already."""
    ambassadors = [f"INSERT INTO ambassador (id, name, email, workplace_id, profession, active, capacity) "
                   f"VALUES ({n}, 'A{n}', 'a{n}@x.dk', 1, 'Lærer', 1, 3)" for n in (1, 2)]
    with upgraded_from(tmp_path, "0001", "INSERT INTO org_unit (id, name, kind) VALUES (1, 'W', 'workplace')",
                       *ambassadors), db.engine.connect() as connection:
        tokens = connection.execute(text("SELECT calendar_token FROM ambassador")).scalars().all()
    assert len(tokens) == 2 and len(set(tokens)) == 2 and all(len(t) >= 40 for t in tokens)


def test_upgrading_gives_existing_requests_a_time_of_day_and_leaves_visits_unagreed(tmp_path):
    """0010 adds required columns to process_request and visit, which may hold rows already."""
    with upgraded_from(
        tmp_path, "0007", "INSERT INTO org_unit (id, name, kind) VALUES (1, 'W', 'workplace')",
        "INSERT INTO process (id, workplace_id, target_groups, cancel_reason, meeting_place, meeting_sequence,"
        " created_at) VALUES (1, 1, '', '', '', 0, '2026-11-01 10:00:00')",
        "INSERT INTO visit (id, public_id, process_id, number, scheduled_on, status, version, step_position,"
        " dots_per_participant) VALUES (1, 'v1', 1, 1, '2027-01-04', 'planned', 1, 1, 3)",
        "INSERT INTO process_request (id, workplace_id, contact_name, contact_email, target_groups, visit1_start,"
        " visit1_end, visit2_start, visit2_end, notes, status, cancel_reason, created_at) VALUES (1, 1, 'L',"
        " 'l@x.dk', '', '2027-01-04', '2027-01-06', '2027-01-18', '2027-01-18', '', 'open', '', '2026-11-01 10:00:00')",
    ):
        wanted, visit = db.session.get(ProcessRequest, 1), db.session.get(Visit, 1)
        assert (wanted.visit_starts, wanted.visit_ends) == (time(9), time(12))
        assert (visit.starts, visit.ends, visit.sequence) == (None, None, 0)


def test_upgrading_gives_the_default_playbooks_words_their_english_and_leaves_reworded_ones_danish(tmp_path):
    """0014 fills the English of every step, in every version, that still has the default playbook's Danish."""
    with upgraded_from(
        tmp_path, "0012", "INSERT INTO playbook (id, created_at, note) VALUES (2, '2026-11-30 10:00:00', '')",
        "INSERT INTO playbook_step (playbook_id, visit_number, position, title, purpose, prompt, activity, minutes)"
        " SELECT 2, visit_number, position, CASE position WHEN 1 THEN 'Velkommen' ELSE title END, purpose, prompt,"
        " activity, minutes FROM playbook_step WHERE playbook_id = 1 AND visit_number = 1",
    ):
        rows = db.session.execute(select(PlaybookStep.playbook_id, PlaybookStep.title, PlaybookStep.title_en,
                                         PlaybookStep.prompt_en).where(PlaybookStep.visit_number == 1)
                                  .order_by(PlaybookStep.playbook_id, PlaybookStep.position)).all()
    assert [(r.playbook_id, r.title_en) for r in rows] == [
        (1, "Frame and purpose"), (1, "Perspectives"), (1, "Word the core task"),
        (2, ""), (2, "Perspectives"), (2, "Word the core task")]
    assert rows[3].prompt_en == "What would the citizens miss if our workplace vanished tomorrow?"


def test_upgrading_makes_target_groups_a_list_split_only_where_people_split_them(tmp_path):
    """0015: the semicolons that separated target groups become lines; a comma stays in a group's name."""
    with upgraded_from(
        tmp_path, "0012", "INSERT INTO org_unit (id, name, kind) VALUES (1, 'W', 'workplace')",
        "INSERT INTO process (id, workplace_id, target_groups, cancel_reason, meeting_place, meeting_sequence,"
        " created_at) VALUES (1, 1, 'Skolebørn; forældre', '', '', 0, '2026-11-01 10:00:00')",
        "INSERT INTO process_request (id, workplace_id, contact_name, contact_email, target_groups, visit1_start,"
        " visit1_end, visit2_start, visit2_end, notes, status, cancel_reason, created_at, visit_starts, visit_ends)"
        " VALUES (1, 1, 'L', 'l@x.dk', 'Borgere, der søger ydelser;Ældre', '2027-01-04', '2027-01-06', '2027-01-18',"
        " '2027-01-18', '', 'open', '', '2026-11-01 10:00:00', '09:00:00', '12:00:00')",
    ):
        assert db.session.scalar(text("SELECT target_groups FROM process")) == "Skolebørn\nforældre"
        assert db.session.get(ProcessRequest, 1).target_groups == "Borgere, der søger ydelser\nÆldre"
        assert db.session.scalar(text("SELECT COUNT(*) FROM conversation")) == 0
