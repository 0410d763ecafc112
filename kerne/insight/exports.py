"""The lists behind the figures as CSV (Excel's or plain) and .xlsx, with the same rows and scoping.

Cells a spreadsheet would run as formulas are neutralised: in CSV with a leading
apostrophe (kerne.desk.csvfiles), in .xlsx as text cells (kerne.insight.spreadsheet).
"""
from datetime import date

from flask import Response, abort, request

from kerne.desk import csvfiles
from kerne.insight import spreadsheet
from kerne.insight.facts import TaskRow, World
from kerne.insight.statistics import Case, Organisation, commitments, counted, follow_up_of
from kerne.web.clock import local_date
from kerne.web.vocabulary import (
    COMMITMENT_LABELS,
    DECISION_LABELS,
    FOLLOW_UP_LABELS,
    FOLLOW_UP_MARK_LABELS,
    STATE_LABELS,
)

PROCESS_COLUMNS = ("forløb", "arbejdsplads", "afdeling", "område", "status", "anmodet", "ambassadører", "besøg 1",
                   "besøg 2", "deltagere ved besøg 1", "deltagere ved besøg 2", "kerneopgave", "målgrupper",
                   "kontaktperson", "kontaktpersonens e-mail", "besluttede opgaver", "fulgt op", "afsluttet",
                   "begrundelse for aflysning")
TASK_COLUMNS = ("forløb", "arbejdsplads", "afdeling", "område", "opgave", "beslutning", "begrundelse", "ansvarlig",
                "frist", "opfølgningsdato", "opfølgning", "markering", "note", "fulgt op")
AMBASSADOR_LOAD_COLUMNS = ("id", "navn", "arbejdsplads", "afdeling", "område", "aktiv", "forløb pr. sæson",
                           "forløb", "holdt", "egen arbejdsplads", "anden arbejdsplads")
FORMATS = ("csv", "plain", "xlsx")


def _places(world: World, workplace_id: int) -> dict:
    organisation = world.organisation
    return {"arbejdsplads": world.unit_name(workplace_id),
            "afdeling": world.unit_name(organisation.above(workplace_id, "department")),
            "område": world.unit_name(organisation.above(workplace_id, "area"))}


def process_rows(world: World, cases: list[Case]) -> list[dict]:
    rows = []
    for case in cases:
        request = world.requests.get(case.key, {})
        days = world.visit_days.get(case.process_id, {})
        people = dict(case.participants)
        decided = case.facts.decided
        rows.append({
            "forløb": case.process_id or "", **_places(world, case.workplace_id),
            "status": str(STATE_LABELS[case.state]), "anmodet": case.requested_on,
            "ambassadører": ", ".join(world.names.get(a, "") for a in case.facilitator_ids),
            "besøg 1": days.get(1), "besøg 2": days.get(2),
            "deltagere ved besøg 1": people.get(1, ""), "deltagere ved besøg 2": people.get(2, ""),
            "kerneopgave": world.core_tasks.get(case.process_id, ""), "målgrupper": request.get("target_groups", ""),
            "kontaktperson": request.get("contact_name", ""), "kontaktpersonens e-mail": request.get("contact_email", ""),
            "besluttede opgaver": len(decided), "fulgt op": sum(1 for t in decided if t.mark),
            "afsluttet": case.completed_on, "begrundelse for aflysning": request.get("cancel_reason", "") or "",
        })
    return rows


def task_rows(world: World, tasks: list[TaskRow], today: date) -> list[dict]:
    rows = []
    for task in tasks:
        case = world.case_of(task.process_id)
        where = follow_up_of(task.facts, case, today)
        rows.append({
            "forløb": task.process_id, **_places(world, case.workplace_id), "opgave": task.title,
            "beslutning": str(DECISION_LABELS[task.facts.decision]), "begrundelse": task.rationale,
            "ansvarlig": task.facts.owner, "frist": task.facts.deadline, "opfølgningsdato": task.facts.follow_up_on,
            "opfølgning": str(FOLLOW_UP_LABELS[where]) if where else "",
            "markering": str(FOLLOW_UP_MARK_LABELS[task.facts.mark]) if task.facts.mark else "",
            "note": task.note, "fulgt op": local_date(task.followed_up_at),
        })
    return rows


def ambassador_rows(world: World, ambassadors, organisation: Organisation) -> list[dict]:
    """Commitments count processes wherever they are; ``forløb`` and ``holdt`` those within ``organisation``."""
    rows = []
    for ambassador in ambassadors:
        state = commitments(ambassador.workplace_id, ambassador.processes)
        processes, held = counted(ambassador, organisation)
        rows.append({
            "id": ambassador.id, "navn": ambassador.name, **_places(world, ambassador.workplace_id),
            "aktiv": "ja" if ambassador.active else "nej", "forløb pr. sæson": ambassador.capacity,
            "forløb": processes, "holdt": held,
            "egen arbejdsplads": str(COMMITMENT_LABELS[state.own]),
            "anden arbejdsplads": str(COMMITMENT_LABELS[state.other]),
        })
    return rows


def asked_format() -> str:
    """The format the request asks for (``?format=``, csv unless said), or 404 for one there is not."""
    fmt = request.args.get("format", "csv")
    if fmt not in FORMATS:
        abort(404)
    return fmt


def answer(fmt: str, name: str, header: tuple[str, ...], rows: list[dict]) -> Response:
    """The file in the asked format: ``csv`` (Excel in Danish), ``plain`` (``,``) or ``xlsx``."""
    if fmt not in FORMATS:
        abort(404)
    if fmt == "xlsx":
        return Response(spreadsheet.write(header, rows, title=name), headers={
            "Content-Disposition": f"attachment; filename={name}.xlsx"},
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return Response(csvfiles.write(header, rows, excel=fmt == "csv"), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}.csv"})
