"""The phone script (static/kerne.js) against a hostile network: every typed word survives every answer.

Phones in Chromium against the app under gunicorn, their answers delayed, held,
reordered or failed by Playwright's route interception; offline and back; the
wording locked or the visit closed mid-typing; cookies lost. After each sequence
every word typed is in the field, in a conflict shown to its author, or shown to
its author as not saved with the reason.

One server and one database serve the whole module (each test gets a visit of
its own), to keep the suite's time down.
"""
import random
import re
import time
from contextlib import suppress

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from world import new_process, sign_in, writing

from kerne.models import Idea, Revision, Visit
from kerne.web.extensions import db
from kerne.workshop.ideas import merge_ideas
from kerne.workshop.live import Actor
from kerne.workshop.visits import close_visit, go_to_step, set_locked

pytestmark = [pytest.mark.browser, pytest.mark.server]


def change(visit_id: int, what, *args) -> None:
    with writing():
        what(db.session.get(Visit, visit_id), *args)


def new_visit(world, step: int = 3, core_task: str = "") -> Visit:
    """A room of its own: visit 1 of a new process, open at ``step`` (3: the core-task draft)."""
    return new_process(world, step, core_task).visits[0]


def joined(context, base, visit, name):
    page = context.new_page()
    page.goto(f"{base}/j/{visit.join_code}")
    page.fill("#display_name", name)
    page.click("button.primary")
    expect(page.locator("#live")).to_be_visible()
    page.wait_for_load_state("load")  # kerne.js (deferred) listens before anything is typed
    return page


def field(page, part):
    return page.locator(f"textarea[id$='-{part}']")


def state(page, part):
    return page.locator(f"[id$='-{part}-state']")


def stored(visit_id: int, part: str) -> str:
    db.session.commit()
    return getattr(db.session.get(Visit, visit_id).draft, part)


def both_type(a, b, visit) -> str:
    """A adds a sentence at the end, B (once it sees it) a word at the start; the room's text after B's save."""
    field(a, "core_task").click()
    a.keyboard.press("End")
    a.keyboard.type(" Hver dag.")
    expect(field(b, "core_task")).to_have_value("Borgerne er trygge. Hver dag.", timeout=5000)
    field(b, "core_task").click()
    b.keyboard.press("Home")
    b.keyboard.type("Alle ")
    expect(state(b, "core_task")).to_have_text("Gemt", timeout=5000)
    return stored(visit.id, "core_task")


def private_texts(visit_id: int) -> list[str]:
    db.session.commit()
    query = db.select(Revision.value).where(Revision.visit_id == visit_id, Revision.kind.in_(("conflict", "refused")))
    return list(db.session.scalars(query))


class Network:
    """What a bad network does to one phone's answers, driven from the test's thread.

    ``delay(lo, hi)``: each answer is fetched from the server at once and handed to the
    page after a random delay, so answers arrive late and out of order; ``hold()``:
    the next matching request is held (``release`` delivers its answer later, ``drop``
    never). Call ``pump`` (or ``wait``) to deliver what is due.
    """

    def __init__(self, page, pattern: str, seed: int = 7):
        self.page, self.rng = page, random.Random(seed)
        self.mode, self.lo, self.hi = "pass", 0.0, 0.0
        self.due: list[tuple[float, object, object]] = []
        self.held: list[tuple[object, object]] = []
        page.route(pattern, self._handle)

    def _handle(self, route):
        if self.mode == "pass" or route.request.method not in ("GET", "POST"):
            route.continue_()
        elif self.mode == "hold":
            self.mode = "pass"
            self.held.append((route, None))
        else:
            response = route.fetch()
            self.due.append((time.monotonic() + self.rng.uniform(self.lo, self.hi), route, response))

    def delay(self, lo: float, hi: float):
        self.mode, self.lo, self.hi = "delay", lo, hi

    def hold(self):
        self.mode = "hold"

    def normal(self):
        self.mode = "pass"

    def pump(self):
        now = time.monotonic()
        ready = [item for item in self.due if item[0] <= now]
        self.due = [item for item in self.due if item[0] > now]
        for _due, route, response in ready:
            with suppress(PlaywrightError):  # the page went on without it (timed out): nothing to deliver to
                route.fulfill(response=response)

    def wait(self, seconds: float):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.page.wait_for_timeout(50)
            self.pump()

    def release(self):
        """Let every held request reach the server now, late."""
        for route, _ in self.held:
            with suppress(PlaywrightError):
                route.continue_()
        self.held = []

    def flush(self):
        self.normal()
        self.release()
        for _due, route, response in self.due:
            with suppress(PlaywrightError):
                route.fulfill(response=response)
        self.due = []


