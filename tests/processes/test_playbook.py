"""The playbook editor: every change a new version, a visit keeps the version it was run with."""
import re

import pytest
from world import build, login

from kerne.models import AuditEvent, Playbook, PlaybookStep
from kerne.processes.playbook import rules
from kerne.processes.playbook.versions import newest
from kerne.web.extensions import db
from kerne.workshop.visits import steps_of

STEPS = rules.ordered([
    rules.StepDraft(1, "Ramme", "p", "q", "ideas", 10), rules.StepDraft(1, "Perspektiver", "p", "q", "vote", 20),
    rules.StepDraft(1, "Formulér", "p", "q", "draft", 30), rules.StepDraft(2, "Opgaver", "p", "q", "tasks", 20),
    rules.StepDraft(2, "Beslut", "p", "q", "decide", 30),
])


def titles(steps) -> list[tuple[int, int, str]]:
    return [(s.visit_number, s.position, s.title) for s in steps]


def test_rules_reorder_add_edit_and_retire():
    assert titles(rules.move(STEPS, 2, -1))[:3] == [(1, 1, "Ramme"), (1, 2, "Formulér"), (1, 3, "Perspektiver")]
    assert titles(rules.move(STEPS, 0, -1)) == titles(STEPS)  # stops at the top
    assert titles(rules.move(STEPS, 4, 1)) == titles(STEPS)  # and at the bottom of its visit
    moved = rules.edit(STEPS, 0, rules.StepDraft(2, "Check-ud", "p", "q", "ideas", 5))
    assert titles(moved)[-1] == (2, 3, "Check-ud") and titles(moved)[0] == (1, 1, "Perspektiver")
    assert titles(rules.add(STEPS, rules.StepDraft(1, "Ny", "p", "q", "ideas", 5)))[3] == (1, 4, "Ny")
    assert titles(rules.retire(STEPS, 1))[:2] == [(1, 1, "Ramme"), (1, 2, "Formulér")]
    assert rules.problems(STEPS) == []
    assert rules.problems(rules.retire(STEPS, 2)) == ["draft_missing"]
    assert rules.problems([s for s in STEPS if s.visit_number == 1]) == ["visit2_empty", "decide_missing"]


def test_rules_say_which_steps_cannot_be_taken_out():
    assert rules.retiring_problems(STEPS) == [[], [], ["draft_missing"], [], ["decide_missing"]]
    alone = rules.ordered([rules.StepDraft(1, "Formulér", "p", "q", "draft", 30),
                           rules.StepDraft(2, "Beslut", "p", "q", "decide", 30)])
    assert rules.retiring_problems(alone) == [["visit1_empty", "draft_missing"], ["visit2_empty", "decide_missing"]]


@pytest.fixture
def coordinator_client(client, app):
    world = build(opened=False)
    login(client, world.coordinator.email)
    return client, world


def base_of(page: str) -> str:
    return re.search(r'name="base" type="hidden" value="(\d+)"|name="base" value="(\d+)"', page).group(0).split('"')[-2]


def test_an_open_visit_keeps_its_version_while_the_playbook_changes(coordinator_client):
    client, world = coordinator_client
    login(client, world.first.email)
    client.post(f"/visits/{world.visit.id}/open")  # visit 1 opens with version 1
    login(client, world.coordinator.email)
    version, steps = newest()
    first = steps[0]
    form = {"visit_number": "1", "title": "Velkommen og check-in", "purpose": first.purpose, "prompt": first.prompt,
            "activity": "ideas", "minutes": "12", "base": str(version)}
    assert client.post(f"/playbook/steps/{first.id}", data=form).status_code == 302
    new_version, new_steps = newest()
    assert new_version == version + 1 and new_steps[0].title == "Velkommen og check-in"
    db.session.expire_all()
    assert steps_of(world.visit)[0].title == first.title  # the open visit: its own version
    assert steps_of(world.second_visit)[0].title == new_steps[3].title  # a planned visit follows the newest
    login(client, world.first.email)
    console = client.get(f"/visits/{world.visit.id}/console").get_data(as_text=True)
    assert first.title in console and "Velkommen og check-in" not in console
    event = db.session.query(AuditEvent).filter_by(action="playbook.edit").one()
    assert "Velkommen og check-in" in event.detail


