"""The process page and its moves after the workshop: cancel with a reason, lock the core task,
open visit 2 only after it, complete the action plan, mark follow-ups, plan the meeting."""
import re
from datetime import timedelta
from html.parser import HTMLParser

from after import TODAY, hold_first_visit, hold_second_visit, two_areas
from icalendar import Calendar
from sqlalchemy import select
from world import fresh, login

from kerne.models import AuditEvent, Booking, Mail, Process, Visit, WorkTask
from kerne.processes import lifecycle
from kerne.processes.state import facts_of
from kerne.web.extensions import db


def state_of(process) -> str:
    return lifecycle.state(facts_of(fresh(Process, process.id)))


def test_the_page_shows_timeline_pair_visits_core_task_ideas_decisions_and_activity(client, app):
    world = two_areas()
    hold_first_visit(world.process, people=4)
    hold_second_visit(world.process, [("Lektiecafé", "develop", "Lise", 20), ("Fællessang", "keep", "", None)])
    login(client, world.coordinator.email)
    page = client.get(f"/processes/{world.process.id}").get_data(as_text=True)
    assert 'class="timeline-current" aria-current="step"' in page
    assert "Opgaver besluttet" in page and "mailto:anna.berg@example.dk" in page and "Lise Leder" in page
    assert "Vi skaber læring og trivsel" in page and "Lektiecafé" in page and "Fællessang" in page
    assert "Besøg 1 åbnet" in page and "Kerneopgaven er låst" in page and "Anmodning fra Lise Leder" in page
    assert page.count('class="task-plan"') == 1  # only the task whose plan is incomplete asks for it


def test_cancel_needs_a_reason_frees_the_bookings_and_is_logged(client, app):
    world = two_areas()
    db.session.add(Booking(ambassador_id=world.first.id, day=TODAY, visit_id=world.process.visits[0].id))
    db.session.commit()
    login(client, world.leader.email)
    missing = client.post(f"/processes/{world.process.id}/cancel", data={"reason": ""})
    assert missing.status_code == 422 and "Skriv en begrundelse." in missing.get_data(as_text=True)
    assert client.post(f"/processes/{world.process.id}/cancel", data={"reason": "Skolen lukker"}).status_code == 302
    assert state_of(world.process) == "cancelled"
    assert db.session.scalars(select(Booking)).all() == []
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "process.cancel")).one()
    assert "Skolen lukker" in event.detail and event.user_id == world.leader.id
    again = client.post(f"/processes/{world.process.id}/cancel", data={"reason": "igen"})
    assert again.status_code == 409 and "Forløbet er allerede aflyst." in again.get_data(as_text=True)
    login(client, world.other_leader.email)  # another area's leader may not
    assert client.post(f"/processes/{world.elsewhere.id}/cancel", data={"reason": "x"}).status_code == 302
    # outside her units the process is not found at all
    assert client.post(f"/processes/{world.process.id}/cancel", data={"reason": "x"}).status_code == 404


def test_an_open_visit_blocks_cancelling(client, app):
    world = two_areas()
    login(client, world.first.email)
    client.post(f"/visits/{world.process.visits[0].id}/open")
    login(client, world.coordinator.email)
    refused = client.post(f"/processes/{world.process.id}/cancel", data={"reason": "x"})
    assert refused.status_code == 409 and "Luk besøget, før forløbet aflyses." in refused.get_data(as_text=True)


def test_visit_two_waits_for_the_locked_core_task(client, app):
    world = two_areas()
    hold_first_visit(world.process, locked=False)
    assert state_of(world.process) == "visit1"
    login(client, world.first.email)
    second = world.process.visits[1].id
    refused = client.post(f"/visits/{second}/open")
    assert refused.status_code == 409
    assert "Besøg 2 kan først åbnes, når kerneopgaven er låst på besøg 1." in refused.get_data(as_text=True)
    assert fresh(Visit, second).status == "planned"
    # the pair locks the wording after the visit, then visit 2 opens
    assert client.post(f"/processes/{world.process.id}/core-task/lock", data={"value": "1"}).status_code == 302
    assert state_of(world.process) == "core_task_defined"
    assert client.post(f"/visits/{second}/open").status_code == 302
    assert state_of(world.process) == "visit2"
    refused = client.post(f"/processes/{world.process.id}/core-task/lock", data={"value": "0"})
    assert refused.status_code == 409 and "når besøg 2 er begyndt" in refused.get_data(as_text=True)