@pytest.fixture
def phones(site, browser, playwright_instance):
    base, world = site
    contexts = []

    def new_phone():
        context = browser.new_context(**playwright_instance.devices["Pixel 7"])
        contexts.append(context)
        return context

    yield base, world, new_phone
    for context in contexts:
        context.close()


def test_a_late_answer_never_replaces_newer_text(phones):
    base, world, new_phone = phones
    visit = new_visit(world, core_task="Borgerne er trygge.")
    a, b = joined(new_phone(), base, visit, "Anne"), joined(new_phone(), base, visit, "Bent")
    net = Network(a, re.compile(r"/changes\?"))
    expect(field(a, "core_task")).to_have_value("Borgerne er trygge.")
    net.hold()  # A's next poll is answered by the server now and delivered later
    field(b, "target_group").fill("Borgere i byen")
    a.wait_for_timeout(1200)
    assert net.held, "a poll must have been held"
    held_route, _ = net.held.pop()
    old_answer = held_route.fetch()  # the room as it was before A's word
    field(a, "core_task").click()
    a.keyboard.press("Home")
    a.keyboard.type("Alle ")
    expect(state(a, "core_task")).to_have_text("Gemt", timeout=5000)
    held_route.fulfill(response=old_answer)
    a.wait_for_timeout(800)
    expect(field(a, "core_task")).to_have_value("Alle Borgerne er trygge.")
    a.keyboard.type("de ")
    expect(state(a, "core_task")).to_have_text("Gemt", timeout=5000)
    assert stored(visit.id, "core_task") == "Alle de Borgerne er trygge."
    expect(field(b, "core_task")).to_have_value("Alle de Borgerne er trygge.", timeout=3000)


