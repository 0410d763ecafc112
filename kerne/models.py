"""The domain, as typed SQLAlchemy models.

Times are stored as naive UTC, stamped by the one clock (kerne.web.clock), and bucketed and shown in
the configured zone (Europe/Copenhagen by default).
Everything that can change during a visit bumps ``Visit.version`` in the same
transaction (see ``kerne.workshop.live``).
"""
import re
import secrets
from datetime import date, datetime, time

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from kerne.web.clock import utcnow
from kerne.web.extensions import db

ROLES = ("coordinator", "leader", "ambassador")
ORG_KINDS = ("area", "department", "workplace")
ACTIVITIES = ("ideas", "vote", "draft", "tasks", "decide", "actions")
IDEA_TAGS = ("target_group", "effect", "approach", "ambition")
DRAFT_PARTS = ("target_group", "effect", "approach", "ambition", "core_task")
DECISIONS = ("undecided", "develop", "keep", "phase_out")
FOLLOW_UP_MARKS = ("done", "changed", "dropped")
VOTE_CHOICES = ("develop", "keep", "phase_out")
VISIT_STARTS, VISIT_ENDS = time(9), time(12)  # a visit's time of day until the workplace says otherwise


def new_public_id() -> str:
    return secrets.token_urlsafe(12)


# Every public id new_public_id makes has this shape; any other text names no visit. Asked before a
# lookup, it spares the database text it may refuse (PostgreSQL's text holds no NUL byte).
PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,24}")


def new_feed_secret() -> str:
    return secrets.token_urlsafe(32)


class OrgUnit(db.Model):
    """An area (område), department (afdeling) or workplace (arbejdsplads)."""

    __tablename__ = "org_unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(12))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)

    parent: Mapped["OrgUnit | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["OrgUnit"]] = relationship(back_populates="parent", order_by="OrgUnit.name")

    def ancestor(self, kind: str) -> "OrgUnit | None":
        unit: OrgUnit | None = self
        while unit is not None and unit.kind != kind:
            unit = unit.parent
        return unit

    @property
    def department(self) -> "OrgUnit | None":
        return self.ancestor("department")


class User(UserMixin, db.Model):
    """A staff account; ``roles`` is a space-separated subset of ROLES."""

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[str] = mapped_column(String(64), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Every session carries the generation it was started in; bumping it ends them all
    # (sign-out, a new password, deactivation). Checked on the request's one read of the user.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    # A leader sees their units and everything below them; the top leadership and
    # the MED committee are given the whole organisation (see kerne.web.scope).
    sees_whole_organisation: Mapped[bool] = mapped_column(Boolean, default=False)
    # The person at the single sign-on provider (its issuer and subject), bound at their first sign-in
    # there: later sign-ins find the login by these, never by e-mail again (kerne.people.binding).
    sso_issuer: Mapped[str | None] = mapped_column(String(255))
    sso_subject: Mapped[str | None] = mapped_column(String(255))

    ambassador: Mapped["Ambassador | None"] = relationship(back_populates="user")
    units: Mapped[list["OrgUnit"]] = relationship(secondary="leader_unit", order_by="OrgUnit.name")
    invitation: Mapped["Invitation | None"] = relationship(back_populates="user", cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("sso_issuer", "sso_subject"),)

    @property
    def is_active(self) -> bool:
        """A login works while it is active and holds a role it may use (see ``has_role``)."""
        return self.active and bool(self.role_list)

    def has_role(self, role: str) -> bool:
        """An ambassador whose *Aktiv* the coordinator unticked no longer acts as one."""
        if role not in self.roles.split():
            return False
        return role != "ambassador" or self.ambassador is None or self.ambassador.active

    @property
    def role_list(self) -> list[str]:
        return [r for r in ROLES if self.has_role(r)]

    @property
    def has_password(self) -> bool:
        """A login the coordinator gave has none until its person chose one (kerne.people.invitations)."""
        return bool(self.password_hash)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def end_sessions(self) -> None:
        """End every session of this person, on every browser (kerne.people.sign_in checks the generation)."""
        self.session_generation = (self.session_generation or 0) + 1


class Invitation(db.Model):
    """A login waiting for its person to choose a password: the mailed link's token works once, until
    ``expires_at``. Only the token's SHA-256 is kept, so the database cannot open it (kerne.people.invitations)."""

    __tablename__ = "invitation"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)

    user: Mapped[User] = relationship(back_populates="invitation")


class LeaderUnit(db.Model):
    """An org unit a leader follows (with every unit below it)."""

    __tablename__ = "leader_unit"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True, index=True)


