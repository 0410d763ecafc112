"""The audit log records a change in the change's own transaction."""
import json
from datetime import date, timedelta

import pytest

from world import build, join, login

from kerne.desk.planning.problem import build_problem, open_requests
from kerne.models import Ambassador, AuditEvent, Mail, MatchRun, OrgUnit, ProcessRequest, WorkTask
from kerne.records import audit
from kerne.web.extensions import db


def test_an_event_names_the_subject_and_keeps_its_detail(app):
    world = build()
    with app.test_request_context():
        audit.record("ambassador.update", world.first, user=world.coordinator, capacity=(3, 2))
    db.session.commit()
    event = db.session.scalars(db.select(AuditEvent)).one()
    assert (event.user_id, event.action, event.subject_type, event.subject_id) == (
        world.coordinator.id, "ambassador.update", "ambassador", world.first.id)
    assert json.loads(event.detail) == {"capacity": [3, 2]}


def test_an_event_of_a_change_rolled_back_is_gone_with_it(app):
    build()
    audit.record("org.delete", None, name="Fjordskolen")
    db.session.rollback()
    assert db.session.scalars(db.select(AuditEvent)).all() == []


# ---- every kind of staff change leaves an event --------------------------------------------

def events(action: str | None = None) -> list[AuditEvent]:
    """The changes logged (or those of ``action``); sign-ins, which every test here makes, left out."""
    db.session.commit()
    query = db.select(AuditEvent).where(AuditEvent.action.not_like("auth.%")).order_by(AuditEvent.id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return db.session.scalars(query).all()


def detail(event: AuditEvent) -> dict:
    return json.loads(event.detail)


def ambassador_form(world, **changes) -> dict:
    return {"name": "Dorte Fjord", "email": "dorte@example.dk", "phone": "", "workplace": world.workplace.id,
            "profession": "Sygeplejerske", "trained_on": "", "active": "y", "capacity": 3, "unavailable": "",
            **changes}


def test_the_registry_logs_who_added_and_changed_an_ambassador(client, app):
    world = build()
    login(client, world.coordinator.email)
    assert client.post("/ambassadors/new", data=ambassador_form(world)).status_code == 302
    added = events("ambassador.create")[0]
    assert (added.user_id, added.subject_type) == (world.coordinator.id, "ambassador")
    assert added.subject_id == db.session.scalar(db.select(Ambassador.id).where(Ambassador.name == "Dorte Fjord"))
    assert detail(added)["email"] == "dorte@example.dk"
    form = ambassador_form(world, capacity=1, unavailable="2026-12-24")
    assert client.post(f"/ambassadors/{added.subject_id}", data=form).status_code == 302
    changed = events("ambassador.update")[0]
    assert detail(changed) == {"capacity": [3, 1], "unavailable": {"added": ["2026-12-24"], "removed": []}}


def test_an_ambassadors_own_profile_change_is_logged_as_theirs(client, app):
    world = build()
    login(client, world.first.email)
    assert client.post("/me", data={"phone": "12 34 56 78", "profession": "Lærer", "unavailable": ""}).status_code == 302
    event = events("ambassador.update")[0]
    assert (event.user_id, detail(event)) == (world.first.user_id, {"phone": [None, "12 34 56 78"]})


def test_the_organisation_tree_logs_create_rename_and_delete(client, app):
    world = build()
    login(client, world.coordinator.email)
    department = world.workplace.parent_id
    assert client.post("/org", data={"name": "Havskolen", "kind": "workplace", "parent": department}).status_code == 302
    unit = db.session.scalar(db.select(OrgUnit.id).where(OrgUnit.name == "Havskolen"))
    assert client.post(f"/org/{unit}", data={"name": "Havbakkeskolen", "kind": "workplace",
                                             "parent": department}).status_code == 302
    assert client.post(f"/org/{unit}/delete").status_code == 302
    assert [(e.action, e.subject_id) for e in events()] == [("org.create", unit), ("org.update", unit),
                                                            ("org.delete", unit)]
    assert detail(events("org.update")[0]) == {"name": ["Havskolen", "Havbakkeskolen"]}
    assert detail(events("org.delete")[0]) == {"name": "Havbakkeskolen"}


def test_imports_from_the_command_line_are_logged_without_a_person(runner, app, tmp_path):
    build()
    path = tmp_path / "org.csv"
    path.write_text("id,name,kind,parent\nA9,Kultur,area,\n", encoding="utf-8")
    result = runner.invoke(args=["import-org", str(path)])
    assert result.exit_code == 0, result.output
    event = events("org.create")[0]
    assert (event.user_id, detail(event)["name"], detail(event)["external_id"]) == (None, "Kultur", "A9")


def test_accounts_log_roles_and_that_a_password_changed_never_the_password(runner, app):
    result = runner.invoke(args=["create-user", "ny@example.dk", "Ny Leder", "--role", "leader"],
                           input="en lang adgangskode\nen lang adgangskode\n")
    assert result.exit_code == 0, result.output
    runner.invoke(args=["create-user", "ny@example.dk", "Ny Leder", "--role", "coordinator"],
                  input="en anden adgangskode\nen anden adgangskode\n")
    created, changed = events("user.create")[0], events("user.update")[0]
    assert detail(created)["roles"] == "leader" and "password_hash" not in created.detail
    assert detail(changed) == {"roles": ["leader", "coordinator"], "password_hash": audit.SECRET}


def test_visits_opened_and_closed_wordings_locked_and_decisions_are_logged(client, app):
    world = build(opened=False)
    login(client, world.first.email)
    base = f"/visits/{world.visit.id}"
    assert client.post(f"{base}/open").status_code == 302
    client.post(f"{base}/step", data={"position": 3})
    world.visit.draft.core_task = "Læring og trivsel"
    assert client.post(f"{base}/lock", data={"value": "1"}).status_code == 200
    assert client.post(f"{base}/close").status_code == 200
    locked = events("core_task.update")[0]
    assert detail(locked)["core_task"] == "Læring og trivsel" and detail(locked)["locked_at"][0] is None
    assert [detail(e)["status"] for e in events("visit.update")] == [["planned", "open"], ["open", "closed"]]
    assert {e.user_id for e in events()} == {world.first.user_id}

    second = world.second_visit
    assert client.post(f"/visits/{second.id}/open").status_code == 302
    client.post(f"/visits/{second.id}/step", data={"position": 2})
    task = WorkTask(visit_id=second.id, position=1, title="Morgenmøde")
    db.session.add(task)
    db.session.commit()
    url = f"/w/{second.public_id}/tasks/{task.id}/decision"
    assert client.post(url, data={"value": "develop", "base": "undecided", "edit_id": "edit-0a01"}).status_code == 200
    decided = events("work_task.update")[0]
    assert detail(decided) == {"decision": ["undecided", "develop"], "title": "Morgenmøde", "visit_id": second.id}


def test_a_phone_changes_nothing_the_audit_log_watches(client, app):
    world = build()
    page = join(client, world.visit, "Mette")
    assert client.get(page).status_code == 200
    assert events() == []


def test_a_named_event_stands_for_its_subject(client, app):
    world = build()
    login(client, world.leader.email)
    form = {"workplace": world.workplace.id, "contact_name": "Lise", "contact_email": "lise@example.dk",
            "visit1_start": "2031-01-13", "visit2_start": "2031-02-03"}
    assert client.post("/requests/new", data=form).status_code == 302
    wanted = db.session.scalar(db.select(ProcessRequest))
    assert client.post(f"/requests/{wanted.id}/cancel", data={"reason": "Ny leder"}).status_code == 302
    assert [(e.action, e.subject_id) for e in events()] == [("request.create", wanted.id),
                                                            ("request.cancel", wanted.id)]


def test_adjusting_and_confirming_a_plan_is_logged(client, app):
    world = build()
    day = date(2027, 3, 1)
    wanted = ProcessRequest(workplace=world.other_workplace, contact_name="Lise", contact_email="lise@example.dk",
                            visit1_start=day, visit1_end=day, visit2_start=day + timedelta(days=14),
                            visit2_end=day + timedelta(days=14))
    db.session.add(wanted)
    db.session.flush()
    run = MatchRun(status="done", result="{}", fingerprint=build_problem(open_requests()).fingerprint())
    db.session.add(run)
    db.session.commit()
    login(client, world.coordinator.email)
    for slot, member in enumerate((world.first, world.second)):
        assert client.post(f"/plan/runs/{run.id}/requests/{wanted.id}/{slot}",
                           data={"ambassador": member.id}).status_code == 200
    assert client.post(f"/plan/runs/{run.id}/confirm").status_code == 302
    assert [e.action for e in events()] == ["plan_choice.create", "plan_choice.create", "process.confirm",
                                            "request.update", "plan.update"]
    assert detail(events("plan_choice.create")[1]) == {"ambassador_id": world.second.id, "locked": True,
                                                       "request_id": wanted.id, "run_id": run.id, "slot": 1}
    assert detail(events("request.update")[0])["status"] == ["open", "planned"]
    assert detail(events("plan.update")[0]) == {"status": ["done", "confirmed"]}


def test_the_process_page_tells_the_story_not_every_column_change(client, app):
    world = build(opened=False)
    login(client, world.first.email)
    assert client.post(f"/visits/{world.visit.id}/open").status_code == 302
    assert events("visit.update")
    page = client.get(f"/processes/{world.process.id}").get_data(as_text=True)
    assert "Besøg 1 åbnet" in page and "Besøg ændret" not in page


@pytest.mark.parametrize(("path", "action", "label"), [
    ("/exports/processes", "processes.export", "Listen over forløb er hentet"),
    ("/exports/ambassadors", "ambassadors.export", "Listen over ambassadører er hentet"),
    ("/exports/tasks", "tasks.export", "Listen over arbejdsopgaver er hentet"),
])
def test_the_leaders_lists_as_files_leave_a_trail(client, path, action, label):
    """They name people (the pair, the contact, a task's owner) and were downloaded without a trace."""
    world = build(opened=False)
    login(client, world.leader.email)
    assert client.get(f"{path}?format=xlsx&unit={world.workplace.id}").status_code == 200
    assert client.get(f"{path}?format=pdf").status_code == 404  # nothing was read: nothing is logged
    trail = [(e.user_id, e.action, detail(e)) for e in events()]
    assert trail == [(world.leader.id, action, {"format": "xlsx", "unit": str(world.workplace.id)})]
    login(client, world.coordinator.email)
    assert label in client.get("/audit").get_data(as_text=True)


def test_reading_personal_data_leaves_a_trail(client, app):
    """Exports of people's data, of the registry and of the log, and another person's mail, were read
    without a trace."""
    world = build(opened=False)
    to_leader = Mail(key="k", kind="notice", to_email=world.leader.email, subject="Til lederen", body="Hej")
    to_me = Mail(key="m", kind="notice", to_email=world.coordinator.email, subject="Til mig", body="Hej")
    db.session.add_all([to_leader, to_me])
    db.session.commit()
    login(client, world.coordinator.email)
    for path in (f"/people/ambassador/{world.first.id}/data.json", f"/people/user/{world.leader.id}/data.csv",
                 "/me/data.json", "/ambassadors.csv?format=plain", "/exports/registry?format=xlsx",
                 f"/audit.csv?action=auth.sign_in&person={world.coordinator.id}", f"/me/mail/{to_leader.id}",
                 f"/me/mail/{to_me.id}"):
        assert client.get(path).status_code == 200, path
    for path in (f"/people/user/{world.leader.id}/data.pdf", "/exports/registry?format=pdf", "/audit.csv?format=x"):
        assert client.get(path).status_code == 404, path  # nothing was read: nothing is logged
    trail = [(e.user_id, e.action, e.subject_type, e.subject_id, detail(e)) for e in events()]
    me = world.coordinator.id
    assert trail == [
        (me, "person.export", "ambassador", world.first.id, {"format": "json"}),
        (me, "person.export", "user_account", world.leader.id, {"format": "csv"}),
        (me, "person.export", "user_account", me, {"format": "json"}),
        (me, "registry.export", None, None, {"format": "plain"}),
        (me, "registry.export", None, None, {"format": "xlsx"}),
        (me, "audit.export", None, None, {"format": "csv", "action": "auth.sign_in", "person": str(me)}),
        (me, "mail.read", "mail", to_leader.id, {}),  # her own mail is hers to read
    ]
    page = client.get("/audit").get_data(as_text=True)
    for label in ("En persons data er hentet", "Ambassadørregistret er hentet", "Hændelsesloggen er hentet",
                  "En andens besked er læst"):
        assert label in page
