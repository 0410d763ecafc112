"""The participant's phone: page, polling, ideas, dots, the draft and the tasks."""
import re
from datetime import timedelta

import pytest
from world import build, fresh, join, login, version

from kerne.models import CoreTaskDraft, DotVote, Idea, Participant, Revision, TaskVote, Visit, WorkTask, utcnow
from kerne.web.extensions import db
from kerne.workshop.ideas import merge_ideas
from kerne.workshop.live import Actor
from kerne.workshop.visits import close_visit, go_to_step, set_locked


@pytest.fixture
def room(client):
    """An open visit and one joined phone; returns (world, base path of the phone's visit)."""
    world = build()
    return world, join(client, world.visit, "Sofie")


def at_step(world, position: int) -> None:
    go_to_step(world.visit, position)
    db.session.commit()


def new_idea(client, base, world, text="Tryghed for børnene", edit_id="edit-0001", step_position=None):
    step = world.visit.step_position if step_position is None else step_position
    from kerne.workshop.visits import steps_of

    step_id = steps_of(world.visit)[step - 1].id
    return client.post(f"{base}/ideas", data={"text": text, "edit_id": edit_id, "step": step_id, "tag": ""})


# ---- page and polling --------------------------------------------------------

def test_page_shows_the_current_step_in_danish(client, room):
    _world, base = room
    response = client.get(base)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="da">' in page
    assert "Ramme og formål" in page and "Hvad ville borgerne savne" in page
    assert f'hx-get="{base}/changes"' in page


def test_unchanged_poll_is_204_with_no_body(client, room):
    world, base = room
    response = client.get(f"{base}/changes?since={fresh(Visit, world.visit.id).version}")
    assert response.status_code == 204
    assert response.data == b""


def test_changed_poll_returns_the_live_block_with_the_new_version(client, room):
    world, base = room
    before = fresh(Visit, world.visit.id).version
    at_step(world, 2)
    response = client.get(f"{base}/changes?since={before}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="live"')
    assert version(html) == before + 1
    assert "Perspektiver" in html
    assert "<html" not in html


def test_poll_without_since_is_a_bad_request(client, room):
    _world, base = room
    assert client.get(f"{base}/changes").status_code == 400
    assert client.get(f"{base}/changes?since=abc").status_code == 400


def test_poll_without_joining_is_forbidden(client, app):
    world = build()
    assert client.get(f"/w/{world.visit.public_id}/changes?since=1").status_code == 403


def test_the_not_joined_page_has_room_for_text_the_phone_could_not_save(client, room):
    world, _base = room
    response = client.application.test_client().get(f"/w/{world.visit.public_id}")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    # Named by its visit (kerne.js shows this visit's text there), and marked as the page of a phone not joined.
    assert f'<section id="kept" class="kept" data-visit="{world.visit.public_id}" aria-live="polite" hidden></section>' in page
    assert "data-error-message data-not-joined>" in page


def test_poll_of_an_unknown_visit_is_404(client, room):
    assert client.get("/w/nope/changes?since=1").status_code in (403, 404)


def test_closed_visit_page_thanks_the_room_and_stops_polling(client, room):
    world, base = room
    close_visit(world.visit)
    db.session.commit()
    page = client.get(base).get_data(as_text=True)
    assert "Besøget er afsluttet" in page
    assert "data-ended" in page and "data-fast-poll" not in page


def test_every_step_of_an_open_visit_polls_fast(client, room):
    """A new idea reaches the other phones as fast as a draft word does: kerne.js polls fast on every step."""
    world, base = room
    for position in (1, 2, 3):
        at_step(world, position)
        assert "data-fast-poll" in client.get(base).get_data(as_text=True)


# ---- ideas ---------------------------------------------------------------------

def test_new_idea_appears_in_the_answer(client, room):
    world, base = room
    response = new_idea(client, base, world)
    assert response.status_code == 200
    assert "Tryghed for børnene" in response.get_data(as_text=True)
    idea = db.session.scalars(db.select(Idea)).one()
    assert idea.participant.display_name == "Sofie"


def test_resending_the_same_idea_adds_it_once(client, room):
    world, base = room
    assert new_idea(client, base, world).status_code == 200
    assert new_idea(client, base, world).status_code == 204
    assert db.session.scalar(db.select(db.func.count()).select_from(Idea)) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Skriv din idé først."),
        ("   ", "Skriv din idé først."),
        ("x" * 10_000, "Højst 280 tegn."),
        ("tryg\x00hed", "usynlige styretegn"),
    ],
)
def test_bad_ideas_are_refused_next_to_the_field(client, room, text, message):
    world, base = room
    response = new_idea(client, base, world, text=text)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Idea)) == 0


