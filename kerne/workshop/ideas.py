"""Ideas and dot votes: what participants contribute in the ideas and vote steps."""
from sqlalchemy import select

from kerne.models import DotVote, Idea, PlaybookStep, Visit
from kerne.web.extensions import db
from kerne.workshop.editing import record
from kerne.workshop.fields import IDEA_FIELDS
from kerne.workshop.live import Actor, bump

MERGE_SEPARATOR = " · "


class NotEnoughDots(Exception):
    """The participant tried to place more dots than the step allows."""


class NotForDots(Exception):
    """Dots go on the ideas of a vote step that have not been merged into another."""


class MergedTextTooLong(Exception):
    """Two ideas together would be longer than an idea may be."""


def create_idea(visit: Visit, actor: Actor, step: PlaybookStep, text: str, tag: str | None, edit_id: str) -> None:
    """Add an idea. A resend of one already added is recognised before this, in the view (see _for_new)."""
    idea = Idea(visit_id=visit.id, step_id=step.id, text=text, tag=tag or None, **actor.author)
    db.session.add(idea)
    db.session.flush()
    record(visit, actor, IDEA_FIELDS["text"], idea, text, "create", edit_id)
    bump(visit)


def dots_by_idea(participant_id: int, step_id: int) -> dict[int, int]:
    query = (
        select(DotVote.idea_id, DotVote.dots)
        .join(Idea, Idea.id == DotVote.idea_id)
        .where(DotVote.participant_id == participant_id, Idea.step_id == step_id)
    )
    return dict(db.session.execute(query).all())


def set_dots(visit: Visit, participant_id: int, idea: Idea, dots: int) -> bool:
    """Put exactly ``dots`` of the participant's dots on ``idea``; False if it already had them."""
    if idea.merged_into_id is not None or db.session.get(PlaybookStep, idea.step_id).activity != "vote":
        raise NotForDots
    mine = dots_by_idea(participant_id, idea.step_id)
    if mine.get(idea.id, 0) == dots:
        return False
    if sum(mine.values()) - mine.get(idea.id, 0) + dots > visit.dots_per_participant:
        raise NotEnoughDots
    vote = db.session.get(DotVote, (idea.id, participant_id))
    if dots == 0:
        db.session.delete(vote)
    elif vote is None:
        db.session.add(DotVote(idea_id=idea.id, participant_id=participant_id, dots=dots))
    else:
        vote.dots = dots
    bump(visit)
    return True


def merge_ideas(visit: Visit, actor: Actor, source: Idea, target: Idea) -> None:
    """Fold ``source`` into ``target``: both texts, and every dot, end up on ``target``."""
    text = f"{target.text}{MERGE_SEPARATOR}{source.text}"
    if len(text) > IDEA_FIELDS["text"].max_length:
        raise MergedTextTooLong
    target.text = text
    record(visit, actor, IDEA_FIELDS["text"], target, target.text, "merge")
    for vote in db.session.scalars(select(DotVote).where(DotVote.idea_id == source.id)):
        kept = db.session.get(DotVote, (target.id, vote.participant_id))
        if kept is None:
            db.session.add(DotVote(idea_id=target.id, participant_id=vote.participant_id, dots=vote.dots))
        else:
            kept.dots += vote.dots
        db.session.delete(vote)
    source.merged_into_id = target.id
    bump(visit)
