"""Every page state: axe-core at 360 x 740 and 1280 x 800 with 0 violations; on the phone also no
sideways scrolling, Danish, every control named and reachable by keyboard, and on a
participant's phone every target at least 44 x 44 px.

PAGE_STATES lists what is checked. To check a new page, add a State: who looks
(a role of ROLES), the address (a function of the Room below), and, when the page
needs the room in a certain state, ``prepare`` (set the state outright, so any one
state can run alone with -k) or ``act`` (what a person does on the page first).
One server, and one browser context per role and size, serve every state.
"""
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from a11y import VIEWPORTS, checking_context, phone_problems, violations
from sqlalchemy import select, update
from world import new_process, sign_in, writing

from kerne.models import (
    Ambassador,
    AuditEvent,
    Conversation,
    DotVote,
    EvaluationAnswer,
    Idea,
    Invitation,
    OrgUnit,
    Participant,
    Revision,
    TaskVote,
    User,
    Visit,
    WorkTask,
    utcnow,
)
from kerne.web.extensions import db
from kerne.workshop import evaluation
from kerne.workshop.visits import go_to_step, open_visit, steps_of

pytestmark = [pytest.mark.browser, pytest.mark.server]

PHONE_NAME = "Axel"


@dataclass
class Room:
    """What the states look at: the module's world and one process with both visits under way."""

    world: object
    process_id: int
    visit_ids: tuple[int, int]
    public_ids: tuple[str, str]
    join_codes: tuple[str, str]


@dataclass(frozen=True)
class State:
    name: str
    role: str  # anonymous, participant or the email attribute of the world's staff: see ROLES
    url: Callable[[Room], str]
    prepare: Callable[[Room], None] | None = None
    act: Callable[[object], None] | None = None


def at(number: int, position: int, **moments):
    """Visit ``number`` running at step ``position`` (visit 1 closed while visit 2 runs), the step on the
    projector and its results hidden, unless ``moments`` (code_shown, results_shown) say otherwise."""

    def prepare(room: Room) -> None:
        with writing():
            first, second = (db.session.get(Visit, vid) for vid in room.visit_ids)
            first.status, second.status = ("open", "open") if number == 1 else ("closed", "open")
            running = first if number == 1 else second
            go_to_step(running, position)
            running.code_shown, running.results_shown = False, False
            for name, value in moments.items():
                setattr(running, name, value)
            running.version += 1
            running.join_code_issued_at = utcnow()

    return prepare


def second_waits(room: Room) -> None:
    """Visit 1 running with its wording not locked; visit 2 planned, so it cannot be opened yet."""
    at(1, 3)(room)
    with writing():
        db.session.get(Visit, room.visit_ids[1]).status = "planned"


def expired_code(room: Room) -> None:
    """Visit 1 running at its first step with a join code issued longer ago than codes last."""
    at(1, 1)(room)
    with writing():
        db.session.get(Visit, room.visit_ids[0]).join_code_issued_at = utcnow() - timedelta(days=1)


def closed(room: Room) -> None:
    with writing():
        for vid in room.visit_ids:
            db.session.get(Visit, vid).status = "closed"


def locked(room: Room) -> None:
    """Visit 1's core task agreed and locked: the process reaches the library and the dashboards."""
    with writing():
        draft = db.session.get(Visit, room.visit_ids[0]).draft
        draft.target_group, draft.locked_at = "Børn og forældre", utcnow()


def audited(room: Room) -> None:
    """Some events in the audit log, with the kinds of detail it shows."""
    with writing():
        db.session.add_all([
            AuditEvent(user_id=room.world.coordinator.id, action="ambassador.update", subject_type="ambassador",
                       subject_id=room.world.first.id,
                       detail='{"capacity": [3, 2], "unavailable": {"added": ["2026-12-24"], "removed": []}}'),
            AuditEvent(action="org.create", subject_type="org_unit", subject_id=room.world.workplace.id,
                       detail='{"name": "Fjordskolen", "kind": "workplace"}'),
        ])


