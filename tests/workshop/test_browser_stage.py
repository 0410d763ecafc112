"""The projector as a stage and the console as a cockpit, in Chromium against the app under gunicorn (issue 19).

Type sized for a room at 1920 x 1080, nothing to scroll at any projector size, the join code in a
corner badge during a step, results in nobody's page before the facilitators reveal them, and the
console's keyboard shortcuts.
"""
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from world import new_process, sign_in, writing

from kerne.models import DotVote, Idea, Participant, TaskVote, Visit, WorkTask, utcnow
from kerne.web.extensions import db
from kerne.workshop.visits import close_visit, go_to_step, open_visit, steps_of

pytestmark = [pytest.mark.browser, pytest.mark.server]

FULL_HD = {"width": 1920, "height": 1080}
SIZES = [FULL_HD, {"width": 1280, "height": 720}, {"width": 1024, "height": 768}]
THREE_SECONDS = 3000
NEXT_POLL = 8000  # a poll every two seconds, on a machine other test suites share
IDEAS = ["Et trygt sted at være, mens forældrene arbejder", "Nogen der kender deres barn og ser det hver dag",
         "Legen med vennerne", "Hjælp til at komme godt i skole", "Sproget – vi læser og synger hver dag",
         "Ro og faste rutiner", "Et sted at lære at være sammen med andre", "Voksne der lytter",
         "Udeliv og naturen bag huset", "Sparring til forældre, der er i tvivl",
         "Tidlig hjælp, når et barn har det svært", "Fællesskabet mellem familierne"]
TASKS = ["Morgenmodtagelse og overlevering", "Dokumentation i fagsystemet", "Forældresamtaler to gange om året",
         "Sprogvurderinger af 3-årige", "Ture i naturen hver fredag", "Madpakkekontrol",
         "Temauger med faste planer", "Personalemøder om praktiske ting"]
CORE_TASK = "Sammen med familierne skaber vi trygge rammer, hvor alle børn trives, lærer og bliver en del af fællesskabet."
# The least each kind of text may measure at 1920 x 1080 (px): read from the back of the room.
AT_LEAST = {"question": 56, "item": 40, "count": 32, "timer": 48, "poster": 56}


@pytest.fixture(scope="module")
def signed_in_once(site, browser):
    """One of the pair, signed in once for the module: the cookies every screen starts from."""
    base, world = site
    context = browser.new_context(viewport=FULL_HD)
    sign_in(context.new_page(), base, world.first.email)
    state = context.storage_state()
    context.close()
    return base, world, state


@pytest.fixture
def laptop(signed_in_once, browser):
    """Pages of any size sharing the sign-in, closed after the test: a projector left open keeps polling and
    fitting its text, slowing every test after it."""
    base, world, state = signed_in_once
    contexts = []

    def screen(viewport=FULL_HD):
        context = browser.new_context(viewport=viewport, storage_state=state)
        contexts.append(context)
        return context.new_page()

    yield base, world, screen
    for context in contexts:
        context.close()


def a_room(world, visit_number: int = 1, step: int = 1) -> tuple[Visit, Visit]:
    """A process of its own: visit 1 with twelve check-in ideas, tagged ideas with dots and the wording; visit 2
    with eight tasks and votes. The running visit is at ``step`` with the code in its corner and the timer going."""
    process = new_process(world, 1, CORE_TASK)
    with writing():
        first, second = (db.session.get(Visit, v.id) for v in process.visits)
        phones = [Participant(visit_id=v.id, display_name=f"Telefon {n}") for v in (first, second) for n in range(6)]
        db.session.add_all(phones)
        db.session.flush()
        steps = steps_of(first)
        db.session.add_all(Idea(visit_id=first.id, step_id=steps[0].id, text=text) for text in IDEAS)
        for n, text in enumerate(IDEAS[:8]):
            idea = Idea(visit_id=first.id, step_id=steps[1].id, text=text, tag=("effect", "approach")[n % 2])
            db.session.add(idea)
            db.session.flush()
            db.session.add(DotVote(idea_id=idea.id, participant_id=phones[n % 6].id, dots=8 - n))
        for part in ("target_group", "effect", "approach", "ambition"):
            setattr(first.draft, part, "Børn 0-6 år og deres familier i Fjordby Nord")
        for n, title in enumerate(TASKS, 1):
            task = WorkTask(visit_id=second.id, position=n, title=title, decision="develop" if n == 1 else "undecided",
                            owner="Pia" if n == 1 else "", deadline=date.today() + timedelta(days=30) if n == 1 else None)
            db.session.add(task)
            db.session.flush()
            db.session.add_all(TaskVote(task_id=task.id, participant_id=p.id, choice=choice)
                               for p, choice in zip(phones[6:], ("keep", "keep", "develop", "keep", "phase_out"),
                                                    strict=False))
        running = first
        if visit_number == 2:
            first.draft.locked_at = utcnow()
            close_visit(first)
            open_visit(second)
            running = second
        go_to_step(running, step)
        running.code_shown = False
        running.timer_running_since = utcnow()
    return first, second


