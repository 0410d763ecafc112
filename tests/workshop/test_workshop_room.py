"""The room as a facilitator leads it, and what no participant may do to another's words.

Test-client tests of issue 7 (server side) and of issue 9's items 1-3.
"""
import re

import pytest
from world import build, fresh, join, login, version

from kerne.models import CoreTaskDraft, Idea, Participant, Revision, Visit, WorkTask
from kerne.web.extensions import db
from kerne.workshop.visits import close_visit, go_to_step, open_visit, set_locked, steps_of


@pytest.fixture
def room(app):
    """An open visit at the draft step, two joined phones (Anne, Bent) and a facilitator's console."""
    world = build()
    go_to_step(world.visit, 3)
    db.session.commit()
    anne, bent, console = app.test_client(), app.test_client(), app.test_client()
    login(console, world.first.email)
    return world, (anne, join(anne, world.visit, "Anne")), (bent, join(bent, world.visit, "Bent")), console


def save(phone, base, part, value, since, edit_id):
    return phone.post(f"{base}/draft/{part}", data={"value": value, "base": since, "edit_id": edit_id})


def draft_of(world) -> CoreTaskDraft:
    return fresh(Visit, world.visit.id).draft


def revisions(kind=None):
    query = db.select(Revision).order_by(Revision.id)
    if kind:
        query = query.where(Revision.kind == kind)
    db.session.expire_all()
    return db.session.scalars(query).all()


def clash(world, anne, bent):
    """Anne and Bent change the same word from the same start: Bent's text becomes a conflict."""
    (a, a_base), (b, b_base) = anne, bent
    assert save(a, a_base, "core_task", "Borgerne er trygge.", "", "edit-a001").status_code == 200
    assert save(a, a_base, "core_task", "Borgerne er glade.", "Borgerne er trygge.", "edit-a002").status_code == 200
    response = save(b, b_base, "core_task", "Borgerne er sikre.", "Borgerne er trygge.", "edit-b001")
    assert response.status_code == 200
    return revisions("conflict")[-1]


# ---- issue 9, items 1-3 -------------------------------------------------------

def test_restore_cannot_overwrite_another_participants_idea(room):
    world, (a, a_base), (b, b_base), _console = room
    step = steps_of(world.visit)[0]
    go_to_step(world.visit, 1)
    db.session.commit()
    a.post(f"{a_base}/ideas", data={"text": "Annes idé", "edit_id": "edit-i001", "step": step.id, "tag": ""})
    idea = db.session.scalars(db.select(Idea)).one()
    a.post(f"{a_base}/ideas/{idea.id}", data={"value": "Annes bedre idé", "base": "Annes idé", "edit_id": "edit-i002"})
    first = revisions()[0]
    assert b.post(f"{b_base}/ideas/{idea.id}", data={"value": "Bents", "base": "Annes bedre idé",
                                                     "edit_id": "edit-i003"}).status_code == 403
    assert b.post(f"{b_base}/revisions/{first.id}/restore").status_code == 403
    assert fresh(Idea, idea.id).text == "Annes bedre idé"
    assert [r.participant_id for r in revisions()] == [first.participant_id] * len(revisions())


def test_others_conflict_text_is_neither_shown_in_history_nor_restorable(room):
    world, anne, bent, console = room
    conflict = clash(world, anne, bent)
    (a, a_base), (b, b_base) = anne, bent
    assert "Borgerne er sikre." not in a.get(f"{a_base}/draft/core_task/history").get_data(as_text=True)
    assert "Borgerne er sikre." not in console.get(f"{a_base}/draft/core_task/history").get_data(as_text=True)
    assert "Borgerne er sikre." in b.get(f"{b_base}/draft/core_task/history").get_data(as_text=True)
    assert a.post(f"{a_base}/revisions/{conflict.id}/restore").status_code == 404
    assert console.post(f"{a_base}/revisions/{conflict.id}/restore").status_code == 404
    assert draft_of(world).core_task == "Borgerne er glade."


