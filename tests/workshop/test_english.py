"""English all the way through the room: the playbook's own words on the phone, the console and the projector,
and the language switch on the phone, which keeps it in the room."""
import re

import pytest
from world import build, fresh, join, login

from kerne.models import PlaybookStep, Visit
from kerne.web.extensions import db
from kerne.workshop.visits import go_to_step, steps_of

FRAME = {"title": "Frame and purpose",
         "purpose": "We set the frame for the day and remind each other whom we are here for.",
         "prompt": "What would the citizens miss if our workplace vanished tomorrow?"}
DANISH_TITLES = ("Ramme og formål", "Perspektiver", "Formulér kerneopgaven")
ENGLISH_TITLES = ("Frame and purpose", "Perspectives", "Word the core task")


@pytest.fixture
def room(client):
    """An open visit and one joined phone that chose English."""
    world = build()
    base = join(client, world.visit, "Sofie")
    client.set_cookie("lang", "en")
    return world, base


def english(app):
    other = app.test_client()
    other.set_cookie("lang", "en")
    return other


def test_a_phone_that_chose_english_reads_the_steps_title_purpose_and_prompt_in_english(client, room):
    world, base = room
    page = client.get(base).get_data(as_text=True)
    assert '<html lang="en">' in page
    for text in FRAME.values():
        assert text in page
    assert "Ramme og formål" not in page and "Hvad ville borgerne savne" not in page
    go_to_step(world.visit, 2)
    db.session.commit()
    poll = client.get(f"{base}/changes?since={fresh(Visit, world.visit.id).version - 1}").get_data(as_text=True)
    assert '<h1 class="step-title">Perspectives</h1>' in poll
    assert "Write an idea and choose what it is about." in poll


def test_the_console_and_the_projector_in_english(app, room):
    world, _base = room
    laptop = english(app)
    login(laptop, world.first.email)
    console = laptop.get(f"/visits/{world.visit.id}/console").get_data(as_text=True)
    for title in ENGLISH_TITLES:
        assert title in console
    assert FRAME["purpose"] in console and FRAME["prompt"] in console
    assert not any(title in console for title in DANISH_TITLES)
    projector = laptop.get(f"/visits/{world.visit.id}/projector").get_data(as_text=True)
    assert FRAME["title"] in projector  # the join screen names the step the room begins with
    assert "Ramme og formål" not in projector


def test_the_same_room_reads_danish_and_english_side_by_side(app, client, room):
    """The board is read once per version; each screen words it in its own language."""
    world, base = room
    danish = app.test_client()
    join(danish, world.visit, "Dorte")
    assert FRAME["title"] in client.get(base).get_data(as_text=True)
    assert "Ramme og formål" in danish.get(base).get_data(as_text=True)
    assert FRAME["title"] in client.get(base).get_data(as_text=True)


def test_english_left_empty_falls_back_to_the_danish(client, room):
    world, base = room
    step = db.session.get(PlaybookStep, steps_of(world.visit)[0].id)
    step.title_en, step.purpose_en = "", "   "
    db.session.commit()
    page = client.get(base).get_data(as_text=True)
    assert '<h1 class="step-title">Ramme og formål</h1>' in page
    assert step.purpose in page
    assert FRAME["prompt"] in page  # written in English, so shown in English


def test_the_language_switch_on_the_phone_keeps_it_in_the_room_on_the_same_page(app, room):
    world, _base = room
    phone = app.test_client()
    base = join(phone, world.visit, "Sofie")
    page = phone.get(base).get_data(as_text=True)
    switch = re.search(r'<a class="language-switch" href="([^"]+)" lang="en" hreflang="en">English</a>', page)
    assert switch, "the phone's page offers English"
    answer = phone.get(switch.group(1).replace("&amp;", "&"))
    assert answer.status_code == 302
    assert answer.headers["Location"].split("?")[0] == base
    page = phone.get(answer.headers["Location"]).get_data(as_text=True)
    assert "You take part as Sofie" in page and FRAME["title"] in page
    assert '<a class="language-switch" href="/language/da?next=' in page  # and back
    version = fresh(Visit, world.visit.id).version
    assert phone.get(f"{base}/changes?since={version}").status_code == 204  # still joined: the poll is answered
