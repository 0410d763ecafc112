"""One truth for a process's state: a process built in each state shows the same label on the front page,
the dashboard, its own page, the list of processes, the coordinator's page of its ambassadors and the export."""
import re
from datetime import timedelta

from after import TODAY, hold_first_visit, hold_second_visit
from world import ambassador, login, unit, user

from kerne.desk import csvfiles
from kerne.insight import exports
from kerne.models import Process, ProcessRequest, Visit, WorkTask, utcnow
from kerne.processes.lifecycle import STATES
from kerne.web.extensions import db
from kerne.web.vocabulary import STATE_LABELS
from kerne.workshop.visits import open_visit


def _process(workplace, pair) -> Process:
    process = Process(workplace=workplace, facilitators=pair)
    process.visits = [Visit(number=1, scheduled_on=TODAY + timedelta(days=3)),
                      Visit(number=2, scheduled_on=TODAY + timedelta(days=20))]
    db.session.add(process)
    db.session.add(ProcessRequest(workplace=workplace, contact_name="Kontakt", contact_email="k@example.dk",
                                  visit1_start=TODAY, visit1_end=TODAY, visit2_start=TODAY, visit2_end=TODAY,
                                  status="planned", process=process))
    db.session.commit()
    return process


def each_state():
    """A workplace per state, named after it, with its process (or request) in that state; and a coordinator."""
    area = unit("Område", "area")
    department = unit("Afdeling", "department", area)
    places = {name: unit(f"Sted {name}", "workplace", department) for name in STATES}
    pair = [ambassador("Anna Berg", places["requested"]), ambassador("Bo Dam", places["completed"])]
    coordinator = user("koordinator@example.dk", "coordinator")
    db.session.add(ProcessRequest(workplace=places["requested"], contact_name="Kontakt", contact_email="k@example.dk",
                                  visit1_start=TODAY, visit1_end=TODAY, visit2_start=TODAY, visit2_end=TODAY))
    db.session.commit()
    processes = {name: _process(places[name], pair) for name in STATES[1:]}
    open_visit(processes["visit1"].visits[0])
    hold_first_visit(processes["core_task_defined"])
    hold_first_visit(processes["visit2"])
    open_visit(processes["visit2"].visits[1])
    for name, tasks in (("tasks_decided", [("Morgenmøde", "develop", "", 20)]),
                        ("follow_up", [("Morgenmøde", "develop", "Lise", -3), ("Kaffe", "keep", "Lise", 9)]),
                        ("completed", [("Morgenmøde", "develop", "Lise", -3)])):
        hold_first_visit(processes[name])
        hold_second_visit(processes[name], tasks)
    done = processes["completed"].visits[1].id
    for task in db.session.scalars(db.select(WorkTask).where(WorkTask.visit_id == done)):
        task.follow_up_mark, task.followed_up_at = "done", utcnow()
    # Hjemmeplejen Nord on the demo: both visits held, a follow-up overdue – never "Afsluttet" before it is done
    processes["follow_up"].visits[1].status = "closed"
    processes["cancelled"].cancelled_at, processes["cancelled"].cancel_reason = utcnow(), "Lukket"
    db.session.commit()
    return coordinator, places, processes


def badge(html: str, place: str) -> str:
    """The state badge next to a workplace's name in a list of processes."""
    item = html.split(f"<strong>{place}</strong>")[1]
    return re.search(r'class="badge [a-z]+-[a-z_0-9]+">([^<]+)<', item).group(1)


def test_each_state_shows_the_same_label_on_every_page(client, app):
    coordinator, places, processes = each_state()
    pair_member = processes["completed"].facilitators[0]
    login(client, coordinator.email)
    front = client.get("/").get_data(as_text=True)
    listed = client.get("/processes").get_data(as_text=True)
    registry = client.get(f"/ambassadors/{pair_member.id}").get_data(as_text=True)
    rows = csvfiles.read(client.get("/exports/processes?format=plain").data, exports.PROCESS_COLUMNS)
    exported = {r.values["arbejdsplads"]: r.values["status"] for r in rows}
    for name in STATES:
        label, place = str(STATE_LABELS[name]), places[name].name
        if name != "requested":  # a request has no page of its own and is not on the front page
            page = client.get(f"/processes/{processes[name].id}").get_data(as_text=True)
            assert f'<span class="badge state-{name}">{label}</span>' in page, name
            assert (name, badge(front, place)) == (name, label)
            assert f"{place}</a> · {label}" in registry, name
        assert badge(listed, place) == label, name
        assert exported[place] == label, name
    board = client.get("/dashboard").get_data(as_text=True).split('id="chart-units"')[1].split("</table>")[0]
    header = re.findall(r'<th scope="col" class="number">([^<]+)</th>', board)
    counts = dict(zip(header, re.findall(r'<td class="number">(?:<a[^>]*>)?(\d+)', board)))
    assert counts == {str(label): "1" for label in STATE_LABELS.values()}  # the area's row: one in each state