def test_answers_late_and_out_of_order_lose_no_word_of_two_phones_in_one_field(phones):
    base, world, new_phone = phones
    visit = new_visit(world)
    a, b = joined(new_phone(), base, visit, "Anne"), joined(new_phone(), base, visit, "Bent")
    net_a, net_b = Network(a, re.compile(r"/w/"), seed=1), Network(b, re.compile(r"/w/"), seed=2)
    net_a.delay(0.2, 1.5)
    net_b.delay(0.2, 1.5)
    words_a = [f"anne{n}" for n in range(8)]
    words_b = [f"bent{n}" for n in range(8)]
    rng = random.Random(3)

    def settle_and_watch(n: int, seconds: float) -> None:
        """Deliver what is due; no late answer may take a phone's own words off its screen, not for a moment."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            net_a.wait(0.05)
            net_b.pump()
            for page, words in ((a, words_a), (b, words_b)):
                # In the field, or in a conflict box or the not-saved box its author sees.
                shown = " ".join([field(page, "core_task").input_value(),
                                  *page.locator(".conflict blockquote, #kept textarea").all_inner_texts(),
                                  *[t.input_value() for t in page.locator("#kept textarea").all()]])
                assert all(w in shown for w in words[: n + 1]), (words[: n + 1], shown)

    for n, (word_a, word_b) in enumerate(zip(words_a, words_b)):
        field(a, "core_task").click()
        a.keyboard.press("End")
        a.keyboard.type(f" {word_a}", delay=10)
        field(b, "core_task").click()
        b.keyboard.press(rng.choice(["Home", "End"]))
        b.keyboard.type(f"{word_b} ", delay=10)
        # Both saved (or as far as the network lets them), then a pause in which late polls arrive.
        settle_and_watch(n, 1.0)
        field(b, "target_group").fill(f"runde {n}")  # so that the polls bring changed blocks
        settle_and_watch(n, 0.6)
    net_a.flush()
    net_b.flush()
    for page in (a, b):
        expect(state(page, "core_task")).not_to_have_text(re.compile("Gemmer|Ikke gemt endnu"), timeout=15_000)
    everything = " ".join([stored(visit.id, "core_task"), *private_texts(visit.id)])
    for word in words_a + words_b:
        assert word in everything, (word, everything)


def test_a_held_save_and_a_held_poll_do_not_stall_the_phone(phones):
    base, world, new_phone = phones
    visit = new_visit(world)
    a, b = joined(new_phone(), base, visit, "Anne"), joined(new_phone(), base, visit, "Bent")
    saves = Network(a, re.compile(r"/draft/"))
    polls = Network(a, re.compile(r"/changes\?"))
    saves.hold()
    polls.hold()
    field(a, "effect").click()
    a.keyboard.type("Tryghed")
    a.wait_for_timeout(600)
    a.keyboard.type(" og glæde")
    field(b, "approach").fill("Sammen med dem")
    # The held save is sent again when no answer comes, then the newer text; the held poll gives way.
    expect(field(a, "approach")).to_have_value("Sammen med dem", timeout=12_000)
    expect(state(a, "effect")).to_have_text("Gemt", timeout=15_000)
    assert stored(visit.id, "effect") == "Tryghed og glæde"
    saves.release()  # the original arrives at last: recognised by its id, nothing doubled
    a.wait_for_timeout(1500)
    assert stored(visit.id, "effect") == "Tryghed og glæde"
    expect(field(b, "effect")).to_have_value("Tryghed og glæde", timeout=3000)


@pytest.mark.parametrize(("what", "reason"), [((set_locked, True), "Formuleringen er låst"),
                                             ((close_visit,), "Besøget er afsluttet")], ids=["locked", "closed"])
def test_text_refused_mid_typing_stays_with_its_author(phones, what, reason):
    base, world, new_phone = phones
    visit = new_visit(world)
    a = joined(new_phone(), base, visit, "Anne")
    saves = Network(a, re.compile(r"/draft/"))
    saves.hold()
    field(a, "ambition").click()
    a.keyboard.type("Flere børn leger ude")
    a.wait_for_timeout(500)
    change(visit.id, *what)  # the wording is locked, or the visit closed, while the save travels
    saves.release()
    kept = a.locator("#kept")
    expect(kept).to_contain_text(reason, timeout=12_000)
    expect(kept.locator("textarea")).to_have_value("Flere børn leger ude")
    assert private_texts(visit.id) == ["Flere børn leger ude"]  # kept by the server too
    # The field follows the room again: read-only once locked, gone once closed.
    expect(field(a, "ambition").and_(a.locator("[readonly]")).or_(a.locator(".closed"))).to_be_visible(timeout=10_000)
    a.reload()  # still there after a reload, until its author removes it
    expect(a.locator("#kept textarea")).to_have_value("Flere børn leger ude", timeout=10_000)
    a.locator("#kept button:has-text('Fjern')").click()
    expect(a.locator("#kept")).to_be_hidden()


def test_a_lost_session_is_recovered_and_the_save_sent_again(phones):
    base, world, new_phone = phones
    visit = new_visit(world)
    context = new_phone()
    a = joined(context, base, visit, "Anne")
    context.clear_cookies(name="session")
    field(a, "approach").click()
    a.keyboard.type("Med dem")
    expect(state(a, "approach")).to_have_text("Gemt", timeout=8000)
    assert stored(visit.id, "approach") == "Med dem"


def test_lost_cookies_keep_the_text_visible_with_the_reason(phones):
    base, world, new_phone = phones
    visit = new_visit(world)
    context = new_phone()
    a = joined(context, base, visit, "Anne")
    context.clear_cookies()
    field(a, "approach").click()
    # Typed at a phone's pace: the polls refused for the lost join come back while she types.
    a.keyboard.type("For og med dem, hver eneste dag", delay=70)
    expect(a.locator("#kept")).to_contain_text("Din deltagelse kunne ikke genkendes", timeout=8000)
    expect(a.locator("#kept textarea")).to_have_value("For og med dem, hver eneste dag")


def test_offline_then_failing_answers_then_back_loses_nothing(phones):
    base, world, new_phone = phones
    visit = new_visit(world)
    context = new_phone()
    a = joined(context, base, visit, "Anne")
    context.set_offline(True)
    field(a, "target_group").click()
    a.keyboard.type("Børn")
    expect(state(a, "target_group")).to_contain_text("ingen forbindelse", timeout=5000)
    context.set_offline(False)
    a.route(re.compile(r"/draft/"), lambda route: route.fulfill(status=502, body="bad gateway"))
    a.keyboard.type(" og unge")
    a.evaluate("window.dispatchEvent(new Event('online'))")
    expect(state(a, "target_group")).to_contain_text("ingen forbindelse", timeout=5000)
    a.unroute(re.compile(r"/draft/"))
    a.evaluate("window.dispatchEvent(new Event('online'))")
    expect(state(a, "target_group")).to_have_text("Gemt", timeout=8000)
    assert stored(visit.id, "target_group") == "Børn og unge"


def test_a_conflict_shows_its_state_not_saved(phones):
    base, world, new_phone = phones
    visit = new_visit(world, core_task="Borgerne er trygge.")
    a, b = joined(new_phone(), base, visit, "Anne"), joined(new_phone(), base, visit, "Bent")
    saves_b = Network(b, re.compile(r"/draft/"))
    saves_b.hold()
    field(b, "core_task").fill("Borgerne er sikre.")
    b.wait_for_timeout(500)
    field(a, "core_task").fill("Borgerne er glade.")
    expect(state(a, "core_task")).to_have_text("Gemt", timeout=5000)
    saves_b.release()
    expect(b.locator(".conflict")).to_be_visible(timeout=12_000)
    expect(state(b, "core_task")).to_contain_text("Ikke gemt i feltet")
    expect(b.locator(".conflict blockquote")).to_have_text("Borgerne er sikre.")
    b.locator(".conflict button:has-text('Brug min version')").click()
    expect(field(a, "core_task")).to_have_value("Borgerne er sikre.", timeout=3000)
    expect(state(b, "core_task")).not_to_contain_text("Ikke gemt i feltet", timeout=3000)


def test_the_closed_console_opens_visit_2_and_the_phone_keeps_its_name(phones, browser):
    base, world, new_phone = phones
    visit = new_visit(world, step=1, core_task="Sammen skaber vi tryghed.")
    a = joined(new_phone(), base, visit, "Anne")
    laptop = browser.new_context(viewport={"width": 1280, "height": 800})
    console = laptop.new_page()
    sign_in(console, base, world.first.email)
    console.goto(f"{base}/visits/{visit.id}/console")
    warning = console.locator(".danger-zone")
    expect(warning).to_contain_text("Kerneopgaven er ikke formuleret og låst endnu.")
    warning.locator("button:has-text('Lås formuleringen')").click()  # the warning offers to lock first
    console.once("dialog", lambda dialog: dialog.accept())
    console.click("button:has-text('Afslut besøget')")
    console.click("button:has-text('Åbn besøg 2')")
    expect(console.locator(".console-head h1")).to_contain_text("Besøg 2")
    code = console.locator(".join-code-inline").inner_text()
    a.goto(f"{base}/j/{code}")
    expect(a.locator("#display_name")).to_have_value("Anne")
    laptop.close()


def shown_version(page) -> int:
    return int(page.locator("#live").get_attribute("data-version"))


def a_conflict_for_bent(world, new_phone, base):
    """Anne saves "glade" while Bent's "sikre" travels: Bent's save comes back a conflict.

    Returns the visit, both pages and Bent's held save request (its answer not yet given)."""
    visit = new_visit(world, core_task="Borgerne er trygge.")
    a, b = joined(new_phone(), base, visit, "Anne"), joined(new_phone(), base, visit, "Bent")
    saves_b = Network(b, re.compile(r"/draft/"))
    saves_b.hold()
    field(b, "core_task").fill("Borgerne er sikre.")
    deadline = time.monotonic() + 10
    while not saves_b.held and time.monotonic() < deadline:
        b.wait_for_timeout(100)
    assert saves_b.held, "Bent's save must have been held"
    field(a, "core_task").fill("Borgerne er glade.")
    expect(state(a, "core_task")).to_have_text("Gemt", timeout=5000)
    return visit, a, b, saves_b.held.pop()[0]


