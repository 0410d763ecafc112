"""Importing the organisation, the ambassadors and the requests from CSV, and
exporting the ambassadors so that export → import gives the same registry.

A file is checked whole before anything is written: a bad row is reported with
its line number and nothing from the file is imported. Rows go through the
same forms as the pages, so a rule lives in one place. Every file has an
``id`` column: the organisation's own key, kept as the record's external id.
"""
import hashlib
import json
from dataclasses import dataclass
from types import SimpleNamespace

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from kerne.desk import csvfiles
from kerne.desk.forms import AmbassadorForm, RequestForm, UnitForm, yes_no
from kerne.models import ORG_KINDS, VISIT_ENDS, VISIT_STARTS, Ambassador, OrgUnit, ProcessRequest, UnavailableDay, User
from kerne.records import audit
from kerne.web.extensions import db
from kerne.web.forms import clock

ORG_COLUMNS = ("id", "name", "kind", "parent")
AMBASSADOR_COLUMNS = ("id", "name", "email", "phone", "workplace", "profession", "trained_on", "active", "capacity",
                      "unavailable")
REQUEST_COLUMNS = ("id", "workplace", "contact_name", "contact_email", "target_groups", "visit1_start", "visit1_end",
                   "visit2_start", "visit2_end", "visit_starts", "visit_ends", "notes")
KINDS = {"area": "area", "område": "area", "department": "department", "afdeling": "department",
         "workplace": "workplace", "arbejdsplads": "workplace"}
PARENT_KIND = {"area": None, "department": "area", "workplace": "department"}


Problem = tuple[int | None, str]  # the line as the spreadsheet shows it (None: the file as a whole), in Danish


class ImportProblems(Exception):
    """Everything wrong with a file, by line, in Danish."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda problem: problem[0] or 0)
        super().__init__("\n".join(f"{line}: {message}" if line else message for line, message in self.problems))


def uploaded_data(upload) -> bytes:
    """The bytes of an uploaded file, or the problem that none was chosen."""
    if upload is None or not upload.filename:
        raise ImportProblems([(None, _("Vælg en CSV-fil."))])
    return upload.read()


def from_upload(upload, load) -> tuple[int | None, list[Problem]]:
    """Run an importer on an uploaded file: (how many were imported, or the problems)."""
    try:
        return load(uploaded_data(upload)), []
    except ImportProblems as error:
        return None, error.problems


def refused(problems: list[Problem], back: str):
    return render_template("desk/registry/import_problems.html", problems=problems, back=back), 422


def answer_upload(load, imported):
    """The answer to an import form on the requests' page: back to the list with
    ``imported(count)`` or, when the file is refused, its problems."""
    count, problems = from_upload(request.files.get("file"), load)
    if not problems:
        flash(imported(count), "info")
        return redirect(url_for(".index"))
    return refused(problems, url_for(".index"))


def _describe(code: str) -> str:
    kind, _sep, detail = code.partition(":")
    if kind == "missing_columns":
        return _("Filen mangler kolonnerne: %(columns)s", columns=detail.replace(",", ", "))
    if kind == "field_count":
        expected, got = detail.split(":")
        return ngettext("Linjen har %(num)d felt, men overskriften har %(expected)s.",
                        "Linjen har %(num)d felter, men overskriften har %(expected)s.", int(got), expected=expected)
    return {
        "not_utf8": _("Linjen er ikke gemt som UTF-8 (fx æ, ø eller å fra et andet tegnsæt). Gem filen som "
                      "»CSV UTF-8« og prøv igen."),
        "empty": _("Filen er tom."),
    }.get(kind, _("Linjen kan ikke læses."))


def _rows(data: bytes, columns: tuple[str, ...], required: tuple[str, ...]) -> list[csvfiles.Row]:
    try:
        return csvfiles.read(data, required, columns)
    except csvfiles.CsvProblems as error:
        raise ImportProblems([(line, _describe(code)) for line, code in error.problems]) from None


def in_column(column: str, message: str) -> str:
    """A problem named by the file's column, as the coordinator sees it in the spreadsheet."""
    return _("Kolonnen %(column)s: %(message)s", column=column, message=message)


