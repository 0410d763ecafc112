"""The facilitators' console and projector: who may use them, and what they change."""
import html
import json
import re
from datetime import date, timedelta

import pytest
from world import build, fresh, join, login, user, version

from kerne.models import CoreTaskDraft, DotVote, Idea, Participant, Revision, TaskVote, Visit, WorkTask, utcnow
from kerne.web.extensions import db
from kerne.workshop.visits import close_visit, go_to_step, open_visit, steps_of


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


@pytest.mark.parametrize("who", ["leader", "contact"])
def test_a_leader_or_contact_who_does_not_see_the_process_finds_no_console_or_projector(client, who):
    """They got 403 from the role's gate, which tells that the visit exists: ids could be counted."""
    world = build()
    elsewhere = user(f"{who}@example.dk", "leader")
    elsewhere.units = [world.other_workplace.parent if who == "leader" else world.other_workplace]
    db.session.commit()
    login(client, elsewhere.email)
    base = f"/visits/{world.visit.id}"
    for answer in (client.get(f"{base}/console"), client.get(f"{base}/projector"),
                   client.get(f"{base}/projector/changes?since=0"),
                   client.post(f"{base}/step", data={"position": 2})):
        assert answer.status_code == 404
    assert client.get(f"/visits/{world.visit.id + 1000}/console").status_code == 404  # alike to one that is not


def test_both_facilitators_may_drive(client, app):
    world = build()
    login(client, world.first.email)
    other = app.test_client()
    login(other, world.second.email)
    assert client.post(f"/visits/{world.visit.id}/step", data={"position": 2}).status_code == 200
    page = other.get(f"/visits/{world.visit.id}/console").get_data(as_text=True)
    assert re.search(r'aria-current="step">\s*<span class="n">2</span>', page)


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


def test_a_locked_wording_refuses_a_facilitators_save_until_unlocked(client, console):
    world, base = console
    client.post(f"{base}/step", data={"position": 3})
    assert client.post(f"{base}/lock", data={"value": "1"}).status_code == 200
    assert fresh(Visit, world.visit.id).draft.locked_at is not None
    save = f"/w/{world.visit.public_id}/draft/core_task"
    refused = client.post(save, data={"value": "Endelig", "base": "", "edit_id": "edit-0300"})
    assert refused.status_code == 409 and "Formuleringen er låst" in refused.get_data(as_text=True)
    assert db.session.scalars(db.select(CoreTaskDraft.core_task)).one() == ""
    page = client.get(f"{base}/console").get_data(as_text=True)
    assert re.search(r'<textarea id="f-draft-\d+-core_task"[^>]*readonly', page)  # read-only on the console too
    assert "Lås op" in page and "hx-confirm" in page.split("Lås op")[0].rsplit("<button", 1)[1]
    assert client.post(f"{base}/lock", data={"value": "0"}).status_code == 200
    assert client.post(save, data={"value": "Endelig", "base": "", "edit_id": "edit-0301"}).status_code == 200
    assert db.session.scalars(db.select(CoreTaskDraft.core_task)).one() == "Endelig"


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
    assert "stage-badge" in response.get_data(as_text=True)
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
    times = re.findall(r"<time[^>]*>", page)
    assert times and all(re.search(r'datetime="(PT\d+[MS]|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"', t) for t in times), times


# ---- the room's moments: timer, reveal, focus, the code shown big (issue 19) ------

def _votes(world, task, choices):
    """Phones of the visit that voted ``choices`` on ``task``."""
    for choice in choices:
        phone = Participant(visit_id=task.visit_id)
        db.session.add(phone)
        db.session.flush()
        db.session.add(TaskVote(task_id=task.id, participant_id=phone.id, choice=choice))
    db.session.commit()