def test_a_late_save_answer_still_leaves_the_phone_with_the_rooms_text(phones):
    base, world, new_phone = phones
    visit = new_visit(world, core_task="Borgerne er trygge.")
    a, b = joined(new_phone(), base, visit, "Anne"), joined(new_phone(), base, visit, "Bent")
    saves = Network(a, re.compile(r"/draft/core_task$"))
    saves.delay(30, 30)  # answered by the server at once, handed to the phone only when the test says
    room = both_type(a, b, visit)
    assert room == "Alle Borgerne er trygge. Hver dag."
    # A's polls bring the newer room while its save's answer is still on the way ...
    newest, deadline = db.session.get(Visit, visit.id).version, time.monotonic() + 5
    while shown_version(a) < newest and time.monotonic() < deadline:
        a.wait_for_timeout(100)
    saves.flush()  # ... and then the (older) answer arrives
    expect(state(a, "core_task")).to_have_text("Gemt", timeout=5000)
    expect(field(a, "core_task")).to_have_value(room, timeout=3000)


def test_a_save_answered_204_on_resend_still_leaves_the_phone_with_the_rooms_text(phones):
    base, world, new_phone = phones
    visit = new_visit(world, core_task="Borgerne er trygge.")
    a, b = joined(new_phone(), base, visit, "Anne"), joined(new_phone(), base, visit, "Bent")
    lost = []

    def lose_the_first_answer(route):
        if lost:
            route.continue_()
            return
        lost.append(route.fetch())  # the server saved it; the answer never reaches the phone
        route.abort()

    a.route(re.compile(r"/draft/core_task$"), lose_the_first_answer)
    room = both_type(a, b, visit)
    # A sends its save again (same id): nothing to change on the server, but A must show the room's text.
    expect(state(a, "core_task")).to_have_text("Gemt", timeout=8000)
    expect(field(a, "core_task")).to_have_value(room, timeout=3000)


