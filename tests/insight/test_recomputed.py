"""Every figure of the overview, recomputed independently: SQL written here (not kerne.insight's), on the demo
and on a generated organisation, for the whole organisation and for an area leader. Only what SQL cannot say
the same way on SQLite and PostgreSQL – a stored UTC time's date in Copenhagen – is worked out in Python."""
import html
import re
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from conftest import ROOT
from sqlalchemy import text
from world import login

from kerne import demo
from kerne.web.extensions import db

sys.path.insert(0, str(ROOT / "bench"))
from dashboard import PASSWORD, generate  # noqa: E402  (bench/dashboard.py's organisation)

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
ACTIVE = ("pair_confirmed", "visit1", "core_task_defined", "visit2", "tasks_decided", "follow_up")
STALLED_DAYS = 60

STATES = text("""
SELECT p.id, p.workplace_id, p.created_at, v1.status, v1.scheduled_on, v1.opened_at, v2.status, v2.scheduled_on,
       v2.opened_at, v2.closed_at,
       CASE
         WHEN p.cancelled_at IS NOT NULL OR r.status = 'cancelled' THEN 'cancelled'
         WHEN v1.status IS NULL OR v1.status = 'planned' THEN 'pair_confirmed'
         WHEN NOT EXISTS (SELECT 1 FROM core_task_draft d JOIN visit v ON v.id = d.visit_id WHERE v.process_id = p.id
                          AND d.locked_at IS NOT NULL AND TRIM(d.core_task) <> '') THEN 'visit1'
         WHEN v2.status IS NULL OR v2.status = 'planned' THEN 'core_task_defined'
         WHEN v2.status <> 'closed' OR NOT EXISTS (SELECT 1 FROM work_task t JOIN visit v ON v.id = t.visit_id
              WHERE v.process_id = p.id AND NOT t.removed AND t.decision <> 'undecided') THEN 'visit2'
         WHEN EXISTS (SELECT 1 FROM work_task t JOIN visit v ON v.id = t.visit_id WHERE v.process_id = p.id
              AND NOT t.removed AND t.decision <> 'undecided'
              AND (TRIM(t.owner) = '' OR t.deadline IS NULL OR t.follow_up_on IS NULL)) THEN 'tasks_decided'
         WHEN EXISTS (SELECT 1 FROM work_task t JOIN visit v ON v.id = t.visit_id WHERE v.process_id = p.id
              AND NOT t.removed AND t.decision <> 'undecided' AND t.follow_up_mark IS NULL) THEN 'follow_up'
         ELSE 'completed' END,
       (SELECT MAX(d.locked_at) FROM core_task_draft d JOIN visit v ON v.id = d.visit_id
         WHERE v.process_id = p.id AND d.locked_at IS NOT NULL AND TRIM(d.core_task) <> ''),
       (SELECT MAX(t.followed_up_at) FROM work_task t JOIN visit v ON v.id = t.visit_id
         WHERE v.process_id = p.id AND NOT t.removed AND t.decision <> 'undecided' AND t.follow_up_mark IS NOT NULL),
       (SELECT COUNT(*) FROM visit v WHERE v.process_id = p.id AND v.status = 'planned' AND v.starts IS NULL),
       COALESCE(r.created_at, p.created_at)
FROM process p
LEFT JOIN process_request r ON r.process_id = p.id
LEFT JOIN visit v1 ON v1.process_id = p.id AND v1.number = 1
LEFT JOIN visit v2 ON v2.process_id = p.id AND v2.number = 2
WHERE p.workplace_id IN :units
""").bindparams(db.bindparam("units", expanding=True))


def local(stored: datetime | str | None) -> date | None:
    """A stored UTC time's day in Copenhagen (SQLite answers a plain query's times as text)."""
    if isinstance(stored, str):
        stored = datetime.fromisoformat(stored)
    return stored.replace(tzinfo=UTC).astimezone(COPENHAGEN).date() if stored else None


