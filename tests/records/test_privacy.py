"""Personal data: everything about a person on request (JSON and CSV), anonymisation of someone
who left with the statistics unchanged, and participants' names removed after their visit."""
import csv
import io
import json
from dataclasses import replace
from datetime import date, timedelta

from after import TODAY, hold_first_visit, hold_second_visit, two_areas
from pages import crawl
from sqlalchemy import MetaData, func, select, update
from world import ambassador, build, fresh, join, login, unit, upload, user, wait_for

from kerne.insight.facts import load
from kerne.insight.statistics import compute
from kerne.models import (
    Ambassador,
    AuditEvent,
    Invitation,
    Mail,
    Participant,
    Process,
    ProcessRequest,
    User,
    Visit,
    utcnow,
)
from kerne.notices.compose import queue_reminders
from kerne.records.privacy import people
from kerne.records.privacy.people import Person
from kerne.web.extensions import db


def test_the_export_holds_account_registry_processes_requests_mails_and_the_audit_log(app):
    world = two_areas()
    db.session.add(Mail(key="k1", kind="plan_confirmed", to_email="anna.berg@example.dk", subject="Planlagt",
                        body="Hej Anna"))
    db.session.add(AuditEvent(user_id=world.first.user.id, action="ambassador.update", subject_type="ambassador",
                              subject_id=world.first.id, detail=json.dumps({"phone": [None, "12"]})))
    db.session.commit()
    data = people.export(Person.of_ambassador(world.first))
    assert data["account"]["email"] == "anna.berg@example.dk" and data["account"]["roles"] == "ambassador"
    assert data["ambassador"]["profession"] == "Lærer" and data["ambassador"]["workplace"] == "Fjordskolen"
    assert [p["process"] for p in data["ambassador"]["processes"]] == [world.process.id]
    assert [m["body"] for m in data["mails"]] == ["Hej Anna"]
    assert data["audit_log"][0]["detail"] == {"phone": [None, "12"]}
    leader = people.export(Person.of_user(fresh(User, world.leader.id)))
    assert leader["ambassador"] is None and leader["requests"] == []
    lise = people.export(Person.of_user(User(id=999, email="lise@example.dk", name="Lise", roles="leader")))
    assert [r["contact_name"] for r in lise["requests"]] == ["Lise Leder"]


def test_the_csv_export_is_one_row_per_value_with_formulas_neutralised(app):
    world = build(opened=False)
    world.first.profession = "=HYPERLINK(\"http://evil\")"
    db.session.commit()
    text = people.export_csv(Person.of_ambassador(world.first)).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert {"section": "ambassador", "item": "1", "field": "profession",
            "value": "'=HYPERLINK(\"http://evil\")"} in rows
    assert {"section": "account", "item": "1", "field": "email", "value": "anna.berg@example.dk"} in rows


def dashboard(world):
    board = compute(*_facts(world), TODAY)
    # The figures; who is who in the load table is what anonymising changes on purpose.
    return replace(board, load=[(a.id, c, p, h) for a, c, p, h in board.load])


def _facts(world):
    facts = load(fresh(User, world.coordinator.id), TODAY, task_rows=False)
    return facts.units, facts.cases, facts.ambassadors