def test_move_add_retire_and_the_rules(coordinator_client):
    client, _world = coordinator_client
    version, steps = newest()
    assert client.post(f"/playbook/steps/{steps[1].id}/move/up", data={"base": version}).status_code == 302
    version, steps = newest()
    assert [s.activity for s in steps[:3]] == ["vote", "ideas", "draft"]
    added = {"visit_number": "2", "title": "Check-ud", "purpose": "Afslut", "prompt": "Hvad tager du med?",
             "activity": "ideas", "minutes": "5", "base": str(version)}
    assert client.post("/playbook/steps", data=added).status_code == 302
    version, steps = newest()
    assert (steps[-1].visit_number, steps[-1].position, steps[-1].title) == (2, 4, "Check-ud")
    assert client.post(f"/playbook/steps/{steps[-1].id}/retire", data={"base": version}).status_code == 302
    version, steps = newest()
    draft = next(s for s in steps if s.activity == "draft")
    refused = client.post(f"/playbook/steps/{draft.id}/retire", data={"base": version})
    assert refused.status_code == 409 and "fælles udkast" in refused.get_data(as_text=True)
    stale = client.post(f"/playbook/steps/{steps[0].id}/move/down", data={"base": version - 1})
    assert stale.status_code == 409 and "ændret imens" in stale.get_data(as_text=True)
    assert db.session.query(Playbook).count() == version == 4
    bad = client.post("/playbook/steps", data={**added, "title": "", "minutes": "999", "base": str(version)})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Feltet skal udfyldes." in text and "Mellem 1 og 240." in text
    assert client.post(f"/playbook/steps/{steps[0].id}/move/sideways", data={"base": version}).status_code == 404
    assert db.session.query(PlaybookStep).filter_by(playbook_id=1).count() == 6  # version 1 is untouched


def test_a_step_is_worded_in_english_where_it_is_written_in_english_else_in_danish():
    step = rules.StepDraft(1, "Ramme", "Formål", "Spørgsmål?", "ideas", 10, title_en="Frame", purpose_en=" ",
                           prompt_en="Question?")
    assert rules.worded(step, "en") == {"title": "Frame", "purpose": "Formål", "prompt": "Question?"}
    assert rules.worded(step, "da") == {"title": "Ramme", "purpose": "Formål", "prompt": "Spørgsmål?"}


def test_the_editor_words_a_step_in_danish_and_english(coordinator_client):
    client, _world = coordinator_client
    version, steps = newest()
    first = steps[0]
    page = client.get(f"/playbook/steps/{first.id}").get_data(as_text=True)
    assert 'value="Frame and purpose"' in page and 'lang="en"' in page
    form = {"visit_number": "1", "title": first.title, "purpose": first.purpose, "prompt": first.prompt,
            "title_en": "Welcome", "purpose_en": "", "prompt_en": "What would people miss?",
            "activity": "ideas", "minutes": "15", "base": str(version)}
    assert client.post(f"/playbook/steps/{first.id}", data=form).status_code == 302
    _version, steps = newest()
    assert (steps[0].title_en, steps[0].purpose_en, steps[0].prompt_en) == ("Welcome", "", "What would people miss?")
    assert steps[1].title_en == "Perspectives"  # the other steps keep their English in the new version
    overview = client.get("/playbook").get_data(as_text=True)
    assert "Welcome" in overview and "What would people miss?" in overview
    too_long = client.post(f"/playbook/steps/{steps[0].id}", data={**form, "title_en": "x" * 121,
                                                                   "base": str(_version)})
    assert too_long.status_code == 422 and "Højst 120 tegn." in too_long.get_data(as_text=True)
    added = {**form, "visit_number": "2", "title": "Check-ud", "title_en": "", "prompt_en": "",
             "base": str(_version)}
    assert client.post("/playbook/steps", data=added).status_code == 302
    _version, steps = newest()
    assert (steps[-1].title, steps[-1].title_en) == ("Check-ud", "")
    assert "Ikke skrevet på engelsk" in client.get("/playbook").get_data(as_text=True)


def test_retiring_the_only_draft_step_is_not_offered_but_explained(coordinator_client):
    client, _world = coordinator_client
    page = client.get("/playbook").get_data(as_text=True)
    _version, steps = newest()
    retirable = {int(n) for n in re.findall(r'action="/playbook/steps/(\d+)/retire"', page)}
    assert retirable == {s.id for s in steps if s.activity not in ("draft", "decide")}
    assert page.count("Trinnet kan ikke udgå:") == 2
    assert "Besøg 1 skal have et trin med fælles udkast" in page and 'href="#nyt-trin"' in page
    assert 'id="nyt-trin"' in page


def test_only_the_coordinator_edits_the_playbook(client, app):
    world = build(opened=False)
    for email in (world.leader.email, world.first.email):
        login(client, email)
        assert client.get("/playbook").status_code == 403
