"""Worlds for the tests of what comes after the workshop: two areas, leaders for each, and
processes pushed through their visits with the workshop's own functions."""
from datetime import date, timedelta

from world import ambassador, build, unit, user

from kerne.models import Participant, Process, ProcessRequest, Visit, WorkTask
from kerne.web.extensions import db
from kerne.workshop.visits import close_visit, open_visit, set_locked

TODAY = date.today()
CORE_TASK = "Vi skaber læring og trivsel sammen med børn og forældre, så alle børn bliver så dygtige, som de kan."


def two_areas():
    """build()'s area (Børn og Unge: Fjordskolen, Børnehuset Mågen) and a second area with its own leader."""
    world = build(opened=False)
    area = unit("Sundhed og Omsorg", "area")
    care = unit("Hjemmepleje", "department", area)
    world.care_home = unit("Hjemmeplejen Nord", "workplace", care)
    world.nurse = ambassador("Dorte Fisk", world.care_home, "Sygeplejerske")
    world.other_leader = user("omraadechef@example.dk", "leader")
    world.other_leader.units = [area]
    world.director = user("direktoer@example.dk", "leader")
    world.director.sees_whole_organisation = True
    request = ProcessRequest(workplace=world.workplace, contact_name="Lise Leder", contact_email="lise@example.dk",
                             target_groups="Skolebørn\nforældre", visit1_start=TODAY, visit1_end=TODAY,
                             visit2_start=TODAY + timedelta(days=14), visit2_end=TODAY + timedelta(days=14),
                             status="planned", process=world.process)
    db.session.add(request)
    world.request = request
    world.elsewhere = Process(workplace=world.care_home, facilitators=[world.nurse, world.second],
                              target_groups="Ældre borgere")
    world.elsewhere.visits = [Visit(number=1, scheduled_on=TODAY), Visit(number=2, scheduled_on=TODAY)]
    db.session.add(world.elsewhere)
    db.session.commit()
    return world


def hold_first_visit(process: Process, core_task: str = CORE_TASK, locked: bool = True, people: int = 0) -> None:
    visit = process.visits[0]
    open_visit(visit)
    db.session.flush()
    visit.draft.core_task, visit.draft.target_group = core_task, "Skolebørn"
    for _n in range(people):
        db.session.add(Participant(visit_id=visit.id))
    if locked:
        set_locked(visit, True)
    close_visit(visit)
    db.session.commit()


def hold_second_visit(process: Process, tasks, people: int = 0) -> list[WorkTask]:
    """``tasks``: (title, decision, owner, follow-up in days from today or None)."""
    visit = process.visits[1]
    open_visit(visit)
    rows = []
    for position, (title, decision, owner, days) in enumerate(tasks, start=1):
        rows.append(WorkTask(visit_id=visit.id, position=position, title=title, decision=decision, owner=owner,
                             deadline=TODAY + timedelta(days=30) if owner else None,
                             follow_up_on=TODAY + timedelta(days=days) if days is not None else None))
    db.session.add_all(rows)
    for _n in range(people):
        db.session.add(Participant(visit_id=visit.id))
    close_visit(visit)
    db.session.commit()
    return rows


