"""The library's entries read from the database in a fixed number of queries, and the target-group
vocabulary they are filed under.

Locked core tasks are not personal data and are there to be shared: every staff account sees every
entry, across the whole organisation. The people behind one – the workplace contact and the pair –
stay within what the person may see (``Entry.visible``)."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select

from kerne.insight.library import terms
from kerne.models import (
    Ambassador,
    CoreTaskDraft,
    OrgUnit,
    Process,
    ProcessFacilitator,
    ProcessRequest,
    TargetGroup,
    TargetGroupAlias,
    User,
    Visit,
)
from kerne.web.clock import local_date
from kerne.web.extensions import db
from kerne.web.scope import unit_filter, visible_unit_ids


@dataclass
class Entry:
    """A locked core task with its workplace, target groups and date."""

    process_id: int
    workplace_id: int
    workplace: str
    department: str
    area_id: int | None
    area: str
    locked_on: date
    parts: dict[str, str]
    groups: set[int]
    unmapped: list[str]
    contact_name: str = ""
    contact_email: str = ""
    pair: list[tuple[str, str]] = field(default_factory=list)  # (name, e-mail) of the ambassadors
    searched: terms.Indexed | None = None  # its words as search reads them
    visible: bool = False  # the person may see the process, and so who is behind it

    @property
    def contact(self) -> tuple[str, str] | None:
        """(name, e-mail) of whom to write to, for a person who may see them."""
        if not self.visible:
            return None
        if self.contact_email:
            return self.contact_name or self.contact_email, self.contact_email
        return self.pair[0] if self.pair else None

    @property
    def core_task(self) -> str:
        return self.parts["core_task"]


@dataclass
class Vocabulary:
    groups: dict[int, str]  # id → name
    aliases: dict[str, set[int]]  # folded text → group ids

    def names(self, ids) -> list[str]:
        return sorted((self.groups[i] for i in ids if i in self.groups), key=str.casefold)


def vocabulary() -> Vocabulary:
    groups = dict(db.session.execute(select(TargetGroup.id, TargetGroup.name)).all())
    aliases: dict[str, set[int]] = {}
    for text, group_id in db.session.execute(select(TargetGroupAlias.text, TargetGroupAlias.target_group_id)):
        aliases.setdefault(text, set()).add(group_id)
    return Vocabulary(groups, aliases)


def entries(user: User, words: Vocabulary | None = None) -> tuple[list[Entry], Vocabulary]:
    """Every locked core task of the organisation (of processes not cancelled), newest first."""
    words = words or vocabulary()
    units = {u.id: u for u in db.session.execute(select(OrgUnit.id, OrgUnit.name, OrgUnit.parent_id))}
    query = (
        select(Process.id, Process.workplace_id, Process.target_groups, CoreTaskDraft.target_group,
               CoreTaskDraft.effect, CoreTaskDraft.approach, CoreTaskDraft.ambition, CoreTaskDraft.core_task,
               CoreTaskDraft.locked_at, ProcessRequest.contact_name, ProcessRequest.contact_email,
               ProcessRequest.target_groups.label("requested_groups"))
        .join(Visit, Visit.id == CoreTaskDraft.visit_id).join(Process, Process.id == Visit.process_id)
        .outerjoin(ProcessRequest, ProcessRequest.process_id == Process.id)
        .where(CoreTaskDraft.locked_at.is_not(None), CoreTaskDraft.core_task != "", Process.cancelled_at.is_(None))
        .order_by(CoreTaskDraft.locked_at.desc(), Process.id.desc())
    )
    visible = visible_unit_ids(user)
    own = set(db.session.scalars(select(ProcessFacilitator.process_id).join(Ambassador)
                                 .where(Ambassador.user_id == user.id)))
    found, seen = [], set()
    for row in db.session.execute(query):
        if row.id in seen:  # a process's newest locked wording only
            continue
        seen.add(row.id)
        workplace = units[row.workplace_id]
        department = units.get(workplace.parent_id)
        area = units.get(department.parent_id) if department else None
        parts = {"target_group": row.target_group, "effect": row.effect, "approach": row.approach,
                 "ambition": row.ambition, "core_task": row.core_task}
        groups, unmapped = terms.groups_of([row.target_groups, row.requested_groups or "", row.target_group],
                                           words.aliases)
        text = " ".join([*parts.values(), workplace.name, department.name if department else "",
                         area.name if area else "", *words.names(groups), *unmapped])
        found.append(Entry(
            process_id=row.id, workplace_id=row.workplace_id, workplace=workplace.name,
            department=department.name if department else "", area_id=area.id if area else None,
            area=area.name if area else "", locked_on=local_date(row.locked_at), parts=parts, groups=groups,
            unmapped=unmapped, contact_name=row.contact_name or "", contact_email=row.contact_email or "",
            searched=terms.index(text),
            visible=visible is None or row.workplace_id in visible or row.id in own,
        ))
    pairs: dict[int, list[tuple[str, str]]] = {}
    for process, name, email in db.session.execute(
        select(ProcessFacilitator.process_id, Ambassador.name, Ambassador.email)
        .join(Ambassador, Ambassador.id == ProcessFacilitator.ambassador_id)
        .join(Process, Process.id == ProcessFacilitator.process_id)
        .where(Process.cancelled_at.is_(None), or_(unit_filter(user, Process.workplace_id), Process.id.in_(own)))
        .order_by(Ambassador.name)
    ):
        pairs.setdefault(process, []).append((name, email))
    for entry in found:
        entry.pair = pairs.get(entry.process_id, [])
    return found, words


def search(found: list[Entry], query: terms.Query, area: int | None = None, group: int | None = None) -> list[Entry]:
    """The entries that match every word of ``query``, in ``area``, filed under ``group``."""
    return [e for e in found
            if (not area or e.area_id == area) and (not group or group in e.groups)
            and (not query or query.found(e.searched))]


def sharing(found: list[Entry], entry: Entry) -> list[tuple[Entry, set[int]]]:
    """The other workplaces, anywhere in the organisation, whose core tasks serve one of ``entry``'s target
    groups, with the groups shared."""
    return [(other, other.groups & entry.groups) for other in found
            if other.workplace_id != entry.workplace_id and other.groups & entry.groups]