def evaluated(room: Room) -> None:
    """Both visits closed; visit 1 answered by enough phones to be shown, visit 2 by too few."""
    closed(room)
    with writing():
        if db.session.scalar(select(EvaluationAnswer.id).limit(1)) is None:
            for vid, count in zip(room.visit_ids, (5, 2), strict=True):
                visit = db.session.get(Visit, vid)
                for n in range(count):
                    phone = Participant(visit_id=vid)
                    db.session.add(phone)
                    db.session.flush()
                    evaluation.answer(visit, phone.id, 1 + n % 5, f"Forslag nummer {n + 1}")


def evaluate_wrongly(page) -> None:
    """The phone sends the evaluation with neither question answered: the form says so."""
    page.click("#evaluation button.primary")
    page.locator("#usefulness-error").wait_for()


def evaluate(page) -> None:
    """The phone answers the evaluation (once: the laptop shares the phone's join) and is thanked."""
    if page.locator("#evaluation form").count():
        page.check("input[name=usefulness][value='4']", force=True)
        page.fill("#change", "Lidt længere pauser")
        page.click("#evaluation button.primary")
    page.locator("#evaluation [role=status]").wait_for()


def refuse_anonymising(page) -> None:
    page.locator("details summary").first.click()
    page.locator("details[open] button.danger").click()
    page.locator(".error").first.wait_for()


def hold_every_talk() -> None:
    """The talks an earlier viewport proposed are held: two workplaces follow one open talk at a time, so the
    next viewport's proposal between them is accepted again."""
    with writing():
        db.session.execute(update(Conversation).values(status="held", meeting_on=date.today(), outcome="Holdt"))


def propose_a_talk(page) -> None:
    """From the list of talks to the library, a core task's page and its proposal (the coordinator speaks for
    every workplace): the list again, with the talk and the form to follow it up."""
    hold_every_talk()
    page.click("text=← Kerneopgaver på tværs")
    page.locator(".library-entry .core-task a").first.click()
    page.locator("#snak button.primary").click()
    page.locator(".conversation details summary").first.click()


def propose_a_talk_twice(page) -> None:
    """The same proposal again while the first is open: refused on the entry's page, saying which talk waits."""
    hold_every_talk()
    with page.expect_navigation(wait_until="load"):  # going back mid-navigation finds no page to go back from
        page.locator("#snak button.primary").click()
    page.go_back(wait_until="load")
    page.locator("#snak button.primary").click()
    page.locator("#snak .error").first.wait_for()


def phone_page(number: int):
    return lambda room: f"/w/{room.public_ids[number - 1]}"


def console(number: int, view: str = "console"):
    return lambda room: f"/visits/{room.visit_ids[number - 1]}/{view}"


def propose_plan(page) -> None:
    page.click("button:has-text('Foreslå plan')")
    page.locator("button:has-text('Bekræft planen')").wait_for(timeout=30_000)


def a_request(page) -> None:
    """A new open request at the world's other workplace (each viewport gets its own), then the planning page."""
    from world import add_request

    with writing():
        workplace = db.session.scalar(select(OrgUnit).where(OrgUnit.name == "Børnehuset Mågen"))
        add_request(None, workplace=workplace)
    page.reload()


def out_of_date_proposal(page) -> None:
    """A proposal, then the registry changes under it."""
    propose_plan(page)
    with writing():
        db.session.scalar(select(Ambassador).order_by(Ambassador.id)).capacity += 1
    page.reload()


def confirmed_proposal(page) -> None:
    a_request(page)
    propose_plan(page)
    proposal = page.url
    page.click("button:has-text('Bekræft planen')")
    page.wait_for_url("**/requests")
    page.goto(proposal)


def import_preview(confirm: bool = False):
    """Upload a registry file that changes, re-keys and adds; then, if asked, confirm without the yes."""
    def act(page) -> None:
        text = ("id;name;email;workplace;profession\nA-9;Anna Bergholt;anna.berg@example.dk;Børnehuset Mågen;Lærer\n"
                "A-8;Dorte Fisk;dorte@example.dk;Fjordskolen;Sygeplejerske\n")
        page.set_input_files("input[type=file]", files=[{"name": "a.csv", "mimeType": "text/csv",
                                                          "buffer": text.encode()}])
        page.click(".import-form button")
        page.locator(".import-summary").wait_for()
        if confirm:
            page.click("button:has-text('Importér ændringerne')")
            page.locator("#rekey-error").wait_for()
    return act


