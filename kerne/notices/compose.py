"""Which notices go to whom, and what they say.

Every notice is queued in the transaction of what it tells about (kerne.notices.outbox);
its key names the occasion and the recipient, so it is queued once however often it is
looked for. Links are absolute from configuration (kerne.web.links), never from a request's Host header.
"""
from datetime import date, timedelta

from flask import current_app
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kerne.desk.ics import meeting_calendar, process_calendar
from kerne.models import Mail, Process, ProcessRequest, User, Visit, WorkTask
from kerne.notices.outbox import queue
from kerne.processes import schedule
from kerne.web.config import single_sign_on
from kerne.web.extensions import db
from kerne.web.links import absolute
from kerne.web.vocabulary import ROLE_LABELS


def _paragraphs(parts: list[str]) -> str:
    return "\n\n".join(part for part in parts if part)


def recipients(process: Process, request: ProcessRequest | None) -> list[tuple[str, str]]:
    """The pair and the workplace contact: (e-mail, name), each once."""
    people = [(a.email, a.name) for a in process.facilitators]
    if request is not None and request.contact_email:
        people.append((request.contact_email, request.contact_name))
    seen, unique = set(), []
    for email, name in people:
        if email.lower() not in seen:
            seen.add(email.lower())
            unique.append((email, name))
    return unique


def _pair(process: Process) -> str:
    lines = []
    for a in process.facilitators:
        reach = ", ".join(x for x in (a.email, a.phone) if x)
        lines.append(f"  {a.name} ({a.profession}): {reach}")
    return "\n".join(lines)


def _visits(process: Process, request: ProcessRequest | None) -> str:
    return "\n".join("  " + _("Besøg %(n)s: %(when)s", n=visit.number, when=schedule.when(visit, request))
                     for visit in process.visits)


def plan_confirmed(process: Process, request: ProcessRequest | None) -> None:
    """To the pair and the workplace contact: the process is planned, with both visits as .ics."""
    place = process.workplace.name
    page = absolute("home.process", process_id=process.id)
    ics = process_calendar(process, request, page)
    body = _paragraphs([
        _("Forløbet om kerneopgaven hos %(place)s er planlagt.", place=place),
        _("Ambassadørerne:") + "\n" + _pair(process),
        _("Besøgene:") + "\n" + _visits(process, request),
        _("Kontaktperson på arbejdspladsen: %(name)s, %(email)s", name=request.contact_name,
          email=request.contact_email) if request is not None else "",
        _("Forløbet i Kerne: %(link)s", link=page),
        _("Besøgene er vedhæftet som kalenderfil."),
    ])
    for email, name in recipients(process, request):
        queue(f"plan:{process.id}:{email.lower()}", "plan_confirmed", email, name,
              _("Kerne: forløbet hos %(place)s er planlagt", place=place), body, ics, process.id)


def meeting_planned(process: Process, request: ProcessRequest | None) -> None:
    """To the pair and the workplace contact: the follow-up meeting, as .ics (moved: a new one, same UID)."""
    page = absolute("home.process", process_id=process.id)
    ics = meeting_calendar(process, page)
    when = _("%(day)s kl. %(start)s-%(end)s", day=format_date(process.meeting_on, "long"),
             start=process.meeting_starts.strftime("%H:%M"), end=process.meeting_ends.strftime("%H:%M"))
    body = _paragraphs([
        _("Opfølgningsmødet om kerneopgaven hos %(place)s er %(when)s.", place=process.workplace.name, when=when),
        _("Sted: %(place)s", place=process.meeting_place) if process.meeting_place else "",
        _("Handleplanen og opfølgningen: %(link)s", link=page),
    ])
    for email, name in recipients(process, request):
        queue(f"meeting:{process.id}:{process.meeting_sequence}:{email.lower()}", "follow_up_meeting", email, name,
              _("Kerne: opfølgningsmøde hos %(place)s", place=process.workplace.name), body, ics, process.id,
              replaces=(f"meeting:{process.id}:",))


def visit_scheduled(process: Process, visit: Visit, request: ProcessRequest | None) -> None:
    """To the pair and the workplace contact: a visit's agreed day and time, as .ics (moved: same UID, higher
    SEQUENCE, so the calendar moves it). It replaces what still waits about the visit's old time: an earlier
    such mail, and a reminder with the old date."""
    page = absolute("home.process", process_id=process.id)
    when = schedule.when(visit, request)
    body = _paragraphs([
        _("Besøg %(n)s om kerneopgaven hos %(place)s er %(when)s.", n=visit.number, place=process.workplace.name,
          when=when),
        _("Besøgene:") + "\n" + _visits(process, request),
        _("Forløbet i Kerne: %(link)s", link=page),
        _("Besøgene er vedhæftet som kalenderfil."),
    ])
    ics = process_calendar(process, request, page)
    for email, name in recipients(process, request):
        queue(f"visit-time:{visit.id}:{visit.sequence}:{email.lower()}", "visit_scheduled", email, name,
              _("Kerne: besøg %(n)s hos %(place)s %(when)s", n=visit.number, place=process.workplace.name, when=when),
              body, ics, process.id, replaces=(f"visit-time:{visit.id}:", f"visit:{visit.id}:"))