class AuditEvent(db.Model):
    """One staff action or sign-in, written in the transaction of the change it records."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    subject_type: Mapped[str | None] = mapped_column(String(20))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON: what changed, from what to what

    user: Mapped[User | None] = relationship()


class Ambassador(db.Model):
    """A trained core-task ambassador (kerneopgaveambassadør)."""

    __tablename__ = "ambassador"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    workplace_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    profession: Mapped[str] = mapped_column(String(80))
    trained_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    capacity: Mapped[int] = mapped_column(Integer, default=3)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    # The secret in the ambassador's calendar feed address.
    calendar_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_feed_secret)

    workplace: Mapped[OrgUnit] = relationship()
    user: Mapped[User | None] = relationship(back_populates="ambassador")
    processes: Mapped[list["Process"]] = relationship(
        secondary="process_facilitator", back_populates="facilitators"
    )
    unavailable: Mapped[list["UnavailableDay"]] = relationship(
        cascade="all, delete-orphan", order_by="UnavailableDay.day"
    )

    @property
    def unavailable_days(self) -> list[date]:
        return [u.day for u in self.unavailable]

    @property
    def in_service(self) -> bool:
        """Active in the registry, and their login (if any) not deactivated: the calendar feed works."""
        return self.active and (self.user is None or self.user.active)

    def rotate_calendar_token(self) -> None:
        """A new feed address; the old one stops working."""
        self.calendar_token = new_feed_secret()


class UnavailableDay(db.Model):
    """A day an ambassador cannot facilitate. Only the date: never a reason."""

    __tablename__ = "unavailable_day"
    ambassador_id: Mapped[int] = mapped_column(ForeignKey("ambassador.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class Playbook(db.Model):
    """One version of the playbook (drejebog). Every edit makes a new version; a visit
    keeps the version it was opened with (see kerne.processes.playbook)."""

    __tablename__ = "playbook"
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(String(200), default="")


class PlaybookStep(db.Model):
    """One step (trin) of one version of the playbook, worded in Danish and, where the coordinator
    gave it, English (kerne.processes.playbook.rules.worded chooses)."""

    __tablename__ = "playbook_step"
    __table_args__ = (UniqueConstraint("playbook_id", "visit_number", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    playbook_id: Mapped[int] = mapped_column(ForeignKey("playbook.id"), index=True)
    visit_number: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(120))
    purpose: Mapped[str] = mapped_column(String(500))
    prompt: Mapped[str] = mapped_column(String(500))
    activity: Mapped[str] = mapped_column(String(12))
    minutes: Mapped[int] = mapped_column(Integer)
    title_en: Mapped[str] = mapped_column(String(120), default="", server_default="")
    purpose_en: Mapped[str] = mapped_column(String(500), default="", server_default="")
    prompt_en: Mapped[str] = mapped_column(String(500), default="", server_default="")


class Process(db.Model):
    """A process (forløb): two visits by a pair of ambassadors at one workplace."""

    __tablename__ = "process"
    id: Mapped[int] = mapped_column(primary_key=True)
    workplace_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    target_groups: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Cancelled with a reason (kerne.processes.lifecycle); every other state is derived from what happened.
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    # The follow-up meeting; ``meeting_sequence`` counts its changes for the calendar (SEQUENCE).
    meeting_on: Mapped[date | None] = mapped_column(Date)
    meeting_starts: Mapped[time | None] = mapped_column(Time)
    meeting_ends: Mapped[time | None] = mapped_column(Time)
    meeting_place: Mapped[str] = mapped_column(String(120), default="")
    meeting_sequence: Mapped[int] = mapped_column(Integer, default=0)

    workplace: Mapped[OrgUnit] = relationship()
    facilitators: Mapped[list[Ambassador]] = relationship(
        secondary="process_facilitator", back_populates="processes", order_by="Ambassador.name"
    )
    visits: Mapped[list["Visit"]] = relationship(
        back_populates="process", order_by="Visit.number", cascade="all, delete-orphan"
    )

    @property
    def status(self) -> str:
        """planned, running or done, derived from the visits."""
        states = {v.status for v in self.visits}
        if states and states == {"closed"}:
            return "done"
        if states & {"open", "closed"}:
            return "running"
        return "planned"

    def is_facilitated_by(self, user) -> bool:
        """One of the pair, while active: unticking *Aktiv* in the registry ends the facilitator's powers
        at once, even for a person whose other roles still let them sign in."""
        return any(a.user_id == user.id and a.active for a in self.facilitators)


class ProcessFacilitator(db.Model):
    __tablename__ = "process_facilitator"
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id"), primary_key=True)
    ambassador_id: Mapped[int] = mapped_column(ForeignKey("ambassador.id"), primary_key=True, index=True)


class ProcessRequest(db.Model):
    """A workplace's request for a process, waiting for a pair of ambassadors."""

    __tablename__ = "process_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    workplace_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_email: Mapped[str] = mapped_column(String(254))
    target_groups: Mapped[str] = mapped_column(String(200), default="")
    visit1_start: Mapped[date] = mapped_column(Date)
    visit1_end: Mapped[date] = mapped_column(Date)
    visit2_start: Mapped[date] = mapped_column(Date)
    visit2_end: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(String(1000), default="")
    # The time of day the workplace would like its visits; each visit starts from it (kerne.processes.schedule).
    visit_starts: Mapped[time] = mapped_column(Time, default=VISIT_STARTS)
    visit_ends: Mapped[time] = mapped_column(Time, default=VISIT_ENDS)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)  # open, planned, cancelled
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    process_id: Mapped[int | None] = mapped_column(ForeignKey("process.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    workplace: Mapped[OrgUnit] = relationship()
    process: Mapped["Process | None"] = relationship()

    @property
    def windows(self) -> tuple[tuple[date, date], tuple[date, date]]:
        return (self.visit1_start, self.visit1_end), (self.visit2_start, self.visit2_end)


class Booking(db.Model):
    """A day an ambassador is taken by a visit: every day of its window until the day is agreed,
    then that day alone. One per ambassador and day, held by the database itself: nobody is
    booked twice on one date."""

    __tablename__ = "booking"
    __table_args__ = (UniqueConstraint("ambassador_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ambassador_id: Mapped[int] = mapped_column(ForeignKey("ambassador.id"))
    day: Mapped[date] = mapped_column(Date)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), index=True)


class MatchRun(db.Model):
    """One "Foreslå plan": the engine's proposal, as the coordinator adjusts it."""

    __tablename__ = "match_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default="running")  # running, done, failed, confirmed
    progress: Mapped[str] = mapped_column(String(200), default="")
    result: Mapped[str | None] = mapped_column(Text)  # the plan as JSON: explanations, bounds, unstaffed
    # matching.Problem.fingerprint() of what the plan was made from; None before it was kept (out of date)
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    choices: Mapped[list["MatchChoice"]] = relationship(cascade="all, delete-orphan", order_by="MatchChoice.request_id")


class MatchChoice(db.Model):
    """One ambassador in one slot of one request in a proposal; locked ones are kept by the next run."""

    __tablename__ = "match_choice"
    run_id: Mapped[int] = mapped_column(ForeignKey("match_run.id"), primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("process_request.id"), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    ambassador_id: Mapped[int] = mapped_column(ForeignKey("ambassador.id"))
    locked: Mapped[bool] = mapped_column(Boolean, default=False)

    request: Mapped[ProcessRequest] = relationship()
    ambassador: Mapped[Ambassador] = relationship()


class Visit(db.Model):
    """A visit (besøg) of a process: the live workshop that phones join."""

    __tablename__ = "visit"
    __table_args__ = (UniqueConstraint("process_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id"))
    number: Mapped[int] = mapped_column(Integer)
    scheduled_on: Mapped[date | None] = mapped_column(Date)
    # The time of day, once the pair and the workplace agreed the day (until then the visit's
    # window is the request's); ``sequence`` counts the changes, so a calendar moves the meeting.
    starts: Mapped[time | None] = mapped_column(Time)
    ends: Mapped[time | None] = mapped_column(Time)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(8), default="planned")
    join_code: Mapped[str | None] = mapped_column(String(8), unique=True)
    # A code lets phones in for JOIN_CODE_HOURS after it was issued (when the visit opened, or renewed since).
    join_code_issued_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    step_position: Mapped[int] = mapped_column(Integer, default=1)
    dots_per_participant: Mapped[int] = mapped_column(Integer, default=3)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The playbook version the visit runs with, set when it opens; before that it follows the newest.
    playbook_id: Mapped[int | None] = mapped_column(ForeignKey("playbook.id"))
    # What the room shares besides its words (kerne.workshop.room), reset at every step: the step's
    # timer (seconds allotted, None for the step's playbook minutes; seconds used; running since),
    # whether the results are revealed, the task in focus, and whether the join code is shown big.
    timer_seconds: Mapped[int | None] = mapped_column(Integer)
    timer_used: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    timer_running_since: Mapped[datetime | None] = mapped_column(DateTime)
    results_shown: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A task of this visit; no foreign key, so that visit and work_task do not point at each other.
    focus_task_id: Mapped[int | None] = mapped_column(Integer)
    code_shown: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    process: Mapped[Process] = relationship(back_populates="visits")
    draft: Mapped["CoreTaskDraft | None"] = relationship(back_populates="visit")

    @property
    def is_open(self) -> bool:
        return self.status == "open"


class Participant(db.Model):
    """A phone in the room; no account, known by a cookie scoped to one visit."""

    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("visit_id", "browser_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), index=True)
    display_name: Mapped[str | None] = mapped_column(String(40))
    joined_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # A random key kept in the browser's session: one browser is one participant of a visit.
    browser_key: Mapped[str | None] = mapped_column(String(32))
    # When the phone last said it still waits on one of its conflicts (kerne.workshop.presence):
    # a conflict whose author has gone quiet reaches the facilitators' console.
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime)


class EvaluationAnswer(db.Model):
    """One phone's answer to the two questions at the end of a visit. Anonymous: nothing in it names
    the phone, not even when it was given (see EvaluationReceipt)."""

    __tablename__ = "evaluation_answer"
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), index=True)
    usefulness: Mapped[int | None] = mapped_column(Integer)  # 1-5, or none given
    change: Mapped[str] = mapped_column(String(1000), default="")  # what we should do differently