def test_a_leader_may_not_lock_and_an_empty_wording_cannot_be(client, app):
    world = two_areas()
    hold_first_visit(world.process, core_task="", locked=False)
    login(client, world.leader.email)
    assert client.post(f"/processes/{world.process.id}/core-task/lock", data={"value": "1"}).status_code == 403
    login(client, world.second.email)
    refused = client.post(f"/processes/{world.process.id}/core-task/lock", data={"value": "1"})
    assert refused.status_code == 409 and "Skriv kerneopgaven, før den låses." in refused.get_data(as_text=True)


def test_action_plan_then_follow_up_completes_the_process(client, app):
    world = two_areas()
    hold_first_visit(world.process)
    develop, keep = hold_second_visit(world.process, [("Lektiecafé", "develop", "Lise", 20),
                                                      ("Fællessang", "keep", "", None)])
    assert state_of(world.process) == "tasks_decided"
    login(client, world.leader.email)
    url = f"/processes/{world.process.id}/tasks/{keep.id}"
    refused = client.post(f"{url}/follow-up", data={f"mark-{keep.id}-mark": "done"})
    assert refused.status_code == 409 and "mangler ansvarlig, frist eller opfølgningsdato" in refused.get_data(
        as_text=True)
    bad = client.post(f"{url}/plan", data={f"plan-{keep.id}-decision": "keep", f"plan-{keep.id}-owner": "",
                                           f"plan-{keep.id}-deadline": "31-02-2027",
                                           f"plan-{keep.id}-follow_up_on": ""})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Feltet skal udfyldes." in text and "Skriv datoen som" in text
    plan = {f"plan-{keep.id}-decision": "keep", f"plan-{keep.id}-owner": "Bo Skoleleder",
            f"plan-{keep.id}-deadline": (TODAY + timedelta(days=10)).isoformat(),
            f"plan-{keep.id}-follow_up_on": (TODAY + timedelta(days=40)).isoformat()}
    answer = client.post(f"{url}/plan", data=plan)
    assert answer.status_code == 302, re.findall(r"class=\"error\"[^>]*>([^<]*)", answer.get_data(as_text=True))
    assert state_of(world.process) == "follow_up"
    # Nothing is chosen for them: the status starts at "Vælg …", and a form sent without one records nothing.
    page = client.get(f"/processes/{world.process.id}").get_data(as_text=True)
    assert re.search(rf'<select[^>]*id="mark-{develop.id}-mark"[^>]*>\s*<option selected value="">Vælg …', page)
    for unchosen in ({}, {f"mark-{develop.id}-mark": ""}):
        answer = client.post(f"/processes/{world.process.id}/tasks/{develop.id}/follow-up",
                             data={**unchosen, f"mark-{develop.id}-note": "Ikke valgt"})
        assert answer.status_code == 422 and "Vælg en af mulighederne på listen." in answer.get_data(as_text=True)
        assert (fresh(WorkTask, develop.id).follow_up_mark, fresh(WorkTask, develop.id).followed_up_at) == (None, None)
    for task, mark in ((develop, "done"), (keep, "changed")):
        answer = client.post(f"/processes/{world.process.id}/tasks/{task.id}/follow-up",
                             data={f"mark-{task.id}-mark": mark, f"mark-{task.id}-note": "Aftalt <3 & på mødet"})
        assert answer.status_code == 302
    assert state_of(world.process) == "completed"
    kept = fresh(WorkTask, keep.id)
    assert (kept.follow_up_mark, kept.follow_up_note, kept.followed_up_by_id) == \
        ("changed", "Aftalt <3 & på mødet", world.leader.id)
    page = client.get(f"/processes/{world.process.id}").get_data(as_text=True)
    assert "Aftalt &lt;3 &amp; på mødet" in page and "Aftalt <3" not in page
    refused = client.post(f"{url}/plan", data=plan)
    assert refused.status_code == 409 and "allerede fulgt op" in refused.get_data(as_text=True)
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.not_like("auth.%")).order_by(AuditEvent.id)).all()
    assert actions == ["work_task.plan", "work_task.follow_up", "work_task.follow_up"]