def keyed(room: Room) -> None:
    with writing():
        db.session.get(Ambassador, room.world.first.id).external_id = "A-1"


def agreeing_a_visit(page) -> None:
    """Visit 2's day and time, sent with an end before its start: the form answers with the error."""
    page.locator("summary", has_text="Aftal dag og tid").nth(1).click()
    page.fill("#visit2-ends", "08:00")
    page.press("#visit2-ends", "Enter")
    page.locator("#visit2-ends-error").wait_for()


def try_a_short_password(page) -> None:
    page.fill("#current", "x")
    page.fill("#new", "kort")
    page.fill("#repeat", "kort")
    page.click("button.primary")
    page.locator(".error").first.wait_for()


def keep_text(page) -> None:
    """Text a phone could not save, kept in its storage as static/kerne.js keeps it, then the page again."""
    page.evaluate("""localStorage.setItem(`kerne:kept:${location.pathname.split("/")[2]}:a11y`, JSON.stringify({
        value: "Vi skaber ro", label: "", reason: "Din deltagelse kunne ikke genkendes på denne telefon.", at: 1}))""")
    page.reload()
    page.locator("#kept textarea").wait_for()


INVITATION_TOKEN = "a11y-invitation-token"


def invited(room: Room) -> None:
    """Two logins waiting for their people: one invitation running, one expired; the running one's link is known."""
    with writing():
        for email, token, hours in (("inviteret@example.dk", INVITATION_TOKEN, 72), ("udloebet@example.dk", "x", -1)):
            person = db.session.scalar(select(User).where(User.email == email))
            if person is None:
                person = User(email=email, name=email.split("@")[0].title(), roles="leader", password_hash="")
                db.session.add(person)
            person.invitation = person.invitation or Invitation()
            person.invitation.token_hash = hashlib.sha256(token.encode()).hexdigest()
            person.invitation.expires_at = utcnow() + timedelta(hours=hours)


def without_login(room: Room) -> None:
    with writing():
        if db.session.scalar(select(Ambassador).where(Ambassador.email == "uden.login@example.dk")) is None:
            db.session.add(Ambassador(name="Uden Login", email="uden.login@example.dk", profession="Pædagog",
                                      workplace_id=room.world.workplace.id))


def ambassador_without_login(room: Room) -> str:
    return f"/ambassadors/{db.session.scalar(select(Ambassador.id).where(Ambassador.email == 'uden.login@example.dk'))}"


def give_nothing(page) -> None:
    page.click("button.primary")
    page.locator(".error").first.wait_for()


def choose_a_short_password(page) -> None:
    page.fill("#new", "kort")
    page.fill("#repeat", "kort")
    page.click("button.primary")
    page.locator(".error").first.wait_for()


