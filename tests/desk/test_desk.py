"""The coordinator's desk: organisation, registry, requests, planning, calendar."""
import io
import json
import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError
from world import (
    SOON,
    add_request,
    ambassador,
    build,
    confirm_import,
    login,
    request_form,
    unit,
    upload,
    wait_for,
)

from kerne.models import Ambassador, Booking, MatchRun, OrgUnit, Process, ProcessRequest, UnavailableDay, Visit
from kerne.web.extensions import db


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def coordinator(client):
    world = build()
    login(client, world.coordinator.email)
    return world


# ---- who may do what ------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/org", "/ambassadors", "/ambassadors/rows", "/ambassadors.csv", "/plan"])
def test_coordinator_pages_refuse_others(client, app, path):
    world = build()
    assert client.get(path).status_code == 302
    for email in (world.leader.email, world.first.email):
        other = app.test_client()
        login(other, email)
        assert other.get(path).status_code == 403


def test_requests_are_for_leaders_and_coordinators(client, app):
    world = build()
    login(client, world.first.email)
    assert client.get("/requests").status_code == 403
    leader = app.test_client()
    login(leader, world.leader.email)
    assert leader.get("/requests/new").status_code == 200


def test_desk_forms_refuse_a_missing_csrf_token(client, coordinator):
    response = client.post("/org", data={"name": "Ny", "kind": "area"}, csrf=False)
    assert response.status_code == 400
    assert count(OrgUnit) == 5


# ---- the organisation tree -------------------------------------------------------------

def test_units_are_added_under_the_right_kind_of_parent(client, coordinator):
    assert client.post("/org", data={"name": "Kultur", "kind": "area", "parent": ""}).status_code == 302
    area = db.session.scalar(select(OrgUnit).where(OrgUnit.name == "Kultur"))
    response = client.post("/org", data={"name": "Bibliotek", "kind": "workplace", "parent": area.id})
    assert response.status_code == 422
    assert "Vælg afdeling" in response.get_data(as_text=True)
    assert client.post("/org", data={"name": "Biblioteker", "kind": "department", "parent": area.id}).status_code == 302


def test_a_unit_in_use_cannot_be_deleted(client, coordinator):
    response = client.post(f"/org/{coordinator.workplace.id}/delete")
    assert response.status_code == 409
    assert "kan ikke slettes" in response.get_data(as_text=True)