def test_idea_text_is_escaped(client, room):
    world, base = room
    new_idea(client, base, world, text='Børn <3 & "voksne"')
    html = client.get(base).get_data(as_text=True)
    assert "Børn &lt;3 &amp; &#34;voksne&#34;" in html


def test_idea_for_a_step_of_another_visit_is_refused(client, room):
    world, base = room
    from kerne.workshop.visits import steps_of

    other_step = steps_of(world.second_visit)[0]
    response = client.post(f"{base}/ideas", data={"text": "x", "edit_id": "edit-0002", "step": other_step.id})
    assert response.status_code == 400


def test_idea_without_csrf_is_refused(client, room):
    world, base = room
    from kerne.workshop.visits import steps_of

    response = client.post(
        f"{base}/ideas", data={"text": "x", "edit_id": "edit-0003", "step": steps_of(world.visit)[0].id}, csrf=False
    )
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(Idea)) == 0


def test_idea_in_a_closed_visit_is_refused(client, room):
    world, base = room
    close_visit(world.visit)
    db.session.commit()
    response = new_idea(client, base, world)
    assert response.status_code == 410
    assert "afsluttet" in response.get_data(as_text=True)


def test_a_save_to_an_idea_merged_away_meanwhile_is_kept_for_its_author(client, app, room):
    world, base = room
    new_idea(client, base, world, text="Tryghed", edit_id="edit-0090")
    new_idea(client, base, world, text="Glæde", edit_id="edit-0091")
    mine, target = db.session.scalars(db.select(Idea).order_by(Idea.id)).all()
    merge_ideas(world.visit, Actor(user=world.first.user), mine, target)
    db.session.commit()
    save = {"value": "Tryghed hver dag", "base": "Tryghed", "edit_id": "edit-0092"}
    response = client.post(f"{base}/ideas/{mine.id}", data=save)
    assert response.status_code == 409
    assert "lagt sammen med en anden" in response.get_data(as_text=True)
    assert fresh(Idea, target.id).text == "Glæde · Tryghed"
    refused = db.session.scalars(db.select(Revision).where(Revision.kind == "refused")).one()
    assert (refused.value, refused.subject_id) == ("Tryghed hver dag", mine.id)


def test_author_edits_own_idea_but_not_others(client, app, room):
    world, base = room
    new_idea(client, base, world)
    idea = db.session.scalars(db.select(Idea)).one()
    save = {"value": "Tryghed for alle børn", "base": idea.text, "edit_id": "edit-0004"}
    assert client.post(f"{base}/ideas/{idea.id}", data=save).status_code == 200
    assert fresh(Idea, idea.id).text == "Tryghed for alle børn"

    other = app.test_client()
    other_base = join(other, world.visit, "Bo")
    response = other.post(f"{other_base}/ideas/{idea.id}", data={**save, "value": "Hacket", "edit_id": "edit-0005"})
    assert response.status_code == 403
    assert fresh(Idea, idea.id).text == "Tryghed for alle børn"


# ---- dots --------------------------------------------------------------------

def test_dots_are_placed_up_to_the_limit(client, room):
    world, base = room
    at_step(world, 2)
    new_idea(client, base, world)
    idea = db.session.scalars(db.select(Idea)).one()
    response = client.post(f"{base}/ideas/{idea.id}/dots", data={"dots": 3})
    assert response.status_code == 200
    assert "Du har 0 prikker tilbage" in response.get_data(as_text=True)
    assert client.post(f"{base}/ideas/{idea.id}/dots", data={"dots": 3}).status_code == 204
    response = client.post(f"{base}/ideas/{idea.id}/dots", data={"dots": 4})
    assert response.status_code == 422
    assert "Du har ikke flere prikker" in response.get_data(as_text=True)
    assert db.session.get(DotVote, (idea.id, 1)).dots == 3


def test_dots_can_be_taken_back(client, room):
    world, base = room
    at_step(world, 2)
    new_idea(client, base, world)
    idea = db.session.scalars(db.select(Idea)).one()
    client.post(f"{base}/ideas/{idea.id}/dots", data={"dots": 2})
    client.post(f"{base}/ideas/{idea.id}/dots", data={"dots": 0})
    assert db.session.scalar(db.select(db.func.count()).select_from(DotVote)) == 0


def test_dots_go_only_on_the_vote_steps_ideas_that_are_still_there(client, app, room):
    world, base = room
    new_idea(client, base, world, text="Fra første trin", edit_id="edit-0101")  # step 1 collects ideas, no dots
    at_step(world, 2)
    new_idea(client, base, world, text="Tryghed", edit_id="edit-0102")
    new_idea(client, base, world, text="Tryghed for alle", edit_id="edit-0103")
    first_step, kept, merged = db.session.scalars(db.select(Idea).order_by(Idea.id)).all()
    merge_ideas(fresh(Visit, world.visit.id), Actor(user=world.first), merged, kept)
    db.session.commit()
    for idea in (first_step, merged):
        response = client.post(f"{base}/ideas/{idea.id}/dots", data={"dots": 1})
        assert response.status_code == 422 and "Denne idé kan ikke få prikker" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(DotVote)) == 0
    assert client.post(f"{base}/ideas/{kept.id}/dots", data={"dots": 1}).status_code == 200