class EvaluationReceipt(db.Model):
    """That a participant answered the evaluation, and nothing else: it keeps one answer per phone
    without any link to which answer was theirs."""

    __tablename__ = "evaluation_receipt"
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), primary_key=True)


class Idea(db.Model):
    """A short contribution to an ideas or vote step."""

    __tablename__ = "idea"
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), index=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("playbook_step.id"))
    text: Mapped[str] = mapped_column(String(600))
    tag: Mapped[str | None] = mapped_column(String(12))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    participant: Mapped[Participant | None] = relationship()
    user: Mapped[User | None] = relationship()


class DotVote(db.Model):
    """How many of a participant's dots sit on one idea."""

    __tablename__ = "dot_vote"
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id"), primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), primary_key=True, index=True)
    dots: Mapped[int] = mapped_column(Integer)


class CoreTaskDraft(db.Model):
    """The core-task wording of a visit, co-written in five parts."""

    __tablename__ = "core_task_draft"
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), unique=True)
    target_group: Mapped[str] = mapped_column(String(1000), default="")
    effect: Mapped[str] = mapped_column(String(1000), default="")
    approach: Mapped[str] = mapped_column(String(1000), default="")
    ambition: Mapped[str] = mapped_column(String(1000), default="")
    core_task: Mapped[str] = mapped_column(String(1000), default="")
    locked_at: Mapped[datetime | None] = mapped_column(DateTime)

    visit: Mapped[Visit] = relationship(back_populates="draft")


