"""Proposals: computed in the background, adjusted by the coordinator, confirmed.

"Foreslå plan" never blocks a request: the engine runs in a thread of the
worker that took the click and writes its progress and result to the
database, where every worker can read them.
"""
import json
import threading
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kerne import matching
from kerne.desk.planning.explain import where_from, why_pair, why_unstaffed
from kerne.desk.planning.problem import build_problem, open_requests
from kerne.models import Ambassador, MatchChoice, MatchRun, Process, ProcessRequest, utcnow
from kerne.notices import compose as notices
from kerne.processes import schedule
from kerne.records import audit
from kerne.web.extensions import db

RULES = {
    "same_person": lambda name: _("%(name)s står på begge pladser.", name=name),
    "same_department": lambda name: _("%(name)s er fra samme afdeling som makkeren.", name=name),
    "not_free": lambda name: _("%(name)s er ikke fri på datoerne.", name=name),
    "capacity": lambda name: _("%(name)s har ikke flere forløb tilbage i sæsonen.", name=name),
    "double_booked": lambda name: _("%(name)s er sat på en anden anmodning samme dag.", name=name),
}


def rule_text(rule: str, name: str) -> str:
    return RULES[rule](name)


# The same rules, as a candidate in a list of choices is described.
SHORT_RULES = {
    "same_person": lambda: _("står på den anden plads"),
    "same_department": lambda: _("samme afdeling som makkeren"),
    "not_free": lambda: _("ikke fri på datoerne"),
    "capacity": lambda: _("ingen forløb tilbage i sæsonen"),
    "double_booked": lambda: _("sat på en anden anmodning samme dag"),
}


def out_of_date_text() -> str:
    return _("Forslaget er forældet: anmodningerne eller ambassadørerne er ændret, siden det blev lavet "
             "(eller et andet forslag er bekræftet). Foreslå en ny plan.")


def start(created_by_id: int | None) -> MatchRun:
    """Start a proposal for the open requests, keeping the locks of the latest one."""
    locks = locked_choices()
    run = MatchRun(created_by_id=created_by_id, progress=_("Læser anmodninger og ambassadører …"))
    db.session.add(run)
    db.session.commit()
    app = current_app._get_current_object()
    threading.Thread(target=_compute, args=(app, run.id, locks), daemon=True, name=f"match-run-{run.id}").start()
    return run


def locked_choices() -> list[tuple[int, int]]:
    """(request, ambassador) the coordinator locked in the latest proposal, for requests still open."""
    latest = db.session.scalar(select(MatchRun).where(MatchRun.status == "done").order_by(MatchRun.id.desc()))
    if latest is None:
        return []
    return [(c.request_id, c.ambassador_id) for c in latest.choices if c.locked and c.request.status == "open"]


def _compute(app, run_id: int, locks: list[tuple[int, int]]) -> None:
    with app.app_context():
        try:
            requests = open_requests()
            problem = build_problem(requests, locks)
            fingerprint = problem.fingerprint()
            db.session.commit()  # end the read before solving: no lock is held while the engine works
            seconds = app.config["MATCH_SECONDS"]

            def progress(message: str) -> None:
                run = db.session.get(MatchRun, run_id)
                run.progress = message[:200]
                db.session.commit()

            plan = matching.solve(problem, seconds=seconds, progress=progress)
            run = db.session.get(MatchRun, run_id)
            run.result = json.dumps(plan_summary(plan))
            run.fingerprint = fingerprint
            locked = set(locks)
            for assignment in plan.assignments:
                for slot, ambassador in enumerate(assignment.ambassadors):
                    key = (int(assignment.request), int(ambassador))
                    run.choices.append(MatchChoice(request_id=key[0], slot=slot, ambassador_id=key[1],
                                                   locked=key in locked))
            run.status, run.finished_at, run.progress = "done", utcnow(), ""
            db.session.commit()
        except Exception:  # recorded for the coordinator; the traceback goes to the log
            app.logger.exception("match run %s failed", run_id)
            db.session.rollback()
            run = db.session.get(MatchRun, run_id)
            run.status, run.finished_at = "failed", utcnow()
            run.progress = _("Beregningen fejlede. Prøv igen, eller kontakt driften.")
            db.session.commit()


def confirmed_value(summary: dict) -> dict:
    """The figures of the plan as it was confirmed (the engine's, for a plan confirmed before they were kept)."""
    return summary.get("confirmed", summary["objective"])


def plan_summary(plan: matching.Plan) -> dict:
    return {"objective": plan.objective, "bounds": plan.bounds, "proven": plan.proven, "gaps": plan.gaps,
            "optimal": plan.optimal, "repeatable": plan.repeatable, "seconds": plan.seconds, "method": plan.method}


@dataclass
class Option:
    """One ambassador a place could go to, as the list of choices shows them."""

    ambassador: Ambassador
    text: str
    fits: bool  # breaks no rule


@dataclass
class Row:
    """One request in a proposal as the coordinator sees it."""

    request: ProcessRequest
    members: list[Ambassador | None]
    locked: list[bool]
    explanation: str
    problems: list[str]
    options: list[list[Option]]  # per place, best first


@dataclass
class Proposal:
    rows: list[Row]
    value: dict  # the plan as it stands, on each level
    current: bool  # made from the requests and the registry as they are now