def test_a_lost_conflict_answer_then_a_resend_shows_the_conflict_not_saved(phones):
    base, world, new_phone = phones
    visit, _a, b, held = a_conflict_for_bent(world, new_phone, base)
    held.fetch()  # the server keeps Bent's text as a conflict; the answer is lost on the way
    held.abort()
    expect(b.locator(".conflict blockquote")).to_have_text("Borgerne er sikre.", timeout=10_000)
    b.wait_for_timeout(1500)  # the resend has been answered
    expect(state(b, "core_task")).to_contain_text("Ikke gemt i feltet")
    assert private_texts(visit.id) == ["Borgerne er sikre."]


def test_use_my_version_keeps_words_written_next_to_the_clash_since(phones):
    base, world, new_phone = phones
    visit, a, b, held = a_conflict_for_bent(world, new_phone, base)
    held.continue_()
    expect(b.locator(".conflict")).to_be_visible(timeout=10_000)
    field(a, "core_task").click()
    a.keyboard.press("End")
    a.keyboard.press("ArrowLeft")
    a.keyboard.type(" og raske")  # right next to the clashing word, after the clash
    expect(state(a, "core_task")).to_have_text("Gemt", timeout=5000)
    expect(field(b, "core_task")).to_have_value("Borgerne er glade og raske.", timeout=5000)
    b.locator(".conflict button:has-text('Brug min version')").click()
    expect(field(a, "core_task")).to_have_value("Borgerne er sikre og raske.", timeout=5000)
    assert stored(visit.id, "core_task") == "Borgerne er sikre og raske."


def test_an_open_conflict_stays_in_view_when_the_visit_closes(phones):
    base, world, new_phone = phones
    visit, _a, b, held = a_conflict_for_bent(world, new_phone, base)
    held.continue_()
    expect(b.locator(".conflict")).to_be_visible(timeout=10_000)
    change(visit.id, close_visit)
    expect(b.locator(".closed")).to_be_visible(timeout=5000)
    box = b.locator(".conflict")
    expect(box).to_contain_text("Besøget er afsluttet")
    expect(box.locator("textarea")).to_have_value("Borgerne er sikre.")
    expect(box.locator("textarea")).to_have_attribute("readonly", "")
    expect(box.locator("button:has-text('Brug min version')")).to_have_count(0)
    box.locator("button:has-text('Kopiér')").click()
    expect(box.locator("button:has-text('Kopieret')")).to_be_visible()


