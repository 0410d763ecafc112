"""Two phones and the projector in one room, in Chromium against the app under gunicorn: one server and
one sign-in for the module (SQLite), a process of its own for each test."""
import re
from typing import NamedTuple

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from world import World, new_process, sign_in

from kerne.models import CoreTaskDraft, Idea, Revision, Visit
from kerne.web.extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.server]

THREE_SECONDS = 3000
LAPTOP = {"width": 1280, "height": 800}


class Room(NamedTuple):
    base: str
    world: World
    visit: Visit
    console: Page
    projector: Page
    a: tuple[BrowserContext, Page]
    b: tuple[BrowserContext, Page]


def join_by_code(context, base, code, name):
    page = context.new_page()
    page.goto(f"{base}/j")
    page.fill("#code", code.lower())
    page.click("button.primary")
    page.fill("#display_name", name)
    page.click("button.primary")
    expect(page.locator("#live")).to_be_visible()
    assert re.fullmatch(rf"{base}/w/[\w-]+", page.url), "the code must not stay in the address"
    return page


def draft_field(page, part):
    return page.locator(f"textarea[id$='-{part}']")


@pytest.fixture(scope="module")
def signed_in_once(site, browser):
    """The facilitator signed in once for the module (tests/conftest.py's ``site`` serves it): each room's
    laptop starts from these cookies."""
    base, world = site
    context = browser.new_context(viewport=LAPTOP)
    sign_in(context.new_page(), base, world.first.email)
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def room(site, signed_in_once, browser, phone):
    """A process of its own: visit 1 on a projector and a facilitator's console, and two phones joined by code."""
    base, world = site
    visit = new_process(world).visits[0]
    laptop = browser.new_context(viewport=LAPTOP, storage_state=signed_in_once)
    console = laptop.new_page()
    console.goto(f"{base}/visits/{visit.id}/console")
    projector = laptop.new_page()
    projector.goto(f"{base}/visits/{visit.id}/projector")
    phone_a, phone_b = phone(), phone()
    a = join_by_code(phone_a, base, visit.join_code, "Anne")
    b = join_by_code(phone_b, base, visit.join_code, "Bent")
    expect(projector.locator(".stage-participants")).to_have_text("2 deltagere", timeout=THREE_SECONDS)
    console.click("button:has-text('Vis trinnet')")  # from the join screen to the first step
    expect(projector.locator(".stage-prompt")).to_be_visible(timeout=THREE_SECONDS)
    yield Room(base, world, visit, console, projector, (phone_a, a), (phone_b, b))
    laptop.close()


def drafted(visit: Visit, part: str) -> str:
    """What the room's draft holds for ``part``, as stored."""
    db.session.commit()  # a fresh read of what the server wrote
    return db.session.scalars(db.select(getattr(CoreTaskDraft, part)).where(CoreTaskDraft.visit_id == visit.id)).one()


def go_to_step(console, title):
    console.click(f"button.step-button:has-text('{title}')")
    expect(console.locator(".step-title")).to_have_text(title)


def test_idea_reaches_the_other_phone_and_the_projector_within_three_seconds(room):
    _base, _world, _visit, _console, projector, (_ctx_a, a), (_ctx_b, b) = room
    a.fill("#text", "Et trygt sted at være")
    a.click("#idea-form button.primary")
    expect(b.locator(".ideas")).to_contain_text("Et trygt sted at være", timeout=THREE_SECONDS)
    expect(projector.locator(".stage-cards")).to_contain_text("Et trygt sted at være", timeout=THREE_SECONDS)
    expect(a.locator("#text")).to_have_value("")


def test_phones_follow_the_step_the_facilitator_shows(room):
    _base, _world, _visit, console, projector, (_ctx_a, a), (_ctx_b, b) = room
    go_to_step(console, "Formulér kerneopgaven")
    for screen in (a, b):
        expect(screen.locator(".step-title")).to_have_text("Formulér kerneopgaven", timeout=THREE_SECONDS)
    expect(projector.locator(".stage-step")).to_have_text("Trin 3 af 3 · Formulér kerneopgaven", timeout=THREE_SECONDS)


def test_two_phones_typing_in_one_draft_field_lose_nothing(room):
    _base, _world, visit, console, projector, (_ctx_a, a), (_ctx_b, b) = room
    go_to_step(console, "Formulér kerneopgaven")
    field_a, field_b = draft_field(a, "core_task"), draft_field(b, "core_task")
    field_a.click()
    a.keyboard.type("Vi skaber tryghed for børn")
    expect(field_b).to_have_value("Vi skaber tryghed for børn", timeout=THREE_SECONDS)

    # Both type at once: A at the end, B at the start of the same sentence.
    field_a.click()
    a.keyboard.press("End")
    field_b.click()
    b.keyboard.press("Home")
    for chunk_a, chunk_b in zip([" og deres", " familier"], ["Sammen med ", "forældrene: "]):
        a.keyboard.type(chunk_a, delay=15)
        b.keyboard.type(chunk_b, delay=15)

    def settled(page):
        return page.locator("[id$='-core_task-state']")

    expect(settled(a)).to_have_text("Gemt", timeout=5000)
    expect(settled(b)).to_have_text("Gemt", timeout=5000)
    text = drafted(visit, "core_task")
    conflicts = db.session.scalars(db.select(Revision.value).where(Revision.visit_id == visit.id,
                                                      Revision.kind == "conflict")).all()
    everything = " | ".join([text, *conflicts])
    for contribution in ("Vi skaber tryghed for børn", "og deres familier", "Sammen med forældrene:"):
        assert contribution in everything, everything
    if conflicts:
        expect(a.locator(".conflict").or_(b.locator(".conflict")).first).to_be_visible()
    else:
        expect(field_a).to_have_value(text, timeout=THREE_SECONDS)
        expect(field_b).to_have_value(text, timeout=THREE_SECONDS)
        expect(projector.locator(".part-core_task")).to_contain_text(text, timeout=THREE_SECONDS)


