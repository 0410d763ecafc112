"""Talks across units ("Foreslå en snak på tværs"): a workplace that found another's core task in the
library, for a target group they share, proposes to meet about it. Both workplaces' contacts get a
notice; the talk is then tracked as proposed, agreed (for a day) and held (on a day, with what came of it),
and the dashboard counts it."""
from sqlalchemy import or_, select

from kerne.insight.library.entries import Entry
from kerne.models import Conversation, LeaderUnit, OrgUnit, ProcessRequest, User
from kerne.notices import compose
from kerne.records import audit
from kerne.web.extensions import db
from kerne.web.scope import sees_unit, unit_filter, visible_unit_ids

STEPS = ("agreed", "held")  # where a proposed talk goes next


def contacts(unit_id: int) -> list[tuple[str, str]]:
    """(e-mail, name) of a workplace's contacts: the leader accounts tied to the workplace itself, and whoever
    asked for its newest process."""
    people = [(u.email, u.name) for u in db.session.scalars(
        select(User).join(LeaderUnit, LeaderUnit.user_id == User.id)
        .where(LeaderUnit.unit_id == unit_id, User.active.is_(True)).order_by(User.name)) if u.has_role("leader")]
    asked = db.session.execute(select(ProcessRequest.contact_email, ProcessRequest.contact_name)
                               .where(ProcessRequest.workplace_id == unit_id, ProcessRequest.contact_email != "")
                               .order_by(ProcessRequest.id.desc()).limit(1)).first()
    if asked is not None:
        people.append(tuple(asked))
    seen, unique = set(), []
    for email, name in people:
        if email.lower() not in seen:
            seen.add(email.lower())
            unique.append((email, name))
    return unique


def own_workplaces(user: User) -> list[OrgUnit]:
    """The workplaces ``user`` may speak for: those of their units (every one, for the coordinator)."""
    if not (user.has_role("coordinator") or user.has_role("leader")):
        return []
    query = select(OrgUnit).where(OrgUnit.kind == "workplace", unit_filter(user, OrgUnit.id))
    return list(db.session.scalars(query.order_by(OrgUnit.name)))


def speaks_for(user: User, unit_id: int) -> bool:
    """Whether ``user`` may propose a talk on behalf of this workplace."""
    return unit_id in {w.id for w in own_workplaces(user)}


def may_follow(user: User, conversation: Conversation) -> bool:
    """The coordinator, and leaders who see either workplace."""
    return user.has_role("coordinator") or (user.has_role("leader") and (
        sees_unit(user, conversation.from_unit_id) or sees_unit(user, conversation.to_unit_id)))


def visible(user: User):
    """The talks touching a workplace ``user`` sees, newest first."""
    query = select(Conversation)
    if visible_unit_ids(user) is not None:
        query = query.where(or_(unit_filter(user, Conversation.from_unit_id),
                                unit_filter(user, Conversation.to_unit_id)))
    return query.order_by(Conversation.proposed_at.desc(), Conversation.id.desc())


def open_talk(one: int, other: int) -> Conversation | None:
    """The talk between two workplaces, either way round, that is proposed or agreed and not yet held: two
    workplaces follow one talk at a time, so neither gets the same notice twice."""
    between = or_((Conversation.from_unit_id == one) & (Conversation.to_unit_id == other),
                  (Conversation.from_unit_id == other) & (Conversation.to_unit_id == one))
    return db.session.scalars(select(Conversation).where(between, Conversation.status != "held").limit(1)).first()


def propose(user: User, from_unit: OrgUnit, entry: Entry, target_group: str, message: str) -> Conversation:
    """Propose a talk between ``from_unit`` and the workplace of ``entry``; both workplaces' contacts are told."""
    talk = Conversation(from_unit_id=from_unit.id, to_unit_id=entry.workplace_id, to_process_id=entry.process_id,
                        target_group=target_group, message=message, proposed_by_id=user.id)
    db.session.add(talk)
    db.session.flush()
    audit.record("conversation.propose", talk, to=entry.workplace, target_group=target_group)
    people = contacts(from_unit.id) + contacts(entry.workplace_id)
    compose.conversation_proposed(talk, from_unit.name, entry.workplace, user.name, people)
    return talk


def advance(talk: Conversation, status: str, day, outcome: str) -> None:
    """Mark a talk agreed (for ``day``) or held (on ``day``, with ``outcome``)."""
    talk.status, talk.meeting_on = status, day
    if status == "held":
        talk.outcome = outcome
    audit.record("conversation.update", talk, status=status, day=day, outcome=outcome)
