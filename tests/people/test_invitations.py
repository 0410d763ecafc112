"""Logins the coordinator gives: from /users, the leaders' page and the registry (one ambassador, or every
one without a login), an invitation by mail with a single-use link valid 72 hours, sent again or revoked;
the invited person shows as invited until they chose a password."""
import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from world import ambassador, build, fresh, login, user

from kerne.models import Ambassador, AuditEvent, Invitation, Mail, User, utcnow
from kerne.web.extensions import db

BASE = "https://kerne.example.dk"
GOOD_PASSWORD = "en lang og god sætning"
INVITED = '<span class="badge">inviteret</span>'


@pytest.fixture
def app_config() -> dict:
    return {"BASE_URL": BASE}


def _mails(to: str) -> list[Mail]:
    return db.session.scalars(select(Mail).where(Mail.to_email == to).order_by(Mail.id)).all()


def _link(mail: Mail) -> str:
    """The invitation's path, from the mail's absolute link."""
    found = re.search(re.escape(BASE) + r"(/invitation/[A-Za-z0-9_-]+)", mail.body)
    assert found, mail.body
    return found.group(1)


def _invited(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


def _give(client, csrf=True, **fields):
    data = {"name": "Dorte Fisk", "email": "dorte@example.dk", "roles": "leader", **fields}
    return client.post("/users/new", data=data, csrf=csrf)


def test_the_coordinator_gives_a_login_and_the_person_chooses_a_password_once(client, app):
    world = build()
    login(client, world.coordinator.email)
    page = client.get("/users").get_data(as_text=True)
    assert "create-user" not in page and 'href="/users/new"' in page
    response = _give(client, roles=["leader", "ambassador"], units=str(world.workplace.id))
    assert response.status_code == 302 and response.headers["Location"] == "/users"
    invited = _invited("dorte@example.dk")
    assert invited.roles == "leader ambassador" and [u.name for u in invited.units] == ["Fjordskolen"]
    assert not invited.has_password and invited.active
    assert INVITED in client.get("/users").get_data(as_text=True)
    [mail] = _mails("dorte@example.dk")
    assert mail.kind == "invitation" and mail.subject == "Kerne: du har fået et login"
    link = _link(mail)
    token = link.rsplit("/", 1)[1]
    # Only the token's hash is kept.
    assert invited.invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(db.session.execute(select(Invitation.__table__)).all())

    person = app.test_client()
    form = person.get(link)
    assert form.status_code == 200 and "Velkommen til Kerne, Dorte Fisk" in form.get_data(as_text=True)
    weak = person.post(link, data={"new": "kort", "repeat": "kort"})
    assert weak.status_code == 422 and "mindst 12 tegn" in weak.get_data(as_text=True)
    assert person.post(link, data={"new": GOOD_PASSWORD, "repeat": "noget andet"}).status_code == 422
    done = person.post(link, data={"new": GOOD_PASSWORD, "repeat": GOOD_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert person.get("/dashboard").status_code == 200  # signed in, as a leader
    again = app.test_client().get(link)
    assert again.status_code == 404 and "Linket virker ikke" in again.get_data(as_text=True)
    assert INVITED not in client.get("/users").get_data(as_text=True)
    assert fresh(User, invited.id).invitation is None
    later = app.test_client()
    assert later.post("/login", data={"email": "dorte@example.dk", "password": GOOD_PASSWORD}).status_code == 302
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == invited.id,
                                                                 AuditEvent.subject_type == "user_account")).all()
    assert actions == ["user.create", "user.invite", "user.accept_invitation", "auth.sign_in", "auth.sign_in"]


def test_an_invited_login_opens_with_no_password_before_it_is_chosen(client, app):
    world = build()
    login(client, world.coordinator.email)
    assert _give(client).status_code == 302
    for password in ("", "no account has this password"):
        response = app.test_client().post("/login", data={"email": "dorte@example.dk", "password": password})
        assert response.status_code == 422


def test_the_link_comes_from_configuration_not_from_the_request(client):
    world = build()
    login(client, world.coordinator.email)
    assert _give(client).status_code == 302  # the test client asks as http://localhost/
    body = _mails("dorte@example.dk")[0].body
    assert f"{BASE}/invitation/" in body and "localhost" not in body


def test_a_link_works_for_72_hours(client, app):
    world = build()
    login(client, world.coordinator.email)
    _give(client)
    link = _link(_mails("dorte@example.dk")[0])
    invitation = _invited("dorte@example.dk").invitation
    assert invitation.expires_at - invitation.created_at == timedelta(hours=72)
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert app.test_client().get(link).status_code == 404
    assert app.test_client().post(link, data={"new": GOOD_PASSWORD, "repeat": GOOD_PASSWORD}).status_code == 404
    assert "invitationen er udløbet" in client.get("/users").get_data(as_text=True)


def test_sending_again_gives_a_new_link_and_the_old_one_stops(client, app):
    world = build()
    login(client, world.coordinator.email)
    _give(client)
    invited = _invited("dorte@example.dk")
    old = _link(_mails("dorte@example.dk")[0])
    assert "Send invitationen til Dorte Fisk igen" in client.get("/users").get_data(as_text=True)
    response = client.post(f"/users/{invited.id}/invitation")
    assert response.status_code == 302 and response.headers["Location"] == "/users"
    first, second = _mails("dorte@example.dk")
    new = _link(second)
    assert new != old
    assert app.test_client().get(old).status_code == 404
    assert app.test_client().get(new).status_code == 200


def test_a_revoked_invitation_stops_its_link_and_closes_the_unused_login(client, app):
    world = build()
    login(client, world.coordinator.email)
    _give(client)
    invited = _invited("dorte@example.dk")
    link = _link(_mails("dorte@example.dk")[0])
    response = client.post(f"/users/{invited.id}/invitation/revoke")
    assert response.status_code == 302
    assert "tilbagekaldt" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert app.test_client().get(link).status_code == 404
    closed = fresh(User, invited.id)
    assert closed.invitation is None and not closed.active
    page = client.get("/users").get_data(as_text=True)
    assert "Genaktiver Dorte Fisk" in page and "Invitér Dorte Fisk" not in page
    # Inviting again opens it with a new link.
    assert client.post(f"/users/{invited.id}/invitation").status_code == 302
    assert fresh(User, invited.id).active
    assert app.test_client().get(_link(_mails("dorte@example.dk")[-1])).status_code == 200


def test_a_password_set_on_the_command_line_ends_the_invitation(client, app, runner):
    world = build()
    login(client, world.coordinator.email)
    _give(client)
    link = _link(_mails("dorte@example.dk")[0])
    result = runner.invoke(args=["create-user", "dorte@example.dk", "Dorte Fisk", "--role", "leader"],
                           input=f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert app.test_client().get(link).status_code == 404
    assert fresh(User, _invited("dorte@example.dk").id).invitation is None


def test_an_ambassador_gets_a_login_in_one_click(client):
    world = build()
    dorte = ambassador("Dorte Fisk", world.workplace, account=False)
    db.session.commit()
    login(client, world.coordinator.email)
    page = client.get(f"/ambassadors/{dorte.id}").get_data(as_text=True)
    assert "Ambassadøren har intet login." in page and "Giv login og send invitation" in page
    response = client.post(f"/ambassadors/{dorte.id}/login")
    assert response.status_code == 302 and response.headers["Location"] == f"/ambassadors/{dorte.id}"
    given = fresh(Ambassador, dorte.id).user
    assert given.email == "dorte.fisk@example.dk" and given.roles == "ambassador" and given.invitation is not None
    assert len(_mails("dorte.fisk@example.dk")) == 1
    assert INVITED in client.get(f"/ambassadors/{dorte.id}").get_data(as_text=True)
    again = client.post(f"/ambassadors/{dorte.id}/login")
    assert again.status_code == 409 and "har allerede et login" in again.get_data(as_text=True)


def test_an_ambassador_whose_address_has_a_login_is_given_that_login(client):
    world = build()
    dorte = ambassador("Dorte Fisk", world.workplace, account=False)
    leader = user("dorte.fisk@example.dk", "leader", "Dorte Fisk")
    db.session.commit()
    login(client, world.coordinator.email)
    assert client.post(f"/ambassadors/{dorte.id}/login").status_code == 302
    assert fresh(Ambassador, dorte.id).user_id == leader.id
    assert fresh(User, leader.id).roles == "leader ambassador"
    assert _mails("dorte.fisk@example.dk") == []


def test_a_login_that_is_another_ambassadors_is_not_taken(client):
    world = build()
    twin = ambassador("Anna Berg", world.workplace, account=False)
    twin.email = "Anna.Berg@example.dk"  # the registry tells addresses apart by case; logins do not
    db.session.commit()
    login(client, world.coordinator.email)
    response = client.post(f"/ambassadors/{twin.id}/login")
    assert response.status_code == 409 and "hører allerede til en anden ambassadør" in response.get_data(as_text=True)
    assert client.post("/ambassadors/invitations").status_code == 302
    assert fresh(Ambassador, twin.id).user_id is None and fresh(Ambassador, world.first.id).user_id is not None


def test_every_active_ambassador_without_a_login_is_invited_at_once(client):
    world = build()
    ambassador("Dorte Fisk", world.workplace, account=False)
    ambassador("Erik Gran", world.other_workplace, account=False)
    ambassador("Fie Hav", world.workplace, account=False).active = False
    anonymised = ambassador("Gry Is", world.workplace, account=False)
    anonymised.email = "anonymiseret-a9@anonymiseret.invalid"
    db.session.commit()
    login(client, world.coordinator.email)
    page = client.get("/ambassadors").get_data(as_text=True)
    assert "2 aktive ambassadører har intet login." in page
    response = client.post("/ambassadors/invitations")
    assert response.status_code == 302
    assert "2 ambassadører er inviteret." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert sorted(m.to_email for m in db.session.scalars(select(Mail))) == ["dorte.fisk@example.dk",
                                                                           "erik.gran@example.dk"]
    assert "Alle aktive ambassadører har et login." in client.get("/ambassadors").get_data(as_text=True)
    assert client.post("/ambassadors/invitations").status_code == 302  # nobody left: nothing happens
    assert len(db.session.scalars(select(Mail)).all()) == 2


def test_a_leader_is_invited_from_the_leaders_page(client):
    world = build()
    login(client, world.coordinator.email)
    page = client.get("/leaders").get_data(as_text=True)
    assert 'href="/users/new?role=leader&amp;next=/leaders"' in page
    form = client.get("/users/new?role=leader&next=/leaders").get_data(as_text=True)
    assert '<input checked id="roles-1" name="roles" type="checkbox" value="leader">' in form
    assert '<input id="roles-0" name="roles" type="checkbox" value="coordinator">' in form
    response = client.post("/users/new?role=leader&next=/leaders", data={
        "name": "Dorte Fisk", "email": "dorte@example.dk", "roles": "leader", "units": str(world.workplace.id)})
    assert response.status_code == 302 and response.headers["Location"] == "/leaders"
    assert "Dorte Fisk" in client.get("/leaders").get_data(as_text=True)
    assert [u.name for u in _invited("dorte@example.dk").units] == ["Fjordskolen"]


@pytest.mark.parametrize("fields, message", [
    ({"email": "koordinator@example.dk"}, "Der er allerede et login med denne e-mail."),
    ({"email": "KOORDINATOR@example.dk"}, "Der er allerede et login med denne e-mail."),
    ({"roles": []}, "Vælg mindst én rolle."),
    ({"roles": "admin"}, "Vælg roller på listen."),
    ({"email": "ikke en adresse"}, "Skriv en gyldig e-mailadresse."),
    ({"name": "x" * 121}, "Højst 120 tegn."),
    ({"name": ""}, "Feltet skal udfyldes."),
])
def test_a_login_that_cannot_be_given_is_refused_in_danish(client, fields, message):
    world = build()
    login(client, world.coordinator.email)
    response = _give(client, **fields)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalars(select(Invitation)).all() == [] and db.session.scalars(select(Mail)).all() == []


def test_invitations_refuse_what_makes_no_sense(client):
    world = build()
    login(client, world.coordinator.email)
    in_use = client.post(f"/users/{world.leader.id}/invitation")
    assert in_use.status_code == 409 and "har allerede taget sit login i brug" in in_use.get_data(as_text=True)
    assert client.post(f"/users/{world.leader.id}/invitation/revoke").status_code == 409
    assert client.post("/users/999999/invitation").status_code == 404
    assert client.post("/users/999999/invitation/revoke").status_code == 404
    assert client.post("/ambassadors/999999/login").status_code == 404
    world.outsider.active = False
    db.session.commit()
    assert client.post(f"/ambassadors/{world.outsider.id}/login").status_code == 409
    assert _give(client, csrf=False).status_code == 400
    assert client.post(f"/users/{world.leader.id}/invitation", csrf=False).status_code == 400
    assert db.session.scalars(select(Mail)).all() == []


@pytest.mark.parametrize("who", ["leader", "first", None])
def test_only_the_coordinator_gives_logins(client, who):
    world = build()
    if who:
        login(client, getattr(world, who).email)
    for path in ("/users/new", f"/users/{world.leader.id}/invitation", f"/ambassadors/{world.outsider.id}/login",
                 "/ambassadors/invitations"):
        response = client.post(path, data={"name": "X", "email": "x@example.dk", "roles": "coordinator"})
        assert response.status_code == 403 if who else response.headers["Location"].startswith("/login"), path
    assert db.session.scalars(select(User).where(User.email == "x@example.dk")).all() == []
