"""Every route in `flask routes`, tried by every role and anonymously, with our ids and another
process's, answers as kerne/web/permissions.py says (another's numbered object: 404, as if it did not exist);
every answer carries the browser headers."""
import re
from pathlib import Path

import pytest
from roles import RULES, SCOPED_IDS
from world import assert_hardened

from kerne.web.permissions import KEY, NO, REFUSED_IN_VIEW, ROLES, TABLE, YES, markdown


def test_every_route_has_an_entry_in_the_permission_table():
    missing = sorted({rule.endpoint for rule in RULES} - set(TABLE))
    assert not missing, f"add these endpoints to TABLE in kerne/web/permissions.py: {', '.join(missing)}"
    stale = sorted(set(TABLE) - {rule.endpoint for rule in RULES})
    assert not stale, f"TABLE in kerne/web/permissions.py names endpoints that no longer exist: {', '.join(stale)}"


# Ids nobody can guess (a visit's public id, a calendar key): a refusal for one tells nothing about others.
SECRET_IDS = ("public_id", "token")


def _denied(response) -> bool:
    if response.status_code == 403:
        return True
    return response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("rule", [r for r in RULES if r.endpoint != "static"], ids=lambda r: f"{r.endpoint} {r.rule}")
def test_each_role_gets_what_the_table_allows(request, signed_in, rule):
    # Pages that only read share one database; a route that may write gets a copy of its own.
    rooms = request.getfixturevalue("rooms") if "POST" in rule.methods else signed_in[1]
    access = TABLE.get(rule.endpoint)
    assert access is not None, f"{rule.endpoint} ({rule.rule}) has no entry in TABLE in kerne/web/permissions.py"
    scoped = [name for name in re.findall(r"<(?:[^:>]+:)?([^>]+)>", rule.rule) if name in SCOPED_IDS]  # in order
    for method in sorted(rule.methods & {"GET", "POST"}):
        for role in ROLES:
            level = getattr(access, role)
            client = rooms.clients[role]
            tries = [("ours", False)]
            if level not in (NO, YES, KEY) and scoped:
                # Theirs, then (with two ids) our parent with their child, then ours.
                tries = [("theirs", False)] + [("theirs", True)] * (len(scoped) > 1) + [("ours", False)]
            for side, mixed in tries:
                url = rooms.url(rule, side, role, mixed)
                response = client.open(url, method=method)
                status = response.status_code
                what = f"{role} {method} {url} → {status}"
                assert status < 500, what
                assert_hardened(response)
                if level == NO:
                    assert _denied(response), f"{what}: the table says no"
                elif level in REFUSED_IN_VIEW and (side == "ours" or mixed):
                    # Refused where the first object is one they see (with another's child: refused before it).
                    assert _denied(response), f"{what}: the table says {level}"
                elif side == "theirs" and not mixed and scoped[0] in SECRET_IDS:
                    # An unguessable key that is not theirs: refused or not found, either tells nothing.
                    assert _denied(response) or status == 404, f"{what}: {level} only"
                elif side == "theirs":
                    # Another's object is one that does not exist for them: 404, so ids cannot be counted.
                    assert status == 404, f"{what}: {level} only, and outside it nothing is found"
                else:
                    assert not _denied(response), f"{what}: the table says {level}"


def test_the_table_prints_as_markdown_for_the_security_page(runner):
    result = runner.invoke(args=["permissions"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "| route | " + " | ".join(ROLES) + " |"
    assert "| GET `/ambassadors` | yes | – | – | – | – | – |" in lines
    assert "| GET `/w/<public_id>/changes` | – | – | – | own processes | own visit | – |" in lines
    assert result.output.strip() == markdown(runner.app)
    readme = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text()
    assert markdown(runner.app) in readme, "docs/security.md's *Who may do what* is not `flask --app app permissions`"
