"""The facilitators' console and projector: who may use them, and what they change."""
import re
from datetime import timedelta

import pytest
from world import build, fresh, join, login, version

from kerne.models import CoreTaskDraft, DotVote, Idea, Participant, Visit, WorkTask
from kerne.web.extensions import db
from kerne.workshop.visits import close_visit, steps_of


@pytest.fixture
def console(client):
    """A facilitator signed in on the console of an open visit."""
    world = build()
    login(client, world.first.email)
    return world, f"/visits/{world.visit.id}"


def test_console_requires_sign_in(client):
    world = build()
    response = client.get(f"/visits/{world.visit.id}/console")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("who", ["leader", "coordinator", "outsider"])
def test_console_is_only_for_the_pair(client, who):
    world = build()
    email = {"leader": world.leader.email, "coordinator": world.coordinator.email, "outsider": world.outsider.email}[who]
    login(client, email)
    # the role's gate refuses staff; another ambassador does not find a visit outside what she sees
    refused = 404 if who == "outsider" else 403
    assert client.get(f"/visits/{world.visit.id}/console").status_code == refused
    assert client.get(f"/visits/{world.visit.id}/projector").status_code == refused
    assert client.post(f"/visits/{world.visit.id}/step", data={"position": 2}).status_code == refused


def test_both_facilitators_may_drive(client, app):
    world = build()
    login(client, world.first.email)
    other = app.test_client()
    login(other, world.second.email)
    assert client.post(f"/visits/{world.visit.id}/step", data={"position": 2}).status_code == 200
    page = other.get(f"/visits/{world.visit.id}/console").get_data(as_text=True)
    assert 'aria-current="step">\n        <span class="n">2</span>' in page


def test_console_shows_code_steps_and_closing(client, console):
    world, base = console
    page = client.get(f"{base}/console").get_data(as_text=True)
    assert world.visit.join_code in page
    for step in steps_of(world.visit):
        assert step.title in page
    assert "Afslut besøget" in page


def test_unknown_visit_is_404(client, console):
    assert client.get("/visits/999/console").status_code == 404


def test_opening_a_planned_visit_gives_a_code(client):
    world = build(opened=False)
    login(client, world.first.email)
    page = client.get(f"/visits/{world.visit.id}/console").get_data(as_text=True)
    assert "Åbn besøget" in page
    response = client.post(f"/visits/{world.visit.id}/open")
    assert response.status_code == 302
    visit = fresh(Visit, world.visit.id)
    assert visit.status == "open" and len(visit.join_code) == 6
    code = visit.join_code
    client.post(f"/visits/{world.visit.id}/open")
    assert fresh(Visit, world.visit.id).join_code == code


def test_step_change_is_idempotent_and_bounded(client, console):
    world, base = console
    before = fresh(Visit, world.visit.id).version
    response = client.post(f"{base}/step", data={"position": 3})
    assert response.status_code == 200
    assert version(response.get_data(as_text=True)) == before + 1
    assert client.post(f"{base}/step", data={"position": 3}).status_code == 204
    assert client.post(f"{base}/step", data={"position": 4}).status_code == 422
    assert client.post(f"{base}/step", data={"position": 0}).status_code == 422
    assert client.post(f"{base}/step", data={}).status_code == 422


def test_step_change_without_csrf_is_refused(client, console):
    world, base = console
    assert client.post(f"{base}/step", data={"position": 2}, csrf=False).status_code == 400
    assert fresh(Visit, world.visit.id).step_position == 1


def test_participants_follow_step_changes(client, app, console):
    world, base = console
    phone = app.test_client()
    phone_base = join(phone, world.visit)
    since = version(phone.get(phone_base).get_data(as_text=True))
    client.post(f"{base}/step", data={"position": 2})
    html = phone.get(f"{phone_base}/changes?since={since}").get_data(as_text=True)
    assert "Perspektiver" in html


def _idea(world, text, participant=None):
    step = steps_of(world.visit)[world.visit.step_position - 1]
    idea = Idea(visit_id=world.visit.id, step_id=step.id, text=text, participant_id=participant)
    db.session.add(idea)
    db.session.commit()
    return idea


def test_hide_and_reveal_an_idea(client, app, console):
    world, base = console
    idea = _idea(world, "Upassende")
    assert client.post(f"{base}/ideas/{idea.id}/hidden", data={"value": "1"}).status_code == 200
    assert client.post(f"{base}/ideas/{idea.id}/hidden", data={"value": "1"}).status_code == 204
    phone = app.test_client()
    assert "Upassende" not in phone.get(join(phone, world.visit)).get_data(as_text=True)
    assert "Skjult for deltagerne" in client.get(f"{base}/console").get_data(as_text=True)
    client.post(f"{base}/ideas/{idea.id}/hidden", data={"value": "0"})
    assert not fresh(Idea, idea.id).hidden
    assert client.post(f"{base}/ideas/{idea.id}/hidden", data={"value": "maybe"}).status_code == 422