class WorkTask(db.Model):
    """A work task (arbejdsopgave) of the workplace and what was decided about it."""

    __tablename__ = "work_task"
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(12), default="undecided")
    rationale: Mapped[str] = mapped_column(String(500), default="")
    owner: Mapped[str] = mapped_column(String(120), default="")
    deadline: Mapped[date | None] = mapped_column(Date)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The follow-up: done, changed or dropped (FOLLOW_UP_MARKS), with a note, by whom and when.
    follow_up_mark: Mapped[str | None] = mapped_column(String(8))
    follow_up_note: Mapped[str] = mapped_column(String(1000), default="")
    followed_up_at: Mapped[datetime | None] = mapped_column(DateTime)
    followed_up_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)


class TaskVote(db.Model):
    """A participant's vote on what to do with a work task."""

    __tablename__ = "task_vote"
    task_id: Mapped[int] = mapped_column(ForeignKey("work_task.id"), primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), primary_key=True)
    choice: Mapped[str] = mapped_column(String(12))


class Revision(db.Model):
    """One save of one field: the history that makes sure no edit is ever lost.

    ``kind`` is create, edit, merge (saved after a clean three-way merge),
    conflict (the author's text kept aside because it could not be merged;
    ``resolved`` once they chose; ``base`` is the text it started from, so
    choosing it later merges instead of overwriting), refused (text that came
    after the wording was locked or the visit closed, kept for its author and
    the facilitators) or restore. ``edit_id`` is chosen by the phone per save,
    so a resent save is recognised and not applied twice.
    """

    __tablename__ = "revision"
    __table_args__ = (
        UniqueConstraint("visit_id", "edit_id"),
        Index("ix_revision_subject", "subject", "subject_id", "field"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"))
    subject: Mapped[str] = mapped_column(String(8))
    subject_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(Text)
    base: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(10))
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    edit_id: Mapped[str | None] = mapped_column(String(40))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    participant: Mapped[Participant | None] = relationship()
    user: Mapped[User | None] = relationship()


class TargetGroup(db.Model):
    """A target group (målgruppe) in the managed vocabulary the coordinator keeps."""

    __tablename__ = "target_group"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class TargetGroupAlias(db.Model):
    """Free text from requests and drafts (folded, see kerne.insight.library.terms) mapped onto a target group."""

    __tablename__ = "target_group_alias"
    text: Mapped[str] = mapped_column(String(200), primary_key=True)
    target_group_id: Mapped[int] = mapped_column(ForeignKey("target_group.id"), primary_key=True, index=True)


class Mail(db.Model):
    """A notice by e-mail, kept in the outbox until the SMTP server took it; retried after an outage.

    ``key`` names the occasion (e.g. a reminder of one visit on one date), so it is queued once.
    """

    __tablename__ = "mail"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    to_email: Mapped[str] = mapped_column(String(254), index=True)
    to_name: Mapped[str] = mapped_column(String(120), default="")
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    ics: Mapped[str | None] = mapped_column(Text)
    process_id: Mapped[int | None] = mapped_column(ForeignKey("process.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(8), default="queued", index=True)  # queued, sent
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class Conversation(db.Model):
    """A talk across units proposed from the core-task library ("Foreslå en snak på tværs"): two workplaces
    that share a target group, the core task that was found, and where it stands: proposed, agreed (for a
    day), held (on a day, with a short note of what came of it)."""

    __tablename__ = "conversation"
    id: Mapped[int] = mapped_column(primary_key=True)
    from_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    to_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    to_process_id: Mapped[int | None] = mapped_column(ForeignKey("process.id"))
    target_group: Mapped[str] = mapped_column(String(120))
    message: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(8), default="proposed", index=True)  # proposed, agreed, held
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    meeting_on: Mapped[date | None] = mapped_column(Date)  # the day agreed, then the day it was held
    outcome: Mapped[str] = mapped_column(String(1000), default="")

    from_unit: Mapped[OrgUnit] = relationship(foreign_keys=[from_unit_id])
    to_unit: Mapped[OrgUnit] = relationship(foreign_keys=[to_unit_id])
    proposed_by: Mapped[User | None] = relationship()