def test_follow_up_before_visit_two_is_refused(client, app):
    world = two_areas()
    hold_first_visit(world.process)
    task = WorkTask(visit_id=world.process.visits[1].id, position=1, title="X", decision="develop", owner="A",
                    deadline=TODAY, follow_up_on=TODAY)
    db.session.add(task)
    db.session.commit()
    login(client, world.coordinator.email)
    refused = client.post(f"/processes/{world.process.id}/tasks/{task.id}/follow-up",
                          data={f"mark-{task.id}-mark": "done"})
    assert refused.status_code == 409 and "besøg 2, som ikke er holdt endnu" in refused.get_data(as_text=True)


def test_the_follow_up_meeting_goes_out_as_ics_in_danish_time_and_moves_with_a_higher_sequence(client, app):
    world = two_areas()
    hold_first_visit(world.process)
    hold_second_visit(world.process, [("Lektiecafé", "develop", "Lise", 20)])
    login(client, world.first.email)
    url = f"/processes/{world.process.id}/meeting"
    bad = client.post(url, data={"day": "2027-03-01", "starts": "14:00", "ends": "13:00"})
    assert bad.status_code == 422 and "Mødet skal slutte efter, det begynder." in bad.get_data(as_text=True)
    bad = client.post(url, data={"day": "2027-03-01", "starts": "19:30", "ends": "1９:00"})  # a fullwidth nine
    assert bad.status_code == 422 and "Skriv tidspunktet som tt:mm." in bad.get_data(as_text=True)
    day = (TODAY + timedelta(days=60)).isoformat()
    assert client.post(url, data={"day": day, "starts": "14:00", "ends": "15:30", "place": "Lærerværelset"}) \
        .status_code == 302
    assert client.post(url, data={"day": day, "starts": "13:00", "ends": "14:30", "place": "Lærerværelset"}) \
        .status_code == 302
    ics = client.get(f"{url}.ics")
    calendar = Calendar.from_ical(ics.data)
    event = calendar.walk("VEVENT")[0]
    assert ics.mimetype == "text/calendar" and calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Copenhagen"
    assert event["SEQUENCE"] == 2 and event["DTSTART"].dt.strftime("%H:%M") == "13:00"
    assert str(event["DTSTART"].dt.tzinfo) == "Europe/Copenhagen" and event["LOCATION"] == "Lærerværelset"
    mails = db.session.scalars(select(Mail).where(Mail.kind == "follow_up_meeting")).all()
    # pair and contact; the meeting moved before the first mails went, so the new ones replaced them
    assert sorted(m.to_email for m in mails) == ["anna.berg@example.dk", "bo.dam@example.dk", "lise@example.dk"]
    assert all("VTIMEZONE" in m.ics and "SEQUENCE:2" in m.ics for m in mails)


def test_the_poster_and_who_may_see_a_process(client, app):
    world = two_areas()
    hold_first_visit(world.process)
    login(client, world.other_leader.email)
    # outside what a person sees, a process does not exist for them: ids cannot be counted
    assert client.get(f"/processes/{world.process.id}").status_code == 404
    assert client.get(f"/processes/{world.process.id}/poster").status_code == 404
    assert client.get(f"/processes/{world.elsewhere.id}").status_code == 200
    login(client, world.outsider.email)
    assert client.get(f"/processes/{world.process.id}").status_code == 404
    login(client, world.director.email)
    poster = client.get(f"/processes/{world.process.id}/poster").get_data(as_text=True)
    assert 'class="poster-core-task"' in poster and "Vi skaber læring og trivsel" in poster
    assert client.get(f"/processes/{world.elsewhere.id}/poster").status_code == 404  # no core task yet


def test_the_coordinator_ties_a_leader_to_units(client, app):
    world = two_areas()
    login(client, world.coordinator.email)
    page = client.get("/leaders").get_data(as_text=True)
    assert "Hele organisationen" in page and "omraadechef@example.dk" in page
    care = world.care_home.id
    assert client.post(f"/leaders/{world.leader.id}", data={"units": [care]}).status_code == 302
    db.session.expire_all()
    assert [u.id for u in world.leader.units] == [care] and not world.leader.sees_whole_organisation
    login(client, world.leader.email)
    assert client.get(f"/processes/{world.elsewhere.id}").status_code == 200
    assert client.get(f"/processes/{world.process.id}").status_code == 404
    assert client.get("/leaders").status_code == 403
    login(client, world.coordinator.email)
    assert client.post(f"/leaders/{world.leader.id}", data={"whole_organisation": "y"}).status_code == 302
    db.session.expire_all()
    assert world.leader.sees_whole_organisation and world.leader.units == []
    assert client.get(f"/leaders/{world.first.user.id}").status_code == 404  # not a leader
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.not_like("auth.%"))).all() == ["leader.units", "leader.units"]


