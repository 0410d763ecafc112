"""Kerneopgaver på tværs: a workplace contact finds another area's core task by a target-group word, proposes a
talk across units, both workplaces' contacts get the notice, the talk is followed to held, and the dashboard
counts it."""
import re
from datetime import date, timedelta

import pytest
from after import hold_first_visit, two_areas
from world import login, user

from kerne.models import AuditEvent, Conversation, Mail, TargetGroup, TargetGroupAlias
from kerne.web.extensions import db


@pytest.fixture
def world(app):
    world = two_areas()
    db.session.add(TargetGroup(id=7, name="Forældre og familier"))
    db.session.add_all([TargetGroupAlias(text="forældre", target_group_id=7),
                        TargetGroupAlias(text="pårørende til ældre", target_group_id=7)])
    world.elsewhere.target_groups = "Ældre borgere\nPårørende til ældre"
    hold_first_visit(world.process)  # Fjordskolen: "Skolebørn" and "forældre"
    hold_first_visit(world.elsewhere, core_task="Tryghed i eget hjem for ældre borgere og deres pårørende")
    world.contact = user("kontakt@fjordskolen.dk", "leader", "Karin Kontakt")
    world.contact.units = [world.workplace]
    world.their_contact = user("leder@hjemmeplejen.dk", "leader", "Hanne Hjemmepleje")
    world.their_contact.units = [world.care_home]
    db.session.commit()
    return world


def figures(html: str) -> dict[str, int]:
    return {name: int(n) for name, n in re.findall(r'data-figure="([\w-]+)">(\d+)', html)}


def propose_form(page: str) -> dict:
    form = page.split('action="/conversations"')[1].split("</form>")[0]
    fields = dict(re.findall(r'name="(csrf_token|to_process)" type="hidden" value="([^"]*)"', form))
    for name in ("from_unit", "target_group"):
        select = form.split(f'name="{name}"')[1].split("</select>")[0]
        fields[name] = re.search(r'<option selected value="([^"]*)"', select).group(1)
    return fields


def test_a_workplace_contact_finds_another_area_and_proposes_a_talk(client, world):
    login(client, world.contact.email)
    found = client.get("/library?q=pårørende").get_data(as_text=True)
    assert "Hjemmeplejen Nord" in found and "<mark>pårørende</mark>" in found and "Fjordskolen" not in found
    assert client.get("/library?q=paaroerende").get_data(as_text=True).count('class="library-entry card"') == 1
    page = client.get(f"/library/{world.elsewhere.id}").get_data(as_text=True)
    assert "Dorte Fisk" not in page and "Foreslå en snak på tværs" in page  # people stay scoped
    form = propose_form(page)
    assert form == {**form, "to_process": str(world.elsewhere.id), "from_unit": str(world.workplace.id),
                    "target_group": "Forældre og familier"}
    answer = client.post("/conversations", data={**form, "message": "Skal vi mødes om <forældrene>?"})
    assert answer.status_code == 302
    talk = db.session.scalars(db.select(Conversation)).one()
    assert (talk.from_unit_id, talk.to_unit_id, talk.status, talk.target_group) == (
        world.workplace.id, world.care_home.id, "proposed", "Forældre og familier")
    mails = {m.to_email: m for m in db.session.scalars(db.select(Mail).where(Mail.kind == "conversation"))}
    assert set(mails) == {"kontakt@fjordskolen.dk", "lise@example.dk", "leder@hjemmeplejen.dk"}
    assert "Karin Kontakt fra Fjordskolen foreslår en snak på tværs med Hjemmeplejen Nord" in mails[
        "leder@hjemmeplejen.dk"].body
    assert db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.action.like("conversation.%"))).all() \
        == ["conversation.propose"]

    login(client, world.their_contact.email)  # the other unit's contact has the notice, and follows the talk up
    assert "Kerne: en snak på tværs om Forældre og familier" in client.get("/me/mail").get_data(as_text=True)
    listed = client.get("/conversations").get_data(as_text=True)
    assert "Fjordskolen ↔ Hjemmeplejen Nord" in listed and "Skal vi mødes om &lt;forældrene&gt;?" in listed
    prefix = f"talk-{talk.id}"
    bad = client.post(f"/conversations/{talk.id}", data={f"{prefix}-status": "agreed", f"{prefix}-meeting_on": ""})
    assert bad.status_code == 422 and "Vælg en dato." in bad.get_data(as_text=True)
    assert client.post(f"/conversations/{talk.id}", data={f"{prefix}-status": "agreed",
                                                         f"{prefix}-meeting_on": "2027-01-12"}).status_code == 302
    for who in (world.coordinator, world.leader, world.other_leader):
        login(client, who.email)
        shown = figures(client.get("/dashboard").get_data(as_text=True))
        assert (shown["talks-proposed"], shown["talks-agreed"], shown["talks-held"]) == (0, 1, 0), who.email
    assert client.post(f"/conversations/{talk.id}", data={
        f"{prefix}-status": "held", f"{prefix}-meeting_on": (date.today() - timedelta(days=2)).isoformat(),
        f"{prefix}-outcome": "Fælles forældremøde om ældre bedsteforældre"}).status_code == 302
    db.session.expire_all()
    assert (talk.status, talk.outcome) == ("held", "Fælles forældremøde om ældre bedsteforældre")
    report = client.get("/dashboard/report").get_data(as_text=True)
    assert "Fjordskolen ↔ Hjemmeplejen Nord" in report and "Fælles forældremøde" in report