def _visit_2(world, at: int, tasks=()):
    """Visit 1 closed with its wording locked, visit 2 open at step ``at`` with ``tasks`` (title, decision)."""
    first = fresh(Visit, world.visit.id)
    first.draft.core_task, first.draft.locked_at = "Trygge børn", utcnow()
    close_visit(first)
    second = fresh(Visit, world.second_visit.id)
    open_visit(second)
    rows = [WorkTask(visit_id=second.id, position=n, title=title, decision=decision)
            for n, (title, decision) in enumerate(tasks, 1)]
    db.session.add_all(rows)
    go_to_step(second, at)
    db.session.commit()
    return f"/visits/{second.id}", rows


def test_the_timer_starts_pauses_and_gets_five_minutes_more_for_every_screen(client, app, console):
    world, base = console
    phone = app.test_client()
    phone_base = join(phone, world.visit)
    page = client.get(f"{base}/console").get_data(as_text=True)
    assert "15 min" in page and "data-ends-at" not in page  # a step waits for the facilitators to start it
    before = fresh(Visit, world.visit.id).version
    started = client.post(f"{base}/timer", data={"value": "1"})
    assert started.status_code == 200 and version(started.get_data(as_text=True)) == before + 1
    assert client.post(f"{base}/timer", data={"value": "1"}).status_code == 204
    visit = fresh(Visit, world.visit.id)
    assert visit.timer_running_since is not None and visit.timer_seconds == 900
    ends = (visit.timer_running_since + timedelta(seconds=900)).isoformat()
    assert f'data-ends-at="{ends}Z"' in phone.get(phone_base).get_data(as_text=True)
    assert client.post(f"{base}/timer/length", data={"seconds": 1200}).status_code == 200
    assert client.post(f"{base}/timer/length", data={"seconds": 1200}).status_code == 204  # +5 min sent twice
    fresh(Visit, world.visit.id).timer_running_since -= timedelta(seconds=30)  # half a minute later
    db.session.commit()
    assert client.post(f"{base}/timer", data={"value": "0"}).status_code == 200
    visit = fresh(Visit, world.visit.id)
    assert (visit.timer_seconds, visit.timer_running_since) == (1200, None) and 30 <= visit.timer_used <= 35
    assert "pause" in phone.get(phone_base).get_data(as_text=True)
    for junk in ({"seconds": 10}, {"seconds": "x"}, {"seconds": 10**6}, {}):
        assert client.post(f"{base}/timer/length", data=junk).status_code == 422


def test_a_new_step_starts_with_its_timer_waiting_results_hidden_and_the_code_in_its_corner(client, console):
    world, base = console
    assert fresh(Visit, world.visit.id).code_shown  # an opened visit starts on the join screen
    projector = client.get(f"{base}/projector").get_data(as_text=True)
    assert "stage-code" in projector and "stage-badge" not in projector
    client.post(f"{base}/timer", data={"value": "1"})
    client.post(f"{base}/step", data={"position": 2})
    client.post(f"{base}/results", data={"value": "1"})
    client.post(f"{base}/code", data={"value": "1"})
    client.post(f"{base}/step", data={"position": 3})
    visit = fresh(Visit, world.visit.id)
    assert (visit.timer_seconds, visit.timer_used, visit.timer_running_since) == (None, 0, None)
    assert not visit.results_shown and not visit.code_shown and visit.focus_task_id is None


def test_the_code_comes_back_big_and_goes_back_to_its_corner(client, console):
    world, base = console
    assert client.post(f"{base}/code", data={"value": "0"}).status_code == 200
    projector = client.get(f"{base}/projector").get_data(as_text=True)
    assert "stage-badge" in projector and world.visit.join_code in projector and "stage-code" not in projector
    assert client.post(f"{base}/code", data={"value": "0"}).status_code == 204
    assert client.post(f"{base}/code", data={"value": "1"}).status_code == 200
    assert "stage-code" in client.get(f"{base}/projector").get_data(as_text=True)
    assert client.post(f"{base}/code", data={"value": "yes"}).status_code == 422


