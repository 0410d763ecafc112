"""The overview in Chromium on the demo: at 1280 x 800 and on a tablet in landscape the key figures and
"Kræver handling" are above the fold and the page without its detail charts is short; on a phone the figures
are cards, nothing scrolls sideways and a wide table scrolls inside its frame; the MED report prints on A4."""
import re
import shutil

import pytest
from a11y import violations
from conftest import _app_for, running_server

from kerne import demo
from kerne.web import sqlite
from kerne.web.extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.server]
SIZES = {"laptop": (1280, 800), "tablet": (1180, 820), "phone": (390, 844)}


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory, sqlite_template):
    path = tmp_path_factory.mktemp("demo") / "kerne.sqlite"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    app = _app_for(url)
    watching = sqlite.writes_outside_requests.set(True)
    with app.app_context():
        demo.seed()
        db.session.remove()
        db.engine.dispose()
    sqlite.writes_outside_requests.reset(watching)
    with running_server(url) as base:
        yield base


def signed_in(browser, base: str, size: str, email: str = "leder@fjordby.dk", **options):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=size == "phone",
                                  has_touch=size == "phone", **options)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", demo.DEMO_PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/")
    return context, page


@pytest.mark.parametrize("size", ["laptop", "tablet"])
def test_the_key_figures_and_what_needs_action_are_above_the_fold(browser, demo_site, size):
    context, page = signed_in(browser, demo_site, size)
    page.goto(f"{demo_site}/dashboard")
    fold = SIZES[size][1]
    for part in (".key-figures", ".attention"):
        box = page.locator(part).bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= fold, (part, box)
    assert page.locator(".attention-item").count() == 5
    assert page.locator(".attention-item a").first.get_attribute("href").startswith("/tasks?follow_up=overdue")
    page.evaluate("document.getElementById('details').remove()")
    assert page.evaluate("document.documentElement.scrollHeight") < 1600
    context.close()


def test_charts_fill_their_width_with_whole_labels_and_a_table_behind_a_toggle(browser, demo_site):
    context, page = signed_in(browser, demo_site, "laptop")
    page.goto(f"{demo_site}/dashboard")
    chart = page.locator("#chart-coverage")
    widest = max(b["width"] for b in (r.bounding_box() for r in chart.locator("rect").all()))
    assert widest > 0.8 * chart.locator("svg").bounding_box()["width"]  # the longest bar uses the width
    assert "Teknik, Kultur og Borgerservice" in chart.locator("svg").text_content()  # never cut short
    months = page.locator("#chart-months svg").text_content()
    assert re.search(r"\bjun\. 20\d\d\b", months) and not re.search(r"20\d\d-\d\d", months)
    table = chart.locator("table")
    assert not table.is_visible()
    chart.locator("summary").focus()
    page.keyboard.press("Enter")
    assert table.is_visible() and table.locator("tbody tr").count() > 5
    context.close()


def test_on_a_phone_the_figures_are_cards_and_wide_tables_scroll_in_their_frame(browser, demo_site):
    context, page = signed_in(browser, demo_site, "phone")
    page.goto(f"{demo_site}/dashboard")
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    cards = [page.locator(".key-figure").nth(n).bounding_box() for n in range(4)]
    assert all(c["width"] > 0.8 * width for c in cards) and cards[1]["y"] > cards[0]["y"]  # one card a row
    page.goto(f"{demo_site}/tasks")
    frame = page.locator(".table-wrap")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert frame.evaluate("f => f.scrollWidth > f.clientWidth && getComputedStyle(f).overflowX === 'auto'")
    assert page.locator(".scroll-hint").is_visible() and frame.get_attribute("tabindex") == "0"
    context.close()


def test_on_a_phone_a_chart_table_wider_than_the_screen_says_to_swipe_and_scrolls_by_keyboard(browser, demo_site):
    context, page = signed_in(browser, demo_site, "phone", bypass_csp=True)  # bypass_csp: axe is injected
    page.goto(f"{demo_site}/dashboard")
    assert page.locator(".scroll-hint:visible").count() == 0  # every table is closed behind "Vis som tabel"
    toggles = page.locator("details.as-table > summary")
    for n in range(toggles.count()):
        toggles.nth(n).click()
    frames = page.locator("details.as-table .table-wrap")
    wide = []
    for n in range(frames.count()):
        frame = frames.nth(n)
        # a <section> with a name is a region landmark without a role attribute (html-validate prefers the element)
        assert (frame.evaluate("f => f.tagName"), frame.get_attribute("tabindex")) == ("SECTION", "0")
        assert frame.get_attribute("aria-label")
        overflows = frame.evaluate("f => f.scrollWidth > f.clientWidth")
        hint = page.locator("details.as-table").nth(n).locator(".scroll-hint")
        assert hint.is_visible() == overflows, n  # the hint only where the table is wider than its frame
        if overflows:
            assert hint.inner_text() == "Stryg til siden for at se hele tabellen"
            wide.append(frame)
    assert wide and len(wide) < frames.count()  # some tables fit a phone, some do not
    wide[0].focus()
    for _n in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("f => f.scrollLeft > 0", arg=wide[0].element_handle(), timeout=3000)  # scrolls smoothly
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth")
    assert violations(page) == []
    context.close()


def test_the_med_report_prints_on_a4(browser, demo_site):
    context, page = signed_in(browser, demo_site, "laptop")
    page.goto(f"{demo_site}/dashboard/report?period=year")
    assert page.locator("h1").inner_text() == "Kerneopgaver: status til MED-udvalget"
    page.emulate_media(media="print")
    assert not page.locator(".dash-filters").is_visible() and not page.locator(".topbar").is_visible()
    assert page.locator("#chart-decisions svg").is_visible() and page.locator("#r-core-tasks").is_visible()
    pdf = page.pdf(format="A4")
    assert 1 <= len(re.findall(rb"/Type\s*/Page[^s]", pdf)) <= 4
    context.close()
