"""Issue 9's findings from outside, each tried again: ownership, private conflicts, the poll,
redirects, out-of-range ids, formula cells, absolute links, tokens, files and fields."""
import io
import os
import stat
from pathlib import Path

import pytest
from flask import current_app
from openpyxl import load_workbook
from sqlalchemy import func, select
from world import build, fresh, join, login

from kerne import create_app
from kerne.models import Ambassador, CoreTaskDraft, Idea, OrgUnit, Participant, ProcessRequest, Revision, User
from kerne.web.extensions import db
from kerne.web.permissions import PUBLIC, TABLE
from kerne.workshop import editing, ideas
from kerne.workshop.fields import DRAFT_FIELDS
from kerne.workshop.live import Actor
from kerne.workshop.visits import go_to_step, steps_of

HUGE = 2**64 + 7


@pytest.fixture
def room(app, client):
    """An open visit at the co-writing step, with two phones: ours (``client``) and Bo's."""
    world = build()
    go_to_step(world.visit, 3)
    db.session.commit()
    other = app.test_client()
    return world, join(client, world.visit, "Sofie"), other, join(other, world.visit, "Bo")


def _participant(visit, name):
    return db.session.scalar(select(Participant.id).where(Participant.visit_id == visit.id,
                                                          Participant.display_name == name))


# ---- items 1–3: restore, private conflicts, the poll ----------------------------

def _bos_idea(visit, first: str, second: str) -> tuple[Idea, Revision]:
    """An idea Bo wrote as ``first`` and rewrote as ``second``; the idea and its first revision."""
    bo = Actor(participant_id=_participant(visit, "Bo"))
    ideas.create_idea(visit, bo, steps_of(visit)[0], first, None, "bo-1")
    db.session.flush()
    idea = db.session.scalar(select(Idea))
    editing.save_field(visit, bo, editing.FIELDS["idea"]["text"], idea, first, second, "bo-2")
    db.session.commit()
    return idea, db.session.scalar(select(Revision).where(Revision.subject == "idea").order_by(Revision.id))


def test_restore_cannot_overwrite_someone_elses_idea(room):
    world, _base, _bo, _bo_base = room
    idea, first = _bos_idea(world.visit, "Bos idé", "Bos bedre idé")
    assert first is not None
    ours = current_app.test_client()
    ours_base = join(ours, world.visit, "Mia")
    assert ours.post(f"{ours_base}/ideas/{idea.id}", data={"value": "Mit", "base": "Bos bedre idé",
                                                           "edit_id": "mia-1"}).status_code == 403
    assert ours.post(f"{ours_base}/revisions/{first.id}/restore").status_code == 403
    assert fresh(Idea, idea.id).text == "Bos bedre idé"


def test_the_author_restoring_an_idea_lands_back_in_the_room(room):
    world, _base, bo, bo_base = room
    idea, first = _bos_idea(world.visit, "Første udgave", "Anden udgave")
    response = bo.post(f"{bo_base}/revisions/{first.id}/restore")
    assert response.status_code == 302 and response.headers["Location"] == bo_base
    assert fresh(Idea, idea.id).text == "Første udgave"
    assert bo.get(bo_base).status_code == 200


def test_a_conflict_is_shown_and_restored_by_its_author_alone(room):
    world, _base, bo, bo_base = room
    field = DRAFT_FIELDS["effect"]
    draft = world.visit.draft
    sofie, bo_actor = (Actor(participant_id=_participant(world.visit, n)) for n in ("Sofie", "Bo"))
    editing.save_field(world.visit, sofie, field, draft, "", "Børn trives", "s-1")
    editing.save_field(world.visit, sofie, field, draft, "Børn trives", "Børn lærer", "s-2")
    editing.save_field(world.visit, bo_actor, field, draft, "Børn trives", "BOS HEMMELIGE TEKST", "b-1")
    db.session.commit()
    conflict = db.session.scalar(select(Revision).where(Revision.kind == "conflict"))
    assert conflict.value == "BOS HEMMELIGE TEKST"

    client = current_app.test_client()
    client_base = join(client, world.visit, "Mia")
    assert "BOS HEMMELIGE TEKST" not in client.get(f"{client_base}/draft/effect/history").get_data(as_text=True)
    assert client.post(f"{client_base}/revisions/{conflict.id}/restore").status_code == 404
    assert fresh(CoreTaskDraft, draft.id).effect == "Børn lærer"
    assert "BOS HEMMELIGE TEKST" in bo.get(f"{bo_base}/draft/effect/history").get_data(as_text=True)