def test_dots_are_in_no_phones_or_projectors_html_until_the_facilitators_reveal_them(client, app, console):
    world, base = console
    client.post(f"{base}/step", data={"position": 2})
    db.session.expire_all()
    phone = app.test_client()
    phone_base = join(phone, world.visit)
    idea = _idea(world, "Trygge børn")
    voter = Participant(visit_id=world.visit.id)
    db.session.add(voter)
    db.session.flush()
    db.session.add(DotVote(idea_id=idea.id, participant_id=voter.id, dots=3))
    db.session.commit()
    on_phone, projected = phone.get(phone_base).get_data(as_text=True), client.get(f"{base}/projector").get_data(as_text=True)
    assert "Trygge børn" in on_phone and "prikker i alt" not in on_phone and "Du har 3 prikker tilbage" in on_phone
    assert "Trygge børn" in projected and "3 prikker" not in projected and "stage-ranking" not in projected
    assert "3 prikker i alt" in client.get(f"{base}/console").get_data(as_text=True)  # the pair sees it coming
    assert client.post(f"{base}/results", data={"value": "1"}).status_code == 200
    assert "3 prikker i alt" in phone.get(phone_base).get_data(as_text=True)
    assert "3 prikker" in client.get(f"{base}/projector").get_data(as_text=True)
    client.post(f"{base}/results", data={"value": "0"})
    assert "prikker i alt" not in phone.get(phone_base).get_data(as_text=True)


def test_the_votes_on_the_task_in_focus_show_once_revealed_and_hide_again_at_the_next_task(client, app, console):
    world, _base = console
    base, (first, second) = _visit_2(world, 2, [("Morgenmøde", "undecided"), ("Madpakker", "undecided")])
    _votes(world, first, ["keep", "keep", "develop"])
    phone = app.test_client()
    phone_base = join(phone, fresh(Visit, world.second_visit.id))

    def counts(html):
        return re.findall(r'<span class="(?:count|stage-count)">(\d+)</span>', html)

    assert counts(phone.get(phone_base).get_data(as_text=True)) == []
    assert counts(client.get(f"{base}/projector").get_data(as_text=True)) == []
    assert client.post(f"{base}/results", data={"value": "1"}).status_code == 200
    assert counts(phone.get(phone_base).get_data(as_text=True)) == ["1", "2", "0"]  # develop, keep, phase out
    assert counts(client.get(f"{base}/projector").get_data(as_text=True)) == ["1", "2", "0"]
    assert client.post(f"{base}/focus", data={"task": second.id}).status_code == 200
    assert not fresh(Visit, world.second_visit.id).results_shown  # a new task: its votes are hidden
    assert "Madpakker" in client.get(f"{base}/projector").get_data(as_text=True)
    assert counts(phone.get(phone_base).get_data(as_text=True)) == []
    assert client.post(f"{base}/focus", data={"task": second.id}).status_code == 204


def test_the_rooms_majority_is_one_click_and_still_the_facilitators_decision(client, console):
    world, _base = console
    base, (task, tie) = _visit_2(world, 2, [("Morgenmøde", "undecided"), ("Madpakker", "undecided")])
    _votes(world, task, ["keep", "keep", "develop"])
    _votes(world, tie, ["keep", "phase_out"])
    page = client.get(f"{base}/console").get_data(as_text=True)
    button = re.search(r'<button type="button" class="button primary" hx-post="([^"]+)"\s+hx-vals=\'([^\']+)\'>\s*Brug rummets flertal: '
                       r'Fastholde', page)
    assert button and button.group(1).endswith(f"/tasks/{task.id}/decision")
    values = json.loads(html.unescape(button.group(2)))
    assert (values["value"], values["base"]) == ("keep", "undecided")
    assert client.post(button.group(1), data=values).status_code == 200
    assert client.post(button.group(1), data=values).status_code == 200  # sent twice: saved once
    assert fresh(WorkTask, task.id).decision == "keep"
    assert db.session.scalar(db.select(db.func.count(Revision.id)).where(Revision.subject_id == task.id,
                                                                         Revision.field == "decision")) == 1
    page = client.get(f"{base}/console").get_data(as_text=True)
    # The task stays in front of the room for its reason; the next task is the primary action now.
    assert 'id="focus-title" class="focus-title">Morgenmøde' in page and "Beslutningen følger rummets flertal." in page
    assert re.search(rf'class="button primary" hx-post="{base}/focus" hx-vals=\'{{"task": {tie.id}}}\'>Næste opgave', page)
    client.post(f"{base}/focus", data={"task": tie.id})
    page = client.get(f"{base}/console").get_data(as_text=True)
    assert "Brug rummets flertal" not in page and "Stemmerne står lige" in page