def test_an_idea_merged_away_while_its_author_types_keeps_their_words_in_view(phones):
    base, world, new_phone = phones
    visit = new_visit(world, step=2)
    a, b = joined(new_phone(), base, visit, "Anne"), joined(new_phone(), base, visit, "Bent")
    for page, text in ((a, "Tryghed"), (b, "Glæde")):
        page.fill("#text", text)
        page.click("#idea-form button.primary")
        expect(page.locator(".ideas")).to_contain_text(text, timeout=5000)
    saves = Network(a, re.compile(r"/ideas/\d+$"))
    saves.hold()
    mine = a.locator("textarea[id^='f-idea-']")
    mine.click()
    a.keyboard.press("End")
    a.keyboard.type(" hver dag")
    a.wait_for_timeout(600)
    with writing():
        ideas_now = {idea.text: idea for idea in db.session.scalars(db.select(Idea).where(Idea.visit_id == visit.id))}
        merge_ideas(db.session.get(Visit, visit.id), Actor(user=world.first.user), ideas_now["Tryghed"], ideas_now["Glæde"])
    saves.release()
    kept = a.locator("#kept")
    expect(kept).to_contain_text("lagt sammen", timeout=12_000)
    expect(kept.locator("textarea")).to_have_value("Tryghed hver dag")
    assert "Tryghed hver dag" in private_texts(visit.id)


def test_unsaved_text_survives_cleared_cookies_and_a_reload(phones):
    base, world, new_phone = phones
    visit = new_visit(world)
    context = new_phone()
    a = joined(context, base, visit, "Anne")
    context.set_offline(True)
    field(a, "effect").click()
    a.keyboard.type("Tryghed i hverdagen")
    expect(state(a, "effect")).to_contain_text("ingen forbindelse", timeout=5000)
    context.clear_cookies()
    context.set_offline(False)
    with suppress(PlaywrightError):  # back online, the phone may find its join gone and reload by itself first
        a.reload()
    expect(a.locator("h1")).to_contain_text("ikke med i denne workshop", timeout=8000)
    kept = a.locator("#kept")
    # The reason is the one its last try met: not joined, or (racing the reload) the lost session.
    expect(kept.locator(".kept-reason")).to_contain_text(re.compile("Din deltagelse kunne ikke genkendes|Sikkerhedstjekket"),
                                                         timeout=8000)
    expect(kept.locator("textarea")).to_have_value("Tryghed i hverdagen")
    a.goto(f"{base}/j/{visit.join_code}")  # joining again: the text that waited is sent now
    a.fill("#display_name", "Anne")
    a.click("button.primary")
    expect(field(a, "effect")).to_have_value("Tryghed i hverdagen", timeout=8000)
    expect(state(a, "effect")).to_have_text("Gemt", timeout=8000)
    expect(a.locator("#kept")).to_be_hidden()
    assert stored(visit.id, "effect") == "Tryghed i hverdagen"


# ---- the new-idea box -----------------------------------------------------------------------

def ideas_of(visit_id: int) -> list[str]:
    db.session.commit()
    return list(db.session.scalars(db.select(Idea.text).where(Idea.visit_id == visit_id).order_by(Idea.id)))


def step_and_back(page, visit_id: int) -> None:
    """The facilitators show the draft, and then the ideas again; the phone follows."""
    change(visit_id, go_to_step, 3)
    expect(field(page, "core_task")).to_be_visible(timeout=8000)
    change(visit_id, go_to_step, 1)
    expect(page.locator("#idea-form")).to_be_visible(timeout=8000)


def test_an_idea_typed_and_not_sent_is_back_in_its_box_when_the_step_returns(phones):
    base, world, new_phone = phones
    visit = new_visit(world, step=1)
    a = joined(new_phone(), base, visit, "Anne")
    a.fill("#text", "Et sted, hvor alle kender ens navn")
    step_and_back(a, visit.id)
    expect(a.locator("#text")).to_have_value("Et sted, hvor alle kender ens navn")
    # Across a reload too, made while the step was away.
    change(visit.id, go_to_step, 3)
    expect(field(a, "core_task")).to_be_visible(timeout=8000)
    a.reload()
    change(visit.id, go_to_step, 1)
    expect(a.locator("#text")).to_have_value("Et sted, hvor alle kender ens navn", timeout=8000)
    a.click("#idea-form button.primary")
    expect(a.locator(".ideas")).to_contain_text("Et sted, hvor alle kender ens navn", timeout=8000)
    expect(a.locator("#text")).to_have_value("")
    assert ideas_of(visit.id) == ["Et sted, hvor alle kender ens navn"]