def _form_problems(line: int, form, skip: tuple[str, ...] = ()) -> list[Problem]:
    """Every message of every field (a field is named as the file's column)."""
    return [(line, in_column(name, str(message))) for name, messages in form.errors.items() if name not in skip
            for message in messages]


def _duplicates(rows: list[csvfiles.Row], column: str) -> list[Problem]:
    seen, problems = {}, []
    for row in rows:
        key = row.values.get(column, "").lower()
        if key and key in seen:
            problems.append((row.line, in_column(column, _("»%(key)s« står også på linje %(other)s.",
                                                           key=row.values[column], other=seen[key]))))
        seen.setdefault(key, row.line)
    return problems


# An id from another system is kept in a column of this width.
ID_LENGTH = 64


def _id_problems(rows: list[csvfiles.Row]) -> list[Problem]:
    """Ids too long to keep, and ids used twice in the file."""
    too_long = [(row.line, in_column("id", ngettext("Id må højst være %(num)d tegn.", "Id må højst være %(num)d tegn.", ID_LENGTH))) for row in rows
                if len(row.values.get("id", "")) > ID_LENGTH]
    return too_long + _duplicates(rows, "id")


def _by_external_id(model, *load) -> dict:
    """The records of ``model`` that have an external id, by that id: one query for a whole file."""
    query = select(model).where(model.external_id.is_not(None)).options(*load)
    return {row.external_id: row for row in db.session.scalars(query)}


# ---- the organisation -------------------------------------------------------------

def import_org(data: bytes) -> int:
    """Areas, departments and workplaces (``id,name,kind,parent``); returns how many."""
    rows = _rows(data, ORG_COLUMNS, ("id", "name", "kind"))
    problems = _id_problems(rows)
    in_file = {row.values["id"]: KINDS.get(row.values["kind"].lower()) for row in rows if row.values.get("id")}
    units = _by_external_id(OrgUnit)
    for row in rows:
        values = row.values
        kind = KINDS.get(values["kind"].lower())
        if not values["id"]:
            problems.append((row.line, in_column("id", _("Feltet skal udfyldes."))))
        form = UnitForm(formdata=MultiDict({"name": values["name"], "kind": kind or "area"}), meta={"csrf": False})
        form.parent.choices = []
        form.validate()
        problems += _form_problems(row.line, form, skip=("kind", "parent"))
        if kind is None:
            problems.append((row.line, in_column("kind", _("Skriv område, afdeling eller arbejdsplads, ikke "
                                                           "»%(value)s«.", value=values["kind"]))))
            continue
        parent = values.get("parent", "")
        parent_kind = in_file.get(parent) or (units[parent].kind if parent in units else None)
        if PARENT_KIND[kind] is None and parent:
            problems.append((row.line, in_column("parent", _("Et område hører ikke under noget."))))
        elif PARENT_KIND[kind] is not None and parent_kind != PARENT_KIND[kind]:
            problems.append((row.line, in_column("parent", _("»%(parent)s« er ikke et id på en overordnet enhed af "
                                                             "rette type.", parent=parent))))
    if problems:
        raise ImportProblems(problems)
    for kind in ORG_KINDS:  # parents before children
        for row in (r for r in rows if KINDS[r.values["kind"].lower()] == kind):
            values = row.values
            unit = units.get(values["id"]) or OrgUnit(external_id=values["id"])
            unit.name, unit.kind = values["name"], kind
            unit.parent = units[values["parent"]] if values.get("parent") else None
            db.session.add(unit)
            units[values["id"]] = unit
    db.session.commit()
    return len(rows)


# ---- the ambassadors ----------------------------------------------------------------

def workplace_choices() -> list[tuple[int, str]]:
    units = db.session.scalars(select(OrgUnit).where(OrgUnit.kind == "workplace").order_by(OrgUnit.name))
    return [(u.id, u.name) for u in units]