def test_anonymising_someone_who_left_keeps_every_figure(app):
    world = two_areas()
    hold_first_visit(world.process, people=3)
    hold_second_visit(world.process, [("Lektiecafé", "develop", "Lise", 20)])
    world.coordinator.roles = "coordinator"
    world.first.active = False
    sent = Mail(key="k2", kind="plan_confirmed", to_email="anna.berg@example.dk", subject="Planlagt",
                body="Hej Anna", status="sent", sent_at=utcnow())
    db.session.add(sent)
    db.session.add(AuditEvent(action="process.confirm", detail=json.dumps({"pair": ["Anna Berg", "Bo Dam"]})))
    db.session.commit()
    before = dashboard(world)
    people.anonymise(Person.of_ambassador(fresh(Ambassador, world.first.id)))
    db.session.commit()
    assert dashboard(world) == before
    anna = fresh(Ambassador, world.first.id)
    assert (anna.name, anna.email, anna.phone, anna.unavailable) == (
        f"Anonymiseret ambassadør {anna.id}", f"anonymiseret-a{anna.id}@anonymiseret.invalid", None, [])
    assert not anna.user.active and anna.user.email.endswith("@anonymiseret.invalid") and "Anna" not in anna.user.name
    assert db.session.scalar(db.select(Mail.body).where(Mail.id == sent.id)) == ""
    confirmed = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "process.confirm")).one()
    assert json.loads(confirmed.detail) == {"pair": ["anonymiseret", "Bo Dam"]}


def test_the_coordinator_lists_everyone_and_exports_anyone(client, app):
    world = build(opened=False)
    login(client, world.coordinator.email)
    page = client.get("/people")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Anna Berg" in html and "Leder" in html and "Koordinator" in html
    answer = client.get(f"/people/ambassador/{world.first.id}/data.json")
    assert answer.mimetype == "application/json" and answer.headers["Cache-Control"] == "no-store"
    assert answer.json["ambassador"]["name"] == "Anna Berg"
    answer = client.get(f"/people/user/{world.leader.id}/data.csv")
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"  # the charset once
    assert "leder@example.dk" in answer.get_data(as_text=True)
    assert client.get(f"/people/user/{world.leader.id}/data.pdf").status_code == 404
    assert client.get(f"/people/someone/{world.leader.id}/data.json").status_code == 404
    assert client.get("/people/user/99999/data.json").status_code == 404


def test_anonymising_asks_for_confirmation_and_an_inactive_ambassador(client, app):
    world = build(opened=False)
    login(client, world.coordinator.email)
    url = f"/people/ambassador/{world.first.id}/anonymise"
    missing = client.post(url, data={})
    assert missing.status_code == 422 and "Sæt flueben for at bekræfte." in missing.get_data(as_text=True)
    active = client.post(url, data={"confirm": "y"})
    assert active.status_code == 409 and "stadig aktiv ambassadør" in active.get_data(as_text=True)
    assert client.post(f"/people/user/{world.coordinator.id}/anonymise", data={"confirm": "y"}).status_code == 409
    assert client.post(url, data={"confirm": "y"}, csrf=False).status_code == 400
    world.first.active = False
    db.session.commit()
    assert client.post(url, data={"confirm": "y"}).status_code == 302
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "ambassador.anonymise")).one()
    assert event.user_id == world.coordinator.id and event.detail == "{}"
    assert not db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "ambassador.update")).all()
    assert client.post(url, data={"confirm": "y"}).status_code == 409  # already
    assert "Anonymiseret ambassadør" in client.get("/people").get_data(as_text=True)


def test_an_anonymised_person_can_no_longer_sign_in(client, app):
    world = build(opened=False)
    email = world.leader.email
    people.anonymise(Person.of_user(world.leader))
    db.session.commit()
    assert client.post("/login", data={"email": email, "password": "correct horse battery"}).status_code == 422


def test_an_anonymised_person_loses_their_single_sign_on_binding_and_invitation(app):
    world = build(opened=False)
    world.leader.sso_issuer, world.leader.sso_subject = "https://login.fjordby.dk", "leder-1"
    world.leader.invitation = Invitation(token_hash="0" * 64, expires_at=utcnow() + timedelta(hours=1))
    db.session.commit()
    account = people.export(Person.of_user(world.leader))["account"]
    assert (account["sso_issuer"], account["sso_subject"]) == ("https://login.fjordby.dk", "leder-1")
    people.anonymise(Person.of_user(world.leader))
    db.session.commit()
    leader = fresh(User, world.leader.id)
    assert (leader.sso_issuer, leader.sso_subject, leader.invitation) == (None, None, None)
    assert db.session.scalars(db.select(Invitation)).all() == []