def test_the_poll_checks_a_signed_in_caller_like_the_page(room, app):
    world, (a, a_base), _bent, console = room
    current = version(a.get(a_base).get_data(as_text=True))
    leader = app.test_client()
    login(leader, world.leader.email)
    outsider = app.test_client()
    login(outsider, world.outsider.email)
    for stranger in (leader, outsider):
        assert stranger.get(f"{a_base}/changes?since={current}").status_code == 403
        assert stranger.get(f"{a_base}/changes?since={current - 1}").status_code == 403
        assert stranger.get(a_base).status_code == 403
    assert console.get(f"{a_base}/changes?since={current}").status_code == 204
    assert console.get(f"{a_base}/changes?since={current - 1}").status_code == 200
    assert a.get(f"{a_base}/changes?since={current}").status_code == 204


def test_a_phones_unchanged_poll_reads_no_session_and_no_orm(room, app, monkeypatch):
    _world, (a, a_base), _bent, _console = room
    current = version(a.get(a_base).get_data(as_text=True))
    from kerne.web import sessions
    from kerne.workshop import participate

    def forbidden(*_args, **_kwargs):
        raise AssertionError("an unchanged poll of a phone must not use this")

    monkeypatch.setattr(sessions.LazySession, "loaded", forbidden)
    monkeypatch.setattr(participate.db.session, "get", forbidden)
    monkeypatch.setattr(participate.db.session, "execute", forbidden)
    assert a.get(f"{a_base}/changes?since={current}").status_code == 204


def test_the_poll_keeps_a_connection_of_its_own_sees_every_commit_and_replaces_a_broken_one(room):
    world, (a, a_base), _bent, _console = room
    from kerne.workshop import live

    current = version(a.get(a_base).get_data(as_text=True))
    assert a.get(f"{a_base}/changes?since={current}").status_code == 204
    kept = live._polling.kept.connection
    assert a.get(f"{a_base}/changes?since={current}").status_code == 204
    assert live._polling.kept.connection is kept
    go_to_step(fresh(Visit, world.visit.id), 4)  # a change committed elsewhere shows at the next poll
    db.session.commit()
    assert a.get(f"{a_base}/changes?since={current}").status_code == 200
    kept.close()  # as a restarted database leaves it
    assert a.get(f"{a_base}/changes?since={current + 1}").status_code == 204
    assert live._polling.kept.connection is not kept


# ---- issue 7: answers the phones rely on ---------------------------------------

def test_workshop_answers_are_never_cached(room):
    world, (a, a_base), _bent, console = room
    current = version(a.get(a_base).get_data(as_text=True))
    answers = [
        a.get(a_base), a.get(f"{a_base}/changes?since={current}"), a.get(f"{a_base}/changes?since=0"),
        a.get(f"{a_base}/draft/core_task/history"), save(a, a_base, "effect", "Tryghed", "", "edit-c001"),
        console.get(f"/visits/{world.visit.id}/console"), console.get(f"/visits/{world.visit.id}/projector"),
        console.get(f"/visits/{world.visit.id}/projector/changes?since=0"),
    ]
    for response in answers:
        assert response.status_code in (200, 204), response.request.path
        assert response.headers["Cache-Control"] == "no-store", response.request.path


@pytest.mark.parametrize("text", ["færre skemaer < flere samtaler", "a < b", "<b>fed</b> & <script>x()</script>"])
def test_text_that_looks_like_html_is_kept_exactly_and_escaped(room, text):
    world, (a, a_base), (b, b_base), console = room
    assert save(a, a_base, "core_task", text, "", "edit-h001").status_code == 200
    assert draft_of(world).core_task == text
    for page in (b.get(b_base), console.get(f"/visits/{world.visit.id}/projector"), b.get(f"{b_base}/draft/core_task/history")):
        html = page.get_data(as_text=True)
        assert "<b>fed</b>" not in html and "<script>x()" not in html and "< flere" not in html
        assert text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in html