def test_only_a_task_on_the_visits_list_can_be_put_in_focus(client, console):
    world, _base = console
    base, (task,) = _visit_2(world, 2, [("Dublet", "undecided")])
    assert client.post(f"{base}/focus", data={"task": 99999}).status_code == 404
    assert client.post(f"{base}/focus", data={"task": "x"}).status_code == 422
    task = fresh(WorkTask, task.id)
    task.removed = True
    db.session.commit()
    assert client.post(f"{base}/focus", data={"task": task.id}).status_code == 422
    assert client.post(f"/visits/{world.visit.id}/focus", data={"task": task.id}).status_code == 410  # visit 1 closed


def test_after_locking_the_wording_the_next_step_is_the_primary_action(client, console):
    world, base = console
    client.post(f"{base}/step", data={"position": 2})
    page = client.get(f"{base}/console").get_data(as_text=True)
    assert re.search(r'class="button primary"[^>]*data-shortcut="next"', page)
    client.post(f"{base}/step", data={"position": 3})
    fresh(Visit, world.visit.id).draft.core_task = "Trygge børn"
    db.session.commit()
    page = client.get(f"{base}/console").get_data(as_text=True)
    assert re.search(r'class="button primary" hx-post="[^"]+/lock" hx-vals=\'{"value": "1"}\'>Lås formuleringen', page)
    assert 'class="button" href="#afslut"' in page  # closing waits for the wording
    client.post(f"{base}/lock", data={"value": "1"})
    page = client.get(f"{base}/console").get_data(as_text=True)
    assert 'class="button primary" href="#afslut"' in page and "Lås op igen" not in page
    assert re.search(r'<button type="button" class="button" hx-post="[^"]+/lock" hx-vals=\'{"value": "0"}\'\s+hx-confirm=', page)


def test_closing_visit_2_warns_about_undecided_tasks_and_an_empty_action_plan(client, console):
    world, _base = console
    base, (planned, undecided, _other) = _visit_2(world, 1, [("Morgenmøde", "develop"), ("Madpakker", "undecided"),
                                                             ("Temauger", "undecided")])
    page = client.get(f"{base}/console").get_data(as_text=True).split('id="afslut"')[1]
    assert "2 opgaver er ikke besluttet." in page and "Handleplanen er tom" in page
    assert "Gå til trinnet „Udvikle, fastholde eller afvikle“" in page and "Gå til trinnet „Handleplan" in page
    assert f'href="/processes/{world.process.id}#tasks"' in page and "Afslut alligevel" in page
    refused = client.post(f"{base}/close")
    assert refused.status_code == 409 and "Ikke alle opgaver er besluttet" in refused.get_data(as_text=True)
    assert fresh(Visit, world.second_visit.id).status == "open"
    task = fresh(WorkTask, planned.id)
    task.owner, task.deadline, task.follow_up_on = "Pia", date(2027, 2, 1), date(2027, 3, 1)
    for row in (fresh(WorkTask, undecided.id), fresh(WorkTask, _other.id)):
        row.removed = True
    db.session.commit()
    page = client.get(f"{base}/console").get_data(as_text=True)
    assert "Afslut alligevel" not in page and "Handleplanen er tom" not in page
    assert client.post(f"{base}/close").status_code == 200


