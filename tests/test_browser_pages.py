"""Every page on a 360×640 phone: no sideways scrolling, Danish, labelled, reachable by keyboard."""
import pytest
from world import build, sign_in

from kerne.extensions import db
from kerne.models import Idea, WorkTask
from kerne.workshop.visits import close_visit, go_to_step, open_visit, steps_of

pytestmark = [pytest.mark.browser, pytest.mark.server]

SMALL_PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}

# Run in the page: what a person with a small phone, a screen reader or a keyboard would trip over.
PROBLEMS = """() => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth) problems.push(`scrolls sideways: ${doc.scrollWidth}px`);
  if (doc.lang !== "da") problems.push(`lang is ${doc.lang}`);
  const visible = (el) => el.checkVisibility({ visibilityProperty: true });
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (!visible(el)) continue;
    const named = el.labels.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
    if (!named) problems.push(`no label: ${el.outerHTML.slice(0, 80)}`);
  }
  for (const el of document.querySelectorAll("a[href], button, summary")) {
    if (!visible(el)) continue;
    if (!(el.innerText.trim() || el.getAttribute("aria-label"))) problems.push(`no name: ${el.outerHTML.slice(0, 80)}`);
    if (el.tabIndex < 0) problems.push(`not reachable by keyboard: ${el.outerHTML.slice(0, 80)}`);
    const right = el.getBoundingClientRect().right;
    if (right > window.innerWidth + 1) problems.push(`off screen: ${el.outerHTML.slice(0, 80)}`);
  }
  return problems;
}"""


def check(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    problems = page.evaluate(PROBLEMS)
    assert problems == [], f"{url}: {problems}"



@pytest.fixture
def small_phone(browser):
    context = browser.new_context(**SMALL_PHONE)
    yield context.new_page()
    context.close()


def test_public_pages(small_phone, app, live_server):
    world = build()
    for path in ("/", "/login", "/j", f"/j/{world.visit.join_code}", "/j/NOPE42", "/findes-ikke"):
        check(small_phone, live_server + path)


def test_every_step_on_the_participants_phone(small_phone, app, live_server):
    world = build()
    step = steps_of(world.visit)[0]
    db.session.add(Idea(visit_id=world.visit.id, step_id=step.id, text="En lang idé " * 12))
    db.session.commit()
    small_phone.goto(f"{live_server}/j/{world.visit.join_code}")
    small_phone.fill("#display_name", "Mette")
    small_phone.click("button.primary")
    base = small_phone.url
    for position in (1, 2, 3):
        go_to_step(world.visit, position)
        db.session.commit()
        check(small_phone, base)
    check(small_phone, f"{base}/draft/core_task/history")

    close_visit(world.visit)
    open_visit(world.second_visit)
    db.session.add(WorkTask(visit_id=world.second_visit.id, position=1, title="Dokumentation", decision="develop"))
    db.session.commit()
    small_phone.goto(f"{live_server}/j/{world.second_visit.join_code}")
    small_phone.click("button.primary")
    second = small_phone.url
    for position in (1, 2, 3):
        go_to_step(world.second_visit, position)
        db.session.commit()
        check(small_phone, second)
    close_visit(world.second_visit)
    db.session.commit()
    check(small_phone, second)


def test_staff_pages(small_phone, app, live_server):
    world = build()
    sign_in(small_phone, live_server, world.first.email)
    check(small_phone, f"{live_server}/")
    for position in (1, 2, 3):
        go_to_step(world.visit, position)
        db.session.commit()
        check(small_phone, f"{live_server}/visits/{world.visit.id}/console")
        check(small_phone, f"{live_server}/visits/{world.visit.id}/projector")
    check(small_phone, f"{live_server}/processes/{world.process.id}")
    check(small_phone, f"{live_server}/me")
    small_phone.click("button:has-text('Log ud')")
    sign_in(small_phone, live_server, world.coordinator.email)
    check(small_phone, f"{live_server}/")
    check(small_phone, f"{live_server}/visits/{world.visit.id}/console")  # the 403 page
    from test_desk import add_request

    add_request(world, workplace=world.other_workplace)
    for path in ("/org", f"/org/{world.workplace.id}", "/ambassadors", "/ambassadors/new",
                 f"/ambassadors/{world.first.id}", "/requests", "/requests/new", "/plan"):
        check(small_phone, live_server + path)
    small_phone.click("button:has-text('Foreslå plan')")
    small_phone.locator("button:has-text('Bekræft planen')").wait_for(timeout=20_000)
    check(small_phone, small_phone.url)