def test_text_after_the_wording_is_locked_is_kept_for_its_author_and_the_facilitators(room):
    world, (a, a_base), (b, b_base), console = room
    save(a, a_base, "core_task", "Vi skaber tryghed.", "", "edit-l001")
    set_locked(fresh(Visit, world.visit.id), True)
    db.session.commit()
    response = save(a, a_base, "core_task", "Vi skaber tryghed sammen.", "Vi skaber tryghed.", "edit-l002")
    assert response.status_code == 409
    assert "Formuleringen er låst" in response.get_data(as_text=True)
    assert draft_of(world).core_task == "Vi skaber tryghed."
    assert [r.value for r in revisions("refused")] == ["Vi skaber tryghed sammen."]
    # Sent again by the phone: kept once.
    assert save(a, a_base, "core_task", "Vi skaber tryghed sammen.", "Vi skaber tryghed.", "edit-l002").status_code == 409
    assert len(revisions("refused")) == 1
    assert "Vi skaber tryghed sammen." in a.get(f"{a_base}/draft/core_task/history").get_data(as_text=True)
    assert "Vi skaber tryghed sammen." in console.get(f"{a_base}/draft/core_task/history").get_data(as_text=True)
    assert "Vi skaber tryghed sammen." not in b.get(f"{b_base}/draft/core_task/history").get_data(as_text=True)


def test_text_after_the_visit_closed_is_kept_too(room):
    world, (a, a_base), _bent, _console = room
    close_visit(fresh(Visit, world.visit.id))
    db.session.commit()
    response = save(a, a_base, "effect", "Sent i sidste sekund", "", "edit-z001")
    assert response.status_code == 410
    assert "Besøget er afsluttet" in response.get_data(as_text=True)
    assert [r.value for r in revisions("refused")] == ["Sent i sidste sekund"]
    assert draft_of(world).effect == ""


def test_choosing_my_version_keeps_what_was_written_since(room):
    world, anne, bent, _console = room
    conflict = clash(world, anne, bent)
    (a, a_base), (b, b_base) = anne, bent
    # After the clash, Anne adds a sentence and Bent (the conflict's author) adds a word elsewhere.
    save(a, a_base, "core_task", "Borgerne er glade. Hver dag.", "Borgerne er glade.", "edit-a003")
    save(b, b_base, "core_task", "Alle borgerne er glade. Hver dag.", "Borgerne er glade. Hver dag.", "edit-b002")
    response = b.post(f"{b_base}/conflicts/{conflict.id}", data={"keep": "mine"})
    assert response.status_code == 200
    assert draft_of(world).core_task == "Alle borgerne er sikre. Hver dag."
    assert fresh(Revision, conflict.id).resolved


def test_every_open_conflict_is_shown_to_its_author_on_any_step(room):
    world, anne, bent, _console = room
    (a, a_base), (b, b_base) = anne, bent
    first = clash(world, anne, bent)
    save(a, a_base, "effect", "Tryghed.", "", "edit-a010")
    save(a, a_base, "effect", "Ro.", "Tryghed.", "edit-a011")
    save(b, b_base, "effect", "Glæde.", "Tryghed.", "edit-b010")
    last = save(b, b_base, "core_task", "Borgerne er tilfredse.", "Borgerne er trygge.", "edit-b011")
    open_ones = revisions("conflict")
    assert len(open_ones) == 3
    html = last.get_data(as_text=True)
    for conflict in open_ones:
        assert f'id="conflict-{conflict.id}"' in html
    assert f'id="conflict-{first.id}"' not in a.get(a_base).get_data(as_text=True)
    # On another step the author still sees every one of them, named by field.
    go_to_step(fresh(Visit, world.visit.id), 1)
    db.session.commit()
    html = b.get(b_base).get_data(as_text=True)
    assert "Din tekst venter på dit valg" in html
    for conflict in open_ones:
        assert f'id="conflict-{conflict.id}"' in html
    assert "Borgerne er tilfredse." in html and "Glæde." in html