def test_only_the_coordinator_reaches_other_peoples_data(client, app):
    world = build(opened=False)
    assert client.get("/people").status_code == 302
    login(client, world.first.email)
    for url in ("/people", f"/people/user/{world.leader.id}/data.json"):
        assert client.get(url).status_code == 403
    assert client.post(f"/people/user/{world.leader.id}/anonymise", data={"confirm": "y"}).status_code == 403


def test_everyone_signed_in_downloads_their_own_data(client, app):
    world = build(opened=False)
    assert client.get("/me/data.json").status_code == 302  # to sign-in
    for person in (world.first.user, world.leader):
        login(client, person.email)
        assert client.get("/me/data.json").json["account"]["email"] == person.email
    assert "leder@example.dk" in client.get("/me/data.csv").get_data(as_text=True)
    assert client.get("/me/data.xml").status_code == 404
    login(client, world.first.email)
    page = client.get("/me").get_data(as_text=True)
    assert 'href="/me/data.json"' in page and 'href="/me/data.csv"' in page


# ---- retention ----------------------------------------------------------------------------

def test_participants_names_go_a_set_time_after_their_visit_closed(client, runner, app):
    world = build()
    join(client, world.visit, "Mette")
    other = Visit(process=world.process, number=3, status="closed", closed_at=utcnow() - timedelta(days=5))
    db.session.add(other)
    db.session.flush()
    db.session.add(Participant(visit_id=other.id, display_name="Søren"))
    world.visit.status, world.visit.closed_at = "closed", utcnow() - timedelta(days=31)
    db.session.commit()
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0 and result.output.startswith("1 participant names removed"), result.output
    assert db.session.scalars(db.select(Participant.display_name).order_by(Participant.id)).all() == [None, "Søren"]
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "retention.run")).one()
    assert (event.user_id, json.loads(event.detail)) == (None, {"audit_events": 0, "mail_texts": 0,
                                                                 "participant_names": 1})
    again = runner.invoke(args=["retention"])
    assert again.output.startswith("0 participant names removed")
    assert len(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "retention.run")).all()) == 1


def test_sent_mails_lose_their_text_after_a_set_time(runner, app):
    build()
    long_ago = utcnow() - timedelta(days=181)
    db.session.add_all([Mail(key="old", kind="plan_confirmed", to_email="a@example.dk", subject="Planlagt",
                             body="Hej", ics="BEGIN:VCALENDAR", status="sent", sent_at=long_ago),
                        Mail(key="waiting", kind="plan_confirmed", to_email="a@example.dk", subject="Planlagt",
                             body="Hej", status="queued", created_at=long_ago),
                        Mail(key="recent", kind="plan_confirmed", to_email="a@example.dk", subject="Planlagt",
                             body="Hej", status="sent", sent_at=utcnow())])
    db.session.commit()
    assert "1 mail texts removed" in runner.invoke(args=["retention"]).output
    assert db.session.execute(db.select(Mail.key, Mail.body, Mail.ics).order_by(Mail.id)).all() == [
        ("old", "", None), ("waiting", "Hej", None), ("recent", "Hej", None)]


def test_old_audit_events_are_deleted(runner, app):
    build()
    db.session.add_all([AuditEvent(action="org.create", created_at=utcnow() - timedelta(days=731)),
                        AuditEvent(action="org.update", created_at=utcnow() - timedelta(days=700))])
    db.session.commit()
    assert "1 audit events deleted" in runner.invoke(args=["retention"]).output
    assert db.session.scalars(db.select(AuditEvent.action)).all() == ["org.update", "retention.run"]