def test_ideas_sent_while_the_network_is_held_are_neither_lost_nor_doubled(phones):
    base, world, new_phone = phones
    visit = new_visit(world, step=1)
    a = joined(new_phone(), base, visit, "Anne")
    sends = Network(a, re.compile(r"/ideas$"))
    sends.hold()
    a.fill("#text", "Tryghed")
    a.click("#idea-form button.primary")
    a.fill("#text", "Glæde")  # typed while the first is on its way
    step_and_back(a, visit.id)
    expect(a.locator("#text")).to_have_value("Glæde")
    expect(a.locator("#idea-form [data-send-state]")).to_contain_text("Tryghed")  # shown as not sent yet
    a.reload()  # and the page reloaded, the first still unanswered
    expect(a.locator("#text")).to_have_value("Glæde", timeout=8000)
    sends.release()  # the original arrives late: recognised by its id, whatever polls came between
    expect(a.locator(".ideas")).to_contain_text("Tryghed", timeout=12_000)
    expect(a.locator("#idea-form [data-send-state]")).to_be_empty(timeout=8000)
    expect(a.locator("#text")).to_have_value("Glæde")
    a.click("#idea-form button.primary")
    expect(a.locator(".ideas")).to_contain_text("Glæde", timeout=8000)
    a.wait_for_timeout(1000)
    assert ideas_of(visit.id) == ["Tryghed", "Glæde"]


def test_a_phone_that_just_joined_asks_for_changes_at_once(phones):
    """A new idea reaches a phone that has just joined (or reloaded) as fast as any other: its first poll
    comes after half a second, not after the two seconds of a visit that is not open."""
    base, world, new_phone = phones
    visit = new_visit(world, step=1)
    a = joined(new_phone(), base, visit, "Anne")
    a.wait_for_timeout(1500)
    first = a.evaluate("""() => {
        const loaded = performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd;
        const polls = performance.getEntriesByType("resource").filter((entry) => entry.name.includes("/changes?"));
        return polls.length ? polls[0].startTime - loaded : null;
    }""")
    assert first is not None and first < 1000, first



def test_unsent_text_stays_with_its_step_and_is_shown_not_saved_when_the_visit_closes(phones, tmp_path):
    """Kept per visit, step and box – never per page: each step's new-idea box gets back its own text, and
    when the visit closes before it was sent, every such text is in the "not saved" box, to copy."""
    base, world, new_phone = phones
    visit = new_visit(world, step=1)
    a = joined(new_phone(), base, visit, "Anne")
    a.fill("#text", "Et sted, hvor alle kender ens navn")
    change(visit.id, go_to_step, 2)
    expect(a.locator("#live .step-header h1")).to_contain_text("Perspektiver", timeout=8000)
    expect(a.locator("#text")).to_have_value("")  # the next step's box is its own
    a.fill("#text", "Naboer, der hjælper hinanden")
    change(visit.id, go_to_step, 1)
    expect(a.locator("#live .step-header h1")).not_to_contain_text("Perspektiver", timeout=8000)
    expect(a.locator("#text")).to_have_value("Et sted, hvor alle kender ens navn")
    change(visit.id, go_to_step, 2)
    expect(a.locator("#live .step-header h1")).to_contain_text("Perspektiver", timeout=8000)
    expect(a.locator("#text")).to_have_value("Naboer, der hjælper hinanden")

    change(visit.id, close_visit)
    expect(a.locator(".closed")).to_be_visible(timeout=8000)
    kept = a.locator("#kept")
    for _ in range(2):  # shown at once, and again after a reload
        expect(kept.locator("textarea")).to_have_count(2, timeout=5000)
        assert sorted(kept.locator("textarea").evaluate_all("all => all.map(t => t.value)")) == [
            "Et sted, hvor alle kender ens navn", "Naboer, der hjælper hinanden"]
        expect(kept).to_contain_text("Din idé: Besøget blev afsluttet, før teksten blev sendt.")
        # A picture to look at, kept by pytest's tmp_path (--basetemp to choose where).
        a.screenshot(path=str(tmp_path / "phone-not-saved-after-close.png"), full_page=True)
        a.reload()
    kept.locator("button:has-text('Kopiér')").first.click()
    expect(kept.locator("button:has-text('Kopieret')")).to_be_visible()
    assert ideas_of(visit.id) == []
