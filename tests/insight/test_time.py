"""Time as the municipality lives it: with the clock set through the app's one "now" (CLOCK) at 23:30 and
00:30 UTC on month ends and on the nights summer time begins and ends, "today", the months, due and
overdue and every date shown are Copenhagen's – whatever zone the server process runs in – and a
completion keeps the day it happened when a note is corrected later."""
import re
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from after import hold_first_visit, two_areas
from world import login

from kerne.desk import csvfiles
from kerne.insight import exports
from kerne.models import WorkTask
from kerne.web.extensions import db
from kerne.workshop.visits import close_visit, open_visit

# (the process clock, in UTC; the municipality's date then)
INSTANTS = [
    (datetime(2026, 1, 31, 23, 30), date(2026, 2, 1)),
    (datetime(2026, 1, 31, 0, 30), date(2026, 1, 31)),
    (datetime(2026, 3, 28, 23, 30), date(2026, 3, 29)),  # the night summer time begins (01:00 UTC, 29 March)
    (datetime(2026, 3, 29, 0, 30), date(2026, 3, 29)),
    (datetime(2026, 3, 31, 23, 30), date(2026, 4, 1)),  # a month end in summer time, two hours ahead
    (datetime(2026, 3, 31, 0, 30), date(2026, 3, 31)),
    (datetime(2026, 10, 24, 23, 30), date(2026, 10, 25)),  # the night summer time ends (01:00 UTC, 25 October)
    (datetime(2026, 10, 25, 0, 30), date(2026, 10, 25)),
    (datetime(2026, 10, 31, 23, 30), date(2026, 11, 1)),
    (datetime(2026, 12, 31, 23, 30), date(2027, 1, 1)),
    (datetime(2026, 12, 31, 0, 30), date(2026, 12, 31)),
]
DANISH_MONTHS = ("jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec.")


@pytest.fixture
def clock():
    return {"now": datetime.now(UTC)}


@pytest.fixture
def app_config(clock):
    return {"CLOCK": lambda: clock["now"]}


@pytest.fixture(params=["UTC", "Europe/Copenhagen"])
def server_zone(request, monkeypatch):
    """The zone the server process itself runs in: it must not matter."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def shown(day: date) -> str:
    """A date as the pages show it (Babel's medium Danish date)."""
    return f"{day.day}. {DANISH_MONTHS[day.month - 1]} {day.year}"


@pytest.mark.parametrize("instant, local", INSTANTS, ids=lambda v: str(v))
def test_today_months_and_overdue_are_copenhagens(client, app, clock, server_zone, instant, local):
    clock["now"] = instant.replace(tzinfo=UTC)
    world = two_areas()  # world.request is made now: at the instant
    hold_first_visit(world.process)
    second = world.process.visits[1]
    open_visit(second)
    yesterday = WorkTask(visit_id=second.id, position=1, title="Frist i går", decision="develop", owner="Lise",
                         deadline=local, follow_up_on=local - timedelta(days=1))
    today = WorkTask(visit_id=second.id, position=2, title="Frist i dag", decision="keep", owner="Lise",
                     deadline=local, follow_up_on=local)
    db.session.add_all([yesterday, today])
    close_visit(second)
    hold_first_visit(world.elsewhere, core_task="Tryghed i eget hjem")
    open_visit(world.elsewhere.visits[1])
    done = WorkTask(visit_id=world.elsewhere.visits[1].id, position=1, title="Færdig", decision="keep", owner="Bo",
                    deadline=local, follow_up_on=local + timedelta(days=30))
    db.session.add(done)
    close_visit(world.elsewhere.visits[1])
    db.session.commit()
    login(client, world.director.email)
    assert client.post(f"/processes/{world.elsewhere.id}/tasks/{done.id}/follow-up",
                       data={f"mark-{done.id}-mark": "done"}).status_code == 302  # completed now, at the instant

    page = client.get("/dashboard").get_data(as_text=True)
    assert f"– {shown(local)}" in page  # the period ends today, Copenhagen's today
    months = page.split('id="chart-months"')[1].split("</table>")[0]
    last = re.findall(r'<tr><th scope="row">([^<]+)</th>\s*<td class="number">(?:<a[^>]*>)?(\d+)', months)[-1]
    # both made now (Fjordskolen's request, and Hjemmeplejen Nord's process made without one) count in this month
    assert last == (f"{DANISH_MONTHS[local.month - 1]} {local.year}", "2")
    assert "Fjordskolen" in client.get(f"/processes?requested={month(local)}").get_data(as_text=True)
    assert "Hjemmeplejen Nord" in client.get(f"/processes?completed={month(local)}").get_data(as_text=True)
    overdue = client.get("/tasks?follow_up=overdue").get_data(as_text=True)
    due = client.get("/tasks?follow_up=due").get_data(as_text=True)
    assert "Frist i går" in overdue and "Frist i dag" not in overdue and "Frist i dag" in due
    rows = csvfiles.read(client.get("/exports/processes?format=plain").data, exports.PROCESS_COLUMNS)
    by_place = {r.values["arbejdsplads"]: r.values for r in rows}
    assert by_place["Fjordskolen"]["anmodet"] == local.isoformat()
    assert by_place["Hjemmeplejen Nord"]["afsluttet"] == local.isoformat()


def test_a_corrected_note_does_not_move_the_completion(client, app, clock):
    clock["now"] = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 1 January 2027 in Copenhagen
    world = two_areas()
    hold_first_visit(world.process)
    second = world.process.visits[1]
    open_visit(second)
    task = WorkTask(visit_id=second.id, position=1, title="Lektiecafé", decision="develop", owner="Lise",
                    deadline=date(2027, 1, 15), follow_up_on=date(2027, 2, 1))
    db.session.add(task)
    close_visit(second)
    db.session.commit()
    login(client, world.leader.email)
    url = f"/processes/{world.process.id}/tasks/{task.id}/follow-up"
    assert client.post(url, data={f"mark-{task.id}-mark": "done", f"mark-{task.id}-note": "Kører"}).status_code == 302
    db.session.expire_all()
    stamped = db.session.get(WorkTask, task.id).followed_up_at
    clock["now"] = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)  # weeks later, the note is corrected
    assert client.post(url, data={f"mark-{task.id}-mark": "done", f"mark-{task.id}-note": "Kører hver tirsdag"}) \
        .status_code == 302
    db.session.expire_all()
    kept = db.session.get(WorkTask, task.id)
    assert kept.follow_up_note == "Kører hver tirsdag" and kept.followed_up_at == stamped
    assert stamped == datetime(2026, 12, 31, 23, 30)
    assert "Fjordskolen" in client.get("/processes?completed=2027-01").get_data(as_text=True)
    assert "Fjordskolen" not in client.get("/processes?completed=2027-03").get_data(as_text=True)
    rows = csvfiles.read(client.get("/exports/processes?format=plain").data, exports.PROCESS_COLUMNS)
    assert [r.values["afsluttet"] for r in rows if r.values["arbejdsplads"] == "Fjordskolen"] == ["2027-01-01"]
    tasks = csvfiles.read(client.get("/exports/tasks?format=plain").data, exports.TASK_COLUMNS)
    assert [r.values["fulgt op"] for r in tasks] == ["2027-01-01"]