def change(visit: Visit, **columns) -> None:
    with writing():
        row = db.session.get(Visit, visit.id)
        for name, value in columns.items():
            setattr(row, name, value)
        row.version += 1


SIZE_OF = "(selector) => Array.from(document.querySelectorAll(selector), (el) => parseFloat(getComputedStyle(el).fontSize))"


def smallest(page, selector: str) -> float:
    sizes = page.evaluate(SIZE_OF, selector)
    assert sizes, f"nothing matches {selector}"
    return min(sizes)


# What each kind of step shows, as (visit, step, revealed) and the text that must be big.
KINDS = {
    "ideas": (1, 1, False, {"item": ".stage-cards .stage-text"}),
    "vote": (1, 2, True, {"item": ".stage-ranking .stage-text", "count": ".stage-ranking .stage-count"}),
    "draft": (1, 3, False, {"item": ".stage-draft .stage-text"}),
    "tasks": (2, 1, False, {"item": ".stage-tasks .stage-text"}),
    "decide": (2, 2, True, {"item": ".stage-focus-title", "count": ".stage-tally .stage-count"}),
    "actions": (2, 3, False, {"item": ".stage-focus-title, .stage-plan dd"}),
}


@pytest.mark.parametrize("kind", [*KINDS, "closed"])
def test_the_projectors_type_is_sized_for_the_back_row_at_1920x1080(laptop, kind):
    base, world, screen = laptop
    number, step, revealed, texts = KINDS.get(kind, (1, 3, False, {}))
    first, second = a_room(world, number, step)
    running = second if number == 2 else first
    if revealed:
        change(running, results_shown=True)
    if kind == "closed":
        with writing():
            visit = db.session.get(Visit, first.id)
            visit.draft.locked_at = utcnow()
            close_visit(visit)
    page = screen()
    page.goto(f"{base}/visits/{running.id}/projector")
    page.wait_for_load_state("load")
    measured = {}
    if kind == "closed":
        measured["poster"] = smallest(page, ".stage-poster-text")
        expect(page.locator(".stage-poster-text")).to_have_text(CORE_TASK)
    else:
        measured["question"] = smallest(page, ".stage-prompt")
        measured["timer"] = smallest(page, ".stage-timer time")
        measured.update({what: smallest(page, selector) for what, selector in texts.items()})
        badge = page.locator(".stage-badge").bounding_box()
        assert badge["width"] <= 0.12 * FULL_HD["width"], f"the code badge is {badge['width']} px wide"
        assert page.locator(".stage-code").count() == 0  # the big join screen is gone during a step
    print(f"{kind}: {measured}")
    too_small = {what: size for what, size in measured.items() if size < AT_LEAST[what]}
    assert too_small == {}, f"{kind} at 1920 x 1080: {measured}"


NOTHING_SPILLS = """() => {
  const spilled = [];
  const fits = (el) => {
    const box = el.getBoundingClientRect();
    return box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight + 1 && box.right <= innerWidth + 1;
  };
  const root = document.scrollingElement;
  if (root.scrollHeight > innerHeight + 1) spilled.push(`the page is ${root.scrollHeight} px tall`);
  for (const el of document.querySelectorAll(".stage-frame > *, .stage-item, .stage-body > *")) {
    if (el.checkVisibility() && !fits(el)) spilled.push(`${el.className}: ${el.textContent.trim().slice(0, 40)}`);
  }
  return spilled;
}"""