def test_closing_visit_2_with_no_tasks_at_all_warns_too_and_can_be_confirmed(client, console):
    world, _base = console
    base, _rows = _visit_2(world, 3)
    page = client.get(f"{base}/console").get_data(as_text=True)
    assert "Der er ingen arbejdsopgaver på listen." in page and "Gå til trinnet „Arbejdsopgaver“" in page
    assert client.post(f"{base}/close").status_code == 409
    assert client.post(f"{base}/close", data={"confirm": "unsettled"}).status_code == 200


def test_visit_2_is_not_offered_for_opening_before_the_core_task_is_locked(client, console):
    world, _base = console
    second = f"/visits/{world.second_visit.id}"
    home = client.get("/").get_data(as_text=True)
    assert f'action="{second}/open"' not in home
    assert "Besøg 2 kan først åbnes, når kerneopgaven er låst på besøg 1." in home
    assert f'href="/visits/{world.visit.id}/console">Lås formuleringen på konsollen til besøg 1' in home
    planned = client.get(f"{second}/console").get_data(as_text=True)
    assert f'action="{second}/open"' not in planned and "Åbn besøget" not in planned
    assert f'href="/visits/{world.visit.id}/console"' in planned
    close_visit(fresh(Visit, world.visit.id))
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert f'href="/processes/{world.process.id}#kerneopgaven">Skriv kerneopgaven færdig og lås den' in home
    draft = fresh(Visit, world.visit.id).draft
    draft.core_task, draft.locked_at = "Trygge børn", utcnow()
    db.session.commit()
    assert f'action="{second}/open"' in client.get("/").get_data(as_text=True)
    assert f'action="{second}/open"' in client.get(f"{second}/console").get_data(as_text=True)


def test_the_console_shows_the_saves_arriving_from_the_room(client, app, console):
    world, base = console
    assert "0 bidrag gemt" in client.get(f"{base}/console").get_data(as_text=True)
    phone = app.test_client()
    phone_base = join(phone, world.visit, "Anne")
    step = steps_of(fresh(Visit, world.visit.id))[0]
    for n, text in enumerate(("Tryghed", "Læring")):
        phone.post(f"{phone_base}/ideas", data={"text": text, "step": step.id, "edit_id": f"edit-i00{n}"})
    page = client.get(f"{base}/console").get_data(as_text=True)
    assert re.search(r"2 bidrag gemt ·\s+seneste \d\d:\d\d:\d\d fra Anne", page)


def test_an_undecided_task_starts_on_choose_and_the_empty_choice_records_no_decision(client, console):
    world, _base = console
    base, (task,) = _visit_2(world, 2, [("Morgenmøde", "undecided")])
    page = client.get(f"{base}/console").get_data(as_text=True)
    select = re.search(rf'<select id="f-task-{task.id}-decision".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"\s*selected', select) == [""]
    assert re.search(r'<option value=""\s*selected>Vælg …</option>', select)
    assert "Ikke besluttet" not in select  # "no decision" is the prompt, not a decision one can pick
    url = f"/w/{world.second_visit.public_id}/tasks/{task.id}/decision"
    for empty in ("", "undecided"):
        refused = client.post(url, data={"value": empty, "base": "undecided", "edit_id": f"e-{empty or 'x'}-1234567"})
        assert refused.status_code == 422
        assert "Vælg en beslutning: udvikle, fastholde eller afvikle." in refused.get_data(as_text=True)
    assert fresh(WorkTask, task.id).decision == "undecided"
    assert db.session.scalar(db.select(db.func.count(Revision.id)).where(Revision.subject_id == task.id,
                                                                         Revision.field == "decision")) == 0
    decided = client.post(url, data={"value": "keep", "base": "undecided", "edit_id": "e-keep-1234567"})
    assert decided.status_code == 200 and fresh(WorkTask, task.id).decision == "keep"
    select = re.search(rf'<select id="f-task-{task.id}-decision".*?</select>',
                       client.get(f"{base}/console").get_data(as_text=True), re.S).group(0)
    assert "Vælg …" not in select and re.findall(r'<option value="([^"]*)"\s*selected', select) == ["keep"]
