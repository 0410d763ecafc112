"""The evaluation a phone answers when its visit closes: two questions, optional, anonymous, once per phone."""
import pytest
from sqlalchemy import func, inspect, select
from world import build, fresh, join, login

from kerne.models import EvaluationAnswer, EvaluationReceipt, Participant, Visit
from kerne.web.extensions import db
from kerne.workshop.visits import close_visit, open_visit


@pytest.fixture
def room(client):
    """Visit 1 closed, one phone that was in it; returns (world, the phone's page)."""
    world = build()
    base = join(client, world.visit, "Sofie")
    close_visit(world.visit)
    db.session.commit()
    return world, base


def answers() -> list[tuple]:
    db.session.commit()
    return db.session.execute(select(EvaluationAnswer.visit_id, EvaluationAnswer.usefulness,
                                     EvaluationAnswer.change)).all()


def receipts() -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(EvaluationReceipt))


def test_a_closed_visit_asks_the_phone_two_questions(client, room):
    _world, base = room
    page = client.get(base).get_data(as_text=True)
    assert f'hx-post="{base}/evaluation"' in page
    assert "<legend>Hvor brugbar var dagen i dag for dig?</legend>" in page
    assert page.count('type="radio" name="usefulness"') == 5
    assert '<label for="change">Hvad skal vi gøre anderledes?</label>' in page
    assert "først når mindst 5 har svaret" in page


def test_an_open_visit_asks_nothing_yet_and_refuses_an_answer(app):
    world = build()
    phone = app.test_client()
    base = join(phone, world.visit)
    assert "/evaluation" not in phone.get(base).get_data(as_text=True)
    response = phone.post(f"{base}/evaluation", data={"usefulness": "4"})
    assert response.status_code == 409
    assert "Evalueringen kan besvares, når besøget er afsluttet." in response.get_data(as_text=True)
    assert answers() == [] and receipts() == 0


def test_a_phone_answers_once_and_a_second_answer_is_refused(client, room):
    world, base = room
    before = fresh(Visit, world.visit.id).version
    response = client.post(f"{base}/evaluation", data={"usefulness": "4", "change": "  Flere pauser  "})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="live"') and "Tak for dit svar." in html and "/evaluation" not in html
    assert fresh(Visit, world.visit.id).version == before + 1
    assert answers() == [(world.visit.id, 4, "Flere pauser")]
    again = client.post(f"{base}/evaluation", data={"usefulness": "1", "change": "Noget andet"})
    assert again.status_code == 409
    assert "Du har allerede svaret på evalueringen." in again.get_data(as_text=True)
    assert answers() == [(world.visit.id, 4, "Flere pauser")] and receipts() == 1
    assert "Tak for dit svar." in client.get(base).get_data(as_text=True)


def test_either_question_may_be_left_out(app):
    world = build()
    phones = [app.test_client() for _ in range(3)]
    bases = [join(phone, world.visit) for phone in phones]
    close_visit(world.visit)
    db.session.commit()
    sent = ({"usefulness": "5"}, {"change": "Kortere dag"}, {"usefulness": "", "change": "x" * 1000})
    for phone, base, data in zip(phones, bases, sent, strict=True):
        assert phone.post(f"{base}/evaluation", data=data).status_code == 200
    assert sorted(answers(), key=str) == sorted([(world.visit.id, 5, ""), (world.visit.id, None, "Kortere dag"),
                                                 (world.visit.id, None, "x" * 1000)], key=str)


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Svar på mindst ét af de to spørgsmål."),
    ({"usefulness": "", "change": "   "}, "Svar på mindst ét af de to spørgsmål."),
    ({"usefulness": "6"}, "Vælg et tal fra 1 til 5."),
    ({"usefulness": "0", "change": "Godt"}, "Vælg et tal fra 1 til 5."),
    ({"usefulness": "fem"}, "Skriv et helt tal, ikke »fem«."),
    ({"usefulness": "99999999999999999999999"}, "Vælg et tal fra 1 til 5."),
    ({"usefulness": "3", "change": "x" * 1001}, "Højst 1000 tegn."),
    ({"change": "Godt\x07"}, "Teksten indeholder usynlige styretegn."),
])
def test_bad_answers_are_refused_in_danish_next_to_the_question_and_nothing_is_kept(client, room, data, message):
    _world, base = room
    response = client.post(f"{base}/evaluation", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and 'class="error"' in html
    assert answers() == [] and receipts() == 0
    assert "Tak for dit svar." not in client.get(base).get_data(as_text=True)  # the phone may still answer


def test_an_answer_without_the_csrf_token_is_refused(client, room):
    _world, base = room
    response = client.post(f"{base}/evaluation", data={"usefulness": "4"}, csrf=False)
    assert response.status_code == 400
    assert answers() == [] and receipts() == 0


def test_only_a_phone_of_the_visit_answers(app, client, room):
    world, base = room
    facilitator = app.test_client()
    login(facilitator, world.first.email)
    assert facilitator.post(f"{base}/evaluation", data={"usefulness": "5"}).status_code == 403
    assert app.test_client().post(f"{base}/evaluation", data={"usefulness": "5"}).status_code == 403
    open_visit(world.second_visit)
    db.session.commit()
    other_room = app.test_client()
    join(other_room, world.second_visit)
    close_visit(fresh(Visit, world.second_visit.id))
    db.session.commit()
    assert other_room.post(f"{base}/evaluation", data={"usefulness": "5"}).status_code == 403  # joined visit 2 only
    assert client.post("/w/no-such-visit/evaluation", data={"usefulness": "5"}).status_code in (403, 404)
    assert answers() == [] and receipts() == 0


def test_an_answer_keeps_no_link_to_its_phone(client, room):
    """The answer names its visit only; the receipt that keeps one answer per phone names the phone only."""
    world, base = room
    client.post(f"{base}/evaluation", data={"usefulness": "2", "change": "Mere tid"})
    columns = {table: {c["name"] for c in inspect(db.engine).get_columns(table)}
               for table in ("evaluation_answer", "evaluation_receipt")}
    assert columns == {"evaluation_answer": {"id", "visit_id", "usefulness", "change"},
                       "evaluation_receipt": {"participant_id"}}
    participant = db.session.scalar(select(Participant.id).where(Participant.visit_id == world.visit.id))
    assert db.session.scalars(select(EvaluationReceipt.participant_id)).all() == [participant]


def test_the_questions_in_english(client, room):
    _world, base = room
    client.set_cookie("lang", "en")
    page = client.get(base).get_data(as_text=True)
    assert "How useful was today for you?" in page and "What should we do differently?" in page
    refused = client.post(f"{base}/evaluation", data={"usefulness": "9"}).get_data(as_text=True)
    assert "Choose a number from 1 to 5." in refused