@pytest.mark.parametrize("viewport", SIZES, ids=lambda v: f"{v['width']}x{v['height']}")
@pytest.mark.parametrize("kind", ["ideas", "tasks"])
def test_the_projector_never_needs_scrolling(laptop, kind, viewport):
    """Twelve ideas and eight tasks: what does not fit turns up on the next page, nothing runs off the screen."""
    base, world, screen = laptop
    first, second = a_room(world, 1 if kind == "ideas" else 2, 1)
    page = screen(viewport)
    page.goto(f"{base}/visits/{(first if kind == 'ideas' else second).id}/projector")
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready")
    items = page.locator(".stage-item")
    expect(items).to_have_count(len(IDEAS) if kind == "ideas" else len(TASKS))
    assert page.evaluate(NOTHING_SPILLS) == []
    shown = page.evaluate("() => Array.from(document.querySelectorAll('.stage-item'), (el) => el.checkVisibility())")
    assert any(shown)
    if not all(shown):  # the rest on the next pages, said on the screen, each page fitting as well
        expect(page.locator(".stage-pages")).to_contain_text("Side 1 af")
        page.wait_for_function("() => !document.querySelectorAll('.stage-item')[0].checkVisibility()", timeout=12_000)
        assert page.evaluate(NOTHING_SPILLS) == []
    badge = page.locator(".stage-badge").bounding_box()
    assert badge["width"] <= 0.12 * viewport["width"]


def join(context, base: str, visit: Visit):
    page = context.new_page()
    page.goto(f"{base}/j/{visit.join_code}")
    page.fill("#display_name", "Anne")
    page.click("button.primary")
    expect(page.locator("#live")).to_be_visible()
    return page


def test_results_are_in_nobodys_page_until_the_facilitators_reveal_them(laptop, phone):
    base, world, screen = laptop
    first, _second = a_room(world, 1, 2)
    projector, console = screen(), screen({"width": 1280, "height": 800})
    projector.goto(f"{base}/visits/{first.id}/projector")
    console.goto(f"{base}/visits/{first.id}/console")
    on_phone = join(phone(), base, first)
    expect(projector.locator(".stage-cards")).to_contain_text(IDEAS[0])
    expect(on_phone.locator(".ideas")).to_contain_text(IDEAS[0])
    for page in (projector, on_phone):  # the rendered document, not what is visible
        html = page.content()
        assert "stage-ranking" not in html and "prikker i alt" not in html and "8 prikker" not in html
    assert "8 prikker i alt" in console.content()  # the pair sees the result coming
    console.keyboard.press("r")
    expect(projector.locator(".stage-ranking .stage-count").first).to_have_text("8 prikker", timeout=NEXT_POLL)
    expect(on_phone.locator(".dot-total").first).to_be_attached(timeout=NEXT_POLL)
    assert "8 prikker i alt" in on_phone.content()


def test_the_votes_on_a_task_are_in_nobodys_page_until_revealed(laptop, phone):
    base, world, screen = laptop
    _first, second = a_room(world, 2, 2)
    projector, console = screen(), screen({"width": 1280, "height": 800})
    projector.goto(f"{base}/visits/{second.id}/projector")
    console.goto(f"{base}/visits/{second.id}/console")
    on_phone = join(phone(), base, second)
    expect(projector.locator(".stage-focus-title")).to_have_text(TASKS[1])  # the first undecided task
    for page in (projector, on_phone):
        html = page.content()
        assert "stage-tally" not in html and 'class="count"' not in html
    expect(console.locator(".tally")).to_contain_text("3 Fastholde")
    console.click("button:has-text('Vis resultatet')")
    expect(projector.locator(".stage-tally.vote-keep .stage-count")).to_have_text("3", timeout=NEXT_POLL)
    task = on_phone.locator(".task", has_text=TASKS[1])
    expect(task.locator(".vote-keep .count")).to_have_text("3", timeout=NEXT_POLL)
    assert on_phone.locator(".task", has_text=TASKS[2]).locator(".count").count() == 0  # only the task in focus
    console.click("button:has-text('Brug rummets flertal: Fastholde')")
    expect(projector.locator(".stage-decision")).to_contain_text("Fastholde", timeout=NEXT_POLL)
    console.click("button:has-text('Næste opgave')")
    expect(projector.locator(".stage-focus-title")).to_have_text(TASKS[2], timeout=NEXT_POLL)
    assert "stage-tally" not in projector.content()  # the next task: hidden until revealed again