def test_create_user_ties_a_leader_to_units_or_the_whole_organisation(runner, app):
    two_areas()
    result = runner.invoke(args=["create-user", "chef@example.dk", "Chef", "--role", "leader", "--unit",
                                 "Hjemmeplejen Nord", "--unit", "skoler"], input="hemmelig-kode\nhemmelig-kode\n")
    assert result.exit_code == 0, result.output
    assert "sees Hjemmeplejen Nord, Skoler" in result.output
    result = runner.invoke(args=["create-user", "med@example.dk", "MED", "--role", "leader", "--whole-organisation"],
                           input="hemmelig-kode\nhemmelig-kode\n")
    assert "sees the whole organisation" in result.output
    result = runner.invoke(args=["create-user", "x@example.dk", "X", "--role", "leader", "--unit", "Månen"],
                           input="hemmelig-kode\nhemmelig-kode\n")
    assert result.exit_code != 0 and "no org unit" in result.output


def test_the_poster_button_stays_off_the_printed_result(client, app):
    """A <form> inside <p class="actions no-print"> closed the paragraph, so "Plakat (A3)" fell outside
    it and printed on the A4 result."""
    world = two_areas()
    hold_first_visit(world.process, locked=False)
    login(client, world.first.email)
    page = client.get(f"/processes/{world.process.id}").get_data(as_text=True)
    actions = re.search(r'<div class="actions no-print">(.*?)</div>', page, re.S)
    assert actions is not None and "Lås kerneopgaven</button></form>" in actions.group(1)
    assert "Plakat (A3)</a>" in actions.group(1)


class FormAsSent(HTMLParser):
    """The fields a browser sends when a form is submitted untouched: each input's value, each select's
    selected option (the first when none is), each textarea's text."""

    def __init__(self, html: str, action: str):
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.fields, self.select, self.first, self.area = action, False, {}, None, {}, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
        elif not self.inside:
            return
        elif tag == "input" and a.get("name"):
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self.select = a["name"]
        elif tag == "option" and self.select:
            self.first.setdefault(self.select, a.get("value", ""))
            if "selected" in a:
                self.fields[self.select] = a.get("value", "")
        elif tag == "textarea":
            self.area = a["name"]
            self.fields[self.area] = ""

    def handle_data(self, data):
        if self.area:
            self.fields[self.area] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.fields.setdefault(self.select, self.first.get(self.select, ""))
            self.select = None
        elif tag == "textarea":
            self.area = None


def test_an_undecided_task_saved_untouched_records_no_decision(client, app):
    world = two_areas()
    hold_first_visit(world.process)
    # Owner and dates agreed in the room, the decision not made: shown as "Ikke besluttet".
    task, = hold_second_visit(world.process, [("Kaffeordning", "undecided", "Lise", 30)])
    login(client, world.leader.email)
    page = client.get(f"/processes/{world.process.id}").get_data(as_text=True)
    action = f"/processes/{world.process.id}/tasks/{task.id}/plan"
    form = FormAsSent(page, action).fields
    assert form[f"plan-{task.id}-decision"] == "" and '<option selected value="">Vælg …</option>' in page
    assert client.post(action, data=form).status_code == 302  # owner and dates saved, as they were
    db.session.expire_all()
    assert fresh(WorkTask, task.id).decision == "undecided"
    assert state_of(world.process) == "visit2"  # nothing decided: the decisions chart has nothing new either
    other_owner = {**form, f"plan-{task.id}-owner": "Bo Skoleleder"}
    assert client.post(action, data=other_owner).status_code == 302
    saved = fresh(WorkTask, task.id)
    assert (saved.decision, saved.owner) == ("undecided", "Bo Skoleleder")
    decided = {**form, f"plan-{task.id}-decision": "phase_out"}
    assert client.post(action, data=decided).status_code == 302
    assert fresh(WorkTask, task.id).decision == "phase_out"
    page = client.get(f"/processes/{world.process.id}").get_data(as_text=True)
    assert '<span class="badge decision-phase_out">Afvikle</span>' in page
