"""The coordinator's audit log page: filters, pages, the fragment and the CSV export."""
import csv
import io
import json
from datetime import datetime

from world import build, login

from kerne.models import AuditEvent
from kerne.web.extensions import db


def add_events(world, count: int, action: str = "ambassador.update", **fields) -> None:
    for n in range(count):
        db.session.add(AuditEvent(user_id=world.coordinator.id, action=action, subject_type="ambassador",
                                  subject_id=world.first.id, detail=json.dumps({"capacity": [n, n + 1]}), **fields))
    db.session.commit()


def test_the_log_shows_who_changed_what_in_danish(client, app):
    world = build()
    add_events(world, 1)
    db.session.add(AuditEvent(action="org.create", detail=json.dumps({"name": "<b>Kultur</b>"})))
    db.session.commit()
    login(client, world.coordinator.email)
    page = client.get("/audit")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Ambassadør ændret" in html and "Forløb pr. sæson:</span> 0 → 1" in html
    assert "Organisationsenhed oprettet" in html and "Kommandolinjen" in html
    assert "&lt;b&gt;Kultur&lt;/b&gt;" in html and "<b>Kultur" not in html
    assert "3 hændelser" in html and "Logget ind" in html  # the two above and the coordinator's sign-in


def test_filters_narrow_by_action_person_and_date(client, app):
    world = build()
    add_events(world, 2)
    add_events(world, 1, action="org.create", created_at=datetime(2026, 1, 5, 12))
    login(client, world.coordinator.email)
    assert "<p>1 hændelse\n" in client.get("/audit?action=org.create").get_data(as_text=True)
    assert "4 hændelser" in client.get(f"/audit?person={world.coordinator.id}").get_data(as_text=True)  # and sign-in
    assert "Ingen hændelser" in client.get("/audit?person=none").get_data(as_text=True)
    assert "<p>1 hændelse\n" in client.get("/audit?since=2026-01-05&until=2026-01-05").get_data(as_text=True)
    assert "Ingen hændelser" in client.get("/audit?since=2026-01-06&until=2026-01-31").get_data(as_text=True)


def test_bad_filters_are_told_next_to_the_field(client, app):
    world = build()
    login(client, world.coordinator.email)
    for query, name, message in (("action=nothing.like.this", "action", "Vælg en handling fra listen."),
                                 ("since=31.02.2026", "since", "Skriv datoen som åååå-mm-dd"),
                                 ("since=2026-02-01&until=2026-01-01", "until", "Til-datoen ligger før fra-datoen"),
                                 ("person=99", "person", "Vælg en person fra listen.")):
        page = client.get(f"/audit?{query}")
        assert page.status_code == 422, query
        assert f'class="error" id="{name}-error">{message}' in page.get_data(as_text=True), query
    assert client.get("/audit/events?since=x").status_code == 422
    assert client.get("/audit.csv?until=x").status_code == 422


def test_the_log_pages_fifty_at_a_time_newest_first(client, app):
    world = build()
    add_events(world, 51)
    login(client, world.coordinator.email)
    first = client.get("/audit").get_data(as_text=True)
    assert "Side 1 af 2" in first and "</span> 50 → 51<" in first and "</span> 0 → 1<" not in first
    second = client.get("/audit?page=2").get_data(as_text=True)
    assert "</span> 0 → 1<" in second and 'rel="prev"' in second
    assert client.get("/audit?page=3").status_code == 404
    assert client.get("/audit?page=0").status_code == 404


def test_the_fragment_is_the_events_block(client, app):
    world = build()
    add_events(world, 1)
    login(client, world.coordinator.email)
    fragment = client.get("/audit/events?action=ambassador.update", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and html.strip().startswith('<div id="audit-events">') and "<html" not in html


def test_the_csv_export_neutralises_formulas(client, app):
    world = build()
    db.session.add(AuditEvent(user_id=world.coordinator.id, action="=cmd|' /C calc'!A0", detail="{}"))
    db.session.commit()
    world.coordinator.name = "@SUM(1)"
    db.session.commit()
    login(client, world.coordinator.email)
    answer = client.get("/audit.csv")
    text = answer.get_data(as_text=True)
    assert answer.mimetype == "text/csv" and text.startswith('\ufeff"tidspunkt";"person";"e-mail";"handling"')
    assert ';"\'@SUM(1)";' in text and ';"\'=cmd|' in text
    assert client.get("/audit.csv?format=plain").get_data(as_text=True).startswith('"tidspunkt",')
    assert client.get("/audit.csv?format=pdf").status_code == 404


def test_only_the_coordinator_sees_the_log(client, app):
    world = build()
    assert client.get("/audit").status_code == 302  # to sign-in
    for email in (world.leader.email, world.first.email):
        login(client, email)
        for url in ("/audit", "/audit/events", "/audit.csv"):
            assert client.get(url).status_code == 403, (email, url)
    assert client.post("/audit").status_code == 405


def test_the_log_says_codes_ids_and_rows_in_danish_on_the_page_and_in_the_export(client, app):
    """It read "Status: done → confirmed", "request: 7" and "#13": words meant for developers."""
    world = build()
    for action, subject_type, subject_id, detail in (
            ("plan.update", "match_run", 4, {"status": ["done", "confirmed"]}),
            ("process.confirm", "process", 13, {"request": 7, "pair": ["Anna Berg", "Bo Dam"]}),
            ("work_task.plan", "work_task", 9, {"title": "Lektiecafé", "before": {"decision": "keep", "owner": ""},
                                                "after": {"decision": "develop", "owner": "Lise"}}),
            ("user.update", "user_account", 2, {"roles": ["leader", "leader coordinator"]})):
        db.session.add(AuditEvent(user_id=world.coordinator.id, action=action, subject_type=subject_type,
                                  subject_id=subject_id, detail=json.dumps(detail)))
    db.session.commit()
    login(client, world.coordinator.email)
    page = client.get("/audit").get_data(as_text=True)
    for said in ("Status:</span> Forslag → Bekræftet", "Anmodning:</span> nr. 7", "(forløb nr. 13)",
                 "Par:</span> Anna Berg, Bo Dam", "Før:</span> Beslutning: Fastholde; Ansvarlig: –",
                 "Efter:</span> Beslutning: Udvikle; Ansvarlig: Lise", "Roller:</span> Leder → Leder, Koordinator",
                 "(arbejdsopgave nr. 9)", "(planforslag nr. 4)"):
        assert said in page, said
    for code in ("done", "confirmed", "request:", "#13", "develop", '"decision"', "match_run"):
        assert code not in page.split("<main")[1], code
    rows = list(csv.reader(io.StringIO(client.get("/audit.csv").get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[0] == ["tidspunkt", "person", "e-mail", "handling", "hvad", "detaljer"]
    confirm = next(row for row in rows if row[3] == "Parret er bekræftet, og forløbet er oprettet")
    assert confirm[4:] == ["forløb nr. 13", "Anmodning: nr. 7; Par: Anna Berg, Bo Dam"]
    plan = next(row for row in rows if row[3] == "Planforslag ændret")
    assert plan[4:] == ["planforslag nr. 4", "Status: Forslag → Bekræftet"]