def test_the_console_is_a_cockpit_driven_from_the_keyboard(laptop):
    base, world, screen = laptop
    first, _second = a_room(world, 1, 1)
    change(first, code_shown=True, timer_running_since=None)
    console, projector = screen({"width": 1280, "height": 800}), screen()
    console.goto(f"{base}/visits/{first.id}/console")
    projector.goto(f"{base}/visits/{first.id}/projector")
    side, main = console.locator(".cockpit-side").bounding_box(), console.locator(".cockpit-main").bounding_box()
    assert side["x"] + side["width"] <= main["x"] and side["y"] == pytest.approx(main["y"], abs=2)
    expect(console.locator(".thumbnail .stage-code")).to_have_text(first.join_code)  # what the projector shows
    expect(console.locator(".shortcuts")).to_contain_text("Næste trin")
    expect(projector.locator(".stage-code")).to_be_visible()

    # Each key does on the console what its button does; the projector follows at its next poll.
    console.keyboard.press("k")  # from the join screen to the step
    expect(console.locator(".thumbnail .stage-prompt")).to_be_visible(timeout=THREE_SECONDS)
    expect(projector.locator(".stage-prompt")).to_be_visible(timeout=NEXT_POLL)
    console.keyboard.press("t")
    expect(console.locator(".big-timer time[data-ends-at]")).to_be_attached(timeout=THREE_SECONDS)
    expect(projector.locator(".stage-timer time[data-ends-at]")).to_be_attached(timeout=NEXT_POLL)
    console.keyboard.type("+")
    expect(console.locator(".big-timer")).to_contain_text("19:", timeout=THREE_SECONDS)
    console.keyboard.press("ArrowRight")
    expect(console.locator(".step-title")).to_have_text("Perspektiver", timeout=THREE_SECONDS)
    expect(projector.locator(".stage-step")).to_contain_text("Trin 2 af 3", timeout=NEXT_POLL)
    console.keyboard.press("r")
    expect(console.locator(".thumbnail .stage-ranking")).to_be_attached(timeout=THREE_SECONDS)
    expect(projector.locator(".stage-ranking")).to_be_visible(timeout=NEXT_POLL)
    console.keyboard.press("PageUp")
    expect(console.locator(".step-title")).to_have_text("Ramme og formål", timeout=THREE_SECONDS)
    expect(projector.locator(".stage-step")).to_contain_text("Trin 1 af 3", timeout=NEXT_POLL)
    # Typing in a field is typing, not a shortcut.
    console.locator(".cockpit-main textarea").first.type("r og t")
    console.wait_for_timeout(1500)
    expect(projector.locator(".stage-step")).to_contain_text("Trin 1 af 3")
    db.session.expire_all()
    assert db.session.get(Visit, first.id).results_shown is False


LONG_IDEAS = [f"{n}. " + ("Et trygt sted, hvor hvert barn bliver set og hørt af voksne, der kender det, og hvor "
                          "familierne får hjælp i tide, før små bekymringer bliver til store problemer for barnet og hele "
                          "familien omkring det.")
              + f" (idé {n})" for n in range(1, 7)]
LONG_IDEAS.append(("Legen, sproget og fællesskabet: " * 9)[:270] + " (idé 7)")  # as long as an idea may be
assert all(200 <= len(text) <= 280 for text in LONG_IDEAS)

# Which ideas are shown whole on the page now: in the viewport, in their list's box, their text not cut.
SHOWN_WHOLE = """() => {
  const cut = [];
  const whole = [];
  for (const item of document.querySelectorAll('.stage-cards .stage-item')) {
    if (!item.checkVisibility()) continue;
    const text = item.querySelector('.stage-text');
    const style = getComputedStyle(text);
    const box = item.getBoundingClientRect(), list = item.parentElement.getBoundingClientRect();
    const inside = box.top >= list.top - 1 && box.bottom <= list.bottom + 1 && box.left >= list.left - 1
                   && box.right <= list.right + 1 && box.bottom <= innerHeight + 1 && box.right <= innerWidth + 1
                   && item.getClientRects().length === 1;  // not broken over two columns
    const clamped = style.webkitLineClamp !== 'none' || style.textOverflow === 'ellipsis'
                    || text.scrollHeight > text.clientHeight + 1 || text.scrollWidth > text.clientWidth + 1;
    (inside && !clamped && !text.textContent.includes('…') ? whole : cut).push(text.textContent);
  }
  return {whole, cut};
}"""