# ---- the room, as a facilitator leads it ----------------------------------------

def test_closing_visit_1_without_a_locked_core_task_asks_first(room):
    world, _anne, _bent, console = room
    page = console.get(f"/visits/{world.visit.id}/console").get_data(as_text=True)
    assert "Kerneopgaven er ikke formuleret og låst endnu." in page
    assert "Gå til formuleringen" in page
    response = console.post(f"/visits/{world.visit.id}/close")
    assert response.status_code == 409
    assert fresh(Visit, world.visit.id).status == "open"
    draft = draft_of(world)
    draft.core_task = "Vi skaber tryghed."
    db.session.commit()
    page = console.get(f"/visits/{world.visit.id}/console").get_data(as_text=True)
    assert "Lås formuleringen" in page.split("danger-zone")[1]
    set_locked(fresh(Visit, world.visit.id), True)
    db.session.commit()
    page = console.get(f"/visits/{world.visit.id}/console").get_data(as_text=True)
    assert "ikke formuleret og låst" not in page
    assert console.post(f"/visits/{world.visit.id}/close").status_code == 200


def test_closing_anyway_is_possible_once_confirmed(room):
    world, _anne, _bent, console = room
    assert console.post(f"/visits/{world.visit.id}/close", data={"confirm": "unsettled"}).status_code == 200
    assert fresh(Visit, world.visit.id).status == "closed"


def test_the_closed_console_opens_visit_2_and_a_phone_keeps_its_name(room, app):
    world, (a, _a_base), _bent, console = room
    console.post(f"/visits/{world.visit.id}/close", data={"confirm": "unsettled"})
    # Visit 2 judges work tasks against the core task: first the pair writes it to the end and locks it.
    page = console.get(f"/visits/{world.visit.id}/console").get_data(as_text=True)
    assert "Åbn besøg 2" not in page and f'href="/processes/{world.process.id}#kerneopgaven"' in page
    refused = console.post(f"/visits/{world.second_visit.id}/open")
    assert refused.status_code == 409 and "kerneopgaven er låst" in refused.get_data(as_text=True)
    assert console.post(f"/processes/{world.process.id}/core-task", data={"core_task": "Trygge børn"}).status_code == 302
    page = console.get(f"/visits/{world.visit.id}/console").get_data(as_text=True)
    assert f'action="/visits/{world.second_visit.id}/open"' in page and "Åbn besøg 2" in page
    response = console.post(f"/visits/{world.second_visit.id}/open")
    assert response.headers["Location"] == f"/visits/{world.second_visit.id}/console"
    page = console.get(f"/visits/{world.visit.id}/console").get_data(as_text=True)
    assert "Gå til besøg 2" in page
    code = fresh(Visit, world.second_visit.id).join_code
    assert 'value="Anne"' in a.get(f"/j/{code}").get_data(as_text=True)
    stranger = app.test_client()
    assert 'value="Anne"' not in stranger.get(f"/j/{code}").get_data(as_text=True)
    a.post(f"/j/{code}", data={"display_name": "Anne"})
    names = db.session.scalars(db.select(Participant.display_name).where(Participant.visit_id == world.second_visit.id))
    assert list(names) == ["Anne"]


def test_each_phone_sees_who_set_the_action_plan(room, app):
    world, _anne, _bent, _console = room
    close_visit(fresh(Visit, world.visit.id))
    open_visit(fresh(Visit, world.second_visit.id))
    task = WorkTask(visit_id=world.second_visit.id, position=1, title="Morgenmøde", decision="develop")
    db.session.add(task)
    db.session.commit()
    go_to_step(fresh(Visit, world.second_visit.id), 3)
    db.session.commit()
    mette, jens = app.test_client(), app.test_client()
    mette_base, jens_base = join(mette, world.second_visit, "Mette"), join(jens, world.second_visit, "Jens")
    assert mette.post(f"{mette_base}/tasks/{task.id}/owner", data={"value": "Teamleder", "base": "",
                                                                   "edit_id": "edit-o001"}).status_code == 200
    html = jens.get(jens_base).get_data(as_text=True)
    assert "Sat af Mette" in html
    assert "Hjælp med handleplanen" in html


