"""The lists behind the dashboard's figures say in Danish which filters they show, and each can be removed."""
import html
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from after import two_areas
from world import login

from kerne.web.extensions import db


@pytest.fixture
def world(app):
    world = two_areas()
    db.session.commit()
    return world


def chips(page: str) -> dict[str, str]:
    """Each chip's text and the address of its remove link."""
    found = re.findall(r'<li class="chip">([^<]+?)\s*<a class="chip-remove" href="([^"]+)">.*?'
                       r'<span class="visually-hidden">Fjern filteret ([^<]+)</span>', page, re.S)
    assert all(text == html.unescape(named) for text, _href, named in found)
    return {html.unescape(text): same(html.unescape(href)) for text, href, _named in found}


def same(address: str) -> tuple[str, dict]:
    """An address as its path and arguments, whatever their order."""
    parts = urlsplit(address)
    return parts.path, dict(parse_qsl(parts.query))


def test_a_list_names_its_filters_in_danish_and_each_can_be_removed(client, world):
    login(client, world.coordinator.email)
    area = world.care_home.parent.parent
    page = client.get(f"/processes?period=range&start=2026-01-01&end=2026-03-31&unit={area.id}&state=requested"
                      ).get_data(as_text=True)
    assert chips(page) == {
        "Periode: januar–marts 2026": same(f"/processes?unit={area.id}&state=requested"),
        "Enhed: Sundhed og Omsorg": same("/processes?period=range&start=2026-01-01&end=2026-03-31&state=requested"),
        "Status: Anmodet": same(f"/processes?period=range&start=2026-01-01&end=2026-03-31&unit={area.id}"),
    }
    assert "Fjern alle filtre" in page and "unit =" not in page
    assert chips(client.get("/tasks?decision=keep&follow_up=overdue&period=year").get_data(as_text=True)) == {
        "Periode: I år": same("/tasks?decision=keep&follow_up=overdue"),
        "Beslutning: Fastholde": same("/tasks?follow_up=overdue&period=year"),
        "Opfølgning: Overskredet": same("/tasks?decision=keep&period=year")}
    page = client.get("/workplaces?core_task=no&period=range&start=2025-11-01&end=2026-02-28").get_data(as_text=True)
    assert chips(page) == {"Periode: november 2025–februar 2026": same("/workplaces?core_task=no"),
                           "Kerneopgave: ikke endnu": same("/workplaces?period=range&start=2025-11-01&end=2026-02-28")}
    assert chips(client.get(f"/dashboard/ambassadors?lacking=1&ambassador={world.nurse.id}").get_data(as_text=True)
                 ) == {"Mangler et af sine to forløb": same("/dashboard/ambassadors")}
    assert 'class="chips"' not in client.get("/processes").get_data(as_text=True)


def test_an_ambassadors_process_count_links_to_exactly_the_processes_it_counts(client, world):
    from kerne.web.clock import utcnow
    world.process.cancelled_at, world.process.cancel_reason = utcnow(), "Skolen lukker"  # Fjordskolen's, Anna's too
    db.session.commit()
    login(client, world.coordinator.email)
    area = world.care_home.parent.parent
    rows = 0
    for query in ("", f"?unit={area.id}", f"?unit={world.workplace.parent.id}"):
        page = client.get(f"/dashboard/ambassadors{query}").get_data(as_text=True)
        for href, figure in re.findall(r'<td class="number"><a href="([^"]+)">(\d+)</a> / \d+</td>', page):
            listed = re.search(r"<p>(\d+) forløb", client.get(html.unescape(href)).get_data(as_text=True))
            assert int(listed.group(1)) == int(figure), (query, href)
            rows += 1
    assert rows >= 4
    assert re.search(r'processes\?ambassador=\d+&amp;cancelled=no&amp;unit=', page)


@pytest.mark.parametrize("path", ["/processes", "/tasks", "/workplaces", "/dashboard/ambassadors", "/conversations",
                                  "/exports/processes", "/exports/tasks", "/exports/ambassadors", "/dashboard"])
def test_a_unit_one_does_not_see_is_refused_by_every_list_as_by_the_dashboard(client, world, path):
    """An empty list named "Enhed: 999" read as if the unit had nothing; now each page says what the dashboard's
    filter says, for a unit of another area and for one that does not exist alike."""
    login(client, world.other_leader.email)
    for unit in (world.workplace.parent_id, world.workplace.id, 999_999):
        answer = client.get(f"{path}?unit={unit}&period=year")
        assert answer.status_code == 422, (path, unit)
        assert "Vælg en af dine enheder." in answer.get_data(as_text=True)
    assert client.get(f"{path}?unit={world.care_home.parent_id}&period=year").status_code == 200
