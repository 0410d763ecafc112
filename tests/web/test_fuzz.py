"""Junk to every form and fragment endpoint as every role: huge numbers, ids from the other
room, control characters, wrong types, missing fields, repeated fields, broken files.
Nothing answers 5xx, and a refused request leaves the database as it was.

KERNE_FUZZ_EXAMPLES sets the examples per endpoint (8 by default, to keep `make test` short).
"""
import importlib
import io
import os
import pkgutil

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from roles import RULES, settle
from sqlalchemy import text

import kerne
from kerne.web.extensions import db
from kerne.web.permissions import ROLES

EXAMPLES = int(os.environ.get("KERNE_FUZZ_EXAMPLES", "8"))


def _field_names() -> list[str]:
    """Every field any form of Kerne reads (each capability's ``forms`` module), and what views read from the
    request directly."""
    for module in pkgutil.walk_packages(kerne.__path__, "kerne."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    names, stack = set(), [FlaskForm]
    while stack:
        form = stack.pop()
        stack.extend(form.__subclasses__())
        names.update(name for name, _field in getattr(form, "_unbound_fields", None) or ())
        names.update(name for name in vars(form) if not name.startswith("_") and name not in ("Meta",))
    request_params = {"step", "ambassador", "confirm", "since", "next", "format", "q", "status", "unit", "page",
                      "area", "department", "profession", "visit", "held", "open", "seen", "core_task"}
    return sorted((names | request_params) - {"csrf_token"})


FIELDS = _field_names()
# Fragments answer GETs with query arguments; forms answer POSTs.
TARGETS = [r for r in RULES if "POST" in r.methods or r.endpoint.endswith(("changes", "rows", "results", "proposal"))]

junk_text = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=12),  # control characters
    st.sampled_from(["", " ", "\r\n", "\x00", "<script>alert(1)</script>", "=HYPERLINK(\"x\")", "'; DROP TABLE x;--",
                     "2026-02-30", "99:99", "yes", "on", "None", "NaN", "-1", "0", "1e309", "x" * 5000]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from([2**63 - 1, 2**63, 2**64 + 1, -(2**63) - 1]).map(str),
)


def _value(ids: dict):
    return st.one_of(junk_text, st.sampled_from(sorted(str(v) for v in ids.values())))


def _body(ids: dict):
    """A form body: any fields, each sent once or twice, maybe with a broken file."""
    fields = st.dictionaries(st.sampled_from(FIELDS), st.lists(_value(ids), min_size=1, max_size=2), max_size=6)
    upload = st.binary(max_size=200).map(lambda b: (io.BytesIO(b), "fil.csv"))
    return st.tuples(fields, st.one_of(st.none(), upload))


def snapshot() -> dict[str, list]:
    """Every row of every table, in order. A refused text kept in the field's history is by
    design (no edit is ever lost), so such revisions are left out."""
    state = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            rows = connection.execute(table.select()).all()
            if table.name == "revision":
                rows = [r for r in rows if r.kind != "refused"]
            state[table.name] = sorted(map(repr, rows))
        state["visit_versions"] = connection.execute(text("SELECT id, version FROM visit ORDER BY id")).all()
    return state


@pytest.mark.parametrize("rule", TARGETS, ids=lambda r: f"{r.endpoint} {r.rule}")
def test_junk_never_breaks_anything_and_a_refusal_changes_nothing(rooms, rule):
    ids = {**rooms.ids["ours"], **{f"their_{k}": v for k, v in rooms.ids["theirs"].items()}}
    method = "POST" if "POST" in rule.methods else "GET"

    known = {}  # the database as the last refused request left it: no need to read it again

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(role=st.sampled_from(ROLES), side=st.sampled_from(["ours", "theirs"]), body=_body(ids),
           query=st.dictionaries(st.sampled_from(FIELDS), _value(ids), max_size=3))
    def attempt(role, side, body, query):
        fields, upload = body
        data = {name: values if len(values) > 1 else values[0] for name, values in fields.items()}
        if upload is not None:
            data["file"] = upload
        settle()
        before = known.pop("state", None) or snapshot()
        response = rooms.clients[role].open(rooms.url(rule, side, role), method=method, query_string=query,
                                            data=data if method == "POST" else None)
        status = response.status_code
        assert status < 500, f"{role} {method} {response.request.url} {data!r} → {status}"
        if status >= 400:
            after = snapshot()
            assert after == before, f"{role} {method} {response.request.url} {data!r} → {status} changed the database"
            known["state"] = after

    attempt()
