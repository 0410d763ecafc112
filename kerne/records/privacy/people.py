"""One person as Kerne knows them (a staff account, an ambassador in the registry, or both):
everything stored about them as plain data, and their anonymisation."""
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select, update
from werkzeug.security import generate_password_hash

from kerne.desk import csvfiles
from kerne.models import (
    Ambassador,
    AuditEvent,
    Idea,
    Mail,
    ProcessRequest,
    Revision,
    UnavailableDay,
    User,
    WorkTask,
    utcnow,
)
from kerne.notices import personal
from kerne.records import audit
from kerne.web.extensions import db

ANONYMOUS_EMAIL = "anonymiseret-{kind}{id}@" + personal.ANONYMOUS_DOMAIN  # unique, and never mailed


@dataclass(frozen=True)
class Person:
    user: User | None
    ambassador: Ambassador | None

    @classmethod
    def of_user(cls, user: User) -> "Person":
        return cls(user, user.ambassador)

    @classmethod
    def of_ambassador(cls, ambassador: Ambassador) -> "Person":
        return cls(ambassador.user, ambassador)

    @property
    def name(self) -> str:
        return (self.ambassador or self.user).name

    @property
    def emails(self) -> set[str]:
        return {row.email.lower() for row in (self.user, self.ambassador) if row is not None}

    @property
    def anonymised(self) -> bool:
        return all(email.endswith("@" + personal.ANONYMOUS_DOMAIN) for email in self.emails)


def _plain(value):
    return value.isoformat() if isinstance(value, date | datetime) else value


def _row(row, names: tuple[str, ...]) -> dict:
    return {name: _plain(getattr(row, name)) for name in names}


def export(person: Person) -> dict:
    """Everything stored about the person, section by section (the JSON export)."""
    user, ambassador = person.user, person.ambassador
    user_id = user.id if user else None
    data: dict = {"exported_at": utcnow().replace(microsecond=0).isoformat() + "Z"}
    data["account"] = None if user is None else {
        **_row(user, ("email", "name", "roles", "active", "created_at", "sees_whole_organisation", "sso_issuer",
                      "sso_subject")),
        "units": [u.name for u in user.units]}
    data["ambassador"] = None if ambassador is None else {
        **_row(ambassador, ("external_id", "name", "email", "phone", "profession", "trained_on", "active",
                            "capacity")),
        "workplace": ambassador.workplace.name, "unavailable": [_plain(d) for d in ambassador.unavailable_days],
        "processes": [{"process": p.id, "workplace": p.workplace.name,
                       "visits": [_row(v, ("number", "scheduled_on", "status")) for v in p.visits]}
                      for p in ambassador.processes]}
    mine = [ProcessRequest.contact_email.in_(person.emails)]
    if user_id is not None:
        mine.append(ProcessRequest.requested_by_id == user_id)
    data["requests"] = [_row(r, ("id", "contact_name", "contact_email", "status", "created_at", "notes"))
                        for r in db.session.scalars(select(ProcessRequest).where(or_(*mine))
                                                    .order_by(ProcessRequest.id))]
    data["ideas"] = [] if user_id is None else [
        _row(i, ("visit_id", "text", "created_at"))
        for i in db.session.scalars(select(Idea).where(Idea.user_id == user_id).order_by(Idea.id))]
    data["revisions"] = [] if user_id is None else [
        _row(r, ("visit_id", "subject", "field", "kind", "value", "created_at"))
        for r in db.session.scalars(select(Revision).where(Revision.user_id == user_id).order_by(Revision.id))]
    data["audit_log"] = [{**_row(e, ("created_at", "action", "subject_type", "subject_id")),
                          "detail": json.loads(e.detail)} for e in db.session.scalars(select(AuditEvent).where(_about(person)).order_by(AuditEvent.id))]
    data.update(_notices(person, user_id))
    return data


def _notices(person: Person, user_id: int | None) -> dict:
    """Mails to each of the person's addresses, and their follow-up notes (kerne.notices.personal)."""
    first, *others = sorted(person.emails)
    found = personal.export(first, user_id)
    for email in others:
        found["mails"] += personal.export(email, None)["mails"]
    return found


def _about(person: Person):
    """The audit events the person made, or that are about their account or registry entry."""
    conditions = []
    if person.user is not None:
        conditions += [AuditEvent.user_id == person.user.id,
                       (AuditEvent.subject_type == "user_account") & (AuditEvent.subject_id == person.user.id)]
    if person.ambassador is not None:
        conditions.append((AuditEvent.subject_type == "ambassador") & (AuditEvent.subject_id == person.ambassador.id))
    return or_(*conditions)


CSV_COLUMNS = ("section", "item", "field", "value")


def export_csv(person: Person, excel: bool = True) -> bytes:
    """The export as one table: a row per stored value (section, item number, field, value)."""
    rows = []
    for section, content in export(person).items():
        items = content if isinstance(content, list) else [content]
        for n, item in enumerate(items, 1):
            if not isinstance(item, dict):
                rows.append({"section": section, "item": "", "field": "", "value": item})
                continue
            for field, value in item.items():
                shown = json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value
                rows.append({"section": section, "item": n, "field": field, "value": "" if shown is None else shown})
    return csvfiles.write(CSV_COLUMNS, rows, excel=excel)


