"""A 390 x 844 phone leads with the step: its own input near the top, the decide step's first task above
the fold, nothing shown twice; and the phone switches to English without leaving the room.

Chromium against the app under gunicorn; one server for the module, a room of its own per test.
"""
import pytest
from playwright.sync_api import expect
from world import new_process, writing

from kerne.models import Visit, WorkTask, utcnow
from kerne.web.extensions import db
from kerne.workshop.visits import close_visit, go_to_step, open_visit

pytestmark = [pytest.mark.browser, pytest.mark.server]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
FOLD = 844
CORE_TASK = "Vi skaber tryghed, læring og trivsel for børn og deres familier – sammen med dem, hver dag."


@pytest.fixture
def phone(site, browser):
    """A 390 x 844 phone that joins a visit by its link; returns the page."""
    base, _world = site
    contexts = []

    def join(visit: Visit, name: str = "Axel"):
        context = browser.new_context(**PHONE)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{base}/j/{visit.join_code}")
        page.fill("#display_name", name)
        page.click("button.primary")
        page.wait_for_url(f"{base}/w/*")
        page.wait_for_load_state("load")
        return page

    yield join
    for context in contexts:
        context.close()


def top(page, selector: str) -> float:
    return page.locator(selector).bounding_box()["y"]


def bottom(page, selector: str) -> float:
    box = page.locator(selector).bounding_box()
    return box["y"] + box["height"]


@pytest.mark.parametrize("step", [1, 2], ids=["ideas", "vote"])
def test_the_ideas_box_is_near_the_top(site, phone, step):
    _base, world = site
    page = phone(new_process(world, step).visits[0])
    assert top(page, "#idea-form") <= 300
    assert bottom(page, "#idea-form button.primary") <= FOLD  # the whole box, its button included, without scrolling
    assert top(page, "#idea-form") > bottom(page, ".step-title")  # led by the step's own title and question


def test_the_decide_step_shows_its_first_task_above_the_fold_and_the_core_task_once(site, phone):
    _base, world = site
    process = new_process(world, 1, CORE_TASK)
    with writing():
        first, second = (db.session.get(Visit, v.id) for v in process.visits)
        first.draft.locked_at = utcnow()
        close_visit(first)
        open_visit(second)
        go_to_step(second, 2)
        tasks = [WorkTask(visit_id=second.id, position=n, title=title)
                 for n, title in enumerate(("Morgenmøde i teamet", "Dokumentation i fagsystemet", "Kaffeordning"), 1)]
        db.session.add_all(tasks)
    page = phone(second)
    assert page.locator(".step-title").inner_text() == "Udvikle, fastholde eller afvikle"
    assert bottom(page, f"#task-{tasks[0].id}") <= FOLD
    assert page.get_by_text(CORE_TASK).count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_phone_switches_to_english_and_stays_in_the_room(site, phone):
    _base, world = site
    visit = new_process(world, 1).visits[0]
    page = phone(visit)
    room = page.url
    page.click("text=English")
    page.wait_for_url(room + "*")
    expect(page.locator(".step-title")).to_have_text("Frame and purpose")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.fill("#text", "A safe place to be")
    page.click("#idea-form button.primary")
    expect(page.locator(".ideas")).to_contain_text("A safe place to be", timeout=5000)
    expect(page.locator("#identity summary")).to_have_text("You take part as Axel")
    page.click("text=Dansk")
    expect(page.locator(".step-title")).to_have_text("Ramme og formål")