PAGE_STATES = [
    # People without an account.
    State("login", "anonymous", lambda r: "/login"),
    State("join: code", "anonymous", lambda r: "/j"),
    State("join: name", "anonymous", lambda r: f"/j/{r.join_codes[0]}"),
    State("join: unknown code", "anonymous", lambda r: "/j/NOPE42"),
    State("not joined", "anonymous", phone_page(1)),
    State("not joined, with text the phone kept", "anonymous", phone_page(1), act=keep_text),
    State("not found", "anonymous", lambda r: "/findes-ikke"),
    # Every participant step, on the phone.
    *[State(f"phone: visit 1 step {n}", "participant", phone_page(1), at(1, n)) for n in (1, 2, 3)],
    State("phone: draft history", "participant", lambda r: f"/w/{r.public_ids[0]}/draft/core_task/history", at(1, 3)),
    *[State(f"phone: visit 2 step {n}", "participant", phone_page(2), at(2, n)) for n in (1, 2, 3)],
    State("phone: visit closed", "participant", phone_page(2), closed),
    State("phone: visit closed with an open conflict", "participant", phone_page(1), closed),
    State("phone: evaluation not answered right", "participant", phone_page(2), closed, evaluate_wrongly),
    State("phone: evaluation answered", "participant", phone_page(2), closed, evaluate),
    # The facilitators' console and the projector at every activity.
    *[State(f"console: visit {v} step {n}", "ambassador", console(v), at(v, n)) for v in (1, 2) for n in (1, 2, 3)],
    State("console: closed", "ambassador", console(2), closed),
    State("console: visit 1 closed, visit 2 open", "ambassador", console(1), at(2, 1)),
    *[State(f"projector: visit {v} step {n}", "ambassador", console(v, "projector"), at(v, n))
      for v in (1, 2) for n in (1, 2, 3)],
    State("projector: closed", "ambassador", console(2, "projector"), closed),
    # The room's moments (issue 19): the join screen, results revealed, the closed visit's poster.
    State("projector: the join screen", "ambassador", console(1, "projector"), at(1, 1, code_shown=True)),
    State("projector: the dots revealed", "ambassador", console(1, "projector"), at(1, 2, results_shown=True)),
    State("projector: a task's votes revealed", "ambassador", console(2, "projector"), at(2, 2, results_shown=True)),
    State("projector: visit 1's poster while visit 2 runs", "ambassador", console(1, "projector"), at(2, 1)),
    State("console: the code shown big", "ambassador", console(1), at(1, 1, code_shown=True)),
    State("console: the dots revealed", "ambassador", console(1), at(1, 2, results_shown=True)),
    State("console: a task's votes revealed", "ambassador", console(2), at(2, 2, results_shown=True)),
    State("console: visit 2 waits for the core task", "ambassador", console(2), second_waits),
    State("phone: the dots revealed", "participant", phone_page(1), at(1, 2, results_shown=True)),
    State("phone: a task's votes revealed", "participant", phone_page(2), at(2, 2, results_shown=True)),
    State("console: the join code expired", "ambassador", console(1), expired_code),
    State("projector: the join code expired", "ambassador", console(1, "projector"), expired_code),
    # The desk pages.
    State("ambassador: overview", "ambassador", lambda r: "/"),
    State("ambassador: process", "ambassador", lambda r: f"/processes/{r.process_id}"),
    State("ambassador: my profile", "ambassador", lambda r: "/me"),
    State("coordinator: overview", "coordinator", lambda r: "/"),
    State("coordinator: organisation", "coordinator", lambda r: "/org"),
    State("coordinator: workplace", "coordinator", lambda r: f"/org/{r.world.workplace.id}"),
    State("coordinator: ambassadors", "coordinator", lambda r: "/ambassadors"),
    State("coordinator: new ambassador", "coordinator", lambda r: "/ambassadors/new"),
    State("coordinator: ambassador", "coordinator", lambda r: f"/ambassadors/{r.world.first.id}"),
    State("coordinator: requests", "coordinator", lambda r: "/requests"),
    State("coordinator: new request", "coordinator", lambda r: "/requests/new"),
    State("coordinator: planning", "coordinator", lambda r: "/plan"),
    State("coordinator: a proposed plan", "coordinator", lambda r: "/plan", act=propose_plan),
    State("coordinator: an out-of-date proposal", "coordinator", lambda r: "/plan", act=out_of_date_proposal),
    State("coordinator: a confirmed proposal", "coordinator", lambda r: "/plan", act=confirmed_proposal),
    State("coordinator: process", "coordinator", lambda r: f"/processes/{r.process_id}"),
    State("coordinator: no access", "coordinator", console(1)),
    State("leader: overview", "leader", lambda r: "/"),
    State("leader: requests", "leader", lambda r: "/requests"),
    State("leader: new request", "leader", lambda r: "/requests/new"),
    # After the workshop: dashboards, lists, the library, the process's result, follow-up, mail.
    *[State(f"{role}: {name}", role, lambda r, path=path: path, locked)
      for role in ("coordinator", "leader")
      for name, path in (("dashboard", "/dashboard"), ("processes", "/processes"), ("work tasks", "/tasks"),
                         ("workplaces", "/workplaces"), ("ambassadors' load", "/dashboard/ambassadors"),
                         ("library", "/library"), ("library search", "/library?q=tryghed"), ("follow-up", "/follow-up"))],
    State("coordinator: library entry", "coordinator", lambda r: f"/library/{r.process_id}", locked),
    State("leader: library entry, proposing a talk across units", "leader", lambda r: f"/library/{r.process_id}",
          locked),
    State("ambassador: library search", "ambassador", lambda r: "/library?q=boern", locked),
    State("coordinator: processes with their filters as chips", "coordinator",
          lambda r: "/processes?period=range&start=2026-01-01&end=2026-03-31&state=requested&active=1", locked),
    State("leader: dashboard, a range the wrong way round", "leader",
          lambda r: "/dashboard?period=range&start=2026-06-01&end=2026-01-01", locked),
    State("leader: MED report", "leader", lambda r: "/dashboard/report?period=year", locked),
    State("coordinator: talks across units", "coordinator", lambda r: "/conversations", locked,
          propose_a_talk),
    State("coordinator: a talk proposed twice", "coordinator", lambda r: f"/library/{r.process_id}",
          locked, propose_a_talk_twice),
    State("coordinator: poster", "coordinator", lambda r: f"/processes/{r.process_id}/poster", locked),
    State("coordinator: playbook", "coordinator", lambda r: "/playbook"),
    State("coordinator: evaluations", "coordinator", lambda r: "/evaluations", evaluated),
    State("ambassador: process with its evaluation", "ambassador", lambda r: f"/processes/{r.process_id}", evaluated),
    State("coordinator: target groups", "coordinator", lambda r: "/target-groups"),
    State("coordinator: leaders", "coordinator", lambda r: "/leaders"),
    State("coordinator: a leader's units", "coordinator", lambda r: f"/leaders/{r.world.leader.id}"),
    State("coordinator: outbox", "coordinator", lambda r: "/outbox"),
    State("ambassador: follow-up", "ambassador", lambda r: "/follow-up", locked),
    State("ambassador: my mail", "ambassador", lambda r: "/me/mail"),
    State("coordinator: import preview", "coordinator", lambda r: "/ambassadors", keyed, import_preview()),
    State("coordinator: import preview, new id not confirmed", "coordinator", lambda r: "/ambassadors", keyed,
          import_preview(confirm=True)),
    State("ambassador: agreeing a visit's day and time", "ambassador", lambda r: f"/processes/{r.world.process.id}",
          act=agreeing_a_visit),
    # Sign-in and logins.
    State("coordinator: logins", "coordinator", lambda r: "/users"),
    State("coordinator: logins, two invited", "coordinator", lambda r: "/users", invited),
    State("coordinator: new login", "coordinator", lambda r: "/users/new?role=leader"),
    State("coordinator: new login, nothing filled in", "coordinator", lambda r: "/users/new", act=give_nothing),
    State("coordinator: ambassador without a login", "coordinator", ambassador_without_login, without_login),
    State("invitation: choose a password", "anonymous", lambda r: f"/invitation/{INVITATION_TOKEN}", invited),
    State("invitation: a short password", "anonymous", lambda r: f"/invitation/{INVITATION_TOKEN}", invited,
          choose_a_short_password),
    State("invitation: a link that no longer works", "anonymous", lambda r: "/invitation/brugt"),
    State("ambassador: change password", "ambassador", lambda r: "/password"),
    State("coordinator: weak new password", "coordinator", lambda r: "/password", act=try_a_short_password),
    # Security and privacy: the audit log, personal data, the accessibility statement.
    State("coordinator: audit log", "coordinator", lambda r: "/audit", audited),
    State("coordinator: audit log, bad filter", "coordinator", lambda r: "/audit?since=31-02-2026&until=x", audited),
    State("coordinator: personal data", "coordinator", lambda r: "/people"),
    State("coordinator: anonymising unconfirmed", "coordinator", lambda r: "/people", act=refuse_anonymising),
    State("accessibility statement", "anonymous", lambda r: "/tilgaengelighed"),
    State("participant: accessibility statement", "participant", lambda r: "/tilgaengelighed"),
]