ANONYMISED = "anonymiseret"
# What the audit log wrote down about the person themselves, in the events about their registry entry or
# account (``ambassador.create``, ``ambassador.update``): gone as a whole, whatever the words were.
PERSONAL_DETAILS = ("name", "email", "phone", "profession", "trained_on", "unavailable", "external_id")
# Text that names people: mails to others, and what people typed about others (a task's owner, a note,
# a request's notes).
MENTIONS = (*personal.MENTIONS, WorkTask.owner, WorkTask.follow_up_note, ProcessRequest.notes)


def _identifying(person: Person) -> list[str]:
    """The words that name the person: their names, e-mail addresses (as typed, and in small letters)
    and phone number; the longest first, so none is replaced inside another before it."""
    rows = [row for row in (person.user, person.ambassador) if row is not None]
    words = {row.name for row in rows} | {row.email for row in rows} | person.emails
    if person.ambassador is not None and person.ambassador.phone:
        words.add(person.ambassador.phone)
    return sorted((word for word in words if word and word.strip()), key=len, reverse=True)


# Where others typed a person's name beside an address: a request's contact, a mail's recipient.
ADDRESSED = ((ProcessRequest.contact_name, ProcessRequest.contact_email), (Mail.to_name, Mail.to_email))


def _named_elsewhere(names: set[str]) -> tuple[set[str], set[str]]:
    """The person's name as others typed it (any case) and the addresses they wrote beside it, in small
    letters. Compared in Python: SQLite's lower() folds ASCII only, so "WØLK" and "Wølk" would not meet in SQL."""
    folded = {name.casefold() for name in names if name.strip()}
    spellings, emails = set(), set()
    for name, address in ADDRESSED:
        for typed, email in db.session.execute(select(name, address).where(name != "").distinct()):
            if typed.strip().casefold() in folded:
                spellings.add(typed)
                emails.add(email.lower())
    return spellings, emails


def anonymise(person: Person) -> None:
    """The person is gone from Kerne, their work is not: names, addresses, phone, availability and
    mail texts are removed or replaced wherever Kerne wrote them (mails to others and the audit log
    included), the account can no longer sign in, nothing more is mailed to them, and every row that
    counts in the statistics (the ambassador, their workplace, processes, bookings, decisions) stays."""
    rows = [row for row in (person.user, person.ambassador) if row is not None]
    spellings, addresses = _named_elsewhere({row.name for row in rows})
    old_emails = person.emails | addresses
    words = sorted(set(_identifying(person)) | spellings | old_emails, key=len, reverse=True)
    subjects = _subjects(person)
    for email in old_emails:
        personal.anonymise(email, person.user.id if person.user else None)
    for column in MENTIONS:
        for word in words:
            db.session.execute(update(column.class_).where(column.contains(word, autoescape=True))
                               .values({column: func.replace(column, word, ANONYMISED)}))
    db.session.execute(update(ProcessRequest).where(func.lower(ProcessRequest.contact_email).in_(old_emails))
                       .values(contact_name="Anonymiseret", contact_email=f"anonymiseret@{personal.ANONYMOUS_DOMAIN}"))
    if person.ambassador is not None:
        ambassador = person.ambassador
        audit.record("ambassador.anonymise", ambassador)
        ambassador.name = f"Anonymiseret ambassadør {ambassador.id}"
        ambassador.email = ANONYMOUS_EMAIL.format(kind="a", id=ambassador.id)
        ambassador.phone = ambassador.external_id = ambassador.trained_on = None
        ambassador.profession = "–"
        ambassador.calendar_token = secrets.token_urlsafe(32)
        db.session.execute(UnavailableDay.__table__.delete().where(UnavailableDay.ambassador_id == ambassador.id))
        db.session.expire(ambassador, ["unavailable"])
    if person.user is not None:
        user = person.user
        audit.record("user.anonymise", user)
        user.name = f"Anonymiseret bruger {user.id}"
        user.email = ANONYMOUS_EMAIL.format(kind="u", id=user.id)
        user.password_hash = generate_password_hash(secrets.token_urlsafe(32))
        user.sso_issuer = user.sso_subject = user.invitation = None  # nor through single sign-on, nor an invitation
        user.active = False
    db.session.flush()  # the anonymise events above are scrubbed like the rest
    _scrub_audit_log(words, subjects)


def _subjects(person: Person):
    """The audit events about the person's own registry entry or account."""
    conditions = []
    if person.user is not None:
        conditions.append((AuditEvent.subject_type == "user_account") & (AuditEvent.subject_id == person.user.id))
    if person.ambassador is not None:
        conditions.append((AuditEvent.subject_type == "ambassador") & (AuditEvent.subject_id == person.ambassador.id))
    return or_(*conditions)


def _scrub_audit_log(words: list[str], subjects) -> None:
    """What the log wrote about the person goes: in the events about them, every personal value (their
    phone, profession, dates), and in any event, their names, addresses and phone (a pair's names)."""
    for event in db.session.scalars(select(AuditEvent).where(subjects)):
        detail = json.loads(event.detail or "{}")
        if any(key in detail for key in PERSONAL_DETAILS):
            event.detail = json.dumps({key: ANONYMISED if key in PERSONAL_DETAILS else value
                                       for key, value in detail.items()}, ensure_ascii=False, sort_keys=True)
    escaped = {word: json.dumps(word, ensure_ascii=False)[1:-1] for word in words}
    mentions = or_(*(AuditEvent.detail.contains(text, autoescape=True) for text in escaped.values()))
    for event in db.session.scalars(select(AuditEvent).where(mentions)):
        detail = event.detail
        for word in words:
            detail = detail.replace(escaped[word], ANONYMISED)
        event.detail = detail