@pytest.mark.parametrize("since", ["current", "0", "", "junk"])
def test_the_poll_refuses_a_signed_in_outsider_whatever_since_says(client, since):
    world = build()
    login(client, world.leader.email)
    value = str(fresh(type(world.visit), world.visit.id).version) if since == "current" else since
    assert client.get(f"/w/{world.visit.public_id}/changes?since={value}").status_code == 403
    assert client.get(f"/visits/{world.visit.id}/projector/changes?since={value}").status_code == 403


# ---- item 8: where to go next -----------------------------------------------------

@pytest.mark.parametrize("target", ["/%09/evil.example", "//evil.example", "/%0d%0aSet-Cookie:x=1", "/%5Cevil.example",
                                    "https://evil.example/", "/\t/evil.example"])
def test_next_never_leaves_the_site_and_never_breaks_a_header(client, target):
    world = build()
    assert client.get(f"/language/en?next={target}").headers["Location"] == "/"
    response = client.post(f"/login?next={target}", data={"email": world.coordinator.email, "password": "correct horse battery"})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_next_keeps_a_path_on_the_site(client):
    assert client.get("/language/en?next=/processes/3%3Fx%3D1").headers["Location"] == "/processes/3?x=1"


# ---- item 9: formulas in exports ----------------------------------------------------

def test_a_formula_planted_in_my_profile_is_text_in_every_export(client):
    world = build()
    login(client, world.first.email)
    planted = '=HYPERLINK("http://evil.example","Klik")'
    response = client.post("/me", data={"profession": planted, "phone": "", "unavailable": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert fresh(Ambassador, world.first.id).profession == planted
    client.post("/logout")
    login(client, world.coordinator.email)
    for path in ("/ambassadors.csv", "/ambassadors.csv?format=plain", "/exports/registry",
                 "/exports/registry?format=plain"):
        text = client.get(path).get_data(as_text=True)
        assert "'" + planted.replace('"', '""') in text, path
        assert ";" + planted.replace('"', '""') not in text and "," + planted not in text, path
    sheet = load_workbook(io.BytesIO(client.get("/exports/registry?format=xlsx").data)).active
    typed = [cell for row in sheet.iter_rows() for cell in row if cell.value == planted]
    assert typed and all(cell.data_type == "s" and cell.quotePrefix for cell in typed)


# ---- item 10: no 500s ----------------------------------------------------------------

def test_ids_beyond_any_column_are_not_found(client):
    world = build()
    base = join(client, world.visit, "Sofie")
    assert client.get(f"{base}/draft/core_task/history").status_code == 200
    assert client.post(f"{base}/ideas/{HUGE}", data={"value": "x"}).status_code == 404
    assert client.post(f"{base}/ideas", data={"text": "x", "step": HUGE, "edit_id": "e-1"}).status_code == 400
    staff = current_app.test_client()
    login(staff, world.coordinator.email)
    for path in (f"/processes/{HUGE}", f"/ambassadors/{HUGE}", f"/org/{HUGE}", f"/leaders/{HUGE}", f"/plan/runs/{HUGE}",
                 f"/me/mail/{HUGE}", f"/library/{HUGE}"):
        assert staff.get(path).status_code == 404, path
    assert staff.post("/org", data={"name": "Ny", "kind": "department", "parent": HUGE}).status_code == 400


def test_a_visit_address_no_visit_can_have_is_not_found(client):
    """PostgreSQL refuses text with a NUL byte (psycopg.DataError): the poll's own read answered 500."""
    world = build()
    login(client, world.coordinator.email)
    for public_id in ("%00", "a%00b", "%C3%A6", "x" * 25):
        assert client.get(f"/w/{public_id}/changes?since=1").status_code == 404, public_id
        assert client.get(f"/w/{public_id}").status_code == 404, public_id
        assert client.post(f"/w/{public_id}/ideas", data={"text": "x", "step": 1}).status_code == 404, public_id
    assert client.get(f"/w/{world.visit.public_id}/changes?since=1").status_code == 403  # a real one: not hers


def test_control_characters_in_any_path_segment_are_not_found(client):
    """A NUL in a join code or a token reached the database: PostgreSQL refuses it (psycopg.DataError), a 500.
    One URL converter refuses control characters in every text segment, so routing answers 404 first."""
    world = build()
    login(client, world.coordinator.email)
    segments = ("%00", "a%01b", "%1F", "%7F", "%C2%85")
    for bad in segments:
        for method, path in (("GET", f"/j/{bad}"), ("POST", f"/j/{bad}"), ("GET", f"/w/{bad}/changes?since=1"),
                             ("GET", f"/w/{bad}/draft/core_task/history"), ("POST", f"/w/{bad}/draft/core_task"),
                             ("GET", f"/w/{world.visit.public_id}/draft/{bad}/history"),
                             ("GET", f"/calendar/{bad}.ics"), ("GET", f"/invitation/{bad}"),
                             ("POST", f"/invitation/{bad}"), ("GET", f"/language/{bad}"), ("GET", f"/me/data.{bad}")):
            assert client.open(path, method=method).status_code == 404, (method, path)
    assert client.get(f"/j/{world.visit.join_code}").status_code != 404  # a real code is still found


@pytest.mark.parametrize("who", ["coordinator", "leader"])
def test_a_workplace_select_takes_only_a_workplace_it_offered(client, who):
    world = build()
    login(client, getattr(world, who).email)
    area = db.session.scalar(select(OrgUnit.id).where(OrgUnit.kind == "area"))
    wanted = {"contact_name": "Leder", "contact_email": "leder@example.dk", "visit1_start": "2027-01-04",
              "visit2_start": "2027-01-18"}
    for workplace in (area, HUGE, 987654, "x"):
        response = client.post("/requests/new", data={**wanted, "workplace": workplace})
        assert response.status_code == 422, workplace
        assert "Vælg en arbejdsplads" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ProcessRequest)) == 0