def proposal(run: MatchRun) -> Proposal:
    """The proposal's rows, with explanations, the rules the current choices break and each
    place's ranked choices; or, when the facts it was made from have changed, only that."""
    requests = open_requests()
    problem = build_problem(requests)
    if run.fingerprint != problem.fingerprint():
        return Proposal([], {}, current=False)
    instance = matching.Instance(problem)
    chosen: dict[int, dict[int, MatchChoice]] = {}
    for choice in run.choices:
        chosen.setdefault(choice.request_id, {})[choice.slot] = choice
    people = {a.id: a for a in db.session.scalars(select(Ambassador))}
    names = {str(key): a.name for key, a in people.items()}
    assignments = {
        instance.r_index[str(r)]: tuple(instance.a_index[str(slots[s].ambassador_id)] for s in (0, 1))
        for r, slots in chosen.items()
        if len(slots) == 2 and all(str(c.ambassador_id) in instance.a_index for c in slots.values())
        and str(r) in instance.r_index
    }
    explained = {a.request: a for a in matching.explain(instance, assignments).assignments}
    rows = []
    for request in requests:
        slots = chosen.get(request.id, {})
        members = [people[slots[s].ambassador_id] if s in slots else None for s in (0, 1)]
        r = instance.r_index[str(request.id)]
        indexes = [instance.a_index.get(str(m.id)) if m else None for m in members]
        problems, options = [], []
        for slot, member in enumerate(members):
            a, partner = indexes[slot], indexes[1 - slot]
            if a is not None:
                problems += [rule_text(rule, member.name)
                             for rule in matching.rules_broken_by(instance, assignments, r, a, partner)]
            options.append(_options(instance, assignments, r, a, partner, people))
        if str(request.id) in explained:
            explanation = why_pair(explained[str(request.id)], names)
        else:
            explanation = why_unstaffed(matching.rules.why_unstaffed(instance, r, assignments))
        rows.append(Row(request, members, [s in slots and slots[s].locked for s in (0, 1)], explanation,
                        list(dict.fromkeys(problems)), options))
    return Proposal(rows, matching.evaluate(instance, assignments), current=True)


def _options(instance: matching.Instance, assignments: dict, r: int, member: int | None, partner: int | None,
             people: dict[int, Ambassador]) -> list[Option]:
    """A place's choices, best first: whether each is free, has room and keeps the department
    rule, where they come from, and what the choice does to the commitments."""
    uses = {}
    for pair in assignments.values():
        for a in pair:
            uses[a] = uses.get(a, 0) + 1
    request = instance.requests[r]
    options = []
    for a, broken, change in matching.swap_options(instance, assignments, r, member, partner):
        ambassador = instance.ambassadors[a]
        person = people[int(ambassador.id)]
        if broken:
            facts = [SHORT_RULES[rule]() for rule in broken]
        else:
            room = instance.spare[a] - uses.get(a, 0) + (a == member)
            facts = [_("fri"), ngettext("%(num)d forløb tilbage", "%(num)d forløb tilbage", room - 1),
                     where_from(instance.relation(request.workplace, ambassador.workplace))]
            if change > 0:
                facts.append(ngettext("+%(num)d med begge forpligtelser", "+%(num)d med begge forpligtelser", change))
            elif change < 0:
                facts.append(ngettext("−%(num)d med begge forpligtelser", "−%(num)d med begge forpligtelser", -change))
        options.append(Option(person, f"{person.name} – {', '.join(facts)}", not broken))
    return options


def choose(run: MatchRun, request: ProcessRequest, slot: int, ambassador: Ambassador | None) -> None:
    """Put ``ambassador`` in a slot of a request (None empties it); the coordinator's choice is locked.
    The person already in the other slot is refused."""
    other = next((c for c in run.choices if c.request_id == request.id and c.slot == 1 - slot), None)
    if ambassador is not None and other is not None and other.ambassador_id == ambassador.id:
        raise CannotChoose(_("%(name)s står allerede på den anden plads. Vælg en anden.", name=ambassador.name))
    current = next((c for c in run.choices if c.request_id == request.id and c.slot == slot), None)
    if ambassador is None:
        if current is not None:
            run.choices.remove(current)
        return
    if current is None:
        run.choices.append(MatchChoice(request_id=request.id, slot=slot, ambassador_id=ambassador.id, locked=True))
    else:
        current.ambassador_id, current.locked = ambassador.id, True


class CannotConfirm(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CannotChoose(CannotConfirm):
    """A choice the rules refuse outright."""


def confirm(run: MatchRun) -> int:
    """Create the processes, their pairs, visits and bookings; returns how many."""
    found = proposal(run)
    if not found.current:
        raise CannotConfirm(out_of_date_text())
    rows = found.rows
    broken = [problem for row in rows for problem in row.problems]
    if broken:
        raise CannotConfirm(broken[0])
    created = 0
    for row in rows:
        if None in row.members:
            continue
        request = row.request
        process = Process(workplace_id=request.workplace_id, facilitators=list(row.members),
                          target_groups=request.target_groups)
        process.visits = schedule.planned_visits(request)
        db.session.add(process)
        audit.record("process.confirm", process, request=request.id, pair=[m.name for m in row.members])
        db.session.flush()
        for visit in process.visits:
            schedule.book(visit, row.members, schedule.window_of(visit, request))
        request.status, request.process = "planned", process
        notices.plan_confirmed(process, request)  # to the pair and the workplace contact, with the .ics
        created += 1
    run.status = "confirmed"
    run.result = json.dumps({**json.loads(run.result), "confirmed": found.value})
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise CannotConfirm(_("En ambassadør er allerede booket på en af dagene. Foreslå planen igen.")) from None
    return created