# The signed-in roles, by the world's attribute holding the person.
ROLES = {"ambassador": "first", "coordinator": "coordinator", "leader": "leader"}


def furnish(room: Room, participant_id: int) -> None:
    """Something on every screen: ideas with tags and dots, a draft with history and an open conflict, tasks."""
    with writing():
        first, second = (db.session.get(Visit, vid) for vid in room.visit_ids)
        steps = steps_of(first)
        ideas = [Idea(visit_id=first.id, step_id=steps[0].id, text="Et trygt sted at være", participant_id=participant_id),
                 Idea(visit_id=first.id, step_id=steps[1].id, text="Børnene lærer", tag="effect"),
                 Idea(visit_id=first.id, step_id=steps[1].id, text="Sammen med forældrene", tag="approach",
                      participant_id=participant_id)]
        db.session.add_all(ideas)
        db.session.flush()
        db.session.add(DotVote(participant_id=participant_id, idea_id=ideas[1].id, dots=2))
        first.draft.core_task = "Vi skaber tryghed og læring for børn"
        for kind, value, author in (("edit", "Vi skaber tryghed", None), ("conflict", "Vi skaber ro", participant_id)):
            db.session.add(Revision(visit_id=first.id, subject="draft", subject_id=first.draft.id, field="core_task",
                                    value=value, kind=kind, participant_id=author, base=""))
        tasks = [WorkTask(visit_id=second.id, position=n, title=title, decision=decision, owner=owner)
                 for n, (title, decision, owner) in enumerate(
                     [("Morgenmøde", "develop", "Teamleder"), ("Dokumentation", "keep", ""), ("Kaffeordning", "undecided", "")], 1)]
        db.session.add_all(tasks)
        db.session.flush()
        db.session.add(TaskVote(participant_id=participant_id, task_id=tasks[0].id, choice="develop"))