def test_a_proposal_is_checked_and_a_talk_followed_only_by_those_who_see_it(client, world):
    login(client, world.contact.email)
    form = propose_form(client.get(f"/library/{world.elsewhere.id}").get_data(as_text=True))
    for wrong in ({"target_group": "Unge"}, {"from_unit": str(world.care_home.id)}, {"message": "x" * 501}):
        assert client.post("/conversations", data={**form, **wrong}).status_code == 422, wrong
    for missing in ("99999", "²", "٣"):  # "²" is a digit to str.isdigit() and no number to int()
        assert client.post("/conversations", data={**form, "to_process": missing}).status_code == 404, missing
    assert db.session.scalars(db.select(Conversation)).all() == []
    assert client.post("/conversations", data=form).status_code == 302
    talk = db.session.scalars(db.select(Conversation)).one()
    stranger = user("fremmed@example.dk", "leader")
    stranger.units = []
    db.session.commit()
    login(client, stranger.email)
    # not hers: as if it did not exist
    assert client.post(f"/conversations/{talk.id}", data={f"talk-{talk.id}-status": "agreed",
                                                         f"talk-{talk.id}-meeting_on": "2027-01-12"}).status_code == 404
    assert "Fjordskolen ↔" not in client.get("/conversations").get_data(as_text=True)
    login(client, world.first.email)  # an ambassador reads the library but speaks for no workplace
    assert "Foreslå en snak på tværs" not in client.get(f"/library/{world.elsewhere.id}").get_data(as_text=True)
    assert client.post("/conversations", data={k: v for k, v in form.items() if k != "csrf_token"}).status_code == 403