def test_author_still_sees_their_hidden_idea(client, app, console):
    world, base = console
    phone = app.test_client()
    phone_base = join(phone, world.visit)
    participant = db.session.scalars(db.select(Participant)).one()
    idea = _idea(world, "Min idé", participant.id)
    client.post(f"{base}/ideas/{idea.id}/hidden", data={"value": "1"})
    page = phone.get(phone_base).get_data(as_text=True)
    assert "Min idé" in page and "Skjult for deltagerne" in page


def test_merging_keeps_both_texts_and_all_dots(client, console):
    world, base = console
    client.post(f"{base}/step", data={"position": 2})
    db.session.expire_all()
    voters = [Participant(visit_id=world.visit.id) for _ in range(2)]
    db.session.add_all(voters)
    db.session.commit()
    keep, fold = _idea(world, "Tryghed"), _idea(world, "Ro og tryghed")
    db.session.add_all([
        DotVote(idea_id=keep.id, participant_id=voters[0].id, dots=1),
        DotVote(idea_id=fold.id, participant_id=voters[0].id, dots=2),
        DotVote(idea_id=fold.id, participant_id=voters[1].id, dots=1),
    ])
    db.session.commit()
    response = client.post(f"{base}/ideas/{fold.id}/merge", data={"into": keep.id})
    assert response.status_code == 200
    assert fresh(Idea, keep.id).text == "Tryghed · Ro og tryghed"
    assert fresh(Idea, fold.id).merged_into_id == keep.id
    dots = dict(db.session.execute(db.select(DotVote.participant_id, DotVote.dots).where(DotVote.idea_id == keep.id)).all())
    assert dots == {voters[0].id: 3, voters[1].id: 1}
    assert client.post(f"{base}/ideas/{fold.id}/merge", data={"into": keep.id}).status_code == 204


def test_merging_into_itself_or_another_step_is_refused(client, console):
    world, base = console
    idea = _idea(world, "En")
    response = client.post(f"{base}/ideas/{idea.id}/merge", data={"into": idea.id})
    assert response.status_code == 422
    assert "Vælg en anden idé" in response.get_data(as_text=True)
    assert client.post(f"{base}/ideas/{idea.id}/merge", data={"into": 999}).status_code == 404


def test_facilitator_edits_a_participants_idea(client, console):
    world, _base = console
    idea = _idea(world, "Stavefjl")
    response = client.post(
        f"/w/{world.visit.public_id}/ideas/{idea.id}", data={"value": "Stavefejl", "base": "Stavefjl", "edit_id": "edit-0200"}
    )
    assert response.status_code == 200
    assert 'class="console-head"' in response.get_data(as_text=True)
    assert fresh(Idea, idea.id).text == "Stavefejl"


