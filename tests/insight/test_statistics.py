"""Every dashboard figure on a hand-made organisation, with the exact numbers worked out by hand."""
from datetime import date, timedelta

import pytest

from kerne.insight import statistics
from kerne.insight.statistics import AmbassadorFacts, Case, Organisation, Unit, case_filter, compute, task_filter
from kerne.processes.lifecycle import ProcessFacts, TaskFacts, VisitFacts

TODAY = date(2026, 11, 28)
UNITS = [
    Unit(1, "Område A", "area", None), Unit(2, "A1", "department", 1), Unit(3, "A2", "department", 1),
    Unit(4, "W1", "workplace", 2), Unit(5, "W2", "workplace", 2), Unit(6, "W3", "workplace", 3),
    Unit(7, "Område B", "area", None), Unit(8, "B1", "department", 7),
    Unit(9, "W4", "workplace", 8), Unit(10, "W5", "workplace", 8),
]


def held(v1=0, v2=0):
    return (VisitFacts(1, "closed"), VisitFacts(2, "closed")), ((1, v1), (2, v2))


def task(decision, owner="Lise", follow_up_on=TODAY + timedelta(days=40), mark=None):
    return TaskFacts(decision, owner, date(2026, 12, 1), follow_up_on, mark)


def case(key, workplace, requested_on, facts, participants=(), facilitators=(), last_mark_on=None):
    process_id = int(key[1:]) if key.startswith("p") else None
    return Case(key, workplace, requested_on, facts, process_id, facilitators, participants, None, last_mark_on)


P1_VISITS, P1_PEOPLE = held(12, 8)
P2_VISITS, P2_PEOPLE = held(3, 0)
P5_VISITS, P5_PEOPLE = held(25, 41)
CASES = [
    case("r1", 4, date(2026, 9, 5), ProcessFacts()),
    case("p1", 4, date(2026, 6, 1), ProcessFacts("planned", True, False, P1_VISITS, True, True, (
        task("develop", mark="done"), task("keep", mark="changed"), TaskFacts())), P1_PEOPLE, (101, 102),
        last_mark_on=date(2026, 11, 12)),
    case("p2", 6, date(2026, 7, 15), ProcessFacts("planned", True, False, P2_VISITS, True, True, (
        task("develop", follow_up_on=TODAY - timedelta(days=1)), task("phase_out", follow_up_on=TODAY + timedelta(5)),
        task("keep", follow_up_on=TODAY + timedelta(30)))), P2_PEOPLE, (101,)),
    case("p3", 9, date(2026, 10, 1), ProcessFacts("planned", True, False, (
        VisitFacts(1, "open"), VisitFacts(2, "planned")), True, False), (), (102,)),
    case("p4", 10, date(2026, 8, 20), ProcessFacts("planned", True, True, (
        VisitFacts(1, "closed"), VisitFacts(2, "planned")), True, True, (task("develop"),)), ((1, 7),), (103,)),
    case("p5", 5, date(2026, 5, 10), ProcessFacts("planned", True, False, P5_VISITS, True, True, (
        task("develop", owner="", follow_up_on=None),)), P5_PEOPLE),
    case("r2", 9, date(2026, 11, 2), ProcessFacts(request_status="cancelled")),
]
AMBASSADORS = [
    AmbassadorFacts(101, "Xenia", 4, True, 3, ((4, True, False), (6, True, False))),
    AmbassadorFacts(102, "Yrsa", 9, True, 3, ((4, True, False), (9, False, False))),
    AmbassadorFacts(103, "Zaki", 6, True, 2, ((10, False, True),)),
]


@pytest.fixture(scope="module")
def board():
    return compute(UNITS, CASES, AMBASSADORS, TODAY)


def test_processes_by_state(board):
    assert board.cases == 7
    assert board.by_state == {"requested": 1, "pair_confirmed": 0, "visit1": 1, "core_task_defined": 0, "visit2": 0,
                              "tasks_decided": 1, "follow_up": 1, "completed": 1, "cancelled": 2}


def test_processes_per_area_and_department(board):
    rows = {row.unit.name: (row.depth, dict(row.states), row.total) for row in board.by_unit}
    assert rows == {
        "Område A": (0, {"requested": 1, "completed": 1, "tasks_decided": 1, "follow_up": 1}, 4),
        "A1": (1, {"requested": 1, "completed": 1, "tasks_decided": 1}, 3),
        "A2": (1, {"follow_up": 1}, 1),
        "Område B": (0, {"visit1": 1, "cancelled": 2}, 3),
        "B1": (1, {"visit1": 1, "cancelled": 2}, 3),
    }
    assert [row.unit.name for row in board.by_unit] == ["Område A", "A1", "A2", "Område B", "B1"]


def test_requested_and_completed_per_month(board):
    assert [m for m, _r, _c in board.months] == [
        "2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09",
        "2026-10", "2026-11"]
    assert {m: (r, c) for m, r, c in board.months if r or c} == {
        "2026-05": (1, 0), "2026-06": (1, 0), "2026-07": (1, 0), "2026-08": (1, 0), "2026-09": (1, 0),
        "2026-10": (1, 0), "2026-11": (1, 1)}