@pytest.fixture(scope="module")
def rooms(site, browser):
    """The room, and a browser context per (role, size), signed in or joined once."""
    from world import add_request

    base, world = site
    process = new_process(world)
    with writing():
        first, second = process.visits
        open_visit(second)
        add_request(world, workplace=world.other_workplace)
    room = Room(world, process.id, (first.id, second.id), (first.public_id, second.public_id),
                (first.join_code, second.join_code))
    contexts = {}
    for role in ("anonymous", "participant", *ROLES):
        # Signed in or joined once, on the phone; the laptop gets the same cookies.
        context = contexts[role, "phone"] = checking_context(browser, "phone")
        page = context.new_page()
        if role in ROLES:
            sign_in(page, base, getattr(world, ROLES[role]).email)
        elif role == "participant":
            for code in room.join_codes:
                page.goto(f"{base}/j/{code}")
                page.fill("#display_name", PHONE_NAME)
                page.click("button.primary")
                page.wait_for_url(f"{base}/w/*")
            page.goto("about:blank")  # the joined phone would poll through the whole walk
        contexts[role, "laptop"] = checking_context(browser, "laptop", storage_state=context.storage_state())
        contexts[role, "laptop"].new_page()
    db.session.commit()
    participant_id = db.session.scalar(
        db.select(Participant.id).where(Participant.visit_id == room.visit_ids[0], Participant.display_name == PHONE_NAME))
    furnish(room, participant_id)
    yield base, room, contexts
    for context in contexts.values():
        context.close()


@pytest.mark.parametrize("state", PAGE_STATES, ids=lambda s: s.name)
def test_every_page_state(rooms, state):
    base, room, contexts = rooms
    if state.prepare:
        state.prepare(room)
    found = {}
    for viewport in VIEWPORTS:
        page = contexts[state.role, viewport].pages[0]
        page.goto(base + state.url(room))
        page.wait_for_load_state("load")
        if state.act:
            state.act(page)
        problems = violations(page)
        if viewport == "phone":
            problems += phone_problems(page, tap_targets=state.role == "participant")
        if problems:
            found[viewport] = problems
        page.goto("about:blank")  # a live page left open would poll through every state after it
    assert found == {}, f"{state.name}: {found}"
