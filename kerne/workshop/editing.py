"""Saving co-edited fields so that no edit is ever lost.

Every save names the value it started from (``base``). If nobody saved the
field since, it is applied; otherwise it is merged three ways; if that cannot
be done cleanly, the field keeps the others' text and the author's text is
kept as an open conflict until they choose. Every stored value is a Revision.
"""
from datetime import datetime, timedelta

from sqlalchemy import select

from kerne.models import Participant, Revision, Visit
from kerne.web.extensions import db
from kerne.workshop.fields import FIELDS, SUBJECTS, FieldSpec
from kerne.workshop.live import Actor, bump
from kerne.workshop.merging import Outcome, resolve_keeping_mine, resolve_save


def earlier_save(visit: Visit, edit_id: str | None) -> Revision | None:
    """The revision a save with this id made before (a phone resending it), if any."""
    if not edit_id:
        return None
    return db.session.scalar(select(Revision).where(Revision.visit_id == visit.id, Revision.edit_id == edit_id))


def already_saved(visit: Visit, edit_id: str | None) -> bool:
    """Whether a save with this id was taken before: applied, merged or kept as a conflict.

    Text that was refused (the wording locked, say) was not taken: sent again when it
    can be, it is saved then, not answered as if it were in the field.
    """
    earlier = earlier_save(visit, edit_id)
    return earlier is not None and earlier.kind != "refused"


# Texts meant for their author alone (and, when refused, the facilitators).
PRIVATE_KINDS = ("conflict", "refused")


def record(visit: Visit, actor: Actor, spec: FieldSpec, obj, value: str, kind: str, edit_id: str | None = None,
           base: str | None = None):
    revision = Revision(
        visit_id=visit.id,
        subject=spec.subject,
        subject_id=obj.id,
        field=spec.name,
        value=value,
        kind=kind,
        edit_id=edit_id,
        base=base,
        **actor.author,
    )
    db.session.add(revision)
    return revision


def save_field(visit: Visit, actor: Actor, spec: FieldSpec, obj, base: str, mine: str, edit_id: str) -> Outcome:
    """Save ``mine`` over ``obj``'s field; the caller holds the visit lock and has checked it is no resend.

    A save refused before and sent again now that it can be taken replaces its refused revision.
    """
    outcome = resolve_save(base, spec.read(obj), mine, mergeable=spec.mergeable, max_length=spec.max_length)
    refused = earlier_save(visit, edit_id)
    if refused is not None:
        db.session.delete(refused)
        db.session.flush()
    if outcome.kind == "unchanged":
        return outcome
    if outcome.kind == "conflict":
        record(visit, actor, spec, obj, mine, "conflict", edit_id, base=base)
    else:
        spec.write(obj, outcome.value)
        record(visit, actor, spec, obj, outcome.value, "edit" if outcome.kind == "applied" else "merge", edit_id)
    bump(visit)
    return outcome


def keep_refused(visit: Visit, actor: Actor, spec: FieldSpec, obj, mine: str, edit_id: str | None) -> bool:
    """Keep text that came too late (wording locked, visit closed) in the field's history.

    The field is not changed; the text stays with its author and the facilitators.
    """
    if earlier_save(visit, edit_id) is not None or mine == spec.read(obj):
        return False
    record(visit, actor, spec, obj, mine, "refused", edit_id)
    return True


def quiet_conflicts(conflicts, now: datetime, after: float) -> frozenset[int]:
    """The ids of the open ``conflicts`` (revisions or their cards) whose author has gone quiet.

    A phone that waits on a conflict says so at every poll (kerne.workshop.live.seen); a
    participant not heard of for ``after`` seconds since the conflict (cookies cleared and
    joined anew, the phone put away) leaves it to the facilitators to settle.
    """
    authors = {c.participant_id for c in conflicts if c.participant_id is not None}
    if not authors:
        return frozenset()
    query = select(Participant.id, Participant.last_seen_at).where(Participant.id.in_(authors))
    seen = dict(db.session.execute(query).all())
    cutoff = now - timedelta(seconds=after)
    return frozenset(c.id for c in conflicts if c.participant_id in seen
                     and max(c.created_at, seen[c.participant_id] or c.created_at) < cutoff)


def may_settle(actor: Actor, conflict: Revision, now: datetime, quiet_after: float) -> bool:
    """A conflict is settled by its author, or by a facilitator once its author has gone quiet."""
    if actor.wrote(conflict):
        return True
    return actor.is_facilitator and conflict.id in quiet_conflicts([conflict], now, quiet_after)


def may_see(actor: Actor, revision: Revision) -> bool:
    """A conflict is its author's alone; refused text its author's and the facilitators'."""
    if revision.kind == "conflict":
        return actor.wrote(revision)
    if revision.kind == "refused":
        return actor.wrote(revision) or actor.is_facilitator
    return True


def subject_of(revision: Revision):
    return db.session.get(SUBJECTS[revision.subject], revision.subject_id)


def spec_of(revision: Revision) -> FieldSpec:
    return FIELDS[revision.subject][revision.field]


def restore(visit: Visit, actor: Actor, revision: Revision) -> None:
    """Make an earlier revision's text the current one again (itself a new revision)."""
    spec, obj = spec_of(revision), subject_of(revision)
    if spec.read(obj) == revision.value:
        return
    spec.write(obj, revision.value)
    record(visit, actor, spec, obj, revision.value, "restore")
    bump(visit)


def resolve_conflict(visit: Visit, actor: Actor, conflict: Revision, keep: str) -> bool:
    """The author chose: their own text (``mine``) or the others' (``theirs``).

    Choosing their own puts their words in place of the clashing ones, and what
    anyone wrote since (the author too) stays. False, and the conflict stays open,
    when that cannot be merged cleanly: the author edits the current text instead.
    """
    if keep == "mine":
        spec, obj = spec_of(conflict), subject_of(conflict)
        current = spec.read(obj)
        value = conflict.value
        if spec.mergeable:
            then = field_then(conflict, current)
            base = then if conflict.base is None else conflict.base
            value = resolve_keeping_mine(base, then, conflict.value, current, spec.max_length)
            if value is None:
                return False
        if current != value:
            spec.write(obj, value)
            record(visit, actor, spec, obj, value, "edit")
    conflict.resolved = True
    bump(visit)
    return True


def field_then(conflict: Revision, current: str) -> str:
    """What the field held when ``conflict`` happened: its last shared revision before it (else ``current``)."""
    query = select(Revision.value).where(
        Revision.visit_id == conflict.visit_id,
        Revision.subject == conflict.subject,
        Revision.subject_id == conflict.subject_id,
        Revision.field == conflict.field,
        Revision.id < conflict.id,
        Revision.kind.not_in(PRIVATE_KINDS),
    ).order_by(Revision.id.desc()).limit(1)
    then = db.session.scalar(query)
    return current if then is None else then


def history(visit: Visit, spec: FieldSpec, obj, actor: Actor) -> list[Revision]:
    """Every revision of one field the actor may see, newest first."""
    query = select(Revision).where(
        Revision.visit_id == visit.id,
        Revision.subject == spec.subject,
        Revision.subject_id == obj.id,
        Revision.field == spec.name,
    )
    return [r for r in db.session.scalars(query.order_by(Revision.id.desc())) if may_see(actor, r)]