def test_workplaces_with_a_defined_core_task_on_the_tree(board):
    assert (board.workplaces, board.workplaces_defined, board.share_defined) == (5, 3, 0.6)
    assert board.defined_workplaces == {4, 5, 6}  # W5's core task belongs to a cancelled process
    assert {c.unit.name: (c.depth, c.defined, c.workplaces) for c in board.coverage} == {
        "Område A": (0, 3, 3), "A1": (1, 2, 2), "A2": (1, 1, 1), "Område B": (0, 0, 2), "B1": (1, 0, 2)}


def test_decisions_in_total_and_per_department(board):
    assert board.decisions == {"develop": 3, "keep": 2, "phase_out": 1}  # the cancelled process's are left out
    assert [(unit.name, counts) for unit, counts in board.decisions_by_department] == [
        ("A1", {"develop": 2, "keep": 1, "phase_out": 0}), ("A2", {"develop": 1, "keep": 1, "phase_out": 1})]


def test_follow_ups_due_and_overdue(board):
    assert board.follow_ups == {"overdue": 1, "due": 1, "later": 1, "done": 2}


def test_commitments_and_load(board):
    assert board.own == {"met": 1, "planned": 1, "open": 1}
    assert board.other == {"met": 2, "planned": 0, "open": 1}
    assert [(a.name, c.own, c.other, n, done) for a, c, n, done in board.load] == [
        ("Xenia", "met", "met", 2, 2), ("Yrsa", "planned", "met", 2, 1), ("Zaki", "open", "open", 0, 0)]
    assert board.load_buckets == {"0": 1, "1": 0, "2": 2, "3": 0, "4+": 0}


def test_participants_per_visit(board):
    first, second = board.participation
    assert (first.visit, first.held, first.participants, first.average, first.median, first.most) == \
        (1, 4, 47, 11.75, 9.5, 25)
    assert first.buckets == {"0": 0, "1-5": 1, "6-10": 1, "11-20": 1, "21-40": 1, "41+": 0}
    assert (second.held, second.participants, round(second.average, 3), second.median, second.most) == \
        (3, 49, 16.333, 8.0, 41)
    assert second.buckets == {"0": 1, "1-5": 0, "6-10": 1, "11-20": 0, "21-40": 0, "41+": 1}


def test_an_area_leader_sees_only_the_area():
    area = [u for u in UNITS if u.id in (1, 2, 3, 4, 5, 6)]
    cases = [c for c in CASES if c.workplace_id in (4, 5, 6)]
    board = compute(area, cases, AMBASSADORS[:1] + AMBASSADORS[2:], TODAY)
    assert {k: v for k, v in board.by_state.items() if v} == {"requested": 1, "tasks_decided": 1, "follow_up": 1,
                                                              "completed": 1}
    assert (board.workplaces, board.workplaces_defined) == (3, 3)
    assert board.own == {"met": 1, "planned": 0, "open": 1}


def test_every_figure_matches_the_list_behind_it(board):
    organisation = Organisation(UNITS)
    for name, count in board.by_state.items():
        assert sum(case_filter(c, organisation, state=name) for c in CASES) == count
    for row in board.by_unit:
        for name, count in row.states.items():
            assert sum(case_filter(c, organisation, state=name, unit=row.unit.id) for c in CASES) == count
    for month, requested, completed in board.months:
        assert sum(case_filter(c, organisation, requested=month) for c in CASES) == requested
        assert sum(case_filter(c, organisation, completed=month) for c in CASES) == completed
    assert sum(case_filter(c, organisation, core_task=True) for c in CASES) == 3
    tasks = [(t, c) for c in CASES for t in c.facts.decided]
    for decision, count in board.decisions.items():
        assert sum(task_filter(t, c, organisation, TODAY, decision=decision) for t, c in tasks) == count
    for unit, counts in board.decisions_by_department:
        for decision, count in counts.items():
            assert sum(task_filter(t, c, organisation, TODAY, decision=decision, unit=unit.id) for t, c in tasks) \
                == count
    for where, count in board.follow_ups.items():
        assert sum(task_filter(t, c, organisation, TODAY, follow_up=where) for t, c in tasks) == count
    for state_name, count in board.own.items():
        assert sum(statistics.ambassador_filter(a, organisation, own=state_name) for a in AMBASSADORS) == count
    for bucket, count in board.load_buckets.items():
        assert sum(statistics.ambassador_filter(a, organisation, load=bucket) for a in AMBASSADORS) == count
    for participation in board.participation:
        assert sum(case_filter(c, organisation, held=participation.visit) for c in CASES) == participation.held
        for bucket, count in participation.buckets.items():
            # a process is listed once however many of its visits fall in the bucket; here each has one
            assert sum(case_filter(c, organisation, visit=participation.visit, participants=bucket)
                       for c in CASES) == count
    assert sum(case_filter(c, organisation, ambassador=101) for c in CASES) == 2


def test_commitments_ignore_cancelled_processes():
    assert statistics.commitments(1, [(1, False, True), (2, True, False)]) == statistics.Commitments("open", "met")
    assert statistics.commitments(1, [(1, False, False), (1, True, False)]).own == "met"