def test_the_co_writing_block_is_shared_but_a_conflict_stays_with_its_author(room, app):
    world, anne, bent, _console = room
    (a, a_base), (b, b_base) = anne, bent
    carl = app.test_client()
    c_base = join(carl, world.visit, "Carl")
    save(a, a_base, "effect", "Tryghed for alle", "", "edit-s001")
    current = version(a.get(a_base).get_data(as_text=True))
    first, again = (phone.get(f"{base}/changes?since=0") for phone, base in ((b, b_base), (carl, c_base)))
    assert first.get_data(as_text=True) == again.get_data(as_text=True)  # one rendering, every phone
    assert f'data-version="{current}"' in first.get_data(as_text=True)
    clash(world, anne, bent)  # Bent now has an open conflict
    bents = b.get(f"{b_base}/changes?since=0").get_data(as_text=True)
    carls = carl.get(f"{c_base}/changes?since=0").get_data(as_text=True)
    annes = a.get(f"{a_base}/changes?since=0").get_data(as_text=True)
    assert "Borgerne er sikre." in bents
    assert "Borgerne er sikre." not in carls and "Borgerne er sikre." not in annes
    assert carls == annes


def test_the_pair_writes_the_core_task_to_the_end_after_visit_1_and_locks_it(room):
    world, _anne, _bent, console = room
    wording = f"/processes/{world.process.id}/core-task"
    open_answer = console.post(wording, data={"core_task": "For tidligt"})
    assert open_answer.status_code == 409 and "mens besøg 1 er i gang" in open_answer.get_data(as_text=True)
    console.post(f"/visits/{world.visit.id}/close", data={"confirm": "unsettled"})
    empty = console.post(wording, data={"core_task": "  ", "effect": "Læring"})
    assert empty.status_code == 422 and "Skriv kerneopgaven, før den låses." in empty.get_data(as_text=True)
    assert fresh(Visit, world.visit.id).draft.locked_at is None
    text = "Børn og forældre < færre skemaer, flere samtaler"
    assert console.post(wording, data={"core_task": text, "effect": "Læring"}).status_code == 302
    draft = fresh(Visit, world.visit.id).draft
    assert (draft.core_task, draft.effect, draft.locked_at is not None) == (text, "Læring", True)
    kept = db.session.scalars(db.select(Revision.field).where(Revision.visit_id == world.visit.id,
                                                              Revision.user_id == world.first.user.id))
    assert sorted(kept) == ["core_task", "effect"]
    again = console.post(wording, data={"core_task": "Noget andet"})
    assert again.status_code == 409 and fresh(Visit, world.visit.id).draft.core_task == text


def test_the_lock_is_an_icon_beside_words_on_the_phone_and_the_projector(room):
    """An emoji lock shows as an empty box on some phones and is read aloud oddly: an inline SVG the screen
    reader skips, beside the words that say it is locked."""
    world, (a, a_base), _b, console = room
    set_locked(fresh(Visit, world.visit.id), True)
    db.session.commit()
    for page, words in ((a.get(a_base), r'<p class="locked-note" role="status">'),
                        (console.get(f"/visits/{world.visit.id}/projector"), r'<p class="stage-hint stage-agreed">')):
        html = page.get_data(as_text=True)
        assert "🔒" not in html
        assert re.search(words + r'<svg class="icon"[^>]*aria-hidden="true" focusable="false">.*?</svg> '
                         r'Formuleringen er låst – den er aftalt\.</p>', html)