def invitation(user: User, link: str, key: str) -> None:
    """To a person the coordinator gave a login: the link to choose a password, and what the login is for."""
    roles = ", ".join(str(ROLE_LABELS[role]).lower() for role in user.roles.split() if role in ROLE_LABELS)
    body = _paragraphs([
        _("Hej %(name)s", name=user.name),
        _("Du har fået et login til Kerne, kommunens værktøj til forløb om kerneopgaven, som %(roles)s.", roles=roles),
        _("Vælg din adgangskode her. Linket virker én gang, til og med %(when)s:",
          when=format_datetime(user.invitation.expires_at, "short")) + "\n" + link,
        _("Du kan også logge ind med kommunens login her: %(link)s", link=absolute("auth.login"))
        if single_sign_on(current_app.config) else "",
        _("Du logger ind med din e-mail: %(email)s", email=user.email),
    ])
    queue(key, "invitation", user.email, user.name, _("Kerne: du har fået et login"), body)


def _requests_of(process_ids) -> dict[int, ProcessRequest]:
    if not process_ids:
        return {}
    query = select(ProcessRequest).where(ProcessRequest.process_id.in_(process_ids))
    return {r.process_id: r for r in db.session.scalars(query)}


def queue_reminders(today: date) -> int:
    """Queue what is due today: a reminder before each visit, and follow-ups that are due."""
    config = current_app.config
    known = set(db.session.scalars(select(Mail.key).where(Mail.kind.in_(("visit_reminder", "follow_up_due")),
                                                         Mail.created_at >= today - timedelta(days=60))))
    queued = 0
    soon = today + timedelta(days=config["VISIT_REMINDER_DAYS"])
    visits = db.session.scalars(
        select(Visit).join(Process, Process.id == Visit.process_id)
        .where(Visit.status == "planned", Visit.scheduled_on >= today, Visit.scheduled_on <= soon,
               Process.cancelled_at.is_(None))
        .options(selectinload(Visit.process).selectinload(Process.facilitators),
                 selectinload(Visit.process).selectinload(Process.workplace))).all()
    requests = _requests_of([v.process_id for v in visits])
    for visit in visits:
        process, request = visit.process, requests.get(visit.process_id)
        subject = _("Kerne: besøg %(n)s hos %(place)s %(day)s", n=visit.number, place=process.workplace.name,
                    day=format_date(visit.scheduled_on, "long"))
        body = _paragraphs([
            _("Påmindelse: besøg %(n)s om kerneopgaven hos %(place)s er %(day)s.", n=visit.number,
              place=process.workplace.name, day=format_date(visit.scheduled_on, "long")),
            _("Ambassadørerne:") + "\n" + _pair(process),
            _("Forløbet i Kerne: %(link)s", link=absolute("home.process", process_id=process.id)),
        ])
        for email, name in recipients(process, request):
            key = f"visit:{visit.id}:{visit.scheduled_on.isoformat()}:{email.lower()}"
            if key not in known and queue(key, "visit_reminder", email, name, subject, body, None, process.id,
                                          replaces=(f"visit:{visit.id}:",)):
                queued += 1

    horizon = today + timedelta(days=config["FOLLOW_UP_REMINDER_DAYS"])
    tasks = db.session.execute(
        select(WorkTask, Visit.process_id).join(Visit, Visit.id == WorkTask.visit_id)
        .join(Process, Process.id == Visit.process_id)
        .where(WorkTask.removed.is_(False), WorkTask.decision != "undecided", WorkTask.follow_up_mark.is_(None),
               WorkTask.follow_up_on.is_not(None), WorkTask.follow_up_on <= horizon, Visit.status == "closed",
               Process.cancelled_at.is_(None))
        .order_by(Visit.process_id, WorkTask.follow_up_on, WorkTask.position)).all()
    due: dict[int, list[WorkTask]] = {}
    for task, process_id in tasks:
        due.setdefault(process_id, []).append(task)
    processes = {p.id: p for p in db.session.scalars(
        select(Process).where(Process.id.in_(due)).options(selectinload(Process.facilitators),
                                                           selectinload(Process.workplace)))}
    requests = _requests_of(list(due))
    for process_id, listed in due.items():
        process = processes[process_id]
        first = min(t.follow_up_on for t in listed)
        lines = [f"  - {t.title} ({t.owner or '?'}): " + (_("overskredet siden %(day)s", day=format_date(
            t.follow_up_on, "long")) if t.follow_up_on < today else format_date(t.follow_up_on, "long"))
            for t in listed]
        body = _paragraphs([
            _("Disse opgaver hos %(place)s skal følges op:", place=process.workplace.name) + "\n" + "\n".join(lines),
            _("Markér dem som gennemført, ændret eller droppet her: %(link)s",
              link=absolute("home.process", process_id=process.id)),
        ])
        for email, name in recipients(process, requests.get(process_id)):
            key = f"follow-up:{process.id}:{first.isoformat()}:{len(listed)}:{email.lower()}"
            if key not in known and queue(key, "follow_up_due", email, name,
                                          _("Kerne: opfølgning hos %(place)s", place=process.workplace.name),
                                          body, None, process.id):
                queued += 1
    return queued


def conversation_proposed(talk, from_name: str, to_name: str, proposer: str, people: list[tuple[str, str]]) -> None:
    """To both workplaces' contacts: a talk across units about a target group they share is proposed."""
    body = _paragraphs([
        _("%(person)s fra %(origin)s foreslår en snak på tværs med %(to)s om jeres fælles målgruppe: %(group)s.",
          person=proposer, origin=from_name, to=to_name, group=talk.target_group),
        _("Besked: %(message)s", message=talk.message) if talk.message else "",
        _("Aftal et møde, og skriv i Kerne, når det er aftalt og holdt: %(link)s", link=absolute("library.conversations_page")),
    ])
    for email, name in people:
        queue(f"conversation:{talk.id}:{email.lower()}", "conversation", email, name,
              _("Kerne: en snak på tværs om %(group)s", group=talk.target_group), body)