def day(value: date | str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def half_up(part: int, whole: int) -> int:
    return int((Decimal(100 * part) / Decimal(whole)).quantize(Decimal(1), ROUND_HALF_UP)) if whole else 0


def scope(user_email: str) -> list[int]:
    """The units the person sees: everything, or their units and all below them (a recursive query)."""
    whole = db.session.execute(text("SELECT roles LIKE '%coordinator%' OR sees_whole_organisation FROM user_account "
                                    "WHERE email = :e"), {"e": user_email}).scalar()
    if whole:
        return list(db.session.execute(text("SELECT id FROM org_unit")).scalars())
    return list(db.session.execute(text("""
        WITH RECURSIVE below(id) AS (
          SELECT l.unit_id FROM leader_unit l JOIN user_account u ON u.id = l.user_id WHERE u.email = :e
          UNION SELECT o.id FROM org_unit o JOIN below b ON o.parent_id = b.id)
        SELECT id FROM below"""), {"e": user_email}).scalars())


def recomputed(user_email: str) -> dict[str, int]:
    units = scope(user_email)
    today = datetime.now(COPENHAGEN).date()
    first = (today.year * 12 + today.month - 1) - 11
    start = date(first // 12, first % 12 + 1, 1)  # the last 12 months: this month and the eleven before it
    rows = db.session.execute(STATES, {"units": units}).all()
    state = {row[0]: row[10] for row in rows}

    def since(row) -> date | None:
        (_id, _w, created, _s1, day1, opened1, _s2, day2, opened2, closed2, name, locked, *_rest) = row
        entered = {"pair_confirmed": local(created), "visit1": local(opened1), "core_task_defined": local(locked),
                   "visit2": local(opened2), "tasks_decided": local(closed2)}.get(name)
        awaited = {"pair_confirmed": day(day1), "core_task_defined": day(day2)}.get(name)
        return max(entered or awaited, awaited) if awaited else entered

    def under_way(row) -> bool:
        ended = local(row[12]) if row[10] == "completed" else None
        if row[10] == "cancelled":
            return False  # not counted in decisions either way
        return local(row[14]) <= today and (ended is None or ended >= start)

    decided = db.session.execute(text("""
        SELECT v.process_id, t.decision FROM work_task t JOIN visit v ON v.id = t.visit_id
        WHERE NOT t.removed AND t.decision <> 'undecided'""")).all()
    in_period = {row[0] for row in rows if under_way(row)}
    decisions = {d: sum(1 for p, x in decided if x == d and p in in_period) for d in ("develop", "keep", "phase_out")}
    overdue = db.session.execute(text("""
        SELECT v.process_id FROM work_task t JOIN visit v ON v.id = t.visit_id
        WHERE NOT t.removed AND t.decision <> 'undecided' AND t.follow_up_mark IS NULL AND t.follow_up_on < :today
          AND v.status = 'closed' AND v.number = 2"""), {"today": today}).scalars().all()
    workplaces = db.session.execute(text("SELECT id FROM org_unit WHERE kind = 'workplace' AND id IN :units")
                                    .bindparams(db.bindparam("units", expanding=True)), {"units": units}).scalars().all()
    # a core task locked by the end of the period (today), of a process not cancelled
    defined = {row[1] for row in rows if row[11] is not None and local(row[11]) <= today and row[10] != "cancelled"}
    waiting = db.session.execute(text("SELECT COUNT(*) FROM process_request WHERE process_id IS NULL AND "
                                      "status <> 'cancelled' AND workplace_id IN :units")
                                 .bindparams(db.bindparam("units", expanding=True)), {"units": units}).scalar()
    lacking = db.session.execute(text("""
        SELECT COUNT(*) FROM ambassador a WHERE a.active AND a.workplace_id IN :units AND (
          NOT EXISTS (SELECT 1 FROM process_facilitator f JOIN process p ON p.id = f.process_id
                      WHERE f.ambassador_id = a.id AND p.cancelled_at IS NULL AND p.workplace_id = a.workplace_id)
          OR NOT EXISTS (SELECT 1 FROM process_facilitator f JOIN process p ON p.id = f.process_id
                         WHERE f.ambassador_id = a.id AND p.cancelled_at IS NULL AND p.workplace_id <> a.workplace_id))
        """).bindparams(db.bindparam("units", expanding=True)), {"units": units}).scalar()
    talks = dict(db.session.execute(text("""
        SELECT status, COUNT(*) FROM conversation WHERE (from_unit_id IN :units OR to_unit_id IN :units)
          AND proposed_at >= :start GROUP BY status""").bindparams(db.bindparam("units", expanding=True)),
        {"units": units, "start": start}).all())
    return {
        "active": sum(1 for name in state.values() if name in ACTIVE),
        "defined": len(defined), "share": half_up(len(defined), len(workplaces)), **decisions,
        "overdue": sum(1 for p in overdue if state.get(p) not in (None, "cancelled")),
        "stalled": sum(1 for row in rows if row[10] in ACTIVE[:-1] and (s := since(row)) is not None
                       and (today - s).days > STALLED_DAYS),
        "undated": sum(1 for row in rows if row[13] and row[10] in ACTIVE),  # processes, as its link lists them
        "waiting": waiting, "lacking": lacking,
        **{f"talks-{s}": talks.get(s, 0) for s in ("proposed", "agreed", "held")},
    }


def shown(client) -> dict[str, int]:
    """The overview's figures, as the page shows them."""
    page = client.get("/dashboard").get_data(as_text=True)
    return {name: int(n) for name, n in re.findall(r'data-figure="([\w-]+)">(\d+)', page)}


@pytest.mark.parametrize("who", ["leder@fjordby.dk", "omraadechef@fjordby.dk", "koordinator@fjordby.dk"])
def test_the_overview_agrees_with_sql_on_the_demo(client, app, who, monkeypatch):
    monkeypatch.setattr("world.PASSWORD", demo.DEMO_PASSWORD)
    demo.seed()
    # a talk across units, and a process standing still since its first visit 70 days ago, so no figure is only 0
    db.session.execute(text("UPDATE visit SET opened_at = :then, status = 'open' WHERE id = (SELECT MIN(v.id) FROM "
                            "visit v JOIN process p ON p.id = v.process_id JOIN org_unit o ON o.id = p.workplace_id "
                            "WHERE o.name = 'Hovedbiblioteket')"), {"then": (datetime.now(UTC) - timedelta(days=70)).replace(tzinfo=None)})
    db.session.execute(text("INSERT INTO conversation (from_unit_id, to_unit_id, target_group, message, status, "
                            "proposed_at, outcome) SELECT a.id, b.id, 'Ældre borgere', '', 'agreed', :now, '' "
                            "FROM org_unit a, org_unit b WHERE a.name = 'Hjemmeplejen Nord' AND b.name = 'Fjordskolen'"),
                       {"now": datetime.now(UTC).replace(tzinfo=None)})
    db.session.commit()
    login(client, who)
    figures, expected = shown(client), recomputed(who)
    assert figures == expected
    assert expected["active"] and expected["overdue"] and expected["waiting"] and expected["defined"]


@pytest.mark.parametrize("who", ["koordinator@bench.dk", "omraade@bench.dk"])
def test_the_overview_agrees_with_sql_on_a_generated_organisation(client, app, who, monkeypatch):
    monkeypatch.setattr("world.PASSWORD", PASSWORD)
    generate(400, 6, seed=20)
    login(client, who)
    figures, expected = shown(client), recomputed(who)
    assert figures == expected
    assert expected["active"] > 20 and expected["develop"] > 50 and expected["overdue"] > 5 and expected["lacking"]


LISTED = re.compile(r'<p>(\d+) (?:forløb|opgaver?|ambassadører?)(?: ·|</p>)')


@pytest.mark.parametrize("who", ["koordinator@bench.dk", "omraade@bench.dk"])
def test_every_figure_that_needs_action_is_the_count_of_the_rows_its_link_lists(client, app, who, monkeypatch):
    monkeypatch.setattr("world.PASSWORD", PASSWORD)
    generate(400, 6, seed=20)
    # some process waits for the days of both its visits: counted once, as the list shows it once
    assert db.session.execute(text("SELECT COUNT(*) FROM (SELECT v.process_id FROM visit v WHERE v.status = 'planned' "
                                   "AND v.starts IS NULL GROUP BY v.process_id HAVING COUNT(*) = 2) x")).scalar()
    login(client, who)
    page = client.get("/dashboard").get_data(as_text=True)
    links = re.findall(r'<a href="([^"]+)"><span class="attention-number" data-figure="(\w+)">(\d+)</span>', page)
    assert {key for _href, key, _n in links} == {"overdue", "stalled", "undated", "waiting", "lacking"}
    for href, key, figure in links:
        listed = LISTED.search(client.get(html.unescape(href)).get_data(as_text=True))
        assert listed and (key, int(listed.group(1))) == (key, int(figure))
