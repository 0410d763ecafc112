"""The matching engine's input, read from the database; ids are database ids as text."""
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kerne import matching
from kerne.desk.planning.commitments import all_ambassadors, commitments_of, season_load
from kerne.models import Booking, OrgUnit, ProcessRequest
from kerne.web.extensions import db


def open_requests() -> list[ProcessRequest]:
    query = select(ProcessRequest).where(ProcessRequest.status == "open").order_by(ProcessRequest.visit1_start,
                                                                                  ProcessRequest.id)
    return list(db.session.scalars(query.options(selectinload(ProcessRequest.workplace))))


def build_problem(requests: list[ProcessRequest], locks: list[tuple[int, int]] = ()) -> matching.Problem:
    units = tuple(
        matching.Unit(str(u.id), u.kind, str(u.parent_id) if u.parent_id else None)
        for u in db.session.scalars(select(OrgUnit).order_by(OrgUnit.id))  # one order: the same plan again
    )
    booked = defaultdict(set)
    for ambassador_id, day in db.session.execute(select(Booking.ambassador_id, Booking.day)):
        booked[ambassador_id].add(day)
    ambassadors = all_ambassadors()
    partners = defaultdict(set)
    for ambassador in ambassadors:
        for process in ambassador.processes:
            partners[ambassador.id] |= {str(f.id) for f in process.facilitators if f.id != ambassador.id}
    people = []
    for ambassador in ambassadors:
        if not ambassador.active:
            continue
        state = commitments_of(ambassador)
        people.append(matching.Ambassador(
            id=str(ambassador.id),
            workplace=str(ambassador.workplace_id),
            profession=ambassador.profession.strip().lower(),
            capacity=ambassador.capacity,
            load=season_load(ambassador),
            unavailable=frozenset(ambassador.unavailable_days),
            booked=frozenset(booked[ambassador.id]),
            own_done=state.own != "open",
            other_done=state.other != "open",
            partners=frozenset(partners[ambassador.id]),
        ))
    wanted = tuple(matching.Request(str(r.id), str(r.workplace_id), r.windows) for r in requests)
    return matching.Problem(units, tuple(people), wanted, tuple((str(r), str(a)) for r, a in locks))