@pytest.mark.parametrize("viewport", SIZES, ids=lambda v: f"{v['width']}x{v['height']}")
def test_long_ideas_are_shown_whole_on_some_page_never_cut(laptop, viewport, tmp_path):
    """Ideas of 200+ characters: the projector pages through them, each whole on a page; nothing is cut
    with an ellipsis or a clamp, and nothing runs off the screen."""
    base, world, screen = laptop
    first, _second = a_room(world, 1, 1)
    with writing():
        step = steps_of(db.session.get(Visit, first.id))[0]
        db.session.add_all(Idea(visit_id=first.id, step_id=step.id, text=text) for text in LONG_IDEAS)
    page = screen(viewport)
    page.clock.install()
    page.goto(f"{base}/visits/{first.id}/projector")
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready")
    expect(page.locator(".stage-item")).to_have_count(len(IDEAS) + len(LONG_IDEAS))
    assert smallest(page, ".stage-cards .stage-text") >= AT_LEAST["item"] * viewport["height"] / FULL_HD["height"] - 1
    seen, pages = set(), 0
    for _ in range(len(IDEAS) + len(LONG_IDEAS)):  # never more pages than ideas
        # Pictures to look at: kept by pytest's tmp_path (--basetemp to choose where).
        page.screenshot(path=str(tmp_path / f"projector-{viewport['width']}x{viewport['height']}-{pages + 1}.png"))
        assert page.evaluate(NOTHING_SPILLS) == []
        shown = page.evaluate(SHOWN_WHOLE)
        assert shown["cut"] == [] and shown["whole"], shown
        pages += 1
        seen.update(shown["whole"])
        if set(IDEAS + LONG_IDEAS) <= seen:
            break
        page.clock.run_for(8_500)  # the next page
    assert set(IDEAS + LONG_IDEAS) <= seen, sorted(set(IDEAS + LONG_IDEAS) - seen)
    assert pages > 1


# Each text inside the screen, inside its box, and none cut by a clamp or an ellipsis.
ALL_OF_IT = """(selectors) => {
  const cut = [];
  for (const el of document.querySelectorAll(selectors)) {
    const box = el.getBoundingClientRect(), style = getComputedStyle(el);
    const holder = el.closest('.stage-focus') || el;
    const within = holder.getBoundingClientRect();
    if (!el.checkVisibility() || box.bottom > innerHeight + 1 || box.right > innerWidth + 1 || box.bottom > within.bottom + 1
        || holder.scrollHeight > holder.clientHeight + 1 || style.webkitLineClamp !== 'none' || style.textOverflow === 'ellipsis')
      cut.push(`${el.className}: ${el.textContent.trim().slice(0, 40)}`);
  }
  return cut;
}"""


@pytest.mark.parametrize("viewport", SIZES[:2], ids=lambda v: f"{v['width']}x{v['height']}")
def test_the_task_in_focus_is_shown_whole_however_long_its_words(laptop, viewport, tmp_path):
    """The longest title, reason and core task the fields take: all on the screen, smaller if need be, never cut."""
    base, world, screen = laptop
    first, second = a_room(world, 2, 2)
    with writing():
        db.session.get(Visit, first.id).draft.core_task = (CORE_TASK + " ") * 8
        task = db.session.scalars(db.select(WorkTask).where(WorkTask.visit_id == second.id, WorkTask.position == 1)).one()
        task.title = ("Morgenmodtagelse og overlevering mellem hjem og institution, " * 4)[:200]
        task.rationale = ("Den giver barnet en tryg start, og forældrene ved, hvem de skal tale med. " * 7)[:500]
        db.session.get(Visit, second.id).focus_task_id = task.id  # decided, so its reason is shown too
    page = screen(viewport)
    page.goto(f"{base}/visits/{second.id}/projector")
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready")
    expect(page.locator(".stage-focus-title")).to_have_text(task.title)
    page.wait_for_timeout(300)
    page.screenshot(path=str(tmp_path / f"focus-{viewport['width']}x{viewport['height']}.png"))
    assert page.evaluate(NOTHING_SPILLS) == []
    assert page.evaluate(ALL_OF_IT, ".stage-core, .stage-focus-title, .stage-decision") == []