def test_an_ambassador_cannot_be_placed_in_an_area(client):
    world = build()
    login(client, world.coordinator.email)
    area = db.session.scalar(select(OrgUnit.id).where(OrgUnit.kind == "area"))
    person = {"name": "Dorte", "email": "dorte@example.dk", "profession": "Lærer", "capacity": "2", "active": "y"}
    for workplace in (area, 987654, HUGE):
        response = client.post("/ambassadors/new", data={**person, "workplace": workplace})
        assert response.status_code == 422, workplace
    assert client.post(f"/ambassadors/{world.first.id}", data={**person, "workplace": area}).status_code == 422
    assert db.session.scalar(select(func.count()).where(Ambassador.name == "Dorte")) == 0


def test_after_a_database_error_the_error_page_is_still_danish(app, client, monkeypatch):
    def broken():
        db.session.add(User(email=None, name="x", roles="", password_hash=""))
        db.session.flush()

    app.add_url_rule("/broken", "broken", broken)
    monkeypatch.setitem(TABLE, "broken", PUBLIC)
    world = build()
    login(client, world.coordinator.email)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/broken")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert '<html lang="da">' in page and "Der skete en fejl hos os" in page


# ---- item 12: absolute links ----------------------------------------------------------

def _as_host(client, host: str):
    client.set_cookie("session", client.get_cookie("session").value, domain=host)