def _workplace_of(row: csvfiles.Row, workplaces: dict[str, int], problems: list) -> int | None:
    text = row.values.get("workplace", "")
    workplace = workplaces.get(text.lower()) if text else None
    if not text:
        problems.append((row.line, in_column("workplace", _("Feltet skal udfyldes."))))
    elif workplace is None:
        problems.append((row.line, in_column("workplace", _("Arbejdspladsen »%(name)s« findes ikke.", name=text))))
    return workplace


def _row_forms(rows: list[csvfiles.Row], form_class, problems: list, prepare=None):
    """Each row checked by the page's form, every problem of a line reported, its workplace
    looked up by id or name. ``prepare`` may adjust a row's values first."""
    workplaces, choices = _workplace_lookup(), workplace_choices()
    for row in rows:
        values = {**row.values, "workplace": str(_workplace_of(row, workplaces, problems) or "")}
        if prepare is not None:
            values = prepare(row, values, problems)
        form = form_class(formdata=MultiDict(values), meta={"csrf": False})
        form.workplace.choices = choices
        form.validate()
        problems += _form_problems(row.line, form, skip=("workplace",))
        yield row, form


def _workplace_lookup() -> dict[str, int]:
    """A workplace by its external id, or by its name."""
    lookup = {}
    for unit in db.session.scalars(select(OrgUnit).where(OrgUnit.kind == "workplace")):
        lookup[unit.name.lower()] = unit.id
        if unit.external_id:
            lookup[unit.external_id.lower()] = unit.id
    return lookup


def save_ambassadors(changes: list[tuple[Ambassador, AmbassadorForm]]) -> None:
    """Write checked forms into ambassadors, and link each to the staff account with the same
    e-mail (looked up for all of them at once)."""
    for ambassador, form in changes:
        _save_ambassador(ambassador, form)
    unlinked = {a.email: a for a, _form in changes if a.user is None}
    if unlinked:
        for account in db.session.scalars(select(User).where(func.lower(User.email).in_(unlinked))):
            unlinked[account.email.lower()].user = account


def _save_ambassador(ambassador: Ambassador, form: AmbassadorForm) -> None:
    if ambassador.id is not None and ambassador.active != form.active.data:
        audit.record("ambassador.activate" if form.active.data else "ambassador.deactivate", ambassador)
        if ambassador.user is not None:
            ambassador.user.end_sessions()  # a deactivated ambassador's console and visits close at once
    ambassador.name, ambassador.email = form.name.data, form.email.data.lower()
    ambassador.phone = form.phone.data or None
    ambassador.workplace_id, ambassador.profession = form.workplace.data, form.profession.data
    ambassador.trained_on, ambassador.active = form.trained_on.data, form.active.data
    ambassador.capacity = form.capacity.data
    set_unavailable(ambassador, form.unavailable.data)
    db.session.add(ambassador)


def set_unavailable(ambassador: Ambassador, days) -> None:
    wanted = set(days)
    ambassador.unavailable = [u for u in ambassador.unavailable if u.day in wanted] + [
        UnavailableDay(day=day) for day in sorted(wanted - set(ambassador.unavailable_days))
    ]


@dataclass
class RowChange:
    """What one row of an ambassador file does to the registry: new, changed, rekeyed
    (an existing person, found by e-mail, gets another id) or unchanged."""

    line: int
    kind: str
    name: str
    fields: list[tuple[str, str, str]]  # (column, before, after)
    ambassador: Ambassador | None
    external_id: str
    form: AmbassadorForm


@dataclass
class AmbassadorImport:
    changes: list[RowChange]

    def of_kind(self, kind: str) -> list[RowChange]:
        return [change for change in self.changes if change.kind == kind]

    @property
    def digest(self) -> str:
        """What the file would do, as a fingerprint: a confirmation applies only what was shown."""
        shown = [(c.line, c.kind, c.ambassador.id if c.ambassador else None, c.fields) for c in self.changes]
        return hashlib.sha256(json.dumps(shown).encode()).hexdigest()


