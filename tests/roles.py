"""Every role signed in to two rooms, and every route's address for them.

``our`` is world.build()'s process; ``theirs`` is a process in another area with
another pair, so a request that names its ids is one a scoped role must not get.
Each role has a client: staff signed in, a participant by the join cookie of our
visit, an anonymous browser.
"""
import re
import sqlite3
import threading
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from world import build, join, login, unit, user

from kerne import create_app
from kerne.models import (
    Ambassador,
    Conversation,
    Idea,
    Mail,
    Participant,
    PlaybookStep,
    Process,
    ProcessRequest,
    Revision,
    TargetGroup,
    Visit,
    WorkTask,
)
from kerne.web.extensions import db
from kerne.web.permissions import ROLES
from kerne.workshop import editing, ideas, tasks
from kerne.workshop.fields import DRAFT_FIELDS
from kerne.workshop.live import Actor
from kerne.workshop.visits import open_visit


def _all_rules():
    """Every route `flask routes` lists."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))


RULES = _all_rules()
# Ids a scoped role may only use for what is theirs; other arguments are the same in both rooms.
SCOPED_IDS = ("public_id", "visit_id", "process_id", "idea_id", "task_id", "revision_id", "request_id", "mail_id",
              "token", "conversation_id")
STEADY = {"lang": "en", "part": "core_task", "field": "title", "direction": "down", "slot": "0",
          "filename": "kerne.css", "kind": "ambassador", "fmt": "json", "number": "1"}


@dataclass
class Rooms:
    ids: dict[str, dict]  # "ours" / "theirs" → argument name → value
    mails: dict[str, int]  # role → the id of a mail addressed to that role's account
    clients: dict[str, object]  # role → a client acting as that role

    def on(self, app) -> "Rooms":
        """The same people, signed in the same way, talking to ``app`` (a copy of this database)."""
        clients = {}
        for role, old in self.clients.items():
            new = clients[role] = app.test_client()
            new.token = old.token
            for cookie in old._cookies.values():
                new.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
        return Rooms(self.ids, self.mails, clients)

    def url(self, rule, side: str, role: str, mixed: bool = False) -> str:
        """``rule``'s address with ``side``'s ids (``mixed``: the first id ours, the rest theirs)."""
        values, first = {}, True
        for name in re.findall(r"<(?:[^:>]+:)?([^>]+)>", rule.rule):
            own = side == "ours" or (mixed and first)
            first = first and name not in SCOPED_IDS
            if name in STEADY:
                values[name] = STEADY[name]
            elif name == "mail_id":
                values[name] = self.mails.get(role, self.mails["coordinator"]) if own else self.ids["theirs"][name]
            else:
                values[name] = self.ids["ours" if own else "theirs"][name]
        path = rule.rule
        for name, value in values.items():
            path = re.sub(rf"<(?:[^:>]+:)?{name}>", str(value), path)
        return path


def _seed_room(visit: Visit, participant_id: int) -> dict:
    """An idea, a task and a saved wording in ``visit``, all by ``participant_id``; their ids."""
    actor = Actor(participant_id=participant_id)
    step = db.session.scalar(select(PlaybookStep).where(
        PlaybookStep.playbook_id == visit.playbook_id, PlaybookStep.visit_number == visit.number,
        PlaybookStep.activity == "ideas"))
    ideas.create_idea(visit, actor, step, "En idé", None, f"idea-{visit.id}")
    tasks.add_task(visit, actor, "En opgave", f"task-{visit.id}")
    editing.save_field(visit, actor, DRAFT_FIELDS["core_task"], visit.draft, "", "Læring", f"draft-{visit.id}")
    db.session.flush()
    return {"idea_id": db.session.scalar(select(Idea.id).where(Idea.visit_id == visit.id)),
            "task_id": db.session.scalar(select(WorkTask.id).where(WorkTask.visit_id == visit.id)),
            "revision_id": db.session.scalar(select(Revision.id).where(Revision.visit_id == visit.id))}


def build_rooms(app) -> Rooms:
    world = build()
    their_area = unit("Ældre", "area")
    their_workplace = unit("Plejecenter Solhøj", "workplace", unit("Pleje", "department", their_area))
    pair = [Ambassador(name=f"Fremmed {n}", email=f"fremmed{n}@example.dk", workplace=their_workplace,
                       profession="Sygeplejerske", user=user(f"fremmed{n}@example.dk", "ambassador"))
            for n in (1, 2)]
    theirs = Process(workplace=their_workplace, facilitators=pair)
    theirs.visits = [Visit(number=1, scheduled_on=date(2026, 12, 2)), Visit(number=2, scheduled_on=date(2026, 12, 16))]
    db.session.add(theirs)
    contact = user("kontakt@example.dk", "leader")
    contact.units = [world.workplace]
    db.session.flush()
    open_visit(theirs.visits[0])
    stranger = Participant(visit_id=theirs.visits[0].id)
    db.session.add(stranger)
    for side in (world.process, theirs):
        db.session.add(ProcessRequest(workplace_id=side.workplace_id, contact_name="Leder", contact_email="l@example.dk",
                                      visit1_start=date(2027, 1, 4), visit1_end=date(2027, 1, 8),
                                      visit2_start=date(2027, 1, 18), visit2_end=date(2027, 1, 22)))
    db.session.add(TargetGroup(name="Børn"))
    db.session.commit()

    clients = {role: app.test_client() for role in ROLES}
    for role, email in (("coordinator", world.coordinator.email), ("leader", world.leader.email),
                        ("contact", contact.email), ("ambassador", world.first.email)):
        login(clients[role], email)
    join(clients["participant"], world.visit, "Deltager")
    ours_participant = db.session.scalar(select(Participant.id).where(Participant.visit_id == world.visit.id))

    ids = {}
    for side, process, participant_id in (("ours", world.process, ours_participant),
                                          ("theirs", theirs, stranger.id)):
        visit = db.session.get(Visit, process.visits[0].id)
        ids[side] = {"public_id": visit.public_id, "visit_id": visit.id, "process_id": process.id,
                     "code": visit.join_code, **_seed_room(visit, participant_id)}
        ids[side]["request_id"] = db.session.scalar(
            select(ProcessRequest.id).where(ProcessRequest.workplace_id == process.workplace_id))
        ids[side]["token"] = process.facilitators[0].calendar_token
    mails = {}
    people = {"coordinator": world.coordinator, "leader": world.leader, "contact": contact,
              "ambassador": world.first.user}
    for role, person in people.items():
        mail = Mail(key=f"test-{role}", kind="notice", to_email=person.email, subject="Til dig", body="Hej")
        db.session.add(mail)
        db.session.flush()
        mails[role] = mail.id
    other = Mail(key="test-other", kind="notice", to_email="fremmed1@example.dk", subject="Til en anden", body="Hej")
    db.session.add(other)
    db.session.flush()
    ids["theirs"]["mail_id"] = other.id
    ids["theirs"]["token"] = "x" * 43  # a guessed key
    # A talk across units from our workplace, and one between two workplaces of theirs.
    neighbour = unit("Plejecenter Engen", "workplace", their_workplace.parent)
    for side, (a, b) in (("ours", (world.workplace, their_workplace)), ("theirs", (their_workplace, neighbour))):
        db.session.flush()
        talk = Conversation(from_unit_id=a.id, to_unit_id=b.id, target_group="Ældre")
        db.session.add(talk)
        db.session.flush()
        ids[side]["conversation_id"] = talk.id
    steady = {"run_id": 1, "user_id": world.leader.id, "ambassador_id": world.first.id, "person_id": world.first.id,
              "unit_id": world.workplace.id, "step_id": 1,
              "group_id": db.session.scalar(select(TargetGroup.id))}
    for side in ids.values():
        side.update(steady)
    db.session.commit()
    return Rooms(ids=ids, mails=mails, clients=clients)


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database in use (WAL included), by SQLite's backup API."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def settle() -> None:
    """Wait for the proposals the coordinator asked for: they compute in a thread of their own."""
    for thread in threading.enumerate():
        if thread.name.startswith("match-run-"):
            thread.join()
