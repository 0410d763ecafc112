"""WTForms' own messages reach the reader in their language: Danish by default, English for those who chose it."""
from flask_wtf import FlaskForm
from world import build, login

import kerne
from kerne.processes.playbook.versions import newest
from kerne.web.forms import Form


def test_a_required_field_and_an_email_field_are_told_in_danish(client):
    world = build(opened=False)
    login(client, world.coordinator.email)
    answer = client.post("/users/new", data={"name": "", "email": "ikke-en-adresse", "roles": ["ambassador"]})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Feltet skal udfyldes." in page and "Skriv en gyldig e-mailadresse." in page
    assert "This field is required." not in page and "Invalid email address." not in page


def _bad_step(client):
    version, steps = newest()
    first = steps[0]
    form = {"visit_number": "9", "title": first.title, "purpose": first.purpose, "prompt": first.prompt,
            "activity": "dans", "minutes": "15", "base": str(version)}
    answer = client.post(f"/playbook/steps/{first.id}", data=form)
    assert answer.status_code == 422
    return answer.get_data(as_text=True)


def test_wtforms_own_messages_are_danish_and_english_for_those_who_chose_english(client):
    world = build(opened=False)
    login(client, world.coordinator.email)
    page = _bad_step(client)  # two choices no list holds: WTForms' own "Not a valid choice."
    assert page.count("Vælg en af mulighederne på listen.") == 2 and "Not a valid choice" not in page
    client.get("/language/en")
    page = _bad_step(client)
    assert page.count("Choose one of the options in the list.") == 2 and "Vælg en af" not in page


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_of_kerne_stands_on_the_shared_form(app):
    ours = [cls for cls in _subclasses(FlaskForm) if cls.__module__.startswith(kerne.__name__ + ".")]
    assert len(ours) > 30, "the forms were not imported: the check would check nothing"
    assert [cls.__qualname__ for cls in ours if not issubclass(cls, Form)] == []
