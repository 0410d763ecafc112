"""Every page every role reaches is valid HTML, as html-validate reads it (pinned in tests/node, whose
rules are tests/node/htmlvalidate.cjs): a tag a message turned into, a form that closes a paragraph
early, a <time> without its datetime. All pages are checked in one run of the validator."""
import json
import subprocess
from pathlib import Path

import pytest
from pages import crawl
from roles import settle
from world import join

from kerne.models import Visit, WorkTask
from kerne.web.extensions import db
from kerne.workshop.visits import close_visit, go_to_step, open_visit, steps_of

NODE = Path(__file__).resolve().parents[1] / "node"
VALIDATOR = NODE / "node_modules" / ".bin" / "html-validate"
CONFIG = NODE / "htmlvalidate.cjs"


def validate(pages: dict[str, str], folder: Path) -> list[str]:
    """html-validate's errors and warnings for ``pages`` (name → HTML), one line each, named by page."""
    names = {}
    for number, (name, html) in enumerate(pages.items()):
        path = folder / f"page-{number:03d}.html"
        path.write_text(html)
        names[str(path)] = name
    report = folder / "report.json"  # a file: node may exit before a pipe has taken a long report
    run = subprocess.run([str(VALIDATOR), "--config", str(CONFIG), "--formatter", f"json={report}", *names],
                         capture_output=True, text=True, timeout=300)
    assert report.exists(), run.stderr
    return [f"{names[result['filePath']]}:{m['line']}:{m['column']} {m['ruleId']}: {m['message']}"
            for result in json.loads(report.read_text()) for m in result["messages"]]


def test_every_page_every_role_reaches_is_valid_html(rooms, tmp_path):
    if not VALIDATOR.exists():
        pytest.fail("html-validate is missing: `make test` installs it (npm ci in tests/node)")
    ours = rooms.ids["ours"]
    coordinator = rooms.clients["coordinator"]
    coordinator.post("/plan/runs")  # a proposal, so its page is reached too
    settle()
    starts = {
        "anonymous": ["/", "/login", "/j", f"/j/{ours['code']}", "/tilgaengelighed"],
        # /users/new by name: its role checkboxes share one name, which the crawl's page limit once left unseen
        "coordinator": ["/", "/users/new", "/me", "/me/mail", "/audit", "/outbox", "/people"],
        "leader": ["/", "/me", "/me/mail"],
        "contact": ["/", "/me", "/me/mail"],
        "ambassador": ["/", "/me", "/me/mail", f"/visits/{ours['visit_id']}/console",
                       f"/visits/{ours['visit_id']}/projector"],
    }
    pages = {}
    for role, paths in starts.items():
        pages |= {f"{role} {path}": page.html for path, page in crawl(rooms.clients[role], paths).items()}
    first = db.session.get(Visit, ours["visit_id"])
    pages |= _steps(rooms, first, rooms.clients["participant"], f"/w/{ours['public_id']}")
    # visit 2: its steps, then both visits held, as the process page and the desk show them after
    close_visit(first)
    second = first.process.visits[1]
    open_visit(second)
    db.session.add(WorkTask(visit_id=second.id, position=1, title="Morgenmøde", decision="develop"))
    db.session.commit()
    phone = rooms.clients["anonymous"]
    pages |= _steps(rooms, second, phone, join(phone, second, "Sofie"))
    close_visit(second)
    db.session.commit()
    for role in ("coordinator", "ambassador", "contact"):
        pages |= {f"{role} after {path}": page.html for path, page in crawl(rooms.clients[role], [
            "/", f"/processes/{ours['process_id']}", f"/processes/{ours['process_id']}/poster"]).items()}
    pages["anonymous /findes-ikke"] = rooms.clients["anonymous"].get("/findes-ikke").get_data(as_text=True)
    assert len(pages) > 200 and "coordinator /users/new" in pages
    assert validate(pages, tmp_path) == []


def _steps(rooms, visit: Visit, phone, phone_page: str) -> dict[str, str]:
    """Every step of an open visit on a phone, the console and the projector, and the draft's history."""
    pages = {}
    console = rooms.clients["ambassador"]
    for position in range(1, len(steps_of(visit)) + 1):
        go_to_step(db.session.get(Visit, visit.id), position)
        db.session.commit()
        for name, client, path in (("participant", phone, phone_page),
                                   ("ambassador", console, f"/visits/{visit.id}/console"),
                                   ("ambassador", console, f"/visits/{visit.id}/projector")):
            pages[f"{name} visit {visit.number} step {position} {path}"] = client.get(path).get_data(as_text=True)
    history = f"{phone_page}/draft/core_task/history"
    pages[f"participant visit {visit.number} {history}"] = phone.get(history).get_data(as_text=True)
    return pages
