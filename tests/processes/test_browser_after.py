"""One process from request to completed in Chromium, while a leader's dashboard (left open)
and the core-task library follow along; the other area's leader never sees it; the result
prints on at most two A4 pages and the poster on one A3 page (the pages themselves are in test_a11y)."""
import re
from datetime import date, timedelta

import pytest
from after import two_areas
from babel.dates import format_date
from conftest import running_server
from playwright.sync_api import expect
from sqlalchemy import select
from world import sign_in

from kerne.models import Process, WorkTask
from kerne.web.extensions import db
from kerne.workshop.visits import close_visit, open_visit, set_locked

pytestmark = [pytest.mark.browser, pytest.mark.server]
CORE_TASK = "Børnene får læring, tryghed og glæde – sammen med forældrene."
FIRST = date.today() + timedelta(days=30)


# How many processes of the leader's area the dashboard's chart of processes by unit shows in a state (its
# table's first row; a state no process is in has no column).
_IN_STATE = """([label, wanted]) => {
  const table = document.querySelector("#chart-units table");
  const column = [...table.querySelectorAll("thead th")].findIndex((th) => th.textContent.trim() === label);
  const cell = column > 0 ? table.querySelector("tbody tr").children[column] : null;
  return (cell ? cell.textContent.trim() : "0") === wanted;
}"""


def shows(page, label: str, count: int) -> None:
    """Wait until the open dashboard (polling) shows ``count`` processes in the state labelled ``label``."""
    page.wait_for_function(_IN_STATE, arg=[label, str(count)], timeout=10_000)


def in_state(page, label: str) -> int:
    return next(n for n in range(100) if page.evaluate(_IN_STATE, [label, str(n)]))


def pdf_pages(page, **options) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", page.pdf(**options)))


def test_a_process_from_request_to_completed(app, database_url, browser, monkeypatch):
    monkeypatch.setenv("KERNE_DASHBOARD_POLL_MS", "1000")
    world = two_areas()
    for visit in world.process.visits + world.elsewhere.visits:  # out of the planner's way
        visit.scheduled_on = FIRST + timedelta(days=200)
    db.session.commit()
    with running_server(database_url) as base:
        tablet = browser.new_context(viewport={"width": 800, "height": 1100})
        board = tablet.new_page()
        sign_in(board, base, world.leader.email)
        board.goto(f"{base}/dashboard")
        shows(board, "Anmodet", 0)

        # the workplace leader requests a process, for a workplace of their own area only
        desk = tablet.new_page()
        desk.goto(f"{base}/requests/new")
        options = desk.locator("#workplace option").all_inner_texts()
        assert "Børnehuset Mågen" in options and "Hjemmeplejen Nord" not in options
        desk.select_option("#workplace", label="Børnehuset Mågen")
        desk.fill("#target_groups", "Børn 3-6 år; forældre")
        desk.fill("#visit1_start", FIRST.isoformat())
        desk.fill("#visit2_start", (FIRST + timedelta(days=21)).isoformat())
        desk.click("form button.primary")
        expect(desk.locator(".flash")).to_contain_text("sendt til koordinatoren")
        shows(board, "Anmodet", 1)  # the open dashboard polls
        expect(board.locator('[data-figure="waiting"]')).to_have_text("1")

        # the coordinator proposes and confirms a pair
        confirmed = in_state(board, "Par bekræftet")  # the world's own planned process counts too
        coordinator = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
        sign_in(coordinator, base, world.coordinator.email)
        coordinator.goto(f"{base}/plan")
        coordinator.click("button:has-text('Foreslå plan')")
        coordinator.locator("button:has-text('Bekræft planen')").click(timeout=20_000)
        expect(coordinator.locator(".flash")).to_contain_text("1 forløb er oprettet")
        shows(board, "Par bekræftet", confirmed + 1)
        db.session.commit()
        process = db.session.scalar(select(Process).where(Process.workplace_id == world.other_workplace.id))

        # visit 1: the pair opens it from their overview; the room writes and locks the wording
        member = process.facilitators[0]
        laptop = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
        sign_in(laptop, base, member.email)
        laptop.locator("li.process", has_text="Børnehuset Mågen").locator("button:has-text('Åbn besøget')").first.click()
        expect(laptop).to_have_url(re.compile(r"/console$"))
        shows(board, "Besøg 1", 1)
        db.session.commit()
        visit = db.session.get(type(process.visits[0]), process.visits[0].id)
        db.session.refresh(visit)
        visit.draft.core_task, visit.draft.target_group = CORE_TASK, "Børn 3-6 år"
        set_locked(visit, True)
        close_visit(visit)
        db.session.commit()
        shows(board, "Kerneopgave defineret", 1)
        library = tablet.new_page()
        library.goto(f"{base}/library")
        library.fill("#q", "glæde børnene")
        expect(library.locator("#results")).to_contain_text(CORE_TASK)

        # visit 2: tasks decided, with owners, deadlines and follow-up dates
        second = process.visits[1]
        open_visit(second)
        for n, (title, decision) in enumerate([("Morgensamling", "develop"), ("Madpakkekontrol", "phase_out")], 1):
            db.session.add(WorkTask(visit_id=second.id, position=n, title=title, decision=decision, owner="Leder",
                                    deadline=FIRST + timedelta(days=60), follow_up_on=FIRST + timedelta(days=90)))
        db.session.flush()
        close_visit(second)
        db.session.commit()
        shows(board, "Opfølgning", 1)
        expect(board.locator("#chart-decisions")).to_contain_text("Afvikle")

        # follow-up, marked by the workplace leader on the process page
        page = tablet.new_page()
        page.goto(f"{base}/processes/{process.id}")
        for task in ("Morgensamling", "Madpakkekontrol"):
            item = page.locator(".follow-up-task", has_text=task)
            item.locator("summary:has-text('Følg op')").click()
            item.locator("select").select_option("done")
            item.locator("textarea").fill("Aftalt på personalemødet")
            item.locator("button:has-text('Gem opfølgning')").click()
        expect(page.locator(".flash")).to_contain_text("Forløbet er afsluttet")
        expect(page.locator(".timeline-done").last).to_contain_text("Afsluttet")
        shows(board, "Afsluttet", 1)
        month = format_date(date.today(), "MMM y", locale="da")  # "dec. 2026", as the chart names it
        expect(board.locator("#chart-months tr", has_text=month).locator("td").nth(1)).to_have_text("1")

        # the result prints on at most two A4 pages; the poster on one A3 page
        page.emulate_media(media="print")
        assert 1 <= pdf_pages(page, format="A4") <= 2
        page.goto(f"{base}/processes/{process.id}/poster")
        assert pdf_pages(page, prefer_css_page_size=True) == 1

        # the other area's leader sees none of the process, anywhere; its core task is the whole organisation's
        outsider = browser.new_context(viewport={"width": 800, "height": 1100}).new_page()
        sign_in(outsider, base, world.other_leader.email)
        for path in ("/", "/dashboard", "/processes", "/tasks", "/follow-up", "/requests"):
            outsider.goto(base + path)
            assert "Børnehuset Mågen" not in outsider.content(), path
        assert outsider.goto(f"{base}/processes/{process.id}").status == 404
        outsider.goto(f"{base}/library?q=glæde")
        expect(outsider.locator("#results")).to_contain_text("Børnehuset Mågen")
        assert member.name not in outsider.content()

        for context in browser.contexts:
            context.close()