def test_participant_page_sends_a_facilitator_to_the_console(client, console):
    world, base = console
    response = client.get(f"/w/{world.visit.public_id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{base}/console"


def test_dots_setting(client, console):
    world, base = console
    client.post(f"{base}/step", data={"position": 2})
    assert client.post(f"{base}/dots", data={"dots_per_participant": 5}).status_code == 200
    assert fresh(Visit, world.visit.id).dots_per_participant == 5
    response = client.post(f"{base}/dots", data={"dots_per_participant": 50})
    assert response.status_code == 422
    assert "Vælg mellem 1 og 10." in response.get_data(as_text=True)


def test_locking_the_wording_lets_facilitators_still_edit(client, console):
    world, base = console
    client.post(f"{base}/step", data={"position": 3})
    assert client.post(f"{base}/lock", data={"value": "1"}).status_code == 200
    assert fresh(Visit, world.visit.id).draft.locked_at is not None
    response = client.post(
        f"/w/{world.visit.public_id}/draft/core_task", data={"value": "Endelig", "base": "", "edit_id": "edit-0300"}
    )
    assert response.status_code == 200
    assert db.session.scalars(db.select(CoreTaskDraft.core_task)).one() == "Endelig"
    assert client.post(f"{base}/lock", data={"value": "0"}).status_code == 200


def test_removing_and_restoring_a_task(client, console):
    world, base = console
    task = WorkTask(visit_id=world.visit.id, position=1, title="Dublet")
    db.session.add(task)
    db.session.commit()
    assert client.post(f"{base}/tasks/{task.id}/removed", data={"value": "1"}).status_code == 200
    assert fresh(WorkTask, task.id).removed
    assert client.post(f"{base}/tasks/{task.id}/removed", data={"value": "0"}).status_code == 200
    assert not fresh(WorkTask, task.id).removed


def test_closing_stops_joining_and_changes(client, app, console):
    world, base = console
    phone = app.test_client()
    phone_base = join(phone, world.visit)
    response = client.post(f"{base}/close", data={"confirm": "unsettled"})
    assert response.status_code == 200
    assert "Besøget er afsluttet" in response.get_data(as_text=True)
    assert client.post(f"{base}/close").status_code == 204
    assert client.post(f"{base}/step", data={"position": 2}).status_code == 410
    assert phone.post(f"{phone_base}/name", data={"display_name": "x"}).status_code == 410
    assert app.test_client().get(f"/j/{world.visit.join_code}").status_code == 404


def test_projector_shows_qr_code_and_join_address(app, client, console):
    world, base = console
    app.config["BASE_URL"] = "https://kerne.example.dk"
    client.set_cookie("session", client.get_cookie("session").value, domain="evil.example")
    page = client.get(f"{base}/projector", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "<svg" in page and world.visit.join_code in page
    assert "kerne.example.dk/j" in page and "evil.example" not in page
    assert "<title>QR-kode til at deltage</title>" in page


def test_projector_polls(client, console):
    world, base = console
    since = fresh(Visit, world.visit.id).version
    assert client.get(f"{base}/projector/changes?since={since}").status_code == 204
    client.post(f"{base}/step", data={"position": 2})
    response = client.get(f"{base}/projector/changes?since={since}")
    assert response.status_code == 200
    assert "join-panel" in response.get_data(as_text=True)
    assert client.get(f"{base}/projector/changes").status_code == 400


# ---- a join code that has expired ------------------------------------------------

def expire_code(app, world) -> str:
    visit = fresh(Visit, world.visit.id)
    visit.join_code_issued_at -= timedelta(hours=app.config["JOIN_CODE_HOURS"], seconds=1)
    db.session.commit()
    return visit.join_code


def test_an_expired_code_is_said_on_the_console_and_the_projector_and_a_new_one_lets_phones_in(client, app, console):
    world, base = console
    joined = app.test_client()
    page = join(joined, world.visit, "Sofie")
    old = expire_code(app, world)
    console_page = client.get(f"{base}/console").get_data(as_text=True)
    assert f"Koden {old} er udløbet" in console_page and "Lav en ny kode" in console_page
    projector = client.get(f"{base}/projector").get_data(as_text=True)
    assert "Koden er udløbet" in projector and "<svg" not in projector  # no QR code that lets nobody in

    response = client.post(f"{base}/join-code")
    assert response.status_code == 200 and "Lav en ny kode" not in response.get_data(as_text=True)
    new = fresh(Visit, world.visit.id).join_code
    assert new != old and new in response.get_data(as_text=True)
    assert new in client.get(f"{base}/projector").get_data(as_text=True)
    newcomer = app.test_client()
    assert newcomer.get(f"/j/{old}").status_code == 404
    assert newcomer.post(f"/j/{new}", data={"display_name": "Bo"}).status_code == 302
    assert joined.get(page).status_code == 200  # who joined with the old code stays in


def test_only_the_pair_renews_an_open_visits_code_and_with_a_csrf_token(client, app, console):
    world, base = console
    old = expire_code(app, world)
    assert client.post(f"{base}/join-code", csrf=False).status_code == 400
    for email, refused in ((world.leader.email, 403), (world.coordinator.email, 403), (world.outsider.email, 404)):
        other = app.test_client()
        login(other, email)
        assert other.post(f"{base}/join-code").status_code == refused
    assert app.test_client().post(f"{base}/join-code").status_code == 302  # not signed in: to the sign-in page
    assert fresh(Visit, world.visit.id).join_code == old
    close_visit(fresh(Visit, world.visit.id))
    db.session.commit()
    assert client.post(f"{base}/join-code").status_code == 410
    assert fresh(Visit, world.visit.id).join_code == old


def test_an_ambassador_no_longer_active_who_also_leads_facilitates_nothing(client):
    """Unticking *Aktiv* ends the powers of the pair even for a leader, whose role still lets her sign in."""
    world = build()
    world.first.user.roles = "ambassador leader"
    world.first.user.units = [world.other_workplace]  # she leads elsewhere: her process is not in her units
    world.first.active = False
    db.session.commit()
    login(client, world.first.email)
    public_id = world.visit.public_id
    assert client.get(f"/processes/{world.process.id}").status_code == 404
    assert client.get(f"/w/{public_id}/changes?since=0").status_code == 403
    step = steps_of(world.visit)[1]  # Perspektiver: ideas
    sent = client.post(f"/w/{public_id}/ideas", data={"text": "Stadig med", "step": step.id, "edit_id": "e1"})
    assert sent.status_code == 403
    assert db.session.query(Idea).count() == 0


def test_the_timer_says_when_the_step_ends_in_its_datetime(client, console):
    """A <time> whose text is not a time needs a datetime; it had none."""
    world, base = console
    page = client.get(f"{base}/console").get_data(as_text=True)
    ends = re.search(r'<time datetime="(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)" data-ends-at="([^"]+)">', page)
    assert ends is not None and ends.group(1) == ends.group(2), page[page.find("<time"):][:200]
