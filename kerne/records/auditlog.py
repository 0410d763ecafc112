"""The audit log for the coordinator: filter by action, person and date, page through, export."""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from jinja2_fragments.flask import render_block
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from kerne.insight import exports
from kerne.models import AuditEvent, User
from kerne.records import audit
from kerne.records.forms import AuditFilterForm
from kerne.web.extensions import db
from kerne.web.vocabulary import audit_details, audit_label, audit_subject

bp = Blueprint("audit", __name__)
PER_PAGE = 50
FILTERS = ("action", "person", "since", "until")
NO_PERSON = "none"  # events no signed-in person caused: commands run on the server
EXPORT_COLUMNS = ("tidspunkt", "person", "e-mail", "handling", "hvad", "detaljer")


def _utc_start(day: date) -> datetime:
    """Midnight of a Danish calendar day, as the naive UTC the log is stored in."""
    local = datetime.combine(day, time(), ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    return local.astimezone(UTC).replace(tzinfo=None)


def _form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    actions = db.session.scalars(select(AuditEvent.action).distinct()).all()
    form.action.choices = [("", _("Alle handlinger"))] + sorted(((a, audit_label(a)) for a in actions),
                                                                key=lambda c: c[1])
    people = db.session.scalars(select(User).where(User.id.in_(select(AuditEvent.user_id))).order_by(User.name))
    form.person.choices = [("", _("Alle")), (NO_PERSON, _("Kommandolinjen (ingen person)"))] + [
        (str(u.id), f"{u.name} ({u.email})") for u in people]
    return form


def _query(form: AuditFilterForm):
    query = select(AuditEvent)
    if form.action.data:
        query = query.where(AuditEvent.action == form.action.data)
    if form.person.data == NO_PERSON:
        query = query.where(AuditEvent.user_id.is_(None))
    elif form.person.data:
        query = query.where(AuditEvent.user_id == int(form.person.data))
    if form.since.data:
        query = query.where(AuditEvent.created_at >= _utc_start(form.since.data))
    if form.until.data:
        query = query.where(AuditEvent.created_at < _utc_start(form.until.data + timedelta(days=1)))
    return query


def details(event: AuditEvent) -> list[tuple[str, str]]:
    """The event's detail as (field, what) in Danish, old → new for a change."""
    return audit_details(event.action, event.detail)


def _page(form: AuditFilterForm) -> dict:
    """One page of events, newest first; a page past the end is not found."""
    number = request.args.get("page", 1, type=int)
    query = _query(form)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // PER_PAGE))
    if not 1 <= number <= pages:
        abort(404)
    events = db.session.scalars(query.options(selectinload(AuditEvent.user))
                                .order_by(AuditEvent.id.desc()).limit(PER_PAGE).offset((number - 1) * PER_PAGE))
    filters = {name: request.args[name] for name in FILTERS if request.args.get(name)}
    return {"events": list(events), "total": total, "page": number, "pages": pages, "filters": filters,
            "details": details, "label": audit_label, "subject": audit_subject}


def _valid_form() -> AuditFilterForm:
    """The filters of a fragment or an export; the page shows what is wrong next to the field."""
    form = _form()
    if not form.validate():
        abort(422, next(iter(form.errors.values()))[0])
    return form


@bp.get("/audit")
def index():
    """The audit log: who changed what and when, newest first."""
    form = _form()
    if not form.validate():
        return render_template("records/audit.html", form=form, events=None), 422
    return render_template("records/audit.html", form=form, **_page(form))


@bp.get("/audit/events")
def events():
    """The events for the chosen filters (a fragment, never in the history)."""
    return render_block("records/audit.html", "events", **_page(_valid_form()))


@bp.get("/audit.csv")
def export():
    """Every event the filters leave, as CSV for Excel (``?format=plain`` or ``xlsx`` for others)."""
    form = _valid_form()
    fmt = exports.asked_format()
    audit.record_reading("audit.export", format=fmt, **{name: request.args[name] for name in FILTERS
                                                        if request.args.get(name)})
    query = _query(form).options(selectinload(AuditEvent.user)).order_by(AuditEvent.id)
    rows = [{"tidspunkt": e.created_at.replace(tzinfo=UTC).isoformat(timespec="seconds"),
             "person": e.user.name if e.user else "", "e-mail": e.user.email if e.user else "",
             "handling": audit_label(e.action), "hvad": audit_subject(e.subject_type, e.subject_id),
             "detaljer": "; ".join(f"{name}: {what}" for name, what in details(e))}
            for e in db.session.scalars(query)]
    return exports.answer(fmt, "haendelseslog", EXPORT_COLUMNS, rows)