def test_negative_dots_are_refused(client, room):
    world, base = room
    at_step(world, 2)
    new_idea(client, base, world)
    idea = db.session.scalars(db.select(Idea)).one()
    assert client.post(f"{base}/ideas/{idea.id}/dots", data={"dots": -1}).status_code == 422


# ---- the draft -----------------------------------------------------------------

def draft_save(client, base, part, value, base_value, edit_id):
    return client.post(f"{base}/draft/{part}", data={"value": value, "base": base_value, "edit_id": edit_id})


def draft(world) -> CoreTaskDraft:
    return fresh(Visit, world.visit.id).draft


def test_the_draft_step_shows_the_three_ideas_with_most_dots_per_perspective(client, room):
    world, base = room
    from kerne.workshop.visits import steps_of

    vote_step = steps_of(world.visit)[1]
    voter = db.session.scalar(db.select(Participant.id).where(Participant.visit_id == world.visit.id))
    # (text, tag, dots, hidden): ties go to the older idea; no dots, no tag or hidden never show.
    planned = [("Trygge børn", "effect", 2, False), ("Glade børn", "effect", 5, False),
               ("Lærende børn", "effect", 2, False), ("Legende børn", "effect", 1, False),
               ("Skjult idé", "effect", 9, True), ("Uden prikker", "effect", 0, False),
               ("Uden emne", None, 4, False), ("Forældrene", "target_group", 3, False)]
    for text, tag, dots, hidden in planned:
        idea = Idea(visit_id=world.visit.id, step_id=vote_step.id, text=text, tag=tag, hidden=hidden,
                    participant_id=voter)
        db.session.add(idea)
        db.session.flush()
        if dots:
            db.session.add(DotVote(idea_id=idea.id, participant_id=voter, dots=dots))
    at_step(world, 3)
    page = client.get(base).get_data(as_text=True)

    def shown(part):
        box = re.search(rf'id="suggestions-{part}".*?</details>', page, re.DOTALL)
        return re.findall(r"<li>(.*?) <span", box.group(0)) if box else []

    assert shown("effect") == ["Glade børn", "Trygge børn", "Lærende børn"]
    assert shown("target_group") == ["Forældrene"]
    assert shown("approach") == [] and "Uden emne" not in page and "Skjult idé" not in page
    assert "(5 prikker)" in page and "(3 prikker)" in page


def test_draft_save_is_applied_and_recorded(client, room):
    world, base = room
    at_step(world, 3)
    response = draft_save(client, base, "core_task", "Vi skaber tryghed", "", "edit-0010")
    assert response.status_code == 200
    assert draft(world).core_task == "Vi skaber tryghed"
    revision = db.session.scalars(db.select(Revision).where(Revision.subject == "draft")).one()
    assert (revision.kind, revision.value, revision.participant.display_name) == ("edit", "Vi skaber tryghed", "Sofie")


def test_stale_draft_save_is_merged(client, app, room):
    world, base = room
    at_step(world, 3)
    other = app.test_client()
    other_base = join(other, world.visit, "Bo")
    draft_save(client, base, "core_task", "Vi skaber tryghed", "", "edit-0011")
    draft_save(other, other_base, "core_task", "Vi skaber tryghed for børn", "Vi skaber tryghed", "edit-0012")
    response = draft_save(client, base, "core_task", "Sammen: Vi skaber tryghed", "Vi skaber tryghed", "edit-0013")
    assert response.status_code == 200
    assert draft(world).core_task == "Sammen: Vi skaber tryghed for børn"
    assert 'data-base="Sammen: Vi skaber tryghed for børn"' in response.get_data(as_text=True)
    kinds = db.session.scalars(db.select(Revision.kind).order_by(Revision.id)).all()
    assert kinds == ["edit", "edit", "merge"]