def test_org_csv_import_and_a_bad_file_imports_nothing(client, coordinator):
    good = "id,name,kind,parent\nK,Kultur,område,\nK1,Biblioteker,afdeling,K\nK1a,Hovedbiblioteket,arbejdsplads,K1\n"
    response = client.post("/org/import", data={"file": (io.BytesIO(good.encode()), "org.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.scalar(select(OrgUnit).where(OrgUnit.external_id == "K1a")).parent.external_id == "K1"
    bad = "id,name,kind,parent\nX,Ny,område,\nY,,afdeling,X\nZ,Arb,arbejdsplads,NOPE\n"
    response = client.post("/org/import", data={"file": (io.BytesIO(bad.encode()), "org.csv")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Linje 3:" in page and "Linje 4:" in page and "NOPE" in page
    assert db.session.scalar(select(OrgUnit).where(OrgUnit.external_id == "X")) is None


# ---- the registry ------------------------------------------------------------------------

def test_registry_lists_commitments_and_searches_actively(client, coordinator):
    page = client.get("/ambassadors").get_data(as_text=True)
    assert "Anna Berg" in page and "Bo Dam" in page and 'hx-get="/ambassadors/rows"' in page
    rows = client.get("/ambassadors/rows?q=berg").get_data(as_text=True)
    assert rows.lstrip().startswith('<tbody id="ambassador-rows">')
    assert "Anna Berg" in rows and "Bo Dam" not in rows
    department = coordinator.other_workplace.parent_id
    rows = client.get(f"/ambassadors/rows?department={department}").get_data(as_text=True)
    assert "Bo Dam" in rows and "Anna Berg" not in rows


def test_registry_filters_live_in_the_address(client, coordinator):
    department = coordinator.other_workplace.parent_id
    rows = client.get(f"/ambassadors/rows?q=dam&department={department}&profession=&open=1")
    assert rows.headers["HX-Push-Url"] == f"/ambassadors?q=dam&department={department}&open=1"
    assert client.get("/ambassadors/rows").headers["HX-Push-Url"] == "/ambassadors"
    # the address pushed is the page, filtered as the list was: it can be bookmarked and shared
    page = client.get(f"/ambassadors?q=dam&department={department}&open=1").get_data(as_text=True)
    assert "Bo Dam" in page and "Anna Berg" not in page and "Carl Eg" not in page
    assert 'value="dam"' in page and f'<option value="{department}" selected>' in page
    assert 'id="open" name="open" value="1" checked' in page
    assert 'method="get" action="/ambassadors"' in page  # without script the form asks for the same address


def test_filter_open_commitments(client, coordinator):
    rows = client.get("/ambassadors/rows?open=1").get_data(as_text=True)
    assert "Carl Eg" in rows  # nothing planned for him


def ambassador_form(world, **changes) -> dict:
    data = {"name": "Dorte Fisk", "email": "dorte@example.dk", "phone": "+45 12 34 56 78",
            "workplace": world.workplace.id, "profession": "Sygeplejerske", "trained_on": "15-03-2026",
            "capacity": "2", "active": "y", "unavailable": "2027-01-04\n05-01-2027"}
    return {**data, **changes}


def test_new_ambassador_with_dates_typed_the_danish_way(client, coordinator):
    assert client.post("/ambassadors/new", data=ambassador_form(coordinator)).status_code == 302
    dorte = db.session.scalar(select(Ambassador).where(Ambassador.email == "dorte@example.dk"))
    assert dorte.trained_on == date(2026, 3, 15)
    assert dorte.unavailable_days == [date(2027, 1, 4), date(2027, 1, 5)]


@pytest.mark.parametrize(("changes", "message"), [
    ({"email": "ikke-en-mail"}, "gyldig e-mailadresse"),
    ({"email": "anna.berg@example.dk"}, "allerede en ambassadør"),
    ({"name": ""}, "Feltet skal udfyldes."),
    ({"capacity": "99"}, "Mellem 0 og 20."),
    ({"unavailable": "i morgen"}, "kan ikke læses"),
    ({"name": "x" * 200}, "Højst 120 tegn."),
])
def test_bad_ambassador_input_is_refused(client, coordinator, changes, message):
    response = client.post("/ambassadors/new", data=ambassador_form(coordinator, **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def import_ambassadors(client, data: bytes):
    return confirm_import(client, upload(client, "/ambassadors/import", data))


def test_csv_export_import_round_trip_gives_the_same_registry(client, coordinator):
    world = coordinator
    client.post("/ambassadors/new", data=ambassador_form(world))

    def registry():
        db.session.commit()
        return sorted((a.name, a.email, a.phone, a.workplace_id, a.profession, a.trained_on, a.active, a.capacity,
                       tuple(a.unavailable_days)) for a in db.session.scalars(select(Ambassador)))

    before = registry()
    for fmt in ("", "plain"):
        exported = client.get(f"/ambassadors.csv?format={fmt}").data
        assert exported.startswith(b"\xef\xbb\xbf") == (fmt == "")
        assert (b";" in exported.splitlines()[0]) == (fmt == "")
        # everything the file holds is changed in the registry, then read back from the file
        db.session.execute(UnavailableDay.__table__.delete())
        db.session.execute(Ambassador.__table__.update().values(
            name="X", phone=None, profession="Y", trained_on=None, active=False, capacity=9,
            workplace_id=world.other_workplace.id))
        db.session.commit()
        response = import_ambassadors(client, exported)
        assert response.status_code == 302, response.get_data(as_text=True)
        assert registry() == before


def test_bad_ambassador_file_names_the_lines_and_imports_nothing(client, coordinator):
    text = ("\ufeffname;email;workplace;profession;active\r\nNy Person;ny@example.dk;Fjordskolen;Lærer;ja\r\n"
            "Anden;ny@example.dk;Fjordskolen;Lærer;ja\r\nTredje;t@example.dk;Findes Ikke;Lærer;ja\r\n"
            "Fjerde;f@example.dk;Fjordskolen;Lærer;måske\r\n")
    response = client.post("/ambassadors/import", data={"file": (io.BytesIO(text.encode()), "a.csv")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for line in ("Linje 3:", "Linje 4:", "Linje 5:"):
        assert line in page
    assert "Intet er ændret" in page
    assert count(Ambassador) == 3


def test_ambassador_corrects_own_profile(client, app):
    world = build()
    login(client, world.first.email)
    page = client.get("/me").get_data(as_text=True)
    assert "Anna Berg" in page and "/calendar/" in page
    assert client.post("/me", data={"phone": "22 33 44 55", "profession": "Lærer", "unavailable": "2027-02-01"}).status_code == 302
    db.session.commit()
    assert world.first.unavailable_days == [date(2027, 2, 1)]
    response = client.post("/me", data={"phone": "ring mig", "profession": "Lærer", "unavailable": ""})
    assert response.status_code == 422


# ---- requests -----------------------------------------------------------------------------


def test_leader_requests_a_process_and_sees_only_their_units(client, app):
    world = build()
    add_request(world, workplace=world.other_workplace)  # someone else's, in the leader's area
    elsewhere = unit("Havnen", "workplace", unit("Teknik", "department", unit("Teknik og Miljø", "area")))
    add_request(world, workplace=elsewhere)
    login(client, world.leader.email)
    assert client.post("/requests/new", data=request_form(world)).status_code == 302
    page = client.get("/requests").get_data(as_text=True)
    assert page.count('class="process"') == 2 and "Lise Leder" in page and "Havnen" not in page
    form = client.get("/requests/new").get_data(as_text=True)
    assert "Fjordskolen" in form and "Havnen" not in form
    refused = client.post("/requests/new", data=request_form(world, workplace=elsewhere.id))
    assert refused.status_code == 422 and "Vælg en arbejdsplads i de enheder, du er leder for." in refused.get_data(
        as_text=True)


@pytest.mark.parametrize(("changes", "message"), [
    ({"visit2_start": SOON.isoformat()}, "Besøg 2 skal ligge efter besøg 1."),
    ({"visit1_end": (SOON - timedelta(days=1)).isoformat()}, "kan ikke slutte, før den begynder"),
    ({"visit1_start": ""}, "Vælg en dato for besøg 1."),
    ({"visit1_start": "2020-01-01", "visit2_start": "2020-02-01"}, "Besøg 1 kan ikke ligge i fortiden."),
    ({"contact_email": "x"}, "gyldig e-mailadresse"),
])
def test_bad_requests_are_refused(client, coordinator, changes, message):
    response = client.post("/requests/new", data=request_form(coordinator, **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_a_workplace_waits_with_one_request_at_a_time(client, coordinator):
    waiting = add_request(coordinator)
    refused = client.post("/requests/new", data=request_form(coordinator))
    assert refused.status_code == 422
    assert ("Fjordskolen har allerede en anmodning, der venter på et par. Koordinatoren planlægger den, eller den kan "
            "trækkes tilbage under Anmodninger, før der sendes en ny.") in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ProcessRequest.id))) == 1
    assert client.post(f"/requests/{waiting.id}/cancel", data={"reason": "Dobbelt"}).status_code == 302
    assert client.post("/requests/new", data=request_form(coordinator)).status_code == 302  # withdrawn: a new one


def test_an_import_leaves_a_workplace_with_one_waiting_request(client, coordinator):
    add_request(coordinator)  # Fjordskolen waits already
    start, later = SOON.isoformat(), (SOON + timedelta(days=14)).isoformat()
    head = "id,workplace,contact_name,contact_email,visit1_start,visit2_start\n"
    refused = upload(client, "/requests/import", (head + f"R1,Fjordskolen,Leder,l@example.dk,{start},{later}\n"
                                                   f"R2,Børnehuset Mågen,Leder,l@example.dk,{start},{later}\n"
                                                   f"R3,Børnehuset Mågen,Leder,l@example.dk,{start},{later}\n").encode())
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert page.count("har allerede en anmodning, der venter på et par.") == 2  # line 2 (the database), line 4 (line 3)
    assert "Fjordskolen har allerede" in page and "Børnehuset Mågen har allerede" in page
    assert db.session.scalar(db.select(db.func.count(ProcessRequest.id))) == 1
    again = head + f"R2,Børnehuset Mågen,Leder,l@example.dk,{start},{later}\n"
    assert upload(client, "/requests/import", again.encode()).status_code == 302
    assert upload(client, "/requests/import", again.encode()).status_code == 302  # the same file again: the same request


def test_withdrawing_a_request_needs_a_reason(client, coordinator):
    wanted = add_request(coordinator)
    refused = client.post(f"/requests/{wanted.id}/cancel", data={"reason": " "})
    assert refused.status_code == 422 and "Skriv en begrundelse" in refused.get_data(as_text=True)
    assert client.post(f"/requests/{wanted.id}/cancel", data={"reason": "Lederen er stoppet"}).status_code == 302
    db.session.commit()
    assert (wanted.status, wanted.cancel_reason) == ("cancelled", "Lederen er stoppet")
    again = client.post(f"/requests/{wanted.id}/cancel", data={"reason": "igen"})
    assert again.status_code == 409 and "allerede aflyst" in again.get_data(as_text=True)


# ---- planning -----------------------------------------------------------------------------

def test_propose_adjust_and_confirm(client, coordinator):
    world = coordinator
    wanted = add_request(world, workplace=world.other_workplace)
    response = client.post("/plan/runs")
    run_id = int(response.headers["Location"].rsplit("/", 1)[1])
    run = wait_for(run_id)
    assert run.status == "done"
    page = client.get(f"/plan/runs/{run_id}").get_data(as_text=True)
    assert "Bekræft planen" in page and "opfylder sin forpligtelse" in page
    members = {c.ambassador_id for c in run.choices}
    assert world.first.id in members  # the only one from another department

    # swapping in someone from the partner's department breaks a rule, and it is shown
    slot = next(c.slot for c in run.choices if c.ambassador_id == world.first.id)
    response = client.post(f"/plan/runs/{run_id}/requests/{wanted.id}/{slot}", data={"ambassador": world.outsider.id})
    html = response.get_data(as_text=True)
    assert "er fra samme afdeling som makkeren" in html and "disabled" in html
    assert client.post(f"/plan/runs/{run_id}/confirm").status_code == 409
    client.post(f"/plan/runs/{run_id}/requests/{wanted.id}/{slot}", data={"ambassador": world.first.id})

    assert client.post(f"/plan/runs/{run_id}/requests/{wanted.id}/0/lock", data={"value": "1"}).status_code in (200, 204)
    # Locked is an icon the screen reader skips, beside the word (an emoji shows as an empty box on some screens).
    locked = client.get(f"/plan/runs/{run_id}").get_data(as_text=True)
    assert "🔒" not in locked and re.search(r'<svg class="icon"[^>]*aria-hidden="true"[^>]*>.*?</svg> Låst</button>', locked)
    assert client.post(f"/plan/runs/{run_id}/confirm").status_code == 302
    db.session.commit()
    assert wanted.status == "planned"
    process = wanted.process
    assert {a.id for a in process.facilitators} == members
    assert [v.scheduled_on for v in process.visits] == [SOON, SOON + timedelta(days=14)]
    assert count(Booking) == 4
    assert client.post(f"/plan/runs/{run_id}/confirm").status_code == 409


def test_proposal_polls_progress_with_204_while_unchanged(client, coordinator):
    add_request(coordinator, workplace=coordinator.other_workplace)
    run_id = int(client.post("/plan/runs").headers["Location"].rsplit("/", 1)[1])
    run = wait_for(run_id)
    response = client.get(f"/plan/runs/{run_id}/proposal?seen={run.progress}")
    assert response.status_code == 200 and 'id="proposal"' in response.get_data(as_text=True)
    assert client.get("/plan/runs/999").status_code == 404


def test_unstaffable_requests_say_why(client, coordinator):
    add_request(coordinator, workplace=coordinator.workplace)  # only Bo Dam and Carl Eg, one department, are free
    db.session.add(UnavailableDay(ambassador_id=coordinator.first.id, day=SOON))
    db.session.commit()
    run_id = int(client.post("/plan/runs").headers["Location"].rsplit("/", 1)[1])
    wait_for(run_id)
    page = client.get(f"/plan/runs/{run_id}").get_data(as_text=True)
    assert "alle fra samme afdeling" in page


def test_nobody_is_booked_twice_on_one_day_by_the_database_itself(coordinator):
    process = Process(workplace=coordinator.workplace)
    process.visits = [Visit(number=1)]
    db.session.add(process)
    db.session.flush()
    db.session.add(Booking(ambassador_id=coordinator.first.id, day=SOON, visit_id=process.visits[0].id))
    db.session.commit()
    db.session.add(Booking(ambassador_id=coordinator.first.id, day=SOON, visit_id=process.visits[0].id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


# ---- calendar -----------------------------------------------------------------------------

def test_calendar_download_and_secret_feed(client, app):
    world = build()
    login(client, world.first.email)
    response = client.get("/me/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    events = [c for c in Calendar.from_ical(response.data).walk("VEVENT")]
    assert len(events) == 2
    assert "Fjordskolen" in str(events[0]["summary"])
    feed = app.test_client().get(f"/calendar/{world.first.calendar_token}.ics")  # no sign-in: the token is the key
    assert feed.status_code == 200
    assert [e["uid"] for e in Calendar.from_ical(feed.data).walk("VEVENT")] == [e["uid"] for e in events]
    assert app.test_client().get("/calendar/not-the-token-but-long-enough-to-try-it.ics").status_code == 404


def reads(send, expected_status: int = 200) -> int:
    """How many SELECT statements the database runs while the client sends one request
    (writes are one a row, however they are sent)."""
    run = []

    def record(_conn, _cursor, statement, *_args):
        run.append(statement.lstrip().upper().startswith("SELECT"))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert send().status_code == expected_status
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return sum(run)


def grow(world, numbers: range) -> None:
    """A new area with a department for each number, each with a workplace, two
    ambassadors who have worked together, and an open request."""
    area = unit(f"Område {numbers.start}", "area")
    for n in numbers:
        workplace = unit(f"Plejecenter {n}", "workplace", unit(f"Pleje {n}", "department", area))
        pair = [ambassador(f"Person {n}a", workplace, account=False), ambassador(f"Person {n}b", workplace, account=False)]
        db.session.add(Process(workplace=workplace, facilitators=pair, visits=[Visit(number=1)]))
        add_request(world, workplace=workplace, start=SOON + timedelta(days=n))
    db.session.commit()


def test_desk_pages_read_the_database_a_fixed_number_of_times_however_large_the_programme(client, coordinator):
    def counts() -> tuple[int, ...]:
        run_id = int(client.post("/plan/runs").headers["Location"].rsplit("/", 1)[1])
        assert wait_for(run_id).status == "done"
        db.session.expunge_all()  # the pages read what they need themselves
        return tuple(reads(lambda path=path: client.get(path)) for path in
                     ("/org", "/ambassadors", "/ambassadors.csv", "/requests", "/plan", f"/plan/runs/{run_id}"))

    grow(coordinator, range(1))
    small = counts()
    grow(coordinator, range(1, 8))
    assert counts() == small


def test_imports_read_the_database_a_fixed_number_of_times_however_long_the_file(client, coordinator):
    def imported(path: str, text: str) -> int:
        if path == "/ambassadors/import":  # a preview, then its confirmation
            return reads(lambda: upload(client, path, text.encode()), 200) + reads(
                lambda: import_ambassadors(client, text.encode()), 302)
        return reads(lambda: upload(client, path, text.encode()), 302)

    def files(numbers: range, profession: str = "Lærer") -> tuple[int, ...]:
        org = "id,name,kind,parent\n" + "".join(
            f"A{n},Område {n},område,\nD{n},Afdeling {n},afdeling,A{n}\nW{n},Sted {n},arbejdsplads,D{n}\n" for n in numbers)
        people = "id,name,email,workplace,profession,unavailable\n" + "".join(
            f"P{n},Person {n},p{n}@example.dk,W{n},{profession},{SOON.isoformat()}\n" for n in numbers)
        wanted = "id,workplace,contact_name,contact_email,visit1_start,visit2_start\n" + "".join(
            f"R{n},W{n},Leder,l@example.dk,{SOON.isoformat()},{(SOON + timedelta(days=14)).isoformat()}\n"
            for n in numbers)
        return (imported("/org/import", org), imported("/ambassadors/import", people),
                imported("/requests/import", wanted))

    first = files(range(2))
    assert files(range(10)) == first  # new records and unchanged ones
    assert files(range(10), "Pædagog") == first  # and changed ones


# ---- proposals: out of date, confirmed, proof, swapping ---------------------------------------

def propose(client) -> MatchRun:
    run = wait_for(int(client.post("/plan/runs").headers["Location"].rsplit("/", 1)[1]))
    assert run.status == "done"
    return run


def test_a_confirmed_proposal_shows_its_pairs(client, coordinator):
    add_request(coordinator, workplace=coordinator.other_workplace)
    run = propose(client)
    assert client.post(f"/plan/runs/{run.id}/confirm").status_code == 302
    for path in (f"/plan/runs/{run.id}", f"/plan/runs/{run.id}/proposal"):
        response = client.get(path)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, page
        assert "Planen er bekræftet" in page and "Anna Berg" in page and "Børnehuset Mågen" in page
        assert "Bekræft planen" not in page
    assert "Bekræftet" in client.get("/plan").get_data(as_text=True)


def test_an_older_proposal_cannot_be_confirmed_after_another_was(client, coordinator):
    wanted = add_request(coordinator, workplace=coordinator.other_workplace)
    first, second = propose(client), propose(client)
    assert client.post(f"/plan/runs/{second.id}/confirm").status_code == 302
    page = client.get(f"/plan/runs/{first.id}").get_data(as_text=True)
    assert "Forslaget er forældet" in page and "Bekræft planen" not in page
    assert "forældet" in client.get("/plan").get_data(as_text=True)
    refused = client.post(f"/plan/runs/{first.id}/confirm")
    assert refused.status_code == 409 and "Forslaget er forældet" in refused.get_data(as_text=True)
    db.session.commit()
    assert count(Process) == 2 and wanted.process.id is not None  # the world's process and the second's


def test_a_proposal_is_out_of_date_once_the_registry_or_the_requests_change(client, coordinator):
    wanted = add_request(coordinator, workplace=coordinator.other_workplace)
    run = propose(client)
    db.session.add(UnavailableDay(ambassador_id=coordinator.outsider.id, day=SOON))
    db.session.commit()
    assert "Forslaget er forældet" in client.get(f"/plan/runs/{run.id}").get_data(as_text=True)
    swap = client.post(f"/plan/runs/{run.id}/requests/{wanted.id}/0", data={"ambassador": coordinator.first.id})
    assert swap.status_code == 409
    assert client.post(f"/plan/runs/{run.id}/confirm").status_code == 409
    run = propose(client)  # a new proposal is current again, until a request is added
    assert "Bekræft planen" in client.get(f"/plan/runs/{run.id}").get_data(as_text=True)
    add_request(coordinator, workplace=coordinator.workplace, start=SOON + timedelta(days=2))
    assert client.post(f"/plan/runs/{run.id}/confirm").status_code == 409
    db.session.commit()
    assert wanted.status == "open"


def test_the_page_says_which_levels_are_proven(client, coordinator):
    add_request(coordinator, workplace=coordinator.other_workplace)
    run = propose(client)
    page = client.get(f"/plan/runs/{run.id}").get_data(as_text=True)
    assert "Motorens plan er bevist den bedst mulige på alle niveauer." in page
    summary = json.loads(run.result)
    assert summary["optimal"] and all(summary["proven"].values()) and summary["repeatable"]
    # a proposal whose engine could not prove everything says level by level what it did prove
    summary.update(optimal=False, proven={**summary["proven"], "distance": False, "professions": False,
                                          "load": False, "repeats": False},
                   gaps={**summary["gaps"], "distance": 0.034})
    run.result = json.dumps(summary)
    db.session.commit()
    page = client.get(f"/plan/runs/{run.id}").get_data(as_text=True)
    assert "Bevist den bedst mulige: bemandede anmodninger, opfyldte forpligtelser." in page
    assert "afstand (højst 3,4 % fra det bedst mulige)" in page and "jævn fordeling (når grænsen)" in page


def test_the_explanation_says_where_the_two_come_from_in_words(client, coordinator):
    add_request(coordinator, workplace=coordinator.other_workplace)
    run = propose(client)
    page = client.get(f"/plan/runs/{run.id}").get_data(as_text=True)
    assert "De to kommer fra forskellige afdelinger i samme område." in page
    assert "Anna Berg er fra en anden afdeling i samme område." in page
    assert "er fra arbejdspladsen selv." in page  # Bo Dam or Carl Eg, at Mågen
    assert " led." not in page


def test_each_place_lists_its_choices_ranked_with_what_they_do(client, coordinator):
    world = coordinator
    wanted = add_request(world, workplace=world.other_workplace)
    db.session.add(UnavailableDay(ambassador_id=world.outsider.id, day=SOON))  # Carl Eg is away
    db.session.commit()
    run = propose(client)
    page = client.get(f"/plan/runs/{run.id}").get_data(as_text=True)
    assert "Et byt låser pladsen" in page and "Byt og lås" in page
    assert "Ambassadør 1: <strong>" in page and "<strong>Anna Berg</strong>" in page  # in full, above the select
    anna_slot = next(c.slot for c in run.choices if c.ambassador_id == world.first.id)
    select_of = page.split(f'id="swap-{wanted.id}-{1 - anna_slot}"')[1].split("</select>")[0]
    fitting, breaking = select_of.split('label="Bryder en regel"')
    assert "Bo Dam – fri, 1 forløb tilbage, fra arbejdspladsen selv" in fitting
    assert "Carl Eg – ikke fri på datoerne" in breaking
    assert "Anna Berg – står på den anden plads" in breaking
    # in Anna's place, Bo's department-mate Carl breaks two rules; Anna herself serves a commitment
    select_of = page.split(f'id="swap-{wanted.id}-{anna_slot}"')[1].split("</select>")[0]
    assert "Carl Eg – samme afdeling som makkeren, ikke fri på datoerne" in select_of


def test_the_same_person_in_both_places_is_refused(client, coordinator):
    world = coordinator
    wanted = add_request(world, workplace=world.other_workplace)
    run = propose(client)
    anna_slot = next(c.slot for c in run.choices if c.ambassador_id == world.first.id)
    refused = client.post(f"/plan/runs/{run.id}/requests/{wanted.id}/{1 - anna_slot}",
                          data={"ambassador": world.first.id})
    assert refused.status_code == 422
    assert "Anna Berg står allerede på den anden plads." in refused.get_data(as_text=True)
    db.session.commit()
    assert sorted(c.ambassador_id for c in db.session.get(MatchRun, run.id).choices).count(world.first.id) == 1
    page = client.get(f"/plan/runs/{run.id}").get_data(as_text=True)
    assert "står på begge pladser" not in page


def test_swapping_needs_the_coordinator_and_a_csrf_token(client, app, coordinator):
    world = coordinator
    wanted = add_request(world, workplace=world.other_workplace)
    run = propose(client)
    path = f"/plan/runs/{run.id}/requests/{wanted.id}/0"
    assert client.post(path, data={"ambassador": world.second.id}, csrf=False).status_code == 400
    assert client.post(path, data={"ambassador": "999999"}).status_code == 422
    other = app.test_client()
    login(other, world.first.email)
    assert other.post(path, data={"ambassador": world.second.id}).status_code == 403
    assert other.get(f"/plan/runs/{run.id}").status_code == 403


def test_after_a_swap_the_figures_and_the_proof_are_of_the_plan_as_it_stands(client, coordinator):
    """The page kept saying the plan was proven the best possible after a swap made it worse, and the
    confirmed plan showed the engine's figures (2 with both commitments) where the page had just said 1."""
    world = coordinator
    wanted = add_request(world, workplace=world.other_workplace)
    run = propose(client)
    bo_slot = next(c.slot for c in run.choices if c.ambassador_id == world.second.id)  # Bo's own workplace
    path = f"/plan/runs/{run.id}/requests/{wanted.id}/{bo_slot}"
    page = client.get(f"/plan/runs/{run.id}").get_data(as_text=True)
    assert "2 ambassadører med begge forpligtelser" in page and "bevist den bedst mulige" in page
    swapped = client.post(path, data={"ambassador": world.outsider.id})
    for html in (swapped.get_data(as_text=True), client.get(f"/plan/runs/{run.id}").get_data(as_text=True)):
        assert "1 ambassadør med begge forpligtelser" in html and "bevist den bedst mulige" not in html
        assert ("Planen er ændret efter motorens forslag, så motorens bevis gælder ikke for den. Forskel fra "
                "motorens plan: opfyldte forpligtelser: 1 i stedet for 2, jævn fordeling, nye par.") in html
    back = client.post(path, data={"ambassador": world.second.id}).get_data(as_text=True)
    assert "Motorens plan er bevist den bedst mulige på alle niveauer." in back  # the engine's plan again
    client.post(path, data={"ambassador": world.outsider.id})
    assert client.post(f"/plan/runs/{run.id}/confirm").status_code == 302
    confirmed = client.get(f"/plan/runs/{run.id}").get_data(as_text=True)
    assert "Planen er bekræftet" in confirmed and "1 ambassadør med begge forpligtelser" in confirmed
    assert "bevist den bedst mulige" not in confirmed