def test_the_talk_and_workplace_figures_link_to_lists_of_exactly_the_rows_counted(client, world):
    from datetime import UTC, datetime, timedelta
    now = datetime.now(UTC).replace(tzinfo=None)
    for status, when in (("proposed", now), ("agreed", now), ("held", now - timedelta(days=800))):
        db.session.add(Conversation(from_unit_id=world.workplace.id, to_unit_id=world.care_home.id,
                                    target_group="Ældre borgere", message="", status=status, proposed_at=when,
                                    outcome=""))
    db.session.commit()
    login(client, world.coordinator.email)
    old = now - timedelta(days=800)
    for query in ("", f"?period=range&start={old.date().replace(month=1, day=1)}&end={old.date().replace(month=12, day=31)}",
                  f"?unit={world.care_home.parent_id}"):
        page = client.get(f"/dashboard{query}").get_data(as_text=True)
        shown = figures(page)
        links = dict((key, href) for href, key in re.findall(
            r'<a href="([^"]+)"><span (?:class="key-number" )?data-figure="(talks-\w+|share)"', page))
        assert set(links) == {"share", "talks-proposed", "talks-agreed", "talks-held"}, query
        for status in ("proposed", "agreed", "held"):
            listed = client.get(links[f"talks-{status}"].replace("&amp;", "&")).get_data(as_text=True)
            assert listed.count('class="card conversation"') == shown[f"talks-{status}"], (query, status)
        listed = client.get(links["share"].replace("&amp;", "&")).get_data(as_text=True)
        assert listed.count("Kerneopgave defineret") == shown["defined"], query
    assert figures(client.get(f"/dashboard{query}").get_data(as_text=True))["talks-proposed"] == 1


def test_a_talk_is_not_held_in_the_future(client, world):
    from kerne.web.clock import today
    talk = Conversation(from_unit_id=world.workplace.id, to_unit_id=world.care_home.id, target_group="Ældre borgere",
                        message="", status="agreed", outcome="")
    db.session.add(talk)
    db.session.commit()
    login(client, world.contact.email)
    tomorrow, now = today() + timedelta(days=1), today()
    held = {f"talk-{talk.id}-status": "held", f"talk-{talk.id}-outcome": "Vi deler en kalender"}
    refused = client.post(f"/conversations/{talk.id}", data={**held, f"talk-{talk.id}-meeting_on": tomorrow.isoformat()})
    assert refused.status_code == 422
    assert "En samtale kan ikke være holdt i fremtiden." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert (db.session.get(Conversation, talk.id).status, db.session.get(Conversation, talk.id).outcome) == ("agreed", "")
    for nothing in ("", "   "):  # held, it has no form left: what came of it is said now
        silent = client.post(f"/conversations/{talk.id}", data={**held, f"talk-{talk.id}-outcome": nothing,
                                                                f"talk-{talk.id}-meeting_on": now.isoformat()})
        assert silent.status_code == 422 and "Skriv kort, hvad der kom ud af samtalen." in silent.get_data(as_text=True)
    agreed = {f"talk-{talk.id}-status": "agreed", f"talk-{talk.id}-meeting_on": tomorrow.isoformat()}
    assert client.post(f"/conversations/{talk.id}", data=agreed).status_code == 302  # agreed for a day to come
    assert client.post(f"/conversations/{talk.id}", data={**held, f"talk-{talk.id}-meeting_on": now.isoformat()}
                       ).status_code == 302
    db.session.expire_all()
    assert db.session.get(Conversation, talk.id).status == "held"


@pytest.mark.parametrize("query", ["period=garbage", "period=range&start=2026-13-45&end=2026-12-31",
                                   "start=2026-13-45", "period=range&start=2026-03-01"])
@pytest.mark.parametrize("page", ["/processes", "/tasks", "/workplaces", "/conversations", "/exports/processes"])
def test_a_list_given_a_malformed_period_says_so_in_danish(client, world, page, query):
    login(client, world.coordinator.email)
    answer = client.get(f"{page}?{query}")
    assert answer.status_code == 422, (page, query)
    text = answer.get_data(as_text=True)
    assert any(message in text for message in ("Vælg en af perioderne.", "Skriv datoen som åååå-mm-dd eller dd-mm-åååå.",
                                               "Vælg både en fra- og en til-dato.")), text