def test_unmergeable_draft_save_keeps_both_and_asks_the_author(client, app, room):
    world, base = room
    at_step(world, 3)
    other = app.test_client()
    other_base = join(other, world.visit, "Bo")
    draft_save(client, base, "effect", "Børn trives", "", "edit-0020")
    draft_save(other, other_base, "effect", "Børn lærer", "Børn trives", "edit-0021")
    response = draft_save(client, base, "effect", "Børn leger", "Børn trives", "edit-0022")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert draft(world).effect == "Børn lærer"
    assert "Nogen ændrede teksten samtidig med dig" in html and "<blockquote>Børn leger</blockquote>" in html
    conflict = db.session.scalars(db.select(Revision).where(Revision.kind == "conflict")).one()
    assert conflict.value == "Børn leger" and not conflict.resolved
    # the other phone is not bothered with it
    assert "Nogen ændrede teksten" not in other.get(other_base).get_data(as_text=True)

    response = client.post(f"{base}/conflicts/{conflict.id}", data={"keep": "mine"})
    assert response.status_code == 200
    assert draft(world).effect == "Børn leger"
    assert "Nogen ændrede teksten" not in response.get_data(as_text=True)
    assert client.post(f"{base}/conflicts/{conflict.id}", data={"keep": "mine"}).status_code == 204


def test_conflict_keep_theirs_leaves_the_text(client, app, room):
    world, base = room
    at_step(world, 3)
    other = app.test_client()
    other_base = join(other, world.visit)
    draft_save(client, base, "effect", "Børn trives", "", "edit-0030")
    draft_save(other, other_base, "effect", "Børn lærer", "Børn trives", "edit-0031")
    draft_save(client, base, "effect", "Børn leger", "Børn trives", "edit-0032")
    conflict = db.session.scalars(db.select(Revision).where(Revision.kind == "conflict")).one()
    assert other.post(f"{other_base}/conflicts/{conflict.id}", data={"keep": "mine"}).status_code == 404
    assert client.post(f"{base}/conflicts/{conflict.id}", data={"keep": "theirs"}).status_code == 200
    assert draft(world).effect == "Børn lærer"
    assert fresh(Revision, conflict.id).resolved


def test_resent_draft_save_is_harmless(client, room):
    world, base = room
    at_step(world, 3)
    assert draft_save(client, base, "ambition", "Stoltere", "", "edit-0040").status_code == 200
    # Its answer was lost: the resend changes nothing and answers with the field as the room has it.
    draft_save(client, base, "ambition", "Stoltere og gladere", "", "edit-0041")
    response = draft_save(client, base, "ambition", "Stoltere", "", "edit-0040")
    assert response.status_code == 200
    assert 'data-base="Stoltere og gladere"' in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Revision)) == 2


def clash(client, app, world, base):
    """Sofie's "Børn leger" clashes with Bo's "Børn lærer" (from "Børn trives"); returns Bo's client, base and the conflict."""
    at_step(world, 3)
    other = app.test_client()
    other_base = join(other, world.visit, "Bo")
    draft_save(client, base, "effect", "Børn trives", "", "edit-0100")
    draft_save(other, other_base, "effect", "Børn lærer", "Børn trives", "edit-0101")
    draft_save(client, base, "effect", "Børn leger", "Børn trives", "edit-0102")
    return other, other_base, db.session.scalars(db.select(Revision).where(Revision.kind == "conflict")).one()


def test_a_resent_save_that_clashed_answers_with_the_conflict(client, app, room):
    world, base = room
    _other, _other_base, conflict = clash(client, app, world, base)
    response = draft_save(client, base, "effect", "Børn leger", "Børn trives", "edit-0102")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="conflict-{conflict.id}"' in html and "<blockquote>Børn leger</blockquote>" in html
    assert db.session.scalar(db.select(db.func.count()).where(Revision.kind == "conflict")) == 1


def test_use_my_version_keeps_what_was_written_since(client, app, room):
    world, base = room
    other, other_base, conflict = clash(client, app, world, base)
    draft_save(other, other_base, "effect", "Alle børn lærer hver dag", "Børn lærer", "edit-0103")
    response = client.post(f"{base}/conflicts/{conflict.id}", data={"keep": "mine"})
    assert response.status_code == 200
    assert draft(world).effect == "Alle børn leger hver dag"
    assert fresh(Revision, conflict.id).resolved