def test_a_request_contact_who_left_is_anonymised_too(app):
    world = build(opened=False)
    db.session.add(ProcessRequest(workplace=world.workplace, contact_name="Leder", contact_email="leder@example.dk",
                                  visit1_start=date(2027, 1, 4), visit1_end=date(2027, 1, 4),
                                  visit2_start=date(2027, 1, 18), visit2_end=date(2027, 1, 18)))
    db.session.commit()
    people.anonymise(Person.of_user(world.leader))
    db.session.commit()
    assert db.session.execute(db.select(ProcessRequest.contact_name, ProcessRequest.contact_email)).one() == (
        "Anonymiseret", "anonymiseret@anonymiseret.invalid")


def test_the_registry_exported_after_an_anonymisation_imports_again_unchanged(client, app):
    world = build(opened=False)
    world.first.active = False
    db.session.commit()
    people.anonymise(Person.of_ambassador(fresh(Ambassador, world.first.id)))
    db.session.commit()
    login(client, world.coordinator.email)
    exported = client.get("/ambassadors.csv").data
    preview = upload(client, "/ambassadors/import", exported)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page
    assert "gyldig e-mailadresse" not in page and "<dt>Nye</dt><dd>0</dd>" in page


# Planted once, so finding any of them anywhere means anonymisation left it behind.
NAME, EMAIL = "Zenobia Quistgaard-Wølk", "zenobia.qw@fjordby.dk"
FIRST_PHONE, PHONE = "+45 2938 4756", "+45 6172 8394"
PRIVATE_EMAIL = "zq.privat@example.dk"  # her name, typed by others beside an address Kerne does not know as hers
TRACES = (NAME.lower(), "zenobia", "quistgaard", EMAIL, PRIVATE_EMAIL, FIRST_PHONE, PHONE, PHONE.replace(" ", ""))


def _traces(text: str) -> list[str]:
    return [trace for trace in TRACES if trace in text.lower()]


def _everything_stored() -> list[tuple[str, str, str]]:
    """Every value of every column of every table in the database, as text (read by reflection, so a
    table or column added later is read too)."""
    tables = MetaData()
    tables.reflect(bind=db.engine)
    found = []
    with db.engine.connect() as connection:
        for table in tables.sorted_tables:
            for row in connection.execute(table.select()).mappings():
                found += [(table.name, column, str(value)) for column, value in row.items() if value is not None]
    return found