def test_the_feed_and_calendar_links_come_from_configuration_not_the_host_header(app, client):
    world = build()
    app.config["BASE_URL"] = "https://kerne.example.dk"
    login(client, world.first.email)
    _as_host(client, "evil.example")
    page = client.get("/me", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert f"https://kerne.example.dk/calendar/{world.first.calendar_token}.ics" in page and "evil.example" not in page
    ics = client.get("/me/calendar.ics", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "kerne.example.dk/processes/" in ics and "evil.example" not in ics


def test_trusted_hosts_name_the_site_and_refuse_any_other(app, client):
    world = build()
    app.config.update(BASE_URL="", TRUSTED_HOSTS=["kerne.intra.dk", "localhost"])
    refused = client.get("/login", headers={"Host": "evil.example"})
    assert refused.status_code == 400 and "Forespørgslen kunne ikke forstås" in refused.get_data(as_text=True)
    login(client, world.first.email)
    _as_host(client, "kerne.intra.dk")
    page = client.get("/me", headers={"Host": "kerne.intra.dk"}).get_data(as_text=True)
    assert "http://kerne.intra.dk/calendar/" in page


# ---- item 13: tokens, files and fields ---------------------------------------------------

def test_signing_in_rotates_the_csrf_token(app):
    world = build()
    browser = app.test_client()
    before = browser.csrf_token()
    login(browser, world.coordinator.email)
    assert browser.token != before
    stale = browser.post("/logout", headers={"X-CSRFToken": before}, csrf=False)
    assert stale.status_code == 400
    assert browser.post("/logout").status_code == 302


def test_over_https_a_change_needs_a_referrer_from_this_site(app):
    world = build()
    browser = app.test_client()
    token = browser.csrf_token()
    data = {"email": world.coordinator.email, "password": "correct horse battery"}
    assert browser.post("/login", data=data, base_url="https://localhost", headers={"X-CSRFToken": token},
                        csrf=False).status_code == 400
    assert browser.post("/login", data=data, base_url="https://localhost",
                        headers={"X-CSRFToken": token, "Referer": "https://evil.example/login"},
                        csrf=False).status_code == 400
    assert browser.post("/login", data=data, base_url="https://localhost",
                        headers={"X-CSRFToken": token, "Referer": "https://localhost/login"},
                        csrf=False).status_code == 302


def test_the_sqlite_database_and_its_wal_are_for_the_owner_alone(tmp_path):
    path = tmp_path / "kerne.sqlite"
    old = os.umask(0o022)
    try:
        app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
        with app.app_context():
            with db.engine.connect() as connection:
                connection.exec_driver_sql("CREATE TABLE t (x)")
                connection.exec_driver_sql("INSERT INTO t VALUES (1)")
                files = [p for p in Path(tmp_path).iterdir() if p.name.startswith("kerne.sqlite")]
                assert {p.name for p in files} >= {"kerne.sqlite", "kerne.sqlite-wal"}
                for file in files:
                    assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name
            db.engine.dispose()
    finally:
        os.umask(old)


@pytest.mark.parametrize("email", ["<b>a</b>@example.dk", 'a"onmouseover="x"@example.dk', "a b@example.dk",
                                   "a@example"])
def test_an_e_mail_address_is_an_address(client, email):
    world = build()
    login(client, world.coordinator.email)
    person = {"name": "Dorte", "profession": "Lærer", "capacity": "2", "workplace": world.workplace.id}
    response = client.post("/ambassadors/new", data={**person, "email": email})
    assert response.status_code == 422 and "Skriv en gyldig e-mailadresse" in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["Dorte\r\nBcc: x@example.dk", "Dorte\nHansen", "Dorte\tHansen"])
def test_a_name_is_one_line(client, name):
    world = build()
    login(client, world.coordinator.email)
    person = {"email": "dorte@example.dk", "profession": "Lærer", "capacity": "2", "workplace": world.workplace.id}
    response = client.post("/ambassadors/new", data={**person, "name": name})
    assert response.status_code == 422 and "Skriv det på én linje" in response.get_data(as_text=True)
    response = client.post("/org", data={"name": name, "kind": "area", "parent": ""})
    assert response.status_code == 422


def test_an_id_too_long_to_keep_is_a_problem_in_the_file_not_a_crash(client):
    world = build()
    login(client, world.coordinator.email)
    long_id = "A" * 5000
    for path, text in (("/org/import", f"id,name,kind,parent\n{long_id},Område,område,\n"),
                       ("/requests/import", ("id,workplace,contact_name,contact_email,visit1_start,visit2_start\n"
                                             f"{long_id},{world.workplace.name},Leder,l@example.dk,2027-01-04,2027-01-18\n"))):
        response = client.post(path, data={"file": (io.BytesIO(text.encode()), "f.csv")},
                               content_type="multipart/form-data")
        assert response.status_code == 422, path
        assert "Id må højst være 64 tegn." in response.get_data(as_text=True), path