def test_use_my_version_after_the_same_words_changed_again_leaves_the_author_to_edit(client, app, room):
    world, base = room
    other, other_base, conflict = clash(client, app, world, base)
    draft_save(other, other_base, "effect", "Børn udvikler sig", "Børn lærer", "edit-0104")
    response = client.post(f"{base}/conflicts/{conflict.id}", data={"keep": "mine"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert draft(world).effect == "Børn udvikler sig"  # nobody's later words are dropped
    assert not fresh(Revision, conflict.id).resolved
    assert "Der er skrevet om i de samme ord siden" in html and "<blockquote>Børn leger</blockquote>" in html
    assert client.post(f"{base}/conflicts/{conflict.id}", data={"keep": "theirs"}).status_code == 200
    assert fresh(Revision, conflict.id).resolved


def test_an_open_conflict_is_shown_read_only_once_the_visit_is_closed(client, app, room):
    world, base = room
    other, other_base, conflict = clash(client, app, world, base)
    close_visit(world.visit)
    db.session.commit()
    html = client.get(base).get_data(as_text=True)
    assert "Besøget er afsluttet, før du valgte" in html
    assert re.search(rf'<textarea id="conflict-{conflict.id}-text" rows="3" readonly>Børn leger</textarea>', html)
    assert f'data-copy="conflict-{conflict.id}-text"' in html and "Brug min version" not in html
    assert "Børn leger" not in other.get(other_base).get_data(as_text=True)
    assert client.post(f"{base}/conflicts/{conflict.id}", data={"keep": "mine"}).status_code == 410


@pytest.fixture
def later(monkeypatch):
    """Move the server's clock on by ``seconds``."""
    def move(seconds: int) -> None:
        then = utcnow() + timedelta(seconds=seconds)
        for module in ("live", "board", "participate"):
            monkeypatch.setattr(f"kerne.workshop.{module}.utcnow", lambda: then)

    return move


def test_conflicts_of_a_participant_gone_quiet_reach_the_console_to_be_settled(client, app, room, later):
    world, base = room
    other, other_base, conflict = clash(client, app, world, base)
    laptop = app.test_client()
    login(laptop, world.first.email)
    console = laptop.get(f"/visits/{world.visit.id}/console").get_data(as_text=True)
    assert "Børn leger" not in console and 'name="quiet" value=""' in console  # Sofie's own, while she is here
    assert laptop.post(f"{base}/conflicts/{conflict.id}", data={"keep": "mine"}).status_code == 404

    later(121)  # her cookies were cleared, say: for two minutes her phone has not asked after it
    since = fresh(Visit, world.visit.id).version
    answer = laptop.get(f"{base}/changes?since={since}&quiet=")  # the console's poll: the version did not change
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Sofie har ikke været på siden et stykke tid" in html and "<blockquote>Børn leger</blockquote>" in html
    assert f'name="quiet" value="{conflict.id}"' in html and "Brug deltagerens version" in html
    assert laptop.get(f"{base}/changes?since={since}&quiet={conflict.id}").status_code == 204
    assert "Børn leger" not in other.get(other_base).get_data(as_text=True)  # still no one else's

    assert laptop.post(f"{base}/conflicts/{conflict.id}", data={"keep": "mine"}).status_code == 200
    assert draft(world).effect == "Børn leger"
    assert fresh(Revision, conflict.id).resolved
    assert "data-conflict" not in laptop.get(f"{base}/changes?since=-1&quiet=").get_data(as_text=True)


def test_a_phone_waiting_on_its_conflict_keeps_it_its_own(client, app, room, later):
    world, base = room
    _other, _other_base, conflict = clash(client, app, world, base)
    laptop = app.test_client()
    login(laptop, world.first.email)
    later(121)
    page = client.get(base).get_data(as_text=True)
    assert '<input type="hidden" id="live-waiting" name="waiting" value="1">' in page  # her poll says she waits on it
    assert client.get(f"{base}/changes?since={fresh(Visit, world.visit.id).version}&waiting=1").status_code == 204
    console = laptop.get(f"/visits/{world.visit.id}/console").get_data(as_text=True)
    assert "Børn leger" not in console and 'name="quiet" value=""' in console
    assert laptop.post(f"{base}/conflicts/{conflict.id}", data={"keep": "mine"}).status_code == 404


def test_unchanged_draft_save_is_204(client, room):
    world, base = room
    at_step(world, 3)
    assert draft_save(client, base, "ambition", "", "", "edit-0041").status_code == 204


@pytest.mark.parametrize(
    ("value", "message"),
    [("x" * 10_000, "Højst 1000 tegn."), ("a\x07b", "usynlige styretegn")],
)
def test_bad_draft_text_is_refused_and_nothing_saved_is_lost(client, room, value, message):
    world, base = room
    at_step(world, 3)
    draft_save(client, base, "core_task", "Det gode udkast", "", "edit-0050")
    response = draft_save(client, base, "core_task", value, "Det gode udkast", "edit-0051")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert draft(world).core_task == "Det gode udkast"


def test_unknown_draft_part_is_404(client, room):
    _world, base = room
    assert client.post(f"{base}/draft/motto", data={"value": "x", "base": "", "edit_id": "edit-0060"}).status_code == 404


def test_save_without_edit_id_is_refused(client, room):
    world, base = room
    at_step(world, 3)
    assert client.post(f"{base}/draft/effect", data={"value": "x", "base": ""}).status_code == 422


def test_locked_draft_refuses_participants(client, room):
    world, base = room
    at_step(world, 3)
    set_locked(world.visit, True)
    db.session.commit()
    response = draft_save(client, base, "core_task", "Ændret", "", "edit-0070")
    assert response.status_code == 409
    assert "låst" in response.get_data(as_text=True)
    assert "readonly" in client.get(base).get_data(as_text=True)


def test_a_save_refused_while_locked_and_sent_again_after_the_unlock_is_saved(client, room):
    world, base = room
    at_step(world, 3)
    set_locked(world.visit, True)
    db.session.commit()
    assert draft_save(client, base, "effect", "Børn trives", "", "edit-0071").status_code == 409
    # Its answer was lost; the phone sends it again once the wording is unlocked: the words go in the field.
    set_locked(fresh(Visit, world.visit.id), False)
    db.session.commit()
    response = draft_save(client, base, "effect", "Børn trives", "", "edit-0071")
    assert response.status_code == 200
    assert draft(world).effect == "Børn trives"
    assert db.session.scalars(db.select(Revision.kind).where(Revision.edit_id == "edit-0071")).all() == ["edit"]
    # A third copy changes nothing.
    assert draft_save(client, base, "effect", "Børn trives", "", "edit-0071").status_code == 200
    assert db.session.scalar(db.select(db.func.count()).select_from(Revision)) == 1


def test_a_refused_save_sent_again_while_still_locked_is_refused_again_and_kept_once(client, room):
    world, base = room
    at_step(world, 3)
    set_locked(world.visit, True)
    db.session.commit()
    for _ in range(2):
        assert draft_save(client, base, "effect", "Børn trives", "", "edit-0072").status_code == 409
    assert db.session.scalars(db.select(Revision.kind)).all() == ["refused"]


def test_history_lists_every_version_and_restores_one(client, room):
    world, base = room
    at_step(world, 3)
    draft_save(client, base, "core_task", "Første", "", "edit-0080")
    draft_save(client, base, "core_task", "Anden", "Første", "edit-0081")
    page = client.get(f"{base}/draft/core_task/history").get_data(as_text=True)
    assert page.index("Anden") < page.index("Første")
    first = db.session.scalars(db.select(Revision).where(Revision.value == "Første")).one()
    response = client.post(f"{base}/revisions/{first.id}/restore")
    assert response.status_code == 302
    assert draft(world).core_task == "Første"
    assert db.session.scalars(db.select(Revision.kind).order_by(Revision.id.desc())).first() == "restore"


def test_history_of_unknown_part_is_404(client, room):
    _world, base = room
    assert client.get(f"{base}/draft/motto/history").status_code == 404


# ---- tasks -----------------------------------------------------------------------

@pytest.fixture
def tasks_room(client, room):
    world, base = room
    world.second_visit.status = "planned"
    from kerne.workshop.visits import open_visit

    close_visit(world.visit)
    open_visit(world.second_visit)
    db.session.commit()
    base = join(client, world.second_visit, "Sofie")
    return world, base


def add_task(client, base, title, edit_id):
    return client.post(f"{base}/tasks", data={"title": title, "edit_id": edit_id})


def titles(world):
    db.session.expire_all()
    query = db.select(WorkTask.title).where(WorkTask.visit_id == world.second_visit.id).order_by(WorkTask.position)
    return db.session.scalars(query).all()


def test_tasks_are_added_once_and_in_order(client, tasks_room):
    world, base = tasks_room
    assert add_task(client, base, "Morgenmøde", "edit-0100").status_code == 200
    assert add_task(client, base, "Morgenmøde", "edit-0100").status_code == 204
    add_task(client, base, "Dokumentation", "edit-0101")
    assert titles(world) == ["Morgenmøde", "Dokumentation"]


def test_empty_task_is_refused(client, tasks_room):
    _world, base = tasks_room
    response = add_task(client, base, " ", "edit-0102")
    assert response.status_code == 422
    assert "Skriv opgaven først." in response.get_data(as_text=True)


def test_tasks_are_reordered_by_target_position(client, tasks_room):
    world, base = tasks_room
    for n, title in enumerate(["A", "B", "C"]):
        add_task(client, base, title, f"edit-011{n}")
    task_c = db.session.scalars(db.select(WorkTask).where(WorkTask.title == "C")).one()
    assert client.post(f"{base}/tasks/{task_c.id}/position", data={"position": 1}).status_code == 200
    assert titles(world) == ["C", "A", "B"]
    assert client.post(f"{base}/tasks/{task_c.id}/position", data={"position": 1}).status_code == 204
    assert client.post(f"{base}/tasks/{task_c.id}/position", data={"position": "op"}).status_code == 422


def test_task_votes_count_once_per_participant(client, tasks_room):
    _world, base = tasks_room
    add_task(client, base, "Morgenmøde", "edit-0120")
    task = db.session.scalars(db.select(WorkTask)).one()
    assert client.post(f"{base}/tasks/{task.id}/vote", data={"choice": "develop"}).status_code == 200
    assert client.post(f"{base}/tasks/{task.id}/vote", data={"choice": "develop"}).status_code == 204
    assert client.post(f"{base}/tasks/{task.id}/vote", data={"choice": "keep"}).status_code == 200
    assert db.session.scalars(db.select(TaskVote.choice)).all() == ["keep"]
    assert client.post(f"{base}/tasks/{task.id}/vote", data={"choice": "maybe"}).status_code == 422


def test_concurrent_decisions_on_a_task_are_not_overwritten(client, app, tasks_room):
    world, base = tasks_room
    add_task(client, base, "Morgenmøde", "edit-0130")
    task = db.session.scalars(db.select(WorkTask)).one()
    first, second = app.test_client(), app.test_client()
    login(first, world.first.email)
    login(second, world.second.email)
    go_to_step(world.second_visit, 2)
    url = f"/w/{world.second_visit.public_id}/tasks/{task.id}/decision"
    assert first.post(url, data={"value": "develop", "base": "undecided", "edit_id": "edit-0131"}).status_code == 200
    response = second.post(url, data={"value": "phase_out", "base": "undecided", "edit_id": "edit-0132"})
    assert response.status_code == 200
    assert fresh(WorkTask, task.id).decision == "develop"
    assert "Nogen ændrede teksten samtidig med dig" in response.get_data(as_text=True)
    conflict = db.session.scalars(db.select(Revision).where(Revision.kind == "conflict")).one()
    assert conflict.value == "phase_out"


def test_a_phone_votes_but_does_not_decide_for_the_room(client, tasks_room):
    _world, base = tasks_room
    add_task(client, base, "Morgenmøde", "edit-0133")
    task = db.session.scalars(db.select(WorkTask)).one()
    response = client.post(f"{base}/tasks/{task.id}/decision", data={"value": "develop", "base": "undecided",
                                                                       "edit_id": "edit-0134"})
    assert response.status_code == 403
    assert "Beslutningen træffes af facilitatorerne" in response.get_data(as_text=True)
    assert fresh(WorkTask, task.id).decision == "undecided"
    go_to_step(_world.second_visit, 2)
    db.session.commit()
    page = client.get(base).get_data(as_text=True)
    assert f'id="f-task-{task.id}-decision"' not in page
    assert "træffes af facilitatorerne efter jeres stemmer" in page  # said beside each task the phone votes on


@pytest.mark.parametrize(
    ("field", "value", "status"),
    [
        ("deadline", "2026-12-24", 200),
        ("deadline", "24/12", 422),
        ("follow_up_on", "", 204),
        ("decision", "maybe", 403),
        ("owner", "Teamleder", 200),
        ("title", "", 422),
        ("rationale", "y" * 501, 422),
        ("colour", "red", 404),
    ],
)
def test_task_fields_are_checked(client, tasks_room, field, value, status):
    _world, base = tasks_room
    add_task(client, base, "Morgenmøde", "edit-0140")
    task = db.session.scalars(db.select(WorkTask)).one()
    response = client.post(f"{base}/tasks/{task.id}/{field}", data={"value": value, "base": "", "edit_id": "edit-0141"})
    assert response.status_code == status


def test_a_task_of_another_visit_is_404(client, tasks_room):
    world, base = tasks_room
    other_task = WorkTask(visit_id=world.visit.id, position=1, title="Fremmed")
    db.session.add(other_task)
    db.session.commit()
    response = client.post(f"{base}/tasks/{other_task.id}/title", data={"value": "x", "base": "Fremmed", "edit_id": "edit-0150"})
    assert response.status_code == 404


def test_participant_cannot_use_facilitator_controls(client, room):
    world, _base = room
    response = client.post(f"/visits/{world.visit.id}/step", data={"position": 2})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_rename(client, room):
    _world, base = room
    response = client.post(f"{base}/name", data={"display_name": "Sofie B."})
    assert response.status_code == 200
    assert re.search(r"Du deltager som Sofie B\.", response.get_data(as_text=True))
    assert client.post(f"{base}/name", data={"display_name": "Sofie B."}).status_code == 204


def test_actor_wrote_compares_authors():
    class Row:
        participant_id, user_id = 3, None

    class Staff:
        id = 3

    assert Actor(participant_id=3).wrote(Row())
    assert not Actor(participant_id=4).wrote(Row())
    assert not Actor(user=Staff()).wrote(Row())


# ---- a resend after the room moved on --------------------------------------------
# A phone resends a save whose answer it never got. If the room took it, the answer is "saved",
# whatever happened since (locked, closed, merged); if the room refused it, it stays refused.

def lock_wording(visit):
    set_locked(visit, True)


def merge_away(visit):
    mine, target = db.session.scalars(db.select(Idea).order_by(Idea.id)).all()
    merge_ideas(visit, Actor(user=visit.process.facilitators[0].user), mine, target)


@pytest.mark.parametrize("since", [lock_wording, close_visit])
def test_a_resent_draft_save_is_saved_after_the_wording_was_locked_or_the_visit_closed(client, room, since):
    world, base = room
    at_step(world, 3)
    assert draft_save(client, base, "effect", "Børn trives", "", "edit-0200").status_code == 200
    since(fresh(Visit, world.visit.id))
    db.session.commit()
    assert draft_save(client, base, "effect", "Børn trives", "", "edit-0200").status_code == 200
    assert db.session.scalars(db.select(Revision.kind)).all() == ["edit"]


@pytest.mark.parametrize("since", [merge_away, close_visit])
def test_a_resent_idea_save_is_saved_after_the_idea_was_merged_or_the_visit_closed(client, room, since):
    world, base = room
    new_idea(client, base, world, text="Tryghed", edit_id="edit-0210")
    new_idea(client, base, world, text="Glæde", edit_id="edit-0211")
    mine = db.session.scalars(db.select(Idea).order_by(Idea.id)).first()
    save = {"value": "Tryghed hver dag", "base": "Tryghed", "edit_id": "edit-0212"}
    assert client.post(f"{base}/ideas/{mine.id}", data=save).status_code == 200
    since(fresh(Visit, world.visit.id))
    db.session.commit()
    assert client.post(f"{base}/ideas/{mine.id}", data=save).status_code == 200
    assert db.session.scalar(db.select(db.func.count()).where(Revision.kind == "refused")) == 0


def test_a_resent_task_save_is_saved_after_the_visit_closed(client, tasks_room):
    world, base = tasks_room
    add_task(client, base, "Morgenmøde", "edit-0220")
    task = db.session.scalars(db.select(WorkTask)).one()
    save = {"value": "Teamleder", "base": "", "edit_id": "edit-0221"}
    assert client.post(f"{base}/tasks/{task.id}/owner", data=save).status_code == 200
    close_visit(fresh(Visit, world.second_visit.id))
    db.session.commit()
    assert client.post(f"{base}/tasks/{task.id}/owner", data=save).status_code == 200
    assert db.session.scalar(db.select(db.func.count()).where(Revision.kind == "refused")) == 0


def test_a_resent_new_idea_is_saved_after_the_visit_closed(client, room):
    world, base = room
    step_position = world.visit.step_position
    assert new_idea(client, base, world, edit_id="edit-0230").status_code == 200
    close_visit(fresh(Visit, world.visit.id))
    db.session.commit()
    assert new_idea(client, base, world, edit_id="edit-0230", step_position=step_position).status_code == 204
    assert db.session.scalar(db.select(db.func.count()).select_from(Idea)) == 1


def test_a_resent_new_task_is_saved_after_the_visit_closed(client, tasks_room):
    world, base = tasks_room
    assert add_task(client, base, "Morgenmøde", "edit-0240").status_code == 200
    close_visit(fresh(Visit, world.second_visit.id))
    db.session.commit()
    assert add_task(client, base, "Morgenmøde", "edit-0240").status_code == 204
    assert titles(world) == ["Morgenmøde"]


def test_a_save_refused_while_locked_and_sent_again_after_the_visit_closed_is_still_refused(client, room):
    world, base = room
    at_step(world, 3)
    set_locked(world.visit, True)
    db.session.commit()
    assert draft_save(client, base, "effect", "Børn trives", "", "edit-0250").status_code == 409
    close_visit(fresh(Visit, world.visit.id))
    db.session.commit()
    response = draft_save(client, base, "effect", "Børn trives", "", "edit-0250")
    assert response.status_code == 410
    assert "ikke gemt" in response.get_data(as_text=True)
    assert draft(world).effect == ""
    assert db.session.scalars(db.select(Revision.kind)).all() == ["refused"]


def test_a_save_refused_after_the_merge_and_sent_again_is_refused_again(client, room):
    world, base = room
    new_idea(client, base, world, text="Tryghed", edit_id="edit-0260")
    new_idea(client, base, world, text="Glæde", edit_id="edit-0261")
    merge_away(world.visit)
    db.session.commit()
    mine = db.session.scalars(db.select(Idea).order_by(Idea.id)).first()
    save = {"value": "Tryghed hver dag", "base": "Tryghed", "edit_id": "edit-0262"}
    for _ in range(2):
        assert client.post(f"{base}/ideas/{mine.id}", data=save).status_code == 409