def check_ambassadors(data: bytes) -> AmbassadorImport:
    """What a registry file (``id,name,email,phone,workplace,profession,trained_on,active,capacity,unavailable``)
    would change, row by row; nothing is written. A person is found by id, else by e-mail."""
    rows = _rows(data, AMBASSADOR_COLUMNS, ("name", "email", "workplace", "profession"))
    problems = _duplicates(rows, "email") + _id_problems(rows)

    def prepare(row, values, problems):
        active = yes_no(values.get("active") or "ja")
        if not isinstance(active, bool):
            problems.append((row.line, in_column("active", _("Skriv ja eller nej, ikke »%(value)s«.", value=active))))
        return {**values, "active": "ja" if active is True else "", "capacity": values.get("capacity") or "3"}

    checked = list(_row_forms(rows, AmbassadorForm, problems, prepare))
    known = db.session.scalars(select(Ambassador).options(selectinload(Ambassador.unavailable),
                                                         selectinload(Ambassador.user))).all()
    by_id = {a.external_id: a for a in known if a.external_id}
    by_email = {a.email.lower(): a for a in known}
    places = {u.id: u.name for u in db.session.scalars(select(OrgUnit).where(OrgUnit.kind == "workplace"))}
    changes, taken = [], {}
    for row, form in checked:
        external_id = row.values.get("id", "")
        with_id, with_email = by_id.get(external_id), by_email.get((form.email.data or "").lower())
        if with_id is not None and with_email is not None and with_id is not with_email:
            problems.append((row.line, in_column("email", _(
                "»%(email)s« er e-mailen på %(other)s, ikke på id %(id)s (%(name)s).", email=form.email.data,
                other=with_email.name, id=external_id, name=with_id.name))))
        ambassador = with_id or with_email
        if ambassador is not None and ambassador.id in taken:
            problems.append((row.line, _("Rækken gælder samme ambassadør som linje %(other)s (%(name)s).",
                                         other=taken[ambassador.id], name=ambassador.name)))
        if ambassador is not None:
            taken.setdefault(ambassador.id, row.line)
        if problems:
            continue
        external_id = external_id or (ambassador.external_id if ambassador else "") or ""
        after = registry_row(SimpleNamespace(
            external_id=external_id, name=form.name.data, email=form.email.data.lower(), phone=form.phone.data,
            workplace_id=form.workplace.data, profession=form.profession.data, trained_on=form.trained_on.data,
            active=form.active.data, capacity=form.capacity.data, unavailable_days=form.unavailable.data), places)
        before = registry_row(ambassador, places) if ambassador is not None else {}
        fields = [(column, before[column], after[column]) for column in AMBASSADOR_COLUMNS
                  if before and before[column] != after[column]]
        if ambassador is None:
            kind = "new"
        elif before["id"] and before["id"] != after["id"]:
            kind = "rekeyed"
        else:
            kind = "changed" if fields else "unchanged"
        changes.append(RowChange(row.line, kind, form.name.data, fields, ambassador, external_id, form))
    if problems:
        raise ImportProblems(problems)
    return AmbassadorImport(changes)


def apply_ambassadors(checked: AmbassadorImport) -> int:
    """Write what ``check_ambassadors`` found; returns how many ambassadors were added or changed."""
    written = []
    for change in checked.changes:
        if change.kind != "unchanged":
            ambassador = change.ambassador or Ambassador()
            ambassador.external_id = change.external_id or None
            written.append((ambassador, change.form))
    save_ambassadors(written)
    db.session.commit()
    return len(written)


def registry_row(a, workplaces: dict[int, str]) -> dict[str, str]:
    """An ambassador (or anything with its attributes) in the import format."""
    return {
        "id": a.external_id or "", "name": a.name, "email": a.email, "phone": a.phone or "",
        "workplace": workplaces[a.workplace_id], "profession": a.profession,
        "trained_on": a.trained_on.isoformat() if a.trained_on else "", "active": "ja" if a.active else "nej",
        "capacity": str(a.capacity), "unavailable": " ".join(d.isoformat() for d in a.unavailable_days),
    }


