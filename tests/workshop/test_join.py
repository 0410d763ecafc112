"""Joining a visit from a phone: by code or QR link, scoped to one visit, no account."""
import re

from world import build, fresh, join

from kerne.models import Participant
from kerne.web.extensions import db
from kerne.workshop.visits import close_visit


def test_typed_code_leads_to_the_join_page(client):
    world = build()
    response = client.post("/j", data={"code": world.visit.join_code.lower()})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/j/{world.visit.join_code}"


def test_code_with_spaces_and_dash_is_understood(client):
    world = build()
    code = world.visit.join_code
    response = client.post("/j", data={"code": f" {code[:3]}-{code[3:]} "})
    assert response.headers["Location"] == f"/j/{code}"


def test_wrong_code_is_refused_with_a_danish_message(client):
    build()
    response = client.post("/j", data={"code": "ZZZZ99"})
    assert response.status_code == 404
    assert "Koden virker ikke" in response.get_data(as_text=True)


def test_malformed_code_is_refused(client):
    response = client.post("/j", data={"code": "<script>"})
    assert response.status_code == 422
    assert "4-8 bogstaver og tal" in response.get_data(as_text=True)


def test_empty_code_is_refused(client):
    response = client.post("/j", data={"code": ""})
    assert response.status_code == 422
    assert "Skriv koden fra skærmen" in response.get_data(as_text=True)


def test_qr_link_shows_the_workplace_and_a_name_field(client):
    world = build()
    response = client.get(f"/j/{world.visit.join_code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Fjordskolen" in page and 'name="display_name"' in page


def test_joining_sets_a_cookie_and_redirects_to_a_url_without_the_code(client):
    world = build()
    location = join(client, world.visit, "Sofie")
    assert location == f"/w/{world.visit.public_id}"
    assert world.visit.join_code not in location
    participant = db.session.scalars(db.select(Participant)).one()
    assert participant.display_name == "Sofie"
    assert client.get(location).status_code == 200


def test_anonymous_join_is_allowed(client):
    world = build()
    join(client, world.visit, "")
    assert db.session.scalars(db.select(Participant)).one().display_name is None


def test_rejoining_from_the_same_phone_keeps_the_identity(client):
    world = build()
    join(client, world.visit, "Sofie")
    response = client.get(f"/j/{world.visit.join_code}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/w/{world.visit.public_id}"
    assert db.session.scalar(db.select(db.func.count()).select_from(Participant)) == 1


def test_a_name_that_looks_like_html_is_kept_as_typed_and_escaped(client):
    world = build()
    response = client.post(f"/j/{world.visit.join_code}", data={"display_name": "<b>Bo</b>"})
    assert response.status_code == 302
    assert db.session.scalars(db.select(Participant.display_name)).one() == "<b>Bo</b>"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "&lt;b&gt;Bo&lt;/b&gt;" in page and "<b>Bo</b>" not in page


def test_a_too_long_name_is_refused(client):
    world = build()
    response = client.post(f"/j/{world.visit.join_code}", data={"display_name": "x" * 41})
    assert response.status_code == 422
    assert "Højst 40 tegn" in response.get_data(as_text=True)


def test_closed_visit_cannot_be_joined_and_answers_as_an_unknown_code_does(client):
    world = build()
    close_visit(world.visit)
    db.session.commit()
    closed = client.get(f"/j/{world.visit.join_code}")
    unknown = client.get("/j/ZZZZ99")
    assert closed.status_code == unknown.status_code == 404
    assert _message(closed) == _message(unknown) and "Koden virker ikke" in _message(closed)
    typed_closed = client.post("/j", data={"code": world.visit.join_code})
    typed_unknown = client.post("/j", data={"code": "ZZZZ99"})
    assert typed_closed.status_code == typed_unknown.status_code == 404
    assert _message(typed_closed) == _message(typed_unknown)


def _message(response) -> str:
    return re.search(r'<p class="error"[^>]*>([^<]*)</p>', response.get_data(as_text=True)).group(1)


def test_join_without_csrf_token_is_refused(client):
    world = build()
    response = client.post(f"/j/{world.visit.join_code}", data={"display_name": "Sofie"}, csrf=False)
    assert response.status_code == 400
    assert "Sikkerhedstjekket fejlede" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Participant)) == 0


def test_participant_page_without_a_join_is_forbidden(client):
    world = build()
    response = client.get(f"/w/{world.visit.public_id}")
    assert response.status_code == 403
    assert "Deltag med koden" in response.get_data(as_text=True)


def test_a_tampered_cookie_is_not_accepted(client, app):
    world = build()
    join(client, world.visit)
    name = f"kerne_p_{world.visit.public_id}"
    value = client.get_cookie(name).value
    client.set_cookie(name, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    response = client.get(f"/w/{world.visit.public_id}")
    assert response.status_code == 403


def test_a_cookie_for_one_visit_does_not_open_another(client):
    world = build()
    join(client, world.visit)
    other = world.second_visit
    from kerne.workshop.visits import open_visit

    open_visit(other)
    db.session.commit()
    value = client.get_cookie(f"kerne_p_{world.visit.public_id}").value
    client.set_cookie(f"kerne_p_{other.public_id}", value)
    assert client.get(f"/w/{other.public_id}").status_code == 403
    assert fresh(Participant, 1).visit_id == world.visit.id