def test_offline_phone_keeps_its_text_and_saves_it_when_back(room):
    _base, _world, visit, console, _projector, (ctx_a, a), (_ctx_b, b) = room
    go_to_step(console, "Formulér kerneopgaven")
    field = draft_field(a, "effect")
    expect(field).to_be_visible(timeout=THREE_SECONDS)
    ctx_a.set_offline(True)
    field.click()
    a.keyboard.type("Børnene trives og lærer")
    expect(a.locator("[id$='-effect-state']")).to_contain_text("ingen forbindelse", timeout=5000)
    expect(field).to_have_value("Børnene trives og lærer")
    assert drafted(visit, "effect") == ""

    ctx_a.set_offline(False)
    a.evaluate("window.dispatchEvent(new Event('online'))")
    expect(a.locator("[id$='-effect-state']")).to_have_text("Gemt", timeout=8000)
    expect(draft_field(b, "effect")).to_have_value("Børnene trives og lærer", timeout=THREE_SECONDS)
    assert drafted(visit, "effect") == "Børnene trives og lærer"
    assert db.session.scalar(db.select(db.func.count()).where(Revision.visit_id == visit.id)) == 1


def test_idea_written_offline_is_sent_once_when_back(room):
    _base, _world, visit, _console, projector, (ctx_a, a), _b = room
    ctx_a.set_offline(True)
    a.fill("#text", "Skrevet uden net")
    a.click("#idea-form button.primary")
    # Out of the box and into the list of what waits to be sent, under it: the box is free for the next idea.
    expect(a.locator("#idea-form [data-send-state]")).to_contain_text("Ikke sendt endnu", timeout=5000)
    expect(a.locator("#idea-form [data-send-state]")).to_contain_text("Skrevet uden net")
    expect(a.locator("#text")).to_have_value("")
    ctx_a.set_offline(False)
    a.evaluate("window.dispatchEvent(new Event('online'))")
    expect(projector.locator(".stage-cards")).to_contain_text("Skrevet uden net", timeout=8000)
    expect(a.locator("#text")).to_have_value("")
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).where(Idea.visit_id == visit.id,
                                                         Idea.text == "Skrevet uden net")) == 1


def test_typing_survives_a_poll_that_brings_other_changes(room):
    _base, _world, _visit, console, _projector, (_ctx_a, a), (_ctx_b, b) = room
    go_to_step(console, "Formulér kerneopgaven")
    mine = draft_field(a, "ambition")
    mine.click()
    a.keyboard.type("Flere børn")
    # B changes another part while A is still typing; A's poll brings it in.
    draft_field(b, "target_group").fill("Børn 0-6 år")
    expect(draft_field(a, "target_group")).to_have_value("Børn 0-6 år", timeout=THREE_SECONDS)
    a.keyboard.type(" leger sammen")
    expect(mine).to_have_value("Flere børn leger sammen")
    assert a.evaluate("document.activeElement.id") == mine.get_attribute("id")
    assert a.evaluate("document.activeElement.selectionStart") == len("Flere børn leger sammen")


def test_two_facilitators_move_through_steps_together(room, browser):
    base, world, visit, console, _projector, _a, _b = room
    second = browser.new_context(viewport=LAPTOP)
    other = second.new_page()
    sign_in(other, base, world.second.email)
    other.goto(f"{base}/visits/{visit.id}/console")
    go_to_step(console, "Perspektiver")
    expect(other.locator(".step-title")).to_have_text("Perspektiver", timeout=THREE_SECONDS)
    other.click("button:has-text('Næste trin')")
    expect(console.locator(".step-title")).to_have_text("Formulér kerneopgaven", timeout=THREE_SECONDS)
    second.close()


def test_dot_vote_results_reach_the_projector(room):
    _base, _world, _visit, console, projector, (_ctx_a, a), (_ctx_b, b) = room
    go_to_step(console, "Perspektiver")
    expect(a.locator(".step-title")).to_have_text("Perspektiver", timeout=THREE_SECONDS)
    a.fill("#text", "Børnene er trygge")
    a.select_option("#tag", "effect")
    a.click("#idea-form button.primary")
    plus = b.locator(".idea:has-text('Børnene er trygge') button[aria-label='Giv en prik']")
    expect(plus).to_be_enabled(timeout=THREE_SECONDS)
    plus.click()
    expect(b.locator(".dots-left")).to_have_text("Du har 2 prikker tilbage", timeout=THREE_SECONDS)
    plus.click()
    expect(b.locator(".dots-left")).to_have_text("Du har 1 prik tilbage", timeout=THREE_SECONDS)
    assert "prikker i alt" not in b.content() and "stage-ranking" not in projector.content()  # not a race
    console.click("button:has-text('Vis resultatet')")
    expect(projector.locator(".stage-ranking")).to_contain_text("2 prikker", timeout=THREE_SECONDS)
    expect(b.locator(".idea:has-text('Børnene er trygge') .dot-total")).to_have_text("2 prikker i alt",
                                                                                    timeout=THREE_SECONDS)


def test_keyboard_alone_adds_an_idea(room):
    _base, _world, _visit, _console, projector, (_ctx_a, a), _b = room
    a.locator("body").focus()
    for _ in range(30):
        a.keyboard.press("Tab")
        if a.evaluate("document.activeElement.id") == "text":
            break
    a.keyboard.type("Med tastaturet")
    a.keyboard.press("Tab")
    a.keyboard.press("Enter")
    expect(projector.locator(".stage-cards")).to_contain_text("Med tastaturet", timeout=THREE_SECONDS)