def registry_rows(where=None) -> list[dict]:
    """The registry's rows in the import format, for the ambassadors ``where`` selects (all by default)."""
    workplaces = {u.id: u.external_id or u.name for u in db.session.scalars(select(OrgUnit))}
    query = select(Ambassador).order_by(Ambassador.name).options(selectinload(Ambassador.unavailable))
    if where is not None:
        query = query.where(where)
    return [registry_row(a, workplaces) for a in db.session.scalars(query)]


def export_ambassadors(excel: bool = True) -> bytes:
    return csvfiles.write(AMBASSADOR_COLUMNS, registry_rows(), excel=excel)


# ---- the requests -------------------------------------------------------------------

def save_request(request: ProcessRequest, form: RequestForm) -> None:
    request.workplace_id = form.workplace.data
    request.contact_name, request.contact_email = form.contact_name.data, form.contact_email.data.lower()
    request.target_groups, request.notes = form.target_groups.data or "", form.notes.data or ""
    request.visit1_start, request.visit2_start = form.visit1_start.data, form.visit2_start.data
    request.visit1_end = form.visit1_end.data or form.visit1_start.data
    request.visit2_end = form.visit2_end.data or form.visit2_start.data
    request.visit_starts = clock(form.visit_starts.data) if form.visit_starts.data else VISIT_STARTS
    request.visit_ends = clock(form.visit_ends.data) if form.visit_ends.data else VISIT_ENDS
    db.session.add(request)


_WAITING = select(ProcessRequest).where(ProcessRequest.status == "open")


def open_requests() -> dict[int, ProcessRequest]:
    """The requests still waiting for a pair, by workplace: a workplace waits with one request at a time, or the
    pairs would be planned twice for one wish."""
    return {r.workplace_id: r for r in db.session.scalars(_WAITING)}


def open_request(workplace_id: int) -> ProcessRequest | None:
    """The workplace's request still waiting for a pair, if any (see open_requests)."""
    return db.session.scalars(_WAITING.where(ProcessRequest.workplace_id == workplace_id).limit(1)).first()


def already_waiting(workplace: str) -> str:
    """What a second request for a workplace that already waits is told, on the form and in an import."""
    return _("%(name)s har allerede en anmodning, der venter på et par. Koordinatoren planlægger den, eller den kan "
             "trækkes tilbage under Anmodninger, før der sendes en ny.", name=workplace)


def import_requests(data: bytes) -> int:
    """Process requests (``id,workplace,contact_name,contact_email,target_groups,visit1_start,visit1_end,
    visit2_start,visit2_end,visit_starts,visit_ends,notes``); a request that is already planned is left as it is."""
    rows = _rows(data, REQUEST_COLUMNS, ("id", "workplace", "contact_name", "contact_email", "visit1_start",
                                         "visit2_start"))
    problems = _id_problems(rows)
    requests = _by_external_id(ProcessRequest)
    waiting = open_requests()
    checked = []
    for row, form in _row_forms(rows, RequestForm, problems):
        external_id = row.values.get("id", "")
        if not external_id:
            problems.append((row.line, in_column("id", _("Feltet skal udfyldes."))))
        existing = requests.get(external_id)
        if existing is not None and existing.status != "open":
            problems.append((row.line, in_column("id", _("Anmodningen »%(id)s« er allerede planlagt.",
                                                         id=external_id))))
        other = waiting.get(form.workplace.data)
        if other is not None and other is not existing:  # another request of the workplace waits (or an earlier row)
            problems.append((row.line, in_column("workplace", already_waiting(row.values.get("workplace", "")))))
        elif form.workplace.data is not None:
            waiting[form.workplace.data] = existing or row
        checked.append((external_id, existing, form))
    if problems:
        raise ImportProblems(problems)
    for external_id, existing, form in checked:
        save_request(existing or ProcessRequest(external_id=external_id), form)
    db.session.commit()
    return len(rows)
