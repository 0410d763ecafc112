"""Markup typed into every form of the app stays text: the page keeps its forms and nothing typed comes alive.

Each role's pages are crawled by their links (so new pages are covered by themselves);
every form with a field someone can type in, and every live field a phone saves, is
sent markup in each such field. The answer, and the page the form came from read again,
must hold no live markup and still hold every form it had; no answer may be a 5xx.
"""
import hashlib
import io
import re
import uuid
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

from pages import TEXT_TYPES, Page, crawl
from world import build, join, login, user

from kerne.models import Invitation, Visit, WorkTask, utcnow
from kerne.web.extensions import db
from kerne.workshop.visits import close_visit, go_to_step, open_visit

# Fits the shortest free-text limit (a display name, 40); tries to leave an attribute, a tag and a script.
PAYLOAD = '"><svg/onload=k()><script>k()</script>'
LIVE = ("<svg/onload=k()>", "<script>k()")
# Forms that end what is being tested (signing out) are left alone; every other one is sent.
NOT_SENT = re.compile(r"/logout$")


def typed_into(form) -> bool:
    return any(f["type"] in TEXT_TYPES | {"textarea", "file"} and f["type"] != "hidden" for f in form["fields"])


def filled(form) -> dict:
    data = {"edit_id": uuid.uuid4().hex} if form["box"] else {}
    for f in form["fields"]:
        if f["type"] == "file":
            data[f["name"]] = (io.BytesIO(f"id;name\n{PAYLOAD};{PAYLOAD}\n".encode()), "markup.csv")
        elif f["type"] in TEXT_TYPES | {"textarea"}:
            data[f["name"]] = PAYLOAD
        elif f["type"] == "number":
            data[f["name"]] = f["value"] or "1"
        else:
            data[f["name"]] = f["value"] or ""
    return data


def assert_inert(html: str, where: str) -> Page:
    page = Page(html)
    for piece in LIVE:
        assert piece not in html, f"{where}: {piece} is live"
    assert page.alive == [], f"{where}: {page.alive}"
    return page


def send_markup(client, pages: dict[str, Page], sent: set) -> None:
    for path, page in pages.items():
        for form in page.forms:
            action = urljoin(path, form["action"] or path)
            key = (re.sub(r"\d+", "N", urlsplit(action).path), tuple(sorted(f["name"] for f in form["fields"])))
            if form["method"] != "post" or not typed_into(form) or NOT_SENT.search(action) or key in sent:
                continue
            sent.add(key)
            current = Page(client.get(path).get_data(as_text=True))  # as it is now, after what was sent before
            response = client.post(action, data=filled(form), content_type=None)
            check_answer(client, path, current, action, response)
        for url, base in page.live_fields:
            key = (re.sub(r"\d+", "N", url), "live")
            if key in sent:
                continue
            sent.add(key)
            response = client.post(url, data={"value": PAYLOAD, "base": base, "edit_id": uuid.uuid4().hex})
            check_answer(client, path, page, url, response)


def _kind(form) -> tuple[str, str]:
    return form["method"], re.sub(r"\d+", "N", form["action"] or "")


def check_answer(client, path, page, action, response) -> None:
    assert response.status_code < 500, f"{action}: {response.status_code}"
    if response.status_code != 204 and "text/html" in response.content_type:
        answer = assert_inert(response.get_data(as_text=True), f"answer of {action}")
        if response.status_code in (200, 422) and urlsplit(action).path == urlsplit(path).path:
            assert answer.forms, f"{action}: the answer lost its form"
    again = client.get(path)
    assert again.status_code < 500, path
    if again.status_code == 200:
        after = assert_inert(again.get_data(as_text=True), f"{path} after {action}")
        # The form just sent may rightly go (a request cancelled with a reason), and ids may change (a new
        # playbook version); no other kind of form may go.
        before = {_kind(f) for f in page.forms if urljoin(path, f["action"] or path) != action}
        kept = {_kind(f) for f in after.forms}
        assert before <= kept, f"{path} after {action} lost forms: {before - kept}"


def test_markup_in_every_form_stays_text(app):
    world = build()
    from world import add_request

    add_request(world, workplace=world.other_workplace)
    sent: set = set()

    # A login waiting for its person: the invitation's page is reached by the mailed link alone.
    invited = user("inviteret@example.dk", "leader")
    invited.password_hash = ""
    invited.invitation = Invitation(token_hash=hashlib.sha256(b"markup").hexdigest(),
                                    expires_at=utcnow() + timedelta(hours=1))
    db.session.commit()

    anonymous = app.test_client()
    send_markup(anonymous, crawl(anonymous, ["/", "/login", "/j", f"/j/{world.visit.join_code}",
                                             "/invitation/markup"]), sent)

    for email in (world.coordinator.email, world.leader.email, world.first.email):
        staff = app.test_client()
        login(staff, email)
        send_markup(staff, crawl(staff, ["/", "/me", f"/visits/{world.visit.id}/console"]), sent)

    phone = app.test_client()
    base = join(phone, world.visit, "Sofie")
    for position in (1, 2, 3):
        go_to_step(db.session.get(Visit, world.visit.id), position)
        db.session.commit()
        for _round in (1, 2):  # the second round reaches the fields of what the first one added
            send_markup(phone, crawl(phone, [base]), sent)
    close_visit(db.session.get(Visit, world.visit.id))
    open_visit(db.session.get(Visit, world.second_visit.id))
    db.session.add(WorkTask(visit_id=world.second_visit.id, position=1, title="Morgenmøde", decision="develop"))
    db.session.commit()
    base = join(phone, world.second_visit)
    for position in (1, 2, 3):
        go_to_step(db.session.get(Visit, world.second_visit.id), position)
        db.session.commit()
        for _round in (1, 2):
            send_markup(phone, crawl(phone, [base]), sent)
    close_visit(db.session.get(Visit, world.second_visit.id))  # the phone is asked how the day was
    db.session.commit()
    send_markup(phone, crawl(phone, [base]), sent)

    reached = {path for path, _fields in sent}
    for expected in ("/login", "/j", "/j/N", "/w/N/name", "/w/N/ideas", "/w/N/ideas/N", "/w/N/draft/target_group",
                     "/w/N/tasks", "/w/N/tasks/N/title", "/w/N/tasks/N/owner", "/w/N/evaluation", "/ambassadors/new",
                     "/me", "/org", "/requests/new", "/users/new", "/invitation/N"):
        assert any(re.fullmatch(expected.replace("N", r"[^/]+"), path) for path in reached), (expected, reached)
