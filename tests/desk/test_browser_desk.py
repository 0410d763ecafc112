"""The coordinator's desk in Chromium: import, propose, swap, confirm; the ambassador
then sees the visit and downloads a calendar file that is valid iCalendar."""
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import expect
from world import sign_in, user

from kerne.web.extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.server]

FIRST = date.today() + timedelta(days=40)
ORG = "id,name,kind,parent\nN,Nord,område,\nS,Syd,område,\nN1,Skoler,afdeling,N\nS1,Pleje,afdeling,S\n" \
      "S2,Træning,afdeling,S\nW1,Fjordskolen,arbejdsplads,N1\nW2,Lindely,arbejdsplads,S1\nW3,Genoptræningen,arbejdsplads,S2\n"
AMBASSADORS = ("\ufeffid;name;email;workplace;profession;capacity\r\n"
               "A-1;Anna Berg;anna@example.dk;W1;Lærer;3\r\n"
               "A-2;Bo Dam;bo@example.dk;W2;Sygeplejerske;3\r\n"
               "A-3;Carl Eg;carl@example.dk;W3;Fysioterapeut;3\r\n")
REQUESTS = ("id,workplace,contact_name,contact_email,visit1_start,visit2_start\n"
            f"REQ-1,W1,Lise,lise@example.dk,{FIRST.isoformat()},{(FIRST + timedelta(days=14)).isoformat()}\n")



def upload(page, path, name, text, preview=False):
    page.goto(path)
    page.set_input_files("input[type=file]", files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}])
    page.click(".import-form button")
    if preview:  # the registry shows what the file changes before anything is written
        expect(page.locator(".import-summary")).to_contain_text("Nye")
        page.click("button:has-text('Importér ændringerne')")
    expect(page.locator(".flash")).to_contain_text("importeret")


def test_coordinator_imports_proposes_swaps_and_confirms_then_the_ambassador_gets_the_ics(app, live_server, browser):
    user("koordinator@example.dk", "coordinator")
    for email in ("anna@example.dk", "bo@example.dk", "carl@example.dk"):
        user(email, "ambassador")
    db.session.commit()

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = desk.new_page()
    sign_in(page, live_server, "koordinator@example.dk")
    upload(page, f"{live_server}/org", "org.csv", ORG)
    upload(page, f"{live_server}/ambassadors", "ambassadoerer.csv", AMBASSADORS, preview=True)
    upload(page, f"{live_server}/requests", "anmodninger.csv", REQUESTS)

    # a search changes the address, so the filtered list can be bookmarked, shared and reloaded
    page.goto(f"{live_server}/ambassadors")
    page.fill("#q", "Carl")
    expect(page).to_have_url(re.compile(r"/ambassadors\?q=Carl$"))
    page.reload()
    expect(page.locator("#ambassador-rows")).to_contain_text("Carl Eg")
    expect(page.locator("#ambassador-rows")).not_to_contain_text("Anna Berg")

    page.goto(f"{live_server}/plan")
    page.click("button:has-text('Foreslå plan')")
    expect(page.locator("button:has-text('Bekræft planen')")).to_be_enabled(timeout=20_000)
    card = page.locator(".request-row", has_text="Fjordskolen")
    # far from the workplace and from each other: the engine pairs Bo Dam and Carl Eg
    expect(card.locator(".explanation")).to_contain_text("Bo Dam opfylder")
    expect(card.locator(".explanation")).to_contain_text("Carl Eg opfylder")

    # the coordinator wants Anna Berg to meet her commitment at her own workplace; no rule is broken
    # she is among those who can take the place, and the list says she is from the workplace itself
    anna = card.locator("select").first.locator("optgroup[label^='Kan tage pladsen'] option", has_text="Anna Berg")
    expect(anna).to_contain_text("Anna Berg – fri, ")
    expect(anna).to_contain_text("fra arbejdspladsen selv")
    card.locator("select").first.select_option(value=anna.get_attribute("value"))
    card.locator("form.swap-form").first.locator("button").click()
    card = page.locator(".request-row", has_text="Fjordskolen")
    expect(card.locator(".explanation")).to_contain_text("Anna Berg opfylder sin forpligtelse på egen arbejdsplads")
    expect(card.locator(".problems")).to_have_count(0)
    expect(card.locator("button[aria-pressed=true]")).to_have_count(1)  # the swap is locked
    page.click("button:has-text('Bekræft planen')")
    expect(page.locator(".flash")).to_contain_text("1 forløb er oprettet")
    desk.close()

    laptop = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    ambassador = laptop.new_page()
    sign_in(ambassador, live_server, "anna@example.dk")
    ambassador.goto(f"{live_server}/me")
    expect(ambassador.locator(".visits-list")).to_contain_text("Fjordskolen")
    with ambassador.expect_download() as download:
        ambassador.click("a:has-text('Hent mine besøg')")
    with open(download.value.path(), "rb") as ics:
        calendar = Calendar.from_ical(ics.read())
    events = list(calendar.walk("VEVENT"))
    copenhagen = ZoneInfo("Europe/Copenhagen")  # one day each, at the request's time of day (09:00 unless said)
    assert [e["dtstart"].dt for e in events] == [datetime.combine(FIRST, time(9), copenhagen),
                                                 datetime.combine(FIRST + timedelta(days=14), time(9), copenhagen)]
    assert all("Fjordskolen" in str(e["summary"]) for e in events)
    laptop.close()