def test_an_anonymised_ambassador_is_gone_from_every_table_every_page_and_every_export(client, app):
    """Her details stayed in mails to the partner and the contact, in the audit log's details, and she
    was still mailed at anonymiseret-…@anonymiseret.invalid."""
    app.config["VISIT_REMINDER_DAYS"] = 60
    area = unit("Sundhed", "area")
    home = unit("Træningscenter Nord", "workplace", unit("Træning", "department", area))
    other = unit("Plejehjem Syd", "workplace", unit("Pleje", "department", area))
    partner = ambassador("Palle Partner", other, "Sygeplejerske")
    coordinator = user("koordinator@example.dk", "coordinator")
    contact = user("kontakt@example.dk", "leader", "Karen Kontakt")
    contact.units = [home]
    user(EMAIL, "ambassador", NAME)
    db.session.commit()
    login(client, coordinator.email)
    form = {"name": NAME, "email": EMAIL, "phone": FIRST_PHONE, "workplace": home.id, "profession": "Fysioterapeut",
            "trained_on": "15-03-2026", "capacity": "2", "active": "y", "unavailable": "2027-06-01"}
    assert client.post("/ambassadors/new", data=form).status_code == 302
    her = db.session.scalar(select(Ambassador).where(Ambassador.email == EMAIL))
    assert client.post(f"/ambassadors/{her.id}", data={**form, "phone": PHONE}).status_code == 302

    leader = app.test_client()
    login(leader, contact.email)
    start = date.today() + timedelta(days=20)
    wanted = {"workplace": home.id, "contact_name": "Karen Kontakt", "contact_email": contact.email,
              "target_groups": "Borgere", "visit1_start": start.isoformat(), "visit1_end": "",
              "visit2_start": (start + timedelta(days=14)).isoformat(), "visit2_end": "",
              "notes": f"Gerne {NAME} ({PHONE})"}
    assert leader.post("/requests/new", data=wanted).status_code == 302
    # A request naming her as its contact, in capitals (Ø is not ASCII: SQLite's lower() leaves it), at another
    # address; for another workplace, as a workplace has one waiting request at a time
    assert client.post("/requests/new", data={**wanted, "workplace": other.id, "contact_name": NAME.upper(),
                                              "contact_email": PRIVATE_EMAIL, "notes": ""}).status_code == 302
    run_id = int(client.post("/plan/runs").headers["Location"].rsplit("/", 1)[1])
    assert wait_for(run_id).status == "done"
    assert client.post(f"/plan/runs/{run_id}/confirm").status_code == 302
    process = db.session.scalar(select(Process))
    assert {a.email for a in process.facilitators} == {EMAIL, partner.email}
    queue_reminders(date.today())
    db.session.execute(update(Mail).where(Mail.kind == "plan_confirmed").values(status="sent", sent_at=utcnow()))
    db.session.commit()
    assert any(NAME in m.body and PHONE in m.body for m in db.session.scalars(select(Mail).where(
        Mail.to_email == partner.email)))
    she = app.test_client()
    login(she, EMAIL)
    assert she.get("/me/mail").status_code == 200

    db.session.add(Mail(key="named-elsewhere", kind="reminder", to_email=PRIVATE_EMAIL, to_name=NAME,
                        subject="Påmindelse", body="Hej", status="sent", sent_at=utcnow()))
    db.session.commit()
    assert client.post(f"/ambassadors/{her.id}", data={**form, "phone": PHONE, "active": ""}).status_code == 302
    assert NAME in client.get("/people").get_data(as_text=True)  # as a browser follows: the flashes are read
    assert client.post(f"/people/ambassador/{her.id}/anonymise", data={"confirm": "y"}).status_code == 302

    left = [(table, column) for table, column, value in _everything_stored() if _traces(value)]
    assert left == [], f"anonymisation left her in these columns: {sorted(set(left))}"
    assert db.session.scalar(select(func.count()).select_from(Mail).where(
        Mail.to_email.like("%anonymiseret%"), Mail.status == "queued")) == 0  # nothing more goes to her
    queue_reminders(date.today())
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Mail).where(Mail.to_email.like("%anonymiseret%"),
                                                                         Mail.status == "queued")) == 0

    partner_client = app.test_client()
    login(partner_client, partner.email)
    mails = db.session.scalars(select(Mail.id)).all()
    seen = {f"coordinator {path}": page.html for path, page in crawl(client, [
        "/", "/people", "/audit", "/outbox", "/ambassadors", f"/ambassadors/{her.id}", f"/processes/{process.id}",
        "/requests", "/plan", f"/plan/runs/{run_id}", "/dashboard", "/processes", "/ambassadors/load"]).items()}
    seen |= {f"partner {path}": page.html for path, page in crawl(partner_client, ["/", "/me", "/me/mail"]).items()}
    exports = ["/audit.csv", "/audit.csv?format=plain", "/ambassadors.csv", "/exports/registry",
               "/exports/processes", "/exports/ambassadors", f"/people/ambassador/{her.id}/data.json",
               f"/people/ambassador/{her.id}/data.csv", f"/people/ambassador/{partner.id}/data.json",
               *(f"/me/mail/{mail_id}" for mail_id in mails)]
    seen |= {f"coordinator {path}": client.get(path).get_data(as_text=True) for path in exports}
    seen |= {f"partner {path}": partner_client.get(path).get_data(as_text=True)
             for path in ("/me/data.json", f"/calendar/{partner.calendar_token}.ics")}
    assert len(seen) > 40
    assert {where: _traces(text) for where, text in seen.items() if _traces(text)} == {}