@pytest.mark.parametrize("page, query, label", [
    ("/processes", "requested=2026-13", "Anmodet"), ("/processes", "completed=0000-00", "Afsluttet"),
    ("/processes", "requested=abc", "Anmodet"), ("/processes", "unit=abc", "Enhed"),
    ("/processes", "state=bogus", "Status"), ("/processes", "active=yes", "Kun aktive forløb"),
    ("/tasks", "decision=x", "Beslutning"), ("/tasks", "follow_up=x", "Opfølgning"),
    ("/workplaces", "core_task=maybe", "Kerneopgave"), ("/dashboard/ambassadors", "load=-1", "Forløb"),
    ("/exports/processes", "ambassador=1.5", "Ambassadør"), ("/conversations", "unit=abc", "Enhed"),
    ("/conversations", "status=bogus", "Status"), ("/processes", "ambassador=0", "Ambassadør"),
    ("/processes", "held=0", "Holdt besøg"), ("/processes", "visit=0", "Besøg")])
def test_a_list_given_a_filter_it_cannot_read_refuses_it_by_name(client, world, page, query, label):
    """Silently ignored, the list showed every row: not the rows of the figure that linked to it."""
    login(client, world.coordinator.email)
    answer = client.get(f"{page}?{query}")
    assert answer.status_code == 422, (page, query)
    text = answer.get_data(as_text=True)
    assert f"{label}: Det skrevne er ikke gyldigt." in text
    assert f'<a href="{page}">Vis listen uden dette filter</a>' in text


def test_an_unreadable_start_is_said_once_and_a_range_to_the_last_day_there_is_is_read(client, world):
    login(client, world.coordinator.email)
    text = client.get("/processes?period=range&start=garbage&end=2026-01-01").get_data(as_text=True)
    assert "Fra: Skriv datoen som åååå-mm-dd eller dd-mm-åååå." in text and "Vælg både en fra- og en til-dato" not in text
    page = client.get("/processes?period=range&start=9999-12-01&end=9999-12-31")
    assert page.status_code == 200 and "Periode: december 9999" in page.get_data(as_text=True)


@pytest.mark.parametrize("query, named, kept", [
    ("/processes?period=year&state=bogus&active=1", ("Status",), "/processes?period=year&active=1"),
    ("/tasks?period=range&start=2026-13-45&end=2026-12-31&decision=develop", ("Fra",), "/tasks?decision=develop"),
    ("/processes?state=bogus&unit=abc&period=year", ("Status", "Enhed"), "/processes?period=year"),
    ("/tasks?period=garbage&decision=x&follow_up=due", ("Periode", "Beslutning"), "/tasks?follow_up=due"),
    ("/conversations?status=x&unit=999999", ("Status", "Enhed"), "/conversations"),
])
def test_a_refusal_names_every_filter_it_cannot_read_and_links_to_the_list_with_the_rest(client, world, query,
                                                                                        named, kept):
    """A shared link with a wrong filter is not a dead end; refused one at a time, the link to the list without it
    led from one 422 to the next."""
    login(client, world.coordinator.email)
    text = client.get(query).get_data(as_text=True)
    assert all(f"{label}: " in text for label in named), text
    without = "Vis listen uden dette filter" if len(named) == 1 else "Vis listen uden disse filtre"
    assert f'<a href="{kept.replace("&", "&amp;")}">{without}</a>' in text
    assert '<a href="/">Til forsiden</a>' in text
    assert client.get(kept).status_code == 200


def test_two_workplaces_follow_one_open_talk_at_a_time(client, world):
    login(client, world.contact.email)
    form = propose_form(client.get(f"/library/{world.elsewhere.id}").get_data(as_text=True))
    assert client.post("/conversations", data=form).status_code == 302
    again = client.post("/conversations", data={**form, "message": "Igen?"})
    assert again.status_code == 422
    assert ("Fjordskolen og Hjemmeplejen Nord har allerede en samtale på tværs, der ikke er holdt endnu (foreslået). "
            "Følg den op under Samtaler på tværs.") in again.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Conversation.id))) == 1
    assert db.session.scalar(db.select(db.func.count(Mail.id)).where(Mail.kind == "conversation")) == 3
    talk = db.session.scalars(db.select(Conversation)).one()
    talk.status = "held"
    db.session.commit()
    assert client.post("/conversations", data=form).status_code == 302  # held: the next one may be proposed
