"""What part of the organisation a person may see.

Coordinators and leaders given the whole organisation see everything; any
other leader sees the units they are tied to and every unit below them. The
rule lives here once; views filter their queries with ``unit_filter``.
"""
from flask import g
from sqlalchemy import select, true

from kerne.models import LeaderUnit, OrgUnit, User
from kerne.web.extensions import db


def descendants(children: dict[int | None, list[int]], roots) -> set[int]:
    """``roots`` and every unit below them, given each unit's children."""
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        unit = stack.pop()
        if unit not in seen:
            seen.add(unit)
            stack.extend(children.get(unit, ()))
    return seen


def sees_everything(user: User) -> bool:
    return user.has_role("coordinator") or (user.has_role("leader") and user.sees_whole_organisation)


def visible_unit_ids(user: User) -> frozenset[int] | None:
    """The ids of the units ``user`` may see, or None for all of them (read once a request)."""
    if sees_everything(user):
        return None
    cache = g.setdefault("_visible_units", {})
    if user.id not in cache:
        roots = db.session.scalars(select(LeaderUnit.unit_id).where(LeaderUnit.user_id == user.id)).all()
        children: dict[int | None, list[int]] = {}
        for unit_id, parent_id in db.session.execute(select(OrgUnit.id, OrgUnit.parent_id)):
            children.setdefault(parent_id, []).append(unit_id)
        cache[user.id] = frozenset(descendants(children, roots)) if user.has_role("leader") else frozenset()
    return cache[user.id]


def sees_unit(user: User, unit_id: int) -> bool:
    visible = visible_unit_ids(user)
    return visible is None or unit_id in visible


def unit_filter(user: User, column):
    """A WHERE clause limiting ``column`` (a unit id, e.g. ``Process.workplace_id``) to what
    ``user`` sees; always true when they see everything."""
    visible = visible_unit_ids(user)
    return true() if visible is None else column.in_(visible)
